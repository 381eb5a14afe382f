/* sonde-shared-history.h: the shared history's database, as the window
 * reaches it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-secrets.h"

G_BEGIN_DECLS

/* The database address Preferences hold (without its password), or NULL
 * when none is set. */
char     *sonde_shared_history_dup_uri        (GSettings           *settings);
/* The address with its password from the keyring (none kept: the address
 * as it is), ready for sonde_store_open_uri(); NULL and an error when no
 * address is set or the keyring refuses. */
void      sonde_shared_history_resolve_async  (GSettings           *settings,
                                               SondeSecrets        *secrets,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
char     *sonde_shared_history_resolve_finish (GAsyncResult        *result,
                                               GError             **error);
/* Connects to @conninfo for reading, on a worker thread, and counts its
 * sessions: what "Connect" in Preferences shows. */
void      sonde_shared_history_probe_async    (const char          *conninfo,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  sonde_shared_history_probe_finish   (GAsyncResult        *result,
                                               guint               *out_sessions,
                                               GError             **error);

G_END_DECLS
