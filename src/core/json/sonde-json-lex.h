/* sonde-json-lex.h: JSON strings and their escapes, lexed in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The path scanner, the predicates and the formatter all read JSON strings:
 * they find where a string ends, check and decode its escapes (\n, \uXXXX,
 * surrogate pairs), and some check its raw bytes too. They differ only in
 * policy, which the flags below choose. A problem comes back as a status
 * and the position of the byte it is about; each caller turns that into
 * its own message.
 *
 * What the path scanner calls once per key and per value is inline here, so
 * that it compiles into the scanner's loops as if it were written there.
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* Bytes a string is scanned one by one before memchr() takes over. */
#define SONDE_JSON_LEX_SHORT 24


typedef enum {
  SONDE_JSON_LEX_OK,
  /* The input ends before the closing quote, or inside an escape other
   * than \u. Position: the end of the input. */
  SONDE_JSON_LEX_UNTERMINATED,
  /* A backslash followed by a byte that starts no escape. Position: the
   * backslash; the byte after it is the offending one. */
  SONDE_JSON_LEX_BAD_ESCAPE,
  /* \u not followed by four hex digits (the input may end first).
   * Position: the backslash. */
  SONDE_JSON_LEX_BAD_HEX,
  /* \u0000 with SONDE_JSON_LEX_NO_NUL. Position: the backslash. */
  SONDE_JSON_LEX_NUL,
  /* With SONDE_JSON_LEX_STRICT_SURROGATES: \uDC00–\uDFFF that does not
   * follow a high surrogate. Position: the backslash. */
  SONDE_JSON_LEX_LOW_SURROGATE,
  /* With SONDE_JSON_LEX_STRICT_SURROGATES: \uD800–\uDBFF that no \u escape
   * of a low surrogate follows. Position: the backslash. */
  SONDE_JSON_LEX_HIGH_SURROGATE,
  /* With SONDE_JSON_LEX_STRICT_TEXT: a raw byte below 0x20. Position: it. */
  SONDE_JSON_LEX_CONTROL,
  /* With SONDE_JSON_LEX_STRICT_TEXT: bytes that are not UTF-8. Position:
   * the first of them. */
  SONDE_JSON_LEX_BAD_UTF8,
} SondeJsonLexStatus;

/* The default reads strings as the path scanner reads documents: escapes
 * must be valid, a lone surrogate decodes to U+FFFD, \u0000 to a NUL byte,
 * and the raw bytes are not looked at. */
typedef enum {
  SONDE_JSON_LEX_DEFAULT           = 0,
  /* \u0000 is refused (for strings that end up NUL-terminated). */
  SONDE_JSON_LEX_NO_NUL            = 1 << 0,
  /* A \u escape of half a surrogate pair without the other half is an
   * error instead of U+FFFD. */
  SONDE_JSON_LEX_STRICT_SURROGATES = 1 << 1,
  /* Raw bytes are checked too, as RFC 8259 wants: no control characters,
   * valid UTF-8. */
  SONDE_JSON_LEX_STRICT_TEXT       = 1 << 2,
} SondeJsonLexFlags;

typedef struct {
  /* On success: after the closing quote. */
  const guint8 *end;
  /* On error: where the problem is (see SondeJsonLexStatus). */
  const guint8 *error_at;
  /* Whether the string holds a backslash escape. */
  gboolean      has_escapes;
  /* With SONDE_JSON_LEX_STRICT_TEXT: whether every raw byte is printable
   * ASCII (0x20–0x7e). */
  gboolean      printable;
} SondeJsonLexResult;

SondeJsonLexStatus sonde_json_lex_decode (const guint8       *p,
                                          const guint8       *end,
                                          SondeJsonLexFlags   flags,
                                          GString            *out,
                                          SondeJsonLexResult *result);
void               sonde_json_lex_append (GString            *out,
                                          const guint8       *raw,
                                          gsize               length);

/* The four hex digits at @p, before @end; -1 when they are not there. */
static inline int
sonde_json_lex_hex4 (const guint8 *p,
                     const guint8 *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = (value << 4) | digit;
    }

  return value;
}

/* Reads the escape at @p (a backslash, before @end): sets *@ch to the
 * character it stands for and *@next after it. A surrogate pair is one
 * escape of two \u; a lone half is U+FFFD unless the flags refuse it. */
static inline SondeJsonLexStatus
sonde_json_lex_escape (const guint8       *p,
                       const guint8       *end,
                       SondeJsonLexFlags   flags,
                       gunichar           *ch,
                       const guint8      **next)
{
  int high;
  int low = -1;

  if (end - p < 2)
    return SONDE_JSON_LEX_UNTERMINATED;

  switch (p[1])
    {
    case '"': case '\\': case '/': *ch = p[1]; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 'b': *ch = '\b'; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 'f': *ch = '\f'; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 'n': *ch = '\n'; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 'r': *ch = '\r'; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 't': *ch = '\t'; *next = p + 2; return SONDE_JSON_LEX_OK;
    case 'u': break;
    default: return SONDE_JSON_LEX_BAD_ESCAPE;
    }

  high = sonde_json_lex_hex4 (p + 2, end);
  if (high < 0)
    return SONDE_JSON_LEX_BAD_HEX;
  *next = p + 6;

  if (high == 0 && (flags & SONDE_JSON_LEX_NO_NUL) != 0)
    return SONDE_JSON_LEX_NUL;

  if (high >= 0xdc00 && high <= 0xdfff)
    {
      if ((flags & SONDE_JSON_LEX_STRICT_SURROGATES) != 0)
        return SONDE_JSON_LEX_LOW_SURROGATE;
      *ch = 0xfffd;
      return SONDE_JSON_LEX_OK;
    }

  if (high >= 0xd800 && high <= 0xdbff)
    {
      if (end - p >= 12 && p[6] == '\\' && p[7] == 'u')
        low = sonde_json_lex_hex4 (p + 8, end);

      if (low >= 0xdc00 && low <= 0xdfff)
        {
          *ch = 0x10000 + (((gunichar) high - 0xd800) << 10) + ((gunichar) low - 0xdc00);
          *next = p + 12;
          return SONDE_JSON_LEX_OK;
        }
      if ((flags & SONDE_JSON_LEX_STRICT_SURROGATES) != 0)
        return SONDE_JSON_LEX_HIGH_SURROGATE;
      *ch = 0xfffd;
      return SONDE_JSON_LEX_OK;
    }

  *ch = (gunichar) high;
  return SONDE_JSON_LEX_OK;
}

