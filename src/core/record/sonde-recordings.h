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
/* Keeps the recordings in @dir within bounds, deleting whole sessions,
 * oldest first, never one being recorded: first those that started more
 * than @max_age_us ago (0: no age limit), then more while all databases
 * together take more than @budget_bytes on disk (0: no budget). A
 * database another process writes to is counted but left alone. Blocking:
 * run it on a worker thread. @out_deleted: sessions deleted. */
gboolean sonde_recordings_prune     (const char  *dir,
                                     guint64      budget_bytes,
                                     gint64       max_age_us,
                                     guint       *out_deleted,
                                     GError     **error);
/* The size on disk of every database in @dir, together. */
guint64  sonde_recordings_get_size  (const char  *dir);

/* The profile id of a database path (NULL for the ad-hoc one or a name
 * that is not a recording's). */
char  *sonde_recordings_profile_id  (const char  *path);

G_END_DECLS
