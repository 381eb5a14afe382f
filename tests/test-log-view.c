/* test-log-view.c: SondeLogView in a real GTK window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A log view over a message log the test fills itself, driven through the
 * filter entry, the toggles, its properties and its API; the tests assert
 * on the rows of its model, the count text, the placeholder, the "new
 * messages" button, the scroll position and the selected message.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "sonde-log-view.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

typedef struct {
  SondeConnection *connection;   /* with fixture_setup_connection () */
  SondeIntegrity  *integrity;
  SondeMessageLog *log;
  SondeLogView    *view;
  GtkWindow       *window;
  guint            n_frames;
  guint            tick_id;
} Fixture;

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  ((Fixture *) data)->n_frames++;
  return G_SOURCE_CONTINUE;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->log = sonde_message_log_new ();
  fixture->view = SONDE_LOG_VIEW (sonde_log_view_new (fixture->log));
  fixture->window = sonde_test_present (GTK_WIDGET (fixture->view), 900, 400);
  fixture->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), count_frame, fixture, NULL);
}

/* The same over the log of a connection, with a feed-integrity checker
 * that watches the log before the view does (as the session's does: rows
 * are bound as they arrive, and their violations must be known then). */
static void
fixture_setup_connection (Fixture       *fixture,
                          gconstpointer  data)
{
  fixture->connection = sonde_connection_new ();
  fixture->integrity = sonde_integrity_new (fixture->connection);
  fixture->log = g_object_ref (sonde_connection_get_log (fixture->connection));
  fixture->view = SONDE_LOG_VIEW (sonde_log_view_new (fixture->log));
  fixture->window = sonde_test_present (GTK_WIDGET (fixture->view), 900, 400);
  fixture->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), count_frame, fixture, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_widget_remove_tick_callback (GTK_WIDGET (fixture->window), fixture->tick_id);
  g_object_add_weak_pointer (G_OBJECT (fixture->view), (gpointer *) &fixture->view);
  sonde_test_destroy_window (g_steal_pointer (&fixture->window));
  g_assert_null (fixture->view);
  if (fixture->integrity != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->integrity));
  if (fixture->connection != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  /* The view and its model let go of the log. */
  sonde_test_wait_finalized (g_steal_pointer (&fixture->log));
}

/* Lets @n frames of the window's clock go by: layout and scrolling happen
 * in frames. */
static void
wait_frames (Fixture *fixture,
             guint    n)
{
  guint until = fixture->n_frames + n;

  gtk_widget_queue_draw (GTK_WIDGET (fixture->view));
  SONDE_TEST_ASSERT_WAIT (fixture->n_frames >= until, WAIT_MS);
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->view), SONDE_TYPE_LOG_VIEW, name);

  g_assert_nonnull (object);
  return object;
}

static guint64
append (Fixture          *fixture,
        SondeDirection    direction,
        SondeMessageKind  kind,
        const char       *text)
{
  return sonde_message_log_append (fixture->log, direction, kind, g_get_real_time (),
                                   g_get_monotonic_time (), text, strlen (text));
}

/* 3 received "tick alpha i", 2 sent "order beta i", and an open event. */
static void
append_mix (Fixture *fixture)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("tick alpha %u", i);

      append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = g_strdup_printf ("order beta %u", i);

      append (fixture, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, text);
    }
  append (fixture, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, "{\"protocol\":null,\"extensions\":null}");
}

static guint
n_rows (Fixture *fixture)
{
  return g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (fixture->view)));
}

static gboolean
count_text_is (Fixture    *fixture,
               const char *expected)
{
  g_autofree char *text = NULL;

  g_object_get (fixture->view, "count-text", &text, NULL);
  return g_strcmp0 (text, expected) == 0;
}

static void
assert_count_text (Fixture    *fixture,
                   const char *expected)
{
  if (!SONDE_TEST_WAIT (count_text_is (fixture, expected), WAIT_MS))
    {
      g_autofree char *text = NULL;

      g_object_get (fixture->view, "count-text", &text, NULL);
      g_error ("count text: \"%s\", expected \"%s\"", text, expected);
    }
}

