/* sonde-proto-mqtt.c: MQTT 3.1.1 and 5 over WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Subprotocol "mqtt", binary messages. On open: CONNECT (the client id
 * given or "sonde-XXXXXXXX", a clean session, the credentials, the
 * keepalive); after CONNACK, SUBSCRIBE for every subscription (again after
 * every reconnect); PINGREQ every keepalive; PUBACK for a QoS 1 publish,
 * PUBREC then PUBCOMP for QoS 2. A refused CONNACK is reported with its
 * reason code. Views: sonde-mqtt-packet.c. A message holding several
 * packets becomes one record each (split()); a packet across messages is
 * gathered here, and the record that completes it gets the packet's view.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-mqtt-packet.h"
#include "sonde-proto-mqtt.h"

/* A packet gathered across messages, at most: larger ones are dropped. */
#define MAX_PENDING (64 * 1024 * 1024)

struct _SondeProtoMqtt
{
  SondeAppProtocol parent_instance;

  GByteArray *pending;     /* the start of a packet that continues in the next message */
  guint16     next_id;
  char       *client_id;   /* generated once per mode when none is given */
};

G_DEFINE_FINAL_TYPE (SondeProtoMqtt, sonde_proto_mqtt, SONDE_TYPE_APP_PROTOCOL)

static const char * const subprotocols[] = { "mqtt", NULL };

static guint
get_version (SondeProtoMqtt *self)
{
  return sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self))->mqtt_version >= 5 ? 5 : 4;
}

static guint
get_keepalive (SondeProtoMqtt *self)
{
  guint keepalive = sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self))->keepalive_s;

  return keepalive > 0 ? keepalive : 30;
}

static guint16
take_id (SondeProtoMqtt *self)
{
  if (++self->next_id == 0)
    self->next_id = 1;
  return self->next_id;
}

static gboolean
send_packet (SondeProtoMqtt  *self,
             GByteArray      *packet,
             gboolean         automatic,
             GError         **error)
{
  return sonde_app_protocol_send_binary (SONDE_APP_PROTOCOL (self), packet->data, packet->len, automatic, error);
}

/* @qos: -1 for the options' */
static gboolean
subscribe (SondeProtoMqtt  *self,
           const char      *filter,
           int              qos,
           gboolean         automatic,
           GError         **error)
{
  g_autoptr(GByteArray) packet = g_byte_array_new ();

  if (qos < 0)
    qos = (int) sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self))->qos;

  if (filter == NULL || *filter == '\0' || strlen (filter) > 0xffff ||
      !g_utf8_validate (filter, -1, NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A subscription is a topic filter, such as sensors/# or ticks/+/price"));
      return FALSE;
    }
  sonde_mqtt_packet_append_subscribe (packet, get_version (self), take_id (self), filter, MIN (qos, 1));
  return send_packet (self, packet, automatic, error);
}

/* A PUBLISH with @qos (0 or 1) and @retain: sonde-mqtt-packet.c writes
 * QoS 0 ones; a packet id goes after the topic for QoS 1, and the fixed
 * header carries both flags. */
static void
append_publish (SondeProtoMqtt *self,
                GByteArray     *out,
                const char     *topic,
                const char     *payload,
                guint           qos,
                gboolean        retain)
{
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize header = 1, total = 0, after_topic = 2 + strlen (topic);
  guint8 first;

  sonde_mqtt_packet_append_publish (plain, get_version (self), topic, (const guint8 *) payload, strlen (payload));
  g_assert (sonde_mqtt_packet_header (plain->data, plain->len, &total) == SONDE_MQTT_HEADER_COMPLETE);
  while ((plain->data[header] & 0x80) != 0)
    header++;
  header++;
  g_byte_array_append (body, plain->data + header, (guint) after_topic);
  if (qos > 0)
    {
      guint16 id = take_id (self);
      guint8 id_bytes[2] = { id >> 8, id & 0xff };

      g_byte_array_append (body, id_bytes, 2);
    }
  g_byte_array_append (body, plain->data + header + after_topic, (guint) (plain->len - header - after_topic));

  first = (guint8) ((SONDE_MQTT_PUBLISH << 4) | (MIN (qos, 1) << 1) | (retain ? 1 : 0));
  g_byte_array_append (out, &first, 1);
  for (guint remaining = body->len;;)
    {
      guint8 digit = remaining & 0x7f;

      remaining >>= 7;
      if (remaining > 0)
        digit |= 0x80;
      g_byte_array_append (out, &digit, 1);
      if (remaining == 0)
        break;
    }
  g_byte_array_append (out, body->data, body->len);
}

