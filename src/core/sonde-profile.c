/* sonde-profile.c: everything needed to connect to a service and watch it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SondeProfile is plain data with change notification: every setter
 * compares, and when something changed it notifies the property (for the
 * ones that are properties) and emits "changed", which the profile store
 * turns into a debounced save. The secret of the authentication is never
 * held here: it lives in the keyring (SondeSecrets), keyed by the id, and is
 * handed to sonde_profile_configure_connection() only when connecting.
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-certificate.h"
#include "sonde-json-path.h"
#include "sonde-notifier.h"
#include "sonde-profile.h"
#include "sonde-redact.h"
#include "sonde-url.h"

#define MIN_RETENTION_BYTES 1024

struct _SondeProfile
{
  GObject               parent_instance;

  /* owned */
  char                 *id;
  char                 *name;                 /* never NULL */
  char                 *url;                  /* never NULL */
  char                **headers;              /* NULL when none */
  char                **protocols;            /* NULL when none */
  char                 *origin;
  guint64               max_frame_size;
  gboolean              deflate;

  SondeAuthKind         auth_kind;
  char                 *auth_username;
  char                 *auth_key_name;

  SondeTlsPolicy        tls_policy;
  char                 *pinned_sha256;
  char                 *client_certificate;
  char                 *proxy;

  guint                 keepalive_s;
  guint                 pong_timeout_s;
  SondeProfileMessage  *heartbeat;
  guint                 heartbeat_interval_s;
  SondeProfileMessage  *probe;                /* latency probe; NULL: none */
  char                 *probe_path;
  guint                 probe_interval_s;
  SondeReconnectPolicy  reconnect;

  GPtrArray            *on_open;              /* SondeProfileMessage*, never NULL */
  GPtrArray            *templates;            /* SondeProfileMessage*, never NULL */

  guint                 retention_count;
  guint64               retention_bytes;
  JsonNode             *charts;
  JsonNode             *notifications;       /* SondeNotifier's rules, or NULL */
};

