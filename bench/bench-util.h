/* bench-util.h: what the C benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

/* Every receiver accepts messages this large: the largest scenario sends
 * 64 KiB, and libsoup's own default limit is 128 KiB. */
#define BENCH_MAX_PAYLOAD ((guint64) 64 * 1024 * 1024)

typedef struct {
  char    *url;
  guint64  count;     /* messages the server will send */
  gint     timeout;   /* seconds before giving up */
} BenchOptions;

gboolean  bench_options_parse   (BenchOptions  *options,
                                 const char    *name,
                                 int           *argc,
                                 char        ***argv);
void      bench_options_clear   (BenchOptions  *options);

guint64   bench_peak_rss_kib    (void);
guint64   bench_current_rss_kib (void);

GString  *bench_json_begin      (const char    *receiver,
                                 guint64        count,
                                 guint64        bytes,
                                 gint64         first_us,
                                 gint64         last_us);
void      bench_json_add_uint   (GString       *json,
                                 const char    *name,
                                 guint64        value);
void      bench_json_add_double (GString       *json,
                                 const char    *name,
                                 double         value);
void      bench_json_end        (GString       *json,
                                 const char    *problem);

/* Timings, summarized: median, 95th and 99th percentile, max and mean. */
typedef struct {
  guint  n;
  double median;
  double p95;
  double p99;
  double max;
  double mean;
} BenchSummary;

BenchSummary bench_summarize    (GArray        *values,
                                 double         unit);
gint64    bench_cpu_time_us     (clockid_t      clock);

G_END_DECLS
