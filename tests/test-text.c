/* test-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-text.h"
#include "sonde-test-util.h"

typedef struct {
  const char *input;
  gssize length;            /* -1: strlen (input) */
  SondeEscapeFlags flags;
  gsize max_bytes;
  const char *expected;
  gboolean truncated;
} EscapeCase;

static void
test_escape_table (void)
{
  static const EscapeCase cases[] = {
    /* Plain text, and what stays as it is. */
    { "", -1, SONDE_ESCAPE_NONE, 0, "", FALSE },
    { "hello", -1, SONDE_ESCAPE_NONE, 0, "hello", FALSE },
    { "a longer run of plain ASCII, more than 8 bytes ~!", -1, SONDE_ESCAPE_NONE, 0,
      "a longer run of plain ASCII, more than 8 bytes ~!", FALSE },
    { "C:\\path\\file", -1, SONDE_ESCAPE_NONE, 0, "C:\\path\\file", FALSE },
    { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", -1, SONDE_ESCAPE_NONE, 0,
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", FALSE },
    { "nbsp\xc2\xa0here", -1, SONDE_ESCAPE_NONE, 0, "nbsp\xc2\xa0here", FALSE },
    { "\xef\xbf\xbd \xf4\x8f\xbf\xbf", -1, SONDE_ESCAPE_NONE, 0, "\xef\xbf\xbd \xf4\x8f\xbf\xbf", FALSE },

    /* C0 controls and DEL. */
    { "a\nb\tc\rd", -1, SONDE_ESCAPE_NONE, 0, "a\\nb\\tc\\rd", FALSE },
    { "a\nb\tc\rd", -1, SONDE_ESCAPE_KEEP_NEWLINES, 0, "a\nb\tc\\rd", FALSE },
    { "a\0b", 3, SONDE_ESCAPE_NONE, 0, "a\\0b", FALSE },
    { "\0\0", 2, SONDE_ESCAPE_KEEP_NEWLINES, 0, "\\0\\0", FALSE },
    { "\x01\x1b[31mred\x7f", -1, SONDE_ESCAPE_NONE, 0, "\\x01\\x1b[31mred\\x7f", FALSE },
    { "\x1f\x0b\x0c\x08", -1, SONDE_ESCAPE_KEEP_NEWLINES, 0, "\\x1f\\x0b\\x0c\\x08", FALSE },

    /* C1 controls. */
    { "\xc2\x80-\xc2\x85-\xc2\x9b-\xc2\x9f", -1, SONDE_ESCAPE_NONE, 0,
      "\\u0080-\\u0085-\\u009b-\\u009f", FALSE },

    /* Bidirectional controls, separators, zero-width characters, BOM. */
    { "user\xe2\x80\xaegnp.exe", -1, SONDE_ESCAPE_NONE, 0, "user\\u202egnp.exe", FALSE },
    { "\xd8\x9c|\xe2\x80\x8e|\xe2\x80\x8f|\xe2\x80\xaa|\xe2\x80\xab|\xe2\x80\xac|\xe2\x80\xad",
      -1, SONDE_ESCAPE_NONE, 0,
      "\\u061c|\\u200e|\\u200f|\\u202a|\\u202b|\\u202c|\\u202d", FALSE },
    { "\xe2\x81\xa6|\xe2\x81\xa7|\xe2\x81\xa8|\xe2\x81\xa9", -1, SONDE_ESCAPE_NONE, 0,
      "\\u2066|\\u2067|\\u2068|\\u2069", FALSE },
    { "\xe2\x80\xa8|\xe2\x80\xa9|\xe2\x80\x8b|\xe2\x80\x8c|\xe2\x80\x8d|\xef\xbb\xbf", -1,
      SONDE_ESCAPE_KEEP_NEWLINES, 0,
      "\\u2028|\\u2029|\\u200b|\\u200c|\\u200d|\\ufeff", FALSE },
    /* Neighbours of those ranges stay. */
    { "\xe2\x80\x8a|\xe2\x80\xaf|\xe2\x81\xa5|\xe2\x81\xaa|\xd8\x9b|\xc2\xa0", -1, SONDE_ESCAPE_NONE, 0,
      "\xe2\x80\x8a|\xe2\x80\xaf|\xe2\x81\xa5|\xe2\x81\xaa|\xd8\x9b|\xc2\xa0", FALSE },

    /* Invalid UTF-8: one \xNN per bad byte, then the next byte afresh. */
    { "\x80", -1, SONDE_ESCAPE_NONE, 0, "\\x80", FALSE },
    { "a\xbf\x80z", -1, SONDE_ESCAPE_NONE, 0, "a\\xbf\\x80z", FALSE },
    { "\xc0\xaf", -1, SONDE_ESCAPE_NONE, 0, "\\xc0\\xaf", FALSE },
    { "\xc1\xbf", -1, SONDE_ESCAPE_NONE, 0, "\\xc1\\xbf", FALSE },
    { "\xe0\x80\xaf", -1, SONDE_ESCAPE_NONE, 0, "\\xe0\\x80\\xaf", FALSE },
    { "\xf0\x80\x80\xaf", -1, SONDE_ESCAPE_NONE, 0, "\\xf0\\x80\\x80\\xaf", FALSE },
    { "\xed\xa0\x80", -1, SONDE_ESCAPE_NONE, 0, "\\xed\\xa0\\x80", FALSE },           /* surrogate */
    { "\xf4\x90\x80\x80", -1, SONDE_ESCAPE_NONE, 0, "\\xf4\\x90\\x80\\x80", FALSE }, /* > U+10FFFF */
    { "\xf5\xfe\xff", -1, SONDE_ESCAPE_NONE, 0, "\\xf5\\xfe\\xff", FALSE },
    { "\xe2\x82" "A", -1, SONDE_ESCAPE_NONE, 0, "\\xe2\\x82" "A", FALSE },
    { "\xc3" "\xc3\xa9", -1, SONDE_ESCAPE_NONE, 0, "\\xc3\xc3\xa9", FALSE },
    /* Cut short by the end of the data: invalid, not truncated. */
    { "ab\xe2\x82", -1, SONDE_ESCAPE_NONE, 0, "ab\\xe2\\x82", FALSE },
    { "ab\xf0\x9f\x98", -1, SONDE_ESCAPE_NONE, 0, "ab\\xf0\\x9f\\x98", FALSE },

    /* max_bytes. */
    { "hello", -1, SONDE_ESCAPE_NONE, 3, "hel", TRUE },
    { "hello", -1, SONDE_ESCAPE_NONE, 5, "hello", FALSE },
    { "hello", -1, SONDE_ESCAPE_NONE, 6, "hello", FALSE },
    { "a\nb", -1, SONDE_ESCAPE_NONE, 2, "a\\n", TRUE },
    { "a\0b", 3, SONDE_ESCAPE_NONE, 2, "a\\0", TRUE },
    /* A 4-byte sequence cut by the limit: stop before it. */
    { "ab\xf0\x9f\x98\x80" "cd", -1, SONDE_ESCAPE_NONE, 3, "ab", TRUE },
    { "ab\xf0\x9f\x98\x80" "cd", -1, SONDE_ESCAPE_NONE, 4, "ab", TRUE },
    { "ab\xf0\x9f\x98\x80" "cd", -1, SONDE_ESCAPE_NONE, 5, "ab", TRUE },
    { "ab\xf0\x9f\x98\x80" "cd", -1, SONDE_ESCAPE_NONE, 6, "ab\xf0\x9f\x98\x80", TRUE },
    { "ab\xe2\x80\xae" "cd", -1, SONDE_ESCAPE_NONE, 4, "ab", TRUE },
    { "ab\xe2\x80\xae" "cd", -1, SONDE_ESCAPE_NONE, 5, "ab\\u202e", TRUE },
    /* The limit falls in bytes that are invalid anyway: shown as such. */
    { "ab\xf0" "A", -1, SONDE_ESCAPE_NONE, 3, "ab\\xf0", TRUE },
    { "ab\xe2\x82" "A", -1, SONDE_ESCAPE_NONE, 4, "ab\\xe2\\x82", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EscapeCase *c = &cases[i];
      gsize length = c->length < 0 ? strlen (c->input) : (gsize) c->length;
      gboolean truncated = !c->truncated;
      g_autofree char *result = NULL;

      g_test_message ("case %u", i);
      result = sonde_text_escape ((const guint8 *) c->input, length, c->flags, c->max_bytes, &truncated);
      g_assert_cmpstr (result, ==, c->expected);
      g_assert_cmpint (truncated, ==, c->truncated);
      g_assert_true (g_utf8_validate (result, -1, NULL));
    }
}

static void
test_escape_null_truncated (void)
{
  g_autofree char *empty = sonde_text_escape (NULL, 0, SONDE_ESCAPE_NONE, 0, NULL);
  g_autofree char *cut = sonde_text_escape ((const guint8 *) "abcdef", 6, SONDE_ESCAPE_NONE, 2, NULL);

  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (cut, ==, "ab");
}

/* Whether @text holds a character that sonde_text_escape() must never let
 * through. */
static gboolean
has_unsafe_char (const char *text,
                 gboolean    keep_newlines)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if ((ch < 0x20 && !(keep_newlines && (ch == '\n' || ch == '\t')))
          || (ch >= 0x7f && ch <= 0x9f)
          || ch == 0x061c
          || (ch >= 0x200b && ch <= 0x200f)
          || (ch >= 0x2028 && ch <= 0x202e)
          || (ch >= 0x2066 && ch <= 0x2069)
          || ch == 0xfeff)
        return TRUE;
    }

  return FALSE;
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes and the
 * characters that must be escaped: the output is always valid UTF-8 with
 * nothing unsafe in it, and the output for a limit is a prefix of the
 * output without one. */
static void
test_escape_random (void)
{
  static const char *const pieces[] = {
    "a", "Z", " ", "\\", "\n", "\t", "\r", "\0", "\x7f", "\xc2\x85", "\xc3\xa9", "\xe2\x80\xae",
    "\xe2\x80\xa8", "\xef\xbb\xbf", "\xf0\x9f\x98\x80", "\xe2\x82\xac", "\x80", "\xbf", "\xc0",
    "\xe2", "\xf0\x9f", "\xff", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xd8\x9c",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x5ede);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      SondeEscapeFlags flags = g_rand_boolean (rand) ? SONDE_ESCAPE_KEEP_NEWLINES : SONDE_ESCAPE_NONE;
      guint n = g_rand_int_range (rand, 0, 40);
      g_autofree char *full = NULL;
      gboolean truncated = TRUE;

      for (guint i = 0; i < n; i++)
        {
          const char *piece = pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))];

          /* "\0" is one byte; every other piece is a C string. */
          g_byte_array_append (data, (const guint8 *) piece, *piece ? strlen (piece) : 1);
        }

      full = sonde_text_escape (data->data, data->len, flags, 0, &truncated);
      g_assert_false (truncated);
      g_assert_true (g_utf8_validate (full, -1, NULL));
      g_assert_false (has_unsafe_char (full, flags & SONDE_ESCAPE_KEEP_NEWLINES));

      for (gsize max = 1; max <= data->len + 1; max++)
        {
          g_autofree char *part = sonde_text_escape (data->data, data->len, flags, max, &truncated);

          g_assert_true (g_str_has_prefix (full, part));
          g_assert_cmpint (truncated, ==, max < data->len);
          g_assert_true (g_utf8_validate (part, -1, NULL));
        }
    }
}

