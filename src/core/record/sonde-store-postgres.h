/* sonde-store-postgres.h: a SondeStore in a PostgreSQL database (shared
 * history: many Sondes record into it, every desktop reads it)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_STORE_POSTGRES (sonde_store_postgres_get_type ())
G_DECLARE_FINAL_TYPE (SondeStorePostgres, sonde_store_postgres, SONDE, STORE_POSTGRES, GObject)

/* The schema this build writes (the same tables as SondeStoreSqlite's). */
#define SONDE_STORE_POSTGRES_SCHEMA_VERSION 1

/* How an append sends its chunks: one multi-row INSERT, or COPY … FROM
 * STDIN in the binary format (the default: see bench/README.md). */
typedef enum {
  SONDE_STORE_POSTGRES_COPY,
  SONDE_STORE_POSTGRES_INSERT,
} SondeStorePostgresWrite;

/* Connects to @uri (a libpq URI, postgresql://user@host:port/db?…, or a
 * "key=value" connection string) and creates the schema in a database that
 * has none (in one transaction). Errors say which fault it was:
 * SONDE_STORE_ERROR_UNREACHABLE (no server answers), AUTH_FAILED (user or
 * password refused, or a password needed and none given), NOT_FOUND (no
 * such database), NEWER_VERSION (a schema from a newer Sonde), CORRUPT
 * (tables of that name that are not Sonde's). Messages name the URI
 * masked, never the password. A connection lost later is made again by
 * the next call; an append that fails for it says UNREACHABLE (the
 * recorder keeps the batch and tries again). Within one process the
 * writer of a URI is shared: opening a URI that is open already returns
 * the same store, a new reference (its calls are serialized). */
SondeStorePostgres *sonde_store_postgres_open         (const char          *uri,
                                                       GError             **error);
/* Connects for reading only (History, sonde-cli history): the session is
 * read-only, no schema is made; NOT_FOUND when the database holds none. */
SondeStorePostgres *sonde_store_postgres_open_reader  (const char          *uri,
                                                       GError             **error);
/* The URI with its password masked: what messages show. */
const char         *sonde_store_postgres_get_masked_uri (SondeStorePostgres *self);
void                sonde_store_postgres_set_write    (SondeStorePostgres  *self,
                                                       SondeStorePostgresWrite write);

G_END_DECLS
