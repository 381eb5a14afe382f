/* test-json-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sonde-error.h"
#include "sonde-json-format.h"
#include "sonde-text.h"
#include "sonde-test-util.h"

typedef struct {
  const char *input;
  guint indent;
  const char *expected;
} PrettyCase;

static void
test_pretty_table (void)
{
  static const PrettyCase cases[] = {
    /* Scalars, copied as they are. */
    { "1", 2, "1" },
    { " \n\t 1 \r\n", 2, "1" },
    { "-0", 2, "-0" },
    { "1.10", 2, "1.10" },
    { "1E+5", 2, "1E+5" },
    { "-12.5e-03", 2, "-12.5e-03" },
    { "123456789012345678901234567890", 2, "123456789012345678901234567890" },
    { "1e400", 2, "1e400" },
    { "true", 2, "true" },
    { "false", 2, "false" },
    { "null", 2, "null" },
    { "\"\"", 2, "\"\"" },
    { "\"a\\u00E9\\n\\\"\\/\\\\\\b\\f\\r\\t\"", 2, "\"a\\u00E9\\n\\\"\\/\\\\\\b\\f\\r\\t\"" },
    { "\"\xf0\x9f\x98\x80 \xc3\xa9 \\ud83d\\ude00\"", 2, "\"\xf0\x9f\x98\x80 \xc3\xa9 \\ud83d\\ude00\"" },
    /* Lone surrogate escapes are accepted and copied. */
    { "\"\\ud800\"", 2, "\"\\ud800\"" },
    { "[\"\\uDC00x\"]", 2, "[\n  \"\\uDC00x\"\n]" },

    /* Containers. */
    { "{}", 2, "{}" },
    { "[ ]", 2, "[]" },
    { "{ \n }", 2, "{}" },
    { "[[]]", 2, "[\n  []\n]" },
    { " { \"a\" : [ 1 , 2 ] } ", 2, "{\n  \"a\": [\n    1,\n    2\n  ]\n}" },
    { "{\"a\":1,\"b\":[true,false,null],\"c\":{},\"d\":[{}]}", 2,
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\": [\n"
      "    true,\n"
      "    false,\n"
      "    null\n"
      "  ],\n"
      "  \"c\": {},\n"
      "  \"d\": [\n"
      "    {}\n"
      "  ]\n"
      "}" },
    { "{\"a\":1,\"b\":[true,{\"c\":null}]}", 4,
      "{\n"
      "    \"a\": 1,\n"
      "    \"b\": [\n"
      "        true,\n"
      "        {\n"
      "            \"c\": null\n"
      "        }\n"
      "    ]\n"
      "}" },
    { "{\"a\":1,\"b\":[true,{\"c\":null}]}", 0,
      "{\n\"a\": 1,\n\"b\": [\ntrue,\n{\n\"c\": null\n}\n]\n}" },
    { "[1,[2,[3]]]", 1, "[\n 1,\n [\n  2,\n  [\n   3\n  ]\n ]\n]" },

    /* Characters that could hide or reorder text are escaped in strings,
     * keys included. */
    { "\"x\xe2\x80\xaey\"", 2, "\"x\\u202ey\"" },
    { "{\"\xe2\x80\x8bkey\":\"\xc2\x85\x7f\xef\xbb\xbf\xe2\x80\xa8\xe2\x80\xa9\xd8\x9c\xe2\x81\xa6\xe2\x80\x8f\"}", 2,
      "{\n  \"\\u200bkey\": \"\\u0085\\u007f\\ufeff\\u2028\\u2029\\u061c\\u2066\\u200f\"\n}" },
    { "\"\xc2\xa0\xe2\x80\x8a\xe2\x81\xa5\"", 2, "\"\xc2\xa0\xe2\x80\x8a\xe2\x81\xa5\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PrettyCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *pretty = NULL;
      guint line = 99;
      guint column = 99;

      g_test_message ("case %u", i);
      g_assert_true (sonde_json_validate (c->input, -1, &line, &column, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (line, ==, 0);
      g_assert_cmpuint (column, ==, 0);

      pretty = sonde_json_pretty (c->input, -1, c->indent, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (pretty, ==, c->expected);
    }
}

typedef struct {
  const char *input;
  gssize length;
  guint line;
  guint column;
  const char *message;   /* after "Line L, column C: " */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "", -1, 1, 1, "the text is empty: expected a JSON value" },
  { "  \n ", -1, 2, 2, "the text is empty: expected a JSON value" },

  /* Structure. */
  { "[1,2,]", -1, 1, 5, "trailing comma: a value must follow “,”" },
  { "{\"a\":1,}", -1, 1, 7, "trailing comma: a member must follow “,”" },
  { "{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}", -1, 3, 13, "trailing comma: a value must follow “,”" },
  { "[\r\n1,\r\n]", -1, 2, 2, "trailing comma: a value must follow “,”" },
  { "[1 2]", -1, 1, 4, "expected “,” or “]” after an array element, found “2”" },
  { "[1}", -1, 1, 3, "expected “,” or “]” after an array element, found “}”" },
  { "{\"a\":1 \"b\":2}", -1, 1, 8, "expected “,” or “}” after an object member, found “\"”" },
  { "{\"a\":1]", -1, 1, 7, "expected “,” or “}” after an object member, found “]”" },
  { "{\"a\" 1}", -1, 1, 6, "expected “:” after an object key, found “1”" },
  { "{\"a\":1,\"b\"::2}", -1, 1, 12, "expected a value, found “:”" },
  { "{a:1}", -1, 1, 2, "expected a key in double quotes, found “a”" },
  { "{'a':1}", -1, 1, 2, "single quotes are not allowed: keys use double quotes" },
  { "['a']", -1, 1, 2, "single quotes are not allowed: strings use double quotes" },
  { "[}", -1, 1, 2, "expected a value or “]”, found “}”" },
  { "[,1]", -1, 1, 2, "expected a value or “]”, found “,”" },
  { "[1,\n\t  ,2]", -1, 2, 4, "expected a value, found “,”" },
  { "{\"a\":}", -1, 1, 6, "expected a value, found “}”" },
  { "[\"\xc3\xa9\xc3\xa9\" x]", -1, 1, 7, "expected “,” or “]” after an array element, found “x”" },
  { "\x01", -1, 1, 1, "expected a value, found “\\x01”" },
  { "\xef\xbb\xbf[1]", -1, 1, 1, "expected a value, found “\\ufeff”" },
  { "// comment\n1", -1, 1, 1, "comments are not allowed in JSON" },
  { "[1, /* c */ 2]", -1, 1, 5, "comments are not allowed in JSON" },
  { "[1 /* c */]", -1, 1, 4, "comments are not allowed in JSON" },

  /* Nothing after the value. */
  { "[1] x", -1, 1, 5, "nothing after the value is allowed: found “x”" },
  { "{} {}", -1, 1, 4, "nothing after the value is allowed: found “{”" },
  { "1 2", -1, 1, 3, "nothing after the value is allowed: found “2”" },
  { "[1,2]]", -1, 1, 6, "nothing after the value is allowed: found “]”" },
  { "[1]\0", 4, 1, 4, "nothing after the value is allowed: found “\\0”" },
  { "\"a\"\xe2\x80\xae", -1, 1, 4, "nothing after the value is allowed: found “\\u202e”" },
  { "truex", -1, 1, 1, "“truex” is not a JSON value" },

  /* The end of the input. */
  { "[", -1, 1, 2, "unexpected end of input: expected a value or “]”" },
  { "[1,", -1, 1, 4, "unexpected end of input: expected a value" },
  { "{", -1, 1, 2, "unexpected end of input: expected a key or “}”" },
  { "{\"a\":1,", -1, 1, 8, "unexpected end of input: expected a key" },
  { "{\"a\"", -1, 1, 5, "unexpected end of input: expected “:”" },
  { "{\"a\":", -1, 1, 6, "unexpected end of input: expected a value" },
  { "[1", -1, 1, 3, "unexpected end of input: expected “,” or “]”" },
  { "{\"a\":1\n", -1, 2, 1, "unexpected end of input: expected “,” or “}”" },
  { "tru", -1, 1, 4, "unexpected end of input: expected “true”" },
  { "[f", -1, 1, 3, "unexpected end of input: expected “false”" },

  /* Strings. */
  { "\"abc", -1, 1, 1, "unterminated string" },
  { "[1, \"abc\\", -1, 1, 5, "unterminated string" },
  { "\"\\u00e", -1, 1, 1, "unterminated string" },
  { "[\"abc\n\"]", -1, 1, 6, "control character U+000A in a string: it must be escaped" },
  { "[\"a\",\n\"b\n\"]", -1, 2, 3, "control character U+000A in a string: it must be escaped" },
  { "\"tab\there\"", -1, 1, 5, "control character U+0009 in a string: it must be escaped" },
  { "\"\x1f\"", -1, 1, 2, "control character U+001F in a string: it must be escaped" },
  { "\"a\0b\"", 5, 1, 3, "control character U+0000 in a string: it must be escaped" },
  { "\"\\x41\"", -1, 1, 2, "invalid escape “\\x” in a string" },
  { "{\"a\\q\":1}", -1, 1, 4, "invalid escape “\\q” in a string" },
  { "\"\\\xe2\x80\xae\"", -1, 1, 2, "invalid escape “\\\\u202e” in a string" },
  { "\"\\u12g4\"", -1, 1, 2, "invalid escape “\\u12g”: \\u needs four hex digits" },
  { "\"\\u12\"", -1, 1, 2, "invalid escape “\\u12\"”: \\u needs four hex digits" },
  { "\"\\U0041\"", -1, 1, 2, "invalid escape “\\U” in a string" },
  { "\"\xc0\xaf\"", -1, 1, 2, "invalid UTF-8 in a string" },
  { "\"\x80\"", -1, 1, 2, "invalid UTF-8 in a string" },
  { "\"ab\xe2\x82\"", -1, 1, 4, "invalid UTF-8 in a string" },
  { "\"\xed\xa0\x80\"", -1, 1, 2, "invalid UTF-8 in a string" },
  { "\"\xf4\x90\x80\x80\"", -1, 1, 2, "invalid UTF-8 in a string" },
  { "\"\xc3\xa9\xff\"", -1, 1, 3, "invalid UTF-8 in a string" },

  /* Numbers and literals. */
  { "01", -1, 1, 1, "leading zeros are not allowed in numbers" },
  { "[-01]", -1, 1, 3, "leading zeros are not allowed in numbers" },
  { "+1", -1, 1, 1, "“+” is not allowed before a number" },
  { ".5", -1, 1, 1, "a number must start with a digit or “-”" },
  { "1.", -1, 1, 3, "unexpected end of input: expected a digit after the decimal point" },
  { "1.e5", -1, 1, 3, "expected a digit after the decimal point, found “e”" },
  { "1e", -1, 1, 3, "unexpected end of input: expected a digit in the exponent" },
  { "1e+", -1, 1, 4, "unexpected end of input: expected a digit in the exponent" },
  { "[1e+x]", -1, 1, 5, "expected a digit in the exponent, found “x”" },
  { "-", -1, 1, 2, "unexpected end of input: expected a digit after “-”" },
  { "-a", -1, 1, 2, "expected a digit after “-”, found “a”" },
  { "[-Infinity]", -1, 1, 3, "expected a digit after “-”, found “I”" },
  { "NaN", -1, 1, 1, "“NaN” is not a JSON value" },
  { "[Infinity]", -1, 1, 2, "“Infinity” is not a JSON value" },
  { "[nul]", -1, 1, 2, "“nul” is not a JSON value" },
  { "True", -1, 1, 1, "“True” is not a JSON value" },
  { "{\"a\":undefined}", -1, 1, 6, "“undefined” is not a JSON value" },
  { "abcdefghijklmnopqrstuvwxyz", -1, 1, 1, "“abcdefghijklmnopqrstuvwx…” is not a JSON value" },
};

static void
test_invalid_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) pretty_error = NULL;
      g_autofree char *expected = g_strdup_printf ("Line %u, column %u: %s", c->line, c->column, c->message);
      g_autofree char *pretty = NULL;
      guint line = 0;
      guint column = 0;

      g_test_message ("case %u", i);
      g_assert_false (sonde_json_is_valid (c->input, c->length < 0 ? strlen (c->input) : (gsize) c->length));
      g_assert_false (sonde_json_validate (c->input, c->length, &line, &column, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
      g_assert_cmpstr (error->message, ==, expected);
      g_assert_cmpuint (line, ==, c->line);
      g_assert_cmpuint (column, ==, c->column);

      /* pretty() fails the same way. */
      pretty = sonde_json_pretty (c->input, c->length, 2, &pretty_error);
      g_assert_null (pretty);
      g_assert_error (pretty_error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
      g_assert_cmpstr (pretty_error->message, ==, expected);

      /* The position is optional. */
      g_clear_error (&error);
      g_assert_false (sonde_json_validate (c->input, c->length, NULL, NULL, &error));
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_depth (void)
{
  const guint limit = 10000;
  g_autoptr(GString) doc = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pretty = NULL;
  g_auto(GStrv) lines = NULL;
  guint line = 0;
  guint column = 0;

  /* As deep as allowed, {"k":[{"k":[...1...]}]}: accepted, and the
   * indentation stops growing. */
  for (guint i = 0; i < limit; i++)
    g_string_append (doc, i % 2 ? "[" : "{\"k\":");
  g_string_append (doc, "1");
  for (guint i = limit; i > 0; i--)
    g_string_append_c (doc, (i - 1) % 2 ? ']' : '}');

  g_assert_true (sonde_json_validate (doc->str, doc->len, NULL, NULL, &error));
  g_assert_no_error (error);

  pretty = sonde_json_pretty (doc->str, doc->len, 2, &error);
  g_assert_no_error (error);
  lines = g_strsplit (pretty, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2 * limit + 1);
  g_assert_cmpstr (lines[0], ==, "{");
  g_assert_cmpstr (lines[1], ==, "  \"k\": [");
  g_assert_cmpstr (lines[2], ==, "    {");
  /* The value: 64 levels of 2 spaces at most. */
  g_assert_cmpuint (strlen (lines[limit]), ==, 128 + 1);
  g_assert_cmpint (lines[limit][127], ==, ' ');
  g_assert_cmpint (lines[limit][128], ==, '1');
  g_assert_cmpstr (lines[2 * limit], ==, "}");
  g_assert_cmpuint (strlen (pretty), <, doc->len + 2 * limit * 140);

  /* One level more is an error, not a crash. */
  g_string_truncate (doc, 0);
  for (guint i = 0; i < limit + 1; i++)
    g_string_append_c (doc, '[');
  for (guint i = 0; i < limit + 1; i++)
    g_string_append_c (doc, ']');

  g_assert_false (sonde_json_validate (doc->str, doc->len, &line, &column, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_assert_cmpstr (error->message, ==, "Line 1, column 10001: nesting deeper than 10000 levels is not supported");
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (column, ==, limit + 1);
  g_clear_error (&error);

  /* Far deeper, unbalanced: still just an error. */
  g_string_set_size (doc, 1000000);
  memset (doc->str, '[', doc->len);
  g_assert_false (sonde_json_validate (doc->str, doc->len, NULL, NULL, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
}

static void
test_indentation_cap (void)
{
  g_autoptr(GString) doc = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *expected_line = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 70; i++)
    g_string_append_c (doc, '[');
  g_string_append (doc, "true");
  for (guint i = 0; i < 70; i++)
    g_string_append_c (doc, ']');

  pretty = sonde_json_pretty (doc->str, doc->len, 3, &error);
  g_assert_no_error (error);
  lines = g_strsplit (pretty, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 141);

  /* Level 63 is indented, level 64 and deeper all as 64. */
  g_assert_cmpuint (strspn (lines[63], " "), ==, 63 * 3);
  g_assert_cmpuint (strspn (lines[64], " "), ==, 64 * 3);
  g_assert_cmpuint (strspn (lines[69], " "), ==, 64 * 3);
  expected_line = g_strdup_printf ("%*strue", 64 * 3, "");
  g_assert_cmpstr (lines[70], ==, expected_line);
  g_assert_cmpuint (strspn (lines[76], " "), ==, 64 * 3);
  g_assert_cmpuint (strspn (lines[77], " "), ==, 63 * 3);
  g_assert_cmpstr (lines[140], ==, "]");
}

/* Random documents. */

static void
append_space (GString *doc,
              GRand   *rand)
{
  static const char spaces[] = " \t\n\r";

  if (g_rand_int_range (rand, 0, 3) != 0)
    return;
  for (guint n = g_rand_int_range (rand, 1, 4); n > 0; n--)
    g_string_append_c (doc, spaces[g_rand_int_range (rand, 0, 4)]);
}

static void
append_random_string (GString *doc,
                      GRand   *rand)
{
  static const char *const raw[] = {
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe4\xb8\xad\xe6\x96\x87", "\xd7\xa9\xd7\x9c",
    /* written as escapes by pretty() */
    "\xe2\x80\xae", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x85", "\xc2\x9b", "\xef\xbb\xbf",
    "\xe2\x80\x8b", "\xd8\x9c", "\x7f", "\xe2\x81\xa6", "\xe2\x80\x8e",
  };
  static const char *const escapes[] = {
    "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
  };
  guint n = g_rand_int_range (rand, 0, 10);

  g_string_append_c (doc, '"');
  for (guint i = 0; i < n; i++)
    {
      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
        case 1:
          {
            char c;

            do
              c = (char) g_rand_int_range (rand, 0x20, 0x7f);
            while (c == '"' || c == '\\');
            g_string_append_c (doc, c);
          }
          break;

        case 2:
          g_string_append (doc, escapes[g_rand_int_range (rand, 0, G_N_ELEMENTS (escapes))]);
          break;

        case 3:
          {
            guint code;

            do
              code = g_rand_int_range (rand, 1, 0x10000);
            while (code >= 0xd800 && code <= 0xdfff);
            g_string_append_printf (doc, g_rand_boolean (rand) ? "\\u%04x" : "\\u%04X", code);
          }
          break;

        case 4:
          g_string_append_printf (doc, "\\u%04x\\u%04x",
                                  g_rand_int_range (rand, 0xd800, 0xdc00),
                                  g_rand_int_range (rand, 0xdc00, 0xe000));
          break;

        default:
          g_string_append (doc, raw[g_rand_int_range (rand, 0, G_N_ELEMENTS (raw))]);
          break;
        }
    }
  g_string_append_c (doc, '"');
}

static void
append_digits (GString *doc,
               GRand   *rand,
               guint    max)
{
  for (guint n = g_rand_int_range (rand, 1, max + 1); n > 0; n--)
    g_string_append_c (doc, '0' + g_rand_int_range (rand, 0, 10));
}

static void
append_random_number (GString *doc,
                      GRand   *rand)
{
  if (g_rand_boolean (rand))
    g_string_append_c (doc, '-');

  if (g_rand_int_range (rand, 0, 4) == 0)
    g_string_append_c (doc, '0');
  else
    {
      g_string_append_c (doc, '1' + g_rand_int_range (rand, 0, 9));
      if (g_rand_boolean (rand))
        append_digits (doc, rand, 8);
    }

  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      g_string_append_c (doc, '.');
      append_digits (doc, rand, 6);
    }

  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      g_string_append_c (doc, g_rand_boolean (rand) ? 'e' : 'E');
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          g_string_append_c (doc, '+');
          break;
        case 1:
          g_string_append_c (doc, '-');
          break;
        default:
          break;
        }
      append_digits (doc, rand, 2);
    }
}

static void
append_random_value (GString *doc,
                     GRand   *rand,
                     guint    depth)
{
  guint n;

  switch (g_rand_int_range (rand, 0, depth < 6 ? 9 : 6))
    {
    case 0:
      append_random_string (doc, rand);
      break;

    case 1:
    case 2:
      append_random_number (doc, rand);
      break;

    case 3:
      g_string_append (doc, "true");
      break;

    case 4:
      g_string_append (doc, "false");
      break;

    case 5:
      g_string_append (doc, "null");
      break;

    case 6:
    case 7:
      g_string_append_c (doc, '[');
      append_space (doc, rand);
      n = g_rand_int_range (rand, 0, 5);
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            {
              g_string_append_c (doc, ',');
              append_space (doc, rand);
            }
          append_random_value (doc, rand, depth + 1);
          append_space (doc, rand);
        }
      g_string_append_c (doc, ']');
      break;

    default:
      g_string_append_c (doc, '{');
      append_space (doc, rand);
      n = g_rand_int_range (rand, 0, 5);
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            {
              g_string_append_c (doc, ',');
              append_space (doc, rand);
            }
          append_random_string (doc, rand);
          append_space (doc, rand);
          g_string_append_c (doc, ':');
          append_space (doc, rand);
          append_random_value (doc, rand, depth + 1);
          append_space (doc, rand);
        }
      g_string_append_c (doc, '}');
      break;
    }
}

