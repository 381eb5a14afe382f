/* test-socketio.c: the Socket.IO mode against a real Socket.IO 4 server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/socketio-peer.js runs npm's `socket.io` (nobody here wrote
 * it) with a 300 ms ping interval and a 200 ms ping timeout: a client that
 * does not answer pings is gone within half a second. A session in the
 * Socket.IO mode connects through the rewritten URL, stays up past many
 * ping intervals, subscribes (an emit sent after every connect), reads the
 * "tick" events by name in the documented shape, charts $.args[0].price,
 * gets an ack paired with its emit (label with the round trip), a binary
 * event with its attachments in place, a refused and an accepted
 * namespace; when the server restarts, the session reconnects and sends
 * the namespace CONNECT and the subscription again. Malformed packets are
 * failed views that say why.
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "sonde-app-protocol.h"
#include "sonde-session.h"
#include "sonde-test-app.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_APP_WAIT_MS
#define PING_INTERVAL_MS 300

/* The record's view, label and upkeep mark. */
typedef struct {
  SondeRecord          record;
  SondeRecordViewKind  kind;
  char                *json;
  char                *label;
  gboolean             upkeep;
} Seen;

static void
seen_clear (Seen *seen)
{
  g_clear_pointer (&seen->json, g_free);
  g_clear_pointer (&seen->label, g_free);
}

static void
see (SondeSession      *session,
     const SondeRecord *record,
     Seen              *seen)
{
  SondeRecordViews *views = sonde_message_log_get_views (sonde_session_get_log (session));
  const char *why = NULL;
  const char *label;
  SondeRecord view;

  seen_clear (seen);
  seen->record = *record;
  seen->kind = sonde_record_views_get (views, record, &view, &why);
  if (seen->kind == SONDE_RECORD_VIEW_DECODED)
    seen->json = g_strndup ((const char *) view.data, view.stored_size);
  else if (seen->kind == SONDE_RECORD_VIEW_FAILED)
    seen->json = g_strdup (why);
  label = sonde_record_views_get_label (views, record, &seen->upkeep);
  seen->label = g_strdup (label);
}

/* The @nth (from 0) message of @direction whose label starts with
 * @label; FALSE when there is none yet. */
static gboolean
find_labelled (SondeSession   *session,
               SondeDirection  direction,
               const char     *label,
               guint           nth,
               Seen           *seen)
{
  SondeMessageLog *log = sonde_session_get_log (session);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != direction ||
          (record.kind != SONDE_MESSAGE_KIND_TEXT && record.kind != SONDE_MESSAGE_KIND_BINARY))
        continue;
      see (session, &record, seen);
      if (seen->label != NULL && g_str_has_prefix (seen->label, label) && nth-- == 0)
        return TRUE;
    }
  seen_clear (seen);
  return FALSE;
}

static guint
count_labelled (SondeSession   *session,
                SondeDirection  direction,
                const char     *label)
{
  Seen seen = { 0 };
  guint n = 0;

  while (find_labelled (session, direction, label, n, &seen))
    n++;
  seen_clear (&seen);
  return n;
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return object;
}

static SondeSession *
new_session (const char  *nsp,
             const char  *auth,
             const char **subscriptions)
{
  SondeSession *session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();

  options->nsp = g_strdup (nsp);
  options->auth = g_strdup (auth);
  options->subscriptions = g_strdupv ((char **) subscriptions);
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_SOCKET_IO, options);
  return session;
}

static gboolean
is_open (SondeSession *session)
{
  return sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN;
}

/* The URL: /socket.io/?EIO=4&transport=websocket, the user's path and
 * other parameters kept, the same when rewritten again. */
