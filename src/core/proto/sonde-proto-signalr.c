/* sonde-proto-signalr.c: the SignalR JSON hub protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every message ends with the record separator 0x1E; a WebSocket message
 * may hold several, and each becomes a record of its own (the splitter).
 * On open: the handshake request {"protocol":"json","version":1}; its
 * answer ({} or {"error":…}) starts a ping of our own every keepalive
 * (15 s by default, as SignalR clients do) and the subscriptions,
 * invocations sent again after every reconnect. Handshakes and pings are
 * upkeep.
 *
 * The view of a message is its JSON, without the separator
 * (docs/app-protocols.md). Labels: an invocation or a stream invocation by
 * its target; a stream item, completion or cancel by the target of the
 * invocation it belongs to ("Ticks · completion") when it was seen, else
 * by its invocation id ("completion 3"); pings, close and the handshake by
 * what they are. Sonde's invocations get ids of their own ("1", "2"…).
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-proto-signalr.h"

/* Invocation targets remembered by id, at most. */
#define MAX_INVOCATIONS 4096
#define DEFAULT_KEEPALIVE_S 15

struct _SondeProtoSignalr
{
  SondeAppProtocol parent_instance;

  gboolean       handshaken;
  guint64        next_id;
  GHashTable    *targets;   /* invocation id → target */
  GQueue         order;     /* ids, oldest first */
  SondeJsonPath *type_path;
  SondeJsonPath *target_path;
  SondeJsonPath *invocation_id_path;
  SondeJsonPath *error_path;
};

G_DEFINE_FINAL_TYPE (SondeProtoSignalr, sonde_proto_signalr, SONDE_TYPE_APP_PROTOCOL)

enum {
  TYPE_INVOCATION = 1,
  TYPE_STREAM_ITEM = 2,
  TYPE_COMPLETION = 3,
  TYPE_STREAM_INVOCATION = 4,
  TYPE_CANCEL_INVOCATION = 5,
  TYPE_PING = 6,
  TYPE_CLOSE = 7,
};

static const char handshake[] = "{\"protocol\":\"json\",\"version\":1}\x1e";
static const char ping[] = "{\"type\":6}\x1e";

gboolean
sonde_proto_signalr_split_records (const guint8 *data,
                                   gsize         length,
                                   GArray       *slices)
{
  gsize start = 0;

  g_return_val_if_fail (slices != NULL, FALSE);

  while (start < length)
    {
      const guint8 *rs = memchr (data + start, SONDE_SIGNALR_RS, length - start);
      SondeMessageSlice slice;

      slice.offset = start;
      slice.length = rs != NULL ? (gsize) (rs - (data + start)) + 1 : length - start;
      g_array_append_val (slices, slice);
      start += slice.length;
    }
  return slices->len >= 2;
}

static void
remember (SondeProtoSignalr *self,
          char              *id,
          char              *target)
{
  if (!g_hash_table_contains (self->targets, id))
    g_queue_push_tail (&self->order, g_strdup (id));
  g_hash_table_replace (self->targets, id, target);
  while (self->order.length > MAX_INVOCATIONS)
    {
      char *old = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->targets, old);
      g_free (old);
    }
}

/* The message type, or 0 for the handshake's messages (they have none);
 * -1 for a type that is not a number. */
static int
type_of (SondeProtoSignalr *self,
         const char        *json,
         gsize              length)
{
  SondeJsonValue value;
  gint64 type;

  if (!sonde_json_path_lookup (self->type_path, json, length, &value))
    return 0;
  if (value.type != SONDE_JSON_VALUE_NUMBER)
    return -1;
  {
    g_autofree char *token = g_strndup (value.text, value.text_length);
    char *end = NULL;

    type = g_ascii_strtoll (token, &end, 10);
    if (end == NULL || *end != '\0' || type < 1 || type > G_MAXINT)
      return -1;
  }
  return (int) type;
}

/* "TARGET · what" for a message that belongs to an invocation Sonde saw,
 * else "what ID". */
static char *
label_by_invocation (SondeProtoSignalr *self,
                     const char        *what,
                     const char        *json,
                     gsize              length)
{
  g_autofree char *id = sonde_json_path_dup_key (self->invocation_id_path, json, length);
  const char *target = id != NULL ? g_hash_table_lookup (self->targets, id) : NULL;

  if (target != NULL)
    /* Translators: a SignalR message: the method invoked, then what the
     * message is (item, completion, error, cancel). */
    return g_strdup_printf (_("%s · %s"), target, what);
  if (id != NULL)
    /* Translators: a SignalR message: what it is (item, completion…), then
     * the invocation id. */
    return g_strdup_printf (_("%s %s"), what, id);
  return g_strdup (what);
}

