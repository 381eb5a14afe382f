/* test-charts-panel.c: SondeChartsPanel in a real GTK window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The panel over a chart list and a series feed of a connection whose log
 * the test fills itself. It is driven as a user drives it: a path typed in
 * its entry and Enter, a target picked in its drop-down, a chart's remove
 * button; and through the list it shows. The tests assert on its widgets
 * (charts, tiles, drop-down, error label) and on the list and the feed.
 * The layout's JSON belongs to SondeChartList and is tested there.
 */

#include "config.h"

#include <string.h>

#include "sonde-charts-panel.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

typedef struct {
  SondeConnection  *connection;
  SondeSeriesFeed  *feed;
  SondeChartList   *list;
  SondeChartsPanel *panel;
  GtkWindow        *window;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->connection = sonde_connection_new ();
  fixture->feed = sonde_series_feed_new (fixture->connection);
  fixture->list = sonde_chart_list_new ();
  fixture->panel = SONDE_CHARTS_PANEL (sonde_charts_panel_new (fixture->connection, fixture->feed, fixture->list));
  fixture->window = sonde_test_present (GTK_WIDGET (fixture->panel), 900, 700);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->panel), (gpointer *) &fixture->panel);
  sonde_test_destroy_window (g_steal_pointer (&fixture->window));
  g_assert_null (fixture->panel);
  sonde_test_wait_finalized (g_steal_pointer (&fixture->list));
  sonde_test_wait_finalized (g_steal_pointer (&fixture->feed));
  sonde_test_wait_finalized (g_steal_pointer (&fixture->connection));
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->panel), SONDE_TYPE_CHARTS_PANEL, name);

  g_assert_nonnull (object);
  return object;
}

/* A received message, as the connection would log it. */
static void
receive (Fixture    *fixture,
         const char *text)
{
  sonde_message_log_append (sonde_connection_get_log (fixture->connection), SONDE_DIRECTION_IN,
                            SONDE_MESSAGE_KIND_TEXT, g_get_real_time (), g_get_monotonic_time (),
                            text, strlen (text));
}

/* What the user does: the target picked (0: new chart, then the charts,
 * then the tile), the path typed, Enter. */
static void
type_path (Fixture    *fixture,
           guint       target,
           const char *path)
{
  gtk_drop_down_set_selected (child (fixture, "target_dropdown"), target);
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "path_entry")), path);
  g_signal_emit_by_name (child (fixture, "path_entry"), "activate");
}

/* The drop-down's choices, joined with "|". */
static char *
dup_targets (Fixture *fixture)
{
  GListModel *model = gtk_drop_down_get_model (child (fixture, "target_dropdown"));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      g_string_append_printf (out, "%s%s", i ? "|" : "", gtk_string_object_get_string (item));
    }
  return g_string_free (out, FALSE);
}

static void
assert_targets (Fixture    *fixture,
                const char *expected)
{
  g_autofree char *targets = dup_targets (fixture);

  g_assert_cmpstr (targets, ==, expected);
}

/* The chart widgets in the panel, in order. */
static GPtrArray *
find_charts (GtkWidget *widget)
{
  GPtrArray *found = g_ptr_array_new ();

  sonde_test_collect_widgets (widget, SONDE_TYPE_CHART, NULL, found);
  return found;
}

static guint
n_chart_widgets (Fixture *fixture)
{
  g_autoptr(GPtrArray) charts = find_charts (GTK_WIDGET (fixture->panel));

  return charts->len;
}