static void
test_url (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeAppProtocol) app = sonde_app_protocol_new (SONDE_APP_PROTOCOL_SOCKET_IO, connection, NULL);
  static const struct { const char *url, *rewritten; } cases[] = {
    { "ws://127.0.0.1:3000", "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket" },
    { "ws://127.0.0.1:3000/", "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket" },
    { "wss://example.com/socket.io/", "wss://example.com/socket.io/?EIO=4&transport=websocket" },
    { "ws://h/api/socket.io", "ws://h/api/socket.io/?EIO=4&transport=websocket" },
    { "ws://h/socket.io/?token=a%20b&EIO=3&transport=polling&x",
      "ws://h/socket.io/?EIO=4&transport=websocket&token=a%20b&x" },
    { "http://h:8080/?t=1", "ws://h:8080/socket.io/?EIO=4&transport=websocket&t=1" },
    { "https://h/", "wss://h/socket.io/?EIO=4&transport=websocket" },
  };

  g_assert_nonnull (app);
  g_assert_cmpint (sonde_app_protocol_get_kind (app), ==, SONDE_APP_PROTOCOL_SOCKET_IO);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *once = sonde_app_protocol_rewrite_url (app, cases[i].url);
      g_autofree char *twice = sonde_app_protocol_rewrite_url (app, once);

      g_assert_cmpstr (once, ==, cases[i].rewritten);
      g_assert_cmpstr (twice, ==, once);
    }
  g_assert_finalize_object (g_steal_pointer (&app));
}

static SondeRecordViewKind
view_of (SondeAppProtocol  *app,
         SondeMessageKind   kind,
         const char        *text,
         gsize              length,
         GString           *json,
         char             **why,
         SondeRecordViewExtra *extra)
{
  SondeRecord record = { 0 };

  record.direction = SONDE_DIRECTION_IN;
  record.kind = kind;
  record.size = record.stored_size = length;
  record.data = (const guint8 *) text;
  g_string_truncate (json, 0);
  g_clear_pointer (why, g_free);
  g_clear_pointer (&extra->label, g_free);
  extra->upkeep = FALSE;
  return sonde_app_protocol_view (app, &record, json, why, extra);
}

