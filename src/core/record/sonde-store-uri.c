/* sonde-store-uri.c: a store named by a URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-redactor.h"
#ifdef SONDE_HAVE_POSTGRESQL
#include "sonde-store-postgres.h"
#endif
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

gboolean
sonde_store_uri_is_remote (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return g_ascii_strncasecmp (uri, "postgresql://", 13) == 0 || g_ascii_strncasecmp (uri, "postgres://", 11) == 0;
}

char *
sonde_store_uri_dup_path (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  if (sonde_store_uri_is_remote (uri))
    return NULL;
  if (g_ascii_strncasecmp (uri, "sqlite:", 7) == 0)
    return g_strdup (uri + 7);
  return g_strdup (uri);
}

char *
sonde_store_uri_mask (const char *uri)
{
  g_autoptr(SondeRedactor) redactor = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  if (!sonde_store_uri_is_remote (uri))
    return g_strdup (uri);
  redactor = sonde_redactor_new ();
  return sonde_redactor_url (redactor, uri);
}

SondeStore *
sonde_store_open_uri (const char           *uri,
                      SondeStoreOpenFlags   flags,
                      GError              **error)
{
  g_autofree char *path = NULL;
  gboolean read_only = (flags & SONDE_STORE_OPEN_READ_ONLY) != 0;

  g_return_val_if_fail (uri != NULL, NULL);

  if (sonde_store_uri_is_remote (uri))
    {
#ifdef SONDE_HAVE_POSTGRESQL
      return read_only ? SONDE_STORE (sonde_store_postgres_open_reader (uri, error))
                       : SONDE_STORE (sonde_store_postgres_open (uri, error));
#else
      g_autofree char *masked = sonde_store_uri_mask (uri);

      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("%s: this Sonde was built without PostgreSQL"), masked);
      return NULL;
#endif
    }
  path = sonde_store_uri_dup_path (uri);
  return read_only ? SONDE_STORE (sonde_store_sqlite_open_reader (path, error))
                   : SONDE_STORE (sonde_store_sqlite_open (path, error));
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  const char *uri = task_data;
  SondeStoreOpenFlags flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "flags"));
  GError *error = NULL;
  SondeStore *store = sonde_store_open_uri (uri, flags, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
sonde_store_open_uri_async (const char          *uri,
                            SondeStoreOpenFlags  flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_store_open_uri_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_object_set_data (G_OBJECT (task), "flags", GUINT_TO_POINTER (flags));
  g_task_run_in_thread (task, open_in_thread);
}

SondeStore *
sonde_store_open_uri_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri (task_data, SONDE_STORE_OPEN_READ_ONLY, &error);
  GPtrArray *list = store != NULL ? sonde_store_list_sessions (store, &error) : NULL;

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
sonde_store_list_uri_async (const char          *uri,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_store_list_uri_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_task_run_in_thread (task, list_in_thread);
}

GPtrArray *
sonde_store_list_uri_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sonde_store_uri_check_remote (const char  *uri,
                              GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!sonde_store_uri_is_remote (uri))
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("A database address starts with postgresql://"));
      return FALSE;
    }
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("Not a database address: %s"), local_error->message);
      return FALSE;
    }
  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("The address names no server (postgresql://HOST/DATABASE)"));
      return FALSE;
    }
  path = g_uri_get_path (parsed);
  if (path == NULL || path[0] != '/' || path[1] == '\0' || strchr (path + 1, '/') != NULL)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("The address names no database (postgresql://HOST/DATABASE)"));
      return FALSE;
    }
  return TRUE;
}

char *
sonde_store_uri_with_password (const char *uri,
                               const char *password)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  if (password == NULL || *password == '\0')
    return g_strdup (uri);
  escaped = g_uri_escape_string (password, NULL, FALSE);
  return g_strconcat (uri, strchr (uri, '?') != NULL ? "&password=" : "?password=", escaped, NULL);
}
