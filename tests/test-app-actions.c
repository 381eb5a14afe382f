/* test-app-actions.c: what a protocol action carries beside its text
 * argument (SondeAppAction, sonde_session_app_act_full()), against the real
 * servers the mode tests use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MQTT (aedes, tests/servers/mqtt-peer.js): a publish with QoS 1 and
 * retain is acknowledged by the broker (PUBACK), and a second session that
 * subscribes afterwards (with QoS 1, which the broker reports) gets it as
 * retained. STOMP (stomp-broker-js, tests/servers/stomp-peer.js): a SEND
 * with headers of the user's reaches another session's subscription with
 * them; a subscription's own header goes with its SUBSCRIBE. GraphQL
 * (graphql-js through graphql-ws, tests/servers/graphql-peer.js): a
 * subscription with variables and an operation name streams data that
 * depends on the variables, from the operation named. Every mode refuses a
 * header that is not name:value on one line, a QoS it does not speak,
 * variables that are not a JSON object; the text-only
 * sonde_session_app_act() still works beside them.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-session.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS

/* How many of @session's records of @direction have a view containing
 * @needle. */
static guint
count_lines (SondeSession   *session,
             SondeDirection  direction,
             const char     *needle)
{
  g_autoptr(GPtrArray) lines = sonde_test_app_describe (session, direction, 0);
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    if (strstr (lines->pdata[i], needle) != NULL)
      n++;
  if (g_getenv ("SONDE_TEST_DEBUG") != NULL)
    for (guint i = 0; i < lines->len; i++)
      g_printerr ("%s\n", (char *) lines->pdata[i]);
  return n;
}

static SondeSession *
new_session (SondeAppProtocolKind  kind,
             const char           *subscription,
             guint                 keepalive_s)
{
  SondeSession *session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  const char *subscriptions[] = { subscription, NULL };

  if (subscription != NULL)
    options->subscriptions = g_strdupv ((char **) subscriptions);
  options->keepalive_s = keepalive_s;
  sonde_session_set_app_protocol (session, kind, options);
  return session;
}

static void
assert_refused (SondeSession         *session,
                const SondeAppAction *action,
                const char           *message_part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sonde_session_app_act_full (session, action, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, message_part);
}

