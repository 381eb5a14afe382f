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
 * beside the writer. The read side is in sonde-store-sqlite-read.c, opening
 * (schema, repair, the table of writers) in sonde-store-sqlite-open.c.
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

SondeStoreError
sonde_store_sqlite_error_code (const char *path,
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
  SondeStoreError code = sonde_store_sqlite_error_code (self->path, rc);
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

gboolean
sonde_store_sqlite_exec (SondeStoreSqlite  *self,
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

void
sonde_store_sqlite_rollback (SondeStoreSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
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
  if (!sonde_store_sqlite_check_session_id (self, session_id, error) || !sonde_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
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
          sonde_store_sqlite_rollback (self);
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
      sonde_store_sqlite_rollback (self);
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
  sonde_store_sqlite_rollback (self);
  /* Out of room: move what the WAL holds into the database and truncate
   * it, so that a small append after (the recorder's "recording stopped")
   * may still fit. Best effort. */
  if (sonde_store_sqlite_error_code (self->path, rc) == SONDE_STORE_ERROR_DISK_FULL)
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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_sqlite_list_sessions_locked (self, error);
}

static SondeStoreSession *
sonde_store_sqlite_get_session (SondeStore  *store,
                                gint64       session_id,
                                GError     **error)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

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
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  if (self->read_only)
    {
      sonde_store_sqlite_set_error (self, SQLITE_READONLY, error);
      return FALSE;
    }
  if (!sonde_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!delete_one (self, session_id, error) || !sonde_store_sqlite_exec (self, "COMMIT", error))
    {
      sonde_store_sqlite_rollback (self);
      return FALSE;
    }
  /* Give the freed pages back to the file system. */
  sqlite3_exec (self->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
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
  iface->get_size = sonde_store_sqlite_get_size;
  iface->is_read_only = sonde_store_sqlite_is_read_only;
  iface->get_session = sonde_store_sqlite_get_session;
  iface->seek_time = sonde_store_sqlite_seek_time;
  iface->scan_records = sonde_store_sqlite_scan_records;
}

static void
sonde_store_sqlite_finalize (GObject *object)
{
  SondeStoreSqlite *self = SONDE_STORE_SQLITE (object);

  sonde_store_sqlite_close_db (self);
  sonde_chunk_writer_clear (&self->chunk);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  sonde_store_sqlite_forget_writer (self);
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

