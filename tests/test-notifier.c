/* test-notifier.c: alerts about a connection, with a cool-down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Messages go straight into the log of a connection (the notifier watches
 * the log, as the window does); drops come from a real in-process server
 * that closes the socket under the connection.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sonde-demo-server.h"
#include "sonde-notifier.h"
#include "sonde-test-util.h"

#define WAIT_MS 15000

typedef struct {
  char    *title;
  char    *body;
  guint64  seq;
} Alert;

static void
alert_free (gpointer data)
{
  Alert *alert = data;

  g_free (alert->title);
  g_free (alert->body);
  g_free (alert);
}

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          GPtrArray     *alerts)
{
  Alert *alert = g_new0 (Alert, 1);

  alert->title = g_strdup (title);
  alert->body = g_strdup (body);
  alert->seq = seq;
  g_ptr_array_add (alerts, alert);
}

static guint64
receive (SondeConnection *connection,
         const char      *text)
{
  gint64 now = g_get_real_time ();

  return sonde_message_log_append (sonde_connection_get_log (connection), SONDE_DIRECTION_IN,
                                   SONDE_MESSAGE_KIND_TEXT, now, g_get_monotonic_time (), text, strlen (text));
}

static SondeNotifier *
notifier_with (SondeConnection *connection,
               const char      *rules_json,
               GPtrArray       *alerts)
{
  SondeNotifier *notifier = sonde_notifier_new (connection);
  g_autoptr(JsonNode) rules = json_from_string (rules_json, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (rules);
  g_assert_true (sonde_notifier_set_rules (notifier, rules, &error));
  g_assert_no_error (error);
  g_signal_connect (notifier, "alert", G_CALLBACK (on_alert), alerts);
  return notifier;
}

/* Text in a received message, ignoring ASCII case; sent messages and
 * events do not count; the alert points at the message. */
static void
test_match (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (alert_free);
  g_autoptr(SondeNotifier) notifier = notifier_with (connection, "{\"match\": [\"error\"], \"cooldown_s\": 0}",
                                                     alerts);
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint64 seq;
  const Alert *alert;

  receive (connection, "{\"level\": \"info\"}");
  sonde_message_log_append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, 0, 0, "ERROR out", 9);
  sonde_message_log_append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR, 0, 0, "{\"error\":\"x\"}", 13);
  g_assert_cmpuint (alerts->len, ==, 0);

  seq = receive (connection, "{\"level\": \"ERROR\", \"msg\": \"disk\\u0007 full\"}");
  g_assert_cmpuint (alerts->len, ==, 1);
  alert = g_ptr_array_index (alerts, 0);
  g_assert_cmpuint (alert->seq, ==, seq);
  g_assert_nonnull (strstr (alert->title, "“error”"));
  g_assert_nonnull (strstr (alert->body, "ERROR"));

  /* Several in one batch: one alert each (no cool-down here). */
  sonde_message_log_begin_batch (log);
  receive (connection, "Error 1");
  receive (connection, "fine");
  receive (connection, "error 2");
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (alerts->len, ==, 3);
  g_assert_nonnull (strstr (((Alert *) g_ptr_array_index (alerts, 2))->body, "error 2"));
}

/* A threshold alerts when the value crosses into the condition, not for
 * every message that satisfies it. */
