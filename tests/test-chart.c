/* test-chart.c: SondeChart drawn to pixels, and charts in the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SondeChart in a GtkWindow under Xvfb, on a fixed clock and fixed y
 * limits, with series of known points. Each frame it paints is read back
 * as pixels (the after-paint of the frame clock, as tests/sonde-test-gui.c
 * does) and the line is looked for where it must be: at the y of its value
 * over the time its points cover, and nowhere in a gap. Then the window:
 * "Chart a Field" from the detail of a demo tick, the charts panel's own
 * Add, and CSV export.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-chart.h"
#include "sonde-charts-panel.h"
#include "sonde-demo-server.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

#define WIDTH  600
#define HEIGHT 300

/* 2025-11-26T01:39:55Z */
#define T0 G_GINT64_CONSTANT (1764121195000000)
#define S  ((gint64) G_USEC_PER_SEC)

typedef struct {
  GtkWidget  *window;
  SondeChart *chart;
  gint64      now;
  guint       n_frames;
  guint       tick_id;
} Fixture;

static gint64
fixed_now (gpointer data)
{
  return *(gint64 *) data;
}

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
  fixture->chart = SONDE_CHART (sonde_chart_new ());
  fixture->now = T0 + 60 * S;

  sonde_chart_set_now_func (fixture->chart, fixed_now, &fixture->now);
  sonde_chart_set_y_limits (fixture->chart, FALSE, 0, 30);
  fixture->window = GTK_WIDGET (sonde_test_present (GTK_WIDGET (fixture->chart), WIDTH, HEIGHT));
  fixture->tick_id = gtk_widget_add_tick_callback (fixture->window, count_frame, fixture, NULL);

  /* The pointer may be anywhere on the screen: no crosshair unless set. */
  sonde_chart_set_crosshair (fixture->chart, -1);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_widget_remove_tick_callback (fixture->window, fixture->tick_id);
  g_object_add_weak_pointer (G_OBJECT (fixture->chart), (gpointer *) &fixture->chart);
  sonde_test_destroy_window (GTK_WINDOW (g_steal_pointer (&fixture->window)));
  SONDE_TEST_ASSERT_WAIT (fixture->chart == NULL, WAIT_MS);
}

/* Lets @n frames of the window's clock go by. */
static void
wait_frames (Fixture *fixture,
             guint    n)
{
  guint until = fixture->n_frames + n;

  SONDE_TEST_ASSERT_WAIT (fixture->n_frames >= until, WAIT_MS);
}

/* Pixels */

typedef struct {
  int     width;
  int     height;
  gsize   stride;
  guchar *data;     /* GDK_MEMORY_DEFAULT: B, G, R, A premultiplied */
} Pixels;

static void
pixels_free (Pixels *pixels)
{
  g_free (pixels->data);
  g_free (pixels);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pixels, pixels_free)

static Pixels *
pixels_from_texture (GdkTexture *texture)
{
  Pixels *pixels = g_new0 (Pixels, 1);

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);
  return pixels;
}

typedef struct {
  GtkWidget     *widget;
  GskRenderNode *node;
  int            width;
  int            height;
} Capture;

/* Right after a frame is painted the widget's layout and drawing are up to
 * date: take its render node, on white. */
static void
on_after_paint (GdkFrameClock *clock,
                Capture       *capture)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  GdkRGBA white = { 1, 1, 1, 1 };

  if (capture->node != NULL)
    return;

  capture->width = gtk_widget_get_width (capture->widget);
  capture->height = gtk_widget_get_height (capture->widget);
  paintable = gtk_widget_paintable_new (capture->widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &white, &GRAPHENE_RECT_INIT (0, 0, capture->width, capture->height));
  gdk_paintable_snapshot (paintable, snapshot, capture->width, capture->height);
  capture->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* What the chart shows after its next frame. */
static Pixels *
render (Fixture *fixture)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture->chart));
  g_autoptr(GdkTexture) texture = NULL;
  Capture capture = { GTK_WIDGET (fixture->chart), NULL, 0, 0 };
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &capture);
  gtk_widget_queue_draw (GTK_WIDGET (fixture->chart));
  SONDE_TEST_ASSERT_WAIT (capture.node != NULL, WAIT_MS);
  g_signal_handler_disconnect (clock, handler);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (GTK_WIDGET (fixture->chart))),
                                         capture.node, &GRAPHENE_RECT_INIT (0, 0, capture.width, capture.height));
  gsk_render_node_unref (capture.node);
  return pixels_from_texture (texture);
}

/* How much of @color covers the pixel at (x, y) over white, 0 to 1, or 0
 * when the pixel is not a blend of @color and white (grey grid lines and
 * black text are not). */
static double
coverage (const Pixels  *pixels,
          int            x,
          int            y,
          const GdkRGBA *color)
{
  const guchar *p;
  double r, g, b, cover_r, cover_g, cover_b;

  if (x < 0 || y < 0 || x >= pixels->width || y >= pixels->height)
    return 0;

  p = pixels->data + (gsize) y * pixels->stride + (gsize) x * 4;
  b = p[0] / 255.0;
  g = p[1] / 255.0;
  r = p[2] / 255.0;
  cover_r = (1 - r) / (1 - color->red);
  cover_g = (1 - g) / (1 - color->green);
  cover_b = (1 - b) / (1 - color->blue);
  /* The three channels must agree on how much of the colour is there;
   * blue, the smallest difference from white, only roughly. */
  if (fabs (cover_r - cover_g) > 0.2 || fabs (cover_r - cover_b) > 0.5)
    return 0;
  return CLAMP (cover_r, 0, 1);
}

static gboolean
is_series (const Pixels  *pixels,
           int            x,
           int            y,
           const GdkRGBA *color)
{
  return coverage (pixels, x, y, color) >= 0.5;
}

/* Rows of the column @x in [y0, y1] where the series colour is. */
static guint
count_in_column (const Pixels  *pixels,
                 int            x,
                 int            y0,
                 int            y1,
                 const GdkRGBA *color)
{
  guint n = 0;

  for (int y = MAX (0, y0); y <= MIN (pixels->height - 1, y1); y++)
    n += is_series (pixels, x, y, color);
  return n;
}

