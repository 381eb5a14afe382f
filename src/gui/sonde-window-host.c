/* sonde-window-host.c: what a window takes from its application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application (SondeApplication) implements this interface, so that the
 * window can use what outlives it (the profile store, the keyring, the
 * settings, the embedded demo feed, desktop notifications) without knowing
 * the application's type: the application includes the window, never the
 * other way round.
 */

#include "config.h"

#include "sonde-window-host.h"

G_DEFINE_INTERFACE (SondeWindowHost, sonde_window_host, GTK_TYPE_APPLICATION)

static void
sonde_window_host_default_init (SondeWindowHostInterface *iface)
{
}

SondeProfileStore *
sonde_window_host_get_store (SondeWindowHost *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW_HOST (self), NULL);

  return SONDE_WINDOW_HOST_GET_IFACE (self)->get_store (self);
}

SondeSecrets *
sonde_window_host_get_secrets (SondeWindowHost *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW_HOST (self), NULL);

  return SONDE_WINDOW_HOST_GET_IFACE (self)->get_secrets (self);
}

GSettings *
sonde_window_host_get_settings (SondeWindowHost *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW_HOST (self), NULL);

  return SONDE_WINDOW_HOST_GET_IFACE (self)->get_settings (self);
}

/* The URL of @path ("/ticker", "/sensors", "/echo") on the embedded demo
 * feed, which starts the first time it is asked for. */
char *
sonde_window_host_dup_demo_url (SondeWindowHost  *self,
                                const char       *path,
                                GError          **error)
{
  g_return_val_if_fail (SONDE_IS_WINDOW_HOST (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return SONDE_WINDOW_HOST_GET_IFACE (self)->dup_demo_url (self, path, error);
}

/* An alert of the page @uid (titled @page_title) as a desktop notification
 * that shows that page at record @seq when clicked. */
void
sonde_window_host_notify_alert (SondeWindowHost *self,
                                const char      *uid,
                                const char      *page_title,
                                const char      *title,
                                const char      *body,
                                guint64          seq)
{
  g_return_if_fail (SONDE_IS_WINDOW_HOST (self));

  SONDE_WINDOW_HOST_GET_IFACE (self)->notify_alert (self, uid, page_title, title, body, seq);
}
