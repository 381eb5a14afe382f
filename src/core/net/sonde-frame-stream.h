/* sonde-frame-stream.h: a GIOStream that sees every WebSocket frame crossing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-frame-types.h"

G_BEGIN_DECLS

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
