/* sonde-window-background.c: alerts as desktop notifications, and
 * monitoring with the window closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page's notification rules fire alerts; the window turns them into
 * desktop notifications only while the user is not looking at it (it is
 * not the focused window, or it is closed to the background). Clicking one
 * brings the window back on that connection, at that message.
 *
 * Closing the window while connections are live asks whether to keep
 * monitoring: if so, the window is only hidden and the application held,
 * so the connections, their rules and their reconnects go on; launching
 * Sonde again, or a notification, shows it again.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-connection-page.h"
#include "sonde-window-private.h"

static guint
count_live (SondeWindow *self)
{
  guint n = 0;

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (SONDE_IS_CONNECTION_PAGE (child) && sonde_connection_page_get_active (SONDE_CONNECTION_PAGE (child)))
        n++;
    }
  return n;
}

/* Whether the user would miss an alert in the window. */
static gboolean
should_notify (SondeWindow *self)
{
  return !gtk_widget_get_visible (GTK_WIDGET (self)) || !gtk_window_is_active (GTK_WINDOW (self));
}

void
sonde_window_on_page_alert (SondeConnectionPage *page,
                            const char          *title,
                            const char          *body,
                            guint64              seq,
                            SondeWindow         *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL || !should_notify (self))
    return;

  sonde_window_host_notify_alert (SONDE_WINDOW_HOST (app), sonde_connection_page_get_uid (page),
                                  sonde_connection_page_get_title (page), title, body, seq);
}

/* Brings the window back with the page @uid selected, at record @seq. FALSE
 * when no page of this window has that uid. */
gboolean
sonde_window_show_record (SondeWindow *self,
                          const char  *uid,
                          guint64      seq)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), FALSE);

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      AdwTabPage *tab = adw_tab_view_get_nth_page (self->tab_view, i);
      GtkWidget *child = adw_tab_page_get_child (tab);
      SondeConnectionPage *page;

      if (!SONDE_IS_CONNECTION_PAGE (child))
        continue;
      page = SONDE_CONNECTION_PAGE (child);
      if (g_strcmp0 (sonde_connection_page_get_uid (page), uid) != 0)
        continue;

      gtk_window_present (GTK_WINDOW (self));
      adw_tab_view_set_selected_page (self->tab_view, tab);
      if (!sonde_connection_page_show_record (page, seq))
        sonde_window_show_toast (self, _("That message is no longer in the log (evicted, cleared or filtered out)"));
      return TRUE;
    }
  return FALSE;
}

/* Shown again (a notification, Sonde launched again): no longer held. */
static void
on_visible_changed (SondeWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self)) && self->in_background)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      self->in_background = FALSE;
      if (app != NULL)
        {
          g_application_withdraw_notification (app, "background");
          g_application_release (app);
        }
    }
}

void
sonde_window_go_background (SondeWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  guint n = count_live (self);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (SONDE_IS_WINDOW (self));

  if (app == NULL || self->in_background)
    return;

  /* Saved now: a session that ends (a logout) while in the background
   * comes back as it was. */
  sonde_window_save_state (self);
  self->in_background = TRUE;
  g_application_hold (app);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection stays open; its alerts come as notifications",
                                       "%u connections stay open; their alerts come as notifications", n), n);
  notification = g_notification_new (_("Sonde Is Monitoring in the Background"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.show-window");
  g_notification_add_button (notification, _("Open Sonde"), "app.show-window");
  g_notification_add_button (notification, _("Quit"), "app.quit");
  g_application_send_notification (app, "background", notification);
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   SondeWindow      *self)
{
  if (g_strcmp0 (response, "background") == 0)
    sonde_window_go_background (self);
  else if (g_strcmp0 (response, "close") == 0)
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

/* From close-request: TRUE when the window stays (a question asked, or
 * hidden to the background), FALSE to close as usual. */
gboolean
sonde_window_background_close_request (SondeWindow *self)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;
  guint n;

  if (self->close_confirmed || self->in_background)
    return FALSE;

  n = count_live (self);
  if (n == 0)
    return FALSE;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u connection is open. Sonde can keep it open with no window, "
                                       "reconnect it, and notify you of its alerts.",
                                       "%u connections are open. Sonde can keep them open with no window, "
                                       "reconnect them, and notify you of their alerts.", n), n);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Keep Monitoring in the Background?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "close", _("C_lose Connections"),
                                    "background", _("_Keep Monitoring"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "background");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* Quitting (Ctrl+Q, a notification's Quit): closes without asking. */
void
sonde_window_quit (SondeWindow *self)
{
  g_return_if_fail (SONDE_IS_WINDOW (self));

  self->close_confirmed = TRUE;
  if (self->in_background)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      self->in_background = FALSE;
      if (app != NULL)
        {
          g_application_withdraw_notification (app, "background");
          g_application_release (app);
        }
    }
  gtk_window_close (GTK_WINDOW (self));
}

void
sonde_window_background_init (SondeWindow *self)
{
  g_signal_connect (self, "notify::visible", G_CALLBACK (on_visible_changed), NULL);
}

gboolean
sonde_window_get_in_background (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), FALSE);

  return self->in_background;
}
