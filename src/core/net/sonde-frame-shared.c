/* sonde-frame-shared.c: the observer and counters a frame stream shares
 * with its two sides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-frame-shared.h"

SondeFrameShared *
sonde_frame_shared_new (void)
{
  return g_rc_box_new0 (SondeFrameShared);
}

SondeFrameShared *
sonde_frame_shared_ref (SondeFrameShared *shared)
{
  return g_rc_box_acquire (shared);
}

void
sonde_frame_shared_unref (SondeFrameShared *shared)
{
  g_rc_box_release (shared);
}
