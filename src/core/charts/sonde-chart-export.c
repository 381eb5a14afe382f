/* sonde-chart-export.c: a chart's series as a CSV file, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-chart-export"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sonde-chart-export.h"

/* Written to the file in pieces of about this size. */
#define CHUNK_BYTES (1024 * 1024)

typedef struct {
  gint64 time_us;
  double value;      /* NaN: a gap */
} Point;

typedef struct {
  char   *label;
  GArray *points;    /* Point */
} SeriesCopy;

typedef struct {
  GFile     *file;
  GPtrArray *series; /* SeriesCopy* */
} ExportData;

static void
series_copy_free (gpointer data)
{
  SeriesCopy *copy = data;

  g_free (copy->label);
  g_array_unref (copy->points);
  g_free (copy);
}

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  g_object_unref (export->file);
  g_ptr_array_unref (export->series);
  g_free (export);
}

/* The shortest of %.15g, %.16g and %.17g that reads back as @value: 0.1
 * and not 0.10000000000000001. */
static void
append_number (GString *out,
               double   value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (number, sizeof number, formats[i], value);
      if (g_ascii_strtod (number, NULL) == value)
        break;
    }
  g_string_append (out, number);
}

static void
append_csv_field (GString    *out,
                  const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_row (GString    *out,
            const char *label,
            Point      *point)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (point->time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = time ? g_date_time_add (time, point->time_us % G_USEC_PER_SEC) : NULL;
  g_autofree char *iso = exact ? g_date_time_format (exact, "%Y-%m-%dT%H:%M:%S.%fZ") : NULL;

  g_string_append (out, iso ? iso : "");
  g_string_append_c (out, ',');
  append_csv_field (out, label);
  g_string_append_c (out, ',');
  if (!isnan (point->value))
    append_number (out, point->value);
  g_string_append_c (out, '\n');
}

static gboolean
write_csv (ExportData     *export,
           GOutputStream  *stream,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GString) out = g_string_new ("time,series,value\n");

  for (guint s = 0; s < export->series->len; s++)
    {
      SeriesCopy *copy = g_ptr_array_index (export->series, s);

      for (guint i = 0; i < copy->points->len; i++)
        {
          append_row (out, copy->label, &g_array_index (copy->points, Point, i));
          if (out->len >= CHUNK_BYTES)
            {
              if (!g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
                return FALSE;
              g_string_truncate (out, 0);
            }
        }
    }

  return g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error) &&
         g_output_stream_close (stream, cancellable, error);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *export = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (export->file);
  gboolean existed = g_file_query_exists (export->file, NULL);

  stream = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (stream != NULL && !write_csv (export, G_OUTPUT_STREAM (stream), cancellable, &error))
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* Closed cancelled, a replaced file keeps what it had; one we made
       * goes away. */
      g_cancellable_cancel (abandon);
      if (!g_output_stream_is_closed (G_OUTPUT_STREAM (stream)))
        g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
      if (!existed)
        g_file_delete (export->file, NULL, NULL);
    }

  if (error == NULL)
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      /* GIO names the file when it cannot open it, not when a write fails
       * (a full disk). */
      if (strstr (error->message, name) == NULL)
        /* TRANSLATORS: %s is a file name; the reason follows */
        g_prefix_error (&error, _("Could not write “%s”: "), name);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

/* Copies every point of @series now; writes them to @file in a thread. */
void
sonde_chart_export_csv_async (GPtrArray           *series,
                              GPtrArray           *labels,
                              GFile               *file,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *export;

  g_return_if_fail (series != NULL && labels != NULL && series->len == labels->len);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  for (guint s = 0; s < series->len; s++)
    g_return_if_fail (SONDE_IS_SERIES (g_ptr_array_index (series, s)));

  export = g_new0 (ExportData, 1);
  export->file = g_object_ref (file);
  export->series = g_ptr_array_new_full (series->len, series_copy_free);
  for (guint s = 0; s < series->len; s++)
    {
      SondeSeries *one = g_ptr_array_index (series, s);
      SeriesCopy *copy = g_new0 (SeriesCopy, 1);
      Point point;

      copy->label = g_strdup (g_ptr_array_index (labels, s));
      copy->points = g_array_sized_new (FALSE, FALSE, sizeof (Point), sonde_series_get_n_points (one));
      for (guint i = 0; sonde_series_get_point (one, i, &point.time_us, &point.value); i++)
        g_array_append_val (copy->points, point);
      g_ptr_array_add (export->series, copy);
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_chart_export_csv_async);
  g_task_set_task_data (task, export, export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
sonde_chart_export_csv_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, sonde_chart_export_csv_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
