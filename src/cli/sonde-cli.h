/* sonde-cli.h: the sonde-cli subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-profile.h"

G_BEGIN_DECLS

int sonde_cli_connect    (int    argc,
                          char **argv);
int sonde_cli_demo       (int    argc,
                          char **argv);
int sonde_cli_history    (int    argc,
                          char **argv);
int sonde_cli_record     (int    argc,
                          char **argv);
int sonde_cli_monitor    (int    argc,
                          char **argv);
int sonde_cli_serve      (int    argc,
                          char **argv);
int sonde_cli_serve_demo (int    argc,
                          char **argv);

SondeProfile *sonde_cli_find_profile      (const char    *path,
                                           const char    *wanted,
                                           GError       **error);
char         *sonde_cli_describe_problems (SondeProfile  *profile);

G_END_DECLS
