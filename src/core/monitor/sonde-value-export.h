/* sonde-value-export.h: the latest values of a session's exported series, as gauges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For `sonde-cli monitor`: every chart series (or tile) of a profile that
 * is marked for export (sonde_series_spec_get_export()) becomes one line
 * of the gauge family sonde_value{profile,series}, which holds the latest
 * value the series read. A split series makes one line per value of its
 * split field, labelled "$.price by $.sym=ABC", as its values appear (at
 * most SONDE_SERIES_SPLIT_MAX; later values are not exported, as they are
 * not charted). A session exports at most SONDE_VALUE_EXPORT_MAX_LINES
 * lines; the registry's bound on a family applies above that.
 *
 * The series are the session's own (its SondeSeriesFeed), a few points
 * each: a message costs what charting it costs, and an update reads one
 * point of each line that changed. A line keeps its last value through an
 * outage (sonde_connection_up says the connection is down). Main thread only.
 */
#pragma once

#include "sonde-metrics.h"
#include "sonde-session.h"

G_BEGIN_DECLS

#define SONDE_VALUE_EXPORT_MAX_LINES 64

typedef struct _SondeValueExport SondeValueExport;

/* NULL when @session's charts mark nothing for export. @family is a gauge
 * family of @metrics labelled {profile, series}. */
SondeValueExport *sonde_value_export_new          (SondeMetrics     *metrics,
                                                   guint             family,
                                                   const char       *profile_name,
                                                   SondeSession     *session);
/* Sets the gauges of the lines whose series changed since last time. */
void              sonde_value_export_update       (SondeValueExport *self);
/* The lines made so far. */
guint             sonde_value_export_get_n_lines  (SondeValueExport *self);
/* Takes the series back from the session's feed. */
void              sonde_value_export_free         (SondeValueExport *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeValueExport, sonde_value_export_free)

G_END_DECLS
