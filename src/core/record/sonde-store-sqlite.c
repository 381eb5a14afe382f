/* sonde-store-sqlite.c: a SondeStore in one SQLite database file
 *
 * One database file in WAL mode with synchronous=NORMAL: a commit is one
 * append to the -wal file, and a crash (kill -9 included) loses at most the
 * transactions not yet committed, never part of one. Writers are kept to one
 * process by an flock on "PATH.lock"; a second process opens read-only.
 * Within a process the writer of a file is one shared object (a table of
 * the open writers), and every public operation holds the store's lock:
 * the connection is SQLITE_OPEN_NOMUTEX and used by one thread at a time.
 * A reader (open_reader) is a connection of its own, which WAL lets read
 * beside the writer. The read side is in sonde-store-sqlite-read.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sonde-store-sqlite-private.h"


static void sonde_store_sqlite_iface_init (SondeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeStoreSqlite, sonde_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SONDE_TYPE_STORE, sonde_store_sqlite_iface_init))

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

static guint64 file_size (const char *path);

/* SQLite reports a write that ran out of room as SQLITE_FULL only for
 * ENOSPC, and as a plain write error for a file-size limit or a quota (its
 * errno is not reliably kept): look at the room left instead. */
static gboolean
out_of_room (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  struct statvfs fs;
  struct rlimit limit;

  if (statvfs (dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < 1024 * 1024)
    return TRUE;
  if (getrlimit (RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
      && MAX (file_size (path), file_size (wal)) + 1024 * 1024 > (guint64) limit.rlim_cur)
    return TRUE;
  return FALSE;
}

static SondeStoreError
error_code (const char *path,
            int         rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return SONDE_STORE_ERROR_DISK_FULL;
    case SQLITE_IOERR:
      if (path != NULL && out_of_room (path))
        return SONDE_STORE_ERROR_DISK_FULL;
      return SONDE_STORE_ERROR_IO;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return SONDE_STORE_ERROR_READ_ONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return SONDE_STORE_ERROR_CORRUPT;
    default:
      return SONDE_STORE_ERROR_FAILED;
    }
}

void
sonde_store_sqlite_set_error (SondeStoreSqlite  *self,
           int                rc,
           GError           **error)
{
  SondeStoreError code = error_code (self->path, rc);
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  if (code == SONDE_STORE_ERROR_DISK_FULL)
    g_set_error (error, SONDE_STORE_ERROR, code,
                 _("The disk is full: the recording %s cannot grow"), self->path);
  else if (code == SONDE_STORE_ERROR_READ_ONLY)
    g_set_error (error, SONDE_STORE_ERROR, code,
                 _("The recording %s cannot be written: %s"), self->path, detail);
  else
    g_set_error (error, SONDE_STORE_ERROR, code,
                 _("The recording %s failed: %s"), self->path, detail);
}

static gboolean
exec (SondeStoreSqlite  *self,
      const char        *sql,
      GError           **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Runs @stmt (taken), a change to the session @session_id: FALSE with the
 * store's error when it fails, or NOT_FOUND when no such session was there. */
static gboolean
step_session_change (SondeStoreSqlite  *self,
                     sqlite3_stmt      *stmt,
                     gint64             session_id,
                     GError           **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
                   _("No recorded session %" PRId64 " in %s"), (int64_t) session_id, self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_store_sqlite_prepare (SondeStoreSqlite  *self,
         const char        *sql,
         sqlite3_stmt     **stmt,
         GError           **error)
{
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (SondeStoreSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

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

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[step], error) || !exec (self, bump, error) || !exec (self, "COMMIT", error))
        {
          rollback (self);
          return FALSE;
        }
    }
  return TRUE;
}

static void
close_db (SondeStoreSqlite *self)
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
      g_set_error (error, SONDE_STORE_ERROR, error_code (self->path, rc),
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
      && (!exec (self, "PRAGMA page_size = 16384", error)
          || !exec (self, "PRAGMA auto_vacuum = INCREMENTAL", error)))
    return FALSE;
  if (!exec (self, "PRAGMA journal_mode = WAL", error)
      || !exec (self, "PRAGMA synchronous = NORMAL", error)
      || !exec (self, "PRAGMA journal_size_limit = 67108864", error)
      || !exec (self, "PRAGMA cache_size = -16384", error))
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

/* Ids outside what a key can hold are no session of ours. */
gboolean
sonde_store_sqlite_check_session_id (SondeStoreSqlite  *self,
                  gint64             session_id,
                  GError           **error)
{
  if (session_id > 0 && session_id <= MAX_SESSION)
    return TRUE;
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
               _("No recorded session %" PRId64 " in %s"), (int64_t) session_id, self->path);
  return FALSE;
}

