/* sonde-connection-page.c: one connection's log, detail, composer and panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page is a view over one SondeSession (which owns the connection, the
 * log, the notifier and the charts): the connection's state in the status
 * bar, its failures in a banner that says exactly what went wrong, its log
 * in a SondeLogView beside the selected message's detail and the
 * connection panel, and a composer to send on it. What connecting means
 * (the profile applied, the secret looked up, the last connection closed
 * first) is the session's.
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

#define STATUS_REFRESH_MS 500

G_DEFINE_FINAL_TYPE (SondeConnectionPage, sonde_connection_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CONNECTION,
  PROP_TITLE,
  PROP_ACTIVE,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_waiting_banner (SondeConnectionPage *self);
static void sonde_connection_page_constructed (GObject *object);

static void
set_problem (SondeConnectionPage *self,
             const char          *problem,
             gboolean             can_retry)
{
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
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
  set_problem (self, NULL, FALSE);
  if (!sonde_session_reconnect (self->session, &error))
    set_problem (self, error->message, FALSE);
}

static void
on_enter_secret_clicked (SondeConnectionPage *self)
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

static void
on_edit_profile_clicked (SondeConnectionPage *self)
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

static void
refresh_status (SondeConnectionPage *self)
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

static gboolean
on_status_refresh (gpointer data)
{
  refresh_status (data);
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
  set_problem (self, text, TRUE);
  gtk_button_set_label (self->banner_button, _("Reconnect Now"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_button), NULL);
}

static void
on_state_changed (SondeConnectionPage *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  const char *label = NULL;

  switch (state)
    {
    case SONDE_CONNECTION_STATE_DISCONNECTED:
      break;
    case SONDE_CONNECTION_STATE_CONNECTING:
      set_problem (self, NULL, FALSE);
      break;
    case SONDE_CONNECTION_STATE_OPEN:
    case SONDE_CONNECTION_STATE_CLOSING:
      break;
    case SONDE_CONNECTION_STATE_CLOSED:
      {
        if (!sonde_session_close_was_normal (self->session))
          {
            g_autofree char *text = describe_close (self->connection);
            set_problem (self, text, TRUE);
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
            set_problem (self, text, TRUE);
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
            set_problem (self, text, TRUE);
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
  refresh_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
on_selected_changed (SondeConnectionPage *self)
{
  sonde_message_detail_set_message (self->detail, sonde_log_view_get_selected (self->log_view));
}

static void
on_pause_toggled (SondeConnectionPage *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  sonde_log_view_set_paused (self->log_view, paused);
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume the view") : _("Pause the view (capture goes on)"));
}

static void
on_log_view_paused (SondeConnectionPage *self)
{
  gtk_toggle_button_set_active (self->pause_button, sonde_log_view_get_paused (self->log_view));
}

/* The log's Frames toggle: the connection makes frame records while it
 * is on. */
static void
on_log_view_show_frames (SondeConnectionPage *self)
{
  sonde_connection_set_show_frames (self->connection, sonde_log_view_get_show_frames (self->log_view));
}

static void
on_charts_toggled (SondeConnectionPage *self)
{
  gboolean show = gtk_toggle_button_get_active (self->charts_button);

  gtk_widget_set_visible (GTK_WIDGET (self->charts), show);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->charts_button), show ? _("Hide the charts") : _("Show the charts"));
  if (show && sonde_charts_panel_get_n_charts (self->charts) == 0 && sonde_charts_panel_get_n_tiles (self->charts) == 0)
    sonde_charts_panel_focus_path (self->charts);
}

/* "Chart a Field" on a message in the detail: only the messages like it
 * (@where), or one line per value of @split, or all. */
static void
on_chart_field (SondeConnectionPage *self,
                const char          *path,
                const char          *where,
                const char          *split)
{
  g_autoptr(GError) error = NULL;

  if (!sonde_charts_panel_add_split (self->charts, path, where, split, SONDE_CHARTS_NEW_CHART, &error))
    set_problem (self, error->message, FALSE);
  else
    sonde_connection_page_show_charts (self, TRUE);
}