static double
x_of (SondeChart *chart,
      gint64      time_us)
{
  double x = -1;

  g_assert_true (sonde_chart_time_to_x (chart, time_us, &x));
  return x;
}

static double
y_of (SondeChart *chart,
      double      value)
{
  double y = -1;

  g_assert_true (sonde_chart_value_to_y (chart, value, &y));
  return y;
}

/* A flat line at @value from @start to @end, a point every @step. */
static void
append_flat (SondeSeries *series,
             gint64       start,
             gint64       end,
             gint64       step,
             double       value)
{
  for (gint64 t = start; t <= end; t += step)
    sonde_series_append (series, t, value);
}

/* Checks the columns strictly inside [x0, x1]: the series colour is near
 * @y and nowhere else between @top and @bottom. */
static void
assert_line (const Pixels  *pixels,
             double         x0,
             double         x1,
             double         y,
             int            top,
             int            bottom,
             const GdkRGBA *color)
{
  guint n_columns = 0;

  for (int x = (int) ceil (x0) + 2; x <= (int) floor (x1) - 2; x++)
    {
      guint near = count_in_column (pixels, x, (int) floor (y) - 2, (int) floor (y) + 2, color);
      guint all = count_in_column (pixels, x, top, bottom, color);

      if (near == 0 || near != all)
        g_error ("column %d: %u pixels of the line within 2 px of y %.1f, %u in the whole plot", x, near, y, all);
      n_columns++;
    }
  g_assert_cmpuint (n_columns, >, 20);
}

/* Checks that no column strictly inside (x0, x1) has the series colour
 * between @top and @bottom. */
static void
assert_empty (const Pixels  *pixels,
              double         x0,
              double         x1,
              int            top,
              int            bottom,
              const GdkRGBA *color)
{
  guint n_columns = 0;

  for (int x = (int) floor (x0) + 3; x <= (int) ceil (x1) - 3; x++)
    {
      guint all = count_in_column (pixels, x, top, bottom, color);

      if (all != 0)
        g_error ("column %d: %u pixels of the line where there must be none", x, all);
      n_columns++;
    }
  g_assert_cmpuint (n_columns, >, 20);
}

/* Known data drawn where it must be: a flat line at 10 from t0 to t1, a
 * gap, a flat line at 20 from t2 to t3, nothing elsewhere. The line is
 * never drawn across the gap. @data: the milliseconds between points, a
 * tenth of a column (each column's values make its piece of line) or a
 * dozen columns (lines join the values across columns without any). */
static void
test_render_known_data (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(Pixels) pixels = NULL;
  gint64 t0 = T0 + 5 * S, t1 = T0 + 20 * S, t2 = T0 + 30 * S, t3 = T0 + 50 * S;
  gint64 step = GPOINTER_TO_INT (data) * (gint64) 1000;
  gint64 start, end;
  double y10, y20;
  int top, bottom;
  GdkRGBA color;

  append_flat (series, t0, t1, step, 10);
  sonde_series_append_gap (series, T0 + 25 * S);
  append_flat (series, t2, t3, step, 20);
  g_assert_cmpuint (sonde_chart_add_series (fixture->chart, series, "flat"), ==, 0);
  sonde_chart_get_color (fixture->chart, 0, &color);

  pixels = render (fixture);
  g_assert_cmpint (pixels->width, ==, gtk_widget_get_width (GTK_WIDGET (fixture->chart)));
  g_assert_cmpint (pixels->width, >=, 400);
  g_assert_cmpint (pixels->height, >=, 200);

  /* The last minute up to the fixed now, y from 0 to 30 as fixed. */
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  g_assert_cmpint (start, ==, T0);
  g_assert_cmpint (end, ==, T0 + 60 * S);
  {
    double min, max;

    sonde_chart_get_y_range (fixture->chart, &min, &max);
    g_assert_cmpfloat (min, ==, 0);
    g_assert_cmpfloat (max, ==, 30);
  }

  y10 = y_of (fixture->chart, 10);
  y20 = y_of (fixture->chart, 20);
  top = (int) ceil (y_of (fixture->chart, 30));
  bottom = (int) floor (y_of (fixture->chart, 0)) - 1;
  g_assert_cmpfloat (y20, <, y10 - 20);

  assert_line (pixels, x_of (fixture->chart, t0), x_of (fixture->chart, t1), y10, top, bottom, &color);
  assert_line (pixels, x_of (fixture->chart, t2), x_of (fixture->chart, t3), y20, top, bottom, &color);
  /* The gap: no line from 10 to 20, no interpolation. */
  assert_empty (pixels, x_of (fixture->chart, t1), x_of (fixture->chart, t2), top, bottom, &color);
  /* Before the first point and after the last: nothing. */
  assert_empty (pixels, x_of (fixture->chart, start), x_of (fixture->chart, t0), top, bottom, &color);
  assert_empty (pixels, x_of (fixture->chart, t3), x_of (fixture->chart, end), top, bottom, &color);

  if (step < S)
    sonde_test_save_screenshot (GTK_WIDGET (fixture->chart), "chart-known-data.png");
}

/* One value per column, alternating between 5 and 25: the line goes up
 * and down from column to column, so every column between the first and
 * the last value shows it over the whole height between the two. */
static void
test_render_steep (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(Pixels) pixels = NULL;
  gint64 start, end;
  double column_us;
  int first = 100, last = 300;
  int top, bottom;
  GdkRGBA color;

  /* The first drawing gives the columns' times. */
  sonde_series_append (series, T0 + 30 * S, 15);
  sonde_chart_add_series (fixture->chart, series, "steep");
  sonde_chart_get_color (fixture->chart, 0, &color);
  pixels = render (fixture);
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  column_us = (end - start) / (x_of (fixture->chart, end) - x_of (fixture->chart, start));

  sonde_series_clear (series);
  for (int i = first; i <= last; i++)
    sonde_series_append (series, start + (gint64) ((i + 0.5) * column_us), i % 2 ? 25 : 5);
  g_clear_pointer (&pixels, pixels_free);
  pixels = render (fixture);

  top = (int) ceil (y_of (fixture->chart, 25)) + 2;
  bottom = (int) floor (y_of (fixture->chart, 5)) - 2;
  g_assert_cmpint (bottom - top, >, 20);
  for (int i = first + 1; i <= last; i++)
    {
      int x = (int) floor (x_of (fixture->chart, start + (gint64) ((i + 0.5) * column_us)));
      guint n = count_in_column (pixels, x, top, bottom, &color);

      if (n != (guint) (bottom - top + 1))
        g_error ("column %d: the line covers %u of the %d rows between its values", x, n, bottom - top + 1);
    }
  /* One bar per column, each with two ends (the first one's is flat). */
  g_assert_cmpuint (sonde_chart_get_n_vertices (fixture->chart), ==, 2 * (last - first) + 1);
}

