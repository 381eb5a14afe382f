/* test-hex.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-error.h"
#include "sonde-hex.h"
#include "sonde-test-util.h"

typedef struct {
  const char *data;
  gsize length;
  gsize max_bytes;
  const char *expected;
} DumpCase;

/* The expected lines are those of `hexdump -C`, without its final offset
 * line. */
static void
test_dump_table (void)
{
  static const DumpCase cases[] = {
    { "", 0, 0, "" },
    { "Hello world\n\0\1\2\3", 16, 0,
      "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|\n" },
    { "abc", 3, 0,
      "00000000  61 62 63                                          |abc|\n" },
    { "01234567", 8, 0,
      "00000000  30 31 32 33 34 35 36 37                           |01234567|\n" },
    { "012345678", 9, 0,
      "00000000  30 31 32 33 34 35 36 37  38                       |012345678|\n" },
    { "\x7f\x80\xff\x1f ~AZ\0 \t\n\r\xc3\xa9!A", 17, 0,
      "00000000  7f 80 ff 1f 20 7e 41 5a  00 20 09 0a 0d c3 a9 21  |.... ~AZ. .....!|\n"
      "00000010  41                                                |A|\n" },
    /* Cut by max_bytes. */
    { "0123456789abcdefghijklmnopqrstuvwxyz", 36, 20,
      "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
      "00000010  67 68 69 6a                                       |ghij|\n"
      "… 16 more bytes\n" },
    { "0123456789abcdefg", 17, 16,
      "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
      "… 1 more byte\n" },
    { "0123456789abcdefg", 17, 17,
      "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
      "00000010  67                                                |g|\n" },
    { "0123456789abcdefg", 17, 100,
      "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
      "00000010  67                                                |g|\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dump = sonde_hex_dump ((const guint8 *) cases[i].data, cases[i].length,
                                              cases[i].max_bytes);

      g_test_message ("case %u", i);
      g_assert_cmpstr (dump, ==, cases[i].expected);
    }
}

/* Every line of a long dump has the same layout, with the right offset. */
static void
test_dump_long (void)
{
  gsize length = 70000;
  g_autofree guint8 *data = g_malloc (length);
  g_autofree char *dump = NULL;
  g_auto(GStrv) lines = NULL;

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) (i * 7);

  dump = sonde_hex_dump (data, length, 0);
  lines = g_strsplit (dump, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, length / 16 + 1);
  g_assert_cmpstr (lines[length / 16], ==, "");
  for (gsize n = 0; n < length / 16; n++)
    {
      char offset[16];

      g_snprintf (offset, sizeof offset, "%08" G_GSIZE_MODIFIER "x  ", n * 16);
      g_assert_true (g_str_has_prefix (lines[n], offset));
      g_assert_cmpuint (strlen (lines[n]), ==, 78);
      g_assert_cmpint (lines[n][59], ==, ' ');
      g_assert_cmpint (lines[n][60], ==, '|');
      g_assert_cmpint (lines[n][77], ==, '|');
    }
  g_assert_cmpstr (lines[0], ==,
                   "00000000  00 07 0e 15 1c 23 2a 31  38 3f 46 4d 54 5b 62 69  |.....#*18?FMT[bi|");
}

static void
check_parse (const char   *text,
             gssize        length,
             const guint8 *expected,
             gsize         expected_length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *shown = g_strescape (text != NULL ? text : "", NULL);
  guint line = 99;
  guint column = 99;

  g_test_message ("parsing \"%s\"", shown);
  bytes = sonde_hex_parse (text, length, &line, &column, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, expected_length);
  g_assert_cmpuint (line, ==, 0);
  g_assert_cmpuint (column, ==, 0);
}

static void
test_parse_valid (void)
{
  static const guint8 hello[] = { 'H', 'e', 'l', 'l', 'o' };
  static const guint8 edges[] = { 0x00, 0xff, 0xab, 0xcd, 0xef, 0x10 };

  check_parse ("", -1, NULL, 0);
  check_parse (NULL, 0, NULL, 0);
  check_parse (" \t\r\n  \n", -1, NULL, 0);
  check_parse (", : ,", -1, NULL, 0);
  check_parse ("48 65 6c 6c 6f", -1, hello, 5);
  check_parse ("48656C6c6F", -1, hello, 5);
  check_parse ("4865 6c6c6f", -1, hello, 5);
  check_parse ("0x48, 0x65,0x6C,0X6c , 0x6f", -1, hello, 5);
  check_parse ("48:65:6c:6c:6f", -1, hello, 5);
  check_parse ("0x48656c6c6f", -1, hello, 5);
  check_parse ("\t48\r\n65\n6c\n\n6c 6f\n", -1, hello, 5);
  check_parse ("48\xc2\xa0" "65\xe2\x80\x83" "6c\xe3\x80\x80" "6c 6f", -1, hello, 5); /* Unicode spaces */
  check_parse ("00 FF aB Cd eF 10", -1, edges, sizeof edges);
  check_parse ("48 65 6c 6c 6f 00 ff", 14, hello, 5);  /* length is respected */
}

