/* sonde-session-connect.c: how a session connects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connecting a profile: validate it, get its secret (the value given with
 * sonde_session_set_secret(), else the keyring), apply it to the connection
 * (sonde_profile_configure_connection(): every setting of the connection),
 * then the rules and charts that are the session's own, then connect. A
 * connect asked for while the last connection is still going closes it
 * first and connects once it has ended, so that the log holds both.
 */

#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-session-private.h"
#include "sonde-url.h"

/* The profile applied: the connection's settings, then the session's own
 * (notification rules, the latency chart). */
static gboolean
apply_profile (SondeSession  *self,
               const char    *secret,
               GError       **error)
{
  SondeProfile *profile = self->profile;
  g_autoptr(GError) local_error = NULL;

  if (!sonde_profile_configure_connection (profile, self->connection, secret, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not connect with “%s”: %s"), sonde_profile_get_name (profile), local_error->message);
      return FALSE;
    }

  if (!sonde_session_apply_profile_decoder (self, error))
    return FALSE;

  /* The protocol mode; a mode that logs in (MQTT, STOMP) takes the
   * profile's Basic username and secret. */
  {
    const SondeAppProtocolOptions *options = NULL;
    SondeAppProtocolKind kind = sonde_profile_get_app_protocol (profile, &options);
    g_autoptr(SondeAppProtocolOptions) with_login = sonde_app_protocol_options_copy (options);

    if (sonde_profile_get_auth_kind (profile) == SONDE_AUTH_BASIC)
      {
        if (with_login->username == NULL)
          with_login->username = g_strdup (sonde_profile_get_auth_username (profile));
        with_login->password = g_strdup (secret);
      }
    if (kind != sonde_session_get_app_protocol (self) || kind != SONDE_APP_PROTOCOL_NONE)
      sonde_session_set_app_protocol (self, kind, with_login);
  }

  sonde_session_record_keep_redactor (self, sonde_connection_get_redactor (self->connection));
  if (self->show_secrets)
    sonde_connection_set_redactor (self->connection, NULL);

  /* The editor refuses rules that do not parse, so only a file edited by
   * hand gets here: the connection goes on, without notifications. */
  if (!sonde_notifier_set_rules (self->notifier, sonde_profile_get_notifications (profile), &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("Notifications are off for “%s”: %s"),
                                               sonde_profile_get_name (profile), local_error->message);

      sonde_notifier_set_rules (self->notifier, NULL, NULL);
      sonde_session_report_problem (self, text);
    }
  g_clear_error (&local_error);
  if (!sonde_integrity_set_rules (sonde_notifier_get_integrity (self->notifier),
                                  sonde_profile_get_integrity (profile), &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("Feed-integrity checks are off for “%s”: %s"),
                                               sonde_profile_get_name (profile), local_error->message);

      sonde_integrity_set_rules (sonde_notifier_get_integrity (self->notifier), NULL, NULL);
      sonde_session_report_problem (self, text);
    }

  /* A latency probe: its round-trip times get a chart, the first time. */
  if (sonde_connection_get_latency_probe (self->connection))
    sonde_chart_list_offer_latency (self->charts);

  return TRUE;
}

/* Starts the connection the profile was applied to, or closes the last
 * one first. */
static gboolean
start (SondeSession  *self,
       Pending        pending,
       const char    *url,
       GError       **error)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);

  if (sonde_session_is_active_state (state))
    {
      self->pending = pending;
      g_free (self->pending_url);
      self->pending_url = g_strdup (url);
      if (state != SONDE_CONNECTION_STATE_CLOSING)
        sonde_connection_close (self->connection, 1000, NULL, NULL);
      return TRUE;
    }

  if (url != NULL)
    sonde_connection_set_url (self->connection, url);
  sonde_session_app_prepare (self);
  if (!sonde_connection_connect (self->connection, error))
    return FALSE;

  sonde_session_notify_title (self);
  return TRUE;
}