/* After the opening quote at @p: returns the byte after the closing quote,
 * or NULL when there is none before @end. Escapes are only looked at to find
 * the end; nothing is checked. */
static inline const guint8 *
sonde_json_lex_string_end (const guint8 *p,
                           const guint8 *end)
{
  const guint8 *start = p;

  /* Short strings (keys, symbols) end before a library call pays off. */
  {
    const guint8 *stop = end - p > SONDE_JSON_LEX_SHORT ? p + SONDE_JSON_LEX_SHORT : end;
    const guint8 *q = p;

    while (q < stop && *q != '"' && *q != '\\')
      q++;
    if (q < stop && *q == '"')
      return q + 1;
  }

  for (;;)
    {
      const guint8 *quote = memchr (p, '"', end - p);
      const guint8 *q;

      if (quote == NULL)
        return NULL;

      /* A quote after an odd number of backslashes is escaped. */
      q = quote;
      while (q > start && q[-1] == '\\')
        q--;
      if (((quote - q) & 1) == 0)
        return quote + 1;

      p = quote + 1;
    }
}

/* After the opening quote at @p: finds the closing quote before @end and
 * checks every escape (and with SONDE_JSON_LEX_STRICT_TEXT every byte) on
 * the way, under @flags. */
static inline SondeJsonLexStatus
sonde_json_lex_string (const guint8       *p,
                       const guint8       *end,
                       SondeJsonLexFlags   flags,
                       SondeJsonLexResult *result)
{
  const guint8 *quote;

  if ((flags & SONDE_JSON_LEX_STRICT_TEXT) != 0)
    return sonde_json_lex_decode (p, end, flags, NULL, result);

  result->has_escapes = FALSE;
  result->printable = FALSE;

  /* Short strings (keys, symbols) end before a library call pays off: a
   * quote with no backslash before it is the end, as below. */
  {
    const guint8 *stop = end - p > SONDE_JSON_LEX_SHORT ? p + SONDE_JSON_LEX_SHORT : end;
    const guint8 *q = p;

    while (q < stop && *q != '"' && *q != '\\')
      q++;
    if (q < stop && *q == '"')
      {
        result->end = q + 1;
        return SONDE_JSON_LEX_OK;
      }
  }

  /* The next quote at or after @p, or @end when there is none: escapes
   * before the end are still checked, so that the first problem is the one
   * reported, as when reading byte by byte. */
  quote = memchr (p, '"', end - p);
  if (quote == NULL)
    quote = end;

  for (;;)
    {
      const guint8 *backslash = memchr (p, '\\', quote - p);
      const guint8 *escape_end;
      SondeJsonLexStatus status;
      gunichar ch;

      if (backslash == NULL)
        {
          if (quote == end)
            {
              result->error_at = end;
              return SONDE_JSON_LEX_UNTERMINATED;
            }
          result->end = quote + 1;
          return SONDE_JSON_LEX_OK;
        }

      result->has_escapes = TRUE;
      status = sonde_json_lex_escape (backslash, end, flags, &ch, &escape_end);
      if (status != SONDE_JSON_LEX_OK)
        {
          result->error_at = status == SONDE_JSON_LEX_UNTERMINATED ? end : backslash;
          return status;
        }
      p = escape_end;

      /* \" held the quote (a \u escape cannot): find the next one. */
      if (p > quote)
        {
          quote = memchr (p, '"', end - p);
          if (quote == NULL)
            quote = end;
        }
    }
}

/* Whether the string body @raw (@raw_length bytes, checked by
 * sonde_json_lex_string() with the default flags) decodes to @want. */
static inline gboolean
sonde_json_lex_equal (const guint8 *raw,
                      gsize         raw_length,
                      gboolean      has_escapes,
                      const char   *want,
                      gsize         want_length)
{
  const guint8 *p = raw;
  const guint8 *end = raw + raw_length;
  const guint8 *w = (const guint8 *) want;
  const guint8 *w_end = w + want_length;

  if (!has_escapes)
    return raw_length == want_length && memcmp (raw, want, raw_length) == 0;

  /* Escapes only make it shorter. */
  if (want_length > raw_length)
    return FALSE;

  while (p < end)
    {
      if (*p != '\\')
        {
          if (w == w_end || *w != *p)
            return FALSE;
          p++;
          w++;
        }
      else
        {
          char decoded[6];
          gunichar ch = 0;
          gsize n;

          if (sonde_json_lex_escape (p, end, SONDE_JSON_LEX_DEFAULT, &ch, &p) != SONDE_JSON_LEX_OK)
            return FALSE;
          n = (gsize) g_unichar_to_utf8 (ch, decoded);
          if ((gsize) (w_end - w) < n || memcmp (w, decoded, n) != 0)
            return FALSE;
          w += n;
        }
    }

  return w == w_end;
}

G_END_DECLS
