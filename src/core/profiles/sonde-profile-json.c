/* sonde-profile-json.c: profiles as JSON, as in the profiles file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading is strict about types (a wrong type names its field), lenient
 * about what is missing (defaults) or unknown (ignored), and never keeps a
 * secret: members named like one are dropped wherever they stand.
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-profile-private.h"

/* Keys that never come into a profile from a file, wherever they are. */
static const char * const secret_keys[] = { "secret", "token", "password" };

static gboolean
is_secret_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (secret_keys); i++)
    {
      if (g_ascii_strcasecmp (key, secret_keys[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Drops every member named like a secret, at any depth. */
static void
strip_secret_keys (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_free);

      for (GList *l = members; l != NULL; l = l->next)
        {
          if (is_secret_key (l->data))
            g_ptr_array_add (doomed, g_strdup (l->data));
          else
            strip_secret_keys (json_object_get_member (object, l->data));
        }

      for (guint i = 0; i < doomed->len; i++)
        json_object_remove_member (object, g_ptr_array_index (doomed, i));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        strip_secret_keys (json_array_get_element (array, i));
    }
}

/* JSON reading: strict about types, tolerant of missing and unknown keys. */

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return N_("an object");
    case JSON_NODE_ARRAY:
      return N_("a list");
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return N_("text");
        case G_TYPE_BOOLEAN:
          return N_("true or false");
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE:
          return N_("a number");
        default:
          return N_("a value");
        }
    default:
      return N_("a value");
    }
}

static char *
field_name (const char *prefix,
            const char *key)
{
  return prefix != NULL ? g_strconcat (prefix, ".", key, NULL) : g_strdup (key);
}

static gboolean
set_type_error (GError     **error,
                const char  *prefix,
                const char  *key,
                const char  *expected,
                JsonNode    *node)
{
  g_autofree char *field = field_name (prefix, key);

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
               _("“%s” must be %s, not %s"), field, _(expected), _(describe_node (node)));
  return FALSE;
}

/* The member @key of @object, or NULL when it is missing or null. */
static JsonNode *
get_member (JsonObject *object,
            const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
read_string (JsonObject  *object,
             const char  *prefix,
             const char  *key,
             char       **out,
             GError     **error)
{
  JsonNode *node = get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return set_type_error (error, prefix, key, N_("text"), node);

  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_boolean (JsonObject  *object,
              const char  *prefix,
              const char  *key,
              gboolean    *out,
              GError     **error)
{
  JsonNode *node = get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return set_type_error (error, prefix, key, N_("true or false"), node);

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_uint64 (JsonObject  *object,
             const char  *prefix,
             const char  *key,
             guint64      max,
             guint64     *out,
             GError     **error)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *field = NULL;
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return set_type_error (error, prefix, key, N_("a whole number"), node);

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = json_node_get_int (node);
      break;
    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        /* 1e6 is a whole number too; 1.5 is not. */
        if (d != (double) (gint64) d || d >= 9.2e18 || d <= -9.2e18)
          return set_type_error (error, prefix, key, N_("a whole number"), node);
        value = (gint64) d;
        break;
      }
    default:
      return set_type_error (error, prefix, key, N_("a whole number"), node);
    }

  field = field_name (prefix, key);
  if (value < 0)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                   _("“%s” must not be negative"), field);
      return FALSE;
    }
  if ((guint64) value > max)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                   _("“%s” is too large: at most %" PRIu64), field, (uint64_t) max);
      return FALSE;
    }

  *out = (guint64) value;
  return TRUE;
}

static gboolean
read_uint (JsonObject  *object,
           const char  *prefix,
           const char  *key,
           guint       *out,
           GError     **error)
{
  guint64 value = *out;

  if (!read_uint64 (object, prefix, key, G_MAXUINT, &value, error))
    return FALSE;

  *out = (guint) value;
  return TRUE;
}

static gboolean
read_strv (JsonObject   *object,
           const char   *prefix,
           const char   *key,
           char       ***out,
           GError      **error)
{
  JsonNode *node = get_member (object, key);
  JsonArray *array;
  GStrvBuilder *builder;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_type_error (error, prefix, key, N_("a list of text"), node);

  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_autofree char *item = g_strdup_printf ("%s[%u]", key, i);

          g_strv_builder_unref (builder);
          return set_type_error (error, prefix, item, N_("text"), element);
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  if ((*out)[0] == NULL)
    g_clear_pointer (out, g_strfreev);
  return TRUE;
}

