/* sonde-window-host.h: what a window takes from its application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-profile-store.h"
#include "sonde-secrets.h"

G_BEGIN_DECLS

#define SONDE_TYPE_WINDOW_HOST (sonde_window_host_get_type ())
G_DECLARE_INTERFACE (SondeWindowHost, sonde_window_host, SONDE, WINDOW_HOST, GtkApplication)

struct _SondeWindowHostInterface
{
  GTypeInterface parent_iface;

  SondeProfileStore *(*get_store)    (SondeWindowHost  *self);
  SondeSecrets      *(*get_secrets)  (SondeWindowHost  *self);
  GSettings         *(*get_settings) (SondeWindowHost  *self);
  char              *(*dup_demo_url) (SondeWindowHost  *self,
                                      const char       *path,
                                      GError          **error);
  void               (*notify_alert) (SondeWindowHost  *self,
                                      const char       *uid,
                                      const char       *page_title,
                                      const char       *title,
                                      const char       *body,
                                      guint64           seq);
};

SondeProfileStore *sonde_window_host_get_store    (SondeWindowHost  *self);
SondeSecrets      *sonde_window_host_get_secrets  (SondeWindowHost  *self);
GSettings         *sonde_window_host_get_settings (SondeWindowHost  *self);
char              *sonde_window_host_dup_demo_url (SondeWindowHost  *self,
                                                   const char       *path,
                                                   GError          **error);
void               sonde_window_host_notify_alert (SondeWindowHost  *self,
                                                   const char       *uid,
                                                   const char       *page_title,
                                                   const char       *title,
                                                   const char       *body,
                                                   guint64           seq);

G_END_DECLS
