/* sonde-store-import.h: turns a JSON Lines or HAR file into recorded
 * sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-store.h"

G_BEGIN_DECLS

/* Reads @file (Sonde's JSON Lines, or a HAR with _webSocketMessages: each
 * WebSocket entry becomes one session) and adds its sessions to @store
 * under @profile_id/@profile_name (NULL: ad-hoc). All or nothing: on any
 * error (SONDE_IMPORT_ERROR for the file, SONDE_STORE_ERROR for the store)
 * or a cancel, the sessions already added are deleted again. Returns the
 * new sessions' ids (element-type gint64) in the file's order. Blocking:
 * call it from a worker thread in the window. */
GArray  *sonde_store_import_file   (SondeStore           *store,
                                    GFile                *file,
                                    const char           *profile_id,
                                    const char           *profile_name,
                                    GCancellable         *cancellable,
                                    GError              **error);
void     sonde_store_import_async  (SondeStore           *store,
                                    GFile                *file,
                                    const char           *profile_id,
                                    const char           *profile_name,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
GArray  *sonde_store_import_finish (SondeStore           *store,
                                    GAsyncResult         *result,
                                    GError              **error);

/* The sessions of @file (element-type SondeImportedSession), told apart by
 * content as the import does: a HAR document, or Sonde's JSON Lines (one
 * session). NULL and SONDE_IMPORT_ERROR (or a GIO error) when it is
 * neither. Blocking. */
GPtrArray *sonde_store_import_read_sessions (GFile         *file,
                                             GCancellable  *cancellable,
                                             GError       **error);

G_END_DECLS
