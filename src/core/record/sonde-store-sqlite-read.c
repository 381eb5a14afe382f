/* sonde-store-sqlite-read.c: SondeStoreSqlite's read side: sessions,
 * records, and jumping to a time
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

#define SESSION_COLUMNS "id, profile_id, profile_name, url, start_us, end_us, messages, bytes," \
                        " close_code, close_reason, initiator"

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
  session->messages = (guint64) sqlite3_column_int64 (stmt, 6);
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

#define RECORD_COLUMNS "key, wall_us, mono_us, direction, kind, flags, size, payload"

/* Steps @stmt (taken), a query of RECORD_COLUMNS for @session_id from
 * @from_seq on, and hands each row to @func. */
static gboolean
run_records (SondeStoreSqlite      *self,
             sqlite3_stmt          *stmt,
             gint64                 session_id,
             guint64                from_seq,
             SondeStoreRecordFunc   func,
             gpointer               user_data,
             GError               **error)
{
  int rc;

  sqlite3_bind_int64 (stmt, 1, KEY (session_id, MIN (from_seq, (guint64) MAX_SEQ)));
  sqlite3_bind_int64 (stmt, 2, KEY (session_id, MAX_SEQ));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SondeRecord record = { 0 };
      const guint8 *data = sqlite3_column_blob (stmt, 7);

      record.seq = (guint64) (sqlite3_column_int64 (stmt, 0) & MAX_SEQ);
      record.wall_us = sqlite3_column_int64 (stmt, 1);
      record.mono_us = sqlite3_column_int64 (stmt, 2);
      record.direction = CLAMP (sqlite3_column_int (stmt, 3), SONDE_DIRECTION_IN, SONDE_DIRECTION_EVENT);
      record.kind = CLAMP (sqlite3_column_int (stmt, 4), 0, SONDE_MESSAGE_KIND_LAST);
      record.flags = sqlite3_column_int (stmt, 5);
      record.size = (gsize) sqlite3_column_int64 (stmt, 6);
      record.stored_size = sqlite3_column_bytes (stmt, 7);
      record.data = data != NULL ? data : (const guint8 *) "";
      if (!func (&record, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_finalize (stmt);
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
  sqlite3_stmt *stmt = NULL;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error)
      || !sonde_store_sqlite_prepare (self,
                                      "SELECT " RECORD_COLUMNS " FROM messages"
                                      " WHERE key BETWEEN ? AND ? ORDER BY key",
                                      &stmt, error))
    return FALSE;
  return run_records (self, stmt, session_id, from_seq, func, user_data, error);
}

/* sonde_filter(key, wall_us, direction, kind, flags, payload): the scan's
 * filter, run by SQLite on each row before it reads the row's other
 * columns. */
static void
filter_function (sqlite3_context  *context,
                 int               n_args,
                 sqlite3_value   **args)
{
  SondeStoreSqlite *self = sqlite3_user_data (context);
  const guint8 *data = sqlite3_value_blob (args[5]);
  SondeRecord record = {
    .seq = (guint64) (sqlite3_value_int64 (args[0]) & MAX_SEQ),
    .wall_us = sqlite3_value_int64 (args[1]),
    .direction = CLAMP (sqlite3_value_int (args[2]), SONDE_DIRECTION_IN, SONDE_DIRECTION_EVENT),
    .kind = CLAMP (sqlite3_value_int (args[3]), 0, SONDE_MESSAGE_KIND_LAST),
    .flags = sqlite3_value_int (args[4]),
    .stored_size = sqlite3_value_bytes (args[5]),
    .data = data != NULL ? data : (const guint8 *) "",
  };

  sqlite3_result_int (context, self->scan_filter == NULL || self->scan_filter (&record, self->scan_data));
}

gboolean
sonde_store_sqlite_register_filter (SondeStoreSqlite  *self,
                                    GError           **error)
{
  int rc = sqlite3_create_function (self->db, "sonde_filter", 6, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                    self, filter_function, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      sonde_store_sqlite_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_store_sqlite_scan_records_locked (SondeStoreSqlite      *self,
                                        gint64                 session_id,
                                        guint64                from_seq,
                                        SondeStoreFilterFunc   filter,
                                        SondeStoreRecordFunc   func,
                                        gpointer               user_data,
                                        GError               **error)
{
  SondeStoreFilterFunc outer_filter = self->scan_filter;
  gpointer outer_data = self->scan_data;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (!sonde_store_sqlite_check_session_id (self, session_id, error)
      || !sonde_store_sqlite_prepare (self,
                                      "SELECT " RECORD_COLUMNS " FROM messages WHERE key BETWEEN ? AND ?"
                                      " AND sonde_filter(key, wall_us, direction, kind, flags, payload) ORDER BY key",
                                      &stmt, error))
    return FALSE;
  /* A callback may scan again (the lock is recursive): the outer scan's
   * filter comes back after. */
  self->scan_filter = filter;
  self->scan_data = user_data;
  ok = run_records (self, stmt, session_id, from_seq, func, user_data, error);
  self->scan_filter = outer_filter;
  self->scan_data = outer_data;
  return ok;
}

/* The first row at or after @key (and ≤ @last): its key and wall time. */
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

/* wall_us has no index: wall time is nearly monotonic within a session,
 * so a binary search over the key space, one single-row seek in the rowid
 * tree per step (at most KEY_BITS of them), finds the first record at or
 * after @wall_us whatever the session's size. */
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
  if (!sonde_store_sqlite_prepare (self, "SELECT key, wall_us FROM messages WHERE key BETWEEN ? AND ?"
                                   " ORDER BY key LIMIT 1", &first, error))
    return FALSE;
  if (!sonde_store_sqlite_prepare (self, "SELECT key, wall_us FROM messages WHERE key BETWEEN ? AND ?"
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
      /* Nothing that late: the last record. */
      lo = hi;
    }
  else if (rc == SQLITE_ROW)
    {
      /* The smallest key whose next row is at or after @wall_us (the key
       * @hi's is): a row before it is earlier. */
      while (lo < hi)
        {
          gint64 mid = lo + (hi - lo) / 2;

          rc = probe (first, mid, KEY (session_id, MAX_SEQ), &key, &wall);
          if (rc != SQLITE_ROW)
            break;
          if (wall >= wall_us)
            hi = mid;
          else
            lo = key + 1;   /* no row between mid and key */
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
  *out_seq = (guint64) (lo & MAX_SEQ);
  return TRUE;
}