static JsonParser *
parse_with_json_glib (const char *text,
                      gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, length, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&parser);
}

/* Checks a document that validate() accepts against json-glib: pretty()
 * means the same JSON, is stable, and is safe to show. */
static void
check_pretty_round_trip (const char *doc,
                         gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *again = NULL;
  g_autofree char *pretty4 = NULL;
  g_autofree char *from4 = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(JsonParser) original = NULL;
  g_autoptr(JsonParser) reparsed = NULL;

  pretty = sonde_json_pretty (doc, length, 2, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_json_validate (pretty, -1, NULL, NULL, &error));
  g_assert_no_error (error);

  original = parse_with_json_glib (doc, length);
  reparsed = parse_with_json_glib (pretty, -1);
  g_assert_true (json_node_equal (json_parser_get_root (original), json_parser_get_root (reparsed)));

  again = sonde_json_pretty (pretty, -1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, pretty);

  /* Another indentation, and back. */
  pretty4 = sonde_json_pretty (doc, length, 4, &error);
  g_assert_no_error (error);
  from4 = sonde_json_pretty (pretty4, -1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from4, ==, pretty);

  /* Nothing in it that the text views would have to escape. */
  shown = sonde_text_escape ((const guint8 *) pretty, strlen (pretty), SONDE_ESCAPE_KEEP_NEWLINES, 0, NULL);
  g_assert_cmpstr (shown, ==, pretty);

  /* The compact form means the same, and is the pretty one with the line
   * breaks of short flat containers taken out. */
  {
    g_autofree char *compact = sonde_json_pretty_compact (doc, length, 2, 40, &error);
    g_autofree char *compact_again = NULL;
    g_autoptr(JsonParser) from_compact = NULL;

    g_assert_no_error (error);
    from_compact = parse_with_json_glib (compact, -1);
    g_assert_true (json_node_equal (json_parser_get_root (original), json_parser_get_root (from_compact)));
    compact_again = sonde_json_pretty_compact (pretty, -1, 2, 40, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (compact_again, ==, compact);
    g_assert_cmpuint (strlen (compact), <=, strlen (pretty));
  }
}

/* The detail's form: short arrays and objects of scalars on one line,
 * longer ones and those holding containers one item a line. */
static void
test_pretty_compact (void)
{
  static const struct {
    const char *input;
    gsize max_width;
    const char *expected;
  } cases[] = {
    { "[1,2,3]", 40, "[1, 2, 3]" },
    { "{\"bid\":1.50,\"ask\":1.6e0}", 40, "{\"bid\": 1.50, \"ask\": 1.6e0}" },
    { "{\"sym\":\"QQQ\",\"px\":[1,2],\"book\":{\"b\":[],\"a\":{}}}", 40,
      "{\n  \"sym\": \"QQQ\",\n  \"px\": [1, 2],\n  \"book\": {\n    \"b\": [],\n    \"a\": {}\n  }\n}" },
    /* Too wide: as sonde_json_pretty() writes it. */
    { "[1,2,3]", 8, "[\n  1,\n  2,\n  3\n]" },
    { "[1,2,3]", 9, "[1, 2, 3]" },
    /* A container inside keeps its parent on several lines. */
    { "[[1],[2]]", 40, "[\n  [1],\n  [2]\n]" },
    /* Strings are copied exactly, commas and spaces in them too. */
    { "[\"a, b\",\"  c\"]", 40, "[\"a, b\", \"  c\"]" },
    { "[\"x\u2028y\"]", 40, "[\"x\\u2028y\"]" },
    { "[\"x\xe2\x80\xa8y\"]", 40, "[\"x\\u2028y\"]" },
    { "7", 40, "7" },
    { "[]", 40, "[]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *compact = NULL;

      g_test_message ("case %u", i);
      compact = sonde_json_pretty_compact (cases[i].input, -1, 2, cases[i].max_width, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (compact, ==, cases[i].expected);
    }
}

/* sonde_json_find_members() and the skips it is made of. */
static void
test_members (void)
{
  static const char * const keys[] = { "method", "params", "id" };
  const char *doc = " { \"params\" : {\"method\":\"inner\",\"s\":\"a\\\"}\"} , \"method\":\"first\","
                    "\"list\":[1,[2,{\"id\":3}],\"]\"],\"method\" :\"last\",\"n\":-1.5e3 } ";
  gsize starts[3], ends[3];
  g_autofree char *method = NULL;
  g_autofree char *params = NULL;
  guint found;

  g_assert_true (sonde_json_is_valid (doc, strlen (doc)));
  found = sonde_json_find_members (doc, strlen (doc), keys, 3, starts, ends);
  /* The last "method" counts; the inner one and the nested "id" do not. */
  g_assert_cmpuint (found, ==, 3);
  method = g_strndup (doc + starts[0], ends[0] - starts[0]);
  params = g_strndup (doc + starts[1], ends[1] - starts[1]);
  g_assert_cmpstr (method, ==, "\"last\"");
  g_assert_cmpstr (params, ==, "{\"method\":\"inner\",\"s\":\"a\\\"}\"}");

  g_assert_cmpuint (sonde_json_skip_value ("-1.5e3 ,", 8, 0), ==, 6);
  g_assert_cmpuint (sonde_json_skip_value ("\"a\\\"b\",1", 8, 0), ==, 6);
  g_assert_cmpuint (sonde_json_skip_value ("[\"]\",{}] x", 10, 0), ==, 8);
  g_assert_cmpuint (sonde_json_skip_space (" \t\r\nx", 5, 0), ==, 4);
  g_assert_cmpuint (sonde_json_find_members ("[1]", 3, keys, 3, starts, ends), ==, 0);
  g_assert_cmpuint (sonde_json_find_members ("{}", 2, keys, 3, starts, ends), ==, 0);
}

static void
test_random_documents (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x150a);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) doc = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      append_space (doc, rand);
      append_random_value (doc, rand, 0);
      append_space (doc, rand);

      g_assert_true (sonde_json_validate (doc->str, doc->len, NULL, NULL, &error));
      g_assert_no_error (error);
      check_pretty_round_trip (doc->str, doc->len);
    }
}

