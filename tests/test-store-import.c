/* test-store-import.c: JSON Lines and HAR files into a store, all or
 * nothing; the errors of a file that is not valid or holds no WebSocket
 * traffic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "sonde-imported-session.h"
#include "sonde-store-import.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define WAIT_MS 60000

/* A store that passes everything to a SondeStoreSqlite but fails the
 * Nth begin_session: a store error in the middle of an import. */
#define TEST_TYPE_FAILING_STORE (test_failing_store_get_type ())
G_DECLARE_FINAL_TYPE (TestFailingStore, test_failing_store, TEST, FAILING_STORE, GObject)

struct _TestFailingStore
{
  GObject     parent_instance;
  SondeStore *inner;
  guint       fail_at;    /* 1-based */
  guint       n_begun;
};

static void test_failing_store_iface_init (SondeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestFailingStore, test_failing_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SONDE_TYPE_STORE, test_failing_store_iface_init))

static gboolean
failing_begin (SondeStore  *store,
               const char  *profile_id,
               const char  *profile_name,
               const char  *url,
               gint64       start_us,
               gint64      *out_id,
               GError     **error)
{
  TestFailingStore *self = TEST_FAILING_STORE (store);

  if (++self->n_begun == self->fail_at)
    {
      g_set_error_literal (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_DISK_FULL, "disk full (test)");
      return FALSE;
    }
  return sonde_store_begin_session (self->inner, profile_id, profile_name, url, start_us, out_id, error);
}

static gboolean
failing_append (SondeStore        *store,
                gint64             id,
                const SondeRecord *records,
                guint              n,
                GError           **error)
{
  return sonde_store_append (TEST_FAILING_STORE (store)->inner, id, records, n, error);
}

static gboolean
failing_end (SondeStore          *store,
             gint64               id,
             gint64               end_us,
             int                  code,
             const char          *reason,
             SondeStoreInitiator  initiator,
             GError             **error)
{
  return sonde_store_end_session (TEST_FAILING_STORE (store)->inner, id, end_us, code, reason, initiator, error);
}

static gboolean
failing_delete (SondeStore  *store,
                gint64       id,
                GError     **error)
{
  return sonde_store_delete_session (TEST_FAILING_STORE (store)->inner, id, error);
}

static void
test_failing_store_iface_init (SondeStoreInterface *iface)
{
  iface->begin_session = failing_begin;
  iface->append = failing_append;
  iface->end_session = failing_end;
  iface->delete_session = failing_delete;
}

static void
test_failing_store_finalize (GObject *object)
{
  g_clear_object (&TEST_FAILING_STORE (object)->inner);
  G_OBJECT_CLASS (test_failing_store_parent_class)->finalize (object);
}

static void
test_failing_store_class_init (TestFailingStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_failing_store_finalize;
}

static void
test_failing_store_init (TestFailingStore *self)
{
}

typedef struct {
  char       *dir;
  SondeStore *store;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("sonde-import-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  fixture->store = SONDE_STORE (sonde_store_sqlite_open (path, &error));
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

static GFile *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static guint
count_sessions (SondeStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = sonde_store_list_sessions (store, &error);

  g_assert_no_error (error);
  return sessions->len;
}

static gboolean
collect_record (const SondeRecord *record,
                gpointer           data)
{
  GPtrArray *records = data;
  SondeRecord *copy = g_memdup2 (record, sizeof *record);

  copy->data = g_memdup2 (record->data, record->stored_size + 1);
  g_ptr_array_add (records, copy);
  return TRUE;
}

static void
free_record (gpointer data)
{
  SondeRecord *record = data;

  g_free ((gpointer) record->data);
  g_free (record);
}

static GPtrArray *
read_all (SondeStore *store,
          gint64      id)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (free_record);
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_store_read_records (store, id, 0, collect_record, records, &error));
  g_assert_no_error (error);
  return records;
}

static void
assert_message (GPtrArray        *records,
                guint             index,
                SondeDirection    direction,
                SondeMessageKind  kind,
                const void       *data,
                gsize             size)
{
  const SondeRecord *record;

  g_assert_cmpuint (index, <, records->len);
  record = g_ptr_array_index (records, index);
  g_assert_cmpint (record->direction, ==, direction);
  g_assert_cmpint (record->kind, ==, kind);
  g_assert_cmpuint (record->size, ==, size);
  g_assert_cmpmem (record->data, record->stored_size, data, size);
}

static const guint8 binary_payload[] = { 0x00, 0x01, 0x00, 0xff };

