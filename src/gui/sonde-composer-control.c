/* sonde-composer-control.c: the composer's Control Frames menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Send Ping…" (composer.send-ping) and "Close With Code…"
 * (composer.close-with-code) open SondePingDialog and SondeCloseDialog
 * over the window, on the composer's connection while it is open.
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include "sonde-close-dialog.h"
#include "sonde-composer-private.h"
#include "sonde-ping-dialog.h"

/* "Send Ping…" and "Close With Code…": a dialog over the window. */
static void
on_control_dialog (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeComposer *self = SONDE_COMPOSER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWindow *parent = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  GtkWidget *dialog;

  if (!sonde_composer_is_open (self))
    return;

  if (g_strcmp0 (action_name, "composer.send-ping") == 0)
    dialog = sonde_ping_dialog_new (parent, self->connection);
  else
    dialog = sonde_close_dialog_new (parent, self->connection);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
sonde_composer_control_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "composer.send-ping", NULL, on_control_dialog);
  gtk_widget_class_install_action (widget_class, "composer.close-with-code", NULL, on_control_dialog);
}
