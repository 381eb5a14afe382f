/* test-recorder.c: SondeRecorder: what is added is recorded, a full queue
 * leaves a gap record, a full disk stops recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>

#include "sonde-recorder.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define WAIT_MS 60000

typedef struct {
  char       *dir;
  char       *path;
  SondeStore *store;
  guint64     gaps;
  guint       n_gaps;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sonde-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "recordings.db", NULL);
  fixture->store = SONDE_STORE (sonde_store_sqlite_open (fixture->path, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->store != NULL)
    g_assert_finalize_object (fixture->store);
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static SondeRecord
make_record (guint64       seq,
             const guint8 *payload,
             gsize         size)
{
  return (SondeRecord) {
    .seq = seq,
    .wall_us = 1700000000000000 + (gint64) seq,
    .mono_us = (gint64) seq * 10,
    .direction = seq % 2 ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT,
    .kind = seq % 3 ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY,
    .size = size,
    .stored_size = size,
    .data = payload,
  };
}

typedef struct {
  guint64    expected_seq;
  guint      n;
  GPtrArray *gaps;   /* payloads of gap records */
  GString   *lines;  /* the gap records as JSON Lines records */
} ReadState;

static gboolean
check_record (const SondeRecord *record,
              gpointer           user_data)
{
  ReadState *state = user_data;

  if (record->kind == SONDE_MESSAGE_KIND_GAP)
    {
      g_assert_cmpint (record->direction, ==, SONDE_DIRECTION_EVENT);
      g_ptr_array_add (state->gaps, g_strndup ((const char *) record->data, record->stored_size));
      if (state->lines != NULL)
        {
          sonde_record_append_json (state->lines, record);
          g_string_append_c (state->lines, '\n');
        }
    }
  state->n++;
  return TRUE;
}

static gboolean
check_payload (const SondeRecord *record,
               gpointer           user_data)
{
  ReadState *state = user_data;
  guint8 expected[256];

  g_assert_cmpuint (record->seq, ==, state->expected_seq);
  g_assert_cmpuint (record->stored_size, ==, record->seq % 200);
  for (gsize i = 0; i < record->stored_size; i++)
    expected[i] = (guint8) (record->seq + i);
  g_assert_cmpmem (record->data, record->stored_size, expected, record->stored_size);
  state->expected_seq++;
  state->n++;
  return TRUE;
}

static void
on_notify (guint *count)
{
  (*count)++;
}

/* Records added are stored in order, the session ends as told, and the
 * properties follow. */
