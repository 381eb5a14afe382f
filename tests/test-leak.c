/* test-leak.c: a canary secret, from the keyring to the wire and back,
 * found nowhere outside the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A profile's secret is stored through SondeSecrets and looked up again,
 * then used as a bearer token, an API key header and an API key in the
 * URL. The server hears it, copies it into what it sends back, drops the
 * connection, refuses the next attempt with a close, and takes the third;
 * a second connection is refused with 401. Then everything that leaves a
 * connection is collected: the log's exports, the profile export and the
 * profile file, every file under the config, data and cache dirs, every
 * log message of any level (debug included), the errors, the handshake
 * record, the recordings (a session of each profile records the same run,
 * once with secrets shown in the window), and sonde-cli's output for the
 * same run. The canary must be in
 * none of it, while the server must have received it (else the test
 * proves nothing).
 *
 * The keyring here is SondeSecrets' in-memory backend: test-secrets covers
 * the real gnome-keyring; this test is about what comes out of Sonde.
 */

/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sonde-log-export.h"
#include "sonde-profile-store.h"
#include "sonde-recordings.h"
#include "sonde-secrets.h"
#include "sonde-session.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000
#define CANARY  "CANARY-l34k-7f1d2c"

typedef struct {
  SoupServer *server;
  guint16     port;
  guint       n_connections;
  guint       n_heard;          /* requests that carried the canary */
  GPtrArray  *peers;            /* SoupWebsocketConnection, kept open */
} Server;

/* Everything logged, of every level, from the start. */
static GString *logged;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE") || g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        {
          if (fields[i].length < 0)
            g_string_append (logged, fields[i].value);
          else
            g_string_append_len (logged, fields[i].value, fields[i].length);
          g_string_append_c (logged, ' ');
        }
    }
  g_string_append_c (logged, '\n');

  if ((level & G_LOG_LEVEL_DEBUG) != 0 || (level & G_LOG_LEVEL_INFO) != 0)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
request_has_canary (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  if (g_uri_get_query (uri) != NULL && strstr (g_uri_get_query (uri), CANARY) != NULL)
    return TRUE;
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (strstr (value, CANARY) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* First connection: the secret sent back, then a drop. Second: refused
 * with a close. Third and later: the secret sent back, and kept open. */
static void
on_websocket (SoupServer              *soup_server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  Server *server = data;
  guint n = ++server->n_connections;
  g_autofree char *echo = NULL;

  if (request_has_canary (msg))
    server->n_heard++;

  echo = g_strdup_printf ("{\"you_sent\": \"%s\", \"see\": \"wss://h/?token=" CANARY "\"}", CANARY);
  g_ptr_array_add (server->peers, g_object_ref (ws));

  if (n == 2)
    {
      soup_websocket_connection_close (ws, 1013, "try again later");
      return;
    }

  soup_websocket_connection_send_text (ws, echo);
  if (n == 1)
    g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL, NULL);
}

static void
on_http (SoupServer        *soup_server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Server *server = data;

  if (request_has_canary (msg))
    server->n_heard++;
  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
                               "WWW-Authenticate", "Bearer realm=\"feed\"");
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "no", 2);
}

static void
server_start (Server *server)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  server->peers = g_ptr_array_new_with_free_func (g_object_unref);
  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, NULL, on_http, server, NULL);
  soup_server_add_websocket_handler (server->server, "/feed", NULL, NULL, on_websocket, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->server);
  server->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
server_stop (Server *server)
{
  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_clear_pointer (&server->peers, g_ptr_array_unref);
}

typedef struct {
  gboolean  done;
  char     *secret;
  GError   *error;
} SecretResult;

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  SecretResult *secret = data;

  sonde_secrets_store_finish (SONDE_SECRETS (source), result, &secret->error);
  secret->done = TRUE;
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SecretResult *secret = data;

  secret->secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, &secret->error);
  secret->done = TRUE;
}

/* The canary into the keyring and out again, as the window does. */
static char *
secret_round_trip (SondeSecrets *secrets,
                   SondeProfile *profile)
{
  SecretResult stored = { 0 };
  SecretResult found = { 0 };

  sonde_secrets_store_async (secrets, sonde_profile_get_id (profile), sonde_profile_get_name (profile),
                             CANARY, NULL, on_stored, &stored);
  SONDE_TEST_ASSERT_WAIT (stored.done, WAIT_MS);
  g_assert_no_error (stored.error);

  sonde_secrets_lookup_async (secrets, sonde_profile_get_id (profile), NULL, on_looked_up, &found);
  SONDE_TEST_ASSERT_WAIT (found.done, WAIT_MS);
  g_assert_no_error (found.error);
  g_assert_cmpstr (found.secret, ==, CANARY);
  return found.secret;
}

