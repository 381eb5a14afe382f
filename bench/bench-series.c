/* bench-series.c: what a chart costs to read from SondeSeries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark of the series issue: "reading any time window at any pixel
 * width costs O(width), not O(points)", for a chart that must keep 60 fps
 * with 4 series of 1,000,000 points each in view.
 *
 * It fills 4 series of the default capacity (1,000,000) with 1,250,000
 * points each, a millisecond apart (so the ring has wrapped; a random walk
 * with a disconnect every ~100,000 points), then measures:
 *
 *   append      points per second, while the series grows to its capacity
 *               and once it is full (each append drops the oldest point)
 *   memory      the series' own account (point slots and pyramid nodes) and
 *               the growth of resident memory, per retained point
 *   reduce      sonde_series_reduce() of the whole window (1,000,000 points)
 *               to 1000 and 4000 columns, one series and all four; a 10 s
 *               window (10,000 points); get_stats() and value_at() of the
 *               legend and the crosshair
 *
 * Every read is timed --repeat times (default 101) and the table shows the
 * median, the 90th percentile and the minimum, twice: warm (the same call
 * over and over, the series in the CPU caches) and cold (64 MiB written
 * between calls, so that nothing of the series is cached, as after a frame
 * of drawing). The target is judged on the cold median, the worse of the
 * two.
 *
 *   _build/bench/bench-series [--quick] [--repeat N]
 */

#define G_LOG_DOMAIN "bench-series"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "sonde-series.h"
#include "sonde-series-private.h"

#define N_SERIES        4
#define N_POINTS        1250000u
#define N_VALUES        (1u << 21)    /* a power of two */
#define STEP_US         1000
#define EVICT_BYTES     ((gsize) 64 * 1024 * 1024)
#define GOAL_FRAME_US   4000.0   /* a quarter of a 60 fps frame */

typedef struct {
  SondeSeries       *series[N_SERIES];
  gint64             start_us;     /* the retained points' window */
  gint64             end_us;
  SondeSeriesColumn *columns;      /* room for 4000 */
  guint8            *evict;        /* EVICT_BYTES, written between cold calls */
  guint              repeat;
  double             sink;         /* so that no read is optimized away */
} Bench;

typedef void (*BenchRead) (Bench *bench);

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
evict_caches (Bench *bench)
{
  static guint8 round;

  memset (bench->evict, ++round, EVICT_BYTES);
  bench->sink += bench->evict[EVICT_BYTES / 2];
}

typedef struct {
  double median;
  double p90;
  double min;
} Timing;

static Timing
time_read (Bench     *bench,
           BenchRead  read,
           gboolean   cold)
{
  g_autofree double *samples = g_new (double, bench->repeat);
  Timing timing;

  read (bench);   /* once to warm up page tables and branch predictors */

  for (guint i = 0; i < bench->repeat; i++)
    {
      double start;

      if (cold)
        evict_caches (bench);
      start = now_us ();
      read (bench);
      samples[i] = now_us () - start;
    }

  qsort (samples, bench->repeat, sizeof (double), compare_doubles);
  timing.median = samples[bench->repeat / 2];
  timing.p90 = samples[MIN (bench->repeat - 1, bench->repeat * 9 / 10)];
  timing.min = samples[0];
  return timing;
}

static void
reduce_one (Bench *bench,
            guint  n_columns,
            guint  n_series)
{
  for (guint s = 0; s < n_series; s++)
    {
      sonde_series_reduce (bench->series[s], bench->start_us, bench->end_us, n_columns, bench->columns);
      bench->sink += bench->columns[n_columns / 2].max;
    }
}

static void
read_reduce_1000 (Bench *bench)
{
  reduce_one (bench, 1000, 1);
}

static void
read_reduce_4000 (Bench *bench)
{
  reduce_one (bench, 4000, 1);
}

static void
read_reduce_4x1000 (Bench *bench)
{
  reduce_one (bench, 1000, N_SERIES);
}

static void
read_reduce_4x4000 (Bench *bench)
{
  reduce_one (bench, 4000, N_SERIES);
}

static void
read_reduce_10s (Bench *bench)
{
  sonde_series_reduce (bench->series[0], bench->end_us - 10 * G_USEC_PER_SEC, bench->end_us, 1000,
                       bench->columns);
  bench->sink += bench->columns[500].max;
}

static void
read_stats (Bench *bench)
{
  SondeSeriesStats stats;

  sonde_series_get_stats (bench->series[0], bench->start_us, bench->end_us, &stats);
  bench->sink += stats.mean;
}

static void
read_value_at (Bench *bench)
{
  double value = 0;

  sonde_series_value_at (bench->series[0], bench->start_us + (bench->end_us - bench->start_us) / 3, NULL,
                         &value);
  bench->sink += value;
}

/* A random walk with a disconnect (NaN: a gap) every ~100,000 points, made
 * before any clock runs. */
static double *
make_values (GRand *rand)
{
  double *values = g_new (double, N_VALUES);
  double value = 100;

  for (guint i = 0; i < N_VALUES; i++)
    {
      value += g_rand_double_range (rand, -1, 1);
      values[i] = g_rand_int_range (rand, 0, 100000) == 0 ? NAN : value;
    }
  return values;
}

/* Appends the points first, first + 1, … a millisecond apart, their values
 * from the walk at SHIFT further on. */
static void
fill (SondeSeries  *series,
      const double *values,
      guint64       shift,
      guint64       first,
      guint64       n_points)
{
  for (guint64 i = first; i < first + n_points; i++)
    sonde_series_append (series, (gint64) i * STEP_US, values[(i + shift) & (N_VALUES - 1)]);
}

