/* test-log-export.c: a log written out as JSON Lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-log-export.h"
#include "sonde-test-util.h"

#define WAIT_MS 30000

typedef struct {
  gboolean  done;
  gboolean  ok;
  guint64   written;
  guint64   lost;
  GError   *error;
} Result;

static void
on_exported (GObject      *source,
             GAsyncResult *async_result,
             gpointer      data)
{
  Result *result = data;

  result->ok = sonde_log_export_finish (SONDE_MESSAGE_LOG (source), async_result,
                                        &result->written, &result->lost, &result->error);
  result->done = TRUE;
}

static char *
temp_path (const char *name)
{
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  return g_build_filename (g_get_user_cache_dir (), name, NULL);
}

static JsonObject *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, line, -1, &error))
    g_error ("not JSON (%s): %s", error->message, line);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
append (SondeMessageLog  *log,
        SondeDirection    direction,
        SondeMessageKind  kind,
        const void       *data,
        gsize             size)
{
  sonde_message_log_append (log, direction, kind, g_get_real_time (), g_get_monotonic_time (), data, size);
}

/* Every kind of record comes back as what it was: text with NUL bytes and
 * escapes, binary as base64, events with their members; a secret the
 * redactor knows is masked in text, even next to a NUL byte. */
static void
test_round_trip (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autofree char *path = temp_path ("round-trip.jsonl");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  static const char text_nul[] = "before\0s3cr3t-value after";
  static const guint8 binary[] = { 0x00, 0xff, 0x10, 0x80 };
  static const char event[] = "{\"close_code\":1000,\"close_reason\":\"bye\",\"meaning\":\"Normal closure\","
                              "\"initiator\":\"peer\",\"clean\":true,\"requested\":false}";
  const char *quoted = "{\"price\": 1.5, \"note\": \"line\\nbreak \\u202e\"}";
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;
  g_autoptr(JsonObject) fourth = NULL;
  gsize decoded_length;
  g_autofree guchar *decoded = NULL;
  Result result = { 0 };

  sonde_redactor_add_secret (redactor, "s3cr3t-value");

  append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, quoted, strlen (quoted));
  append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, text_nul, sizeof text_nul - 1);
  append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary, sizeof binary);
  append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE, event, strlen (event));

  sonde_log_export_async (log, redactor, file, NULL, on_exported, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (result.written, ==, 4);
  g_assert_cmpuint (result.lost, ==, 0);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  g_assert_null (strstr (contents, "s3cr3t"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_cmpstr (lines[4], ==, "");
  /* Every line as docs/record.schema.json documents it. */
  sonde_test_assert_records (contents);

  first = parse_line (lines[0]);
  g_assert_cmpstr (json_object_get_string_member (first, "dir"), ==, "in");
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "text");
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, quoted);
  g_assert_cmpint (json_object_get_int_member (first, "size"), ==, (gint64) strlen (quoted));
  g_assert_true (json_object_has_member (first, "time"));

  /* json-glib stops a string at a NUL: compare the escaped form. */
  g_assert_nonnull (strstr (lines[1], "\"text\":\"before\\u0000[redacted] after\""));
  second = parse_line (lines[1]);
  g_assert_cmpstr (json_object_get_string_member (second, "dir"), ==, "out");
  /* The size is the message's, as sent. */
  g_assert_cmpint (json_object_get_int_member (second, "size"), ==, (gint64) sizeof text_nul - 1);

  third = parse_line (lines[2]);
  g_assert_cmpstr (json_object_get_string_member (third, "kind"), ==, "binary");
  decoded = g_base64_decode (json_object_get_string_member (third, "base64"), &decoded_length);
  g_assert_cmpmem (decoded, decoded_length, binary, sizeof binary);

  fourth = parse_line (lines[3]);
  g_assert_cmpstr (json_object_get_string_member (fourth, "dir"), ==, "event");
  g_assert_cmpint (json_object_get_int_member (fourth, "close_code"), ==, 1000);
  g_assert_cmpstr (json_object_get_string_member (fourth, "close_reason"), ==, "bye");
}