G_DEFINE_FINAL_TYPE (SondeProfile, sonde_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_URL,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const auth_kind_names[] = {
  [SONDE_AUTH_NONE] = "none",
  [SONDE_AUTH_BEARER] = "bearer",
  [SONDE_AUTH_BASIC] = "basic",
  [SONDE_AUTH_API_KEY_HEADER] = "api-key-header",
  [SONDE_AUTH_API_KEY_QUERY] = "api-key-query",
};

static const char * const tls_policy_names[] = {
  [SONDE_TLS_VERIFY] = "verify",
  [SONDE_TLS_PINNED] = "pinned",
};

/* Keys that never come into a profile from a file, wherever they are. */
static const char * const secret_keys[] = { "secret", "token", "password" };

/* g_set_str() arrived in GLib 2.76; our floor is 2.74. */
static gboolean
replace_str (char       **slot,
             const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;

  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

/* Optional strings: "" is stored as NULL. */
static gboolean
replace_optional_str (char       **slot,
                      const char  *value)
{
  return replace_str (slot, (value != NULL && *value != '\0') ? value : NULL);
}

static gboolean
strv_equal (const char * const *a,
            const char * const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal (a, b);
}

/* Lists: an empty list is stored as NULL. */
static gboolean
replace_strv (char               ***slot,
              const char * const   *value)
{
  if (value != NULL && value[0] == NULL)
    value = NULL;
  if (strv_equal ((const char * const *) *slot, value))
    return FALSE;

  g_strfreev (*slot);
  *slot = g_strdupv ((char **) value);
  return TRUE;
}

static gboolean
message_equal (const SondeProfileMessage *a,
               const SondeProfileMessage *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->format == b->format &&
         g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->body, b->body) == 0;
}

static gboolean
messages_equal (GPtrArray *a,
                GPtrArray *b)
{
  guint la = a != NULL ? a->len : 0;
  guint lb = b != NULL ? b->len : 0;

  if (la != lb)
    return FALSE;

  for (guint i = 0; i < la; i++)
    {
      if (!message_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
        return FALSE;
    }

  return TRUE;
}

static GPtrArray *
copy_messages (GPtrArray *messages)
{
  guint n = messages != NULL ? messages->len : 0;
  GPtrArray *copy = g_ptr_array_new_full (n, (GDestroyNotify) sonde_profile_message_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (copy, sonde_profile_message_copy (g_ptr_array_index (messages, i)));

  return copy;
}

static void
emit_changed (SondeProfile *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
is_token_char (char c)
{
  /* RFC 9110 §5.6.2 */
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_token (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  for (const char *p = text; *p; p++)
    {
      if (!is_token_char (*p))
        return FALSE;
    }

  return TRUE;
}

static gboolean
has_control_char (const char *text)
{
  for (const char *p = text; p != NULL && *p; p++)
    {
      if (g_ascii_iscntrl (*p) && *p != '\t')
        return TRUE;
    }

  return FALSE;
}

/* A SHA-256 fingerprint as 64 lowercase hex digits, from hex digits in any
 * case with or without colons (or spaces) between the bytes; NULL when
 * @text is not one. */
static char *
normalize_fingerprint (const char *text)
{
  GString *hex;

  if (text == NULL)
    return NULL;

  hex = g_string_sized_new (64);
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (hex, g_ascii_tolower (*p));
      else if (*p != ':' && *p != ' ')
        {
          g_string_free (hex, TRUE);
          return NULL;
        }
    }

  if (hex->len != 64)
    {
      g_string_free (hex, TRUE);
      return NULL;
    }

  return g_string_free (hex, FALSE);
}

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
add_problem (GPtrArray  *problems,
             const char *field,
             const char *message)
{
  SondeProfileProblem *problem = g_new0 (SondeProfileProblem, 1);

  problem->field = g_strdup (field);
  problem->message = g_strdup (message);
  g_ptr_array_add (problems, problem);
}

G_GNUC_PRINTF (3, 4)
static void
add_problem_printf (GPtrArray  *problems,
                    const char *field,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  add_problem (problems, field, message);
}

static void
validate_message (GPtrArray                 *problems,
                  const char                *field,
                  const SondeProfileMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (!sonde_template_validate (message->body != NULL ? message->body : "", message->format, &error))
    add_problem (problems, field, error->message);
}

/* The header name that the authentication sets, or NULL. */
static const char *
auth_header_name (SondeProfile *self)
{
  switch (self->auth_kind)
    {
    case SONDE_AUTH_BEARER:
    case SONDE_AUTH_BASIC:
      return "Authorization";
    case SONDE_AUTH_API_KEY_HEADER:
      return self->auth_key_name;
    case SONDE_AUTH_NONE:
    case SONDE_AUTH_API_KEY_QUERY:
    default:
      return NULL;
    }
}

/* @url with the query parameter @name=@value, both percent-encoded; an
 * earlier parameter of that name is replaced, the others are kept. */
static char *
add_query_parameter (const char  *url,
                     const char  *name,
                     const char  *value,
                     GError     **error)
{
  g_autofree char *normalized = sonde_url_normalize (url, error);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *escaped_name = NULL;
  g_autofree char *escaped_value = NULL;
  g_autoptr(GString) query = NULL;

  if (normalized == NULL)
    return NULL;

  uri = g_uri_parse (normalized, G_URI_FLAGS_ENCODED, error);
  if (uri == NULL)
    return NULL;

  escaped_name = g_uri_escape_string (name, NULL, FALSE);
  escaped_value = g_uri_escape_string (value, NULL, FALSE);
  query = g_string_new (NULL);

  if (g_uri_get_query (uri) != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (g_uri_get_query (uri), "&", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *part_name = NULL;
          g_autofree char *decoded = NULL;
          const char *equals = strchr (parts[i], '=');

          part_name = equals != NULL ? g_strndup (parts[i], equals - parts[i]) : g_strdup (parts[i]);
          decoded = g_uri_unescape_string (part_name, NULL);
          if (*parts[i] == '\0' || g_strcmp0 (decoded != NULL ? decoded : part_name, name) == 0)
            continue;

          if (query->len > 0)
            g_string_append_c (query, '&');
          g_string_append (query, parts[i]);
        }
    }

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "%s=%s", escaped_name, escaped_value);

  return g_uri_join (G_URI_FLAGS_ENCODED,
                     g_uri_get_scheme (uri),
                     g_uri_get_userinfo (uri),
                     g_uri_get_host (uri),
                     g_uri_get_port (uri),
                     g_uri_get_path (uri),
                     query->str,
                     g_uri_get_fragment (uri));
}

static void
sonde_profile_finalize (GObject *object)
{
  SondeProfile *self = (SondeProfile *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->url);
  g_strfreev (self->headers);
  g_strfreev (self->protocols);
  g_free (self->origin);
  g_free (self->auth_username);
  g_free (self->auth_key_name);
  g_free (self->pinned_sha256);
  g_free (self->client_certificate);
  g_free (self->proxy);
  g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
  g_clear_pointer (&self->probe, sonde_profile_message_free);
  g_free (self->probe_path);
  g_clear_pointer (&self->on_open, g_ptr_array_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->charts, json_node_unref);
  g_clear_pointer (&self->notifications, json_node_unref);

  G_OBJECT_CLASS (sonde_profile_parent_class)->finalize (object);
}

static void
sonde_profile_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SondeProfile *self = SONDE_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SondeProfile *self = SONDE_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      sonde_profile_set_name (self, g_value_get_string (value));
      break;
    case PROP_URL:
      sonde_profile_set_url (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_class_init (SondeProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_profile_finalize;
  object_class->get_property = sonde_profile_get_property;
  object_class->set_property = sonde_profile_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeProfile::changed:
   *
   * Emitted after any setter changed something (after the property
   * notification, for name and url). Not emitted when a setter is given
   * what the profile already holds.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sonde_profile_init (SondeProfile *self)
{
  self->id = g_uuid_string_random ();
  self->name = g_strdup ("");
  self->url = g_strdup ("");
  self->max_frame_size = SONDE_DEFAULT_MAX_FRAME_SIZE;
  self->deflate = FALSE;
  self->auth_kind = SONDE_AUTH_NONE;
  self->tls_policy = SONDE_TLS_VERIFY;
  self->reconnect.enabled = FALSE;
  self->reconnect.base_ms = 1000;
  self->reconnect.cap_ms = 60000;
  self->reconnect.max_attempts = 0;
  self->reconnect.min_uptime_ms = 10000;
  self->on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  self->retention_count = SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT;
  self->retention_bytes = SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES;
}

/* A profile with the defaults and a fresh random id. */
SondeProfile *
sonde_profile_new (void)
{
  return g_object_new (SONDE_TYPE_PROFILE, NULL);
}

/* A new profile for @url, named after its host when it has one. */
SondeProfile *
sonde_profile_new_for_url (const char *url)
{
  SondeProfile *self = sonde_profile_new ();
  g_autoptr(GUri) uri = NULL;

  sonde_profile_set_url (self, url);

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    {
      g_free (self->name);
      self->name = g_strdup (g_uri_get_host (uri));
    }

  return self;
}

/* A copy of everything but the id: the copy has a fresh one, so it is a
 * profile of its own (and its secret, keyed by id, is not shared). */
SondeProfile *
sonde_profile_duplicate (SondeProfile *self)
{
  SondeProfile *copy;

  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  copy = sonde_profile_new ();
  replace_str (&copy->name, self->name);
  replace_str (&copy->url, self->url);
  copy->headers = g_strdupv (self->headers);
  copy->protocols = g_strdupv (self->protocols);
  copy->origin = g_strdup (self->origin);
  copy->max_frame_size = self->max_frame_size;
  copy->deflate = self->deflate;
  copy->auth_kind = self->auth_kind;
  copy->auth_username = g_strdup (self->auth_username);
  copy->auth_key_name = g_strdup (self->auth_key_name);
  copy->tls_policy = self->tls_policy;
  copy->pinned_sha256 = g_strdup (self->pinned_sha256);
  copy->client_certificate = g_strdup (self->client_certificate);
  copy->proxy = g_strdup (self->proxy);
  copy->keepalive_s = self->keepalive_s;
  copy->pong_timeout_s = self->pong_timeout_s;
  copy->heartbeat = self->heartbeat != NULL ? sonde_profile_message_copy (self->heartbeat) : NULL;
  copy->heartbeat_interval_s = self->heartbeat_interval_s;
  copy->probe = self->probe != NULL ? sonde_profile_message_copy (self->probe) : NULL;
  copy->probe_path = g_strdup (self->probe_path);
  copy->probe_interval_s = self->probe_interval_s;
  copy->reconnect = self->reconnect;
  g_ptr_array_unref (copy->on_open);
  copy->on_open = copy_messages (self->on_open);
  g_ptr_array_unref (copy->templates);
  copy->templates = copy_messages (self->templates);
  copy->retention_count = self->retention_count;
  copy->retention_bytes = self->retention_bytes;
  copy->charts = self->charts != NULL ? json_node_copy (self->charts) : NULL;
  copy->notifications = self->notifications != NULL ? json_node_copy (self->notifications) : NULL;

  return copy;
}

/* A random UUID made with the profile; it keys the profile's secret. */
const char *
sonde_profile_get_id (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->id;
}

/* Never NULL; "" until named. */
const char *
sonde_profile_get_name (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->name;
}

void
sonde_profile_set_name (SondeProfile *self,
                        const char   *name)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (!replace_str (&self->name, name != NULL ? name : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  emit_changed (self);
}

/* The URL as the user typed it; never NULL. */
const char *
sonde_profile_get_url (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->url;
}

void
sonde_profile_set_url (SondeProfile *self,
                       const char   *url)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (!replace_str (&self->url, url != NULL ? url : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  emit_changed (self);
}

/* "Name: value" request headers, or NULL when there are none. */
const char * const *
sonde_profile_get_headers (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return (const char * const *) self->headers;
}

void
sonde_profile_set_headers (SondeProfile       *self,
                           const char * const *headers)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_strv (&self->headers, headers))
    emit_changed (self);
}

/* Subprotocols to offer, or NULL when there are none. */
const char * const *
sonde_profile_get_protocols (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return (const char * const *) self->protocols;
}

void
sonde_profile_set_protocols (SondeProfile       *self,
                             const char * const *protocols)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_strv (&self->protocols, protocols))
    emit_changed (self);
}

/* NULL when unset ("" is stored as NULL). */
const char *
sonde_profile_get_origin (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->origin;
}

void
sonde_profile_set_origin (SondeProfile *self,
                          const char   *origin)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_optional_str (&self->origin, origin))
    emit_changed (self);
}

guint64
sonde_profile_get_max_frame_size (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->max_frame_size;
}

void
sonde_profile_set_max_frame_size (SondeProfile *self,
                                  guint64       size)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->max_frame_size == size)
    return;

  self->max_frame_size = size;
  emit_changed (self);
}

