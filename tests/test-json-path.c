/* test-json-path.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables for every path form and value type, then the scanner against
 * json-glib on thousands of random documents, and every prefix of a set of
 * documents (each in a buffer of exactly its size, so that ASan or valgrind
 * sees any read past the end).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "sonde-error.h"
#include "sonde-json-path.h"
#include "sonde-test-util.h"

#define N_RANDOM_DOCUMENTS 6000

static SondeJsonPath *
path_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  SondeJsonPath *path = sonde_json_path_new (text, &error);

  if (path == NULL)
    g_error ("“%s” does not parse: %s", text, error->message);
  return path;
}

/* Looks @path up in a copy of @json of exactly its length, without a NUL. */
static gboolean
lookup_exact (SondeJsonPath  *path,
              const char     *json,
              gsize           length,
              SondeJsonValue *value)
{
  g_autofree char *copy = g_memdup2 (json, length);
  gboolean found = sonde_json_path_lookup (path, copy, length, value);

  /* What @value points at must not outlive the copy. */
  if (found)
    value->text = value->text != NULL ? json + (value->text - copy) : NULL;
  return found;
}

/* ---- parsing paths ------------------------------------------------------ */

static void
test_parse_valid (void)
{
  static const char *const paths[] = {
    "$",
    "$.price",
    "$.data.bids[0][1]",
    "$[\"key with spaces\"]",
    "$.a.b[-1]",
    "$[0]",
    "$[-2147483647]",
    "$[2147483647]",
    "$.$ref",
    "$.a-b_c$9",
    "$.0",
    "$[\"\"]",
    "$[\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"]",
    "$[\"é😀\"][\"]\"]",
    "$.a[\"b\"].c[3][-3]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(SondeJsonPath) path = path_new (paths[i]);
      g_autoptr(SondeJsonPath) ref = sonde_json_path_ref (path);

      g_assert_cmpstr (sonde_json_path_to_string (path), ==, paths[i]);
      g_assert_true (ref == path);
    }
}

typedef struct {
  const char *path;
  const char *message;
} ErrorCase;

