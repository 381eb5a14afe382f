/* sonde-replay-bar.h: the transport bar of a replayed session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-session-player.h"

G_BEGIN_DECLS

#define SONDE_TYPE_REPLAY_BAR (sonde_replay_bar_get_type ())
G_DECLARE_FINAL_TYPE (SondeReplayBar, sonde_replay_bar, SONDE, REPLAY_BAR, GtkWidget)

GtkWidget          *sonde_replay_bar_new        (SondeSessionPlayer *player);
SondeSessionPlayer *sonde_replay_bar_get_player (SondeReplayBar     *self);
/* The position as the bar shows it ("0:12 / 3:20"). */
const char         *sonde_replay_bar_get_time_text (SondeReplayBar  *self);

G_END_DECLS
