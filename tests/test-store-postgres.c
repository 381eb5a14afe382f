/* test-store-postgres.c: SondeStorePostgres against a real PostgreSQL
 *
 * One server for the whole run (sonde-test-postgres.c: initdb + pg_ctl in
 * a temporary directory, stopped and removed at the end, whatever way
 * the test ends); each case works in a database of its own. Covers the
 * schema made on first use, records back byte for byte, the same search
 * and exports as SQLite over the same recording, a restart in the middle
 * of a recording losing nothing, and the recorder's gap past its bound
 * while the server is away. Opening (its errors), reading only, URIs and
 * sonde-cli are test-store-postgres-open.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-history-search.h"
#include "sonde-recorder.h"
#include "sonde-store-export.h"
#include "sonde-store-postgres.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-postgres.h"
#include "sonde-test-util.h"

#define START_US G_GINT64_CONSTANT (1700000000000000)
#define WAIT_MS  30000

static SondeTestPostgres *server;

/* A database of its own for each case. */
static char *
new_database (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *uri = sonde_test_postgres_new_database (server, name, &error);

  g_assert_no_error (error);
  return uri;
}

static SondeStore *
open_store (const char *uri)
{
  g_autoptr(GError) error = NULL;
  SondeStorePostgres *store = sonde_store_postgres_open (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return SONDE_STORE (store);
}

typedef struct {
  GByteArray *bytes;     /* every record, serialized: seq, times, kinds, payload */
  guint       n;
  guint       gaps;
  guint64     gap_skipped;
  guint64     last_seq;
  gboolean    in_order;
} Collected;

static void
collected_init (Collected *collected)
{
  memset (collected, 0, sizeof *collected);
  collected->bytes = g_byte_array_new ();
  collected->in_order = TRUE;
}

static gboolean
collect (const SondeRecord *record,
         gpointer           user_data)
{
  Collected *collected = user_data;
  guint64 header[7] = { record->seq, (guint64) record->wall_us, (guint64) record->mono_us,
                        record->direction, record->kind, record->flags, record->size };

  if (collected->n > 0 && record->seq <= collected->last_seq)
    collected->in_order = FALSE;
  collected->last_seq = record->seq;
  g_byte_array_append (collected->bytes, (const guint8 *) header, sizeof header);
  g_byte_array_append (collected->bytes, (const guint8 *) &record->stored_size, sizeof record->stored_size);
  if (record->stored_size > 0)
    g_byte_array_append (collected->bytes, record->data, record->stored_size);
  if (record->kind == SONDE_MESSAGE_KIND_GAP)
    {
      g_autofree char *text = g_strndup ((const char *) record->data, record->stored_size);
      const char *count = strstr (text, "\"recording_skipped\":");

      collected->gaps++;
      if (count != NULL)
        collected->gap_skipped += g_ascii_strtoull (count + strlen ("\"recording_skipped\":"), NULL, 10);
    }
  collected->n++;
  return TRUE;
}

static SondeRecord
make_record (guint64         seq,
             SondeDirection  direction,
             SondeMessageKind kind,
             const guint8   *data,
             gsize           size)
{
  SondeRecord record = { 0 };

  record.seq = seq;
  record.wall_us = START_US + (gint64) seq * 1000;
  record.mono_us = (gint64) seq * 1000 + 7;
  record.direction = direction;
  record.kind = kind;
  record.size = size;
  record.stored_size = size;
  record.data = data;
  return record;
}

/* What every store gets in the round trip: text, binary with NUL bytes, an
 * empty message, a large one, a truncated one, events, then many small
 * messages (several chunks). The payloads live in @arena. */
static GArray *
sample_records (GByteArray *arena)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (SondeRecord));
  static const guint8 binary[] = { 0x00, 0xff, 0x00, 0x01, 'a', 0x00, 0x80, 0x00 };
  static const char open_event[] = "{\"url\":\"ws://127.0.0.1:9/feed\"}";
  gsize large = 3 * 1024 * 1024 + 17;
  guint64 seq = 1;
  gsize at;

  g_byte_array_set_size (arena, 0);
