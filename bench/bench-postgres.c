/* bench-postgres.c: the PostgreSQL backend against SQLite: how fast each
 * stores 100-byte messages, whether a recorder keeps up with 100k msg/s
 * into it, and a database restart in the middle of a recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-postgres [--quick]
 *
 * Starts a PostgreSQL of its own (tests/sonde-test-postgres.c: initdb and
 * pg_ctl in a temporary directory on 127.0.0.1, as "nobody" when run as
 * root; fsync off, as the tests), then, for SQLite (a file in a temporary
 * folder), PostgreSQL with COPY and PostgreSQL with a multi-row INSERT:
 *
 *  1. store: batches of 8,192 records (the recorder's batch) appended in a
 *     loop on one thread, 1M messages (--quick: 200k): messages per second
 *     of the store alone (the median of 3 rounds, the stores in turn;
 *     --quick: one), the ratio to SQLite's, and the bytes on disk a message
 *     (SQLite: the file and its WAL, not checkpointed; PostgreSQL: the
 *     tables with their TOAST and indexes);
 *  2. paced: a SondeRecorder fed 100,000 msg/s from this thread (in 1 ms
 *     slices against the monotonic clock) for 10 s (--quick: 3 s), then
 *     closed: the rate reached, records skipped (a gap), and how long the
 *     close took to flush what was queued;
 *
 * and, for PostgreSQL (COPY) only,
 *
 *  3. restart: the same paced recording for 6 s, the server stopped
 *     (immediate: as if it crashed) 2 s in and started again a second
 *     later; every record the recorder took (none skipped) must be in the
 *     database, once, in order.
 *
 * Prints the tables and the target lines (docs/DESIGN.md): postgres-100k
 * (the paced recording into PostgreSQL, COPY: ≥ 99,000 msg/s reached, no
 * record skipped, flushed within 1 s of the last add) and postgres-restart
 * (nothing acknowledged lost). Exit status 1 when PostgreSQL cannot start.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-recorder.h"
#include "sonde-store-postgres.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-postgres.h"

#define PAYLOAD  100
#define BATCH    8192
#define RATE     100000
#define ROUNDS   3

typedef struct {
  const char *name;
  double      store_rate;     /* messages/s, the store alone */
  double      disk_per_msg;   /* bytes on disk a message, after the store alone */
  double      paced_rate;     /* messages/s reached by the paced producer */
  guint64     skipped;
  double      flush_s;        /* close after the last add */
} Row;

static SondeTestPostgres *server;

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}
static char *tmp_dir;
static guint db_count;

static void
fill_record (SondeRecord *record,
             guint8      *payload,
             guint64      seq)
{
  /* A tick like the demo feed's, its numbers varying as a feed's do. */
  static const char * const syms[] = { "ABC", "XYZ", "QRS", "LMN" };
  guint32 r = g_random_int ();
  int n = g_snprintf ((char *) payload, PAYLOAD + 1,
                      "{\"type\":\"tick\",\"sym\":\"%s\",\"price\":%u.%02u,\"volume\":%u,\"ts\":%" G_GINT64_FORMAT
                      ",\"seq\":%" G_GUINT64_FORMAT ",\"venue\":\"",
                      syms[r % 4], 90 + (r >> 2) % 20, (r >> 8) % 100, (r >> 12) % 10000,
                      g_get_real_time () / 1000, seq);

  /* Padded to PAYLOAD bytes with the venue's name. */
  memset (payload + n, 'X', PAYLOAD - n - 2);
  memcpy (payload + PAYLOAD - 2, "\"}", 2);
  *record = (SondeRecord) {
    .seq = seq,
    .wall_us = g_get_real_time (),
    .mono_us = g_get_monotonic_time (),
    .direction = SONDE_DIRECTION_IN,
    .kind = SONDE_MESSAGE_KIND_TEXT,
    .size = PAYLOAD,
    .stored_size = PAYLOAD,
    .data = payload,
  };
}

/* A fresh store: "sqlite", "copy" or "insert". */
static SondeStore *
new_store (const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("bench_%u", ++db_count);
  SondeStore *store;

  if (g_str_equal (kind, "sqlite"))
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.sqlite", tmp_dir, name);

      store = SONDE_STORE (sonde_store_sqlite_open (path, &error));
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
      g_autofree char *uri = sonde_test_postgres_uri (server, name);

      sonde_test_postgres_sql (server, "postgres", sql, &error);
      g_assert_no_error (error);
      store = SONDE_STORE (sonde_store_postgres_open (uri, &error));
      if (store != NULL)
        sonde_store_postgres_set_write (SONDE_STORE_POSTGRES (store),
                                        g_str_equal (kind, "copy") ? SONDE_STORE_POSTGRES_COPY
                                                                   : SONDE_STORE_POSTGRES_INSERT);
    }
  g_assert_no_error (error);
  return store;
}

