/* sonde-charts-panel.h: a connection's charts and latest-value tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "sonde-chart.h"
#include "sonde-connection.h"
#include "sonde-series-feed.h"

G_BEGIN_DECLS

/* Where a new series goes: a new chart, an existing one (0, 1, …), or a
 * latest-value tile. */
#define SONDE_CHARTS_NEW_CHART (-1)
#define SONDE_CHARTS_TILE      (-2)

#define SONDE_TYPE_CHARTS_PANEL (sonde_charts_panel_get_type ())
G_DECLARE_FINAL_TYPE (SondeChartsPanel, sonde_charts_panel, SONDE, CHARTS_PANEL, GtkWidget)

GtkWidget       *sonde_charts_panel_new          (SondeConnection   *connection);
SondeSeriesFeed *sonde_charts_panel_get_feed     (SondeChartsPanel  *self);
gboolean         sonde_charts_panel_add          (SondeChartsPanel  *self,
                                                  const char        *path,
                                                  const char        *where,
                                                  int                target,
                                                  GError           **error);
void             sonde_charts_panel_add_latency  (SondeChartsPanel  *self,
                                                  int                target);
void             sonde_charts_panel_offer_latency (SondeChartsPanel *self);
gboolean         sonde_charts_panel_get_latency_offered (SondeChartsPanel *self);
guint            sonde_charts_panel_get_n_charts (SondeChartsPanel  *self);
SondeChart      *sonde_charts_panel_get_chart    (SondeChartsPanel  *self,
                                                  guint              index);
guint            sonde_charts_panel_get_n_tiles  (SondeChartsPanel  *self);
char            *sonde_charts_panel_dup_tile_text (SondeChartsPanel *self,
                                                   guint             index);
void             sonde_charts_panel_remove_chart (SondeChartsPanel  *self,
                                                  guint              index);
void             sonde_charts_panel_set_window   (SondeChartsPanel  *self,
                                                  gint64             window_us);
JsonNode        *sonde_charts_panel_to_json      (SondeChartsPanel  *self);
gboolean         sonde_charts_panel_load_json    (SondeChartsPanel  *self,
                                                  JsonNode          *node,
                                                  GError           **error);
gboolean         sonde_charts_panel_export_csv   (SondeChartsPanel  *self,
                                                  guint              index,
                                                  GFile             *file,
                                                  GError           **error);
void             sonde_charts_panel_focus_path   (SondeChartsPanel  *self);

G_END_DECLS
