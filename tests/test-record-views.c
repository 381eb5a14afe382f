/* test-record-views.c: each message's decoded view, made lazily, kept
 * within its bound, and read by the filter, the export and the CSV writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decoder.h"
#include "sonde-filter-model.h"
#include "sonde-log-export.h"
#include "sonde-message-log.h"
#include "sonde-redactor.h"
#include "sonde-session.h"
#include "sonde-test-util.h"

/* {"sym":"ABC","price":P,"seq":N} in MessagePack, written out from the
 * spec (a fixmap of 3, fixstr keys, a str, a float 64, a positive fixint). */
static GBytes *
msgpack_tick_sym (const char *sym,
                  double      price,
                  guint       seq)
{
  GByteArray *out = g_byte_array_new ();
  guint64 bits;
  guint8 be[8];
  guint8 fixstr = (guint8) (0xa0 | strlen (sym));

  g_assert_cmpuint (seq, <, 128);
  g_assert_cmpuint (strlen (sym), <, 32);
  g_byte_array_append (out, (const guint8 *) "\x83\xa3sym", 5);
  g_byte_array_append (out, &fixstr, 1);
  g_byte_array_append (out, (const guint8 *) sym, strlen (sym));
  g_byte_array_append (out, (const guint8 *) "\xa5price\xcb", 7);
  memcpy (&bits, &price, 8);
  for (int i = 0; i < 8; i++)
    be[i] = (guint8) (bits >> (56 - 8 * i));
  g_byte_array_append (out, be, 8);
  g_byte_array_append (out, (const guint8 *) "\xa3seq", 4);
  g_byte_array_append (out, (const guint8 *) &(guint8) { (guint8) seq }, 1);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
msgpack_tick (double price,
              guint  seq)
{
  return msgpack_tick_sym ("ABC", price, seq);
}

static guint64
append_binary (SondeMessageLog *log,
               GBytes          *bytes)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  return sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, g_get_real_time (),
                                   g_get_monotonic_time (), data, size);
}

/* A log with a decoder session-style: the session's own view maker. */
static SondeSession *
session_with (const char *spec)
{
  SondeSession *session = sonde_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_session_set_decoder (session, spec, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_session_get_decoder_spec (session), ==, spec);
  /* The same maker, for records read elsewhere (a recorded session). */
  {
    SondeRecordViews *elsewhere = sonde_decoder_views_new (sonde_decoder_new (spec, NULL, NULL, NULL, NULL));

    g_assert_true (sonde_record_views_has_func (elsewhere));
    sonde_record_views_free (elsewhere);
  }
  return session;
}

/* A view is made once, kept, and says what it is: DECODED JSON text with
 * the kind text; FAILED with where; RAW for events and without a chain. */
static void
set_flag (gboolean *flag)
{
  *flag = TRUE;
}

static void
test_views (void)
{
  g_autoptr(SondeSession) session = session_with ("msgpack");
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  g_autoptr(GBytes) tick = msgpack_tick (101.5, 7);
  guint64 seq = append_binary (log, tick);
  guint64 bad;
  SondeRecord record, view;
  const char *why = NULL;

  g_assert_true (sonde_message_log_lookup_seq (log, seq, &record));
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, &why), ==, SONDE_RECORD_VIEW_DECODED);
  g_assert_cmpint (view.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpstr ((const char *) view.data, ==, "{\"sym\":\"ABC\",\"price\":101.5,\"seq\":7}");
  g_assert_cmpuint (sonde_record_views_get_n_made (views), ==, 1);
  /* Asked again: kept, not made again. */
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
  g_assert_cmpuint (sonde_record_views_get_n_made (views), ==, 1);

  bad = sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 1, 1, "\x83\xa3sy", 4);
  g_assert_true (sonde_message_log_lookup_seq (log, bad, &record));
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, &why), ==, SONDE_RECORD_VIEW_FAILED);
  g_assert_nonnull (strstr (why, "could not decode as MessagePack"));
  g_assert_nonnull (strstr (why, "at byte"));
  g_assert_null (sonde_record_views_read (views, &record, &view));

  /* What the chain does not read reads as it is: a sent subscription,
   * and received text that is not the chain's (a "pong" among the
   * MessagePack frames). Received text that is, is decoded. */
  {
    guint64 sent = sonde_message_log_append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, 1, 1,
                                             "{\"op\":\"subscribe\"}", 18);
    guint64 pong = sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1, "pong", 4);
    gsize size;
    const void *packed = g_bytes_get_data (tick, &size);
    guint64 text_tick = sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1,
                                                  packed, size);

    g_assert_true (sonde_message_log_lookup_seq (log, sent, &record));
    g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_RAW);
    g_assert_true (sonde_message_log_lookup_seq (log, pong, &record));
    g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_RAW);
    g_assert_true (sonde_record_views_read (views, &record, &view) == &record);
    g_assert_true (sonde_message_log_lookup_seq (log, text_tick, &record));
    g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
  }

  /* Switched off: the payload is read as it is, and the log says so. */
  {
    gboolean changed = FALSE;
    gulong id = g_signal_connect_swapped (log, "views-changed", G_CALLBACK (set_flag), &changed);

    g_assert_true (sonde_session_set_decoder (session, NULL, NULL, NULL, NULL));
    g_assert_true (changed);
    g_signal_handler_disconnect (log, id);
  }
  g_assert_true (sonde_message_log_lookup_seq (log, seq, &record));
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_RAW);
  g_assert_true (sonde_record_views_read (views, &record, &view) == &record);
  g_assert_cmpuint (sonde_record_views_get_n_kept (views), ==, 0);
}