gboolean
sonde_profile_get_deflate (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), FALSE);

  return self->deflate;
}

void
sonde_profile_set_deflate (SondeProfile *self,
                           gboolean      deflate)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  deflate = !!deflate;
  if (self->deflate == deflate)
    return;

  self->deflate = deflate;
  emit_changed (self);
}

SondeAuthKind
sonde_profile_get_auth_kind (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), SONDE_AUTH_NONE);

  return self->auth_kind;
}

void
sonde_profile_set_auth_kind (SondeProfile  *self,
                             SondeAuthKind  kind)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail ((guint) kind < G_N_ELEMENTS (auth_kind_names));

  if (self->auth_kind == kind)
    return;

  self->auth_kind = kind;
  emit_changed (self);
}

/* The user name of basic authentication; NULL when unset. */
const char *
sonde_profile_get_auth_username (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->auth_username;
}

void
sonde_profile_set_auth_username (SondeProfile *self,
                                 const char   *username)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_optional_str (&self->auth_username, username))
    emit_changed (self);
}

/* The header or query parameter that carries an API key; NULL when unset. */
const char *
sonde_profile_get_auth_key_name (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->auth_key_name;
}

void
sonde_profile_set_auth_key_name (SondeProfile *self,
                                 const char   *name)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_optional_str (&self->auth_key_name, name))
    emit_changed (self);
}

SondeTlsPolicy
sonde_profile_get_tls_policy (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), SONDE_TLS_VERIFY);

  return self->tls_policy;
}

void
sonde_profile_set_tls_policy (SondeProfile   *self,
                              SondeTlsPolicy  policy)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail ((guint) policy < G_N_ELEMENTS (tls_policy_names));

  if (self->tls_policy == policy)
    return;

  self->tls_policy = policy;
  emit_changed (self);
}

