/* sonde-frame-types.h: what a frame stream tells its observer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-record.h"

G_BEGIN_DECLS

/* Called on the thread that reads or writes the stream, while it does.
 * Data frames: when their header is complete (@control_payload NULL).
 * Control frames (opcode >= 8): once their whole payload has passed, with the
 * payload unmasked (at most 125 bytes). Incoming frames are seen before
 * libsoup gets their bytes (so before its "message", "pong" or "closing"
 * signals); outgoing frames as libsoup writes them, and the injected ones
 * once they are written whole. */
typedef void (*SondeFrameFunc)      (gpointer              user_data,
                                     SondeDirection        direction,
                                     const SondeFrameInfo *frame,
                                     const guint8         *control_payload,
                                     gsize                 control_length);

/* Called once, when an incoming data frame's header makes the current
 * message's total (the sum of the payload sizes of its frames, first frame
 * to FIN) exceed the limit: @grown_to is that total. Called right after the
 * frame func saw that header. */
typedef void (*SondeFrameLimitFunc) (gpointer              user_data,
                                     guint64               grown_to,
                                     guint64               limit);

typedef struct {
  guint64 frames_in;        /* every frame header read, control frames too, discarded ones too */
  guint64 frames_out;       /* every frame header written, injected ones too */
  guint64 control_in;
  guint64 control_out;
  guint64 bytes_in;         /* bytes read from the base stream (and the prefix) */
  guint64 bytes_out;        /* bytes written to the base stream */
  guint64 discarded_bytes;  /* bytes read but kept from libsoup (the limit) */
} SondeFrameCounts;

G_END_DECLS