/* A QoS 1 retained publish: acknowledged, and kept for a later subscriber. */
static void
test_mqtt_qos1_retained (void)
{
  g_autoptr(SondeTestPeer) peer = sonde_test_app_start_peer ("mqtt-peer.js", 0, NULL);
  g_autoptr(SondeSession) publisher = NULL;
  g_autoptr(SondeSession) subscriber = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SondeAppAction publish = SONDE_APP_ACTION_INIT ("publish", "forms/retained {\"price\":42.5}");
  SondeAppAction subscribe = SONDE_APP_ACTION_INIT ("subscribe", "forms/#");
  SondeAppAction bad = SONDE_APP_ACTION_INIT ("publish", "forms/x 1");

  if (peer == NULL)
    return;
  publisher = new_session (SONDE_APP_PROTOCOL_MQTT, NULL, 5);
  sonde_test_app_connect (publisher, peer, "/");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (publisher, SONDE_DIRECTION_IN, "CONNACK", FALSE) == 1, WAIT_MS);

  publish.qos = 1;
  publish.retain = TRUE;
  g_assert_true (sonde_session_app_act_full (publisher, &publish, &error));
  g_assert_no_error (error);
  /* The packet says QoS 1, retain and its id; the broker acknowledges it. */
  SONDE_TEST_ASSERT_WAIT (count_lines (publisher, SONDE_DIRECTION_OUT,
                                       "{\"type\":\"publish\",\"topic\":\"forms/retained\",\"qos\":1,"
                                       "\"retain\":true,\"id\":") == 1, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (count_lines (publisher, SONDE_DIRECTION_IN, "{\"type\":\"puback\",\"id\":") == 1, WAIT_MS);

  /* Subscribed afterwards, with QoS 1: the broker gives the retained one. */
  subscriber = new_session (SONDE_APP_PROTOCOL_MQTT, NULL, 5);
  sonde_test_app_connect (subscriber, peer, "/");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (subscriber, SONDE_DIRECTION_IN, "CONNACK", FALSE) == 1, WAIT_MS);
  subscribe.qos = 1;
  g_assert_true (sonde_session_app_act_full (subscriber, &subscribe, &error));
  g_assert_no_error (error);
  line = sonde_test_app_read_line (peer, "SUBSCRIBE forms/");
  g_assert_cmpstr (line, ==, "SUBSCRIBE forms/# 1");
  SONDE_TEST_ASSERT_WAIT (count_lines (subscriber, SONDE_DIRECTION_IN,
                                       "\"topic\":\"forms/retained\",\"qos\":1,\"retain\":true,") == 1, WAIT_MS);
  g_assert_cmpuint (count_lines (subscriber, SONDE_DIRECTION_IN, "\"payload\":{\"price\":42.5}"), ==, 1);
  /* Acknowledged by Sonde in turn. */
  SONDE_TEST_ASSERT_WAIT (count_lines (subscriber, SONDE_DIRECTION_OUT, "{\"type\":\"puback\",\"id\":") == 1, WAIT_MS);

  /* A plain publish is QoS 0, not retained, as before. */
  g_assert_true (sonde_session_app_act (publisher, "publish", "forms/plain {\"price\":1}", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_lines (subscriber, SONDE_DIRECTION_IN,
                                       "\"topic\":\"forms/plain\",\"qos\":0,\"retain\":false,") == 1, WAIT_MS);

  bad.qos = 2;
  assert_refused (publisher, &bad, "QoS 2");

  sonde_session_disconnect (publisher);
  sonde_session_disconnect (subscriber);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* Headers of the user's: on a SEND, seen by another session's
 * subscription; on a SUBSCRIBE. Bad ones are refused by name. */
static void
test_stomp_headers (void)
{
  const char *args[] = { "--heartbeat", "1000", NULL };
  g_autoptr(SondeTestPeer) peer = sonde_test_app_start_peer ("stomp-peer.js", 0, args);
  g_autoptr(SondeSession) receiver = NULL;
  g_autoptr(SondeSession) sender = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *subscribe_headers[] = { "x-form: subscribe", NULL };
  const char *send_headers[] = { "x-trace: abc-123", "priority:9", NULL };
  const char *no_colon[] = { "x-trace abc", NULL };
  const char *line_break[] = { "x-a:b\nc:d", NULL };
  const char *own[] = { "destination:/queue/elsewhere", NULL };
  SondeAppAction subscribe = SONDE_APP_ACTION_INIT ("subscribe", "/queue/forms");
  SondeAppAction send = SONDE_APP_ACTION_INIT ("send", "/queue/forms {\"price\":7.25}");

  if (peer == NULL)
    return;
  receiver = new_session (SONDE_APP_PROTOCOL_STOMP, NULL, 1);
  sender = new_session (SONDE_APP_PROTOCOL_STOMP, NULL, 1);
  sonde_test_app_connect (receiver, peer, "/stomp");
  sonde_test_app_connect (sender, peer, "/stomp");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (receiver, SONDE_DIRECTION_IN, "CONNECTED", FALSE) == 1, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (sender, SONDE_DIRECTION_IN, "CONNECTED", FALSE) == 1, WAIT_MS);

  subscribe.headers = subscribe_headers;
  g_assert_true (sonde_session_app_act_full (receiver, &subscribe, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_lines (receiver, SONDE_DIRECTION_OUT, "\"destination\":\"/queue/forms\","
                                       "\"x-form\":\"subscribe\",\"ack\":\"auto\"") == 1, WAIT_MS);
  line = sonde_test_app_read_line (peer, "SUBSCRIBE ");
  g_assert_cmpstr (line, ==, "SUBSCRIBE /queue/forms");

  send.headers = send_headers;
  g_assert_true (sonde_session_app_act_full (sender, &send, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_lines (receiver, SONDE_DIRECTION_IN, "{\"command\":\"MESSAGE\"") == 1, WAIT_MS);
  g_assert_cmpuint (count_lines (receiver, SONDE_DIRECTION_IN, "\"x-trace\":\"abc-123\""), ==, 1);
  g_assert_cmpuint (count_lines (receiver, SONDE_DIRECTION_IN, "\"priority\":\"9\""), ==, 1);
  g_assert_cmpuint (count_lines (receiver, SONDE_DIRECTION_IN, "\"body\":{\"price\":7.25}"), ==, 1);

  send.headers = no_colon;
  assert_refused (sender, &send, "“x-trace abc”");
  send.headers = line_break;
  assert_refused (sender, &send, "“x-a:b\\nc:d”");
  send.headers = own;
  assert_refused (sender, &send, "“destination”");
  /* The text-only action still works. */
  g_assert_true (sonde_session_app_act (sender, "send", "/queue/forms {\"price\":8}", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_lines (receiver, SONDE_DIRECTION_IN, "\"body\":{\"price\":8}") == 1, WAIT_MS);

  sonde_session_disconnect (receiver);
  sonde_session_disconnect (sender);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* Variables and the operation name go with the query: the server streams
 * what the variables ask for, from the operation named. */
static void
test_graphql_variables (void)
{
  g_autoptr(SondeTestPeer) peer = sonde_test_app_start_peer ("graphql-peer.js", 0, NULL);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(SondeJsonPath) price_path = sonde_json_path_new ("$.payload.data.ticks.price", NULL);
  g_autoptr(SondeJsonPath) seq_path = sonde_json_path_new ("$.payload.data.ticks.seq", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  SondeAppAction subscribe = SONDE_APP_ACTION_INIT ("subscribe",
    "subscription Other { ticks(count: 1) { seq } }\n"
    "subscription Ticks($base: Float, $step: Float) { ticks(count: 3, intervalMs: 20, base: $base, step: $step) "
    "{ price seq } }");
  guint n = 0;

  if (peer == NULL)
    return;
  session = new_session (SONDE_APP_PROTOCOL_GRAPHQL, NULL, 0);
  sonde_test_app_connect (session, peer, "/graphql");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "connection_ack", FALSE) == 1,
                          WAIT_MS);

  subscribe.variables = "{\"base\": 500, \"step\": 2}";
  subscribe.operation_name = "Ticks";
  g_assert_true (sonde_session_app_act_full (session, &subscribe, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_lines (session, SONDE_DIRECTION_OUT, ",\"variables\":{\"base\": 500, \"step\": 2},"
                                       "\"operationName\":\"Ticks\"}}") == 1, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "Ticks · complete", FALSE) == 1,
                          WAIT_MS);

  /* Three results, priced as the variables say. */
  lines = sonde_test_app_describe (session, SONDE_DIRECTION_IN, 0);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];
      const char *json;
      double price = 0, seq = -1;

      if (!g_str_has_prefix (line, "decoded Ticks {"))
        continue;
      json = strchr (line, '{');
      g_assert_true (sonde_json_path_get_number (price_path, json, strlen (json), &price));
      g_assert_true (sonde_json_path_get_number (seq_path, json, strlen (json), &seq));
      g_assert_cmpfloat_with_epsilon (price, 500 + 2 * seq, 1e-9);
      g_assert_cmpfloat (seq, ==, n);
      n++;
    }
  g_assert_cmpuint (n, ==, 3);

  subscribe.variables = "[500]";
  assert_refused (session, &subscribe, "not a JSON object");
  subscribe.variables = "{\"base\": ";
  assert_refused (session, &subscribe, "not a JSON object");

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/app-actions/mqtt-qos1-retained", test_mqtt_qos1_retained);
  g_test_add_func ("/app-actions/stomp-headers", test_stomp_headers);
  g_test_add_func ("/app-actions/graphql-variables", test_graphql_variables);
  return sonde_test_app_run ();
}
