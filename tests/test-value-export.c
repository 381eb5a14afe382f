/* test-value-export.c: SondeValueExport, a profile's exported chart series
 * as sonde_value gauges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session of a profile whose layout marks series for export, never
 * connected: the test appends records to its connection's log as the
 * connection would, updates, and reads the gauges back from the registry.
 */

#include "config.h"

#include <string.h>

#include "sonde-metrics.h"
#include "sonde-session.h"
#include "sonde-test-util.h"
#include "sonde-value-export.h"

static const char * const value_labels[] = { "profile", "series", NULL };

typedef struct {
  SondeMetrics *metrics;
  guint         family;
  SondeSession *session;
} Fixture;

static void
fixture_init (Fixture    *f,
              const char *layout)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1:9/feed");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (layout, &error);

  g_assert_no_error (error);
  sonde_profile_set_name (profile, "Ticker");
  sonde_profile_set_charts (profile, node);
  f->metrics = sonde_metrics_new (SONDE_METRICS_DEFAULT_MAX_SERIES);
  f->family = sonde_metrics_add_family (f->metrics, "sonde_value", SONDE_METRIC_GAUGE, "Latest values",
                                        value_labels, NULL, 0);
  f->session = sonde_session_new_for_profile (profile);
}

static void
fixture_clear (Fixture *f)
{
  g_assert_finalize_object (g_steal_pointer (&f->session));
  sonde_metrics_unref (f->metrics);
}

static void
receive (Fixture          *f,
         SondeDirection    direction,
         SondeMessageKind  kind,
         const char       *text)
{
  SondeMessageLog *log = sonde_connection_get_log (sonde_session_get_connection (f->session));

  sonde_message_log_append (log, direction, kind, g_get_real_time (), g_get_monotonic_time (), text, strlen (text));
}

static gboolean
value_of (Fixture    *f,
          const char *series,
          double     *value)
{
  const char *labels[] = { "Ticker", series };

  return sonde_metrics_get_value (f->metrics, f->family, labels, value);
}

static void
assert_value (Fixture    *f,
              const char *series,
              double      expected)
{
  double value = 0;

  g_test_message ("%s", series);
  g_assert_true (value_of (f, series, &value));
  g_assert_cmpfloat_with_epsilon (value, expected, 1e-9);
}

/* Only the marked series, each once, with its latest value; a split line
 * per value (cut when long, none past the split's bound); the latency
 * probe's in seconds; what changed nothing is not written again. */
