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
 *
 * Points are kept in the order they were appended. A gap point has a time
 * and no value; appending NaN or an infinity as a value appends a gap. Only
 * value points count in columns and statistics. When the series holds capacity points,
 * each append drops the oldest one (see sonde_series_get_n_dropped()).
 *
 * Every time window is half-open, [start_us, end_us): a point at end_us
 * belongs to the next window. An empty window (end_us <= start_us) holds
 * nothing.
 *
 * A series belongs to the thread that made it (in Sonde, the main thread):
 * it has no locks, and is neither read nor written from other threads.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SONDE_SERIES_DEFAULT_CAPACITY 1000000u

/* One column of a reduced window. When n_points is 0, min, max, first and
 * last are NaN and both gap flags are FALSE: a gap among points-less columns
 * is reported by the next column that has points. */
typedef struct {
  gint64   start_us;        /* the column's time span: [start, end) */
  gint64   end_us;
  double   min;
  double   max;
  double   first;           /* the first and last value in the column, to draw */
  double   last;            /*   the line through it in order */
  guint    n_points;        /* value points in the column; 0: nothing to draw */
  gboolean gap_before;      /* a gap lies between the last value before this column's
                             * first value (in this window or before it; when there
                             * is none, anywhere before) and that first value: do
                             * not join this column to the previous one */
  gboolean gap_inside;      /* a gap lies between this column's first and last value:
                             * the line breaks inside the column */
} SondeSeriesColumn;

/* Statistics over a window. With no value in it: count 0, min, max, mean
 * and last NaN, last_time_us 0. */
typedef struct {
  guint64 count;            /* values (gaps not counted) */
  double  min;
  double  max;
  double  mean;
  double  last;
  gint64  last_time_us;     /* the time of the last value */
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
gboolean     sonde_series_get_point       (SondeSeries       *self,
                                           guint              index,
                                           gint64            *time_us,
                                           double            *value);

G_END_DECLS
