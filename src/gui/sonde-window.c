/* sonde-window.c: the main window, a tab per connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The header bar holds the server URL and Connect/Disconnect for the tab in
 * front; each tab is a SondeConnectionPage. Window actions (connect, focus
 * the URL, filter, clear, send) act on the current page.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-gui-util.h"
#include "sonde-sidebar.h"
#include "sonde-window-private.h"

G_DEFINE_FINAL_TYPE (SondeWindow, sonde_window, ADW_TYPE_APPLICATION_WINDOW)

void
sonde_window_show_toast (SondeWindow *self,
                         const char  *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
url_is_current (SondeWindow *self)
{
  g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_entry))));
  const char *url;

  if (self->current == NULL)
    return FALSE;

  url = sonde_connection_page_get_url (self->current);
  return g_strcmp0 (typed, url) == 0;
}

static void
update_connect_button (SondeWindow *self)
{
  gboolean active = self->current != NULL && sonde_connection_page_get_active (self->current);
  gboolean disconnect = active && url_is_current (self);

  gtk_button_set_label (self->connect_button, disconnect ? _("Disconnect") : _("Connect"));
  if (disconnect)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->connect_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->connect_button), "destructive-action");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_button), _("Close the connection (1000, normal closure)"));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->connect_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->connect_button), "suggested-action");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_button), _("Connect to the server URL"));
    }
}

static void
sync_tab (SondeWindow         *self,
          SondeConnectionPage *page)
{
  AdwTabPage *tab = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (page));
  SondeConnectionState state = sonde_connection_get_state (sonde_connection_page_get_connection (page));
  const char *icon = NULL;
  g_autoptr(GIcon) gicon = NULL;

  if (tab == NULL)
    return;

  sonde_state_describe (state, NULL, &icon, NULL);
  gicon = icon != NULL ? g_themed_icon_new (icon) : NULL;
  adw_tab_page_set_title (tab, sonde_connection_page_get_title (page));
  /* The tooltip is markup: a URL is text (an & in a query, or a tag). */
  {
    const char *url = sonde_connection_page_get_shown_url (page);
    g_autofree char *escaped = url != NULL ? g_markup_escape_text (url, -1) : NULL;

    adw_tab_page_set_tooltip (tab, escaped);
  }
  adw_tab_page_set_loading (tab, state == SONDE_CONNECTION_STATE_CONNECTING);
  adw_tab_page_set_indicator_icon (tab, gicon);
  adw_tab_page_set_needs_attention (tab, state == SONDE_CONNECTION_STATE_FAILED);
}

/* The one place that decides which window actions can run (a disabled
 * action's shortcut does nothing): it is called whenever the tab in front
 * or what its composer can do changes. */
static void
update_actions (SondeWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  SondeComposer *composer = self->current != NULL ? sonde_connection_page_get_composer (self->current) : NULL;
  gboolean has_page = self->current != NULL;

  gtk_widget_action_set_enabled (widget, "win.send", composer != NULL && sonde_composer_get_can_send (composer));
  gtk_widget_action_set_enabled (widget, "win.filter", has_page);
  gtk_widget_action_set_enabled (widget, "win.clear-log", has_page);
  gtk_widget_action_set_enabled (widget, "win.export-log", has_page);
  gtk_widget_action_set_enabled (widget, "win.close-tab", has_page);
  sonde_window_page_actions_update (self);
}

static void
on_page_changed (SondeConnectionPage *page,
                 GParamSpec          *pspec,
                 SondeWindow         *self)
{
  sync_tab (self, page);
  if (page == self->current)
    update_connect_button (self);
}

static void
show_page_url (SondeWindow *self)
{
  const char *url = NULL;

  if (self->current != NULL)
    url = sonde_connection_page_get_url (self->current);

  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url ? url : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");
}

static void
on_selected_page_changed (SondeWindow *self)
{
  AdwTabPage *tab = adw_tab_view_get_selected_page (self->tab_view);

  GtkWidget *child = tab != NULL ? adw_tab_page_get_child (tab) : NULL;

  /* A History tab or a recorded session is no connection. */
  self->current = SONDE_IS_CONNECTION_PAGE (child) ? SONDE_CONNECTION_PAGE (child) : NULL;
  show_page_url (self);
  sonde_window_adhoc_sync (self);
  update_connect_button (self);
  update_actions (self);
}

static gboolean
connect_current (SondeWindow *self,
                 const char  *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (url));

  if (self->current == NULL)
    sonde_window_add_page (self);

  if (!sonde_connection_page_connect_to (self->current, trimmed, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->url_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_entry), error->message);
      sonde_window_show_toast (self, error->message);
      return FALSE;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_entry),
                               _("WebSocket server address (Ctrl+L); Enter connects"));
  if (g_strcmp0 (trimmed, url) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->url_entry), trimmed);
  update_connect_button (self);
  return TRUE;
}