static void
finish_connect (SondeSession *self,
                GTask        *task,
                const char   *secret)
{
  g_autoptr(GError) error = NULL;

  if (!apply_profile (self, secret, &error) ||
      !start (self, PENDING_PROFILE, NULL, &error))
    {
      if (task != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        sonde_session_report_problem (self, error->message);
      return;
    }

  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SondeSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (error != NULL)
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("The keyring did not give the secret of “%s”: %s"),
                               sonde_profile_get_name (self->profile), error->message);
      return;
    }

  if (secret == NULL &&
      sonde_profile_get_auth_kind (self->profile) != SONDE_AUTH_NONE)
    {
      self->secret_missing = TRUE;   /* the window offers to enter it */
      g_task_return_new_error (task, SONDE_ERROR, SONDE_ERROR_NO_SECRET,
                               _("No secret stored for “%s”: its %s authentication needs one. "
                                 "Edit the profile to enter it"),
                               sonde_profile_get_name (self->profile),
                               sonde_auth_kind_to_string (sonde_profile_get_auth_kind (self->profile)));
      return;
    }

  finish_connect (self, task, secret);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
}

/* Validates the profile, gets its secret, applies it, connects. Errors name
 * the profile and what is missing: SONDE_ERROR_INVALID_PROFILE with the
 * first problem sonde_profile_validate() finds, SONDE_ERROR_NO_SECRET, a
 * keyring's error, or one of sonde_connection_connect(). */
void
sonde_session_connect_async (SondeSession        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  g_return_if_fail (SONDE_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_session_connect_async);
  self->secret_missing = FALSE;

  if (self->profile == NULL)
    {
      g_task_return_new_error (task, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("This connection has no profile to connect with"));
      return;
    }

  problems = sonde_profile_validate (self->profile);
  if (problems != NULL && problems->len > 0)
    {
      SondeProblem *problem = g_ptr_array_index (problems, 0);

      g_task_return_new_error (task, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                               _("The profile “%s” cannot be used: %s (%s)"),
                               sonde_profile_get_name (self->profile), problem->message, problem->field);
      return;
    }

  /* A newer connect replaces a lookup still under way. */
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);

  if (sonde_profile_get_auth_kind (self->profile) == SONDE_AUTH_NONE || self->secret != NULL)
    {
      finish_connect (self, task, self->secret);
      return;
    }

  if (self->secrets == NULL)
    {
      self->secret_missing = TRUE;   /* the window offers to enter it */
      g_task_return_new_error (task, SONDE_ERROR, SONDE_ERROR_NO_SECRET,
                               _("No keyring to get the secret of “%s” from: its %s authentication needs one"),
                               sonde_profile_get_name (self->profile),
                               sonde_auth_kind_to_string (sonde_profile_get_auth_kind (self->profile)));
      return;
    }

  self->lookup = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  sonde_secrets_lookup_async (self->secrets, sonde_profile_get_id (self->profile), self->lookup,
                              on_secret_looked_up, g_steal_pointer (&task));
}

gboolean
sonde_session_connect_finish (SondeSession  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SondeSession *self = SONDE_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!sonde_session_connect_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    sonde_session_report_problem (self, error->message);
}

/* The profile's connect, started by the session itself: a failure is
 * reported with ::problem. */
void
sonde_session_connect_profile_now (SondeSession *self)
{
  sonde_session_connect_async (self, NULL, on_connect_done, NULL);
}

/* Back to the settings of an ad-hoc connection: the defaults, with the
 * log's retention and nothing of a profile. */
static void
apply_adhoc_options (SondeSession *self)
{
  g_autoptr(SondeConnectionOptions) options = self->adhoc != NULL ? sonde_connection_options_copy (self->adhoc)
                                                                  : sonde_connection_options_new ();

  /* The address stays the one typed. */
  g_free (options->url);
  options->url = g_strdup (sonde_connection_get_url (self->connection));
  sonde_connection_set_options (self->connection, options);
}

static void
reset_connection (SondeSession *self)
{
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();

  apply_adhoc_options (self);
  sonde_connection_set_redactor (self->connection, redactor);
  sonde_session_record_keep_redactor (self, NULL);
  sonde_connection_set_client_certificate (self->connection, NULL);
  sonde_connection_set_on_open (self->connection, NULL);
  sonde_connection_set_heartbeat (self->connection, NULL, 0);
  sonde_connection_set_latency_probe (self->connection, NULL, NULL, 0, NULL);
  sonde_notifier_set_rules (self->notifier, NULL, NULL);
  sonde_integrity_set_rules (sonde_notifier_get_integrity (self->notifier), NULL, NULL);
  sonde_session_set_app_protocol (self, SONDE_APP_PROTOCOL_NONE, NULL);
}

