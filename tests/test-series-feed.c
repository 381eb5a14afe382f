/* test-series-feed.c: series filled from a connection's messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SondeConnection to the embedded demo server's /echo (its own thread and
 * main context), so the test decides every message that comes back; the
 * series are read point by point. Where the exact contents of the log
 * matter more than the network (the backfill limit, CSV), records go
 * straight into the log of a connection that never connects.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sonde-connection.h"
#include "sonde-demo-server.h"
#include "sonde-error.h"
#include "sonde-series-feed.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

/* 2025-11-26T01:39:55Z */
#define T0 G_GINT64_CONSTANT (1764121195000000)

typedef struct {
  SondeDemoServer *demo;
  SondeConnection *connection;
  SondeSeriesFeed *feed;
} Fixture;

static void
open_connection (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) != SONDE_CONNECTION_STATE_CONNECTING,
                          WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_OPEN);
}

static void
close_connection (Fixture *fixture)
{
  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
}

/* The demo server on /echo, a connection to it (not yet connected unless
 * @data says so) and a feed of the connection. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->demo = sonde_demo_server_new ();
  g_assert_true (sonde_demo_server_start (fixture->demo, 0, &error));
  g_assert_no_error (error);
  url = sonde_demo_server_dup_url (fixture->demo, "/echo");

  fixture->connection = sonde_connection_new ();
  sonde_connection_set_url (fixture->connection, url);
  fixture->feed = sonde_series_feed_new (fixture->connection);
  if (GPOINTER_TO_INT (data))
    open_connection (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN)
    close_connection (fixture);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_finalize_object (fixture->feed);
  g_assert_finalize_object (fixture->connection);
  sonde_demo_server_stop (fixture->demo);
  g_assert_finalize_object (fixture->demo);
}

static guint64
messages_in (Fixture *fixture)
{
  SondeStats stats;

  sonde_connection_get_stats (fixture->connection, &stats);
  return stats.messages_in;
}

static guint
count_in_records (Fixture *fixture)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_IN)
        n++;
    }
  return n;
}

/* Sends @texts and waits until all of them are back in the log (and so
 * have gone past the feed). */
static void
send_and_wait (Fixture            *fixture,
               const char * const *texts,
               guint               n)
{
  guint before = count_in_records (fixture);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sonde_connection_send_text (fixture->connection, texts[i], -1, &error));
      g_assert_no_error (error);
    }
  SONDE_TEST_ASSERT_WAIT (count_in_records (fixture) == before + n, WAIT_MS);
}

/* The received records' arrival times, in order. */
static GArray *
in_record_times (Fixture *fixture)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_IN)
        g_array_append_val (times, record.wall_us);
    }
  return times;
}

/* The values of @series, gaps as "gap", joined by spaces: "1 3 gap 4". */
static char *
dup_values (SondeSeries *series)
{
  GString *out = g_string_new (NULL);
  double value;

  for (guint i = 0; sonde_series_get_point (series, i, NULL, &value); i++)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, isnan (value) ? "gap" : g_ascii_dtostr (number, sizeof number, value));
    }
  return g_string_free (out, FALSE);
}

static gint64
point_time (SondeSeries *series,
            guint        index)
{
  gint64 time_us = 0;

  g_assert_true (sonde_series_get_point (series, index, &time_us, NULL));
  return time_us;
}

/* Values only from received text messages that match the condition; a
 * value that is not a number, or missing, adds nothing; points are timed
 * by their message's arrival. */
