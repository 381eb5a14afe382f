/* test-series.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SondeSeries against a reference written the plainest way: every point in
 * an array, every window read point by point.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sonde-series.h"
#include "sonde-series-private.h"
#include "sonde-test-util.h"

#define BLOCK (1u << SONDE_SERIES_BLOCK_SHIFT)

/* The reference. */

typedef struct {
  gint64   time;
  double   value;
  gboolean gap;
} RefPoint;

typedef struct {
  GArray  *points;      /* RefPoint, every point since the last clear */
  guint    head;        /* the first retained one */
  guint    capacity;
  guint64  n_dropped;
} Ref;

typedef struct {
  gint64   start;
  gint64   end;
  guint    n;
  double   min, max, first, last, sum;
  gint64   last_time;
  gboolean gap_before;
  gboolean gap_inside;
} RefSpan;

static Ref *
ref_new (guint capacity)
{
  Ref *ref = g_new0 (Ref, 1);

  ref->points = g_array_new (FALSE, FALSE, sizeof (RefPoint));
  ref->capacity = capacity == 0 ? SONDE_SERIES_DEFAULT_CAPACITY : capacity;
  return ref;
}

static void
ref_free (Ref *ref)
{
  g_array_unref (ref->points);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ref, ref_free)

static RefPoint *
ref_point (Ref   *ref,
           guint  i)
{
  return &g_array_index (ref->points, RefPoint, i);
}

static void
ref_append (Ref      *ref,
            gint64    time,
            double    value,
            gboolean  gap)
{
  RefPoint point = { time, gap ? 0 : value, gap };

  if (ref->points->len > ref->head)
    point.time = MAX (point.time, ref_point (ref, ref->points->len - 1)->time);

  g_array_append_val (ref->points, point);
  if (ref->points->len - ref->head > ref->capacity)
    {
      ref->head++;
      ref->n_dropped++;
    }
}

static void
ref_clear (Ref *ref)
{
  g_array_set_size (ref->points, 0);
  ref->head = 0;
  ref->n_dropped = 0;
}

/* The first retained point at or after TIME, or the end. */
static guint
ref_lower_bound (Ref    *ref,
                 gint64  time)
{
  guint lo = ref->head, hi = ref->points->len;

  /* A plain bisection: the points are sorted by time. */

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ref_point (ref, mid)->time < time)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Everything about the retained points in [start, end), read one by one. */
static void
ref_span (Ref     *ref,
          gint64   start,
          gint64   end,
          RefSpan *span)
{
  guint a = end > start ? ref_lower_bound (ref, start) : ref->head;
  guint b = end > start ? ref_lower_bound (ref, end) : ref->head;
  guint first_index = 0, last_index = 0;

  memset (span, 0, sizeof *span);
  span->start = start;
  span->end = end;

  for (guint i = a; i < b; i++)
    {
      RefPoint *p = ref_point (ref, i);

      g_assert_true (p->time >= start && p->time < end);
      if (p->gap)
        continue;
      if (span->n == 0)
        {
          span->min = span->max = span->first = p->value;
          first_index = i;
        }
      span->n++;
      span->sum += p->value;
      span->min = MIN (span->min, p->value);
      span->max = MAX (span->max, p->value);
      span->last = p->value;
      span->last_time = p->time;
      last_index = i;
    }

  if (span->n == 0)
    return;

  for (guint i = first_index; i > ref->head; i--)
    {
      RefPoint *p = ref_point (ref, i - 1);

      if (!p->gap)
        break;
      span->gap_before = TRUE;
    }

  for (guint i = first_index; i < last_index; i++)
    if (ref_point (ref, i)->gap)
      span->gap_inside = TRUE;
}

static gint64
ref_column_edge (gint64 start,
                 gint64 end,
                 guint  n,
                 guint  i)
{
  G_GNUC_EXTENSION unsigned __int128 span = (guint64) end - (guint64) start;

  return (gint64) ((guint64) start + (guint64) (span * i / n));
}

/* Comparing. */

static void
assert_column (const SondeSeriesColumn *column,
               const RefSpan           *span,
               guint                    i)
{
  if (g_test_verbose () && column->n_points != span->n)
    g_test_message ("column %u [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", i, span->start, span->end);

  g_assert_cmpint (column->start_us, ==, span->start);
  g_assert_cmpint (column->end_us, ==, span->end);
  g_assert_cmpuint (column->n_points, ==, span->n);

  if (span->n == 0)
    {
      g_assert_true (isnan (column->min) && isnan (column->max));
      g_assert_true (isnan (column->first) && isnan (column->last));
      g_assert_false (column->gap_before);
      g_assert_false (column->gap_inside);
      return;
    }

  g_assert_cmpfloat (column->min, ==, span->min);
  g_assert_cmpfloat (column->max, ==, span->max);
  g_assert_cmpfloat (column->first, ==, span->first);
  g_assert_cmpfloat (column->last, ==, span->last);
  g_assert_cmpint (column->gap_before, ==, span->gap_before);
  g_assert_cmpint (column->gap_inside, ==, span->gap_inside);
}

