/* test-proto-signalr.c: the SignalR JSON hub protocol mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No SignalR server runs here (ASP.NET Core needs .NET; npm's
 * @microsoft/signalr is a client), so tests/servers/signalr-peer.js
 * replays frames written from the protocol's specification. A session in
 * the SignalR mode sends the handshake, reads each message of a frame that
 * holds three as a record of its own, labels invocations by their target
 * and completions by the invocation they answer, marks the handshake and
 * pings as upkeep, sends pings of its own on a timer (the peer says it saw
 * them), invokes its subscriptions after the handshake, and says why when
 * the server refuses the handshake. The splitter and the views are checked
 * on their own too. sonde-cli connect --app-protocol signalr --extract
 * '$.arguments[0].price' --count 5 prints five consecutive prices, the
 * pings never counted.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-proto-signalr.h"
#include "sonde-session.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS
#define PRICE(i) (100.25 + 1.5 * (i))

static SondeSession *
connect_to (SondeTestPeer *peer,
            const char    *route,
            const char    *subscription,
            guint          keepalive_s)
{
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  const char *subscriptions[] = { subscription, NULL };
  SondeSession *session = sonde_session_new ();

  options->subscriptions = subscription != NULL ? g_strdupv ((char **) subscriptions) : NULL;
  options->keepalive_s = keepalive_s;
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_SIGNALR, options);
  sonde_test_app_connect (session, peer, route);
  return session;
}

static void
test_split (void)
{
  static const char three[] = "{\"type\":6}\x1e{\"type\":1,\"target\":\"a\",\"arguments\":[]}\x1e{}\x1e";
  static const char tail[] = "{\"type\":6}\x1e{\"type\":";
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (SondeMessageSlice));
  SondeMessageSlice *s;

  g_assert_true (sonde_proto_signalr_split_records ((const guint8 *) three, sizeof three - 1, slices));
  g_assert_cmpuint (slices->len, ==, 3);
  s = (SondeMessageSlice *) slices->data;
  g_assert_cmpuint (s[0].offset, ==, 0);
  g_assert_cmpuint (s[0].length, ==, 11);
  g_assert_cmpuint (s[1].offset, ==, 11);
  g_assert_cmpuint (s[2].offset + s[2].length, ==, sizeof three - 1);
  g_assert_cmpint (three[s[2].offset], ==, '{');

  g_array_set_size (slices, 0);
  g_assert_false (sonde_proto_signalr_split_records ((const guint8 *) "{\"type\":6}\x1e", 11, slices));
  g_assert_cmpuint (slices->len, ==, 1);

  /* What follows the last separator is a slice too (its view says it is cut). */
  g_array_set_size (slices, 0);
  g_assert_true (sonde_proto_signalr_split_records ((const guint8 *) tail, sizeof tail - 1, slices));
  g_assert_cmpuint (slices->len, ==, 2);
  g_assert_cmpuint (g_array_index (slices, SondeMessageSlice, 1).length, ==, 8);

  g_array_set_size (slices, 0);
  g_assert_false (sonde_proto_signalr_split_records ((const guint8 *) "", 0, slices));
  g_assert_cmpuint (slices->len, ==, 0);
}

static void
test_views (void)
{
  static const struct { const char *text; SondeRecordViewKind kind; const char *label; gboolean upkeep; } cases[] = {
    { "{}\x1e", SONDE_RECORD_VIEW_DECODED, "handshake", TRUE },
    { "{\"protocol\":\"json\",\"version\":1}\x1e", SONDE_RECORD_VIEW_DECODED, "handshake", TRUE },
    { "{\"error\":\"nope\"}\x1e", SONDE_RECORD_VIEW_DECODED, "handshake error: nope", FALSE },
    { "{\"type\":1,\"target\":\"Send\",\"arguments\":[1]}\x1e", SONDE_RECORD_VIEW_DECODED, "Send", FALSE },
    { "{\"type\":4,\"invocationId\":\"9\",\"target\":\"Counter\",\"arguments\":[]}\x1e",
      SONDE_RECORD_VIEW_DECODED, "Counter", FALSE },
    { "{\"type\":2,\"invocationId\":\"9\",\"item\":1}\x1e", SONDE_RECORD_VIEW_DECODED, "item 9", FALSE },
    { "{\"type\":3,\"invocationId\":\"9\",\"result\":2}\x1e", SONDE_RECORD_VIEW_DECODED, "completion 9", FALSE },
    { "{\"type\":3,\"invocationId\":\"9\",\"error\":\"x\"}\x1e", SONDE_RECORD_VIEW_DECODED, "error 9", FALSE },
    { "{\"type\":5,\"invocationId\":\"9\"}\x1e", SONDE_RECORD_VIEW_DECODED, "cancel 9", FALSE },
    { "{\"type\":6}\x1e", SONDE_RECORD_VIEW_DECODED, "ping", TRUE },
    { "{\"type\":7,\"error\":\"bye\"}\x1e", SONDE_RECORD_VIEW_DECODED, "close", FALSE },
    { "{\"type\":42}\x1e", SONDE_RECORD_VIEW_DECODED, "type 42", FALSE },
    { "{\"type\":6}", SONDE_RECORD_VIEW_FAILED, NULL, FALSE },
    { "\x1e", SONDE_RECORD_VIEW_FAILED, NULL, FALSE },
    { "{\"type\":6}\x1e{\"type\":6}\x1e", SONDE_RECORD_VIEW_FAILED, NULL, FALSE },
    { "[6]\x1e", SONDE_RECORD_VIEW_FAILED, NULL, FALSE },
    { "{\"type\":\x1e", SONDE_RECORD_VIEW_FAILED, NULL, FALSE },
  };
  g_autoptr(SondeSession) session = sonde_session_new ();
  SondeAppProtocol *app;

  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_SIGNALR, NULL);
  app = sonde_session_get_app (session);
  g_assert_nonnull (app);
  g_assert_null (sonde_app_protocol_get_subprotocols (app));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = strlen (cases[i].text);
      SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
                             .data = (const guint8 *) cases[i].text, .size = length, .stored_size = length };
      SondeRecordViewExtra extra = { NULL, FALSE };
      g_autoptr(GString) json = g_string_new (NULL);
      g_autofree char *why = NULL;
      g_autofree char *label = NULL;

      g_test_message ("%u: %s", i, cases[i].text);
      g_assert_cmpint (sonde_app_protocol_view (app, &record, json, &why, &extra), ==, cases[i].kind);
      label = extra.label;
      g_assert_cmpstr (label, ==, cases[i].label);
      g_assert_cmpint (extra.upkeep, ==, cases[i].upkeep);
      if (cases[i].kind == SONDE_RECORD_VIEW_DECODED)
        {
          /* The message itself, without its separator. */
          g_assert_cmpuint (json->len, ==, length - 1);
          g_assert_true (memcmp (json->str, cases[i].text, length - 1) == 0);
          g_assert_null (why);
        }
      else
        g_assert_true (g_str_has_prefix (why, "not SignalR"));
    }
}