static void
test_values_and_where (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const texts[] = {
    "{\"sym\":\"ABC\",\"price\":1}",              /* 0 */
    "{\"sym\":\"XYZ\",\"price\":2}",              /* 1: not ABC */
    "{\"sym\":\"ABC\",\"price\":3.5}",            /* 2 */
    "{\"sym\":\"ABC\",\"price\":\"high\"}",       /* 3: not a number */
    "{\"sym\":\"ABC\"}",                          /* 4: no price */
    "not json at all",                            /* 5 */
    "{\"sym\":\"ABC\",\"price\":-4e2}",           /* 6 */
    "{\"sym\":\"ABC\",\"price\":1e999}",          /* 7: not finite */
    "[\"ABC\",9]",                                /* 8: no such member */
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = NULL;
  g_autoptr(GBytes) binary = g_bytes_new_static ("{\"price\":7}", 11);
  SondeSeries *abc, *all;
  g_autofree char *abc_values = NULL;
  g_autofree char *all_values = NULL;

  abc = sonde_series_feed_add (fixture->feed, "$.price", "$.sym == \"ABC\"", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (abc);
  all = sonde_series_feed_add (fixture->feed, "$.price", "", NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_nonnull (all);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 2);
  g_assert_cmpuint (sonde_series_get_capacity (abc), ==, SONDE_SERIES_DEFAULT_CAPACITY);
  g_assert_cmpuint (sonde_series_get_capacity (all), ==, 100);
  g_assert_cmpstr (sonde_series_feed_get_path (fixture->feed, abc), ==, "$.price");
  g_assert_cmpstr (sonde_series_feed_get_where (fixture->feed, abc), ==, "$.sym == \"ABC\"");
  g_assert_null (sonde_series_feed_get_time_path (fixture->feed, abc));
  g_assert_null (sonde_series_feed_get_where (fixture->feed, all));

  send_and_wait (fixture, texts, G_N_ELEMENTS (texts));
  /* A binary message with a number in it is not charted. */
  g_assert_true (sonde_connection_send_binary (fixture->connection, binary, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (fixture) == G_N_ELEMENTS (texts) + 1, WAIT_MS);

  /* The echo sent each message out first: outgoing messages are not
   * charted, or every value would be there twice. */
  abc_values = dup_values (abc);
  all_values = dup_values (all);
  g_assert_cmpstr (abc_values, ==, "1 3.5 -400");
  g_assert_cmpstr (all_values, ==, "1 2 3.5 -400");

  /* Timed by arrival: each point has its message's arrival time. */
  times = in_record_times (fixture);
  g_assert_cmpuint (times->len, ==, G_N_ELEMENTS (texts) + 1);
  g_assert_cmpint (point_time (abc, 0), ==, g_array_index (times, gint64, 0));
  g_assert_cmpint (point_time (abc, 1), ==, g_array_index (times, gint64, 2));
  g_assert_cmpint (point_time (abc, 2), ==, g_array_index (times, gint64, 6));
  g_assert_cmpint (point_time (all, 1), ==, g_array_index (times, gint64, 1));
}

/* A time path: seconds, milliseconds and ISO 8601 all give the point's
 * time; a message whose time cannot be read adds nothing. */
static void
test_time_path (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const texts[] = {
    "{\"t\":1764121195,\"v\":1}",                     /* seconds */
    "{\"t\":1764121195500,\"v\":2}",                  /* milliseconds */
    "{\"t\":\"2025-11-26T01:39:56.25Z\",\"v\":3}",    /* ISO 8601 */
    "{\"t\":\"yesterday\",\"v\":4}",                  /* not a time */
    "{\"v\":5}",                                      /* no time */
    "{\"t\":\"2025-11-26T03:39:57+02:00\",\"v\":6}",  /* ISO 8601 with an offset */
  };
  static const gint64 expected[] = {
    T0, T0 + 500000, T0 + 1250000, T0 + 2000000,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *values = NULL;
  SondeSeries *series;

  series = sonde_series_feed_add (fixture->feed, "$.v", NULL, "$.t", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_series_feed_get_time_path (fixture->feed, series), ==, "$.t");

  send_and_wait (fixture, texts, G_N_ELEMENTS (texts));

  values = dup_values (series);
  g_assert_cmpstr (values, ==, "1 2 3 6");
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (point_time (series, i), ==, expected[i]);
}

static gboolean
has_gap (SondeSeries *series)
{
  double value;

  for (guint i = 0; sonde_series_get_point (series, i, NULL, &value); i++)
    if (isnan (value))
      return TRUE;
  return FALSE;
}

/* A connection that stops being open breaks every line: a gap point lies
 * between the values before the close and after the reconnect, and a
 * reduced window starts a new line there. */
static void
test_gap_on_close (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const first[] = { "{\"v\":1}", "{\"v\":2}" };
  static const char * const second[] = { "{\"v\":3}", "{\"v\":4}" };
  g_autoptr(GError) error = NULL;
  g_autofree char *values = NULL;
  g_autofree SondeSeriesColumn *columns = NULL;
  SondeSeries *series;
  gint64 gap_time, start, end;
  guint n_columns = 64;
  guint n, with_points = 0, breaks = 0;

  series = sonde_series_feed_add (fixture->feed, "$.v", NULL, NULL, 0, &error);
  g_assert_no_error (error);

  send_and_wait (fixture, first, G_N_ELEMENTS (first));
  g_assert_false (has_gap (series));

  close_connection (fixture);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 3);
  values = dup_values (series);
  g_assert_cmpstr (values, ==, "1 2 gap");
  g_clear_pointer (&values, g_free);

  /* The same connection again. */
  open_connection (fixture);
  send_and_wait (fixture, second, G_N_ELEMENTS (second));

  values = dup_values (series);
  g_assert_cmpstr (values, ==, "1 2 gap 3 4");
  gap_time = point_time (series, 2);
  g_assert_cmpint (point_time (series, 1), <=, gap_time);
  g_assert_cmpint (gap_time, <=, point_time (series, 3));

  /* Closing again adds exactly one gap more, whatever states it passes. */
  close_connection (fixture);
  g_clear_pointer (&values, g_free);
  values = dup_values (series);
  g_assert_cmpstr (values, ==, "1 2 gap 3 4 gap");

  /* Reduced to columns: the line through 1 and 2 does not join 3; from 3
   * to 4 it is continuous. */
  g_assert_true (sonde_series_get_time_range (series, &start, &end));
  columns = g_new0 (SondeSeriesColumn, n_columns);
  n = sonde_series_reduce (series, start, end + 1, n_columns, columns);
  g_assert_cmpuint (n, ==, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      if (columns[i].n_points == 0)
        continue;
      with_points++;
      if (columns[i].first == 1)
        g_assert_false (columns[i].gap_before);
      if (columns[i].first == 3)
        {
          g_assert_true (columns[i].gap_before);
          breaks++;
        }
      if (columns[i].first == 4)
        g_assert_false (columns[i].gap_before);
      if (columns[i].min <= 2 && columns[i].max >= 3)
        {
          g_assert_true (columns[i].gap_inside);
          breaks++;
        }
    }
  g_assert_cmpuint (with_points, >=, 1);
  g_assert_cmpuint (breaks, ==, 1);
}

/* A series added late reads back what is already in the log (received
 * text only, matching its condition), then goes on with new messages. */
static void
test_backfill (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const before[] = {
    "{\"k\":\"a\",\"v\":10}", "{\"k\":\"b\",\"v\":20}", "{\"k\":\"a\",\"v\":30}",
  };
  static const char * const after[] = { "{\"k\":\"a\",\"v\":40}", "{\"k\":\"b\",\"v\":50}" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = NULL;
  g_autofree char *values = NULL;
  SondeSeries *series;

  send_and_wait (fixture, before, G_N_ELEMENTS (before));

  series = sonde_series_feed_add (fixture->feed, "$.v", "$.k == \"a\"", NULL, 0, &error);
  g_assert_no_error (error);
  values = dup_values (series);
  g_assert_cmpstr (values, ==, "10 30");
  times = in_record_times (fixture);
  g_assert_cmpint (point_time (series, 0), ==, g_array_index (times, gint64, 0));
  g_assert_cmpint (point_time (series, 1), ==, g_array_index (times, gint64, 2));

  send_and_wait (fixture, after, G_N_ELEMENTS (after));
  g_clear_pointer (&values, g_free);
  values = dup_values (series);
  g_assert_cmpstr (values, ==, "10 30 40");
}

/* Backfill reads at most the newest SONDE_SERIES_FEED_BACKFILL records. */
static void
test_backfill_limit (Fixture       *fixture,
                     gconstpointer  data)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  guint extra = 25;
  guint n = SONDE_SERIES_FEED_BACKFILL + extra;
  g_autoptr(GError) error = NULL;
  SondeSeries *series;
  double value;
  gint64 time_us;

  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    {
      char text[32];
      int length = g_snprintf (text, sizeof text, "{\"i\":%u}", i);

      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                T0 + i, g_get_monotonic_time (), text, (gsize) length);
    }
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, n);

  series = sonde_series_feed_add (fixture->feed, "$.i", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, SONDE_SERIES_FEED_BACKFILL);
  g_assert_true (sonde_series_get_point (series, 0, &time_us, &value));
  g_assert_cmpfloat (value, ==, extra);
  g_assert_cmpint (time_us, ==, T0 + extra);
  g_assert_true (sonde_series_get_point (series, SONDE_SERIES_FEED_BACKFILL - 1, &time_us, &value));
  g_assert_cmpfloat (value, ==, n - 1);

  /* Records appended to the log later go on arriving. */
  sonde_message_log_begin_batch (log);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                            T0 + n, g_get_monotonic_time (), "{\"i\":-1}", 8);
  sonde_message_log_append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT,
                            T0 + n, g_get_monotonic_time (), "{\"i\":-2}", 8);
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, SONDE_SERIES_FEED_BACKFILL + 1);
  g_assert_true (sonde_series_get_point (series, SONDE_SERIES_FEED_BACKFILL, NULL, &value));
  g_assert_cmpfloat (value, ==, -1);
}