/* The button of @tooltip nearest above @widget: a chart's own buttons are
 * in its row. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      GtkWidget *row = gtk_widget_get_parent (w);

      if (row == NULL)
        break;
      for (GtkWidget *c = gtk_widget_get_first_child (row); c != NULL; c = gtk_widget_get_next_sibling (c))
        for (GtkWidget *b = gtk_widget_get_first_child (c); b != NULL; b = gtk_widget_get_next_sibling (b))
          if (GTK_IS_BUTTON (b) && g_strcmp0 (gtk_widget_get_tooltip_text (b), tooltip) == 0)
            return b;
    }
  return NULL;
}

/* The first button of @tooltip inside @widget. */
static GtkWidget *
find_button_in (GtkWidget  *widget,
                const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button_in (c, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The latest-value label of tile @index: the last label in it. */
static const char *
tile_label (Fixture *fixture,
            guint    index)
{
  GtkFlowBoxChild *tile = gtk_flow_box_get_child_at_index (child (fixture, "tiles"), (int) index);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GPtrArray *stack = g_ptr_array_new ();

  g_assert_nonnull (tile);
  g_ptr_array_add (stack, tile);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_LABEL (w))
        g_ptr_array_add (labels, w);
      for (GtkWidget *c = gtk_widget_get_last_child (w); c != NULL; c = gtk_widget_get_prev_sibling (c))
        g_ptr_array_add (stack, c);
    }
  g_ptr_array_unref (stack);
  g_assert_cmpuint (labels->len, >, 0);
  return gtk_label_get_label (g_ptr_array_index (labels, labels->len - 1));
}

/* Typed paths go to a new chart, to a chart picked in the drop-down, or
 * to a latest-value tile; the list holds them, the feed fills them. */
static void
test_add_chart_and_tile (Fixture       *fixture,
                         gconstpointer  data)
{
  GtkWidget *empty_label = child (fixture, "empty_label");
  GtkWidget *tiles = child (fixture, "tiles");
  GtkEditable *path_entry = child (fixture, "path_entry");
  g_autofree char *tile_text = NULL;
  SondeChart *chart;
  SondeChartDef *def;

  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 0);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 0);
  g_assert_true (gtk_widget_get_visible (empty_label));
  g_assert_false (gtk_widget_get_visible (tiles));
  assert_targets (fixture, "New chart|Latest value tile");

  receive (fixture, "{\"price\": 10.5, \"volume\": 3}");

  /* A new chart: read back from the messages already received. */
  type_path (fixture, 0, "$.price");
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (path_entry), ==, "");
  g_assert_false (gtk_widget_get_visible (empty_label));
  g_assert_false (gtk_widget_get_visible (child (fixture, "error_label")));
  assert_targets (fixture, "New chart|Chart 1|Latest value tile");
  chart = sonde_charts_panel_get_chart (fixture->panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 1);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "$.price");
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 1);
  g_assert_cmpuint (sonde_series_get_n_points (sonde_chart_get_series (chart, 0)), ==, 1);

  /* Into Chart 1. */
  type_path (fixture, 1, "$.volume");
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 1);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);
  g_assert_cmpstr (sonde_chart_get_label (chart, 1), ==, "$.volume");
  def = sonde_chart_list_get_chart (fixture->list, 0);
  g_assert_cmpuint (sonde_chart_def_get_n_series (def), ==, 2);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 2);

  /* A tile, the last choice: it shows the newest value. */
  type_path (fixture, 2, "$.volume");
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (fixture->panel), ==, 1);
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (fixture->list), ==, 1);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_true (gtk_widget_get_visible (tiles));
  tile_text = sonde_charts_panel_dup_tile_text (fixture->panel, 0);
  g_assert_cmpstr (tile_text, ==, "3");
  g_assert_cmpstr (tile_label (fixture, 0), ==, "3");

  /* New messages: the chart's series grow, the tile follows. */
  receive (fixture, "{\"price\": 11, \"volume\": 7}");
  receive (fixture, "{\"price\": 12.25, \"volume\": 42}");
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (sonde_chart_get_series (chart, 0)) == 3, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (tile_label (fixture, 0), "42") == 0, WAIT_MS);
}

/* A chart's remove button takes it out of the list and the panel, and its
 * series out of the feed; the panel follows changes made to the list. */