static void
on_url_activate (SondeWindow *self)
{
  connect_current (self, gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));
}

static void
on_url_changed (SondeWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");
  update_connect_button (self);
}

static void
on_connect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL && sonde_connection_page_get_active (self->current) && url_is_current (self))
    {
      sonde_connection_page_disconnect (self->current);
      return;
    }

  connect_current (self, gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));
}

static void
on_focus_url_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->url_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->url_entry), 0, -1);
}

static void
on_filter_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL)
    sonde_connection_page_focus_filter (self->current);
}

static void
on_clear_log_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL)
    sonde_connection_page_clear_log (self->current);
}

static void
on_export_log_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  sonde_window_export_log (SONDE_WINDOW (widget));
}

static void
on_send_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL)
    sonde_connection_page_send (self->current);
}

static void
on_new_tab_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  sonde_window_add_page (self);
  on_focus_url_action (widget, NULL, NULL);
}

static void
on_close_tab_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  AdwTabPage *tab = adw_tab_view_get_selected_page (self->tab_view);

  if (tab != NULL)
    adw_tab_view_close_page (self->tab_view, tab);
}

static void
on_open_demo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  sonde_window_open_demo (SONDE_WINDOW (widget));
}

static gboolean
on_close_page (SondeWindow *self,
               AdwTabPage  *tab)
{
  adw_tab_view_close_page_finish (self->tab_view, tab, TRUE);

  /* The window always has a page to type a URL into. */
  if (adw_tab_view_get_n_pages (self->tab_view) == 0)
    sonde_window_add_page (self);

  return GDK_EVENT_STOP;
}

static void
on_toggle_sidebar_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* Window size and the open connections, for the next start; profiles
 * written now rather than in a moment. FALSE (and the window says so)
 * when the profiles could not be written. */
gboolean
sonde_window_save_state (SondeWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);

  if (self->settings != NULL)
    {
      g_autoptr(GPtrArray) session = g_ptr_array_new_with_free_func (g_free);
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

      for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
        {
          GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));
          SondeConnectionPage *page;
          const char *url;

          if (!SONDE_IS_CONNECTION_PAGE (child))
            continue;
          page = SONDE_CONNECTION_PAGE (child);
          url = sonde_connection_page_get_url (page);
          if (!sonde_connection_page_get_active (page))
            continue;
          if (sonde_connection_page_get_profile_id (page) != NULL)
            g_ptr_array_add (session, g_strdup (sonde_connection_page_get_profile_id (page)));
          /* An address with a secret in it (a token in the query) is not
           * written to the settings: a profile keeps it in the keyring. */
          else if (url != NULL && !sonde_session_get_demo (sonde_connection_page_get_session (page)) &&
                   g_strcmp0 (url, sonde_connection_page_get_shown_url (page)) == 0)
            g_ptr_array_add (session, g_strconcat ("url:", url, NULL));
        }
      g_ptr_array_add (session, NULL);
      g_settings_set_strv (self->settings, "session", (const char * const *) session->pdata);
    }

  if (self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_profile_store_flush (self->store, &error))
        {
          /* Translators: why the profiles file could not be written (it names the file). */
          g_autofree char *text = g_strdup_printf (_("Profiles not saved: %s. Free some disk space or make that "
                                                     "folder writable; Sonde tries again at the next change."),
                                                   error->message);

          g_debug ("Profiles not saved: %s", error->message);
          sonde_gui_show_failure (GTK_WIDGET (self), text);
          return FALSE;
        }
    }
  return TRUE;
}