static void
assert_mean (double mean,
             double expected,
             double scale)
{
  g_assert_cmpfloat_with_epsilon (mean, expected, 1e-9 * MAX (1.0, scale));
}

static void
assert_window (SondeSeries *series,
               Ref         *ref,
               gint64       start,
               gint64       end,
               guint        n_columns)
{
  g_autofree SondeSeriesColumn *columns = g_new (SondeSeriesColumn, n_columns);
  SondeSeriesStats stats;
  RefSpan all;
  double min = 0, max = 0;
  guint filled;

  filled = sonde_series_reduce (series, start, end, n_columns, columns);
  if (end <= start)
    {
      g_assert_cmpuint (filled, ==, 0);
    }
  else
    {
      g_assert_cmpuint (filled, ==, n_columns);
      for (guint i = 0; i < n_columns; i++)
        {
          RefSpan span;

          ref_span (ref, ref_column_edge (start, end, n_columns, i),
                    i + 1 == n_columns ? end : ref_column_edge (start, end, n_columns, i + 1),
                    &span);
          assert_column (&columns[i], &span, i);
        }
    }

  ref_span (ref, start, end, &all);

  sonde_series_get_stats (series, start, end, &stats);
  g_assert_cmpuint (stats.count, ==, all.n);
  if (all.n == 0)
    {
      g_assert_true (isnan (stats.min) && isnan (stats.max) && isnan (stats.mean) && isnan (stats.last));
      g_assert_cmpint (stats.last_time_us, ==, 0);
      g_assert_false (sonde_series_get_range (series, start, end, &min, &max));
    }
  else
    {
      double scale = 0;

      for (guint i = ref_lower_bound (ref, start); i < ref_lower_bound (ref, end); i++)
        scale += fabs (ref_point (ref, i)->value);

      g_assert_cmpfloat (stats.min, ==, all.min);
      g_assert_cmpfloat (stats.max, ==, all.max);
      g_assert_cmpfloat (stats.last, ==, all.last);
      g_assert_cmpint (stats.last_time_us, ==, all.last_time);
      assert_mean (stats.mean, all.sum / all.n, scale / all.n);

      g_assert_true (sonde_series_get_range (series, start, end, &min, &max));
      g_assert_cmpfloat (min, ==, all.min);
      g_assert_cmpfloat (max, ==, all.max);
    }
}

static void
assert_value_at (SondeSeries *series,
                 Ref         *ref,
                 gint64       time)
{
  gint64 found_time = 0;
  double found = 0;
  gboolean expected = FALSE;
  RefPoint *p = NULL;

  for (guint i = ref->points->len; i > ref->head; i--)
    {
      p = ref_point (ref, i - 1);
      if (p->time <= time && !p->gap)
        {
          expected = TRUE;
          break;
        }
    }

  g_assert_cmpint (sonde_series_value_at (series, time, &found_time, &found), ==, expected);
  if (expected)
    {
      g_assert_cmpint (found_time, ==, p->time);
      g_assert_cmpfloat (found, ==, p->value);
    }
}

static void
assert_same (SondeSeries *series,
             Ref         *ref)
{
  gint64 first = 0, last = 0;
  guint n = ref->points->len - ref->head;

  g_assert_cmpuint (sonde_series_get_n_points (series), ==, n);
  g_assert_cmpuint (sonde_series_get_n_dropped (series), ==, ref->n_dropped);
  g_assert_cmpint (sonde_series_get_time_range (series, &first, &last), ==, n > 0);
  if (n > 0)
    {
      g_assert_cmpint (first, ==, ref_point (ref, ref->head)->time);
      g_assert_cmpint (last, ==, ref_point (ref, ref->points->len - 1)->time);
    }
}

static void
append_both (SondeSeries *series,
             Ref         *ref,
             gint64       time,
             double       value)
{
  sonde_series_append (series, time, value);
  ref_append (ref, time, value, !isfinite (value));
}

static void
append_gap_both (SondeSeries *series,
                 Ref         *ref,
                 gint64       time)
{
  sonde_series_append_gap (series, time);
  ref_append (ref, time, 0, TRUE);
}

/* Hand-made cases. */

