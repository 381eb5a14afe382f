/* sonde-cli-serve-demo.c: `sonde-cli serve-demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "sonde-cli.h"
#include "sonde-demo-server.h"

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
sonde_cli_serve_demo (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (N_("— run the demo feed in the foreground"));
  g_autoptr(SondeDemoServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  int port = 0;
  double rate = SONDE_DEMO_SERVER_DEFAULT_RATE;
  GOptionEntry entries[] = {
    { "port", 'P', 0, G_OPTION_ARG_INT, &port, N_("Listen on this port of 127.0.0.1 (default: any free port)"), N_("PORT") },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate, N_("Messages per second of /ticker and /sensors (default 20)"), N_("HZ") },
    { NULL },
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Serves /ticker, /sensors and /echo on 127.0.0.1 until interrupted. The feeds\n"
       "take ?rate=HZ and ?seed=N in the URL."));
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("sonde-cli serve-demo: %s\n", error->message);
      return 2;
    }

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      g_printerr ("sonde-cli serve-demo: %s\n", message);
      return 2;
    }

  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("sonde-cli serve-demo: %s\n", _("--port must be between 1 and 65535 (or 0 for any)"));
      return 2;
    }

  if (!(rate > 0 && rate <= SONDE_DEMO_SERVER_MAX_RATE))
    {
      g_autofree char *message = g_strdup_printf (_("--rate must be above 0 and at most %g messages per second"),
                                                  SONDE_DEMO_SERVER_MAX_RATE);

      g_printerr ("sonde-cli serve-demo: %s\n", message);
      return 2;
    }

  server = sonde_demo_server_new ();
  sonde_demo_server_set_rate (server, rate);
  if (!sonde_demo_server_start (server, (guint16) port, &error))
    {
      g_printerr ("sonde-cli serve-demo: %s\n", error->message);
      return 1;
    }

  port = sonde_demo_server_get_port (server);
  printf (_("Sonde demo feed on 127.0.0.1:%d (%g messages/s); Ctrl+C stops it"), port, rate);
  printf ("\n");
  printf ("  ws://127.0.0.1:%d/ticker\n  ws://127.0.0.1:%d/sensors\n  ws://127.0.0.1:%d/echo\n",
          port, port, port);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);

  sonde_demo_server_stop (server);
  return 0;
}
