/* sonde-proto-jsonrpc.c: JSON-RPC 2.0
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view of a message is the message itself (docs/app-protocols.md).
 * Labels: a request or a notification by its method (or, in
 * rpc-websockets' events, its "notification"); a subscription's
 * notification (eth_subscription) by its method and subscription id; a
 * response by the method of the request it answers and the round trip
 * ("eth_blockNumber · 12.5 ms"), or "error CODE"; a batch by its size.
 * Calls Sonde makes get ids of its own ("sonde-N"); subscriptions are
 * calls made again after every reconnect. There are no pings.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-proto-jsonrpc.h"
#include "sonde-app-protocol-private.h"

/* Requests waiting for their response, at most: older ones are forgotten. */
#define MAX_PENDING 4096

typedef struct {
  char   *method;
  gint64  sent_us;   /* monotonic */
} Pending;

struct _SondeProtoJsonrpc
{
  SondeAppProtocol parent_instance;

  GHashTable    *pending;    /* id as its JSON text → Pending */
  GQueue         order;      /* ids, oldest first */
  guint64        next_id;
  SondeJsonPath *id_path;
  SondeJsonPath *method_path;
  SondeJsonPath *subscription_path;
  SondeJsonPath *error_code_path;
  SondeJsonPath *notification_path;
};

G_DEFINE_FINAL_TYPE (SondeProtoJsonrpc, sonde_proto_jsonrpc, SONDE_TYPE_APP_PROTOCOL)

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->method);
  g_free (pending);
}

/* The id of a message as its JSON text (7, "abc"), or NULL. */
static char *
dup_id (SondeProtoJsonrpc *self,
        const char        *json,
        gsize              length)
{
  SondeJsonValue value;

  if (!sonde_json_path_lookup (self->id_path, json, length, &value))
    return NULL;
  if (value.type != SONDE_JSON_VALUE_NUMBER && value.type != SONDE_JSON_VALUE_STRING)
    return NULL;
  if (value.type == SONDE_JSON_VALUE_STRING)
    return g_strndup (value.text - 1, value.text_length + 2);
  return g_strndup (value.text, value.text_length);
}

static void
forget_oldest (SondeProtoJsonrpc *self)
{
  while (self->order.length > MAX_PENDING)
    {
      char *id = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->pending, id);
      g_free (id);
    }
}

/* Whether @needle is in @haystack. */
static gboolean
contains (const char *haystack,
          gsize       length,
          const char *needle)
{
  gsize needle_length = strlen (needle);
  const char *p = haystack;
  const char *end = haystack + length;

  while ((gsize) (end - p) >= needle_length && (p = memchr (p, needle[1], (gsize) (end - p))) != NULL)
    {
      if (p > haystack && (gsize) (end - p + 1) >= needle_length && memcmp (p - 1, needle, needle_length) == 0)
        return TRUE;
      p++;
    }
  return FALSE;
}

/* The label of one message object: see the top of the file. */
static char *
label_of (SondeProtoJsonrpc *self,
          const char        *json,
          gsize              length,
          gboolean          *is_response)
{
  g_autofree char *method = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = NULL;
  static const char * const keys[] = { "method", "params" };
  gsize starts[2], ends[2];
  guint found;

  *is_response = FALSE;

  /* Most messages are a notification or a call with a plain method name
   * and no subscription: one pass over the members says so (the paths
   * below read the whole message once each). Escapes anywhere, and the
   * rest, take the paths. */
  if (memchr (json, '\\', length) == NULL &&
      ((found = sonde_json_find_members (json, length, keys, 2, starts, ends)) & 1) != 0 &&
      json[starts[0]] == '"' && ends[0] - starts[0] >= 2 &&
      ((found & 2) == 0 || !contains (json + starts[1], ends[1] - starts[1], "\"subscription\"")))
    return g_strndup (json + starts[0] + 1, ends[0] - starts[0] - 2);

  method = sonde_json_path_dup_key (self->method_path, json, length);
  if (method != NULL)
    {
      g_autofree char *subscription = sonde_json_path_dup_key (self->subscription_path, json, length);

      if (subscription != NULL)
        return g_strdup_printf ("%s %s", method, subscription);
      return g_steal_pointer (&method);
    }

  /* rpc-websockets' events: {"notification":"ticks","params":…}. */
  method = sonde_json_path_dup_key (self->notification_path, json, length);
  if (method != NULL)
    return g_steal_pointer (&method);

  *is_response = TRUE;
  id = dup_id (self, json, length);
  code = sonde_json_path_dup_key (self->error_code_path, json, length);
  if (code != NULL)
    /* Translators: a JSON-RPC error response: its code. */
    return g_strdup_printf (_("error %s"), code);
  /* Translators: a JSON-RPC response: the id of the request it answers. */
  return g_strdup_printf (_("response %s"), id != NULL ? id : "null");
}

