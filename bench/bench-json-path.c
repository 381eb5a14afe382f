/* bench-json-path.c: reading one number out of JSON messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-json-path [--quick] [--repeat N] [--seconds S]
 *
 * The same messages and the same path ($.price), read three ways in one
 * process:
 *
 *   json-glib walk    json_parser_load_from_data() into one reused JsonParser,
 *                     then json_object_get_member() from the root: the cheapest
 *                     way json-glib has
 *   json-glib JsonPath  the same parse, then json_path_match() with the path
 *                     compiled once
 *   SondeJsonPath     sonde_json_path_get_number() on the bytes
 *
 * Scenarios: ~100-byte ticks like the demo feed's, and 64 KiB order-book
 * snapshots with "price" early (the second member), in the middle (between
 * the bids and the asks) and at the end (the last member). Every figure is
 * the median of --repeat timed runs of at least --seconds each, the three
 * readers interleaved. It prints a table and one line per target of
 * docs/DESIGN.md:
 *
 *   target json-path-small: <measured> (goal ≥ 5× json-glib) MET|MISSED
 *   target json-path-large: <measured> (goal ≥ 50× json-glib) MET|MISSED
 *
 * Each ratio is against json-glib's cheaper way (the walk). The large target
 * is judged on the slowest of the three positions: with the last of
 * duplicate keys winning, the scanner reads every object on the path to its
 * end, so the position of the member changes little. Exit status 0, 1 when
 * the readers disagree on a value, 2 on bad usage.
 */

#define G_LOG_DOMAIN "bench-json-path"

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sonde-json-path.h"

#define N_SMALL 1024
#define N_LARGE 16
#define LARGE_SIZE (64 * 1024)
#define SMALL_GOAL 5.0
#define LARGE_GOAL 50.0

typedef enum {
  READER_JSON_GLIB,
  READER_JSON_GLIB_PATH,
  READER_SONDE,
  N_READERS
} Reader;

static const char *const reader_names[N_READERS] = {
  "json-glib walk",
  "json-glib JsonPath",
  "SondeJsonPath",
};

typedef struct {
  const char *name;
  GPtrArray  *messages;     /* GString */
  gsize       bytes;        /* in all messages */
  double      rates[N_READERS];     /* messages per second, median */
  double      spreads[N_READERS];   /* largest distance from the median, relative */
} Scenario;

typedef struct {
  JsonParser    *parser;
  JsonPath      *json_path;
  SondeJsonPath *sonde_path;
} Readers;

static double
number_of (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  return json_node_get_double (node);
}

/* Reads $.price from @message with @reader; NAN when it is not there. */
static double
read_price (Readers *readers,
            Reader   reader,
            GString *message)
{
  double price = NAN;

  switch (reader)
    {
    case READER_JSON_GLIB:
      if (json_parser_load_from_data (readers->parser, message->str, (gssize) message->len, NULL))
        {
          JsonNode *root = json_parser_get_root (readers->parser);

          if (JSON_NODE_HOLDS_OBJECT (root))
            price = number_of (json_object_get_member (json_node_get_object (root), "price"));
        }
      break;

    case READER_JSON_GLIB_PATH:
      if (json_parser_load_from_data (readers->parser, message->str, (gssize) message->len, NULL))
        {
          JsonNode *matches = json_path_match (readers->json_path, json_parser_get_root (readers->parser));
          JsonArray *array = json_node_get_array (matches);

          if (json_array_get_length (array) > 0)
            price = number_of (json_array_get_element (array, 0));
          json_node_unref (matches);
        }
      break;

    case READER_SONDE:
      if (!sonde_json_path_get_number (readers->sonde_path, message->str, message->len, &price))
        price = NAN;
      break;

    case N_READERS:
    default:
      g_assert_not_reached ();
    }

  return price;
}

