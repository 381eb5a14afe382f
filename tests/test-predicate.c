/* test-predicate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-error.h"
#include "sonde-predicate.h"
#include "sonde-test-util.h"

static SondePredicate *
predicate_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  SondePredicate *predicate = sonde_predicate_new (text, &error);

  if (predicate == NULL)
    g_error ("“%s” does not parse: %s", text, error->message);
  return predicate;
}

static void
test_parse_valid (void)
{
  static const char *const texts[] = {
    "$.type == \"trade\"",
    "$.sym == \"ABC\"",
    "$.v > 0",
    "$.v>0",
    "$.v>=-1.5e3",
    "  $.a  ",
    "$.a && $.b",
    "$.a&&$.b==1&&$[\"c d\"]!=\"x\"",
    "$.n == null",
    "$.n != null",
    "$.ok == true",
    "$.ok != false",
    "$.s == \"\"",
    "$.s == \"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "$[0] <= 0",
    "$.a[-1] < 1E+2",
    "$ == 1",
    "$.t\t==\n\"x\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(SondePredicate) predicate = predicate_new (texts[i]);
      g_autoptr(SondePredicate) ref = sonde_predicate_ref (predicate);

      g_assert_true (ref == predicate);
      g_assert_cmpstr (sonde_predicate_to_string (predicate), ==, texts[i]);
    }
}

typedef struct {
  const char *text;
  int         code;
  const char *message;
} ErrorCase;

static void
test_parse_errors (void)
{
  static const ErrorCase cases[] = {
    { "", SONDE_ERROR_INVALID_PREDICATE,
      "Column 1 of “”: the condition is empty: write PATH OP VALUE, e.g. $.type == \"trade\"" },
    { "   ", SONDE_ERROR_INVALID_PREDICATE,
      "Column 4 of “   ”: the condition is empty: write PATH OP VALUE, e.g. $.type == \"trade\"" },
    { "type == \"trade\"", SONDE_ERROR_INVALID_PATH,
      "Column 1 of “type == \"trade\"”: a path starts with “$”, e.g. $.price or $[0]" },
    { "$.a[x] == 1", SONDE_ERROR_INVALID_PATH,
      "Column 5 of “$.a[x] == 1”: expected a number or a quoted key inside [ ]" },
    { "$.a == 1 && $.b[x] > 2", SONDE_ERROR_INVALID_PATH,
      "Column 17 of “$.a == 1 && $.b[x] > 2”: expected a number or a quoted key inside [ ]" },
    { "$.é == 1", SONDE_ERROR_INVALID_PATH,
      "Column 3 of “$.é == 1”: expected a member name after “.” (a name with characters other than "
      "letters, digits, “_”, “$” and “-” is written [\"…\"])" },
    { "$.sym = \"ABC\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.sym = \"ABC\"”: “=” is not an operator: compare with “==”" },
    { "$.sym => 1", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.sym => 1”: “=” is not an operator: compare with “==”" },
    { "$.ok ! true", SONDE_ERROR_INVALID_PREDICATE,
      "Column 6 of “$.ok ! true”: “!” is not an operator: use “!=”" },
    { "$.a ~ 1", SONDE_ERROR_INVALID_PREDICATE,
      "Column 5 of “$.a ~ 1”: expected an operator (==, !=, <, <=, >, >=), “&&” or the end after the "
      "path “$.a”, found “~”" },
    { "$.a b", SONDE_ERROR_INVALID_PREDICATE,
      "Column 5 of “$.a b”: expected an operator (==, !=, <, <=, >, >=), “&&” or the end after the "
      "path “$.a”, found “b”" },
    { "$.a ==", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.a ==”: expected a value after “==”: a number, a \"string\", true, false or null" },
    { "$.a == ", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.a == ”: expected a value after “==”: a number, a \"string\", true, false or null" },
    { "$.sym == ABC", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.sym == ABC”: “ABC” is not a value: a string takes double quotes (\"ABC\"); the "
      "other values are numbers, true, false and null" },
    { "$.sym == 'ABC'", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.sym == 'ABC'”: strings take double quotes: \"…\"" },
    { "$.a == $.b", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.a == $.b”: a path can only be compared with a value, not with another path" },
    { "$.a == {", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.a == {”: expected a value after “==”: a number, a \"string\", true, false or null, "
      "found “{”" },
    { "$.v > 01", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > 01”: “01” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > .5", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > .5”: “.5” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > +1", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > +1”: “+1” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > 1.", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > 1.”: “1.” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > 1e", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > 1e”: “1e” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > 12abc", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > 12abc”: “12abc” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.v > 1e999", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > 1e999”: 1e999 is too large for a number" },
    { "$.v > -", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.v > -”: “-” is not a number (JSON numbers look like 12, -0.5 or 1e-3)" },
    { "$.sym < \"ABC\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.sym < \"ABC\"”: “<” compares numbers: a string can only be compared with == or !=" },
    { "$.sym >= \"ABC\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$.sym >= \"ABC\"”: “>=” compares numbers: a string can only be compared with == or !=" },
    { "$.ok > true", SONDE_ERROR_INVALID_PREDICATE,
      "Column 6 of “$.ok > true”: “>” compares numbers: a boolean can only be compared with == or !=" },
    { "$.n <= null", SONDE_ERROR_INVALID_PREDICATE,
      "Column 5 of “$.n <= null”: “<=” compares numbers: a null can only be compared with == or !=" },
    { "$.s == \"abc", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.s == \"abc”: this string has no closing “\"”" },
    { "$.s == \"abc\\", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.s == \"abc\\”: this string has no closing “\"”" },
    { "$.s == \"a\\qb\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.s == \"a\\qb\"”: “\\q” is not a JSON escape (use \\\", \\\\, \\/, \\b, \\f, \\n, "
      "\\r, \\t or \\uXXXX)" },
    { "$.s == \"\\u12\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 9 of “$.s == \"\\u12\"”: \\u needs four hex digits" },
    { "$.s == \"\\u0000\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 9 of “$.s == \"\\u0000\"”: a string here cannot hold \\u0000" },
    { "$.s == \"\\ud800\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 9 of “$.s == \"\\ud800\"”: “\\ud800” is half of a surrogate pair: the other half must follow" },
    { "$.s == \"\\udc00\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 9 of “$.s == \"\\udc00\"”: “\\udc00” is the second half of a surrogate pair" },
    { "$.a == 1 2", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.a == 1 2”: expected “&&” or the end of the condition, found “2”" },
    { "$.a == 1 &&", SONDE_ERROR_INVALID_PREDICATE,
      "Column 12 of “$.a == 1 &&”: expected a condition after “&&”" },
    { "$.a == 1 && ", SONDE_ERROR_INVALID_PREDICATE,
      "Column 13 of “$.a == 1 && ”: expected a condition after “&&”" },
    { "$.a == 1 & $.b", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.a == 1 & $.b”: conditions are joined with “&&”" },
    { "$.a == 1 || $.b", SONDE_ERROR_INVALID_PREDICATE,
      "Column 10 of “$.a == 1 || $.b”: “||” is not supported: conditions can only be joined with “&&”" },
    { "$.a && && $.b", SONDE_ERROR_INVALID_PATH,
      "Column 8 of “$.a && && $.b”: a path starts with “$”, e.g. $.price" },
    { "é && $.a == 1", SONDE_ERROR_INVALID_PATH,
      "Column 1 of “é && $.a == 1”: a path starts with “$”, e.g. $.price" },
    /* Found by fuzzing: an escape of a cut UTF-8 sequence at the very end. */
    { "$==\"?\\\xf7", SONDE_ERROR_INVALID_PREDICATE,
      "Column 7 of “$==\"?\\\xef\xbf\xbd”: invalid UTF-8" },
    { "$.s == \"\\é\"", SONDE_ERROR_INVALID_PREDICATE,
      "Column 9 of “$.s == \"\\é\"”: “\\é” is not a JSON escape (use \\\", \\\\, \\/, \\b, \\f, \\n, "
      "\\r, \\t or \\uXXXX)" },
    { "$.a == truex", SONDE_ERROR_INVALID_PREDICATE,
      "Column 8 of “$.a == truex”: “truex” is not a value: a string takes double quotes (\"truex\"); the "
      "other values are numbers, true, false and null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondePredicate) predicate = sonde_predicate_new (cases[i].text, &error);
      /* Some are not UTF-8: TAP wants it. */
      g_autofree char *shown = g_strescape (cases[i].text, NULL);

      g_test_message ("case %u: %s", i, shown);
      g_assert_null (predicate);
      g_assert_error (error, SONDE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

typedef struct {
  const char *predicate;
  const char *json;
  gboolean    matches;
} MatchCase;

static const char trade[] =
  "{\"type\":\"trade\",\"sym\":\"ABC\",\"price\":101.25,\"qty\":\"7\",\"v\":0,\"ok\":true,\"off\":false,"
  "\"n\":null,\"esc\":\"\\u0041\\\"B\\\\\",\"u\":\"\\u00e9\\ud83d\\ude00\",\"a\":[1,2,3],\"o\":{}}";

static void
test_matches (void)
{
  static const MatchCase cases[] = {
    /* Strings. */
    { "$.type == \"trade\"", trade, TRUE },
    { "$.type == \"quote\"", trade, FALSE },
    { "$.type != \"quote\"", trade, TRUE },
    { "$.type != \"trade\"", trade, FALSE },
    { "$.type == \"trad\"", trade, FALSE },
    { "$.type == \"trades\"", trade, FALSE },
    { "$.type == \"\\u0074rade\"", trade, TRUE },
    { "$.esc == \"A\\\"B\\\\\"", trade, TRUE },
    { "$.esc == \"\\u0041\\u0022B\\u005c\"", trade, TRUE },
    { "$.esc == \"A\\\"B\"", trade, FALSE },
    { "$.u == \"é😀\"", trade, TRUE },
    { "$.u == \"\\u00E9\\uD83D\\uDE00\"", trade, TRUE },
    { "$.u != \"é\"", trade, TRUE },

    /* Numbers: with numbers only. */
    { "$.price > 100", trade, TRUE },
    { "$.price > 101.25", trade, FALSE },
    { "$.price >= 101.25", trade, TRUE },
    { "$.price < 1.0125e2", trade, FALSE },
    { "$.price <= 1.0125e2", trade, TRUE },
    { "$.price == 101.25", trade, TRUE },
    { "$.price != 101.25", trade, FALSE },
    { "$.price != 3", trade, TRUE },
    { "$.v == 0", trade, TRUE },
    { "$.v == -0", trade, TRUE },
    { "$.v > -1", trade, TRUE },
    { "$.a[-1] == 3", trade, TRUE },
    { "$.a[0] < $.a[1]" , trade, FALSE },
    /* A string, even one that holds a number, is not a number here. */
    { "$.qty == 7", trade, FALSE },
    { "$.qty > 0", trade, FALSE },
    { "$.qty != 7", trade, FALSE },
    { "$.qty == \"7\"", trade, TRUE },
    { "$.sym > 0", trade, FALSE },
    { "$.sym != 0", trade, FALSE },
    /* Booleans are not numbers, numbers are not booleans. */
    { "$.ok == 1", trade, FALSE },
    { "$.v == false", trade, FALSE },
    { "$.ok == true", trade, TRUE },
    { "$.ok != true", trade, FALSE },
    { "$.ok != false", trade, TRUE },
    { "$.off == false", trade, TRUE },
    { "$.off == true", trade, FALSE },

    /* null. */
    { "$.n == null", trade, TRUE },
    { "$.n != null", trade, FALSE },
    { "$.v == null", trade, FALSE },
    { "$.v != null", trade, TRUE },
    { "$.o != null", trade, TRUE },
    { "$.missing == null", trade, FALSE },
    { "$.missing != null", trade, FALSE },

    /* Missing paths: every comparison is false. */
    { "$.missing == 1", trade, FALSE },
    { "$.missing != 1", trade, FALSE },
    { "$.missing != \"x\"", trade, FALSE },
    { "$.missing != true", trade, FALSE },

    /* Just a path: there, and not null or false. */
    { "$.price", trade, TRUE },
    { "$.v", trade, TRUE },
    { "$.sym", trade, TRUE },
    { "$.ok", trade, TRUE },
    { "$.o", trade, TRUE },
    { "$.a", trade, TRUE },
    { "$.off", trade, FALSE },
    { "$.n", trade, FALSE },
    { "$.missing", trade, FALSE },

    /* &&: all must hold. */
    { "$.type == \"trade\" && $.sym == \"ABC\"", trade, TRUE },
    { "$.type == \"trade\" && $.sym == \"XYZ\"", trade, FALSE },
    { "$.type == \"quote\" && $.sym == \"ABC\"", trade, FALSE },
    { "$.type == \"trade\" && $.price > 100 && $.ok && $.a[2] >= 3", trade, TRUE },

    /* Not JSON, or malformed. */
    { "$.type == \"trade\"", "", FALSE },
    { "$.type == \"trade\"", "hello", FALSE },
    { "$.type == \"trade\"", "{\"type\":\"trade\"", FALSE },
    { "$.type == \"trade\"", "{\"type\":\"trade\",}", FALSE },
    { "$", "0", TRUE },
    { "$", "false", FALSE },
    { "$ == \"x\"", "\"x\"", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondePredicate) predicate = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *copy = g_memdup2 (cases[i].json, strlen (cases[i].json));

      g_test_message ("case %u: %s", i, cases[i].predicate);
      predicate = sonde_predicate_new (cases[i].predicate, &error);
      if (predicate == NULL)
        {
          /* Two paths compared: refused when parsing. */
          g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PREDICATE);
          g_assert_false (cases[i].matches);
          continue;
        }
      /* An exact copy without a NUL: nothing may be read past it. */
      g_assert_cmpint (sonde_predicate_matches (predicate, copy, strlen (cases[i].json)), ==, cases[i].matches);
    }
}

/* Interleaved message types, as real feeds send them. */
static void
test_interleaved_feed (void)
{
  static const char *const messages[] = {
    "{\"type\":\"trade\",\"sym\":\"ABC\",\"px\":10}",
    "{\"type\":\"quote\",\"sym\":\"ABC\",\"bid\":9,\"ask\":11}",
    "{\"type\":\"heartbeat\"}",
    "{\"sym\":\"ABC\",\"type\":\"trade\",\"px\":12}",
    "{\"type\":\"trade\",\"sym\":\"XYZ\",\"px\":500}",
    "not json",
    "{\"type\":\"trade\",\"sym\":\"\\u0041BC\",\"px\":-1}",
  };
  g_autoptr(SondePredicate) predicate = predicate_new ("$.type == \"trade\" && $.sym == \"ABC\" && $.px > 0");
  GString *matched = g_string_new (NULL);
  g_autofree char *result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    if (sonde_predicate_matches (predicate, messages[i], strlen (messages[i])))
      g_string_append_printf (matched, "%u ", i);
  result = g_string_free (matched, FALSE);
  g_assert_cmpstr (result, ==, "0 3 ");

  g_assert_false (sonde_predicate_matches (predicate, NULL, 0));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/predicate/parse/valid", test_parse_valid);
  g_test_add_func ("/predicate/parse/errors", test_parse_errors);
  g_test_add_func ("/predicate/matches", test_matches);
  g_test_add_func ("/predicate/interleaved-feed", test_interleaved_feed);

  return g_test_run ();
}
