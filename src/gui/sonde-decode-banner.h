/* sonde-decode-banner.h: a connection page's offer to decode its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-session.h"

G_BEGIN_DECLS

#define SONDE_TYPE_DECODE_BANNER (sonde_decode_banner_get_type ())
G_DECLARE_FINAL_TYPE (SondeDecodeBanner, sonde_decode_banner, SONDE, DECODE_BANNER, GtkWidget)

GtkWidget  *sonde_decode_banner_new        (SondeSession      *session);
gboolean    sonde_decode_banner_get_shown  (SondeDecodeBanner *self);
const char *sonde_decode_banner_get_text   (SondeDecodeBanner *self);
GtkButton  *sonde_decode_banner_get_decode_button  (SondeDecodeBanner *self);
GtkButton  *sonde_decode_banner_get_dismiss_button (SondeDecodeBanner *self);

G_END_DECLS
