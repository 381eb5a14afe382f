/* sonde-store-sqlite-read.c: SondeStoreSqlite's read side: sessions,
 * records (decoded from their chunks), and jumping to a time
 *
 * Called with the store's lock held (see sonde-store-sqlite.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "sonde-store-sqlite-private.h"

#define SESSION_COLUMNS "id, profile_id, profile_name, url, start_us, end_us, records, bytes," \
                        " close_code, close_reason, initiator, messages"

static SondeStoreSession *
session_from_row (sqlite3_stmt *stmt)
{
  SondeStoreSession *session = g_new0 (SondeStoreSession, 1);

  session->id = sqlite3_column_int64 (stmt, 0);
  session->profile_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  session->profile_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  session->url = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  session->start_us = sqlite3_column_int64 (stmt, 4);
  session->end_us = sqlite3_column_int64 (stmt, 5);
  session->records = (guint64) sqlite3_column_int64 (stmt, 6);
  session->messages = (guint64) sqlite3_column_int64 (stmt, 11);
  session->bytes = (guint64) sqlite3_column_int64 (stmt, 7);
  session->close_code = sqlite3_column_int (stmt, 8);
  session->close_reason = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  session->initiator = CLAMP (sqlite3_column_int (stmt, 10), SONDE_STORE_ENDED_UNKNOWN, SONDE_STORE_ENDED_BY_ERROR);
  return session;
}

static void
set_not_found (SondeStoreSqlite  *self,
               gint64             session_id,
               GError           **error)
{
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
               _("No recorded session %" PRId64 " in %s"), (int64_t) session_id, self->path);
}

GPtrArray *
sonde_store_sqlite_list_sessions_locked (SondeStoreSqlite  *self,
                                         GError           **error)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_store_session_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sonde_store_sqlite_prepare (self, "SELECT " SESSION_COLUMNS " FROM sessions ORDER BY start_us, id",
                                   &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (sessions, session_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&sessions);
}

SondeStoreSession *
sonde_store_sqlite_get_session_locked (SondeStoreSqlite  *self,
                                       gint64             session_id,
                                       GError           **error)
{
  SondeStoreSession *session = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error)
      || !sonde_store_sqlite_prepare (self, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?",
                                      &stmt, error))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    session = session_from_row (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    set_not_found (self, session_id, error);
  else if (rc != SQLITE_ROW)
    sonde_store_sqlite_set_error (self, rc, error);
  return session;
}

static void
set_damaged (SondeStoreSqlite  *self,
             GError           **error)
{
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT,
               _("The recording %s failed: %s"), self->path, "a damaged chunk");
}

/* The chunks of @session_id that hold seqs ≥ ?2: from the one that starts
 * at or before it (found with one seek), in seq order. */
#define CHUNKS_FROM \
  "SELECT key, first_wall_us, n, data FROM chunks WHERE key BETWEEN" \
  " coalesce((SELECT key FROM chunks WHERE key BETWEEN ?1 AND ?2 ORDER BY key DESC LIMIT 1), ?2)" \
  " AND ?3 ORDER BY key"

/* Opens a reader on the chunk @stmt stands on (columns as CHUNKS_FROM). */
static gboolean
chunk_reader_init (SondeChunkReader *reader,
                   sqlite3_stmt     *stmt,
                   int               first_column)
{
  gint64 n = sqlite3_column_int64 (stmt, first_column + 2);

  return n > 0 && n <= G_MAXUINT
         && sonde_chunk_reader_init (reader, sqlite3_column_blob (stmt, first_column + 3),
                                     sqlite3_column_bytes (stmt, first_column + 3),
                                     (guint64) (sqlite3_column_int64 (stmt, first_column) & MAX_SEQ),
                                     sqlite3_column_int64 (stmt, first_column + 1), (guint) n);
}

/* Hands the records of @session_id with seq ≥ @from_seq that @filter (when
 * not NULL) accepts to @func, chunk by chunk, decoded here. */
