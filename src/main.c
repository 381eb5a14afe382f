/* main.c: the `sonde` executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "sonde-application.h"

/* SONDE_BENCH_FIRST_FRAME=1 (bench/startup.py): once the first window has
 * painted its first frame, print "first-frame <monotonic µs>" on stdout and
 * quit. The monotonic clock is the system's, so the benchmark subtracts the
 * time it started the process. */
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
on_window_realize (GtkWidget    *window,
                   GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_paint), app);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window)
{
  g_signal_handlers_disconnect_by_func (app, on_window_added, NULL);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realize), app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SondeApplication) app = NULL;
  /* An uninstalled build can point at its own translations (_build/po). */
  const char *localedir = g_getenv ("SONDE_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = sonde_application_new ();
  if (g_getenv ("SONDE_BENCH_FIRST_FRAME") != NULL)
    g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