/* Every packet type's view, and malformed packets: FAILED with why. */
static void
test_views (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeAppProtocol) app = sonde_app_protocol_new (SONDE_APP_PROTOCOL_SOCKET_IO, connection, NULL);
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *why = NULL;
  SondeRecordViewExtra extra = { NULL, FALSE };
  static const struct { const char *text, *view, *label; gboolean upkeep; } good[] = {
    { "0{\"sid\":\"a\",\"pingInterval\":300,\"pingTimeout\":200}",
      "{\"type\":\"open\",\"sid\":\"a\",\"pingInterval\":300,\"pingTimeout\":200}", "open", TRUE },
    { "2", "{\"type\":\"ping\"}", "ping", TRUE },
    { "3probe", "{\"type\":\"pong\",\"data\":\"probe\"}", "pong", TRUE },
    { "1", "{\"type\":\"close\"}", "close", TRUE },
    { "40", "{\"type\":\"connect\",\"nsp\":\"/\"}", "connect", TRUE },
    { "40/admin,{\"sid\":\"x\"}", "{\"type\":\"connect\",\"nsp\":\"/admin\",\"data\":{\"sid\":\"x\"}}",
      "/admin connect", TRUE },
    { "41/admin,", "{\"type\":\"disconnect\",\"nsp\":\"/admin\"}", "/admin disconnect", FALSE },
    { "42[\"tick\",{\"price\":1.10}]",
      "{\"type\":\"event\",\"nsp\":\"/\",\"event\":\"tick\",\"args\":[{\"price\":1.10}]}", "tick", FALSE },
    { "42/chat,7[\"msg\",1,\"two\"]",
      "{\"type\":\"event\",\"nsp\":\"/chat\",\"event\":\"msg\",\"args\":[1,\"two\"],\"id\":7}", "/chat msg", FALSE },
    { "42[\"bare\"]", "{\"type\":\"event\",\"nsp\":\"/\",\"event\":\"bare\",\"args\":[]}", "bare", FALSE },
    { "437[\"ok\"]", "{\"type\":\"ack\",\"nsp\":\"/\",\"args\":[\"ok\"],\"id\":7}", "ack 7", FALSE },
    { "44{\"message\":\"not authorized\"}",
      "{\"type\":\"connect_error\",\"nsp\":\"/\",\"data\":{\"message\":\"not authorized\"}}", "connect_error", FALSE },
    { "451-[\"up\",{\"_placeholder\":true,\"num\":0}]",
      "{\"type\":\"event\",\"nsp\":\"/\",\"event\":\"up\",\"args\":[{\"_placeholder\":true,\"num\":0}],"
      "\"attachments\":1}", "up", FALSE },
  };
  static const struct { const char *text, *why; } bad[] = {
    { "", "not Engine.IO" },
    { "9", "not Engine.IO" },
    { "x42[]", "not Engine.IO" },
    { "0{\"sid\"", "open packet is not JSON" },
    { "0[1]", "open packet is an object" },
    { "4", "not Socket.IO" },
    { "47[]", "not Socket.IO" },
    { "42", "without its data" },
    { "42{\"a\":1}", "first value is its name" },
    { "42[{\"a\":1}]", "first value is its name" },
    { "42[\"tick\",", "not JSON" },
    { "43[1]", "without the id" },
    { "437{}", "an array" },
    { "45[\"x\"]", "number of attachments" },
    { "459999-[\"x\"]", "number of attachments" },
    { "41{\"a\":1}", "no data" },
    { "40[1]", "an object" },
    { "44[1]", "an object or a string" },
    { "4399999999999999999999[1]", "too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_cmpint (view_of (app, SONDE_MESSAGE_KIND_TEXT, good[i].text, strlen (good[i].text), json, &why,
                                &extra), ==, SONDE_RECORD_VIEW_DECODED);
      g_assert_cmpstr (json->str, ==, good[i].view);
      g_assert_cmpstr (extra.label, ==, good[i].label);
      g_assert_cmpint (extra.upkeep, ==, good[i].upkeep);
      {
        JsonNode *node = json_from_string (json->str, NULL);

        g_assert_nonnull (node);
        json_node_unref (node);
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (view_of (app, SONDE_MESSAGE_KIND_TEXT, bad[i].text, strlen (bad[i].text), json, &why, &extra) !=
          SONDE_RECORD_VIEW_FAILED)
        g_error ("“%s” is not malformed: %s", bad[i].text, json->str);
      g_test_message ("%s: %s", bad[i].text, why);
      g_assert_nonnull (strstr (why, bad[i].why));
    }

  /* A binary message is an attachment, upkeep. */
  g_assert_cmpint (view_of (app, SONDE_MESSAGE_KIND_BINARY, "\001\002\003", 3, json, &why, &extra), ==,
                   SONDE_RECORD_VIEW_DECODED);
  g_assert_cmpstr (json->str, ==, "{\"type\":\"attachment\",\"data\":\"AQID\"}");
  g_assert_true (extra.upkeep);

  /* Actions: emit needs a name and JSON; no such action; not connected. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sonde_app_protocol_act (app, "publish", "a b", &error));
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_clear_error (&error);
    g_assert_false (sonde_app_protocol_act (app, "emit", "tick", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  }
  g_free (extra.label);
  g_assert_finalize_object (g_steal_pointer (&app));
}

static gboolean
has_tick_of (SondeSession *session,
             gint64        server)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  g_autofree char *needle = g_strdup_printf ("\"server\":%" G_GINT64_FORMAT "}", server);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_IN && record.kind == SONDE_MESSAGE_KIND_TEXT &&
          g_strstr_len ((const char *) record.data, (gssize) record.stored_size, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The received messages whose view failed, and why. */
static GPtrArray *
dup_failures (SondeSession *session)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  GPtrArray *failures = g_ptr_array_new_with_free_func (g_free);
  Seen seen = { 0 };

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_IN || record.kind != SONDE_MESSAGE_KIND_TEXT)
        continue;
      see (session, &record, &seen);
      if (seen.kind == SONDE_RECORD_VIEW_FAILED)
        g_ptr_array_add (failures, g_strdup_printf ("%.*s: %s", (int) record.stored_size,
                                                    (const char *) record.data, seen.json));
    }
  seen_clear (&seen);
  return failures;
}

static guint
count_failures (SondeSession *session)
{
  g_autoptr(GPtrArray) failures = dup_failures (session);

  return failures->len;
}

/* Connects, stays up past pings, ticks by name, a chart, an ack, binary;
 * then the server restarts and everything is sent again. */
