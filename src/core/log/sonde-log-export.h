/* sonde-log-export.h: a connection's log written out as JSON Lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-export-options.h"
#include "sonde-filter-model.h"
#include "sonde-message-log.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

/* One line per record, the format of sonde-cli's output. Text messages go
 * through @redactor (NULL: none), as events did when they were logged. */
void     sonde_log_export_line   (GString            *out,
                                  const SondeRecord  *record,
                                  SondeRedactor      *redactor);

void     sonde_log_export_async  (SondeMessageLog    *log,
                                  SondeRedactor      *redactor,
                                  GFile              *file,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
void     sonde_log_export_filtered_async (SondeFilterModel   *filter,
                                          SondeRedactor      *redactor,
                                          GFile              *file,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
/* Writes the records of @log (or those @filter lets through, as
 * sonde_log_export_filtered_async() does) within @options' time range in
 * @options' format: JSON Lines, CSV or HAR. Text messages go through
 * @redactor. @file is written beside itself under a temporary name and
 * renamed over at the end: an error or a cancel leaves no partial file
 * and an existing file untouched. @progress (may be NULL) is called a few
 * times a second. Finish with sonde_log_export_finish(). */
void     sonde_log_export_full_async (SondeMessageLog           *log,
                                      SondeFilterModel          *filter,
                                      SondeRedactor             *redactor,
                                      const SondeExportOptions  *options,
                                      GFile                     *file,
                                      GCancellable              *cancellable,
                                      SondeExportProgressFunc    progress,
                                      gpointer                   progress_data,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
gboolean sonde_log_export_finish (SondeMessageLog    *log,
                                  GAsyncResult       *result,
                                  guint64            *n_written,
                                  guint64            *n_lost,
                                  GError            **error);

G_END_DECLS
