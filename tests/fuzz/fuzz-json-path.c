/* fuzz-json-path.c: libFuzzer target for SondeJsonPath and SondePredicate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: the first line is a path (and, read again, a predicate); the rest
 * is the document. The document goes to the scanner in a buffer of exactly
 * its size, so ASan reports any read past its end. Besides "no crash, no
 * over-read", it checks what must always hold:
 *
 * - a value found points inside the document;
 * - get_number() agrees with lookup();
 * - every path sonde_json_path_list_numeric() lists parses and reads a
 *   number from the same document;
 * - a path's string form parses to a path that finds the same value;
 * - the string lexer's ways of reading a string (sonde-json-lex.h) agree
 *   with each other when the document starts with '"';
 * - the split-by key (sonde_json_path_dup_key()) is valid UTF-8, and only
 *   there when the path found a value;
 * - sonde_json_is_valid() (the fast check) accepts what the scanner
 *   accepts, and nothing else;
 * - what sonde_json_validate() accepts, sonde_json_pretty() (and the compact
 *   form, which pretty-prints back to the same text) writes as text
 *   that it accepts again.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "sonde-json-format.h"
#include "sonde-json-lex.h"
#include "sonde-json-path.h"
#include "sonde-predicate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_value (const SondeJsonValue *value,
             const char           *doc,
             gsize                 length)
{
  switch (value->type)
    {
    case SONDE_JSON_VALUE_NUMBER:
    case SONDE_JSON_VALUE_BOOLEAN:
    case SONDE_JSON_VALUE_STRING:
    case SONDE_JSON_VALUE_NULL:
    case SONDE_JSON_VALUE_OBJECT:
    case SONDE_JSON_VALUE_ARRAY:
      CHECK (value->text >= doc);
      CHECK (value->text + value->text_length <= doc + length);
      break;
    case SONDE_JSON_VALUE_NONE:
    default:
      CHECK (FALSE);
    }

  if (value->type == SONDE_JSON_VALUE_BOOLEAN)
    CHECK (value->has_number && (value->number == 0 || value->number == 1));
  if (value->type == SONDE_JSON_VALUE_NULL || value->type == SONDE_JSON_VALUE_OBJECT
      || value->type == SONDE_JSON_VALUE_ARRAY)
    CHECK (!value->has_number);
}

static void
run_path (SondeJsonPath *path,
          const char    *doc,
          gsize          length)
{
  g_autoptr(SondeJsonPath) again = NULL;
  SondeJsonValue value;
  SondeJsonValue value_again;
  gboolean found;
  double number = 0;
  gint64 wall_us;

  found = sonde_json_path_lookup (path, doc, length, &value);
  if (found)
    check_value (&value, doc, length);
  else
    CHECK (value.type == SONDE_JSON_VALUE_NONE);

  CHECK (sonde_json_path_get_number (path, doc, length, &number) == (found && value.has_number));
  if (found && value.has_number)
    CHECK (number == value.number);

  if (found && value.type == SONDE_JSON_VALUE_STRING)
    (void) sonde_json_value_equal_string (&value, "101.25");

  (void) sonde_json_path_get_time (path, doc, length, &wall_us);

  /* The split-by key: valid UTF-8 whenever there is one, and only when the
   * path found a value. */
  {
    g_autofree char *key = sonde_json_path_dup_key (path, doc, length);

    if (key != NULL)
      {
        CHECK (found);
        CHECK (g_utf8_validate (key, -1, NULL));
      }
  }

  /* The path as written reads the same. */
  again = sonde_json_path_new (sonde_json_path_to_string (path), NULL);
  CHECK (again != NULL);
  CHECK (sonde_json_path_lookup (again, doc, length, &value_again) == found);
  if (found)
    CHECK (value_again.type == value.type && value_again.text == value.text
           && value_again.text_length == value.text_length);
}