static void
test_live (void)
{
  const char *subscriptions[] = { "subscribe {\"sym\":\"BTC\"}", NULL };
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SondeSeries *series;
  Seen seen = { 0 };
  gint64 opened_us;

  if (sonde_test_app_get_peer () == NULL)
    return;
  session = new_session (NULL, NULL, subscriptions);
  {
    SondeReconnectPolicy policy = { TRUE, 100, 300, 0, 10000 };

    sonde_connection_set_reconnect (sonde_session_get_connection (session), &policy);
  }
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.args[0].price", NULL, NULL, 1000, &error);
  g_assert_no_error (error);
  sonde_test_app_connect (session, sonde_test_app_get_peer (), "/");
  SONDE_TEST_ASSERT_WAIT (is_open (session), WAIT_MS);
  opened_us = g_get_monotonic_time ();
  g_assert_true (g_str_has_suffix (sonde_connection_get_options (sonde_session_get_connection (session))->url,
                                   "/socket.io/?EIO=4&transport=websocket"));

  /* The open packet, then our CONNECT (automatic, upkeep), the server's. */
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "open", 0, &seen), WAIT_MS);
  g_assert_true (seen.upkeep);
  {
    g_autoptr(JsonObject) open = parse_object (seen.json);

    g_assert_cmpstr (json_object_get_string_member (open, "type"), ==, "open");
    g_assert_cmpint (json_object_get_int_member (open, "pingInterval"), ==, PING_INTERVAL_MS);
  }
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_OUT, "connect", 0, &seen), WAIT_MS);
  g_assert_true (seen.record.flags & SONDE_RECORD_FLAG_AUTOMATIC);
  g_assert_true (seen.upkeep);

  /* Ticks by name, in the shape. */
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "tick", 4, &seen), WAIT_MS);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) view = NULL;
      JsonArray *args;

      g_assert_true (find_labelled (session, SONDE_DIRECTION_IN, "tick", i, &seen));
      g_assert_false (seen.upkeep);
      view = parse_object (seen.json);
      g_assert_cmpstr (json_object_get_string_member (view, "type"), ==, "event");
      g_assert_cmpstr (json_object_get_string_member (view, "nsp"), ==, "/");
      g_assert_cmpstr (json_object_get_string_member (view, "event"), ==, "tick");
      g_assert_false (json_object_has_member (view, "id"));
      args = json_object_get_array_member (view, "args");
      g_assert_cmpuint (json_array_get_length (args), ==, 1);
      g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (args, 0), "price"), ==,
                         100 + i / 2.0);
    }

  /* The chart reads $.args[0].price. */
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (series) >= 5, WAIT_MS);
  for (guint i = 0; i < 5; i++)
    {
      gint64 time_us;
      double value;

      g_assert_true (sonde_series_get_point (series, i, &time_us, &value));
      g_assert_cmpfloat (value, ==, 100 + i / 2.0);
    }

  /* An emit with an ack: the ack is paired, its label has the round trip. */
  g_assert_true (sonde_session_app_act (session, "emit-ack", "echo [1,\"two\"]", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "ack echo · ", 0, &seen), WAIT_MS);
  g_test_message ("ack: %s: %s", seen.label, seen.json);
  g_assert_true (g_str_has_suffix (seen.label, " ms"));
  {
    g_autoptr(JsonObject) view = parse_object (seen.json);
    JsonArray *args = json_object_get_array_member (view, "args");

    g_assert_cmpstr (json_object_get_string_member (view, "type"), ==, "ack");
    g_assert_cmpint (json_object_get_int_member (view, "id"), ==, 1);
    g_assert_cmpint (json_array_get_int_element (args, 0), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (args, 1), ==, "two");
  }
  g_assert_true (find_labelled (session, SONDE_DIRECTION_OUT, "echo", 0, &seen));
  g_assert_true (g_str_has_prefix (seen.json, "{\"type\":\"event\",\"nsp\":\"/\",\"event\":\"echo\",\"args\":[1,\"two\"]"));
  g_assert_nonnull (strstr (seen.json, "\"id\":1}"));

  /* A binary event: the attachments in place of the placeholders. */
  g_assert_true (sonde_session_app_act (session, "emit", "binary", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "attachment 2/2", 0, &seen), WAIT_MS);
  g_assert_true (seen.upkeep);
  g_assert_true (find_labelled (session, SONDE_DIRECTION_IN, "blob", 0, &seen));
  g_assert_cmpstr (seen.json, ==,
                   "{\"type\":\"event\",\"nsp\":\"/\",\"event\":\"blob\",\"args\":[{\"name\":\"three\","
                   "\"data\":\"AQID\"},\"aGk=\"],\"attachments\":2}");

  /* Malformed packets from the server: failed views that say why; the
   * connection goes on, and so do the ticks. */
  {
    g_autoptr(GPtrArray) failures = NULL;
    guint ticks = count_labelled (session, SONDE_DIRECTION_IN, "tick");

    g_assert_cmpuint (count_failures (session), ==, 0);
    g_assert_true (sonde_session_app_act (session, "emit", "garbage", &error));
    g_assert_no_error (error);
    SONDE_TEST_ASSERT_WAIT (count_failures (session) == 3, WAIT_MS);
    failures = dup_failures (session);
    for (guint i = 0; i < failures->len; i++)
      g_test_message ("failed: %s", (const char *) g_ptr_array_index (failures, i));
    g_assert_cmpstr (g_ptr_array_index (failures, 0), ==,
                     "49oops: not Socket.IO: a message begins with the packet type, a digit from 0 to 6");
    g_assert_true (g_str_has_prefix (g_ptr_array_index (failures, 1), "42[\"tick\",: not Socket.IO: the data is not JSON: "));
    g_assert_true (g_str_has_prefix (g_ptr_array_index (failures, 2),
                                     "45[\"no-dash\"]: not Socket.IO: a binary packet gives its number of attachments"));
    SONDE_TEST_ASSERT_WAIT (count_labelled (session, SONDE_DIRECTION_IN, "tick") > ticks + 3, WAIT_MS);
    g_assert_true (is_open (session));
  }

  /* Up past several ping intervals: Sonde answered every ping. */
  SONDE_TEST_ASSERT_WAIT (g_get_monotonic_time () - opened_us > 4 * PING_INTERVAL_MS * 1000 &&
                          count_labelled (session, SONDE_DIRECTION_OUT, "pong") >= 4, WAIT_MS);
  g_assert_true (is_open (session));
  g_assert_cmpuint (sonde_test_count_records (sonde_session_get_connection (session), SONDE_DIRECTION_EVENT,
                                              SONDE_MESSAGE_KIND_CLOSE), ==, 0);
  g_assert_true (find_labelled (session, SONDE_DIRECTION_OUT, "pong", 0, &seen));
  g_assert_true (seen.upkeep);
  g_assert_true (seen.record.flags & SONDE_RECORD_FLAG_AUTOMATIC);

  /* The server restarts on the same port: the session reconnects, sends
   * the CONNECT and the subscription again, and ticks come from server 2. */
  {
    const char *args[] = { "--server", "2", NULL };

    sonde_test_app_restart_peer (session, args);
  }
  SONDE_TEST_ASSERT_WAIT (has_tick_of (session, 2), WAIT_MS);
  g_assert_cmpuint (count_labelled (session, SONDE_DIRECTION_OUT, "connect"), >=, 2);
  g_assert_cmpuint (count_labelled (session, SONDE_DIRECTION_OUT, "subscribe"), >=, 2);
  g_assert_true (find_labelled (session, SONDE_DIRECTION_OUT, "subscribe", 1, &seen));
  g_assert_true (seen.record.flags & SONDE_RECORD_FLAG_AUTOMATIC);

  seen_clear (&seen);
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&session));
}

