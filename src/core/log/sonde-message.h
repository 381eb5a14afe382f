/* sonde-message.h: a row of the message log, made only when asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sonde-record.h"

G_BEGIN_DECLS

#define SONDE_TYPE_MESSAGE (sonde_message_get_type ())
G_DECLARE_FINAL_TYPE (SondeMessage, sonde_message, SONDE, MESSAGE, GObject)

SondeMessage     *sonde_message_new            (GObject           *source,
                                                SondeRecordLookupFunc lookup,
                                                const SondeRecord *record);
guint64           sonde_message_get_seq        (SondeMessage      *self);
gint64            sonde_message_get_wall_us    (SondeMessage      *self);
gint64            sonde_message_get_mono_us    (SondeMessage      *self);
SondeDirection    sonde_message_get_direction  (SondeMessage      *self);
SondeMessageKind  sonde_message_get_kind       (SondeMessage      *self);
SondeRecordFlags  sonde_message_get_flags      (SondeMessage      *self);
gsize             sonde_message_get_size       (SondeMessage      *self);
GObject          *sonde_message_get_source     (SondeMessage      *self);
gboolean          sonde_message_get_record     (SondeMessage      *self,
                                                SondeRecord       *record);
GBytes           *sonde_message_dup_payload    (SondeMessage      *self);
guint             sonde_message_get_n_alive    (void);

G_END_DECLS