/* The schema check itself can fail: a wrong type, a member under its old
 * name, an unknown kind, a text message without its text. */
static void
test_schema_rejects (void)
{
  static const char *bad[] = {
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":\"3\",\"text\":\"abc\"}\n",
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"event\",\"kind\":\"error\",\"error\":\"x\","
    "\"domain\":\"g-io-error-quark\",\"code\":39}\n",
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"event\",\"kind\":\"closing\",\"initiator\":\"peer\"}\n",
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"event\",\"kind\":\"bogus\"}\n",
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":3}\n",
    "{\"time\":\"yesterday\",\"dir\":\"in\",\"kind\":\"binary\",\"size\":0,\"base64\":\"\"}\n",
    "not json\n",
  };
  const char *good =
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"event\",\"kind\":\"error\",\"error\":\"x\","
    "\"error_domain\":\"g-io-error-quark\",\"error_code\":39}\n"
    "{\"time\":\"2026-11-25T18:46:55.632245Z\",\"dir\":\"event\",\"kind\":\"closing\",\"initiator\":\"peer\","
    "\"close_code\":1000}\n";
  g_autofree char *none = sonde_test_record_problems (good);

  g_assert_null (none);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *problems = sonde_test_record_problems (bad[i]);

      g_test_message ("%s", problems ? problems : "(accepted)");
      g_assert_nonnull (problems);
    }
}

/* The redactor is optional; without it the text is the text. */
static void
test_no_redactor (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  SondeRecord record = {
    .direction = SONDE_DIRECTION_IN,
    .kind = SONDE_MESSAGE_KIND_TEXT,
    .size = 17,
    .stored_size = 17,
    .data = (const guint8 *) "wss://h/?token=ab",
  };

  sonde_log_export_line (line, &record, NULL);
  g_assert_nonnull (strstr (line->str, "\"text\":\"wss://h/?token=ab\""));

  g_string_truncate (line, 0);
  {
    g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();

    sonde_log_export_line (line, &record, redactor);
    g_assert_nonnull (strstr (line->str, "\"text\":\"wss://h/?token=[redacted]\""));
  }
}

static void
append_numbered (SondeMessageLog *log,
                 guint            from,
                 guint            count)
{
  sonde_message_log_begin_batch (log);
  for (guint i = from; i < from + count; i++)
    {
      char text[64];
      int length = g_snprintf (text, sizeof text, "{\"n\":%u,\"pad\":\"0123456789abcdef\"}", i);

      append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text, (gsize) length);
    }
  sonde_message_log_end_batch (log);
}

static gboolean
on_tick_append (gpointer data)
{
  SondeMessageLog *log = data;
  guint64 next = sonde_message_log_get_next_seq (log);

  append_numbered (log, (guint) next, 5000);
  return G_SOURCE_CONTINUE;
}

/* A big log exported while messages keep arriving and retention evicts
 * the oldest: the file holds what was there at the start and had not been
 * evicted, in order, and the export counts the rest, so that
 * written + lost is the log at the start. */
static void
test_while_capturing (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autofree char *path = temp_path ("capturing.jsonl");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  Result result = { 0 };
  guint64 first_seq, end_seq;
  guint tick;
  guint n_lines;
  gint64 previous = -1;

  sonde_message_log_set_max_count (log, 300000);
  append_numbered (log, 0, 300000);
  first_seq = sonde_message_log_get_first_seq (log);
  end_seq = sonde_message_log_get_next_seq (log);

  sonde_log_export_async (log, NULL, file, NULL, on_exported, &result);
  tick = g_timeout_add (1, on_tick_append, log);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_source_remove (tick);

  g_assert_no_error (result.error);
  g_assert_cmpuint (result.written + result.lost, ==, end_seq - first_seq);
  g_assert_cmpuint (result.written, >, 0);
  g_test_message ("written %" G_GUINT64_FORMAT ", evicted before the export reached them %" G_GUINT64_FORMAT,
                  result.written, result.lost);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines) - 1;
  g_assert_cmpuint (n_lines, ==, result.written);
  for (guint i = 0; i < n_lines; i++)
    {
      const char *n = strstr (lines[i], "{\\\"n\\\":");
      gint64 value;

      g_assert_nonnull (n);
      value = g_ascii_strtoll (n + 7, NULL, 10);
      g_assert_cmpint (value, >, previous);
      g_assert_cmpint (value, <, (gint64) end_seq);
      previous = value;
    }
  /* Up to the last record of the start, unless retention got there first. */
  if (result.lost == 0)
    g_assert_cmpint (previous, ==, (gint64) end_seq - 1);
}

