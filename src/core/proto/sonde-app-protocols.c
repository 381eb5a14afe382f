/* sonde-app-protocols.c: which class speaks which protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-app-protocol-private.h"
#include "sonde-proto-graphql.h"
#include "sonde-proto-jsonrpc.h"
#include "sonde-proto-mqtt.h"
#include "sonde-proto-signalr.h"
#include "sonde-proto-socketio.h"
#include "sonde-proto-stomp.h"

GType
sonde_app_protocol_type_for_kind (SondeAppProtocolKind kind)
{
  switch (kind)
    {
    case SONDE_APP_PROTOCOL_GRAPHQL:
      return SONDE_TYPE_PROTO_GRAPHQL;
    case SONDE_APP_PROTOCOL_JSON_RPC:
      return SONDE_TYPE_PROTO_JSONRPC;
    case SONDE_APP_PROTOCOL_SIGNALR:
      return SONDE_TYPE_PROTO_SIGNALR;
    case SONDE_APP_PROTOCOL_STOMP:
      return SONDE_TYPE_PROTO_STOMP;
    case SONDE_APP_PROTOCOL_MQTT:
      return SONDE_TYPE_PROTO_MQTT;
    case SONDE_APP_PROTOCOL_SOCKET_IO:
      return SONDE_TYPE_PROTO_SOCKETIO;
    case SONDE_APP_PROTOCOL_NONE:
    default:
      return G_TYPE_INVALID;
    }
}