static double
measure_store (const char *kind,
               guint64     n,
               double     *disk_per_msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = new_store (kind);
  g_autofree SondeRecord *batch = g_new (SondeRecord, BATCH);
  g_autofree guint8 *payloads = g_malloc ((gsize) BATCH * (PAYLOAD + 1));
  gint64 id = 0, start, elapsed = 0;
  guint64 seq = 1;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://127.0.0.1/", g_get_real_time (), &id, &error));
  while (seq <= n)
    {
      guint count = (guint) MIN ((guint64) BATCH, n - seq + 1);

      for (guint i = 0; i < count; i++)
        fill_record (&batch[i], payloads + (gsize) i * (PAYLOAD + 1), seq + i);
      start = g_get_monotonic_time ();
      if (!sonde_store_append (store, id, batch, count, &error))
        g_error ("%s: %s", kind, error->message);
      elapsed += g_get_monotonic_time () - start;
      seq += count;
    }
  *disk_per_msg = (double) sonde_store_get_size (store) / (double) n;
  return (double) n / ((double) elapsed / G_USEC_PER_SEC);
}

/* Feeds @recorder at RATE msg/s for @seconds from this thread. Calls
 * @at_second (when not NULL) each time a second has passed. */
static double
pace (SondeRecorder *recorder,
      double         seconds,
      guint64       *seq,
      void         (*at_second) (int second))
{
  guint8 payload[PAYLOAD + 1];
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 first = *seq;
  int second = 0;
  gint64 now;

  while ((now = g_get_monotonic_time ()) < end)
    {
      guint64 due = first + (guint64) ((now - start) * (double) RATE / G_USEC_PER_SEC);

      while (*seq < due)
        {
          SondeRecord record;

          fill_record (&record, payload, *seq);
          sonde_recorder_add (recorder, &record);
          (*seq)++;
        }
      if (at_second != NULL && (now - start) / G_USEC_PER_SEC > second)
        {
          second = (int) ((now - start) / G_USEC_PER_SEC);
          at_second (second);
        }
      /* The next millisecond's share. */
      g_usleep (1000);
    }
  return (double) (*seq - first) / ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
}

