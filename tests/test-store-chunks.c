/* test-store-chunks.c: records packed into chunks (sonde-store-chunk.c) and
 * SondeStoreSqlite's reads across chunk boundaries: every from_seq, seek
 * times, a huge record amid small ones, truncated records, seq gaps, and a
 * damaged chunk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>

#include "sonde-store-chunk.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define HUGE_SIZE (5 * 1024 * 1024)

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sonde-chunks-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "recordings.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
assert_same (const SondeRecord *got,
             const SondeRecord *expected)
{
  g_assert_cmpuint (got->seq, ==, expected->seq);
  g_assert_cmpint (got->wall_us, ==, expected->wall_us);
  g_assert_cmpint (got->mono_us, ==, expected->mono_us);
  g_assert_cmpint (got->direction, ==, expected->direction);
  g_assert_cmpint (got->kind, ==, expected->kind);
  g_assert_cmpint (got->flags, ==, expected->flags);
  g_assert_cmpuint (got->size, ==, expected->size);
  g_assert_cmpuint (got->stored_size, ==, expected->stored_size);
  g_assert_true (got->stored_size == 0 || memcmp (got->data, expected->data, got->stored_size) == 0);
}

/* Records of every kind, direction and flag, with deltas that go back,
 * jump far, and sit at the ends of gint64, come back as they went in; a
 * chunk cut short anywhere, or with a byte changed, is damaged or reads
 * within its bounds, never past them. */
static void
test_codec (void)
{
  static const gint64 walls[] = { 0, -5, G_MAXINT64, G_MININT64, 1700000000000000, 1700000000000001, 3 };
  guint8 payload[300];
  SondeRecord records[64];
  SondeChunkWriter writer;
  SondeChunkReader reader;
  SondeRecord got;
  guint n = 0;

  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i * 7);
  for (guint64 seq = 1; n < G_N_ELEMENTS (records); seq += 1 + (n % 5 == 0 ? 1000000 : 0))
    {
      SondeRecord record = {
        .seq = seq,
        .wall_us = walls[n % G_N_ELEMENTS (walls)],
        .mono_us = walls[(n + 3) % G_N_ELEMENTS (walls)],
        .direction = n % (SONDE_DIRECTION_EVENT + 1),
        .kind = n % (SONDE_MESSAGE_KIND_LAST + 1),
        .flags = n % 3 == 0 ? 0 : (SondeRecordFlags) (n % 32),
        .stored_size = (n * 37) % sizeof payload,
        .data = payload,
      };

      record.size = (n % 4 == 1) ? record.stored_size + 1000000 : record.stored_size;
      records[n++] = record;
    }

  sonde_chunk_writer_init (&writer);
  for (guint i = 0; i < n; i++)
    sonde_chunk_writer_add (&writer, &records[i]);
  g_assert_cmpuint (writer.n, ==, n);
  g_assert_cmpuint (writer.first_seq, ==, records[0].seq);
  g_assert_cmpuint (writer.last_seq, ==, records[n - 1].seq);
  g_assert_cmpint (writer.last_wall_us, ==, records[n - 1].wall_us);

  g_assert_true (sonde_chunk_reader_init (&reader, writer.data->data, writer.data->len,
                                          writer.first_seq, writer.first_wall_us, writer.n));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (sonde_chunk_reader_next (&reader, &got), ==, 1);
      assert_same (&got, &records[i]);
    }
  g_assert_cmpint (sonde_chunk_reader_next (&reader, &got), ==, 0);

  /* Cut short: damaged at the latest where the cut is. */
  for (guint len = 0; len < writer.data->len; len++)
    {
      g_autofree guint8 *copy = g_memdup2 (writer.data->data, len);
      int got_n = 0, rc = 0;

      if (!sonde_chunk_reader_init (&reader, copy, len, writer.first_seq, writer.first_wall_us, writer.n))
        continue;
      while ((rc = sonde_chunk_reader_next (&reader, &got)) > 0)
        {
          g_assert_true (got.data + got.stored_size <= copy + len || got.stored_size == 0);
          got_n++;
        }
      g_assert_cmpint (rc, ==, -1);
      g_assert_cmpint (got_n, <, (int) n);
    }
  /* More records than the count says: damaged. */
  g_assert_true (sonde_chunk_reader_init (&reader, writer.data->data, writer.data->len,
                                          writer.first_seq, writer.first_wall_us, writer.n - 1));
  for (guint i = 0; i + 1 < n; i++)
    g_assert_cmpint (sonde_chunk_reader_next (&reader, &got), ==, 1);
  g_assert_cmpint (sonde_chunk_reader_next (&reader, &got), ==, -1);
  /* An unknown format. */
  writer.data->data[0] = 0x7f;
  g_assert_false (sonde_chunk_reader_init (&reader, writer.data->data, writer.data->len,
                                           writer.first_seq, writer.first_wall_us, writer.n));
  g_assert_false (sonde_chunk_reader_init (&reader, NULL, 0, 1, 0, 1));
  sonde_chunk_writer_clear (&writer);
}

