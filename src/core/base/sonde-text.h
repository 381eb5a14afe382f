/* sonde-text.h: message bytes turned into text that is safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Message payloads are data, never markup or layout: control characters,
 * NUL bytes, bidirectional overrides and invalid UTF-8 are shown as visible
 * escapes so that a hostile feed cannot hide or reorder what the user sees.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_ESCAPE_NONE          = 0,
  /* Keep \n and \t as they are (multi-line views); otherwise they are
   * written as the two characters \n and \t. */
  SONDE_ESCAPE_KEEP_NEWLINES = 1 << 0,
} SondeEscapeFlags;

/* The largest preview a log row shows, in bytes of input. */
#define SONDE_PREVIEW_MAX_BYTES 4096

char *sonde_text_escape  (const guint8     *data,
                          gsize             length,
                          SondeEscapeFlags  flags,
                          gsize             max_bytes,
                          gboolean         *truncated);
char *sonde_text_preview (const guint8     *data,
                          gsize             length,
                          gboolean          binary);
char *sonde_format_size  (guint64           bytes);
guint    sonde_text_decode_utf8       (const guint8 *p,
                                       gsize         avail,
                                       gunichar     *out_char);
gboolean sonde_text_is_hidden_char    (gunichar      ch);
gboolean sonde_text_validate_utf8     (const guint8 *data,
                                       gsize         length,
                                       gsize        *invalid_offset);
gboolean sonde_text_contains_ascii_ci (const guint8 *haystack,
                                       gsize         length,
                                       const guint8 *needle,
                                       gsize         needle_len);

G_END_DECLS
