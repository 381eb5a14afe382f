/* sonde-replay-server.h: plays a recorded session, and mock rules, to any
 * WebSocket client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-mock-rules.h"
#include "sonde-replay-source.h"

G_BEGIN_DECLS

#define SONDE_TYPE_REPLAY_SERVER (sonde_replay_server_get_type ())
G_DECLARE_FINAL_TYPE (SondeReplayServer, sonde_replay_server, SONDE, REPLAY_SERVER, GObject)

/* Either may be NULL (not both): a replay without rules, rules without a
 * replay. */
SondeReplayServer *sonde_replay_server_new         (SondeReplaySource  *source,
                                                    SondeMockRules     *rules);
/* The recorded times are divided by @speed; 0 plays as fast as the client
 * reads. Before start. */
void               sonde_replay_server_set_speed   (SondeReplayServer  *self,
                                                    double              speed);
/* Plays the session again and again instead of closing at its end. */
void               sonde_replay_server_set_loop    (SondeReplayServer  *self,
                                                    gboolean            loop);
/* Serves wss:// with @certificate (which has its private key). */
void               sonde_replay_server_set_tls_certificate (SondeReplayServer *self,
                                                    GTlsCertificate    *certificate);
/* Listens on @address (NULL: 127.0.0.1) and @port (0: any free one) and
 * returns once clients can connect, or why they cannot
 * (G_IO_ERROR_ADDRESS_IN_USE…; SONDE_SERVE_ERROR_INVALID_OPTION for an
 * address that is not one). */
gboolean           sonde_replay_server_start       (SondeReplayServer  *self,
                                                    const char         *address,
                                                    guint16             port,
                                                    GError            **error);
/* Closes every client with 1001 and stops the server thread. */
void               sonde_replay_server_stop        (SondeReplayServer  *self);
guint16            sonde_replay_server_get_port    (SondeReplayServer  *self);
/* "ws://ADDRESS:PORT/" (wss:// with TLS). */
char              *sonde_replay_server_dup_url     (SondeReplayServer  *self);
guint              sonde_replay_server_get_n_clients (SondeReplayServer *self);

/* Signal "finished": emitted on the thread-default main context of
 * start()'s caller when at least one client has connected and none is left
 * (each was played to its end and closed, or went away). It may be emitted
 * again after a later client. */

G_END_DECLS
