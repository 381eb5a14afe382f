/* test-proto-mqtt.c: the MQTT mode against a real broker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/mqtt-peer.js runs aedes (npm), a broker nobody here wrote,
 * over WebSocket (it writes a packet in several messages: the header, the
 * topic, the payload), with a producer publishing ticks {"sym":"BTC",
 * "price":100.25 + 1.5 i,"seq":i} on ticks/btc. A session in the MQTT
 * mode with a 1 s keepalive connects, subscribes, stays up past several
 * keepalives (aedes drops a client silent for 1.5 keepalives), charts
 * $.payload.price, and after the broker restarts on the same port
 * reconnects, subscribes again and charts again. The same with MQTT 5
 * against Debian's mosquitto (tests/servers/mosquitto-peer.js, over a
 * WebSocket-to-TCP relay: its own websockets listener does not start
 * here), whose publisher's properties are shown. MQTT 5 is refused by
 * aedes: the refusal is reported with its reason code. A publish made
 * with act() comes back through the broker. tests/servers/proto-raw-peer.js
 * sends what brokers seldom do: packets several to a message, one across
 * three, and malformed ones (failed views that say why, never a crash).
 * sonde-cli connect --app-protocol mqtt --extract '$.payload.price'
 * --count 5 prints five consecutive prices.
 */

#include "config.h"

#include <string.h>

#include "sonde-series-feed.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS

typedef struct {
  const char *script;
  guint       version;
} Broker;

static const Broker aedes = { "mqtt-peer.js", 4 };
static const Broker mosquitto = { "mosquitto-peer.js", 5 };

static SondeTestPeer *
start_script (const char *script,
              guint16     port,
              guint       qos)
{
  g_autofree char *qos_text = g_strdup_printf ("%u", qos);
  const char *args[] = { qos > 0 ? "--qos" : NULL, qos_text, NULL };

  return sonde_test_app_start_peer (script, port, args);
}

static SondeTestPeer *
start_broker (guint16 port,
              guint   qos)
{
  return start_script (aedes.script, port, qos);
}

static SondeSession *
new_session (guint        version,
             guint        qos,
             const char  *client_id)
{
  SondeSession *session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  SondeReconnectPolicy policy = { TRUE, 50, 200, 0, 60000 };
  const char *subscriptions[] = { "ticks/#", NULL };

  options->subscriptions = g_strdupv ((char **) subscriptions);
  options->keepalive_s = 1;
  options->mqtt_version = version;
  options->qos = qos;
  options->client_id = g_strdup (client_id);
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_MQTT, options);
  sonde_connection_set_reconnect (sonde_session_get_connection (session), &policy);
  return session;
}

