/* sonde-record.h: one message or event as the log keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

/* Reads back the record @seq from whatever keeps records (a
 * SondeMessageLog); FALSE once it is gone. */
typedef gboolean (*SondeRecordLookupFunc) (gpointer     source,
                                           guint64      seq,
                                           SondeRecord *record);

const char      *sonde_direction_to_string         (SondeDirection    direction);
const char      *sonde_message_kind_to_string      (SondeMessageKind  kind);
void             sonde_record_append_json          (GString          *out,
                                                    const SondeRecord *record);

G_END_DECLS
