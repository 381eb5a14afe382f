/* main.c: the `sonde` executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sonde-application.h"

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
  return g_application_run (G_APPLICATION (app), argc, argv);
}
