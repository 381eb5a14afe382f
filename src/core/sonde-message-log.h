/* sonde-message-log.h: the message log, records plus a byte arena
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_DIRECTION_IN,
  SONDE_DIRECTION_OUT,
  SONDE_DIRECTION_EVENT,
} SondeDirection;

typedef enum {
  SONDE_MESSAGE_KIND_TEXT,
  SONDE_MESSAGE_KIND_BINARY,
  SONDE_MESSAGE_KIND_CONNECTING,
  SONDE_MESSAGE_KIND_HANDSHAKE,
  SONDE_MESSAGE_KIND_OPEN,
  SONDE_MESSAGE_KIND_CLOSING,
  SONDE_MESSAGE_KIND_CLOSE,
  SONDE_MESSAGE_KIND_ERROR,
  SONDE_MESSAGE_KIND_FAILED,
  SONDE_MESSAGE_KIND_RECONNECT,   /* a retry scheduled, or given up, and why */
  SONDE_MESSAGE_KIND_GAP,         /* an outage, once the connection is back */
  SONDE_MESSAGE_KIND_LATENCY,     /* a latency probe answered: its round-trip time */
} SondeMessageKind;

#define SONDE_MESSAGE_KIND_LAST SONDE_MESSAGE_KIND_LATENCY

typedef enum {
  SONDE_RECORD_FLAG_NONE      = 0,
  /* Only the first bytes of the payload are stored: it was larger than the
   * log's byte retention. */
  SONDE_RECORD_FLAG_TRUNCATED = 1 << 0,
  /* Sent by Sonde on its own: an on-open message or a heartbeat. */
  SONDE_RECORD_FLAG_AUTOMATIC = 1 << 1,
} SondeRecordFlags;

/* One record, unpacked for reading. @data is borrowed from the log's arena
 * and stays valid until the record is evicted, which can only happen while
 * the log is being appended to or cleared (on the thread that owns the log).
 * Event payloads are a JSON object describing the event. */
typedef struct {
  guint64           seq;
  gint64            wall_us;
  gint64            mono_us;
  SondeDirection    direction;
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
  gsize             size;         /* size of the message as received or sent */
  gsize             stored_size;  /* bytes at @data (< size when truncated) */
  const guint8     *data;
} SondeRecord;

#define SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT 1000000u
#define SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES ((guint64) 512 * 1024 * 1024)

#define SONDE_TYPE_MESSAGE_LOG (sonde_message_log_get_type ())
G_DECLARE_FINAL_TYPE (SondeMessageLog, sonde_message_log, SONDE, MESSAGE_LOG, GObject)

SondeMessageLog *sonde_message_log_new             (void);

guint            sonde_message_log_get_n_records   (SondeMessageLog  *self);
guint64          sonde_message_log_get_first_seq   (SondeMessageLog  *self);
guint64          sonde_message_log_get_next_seq    (SondeMessageLog  *self);
guint64          sonde_message_log_get_n_evicted   (SondeMessageLog  *self);
guint64          sonde_message_log_get_n_bytes     (SondeMessageLog  *self);
guint64          sonde_message_log_get_memory_size (SondeMessageLog  *self);

guint            sonde_message_log_get_max_count   (SondeMessageLog  *self);
void             sonde_message_log_set_max_count   (SondeMessageLog  *self,
                                                    guint             max_count);
guint64          sonde_message_log_get_max_bytes   (SondeMessageLog  *self);
void             sonde_message_log_set_max_bytes   (SondeMessageLog  *self,
                                                    guint64           max_bytes);

gboolean         sonde_message_log_get_record      (SondeMessageLog  *self,
                                                    guint             position,
                                                    SondeRecord      *record);
gboolean         sonde_message_log_lookup_seq      (SondeMessageLog  *self,
                                                    guint64           seq,
                                                    SondeRecord      *record);

void             sonde_message_log_begin_batch     (SondeMessageLog  *self);
guint64          sonde_message_log_append          (SondeMessageLog  *self,
                                                    SondeDirection    direction,
                                                    SondeMessageKind  kind,
                                                    gint64            wall_us,
                                                    gint64            mono_us,
                                                    const void       *data,
                                                    gsize             size);
guint64          sonde_message_log_append_full     (SondeMessageLog  *self,
                                                    SondeDirection    direction,
                                                    SondeMessageKind  kind,
                                                    SondeRecordFlags  flags,
                                                    gint64            wall_us,
                                                    gint64            mono_us,
                                                    const void       *data,
                                                    gsize             size);
void             sonde_message_log_end_batch       (SondeMessageLog  *self);
void             sonde_message_log_clear           (SondeMessageLog  *self);

const char      *sonde_direction_to_string         (SondeDirection    direction);
const char      *sonde_message_kind_to_string      (SondeMessageKind  kind);

G_END_DECLS