static void
test_broker (gconstpointer data)
{
  const Broker *broker = data;
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SondeSeries *series;
  guint16 port;
  guint points;
  g_autofree char *program = g_find_program_in_path ("mosquitto");

  if (broker == &mosquitto && program == NULL && !g_file_test ("/usr/sbin/mosquitto", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("mosquitto is not installed");
      return;
    }
  peer = start_script (broker->script, 0, 0);
  if (peer == NULL)
    return;
  port = sonde_test_peer_get_port (peer);
  session = new_session (broker->version, 0, "sonde-test-mqtt");
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.payload.price", NULL, NULL, 1000, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, peer, "/");

  /* aedes saw our client id and keepalive (it allows 1.5 of them). */
  if (broker == &aedes)
    {
      line = sonde_test_app_read_line (peer, "CLIENT ");
      g_assert_cmpstr (line, ==, "CLIENT sonde-test-mqtt 1501");
      g_clear_pointer (&line, g_free);
      line = sonde_test_app_read_line (peer, "SUBSCRIBE ");
      g_assert_cmpstr (line, ==, "SUBSCRIBE ticks/# 0");
      g_clear_pointer (&line, g_free);
    }
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "ticks/#", TRUE) == 1, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "CONNECT", TRUE), ==, 1);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "CONNACK", FALSE) == 1, WAIT_MS);

  /* Up past several keepalives: a PINGREQ each, a PINGRESP each, still the
   * first connection. */
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "PINGRESP", FALSE) >= 4, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "PINGREQ", TRUE), >=, 4);
  g_assert_cmpuint (sonde_test_app_count_events (session, SONDE_MESSAGE_KIND_OPEN), ==, 1);
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_OPEN);

  /* Ticks, charted from the publishes' payload. */
  sonde_test_app_assert_ticks (series, 10);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_IN, "ticks/btc", FALSE), >=, 10);
  if (broker->version == 5)
    {
      /* MQTT 5: the publisher's properties are shown. */
      g_autoptr(GPtrArray) lines = sonde_test_app_describe (session, SONDE_DIRECTION_IN, 0);
      guint with_properties = 0;

      for (guint i = 0; i < lines->len; i++)
        if (strstr (lines->pdata[i], "\"properties\":{\"content_type\":\"application/json\","
                                     "\"user_properties\":{\"sonde\":\"test\"}},\"payload\":{\"sym\"") != NULL)
          with_properties++;
      g_assert_cmpuint (with_properties, >=, 10);
    }

  /* The broker restarts on the same port: the session reconnects,
   * subscribes again and charts again. */
  sonde_test_app_drop_peer (&peer, session);
  points = sonde_series_get_n_points (series);
  peer = start_script (broker->script, port, 0);
  g_assert_nonnull (peer);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_events (session, SONDE_MESSAGE_KIND_OPEN) == 2, WAIT_MS);
  if (broker == &aedes)
    {
      line = sonde_test_app_read_line (peer, "SUBSCRIBE ");
      g_assert_cmpstr (line, ==, "SUBSCRIBE ticks/# 0");
    }
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (series) >= points + 5, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "CONNECT", TRUE), ==, 2);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "ticks/#", TRUE) == 2, WAIT_MS);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* QoS 1 both ways: every QoS 1 publish is acknowledged, automatically;
 * a publish made by hand comes back through the broker. */
static void
test_qos1_and_publish (void)
{
  g_autoptr(SondeTestPeer) peer = start_broker (0, 1);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SondeSeries *series;
  gboolean seen = FALSE;

  if (peer == NULL)
    return;
  session = new_session (4, 1, NULL);
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.payload.price", "$.topic == \"ticks/mine\"",
                                  NULL, 100, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, peer, "/");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "ticks/btc", FALSE) >= 5, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "PUBACK", TRUE) >= 5, WAIT_MS);

  {
    g_autoptr(GPtrArray) lines = sonde_test_app_describe (session, SONDE_DIRECTION_IN, 0);

    for (guint i = 0; i < lines->len; i++)
      if (strstr (lines->pdata[i], "\"qos\":1") != NULL && strstr (lines->pdata[i], "\"id\":") != NULL)
        seen = TRUE;
    g_assert_true (seen);
  }
  /* A generated client id. */
  {
    g_autofree char *line = sonde_test_app_read_line (peer, "CLIENT sonde-");

    g_assert_cmpuint (strlen (line), ==, strlen ("CLIENT sonde-12345678 1501"));
  }

  g_assert_true (sonde_session_app_act (session, "publish", "ticks/mine {\"price\":999.5}", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (series) == 1, WAIT_MS);
  {
    double value;

    g_assert_true (sonde_series_get_point (series, 0, NULL, &value));
    g_assert_cmpfloat (value, ==, 999.5);
  }
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "ticks/mine", FALSE), ==, 1);

  /* Bad arguments, and actions MQTT does not have. */
  g_assert_false (sonde_session_app_act (session, "publish", "", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "publish", "ticks/# 1", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "subscribe", "  ", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "emit", "x []", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_true (sonde_session_app_act (session, "subscribe", "other/+", &error));
  g_assert_no_error (error);
  g_assert_true (sonde_session_app_act (session, "unsubscribe", "other/+", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "UNSUBACK", FALSE) == 1, WAIT_MS);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* aedes speaks 3.1.1 only: a version 5 CONNECT is refused with reason
 * code 1, said on the CONNACK's label and as an error in the log. */
static void
test_v5_refused (void)
{
  g_autoptr(SondeTestPeer) peer = start_broker (0, 0);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  if (peer == NULL)
    return;
  session = new_session (5, 0, NULL);
  sonde_test_app_connect (session, peer, "/");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_has_error (session, "refused the connection"), WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_IN,
                                          "refused: unacceptable protocol version (1)", FALSE), ==, 1);
  lines = sonde_test_app_describe (session, SONDE_DIRECTION_OUT, 0);
  g_assert_true (g_str_has_prefix (lines->pdata[0], "decoded CONNECT upkeep {\"type\":\"connect\",\"version\":5,"));
  /* No subscription after a refusal. */
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "ticks/#", FALSE), ==, 0);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

