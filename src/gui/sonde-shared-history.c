/* sonde-shared-history.c: the shared history's database, as the window
 * reaches it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A team's sonde-cli monitor records into PostgreSQL; every desktop reads
 * it. Preferences keep the address in GSettings and the password in the
 * keyring (SondeSecrets, under SONDE_SECRETS_SHARED_HISTORY); the two meet
 * only in the connection string a store is opened with
 * (sonde_store_uri_with_password(): here, and in Preferences' Connect),
 * which is never shown (sonde_store_uri_mask() masks its password).
 * Everything that connects runs on a worker thread: a database that does
 * not answer never holds up the window.
 */

#define G_LOG_DOMAIN "sonde-shared-history"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-shared-history.h"
#include "sonde-store-uri.h"

char *
sonde_shared_history_dup_uri (GSettings *settings)
{
  g_autofree char *uri = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  uri = g_strstrip (g_settings_get_string (settings, "shared-history-uri"));
  return *uri != '\0' ? g_steal_pointer (&uri) : NULL;
}

static void
on_password (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, &error);
  const char *uri = g_task_get_task_data (task);

  /* No password kept is not a fault: the server may not want one, or
   * libpq finds it (~/.pgpass, PGPASSWORD). */
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("The shared history’s password could not be read from the keyring: %s"),
                               error->message);
      return;
    }
  g_task_return_pointer (task, sonde_store_uri_with_password (uri, password), g_free);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
}

void
sonde_shared_history_resolve_async (GSettings           *settings,
                                    SondeSecrets        *secrets,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *uri;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_shared_history_resolve_async);
  uri = sonde_shared_history_dup_uri (settings);
  if (uri == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("No shared history is set up: Preferences take its database address"));
      return;
    }
  g_task_set_task_data (task, uri, g_free);
  if (secrets == NULL)
    {
      g_task_return_pointer (task, g_strdup (uri), g_free);
      return;
    }
  sonde_secrets_lookup_async (secrets, SONDE_SECRETS_SHARED_HISTORY, cancellable, on_password,
                              g_steal_pointer (&task));
}

char *
sonde_shared_history_resolve_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