static void
on_unsaved_close_response (AdwMessageDialog *dialog,
                           const char       *response,
                           SondeWindow      *self)
{
  if (g_strcmp0 (response, "close") == 0)
    {
      self->close_unsaved = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

/* The profiles could not be written as the window closes: the user
 * chooses between fixing that first and losing the latest changes. */
static void
ask_close_unsaved (SondeWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Profiles Not Saved"),
                                              _("Closing now loses the latest changes to your profiles. "
                                                "Free some disk space or make the folder writable, then "
                                                "close the window again."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep Window Open"),
                                    "close", _("_Close Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unsaved_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
sonde_window_close_request (GtkWindow *window)
{
  SondeWindow *self = SONDE_WINDOW (window);

  /* Live connections: ask whether to keep monitoring. */
  if (sonde_window_background_close_request (self))
    return TRUE;

  if (!sonde_window_save_state (self) && !self->close_unsaved)
    {
      ask_close_unsaved (self);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (sonde_window_parent_class)->close_request (window);
}

static void on_store_items_changed (SondeWindow *self);

/* What the window takes from its application (which GtkWindow's
 * "application" property, not a construct property, sets after
 * constructed()). */
static void
setup (SondeWindow     *self,
       SondeWindowHost *host)
{
  self->store = sonde_window_host_get_store (host);
  self->secrets = sonde_window_host_get_secrets (host);
  self->settings = sonde_window_host_get_settings (host);

  self->sidebar = sonde_sidebar_new (self->store, self->tab_view);
  gtk_widget_set_vexpand (self->sidebar, TRUE);
  gtk_box_append (self->sidebar_box, self->sidebar);
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (on_store_items_changed),
                           self, G_CONNECT_SWAPPED);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
sonde_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SONDE_TYPE_WINDOW);

  G_OBJECT_CLASS (sonde_window_parent_class)->dispose (object);
}

static void
sonde_window_class_init (SondeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sonde_window_dispose;
  window_class->close_request = sonde_window_close_request;

  g_type_ensure (SONDE_TYPE_CONNECTION_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, url_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, SondeWindow, sidebar_box);
  gtk_widget_class_bind_template_callback (widget_class, on_url_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_url_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_close_page);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, on_connect_action);
  gtk_widget_class_install_action (widget_class, "win.focus-url", NULL, on_focus_url_action);
  gtk_widget_class_install_action (widget_class, "win.filter", NULL, on_filter_action);
  gtk_widget_class_install_action (widget_class, "win.clear-log", NULL, on_clear_log_action);
  gtk_widget_class_install_action (widget_class, "win.export-log", NULL, on_export_log_action);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, on_send_action);
  gtk_widget_class_install_action (widget_class, "win.new-tab", NULL, on_new_tab_action);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL, on_close_tab_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, on_open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, on_toggle_sidebar_action);

  sonde_window_profiles_class_init (widget_class);
  sonde_window_page_actions_class_init (widget_class);
  sonde_window_history_class_init (widget_class);
}

static void
sonde_window_init (SondeWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sonde_window_adhoc_init (self);
  sonde_window_background_init (self);
  sonde_window_page_actions_init (self);
  update_actions (self);

  if (g_str_has_suffix (APPLICATION_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

SondeWindow *
sonde_window_new (SondeWindowHost *host)
{
  SondeWindow *self;

  g_return_val_if_fail (SONDE_IS_WINDOW_HOST (host), NULL);

  self = g_object_new (SONDE_TYPE_WINDOW, "application", host, NULL);
  setup (self, host);
  return self;
}

SondeConnectionPage *
sonde_window_get_current_page (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  return self->current;
}

/* A session changed its profile (its charts, a trusted certificate): the
 * profiles are saved. */
static void
on_session_profile_changed (SondeWindow *self)
{
  if (self->store != NULL)
    sonde_profile_store_save_soon (self->store);
}

/* The editor puts a new object in the store for the profile it saved: the
 * sessions of that profile follow it, so that their next connect uses what
 * was saved. */
static void
on_store_items_changed (SondeWindow *self)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));
      SondeSession *session;
      SondeProfile *profile;
      SondeProfile *stored;

      if (!SONDE_IS_CONNECTION_PAGE (child))
        continue;
      session = sonde_connection_page_get_session (SONDE_CONNECTION_PAGE (child));
      profile = sonde_session_get_profile (session);
      stored = profile != NULL ? sonde_profile_store_lookup (self->store, sonde_profile_get_id (profile)) : NULL;
      if (stored != NULL && stored != profile)
        sonde_session_set_profile (session, stored);
    }
}

/* The tab of @session, or NULL. */
static SondeConnectionPage *
find_page (SondeWindow  *self,
           const char   *profile_id)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (SONDE_IS_CONNECTION_PAGE (child) &&
          g_strcmp0 (sonde_connection_page_get_profile_id (SONDE_CONNECTION_PAGE (child)), profile_id) == 0)
        return SONDE_CONNECTION_PAGE (child);
    }
  return NULL;
}

/* The open tab of @profile (at most one per profile), or NULL. */
SondeConnectionPage *
sonde_window_find_profile_page (SondeWindow  *self,
                                SondeProfile *profile)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SONDE_IS_PROFILE (profile), NULL);

  return find_page (self, sonde_profile_get_id (profile));
}

/* Brings @page to the front. */
void
sonde_window_focus_page (SondeWindow         *self,
                         SondeConnectionPage *page)
{
  g_return_if_fail (SONDE_IS_WINDOW (self));

  adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_page (self->tab_view, GTK_WIDGET (page)));
}

