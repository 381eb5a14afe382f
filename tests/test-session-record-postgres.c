/* test-session-record-postgres.c: a session recording into a database
 * server that is not there when the connection starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against a SoupServer (in its own thread) that sends three messages and
 * closes with 1000 "bye" when told to, and one real PostgreSQL for the run
 * (sonde-test-postgres.c). A session that connects while the server is
 * stopped captures as ever, says the recording waits for the database,
 * and once the server is started the recording has every record of the
 * connect, in order, with the connect's start time. A password refused is
 * said at once ("Recording stopped: …") and capture goes on. A connect to
 * the database that hangs never holds the session: the WebSocket opens
 * and its messages come while it hangs, and the end of the recording
 * gives up within seconds, saying what was not written.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sonde-session.h"
#include "sonde-store-postgres.h"
#include "sonde-test-postgres.h"
#include "sonde-test-util.h"

#define WAIT_MS 30000

static SondeTestPostgres *postgres;

typedef struct {
  SondeTestServer *server;
  char            *url;
  GPtrArray       *problems;
} Fixture;

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 data)
{
  gsize size;
  const char *text = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT && size == 8 && memcmp (text, "close-me", 8) == 0)
    soup_websocket_connection_close (connection, 1000, "bye");
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 data)
{
  /* Kept until the server goes: its thread owns it. */
  g_object_set_data_full (G_OBJECT (server), "connection", g_object_ref (connection), g_object_unref);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), NULL);
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"n\":%d}", i);

      soup_websocket_connection_send_text (connection, text);
    }
}

static void
setup_server (SoupServer *server,
              gpointer    data)
{
  soup_server_add_websocket_handler (server, "/feed", NULL, NULL, on_websocket, NULL, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sonde_test_server_new (setup_server, NULL);
  fixture->url = sonde_test_server_dup_url (fixture->server, "ws", "/feed");
  fixture->problems = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->server, sonde_test_server_free);
  g_free (fixture->url);
  g_ptr_array_unref (fixture->problems);
}

static void
on_recording_stopped (SondeSession *session,
                      const char   *text,
                      Fixture      *fixture)
{
  g_test_message ("recording-stopped: %s", text);
  g_ptr_array_add (fixture->problems, g_strdup (text));
}

