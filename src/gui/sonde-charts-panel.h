/* sonde-charts-panel.h: a view of a session's charts and latest-value tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-chart.h"
#include "sonde-chart-list.h"
#include "sonde-connection.h"
#include "sonde-series-editor.h"
#include "sonde-series-feed.h"

G_BEGIN_DECLS

/* Where a new series goes: a new chart, an existing one (0, 1, …), or a
 * latest-value tile (as in SondeChartList). */
#define SONDE_CHARTS_NEW_CHART SONDE_CHART_LIST_NEW_CHART
#define SONDE_CHARTS_TILE      SONDE_CHART_LIST_TILE

#define SONDE_TYPE_CHARTS_PANEL (sonde_charts_panel_get_type ())
G_DECLARE_FINAL_TYPE (SondeChartsPanel, sonde_charts_panel, SONDE, CHARTS_PANEL, GtkWidget)

GtkWidget       *sonde_charts_panel_new          (SondeConnection   *connection,
                                                  SondeSeriesFeed   *feed,
                                                  SondeChartList    *list);
SondeSeriesFeed *sonde_charts_panel_get_feed     (SondeChartsPanel  *self);
SondeChartList  *sonde_charts_panel_get_list     (SondeChartsPanel  *self);
void             sonde_charts_panel_set_integrity (SondeChartsPanel *self,
                                                  SondeIntegrity    *integrity);
gboolean         sonde_charts_panel_add          (SondeChartsPanel  *self,
                                                  const char        *path,
                                                  const char        *where,
                                                  int                target,
                                                  GError           **error);
/* As sonde_charts_panel_add(), one line per value of @split (NULL or "":
 * one line). */
gboolean         sonde_charts_panel_add_split    (SondeChartsPanel  *self,
                                                  const char        *path,
                                                  const char        *where,
                                                  const char        *split,
                                                  int                target,
                                                  GError           **error);
/* Series @index of chart @chart reads @path, @where and @split from now
 * on (its line starts again); what does not parse is refused. */
gboolean         sonde_charts_panel_edit_series  (SondeChartsPanel  *self,
                                                  guint              chart,
                                                  guint              index,
                                                  const char        *path,
                                                  const char        *where,
                                                  const char        *split,
                                                  GError           **error);
SondeSeriesEditor *sonde_charts_panel_edit      (SondeChartsPanel  *self,
                                                  guint              chart);
guint            sonde_charts_panel_get_n_charts (SondeChartsPanel  *self);
SondeChart      *sonde_charts_panel_get_chart    (SondeChartsPanel  *self,
                                                  guint              index);
guint            sonde_charts_panel_get_n_tiles  (SondeChartsPanel  *self);
char            *sonde_charts_panel_dup_tile_text (SondeChartsPanel *self,
                                                   guint             index);
void             sonde_charts_panel_export_csv_async  (SondeChartsPanel    *self,
                                                       guint                index,
                                                       GFile               *file,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         sonde_charts_panel_export_csv_finish (SondeChartsPanel    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void             sonde_charts_panel_save_png_async    (SondeChartsPanel    *self,
                                                       guint                index,
                                                       GFile               *file,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         sonde_charts_panel_save_png_finish   (SondeChartsPanel    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void             sonde_charts_panel_focus_path   (SondeChartsPanel  *self);

G_END_DECLS