/* The object at @key (borrowed), or NULL with no error when it is missing
 * or null. */
static gboolean
read_object (JsonObject  *object,
             const char  *prefix,
             const char  *key,
             JsonObject **out,
             GError     **error)
{
  JsonNode *node = get_member (object, key);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_type_error (error, prefix, key, N_("an object"), node);

  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_enum (JsonObject         *object,
           const char         *prefix,
           const char         *key,
           const char * const *names,
           guint               n_names,
           int                *out,
           GError            **error)
{
  g_autofree char *text = NULL;
  g_autofree char *field = NULL;
  g_autoptr(GString) choices = NULL;

  if (!read_string (object, prefix, key, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (text, names[i]))
        {
          *out = (int) i;
          return TRUE;
        }
    }

  choices = g_string_new (NULL);
  for (guint i = 0; i < n_names; i++)
    /* Translators: between the last two, and between the other names of
     * a list of choices: "a, b or c". */
    g_string_append_printf (choices, "%s%s", i == 0 ? "" : i + 1 == n_names ? _(" or ") : _(", "), names[i]);

  field = field_name (prefix, key);
  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
               _("“%s” is “%s”: expected %s"), field, text, choices->str);
  return FALSE;
}

static gboolean
read_message (JsonNode             *node,
              const char           *field,
              gboolean              named,
              SondeProfileMessage **out,
              GError              **error)
{
  JsonObject *object;
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  int format = SONDE_MESSAGE_FORMAT_TEXT;
  static const char * const format_names[] = { "text", "json", "binary" };

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                   _("“%s” must be an object, not %s"), field, _(describe_node (node)));
      return FALSE;
    }

  object = json_node_get_object (node);
  if ((named && !read_string (object, field, "name", &name, error)) ||
      !read_enum (object, field, "format", format_names, G_N_ELEMENTS (format_names), &format, error) ||
      !read_string (object, field, "body", &body, error))
    return FALSE;

  *out = sonde_profile_message_new (name, (SondeMessageFormat) format, body);
  return TRUE;
}

static gboolean
read_messages (JsonObject  *object,
               const char  *key,
               gboolean     named,
               GPtrArray   *out,
               GError     **error)
{
  JsonNode *node = get_member (object, key);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_type_error (error, NULL, key, N_("a list"), node);

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *field = g_strdup_printf ("%s[%u]", key, i);
      SondeProfileMessage *message;

      if (!read_message (json_array_get_element (array, i), field, named, &message, error))
        return FALSE;
      g_ptr_array_add (out, message);
    }

  return TRUE;
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *key,
                    const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *key,
          const char * const *values)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *key,
         guint64      value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

static void
add_messages (JsonBuilder *builder,
              const char  *key,
              GPtrArray   *messages,
              gboolean     named)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    {
      const SondeProfileMessage *message = g_ptr_array_index (messages, i);

      json_builder_begin_object (builder);
      if (named)
        add_string_or_null (builder, "name", message->name);
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, sonde_message_format_to_string (message->format));
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, message->body != NULL ? message->body : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* The profile as a JSON object with snake_case keys, as in the profiles
 * file. Never a secret: the profile holds none. */