static void
on_alert (SondeConnectionPage *self,
          const char          *title,
          const char          *body,
          guint64              seq)
{
  g_signal_emit (self, signals[ALERT], 0, title, body, seq);
}

/* What the session reports besides the connection's state. */
static void
on_session_problem (SondeConnectionPage *self,
                    const char          *text)
{
  set_problem (self, text, FALSE);
  if (sonde_session_get_secret_missing (self->session))
    offer_secret (self);
}

/* The status bar says that the session records, and how large its
 * database has grown. */
static void
on_session_recording (SondeConnectionPage *self)
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
static void
on_session_decoder (SondeConnectionPage *self)
{
  const char *spec = sonde_session_get_decoder_spec (self->session);
  g_autofree char *words = spec != NULL ? sonde_decoder_describe (spec) : NULL;
  /* Translators: %s is a chain in words, such as "gzip-compressed JSON". */
  g_autofree char *text = words != NULL ? g_strdup_printf (_("Decoding: %s"), words) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->decoder_label), text != NULL);
  gtk_label_set_label (self->decoder_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->decoder_label), spec);
}

static void
on_recording_stopped (SondeConnectionPage *self,
                      const char          *text)
{
  set_problem (self, text, FALSE);
}

static void
on_session_title (SondeConnectionPage *self)
{
  if (self->title == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
on_reconnect_clicked (SondeConnectionPage *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_FAILED &&
      sonde_connection_get_refused_certificate (self->connection, NULL) != NULL)
    ok = sonde_session_trust_certificate (self->session, &error);
  else
    ok = sonde_session_reconnect (self->session, &error);

  if (!ok)
    set_problem (self, error->message, FALSE);
}

static void
on_banner_dismissed (SondeConnectionPage *self)
{
  set_problem (self, NULL, FALSE);
}

static guint64
messages_in (SondeConnectionPage *self)
{
  SondeStats stats;

  sonde_connection_get_stats (self->connection, &stats);
  return stats.messages_in;
}

static void
sonde_connection_page_map (GtkWidget *widget)
{
  SondeConnectionPage *self = SONDE_CONNECTION_PAGE (widget);

  GTK_WIDGET_CLASS (sonde_connection_page_parent_class)->map (widget);

  self->unread_base = messages_in (self);
  if (self->layout_handler == 0)
    self->layout_handler = g_signal_connect_object (gtk_widget_get_frame_clock (widget), "layout",
                                                    G_CALLBACK (sonde_connection_page_on_frame_layout), self, 0);

  refresh_status (self);
  if (self->status_refresh_id == 0)
    self->status_refresh_id = g_timeout_add (STATUS_REFRESH_MS, on_status_refresh, self);
}

static void
sonde_connection_page_unmap (GtkWidget *widget)
{
  SondeConnectionPage *self = SONDE_CONNECTION_PAGE (widget);

  g_clear_handle_id (&self->status_refresh_id, g_source_remove);
  self->unread_base = messages_in (self);
  if (self->layout_handler != 0)
    g_clear_signal_handler (&self->layout_handler, gtk_widget_get_frame_clock (widget));

  GTK_WIDGET_CLASS (sonde_connection_page_parent_class)->unmap (widget);
}

static void
sonde_connection_page_dispose (GObject *object)
{
  SondeConnectionPage *self = (SondeConnectionPage *) object;

  g_clear_handle_id (&self->status_refresh_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (sonde_session_get_notifier (self->session), self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_CONNECTION_PAGE);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  self->composer = NULL;

  /* The last reference to the session closes its connection (1001, going
   * away). */
  self->connection = NULL;
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sonde_connection_page_parent_class)->dispose (object);
}

static void
sonde_connection_page_finalize (GObject *object)
{
  SondeConnectionPage *self = (SondeConnectionPage *) object;

  g_free (self->title);
  g_free (self->problem);
  g_free (self->uid);

  G_OBJECT_CLASS (sonde_connection_page_parent_class)->finalize (object);
}

static void
sonde_connection_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SondeConnectionPage *self = SONDE_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_TITLE:
      g_value_set_string (value, sonde_connection_page_get_title (self));
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, sonde_connection_page_get_active (self));
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_page_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SondeConnectionPage *self = SONDE_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_TITLE:
      sonde_connection_page_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_page_class_init (SondeConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_connection_page_constructed;
  object_class->dispose = sonde_connection_page_dispose;
  object_class->finalize = sonde_connection_page_finalize;
  object_class->get_property = sonde_connection_page_get_property;
  object_class->set_property = sonde_connection_page_set_property;

  widget_class->map = sonde_connection_page_map;
  widget_class->unmap = sonde_connection_page_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SONDE_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeConnectionPage::alert:
   * @title: what happened
   * @body: the details
   * @seq: the log record it is about
   *
   * A notification rule of the page's profile fired (see SondeNotifier).
   */
  signals[ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-connection-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, rates_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, recording_box);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, recording_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, charts_button);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, banner_button);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, paned);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, log_box);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPage, side_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_pause_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_charts_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_reconnect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_dismissed);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondeconnectionpage");
}

