/* sonde-demo-server.h: an embedded feed on 127.0.0.1 for first runs and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SONDE_DEMO_SERVER_DEFAULT_RATE 20.0
#define SONDE_DEMO_SERVER_MAX_RATE     100000.0

#define SONDE_TYPE_DEMO_SERVER (sonde_demo_server_get_type ())
G_DECLARE_FINAL_TYPE (SondeDemoServer, sonde_demo_server, SONDE, DEMO_SERVER, GObject)

SondeDemoServer *sonde_demo_server_new       (void);
double           sonde_demo_server_get_rate  (SondeDemoServer  *self);
void             sonde_demo_server_set_rate  (SondeDemoServer  *self,
                                              double            rate);
gboolean         sonde_demo_server_start     (SondeDemoServer  *self,
                                              guint16           port,
                                              GError          **error);
void             sonde_demo_server_stop      (SondeDemoServer  *self);
guint16          sonde_demo_server_get_port  (SondeDemoServer  *self);
char            *sonde_demo_server_dup_url   (SondeDemoServer  *self,
                                              const char       *path);
guint            sonde_demo_server_get_n_clients (SondeDemoServer *self);

G_END_DECLS
