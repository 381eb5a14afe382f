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
 *
 * This file is the object and its accessors for connecting (URL, headers,
 * authentication, TLS, proxy, keepalive); what its sessions do once
 * connected is in sonde-profile-session.c; JSON, validation and
 * connecting are in sonde-profile-json.c, -validate.c and -connect.c.
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-profile-private.h"

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

const char * const sonde_profile_auth_kind_names[] = {
  [SONDE_AUTH_NONE] = "none",
  [SONDE_AUTH_BEARER] = "bearer",
  [SONDE_AUTH_BASIC] = "basic",
  [SONDE_AUTH_API_KEY_HEADER] = "api-key-header",
  [SONDE_AUTH_API_KEY_QUERY] = "api-key-query",
};

const char * const sonde_profile_tls_policy_names[] = {
  [SONDE_TLS_VERIFY] = "verify",
  [SONDE_TLS_PINNED] = "pinned",
};

/* g_set_str() arrived in GLib 2.76; our floor is 2.74. */
gboolean
sonde_profile_replace_str (char       **slot,
                           const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;

  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

/* Optional strings: "" is stored as NULL. */
gboolean
sonde_profile_replace_optional_str (char       **slot,
                                    const char  *value)
{
  return sonde_profile_replace_str (slot, (value != NULL && *value != '\0') ? value : NULL);
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

void
sonde_profile_emit_changed (SondeProfile *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A SHA-256 fingerprint as 64 lowercase hex digits, from hex digits in any
 * case with or without colons (or spaces) between the bytes; NULL when
 * @text is not one. */
char *
sonde_profile_normalize_fingerprint (const char *text)
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

static void
sonde_profile_finalize (GObject *object)
{
  SondeProfile *self = (SondeProfile *) object;

  g_free (self->id);
  g_free (self->name);
  g_clear_pointer (&self->options, sonde_connection_options_free);
  g_free (self->auth_username);
  g_free (self->auth_secret_env);
  g_free (self->auth_key_name);
  g_free (self->client_certificate);
  g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
  g_clear_pointer (&self->probe, sonde_profile_message_free);
  g_free (self->probe_path);
  g_free (self->decode);
  g_free (self->proto_descriptor);
  g_free (self->proto_type);
  g_clear_pointer (&self->app_options, sonde_app_protocol_options_free);
  g_clear_pointer (&self->on_open, g_ptr_array_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->charts, json_node_unref);
  g_clear_pointer (&self->notifications, json_node_unref);
  g_clear_pointer (&self->integrity, json_node_unref);

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
      g_value_set_string (value, self->options->url);
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
  self->options = sonde_connection_options_new ();
  self->options->url = g_strdup ("");
  self->auth_kind = SONDE_AUTH_NONE;
  self->tls_policy = SONDE_TLS_VERIFY;
  self->on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  self->retention_count = SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT;
  self->record = TRUE;
  self->app_options = sonde_app_protocol_options_new ();
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
  sonde_profile_replace_str (&copy->name, self->name);
  sonde_connection_options_free (copy->options);
  copy->options = sonde_connection_options_copy (self->options);
  copy->auth_kind = self->auth_kind;
  copy->auth_username = g_strdup (self->auth_username);
  copy->auth_secret_env = g_strdup (self->auth_secret_env);
  copy->auth_key_name = g_strdup (self->auth_key_name);
  copy->tls_policy = self->tls_policy;
  copy->client_certificate = g_strdup (self->client_certificate);
  copy->heartbeat = self->heartbeat != NULL ? sonde_profile_message_copy (self->heartbeat) : NULL;
  copy->heartbeat_interval_s = self->heartbeat_interval_s;
  copy->probe = self->probe != NULL ? sonde_profile_message_copy (self->probe) : NULL;
  copy->probe_path = g_strdup (self->probe_path);
  copy->probe_interval_s = self->probe_interval_s;
  g_ptr_array_unref (copy->on_open);
  copy->on_open = sonde_profile_copy_messages (self->on_open);
  g_ptr_array_unref (copy->templates);
  copy->templates = sonde_profile_copy_messages (self->templates);
  copy->retention_count = self->retention_count;
  copy->retention_bytes = self->retention_bytes;
  copy->record = self->record;
  copy->decode = g_strdup (self->decode);
  copy->proto_descriptor = g_strdup (self->proto_descriptor);
  copy->proto_type = g_strdup (self->proto_type);
  copy->app_kind = self->app_kind;
  sonde_app_protocol_options_free (copy->app_options);
  copy->app_options = sonde_app_protocol_options_copy (self->app_options);
  copy->charts = self->charts != NULL ? json_node_copy (self->charts) : NULL;
  copy->notifications = self->notifications != NULL ? json_node_copy (self->notifications) : NULL;
  copy->integrity = self->integrity != NULL ? json_node_copy (self->integrity) : NULL;

  return copy;
}

const SondeConnectionOptions *
sonde_profile_get_options (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->options;
}

/* Replaces the connection settings at once (a copy is kept); a NULL URL
 * is kept as "". Notifies "url" when it changed, and ::changed. */
void
sonde_profile_set_options (SondeProfile                 *self,
                           const SondeConnectionOptions *options)
{
  g_autofree char *old_url = NULL;

  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail (options != NULL);

  if (sonde_connection_options_equal (self->options, options))
    return;

  old_url = g_steal_pointer (&self->options->url);
  sonde_connection_options_free (self->options);
  self->options = sonde_connection_options_copy (options);
  if (self->options->url == NULL)
    self->options->url = g_strdup ("");
  if (g_strcmp0 (old_url, self->options->url) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  sonde_profile_emit_changed (self);
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

  if (!sonde_profile_replace_str (&self->name, name != NULL ? name : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  sonde_profile_emit_changed (self);
}

/* The URL as the user typed it; never NULL. */
const char *
sonde_profile_get_url (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->options->url;
}

void
sonde_profile_set_url (SondeProfile *self,
                       const char   *url)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (!sonde_profile_replace_str (&self->options->url, url != NULL ? url : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  sonde_profile_emit_changed (self);
}

/* "Name: value" request headers, or NULL when there are none. */
const char * const *
sonde_profile_get_headers (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return (const char * const *) self->options->headers;
}

void
sonde_profile_set_headers (SondeProfile       *self,
                           const char * const *headers)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_strv (&self->options->headers, headers))
    sonde_profile_emit_changed (self);
}

/* Subprotocols to offer, or NULL when there are none. */
const char * const *
sonde_profile_get_protocols (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return (const char * const *) self->options->protocols;
}

void
sonde_profile_set_protocols (SondeProfile       *self,
                             const char * const *protocols)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (replace_strv (&self->options->protocols, protocols))
    sonde_profile_emit_changed (self);
}

/* NULL when unset ("" is stored as NULL). */
const char *
sonde_profile_get_origin (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->options->origin;
}

void
sonde_profile_set_origin (SondeProfile *self,
                          const char   *origin)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (sonde_profile_replace_optional_str (&self->options->origin, origin))
    sonde_profile_emit_changed (self);
}

guint64
sonde_profile_get_max_message_size (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->options->max_message_size;
}

void
sonde_profile_set_max_message_size (SondeProfile *self,
                                    guint64       size)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->options->max_message_size == size)
    return;

  self->options->max_message_size = size;
  sonde_profile_emit_changed (self);
}

gboolean
sonde_profile_get_deflate (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), FALSE);

  return self->options->deflate;
}