/* /admin refuses a CONNECT without its token (connect_error) and takes
 * one with it; emits go to the namespace. */
static void
test_namespace (void)
{
  static const struct { const char *auth; gboolean accepted; } cases[] = {
    { "{\"token\":\"wrong\"}", FALSE },
    { "{\"token\":\"s3cret\"}", TRUE },
  };

  if (sonde_test_app_get_peer () == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeSession) session = new_session ("/admin", cases[i].auth, NULL);
      g_autoptr(GError) error = NULL;
      Seen seen = { 0 };

      sonde_test_app_connect (session, sonde_test_app_get_peer (), "/socket.io/");
      SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_OUT, "/admin connect", 0, &seen), WAIT_MS);
      g_assert_nonnull (strstr (seen.json, cases[i].auth));
      if (!cases[i].accepted)
        {
          g_autoptr(JsonObject) view = NULL;

          SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "/admin connect_error", 0, &seen),
                                  WAIT_MS);
          view = parse_object (seen.json);
          g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (view, "data"), "message"),
                           ==, "not authorized");
          g_assert_false (seen.upkeep);
        }
      else
        {
          SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "/admin welcome", 0, &seen), WAIT_MS);
          g_assert_nonnull (strstr (seen.json, "\"nsp\":\"/admin\",\"event\":\"welcome\""));
          g_assert_true (sonde_session_app_act (session, "emit-ack", "echo \"hi\"", &error));
          g_assert_no_error (error);
          SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_IN, "ack echo", 0, &seen), WAIT_MS);
          g_assert_nonnull (strstr (seen.json, "\"type\":\"ack\",\"nsp\":\"/admin\",\"args\":[\"hi\"]"));
        }
      seen_clear (&seen);
      sonde_session_disconnect (session);
      SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
      g_assert_finalize_object (g_steal_pointer (&session));
    }
}