/* Two series in their own colours, and a point alone between gaps shows
 * (as a dot), where the gap on either side leaves nothing to join. */
static void
test_render_lone_point (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(SondeSeries) other = sonde_series_new (0);
  g_autoptr(Pixels) pixels = NULL;
  GdkRGBA color, other_color;
  double x, y;
  double best = 0;

  sonde_series_append_gap (series, T0 + 20 * S);
  sonde_series_append (series, T0 + 30 * S, 15);
  sonde_series_append_gap (series, T0 + 40 * S);
  append_flat (other, T0 + 10 * S, T0 + 50 * S, S, 5);
  sonde_chart_add_series (fixture->chart, series, "lone");
  sonde_chart_add_series (fixture->chart, other, "other");
  sonde_chart_get_color (fixture->chart, 0, &color);
  sonde_chart_get_color (fixture->chart, 1, &other_color);
  g_assert_false (gdk_rgba_equal (&color, &other_color));

  pixels = render (fixture);
  x = x_of (fixture->chart, T0 + 30 * S);
  y = y_of (fixture->chart, 15);
  for (int dx = -2; dx <= 2; dx++)
    for (int dy = -2; dy <= 2; dy++)
      best = MAX (best, coverage (pixels, (int) floor (x) + dx, (int) floor (y) + dy, &color));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->chart), "chart-lone-point.png");
  g_test_message ("the lone point covers %.2f of a pixel at most", best);
  g_assert_cmpfloat (best, >=, 0.5);

  /* The other series, in its own colour, at 5. */
  y = y_of (fixture->chart, 5);
  g_assert_cmpuint (count_in_column (pixels, (int) x_of (fixture->chart, T0 + 30 * S), (int) y - 2, (int) y + 2,
                                     &other_color), >, 0);
}

/* The chart draws again only when something changed: not while nothing
 * moves, once after an append, once when the window moves by a pixel. */
static void
test_redraw_only_on_change (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  guint draws;
  gint64 start, end;
  double pixel_us;

  append_flat (series, T0, T0 + 50 * S, S, 10);
  sonde_chart_add_series (fixture->chart, series, "flat");

  /* Everything in view: the window moves only with the data. */
  sonde_chart_set_window (fixture->chart, SONDE_CHART_WINDOW_ALL);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_draws (fixture->chart) > 0, WAIT_MS);
  wait_frames (fixture, 3);
  draws = sonde_chart_get_n_draws (fixture->chart);
  wait_frames (fixture, 10);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws);

  sonde_series_append (series, T0 + 51 * S, 11);
  wait_frames (fixture, 10);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws + 1);
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  g_assert_cmpint (end, ==, T0 + 51 * S + 1);

  /* The last minute on a clock that stands still: no redraw; a step
   * shorter than a pixel: none either; a step of a pixel or more: one. */
  sonde_chart_set_window (fixture->chart, 60 * S);
  wait_frames (fixture, 3);
  draws = sonde_chart_get_n_draws (fixture->chart);
  wait_frames (fixture, 10);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws);

  pixel_us = 60.0 * S / (x_of (fixture->chart, T0 + 60 * S) - x_of (fixture->chart, T0));
  g_assert_cmpfloat (pixel_us, >, 1000);
  fixture->now += (gint64) (pixel_us / 2);
  wait_frames (fixture, 10);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws);

  fixture->now += (gint64) pixel_us;
  wait_frames (fixture, 10);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws + 1);
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  g_assert_cmpint (end, ==, fixture->now);
}

/* About one vertex per pixel column, however many points are in view; a
 * vertex per point when they are fewer than the columns. */
static guint64
receive_at (SondeConnection *connection,
            gint64           wall_us,
            const char      *text)
{
  return sonde_message_log_append (sonde_connection_get_log (connection), SONDE_DIRECTION_IN,
                                   SONDE_MESSAGE_KIND_TEXT, wall_us, g_get_monotonic_time (), text, strlen (text));
}

/* A feed-integrity checker's gaps (red) and duplicates (orange) are
 * vertical markers at their messages' time, over the plot's height; a new
 * one redraws the chart. */
static void
test_integrity_markers (Fixture       *fixture,
                        gconstpointer  data)
{
  static const GdkRGBA red = { 0.878f, 0.106f, 0.141f, 1 };
  static const GdkRGBA orange = { 0.902f, 0.380f, 0.0f, 1 };
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeIntegrity) integrity = sonde_integrity_new (connection);
  g_autoptr(JsonNode) rules = json_from_string ("{\"sequence\": {\"path\": \"$.seq\"}}", NULL);
  g_autoptr(Pixels) pixels = NULL;
  guint draws;
  int gap_x, dup_x, clean_x, y;

  g_assert_true (sonde_integrity_set_rules (integrity, rules, NULL));
  receive_at (connection, T0 + 10 * S, "{\"seq\": 1}");
  receive_at (connection, T0 + 20 * S, "{\"seq\": 5}");
  receive_at (connection, T0 + 30 * S, "{\"seq\": 5}");
  receive_at (connection, T0 + 40 * S, "{\"seq\": 6}");
  g_assert_cmpuint (sonde_integrity_get_n_kept (integrity), ==, 2);

  append_flat (series, T0, T0 + 50 * S, S, 10);
  sonde_chart_add_series (fixture->chart, series, "flat");
  sonde_chart_set_integrity (fixture->chart, integrity);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_markers (fixture->chart) == 2, WAIT_MS);

  pixels = render (fixture);
  gap_x = (int) floor (x_of (fixture->chart, T0 + 20 * S));
  dup_x = (int) floor (x_of (fixture->chart, T0 + 30 * S));
  clean_x = (int) floor (x_of (fixture->chart, T0 + 40 * S));
  y = (int) y_of (fixture->chart, 22);   /* between grid lines */
  g_assert_true (is_series (pixels, gap_x, y, &red));
  g_assert_true (is_series (pixels, dup_x, y, &orange));
  g_assert_false (is_series (pixels, clean_x, y, &red));
  g_assert_false (is_series (pixels, clean_x, y, &orange));
  /* Over the plot's height (but where grid lines and the series cross). */
  g_assert_cmpuint (count_in_column (pixels, gap_x, (int) y_of (fixture->chart, 30), (int) y_of (fixture->chart, 0), &red),
                    >=, (guint) ((y_of (fixture->chart, 0) - y_of (fixture->chart, 30)) * 0.8));

  /* A new violation redraws. */
  wait_frames (fixture, 3);
  draws = sonde_chart_get_n_draws (fixture->chart);
  receive_at (connection, T0 + 45 * S, "{\"seq\": 9}");
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_markers (fixture->chart) == 3, WAIT_MS);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), >, draws);

  sonde_chart_set_integrity (fixture->chart, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_markers (fixture->chart) == 0, WAIT_MS);
}

