/* test-session-decode.c: a session reads encoded feeds through its decoder
 * chain, whoever encoded them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real servers whose encoders nobody here wrote send the same twenty ticks
 * {"sym": "BTC", "price": 100.25 + 1.5 i, "seq": i}, then one payload that
 * does not decode: tests/servers/decode_feed.py (Python's gzip and zlib,
 * msgpack, cbor2, and Google's protobuf with a module protoc makes from
 * tests/data/ticker.proto) and tests/servers/decode-feed.js (Node's zlib,
 * @msgpack/msgpack, cbor-x). For each encoding, a session with the right
 * chain connects to it, and everything that reads the decoded view must
 * agree: a chart series on $.price holds the same twenty values; the JSON
 * predicate $.price > 115 holds for the same ten messages, and the log's
 * filter shows those ten, by that predicate and by a regular expression
 * over the decoded text; a threshold rule fires once, at the message that
 * crosses; the payload that does not decode is a failed view that says at
 * which byte, and feeds nothing. With no chain, the first gzip or
 * MessagePack messages propose one (::decoder-suggested), and taking the
 * proposal makes the filter read the views.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sonde-filter-model.h"
#include "sonde-record-matcher.h"
#include "sonde-session.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000
#define TICKS 20
#define PRICE(i) (100.25 + 1.5 * (i))
#define ABOVE 115.0
#define N_ABOVE 10u  /* ticks 10 to 19 */
/* The same ten messages, as text in the decoded JSON. */
#define ABOVE_REGEX "\"price\" *: *1(1[5-9]|2[0-9])\\."

typedef struct {
  const char        *name;
  SondeTestPeerKind  kind;
  const char        *route;
  const char        *chain;
  gboolean           protobuf;
} Feed;

static const Feed feeds[] = {
  { "python/gzip", SONDE_TEST_PEER_PYTHON, "/gzip", "gzip", FALSE },
  { "python/zlib-stream", SONDE_TEST_PEER_PYTHON, "/zlib-stream", "zlib-stream", FALSE },
  { "python/msgpack", SONDE_TEST_PEER_PYTHON, "/msgpack", "msgpack", FALSE },
  { "python/cbor", SONDE_TEST_PEER_PYTHON, "/cbor", "cbor", FALSE },
  { "python/protobuf", SONDE_TEST_PEER_PYTHON, "/protobuf", "protobuf", TRUE },
  { "node/msgpack", SONDE_TEST_PEER_NODE, "/msgpack", "msgpack", FALSE },
  { "node/cbor", SONDE_TEST_PEER_NODE, "/cbor", "cbor", FALSE },
  { "node/gzip", SONDE_TEST_PEER_NODE, "/gzip", "gzip", FALSE },
};

/* Made once in main (): protoc, Python and Node are slow to start. */
static char *tmpdir;
static char *descriptor_path;
static SondeTestPeer *peers[SONDE_TEST_PEER_N_KINDS];
static char *peer_errors[SONDE_TEST_PEER_N_KINDS];

typedef struct {
  guint    n_alerts;
  guint64  alert_seq;
  guint    n_suggested;
  char    *suggested;
} Seen;

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          Seen          *seen)
{
  seen->n_alerts++;
  seen->alert_seq = seq;
}

static void
on_decoder_suggested (SondeSession *session,
                      const char   *spec,
                      Seen         *seen)
{
  seen->n_suggested++;
  g_free (seen->suggested);
  seen->suggested = g_strdup (spec);
}

static SondeTestPeer *
peer_for (SondeTestPeerKind kind)
{
  if (peers[kind] == NULL)
    {
      g_test_skip (peer_errors[kind]);
      return NULL;
    }
  return peers[kind];
}

/* The received messages of @session's log (binary, here), in order. */
static GArray *
received (SondeSession *session)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  GArray *records = g_array_new (FALSE, FALSE, sizeof (SondeRecord));

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_IN &&
          (record.kind == SONDE_MESSAGE_KIND_TEXT || record.kind == SONDE_MESSAGE_KIND_BINARY))
        g_array_append_val (records, record);
    }
  return records;
}

