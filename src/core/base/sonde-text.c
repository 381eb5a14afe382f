/* sonde-text.c: message bytes turned into text that is safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-text"

#include "config.h"

#include <string.h>

#include "sonde-text.h"

/* Bytes copied as they are: printable ASCII. */
static const guint8 plain_ascii[256] = {
  [0x20 ... 0x7e] = 1,
};

static const char hex_digits[] = "0123456789abcdef";

/* Whether any of the 8 bytes in @word is outside 0x20..0x7e: a byte below
 * 0x20 (the classic "has less than" test, exact for any byte) or a byte of
 * 0x7f and above (adding 1 sets its high bit; a carry can only come from a
 * byte that already has it). */
static inline gboolean
word_is_plain (guint64 word)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 below = (word - 0x20 * ones) & ~word & highs;
  guint64 above = ((word + ones) | word) & highs;

  return (below | above) == 0;
}

/* Decodes one UTF-8 sequence at @p with @avail bytes available; returns its
 * length, or 0 when the byte at @p does not start a valid, complete sequence
 * (a continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or
 * cut short). */
static inline guint
decode_utf8 (const guint8 *p,
             gsize         avail,
             gunichar     *out_char)
{
  guint8 b0 = p[0];
  guint8 lo = 0x80;
  guint8 hi = 0xbf;

  if (b0 < 0xc2)
    return 0;

  if (b0 < 0xe0)
    {
      if (avail < 2 || p[1] < lo || p[1] > hi)
        return 0;
      *out_char = ((gunichar) (b0 & 0x1f) << 6) | (p[1] & 0x3f);
      return 2;
    }

  if (b0 < 0xf0)
    {
      if (b0 == 0xe0)
        lo = 0xa0;
      else if (b0 == 0xed)
        hi = 0x9f;
      if (avail < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
        return 0;
      *out_char = ((gunichar) (b0 & 0x0f) << 12) | ((gunichar) (p[1] & 0x3f) << 6) | (p[2] & 0x3f);
      return 3;
    }

  if (b0 < 0xf5)
    {
      if (b0 == 0xf0)
        lo = 0x90;
      else if (b0 == 0xf4)
        hi = 0x8f;
      if (avail < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
        return 0;
      *out_char = ((gunichar) (b0 & 0x07) << 18) | ((gunichar) (p[1] & 0x3f) << 12)
                  | ((gunichar) (p[2] & 0x3f) << 6) | (p[3] & 0x3f);
      return 4;
    }

  return 0;
}

/* Characters that are valid but could hide or reorder what is shown: C1
 * controls, bidirectional controls, line and paragraph separators,
 * zero-width characters and the byte order mark. The JSON formatter escapes
 * the same list through sonde_text_is_hidden_char(). */
static inline gboolean
is_hidden_char (gunichar ch)
{
  return (ch >= 0x80 && ch <= 0x9f)
         || ch == 0x061c
         || (ch >= 0x200b && ch <= 0x200f)
         || (ch >= 0x2028 && ch <= 0x202e)
         || (ch >= 0x2066 && ch <= 0x2069)
         || ch == 0xfeff;
}

/* The output of sonde_text_escape(): a growing string like GString, but
 * without a function call for every escape. */
typedef struct {
  char *str;
  gsize len;
  gsize capacity;
} Buffer;

/* Makes room for @n more bytes and returns where they go. */
static inline char *
buffer_reserve (Buffer *buffer,
                gsize   n)
{
  if (G_UNLIKELY (buffer->len + n > buffer->capacity))
    {
      buffer->capacity = MAX (buffer->capacity * 2, buffer->len + n);
      buffer->str = g_realloc (buffer->str, buffer->capacity);
    }

  return buffer->str + buffer->len;
}

static inline void
buffer_append (Buffer       *buffer,
               const guint8 *data,
               gsize         n)
{
  memcpy (buffer_reserve (buffer, n), data, n);
  buffer->len += n;
}

static inline void
append_byte_escape (Buffer *buffer,
                    guint8  byte)
{
  char *o = buffer_reserve (buffer, 4);

  o[0] = '\\';
  o[1] = 'x';
  o[2] = hex_digits[byte >> 4];
  o[3] = hex_digits[byte & 0xf];
  buffer->len += 4;
}

static inline void
append_char_escape (Buffer   *buffer,
                    gunichar  ch)
{
  char *o = buffer_reserve (buffer, 6);

  o[0] = '\\';
  o[1] = 'u';
  o[2] = hex_digits[(ch >> 12) & 0xf];
  o[3] = hex_digits[(ch >> 8) & 0xf];
  o[4] = hex_digits[(ch >> 4) & 0xf];
  o[5] = hex_digits[ch & 0xf];
  buffer->len += 6;
}

static inline void
append_control_escape (Buffer *buffer,
                       guint8  byte)
{
  char *o;

  switch (byte)
    {
    case '\0':
    case '\n':
    case '\r':
    case '\t':
      o = buffer_reserve (buffer, 2);
      o[0] = '\\';
      o[1] = byte == '\0' ? '0' : byte == '\n' ? 'n' : byte == '\r' ? 'r' : 't';
      buffer->len += 2;
      break;

    default:
      append_byte_escape (buffer, byte);
      break;
    }
}

/* Turns @length bytes of @data into valid UTF-8 that shows every byte and
 * hides nothing, reading at most @max_bytes of them (0: all); @truncated
 * (nullable) says whether some were left unread. Valid UTF-8 is copied
 * except:
 * - C0 controls and DEL: `\0`, `\n`, `\r`, `\t`, or `\xNN` for the others
 *   (with %SONDE_ESCAPE_KEEP_NEWLINES, line feeds and tabs stay as they are);
 * - C1 controls, bidirectional controls (U+061C, U+200E, U+200F,
 *   U+202A–U+202E, U+2066–U+2069), U+2028, U+2029, zero-width characters
 *   (U+200B–U+200D) and U+FEFF: `\uNNNN`;
 * - each byte that is not part of a valid UTF-8 sequence: `\xNN`, and the
 *   next byte is looked at afresh.
 *
 * Hex digits are lowercase. A backslash in the input stays a single
 * backslash: this is for display, not an encoding that can be reversed.
 * When @max_bytes cuts a valid multi-byte sequence, the output stops before
 * it, so the result for a limit is always a prefix of the result without
 * one. */
char *
sonde_text_escape (const guint8     *data,
                   gsize             length,
                   SondeEscapeFlags  flags,
                   gsize             max_bytes,
                   gboolean         *truncated)
{
  gsize limit = (max_bytes == 0 || max_bytes > length) ? length : max_bytes;
  gboolean keep_newlines = (flags & SONDE_ESCAPE_KEEP_NEWLINES) != 0;
  gboolean cut = FALSE;
  const guint8 *data_end;
  const guint8 *end;
  const guint8 *p;
  const guint8 *run;
  Buffer out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      if (truncated != NULL)
        *truncated = FALSE;
      return g_strdup ("");
    }

  data_end = data + length;
  end = data + limit;
  p = run = data;
  out.len = 0;
  out.capacity = limit + limit / 8 + 16;
  out.str = g_malloc (out.capacity);

  while (p < end)
    {
      gunichar ch = 0;
      guint seq_length;

      /* Runs of printable ASCII, 8 bytes at a time, then byte by byte. */
      while (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, sizeof word);
          if (!word_is_plain (word))
            break;
          p += 8;
        }
      while (p < end && plain_ascii[*p])
        p++;
      if (p == end)
        break;

      if (*p < 0x80)
        {
          if (keep_newlines && (*p == '\n' || *p == '\t'))
            {
              p++;
              continue;
            }
          buffer_append (&out, run, p - run);
          append_control_escape (&out, *p);
          run = ++p;
          continue;
        }

      /* A run of other characters, each decoded against all of the data,
       * so that a sequence the limit cuts is told apart from one that is
       * invalid anyway. */
      do
        {
          /* Quick paths for 2- and 3-byte sequences whose lead byte rules
           * out anything to escape (the lead bytes of Cyrillic, Greek,
           * Hebrew, CJK…). */
          if (p[0] >= 0xc3 && p[0] <= 0xdf && p[0] != 0xd8
              && end - p >= 2 && (p[1] & 0xc0) == 0x80)
            {
              p += 2;
              continue;
            }
          if (((p[0] >= 0xe3 && p[0] <= 0xec) || p[0] == 0xe1 || p[0] == 0xee)
              && end - p >= 3 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80)
            {
              p += 3;
              continue;
            }

          seq_length = decode_utf8 (p, data_end - p, &ch);
          if (seq_length == 0)
            {
              buffer_append (&out, run, p - run);
              append_byte_escape (&out, *p);
              run = ++p;
              continue;
            }

          if (seq_length > (gsize) (end - p))
            {
              cut = TRUE;
              break;
            }

          if (is_hidden_char (ch))
            {
              buffer_append (&out, run, p - run);
              append_char_escape (&out, ch);
              p += seq_length;
              run = p;
              continue;
            }

          p += seq_length;
        }
      while (p < end && *p >= 0x80);

      if (cut)
        break;
    }

  buffer_append (&out, run, p - run);
  *buffer_reserve (&out, 1) = '\0';

  if (truncated != NULL)
    *truncated = p < data_end;

  /* Escapes can make the buffer up to four times the input. */
  if (out.capacity > 2 * (out.len + 1) && out.capacity > 4096)
    out.str = g_realloc (out.str, out.len + 1);

  return out.str;
}