static void
test_preview_text (void)
{
  g_autofree char *long_text = g_malloc (5000);
  g_autofree char *expected = NULL;
  char *preview;

  preview = sonde_text_preview ((const guint8 *) "hello", 5, FALSE);
  g_assert_cmpstr (preview, ==, "hello");
  g_free (preview);

  preview = sonde_text_preview ((const guint8 *) "line 1\nline 2\r\n\x1b[0m",
                                strlen ("line 1\nline 2\r\n\x1b[0m"), FALSE);
  g_assert_cmpstr (preview, ==, "line 1\\nline 2\\r\\n\\x1b[0m");
  g_free (preview);

  preview = sonde_text_preview ((const guint8 *) "", 0, FALSE);
  g_assert_cmpstr (preview, ==, "");
  g_free (preview);

  preview = sonde_text_preview (NULL, 0, FALSE);
  g_assert_cmpstr (preview, ==, "");
  g_free (preview);

  /* Longer than the preview: cut, with an ellipsis. */
  memset (long_text, 'a', 5000);
  expected = g_strdup_printf ("%.*s…", SONDE_PREVIEW_MAX_BYTES, long_text);
  preview = sonde_text_preview ((const guint8 *) long_text, 5000, FALSE);
  g_assert_cmpstr (preview, ==, expected);
  g_free (preview);

  /* Exactly the preview: whole, no ellipsis. */
  preview = sonde_text_preview ((const guint8 *) long_text, SONDE_PREVIEW_MAX_BYTES, FALSE);
  g_assert_cmpuint (strlen (preview), ==, SONDE_PREVIEW_MAX_BYTES);
  g_assert_false (g_str_has_suffix (preview, "…"));
  g_free (preview);

  /* A character across the limit is left out whole. */
  memcpy (long_text + SONDE_PREVIEW_MAX_BYTES - 1, "\xc3\xa9", 2);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%.*s…", SONDE_PREVIEW_MAX_BYTES - 1, long_text);
  preview = sonde_text_preview ((const guint8 *) long_text, SONDE_PREVIEW_MAX_BYTES + 1, FALSE);
  g_assert_cmpstr (preview, ==, expected);
  g_free (preview);
}

