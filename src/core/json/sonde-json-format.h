/* sonde-json-format.h: checking and pretty-printing JSON text exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib turns numbers into doubles and int64s (1.10 becomes 1.1, large
 * integers lose digits); a protocol tool must show what was on the wire. This
 * scanner validates strict RFC 8259 JSON and re-indents it, copying every
 * number and string token unchanged.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  sonde_json_validate (const char  *text,
                               gssize       length,
                               guint       *error_line,
                               guint       *error_column,
                               GError     **error);
char     *sonde_json_pretty   (const char  *text,
                               gssize       length,
                               guint        indent,
                               GError     **error);
char     *sonde_json_pretty_compact (const char  *text,
                                     gssize       length,
                                     guint        indent,
                                     gsize        max_width,
                                     GError     **error);

G_END_DECLS
