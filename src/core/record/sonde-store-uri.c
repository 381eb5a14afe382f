/* sonde-store-uri.c: a store named by a URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <glib/gi18n-lib.h>

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