/* The pinned fingerprint: 64 lowercase hex digits once it is valid, or
 * what was set while it is not (sonde_profile_validate() says what is
 * wrong); NULL when unset. */
const char *
sonde_profile_get_pinned_sha256 (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->pinned_sha256;
}

/* Takes a SHA-256 fingerprint in hex, in any case, with or without colons
 * between the bytes; a valid one is stored normalized. */
void
sonde_profile_set_pinned_sha256 (SondeProfile *self,
                                 const char   *fingerprint)
{
  g_autofree char *normalized = NULL;

  g_return_if_fail (SONDE_IS_PROFILE (self));

  normalized = normalize_fingerprint (fingerprint);
  if (replace_optional_str (&self->pinned_sha256, normalized != NULL ? normalized : fingerprint))
    emit_changed (self);
}

/* The path of a client certificate (PEM, with its key); NULL when unset. */
const char *
sonde_profile_get_client_certificate (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->client_certificate;
}

void
sonde_profile_set_client_certificate (SondeProfile *self,
                                      const char   *path)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_optional_str (&self->client_certificate, path))
    emit_changed (self);
}

/* An http://, https:// or socks5:// proxy URL; NULL for the system's. */
const char *
sonde_profile_get_proxy (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->proxy;
}

void
sonde_profile_set_proxy (SondeProfile *self,
                         const char   *proxy_url)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_optional_str (&self->proxy, proxy_url))
    emit_changed (self);
}

/* Seconds between WebSocket pings; 0 for none. */
guint
sonde_profile_get_keepalive (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->keepalive_s;
}

void
sonde_profile_set_keepalive (SondeProfile *self,
                             guint         seconds)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->keepalive_s == seconds)
    return;

  self->keepalive_s = seconds;
  emit_changed (self);
}

/* Seconds to wait for a pong before the link counts as dead; 0 for no
 * limit. Needs a keepalive. */
guint
sonde_profile_get_pong_timeout (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->pong_timeout_s;
}

void
sonde_profile_set_pong_timeout (SondeProfile *self,
                                guint         seconds)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->pong_timeout_s == seconds)
    return;

  self->pong_timeout_s = seconds;
  emit_changed (self);
}

/* The application heartbeat (borrowed), or NULL for none. */
const SondeProfileMessage *
sonde_profile_get_heartbeat (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->heartbeat;
}

guint
sonde_profile_get_heartbeat_interval (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->heartbeat_interval_s;
}

/* Sets the heartbeat (copied; NULL for none) and its interval in seconds. */
void
sonde_profile_set_heartbeat (SondeProfile              *self,
                             const SondeProfileMessage *message,
                             guint                      interval_s)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (message_equal (self->heartbeat, message) && self->heartbeat_interval_s == interval_s)
    return;

  if (!message_equal (self->heartbeat, message))
    {
      g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
      if (message != NULL)
        self->heartbeat = sonde_profile_message_copy (message);
    }
  self->heartbeat_interval_s = interval_s;
  emit_changed (self);
}

/* The latency probe (borrowed), or NULL for none; @reply_path and
 * @interval_s may be NULL. */
const SondeProfileMessage *
sonde_profile_get_latency_probe (SondeProfile  *self,
                                 const char   **reply_path,
                                 guint         *interval_s)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  if (reply_path != NULL)
    *reply_path = self->probe_path;
  if (interval_s != NULL)
    *interval_s = self->probe_interval_s;
  return self->probe;
}

/* Sets the latency probe (copied; NULL for none): a message carrying
 * {{uuid}}, the path of the reply that holds it, and the interval. */
void
sonde_profile_set_latency_probe (SondeProfile              *self,
                                 const SondeProfileMessage *message,
                                 const char                *reply_path,
                                 guint                      interval_s)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (message_equal (self->probe, message) && g_strcmp0 (self->probe_path, reply_path) == 0 &&
      self->probe_interval_s == interval_s)
    return;

  if (!message_equal (self->probe, message))
    {
      g_clear_pointer (&self->probe, sonde_profile_message_free);
      if (message != NULL)
        self->probe = sonde_profile_message_copy (message);
    }
  g_free (self->probe_path);
  self->probe_path = g_strdup (reply_path);
  self->probe_interval_s = interval_s;
  emit_changed (self);
}

void
sonde_profile_get_reconnect (SondeProfile         *self,
                             SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail (policy != NULL);

  *policy = self->reconnect;
}

void
sonde_profile_set_reconnect (SondeProfile               *self,
                             const SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail (policy != NULL);

  if (!!policy->enabled == self->reconnect.enabled &&
      policy->base_ms == self->reconnect.base_ms &&
      policy->cap_ms == self->reconnect.cap_ms &&
      policy->max_attempts == self->reconnect.max_attempts &&
      policy->min_uptime_ms == self->reconnect.min_uptime_ms)
    return;

  self->reconnect = *policy;
  self->reconnect.enabled = !!policy->enabled;
  emit_changed (self);
}

/* The messages sent, in order, after every connect and reconnect.
 * Borrowed, never NULL: do not modify it; use sonde_profile_set_on_open(). */
GPtrArray *
sonde_profile_get_on_open (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->on_open;
}

/* Takes a copy of @messages (SondeProfileMessage*; NULL for none). */
void
sonde_profile_set_on_open (SondeProfile *self,
                           GPtrArray    *messages)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (messages_equal (self->on_open, messages))
    return;

  g_ptr_array_unref (self->on_open);
  self->on_open = copy_messages (messages);
  emit_changed (self);
}

/* The saved message templates. Borrowed, never NULL: do not modify it; use
 * sonde_profile_set_templates(). */