/* Whether every row of the view is of @direction. */
static gboolean
all_rows_are (Fixture        *fixture,
              SondeDirection  direction)
{
  GListModel *model = G_LIST_MODEL (sonde_log_view_get_model (fixture->view));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SondeMessage) message = g_list_model_get_item (model, i);

      if (sonde_message_get_direction (message) != direction)
        return FALSE;
    }
  return TRUE;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *n)
{
  (*n)++;
}

/* The count says how many messages there are and how many pass the
 * filter; the filter is typed in the entry (after its search delay) or
 * set; a bad regular expression marks the entry and keeps the rows; the
 * direction and kind toggles take rows out. */
static void
test_filter_and_count (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkWidget *filter_entry = child (fixture, "filter_entry");
  GtkWidget *placeholder = child (fixture, "placeholder");
  guint n_count_notifies = 0;

  assert_count_text (fixture, "0 messages");
  g_assert_true (gtk_widget_get_visible (placeholder));
  g_signal_connect (fixture->view, "notify::count-text", G_CALLBACK (on_notify), &n_count_notifies);

  append_mix (fixture);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 6, WAIT_MS);
  assert_count_text (fixture, "6 messages");
  g_assert_cmpuint (n_count_notifies, >, 0);   /* the label binds to it */
  g_assert_false (gtk_widget_get_visible (placeholder));

  /* Typed: the entry applies it once the user pauses. */
  gtk_editable_set_text (GTK_EDITABLE (filter_entry), "alpha");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 3, WAIT_MS);
  assert_count_text (fixture, "3 of 6 messages");
  g_assert_true (all_rows_are (fixture, SONDE_DIRECTION_IN));

  /* A regular expression, set as "filter by this" does. */
  g_assert_true (sonde_log_view_set_filter (fixture->view, "beta [01]|alpha 2", TRUE));
  g_assert_true (gtk_toggle_button_get_active (child (fixture, "regex_toggle")));
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 3, WAIT_MS);
  assert_count_text (fixture, "3 of 6 messages");
  g_assert_false (gtk_widget_has_css_class (filter_entry, "error"));

  /* One that does not compile: said on the entry, the rows stay. */
  g_assert_false (sonde_log_view_set_filter (fixture->view, "alpha (", TRUE));
  g_assert_true (gtk_widget_has_css_class (filter_entry, "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (filter_entry));
  g_assert_cmpuint (n_rows (fixture), ==, 3);
  /* Red alone does not say what is wrong: the reason shows under it. */
  {
    GtkWidget *filter_error = child (fixture, "filter_error");
    const char *said = gtk_label_get_label (GTK_LABEL (filter_error));

    g_assert_true (gtk_widget_get_visible (filter_error));
    g_assert_true (gtk_widget_get_mapped (filter_error));
    g_assert_nonnull (strstr (said, "regular expression"));
    g_assert_cmpstr (said, ==, gtk_widget_get_tooltip_text (filter_entry));
    sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "log-view-filter-error.png");
  }

  g_assert_true (sonde_log_view_set_filter (fixture->view, "", FALSE));
  g_assert_false (gtk_widget_has_css_class (filter_entry, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (filter_entry));
  g_assert_false (gtk_widget_get_visible (child (fixture, "filter_error")));
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 6, WAIT_MS);
  assert_count_text (fixture, "6 messages");

  /* Received off: the sent ones and the event stay. */
  gtk_toggle_button_set_active (child (fixture, "in_toggle"), FALSE);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 3, WAIT_MS);
  assert_count_text (fixture, "3 of 6 messages");
  g_assert_false (all_rows_are (fixture, SONDE_DIRECTION_IN));

  /* Text off as well: only the event. */
  gtk_toggle_button_set_active (child (fixture, "text_toggle"), FALSE);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 1, WAIT_MS);
  g_assert_true (all_rows_are (fixture, SONDE_DIRECTION_EVENT));
  assert_count_text (fixture, "1 of 6 messages");

  gtk_toggle_button_set_active (child (fixture, "in_toggle"), TRUE);
  gtk_toggle_button_set_active (child (fixture, "text_toggle"), TRUE);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 6, WAIT_MS);

  /* Clearing empties the view, not the log. */
  sonde_log_view_clear (fixture->view);
  g_assert_cmpuint (n_rows (fixture), ==, 0);
  assert_count_text (fixture, "0 messages");
  g_assert_true (gtk_widget_get_visible (placeholder));
  g_assert_cmpuint (sonde_message_log_get_n_records (fixture->log), ==, 6);
}

