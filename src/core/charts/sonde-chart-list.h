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

G_END_DECLS
