/* sonde-mqtt-packet-write.c: the MQTT 3.1.1 and 5 packets Sonde sends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CONNECT (client id, login, keepalive; MQTT 5 with empty properties),
 * SUBSCRIBE, UNSUBSCRIBE, PUBLISH at QoS 0, the acknowledgements and
 * PINGREQ, appended to a byte array. Reading packets and their views is
 * sonde-mqtt-packet.c.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <string.h>

#include "sonde-mqtt-packet.h"

static void
append_varint (GByteArray *out,
               gsize       value)
{
  do
    {
      guint8 byte = value & 0x7f;

      value >>= 7;
      if (value > 0)
        byte |= 0x80;
      g_byte_array_append (out, &byte, 1);
    }
  while (value > 0);
}

static void
append_u16 (GByteArray *out,
            guint       value)
{
  guint8 bytes[2] = { (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, bytes, 2);
}

static void
append_bytes (GByteArray   *out,
              const guint8 *bytes,
              gsize         length)
{
  length = MIN (length, 0xffff);
  append_u16 (out, (guint) length);
  g_byte_array_append (out, bytes, (guint) length);
}

static void
append_str (GByteArray *out,
            const char *text)
{
  append_bytes (out, (const guint8 *) text, strlen (text));
}

/* The fixed header and @body. */
static void
append_packet (GByteArray *out,
               guint8      first_byte,
               GByteArray *body)
{
  g_byte_array_append (out, &first_byte, 1);
  append_varint (out, body->len);
  g_byte_array_append (out, body->data, body->len);
}

void
sonde_mqtt_packet_append_connect (GByteArray *out,
                                  guint       version,
                                  const char *client_id,
                                  const char *username,
                                  const char *password,
                                  guint       keepalive_s)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 level = version >= 5 ? 5 : 4;
  guint8 flags = 0x02;
  guint8 zero = 0;

  if (username != NULL && *username != '\0')
    flags |= 0x80;
  if (password != NULL && *password != '\0')
    flags |= 0x40;
  append_str (body, "MQTT");
  g_byte_array_append (body, &level, 1);
  g_byte_array_append (body, &flags, 1);
  append_u16 (body, MIN (keepalive_s, 0xffff));
  if (level >= 5)
    g_byte_array_append (body, &zero, 1);
  append_str (body, client_id);
  if (flags & 0x80)
    append_str (body, username);
  if (flags & 0x40)
    append_str (body, password);
  append_packet (out, SONDE_MQTT_CONNECT << 4, body);
}

void
sonde_mqtt_packet_append_subscribe (GByteArray *out,
                                    guint       version,
                                    guint16     packet_id,
                                    const char *filter,
                                    guint       qos)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 zero = 0, options = MIN (qos, 2);

  append_u16 (body, packet_id);
  if (version >= 5)
    g_byte_array_append (body, &zero, 1);
  append_str (body, filter);
  g_byte_array_append (body, &options, 1);
  append_packet (out, (SONDE_MQTT_SUBSCRIBE << 4) | 2, body);
}

void
sonde_mqtt_packet_append_unsubscribe (GByteArray *out,
                                      guint       version,
                                      guint16     packet_id,
                                      const char *filter)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 zero = 0;

  append_u16 (body, packet_id);
  if (version >= 5)
    g_byte_array_append (body, &zero, 1);
  append_str (body, filter);
  append_packet (out, (SONDE_MQTT_UNSUBSCRIBE << 4) | 2, body);
}

void
sonde_mqtt_packet_append_publish (GByteArray   *out,
                                  guint         version,
                                  const char   *topic,
                                  const guint8 *payload,
                                  gsize         length)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 zero = 0;

  append_str (body, topic);
  if (version >= 5)
    g_byte_array_append (body, &zero, 1);
  g_byte_array_append (body, payload, (guint) length);
  append_packet (out, SONDE_MQTT_PUBLISH << 4, body);
}

void
sonde_mqtt_packet_append_ack (GByteArray    *out,
                              SondeMqttType  type,
                              guint16        packet_id)
{
  guint8 bytes[4] = { (type << 4) | (type == SONDE_MQTT_PUBREL ? 2 : 0), 2, packet_id >> 8, packet_id & 0xff };

  g_byte_array_append (out, bytes, 4);
}

void
sonde_mqtt_packet_append_pingreq (GByteArray *out)
{
  guint8 bytes[2] = { SONDE_MQTT_PINGREQ << 4, 0 };

  g_byte_array_append (out, bytes, 2);
}