/* A directory that does not exist: a specific error. */
static void
test_unwritable (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent-dir-sonde/log.jsonl");
  Result result = { 0 };

  append_numbered (log, 0, 10);
  sonde_log_export_async (log, NULL, file, NULL, on_exported, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_false (result.ok);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&result.error);
}

static gboolean
cancel_soon (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Cancelled half-way: the file keeps what it held, and no temporary file
 * is left next to it. */
static void
test_cancel_keeps_file (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autofree char *dir = g_dir_make_tmp ("sonde-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "log.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  Result result = { 0 };
  guint n_entries = 0;

  g_assert_true (g_file_set_contents (path, "what was there\n", -1, NULL));
  append_numbered (log, 0, 400000);

  sonde_log_export_async (log, NULL, file, cancellable, on_exported, &result);
  /* After the first slices went out. */
  g_timeout_add (20, cancel_soon, cancellable);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_false (result.ok);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&result.error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "what was there\n");

  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_entries++;
  g_assert_cmpuint (n_entries, ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

typedef struct {
  guint   calls;
  guint64 done;
  guint64 total;
} Progress;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer data)
{
  Progress *progress = data;

  progress->calls++;
  progress->done = done;
  progress->total = total;
}

static char *
export_full (SondeMessageLog          *log,
             SondeFilterModel         *filter,
             SondeRedactor            *redactor,
             const SondeExportOptions *options,
             Progress                 *progress)
{
  g_autofree char *dir = g_dir_make_tmp ("sonde-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GDir) listing = NULL;
  Result result = { 0 };
  char *contents = NULL;
  guint n_entries = 0;

  sonde_log_export_full_async (log, filter, redactor, options, file, NULL, on_progress, progress,
                               on_exported, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));

  /* The file alone: no temporary file left beside it. */
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_entries++;
  g_assert_cmpuint (n_entries, ==, 1);
  g_unlink (path);
  g_rmdir (dir);
  return contents;
}

/* Each format from the live log: HAR with its messages (binary as base64),
 * CSV with a column, JSON Lines within a time range and through a filter;
 * text masked by the redactor in all of them; progress reaches the end. */
static void
test_full_formats (void)
{
  static const guint8 binary[] = { 0, 1, 0, 255 };
  static const char * const paths[] = { "$.n", NULL };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) filter = sonde_filter_model_new (log);
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SondeExportOptions har = { .format = SONDE_EXPORT_FORMAT_HAR, .url = "ws://127.0.0.1:9/x" };
  SondeExportOptions csv = { .format = SONDE_EXPORT_FORMAT_CSV, .csv_paths = paths };
  SondeExportOptions jsonl = { .format = SONDE_EXPORT_FORMAT_JSONL };
  g_autofree char *text = NULL;
  g_auto(GStrv) rows = NULL;
  JsonArray *messages;
  Progress progress = { 0 };
  gint64 t = G_GINT64_CONSTANT (1780000000000000);

  sonde_redactor_add_secret (redactor, "s3cret");
  sonde_message_log_append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, t, 0, "{\"token\":\"s3cret\"}", 18);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, t + 1000000, 1, binary, sizeof binary);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, t + 2000000, 2, "{\"n\":7}", 7);

  text = export_full (log, NULL, redactor, &har, &progress);
  g_assert_null (strstr (text, "s3cret"));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  messages = json_object_get_array_member (
    json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (
      json_node_get_object (json_parser_get_root (parser)), "log"), "entries"), 0), "_webSocketMessages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "data"), ==,
                   "AAEA/w==");
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpuint (progress.done, ==, 3);
  g_assert_cmpuint (progress.total, ==, 3);
  g_clear_pointer (&text, g_free);

  text = export_full (log, NULL, redactor, &csv, &progress);
  rows = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 5);
  g_assert_true (g_str_has_suffix (rows[0], ",$.n"));
  g_assert_true (g_str_has_suffix (rows[3], ",7"));
  g_assert_null (strstr (text, "s3cret"));
  g_clear_pointer (&text, g_free);

  jsonl.from_us = t + 1000000;
  text = export_full (log, NULL, NULL, &jsonl, &progress);
  g_assert_null (strstr (text, "token"));
  g_assert_nonnull (strstr (text, "AAEA/w=="));
  g_assert_nonnull (strstr (text, "\"n\\\":7"));
  g_clear_pointer (&text, g_free);

  jsonl.from_us = 0;
  g_assert_true (sonde_filter_model_set_query (filter, "token", FALSE, &error));
  g_assert_no_error (error);
  SONDE_TEST_WAIT (!sonde_filter_model_get_scanning (filter), WAIT_MS);
  text = export_full (log, filter, NULL, &jsonl, &progress);
  g_assert_nonnull (strstr (text, "s3cret"));
  g_assert_null (strstr (text, "AAEA/w=="));
  g_assert_cmpuint (strlen (text), >, 0);
}