/* Paused, the rows stay as they are while the log grows, and the count
 * says how many wait; resumed, they all show. */
static void
test_pause (Fixture       *fixture,
            gconstpointer  data)
{
  guint n_paused_notifies = 0;
  gboolean paused;

  g_signal_connect (fixture->view, "notify::paused", G_CALLBACK (on_notify), &n_paused_notifies);

  append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "one");
  append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "two");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 2, WAIT_MS);

  g_object_set (fixture->view, "paused", TRUE, NULL);
  g_object_get (fixture->view, "paused", &paused, NULL);
  g_assert_true (paused);
  g_assert_true (sonde_log_view_get_paused (fixture->view));
  g_assert_cmpuint (n_paused_notifies, ==, 1);
  g_object_set (fixture->view, "paused", TRUE, NULL);
  g_assert_cmpuint (n_paused_notifies, ==, 1);   /* no change, no notify */

  /* The count keeps counting while paused, not only once. */
  assert_count_text (fixture, "2 messages · paused, 0 waiting");
  for (guint i = 0; i < 3; i++)
    append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "later");
  assert_count_text (fixture, "2 messages · paused, 3 waiting");
  append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "later still");
  assert_count_text (fixture, "2 messages · paused, 4 waiting");
  g_assert_cmpuint (n_rows (fixture), ==, 2);

  g_object_set (fixture->view, "paused", FALSE, NULL);
  g_assert_cmpuint (n_paused_notifies, ==, 2);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 6, WAIT_MS);
  assert_count_text (fixture, "6 messages");
}

static GtkAdjustment *
vadjustment (Fixture *fixture)
{
  return gtk_scrolled_window_get_vadjustment (child (fixture, "scrolled"));
}

static gboolean
at_end (Fixture *fixture)
{
  GtkAdjustment *adjustment = vadjustment (fixture);
  double upper = gtk_adjustment_get_upper (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  return upper > page && gtk_adjustment_get_value (adjustment) >= upper - page - 2;
}

static void
append_n (Fixture *fixture,
          guint    n)
{
  sonde_message_log_begin_batch (fixture->log);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"i\":%u}", i);

      append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text);
    }
  sonde_message_log_end_batch (fixture->log);
}

/* Following keeps the newest row in view. Away from it, new rows do not
 * move the view and are counted on the "new messages" button, which goes
 * back to following. */
static void
test_follow (Fixture       *fixture,
             gconstpointer  data)
{
  GtkRevealer *revealer = child (fixture, "new_messages_revealer");
  GtkButton *button = child (fixture, "new_messages_button");
  guint n_following_notifies = 0;
  gboolean following;

  g_signal_connect (fixture->view, "notify::following", G_CALLBACK (on_notify), &n_following_notifies);
  g_assert_true (sonde_log_view_get_following (fixture->view));

  append_n (fixture, 300);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 300, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (at_end (fixture), WAIT_MS);
  append_n (fixture, 50);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 350, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (at_end (fixture), WAIT_MS);
  g_assert_cmpuint (sonde_log_view_get_n_unseen (fixture->view), ==, 0);
  g_assert_false (gtk_revealer_get_reveal_child (revealer));

  /* The reader goes to the top. */
  g_object_set (fixture->view, "following", FALSE, NULL);
  g_object_get (fixture->view, "following", &following, NULL);
  g_assert_false (following);
  g_assert_cmpuint (n_following_notifies, ==, 1);
  gtk_adjustment_set_value (vadjustment (fixture), 0);
  wait_frames (fixture, 2);

  append_n (fixture, 7);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 357, WAIT_MS);
  g_assert_cmpuint (sonde_log_view_get_n_unseen (fixture->view), ==, 7);
  SONDE_TEST_ASSERT_WAIT (gtk_revealer_get_reveal_child (revealer), WAIT_MS);
  g_assert_cmpstr (gtk_button_get_label (button), ==, "7 new messages ↓");
  wait_frames (fixture, 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment (fixture)), ==, 0);
  g_assert_false (sonde_log_view_get_following (fixture->view));

  /* The button: following again, at the end. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (sonde_log_view_get_following (fixture->view));
  g_assert_cmpuint (n_following_notifies, ==, 2);
  g_assert_cmpuint (sonde_log_view_get_n_unseen (fixture->view), ==, 0);
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
  SONDE_TEST_ASSERT_WAIT (at_end (fixture), WAIT_MS);
}

static guint64
selected_seq (Fixture *fixture)
{
  g_autoptr(SondeMessage) message = NULL;

  g_object_get (fixture->view, "selected", &message, NULL);
  return message != NULL ? sonde_message_get_seq (message) : G_MAXUINT64;
}

/* Selecting a row, by seq or in the list, is the "selected" property,
 * notified; a record the filter hides cannot be selected. */
