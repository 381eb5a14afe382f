/* sonde-recorder.h: records a session's records into a SondeStore from a
 * writer thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_RECORDER (sonde_recorder_get_type ())
G_DECLARE_FINAL_TYPE (SondeRecorder, sonde_recorder, SONDE, RECORDER, GObject)

/* What the writer may have queued before records are dropped. */
#define SONDE_RECORDER_DEFAULT_QUEUE_LIMIT (64 * 1024 * 1024)

/* Begins a session in @store (one short write on the calling thread: for a
 * local file), then
 * hands @store to a writer thread until sonde_recorder_close(). The rest of
 * the API is for the calling thread, whose main context gets the signals. */
SondeRecorder *sonde_recorder_new                (SondeStore          *store,
                                                  const char          *profile_id,
                                                  const char          *profile_name,
                                                  const char          *masked_url,
                                                  gint64               start_us,
                                                  GError             **error);
/* The same for a database server (a postgresql:// URI) without waiting
 * on it: the writer thread opens the store and begins the session (at
 * @start_us) there, trying again while the server cannot be reached
 * ("waiting" says why); records are queued meanwhile, as ever. A failure
 * that will not heal (a password refused, no such database) emits
 * ::stopped. The session id is 0 until the session has begun. */
SondeRecorder *sonde_recorder_new_for_uri        (const char          *uri,
                                                  const char          *profile_id,
                                                  const char          *profile_name,
                                                  const char          *masked_url,
                                                  gint64               start_us);
/* Copies @record into the writer's queue: the caller pushes each record as
 * its SondeMessageLog gets it (the session decides what is recorded, and
 * records evicted from the log are still recorded). Never waits on the
 * disk: past the queue limit the record is dropped, and once the queue has
 * room again a gap record ("recording skipped N messages") goes in its
 * place and ::gap is emitted. Does nothing once recording has stopped. */
void           sonde_recorder_add                (SondeRecorder       *self,
                                                  const SondeRecord   *record);
/* Flushes what is queued (waits for the writer) and ends the session. A
 * server that cannot be reached is waited for a few seconds more at most
 * (more when the session has begun there than when it never did); then
 * ::stopped says how many records were not written. */
void           sonde_recorder_close              (SondeRecorder       *self,
                                                  gint64               end_us,
                                                  int                  close_code,
                                                  const char          *close_reason,
                                                  SondeStoreInitiator  initiator);

/* The same without waiting: the writer flushes and ends the session on
 * its own, keeping the recorder alive meanwhile; "recording" turns FALSE
 * (notified on this thread's main context) once the session has ended in
 * the store. A database server that never answered is let go of a few
 * seconds later even when its connect hangs (::stopped says how many
 * records were not written). */
void           sonde_recorder_end                (SondeRecorder       *self,
                                                  gint64               end_us,
                                                  int                  close_code,
                                                  const char          *close_reason,
                                                  SondeStoreInitiator  initiator);
/* Whether a recorder of this process writes @session_id of @store now
 * (pruning never deletes it). Any thread. */
gboolean       sonde_recorder_is_live            (SondeStore          *store,
                                                  gint64               session_id);
/* Waits until every recorder's writer is done (at exit), at most
 * @timeout_us; FALSE when some were not. */
gboolean       sonde_recorder_wait_all           (gint64               timeout_us);

/* 0 until the session has begun in the store ("session-id" is notified
 * then). */
gint64         sonde_recorder_get_session_id     (SondeRecorder       *self);
/* Why the store cannot be reached now, while the writer waits for it
 * (notified); NULL when it can. */
const char    *sonde_recorder_get_waiting        (SondeRecorder       *self);
/* Records queued for the writer now. */
guint          sonde_recorder_get_queued_records (SondeRecorder       *self);
gboolean       sonde_recorder_get_recording      (SondeRecorder       *self);
guint64        sonde_recorder_get_bytes_on_disk  (SondeRecorder       *self);
guint64        sonde_recorder_get_skipped        (SondeRecorder       *self);
/* How many times the writer has tried a store call again because the
 * store could not be reached (a database server away). Any thread. */
guint64        sonde_recorder_get_retries        (SondeRecorder       *self);
/* Bytes queued for the writer now. */
gsize          sonde_recorder_get_queued_bytes   (SondeRecorder       *self);
void           sonde_recorder_set_queue_limit    (SondeRecorder       *self,
                                                  gsize                limit);
/* For tests: a paused writer takes nothing from the queue. */
void           sonde_recorder_set_writer_paused  (SondeRecorder       *self,
                                                  gboolean             paused);

G_END_DECLS
