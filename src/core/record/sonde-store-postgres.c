/* sonde-store-postgres.c: a SondeStore in a PostgreSQL database
 *
 * The tables of SondeStoreSqlite (sessions; records packed into chunks by
 * sonde-store-chunk.c, one row each, keyed by session × 2^40 + first seq),
 * so that everything that reads a SondeStore reads this one unchanged. One
 * libpq connection per store, used under the store's lock by one thread at
 * a time. An append is one transaction: its chunks go in with COPY … FROM
 * STDIN (binary) or one multi-row INSERT, then the session's counters.
 * A connection lost (the server restarted) fails the call that found it
 * with SONDE_STORE_ERROR_UNREACHABLE and is made again by the next one;
 * SondeRecorder keeps the batch and tries again. When the answer to a
 * COMMIT was lost, the next append of that session first looks at what
 * the database holds and leaves out what is there already, so a batch
 * tried again is stored once. Opening, errors, the schema and the writers
 * shared within a process are in sonde-store-postgres-open.c, the read
 * side in sonde-store-postgres-read.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-store-postgres-private.h"

/* How long a measured size holds (get_size is asked after every batch). */
#define SIZE_INTERVAL_US (2 * G_USEC_PER_SEC)

#define OID_INT8  20
#define OID_INT4  23
#define OID_BYTEA 17

static void sonde_store_postgres_iface_init (SondeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeStorePostgres, sonde_store_postgres, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SONDE_TYPE_STORE, sonde_store_postgres_iface_init))

PGresult *
sonde_store_postgres_exec (SondeStorePostgres  *self,
                           const char          *sql,
                           int                  n_params,
                           const char * const  *params,
                           gboolean             binary,
                           ExecStatusType       expect,
                           GError             **error)
{
  PGresult *result = PQexecParams (self->conn, sql, n_params, NULL, params, NULL, NULL, binary ? 1 : 0);

  if (PQresultStatus (result) != expect)
    {
      sonde_store_postgres_set_error (self, result, error);
      PQclear (result);
      return NULL;
    }
  return result;
}

/* One or more statements, no parameters, nothing returned. */
gboolean
sonde_store_postgres_command (SondeStorePostgres  *self,
                              const char          *sql,
                              GError             **error)
{
  PGresult *result = PQexec (self->conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    sonde_store_postgres_set_error (self, result, error);
  PQclear (result);
  return ok;
}

void
sonde_store_postgres_rollback (SondeStorePostgres *self)
{
  PGTransactionStatusType status = PQtransactionStatus (self->conn);

  if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

void
sonde_store_postgres_set_not_found (SondeStorePostgres  *self,
                                    gint64               session_id,
                                    GError             **error)
{
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND,
               _("No recorded session %" PRId64 " in %s"), (int64_t) session_id, self->masked);
}

gboolean
sonde_store_postgres_check_session_id (SondeStorePostgres  *self,
                                       gint64               session_id,
                                       GError             **error)
{
  if (session_id > 0 && session_id <= SONDE_CHUNK_MAX_SESSION)
    return TRUE;
  sonde_store_postgres_set_not_found (self, session_id, error);
  return FALSE;
}

gint64
sonde_store_postgres_int8 (const PGresult *result,
                           int             row,
                           int             column)
{
  guint64 value = 0;

  if (PQgetlength (result, row, column) == 8)
    memcpy (&value, PQgetvalue (result, row, column), 8);
  return (gint64) GUINT64_FROM_BE (value);
}

static gboolean
refuse_write (SondeStorePostgres  *self,
              GError             **error)
{
  if (!self->read_only)
    return FALSE;
  g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY,
               _("The database %s is open for reading only"), self->masked);
  return TRUE;
}

