/* sonde-proto-stomp.h: STOMP 1.2 and 1.1 (CONNECT and CONNECTED,
 * heart-beats, subscriptions, MESSAGE, RECEIPT and ERROR frames)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_STOMP (sonde_proto_stomp_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoStomp, sonde_proto_stomp, SONDE, PROTO_STOMP, SondeAppProtocol)

G_END_DECLS
