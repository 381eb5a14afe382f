/* sonde-window-page-actions.c: the window's keyboard actions on the page in front
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pause the view, focus the composer, show the Message or the Connection
 * side pane, disconnect and reconnect now: each a window action, so one
 * shortcut in the application's table works whatever has the focus, and
 * each listed in the Keyboard Shortcuts window.
 *
 * The tab view's own shortcuts must not take keys a focused text field
 * uses: Ctrl+Home and Ctrl+End (with or without Shift) move the cursor in
 * the composer and the entries, so they are not tab shortcuts here;
 * Ctrl+Page Up/Down and Alt+1…9 still switch tabs.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include "sonde-composer.h"
#include "sonde-connection-page.h"
#include "sonde-log-view.h"
#include "sonde-session.h"
#include "sonde-window-private.h"

static void
on_pause_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeLogView *log_view;

  if (self->current == NULL)
    return;

  log_view = sonde_connection_page_get_log_view (self->current);
  sonde_log_view_set_paused (log_view, !sonde_log_view_get_paused (log_view));
}

static void
on_focus_composer_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL)
    sonde_composer_focus (sonde_connection_page_get_composer (self->current));
}

/* "detail" (Message) or "connection": the side pane's stack holds the
 * message detail and the connection panel. */
static void
on_side_pane_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *pane;
  GtkWidget *stack;

  if (self->current == NULL)
    return;

  if (g_strcmp0 (name, "connection") == 0)
    pane = GTK_WIDGET (sonde_connection_page_get_panel (self->current));
  else
    pane = GTK_WIDGET (sonde_connection_page_get_detail (self->current));

  stack = gtk_widget_get_ancestor (pane, GTK_TYPE_STACK);
  if (stack == NULL)
    return;

  for (GtkWidget *child = pane; child != NULL; child = gtk_widget_get_parent (child))
    {
      if (gtk_widget_get_parent (child) == stack)
        {
          gtk_stack_set_visible_child (GTK_STACK (stack), child);
          /* A narrow page shows the side pane instead of the log. */
          sonde_connection_page_set_details_shown (self->current, TRUE);
          break;
        }
    }
}

static void
on_disconnect_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  if (self->current != NULL)
    sonde_connection_page_disconnect (self->current);
}

static void
on_reconnect_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->current == NULL)
    return;

  if (!sonde_session_reconnect (sonde_connection_page_get_session (self->current), &error))
    sonde_window_show_toast (self, error->message);
}

void
sonde_window_page_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, on_pause_action);
  gtk_widget_class_install_action (widget_class, "win.focus-composer", NULL, on_focus_composer_action);
  gtk_widget_class_install_action (widget_class, "win.side-pane", "s", on_side_pane_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect", NULL, on_disconnect_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, on_reconnect_action);
}

void
sonde_window_page_actions_init (SondeWindow *self)
{
  adw_tab_view_remove_shortcuts (self->tab_view,
                                 ADW_TAB_VIEW_SHORTCUT_CONTROL_HOME |
                                 ADW_TAB_VIEW_SHORTCUT_CONTROL_END |
                                 ADW_TAB_VIEW_SHORTCUT_CONTROL_SHIFT_HOME |
                                 ADW_TAB_VIEW_SHORTCUT_CONTROL_SHIFT_END);
}

/* Called by update_actions(): what the page in front allows. */
void
sonde_window_page_actions_update (SondeWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_page = self->current != NULL;

  gtk_widget_action_set_enabled (widget, "win.pause", has_page);
  gtk_widget_action_set_enabled (widget, "win.focus-composer", has_page);
  gtk_widget_action_set_enabled (widget, "win.side-pane", has_page);
  gtk_widget_action_set_enabled (widget, "win.disconnect", has_page);
  gtk_widget_action_set_enabled (widget, "win.reconnect", has_page);
}