static void
sonde_connection_page_init (SondeConnectionPage *self)
{
  static guint n_pages;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A wrapped banner never narrower than a few words: GTK 4.8 measures a
   * word-char-wrapped CJK label inconsistently at its narrowest (a
   * Gtk-CRITICAL, "Expect overlapping widgets") once the buttons beside
   * it take their room. */
  gtk_label_set_width_chars (self->banner_label, 16);

  /* The banner's buttons for a secret that is missing or refused, before
   * Reconnect. */
  self->banner_secret_button = GTK_BUTTON (gtk_button_new_with_label (_("Enter Token…")));
  self->banner_edit_button = GTK_BUTTON (gtk_button_new_with_label (_("Edit Profile…")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_secret_button),
                               _("Type the secret and connect, for this session only"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_edit_button), _("Edit the profile’s authentication"));
  gtk_widget_set_valign (GTK_WIDGET (self->banner_secret_button), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self->banner_edit_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_secret_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_edit_button), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->banner_secret_button), "suggested-action");
  g_signal_connect_swapped (self->banner_secret_button, "clicked", G_CALLBACK (on_enter_secret_clicked), self);
  g_signal_connect_swapped (self->banner_edit_button, "clicked", G_CALLBACK (on_edit_profile_clicked), self);
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->banner_button))),
                              GTK_WIDGET (self->banner_secret_button), GTK_WIDGET (self->banner_label));
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->banner_button))),
                              GTK_WIDGET (self->banner_edit_button), GTK_WIDGET (self->banner_secret_button));
  self->side_share = 1.0 / 3;
  self->uid = g_strdup_printf ("page-%u", ++n_pages);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
}