static void
test_empty (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (100);
  g_autoptr(Ref) ref = ref_new (100);
  SondeSeriesColumn columns[4];
  gint64 t = 0;
  double v = 0;

  g_assert_cmpuint (sonde_series_get_capacity (series), ==, 100);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 0);
  g_assert_false (sonde_series_get_time_range (series, &t, &t));
  g_assert_false (sonde_series_value_at (series, 0, &t, &v));
  g_assert_false (sonde_series_value_at (series, G_MAXINT64, &t, &v));

  g_assert_cmpuint (sonde_series_reduce (series, 0, 100, 4, columns), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (columns[i].start_us, ==, i * 25);
      g_assert_cmpint (columns[i].end_us, ==, (i + 1) * 25);
      g_assert_cmpuint (columns[i].n_points, ==, 0);
      g_assert_true (isnan (columns[i].min));
    }

  /* No columns, or an empty window: nothing filled. */
  g_assert_cmpuint (sonde_series_reduce (series, 0, 100, 0, NULL), ==, 0);
  g_assert_cmpuint (sonde_series_reduce (series, 100, 100, 4, columns), ==, 0);
  g_assert_cmpuint (sonde_series_reduce (series, 100, 0, 4, columns), ==, 0);

  assert_window (series, ref, 0, 100, 4);
  assert_window (series, ref, G_MININT64, G_MAXINT64, 7);
  assert_same (series, ref);

  g_assert_finalize_object (g_steal_pointer (&series));
}

static void
test_default_capacity (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  gsize empty_size;

  g_assert_cmpuint (sonde_series_get_capacity (series), ==, SONDE_SERIES_DEFAULT_CAPACITY);
  g_assert_cmpuint (sonde_series_get_n_levels (series), >=, 3);

  /* Nothing is allocated until points come. */
  empty_size = sonde_series_get_memory_size (series);
  g_assert_cmpuint (empty_size, <, 4096);
  for (guint i = 0; i < 1000; i++)
    sonde_series_append (series, i, i);
  g_assert_cmpuint (sonde_series_get_memory_size (series), <, 64 * 1024);

  g_assert_finalize_object (g_steal_pointer (&series));
}

static void
test_single_point (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (10);
  g_autoptr(Ref) ref = ref_new (10);
  SondeSeriesColumn column;
  SondeSeriesStats stats;
  gint64 t;
  double v;

  append_both (series, ref, 1000, 4.5);

  g_assert_cmpuint (sonde_series_reduce (series, 1000, 1001, 1, &column), ==, 1);
  g_assert_cmpuint (column.n_points, ==, 1);
  g_assert_cmpfloat (column.min, ==, 4.5);
  g_assert_cmpfloat (column.max, ==, 4.5);
  g_assert_cmpfloat (column.first, ==, 4.5);
  g_assert_cmpfloat (column.last, ==, 4.5);
  g_assert_false (column.gap_before);
  g_assert_false (column.gap_inside);

  /* [start, end): a point at end is outside. */
  sonde_series_reduce (series, 0, 1000, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 0);
  sonde_series_reduce (series, 1001, 2000, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 0);

  sonde_series_get_stats (series, G_MININT64, G_MAXINT64, &stats);
  g_assert_cmpuint (stats.count, ==, 1);
  g_assert_cmpfloat (stats.mean, ==, 4.5);
  g_assert_cmpfloat (stats.last, ==, 4.5);
  g_assert_cmpint (stats.last_time_us, ==, 1000);

  g_assert_false (sonde_series_value_at (series, 999, &t, &v));
  g_assert_true (sonde_series_value_at (series, 1000, &t, &v));
  g_assert_cmpint (t, ==, 1000);
  g_assert_cmpfloat (v, ==, 4.5);
  g_assert_true (sonde_series_value_at (series, G_MAXINT64, NULL, NULL));

  for (guint n = 1; n <= 9; n += 4)
    {
      assert_window (series, ref, 0, 2000, n);
      assert_window (series, ref, 1000, 1001, n);
      assert_window (series, ref, G_MININT64, G_MAXINT64, n);
    }
  assert_same (series, ref);
}

static void
test_one_column (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (100000);
  SondeSeriesColumn column;
  SondeSeriesStats stats;

  /* 50,000 points, all in one column: whole nodes of every level. */
  for (guint i = 0; i < 50000; i++)
    sonde_series_append (series, i, (double) ((i * 7919) % 50000));

  g_assert_cmpuint (sonde_series_reduce (series, 0, 50000, 1, &column), ==, 1);
  g_assert_cmpuint (column.n_points, ==, 50000);
  g_assert_cmpfloat (column.min, ==, 0);
  g_assert_cmpfloat (column.max, ==, 49999);
  g_assert_cmpfloat (column.first, ==, 0);
  g_assert_cmpfloat (column.last, ==, (double) ((49999u * 7919u) % 50000u));

  sonde_series_get_stats (series, 0, 50000, &stats);
  g_assert_cmpuint (stats.count, ==, 50000);
  assert_mean (stats.mean, 49999.0 / 2, 49999.0 / 2);
}

