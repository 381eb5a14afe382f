/* sonde-serve-dialog.h: a recorded session served as a mock server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SONDE_TYPE_SERVE_DIALOG (sonde_serve_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SondeServeDialog, sonde_serve_dialog, SONDE, SERVE_DIALOG, AdwWindow)

/* The session @session_id of the database at @path; @title says which in
 * the dialog. Started by the Start button (or sonde_serve_dialog_start()). */
GtkWidget  *sonde_serve_dialog_new            (const char       *path,
                                               gint64            session_id,
                                               const char       *title);
/* A rules file (sonde-cli serve --rules), or NULL for none. */
void        sonde_serve_dialog_set_rules_path (SondeServeDialog *self,
                                               const char       *rules_path);
const char *sonde_serve_dialog_get_rules_path (SondeServeDialog *self);
void        sonde_serve_dialog_set_port       (SondeServeDialog *self,
                                               guint16           port);
/* FALSE, with the error shown in the dialog (and in "error"), when it
 * cannot start: a port in use, a rules file that does not parse (with its
 * line and column)… */
gboolean    sonde_serve_dialog_start          (SondeServeDialog *self);
void        sonde_serve_dialog_stop           (SondeServeDialog *self);
/* "running", "url" (NULL when not running), "n-clients", "error". */
gboolean    sonde_serve_dialog_get_running    (SondeServeDialog *self);
const char *sonde_serve_dialog_get_url        (SondeServeDialog *self);
guint       sonde_serve_dialog_get_n_clients  (SondeServeDialog *self);
const char *sonde_serve_dialog_get_error      (SondeServeDialog *self);

G_END_DECLS