static gboolean
on_keepalive (gpointer data)
{
  SondeProtoMqtt *self = data;
  g_autoptr(GByteArray) packet = g_byte_array_new ();

  sonde_mqtt_packet_append_pingreq (packet);
  send_packet (self, packet, TRUE, NULL);
  return G_SOURCE_CONTINUE;
}

static const char * const *
sonde_proto_mqtt_get_subprotocols (SondeAppProtocol *protocol)
{
  return subprotocols;
}

static void
sonde_proto_mqtt_reset (SondeAppProtocol *protocol)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);

  g_byte_array_set_size (self->pending, 0);
}

static void
sonde_proto_mqtt_opened (SondeAppProtocol *protocol)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  if (self->client_id == NULL)
    self->client_id = options->client_id != NULL && *options->client_id != '\0'
                      ? g_strdup (options->client_id)
                      : g_strdup_printf ("sonde-%08x", g_random_int ());
  sonde_mqtt_packet_append_connect (packet, get_version (self), self->client_id, options->username,
                                    options->password, get_keepalive (self));
  if (!send_packet (self, packet, TRUE, &error))
    {
      sonde_app_protocol_report (protocol, error->message);
      return;
    }
  sonde_app_protocol_add_timer (protocol, get_keepalive (self) * 1000, on_keepalive);
}

static void
sonde_proto_mqtt_closed (SondeAppProtocol *protocol)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);

  g_byte_array_set_size (self->pending, 0);
}

/* A whole received packet: what it needs answered. */
static void
handle_packet (SondeProtoMqtt *self,
               const guint8   *data,
               gsize           length)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  guint type = data[0] >> 4;
  gsize body = 1;

  while (body < length && (data[body] & 0x80) != 0)
    body++;
  body++;

  switch (type)
    {
    case SONDE_MQTT_CONNACK:
      if (length >= body + 2 && data[body + 1] != 0)
        {
          g_autofree char *text = NULL;
          g_autoptr(GString) json = g_string_new (NULL);
          g_autofree char *error_message = NULL;
          SondeRecordViewExtra extra = { NULL, FALSE };

          sonde_mqtt_packet_view (NULL, data, length, get_version (self), json, &error_message, &extra);
          /* Translators: the MQTT broker refused the connection: why (and its reason code). */
          text = g_strdup_printf (_("The MQTT broker refused the connection: %s"),
                                  extra.label != NULL ? extra.label : "");
          sonde_app_protocol_report (protocol, text);
          g_free (extra.label);
        }
      else if (length >= body + 2)
        {
          const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);

          for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
            {
              g_autoptr(GError) error = NULL;

              if (!subscribe (self, options->subscriptions[i], -1, TRUE, &error))
                sonde_app_protocol_report (protocol, error->message);
            }
        }
      break;
    case SONDE_MQTT_PUBLISH:
      {
        guint qos = (data[0] >> 1) & 3;
        guint topic_length;

        if ((qos != 1 && qos != 2) || length < body + 2)
          break;
        topic_length = ((guint) data[body] << 8) | data[body + 1];
        if (length >= body + 2 + topic_length + 2)
          {
            const guint8 *id = data + body + 2 + topic_length;
            g_autoptr(GByteArray) packet = g_byte_array_new ();

            sonde_mqtt_packet_append_ack (packet, qos == 1 ? SONDE_MQTT_PUBACK : SONDE_MQTT_PUBREC,
                                          ((guint) id[0] << 8) | id[1]);
            send_packet (self, packet, TRUE, NULL);
          }
      }
      break;
    case SONDE_MQTT_PUBREL:
      if (length >= body + 2)
        {
          g_autoptr(GByteArray) packet = g_byte_array_new ();

          sonde_mqtt_packet_append_ack (packet, SONDE_MQTT_PUBCOMP, ((guint) data[body] << 8) | data[body + 1]);
          send_packet (self, packet, TRUE, NULL);
        }
      break;
    default:
      break;
    }
}

