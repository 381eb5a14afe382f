/* sonde-hex.c: binary payloads as hex, and hex typed by a user as bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-hex"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-hex.h"
#include "sonde-text.h"

#define BYTES_PER_LINE 16

/* Groups longer than this are not quoted whole in an error message. */
#define MAX_QUOTED_GROUP 16

static const char hex_digits[] = "0123456789abcdef";


/* The length of the character at @p: a valid UTF-8 sequence, or one byte
 * when it is not one. Sets @out_char to the character, or -1. */
static guint
char_length (const guint8 *p,
             const guint8 *end,
             gunichar     *out_char)
{
  gunichar ch = g_utf8_get_char_validated ((const char *) p, end - p);

  *out_char = ch;
  if (ch == (gunichar) -1 || ch == (gunichar) -2)
    return 1;
  return g_utf8_skip[*p];
}

/* Whether a separator between groups of digits starts at @p; sets
 * @out_length to its length in bytes. */
static gboolean
is_separator (const guint8 *p,
              const guint8 *end,
              guint        *out_length)
{
  gunichar ch;

  *out_length = 1;
  switch (*p)
    {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
    case ',': case ':':
      return TRUE;
    default:
      break;
    }

  if (*p < 0x80)
    return FALSE;

  /* Unicode spaces, such as a no-break space pasted from a web page. */
  *out_length = char_length (p, end, &ch);
  return ch != (gunichar) -1 && ch != (gunichar) -2 && g_unichar_isspace (ch);
}

/* The 1-based column of @pos in the line starting at @line_start, counted
 * in characters (an invalid byte counts as one). */
static guint
column_of (const guint8 *line_start,
           const guint8 *pos,
           const guint8 *end)
{
  guint column = 1;
  gunichar ch;

  for (const guint8 *p = line_start; p < pos; p += char_length (p, end, &ch))
    column++;

  return column;
}

G_GNUC_PRINTF (6, 7)
static void
set_parse_error (GError       **error,
                 guint         *error_line,
                 guint         *error_column,
                 guint          line,
                 guint          column,
                 const char    *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (error_line != NULL)
    *error_line = line;
  if (error_column != NULL)
    *error_column = column;

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEX,
               _("Line %u, column %u: %s"), line, column, message);
}

/* A classic hex dump of at most @max_bytes of @data (0: all of it), 16 bytes
 * to a line:
 *
 *   00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|
 *
 * The offset has 8 hex digits, more if needed; bytes outside printable ASCII
 * are '.' in the right column; a short last line is padded so that its right
 * column lines up. Every line ends with a newline. When @max_bytes cuts the
 * data, a last line says “… N more bytes”. Empty data gives an empty
 * string. */
