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
  SONDE_MESSAGE_KIND_PING,        /* a ping frame, in or out: its payload (≤ 125 bytes) */
  SONDE_MESSAGE_KIND_PONG,        /* a pong frame, in or out: its payload (≤ 125 bytes) */
  SONDE_MESSAGE_KIND_FRAME,       /* one frame's header, in or out, when frames are shown: a JSON object */
} SondeMessageKind;

#define SONDE_MESSAGE_KIND_LAST SONDE_MESSAGE_KIND_FRAME

typedef enum {
  SONDE_RECORD_FLAG_NONE      = 0,
  /* Only the first bytes of the payload are stored: it was larger than the
   * log's byte retention. */
  SONDE_RECORD_FLAG_TRUNCATED = 1 << 0,
  /* Sent by Sonde on its own: an on-open message or a heartbeat. */
  SONDE_RECORD_FLAG_AUTOMATIC = 1 << 1,
  /* The message came compressed (permessage-deflate, RSV1 on its first
   * frame); the payload is the inflated message. */
  SONDE_RECORD_FLAG_COMPRESSED = 1 << 2,
  /* The message came in more than one frame. */
  SONDE_RECORD_FLAG_FRAGMENTED = 1 << 3,
  /* A pong that answers no ping of ours (unsolicited, or a payload that
   * matches none we sent). */
  SONDE_RECORD_FLAG_UNMATCHED  = 1 << 4,
} SondeRecordFlags;

/* One WebSocket frame as it crossed the wire (RFC 6455 §5.2): its header,
 * not its payload. */
typedef enum {
  SONDE_FRAME_FIN    = 1 << 0,
  SONDE_FRAME_RSV1   = 1 << 1,
  SONDE_FRAME_RSV2   = 1 << 2,
  SONDE_FRAME_RSV3   = 1 << 3,
  SONDE_FRAME_MASKED = 1 << 4,
} SondeFrameBits;

typedef struct {
  guint64 size;      /* payload length as the header gives it */
  guint8  opcode;    /* 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; others reserved */
  guint8  bits;      /* SondeFrameBits */
} SondeFrameInfo;

/* "continuation", "text", "binary", "close", "ping", "pong", or "reserved-N". */
const char      *sonde_frame_opcode_to_string      (guint8            opcode);

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
