/* sonde-cli-history.h: what `sonde-cli history`'s files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-cli.h"
#include "sonde-store.h"

G_BEGIN_DECLS

/* The options every history subcommand takes: which database. */
typedef struct {
  char *db;              /* --db FILE */
  char *profile;         /* --profile NAME|ID */
  char *profiles_file;   /* --profiles FILE */

  /* found */
  char *profile_id;
  char *profile_name;
} HistoryTarget;

GOptionEntry *sonde_cli_history_target_entries (HistoryTarget  *target);
void          sonde_cli_history_target_clear   (HistoryTarget  *target);
/* Resolves --profile; the database path of --db, --profile, or the ad-hoc
 * one. NULL and an exit status in @status on failure (said on stderr). */
char         *sonde_cli_history_target_path    (HistoryTarget  *target,
                                                int            *status);
/* Opens @path for reading: NULL and @status (said on stderr) when it is
 * missing, damaged or newer. */
SondeStore   *sonde_cli_history_open_reader    (const char     *path,
                                                int            *status);
/* "--db FILE …" as --help shows it. */
const char   *sonde_cli_history_target_help    (void);
void          sonde_cli_history_fail           (const char     *format,
                                                ...) G_GNUC_PRINTF (1, 2);

int           sonde_cli_history_search         (int             argc,
                                                char          **argv);

G_END_DECLS
