/* sonde-connection-page-status.c: a page's connection, as it drives it and
 * as it tells of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connecting from the page (a URL, a profile) and what the page says of
 * the connection: the banner (why it failed or closed, a missing or
 * refused secret to enter, a refused certificate to trust, the countdown
 * to the next attempt), the log's placeholder for each state, and the
 * status bar (state, rates, recording, decoder).
 */

#define G_LOG_DOMAIN "sonde-connection-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-connection-page-private.h"
#include "sonde-gui-util.h"
#include "sonde-text.h"

static void update_waiting_banner (SondeConnectionPage *self);

void
sonde_connection_page_set_problem (SondeConnectionPage *self,
                                   const char          *problem,
                                   gboolean             can_retry)
{
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      sonde_connection_page_notify (self, PROP_PROBLEM);
    }

  if (problem != NULL)
    gtk_label_set_label (self->banner_label, problem);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_secret_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_edit_button), FALSE);
  gtk_button_set_label (self->banner_button, _("Reconnect"));
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), can_retry);
  gtk_revealer_set_reveal_child (self->banner_revealer, problem != NULL);
}

/* A profile whose secret is missing, or was refused (HTTP 401 or 403):
 * the banner offers to enter it and to edit the profile, not only to
 * reconnect. */
static void
offer_secret (SondeConnectionPage *self)
{
  SondeProfile *profile = sonde_session_get_profile (self->session);
  SondeAuthKind kind = profile != NULL ? sonde_profile_get_auth_kind (profile) : SONDE_AUTH_NONE;

  gtk_button_set_label (self->banner_secret_button,
                        kind == SONDE_AUTH_BASIC ? _("Enter Password…") :
                        kind == SONDE_AUTH_BEARER ? _("Enter Token…") : _("Enter Key…"));
  gtk_widget_set_visible (GTK_WIDGET (self->banner_secret_button), kind != SONDE_AUTH_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_edit_button), profile != NULL);
}

static gboolean
handshake_forbidden (SondeConnection *connection)
{
  SondeHandshake *handshake = sonde_connection_get_handshake (connection);
  guint status = handshake != NULL ? sonde_handshake_get_status (handshake) : 0;

  return status == 401 || status == 403;
}

/* A refused handshake's short answer ({"error":"invalid token"}), on one
 * line, for the banner; NULL when there is none or it is long or not text
 * (the Connection panel shows it whole). */
static char *
refused_body_summary (SondeConnection *connection)
{
  SondeHandshake *handshake = sonde_connection_get_handshake (connection);
  GBytes *body = handshake != NULL ? sonde_handshake_get_response_body (handshake, NULL) : NULL;
  const char *data;
  gsize size;
  g_autofree char *stripped = NULL;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &size);
  if (size == 0 || size > 200 || !g_utf8_validate_len (data, size, NULL) || memchr (data, '\0', size) != NULL)
    return NULL;
  stripped = g_strstrip (g_strndup (data, size));
  if (*stripped == '\0')
    return NULL;
  return sonde_text_escape ((const guint8 *) stripped, strlen (stripped), SONDE_ESCAPE_NONE, 200, NULL);
}

static void
on_secret_response (AdwMessageDialog    *dialog,
                    const char          *response,
                    SondeConnectionPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "connect") != 0 || *gtk_editable_get_text (entry) == '\0')
    return;

  /* Given to the session, for as long as it lives: never to a file. */
  sonde_session_set_secret (self->session, gtk_editable_get_text (entry));
  gtk_editable_set_text (entry, "");
  sonde_connection_page_set_problem (self, NULL, FALSE);
  if (!sonde_session_reconnect (self->session, &error))
    sonde_connection_page_set_problem (self, error->message, FALSE);
}

void
sonde_connection_page_on_enter_secret_clicked (SondeConnectionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  SondeProfile *profile = sonde_session_get_profile (self->session);
  SondeAuthKind kind = profile != NULL ? sonde_profile_get_auth_kind (profile) : SONDE_AUTH_NONE;
  const char *heading = kind == SONDE_AUTH_BASIC ? _("Enter Password") :
                        kind == SONDE_AUTH_BEARER ? _("Enter Token") : _("Enter Key");
  AdwMessageDialog *dialog;
  /* A hidden GtkEntry: GTK 4.8's GtkPasswordEntry warns about itself when
   * its dialog is destroyed while it has the focus. */
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, NULL));
  adw_message_dialog_format_body (dialog,
                                  _("For “%s”, used until Sonde quits and not stored. To store it in the "
                                    "keyring, edit the profile."),
                                  profile != NULL ? sonde_profile_get_name (profile) : "");
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "connect", _("C_onnect"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "connect", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "connect");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_secret_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

