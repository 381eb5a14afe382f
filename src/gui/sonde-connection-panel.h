/* sonde-connection-panel.h: the handshake and the live numbers of a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-connection.h"

G_BEGIN_DECLS

#define SONDE_TYPE_CONNECTION_PANEL (sonde_connection_panel_get_type ())
G_DECLARE_FINAL_TYPE (SondeConnectionPanel, sonde_connection_panel, SONDE, CONNECTION_PANEL, GtkWidget)

GtkWidget  *sonde_connection_panel_new         (SondeConnection      *connection);
void        sonde_connection_panel_refresh     (SondeConnectionPanel *self);
void        sonde_connection_panel_set_recorded (SondeConnectionPanel *self,
                                                 SondeHandshake       *handshake,
                                                 const char           *url,
                                                 const char           *close);
const char *sonde_connection_panel_get_value   (SondeConnectionPanel *self,
                                                const char           *key);

G_END_DECLS
