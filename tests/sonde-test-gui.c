/* sonde-test-gui.c: what the tests with a window need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "sonde-test-gui.h"
#include "sonde-test-util.h"

static SondeApplication *app;

void
sonde_test_gui_init (int    *argc,
                     char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_autofree char *name = g_path_get_basename ((*argv)[0]);

      g_printerr ("%s: no display; run under Xvfb (build-aux/dev test does)\n", name);
      exit (77);
    }

  sonde_test_init_gui (argc, argv);
  gtk_init ();
  adw_init ();
}

SondeApplication *
sonde_test_gui_get_app (void)
{
  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = sonde_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
    }
  return app;
}

int
sonde_test_gui_run (void)
{
  int status = g_test_run ();

  g_clear_object (&app);
  sonde_test_finish_gui ();
  return status;
}

SondeDemoServer *
sonde_test_demo_start (void)
{
  g_autoptr(SondeDemoServer) demo = sonde_demo_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_demo_server_start (demo, 0, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&demo);
}

void
sonde_test_demo_stop (SondeDemoServer *demo)
{
  if (demo == NULL)
    return;

  sonde_demo_server_stop (demo);
  g_object_unref (demo);
}

void
sonde_test_window_setup (SondeTestWindowFixture *fixture,
                         gconstpointer           data)
{
  fixture->window = sonde_window_new (SONDE_WINDOW_HOST (sonde_test_gui_get_app ()));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 760);
  gtk_window_present (GTK_WINDOW (fixture->window));
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)), SONDE_TEST_GUI_WAIT_MS);

  fixture->demo = sonde_test_demo_start ();
}

void
sonde_test_window_teardown (SondeTestWindowFixture *fixture,
                            gconstpointer           data)
{
  sonde_test_destroy_window (GTK_WINDOW (g_steal_pointer (&fixture->window)));
  g_clear_pointer (&fixture->demo, sonde_test_demo_stop);
}

GtkWindow *
sonde_test_present (GtkWidget *child,
                    int        width,
                    int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_child (window, child);
  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (child), SONDE_TEST_GUI_WAIT_MS);
  return window;
}

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

static void
wait_finalized (GObject    *object,
                const char *type_name,
                gboolean   *finalized)
{
  if (!SONDE_TEST_WAIT (*finalized, SONDE_TEST_GUI_WAIT_MS))
    {
      g_object_weak_unref (object, on_finalized, finalized);
      g_error ("%s %p not finalized after %d ms", type_name, object, SONDE_TEST_GUI_WAIT_MS);
    }
}

void
sonde_test_destroy_window (GtkWindow *window)
{
  gboolean finalized = FALSE;
  g_autofree char *type_name = NULL;

  g_assert_true (GTK_IS_WINDOW (window));
  type_name = g_strdup (G_OBJECT_TYPE_NAME (window));
  g_object_weak_ref (G_OBJECT (window), on_finalized, &finalized);
  gtk_window_destroy (window);
  wait_finalized ((GObject *) window, type_name, &finalized);
}

void
sonde_test_wait_finalized (gpointer object)
{
  gboolean finalized = FALSE;
  g_autofree char *type_name = NULL;

  g_assert_true (G_IS_OBJECT (object));
  type_name = g_strdup (G_OBJECT_TYPE_NAME (object));
  g_object_weak_ref (object, on_finalized, &finalized);
  g_object_unref (object);
  wait_finalized (object, type_name, &finalized);
}

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

GtkWidget *
sonde_test_find_widget (GtkWidget *root,
                        GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sonde_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gpointer
sonde_test_template_child (gpointer    widget,
                           GType       type,
                           const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

gpointer
sonde_test_item_at (GListModel *model,
                    guint       position)
{
  GObject *item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  g_object_unref (item);   /* the model holds it */
  return item;
}

GtkWidget *
sonde_test_row_of (GtkWidget *cell)
{
  GtkWidget *w = cell;

  while (w != NULL && g_strcmp0 (gtk_widget_get_css_name (w), "row") != 0)
    w = gtk_widget_get_parent (w);
  g_assert_nonnull (w);
  return w;
}

void
sonde_test_collect_widgets (GtkWidget  *root,
                            GType       type,
                            const char *css_class,
                            GPtrArray  *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (css_class == NULL || gtk_widget_has_css_class (root, css_class)))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    sonde_test_collect_widgets (child, type, css_class, found);
}