static void
test_hub (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeJsonPath) price_path = sonde_json_path_new ("$.arguments[0].price", NULL);
  g_autoptr(SondeJsonPath) seq_path = sonde_json_path_new ("$.arguments[0].seq", NULL);
  SondeMessageLog *log;
  SondeRecordViews *views;
  SondeTestAppCount handshake_out, handshake_in, ticks, pings_in, pings_out, seen, subscribe, completion;
  guint n_ticks = 0;

  if (peer == NULL)
    return;
  session = connect_to (peer, "/hub", "Subscribe [\"BTC\"]", 1);
  log = sonde_session_get_log (session);
  views = sonde_message_log_get_views (log);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "PingSeen").n >= 2 &&
                          sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Subscribe · completion").n == 1, WAIT_MS);

  handshake_out = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "handshake");
  handshake_in = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "handshake");
  g_assert_cmpuint (handshake_out.n, ==, 1);
  g_assert_cmpuint (handshake_out.n_auto, ==, 1);
  g_assert_cmpuint (handshake_out.n_upkeep, ==, 1);
  g_assert_cmpuint (handshake_in.n, ==, 1);
  g_assert_cmpuint (handshake_in.n_upkeep, ==, 1);

  /* The subscription went after the handshake's answer, and was answered. */
  subscribe = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "Subscribe");
  completion = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Subscribe · completion");
  g_assert_cmpuint (subscribe.n, ==, 1);
  g_assert_cmpuint (subscribe.n_auto, ==, 1);
  g_assert_cmpuint (subscribe.first_seq, >, handshake_in.first_seq);
  g_assert_cmpuint (completion.first_seq, >, subscribe.first_seq);

  /* Pings both ways: upkeep; ours automatic, and the peer saw them. */
  pings_in = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ping");
  pings_out = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ping");
  seen = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "PingSeen");
  g_assert_cmpuint (pings_in.n, >=, 1);
  g_assert_cmpuint (pings_in.n_upkeep, ==, pings_in.n);
  g_assert_cmpuint (pings_out.n, >=, 2);
  g_assert_cmpuint (pings_out.n_auto, ==, pings_out.n);
  g_assert_cmpuint (pings_out.n_upkeep, ==, pings_out.n);
  g_assert_cmpuint (seen.n, <=, pings_out.n);

  /* The first frame held three messages: three records, one after the
   * handshake's answer, tick 0, a ping, tick 1, each with its own view. */
  ticks = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ReceiveTick");
  g_assert_cmpuint (ticks.n, >=, 2);
  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record, view;
      gboolean upkeep = TRUE;
      double price = 0, seq = -1;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_IN || record.kind != SONDE_MESSAGE_KIND_TEXT)
        continue;
      g_assert_cmpuint (memchr (record.data, 0x1e, record.stored_size) - (const void *) record.data, ==,
                        record.stored_size - 1);
      if (g_strcmp0 (sonde_record_views_get_label (views, &record, &upkeep), "ReceiveTick") != 0)
        continue;
      g_assert_false (upkeep);
      g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
      g_assert_true (sonde_json_path_get_number (price_path, (const char *) view.data, view.stored_size, &price));
      g_assert_true (sonde_json_path_get_number (seq_path, (const char *) view.data, view.stored_size, &seq));
      g_assert_cmpfloat (seq, ==, n_ticks);
      g_assert_cmpfloat_with_epsilon (price, PRICE (seq), 1e-9);
      n_ticks++;
    }
  {
    SondeRecord a, b, c;

    g_assert_true (sonde_message_log_get_record (log, 0, &a));
    for (guint i = 0; i + 2 < sonde_message_log_get_n_records (log); i++)
      {
        g_assert_true (sonde_message_log_get_record (log, i, &a));
        if (a.direction != SONDE_DIRECTION_IN || a.seq <= handshake_in.first_seq)
          continue;
        g_assert_true (sonde_message_log_get_record (log, i + 1, &b));
        g_assert_true (sonde_message_log_get_record (log, i + 2, &c));
        g_assert_cmpstr (sonde_record_views_get_label (views, &a, NULL), ==, "ReceiveTick");
        g_assert_cmpstr (sonde_record_views_get_label (views, &b, NULL), ==, "ping");
        g_assert_cmpstr (sonde_record_views_get_label (views, &c, NULL), ==, "ReceiveTick");
        /* One WebSocket message: received at the same moment. */
        g_assert_cmpint (a.mono_us, ==, c.mono_us);
        break;
      }
  }

  /* Invoke, a failing one, a stream and bad arguments. */
  g_assert_true (sonde_session_app_act (session, "invoke", "Fail []", &error));
  g_assert_no_error (error);
  g_assert_true (sonde_session_app_act (session, "stream", "Counter [3]", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Fail · error").n == 1 &&
                          sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Counter · completion").n == 1, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Counter · item").n, ==, 3);
  g_assert_cmpuint (sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "Fail").n_auto, ==, 0);
  g_assert_false (sonde_session_app_act (session, "invoke", "Send [1,", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "invoke", "", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
}

/* A refused handshake and a close message. */
static void
test_refused_and_close (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autoptr(SondeSession) refused = NULL;
  g_autoptr(SondeSession) closed = NULL;
  SondeTestAppCount close;

  if (peer == NULL)
    return;
  refused = connect_to (peer, "/refuse", "Subscribe []", 1);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (refused)) &&
                          sonde_test_count_records (sonde_session_get_connection (refused), SONDE_DIRECTION_EVENT,
                                                    SONDE_MESSAGE_KIND_ERROR) >= 1, WAIT_MS);
  g_assert_cmpuint (sonde_test_app_count_labelled (refused, SONDE_DIRECTION_IN,
                                    "handshake error: Requested protocol 'json' is not available.").n, ==, 1);
  /* No subscription goes to a server that refused. */
  g_assert_cmpuint (sonde_test_app_count_labelled (refused, SONDE_DIRECTION_OUT, "Subscribe").n, ==, 0);

  closed = connect_to (peer, "/close", NULL, 1);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (closed)), WAIT_MS);
  close = sonde_test_app_count_labelled (closed, SONDE_DIRECTION_IN, "close");
  g_assert_cmpuint (close.n, ==, 1);
  g_assert_cmpuint (close.n_upkeep, ==, 0);
}

