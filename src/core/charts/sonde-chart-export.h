/* sonde-chart-export.h: a chart's series as a CSV file, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The points are copied on the calling thread (a SondeSeries belongs to
 * the thread that made it), then written in a GTask thread: one row per
 * point, "time" (ISO 8601, UTC, µs), "series" (its label) and "value"; a
 * gap is a row with an empty value. A failure names the file; a cancelled
 * export leaves no new file behind.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-series.h"

G_BEGIN_DECLS

/* @series: SondeSeries*, @labels: char*, as many as @series. */
void      sonde_chart_export_csv_async   (GPtrArray            *series,
                                          GPtrArray            *labels,
                                          GFile                *file,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean  sonde_chart_export_csv_finish  (GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS
