/* sonde-proto-socketio.c: Socket.IO v4 over Engine.IO v4
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The URL becomes PATH?EIO=4&transport=websocket (PATH: /socket.io/ unless
 * the user gave one). The server's open packet ("0{sid,pingInterval,…}")
 * is answered by the namespace CONNECT ("40", the namespace and the auth
 * payload), every ping ("2") by a pong ("3"), all of it automatic; once
 * the server says the namespace is connected ("40{sid}"), the
 * subscriptions (emits) go, then the emits asked for before. An ack ("43")
 * is paired with its emit: its label is the event's name and the round
 * trip. A binary packet ("45", "46") is followed by its attachments, one
 * binary message each: once they are all in, the packet's view has them in
 * place of its placeholders (base64). Views: docs/app-protocols.md.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-proto-socketio.h"
#include "sonde-socketio-packet.h"

/* Emits waiting for their ack, at most: beyond, all are forgotten. */
#define MAX_PENDING 4096

typedef struct {
  char   *event;
  gint64  sent_us;   /* monotonic */
} Pending;

struct _SondeProtoSocketio
{
  SondeAppProtocol parent_instance;

  GHashTable *pending;        /* ack id (guint64 *) → Pending */
  guint64     next_id;
  gboolean    connected;      /* the server connected our namespace */
  GPtrArray  *queued;         /* emits asked for before that: packet texts */

  /* A binary packet waiting for its attachments. */
  guint64     binary_seq;
  char       *binary_text;
  GPtrArray  *binary_parts;   /* GBytes */
  guint       binary_expected;
  char       *binary_label;   /* an ack's, with its round trip; NULL: the view's */

  /* Engine.IO's heart-beat: the server pings every interval and a client
   * that hears none for interval + timeout takes the server for gone. */
  SondeJsonPath *interval_path;
  SondeJsonPath *timeout_path;
  gint64         ping_deadline_us;   /* monotonic; 0: not watching */
  guint          silence_ms;         /* interval + timeout */
  double         timeout_s;
};

G_DEFINE_FINAL_TYPE (SondeProtoSocketio, sonde_proto_socketio, SONDE_TYPE_APP_PROTOCOL)

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->event);
  g_free (pending);
}

static const char *
get_nsp (SondeProtoSocketio *self)
{
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self));

  return options->nsp != NULL && options->nsp[0] != '\0' ? options->nsp : "/";
}

static gboolean
is_our_nsp (SondeProtoSocketio        *self,
            const SondeSocketioPacket *packet)
{
  const char *nsp = get_nsp (self);

  return strlen (nsp) == packet->nsp_length && memcmp (nsp, packet->nsp, packet->nsp_length) == 0;
}

/* "4" + TYPE + "NSP," when the namespace is not "/". */
static GString *
packet_start (SondeProtoSocketio *self,
              char                type)
{
  GString *text = g_string_new ("4");
  const char *nsp = get_nsp (self);

  g_string_append_c (text, type);
  if (strcmp (nsp, "/") != 0)
    {
      if (nsp[0] != '/')
        g_string_append_c (text, '/');
      g_string_append (text, nsp);
      g_string_append_c (text, ',');
    }
  return text;
}

