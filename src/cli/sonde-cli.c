/* sonde-cli.c: the headless front end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

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
  { "connect", sonde_cli_connect, "Connect to a WebSocket URL and print what arrives as JSON lines" },
  { "demo", sonde_cli_demo, "Watch the embedded demo feed (ticker, sensors or echo)" },
  { "serve-demo", sonde_cli_serve_demo, "Run the demo feed on 127.0.0.1 in the foreground" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: sonde-cli COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n`sonde-cli COMMAND --help` shows a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
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

  fprintf (stderr, "sonde-cli: unknown command “%s”\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