typedef struct {
  const char *text;
  gssize length;
  guint line;
  guint column;
  const char *message;
} ParseErrorCase;

static void
test_parse_errors (void)
{
  static const ParseErrorCase cases[] = {
    { "48 6g", -1, 1, 5, "Line 1, column 5: “g” is not a hex digit" },
    { "48\n65 zz", -1, 2, 4, "Line 2, column 4: “z” is not a hex digit" },
    { "48\r\n65\n\n  0x4g", -1, 4, 6, "Line 4, column 6: “g” is not a hex digit" },
    { "48;65", -1, 1, 3, "Line 1, column 3: “;” is not a hex digit" },
    { "\\x48", -1, 1, 1, "Line 1, column 1: “\\” is not a hex digit" },
    { "48 é 4g", -1, 1, 4, "Line 1, column 4: “é” is not a hex digit" },
    /* Columns count characters, not bytes. */
    { "\xc2\xa0\xc2\xa0\xc2\xa0" "4g", -1, 1, 5, "Line 1, column 5: “g” is not a hex digit" },
    /* What cannot be shown is escaped in the message. */
    { "48 \xe2\x80\xae" "65", -1, 1, 4, "Line 1, column 4: “\\u202e” is not a hex digit" },
    { "48 \xff", -1, 1, 4, "Line 1, column 4: “\\xff” is not a hex digit" },
    { "48\0" "65", 5, 1, 3, "Line 1, column 3: “\\0” is not a hex digit" },
    { "48 \x1b", -1, 1, 4, "Line 1, column 4: “\\x1b” is not a hex digit" },
    /* Odd groups: a lone nibble. */
    { "48 6", -1, 1, 4, "Line 1, column 4: “6” has an odd number of hex digits: every byte needs two" },
    { "486", -1, 1, 1, "Line 1, column 1: “486” has an odd number of hex digits: every byte needs two" },
    { "48\r\n0x6", -1, 2, 1, "Line 2, column 1: “0x6” has an odd number of hex digits: every byte needs two" },
    { "4 8", -1, 1, 1, "Line 1, column 1: “4” has an odd number of hex digits: every byte needs two" },
    { "00 112233445566778899aabbccddeeff0", -1, 1, 4,
      "Line 1, column 4: a group of 31 hex digits is odd: every byte needs two" },
    /* A prefix without digits. */
    { "48 0x", -1, 1, 4, "Line 1, column 4: “0x” must be followed by hex digits" },
    { "0X, 48", -1, 1, 1, "Line 1, column 1: “0X” must be followed by hex digits" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ParseErrorCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint line = 0;
      guint column = 0;

      g_test_message ("case %u", i);
      bytes = sonde_hex_parse (c->text, c->length, &line, &column, &error);
      g_assert_null (bytes);
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEX);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_cmpuint (line, ==, c->line);
      g_assert_cmpuint (column, ==, c->column);

      /* The position is optional. */
      bytes = sonde_hex_parse (c->text, c->length, NULL, NULL, &error2);
      g_assert_null (bytes);
      g_assert_error (error2, SONDE_ERROR, SONDE_ERROR_INVALID_HEX);
    }
}

/* Random bytes written in every accepted style parse back to themselves. */
static void
test_parse_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x4e58);

  for (guint round = 0; round < 500; round++)
    {
      guint length = g_rand_int_range (rand, 0, 200);
      g_autofree guint8 *data = g_malloc (length + 1);
      g_autoptr(GString) text = g_string_new (NULL);
      guint style = g_rand_int_range (rand, 0, 4);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < length; i++)
        data[i] = (guint8) g_rand_int (rand);

      for (guint i = 0; i < length; i++)
        {
          switch (style)
            {
            case 0:
              g_string_append_printf (text, "%02x ", data[i]);
              break;
            case 1:
              g_string_append_printf (text, "0x%02X,%s", data[i], i % 8 == 7 ? "\n" : " ");
              break;
            case 2:
              g_string_append_printf (text, i == 0 ? "%02X" : ":%02X", data[i]);
              break;
            default:
              g_string_append_printf (text, "%02x%s", data[i], g_rand_int_range (rand, 0, 4) == 0 ? "\t" : "");
              break;
            }
        }

      bytes = sonde_hex_parse (text->str, text->len, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, length);
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/hex/dump/table", test_dump_table);
  g_test_add_func ("/hex/dump/long", test_dump_long);
  g_test_add_func ("/hex/parse/valid", test_parse_valid);
  g_test_add_func ("/hex/parse/errors", test_parse_errors);
  g_test_add_func ("/hex/parse/round-trip", test_parse_round_trip);

  return g_test_run ();
}