/* Adds an empty tab and brings it to the front. */
SondeConnectionPage *
sonde_window_add_page (SondeWindow *self)
{
  g_autoptr(SondeSession) session = sonde_session_new ();

  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  return sonde_window_add_session (self, session);
}

/* Adds a tab over @session and brings it to the front. */
SondeConnectionPage *
sonde_window_add_session (SondeWindow  *self,
                          SondeSession *session)
{
  GtkWidget *page;
  AdwTabPage *tab;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SONDE_IS_SESSION (session), NULL);

  page = sonde_connection_page_new_for_session (session);
  sonde_window_adhoc_new_session (self, session);
  g_signal_connect_object (session, "profile-changed", G_CALLBACK (on_session_profile_changed),
                           self, G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    sonde_connection_page_set_retention (SONDE_CONNECTION_PAGE (page),
                                         g_settings_get_uint (self->settings, "default-retention-count"),
                                         (guint64) g_settings_get_uint (self->settings, "default-retention-megabytes")
                                         * 1024 * 1024);
  tab = adw_tab_view_append (self->tab_view, page);
  g_signal_connect_object (page, "notify::title", G_CALLBACK (on_page_changed), self, 0);
  g_signal_connect_object (page, "notify::active", G_CALLBACK (on_page_changed), self, 0);
  g_signal_connect_object (page, "alert", G_CALLBACK (sonde_window_on_page_alert), self, 0);
  g_signal_connect_object (sonde_connection_page_get_composer (SONDE_CONNECTION_PAGE (page)), "notify::can-send",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  sync_tab (self, SONDE_CONNECTION_PAGE (page));
  adw_tab_view_set_selected_page (self->tab_view, tab);

  return SONDE_CONNECTION_PAGE (page);
}

/* Connects to @url: in the current tab if it has never been used, else in
 * a new one. Returns FALSE (and says why) when the URL cannot work. */
gboolean
sonde_window_open_url (SondeWindow *self,
                       const char  *url)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), FALSE);

  if (self->current == NULL ||
      sonde_connection_get_url (sonde_connection_page_get_connection (self->current)) != NULL)
    sonde_window_add_page (self);

  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url);
  return connect_current (self, url);
}

/* Opens the embedded demo ticker in a tab: live data from the first second. */
gboolean
sonde_window_open_demo (SondeWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), FALSE);

  url = sonde_window_host_dup_demo_url (SONDE_WINDOW_HOST (app), "/ticker", &error);
  if (url == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The demo feed could not start: %s"), error->message);

      if (self->current == NULL)
        sonde_window_add_page (self);
      sonde_connection_page_show_problem (self->current, text, FALSE);
      sonde_window_show_toast (self, text);
      return FALSE;
    }

  {
    g_autoptr(SondeSession) session = sonde_session_new_demo ();
    SondeConnectionPage *unused = self->current;

    /* The demo takes the place of a tab never used. */
    if (unused != NULL && sonde_connection_get_url (sonde_connection_page_get_connection (unused)) != NULL)
      unused = NULL;
    sonde_window_add_session (self, session);
    if (unused != NULL)
      adw_tab_view_close_page (self->tab_view, adw_tab_view_get_page (self->tab_view, GTK_WIDGET (unused)));
  }

  sonde_connection_page_set_title (self->current, _("Demo ticker"));
  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url);
  if (!connect_current (self, url))
    return FALSE;

  /* A newcomer sees a moving chart at once. */
  sonde_connection_page_chart_field (self->current, "$.price", "$.sym == \"ABC\"", NULL);
  return TRUE;
}

guint
sonde_window_get_n_pages (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), 0);

  return (guint) adw_tab_view_get_n_pages (self->tab_view);
}

/* Reopens the connections open when Sonde was last closed (when the
 * preferences say so). Returns whether it opened any. */
gboolean
sonde_window_restore_session (SondeWindow *self)
{
  g_auto(GStrv) session = NULL;
  gboolean opened = FALSE;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), FALSE);

  if (!g_settings_get_boolean (self->settings, "restore-session"))
    return FALSE;

  session = g_settings_get_strv (self->settings, "session");
  for (guint i = 0; session[i] != NULL; i++)
    {
      if (g_str_has_prefix (session[i], "url:"))
        opened |= sonde_window_open_url (self, session[i] + strlen ("url:"));
      else
        {
          SondeProfile *profile = sonde_profile_store_lookup (self->store, session[i]);

          if (profile != NULL)
            {
              sonde_window_connect_profile (self, profile);
              opened = TRUE;
            }
        }
    }

  return opened;
}