/* Whole packets in @data, one after another; what is left over, the start
 * of a packet, waits in pending. */
static void
handle_packets (SondeProtoMqtt *self,
                const guint8   *data,
                gsize           length)
{
  while (length > 0)
    {
      gsize total = 0;

      switch (sonde_mqtt_packet_header (data, length, &total))
        {
        case SONDE_MQTT_HEADER_MALFORMED:
          return;
        case SONDE_MQTT_HEADER_INCOMPLETE:
          total = G_MAXSIZE;
          break;
        case SONDE_MQTT_HEADER_COMPLETE:
        default:
          break;
        }
      if (total > length)
        {
          if (total == G_MAXSIZE || total <= MAX_PENDING)
            g_byte_array_append (self->pending, data, (guint) length);
          return;
        }
      handle_packet (self, data, total);
      data += total;
      length -= total;
    }
}

static void
sonde_proto_mqtt_process (SondeAppProtocol  *protocol,
                          const SondeRecord *record)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);
  gsize total = 0;
  SondeMqttHeader header;

  if (record->direction != SONDE_DIRECTION_IN || record->kind != SONDE_MESSAGE_KIND_BINARY)
    return;
  if (self->pending->len == 0)
    {
      handle_packets (self, record->data, record->stored_size);
      return;
    }

  /* The rest of a packet begun in an earlier message. */
  g_byte_array_append (self->pending, record->data, (guint) record->stored_size);
  header = sonde_mqtt_packet_header (self->pending->data, self->pending->len, &total);
  if (header == SONDE_MQTT_HEADER_MALFORMED || (header == SONDE_MQTT_HEADER_COMPLETE && total > MAX_PENDING))
    {
      g_byte_array_set_size (self->pending, 0);
      return;
    }
  if (header == SONDE_MQTT_HEADER_INCOMPLETE || total > self->pending->len)
    {
      /* Still not whole: this part's view says so. */
      g_autofree char *json = g_strdup_printf ("{\"type\":\"continuation\",\"continues\":true,\"received\":%u}",
                                               self->pending->len);
      SondeRecordViewExtra extra = { (char *) "…", TRUE };

      sonde_app_protocol_put_view (protocol, record->seq, SONDE_RECORD_VIEW_DECODED, json, strlen (json), NULL,
                                   &extra);
      return;
    }

  {
    g_autoptr(GByteArray) whole = g_steal_pointer (&self->pending);
    g_autoptr(GString) json = g_string_new (NULL);
    g_autofree char *error_message = NULL;
    SondeRecordViewExtra extra = { NULL, FALSE };
    SondeRecordViewKind kind;

    self->pending = g_byte_array_new ();
    kind = sonde_mqtt_packet_view (protocol, whole->data, total, get_version (self), json, &error_message, &extra);
    sonde_app_protocol_put_view (protocol, record->seq, kind, json->str, json->len, error_message, &extra);
    g_free (extra.label);
    handle_packet (self, whole->data, total);
    /* More packets after it, when the message was not split. */
    handle_packets (self, whole->data + total, whole->len - total);
  }
}

