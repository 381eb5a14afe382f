/* sonde-store-sqlite.h: a SondeStore in one SQLite database file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_STORE_SQLITE (sonde_store_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (SondeStoreSqlite, sonde_store_sqlite, SONDE, STORE_SQLITE, GObject)

/* The schema this build writes. */
#define SONDE_STORE_SQLITE_SCHEMA_VERSION 1

/* Opens (or creates) the database at @path (its folder must exist; a
 * "PATH.lock" file beside it marks the writer), migrating an older schema.
 * Fails with SONDE_STORE_ERROR_NEWER_VERSION for a newer one (the file is
 * left as it is). Two faults are repaired rather than failed, and then
 * sonde_store_sqlite_get_notice() says what happened: a damaged file is moved
 * aside as "PATH.corrupt-<UTC time>" and a new one started
 * (SONDE_STORE_ERROR_CORRUPT); a database another process holds for writing
 * is opened read-only (SONDE_STORE_ERROR_LOCKED), and so is one in a folder
 * that cannot be written (SONDE_STORE_ERROR_READ_ONLY). Within one process
 * the writer of a file is shared: opening a path that is open already
 * returns the same object, a new reference (so the sessions of one profile,
 * and all ad-hoc sessions, record into one database). */
SondeStoreSqlite *sonde_store_sqlite_open       (const char        *path,
                                                 GError           **error);
/* Opens an existing database for reading only (History, sonde-cli
 * history): no writer lock is taken, no migration made, nothing repaired, so
 * it reads beside a writer (WAL). SONDE_STORE_ERROR_NOT_FOUND when there is
 * no file, NEWER_VERSION or CORRUPT as found. */
SondeStoreSqlite *sonde_store_sqlite_open_reader (const char       *path,
                                                  GError          **error);
const char       *sonde_store_sqlite_get_path   (SondeStoreSqlite  *self);
/* What opening had to do, or NULL when nothing happened. */
const GError     *sonde_store_sqlite_get_notice (SondeStoreSqlite  *self);

G_END_DECLS