static void
test_records (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  SondeStoreSession *session;
  ReadState state = { 1, 0, NULL };
  guint8 payload[256];
  guint notified = 0;

  recorder = sonde_recorder_new (fixture->store, "p", "Prices", "ws://h/", 1700000000000000, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_recorder_get_recording (recorder));
  g_assert_cmpint (sonde_recorder_get_session_id (recorder), >, 0);

  for (guint64 seq = 1; seq <= 20000; seq++)
    {
      SondeRecord record;

      for (gsize i = 0; i < seq % 200; i++)
        payload[i] = (guint8) (seq + i);
      record = make_record (seq, payload, seq % 200);
      sonde_recorder_add (recorder, &record);
    }
  /* The size on disk comes in from the writer. */
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_bytes_on_disk (recorder) > 100000, WAIT_MS);

  g_signal_connect_swapped (recorder, "notify::recording", G_CALLBACK (on_notify), &notified);
  sonde_recorder_close (recorder, 1700000001000000, 1000, "bye", SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_false (sonde_recorder_get_recording (recorder));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);

  g_assert_true (sonde_store_read_records (fixture->store, sonde_recorder_get_session_id (recorder), 0,
                                           check_payload, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.n, ==, 20000);

  sessions = sonde_store_list_sessions (fixture->store, &error);
  g_assert_cmpuint (sessions->len, ==, 1);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpuint (session->messages, ==, 20000);
  g_assert_cmpint (session->end_us, ==, 1700000001000000);
  g_assert_cmpint (session->close_code, ==, 1000);
  g_assert_cmpstr (session->close_reason, ==, "bye");
  g_assert_cmpint (session->initiator, ==, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_cmpuint (sonde_recorder_get_bytes_on_disk (recorder), ==, sonde_store_get_size (fixture->store));

  g_assert_finalize_object (g_steal_pointer (&recorder));
}

static void
on_gap (SondeRecorder *recorder,
        guint64        skipped,
        gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->gaps += skipped;
  fixture->n_gaps++;
}

/* With a tiny queue and the writer paused, records past the bound are
 * dropped; once the queue drains, a gap record with their count goes in,
 * at the seq of the first one dropped. */
static void
test_bounded_queue (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gaps = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected = NULL;
  ReadState state = { 0, 0, gaps, g_string_new (NULL) };
  guint8 payload[100] = { 0 };
  guint64 skipped;
  guint64 seq;

  recorder = sonde_recorder_new (fixture->store, NULL, NULL, "ws://h/", 1, &error);
  g_assert_no_error (error);
  g_signal_connect (recorder, "gap", G_CALLBACK (on_gap), fixture);
  sonde_recorder_set_queue_limit (recorder, 4096);
  sonde_recorder_set_writer_paused (recorder, TRUE);

  for (seq = 1; seq <= 200; seq++)
    {
      SondeRecord record = make_record (seq, payload, sizeof payload);

      sonde_recorder_add (recorder, &record);
    }
  skipped = sonde_recorder_get_skipped (recorder);
  g_assert_cmpuint (skipped, >, 100);
  g_assert_cmpuint (skipped, <, 200);
  g_assert_cmpuint (fixture->n_gaps, ==, 0);

  sonde_recorder_set_writer_paused (recorder, FALSE);
  SONDE_TEST_ASSERT_WAIT (sonde_recorder_get_queued_bytes (recorder) == 0, WAIT_MS);
  {
    SondeRecord record = make_record (seq, payload, sizeof payload);

    sonde_recorder_add (recorder, &record);
  }
  g_assert_cmpuint (fixture->n_gaps, ==, 1);
  g_assert_cmpuint (fixture->gaps, ==, skipped);
  sonde_recorder_close (recorder, 2, 1006, NULL, SONDE_STORE_ENDED_BY_ERROR);

  g_assert_true (sonde_store_read_records (fixture->store, sonde_recorder_get_session_id (recorder), 0,
                                           check_record, &state, &error));
  g_assert_no_error (error);
  /* The kept ones, the gap, the last one. */
  g_assert_cmpuint (state.n, ==, 200 - skipped + 2);
  g_assert_cmpuint (gaps->len, ==, 1);
  expected = g_strdup_printf ("recording skipped %" G_GUINT64_FORMAT " messages", skipped);
  g_assert_nonnull (strstr (g_ptr_array_index (gaps, 0), expected));
  /* As exported (JSON Lines), a record the schema describes. */
  sonde_test_assert_records (state.lines->str);
  g_string_free (state.lines, TRUE);

  g_assert_finalize_object (g_steal_pointer (&recorder));
}

/* Records still dropped at close are accounted for by a gap at close. */
static void
test_gap_at_close (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gaps = g_ptr_array_new_with_free_func (g_free);
  ReadState state = { 0, 0, gaps };
  guint8 payload[100] = { 0 };

  recorder = sonde_recorder_new (fixture->store, NULL, NULL, "ws://h/", 1, &error);
  g_signal_connect (recorder, "gap", G_CALLBACK (on_gap), fixture);
  sonde_recorder_set_queue_limit (recorder, 1024);
  sonde_recorder_set_writer_paused (recorder, TRUE);
  for (guint64 seq = 1; seq <= 50; seq++)
    {
      SondeRecord record = make_record (seq, payload, sizeof payload);

      sonde_recorder_add (recorder, &record);
    }
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), >, 0);
  sonde_recorder_close (recorder, 2, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_cmpuint (fixture->gaps, ==, sonde_recorder_get_skipped (recorder));
  g_assert_true (sonde_store_read_records (fixture->store, sonde_recorder_get_session_id (recorder), 0,
                                           check_record, &state, &error));
  g_assert_cmpuint (state.n, ==, 50 - sonde_recorder_get_skipped (recorder) + 1);
  g_assert_cmpuint (gaps->len, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&recorder));
}

static gsize
block_test_size (guint64 seq)
{
  /* Empty, odd, small, larger than a queue block (256 KiB), nearly a
   * block (so it starts one of its own), and small again. */
  static const gsize sizes[] = { 0, 7, 100, 300 * 1024, 200 * 1024, 1, 255 * 1024, 3 };

  return sizes[seq % G_N_ELEMENTS (sizes)];
}

