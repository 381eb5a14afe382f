/* sonde-store-sqlite-private.h: what the files of SondeStoreSqlite share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "sonde-store-chunk.h"
#include "sonde-store-sqlite.h"

G_BEGIN_DECLS

struct _SondeStoreSqlite
{
  GObject parent_instance;

  /* owned; every public operation holds @lock (a store is shared between
   * threads: a recorder's writer appends while the window reads) */
  GRecMutex     lock;
  char         *path;
  char         *canonical;     /* the key of a shared writer, NULL otherwise */
  sqlite3      *db;
  sqlite3_stmt *insert;        /* one chunk */
  sqlite3_stmt *last_seq;      /* a session's last seq stored */
  sqlite3_stmt *count;
  SondeChunkWriter chunk;      /* the chunk being packed (append) */
  int           lock_fd;
  gboolean      read_only;
  gboolean      reader;        /* opened with sonde_store_sqlite_open_reader() */
  GError       *notice;
};

/* A chunk's key (sonde-store-chunk.h). */
#define KEY_BITS    SONDE_CHUNK_KEY_BITS
#define MAX_SEQ     SONDE_CHUNK_MAX_SEQ
#define MAX_SESSION SONDE_CHUNK_MAX_SESSION
#define KEY(session, seq) SONDE_CHUNK_KEY (session, seq)

void     sonde_store_sqlite_set_error        (SondeStoreSqlite  *self,
                                              int                rc,
                                              GError           **error);
gboolean sonde_store_sqlite_prepare          (SondeStoreSqlite  *self,
                                              const char        *sql,
                                              sqlite3_stmt     **stmt,
                                              GError           **error);
gboolean sonde_store_sqlite_exec             (SondeStoreSqlite  *self,
                                              const char        *sql,
                                              GError           **error);
void     sonde_store_sqlite_rollback         (SondeStoreSqlite  *self);
SondeStoreError sonde_store_sqlite_error_code (const char       *path,
                                              int                rc);

/* Opening (sonde-store-sqlite-open.c). */
void     sonde_store_sqlite_close_db         (SondeStoreSqlite  *self);
void     sonde_store_sqlite_forget_writer    (SondeStoreSqlite  *self);

/* Ids outside what a key can hold are no session of ours. */
gboolean sonde_store_sqlite_check_session_id (SondeStoreSqlite  *self,
                                              gint64             session_id,
                                              GError           **error);

/* The read side (sonde-store-sqlite-read.c), called with @lock held. */
GPtrArray         *sonde_store_sqlite_list_sessions_locked (SondeStoreSqlite  *self,
                                                            GError           **error);
SondeStoreSession *sonde_store_sqlite_get_session_locked   (SondeStoreSqlite  *self,
                                                            gint64             session_id,
                                                            GError           **error);
gboolean           sonde_store_sqlite_read_records_locked  (SondeStoreSqlite     *self,
                                                            gint64                session_id,
                                                            guint64               from_seq,
                                                            SondeStoreRecordFunc  func,
                                                            gpointer              user_data,
                                                            GError              **error);
gboolean           sonde_store_sqlite_scan_records_locked  (SondeStoreSqlite     *self,
                                                            gint64                session_id,
                                                            guint64               from_seq,
                                                            SondeStoreFilterFunc  filter,
                                                            SondeStoreRecordFunc  func,
                                                            gpointer              user_data,
                                                            GError              **error);
gboolean           sonde_store_sqlite_seek_time_locked     (SondeStoreSqlite  *self,
                                                            gint64             session_id,
                                                            gint64             wall_us,
                                                            guint64           *out_seq,
                                                            GError           **error);

G_END_DECLS
