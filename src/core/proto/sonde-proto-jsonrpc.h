/* sonde-proto-jsonrpc.h: JSON-RPC 2.0 (requests paired with responses,
 * notifications, batches, subscriptions such as eth_subscribe)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_JSONRPC (sonde_proto_jsonrpc_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoJsonrpc, sonde_proto_jsonrpc, SONDE, PROTO_JSONRPC, SondeAppProtocol)

G_END_DECLS