GPtrArray *
sonde_profile_get_templates (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->templates;
}

/* Takes a copy of @messages (SondeProfileMessage*; NULL for none). */
void
sonde_profile_set_templates (SondeProfile *self,
                             GPtrArray    *messages)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (messages_equal (self->templates, messages))
    return;

  g_ptr_array_unref (self->templates);
  self->templates = copy_messages (messages);
  emit_changed (self);
}

guint
sonde_profile_get_retention_count (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->retention_count;
}

guint64
sonde_profile_get_retention_bytes (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->retention_bytes;
}

/* How many messages, and how many bytes of them, the log keeps. */
void
sonde_profile_set_retention (SondeProfile *self,
                             guint         max_count,
                             guint64       max_bytes)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->retention_count == max_count && self->retention_bytes == max_bytes)
    return;

  self->retention_count = max_count;
  self->retention_bytes = max_bytes;
  emit_changed (self);
}

/* The chart definitions, any JSON (borrowed), or NULL for none. */
JsonNode *
sonde_profile_get_charts (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->charts;
}

/* Takes a copy of @charts (NULL for none). */
void
sonde_profile_set_charts (SondeProfile *self,
                          JsonNode     *charts)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (charts == NULL || self->charts == NULL)
    {
      if (charts == self->charts)
        return;
    }
  else if (json_node_equal (charts, self->charts))
    return;

  g_clear_pointer (&self->charts, json_node_unref);
  if (charts != NULL)
    self->charts = json_node_copy (charts);
  emit_changed (self);
}

/* The notification rules (borrowed; the JSON of sonde-notifier.h), or
 * NULL for none. */
JsonNode *
sonde_profile_get_notifications (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->notifications;
}

/* Takes a copy of @rules (NULL for none). */
void
sonde_profile_set_notifications (SondeProfile *self,
                                 JsonNode     *rules)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (rules != NULL && JSON_NODE_HOLDS_NULL (rules))
    rules = NULL;
  if (rules == NULL || self->notifications == NULL)
    {
      if (rules == self->notifications)
        return;
    }
  else if (json_node_equal (rules, self->notifications))
    return;

  g_clear_pointer (&self->notifications, json_node_unref);
  if (rules != NULL)
    self->notifications = json_node_copy (rules);
  emit_changed (self);
}

/* Everything that would stop the profile from connecting as meant, one
 * SondeProfileProblem per field (free func sonde_profile_problem_free),
 * in the order of the editor; empty when all is well, never NULL. Fields:
 * "name", "url", "headers[i]", "protocols[i]", "origin", "max-frame-size",
 * "auth-username", "auth-key-name", "tls-pinned-sha256", "proxy",
 * "pong-timeout", "heartbeat", "heartbeat-interval", "reconnect",
 * "on-open[i]", "templates[i]", "retention-count", "retention-bytes". */