static gboolean
sonde_store_sqlite_begin_session (SondeStore  *store,
                                  const char  *profile_id,
                                  const char  *profile_name,
                                  const char  *masked_url,
                                  gint64       start_us,
                                  gint64      *out_id,
                                  GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  if (!sonde_store_sqlite_prepare (self, "INSERT INTO sessions (profile_id, profile_name, url, start_us) VALUES (?, ?, ?, ?)",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, profile_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, masked_url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, start_us);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  *out_id = sqlite3_last_insert_rowid (self->db);
  if (*out_id > MAX_SESSION)
    {
      g_autofree char *undo = g_strdup_printf ("DELETE FROM sessions WHERE id = %" G_GINT64_FORMAT, *out_id);

      sqlite3_exec (self->db, undo, NULL, NULL, NULL);
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("The recording %s failed: %s"), self->path, "too many sessions");
      return FALSE;
    }
  return TRUE;
}

/* Stores the chunk @self->chunk holds, as one row of @session_id. */
static int
flush_chunk (SondeStoreSqlite *self,
             gint64            session_id)
{
  SondeChunkWriter *chunk = &self->chunk;
  int rc;

  sqlite3_bind_int64 (self->insert, 1, KEY (session_id, chunk->first_seq));
  sqlite3_bind_int64 (self->insert, 2, (sqlite3_int64) chunk->last_seq);
  sqlite3_bind_int64 (self->insert, 3, chunk->first_wall_us);
  sqlite3_bind_int64 (self->insert, 4, chunk->last_wall_us);
  sqlite3_bind_int (self->insert, 5, (int) chunk->n);
  sqlite3_bind_blob64 (self->insert, 6, chunk->data->data, chunk->data->len, SQLITE_STATIC);
  rc = sqlite3_step (self->insert);
  sqlite3_reset (self->insert);
  sqlite3_clear_bindings (self->insert);
  sonde_chunk_writer_reset (chunk);
  return rc;
}

