/* test-chart-list.c: the chart layout as data, its JSON and CSV export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No display and no connection: a SondeChartList is data. The JSON must be
 * the one profiles already hold (the charts panel wrote it before the
 * layout moved to core), byte for byte; every change is told once. The CSV
 * export writes a real file in a temporary folder from a thread.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-chart-export.h"
#include "sonde-chart-list.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

/* 2025-11-26T01:39:55Z */
#define T0 G_GINT64_CONSTANT (1764121195000000)

/* What sonde_charts_panel_to_json() wrote: a latency chart, a chart of two
 * series (one with a condition), a tile, a 5 min window. */
static const char old_panel_json[] =
  "{\"window_s\":300,\"latency_offered\":true,"
  "\"charts\":[{\"series\":[{\"source\":\"latency\",\"path\":\"$.rtt_ms\"}]},"
  "{\"series\":[{\"path\":\"$.price\",\"where\":\"$.sym == \\\"A\\\"\"},{\"path\":\"$.bid\"}]}],"
  "\"tiles\":[{\"path\":\"$.volume\"}]}";

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
list_to_string (SondeChartList *list)
{
  g_autoptr(JsonNode) node = sonde_chart_list_to_json (list);

  return json_to_string (node, FALSE);
}

typedef struct {
  guint changed;
  guint items_changed;
  guint tiles_changed;
  guint position, removed, added;            /* the last items-changed */
  guint tile_position, tile_removed, tile_added;
  gboolean changed_after_items;               /* "changed" came after the rest */
} Counts;

static void
on_changed (SondeChartList *list,
            Counts         *counts)
{
  counts->changed++;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Counts     *counts)
{
  counts->items_changed++;
  counts->position = position;
  counts->removed = removed;
  counts->added = added;
  /* The model already holds what it says. */
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, position + added);
}

static void
on_tiles_changed (SondeChartList *list,
                  guint           position,
                  guint           removed,
                  guint           added,
                  Counts         *counts)
{
  counts->tiles_changed++;
  counts->tile_position = position;
  counts->tile_removed = removed;
  counts->tile_added = added;
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (list), >=, position + added);
}

static void
watch (SondeChartList *list,
       Counts         *counts)
{
  g_signal_connect (list, "changed", G_CALLBACK (on_changed), counts);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), counts);
  g_signal_connect (list, "tiles-changed", G_CALLBACK (on_tiles_changed), counts);
}

#define ASSERT_COUNTS(counts, n_changed, n_items, n_tiles) \
  G_STMT_START {                                           \
    g_assert_cmpuint ((counts)->changed, ==, (n_changed)); \
    g_assert_cmpuint ((counts)->items_changed, ==, (n_items)); \
    g_assert_cmpuint ((counts)->tiles_changed, ==, (n_tiles)); \
    memset ((counts), 0, sizeof *(counts));                \
  } G_STMT_END

/* A new list: nothing in it, the default window, the JSON of that. */
static void
test_empty (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  g_autofree char *text = NULL;

  g_assert_true (sonde_chart_list_is_empty (list));
  g_assert_false (sonde_chart_list_get_latency_offered (list));
  g_assert_cmpuint (sonde_chart_list_get_window_s (list), ==, 60);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == SONDE_TYPE_CHART_DEF);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));

  text = list_to_string (list);
  g_assert_cmpstr (text, ==, "{\"window_s\":60,\"charts\":[],\"tiles\":[]}");

  g_assert_finalize_object (list);
}

