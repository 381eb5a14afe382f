/* sonde-ping-dialog.h: "Send Ping…": a ping with a payload of one's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-connection.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PING_DIALOG (sonde_ping_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SondePingDialog, sonde_ping_dialog, SONDE, PING_DIALOG, AdwMessageDialog)

GtkWidget   *sonde_ping_dialog_new        (GtkWindow       *parent,
                                           SondeConnection *connection);
GtkEditable *sonde_ping_dialog_get_entry  (SondePingDialog *self);
const char  *sonde_ping_dialog_get_status (SondePingDialog *self);

G_END_DECLS
