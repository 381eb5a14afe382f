/* test-proto-stomp.c: the STOMP mode against a real broker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/stomp-peer.js runs stomp-broker-js (npm), a broker nobody
 * here wrote, over WebSocket at /stomp, with a producer sending ticks
 * {"sym":"BTC","price":100.25 + 1.5 i,"seq":i} to /topic/ticks. It wants
 * the client's heart-beats at least every 1 s (with a 300 ms margin) and
 * drops a client that misses them. A session in the STOMP mode with a 1 s
 * heart-beat connects (login, host), subscribes, stays up past several
 * heart-beats, charts $.body.price, and after the broker restarts on the
 * same port reconnects, subscribes again and charts again. A frame sent
 * with act() reaches the broker.
 * tests/servers/proto-raw-peer.js sends what brokers seldom do: frames
 * several to a message with heart-beats between, escaped headers, and
 * malformed frames (failed views that say why, never a crash).
 * sonde-cli connect --app-protocol stomp --extract '$.body.price' --count 5
 * prints five consecutive prices.
 */

#include "config.h"

#include <string.h>

#include "sonde-series-feed.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS

static SondeTestPeer *
start_broker (guint16 port)
{
  const char *args[] = { "--heartbeat", "1000", NULL };

  return sonde_test_app_start_peer ("stomp-peer.js", port, args);
}

static SondeSession *
new_session (void)
{
  SondeSession *session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  SondeReconnectPolicy policy = { TRUE, 50, 200, 0, 60000 };
  const char *subscriptions[] = { "/topic/ticks", NULL };

  options->subscriptions = g_strdupv ((char **) subscriptions);
  options->keepalive_s = 1;
  options->username = g_strdup ("guest");
  options->password = g_strdup ("secret");
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_STOMP, options);
  sonde_connection_set_reconnect (sonde_session_get_connection (session), &policy);
  return session;
}