static void
test_parse_errors (void)
{
  static const ErrorCase cases[] = {
    { "", "Column 1 of “”: the path is empty: it starts with “$”, e.g. $.price" },
    { "price", "Column 1 of “price”: a path starts with “$”, e.g. $.price or $[0]" },
    { ".price", "Column 1 of “.price”: a path starts with “$”, e.g. $.price" },
    { " $.a", "Column 1 of “ $.a”: a path starts with “$”, e.g. $.price" },
    { "$.", "Column 3 of “$.”: expected a member name after “.” (a name with characters other than "
            "letters, digits, “_”, “$” and “-” is written [\"…\"])" },
    { "$.a..b", "Column 5 of “$.a..b”: expected a member name after “.”" },
    { "$.[0]", "Column 3 of “$.[0]”: expected a member name after “.”" },
    { "$.a b", "Column 4 of “$.a b”: expected “.”, “[” or the end of the path" },
    { "$a", "Column 2 of “$a”: expected “.”, “[” or the end of the path" },
    { "$.é", "Column 3 of “$.é”: expected a member name after “.” (a name with characters other than "
             "letters, digits, “_”, “$” and “-” is written [\"…\"])" },
    { "$.a[x]", "Column 5 of “$.a[x]”: expected a number or a quoted key inside [ ]" },
    { "$.a[]", "Column 5 of “$.a[]”: expected a number or a quoted key inside [ ]" },
    { "$[ 0]", "Column 3 of “$[ 0]”: expected a number or a quoted key inside [ ]" },
    { "$['a']", "Column 3 of “$['a']”: keys inside [ ] take double quotes: [\"key\"]" },
    { "$[0", "Column 4 of “$[0”: expected “]”" },
    { "$[0 ]", "Column 4 of “$[0 ]”: expected “]”" },
    { "$[1.5]", "Column 4 of “$[1.5]”: expected “]”" },
    { "$[\"a\"", "Column 6 of “$[\"a\"”: expected “]”" },
    { "$[-]", "Column 4 of “$[-]”: expected a digit after “-”" },
    { "$[-0]", "Column 3 of “$[-0]”: [-0] is not an index: [-1] is the last element" },
    { "$[01]", "Column 3 of “$[01]”: an index has no leading zeros" },
    { "$[2147483648]", "Column 3 of “$[2147483648]”: the index is too large (at most 2147483647)" },
    { "$[-99999999999]", "Column 3 of “$[-99999999999]”: the index is too large (at most 2147483647)" },
    { "$[\"abc]", "Column 3 of “$[\"abc]”: this key has no closing “\"”" },
    { "$[\"ab\\", "Column 3 of “$[\"ab\\”: this key has no closing “\"”" },
    { "$[\"a\\q\"]", "Column 5 of “$[\"a\\q\"]”: “\\q” is not a JSON escape (use \\\", \\\\, \\/, \\b, "
                     "\\f, \\n, \\r, \\t or \\uXXXX)" },
    { "$[\"\\u12\"]", "Column 4 of “$[\"\\u12\"]”: \\u needs four hex digits" },
    { "$[\"é\\ud800\"]", "Column 5 of “$[\"é\\ud800\"]”: “\\ud800” is half of a surrogate pair: the "
                         "other half must follow" },
    { "$[\"\\udc00\"]", "Column 4 of “$[\"\\udc00\"]”: “\\udc00” is the second half of a surrogate pair" },
    { "$.a\xff", "Column 4 of “$.a\xef\xbf\xbd”: invalid UTF-8" },
    { "$[\"\xc3\"]", "Column 4 of “$[\"\xef\xbf\xbd\"]”: invalid UTF-8" },
    /* Found by fuzzing: an escape of a cut UTF-8 sequence at the very end. */
    { "$[\"a\\\xf7", "Column 6 of “$[\"a\\\xef\xbf\xbd”: invalid UTF-8" },
    { "$[\"a\\\xc3\xa9\"]", "Column 5 of “$[\"a\\é\"]”: “\\é” is not a JSON escape (use \\\", \\\\, \\/, "
                         "\\b, \\f, \\n, \\r, \\t or \\uXXXX)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeJsonPath) path = sonde_json_path_new (cases[i].path, &error);
      /* Some are not UTF-8: TAP wants it. */
      g_autofree char *shown = g_strescape (cases[i].path, NULL);

      g_test_message ("case %u: %s", i, shown);
      g_assert_null (path);
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_parse_prefix (void)
{
  static const struct {
    const char *text;
    guint start;
    guint end;
  } cases[] = {
    { "$.sym == \"ABC\"", 0, 5 },
    { "$.v>0", 0, 3 },
    { "$.a[0][\"b c\"]&&x", 0, 13 },
    { "x && $.b", 5, 8 },
    { "$", 0, 1 },
    { "$ .a", 0, 1 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeJsonPath) bad = NULL;
  const char *end = NULL;
  const char *text = "$.a == 1 && $.b[x] > 2";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeJsonPath) path = sonde_json_path_new_prefix (cases[i].text, cases[i].text + cases[i].start,
                                                                  &end, &error);

      g_assert_no_error (error);
      g_assert_true (end == cases[i].text + cases[i].end);
      g_assert_cmpmem (sonde_json_path_to_string (path), strlen (sonde_json_path_to_string (path)),
                       cases[i].text + cases[i].start, cases[i].end - cases[i].start);
    }

  /* Errors name the column in the whole text. */
  bad = sonde_json_path_new_prefix (text, text + 12, &end, &error);
  g_assert_null (bad);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
  g_assert_cmpstr (error->message, ==, "Column 17 of “$.a == 1 && $.b[x] > 2”: expected a number or a "
                   "quoted key inside [ ]");
}

/* ---- looking values up -------------------------------------------------- */

typedef struct {
  const char         *json;
  const char         *path;
  SondeJsonValueType  type;
  gboolean            has_number;
  double              number;
  const char         *text;      /* the raw text, or NULL not to check */
} LookupCase;

static const char book[] =
  "{\"type\":\"book\",\"data\":{\"bids\":[[101.25,3],[101.5,\"7\"]],\"asks\":[]},"
  "\"key with spaces\":\"101.25\",\"a\":{\"b\":[1,2,{\"c\":true}]},\"n\":null,\"f\":false}";

static void
check_lookup (const LookupCase *c)
{
  g_autoptr(SondeJsonPath) path = path_new (c->path);
  SondeJsonValue value;
  gboolean found;
  double number = -12345;

  found = lookup_exact (path, c->json, strlen (c->json), &value);
  g_assert_cmpint (found, ==, c->type != SONDE_JSON_VALUE_NONE);
  g_assert_cmpint (value.type, ==, c->type);
  g_assert_cmpint (value.has_number, ==, c->has_number);
  if (c->has_number)
    g_assert_cmpfloat (value.number, ==, c->number);
  if (c->text != NULL)
    g_assert_cmpmem (value.text, value.text_length, c->text, strlen (c->text));

  g_assert_cmpint (sonde_json_path_get_number (path, c->json, strlen (c->json), &number), ==, c->has_number);
  if (c->has_number)
    g_assert_cmpfloat (number, ==, c->number);
  else
    g_assert_cmpfloat (number, ==, -12345);
}

static void
test_lookup_table (void)
{
  static const LookupCase cases[] = {
    /* Every path form. */
    { book, "$.type", SONDE_JSON_VALUE_STRING, FALSE, 0, "book" },
    { book, "$.data.bids[0][1]", SONDE_JSON_VALUE_NUMBER, TRUE, 3, "3" },
    { book, "$.data.bids[0][0]", SONDE_JSON_VALUE_NUMBER, TRUE, 101.25, "101.25" },
    { book, "$.data.bids[1][1]", SONDE_JSON_VALUE_STRING, TRUE, 7, "7" },
    { book, "$.data.bids[-1][0]", SONDE_JSON_VALUE_NUMBER, TRUE, 101.5, "101.5" },
    { book, "$.data.bids[-2][-1]", SONDE_JSON_VALUE_NUMBER, TRUE, 3, "3" },
    { book, "$.data.bids[-3]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data.bids[2]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data.asks[0]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data.asks[-1]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data.asks", SONDE_JSON_VALUE_ARRAY, FALSE, 0, "[]" },
    { book, "$.data.bids[0]", SONDE_JSON_VALUE_ARRAY, FALSE, 0, "[101.25,3]" },
    { book, "$.data", SONDE_JSON_VALUE_OBJECT, FALSE, 0,
      "{\"bids\":[[101.25,3],[101.5,\"7\"]],\"asks\":[]}" },
    { book, "$[\"key with spaces\"]", SONDE_JSON_VALUE_STRING, TRUE, 101.25, "101.25" },
    { book, "$[\"data\"][\"bids\"][0][1]", SONDE_JSON_VALUE_NUMBER, TRUE, 3, "3" },
    { book, "$.a.b[-1]", SONDE_JSON_VALUE_OBJECT, FALSE, 0, "{\"c\":true}" },
    { book, "$.a.b[-1].c", SONDE_JSON_VALUE_BOOLEAN, TRUE, 1, "true" },
    { book, "$.a.b[2].c", SONDE_JSON_VALUE_BOOLEAN, TRUE, 1, "true" },
    { book, "$.f", SONDE_JSON_VALUE_BOOLEAN, TRUE, 0, "false" },
    { book, "$.n", SONDE_JSON_VALUE_NULL, FALSE, 0, "null" },
    { book, "$", SONDE_JSON_VALUE_OBJECT, FALSE, 0, book },

    /* Absent, or not the container a step needs. */
    { book, "$.missing", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.type.x", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.type[0]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data[0]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.data.bids.x", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.n.x", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$[0]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.Type", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { book, "$.typ", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "[1,2]", "$.a", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "12", "$.a", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "12", "$[0]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },

    /* The document itself. */
    { "12", "$", SONDE_JSON_VALUE_NUMBER, TRUE, 12, "12" },
    { " \n\t-1.5e2 \r\n", "$", SONDE_JSON_VALUE_NUMBER, TRUE, -150, "-1.5e2" },
    { "true", "$", SONDE_JSON_VALUE_BOOLEAN, TRUE, 1, "true" },
    { "null", "$", SONDE_JSON_VALUE_NULL, FALSE, 0, "null" },
    { "\"1e3\"", "$", SONDE_JSON_VALUE_STRING, TRUE, 1000, "1e3" },
    { "[]", "$", SONDE_JSON_VALUE_ARRAY, FALSE, 0, "[]" },

    /* Arrays at the top, with whitespace everywhere. */
    { " [ 10 , [ 20 , 30 ] , { \"x\" : 40 } ] ", "$[0]", SONDE_JSON_VALUE_NUMBER, TRUE, 10, "10" },
    { " [ 10 , [ 20 , 30 ] , { \"x\" : 40 } ] ", "$[1][1]", SONDE_JSON_VALUE_NUMBER, TRUE, 30, "30" },
    { " [ 10 , [ 20 , 30 ] , { \"x\" : 40 } ] ", "$[-1].x", SONDE_JSON_VALUE_NUMBER, TRUE, 40, "40" },
    { " [ 10 , [ 20 , 30 ] , { \"x\" : 40 } ] ", "$[-3]", SONDE_JSON_VALUE_NUMBER, TRUE, 10, "10" },
    { " [ 10 , [ 20 , 30 ] , { \"x\" : 40 } ] ", "$[-2][-2]", SONDE_JSON_VALUE_NUMBER, TRUE, 20, "20" },

    /* Numbers. */
    { "{\"a\":0}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 0, "0" },
    { "{\"a\":-0}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 0, "-0" },
    { "{\"a\":1E+5}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1e5, "1E+5" },
    { "{\"a\":2.5e-3}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 2.5e-3, "2.5e-3" },
    { "{\"a\":0.1}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 0.1, "0.1" },
    { "{\"a\":1764121195123}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1764121195123.0, NULL },
    { "{\"a\":123456789012345678901234567890}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1.2345678901234568e29, NULL },
    { "{\"a\":1.7976931348623157e308}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1.7976931348623157e308, NULL },
    { "{\"a\":4.9e-324}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 4.9e-324, NULL },
    { "{\"a\":1e-400}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 0, "1e-400" },
    /* Too large for a double: a number, without a value. */
    { "{\"a\":1e400}", "$.a", SONDE_JSON_VALUE_NUMBER, FALSE, 0, "1e400" },
    { "{\"a\":-1e309}", "$.a", SONDE_JSON_VALUE_NUMBER, FALSE, 0, "-1e309" },

    /* Strings: the raw text between the quotes. */
    { "{\"a\":\"x\\\"y\\\\\"}", "$.a", SONDE_JSON_VALUE_STRING, FALSE, 0, "x\\\"y\\\\" },
    { "{\"a\":\"\\\\\",\"b\":1}", "$.b", SONDE_JSON_VALUE_NUMBER, TRUE, 1, "1" },
    { "{\"a\":\"\"}", "$.a", SONDE_JSON_VALUE_STRING, FALSE, 0, "" },
    { "{\"a\":\"\\u0031\\u0032.5\"}", "$.a", SONDE_JSON_VALUE_STRING, TRUE, 12.5, "\\u0031\\u0032.5" },

    /* Keys: escapes are decoded before comparing. */
    { "{\"\\u0061\":1}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1, NULL },
    { "{\"\\u0041\\u0062\":1}", "$.Ab", SONDE_JSON_VALUE_NUMBER, TRUE, 1, NULL },
    { "{\"a\\\"b\":2}", "$[\"a\\\"b\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 2, NULL },
    { "{\"a\\\\b\":3}", "$[\"a\\\\b\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 3, NULL },
    { "{\"a\\/b\":4}", "$[\"a/b\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 4, NULL },
    { "{\"a/b\":4}", "$[\"a\\/b\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 4, NULL },
    { "{\"\\u00e9t\\u00E9\":5}", "$[\"été\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 5, NULL },
    { "{\"été\":5}", "$[\"\\u00e9t\\u00e9\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 5, NULL },
    { "{\"\\ud83d\\ude00\":6}", "$[\"😀\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 6, NULL },
    { "{\"😀\":6}", "$[\"\\ud83d\\ude00\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 6, NULL },
    { "{\"\\n\\t\":7}", "$[\"\\n\\t\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 7, NULL },
    { "{\"\\u0000\":8}", "$[\"\\u0000\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 8, NULL },
    { "{\"\\u0000\":8}", "$[\"\"]", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "{\"\":9}", "$[\"\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 9, NULL },
    { "{\"\\u0061b\":1}", "$.a", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "{\"a\":1}", "$[\"\\u0061\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 1, NULL },
    { "{\"key with spaces\":1}", "$[\"key with spaces\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 1, NULL },
    { "{\"a.b\":1,\"a\":{\"b\":2}}", "$[\"a.b\"]", SONDE_JSON_VALUE_NUMBER, TRUE, 1, NULL },
    { "{\"a.b\":1,\"a\":{\"b\":2}}", "$.a.b", SONDE_JSON_VALUE_NUMBER, TRUE, 2, NULL },

    /* Duplicate keys: the last one wins, as in json-glib. */
    { "{\"a\":1,\"a\":2}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 2, "2" },
    { "{\"a\":1,\"b\":0,\"\\u0061\":3}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 3, "3" },
    { "{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "$.a.b", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "{\"a\":{\"b\":1},\"a\":5}", "$.a.b", SONDE_JSON_VALUE_NONE, FALSE, 0, NULL },
    { "{\"a\":{\"b\":1,\"b\":2},\"c\":3}", "$.a.b", SONDE_JSON_VALUE_NUMBER, TRUE, 2, "2" },
    { "{\"a\":[{\"b\":1,\"b\":[7]}]}", "$.a[0].b[0]", SONDE_JSON_VALUE_NUMBER, TRUE, 7, "7" },
    { "[{\"b\":1},{\"b\":2,\"b\":4}]", "$[-1].b", SONDE_JSON_VALUE_NUMBER, TRUE, 4, "4" },

    /* Containers that are stepped over, with brackets inside strings. */
    { "{\"x\":[\"]\",\"[\",{\"}\":\"{\"}],\"y\":{\"a\":\"\\\"}\"},\"a\":1}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 1, "1" },
    { "{\"x\":\"\\\\\\\"]\",\"a\":2}", "$.a", SONDE_JSON_VALUE_NUMBER, TRUE, 2, "2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s in %s", i, cases[i].path, cases[i].json);
      check_lookup (&cases[i]);
    }
}

/* Numbers: the scanner's conversion against g_ascii_strtod(). */
static void
test_numbers_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(SondeJsonPath) path = path_new ("$[0]");
  g_autoptr(GString) number = g_string_new (NULL);
  g_autoptr(GString) json = g_string_new (NULL);

  for (guint i = 0; i < 200000; i++)
    {
      guint n_int = g_rand_int_range (rand, 1, 20);
      guint n_frac = g_rand_boolean (rand) ? 0 : g_rand_int_range (rand, 1, 20);
      double expected;
      double got = 0;

      g_string_truncate (number, 0);
      if (g_rand_boolean (rand))
        g_string_append_c (number, '-');
      if (g_rand_int_range (rand, 0, 4) == 0)
        g_string_append_c (number, '0');
      else
        for (guint d = 0; d < n_int; d++)
          g_string_append_c (number, (char) ('0' + g_rand_int_range (rand, d == 0 ? 1 : 0, 10)));
      if (n_frac > 0)
        {
          g_string_append_c (number, '.');
          for (guint d = 0; d < n_frac; d++)
            g_string_append_c (number, (char) ('0' + g_rand_int_range (rand, 0, 10)));
        }
      if (g_rand_int_range (rand, 0, 3) == 0)
        g_string_append_printf (number, "%s%s%d", g_rand_boolean (rand) ? "e" : "E",
                                (const char *[]) { "", "+", "-" }[g_rand_int_range (rand, 0, 3)],
                                g_rand_int_range (rand, 0, 330));

      g_string_printf (json, "[%s]", number->str);
      expected = g_ascii_strtod (number->str, NULL);
      if (!isfinite (expected))
        {
          g_assert_false (sonde_json_path_get_number (path, json->str, json->len, &got));
          continue;
        }
      if (!sonde_json_path_get_number (path, json->str, json->len, &got))
        g_error ("no value for %s", number->str);
      if (memcmp (&got, &expected, sizeof got) != 0)
        g_error ("%s: %.17g, not %.17g", number->str, got, expected);
    }
}

typedef struct {
  const char *string;      /* the JSON string, escapes and all, without quotes */
  gboolean    has_number;
  double      number;
} NumericStringCase;

static void
test_numeric_strings (void)
{
  static const NumericStringCase cases[] = {
    { "101.25", TRUE, 101.25 },
    { "-1e3", TRUE, -1000 },
    { "0", TRUE, 0 },
    { "-0.5E+2", TRUE, -50 },
    { "1764121195123", TRUE, 1764121195123.0 },
    { "\\u0031\\u0030", TRUE, 10 },
    { "1\\u002e5", TRUE, 1.5 },
    { "12abc", FALSE, 0 },
    { " 1", FALSE, 0 },
    { "1 ", FALSE, 0 },
    { "\\u00201", FALSE, 0 },
    { "\\t1", FALSE, 0 },
    { "0x10", FALSE, 0 },
    { "NaN", FALSE, 0 },
    { "Infinity", FALSE, 0 },
    { "-Infinity", FALSE, 0 },
    { "+1", FALSE, 0 },
    { "1.", FALSE, 0 },
    { ".5", FALSE, 0 },
    { "01", FALSE, 0 },
    { "1e", FALSE, 0 },
    { "-", FALSE, 0 },
    { "", FALSE, 0 },
    { "1,5", FALSE, 0 },
    { "1e400", FALSE, 0 },
    { "abc", FALSE, 0 },
    { "\\u0000", FALSE, 0 },
    { "1\\u0000", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"v\":\"%s\"}", cases[i].string);
      LookupCase c = { json, "$.v", SONDE_JSON_VALUE_STRING, cases[i].has_number, cases[i].number,
                       cases[i].string };

      g_test_message ("case %u: %s", i, json);
      check_lookup (&c);
    }
}

static void
test_equal_string (void)
{
  static const struct {
    const char *json;
    const char *string;
    gboolean    equal;
  } cases[] = {
    { "\"ABC\"", "ABC", TRUE },
    { "\"ABC\"", "AB", FALSE },
    { "\"AB\"", "ABC", FALSE },
    { "\"\\u0041BC\"", "ABC", TRUE },
    { "\"\\u0041BC\"", "\\u0041BC", FALSE },
    { "\"a\\\"b\"", "a\"b", TRUE },
    { "\"\\ud83d\\ude00\"", "😀", TRUE },
    { "\"\\ud83d\"", "\xef\xbf\xbd", TRUE },
    { "\"\\n\"", "\n", TRUE },
    { "\"\"", "", TRUE },
    { "1", "1", FALSE },
    { "null", "null", FALSE },
  };
  g_autoptr(SondeJsonPath) path = path_new ("$");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SondeJsonValue value;

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_true (sonde_json_path_lookup (path, cases[i].json, strlen (cases[i].json), &value));
      g_assert_cmpint (sonde_json_value_equal_string (&value, cases[i].string), ==, cases[i].equal);
    }
}

/* ---- malformed documents ------------------------------------------------ */

typedef struct {
  const char *json;
  const char *path;
  gboolean    found;       /* what the documented leniency gives */
} MalformedCase;

static void
test_malformed (void)
{
  static const MalformedCase cases[] = {
    /* On the way to the value: nothing. */
    { "", "$", FALSE },
    { "   ", "$", FALSE },
    { "{", "$.a", FALSE },
    { "{\"a\" 1}", "$.a", FALSE },
    { "{\"a\":}", "$.a", FALSE },
    { "{\"a\":1,}", "$.a", FALSE },
    { "{,\"a\":1}", "$.a", FALSE },
    { "{\"b\":1,,\"a\":1}", "$.a", FALSE },
    { "{\"b\":1 \"a\":1}", "$.a", FALSE },
    { "{a:1}", "$.a", FALSE },
    { "{'a':1}", "$.a", FALSE },
    { "{\"a\":1]", "$.a", FALSE },
    { "{\"a\\q\":1}", "$.a", FALSE },
    { "{\"a\\u00\":1}", "$.a", FALSE },
    { "{\"a", "$.a", FALSE },
    { "{\"b\":[1,2}],\"a\":1}", "$.a", FALSE },
    { "{\"b\":{\"c\":1]},\"a\":1}", "$.a", FALSE },
    { "{\"b\":\"abc,\"a\":1}", "$.a", FALSE },
    { "{\"b\":[[[],\"a\":1}", "$.a", FALSE },
    { "[1,,2]", "$[2]", FALSE },
    { "[1 2]", "$[1]", FALSE },
    { "[,1]", "$[0]", FALSE },
    { "[1,]", "$[1]", FALSE },
    { "[1,]", "$[-1]", FALSE },
    { "]", "$[0]", FALSE },
    { "}", "$.a", FALSE },

    /* The value itself. */
    { "{\"a\":01}", "$.a", FALSE },
    { "{\"a\":1.}", "$.a", FALSE },
    { "{\"a\":.5}", "$.a", FALSE },
    { "{\"a\":+1}", "$.a", FALSE },
    { "{\"a\":-}", "$.a", FALSE },
    { "{\"a\":1e}", "$.a", FALSE },
    { "{\"a\":0x10}", "$.a", FALSE },
    { "{\"a\":12abc}", "$.a", FALSE },
    { "{\"a\":NaN}", "$.a", FALSE },
    { "{\"a\":Infinity}", "$.a", FALSE },
    { "{\"a\":tru}", "$.a", FALSE },
    { "{\"a\":truex}", "$.a", FALSE },
    { "{\"a\":nul}", "$.a", FALSE },
    { "{\"a\":\"x\\ty\\x\"}", "$.a", FALSE },
    { "{\"a\":\"\\u12g4\"}", "$.a", FALSE },
    { "{\"a\":\"abc}", "$.a", FALSE },
    { "{\"a\":[1,2}", "$.a", FALSE },
    { "{\"a\":{\"b\":1]}", "$.a", FALSE },
    { "01", "$", FALSE },
    { "1.5.5", "$", FALSE },

    /* After the value, in an object on the path: still read, so nothing. */
    { "{\"a\":1,\"b\":}", "$.a", FALSE },
    { "{\"a\":1,", "$.a", FALSE },
    { "{\"a\":1 x}", "$.a", FALSE },
    { "{\"a\":{\"b\":1},]", "$.a.b", FALSE },

    /* Documented leniency: what follows a value that ends the scan is not
     * read, and values stepped over only need balanced brackets and closed
     * strings. */
    { "[1,}", "$[0]", TRUE },
    { "[[1,2],x", "$[0][1]", TRUE },
    { "1 x", "$", TRUE },
    { "{\"a\":1} x", "$.a", TRUE },
    { "{\"b\":[1,,2],\"a\":1}", "$.a", TRUE },
    { "{\"b\":{1:2},\"a\":1}", "$.a", TRUE },
    { "{\"b\":nope,\"a\":1}", "$.a", TRUE },
    { "{\"b\":\"\\q\",\"a\":1}", "$.a", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeJsonPath) path = path_new (cases[i].path);
      SondeJsonValue value;
      double number;

      g_test_message ("case %u: %s in %s", i, cases[i].path, cases[i].json);
      g_assert_cmpint (lookup_exact (path, cases[i].json, strlen (cases[i].json), &value), ==, cases[i].found);
      if (!cases[i].found)
        {
          g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_NONE);
          g_assert_false (sonde_json_path_get_number (path, cases[i].json, strlen (cases[i].json), &number));
        }
    }

  /* Not JSON at all, and no bytes. */
  {
    static const guint8 binary[] = { 0x00, 0xff, '{', 0x80, '"', 0x00 };
    g_autoptr(SondeJsonPath) path = path_new ("$.a");
    SondeJsonValue value;

    g_assert_false (lookup_exact (path, (const char *) binary, sizeof binary, &value));
    g_assert_false (sonde_json_path_lookup (path, NULL, 0, &value));
    g_assert_false (sonde_json_path_lookup (path, "{\"a\":1}", 0, &value));
    g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_NONE);
  }
}

/* Nesting: deep paths, and the limit of 4096 levels in what is skipped. */
static void
test_deep (void)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new ("$");
  g_autoptr(SondeJsonPath) deep_path = NULL;
  g_autoptr(SondeJsonPath) after = path_new ("$.after");
  double number = 0;

  /* A path of 300 steps, alternating objects and arrays. */
  for (guint i = 0; i < 150; i++)
    {
      g_string_append (json, "{\"pad\":[1,{\"x\":[]}],\"k\":[0,");
      g_string_append (text, ".k[1]");
    }
  g_string_append (json, "42");
  for (guint i = 0; i < 150; i++)
    g_string_append (json, "],\"tail\":{\"y\":\"]\"}}");
  deep_path = path_new (text->str);
  g_assert_true (sonde_json_path_get_number (deep_path, json->str, json->len, &number));
  g_assert_cmpfloat (number, ==, 42);

  /* 4096 levels stepped over are fine; 4097 are not. */
  for (guint depth = 4095; depth <= 4097; depth++)
    {
      g_string_assign (json, "{\"skip\":");
      for (guint i = 0; i < depth; i++)
        g_string_append_c (json, i % 2 ? '{' : '[');
      for (guint i = depth; i > 0; i--)
        g_string_append (json, (i - 1) % 2 ? "\"k\":1}" : "]");
      g_string_append (json, ",\"after\":7}");

      g_test_message ("depth %u", depth);
      number = 0;
      g_assert_cmpint (sonde_json_path_get_number (after, json->str, json->len, &number), ==, depth <= 4096);
      g_assert_cmpfloat (number, ==, depth <= 4096 ? 7 : 0);
    }

  /* A million brackets: no stack to exhaust. */
  g_string_assign (json, "{\"skip\":");
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (json, '[');
  g_assert_false (sonde_json_path_get_number (after, json->str, json->len, &number));
}

/* Negative indices beyond the ring on the stack, and beyond any array. */
static void
test_negative_indices (void)
{
  g_autoptr(GString) json = g_string_new ("{\"a\":[");

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (json, "%s%u", i ? "," : "", i);
  g_string_append (json, "],\"b\":1}");

  for (int n = 1; n <= 1001; n += (n < 40 ? 1 : 97))
    {
      g_autofree char *text = g_strdup_printf ("$.a[-%d]", n);
      g_autoptr(SondeJsonPath) path = path_new (text);
      double number = -1;
      gboolean found = sonde_json_path_get_number (path, json->str, json->len, &number);

      g_assert_cmpint (found, ==, n <= 1000);
      if (found)
        g_assert_cmpfloat (number, ==, 1000 - n);
    }

  {
    g_autoptr(SondeJsonPath) path = path_new ("$.a[-2147483647]");
    g_autoptr(SondeJsonPath) b = path_new ("$.b");

    g_assert_false (sonde_json_path_get_number (path, json->str, json->len, NULL));
    g_assert_true (sonde_json_path_get_number (b, json->str, json->len, NULL));
  }
}

/* ---- truncation --------------------------------------------------------- */

static gboolean
has_key_step (const char *path)
{
  return strchr (path, '.') != NULL || strstr (path, "[\"") != NULL;
}

static void
test_truncation (void)
{
  static const char *const documents[] = {
    "{\"type\":\"tick\",\"sym\":\"ABC\",\"price\":101.25,\"volume\":123,\"ts\":1764121195123,\"seq\":42}",
    "{\"data\":{\"bids\":[[101.25,3],[101.5,\"7\"]],\"asks\":[[102,1]]},\"s\":\"\\u0041\\\"}\",\"t\":true}",
    "[[1,2,3],{\"a\":[null,false,\"x\\\\\"]},-1.5e3,\"1e2\",[[]]]",
    " { \"a\" : [ 1 , 2 , { \"b\" : \"c\" } ] , \"d\" : 12345 , \"\\u0061\" : { } } ",
    "{\"a\":1,\"a\":{\"b\":2},\"a\":{\"b\":3}}",
    "[\"\xf0\x9f\x98\x80\",\"\\ud83d\\ude00\",123456789012345678901234567890,0.1]",
  };
  static const char *const paths[] = {
    "$", "$.price", "$.seq", "$.sym", "$.data.bids[1][1]", "$.data.bids[-1][0]", "$.data.asks[0]",
    "$.s", "$.t", "$[0][2]", "$[1].a[-1]", "$[2]", "$[3]", "$[-1]", "$[4][0]", "$.a", "$.a[2].b",
    "$.d", "$.a.b", "$[0]", "$[1]", "$[-2]",
  };
  guint checked = 0;

  for (guint d = 0; d < G_N_ELEMENTS (documents); d++)
    for (guint k = 0; k < G_N_ELEMENTS (paths); k++)
      {
        const char *doc = documents[d];
        gsize length = strlen (doc);
        g_autoptr(SondeJsonPath) path = path_new (paths[k]);
        SondeJsonValue full;
        gboolean found = sonde_json_path_lookup (path, doc, length, &full);
        gsize value_end = found ? (gsize) (full.text - doc) + full.text_length : G_MAXSIZE;

        if (found && full.type == SONDE_JSON_VALUE_STRING)
          value_end++;

        for (gsize cut = 0; cut <= length; cut++)
          {
            SondeJsonValue value;
            gboolean cut_found = lookup_exact (path, doc, cut, &value);

            checked++;
            if (cut_found)
              {
                /* Never something the whole document does not hold. */
                if (!found)
                  g_error ("%s in the first %zu bytes of %s: found what the whole does not hold",
                           paths[k], cut, doc);
                g_assert_cmpint (value.type, ==, full.type);
                g_assert_cmpint (value.has_number, ==, full.has_number);
                g_assert_cmpfloat (value.number, ==, full.number);
                g_assert_true (value.text == full.text);
                g_assert_cmpuint (value.text_length, ==, full.text_length);
              }
            else if (found && !has_key_step (paths[k]) && cut > value_end && full.type != SONDE_JSON_VALUE_NONE
                     && g_str_has_prefix (paths[k], "$[") && strstr (paths[k], "[-") == NULL)
              {
                /* A path of positive indices only: once the value and the
                 * byte after it are in, it is found. */
                g_error ("%s in the first %zu bytes of %s: not found, though the value ends at %zu",
                         paths[k], cut, doc, value_end);
              }
          }

        /* The whole document, in an exact buffer too. */
        {
          SondeJsonValue value;

          g_assert_cmpint (lookup_exact (path, doc, length, &value), ==, found);
        }
      }

  g_test_message ("%u prefixes looked up", checked);
}

/* ---- the scanner against json-glib -------------------------------------- */

typedef struct {
  GRand   *rand;
  GString *out;
  guint    depth;
} Generator;

static const char *const key_pool[] = {
  "a", "b", "price", "sym", "type", "data", "x_1", "$ref", "a-b", "0", "",
  "key with spaces", "a.b", "quote\"d", "back\\slash", "é", "😀", "tab\there", "[0]", "A",
};

static void
append_space (Generator *g)
{
  static const char *const spaces[] = { "", "", "", "", " ", "\n", "\t", "\r\n  ", "  " };

  g_string_append (g->out, spaces[g_rand_int_range (g->rand, 0, G_N_ELEMENTS (spaces))]);
}

/* Writes @text as a JSON string, each character plain or escaped at random. */
static void
append_string (Generator  *g,
               const char *text)
{
  g_string_append_c (g->out, '"');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);
      gboolean escape = g_rand_int_range (g->rand, 0, 4) == 0;

      if (ch == '"' || ch == '\\' || ch < 0x20 || escape)
        {
          if (ch == '"' && g_rand_boolean (g->rand))
            g_string_append (g->out, "\\\"");
          else if (ch == '\\' && g_rand_boolean (g->rand))
            g_string_append (g->out, "\\\\");
          else if (ch == '\t' && g_rand_boolean (g->rand))
            g_string_append (g->out, "\\t");
          else if (ch == '/' )
            g_string_append (g->out, "\\/");
          else if (ch < 0x10000)
            g_string_append_printf (g->out, g_rand_boolean (g->rand) ? "\\u%04x" : "\\u%04X", ch);
          else
            g_string_append_printf (g->out, "\\u%04x\\u%04x", 0xd800 + ((ch - 0x10000) >> 10),
                                    0xdc00 + ((ch - 0x10000) & 0x3ff));
        }
      else
        g_string_append_len (g->out, p, g_utf8_next_char (p) - p);
    }
  g_string_append_c (g->out, '"');
}

static void
append_number (Generator *g)
{
  GRand *rand = g->rand;

  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0:
      g_string_append_printf (g->out, "%d", g_rand_int_range (rand, -1000, 1000));
      break;
    case 1:
      g_string_append_printf (g->out, "%" G_GINT64_FORMAT,
                              (gint64) (g_rand_double_range (rand, -1, 1) * 1e18));
      break;
    case 2:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (g->out, g_ascii_formatd (buffer, sizeof buffer, "%.2f",
                                                  g_rand_double_range (rand, -1000, 1000)));
      }
      break;
    case 3:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (g->out, g_ascii_dtostr (buffer, sizeof buffer,
                                                 g_rand_double_range (rand, -1, 1) *
                                                 pow (10, g_rand_int_range (rand, -300, 300))));
      }
      break;
    case 4:
      g_string_append_printf (g->out, "%s%d.%0*d%s%s%d", g_rand_boolean (rand) ? "-" : "",
                              g_rand_int_range (rand, 0, 10), g_rand_int_range (rand, 1, 20),
                              g_rand_int_range (rand, 0, 1000000), g_rand_boolean (rand) ? "e" : "E",
                              (const char *[]) { "", "+", "-" }[g_rand_int_range (rand, 0, 3)],
                              g_rand_int_range (rand, 0, 40));
      break;
    case 5:
      /* json-glib wraps integers beyond 64 bits: not here. */
      g_string_append (g->out, (const char *[]) { "0", "-0", "-0.0", "0e0", "1E+2", "1e400", "-1e999",
                                                  "1e-400", "9007199254740993", "0.30000000000000004" }
                               [g_rand_int_range (rand, 0, 10)]);
      break;
    default:
      g_string_append_printf (g->out, "%u", g_rand_int_range (rand, 0, 100000));
      break;
    }
}

static void
append_value (Generator *g)
{
  static const char *const strings[] = {
    "tick", "ABC", "101.25", "-1e3", "12abc", " 1", "0x10", "NaN", "", "1.", "01", "0", "-0.5E+2",
    "été 😀 \"q\" \\ /", "]}[{,:", "1e400", "Infinity", "\t\n",
  };
  GRand *rand = g->rand;
  int kind = g_rand_int_range (rand, 0, g->depth >= 5 ? 5 : 9);

  append_space (g);
  switch (kind)
    {
    case 0:
    case 1:
      append_number (g);
      break;
    case 2:
      append_string (g, strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
      break;
    case 3:
      g_string_append (g->out, (const char *[]) { "true", "false", "null" }[g_rand_int_range (rand, 0, 3)]);
      break;
    case 4:
      {
        g_autofree char *text = g_strdup_printf ("%d.%d", g_rand_int_range (rand, -99, 99),
                                                 g_rand_int_range (rand, 0, 99));
        append_string (g, text);
      }
      break;
    case 5:
    case 6:
      {
        guint n = g_rand_int_range (rand, 0, 6);

        g_string_append_c (g->out, '{');
        g->depth++;
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (g->out, ',');
            append_space (g);
            append_string (g, key_pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (key_pool))]);
            append_space (g);
            g_string_append_c (g->out, ':');
            append_value (g);
          }
        g->depth--;
        append_space (g);
        g_string_append_c (g->out, '}');
      }
      break;
    default:
      {
        guint n = g_rand_int_range (rand, 0, 7);

        g_string_append_c (g->out, '[');
        g->depth++;
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (g->out, ',');
            append_value (g);
          }
        g->depth--;
        append_space (g);
        g_string_append_c (g->out, ']');
      }
      break;
    }
  append_space (g);
}

/* The path to a member, as sonde_json_path_list_numeric() writes it. */
static void
append_member_path (GString    *path,
                    const char *key)
{
  gboolean plain = *key != '\0';

  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '$' && *p != '-')
      plain = FALSE;

  if (plain)
    {
      g_string_append_printf (path, ".%s", key);
      return;
    }

  g_string_append (path, "[\"");
  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (path, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (path, "\\u%04x", *p);
      else
        g_string_append_c (path, *p);
    }
  g_string_append (path, "\"]");
}

/* The same member, escaped differently: every character as \uXXXX. */
static char *
member_path_escaped (const char *prefix,
                     const char *key)
{
  GString *path = g_string_new (prefix);

  g_string_append (path, "[\"");
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (ch < 0x10000)
        g_string_append_printf (path, "\\u%04x", ch);
      else
        g_string_append_printf (path, "\\u%04x\\u%04x", 0xd800 + ((ch - 0x10000) >> 10),
                                0xdc00 + ((ch - 0x10000) & 0x3ff));
    }
  g_string_append (path, "\"]");
  return g_string_free (path, FALSE);
}

/* What a string holds as a number, by the rule of the header. */
static gboolean
oracle_string_number (const char *text,
                      double     *number)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$",
                                            G_REGEX_OPTIMIZE, 0, NULL));
  if (!g_regex_match (regex, text, 0, NULL))
    return FALSE;
  *number = g_ascii_strtod (text, NULL);
  return isfinite (*number);
}

typedef struct {
  const char *json;
  gsize       length;
  guint       paths_checked;
  GHashTable *numeric;         /* path → itself: what list_numeric must list */
  gboolean    listed_all;      /* FALSE under an element list_numeric leaves out */
} Agreement;

static void
expect_absent (Agreement  *a,
               const char *text)
{
  g_autoptr(SondeJsonPath) path = path_new (text);
  SondeJsonValue value;

  a->paths_checked++;
  if (sonde_json_path_lookup (path, a->json, a->length, &value))
    g_error ("%s should not be in %s, found type %d", text, a->json, value.type);
  g_assert_false (sonde_json_path_get_number (path, a->json, a->length, NULL));
}

/* Checks that the scanner finds what json-glib holds at @node. */
static void
agree_on (Agreement  *a,
          const char *text,
          JsonNode   *node,
          gboolean    listed)
{
  g_autoptr(SondeJsonPath) path = path_new (text);
  SondeJsonValue value;
  gboolean expect_number = FALSE;
  double expected = 0;
  double number = 0;

  a->paths_checked++;
  if (!sonde_json_path_lookup (path, a->json, a->length, &value))
    g_error ("%s not found in %s", text, a->json);

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_OBJECT);
      g_assert_cmpint (value.text[0], ==, '{');
      g_assert_cmpint (value.text[value.text_length - 1], ==, '}');
      break;

    case JSON_NODE_ARRAY:
      g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_ARRAY);
      g_assert_cmpint (value.text[0], ==, '[');
      g_assert_cmpint (value.text[value.text_length - 1], ==, ']');
      break;

    case JSON_NODE_NULL:
      g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_NULL);
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_NUMBER);
          expect_number = TRUE;
          expected = (double) json_node_get_int (node);
          break;
        case G_TYPE_DOUBLE:
          g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_NUMBER);
          expected = json_node_get_double (node);
          /* json-glib keeps infinity; the scanner has no value for it. */
          expect_number = isfinite (expected);
          break;
        case G_TYPE_BOOLEAN:
          g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_BOOLEAN);
          expect_number = TRUE;
          expected = json_node_get_boolean (node);
          break;
        case G_TYPE_STRING:
          g_assert_cmpint (value.type, ==, SONDE_JSON_VALUE_STRING);
          if (!sonde_json_value_equal_string (&value, json_node_get_string (node)))
            g_error ("%s in %s: “%.*s” is not “%s”", text, a->json, (int) value.text_length, value.text,
                     json_node_get_string (node));
          expect_number = oracle_string_number (json_node_get_string (node), &expected);
          break;
        default:
          g_assert_not_reached ();
        }
      break;

    default:
      g_assert_not_reached ();
    }

  g_assert_cmpint (value.has_number, ==, expect_number);
  g_assert_cmpint (sonde_json_path_get_number (path, a->json, a->length, &number), ==, expect_number);
  if (expect_number)
    {
      if (number != expected || value.number != expected)
        g_error ("%s in %s: %.17g, json-glib %.17g", text, a->json, number, expected);
      if (listed)
        g_hash_table_add (a->numeric, g_strdup (text));
    }
}

/* Walks json-glib's tree: every path that is there, and some that are not. */
static void
agree_walk (Agreement  *a,
            GString    *path,
            JsonNode   *node,
            gboolean    listed)
{
  gsize length = path->len;

  agree_on (a, path->str, node, listed);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *child = json_object_get_member (object, l->data);
          g_autofree char *escaped = member_path_escaped (path->str, l->data);

          append_member_path (path, l->data);
          agree_walk (a, path, child, listed);
          g_string_truncate (path, length);

          /* The same key written with escapes in the path. */
          agree_on (a, escaped, child, FALSE);
        }

      g_string_append (path, ".zz_missing");
      expect_absent (a, path->str);
      g_string_truncate (path, length);
      g_string_append (path, "[0]");
      expect_absent (a, path->str);
      g_string_truncate (path, length);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *child = json_array_get_element (array, i);

          g_string_append_printf (path, "[%u]", i);
          agree_walk (a, path, child, listed && i < 3);
          g_string_truncate (path, length);

          g_string_append_printf (path, "[-%u]", n - i);
          agree_on (a, path->str, child, FALSE);
          g_string_truncate (path, length);
        }

      g_string_append_printf (path, "[%u]", n);
      expect_absent (a, path->str);
      g_string_truncate (path, length);
      g_string_append_printf (path, "[-%u]", n + 1);
      expect_absent (a, path->str);
      g_string_truncate (path, length);
      g_string_append (path, ".a");
      expect_absent (a, path->str);
      g_string_truncate (path, length);
    }
  else
    {
      g_string_append (path, ".a");
      expect_absent (a, path->str);
      g_string_truncate (path, length);
      g_string_append (path, "[0]");
      expect_absent (a, path->str);
      g_string_truncate (path, length);
    }
}

static void
test_agreement (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261126);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint64 paths = 0;
  guint64 listed = 0;
  guint documents = 0;

  for (guint i = 0; i < N_RANDOM_DOCUMENTS; i++)
    {
      Generator g = { rand, out, 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) path = g_string_new ("$");
      g_autoptr(GPtrArray) numeric = NULL;
      g_autofree char *copy = NULL;
      Agreement a;

      g_string_truncate (out, 0);
      /* Mostly objects and arrays at the top, as messages are. */
      if (i % 10 == 0)
        append_value (&g);
      else
        {
          g.depth = 4;
          while (out->len == 0 || (out->str[strspn (out->str, " \t\r\n")] != '{'
                                   && out->str[strspn (out->str, " \t\r\n")] != '['))
            {
              g_string_truncate (out, 0);
              g.depth = 0;
              append_value (&g);
            }
        }

      if (!json_parser_load_from_data (parser, out->str, (gssize) out->len, &error))
        g_error ("json-glib refuses the generated %s: %s", out->str, error->message);
      documents++;

      /* An exact copy without a NUL, for ASan and valgrind. */
      copy = g_memdup2 (out->str, out->len);
      a.json = copy;
      a.length = out->len;
      a.paths_checked = 0;
      a.numeric = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      agree_walk (&a, path, json_parser_get_root (parser), TRUE);
      paths += a.paths_checked;

      /* list_numeric lists what json-glib holds as numbers, in the first
       * three elements of arrays. */
      numeric = sonde_json_path_list_numeric (copy, out->len, 100000);
      g_assert_cmpuint (numeric->len, ==, g_hash_table_size (a.numeric));
      for (guint k = 0; k < numeric->len; k++)
        if (!g_hash_table_contains (a.numeric, g_ptr_array_index (numeric, k)))
          g_error ("list_numeric gave %s for %s", (char *) g_ptr_array_index (numeric, k), out->str);
      listed += numeric->len;
      g_hash_table_unref (a.numeric);
    }

  g_test_message ("%u documents, %" G_GUINT64_FORMAT " paths, %" G_GUINT64_FORMAT " listed numeric paths",
                  documents, paths, listed);
  g_assert_cmpuint (documents, >=, 5000);
  g_assert_cmpuint (paths, >, 20 * documents);
}

/* ---- listing numeric paths ---------------------------------------------- */

static void
test_list_numeric (void)
{
  static const struct {
    const char *json;
    guint       max;
    const char *expected;    /* paths joined with a space */
  } cases[] = {
    { "{\"type\":\"tick\",\"sym\":\"ABC\",\"price\":101.25,\"volume\":3,\"ok\":true,\"n\":null}", 100,
      "$.price $.volume $.ok" },
    { "{\"a\":{\"b\":[1,\"2\",[3],[4]],\"c\":{}},\"d\":-0}", 100, "$.a.b[0] $.a.b[1] $.a.b[2][0] $.d" },
    { "{\"l\":[0,1,2,3,4,5]}", 100, "$.l[0] $.l[1] $.l[2]" },
    { "[[10,11,12,13],[20]]", 100, "$[0][0] $[0][1] $[0][2] $[1][0]" },
    { "{\"key with spaces\":1,\"q\\\"\":2,\"\\u0061\":3,\"é\":4,\"\":5,\"a\\nb\":6}", 100,
      "$[\"key with spaces\"] $[\"q\\\"\"] $.a $[\"é\"] $[\"\"] $[\"a\\u000ab\"]" },
    { "{\"a\":1,\"b\":2,\"c\":3}", 2, "$.a $.b" },
    { "{\"a\":1,\"b\":2,\"c\":3}", 0, "" },
    { "{\"a\":1,\"b\":2,\"a\":\"x\"}", 100, "$.b" },
    { "{\"a\":{\"b\":1,\"c\":2},\"a\":{\"c\":3}}", 100, "$.a.c" },
    { "{\"a\":1,\"a\":2}", 100, "$.a" },
    { "42", 100, "$" },
    { "\"7\"", 100, "$" },
    { "\"seven\"", 100, "" },
    /* Malformed: nothing. */
    { "{\"a\":1,\"b\":}", 100, "" },
    { "{\"a\":1", 100, "" },
    { "{\"a\":01}", 100, "" },
    { "", 100, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) paths = sonde_json_path_list_numeric (cases[i].json, strlen (cases[i].json), cases[i].max);
      g_autofree char *joined = NULL;

      g_ptr_array_add (paths, NULL);
      joined = g_strjoinv (" ", (char **) paths->pdata);
      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_cmpstr (joined, ==, cases[i].expected);

      /* Every path listed reads a number back. */
      for (guint k = 0; k + 1 < paths->len; k++)
        {
          g_autoptr(SondeJsonPath) path = path_new (g_ptr_array_index (paths, k));

          g_assert_true (sonde_json_path_get_number (path, cases[i].json, strlen (cases[i].json), NULL));
        }
    }
}

/* ---- time --------------------------------------------------------------- */

static void
test_get_time (void)
{
  static const struct {
    const char *json;
    gboolean    ok;
    gint64      wall_us;
  } cases[] = {
    /* Seconds below 1e11. */
    { "{\"t\":1764121195}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    { "{\"t\":1764121195.123456}", TRUE, G_GINT64_CONSTANT (1764121195123456) },
    { "{\"t\":0}", TRUE, 0 },
    { "{\"t\":-1.5}", TRUE, -1500000 },
    { "{\"t\":99999999999}", TRUE, G_GINT64_CONSTANT (99999999999000000) },
    /* Milliseconds below 1e14. */
    { "{\"t\":100000000000}", TRUE, G_GINT64_CONSTANT (100000000000000) },
    { "{\"t\":1764121195123}", TRUE, G_GINT64_CONSTANT (1764121195123000) },
    { "{\"t\":1764121195123.5}", TRUE, G_GINT64_CONSTANT (1764121195123500) },
    /* Microseconds below 1e17. */
    { "{\"t\":100000000000000}", TRUE, G_GINT64_CONSTANT (100000000000000) },
    { "{\"t\":1764121195123456}", TRUE, G_GINT64_CONSTANT (1764121195123456) },
    /* Nanoseconds above. */
    { "{\"t\":1764121195123456000}", TRUE, G_GINT64_CONSTANT (1764121195123456) },
    { "{\"t\":100000000000000000}", TRUE, G_GINT64_CONSTANT (100000000000000) },
    /* Numbers in strings. */
    { "{\"t\":\"1764121195\"}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    { "{\"t\":\"1764121195123\"}", TRUE, G_GINT64_CONSTANT (1764121195123000) },
    /* ISO 8601. */
    { "{\"t\":\"2025-11-26T01:39:55Z\"}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    { "{\"t\":\"2025-11-26T01:39:55.123456Z\"}", TRUE, G_GINT64_CONSTANT (1764121195123456) },
    { "{\"t\":\"2025-11-26T01:39:55.5\"}", TRUE, G_GINT64_CONSTANT (1764121195500000) },
    { "{\"t\":\"2025-11-26T03:39:55+02:00\"}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    { "{\"t\":\"2025-11-26 01:39:55Z\"}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    { "{\"t\":\"2025\\u002d11-26T01:39:55Z\"}", TRUE, G_GINT64_CONSTANT (1764121195000000) },
    /* Not a time. */
    { "{\"t\":\"2025-11-26\"}", FALSE, 0 },
    { "{\"t\":\"yesterday\"}", FALSE, 0 },
    { "{\"t\":\"2025-11-26T01:39:55Z\\u0000\"}", FALSE, 0 },
    { "{\"t\":true}", FALSE, 0 },
    { "{\"t\":null}", FALSE, 0 },
    { "{\"t\":[1]}", FALSE, 0 },
    { "{\"t\":1e400}", FALSE, 0 },
    { "{\"t\":1e19}", TRUE, G_GINT64_CONSTANT (10000000000000000) },
    { "{\"t\":1e30}", FALSE, 0 },
    { "{\"t\":-1e30}", FALSE, 0 },
    { "{\"u\":1}", FALSE, 0 },
    { "{\"t\":1", FALSE, 0 },
  };
  g_autoptr(SondeJsonPath) path = path_new ("$.t");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 wall_us = -42;

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_cmpint (sonde_json_path_get_time (path, cases[i].json, strlen (cases[i].json), &wall_us), ==,
                       cases[i].ok);
      g_assert_cmpint (wall_us, ==, cases[i].ok ? cases[i].wall_us : -42);
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/json-path/parse/valid", test_parse_valid);
  g_test_add_func ("/json-path/parse/errors", test_parse_errors);
  g_test_add_func ("/json-path/parse/prefix", test_parse_prefix);
  g_test_add_func ("/json-path/lookup/table", test_lookup_table);
  g_test_add_func ("/json-path/lookup/numbers-random", test_numbers_random);
  g_test_add_func ("/json-path/lookup/numeric-strings", test_numeric_strings);
  g_test_add_func ("/json-path/lookup/equal-string", test_equal_string);
  g_test_add_func ("/json-path/lookup/malformed", test_malformed);
  g_test_add_func ("/json-path/lookup/deep", test_deep);
  g_test_add_func ("/json-path/lookup/negative-indices", test_negative_indices);
  g_test_add_func ("/json-path/lookup/truncation", test_truncation);
  g_test_add_func ("/json-path/lookup/agreement", test_agreement);
  g_test_add_func ("/json-path/list-numeric", test_list_numeric);
  g_test_add_func ("/json-path/get-time", test_get_time);

  return g_test_run ();
}
