/* sonde-store-export.c: writes a recorded session to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records are read from the store in seq order and go straight
 * through the format's writer (sonde-export-writer.h) to the stream: the
 * session is never held in memory. Records in a store are masked already
 * (the session redacts before it records), so no redactor here. The async
 * export runs on a worker thread and writes a temporary file beside the
 * target, renamed over it once complete.
 */

#define G_LOG_DOMAIN "sonde-store-export"

#include "config.h"

#include "sonde-export-writer.h"
#include "sonde-store-export.h"

#define PROGRESS_US (250 * 1000)

typedef struct {
  /* borrowed, for the time of the export */
  SondeStore              *store;
  SondeHistoryQuery       *filter;
  GCancellable            *cancellable;
  SondeExportWriter       *writer;
  GMainContext            *context;   /* where progress goes; NULL: call it here */

  SondeExportProgressFunc  progress;
  gpointer                 progress_data;
  guint64                  done;
  guint64                  total;
  gint64                   last_progress_us;
  GError                  *error;
} Run;

typedef struct {
  SondeExportProgressFunc  progress;
  gpointer                 progress_data;
  guint64                  done;
  guint64                  total;
} Report;

/* The async export's own copy of everything it is given. */
typedef struct {
  gint64              session_id;
  SondeExportOptions  options;
  char              **csv_paths;
  char               *url;
  SondeHistoryQuery  *filter;     /* borrowed: the caller keeps it until the end */
  GFile              *file;
  SondeExportProgressFunc progress;
  gpointer            progress_data;
  GMainContext       *context;
  guint64             n_written;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_strfreev (job->csv_paths);
  g_free (job->url);
  g_clear_object (&job->file);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job);
}

static gboolean
report_in_context (gpointer data)
{
  Report *report = data;

  report->progress (report->done, report->total, report->progress_data);
  return G_SOURCE_REMOVE;
}

static void
run_report (Run      *run,
            gboolean  force)
{
  gint64 now = g_get_monotonic_time ();
  Report *report;

  if (run->progress == NULL || (!force && now - run->last_progress_us < PROGRESS_US))
    return;
  run->last_progress_us = now;

  if (run->context == NULL)
    {
      run->progress (run->done, run->total, run->progress_data);
      return;
    }

  report = g_new (Report, 1);
  report->progress = run->progress;
  report->progress_data = run->progress_data;
  report->done = run->done;
  report->total = run->total;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, report_in_context, report, g_free);
}

static gboolean
on_record (const SondeRecord *record,
           gpointer           user_data)
{
  Run *run = user_data;

  if (g_cancellable_set_error_if_cancelled (run->cancellable, &run->error))
    return FALSE;

  run->done++;
  if (run->filter == NULL || sonde_history_query_matches (run->filter, record))
    {
      if (!sonde_export_writer_add (run->writer, record, run->cancellable, &run->error))
        return FALSE;
    }

  run_report (run, FALSE);
  return TRUE;
}

/* The export itself, on the calling thread. */
static gboolean
export_to_stream (SondeStore               *store,
                  gint64                    session_id,
                  const SondeExportOptions *options,
                  SondeHistoryQuery        *filter,
                  GOutputStream            *stream,
                  GCancellable             *cancellable,
                  SondeExportProgressFunc   progress,
                  gpointer                  progress_data,
                  GMainContext             *context,
                  guint64                  *n_written,
                  GError                  **error)
{
  g_autoptr(SondeStoreSession) session = NULL;
  g_autoptr(SondeExportWriter) writer = NULL;
  SondeExportOptions with_session;
  Run run = { 0 };

  session = sonde_store_get_session (store, session_id, error);
  if (session == NULL)
    return FALSE;

  /* HAR: the entry's URL and start are the session's unless given. */
  with_session = *options;
  if (with_session.url == NULL)
    with_session.url = session->url;
  if (with_session.start_us == 0)
    with_session.start_us = session->start_us;

  writer = sonde_export_writer_new (stream, &with_session, NULL, error);
  if (writer == NULL)
    return FALSE;

  run.store = store;
  run.filter = filter;
  run.cancellable = cancellable;
  run.writer = writer;
  run.context = context;
  run.progress = progress;
  run.progress_data = progress_data;
  run.total = session->records;
  run.last_progress_us = g_get_monotonic_time ();

  if (!sonde_store_read_records (store, session_id, 0, on_record, &run, error))
    {
      g_clear_error (&run.error);
      return FALSE;
    }
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  if (!sonde_export_writer_finish (writer, cancellable, error))
    return FALSE;

  run_report (&run, TRUE);
  if (n_written != NULL)
    *n_written = sonde_export_writer_get_n_written (writer);
  return TRUE;
}

gboolean
sonde_store_export_to_stream (SondeStore               *store,
                              gint64                    session_id,
                              const SondeExportOptions *options,
                              SondeHistoryQuery        *filter,
                              GOutputStream            *stream,
                              GCancellable             *cancellable,
                              SondeExportProgressFunc   progress,
                              gpointer                  progress_data,
                              guint64                  *n_written,
                              GError                  **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  return export_to_stream (store, session_id, options, filter, stream, cancellable, progress, progress_data,
                           NULL, n_written, error);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GFile) temp = sonde_export_temp_file (job->file);
  g_autoptr(GFileOutputStream) stream = NULL;
  GError *error = NULL;
  gboolean ok;

  stream = g_file_create (temp, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ok = export_to_stream (SONDE_STORE (source_object), job->session_id, &job->options, job->filter,
                         G_OUTPUT_STREAM (stream), cancellable, job->progress, job->progress_data,
                         job->context, &job->n_written, &error);
  /* A close that fails (the disk filled at the end) fails the export. */
  ok = g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, ok ? &error : NULL) && ok;
  if (ok && g_cancellable_set_error_if_cancelled (cancellable, &error))
    ok = FALSE;
  /* A rename within one folder: atomic. */
  if (ok)
    ok = g_file_move (temp, job->file, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                      NULL, NULL, NULL, &error);
  if (!ok)
    {
      g_file_delete (temp, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
sonde_store_export_async (SondeStore               *store,
                          gint64                    session_id,
                          const SondeExportOptions *options,
                          SondeHistoryQuery        *filter,
                          GFile                    *file,
                          GCancellable             *cancellable,
                          SondeExportProgressFunc   progress,
                          gpointer                  progress_data,
                          GAsyncReadyCallback       callback,
                          gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (SONDE_IS_STORE (store));
  g_return_if_fail (options != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_store_export_async);

  job = g_new0 (Job, 1);
  job->session_id = session_id;
  job->options = *options;
  job->csv_paths = g_strdupv ((char **) options->csv_paths);
  job->options.csv_paths = (const char * const *) job->csv_paths;
  job->url = g_strdup (options->url);
  job->options.url = job->url;
  job->filter = filter;
  job->file = g_object_ref (file);
  job->progress = progress;
  job->progress_data = progress_data;
  job->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, job, job_free);

  g_task_run_in_thread (task, export_thread);
}

/* @n_written: records in the file (HAR: messages). */
gboolean
sonde_store_export_finish (SondeStore    *store,
                           GAsyncResult  *result,
                           guint64       *n_written,
                           GError       **error)
{
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (n_written != NULL)
    *n_written = job->n_written;
  return g_task_propagate_boolean (G_TASK (result), error);
}