static void
measure_paced (const char *kind,
               double      seconds,
               Row        *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = new_store (kind);
  g_autoptr(SondeRecorder) recorder = sonde_recorder_new (store, NULL, NULL, "ws://127.0.0.1/", g_get_real_time (), &error);
  guint64 seq = 1;
  gint64 closing;

  g_assert_no_error (error);
  row->paced_rate = pace (recorder, seconds, &seq, NULL);
  closing = g_get_monotonic_time ();
  sonde_recorder_close (recorder, g_get_real_time (), 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  row->flush_s = (double) (g_get_monotonic_time () - closing) / G_USEC_PER_SEC;
  row->skipped = sonde_recorder_get_skipped (recorder);
}

static void
restart_at (int second)
{
  g_autoptr(GError) error = NULL;

  if (second == 2)
    {
      if (!sonde_test_postgres_stop (server, "immediate", &error))
        g_error ("stop: %s", error->message);
      printf ("  %d s: the server stopped (immediate)\n", second);
    }
  else if (second == 3)
    {
      if (!sonde_test_postgres_restart (server, &error))
        g_error ("restart: %s", error->message);
      printf ("  %d s: the server started again\n", second);
    }
}

typedef struct {
  guint64  n;
  guint64  last;
  gboolean in_order;
  guint    gaps;
} Count;

static gboolean
count_record (const SondeRecord *record,
              gpointer           user_data)
{
  Count *count = user_data;

  if (count->n > 0 && record->seq != count->last + 1)
    count->in_order = FALSE;
  if (record->kind == SONDE_MESSAGE_KIND_GAP)
    count->gaps++;
  count->last = record->seq;
  count->n++;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint64 n = quick ? 200000 : 1000000;
  guint rounds = quick ? 1 : ROUNDS;
  double seconds = quick ? 3 : 10;
  g_autoptr(GError) error = NULL;
  gboolean skip = FALSE;
  Row rows[] = { { "SQLite" }, { "PostgreSQL, COPY" }, { "PostgreSQL, INSERT" } };
  const char *kinds[] = { "sqlite", "copy", "insert" };
  guint64 taken = 0, stored = 0, skipped;
  gboolean restart_ok, paced_ok;
  Count count = { 0, 0, TRUE, 0 };

  server = sonde_test_postgres_start (&skip, &error);
  if (server == NULL)
    {
      g_printerr ("bench-postgres: %s\n", error->message);
      return 1;
    }
  tmp_dir = g_dir_make_tmp ("sonde-bench-pg-XXXXXX", NULL);

  /* Rounds in turn (the machine is shared): each store's median. */
  {
    double rates[G_N_ELEMENTS (rows)][ROUNDS];

    for (guint r = 0; r < rounds; r++)
      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        rates[i][r] = measure_store (kinds[i], n, &rows[i].disk_per_msg);
    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        qsort (rates[i], rounds, sizeof (double), compare_doubles);
        rows[i].store_rate = rates[i][rounds / 2];
      }
  }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    measure_paced (kinds[i], seconds, &rows[i]);

  printf ("\n%" G_GUINT64_FORMAT " messages of %d bytes, stored in batches of %d (median of %u rounds);"
          " then a recorder fed %d msg/s for %.0f s\n\n", n, PAYLOAD, BATCH, rounds, RATE, seconds);
  printf ("| store              | store alone, msg/s | × SQLite | disk B/msg | paced, msg/s | skipped | flush after the last add |\n");
  printf ("|--------------------|-------------------:|---------:|-----------:|-------------:|--------:|-------------------------:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    printf ("| %-18s | %18.0f | %7.2f× | %10.1f | %12.0f | %7" G_GUINT64_FORMAT " | %22.2f s |\n", rows[i].name,
            rows[i].store_rate, rows[i].store_rate / rows[0].store_rate, rows[i].disk_per_msg, rows[i].paced_rate,
            rows[i].skipped, rows[i].flush_s);

  /* A restart in the middle. */
  printf ("\nrestart: %d msg/s into PostgreSQL (COPY) for 6 s\n", RATE);
  {
    g_autoptr(SondeStore) store = new_store ("copy");
    g_autoptr(SondeRecorder) recorder = sonde_recorder_new (store, NULL, NULL, "ws://127.0.0.1/", g_get_real_time (), &error);
    g_autoptr(SondeStorePostgres) reader = NULL;
    g_autofree char *uri = g_strdup_printf ("bench_%u", db_count);
    g_autofree char *full = sonde_test_postgres_uri (server, uri);
    guint64 seq = 1;
    gint64 id = sonde_recorder_get_session_id (recorder);
    gint64 closing;

    g_assert_no_error (error);
    pace (recorder, 6, &seq, restart_at);
    closing = g_get_monotonic_time ();
    sonde_recorder_close (recorder, g_get_real_time (), 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
    skipped = sonde_recorder_get_skipped (recorder);
    taken = seq - 1 - skipped;
    reader = sonde_store_postgres_open_reader (full, &error);
    g_assert_no_error (error);
    g_assert_true (sonde_store_read_records (SONDE_STORE (reader), id, 0, count_record, &count, &error));
    g_assert_no_error (error);
    stored = count.n - count.gaps;
    printf ("  added %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT ", in the database %" G_GUINT64_FORMAT
            " (%s, %u gap records); the close flushed in %.2f s\n",
            seq - 1, skipped, stored, count.in_order ? "in order" : "OUT OF ORDER", count.gaps,
            (double) (g_get_monotonic_time () - closing) / G_USEC_PER_SEC);
  }

  paced_ok = rows[1].paced_rate >= 0.99 * RATE && rows[1].skipped == 0 && rows[1].flush_s <= 1.0;
  printf ("\ntarget postgres-100k: %.0f msg/s, %" G_GUINT64_FORMAT " skipped, flushed in %.2f s, %.2f× SQLite's store rate"
          " (goal %d msg/s of %d B, none skipped, flushed ≤ 1 s) %s\n",
          rows[1].paced_rate, rows[1].skipped, rows[1].flush_s, rows[1].store_rate / rows[0].store_rate, RATE, PAYLOAD,
          paced_ok ? "MET" : "MISSED");
  restart_ok = stored == taken && count.in_order;
  printf ("target postgres-restart: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " acknowledged records stored"
          " across a restart (goal all) %s\n", stored, taken, restart_ok ? "MET" : "MISSED");

  sonde_test_postgres_free (server);
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmp_dir);
  }
  return 0;
}