/* One timed run: whole passes over the messages for at least @seconds. */
static double
run_once (Readers  *readers,
          Reader    reader,
          Scenario *scenario,
          double    seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 count = 0;
  double sum = 0;
  gint64 now;

  do
    {
      for (guint i = 0; i < scenario->messages->len; i++)
        sum += read_price (readers, reader, g_ptr_array_index (scenario->messages, i));
      count += scenario->messages->len;
      now = g_get_monotonic_time ();
    }
  while (now < deadline);

  /* Keeps the reads from being optimised away. */
  if (isnan (sum))
    g_printerr ("bench-json-path: a message without a price\n");
  return (double) count / ((double) (now - start) / G_USEC_PER_SEC);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static gboolean
measure (Readers  *readers,
         Scenario *scenario,
         guint     repeat,
         double    seconds)
{
  g_autofree double *rates = g_new (double, (gsize) repeat * N_READERS);
  gboolean agree = TRUE;

  /* The three must read the same values. */
  for (guint i = 0; i < scenario->messages->len; i++)
    {
      GString *message = g_ptr_array_index (scenario->messages, i);
      double expected = read_price (readers, READER_JSON_GLIB, message);

      for (Reader r = 1; r < N_READERS; r++)
        {
          double price = read_price (readers, r, message);

          if (price != expected)
            {
              g_printerr ("bench-json-path: %s, message %u: %s read %.17g, %s %.17g\n", scenario->name, i,
                          reader_names[r], price, reader_names[READER_JSON_GLIB], expected);
              agree = FALSE;
            }
        }
    }

  /* Warm up. */
  for (Reader r = 0; r < N_READERS; r++)
    run_once (readers, r, scenario, seconds / 10);

  for (guint i = 0; i < repeat; i++)
    for (Reader r = 0; r < N_READERS; r++)
      rates[r * repeat + i] = run_once (readers, r, scenario, seconds);

  for (Reader r = 0; r < N_READERS; r++)
    {
      double *mine = rates + r * repeat;
      double median;

      qsort (mine, repeat, sizeof (double), compare_doubles);
      median = repeat % 2 ? mine[repeat / 2] : (mine[repeat / 2 - 1] + mine[repeat / 2]) / 2;
      scenario->rates[r] = median;
      scenario->spreads[r] = MAX (mine[repeat - 1] - median, median - mine[0]) / median;
    }

  return agree;
}

/* ---- messages ----------------------------------------------------------- */

static const char *const symbols[] = { "ABC", "XYZ", "QRS", "LMNO" };

static void
string_free (gpointer data)
{
  g_string_free (data, TRUE);
}

static Scenario *
scenario_new (const char *name)
{
  Scenario *scenario = g_new0 (Scenario, 1);

  scenario->name = name;
  scenario->messages = g_ptr_array_new_with_free_func (string_free);
  return scenario;
}

static void
scenario_free (Scenario *scenario)
{
  g_ptr_array_unref (scenario->messages);
  g_free (scenario);
}

static void
scenario_add (Scenario *scenario,
              GString  *message)
{
  scenario->bytes += message->len;
  g_ptr_array_add (scenario->messages, message);
}

static void
append_price (GString *out,
              GRand   *rand)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, "\"price\":");
  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.2f",
                                         g_rand_double_range (rand, 90, 110)));
}

/* {"type":"tick","sym":"ABC","price":101.25,"volume":123,"ts":…,"seq":…}:
 * what the demo feed sends. */
static Scenario *
make_small (GRand *rand)
{
  Scenario *scenario = scenario_new ("small, ~100 B ticks");

  for (guint i = 0; i < N_SMALL; i++)
    {
      GString *out = g_string_new ("{\"type\":\"tick\",\"sym\":\"");

      g_string_append (out, symbols[i % G_N_ELEMENTS (symbols)]);
      g_string_append (out, "\",");
      append_price (out, rand);
      g_string_append_printf (out, ",\"volume\":%d,\"ts\":%" G_GINT64_FORMAT ",\"seq\":%u,\"venue\":\"XNAS\"}",
                              g_rand_int_range (rand, 1, 500),
                              G_GINT64_CONSTANT (1764121195000) + i * 37, i);
      scenario_add (scenario, out);
    }

  return scenario;
}