static void
test_broker (void)
{
  g_autoptr(SondeTestPeer) peer = start_broker (0);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SondeSeries *series;
  guint16 port;
  guint points;

  if (peer == NULL)
    return;
  port = sonde_test_peer_get_port (peer);
  session = new_session ();
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.body.price", NULL, NULL, 1000, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, peer, "/stomp");

  /* CONNECT with our heart-beat, the URL's host and the login. */
  line = sonde_test_app_read_line (peer, "CONNECT ");
  g_assert_cmpstr (line, ==, "CONNECT 1000,1000 127.0.0.1 guest");
  g_clear_pointer (&line, g_free);
  line = sonde_test_app_read_line (peer, "SUBSCRIBE ");
  g_assert_cmpstr (line, ==, "SUBSCRIBE /topic/ticks");
  g_clear_pointer (&line, g_free);
  g_assert_cmpstr (sonde_connection_get_protocol (sonde_session_get_connection (session)), ==, "v12.stomp");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "/topic/ticks", TRUE) == 1, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "CONNECT", TRUE), ==, 1);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_IN, "CONNECTED", FALSE), ==, 1);

  /* Up past several heart-beats: the broker drops a client that misses
   * one, so still the first connection. */
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "heart-beat", TRUE) >= 4, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count_events (session, SONDE_MESSAGE_KIND_OPEN), ==, 1);
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_OPEN);

  /* Ticks, charted from the MESSAGE bodies. */
  sonde_test_app_assert_ticks (series, 10);
  /* stomp-broker-js sends no destination header: the subscription's. */
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_IN, "/topic/ticks", FALSE), >=, 10);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_IN, "MESSAGE", FALSE), ==, 0);

  /* A SEND reaches the broker (which does not send it back to its sender). */
  g_assert_true (sonde_session_app_act (session, "send", "/topic/ticks {\"price\":999.5}", &error));
  g_assert_no_error (error);
  line = sonde_test_app_read_line (peer, "SEND ");
  g_assert_cmpstr (line, ==, "SEND /topic/ticks {\"price\":999.5}");
  g_clear_pointer (&line, g_free);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "/topic/ticks", FALSE) == 2, WAIT_MS);

  /* The broker restarts on the same port: the session reconnects,
   * subscribes again and charts again. */
  sonde_test_app_drop_peer (&peer, session);
  points = sonde_series_get_n_points (series);
  peer = start_broker (port);
  g_assert_nonnull (peer);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_events (session, SONDE_MESSAGE_KIND_OPEN) == 2, WAIT_MS);
  line = sonde_test_app_read_line (peer, "SUBSCRIBE ");
  g_assert_cmpstr (line, ==, "SUBSCRIBE /topic/ticks");
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (series) >= points + 5, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "CONNECT", TRUE), ==, 2);

  /* Unsubscribe by destination; bad arguments; actions STOMP lacks. */
  g_assert_true (sonde_session_app_act (session, "unsubscribe", "/topic/ticks", &error));
  g_assert_no_error (error);
  g_assert_false (sonde_session_app_act (session, "unsubscribe", "/topic/ticks", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "subscribe", "", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "publish", "a b", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

static const char * const raw_expected[] = {
  "decoded CONNECTED upkeep {\"command\":\"CONNECTED\",\"headers\":{\"version\":\"1.2\",\"heart-beat\":\"0,0\"},"
  "\"body\":\"\"}",
  "decoded /queue/a {\"command\":\"MESSAGE\",\"headers\":{\"destination\":\"/queue/a\",\"subscription\":\"sub-0\","
  "\"message-id\":\"1\",\"x:y\":\"a\\nb\\\\\"},\"body\":{\"price\":1}}",
  "decoded /queue/a {\"command\":\"MESSAGE\",\"headers\":{\"destination\":\"/queue/a\",\"message-id\":\"2\","
  "\"content-length\":\"11\"},\"body\":{\"price\":2}}",
  "decoded heart-beat upkeep {\"command\":\"HEARTBEAT\"}",
  "decoded bad thing {\"command\":\"ERROR\",\"headers\":{\"message\":\"bad thing\"},\"body\":\"oops\"}",
  "failed not STOMP: an unknown command (at byte 0)",
  "failed not STOMP: a header has no colon (at byte 8)",
  "failed not STOMP: a header has a bad escape or is not UTF-8 (at byte 8)",
  "failed not STOMP: the frame has no NUL at its end (at byte 15)",
  "decoded RECEIPT upkeep {\"command\":\"RECEIPT\",\"headers\":{\"receipt-id\":\"77\"},\"body\":\"\"}",
  "decoded /queue/b {\"command\":\"MESSAGE\",\"headers\":{\"destination\":\"/queue/b\"},\"body\":\"plain text\"}",
};

static void
test_raw (void)
{
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  SondeSeries *series;

  peer = sonde_test_app_start_peer ("proto-raw-peer.js", 0, NULL);
  if (peer == NULL)
    return;
  options->host = g_strdup ("vhost-a");
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_STOMP, options);
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.body.price", NULL, NULL, 100, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, peer, "/stomp");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count (session, SONDE_DIRECTION_IN, "/queue/b", FALSE) == 1, WAIT_MS);

  lines = sonde_test_app_describe (session, SONDE_DIRECTION_IN, 0);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (raw_expected));
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpstr (lines->pdata[i], ==, raw_expected[i]);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 2);
  g_clear_pointer (&lines, g_ptr_array_unref);
  /* The host given, not the URL's; no heart-beats when the server wants none. */
  lines = sonde_test_app_describe (session, SONDE_DIRECTION_OUT, 0);
  g_assert_nonnull (strstr (lines->pdata[0], "\"host\":\"vhost-a\""));
  g_assert_cmpuint (sonde_test_app_count (session, SONDE_DIRECTION_OUT, "heart-beat", FALSE), ==, 0);
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_OPEN);

  sonde_session_disconnect (session);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

/* sonde-cli: the ticks' prices, five of them, upkeep never counted. */
static void
test_cli (void)
{
  g_autoptr(SondeTestPeer) peer = start_broker (0);

  if (peer == NULL)
    return;
  sonde_test_app_assert_cli_prices (peer, "/stomp", "stomp", "/topic/ticks", "$.body.price", FALSE);
  sonde_test_app_stop_peer (g_steal_pointer (&peer));
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/proto-stomp/broker", test_broker);
  g_test_add_func ("/proto-stomp/raw", test_raw);
  g_test_add_func ("/proto-stomp/cli", test_cli);
  return g_test_run ();
}
