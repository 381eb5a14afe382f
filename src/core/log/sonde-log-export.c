/* sonde-log-export.c: a connection's log written out as JSON Lines, CSV or
 * HAR (SondeExportWriter)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The export takes the records the log holds when it starts, a slice at a
 * time on the main loop (at most ~4 ms and 1 MiB of text per slice), and
 * writes each slice asynchronously before formatting the next: a million
 * records never stall the window, and capture goes on meanwhile. What
 * retention evicts (or Clear removes) before the export reaches it is
 * counted, not silently skipped. The file is replaced only once it is
 * complete: a failure or a cancel leaves what was there.
 */

#define G_LOG_DOMAIN "sonde-log-export"

#include "config.h"

#include <string.h>

#include "sonde-export-writer.h"
#include "sonde-filter-model.h"
#include "sonde-json-writer.h"
#include "sonde-log-export.h"

#define SLICE_BYTES (1024 * 1024)
#define SLICE_US    4000
#define PROGRESS_US (250 * 1000)

typedef struct {
  SondeMessageLog *log;
  SondeFilterModel *filter;     /* NULL: every record */
  GOutputStream   *stream;      /* the temporary file */
  guint64          next_seq;
  guint64          end_seq;
  guint64          n_written;
  guint64          n_lost;
  SondeExportWriter      *writer;
  GOutputStream          *memory;   /* what the writer wrote during a slice */
  GFile                  *target;
  GFile                  *temp;
  SondeExportProgressFunc progress;
  gpointer                progress_data;
  gint64                  last_progress_us;
  guint64                 start_seq;
  gboolean                finishing;
} Export;

static void
export_free (gpointer data)
{
  Export *export = data;

  g_clear_object (&export->log);
  g_clear_object (&export->filter);
  g_clear_object (&export->stream);
  g_clear_pointer (&export->writer, sonde_export_writer_free);
  g_clear_object (&export->memory);
  g_clear_object (&export->target);
  g_clear_object (&export->temp);
  g_free (export);
}

/* One record as a line of JSON, without the newline. */
void
sonde_log_export_line (GString           *out,
                       const SondeRecord *record,
                       SondeRedactor     *redactor)
{
  g_autoptr(GString) scratch = NULL;
  SondeRecord copy;

  g_return_if_fail (out != NULL);
  g_return_if_fail (record != NULL);

  sonde_record_append_json (out, sonde_export_redact (record, redactor, &scratch, &copy));
}

/* The record at next_seq, if the log still has it; what retention evicted
 * meanwhile is counted as lost and skipped. next_seq is left on the record
 * returned. */
static gboolean
next_record (Export      *export,
             SondeRecord *record)
{
  guint64 first = sonde_message_log_get_first_seq (export->log);

  if (export->next_seq < first)
    {
      guint64 lost = MIN (first, export->end_seq) - export->next_seq;

      export->n_lost += lost;
      export->next_seq += lost;
      return FALSE;
    }
  if (!sonde_message_log_lookup_seq (export->log, export->next_seq, record))
    {
      export->n_lost++;
      export->next_seq++;
      return FALSE;
    }
  return TRUE;
}

/* The full export: each slice of records goes through the format's
 * writer into memory, then to the temporary file asynchronously. */

static void full_continue (GTask *task);

/* Drops the temporary file; the target stays as it was. */
static void
full_fail (GTask  *task,
           GError *error)
{
  Export *export = g_task_get_task_data (task);

  if (export->stream != NULL && !g_output_stream_is_closed (export->stream))
    g_output_stream_close (export->stream, NULL, NULL);
  if (export->temp != NULL)
    g_file_delete (export->temp, NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
full_report (Export  *export,
             gboolean force)
{
  gint64 now = g_get_monotonic_time ();

  if (export->progress == NULL || (!force && now - export->last_progress_us < PROGRESS_US))
    return;
  export->last_progress_us = now;
  export->progress (MIN (export->next_seq, export->end_seq) - export->start_seq,
                    export->end_seq - export->start_seq, export->progress_data);
}

static void
on_full_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Export *export = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error) ||
      g_task_return_error_if_cancelled (task))
    {
      if (error == NULL)
        {
          /* Cancelled at the last moment: still nothing is left. */
          g_file_delete (export->temp, NULL, NULL);
          g_object_unref (task);
          return;
        }
      full_fail (task, error);
      return;
    }

  /* A rename within one folder: atomic, and quick. */
  if (!g_file_move (export->temp, export->target, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    NULL, NULL, NULL, &error))
    {
      full_fail (task, error);
      return;
    }

  export->n_written = sonde_export_writer_get_n_written (export->writer);
  full_report (export, TRUE);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_full_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      full_fail (task, error);
      return;
    }
  full_continue (task);
}