static void
on_suggested (SondeSession *session,
              const char   *mode,
              char        **out)
{
  g_free (*out);
  *out = g_strdup (mode);
}

/* No mode: a connection to a Socket.IO server proposes the mode; taken,
 * the session speaks it from a new connection on. */
static void
test_suggested (void)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autofree char *suggested = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };

  if (sonde_test_app_get_peer () == NULL)
    return;
  g_signal_connect (session, "app-protocol-suggested", G_CALLBACK (on_suggested), &suggested);
  sonde_test_app_connect (session, sonde_test_app_get_peer (), "/socket.io/?EIO=4&transport=websocket");
  SONDE_TEST_ASSERT_WAIT (suggested != NULL, WAIT_MS);
  g_assert_cmpstr (suggested, ==, "socket.io");
  g_assert_cmpint (sonde_session_get_suggested_app_protocol (session), ==, SONDE_APP_PROTOCOL_SOCKET_IO);
  g_assert_cmpint (sonde_session_get_app_protocol (session), ==, SONDE_APP_PROTOCOL_NONE);

  g_assert_true (sonde_session_accept_suggested_app_protocol (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sonde_session_get_app_protocol (session), ==, SONDE_APP_PROTOCOL_SOCKET_IO);
  /* The new connection speaks it: the server's namespace connect is read
   * as one. */
  SONDE_TEST_ASSERT_WAIT (find_labelled (session, SONDE_DIRECTION_OUT, "connect", 0, &seen), WAIT_MS);
  g_assert_true (seen.record.flags & SONDE_RECORD_FLAG_AUTOMATIC);
  seen_clear (&seen);
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session), WAIT_MS);
}

/* Feed-integrity rules read the mode's views: $.args[0].seq by
 * $.args[0].sym of the "tick" events (pings and pongs, upkeep, count for
 * nothing); a band on the price; subscribing again restarts the server's
 * sequence at 0: duplicates. */
