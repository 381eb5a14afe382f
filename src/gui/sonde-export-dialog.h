/* sonde-export-dialog.h: exports a recorded session, a time range of it or
 * a filtered view, as JSON Lines, CSV or HAR, with progress and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-export-options.h"
#include "sonde-filter-model.h"
#include "sonde-message-log.h"
#include "sonde-redactor.h"
#include "sonde-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_EXPORT_DIALOG (sonde_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SondeExportDialog, sonde_export_dialog, SONDE, EXPORT_DIALOG, AdwWindow)

/* Exports @session of the database at @path. */
GtkWidget  *sonde_export_dialog_new_for_recording (const char              *path,
                                                   const SondeStoreSession *session,
                                                   const char              *profile_name);
/* Exports @log (a live connection's): all of it, a time range, or the
 * view @filter shows; text messages through @redactor (NULL: none). @url
 * (masked) and @name (the file's suggested name, without extension) as the
 * owner gives them. */
GtkWidget  *sonde_export_dialog_new_for_log  (SondeMessageLog   *log,
                                              SondeFilterModel  *filter,
                                              SondeRedactor     *redactor,
                                              const char        *url,
                                              const char        *name);
/* Also offers "the filtered view": the records @filter (a view of @log)
 * shows. */
void        sonde_export_dialog_set_view     (SondeExportDialog *self,
                                              SondeMessageLog   *log,
                                              SondeFilterModel  *filter,
                                              SondeRedactor     *redactor);

typedef enum {
  SONDE_EXPORT_RANGE_ALL,
  SONDE_EXPORT_RANGE_TIME,
  SONDE_EXPORT_RANGE_VIEW,
} SondeExportRange;

void        sonde_export_dialog_set_format   (SondeExportDialog *self,
                                              SondeExportFormat  format);
void        sonde_export_dialog_set_range    (SondeExportDialog *self,
                                              SondeExportRange   range);
/* For CSV: extra columns, JSON paths separated by spaces or commas. */
void        sonde_export_dialog_set_csv_paths (SondeExportDialog *self,
                                               const char        *paths);
/* Writes to @file without asking (tests, and after the file chooser);
 * "running" is TRUE until it ends; the result is get_message(). */
void        sonde_export_dialog_export_to    (SondeExportDialog *self,
                                              GFile             *file);
gboolean    sonde_export_dialog_get_running  (SondeExportDialog *self);
/* What the last export did ("Exported 12 records to …"), or why it
 * failed; NULL before. */
const char *sonde_export_dialog_get_message  (SondeExportDialog *self);
gboolean    sonde_export_dialog_get_succeeded (SondeExportDialog *self);

G_END_DECLS
