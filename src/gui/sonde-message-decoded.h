/* sonde-message-decoded.h: a message's decoded view, for the detail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-message-log.h"
#include "sonde-message.h"

G_BEGIN_DECLS

/* The log that keeps @message, or NULL (a recording's message). */
SondeMessageLog     *sonde_message_decoded_get_log   (SondeMessage  *message);

/* The view of @message in its log: DECODED with a copy of the view in
 * @view, FAILED with why in @error_message, RAW when no decoder applies
 * (or the message is not in a log, or has left it). */
SondeRecordViewKind  sonde_message_decoded_get       (SondeMessage  *message,
                                                      GBytes       **view,
                                                      char         **error_message);

/* The decoder chain of the session @widget shows ("gzip,msgpack"), found
 * up its ancestors, or NULL. */
char                *sonde_message_decoded_dup_spec  (GtkWidget     *widget);

/* "Decoded as gzip-compressed JSON", or "Decoded" for an unknown chain. */
char                *sonde_message_decoded_describe  (const char    *spec);

G_END_DECLS
