/* sonde-message-frames.h: how a message crossed the wire, in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-message.h"

G_BEGIN_DECLS

/* The most frames listed one by one; the rest are counted. */
#define SONDE_MESSAGE_FRAMES_LISTED 50

gboolean sonde_message_frames_describe (SondeMessage  *message,
                                        char         **summary,
                                        char         **list);

G_END_DECLS
