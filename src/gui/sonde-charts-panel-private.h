/* sonde-charts-panel-private.h: what the charts panel's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-charts-panel.h"

G_BEGIN_DECLS

/* One series of a chart's definition: one line, or one per value of a
 * split. */
typedef struct {
  SondeSeriesSpec  *spec;   /* owned */
  SondeSeries      *series; /* borrowed from the feed; NULL for a split */
  SondeSeriesSplit *split;  /* borrowed from the feed; NULL: one line */
} Part;

typedef struct {
  SondeChartDef *def;       /* owned: what this chart shows */
  GPtrArray     *parts;     /* owned Part*: what the chart shows, in order */
  GtkWidget     *row;       /* borrowed: a child of charts_box */
  GtkLabel      *title;     /* borrowed: inside row */
  SondeChart    *chart;     /* borrowed: inside row */
  GtkMenuButton *edit;      /* borrowed: inside row */
  SondeSeriesEditor *editor; /* borrowed: edit's popover */
} ChartEntry;

struct _SondeChartsPanel
{
  GtkWidget        parent_instance;

  /* template widgets */
  GtkEntry        *path_entry;
  GtkEntry        *where_entry;
  GtkEntry        *split_entry;
  GtkDropDown     *target_dropdown;
  GtkDropDown     *window_dropdown;
  GtkToggleButton *pause_button;
  GtkLabel        *error_label;
  GtkFlowBox      *tiles;
  GtkBox          *charts_box;
  GtkLabel        *empty_label;

  /* owned */
  SondeConnection *connection;
  SondeSeriesFeed *feed;
  SondeChartList  *list;
  SondeIntegrity  *integrity;   /* the charts' markers; NULL: none */
  GPtrArray       *charts;      /* ChartEntry*, as the list's items */
  GPtrArray       *tile_list;   /* TileEntry*, as the list's tiles */
  GtkStringList   *targets;
  GtkListStore    *completions;
  GCancellable    *cancellable; /* exports; cancelled in dispose */

  guint            tile_refresh_id;
  gboolean         showing_window;  /* the drop-down follows the list */
};

/* sonde-charts-panel-chart.c: one chart of the panel, its row, the lines
 * its series make (a split makes one per value) and its series editor. */
ChartEntry   *sonde_charts_panel_chart_new           (SondeChartsPanel *self,
                                                      SondeChartDef    *def);
void          sonde_charts_panel_chart_free          (SondeChartsPanel *self,
                                                      ChartEntry       *entry,
                                                      gboolean          remove_row);
void          sonde_charts_panel_sync_chart          (SondeChartsPanel *self,
                                                      ChartEntry       *entry);
void          sonde_charts_panel_update_note         (ChartEntry       *entry);
SondeSeries  *sonde_charts_panel_add_to_feed         (SondeChartsPanel *self,
                                                      SondeSeriesSpec  *spec);

/* sonde-charts-panel-export.c */
void          sonde_charts_panel_ask_export          (SondeChartsPanel *self,
                                                      SondeChart       *chart,
                                                      gboolean          png);

/* sonde-charts-panel.c: under the toolbar (@part marks the entry that is
 * wrong), the time window, a flat icon button for a row, and the panel's
 * cancellable (cancelled when it goes). */
void          sonde_charts_panel_show_error          (SondeChartsPanel    *self,
                                                      const char          *message,
                                                      SondeSeriesSpecPart  part);
gint64        sonde_charts_panel_window_us           (SondeChartsPanel    *self);
GtkWidget    *sonde_charts_panel_icon_button         (const char          *icon,
                                                      const char          *label,
                                                      GCallback            callback,
                                                      gpointer             data,
                                                      GtkWidget           *row);
void          sonde_charts_panel_report_export_error (SondeChartsPanel *self,
                                                      gboolean          png,
                                                      const GError     *error);
void          sonde_charts_panel_clear_export_error  (SondeChartsPanel *self);
GCancellable *sonde_charts_panel_get_cancellable     (SondeChartsPanel *self);

G_END_DECLS
