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
 * - a path's string form parses to a path that finds the same value.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-predicate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define CHECK(condition)                                                       \
  G_STMT_START {                                                               \
    if (!(condition))                                                          \
      {                                                                        \
        g_printerr ("fuzz-json-path: check failed: %s\n", #condition);        \
        abort ();                                                              \
      }                                                                        \
  } G_STMT_END

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

  /* The path as written reads the same. */
  again = sonde_json_path_new (sonde_json_path_to_string (path), NULL);
  CHECK (again != NULL);
  CHECK (sonde_json_path_lookup (again, doc, length, &value_again) == found);
  if (found)
    CHECK (value_again.type == value.type && value_again.text == value.text
           && value_again.text_length == value.text_length);
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
