/* sonde-mqtt-packet.h: MQTT 3.1.1 and 5 control packets, read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the MQTT mode (sonde-proto-mqtt.c) and its fuzz target share: where
 * a packet ends, its decoded view (docs/app-protocols.md), and the packets
 * Sonde sends.
 */
#pragma once

#include <glib.h>

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_MQTT_CONNECT = 1,
  SONDE_MQTT_CONNACK,
  SONDE_MQTT_PUBLISH,
  SONDE_MQTT_PUBACK,
  SONDE_MQTT_PUBREC,
  SONDE_MQTT_PUBREL,
  SONDE_MQTT_PUBCOMP,
  SONDE_MQTT_SUBSCRIBE,
  SONDE_MQTT_SUBACK,
  SONDE_MQTT_UNSUBSCRIBE,
  SONDE_MQTT_UNSUBACK,
  SONDE_MQTT_PINGREQ,
  SONDE_MQTT_PINGRESP,
  SONDE_MQTT_DISCONNECT,
  SONDE_MQTT_AUTH,
} SondeMqttType;

typedef enum {
  SONDE_MQTT_HEADER_COMPLETE,    /* @total is known */
  SONDE_MQTT_HEADER_INCOMPLETE,  /* more bytes are needed to know it */
  SONDE_MQTT_HEADER_MALFORMED,   /* a remaining length of more than 4 bytes */
} SondeMqttHeader;

/* The fixed header at @data: the packet's whole size in @total. */
SondeMqttHeader sonde_mqtt_packet_header (const guint8  *data,
                                          gsize          length,
                                          gsize         *total);

/* The view of the packet at @data (@length: what the message holds of
 * it): DECODED with the JSON view, label and upkeep mark; a packet cut
 * short (the rest in the next message) decodes as what it is, with
 * "continues":true; FAILED with why. @version: 4 or 5, for the packets
 * that do not say it. Payloads go through @protocol's payload reader
 * (NULL: as JSON or a string). */
SondeRecordViewKind sonde_mqtt_packet_view (SondeAppProtocol     *protocol,
                                            const guint8         *data,
                                            gsize                 length,
                                            guint                 version,
                                            GString              *json,
                                            char                **error_message,
                                            SondeRecordViewExtra *extra);

/* Packets Sonde sends, appended to @out. */
void sonde_mqtt_packet_append_connect   (GByteArray  *out,
                                         guint        version,
                                         const char  *client_id,
                                         const char  *username,
                                         const char  *password,
                                         guint        keepalive_s);
void sonde_mqtt_packet_append_subscribe (GByteArray  *out,
                                         guint        version,
                                         guint16      packet_id,
                                         const char  *filter,
                                         guint        qos);
void sonde_mqtt_packet_append_unsubscribe (GByteArray *out,
                                         guint        version,
                                         guint16      packet_id,
                                         const char  *filter);
void sonde_mqtt_packet_append_publish   (GByteArray  *out,
                                         guint        version,
                                         const char  *topic,
                                         const guint8 *payload,
                                         gsize        length);
/* PUBACK, PUBREC, PUBREL, PUBCOMP: @type and the packet id. */
void sonde_mqtt_packet_append_ack       (GByteArray  *out,
                                         SondeMqttType type,
                                         guint16      packet_id);
void sonde_mqtt_packet_append_pingreq   (GByteArray  *out);

G_END_DECLS