static void
full_continue (GTask *task)
{
  Export *export = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 deadline = g_get_monotonic_time () + SLICE_US;
  guint since_check = 0;
  GError *error = NULL;
  GBytes *bytes;
  goffset length;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      full_fail (task, error);
      return;
    }

  if (export->finishing)
    {
      g_output_stream_close_async (export->stream, G_PRIORITY_DEFAULT, cancellable, on_full_closed, task);
      return;
    }

  while (export->next_seq < export->end_seq)
    {
      SondeRecord record;

      if (!next_record (export, &record))
        continue;
      export->next_seq++;

      if (export->filter != NULL && !sonde_filter_model_record_matches (export->filter, &record))
        continue;

      /* Into memory: this does not wait on the disk. */
      if (!sonde_export_writer_add (export->writer, &record, NULL, &error))
        {
          full_fail (task, error);
          return;
        }

      if (++since_check == 64)
        {
          since_check = 0;
          if (g_get_monotonic_time () >= deadline ||
              g_seekable_tell (G_SEEKABLE (export->memory)) >= SLICE_BYTES)
            break;
        }
    }

  if (export->next_seq >= export->end_seq)
    {
      if (!sonde_export_writer_finish (export->writer, NULL, &error))
        {
          full_fail (task, error);
          return;
        }
      export->finishing = TRUE;
    }

  full_report (export, FALSE);

  length = g_seekable_tell (G_SEEKABLE (export->memory));
  if (length == 0)
    {
      full_continue (task);
      return;
    }
  bytes = g_bytes_new (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (export->memory)), length);
  g_seekable_seek (G_SEEKABLE (export->memory), 0, G_SEEK_SET, NULL, NULL);
  g_output_stream_write_all_async (export->stream, g_bytes_get_data (bytes, NULL), length,
                                   G_PRIORITY_DEFAULT, cancellable, on_full_written, task);
  /* The write holds no copy: the task keeps the bytes (until the next). */
  g_object_set_data_full (G_OBJECT (task), "sonde-export-chunk", bytes, (GDestroyNotify) g_bytes_unref);
}

static void
on_temp_created (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Export *export = g_task_get_task_data (task);
  GError *error = NULL;
  GFileOutputStream *stream = g_file_create_finish (G_FILE (source), result, &error);

  if (stream == NULL)
    {
      /* Nothing was created: nothing to delete. */
      g_clear_object (&export->temp);
      full_fail (task, error);
      return;
    }

  export->stream = G_OUTPUT_STREAM (stream);
  full_continue (task);
}

void
sonde_log_export_full_async (SondeMessageLog           *log,
                             SondeFilterModel          *filter,
                             SondeRedactor             *redactor,
                             const SondeExportOptions  *options,
                             GFile                     *file,
                             GCancellable              *cancellable,
                             SondeExportProgressFunc    progress,
                             gpointer                   progress_data,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  GTask *task;
  Export *export;
  GError *error = NULL;

  g_return_if_fail (SONDE_IS_MESSAGE_LOG (log));
  g_return_if_fail (filter == NULL || SONDE_IS_FILTER_MODEL (filter));
  g_return_if_fail (filter == NULL || sonde_filter_model_get_log (filter) == log);
  g_return_if_fail (options != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (log, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_log_export_full_async);

  export = g_new0 (Export, 1);
  export->log = g_object_ref (log);
  export->filter = filter != NULL ? g_object_ref (filter) : NULL;
  export->next_seq = filter != NULL ? sonde_filter_model_get_first_seq (filter)
                                    : sonde_message_log_get_first_seq (log);
  export->start_seq = export->next_seq;
  export->end_seq = MAX (sonde_message_log_get_next_seq (log), export->next_seq);
  export->progress = progress;
  export->progress_data = progress_data;
  export->last_progress_us = g_get_monotonic_time ();
  export->target = g_object_ref (file);
  export->memory = g_memory_output_stream_new_resizable ();
  g_task_set_task_data (task, export, export_free);

  {
    SondeExportOptions with_views = *options;

    /* The log's messages as the window reads them: decoded. */
    if (with_views.views == NULL)
      with_views.views = sonde_message_log_get_views (log);
    export->writer = sonde_export_writer_new (export->memory, &with_views, redactor, &error);
  }
  if (export->writer == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  export->temp = sonde_export_temp_file (file);
  g_file_create_async (export->temp, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT, cancellable,
                       on_temp_created, task);
}

/* @n_written: records in the file; @n_lost: records evicted by retention or
 * cleared before the export reached them. */
gboolean
sonde_log_export_finish (SondeMessageLog  *log,
                         GAsyncResult     *result,
                         guint64          *n_written,
                         guint64          *n_lost,
                         GError          **error)
{
  Export *export;

  g_return_val_if_fail (g_task_is_valid (result, log), FALSE);

  export = g_task_get_task_data (G_TASK (result));
  if (n_written != NULL)
    *n_written = export->n_written;
  if (n_lost != NULL)
    *n_lost = export->n_lost;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Writes every record @log holds now to @file (replaced once complete,
 * readable by its owner only), one JSON object a line: the full export in
 * JSON Lines. Main thread only; @log may keep growing meanwhile: what comes
 * in after the start is not included. */
void
sonde_log_export_async (SondeMessageLog    *log,
                        SondeRedactor      *redactor,
                        GFile              *file,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };

  g_return_if_fail (SONDE_IS_MESSAGE_LOG (log));

  sonde_log_export_full_async (log, NULL, redactor, &options, file, cancellable, NULL, NULL, callback, user_data);
}

/* Writes the records @filter lets through, from the first its view may
 * show (what Clear removed is not written) to the log's newest, including
 * those waiting while paused. Finish with sonde_log_export_finish() on
 * the filter's log. */
void
sonde_log_export_filtered_async (SondeFilterModel   *filter,
                                 SondeRedactor      *redactor,
                                 GFile              *file,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };

  g_return_if_fail (SONDE_IS_FILTER_MODEL (filter));

  sonde_log_export_full_async (sonde_filter_model_get_log (filter), filter, redactor, &options, file, cancellable,
                               NULL, NULL, callback, user_data);
}