static void
test_selection (Fixture       *fixture,
                gconstpointer  data)
{
  GtkColumnView *column_view = child (fixture, "column_view");
  GtkSelectionModel *selection = gtk_column_view_get_model (column_view);
  guint n_selected_notifies = 0;
  guint64 seqs[5];

  for (guint i = 0; i < G_N_ELEMENTS (seqs); i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      seqs[i] = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text);
    }
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 5, WAIT_MS);
  g_assert_null (sonde_log_view_get_selected (fixture->view));
  g_assert_cmpuint (selected_seq (fixture), ==, G_MAXUINT64);

  g_signal_connect (fixture->view, "notify::selected", G_CALLBACK (on_notify), &n_selected_notifies);

  /* By seq, as a notification's "show this message" does: it leaves
   * follow mode so the row stays in view. */
  g_assert_true (sonde_log_view_select_seq (fixture->view, seqs[2]));
  g_assert_cmpuint (n_selected_notifies, ==, 1);
  g_assert_cmpuint (selected_seq (fixture), ==, seqs[2]);
  g_assert_false (sonde_log_view_get_following (fixture->view));

  /* In the list, as a click does. */
  g_assert_true (gtk_selection_model_select_item (selection, 4, TRUE));
  g_assert_cmpuint (n_selected_notifies, ==, 2);
  g_assert_cmpuint (selected_seq (fixture), ==, seqs[4]);
  g_assert_cmpuint (sonde_message_get_seq (sonde_log_view_get_selected (fixture->view)), ==, seqs[4]);

  gtk_selection_model_unselect_item (selection, 4);
  g_assert_cmpuint (n_selected_notifies, ==, 3);
  g_assert_null (sonde_log_view_get_selected (fixture->view));

  /* Filtered out: not there to select. */
  g_assert_true (sonde_log_view_set_filter (fixture->view, "message 1", FALSE));
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 1, WAIT_MS);
  g_assert_false (sonde_log_view_select_seq (fixture->view, seqs[3]));
  g_assert_null (sonde_log_view_get_selected (fixture->view));
  g_assert_true (sonde_log_view_select_seq (fixture->view, seqs[1]));
  g_assert_cmpuint (selected_seq (fixture), ==, seqs[1]);
}

/* The colour of the column view's pixel at the middle height of @row,
 * @x px from the row's start, as 0xRRGGBB. */
static guint32
row_pixel (Fixture   *fixture,
           GtkWidget *row,
           int        x)
{
  GtkWidget *rows = child (fixture, "column_view");
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (rows);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint8 *pixels = NULL;
  graphene_rect_t bounds;
  int width = gtk_widget_get_width (rows);
  int height = gtk_widget_get_height (rows);
  int px, py;
  const guint8 *p;

  g_assert_true (gtk_widget_compute_bounds (row, rows, &bounds));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  px = (int) bounds.origin.x + x;
  py = (int) (bounds.origin.y + bounds.size.height / 2);
  g_assert_true (px >= 0 && px < width && py >= 0 && py < height);
  p = pixels + ((gsize) py * width + px) * 4;   /* B G R A */
  return ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static int
colour_distance (guint32 a,
                 guint32 b)
{
  return ABS ((int) (a >> 16 & 0xff) - (int) (b >> 16 & 0xff)) +
         ABS ((int) (a >> 8 & 0xff) - (int) (b >> 8 & 0xff)) +
         ABS ((int) (a & 0xff) - (int) (b & 0xff));
}

static guint32
css_colour (GtkWidget *widget)
{
  GdkRGBA rgba;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &rgba);
G_GNUC_END_IGNORE_DEPRECATIONS
  return ((guint32) (rgba.red * 255) << 16) | ((guint32) (rgba.green * 255) << 8) | (guint32) (rgba.blue * 255);
}