char *
sonde_hex_dump (const guint8 *data,
                gsize         length,
                gsize         max_bytes)
{
  gsize n = (max_bytes == 0 || max_bytes > length) ? length : max_bytes;
  guint width = 8;
  gsize line_size;
  gsize n_lines;
  GString *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  while (n > 0 && width < 16 && ((n - 1) >> (4 * width)) != 0)
    width++;

  /* offset, 2 spaces, 16 × "xx ", 1 space, 1 space, '|', 16, '|', '\n' */
  line_size = width + 2 + BYTES_PER_LINE * 3 + 2 + 1 + BYTES_PER_LINE + 2;
  n_lines = (n + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
  out = g_string_sized_new (n_lines * line_size + 64);

  for (gsize offset = 0; offset < n; offset += BYTES_PER_LINE)
    {
      guint count = (guint) MIN (BYTES_PER_LINE, n - offset);
      gsize start = out->len;
      char *line;
      char *ascii;

      g_string_set_size (out, start + line_size);
      line = out->str + start;
      memset (line, ' ', line_size);

      for (guint i = 0; i < width; i++)
        line[i] = hex_digits[(offset >> (4 * (width - 1 - i))) & 0xf];

      ascii = line + width + 2 + BYTES_PER_LINE * 3 + 2;
      *ascii++ = '|';
      for (guint i = 0; i < count; i++)
        {
          guint8 byte = data[offset + i];
          char *hex = line + width + 2 + i * 3 + (i >= 8 ? 1 : 0);

          hex[0] = hex_digits[byte >> 4];
          hex[1] = hex_digits[byte & 0xf];
          *ascii++ = (byte >= 0x20 && byte < 0x7f) ? (char) byte : '.';
        }
      *ascii++ = '|';
      *ascii++ = '\n';

      /* A short last line ends after its right column. */
      g_string_truncate (out, ascii - out->str);
    }

  if (n < length)
    {
      gsize more = length - n;

      g_string_append_printf (out, ngettext ("… %zu more byte\n", "… %zu more bytes\n", more), more);
    }

  return g_string_free (out, FALSE);
}

/* Parses what a user types as binary data: pairs of hex digits in upper or
 * lower case, in groups of any even length, with or without a 0x prefix,
 * separated by whitespace (Unicode spaces too), commas or colons:
 * "48 65 6c", "48656C", "0x48, 0x65", "48:65". Text with no digits gives an
 * empty GBytes.
 *
 * On error (SONDE_ERROR_INVALID_HEX: a character that is not a hex digit or a
 * separator, a group with an odd number of digits, or a 0x with no digits),
 * @error_line and @error_column (both nullable) are set to where the problem
 * is, 1-based, the column counted in characters; they are set to 0 on
 * success. */
GBytes *
sonde_hex_parse (const char  *text,
                 gssize       length,
                 guint       *error_line,
                 guint       *error_column,
                 GError     **error)
{
  const guint8 *p;
  const guint8 *end;
  const guint8 *line_start;
  g_autofree guint8 *bytes = NULL;
  gsize n_bytes = 0;
  guint line = 1;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (error_line != NULL)
    *error_line = 0;
  if (error_column != NULL)
    *error_column = 0;

  if (length < 0)
    length = strlen (text);

  p = line_start = (const guint8 *) text;
  end = p + length;
  bytes = g_malloc (length / 2 + 1);

  while (p < end)
    {
      const guint8 *group;
      const guint8 *digits;
      guint separator_length;
      gsize n_digits;

      if (*p == '\n')
        {
          line++;
          line_start = ++p;
          continue;
        }

      if (is_separator (p, end, &separator_length))
        {
          p += separator_length;
          continue;
        }

      group = p;
      if (p[0] == '0' && end - p >= 2 && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
      digits = p;
      while (p < end && g_ascii_xdigit_value (*p) >= 0)
        p++;
      n_digits = p - digits;

      if (p < end && !is_separator (p, end, &separator_length))
        {
          gunichar ch;
          g_autofree char *quoted = sonde_text_escape (p, char_length (p, end, &ch),
                                                       SONDE_ESCAPE_NONE, 0, NULL);

          set_parse_error (error, error_line, error_column,
                           line, column_of (line_start, p, end),
                           _("“%s” is not a hex digit"), quoted);
          return NULL;
        }

      if (n_digits == 0)
        {
          set_parse_error (error, error_line, error_column,
                           line, column_of (line_start, group, end),
                           _("“%.2s” must be followed by hex digits"), (const char *) group);
          return NULL;
        }

      if (n_digits % 2 != 0)
        {
          if (p - group <= MAX_QUOTED_GROUP)
            set_parse_error (error, error_line, error_column,
                             line, column_of (line_start, group, end),
                             _("“%.*s” has an odd number of hex digits: every byte needs two"),
                             (int) (p - group), (const char *) group);
          else
            set_parse_error (error, error_line, error_column,
                             line, column_of (line_start, group, end),
                             _("a group of %zu hex digits is odd: every byte needs two"), n_digits);
          return NULL;
        }

      for (const guint8 *d = digits; d < p; d += 2)
        bytes[n_bytes++] = (guint8) (g_ascii_xdigit_value (d[0]) << 4 | g_ascii_xdigit_value (d[1]));
    }

  if (n_bytes == 0)
    return g_bytes_new (NULL, 0);

  return g_bytes_new_take (g_realloc (g_steal_pointer (&bytes), n_bytes), n_bytes);
}