static const char * const raw_expected[] = {
  "decoded CONNACK upkeep {\"type\":\"connack\",\"session_present\":false,\"reason_code\":0,\"reason\":\"accepted\"}",
  "decoded ticks/a {\"type\":\"publish\",\"topic\":\"ticks/a\",\"qos\":0,\"retain\":false,\"payload\":{\"price\":1}}",
  "decoded ticks/a {\"type\":\"publish\",\"topic\":\"ticks/a\",\"qos\":1,\"retain\":false,\"id\":7,\"payload\":{\"price\":2}}",
  "decoded PUBLISH … upkeep {\"type\":\"publish\",\"continues\":true,\"received\":1}",
  "decoded … upkeep {\"type\":\"continuation\",\"continues\":true,\"received\":6}",
  "decoded ticks/split {\"type\":\"publish\",\"topic\":\"ticks/split\",\"qos\":0,\"retain\":false,\"payload\":{\"price\":3}}",
  "failed not MQTT: a remaining length longer than 4 bytes (at byte 1)",
  "failed not MQTT: a reserved packet type (0)",
  "failed not MQTT: a string runs past the end of the packet (at byte 4)",
  "failed not MQTT: a text message (MQTT packets are binary)",
  "decoded ticks/last {\"type\":\"publish\",\"topic\":\"ticks/last\",\"qos\":0,\"retain\":false,\"payload\":{\"price\":4}}",
};

static void
test_raw (void)
{
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autoptr(SondeSession) session = new_session (4, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *line = NULL;
  SondeSeries *series;

  peer = sonde_test_app_start_peer ("proto-raw-peer.js", 0, NULL);
  if (peer == NULL)
    return;
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.payload.price", NULL, NULL, 100, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, peer, "/mqtt");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "ticks/last", FALSE) == 1, WAIT_MS);
  line = sonde_test_app_read_line (peer, "PUBACK ");
  g_assert_cmpstr (line, ==, "PUBACK 7");

  lines = sonde_test_app_describe (session, SONDE_DIRECTION_IN, 0);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (raw_expected));
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpstr (lines->pdata[i], ==, raw_expected[i]);
  /* Every publish charted, the split one too. */
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      double value;

      g_assert_true (sonde_series_get_point (series, i, NULL, &value));
      g_assert_cmpfloat (value, ==, i + 1);
    }
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_OPEN);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* sonde-cli: the ticks' prices, five of them, upkeep never counted. */
static void
test_cli (void)
{
  g_autoptr(SondeTestPeer) peer = start_broker (0, 0);

  if (peer == NULL)
    return;
  sonde_test_app_assert_cli_prices (peer, "/", "mqtt", "ticks/#", "$.payload.price", FALSE);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_data_func ("/proto-mqtt/broker/aedes", &aedes, test_broker);
  g_test_add_data_func ("/proto-mqtt/broker/mosquitto-v5", &mosquitto, test_broker);
  g_test_add_func ("/proto-mqtt/qos1-and-publish", test_qos1_and_publish);
  g_test_add_func ("/proto-mqtt/v5-refused", test_v5_refused);
  g_test_add_func ("/proto-mqtt/raw", test_raw);
  g_test_add_func ("/proto-mqtt/cli", test_cli);
  return g_test_run ();
}
