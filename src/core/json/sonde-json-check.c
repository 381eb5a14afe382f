/* sonde-json-check.c: whether text is JSON, fast, without saying why not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same strict grammar as the scanner of sonde-json-format.c (RFC 8259;
 * valid UTF-8 and no raw control characters in strings; lone surrogate
 * escapes accepted; at most 10000 levels), in one tight pass that keeps
 * nothing but a bit per open container and allocates nothing. Protocol
 * modes check every message they read: this is what they pay. Only when
 * the answer is no does sonde_json_validate() run the scanner again to
 * find where and why. fuzz-json-check holds the two to the same answer.
 */

#define G_LOG_DOMAIN "sonde-json-format"

#include "config.h"

#include <string.h>

#include "sonde-json-format.h"
#include "sonde-json-lex.h"
#include "sonde-text.h"

#define MAX_DEPTH 10000

/* Bytes a string holds as they are: printable ASCII and DEL, but not the
 * quote or the backslash. */
static const guint8 string_plain[256] = {
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1,
  [0x5d ... 0x7f] = 1,
};

static const guint8 json_space[256] = {
  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/* What sonde_json_skip_value() stops at inside a container. */
static const guint8 container_mark[256] = {
  ['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

static inline gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}

/* After the opening quote: the byte after the closing one, or NULL. */
static const guint8 *
check_string (const guint8 *p,
              const guint8 *end)
{
  for (;;)
    {
      gunichar ch;
      guint n;

      while (end - p >= 4 && string_plain[p[0]] && string_plain[p[1]] && string_plain[p[2]] && string_plain[p[3]])
        p += 4;
      while (p < end && string_plain[*p])
        p++;
      if (p == end)
        return NULL;
      if (*p == '"')
        return p + 1;
      if (*p == '\\')
        {
          if (sonde_json_lex_escape (p, end, SONDE_JSON_LEX_STRICT_TEXT, &ch, &p) != SONDE_JSON_LEX_OK)
            return NULL;
          continue;
        }
      if (*p < 0x20)
        return NULL;
      n = sonde_text_decode_utf8 (p, (gsize) (end - p), &ch);
      if (n == 0)
        return NULL;
      p += n;
    }
}

static const guint8 *
check_digits (const guint8 *p,
              const guint8 *end)
{
  if (p == end || !is_digit (*p))
    return NULL;
  while (p < end && is_digit (*p))
    p++;
  return p;
}

static const guint8 *
check_number (const guint8 *p,
              const guint8 *end)
{
  if (*p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if ((p = check_digits (p, end)) == NULL)
    return NULL;
  if (p < end && *p == '.' && (p = check_digits (p + 1, end)) == NULL)
    return NULL;
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if ((p = check_digits (p, end)) == NULL)
        return NULL;
    }
  /* "01": the scanner refuses the leading zero; here the 1 is refused as
   * what follows a value. */
  return p;
}

/* true, false or null, as a whole word (the scanner reads letters, digits
 * and '_' as one word). */
static const guint8 *
check_literal (const guint8 *p,
               const guint8 *end)
{
  const guint8 *q = p;
  gsize length;

  while (q < end && (g_ascii_isalnum (*q) || *q == '_'))
    q++;
  length = (gsize) (q - p);
  if ((length == 4 && (memcmp (p, "true", 4) == 0 || memcmp (p, "null", 4) == 0)) ||
      (length == 5 && memcmp (p, "false", 5) == 0))
    return q;
  return NULL;
}

/* A member's key and its colon, after optional space at @p: the byte
 * after the colon, or NULL. */
static const guint8 *
check_key (const guint8 *p,
           const guint8 *end)
{
  while (p < end && json_space[*p])
    p++;
  if (p == end || *p != '"' || (p = check_string (p + 1, end)) == NULL)
    return NULL;
  while (p < end && json_space[*p])
    p++;
  if (p == end || *p != ':')
    return NULL;
  return p + 1;
}

gboolean
sonde_json_is_valid (const char *text,
                     gsize       length)
{
  const guint8 *p = (const guint8 *) text;
  const guint8 *end;
  guint64 objects[(MAX_DEPTH + 63) / 64];   /* bit set: the container at that depth is an object */
  guint depth = 0;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  if (length == 0)
    return FALSE;
  end = p + length;

  for (;;)
    {
      /* A value is expected at p (after optional space). */
      while (p < end && json_space[*p])
        p++;
      if (p == end)
        return FALSE;
      switch (*p)
        {
        case '{':
        case '[':
          {
            gboolean object = *p == '{';

            if (depth == MAX_DEPTH)
              return FALSE;
            if (object)
              objects[depth / 64] |= G_GUINT64_CONSTANT (1) << (depth % 64);
            else
              objects[depth / 64] &= ~(G_GUINT64_CONSTANT (1) << (depth % 64));
            depth++;
            p++;
            while (p < end && json_space[*p])
              p++;
            if (p == end)
              return FALSE;
            if (*p == (object ? '}' : ']'))
              break;   /* empty: closed below, as after a value */
            if (object && (p = check_key (p, end)) == NULL)
              return FALSE;
            continue;
          }
        case '"':
          if ((p = check_string (p + 1, end)) == NULL)
            return FALSE;
          break;
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          if ((p = check_number (p, end)) == NULL)
            return FALSE;
          break;
        default:
          if (!g_ascii_isalpha (*p) || (p = check_literal (p, end)) == NULL)
            return FALSE;
          break;
        }

      /* After a value (or at the closer of an empty container): closers,
       * then a comma and the next member or element, or the end. */
      for (;;)
        {
          gboolean object;

          while (p < end && json_space[*p])
            p++;
          if (depth == 0)
            return p == end;
          if (p == end)
            return FALSE;
          object = (objects[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
          if (*p == (object ? '}' : ']'))
            {
              depth--;
              p++;
              continue;
            }
          if (*p != ',')
            return FALSE;
          p++;
          if (object && (p = check_key (p, end)) == NULL)
            return FALSE;
          break;
        }
    }
}

gsize
sonde_json_skip_space (const char *text,
                       gsize       length,
                       gsize       i)
{
  while (i < length && json_space[(guint8) text[i]])
    i++;
  return i;
}

gsize
sonde_json_skip_value (const char *text,
                       gsize       length,
                       gsize       i)
{
  guint depth = 0;

  while (i < length)
    {
      char c = text[i];

      if (c == '"')
        {
          const guint8 *after = sonde_json_lex_string_end ((const guint8 *) text + i + 1, (const guint8 *) text + length);

          i = after != NULL ? (gsize) ((const char *) after - text) : length;
          if (depth == 0)
            return i;
          continue;
        }
      if (depth > 0 && !container_mark[(guint8) c])
        {
          /* Inside a container only quotes and brackets matter. */
          i++;
          while (i < length && !container_mark[(guint8) text[i]])
            i++;
          continue;
        }
      if (c == '[' || c == '{')
        depth++;
      else if (c == ']' || c == '}')
        {
          if (depth == 0)
            return i;
          if (--depth == 0)
            return i + 1;
        }
      else if (depth == 0 && (c == ',' || json_space[(guint8) c]))
        return i;
      i++;
    }
  return length;
}

guint
sonde_json_find_members (const char         *text,
                         gsize               length,
                         const char * const *keys,
                         guint               n_keys,
                         gsize              *value_starts,
                         gsize              *value_ends)
{
  gsize i = sonde_json_skip_space (text, length, 0);
  guint found = 0;

  g_return_val_if_fail (n_keys <= 32, 0);

  if (i >= length || text[i] != '{')
    return 0;
  i++;
  for (;;)
    {
      gsize key_start, key_end, start;

      i = sonde_json_skip_space (text, length, i);
      if (i >= length || text[i] != '"')
        return found;
      key_start = i;
      key_end = sonde_json_skip_value (text, length, i);
      i = sonde_json_skip_space (text, length, key_end);
      if (i >= length || text[i] != ':')
        return found;
      start = sonde_json_skip_space (text, length, i + 1);
      i = sonde_json_skip_value (text, length, start);
      for (guint k = 0; k < n_keys; k++)
        if (key_end - key_start == strlen (keys[k]) + 2 && memcmp (text + key_start + 1, keys[k], key_end - key_start - 2) == 0)
          {
            /* The last of duplicate keys counts, as for a path. */
            value_starts[k] = start;
            value_ends[k] = i;
            found |= 1u << k;
          }
      i = sonde_json_skip_space (text, length, i);
      if (i >= length || text[i] != ',')
        return found;
      i++;
    }
}