/* The bound: the oldest views go first, the newest is always kept, and a
 * forgotten view is made again, the same. */
static void
test_bound (void)
{
  g_autoptr(SondeSession) session = session_with ("msgpack");
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  guint n = SONDE_RECORD_VIEWS_MAX_ENTRIES + 1000;
  SondeRecord record, view;

  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) tick = msgpack_tick (i, i % 100);

      append_binary (log, tick);
    }
  sonde_message_log_end_batch (log);

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, &record));
      g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
    }
  g_assert_cmpuint (sonde_record_views_get_n_kept (views), ==, SONDE_RECORD_VIEWS_MAX_ENTRIES);
  g_assert_cmpuint (sonde_record_views_get_bytes (views), <=, SONDE_RECORD_VIEWS_MAX_BYTES);
  g_assert_cmpuint (sonde_record_views_get_n_made (views), ==, n);

  /* The first was forgotten: made again, the same text. */
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
  g_assert_cmpuint (sonde_record_views_get_n_made (views), ==, n + 1);
  g_assert_cmpstr ((const char *) view.data, ==, "{\"sym\":\"ABC\",\"price\":0.0,\"seq\":0}");

  /* Cleared with the log. */
  sonde_message_log_clear (log);
  g_assert_cmpuint (sonde_record_views_get_n_kept (views), ==, 0);
  g_assert_cmpuint (sonde_record_views_get_bytes (views), ==, 0);
}

/* The filter's predicate reads the view, and runs again when the decoder
 * changes; text search falls back to the payload when it does not decode. */
static void
test_filter (void)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  SondeMessageLog *log = sonde_session_get_log (session);
  g_autoptr(SondeFilterModel) filter = sonde_filter_model_new (log);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GBytes) tick = msgpack_tick (100 + i, i);

      append_binary (log, tick);
    }
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 1, 1, "\xc1price", 6);

  g_assert_true (sonde_filter_model_set_query (filter, "$.price >= 105", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_filter_model_get_predicate (filter));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 0);

  g_assert_true (sonde_session_set_decoder (session, "msgpack", NULL, NULL, &error));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 5);

  /* Text: the view ("ABC" is in every tick), or the raw bytes of the one
   * that does not decode ("price" is in its payload). */
  g_assert_true (sonde_filter_model_set_query (filter, "price", FALSE, &error));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 11);
  g_assert_true (sonde_filter_model_set_query (filter, "\"seq\":3}", FALSE, &error));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 1);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} Result;

static void
on_exported (GObject      *source,
             GAsyncResult *async_result,
             gpointer      data)
{
  Result *result = data;

  result->ok = sonde_log_export_finish (SONDE_MESSAGE_LOG (source), async_result, NULL, NULL, &result->error);
  result->done = TRUE;
}

static char *
export_log (SondeMessageLog    *log,
            SondeRedactor      *redactor,
            SondeExportFormat   format,
            const char * const *paths)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "views-export", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SondeExportOptions options = { .format = format, .csv_paths = paths };
  Result result = { 0 };
  char *contents = NULL;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  sonde_log_export_full_async (log, NULL, redactor, &options, file, NULL, NULL, NULL, on_exported, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, 10000);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* Exports: JSON Lines carry "decoded" or "decode_error" (a secret masked
 * in the view too); CSV has the decoded columns and its paths read the
 * view. */
