/* sonde-mqtt-packet.c: MQTT 3.1.1 and 5 control packets, read: where a
 * packet ends and its view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Views (docs/app-protocols.md): {"type":"publish","topic":"a/b","qos":0,
 * "retain":false,"payload":…} (with "dup", "id" for QoS 1 and 2, and
 * "properties" in MQTT 5), {"type":"connack","session_present":false,
 * "reason_code":0}, {"type":"suback","id":1,"reason_codes":[0]}… Labels:
 * a publish by its topic, a subscribe by its first filter, the rest by the
 * packet's name. Upkeep: everything but publishes, subscribes,
 * unsubscribes, refusals and disconnects. The packets Sonde writes are
 * sonde-mqtt-packet-write.c.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-json-writer.h"
#include "sonde-mqtt-packet.h"
#include "sonde-text.h"

static const char * const type_names[] = {
  NULL, "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp",
  "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", "auth",
};

typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
  char         *error;   /* owned: the first problem met */
} Reader;

static gboolean
fail (Reader     *reader,
      const char *what)
{
  if (reader->error == NULL)
    /* Translators: an MQTT packet is malformed: what is wrong, and the byte offset. */
    reader->error = g_strdup_printf (_("not MQTT: %s (at byte %" PRIu64 ")"), what, (guint64) reader->pos);
  return FALSE;
}

static gboolean
read_u8 (Reader *reader,
         guint  *value)
{
  if (reader->pos + 1 > reader->length)
    return fail (reader, _("the packet ends early"));
  *value = reader->data[reader->pos++];
  return TRUE;
}

static gboolean
read_u16 (Reader *reader,
          guint  *value)
{
  if (reader->pos + 2 > reader->length)
    return fail (reader, _("the packet ends early"));
  *value = ((guint) reader->data[reader->pos] << 8) | reader->data[reader->pos + 1];
  reader->pos += 2;
  return TRUE;
}

static gboolean
read_u32 (Reader  *reader,
          guint32 *value)
{
  if (reader->pos + 4 > reader->length)
    return fail (reader, _("the packet ends early"));
  *value = ((guint32) reader->data[reader->pos] << 24) | ((guint32) reader->data[reader->pos + 1] << 16) |
           ((guint32) reader->data[reader->pos + 2] << 8) | reader->data[reader->pos + 3];
  reader->pos += 4;
  return TRUE;
}

static gboolean
read_varint (Reader  *reader,
             guint32 *value)
{
  guint32 result = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint byte;

      if (!read_u8 (reader, &byte))
        return FALSE;
      result |= (guint32) (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0)
        {
          *value = result;
          return TRUE;
        }
    }
  return fail (reader, _("a variable byte integer longer than 4 bytes"));
}

/* A length-prefixed string or binary: borrowed bytes. */
static gboolean
read_bytes (Reader        *reader,
            const guint8 **bytes,
            guint         *length)
{
  if (!read_u16 (reader, length))
    return FALSE;
  if (reader->pos + *length > reader->length)
    return fail (reader, _("a string runs past the end of the packet"));
  *bytes = reader->data + reader->pos;
  reader->pos += *length;
  return TRUE;
}

static gboolean
append_string (Reader  *reader,
               GString *json)
{
  const guint8 *bytes;
  guint length;

  if (!read_bytes (reader, &bytes, &length))
    return FALSE;
  if (!sonde_text_validate_utf8 (bytes, length, NULL) || memchr (bytes, '\0', length) != NULL)
    return fail (reader, _("a string is not UTF-8"));
  sonde_json_append_string (json, (const char *) bytes, length);
  return TRUE;
}

static void
append_base64 (GString      *json,
               const guint8 *bytes,
               gsize         length)
{
  g_autofree char *encoded = g_base64_encode (bytes, length);

  sonde_json_append_string (json, encoded, -1);
}