static guint
count_kind (SondeConnection  *connection,
            SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.kind == kind)
        n++;
    }
  return n;
}

static gboolean
log_holds_canary (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) &&
          g_strstr_len ((const char *) record.data, (gssize) record.stored_size, CANARY) != NULL)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  gboolean done;
  GError  *error;
} Done;

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Done *done = data;

  sonde_log_export_finish (SONDE_MESSAGE_LOG (source), result, NULL, NULL, &done->error);
  done->done = TRUE;
}

static void
export_log (SondeConnection *connection,
            const char      *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  Done done = { 0 };

  sonde_log_export_async (sonde_connection_get_log (connection), sonde_connection_get_redactor (connection),
                          file, NULL, on_exported, &done);
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_no_error (done.error);
}

static void
assert_no_canary_in (const char *what,
                     const char *text,
                     gssize      length)
{
  gsize size;

  if (text == NULL)
    return;
  /* Byte by byte: a database file has NUL bytes before what it holds. */
  size = length < 0 ? strlen (text) : (gsize) length;
  if (memmem (text, size, CANARY, strlen (CANARY)) != NULL)
    g_error ("the canary is in %s", what);
}

/* Every file under @dir, any depth. */
static void
assert_no_canary_under (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_no_canary_under (path);
      else if (g_file_get_contents (path, &contents, &length, NULL))
        assert_no_canary_in (path, contents, (gssize) length);
    }
}

static void
assert_connection_clean (SondeConnection *connection,
                         const char      *export_path)
{
  SondeHandshake *handshake = sonde_connection_get_handshake (connection);
  g_autofree char *exported = NULL;
  gsize length;

  export_log (connection, export_path);
  g_assert_true (g_file_get_contents (export_path, &exported, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  assert_no_canary_in (export_path, exported, (gssize) length);

  /* sonde_connection_get_url() is what it connects to: an API key in the
   * query is in it, and is masked wherever it is shown. */
  if (sonde_connection_get_error (connection) != NULL)
    assert_no_canary_in ("the connection's error", sonde_connection_get_error (connection)->message, -1);
  g_assert_nonnull (handshake);
  assert_no_canary_in ("the handshake's URL", sonde_handshake_get_url (handshake), -1);
  assert_no_canary_in ("the request line", sonde_handshake_get_request_line (handshake), -1);
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name;
      const char *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      assert_no_canary_in (name, value, -1);
    }
}

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  int       status;
} CliRun;

static void
on_cli_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  CliRun *run = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* A session of @profile through the same drop, refusal and reconnect,
 * recorded into the user's recordings; with @show_secrets the window shows
 * the secret, and the recording must still not hold it. */
static void
record_session (Server       *server,
                SondeProfile *profile,
                const char   *secret,
                gboolean      show_secrets)
{
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autofree char *dir = sonde_recordings_default_dir ();
  g_autofree char *path = sonde_recordings_path (dir, sonde_profile_get_id (profile));
  SondeConnection *connection = sonde_session_get_connection (session);

  server->n_connections = 0;
  sonde_session_set_secret (session, secret);
  sonde_session_set_show_secrets (session, show_secrets);
  sonde_session_set_recordings_dir (session, dir);
  sonde_session_connect_async (session, NULL, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (server->n_connections == 3 &&
                          sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN &&
                          count_kind (connection, SONDE_MESSAGE_KIND_TEXT) >= 2, WAIT_MS);
  g_assert_true (log_holds_canary (connection));
  g_assert_true (sonde_session_get_recording (session));
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session) && !sonde_session_get_recording (session), WAIT_MS);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* sonde-cli through the same drop, refusal and reconnect, with the canary
 * in a header and in the URL, debug output on. */
static void
check_cli (Server *server)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/feed?token=" CANARY, server->port);
  guint heard_before = server->n_heard;
  CliRun run = { 0 };

  server->n_connections = 0;
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SONDE_CLI"), "connect", url,
                                         "--header", "Authorization: Bearer " CANARY,
                                         "--reconnect", "--backoff-cap", "0.2", "--count", "2",
                                         "--timeout", "15", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_cli_done, &run);
  SONDE_TEST_ASSERT_WAIT (run.done, WAIT_MS);

  g_test_message ("sonde-cli exited with %d after %u connections", run.status, server->n_connections);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (server->n_connections, ==, 3);
  g_assert_cmpuint (server->n_heard, ==, heard_before + 3);
  /* It went through the drop and the refusal. */
  g_assert_nonnull (strstr (run.out, "\"kind\":\"reconnect\""));
  g_assert_nonnull (strstr (run.out, "\"kind\":\"gap\""));
  g_assert_nonnull (strstr (run.out, "you_sent"));
  assert_no_canary_in ("sonde-cli's output", run.out, -1);
  assert_no_canary_in ("sonde-cli's error output", run.err, -1);
  g_free (run.out);
  g_free (run.err);
}