static SondeRecordViewKind
sonde_proto_signalr_view (SondeAppProtocol     *protocol,
                          const SondeRecord    *record,
                          GString              *json,
                          char                **error_message,
                          SondeRecordViewExtra *extra)
{
  SondeProtoSignalr *self = SONDE_PROTO_SIGNALR (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  g_autoptr(GError) error = NULL;
  guint line = 0, column = 0;
  gsize i = 0;
  int type;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT)
    return SONDE_RECORD_VIEW_RAW;
  if (length > 0 && (guchar) text[length - 1] == SONDE_SIGNALR_RS)
    length--;
  else
    {
      *error_message = g_strdup (_("not SignalR: a message ends with the record separator 0x1E"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (memchr (text, SONDE_SIGNALR_RS, length) != NULL)
    {
      *error_message = g_strdup (_("not SignalR: several messages in one record"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (!sonde_json_validate (text, (gssize) length, &line, &column, &error))
    {
      /* Translators: %s says why; line and column where. */
      *error_message = g_strdup_printf (_("not SignalR: %s (line %u, column %u)"), error->message, line, column);
      return SONDE_RECORD_VIEW_FAILED;
    }
  while (i < length && g_ascii_isspace (text[i]))
    i++;
  if (i >= length || text[i] != '{')
    {
      *error_message = g_strdup (_("not SignalR: a message is a JSON object"));
      return SONDE_RECORD_VIEW_FAILED;
    }

  type = type_of (self, text, length);
  switch (type)
    {
    case 0:
      {
        g_autofree char *why = sonde_json_path_dup_key (self->error_path, text, length);

        if (why != NULL)
          /* Translators: the server refused SignalR's handshake: why. */
          extra->label = g_strdup_printf (_("handshake error: %s"), why);
        else
          {
            extra->label = g_strdup ("handshake");
            extra->upkeep = TRUE;
          }
      }
      break;
    case TYPE_INVOCATION:
    case TYPE_STREAM_INVOCATION:
      extra->label = sonde_json_path_dup_key (self->target_path, text, length);
      if (extra->label == NULL)
        extra->label = g_strdup (type == TYPE_INVOCATION ? "invocation" : "stream invocation");
      break;
    case TYPE_STREAM_ITEM:
      extra->label = label_by_invocation (self, "item", text, length);
      break;
    case TYPE_COMPLETION:
      {
        SondeJsonValue value;
        gboolean failed = sonde_json_path_lookup (self->error_path, text, length, &value) &&
                          value.type == SONDE_JSON_VALUE_STRING;

        extra->label = label_by_invocation (self, failed ? "error" : "completion", text, length);
      }
      break;
    case TYPE_CANCEL_INVOCATION:
      extra->label = label_by_invocation (self, "cancel", text, length);
      break;
    case TYPE_PING:
      extra->label = g_strdup ("ping");
      extra->upkeep = TRUE;
      break;
    case TYPE_CLOSE:
      extra->label = g_strdup ("close");
      break;
    default:
      /* Translators: a SignalR message of a type Sonde does not know. */
      extra->label = g_strdup_printf (_("type %d"), type);
      break;
    }
  g_string_append_len (json, text, (gssize) length);
  return SONDE_RECORD_VIEW_DECODED;
}

static gboolean
split (SondeAppProtocol *protocol,
       const guint8     *data,
       gsize             length,
       GArray           *slices)
{
  return sonde_proto_signalr_split_records (data, length, slices);
}

/* {"type":1|4,"invocationId":"N","target":M,"arguments":[…]} and the
 * separator. */
static gboolean
invoke (SondeProtoSignalr  *self,
        int                 type,
        const char         *argument,
        gboolean            automatic,
        GError            **error)
{
  g_autofree char *method = NULL;
  g_autofree char *arguments = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->next_id);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) json_error = NULL;
  guint line = 0, column = 0;

  if (!sonde_app_protocol_split_argument (argument, &method, &arguments))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("An invocation is METHOD, then its arguments as a JSON array: SendMessage [\"hi\"]"));
      return FALSE;
    }
  if (*arguments != '\0' && !sonde_json_validate (arguments, -1, &line, &column, &json_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The arguments of %s are not JSON: %s (line %u, column %u)"), method, json_error->message,
                   line, column);
      return FALSE;
    }
  g_string_append_printf (text, "{\"type\":%d,\"invocationId\":", type);
  sonde_json_append_string (text, id, -1);
  g_string_append (text, ",\"target\":");
  sonde_json_append_string (text, method, -1);
  g_string_append (text, ",\"arguments\":");
  /* One argument that is not an array is the only one. */
  if (*arguments == '\0')
    g_string_append (text, "[]");
  else if (*arguments == '[')
    g_string_append (text, arguments);
  else
    g_string_append_printf (text, "[%s]", arguments);
  g_string_append (text, "}\x1e");
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, automatic, error);
}

static gboolean
cancel (SondeProtoSignalr  *self,
        const char         *argument,
        GError            **error)
{
  g_autofree char *id = g_strstrip (g_strdup (argument));
  g_autoptr(GString) text = g_string_new ("{\"type\":5,\"invocationId\":");

  if (*id == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Cancel needs the id of a stream invocation, such as 1"));
      return FALSE;
    }
  sonde_json_append_string (text, id, -1);
  g_string_append (text, "}\x1e");
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, FALSE, error);
}

