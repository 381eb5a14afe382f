/* record-writer.c: records at full speed into a database until killed, or
 * until the disk is full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: record-writer batches PATH
 *   Opens the store at PATH, begins a session and appends batches forever:
 *   batch k (from 0) holds record_writer_batch_size (k) records of 100 bytes
 *   with consecutive seqs from 1, and after each commit prints its number.
 *   test-store-sqlite kills it with SIGKILL and checks that the stored seqs
 *   end at a batch boundary.
 * Usage: record-writer fill PATH
 *   With a 2 MiB file-size limit (SIGXFSZ ignored), records 1 KiB messages
 *   through a SondeRecorder until it stops; prints "stopped DOMAIN CODE" and
 *   the message, closes and exits 0. test-recorder checks the output.
 * Exit status: 2 bad usage, 3 the store did not open, 4 a write failed
 * (batches) or recording never stopped (fill).
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "record-writer.h"
#include "sonde-recorder.h"
#include "sonde-store-sqlite.h"

static void
fill_record (SondeRecord *record,
             guint8      *payload,
             gsize        size,
             guint64      seq)
{
  memset (payload, 'a' + (int) (seq % 26), size);
  *record = (SondeRecord) {
    .seq = seq,
    .wall_us = g_get_real_time (),
    .mono_us = g_get_monotonic_time (),
    .direction = SONDE_DIRECTION_IN,
    .kind = SONDE_MESSAGE_KIND_TEXT,
    .size = size,
    .stored_size = size,
    .data = payload,
  };
}

static int
run_batches (SondeStore *store)
{
  g_autofree SondeRecord *records = g_new (SondeRecord, RECORD_WRITER_MAX_BATCH);
  g_autofree guint8 *payloads = g_malloc (RECORD_WRITER_MAX_BATCH * 100);
  g_autoptr(GError) error = NULL;
  gint64 session = 0;
  guint64 seq = 1;

  if (!sonde_store_begin_session (store, NULL, NULL, "ws://127.0.0.1/", g_get_real_time (), &session, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 4;
    }
  for (guint64 k = 0;; k++)
    {
      guint n = record_writer_batch_size (k);

      for (guint i = 0; i < n; i++)
        fill_record (&records[i], payloads + i * 100, 100, seq++);
      if (!sonde_store_append (store, session, records, n, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 4;
        }
      printf ("%" G_GUINT64_FORMAT "\n", k);
      fflush (stdout);
    }
}

static void
on_stopped (SondeRecorder *recorder,
            const GError  *error,
            gpointer       user_data)
{
  GError **out = user_data;

  *out = g_error_copy (error);
}

static int
run_fill (SondeStore *store)
{
  g_autoptr(SondeRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stopped = NULL;
  guint8 payload[1024];
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  recorder = sonde_recorder_new (store, "p1", "Fill", "ws://127.0.0.1/", g_get_real_time (), &error);
  if (recorder == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 4;
    }
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), &stopped);
  for (guint64 seq = 1; stopped == NULL && g_get_monotonic_time () < deadline; seq++)
    {
      SondeRecord record;

      fill_record (&record, payload, sizeof payload, seq);
      sonde_recorder_add (recorder, &record);
      /* Let the writer keep up, and the stop come in. */
      while (sonde_recorder_get_queued_bytes (recorder) > 256 * 1024 && stopped == NULL)
        g_main_context_iteration (NULL, FALSE);
      g_main_context_iteration (NULL, FALSE);
    }
  if (stopped == NULL)
    return 4;
  printf ("stopped %s %d recording=%d\n%s\n", g_quark_to_string (stopped->domain), stopped->code,
          sonde_recorder_get_recording (recorder), stopped->message);
  sonde_recorder_close (recorder, g_get_real_time (), 1000, "done", SONDE_STORE_ENDED_BY_CLIENT);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean fill;

  if (argc != 3 || (strcmp (argv[1], "batches") != 0 && strcmp (argv[1], "fill") != 0))
    {
      fprintf (stderr, "Usage: %s batches|fill PATH\n", argv[0]);
      return 2;
    }
  fill = strcmp (argv[1], "fill") == 0;
  if (fill)
    {
      struct rlimit limit = { RECORD_WRITER_FILE_LIMIT, RECORD_WRITER_FILE_LIMIT };

      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &limit) != 0)
        return 2;
    }

  store = sonde_store_sqlite_open (argv[2], &error);
  if (store == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 3;
    }
  return fill ? run_fill (SONDE_STORE (store)) : run_batches (SONDE_STORE (store));
}
