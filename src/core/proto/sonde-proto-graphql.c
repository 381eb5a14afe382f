/* sonde-proto-graphql.c: GraphQL over WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both protocols the subprotocol names: "graphql-transport-ws" (the
 * graphql-ws library; offered first) and the legacy "graphql-ws" of
 * subscriptions-transport-ws (offered second); the mode follows the one the
 * server chose. On open: connection_init with the auth option as its
 * payload; after connection_ack, every subscription as subscribe (start,
 * legacy) with an id of Sonde's ("1", "2"…, never used twice in a session),
 * again after every reconnect. A ping is answered with a pong; ping, pong,
 * the legacy keep-alive "ka", connection_init and connection_ack are
 * upkeep.
 *
 * The view of a message is the message itself (docs/app-protocols.md).
 * Labels: a result (next, legacy data) by the name of its operation (the
 * operationName, the name in the document, else its first root field:
 * "ticks"), or "next ID" when the subscription was not seen; error and
 * complete as "NAME · error", "NAME · complete" (or "error ID"…); what
 * Sonde sends as "NAME · subscribe"; upkeep by its type.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-proto-graphql.h"

/* Operation names remembered by id, at most: older ones are forgotten. */
#define MAX_OPERATIONS 4096

typedef enum {
  FLAVOUR_TRANSPORT,   /* graphql-transport-ws */
  FLAVOUR_LEGACY,      /* graphql-ws, subscriptions-transport-ws */
} Flavour;

struct _SondeProtoGraphql
{
  SondeAppProtocol parent_instance;

  Flavour        flavour;
  gboolean       acked;
  guint64        next_id;
  GHashTable    *names;   /* operation id → its name */
  GQueue         order;   /* ids, oldest first */
  SondeJsonPath *type_path;
  SondeJsonPath *id_path;
  SondeJsonPath *operation_name_path;
  SondeJsonPath *query_path;
};

G_DEFINE_FINAL_TYPE (SondeProtoGraphql, sonde_proto_graphql, SONDE_TYPE_APP_PROTOCOL)

static const char * const subprotocols[] = { "graphql-transport-ws", "graphql-ws", NULL };

/* Whitespace, commas, comments and a byte order mark: what GraphQL
 * ignores between tokens. */
static gsize
skip_ignored (const char *s,
              gsize       n,
              gsize       i)
{
  while (i < n)
    {
      char c = s[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',')
        i++;
      else if (c == '#')
        {
          while (i < n && s[i] != '\n' && s[i] != '\r')
            i++;
        }
      else if ((guchar) c == 0xEF && i + 2 < n && (guchar) s[i + 1] == 0xBB && (guchar) s[i + 2] == 0xBF)
        i += 3;
      else
        break;
    }
  return i;
}

/* The end of the name at @i (@i itself when there is none). */
static gsize
name_end (const char *s,
          gsize       n,
          gsize       i)
{
  if (i >= n || !(g_ascii_isalpha (s[i]) || s[i] == '_'))
    return i;
  while (i < n && (g_ascii_isalnum (s[i]) || s[i] == '_'))
    i++;
  return i;
}

static gboolean
is_keyword (const char *s,
            gsize       length,
            const char *keyword)
{
  return strlen (keyword) == length && memcmp (s, keyword, length) == 0;
}

char *
sonde_proto_graphql_operation_name (const char *document,
                                    gssize      length)
{
  const char *s = document;
  gsize n, i, e, start, stop;

  if (document == NULL)
    return NULL;
  n = length < 0 ? strlen (document) : (gsize) length;
  i = skip_ignored (s, n, 0);
  if (i >= n)
    return NULL;
  if (s[i] != '{')
    {
      guint depth = 0;

      e = name_end (s, n, i);
      if (!is_keyword (s + i, e - i, "query") && !is_keyword (s + i, e - i, "mutation") &&
          !is_keyword (s + i, e - i, "subscription"))
        return NULL;
      i = skip_ignored (s, n, e);
      e = name_end (s, n, i);
      if (e > i)
        return g_strndup (s + i, e - i);
      /* Anonymous, with variables or directives: to its selection set. */
      while (i < n && !(s[i] == '{' && depth == 0))
        {
          if (s[i] == '"')
            {
              for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                  i++;
            }
          else if (s[i] == '(')
            depth++;
          else if (s[i] == ')' && depth > 0)
            depth--;
          i++;
        }
      if (i >= n)
        return NULL;
    }

  /* The first root field: "ticks", or the field an alias names. */
  i = skip_ignored (s, n, i + 1);
  e = name_end (s, n, i);
  if (e == i)
    return NULL;
  start = i;
  stop = e;
  i = skip_ignored (s, n, e);
  if (i < n && s[i] == ':')
    {
      i = skip_ignored (s, n, i + 1);
      e = name_end (s, n, i);
      if (e > i)
        {
          start = i;
          stop = e;
        }
    }
  return g_strndup (s + start, stop - start);
}