static char *
sonde_proto_socketio_rewrite_url (SondeAppProtocol *protocol,
                                  const char       *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  g_autoptr(GUri) rewritten = NULL;
  g_autoptr(GString) path = NULL;
  g_autoptr(GString) query = g_string_new ("EIO=4&transport=websocket");
  g_auto(GStrv) params = NULL;
  const char *scheme;

  if (uri == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    scheme = "ws";
  else if (g_ascii_strcasecmp (scheme, "https") == 0)
    scheme = "wss";

  /* The Engine.IO path: /socket.io/ unless the user gave one. */
  path = g_string_new (g_uri_get_path (uri));
  if (path->len == 0 || strcmp (path->str, "/") == 0)
    g_string_assign (path, "/socket.io/");
  else if (path->str[path->len - 1] != '/')
    g_string_append_c (path, '/');

  /* EIO and transport first (the values Sonde speaks), then the rest. */
  if (g_uri_get_query (uri) != NULL)
    params = g_strsplit (g_uri_get_query (uri), "&", -1);
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    {
      if (params[i][0] == '\0' || g_str_has_prefix (params[i], "EIO=") || strcmp (params[i], "EIO") == 0 ||
          g_str_has_prefix (params[i], "transport=") || strcmp (params[i], "transport") == 0)
        continue;
      g_string_append_c (query, '&');
      g_string_append (query, params[i]);
    }

  rewritten = g_uri_build (G_URI_FLAGS_ENCODED, scheme, g_uri_get_userinfo (uri), g_uri_get_host (uri),
                           g_uri_get_port (uri), path->str, query->str, g_uri_get_fragment (uri));
  return g_uri_to_string (rewritten);
}

/* "NAME ARGS-JSON" as an EVENT packet, with an ack id when @ack. */
static char *
make_emit (SondeProtoSocketio  *self,
           const char          *argument,
           gboolean             ack,
           GError             **error)
{
  g_autofree char *name = NULL;
  g_autofree char *args = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) json_error = NULL;
  guint line = 0, column = 0;

  if (!sonde_app_protocol_split_argument (argument, &name, &args))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("An emit is the event’s name, then its arguments as JSON: subscribe {\"sym\":\"BTC\"}"));
      return NULL;
    }
  if (*args != '\0' && !sonde_json_validate (args, -1, &line, &column, &json_error))
    {
      /* Translators: an emit's arguments are not JSON: the event, then why (with where). */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("The arguments of %s are not JSON: %s"), name,
                   json_error->message);
      return NULL;
    }

  text = packet_start (self, '2');
  if (ack)
    g_string_append_printf (text, "%" G_GUINT64_FORMAT, ++self->next_id);
  g_string_append_c (text, '[');
  sonde_json_append_string (text, name, -1);
  if (args[0] == '[')
    {
      /* Several arguments: the array's values. */
      gsize end = strlen (args);
      const char *inner = args + 1;

      while (end > 0 && args[end - 1] != ']')
        end--;
      while (inner < args + end - 1 && g_ascii_isspace (*inner))
        inner++;
      if (inner < args + end - 1)
        {
          g_string_append_c (text, ',');
          g_string_append_len (text, inner, (gssize) (args + end - 1 - inner));
        }
    }
  else if (*args != '\0')
    {
      g_string_append_c (text, ',');
      g_string_append (text, args);
    }
  g_string_append_c (text, ']');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
send_connect (SondeProtoSocketio *self)
{
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self));
  g_autoptr(GString) text = packet_start (self, '0');
  g_autoptr(GError) error = NULL;

  if (options->auth != NULL && options->auth[0] != '\0')
    g_string_append (text, options->auth);
  if (!sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, TRUE, &error))
    g_debug ("connect: %s", error->message);
}

