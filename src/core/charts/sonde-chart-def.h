/* sonde-chart-def.h: one chart of a layout, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ordered list of series specs: what one chart shows, in legend order.
 * Read-only from outside: a SondeChartList changes its charts and says so
 * (items-changed at the chart's position, the same object in place).
 */
#pragma once

#include <glib-object.h>

#include "sonde-series-spec.h"

G_BEGIN_DECLS

#define SONDE_TYPE_CHART_DEF (sonde_chart_def_get_type ())
G_DECLARE_FINAL_TYPE (SondeChartDef, sonde_chart_def, SONDE, CHART_DEF, GObject)

guint            sonde_chart_def_get_n_series  (SondeChartDef *self);
SondeSeriesSpec *sonde_chart_def_get_series    (SondeChartDef *self,
                                                guint          index);
/* The series' labels, joined by ", ". */
char            *sonde_chart_def_dup_title     (SondeChartDef *self);

G_END_DECLS
