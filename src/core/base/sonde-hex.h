/* sonde-hex.h: binary payloads as hex, and hex typed by a user as bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char   *sonde_hex_dump  (const guint8  *data,
                         gsize          length,
                         gsize          max_bytes);
GBytes *sonde_hex_parse (const char    *text,
                         gssize         length,
                         guint         *error_line,
                         guint         *error_column,
                         GError       **error);

G_END_DECLS
