/* sonde-store-export.h: writes a recorded session to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-export-options.h"
#include "sonde-history-search.h"
#include "sonde-store.h"

G_BEGIN_DECLS

/* Writes the records of @session_id within @options' time range (and
 * matching @filter, when given) in @options' format to @file, on a worker
 * thread. The file is written atomically: beside it under a temporary name
 * and renamed over it at the end, so a cancel or an error (disk full) leaves
 * no partial file and an existing file untouched. @progress, if given, is
 * called on the caller's main context. */
void     sonde_store_export_async  (SondeStore               *store,
                                    gint64                    session_id,
                                    const SondeExportOptions *options,
                                    SondeHistoryQuery        *filter,
                                    GFile                    *file,
                                    GCancellable             *cancellable,
                                    SondeExportProgressFunc   progress,
                                    gpointer                  progress_data,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data);
gboolean sonde_store_export_finish (SondeStore               *store,
                                    GAsyncResult             *result,
                                    guint64                  *n_written,
                                    GError                  **error);
/* The same, on the calling thread (sonde-cli); @stream is written, not
 * closed; @progress is called on this thread. */
gboolean sonde_store_export_to_stream (SondeStore               *store,
                                       gint64                    session_id,
                                       const SondeExportOptions *options,
                                       SondeHistoryQuery        *filter,
                                       GOutputStream            *stream,
                                       GCancellable             *cancellable,
                                       SondeExportProgressFunc   progress,
                                       gpointer                  progress_data,
                                       guint64                  *n_written,
                                       GError                  **error);

G_END_DECLS
