/* sonde-json-lex.c: JSON strings and their escapes, lexed in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is not inline in the header: the byte-by-byte reading of a string
 * that checks its raw bytes or decodes it as it goes, and the decoding of a
 * string body that has been checked.
 */

#define G_LOG_DOMAIN "sonde-json-lex"

#include "config.h"

#include "sonde-json-lex.h"
#include "sonde-text.h"

/* Bytes a string holds as they are: printable ASCII but '"' and '\\'. */
static const guint8 string_plain[256] = {
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1,
  [0x5d ... 0x7e] = 1,
};

/* After the opening quote at @p: reads the string to its closing quote
 * before @end, as sonde_json_lex_string() does, and appends what it decodes
 * to @out (nullable). On error @out holds what came before the problem.
 * @result's printable is set with or without SONDE_JSON_LEX_STRICT_TEXT. */
SondeJsonLexStatus
sonde_json_lex_decode (const guint8       *p,
                       const guint8       *end,
                       SondeJsonLexFlags   flags,
                       GString            *out,
                       SondeJsonLexResult *result)
{
  gboolean strict = (flags & SONDE_JSON_LEX_STRICT_TEXT) != 0;
  const guint8 *run = p;

  g_return_val_if_fail (p != NULL && end != NULL && p <= end, SONDE_JSON_LEX_UNTERMINATED);
  g_return_val_if_fail (result != NULL, SONDE_JSON_LEX_UNTERMINATED);

  result->end = NULL;
  result->error_at = NULL;
  result->has_escapes = FALSE;
  result->printable = TRUE;

  for (;;)
    {
      SondeJsonLexStatus status;
      const guint8 *escape;
      gunichar ch = 0;
      guint n;

      while (p < end && string_plain[*p])
        p++;

      if (p == end)
        {
          if (out != NULL)
            g_string_append_len (out, (const char *) run, p - run);
          result->error_at = end;
          return SONDE_JSON_LEX_UNTERMINATED;
        }

      if (*p == '"')
        {
          if (out != NULL)
            g_string_append_len (out, (const char *) run, p - run);
          result->end = p + 1;
          return SONDE_JSON_LEX_OK;
        }

      if (*p == '\\')
        {
          if (out != NULL)
            g_string_append_len (out, (const char *) run, p - run);

          escape = p;
          result->has_escapes = TRUE;
          status = sonde_json_lex_escape (escape, end, flags, &ch, &p);
          if (status != SONDE_JSON_LEX_OK)
            {
              result->error_at = status == SONDE_JSON_LEX_UNTERMINATED ? end : escape;
              return status;
            }

          if (out != NULL)
            g_string_append_unichar (out, ch);
          run = p;
          continue;
        }

      result->printable = FALSE;

      if (!strict || *p == 0x7f)
        {
          p++;
          continue;
        }

      if (*p < 0x20)
        {
          if (out != NULL)
            g_string_append_len (out, (const char *) run, p - run);
          result->error_at = p;
          return SONDE_JSON_LEX_CONTROL;
        }

      n = sonde_text_decode_utf8 (p, end - p, &ch);
      if (n == 0)
        {
          if (out != NULL)
            g_string_append_len (out, (const char *) run, p - run);
          result->error_at = p;
          return SONDE_JSON_LEX_BAD_UTF8;
        }
      p += n;
    }
}

/* Appends the string body @raw (@length bytes between the quotes, checked
 * by sonde_json_lex_string() with the default flags) to @out, decoded. */
void
sonde_json_lex_append (GString      *out,
                       const guint8 *raw,
                       gsize         length)
{
  const guint8 *p = raw;
  const guint8 *end = raw + length;

  g_return_if_fail (out != NULL);
  g_return_if_fail (raw != NULL || length == 0);

  while (p < end)
    {
      const guint8 *backslash = memchr (p, '\\', end - p);
      gunichar ch = 0;

      if (backslash == NULL)
        break;

      g_string_append_len (out, (const char *) p, backslash - p);
      if (sonde_json_lex_escape (backslash, end, SONDE_JSON_LEX_DEFAULT, &ch, &p) != SONDE_JSON_LEX_OK)
        {
          /* Not checked after all: the rest as it is. */
          p = backslash;
          break;
        }
      g_string_append_unichar (out, ch);
    }

  g_string_append_len (out, (const char *) p, end - p);
}