typedef enum {
  PRICE_EARLY,
  PRICE_MIDDLE,
  PRICE_END,
} Position;

static void
append_levels (GString *out,
               GRand   *rand,
               gsize    until)
{
  double level = 101.0;

  g_string_append_c (out, '[');
  while (out->len < until)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      level += g_rand_double_range (rand, -0.05, 0.05);
      g_string_append_printf (out, "[%s,%d],", g_ascii_formatd (buffer, sizeof buffer, "%.2f", level),
                              g_rand_int_range (rand, 1, 5000));
    }
  g_string_truncate (out, out->len - 1);
  g_string_append_c (out, ']');
}

static void
append_trades (GString *out,
               GRand   *rand,
               gsize    until)
{
  static const char *const sides[] = { "buy", "sell" };

  g_string_append_c (out, '[');
  while (out->len < until)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (out, "{\"id\":%u,\"px\":%s,\"qty\":%d,\"side\":\"%s\",\"venue\":\"XNAS\","
                              "\"note\":\"crossed at the \\\"open\\\"\"},",
                              g_rand_int (rand),
                              g_ascii_formatd (buffer, sizeof buffer, "%.2f", g_rand_double_range (rand, 90, 110)),
                              g_rand_int_range (rand, 1, 900), sides[g_rand_int_range (rand, 0, 2)]);
    }
  g_string_truncate (out, out->len - 1);
  g_string_append_c (out, ']');
}

/* An order-book snapshot of about 64 KiB: bids, asks (number arrays) and
 * trades (objects with strings), "price" at @position. */
static Scenario *
make_large (GRand      *rand,
            Position    position,
            const char *name)
{
  Scenario *scenario = scenario_new (name);

  for (guint i = 0; i < N_LARGE; i++)
    {
      GString *out = g_string_sized_new (LARGE_SIZE + 256);

      g_string_append_printf (out, "{\"type\":\"book\",");
      if (position == PRICE_EARLY)
        {
          append_price (out, rand);
          g_string_append_c (out, ',');
        }
      g_string_append_printf (out, "\"sym\":\"%s\",\"seq\":%u,\"bids\":", symbols[i % G_N_ELEMENTS (symbols)], i);
      append_levels (out, rand, LARGE_SIZE * 3 / 10);
      g_string_append_c (out, ',');
      if (position == PRICE_MIDDLE)
        {
          append_price (out, rand);
          g_string_append_c (out, ',');
        }
      g_string_append (out, "\"asks\":");
      append_levels (out, rand, LARGE_SIZE * 6 / 10);
      g_string_append (out, ",\"trades\":");
      append_trades (out, rand, LARGE_SIZE - 40);
      if (position == PRICE_END)
        {
          g_string_append_c (out, ',');
          append_price (out, rand);
        }
      g_string_append_c (out, '}');
      scenario_add (scenario, out);
    }

  return scenario;
}

/* ---- the table ---------------------------------------------------------- */