/* A layout made with the mutators comes back the same from its JSON. */
static void
test_round_trip (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  SondeChartList *loaded = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *title = NULL;
  SondeChartDef *def;

  g_assert_true (sonde_chart_list_add_path (list, "$.price", "$.type == \"trade\"", SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_true (sonde_chart_list_add_path (list, "$.bid", "", 0, &error));
  g_assert_true (sonde_chart_list_add_path (list, "$[\"key with spaces\"]", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_true (sonde_chart_list_add_path (list, "$.volume", NULL, SONDE_CHART_LIST_TILE, &error));
  g_assert_true (sonde_chart_list_add_path (list, "$.ask", "$.v > 0", SONDE_CHART_LIST_TILE, &error));
  g_assert_no_error (error);
  sonde_chart_list_add_latency (list, 1);
  sonde_chart_list_set_window_s (list, 0);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  def = sonde_chart_list_get_chart (list, 0);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 2);
  /* An empty condition is no condition. */
  g_assert_null (sonde_series_spec_get_where (sonde_chart_def_get_series (def, 1)));
  title = sonde_chart_def_dup_title (def);
  g_assert_cmpstr (title, ==, "$.price  ($.type == \"trade\"), $.bid");
  g_assert_true (sonde_chart_list_get_latency_offered (list));

  node = sonde_chart_list_to_json (list);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"window_s\":0,\"latency_offered\":true,"
                   "\"charts\":[{\"series\":[{\"path\":\"$.price\",\"where\":\"$.type == \\\"trade\\\"\"},{\"path\":\"$.bid\"}]},"
                   "{\"series\":[{\"path\":\"$[\\\"key with spaces\\\"]\"},{\"source\":\"latency\",\"path\":\"$.rtt_ms\"}]}],"
                   "\"tiles\":[{\"path\":\"$.volume\"},{\"path\":\"$.ask\",\"where\":\"$.v > 0\"}]}");

  g_assert_true (sonde_chart_list_load_json (loaded, node, &error));
  g_assert_no_error (error);
  again = list_to_string (loaded);
  g_assert_cmpstr (again, ==, text);
  g_assert_cmpuint (sonde_chart_list_get_window_s (loaded), ==, 0);
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (loaded), ==, 2);
  g_assert_cmpstr (sonde_series_spec_get_where (sonde_chart_list_get_tile (loaded, 1)), ==, "$.v > 0");
  for (guint i = 0; i < 2; i++)
    {
      SondeChartDef *a = sonde_chart_list_get_chart (list, i);
      SondeChartDef *b = sonde_chart_list_get_chart (loaded, i);

      g_assert_cmpuint (sonde_chart_def_get_n_series (a), ==, sonde_chart_def_get_n_series (b));
      for (guint s = 0; s < sonde_chart_def_get_n_series (a); s++)
        g_assert_true (sonde_series_spec_equal (sonde_chart_def_get_series (a, s), sonde_chart_def_get_series (b, s)));
    }
  g_assert_cmpint (sonde_series_spec_get_source (sonde_chart_def_get_series (sonde_chart_list_get_chart (loaded, 1), 1)),
                   ==, SONDE_SERIES_SOURCE_LATENCY);

  /* NULL: an empty layout. */
  g_assert_true (sonde_chart_list_load_json (loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_chart_list_is_empty (loaded));
  g_assert_cmpuint (sonde_chart_list_get_window_s (loaded), ==, 60);

  g_assert_finalize_object (list);
  g_assert_finalize_object (loaded);
}

/* The JSON profiles already hold loads as it was, and writes back the
 * same bytes. */
static void
test_old_panel_json (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  g_autoptr(JsonNode) node = parse (old_panel_json);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SondeChartDef *def;
  SondeSeriesSpec *spec;

  g_assert_true (sonde_chart_list_load_json (list, node, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (sonde_chart_list_get_window_s (list), ==, 300);
  g_assert_true (sonde_chart_list_get_latency_offered (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  def = sonde_chart_list_get_chart (list, 0);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 1);
  spec = sonde_chart_def_get_series (def, 0);
  g_assert_cmpint (sonde_series_spec_get_source (spec), ==, SONDE_SERIES_SOURCE_LATENCY);
  g_assert_cmpstr (sonde_series_spec_get_path (spec), ==, "$.rtt_ms");
  {
    g_autofree char *label = sonde_series_spec_dup_label (spec);

    g_assert_cmpstr (label, ==, "Round-trip time (ms)");
  }

  def = sonde_chart_list_get_chart (list, 1);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 2);
  spec = sonde_chart_def_get_series (def, 0);
  g_assert_cmpint (sonde_series_spec_get_source (spec), ==, SONDE_SERIES_SOURCE_MESSAGES);
  g_assert_cmpstr (sonde_series_spec_get_path (spec), ==, "$.price");
  g_assert_cmpstr (sonde_series_spec_get_where (spec), ==, "$.sym == \"A\"");
  g_assert_cmpstr (sonde_series_spec_get_path (sonde_chart_def_get_series (def, 1)), ==, "$.bid");

  g_assert_cmpuint (sonde_chart_list_get_n_tiles (list), ==, 1);
  g_assert_cmpstr (sonde_series_spec_get_path (sonde_chart_list_get_tile (list, 0)), ==, "$.volume");

  text = list_to_string (list);
  g_assert_cmpstr (text, ==, old_panel_json);

  /* Older still: no "latency_offered", but a latency chart in it (it was
   * offered then); no window: the default. */
  {
    g_autoptr(JsonNode) older = parse ("{\"charts\":[{\"series\":[{\"source\":\"latency\",\"path\":\"$.rtt_ms\"}]}]}");

    g_assert_true (sonde_chart_list_load_json (list, older, &error));
    g_assert_no_error (error);
    g_assert_true (sonde_chart_list_get_latency_offered (list));
    g_assert_cmpuint (sonde_chart_list_get_window_s (list), ==, 60);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
    g_assert_cmpuint (sonde_chart_list_get_n_tiles (list), ==, 0);
  }

  g_assert_finalize_object (list);
}

/* What cannot be read is left out and named, each piece; the rest loads. */
static void
test_bad_json (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  g_autoptr(JsonNode) node = parse ("{\"window_s\":\"soon\","
                                    "\"charts\":[{\"series\":[{\"path\":\"$.ok\"},{\"where\":\"$.v > 0\"}]},"
                                    "{\"series\":[{\"path\":\"$.price[\"}]},"
                                    "{\"lines\":[]},"
                                    "{\"series\":[{\"path\":\"$.a\",\"where\":\"$.v >\"}]}],"
                                    "\"tiles\":[42,{\"path\":\"$.tile\"}]}");
  g_autoptr(GError) error = NULL;
  const char *message;

  g_assert_false (sonde_chart_list_load_json (list, node, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  message = error->message;
  g_test_message ("%s", message);
  g_assert_true (g_str_has_prefix (message, "Left out of the chart layout: "));
  g_assert_nonnull (strstr (message, "“window_s”"));
  g_assert_nonnull (strstr (message, "chart 1, series 2: no path"));
  g_assert_nonnull (strstr (message, "chart 2, series 1: Column 9"));
  g_assert_nonnull (strstr (message, "chart 3 (no list of series)"));
  g_assert_nonnull (strstr (message, "chart 4, series 1: "));
  g_assert_nonnull (strstr (message, "tile 1: not an object"));
  g_assert_null (strstr (message, "tile 2"));

  /* The rest: chart 1 with its good series, the second tile. */
  g_assert_cmpuint (sonde_chart_list_get_window_s (list), ==, 60);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpuint (sonde_chart_def_get_n_series (sonde_chart_list_get_chart (list, 0)), ==, 1);
  g_assert_cmpstr (sonde_series_spec_get_path (sonde_chart_def_get_series (sonde_chart_list_get_chart (list, 0), 0)),
                   ==, "$.ok");
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (list), ==, 1);
  g_assert_cmpstr (sonde_series_spec_get_path (sonde_chart_list_get_tile (list, 0)), ==, "$.tile");

  /* Not an object at all: everything left out, and said so. */
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = parse ("[1, 2]");
  g_assert_false (sonde_chart_list_load_json (list, node, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "not a JSON object"));
  g_assert_true (sonde_chart_list_is_empty (list));

  /* "charts" that is not a list. */
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = parse ("{\"charts\":{\"series\":[]}}");
  g_assert_false (sonde_chart_list_load_json (list, node, &error));
  g_assert_nonnull (strstr (error->message, "“charts” (not a list)"));

  g_assert_finalize_object (list);
}

/* Adding a series that does not parse changes nothing and says why. */
static void
test_add_refused (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  Counts counts = { 0 };

  watch (list, &counts);
  g_assert_false (sonde_chart_list_add_path (list, "$.price[", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Column 9"));
  g_clear_error (&error);
  g_assert_false (sonde_chart_list_add_path (list, "$.price", "$.v >", SONDE_CHART_LIST_TILE, &error));
  g_assert_nonnull (error);
  ASSERT_COUNTS (&counts, 0, 0, 0);
  g_assert_true (sonde_chart_list_is_empty (list));

  g_signal_handlers_disconnect_by_data (list, &counts);
  g_assert_finalize_object (list);
}

static void
set_window_5_min (gpointer data)
{
  sonde_chart_list_set_window_s (data, 300);
}

static void
offer_latency_twice (gpointer data)
{
  sonde_chart_list_offer_latency (data);
  sonde_chart_list_offer_latency (data);
}

/* Each change: items-changed (or tiles-changed) and "changed", once. */
static void
test_signals (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse (old_panel_json);
  Counts counts = { 0 };
  SondeChartDef *def;

  watch (list, &counts);

  /* A new chart: items-changed (0, 0, 1). */
  g_assert_true (sonde_chart_list_add_path (list, "$.price", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_cmpuint (counts.position, ==, 0);
  g_assert_cmpuint (counts.removed, ==, 0);
  g_assert_cmpuint (counts.added, ==, 1);
  ASSERT_COUNTS (&counts, 1, 1, 0);
  def = sonde_chart_list_get_chart (list, 0);

  /* Into chart 0: the same object in place, (0, 1, 1). */
  g_assert_true (sonde_chart_list_add_path (list, "$.bid", NULL, 0, &error));
  g_assert_cmpuint (counts.position, ==, 0);
  g_assert_cmpuint (counts.removed, ==, 1);
  g_assert_cmpuint (counts.added, ==, 1);
  ASSERT_COUNTS (&counts, 1, 1, 0);
  g_assert_true (sonde_chart_list_get_chart (list, 0) == def);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 2);

  /* A second chart (an index past the last makes one): (1, 0, 1). */
  g_assert_true (sonde_chart_list_add_path (list, "$.ask", NULL, 7, &error));
  g_assert_cmpuint (counts.position, ==, 1);
  g_assert_cmpuint (counts.added, ==, 1);
  ASSERT_COUNTS (&counts, 1, 1, 0);

  /* Tiles are not items. */
  g_assert_true (sonde_chart_list_add_path (list, "$.volume", NULL, SONDE_CHART_LIST_TILE, &error));
  g_assert_true (sonde_chart_list_add_path (list, "$.last", NULL, SONDE_CHART_LIST_TILE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.tile_position, ==, 1);
  g_assert_cmpuint (counts.tile_added, ==, 1);
  ASSERT_COUNTS (&counts, 2, 0, 2);
  g_assert_false (sonde_chart_list_is_empty (list));

  /* The window: notified once, "changed" once; the same again: nothing. */
  sonde_test_assert_notifies_during (G_OBJECT (list), "window-s", set_window_5_min, list, 1);
  ASSERT_COUNTS (&counts, 1, 0, 0);
  set_window_5_min (list);
  ASSERT_COUNTS (&counts, 0, 0, 0);
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_UINT);
    g_value_set_uint (&value, 10);
    sonde_test_assert_notifies (G_OBJECT (list), "window-s", &value);
    ASSERT_COUNTS (&counts, 1, 0, 0);
  }

  sonde_chart_list_remove_tile (list, 0);
  g_assert_cmpuint (counts.tile_position, ==, 0);
  g_assert_cmpuint (counts.tile_removed, ==, 1);
  g_assert_cmpuint (counts.tile_added, ==, 0);
  ASSERT_COUNTS (&counts, 1, 0, 1);
  g_assert_cmpstr (sonde_series_spec_get_path (sonde_chart_list_get_tile (list, 0)), ==, "$.last");

  sonde_chart_list_remove_chart (list, 0);
  g_assert_cmpuint (counts.position, ==, 0);
  g_assert_cmpuint (counts.removed, ==, 1);
  g_assert_cmpuint (counts.added, ==, 0);
  ASSERT_COUNTS (&counts, 1, 1, 0);

  /* The latency chart: offered once, latency-offered notified once. */
  sonde_test_assert_notifies_during (G_OBJECT (list), "latency-offered", offer_latency_twice, list, 1);
  g_assert_cmpuint (counts.position, ==, 1);
  ASSERT_COUNTS (&counts, 1, 1, 0);
  /* Removed, it stays removed. */
  sonde_chart_list_remove_chart (list, 1);
  sonde_chart_list_offer_latency (list);
  ASSERT_COUNTS (&counts, 1, 1, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);

  /* A load is one change: everything replaced at once. */
  g_assert_true (sonde_chart_list_load_json (list, node, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.position, ==, 0);
  g_assert_cmpuint (counts.removed, ==, 1);
  g_assert_cmpuint (counts.added, ==, 2);
  g_assert_cmpuint (counts.tile_removed, ==, 1);
  g_assert_cmpuint (counts.tile_added, ==, 1);
  ASSERT_COUNTS (&counts, 1, 1, 1);

  g_signal_handlers_disconnect_by_data (list, &counts);
  g_assert_finalize_object (list);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} ExportResult;

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportResult *export = user_data;

  g_assert_null (source);
  export->ok = sonde_chart_export_csv_finish (result, &export->error);
  export->done = TRUE;
}

static void
export_and_wait (GPtrArray    *series,
                 GPtrArray    *labels,
                 GFile        *file,
                 GCancellable *cancellable,
                 ExportResult *export)
{
  sonde_chart_export_csv_async (series, labels, file, cancellable, on_exported, export);
  /* The points are copied already: the series may change meanwhile. */
  for (guint i = 0; i < series->len; i++)
    sonde_series_clear (g_ptr_array_index (series, i));
  SONDE_TEST_ASSERT_WAIT (export->done, WAIT_MS);
}

/* The file, written in a thread: a header and one row per point, times in
 * UTC with microseconds, labels quoted (quotes doubled), gaps with an
 * empty value. */
static void
test_export_csv (void)
{
  g_autoptr(SondeSeries) a = sonde_series_new (16);
  g_autoptr(SondeSeries) b = sonde_series_new (16);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-test-chart-list-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "series.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  ExportResult export = { 0 };
  static const char expected[] =
    "time,series,value\n"
    "2025-11-26T01:39:55.000000Z,\"$.price\",101.25\n"
    "2025-11-26T01:39:55.000250Z,\"$.price\",-3\n"
    "2025-11-26T01:39:56.500000Z,\"$.price\",\n"
    "2025-11-26T01:40:55.999999Z,\"$.price\",1e+300\n"
    "1970-01-01T00:00:00.000001Z,\"say \"\"hi\"\", ok\",0.5\n"
    "1970-01-01T00:00:00.000002Z,\"say \"\"hi\"\", ok\",0.1\n"
    "1970-01-01T00:00:00.000003Z,\"say \"\"hi\"\", ok\",0.30000000000000004\n";

  g_assert_no_error (error);
  sonde_series_append (a, T0, 101.25);
  sonde_series_append (a, T0 + 250, -3);
  sonde_series_append_gap (a, T0 + 1500000);
  sonde_series_append (a, T0 + 60999999, 1e300);
  sonde_series_append (b, 1, 0.5);
  sonde_series_append (b, 2, 0.1);
  sonde_series_append (b, 3, 0.1 + 0.2);
  g_ptr_array_add (series, a);
  g_ptr_array_add (labels, "$.price");
  g_ptr_array_add (series, b);
  g_ptr_array_add (labels, "say \"hi\", ok");

  /* Over a file that was there: replaced. */
  g_assert_true (g_file_set_contents (path, "old", -1, &error));
  export_and_wait (series, labels, file, NULL, &export);
  g_assert_no_error (export.error);
  g_assert_true (export.ok);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A large export goes out in pieces and still reads back row by row. */
static void
test_export_csv_large (void)
{
  g_autoptr(SondeSeries) a = sonde_series_new (100000);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-test-chart-list-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "large.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  ExportResult export = { 0 };
  guint n = 100000;

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    sonde_series_append (a, T0 + i, i);
  g_ptr_array_add (series, a);
  g_ptr_array_add (labels, "n");

  export_and_wait (series, labels, file, NULL, &export);
  g_assert_no_error (export.error);
  g_assert_true (export.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpuint (strlen (contents), >, 1024 * 1024);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);    /* header, rows, the empty end */
  g_assert_cmpstr (lines[1], ==, "2025-11-26T01:39:55.000000Z,\"n\",0");
  g_assert_cmpstr (lines[n], ==, "2025-11-26T01:39:55.099999Z,\"n\",99999");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A folder that is not there, a folder where the file should be: an error
 * that names the file, and no file. */
static void
test_export_csv_fails (void)
{
  g_autoptr(SondeSeries) a = sonde_series_new (16);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-test-chart-list-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "not-there", "series.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (missing);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  ExportResult export = { 0 };

  g_assert_no_error (error);
  sonde_series_append (a, T0, 1);
  g_ptr_array_add (series, a);
  g_ptr_array_add (labels, "$.v");

  export_and_wait (series, labels, file, NULL, &export);
  g_assert_false (export.ok);
  g_assert_error (export.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", export.error->message);
  g_assert_nonnull (strstr (export.error->message, missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&export.error);

  memset (&export, 0, sizeof export);
  sonde_series_append (a, T0, 1);
  export_and_wait (series, labels, folder, NULL, &export);
  g_assert_false (export.ok);
  g_assert_nonnull (export.error);
  g_test_message ("%s", export.error->message);
  g_assert_nonnull (strstr (export.error->message, dir));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_clear_error (&export.error);

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Cancelled: G_IO_ERROR_CANCELLED, and no file made. */
static void
test_export_csv_cancelled (void)
{
  g_autoptr(SondeSeries) a = sonde_series_new (16);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-test-chart-list-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "series.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ExportResult export = { 0 };

  g_assert_no_error (error);
  sonde_series_append (a, T0, 1);
  g_ptr_array_add (series, a);
  g_ptr_array_add (labels, "$.v");

  g_cancellable_cancel (cancellable);
  export_and_wait (series, labels, file, cancellable, &export);
  g_assert_false (export.ok);
  g_assert_error (export.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&export.error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
count_changed (SondeChartList *list,
               guint          *n)
{
  (*n)++;
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *n)
{
  g_assert_cmpuint (position, ==, 0);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (added, ==, 1);
  (*n)++;
}

/* A split series ($.price by $.sym): in the JSON only when set, read back
 * the same; old layouts (no "split") load as one line. A bad split path is
 * refused and named as the split; a tile takes no split. A series is
 * edited in place: the same chart, items-changed (i, 1, 1), "changed". */
static void
test_split_and_edit (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  SondeChartList *loaded = sonde_chart_list_new ();
  g_autoptr(SondeSeriesSpec) split = sonde_series_spec_new_split ("$.price", "$.v > 0", "$.sym");
  g_autoptr(SondeSeriesSpec) plain = sonde_series_spec_new_split ("$.price", NULL, "");
  g_autoptr(SondeSeriesSpec) bad_split = sonde_series_spec_new_split ("$.price", NULL, "$.sym[");
  g_autoptr(SondeSeriesSpec) bad_where = sonde_series_spec_new_split ("$.price", "$.sym ==", "$.sym");
  g_autoptr(SondeSeriesSpec) bad_path = sonde_series_spec_new_split ("$.", "$.sym ==", NULL);
  g_autoptr(SondeSeriesSpec) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *label = NULL;
  SondeChartDef *def;
  guint n_changed = 0, n_items = 0;

  g_assert_null (sonde_series_spec_get_split (plain));
  g_assert_false (sonde_series_spec_equal (split, plain));
  label = sonde_series_spec_dup_label (split);
  g_assert_cmpstr (label, ==, "$.price by $.sym  ($.v > 0)");

  /* Which part is wrong, for the view to mark that entry. */
  g_assert_cmpint (sonde_series_spec_check_part (split, NULL), ==, SONDE_SERIES_SPEC_PART_NONE);
  g_assert_cmpint (sonde_series_spec_check_part (bad_split, &error), ==, SONDE_SERIES_SPEC_PART_SPLIT);
  g_clear_error (&error);
  g_assert_cmpint (sonde_series_spec_check_part (bad_where, &error), ==, SONDE_SERIES_SPEC_PART_WHERE);
  g_clear_error (&error);
  g_assert_cmpint (sonde_series_spec_check_part (bad_path, &error), ==, SONDE_SERIES_SPEC_PART_PATH);
  g_clear_error (&error);

  g_assert_false (sonde_chart_list_add (list, bad_split, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (sonde_chart_list_add (list, split, SONDE_CHART_LIST_TILE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (sonde_chart_list_add (list, split, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_true (sonde_chart_list_add (list, plain, 0, &error));
  g_assert_no_error (error);

  node = sonde_chart_list_to_json (list);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"window_s\":60,\"charts\":[{\"series\":["
                   "{\"path\":\"$.price\",\"where\":\"$.v > 0\",\"split\":\"$.sym\"},{\"path\":\"$.price\"}]}],"
                   "\"tiles\":[]}");
  g_assert_true (sonde_chart_list_load_json (loaded, node, &error));
  g_assert_no_error (error);
  again = list_to_string (loaded);
  g_assert_cmpstr (again, ==, text);
  g_assert_cmpstr (sonde_series_spec_get_split (sonde_chart_def_get_series (sonde_chart_list_get_chart (loaded, 0), 0)),
                   ==, "$.sym");

  /* Edit the second series: split it, with a condition. */
  def = sonde_chart_list_get_chart (list, 0);
  g_signal_connect (list, "items-changed", G_CALLBACK (count_items_changed), &n_items);
  g_signal_connect (list, "changed", G_CALLBACK (count_changed), &n_changed);
  g_assert_false (sonde_chart_list_replace_series (list, 0, 1, bad_where, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (n_changed, ==, 0);
  edited = sonde_series_spec_new_split ("$.bid", "$.type == \"quote\"", "$.venue");
  g_assert_true (sonde_chart_list_replace_series (list, 0, 1, edited, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_changed, ==, 1);
  g_assert_cmpuint (n_items, ==, 1);
  g_assert_true (sonde_chart_list_get_chart (list, 0) == def);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 2);
  g_assert_true (sonde_series_spec_equal (sonde_chart_def_get_series (def, 1), edited));
  /* The same again changes nothing. */
  g_assert_true (sonde_chart_list_replace_series (list, 0, 1, edited, &error));
  g_assert_cmpuint (n_changed, ==, 1);

  g_assert_finalize_object (list);
  g_assert_finalize_object (loaded);
}

/* The export mark (sonde_value in the monitor): "export": true in the JSON
 * only when set, read back; anything but true leaves it out. Equality
 * includes it and reads_same() does not; replacing a series by the same
 * one marked is a change, saved. */
static void
test_export_mark (void)
{
  SondeChartList *list = sonde_chart_list_new ();
  SondeChartList *loaded = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeSeriesSpec) plain = sonde_series_spec_new_split ("$.price", NULL, "$.sym");
  g_autoptr(SondeSeriesSpec) marked = sonde_series_spec_copy_with_export (plain, TRUE);
  g_autoptr(SondeSeriesSpec) unmarked = sonde_series_spec_copy_with_export (marked, FALSE);
  g_autoptr(SondeSeriesSpec) same = sonde_series_spec_copy_with_export (marked, TRUE);
  g_autoptr(SondeSeriesSpec) latency = sonde_series_spec_new_latency ();
  g_autoptr(SondeSeriesSpec) latency_marked = sonde_series_spec_copy_with_export (latency, TRUE);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) odd = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *label = NULL;
  Counts counts = { 0 };

  g_assert_false (sonde_series_spec_get_export (plain));
  g_assert_true (sonde_series_spec_get_export (marked));
  g_assert_false (sonde_series_spec_get_export (unmarked));
  g_assert_true (same == marked);
  g_assert_cmpstr (sonde_series_spec_get_split (marked), ==, "$.sym");
  g_assert_false (sonde_series_spec_equal (plain, marked));
  g_assert_true (sonde_series_spec_equal (plain, unmarked));
  g_assert_true (sonde_series_spec_reads_same (plain, marked));
  g_assert_cmpint (sonde_series_spec_get_source (latency_marked), ==, SONDE_SERIES_SOURCE_LATENCY);
  label = sonde_series_spec_dup_metric_label (marked);
  g_assert_cmpstr (label, ==, "$.price by $.sym");
  g_clear_pointer (&label, g_free);
  label = sonde_series_spec_dup_metric_label (latency_marked);
  g_assert_cmpstr (label, ==, "rtt_seconds");

  g_assert_true (sonde_chart_list_add (list, plain, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_true (sonde_chart_list_add (list, latency_marked, 0, &error));
  g_assert_no_error (error);
  text = list_to_string (list);
  g_assert_cmpstr (text, ==,
                   "{\"window_s\":60,\"latency_offered\":true,"
                   "\"charts\":[{\"series\":[{\"path\":\"$.price\",\"split\":\"$.sym\"},"
                   "{\"source\":\"latency\",\"path\":\"$.rtt_ms\",\"export\":true}]}],\"tiles\":[]}");
  g_clear_pointer (&text, g_free);

  /* Marking the first series is a change, told and saved. */
  g_signal_connect (list, "changed", G_CALLBACK (on_changed), &counts);
  g_assert_true (sonde_chart_list_replace_series (list, 0, 0, marked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.changed, ==, 1);
  g_assert_true (sonde_chart_list_replace_series (list, 0, 0, same, &error));
  g_assert_cmpuint (counts.changed, ==, 1);

  node = sonde_chart_list_to_json (list);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"window_s\":60,\"latency_offered\":true,"
                   "\"charts\":[{\"series\":[{\"path\":\"$.price\",\"split\":\"$.sym\",\"export\":true},"
                   "{\"source\":\"latency\",\"path\":\"$.rtt_ms\",\"export\":true}]}],\"tiles\":[]}");
  g_assert_true (sonde_chart_list_load_json (loaded, node, &error));
  g_assert_no_error (error);
  again = list_to_string (loaded);
  g_assert_cmpstr (again, ==, text);
  for (guint s = 0; s < 2; s++)
    {
      SondeSeriesSpec *spec = sonde_chart_def_get_series (sonde_chart_list_get_chart (loaded, 0), s);

      g_assert_true (sonde_series_spec_get_export (spec));
      g_assert_true (sonde_series_spec_equal (spec, sonde_chart_def_get_series (sonde_chart_list_get_chart (list, 0), s)));
    }

  /* Not true: not marked, and nothing refused. */
  odd = parse ("{\"charts\":[{\"series\":[{\"path\":\"$.a\",\"export\":false},{\"path\":\"$.b\",\"export\":\"yes\"},"
               "{\"path\":\"$.c\",\"export\":1},{\"source\":\"latency\",\"export\":null}]}]}");
  g_assert_true (sonde_chart_list_load_json (loaded, odd, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_chart_def_get_n_series (sonde_chart_list_get_chart (loaded, 0)), ==, 4);
  for (guint s = 0; s < 4; s++)
    g_assert_false (sonde_series_spec_get_export (sonde_chart_def_get_series (sonde_chart_list_get_chart (loaded, 0), s)));
  g_clear_pointer (&again, g_free);
  again = list_to_string (loaded);
  g_assert_null (strstr (again, "export"));

  g_assert_finalize_object (list);
  g_assert_finalize_object (loaded);
}

/* "Chart a Field" proposes the string field that tells messages apart:
 * beside the field first, then above it; names such as sym and type before
 * any other; nothing when there is none. */
static void
test_find_distinguishing (void)
{
  static const struct {
    const char *json;
    const char *path;
    const char *field;   /* NULL: none */
    const char *value;
  } cases[] = {
    { "{\"sym\":\"QQQ\",\"price\":101.5,\"note\":\"x\"}", "$.price", "$.sym", "QQQ" },
    { "{\"note\":\"x\",\"type\":\"trade\",\"symbol\":\"SPY\",\"p\":1}", "$.p", "$.symbol", "SPY" },
    { "{\"channel\":\"book\",\"data\":{\"bids\":[[1,2]],\"pair\":\"BTC-USD\"}}", "$.data.bids[0][1]", "$.data.pair", "BTC-USD" },
    { "{\"channel\":\"book\",\"data\":{\"bids\":[[1,2]]}}", "$.data.bids[0][1]", "$.channel", "book" },
    { "{\"deviceId\":\"a7\",\"t\":3}", "$.t", "$.deviceId", "a7" },
    { "{\"sym key\":\"x\",\"v\":1,\"my type\":\"k\"}", "$.v", "$[\"my type\"]", "k" },
    { "{\"text\":\"hello\",\"v\":1}", "$.v", NULL, NULL },
    { "{\"sym\":\"\",\"v\":1}", "$.v", NULL, NULL },
    { "[1,2]", "$[0]", NULL, NULL },
    { "not json", "$.v", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *field = NULL;
      g_autofree char *value = NULL;
      gboolean found = sonde_series_spec_find_distinguishing (cases[i].json, strlen (cases[i].json), cases[i].path,
                                                              &field, &value);

      g_test_message ("case %u", i);
      g_assert_cmpint (found, ==, cases[i].field != NULL);
      g_assert_cmpstr (field, ==, cases[i].field);
      g_assert_cmpstr (value, ==, cases[i].value);
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/chart-list/empty", test_empty);
  g_test_add_func ("/chart-list/round-trip", test_round_trip);
  g_test_add_func ("/chart-list/old-panel-json", test_old_panel_json);
  g_test_add_func ("/chart-list/bad-json", test_bad_json);
  g_test_add_func ("/chart-list/add-refused", test_add_refused);
  g_test_add_func ("/chart-list/signals", test_signals);
  g_test_add_func ("/chart-list/split-and-edit", test_split_and_edit);
  g_test_add_func ("/chart-list/export-mark", test_export_mark);
  g_test_add_func ("/chart-list/find-distinguishing", test_find_distinguishing);
  g_test_add_func ("/chart-export/csv", test_export_csv);
  g_test_add_func ("/chart-export/csv-large", test_export_csv_large);
  g_test_add_func ("/chart-export/csv-fails", test_export_csv_fails);
  g_test_add_func ("/chart-export/csv-cancelled", test_export_csv_cancelled);

  return g_test_run ();
}
