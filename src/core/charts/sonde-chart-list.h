/* sonde-chart-list.h: a session's chart layout, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * (Contract written before the implementation; the charts helper fills in
 * sonde-chart-list.c and may add to this API, not change what is here.)
 *
 * The layout the charts panel shows and the profile keeps: the time window,
 * whether the latency chart was offered once, the charts (each a list of
 * series) and the latest-value tiles. A series is a JSON path with an
 * optional condition, or the latency probe's round-trip times. The list is
 * a GListModel of SondeChartDef (one per chart, tiles not included), and
 * owns the JSON format of the layout. "changed" is emitted after every
 * change, so that whoever keeps the layout (the session, for its profile)
 * can save sonde_chart_list_to_json().
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sonde-chart-def.h"
#include "sonde-series-spec.h"

G_BEGIN_DECLS

#define SONDE_TYPE_CHART_LIST (sonde_chart_list_get_type ())
G_DECLARE_FINAL_TYPE (SondeChartList, sonde_chart_list, SONDE, CHART_LIST, GObject)

SondeChartList *sonde_chart_list_new                  (void);
gboolean        sonde_chart_list_is_empty             (SondeChartList  *self);   /* no chart, no tile */
gboolean        sonde_chart_list_get_latency_offered  (SondeChartList  *self);
/* Adds a chart of the latency probe's round-trip times, once per layout. */
void            sonde_chart_list_offer_latency        (SondeChartList  *self);
JsonNode       *sonde_chart_list_to_json              (SondeChartList  *self);
/* Replaces the layout; what cannot be read is left out and named in
 * @error (the rest is loaded: returns FALSE with the layout partly set). */
gboolean        sonde_chart_list_load_json            (SondeChartList  *self,
                                                       JsonNode        *node,
                                                       GError         **error);

/* Added to the contract by the charts part of issue 11.
 *
 * Where a new series goes: a new chart, an existing one (0, 1, …; an index
 * past the last chart makes a new one), or a latest-value tile. Adding to
 * chart i emits items-changed (i, 1, 1) with the same SondeChartDef in
 * place, now one series longer; a new chart items-changed (n, 0, 1). Tiles
 * are not items: "tiles-changed" (position, removed, added) tells about
 * them. Every change emits "changed" once, after the rest. */
#define SONDE_CHART_LIST_NEW_CHART (-1)
#define SONDE_CHART_LIST_TILE      (-2)

/* The time window the charts show, in seconds (0: everything). */
#define SONDE_CHART_LIST_DEFAULT_WINDOW_S 60

/* A series whose path or condition does not parse is refused, with the
 * reason (and its column) in @error. */
gboolean         sonde_chart_list_add             (SondeChartList  *self,
                                                   SondeSeriesSpec *spec,
                                                   int              target,
                                                   GError         **error);
gboolean         sonde_chart_list_add_path        (SondeChartList  *self,
                                                   const char      *path,
                                                   const char      *where,
                                                   int              target,
                                                   GError         **error);
void             sonde_chart_list_add_latency     (SondeChartList  *self,
                                                   int              target);
/* Added by issue 12: edit a series in place (path, condition, split). */
gboolean         sonde_chart_list_replace_series  (SondeChartList  *self,
                                                   guint            chart,
                                                   guint            index,
                                                   SondeSeriesSpec *spec,
                                                   GError         **error);
void             sonde_chart_list_remove_chart    (SondeChartList  *self,
                                                   guint            index);
SondeChartDef   *sonde_chart_list_get_chart       (SondeChartList  *self,
                                                   guint            index);
guint            sonde_chart_list_get_n_tiles     (SondeChartList  *self);
SondeSeriesSpec *sonde_chart_list_get_tile        (SondeChartList  *self,
                                                   guint            index);
void             sonde_chart_list_remove_tile     (SondeChartList  *self,
                                                   guint            index);
guint            sonde_chart_list_get_window_s    (SondeChartList  *self);
void             sonde_chart_list_set_window_s    (SondeChartList  *self,
                                                   guint            window_s);

G_END_DECLS