static void
print_table (Scenario **scenarios,
             guint      n_scenarios)
{
  printf ("%-26s %-20s %14s %10s %10s %7s\n", "scenario", "reader", "msgs/s", "MB/s", "× walk", "spread");
  printf ("%-26s %-20s %14s %10s %10s %7s\n", "--------------------------", "--------------------",
           "--------------", "----------", "----------", "-------");

  for (guint s = 0; s < n_scenarios; s++)
    {
      Scenario *scenario = scenarios[s];
      double size = (double) scenario->bytes / scenario->messages->len;

      for (Reader r = 0; r < N_READERS; r++)
        {
          double rate = scenario->rates[r];

          printf ("%-26s %-20s %14.0f %10.1f %9.1f× %6.0f%%\n", r == 0 ? scenario->name : "",
                   reader_names[r], rate, rate * size / 1e6, rate / scenario->rates[READER_JSON_GLIB],
                   scenario->spreads[r] * 100);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— SondeJsonPath against json-glib");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261126);
  gboolean quick = FALSE;
  int repeat = 0;
  double seconds = 0;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A smoke run: short timings, one run each", NULL },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Timed runs per reader and scenario (default 5)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of one timed run (default 0.5)", "S" },
    { NULL },
  };
  Readers readers = { 0 };
  Scenario *scenarios[4];
  double small_ratio;
  double large_ratio = G_MAXDOUBLE;
  const char *slowest = NULL;
  gboolean agree = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-json-path: %s\n", error->message);
      return 2;
    }
  if (repeat <= 0)
    repeat = quick ? 1 : 5;
  if (seconds <= 0)
    seconds = quick ? 0.1 : 0.5;

  readers.parser = json_parser_new ();
  readers.json_path = json_path_new ();
  if (!json_path_compile (readers.json_path, "$.price", &error))
    g_error ("JsonPath: %s", error->message);
  readers.sonde_path = sonde_json_path_new ("$.price", &error);
  g_assert_no_error (error);

  scenarios[0] = make_small (rand);
  scenarios[1] = make_large (rand, PRICE_EARLY, "64 KiB, price early");
  scenarios[2] = make_large (rand, PRICE_MIDDLE, "64 KiB, price in the middle");
  scenarios[3] = make_large (rand, PRICE_END, "64 KiB, price at the end");

  printf ("JSON path extraction%s: $.price, median of %d run%s of %.1f s; %u small messages of %.0f B "
           "on average, %u large of %.0f B\n\n",
           quick ? " (--quick)" : "", repeat, repeat == 1 ? "" : "s", seconds,
           scenarios[0]->messages->len, (double) scenarios[0]->bytes / scenarios[0]->messages->len,
           scenarios[1]->messages->len, (double) scenarios[1]->bytes / scenarios[1]->messages->len);

  for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
    agree &= measure (&readers, scenarios[s], (guint) repeat, seconds);

  print_table (scenarios, G_N_ELEMENTS (scenarios));

  small_ratio = scenarios[0]->rates[READER_SONDE] / scenarios[0]->rates[READER_JSON_GLIB];
  for (guint s = 1; s < G_N_ELEMENTS (scenarios); s++)
    {
      double ratio = scenarios[s]->rates[READER_SONDE] / scenarios[s]->rates[READER_JSON_GLIB];

      if (ratio < large_ratio)
        {
          large_ratio = ratio;
          slowest = scenarios[s]->name;
        }
    }

  printf ("\n");
  printf ("target json-path-small: %.1f× json-glib (%.0f vs %.0f msgs/s) (goal ≥ %.0f× json-glib) %s\n",
           small_ratio, scenarios[0]->rates[READER_SONDE], scenarios[0]->rates[READER_JSON_GLIB],
           SMALL_GOAL, small_ratio >= SMALL_GOAL ? "MET" : "MISSED");
  printf ("target json-path-large: %.1f× json-glib at the slowest position (%s; early %.1f×, middle %.1f×, "
           "end %.1f×) (goal ≥ %.0f× json-glib) %s\n",
           large_ratio, slowest,
           scenarios[1]->rates[READER_SONDE] / scenarios[1]->rates[READER_JSON_GLIB],
           scenarios[2]->rates[READER_SONDE] / scenarios[2]->rates[READER_JSON_GLIB],
           scenarios[3]->rates[READER_SONDE] / scenarios[3]->rates[READER_JSON_GLIB],
           LARGE_GOAL, large_ratio >= LARGE_GOAL ? "MET" : "MISSED");

  for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
    scenario_free (scenarios[s]);
  g_object_unref (readers.parser);
  g_object_unref (readers.json_path);
  sonde_json_path_unref (readers.sonde_path);

  return agree ? 0 : 1;
}