static void
test_threshold (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (alert_free);
  g_autoptr(SondeNotifier) notifier =
    notifier_with (connection, "{\"thresholds\": [{\"path\": \"$.price\", \"op\": \">\", \"value\": 100}],"
                               " \"cooldown_s\": 0}", alerts);
  static const struct { const char *text; guint alerts; } steps[] = {
    { "{\"price\": 99}", 0 },
    { "{\"price\": 101.5}", 1 },     /* crosses */
    { "{\"price\": 150}", 1 },       /* still above: nothing */
    { "{\"other\": 1}", 1 },         /* no value: nothing, and no change */
    { "{\"price\": 200}", 1 },
    { "{\"price\": 100}", 1 },       /* back below (> is strict) */
    { "{\"price\": \"120\"}", 2 },   /* a numeric string counts */
  };
  const Alert *alert;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      receive (connection, steps[i].text);
      if (alerts->len != steps[i].alerts)
        g_error ("step %u (%s): %u alerts, not %u", i, steps[i].text, alerts->len, steps[i].alerts);
    }
  alert = g_ptr_array_index (alerts, 0);
  g_assert_cmpstr (alert->title, ==, "$.price > 100");
  g_assert_nonnull (strstr (alert->body, "101.5"));

  /* The first value already above alerts too. */
  {
    g_autoptr(SondeConnection) other = sonde_connection_new ();
    g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func (alert_free);
    g_autoptr(SondeNotifier) below =
      notifier_with (other, "{\"thresholds\": [{\"path\": \"$.t\", \"op\": \"<=\", \"value\": -5}]}", more);

    receive (other, "{\"t\": -7}");
    g_assert_cmpuint (more->len, ==, 1);
  }
}

static gboolean
past (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* A flood is one alert per cool-down; what it held back is counted and
 * told with the next alert. */
static void
test_cooldown (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (alert_free);
  g_autoptr(SondeNotifier) notifier = notifier_with (connection, "{\"match\": [\"alarm\"], \"cooldown_s\": 1}",
                                                     alerts);
  gint64 after_cooldown;

  after_cooldown = g_get_monotonic_time () + G_USEC_PER_SEC + G_USEC_PER_SEC / 10;
  for (guint i = 0; i < 1000; i++)
    receive (connection, "ALARM");
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpuint (sonde_notifier_get_n_held (notifier), ==, 999);

  /* The cool-down is time itself: wait it out on the main loop. */
  g_assert_true (sonde_test_wait_for (past, &after_cooldown, WAIT_MS));
  receive (connection, "alarm again");
  g_assert_cmpuint (alerts->len, ==, 2);
  g_assert_nonnull (strstr (((Alert *) g_ptr_array_index (alerts, 1))->body, "999 more"));
}

/* Rules as JSON: all or nothing, a specific error, and back out as they
 * went in. */
static void
test_rules_json (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeNotifier) notifier = sonde_notifier_new (connection);
  g_autoptr(JsonNode) good = json_from_string ("{\"cooldown_s\": 30, \"drops\": true, \"match\": [\"ERROR\", \"halt\"],"
                                               " \"thresholds\": [{\"path\": \"$.a.b[0]\", \"op\": \"<=\", \"value\": 2.5}]}",
                                               NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *text = NULL;
  static const struct { const char *json; const char *says; } bad[] = {
    { "[1]", "must be a JSON object" },
    { "{\"match\": [\"x\", 3]}", "Notification text 2 is not a string" },
    { "{\"match\": [\"\"]}", "Give the text" },
    { "{\"match\": \"x\"}", "Notification text 1" },
    { "{\"thresholds\": [{\"path\": \"$.p\", \"op\": \"!=\", \"value\": 1}]}", "not a comparison" },
    { "{\"thresholds\": [{\"path\": \"$.p[\", \"op\": \">\", \"value\": 1}]}", "Notification threshold 1" },
    { "{\"thresholds\": [{\"path\": \"$.p\", \"op\": \">\"}]}", "needs a path, a comparison and a number" },
    { "{\"thresholds\": [{\"path\": \"$.p\", \"op\": \">\", \"value\": \"1\"}]}", "needs a path" },
    { "{\"cooldown_s\": -1}", "cool-down" },
    { "{\"cooldown_s\": 1.5}", "cool-down" },
    { "{\"drops\": \"yes\"}", "true or false" },
  };

  g_assert_true (sonde_notifier_set_rules (notifier, good, NULL));
  g_assert_cmpuint (sonde_notifier_get_n_rules (notifier), ==, 4);
  back = sonde_notifier_dup_rules (notifier);
  text = json_to_string (back, FALSE);
  g_assert_cmpstr (text, ==, "{\"cooldown_s\":30,\"drops\":true,\"match\":[\"ERROR\",\"halt\"],"
                             "\"thresholds\":[{\"path\":\"$.a.b[0]\",\"op\":\"<=\",\"value\":2.5}]}");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (bad[i].json, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) check_error = NULL;

      g_assert_nonnull (node);
      g_assert_false (sonde_notifier_set_rules (notifier, node, &error));
      if (error == NULL || strstr (error->message, bad[i].says) == NULL)
        g_error ("case %u (%s): %s", i, bad[i].json, error ? error->message : "no error");
      g_assert_false (sonde_notifier_check_rules (node, &check_error));
      g_assert_cmpstr (check_error->message, ==, error->message);
      /* Nothing changed. */
      g_assert_cmpuint (sonde_notifier_get_n_rules (notifier), ==, 4);
    }

  g_assert_true (sonde_notifier_check_rules (NULL, NULL));
  g_assert_true (sonde_notifier_set_rules (notifier, NULL, NULL));
  g_assert_cmpuint (sonde_notifier_get_n_rules (notifier), ==, 0);
}