static gboolean
sonde_store_postgres_begin_session (SondeStore  *store,
                                    const char  *profile_id,
                                    const char  *profile_name,
                                    const char  *masked_url,
                                    gint64       start_us,
                                    gint64      *out_id,
                                    GError     **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, start_us);
  const char *params[] = { profile_id, profile_name, masked_url, start };
  PGresult *result;

  if (refuse_write (self, error) || !sonde_store_postgres_ensure (self, error))
    return FALSE;
  result = sonde_store_postgres_exec (self,
                                      "INSERT INTO sessions (profile_id, profile_name, url, start_us)"
                                      " VALUES ($1, $2, $3, $4) RETURNING id",
                                      4, params, FALSE, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return FALSE;
  *out_id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  if (*out_id <= 0 || *out_id > SONDE_CHUNK_MAX_SESSION)
    {
      g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                   _("The database %s failed: %s"), self->masked, "too many sessions");
      return FALSE;
    }
  return TRUE;
}

/* The session's last seq stored (@out_any FALSE when it has none): known
 * to this writer, or asked. */
static gboolean
session_last_seq (SondeStorePostgres  *self,
                  gint64               session_id,
                  gboolean            *out_any,
                  guint64             *out_seq,
                  GError             **error)
{
  g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, SONDE_CHUNK_KEY (session_id, 0));
  g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, SONDE_CHUNK_KEY (session_id, SONDE_CHUNK_MAX_SEQ));
  const char *params[] = { low, high };
  gint64 *known = g_hash_table_lookup (self->last_seqs, &session_id);
  PGresult *result;

  if (known != NULL)
    {
      *out_any = *known >= 0;
      *out_seq = *known >= 0 ? (guint64) *known : 0;
      return TRUE;
    }
  result = sonde_store_postgres_exec (self,
                                      "SELECT last_seq FROM chunks WHERE key BETWEEN $1 AND $2"
                                      " ORDER BY key DESC LIMIT 1",
                                      2, params, FALSE, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return FALSE;
  *out_any = PQntuples (result) == 1;
  *out_seq = *out_any ? (guint64) g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) : 0;
  PQclear (result);
  return TRUE;
}

static void
remember_last_seq (SondeStorePostgres *self,
                   gint64              session_id,
                   gboolean            any,
                   guint64             seq)
{
  gint64 *key = g_new (gint64, 1);
  gint64 *value = g_new (gint64, 1);

  *key = session_id;
  *value = any ? (gint64) seq : -1;
  g_hash_table_replace (self->last_seqs, key, value);
}

static void
put_be16 (GByteArray *out,
          guint16     value)
{
  value = GUINT16_TO_BE (value);
  g_byte_array_append (out, (const guint8 *) &value, 2);
}

static void
put_be32 (GByteArray *out,
          guint32     value)
{
  value = GUINT32_TO_BE (value);
  g_byte_array_append (out, (const guint8 *) &value, 4);
}

static void
put_int8_field (GByteArray *out,
                gint64      value)
{
  guint64 be = GUINT64_TO_BE ((guint64) value);

  put_be32 (out, 8);
  g_byte_array_append (out, (const guint8 *) &be, 8);
}

/* The chunk packed so far becomes a row of the append. */
static void
finish_chunk (SondeStorePostgres *self,
              gint64              session_id)
{
  SondeChunkWriter *chunk = &self->chunk;
  RowInfo row = {
    .key = SONDE_CHUNK_KEY (session_id, chunk->first_seq),
    .last_seq = (gint64) chunk->last_seq,
    .first_wall_us = chunk->first_wall_us,
    .last_wall_us = chunk->last_wall_us,
    .n = chunk->n,
  };

  if (self->write == SONDE_STORE_POSTGRES_COPY)
    {
      /* A tuple of COPY's binary format: field count, then each field's
       * length and bytes in network order. */
      put_be16 (self->rows, 6);
      put_int8_field (self->rows, row.key);
      put_int8_field (self->rows, row.last_seq);
      put_int8_field (self->rows, row.first_wall_us);
      put_int8_field (self->rows, row.last_wall_us);
      put_be32 (self->rows, 4);
      put_be32 (self->rows, (guint32) row.n);
      put_be32 (self->rows, chunk->data->len);
    }
  row.offset = self->rows->len;
  row.length = chunk->data->len;
  g_byte_array_append (self->rows, chunk->data->data, chunk->data->len);
  g_array_append_val (self->row_info, row);
  sonde_chunk_writer_reset (chunk);
}