static void
test_window_outside (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (1000);
  g_autoptr(Ref) ref = ref_new (1000);
  SondeSeriesColumn columns[10];

  for (guint i = 0; i < 500; i++)
    append_both (series, ref, 10000 + i * 10, i);

  /* Before the data, after it, and ending exactly on the first point. */
  sonde_series_reduce (series, 0, 10000, 10, columns);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (columns[i].n_points, ==, 0);
  sonde_series_reduce (series, 14991, 100000, 10, columns);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (columns[i].n_points, ==, 0);
  sonde_series_reduce (series, 14990, 100000, 10, columns);
  g_assert_cmpuint (columns[0].n_points, ==, 1);
  g_assert_cmpfloat (columns[0].last, ==, 499);

  assert_window (series, ref, 0, 10000, 10);
  assert_window (series, ref, 14991, 100000, 10);
  assert_window (series, ref, 14990, 100000, 10);
  assert_window (series, ref, G_MININT64, 10000, 3);
  assert_window (series, ref, 20000, G_MAXINT64, 3);
}

static void
test_half_open (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (100);
  g_autoptr(Ref) ref = ref_new (100);
  SondeSeriesColumn columns[3];
  SondeSeriesStats stats;

  /* Points at 0, 10, 20, …, 90. */
  for (guint i = 0; i < 10; i++)
    append_both (series, ref, i * 10, i);

  /* Columns [10, 20), [20, 30), [30, 40): each holds exactly its start. */
  g_assert_cmpuint (sonde_series_reduce (series, 10, 40, 3, columns), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (columns[i].start_us, ==, 10 + 10 * i);
      g_assert_cmpint (columns[i].end_us, ==, 20 + 10 * i);
      g_assert_cmpuint (columns[i].n_points, ==, 1);
      g_assert_cmpfloat (columns[i].first, ==, 1 + i);
    }

  sonde_series_get_stats (series, 10, 40, &stats);
  g_assert_cmpuint (stats.count, ==, 3);
  g_assert_cmpfloat (stats.last, ==, 3);
  g_assert_cmpint (stats.last_time_us, ==, 30);

  /* Uneven spans: 3 columns over 10 µs are 3, 3 and 4 wide. */
  sonde_series_reduce (series, 0, 10, 3, columns);
  g_assert_cmpint (columns[0].end_us, ==, 3);
  g_assert_cmpint (columns[1].end_us, ==, 6);
  g_assert_cmpint (columns[2].end_us, ==, 10);

  for (gint64 start = -5; start <= 95; start += 5)
    for (gint64 end = start; end <= 100; end += 5)
      for (guint n = 1; n <= 7; n += 3)
        assert_window (series, ref, start, end, n);
}

static void
test_clamp (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (100);
  g_autoptr(Ref) ref = ref_new (100);
  SondeSeriesColumn column;
  gint64 first, last;

  append_both (series, ref, 100, 1);
  append_both (series, ref, 50, 2);       /* clamped to 100 */
  append_gap_both (series, ref, 10);      /* so is a gap */
  append_both (series, ref, 200, 3);
  append_both (series, ref, 150, 4);      /* 200 */

  g_assert_true (sonde_series_get_time_range (series, &first, &last));
  g_assert_cmpint (first, ==, 100);
  g_assert_cmpint (last, ==, 200);

  sonde_series_reduce (series, 100, 101, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 2);
  g_assert_cmpfloat (column.first, ==, 1);
  g_assert_cmpfloat (column.last, ==, 2);

  sonde_series_reduce (series, 50, 100, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 0);

  sonde_series_reduce (series, 200, 201, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 2);
  g_assert_true (column.gap_before);
  g_assert_cmpfloat (column.last, ==, 4);

  for (guint n = 1; n <= 5; n++)
    assert_window (series, ref, 0, 300, n);
  assert_value_at (series, ref, 150);
  assert_value_at (series, ref, 200);
  assert_same (series, ref);
}