/* The one-line preview of a log row. Text is escaped as by
 * sonde_text_escape() without %SONDE_ESCAPE_KEEP_NEWLINES, from at most
 * %SONDE_PREVIEW_MAX_BYTES bytes, with “…” appended when cut. Binary data is
 * written as lowercase hex pairs separated by spaces (“00 ff 1a”), from at
 * most %SONDE_PREVIEW_MAX_BYTES / 3 bytes, with “ …” appended when cut.
 * Empty data gives an empty string. */
char *
sonde_text_preview (const guint8 *data,
                    gsize         length,
                    gboolean      binary)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!binary)
    {
      gboolean truncated = FALSE;
      char *text = sonde_text_escape (data, length, SONDE_ESCAPE_NONE,
                                      SONDE_PREVIEW_MAX_BYTES, &truncated);

      if (truncated)
        {
          gsize text_length = strlen (text);

          text = g_realloc (text, text_length + sizeof "…");
          memcpy (text + text_length, "…", sizeof "…");
        }

      return text;
    }
  else
    {
      gsize n = MIN (length, SONDE_PREVIEW_MAX_BYTES / 3);
      gboolean cut = n < length;
      char *text;
      char *q;

      if (n == 0)
        return g_strdup ("");

      /* "xx" and a space per byte, less the last space, then " …" and NUL. */
      text = g_malloc (n * 3 + sizeof " …");
      q = text;
      for (gsize i = 0; i < n; i++)
        {
          if (i > 0)
            *q++ = ' ';
          *q++ = hex_digits[data[i] >> 4];
          *q++ = hex_digits[data[i] & 0xf];
        }
      if (cut)
        {
          memcpy (q, " …", sizeof " …" - 1);
          q += sizeof " …" - 1;
        }
      *q = '\0';

      return text;
    }
}

