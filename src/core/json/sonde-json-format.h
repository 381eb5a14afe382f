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

/* Whether @text is one JSON value under the grammar sonde_json_validate()
 * checks, answered fast and without saying why not (sonde-json-check.c). */
gboolean  sonde_json_is_valid (const char  *text,
                               gsize        length);
/* In JSON text known to be valid: the index after the space at @i; the
 * index after the value at @i. */
gsize     sonde_json_skip_space (const char *text,
                                 gsize       length,
                                 gsize       i);
gsize     sonde_json_skip_value (const char *text,
                                 gsize       length,
                                 gsize       i);
/* In valid JSON text that is an object: where the values of its members
 * @keys (at most 32, each written without escapes; the last one when a key
 * is repeated) start and end, in one pass that skips the values. Returns
 * the found ones as bits (1 << index in @keys). */
guint     sonde_json_find_members (const char         *text,
                                   gsize               length,
                                   const char * const *keys,
                                   guint               n_keys,
                                   gsize              *value_starts,
                                   gsize              *value_ends);

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
