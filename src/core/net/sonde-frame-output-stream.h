/* sonde-frame-output-stream.h: the writing side of a SondeFrameStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-frame-shared.h"

G_BEGIN_DECLS

#define SONDE_TYPE_FRAME_OUTPUT_STREAM (sonde_frame_output_stream_get_type ())

G_DECLARE_FINAL_TYPE (SondeFrameOutputStream, sonde_frame_output_stream, SONDE, FRAME_OUTPUT_STREAM, GOutputStream)

/* Writes to @base, scanning the frames written; injected frames are flushed
 * from a source on @context. */
SondeFrameOutputStream *sonde_frame_output_stream_new    (GOutputStream          *base,
                                                          SondeFrameShared       *shared,
                                                          GMainContext           *context);
/* Queues one whole frame (@wire, its header and masked payload) to be written
 * at the next frame boundary; @frame and @payload (unmasked) are what the
 * observer is told once it is written. */
gboolean                sonde_frame_output_stream_inject (SondeFrameOutputStream *self,
                                                          const SondeFrameInfo   *frame,
                                                          const guint8           *payload,
                                                          gsize                   payload_length,
                                                          const guint8           *wire,
                                                          gsize                   wire_length,
                                                          GError                **error);

G_END_DECLS