/* The name of the operation a subscribe (start) message carries. */
static char *
name_of_subscribe (SondeProtoGraphql *self,
                   const char        *json,
                   gsize              length)
{
  g_autofree char *name = sonde_json_path_dup_key (self->operation_name_path, json, length);
  g_autofree char *query = NULL;

  if (name != NULL && *name != '\0')
    return g_steal_pointer (&name);
  query = sonde_json_path_dup_key (self->query_path, json, length);
  return sonde_proto_graphql_operation_name (query, -1);
}

static void
remember (SondeProtoGraphql *self,
          const char        *id,
          char              *name)
{
  if (!g_hash_table_contains (self->names, id))
    g_queue_push_tail (&self->order, g_strdup (id));
  g_hash_table_replace (self->names, g_strdup (id), name);
  while (self->order.length > MAX_OPERATIONS)
    {
      char *old = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->names, old);
      g_free (old);
    }
}

/* The message's type: a string, or NULL. */
static char *
dup_type (SondeProtoGraphql *self,
          const char        *json,
          gsize              length)
{
  SondeJsonValue value;

  if (!sonde_json_path_lookup (self->type_path, json, length, &value) || value.type != SONDE_JSON_VALUE_STRING)
    return NULL;
  return sonde_json_path_dup_key (self->type_path, json, length);
}

static gboolean
is_upkeep (const char *type)
{
  static const char * const upkeep[] = {
    "connection_init", "connection_ack", "ping", "pong", "ka", "connection_terminate",
  };

  for (guint i = 0; i < G_N_ELEMENTS (upkeep); i++)
    if (g_str_equal (type, upkeep[i]))
      return TRUE;
  return FALSE;
}

/* The label of one message: see the top of the file. */
static char *
label_of (SondeProtoGraphql *self,
          const char        *type,
          const char        *json,
          gsize              length)
{
  g_autofree char *id = sonde_json_path_dup_key (self->id_path, json, length);
  g_autofree char *name = NULL;
  const char *what;

  if (id == NULL || is_upkeep (type))
    return g_strdup (type);
  if (g_str_equal (type, "subscribe") || g_str_equal (type, "start"))
    {
      name = name_of_subscribe (self, json, length);
      what = "subscribe";
    }
  else
    {
      const char *known = g_hash_table_lookup (self->names, id);

      name = g_strdup (known);
      if (g_str_equal (type, "data"))
        what = "next";
      else if (g_str_equal (type, "stop"))
        what = "complete";
      else
        what = type;
      if (name != NULL && g_str_equal (what, "next"))
        return g_steal_pointer (&name);
    }
  if (name != NULL)
    /* Translators: a GraphQL message: the operation's name, then what the
     * message is (subscribe, error, complete: the protocol's words). */
    return g_strdup_printf (_("%s · %s"), name, what);
  /* Translators: a GraphQL message: what it is (next, error, complete:
   * the protocol's words), then the operation's id. */
  return g_strdup_printf (_("%s %s"), what, id);
}

static SondeRecordViewKind
sonde_proto_graphql_view (SondeAppProtocol     *protocol,
                          const SondeRecord    *record,
                          GString              *json,
                          char                **error_message,
                          SondeRecordViewExtra *extra)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  guint line = 0, column = 0;
  gsize i = 0;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT)
    return SONDE_RECORD_VIEW_RAW;
  if (!sonde_json_validate (text, (gssize) length, &line, &column, &error))
    {
      /* Translators: %s says why; line and column where. */
      *error_message = g_strdup_printf (_("not GraphQL over WebSocket: %s (line %u, column %u)"),
                                        error->message, line, column);
      return SONDE_RECORD_VIEW_FAILED;
    }
  while (i < length && g_ascii_isspace (text[i]))
    i++;
  if (i >= length || text[i] != '{' || (type = dup_type (self, text, length)) == NULL)
    {
      *error_message = g_strdup (_("not GraphQL over WebSocket: a message is an object with a type"));
      return SONDE_RECORD_VIEW_FAILED;
    }

  extra->label = label_of (self, type, text, length);
  extra->upkeep = is_upkeep (type);
  g_string_append_len (json, text, (gssize) length);
  return SONDE_RECORD_VIEW_DECODED;
}