static void
test_capacity_one (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (1);
  g_autoptr(Ref) ref = ref_new (1);
  SondeSeriesColumn column;

  for (guint i = 0; i <= 200; i++)
    {
      if (i % 7 == 3)
        append_gap_both (series, ref, i * 3);
      else
        append_both (series, ref, i * 3, i);

      assert_same (series, ref);
      assert_window (series, ref, 0, 1000, 1);
      assert_window (series, ref, i * 3, i * 3 + 1, 3);
      assert_window (series, ref, i * 3 + 1, 1000, 2);
      assert_value_at (series, ref, i * 3);
    }

  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 1);
  g_assert_cmpuint (sonde_series_get_n_dropped (series), ==, 200);

  /* The last point, 200, is a value; the gap before it, 199, is gone. */
  sonde_series_reduce (series, 0, 1000, 1, &column);
  g_assert_cmpuint (column.n_points, ==, 1);
  g_assert_cmpfloat (column.last, ==, 200);
  g_assert_false (column.gap_before);
}

static void
test_gaps (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (1000);
  g_autoptr(Ref) ref = ref_new (1000);
  SondeSeriesColumn columns[10];
  SondeSeriesStats stats;
  gint64 t;
  double v;

  /* A gap first, values, four gaps in a row, values, a gap last:
   * gap(0) 1(10) 2(20) gap(30) gap(40) gap(45) gap(45) 5(50) 6(60) gap(70) */
  append_gap_both (series, ref, 0);
  append_both (series, ref, 10, 1);
  append_both (series, ref, 20, 2);
  append_gap_both (series, ref, 30);
  append_both (series, ref, 40, NAN);     /* NaN is a gap too */
  sonde_series_append (series, 45, INFINITY);   /* and so is an infinity: */
  sonde_series_append (series, 45, -INFINITY);  /*   no axis can show one */
  ref_append (ref, 45, 0, TRUE);
  ref_append (ref, 45, 0, TRUE);
  append_both (series, ref, 50, 5);
  append_both (series, ref, 60, 6);
  append_gap_both (series, ref, 70);

  /* One column per point. */
  sonde_series_reduce (series, 0, 80, 8, columns);
  g_assert_cmpuint (columns[0].n_points, ==, 0);
  g_assert_false (columns[0].gap_before);
  g_assert_cmpuint (columns[1].n_points, ==, 1);
  g_assert_true (columns[1].gap_before);        /* the leading gap */
  g_assert_false (columns[2].gap_before);
  g_assert_cmpuint (columns[3].n_points, ==, 0);
  g_assert_cmpuint (columns[4].n_points, ==, 0);
  g_assert_true (columns[5].gap_before);        /* across two gap-only columns */
  g_assert_false (columns[6].gap_before);
  g_assert_cmpuint (columns[7].n_points, ==, 0);
  for (guint i = 0; i < 8; i++)
    g_assert_false (columns[i].gap_inside);

  /* Everything in one column: the breaks are inside it. */
  sonde_series_reduce (series, 0, 80, 1, columns);
  g_assert_cmpuint (columns[0].n_points, ==, 4);
  g_assert_true (columns[0].gap_before);        /* the leading gap, inside the column */
  g_assert_true (columns[0].gap_inside);
  g_assert_cmpfloat (columns[0].first, ==, 1);
  g_assert_cmpfloat (columns[0].last, ==, 6);

  /* Two columns, [0, 40) and [40, 80): the break between them. */
  sonde_series_reduce (series, 0, 80, 2, columns);
  g_assert_false (columns[0].gap_inside);
  g_assert_true (columns[1].gap_before);
  g_assert_false (columns[1].gap_inside);

  /* A window that starts after the gaps still knows they precede it. */
  sonde_series_reduce (series, 45, 80, 1, columns);
  g_assert_true (columns[0].gap_before);
  sonde_series_reduce (series, 55, 80, 1, columns);
  g_assert_false (columns[0].gap_before);

  sonde_series_get_stats (series, 0, 80, &stats);
  g_assert_cmpuint (stats.count, ==, 4);
  g_assert_cmpfloat (stats.mean, ==, 3.5);
  g_assert_cmpfloat (stats.last, ==, 6);
  g_assert_cmpint (stats.last_time_us, ==, 60);

  /* value_at skips gaps back to the last value. */
  g_assert_true (sonde_series_value_at (series, 75, &t, &v));
  g_assert_cmpint (t, ==, 60);
  g_assert_true (sonde_series_value_at (series, 45, &t, &v));
  g_assert_cmpint (t, ==, 20);
  g_assert_false (sonde_series_value_at (series, 5, &t, &v));

  for (gint64 start = 0; start <= 80; start += 5)
    for (gint64 end = start + 1; end <= 90; end += 7)
      for (guint n = 1; n <= 9; n += 2)
        assert_window (series, ref, start, end, n);
  for (gint64 time = -1; time <= 80; time++)
    assert_value_at (series, ref, time);
}

