/* bench-decode-msgpack.c: MessagePack ticks to JSON text, and a number out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-decode-msgpack [--quick]
 *
 * 1024 ticks of ~100 bytes each (a map of 7: type, symbol, price, qty, ts,
 * side, seq; made here with a few lines of MessagePack writing), read
 * three ways in one process, each for at least a second (--quick: 0.2 s),
 * median of three runs, interleaved:
 *
 *   decode          sonde_decode_msgpack() into a reused GString
 *   decode + path   the same, then sonde_json_path_get_number ($.price)
 *   decode + json-glib  the same text, then json_parser_load_from_data()
 *                   into a reused JsonParser and the "price" member
 *   views, new      what the log's readers (the chart, the filter, rules) do
 *                   under a flood: sonde_record_views_read() of a record not
 *                   seen before (a new seq each time; past 262,144 views the
 *                   oldest go), the view made by sonde_decode_msgpack(), kept,
 *                   then $.price read from it
 *   views, kept     the same records read again: the view is found by seq
 *                   (the 1024 views stay kept), then $.price
 *
 * It prints a table and the targets:
 *
 *   target decode-msgpack-rate: <msg/s> (goal ≥ 1M msg/s decode + path) MET|MISSED
 *   target decode-msgpack-path: <ratio> (goal ≥ 10× decode + json-glib) MET|MISSED
 *
 * Exit status 0, 1 when the readers disagree on a price.
 */
#define G_LOG_DOMAIN "bench-decode-msgpack"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "sonde-decode-msgpack.h"
#include "sonde-json-path.h"
#include "sonde-record-views.h"

#define N_TICKS 1024
#define RATE_GOAL 1e6
#define RATIO_GOAL 10.0

typedef enum {
  WAY_DECODE,
  WAY_PATH,
  WAY_JSON_GLIB,
  WAY_VIEWS_NEW,
  WAY_VIEWS_KEPT,
  N_WAYS
} Way;

static const char *const way_names[N_WAYS] = {
  "decode",
  "decode + SondeJsonPath",
  "decode + json-glib",
  "views, new + SondeJsonPath",
  "views, kept + SondeJsonPath",
};

static const SondeDecodeLimits limits = { 16 * 1024 * 1024, 64, 1024 * 1024 };

/* The session's view function, for MessagePack. */
static SondeRecordViewKind
make_view (const SondeRecord    *record,
           GString              *json,
           char                **error_message,
           SondeRecordViewExtra *extra,
           gpointer              user_data)
{
  if (!sonde_decode_msgpack (record->data, record->stored_size, &limits, json, NULL))
    g_error ("seq %" G_GUINT64_FORMAT " does not decode", record->seq);
  return SONDE_RECORD_VIEW_DECODED;
}