GPtrArray *
sonde_profile_validate (SondeProfile *self)
{
  GPtrArray *problems;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *auth_header;

  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_problem_free);

  {
    g_autofree char *name = g_strstrip (g_strdup (self->name));

    if (*name == '\0')
      add_problem (problems, "name", _("Give the profile a name"));
  }

  url = sonde_url_normalize (self->url, &error);
  if (url == NULL)
    add_problem (problems, "url", error->message);
  g_clear_error (&error);

  auth_header = auth_header_name (self);
  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    {
      g_autofree char *field = g_strdup_printf ("headers[%u]", i);
      const char *colon = strchr (self->headers[i], ':');

      if (!sonde_connection_check_header (self->headers[i], &error))
        {
          add_problem (problems, field, error->message);
          g_clear_error (&error);
        }
      else if (auth_header != NULL && colon != NULL)
        {
          g_autofree char *name = g_strstrip (g_strndup (self->headers[i], colon - self->headers[i]));

          if (g_ascii_strcasecmp (name, auth_header) == 0)
            add_problem_printf (problems, field,
                                _("The authentication sets the “%s” header: remove this one "
                                  "or set the authentication to None"), auth_header);
        }
    }

  for (guint i = 0; self->protocols != NULL && self->protocols[i] != NULL; i++)
    {
      if (!is_token (self->protocols[i]))
        {
          g_autofree char *field = g_strdup_printf ("protocols[%u]", i);

          add_problem_printf (problems, field,
                              _("Subprotocol “%s” is not a valid token (no spaces, commas or separators)"),
                              self->protocols[i]);
        }
    }

  if (has_control_char (self->origin))
    add_problem (problems, "origin", _("The Origin contains a line break or control character"));

  if (self->max_frame_size == 0)
    add_problem (problems, "max-frame-size",
                 _("A maximum frame size of 0 would mean no limit at all: give a size in bytes"));
  else if (self->max_frame_size > SONDE_MAX_MAX_FRAME_SIZE)
    add_problem_printf (problems, "max-frame-size",
                        _("The most Sonde accepts is %" PRIu64 " bytes (2 GiB)"),
                        SONDE_MAX_MAX_FRAME_SIZE);

  switch (self->auth_kind)
    {
    case SONDE_AUTH_BASIC:
      if (self->auth_username == NULL)
        add_problem (problems, "auth-username", _("Basic authentication needs a user name"));
      else if (strchr (self->auth_username, ':') != NULL)
        add_problem (problems, "auth-username",
                     _("A user name for basic authentication cannot contain “:”"));
      else if (has_control_char (self->auth_username))
        add_problem (problems, "auth-username",
                     _("The user name contains a line break or control character"));
      break;

    case SONDE_AUTH_API_KEY_HEADER:
      if (self->auth_key_name == NULL)
        add_problem (problems, "auth-key-name", _("Give the name of the header that carries the key"));
      else if (!is_token (self->auth_key_name))
        add_problem_printf (problems, "auth-key-name",
                            _("“%s” is not a valid header name: use letters, digits and - _ . only"),
                            self->auth_key_name);
      else
        {
          g_autofree char *header = g_strconcat (self->auth_key_name, ": x", NULL);

          if (!sonde_connection_check_header (header, &error))
            add_problem (problems, "auth-key-name", error->message);
          g_clear_error (&error);
        }
      break;

    case SONDE_AUTH_API_KEY_QUERY:
      if (self->auth_key_name == NULL)
        add_problem (problems, "auth-key-name",
                     _("Give the name of the query parameter that carries the key"));
      break;

    case SONDE_AUTH_NONE:
    case SONDE_AUTH_BEARER:
    default:
      break;
    }

  if (self->tls_policy == SONDE_TLS_PINNED)
    {
      g_autofree char *fingerprint = normalize_fingerprint (self->pinned_sha256);

      if (fingerprint == NULL)
        add_problem (problems, "tls-pinned-sha256",
                     _("A pinned certificate needs its SHA-256 fingerprint: 64 hex digits, "
                       "with or without colons"));
    }

  if (self->proxy != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->proxy, G_URI_FLAGS_NONE, NULL);
      const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        add_problem_printf (problems, "proxy",
                            _("“%s” is not a proxy URL: write it as http://host:port or "
                              "socks5://host:port"), self->proxy);
      else if (g_ascii_strcasecmp (scheme, "http") != 0 &&
               g_ascii_strcasecmp (scheme, "https") != 0 &&
               g_ascii_strcasecmp (scheme, "socks5") != 0)
        add_problem_printf (problems, "proxy",
                            _("“%s:” proxies are not supported: use http, https or socks5"), scheme);
    }

  if (self->pong_timeout_s > 0 && self->keepalive_s == 0)
    add_problem (problems, "pong-timeout",
                 _("A pong timeout needs keepalive pings: set a keepalive interval"));

  if (self->heartbeat != NULL)
    {
      validate_message (problems, "heartbeat", self->heartbeat);
      if (self->heartbeat_interval_s == 0)
        add_problem (problems, "heartbeat-interval", _("Set how often to send the heartbeat, in seconds"));
    }

  if (self->notifications != NULL)
    {
      g_autoptr(GError) rules_error = NULL;

      if (!sonde_notifier_check_rules (self->notifications, &rules_error))
        add_problem (problems, "notifications", rules_error->message);
    }

  if (self->probe != NULL)
    {
      g_autoptr(SondeJsonPath) path = NULL;
      g_autoptr(GError) path_error = NULL;

      validate_message (problems, "latency-probe", self->probe);
      if (!sonde_template_has_uuid (self->probe->body != NULL ? self->probe->body : ""))
        add_problem (problems, "latency-probe",
                     _("The latency probe must carry {{uuid}}: the reply is matched by it"));
      if (self->probe_interval_s == 0)
        add_problem (problems, "latency-interval", _("Set how often to send the latency probe, in seconds"));
      path = sonde_json_path_new (self->probe_path != NULL ? self->probe_path : "", &path_error);
      if (path == NULL)
        add_problem (problems, "latency-path", path_error->message);
    }

  if (self->reconnect.enabled)
    {
      if (self->reconnect.base_ms == 0)
        add_problem (problems, "reconnect", _("The first reconnect delay must be longer than 0 ms"));
      else if (self->reconnect.cap_ms < self->reconnect.base_ms)
        add_problem (problems, "reconnect",
                     _("The longest reconnect delay must be at least the first delay"));
    }

  for (guint i = 0; i < self->on_open->len; i++)
    {
      g_autofree char *field = g_strdup_printf ("on-open[%u]", i);

      validate_message (problems, field, g_ptr_array_index (self->on_open, i));
    }

  for (guint i = 0; i < self->templates->len; i++)
    {
      const SondeProfileMessage *message = g_ptr_array_index (self->templates, i);
      g_autofree char *field = g_strdup_printf ("templates[%u]", i);
      gboolean duplicate = FALSE;

      for (guint j = 0; j < i && message->name != NULL; j++)
        {
          const SondeProfileMessage *other = g_ptr_array_index (self->templates, j);

          duplicate |= g_strcmp0 (other->name, message->name) == 0;
        }

      if (message->name == NULL || *message->name == '\0')
        add_problem (problems, field, _("Give the template a name"));
      else if (duplicate)
        add_problem_printf (problems, field, _("Another template is already called “%s”"), message->name);
      else
        validate_message (problems, field, message);
    }

  if (self->retention_count == 0)
    add_problem (problems, "retention-count", _("The log must keep at least one message"));
  if (self->retention_bytes < MIN_RETENTION_BYTES)
    add_problem (problems, "retention-bytes", _("The log must keep at least 1 KiB of messages"));

  return problems;
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
  add_string_or_null (builder, "url", self->url);
  add_strv (builder, "headers", (const char * const *) self->headers);
  add_strv (builder, "protocols", (const char * const *) self->protocols);
  add_string_or_null (builder, "origin", self->origin);
  add_int (builder, "max_frame_size", self->max_frame_size);
  json_builder_set_member_name (builder, "deflate");
  json_builder_add_boolean_value (builder, self->deflate);

  json_builder_set_member_name (builder, "auth");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "kind", sonde_auth_kind_to_string (self->auth_kind));
  add_string_or_null (builder, "username", self->auth_username);
  add_string_or_null (builder, "key_name", self->auth_key_name);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "tls");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "policy", tls_policy_names[self->tls_policy]);
  add_string_or_null (builder, "pinned_sha256", self->pinned_sha256);
  add_string_or_null (builder, "client_certificate", self->client_certificate);
  json_builder_end_object (builder);

  add_string_or_null (builder, "proxy", self->proxy);
  add_int (builder, "keepalive_s", self->keepalive_s);
  add_int (builder, "pong_timeout_s", self->pong_timeout_s);

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
  json_builder_add_boolean_value (builder, self->reconnect.enabled);
  add_int (builder, "base_ms", self->reconnect.base_ms);
  add_int (builder, "cap_ms", self->reconnect.cap_ms);
  add_int (builder, "max_attempts", self->reconnect.max_attempts);
  add_int (builder, "min_uptime_ms", self->reconnect.min_uptime_ms);
  json_builder_end_object (builder);

  add_messages (builder, "on_open", self->on_open, FALSE);
  add_messages (builder, "templates", self->templates, TRUE);

  json_builder_set_member_name (builder, "retention");
  json_builder_begin_object (builder);
  add_int (builder, "max_count", self->retention_count);
  add_int (builder, "max_bytes", self->retention_bytes);
  json_builder_end_object (builder);

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
      !read_string (object, NULL, "url", &self->url, error) ||
      !read_strv (object, NULL, "headers", &self->headers, error) ||
      !read_strv (object, NULL, "protocols", &self->protocols, error) ||
      !read_string (object, NULL, "origin", &self->origin, error) ||
      !read_uint64 (object, NULL, "max_frame_size", G_MAXINT64, &self->max_frame_size, error) ||
      !read_boolean (object, NULL, "deflate", &self->deflate, error))
    return NULL;

  if (!read_object (object, NULL, "auth", &auth, error))
    return NULL;
  if (auth != NULL &&
      (!read_enum (auth, "auth", "kind", auth_kind_names, G_N_ELEMENTS (auth_kind_names), &auth_kind, error) ||
       !read_string (auth, "auth", "username", &self->auth_username, error) ||
       !read_string (auth, "auth", "key_name", &self->auth_key_name, error)))
    return NULL;
  self->auth_kind = (SondeAuthKind) auth_kind;

  if (!read_object (object, NULL, "tls", &tls, error))
    return NULL;
  if (tls != NULL &&
      (!read_enum (tls, "tls", "policy", tls_policy_names, G_N_ELEMENTS (tls_policy_names), &tls_policy, error) ||
       !read_string (tls, "tls", "pinned_sha256", &self->pinned_sha256, error) ||
       !read_string (tls, "tls", "client_certificate", &self->client_certificate, error)))
    return NULL;
  self->tls_policy = (SondeTlsPolicy) tls_policy;

  if (!read_string (object, NULL, "proxy", &self->proxy, error) ||
      !read_uint (object, NULL, "keepalive_s", &self->keepalive_s, error) ||
      !read_uint (object, NULL, "pong_timeout_s", &self->pong_timeout_s, error))
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
      (!read_boolean (reconnect, "reconnect", "enabled", &self->reconnect.enabled, error) ||
       !read_uint (reconnect, "reconnect", "base_ms", &self->reconnect.base_ms, error) ||
       !read_uint (reconnect, "reconnect", "cap_ms", &self->reconnect.cap_ms, error) ||
       !read_uint (reconnect, "reconnect", "max_attempts", &self->reconnect.max_attempts, error) ||
       !read_uint (reconnect, "reconnect", "min_uptime_ms", &self->reconnect.min_uptime_ms, error)))
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

  /* Optional strings hold NULL, never "". */
  replace_optional_str (&self->origin, self->origin);
  replace_optional_str (&self->auth_username, self->auth_username);
  replace_optional_str (&self->auth_key_name, self->auth_key_name);
  replace_optional_str (&self->pinned_sha256, self->pinned_sha256);
  {
    g_autofree char *fingerprint = normalize_fingerprint (self->pinned_sha256);

    if (fingerprint != NULL)
      replace_str (&self->pinned_sha256, fingerprint);
  }
  replace_optional_str (&self->client_certificate, self->client_certificate);
  replace_optional_str (&self->proxy, self->proxy);

  if (id != NULL && *id != '\0')
    {
      g_free (self->id);
      self->id = g_steal_pointer (&id);
    }

  return g_steal_pointer (&self);
}

