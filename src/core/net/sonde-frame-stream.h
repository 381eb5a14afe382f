/* sonde-frame-stream.h: a GIOStream that sees every WebSocket frame crossing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

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

#define SONDE_TYPE_FRAME_STREAM (sonde_frame_stream_get_type ())

G_DECLARE_FINAL_TYPE (SondeFrameStream, sonde_frame_stream, SONDE, FRAME_STREAM, GIOStream)

/* @base's streams must be pollable (a GSocketConnection, a GTlsConnection).
 * @prefix: bytes already read from @base after the HTTP response, returned
 * first. Create it on the thread (thread-default main context) that will run
 * the connection over it: injected frames are flushed from there. */
SondeFrameStream *sonde_frame_stream_new              (GIOStream           *base,
                                                       GBytes              *prefix);
void              sonde_frame_stream_set_observer     (SondeFrameStream    *self,
                                                       SondeFrameFunc       frame_func,
                                                       SondeFrameLimitFunc  limit_func,
                                                       gpointer             user_data);
/* The largest incoming message, over all its frames; 0: no limit. Past it,
 * that frame and every later data frame are dropped (control frames still
 * pass). */
void              sonde_frame_stream_set_max_message  (SondeFrameStream    *self,
                                                       guint64              max_bytes);
/* Queues a masked control frame (ping 9, pong 10; @length ≤ 125), written
 * between the frames libsoup writes, never inside one, and also when libsoup
 * writes nothing. FALSE with G_IO_ERROR_INVALID_ARGUMENT for another opcode
 * or a longer payload, G_IO_ERROR_CLOSED once the stream is closed. */
gboolean          sonde_frame_stream_send_control     (SondeFrameStream    *self,
                                                       guint8               opcode,
                                                       const guint8        *payload,
                                                       gsize                length,
                                                       GError             **error);
void              sonde_frame_stream_get_counts       (SondeFrameStream    *self,
                                                       SondeFrameCounts    *counts);
GIOStream        *sonde_frame_stream_get_base         (SondeFrameStream    *self);

G_END_DECLS