/* MQTT 5 properties: {"name":value,…, "user_properties":{"k":"v"}}. */
static gboolean
append_properties (Reader  *reader,
                   GString *json)
{
  guint32 length;
  gsize end, saved_length;
  gboolean first = TRUE;
  g_autoptr(GString) user = g_string_new (NULL);

  if (!read_varint (reader, &length))
    return FALSE;
  if (length > reader->length - reader->pos)
    return fail (reader, _("the properties run past the end of the packet"));
  end = reader->pos + length;
  g_string_append_c (json, '{');
  /* Nothing is read past the properties. */
  saved_length = reader->length;
  reader->length = end;
  while (reader->error == NULL && reader->pos < end)
    {
      guint32 id;
      guint value;
      guint32 value32;
      const guint8 *bytes;
      guint bytes_length;
      const char *name;

      if (!read_varint (reader, &id))
        break;
      switch (id)
        {
        case 0x01: name = "payload_format_indicator"; break;
        case 0x02: name = "message_expiry_interval"; break;
        case 0x03: name = "content_type"; break;
        case 0x08: name = "response_topic"; break;
        case 0x09: name = "correlation_data"; break;
        case 0x0B: name = "subscription_identifier"; break;
        case 0x11: name = "session_expiry_interval"; break;
        case 0x12: name = "assigned_client_identifier"; break;
        case 0x13: name = "server_keep_alive"; break;
        case 0x15: name = "authentication_method"; break;
        case 0x16: name = "authentication_data"; break;
        case 0x17: name = "request_problem_information"; break;
        case 0x18: name = "will_delay_interval"; break;
        case 0x19: name = "request_response_information"; break;
        case 0x1A: name = "response_information"; break;
        case 0x1C: name = "server_reference"; break;
        case 0x1F: name = "reason_string"; break;
        case 0x21: name = "receive_maximum"; break;
        case 0x22: name = "topic_alias_maximum"; break;
        case 0x23: name = "topic_alias"; break;
        case 0x24: name = "maximum_qos"; break;
        case 0x25: name = "retain_available"; break;
        case 0x26: name = "user_property"; break;
        case 0x27: name = "maximum_packet_size"; break;
        case 0x28: name = "wildcard_subscription_available"; break;
        case 0x29: name = "subscription_identifier_available"; break;
        case 0x2A: name = "shared_subscription_available"; break;
        default:
          fail (reader, _("an unknown property"));
          continue;
        }
      if (id == 0x26)
        {
          if (user->len > 0)
            g_string_append_c (user, ',');
          if (append_string (reader, user))
            {
              g_string_append_c (user, ':');
              append_string (reader, user);
            }
          continue;
        }
      sonde_json_append_member (json, &first, name);
      switch (id)
        {
        case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
          if (!read_u8 (reader, &value))
            break;
          g_string_append_printf (json, "%u", value);
          break;
        case 0x13: case 0x21: case 0x22: case 0x23:
          if (!read_u16 (reader, &value))
            break;
          g_string_append_printf (json, "%u", value);
          break;
        case 0x02: case 0x11: case 0x18: case 0x27:
          if (!read_u32 (reader, &value32))
            break;
          g_string_append_printf (json, "%" G_GUINT32_FORMAT, value32);
          break;
        case 0x0B:
          if (!read_varint (reader, &value32))
            break;
          g_string_append_printf (json, "%" G_GUINT32_FORMAT, value32);
          break;
        case 0x09: case 0x16:
          if (!read_bytes (reader, &bytes, &bytes_length))
            break;
          append_base64 (json, bytes, bytes_length);
          break;
        default:
          append_string (reader, json);
          break;
        }
    }
  reader->length = saved_length;
  if (reader->error != NULL)
    return FALSE;
  if (user->len > 0)
    {
      sonde_json_append_member (json, &first, "user_properties");
      g_string_append_c (json, '{');
      g_string_append_len (json, user->str, (gssize) user->len);
      g_string_append_c (json, '}');
    }
  g_string_append_c (json, '}');
  if (reader->pos != end)
    return fail (reader, _("a property runs past the end of the properties"));
  return TRUE;
}

SondeMqttHeader
sonde_mqtt_packet_header (const guint8 *data,
                          gsize         length,
                          gsize        *total)
{
  guint32 remaining = 0;

  for (gsize i = 1; i <= 4; i++)
    {
      if (i >= length)
        return SONDE_MQTT_HEADER_INCOMPLETE;
      remaining |= (guint32) (data[i] & 0x7f) << (7 * (i - 1));
      if ((data[i] & 0x80) == 0)
        {
          *total = i + 1 + remaining;
          return SONDE_MQTT_HEADER_COMPLETE;
        }
    }
  return SONDE_MQTT_HEADER_MALFORMED;
}