static void
test_preview_binary (void)
{
  static const guint8 bytes[] = { 0x00, 0xff, 0x1a, 0x80, 0x0a };
  const gsize fits = SONDE_PREVIEW_MAX_BYTES / 3;
  g_autofree guint8 *many = g_malloc0 (2000);
  char *preview;

  preview = sonde_text_preview (bytes, sizeof bytes, TRUE);
  g_assert_cmpstr (preview, ==, "00 ff 1a 80 0a");
  g_free (preview);

  preview = sonde_text_preview (bytes, 1, TRUE);
  g_assert_cmpstr (preview, ==, "00");
  g_free (preview);

  preview = sonde_text_preview (NULL, 0, TRUE);
  g_assert_cmpstr (preview, ==, "");
  g_free (preview);

  for (gsize i = 0; i < 2000; i++)
    many[i] = (guint8) i;

  preview = sonde_text_preview (many, fits, TRUE);
  g_assert_cmpuint (strlen (preview), ==, fits * 3 - 1);
  g_assert_true (g_str_has_prefix (preview, "00 01 02 03"));
  g_assert_false (g_str_has_suffix (preview, "…"));
  g_free (preview);

  preview = sonde_text_preview (many, 2000, TRUE);
  g_assert_cmpuint (strlen (preview), ==, fits * 3 - 1 + strlen (" …"));
  g_assert_true (g_str_has_prefix (preview, "00 01 02 03"));
  /* Byte 1364 is 0x54. */
  g_assert_true (g_str_has_suffix (preview, " 53 54 …"));
  g_free (preview);
}