static char *
join_paths (GPtrArray *paths)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < paths->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", (char *) g_ptr_array_index (paths, i));
  return g_string_free (out, FALSE);
}

/* The numeric fields of the newest received text message, for
 * completion; a binary message or one sent does not change them. */
static void
test_recent_paths (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const first[] = { "{\"a\":1,\"b\":{\"c\":2.5,\"d\":\"x\"},\"e\":[3,4]}" };
  static const char * const second[] = { "{\"price\":101.25,\"sym\":\"ABC\",\"vol\":7}" };
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GBytes) binary = g_bytes_new_static ("{\"z\":1}", 7);
  g_autofree char *joined = NULL;

  paths = sonde_series_feed_dup_recent_paths (fixture->feed, 100);
  g_assert_cmpuint (paths->len, ==, 0);
  g_clear_pointer (&paths, g_ptr_array_unref);

  send_and_wait (fixture, first, 1);
  paths = sonde_series_feed_dup_recent_paths (fixture->feed, 100);
  joined = join_paths (paths);
  g_assert_cmpstr (joined, ==, "$.a $.b.c $.e[0] $.e[1]");
  g_clear_pointer (&paths, g_ptr_array_unref);
  g_clear_pointer (&joined, g_free);

  paths = sonde_series_feed_dup_recent_paths (fixture->feed, 2);
  joined = join_paths (paths);
  g_assert_cmpstr (joined, ==, "$.a $.b.c");
  g_clear_pointer (&paths, g_ptr_array_unref);
  g_clear_pointer (&joined, g_free);

  send_and_wait (fixture, second, 1);
  g_assert_true (sonde_connection_send_binary (fixture->connection, binary, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (fixture) == 3, WAIT_MS);
  paths = sonde_series_feed_dup_recent_paths (fixture->feed, 100);
  joined = join_paths (paths);
  g_assert_cmpstr (joined, ==, "$.price $.vol");
}

