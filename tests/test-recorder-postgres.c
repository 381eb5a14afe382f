/* test-recorder-postgres.c: a recording into a database server that is
 * not there yet (sonde_recorder_new_for_uri)
 *
 * One real PostgreSQL for the run (sonde-test-postgres.c). A recording
 * begun while the server is stopped queues its records, says it waits,
 * and once the server is started writes every record once, in order, in a
 * session that has the recording's own start time. A password refused
 * stops the recording at once with that reason. A server that never
 * answers does not hold the end of the recording: it gives up after a few
 * seconds and says how many records were not written. And the thread that
 * records never waits on a connect: a listener that accepts and never
 * answers holds the writer's connect while the main loop runs on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sonde-recorder.h"
#include "sonde-store-postgres.h"
#include "sonde-test-postgres.h"
#include "sonde-test-util.h"

#define START_US G_GINT64_CONSTANT (1700000000000000)
#define WAIT_MS  30000

static SondeTestPostgres *server;

static char *
new_database (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *uri = sonde_test_postgres_new_database (server, name, &error);

  g_assert_no_error (error);
  return uri;
}

static void
add_messages (SondeRecorder *recorder,
              guint64       *seq,
              guint          count)
{
  for (guint i = 0; i < count; i++, (*seq)++)
    {
      g_autofree char *text = g_strdup_printf ("{\"n\":%" G_GUINT64_FORMAT "}", *seq);
      SondeRecord record = {
        .seq = *seq,
        .wall_us = START_US + (gint64) *seq * 1000,
        .mono_us = (gint64) *seq * 1000,
        .direction = SONDE_DIRECTION_IN,
        .kind = SONDE_MESSAGE_KIND_TEXT,
        .size = strlen (text),
        .stored_size = strlen (text),
        .data = (const guint8 *) text,
      };

      sonde_recorder_add (recorder, &record);
    }
}

typedef struct {
  guint    n;
  guint    gaps;
  guint64  last_seq;
  gboolean in_order;
  gboolean payloads_match;
} Collected;

static gboolean
collect (const SondeRecord *record,
         gpointer           user_data)
{
  Collected *collected = user_data;
  g_autofree char *expected = g_strdup_printf ("{\"n\":%" G_GUINT64_FORMAT "}", record->seq);

  if (record->kind == SONDE_MESSAGE_KIND_GAP)
    collected->gaps++;
  if (collected->n > 0 && record->seq != collected->last_seq + 1)
    collected->in_order = FALSE;
  if (record->stored_size != strlen (expected) || memcmp (record->data, expected, record->stored_size) != 0)
    collected->payloads_match = FALSE;
  collected->last_seq = record->seq;
  collected->n++;
  return TRUE;
}

static void
on_stopped (SondeRecorder *recorder,
            const GError  *error,
            GError       **stopped)
{
  g_assert_null (*stopped);
  *stopped = g_error_copy (error);
}

/* Begun while the server is stopped; the server starts later: every
 * record once, in order, with the session's start time. */