static void
test_long_gap_runs (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (200000);
  g_autoptr(Ref) ref = ref_new (200000);
  guint64 visits;

  /* Whole nodes of gaps, on every level: value_at and the stats' last time
   * skip them a node at a time. */
  append_both (series, ref, 0, 42);
  for (guint i = 1; i < 100000; i++)
    append_gap_both (series, ref, i);
  append_both (series, ref, 100000, 43);
  for (guint i = 100001; i < 150000; i++)
    append_gap_both (series, ref, i);

  visits = sonde_series_get_n_visits (series);
  assert_value_at (series, ref, 99999);
  assert_value_at (series, ref, 149999);
  assert_value_at (series, ref, G_MAXINT64);
  visits = sonde_series_get_n_visits (series) - visits;
  g_test_message ("visits for 3 value_at across long gaps: %" G_GUINT64_FORMAT, visits);
  g_assert_cmpuint (visits, <, 3 * (2 * BLOCK * (sonde_series_get_n_levels (series) + 1) + 64));

  assert_window (series, ref, 0, 150000, 1);
  assert_window (series, ref, 1, 150000, 1);
  assert_window (series, ref, 1, 150000, 1000);
  assert_window (series, ref, 0, 100001, 2);
  assert_window (series, ref, 100001, 150000, 5);
}

static void
test_clear (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (50);
  g_autoptr(Ref) ref = ref_new (50);
  guint64 serial;

  for (guint i = 0; i < 120; i++)
    append_both (series, ref, 1000 + i, i);
  assert_same (series, ref);

  serial = sonde_series_get_serial (series);
  sonde_series_clear (series);
  ref_clear (ref);
  g_assert_cmpuint (sonde_series_get_serial (series), >, serial);
  assert_same (series, ref);
  assert_window (series, ref, 0, 5000, 10);
  g_assert_false (sonde_series_value_at (series, G_MAXINT64, NULL, NULL));

  /* Clearing an empty series changes nothing. */
  serial = sonde_series_get_serial (series);
  sonde_series_clear (series);
  g_assert_cmpuint (sonde_series_get_serial (series), ==, serial);

  /* After a clear, time may start over: nothing to clamp to. */
  for (guint i = 0; i < 80; i++)
    {
      if (i % 9 == 0)
        append_gap_both (series, ref, i);
      else
        append_both (series, ref, i, -(double) i);
    }
  assert_same (series, ref);
  for (guint n = 1; n < 100; n += 13)
    assert_window (series, ref, 0, 100, n);
}

static void
test_serial (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (2);
  SondeSeriesColumn column;
  SondeSeriesStats stats;
  guint64 serial = sonde_series_get_serial (series);

  sonde_series_append (series, 1, 1);
  g_assert_cmpuint (sonde_series_get_serial (series), >, serial);
  serial = sonde_series_get_serial (series);

  sonde_series_append_gap (series, 2);
  g_assert_cmpuint (sonde_series_get_serial (series), >, serial);
  serial = sonde_series_get_serial (series);

  sonde_series_append (series, 3, 3);   /* drops the oldest */
  g_assert_cmpuint (sonde_series_get_serial (series), >, serial);
  serial = sonde_series_get_serial (series);

  /* Reading changes nothing. */
  sonde_series_reduce (series, 0, 10, 1, &column);
  sonde_series_get_stats (series, 0, 10, &stats);
  sonde_series_value_at (series, 5, NULL, NULL);
  sonde_series_get_range (series, 0, 10, NULL, NULL);
  g_assert_cmpuint (sonde_series_get_serial (series), ==, serial);

  sonde_series_clear (series);
  g_assert_cmpuint (sonde_series_get_serial (series), >, serial);
}

static void
test_widest_window (void)
{
  g_autoptr(SondeSeries) series = sonde_series_new (1000);
  g_autoptr(Ref) ref = ref_new (1000);

  append_both (series, ref, G_MININT64, -1);
  append_both (series, ref, -1, 0);
  append_both (series, ref, 0, 1);
  append_both (series, ref, G_MAXINT64 - 1, 2);
  append_gap_both (series, ref, G_MAXINT64);

  for (guint n = 1; n <= 1920; n = n * 3 + 1)
    {
      assert_window (series, ref, G_MININT64, G_MAXINT64, n);
      assert_window (series, ref, G_MININT64 + 1, G_MAXINT64 - 1, n);
    }
  assert_value_at (series, ref, G_MAXINT64);
  assert_value_at (series, ref, G_MININT64);
  assert_value_at (series, ref, -1);
}

/* Random series against the reference. */

