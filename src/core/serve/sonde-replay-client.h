/* sonde-replay-client.h: one client of the replay server: its own playback
 * and its own state of the mock rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lives on the server thread: made when a WebSocket opens, freed when it
 * has closed. Nothing here is shared with another client.
 */
#pragma once

#include <libsoup/soup.h>

#include "sonde-mock-rules.h"
#include "sonde-replay-source.h"

G_BEGIN_DECLS

typedef struct _SondeReplayClient SondeReplayClient;

typedef struct {
  SondeReplaySource *source;    /* nullable */
  SondeMockRules    *rules;     /* nullable */
  double             speed;     /* 0: as fast as the client reads */
  gboolean           loop;
} SondeReplayPlan;

/* Starts at once: on_open messages, timers, and the replay unless a rule
 * starts it. @ws and @socket (its TCP socket, nullable) are referenced;
 * @context is the server thread's. */
SondeReplayClient *sonde_replay_client_new   (const SondeReplayPlan    *plan,
                                              SoupWebsocketConnection  *ws,
                                              GSocket                  *socket,
                                              GMainContext             *context);
SoupWebsocketConnection *sonde_replay_client_get_connection (SondeReplayClient *self);
/* Stops everything it has scheduled and closes with @code, @reason when
 * still open. */
void               sonde_replay_client_close (SondeReplayClient        *self,
                                              guint16                   code,
                                              const char               *reason);
void               sonde_replay_client_free  (SondeReplayClient        *self);

G_END_DECLS
