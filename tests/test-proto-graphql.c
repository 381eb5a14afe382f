/* test-proto-graphql.c: the GraphQL over WebSocket mode against real
 * servers nobody here wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/graphql-peer.js serves one graphql-js schema through the
 * graphql-ws library (graphql-transport-ws) and through
 * subscriptions-transport-ws (the legacy graphql-ws). A session in the
 * GraphQL mode offers both subprotocols and follows the server's choice:
 * connection_init with the auth payload, the subscription after the ack,
 * results labelled by the operation, the server's ping answered, upkeep
 * marked; after the server drops it, the session reconnects and subscribes
 * again. Documents name their operations as the labels say; what is not a
 * GraphQL message is a failed view that says why. sonde-cli connect
 * --app-protocol graphql (and graphql-ws) --extract --count 5 prints five
 * consecutive prices, the server's pings and "ka" never counted.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-proto-graphql.h"
#include "sonde-session.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS
#define PRICE(i) (100.25 + 1.5 * (i))
#define SUBSCRIPTION "subscription { ticks(intervalMs: 20) { price seq token } }"

/* The decoded view of the record at @index, newly allocated (NULL: not
 * DECODED). */
static char *
dup_view (SondeSession *session,
          guint         index)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecord record, view;

  g_assert_true (sonde_message_log_get_record (log, index, &record));
  if (sonde_record_views_get (sonde_message_log_get_views (log), &record, &view, NULL) != SONDE_RECORD_VIEW_DECODED)
    return NULL;
  return g_strndup ((const char *) view.data, view.stored_size);
}

/* Every result labelled @label carries tick i's price and the token. */
static guint
check_results (SondeSession *session,
               const char   *label,
               const char   *token)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  g_autoptr(SondeJsonPath) price_path = sonde_json_path_new ("$.payload.data.ticks.price", NULL);
  g_autoptr(SondeJsonPath) seq_path = sonde_json_path_new ("$.payload.data.ticks.seq", NULL);
  g_autoptr(SondeJsonPath) token_path = sonde_json_path_new ("$.payload.data.ticks.token", NULL);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;
      gboolean upkeep = TRUE;
      g_autofree char *json = NULL;
      g_autofree char *got_token = NULL;
      double price = 0, seq = -1;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_IN || record.kind != SONDE_MESSAGE_KIND_TEXT ||
          g_strcmp0 (sonde_record_views_get_label (views, &record, &upkeep), label) != 0)
        continue;
      g_assert_false (upkeep);
      json = dup_view (session, i);
      g_assert_nonnull (json);
      g_assert_true (sonde_json_path_get_number (price_path, json, strlen (json), &price));
      g_assert_true (sonde_json_path_get_number (seq_path, json, strlen (json), &seq));
      g_assert_cmpfloat_with_epsilon (price, PRICE (seq), 1e-9);
      got_token = sonde_json_path_dup_key (token_path, json, strlen (json));
      g_assert_cmpstr (got_token, ==, token);
      n++;
    }
  return n;
}

static SondeSession *
connect_to (SondeTestPeer *peer,
            const char    *route,
            const char    *subscription,
            const char    *auth)
{
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  const char *subscriptions[] = { subscription, NULL };
  SondeSession *session = sonde_session_new ();

  options->subscriptions = g_strdupv ((char **) subscriptions);
  options->auth = g_strdup (auth);
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_GRAPHQL, options);
  sonde_test_app_connect (session, peer, route);
  return session;
}