#define ADD(dir_, kind_, bytes_, size_)                                          \
  G_STMT_START {                                                                 \
    SondeRecord r_ = make_record (seq++, dir_, kind_, NULL, size_);              \
    r_.data = GSIZE_TO_POINTER (arena->len);                                     \
    g_byte_array_append (arena, (const guint8 *) (bytes_), size_);               \
    g_array_append_val (records, r_);                                            \
  } G_STMT_END

  ADD (SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, open_event, strlen (open_event));
  ADD (SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "{\"op\":\"subscribe\",\"sym\":\"ABC\"}", 30);
  ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary, sizeof binary);
  ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "", 0);
  ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, "", 0);
  {
    g_autofree guint8 *big = g_malloc (large);

    for (gsize i = 0; i < large; i++)
      big[i] = (guint8) (i * 131 + (i >> 9));
    ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, big, large);
  }
  ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, "hb", 2);
  /* Truncated: stored 4 bytes of a 1,000-byte message. */
  ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"a\"", 4);
  g_array_index (records, SondeRecord, records->len - 1).size = 1000;
  g_array_index (records, SondeRecord, records->len - 1).flags = SONDE_RECORD_FLAG_TRUNCATED;
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"sym\":\"%s\",\"price\":%u.25,\"seq\":%u}",
                                               i % 3 == 0 ? "ABC" : "XYZ", 100 + i % 50, i);

      ADD (SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text, strlen (text));
    }
#undef ADD
  /* Offsets into the arena become pointers once it stops moving. */
  at = 0;
  for (guint i = 0; i < records->len; i++)
    {
      SondeRecord *record = &g_array_index (records, SondeRecord, i);

      at = GPOINTER_TO_SIZE (record->data);
      record->data = arena->data + at;
    }
  return records;
}

/* Records one session of the sample into @store, in batches as a
 * recorder would. */
static gint64
record_sample (SondeStore *store,
               GArray     *records)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, "p-1", "Feed", "ws://127.0.0.1:9/feed", START_US, &id, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i += 700)
    {
      guint n = MIN (700, records->len - i);

      g_assert_true (sonde_store_append (store, id, &g_array_index (records, SondeRecord, i), n, &error));
      g_assert_no_error (error);
    }
  g_assert_true (sonde_store_end_session (store, id, START_US + 5 * G_USEC_PER_SEC, 1000, "bye",
                                          SONDE_STORE_ENDED_BY_SERVER, &error));
  g_assert_no_error (error);
  return id;
}

static GByteArray *
read_all (SondeStore *store,
          gint64      id,
          guint64     from_seq,
          guint      *out_n)
{
  g_autoptr(GError) error = NULL;
  Collected collected;

  collected_init (&collected);
  g_assert_true (sonde_store_read_records (store, id, from_seq, collect, &collected, &error));
  g_assert_no_error (error);
  g_assert_true (collected.in_order);
  if (out_n != NULL)
    *out_n = collected.n;
  return collected.bytes;
}

static void
test_schema (void)
{
  g_autofree char *uri = new_database ("schema");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = NULL;
  g_autoptr(SondeStore) again = NULL;
  SondeStorePostgres *reader;

  /* Nothing there yet: a reader finds no recordings. */
  reader = sonde_store_postgres_open_reader (uri, &error);
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
  g_assert_null (reader);
  g_clear_error (&error);

  store = open_store (uri);
  g_assert_false (sonde_store_is_read_only (store));
  g_assert_true (sonde_test_postgres_sql (server, "schema",
                                          "DO $$ BEGIN"
                                          " IF (SELECT max(version) FROM schema_version) <> 1 THEN RAISE 'version'; END IF;"
                                          " PERFORM key, last_seq, first_wall_us, last_wall_us, n, data FROM chunks;"
                                          " IF (SELECT attcompression FROM pg_attribute WHERE attrelid = 'chunks'::regclass"
                                          "     AND attname = 'data') <> 'l' THEN RAISE 'not lz4'; END IF;"
                                          " PERFORM id, profile_id, profile_name, url, start_us, end_us, close_code,"
                                          "  close_reason, initiator, records, messages, bytes FROM sessions;"
                                          " END $$", &error));
  g_assert_no_error (error);
  /* The writer of a URI is shared within a process; a reader finds the
   * schema made. */
  again = open_store (uri);
  g_assert_true (again == store);
  reader = sonde_store_postgres_open_reader (uri, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_store_is_read_only (SONDE_STORE (reader)));
  g_assert_finalize_object (reader);
  g_clear_object (&again);
  g_assert_finalize_object (g_steal_pointer (&store));
  /* Once gone, opening connects again (and finds the schema made). */
  store = open_store (uri);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
assert_same_session (const SondeStoreSession *a,
                     const SondeStoreSession *b)
{
  g_assert_cmpstr (a->profile_id, ==, b->profile_id);
  g_assert_cmpstr (a->profile_name, ==, b->profile_name);
  g_assert_cmpstr (a->url, ==, b->url);
  g_assert_cmpint (a->start_us, ==, b->start_us);
  g_assert_cmpint (a->end_us, ==, b->end_us);
  g_assert_cmpuint (a->records, ==, b->records);
  g_assert_cmpuint (a->messages, ==, b->messages);
  g_assert_cmpuint (a->bytes, ==, b->bytes);
  g_assert_cmpint (a->close_code, ==, b->close_code);
  g_assert_cmpstr (a->close_reason, ==, b->close_reason);
  g_assert_cmpint (a->initiator, ==, b->initiator);
}

typedef struct {
  GString *out;
} Hits;

static gboolean
on_hit (const SondeHistoryHit *hit,
        gpointer               user_data)
{
  Hits *hits = user_data;

  g_string_append_printf (hits->out, "%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %d %d %" G_GUINT64_FORMAT " %s\n",
                          hit->seq, hit->wall_us, hit->direction, hit->kind, hit->size, hit->preview);
  return TRUE;
}

static char *
search (SondeStore            *store,
        gint64                 id,
        SondeHistoryQueryKind  kind,
        const char            *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeHistoryQuery) query = sonde_history_query_new (kind, text, &error);
  Hits hits = { g_string_new (NULL) };

  g_assert_no_error (error);
  g_assert_true (sonde_history_search (store, query, id, 0, NULL, on_hit, &hits, &error));
  g_assert_no_error (error);
  return g_string_free (hits.out, FALSE);
}