/* sonde-cli: five prices (the first three from one frame with a ping
 * between), upkeep never counted; an invocation answered. */
static void
test_cli (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autofree char *url = NULL;

  if (peer == NULL)
    return;
  url = sonde_test_peer_dup_url (peer, "/hub");
  {
    const char *args[] = { "connect", url, "--app-protocol", "signalr", "--subscribe", "Subscribe [\"BTC\"]",
                           "--where", "$.type == 1", "--extract", "$.arguments[0].price", "--count", "5",
                           "--timeout", "20", NULL };
    g_autoptr(GPtrArray) lines = sonde_test_app_run_cli (args);

    sonde_test_app_assert_prices (lines, "$.arguments[0].price", TRUE);
  }
  {
    const char *args[] = { "connect", url, "--app-protocol", "signalr", "--invoke", "Echo [1]",
                           "--where", "$.type == 3", "--count", "1", "--timeout", "20", NULL };
    g_autoptr(GPtrArray) lines = sonde_test_app_run_cli (args);

    guint n_completions = 0;

    /* Events and upkeep are printed too; the one data message is the
     * completion. */
    for (guint i = 0; i < lines->len; i++)
      if (strstr (lines->pdata[i], "\"label\":\"Echo · completion\"") != NULL)
        {
          g_assert_nonnull (strstr (lines->pdata[i], "\"decoded\":{\"type\":3,\"invocationId\":\"1\",\"result\":\"ok Echo\"}"));
          n_completions++;
        }
    g_assert_cmpuint (n_completions, ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);
  sonde_test_app_share_peer ("signalr-peer.js", NULL);

  g_test_add_func ("/proto-signalr/split", test_split);
  g_test_add_func ("/proto-signalr/views", test_views);
  g_test_add_func ("/proto-signalr/hub", test_hub);
  g_test_add_func ("/proto-signalr/refused-and-close", test_refused_and_close);
  g_test_add_func ("/proto-signalr/cli", test_cli);
  return sonde_test_app_run ();
}
