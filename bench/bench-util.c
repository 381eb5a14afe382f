/* bench-util.c: what the C receivers of the ingest benchmark share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Options (URL, --count, --timeout), memory readings and the one JSON line
 * each receiver prints, in the same shape as recv-node.js and
 * recv_python.py print theirs.
 */

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-util.h"

gboolean
bench_options_parse (BenchOptions   *options,
                     const char     *name,
                     int            *argc,
                     char         ***argv)
{
  gint64 count = 0;
  gint timeout = 300;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT64, &count, "Messages the server sends", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this many seconds (default 300)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("URL — count a WebSocket flood");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", name, error->message);
      return FALSE;
    }

  if (*argc != 2 || count <= 0 || timeout <= 0)
    {
      g_printerr ("%s: usage: %s --count N [--timeout S] ws://127.0.0.1:PORT/\n", name, name);
      return FALSE;
    }

  options->url = g_strdup ((*argv)[1]);
  options->count = (guint64) count;
  options->timeout = timeout;
  return TRUE;
}

void
bench_options_clear (BenchOptions *options)
{
  g_clear_pointer (&options->url, g_free);
}

/* The high-water mark of resident memory, as the kernel keeps it. */
guint64
bench_peak_rss_kib (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return (guint64) usage.ru_maxrss;   /* KiB on Linux */
}

/* Resident memory now, from /proc/self/statm. */
guint64
bench_current_rss_kib (void)
{
  g_autofree char *contents = NULL;
  guint64 size_pages = 0;
  guint64 resident_pages = 0;

  if (!g_file_get_contents ("/proc/self/statm", &contents, NULL, NULL) ||
      sscanf (contents, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size_pages, &resident_pages) != 2)
    return 0;

  return resident_pages * (guint64) sysconf (_SC_PAGESIZE) / 1024;
}

GString *
bench_json_begin (const char *receiver,
                  guint64     count,
                  guint64     bytes,
                  gint64      first_us,
                  gint64      last_us)
{
  GString *json = g_string_new (NULL);
  double seconds = 0;

  if (first_us != 0 && last_us >= first_us)
    seconds = (double) (last_us - first_us) / G_USEC_PER_SEC;

  g_string_append_printf (json, "{\"receiver\":\"%s\"", receiver);
  bench_json_add_uint (json, "count", count);
  bench_json_add_uint (json, "bytes", bytes);
  bench_json_add_double (json, "seconds", seconds);
  bench_json_add_uint (json, "peak_rss_kib", bench_peak_rss_kib ());
  return json;
}

void
bench_json_add_uint (GString    *json,
                     const char *name,
                     guint64     value)
{
  g_string_append_printf (json, ",\"%s\":%" G_GUINT64_FORMAT, name, value);
}

void
bench_json_add_double (GString    *json,
                       const char *name,
                       double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, ",\"%s\":%s", name, g_ascii_dtostr (buf, sizeof buf, value));
}

/* Prints the line, with "error" when something went wrong. */
void
bench_json_end (GString    *json,
                const char *problem)
{
  if (problem != NULL)
    {
      g_string_append (json, ",\"error\":\"");
      for (const char *p = problem; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_printf (json, "\\%c", *p);
          else if ((guchar) *p < 0x20)
            g_string_append_printf (json, "\\u%04x", (guint) (guchar) *p);
          else
            g_string_append_c (json, *p);
        }
      g_string_append_c (json, '"');
    }
  g_string_append (json, "}\n");
  fputs (json->str, stdout);
  fflush (stdout);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Summarizes @values, gint64s (sorted in place), divided by @unit: 1000
 * turns µs into ms. */
BenchSummary
bench_summarize (GArray *values,
                 double  unit)
{
  BenchSummary s = { 0 };
  gint64 *v = (gint64 *) values->data;
  double total = 0;

  s.n = values->len;
  if (s.n == 0)
    return s;

  g_array_sort (values, compare_int64);
  for (guint i = 0; i < s.n; i++)
    total += (double) v[i];

  s.median = v[(s.n - 1) / 2] / unit;
  s.p95 = v[MIN (s.n - 1, (guint) (s.n * 0.95))] / unit;
  s.p99 = v[MIN (s.n - 1, (guint) (s.n * 0.99))] / unit;
  s.max = v[s.n - 1] / unit;
  s.mean = total / s.n / unit;
  return s;
}

/* CPU time of @clock (CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID)
 * in µs; 0 where it cannot be read. */
gint64
bench_cpu_time_us (clockid_t clock)
{
  struct timespec ts;

  if (clock_gettime (clock, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}
