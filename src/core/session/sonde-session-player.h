/* sonde-session-player.h: a recorded session replayed into a session's log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-profile.h"
#include "sonde-session.h"
#include "sonde-store.h"

G_BEGIN_DECLS

/* What a player is doing ("state"). */
typedef enum {
  SONDE_SESSION_PLAYER_PAUSED,   /* also before the first play */
  SONDE_SESSION_PLAYER_PLAYING,
  SONDE_SESSION_PLAYER_ENDED,    /* every record played; play() starts again */
  SONDE_SESSION_PLAYER_FAILED,   /* the store could not be read: "error" says why */
} SondeSessionPlayerState;

#define SONDE_TYPE_SESSION_PLAYER_STATE (sonde_session_player_state_get_type ())
GType sonde_session_player_state_get_type (void) G_GNUC_CONST;

/* "speed" for as fast as possible. */
#define SONDE_SESSION_PLAYER_SPEED_MAX 0.0

#define SONDE_TYPE_SESSION_PLAYER (sonde_session_player_get_type ())
G_DECLARE_FINAL_TYPE (SondeSessionPlayer, sonde_session_player, SONDE, SESSION_PLAYER, GObject)

SondeSessionPlayer      *sonde_session_player_new          (SondeSession       *session,
                                                            SondeStore         *store,
                                                            gint64              session_id,
                                                            SondeProfile       *profile,
                                                            GError            **error);
SondeSession            *sonde_session_player_get_session  (SondeSessionPlayer *self);
const SondeStoreSession *sonde_session_player_get_recorded (SondeSessionPlayer *self);

void                     sonde_session_player_play         (SondeSessionPlayer *self);
void                     sonde_session_player_pause        (SondeSessionPlayer *self);
SondeSessionPlayerState  sonde_session_player_get_state    (SondeSessionPlayer *self);
/* The recorded time per second played: 1, 10, 100…, or
 * SONDE_SESSION_PLAYER_SPEED_MAX. */
double                   sonde_session_player_get_speed    (SondeSessionPlayer *self);
void                     sonde_session_player_set_speed    (SondeSessionPlayer *self,
                                                            double              speed);
/* Where the replay is and how long the recording lasts, in µs from its
 * start ("position", "duration"). */
gint64                   sonde_session_player_get_position (SondeSessionPlayer *self);
gint64                   sonde_session_player_get_duration (SondeSessionPlayer *self);
/* Moves to @position_us: forward, the records up to it are played as fast
 * as possible; backward, the log and the series are emptied and rebuilt
 * from the start. Playing goes on from there; paused stays paused. */
void                     sonde_session_player_seek         (SondeSessionPlayer *self,
                                                            gint64              position_us);
/* TRUE while a seek is still catching up ("seeking"). */
gboolean                 sonde_session_player_get_seeking  (SondeSessionPlayer *self);
const char              *sonde_session_player_get_error    (SondeSessionPlayer *self);

G_END_DECLS