/* The session's last seq stored (@out_any FALSE when it has none). */
static int
session_last_seq (SondeStoreSqlite *self,
                  gint64            session_id,
                  gboolean         *out_any,
                  guint64          *out_seq)
{
  int rc;

  *out_seq = 0;
  sqlite3_bind_int64 (self->last_seq, 1, KEY (session_id, 0));
  sqlite3_bind_int64 (self->last_seq, 2, KEY (session_id, MAX_SEQ));
  rc = sqlite3_step (self->last_seq);
  *out_any = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    *out_seq = (guint64) sqlite3_column_int64 (self->last_seq, 0);
  sqlite3_reset (self->last_seq);
  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static gboolean
sonde_store_sqlite_append (SondeStore         *store,
                           gint64              session_id,
                           const SondeRecord  *records,
                           guint               n_records,
                           GError            **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  guint64 bytes = 0;
  guint64 messages = 0;
  guint64 last_seq = 0;
  gboolean any = FALSE;
  int rc;

  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  if (!sonde_store_sqlite_check_session_id (self, session_id, error) || !exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = session_last_seq (self, session_id, &any, &last_seq);
  if (rc != SQLITE_DONE)
    goto fail;

  /* Chunks never span appends: a batch is all there or not at all. */
  sonde_chunk_writer_reset (&self->chunk);
  for (guint i = 0; i < n_records; i++)
    {
      const SondeRecord *record = &records[i];

      if (record->seq > MAX_SEQ || (any && record->seq <= last_seq))
        {
          sonde_chunk_writer_reset (&self->chunk);
          rollback (self);
          g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                       _("The recording %s failed: %s"), self->path,
                       record->seq > MAX_SEQ ? "seq out of range" : "seq not after the last one stored");
          return FALSE;
        }
      if (sonde_chunk_writer_is_full_for (&self->chunk, record))
        {
          rc = flush_chunk (self, session_id);
          if (rc != SQLITE_DONE)
            goto fail;
        }
      sonde_chunk_writer_add (&self->chunk, record);
      last_seq = record->seq;
      any = TRUE;
      bytes += record->stored_size;
      if (record->direction != SONDE_DIRECTION_EVENT
          && (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY))
        messages++;
    }
  if (self->chunk.n > 0)
    {
      rc = flush_chunk (self, session_id);
      if (rc != SQLITE_DONE)
        goto fail;
    }

  sqlite3_bind_int64 (self->count, 1, n_records);
  sqlite3_bind_int64 (self->count, 2, (sqlite3_int64) bytes);
  sqlite3_bind_int64 (self->count, 3, (sqlite3_int64) messages);
  sqlite3_bind_int64 (self->count, 4, session_id);
  rc = sqlite3_step (self->count);
  sqlite3_reset (self->count);
  if (rc != SQLITE_DONE)
    goto fail;
  if (sqlite3_changes (self->db) == 0)
    {
      rollback (self);
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
                   _("No recorded session %" PRId64 " in %s"), (int64_t) session_id, self->path);
      return FALSE;
    }

  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    return TRUE;

fail:
  sonde_store_sqlite_set_error (self, rc, error);
  sonde_chunk_writer_reset (&self->chunk);
  rollback (self);
  /* Out of room: move what the WAL holds into the database and truncate
   * it, so that a small append after (the recorder's "recording stopped")
   * may still fit. Best effort. */
  if (error_code (self->path, rc) == SONDE_STORE_ERROR_DISK_FULL)
    sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
sonde_store_sqlite_end_session (SondeStore           *store,
                                gint64                session_id,
                                gint64                end_us,
                                int                   close_code,
                                const char           *close_reason,
                                SondeStoreInitiator   initiator,
                                GError              **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = NULL;

  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  if (!sonde_store_sqlite_prepare (self, "UPDATE sessions SET end_us = ?, close_code = ?, close_reason = ?, initiator = ? WHERE id = ?",
                &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, end_us);
  sqlite3_bind_int (stmt, 2, close_code);
  sqlite3_bind_text (stmt, 3, close_reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, initiator);
  sqlite3_bind_int64 (stmt, 5, session_id);
  return step_session_change (self, stmt, session_id, error);
}

static GPtrArray *
sonde_store_sqlite_list_sessions (SondeStore  *store,
                                  GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_list_sessions_locked (self, error);
}

static SondeStoreSession *
sonde_store_sqlite_get_session (SondeStore  *store,
                                gint64       session_id,
                                GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_get_session_locked (self, session_id, error);
}

static gboolean
sonde_store_sqlite_read_records (SondeStore            *store,
                                 gint64                 session_id,
                                 guint64                from_seq,
                                 SondeStoreRecordFunc   func,
                                 gpointer               user_data,
                                 GError               **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_read_records_locked (self, session_id, from_seq, func, user_data, error);
}

static gboolean
sonde_store_sqlite_scan_records (SondeStore            *store,
                                 gint64                 session_id,
                                 guint64                from_seq,
                                 SondeStoreFilterFunc   filter,
                                 SondeStoreRecordFunc   func,
                                 gpointer               user_data,
                                 GError               **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_scan_records_locked (self, session_id, from_seq, filter, func, user_data, error);
}

static gboolean
sonde_store_sqlite_seek_time (SondeStore  *store,
                              gint64       session_id,
                              gint64       wall_us,
                              guint64     *out_seq,
                              GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_seek_time_locked (self, session_id, wall_us, out_seq, error);
}
static gboolean
delete_one (SondeStoreSqlite  *self,
            gint64             session_id,
            GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error))
    return FALSE;
  if (!sonde_store_sqlite_prepare (self, "DELETE FROM chunks WHERE key BETWEEN ? AND ?", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, KEY (session_id, 0));
  sqlite3_bind_int64 (stmt, 2, KEY (session_id, MAX_SEQ));
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }

  if (!sonde_store_sqlite_prepare (self, "DELETE FROM sessions WHERE id = ?", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  return step_session_change (self, stmt, session_id, error);
}

static gboolean
sonde_store_sqlite_delete_session (SondeStore  *store,
                                   gint64       session_id,
                                   GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!delete_one (self, session_id, error) || !exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  /* Give the freed pages back to the file system. */
  sqlite3_exec (self->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
  return TRUE;
}

static gboolean
sonde_store_sqlite_prune (SondeStore  *store,
                          guint64      max_bytes,
                          gint64       older_than_us,
                          gint64       keep_session_id,
                          guint       *out_n_deleted,
                          GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) sessions = NULL;
  guint64 total = 0;
  guint n_deleted = 0;

  if (out_n_deleted != NULL)
    *out_n_deleted = 0;
  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  sessions = sonde_store_sqlite_list_sessions_locked (self, error);
  if (sessions == NULL)
    return FALSE;
  for (guint i = 0; i < sessions->len; i++)
    total += ((SondeStoreSession *) g_ptr_array_index (sessions, i))->bytes;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  /* Oldest first: the age limit, then the budget. */
  for (guint i = 0; i < sessions->len; i++)
    {
      SondeStoreSession *session = g_ptr_array_index (sessions, i);
      gboolean too_old = older_than_us > 0 && session->start_us < older_than_us;
      gboolean over_budget = max_bytes > 0 && total > max_bytes;

      if (session->id == keep_session_id || !(too_old || over_budget))
        continue;
      if (!delete_one (self, session->id, error))
        {
          rollback (self);
          return FALSE;
        }
      total -= session->bytes;
      n_deleted++;
    }
  if (!exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  sqlite3_exec (self->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
  if (out_n_deleted != NULL)
    *out_n_deleted = n_deleted;
  return TRUE;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static guint64
sonde_store_sqlite_get_size (SondeStore *store)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);

  return file_size (self->path) + file_size (wal);
}

static gboolean
sonde_store_sqlite_is_read_only (SondeStore *store)
{
  return SONDE_STORE_SQLITE (store)->read_only;
}

static void
sonde_store_sqlite_iface_init (SondeStoreInterface *iface)
{
  iface->begin_session = sonde_store_sqlite_begin_session;
  iface->append = sonde_store_sqlite_append;
  iface->end_session = sonde_store_sqlite_end_session;
  iface->list_sessions = sonde_store_sqlite_list_sessions;
  iface->read_records = sonde_store_sqlite_read_records;
  iface->delete_session = sonde_store_sqlite_delete_session;
  iface->prune = sonde_store_sqlite_prune;
  iface->get_size = sonde_store_sqlite_get_size;
  iface->is_read_only = sonde_store_sqlite_is_read_only;
  iface->get_session = sonde_store_sqlite_get_session;
  iface->seek_time = sonde_store_sqlite_seek_time;
  iface->scan_records = sonde_store_sqlite_scan_records;
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

static void
sonde_store_sqlite_finalize (GObject *object)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (object);

  close_db (self);
  sonde_chunk_writer_clear (&self->chunk);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  if (self->canonical != NULL)
    {
      Writer *writer;

      g_mutex_lock (&writers_lock);
      writer = g_hash_table_lookup (writers, self->canonical);
      if (writer != NULL && writer->store == self)
        g_hash_table_remove (writers, self->canonical);
      g_cond_broadcast (&writers_cond);
      g_mutex_unlock (&writers_lock);
      g_free (self->canonical);
    }
  g_clear_error (&self->notice);
  g_free (self->path);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sonde_store_sqlite_parent_class)->finalize (object);
}

static void
sonde_store_sqlite_class_init (SondeStoreSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_store_sqlite_finalize;
}

static void
sonde_store_sqlite_init (SondeStoreSqlite *self)
{
  g_rec_mutex_init (&self->lock);
  sonde_chunk_writer_init (&self->chunk);
  self->lock_fd = -1;
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

  close_db (self);
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
