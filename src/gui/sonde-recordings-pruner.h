/* sonde-recordings-pruner.h: keeps the recordings within the disk budget
 * and the age limit of the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SONDE_TYPE_RECORDINGS_PRUNER (sonde_recordings_pruner_get_type ())
G_DECLARE_FINAL_TYPE (SondeRecordingsPruner, sonde_recordings_pruner, SONDE, RECORDINGS_PRUNER, GObject)

/* Prunes @dir (NULL: the user's recordings) with the budget and age of
 * @settings ("recording-budget-megabytes", "recording-max-age-days"): soon
 * after it is made, every few minutes, and when either changes, on a
 * worker thread. */
SondeRecordingsPruner *sonde_recordings_pruner_new       (GSettings             *settings,
                                                          const char            *dir);
/* Prunes now (or as soon as the run under way is done). */
void                   sonde_recordings_pruner_run       (SondeRecordingsPruner *self);
/* Runs completed so far, and sessions deleted in all (for tests). */
guint                  sonde_recordings_pruner_get_runs  (SondeRecordingsPruner *self);
guint                  sonde_recordings_pruner_get_deleted (SondeRecordingsPruner *self);

G_END_DECLS