/* The first cell of @type (@css_class) showing the record @seq. */
static GtkWidget *
cell_of_seq (Fixture    *fixture,
             GType       type,
             const char *css_class,
             guint64     seq)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  SondeFilterModel *model = sonde_log_view_get_model (fixture->view);
  guint position;

  g_assert_true (sonde_filter_model_find_seq (model, seq, &position));
  sonde_test_collect_widgets (child (fixture, "column_view"), type, css_class, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      GtkWidget *row = sonde_test_row_of (cell);
      graphene_rect_t a, b;

      /* The cell whose row is at the position's place: rows are in order,
       * so compare with the row of the first cell of the same kind. */
      if (gtk_widget_get_mapped (cell) &&
          gtk_widget_compute_bounds (row, child (fixture, "column_view"), &a) &&
          gtk_widget_compute_bounds (sonde_test_row_of (g_ptr_array_index (cells, 0)), child (fixture, "column_view"), &b) &&
          (guint) ((a.origin.y - b.origin.y) / a.size.height + 0.5) == position)
        return cell;
    }
  g_error ("no cell for record %" G_GUINT64_FORMAT, seq);
  return NULL;
}

/* The log is easy to read: the message column takes the free width;
 * directions differ by icon and colour (light and dark) and say their
 * name; the selected row looks nothing like a row under the pointer; the
 * optional Δt column gives the time since the previous row. */
static void
test_readable (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *rows = child (fixture, "column_view");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GPtrArray) previews = g_ptr_array_new ();
  GtkWidget *in_cell, *out_cell, *event_cell, *selected_row, *hover_row;
  guint32 selected, hovered, plain;
  guint64 in_seq, out_seq, event_seq, later_seq;
  gboolean show_delta = TRUE;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  /* The application's style sheet, as AdwApplication loads it. */
  gtk_css_provider_load_from_resource (css, "/io/github/sondeapp/Sonde/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  in_seq = sonde_message_log_append (fixture->log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                     g_get_real_time (), 1000000, "{\"px\": 1}", 9);
  out_seq = sonde_message_log_append (fixture->log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT,
                                      g_get_real_time (), 1250000, "{\"op\": \"sub\"}", 13);
  event_seq = append (fixture, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, "{\"protocol\":null,\"extensions\":null}");
  later_seq = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "later");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 4, WAIT_MS);
  wait_frames (fixture, 3);

  /* The message column has what the others leave. */
  sonde_test_collect_widgets (rows, GTK_TYPE_INSCRIPTION, "monospace", previews);
  g_assert_cmpuint (previews->len, >, 0);
  g_assert_cmpint (gtk_widget_get_width (g_ptr_array_index (previews, 0)), >, gtk_widget_get_width (rows) / 2);

  /* Directions: an icon each, a colour each, a name each. */
  in_cell = cell_of_seq (fixture, GTK_TYPE_IMAGE, "sonde-direction", in_seq);
  out_cell = cell_of_seq (fixture, GTK_TYPE_IMAGE, "sonde-direction", out_seq);
  event_cell = cell_of_seq (fixture, GTK_TYPE_IMAGE, "sonde-direction", event_seq);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (in_cell)), ==, "go-down-symbolic");
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (out_cell)), ==, "go-up-symbolic");
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (event_cell)), ==, "emblem-system-symbolic");
  g_assert_true (gtk_widget_has_css_class (in_cell, "in"));
  g_assert_true (gtk_widget_has_css_class (out_cell, "out"));
  g_assert_cmpint (colour_distance (css_colour (in_cell), css_colour (out_cell)), >, 120);
  g_assert_cmpint (colour_distance (css_colour (in_cell), css_colour (event_cell)), >, 120);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (fixture, 2);
  g_assert_cmpint (colour_distance (css_colour (in_cell), css_colour (out_cell)), >, 120);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "log-view-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  wait_frames (fixture, 2);

  /* The selected row against one under the pointer. */
  g_assert_true (sonde_log_view_select_seq (fixture->view, out_seq));
  wait_frames (fixture, 3);
  selected_row = sonde_test_row_of (cell_of_seq (fixture, GTK_TYPE_IMAGE, "sonde-direction", out_seq));
  hover_row = sonde_test_row_of (cell_of_seq (fixture, GTK_TYPE_IMAGE, "sonde-direction", later_seq));
  gtk_widget_set_state_flags (hover_row, GTK_STATE_FLAG_PRELIGHT, FALSE);
  wait_frames (fixture, 2);
  plain = row_pixel (fixture, sonde_test_row_of (event_cell), 200);
  hovered = row_pixel (fixture, hover_row, 200);
  selected = row_pixel (fixture, selected_row, 200);
  g_test_message ("plain %06x hovered %06x selected %06x", plain, hovered, selected);
  g_assert_cmpint (colour_distance (selected, plain), >, 3 * colour_distance (hovered, plain));
  g_assert_cmpint (colour_distance (selected, hovered), >, 40);
  gtk_widget_unset_state_flags (hover_row, GTK_STATE_FLAG_PRELIGHT);

  /* Δt: off by default, on from the header menu's action. */
  g_object_get (fixture->view, "show-delta", &show_delta, NULL);
  g_assert_false (show_delta);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.show-delta", NULL));
  g_assert_true (sonde_log_view_get_show_delta (fixture->view));
  wait_frames (fixture, 3);
  {
    g_autoptr(GPtrArray) numeric = g_ptr_array_new ();
    gboolean seen = FALSE;

    sonde_test_collect_widgets (rows, GTK_TYPE_INSCRIPTION, "numeric", numeric);
    for (guint i = 0; i < numeric->len; i++)
      seen |= g_strcmp0 (gtk_inscription_get_text (g_ptr_array_index (numeric, i)), "+0.250") == 0;
    g_assert_true (seen);
  }
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "log-view-light.png");
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css));
}

