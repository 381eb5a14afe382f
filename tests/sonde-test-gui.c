/* sonde-test-gui.c: what the tests with a window need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "sonde-test-gui.h"
#include "sonde-test-util.h"

gboolean
sonde_test_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

typedef struct {
  GtkWidget     *widget;
  GskRenderNode *node;
  int            width;
  int            height;
} Capture;

/* Right after a frame is painted, the widget's layout is up to date: take
 * its render node then (while a feed streams, layout is queued again and
 * again, and a paintable made in between draws nothing). */
static void
on_after_paint (GdkFrameClock *clock,
                Capture       *capture)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;

  if (capture->node != NULL)
    return;

  capture->width = gtk_widget_get_width (capture->widget);
  capture->height = gtk_widget_get_height (capture->widget);
  paintable = gtk_widget_paintable_new (capture->widget);
  snapshot = gtk_snapshot_new ();

  /* The window paints the background, not its content: add it. */
  {
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    GtkStyleContext *style = gtk_widget_get_style_context (capture->widget);
    GdkRGBA background;

    if (!gtk_style_context_lookup_color (style, "window_bg_color", &background))
      gdk_rgba_parse (&background, "white");
    G_GNUC_END_IGNORE_DEPRECATIONS
    gtk_snapshot_append_color (snapshot, &background,
                               &GRAPHENE_RECT_INIT (0, 0, capture->width, capture->height));
  }
  gdk_paintable_snapshot (paintable, snapshot, capture->width, capture->height);
  capture->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

void
sonde_test_save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("SONDE_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GdkFrameClock *clock;
  Capture capture = { 0 };
  gulong handler;

  if (dir == NULL)
    return;

  /* Let pending layout and redraws happen first. */
  sonde_test_spin (300);

  /* A root cannot paint itself into a paintable: paint its content. */
  capture.widget = widget;
  if (ADW_IS_APPLICATION_WINDOW (widget))
    capture.widget = adw_application_window_get_content (ADW_APPLICATION_WINDOW (widget));

  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &capture);
  gtk_widget_queue_draw (widget);
  SONDE_TEST_ASSERT_WAIT (capture.node != NULL, 15000);
  g_signal_handler_disconnect (clock, handler);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         capture.node,
                                         &GRAPHENE_RECT_INIT (0, 0, capture.width, capture.height));
  gsk_render_node_unref (capture.node);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

