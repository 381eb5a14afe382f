/* sonde-frame-shared.h: what the frame stream shares with its input and output streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-frame-types.h"

G_BEGIN_DECLS

/* The observer and counters, shared (a GRcBox) by the frame stream and its
 * two sides, so that a side outliving the stream stays safe. Used on the
 * thread that runs the connection only. */
typedef struct {
  SondeFrameFunc       frame_func;
  SondeFrameLimitFunc  limit_func;
  gpointer             user_data;
  SondeFrameCounts     counts;
} SondeFrameShared;

SondeFrameShared *sonde_frame_shared_new   (void);
SondeFrameShared *sonde_frame_shared_ref   (SondeFrameShared *shared);
void              sonde_frame_shared_unref (SondeFrameShared *shared);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeFrameShared, sonde_frame_shared_unref)

G_END_DECLS