/* The text of the @css_class inscription in the row of @seq. */
static const char *
cell_text (Fixture    *fixture,
           const char *css_class,
           guint64     seq)
{
  return gtk_inscription_get_text (GTK_INSCRIPTION (cell_of_seq (fixture, GTK_TYPE_INSCRIPTION, css_class, seq)));
}

/* The Kind cell of @seq: the inscription of the row that is neither
 * numeric nor the preview and has text. */
static const char *
kind_text (Fixture *fixture,
           guint64  seq)
{
  GtkWidget *row = sonde_test_row_of (cell_of_seq (fixture, GTK_TYPE_INSCRIPTION, "monospace", seq));
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  sonde_test_collect_widgets (row, GTK_TYPE_INSCRIPTION, NULL, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);

      if (!gtk_widget_has_css_class (cell, "numeric") && !gtk_widget_has_css_class (cell, "monospace"))
        return gtk_inscription_get_text (GTK_INSCRIPTION (cell));
    }
  g_assert_not_reached ();
}

static void
on_show_frames (GObject    *object,
                GParamSpec *pspec,
                guint      *n)
{
  (*n)++;
}

/* Pings and pongs are rows: their payload as escaped text, or hex when it
 * is not UTF-8; Sonde's own marked "auto", a pong that answers no ping of
 * ours marked "unmatched"; a flood is one event row in words. The Pings
 * toggle hides them all; the Frames toggle (off at first) shows frame
 * records and says so in "show-frames". */
