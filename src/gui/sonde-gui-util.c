/* sonde-gui-util.c: small helpers several widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-gui-util.h"

/* The CSS classes of a state (style.css colours them). */
static const char *state_classes[] = { "open", "connecting", "failed", "closed" };

/* Names @drop_down, and the toggle button inside it: in GTK 4.8 that
 * button is what AT-SPI reaches, and it does not take the drop-down's
 * name, so a screen reader would say only "toggle button". */
void
sonde_gui_name_drop_down (GtkDropDown *drop_down,
                          const char  *name)
{
  g_return_if_fail (GTK_IS_DROP_DOWN (drop_down));
  g_return_if_fail (name != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

/* How a connection in @state is shown, everywhere the GUI shows it (the
 * status bar, the sidebar, the tab, the connection panel): a label, a
 * symbolic icon name (NULL where the state needs none: a tab shows a
 * spinner while connecting) and one of the CSS classes "open",
 * "connecting", "failed" or "closed". Each out argument may be NULL. */
void
sonde_state_describe (SondeConnectionState   state,
                      const char           **label,
                      const char           **icon,
                      const char           **css_class)
{
  const char *l = NULL;
  const char *i = NULL;
  const char *c = NULL;

  switch (state)
    {
    case SONDE_CONNECTION_STATE_CONNECTING:
      l = _("Connecting…");
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_OPEN:
      l = _("Open");
      c = "open";
      break;
    case SONDE_CONNECTION_STATE_CLOSING:
      l = _("Closing…");
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_CLOSED:
      l = _("Closed");
      c = "closed";
      break;
    case SONDE_CONNECTION_STATE_FAILED:
      l = _("Failed");
      i = "dialog-error-symbolic";
      c = "failed";
      break;
    case SONDE_CONNECTION_STATE_WAITING:
      l = _("Reconnecting…");
      i = "view-refresh-symbolic";
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_DISCONNECTED:
    default:
      l = _("Not connected");
      c = "closed";
      break;
    }

  if (label != NULL)
    *label = l;
  if (icon != NULL)
    *icon = i;
  if (css_class != NULL)
    *css_class = c;
}

/* Gives @widget the CSS class of @state and none of the others. */
void
sonde_state_set_css_class (GtkWidget            *widget,
                           SondeConnectionState  state)
{
  const char *css_class = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  sonde_state_describe (state, NULL, NULL, &css_class);
  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    {
      if (g_strcmp0 (state_classes[i], css_class) != 0)
        gtk_widget_remove_css_class (widget, state_classes[i]);
    }
  gtk_widget_add_css_class (widget, css_class);
}