/* Applies to @connection what the profile says about the handshake and the
 * log: the URL (with the API key added as a percent-encoded query parameter
 * for SONDE_AUTH_API_KEY_QUERY; the URL is normalized, see
 * sonde_url_normalize()), the headers plus the one the authentication
 * builds from @secret, the subprotocols, the Origin, the frame limit,
 * compression and the log's retention. Nothing is applied on error:
 * SONDE_ERROR_NO_SECRET when the authentication needs a secret and @secret
 * is NULL (or empty, except for basic), an error of sonde_url_normalize()
 * for a bad URL, SONDE_ERROR_INVALID_OPTION for a secret with a line break.
 * Error messages never contain the secret.
 *
 * Keepalive, pong timeout, heartbeat, on-open messages, reconnect, the TLS
 * pin and the proxy are not applied here. */
gboolean
sonde_profile_configure_connection (SondeProfile     *self,
                                    SondeConnection  *connection,
                                    const char       *secret,
                                    GError          **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GStrvBuilder) headers = NULL;
  g_auto(GStrv) header_list = NULL;
  g_autoptr(GTlsCertificate) client_certificate = NULL;
  g_autoptr(SondeRedactor) redactor = NULL;
  SondeMessageLog *log;
  gboolean needs_secret;

  g_return_val_if_fail (SONDE_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  needs_secret = self->auth_kind != SONDE_AUTH_NONE;

  if (needs_secret &&
      (secret == NULL || (*secret == '\0' && self->auth_kind != SONDE_AUTH_BASIC)))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_NO_SECRET,
                   _("No secret stored for this profile: its %s authentication needs one"),
                   sonde_auth_kind_to_string (self->auth_kind));
      return FALSE;
    }

  if (needs_secret && has_control_char (secret))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("The stored secret contains a line break or control character"));
      return FALSE;
    }

  if ((self->auth_kind == SONDE_AUTH_API_KEY_HEADER && !is_token (self->auth_key_name)) ||
      (self->auth_kind == SONDE_AUTH_API_KEY_QUERY && self->auth_key_name == NULL))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           self->auth_kind == SONDE_AUTH_API_KEY_HEADER
                             ? _("The API key needs a valid header name")
                             : _("The API key needs a query parameter name"));
      return FALSE;
    }

  if (self->auth_kind == SONDE_AUTH_API_KEY_QUERY)
    url = add_query_parameter (self->url, self->auth_key_name, secret, error);
  else
    url = sonde_url_normalize (self->url, error);
  if (url == NULL)
    return FALSE;

  headers = g_strv_builder_new ();
  if (self->headers != NULL)
    g_strv_builder_addv (headers, (const char **) self->headers);

  switch (self->auth_kind)
    {
    case SONDE_AUTH_BEARER:
      {
        g_autofree char *header = g_strconcat ("Authorization: Bearer ", secret, NULL);

        g_strv_builder_add (headers, header);
        break;
      }

    case SONDE_AUTH_BASIC:
      {
        g_autofree char *credentials = g_strconcat (self->auth_username != NULL ? self->auth_username : "",
                                                    ":", secret, NULL);
        g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
        g_autofree char *header = g_strconcat ("Authorization: Basic ", encoded, NULL);

        g_strv_builder_add (headers, header);
        break;
      }

    case SONDE_AUTH_API_KEY_HEADER:
      {
        g_autofree char *header = g_strconcat (self->auth_key_name, ": ", secret, NULL);

        g_strv_builder_add (headers, header);
        break;
      }

    case SONDE_AUTH_NONE:
    case SONDE_AUTH_API_KEY_QUERY:
    default:
      break;
    }

  header_list = g_strv_builder_end (headers);

  if (self->client_certificate != NULL)
    {
      client_certificate = sonde_certificate_load_client (self->client_certificate, NULL, NULL, error);
      if (client_certificate == NULL)
        return FALSE;
    }

  /* What the connection masks in everything it records: the defaults,
   * this profile's own key header or parameter, and the secret itself. */
  redactor = sonde_redactor_new ();
  if (self->auth_kind == SONDE_AUTH_API_KEY_HEADER)
    sonde_redactor_add_header (redactor, self->auth_key_name);
  if (self->auth_kind == SONDE_AUTH_API_KEY_QUERY)
    sonde_redactor_add_parameter (redactor, self->auth_key_name);
  if (needs_secret && secret != NULL && *secret != '\0')
    sonde_redactor_add_secret (redactor, secret);

  sonde_connection_set_redactor (connection, redactor);
  sonde_connection_set_keepalive (connection, self->keepalive_s);
  sonde_connection_set_pong_timeout (connection, self->pong_timeout_s);
  sonde_connection_set_reconnect (connection, &self->reconnect);
  sonde_connection_set_pinned_sha256 (connection, self->tls_policy == SONDE_TLS_PINNED ? self->pinned_sha256 : NULL);
  sonde_connection_set_client_certificate (connection, client_certificate);
  sonde_connection_set_proxy (connection, self->proxy);
  if (!sonde_connection_set_latency_probe (connection, self->probe, self->probe_path, self->probe_interval_s, error))
    return FALSE;

  sonde_connection_set_url (connection, url);
  sonde_connection_set_headers (connection, header_list[0] != NULL ? (const char * const *) header_list : NULL);
  sonde_connection_set_protocols (connection, (const char * const *) self->protocols);
  sonde_connection_set_origin (connection, self->origin);
  sonde_connection_set_max_frame_size (connection, self->max_frame_size);
  sonde_connection_set_deflate (connection, self->deflate);

  log = sonde_connection_get_log (connection);
  sonde_message_log_set_max_count (log, self->retention_count);
  sonde_message_log_set_max_bytes (log, self->retention_bytes);

  return TRUE;
}

/* A new message; @name may be NULL (on-open messages and the heartbeat have
 * none), a NULL @body is "". */
SondeProfileMessage *
sonde_profile_message_new (const char         *name,
                           SondeMessageFormat  format,
                           const char         *body)
{
  SondeProfileMessage *message = g_new0 (SondeProfileMessage, 1);

  message->name = g_strdup (name);
  message->format = format;
  message->body = g_strdup (body != NULL ? body : "");
  return message;
}

SondeProfileMessage *
sonde_profile_message_copy (const SondeProfileMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return sonde_profile_message_new (message->name, message->format, message->body);
}

void
sonde_profile_message_free (SondeProfileMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->name);
  g_free (message->body);
  g_free (message);
}

void
sonde_profile_problem_free (SondeProfileProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->field);
  g_free (problem->message);
  g_free (problem);
}

/* "none", "bearer", "basic", "api-key-header" or "api-key-query", as in
 * profile files. */
const char *
sonde_auth_kind_to_string (SondeAuthKind kind)
{
  if ((guint) kind < G_N_ELEMENTS (auth_kind_names))
    return auth_kind_names[kind];
  return NULL;
}
