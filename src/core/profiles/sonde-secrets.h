/* sonde-secrets.h: tokens and passwords of profiles, in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Secrets live in the user's keyring through libsecret (the Secret Service
 * on D-Bus), keyed by profile id, never in a file of ours. When no keyring
 * answers, they are kept in memory for this session only, and
 * "session-only" says so for the UI to tell the user: never a silent
 * fallback to plain text on disk.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The key the shared history's database password is kept under, beside
 * the profiles' ids (random UUIDs: no profile has this one). */
#define SONDE_SECRETS_SHARED_HISTORY "shared-history"

#define SONDE_TYPE_SECRETS (sonde_secrets_get_type ())
G_DECLARE_FINAL_TYPE (SondeSecrets, sonde_secrets, SONDE, SECRETS, GObject)

SondeSecrets *sonde_secrets_new              (void);
gboolean      sonde_secrets_get_session_only (SondeSecrets         *self);
void          sonde_secrets_keep_for_session (SondeSecrets         *self,
                                              const char           *profile_id,
                                              const char           *secret);

void          sonde_secrets_store_async      (SondeSecrets         *self,
                                              const char           *profile_id,
                                              const char           *label,
                                              const char           *secret,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      sonde_secrets_store_finish     (SondeSecrets         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          sonde_secrets_lookup_async     (SondeSecrets         *self,
                                              const char           *profile_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
char         *sonde_secrets_lookup_finish    (SondeSecrets         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          sonde_secrets_clear_async      (SondeSecrets         *self,
                                              const char           *profile_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      sonde_secrets_clear_finish     (SondeSecrets         *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
