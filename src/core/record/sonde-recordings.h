/* sonde-recordings.h: where recordings live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One database per profile, and one that all ad-hoc URLs share, in one
 * folder ($XDG_DATA_HOME/sonde/recordings by default).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The defaults of the window's Preferences. */
#define SONDE_RECORDINGS_DEFAULT_BUDGET_MB  2048
#define SONDE_RECORDINGS_DEFAULT_MAX_DAYS   30

/* $XDG_DATA_HOME/sonde/recordings (not created). */
char  *sonde_recordings_default_dir (void);
/* The database of @profile_id in @dir, or the ad-hoc one when NULL:
 * "profile-ID.sqlite", "adhoc.sqlite". */
char  *sonde_recordings_path        (const char  *dir,
                                     const char  *profile_id);
/* Every database in @dir (sorted paths; empty when @dir does not exist). */
GStrv  sonde_recordings_list        (const char  *dir);
/* The profile id of a database path (NULL for the ad-hoc one or a name
 * that is not a recording's). */
char  *sonde_recordings_profile_id  (const char  *path);

G_END_DECLS