static const char *
connack_reason (guint code,
                guint version)
{
  /* A broker without MQTT 5 answers a version 5 CONNECT the 3.1.1 way. */
  if (version < 5 || code < 0x80)
    switch (code)
      {
      case 0: return "accepted";
      case 1: return "unacceptable protocol version";
      case 2: return "identifier rejected";
      case 3: return "server unavailable";
      case 4: return "bad user name or password";
      case 5: return "not authorized";
      default: return "unknown";
      }
  switch (code)
    {
    case 0x00: return "success";
    case 0x80: return "unspecified error";
    case 0x81: return "malformed packet";
    case 0x82: return "protocol error";
    case 0x84: return "unsupported protocol version";
    case 0x85: return "client identifier not valid";
    case 0x86: return "bad user name or password";
    case 0x87: return "not authorized";
    case 0x88: return "server unavailable";
    case 0x89: return "server busy";
    case 0x8A: return "banned";
    case 0x8C: return "bad authentication method";
    case 0x95: return "packet too large";
    case 0x97: return "quota exceeded";
    case 0x9C: return "use another server";
    case 0x9D: return "server moved";
    case 0x9F: return "connection rate exceeded";
    default: return "unknown";
    }
}

/* The body of a packet after its fixed header, its members appended. */
static gboolean
append_body (SondeAppProtocol     *protocol,
             Reader               *reader,
             guint                 type,
             guint                 flags,
             guint                 version,
             gboolean              whole,
             GString              *json,
             gboolean             *first,
             SondeRecordViewExtra *extra)
{
  guint value, id;

  switch (type)
    {
    case SONDE_MQTT_CONNECT:
      {
        const guint8 *name;
        guint name_length, level, connect_flags, keepalive;

        if (!read_bytes (reader, &name, &name_length) || !read_u8 (reader, &level) ||
            !read_u8 (reader, &connect_flags) || !read_u16 (reader, &keepalive))
          return FALSE;
        if (!(name_length == 4 && memcmp (name, "MQTT", 4) == 0) &&
            !(name_length == 6 && memcmp (name, "MQIsdp", 6) == 0))
          return fail (reader, _("the protocol name is not MQTT"));
        sonde_json_append_int_member (json, first, "version", level);
        sonde_json_append_bool_member (json, first, "clean", (connect_flags & 0x02) != 0);
        sonde_json_append_int_member (json, first, "keepalive", keepalive);
        if (level >= 5)
          {
            sonde_json_append_member (json, first, "properties");
            if (!append_properties (reader, json))
              return FALSE;
          }
        sonde_json_append_member (json, first, "client_id");
        if (!append_string (reader, json))
          return FALSE;
        if (connect_flags & 0x04)
          {
            const guint8 *bytes;
            guint length;

            if (level >= 5)
              {
                sonde_json_append_member (json, first, "will_properties");
                if (!append_properties (reader, json))
                  return FALSE;
              }
            sonde_json_append_member (json, first, "will_topic");
            if (!append_string (reader, json) || !read_bytes (reader, &bytes, &length))
              return FALSE;
          }
        if (connect_flags & 0x80)
          {
            sonde_json_append_member (json, first, "username");
            if (!append_string (reader, json))
              return FALSE;
          }
        /* The password is a secret: never shown. */
        if (connect_flags & 0x40)
          {
            const guint8 *bytes;
            guint length;

            if (!read_bytes (reader, &bytes, &length))
              return FALSE;
          }
        sonde_json_append_bool_member (json, first, "password", (connect_flags & 0x40) != 0);
        extra->upkeep = TRUE;
        return TRUE;
      }
    case SONDE_MQTT_CONNACK:
      {
        guint ack_flags, code;

        if (!read_u8 (reader, &ack_flags) || !read_u8 (reader, &code))
          return FALSE;
        sonde_json_append_bool_member (json, first, "session_present", (ack_flags & 1) != 0);
        sonde_json_append_int_member (json, first, "reason_code", code);
        sonde_json_append_string_member (json, first, "reason", connack_reason (code, version));
        if (version >= 5 && reader->pos < reader->length)
          {
            sonde_json_append_member (json, first, "properties");
            if (!append_properties (reader, json))
              return FALSE;
          }
        extra->upkeep = code == 0;
        if (code != 0)
          /* Translators: the MQTT broker refused the connection: its reason. */
          extra->label = g_strdup_printf (_("refused: %s (%u)"), connack_reason (code, version), code);
        return TRUE;
      }
    case SONDE_MQTT_PUBLISH:
      {
        guint qos = (flags >> 1) & 3;
        const guint8 *topic;
        guint topic_length;

        if (qos == 3)
          return fail (reader, _("a publish with QoS 3"));
        if (!read_bytes (reader, &topic, &topic_length))
          return FALSE;
        if (!sonde_text_validate_utf8 (topic, topic_length, NULL) || memchr (topic, '\0', topic_length) != NULL)
          return fail (reader, _("a string is not UTF-8"));
        sonde_json_append_member (json, first, "topic");
        sonde_json_append_string (json, (const char *) topic, topic_length);
        sonde_json_append_int_member (json, first, "qos", qos);
        sonde_json_append_bool_member (json, first, "retain", (flags & 1) != 0);
        if (flags & 8)
          sonde_json_append_bool_member (json, first, "dup", TRUE);
        if (qos > 0)
          {
            if (!read_u16 (reader, &id))
              return FALSE;
            sonde_json_append_int_member (json, first, "id", id);
          }
        if (version >= 5)
          {
            sonde_json_append_member (json, first, "properties");
            if (!append_properties (reader, json))
              return FALSE;
          }
        extra->label = g_strndup ((const char *) topic, topic_length);
        if (whole)
          {
            const guint8 *payload = reader->data + reader->pos;
            gsize length = reader->length - reader->pos;

            sonde_json_append_member (json, first, "payload");
            if (protocol != NULL)
              sonde_app_protocol_append_payload (protocol, payload, length, json);
            else if (sonde_text_validate_utf8 (payload, length, NULL))
              sonde_json_append_string (json, (const char *) payload, (gssize) length);
            else
              append_base64 (json, payload, length);
            reader->pos = reader->length;
          }
        return TRUE;
      }
    case SONDE_MQTT_PUBACK:
    case SONDE_MQTT_PUBREC:
    case SONDE_MQTT_PUBREL:
    case SONDE_MQTT_PUBCOMP:
    case SONDE_MQTT_UNSUBACK:
    case SONDE_MQTT_SUBACK:
      if (!read_u16 (reader, &id))
        return FALSE;
      sonde_json_append_int_member (json, first, "id", id);
      if (version >= 5 && (type == SONDE_MQTT_SUBACK || type == SONDE_MQTT_UNSUBACK))
        {
          sonde_json_append_member (json, first, "properties");
          if (!append_properties (reader, json))
            return FALSE;
        }
      else if (version >= 5 && reader->pos < reader->length)
        {
          if (!read_u8 (reader, &value))
            return FALSE;
          sonde_json_append_int_member (json, first, "reason_code", value);
          if (reader->pos < reader->length)
            {
              sonde_json_append_member (json, first, "properties");
              if (!append_properties (reader, json))
                return FALSE;
            }
        }
      if (type == SONDE_MQTT_SUBACK || (type == SONDE_MQTT_UNSUBACK && version >= 5))
        {
          sonde_json_append_member (json, first, "reason_codes");
          g_string_append_c (json, '[');
          for (gsize i = reader->pos; i < reader->length; i++)
            g_string_append_printf (json, "%s%u", i > reader->pos ? "," : "", reader->data[i]);
          g_string_append_c (json, ']');
          reader->pos = reader->length;
        }
      extra->upkeep = TRUE;
      return TRUE;
    case SONDE_MQTT_SUBSCRIBE:
    case SONDE_MQTT_UNSUBSCRIBE:
      if (!read_u16 (reader, &id))
        return FALSE;
      sonde_json_append_int_member (json, first, "id", id);
      if (version >= 5)
        {
          sonde_json_append_member (json, first, "properties");
          if (!append_properties (reader, json))
            return FALSE;
        }
      sonde_json_append_member (json, first, "filters");
      g_string_append_c (json, '[');
      for (guint n = 0; reader->pos < reader->length; n++)
        {
          const guint8 *filter;
          guint length;

          if (!read_bytes (reader, &filter, &length))
            return FALSE;
          if (!sonde_text_validate_utf8 (filter, length, NULL) || memchr (filter, '\0', length) != NULL)
            return fail (reader, _("a string is not UTF-8"));
          if (n == 0)
            extra->label = g_strndup ((const char *) filter, length);
          g_string_append (json, n > 0 ? ",{\"filter\":" : "{\"filter\":");
          sonde_json_append_string (json, (const char *) filter, length);
          if (type == SONDE_MQTT_SUBSCRIBE)
            {
              if (!read_u8 (reader, &value))
                return FALSE;
              g_string_append_printf (json, ",\"qos\":%u", value & 3);
            }
          g_string_append_c (json, '}');
        }
      g_string_append_c (json, ']');
      return TRUE;
    case SONDE_MQTT_PINGREQ:
    case SONDE_MQTT_PINGRESP:
      extra->upkeep = TRUE;
      return TRUE;
    case SONDE_MQTT_DISCONNECT:
    case SONDE_MQTT_AUTH:
      if (version >= 5 && reader->pos < reader->length)
        {
          if (!read_u8 (reader, &value))
            return FALSE;
          sonde_json_append_int_member (json, first, "reason_code", value);
          if (reader->pos < reader->length)
            {
              sonde_json_append_member (json, first, "properties");
              if (!append_properties (reader, json))
                return FALSE;
            }
        }
      extra->upkeep = type == SONDE_MQTT_AUTH;
      return TRUE;
    default:
      return fail (reader, _("a reserved packet type"));
    }
}