JsonNode *
sonde_profile_to_json (SondeProfile *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  json_builder_begin_object (builder);
  add_string_or_null (builder, "id", self->id);
  add_string_or_null (builder, "name", self->name);
  add_string_or_null (builder, "url", self->options->url);
  add_strv (builder, "headers", (const char * const *) self->options->headers);
  add_strv (builder, "protocols", (const char * const *) self->options->protocols);
  add_string_or_null (builder, "origin", self->options->origin);
  add_int (builder, "max_message_size", self->options->max_message_size);
  json_builder_set_member_name (builder, "deflate");
  json_builder_add_boolean_value (builder, self->options->deflate);

  json_builder_set_member_name (builder, "auth");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "kind", sonde_auth_kind_to_string (self->auth_kind));
  add_string_or_null (builder, "username", self->auth_username);
  add_string_or_null (builder, "key_name", self->auth_key_name);
  if (self->auth_secret_env != NULL)
    add_string_or_null (builder, "secret_env", self->auth_secret_env);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "tls");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "policy", sonde_profile_tls_policy_names[self->tls_policy]);
  add_string_or_null (builder, "pinned_sha256", self->options->pinned_sha256);
  add_string_or_null (builder, "client_certificate", self->client_certificate);
  json_builder_end_object (builder);

  add_string_or_null (builder, "proxy", self->options->proxy);
  add_int (builder, "keepalive_s", self->options->keepalive_s);
  add_int (builder, "pong_timeout_s", self->options->pong_timeout_s);

  json_builder_set_member_name (builder, "heartbeat");
  if (self->heartbeat == NULL && self->heartbeat_interval_s == 0)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      if (self->heartbeat != NULL)
        {
          json_builder_set_member_name (builder, "format");
          json_builder_add_string_value (builder, sonde_message_format_to_string (self->heartbeat->format));
          add_string_or_null (builder, "body", self->heartbeat->body != NULL ? self->heartbeat->body : "");
        }
      add_int (builder, "interval_s", self->heartbeat_interval_s);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "latency_probe");
  if (self->probe == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, sonde_message_format_to_string (self->probe->format));
      add_string_or_null (builder, "body", self->probe->body != NULL ? self->probe->body : "");
      add_string_or_null (builder, "reply_path", self->probe_path);
      add_int (builder, "interval_s", self->probe_interval_s);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "reconnect");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, self->options->reconnect.enabled);
  add_int (builder, "base_ms", self->options->reconnect.base_ms);
  add_int (builder, "cap_ms", self->options->reconnect.cap_ms);
  add_int (builder, "max_attempts", self->options->reconnect.max_attempts);
  add_int (builder, "min_uptime_ms", self->options->reconnect.min_uptime_ms);
  json_builder_end_object (builder);

  add_messages (builder, "on_open", self->on_open, FALSE);
  add_messages (builder, "templates", self->templates, TRUE);

  json_builder_set_member_name (builder, "retention");
  json_builder_begin_object (builder);
  add_int (builder, "max_count", self->retention_count);
  add_int (builder, "max_bytes", self->retention_bytes);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "record");
  json_builder_add_boolean_value (builder, self->record);
  if (self->app_kind != SONDE_APP_PROTOCOL_NONE)
    {
      const SondeAppProtocolOptions *o = self->app_options;

      json_builder_set_member_name (builder, "app_protocol");
      json_builder_begin_object (builder);
      add_string_or_null (builder, "mode", sonde_app_protocol_kind_to_string (self->app_kind));
      add_strv (builder, "subscriptions", (const char * const *) o->subscriptions);
      add_string_or_null (builder, "namespace", o->nsp);
      add_string_or_null (builder, "auth", o->auth);
      add_string_or_null (builder, "client_id", o->client_id);
      add_string_or_null (builder, "username", o->username);
      add_string_or_null (builder, "host", o->host);
      add_int (builder, "mqtt_version", o->mqtt_version);
      add_int (builder, "keepalive", o->keepalive_s);
      add_int (builder, "qos", o->qos);
      json_builder_end_object (builder);
    }
  if (self->decode != NULL)
    {
      json_builder_set_member_name (builder, "decode");
      json_builder_begin_object (builder);
      add_string_or_null (builder, "chain", self->decode);
      add_string_or_null (builder, "proto_descriptor", self->proto_descriptor);
      add_string_or_null (builder, "proto_type", self->proto_type);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "charts");
  if (self->charts != NULL)
    json_builder_add_value (builder, json_node_copy (self->charts));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "notifications");
  if (self->notifications != NULL)
    json_builder_add_value (builder, json_node_copy (self->notifications));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "integrity");
  if (self->integrity != NULL)
    json_builder_add_value (builder, json_node_copy (self->integrity));
  else
    json_builder_add_null_value (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* A profile from @node, a JSON object as sonde_profile_to_json() makes.
 * Strict about types: a value of the wrong type is a
 * SONDE_ERROR_INVALID_PROFILE error that names the field (“auth.kind”,
 * “templates[2].body”). Tolerant of the rest: unknown keys are ignored (a
 * newer Sonde may add some), missing keys and nulls keep the defaults, and
 * a missing or empty id gets a fresh one. Keys named secret, token or
 * password are never read, wherever they are (and are dropped from the
 * charts, which are otherwise kept verbatim). */
SondeProfile *
sonde_profile_new_from_json (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(SondeProfile) self = NULL;
  JsonObject *object;
  JsonObject *auth = NULL;
  JsonObject *tls = NULL;
  JsonObject *heartbeat = NULL;
  JsonObject *probe = NULL;
  JsonObject *reconnect = NULL;
  JsonObject *retention = NULL;
  JsonNode *charts;
  int auth_kind = SONDE_AUTH_NONE;
  int tls_policy = SONDE_TLS_VERIFY;
  g_autofree char *id = NULL;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                   _("A profile must be a JSON object, not %s"), _(describe_node (node)));
      return NULL;
    }

  object = json_node_get_object (node);
  self = sonde_profile_new ();

  if (!read_string (object, NULL, "id", &id, error) ||
      !read_string (object, NULL, "name", &self->name, error) ||
      !read_string (object, NULL, "url", &self->options->url, error) ||
      !read_strv (object, NULL, "headers", &self->options->headers, error) ||
      !read_strv (object, NULL, "protocols", &self->options->protocols, error) ||
      !read_string (object, NULL, "origin", &self->options->origin, error) ||
      /* Older profile files call it "max_frame_size" (it bounded single
       * frames then); it bounds whole messages now. */
      !read_uint64 (object, NULL, json_object_has_member (object, "max_message_size") ? "max_message_size"
                                                                                     : "max_frame_size",
                    G_MAXINT64, &self->options->max_message_size, error) ||
      !read_boolean (object, NULL, "deflate", &self->options->deflate, error) ||
      !read_boolean (object, NULL, "record", &self->record, error))
    return NULL;

  {
    JsonObject *decode;

    if (!read_object (object, NULL, "decode", &decode, error))
      return NULL;
    if (decode != NULL &&
        (!read_string (decode, "decode", "chain", &self->decode, error) ||
         !read_string (decode, "decode", "proto_descriptor", &self->proto_descriptor, error) ||
         !read_string (decode, "decode", "proto_type", &self->proto_type, error)))
      return NULL;
    if (self->decode != NULL && *self->decode == '\0')
      g_clear_pointer (&self->decode, g_free);
  }

  {
    JsonObject *app;
    g_autofree char *mode = NULL;
    guint64 mqtt_version = 0, keepalive = 0, qos = 0;
    SondeAppProtocolOptions *o = self->app_options;

    if (!read_object (object, NULL, "app_protocol", &app, error))
      return NULL;
    if (app != NULL)
      {
        if (!read_string (app, "app_protocol", "mode", &mode, error) ||
            !read_strv (app, "app_protocol", "subscriptions", &o->subscriptions, error) ||
            !read_string (app, "app_protocol", "namespace", &o->nsp, error) ||
            !read_string (app, "app_protocol", "auth", &o->auth, error) ||
            !read_string (app, "app_protocol", "client_id", &o->client_id, error) ||
            !read_string (app, "app_protocol", "username", &o->username, error) ||
            !read_string (app, "app_protocol", "host", &o->host, error) ||
            !read_uint64 (app, "app_protocol", "mqtt_version", 5, &mqtt_version, error) ||
            !read_uint64 (app, "app_protocol", "keepalive", 65535, &keepalive, error) ||
            !read_uint64 (app, "app_protocol", "qos", 1, &qos, error))
          return NULL;
        if (mode != NULL && !sonde_app_protocol_kind_from_string (mode, &self->app_kind, error))
          {
            g_prefix_error (error, "app_protocol.mode: ");
            return NULL;
          }
        o->mqtt_version = (guint) mqtt_version;
        o->keepalive_s = (guint) keepalive;
        o->qos = (guint) qos;
      }
  }

  if (!read_object (object, NULL, "auth", &auth, error))
    return NULL;
  if (auth != NULL &&
      (!read_enum (auth, "auth", "kind", sonde_profile_auth_kind_names, G_N_ELEMENTS (sonde_profile_auth_kind_names), &auth_kind, error) ||
       !read_string (auth, "auth", "username", &self->auth_username, error) ||
       !read_string (auth, "auth", "key_name", &self->auth_key_name, error) ||
       !read_string (auth, "auth", "secret_env", &self->auth_secret_env, error)))
    return NULL;
  self->auth_kind = (SondeAuthKind) auth_kind;

  if (!read_object (object, NULL, "tls", &tls, error))
    return NULL;
  if (tls != NULL &&
      (!read_enum (tls, "tls", "policy", sonde_profile_tls_policy_names, G_N_ELEMENTS (sonde_profile_tls_policy_names), &tls_policy, error) ||
       !read_string (tls, "tls", "pinned_sha256", &self->options->pinned_sha256, error) ||
       !read_string (tls, "tls", "client_certificate", &self->client_certificate, error)))
    return NULL;
  self->tls_policy = (SondeTlsPolicy) tls_policy;

  if (!read_string (object, NULL, "proxy", &self->options->proxy, error) ||
      !read_uint (object, NULL, "keepalive_s", &self->options->keepalive_s, error) ||
      !read_uint (object, NULL, "pong_timeout_s", &self->options->pong_timeout_s, error))
    return NULL;

  if (!read_object (object, NULL, "heartbeat", &heartbeat, error))
    return NULL;
  if (heartbeat != NULL)
    {
      if (!read_uint (heartbeat, "heartbeat", "interval_s", &self->heartbeat_interval_s, error))
        return NULL;
      if (get_member (heartbeat, "body") != NULL &&
          !read_message (json_object_get_member (object, "heartbeat"), "heartbeat", FALSE,
                         &self->heartbeat, error))
        return NULL;
    }

  if (!read_object (object, NULL, "latency_probe", &probe, error))
    return NULL;
  if (probe != NULL)
    {
      if (!read_uint (probe, "latency_probe", "interval_s", &self->probe_interval_s, error) ||
          !read_string (probe, "latency_probe", "reply_path", &self->probe_path, error) ||
          !read_message (json_object_get_member (object, "latency_probe"), "latency_probe", FALSE,
                         &self->probe, error))
        return NULL;
    }

  if (!read_object (object, NULL, "reconnect", &reconnect, error))
    return NULL;
  if (reconnect != NULL &&
      (!read_boolean (reconnect, "reconnect", "enabled", &self->options->reconnect.enabled, error) ||
       !read_uint (reconnect, "reconnect", "base_ms", &self->options->reconnect.base_ms, error) ||
       !read_uint (reconnect, "reconnect", "cap_ms", &self->options->reconnect.cap_ms, error) ||
       !read_uint (reconnect, "reconnect", "max_attempts", &self->options->reconnect.max_attempts, error) ||
       !read_uint (reconnect, "reconnect", "min_uptime_ms", &self->options->reconnect.min_uptime_ms, error)))
    return NULL;

  if (!read_messages (object, "on_open", FALSE, self->on_open, error) ||
      !read_messages (object, "templates", TRUE, self->templates, error))
    return NULL;

  if (!read_object (object, NULL, "retention", &retention, error))
    return NULL;
  if (retention != NULL &&
      (!read_uint (retention, "retention", "max_count", &self->retention_count, error) ||
       !read_uint64 (retention, "retention", "max_bytes", G_MAXINT64, &self->retention_bytes, error)))
    return NULL;

  charts = get_member (object, "charts");
  if (charts != NULL)
    {
      self->charts = json_node_copy (charts);
      strip_secret_keys (self->charts);
    }

  /* Rules that do not parse are kept, and shown as a problem in the
   * editor: a newer Sonde may have written them. */
  if (get_member (object, "notifications") != NULL)
    self->notifications = json_node_copy (get_member (object, "notifications"));
  if (get_member (object, "integrity") != NULL)
    self->integrity = json_node_copy (get_member (object, "integrity"));

  /* Optional strings hold NULL, never "". */
  sonde_profile_replace_optional_str (&self->options->origin, self->options->origin);
  sonde_profile_replace_optional_str (&self->auth_username, self->auth_username);
  sonde_profile_replace_optional_str (&self->auth_key_name, self->auth_key_name);
  sonde_profile_replace_optional_str (&self->auth_secret_env, self->auth_secret_env);
  sonde_profile_replace_optional_str (&self->options->pinned_sha256, self->options->pinned_sha256);
  {
    g_autofree char *fingerprint = sonde_profile_normalize_fingerprint (self->options->pinned_sha256);

    if (fingerprint != NULL)
      sonde_profile_replace_str (&self->options->pinned_sha256, fingerprint);
  }
  sonde_profile_replace_optional_str (&self->client_certificate, self->client_certificate);
  sonde_profile_replace_optional_str (&self->options->proxy, self->options->proxy);

  if (id != NULL && *id != '\0')
    {
      g_free (self->id);
      self->id = g_steal_pointer (&id);
    }

  return g_steal_pointer (&self);
}