static gboolean
run_records (SondeStoreSqlite      *self,
             gint64                 session_id,
             guint64                from_seq,
             SondeStoreFilterFunc   filter,
             SondeStoreRecordFunc   func,
             gpointer               user_data,
             GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  guint64 last_seq = 0;
  gboolean any = FALSE;
  gboolean damaged = FALSE;
  int rc;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error)
      || !sonde_store_sqlite_prepare (self, CHUNKS_FROM, &stmt, error))
    return FALSE;
  from_seq = MIN (from_seq, (guint64) MAX_SEQ);
  sqlite3_bind_int64 (stmt, 1, KEY (session_id, 0));
  sqlite3_bind_int64 (stmt, 2, KEY (session_id, from_seq));
  sqlite3_bind_int64 (stmt, 3, KEY (session_id, MAX_SEQ));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SondeChunkReader reader;
      SondeRecord record;
      gboolean stop = FALSE;
      int got;

      if (!chunk_reader_init (&reader, stmt, 0))
        {
          damaged = TRUE;
          break;
        }
      while ((got = sonde_chunk_reader_next (&reader, &record)) > 0)
        {
          /* Chunks follow each other: a seq that goes back is damage. */
          if ((any && record.seq <= last_seq) || record.seq > MAX_SEQ)
            {
              got = -1;
              break;
            }
          last_seq = record.seq;
          any = TRUE;
          if (record.seq < from_seq)
            continue;
          if (filter != NULL)
            {
              /* What the interface promises a filter sees. */
              SondeRecord seen = record;

              seen.mono_us = 0;
              seen.size = 0;
              if (!filter (&seen, user_data))
                continue;
            }
          if (!func (&record, user_data))
            {
              stop = TRUE;
              break;
            }
        }
      if (got < 0)
        {
          damaged = TRUE;
          break;
        }
      if (stop)
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_finalize (stmt);
  if (damaged)
    {
      set_damaged (self, error);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_store_sqlite_read_records_locked (SondeStoreSqlite      *self,
                                        gint64                 session_id,
                                        guint64                from_seq,
                                        SondeStoreRecordFunc   func,
                                        gpointer               user_data,
                                        GError               **error)
{
  return run_records (self, session_id, from_seq, NULL, func, user_data, error);
}

/* The filter runs here, on each record as it is decoded: no copy is made
 * of a record it turns down. */
gboolean
sonde_store_sqlite_scan_records_locked (SondeStoreSqlite      *self,
                                        gint64                 session_id,
                                        guint64                from_seq,
                                        SondeStoreFilterFunc   filter,
                                        SondeStoreRecordFunc   func,
                                        gpointer               user_data,
                                        GError               **error)
{
  return run_records (self, session_id, from_seq, filter, func, user_data, error);
}

/* The first chunk at or after @key (and ≤ @last): its key and last wall
 * time. */
static int
probe (sqlite3_stmt *stmt,
       gint64        key,
       gint64        last,
       gint64       *out_key,
       gint64       *out_wall_us)
{
  int rc;

  sqlite3_bind_int64 (stmt, 1, key);
  sqlite3_bind_int64 (stmt, 2, last);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_key = sqlite3_column_int64 (stmt, 0);
      *out_wall_us = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  return rc;
}

/* In the chunk at @key, the seq of the first record at or after @wall_us,
 * or of its last record. */
static gboolean
seek_in_chunk (SondeStoreSqlite  *self,
               gint64             key,
               gint64             wall_us,
               guint64           *out_seq,
               GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  SondeChunkReader reader;
  SondeRecord record;
  gboolean found = FALSE;
  int got = -1;
  int rc;

  if (!sonde_store_sqlite_prepare (self, "SELECT key, first_wall_us, n, data FROM chunks WHERE key = ?",
                                   &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && chunk_reader_init (&reader, stmt, 0))
    while ((got = sonde_chunk_reader_next (&reader, &record)) > 0)
      {
        *out_seq = record.seq;
        found = TRUE;
        if (record.wall_us >= wall_us)
          break;
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      sonde_store_sqlite_set_error (self, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, error);
      return FALSE;
    }
  if (got < 0 || !found)
    {
      set_damaged (self, error);
      return FALSE;
    }
  return TRUE;
}

/* wall_us has no index: wall time is nearly monotonic within a session,
 * so a binary search over the key space, one single-row seek in the rowid
 * tree per step (at most KEY_BITS of them), finds the first chunk whose
 * last record is at or after @wall_us whatever the session's size, and
 * that chunk the record. */
gboolean
sonde_store_sqlite_seek_time_locked (SondeStoreSqlite  *self,
                                     gint64             session_id,
                                     gint64             wall_us,
                                     guint64           *out_seq,
                                     GError           **error)
{
  sqlite3_stmt *first = NULL;
  sqlite3_stmt *last = NULL;
  gint64 lo, hi, key = 0, wall = 0;
  int rc;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error))
    return FALSE;
  if (!sonde_store_sqlite_prepare (self, "SELECT key, last_wall_us FROM chunks WHERE key BETWEEN ? AND ?"
                                   " ORDER BY key LIMIT 1", &first, error))
    return FALSE;
  if (!sonde_store_sqlite_prepare (self, "SELECT key, last_wall_us FROM chunks WHERE key BETWEEN ? AND ?"
                                   " ORDER BY key DESC LIMIT 1", &last, error))
    {
      sqlite3_finalize (first);
      return FALSE;
    }

  rc = probe (first, KEY (session_id, 0), KEY (session_id, MAX_SEQ), &lo, &wall);
  if (rc == SQLITE_ROW)
    rc = probe (last, KEY (session_id, 0), KEY (session_id, MAX_SEQ), &hi, &wall);
  if (rc == SQLITE_ROW && wall < wall_us)
    {
      /* Nothing that late: the last chunk's last record. */
      lo = hi;
    }
  else if (rc == SQLITE_ROW)
    {
      /* The smallest key whose next chunk ends at or after @wall_us (the
       * key @hi's does): a chunk before it ends earlier. */
      while (lo < hi)
        {
          gint64 mid = lo + (hi - lo) / 2;

          rc = probe (first, mid, KEY (session_id, MAX_SEQ), &key, &wall);
          if (rc != SQLITE_ROW)
            break;
          if (wall >= wall_us)
            hi = mid;
          else
            lo = key + 1;   /* no chunk between mid and key */
        }
      if (rc == SQLITE_ROW)
        rc = probe (first, lo, KEY (session_id, MAX_SEQ), &lo, &wall);
    }
  sqlite3_finalize (first);
  sqlite3_finalize (last);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
                   _("No recorded messages in session %" PRId64 " of %s"), (int64_t) session_id, self->path);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  return seek_in_chunk (self, lo, wall_us, out_seq, error);
}