SondeRecordViewKind
sonde_mqtt_packet_view (SondeAppProtocol     *protocol,
                        const guint8         *data,
                        gsize                 length,
                        guint                 version,
                        GString              *json,
                        char                **error_message,
                        SondeRecordViewExtra *extra)
{
  Reader reader = { data, length, 0, NULL };
  gsize total = 0, mark = json->len, body_mark;
  guint type, flags;
  gboolean whole, first = TRUE;

  switch (sonde_mqtt_packet_header (data, length, &total))
    {
    case SONDE_MQTT_HEADER_MALFORMED:
      reader.pos = 1;
      fail (&reader, _("a remaining length longer than 4 bytes"));
      *error_message = reader.error;
      return SONDE_RECORD_VIEW_FAILED;
    case SONDE_MQTT_HEADER_INCOMPLETE:
      if (length == 0)
        {
          *error_message = g_strdup (_("not MQTT: an empty message"));
          return SONDE_RECORD_VIEW_FAILED;
        }
      total = G_MAXSIZE;
      break;
    case SONDE_MQTT_HEADER_COMPLETE:
    default:
      break;
    }
  type = data[0] >> 4;
  flags = data[0] & 0x0f;
  if (type == 0)
    {
      *error_message = g_strdup (_("not MQTT: a reserved packet type (0)"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (total < length)
    {
      reader.pos = total;
      /* The rest is one more packet: the splitter cuts messages between
       * packets, so this is a message of another protocol. */
      fail (&reader, _("bytes after the end of the packet"));
      *error_message = reader.error;
      return SONDE_RECORD_VIEW_FAILED;
    }
  whole = total == length;
  /* The body comes after the fixed header: a byte and the remaining
   * length's 1 to 4 bytes. */
  reader.pos = 1;
  while (reader.pos < length && (data[reader.pos] & 0x80) != 0)
    reader.pos++;
  reader.pos = MIN (reader.pos + 1, length);

  g_string_append (json, "{");
  sonde_json_append_string_member (json, &first, "type", type_names[type]);
  body_mark = json->len;
  if (!append_body (protocol, &reader, type, flags, version, whole, json, &first, extra))
    {
      if (whole)
        {
          g_string_truncate (json, mark);
          g_clear_pointer (&extra->label, g_free);
          *error_message = reader.error;
          return SONDE_RECORD_VIEW_FAILED;
        }
      /* Cut short: what this part holds of the body is not shown. */
      g_string_truncate (json, body_mark);
      g_clear_pointer (&reader.error, g_free);
    }
  g_clear_pointer (&reader.error, g_free);
  if (whole && reader.pos != length)
    {
      g_string_truncate (json, mark);
      g_clear_pointer (&extra->label, g_free);
      reader.error = NULL;
      fail (&reader, _("bytes after the end of the packet"));
      *error_message = reader.error;
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (!whole)
    {
      /* The packet's view goes with the message that completes it: this
       * part is not data on its own. */
      extra->upkeep = TRUE;
      sonde_json_append_bool_member (json, &first, "continues", TRUE);
      sonde_json_append_int_member (json, &first, "received", (gint64) length);
      if (total != G_MAXSIZE)
        sonde_json_append_int_member (json, &first, "length", (gint64) total);
    }
  if (extra->label == NULL)
    extra->label = g_ascii_strup (type_names[type], -1);
  if (!whole)
    {
      /* Translators: the label of the first part of a packet that continues in the next message. */
      char *label = g_strdup_printf (_("%s …"), extra->label);

      g_free (extra->label);
      extra->label = label;
    }
  g_string_append_c (json, '}');
  return SONDE_RECORD_VIEW_DECODED;
}