/* A path, condition or time path that does not parse is refused with the
 * reason, and adds nothing. */
static void
test_add_errors (Fixture       *fixture,
                 gconstpointer  data)
{
  static const struct {
    const char *path;
    const char *where;
    const char *time_path;
  } cases[] = {
    { "price", NULL, NULL },
    { "$.", NULL, NULL },
    { "$.price", "$.sym ==", NULL },
    { "$.price", "$.sym = \"ABC\"", NULL },
    { "$.price", NULL, "$[" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (sonde_series_feed_add (fixture->feed, cases[i].path, cases[i].where,
                                            cases[i].time_path, 0, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, !=, "");
      g_test_message ("%s / %s / %s: %s", cases[i].path, cases[i].where, cases[i].time_path, error->message);
    }
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 0);
}

/* Removing a series stops its feed; the others go on. */
static void
test_remove (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const first[] = { "{\"a\":1,\"b\":2}" };
  static const char * const second[] = { "{\"a\":3,\"b\":4}" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeSeries) kept_ref = NULL;
  g_autoptr(SondeSeries) stranger = sonde_series_new (4);
  SondeSeries *a, *b;
  g_autofree char *a_values = NULL;
  g_autofree char *b_values = NULL;

  a = sonde_series_feed_add (fixture->feed, "$.a", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  b = sonde_series_feed_add (fixture->feed, "$.b", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  send_and_wait (fixture, first, 1);

  /* The test keeps a reference to look at it after the feed lets go. */
  kept_ref = g_object_ref (a);
  g_assert_true (sonde_series_feed_remove (fixture->feed, a));
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 1);
  g_assert_null (sonde_series_feed_get_path (fixture->feed, a));
  g_assert_false (sonde_series_feed_remove (fixture->feed, a));
  g_assert_false (sonde_series_feed_remove (fixture->feed, stranger));
  g_assert_cmpstr (sonde_series_feed_get_path (fixture->feed, b), ==, "$.b");

  send_and_wait (fixture, second, 1);
  a_values = dup_values (kept_ref);
  b_values = dup_values (b);
  g_assert_cmpstr (a_values, ==, "1");
  g_assert_cmpstr (b_values, ==, "2 4");

  /* The feed held the only other reference. */
  g_assert_true (sonde_series_feed_remove (fixture->feed, b));
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&kept_ref));
}