/* A short size for a column or a status line, in the SI units of
 * g_format_size(): “0 B”, “999 B”, “1.0 kB”, “1.5 MB”. Below 1000 the number
 * is exact; the space is a no-break space (U+00A0), as in g_format_size().
 * Unlike g_format_size(), a value that rounds up to 1000 of a unit is shown
 * as 1.0 of the next one (999999 is “1.0 MB”, not “1000.0 kB”). */
char *
sonde_format_size (guint64 bytes)
{
  const guint64 largest = G_GUINT64_CONSTANT (1000000000000000000); /* EB */
  guint64 unit = 1000;

  if (bytes < 1000)
    return g_strdup_printf ("%u\u00a0B", (guint) bytes);

  while (unit < largest && bytes >= unit * 1000)
    unit *= 1000;

  /* At or above 999.95 units, "%.1f" would print 1000.0. */
  if (unit < largest && bytes >= unit * 1000 - unit / 20)
    bytes = unit * 1000;

  return g_format_size (bytes);
}

/* Decodes one UTF-8 sequence at @p (@avail bytes there, at least one) into
 * *@out_char; returns its length, 1 to 4, or 0 when the byte at @p does not
 * start a valid, complete sequence (a continuation byte, an overlong form, a
 * surrogate, beyond U+10FFFF, or cut short). ASCII is decoded too. The one
 * UTF-8 decoder of Sonde: sonde_text_escape() inlines it. */