/* The views over the session, once it is known. */
static void
sonde_connection_page_constructed (GObject *object)
{
  SondeConnectionPage *self = (SondeConnectionPage *) object;

  G_OBJECT_CLASS (sonde_connection_page_parent_class)->constructed (object);

  if (self->session == NULL)
    self->session = sonde_session_new ();
  self->connection = sonde_session_get_connection (self->session);
  g_signal_connect_object (sonde_session_get_notifier (self->session), "alert",
                           G_CALLBACK (on_alert), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "problem",
                           G_CALLBACK (on_session_problem), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::title",
                           G_CALLBACK (on_session_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::recording",
                           G_CALLBACK (on_session_recording), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::recording-size",
                           G_CALLBACK (on_session_recording), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "recording-stopped",
                           G_CALLBACK (on_recording_stopped), self, G_CONNECT_SWAPPED);

  self->log_view = SONDE_LOG_VIEW (sonde_log_view_new (sonde_connection_get_log (self->connection)));
  /* Narrow: the side pane is a page of its own, behind this button. */
  self->details_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
  gtk_button_set_icon_name (GTK_BUTTON (self->details_button), "sidebar-show-right-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->details_button),
                               _("Show the message and connection details instead of the log (Ctrl+1, Ctrl+2)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->details_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Details"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->details_button), "flat");
  gtk_widget_set_valign (GTK_WIDGET (self->details_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->details_button), FALSE);
  gtk_widget_insert_before (GTK_WIDGET (self->details_button),
                            gtk_widget_get_parent (GTK_WIDGET (self->charts_button)),
                            GTK_WIDGET (self->charts_button));
  g_signal_connect_object (self->details_button, "toggled", G_CALLBACK (sonde_connection_page_on_details_toggled),
                           self, G_CONNECT_SWAPPED);

  self->charts = SONDE_CHARTS_PANEL (sonde_charts_panel_new (self->connection, sonde_session_get_feed (self->session),
                                                        sonde_session_get_charts (self->session)));
  self->log_paned = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_VERTICAL));
  gtk_widget_set_vexpand (GTK_WIDGET (self->log_paned), TRUE);
  gtk_paned_set_start_child (self->log_paned, GTK_WIDGET (self->charts));
  gtk_paned_set_end_child (self->log_paned, GTK_WIDGET (self->log_view));
  gtk_paned_set_shrink_start_child (self->log_paned, FALSE);
  gtk_paned_set_shrink_end_child (self->log_paned, FALSE);
  gtk_paned_set_position (self->log_paned, 320);
  sonde_connection_page_keep_log_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->charts), FALSE);
  self->decode_banner = SONDE_DECODE_BANNER (sonde_decode_banner_new (self->session));
  gtk_box_append (self->log_box, GTK_WIDGET (self->decode_banner));
  gtk_box_append (self->log_box, GTK_WIDGET (self->log_paned));
  self->decoder_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->decoder_label), "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->decoder_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Decoder"), -1);
  gtk_widget_insert_before (GTK_WIDGET (self->decoder_label), gtk_widget_get_parent (self->recording_box),
                            self->recording_box);
  g_signal_connect_object (self->session, "notify::decoder-spec",
                           G_CALLBACK (on_session_decoder), self, G_CONNECT_SWAPPED);
  on_session_decoder (self);

  self->detail = SONDE_MESSAGE_DETAIL (sonde_message_detail_new ());
  gtk_stack_add_titled (self->side_stack, GTK_WIDGET (self->detail), "detail", _("Message"));

  self->panel = SONDE_CONNECTION_PANEL (sonde_connection_panel_new (self->connection));
  gtk_stack_add_titled (self->side_stack, GTK_WIDGET (self->panel), "connection", _("Connection"));

  self->composer = SONDE_COMPOSER (sonde_composer_new (self->connection));
  sonde_composer_set_session (self->composer, self->session);
  gtk_widget_set_parent (GTK_WIDGET (self->composer), GTK_WIDGET (self));

  g_signal_connect_object (self->paned, "notify::max-position",
                           G_CALLBACK (sonde_connection_page_on_paned_max_position), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paned, "notify::position",
                           G_CALLBACK (sonde_connection_page_on_paned_position), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->connection, "notify::state",
                           G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail, "chart-field",
                           G_CALLBACK (on_chart_field), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log_view, "notify::selected",
                           G_CALLBACK (on_selected_changed), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->log_view, "count-text", self->count_label, "label", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->log_view, "notify::paused",
                           G_CALLBACK (on_log_view_paused), self, G_CONNECT_SWAPPED);
  sonde_log_view_set_show_frames (self->log_view, sonde_connection_get_show_frames (self->connection));
  g_signal_connect_object (self->log_view, "notify::show-frames",
                           G_CALLBACK (on_log_view_show_frames), self, G_CONNECT_SWAPPED);

  on_state_changed (self);
}

/* A page over a new session for ad-hoc URLs. */
GtkWidget *
sonde_connection_page_new (void)
{
  return g_object_new (SONDE_TYPE_CONNECTION_PAGE, NULL);
}

GtkWidget *
sonde_connection_page_new_for_session (SondeSession *session)
{
  g_return_val_if_fail (SONDE_IS_SESSION (session), NULL);

  return g_object_new (SONDE_TYPE_CONNECTION_PAGE, "session", session, NULL);
}

SondeSession *
sonde_connection_page_get_session (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->session;
}

SondeConnection *
sonde_connection_page_get_connection (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->connection;
}

SondeLogView *
sonde_connection_page_get_log_view (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->log_view;
}

SondeMessageDetail *
sonde_connection_page_get_detail (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->detail;
}