static void
test_format_size (void)
{
  static const struct {
    guint64 bytes;
    const char *expected;
  } cases[] = {
    { 0, "0\xc2\xa0" "B" },
    { 1, "1\xc2\xa0" "B" },
    { 98, "98\xc2\xa0" "B" },
    { 999, "999\xc2\xa0" "B" },
    { 1000, "1.0\xc2\xa0kB" },
    { 1500, "1.5\xc2\xa0kB" },
    { 999949, "999.9\xc2\xa0kB" },
    { 999950, "1.0\xc2\xa0MB" },
    { 999999, "1.0\xc2\xa0MB" },
    { 1000000, "1.0\xc2\xa0MB" },
    { 1234567, "1.2\xc2\xa0MB" },
    { G_GUINT64_CONSTANT (999999999), "1.0\xc2\xa0GB" },
    { G_GUINT64_CONSTANT (1500000000), "1.5\xc2\xa0GB" },
    { G_MAXUINT64, "18.4\xc2\xa0" "EB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sonde_format_size (cases[i].bytes);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* Against a naive search over random haystacks of a small alphabet, so
 * that near misses, overlaps and both cases of the first byte all occur. */
static void
test_contains_ascii_ci (void)
{
  static const struct { const char *haystack; const char *needle; gboolean expected; } table[] = {
    { "", "", TRUE },
    { "abc", "", TRUE },
    { "", "a", FALSE },
    { "Hello World", "world", TRUE },
    { "Hello World", "hello world", TRUE },
    { "Hello Worl", "world", FALSE },
    { "aaAAab", "aab", TRUE },
    { "ERROR: x", "error", TRUE },
    { "caf\xc3\xa9", "caf\xc3\xa9", TRUE },
    { "a\0b", "b", TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      gsize length = i == G_N_ELEMENTS (table) - 1 ? 3 : strlen (table[i].haystack);

      g_assert_cmpint (sonde_text_contains_ascii_ci ((const guint8 *) table[i].haystack, length,
                                                     (const guint8 *) table[i].needle,
                                                     strlen (table[i].needle)),
                       ==, table[i].expected);
    }

  for (guint round = 0; round < 20000; round++)
    {
      static const char alphabet[] = "aAbB";
      char haystack[16], needle[5];
      gsize length = (gsize) g_rand_int_range (rand, 0, sizeof haystack);
      gsize needle_len = (gsize) g_rand_int_range (rand, 1, sizeof needle);
      gboolean expected = FALSE;

      for (gsize j = 0; j < length; j++)
        haystack[j] = alphabet[g_rand_int_range (rand, 0, 4)];
      for (gsize j = 0; j < needle_len; j++)
        needle[j] = "ab"[g_rand_int_range (rand, 0, 2)];

      for (gsize start = 0; start + needle_len <= length && !expected; start++)
        expected = g_ascii_strncasecmp (haystack + start, needle, needle_len) == 0;

      g_assert_cmpint (sonde_text_contains_ascii_ci ((const guint8 *) haystack, length,
                                                     (const guint8 *) needle, needle_len),
                       ==, expected);
    }
}

/* The UTF-8 decoder against GLib's on every sequence of one and two
 * bytes, every three-byte one whose last byte is a boundary case, and
 * random four-byte ones; and with each cut one byte short. */
static void
test_decode_utf8 (void)
{
  static const guint8 edges[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint checked = 0;

  for (guint round = 0; round < 65536 + 65536 * G_N_ELEMENTS (edges) + 200000; round++)
    {
      guint8 bytes[4] = { 0 };
      gsize length;

      if (round < 65536)
        {
          bytes[0] = round >> 8;
          bytes[1] = round & 0xff;
          length = 2;
        }
      else if (round < 65536 + 65536 * G_N_ELEMENTS (edges))
        {
          guint i = round - 65536;

          bytes[0] = (i >> 8) & 0xff;
          bytes[1] = i & 0xff;
          bytes[2] = edges[(i >> 16) % G_N_ELEMENTS (edges)];
          length = 3;
        }
      else
        {
          bytes[0] = (guint8) g_rand_int_range (rand, 0xf0, 0xf8);
          for (guint j = 1; j < 4; j++)
            bytes[j] = (guint8) g_rand_int_range (rand, 0x70, 0xd0);
          length = 4;
        }

      for (gsize avail = length; avail >= 1; avail--)
        {
          gunichar expected = g_utf8_get_char_validated ((const char *) bytes, (gssize) avail);
          gunichar ch = 0x12345678;
          guint n = sonde_text_decode_utf8 (bytes, avail, &ch);

          if (bytes[0] == 0)
            {
              /* GLib refuses NUL; it is one byte of ASCII here. */
              g_assert_cmpuint (n, ==, 1);
              g_assert_cmpuint (ch, ==, 0);
              continue;
            }

          if (expected == (gunichar) -1 || expected == (gunichar) -2)
            g_assert_cmpuint (n, ==, 0);
          else
            {
              g_assert_cmpuint (n, ==, (guint) g_utf8_skip[bytes[0]]);
              g_assert_cmphex (ch, ==, expected);
            }
          checked++;
        }
    }

  g_assert_cmpuint (checked, >, 1000000);
}

/* The characters that sonde_text_escape() hides are the ones
 * sonde_text_is_hidden_char() names: the JSON formatter relies on it. */
static void
test_hidden_chars (void)
{
  for (gunichar ch = 0x80; ch < 0x30000; ch++)
    {
      char utf8[8] = { 0 };
      gsize n;
      g_autofree char *escaped = NULL;
      g_autofree char *expected = NULL;

      if (ch >= 0xd800 && ch <= 0xdfff)
        continue;

      n = (gsize) g_unichar_to_utf8 (ch, utf8);
      escaped = sonde_text_escape ((const guint8 *) utf8, n, SONDE_ESCAPE_NONE, 0, NULL);
      expected = sonde_text_is_hidden_char (ch) ? g_strdup_printf ("\\u%04x", ch) : g_strdup (utf8);
      g_assert_cmpstr (escaped, ==, expected);
    }

  g_assert_true (sonde_text_is_hidden_char (0x202e));
  g_assert_true (sonde_text_is_hidden_char (0x85));
  g_assert_false (sonde_text_is_hidden_char ('a'));
  g_assert_false (sonde_text_is_hidden_char (0xe9));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/text/escape/table", test_escape_table);
  g_test_add_func ("/text/escape/null-truncated", test_escape_null_truncated);
  g_test_add_func ("/text/escape/random", test_escape_random);
  g_test_add_func ("/text/preview/text", test_preview_text);
  g_test_add_func ("/text/preview/binary", test_preview_binary);
  g_test_add_func ("/text/format-size", test_format_size);
  g_test_add_func ("/text/contains-ascii-ci", test_contains_ascii_ci);
  g_test_add_func ("/text/decode-utf8", test_decode_utf8);
  g_test_add_func ("/text/hidden-chars", test_hidden_chars);

  return g_test_run ();
}
