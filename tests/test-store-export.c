/* test-store-export.c: a recorded session written out as JSON Lines, CSV
 * and HAR; time ranges; cancel and errors leave no partial file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sonde-error.h"
#include "sonde-store-export.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define WAIT_MS 60000
#define START_US G_GINT64_CONSTANT (1780000000000000)

static const guint8 binary_payload[] = { 0x00, 0x01, 0x00, 0xff, 0x7f, 0x00 };

/* A store that reads through to another and cancels @cancellable once
 * @cancel_after records have gone by: a cancel in the middle of an export,
 * at a known place. */
#define TEST_TYPE_CANCELLING_STORE (test_cancelling_store_get_type ())
G_DECLARE_FINAL_TYPE (TestCancellingStore, test_cancelling_store, TEST, CANCELLING_STORE, GObject)

struct _TestCancellingStore
{
  GObject       parent_instance;
  SondeStore   *inner;
  GCancellable *cancellable;
  guint         cancel_after;
};

static void test_cancelling_store_iface_init (SondeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCancellingStore, test_cancelling_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SONDE_TYPE_STORE, test_cancelling_store_iface_init))

typedef struct {
  TestCancellingStore  *self;
  SondeStoreRecordFunc  func;
  gpointer              data;
  guint                 seen;
} Passing;

static gboolean
pass_record (const SondeRecord *record,
             gpointer           data)
{
  Passing *passing = data;

  if (++passing->seen == passing->self->cancel_after)
    g_cancellable_cancel (passing->self->cancellable);
  return passing->func (record, passing->data);
}

static gboolean
cancelling_read_records (SondeStore           *store,
                         gint64                id,
                         guint64               from_seq,
                         SondeStoreRecordFunc  func,
                         gpointer              data,
                         GError              **error)
{
  TestCancellingStore *self = TEST_CANCELLING_STORE (store);
  Passing passing = { self, func, data, 0 };

  return sonde_store_read_records (self->inner, id, from_seq, pass_record, &passing, error);
}

static SondeStoreSession *
cancelling_get_session (SondeStore  *store,
                        gint64       id,
                        GError     **error)
{
  return sonde_store_get_session (TEST_CANCELLING_STORE (store)->inner, id, error);
}

static void
test_cancelling_store_iface_init (SondeStoreInterface *iface)
{
  iface->read_records = cancelling_read_records;
  iface->get_session = cancelling_get_session;
}

static void
test_cancelling_store_finalize (GObject *object)
{
  TestCancellingStore *self = TEST_CANCELLING_STORE (object);

  g_clear_object (&self->inner);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (test_cancelling_store_parent_class)->finalize (object);
}

static void
test_cancelling_store_class_init (TestCancellingStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_cancelling_store_finalize;
}

static void
test_cancelling_store_init (TestCancellingStore *self)
{
}

typedef struct {
  char       *dir;
  SondeStore *store;
  gint64      session_id;
} Fixture;

static SondeRecord
message (guint64         seq,
         SondeDirection  direction,
         SondeMessageKind kind,
         const void     *data,
         gsize           size)
{
  SondeRecord record = { 0 };

  record.seq = seq;
  record.wall_us = START_US + (gint64) seq * G_USEC_PER_SEC;
  record.mono_us = (gint64) seq * G_USEC_PER_SEC;
  record.direction = direction;
  record.kind = kind;
  record.size = size;
  record.stored_size = size;
  record.data = data;
  return record;
}

/* One session: text out, binary in (NUL bytes), an empty text in, text in,
 * a second apart. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SondeRecord records[4];

  fixture->dir = g_dir_make_tmp ("sonde-export-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  fixture->store = SONDE_STORE (sonde_store_sqlite_open (path, &error));
  g_assert_no_error (error);

  records[0] = message (0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "{\"op\":\"sub\"}", 12);
  records[1] = message (1, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary_payload, sizeof binary_payload);
  records[2] = message (2, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "", 0);
  records[3] = message (3, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"price\":101.5}", 15);

  g_assert_true (sonde_store_begin_session (fixture->store, NULL, NULL, "ws://127.0.0.1:9/feed", START_US,
                                            &fixture->session_id, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_append (fixture->store, fixture->session_id, records, G_N_ELEMENTS (records), &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_end_session (fixture->store, fixture->session_id, START_US + 4 * G_USEC_PER_SEC,
                                          1000, "bye", SONDE_STORE_ENDED_BY_SERVER, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  /* A worker thread drops its task (and the task its store) a moment
   * after the result has been delivered. */
  SONDE_TEST_ASSERT_WAIT (G_OBJECT (fixture->store)->ref_count == 1, WAIT_MS);
  g_assert_finalize_object (fixture->store);
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

/* The names in the fixture's folder that are not the store's. */
static guint
count_other_files (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_has_prefix (name, "store.sqlite"))
      n++;
  return n;
}