static void
test_operation_name (void)
{
  static const struct { const char *document; const char *name; } cases[] = {
    { "subscription { ticks { price } }", "ticks" },
    { "subscription Prices { ticks { price } }", "Prices" },
    { "  # a comment\n query Q($a: Int) { a }", "Q" },
    { "subscription ($n: Int = 3, $s: String = \"a)b{\") @live { ticks(count: $n) { price } }", "ticks" },
    { "{ last: ticks { price } }", "ticks" },
    { "{ hello }", "hello" },
    { "mutation{add}", "add" },
    { "fragment F on Tick { price }", NULL },
    { "", NULL },
    { "{", NULL },
    { "subscription (", NULL },
    { "subscription \"unterminated", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = sonde_proto_graphql_operation_name (cases[i].document, -1);

      g_assert_cmpstr (name, ==, cases[i].name);
    }
  g_assert_null (sonde_proto_graphql_operation_name (NULL, -1));
}

/* graphql-transport-ws: the ack, the subscription, twenty results, the
 * server's ping answered; complete stops it. */
static void
test_transport (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SondeConnection *connection;
  SondeTestAppCount ping, pong, ack, init, subscribe, complete;
  g_autofree char *init_view = NULL;

  if (peer == NULL)
    return;
  session = connect_to (peer, "/graphql", SUBSCRIPTION, "{\"token\":\"t0k\"}");
  connection = sonde_session_get_connection (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ticks").n >= 20 &&
                          sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "pong").n >= 1, WAIT_MS);
  g_assert_cmpstr (sonde_connection_get_protocol (connection), ==, "graphql-transport-ws");

  init = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "connection_init");
  ack = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "connection_ack");
  subscribe = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ticks · subscribe");
  ping = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ping");
  pong = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "pong");
  g_assert_cmpuint (init.n, ==, 1);
  g_assert_cmpuint (init.n_auto, ==, 1);
  g_assert_cmpuint (init.n_upkeep, ==, 1);
  g_assert_cmpuint (ack.n_upkeep, ==, 1);
  g_assert_cmpuint (subscribe.n, ==, 1);
  g_assert_cmpuint (subscribe.n_auto, ==, 1);
  g_assert_cmpuint (subscribe.n_upkeep, ==, 0);
  g_assert_cmpuint (ack.last_seq, <, subscribe.last_seq);
  g_assert_cmpuint (ping.n, ==, 1);
  g_assert_cmpuint (ping.n_upkeep, ==, 1);
  g_assert_cmpuint (pong.n, ==, 1);
  g_assert_cmpuint (pong.n_auto, ==, 1);
  g_assert_cmpuint (pong.n_upkeep, ==, 1);
  g_assert_cmpuint (ping.last_seq, <, pong.last_seq);
  /* The auth payload reached the server's context. */
  g_assert_cmpuint (check_results (session, "ticks", "t0k"), >=, 20);

  /* connection_init carried it. */
  for (guint i = 0; i < sonde_message_log_get_n_records (sonde_session_get_log (session)) && init_view == NULL; i++)
    {
      g_autofree char *json = dup_view (session, i);

      if (json != NULL && strstr (json, "connection_init") != NULL)
        init_view = g_steal_pointer (&json);
    }
  g_assert_cmpstr (init_view, ==, "{\"type\":\"connection_init\",\"payload\":{\"token\":\"t0k\"}}");

  /* Complete: the server stops sending. */
  g_assert_true (sonde_session_app_act (session, "complete", "1", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ticks · complete").n == 1, WAIT_MS);
  complete = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ticks · complete");
  g_assert_cmpuint (complete.n_auto, ==, 0);
  {
    guint before;

    sonde_test_spin (300);
    before = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ticks").n;
    sonde_test_spin (300);
    g_assert_cmpuint (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ticks").n, ==, before);
  }

  /* A subscription given as JSON, with variables and its name. */
  g_assert_true (sonde_session_app_act (session, "subscribe",
                                       "{\"query\":\"subscription Few($n: Int) { ticks(count: $n, intervalMs: 5) "
                                       "{ price seq token } }\",\"variables\":{\"n\":3},\"operationName\":\"Few\"}",
                                       &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Few · complete").n == 1, WAIT_MS);
  g_assert_cmpuint (check_results (session, "Few", "t0k"), ==, 3);

  /* Bad arguments say so. */
  g_assert_false (sonde_session_app_act (session, "subscribe", "  ", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "subscribe", "{\"variables\":{}}", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (sonde_session_app_act (session, "emit", "x []", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
}

/* subscriptions-transport-ws: graphql-ws chosen, start, data, "ka". */
static void
test_legacy (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autoptr(SondeSession) session = NULL;
  SondeTestAppCount ka, subscribe;

  if (peer == NULL)
    return;
  session = connect_to (peer, "/legacy", "subscription Prices { ticks(intervalMs: 20) { price seq token } }",
                        "{\"token\":\"old\"}");
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "Prices").n >= 10 &&
                          sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ka").n >= 2, WAIT_MS);
  g_assert_cmpstr (sonde_connection_get_protocol (sonde_session_get_connection (session)), ==, "graphql-ws");
  subscribe = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "Prices · subscribe");
  g_assert_cmpuint (subscribe.n, ==, 1);
  g_assert_cmpuint (subscribe.n_auto, ==, 1);
  ka = sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ka");
  g_assert_cmpuint (ka.n_upkeep, ==, ka.n);
  g_assert_cmpuint (check_results (session, "Prices", "old"), >=, 10);
  {
    SondeMessageLog *log = sonde_session_get_log (session);
    gboolean found = FALSE;

    for (guint i = 0; i < sonde_message_log_get_n_records (log) && !found; i++)
      {
        g_autofree char *json = dup_view (session, i);

        found = json != NULL && g_str_has_prefix (json, "{\"id\":\"1\",\"type\":\"start\",");
      }
    g_assert_true (found);
  }
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
}

/* The server drops the first connection after three results: the session
 * reconnects, is acknowledged again and subscribes again. */
static void
test_reconnect (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();
  g_autoptr(SondeSession) session = NULL;
  SondeReconnectPolicy policy = { TRUE, 50, 200, 0, 10000 };
  SondeTestAppCount subscribes, init;

  if (peer == NULL)
    return;
  session = connect_to (peer, "/graphql-drop", SUBSCRIPTION, NULL);
  sonde_connection_set_reconnect (sonde_session_get_connection (session), &policy);
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ticks · subscribe").n >= 2 &&
                          sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ticks").n >= 10, WAIT_MS);
  subscribes = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "ticks · subscribe");
  init = sonde_test_app_count_labelled (session, SONDE_DIRECTION_OUT, "connection_init");
  g_assert_cmpuint (subscribes.n, ==, 2);
  g_assert_cmpuint (subscribes.n_auto, ==, 2);
  g_assert_cmpuint (init.n, ==, 2);
  g_assert_cmpuint (check_results (session, "ticks", NULL), >=, 10);
  /* Results came after the second subscribe too. */
  g_assert_cmpuint (sonde_test_app_count_labelled (session, SONDE_DIRECTION_IN, "ticks").last_seq, >, subscribes.last_seq);
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
}

/* What is not a GraphQL message fails with why; binary stays raw. */
static void
test_malformed (void)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  static const char * const bad[] = { "not json", "[1,2]", "{\"id\":\"1\"}", "{\"type\":3}", "{\"type\":\"next\"" };
  SondeAppProtocol *app;

  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_GRAPHQL, NULL);
  app = sonde_session_get_app (session);
  g_assert_nonnull (app);
  g_assert_cmpstr (sonde_app_protocol_get_subprotocols (app)[0], ==, "graphql-transport-ws");
  g_assert_cmpstr (sonde_app_protocol_get_subprotocols (app)[1], ==, "graphql-ws");
  g_assert_null (sonde_app_protocol_get_subprotocols (app)[2]);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
                             .data = (const guint8 *) bad[i], .size = strlen (bad[i]),
                             .stored_size = strlen (bad[i]) };
      SondeRecordViewExtra extra = { NULL, FALSE };
      g_autoptr(GString) json = g_string_new (NULL);
      g_autofree char *why = NULL;

      g_assert_cmpint (sonde_app_protocol_view (app, &record, json, &why, &extra), ==, SONDE_RECORD_VIEW_FAILED);
      g_assert_true (g_str_has_prefix (why, "not GraphQL over WebSocket"));
      g_assert_null (extra.label);
    }
  {
    const guint8 bytes[] = { 0x7b, 0x00, 0xff };
    SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_BINARY,
                           .data = bytes, .size = sizeof bytes, .stored_size = sizeof bytes };
    SondeRecordViewExtra extra = { NULL, FALSE };
    g_autoptr(GString) json = g_string_new (NULL);
    char *why = NULL;

    g_assert_cmpint (sonde_app_protocol_view (app, &record, json, &why, &extra), ==, SONDE_RECORD_VIEW_RAW);
    g_assert_null (why);
  }
  {
    const char *text = "{\"type\":\"error\",\"id\":\"7\",\"payload\":[{\"message\":\"no\"}]}";
    SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
                           .data = (const guint8 *) text, .size = strlen (text), .stored_size = strlen (text) };
    SondeRecordViewExtra extra = { NULL, FALSE };
    g_autoptr(GString) json = g_string_new (NULL);
    char *why = NULL;

    g_assert_cmpint (sonde_app_protocol_view (app, &record, json, &why, &extra), ==, SONDE_RECORD_VIEW_DECODED);
    g_assert_cmpstr (json->str, ==, text);
    g_assert_cmpstr (extra.label, ==, "error 7");
    g_assert_false (extra.upkeep);
    g_free (extra.label);
  }
}

/* sonde-cli, both protocols: five prices, upkeep never counted; with
 * graphql-ws a tick every 150 ms, a "ka" every 300 ms. */
static void
test_cli (void)
{
  SondeTestPeer *peer = sonde_test_app_get_peer ();

  if (peer == NULL)
    return;
  sonde_test_app_assert_cli_prices (peer, "/graphql", "graphql", "subscription { ticks { price } }",
                                    "$.payload.data.ticks.price", TRUE);
  sonde_test_app_assert_cli_prices (peer, "/legacy", "graphql-ws", "subscription { ticks(intervalMs: 150) { price } }",
                                    "$.payload.data.ticks.price", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);
  sonde_test_app_share_peer ("graphql-peer.js", NULL);

  g_test_add_func ("/proto-graphql/operation-name", test_operation_name);
  g_test_add_func ("/proto-graphql/malformed", test_malformed);
  g_test_add_func ("/proto-graphql/transport", test_transport);
  g_test_add_func ("/proto-graphql/legacy", test_legacy);
  g_test_add_func ("/proto-graphql/reconnect", test_reconnect);
  g_test_add_func ("/proto-graphql/cli", test_cli);
  return sonde_test_app_run ();
}