/* The full export, cancelled half-way or failing on a bad column: the
 * existing file stays as it was, a new one is not made. */
static void
test_full_cancel (void)
{
  static const char * const bad_paths[] = { "n", NULL };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autofree char *dir = g_dir_make_tmp ("sonde-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "log.csv", NULL);
  g_autofree char *fresh_path = g_build_filename (dir, "new.har", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) fresh = g_file_new_for_path (fresh_path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) fresh_cancellable = g_cancellable_new ();
  SondeExportOptions csv = { .format = SONDE_EXPORT_FORMAT_CSV };
  SondeExportOptions har = { .format = SONDE_EXPORT_FORMAT_HAR };
  SondeExportOptions bad = { .format = SONDE_EXPORT_FORMAT_CSV, .csv_paths = bad_paths };
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  Result result = { 0 };
  Result fresh_result = { 0 };
  Result bad_result = { 0 };
  Progress progress = { 0 };
  guint n_entries = 0;

  g_assert_true (g_file_set_contents (path, "what was there\n", -1, NULL));
  append_numbered (log, 0, 400000);

  sonde_log_export_full_async (log, NULL, NULL, &csv, file, cancellable, on_progress, &progress,
                               on_exported, &result);
  g_timeout_add (20, cancel_soon, cancellable);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&result.error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "what was there\n");

  sonde_log_export_full_async (log, NULL, NULL, &har, fresh, fresh_cancellable, NULL, NULL,
                               on_exported, &fresh_result);
  g_timeout_add (20, cancel_soon, fresh_cancellable);
  SONDE_TEST_ASSERT_WAIT (fresh_result.done, WAIT_MS);
  g_assert_error (fresh_result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&fresh_result.error);

  sonde_log_export_full_async (log, NULL, NULL, &bad, fresh, NULL, NULL, NULL, on_exported, &bad_result);
  SONDE_TEST_ASSERT_WAIT (bad_result.done, WAIT_MS);
  g_assert_error (bad_result.error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
  g_clear_error (&bad_result.error);

  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_entries++;
  g_assert_cmpuint (n_entries, ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/log-export/round-trip", test_round_trip);
  g_test_add_func ("/log-export/no-redactor", test_no_redactor);
  g_test_add_func ("/log-export/schema-rejects", test_schema_rejects);
  g_test_add_func ("/log-export/while-capturing", test_while_capturing);
  g_test_add_func ("/log-export/unwritable", test_unwritable);
  g_test_add_func ("/log-export/cancel-keeps-file", test_cancel_keeps_file);
  g_test_add_func ("/log-export/full-formats", test_full_formats);
  g_test_add_func ("/log-export/full-cancel", test_full_cancel);

  return g_test_run ();
}