static void
test_jsonl (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(SondeStoreSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SondeRecord record = { 0 };

  record.wall_us = G_GINT64_CONSTANT (1780000000000000);
  record.direction = SONDE_DIRECTION_OUT;
  record.kind = SONDE_MESSAGE_KIND_TEXT;
  record.size = record.stored_size = 5;
  record.data = (const guint8 *) "hello";
  sonde_record_append_json (text, &record);
  g_string_append_c (text, '\n');

  record.seq = 1;
  record.wall_us += 1500;
  record.direction = SONDE_DIRECTION_IN;
  record.kind = SONDE_MESSAGE_KIND_BINARY;
  record.size = record.stored_size = sizeof binary_payload;
  record.data = binary_payload;
  sonde_record_append_json (text, &record);
  g_string_append_c (text, '\n');

  record.seq = 2;
  record.kind = SONDE_MESSAGE_KIND_TEXT;
  record.size = record.stored_size = 0;
  record.data = (const guint8 *) "";
  sonde_record_append_json (text, &record);
  g_string_append_c (text, '\n');

  file = write_file (fixture, "session.jsonl", text->str, text->len);
  ids = sonde_store_import_file (fixture->store, file, "p1", "Prices", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);

  session = sonde_store_get_session (fixture->store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (session->profile_id, ==, "p1");
  g_assert_cmpstr (session->profile_name, ==, "Prices");
  g_assert_cmpint (session->start_us, ==, G_GINT64_CONSTANT (1780000000000000));
  g_assert_cmpint (session->end_us, ==, G_GINT64_CONSTANT (1780000000001500));

  records = read_all (fixture->store, g_array_index (ids, gint64, 0));
  g_assert_cmpuint (records->len, ==, 3);
  assert_message (records, 0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "hello", 5);
  assert_message (records, 1, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary_payload, sizeof binary_payload);
  assert_message (records, 2, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "", 0);
  g_assert_cmpint (((SondeRecord *) g_ptr_array_index (records, 1))->wall_us, ==,
                   G_GINT64_CONSTANT (1780000000001500));
}

/* Two WebSocket entries and one plain HTTP entry, as Chrome saves them. */
static const char har_two[] =
  "{\n  \"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n"
  "  \"pages\": [], \"entries\": [\n"
  "    {\"startedDateTime\": \"2026-05-28T20:26:40.000Z\", \"request\": {\"method\": \"GET\", \"url\": \"https://a.test/\"},\n"
  "     \"response\": {\"status\": 200}},\n"
  "    {\"startedDateTime\": \"2026-05-28T20:26:40.000Z\", \"_resourceType\": \"websocket\",\n"
  "     \"request\": {\"method\": \"GET\", \"url\": \"wss://a.test/one\"}, \"response\": {\"status\": 101},\n"
  "     \"_webSocketMessages\": [\n"
  "       {\"type\": \"send\", \"time\": 1780000000.5, \"opcode\": 1, \"data\": \"sub\"},\n"
  "       {\"type\": \"receive\", \"time\": 1780000001.25, \"opcode\": 2, \"data\": \"AAEA/w==\"}]},\n"
  "    {\"startedDateTime\": \"2026-05-28T20:27:00.000Z\", \"_resourceType\": \"websocket\",\n"
  "     \"request\": {\"method\": \"GET\", \"url\": \"wss://a.test/two?room=1&token=S3CRET-h4r\"},\n"
  "     \"response\": {\"status\": 101},\n"
  "     \"_webSocketMessages\": [\n"
  "       {\"type\": \"receive\", \"time\": 1780000020, \"opcode\": 1, \"data\": \"\"}]}\n"
  "  ]}\n}\n";

static void
test_har (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "two.har", har_two, -1);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(SondeStoreSession) session = NULL;
  g_autoptr(GError) error = NULL;

  ids = sonde_store_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpuint (count_sessions (fixture->store), ==, 2);

  session = sonde_store_get_session (fixture->store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (session->url, ==, "wss://a.test/one");
  g_assert_null (session->profile_id);
  /* A token in a file's URL is masked as in a recording. */
  {
    g_autoptr(SondeStoreSession) masked = sonde_store_get_session (fixture->store, g_array_index (ids, gint64, 1),
                                                                   &error);

    g_assert_no_error (error);
    g_assert_null (strstr (masked->url, "S3CRET"));
    g_assert_nonnull (strstr (masked->url, "room=1"));
  }

  records = read_all (fixture->store, g_array_index (ids, gint64, 0));
  g_assert_cmpuint (records->len, ==, 2);
  assert_message (records, 0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "sub", 3);
  assert_message (records, 1, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary_payload, sizeof binary_payload);
  g_assert_cmpint (((SondeRecord *) g_ptr_array_index (records, 1))->wall_us, ==,
                   G_GINT64_CONSTANT (1780000001250000));

  second = read_all (fixture->store, g_array_index (ids, gint64, 1));
  g_assert_cmpuint (second->len, ==, 1);
  assert_message (second, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "", 0);
}

typedef struct {
  gboolean done;
  GArray  *ids;
  GError  *error;
} Waiter;

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Waiter *waiter = data;

  waiter->ids = sonde_store_import_finish (SONDE_STORE (source), result, &waiter->error);
  waiter->done = TRUE;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "two.har", har_two, -1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Waiter waiter = { 0 };
  Waiter cancelled = { 0 };

  sonde_store_import_async (fixture->store, file, "p", "P", NULL, on_imported, &waiter);
  SONDE_TEST_ASSERT_WAIT (waiter.done, WAIT_MS);
  g_assert_no_error (waiter.error);
  g_assert_cmpuint (waiter.ids->len, ==, 2);
  g_array_unref (waiter.ids);

  g_cancellable_cancel (cancellable);
  sonde_store_import_async (fixture->store, file, "p", "P", cancellable, on_imported, &cancelled);
  SONDE_TEST_ASSERT_WAIT (cancelled.done, WAIT_MS);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled.ids);
  g_clear_error (&cancelled.error);
  g_assert_cmpuint (count_sessions (fixture->store), ==, 2);
}

