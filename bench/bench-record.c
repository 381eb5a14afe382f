/* bench-record.c: how fast SondeRecorder's writer stores 100-byte messages,
 * and what each costs on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-record [N_MESSAGES] [PAYLOAD_BYTES]
 *
 * Adds N (default 1000000) records of PAYLOAD (default 100) bytes to a
 * recorder over a fresh database in a temporary folder as fast as the queue
 * takes them (waiting when it is half full, so that nothing is dropped),
 * closes it, and prints one JSON line: messages per second from the first
 * add to the end of close, the CPU time per message of the process and of
 * the recorder's writer (the process's less this thread's, the producer),
 * the database's bytes, bytes per message and the ratio to the payload.
 * Run by hand; not a test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "sonde-recorder.h"
#include "sonde-store-sqlite.h"

/* CPU time, user and system, in ns: the process's, or this thread's. */
static gint64
process_cpu_ns (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_GINT64_CONSTANT (1000000000)
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000;
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

int
main (int   argc,
      char *argv[])
{
  guint64 n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  gsize size = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 100;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-bench-record-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *lock = NULL;
  g_autofree guint8 *payload = g_malloc (MAX (size, 1));
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(SondeRecorder) recorder = NULL;
  gint64 start, elapsed, cpu_start, thread_start, cpu, producer_cpu;
  guint64 disk, waits = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "bench.db", NULL);
  wal = g_strconcat (path, "-wal", NULL);
  lock = g_strconcat (path, ".lock", NULL);
  for (gsize i = 0; i < size; i++)
    payload[i] = (guint8) ('a' + i % 26);

  store = sonde_store_sqlite_open (path, &error);
  g_assert_no_error (error);
  recorder = sonde_recorder_new (SONDE_STORE (store), NULL, NULL, "ws://127.0.0.1/", g_get_real_time (), &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  cpu_start = process_cpu_ns ();
  thread_start = thread_cpu_ns ();
  for (guint64 seq = 1; seq <= n; seq++)
    {
      SondeRecord record = {
        .seq = seq,
        .wall_us = g_get_real_time (),
        .mono_us = g_get_monotonic_time (),
        .direction = SONDE_DIRECTION_IN,
        .kind = SONDE_MESSAGE_KIND_TEXT,
        .size = size,
        .stored_size = size,
        .data = payload,
      };

      sonde_recorder_add (recorder, &record);
      if (seq % 1024 == 0)
        while (sonde_recorder_get_queued_bytes (recorder) > SONDE_RECORDER_DEFAULT_QUEUE_LIMIT / 2)
          {
            waits++;
            g_usleep (1000);
          }
    }
  sonde_recorder_close (recorder, g_get_real_time (), 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
  elapsed = g_get_monotonic_time () - start;
  cpu = process_cpu_ns () - cpu_start;
  producer_cpu = thread_cpu_ns () - thread_start;
  g_assert_cmpuint (sonde_recorder_get_skipped (recorder), ==, 0);
  g_clear_object (&recorder);
  g_clear_object (&store);   /* checkpoints the WAL into the database */
  disk = 0;
  {
    GStatBuf st;

    if (g_stat (path, &st) == 0)
      disk += st.st_size;
    if (g_stat (wal, &st) == 0)
      disk += st.st_size;
  }

  printf ("{\"messages\":%" G_GUINT64_FORMAT ",\"payload_bytes\":%" G_GSIZE_FORMAT ","
          "\"messages_per_second\":%.0f,\"cpu_ns_per_message\":%.0f,\"writer_cpu_ns_per_message\":%.0f,"
          "\"database_bytes\":%" G_GUINT64_FORMAT ","
          "\"bytes_per_message\":%.1f,\"overhead_per_message\":%.1f,\"producer_waits\":%" G_GUINT64_FORMAT "}\n",
          n, size, n / (elapsed / 1e6), (double) cpu / n, (double) (cpu - producer_cpu) / n,
          disk, (double) disk / n, (double) disk / n - size, waits);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (lock);
  g_rmdir (dir);
  return 0;
}