static gboolean
feed_is_over (SondeSession *session)
{
  return sonde_test_connection_is_final (sonde_session_get_connection (session));
}

static guint
count_filtered (SondeFilterModel *filter)
{
  return sonde_filter_model_get_scanning (filter) ? G_MAXUINT : g_list_model_get_n_items (G_LIST_MODEL (filter));
}

static void
test_feed (gconstpointer data)
{
  const Feed *feed = data;
  SondeTestPeer *peer = peer_for (feed->kind);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(SondeFilterModel) filter = NULL;
  g_autoptr(SondeFilterModel) predicate = NULL;
  g_autoptr(SondeRecordMatcher) above = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeRecordViews *views;
  SondeSeries *series;
  guint64 crossing_seq = 0;
  guint n_above = 0;
  Seen seen = { 0 };

  if (peer == NULL)
    return;
  if (feed->protobuf && descriptor_path == NULL)
    {
      g_test_skip ("protoc is not installed");
      return;
    }

  session = sonde_session_new ();
  g_assert_true (sonde_session_set_decoder (session, feed->chain, feed->protobuf ? descriptor_path : NULL,
                                            feed->protobuf ? "sonde.test.Ticker" : NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_session_get_decoder_spec (session), ==, feed->chain);
  g_signal_connect (session, "decoder-suggested", G_CALLBACK (on_decoder_suggested), &seen);

  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.price", NULL, NULL, 1000, &error);
  g_assert_no_error (error);
  filter = sonde_filter_model_new (sonde_session_get_log (session));
  g_assert_true (sonde_filter_model_set_query (filter, ABOVE_REGEX, TRUE, &error));
  g_assert_no_error (error);
  predicate = sonde_filter_model_new (sonde_session_get_log (session));
  g_assert_true (sonde_filter_model_set_query (predicate, "$.price > 115", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_filter_model_get_predicate (predicate));
  sonde_notifier_set_cooldown (sonde_session_get_notifier (session), 0);
  g_assert_true (sonde_notifier_add_threshold (sonde_session_get_notifier (session), "$.price", ">", ABOVE, &error));
  g_assert_no_error (error);
  g_signal_connect (sonde_session_get_notifier (session), "alert", G_CALLBACK (on_alert), &seen);

  url = sonde_test_peer_dup_url (peer, feed->route);
  g_assert_true (sonde_session_connect_url (session, url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (feed_is_over (session), WAIT_MS);
  sonde_test_dump_events (sonde_session_get_connection (session), 200);
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_CLOSED);

  /* Every tick and the bad payload arrived, as binary. */
  records = received (session);
  g_assert_cmpuint (records->len, ==, TICKS + 1);
  views = sonde_message_log_get_views (sonde_session_get_log (session));
  above = sonde_record_matcher_new (SONDE_RECORD_MATCH_PREDICATE, "$.price > 115", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < TICKS; i++)
    {
      const SondeRecord *record = &g_array_index (records, SondeRecord, i);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *text = NULL;
      SondeRecord view;
      const char *why = NULL;
      JsonObject *object;

      g_assert_cmpint (record->kind, ==, SONDE_MESSAGE_KIND_BINARY);
      g_assert_cmpint (sonde_record_views_get (views, record, &view, &why), ==, SONDE_RECORD_VIEW_DECODED);
      g_assert_cmpint (view.kind, ==, SONDE_MESSAGE_KIND_TEXT);
      text = g_strndup ((const char *) view.data, view.stored_size);
      if (i == 0)
        g_test_message ("%s: the first view: %s", feed->name, text);
      node = json_from_string (text, &error);
      g_assert_no_error (error);
      object = json_node_get_object (node);
      g_assert_cmpfloat (json_object_get_double_member (object, "price"), ==, PRICE (i));
      /* Protobuf names the fields of ticker.proto; 0 is not on the wire. */
      if (feed->protobuf)
        {
          g_assert_cmpstr (json_object_get_string_member (object, "symbol"), ==, "BTC");
          g_assert_cmpint (json_object_get_int_member_with_default (object, "count", 0), ==, i);
        }
      else
        {
          g_assert_cmpstr (json_object_get_string_member (object, "sym"), ==, "BTC");
          g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, i);
        }

      if (sonde_record_matcher_matches_view (above, views, record))
        {
          n_above++;
          if (crossing_seq == 0)
            crossing_seq = record->seq;
          g_assert_cmpfloat (PRICE (i), >, ABOVE);
        }
    }
  g_assert_cmpuint (n_above, ==, N_ABOVE);

  /* The last payload does not decode: it says where, and matches nothing. */
  {
    const SondeRecord *bad = &g_array_index (records, SondeRecord, TICKS);
    const char *why = NULL;
    SondeRecord view;

    if (sonde_record_views_get (views, bad, &view, &why) != SONDE_RECORD_VIEW_FAILED)
      g_error ("%s: the bad payload (%" G_GSIZE_FORMAT " bytes) decodes, as %.*s", feed->name, bad->stored_size,
               (int) view.stored_size, (const char *) view.data);
    g_test_message ("%s: the bad payload: %s", feed->name, why);
    g_assert_nonnull (why);
    g_assert_nonnull (strstr (why, "at byte"));
    g_assert_false (sonde_record_matcher_matches_view (above, views, bad));
    g_assert_null (sonde_record_views_read (views, bad, &(SondeRecord) { 0 }));
  }

  /* The chart got exactly the twenty prices: nothing from the bad one. */
  g_assert_cmpuint (sonde_series_get_n_points (series), >=, TICKS);
  {
    guint values = 0;

    for (guint i = 0; i < sonde_series_get_n_points (series); i++)
      {
        gint64 time_us;
        double value;

        g_assert_true (sonde_series_get_point (series, i, &time_us, &value));
        if (isnan (value))
          continue; /* the gap where the connection closed */
        g_assert_cmpuint (values, <, TICKS);
        g_assert_cmpfloat (value, ==, PRICE (values));
        values++;
      }
    g_assert_cmpuint (values, ==, TICKS);
  }

  /* The log's filter reads the views too. */
  SONDE_TEST_ASSERT_WAIT (count_filtered (filter) == N_ABOVE, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (count_filtered (predicate) == N_ABOVE, WAIT_MS);
  for (guint i = 0; i < N_ABOVE; i++)
    {
      SondeRecord shown;

      g_assert_true (sonde_filter_model_get_record (predicate, i, &shown));
      g_assert_cmpuint (shown.seq, ==, g_array_index (records, SondeRecord, TICKS - N_ABOVE + i).seq);
    }

  /* The rule fired once, where the price crossed. */
  g_assert_cmpuint (seen.n_alerts, ==, 1);
  g_assert_cmpuint (seen.alert_seq, ==, crossing_seq);
  /* A chain is on: nothing to propose. */
  g_assert_cmpuint (seen.n_suggested, ==, 0);

  g_signal_handlers_disconnect_by_data (sonde_session_get_notifier (session), &seen);
  g_signal_handlers_disconnect_by_data (session, &seen);
  g_clear_object (&filter);
  g_clear_object (&predicate);
  g_assert_finalize_object (g_steal_pointer (&session));
}

/* With no chain, the first binary messages propose one; the charts and
 * the filter read nothing from binary until it is taken, and then the
 * filter (which restarts on ::views-changed) reads every view. */
static void
test_suggested (gconstpointer data)
{
  const Feed *feed = data;
  SondeTestPeer *peer = peer_for (feed->kind);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(SondeFilterModel) filter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeSeries *series;
  Seen seen = { 0 };

  if (peer == NULL)
    return;

  session = sonde_session_new ();
  g_assert_null (sonde_session_get_decoder_spec (session));
  g_signal_connect (session, "decoder-suggested", G_CALLBACK (on_decoder_suggested), &seen);
  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.price", NULL, NULL, 1000, &error);
  g_assert_no_error (error);
  filter = sonde_filter_model_new (sonde_session_get_log (session));
  g_assert_true (sonde_filter_model_set_query (filter, "$.price > 115", FALSE, &error));
  g_assert_true (sonde_filter_model_get_predicate (filter));

  url = sonde_test_peer_dup_url (peer, feed->route);
  g_assert_true (sonde_session_connect_url (session, url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (feed_is_over (session), WAIT_MS);

  g_assert_cmpuint (seen.n_suggested, ==, 1);
  g_assert_cmpstr (seen.suggested, ==, feed->chain);
  g_assert_cmpstr (sonde_session_get_suggested_decoder (session), ==, feed->chain);
  g_assert_null (sonde_session_get_decoder_spec (session));
  /* Binary read as it is is not JSON: no point, no match. */
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 0);
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 0);

  g_assert_true (sonde_session_accept_suggested_decoder (session, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_session_get_decoder_spec (session), ==, feed->chain);
  g_assert_null (sonde_session_get_suggested_decoder (session));
  SONDE_TEST_ASSERT_WAIT (count_filtered (filter) == N_ABOVE, WAIT_MS);

  g_free (seen.suggested);
  g_signal_handlers_disconnect_by_data (session, &seen);
  g_clear_object (&filter);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s\n%s", argv[0], error->message, err ? err : "");
}

/* protoc writes the descriptor set Sonde reads and the module the Python
 * server encodes with, from the same .proto. */
static void
compile_proto (const char *protoc)
{
  g_autofree char *proto_dir = g_test_build_filename (G_TEST_DIST, "data", NULL);
  g_autofree char *proto = g_build_filename (proto_dir, "ticker.proto", NULL);
  g_autofree char *include = g_strconcat ("-I", proto_dir, NULL);
  g_autofree char *set_out = NULL;
  g_autofree char *python_out = NULL;
  g_autoptr(GError) error = NULL;

  descriptor_path = g_build_filename (tmpdir, "ticker.pb", NULL);
  set_out = g_strconcat ("--descriptor_set_out=", descriptor_path, NULL);
  python_out = g_strconcat ("--python_out=", tmpdir, NULL);
  {
    const char *argv[] = { protoc, set_out, "--include_imports", python_out, include, proto, NULL };

    run (argv);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *protoc = NULL;
  int status;

  sonde_test_init (&argc, &argv);

  tmpdir = g_dir_make_tmp ("sonde-test-session-decode-XXXXXX", &error);
  g_assert_no_error (error);
  protoc = g_find_program_in_path ("protoc");
  if (protoc != NULL)
    compile_proto (protoc);

  {
    const char *python_args[] = { "--proto-dir", tmpdir, NULL };

    peers[SONDE_TEST_PEER_PYTHON] = sonde_test_peer_start_kind_script (SONDE_TEST_PEER_PYTHON, "decode_feed.py",
                                                                       protoc != NULL ? python_args : NULL, &error);
    if (peers[SONDE_TEST_PEER_PYTHON] == NULL)
      peer_errors[SONDE_TEST_PEER_PYTHON] = g_strdup (error->message);
    g_clear_error (&error);
    peers[SONDE_TEST_PEER_NODE] = sonde_test_peer_start_kind_script (SONDE_TEST_PEER_NODE, "decode-feed.js",
                                                                     NULL, &error);
    if (peers[SONDE_TEST_PEER_NODE] == NULL)
      peer_errors[SONDE_TEST_PEER_NODE] = g_strdup (error->message);
    g_clear_error (&error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (feeds); i++)
    {
      g_autofree char *path = g_strconcat ("/session-decode/feed/", feeds[i].name, NULL);

      g_test_add_data_func (path, &feeds[i], test_feed);
    }
  /* python/gzip and node/msgpack, with no chain. */
  g_test_add_data_func ("/session-decode/suggested/python/gzip", &feeds[0], test_suggested);
  g_test_add_data_func ("/session-decode/suggested/node/msgpack", &feeds[5], test_suggested);
  status = g_test_run ();

  for (guint k = 0; k < SONDE_TEST_PEER_N_KINDS; k++)
    {
      if (peers[k] != NULL && !sonde_test_peer_stop (peers[k], &error))
        {
          g_printerr ("%s\n", error->message);
          g_clear_error (&error);
        }
      g_clear_pointer (&peers[k], sonde_test_peer_free);
      g_free (peer_errors[k]);
    }
  sonde_test_remove_dir (tmpdir);
  g_free (tmpdir);
  g_free (descriptor_path);
  return status;
}