static void
test_vertices_per_column (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SondeSeries) a = sonde_series_new (0);
  g_autoptr(SondeSeries) b = sonde_series_new (0);
  g_autoptr(SondeSeries) sparse = sonde_series_new (0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(Pixels) pixels = NULL;
  double walk = 10;
  int width;
  guint index;

  for (guint i = 0; i < 200000; i++)
    {
      walk += g_rand_double_range (rand, -0.5, 0.5);
      sonde_series_append (a, T0 + (gint64) i * 250, CLAMP (walk, 1, 29));
      sonde_series_append (b, T0 + (gint64) i * 250, 30 - CLAMP (walk, 1, 29));
    }
  sonde_chart_set_window (fixture->chart, SONDE_CHART_WINDOW_ALL);
  sonde_chart_add_series (fixture->chart, a, "a");
  sonde_chart_add_series (fixture->chart, b, "b");

  pixels = render (fixture);
  width = gtk_widget_get_width (GTK_WIDGET (fixture->chart));
  g_assert_cmpint (width, >=, 400);
  g_test_message ("%u vertices for 2 × 200,000 points in %d columns", sonde_chart_get_n_vertices (fixture->chart), width);
  g_assert_cmpuint (sonde_chart_get_n_vertices (fixture->chart), <=, 4 * (guint) width * 2);
  g_assert_cmpuint (sonde_chart_get_n_vertices (fixture->chart), >=, (guint) width);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->chart), "chart-dense.png");

  /* Five points far apart: five vertices. */
  sonde_chart_remove_series (fixture->chart, 1);
  sonde_chart_remove_series (fixture->chart, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (fixture->chart), ==, 0);
  for (guint i = 0; i < 5; i++)
    sonde_series_append (sparse, T0 + (gint64) i * 10 * S, i);
  index = sonde_chart_add_series (fixture->chart, sparse, "sparse");
  g_assert_cmpuint (index, ==, 0);
  g_assert_true (sonde_chart_get_series (fixture->chart, 0) == sparse);
  g_assert_cmpstr (sonde_chart_get_label (fixture->chart, 0), ==, "sparse");
  g_clear_pointer (&pixels, pixels_free);
  pixels = render (fixture);
  g_assert_cmpuint (sonde_chart_get_n_vertices (fixture->chart), ==, 5);
}

static char *
local_time (gint64 time_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (time, "%H:%M:%S");

  return g_strdup_printf ("%s.%03d", text, (int) (time_us % G_USEC_PER_SEC / 1000));
}

/* The crosshair: the time under it and each series' value there; nothing
 * where a series has no value yet, or inside a gap. */
static void
test_crosshair_text (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(SondeSeries) other = sonde_series_new (0);
  g_autoptr(Pixels) pixels = NULL;
  static const struct {
    gint64      at;
    const char *flat;
    const char *other;
  } cases[] = {
    { T0 + 10 * S + 500, "10", "—" },
    { T0 + 42 * S + 250500, "20", "-1.5" },
    { T0 + 2 * S + 500, "—", "—" },
    { T0 + 27 * S + 500, "—", "—" },
    { T0 + 55 * S + 500, "20", "-1.5" },
  };

  append_flat (series, T0 + 5 * S, T0 + 20 * S, S / 10, 10);
  sonde_series_append_gap (series, T0 + 25 * S);
  append_flat (series, T0 + 30 * S, T0 + 50 * S, S / 10, 20);
  append_flat (other, T0 + 40 * S, T0 + 50 * S, S, -1.5);
  sonde_chart_add_series (fixture->chart, series, "flat");
  sonde_chart_add_series (fixture->chart, other, "other");

  /* No crosshair: no text. */
  pixels = render (fixture);
  g_assert_null (sonde_chart_dup_crosshair_text (fixture->chart));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *time_text = local_time (cases[i].at);
      g_autofree char *expected = g_strdup_printf ("%s\nflat: %s\nother: %s", time_text, cases[i].flat, cases[i].other);
      g_autofree char *text = NULL;

      sonde_chart_set_crosshair (fixture->chart, x_of (fixture->chart, cases[i].at));
      text = sonde_chart_dup_crosshair_text (fixture->chart);
      g_assert_cmpstr (text, ==, expected);
    }

  /* Drawn: it redraws, and the plot shows the vertical line. */
  g_clear_pointer (&pixels, pixels_free);
  pixels = render (fixture);
  sonde_chart_set_crosshair (fixture->chart, -1);
  g_assert_null (sonde_chart_dup_crosshair_text (fixture->chart));
}

/* Paused, the time range stays where it was while points go on arriving;
 * resumed, it jumps to now. */