static void
test_server_late (void)
{
  g_autofree char *uri = new_database ("late");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stopped = NULL;
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(SondeStorePostgres) reader = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  SondeStoreSession *session;
  Collected collected = { 0, 0, 0, TRUE, TRUE };
  guint64 seq = 1;
  gint64 id;

  g_assert_true (sonde_test_postgres_stop (server, "fast", &error));
  g_assert_no_error (error);

  recorder = sonde_recorder_new_for_uri (uri, "p", "Prices", "ws://127.0.0.1:9/feed", START_US);
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), &stopped);
  g_assert_true (sonde_recorder_get_recording (recorder));
  add_messages (recorder, &seq, 3000);
  /* The writer found the server away: it says so, and waits. */
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_waiting (recorder) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (sonde_recorder_get_waiting (recorder), "cannot be reached"));
  g_assert_cmpint (sonde_recorder_get_session_id (recorder), ==, 0);
  g_assert_cmpuint (sonde_recorder_get_queued_records (recorder), ==, 3000);
  add_messages (recorder, &seq, 1000);

  g_assert_true (sonde_test_postgres_restart (server, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_session_id (recorder) > 0, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_waiting (recorder) == NULL, WAIT_MS);
  id = sonde_recorder_get_session_id (recorder);
  add_messages (recorder, &seq, 1000);
  sonde_recorder_close (recorder, START_US + G_USEC_PER_SEC, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_no_error (stopped);
  g_assert_false (sonde_recorder_get_recording (recorder));
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);
  g_assert_cmpuint (sonde_recorder_get_retries (recorder), >, 0);

  reader = sonde_store_postgres_open_reader (uri, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_store_read_records (SONDE_STORE (reader), id, 0, collect, &collected, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collected.n, ==, 5000);
  g_assert_cmpuint (collected.last_seq, ==, 5000);
  g_assert_cmpuint (collected.gaps, ==, 0);
  g_assert_true (collected.in_order);
  g_assert_true (collected.payloads_match);
  sessions = sonde_store_list_sessions (SONDE_STORE (reader), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpint (session->id, ==, id);
  g_assert_cmpint (session->start_us, ==, START_US);
  g_assert_cmpint (session->close_code, ==, 1000);
  g_assert_cmpstr (session->profile_name, ==, "Prices");
  g_assert_cmpuint (session->records, ==, 5000);

  g_assert_finalize_object (g_steal_pointer (&recorder));
}

/* A password refused at the start will not heal: the recording stops at
 * once, saying so. */
static void
test_auth_failed (void)
{
  g_autofree char *good = new_database ("auth");
  g_autofree char *uri = NULL;
  g_autoptr(GError) stopped = NULL;
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GString) bad = g_string_new (good);
  guint64 seq = 1;

  g_assert_cmpuint (g_string_replace (bad, SONDE_TEST_POSTGRES_PASSWORD, "not-the-password", 1), ==, 1);
  uri = g_string_free (g_steal_pointer (&bad), FALSE);

  recorder = sonde_recorder_new_for_uri (uri, NULL, NULL, "ws://127.0.0.1:9/feed", START_US);
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), &stopped);
  add_messages (recorder, &seq, 10);
  SONDE_TEST_ASSERT_WAIT (stopped != NULL, WAIT_MS);
  g_assert_error (stopped, SONDE_STORE_ERROR, SONDE_STORE_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (stopped->message, "refused the user or the password"));
  g_assert_null (strstr (stopped->message, "not-the-password"));
  g_assert_false (sonde_recorder_get_recording (recorder));
  g_assert_cmpint (sonde_recorder_get_session_id (recorder), ==, 0);
  g_assert_cmpuint (sonde_recorder_get_retries (recorder), ==, 0);
  /* What comes after is not taken. */
  add_messages (recorder, &seq, 10);
  g_assert_cmpuint (sonde_recorder_get_queued_records (recorder), ==, 0);
  sonde_recorder_close (recorder, START_US + 1, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);

  g_assert_finalize_object (g_steal_pointer (&recorder));
}

/* The server never answers: ending the recording (without waiting, as a
 * session does) is over within seconds, and says what was lost. */
static void
test_never_answers (void)
{
  g_autofree char *uri = new_database ("never");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stopped = NULL;
  g_autoptr(SondeRecorder) recorder = NULL;
  guint64 seq = 1;

  g_assert_true (sonde_test_postgres_stop (server, "fast", &error));
  g_assert_no_error (error);

  recorder = sonde_recorder_new_for_uri (uri, NULL, NULL, "ws://127.0.0.1:9/feed", START_US);
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), &stopped);
  add_messages (recorder, &seq, 42);
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_waiting (recorder) != NULL, WAIT_MS);
  sonde_recorder_end (recorder, START_US + 1, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_true (sonde_recorder_get_recording (recorder));
  /* A bound of a few seconds: well within this wait. */
  SONDE_TEST_ASSERT_WAIT (!sonde_recorder_get_recording (recorder), 15000);
  g_assert_nonnull (stopped);
  g_assert_error (stopped, SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (stopped->message, "42 records were not written"));
  g_assert_cmpint (sonde_recorder_get_session_id (recorder), ==, 0);

  g_assert_true (sonde_test_postgres_restart (server, &error));
  g_assert_no_error (error);
  /* The writer has let go of the recorder: the test's is the last ref. */
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_wait_all (0), WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&recorder));
}

