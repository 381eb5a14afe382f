/* sonde-cli.h: the sonde-cli subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int sonde_cli_connect    (int    argc,
                          char **argv);
int sonde_cli_demo       (int    argc,
                          char **argv);
int sonde_cli_serve_demo (int    argc,
                          char **argv);

G_END_DECLS