static const char copy_header[] = "PGCOPY\n\377\r\n";

static gboolean
send_copy (SondeStorePostgres  *self,
           GError             **error)
{
  PGresult *result;
  guint8 trailer[2] = { 0xff, 0xff };
  gboolean ok;

  result = PQexec (self->conn, "COPY chunks (key, last_seq, first_wall_us, last_wall_us, n, data)"
                               " FROM STDIN (FORMAT binary)");
  if (PQresultStatus (result) != PGRES_COPY_IN)
    {
      sonde_store_postgres_set_error (self, result, error);
      PQclear (result);
      return FALSE;
    }
  PQclear (result);
  ok = PQputCopyData (self->conn, (const char *) self->rows->data, (int) self->rows->len) == 1
       && PQputCopyData (self->conn, (const char *) trailer, sizeof trailer) == 1
       && PQputCopyEnd (self->conn, NULL) == 1;
  result = PQgetResult (self->conn);
  if (!ok || PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      sonde_store_postgres_set_error (self, result, error);
      PQclear (result);
      while ((result = PQgetResult (self->conn)) != NULL)
        PQclear (result);
      return FALSE;
    }
  PQclear (result);
  while ((result = PQgetResult (self->conn)) != NULL)
    PQclear (result);
  return TRUE;
}

static gboolean
send_insert (SondeStorePostgres  *self,
             GError             **error)
{
  guint n_rows = self->row_info->len;
  g_autoptr(GString) sql = g_string_new ("INSERT INTO chunks (key, last_seq, first_wall_us, last_wall_us, n, data) VALUES ");
  g_autofree guint64 *numbers = g_new (guint64, n_rows * 5);
  g_autofree const char **values = g_new (const char *, n_rows * 6);
  g_autofree int *lengths = g_new (int, n_rows * 6);
  g_autofree int *formats = g_new (int, n_rows * 6);
  g_autofree Oid *types = g_new (Oid, n_rows * 6);
  PGresult *result;

  for (guint i = 0; i < n_rows; i++)
    {
      const RowInfo *row = &g_array_index (self->row_info, RowInfo, i);
      gint64 fields[5] = { row->key, row->last_seq, row->first_wall_us, row->last_wall_us, row->n };
      guint p = i * 6;

      g_string_append_printf (sql, "%s($%u, $%u, $%u, $%u, $%u, $%u)", i > 0 ? ", " : "",
                              p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
      for (guint f = 0; f < 5; f++)
        {
          numbers[i * 5 + f] = GUINT64_TO_BE ((guint64) fields[f]);
          values[p + f] = (const char *) &numbers[i * 5 + f];
          lengths[p + f] = 8;
          formats[p + f] = 1;
          types[p + f] = OID_INT8;
        }
      values[p + 5] = (const char *) self->rows->data + row->offset;
      lengths[p + 5] = (int) row->length;
      formats[p + 5] = 1;
      types[p + 5] = OID_BYTEA;
    }
  result = PQexecParams (self->conn, sql->str, (int) n_rows * 6, types, values, lengths, formats, 0);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      sonde_store_postgres_set_error (self, result, error);
      PQclear (result);
      return FALSE;
    }
  PQclear (result);
  return TRUE;
}

/* Packs @records (those after @last_seq when @skip_stored) into the rows
 * of this append. */
