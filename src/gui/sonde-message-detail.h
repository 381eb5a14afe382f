/* sonde-message-detail.h: one message, in full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-message.h"

G_BEGIN_DECLS

/* How much formatted text the view shows before "Show All". */
#define SONDE_MESSAGE_DETAIL_LIMIT ((gsize) 1024 * 1024)

#define SONDE_TYPE_MESSAGE_DETAIL (sonde_message_detail_get_type ())
G_DECLARE_FINAL_TYPE (SondeMessageDetail, sonde_message_detail, SONDE, MESSAGE_DETAIL, GtkWidget)

GtkWidget    *sonde_message_detail_new          (void);
SondeMessage *sonde_message_detail_get_message  (SondeMessageDetail *self);
void          sonde_message_detail_set_message  (SondeMessageDetail *self,
                                                 SondeMessage       *message);
char         *sonde_message_detail_dup_text     (SondeMessageDetail *self);
const char   *sonde_message_detail_get_format   (SondeMessageDetail *self);
gboolean      sonde_message_detail_get_busy     (SondeMessageDetail *self);
gboolean      sonde_message_detail_get_partial  (SondeMessageDetail *self);
void          sonde_message_detail_show_all     (SondeMessageDetail *self);
const char   *sonde_message_detail_get_view     (SondeMessageDetail *self);
void          sonde_message_detail_set_view     (SondeMessageDetail *self,
                                                 const char         *view);
gboolean      sonde_message_detail_get_decoded  (SondeMessageDetail *self);
const char   *sonde_message_detail_get_decode_error (SondeMessageDetail *self);

G_END_DECLS
