/* test-replay-server.c: SondeReplayServer seen by Sonde's own client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs on its own thread; the clients are SondeConnections on
 * the test's main context. (test-cli-serve.py plays to clients nobody here
 * wrote.)
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-connection.h"
#include "sonde-replay-server.h"
#include "sonde-serve-error.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

/* Ten received messages 100 ms apart (text, and binary with NULs every
 * third), a sent one between, and a close with 4002. */
static char *
write_session (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sonde-replay-server-XXXXXX", NULL);
  g_autoptr(GString) text = g_string_new (
    "{\"time\":\"2026-05-28T20:26:40.000000Z\",\"dir\":\"event\",\"kind\":\"connecting\",\"url\":\"ws://h/\"}\n"
    "{\"time\":\"2026-05-28T20:26:40.050000Z\",\"dir\":\"out\",\"kind\":\"text\",\"size\":3,\"text\":\"sub\"}\n");
  char *path = g_build_filename (dir, "session.jsonl", NULL);

  for (guint i = 0; i < 10; i++)
    {
      if (i % 3 == 2)
        g_string_append_printf (text, "{\"time\":\"2026-05-28T20:26:41.%06uZ\",\"dir\":\"in\",\"kind\":\"binary\","
                                "\"size\":3,\"base64\":\"AAEA\"}\n", i * 100000);
      else
        g_string_append_printf (text, "{\"time\":\"2026-05-28T20:26:41.%06uZ\",\"dir\":\"in\",\"kind\":\"text\","
                                "\"size\":2,\"text\":\"m%u\"}\n", i * 100000, i);
    }
  g_string_append (text, "{\"time\":\"2026-05-28T20:26:42.000000Z\",\"dir\":\"event\",\"kind\":\"close\","
                         "\"close_code\":4002,\"close_reason\":\"end\",\"meaning\":\"\",\"initiator\":\"peer\","
                         "\"clean\":true,\"requested\":false}\n");
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  return path;
}

static SondeReplaySource *
load_session (void)
{
  g_autofree char *path = write_session ();
  g_autoptr(GError) error = NULL;
  SondeReplaySource *source = sonde_replay_source_load (path, 0, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (sonde_replay_source_get_n_messages (source), ==, 10);
  return source;
}

static SondeConnection *
connect_to (SondeReplayServer *server,
            const char        *path)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *base = sonde_replay_server_dup_url (server);
  g_autofree char *url = g_strconcat (base, path + 1, NULL);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static guint
count_in (SondeConnection *connection)
{
  return sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT) +
         sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY);
}