SondeComposer *
sonde_connection_page_get_composer (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->composer;
}

SondeConnectionPanel *
sonde_connection_page_get_panel (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->panel;
}

/* The tab's title: set by the window, or made from the URL. */
const char *
sonde_connection_page_get_title (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  if (self->title != NULL)
    return self->title;
  if (sonde_session_get_title (self->session) != NULL)
    return sonde_session_get_title (self->session);
  return _("New Connection");
}

void
sonde_connection_page_set_title (SondeConnectionPage *self,
                                 const char          *title)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
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

  set_problem (self, NULL, FALSE);
  if (!sonde_session_connect_url (self->session, url, &local_error))
    {
      set_problem (self, local_error->message, FALSE);
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

  set_problem (self, problem, can_retry);
}

void
sonde_connection_page_clear_log (SondeConnectionPage *self)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  sonde_log_view_clear (self->log_view);
}

void
sonde_connection_page_focus_filter (SondeConnectionPage *self)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  sonde_log_view_focus_filter (self->log_view);
}

/* Sends what the composer holds; a refusal shows under the composer. */
void
sonde_connection_page_send (SondeConnectionPage *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  if (!sonde_composer_send (self->composer, &error))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      g_debug ("not sent: %s", error->message);
    }
}

/* The status bar's text: state, then traffic. */
char *
sonde_connection_page_dup_status (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  refresh_status (self);
  return g_strdup_printf ("%s %s", gtk_label_get_label (self->state_label),
                          gtk_label_get_label (self->rates_label));
}

/* Messages that arrived while the page was not on screen. */
guint
sonde_connection_page_get_n_unread (SondeConnectionPage *self)
{
  guint64 now;

  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), 0);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    return 0;

  now = messages_in (self);
  return now > self->unread_base ? (guint) MIN (now - self->unread_base, G_MAXUINT) : 0;
}

/* The id of the profile this page was connected from, or NULL. */
const char *
sonde_connection_page_get_profile_id (SondeConnectionPage *self)
{
  SondeProfile *profile;

  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  profile = sonde_session_get_profile (self->session);
  return profile != NULL ? sonde_profile_get_id (profile) : NULL;
}

/* How much the log keeps (from the app's preferences for pages without a
 * profile). */
void
sonde_connection_page_set_retention (SondeConnectionPage *self,
                                     guint                max_count,
                                     guint64              max_bytes)
{
  SondeMessageLog *log;

  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  log = sonde_connection_get_log (self->connection);
  sonde_message_log_set_max_count (log, max_count);
  sonde_message_log_set_max_bytes (log, max_bytes);
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
      set_problem (self, error->message, FALSE);
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
  set_problem (self, NULL, FALSE);

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

SondeChartsPanel *
sonde_connection_page_get_charts (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->charts;
}

void
sonde_connection_page_show_charts (SondeConnectionPage *self,
                                   gboolean             show)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  gtk_toggle_button_set_active (self->charts_button, show);
}

/* Charts @path (of messages matching @where) in a new chart, and shows the
 * charts. */
gboolean
sonde_connection_page_chart_field (SondeConnectionPage  *self,
                                   const char           *path,
                                   const char           *where,
                                   GError              **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  if (!sonde_charts_panel_add (self->charts, path, where, SONDE_CHARTS_NEW_CHART, error))
    return FALSE;
  sonde_connection_page_show_charts (self, TRUE);
  return TRUE;
}

/* The offer to decode the messages (a SondeDecodeBanner). */
GtkWidget *
sonde_connection_page_get_decode_banner (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return GTK_WIDGET (self->decode_banner);
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

SondeNotifier *
sonde_connection_page_get_notifier (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return sonde_session_get_notifier (self->session);
}

/* Unique among the pages of the process, for a notification to find its
 * page again. */
const char *
sonde_connection_page_get_uid (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), NULL);

  return self->uid;
}

/* Shows the record @seq in the log and its detail; FALSE when the view no
 * longer holds it. */
gboolean
sonde_connection_page_show_record (SondeConnectionPage *self,
                                   guint64              seq)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  return sonde_log_view_select_seq (self->log_view, seq);
}