/* The namespace is connected: the subscriptions, then what waited. */
static void
on_connected (SondeProtoSocketio *self)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);

  self->connected = TRUE;
  for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = make_emit (self, options->subscriptions[i], FALSE, &error);

      if (text == NULL || !sonde_app_protocol_send_text (protocol, text, -1, TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
  for (guint i = 0; i < self->queued->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_app_protocol_send_text (protocol, g_ptr_array_index (self->queued, i), -1, FALSE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
  g_ptr_array_set_size (self->queued, 0);
}

static void
forget_binary (SondeProtoSocketio *self)
{
  self->binary_seq = 0;
  self->binary_expected = 0;
  g_clear_pointer (&self->binary_text, g_free);
  g_clear_pointer (&self->binary_label, g_free);
  g_ptr_array_set_size (self->binary_parts, 0);
}

/* An ack's label: the event it answers and the round trip; the ack is
 * forgotten. NULL when it answers no emit of ours. */
static char *
pair_ack (SondeProtoSocketio        *self,
          const SondeSocketioPacket *packet,
          gint64                     mono_us)
{
  Pending *pending = g_hash_table_lookup (self->pending, &packet->id);
  char *label;

  if (pending == NULL)
    return NULL;
  /* Translators: a Socket.IO ack: the event it answers and the round trip. */
  label = g_strdup_printf (_("ack %s · %.1f ms"), pending->event, (mono_us - pending->sent_us) / 1000.0);
  sonde_app_protocol_round_trip (SONDE_APP_PROTOCOL (self), pending->sent_us, mono_us);
  g_hash_table_remove (self->pending, &packet->id);
  return label;
}

static void
put_packet_view (SondeProtoSocketio        *self,
                 guint64                    seq,
                 const SondeSocketioPacket *packet,
                 const char                *label)
{
  g_autoptr(GString) json = g_string_new (NULL);
  SondeRecordViewExtra extra = { NULL, FALSE };

  if (packet->attachments > 0)
    sonde_socketio_packet_view (packet, (GBytes * const *) self->binary_parts->pdata, self->binary_parts->len,
                                json, &extra.label, &extra.upkeep);
  else
    sonde_socketio_packet_view (packet, NULL, 0, json, &extra.label, &extra.upkeep);
  if (label != NULL)
    {
      g_free (extra.label);
      extra.label = g_strdup (label);
    }
  sonde_app_protocol_put_view (SONDE_APP_PROTOCOL (self), seq, SONDE_RECORD_VIEW_DECODED, json->str, json->len,
                               NULL, &extra);
  g_free (extra.label);
}

/* An attachment arrived: its view, and the packet's once all are in. */
static void
process_attachment (SondeProtoSocketio *self,
                    const SondeRecord  *record)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  g_autoptr(GString) json = g_string_new (NULL);
  SondeRecordViewExtra extra = { NULL, TRUE };
  SondeSocketioPacket packet;
  g_autofree char *why = NULL;

  if (self->binary_text == NULL)
    return;
  g_ptr_array_add (self->binary_parts, g_bytes_new (record->data, record->stored_size));
  sonde_socketio_attachment_view (record->data, record->stored_size, json);
  /* Translators: a binary attachment: its number, how many the packet has. */
  extra.label = g_strdup_printf (_("attachment %u/%u"), self->binary_parts->len, self->binary_expected);
  sonde_app_protocol_put_view (protocol, record->seq, SONDE_RECORD_VIEW_DECODED, json->str, json->len, NULL, &extra);
  g_free (extra.label);
  if (self->binary_parts->len < self->binary_expected)
    return;
  if (sonde_socketio_packet_parse (self->binary_text, strlen (self->binary_text), &packet, &why))
    put_packet_view (self, self->binary_seq, &packet, self->binary_label);
  forget_binary (self);
}

static gboolean
on_ping_check (gpointer data)
{
  SondeProtoSocketio *self = data;
  g_autofree char *why = NULL;

  if (self->ping_deadline_us == 0 || g_get_monotonic_time () < self->ping_deadline_us)
    return G_SOURCE_CONTINUE;
  self->ping_deadline_us = 0;
  /* Translators: Engine.IO: the server stopped pinging; the two numbers
   * are its ping interval and ping timeout, in seconds. */
  why = g_strdup_printf (_("No Engine.IO ping from the server for %.1f s (its ping interval %.1f s + ping "
                           "timeout %.1f s): the server is declared gone"),
                         self->silence_ms / 1000.0, self->silence_ms / 1000.0 - self->timeout_s,
                         self->timeout_s);
  sonde_app_protocol_declare_dead (SONDE_APP_PROTOCOL (self), why);
  return G_SOURCE_REMOVE;
}

/* The open packet's pingInterval and pingTimeout (ms): a ping must come
 * within their sum, else the server is gone (as the Engine.IO client
 * decides). Missing or odd values: no watch. */
static void
watch_pings (SondeProtoSocketio        *self,
             const SondeSocketioPacket *packet)
{
  SondeJsonValue interval, timeout;

  self->silence_ms = 0;
  self->ping_deadline_us = 0;
  if (!sonde_json_path_lookup (self->interval_path, packet->data, packet->data_length, &interval) ||
      !sonde_json_path_lookup (self->timeout_path, packet->data, packet->data_length, &timeout) ||
      interval.type != SONDE_JSON_VALUE_NUMBER || timeout.type != SONDE_JSON_VALUE_NUMBER ||
      interval.number <= 0 || timeout.number < 0 || interval.number + timeout.number > 24 * 3600 * 1000.0)
    return;
  self->silence_ms = (guint) (interval.number + timeout.number);
  self->timeout_s = timeout.number / 1000.0;
  self->ping_deadline_us = g_get_monotonic_time () + (gint64) self->silence_ms * 1000;
  sonde_app_protocol_add_timer (SONDE_APP_PROTOCOL (self), CLAMP (self->silence_ms / 10, 50, 1000), on_ping_check);
}

static void
process_received (SondeProtoSocketio        *self,
                  const SondeRecord         *record,
                  const SondeSocketioPacket *packet)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  g_autofree char *label = NULL;
  g_autofree char *why = NULL;

  switch (packet->eio)
    {
    case SONDE_EIO_OPEN:
      watch_pings (self, packet);
      send_connect (self);
      return;
    case SONDE_EIO_PING:
      {
        g_autoptr(GString) pong = g_string_new ("3");

        if (self->silence_ms > 0)
          self->ping_deadline_us = g_get_monotonic_time () + (gint64) self->silence_ms * 1000;

        g_string_append_len (pong, packet->data, (gssize) packet->data_length);
        sonde_app_protocol_send_text (protocol, pong->str, (gssize) pong->len, TRUE, NULL);
        return;
      }
    case SONDE_EIO_CLOSE:
      self->connected = FALSE;
      return;
    case SONDE_EIO_MESSAGE:
      break;
    case SONDE_EIO_PONG:
    case SONDE_EIO_UPGRADE:
    case SONDE_EIO_NOOP:
    default:
      return;
    }

  switch (packet->sio)
    {
    case SONDE_SIO_CONNECT:
      if (is_our_nsp (self, packet))
        on_connected (self);
      break;
    case SONDE_SIO_DISCONNECT:
      if (is_our_nsp (self, packet))
        self->connected = FALSE;
      break;
    case SONDE_SIO_ACK:
      label = pair_ack (self, packet, record->mono_us);
      if (label != NULL && sonde_socketio_packet_check (packet, &why))
        put_packet_view (self, record->seq, packet, label);
      break;
    case SONDE_SIO_BINARY_EVENT:
    case SONDE_SIO_BINARY_ACK:
      forget_binary (self);
      if (packet->sio == SONDE_SIO_BINARY_ACK)
        label = pair_ack (self, packet, record->mono_us);
      if (!sonde_socketio_packet_check (packet, &why))
        break;
      if (packet->attachments == 0)
        {
          if (label != NULL)
            put_packet_view (self, record->seq, packet, label);
          break;
        }
      self->binary_seq = record->seq;
      self->binary_text = g_strndup ((const char *) record->data, record->stored_size);
      self->binary_expected = packet->attachments;
      self->binary_label = g_steal_pointer (&label);
      break;
    case SONDE_SIO_EVENT:
    case SONDE_SIO_CONNECT_ERROR:
    case SONDE_SIO_NONE:
    default:
      break;
    }
}

static void
sonde_proto_socketio_process (SondeAppProtocol  *protocol,
                              const SondeRecord *record)
{
  SondeProtoSocketio *self = SONDE_PROTO_SOCKETIO (protocol);
  SondeSocketioPacket packet;
  g_autofree char *why = NULL;

  if (record->kind == SONDE_MESSAGE_KIND_BINARY)
    {
      if (record->direction == SONDE_DIRECTION_IN)
        process_attachment (self, record);
      return;
    }
  /* The header only: the JSON is read when a view is made. */
  if (record->kind != SONDE_MESSAGE_KIND_TEXT ||
      !sonde_socketio_packet_parse_header ((const char *) record->data, record->stored_size, &packet, &why))
    return;

  if (record->direction == SONDE_DIRECTION_IN)
    {
      process_received (self, record, &packet);
      return;
    }
  /* Ours: an emit that wants an ack. */
  if (packet.has_id && (packet.sio == SONDE_SIO_EVENT || packet.sio == SONDE_SIO_BINARY_EVENT))
    {
      Pending *pending = g_new (Pending, 1);
      guint64 *id = g_new (guint64, 1);

      if (g_hash_table_size (self->pending) >= MAX_PENDING)
        g_hash_table_remove_all (self->pending);
      *id = packet.id;
      pending->event = sonde_socketio_packet_dup_event (&packet);
      if (pending->event == NULL)
        pending->event = g_strdup ("");
      pending->sent_us = record->mono_us;
      g_hash_table_replace (self->pending, id, pending);
    }
}

static SondeRecordViewKind
sonde_proto_socketio_view (SondeAppProtocol     *protocol,
                           const SondeRecord    *record,
                           GString              *json,
                           char                **error_message,
                           SondeRecordViewExtra *extra)
{
  SondeSocketioPacket packet;

  if (record->kind == SONDE_MESSAGE_KIND_BINARY)
    {
      sonde_socketio_attachment_view (record->data, record->stored_size, json);
      extra->label = g_strdup (_("attachment"));
      extra->upkeep = TRUE;
      return SONDE_RECORD_VIEW_DECODED;
    }
  if (record->kind != SONDE_MESSAGE_KIND_TEXT)
    return SONDE_RECORD_VIEW_RAW;
  if (!sonde_socketio_packet_parse ((const char *) record->data, record->stored_size, &packet, error_message))
    return SONDE_RECORD_VIEW_FAILED;
  sonde_socketio_packet_view (&packet, NULL, 0, json, &extra->label, &extra->upkeep);
  return SONDE_RECORD_VIEW_DECODED;
}

static void
sonde_proto_socketio_reset (SondeAppProtocol *protocol)
{
  SondeProtoSocketio *self = SONDE_PROTO_SOCKETIO (protocol);

  g_hash_table_remove_all (self->pending);
  self->connected = FALSE;
  g_ptr_array_set_size (self->queued, 0);
  forget_binary (self);
  self->ping_deadline_us = 0;
  self->silence_ms = 0;
}

static void
sonde_proto_socketio_closed (SondeAppProtocol *protocol)
{
  SondeProtoSocketio *self = SONDE_PROTO_SOCKETIO (protocol);

  self->connected = FALSE;
  self->ping_deadline_us = 0;
}

static gboolean
sonde_proto_socketio_act (SondeAppProtocol      *protocol,
                          const SondeAppAction  *action,
                          GError               **error)
{
  SondeProtoSocketio *self = SONDE_PROTO_SOCKETIO (protocol);
  gboolean ack = g_str_equal (action->name, "emit-ack") || (action->ack && g_str_equal (action->name, "emit"));
  g_autofree char *text = NULL;

  if (!ack && !g_str_equal (action->name, "emit") && !g_str_equal (action->name, "subscribe"))
    {
      sonde_app_protocol_set_no_action (protocol, action->name, error);
      return FALSE;
    }
  if (sonde_connection_get_state (sonde_app_protocol_get_connection (protocol)) != SONDE_CONNECTION_STATE_OPEN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Not connected: connect to send messages"));
      return FALSE;
    }
  text = make_emit (self, action->argument, ack, error);
  if (text == NULL)
    return FALSE;
  if (!self->connected)
    {
      /* It goes once the namespace is connected. */
      g_ptr_array_add (self->queued, g_steal_pointer (&text));
      return TRUE;
    }
  return sonde_app_protocol_send_text (protocol, text, -1, FALSE, error);
}

static void
sonde_proto_socketio_finalize (GObject *object)
{
  SondeProtoSocketio *self = SONDE_PROTO_SOCKETIO (object);

  g_hash_table_unref (self->pending);
  g_ptr_array_unref (self->queued);
  forget_binary (self);
  g_ptr_array_unref (self->binary_parts);
  sonde_json_path_unref (self->interval_path);
  sonde_json_path_unref (self->timeout_path);

  G_OBJECT_CLASS (sonde_proto_socketio_parent_class)->finalize (object);
}

static void
sonde_proto_socketio_class_init (SondeProtoSocketioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_socketio_finalize;
  protocol_class->rewrite_url = sonde_proto_socketio_rewrite_url;
  protocol_class->view = sonde_proto_socketio_view;
  protocol_class->process = sonde_proto_socketio_process;
  protocol_class->reset = sonde_proto_socketio_reset;
  protocol_class->closed = sonde_proto_socketio_closed;
  protocol_class->act = sonde_proto_socketio_act;
}

static void
sonde_proto_socketio_init (SondeProtoSocketio *self)
{
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, pending_free);
  self->queued = g_ptr_array_new_with_free_func (g_free);
  self->binary_parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->interval_path = sonde_json_path_new ("$.pingInterval", NULL);
  self->timeout_path = sonde_json_path_new ("$.pingTimeout", NULL);
}
