/* sonde-profile-validate.c: what would stop a profile from connecting as
 * meant, field by field, for the editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-json-path.h"
#include "sonde-notifier.h"
#include "sonde-profile-private.h"
#include "sonde-url.h"

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
      if (!sonde_profile_is_token (self->protocols[i]))
        {
          g_autofree char *field = g_strdup_printf ("protocols[%u]", i);

          add_problem_printf (problems, field,
                              _("Subprotocol “%s” is not a valid token (no spaces, commas or separators)"),
                              self->protocols[i]);
        }
    }

  if (sonde_profile_has_control_char (self->origin))
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
      else if (sonde_profile_has_control_char (self->auth_username))
        add_problem (problems, "auth-username",
                     _("The user name contains a line break or control character"));
      break;

    case SONDE_AUTH_API_KEY_HEADER:
      if (self->auth_key_name == NULL)
        add_problem (problems, "auth-key-name", _("Give the name of the header that carries the key"));
      else if (!sonde_profile_is_token (self->auth_key_name))
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
      g_autofree char *fingerprint = sonde_profile_normalize_fingerprint (self->pinned_sha256);

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