void
sonde_profile_set_deflate (SondeProfile *self,
                           gboolean      deflate)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  deflate = !!deflate;
  if (self->options->deflate == deflate)
    return;

  self->options->deflate = deflate;
  sonde_profile_emit_changed (self);
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
  g_return_if_fail ((guint) kind < G_N_ELEMENTS (sonde_profile_auth_kind_names));

  if (self->auth_kind == kind)
    return;

  self->auth_kind = kind;
  sonde_profile_emit_changed (self);
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

  if (sonde_profile_replace_optional_str (&self->auth_username, username))
    sonde_profile_emit_changed (self);
}

const char *
sonde_profile_get_auth_secret_env (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->auth_secret_env;
}

void
sonde_profile_set_auth_secret_env (SondeProfile *self,
                                   const char   *name)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (sonde_profile_replace_optional_str (&self->auth_secret_env, name))
    sonde_profile_emit_changed (self);
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

  if (sonde_profile_replace_optional_str (&self->auth_key_name, name))
    sonde_profile_emit_changed (self);
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
  g_return_if_fail ((guint) policy < G_N_ELEMENTS (sonde_profile_tls_policy_names));

  if (self->tls_policy == policy)
    return;

  self->tls_policy = policy;
  sonde_profile_emit_changed (self);
}

/* The pinned fingerprint: 64 lowercase hex digits once it is valid, or
 * what was set while it is not (sonde_profile_validate() says what is
 * wrong); NULL when unset. */
const char *
sonde_profile_get_pinned_sha256 (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->options->pinned_sha256;
}

/* Takes a SHA-256 fingerprint in hex, in any case, with or without colons
 * between the bytes; a valid one is stored normalized. */
void
sonde_profile_set_pinned_sha256 (SondeProfile *self,
                                 const char   *fingerprint)
{
  g_autofree char *normalized = NULL;

  g_return_if_fail (SONDE_IS_PROFILE (self));

  normalized = sonde_profile_normalize_fingerprint (fingerprint);
  if (sonde_profile_replace_optional_str (&self->options->pinned_sha256, normalized != NULL ? normalized : fingerprint))
    sonde_profile_emit_changed (self);
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

  if (sonde_profile_replace_optional_str (&self->client_certificate, path))
    sonde_profile_emit_changed (self);
}

/* An http://, https:// or socks5:// proxy URL; NULL for the system's. */
const char *
sonde_profile_get_proxy (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->options->proxy;
}

void
sonde_profile_set_proxy (SondeProfile *self,
                         const char   *proxy_url)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (sonde_profile_replace_optional_str (&self->options->proxy, proxy_url))
    sonde_profile_emit_changed (self);
}

/* Seconds between WebSocket pings; 0 for none. */
guint
sonde_profile_get_keepalive (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->options->keepalive_s;
}

void
sonde_profile_set_keepalive (SondeProfile *self,
                             guint         seconds)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->options->keepalive_s == seconds)
    return;

  self->options->keepalive_s = seconds;
  sonde_profile_emit_changed (self);
}

/* Seconds to wait for a pong before the link counts as dead; 0 for no
 * limit. Needs a keepalive. */
guint
sonde_profile_get_pong_timeout (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->options->pong_timeout_s;
}

void
sonde_profile_set_pong_timeout (SondeProfile *self,
                                guint         seconds)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->options->pong_timeout_s == seconds)
    return;

  self->options->pong_timeout_s = seconds;
  sonde_profile_emit_changed (self);
}

/* "none", "bearer", "basic", "api-key-header" or "api-key-query", as in
 * profile files. */
const char *
sonde_auth_kind_to_string (SondeAuthKind kind)
{
  if ((guint) kind < G_N_ELEMENTS (sonde_profile_auth_kind_names))
    return sonde_profile_auth_kind_names[kind];
  return NULL;
}
