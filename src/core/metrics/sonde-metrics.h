/* sonde-metrics.h: counters, gauges and histograms, written for Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A registry of metric families, each with fixed label names and at most a
 * bounded number of series (label values): what a monitor knows about its
 * feeds, exposed on /metrics (sonde-metrics-server.h) in the Prometheus
 * text format 0.0.4 or in OpenMetrics 1.0, as the scraper asks.
 *
 * Any thread may update and write it (one lock, held for a write of the
 * whole exposition: a few hundred microseconds for a thousand series).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_METRIC_COUNTER,    /* only goes up; its samples are NAME_total */
  SONDE_METRIC_GAUGE,
  SONDE_METRIC_AGE,        /* a gauge of seconds since a moment (sonde_metrics_touch()), read when written */
  SONDE_METRIC_HISTOGRAM,  /* NAME_bucket{le=…}, NAME_sum, NAME_count */
} SondeMetricType;

typedef enum {
  SONDE_METRICS_FORMAT_PROMETHEUS,   /* text/plain; version=0.0.4 */
  SONDE_METRICS_FORMAT_OPENMETRICS,  /* application/openmetrics-text; version=1.0.0 */
} SondeMetricsFormat;

/* At most this many series a family, unless told otherwise. */
#define SONDE_METRICS_DEFAULT_MAX_SERIES 2000

typedef struct _SondeMetrics SondeMetrics;

SondeMetrics *sonde_metrics_new            (guint                max_series);
SondeMetrics *sonde_metrics_ref            (SondeMetrics        *self);
void          sonde_metrics_unref          (SondeMetrics        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeMetrics, sonde_metrics_unref)

/* Declares a family: @name (snake case, without "_total" for a counter),
 * @help, its label names (NULL-terminated, may be NULL) and, for a
 * histogram, its upper bounds in increasing order (+Inf is added).
 * Returns its index, used by the updates below. */
guint         sonde_metrics_add_family     (SondeMetrics        *self,
                                            const char          *name,
                                            SondeMetricType      type,
                                            const char          *help,
                                            const char * const  *label_names,
                                            const double        *buckets,
                                            guint                n_buckets);

/* Updates the series of @family with @label_values (as many as its label
 * names; NULL when it has none), made when first named. A series past the
 * family's bound is not made: the update is counted in
 * sonde_metrics_series_dropped_total instead. */
void          sonde_metrics_counter_add    (SondeMetrics        *self,
                                            guint                family,
                                            const char * const  *label_values,
                                            double               value);
void          sonde_metrics_gauge_set      (SondeMetrics        *self,
                                            guint                family,
                                            const char * const  *label_values,
                                            double               value);
/* An AGE family: the moment (monotonic µs) from which its age counts. */
void          sonde_metrics_touch          (SondeMetrics        *self,
                                            guint                family,
                                            const char * const  *label_values,
                                            gint64               monotonic_us);
void          sonde_metrics_histogram_observe (SondeMetrics     *self,
                                            guint                family,
                                            const char * const  *label_values,
                                            double               value);
/* Forgets every series, in every family, whose label @label_name is
 * @value (a profile that was removed). */
void          sonde_metrics_remove_series  (SondeMetrics        *self,
                                            const char          *label_name,
                                            const char          *value);
/* The value of one series (a counter's total, a gauge's value, a
 * histogram's count); FALSE when it has none. For tests and the CLI. */
gboolean      sonde_metrics_get_value      (SondeMetrics        *self,
                                            guint                family,
                                            const char * const  *label_values,
                                            double              *value);
guint         sonde_metrics_get_n_series   (SondeMetrics        *self);

/* Appends the whole exposition in @format. */
void          sonde_metrics_write          (SondeMetrics        *self,
                                            SondeMetricsFormat   format,
                                            GString             *out);

/* What a scraper's Accept header asks for (OpenMetrics when it names
 * application/openmetrics-text with a q above the text format's), and the
 * Content-Type of each format. */
SondeMetricsFormat sonde_metrics_negotiate (const char          *accept);
const char   *sonde_metrics_content_type   (SondeMetricsFormat   format);

G_END_DECLS
