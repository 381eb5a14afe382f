/* sonde-test-gui.h: what the tests with a window need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-application.h"
#include "sonde-demo-server.h"
#include "sonde-window.h"

G_BEGIN_DECLS

/* How long a window test waits for anything before it fails. */
#define SONDE_TEST_GUI_WAIT_MS 15000

/* For main(): without a display, exits with 77 (skipped); otherwise
 * g_test_init with the user's directories in a fresh temporary directory,
 * then GTK and libadwaita. */
void              sonde_test_gui_init         (int         *argc,
                                               char      ***argv);
/* The application every window of the run belongs to, registered on first
 * use (one per run: a GApplication stays exported on the bus). */
SondeApplication *sonde_test_gui_get_app      (void);
/* g_test_run, then lets go of the application and the directories. */
int               sonde_test_gui_run          (void);

/* The window fixture: a SondeWindow of the test application, presented
 * and mapped, and a demo server (its own thread and main context). */
typedef struct {
  SondeWindow     *window;
  SondeDemoServer *demo;
} SondeTestWindowFixture;

void              sonde_test_window_setup     (SondeTestWindowFixture *fixture,
                                               gconstpointer           data);
void              sonde_test_window_teardown  (SondeTestWindowFixture *fixture,
                                               gconstpointer           data);

/* A demo server listening on a free port of 127.0.0.1; stopping it waits
 * for its thread. */
SondeDemoServer  *sonde_test_demo_start       (void);
void              sonde_test_demo_stop        (SondeDemoServer        *demo);

/* A plain window of @width × @height holding @child, presented, and
 * mapped when this returns. The window belongs to GTK's list of
 * toplevels: let go of it with sonde_test_destroy_window(). */
GtkWindow        *sonde_test_present          (GtkWidget              *child,
                                               int                     width,
                                               int                     height);
/* Destroys @window and spins the main context until it is finalized,
 * failing the test when it is not within SONDE_TEST_GUI_WAIT_MS (something
 * still holds it: a leak, or work not cancelled on dispose). */
void              sonde_test_destroy_window   (GtkWindow              *window);
/* Spins the main context until @object is finalized, failing the test
 * when it is not within SONDE_TEST_GUI_WAIT_MS. Takes the caller's
 * reference. */
void              sonde_test_wait_finalized   (gpointer                object);

gboolean          sonde_test_is_mapped        (gpointer                widget);
/* The first widget of @type in @root's tree (@root included, depth
 * first), or NULL. */
GtkWidget        *sonde_test_find_widget      (GtkWidget              *root,
                                               GType                   type);
/* Every widget of @type (and, when @css_class is not NULL, with that CSS
 * class) in @root's tree, depth first, appended to @found. */
void              sonde_test_collect_widgets  (GtkWidget              *root,
                                               GType                   type,
                                               const char             *css_class,
                                               GPtrArray              *found);
/* @widget's template child @name of @type (a test fails without it). */
gpointer          sonde_test_template_child   (gpointer                widget,
                                               GType                   type,
                                               const char             *name);
/* The item at @position of @model (the model keeps holding it). */
gpointer          sonde_test_item_at          (GListModel             *model,
                                               guint                   position);
/* The list row (css name "row") that holds @cell. */
GtkWidget        *sonde_test_row_of           (GtkWidget              *cell);
/* With SONDE_SCREENSHOT_DIR set: saves what @widget shows as @name.png. */
void              sonde_test_save_screenshot  (GtkWidget              *widget,
                                               const char             *name);

G_END_DECLS