static void
test_remove_chart (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) charts = NULL;
  GtkWidget *remove;

  type_path (fixture, 0, "$.a");
  type_path (fixture, 0, "$.b");
  type_path (fixture, 3, "$.c");   /* New chart, Chart 1, Chart 2, tile */
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 2);
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (fixture->panel), ==, 1);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 3);
  assert_targets (fixture, "New chart|Chart 1|Chart 2|Latest value tile");

  charts = find_charts (GTK_WIDGET (fixture->panel));
  g_assert_cmpuint (charts->len, ==, 2);
  remove = find_button (g_ptr_array_index (charts, 0), "Remove the chart");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");

  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 1);
  g_assert_cmpstr (sonde_chart_get_label (sonde_charts_panel_get_chart (fixture->panel, 0), 0), ==, "$.b");
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 2);
  assert_targets (fixture, "New chart|Chart 1|Latest value tile");
  g_assert_false (gtk_widget_get_visible (child (fixture, "empty_label")));

  /* Changed in the list, as loading a profile does. */
  g_assert_true (sonde_chart_list_add_path (fixture->list, "$.d", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 2);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 2);
  g_assert_cmpstr (sonde_chart_get_label (sonde_charts_panel_get_chart (fixture->panel, 1), 0), ==, "$.d");

  sonde_chart_list_remove_chart (fixture->list, 0);
  sonde_chart_list_remove_chart (fixture->list, 0);

  /* The tile's own remove button. */
  remove = find_button_in (child (fixture, "tiles"), "Remove the tile");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (fixture->list), ==, 0);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 0);
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (fixture->panel), ==, 0);
  g_assert_cmpuint (n_chart_widgets (fixture), ==, 0);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 0);
  g_assert_true (gtk_widget_get_visible (child (fixture, "empty_label")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "tiles")));
  assert_targets (fixture, "New chart|Latest value tile");
}

/* What cannot be charted is said next to the entry, with where, and
 * nothing is added; the text stays to be fixed. */
static void
test_bad_path (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *error_label = child (fixture, "error_label");
  GtkWidget *path_entry = child (fixture, "path_entry");

  g_assert_false (gtk_widget_get_visible (error_label));

  type_path (fixture, 0, "");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==,
                   "Type the path of a numeric field, such as $.price");
  g_assert_true (gtk_widget_has_css_class (path_entry, "error"));

  type_path (fixture, 0, "$.price[");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "Column 9"));
  g_assert_true (gtk_widget_has_css_class (path_entry, "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (path_entry)), ==, "$.price[");
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 0);

  /* A condition that does not parse is refused too, and the condition's
   * entry turns red, not the path's. */
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "where_entry")), "$.kind ==");
  type_path (fixture, 0, "$.price");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 0);
  g_assert_true (gtk_widget_has_css_class (child (fixture, "where_entry"), "error"));
  g_assert_false (gtk_widget_has_css_class (path_entry, "error"));
  g_assert_false (gtk_widget_has_css_class (child (fixture, "split_entry"), "error"));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "charts-panel-where-error.png");

  /* So does a split path, its own entry red. */
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "where_entry")), "");
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "split_entry")), "$.sym[");
  type_path (fixture, 0, "$.price");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (child (fixture, "split_entry"), "error"));
  g_assert_false (gtk_widget_has_css_class (child (fixture, "where_entry"), "error"));
  g_assert_false (gtk_widget_has_css_class (path_entry, "error"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "split_entry")), "");

  /* Fixed: in, and the error goes. */
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "where_entry")), "$.kind == \"tick\"");
  type_path (fixture, 0, "$.price");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (path_entry, "error"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_cmpstr (sonde_series_feed_get_where (fixture->feed,
                                                sonde_chart_get_series (sonde_charts_panel_get_chart (fixture->panel, 0), 0)),
                   ==, "$.kind == \"tick\"");
}

/* Split by $.sym: one line and one legend entry per symbol, made as
 * symbols arrive; past 8 the rest is "other", said in the legend's last
 * line. Removing the chart takes every line out of the feed. */
