/* startup-peer.c: the floor for bench/startup.py: a bare libadwaita window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An AdwApplication whose window holds a header bar and a label, nothing
 * else: what GTK, libadwaita and the X server cost before Sonde does
 * anything. Like `sonde` with SONDE_BENCH_FIRST_FRAME set, it prints
 * "first-frame <monotonic µs>" once its window has painted its first frame,
 * and quits.
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

static void
on_first_paint (GdkFrameClock *clock,
                GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_paint, app);
  printf ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_application_quit (app);
}

static void
on_realize (GtkWidget    *window,
            GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_paint), app);
}

static void
on_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), gtk_label_new ("startup-peer"));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.sondeapp.StartupPeer",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