static GBytes *
export (SondeStore        *store,
        gint64             id,
        SondeExportFormat  format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  const char * const paths[] = { "$.price", NULL };
  SondeExportOptions options = { 0 };

  options.format = format;
  options.csv_paths = format == SONDE_EXPORT_FORMAT_CSV ? paths : NULL;
  options.url = "ws://127.0.0.1:9/feed";
  options.start_us = START_US;
  g_assert_true (sonde_store_export_to_stream (store, id, &options, NULL, stream, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
}

/* The sample recorded into PostgreSQL and into SQLite reads back the same,
 * byte for byte, and searches and exports the same. */
static void
test_roundtrip (gconstpointer data)
{
  SondeStorePostgresWrite write = GPOINTER_TO_INT (data);
  g_autofree char *uri = new_database (write == SONDE_STORE_POSTGRES_COPY ? "roundtrip_copy" : "roundtrip_insert");
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) arena = g_byte_array_new ();
  g_autoptr(GArray) records = sample_records (arena);
  g_autofree char *dir = g_dir_make_tmp ("sonde-pg-sqlite-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(SondeStore) pg = open_store (uri);
  g_autoptr(SondeStore) lite = SONDE_STORE (sonde_store_sqlite_open (path, &error));
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) got_pg = NULL;
  g_autoptr(GByteArray) got_lite = NULL;
  g_autoptr(GByteArray) tail = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(SondeStoreSession) session_pg = NULL;
  g_autoptr(SondeStoreSession) session_lite = NULL;
  gint64 id_pg, id_lite;
  guint n = 0;
  guint64 seq = 0;
  Collected want;

  g_assert_no_error (error);
  sonde_store_postgres_set_write (SONDE_STORE_POSTGRES (pg), write);
  id_pg = record_sample (pg, records);
  id_lite = record_sample (lite, records);

  collected_init (&want);
  for (guint i = 0; i < records->len; i++)
    collect (&g_array_index (records, SondeRecord, i), &want);
  g_byte_array_append (expected, want.bytes->data, want.bytes->len);
  g_byte_array_unref (want.bytes);

  got_pg = read_all (pg, id_pg, 0, &n);
  g_assert_cmpuint (n, ==, records->len);
  g_assert_cmpmem (got_pg->data, got_pg->len, expected->data, expected->len);
  got_lite = read_all (lite, id_lite, 0, NULL);
  g_assert_cmpmem (got_pg->data, got_pg->len, got_lite->data, got_lite->len);

  /* From a seq in the middle of a chunk. */
  tail = read_all (pg, id_pg, 1500, &n);
  g_assert_cmpuint (n, ==, records->len - 1499);

  /* Sessions, as SQLite lists them. */
  sessions = sonde_store_list_sessions (pg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  session_pg = sonde_store_get_session (pg, id_pg, &error);
  g_assert_no_error (error);
  session_lite = sonde_store_get_session (lite, id_lite, &error);
  g_assert_no_error (error);
  assert_same_session (session_pg, g_ptr_array_index (sessions, 0));
  assert_same_session (session_pg, session_lite);
  g_assert_cmpuint (session_pg->records, ==, records->len);
  g_assert_cmpstr (session_pg->close_reason, ==, "bye");

  /* Jump to a time, as SQLite. */
  g_assert_true (sonde_store_seek_time (pg, id_pg, START_US + 2000 * 1000 + 1, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seq, ==, 2001);
  g_assert_true (sonde_store_seek_time (pg, id_pg, START_US * 2, &seq, &error));
  g_assert_cmpuint (seq, ==, records->len);
  g_assert_false (sonde_store_seek_time (pg, id_pg + 100, START_US, &seq, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Search and exports: the same as SQLite's. */
  {
    const struct { SondeHistoryQueryKind kind; const char *text; } queries[] = {
      { SONDE_HISTORY_QUERY_TEXT, "abc" },
      { SONDE_HISTORY_QUERY_REGEX, "price\":1[0-4]9\\.25" },
      { SONDE_HISTORY_QUERY_PREDICATE, "$.sym == \"XYZ\" && $.price > 140" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *a = search (pg, id_pg, queries[i].kind, queries[i].text);
        g_autofree char *b = search (lite, id_lite, queries[i].kind, queries[i].text);

        g_assert_cmpuint (strlen (a), >, 0);
        g_assert_cmpstr (a, ==, b);
      }
    for (SondeExportFormat format = SONDE_EXPORT_FORMAT_JSONL; format <= SONDE_EXPORT_FORMAT_HAR; format++)
      {
        g_autoptr(GBytes) a = export (pg, id_pg, format);
        g_autoptr(GBytes) b = export (lite, id_lite, format);

        g_assert_cmpuint (g_bytes_get_size (a), >, 100000);
        g_assert_true (g_bytes_equal (a, b));
      }
  }

  /* A batch that does not follow the last seq is refused, all of it. */
  {
    SondeRecord again = make_record (5, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, (const guint8 *) "x", 1);

    g_assert_false (sonde_store_append (pg, id_pg, &again, 1, &error));
    g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* TOAST compresses the large payload: some of it is there. */
  g_assert_cmpuint (sonde_store_get_size (pg), >, 64 * 1024);
  g_assert_true (sonde_store_delete_session (pg, id_pg, &error));
  g_assert_no_error (error);
  g_clear_pointer (&sessions, g_ptr_array_unref);
  sessions = sonde_store_list_sessions (pg, &error);
  g_assert_cmpuint (sessions->len, ==, 0);
  g_assert_false (sonde_store_delete_session (pg, id_pg, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&lite));
  g_assert_finalize_object (g_steal_pointer (&pg));
  sonde_test_remove_dir (dir);
}

static void
add_messages (SondeRecorder *recorder,
              guint64       *seq,
              guint          n)
{
  char payload[101];

  for (guint i = 0; i < n; i++)
    {
      SondeRecord record;

      g_snprintf (payload, sizeof payload, "{\"seq\":%" G_GUINT64_FORMAT ",\"pad\":\"%s\"}", *seq,
                  "..............................................................................");
      record = make_record (*seq, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, (const guint8 *) payload,
                            strlen (payload));
      sonde_recorder_add (recorder, &record);
      (*seq)++;
    }
}

static guint64
stored_records (const char *uri,
                gint64      id)
{
  g_autoptr(SondeStorePostgres) reader = sonde_store_postgres_open_reader (uri, NULL);
  g_autoptr(SondeStoreSession) session = NULL;

  if (reader == NULL)
    return 0;
  session = sonde_store_get_session (SONDE_STORE (reader), id, NULL);
  return session != NULL ? session->records : 0;
}

/* The server restarts (an immediate stop: as if it crashed) in the middle
 * of a recording: what was recorded before, what came while it was away
 * and what came after are all there, once each. */
static void
test_restart (void)
{
  g_autofree char *uri = new_database ("restart");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = open_store (uri);
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(SondeStore) reader = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  guint64 seq = 1;
  gint64 id;
  Collected collected;

  recorder = sonde_recorder_new (store, NULL, NULL, "ws://127.0.0.1:9/feed", START_US, &error);
  g_assert_no_error (error);
  id = sonde_recorder_get_session_id (recorder);
  add_messages (recorder, &seq, 5000);
  SONDE_TEST_ASSERT_WAIT (stored_records (uri, id) == 5000, WAIT_MS);

  g_assert_true (sonde_test_postgres_stop (server, "immediate", &error));
  g_assert_no_error (error);
  add_messages (recorder, &seq, 5000);
  /* The writer has found the server gone: it keeps its batch and tries
   * again, and what comes next waits in the queue. */
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_retries (recorder) > 0, WAIT_MS);
  add_messages (recorder, &seq, 5000);
  g_assert_true (sonde_test_postgres_restart (server, &error));
  g_assert_no_error (error);
  add_messages (recorder, &seq, 5000);
  sonde_recorder_close (recorder, START_US + G_USEC_PER_SEC, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_true (sonde_recorder_get_recording (recorder) == FALSE);
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);

  reader = SONDE_STORE (sonde_store_postgres_open_reader (uri, &error));
  g_assert_no_error (error);
  collected_init (&collected);
  g_assert_true (sonde_store_read_records (reader, id, 0, collect, &collected, &error));
  g_assert_no_error (error);
  g_assert_true (collected.in_order);
  g_assert_cmpuint (collected.n, ==, 20000);
  g_assert_cmpuint (collected.last_seq, ==, 20000);
  g_assert_cmpuint (collected.gaps, ==, 0);
  g_byte_array_unref (collected.bytes);
  sessions = sonde_store_list_sessions (reader, &error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpuint (((SondeStoreSession *) g_ptr_array_index (sessions, 0))->records, ==, 20000);
  g_assert_cmpint (((SondeStoreSession *) g_ptr_array_index (sessions, 0))->close_code, ==, 1000);

  g_assert_finalize_object (g_steal_pointer (&recorder));
  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* While the server is away the recorder's queue fills: past its bound
 * records are dropped and a gap record counts them, as with a slow disk. */
static void
test_queue_bound (void)
{
  g_autofree char *uri = new_database ("bound");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = open_store (uri);
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(SondeStore) reader = NULL;
  guint64 seq = 1;
  guint64 skipped;
  gint64 id;
  Collected collected;

  recorder = sonde_recorder_new (store, NULL, NULL, "ws://127.0.0.1:9/feed", START_US, &error);
  g_assert_no_error (error);
  id = sonde_recorder_get_session_id (recorder);
  sonde_recorder_set_queue_limit (recorder, 64 * 1024);
  add_messages (recorder, &seq, 100);
  SONDE_TEST_ASSERT_WAIT (stored_records (uri, id) == 100, WAIT_MS);

  g_assert_true (sonde_test_postgres_stop (server, "fast", &error));
  g_assert_no_error (error);
  add_messages (recorder, &seq, 2000);
  skipped = sonde_recorder_get_skipped (recorder);
  g_assert_cmpuint (skipped, >, 1000);
  g_assert_true (sonde_test_postgres_restart (server, &error));
  g_assert_no_error (error);
  /* Once the queue has drained, the next record brings the gap record. */
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_queued_bytes (recorder) == 0, WAIT_MS);
  add_messages (recorder, &seq, 10);
  sonde_recorder_close (recorder, START_US + G_USEC_PER_SEC, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);

  reader = SONDE_STORE (sonde_store_postgres_open_reader (uri, &error));
  g_assert_no_error (error);
  collected_init (&collected);
  g_assert_true (sonde_store_read_records (reader, id, 0, collect, &collected, &error));
  g_assert_no_error (error);
  g_assert_true (collected.in_order);
  g_assert_cmpuint (collected.gaps, ==, 1);
  g_assert_cmpuint (collected.gap_skipped, ==, skipped);
  g_assert_cmpuint (collected.n, ==, 2110 - skipped + 1);
  g_byte_array_unref (collected.bytes);

  g_assert_finalize_object (g_steal_pointer (&recorder));
  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int    argc,
      char **argv)
{
  int status;

  sonde_test_init (&argc, &argv);
  server = sonde_test_postgres_start_or_skip ();
  if (server == NULL)
    return 0;

  g_test_add_func ("/store-postgres/schema", test_schema);
  g_test_add_data_func ("/store-postgres/roundtrip/copy", GINT_TO_POINTER (SONDE_STORE_POSTGRES_COPY), test_roundtrip);
  g_test_add_data_func ("/store-postgres/roundtrip/insert", GINT_TO_POINTER (SONDE_STORE_POSTGRES_INSERT), test_roundtrip);
  g_test_add_func ("/store-postgres/restart", test_restart);
  g_test_add_func ("/store-postgres/queue-bound", test_queue_bound);
  status = g_test_run ();
  sonde_test_postgres_free (server);
  return status;
}
