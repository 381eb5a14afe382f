/* sonde-store-uri.h: a store named by a URI: "sqlite:PATH" (or a bare
 * path) for a SQLite file, "postgresql://…" or "postgres://…" for a
 * PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-store.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_STORE_OPEN_WRITE     = 0,       /* a writer: the schema made or brought up to date */
  SONDE_STORE_OPEN_READ_ONLY = 1 << 0,  /* a reader: History, search, export */
} SondeStoreOpenFlags;

/* Whether @uri names a database server (postgresql:// or postgres://)
 * rather than a file. */
gboolean    sonde_store_uri_is_remote   (const char          *uri);
/* The file a "sqlite:PATH" or bare-path URI names, or NULL for a server. */
char       *sonde_store_uri_dup_path    (const char          *uri);
/* @uri as messages may show it: a password, in whatever part of the URI,
 * masked (the redactor's rules). */
char       *sonde_store_uri_mask        (const char          *uri);
/* Opens the store @uri names: sonde_store_sqlite_open() (or
 * _open_reader()) for a file, sonde_store_postgres_open() (or
 * _open_reader()) for a server; their errors. */
SondeStore *sonde_store_open_uri        (const char          *uri,
                                         SondeStoreOpenFlags  flags,
                                         GError             **error);
/* As sonde_store_open_uri(), on a worker thread: opening a server's
 * store connects, which must not hold up a main loop. */
void        sonde_store_open_uri_async  (const char          *uri,
                                         SondeStoreOpenFlags  flags,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
SondeStore *sonde_store_open_uri_finish (GAsyncResult        *result,
                                         GError             **error);
/* Opens @uri for reading and lists its sessions, both on a worker thread:
 * (element-type SondeStoreSession), oldest first, or NULL and the open's
 * or the list's error. */
void        sonde_store_list_uri_async  (const char          *uri,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray  *sonde_store_list_uri_finish (GAsyncResult        *result,
                                         GError             **error);

/* Whether @uri names a database server in a form Sonde takes
 * (postgresql://[user@]host[:port]/database[?…]): otherwise FALSE and
 * why, for a form to show under the entry. */
gboolean    sonde_store_uri_check_remote (const char         *uri,
                                          GError            **error);
/* @uri with @password added (a "password" query parameter, escaped), for
 * a password kept apart (the keyring); @uri as it is when @password is
 * NULL or empty. Never shown: sonde_store_uri_mask() masks it. */
char       *sonde_store_uri_with_password (const char        *uri,
                                           const char        *password);

G_END_DECLS