static SondeRecordViewKind
sonde_proto_jsonrpc_view (SondeAppProtocol     *protocol,
                          const SondeRecord    *record,
                          GString              *json,
                          char                **error_message,
                          SondeRecordViewExtra *extra)
{
  SondeProtoJsonrpc *self = SONDE_PROTO_JSONRPC (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  g_autoptr(GError) error = NULL;
  guint line = 0, column = 0;
  gsize i = 0;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT)
    return SONDE_RECORD_VIEW_RAW;
  if (!sonde_json_validate (text, (gssize) length, &line, &column, &error))
    {
      /* Translators: %s says why; line and column where. */
      *error_message = g_strdup_printf (_("not JSON-RPC: %s (line %u, column %u)"), error->message, line, column);
      return SONDE_RECORD_VIEW_FAILED;
    }

  while (i < length && g_ascii_isspace (text[i]))
    i++;
  if (i < length && text[i] == '[')
    {
      guint n = 0;
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (json_parser_load_from_data (parser, text, (gssize) length, NULL) &&
          JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
        n = json_array_get_length (json_node_get_array (json_parser_get_root (parser)));
      /* Translators: a JSON-RPC batch of N calls or responses. */
      extra->label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "batch of %u", "batch of %u", n), n);
    }
  else if (i < length && text[i] == '{')
    {
      gboolean is_response;

      extra->label = label_of (self, text, length, &is_response);
    }
  else
    {
      *error_message = g_strdup (_("not JSON-RPC: a message is an object or an array of them"));
      return SONDE_RECORD_VIEW_FAILED;
    }

  /* The view is the message itself: kept without a copy. */
  extra->payload = TRUE;
  return SONDE_RECORD_VIEW_DECODED;
}

/* Sent: a request remembered by id. Received: a response paired with its
 * request, its view labelled with the method and the round trip. */
static void
sonde_proto_jsonrpc_process (SondeAppProtocol  *protocol,
                             const SondeRecord *record)
{
  SondeProtoJsonrpc *self = SONDE_PROTO_JSONRPC (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  g_autofree char *id = NULL;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT || length == 0 || text[0] != '{')
    return;

  if (record->direction == SONDE_DIRECTION_OUT)
    {
      g_autofree char *method = sonde_json_path_dup_key (self->method_path, text, length);
      Pending *pending;

      if (method == NULL || (id = dup_id (self, text, length)) == NULL)
        return;
      pending = g_new (Pending, 1);
      pending->method = g_steal_pointer (&method);
      pending->sent_us = record->mono_us;
      if (!g_hash_table_contains (self->pending, id))
        g_queue_push_tail (&self->order, g_strdup (id));
      g_hash_table_replace (self->pending, g_steal_pointer (&id), pending);
      forget_oldest (self);
      return;
    }

  if (record->direction != SONDE_DIRECTION_IN || g_hash_table_size (self->pending) == 0 ||
      (id = dup_id (self, text, length)) == NULL)
    return;
  {
    Pending *pending = g_hash_table_lookup (self->pending, id);
    g_autofree char *method = NULL;
    g_autofree char *code = NULL;
    SondeRecordViewExtra extra = { NULL, FALSE };
    double ms;

    /* A request of the server's with an id like ours is not a response. */
    if (pending == NULL || (method = sonde_json_path_dup_key (self->method_path, text, length)) != NULL)
      return;
    if (!sonde_json_validate (text, (gssize) length, NULL, NULL, NULL))
      return;
    ms = (record->mono_us - pending->sent_us) / 1000.0;
    sonde_app_protocol_round_trip (protocol, pending->sent_us, record->mono_us);
    code = sonde_json_path_dup_key (self->error_code_path, text, length);
    if (code != NULL)
      /* Translators: a JSON-RPC response: the method called, the error code, the round trip. */
      extra.label = g_strdup_printf (_("%s · error %s · %.1f ms"), pending->method, code, ms);
    else
      /* Translators: a JSON-RPC response: the method called and the round trip. */
      extra.label = g_strdup_printf (_("%s · %.1f ms"), pending->method, ms);
    sonde_app_protocol_put_view (protocol, record->seq, SONDE_RECORD_VIEW_DECODED, text, length, NULL, &extra);
    g_free (extra.label);
    g_hash_table_remove (self->pending, id);
    for (GList *l = self->order.head; l != NULL; l = l->next)
      if (g_str_equal (l->data, id))
        {
          g_free (l->data);
          g_queue_delete_link (&self->order, l);
          break;
        }
  }
}

