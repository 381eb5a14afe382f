/* sonde-upgrade.h: one attempt at a WebSocket opening handshake, made by
 * Sonde itself over GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-connection-options.h"
#include "sonde-handshake.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

/* At most this many redirects are followed (when they are followed). */
#define SONDE_UPGRADE_MAX_REDIRECTS 10
/* The response head (status line and headers) is read up to this size. */
#define SONDE_UPGRADE_MAX_HEAD      (64 * 1024)

#define SONDE_TYPE_UPGRADE (sonde_upgrade_get_type ())

G_DECLARE_FINAL_TYPE (SondeUpgrade, sonde_upgrade, SONDE, UPGRADE, GObject)

SondeUpgrade    *sonde_upgrade_new                   (const SondeConnectionOptions *options,
                                                      const char                   *url,
                                                      GTlsCertificate              *client_certificate,
                                                      SondeRedactor                *redactor);
void             sonde_upgrade_run_async             (SondeUpgrade                 *self,
                                                      GCancellable                 *cancellable,
                                                      GAsyncReadyCallback           callback,
                                                      gpointer                      user_data);
gboolean         sonde_upgrade_run_finish            (SondeUpgrade                 *self,
                                                      GAsyncResult                 *result,
                                                      GError                      **error);

GIOStream       *sonde_upgrade_get_stream            (SondeUpgrade                 *self);
GBytes          *sonde_upgrade_get_leftover          (SondeUpgrade                 *self);
const char      *sonde_upgrade_get_protocol          (SondeUpgrade                 *self);
const char      *sonde_upgrade_get_extensions        (SondeUpgrade                 *self);
GList           *sonde_upgrade_get_extension_objects (SondeUpgrade                 *self);
GList           *sonde_upgrade_steal_extension_objects (SondeUpgrade               *self);
GPtrArray       *sonde_upgrade_get_handshakes        (SondeUpgrade                 *self);
guint            sonde_upgrade_get_status            (SondeUpgrade                 *self);
const char      *sonde_upgrade_get_retry_after       (SondeUpgrade                 *self);
GTlsCertificate *sonde_upgrade_get_peer_certificate  (SondeUpgrade                 *self,
                                                      GTlsCertificateFlags         *errors);
const char      *sonde_upgrade_get_pin_problem       (SondeUpgrade                 *self);
gboolean         sonde_upgrade_get_deadline_hit      (SondeUpgrade                 *self);

G_END_DECLS