/* A server that takes the connection, then closes the socket under it. */
static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  guint *n = data;

  (*n)++;
  soup_websocket_connection_send_text (ws, "bye");
  g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL, NULL);
}

/* The connection drops: one alert, saying how; a reconnect given up: one
 * more, saying why; a close of our own: none. */
static void
test_drops (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (alert_free);
  g_autoptr(SondeNotifier) notifier = notifier_with (connection, "{\"drops\": true, \"cooldown_s\": 0}", alerts);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeReconnectPolicy policy = { TRUE, 50, 100, 1, 60000 };
  guint n_connections = 0;
  GSList *uris;

  soup_server_add_websocket_handler (server, "/drop", NULL, NULL, on_websocket, &n_connections, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("ws://127.0.0.1:%u/drop", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  sonde_connection_set_url (connection, url);
  sonde_connection_set_reconnect (connection, &policy);
  g_assert_true (sonde_connection_connect (connection, &error));
  g_assert_no_error (error);

  /* Drop, one retry (opens, drops again), then given up. */
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_FAILED, WAIT_MS);
  g_assert_cmpuint (n_connections, ==, 2);
  for (guint i = 0; i < alerts->len; i++)
    g_test_message ("alert %u: %s — %s", i, ((Alert *) g_ptr_array_index (alerts, i))->title,
                    ((Alert *) g_ptr_array_index (alerts, i))->body);
  g_assert_cmpuint (alerts->len, >=, 2);
  g_assert_cmpstr (((Alert *) g_ptr_array_index (alerts, 0))->title, ==, "The connection dropped");
  g_assert_nonnull (strstr (((Alert *) g_ptr_array_index (alerts, 0))->body, "1006"));
  g_assert_cmpstr (((Alert *) g_ptr_array_index (alerts, alerts->len - 1))->title, ==, "Reconnecting failed");
  g_assert_nonnull (strstr (((Alert *) g_ptr_array_index (alerts, alerts->len - 1))->body, "Gave up after 1 attempt"));

  soup_server_disconnect (server);
}

/* Closing on purpose, or the server closing cleanly, is not a drop. */
static void
test_clean_close_is_quiet (void)
{
  g_autoptr(SondeDemoServer) demo = sonde_demo_server_new ();
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (alert_free);
  g_autoptr(SondeNotifier) notifier = notifier_with (connection, "{\"drops\": true, \"cooldown_s\": 0}", alerts);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_assert_true (sonde_demo_server_start (demo, 0, &error));
  g_assert_no_error (error);
  url = sonde_demo_server_dup_url (demo, "/echo");
  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_true (sonde_connection_close (connection, 1000, NULL, &error));
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_assert_cmpuint (alerts->len, ==, 0);
  sonde_demo_server_stop (demo);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/notifier/match", test_match);
  g_test_add_func ("/notifier/threshold", test_threshold);
  g_test_add_func ("/notifier/cooldown", test_cooldown);
  g_test_add_func ("/notifier/rules-json", test_rules_json);
  g_test_add_func ("/notifier/drops", test_drops);
  g_test_add_func ("/notifier/clean-close-is-quiet", test_clean_close_is_quiet);

  return g_test_run ();
}