typedef struct {
  guint capacity;
  guint n_points;
  guint n_checks;     /* times to stop appending and compare */
  guint n_windows;    /* windows each time */
} RandomCase;

static const RandomCase random_cases[] = {
  { 2, 3000, 6, 40 },
  { BLOCK - 1, 5000, 6, 40 },
  { BLOCK, 5000, 6, 40 },
  { BLOCK + 1, 5000, 6, 40 },
  { 1000, 30000, 8, 80 },
  { BLOCK * BLOCK, 30000, 6, 80 },
  { 5000, 60000, 8, 80 },
  { BLOCK * BLOCK * BLOCK + 77, 100000, 4, 60 },
  { BLOCK * BLOCK * BLOCK * BLOCK + 77, 150000, 4, 40 },
  { 1000000, 50000, 4, 60 },   /* no wrap */
};

static gint64
random_time (GRand *rand,
             Ref   *ref)
{
  RefPoint *first = ref_point (ref, ref->head);
  RefPoint *last = ref_point (ref, ref->points->len - 1);
  gint64 width = last->time - first->time + 1;

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:   /* a point's own time */
      return ref_point (ref, g_rand_int_range (rand, ref->head, ref->points->len))->time;
    case 1:   /* just past one */
      return ref_point (ref, g_rand_int_range (rand, ref->head, ref->points->len))->time + 1;
    default:  /* anywhere around the data */
      return first->time - width / 10 + (gint64) (g_rand_double (rand) * width * 1.2);
    }
}

static void
test_random (gconstpointer data)
{
  const RandomCase *c = data;
  static const guint widths[] = { 1, 2, 7, 100, 1920 };
  g_autoptr(SondeSeries) series = sonde_series_new (c->capacity);
  g_autoptr(Ref) ref = ref_new (c->capacity);
  g_autoptr(GRand) rand = g_rand_new_with_seed (c->capacity * 7919 + c->n_points);
  gint64 time = 1000000;
  guint appended = 0;

  for (guint check = 1; check <= c->n_checks; check++)
    {
      guint until = (guint) ((guint64) c->n_points * check / c->n_checks);

      for (; appended < until; appended++)
        {
          guint kind = g_rand_int_range (rand, 0, 100);

          /* Mostly small steps, some equal times, some going back (clamped),
           * some long pauses. */
          if (kind < 70)
            time += g_rand_int_range (rand, 1, 1000);
          else if (kind < 80)
            ;
          else if (kind < 85)
            time -= g_rand_int_range (rand, 1, 5000);
          else if (kind < 87)
            time += g_rand_int_range (rand, 100000, 10000000);
          else
            time += g_rand_int_range (rand, 1, 100);

          kind = g_rand_int_range (rand, 0, 1000);
          if (kind < 15)
            {
              /* A run of gaps. */
              guint run = g_rand_int_range (rand, 1, kind < 3 ? 3 * BLOCK : 4);

              for (guint i = 0; i < run && appended < until; i++, appended++)
                append_gap_both (series, ref, time + i);
              appended--;
            }
          else if (kind < 20)
            append_both (series, ref, time, NAN);
          else if (kind < 300)
            append_both (series, ref, time, g_rand_int_range (rand, -5, 6));
          else
            append_both (series, ref, time, g_rand_double_range (rand, -1000, 1000) + 10000);
        }

      assert_same (series, ref);

      for (guint w = 0; w < c->n_windows; w++)
        {
          gint64 start = random_time (rand, ref);
          gint64 end = random_time (rand, ref);
          guint n_columns = w < G_N_ELEMENTS (widths) * 4 ? widths[w % G_N_ELEMENTS (widths)]
                                                          : (guint) g_rand_int_range (rand, 1, 300);

          if (w % 17 == 16)
            {
              start = G_MININT64;
              end = G_MAXINT64;
            }
          else if (w % 10 == 9)
            {
              start = ref_point (ref, ref->head)->time;
              end = ref_point (ref, ref->points->len - 1)->time + 1;
            }
          else if (end < start && w % 3 != 0)
            {
              gint64 swap = start;

              start = end;
              end = swap;
            }

          assert_window (series, ref, start, end, n_columns);
          assert_value_at (series, ref, start);
          assert_value_at (series, ref, end);
        }
    }

  g_assert_cmpuint (sonde_series_get_n_dropped (series), ==,
                    c->n_points > c->capacity ? c->n_points - c->capacity : 0);
}

/* The cost of reading, counted, not timed. */