static void
test_lines (void)
{
  Fixture f = { 0 };
  g_autoptr(SondeValueExport) values = NULL;
  g_autofree char *long_key = g_strnfill (100, 'x');
  g_autofree char *long_label = NULL;
  g_autofree char *cut_label = NULL;
  double value;

  fixture_init (&f, "{\"charts\":[{\"series\":["
                    "{\"path\":\"$.price\",\"export\":true},"
                    "{\"path\":\"$.seq\"},"
                    "{\"path\":\"$.price\",\"split\":\"$.sym\",\"export\":true},"
                    "{\"source\":\"latency\",\"path\":\"$.rtt_ms\",\"export\":true}]},"
                    "{\"series\":[{\"path\":\"$.price\",\"export\":true}]}],"
                    "\"tiles\":[{\"path\":\"$.volume\",\"where\":\"$.volume > 0\",\"export\":true}]}");
  values = sonde_value_export_new (f.metrics, f.family, "Ticker", f.session);
  g_assert_nonnull (values);
  /* $.price (once), rtt_seconds, $.volume; the split's come with values. */
  g_assert_cmpuint (sonde_value_export_get_n_lines (values), ==, 3);
  g_assert_cmpuint (sonde_series_feed_get_n_series (sonde_session_get_feed (f.session)), ==, 4);

  /* Nothing read yet: no gauge at all (0 would be a value). */
  sonde_value_export_update (values);
  g_assert_false (value_of (&f, "$.price", &value));
  g_assert_cmpuint (sonde_metrics_get_n_series (f.metrics), ==, 0);

  receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\":\"A\",\"price\":1.5,\"volume\":5,\"seq\":1}");
  receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\":\"B\",\"price\":2,\"volume\":0,\"seq\":2}");
  receive (&f, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "{\"sym\":\"B\",\"price\":99}");
  receive (&f, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_LATENCY, "{\"rtt_ms\":12.5}");
  sonde_value_export_update (values);
  assert_value (&f, "$.price", 2);
  assert_value (&f, "$.price by $.sym=A", 1.5);
  assert_value (&f, "$.price by $.sym=B", 2);
  assert_value (&f, "rtt_seconds", 0.0125);
  assert_value (&f, "$.volume  ($.volume > 0)", 5);
  g_assert_false (value_of (&f, "$.seq", &value));
  g_assert_cmpuint (sonde_value_export_get_n_lines (values), ==, 5);
  g_assert_cmpuint (sonde_metrics_get_n_series (f.metrics), ==, 5);

  /* A line whose series did not move is not written: set behind its back,
   * it stays. */
  {
    const char *labels[] = { "Ticker", "rtt_seconds" };

    sonde_metrics_gauge_set (f.metrics, f.family, labels, -1);
    receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\":\"A\",\"price\":3}");
    sonde_value_export_update (values);
    assert_value (&f, "rtt_seconds", -1);
    assert_value (&f, "$.price", 3);
    assert_value (&f, "$.price by $.sym=A", 3);
    assert_value (&f, "$.price by $.sym=B", 2);
  }

  /* A long value is cut to 64 characters; past 8 values, none is exported. */
  {
    g_autofree char *text = g_strdup_printf ("{\"sym\":\"%s\",\"price\":4}", long_key);

    receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text);
  }
  for (char c = 'C'; c <= 'K'; c++)
    {
      g_autofree char *text = g_strdup_printf ("{\"sym\":\"%c\",\"price\":%d}", c, 10 + c);

      receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text);
    }
  sonde_value_export_update (values);
  long_label = g_strdup_printf ("$.price by $.sym=%.64s", long_key);
  cut_label = g_strdup_printf ("$.price by $.sym=%s", long_key);
  assert_value (&f, long_label, 4);
  g_assert_false (value_of (&f, cut_label, &value));
  assert_value (&f, "$.price by $.sym=G", 10 + 'G');
  g_assert_false (value_of (&f, "$.price by $.sym=H", &value));
  g_assert_cmpuint (sonde_value_export_get_n_lines (values), ==, 3 + SONDE_SERIES_SPLIT_MAX);

  /* Freed: the session's feed reads nothing for it any more. */
  g_clear_pointer (&values, sonde_value_export_free);
  g_assert_cmpuint (sonde_series_feed_get_n_series (sonde_session_get_feed (f.session)), ==, 0);
  fixture_clear (&f);
}

/* Nothing marked: nothing made. */
static void
test_nothing_marked (void)
{
  Fixture f = { 0 };

  fixture_init (&f, "{\"charts\":[{\"series\":[{\"path\":\"$.price\"},{\"path\":\"$.x\",\"export\":false}]}]}");
  g_assert_null (sonde_value_export_new (f.metrics, f.family, "Ticker", f.session));
  g_assert_cmpuint (sonde_series_feed_get_n_series (sonde_session_get_feed (f.session)), ==, 0);
  fixture_clear (&f);
}

/* A profile exports at most SONDE_VALUE_EXPORT_MAX_LINES lines. */
static void
test_bounded (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) layout = g_string_new ("{\"charts\":[{\"series\":[");
  g_autoptr(GString) message = g_string_new ("{");
  g_autoptr(SondeValueExport) values = NULL;
  guint n = SONDE_VALUE_EXPORT_MAX_LINES + 6;
  double value;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (layout, "%s{\"path\":\"$.v%u\",\"export\":true}", i ? "," : "", i);
      g_string_append_printf (message, "%s\"v%u\":%u", i ? "," : "", i, i);
    }
  g_string_append (layout, "]}]}");
  g_string_append (message, "}");
  fixture_init (&f, layout->str);
  values = sonde_value_export_new (f.metrics, f.family, "Ticker", f.session);
  g_assert_cmpuint (sonde_value_export_get_n_lines (values), ==, SONDE_VALUE_EXPORT_MAX_LINES);

  receive (&f, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, message->str);
  sonde_value_export_update (values);
  g_assert_cmpuint (sonde_metrics_get_n_series (f.metrics), ==, SONDE_VALUE_EXPORT_MAX_LINES);
  assert_value (&f, "$.v0", 0);
  assert_value (&f, "$.v63", 63);
  g_assert_false (value_of (&f, "$.v64", &value));

  g_clear_pointer (&values, sonde_value_export_free);
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/value-export/lines", test_lines);
  g_test_add_func ("/value-export/nothing-marked", test_nothing_marked);
  g_test_add_func ("/value-export/bounded", test_bounded);

  return g_test_run ();
}