static void
append_record (SondeConnection  *connection,
               SondeDirection    direction,
               SondeMessageKind  kind,
               const char       *text)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  static gint64 t = T0;

  t += G_USEC_PER_SEC;
  sonde_message_log_append (log, direction, kind, t, t, text, strlen (text));
}

/* A latency series takes the round trips of the latency events, and only
 * those; a message series never takes them; a latency series added late
 * reads back the events already logged, and says where it reads from. */
static void
test_latency (Fixture       *fixture,
              gconstpointer  data)
{
  SondeSeries *latency = sonde_series_feed_add_latency (fixture->feed, 0);
  SondeSeries *messages = sonde_series_feed_add (fixture->feed, "$.rtt_ms", NULL, NULL, 0, NULL);
  SondeSeries *late;
  g_autofree char *latency_values = NULL;
  g_autofree char *message_values = NULL;
  g_autofree char *late_values = NULL;

  g_assert_nonnull (latency);
  g_assert_nonnull (messages);
  g_assert_cmpint (sonde_series_feed_get_source (fixture->feed, latency), ==, SONDE_SERIES_SOURCE_LATENCY);
  g_assert_cmpint (sonde_series_feed_get_source (fixture->feed, messages), ==, SONDE_SERIES_SOURCE_MESSAGES);
  g_assert_cmpstr (sonde_series_feed_get_path (fixture->feed, latency), ==, SONDE_SERIES_LATENCY_PATH);

  append_record (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_LATENCY,
                 "{\"rtt_ms\":12.5,\"probe\":\"a\"}");
  append_record (fixture->connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"rtt_ms\":99}");
  append_record (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "{\"rtt_ms\":98}");
  append_record (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_GAP, "{\"rtt_ms\":97}");
  append_record (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_LATENCY,
                 "{\"rtt_ms\":7,\"probe\":\"b\"}");

  latency_values = dup_values (latency);
  message_values = dup_values (messages);
  g_assert_cmpstr (latency_values, ==, "12.5 7");
  g_assert_cmpstr (message_values, ==, "99");

  late = sonde_series_feed_add_latency (fixture->feed, 0);
  late_values = dup_values (late);
  g_assert_cmpstr (late_values, ==, "12.5 7");
}

static void
count_added (SondeSeriesSplit *split,
             guint             index,
             guint            *n_added)
{
  g_assert_cmpuint (index, ==, *n_added);
  (*n_added)++;
}

/* Split by $.sym: one series per value, in order of first appearance,
 * with only that value's points; a string with escapes, a number and a
 * boolean are values too; a message without the field or the number is
 * left out. Past SONDE_SERIES_SPLIT_MAX values, messages are counted as
 * other (and their distinct values). The values of a backfill make their
 * series at once; a gap breaks every line. */
