/* sonde-session-record.c: a session's recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include "sonde-session-private.h"

void
sonde_session_set_recordings_dir (SondeSession *self,
                                  const char   *dir)
{
  g_return_if_fail (SONDE_IS_SESSION (self));
  (void) dir;
}

void
sonde_session_set_recording_path (SondeSession *self,
                                  const char   *path)
{
  g_return_if_fail (SONDE_IS_SESSION (self));
  (void) path;
}

char *
sonde_session_dup_recording_path (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);
  return NULL;
}

gboolean
sonde_session_get_recording (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);
  return FALSE;
}

guint64
sonde_session_get_recording_size (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);
  return 0;
}

SondeRecorder *
sonde_session_get_recorder (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);
  return NULL;
}
