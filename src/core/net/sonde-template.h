/* sonde-template.h: message templates with {{placeholders}}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Saved templates, heartbeats and on-open messages may contain
 *   {{now}}     the current time, ISO 8601 UTC with milliseconds
 *   {{now_ms}}  the current time in milliseconds since the Unix epoch
 *   {{seq}}     a counter of the connection (1, 2, 3, …), one per expansion
 *   {{uuid}}    a fresh random UUID
 * Whitespace inside the braces is allowed ({{ now }}). Anything else between
 * {{ and }} is an error, never sent literally; a "{{" with no "}}" too.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_MESSAGE_FORMAT_TEXT,
  SONDE_MESSAGE_FORMAT_JSON,
  SONDE_MESSAGE_FORMAT_BINARY,   /* the body is hex, as in the composer */
} SondeMessageFormat;

/* Per-connection state for {{seq}}. */
typedef struct {
  guint64 seq;
} SondeTemplateContext;

gboolean     sonde_template_check        (const char            *text,
                                          GError               **error);
char        *sonde_template_expand       (const char            *text,
                                          SondeTemplateContext  *context,
                                          GError               **error);
char        *sonde_template_expand_at    (const char            *text,
                                          SondeTemplateContext  *context,
                                          gint64                 now_us,
                                          const char            *uuid,
                                          GError               **error);
GBytes      *sonde_template_render       (const char            *text,
                                          SondeMessageFormat     format,
                                          SondeTemplateContext  *context,
                                          GError               **error);
GBytes      *sonde_template_render_with_uuid (const char        *text,
                                              SondeMessageFormat format,
                                              SondeTemplateContext *context,
                                              const char        *uuid,
                                              GError           **error);
gboolean     sonde_template_has_uuid     (const char            *text);
gboolean     sonde_template_validate     (const char            *text,
                                          SondeMessageFormat     format,
                                          GError               **error);

const char  *sonde_message_format_to_string   (SondeMessageFormat  format);
gboolean     sonde_message_format_from_string (const char         *text,
                                               SondeMessageFormat *format);

G_END_DECLS
