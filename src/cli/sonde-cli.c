/* sonde-cli.c: the headless front end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sonde-cli.h"

static const struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "connect", sonde_cli_connect, N_("Connect to a WebSocket URL or a saved profile and print what arrives as JSON lines") },
  { "demo", sonde_cli_demo, N_("Watch the embedded demo feed (ticker, sensors or echo)") },
  { "history", sonde_cli_history, N_("List, search, export and import recorded sessions") },
  { "monitor", sonde_cli_monitor, N_("Watch profiles headless: Prometheus metrics, alerts as JSON lines, webhooks") },
  { "record", sonde_cli_record, N_("Connect as connect does, and record the session") },
  { "serve", sonde_cli_serve, N_("Play a recorded session to any WebSocket client, or mock a server by rules") },
  { "serve-demo", sonde_cli_serve_demo, N_("Run the demo feed on 127.0.0.1 in the foreground") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: sonde-cli COMMAND [OPTION…]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("`sonde-cli COMMAND --help` shows a command's options."));
}

int
main (int    argc,
      char **argv)
{
  /* An uninstalled build can point at its own translations (_build/po). */
  const char *localedir = g_getenv ("SONDE_LOCALEDIR");
  g_autofree char *unknown = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* A closed pipe is reported by write(); the command decides what it means. */
  signal (SIGPIPE, SIG_IGN);

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("sonde-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("sonde-cli %s", commands[i].name);

          g_set_prgname (prgname);
          argv[1] = argv[0];
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  unknown = g_strdup_printf (_("unknown command “%s”"), argv[1]);
  fprintf (stderr, "sonde-cli: %s\n\n", unknown);
  print_usage (stderr);
  return 2;
}
