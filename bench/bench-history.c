/* bench-history.c: History over a million recorded messages: open a
 * session, rebuild a chart series, search it, and what an FTS5 index would
 * change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-history [N_MESSAGES] [--repeat N] [--no-fts]
 *
 * Records N (default 1,000,000) JSON messages of ~100 bytes
 * ({"sym":"ABC","price":123.45,"seq":N,…}) through SondeRecorder into a
 * fresh SondeStoreSqlite in a temporary folder, closes it (the WAL is
 * checkpointed into the file), then times, each --repeat times (default
 * 3; the table shows the median and the worst):
 *
 *   first-screen  open_reader + get_session + the first 200 records: what
 *                 opening a session in History costs before it shows
 *   read          read_records of every record, doing nothing with them
 *   series        one chart series of every message rebuilt from the
 *                 recording, the way the History page does it:
 *                 sonde_store_scan_records with a filter that keeps nothing
 *                 and, for each received text message, does what
 *                 SondeSeriesFeed does with a live one:
 *                 sonde_json_path_get_number ($.price) → sonde_series_append
 *                 at the record's wall time
 *   seek          sonde_store_seek_time to a time in the middle
 *   search        sonde_history_search (text, a scan of the blobs) for a word
 *                 in 1 message of 100,000, and for one in every fourth
 *   fts5          the same two searches through an FTS5 index over the
 *                 payloads (external content: the index only), built in a
 *                 database of its own holding the records one a row (what
 *                 external content needs), with the unicode61 tokenizer (words)
 *                 and the trigram tokenizer (substrings, case-insensitive:
 *                 what the scan's "contains" means); the hits' rows are read
 *                 back as the scan hands them; the build time and the disk
 *                 cost of each: bytes without and with the index, and per
 *                 message
 *
 * It ends with one line per target of issue 14: "target NAME: MEASURED
 * (goal GOAL) MET|MISSED", judged on the wall time (the table also gives
 * the CPU time). Run by hand; not a test, not part of run.py. The numbers
 * and the decision between the scan and FTS5 are in bench/README.md.
 */
#define G_LOG_DOMAIN "bench-history"

#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>

#include "sonde-history-search.h"
#include "sonde-json-path.h"
#include "sonde-recorder.h"
#include "sonde-series.h"
#include "sonde-store-sqlite.h"

#define FIRST_SCREEN    200
#define RARE_WORD       "needle"     /* in 1 message of RARE_EVERY */
#define RARE_EVERY      100000
#define COMMON_WORD     "XYZ"        /* the symbol of every fourth message */

#define GOAL_FIRST_SCREEN_MS 300.0
#define GOAL_SERIES_MS       1000.0
#define GOAL_SEARCH_MS       1000.0

static const char * const symbols[] = { "ABC", "DEF", "GHI", "XYZ" };