static char *
export_to_string (Fixture                  *fixture,
                  const SondeExportOptions *options)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  guint64 n_written = 0;

  g_assert_true (sonde_store_export_to_stream (fixture->store, fixture->session_id, options, NULL, stream, NULL,
                                               NULL, NULL, &n_written, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
  guint64  n_written;
  guint    n_progress;
  guint64  last_done;
  guint64  last_total;
} Waiter;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer data)
{
  Waiter *waiter = data;

  g_assert_false (waiter->done);
  waiter->n_progress++;
  waiter->last_done = done;
  waiter->last_total = total;
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Waiter *waiter = data;

  waiter->ok = sonde_store_export_finish (SONDE_STORE (source), result, &waiter->n_written, &waiter->error);
  waiter->done = TRUE;
}

static void
export_file (Fixture                  *fixture,
             const SondeExportOptions *options,
             GFile                    *file,
             GCancellable             *cancellable,
             Waiter                   *waiter)
{
  sonde_store_export_async (fixture->store, fixture->session_id, options, NULL, file, cancellable, on_progress,
                            waiter, on_exported, waiter);
  SONDE_TEST_ASSERT_WAIT (waiter->done, WAIT_MS);
  /* A progress report queued before the end would come now. */
  sonde_test_spin (50);
}

static void
test_har (Fixture       *fixture,
          gconstpointer  data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_HAR };
  g_autofree char *path = g_build_filename (fixture->dir, "session.har", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guchar *decoded = NULL;
  gsize decoded_length = 0;
  Waiter waiter = { 0 };
  JsonObject *entry;
  JsonArray *messages;
  JsonObject *message_object;

  export_file (fixture, &options, file, NULL, &waiter);
  g_assert_no_error (waiter.error);
  g_assert_true (waiter.ok);
  g_assert_cmpuint (waiter.n_written, ==, 4);
  g_assert_cmpuint (waiter.n_progress, >=, 1);
  g_assert_cmpuint (waiter.last_done, ==, 4);
  g_assert_cmpuint (waiter.last_total, ==, 4);
  g_assert_cmpuint (count_other_files (fixture), ==, 1);

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  entry = json_array_get_object_element (
    json_object_get_array_member (json_object_get_object_member (
      json_node_get_object (json_parser_get_root (parser)), "log"), "entries"), 0);
  /* The session's URL and start. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "request"), "url"), ==,
                   "ws://127.0.0.1:9/feed");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "startedDateTime"), "2026-05-28T"));
  messages = json_object_get_array_member (entry, "_webSocketMessages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);

  message_object = json_array_get_object_element (messages, 0);
  g_assert_cmpstr (json_object_get_string_member (message_object, "type"), ==, "send");
  g_assert_cmpint (json_object_get_int_member (message_object, "opcode"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message_object, "data"), ==, "{\"op\":\"sub\"}");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (message_object, "time"), START_US / 1e6, 1e-3);

  message_object = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (json_object_get_string_member (message_object, "type"), ==, "receive");
  g_assert_cmpint (json_object_get_int_member (message_object, "opcode"), ==, 2);
  decoded = g_base64_decode (json_object_get_string_member (message_object, "data"), &decoded_length);
  g_assert_cmpmem (decoded, decoded_length, binary_payload, sizeof binary_payload);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (message_object, "time"), START_US / 1e6 + 1, 1e-3);

  message_object = json_array_get_object_element (messages, 2);
  g_assert_cmpstr (json_object_get_string_member (message_object, "data"), ==, "");
}

static void
test_jsonl (Fixture       *fixture,
            gconstpointer  data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };
  g_autofree char *text = export_to_string (fixture, &options);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_cmpstr (lines[4], ==, "");
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (strstr (lines[0], "\"dir\":\"out\""));
  g_assert_nonnull (strstr (lines[1], "\"base64\":\"AAEA/38A\""));
  g_assert_nonnull (strstr (lines[3], "{\\\"price\\\":101.5}"));
  sonde_test_assert_records (text);
}

static void
test_csv (Fixture       *fixture,
          gconstpointer  data)
{
  static const char * const paths[] = { "$.price", NULL };
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_CSV, .csv_paths = paths };
  g_autofree char *text = export_to_string (fixture, &options);
  g_auto(GStrv) rows = g_strsplit (text, "\r\n", -1);

  g_assert_cmpuint (g_strv_length (rows), ==, 6);
  g_assert_true (g_str_has_prefix (rows[0], "time,direction,kind,size,"));
  g_assert_true (g_str_has_suffix (rows[0], ",$.price"));
  g_assert_true (g_str_has_suffix (rows[2], ",AAEA/38A,"));
  g_assert_true (g_str_has_suffix (rows[4], ",101.5"));
}

static void
test_range (Fixture       *fixture,
            gconstpointer  data)
{
  SondeExportOptions options = {
    .format = SONDE_EXPORT_FORMAT_JSONL,
    .from_us = START_US + 1 * G_USEC_PER_SEC,
    .to_us = START_US + 2 * G_USEC_PER_SEC,
  };
  g_autofree char *text = export_to_string (fixture, &options);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* Inclusive at both ends: the binary and the empty message. */
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "\"kind\":\"binary\""));
  g_assert_nonnull (strstr (lines[1], "\"size\":0"));

  /* Open at the start. */
  options.from_us = 0;
  options.to_us = START_US;
  g_clear_pointer (&text, g_free);
  text = export_to_string (fixture, &options);
  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_nonnull (strstr (text, "\"dir\":\"out\""));
  g_assert_null (strstr (text, "\"dir\":\"in\""));
}