static gboolean
pack (SondeStorePostgres  *self,
      gint64               session_id,
      const SondeRecord   *records,
      guint                n_records,
      gboolean             any,
      guint64              last_seq,
      gboolean             skip_stored,
      guint64             *out_stored,
      guint64             *out_bytes,
      guint64             *out_messages,
      guint64             *out_last_seq,
      GError             **error)
{
  g_byte_array_set_size (self->rows, 0);
  g_array_set_size (self->row_info, 0);
  sonde_chunk_writer_reset (&self->chunk);
  if (self->write == SONDE_STORE_POSTGRES_COPY)
    {
      g_byte_array_append (self->rows, (const guint8 *) copy_header, sizeof copy_header);
      put_be32 (self->rows, 0);   /* flags */
      put_be32 (self->rows, 0);   /* header extension */
    }

  *out_stored = *out_bytes = *out_messages = 0;
  for (guint i = 0; i < n_records; i++)
    {
      const SondeRecord *record = &records[i];

      if (skip_stored && any && record->seq <= last_seq)
        continue;
      if (record->seq > (guint64) SONDE_CHUNK_MAX_SEQ || (any && record->seq <= last_seq))
        {
          g_set_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_FAILED,
                       _("The database %s failed: %s"), self->masked,
                       record->seq > (guint64) SONDE_CHUNK_MAX_SEQ ? "seq out of range" : "seq not after the last one stored");
          return FALSE;
        }
      if (sonde_chunk_writer_is_full_for (&self->chunk, record))
        finish_chunk (self, session_id);
      sonde_chunk_writer_add (&self->chunk, record);
      last_seq = record->seq;
      any = TRUE;
      (*out_stored)++;
      *out_bytes += record->stored_size;
      if (record->direction != SONDE_DIRECTION_EVENT
          && (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY))
        (*out_messages)++;
    }
  if (self->chunk.n > 0)
    finish_chunk (self, session_id);
  *out_last_seq = last_seq;
  return TRUE;
}

static gboolean
sonde_store_postgres_append (SondeStore         *store,
                             gint64              session_id,
                             const SondeRecord  *records,
                             guint               n_records,
                             GError            **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autofree char *n_stored = NULL;
  g_autofree char *n_bytes = NULL;
  g_autofree char *n_messages = NULL;
  g_autofree char *id = NULL;
  guint64 stored = 0, bytes = 0, messages = 0, last_seq = 0, new_last = 0;
  gboolean any = FALSE;
  gboolean skip_stored;
  PGresult *result;

  if (refuse_write (self, error) || !sonde_store_postgres_check_session_id (self, session_id, error)
      || !sonde_store_postgres_ensure (self, error))
    return FALSE;
  /* A COMMIT whose answer was lost: ask what is there. */
  skip_stored = self->uncertain;
  if (skip_stored)
    g_hash_table_remove_all (self->last_seqs);
  if (!session_last_seq (self, session_id, &any, &last_seq, error)
      || !pack (self, session_id, records, n_records, any, last_seq, skip_stored,
                &stored, &bytes, &messages, &new_last, error))
    return FALSE;
  if (stored == 0)
    {
      self->uncertain = FALSE;
      return TRUE;
    }

  if (!sonde_store_postgres_command (self, "BEGIN", error))
    return FALSE;
  if (!(self->write == SONDE_STORE_POSTGRES_COPY ? send_copy (self, error) : send_insert (self, error)))
    goto fail;

  n_stored = g_strdup_printf ("%" G_GUINT64_FORMAT, stored);
  n_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  n_messages = g_strdup_printf ("%" G_GUINT64_FORMAT, messages);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  {
    const char *counts[] = { n_stored, n_bytes, n_messages, id };

    result = sonde_store_postgres_exec (self,
                                        "UPDATE sessions SET records = records + $1, bytes = bytes + $2,"
                                        " messages = messages + $3 WHERE id = $4",
                                        4, counts, FALSE, PGRES_COMMAND_OK, error);
  }
  if (result == NULL)
    goto fail;
  if (g_str_equal (PQcmdTuples (result), "0"))
    {
      PQclear (result);
      sonde_store_postgres_rollback (self);
      sonde_store_postgres_set_not_found (self, session_id, error);
      return FALSE;
    }
  PQclear (result);

  result = PQexec (self->conn, "COMMIT");
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      /* No answer: it may have taken or not. */
      if (PQstatus (self->conn) != CONNECTION_OK)
        self->uncertain = TRUE;
      sonde_store_postgres_set_error (self, result, error);
      PQclear (result);
      g_hash_table_remove (self->last_seqs, &session_id);
      return FALSE;
    }
  PQclear (result);
  self->uncertain = FALSE;
  remember_last_seq (self, session_id, TRUE, new_last);
  return TRUE;