typedef struct {
  char    *dir;
  char    *path;
  guint64  n;
  gint64   session;
  gint64   first_wall_us;
  gint64   last_wall_us;
  guint    repeat;
} Bench;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Median and worst of @times (ms). */
static void
summarize (GArray *times,
           double *median,
           double *worst)
{
  g_array_sort (times, compare_doubles);
  *median = g_array_index (times, double, times->len / 2);
  *worst = g_array_index (times, double, times->len - 1);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* This thread's CPU time: what a run cost, whatever else the machine ran. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_start_ms;
static double last_cpu_ms;   /* the CPU time of the last timed run */

static double
timer_start (void)
{
  cpu_start_ms = cpu_ms ();
  return now_ms ();
}

/* The wall time since @start; the CPU time in last_cpu_ms. */
static double
timer_stop (double start)
{
  last_cpu_ms = cpu_ms () - cpu_start_ms;
  return now_ms () - start;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static guint64
database_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return file_size (path) + file_size (wal);
}

static void
record_messages (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) store = sonde_store_sqlite_open (bench->path, &error);
  g_autoptr(SondeRecorder) recorder = NULL;
  gint64 wall_us = 1700000000000000;
  char payload[256];
  guint64 payload_bytes = 0;
  double start = now_ms ();

  g_assert_no_error (error);
  recorder = sonde_recorder_new (SONDE_STORE (store), NULL, NULL, "ws://127.0.0.1/", wall_us, &error);
  g_assert_no_error (error);
  bench->session = sonde_recorder_get_session_id (recorder);
  bench->first_wall_us = wall_us;

  for (guint64 seq = 1; seq <= bench->n; seq++)
    {
      int length = g_snprintf (payload, sizeof payload,
                               "{\"sym\":\"%s\",\"price\":%.2f,\"seq\":%" G_GUINT64_FORMAT ","
                               "\"side\":\"%s\",\"qty\":%u,\"venue\":\"%s\",\"ts\":%" G_GINT64_FORMAT "}",
                               symbols[seq % G_N_ELEMENTS (symbols)], 100 + (seq % 10000) / 100.0, seq,
                               seq % 2 ? "buy" : "sell", (guint) (seq % 900) + 100,
                               seq % RARE_EVERY == 0 ? RARE_WORD : "lit", wall_us / 1000);
      SondeRecord record = {
        .seq = seq,
        .wall_us = wall_us,
        .mono_us = (gint64) seq * 3,
        .direction = SONDE_DIRECTION_IN,
        .kind = SONDE_MESSAGE_KIND_TEXT,
        .size = length,
        .stored_size = length,
        .data = (const guint8 *) payload,
      };

      sonde_recorder_add (recorder, &record);
      payload_bytes += length;
      /* 300,000 messages a second. */
      wall_us += 3 + (seq % 3 == 0);
      if (seq % 1024 == 0)
        while (sonde_recorder_get_queued_bytes (recorder) > SONDE_RECORDER_DEFAULT_QUEUE_LIMIT / 2)
          g_usleep (1000);
    }
  bench->last_wall_us = wall_us;
  sonde_recorder_close (recorder, wall_us, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);
  g_clear_object (&recorder);
  g_clear_object (&store);   /* checkpoints the WAL into the file */
  printf ("recorded %" G_GUINT64_FORMAT " messages of %.1f bytes on average in %.1f s: %" G_GUINT64_FORMAT
          " bytes on disk, %.1f a message\n",
          bench->n, (double) payload_bytes / bench->n, (now_ms () - start) / 1000, database_size (bench->path),
          (double) database_size (bench->path) / bench->n);
}

typedef struct {
  guint n;
  guint limit;
} Screen;

static gboolean
take_screen (const SondeRecord *record,
             gpointer           user_data)
{
  Screen *screen = user_data;

  return ++screen->n < screen->limit;
}

static double
time_first_screen (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  double start = timer_start ();
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, &error);
  g_autoptr(SondeStoreSession) session = NULL;
  Screen screen = { 0, FIRST_SCREEN };
  double elapsed;

  g_assert_no_error (error);
  session = sonde_store_get_session (SONDE_STORE (reader), bench->session, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_store_read_records (SONDE_STORE (reader), bench->session, 0, take_screen, &screen, &error));
  g_assert_no_error (error);
  elapsed = timer_stop (start);
  g_assert_cmpuint (screen.n, ==, FIRST_SCREEN);
  g_assert_cmpuint (session->messages, ==, bench->n);
  return elapsed;
}

typedef struct {
  SondeJsonPath *path;
  SondeSeries   *series;
} Rebuild;

/* What SondeSeriesFeed does with each received text message, as a scan's
 * filter that keeps nothing: the store reads no more of a record than the
 * filter sees. */
static gboolean
feed_series (const SondeRecord *record,
             gpointer           user_data)
{
  Rebuild *rebuild = user_data;
  double value;

  if (record->direction == SONDE_DIRECTION_IN && record->kind == SONDE_MESSAGE_KIND_TEXT
      && sonde_json_path_get_number (rebuild->path, (const char *) record->data, record->stored_size, &value))
    sonde_series_append (rebuild->series, record->wall_us, value);
  return FALSE;
}

static gboolean
keep_nothing (const SondeRecord *record,
              gpointer           user_data)
{
  g_assert_not_reached ();
}