static gboolean
check_block_record (const SondeRecord *record,
                    gpointer           user_data)
{
  ReadState *state = user_data;

  g_assert_cmpuint (record->seq, ==, state->expected_seq);
  g_assert_cmpuint (record->stored_size, ==, block_test_size (record->seq));
  g_assert_cmpuint (record->size, ==, record->stored_size);
  g_assert_cmpint (record->mono_us, ==, (gint64) record->seq * 10);
  for (gsize i = 0; i < record->stored_size; i++)
    if (record->data[i] != (guint8) (record->seq * 31 + i))
      g_error ("record %" G_GUINT64_FORMAT ": byte %" G_GSIZE_FORMAT " differs", record->seq, i);
  state->expected_seq++;
  state->n++;
  return TRUE;
}

/* Records of every size, some larger than the queue's blocks, come out of
 * the queue whole and in order, while the writer takes them as they come. */
static void
test_queue_blocks (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *payload = g_malloc (300 * 1024);
  ReadState state = { 1, 0, NULL };

  recorder = sonde_recorder_new (fixture->store, NULL, NULL, "ws://h/", 1700000000000000, &error);
  g_assert_no_error (error);
  for (guint64 seq = 1; seq <= 400; seq++)
    {
      gsize size = block_test_size (seq);
      SondeRecord record;

      for (gsize i = 0; i < size; i++)
        payload[i] = (guint8) (seq * 31 + i);
      record = make_record (seq, payload, size);
      sonde_recorder_add (recorder, &record);
    }
  sonde_recorder_close (recorder, 1700000000500000, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);
  g_assert_true (sonde_store_read_records (fixture->store, sonde_recorder_get_session_id (recorder), 0,
                                           check_block_record, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.n, ==, 400);
  g_assert_finalize_object (g_steal_pointer (&recorder));
}

typedef struct {
  guint64           count;
  SondeMessageKind  kind;
  SondeDirection    direction;
  char             *payload;
} LastRecord;

static gboolean
keep_last (const SondeRecord *record,
           gpointer           user_data)
{
  LastRecord *last = user_data;

  last->count++;
  last->kind = record->kind;
  last->direction = record->direction;
  g_free (last->payload);
  last->payload = g_strndup ((const char *) record->data, record->stored_size);
  return TRUE;
}

/* A child with a small file-size limit records until the disk is "full":
 * recording stops with a disk-full error, the child goes on and exits 0,
 * and what was committed is sound. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *writer = g_test_build_filename (G_TEST_BUILT, "record-writer", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "full.db", NULL);
  g_autofree char *expected = g_strdup_printf ("stopped %s %d recording=0\n",
                                               g_quark_to_string (SONDE_STORE_ERROR),
                                               SONDE_STORE_ERROR_DISK_FULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer, "fill", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_true (g_str_has_prefix (out, expected));
  g_assert_nonnull (strstr (out, "disk is full"));

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  /* The last record says that recording stopped (the failed append gave
   * the WAL's room back), and the session ended as closed. */
  {
    g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (path, &error);
    g_autoptr(GPtrArray) sessions = NULL;
    LastRecord last = { 0 };

    g_assert_no_error (error);
    sessions = sonde_store_list_sessions (SONDE_STORE (reader), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sessions->len, ==, 1);
    g_assert_true (sonde_store_read_records (SONDE_STORE (reader), ((SondeStoreSession *) sessions->pdata[0])->id,
                                             0, keep_last, &last, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (last.count, >, 100);
    g_assert_cmpint (last.kind, ==, SONDE_MESSAGE_KIND_GAP);
    g_assert_cmpint (last.direction, ==, SONDE_DIRECTION_EVENT);
    g_assert_nonnull (strstr (last.payload, "\"recording_stopped\":true"));
    g_free (last.payload);
  }
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT close_code, initiator FROM sessions", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1000);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, SONDE_STORE_ENDED_BY_CLIENT);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/recorder/records", Fixture, NULL, fixture_setup, test_records, fixture_teardown);
  g_test_add ("/recorder/bounded-queue", Fixture, NULL, fixture_setup, test_bounded_queue, fixture_teardown);
  g_test_add ("/recorder/gap-at-close", Fixture, NULL, fixture_setup, test_gap_at_close, fixture_teardown);
  g_test_add ("/recorder/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);
  g_test_add ("/recorder/queue-blocks", Fixture, NULL, fixture_setup, test_queue_blocks, fixture_teardown);

  return g_test_run ();
}
