/* sonde-store-postgres-read.c: SondeStorePostgres's read side: sessions,
 * records (decoded from their chunks here, as SondeStoreSqlite does), and
 * jumping to a time
 *
 * Called with the store's lock held (see sonde-store-postgres.c). Records
 * are read a page of chunks at a time, so that a session of any size
 * costs a page of memory, and the callbacks may call the store again.
 * A connection lost since the last call is made again first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "sonde-store-postgres-private.h"

/* Chunks per page: ≤ 64 × 64 KiB of payload in memory. */
#define PAGE_CHUNKS 64

#define SESSION_COLUMNS "id, profile_id, profile_name, url, start_us, end_us, records, bytes," \
                        " close_code, close_reason, initiator, messages"

static char *
dup_or_null (const PGresult *result,
             int             row,
             int             column)
{
  return PQgetisnull (result, row, column) ? NULL : g_strdup (PQgetvalue (result, row, column));
}

static gint64
int_value (const PGresult *result,
           int             row,
           int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static SondeStoreSession *
session_from_row (const PGresult *result,
                  int             row)
{
  SondeStoreSession *session = g_new0 (SondeStoreSession, 1);

  session->id = int_value (result, row, 0);
  session->profile_id = dup_or_null (result, row, 1);
  session->profile_name = dup_or_null (result, row, 2);
  session->url = dup_or_null (result, row, 3);
  session->start_us = int_value (result, row, 4);
  session->end_us = int_value (result, row, 5);
  session->records = (guint64) int_value (result, row, 6);
  session->bytes = (guint64) int_value (result, row, 7);
  session->close_code = (int) int_value (result, row, 8);
  session->close_reason = dup_or_null (result, row, 9);
  session->initiator = CLAMP (int_value (result, row, 10), SONDE_STORE_ENDED_UNKNOWN, SONDE_STORE_ENDED_BY_ERROR);
  session->messages = (guint64) int_value (result, row, 11);
  return session;
}

GPtrArray *
sonde_store_postgres_list_sessions_locked (SondeStorePostgres  *self,
                                           GError             **error)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_store_session_free);
  PGresult *result;

  if (!sonde_store_postgres_ensure (self, error))
    return NULL;
  result = sonde_store_postgres_exec (self, "SELECT " SESSION_COLUMNS " FROM sessions ORDER BY start_us, id",
                                      0, NULL, FALSE, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (sessions, session_from_row (result, i));
  PQclear (result);
  return g_steal_pointer (&sessions);
}

SondeStoreSession *
sonde_store_postgres_get_session_locked (SondeStorePostgres  *self,
                                         gint64               session_id,
                                         GError             **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  const char *params[] = { id };
  SondeStoreSession *session = NULL;
  PGresult *result;

  if (!sonde_store_postgres_check_session_id (self, session_id, error)
      || !sonde_store_postgres_ensure (self, error))
    return NULL;
  result = sonde_store_postgres_exec (self, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = $1",
                                      1, params, FALSE, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) == 1)
    session = session_from_row (result, 0);
  else
    sonde_store_postgres_set_not_found (self, session_id, error);
  PQclear (result);
  return session;
}

static void
set_damaged (SondeStorePostgres  *self,
             GError             **error)
{
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT,
               _("The database %s failed: %s"), self->masked, "a damaged chunk");
}

/* Opens a reader on a chunk row: key, first_wall_us, n, data (binary). */
static gboolean
chunk_reader_init (SondeChunkReader *reader,
                   const PGresult   *result,
                   int               row)
{
  gint64 key = sonde_store_postgres_int8 (result, row, 0);
  gint64 n;
  guint32 n32 = 0;

  if (PQgetlength (result, row, 2) != 4)
    return FALSE;
  memcpy (&n32, PQgetvalue (result, row, 2), 4);
  n = (gint32) GUINT32_FROM_BE (n32);
  return n > 0
         && sonde_chunk_reader_init (reader, (const guint8 *) PQgetvalue (result, row, 3),
                                     (gsize) PQgetlength (result, row, 3),
                                     (guint64) (key & SONDE_CHUNK_MAX_SEQ),
                                     sonde_store_postgres_int8 (result, row, 1), (guint) n);
}

static char *
key_text (gint64 key)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, key);
}