void
sonde_connection_page_on_edit_profile_clicked (SondeConnectionPage *self)
{
  SondeProfile *profile = sonde_session_get_profile (self->session);

  if (profile != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-profile", "s", sonde_profile_get_id (profile));
}

static char *
describe_close (SondeConnection *connection)
{
  guint code = sonde_connection_get_close_code (connection);
  const char *reason = sonde_connection_get_close_reason (connection);
  g_autofree char *escaped = NULL;

  if (reason != NULL && *reason != '\0')
    escaped = sonde_text_escape ((const guint8 *) reason, strlen (reason), SONDE_ESCAPE_NONE, 256, NULL);

  if (escaped != NULL)
    return g_strdup_printf (_("Connection closed: %u %s — “%s”"), code, _(sonde_close_code_describe (code)), escaped);
  return g_strdup_printf (_("Connection closed: %u %s"), code, _(sonde_close_code_describe (code)));
}

static const char *
shown_url (SondeConnectionPage *self)
{
  return sonde_session_get_shown_url (self->session);
}

static void
update_placeholder (SondeConnectionPage *self)
{
  switch (sonde_connection_get_state (self->connection))
    {
    case SONDE_CONNECTION_STATE_CONNECTING:
      sonde_log_view_set_placeholder (self->log_view, _("Connecting…"), shown_url (self), NULL, NULL);
      break;
    case SONDE_CONNECTION_STATE_OPEN:
    case SONDE_CONNECTION_STATE_CLOSING:
      sonde_log_view_set_placeholder (self->log_view, _("Connected — waiting for messages"),
                                      _("Messages appear here as they arrive"), NULL, NULL);
      break;
    case SONDE_CONNECTION_STATE_WAITING:
      sonde_log_view_set_placeholder (self->log_view, _("Reconnecting…"),
                                      _("The connection dropped; the next attempt is on its way"), NULL, NULL);
      break;
    case SONDE_CONNECTION_STATE_DISCONNECTED:
    case SONDE_CONNECTION_STATE_CLOSED:
    case SONDE_CONNECTION_STATE_FAILED:
    default:
      sonde_log_view_set_placeholder (self->log_view, _("Not connected — enter a URL or pick the demo feed"),
                                      _("Type a ws:// or wss:// address above and press Connect"),
                                      _("Open the Demo Feed"), "win.open-demo");
      break;
    }
}

void
sonde_connection_page_refresh_status (SondeConnectionPage *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  SondeMessageLog *log = sonde_connection_get_log (self->connection);
  g_autofree char *in_size = NULL;
  g_autofree char *rates = NULL;
  SondeStats stats;

  sonde_connection_get_stats (self->connection, &stats);
  in_size = sonde_format_size ((guint64) (stats.bytes_in_per_s + 0.5));
  rates = g_strdup_printf (_("%'.0f msg/s ↓ · %s/s · %'.0f msg/s ↑ · %'" PRIu64 " evicted"),
                           stats.messages_in_per_s, in_size, stats.messages_out_per_s,
                           (uint64_t) sonde_message_log_get_n_evicted (log));

  update_waiting_banner (self);

  if (state == SONDE_CONNECTION_STATE_DISCONNECTED)
    gtk_label_set_label (self->rates_label, "");
  else if (g_strcmp0 (gtk_label_get_label (self->rates_label), rates) != 0)
    gtk_label_set_label (self->rates_label, rates);
}

gboolean
sonde_connection_page_on_status_refresh (gpointer data)
{
  sonde_connection_page_refresh_status (data);
  return G_SOURCE_CONTINUE;
}

/* Waiting to reconnect: why, and a countdown, with "Reconnect Now". */
static void
update_waiting_banner (SondeConnectionPage *self)
{
  gint64 at = sonde_connection_get_reconnect_at (self->connection);
  const GError *error = sonde_connection_get_error (self->connection);
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;
  double seconds;

  if (sonde_connection_get_state (self->connection) != SONDE_CONNECTION_STATE_WAITING || at == 0)
    return;

  seconds = MAX (0, (double) (at - g_get_monotonic_time ()) / G_USEC_PER_SEC);
  if (error != NULL)
    reason = g_strdup (error->message);
  else
    reason = describe_close (self->connection);

  text = g_strdup_printf (_("%s\nReconnecting in %.0f s (attempt %u)"), reason, ceil (seconds),
                          sonde_connection_get_attempt (self->connection));
  sonde_connection_page_set_problem (self, text, TRUE);
  gtk_button_set_label (self->banner_button, _("Reconnect Now"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_button), NULL);
}

void
sonde_connection_page_on_state_changed (SondeConnectionPage *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  const char *label = NULL;

  switch (state)
    {
    case SONDE_CONNECTION_STATE_DISCONNECTED:
      break;
    case SONDE_CONNECTION_STATE_CONNECTING:
      sonde_connection_page_set_problem (self, NULL, FALSE);
      break;
    case SONDE_CONNECTION_STATE_OPEN:
    case SONDE_CONNECTION_STATE_CLOSING:
      break;
    case SONDE_CONNECTION_STATE_CLOSED:
      {
        if (!sonde_session_close_was_normal (self->session))
          {
            g_autofree char *text = describe_close (self->connection);
            sonde_connection_page_set_problem (self, text, TRUE);
          }
      }
      break;
    case SONDE_CONNECTION_STATE_FAILED:
      {
        const GError *error = sonde_connection_get_error (self->connection);
        const char *description = NULL;
        const char *refused = sonde_connection_get_refused_certificate (self->connection, &description);

        if (refused != NULL)
          {
            g_autofree char *text = g_strdup_printf (_("Could not connect: %s\n%s"),
                                                     error ? error->message : _("unknown error"),
                                                     description ? description : "");
            sonde_connection_page_set_problem (self, text, TRUE);
            gtk_button_set_label (self->banner_button, _("Trust This Certificate"));
            gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_button),
                                         _("Accept only this exact certificate from now on"));
          }
        else
          {
            g_autofree char *said = refused_body_summary (self->connection);
            g_autofree char *text = said != NULL ?
              /* Translators: the first %s is why, the second what the server answered. */
              g_strdup_printf (_("Could not connect: %s\nThe server said: %s"),
                               error ? error->message : _("unknown error"), said) :
              g_strdup_printf (_("Could not connect: %s"), error ? error->message : _("unknown error"));
            sonde_connection_page_set_problem (self, text, TRUE);
            if (handshake_forbidden (self->connection))
              offer_secret (self);
          }
      }
      break;
    case SONDE_CONNECTION_STATE_WAITING:
      update_waiting_banner (self);
      break;
    default:
      g_assert_not_reached ();
    }

  sonde_state_describe (state, &label, NULL, NULL);
  sonde_state_set_css_class (GTK_WIDGET (self->state_label), state);
  gtk_label_set_label (self->state_label, label);

  update_placeholder (self);
  sonde_connection_page_refresh_status (self);
  sonde_connection_page_notify (self, PROP_ACTIVE);
}