static double
time_series (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  double start = timer_start ();
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, &error);
  g_autoptr(SondeJsonPath) path = sonde_json_path_new ("$.price", &error);
  g_autoptr(SondeSeries) series = sonde_series_new (MAX (SONDE_SERIES_DEFAULT_CAPACITY, (guint) bench->n));
  Rebuild rebuild = { path, series };
  double elapsed;

  g_assert_no_error (error);
  g_assert_true (sonde_store_scan_records (SONDE_STORE (reader), bench->session, 0, feed_series, keep_nothing,
                                           &rebuild, &error));
  g_assert_no_error (error);
  elapsed = timer_stop (start);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, bench->n);
  return elapsed;
}

static double
time_seek (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, &error);
  double start;
  guint64 seq = 0;

  g_assert_no_error (error);
  start = timer_start ();
  g_assert_true (sonde_store_seek_time (SONDE_STORE (reader), bench->session,
                                        (bench->first_wall_us + bench->last_wall_us) / 2, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seq, >, bench->n / 3);
  g_assert_cmpuint (seq, <, bench->n * 2 / 3);
  return timer_stop (start);
}

static gboolean
count_hit (const SondeHistoryHit *hit,
           gpointer               user_data)
{
  (*(guint64 *) user_data)++;
  return TRUE;
}

static double
time_search (Bench      *bench,
             const char *word,
             guint64    *out_hits)
{
  g_autoptr(GError) error = NULL;
  double start = timer_start ();
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, &error);
  g_autoptr(SondeHistoryQuery) query = sonde_history_query_new (SONDE_HISTORY_QUERY_TEXT, word, &error);
  guint64 hits = 0;

  g_assert_no_error (error);
  g_assert_true (sonde_history_search (SONDE_STORE (reader), query, 0, 0, NULL, count_hit, &hits, &error));
  g_assert_no_error (error);
  *out_hits = hits;
  return timer_stop (start);
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

typedef struct {
  const char *name;
  const char *tokenizer;
  char       *path;
  double      build_ms;
  guint64     base_bytes;   /* the database before its index */
  guint64     bytes;
} Fts;

static gboolean
insert_row (const SondeRecord *record,
            gpointer           user_data)
{
  sqlite3_stmt *stmt = user_data;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) record->seq);
  sqlite3_bind_int64 (stmt, 2, record->wall_us);
  sqlite3_bind_int (stmt, 3, record->direction);
  sqlite3_bind_int (stmt, 4, record->kind);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) record->size);
  sqlite3_bind_blob64 (stmt, 6, record->data, record->stored_size, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_reset (stmt);
  return TRUE;
}

/* An FTS5 index of the payloads in a database of its own: FTS5's external
 * content wants a row per message, so the recording's records (packed in
 * chunks) are written out one a row first, then indexed (the index holds
 * the terms; "index per message" counts only it). */
