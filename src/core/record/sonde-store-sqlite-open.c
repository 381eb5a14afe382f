/* sonde-store-sqlite-open.c: opening a SondeStoreSqlite
 *
 * The schema and its migrations, opening a file (a writer brings its schema
 * up to date; a damaged file is moved aside and a new one started; a file
 * another process writes to is opened read-only), the table of the writers
 * open in this process (one shared object per file), and readers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "sonde-store-sqlite-private.h"

/* Step i brings a database from schema version i to i + 1; each runs in
 * one transaction with the version update. Version 0 is an empty file. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
  "CREATE TABLE sessions ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id TEXT,"
  "  profile_name TEXT,"
  "  url TEXT NOT NULL,"
  "  start_us INTEGER NOT NULL,"
  "  end_us INTEGER NOT NULL DEFAULT 0,"
  "  close_code INTEGER NOT NULL DEFAULT 0,"
  "  close_reason TEXT,"
  "  initiator INTEGER NOT NULL DEFAULT 0,"
  "  records INTEGER NOT NULL DEFAULT 0,"
  "  messages INTEGER NOT NULL DEFAULT 0,"
  "  bytes INTEGER NOT NULL DEFAULT 0);"
  /* Records packed into chunks (sonde-store-chunk.c), many to a row, so
   * that SQLite's work per row is paid once per chunk. key is the session
   * id × 2^40 + the chunk's first seq (see KEY_BITS): a rowid table in seq
   * order, so appends fill pages whole and no index is needed. A chunk
   * holds records of one append only, and data comes last: a query that
   * reads the other columns leaves its overflow pages alone. */
  "CREATE TABLE chunks ("
  "  key INTEGER PRIMARY KEY,"
  "  last_seq INTEGER NOT NULL,"
  "  first_wall_us INTEGER NOT NULL,"
  "  last_wall_us INTEGER NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  data BLOB NOT NULL);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SONDE_STORE_SQLITE_SCHEMA_VERSION);