static void
test_pause_freezes_range (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  gint64 start, end, frozen_start, frozen_end;
  guint draws;

  sonde_chart_set_window (fixture->chart, 10 * S);
  append_flat (series, T0 + 50 * S, T0 + 60 * S, S / 10, 10);
  sonde_chart_add_series (fixture->chart, series, "flat");
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_draws (fixture->chart) > 0, WAIT_MS);
  wait_frames (fixture, 2);
  sonde_chart_get_time_range (fixture->chart, &frozen_start, &frozen_end);
  g_assert_cmpint (frozen_end, ==, T0 + 60 * S);
  g_assert_cmpint (frozen_start, ==, T0 + 50 * S);

  sonde_chart_set_paused (fixture->chart, TRUE);
  g_assert_true (sonde_chart_get_paused (fixture->chart));
  wait_frames (fixture, 3);
  draws = sonde_chart_get_n_draws (fixture->chart);

  /* Time goes on and points keep coming. */
  for (int i = 1; i <= 30; i++)
    {
      fixture->now = T0 + 60 * S + i * S / 10;
      sonde_series_append (series, fixture->now, 12);
      wait_frames (fixture, 1);
    }
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 101 + 30);
  g_assert_cmpuint (sonde_chart_get_n_draws (fixture->chart), ==, draws);
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  g_assert_cmpint (start, ==, frozen_start);
  g_assert_cmpint (end, ==, frozen_end);

  /* Drawn while paused (a resize, an export): still the frozen range. */
  {
    g_autoptr(Pixels) pixels = render (fixture);

    sonde_chart_get_time_range (fixture->chart, &start, &end);
    g_assert_cmpint (end, ==, frozen_end);
  }

  sonde_chart_set_paused (fixture->chart, FALSE);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_draws (fixture->chart) > draws + 1, WAIT_MS);
  sonde_chart_get_time_range (fixture->chart, &start, &end);
  g_assert_cmpint (end, ==, fixture->now);
  g_assert_cmpint (start, ==, fixture->now - 10 * S);
}

/* Save as PNG: a picture of the chart at its size, with the line in it. */
static void
test_save_png (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SondeSeries) series = sonde_series_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) pixels = NULL;
  g_autoptr(Pixels) shown = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-test-chart-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *bad_path = NULL;
  GdkRGBA color;
  double x, y;

  g_assert_no_error (error);
  path = g_build_filename (dir, "chart.png", NULL);
  bad_path = g_build_filename (dir, "no-such-dir", "chart.png", NULL);
  append_flat (series, T0 + 5 * S, T0 + 55 * S, S / 10, 10);
  sonde_chart_add_series (fixture->chart, series, "flat");
  sonde_chart_get_color (fixture->chart, 0, &color);
  shown = render (fixture);

  g_assert_true (sonde_chart_save_png (fixture->chart, path, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (fixture->chart)));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (GTK_WIDGET (fixture->chart)));

  /* The line is where the window shows it (the PNG is on the view's
   * background, white here too). */
  pixels = pixels_from_texture (texture);
  x = x_of (fixture->chart, T0 + 30 * S);
  y = y_of (fixture->chart, 10);
  g_assert_cmpuint (count_in_column (pixels, (int) x, (int) y - 2, (int) y + 2, &color), >, 0);
  g_assert_cmpuint (count_in_column (shown, (int) x, (int) y - 2, (int) y + 2, &color), >, 0);

  g_assert_false (sonde_chart_save_png (fixture->chart, bad_path, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A split chart's legend: one entry per series, and a dim last line (the
 * note: what the split left out) that moves the plot down one line. */
static void
test_split_legend (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const syms[] = { "$.sym = QQQ", "$.sym = SPY", "$.sym = IWM" };
  g_autoptr(Pixels) before = NULL;
  g_autoptr(Pixels) after = NULL;
  double top_before, top_after;
  int min_before, min_after, note_y;
  guint dark_before = 0, dark_after = 0;

  for (guint i = 0; i < G_N_ELEMENTS (syms); i++)
    {
      g_autoptr(SondeSeries) series = sonde_series_new (0);

      append_flat (series, T0 + 5 * S, T0 + 50 * S, S, 5 + 5 * i);
      g_assert_cmpuint (sonde_chart_add_series (fixture->chart, series, syms[i]), ==, i);
    }
  g_assert_null (sonde_chart_get_note (fixture->chart));
  before = render (fixture);
  top_before = y_of (fixture->chart, 30);
  gtk_widget_measure (GTK_WIDGET (fixture->chart), GTK_ORIENTATION_VERTICAL, -1, &min_before, NULL, NULL, NULL);

  sonde_chart_set_note (fixture->chart, "$.sym: other (past 8 lines, not charted): 2 values, 6 messages");
  g_assert_cmpstr (sonde_chart_get_note (fixture->chart), ==,
                   "$.sym: other (past 8 lines, not charted): 2 values, 6 messages");
  after = render (fixture);
  top_after = y_of (fixture->chart, 30);
  gtk_widget_measure (GTK_WIDGET (fixture->chart), GTK_ORIENTATION_VERTICAL, -1, &min_after, NULL, NULL, NULL);
  g_assert_cmpfloat (top_after - top_before, ==, 18);
  g_assert_cmpint (min_after - min_before, ==, 18);

  /* Text on the note's line (below the three entries), left of where
   * the numbers of the entries above end; none there before. */
  note_y = 8 + 3 * 18;
  for (int y = note_y + 3; y < note_y + 15; y++)
    for (int x = 82; x < 300; x++)
      {
        const guchar *a = after->data + (gsize) y * after->stride + (gsize) x * 4;
        const guchar *b = before->data + (gsize) y * before->stride + (gsize) x * 4;

        dark_after += a[1] < 200;
        dark_before += b[1] < 200 && b[1] > 0;
      }
  g_test_message ("dark pixels on the note's line: %u before, %u after", dark_before, dark_after);
  g_assert_cmpuint (dark_after, >, 100);
  g_assert_cmpuint (dark_after, >, dark_before + 100);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->chart), "chart-split-legend.png");

  sonde_chart_set_note (fixture->chart, NULL);
  g_assert_null (sonde_chart_get_note (fixture->chart));
}

/* The window: "Chart a Field" from the detail */

/* The shared window fixture: the window and a demo server. */
typedef SondeTestWindowFixture WindowFixture;

static gboolean
select_received_text (SondeConnectionPage *page)
{
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  GListModel *model = G_LIST_MODEL (sonde_log_view_get_model (view));
  GtkColumnView *column_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                               SONDE_TYPE_LOG_VIEW,
                                                                               "column_view"));
  GtkSelectionModel *selection = gtk_column_view_get_model (column_view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SondeMessage) message = g_list_model_get_item (model, i);

      if (sonde_message_get_kind (message) == SONDE_MESSAGE_KIND_TEXT &&
          sonde_message_get_direction (message) == SONDE_DIRECTION_IN)
        return gtk_selection_model_select_item (selection, i, TRUE);
    }
  return FALSE;
}