static void
test_pings_and_frames (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint8 bytes[] = { 0x00, 0xff, 0x01, 0x02 };
  static const char flood[] = "{\"direction\":\"in\",\"pings\":9950,\"pongs\":3,\"shown_per_second\":50}";
  static const char frame[] = "{\"opcode\":\"text\",\"fin\":true,\"rsv1\":false,\"masked\":false,\"size\":2}";
  guint64 ping, pong_auto, pong_unmatched, ping_bytes, summary, frame_seq;
  guint n_show_frames = 0;

  ping = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, "p1\ttab");
  pong_auto = sonde_message_log_append_full (fixture->log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG,
                                             SONDE_RECORD_FLAG_AUTOMATIC, g_get_real_time (),
                                             g_get_monotonic_time (), "p1\ttab", 6);
  pong_unmatched = sonde_message_log_append_full (fixture->log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG,
                                                  SONDE_RECORD_FLAG_UNMATCHED, g_get_real_time (),
                                                  g_get_monotonic_time (), "nobody-asked", 12);
  ping_bytes = sonde_message_log_append (fixture->log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING,
                                         g_get_real_time (), g_get_monotonic_time (), bytes, sizeof bytes);
  summary = append (fixture, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_PING, flood);
  frame_seq = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_FRAME, frame);
  append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "hi");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 7, WAIT_MS);
  wait_frames (fixture, 3);

  g_assert_cmpstr (kind_text (fixture, ping), ==, "ping");
  g_assert_cmpstr (cell_text (fixture, "monospace", ping), ==, "p1\\ttab");
  g_assert_cmpstr (kind_text (fixture, pong_auto), ==, "pong · auto");
  g_assert_cmpstr (kind_text (fixture, pong_unmatched), ==, "pong · unmatched");
  g_assert_true (gtk_widget_has_css_class (cell_of_seq (fixture, GTK_TYPE_INSCRIPTION, "monospace", pong_unmatched),
                                           "unmatched"));
  g_assert_false (gtk_widget_has_css_class (cell_of_seq (fixture, GTK_TYPE_INSCRIPTION, "monospace", ping),
                                            "unmatched"));
  g_assert_cmpstr (cell_text (fixture, "monospace", ping_bytes), ==, "00 ff 01 02");
  g_assert_cmpstr (cell_text (fixture, "monospace", summary), ==,
                   "Received 9950 more pings and 3 pongs within 1 s: counted, not shown one by one "
                   "(the log shows 50 a second)");
  /* A frame record in words, its size its frame's. */
  g_assert_cmpstr (cell_text (fixture, "monospace", frame_seq), ==, "text · FIN");
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "log-view-pings.png");

  /* Pings off: the pings, the pongs and the flood's count go. */
  gtk_toggle_button_set_active (child (fixture, "pings_toggle"), FALSE);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 2, WAIT_MS);
  gtk_toggle_button_set_active (child (fixture, "pings_toggle"), TRUE);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 7, WAIT_MS);

  /* Frames: off at first; on, it says so; off again, the frames made
   * meanwhile are hidden. */
  g_assert_false (sonde_log_view_get_show_frames (fixture->view));
  g_assert_false (gtk_toggle_button_get_active (child (fixture, "frames_toggle")));
  g_signal_connect (fixture->view, "notify::show-frames", G_CALLBACK (on_show_frames), &n_show_frames);
  gtk_toggle_button_set_active (child (fixture, "frames_toggle"), TRUE);
  g_assert_true (sonde_log_view_get_show_frames (fixture->view));
  g_assert_cmpuint (n_show_frames, ==, 1);
  sonde_log_view_set_show_frames (fixture->view, FALSE);
  g_assert_cmpuint (n_show_frames, ==, 2);
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 6, WAIT_MS);
  {
    guint position;

    g_assert_false (sonde_filter_model_find_seq (sonde_log_view_get_model (fixture->view), frame_seq, &position));
  }
  g_signal_handlers_disconnect_by_func (fixture->view, on_show_frames, &n_show_frames);
}

/* The mark before a message's preview: the preview's sibling. */
static GtkWidget *
integrity_mark_of (Fixture *fixture,
                   guint64  seq)
{
  GtkWidget *preview = cell_of_seq (fixture, GTK_TYPE_INSCRIPTION, "monospace", seq);
  GtkWidget *mark = gtk_widget_get_prev_sibling (preview);

  g_assert_true (GTK_IS_IMAGE (mark));
  g_assert_true (gtk_widget_has_css_class (mark, "sonde-integrity-mark"));
  return mark;
}

/* With a feed-integrity checker, the messages where it found a gap or a
 * duplicate have a mark before their preview (its tooltip says which);
 * the others have none; without the checker, none has. */