/* The schema version, 0 for an empty database; a damaged file fails here. */
static gboolean
read_version (SondeStoreSqlite  *self,
              int               *out_version,
              GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out_version = 0;
  if (!sonde_store_sqlite_prepare (self, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'", &stmt, error))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    {
      sqlite3_finalize (stmt);
      return TRUE;
    }
  sqlite3_finalize (stmt);

  if (!sonde_store_sqlite_prepare (self, "SELECT max(version) FROM schema_version", &stmt, error))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
migrate (SondeStoreSqlite  *self,
         int                version,
         GError           **error)
{

  for (int step = version; step < SONDE_STORE_SQLITE_SCHEMA_VERSION; step++)
    {
      g_autofree char *bump = g_strdup_printf ("DELETE FROM schema_version;"
                                               "INSERT INTO schema_version (version) VALUES (%d);",
                                               step + 1);

      if (!sonde_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!sonde_store_sqlite_exec (self, migrations[step], error) || !sonde_store_sqlite_exec (self, bump, error) || !sonde_store_sqlite_exec (self, "COMMIT", error))
        {
          sonde_store_sqlite_rollback (self);
          return FALSE;
        }
    }
  return TRUE;
}

void
sonde_store_sqlite_close_db (SondeStoreSqlite *self)
{
  g_clear_pointer (&self->insert, sqlite3_finalize);
  g_clear_pointer (&self->last_seq, sqlite3_finalize);
  g_clear_pointer (&self->count, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Opens the file and brings its schema up to date (a writer) or checks it
 * (read-only). */
static gboolean
open_db (SondeStoreSqlite  *self,
         GError           **error)
{
  int flags = (self->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
              | SQLITE_OPEN_NOMUTEX;
  int version = 0;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SONDE_STORE_ERROR, sonde_store_sqlite_error_code (self->path, rc),
                   _("The recording %s cannot be opened: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!read_version (self, &version, error))
    return FALSE;
  if (version > SONDE_STORE_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NEWER_VERSION,
                   _("The recording %s was written by a newer Sonde (schema %d, this one knows %d): it is left as it is"),
                   self->path, version, SONDE_STORE_SQLITE_SCHEMA_VERSION);
      return FALSE;
    }
  if (self->read_only)
    {
      if (version < SONDE_STORE_SQLITE_SCHEMA_VERSION)
        {
          g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY,
                       _("The recording %s needs an upgrade, and it cannot be written"), self->path);
          return FALSE;
        }
      /* Reading a whole session (a search, a series rebuilt) pages
       * through the file: mapped, without a copy per page. */
      if (self->reader)
        sqlite3_exec (self->db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
      return TRUE;
    }

  /* A new file: 16 KiB pages (a chunk of up to 64 KiB spills into a few
   * overflow pages: measured, a quarter less of the writer's CPU than 4 KiB
   * pages, in fewer writes and checkpoint reads, and no more bytes), and
   * pages freed by pruning go back to the file system. Both only take
   * before the first table, and before WAL mode. */
  if (version == 0
      && (!sonde_store_sqlite_exec (self, "PRAGMA page_size = 16384", error)
          || !sonde_store_sqlite_exec (self, "PRAGMA auto_vacuum = INCREMENTAL", error)))
    return FALSE;
  if (!sonde_store_sqlite_exec (self, "PRAGMA journal_mode = WAL", error)
      || !sonde_store_sqlite_exec (self, "PRAGMA synchronous = NORMAL", error)
      || !sonde_store_sqlite_exec (self, "PRAGMA journal_size_limit = 67108864", error)
      || !sonde_store_sqlite_exec (self, "PRAGMA cache_size = -16384", error))
    return FALSE;
  if (version < SONDE_STORE_SQLITE_SCHEMA_VERSION && !migrate (self, version, error))
    return FALSE;

  return sonde_store_sqlite_prepare (self,
                                     "INSERT INTO chunks (key, last_seq, first_wall_us, last_wall_us, n, data)"
                                     " VALUES (?, ?, ?, ?, ?, ?)",
                                     &self->insert, error)
         && sonde_store_sqlite_prepare (self,
                                        "SELECT last_seq FROM chunks WHERE key BETWEEN ? AND ?"
                                        " ORDER BY key DESC LIMIT 1",
                                        &self->last_seq, error)
         && sonde_store_sqlite_prepare (self,
                                        "UPDATE sessions SET records = records + ?, bytes = bytes + ?, messages = messages + ?"
                                        " WHERE id = ?",
                                        &self->count, error);
}

/* Moves a damaged database (and its -wal) aside; drops its -shm. */
static gboolean
move_aside (SondeStoreSqlite  *self,
            char             **out_aside,
            GError           **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *aside = g_strdup_printf ("%s.corrupt-%s", self->path, stamp);
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  g_autofree char *wal_aside = g_strconcat (aside, "-wal", NULL);
  g_autofree char *shm = g_strconcat (self->path, "-shm", NULL);

  if (g_rename (self->path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT,
                   _("The recording %s is damaged and cannot be moved aside: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }
  g_rename (wal, wal_aside);
  g_unlink (shm);
  *out_aside = g_steal_pointer (&aside);
  return TRUE;
}

/* The writers open in this process, by canonical path: opening a path
 * that is open already gives the same store. An entry's weak reference
 * goes NULL when its store's last reference is dropped, and the entry goes
 * once that store has closed its file and released the lock: an open in
 * between waits for it, rather than find the lock taken by a store that is
 * going. */
typedef struct {
  GWeakRef          ref;
  SondeStoreSqlite *store;   /* identity only */
} Writer;

static GMutex      writers_lock;
static GCond       writers_cond;
static GHashTable *writers;

static void
writer_free (Writer *writer)
{
  g_weak_ref_clear (&writer->ref);
  g_free (writer);
}

/* The path with its folder's symbolic links resolved (the file may not
 * exist yet). */
static char *
canonical_path (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (absolute);
  g_autofree char *base = g_path_get_basename (absolute);
  g_autofree char *real_dir = realpath (dir, NULL);

  if (real_dir == NULL)
    return g_steal_pointer (&absolute);
  return g_build_filename (real_dir, base, NULL);
}

/* A store going away leaves the table of writers (and wakes an open that
 * waits for its file to be free). */
void
sonde_store_sqlite_forget_writer (SondeStoreSqlite *self)
{
  Writer *writer;

  if (self->canonical == NULL)
    return;
  g_mutex_lock (&writers_lock);
  writer = g_hash_table_lookup (writers, self->canonical);
  if (writer != NULL && writer->store == self)
    g_hash_table_remove (writers, self->canonical);
  g_cond_broadcast (&writers_cond);
  g_mutex_unlock (&writers_lock);
  g_clear_pointer (&self->canonical, g_free);
}

static SondeStoreSqlite *
open_writer (const char  *path,
             GError     **error)
{
  g_autoptr(SondeStoreSqlite) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *lock_path = NULL;

  self = g_object_new (SONDE_TYPE_STORE_SQLITE, NULL);
  self->path = g_strdup (path);

  /* One writer per file: whoever holds the lock. */
  lock_path = g_strconcat (path, ".lock", NULL);
  self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved_errno = errno;

      /* A read-only folder (or file system): read what is there. */
      self->read_only = TRUE;
      g_set_error (&self->notice, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY,
                   _("The recording %s cannot be written: %s"), path, g_strerror (saved_errno));
    }
  else if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      self->read_only = TRUE;
      close (self->lock_fd);
      self->lock_fd = -1;
      g_set_error (&self->notice, SONDE_STORE_ERROR, SONDE_STORE_ERROR_LOCKED,
                   _("The recording %s is in use by another Sonde: it is opened read-only"), path);
    }

  if (open_db (self, &local_error))
    return g_steal_pointer (&self);

  sonde_store_sqlite_close_db (self);
  if (self->read_only || !g_error_matches (local_error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Damaged: keep it aside for whoever wants to look, and start afresh. */
  {
    g_autofree char *aside = NULL;

    if (!move_aside (self, &aside, error))
      return NULL;
    g_clear_error (&local_error);
    if (!open_db (self, error))
      return NULL;
    g_set_error (&self->notice, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT,
                 _("The recording %s was damaged: it was moved aside to %s and a new one started"),
                 path, aside);
  }
  return g_steal_pointer (&self);
}

SondeStoreSqlite *
sonde_store_sqlite_open (const char  *path,
                         GError     **error)
{
  g_autofree char *canonical = NULL;
  SondeStoreSqlite *self;

  g_return_val_if_fail (path != NULL, NULL);

  canonical = canonical_path (path);
  g_mutex_lock (&writers_lock);
  if (writers == NULL)
    writers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) writer_free);
  for (;;)
    {
      Writer *writer = g_hash_table_lookup (writers, canonical);

      if (writer == NULL)
        break;
      self = g_weak_ref_get (&writer->ref);
      if (self != NULL)
        {
          g_mutex_unlock (&writers_lock);
          return self;
        }
      /* Its last reference is gone and it is closing: wait for it. */
      g_cond_wait (&writers_cond, &writers_lock);
    }

  self = open_writer (path, error);
  if (self != NULL && !self->read_only)
    {
      Writer *writer = g_new0 (Writer, 1);

      g_weak_ref_init (&writer->ref, self);
      writer->store = self;
      self->canonical = g_strdup (canonical);
      g_hash_table_insert (writers, g_steal_pointer (&canonical), writer);
    }
  g_mutex_unlock (&writers_lock);
  return self;
}

SondeStoreSqlite *
sonde_store_sqlite_open_reader (const char  *path,
                                GError     **error)
{
  g_autoptr(SondeStoreSqlite) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
                   _("There is no recording %s"), path);
      return NULL;
    }
  self = g_object_new (SONDE_TYPE_STORE_SQLITE, NULL);
  self->path = g_strdup (path);
  self->read_only = TRUE;
  self->reader = TRUE;
  if (!open_db (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
sonde_store_sqlite_get_path (SondeStoreSqlite *self)
{
  g_return_val_if_fail (SONDE_IS_STORE_SQLITE (self), NULL);

  return self->path;
}

const GError *
sonde_store_sqlite_get_notice (SondeStoreSqlite *self)
{
  g_return_val_if_fail (SONDE_IS_STORE_SQLITE (self), NULL);

  return self->notice;
}