static void
test_integrity (void)
{
  const char *subscriptions[] = { "subscribe {\"sym\":\"BTC\"}", NULL };
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(JsonNode) rules = NULL;
  g_autoptr(GError) error = NULL;
  SondeIntegrity *integrity;

  if (sonde_test_app_get_peer () == NULL)
    return;
  session = new_session (NULL, NULL, subscriptions);
  integrity = sonde_session_get_integrity (session);
  rules = json_from_string ("{\"sequence\": {\"path\": \"$.args[0].seq\", \"key\": \"$.args[0].sym\"},"
                            " \"bands\": [{\"path\": \"$.args[0].price\", \"max\": 102}]}", &error);
  g_assert_no_error (error);
  g_assert_true (sonde_integrity_set_rules (integrity, rules, &error));
  g_assert_no_error (error);

  sonde_test_app_connect (session, sonde_test_app_get_peer (), "/");
  /* Prices pass 102 at seq 5; by seq 12 (one key, BTC) nothing else. */
  SONDE_TEST_ASSERT_WAIT (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_BAND) >= 7, WAIT_MS);
  g_assert_cmpuint (sonde_integrity_get_n_keys (integrity), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_GAP), ==, 0);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_DUPLICATE), ==, 0);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_OUT_OF_ORDER), ==, 0);

  g_assert_true (sonde_session_app_act (session, "emit", "subscribe {\"sym\":\"BTC\"}", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_DUPLICATE) >= 3, WAIT_MS);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_GAP), ==, 0);
  {
    SondeIntegrityViolation violation;
    g_autofree char *said = NULL;
    guint n = sonde_integrity_get_n_kept (integrity);

    /* The last duplicate (band violations follow from seq 5). */
    do
      g_assert_true (n > 0 && sonde_integrity_get_kept (integrity, --n, &violation));
    while (violation.kind != SONDE_INTEGRITY_DUPLICATE);
    said = sonde_integrity_violation_describe (&violation);
    g_test_message ("the last: %s", said);
    g_assert_cmpstr (violation.key, ==, "BTC");
    g_assert_nonnull (strstr (said, "(BTC)"));
  }

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session), WAIT_MS);
}

/* A server that hangs (SIGSTOP: its socket stays open, no ping comes) is
 * taken for gone after its ping interval + ping timeout, as an Engine.IO
 * client does, and reconnected to once it answers again. */
static void
test_dead_server (void)
{
  const char *subscriptions[] = { "subscribe {\"sym\":\"BTC\"}", NULL };
  g_autoptr(SondeSession) session = new_session (NULL, NULL, subscriptions);
  SondeTestPeer *peer = sonde_test_app_start_peer ("socketio-peer.js", 0, NULL);
  SondeReconnectPolicy policy = { TRUE, 100, 300, 0, 10000 };
  gint64 stopped_us, declared_us;
  guint ticks;

  if (peer == NULL)
    return;
  sonde_connection_set_reconnect (sonde_session_get_connection (session), &policy);
  sonde_connection_set_handshake_timeout (sonde_session_get_connection (session), 1000);
  sonde_test_app_connect (session, peer, "/");
  SONDE_TEST_ASSERT_WAIT (is_open (session) && sonde_test_app_count (session, SONDE_DIRECTION_IN, "tick", FALSE) >= 2,
                          WAIT_MS);

  sonde_test_peer_send_signal (peer, SIGSTOP);
  stopped_us = g_get_monotonic_time ();
  SONDE_TEST_ASSERT_WAIT (sonde_test_app_has_error (session, "No Engine.IO ping from the server for 0.5 s"), WAIT_MS);
  declared_us = g_get_monotonic_time ();
  /* Interval 300 ms + timeout 200 ms from the last ping, which came at
   * most 300 ms before the stop. */
  g_assert_cmpint (declared_us - stopped_us, <, 5 * G_USEC_PER_SEC);
  SONDE_TEST_ASSERT_WAIT (!is_open (session), WAIT_MS);

  sonde_test_peer_send_signal (peer, SIGCONT);
  ticks = sonde_test_app_count (session, SONDE_DIRECTION_IN, "tick", FALSE);
  SONDE_TEST_ASSERT_WAIT (is_open (session) && sonde_test_app_count (session, SONDE_DIRECTION_IN, "tick", FALSE) > ticks,
                          WAIT_MS);
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session), WAIT_MS);
  sonde_test_app_stop_peer (peer);
}

int
main (int    argc,
      char **argv)
{
  const char *args[] = { "--server", "1", NULL };

  sonde_test_init (&argc, &argv);
  sonde_test_app_share_peer ("socketio-peer.js", args);

  g_test_add_func ("/socketio/url", test_url);
  g_test_add_func ("/socketio/views", test_views);
  g_test_add_func ("/socketio/namespace", test_namespace);
  g_test_add_func ("/socketio/live", test_live);
  g_test_add_func ("/socketio/suggested", test_suggested);
  g_test_add_func ("/socketio/integrity", test_integrity);
  g_test_add_func ("/socketio/dead-server", test_dead_server);
  return sonde_test_app_run ();
}