/* The document read as one string by each of the lexer's functions. */
static void
run_lexer (const char *doc,
           gsize       length)
{
  g_autoptr(GString) decoded = NULL;
  g_autoptr(GString) appended = NULL;
  g_autoptr(GString) strict_decoded = NULL;
  const guint8 *body;
  const guint8 *end;
  SondeJsonLexResult fast, slow, strict;
  SondeJsonLexStatus status;

  /* @doc is NULL when empty. */
  if (length == 0 || doc[0] != '"')
    return;

  body = (const guint8 *) doc + 1;
  end = (const guint8 *) doc + length;
  decoded = g_string_new (NULL);
  appended = g_string_new (NULL);
  strict_decoded = g_string_new (NULL);

  status = sonde_json_lex_string (body, end, SONDE_JSON_LEX_DEFAULT, &fast);
  CHECK (sonde_json_lex_decode (body, end, SONDE_JSON_LEX_DEFAULT, decoded, &slow) == status);

  if (status != SONDE_JSON_LEX_OK)
    {
      CHECK (status == SONDE_JSON_LEX_UNTERMINATED || status == SONDE_JSON_LEX_BAD_ESCAPE
             || status == SONDE_JSON_LEX_BAD_HEX);
      CHECK (slow.error_at == fast.error_at);
      CHECK (fast.error_at >= body && fast.error_at <= end);
      CHECK (sonde_json_lex_decode (body, end, SONDE_JSON_LEX_STRICT_SURROGATES, NULL, &strict) != SONDE_JSON_LEX_OK);
      return;
    }

  CHECK (fast.end > body && fast.end <= end && fast.end[-1] == '"');
  CHECK (slow.end == fast.end && slow.has_escapes == fast.has_escapes);
  CHECK (sonde_json_lex_string_end (body, end) == fast.end);

  sonde_json_lex_append (appended, body, fast.end - 1 - body);
  CHECK (g_string_equal (decoded, appended));
  CHECK (sonde_json_lex_equal (body, fast.end - 1 - body, fast.has_escapes, decoded->str, decoded->len));
  CHECK (decoded->len <= (gsize) (fast.end - 1 - body));

  /* Stricter flags only refuse more; what they accept reads the same. */
  if (sonde_json_lex_decode (body, end, SONDE_JSON_LEX_NO_NUL | SONDE_JSON_LEX_STRICT_SURROGATES,
                             strict_decoded, &strict) == SONDE_JSON_LEX_OK)
    {
      CHECK (strict.end == fast.end);
      CHECK (g_string_equal (decoded, strict_decoded));
      /* No \u0000: a NUL decoded is a raw one. */
      CHECK (memchr (decoded->str, '\0', decoded->len) == NULL || memchr (body, '\0', fast.end - body) != NULL);
    }

  if (sonde_json_lex_string (body, end, SONDE_JSON_LEX_STRICT_TEXT, &strict) == SONDE_JSON_LEX_OK)
    {
      CHECK (strict.end == fast.end);
      /* Lone surrogates became U+FFFD: valid UTF-8, up to NUL bytes. */
      if (memchr (decoded->str, '\0', decoded->len) == NULL)
        CHECK (g_utf8_validate (decoded->str, (gssize) decoded->len, NULL));
    }
}

/* The formatter: what it accepts it writes as text it accepts again. */
static void
run_format (const char *doc,
            gsize       length)
{
  g_autofree char *pretty = sonde_json_pretty (doc, (gssize) length, 2, NULL);

  /* The fast check (sonde-json-check.c) and the scanner give the same
   * answer, either way; validate() answers with the fast one. */
  CHECK (sonde_json_is_valid (doc, length) == (pretty != NULL));
  CHECK (sonde_json_validate (doc, (gssize) length, NULL, NULL, NULL) == (pretty != NULL));
  if (pretty == NULL)
    return;
  CHECK (sonde_json_validate (pretty, -1, NULL, NULL, NULL));

  /* The compact form (short arrays and objects on one line) too, and it
   * keeps the same tokens as the pretty one. */
  {
    g_autofree char *compact = sonde_json_pretty_compact (doc, (gssize) length, 2, 48, NULL);
    g_autofree char *compact_again = NULL;

    CHECK (compact != NULL);
    CHECK (sonde_json_validate (compact, -1, NULL, NULL, NULL));
    compact_again = sonde_json_pretty (compact, -1, 2, NULL);
    CHECK (compact_again != NULL && g_str_equal (compact_again, pretty));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *newline = memchr (data, '\n', size);
  gsize line_length = newline != NULL ? (gsize) (newline - data) : size;
  gsize length = newline != NULL ? size - line_length - 1 : 0;
  g_autofree char *line = g_strndup ((const char *) data, line_length);
  /* Exactly the document's bytes: nothing after them to read by mistake. */
  g_autofree char *doc = g_memdup2 (newline != NULL ? newline + 1 : data + size, length);
  g_autoptr(SondeJsonPath) path = NULL;
  g_autoptr(SondePredicate) predicate = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  path = sonde_json_path_new (line, NULL);
  if (path != NULL)
    run_path (path, doc, length);

  predicate = sonde_predicate_new (line, NULL);
  if (predicate != NULL)
    (void) sonde_predicate_matches (predicate, doc, length);

  run_lexer (doc, length);
  run_format (doc, length);

  listed = sonde_json_path_list_numeric (doc, length, 32);
  for (guint i = 0; i < listed->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeJsonPath) listed_path = sonde_json_path_new (g_ptr_array_index (listed, i), &error);

      if (listed_path == NULL)
        {
          g_printerr ("fuzz-json-path: listed path “%s” does not parse: %s\n",
                      (const char *) g_ptr_array_index (listed, i), error->message);
          abort ();
        }
      if (!sonde_json_path_get_number (listed_path, doc, length, NULL))
        {
          g_printerr ("fuzz-json-path: listed path “%s” reads no number\n",
                      (const char *) g_ptr_array_index (listed, i));
          abort ();
        }
      run_path (listed_path, doc, length);
    }

  return 0;
}
