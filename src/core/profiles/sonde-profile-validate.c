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
#include "sonde-integrity.h"
#include "sonde-json-path.h"
#include "sonde-notifier.h"
#include "sonde-profile-private.h"
#include "sonde-url.h"


static void
validate_message (GPtrArray                 *problems,
                  const char                *field,
                  const SondeProfileMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (!sonde_template_validate (message->body != NULL ? message->body : "", message->format, &error))
    sonde_problem_add (problems, field, error->message);
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
 * SondeProblem per field (free func sonde_problem_free),
 * in the order of the editor; empty when all is well, never NULL. Fields:
 * "name", "url", "headers[i]", "protocols[i]", "origin", "max-message-size",
 * "auth-username", "auth-key-name", "tls-pinned-sha256", "proxy",
 * "pong-timeout", "heartbeat", "heartbeat-interval", "reconnect",
 * "on-open[i]", "templates[i]", "retention-count", "retention-bytes". */
GPtrArray *
sonde_profile_validate (SondeProfile *self)
{
  GPtrArray *problems;
  g_autoptr(GError) error = NULL;
  const char *auth_header;

  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_problem_free);

  {
    g_autofree char *name = g_strstrip (g_strdup (self->name));

    if (*name == '\0')
      sonde_problem_add (problems, "name", _("Give the profile a name"));
  }

  /* The connection settings: their one validator (the pin is the
   * profile's to check, with its TLS policy, below). */
  {
    g_autoptr(SondeConnectionOptions) options = sonde_connection_options_copy (self->options);
    g_autoptr(GPtrArray) option_problems = NULL;

    g_clear_pointer (&options->pinned_sha256, g_free);
    option_problems = sonde_connection_options_validate (options);
    for (guint i = 0; i < option_problems->len; i++)
      g_ptr_array_add (problems, g_steal_pointer (&option_problems->pdata[i]));
    g_ptr_array_set_free_func (option_problems, NULL);
  }

  auth_header = auth_header_name (self);
  for (guint i = 0; self->options->headers != NULL && self->options->headers[i] != NULL; i++)
    {
      g_autofree char *field = g_strdup_printf ("headers[%u]", i);
      const char *colon = strchr (self->options->headers[i], ':');

      if (!sonde_connection_check_header (self->options->headers[i], NULL))
        continue;   /* the options' problem */
      if (auth_header != NULL && colon != NULL)
        {
          g_autofree char *name = g_strstrip (g_strndup (self->options->headers[i], colon - self->options->headers[i]));

          if (g_ascii_strcasecmp (name, auth_header) == 0)
            sonde_problem_add_printf (problems, field,
                                      _("The authentication sets the “%s” header: remove this one "
                                        "or set the authentication to None"), auth_header);
        }
    }

  switch (self->auth_kind)
    {
    case SONDE_AUTH_BASIC:
      if (self->auth_username == NULL)
        sonde_problem_add (problems, "auth-username", _("Basic authentication needs a user name"));
      else if (strchr (self->auth_username, ':') != NULL)
        sonde_problem_add (problems, "auth-username",
                           _("A user name for basic authentication cannot contain “:”"));
      else if (sonde_text_has_control_char (self->auth_username))
        sonde_problem_add (problems, "auth-username",
                           _("The user name contains a line break or control character"));
      break;

    case SONDE_AUTH_API_KEY_HEADER:
      if (self->auth_key_name == NULL)
        sonde_problem_add (problems, "auth-key-name", _("Give the name of the header that carries the key"));
      else if (!sonde_http_is_token (self->auth_key_name))
        sonde_problem_add_printf (problems, "auth-key-name",
                                  _("“%s” is not a valid header name: use letters, digits and - _ . only"),
                                  self->auth_key_name);
      else
        {
          g_autofree char *header = g_strconcat (self->auth_key_name, ": x", NULL);

          if (!sonde_connection_check_header (header, &error))
            sonde_problem_add (problems, "auth-key-name", error->message);
          g_clear_error (&error);
        }
      break;

    case SONDE_AUTH_API_KEY_QUERY:
      if (self->auth_key_name == NULL)
        sonde_problem_add (problems, "auth-key-name",
                           _("Give the name of the query parameter that carries the key"));
      break;

    case SONDE_AUTH_NONE:
    case SONDE_AUTH_BEARER:
    default:
      break;
    }

  if (self->auth_secret_env != NULL)
    {
      gboolean valid = g_ascii_isalpha (self->auth_secret_env[0]) || self->auth_secret_env[0] == '_';

      for (const char *p = self->auth_secret_env; valid && *p != '\0'; p++)
        valid = g_ascii_isalnum (*p) || *p == '_';
      if (!valid)
        sonde_problem_add_printf (problems, "auth-secret-env",
                                  _("“%s” is not an environment variable name: use letters, digits and _, "
                                    "not starting with a digit"), self->auth_secret_env);
    }

  if (self->tls_policy == SONDE_TLS_PINNED)
    {
      g_autofree char *fingerprint = sonde_profile_normalize_fingerprint (self->options->pinned_sha256);

      if (fingerprint == NULL)
        sonde_problem_add (problems, "tls-pinned-sha256",
                           _("A pinned certificate needs its SHA-256 fingerprint: 64 hex digits, "
                             "with or without colons"));
    }

  if (self->heartbeat != NULL)
    {
      validate_message (problems, "heartbeat", self->heartbeat);
      if (self->heartbeat_interval_s == 0)
        sonde_problem_add (problems, "heartbeat-interval", _("Set how often to send the heartbeat, in seconds"));
    }

  if (self->notifications != NULL)
    {
      g_autoptr(GError) rules_error = NULL;

      if (!sonde_notifier_check_rules (self->notifications, &rules_error))
        sonde_problem_add (problems, "notifications", rules_error->message);
    }

  if (self->integrity != NULL)
    {
      g_autoptr(GError) rules_error = NULL;

      if (!sonde_integrity_check_rules (self->integrity, &rules_error))
        sonde_problem_add (problems, "integrity", rules_error->message);
    }

  if (self->probe != NULL)
    {
      g_autoptr(SondeJsonPath) path = NULL;
      g_autoptr(GError) path_error = NULL;

      validate_message (problems, "latency-probe", self->probe);
      if (!sonde_template_has_uuid (self->probe->body != NULL ? self->probe->body : ""))
        sonde_problem_add (problems, "latency-probe",
                           _("The latency probe must carry {{uuid}}: the reply is matched by it"));
      if (self->probe_interval_s == 0)
        sonde_problem_add (problems, "latency-interval", _("Set how often to send the latency probe, in seconds"));
      path = sonde_json_path_new (self->probe_path != NULL ? self->probe_path : "", &path_error);
      if (path == NULL)
        sonde_problem_add (problems, "latency-path", path_error->message);
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
        sonde_problem_add (problems, field, _("Give the template a name"));
      else if (duplicate)
        sonde_problem_add_printf (problems, field, _("Another template is already called “%s”"), message->name);
      else
        validate_message (problems, field, message);
    }

  if (self->retention_count == 0)
    sonde_problem_add (problems, "retention-count", _("The log must keep at least one message"));
  if (self->retention_bytes < MIN_RETENTION_BYTES)
    sonde_problem_add (problems, "retention-bytes", _("The log must keep at least 1 KiB of messages"));

  return problems;
}