/* The payload of a subscribe: @argument when it is a JSON object with a
 * query ({"query":…,"variables":…,"operationName":…}), else {"query":
 * @argument}, with @variables (a JSON object) and @operation_name when
 * given (then @argument is the document, whatever it looks like). */
static gboolean
append_payload (GString     *text,
                const char  *argument,
                const char  *variables,
                const char  *operation_name,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *document = g_strstrip (g_strdup (argument));
  g_autofree char *vars = g_strstrip (g_strdup (variables != NULL ? variables : ""));
  g_autofree char *name = g_strstrip (g_strdup (operation_name != NULL ? operation_name : ""));
  gboolean plain = *vars == '\0' && *name == '\0';

  if (*document == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A subscription is a GraphQL document, such as subscription { ticks { price } }, "
                             "or a JSON object with its query, variables and operationName"));
      return FALSE;
    }
  if (*vars != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      JsonNode *root;

      if (!json_parser_load_from_data (parser, vars, -1, &local_error) ||
          !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
        {
          /* Translators: %s says what is wrong with the JSON, when anything is. */
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The variables are not a JSON object: %s"),
                       local_error != NULL ? local_error->message : _("another JSON value"));
          return FALSE;
        }
    }
  if (plain && *document == '{' && json_parser_load_from_data (parser, document, -1, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonNode *query = json_object_get_member (object, "query");

          if (query == NULL || !JSON_NODE_HOLDS_VALUE (query) || json_node_get_value_type (query) != G_TYPE_STRING)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                   _("A subscription given as JSON needs its “query”, a string"));
              return FALSE;
            }
          g_string_append (text, document);
          return TRUE;
        }
    }
  g_string_append (text, "{\"query\":");
  sonde_json_append_string (text, document, -1);
  if (*vars != '\0')
    {
      g_string_append (text, ",\"variables\":");
      g_string_append (text, vars);
    }
  if (*name != '\0')
    {
      g_string_append (text, ",\"operationName\":");
      sonde_json_append_string (text, name, -1);
    }
  g_string_append_c (text, '}');
  return TRUE;
}

static gboolean
subscribe (SondeProtoGraphql  *self,
           const char         *argument,
           const char         *variables,
           const char         *operation_name,
           gboolean            automatic,
           GError            **error)
{
  g_autoptr(GString) text = g_string_new ("{\"id\":");
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->next_id);

  sonde_json_append_string (text, id, -1);
  g_string_append (text, self->flavour == FLAVOUR_LEGACY ? ",\"type\":\"start\",\"payload\":"
                                                         : ",\"type\":\"subscribe\",\"payload\":");
  if (!append_payload (text, argument, variables, operation_name, error))
    return FALSE;
  g_string_append_c (text, '}');
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, automatic, error);
}

static gboolean
complete (SondeProtoGraphql  *self,
          const char         *argument,
          GError            **error)
{
  g_autofree char *id = g_strstrip (g_strdup (argument));
  g_autoptr(GString) text = g_string_new ("{\"id\":");

  if (*id == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Complete needs the id of an operation, such as 1"));
      return FALSE;
    }
  sonde_json_append_string (text, id, -1);
  g_string_append (text, self->flavour == FLAVOUR_LEGACY ? ",\"type\":\"stop\"}" : ",\"type\":\"complete\"}");
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), text->str, (gssize) text->len, FALSE, error);
}

static const char * const *
sonde_proto_graphql_get_subprotocols (SondeAppProtocol *protocol)
{
  return subprotocols;
}