gboolean
sonde_store_postgres_run_records_locked (SondeStorePostgres    *self,
                                         gint64                 session_id,
                                         guint64                from_seq,
                                         SondeStoreFilterFunc   filter,
                                         SondeStoreRecordFunc   func,
                                         gpointer               user_data,
                                         GError               **error)
{
  g_autofree char *low = NULL;
  g_autofree char *from = NULL;
  g_autofree char *high = NULL;
  guint64 last_seq = 0;
  gboolean any = FALSE;
  gint64 next_key;
  PGresult *result;

  if (!sonde_store_postgres_check_session_id (self, session_id, error)
      || !sonde_store_postgres_ensure (self, error))
    return FALSE;
  from_seq = MIN (from_seq, (guint64) SONDE_CHUNK_MAX_SEQ);
  low = key_text (SONDE_CHUNK_KEY (session_id, 0));
  from = key_text (SONDE_CHUNK_KEY (session_id, from_seq));
  high = key_text (SONDE_CHUNK_KEY (session_id, SONDE_CHUNK_MAX_SEQ));

  /* The chunk that holds @from_seq starts at or before it. */
  {
    const char *params[] = { low, from };

    result = sonde_store_postgres_exec (self,
                                        "SELECT coalesce((SELECT key FROM chunks WHERE key BETWEEN $1 AND $2"
                                        " ORDER BY key DESC LIMIT 1), $2::bigint)",
                                        2, params, FALSE, PGRES_TUPLES_OK, error);
    if (result == NULL)
      return FALSE;
    next_key = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
    PQclear (result);
  }

  for (;;)
    {
      g_autofree char *start = key_text (next_key);
      const char *params[] = { start, high };
      int rows;

      result = sonde_store_postgres_exec (self,
                                          "SELECT key, first_wall_us, n, data FROM chunks"
                                          " WHERE key BETWEEN $1 AND $2 ORDER BY key LIMIT " G_STRINGIFY (PAGE_CHUNKS),
                                          2, params, TRUE, PGRES_TUPLES_OK, error);
      if (result == NULL)
        return FALSE;
      rows = PQntuples (result);
      for (int i = 0; i < rows; i++)
        {
          SondeChunkReader reader;
          SondeRecord record;
          int got;

          if (!chunk_reader_init (&reader, result, i))
            goto damaged;
          while ((got = sonde_chunk_reader_next (&reader, &record)) > 0)
            {
              if ((any && record.seq <= last_seq) || record.seq > (guint64) SONDE_CHUNK_MAX_SEQ)
                goto damaged;
              last_seq = record.seq;
              any = TRUE;
              if (record.seq < from_seq)
                continue;
              if (filter != NULL)
                {
                  SondeRecord seen = record;

                  seen.mono_us = 0;
                  seen.size = 0;
                  if (!filter (&seen, user_data))
                    continue;
                }
              if (!func (&record, user_data))
                {
                  PQclear (result);
                  return TRUE;
                }
            }
          if (got < 0)
            goto damaged;
        }
      if (rows < PAGE_CHUNKS)
        break;
      next_key = sonde_store_postgres_int8 (result, rows - 1, 0) + 1;
      PQclear (result);
    }
  PQclear (result);
  return TRUE;

damaged:
  PQclear (result);
  set_damaged (self, error);
  return FALSE;
}

/* wall_us has no index: the session's chunks are looked at in key order
 * on the server until one ends at or after @wall_us (wall time is nearly
 * monotonic within a session), then that chunk is read here. */
gboolean
sonde_store_postgres_seek_time_locked (SondeStorePostgres  *self,
                                       gint64               session_id,
                                       gint64               wall_us,
                                       guint64             *out_seq,
                                       GError             **error)
{
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  g_autofree char *wall = g_strdup_printf ("%" G_GINT64_FORMAT, wall_us);
  const char *params[3];
  SondeChunkReader reader;
  SondeRecord record;
  gboolean found = FALSE;
  int got = -1;
  PGresult *result;

  if (!sonde_store_postgres_check_session_id (self, session_id, error)
      || !sonde_store_postgres_ensure (self, error))
    return FALSE;
  low = key_text (SONDE_CHUNK_KEY (session_id, 0));
  high = key_text (SONDE_CHUNK_KEY (session_id, SONDE_CHUNK_MAX_SEQ));
  params[0] = low;
  params[1] = high;
  params[2] = wall;
  result = sonde_store_postgres_exec (self,
                                      "SELECT key, first_wall_us, n, data FROM chunks WHERE key = coalesce("
                                      " (SELECT key FROM chunks WHERE key BETWEEN $1 AND $2 AND last_wall_us >= $3"
                                      "  ORDER BY key LIMIT 1),"
                                      " (SELECT key FROM chunks WHERE key BETWEEN $1 AND $2 ORDER BY key DESC LIMIT 1))",
                                      3, params, TRUE, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 0)
    {
      PQclear (result);
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
                   _("No recorded messages in session %" PRId64 " of %s"), (int64_t) session_id, self->masked);
      return FALSE;
    }
  if (chunk_reader_init (&reader, result, 0))
    while ((got = sonde_chunk_reader_next (&reader, &record)) > 0)
      {
        *out_seq = record.seq;
        found = TRUE;
        if (record.wall_us >= wall_us)
          break;
      }
  PQclear (result);
  if (got < 0 || !found)
    {
      set_damaged (self, error);
      return FALSE;
    }
  return TRUE;
}