/* Whether a problem said so far has @needle. */
static gboolean
said (Fixture    *fixture,
      const char *needle)
{
  for (guint i = 0; i < fixture->problems->len; i++)
    if (strstr (g_ptr_array_index (fixture->problems, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
close_session (SondeSession *session)
{
  g_autoptr(GError) error = NULL;

  sonde_connection_send_text (sonde_session_get_connection (session), "close-me", -1, &error);
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session) && !sonde_session_get_recording (session), WAIT_MS);
}

typedef struct {
  guint    n;
  guint    in;
  guint    gaps;
  guint64  first_seq;
  guint    first_kind;
  guint64  last_seq;
  gint64   first_wall_us;
  gboolean consecutive;
} Collected;

static gboolean
collect (const SondeRecord *record,
         gpointer           data)
{
  Collected *collected = data;

  if (collected->n == 0)
    {
      collected->first_seq = record->seq;
      collected->first_kind = record->kind;
      collected->first_wall_us = record->wall_us;
    }
  else if (record->seq != collected->last_seq + 1)
    collected->consecutive = FALSE;
  collected->last_seq = record->seq;
  if (record->direction == SONDE_DIRECTION_IN)
    collected->in++;
  if (record->kind == SONDE_MESSAGE_KIND_GAP)
    collected->gaps++;
  collected->n++;
  return TRUE;
}

/* The database server is stopped when the session connects, and started
 * while the connection is open. */
static void
test_server_late (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = sonde_test_postgres_new_database (postgres, "late", &error);
  g_autoptr(SondeStorePostgres) reader = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  SondeStoreSession *stored;
  Collected collected = { 0, 0, 0, 0, 0, 0, 0, TRUE };

  g_assert_no_error (error);
  g_assert_true (sonde_test_postgres_stop (postgres, "fast", &error));
  g_assert_no_error (error);

  sonde_session_set_recording_path (session, uri);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_in (session) >= 3, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (said (fixture, "Recording waits for the database"), WAIT_MS);
  g_assert_true (sonde_session_get_recording (session));
  g_assert_false (said (fixture, "Recording stopped"));

  g_assert_true (sonde_test_postgres_restart (postgres, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (said (fixture, "the database answered"), WAIT_MS);
  close_session (session);
  g_assert_false (said (fixture, "Recording stopped"));

  reader = sonde_store_postgres_open_reader (uri, &error);
  g_assert_no_error (error);
  sessions = sonde_store_list_sessions (SONDE_STORE (reader), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  stored = g_ptr_array_index (sessions, 0);
  g_assert_cmpstr (stored->url, ==, fixture->url);
  g_assert_cmpint (stored->close_code, ==, 1000);
  g_assert_cmpstr (stored->close_reason, ==, "bye");
  g_assert_true (sonde_store_read_records (SONDE_STORE (reader), stored->id, 0, collect, &collected, &error));
  g_assert_no_error (error);
  /* Every record of the connect, from its first (CONNECTING), once each. */
  g_assert_cmpuint (collected.first_kind, ==, SONDE_MESSAGE_KIND_CONNECTING);
  g_assert_cmpuint (collected.first_seq, ==, 0);
  g_assert_true (collected.consecutive);
  g_assert_cmpuint (collected.gaps, ==, 0);
  g_assert_cmpuint (collected.in, ==, 3);
  g_assert_cmpuint (collected.n, ==, stored->records);
  g_assert_cmpint (stored->start_us, ==, collected.first_wall_us);
}

/* A password refused: said at once, and capture goes on. */
static void
test_auth_failed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *good = sonde_test_postgres_new_database (postgres, "auth", &error);
  g_autoptr(GString) bad = g_string_new (good);

  g_assert_no_error (error);
  g_assert_cmpuint (g_string_replace (bad, SONDE_TEST_POSTGRES_PASSWORD, "not-the-password", 1), ==, 1);

  sonde_session_set_recording_path (session, bad->str);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (said (fixture, "Recording stopped"), WAIT_MS);
  g_assert_true (said (fixture, "refused the user or the password"));
  g_assert_false (said (fixture, "not-the-password"));
  g_assert_false (said (fixture, "waits for the database"));
  g_assert_false (sonde_session_get_recording (session));
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_in (session) >= 3, WAIT_MS);
  close_session (session);
}

static gboolean
accept_one (GSocket  *listener,
            GSocket **accepted)
{
  if (*accepted == NULL)
    *accepted = g_socket_accept (listener, NULL, NULL);
  return *accepted != NULL;
}

/* The database's connect hangs (a listener that never answers): the
 * session opens and captures meanwhile, and the end of the recording is
 * over within seconds. */
static void
test_connect_hangs (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autofree char *uri = NULL;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (listener, FALSE);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("postgresql://sonde@127.0.0.1:%u/silent?connect_timeout=60&sslmode=disable",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  sonde_session_set_recording_path (session, uri);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  /* The recording began with the connect: its connect to the database
   * is held from here on, and the WebSocket opens and captures all the
   * same. */
  SONDE_TEST_ASSERT_WAIT (accept_one (listener, &accepted), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_in (session) >= 3, WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (sonde_session_get_connection (session)), ==,
                   SONDE_CONNECTION_STATE_OPEN);
  g_assert_true (sonde_session_get_recording (session));
  g_assert_cmpint (sonde_recorder_get_session_id (sonde_session_get_recorder (session)), ==, 0);
  g_assert_cmpuint (fixture->problems->len, ==, 0);

  /* The database goes away for good; the connection ends: the recording
   * gives up, saying what was not written. */
  g_socket_close (accepted, NULL);
  g_socket_close (listener, NULL);
  close_session (session);
  g_assert_true (said (fixture, "records were not written"));
  g_assert_false (said (fixture, "the database answered"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  sonde_test_init (&argc, &argv);
  postgres = sonde_test_postgres_start_or_skip ();
  if (postgres == NULL)
    return 0;

  g_test_add ("/session-record-postgres/server-late", Fixture, NULL, fixture_setup, test_server_late,
              fixture_teardown);
  g_test_add ("/session-record-postgres/auth-failed", Fixture, NULL, fixture_setup, test_auth_failed,
              fixture_teardown);
  g_test_add ("/session-record-postgres/connect-hangs", Fixture, NULL, fixture_setup, test_connect_hangs,
              fixture_teardown);
  status = g_test_run ();
  sonde_test_postgres_free (postgres);
  return status;
}