static void
sonde_proto_graphql_opened (SondeAppProtocol *protocol)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (protocol);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);
  const char *chosen = sonde_connection_get_protocol (sonde_app_protocol_get_connection (protocol));
  g_autoptr(GString) text = g_string_new ("{\"type\":\"connection_init\"");
  g_autoptr(GError) error = NULL;

  self->flavour = chosen != NULL && g_str_equal (chosen, "graphql-ws") ? FLAVOUR_LEGACY : FLAVOUR_TRANSPORT;
  self->acked = FALSE;
  if (options->auth != NULL && *options->auth != '\0')
    {
      if (sonde_json_validate (options->auth, -1, NULL, NULL, NULL))
        {
          g_string_append (text, ",\"payload\":");
          g_string_append (text, options->auth);
        }
      else
        sonde_app_protocol_report (protocol, _("The GraphQL connection payload (--auth) is not JSON: it was left out"));
    }
  g_string_append_c (text, '}');
  if (!sonde_app_protocol_send_text (protocol, text->str, (gssize) text->len, TRUE, &error))
    sonde_app_protocol_report (protocol, error->message);
}

static void
send_subscriptions (SondeProtoGraphql *self)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);

  for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!subscribe (self, options->subscriptions[i], NULL, NULL, TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
}

/* Sent: the names of operations, by id. Received: connection_ack starts
 * the subscriptions; a ping is answered. */
static void
sonde_proto_graphql_process (SondeAppProtocol  *protocol,
                             const SondeRecord *record)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (protocol);
  const char *text = (const char *) record->data;
  gsize length = record->stored_size;
  g_autofree char *type = NULL;

  if (record->kind != SONDE_MESSAGE_KIND_TEXT ||
      (type = dup_type (self, text, length)) == NULL)
    return;

  if (record->direction == SONDE_DIRECTION_OUT)
    {
      g_autofree char *id = NULL;
      char *name;

      if ((!g_str_equal (type, "subscribe") && !g_str_equal (type, "start")) ||
          (id = sonde_json_path_dup_key (self->id_path, text, length)) == NULL)
        return;
      name = name_of_subscribe (self, text, length);
      if (name != NULL)
        remember (self, id, name);
      return;
    }
  if (record->direction != SONDE_DIRECTION_IN)
    return;

  if (g_str_equal (type, "connection_ack") && !self->acked)
    {
      self->acked = TRUE;
      send_subscriptions (self);
    }
  else if (g_str_equal (type, "ping") && self->flavour == FLAVOUR_TRANSPORT)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_app_protocol_send_text (protocol, "{\"type\":\"pong\"}", -1, TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
}

static void
sonde_proto_graphql_reset (SondeAppProtocol *protocol)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (protocol);

  /* The names stay: ids are never used twice, and the log keeps older
   * connections' messages. */
  self->acked = FALSE;
}

static gboolean
sonde_proto_graphql_act (SondeAppProtocol      *protocol,
                         const SondeAppAction  *action,
                         GError               **error)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (protocol);

  if (g_str_equal (action->name, "subscribe"))
    return subscribe (self, action->argument, action->variables, action->operation_name, FALSE, error);
  if (g_str_equal (action->name, "complete") || g_str_equal (action->name, "unsubscribe"))
    return complete (self, action->argument, error);
  sonde_app_protocol_set_no_action (protocol, action->name, error);
  return FALSE;
}

static void
sonde_proto_graphql_finalize (GObject *object)
{
  SondeProtoGraphql *self = SONDE_PROTO_GRAPHQL (object);

  g_hash_table_unref (self->names);
  g_queue_clear_full (&self->order, g_free);
  sonde_json_path_unref (self->type_path);
  sonde_json_path_unref (self->id_path);
  sonde_json_path_unref (self->operation_name_path);
  sonde_json_path_unref (self->query_path);

  G_OBJECT_CLASS (sonde_proto_graphql_parent_class)->finalize (object);
}

static void
sonde_proto_graphql_class_init (SondeProtoGraphqlClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_graphql_finalize;
  protocol_class->get_subprotocols = sonde_proto_graphql_get_subprotocols;
  protocol_class->view = sonde_proto_graphql_view;
  protocol_class->process = sonde_proto_graphql_process;
  protocol_class->opened = sonde_proto_graphql_opened;
  protocol_class->reset = sonde_proto_graphql_reset;
  protocol_class->act = sonde_proto_graphql_act;
}

static void
sonde_proto_graphql_init (SondeProtoGraphql *self)
{
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->order);
  self->type_path = sonde_json_path_new ("$.type", NULL);
  self->id_path = sonde_json_path_new ("$.id", NULL);
  self->operation_name_path = sonde_json_path_new ("$.payload.operationName", NULL);
  self->query_path = sonde_json_path_new ("$.payload.query", NULL);
}
