/* sonde-charts-panel-export.c: a chart as PNG, its series as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The charts panel's exports: a file chooser, then the chart drawn (PNG)
 * or its points copied (CSV) on the main thread and the file written in a
 * thread. A failure shows under the panel's toolbar; a success clears an
 * earlier failure.
 */

#define G_LOG_DOMAIN "sonde-charts-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-chart-export.h"
#include "sonde-charts-panel-private.h"

typedef struct {
  SondeChartsPanel *panel;
  SondeChart       *chart;   /* weak: the chart may go while the dialog is open */
  gboolean          png;
} ExportRequest;

static guint
index_of (SondeChartsPanel *self,
          SondeChart       *chart)
{
  for (guint i = 0; chart != NULL && i < sonde_charts_panel_get_n_charts (self); i++)
    {
      if (sonde_charts_panel_get_chart (self, i) == chart)
        return i;
    }
  return G_MAXUINT;
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ExportRequest *request = user_data;
  SondeChartsPanel *self = request->panel;
  guint index = index_of (self, request->chart);

  if (response == GTK_RESPONSE_ACCEPT && index != G_MAXUINT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (request->png)
        sonde_charts_panel_save_png_async (self, index, file, sonde_charts_panel_get_cancellable (self), NULL, NULL);
      else
        sonde_charts_panel_export_csv_async (self, index, file, sonde_charts_panel_get_cancellable (self), NULL, NULL);
    }

  g_clear_weak_pointer (&request->chart);
  g_object_unref (request->panel);
  g_free (request);
  g_object_unref (dialog);
}

/* A file chooser for @chart's PNG (@png) or CSV; the export once a file
 * is chosen. */
void
sonde_charts_panel_ask_export (SondeChartsPanel *self,
                               SondeChart       *chart,
                               gboolean          png)
{
  ExportRequest *request = g_new0 (ExportRequest, 1);
  GtkFileChooserNative *dialog;

  request->panel = g_object_ref (self);
  g_set_weak_pointer (&request->chart, chart);
  request->png = png;
  if (png)
    dialog = gtk_file_chooser_native_new (_("Save the Chart as PNG"),
                                          GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                          GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  else
    dialog = gtk_file_chooser_native_new (_("Export the Series as CSV"),
                                          GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                          GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), png ? "chart.png" : "series.csv");
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_csv_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (sonde_chart_export_csv_finish (result, &error))
    {
      sonde_charts_panel_clear_export_error (g_task_get_source_object (task));
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      sonde_charts_panel_report_export_error (g_task_get_source_object (task), FALSE, error);
      g_task_return_error (task, error);
    }
}

/* Chart @index's series, every point, as CSV in @file: the points are
 * copied now, the file written in a thread. A failure also shows in the
 * panel. */
void
sonde_charts_panel_export_csv_async (SondeChartsPanel    *self,
                                     guint                index,
                                     GFile               *file,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) series = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  SondeChart *chart;

  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));
  g_return_if_fail (index < sonde_charts_panel_get_n_charts (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_charts_panel_export_csv_async);

  chart = sonde_charts_panel_get_chart (self, index);
  series = g_ptr_array_new ();
  labels = g_ptr_array_new ();
  for (guint i = 0; i < sonde_chart_get_n_series (chart); i++)
    {
      g_ptr_array_add (series, sonde_chart_get_series (chart, i));
      g_ptr_array_add (labels, (gpointer) sonde_chart_get_label (chart, i));
    }
  sonde_chart_export_csv_async (series, labels, file, cancellable, on_csv_written, g_steal_pointer (&task));
}

gboolean
sonde_charts_panel_export_csv_finish (SondeChartsPanel  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, sonde_charts_panel_export_csv_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  GdkTexture *texture;
  GFile      *file;
} PngData;

static void
png_data_free (gpointer data)
{
  PngData *png = data;

  g_object_unref (png->texture);
  g_object_unref (png->file);
  g_free (png);
}

/* The chart as the user sees it, on the view's background. */
static GdkTexture *
render_chart (SondeChart  *chart,
              GError     **error)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  GdkTexture *texture;
  int width = gtk_widget_get_width (GTK_WIDGET (chart));
  int height = gtk_widget_get_height (GTK_WIDGET (chart));
  GdkRGBA background;

  if (width == 0 || height == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("The chart is not on screen yet"));
      return NULL;
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (chart)), "view_bg_color", &background))
    gdk_rgba_parse (&background, "white");
  G_GNUC_END_IGNORE_DEPRECATIONS

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (chart));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, error))
    return NULL;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  return texture;
}

static void
save_png_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PngData *png = task_data;
  g_autoptr(GBytes) bytes = gdk_texture_save_to_png_bytes (png->texture);
  g_autoptr(GError) error = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  if (g_file_replace_contents (png->file, data, size, NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *name = g_file_get_parse_name (png->file);

          if (strstr (error->message, name) == NULL)
            /* TRANSLATORS: %s is a file name; the reason follows */
            g_prefix_error (&error, _("Could not write “%s”: "), name);
        }
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
on_png_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      sonde_charts_panel_clear_export_error (SONDE_CHARTS_PANEL (source));
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      sonde_charts_panel_report_export_error (SONDE_CHARTS_PANEL (source), TRUE, error);
      g_task_return_error (task, error);
    }
}

/* Chart @index as a PNG image in @file: drawn now, encoded and written in
 * a thread. A failure also shows in the panel. */
void
sonde_charts_panel_save_png_async (SondeChartsPanel    *self,
                                   guint                index,
                                   GFile               *file,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;
  GError *error = NULL;
  PngData *png;
  GdkTexture *texture;

  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));
  g_return_if_fail (index < sonde_charts_panel_get_n_charts (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_charts_panel_save_png_async);

  texture = render_chart (sonde_charts_panel_get_chart (self, index), &error);
  if (texture == NULL)
    {
      sonde_charts_panel_report_export_error (self, TRUE, error);
      g_task_return_error (task, error);
      return;
    }

  png = g_new0 (PngData, 1);
  png->texture = texture;
  png->file = g_object_ref (file);
  write = g_task_new (self, cancellable, on_png_written, g_steal_pointer (&task));
  g_task_set_task_data (write, png, png_data_free);
  g_task_run_in_thread (write, save_png_thread);
}

gboolean
sonde_charts_panel_save_png_finish (SondeChartsPanel  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, sonde_charts_panel_save_png_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