static SondeRecordViewKind
sonde_proto_mqtt_view (SondeAppProtocol     *protocol,
                       const SondeRecord    *record,
                       GString              *json,
                       char                **error_message,
                       SondeRecordViewExtra *extra)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);

  if (record->kind == SONDE_MESSAGE_KIND_TEXT)
    {
      *error_message = g_strdup (_("not MQTT: a text message (MQTT packets are binary)"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (record->kind != SONDE_MESSAGE_KIND_BINARY)
    return SONDE_RECORD_VIEW_RAW;
  return sonde_mqtt_packet_view (protocol, record->data, record->stored_size, get_version (self), json,
                                 error_message, extra);
}

/* Between packets: the end of a packet begun in an earlier message first,
 * then whole packets, then the start of one that goes on. */
static gboolean
sonde_proto_mqtt_split (SondeAppProtocol *protocol,
                        const guint8     *data,
                        gsize             length,
                        GArray           *slices)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);
  gsize offset = 0;

  if (self->pending->len > 0)
    {
      g_autoptr(GByteArray) head = g_byte_array_sized_new (self->pending->len + 5);
      gsize total = 0;

      g_byte_array_append (head, self->pending->data, self->pending->len);
      g_byte_array_append (head, data, (guint) MIN (length, 5));
      if (sonde_mqtt_packet_header (head->data, head->len, &total) != SONDE_MQTT_HEADER_COMPLETE ||
          total <= self->pending->len)
        return FALSE;
      offset = MIN (total - self->pending->len, length);
      g_array_append_val (slices, ((SondeMessageSlice) { 0, offset }));
    }

  while (offset < length)
    {
      gsize total = 0;

      if (sonde_mqtt_packet_header (data + offset, length - offset, &total) != SONDE_MQTT_HEADER_COMPLETE ||
          total > length - offset)
        total = length - offset;
      g_array_append_val (slices, ((SondeMessageSlice) { offset, total }));
      offset += total;
    }
  return slices->len > 1;
}

static gboolean
sonde_proto_mqtt_act (SondeAppProtocol      *protocol,
                      const SondeAppAction  *action,
                      GError               **error)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (protocol);
  g_autofree char *trimmed = g_strstrip (g_strdup (action->argument));

  if (g_str_equal (action->name, "subscribe"))
    return subscribe (self, trimmed, action->qos, FALSE, error);
  if (g_str_equal (action->name, "unsubscribe"))
    {
      g_autoptr(GByteArray) packet = g_byte_array_new ();
      const char *filter = trimmed;

      if (*filter == '\0' || strlen (filter) > 0xffff)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("An unsubscription is a topic filter, such as sensors/#"));
          return FALSE;
        }
      sonde_mqtt_packet_append_unsubscribe (packet, get_version (self), take_id (self), filter);
      return send_packet (self, packet, FALSE, error);
    }
  if (g_str_equal (action->name, "publish"))
    {
      g_autofree char *topic = NULL;
      g_autofree char *payload = NULL;
      g_autoptr(GByteArray) packet = g_byte_array_new ();

      if (!sonde_app_protocol_split_argument (action->argument, &topic, &payload) || strlen (topic) > 0xffff ||
          strpbrk (topic, "#+") != NULL || !g_utf8_validate (topic, -1, NULL))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("A publish is TOPIC, then its payload: sensors/t1 {\"c\":21.5}"));
          return FALSE;
        }
      append_publish (self, packet, topic, payload, action->qos > 0 ? (guint) action->qos : 0, action->retain);
      return send_packet (self, packet, FALSE, error);
    }
  sonde_app_protocol_set_no_action (protocol, action->name, error);
  return FALSE;
}

static void
sonde_proto_mqtt_finalize (GObject *object)
{
  SondeProtoMqtt *self = SONDE_PROTO_MQTT (object);

  g_byte_array_unref (self->pending);
  g_free (self->client_id);

  G_OBJECT_CLASS (sonde_proto_mqtt_parent_class)->finalize (object);
}

static void
sonde_proto_mqtt_class_init (SondeProtoMqttClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_mqtt_finalize;
  protocol_class->get_subprotocols = sonde_proto_mqtt_get_subprotocols;
  protocol_class->reset = sonde_proto_mqtt_reset;
  protocol_class->opened = sonde_proto_mqtt_opened;
  protocol_class->closed = sonde_proto_mqtt_closed;
  protocol_class->process = sonde_proto_mqtt_process;
  protocol_class->view = sonde_proto_mqtt_view;
  protocol_class->split = sonde_proto_mqtt_split;
  protocol_class->act = sonde_proto_mqtt_act;
}

static void
sonde_proto_mqtt_init (SondeProtoMqtt *self)
{
  self->pending = g_byte_array_new ();
}
