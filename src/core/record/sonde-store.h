/* sonde-store.h: where recordings go (an interface: SQLite files, or a
 * shared PostgreSQL database)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-record.h"

G_BEGIN_DECLS

#define SONDE_STORE_ERROR (sonde_store_error_quark ())

typedef enum {
  SONDE_STORE_ERROR_FAILED,         /* anything else the backend reports */
  SONDE_STORE_ERROR_CORRUPT,        /* the file was damaged: moved aside, a new one started */
  SONDE_STORE_ERROR_LOCKED,         /* another Sonde writes to it: opened read-only */
  SONDE_STORE_ERROR_READ_ONLY,      /* a write to a read-only store, file or folder */
  SONDE_STORE_ERROR_NEWER_VERSION,  /* written by a newer Sonde: refused, left as it is */
  SONDE_STORE_ERROR_DISK_FULL,      /* no space left, or over a file-size limit */
  SONDE_STORE_ERROR_IO,             /* the disk failed a read or a write */
  SONDE_STORE_ERROR_NOT_FOUND,      /* no session with that id; no such database */
  SONDE_STORE_ERROR_UNREACHABLE,    /* a database server cannot be reached (now): retry later */
  SONDE_STORE_ERROR_AUTH_FAILED,    /* a database server refused the user or password */
} SondeStoreError;

GQuark sonde_store_error_quark (void);

/* Who ended a session. UNKNOWN: it has not ended, or the process died. */
typedef enum {
  SONDE_STORE_ENDED_UNKNOWN,
  SONDE_STORE_ENDED_BY_CLIENT,
  SONDE_STORE_ENDED_BY_SERVER,
  SONDE_STORE_ENDED_BY_ERROR,
} SondeStoreInitiator;

/* A session as a store lists it. Strings may be NULL (no profile: an
 * ad-hoc URL; not ended). @url is masked before it reaches a store. */
typedef struct {
  gint64               id;
  char                *profile_id;
  char                *profile_name;
  char                *url;
  gint64               start_us;      /* wall clock, µs since the epoch */
  gint64               end_us;        /* 0 while it has not ended */
  guint64              records;       /* records stored: messages, events, pings… */
  guint64              messages;      /* of them, text and binary messages */
  guint64              bytes;         /* payload bytes stored */
  int                  close_code;    /* 0 when none */
  char                *close_reason;
  SondeStoreInitiator  initiator;
} SondeStoreSession;

void               sonde_store_session_free (SondeStoreSession *session);
SondeStoreSession *sonde_store_session_copy (const SondeStoreSession *session);
GType              sonde_store_session_get_type (void) G_GNUC_CONST;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeStoreSession, sonde_store_session_free)

/* Called once per record, in seq order; @record and its data are valid for
 * the call only. Return FALSE to stop early. */
typedef gboolean (*SondeStoreRecordFunc) (const SondeRecord *record,
                                          gpointer           user_data);

/* Whether a scan hands @record over. It sees the record's seq, wall time,
 * direction, kind, flags and payload (mono_us and size are 0): a backend
 * may run it where the records are and read the rest only of those it
 * keeps. A filter that keeps nothing and does its work on what it sees is
 * the fastest read of a whole session (a chart series rebuilt: see
 * bench/README.md). */
typedef gboolean (*SondeStoreFilterFunc) (const SondeRecord *record,
                                          gpointer           user_data);

#define SONDE_TYPE_STORE (sonde_store_get_type ())
G_DECLARE_INTERFACE (SondeStore, sonde_store, SONDE, STORE, GObject)

/* A store may be used from several threads: a backend serializes its calls
 * (SondeRecorder's writer thread appends while the window reads). The
 * backend keeps its SQL, files and locks to itself. */
struct _SondeStoreInterface
{
  GTypeInterface parent_iface;