/* Accepts connections and never answers: a connect to it hangs. */
typedef struct {
  GSocket  *listener;
  GSocket  *accepted;
} Silent;

static gboolean
silent_accept (Silent *silent)
{
  if (silent->accepted == NULL)
    silent->accepted = g_socket_accept (silent->listener, NULL, NULL);
  return silent->accepted != NULL;
}

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static void
on_tick (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* The connect to the server is under way, on the writer thread: this
 * thread's main loop runs on meanwhile (it is what accepts the connect
 * here), and the recorder waits for an answer without a session yet.
 * Ending it while the connect still hangs is over within seconds. */
static void
test_main_thread_free (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stopped = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autofree char *uri = NULL;
  Silent silent = { NULL, NULL };
  guint64 seq = 1;
  gboolean ticked = FALSE;
  gint finalized = FALSE;

  silent.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (silent.listener, FALSE);
  g_assert_true (g_socket_bind (silent.listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (silent.listener, &error));
  bound = g_socket_get_local_address (silent.listener, &error);
  g_assert_no_error (error);
  /* A connect that would hang for a minute: libpq's own timeout. */
  uri = g_strdup_printf ("postgresql://sonde@127.0.0.1:%u/silent?connect_timeout=60&sslmode=disable",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  recorder = sonde_recorder_new_for_uri (uri, NULL, NULL, "ws://127.0.0.1:9/feed", START_US);
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), &stopped);
  add_messages (recorder, &seq, 5);
  SONDE_TEST_ASSERT_WAIT (silent_accept (&silent), WAIT_MS);
  /* While the connect hangs: a timer on this thread fires, records are
   * taken, and nothing has begun or failed. */
  g_timeout_add_once (50, on_tick, &ticked);
  SONDE_TEST_ASSERT_WAIT (ticked, WAIT_MS);
  g_assert_cmpuint (sonde_recorder_get_queued_records (recorder), ==, 5);
  add_messages (recorder, &seq, 5);
  g_assert_cmpuint (sonde_recorder_get_queued_records (recorder), ==, 10);
  g_assert_true (sonde_recorder_get_recording (recorder));
  g_assert_cmpint (sonde_recorder_get_session_id (recorder), ==, 0);
  g_assert_null (stopped);

  /* The recording ends while the connect still hangs: it is over within
   * seconds all the same, saying what was not written. */
  sonde_recorder_end (recorder, START_US + 1, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  SONDE_TEST_ASSERT_WAIT (!sonde_recorder_get_recording (recorder), 15000);
  g_assert_nonnull (stopped);
  g_assert_error (stopped, SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (stopped->message, "did not answer"));
  g_assert_nonnull (strstr (stopped->message, "10 records were not written"));
  g_assert_false (sonde_recorder_wait_all (0));

  /* The listener goes: the connect fails, and the writer, let go of,
   * drops the last ref once done. */
  g_object_weak_ref (G_OBJECT (recorder), on_finalized, &finalized);
  g_clear_object (&recorder);
  g_socket_close (silent.accepted, NULL);
  g_socket_close (silent.listener, NULL);
  SONDE_TEST_ASSERT_WAIT (g_atomic_int_get (&finalized), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_wait_all (0), WAIT_MS);
  g_object_unref (silent.accepted);
  g_object_unref (silent.listener);
}

int
main (int    argc,
      char **argv)
{
  int status;

  sonde_test_init (&argc, &argv);
  server = sonde_test_postgres_start_or_skip ();
  if (server == NULL)
    return 0;

  g_test_add_func ("/recorder-postgres/server-late", test_server_late);
  g_test_add_func ("/recorder-postgres/auth-failed", test_auth_failed);
  g_test_add_func ("/recorder-postgres/never-answers", test_never_answers);
  g_test_add_func ("/recorder-postgres/main-thread-free", test_main_thread_free);
  status = g_test_run ();
  sonde_test_postgres_free (server);
  return status;
}
