/* sonde-close-dialog.h: "Close With Code…": a Close frame of one's choosing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-connection.h"

G_BEGIN_DECLS

#define SONDE_TYPE_CLOSE_DIALOG (sonde_close_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SondeCloseDialog, sonde_close_dialog, SONDE, CLOSE_DIALOG, AdwMessageDialog)

GtkWidget   *sonde_close_dialog_new         (GtkWindow        *parent,
                                             SondeConnection  *connection);
GtkEditable *sonde_close_dialog_get_code    (SondeCloseDialog *self);
GtkEditable *sonde_close_dialog_get_reason  (SondeCloseDialog *self);
const char  *sonde_close_dialog_get_status  (SondeCloseDialog *self);

G_END_DECLS