static void
test_canary (void)
{
  static const SondeAuthKind kinds[] = { SONDE_AUTH_BEARER, SONDE_AUTH_API_KEY_HEADER, SONDE_AUTH_API_KEY_QUERY };
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *export_dir = g_build_filename (g_get_user_cache_dir (), "exports", NULL);
  g_autofree char *profiles_export = NULL;
  Server server = { 0 };

  g_mkdir_with_parents (export_dir, 0700);
  server_start (&server);
  g_assert_true (sonde_profile_store_load (store, NULL));

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/feed?room=1", server.port);
      g_autofree char *refused_url = g_strdup_printf ("ws://127.0.0.1:%u/private", server.port);
      g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (url);
      g_autoptr(SondeProfile) refused = NULL;
      g_autoptr(SondeConnection) connection = sonde_connection_new ();
      g_autoptr(SondeConnection) refused_connection = sonde_connection_new ();
      g_autofree char *secret = NULL;
      g_autofree char *path = NULL;
      SondeReconnectPolicy policy = { .enabled = TRUE, .base_ms = 100, .cap_ms = 200, .min_uptime_ms = 10000 };
      guint heard_before = server.n_heard;

      g_test_message ("auth kind %d", kinds[k]);
      server.n_connections = 0;
      sonde_profile_set_name (profile, "leak check");
      sonde_profile_set_auth_kind (profile, kinds[k]);
      sonde_profile_set_auth_key_name (profile, "X-Feed-Key");
      sonde_profile_set_reconnect (profile, &policy);
      sonde_profile_store_add (store, profile);
      secret = secret_round_trip (secrets, profile);

      /* Connects, drops, is refused, reconnects. */
      g_assert_true (sonde_profile_configure_connection (profile, connection, secret, &error));
      g_assert_no_error (error);
      g_assert_true (sonde_connection_connect (connection, &error));
      g_assert_no_error (error);
      SONDE_TEST_ASSERT_WAIT (server.n_connections == 3 &&
                              sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN &&
                              count_kind (connection, SONDE_MESSAGE_KIND_TEXT) >= 2, WAIT_MS);
      g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_GAP), >=, 1);
      g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_RECONNECT), >=, 2);
      /* The secret was on the wire, and came back in the messages. */
      g_assert_cmpuint (server.n_heard, ==, heard_before + 3);
      g_assert_true (log_holds_canary (connection));

      path = g_strdup_printf ("%s/log-%u.jsonl", export_dir, k);
      assert_connection_clean (connection, path);
      g_assert_true (sonde_connection_close (connection, 1000, NULL, &error));
      g_assert_no_error (error);
      SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);

      /* Fails: 401, and no retry. */
      refused = sonde_profile_duplicate (profile);
      sonde_profile_set_url (refused, refused_url);
      g_assert_true (sonde_profile_configure_connection (refused, refused_connection, secret, &error));
      g_assert_no_error (error);
      g_assert_true (sonde_connection_connect (refused_connection, &error));
      g_assert_no_error (error);
      SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (refused_connection) == SONDE_CONNECTION_STATE_FAILED,
                              WAIT_MS);
      g_assert_nonnull (strstr (sonde_connection_get_error (refused_connection)->message, "401"));
      g_free (path);
      path = g_strdup_printf ("%s/refused-%u.jsonl", export_dir, k);
      assert_connection_clean (refused_connection, path);

      record_session (&server, profile, secret, FALSE);
      record_session (&server, profile, secret, TRUE);
    }

  check_cli (&server);

  /* The profile file, written and flushed, and an export of them all. */
  g_assert_true (sonde_profile_store_flush (store, &error));
  g_assert_no_error (error);
  profiles_export = sonde_profile_store_export (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (profiles_export, "leak check"));
  assert_no_canary_in ("the profile export", profiles_export, -1);

  assert_no_canary_under (g_get_user_config_dir ());
  assert_no_canary_under (g_get_user_data_dir ());
  assert_no_canary_under (g_get_user_cache_dir ());

  /* Debug messages were written (this would prove nothing otherwise). */
  g_assert_nonnull (strstr (logged->str, "sonde-connection"));
  assert_no_canary_in ("a log message", logged->str, (gssize) logged->len);

  server_stop (&server);
}

int
main (int   argc,
      char *argv[])
{
  logged = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/leak/canary", test_canary);

  return g_test_run ();
}