/* What the session reports besides the connection's state. */
void
sonde_connection_page_on_session_problem (SondeConnectionPage *self,
                                          const char          *text)
{
  sonde_connection_page_set_problem (self, text, FALSE);
  if (sonde_session_get_secret_missing (self->session))
    offer_secret (self);
}

/* The status bar says that the session records, and how large its
 * database has grown. */
void
sonde_connection_page_on_session_recording (SondeConnectionPage *self)
{
  gboolean recording = sonde_session_get_recording (self->session);
  g_autofree char *size = sonde_format_size (sonde_session_get_recording_size (self->session));
  g_autofree char *path = sonde_session_dup_recording_path (self->session);
  g_autofree char *text = g_strdup_printf (_("Recording · %s"), size);
  g_autofree char *tooltip = g_strdup_printf (_("Every message is recorded into %s, for History, search "
                                                "and export"), path != NULL ? path : "");

  gtk_widget_set_visible (self->recording_box, recording);
  if (!recording)
    return;
  gtk_label_set_label (self->recording_label, sonde_session_get_recording_size (self->session) > 0
                                              ? text : _("Recording"));
  gtk_widget_set_tooltip_text (self->recording_box, tooltip);
}

/* The status bar says what messages are read as, when a decoder is set. */
void
sonde_connection_page_on_session_decoder (SondeConnectionPage *self)
{
  const char *spec = sonde_session_get_decoder_spec (self->session);
  g_autofree char *words = spec != NULL ? sonde_decoder_describe (spec) : NULL;
  /* Translators: %s is a chain in words, such as "gzip-compressed JSON". */
  g_autofree char *text = words != NULL ? g_strdup_printf (_("Decoding: %s"), words) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->decoder_label), text != NULL);
  gtk_label_set_label (self->decoder_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->decoder_label), spec);
}