static void
test_split (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const texts[] = {
    "{\"sym\":\"QQQ\",\"price\":1}",
    "{\"sym\":\"SPY\",\"price\":2}",
    "{\"sym\":\"QQQ\",\"price\":3}",
    "{\"sym\":\"Q\\u0051Q\",\"price\":4}",   /* "QQQ" with an escape */
    "{\"sym\":7,\"price\":5}",
    "{\"sym\":true,\"price\":6}",
    "{\"price\":7}",                            /* no split value */
    "{\"sym\":\"SPY\"}",                        /* no number */
    "{\"sym\":null,\"price\":8}",               /* not a value that names */
  };
  static const char * const more[] = {
    "{\"sym\":\"A\",\"price\":10}", "{\"sym\":\"B\",\"price\":11}", "{\"sym\":\"C\",\"price\":12}",
    "{\"sym\":\"D\",\"price\":13}", "{\"sym\":\"E\",\"price\":14}", "{\"sym\":\"F\",\"price\":15}",
    "{\"sym\":\"F\",\"price\":16}", "{\"sym\":\"G\",\"price\":17}", "{\"sym\":\"QQQ\",\"price\":18}",
  };
  g_autoptr(GError) error = NULL;
  SondeSeriesSplit *split, *late;
  guint n_added = 0;
  g_autofree char *qqq = NULL;
  g_autofree char *spy = NULL;

  g_assert_null (sonde_series_feed_add_split (fixture->feed, "$.price", NULL, "$.sym[", NULL, 0, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
  g_clear_error (&error);

  split = sonde_series_feed_add_split (fixture->feed, "$.price", "$.price > 0", "$.sym", NULL, 0, &error);
  g_assert_no_error (error);
  g_signal_connect (split, "series-added", G_CALLBACK (count_added), &n_added);

  send_and_wait (fixture, texts, G_N_ELEMENTS (texts));
  g_assert_cmpuint (n_added, ==, 4);
  g_assert_cmpuint (sonde_series_split_get_n_series (split), ==, 4);
  g_assert_cmpstr (sonde_series_split_get_key (split, 0), ==, "QQQ");
  g_assert_cmpstr (sonde_series_split_get_key (split, 1), ==, "SPY");
  g_assert_cmpstr (sonde_series_split_get_key (split, 2), ==, "7");
  g_assert_cmpstr (sonde_series_split_get_key (split, 3), ==, "true");
  qqq = dup_values (sonde_series_split_get_series (split, 0));
  spy = dup_values (sonde_series_split_get_series (split, 1));
  g_assert_cmpstr (qqq, ==, "1 3 4");
  g_assert_cmpstr (spy, ==, "2");
  g_assert_cmpuint (sonde_series_split_get_n_other_messages (split), ==, 0);

  /* Four more values fit (8 in all), the rest is other. */
  send_and_wait (fixture, more, G_N_ELEMENTS (more));
  g_assert_cmpuint (sonde_series_split_get_n_series (split), ==, SONDE_SERIES_SPLIT_MAX);
  g_assert_cmpuint (n_added, ==, SONDE_SERIES_SPLIT_MAX);
  g_assert_cmpstr (sonde_series_split_get_key (split, 7), ==, "D");
  g_assert_cmpuint (sonde_series_split_get_n_other_messages (split), ==, 4);   /* E, F, F, G */
  g_assert_cmpuint (sonde_series_split_get_n_other_keys (split), ==, 3);
  g_clear_pointer (&qqq, g_free);
  qqq = dup_values (sonde_series_split_get_series (split, 0));
  g_assert_cmpstr (qqq, ==, "1 3 4 18");

  /* Added late, it reads back what is in the log. */
  late = sonde_series_feed_add_split (fixture->feed, "$.price", NULL, "$.sym", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_series_split_get_n_series (late), ==, SONDE_SERIES_SPLIT_MAX);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 2);

  /* Closing breaks every line. */
  close_connection (fixture);
  g_clear_pointer (&spy, g_free);
  spy = dup_values (sonde_series_split_get_series (split, 1));
  g_assert_cmpstr (spy, ==, "2 gap");

  g_assert_true (sonde_series_feed_remove_split (fixture->feed, late));
  g_assert_false (sonde_series_feed_remove_split (fixture->feed, late));
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

#define ADD(path, open, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (open), fixture_setup, func, fixture_teardown)
  ADD ("/series-feed/values-and-where", TRUE, test_values_and_where);
  ADD ("/series-feed/time-path", TRUE, test_time_path);
  ADD ("/series-feed/gap-on-close", TRUE, test_gap_on_close);
  ADD ("/series-feed/backfill", TRUE, test_backfill);
  ADD ("/series-feed/backfill-limit", FALSE, test_backfill_limit);
  ADD ("/series-feed/recent-paths", TRUE, test_recent_paths);
  ADD ("/series-feed/add-errors", FALSE, test_add_errors);
  ADD ("/series-feed/remove", TRUE, test_remove);
  ADD ("/series-feed/latency", FALSE, test_latency);
  ADD ("/series-feed/split", TRUE, test_split);
#undef ADD

  return g_test_run ();
}
