/* sonde-proto-mqtt.h: MQTT 3.1.1 and 5 over WebSocket (CONNECT,
 * keepalive pings, subscriptions, publishes, QoS 1 and 2 acks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_MQTT (sonde_proto_mqtt_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoMqtt, sonde_proto_mqtt, SONDE, PROTO_MQTT, SondeAppProtocol)

G_END_DECLS
