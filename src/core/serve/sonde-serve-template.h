/* sonde-serve-template.h: a message the mock server sends, with values from
 * the message it answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sonde's templates (sonde-template.h: {{now}}, {{now_ms}}, {{seq}},
 * {{uuid}}) plus {{$.path}}: the value at a JSON path (sonde-json-path.h)
 * of the message being answered. A string value goes in without its quotes
 * and with its escapes as written (so "{{$.id}}" inside a JSON string stays
 * JSON), a number, true, false or null as its token, an object or array as
 * its text; a path the message does not have (or no message: on open, on a
 * timer) gives nothing.
 *
 * Three kinds: text (a template), JSON (a JSON value whose strings are
 * templates; a string that is one {{$.path}} and nothing else becomes the
 * value itself, of its own JSON type: "id": "{{$.id}}" keeps a number a
 * number; "{{seq}}" and "{{now_ms}}" alone are numbers too) and binary (a
 * template that spells hex bytes).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sonde-template.h"

G_BEGIN_DECLS

typedef struct _SondeServeTemplate SondeServeTemplate;

/* Errors: SONDE_ERROR_INVALID_TEMPLATE (with the line and column in
 * @text), SONDE_ERROR_INVALID_PATH, SONDE_ERROR_INVALID_HEX. */
SondeServeTemplate *sonde_serve_template_new_text   (const char          *text,
                                                     GError             **error);
SondeServeTemplate *sonde_serve_template_new_binary (const char          *hex,
                                                     GError             **error);
SondeServeTemplate *sonde_serve_template_new_json   (JsonNode            *value,
                                                     GError             **error);
void                sonde_serve_template_free       (SondeServeTemplate  *self);

gboolean            sonde_serve_template_is_binary  (SondeServeTemplate  *self);
/* The payload for an answer to @message (@length bytes; NULL for none).
 * {{seq}} advances @context once per rendering that uses it. NULL and an
 * error only for binary templates whose values are not hex. */
GBytes             *sonde_serve_template_render     (SondeServeTemplate  *self,
                                                     SondeTemplateContext *context,
                                                     const char          *message,
                                                     gsize                length,
                                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeServeTemplate, sonde_serve_template_free)

G_END_DECLS
