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
 *
 * This file is the page and its views over the session; connecting from
 * the page and what it says of the connection (the banner, the status
 * bar) are sonde-connection-page-status.c, the layout
 * sonde-connection-page-layout.c.
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

static GParamSpec *properties[N_PROPS];

enum {
  ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void sonde_connection_page_constructed (GObject *object);

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
    sonde_connection_page_set_problem (self, error->message, FALSE);
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

static void
on_session_title (SondeConnectionPage *self)
{
  if (self->title == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static guint64
messages_in (SondeConnectionPage *self)
{
  SondeStats stats;

  sonde_connection_get_stats (self->connection, &stats);
  return stats.messages_in;
}

void
sonde_connection_page_notify (SondeConnectionPage *self,
                              guint                prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
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

  sonde_connection_page_refresh_status (self);
  if (self->status_refresh_id == 0)
    self->status_refresh_id = g_timeout_add (STATUS_REFRESH_MS, sonde_connection_page_on_status_refresh, self);
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
  gtk_widget_class_bind_template_callback_full (widget_class, "on_reconnect_clicked",
                                                G_CALLBACK (sonde_connection_page_on_reconnect_clicked));
  gtk_widget_class_bind_template_callback_full (widget_class, "on_banner_dismissed",
                                                G_CALLBACK (sonde_connection_page_on_banner_dismissed));

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
  g_signal_connect_swapped (self->banner_secret_button, "clicked", G_CALLBACK (sonde_connection_page_on_enter_secret_clicked), self);
  g_signal_connect_swapped (self->banner_edit_button, "clicked", G_CALLBACK (sonde_connection_page_on_edit_profile_clicked), self);
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
                           G_CALLBACK (sonde_connection_page_on_session_problem), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::title",
                           G_CALLBACK (on_session_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::recording",
                           G_CALLBACK (sonde_connection_page_on_session_recording), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::recording-size",
                           G_CALLBACK (sonde_connection_page_on_session_recording), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "recording-stopped",
                           G_CALLBACK (sonde_connection_page_on_recording_stopped), self, G_CONNECT_SWAPPED);

  self->log_view = SONDE_LOG_VIEW (sonde_log_view_new (sonde_connection_get_log (self->connection)));
  /* Messages where the feed-integrity rules found a gap, a duplicate… */
  sonde_log_view_set_integrity (self->log_view, sonde_session_get_integrity (self->session));
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
  sonde_charts_panel_set_integrity (self->charts, sonde_session_get_integrity (self->session));
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
                           G_CALLBACK (sonde_connection_page_on_session_decoder), self, G_CONNECT_SWAPPED);
  sonde_connection_page_on_session_decoder (self);

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
                           G_CALLBACK (sonde_connection_page_on_state_changed), self, G_CONNECT_SWAPPED);
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

  sonde_connection_page_on_state_changed (self);
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