typedef struct {
  GArray  *got;      /* SondeRecord, data copied (owned) */
  guint    limit;    /* records to take before stopping; 0: all */
} Collect;

static gboolean
collect (const SondeRecord *record,
         gpointer           user_data)
{
  Collect *collect = user_data;
  SondeRecord copy = *record;

  copy.data = g_memdup2 (record->data, record->stored_size);
  g_array_append_val (collect->got, copy);
  return collect->limit == 0 || collect->got->len < collect->limit;
}

static void
clear_record (gpointer data)
{
  g_free ((gpointer) ((SondeRecord *) data)->data);
}

static GArray *
read_from (SondeStore *store,
           gint64      id,
           guint64     from_seq,
           guint       limit)
{
  g_autoptr(GError) error = NULL;
  Collect c = { g_array_new (FALSE, TRUE, sizeof (SondeRecord)), limit };

  g_array_set_clear_func (c.got, clear_record);
  g_assert_true (sonde_store_read_records (store, id, from_seq, collect, &c, &error));
  g_assert_no_error (error);
  return c.got;
}

static gboolean
keep_truncated (const SondeRecord *record,
                gpointer           user_data)
{
  return (record->flags & SONDE_RECORD_FLAG_TRUNCATED) != 0;
}

/* Three batches of 1000 records (small ones, some truncated, seq gaps,
 * one 5 MiB record in the middle one) read back whole; from every
 * from_seq (chunk boundaries included, and seqs in gaps) the first records
 * are the right ones; seek_time finds the first record at or after a time
 * across chunks; a scan's filter sees every record. */