/* What a connection to an address typed by hand connects with (headers,
 * subprotocols, reconnect…; the URL in @options is ignored); NULL: the
 * defaults. A copy is kept. Applied at once while the session is ad hoc, and
 * whenever it stops being a profile's. */
void
sonde_session_set_adhoc_options (SondeSession                 *self,
                                 const SondeConnectionOptions *options)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  g_clear_pointer (&self->adhoc, sonde_connection_options_free);
  if (options != NULL)
    self->adhoc = sonde_connection_options_copy (options);
  if (self->profile == NULL)
    apply_adhoc_options (self);
}

/* The options set with sonde_session_set_adhoc_options(), or NULL. */
const SondeConnectionOptions *
sonde_session_get_adhoc_options (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->adhoc;
}

/* Connects to @url as typed, closing the current connection first. A
 * profile's session asked for another URL is no longer the profile's; one
 * asked for the profile's own URL connects the profile (with its headers,
 * subprotocols and secret). */
gboolean
sonde_session_connect_url (SondeSession  *self,
                           const char    *url,
                           GError       **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  normalized = sonde_url_normalize (url, error);
  if (normalized == NULL)
    return FALSE;

  if (self->profile != NULL)
    {
      g_autofree char *profile_url = sonde_url_normalize (sonde_profile_get_url (self->profile), NULL);

      if (g_strcmp0 (profile_url, normalized) == 0)
        {
          sonde_session_connect_profile_now (self);
          return TRUE;
        }
      /* None of the profile's settings (its token least of all) go to an
       * address typed by hand. */
      sonde_session_set_profile (self, NULL);
      reset_connection (self);
    }

  return start (self, PENDING_URL, url, error);
}

/* Closes normally (1000), gives up a handshake in progress, or stops
 * waiting to reconnect. */
void
sonde_session_disconnect (SondeSession *self)
{
  SondeConnectionState state;

  g_return_if_fail (SONDE_IS_SESSION (self));

  self->pending = PENDING_NONE;
  g_clear_pointer (&self->pending_url, g_free);
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);

  state = sonde_connection_get_state (self->connection);
  if (sonde_session_is_active_state (state) && state != SONDE_CONNECTION_STATE_CLOSING)
    sonde_connection_close (self->connection, 1000, NULL, NULL);
}

/* The user trusts the certificate the last attempt refused: a profile's
 * session pins it in the profile (and says so with ::profile-changed), an
 * ad-hoc one on its connection; then it connects again. */
gboolean
sonde_session_trust_certificate (SondeSession  *self,
                                 GError       **error)
{
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  sha256 = g_strdup (sonde_connection_get_refused_certificate (self->connection, NULL));
  if (sha256 == NULL)
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_CERTIFICATE,
                           _("No certificate was refused: there is nothing to trust"));
      return FALSE;
    }

  if (self->profile != NULL)
    {
      sonde_profile_set_tls_policy (self->profile, SONDE_TLS_PINNED);
      sonde_profile_set_pinned_sha256 (self->profile, sha256);
      sonde_session_emit_profile_changed (self);
      return sonde_session_reconnect (self, error);
    }

  sonde_connection_set_pinned_sha256 (self->connection, sha256);
  return sonde_session_reconnect (self, error);
}

/* Connects again with what it last connected with: the profile (applied
 * anew, so an edit counts), or the same URL. Waiting to reconnect, it
 * tries now. */
gboolean
sonde_session_reconnect (SondeSession  *self,
                         GError       **error)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  if (sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_WAITING)
    return sonde_connection_reconnect_now (self->connection, error);

  if (self->profile != NULL)
    {
      sonde_session_connect_profile_now (self);
      return TRUE;
    }

  url = g_strdup (sonde_connection_get_url (self->connection));
  if (url == NULL)
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                           _("There is no address to connect to again"));
      return FALSE;
    }
  return start (self, PENDING_URL, url, error);
}
