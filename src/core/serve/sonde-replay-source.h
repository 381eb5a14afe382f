/* sonde-replay-source.h: the received messages of one recorded session, with
 * their times and the session's end, ready to be played back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A source is a recordings database (SondeStoreSqlite: a `sonde-cli record
 * --output` file or one of Sonde's own), a JSON Lines export (the log's
 * Export, `sonde-cli connect`, `history export`) or a HAR file with
 * WebSocket messages; which one is told by content. Only received text and
 * binary messages are kept, as they were received; a message's offset is
 * its time after the first of them (so playback starts with the first
 * received message, and a gap in the session is silence). The end is the
 * session's close code and reason: the store's, else the last close event,
 * else 1000.
 *
 * Immutable once loaded: the replay server's clients share it across
 * threads.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_REPLAY_SOURCE_DATABASE,
  SONDE_REPLAY_SOURCE_JSONL,
  SONDE_REPLAY_SOURCE_HAR,
} SondeReplaySourceKind;

/* A --from or --to: a wall time (µs since 1970), or an offset after the
 * session's first received message. */
typedef struct {
  gboolean set;
  gboolean relative;
  gint64   value_us;
} SondeReplayTime;

typedef struct {
  gint64   offset_us;     /* after the first message played, ≥ 0, never decreasing */
  gint64   wall_us;       /* as recorded */
  gboolean binary;
  GBytes  *payload;
} SondeReplayMessage;

typedef struct _SondeReplaySource SondeReplaySource;

/* Parses "2026-11-25T18:46:55Z" (ISO 8601, UTC unless it says), a number of
 * µs since 1970, or "+SECONDS" (e.g. +2.5) after the first received
 * message. SONDE_SERVE_ERROR_INVALID_TIME otherwise. */
gboolean            sonde_replay_time_parse          (const char          *text,
                                                      SondeReplayTime     *time,
                                                      GError             **error);

/* Loads the session @session_id of @path (a recordings file, or a shared
 * history's postgresql:// URI; a database's session id, or for
 * a HAR file the 1-based number of its WebSocket entry; 0: the newest, or
 * the last entry), its received messages between @from and @to (both
 * inclusive, either unset). Errors in SONDE_SERVE_ERROR: NOT_RECORDING
 * (with the reason each reader gave), UNKNOWN_SESSION, EMPTY,
 * INVALID_TIME; or a GIO error for a file that cannot be read. */
SondeReplaySource  *sonde_replay_source_load         (const char          *path,
                                                      gint64               session_id,
                                                      const SondeReplayTime *from,
                                                      const SondeReplayTime *to,
                                                      GError             **error);
SondeReplaySource  *sonde_replay_source_ref          (SondeReplaySource   *self);
void                sonde_replay_source_unref        (SondeReplaySource   *self);

SondeReplaySourceKind sonde_replay_source_get_kind   (SondeReplaySource   *self);
gint64              sonde_replay_source_get_session_id (SondeReplaySource *self);
/* How many sessions the file holds. */
guint               sonde_replay_source_get_n_sessions (SondeReplaySource *self);
/* The session's URL (masked as recorded), or NULL. */
const char         *sonde_replay_source_get_url      (SondeReplaySource   *self);
guint               sonde_replay_source_get_n_messages (SondeReplaySource *self);
const SondeReplayMessage *sonde_replay_source_get_message (SondeReplaySource *self,
                                                      guint                index);
/* The last message's offset. */
gint64              sonde_replay_source_get_duration_us (SondeReplaySource *self);
/* A code that may be sent in a Close frame (1005 and 1006 are said as
 * such: no code, and no Close frame at all). */
guint16             sonde_replay_source_get_close_code (SondeReplaySource *self);
const char         *sonde_replay_source_get_close_reason (SondeReplaySource *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeReplaySource, sonde_replay_source_unref)

G_END_DECLS