static void
test_integrity_marks (Fixture       *fixture,
                      gconstpointer  data)
{
  SondeIntegrity *integrity = fixture->integrity;
  g_autoptr(JsonNode) rules = json_from_string ("{\"sequence\": {\"path\": \"$.seq\", \"key\": \"$.sym\"}}", NULL);
  g_autofree char *described = NULL;
  guint64 first, clean, gap, dup;

  g_assert_true (sonde_integrity_set_rules (integrity, rules, NULL));
  sonde_log_view_set_integrity (fixture->view, integrity);

  first = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\": \"ABC\", \"seq\": 40}");
  clean = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\": \"ABC\", \"seq\": 41}");
  gap = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\": \"ABC\", \"seq\": 45}");
  dup = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\": \"ABC\", \"seq\": 45}");
  append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "{\"sym\": \"XYZ\", \"seq\": 1}");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 5, WAIT_MS);
  wait_frames (fixture, 3);

  g_assert_false (gtk_widget_get_visible (integrity_mark_of (fixture, first)));
  g_assert_false (gtk_widget_get_visible (integrity_mark_of (fixture, clean)));
  g_assert_true (gtk_widget_get_visible (integrity_mark_of (fixture, gap)));
  g_assert_true (gtk_widget_get_mapped (integrity_mark_of (fixture, gap)));
  g_assert_true (gtk_widget_get_has_tooltip (integrity_mark_of (fixture, gap)));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (integrity_mark_of (fixture, gap))), ==,
                   "emblem-important-symbolic");
  g_assert_true (gtk_widget_get_visible (integrity_mark_of (fixture, dup)));
  described = sonde_integrity_describe_record (integrity, gap);
  g_assert_cmpstr (described, ==, "gap: 3 missing after seq 41 (ABC)");
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "log-view-integrity.png");
  {
    /* The tooltip is asked for, and answered, at the mark. */
    g_autoptr(GObject) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
    gboolean answered = FALSE;

    g_signal_emit_by_name (integrity_mark_of (fixture, gap), "query-tooltip", 2, 2, FALSE, tooltip, &answered);
    g_assert_true (answered);
  }

  /* Without the checker, the rows are made again without marks. */
  sonde_log_view_set_integrity (fixture->view, NULL);
  wait_frames (fixture, 3);
  g_assert_false (gtk_widget_get_visible (integrity_mark_of (fixture, gap)));
  g_assert_false (gtk_widget_get_visible (integrity_mark_of (fixture, dup)));
}

static gboolean
focus_in (Fixture   *fixture,
          GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* The log is one Tab stop, with arrows inside: Tab from a row leaves the
 * rows (GTK 4.8 made every row a stop: 32 presses never left the log),
 * Shift+Tab goes back to the filter bar, and Tab from there comes back to
 * the rows. */
static void
test_one_tab_stop (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *rows = child (fixture, "column_view");
  GtkWidget *filter_bar = child (fixture, "filter_bar");
  GtkWidget *window = GTK_WIDGET (fixture->window);
  guint64 seq = 0;

  /* Empty: Tab from the filter bar reaches the placeholder's button. */
  sonde_log_view_set_placeholder (fixture->view, "Nothing yet", NULL, "Show Δt", "log.show-delta");
  gtk_widget_grab_focus (GTK_WIDGET (child (fixture, "frames_toggle")));  /* the bar's last */
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  g_assert_true (focus_in (fixture, child (fixture, "placeholder_button")));

  for (guint i = 0; i < 40; i++)
    seq = append (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "row");
  SONDE_TEST_ASSERT_WAIT (n_rows (fixture) == 40, WAIT_MS);
  wait_frames (fixture, 2);

  g_assert_true (sonde_log_view_select_seq (fixture->view, seq - 3));
  wait_frames (fixture, 2);
  g_assert_true (gtk_widget_grab_focus (rows));
  g_assert_true (focus_in (fixture, rows));

  /* What Tab does in a window: move the focus forward. */
  gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD);
  g_assert_false (focus_in (fixture, rows));

  /* Back into the rows from the filter bar, and out backwards to it. */
  gtk_widget_grab_focus (GTK_WIDGET (child (fixture, "frames_toggle")));  /* the bar's last */
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  g_assert_true (focus_in (fixture, rows));
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_BACKWARD));
  g_assert_true (focus_in (fixture, filter_bar));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/log-view/filter-and-count", test_filter_and_count);
  ADD ("/log-view/pause", test_pause);
  ADD ("/log-view/follow", test_follow);
  ADD ("/log-view/selection", test_selection);
  ADD ("/log-view/one-tab-stop", test_one_tab_stop);
  ADD ("/log-view/readable", test_readable);
  ADD ("/log-view/pings-and-frames", test_pings_and_frames);
#undef ADD
  g_test_add ("/log-view/integrity-marks", Fixture, NULL, fixture_setup_connection, test_integrity_marks,
              fixture_teardown);

  return sonde_test_gui_run ();
}