static void
test_export (void)
{
  g_autoptr(SondeSession) session = session_with ("msgpack");
  SondeMessageLog *log = sonde_session_get_log (session);
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autoptr(GBytes) tick = msgpack_tick_sym ("tok-s3cr3t-77", 101.5, 7);
  static const char * const paths[] = { "$.price", NULL };
  g_autofree char *jsonl = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  sonde_redactor_add_secret (redactor, "tok-s3cr3t-77");
  append_binary (log, tick);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 1, 1, "\xc1", 1);
  sonde_message_log_append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, 1, 1, "{}", 2);

  jsonl = export_log (log, redactor, SONDE_EXPORT_FORMAT_JSONL, NULL);
  lines = g_strsplit (jsonl, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_nonnull (strstr (lines[0], ",\"decoded\":{\"sym\":\"[redacted]\",\"price\":101.5,\"seq\":7}}"));
  g_assert_null (strstr (lines[0], "s3cr3t"));
  g_assert_nonnull (strstr (lines[1], ",\"decode_error\":\"could not decode as MessagePack"));
  g_assert_null (strstr (lines[2], "decode"));

  csv = export_log (log, NULL, SONDE_EXPORT_FORMAT_CSV, paths);
  g_assert_true (g_str_has_prefix (csv, "time,direction,kind,size,text,base64,decoded,decode_error,$.price\r\n"));
  g_assert_nonnull (strstr (csv, ",\"{\"\"sym\"\":\"\"tok-s3cr3t-77\"\",\"\"price\"\":101.5,\"\"seq\"\":7}\",,101.5\r\n"));
  g_assert_nonnull (strstr (csv, "could not decode as MessagePack"));
}

/* A view maker that knows a protocol: labels, and upkeep ("2" is an
 * Engine.IO ping) that the filter hides with the pings. */
static SondeRecordViewKind
protocol_view (const SondeRecord    *record,
               GString              *json,
               char                **error_message,
               SondeRecordViewExtra *extra,
               gpointer              user_data)
{
  gboolean ping = record->stored_size == 1 && record->data[0] == '2';

  extra->label = g_strdup (ping ? "ping" : "tick");
  extra->upkeep = ping;
  g_string_append (json, ping ? "{\"type\":\"ping\"}" : "{\"type\":\"event\"}");
  return SONDE_RECORD_VIEW_DECODED;
}

static void
test_labels_and_upkeep (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) filter = sonde_filter_model_new (log);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  SondeRecord record;
  gboolean upkeep = TRUE;
  guint64 tick;

  sonde_message_log_set_view_func (log, protocol_view, NULL, NULL);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1, "2", 1);
  tick = sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1, "42[\"tick\"]", 11);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1, "2", 1);

  g_assert_true (sonde_message_log_lookup_seq (log, tick, &record));
  g_assert_cmpstr (sonde_record_views_get_label (views, &record, &upkeep), ==, "tick");
  g_assert_false (upkeep);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpstr (sonde_record_views_get_label (views, &record, &upkeep), ==, "ping");
  g_assert_true (upkeep);

  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (filter)) == 3, 5000);
  sonde_filter_model_set_kinds (filter, SONDE_FILTER_KIND_ALL & ~SONDE_FILTER_KIND_PINGS);
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (filter), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 1);
}

/* A JSON message whose view is itself (JSON-RPC's): marked payload, kept
 * without a copy. */
static SondeRecordViewKind
payload_view (const SondeRecord    *record,
              GString              *json,
              char                **error_message,
              SondeRecordViewExtra *extra,
              gpointer              user_data)
{
  extra->label = g_strdup ("tick");
  extra->payload = TRUE;
  return SONDE_RECORD_VIEW_DECODED;
}

static void
test_payload_views (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  SondeRecordViews *views = sonde_message_log_get_views (log);
  const char *text = "{\"method\":\"tick\",\"params\":{\"price\":101}}";
  SondeRecord record, view;
  gsize bytes;

  sonde_message_log_set_view_func (log, payload_view, NULL, NULL);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 1, 1, text, strlen (text));
  g_assert_true (sonde_message_log_get_record (log, 0, &record));

  g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
  g_assert_true (view.data == record.data);
  g_assert_cmpuint (view.stored_size, ==, strlen (text));
  g_assert_cmpint (view.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpstr (sonde_record_views_get_label (views, &record, NULL), ==, "tick");
  /* Nothing of the payload was copied: the entry holds its label. */
  bytes = sonde_record_views_get_bytes (views);
  g_assert_cmpuint (bytes, <, strlen (text) + 64);
  /* Read again from the kept entry. */
  g_assert_cmpint (sonde_record_views_get (views, &record, &view, NULL), ==, SONDE_RECORD_VIEW_DECODED);
  g_assert_true (view.data == record.data);
  g_assert_cmpuint (sonde_record_views_get_n_made (views), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/record-views/views", test_views);
  g_test_add_func ("/record-views/bound", test_bound);
  g_test_add_func ("/record-views/filter", test_filter);
  g_test_add_func ("/record-views/export", test_export);
  g_test_add_func ("/record-views/labels-and-upkeep", test_labels_and_upkeep);
  g_test_add_func ("/record-views/payload-views", test_payload_views);

  return g_test_run ();
}
