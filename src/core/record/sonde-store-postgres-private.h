/* sonde-store-postgres-private.h: what the files of SondeStorePostgres
 * share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "sonde-redactor.h"
#include "sonde-store-chunk.h"
#include "sonde-store-postgres.h"

G_BEGIN_DECLS

struct _SondeStorePostgres
{
  GObject parent_instance;

  /* owned; every public operation holds @lock (a store is shared between
   * threads, and a libpq connection is used by one at a time) */
  GRecMutex      lock;
  char          *uri;          /* as given, password and all: never shown */
  char          *masked;       /* what messages show */
  SondeRedactor *redactor;     /* knows the URI's secrets: masks libpq's messages */
  PGconn        *conn;
  gboolean       read_only;
  gboolean       shared;       /* in the table of this process's writers */
  SondeStorePostgresWrite write;
  gboolean       uncertain;    /* a COMMIT whose answer was lost: did it take? */
  GHashTable    *last_seqs;    /* session id → last seq stored (gint64 *), this writer's */
  SondeChunkWriter chunk;      /* the chunk being packed (append) */
  GByteArray    *rows;         /* an append's chunks: COPY data, or INSERT blobs */
  GArray        *row_info;     /* an append's chunks (RowInfo) */
  guint64        size;         /* last measured, bytes */
  gint64         size_at_us;
};

/* One chunk of an append, its blob at @offset in the rows buffer (INSERT). */
typedef struct {
  gint64  key;
  gint64  last_seq;
  gint64  first_wall_us;
  gint64  last_wall_us;
  gint64  n;
  gsize   offset;
  gsize   length;
} RowInfo;

/* Errors (sonde-store-postgres-open.c): libpq's text masked and trimmed. */
char      *sonde_store_postgres_masked_message (SondeStorePostgres  *self,
                                                const char          *message);
/* An error for a failed @result (or, when NULL, the connection's). */
void       sonde_store_postgres_set_error      (SondeStorePostgres  *self,
                                                const PGresult      *result,
                                                GError             **error);
/* Connects again when the connection was lost. */
gboolean   sonde_store_postgres_ensure         (SondeStorePostgres  *self,
                                                GError             **error);
/* Runs @sql with text parameters; NULL (and @error) unless it returns
 * @expect. Results in the binary format when @binary. */
PGresult  *sonde_store_postgres_exec           (SondeStorePostgres  *self,
                                                const char          *sql,
                                                int                  n_params,
                                                const char * const  *params,
                                                gboolean             binary,
                                                ExecStatusType       expect,
                                                GError             **error);
gboolean   sonde_store_postgres_command        (SondeStorePostgres  *self,
                                                const char          *sql,
                                                GError             **error);
void       sonde_store_postgres_rollback       (SondeStorePostgres  *self);
gboolean   sonde_store_postgres_check_session_id (SondeStorePostgres *self,
                                                  gint64              session_id,
                                                  GError            **error);
void       sonde_store_postgres_set_not_found  (SondeStorePostgres  *self,
                                                gint64               session_id,
                                                GError             **error);
/* A store going away leaves the table of writers. */
void       sonde_store_postgres_forget_writer  (SondeStorePostgres  *self);
/* Opening: connects and checks (or makes) the schema. */
gboolean   sonde_store_postgres_connect        (SondeStorePostgres  *self,
                                                GError             **error);

/* The read side (sonde-store-postgres-read.c), called with @lock held. */
GPtrArray         *sonde_store_postgres_list_sessions_locked (SondeStorePostgres   *self,
                                                              GError              **error);
SondeStoreSession *sonde_store_postgres_get_session_locked   (SondeStorePostgres   *self,
                                                              gint64                session_id,
                                                              GError              **error);
gboolean           sonde_store_postgres_run_records_locked   (SondeStorePostgres   *self,
                                                              gint64                session_id,
                                                              guint64               from_seq,
                                                              SondeStoreFilterFunc  filter,
                                                              SondeStoreRecordFunc  func,
                                                              gpointer              user_data,
                                                              GError              **error);
gboolean           sonde_store_postgres_seek_time_locked     (SondeStorePostgres   *self,
                                                              gint64                session_id,
                                                              gint64                wall_us,
                                                              guint64              *out_seq,
                                                              GError              **error);
/* A big-endian int8 of a binary result. */
gint64             sonde_store_postgres_int8                 (const PGresult       *result,
                                                              int                   row,
                                                              int                   column);

G_END_DECLS