static void
test_cancel_keeps_file (Fixture       *fixture,
                        gconstpointer  data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_HAR };
  g_autofree char *path = g_build_filename (fixture->dir, "kept.har", NULL);
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.har", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) fresh = g_file_new_for_path (fresh_path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  Waiter waiter = { 0 };
  Waiter fresh_waiter = { 0 };

  g_assert_true (g_file_set_contents (path, "keep me", -1, NULL));
  g_cancellable_cancel (cancellable);

  export_file (fixture, &options, file, cancellable, &waiter);
  g_assert_false (waiter.ok);
  g_assert_error (waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waiter.error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");

  export_file (fixture, &options, fresh, cancellable, &fresh_waiter);
  g_assert_error (fresh_waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&fresh_waiter.error);
  g_assert_false (g_file_test (fresh_path, G_FILE_TEST_EXISTS));

  /* Nothing but the file that was there: no temporary file left. */
  g_assert_cmpuint (count_other_files (fixture), ==, 1);
}

/* Cancelled in the middle, after the file was begun: the temporary file
 * goes, the target keeps what it held. */
static void
test_cancel_midway (Fixture       *fixture,
                    gconstpointer  data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };
  g_autofree char *path = g_build_filename (fixture->dir, "kept.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  TestCancellingStore *store = g_object_new (TEST_TYPE_CANCELLING_STORE, NULL);
  g_autofree char *contents = NULL;
  Waiter waiter = { 0 };

  store->inner = g_object_ref (fixture->store);
  store->cancellable = g_cancellable_new ();
  store->cancel_after = 2;
  g_assert_true (g_file_set_contents (path, "keep me", -1, NULL));

  sonde_store_export_async (SONDE_STORE (store), fixture->session_id, &options, NULL, file, store->cancellable,
                            NULL, NULL, on_exported, &waiter);
  SONDE_TEST_ASSERT_WAIT (waiter.done, WAIT_MS);
  g_assert_error (waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waiter.error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  g_assert_cmpuint (count_other_files (fixture), ==, 1);

  SONDE_TEST_ASSERT_WAIT (G_OBJECT (store)->ref_count == 1, WAIT_MS);
  g_assert_finalize_object (store);
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const bad_paths[] = { "price", NULL };
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };
  SondeExportOptions bad_csv = { .format = SONDE_EXPORT_FORMAT_CSV, .csv_paths = bad_paths };
  g_autofree char *path = g_build_filename (fixture->dir, "x.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  SondeExportFormat format;
  Waiter waiter = { 0 };

  /* An unknown session. */
  g_assert_false (sonde_store_export_to_stream (fixture->store, fixture->session_id + 100, &options, NULL, stream,
                                                NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A CSV column that is not a path: no file. */
  sonde_store_export_async (fixture->store, fixture->session_id, &bad_csv, NULL, file, NULL, NULL, NULL,
                            on_exported, &waiter);
  SONDE_TEST_ASSERT_WAIT (waiter.done, WAIT_MS);
  g_assert_error (waiter.error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
  g_clear_error (&waiter.error);
  g_assert_cmpuint (count_other_files (fixture), ==, 0);

  /* The formats by name. */
  g_assert_true (sonde_export_format_from_string ("HAR", &format, &error));
  g_assert_cmpint (format, ==, SONDE_EXPORT_FORMAT_HAR);
  g_assert_true (sonde_export_format_from_string ("jsonl", &format, &error));
  g_assert_cmpint (format, ==, SONDE_EXPORT_FORMAT_JSONL);
  g_assert_cmpstr (sonde_export_format_extension (SONDE_EXPORT_FORMAT_CSV), ==, "csv");
  g_assert_false (sonde_export_format_from_string ("xml", &format, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "jsonl"));
  g_assert_nonnull (strstr (error->message, "har"));
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/store-export/har", Fixture, NULL, fixture_setup, test_har, fixture_teardown);
  g_test_add ("/store-export/jsonl", Fixture, NULL, fixture_setup, test_jsonl, fixture_teardown);
  g_test_add ("/store-export/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
  g_test_add ("/store-export/range", Fixture, NULL, fixture_setup, test_range, fixture_teardown);
  g_test_add ("/store-export/cancel-keeps-file", Fixture, NULL, fixture_setup, test_cancel_keeps_file,
              fixture_teardown);
  g_test_add ("/store-export/cancel-midway", Fixture, NULL, fixture_setup, test_cancel_midway, fixture_teardown);
  g_test_add ("/store-export/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);

  return g_test_run ();
}