/* {"jsonrpc":"2.0","id":"sonde-N","method":M,"params":P}. */
static gboolean
call (SondeProtoJsonrpc  *self,
      const char         *argument,
      gboolean            automatic,
      GError            **error)
{
  g_autofree char *method = NULL;
  g_autofree char *params = NULL;
  g_autoptr(GString) text = g_string_new ("{\"jsonrpc\":\"2.0\",\"id\":");
  g_autofree char *id = g_strdup_printf ("sonde-%" G_GUINT64_FORMAT, ++self->next_id);
  guint line = 0, column = 0;
  g_autoptr(GError) json_error = NULL;

  if (!sonde_app_protocol_split_argument (argument, &method, &params))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A call is METHOD, then its params as JSON: eth_subscribe [\"newHeads\"]"));
      return FALSE;
    }
  if (*params != '\0' && !sonde_json_validate (params, -1, &line, &column, &json_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The params of %s are not JSON: %s (line %u, column %u)"), method, json_error->message,
                   line, column);
      return FALSE;
    }
  sonde_json_append_string (text, id, -1);
  g_string_append (text, ",\"method\":");
  sonde_json_append_string (text, method, -1);
  if (*params != '\0')
    {
      g_string_append (text, ",\"params\":");
      g_string_append (text, params);
    }
  g_string_append_c (text, '}');
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, automatic, error);
}

static void
sonde_proto_jsonrpc_opened (SondeAppProtocol *protocol)
{
  SondeProtoJsonrpc *self = SONDE_PROTO_JSONRPC (protocol);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);

  for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!call (self, options->subscriptions[i], TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
}

static void
sonde_proto_jsonrpc_reset (SondeAppProtocol *protocol)
{
  SondeProtoJsonrpc *self = SONDE_PROTO_JSONRPC (protocol);

  g_hash_table_remove_all (self->pending);
  g_queue_clear_full (&self->order, g_free);
}

static gboolean
sonde_proto_jsonrpc_act (SondeAppProtocol      *protocol,
                         const SondeAppAction  *action,
                         GError               **error)
{
  if (g_str_equal (action->name, "call") || g_str_equal (action->name, "subscribe"))
    return call (SONDE_PROTO_JSONRPC (protocol), action->argument, FALSE, error);
  sonde_app_protocol_set_no_action (protocol, action->name, error);
  return FALSE;
}

static void
sonde_proto_jsonrpc_finalize (GObject *object)
{
  SondeProtoJsonrpc *self = SONDE_PROTO_JSONRPC (object);

  g_hash_table_unref (self->pending);
  g_queue_clear_full (&self->order, g_free);
  sonde_json_path_unref (self->id_path);
  sonde_json_path_unref (self->method_path);
  sonde_json_path_unref (self->subscription_path);
  sonde_json_path_unref (self->error_code_path);
  sonde_json_path_unref (self->notification_path);

  G_OBJECT_CLASS (sonde_proto_jsonrpc_parent_class)->finalize (object);
}

static void
sonde_proto_jsonrpc_class_init (SondeProtoJsonrpcClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_jsonrpc_finalize;
  protocol_class->view = sonde_proto_jsonrpc_view;
  protocol_class->process = sonde_proto_jsonrpc_process;
  protocol_class->opened = sonde_proto_jsonrpc_opened;
  protocol_class->reset = sonde_proto_jsonrpc_reset;
  protocol_class->act = sonde_proto_jsonrpc_act;
}

static void
sonde_proto_jsonrpc_init (SondeProtoJsonrpc *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, pending_free);
  g_queue_init (&self->order);
  self->id_path = sonde_json_path_new ("$.id", NULL);
  self->method_path = sonde_json_path_new ("$.method", NULL);
  self->subscription_path = sonde_json_path_new ("$.params.subscription", NULL);
  self->error_code_path = sonde_json_path_new ("$.error.code", NULL);
  self->notification_path = sonde_json_path_new ("$.notification", NULL);
}