/* The store fails at the second session: the first is deleted again. */
static void
test_store_fails_halfway (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "two.har", har_two, -1);
  TestFailingStore *failing = g_object_new (TEST_TYPE_FAILING_STORE, NULL);
  g_autoptr(GError) error = NULL;
  GArray *ids;

  failing->inner = g_object_ref (fixture->store);
  failing->fail_at = 2;
  ids = sonde_store_import_file (SONDE_STORE (failing), file, NULL, NULL, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_DISK_FULL);
  g_assert_cmpuint (failing->n_begun, ==, 2);
  g_assert_cmpuint (count_sessions (fixture->store), ==, 0);
  g_assert_finalize_object (failing);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *broken = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) no_ws = write_file (fixture, "plain.har",
    "{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"https://a.test/\"},"
    "\"response\":{\"status\":200}}]}}", -1);
  g_autoptr(GFile) cut = NULL;
  g_autoptr(GFile) jsonl_cut = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autofree char *missing_path = g_build_filename (fixture->dir, "nothing.har", NULL);
  GArray *ids;

  ids = sonde_store_import_file (fixture->store, no_ws, NULL, NULL, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_NO_WEBSOCKET);
  g_clear_error (&error);

  /* A HAR cut in the middle of its second entry. */
  broken = g_strndup (har_two, strstr (har_two, "wss://a.test/two") - har_two);
  cut = write_file (fixture, "cut.har", broken, -1);
  ids = sonde_store_import_file (fixture->store, cut, NULL, NULL, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_INVALID_JSON);
  g_clear_error (&error);

  /* JSON Lines whose second half is not JSON. */
  g_string_append (lines, "{\"time\":\"2026-05-28T20:26:40.000000Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}\n");
  g_string_append (lines, "{\"time\":\"2026-05-28T20:26:41.000000Z\",\"dir\":\"in\",\"kind\":\"te");
  jsonl_cut = write_file (fixture, "cut.jsonl", lines->str, lines->len);
  ids = sonde_store_import_file (fixture->store, jsonl_cut, NULL, NULL, NULL, &error);
  g_assert_null (ids);
  g_assert_true (error != NULL && error->domain == SONDE_IMPORT_ERROR);
  g_clear_error (&error);

  missing = g_file_new_for_path (missing_path);
  ids = sonde_store_import_file (fixture->store, missing, NULL, NULL, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpuint (count_sessions (fixture->store), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/store-import/jsonl", Fixture, NULL, fixture_setup, test_jsonl, fixture_teardown);
  g_test_add ("/store-import/har", Fixture, NULL, fixture_setup, test_har, fixture_teardown);
  g_test_add ("/store-import/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
  g_test_add ("/store-import/store-fails-halfway", Fixture, NULL, fixture_setup, test_store_fails_halfway,
              fixture_teardown);
  g_test_add ("/store-import/invalid", Fixture, NULL, fixture_setup, test_invalid, fixture_teardown);

  return g_test_run ();
}