static void
build_fts (Bench *bench,
           Fts   *fts)
{
  g_autofree char *create = g_strdup_printf ("CREATE VIRTUAL TABLE fts USING fts5(payload, content='messages',"
                                             " content_rowid='key', tokenize='%s')", fts->tokenizer);
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  double start;

  g_assert_nonnull (reader);
  fts->path = g_strdup_printf ("%s-%s.db", bench->path, fts->name);
  g_assert_cmpint (sqlite3_open (fts->path, &db), ==, SQLITE_OK);
  exec_sql (db, "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                "CREATE TABLE messages (key INTEGER PRIMARY KEY, wall_us INTEGER, direction INTEGER,"
                " kind INTEGER, size INTEGER, payload BLOB); BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)", -1, &insert, NULL),
                   ==, SQLITE_OK);
  g_assert_true (sonde_store_read_records (SONDE_STORE (reader), bench->session, 0, insert_row, insert, NULL));
  sqlite3_finalize (insert);
  exec_sql (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
  fts->base_bytes = database_size (fts->path);
  start = now_ms ();
  exec_sql (db, create);
  exec_sql (db, "INSERT INTO fts (fts) VALUES ('rebuild')");
  fts->build_ms = now_ms () - start;
  exec_sql (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
  fts->bytes = database_size (fts->path);
}

/* The hits of @word through the index, each row read back as the scan
 * hands it (its columns and payload). */
static double
time_fts_search (Fts        *fts,
                 const char *word,
                 guint64    *out_hits)
{
  g_autofree char *match = g_strdup_printf ("\"%s\"", word);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 hits = 0;
  gsize bytes = 0;
  double start = timer_start ();

  g_assert_cmpint (sqlite3_open_v2 (fts->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT m.key, m.wall_us, m.direction, m.kind, m.size, m.payload"
                                       " FROM fts JOIN messages m ON m.key = fts.rowid WHERE fts MATCH ?"
                                       " ORDER BY m.key", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      bytes += sqlite3_column_bytes (stmt, 5);
      hits++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (bytes, >, 0);
  *out_hits = hits;
  return timer_stop (start);
}

/* One row of the table: wall and CPU times of each run. */
typedef struct {
  char   *label;
  char   *note;
  GArray *wall;
  GArray *cpu;
} Row;

static Row *
row_new (GPtrArray  *rows,
         const char *label)
{
  Row *row = g_new0 (Row, 1);

  row->label = g_strdup (label);
  row->wall = g_array_new (FALSE, FALSE, sizeof (double));
  row->cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (rows, row);
  return row;
}

static void
row_free (Row *row)
{
  g_free (row->label);
  g_free (row->note);
  g_array_unref (row->wall);
  g_array_unref (row->cpu);
  g_free (row);
}

static void
row_add (Row    *row,
         double  wall)
{
  g_array_append_val (row->wall, wall);
  g_array_append_val (row->cpu, last_cpu_ms);
}

static double
row_median (Row *row)
{
  double median, worst;

  summarize (row->wall, &median, &worst);
  return median;
}

static void
print_row (Row *row)
{
  double median, worst, cpu, cpu_worst;

  summarize (row->wall, &median, &worst);
  summarize (row->cpu, &cpu, &cpu_worst);
  printf ("| %-36s | %9.1f | %9.1f | %9.1f | %-14s |\n", row->label, median, worst, cpu,
          row->note != NULL ? row->note : "");
}

static const char *
verdict (double measured,
         double goal)
{
  return measured <= goal ? "MET" : "MISSED";
}

static gboolean
read_nothing (const SondeRecord *record,
              gpointer           user_data)
{
  (*(guint64 *) user_data)++;
  return TRUE;
}

static double
time_read (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  double start = timer_start ();
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (bench->path, &error);
  guint64 n = 0;

  g_assert_no_error (error);
  g_assert_true (sonde_store_read_records (SONDE_STORE (reader), bench->session, 0, read_nothing, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, bench->n);
  return timer_stop (start);
}

static void
remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", ".lock" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  Fts fts[] = { { "fts5-words", "unicode61" }, { "fts5-trigram", "trigram" } };
  Bench bench = { .n = 1000000, .repeat = 3 };
  gboolean with_fts = TRUE;
  guint64 rare_hits = 0, common_hits = 0, plain;
  Row *screen, *read, *series, *seek, *rare, *common;
  double search_ms;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--repeat") && i + 1 < argc)
        bench.repeat = (guint) MAX (1, atoi (argv[i + 1])), i++;
      else if (g_str_equal (argv[i], "--no-fts"))
        with_fts = FALSE;
      else if (g_ascii_isdigit (argv[i][0]))
        bench.n = MAX (FIRST_SCREEN, g_ascii_strtoull (argv[i], NULL, 10));
      else
        {
          fprintf (stderr, "Usage: bench-history [N_MESSAGES] [--repeat N] [--no-fts]\n");
          return 2;
        }
    }

  bench.dir = g_dir_make_tmp ("sonde-bench-history-XXXXXX", &error);
  g_assert_no_error (error);
  bench.path = g_build_filename (bench.dir, "history.db", NULL);
  record_messages (&bench);
  plain = database_size (bench.path);

  screen = row_new (rows, "first screen (open, session, 200)");
  read = row_new (rows, "read every record (nothing done)");
  series = row_new (rows, "series of $.price rebuilt");
  seek = row_new (rows, "seek to a time");
  rare = row_new (rows, "search scan, rare word");
  common = row_new (rows, "search scan, common word");
  for (guint r = 0; r < bench.repeat; r++)
    {
      row_add (screen, time_first_screen (&bench));
      row_add (read, time_read (&bench));
      row_add (series, time_series (&bench));
      row_add (seek, time_seek (&bench));
      row_add (rare, time_search (&bench, RARE_WORD, &rare_hits));
      row_add (common, time_search (&bench, COMMON_WORD, &common_hits));
    }
  g_assert_cmpuint (rare_hits, ==, bench.n / RARE_EVERY);
  rare->note = g_strdup_printf ("%" G_GUINT64_FORMAT " hits", rare_hits);
  common->note = g_strdup_printf ("%" G_GUINT64_FORMAT " hits", common_hits);

  if (with_fts)
    for (guint f = 0; f < G_N_ELEMENTS (fts); f++)
      {
        build_fts (&bench, &fts[f]);
        for (guint w = 0; w < 2; w++)
          {
            g_autofree char *label = g_strdup_printf ("search %s, %s word", fts[f].name, w == 0 ? "rare" : "common");
            Row *row = row_new (rows, label);

            for (guint r = 0; r < bench.repeat; r++)
              {
                guint64 hits;

                row_add (row, time_fts_search (&fts[f], w == 0 ? RARE_WORD : COMMON_WORD, &hits));
                g_assert_cmpuint (hits, ==, w == 0 ? rare_hits : common_hits);
              }
            row->note = g_strdup_printf ("%" G_GUINT64_FORMAT " hits", w == 0 ? rare_hits : common_hits);
          }
      }

  printf ("\n%" G_GUINT64_FORMAT " recorded messages, median and worst of %u runs (wall), and the median CPU time"
          " of the thread\n\n", bench.n, bench.repeat);
  printf ("| %-36s | %9s | %9s | %9s | %-14s |\n", "what", "median ms", "worst ms", "CPU ms", "");
  printf ("|--------------------------------------|-----------|-----------|-----------|----------------|\n");
  for (guint i = 0; i < rows->len; i++)
    print_row (g_ptr_array_index (rows, i));

  printf ("\n| %-15s | %14s | %11s | %17s | %13s |\n", "database", "bytes", "per message", "index per message",
          "index build s");
  printf ("|-----------------|----------------|-------------|-------------------|---------------|\n");
  printf ("| %-15s | %14" G_GUINT64_FORMAT " | %11.1f | %17s | %13s |\n", "scan (no index)", plain,
          (double) plain / bench.n, "0", "-");
  if (with_fts)
    for (guint f = 0; f < G_N_ELEMENTS (fts); f++)
      printf ("| %-15s | %14" G_GUINT64_FORMAT " | %11.1f | %17.1f | %13.1f |\n", fts[f].name, fts[f].bytes,
              (double) fts[f].bytes / bench.n, ((double) fts[f].bytes - fts[f].base_bytes) / bench.n,
              fts[f].build_ms / 1000);

  search_ms = MAX (row_median (rare), row_median (common));
  printf ("\n");
  printf ("target history-first-screen: %.1f ms (goal <= %.0f ms) %s\n", row_median (screen), GOAL_FIRST_SCREEN_MS,
          verdict (row_median (screen), GOAL_FIRST_SCREEN_MS));
  printf ("target history-series-1m: %.1f ms (goal <= %.0f ms) %s\n", row_median (series), GOAL_SERIES_MS,
          verdict (row_median (series), GOAL_SERIES_MS));
  printf ("target history-search-1m: %.1f ms (goal <= %.0f ms) %s\n", search_ms, GOAL_SEARCH_MS,
          verdict (search_ms, GOAL_SEARCH_MS));

  for (guint f = 0; f < G_N_ELEMENTS (fts); f++)
    {
      if (fts[f].path != NULL)
        remove_database (fts[f].path);
      g_free (fts[f].path);
    }
  remove_database (bench.path);
  g_rmdir (bench.dir);
  g_free (bench.path);
  g_free (bench.dir);
  return 0;
}