static double
run_views (Way               way,
           GBytes          **ticks,
           SondeJsonPath    *path,
           SondeRecordViews *views,
           double            seconds,
           double           *checksum)
{
  static guint64 next_seq = 1000000;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;

  sonde_record_views_clear (views);
  while (g_get_monotonic_time () < deadline)
    {
      double pass = 0;

      for (guint i = 0; i < N_TICKS; i++)
        {
          SondeRecord record = { 0 };
          SondeRecord scratch;
          const SondeRecord *view;
          double price = 0;

          record.seq = way == WAY_VIEWS_NEW ? next_seq++ : i;
          record.direction = SONDE_DIRECTION_IN;
          record.kind = SONDE_MESSAGE_KIND_BINARY;
          record.data = g_bytes_get_data (ticks[i], &record.stored_size);
          record.size = record.stored_size;
          view = sonde_record_views_read (views, &record, &scratch);
          if (view == NULL || view == &record)
            g_error ("tick %u: no decoded view", i);
          sonde_json_path_get_number (path, (const char *) view->data, view->stored_size, &price);
          pass += price;
        }
      *checksum = pass;
      n += N_TICKS;
    }
  return n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
put_str (GByteArray *out,
         const char *s)
{
  guint8 b = 0xa0 | (guint8) strlen (s);

  g_byte_array_append (out, &b, 1);
  g_byte_array_append (out, (const guint8 *) s, strlen (s));
}

static void
put_be (GByteArray *out,
        guint8      type,
        guint64     v,
        guint       size)
{
  guint8 buf[9];
  guint i;

  buf[0] = type;
  for (i = 0; i < size; i++)
    buf[1 + i] = (guint8) (v >> (8 * (size - 1 - i)));
  g_byte_array_append (out, buf, size + 1);
}

static void
put_double (GByteArray *out,
            double      d)
{
  union { double d; guint64 u; } v = { .d = d };

  put_be (out, 0xcb, v.u, 8);
}

static GBytes *
make_tick (guint i)
{
  GByteArray *out = g_byte_array_new ();
  guint8 map = 0x87;

  g_byte_array_append (out, &map, 1);
  put_str (out, "type");
  put_str (out, "ticker");
  put_str (out, "symbol");
  put_str (out, i % 2 ? "BTC-USD" : "ETH-USD");
  put_str (out, "price");
  /* Prices and quantities as a feed has them: decimals (the doubles
   * nearest to them), not the sums of binary fractions. */
  put_double (out, (2700000 + (i % 1000) * 25 + i % 7) / 100.0);
  put_str (out, "qty");
  put_double (out, (1 + i % 97) / 1000.0);
  put_str (out, "ts");
  put_be (out, 0xcf, G_GUINT64_CONSTANT (1714564800000) + i, 8);
  put_str (out, "side");
  put_str (out, i % 3 ? "buy" : "sell");
  put_str (out, "seq");
  put_be (out, 0xce, 100000 + i, 4);
  return g_byte_array_free_to_bytes (out);
}

static double
run_way (Way            way,
         GBytes       **ticks,
         SondeJsonPath *path,
         JsonParser    *parser,
         double         seconds,
         double        *checksum)
{
  g_autoptr(GString) json = g_string_sized_new (256);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;

  while (g_get_monotonic_time () < deadline)
    {
      double pass = 0;

      for (guint i = 0; i < N_TICKS; i++)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (ticks[i], &len);
          double price = 0;

          g_string_truncate (json, 0);
          if (!sonde_decode_msgpack (data, len, &limits, json, NULL))
            g_error ("tick %u does not decode", i);
          if (way == WAY_PATH)
            sonde_json_path_get_number (path, json->str, json->len, &price);
          else if (way == WAY_JSON_GLIB)
            {
              JsonObject *obj;

              if (!json_parser_load_from_data (parser, json->str, json->len, NULL))
                g_error ("tick %u: not JSON", i);
              obj = json_node_get_object (json_parser_get_root (parser));
              price = json_object_get_double_member (obj, "price");
            }
          pass += price;
        }
      *checksum = pass;   /* one pass's prices: the same for both readers */
      n += N_TICKS;
    }
  return n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  GBytes *ticks[N_TICKS];
  g_autoptr(SondeJsonPath) path = sonde_json_path_new ("$.price", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  SondeRecordViews *views = sonde_record_views_new ();
  double rates[N_WAYS][3], median[N_WAYS], sums[N_WAYS];
  double seconds = argc > 1 && g_str_equal (argv[1], "--quick") ? 0.2 : 1.0;
  gsize total = 0;
  double ratio;

  sonde_record_views_set_func (views, make_view, NULL, NULL);
  for (guint i = 0; i < N_TICKS; i++)
    {
      ticks[i] = make_tick (i);
      total += g_bytes_get_size (ticks[i]);
    }

  for (guint r = 0; r < 3; r++)
    for (guint w = 0; w < N_WAYS; w++)
      rates[w][r] = w >= WAY_VIEWS_NEW ? run_views (w, ticks, path, views, seconds, &sums[w])
                                       : run_way (w, ticks, path, parser, seconds, &sums[w]);

  printf ("ticks: %u, %.1f bytes each (MessagePack)\n\n", N_TICKS, (double) total / N_TICKS);
  printf ("%-26s %14s %12s\n", "way", "msg/s", "ns/msg");
  for (guint w = 0; w < N_WAYS; w++)
    {
      qsort (rates[w], 3, sizeof (double), compare_doubles);
      median[w] = rates[w][1];
      printf ("%-26s %14.0f %12.1f\n", way_names[w], median[w], 1e9 / median[w]);
    }

  if (sums[WAY_PATH] != sums[WAY_JSON_GLIB] || sums[WAY_PATH] != sums[WAY_VIEWS_NEW] ||
      sums[WAY_PATH] != sums[WAY_VIEWS_KEPT] || sums[WAY_PATH] == 0)
    {
      printf ("the readers disagree: %.17g against %.17g, %.17g and %.17g\n", sums[WAY_PATH], sums[WAY_JSON_GLIB],
              sums[WAY_VIEWS_NEW], sums[WAY_VIEWS_KEPT]);
      return 1;
    }
  printf ("\nthe view cache: a new view costs %.0f ns more than decode + path (%.2f× its rate); "
          "a kept one is read at %.2f× its rate\n",
          1e9 / median[WAY_VIEWS_NEW] - 1e9 / median[WAY_PATH], median[WAY_VIEWS_NEW] / median[WAY_PATH],
          median[WAY_VIEWS_KEPT] / median[WAY_PATH]);

  ratio = median[WAY_PATH] / median[WAY_JSON_GLIB];
  printf ("\ntarget decode-msgpack-rate: %.2fM msg/s (goal ≥ 1M msg/s decode + path) %s\n",
          median[WAY_PATH] / 1e6, median[WAY_PATH] >= RATE_GOAL ? "MET" : "MISSED");
  printf ("target decode-msgpack-path: %.1f× (goal ≥ %.0f× decode + json-glib) %s\n",
          ratio, RATIO_GOAL, ratio >= RATIO_GOAL ? "MET" : "MISSED");

  for (guint i = 0; i < N_TICKS; i++)
    g_bytes_unref (ticks[i]);
  sonde_record_views_free (views);
  return 0;
}
