/* test-json-lex.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON string lexer shared by the path scanner, the predicates and the
 * formatter: a table of strings under each policy, read by every function
 * that reads strings, each input in a buffer of exactly its size; then
 * random strings against json-glib.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-lex.h"
#include "sonde-test-util.h"

#define DEFAULT SONDE_JSON_LEX_DEFAULT
#define NO_NUL SONDE_JSON_LEX_NO_NUL
#define STRICT_SURROGATES SONDE_JSON_LEX_STRICT_SURROGATES
#define STRICT_TEXT SONDE_JSON_LEX_STRICT_TEXT
#define LITERAL (SONDE_JSON_LEX_NO_NUL | SONDE_JSON_LEX_STRICT_SURROGATES)

typedef struct {
  const char         *input;        /* after the opening quote */
  gssize              length;       /* -1: strlen (input) */
  SondeJsonLexFlags   flags;
  SondeJsonLexStatus  status;
  int                 at;           /* OK: offset of the end (after the quote); else of the error */
  const char         *decoded;      /* OK: what it decodes to */
  gssize              decoded_length;   /* -1: strlen (decoded) */
  gboolean            has_escapes;  /* OK only */
} LexCase;

static const LexCase lex_cases[] = {
  /* Plain strings: the end is after the first quote. */
  { "\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 1, "", -1, FALSE },
  { "abc\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 4, "abc", -1, FALSE },
  { "abc\" rest\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 4, "abc", -1, FALSE },
  { "caf\xc3\xa9\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 6, "caf\xc3\xa9", -1, FALSE },

  /* Every short escape. */
  { "\\\"\\\\\\/\\b\\f\\n\\r\\t\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 17, "\"\\/\b\f\n\r\t", -1, TRUE },
  { "a\\\"b\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 5, "a\"b", -1, TRUE },
  { "\\\\\"x", -1, DEFAULT, SONDE_JSON_LEX_OK, 3, "\\", -1, TRUE },
  { "\\\\\\\"\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 5, "\\\"", -1, TRUE },

  /* \u escapes: case of the digits, one to three bytes of UTF-8. */
  { "\\u0041\\u00e9\\u00E9\\u20AC\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 25,
    "A\xc3\xa9\xc3\xa9\xe2\x82\xac", -1, TRUE },
  { "\\u007f\\u0080\\u07ff\\u0800\\uffff\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 31,
    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", -1, TRUE },

  /* Surrogate pairs, in every policy. */
  { "\\ud83d\\ude00\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 13, "\xf0\x9f\x98\x80", -1, TRUE },
  { "\\uD83D\\uDE00\"", -1, LITERAL, SONDE_JSON_LEX_OK, 13, "\xf0\x9f\x98\x80", -1, TRUE },
  { "\\ud800\\udc00\\udbff\\udfff\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 25,
    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", -1, TRUE },

  /* Lone surrogates: U+FFFD by default, errors when strict, at the
   * backslash of the escape. */
  { "\\ud800\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 7, "\xef\xbf\xbd", -1, TRUE },
  { "\\udc00\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 7, "\xef\xbf\xbd", -1, TRUE },
  { "\\ud800x\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 8, "\xef\xbf\xbdx", -1, TRUE },
  { "\\ud800\\u0041\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 13, "\xef\xbf\xbd" "A", -1, TRUE },
  { "\\ud800\\ud800\\udc00\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 19, "\xef\xbf\xbd\xf0\x90\x80\x80", -1, TRUE },
  { "\\udc00\\ud800\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 13, "\xef\xbf\xbd\xef\xbf\xbd", -1, TRUE },
  { "\\ud800\\n\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 9, "\xef\xbf\xbd\n", -1, TRUE },
  { "\\ud800\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 7, "\xef\xbf\xbd", -1, TRUE },
  { "\\ud800\"", -1, STRICT_SURROGATES, SONDE_JSON_LEX_HIGH_SURROGATE, 0, NULL, 0, FALSE },
  { "ab\\udbff\\u0041\"", -1, STRICT_SURROGATES, SONDE_JSON_LEX_HIGH_SURROGATE, 2, NULL, 0, FALSE },
  { "\\udc00\"", -1, STRICT_SURROGATES, SONDE_JSON_LEX_LOW_SURROGATE, 0, NULL, 0, FALSE },
  { "x\\ud800\\udc00\\udfff\"", -1, LITERAL, SONDE_JSON_LEX_LOW_SURROGATE, 13, NULL, 0, FALSE },
  /* A pair cut by the end of the input is a lone half. */
  { "\\ud800\\udc0", -1, STRICT_SURROGATES, SONDE_JSON_LEX_HIGH_SURROGATE, 0, NULL, 0, FALSE },
  { "\\ud800\\udc0", -1, DEFAULT, SONDE_JSON_LEX_BAD_HEX, 6, NULL, 0, FALSE },

  /* \u0000: a NUL byte, unless refused. */
  { "a\\u0000b\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 9, "a\0b", 3, TRUE },
  { "a\\u0000b\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 9, "a\0b", 3, TRUE },
  { "a\\u0000b\"", -1, NO_NUL, SONDE_JSON_LEX_NUL, 1, NULL, 0, FALSE },
  { "\\u0001\\u0000\"", -1, LITERAL, SONDE_JSON_LEX_NUL, 6, NULL, 0, FALSE },

  /* Escapes that are not JSON, at the backslash. */
  { "\\q\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },
  { "ab\\x41\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_ESCAPE, 2, NULL, 0, FALSE },
  { "\\U0041\"", -1, LITERAL, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },
  { "\\'\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },
  { "\\\xc3\xa9\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },
  { "\\\0\"", 3, DEFAULT, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },

  /* \u without four hex digits, at the backslash; a quote cannot be one. */
  { "\\u12g4\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_HEX, 0, NULL, 0, FALSE },
  { "\\u12\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_HEX, 0, NULL, 0, FALSE },
  { "a\\u\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_HEX, 1, NULL, 0, FALSE },
  { "\\u00e", -1, DEFAULT, SONDE_JSON_LEX_BAD_HEX, 0, NULL, 0, FALSE },
  { "\\u", -1, LITERAL, SONDE_JSON_LEX_BAD_HEX, 0, NULL, 0, FALSE },
  { "\\u+123\"", -1, DEFAULT, SONDE_JSON_LEX_BAD_HEX, 0, NULL, 0, FALSE },

  /* Unterminated: no closing quote, or a backslash last; at the end. */
  { "", 0, DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 0, NULL, 0, FALSE },
  { "abc", -1, DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 3, NULL, 0, FALSE },
  { "abc\\\"", -1, DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 5, NULL, 0, FALSE },
  { "abc\\", -1, DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 4, NULL, 0, FALSE },
  { "abc\\", -1, STRICT_TEXT, SONDE_JSON_LEX_UNTERMINATED, 4, NULL, 0, FALSE },
  { "\\\\\\\"", -1, LITERAL, SONDE_JSON_LEX_UNTERMINATED, 4, NULL, 0, FALSE },
  /* The quote is past the length. */
  { "abc\"", 3, DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 3, NULL, 0, FALSE },

  /* Raw bytes: taken as they are by default, checked with STRICT_TEXT. */
  { "a\nb\x01\x7f\xff\"", -1, DEFAULT, SONDE_JSON_LEX_OK, 7, "a\nb\x01\x7f\xff", -1, FALSE },
  { "a\0b\"", 4, LITERAL, SONDE_JSON_LEX_OK, 4, "a\0b", 3, FALSE },
  { "a\nb\"", -1, STRICT_TEXT, SONDE_JSON_LEX_CONTROL, 1, NULL, 0, FALSE },
  { "ab\tc\"", -1, STRICT_TEXT, SONDE_JSON_LEX_CONTROL, 2, NULL, 0, FALSE },
  { "a\0b\"", 4, STRICT_TEXT, SONDE_JSON_LEX_CONTROL, 1, NULL, 0, FALSE },
  { "\x1f\"", -1, STRICT_TEXT, SONDE_JSON_LEX_CONTROL, 0, NULL, 0, FALSE },
  { "del\x7f\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 5, "del\x7f", -1, FALSE },
  { "ab\xff\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 2, NULL, 0, FALSE },
  { "\xc3\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 0, NULL, 0, FALSE },
  { "a\xc0\xaf\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 1, NULL, 0, FALSE },
  { "\xed\xa0\x80\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 0, NULL, 0, FALSE },
  { "\xf4\x90\x80\x80\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 0, NULL, 0, FALSE },
  { "\xe2\x82", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_UTF8, 0, NULL, 0, FALSE },
  { "\xf0\x9f\x98\x80\xe2\x80\xae\"", -1, STRICT_TEXT, SONDE_JSON_LEX_OK, 8,
    "\xf0\x9f\x98\x80\xe2\x80\xae", -1, FALSE },
  /* The first problem wins. */
  { "\\q\n\"", -1, STRICT_TEXT, SONDE_JSON_LEX_BAD_ESCAPE, 0, NULL, 0, FALSE },
  { "\n\\q\"", -1, STRICT_TEXT, SONDE_JSON_LEX_CONTROL, 0, NULL, 0, FALSE },
};

static const char *
status_name (SondeJsonLexStatus status)
{
  switch (status)
    {
    case SONDE_JSON_LEX_OK: return "OK";
    case SONDE_JSON_LEX_UNTERMINATED: return "UNTERMINATED";
    case SONDE_JSON_LEX_BAD_ESCAPE: return "BAD_ESCAPE";
    case SONDE_JSON_LEX_BAD_HEX: return "BAD_HEX";
    case SONDE_JSON_LEX_NUL: return "NUL";
    case SONDE_JSON_LEX_LOW_SURROGATE: return "LOW_SURROGATE";
    case SONDE_JSON_LEX_HIGH_SURROGATE: return "HIGH_SURROGATE";
    case SONDE_JSON_LEX_CONTROL: return "CONTROL";
    case SONDE_JSON_LEX_BAD_UTF8: return "BAD_UTF8";
    default: return "?";
    }
}

/* Whether every raw byte of the string body is printable ASCII. */
static gboolean
body_printable (const guint8 *body,
                gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (body[i] < 0x20 || body[i] > 0x7e)
      return FALSE;
  return TRUE;
}

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (lex_cases); i++)
    {
      const LexCase *c = &lex_cases[i];
      gsize length = c->length < 0 ? strlen (c->input) : (gsize) c->length;
      /* Exactly the input's bytes: a read past them is an error under ASan. */
      g_autofree guint8 *input = g_memdup2 (c->input, MAX (length, 1));
      const guint8 *end = input + length;
      g_autoptr(GString) decoded = g_string_new ("<");
      SondeJsonLexResult fast = { 0 };
      SondeJsonLexResult slow = { 0 };
      SondeJsonLexStatus fast_status;
      SondeJsonLexStatus slow_status;
      g_autofree char *shown = g_strescape (c->input, NULL);

      g_test_message ("case %u: \"%s (flags %d)", i, shown, c->flags);

      /* The inline reader and the one that decodes agree. */
      fast_status = sonde_json_lex_string (input, end, c->flags, &fast);
      slow_status = sonde_json_lex_decode (input, end, c->flags, decoded, &slow);
      g_assert_cmpstr (status_name (fast_status), ==, status_name (c->status));
      g_assert_cmpstr (status_name (slow_status), ==, status_name (c->status));

      if (c->status != SONDE_JSON_LEX_OK)
        {
          g_assert_cmpint (fast.error_at - input, ==, c->at);
          g_assert_cmpint (slow.error_at - input, ==, c->at);
          continue;
        }

      g_assert_cmpint (fast.end - input, ==, c->at);
      g_assert_cmpint (slow.end - input, ==, c->at);
      g_assert_cmpint (fast.has_escapes, ==, c->has_escapes);
      g_assert_cmpint (slow.has_escapes, ==, c->has_escapes);
      g_assert_cmpint (slow.printable, ==, body_printable (input, c->at - 1));
      if (c->flags & SONDE_JSON_LEX_STRICT_TEXT)
        g_assert_cmpint (fast.printable, ==, slow.printable);

      /* The decoded text, after what @out held. */
      {
        gsize decoded_length = c->decoded_length < 0 ? strlen (c->decoded) : (gsize) c->decoded_length;

        g_assert_cmpint (decoded->str[0], ==, '<');
        g_assert_cmpmem (decoded->str + 1, decoded->len - 1, c->decoded, decoded_length);
      }

      /* The quick skip finds the same end. */
      g_assert_true (sonde_json_lex_string_end (input, end) == fast.end);

      /* The body, decoded again, and compared. */
      {
        g_autoptr(GString) appended = g_string_new (NULL);
        gsize body_length = c->at - 1;
        g_autofree char *longer = g_strdup_printf ("%sx", decoded->str + 1);

        sonde_json_lex_append (appended, input, body_length);
        g_assert_cmpmem (appended->str, appended->len, decoded->str + 1, decoded->len - 1);

        g_assert_true (sonde_json_lex_equal (input, body_length, fast.has_escapes,
                                             decoded->str + 1, decoded->len - 1));
        if (decoded->len > 1)
          g_assert_false (sonde_json_lex_equal (input, body_length, fast.has_escapes,
                                                decoded->str + 1, decoded->len - 2));
        g_assert_false (sonde_json_lex_equal (input, body_length, fast.has_escapes,
                                              longer, decoded->len));
      }
    }
}

/* Finding the end without looking at escapes: a quote after an odd number
 * of backslashes is escaped, after an even number it ends the string. */
static void
test_string_end (void)
{
  static const struct { const char *input; int end; } cases[] = {
    { "\"", 1 },
    { "abc\"def\"", 4 },
    { "a\\\"b\"", 5 },
    { "a\\\\\"b\"", 4 },
    { "a\\\\\\\"b\"", 7 },
    { "\\\\\\\\\"", 5 },
    { "\\q\"", 3 },              /* not checked */
    { "\\u12\"", 5 },
    { "\\\"", -1 },
    { "abc", -1 },
    { "", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = strlen (cases[i].input);
      g_autofree guint8 *input = g_memdup2 (cases[i].input, MAX (length, 1));
      const guint8 *end = sonde_json_lex_string_end (input, input + length);

      g_test_message ("case %u", i);
      if (cases[i].end < 0)
        g_assert_null (end);
      else
        g_assert_cmpint (end - input, ==, cases[i].end);
    }
}

/* One escape at a time: what it stands for and where it ends. */
static void
test_escape (void)
{
  static const struct {
    const char         *input;
    SondeJsonLexFlags   flags;
    SondeJsonLexStatus  status;
    gunichar            ch;
    int                 next;
  } cases[] = {
    { "\\n", DEFAULT, SONDE_JSON_LEX_OK, '\n', 2 },
    { "\\/x", DEFAULT, SONDE_JSON_LEX_OK, '/', 2 },
    { "\\u00e9", DEFAULT, SONDE_JSON_LEX_OK, 0xe9, 6 },
    { "\\u0000", DEFAULT, SONDE_JSON_LEX_OK, 0, 6 },
    { "\\u0000", NO_NUL, SONDE_JSON_LEX_NUL, 0, 0 },
    { "\\ud834\\udd1e", DEFAULT, SONDE_JSON_LEX_OK, 0x1d11e, 12 },
    { "\\ud834\\udd1e", STRICT_SURROGATES, SONDE_JSON_LEX_OK, 0x1d11e, 12 },
    { "\\ud834\\u0041", DEFAULT, SONDE_JSON_LEX_OK, 0xfffd, 6 },
    { "\\ud834", STRICT_SURROGATES, SONDE_JSON_LEX_HIGH_SURROGATE, 0, 0 },
    { "\\udd1e", DEFAULT, SONDE_JSON_LEX_OK, 0xfffd, 6 },
    { "\\udd1e", STRICT_SURROGATES, SONDE_JSON_LEX_LOW_SURROGATE, 0, 0 },
    { "\\", DEFAULT, SONDE_JSON_LEX_UNTERMINATED, 0, 0 },
    { "\\z", DEFAULT, SONDE_JSON_LEX_BAD_ESCAPE, 0, 0 },
    { "\\uabc", DEFAULT, SONDE_JSON_LEX_BAD_HEX, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = strlen (cases[i].input);
      g_autofree guint8 *input = g_memdup2 (cases[i].input, length);
      const guint8 *next = NULL;
      gunichar ch = 0x12345;
      SondeJsonLexStatus status;

      g_test_message ("case %u", i);
      status = sonde_json_lex_escape (input, input + length, cases[i].flags, &ch, &next);
      g_assert_cmpstr (status_name (status), ==, status_name (cases[i].status));
      if (status == SONDE_JSON_LEX_OK)
        {
          g_assert_cmphex (ch, ==, cases[i].ch);
          g_assert_cmpint (next - input, ==, cases[i].next);
        }
    }
}

/* Writes @ch into @json as a JSON string would hold it, in one of the ways
 * JSON allows, chosen at random. */
static void
append_encoded (GString  *json,
                gunichar  ch,
                GRand    *rand)
{
  static const char short_escapes[] = "\"\\/\b\f\n\r\t";
  static const char short_letters[] = "\"\\/bfnrt";
  const char *found = ch != 0 && ch < 0x80 ? strchr (short_escapes, (int) ch) : NULL;
  int way = g_rand_int_range (rand, 0, 3);

  if (found != NULL && way == 0)
    {
      g_string_append_c (json, '\\');
      g_string_append_c (json, short_letters[found - short_escapes]);
    }
  else if (way == 1 || ch == '"' || ch == '\\')
    {
      if (ch >= 0x10000)
        {
          gunichar v = ch - 0x10000;

          g_string_append_printf (json, g_rand_boolean (rand) ? "\\u%04x\\u%04x" : "\\u%04X\\u%04X",
                                  0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
        }
      else
        g_string_append_printf (json, g_rand_boolean (rand) ? "\\u%04x" : "\\u%04X", ch);
    }
  else
    g_string_append_unichar (json, ch);
}

static gunichar
random_char (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0: return (gunichar) g_rand_int_range (rand, 1, 0x20);
    case 1: return (gunichar) g_rand_int_range (rand, 0x20, 0x80);
    case 2: return "\"\\/"[g_rand_int_range (rand, 0, 3)];
    case 3: return (gunichar) g_rand_int_range (rand, 0x80, 0xd800);
    case 4: return (gunichar) g_rand_int_range (rand, 0xe000, 0x10000);
    default: return (gunichar) g_rand_int_range (rand, 0x10000, 0x110000);
    }
}

/* Random strings of every kind of character, written with random escapes:
 * each decodes to what was written, as json-glib decodes it too, under
 * every policy (none of them has a lone surrogate or \u0000). */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(JsonParser) parser = json_parser_new ();
  static const SondeJsonLexFlags all_flags[] = {
    DEFAULT, NO_NUL, STRICT_SURROGATES, STRICT_TEXT, LITERAL | STRICT_TEXT,
  };

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autoptr(GString) json = g_string_new ("\"");
      g_autoptr(GError) error = NULL;
      g_autofree char *document = NULL;
      guint n = (guint) g_rand_int_range (rand, 0, 24);
      gboolean strict_text_ok = TRUE;
      gsize body_length;

      for (guint i = 0; i < n; i++)
        {
          gunichar ch = random_char (rand);
          gsize before = json->len;

          g_string_append_unichar (expected, ch);
          append_encoded (json, ch, rand);
          if (json->str[before] != '\\' && ch < 0x20)
            strict_text_ok = FALSE;
        }
      body_length = json->len - 1;
      g_string_append (json, "\" after");

      for (guint f = 0; f < G_N_ELEMENTS (all_flags); f++)
        {
          g_autoptr(GString) decoded = g_string_new (NULL);
          g_autofree guint8 *input = g_memdup2 (json->str + 1, json->len - 1);
          const guint8 *end = input + json->len - 1;
          SondeJsonLexResult fast, slow;

          /* Checked below. */
          if ((all_flags[f] & SONDE_JSON_LEX_STRICT_TEXT) != 0 && !strict_text_ok)
            continue;

          g_assert_cmpint (sonde_json_lex_string (input, end, all_flags[f], &fast), ==, SONDE_JSON_LEX_OK);
          g_assert_cmpint (fast.end - input, ==, body_length + 1);
          g_assert_cmpint (sonde_json_lex_decode (input, end, all_flags[f], decoded, &slow), ==,
                           SONDE_JSON_LEX_OK);
          g_assert_cmpint (slow.end - input, ==, body_length + 1);
          g_assert_cmpstr (decoded->str, ==, expected->str);
          g_assert_true (sonde_json_lex_equal (input, body_length, fast.has_escapes,
                                               expected->str, expected->len));
          g_assert_true (sonde_json_lex_string_end (input, end) == fast.end);
        }

      /* Raw control characters: only STRICT_TEXT refuses them. */
      {
        SondeJsonLexResult strict;
        SondeJsonLexStatus status = sonde_json_lex_decode ((const guint8 *) json->str + 1,
                                                           (const guint8 *) json->str + json->len,
                                                           STRICT_TEXT, NULL, &strict);

        g_assert_cmpint (status == SONDE_JSON_LEX_OK, ==, strict_text_ok);
      }

      /* json-glib reads it the same. */
      if (strict_text_ok)
        {
          JsonNode *root;

          document = g_strdup_printf ("[%.*s]", (int) body_length + 2, json->str);
          g_assert_true (json_parser_load_from_data (parser, document, -1, &error));
          g_assert_no_error (error);
          root = json_parser_get_root (parser);
          g_assert_cmpstr (json_array_get_string_element (json_node_get_array (root), 0), ==, expected->str);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/json-lex/table", test_table);
  g_test_add_func ("/json-lex/string-end", test_string_end);
  g_test_add_func ("/json-lex/escape", test_escape);
  g_test_add_func ("/json-lex/random", test_random);

  return g_test_run ();
}
