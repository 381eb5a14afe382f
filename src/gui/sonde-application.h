/* sonde-application.h: the Sonde desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-demo-server.h"
#include "sonde-profile-store.h"
#include "sonde-secrets.h"

G_BEGIN_DECLS

#define SONDE_TYPE_APPLICATION (sonde_application_get_type ())
G_DECLARE_FINAL_TYPE (SondeApplication, sonde_application, SONDE, APPLICATION, AdwApplication)

SondeApplication *sonde_application_new            (void);
char             *sonde_application_dup_demo_url   (SondeApplication  *self,
                                                    const char        *path,
                                                    GError           **error);
SondeProfileStore *sonde_application_get_store     (SondeApplication  *self);
SondeSecrets      *sonde_application_get_secrets   (SondeApplication  *self);
GSettings         *sonde_application_get_settings  (SondeApplication  *self);

void                sonde_application_notify_alert (SondeApplication  *self,
                                                    const char        *uid,
                                                    const char        *page_title,
                                                    const char        *title,
                                                    const char        *body,
                                                    guint64            seq);
guint               sonde_application_get_n_alerts (SondeApplication  *self,
                                                    const char       **last_title);

G_END_DECLS
