/* sonde-chart-def-private.h: what SondeChartList changes of a chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-chart-def.h"

G_BEGIN_DECLS

SondeChartDef   *sonde_chart_def_new           (void);
void             sonde_chart_def_append        (SondeChartDef   *self,
                                                SondeSeriesSpec *spec);
void             sonde_chart_def_replace       (SondeChartDef   *self,
                                                guint            index,
                                                SondeSeriesSpec *spec);

G_END_DECLS
