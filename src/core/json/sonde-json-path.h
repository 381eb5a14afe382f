/* sonde-json-path.h: one value from raw JSON bytes, without a tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Paths: $ is the document; .name and ["any key"] select a member;
 * [n] an array element, [-n] counting from the end. Examples: $.price,
 * $.data.bids[0][1], $["key with spaces"], $.a.b[-1]. A streaming scanner
 * reads the message's bytes once, builds nothing, and stops as soon as the
 * value has been read (a negative index needs the array's end).
 *
 * Numbers, booleans (true 1, false 0) and strings that hold a number
 * ("101.25") yield a value; null, other strings, objects and arrays do
 * not. Malformed or truncated JSON yields nothing: never a crash, never a
 * read past @length.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SondeJsonPath SondeJsonPath;

typedef enum {
  SONDE_JSON_VALUE_NONE,      /* the path is absent, or the document is not JSON */
  SONDE_JSON_VALUE_NUMBER,
  SONDE_JSON_VALUE_BOOLEAN,
  SONDE_JSON_VALUE_STRING,    /* @text/@text_length point at the raw string between its quotes */
  SONDE_JSON_VALUE_NULL,
  SONDE_JSON_VALUE_OBJECT,
  SONDE_JSON_VALUE_ARRAY,
} SondeJsonValueType;

/* What a path points at, without copying: for strings, the raw bytes
 * between the quotes (escapes not decoded) inside the scanned buffer. */
typedef struct {
  SondeJsonValueType  type;
  double              number;        /* NUMBER, BOOLEAN, and STRING holding a number */
  gboolean            has_number;
  const char         *text;          /* STRING (raw), NUMBER (its token) */
  gsize               text_length;
  gboolean            text_has_escapes;
} SondeJsonValue;

SondeJsonPath *sonde_json_path_new         (const char          *path,
                                            GError             **error);
SondeJsonPath *sonde_json_path_ref         (SondeJsonPath       *self);
void           sonde_json_path_unref       (SondeJsonPath       *self);
const char    *sonde_json_path_to_string   (SondeJsonPath       *self);

gboolean       sonde_json_path_lookup      (SondeJsonPath       *self,
                                            const char          *json,
                                            gsize                length,
                                            SondeJsonValue      *value);
gboolean       sonde_json_path_get_number  (SondeJsonPath       *self,
                                            const char          *json,
                                            gsize                length,
                                            double              *number);
gboolean       sonde_json_value_equal_string (const SondeJsonValue *value,
                                              const char           *string);

/* Every member path ("$.a.b", "$.a.c[0]"…) with a numeric value in a
 * document, for completion: at most @max_paths, array indices beyond the
 * first few collapsed. */
GPtrArray     *sonde_json_path_list_numeric (const char         *json,
                                             gsize               length,
                                             guint               max_paths);

/* Appended to the API above.
 *
 * Duplicate keys: the last one wins, as in json-glib, JavaScript's
 * JSON.parse and Python's json. So every object on the way to the value is
 * read to its closing brace (a later member of the same name would replace
 * it); only arrays are left as soon as their element has been read. What
 * the scanner steps over is only checked for balanced brackets and closed
 * strings; the path's objects, arrays and the value itself are checked
 * strictly. A document cut short anywhere inside an object on the path
 * yields nothing. */

/* For parsers of larger expressions (SondePredicate): parses the path
 * that starts at @start inside @text and stops before the first character
 * that cannot continue it; @end is set there. Errors name their column in
 * the whole of @text. */
SondeJsonPath *sonde_json_path_new_prefix  (const char          *text,
                                            const char          *start,
                                            const char         **end,
                                            GError             **error);

/* A time read at the path, in microseconds since 1970 (UTC). A number, or
 * a string that holds one, counts as seconds when its magnitude is below
 * 1e11, milliseconds below 1e14, microseconds below 1e17 and nanoseconds
 * above; any other string must be ISO 8601 (UTC when it names no offset).
 * FALSE when the path holds neither, or a time outside the years 1 to
 * 9999. */
gboolean       sonde_json_path_get_time    (SondeJsonPath       *self,
                                            const char          *json,
                                            gsize                length,
                                            gint64              *wall_us);

/* Added by issue 12 (charts split by a field).
 *
 * The value at the path as a key that tells messages apart: a string
 * decoded (invalid UTF-8 replaced), a number's token, "true" or "false";
 * NULL for anything else or when the path is absent. */
char          *sonde_json_path_dup_key     (SondeJsonPath       *self,
                                            const char          *json,
                                            gsize                length);

/* The number of steps after the $. */
guint          sonde_json_path_get_n_steps (SondeJsonPath       *self);

/* The path of the first @n_steps steps ("$" for none), followed by the
 * member @member when not NULL (.name, or ["…"] where a plain name cannot
 * say it): the way from a field to its siblings. */
char          *sonde_json_path_dup_ancestor (SondeJsonPath      *self,
                                             guint               n_steps,
                                             const char         *member);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeJsonPath, sonde_json_path_unref)

G_END_DECLS