  gboolean   (*begin_session)  (SondeStore          *self,
                                const char          *profile_id,
                                const char          *profile_name,
                                const char          *masked_url,
                                gint64               start_us,
                                gint64              *out_id,
                                GError             **error);
  gboolean   (*append)         (SondeStore          *self,
                                gint64               session_id,
                                const SondeRecord   *records,
                                guint                n_records,
                                GError             **error);
  gboolean   (*end_session)    (SondeStore          *self,
                                gint64               session_id,
                                gint64               end_us,
                                int                  close_code,
                                const char          *close_reason,
                                SondeStoreInitiator  initiator,
                                GError             **error);
  GPtrArray *(*list_sessions)  (SondeStore          *self,
                                GError             **error);
  gboolean   (*read_records)   (SondeStore          *self,
                                gint64               session_id,
                                guint64              from_seq,
                                SondeStoreRecordFunc func,
                                gpointer             user_data,
                                GError             **error);
  gboolean   (*delete_session) (SondeStore          *self,
                                gint64               session_id,
                                GError             **error);
  guint64    (*get_size)       (SondeStore          *self);
  gboolean   (*is_read_only)   (SondeStore          *self);
  SondeStoreSession *(*get_session) (SondeStore     *self,
                                     gint64          session_id,
                                     GError        **error);
  gboolean   (*seek_time)      (SondeStore          *self,
                                gint64               session_id,
                                gint64               wall_us,
                                guint64             *out_seq,
                                GError             **error);
  /* Optional: without it, read_records and the filter in its callback. */
  gboolean   (*scan_records)   (SondeStore          *self,
                                gint64               session_id,
                                guint64              from_seq,
                                SondeStoreFilterFunc filter,
                                SondeStoreRecordFunc func,
                                gpointer             user_data,
                                GError             **error);
};

/* Starts a session (profile id and name NULL for an ad-hoc URL). */
gboolean   sonde_store_begin_session  (SondeStore          *self,
                                       const char          *profile_id,
                                       const char          *profile_name,
                                       const char          *masked_url,
                                       gint64               start_us,
                                       gint64              *out_id,
                                       GError             **error);
/* Appends @n_records in one transaction: all of them or none. */
gboolean   sonde_store_append         (SondeStore          *self,
                                       gint64               session_id,
                                       const SondeRecord   *records,
                                       guint                n_records,
                                       GError             **error);
gboolean   sonde_store_end_session    (SondeStore          *self,
                                       gint64               session_id,
                                       gint64               end_us,
                                       int                  close_code,
                                       const char          *close_reason,
                                       SondeStoreInitiator  initiator,
                                       GError             **error);
/* (element-type SondeStoreSession), oldest first. */
GPtrArray *sonde_store_list_sessions  (SondeStore          *self,
                                       GError             **error);
/* Calls @func for each record of the session with seq ≥ @from_seq. */
gboolean   sonde_store_read_records   (SondeStore          *self,
                                       gint64               session_id,
                                       guint64              from_seq,
                                       SondeStoreRecordFunc func,
                                       gpointer             user_data,
                                       GError             **error);
/* As read_records, for the records @filter accepts: a scan that keeps few
 * of many (history search) costs a fraction of reading them all.
 * @filter and @func get the same @user_data; to stop, @filter lets a
 * record through and @func returns FALSE. */
gboolean   sonde_store_scan_records   (SondeStore          *self,
                                       gint64               session_id,
                                       guint64              from_seq,
                                       SondeStoreFilterFunc filter,
                                       SondeStoreRecordFunc func,
                                       gpointer             user_data,
                                       GError             **error);
gboolean   sonde_store_delete_session (SondeStore          *self,
                                       gint64               session_id,
                                       GError             **error);
/* Bytes the store takes on disk. */
guint64    sonde_store_get_size       (SondeStore          *self);
gboolean   sonde_store_is_read_only   (SondeStore          *self);
/* One session by id; SONDE_STORE_ERROR_NOT_FOUND when there is none. */
SondeStoreSession *sonde_store_get_session (SondeStore       *self,
                                            gint64            session_id,
                                            GError          **error);
/* The seq of the session's first record whose wall time is ≥ @wall_us, or
 * of its last record when none is (jump to a time). NOT_FOUND for an
 * unknown or empty session. */
gboolean   sonde_store_seek_time      (SondeStore          *self,
                                       gint64               session_id,
                                       gint64               wall_us,
                                       guint64             *out_seq,
                                       GError             **error);

G_END_DECLS