static guint64
reduce_visits (SondeSeries *series,
               gint64       start,
               gint64       end,
               guint        n_columns)
{
  g_autofree SondeSeriesColumn *columns = g_new (SondeSeriesColumn, n_columns);
  guint64 before = sonde_series_get_n_visits (series);

  g_assert_cmpuint (sonde_series_reduce (series, start, end, n_columns, columns), ==, n_columns);
  return sonde_series_get_n_visits (series) - before;
}

static void
fill (SondeSeries *series,
      guint        n_points)
{
  for (guint i = 0; i < n_points; i++)
    {
      if (i % 10007 == 0)
        sonde_series_append_gap (series, (gint64) i * 1000);
      else
        sonde_series_append (series, (gint64) i * 1000, sin (i / 1000.0));
    }
}

static void
test_cost (void)
{
  g_autoptr(SondeSeries) big = sonde_series_new (1000000);
  g_autoptr(SondeSeries) small = sonde_series_new (100000);
  guint64 visits_big, visits_small, visits_wide, visits;
  guint64 visits_stats, visits_range, visits_value;
  guint n_levels = 0;
  SondeSeriesStats stats;

  /* 1,000,000 points after the ring wrapped, and 100,000. */
  fill (big, 1300000);
  fill (small, 100000);
  g_assert_cmpuint (sonde_series_get_n_points (big), ==, 1000000);

  visits_big = reduce_visits (big, 300000000, 1300000000, 1000);
  visits_small = reduce_visits (small, 0, 100000000, 1000);
  visits_wide = reduce_visits (big, 300000000, 1300000000, 4000);
  g_test_message ("visits to reduce to 1000 columns: %" G_GUINT64_FORMAT " for 1M points, %"
                  G_GUINT64_FORMAT " for 100k; to 4000 columns: %" G_GUINT64_FORMAT " for 1M",
                  visits_big, visits_small, visits_wide);

  /* O(columns · log), not O(points): at most a tenth of a visit per point,
   * ten times the points cost far less than ten times the visits, and four
   * times the columns no more than four times the budget. */
  g_assert_cmpuint (visits_big, <, 100000);
  g_assert_cmpuint (visits_big, <, visits_small * 3);
  g_assert_cmpuint (visits_wide, <, 4 * 100000);

  /* A whole window's stats, a range and value_at: at most two blocks' worth
   * of items a level, and a search. */
  visits = sonde_series_get_n_visits (big);
  sonde_series_get_stats (big, G_MININT64, G_MAXINT64, &stats);
  g_assert_cmpuint (stats.count, ==, 1000000 - 100);
  visits_stats = sonde_series_get_n_visits (big) - visits;

  visits = sonde_series_get_n_visits (big);
  g_assert_true (sonde_series_get_range (big, 400000123, 1200000456, NULL, NULL));
  visits_range = sonde_series_get_n_visits (big) - visits;

  visits = sonde_series_get_n_visits (big);
  g_assert_true (sonde_series_value_at (big, 700000000, NULL, NULL));
  visits_value = sonde_series_get_n_visits (big) - visits;

  g_test_message ("visits for stats: %" G_GUINT64_FORMAT ", range: %" G_GUINT64_FORMAT
                  ", value_at: %" G_GUINT64_FORMAT, visits_stats, visits_range, visits_value);
  for (guint64 size = BLOCK; size <= 1000000; size *= BLOCK)
    n_levels++;
  g_assert_cmpuint (sonde_series_get_n_levels (big), ==, n_levels);
  g_assert_cmpuint (visits_stats, <, 2 * BLOCK * n_levels + 100);
  g_assert_cmpuint (visits_range, <, 2 * BLOCK * n_levels + 100);
  g_assert_cmpuint (visits_value, <, 100);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/series/empty", test_empty);
  g_test_add_func ("/series/default-capacity", test_default_capacity);
  g_test_add_func ("/series/single-point", test_single_point);
  g_test_add_func ("/series/one-column", test_one_column);
  g_test_add_func ("/series/window-outside", test_window_outside);
  g_test_add_func ("/series/half-open", test_half_open);
  g_test_add_func ("/series/clamp", test_clamp);
  g_test_add_func ("/series/capacity-one", test_capacity_one);
  g_test_add_func ("/series/gaps", test_gaps);
  g_test_add_func ("/series/long-gap-runs", test_long_gap_runs);
  g_test_add_func ("/series/clear", test_clear);
  g_test_add_func ("/series/serial", test_serial);
  g_test_add_func ("/series/widest-window", test_widest_window);

  for (guint i = 0; i < G_N_ELEMENTS (random_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/series/random/capacity-%u", random_cases[i].capacity);

      g_test_add_data_func (path, &random_cases[i], test_random);
    }

  g_test_add_func ("/series/cost", test_cost);

  return g_test_run ();
}