/* The received messages of @connection's log, as "t:m0", "b:000100"… */
static char *
describe_in (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  g_autoptr(GString) out = g_string_new (NULL);
  SondeRecord record;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_IN)
        continue;
      if (record.kind == SONDE_MESSAGE_KIND_TEXT)
        g_string_append_printf (out, "t:%.*s ", (int) record.stored_size, record.data);
      else if (record.kind == SONDE_MESSAGE_KIND_BINARY)
        {
          g_string_append (out, "b:");
          for (gsize b = 0; b < record.stored_size; b++)
            g_string_append_printf (out, "%02x", record.data[b]);
          g_string_append_c (out, ' ');
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
on_finished (SondeReplayServer *server,
             guint             *count)
{
  (*count)++;
}

static void
test_replay (void)
{
  g_autoptr(SondeReplaySource) source = load_session ();
  SondeReplayServer *server = sonde_replay_server_new (source, NULL);
  g_autoptr(GError) error = NULL;
  SondeConnection *a;
  SondeConnection *b;
  g_autofree char *seen = NULL;
  guint finished = 0;
  gint64 started;
  gint64 elapsed;

  g_signal_connect (server, "finished", G_CALLBACK (on_finished), &finished);
  sonde_replay_server_set_speed (server, 2.0);
  g_assert_true (sonde_replay_server_start (server, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_replay_server_get_port (server), >, 0);

  started = g_get_monotonic_time ();
  a = connect_to (server, "/a");
  b = connect_to (server, "/some/other/path?x=1");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (a) && sonde_test_connection_is_final (b), WAIT_MS);
  elapsed = g_get_monotonic_time () - started;

  /* 0.9 s of recorded time at 2×: about 0.45 s. */
  g_assert_cmpint (elapsed, >=, 400000);
  g_assert_cmpint (elapsed, <, 3000000);
  seen = describe_in (a);
  g_assert_cmpstr (seen, ==, "t:m0 t:m1 b:000100 t:m3 t:m4 b:000100 t:m6 t:m7 b:000100 t:m9 ");
  g_clear_pointer (&seen, g_free);
  seen = describe_in (b);
  g_assert_cmpstr (seen, ==, "t:m0 t:m1 b:000100 t:m3 t:m4 b:000100 t:m6 t:m7 b:000100 t:m9 ");
  g_assert_cmpuint (sonde_connection_get_close_code (a), ==, 4002);
  g_assert_cmpstr (sonde_connection_get_close_reason (a), ==, "end");

  SONDE_TEST_ASSERT_WAIT (finished > 0, WAIT_MS);
  g_assert_cmpuint (sonde_replay_server_get_n_clients (server), ==, 0);

  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
  sonde_replay_server_stop (server);
  g_assert_finalize_object (server);
}

static void
test_loop_and_stop (void)
{
  g_autoptr(SondeReplaySource) source = load_session ();
  SondeReplayServer *server = sonde_replay_server_new (source, NULL);
  g_autoptr(GError) error = NULL;
  SondeConnection *connection;

  sonde_replay_server_set_speed (server, 0);
  sonde_replay_server_set_loop (server, TRUE);
  g_assert_true (sonde_replay_server_start (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  connection = connect_to (server, "/");
  /* Played over and over, as fast as the client reads. */
  SONDE_TEST_ASSERT_WAIT (count_in (connection) >= 35, WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_OPEN);
  g_assert_cmpuint (sonde_replay_server_get_n_clients (server), ==, 1);

  /* Stopping closes the client with 1001. */
  sonde_replay_server_stop (server);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 1001);
  g_assert_finalize_object (connection);
  g_assert_finalize_object (server);
}

static void
test_rules (void)
{
  static const char rules_text[] =
    "{\"on_open\": [\"hello\"],"
    " \"every\": [{\"name\": \"t\", \"interval_ms\": 20, \"paused\": true, \"send\": \"tick {{seq}}\"}],"
    " \"rules\": ["
    "   {\"match\": {\"json\": \"$.op == \\\"sub\\\"\"}, \"reply\": \"ack {{$.id}}\", \"start\": [\"t\", \"replay\"]},"
    "   {\"match\": {\"regex\": \"^halt$\"}, \"stop\": \"t\", \"reply\": {\"binary\": \"00 ff\"}}"
    " ]}";
  g_autoptr(SondeReplaySource) source = load_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeMockRules) rules = sonde_mock_rules_parse (rules_text, strlen (rules_text), &error);
  SondeReplayServer *server;
  SondeConnection *connection;
  g_autofree char *seen = NULL;
  guint ticks;

  g_assert_no_error (error);
  server = sonde_replay_server_new (source, rules);
  sonde_replay_server_set_speed (server, 0);
  g_assert_true (sonde_replay_server_start (server, NULL, 0, &error));
  g_assert_no_error (error);

  connection = connect_to (server, "/");
  SONDE_TEST_ASSERT_WAIT (count_in (connection) >= 1, WAIT_MS);
  /* Nothing but the greeting until a subscribe: the replay waits for it. */
  sonde_test_spin (200);
  seen = describe_in (connection);
  g_assert_cmpstr (seen, ==, "t:hello ");

  g_assert_true (sonde_connection_send_text (connection, "{\"op\":\"sub\",\"id\":7}", -1, &error));
  g_assert_no_error (error);
  /* The ack, the whole session (then the close) and ticks between. */
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_clear_pointer (&seen, g_free);
  seen = describe_in (connection);
  g_assert_true (g_str_has_prefix (seen, "t:hello t:ack 7 "));
  g_assert_nonnull (strstr (seen, "t:m9 "));
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 4002);
  g_assert_finalize_object (connection);

  /* A second client: its own replay, from the start, when it subscribes. */
  connection = connect_to (server, "/");
  SONDE_TEST_ASSERT_WAIT (count_in (connection) >= 1, WAIT_MS);
  g_assert_true (sonde_connection_send_text (connection, "{\"op\":\"sub\",\"id\":8}", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_finalize_object (connection);

  sonde_replay_server_stop (server);
  g_assert_finalize_object (server);

  /* Rules alone: ticks until halt, then the binary reply and silence. */
  server = sonde_replay_server_new (NULL, rules);
  g_assert_true (sonde_replay_server_start (server, NULL, 0, &error));
  connection = connect_to (server, "/");
  SONDE_TEST_ASSERT_WAIT (count_in (connection) >= 1, WAIT_MS);
  g_assert_true (sonde_connection_send_text (connection, "{\"op\":\"sub\",\"id\":9}", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (count_in (connection) >= 5, WAIT_MS);
  g_assert_true (sonde_connection_send_text (connection, "halt", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY) == 1,
                          WAIT_MS);
  ticks = count_in (connection);
  sonde_test_spin (200);
  g_assert_cmpuint (count_in (connection), ==, ticks);
  g_clear_pointer (&seen, g_free);
  seen = describe_in (connection);
  g_assert_true (g_str_has_prefix (seen, "t:hello t:ack 9 t:tick 1 t:tick 2 "));
  g_assert_true (g_str_has_suffix (seen, "b:00ff "));
  g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_finalize_object (connection);
  sonde_replay_server_stop (server);
  g_assert_finalize_object (server);
}

static void
test_listen_errors (void)
{
  g_autoptr(SondeReplaySource) source = load_session ();
  SondeReplayServer *first = sonde_replay_server_new (source, NULL);
  SondeReplayServer *second = sonde_replay_server_new (source, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_replay_server_start (first, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_false (sonde_replay_server_start (second, NULL, sonde_replay_server_get_port (first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  g_assert_false (sonde_replay_server_start (second, "not-an-address", 0, &error));
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_OPTION);

  sonde_replay_server_stop (first);
  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/replay-server/replay", test_replay);
  g_test_add_func ("/replay-server/loop-and-stop", test_loop_and_stop);
  g_test_add_func ("/replay-server/rules", test_rules);
  g_test_add_func ("/replay-server/listen-errors", test_listen_errors);

  return g_test_run ();
}