static gboolean
on_ping (gpointer data)
{
  SondeAppProtocol *protocol = data;

  if (!sonde_app_protocol_send_text (protocol, ping, sizeof ping - 1, TRUE, NULL))
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
sonde_proto_signalr_opened (SondeAppProtocol *protocol)
{
  SondeProtoSignalr *self = SONDE_PROTO_SIGNALR (protocol);
  g_autoptr(GError) error = NULL;

  self->handshaken = FALSE;
  if (!sonde_app_protocol_send_text (protocol, handshake, sizeof handshake - 1, TRUE, &error))
    sonde_app_protocol_report (protocol, error->message);
}

/* The handshake's answer: pings, then the subscriptions. */
static void
handshaken (SondeProtoSignalr *self)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);
  guint keepalive_s = options->keepalive_s > 0 ? options->keepalive_s : DEFAULT_KEEPALIVE_S;

  self->handshaken = TRUE;
  sonde_app_protocol_add_timer (protocol, keepalive_s * 1000, on_ping);
  for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!invoke (self, TYPE_INVOCATION, options->subscriptions[i], TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
}

/* Sent: invocation targets by id. Received: the handshake's answer. */
static void
sonde_proto_signalr_process (SondeAppProtocol  *protocol,
                             const SondeRecord *record)
{
  SondeProtoSignalr *self = SONDE_PROTO_SIGNALR (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  int type;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT || length < 2 || (guchar) text[length - 1] != SONDE_SIGNALR_RS)
    return;
  length--;
  type = type_of (self, text, length);

  if (record->direction == SONDE_DIRECTION_OUT)
    {
      char *id, *target;

      if (type != TYPE_INVOCATION && type != TYPE_STREAM_INVOCATION)
        return;
      id = sonde_json_path_dup_key (self->invocation_id_path, text, length);
      target = sonde_json_path_dup_key (self->target_path, text, length);
      if (id != NULL && target != NULL)
        remember (self, id, target);
      else
        {
          g_free (id);
          g_free (target);
        }
      return;
    }

  if (record->direction == SONDE_DIRECTION_IN && type == 0 && !self->handshaken &&
      sonde_json_validate (text, (gssize) length, NULL, NULL, NULL))
    {
      g_autofree char *why = sonde_json_path_dup_key (self->error_path, text, length);

      if (why != NULL)
        {
          /* Translators: the server refused SignalR's handshake: why. */
          g_autofree char *message = g_strdup_printf (_("The SignalR server refused the handshake: %s"), why);

          sonde_app_protocol_report (protocol, message);
          return;
        }
      handshaken (self);
    }
}

static void
sonde_proto_signalr_reset (SondeAppProtocol *protocol)
{
  SONDE_PROTO_SIGNALR (protocol)->handshaken = FALSE;
}

static gboolean
sonde_proto_signalr_act (SondeAppProtocol      *protocol,
                         const SondeAppAction  *action,
                         GError               **error)
{
  SondeProtoSignalr *self = SONDE_PROTO_SIGNALR (protocol);

  if (g_str_equal (action->name, "invoke") || g_str_equal (action->name, "subscribe"))
    return invoke (self, TYPE_INVOCATION, action->argument, FALSE, error);
  if (g_str_equal (action->name, "stream"))
    return invoke (self, TYPE_STREAM_INVOCATION, action->argument, FALSE, error);
  if (g_str_equal (action->name, "cancel"))
    return cancel (self, action->argument, error);
  sonde_app_protocol_set_no_action (protocol, action->name, error);
  return FALSE;
}

static void
sonde_proto_signalr_finalize (GObject *object)
{
  SondeProtoSignalr *self = SONDE_PROTO_SIGNALR (object);

  g_hash_table_unref (self->targets);
  g_queue_clear_full (&self->order, g_free);
  sonde_json_path_unref (self->type_path);
  sonde_json_path_unref (self->target_path);
  sonde_json_path_unref (self->invocation_id_path);
  sonde_json_path_unref (self->error_path);

  G_OBJECT_CLASS (sonde_proto_signalr_parent_class)->finalize (object);
}

static void
sonde_proto_signalr_class_init (SondeProtoSignalrClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_signalr_finalize;
  protocol_class->view = sonde_proto_signalr_view;
  protocol_class->process = sonde_proto_signalr_process;
  protocol_class->split = split;
  protocol_class->opened = sonde_proto_signalr_opened;
  protocol_class->reset = sonde_proto_signalr_reset;
  protocol_class->act = sonde_proto_signalr_act;
}

static void
sonde_proto_signalr_init (SondeProtoSignalr *self)
{
  self->targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->order);
  self->type_path = sonde_json_path_new ("$.type", NULL);
  self->target_path = sonde_json_path_new ("$.target", NULL);
  self->invocation_id_path = sonde_json_path_new ("$.invocationId", NULL);
  self->error_path = sonde_json_path_new ("$.error", NULL);
}