static void
test_boundaries (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SondeStoreSqlite) sqlite = sonde_store_sqlite_open (fixture->path, NULL);
  SondeStore *store = SONDE_STORE (sqlite);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) truncated = NULL;
  g_autofree guint8 *huge = g_malloc (HUGE_SIZE);
  guint8 small[2000];
  gint64 id = 0;
  guint64 seq = 0;
  guint n_truncated = 0;
  Collect c;

  g_assert_nonnull (sqlite);
  for (gsize i = 0; i < HUGE_SIZE; i++)
    huge[i] = (guint8) (i * 13 + i / 4096);
  for (gsize i = 0; i < sizeof small; i++)
    small[i] = (guint8) (i * 31);
  for (guint i = 0; i < 3000; i++)
    {
      SondeRecord record = {
        .seq = 5 + i + (i / 10) * 3 + (i == 1024 ? 1000 : 0),   /* gaps, one long */
        .wall_us = 1000000 + i * 100 - (i % 7 == 3 ? 50 : 0),     /* now and then a step back */
        .mono_us = 50 + i * 99,
        .direction = i % 3,
        .kind = i % 2 ? SONDE_MESSAGE_KIND_BINARY : SONDE_MESSAGE_KIND_TEXT,
        .stored_size = (i % 11) * 40,   /* payloads up to 400 bytes: the 64 KiB limit is met too */
        .data = small + i % 50,
      };

      if (i > 0)
        record.seq = MAX (record.seq, g_array_index (records, SondeRecord, i - 1).seq + 1);
      record.size = record.stored_size;
      if (i % 13 == 0)
        {
          record.flags |= SONDE_RECORD_FLAG_TRUNCATED;
          record.size = record.stored_size + 100000;
          n_truncated++;
        }
      if (i == 1500)
        {
          record.stored_size = record.size = HUGE_SIZE;
          record.data = huge;
          record.flags = SONDE_RECORD_FLAG_COMPRESSED;
        }
      g_array_append_val (records, record);
    }
  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://h/", 1, &id, &error));
  for (guint i = 0; i < records->len; i += 1000)
    g_assert_true (sonde_store_append (store, id, &g_array_index (records, SondeRecord, i), 1000, &error));
  g_assert_no_error (error);

  all = read_from (store, id, 0, 0);
  g_assert_cmpuint (all->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    assert_same (&g_array_index (all, SondeRecord, i), &g_array_index (records, SondeRecord, i));

  /* From every seq (one past the last included): the first two records. */
  for (guint64 from = 0, j = 0; from <= g_array_index (records, SondeRecord, records->len - 1).seq + 1; from++)
    {
      g_autoptr(GArray) got = NULL;

      /* Past the huge record at the rate of a 5 MiB read each: every tenth. */
      if (j < records->len && g_array_index (records, SondeRecord, j).seq < from)
        j++;
      if (j == 1500 && from % 10 != 0)
        continue;
      got = read_from (store, id, from, 2);
      g_assert_cmpuint (got->len, ==, MIN (2, records->len - j));
      for (guint k = 0; k < got->len; k++)
        assert_same (&g_array_index (got, SondeRecord, k), &g_array_index (records, SondeRecord, j + k));
    }

  /* Every record's time, and times between them. */
  for (guint i = 0; i < records->len; i++)
    for (gint64 delta = -1; delta <= 0; delta++)
      {
        gint64 target = g_array_index (records, SondeRecord, i).wall_us + delta;
        guint64 expected = g_array_index (records, SondeRecord, records->len - 1).seq;

        for (guint j = 0; j < records->len; j++)
          if (g_array_index (records, SondeRecord, j).wall_us >= target)
            {
              expected = g_array_index (records, SondeRecord, j).seq;
              break;
            }
        /* Wall times step back now and then: a time only met before a
         * step back may be found at its later record. Those are left out. */
        if (i % 7 == 3 || i % 7 == 4)
          continue;
        g_assert_true (sonde_store_seek_time (store, id, target, &seq, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (seq, ==, expected);
      }

  c.got = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  c.limit = 0;
  g_array_set_clear_func (c.got, clear_record);
  g_assert_true (sonde_store_scan_records (store, id, 0, keep_truncated, collect, &c, &error));
  g_assert_no_error (error);
  truncated = c.got;
  g_assert_cmpuint (truncated->len, ==, n_truncated);
  for (guint i = 0; i < truncated->len; i++)
    assert_same (&g_array_index (truncated, SondeRecord, i), &g_array_index (records, SondeRecord, i * 13));
  g_assert_finalize_object (g_steal_pointer (&sqlite));
}

/* An append whose seqs do not follow the stored ones (or each other) is
 * refused whole. */
static void
test_order (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SondeStoreSqlite) sqlite = sonde_store_sqlite_open (fixture->path, NULL);
  SondeStore *store = SONDE_STORE (sqlite);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) got = NULL;
  SondeRecord records[3] = {
    { .seq = 10, .wall_us = 1, .data = (const guint8 *) "" },
    { .seq = 11, .wall_us = 2, .data = (const guint8 *) "" },
    { .seq = 12, .wall_us = 3, .data = (const guint8 *) "" },
  };
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://h/", 1, &id, &error));
  g_assert_true (sonde_store_append (store, id, records, 2, &error));
  g_assert_no_error (error);
  g_assert_false (sonde_store_append (store, id, &records[1], 2, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED);
  g_clear_error (&error);
  records[1].seq = 13;
  g_assert_false (sonde_store_append (store, id, &records[1], 2, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED);
  g_clear_error (&error);
  got = read_from (store, id, 0, 0);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_finalize_object (g_steal_pointer (&sqlite));
}

static void
sql (const char *path,
     const char *statements)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, statements, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", statements, message);
  sqlite3_close (db);
}

static gboolean
keep_all (const SondeRecord *record,
          gpointer           user_data)
{
  return TRUE;
}

/* A damaged chunk (cut short, bytes changed, a count that lies) is
 * SONDE_STORE_ERROR_CORRUPT from every read, never a crash. */
static void
test_corrupt_chunk (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const damage[] = {
    "UPDATE chunks SET data = substr(data, 1, length(data) - 7)",
    "UPDATE chunks SET data = x'01ffffffffffffffffffffff'",
    "UPDATE chunks SET data = x'02'",
    "UPDATE chunks SET n = n + 1",
    "UPDATE chunks SET n = 0",
    "UPDATE chunks SET data = zeroblob(40)",
  };
  guint8 payload[100] = { 0 };

  for (guint d = 0; d < G_N_ELEMENTS (damage); d++)
    {
      g_autofree char *path = g_strdup_printf ("%s-%u", fixture->path, d);
      g_autofree char *lock = g_strconcat (path, ".lock", NULL);
      g_autoptr(SondeStoreSqlite) sqlite = sonde_store_sqlite_open (path, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
      Collect c = { g_array_new (FALSE, TRUE, sizeof (SondeRecord)), 0 };
      gint64 id = 0;
      guint64 seq = 0;

      g_array_set_clear_func (c.got, clear_record);
      for (guint i = 0; i < 50; i++)
        {
          SondeRecord record = { .seq = i + 1, .wall_us = i, .size = 100, .stored_size = 100, .data = payload };

          g_array_append_val (records, record);
        }
      g_assert_true (sonde_store_begin_session (SONDE_STORE (sqlite), NULL, NULL, "ws://h/", 1, &id, &error));
      g_assert_true (sonde_store_append (SONDE_STORE (sqlite), id, (SondeRecord *) records->data, records->len, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (g_steal_pointer (&sqlite));

      sql (path, damage[d]);
      sqlite = sonde_store_sqlite_open_reader (path, &error);
      g_assert_no_error (error);
      g_assert_false (sonde_store_read_records (SONDE_STORE (sqlite), id, 0, collect, &c, &error));
      g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT);
      g_clear_error (&error);
      g_assert_false (sonde_store_scan_records (SONDE_STORE (sqlite), id, 0, keep_all, collect, &c, &error));
      g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT);
      g_clear_error (&error);
      g_assert_false (sonde_store_seek_time (SONDE_STORE (sqlite), id, 1000, &seq, &error));
      g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT);
      g_clear_error (&error);
      g_array_unref (c.got);
      g_assert_finalize_object (g_steal_pointer (&sqlite));
      g_unlink (path);
      g_unlink (lock);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-chunks/codec", test_codec);
  g_test_add ("/store-chunks/boundaries", Fixture, NULL, fixture_setup, test_boundaries, fixture_teardown);
  g_test_add ("/store-chunks/order", Fixture, NULL, fixture_setup, test_order, fixture_teardown);
  g_test_add ("/store-chunks/corrupt-chunk", Fixture, NULL, fixture_setup, test_corrupt_chunk, fixture_teardown);
  return g_test_run ();
}