static void
test_split (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const syms[] = { "QQQ", "SPY", "IWM", "DIA", "TLT", "GLD", "XLE", "XLF", "ARKK", "EEM" };
  SondeChart *chart;
  g_autofree char *title = NULL;

  receive (fixture, "{\"sym\":\"QQQ\",\"price\":400}");
  receive (fixture, "{\"sym\":\"SPY\",\"price\":500}");
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "split_entry")), "$.sym");
  type_path (fixture, 0, "$.price");
  g_assert_false (gtk_widget_get_visible (child (fixture, "error_label")));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  chart = sonde_charts_panel_get_chart (fixture->panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "$.sym = QQQ");
  g_assert_cmpstr (sonde_chart_get_label (chart, 1), ==, "$.sym = SPY");
  g_assert_null (sonde_chart_get_note (chart));

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (syms); i++)
      {
        g_autofree char *text = g_strdup_printf ("{\"sym\":\"%s\",\"price\":%u}", syms[i], 100 + i + round);

        receive (fixture, text);
      }
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 8);
  g_assert_cmpstr (sonde_chart_get_label (chart, 7), ==, "$.sym = XLF");
  /* The note follows on the panel's refresh. */
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_note (chart) != NULL, WAIT_MS);
  g_assert_cmpstr (sonde_chart_get_note (chart), ==, "$.sym: other (past 8 lines, not charted): 2 values, 6 messages");
  title = sonde_chart_def_dup_title (sonde_chart_list_get_chart (fixture->list, 0));
  g_assert_cmpstr (title, ==, "$.price by $.sym");
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 1);
  sonde_test_spin (100);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "charts-panel-split.png");

  sonde_chart_list_remove_chart (fixture->list, 0);
  g_assert_cmpuint (sonde_series_feed_get_n_series (fixture->feed), ==, 0);
}

/* A chart's Edit button opens the series editor on what the chart shows;
 * Apply changes the series in place (the same chart, its line made
 * again); a mistake marks the entry that holds it and changes nothing. */
static void
test_edit_series (Fixture       *fixture,
                  gconstpointer  data)
{
  SondeSeriesEditor *editor;
  SondeChart *chart;
  GtkWidget *path, *where, *split;

  receive (fixture, "{\"sym\":\"QQQ\",\"price\":400,\"bid\":1}");
  receive (fixture, "{\"sym\":\"SPY\",\"price\":500,\"bid\":2}");
  type_path (fixture, 0, "$.price");
  type_path (fixture, 1, "$.bid");
  chart = sonde_charts_panel_get_chart (fixture->panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);

  editor = sonde_charts_panel_edit (fixture->panel, 0);
  g_assert_true (sonde_test_wait_for (sonde_test_is_mapped, editor, WAIT_MS));
  path = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_SERIES_EDITOR, "path_entry");
  where = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_SERIES_EDITOR, "where_entry");
  split = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_SERIES_EDITOR, "split_entry");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (path)), ==, "$.price");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (where)), ==, "");
  sonde_test_save_screenshot (GTK_WIDGET (editor), "charts-panel-edit.png");

  /* The second series, with a condition that does not parse. */
  sonde_series_editor_set_index (editor, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (path)), ==, "$.bid");
  gtk_editable_set_text (GTK_EDITABLE (where), "$.sym ==");
  g_signal_emit_by_name (where, "activate");
  g_assert_cmpint (sonde_series_editor_get_error_part (editor), ==, SONDE_SERIES_SPEC_PART_WHERE);
  g_assert_true (gtk_widget_has_css_class (where, "error"));
  sonde_test_save_screenshot (GTK_WIDGET (editor), "charts-panel-edit-error.png");
  g_assert_false (gtk_widget_has_css_class (path, "error"));
  g_assert_null (sonde_series_spec_get_where (sonde_chart_def_get_series (sonde_chart_list_get_chart (fixture->list, 0), 1)));

  /* Fixed, and split: applied in place. */
  gtk_editable_set_text (GTK_EDITABLE (where), "$.bid > 1");
  gtk_editable_set_text (GTK_EDITABLE (split), "$.sym");
  g_signal_emit_by_name (where, "activate");
  g_assert_cmpint (sonde_series_editor_get_error_part (editor), ==, SONDE_SERIES_SPEC_PART_NONE);
  g_assert_false (gtk_widget_has_css_class (where, "error"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (fixture->panel), ==, 1);
  g_assert_true (sonde_charts_panel_get_chart (fixture->panel, 0) == chart);
  g_assert_cmpstr (sonde_series_spec_get_split (sonde_chart_def_get_series (sonde_chart_list_get_chart (fixture->list, 0), 1)),
                   ==, "$.sym");
  /* $.price, then SPY's bid (QQQ's is not > 1). */
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "$.price");
  g_assert_cmpstr (sonde_chart_get_label (chart, 1), ==, "$.sym = SPY");
  SONDE_TEST_ASSERT_WAIT (!gtk_widget_get_visible (GTK_WIDGET (editor)), WAIT_MS);
}