static const char *
format_count (double value)
{
  static char buf[4][32];
  static guint next;
  char *out = buf[next++ % G_N_ELEMENTS (buf)];

  if (value >= 1e6)
    g_snprintf (out, sizeof buf[0], "%.1f M", value / 1e6);
  else
    g_snprintf (out, sizeof buf[0], "%.0f k", value / 1e3);
  return out;
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE;
  gint repeat = 0;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "A smoke run: fewer repeats", NULL },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Time each read N times (default 101; 11 with --quick)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— what a chart costs to read from SondeSeries");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autofree double *values = NULL;
  static const struct {
    const char *name;
    BenchRead   read;
  } reads[] = {
    { "reduce 1M points → 1000 columns", read_reduce_1000 },
    { "reduce 1M points → 4000 columns", read_reduce_4000 },
    { "reduce 4 series × 1M → 1000 columns", read_reduce_4x1000 },
    { "reduce 4 series × 1M → 4000 columns", read_reduce_4x4000 },
    { "reduce a 10 s window → 1000 columns", read_reduce_10s },
    { "get_stats of 1M points (legend)", read_stats },
    { "value_at (crosshair)", read_value_at },
  };
  Bench bench = { 0 };
  Timing target_warm = { 0 }, target_cold = { 0 };
  double fill_us, full_us, seconds;
  guint64 rss_before, rss_after, n_retained = 0;
  gsize model_bytes = 0;
  guint64 full_points;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 1 || repeat < 0)
    {
      g_printerr ("bench-series: %s\n", error != NULL ? error->message : "usage: bench-series [--quick] [--repeat N]");
      return 2;
    }
  bench.repeat = repeat > 0 ? (guint) repeat : quick ? 11 : 101;
  full_points = quick ? 1000000 : 5000000;

  /* Appends: growing to the capacity, then into a full ring. */
  values = make_values (rand);
  rss_before = bench_current_rss_kib ();
  for (guint s = 0; s < N_SERIES; s++)
    bench.series[s] = sonde_series_new (0);

  fill_us = now_us ();
  fill (bench.series[0], values, 0, 0, SONDE_SERIES_DEFAULT_CAPACITY);
  fill_us = now_us () - fill_us;

  full_us = now_us ();
  fill (bench.series[0], values, 0, SONDE_SERIES_DEFAULT_CAPACITY, full_points);
  full_us = now_us () - full_us;

  /* The other three, and the first one again, with the same window. */
  g_clear_object (&bench.series[0]);
  bench.series[0] = sonde_series_new (0);
  for (guint s = 0; s < N_SERIES; s++)
    fill (bench.series[s], values, s * (N_VALUES / N_SERIES), 0, N_POINTS);
  rss_after = bench_current_rss_kib ();

  for (guint s = 0; s < N_SERIES; s++)
    {
      n_retained += sonde_series_get_n_points (bench.series[s]);
      model_bytes += sonde_series_get_memory_size (bench.series[s]);
    }
  if (!sonde_series_get_time_range (bench.series[0], &bench.start_us, &bench.end_us))
    g_error ("bench-series: the series is empty");
  bench.end_us++;
  bench.columns = g_new (SondeSeriesColumn, 4000);
  bench.evict = g_malloc (EVICT_BYTES);

  printf ("SondeSeries: %d series × %s points (capacity %s, the ring wrapped), blocks of %u points, "
          "%u levels; %u runs per read\n\n",
          N_SERIES, format_count (sonde_series_get_n_points (bench.series[0])),
          format_count (sonde_series_get_capacity (bench.series[0])), 1u << SONDE_SERIES_BLOCK_SHIFT,
          sonde_series_get_n_levels (bench.series[0]), bench.repeat);

  seconds = fill_us / 1e6;
  printf ("  %-40s %10s points/s\n", "append, growing to 1M", format_count (SONDE_SERIES_DEFAULT_CAPACITY / seconds));
  seconds = full_us / 1e6;
  printf ("  %-40s %10s points/s\n", "append into the full ring", format_count (full_points / seconds));
  printf ("  %-40s %10.1f bytes/point (its own account: slots and pyramid)\n", "memory",
          (double) model_bytes / n_retained);
  printf ("  %-40s %10.1f bytes/point\n", "resident memory growth",
          rss_after > rss_before ? (rss_after - rss_before) * 1024.0 / n_retained : 0.0);
  printf ("\n");

  printf ("  %-40s %27s   %27s\n", "", "warm (µs)", "cold caches (µs)");
  printf ("  %-40s %9s %8s %8s   %9s %8s %8s\n", "read", "median", "p90", "min", "median", "p90", "min");
  for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      Timing warm = time_read (&bench, reads[i].read, FALSE);
      Timing cold = time_read (&bench, reads[i].read, TRUE);

      printf ("  %-40s %9.1f %8.1f %8.1f   %9.1f %8.1f %8.1f\n", reads[i].name,
              warm.median, warm.p90, warm.min, cold.median, cold.p90, cold.min);
      if (reads[i].read == read_reduce_4x1000)
        {
          target_warm = warm;
          target_cold = cold;
        }
    }
  printf ("\n");

  printf ("target series-reduce: %.0f µs for 4 series × 1M points → 1000 columns, cold caches (warm %.0f µs) "
          "(goal ≤ %.0f ms, a quarter of a 60 fps frame) %s\n",
          target_cold.median, target_warm.median, GOAL_FRAME_US / 1000,
          target_cold.median <= GOAL_FRAME_US ? "MET" : "MISSED");

  for (guint s = 0; s < N_SERIES; s++)
    g_clear_object (&bench.series[s]);
  g_free (bench.columns);
  g_free (bench.evict);
  return bench.sink == 42.4242 ? 1 : 0;
}