fail:
  sonde_store_postgres_rollback (self);
  g_hash_table_remove (self->last_seqs, &session_id);
  return FALSE;
}

static gboolean
sonde_store_postgres_end_session (SondeStore           *store,
                                  gint64                session_id,
                                  gint64                end_us,
                                  int                   close_code,
                                  const char           *close_reason,
                                  SondeStoreInitiator   initiator,
                                  GError              **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autofree char *end = g_strdup_printf ("%" G_GINT64_FORMAT, end_us);
  g_autofree char *code = g_strdup_printf ("%d", close_code);
  g_autofree char *who = g_strdup_printf ("%d", (int) initiator);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  const char *params[] = { end, code, close_reason, who, id };
  PGresult *result;
  gboolean found;

  if (refuse_write (self, error) || !sonde_store_postgres_ensure (self, error))
    return FALSE;
  result = sonde_store_postgres_exec (self,
                                      "UPDATE sessions SET end_us = $1, close_code = $2, close_reason = $3,"
                                      " initiator = $4 WHERE id = $5",
                                      5, params, FALSE, PGRES_COMMAND_OK, error);
  if (result == NULL)
    return FALSE;
  found = !g_str_equal (PQcmdTuples (result), "0");
  PQclear (result);
  if (!found)
    sonde_store_postgres_set_not_found (self, session_id, error);
  g_hash_table_remove (self->last_seqs, &session_id);
  return found;
}

static gboolean
sonde_store_postgres_delete_session (SondeStore  *store,
                                     gint64       session_id,
                                     GError     **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, SONDE_CHUNK_KEY (session_id, 0));
  g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, SONDE_CHUNK_KEY (session_id, SONDE_CHUNK_MAX_SEQ));
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  const char *range[] = { low, high };
  const char *params[] = { id };
  PGresult *result;
  gboolean found;

  if (refuse_write (self, error) || !sonde_store_postgres_check_session_id (self, session_id, error)
      || !sonde_store_postgres_ensure (self, error) || !sonde_store_postgres_command (self, "BEGIN", error))
    return FALSE;
  result = sonde_store_postgres_exec (self, "DELETE FROM chunks WHERE key BETWEEN $1 AND $2",
                                      2, range, FALSE, PGRES_COMMAND_OK, error);
  if (result == NULL)
    goto fail;
  PQclear (result);
  result = sonde_store_postgres_exec (self, "DELETE FROM sessions WHERE id = $1",
                                      1, params, FALSE, PGRES_COMMAND_OK, error);
  if (result == NULL)
    goto fail;
  found = !g_str_equal (PQcmdTuples (result), "0");
  PQclear (result);
  if (!found)
    {
      sonde_store_postgres_set_not_found (self, session_id, error);
      goto fail;
    }
  g_hash_table_remove (self->last_seqs, &session_id);
  return sonde_store_postgres_command (self, "COMMIT", error);

fail:
  sonde_store_postgres_rollback (self);
  return FALSE;
}

static GPtrArray *
sonde_store_postgres_list_sessions (SondeStore  *store,
                                    GError     **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_postgres_list_sessions_locked (self, error);
}

static SondeStoreSession *
sonde_store_postgres_get_session (SondeStore  *store,
                                  gint64       session_id,
                                  GError     **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_postgres_get_session_locked (self, session_id, error);
}

static gboolean
sonde_store_postgres_read_records (SondeStore            *store,
                                   gint64                 session_id,
                                   guint64                from_seq,
                                   SondeStoreRecordFunc   func,
                                   gpointer               user_data,
                                   GError               **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_postgres_run_records_locked (self, session_id, from_seq, NULL, func, user_data, error);
}

static gboolean
sonde_store_postgres_scan_records (SondeStore            *store,
                                   gint64                 session_id,
                                   guint64                from_seq,
                                   SondeStoreFilterFunc   filter,
                                   SondeStoreRecordFunc   func,
                                   gpointer               user_data,
                                   GError               **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_postgres_run_records_locked (self, session_id, from_seq, filter, func, user_data, error);
}