/* Whether @text has a \u escape of a surrogate, which json-glib may reject
 * or garble when it is not part of a pair. */
static gboolean
has_surrogate_escape (const char *text)
{
  for (const char *p = strstr (text, "\\u"); p != NULL; p = strstr (p + 1, "\\u"))
    if ((p[2] == 'd' || p[2] == 'D') && p[3] != '\0' && strchr ("89abcdefABCDEF", p[3]) != NULL)
      return TRUE;
  return FALSE;
}

/* Random documents with random damage: validate() and pretty() always
 * agree, errors have a position inside the text, and whatever is still
 * accepted round-trips. */
static void
test_random_damage (void)
{
  static const char damage[] = "{}[],:\"\\ 0-+.eEtfnu/'x\n\x80\xe2\x7f\x01";
  g_autoptr(GRand) rand = g_rand_new_with_seed (0xda3a);
  guint n_accepted = 0;

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) doc = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) pretty_error = NULL;
      g_autofree char *pretty = NULL;
      guint line = 0;
      guint column = 0;
      gboolean valid;

      append_random_value (doc, rand, 2);

      for (guint n = g_rand_int_range (rand, 1, 4); n > 0; n--)
        {
          guint at = g_rand_int_range (rand, 0, doc->len + 1);
          char c = damage[g_rand_int_range (rand, 0, sizeof damage - 1)];

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              g_string_insert_c (doc, at, c);
              break;
            case 1:
              if (at < doc->len)
                g_string_erase (doc, at, 1);
              break;
            default:
              if (at < doc->len)
                doc->str[at] = c;
              break;
            }
        }

      valid = sonde_json_validate (doc->str, doc->len, &line, &column, &error);
      pretty = sonde_json_pretty (doc->str, doc->len, 2, &pretty_error);
      g_assert_cmpint (valid, ==, pretty != NULL);
      /* The fast check and the scanner agree. */
      g_assert_cmpint (sonde_json_is_valid (doc->str, doc->len), ==, pretty != NULL);

      if (valid)
        {
          n_accepted++;
          if (!has_surrogate_escape (doc->str))
            check_pretty_round_trip (doc->str, doc->len);
        }
      else
        {
          g_autofree char *prefix = g_strdup_printf ("Line %u, column %u: ", line, column);

          g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
          g_assert_cmpstr (error->message, ==, pretty_error->message);
          g_assert_true (g_str_has_prefix (error->message, prefix));
          g_assert_cmpuint (line, >=, 1);
          g_assert_cmpuint (column, >=, 1);
          g_assert_cmpuint (line, <=, doc->len + 1);
          g_assert_cmpuint (column, <=, doc->len + 1);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
    }

  /* The damage is not always fatal: both sides were exercised. */
  g_test_message ("%u of 3000 damaged documents still valid", n_accepted);
  g_assert_cmpuint (n_accepted, >, 30);
  g_assert_cmpuint (n_accepted, <, 2970);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/json-format/pretty-table", test_pretty_table);
  g_test_add_func ("/json-format/pretty-compact", test_pretty_compact);
  g_test_add_func ("/json-format/invalid-table", test_invalid_table);
  g_test_add_func ("/json-format/depth", test_depth);
  g_test_add_func ("/json-format/members", test_members);
  g_test_add_func ("/json-format/indentation-cap", test_indentation_cap);
  g_test_add_func ("/json-format/random-documents", test_random_documents);
  g_test_add_func ("/json-format/random-damage", test_random_damage);

  return g_test_run ();
}