guint
sonde_text_decode_utf8 (const guint8 *p,
                        gsize         avail,
                        gunichar     *out_char)
{
  g_return_val_if_fail (p != NULL && avail > 0, 0);
  g_return_val_if_fail (out_char != NULL, 0);

  if (p[0] < 0x80)
    {
      *out_char = p[0];
      return 1;
    }

  return decode_utf8 (p, avail, out_char);
}

/* Whether sonde_text_escape() writes @ch as \uXXXX although it is valid:
 * C1 controls, bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069), U+2028, U+2029, zero-width characters
 * (U+200B–U+200D) and U+FEFF. */
gboolean
sonde_text_is_hidden_char (gunichar ch)
{
  return is_hidden_char (ch);
}

/* Whether @haystack contains @needle, ignoring ASCII case; @needle must be
 * lowercase. memchr() finds candidates for its first byte in either case:
 * a search through a million log records takes a few hundred ms. */
gboolean
sonde_text_contains_ascii_ci (const guint8 *haystack,
                              gsize         length,
                              const guint8 *needle,
                              gsize         needle_len)
{
  const guint8 *p = haystack;
  const guint8 *end;
  guint8 lower, upper;

  if (needle_len == 0)
    return TRUE;
  if (length < needle_len)
    return FALSE;

  lower = needle[0];
  upper = (guint8) g_ascii_toupper (lower);
  end = haystack + length - needle_len + 1;   /* one past the last start */

  while (p < end)
    {
      const guint8 *a = memchr (p, lower, (gsize) (end - p));
      const guint8 *b = NULL;
      const guint8 *hit;
      gsize i;

      if (upper != lower)
        b = memchr (p, upper, (gsize) ((a != NULL ? a : end) - p));
      hit = b != NULL ? b : a;
      if (hit == NULL)
        return FALSE;

      for (i = 1; i < needle_len; i++)
        {
          if ((guint8) g_ascii_tolower (hit[i]) != needle[i])
            break;
        }
      if (i == needle_len)
        return TRUE;

      p = hit + 1;
    }

  return FALSE;
}


/* Whether @data is UTF-8 text as RFC 6455 means it: NUL bytes are valid
 * characters there, where g_utf8_validate_len() stops at them. On FALSE,
 * @invalid_offset (if given) is where the first invalid sequence starts. */
gboolean
sonde_text_validate_utf8 (const guint8 *data,
                          gsize         length,
                          gsize        *invalid_offset)
{
  const guint8 *p = data;
  const guint8 *end = data + length;

  while (p < end)
    {
      const guint8 *nul = memchr (p, '\0', (gsize) (end - p));
      const guint8 *run_end = nul != NULL ? nul : end;
      const char *bad = NULL;

      if (!g_utf8_validate_len ((const char *) p, (gsize) (run_end - p), &bad))
        {
          if (invalid_offset != NULL)
            *invalid_offset = (gsize) ((const guint8 *) bad - data);
          return FALSE;
        }
      p = nul != NULL ? nul + 1 : end;
    }

  return TRUE;
}
