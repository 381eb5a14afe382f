/* sonde-proto-socketio.h: Socket.IO v4 over Engine.IO v4 (the URL, the
 * open packet, pongs, namespace connect, events by name, acks paired with
 * their emit, binary attachments)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_SOCKETIO (sonde_proto_socketio_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoSocketio, sonde_proto_socketio, SONDE, PROTO_SOCKETIO, SondeAppProtocol)

G_END_DECLS
