/* sonde-export-writer.h: records written in any export format, and the
 * temporary file an export writes before it replaces its target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the log's and the store's exports share: JSON Lines, CSV or HAR
 * (SondeCsvWriter, SondeHarWriter) chosen by SondeExportOptions, with its
 * time range applied and text messages masked by a redactor.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-export-options.h"
#include "sonde-record.h"
#include "sonde-record-views.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

typedef struct _SondeExportWriter SondeExportWriter;

/* @record as an export writes it: a text message with what @redactor masks
 * masked (into *@scratch, made when first needed, then @copy points at it),
 * anything else as it is. Returns @record or @copy. */
const SondeRecord *sonde_export_redact        (const SondeRecord         *record,
                                               SondeRedactor             *redactor,
                                               GString                  **scratch,
                                               SondeRecord               *copy);

/* @redactor (NULL: none) masks text messages. Fails for a CSV column path
 * that does not parse. The writer does not close @stream. */
SondeExportWriter *sonde_export_writer_new      (GOutputStream             *stream,
                                                 const SondeExportOptions  *options,
                                                 SondeRedactor             *redactor,
                                                 GError                   **error);
/* Writes @record unless it lies outside the time range (or the format has
 * no place for it: HAR keeps messages only). */
gboolean           sonde_export_writer_add      (SondeExportWriter         *self,
                                                 const SondeRecord         *record,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);
gboolean           sonde_export_writer_finish   (SondeExportWriter         *self,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);
/* Records in the output (HAR: messages). */
guint64            sonde_export_writer_get_n_written (SondeExportWriter    *self);
void               sonde_export_writer_free     (SondeExportWriter         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeExportWriter, sonde_export_writer_free)

/* A new name beside @target (same folder, hidden, random), for a file that
 * is renamed over @target once complete. */
GFile             *sonde_export_temp_file       (GFile                     *target);

G_END_DECLS
