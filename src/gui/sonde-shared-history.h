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
G_END_DECLS
