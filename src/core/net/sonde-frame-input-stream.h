/* sonde-frame-input-stream.h: the reading side of a SondeFrameStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-frame-shared.h"

G_BEGIN_DECLS

#define SONDE_TYPE_FRAME_INPUT_STREAM (sonde_frame_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (SondeFrameInputStream, sonde_frame_input_stream, SONDE, FRAME_INPUT_STREAM, GInputStream)

/* Reads @prefix (nullable), then @base, scanning every frame header as it
 * passes; an incomplete header at the end of a read is held back until it is
 * whole. */
SondeFrameInputStream *sonde_frame_input_stream_new             (GInputStream          *base,
                                                                 GBytes                *prefix,
                                                                 SondeFrameShared      *shared);
void                   sonde_frame_input_stream_set_max_message (SondeFrameInputStream *self,
                                                                 guint64                max_bytes);

G_END_DECLS