/* "Export to Prometheus" in the editor: checked, Apply marks the series
 * in the list (its line and points stay: it reads the same); editing its
 * path through the panel keeps the mark; the latency series stays the
 * latency probe's when only its mark changes. */
static void
test_export_mark (Fixture       *fixture,
                  gconstpointer  data)
{
  SondeSeriesEditor *editor;
  SondeChart *chart;
  SondeSeries *line;
  SondeChartDef *def;
  GtkWidget *path, *check;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  receive (fixture, "{\"sym\":\"QQQ\",\"price\":400}");
  receive (fixture, "{\"sym\":\"SPY\",\"price\":500}");
  type_path (fixture, 0, "$.price");
  sonde_chart_list_add_latency (fixture->list, 0);
  chart = sonde_charts_panel_get_chart (fixture->panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);
  line = sonde_chart_get_series (chart, 0);
  g_assert_cmpuint (sonde_series_get_n_points (line), ==, 2);
  def = sonde_chart_list_get_chart (fixture->list, 0);

  editor = sonde_charts_panel_edit (fixture->panel, 0);
  g_assert_true (sonde_test_wait_for (sonde_test_is_mapped, editor, WAIT_MS));
  path = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_SERIES_EDITOR, "path_entry");
  check = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_SERIES_EDITOR, "export_check");
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  sonde_test_save_screenshot (GTK_WIDGET (editor), "charts-panel-edit-export.png");
  g_signal_emit_by_name (path, "activate");
  g_assert_true (sonde_series_spec_get_export (sonde_chart_def_get_series (def, 0)));
  g_assert_true (sonde_charts_panel_get_chart (fixture->panel, 0) == chart);
  g_assert_true (sonde_chart_get_series (chart, 0) == line);
  g_assert_cmpuint (sonde_series_get_n_points (line), ==, 2);
  SONDE_TEST_ASSERT_WAIT (!gtk_widget_get_visible (GTK_WIDGET (editor)), WAIT_MS);

  /* Opened again: it shows the mark; the latency series, marked too. */
  editor = sonde_charts_panel_edit (fixture->panel, 0);
  g_assert_true (sonde_test_wait_for (sonde_test_is_mapped, editor, WAIT_MS));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  sonde_series_editor_set_index (editor, 1);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_signal_emit_by_name (path, "activate");
  g_assert_cmpint (sonde_series_editor_get_error_part (editor), ==, SONDE_SERIES_SPEC_PART_NONE);
  g_assert_cmpint (sonde_series_spec_get_source (sonde_chart_def_get_series (def, 1)), ==, SONDE_SERIES_SOURCE_LATENCY);
  g_assert_true (sonde_series_spec_get_export (sonde_chart_def_get_series (def, 1)));
  SONDE_TEST_ASSERT_WAIT (!gtk_widget_get_visible (GTK_WIDGET (editor)), WAIT_MS);

  /* Another path, through the panel: still marked. */
  g_assert_true (sonde_charts_panel_edit_series (fixture->panel, 0, 0, "$.price", "$.sym == \"SPY\"", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_series_spec_get_where (sonde_chart_def_get_series (def, 0)), ==, "$.sym == \"SPY\"");
  g_assert_true (sonde_series_spec_get_export (sonde_chart_def_get_series (def, 0)));

  node = sonde_chart_list_to_json (fixture->list);
  json = json_to_string (node, FALSE);
  g_assert_cmpstr (json, ==,
                   "{\"window_s\":60,\"latency_offered\":true,\"charts\":[{\"series\":["
                   "{\"path\":\"$.price\",\"where\":\"$.sym == \\\"SPY\\\"\",\"export\":true},"
                   "{\"source\":\"latency\",\"path\":\"$.rtt_ms\",\"export\":true}]}],\"tiles\":[]}");
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/charts-panel/add-chart-and-tile", test_add_chart_and_tile);
  ADD ("/charts-panel/remove-chart", test_remove_chart);
  ADD ("/charts-panel/bad-path", test_bad_path);
  ADD ("/charts-panel/split", test_split);
  ADD ("/charts-panel/edit-series", test_edit_series);
  ADD ("/charts-panel/export-mark", test_export_mark);
#undef ADD

  return sonde_test_gui_run ();
}