void
sonde_connection_page_on_recording_stopped (SondeConnectionPage *self,
                                            const char          *text)
{
  sonde_connection_page_set_problem (self, text, FALSE);
}

void
sonde_connection_page_on_reconnect_clicked (SondeConnectionPage *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_FAILED &&
      sonde_connection_get_refused_certificate (self->connection, NULL) != NULL)
    ok = sonde_session_trust_certificate (self->session, &error);
  else
    ok = sonde_session_reconnect (self->session, &error);

  if (!ok)
    sonde_connection_page_set_problem (self, error->message, FALSE);
}

void
sonde_connection_page_on_banner_dismissed (SondeConnectionPage *self)
{
  sonde_connection_page_set_problem (self, NULL, FALSE);
}

/* Connects to @url, closing the current connection first if there is one
 * (a profile's page asked for the profile's own URL connects the profile).
 * A URL that cannot work is refused at once, with the reason in @error and
 * in the page's banner. */
gboolean
sonde_connection_page_connect_to (SondeConnectionPage  *self,
                                  const char           *url,
                                  GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  sonde_connection_page_set_problem (self, NULL, FALSE);
  if (!sonde_session_connect_url (self->session, url, &local_error))
    {
      sonde_connection_page_set_problem (self, local_error->message, FALSE);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Closes normally (1000), or gives up a handshake in progress. */
void
sonde_connection_page_disconnect (SondeConnectionPage *self)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  sonde_session_disconnect (self->session);
}

/* TRUE while connecting, open or closing. */
gboolean
sonde_connection_page_get_active (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  return sonde_session_get_active (self->session);
}

/* What the banner says, or NULL when it is hidden. */
const char *
sonde_connection_page_get_problem (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->problem;
}

void
sonde_connection_page_show_problem (SondeConnectionPage *self,
                                    const char          *problem,
                                    gboolean             can_retry)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  sonde_connection_page_set_problem (self, problem, can_retry);
}

/* The status bar's text: state, then traffic. */
char *
sonde_connection_page_dup_status (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  sonde_connection_page_refresh_status (self);
  return g_strdup_printf ("%s %s", gtk_label_get_label (self->state_label),
                          gtk_label_get_label (self->rates_label));
}

static void
on_profile_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SondeConnectionPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sonde_session_connect_finish (SONDE_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      sonde_connection_page_set_problem (self, error->message, FALSE);
      if (sonde_session_get_secret_missing (self->session))
        offer_secret (self);
    }
}

/* Connects with everything @profile says (the session applies it: see
 * sonde_session_connect_async()); the page shows its templates and charts.
 * The page's session becomes a use of @profile. */
void
sonde_connection_page_connect_profile (SondeConnectionPage *self,
                                       SondeProfile        *profile,
                                       SondeSecrets        *secrets)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));
  g_return_if_fail (SONDE_IS_PROFILE (profile));

  sonde_session_set_profile (self->session, profile);
  sonde_session_set_secrets (self->session, secrets);
  sonde_connection_page_set_title (self, NULL);
  sonde_composer_set_templates (self->composer, sonde_profile_get_templates (profile));
  sonde_connection_page_set_problem (self, NULL, FALSE);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  sonde_session_connect_async (self->session, self->cancellable, on_profile_connected, g_object_ref (self));

  if (!sonde_chart_list_is_empty (sonde_session_get_charts (self->session)))
    sonde_connection_page_show_charts (self, TRUE);
}

/* The address to show for this page: the profile's (an API key in the
 * query is not shown), or the connection's. */
const char *
sonde_connection_page_get_url (SondeConnectionPage *self)
{
  SondeProfile *profile;

  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  profile = sonde_session_get_profile (self->session);
  if (profile != NULL)
    return sonde_profile_get_url (profile);
  return sonde_connection_get_url (self->connection);
}

/* The address with its secrets masked, for tooltips and anything else
 * that shows it without the user asking to edit it. */
const char *
sonde_connection_page_get_shown_url (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return shown_url (self);
}

/* What the status bar says of the decoder ("Decoding: gzip-compressed
 * JSON"), or NULL when there is none. */
const char *
sonde_connection_page_get_decoder_text (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->decoder_label)) ? gtk_label_get_label (self->decoder_label)
                                                                    : NULL;
}
