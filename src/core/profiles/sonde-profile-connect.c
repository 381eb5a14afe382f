/* sonde-profile-connect.c: a profile applied to a connection, with its
 * secret
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-profile-private.h"
#include "sonde-redactor.h"
#include "sonde-url.h"

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
 * Liveness (keepalive, pong timeout, heartbeat, latency probe), the on-open
 * messages, reconnect, the TLS pin, the client certificate and the proxy
 * are applied too: this is the one place a profile becomes a connection.
 * (SondeSession calls it; the notification rules and charts, which are
 * not the connection's, are applied by the session.) */
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
  g_autoptr(SondeConnectionOptions) options = NULL;
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

  if (needs_secret && sonde_text_has_control_char (secret))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("The stored secret contains a line break or control character"));
      return FALSE;
    }

  if ((self->auth_kind == SONDE_AUTH_API_KEY_HEADER && !sonde_http_is_token (self->auth_key_name)) ||
      (self->auth_kind == SONDE_AUTH_API_KEY_QUERY && self->auth_key_name == NULL))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           self->auth_kind == SONDE_AUTH_API_KEY_HEADER
                             ? _("The API key needs a valid header name")
                             : _("The API key needs a query parameter name"));
      return FALSE;
    }

  if (self->auth_kind == SONDE_AUTH_API_KEY_QUERY)
    url = add_query_parameter (self->options->url, self->auth_key_name, secret, error);
  else
    url = sonde_url_normalize (self->options->url, error);
  if (url == NULL)
    return FALSE;

  headers = g_strv_builder_new ();
  if (self->options->headers != NULL)
    g_strv_builder_addv (headers, (const char **) self->options->headers);

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
  if (!sonde_connection_set_latency_probe (connection, self->probe, self->probe_path, self->probe_interval_s, error))
    return FALSE;

  /* The profile's connection settings, with the URL and headers the
   * authentication makes, and the pin only while the policy pins. */
  options = sonde_connection_options_copy (self->options);
  g_free (options->url);
  options->url = g_steal_pointer (&url);
  g_strfreev (options->headers);
  options->headers = header_list[0] != NULL ? g_steal_pointer (&header_list) : NULL;
  if (self->tls_policy != SONDE_TLS_PINNED)
    g_clear_pointer (&options->pinned_sha256, g_free);
  sonde_connection_set_options (connection, options);
  sonde_connection_set_client_certificate (connection, client_certificate);
  sonde_connection_set_on_open (connection, self->on_open);
  sonde_connection_set_heartbeat (connection, self->heartbeat, self->heartbeat_interval_s);

  log = sonde_connection_get_log (connection);
  sonde_message_log_set_max_count (log, self->retention_count);
  sonde_message_log_set_max_bytes (log, self->retention_bytes);

  return TRUE;
}