static gboolean
sonde_store_postgres_seek_time (SondeStore  *store,
                                gint64       session_id,
                                gint64       wall_us,
                                guint64     *out_seq,
                                GError     **error)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return sonde_store_postgres_seek_time_locked (self, session_id, wall_us, out_seq, error);
}

/* The tables' size on the server (data, indexes and TOAST), measured at
 * most every SIZE_INTERVAL_US; the last one known while disconnected. */
static guint64
sonde_store_postgres_get_size (SondeStore *store)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  gint64 now = g_get_monotonic_time ();
  PGresult *result;

  if (self->size_at_us != 0 && now - self->size_at_us < SIZE_INTERVAL_US)
    return self->size;
  if (self->conn == NULL || PQstatus (self->conn) != CONNECTION_OK)
    return self->size;
  self->size_at_us = now;
  result = sonde_store_postgres_exec (self,
                                      "SELECT pg_total_relation_size('chunks'::regclass)"
                                      " + pg_total_relation_size('sessions'::regclass)",
                                      0, NULL, FALSE, PGRES_TUPLES_OK, NULL);
  if (result != NULL)
    {
      self->size = (guint64) g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
    }
  return self->size;
}

static gboolean
sonde_store_postgres_is_read_only (SondeStore *store)
{
  return SONDE_STORE_POSTGRES (store)->read_only;
}

static void
sonde_store_postgres_iface_init (SondeStoreInterface *iface)
{
  iface->begin_session = sonde_store_postgres_begin_session;
  iface->append = sonde_store_postgres_append;
  iface->end_session = sonde_store_postgres_end_session;
  iface->list_sessions = sonde_store_postgres_list_sessions;
  iface->read_records = sonde_store_postgres_read_records;
  iface->delete_session = sonde_store_postgres_delete_session;
  iface->get_size = sonde_store_postgres_get_size;
  iface->is_read_only = sonde_store_postgres_is_read_only;
  iface->get_session = sonde_store_postgres_get_session;
  iface->seek_time = sonde_store_postgres_seek_time;
  iface->scan_records = sonde_store_postgres_scan_records;
}

static void
sonde_store_postgres_finalize (GObject *object)
{
  SondeStorePostgres *self = SONDE_STORE_POSTGRES (object);

  if (self->shared)
    sonde_store_postgres_forget_writer (self);

  g_clear_pointer (&self->conn, PQfinish);
  sonde_chunk_writer_clear (&self->chunk);
  g_clear_pointer (&self->rows, g_byte_array_unref);
  g_clear_pointer (&self->row_info, g_array_unref);
  g_clear_pointer (&self->last_seqs, g_hash_table_unref);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  g_free (self->masked);
  /* The URI may hold a password: gone from memory with the store. */
  if (self->uri != NULL)
    memset (self->uri, 0, strlen (self->uri));
  g_free (self->uri);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sonde_store_postgres_parent_class)->finalize (object);
}

static void
sonde_store_postgres_class_init (SondeStorePostgresClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_store_postgres_finalize;
}

static void
sonde_store_postgres_init (SondeStorePostgres *self)
{
  g_rec_mutex_init (&self->lock);
  sonde_chunk_writer_init (&self->chunk);
  self->rows = g_byte_array_new ();
  self->row_info = g_array_new (FALSE, FALSE, sizeof (RowInfo));
  self->last_seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->write = SONDE_STORE_POSTGRES_COPY;
}

const char *
sonde_store_postgres_get_masked_uri (SondeStorePostgres *self)
{
  g_return_val_if_fail (SONDE_IS_STORE_POSTGRES (self), NULL);

  return self->masked;
}

void
sonde_store_postgres_set_write (SondeStorePostgres      *self,
                                SondeStorePostgresWrite  write)
{
  g_return_if_fail (SONDE_IS_STORE_POSTGRES (self));

  g_rec_mutex_lock (&self->lock);
  self->write = write;
  g_rec_mutex_unlock (&self->lock);
}