static guint64
messages_in (SondeConnectionPage *page)
{
  SondeStats stats;

  sonde_connection_get_stats (sonde_connection_page_get_connection (page), &stats);
  return stats.messages_in;
}

static guint
n_points (SondeChartsPanel *panel)
{
  return sonde_series_get_n_points (sonde_chart_get_series (sonde_charts_panel_get_chart (panel, 0), 0));
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} ExportDone;

static void
on_csv_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportDone *done = user_data;

  done->ok = sonde_charts_panel_export_csv_finish (SONDE_CHARTS_PANEL (source), result, &done->error);
  done->done = TRUE;
}

static void
on_png_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportDone *done = user_data;

  done->ok = sonde_charts_panel_save_png_finish (SONDE_CHARTS_PANEL (source), result, &done->error);
  done->done = TRUE;
}

/* A tick selected in the log, "Chart a Field" → $.price: the charts show,
 * with one chart whose series grows as ticks arrive and is drawn. A bad
 * path typed in the panel is refused with its position. The chart's
 * series export as CSV and the chart as PNG, written in a thread; a
 * failure to write shows in the panel. */
static void
test_chart_field_from_detail (WindowFixture *fixture,
                              gconstpointer  data)
{
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/ticker?rate=50");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *png_path = NULL;
  g_autofree char *missing_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) png_file = NULL;
  g_autoptr(GFile) missing_file = NULL;
  ExportDone done = { 0 };
  gsize length;
  g_autoptr(GFile) csv_file = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) row = NULL;
  SondeConnectionPage *page;
  SondeMessageDetail *detail;
  SondeChartsPanel *panel;
  SondeChart *chart;
  GtkEditable *path_entry;
  GtkWidget *error_label;
  guint points, draws, n_rows;

  g_assert_true (sonde_window_open_url (fixture->window, url));
  page = sonde_window_get_current_page (fixture->window);
  panel = sonde_connection_page_get_charts (page);
  detail = sonde_connection_page_get_detail (page);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) >= 5, WAIT_MS);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (panel)));

  g_assert_true (select_received_text (page));
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (detail), "json") == 0, WAIT_MS);

  /* The menu item's action, as a click on "$.price" would activate it,
   * with "All Messages" chosen above it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "chart.by", "s", "all"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "detail.chart-field", "s", "$.price"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel)));
  chart = sonde_charts_panel_get_chart (panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 1);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "$.price");
  g_assert_cmpstr (sonde_series_feed_get_path (sonde_charts_panel_get_feed (panel),
                                               sonde_chart_get_series (chart, 0)), ==, "$.price");

  /* The ticks already received are in it; more arrive, and it draws. */
  points = n_points (panel);
  g_assert_cmpuint (points, >=, 5);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (chart)) && sonde_chart_get_n_draws (chart) > 0, WAIT_MS);
  draws = sonde_chart_get_n_draws (chart);
  SONDE_TEST_ASSERT_WAIT (n_points (panel) >= points + 10, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_draws (chart) > draws + 3, WAIT_MS);
  g_assert_cmpuint (sonde_chart_get_n_vertices (chart), >, 0);

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-chart.png");

  /* The panel's own Add with a path that does not parse: the reason and
   * where, next to the entry; nothing added. */
  path_entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (panel), SONDE_TYPE_CHARTS_PANEL,
                                                            "path_entry"));
  error_label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), SONDE_TYPE_CHARTS_PANEL,
                                                           "error_label"));
  g_assert_false (gtk_widget_get_visible (error_label));
  gtk_editable_set_text (path_entry, "$.price[");
  g_signal_emit_by_name (path_entry, "activate");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "Column 9"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (path_entry), "error"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (path_entry), ==, "$.price[");

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-chart-path-error.png");

  /* Fixed, it goes in (a new chart) and the error goes away. */
  gtk_editable_set_text (path_entry, "$.volume");
  g_signal_emit_by_name (path_entry, "activate");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (path_entry), "error"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (path_entry), ==, "");

  /* CSV of the first chart: a header and one row per point. */
  dir = g_dir_make_tmp ("sonde-test-chart-XXXXXX", &error);
  g_assert_no_error (error);
  csv_path = g_build_filename (dir, "series.csv", NULL);
  csv_file = g_file_new_for_path (csv_path);
  sonde_charts_panel_export_csv_async (panel, 0, csv_file, NULL, on_csv_done, &done);
  points = n_points (panel);   /* the points were copied just now */
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_no_error (done.error);
  g_assert_true (done.ok);
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  n_rows = g_strv_length (lines);
  g_assert_cmpuint (n_rows, ==, points + 2);   /* the header, the rows, "" after the last \n */
  g_assert_cmpstr (lines[0], ==, "time,series,value");
  g_assert_cmpstr (lines[n_rows - 1], ==, "");
  row = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z,\"\\$\\.price\",[0-9]+(\\.[0-9]+)?$",
                     0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 1; i + 1 < n_rows; i++)
    if (!g_regex_match (row, lines[i], 0, NULL))
      g_error ("CSV row %u: %s", i, lines[i]);

  /* The chart as PNG. */
  png_path = g_build_filename (dir, "chart.png", NULL);
  png_file = g_file_new_for_path (png_path);
  memset (&done, 0, sizeof done);
  sonde_charts_panel_save_png_async (panel, 0, png_file, NULL, on_png_done, &done);
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_no_error (done.error);
  g_assert_true (done.ok);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (png_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 8);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  {
    /* The chart drawn: more than a background. */
    g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (png_path, &error);
    g_autofree guint32 *pixels = NULL;
    g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);
    int width, height;

    g_assert_no_error (error);
    width = gdk_texture_get_width (texture);
    height = gdk_texture_get_height (texture);
    g_assert_cmpint (width, ==, gtk_widget_get_width (GTK_WIDGET (chart)));
    g_assert_cmpint (height, >=, 160);   /* its size when drawn (a new chart may shrink it since) */
    pixels = g_new (guint32, (gsize) width * height);
    gdk_texture_download (texture, (guchar *) pixels, width * 4);
    for (gsize i = 0; i < (gsize) width * height; i++)
      g_hash_table_add (colors, GUINT_TO_POINTER (pixels[i]));
    g_assert_cmpuint (g_hash_table_size (colors), >, 3);
  }
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Into a folder that is not there: the error, naming the file, under
   * the toolbar (not on stderr). */
  missing_path = g_build_filename (dir, "not-there", "series.csv", NULL);
  missing_file = g_file_new_for_path (missing_path);
  memset (&done, 0, sizeof done);
  sonde_charts_panel_export_csv_async (panel, 0, missing_file, NULL, on_csv_done, &done);
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_false (done.ok);
  g_assert_error (done.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&done.error);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (error_label)), "The series were not exported: "));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), missing_path));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (path_entry), "error"));

  memset (&done, 0, sizeof done);
  g_clear_object (&missing_file);
  g_free (missing_path);
  missing_path = g_build_filename (dir, "not-there", "chart.png", NULL);
  missing_file = g_file_new_for_path (missing_path);
  sonde_charts_panel_save_png_async (panel, 0, missing_file, NULL, on_png_done, &done);
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_false (done.ok);
  g_assert_error (done.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&done.error);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (error_label)), "The chart was not saved: "));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), missing_path));

  /* The next export that works clears it. */
  memset (&done, 0, sizeof done);
  sonde_charts_panel_export_csv_async (panel, 0, csv_file, NULL, on_csv_done, &done);
  SONDE_TEST_ASSERT_WAIT (done.done, WAIT_MS);
  g_assert_true (done.ok);
  g_assert_false (gtk_widget_get_visible (error_label));

  g_assert_cmpint (g_unlink (csv_path), ==, 0);
  g_assert_cmpint (g_unlink (png_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* "Chart a Field" on a tick of the mixed demo ticker: the menu offers the
 * tick's symbol as the condition and as a split; by default only the
 * ticks of the selected symbol; "One Line per $.sym" draws one line and
 * one legend entry per symbol. */
static void
test_chart_field_split (WindowFixture *fixture,
                        gconstpointer  data)
{
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/ticker?rate=50");
  g_autofree char *where = NULL;
  g_autofree char *only = NULL;
  SondeConnectionPage *page;
  SondeMessageDetail *detail;
  SondeChartsPanel *panel;
  SondeChart *chart;
  GtkMenuButton *chart_button;
  GMenuModel *menu, *choice;
  GVariant *target;
  g_autofree char *label = NULL;
  const char *sym;
  SondeSeries *series;

  /* For a translated screenshot (SONDE_LOCALEDIR=build/po LANGUAGE=zh_CN),
   * as the application's main() sets it up. */
  if (g_getenv ("SONDE_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SONDE_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_assert_true (sonde_window_open_url (fixture->window, url));
  page = sonde_window_get_current_page (fixture->window);
  panel = sonde_connection_page_get_charts (page);
  detail = sonde_connection_page_get_detail (page);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) >= 20, WAIT_MS);
  g_assert_true (select_received_text (page));
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (detail), "json") == 0, WAIT_MS);
  sym = "";
  {
    g_autoptr(SondeMessage) message = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GBytes) payload = NULL;
    g_autofree char *text = NULL;
    gsize length;
    const char *bytes;

    g_object_get (detail, "message", &message, NULL);
    payload = sonde_message_dup_payload (message);
    bytes = g_bytes_get_data (payload, &length);
    text = g_strndup (bytes, length);
    node = json_from_string (text, NULL);
    g_assert_nonnull (node);
    sym = g_strdup (json_object_get_string_member (json_node_get_object (node), "sym"));
  }
  where = g_strdup_printf ("$.sym == \"%s\"", sym);

  /* The menu: the choice first (its first item the condition), then the
   * fields. */
  chart_button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (detail), SONDE_TYPE_MESSAGE_DETAIL,
                                                                 "chart_button"));
  menu = gtk_menu_button_get_menu_model (chart_button);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  choice = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_cmpint (g_menu_model_get_n_items (choice), ==, 3);
  g_assert_true (g_menu_model_get_item_attribute (choice, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  only = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Only Where %s"), where);
  g_assert_cmpstr (label, ==, only);
  target = g_menu_model_get_item_attribute_value (choice, 1, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "split");
  g_variant_unref (target);
  g_object_unref (choice);

  /* By default: only this symbol's ticks. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "detail.chart-field", "s", "$.price"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  chart = sonde_charts_panel_get_chart (panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 1);
  series = sonde_chart_get_series (chart, 0);
  g_assert_cmpstr (sonde_series_feed_get_where (sonde_charts_panel_get_feed (panel), series), ==, where);

  /* One line per symbol. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "chart.by", "s", "split"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "detail.chart-field", "s", "$.price"));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 2);
  g_assert_cmpstr (sonde_series_spec_get_split (sonde_chart_def_get_series (
                     sonde_chart_list_get_chart (sonde_charts_panel_get_list (panel), 1), 0)), ==, "$.sym");
  chart = sonde_charts_panel_get_chart (panel, 1);
  SONDE_TEST_ASSERT_WAIT (sonde_chart_get_n_series (chart) >= 4, WAIT_MS);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), <=, 8);
  g_assert_true (g_str_has_prefix (sonde_chart_get_label (chart, 0), "$.sym = "));
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (chart)) && sonde_chart_get_n_draws (chart) > 0, WAIT_MS);

  /* For the screenshots: the split chart alone, a few seconds of ticks. */
  sonde_chart_list_remove_chart (sonde_charts_panel_get_list (panel), 0);
  if (g_getenv ("SONDE_SCREENSHOT_DIR") != NULL)
    {
      AdwStyleManager *style = adw_style_manager_get_default ();
      const char *language = g_getenv ("LANGUAGE");
      gboolean zh = language != NULL && g_str_has_prefix (language, "zh");

      sonde_test_spin (3000);
      sonde_test_save_screenshot (GTK_WIDGET (fixture->window), zh ? "window-chart-split-zh-cn.png" : "window-chart-split.png");
      if (!zh)
        {
          adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
          sonde_test_spin (300);
          sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-chart-split-dark.png");
          adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
        }
    }
  g_free ((char *) sym);
}

static SondeChartsPanel *
new_panel (SondeConnection *connection,
           SondeSeriesFeed *feed,
           SondeChartList  *list)
{
  return SONDE_CHARTS_PANEL (g_object_ref_sink (sonde_charts_panel_new (connection, feed, list)));
}

/* The panel is a view of a SondeChartList: made over a list, it shows what
 * the list holds; the list changes, the panel follows (keeping the series
 * it still shows); its controls change the list; the series it made leave
 * the feed with what they showed, and with the panel. */
static void
test_panel_follows_list (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeSeriesFeed) feed = sonde_series_feed_new (connection);
  g_autoptr(SondeChartList) list = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) layout = NULL;
  SondeChartsPanel *panel;
  SondeChart *chart;
  SondeSeries *rtt;
  GtkDropDown *window_dropdown;
  GtkWidget *header, *remove;

  sonde_chart_list_offer_latency (list);
  panel = new_panel (connection, feed, list);
  g_assert_true (sonde_charts_panel_get_list (panel) == list);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  chart = sonde_charts_panel_get_chart (panel, 0);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 1);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "Round-trip time (ms)");
  rtt = sonde_chart_get_series (chart, 0);
  g_assert_cmpint (sonde_series_feed_get_source (feed, rtt), ==, SONDE_SERIES_SOURCE_LATENCY);
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 1);

  /* A series into chart 0: the same chart, its first series kept. */
  g_assert_true (sonde_chart_list_add_path (list, "$.price", NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_charts_panel_get_chart (panel, 0) == chart);
  g_assert_cmpuint (sonde_chart_get_n_series (chart), ==, 2);
  g_assert_true (sonde_chart_get_series (chart, 0) == rtt);
  g_assert_cmpstr (sonde_chart_get_label (chart, 1), ==, "$.price");
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 2);

  /* The panel's Add goes to the list, and comes back as a tile. */
  g_assert_true (sonde_charts_panel_add (panel, "$.volume", NULL, SONDE_CHARTS_TILE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_chart_list_get_n_tiles (list), ==, 1);
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (panel), ==, 1);
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 3);
  g_assert_false (sonde_charts_panel_add (panel, "$.volume[", NULL, SONDE_CHARTS_TILE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (panel), ==, 1);

  /* The window: the list's shows in the charts and the drop-down; the
   * drop-down sets the list's. */
  window_dropdown = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (panel), SONDE_TYPE_CHARTS_PANEL,
                                                                  "window_dropdown"));
  sonde_chart_list_set_window_s (list, 300);
  g_assert_cmpint (sonde_chart_get_window (chart), ==, 300 * G_USEC_PER_SEC);
  g_assert_cmpuint (gtk_drop_down_get_selected (window_dropdown), ==, 3);
  gtk_drop_down_set_selected (window_dropdown, 6);
  g_assert_cmpuint (sonde_chart_list_get_window_s (list), ==, 0);
  g_assert_cmpint (sonde_chart_get_window (chart), ==, SONDE_CHART_WINDOW_ALL);

  /* A load replaces everything. */
  layout = json_from_string ("{\"window_s\":10,\"charts\":[{\"series\":[{\"path\":\"$.a\"}]},"
                             "{\"series\":[{\"path\":\"$.b\"},{\"path\":\"$.c\",\"where\":\"$.v > 0\"}]}],"
                             "\"tiles\":[]}", &error);
  g_assert_no_error (error);
  g_assert_true (sonde_chart_list_load_json (list, layout, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 2);
  g_assert_cmpuint (sonde_charts_panel_get_n_tiles (panel), ==, 0);
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 3);
  g_assert_cmpstr (sonde_chart_get_label (sonde_charts_panel_get_chart (panel, 1), 1), ==, "$.c  ($.v > 0)");
  g_assert_cmpint (sonde_chart_get_window (sonde_charts_panel_get_chart (panel, 1)), ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (gtk_drop_down_get_selected (window_dropdown), ==, 0);

  /* Removed from the list: gone from the panel and the feed. */
  sonde_chart_list_remove_chart (list, 0);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  chart = sonde_charts_panel_get_chart (panel, 0);
  g_assert_cmpstr (sonde_chart_get_label (chart, 0), ==, "$.b");
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 2);

  /* The chart's remove button changes the list. */
  header = gtk_widget_get_first_child (gtk_widget_get_parent (GTK_WIDGET (chart)));
  remove = gtk_widget_get_last_child (header);
  g_assert_true (GTK_IS_BUTTON (remove));
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 0);
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 0);

  /* Gone with the panel: its series leave the feed; the list stays. */
  g_assert_true (sonde_chart_list_add_path (list, "$.x", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 1);
  g_assert_finalize_object (panel);
  g_assert_cmpuint (sonde_series_feed_get_n_series (feed), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/chart/integrity-markers", test_integrity_markers);
  g_test_add ("/chart/render-known-data/dense", Fixture, GINT_TO_POINTER (100), fixture_setup,
              test_render_known_data, fixture_teardown);
  g_test_add ("/chart/render-known-data/sparse", Fixture, GINT_TO_POINTER (2500), fixture_setup,
              test_render_known_data, fixture_teardown);
  ADD ("/chart/render-steep", test_render_steep);
  ADD ("/chart/render-lone-point", test_render_lone_point);
  ADD ("/chart/redraw-only-on-change", test_redraw_only_on_change);
  ADD ("/chart/vertices-per-column", test_vertices_per_column);
  ADD ("/chart/crosshair-text", test_crosshair_text);
  ADD ("/chart/pause-freezes-range", test_pause_freezes_range);
  ADD ("/chart/save-png", test_save_png);
  ADD ("/chart/split-legend", test_split_legend);
#undef ADD
  g_test_add_func ("/chart/panel/follows-list", test_panel_follows_list);
  g_test_add ("/chart/window/chart-field-from-detail", WindowFixture, NULL,
              sonde_test_window_setup, test_chart_field_from_detail, sonde_test_window_teardown);
  g_test_add ("/chart/window/chart-field-split", WindowFixture, NULL,
              sonde_test_window_setup, test_chart_field_split, sonde_test_window_teardown);

  return sonde_test_gui_run ();
}
