/* sonde-series.h: points of one charted field, readable at any zoom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ring buffer of (time, value) points, times in microseconds and never
 * decreasing (a point older than the newest is clamped to it), with a
 * min/max pyramid: reading any time window reduced to N columns costs
 * O(N · log) and not O(points), so a chart draws one vertex per pixel
 * column whatever the data. Gaps (a disconnect) are points of their own
 * kind: a line breaks there and is never drawn across one.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SONDE_SERIES_DEFAULT_CAPACITY 1000000u

/* One column of a reduced window. */
typedef struct {
  gint64   start_us;        /* the column's time span: [start, end) */
  gint64   end_us;
  double   min;
  double   max;
  double   first;           /* the first and last value in the column, to draw */
  double   last;            /*   the line through it in order */
  guint    n_points;        /* 0: nothing in this column */
  gboolean gap_before;      /* a gap lies between the previous column's points and these */
} SondeSeriesColumn;

typedef struct {
  guint64 count;            /* values (gaps not counted) */
  double  min;
  double  max;
  double  mean;
  double  last;
  gint64  last_time_us;
} SondeSeriesStats;

#define SONDE_TYPE_SERIES (sonde_series_get_type ())
G_DECLARE_FINAL_TYPE (SondeSeries, sonde_series, SONDE, SERIES, GObject)

SondeSeries *sonde_series_new             (guint              capacity);
guint        sonde_series_get_capacity    (SondeSeries       *self);
guint        sonde_series_get_n_points    (SondeSeries       *self);
guint64      sonde_series_get_n_dropped   (SondeSeries       *self);

void         sonde_series_append          (SondeSeries       *self,
                                           gint64             time_us,
                                           double             value);
void         sonde_series_append_gap      (SondeSeries       *self,
                                           gint64             time_us);
void         sonde_series_clear           (SondeSeries       *self);

gboolean     sonde_series_get_time_range  (SondeSeries       *self,
                                           gint64            *first_us,
                                           gint64            *last_us);
guint        sonde_series_reduce          (SondeSeries       *self,
                                           gint64             start_us,
                                           gint64             end_us,
                                           guint              n_columns,
                                           SondeSeriesColumn *columns);
gboolean     sonde_series_get_range       (SondeSeries       *self,
                                           gint64             start_us,
                                           gint64             end_us,
                                           double            *min,
                                           double            *max);
void         sonde_series_get_stats       (SondeSeries       *self,
                                           gint64             start_us,
                                           gint64             end_us,
                                           SondeSeriesStats  *stats);
gboolean     sonde_series_value_at        (SondeSeries       *self,
                                           gint64             time_us,
                                           gint64            *point_time_us,
                                           double            *value);
guint64      sonde_series_get_serial      (SondeSeries       *self);

G_END_DECLS
