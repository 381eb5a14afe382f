/* sonde-frame-parser.h: RFC 6455 frame headers, read incrementally from a byte stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-record.h"

G_BEGIN_DECLS

/* The longest header: 2 bytes, a 64-bit length, a 4-byte mask key. */
#define SONDE_FRAME_HEADER_MAX 14
/* The longest control payload RFC 6455 allows (§5.5). */
#define SONDE_FRAME_CONTROL_MAX 125

typedef enum {
  SONDE_FRAME_EVENT_NONE,     /* every byte given was consumed */
  SONDE_FRAME_EVENT_HEADER,   /* a header is complete: frame, header_length */
  SONDE_FRAME_EVENT_CONTROL,  /* a control frame's payload has passed whole: control, control_length */
} SondeFrameEvent;

/* A plain struct, embedded by its user; sonde_frame_parser_init() zeroes it.
 * Payloads are skipped by counting; only control payloads are kept (their
 * first SONDE_FRAME_CONTROL_MAX bytes, unmasked). The fields are read-only
 * to everything but the parser. */
typedef struct {
  SondeFrameInfo frame;         /* the current (last announced) frame */
  guint64        remaining;     /* its payload bytes still to pass */
  guint8         header_length; /* its header's length, 2 to 14 */
  guint8         partial_length;/* bytes of an incomplete header, in partial */
  guint8         control_length;/* bytes of the control payload collected */
  guint8         control_due;   /* a control frame whose CONTROL event is still to come */
  guint8         mask[4];       /* of the last control frame (zeros when unmasked) */
  guint8         partial[SONDE_FRAME_HEADER_MAX];
  guint8         control[SONDE_FRAME_CONTROL_MAX];
} SondeFrameParser;

void             sonde_frame_parser_init           (SondeFrameParser *self);

/* Consumes bytes of @data up to and including the next event, and returns
 * how many. Call again with the rest (even with none left: a control frame
 * with an empty payload reports CONTROL right after its HEADER, consuming
 * nothing) until it reports SONDE_FRAME_EVENT_NONE. A header cut by the end
 * of @data is kept in partial (partial_length bytes, all consumed) and
 * completed by the next call. Header fields are reported as they are, even
 * invalid ones (a control frame longer than 125 bytes, a 64-bit length with
 * its top bit set): judging them is the protocol engine's job. */
gsize            sonde_frame_parser_scan           (SondeFrameParser *self,
                                                    const guint8     *data,
                                                    gsize             length,
                                                    SondeFrameEvent  *event);

/* TRUE between frames: no payload, header or control event pending. */
static inline gboolean
sonde_frame_parser_at_boundary (const SondeFrameParser *self)
{
  return self->remaining == 0 && self->partial_length == 0 && !self->control_due;
}

G_END_DECLS
