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

  char *decode;          /* --decode LIST (search, export) */
  char *proto_descriptor;
  char *proto_type;
  /* found */
  char *profile_id;
  char *profile_name;
  char *profile_decode;  /* the profile's chain, and its Protobuf schema */
  char *profile_proto_descriptor;
  char *profile_proto_type;
} HistoryTarget;

GOptionEntry *sonde_cli_history_target_entries (HistoryTarget  *target);
void          sonde_cli_history_target_clear   (HistoryTarget  *target);
/* --decode, --proto-descriptor, --proto-type (search and export). */
GOptionEntry *sonde_cli_history_decode_entries (HistoryTarget  *target);
/* After sonde_cli_history_target_path(): views decoded by --decode, or by
 * the profile's chain; NULL with @status 0 for none, NULL with @status set
 * (said on stderr) for a chain that is not valid. */
SondeRecordViews *sonde_cli_history_target_views (HistoryTarget *target,
                                                int            *status);
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
