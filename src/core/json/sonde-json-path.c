/* sonde-json-path.c: one value from raw JSON bytes, without a tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scanner walks the bytes once, with no recursion and no allocation in
 * the common case. At each step of the path it reads the container it is
 * in strictly (keys, ':' and ',', no trailing commas) and steps over the
 * members and elements that do not match with a fast, lenient skip that
 * only keeps brackets balanced (a bit stack, at most MAX_DEPTH deep) and
 * strings closed. Time is linear in the bytes read; nothing is read past
 * @length, and nothing relies on a NUL after the document.
 *
 * When the scan stops:
 * - Duplicate keys: the last member of a name wins, as in json-glib (whose
 *   trees the tests compare against), JavaScript and Python. So every
 *   object on the path is read to its closing brace; a later duplicate
 *   replaces what the earlier one held, even with nothing.
 * - Arrays are left as soon as the element has been read, except for a
 *   negative index, which needs the array's end: the starts of the last n
 *   elements are kept in a ring and the element is read from there.
 * - So the scan stops once the value is read and no object on the path is
 *   left open: the end of the document after that is not looked at, and a
 *   malformed or missing part there goes unnoticed. A document cut short
 *   before that point yields nothing.
 *
 * Values: numbers must follow the JSON grammar and end at a delimiter;
 * they are converted exactly (Clinger's fast path when the digits and the
 * exponent allow, else g_ascii_strtod() on a bounded copy). A number that
 * overflows a double has no value. A string holds a number when, escapes
 * decoded, all of it follows the JSON number grammar ("101.25", "-1e3";
 * not " 1", "1.", "0x10" or "NaN").
 */

#define G_LOG_DOMAIN "sonde-json-path"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sonde-error.h"
#include "sonde-json-lex.h"
#include "sonde-json-path.h"

/* Containers nested deeper than this inside a skipped value make the
 * document unreadable; so do paths of more steps. */
#define MAX_DEPTH 4096

/* The largest array index a path may name. */
#define MAX_INDEX G_MAXINT32

/* Negative indices up to this use a ring on the stack. */
#define SMALL_RING 32

/* Paths of up to this many steps keep their frames on the stack. */
#define SMALL_FRAMES 16

/* Array elements listed by sonde_json_path_list_numeric(): the others are
 * left out of the list. */
#define MAX_LISTED_INDEX 3

/* Numbers up to this long are copied on the stack for g_ascii_strtod(). */
#define SMALL_NUMBER 64

typedef enum {
  STEP_KEY,
  STEP_INDEX,             /* [n] */
  STEP_INDEX_FROM_END,    /* [-n]: index holds n */
} StepKind;

typedef struct {
  StepKind  kind;
  guint32   index;
  char     *key;          /* decoded, UTF-8; may hold NUL bytes */
  gsize     key_length;
} Step;

struct _SondeJsonPath {
  gatomicrefcount  ref_count;

  /* owned */
  char            *text;
  Step            *steps;
  guint            n_steps;
  int              first_key;   /* index of the first STEP_KEY, or n_steps */
};

typedef enum {
  WALK_FAIL,              /* malformed or truncated */
  WALK_DESCEND,           /* at the matching member's or element's value */
  WALK_CLOSED,            /* after the container's closing bracket */
} WalkStatus;

static const guint8 json_space[256] = {
  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/* What the lenient skip of a container stops at. */
static const guint8 container_special[256] = {
  ['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

/* What may end a number or a literal. */
static const guint8 value_delimiter[256] = {
  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, [']'] = 1, ['}'] = 1,
};

/* Bytes of a number or literal, for the lenient skip. */
static const guint8 token_byte[256] = {
  ['-'] = 1, ['+'] = 1, ['.'] = 1,
  ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

/* Bytes of a member name written after '.'. */
static const guint8 name_byte[256] = {
  ['$'] = 1, ['-'] = 1, ['_'] = 1,
  ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

/* Powers of ten that a double holds exactly. */
static const double exact_powers[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}


static inline const guint8 *
skip_space (const guint8 *p,
            const guint8 *end)
{
  while (p < end && json_space[*p])
    p++;
  return p;
}

/* ---- strings ------------------------------------------------------------ */

/* Strings are lexed by sonde-json-lex.h, whose inline functions compile
 * into the loops below. */

/* After the opening quote: returns the byte after the closing quote, or
 * NULL. Escapes are only looked at to find the end. */
static inline const guint8 *
skip_string (const guint8 *p,
             const guint8 *end)
{
  return sonde_json_lex_string_end (p, end);
}

/* After the opening quote of a string that is read (a key on the path, or
 * the value): returns the byte after the closing quote, or NULL when it is
 * not closed or has an invalid escape. */
static inline const guint8 *
scan_string (const guint8 *p,
             const guint8 *end,
             gboolean     *has_escapes)
{
  SondeJsonLexResult string;

  if (sonde_json_lex_string (p, end, SONDE_JSON_LEX_DEFAULT, &string) != SONDE_JSON_LEX_OK)
    return NULL;

  *has_escapes = string.has_escapes;
  return string.end;
}

/* Decodes the raw string @raw (escapes checked) into @out. */
static void
append_decoded (GString      *out,
                const guint8 *raw,
                gsize         raw_length)
{
  sonde_json_lex_append (out, raw, raw_length);
}

/* ---- numbers ------------------------------------------------------------ */

/* At the first byte of a number: returns the byte after it under the JSON
 * grammar, or NULL. */
static const guint8 *
scan_number (const guint8 *p,
             const guint8 *end)
{
  if (p < end && *p == '-')
    p++;

  if (p == end)
    return NULL;

  if (*p == '0')
    p++;
  else if (is_digit (*p))
    {
      while (p < end && is_digit (*p))
        p++;
    }
  else
    return NULL;

  if (p < end && *p == '.')
    {
      p++;
      if (p == end || !is_digit (*p))
        return NULL;
      while (p < end && is_digit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !is_digit (*p))
        return NULL;
      while (p < end && is_digit (*p))
        p++;
    }

  return p;
}

/* Converts the number @p of @length bytes (checked by scan_number()).
 * FALSE when it overflows a double. */
static gboolean
convert_number (const guint8 *p,
                gsize         length,
                double       *number)
{
  const guint8 *end = p + length;
  const guint8 *q = p;
  gboolean negative = FALSE;
  guint64 mantissa = 0;
  guint significant = 0;
  int exponent = 0;
  char small[SMALL_NUMBER + 1];
  g_autofree char *large = NULL;
  char *copy;
  double value;

  /* Clinger's fast path: at most 15 significant digits and a power of ten
   * that a double holds exactly make one correctly rounded operation, the
   * same result as strtod(). */
  if (*q == '-')
    {
      negative = TRUE;
      q++;
    }

  for (; q < end && is_digit (*q); q++)
    {
      if (mantissa == 0 && *q == '0')
        continue;
      mantissa = mantissa * 10 + (guint64) (*q - '0');
      significant++;
      if (significant > 15)
        goto slow;
    }

  if (q < end && *q == '.')
    {
      for (q++; q < end && is_digit (*q); q++)
        {
          exponent--;
          if (mantissa == 0 && *q == '0')
            continue;
          mantissa = mantissa * 10 + (guint64) (*q - '0');
          significant++;
          if (significant > 15)
            goto slow;
        }
    }

  if (q < end)
    {
      int written = 0;
      int sign = 1;

      /* 'e' or 'E' */
      q++;
      if (*q == '+' || *q == '-')
        {
          sign = *q == '-' ? -1 : 1;
          q++;
        }
      for (; q < end; q++)
        {
          written = written * 10 + (*q - '0');
          if (written > 1000)
            goto slow;
        }
      exponent += sign * written;
    }

  if (mantissa == 0)
    {
      *number = negative ? -0.0 : 0.0;
      return TRUE;
    }

  if (exponent >= -22 && exponent <= 22)
    {
      value = (double) mantissa;
      value = exponent >= 0 ? value * exact_powers[exponent] : value / exact_powers[-exponent];
      *number = negative ? -value : value;
      return TRUE;
    }

slow:
  if (length <= SMALL_NUMBER)
    copy = small;
  else
    copy = large = g_malloc (length + 1);
  memcpy (copy, p, length);
  copy[length] = '\0';

  value = g_ascii_strtod (copy, NULL);
  if (!isfinite (value))
    return FALSE;

  *number = value;
  return TRUE;
}

/* Whether the string @raw (escapes checked) holds a JSON number, and which. */
static gboolean
string_number (const guint8 *raw,
               gsize         raw_length,
               gboolean      has_escapes,
               double       *number)
{
  g_autoptr(GString) decoded = NULL;
  const guint8 *text = raw;
  gsize length = raw_length;

  /* Most strings are not numbers: say so at the first byte. */
  if (raw_length == 0 || !(raw[0] == '-' || is_digit (raw[0]) || raw[0] == '\\'))
    return FALSE;

  if (has_escapes)
    {
      decoded = g_string_sized_new (raw_length);
      append_decoded (decoded, raw, raw_length);
      text = (const guint8 *) decoded->str;
      length = decoded->len;
    }

  if (length == 0 || scan_number (text, text + length) != text + length)
    return FALSE;

  return convert_number (text, length, number);
}

/* ---- skipping ----------------------------------------------------------- */

/* The lenient skip of a container keeps this much state. */
typedef struct {
  guint    depth;
  gboolean in_string;
  guint64  objects[MAX_DEPTH / 64];     /* bit set: that level is an object */
} Skip;

/* Handles the bracket @c ('{', '[', '}' or ']') in a skip; returns FALSE
 * when the brackets do not match or nest too deep. */
static inline gboolean
skip_bracket (Skip   *skip,
              guint8  c)
{
  guint depth = skip->depth;
  guint64 bit = G_GUINT64_CONSTANT (1) << (depth % 64);

  if (c == '{' || c == '[')
    {
      if (depth == MAX_DEPTH)
        return FALSE;
      if (c == '{')
        skip->objects[depth / 64] |= bit;
      else
        skip->objects[depth / 64] &= ~bit;
      skip->depth = depth + 1;
      return TRUE;
    }

  if (depth == 0)
    return FALSE;
  depth--;
  skip->depth = depth;
  bit = G_GUINT64_CONSTANT (1) << (depth % 64);
  return ((skip->objects[depth / 64] & bit) != 0) == (c == '}');
}

/* At '{' or '[': returns the byte after the matching bracket, or NULL when
 * the brackets do not match, a string is not closed, the document ends
 * first or nests deeper than MAX_DEPTH. Nothing else is checked. With SSE2,
 * sixteen bytes at a time: a mask of the bytes that matter (quotes and
 * brackets outside strings, quotes and backslashes inside), bit by bit. */
static const guint8 *
skip_container (const guint8 *p,
                const guint8 *end)
{
  Skip skip;

  skip.depth = 0;
  skip.in_string = FALSE;

#ifdef __SSE2__
  {
    const __m128i quote = _mm_set1_epi8 ('"');
    const __m128i backslash = _mm_set1_epi8 ('\\');
    const __m128i fold = _mm_set1_epi8 ((char) 0xdf);     /* '{' → '[', '}' → ']' */
    const __m128i open = _mm_set1_epi8 ('[');
    const __m128i close = _mm_set1_epi8 (']');

    while (end - p >= 16)
      {
        __m128i chunk = _mm_loadu_si128 ((const __m128i *) (const void *) p);
        __m128i folded = _mm_and_si128 (chunk, fold);
        guint32 quotes = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (chunk, quote));
        guint32 backslashes = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (chunk, backslash));
        guint32 brackets = (guint32) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (folded, open),
                                                                      _mm_cmpeq_epi8 (folded, close)));
        guint32 mask = skip.in_string ? quotes | backslashes : quotes | brackets;
        guint next = 16;

        while (mask != 0)
          {
            guint i = (guint) __builtin_ctz (mask);
            guint32 above = ~((2u << i) - 1);
            guint8 c = p[i];

            if (c == '"')
              {
                skip.in_string = !skip.in_string;
                mask = (skip.in_string ? quotes | backslashes : quotes | brackets) & above;
              }
            else if (c == '\\')
              {
                /* The escaped byte does not count, whatever it is. */
                if (i == 15)
                  {
                    if (end - p == 16)
                      return NULL;
                    next = 17;
                    break;
                  }
                mask &= above & ~(2u << i);
              }
            else
              {
                if (!skip_bracket (&skip, c))
                  return NULL;
                if (skip.depth == 0)
                  return p + i + 1;
                mask &= above;
              }
          }

        p += next;
      }
  }
#endif

  /* Byte by byte: without SSE2, and for the last few bytes. */
  while (p < end)
    {
      guint8 c = *p++;

      if (skip.in_string)
        {
          if (c == '\\')
            {
              if (p == end)
                return NULL;
              p++;
            }
          else if (c == '"')
            skip.in_string = FALSE;
        }
      else if (c == '"')
        skip.in_string = TRUE;
      else if (container_special[c])
        {
          if (!skip_bracket (&skip, c))
            return NULL;
          if (skip.depth == 0)
            return p;
        }
    }

  return NULL;
}

/* At the first byte of a value: returns the byte after it, or NULL. Strings
 * and containers as above; numbers and literals are a run of their bytes. */
static const guint8 *
skip_value (const guint8 *p,
            const guint8 *end)
{
  const guint8 *start = p;

  if (p == end)
    return NULL;

  switch (*p)
    {
    case '"':
      return skip_string (p + 1, end);

    case '{':
    case '[':
      return skip_container (p, end);

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
    case 't': case 'f': case 'n':
      while (p < end && token_byte[*p])
        p++;
      return p > start ? p : NULL;

    default:
      return NULL;
    }
}

/* ---- reading the value -------------------------------------------------- */

/* Whether the scalar that ends at @p is properly ended: by a delimiter, or
 * by the end of the document when it is the whole document. */
static inline gboolean
ends_scalar (const guint8 *p,
             const guint8 *end,
             gboolean      is_root)
{
  return p < end ? value_delimiter[*p] : is_root;
}

static gboolean
match_literal (const guint8 *p,
               const guint8 *end,
               const char   *literal,
               gsize         length)
{
  return (gsize) (end - p) >= length && memcmp (p, literal, length) == 0;
}

/* Reads the value at @p into @value; returns the byte after it, or NULL
 * when it is malformed or cut short. */
static const guint8 *
read_value (const guint8   *p,
            const guint8   *end,
            gboolean        is_root,
            SondeJsonValue *value)
{
  const guint8 *q;
  gboolean has_escapes;

  memset (value, 0, sizeof *value);
  if (p == end)
    return NULL;

  switch (*p)
    {
    case '"':
      q = scan_string (p + 1, end, &has_escapes);
      if (q == NULL)
        return NULL;
      value->type = SONDE_JSON_VALUE_STRING;
      value->text = (const char *) p + 1;
      value->text_length = q - p - 2;
      value->text_has_escapes = has_escapes;
      value->has_number = string_number (p + 1, value->text_length, has_escapes, &value->number);
      return q;

    case '{':
    case '[':
      q = skip_container (p, end);
      if (q == NULL)
        return NULL;
      value->type = *p == '{' ? SONDE_JSON_VALUE_OBJECT : SONDE_JSON_VALUE_ARRAY;
      value->text = (const char *) p;
      value->text_length = q - p;
      return q;

    case 't':
    case 'f':
    case 'n':
      if (match_literal (p, end, "true", 4))
        {
          value->type = SONDE_JSON_VALUE_BOOLEAN;
          value->number = 1;
          value->has_number = TRUE;
          q = p + 4;
        }
      else if (match_literal (p, end, "false", 5))
        {
          value->type = SONDE_JSON_VALUE_BOOLEAN;
          value->has_number = TRUE;
          q = p + 5;
        }
      else if (match_literal (p, end, "null", 4))
        {
          value->type = SONDE_JSON_VALUE_NULL;
          q = p + 4;
        }
      else
        return NULL;

      if (!ends_scalar (q, end, is_root))
        return NULL;
      value->text = (const char *) p;
      value->text_length = q - p;
      return q;

    default:
      q = scan_number (p, end);
      if (q == NULL || !ends_scalar (q, end, is_root))
        return NULL;
      value->type = SONDE_JSON_VALUE_NUMBER;
      value->text = (const char *) p;
      value->text_length = q - p;
      value->has_number = convert_number (p, q - p, &value->number);
      return q;
    }
}

/* ---- walking containers ------------------------------------------------- */

/* In an object, just after '{' (@after_value FALSE) or after a member's
 * value: finds the next member named @step's key. */
static WalkStatus
object_next (const Step    *step,
             const guint8 **pos,
             const guint8  *end,
             gboolean       after_value)
{
  const guint8 *p = skip_space (*pos, end);

  if (p == end)
    return WALK_FAIL;

  if (*p == '}')
    {
      *pos = p + 1;
      return WALK_CLOSED;
    }

  if (after_value)
    {
      if (*p != ',')
        return WALK_FAIL;
      p++;
    }

  for (;;)
    {
      const guint8 *key;
      gboolean has_escapes;
      gboolean match;

      p = skip_space (p, end);
      if (p == end || *p != '"')
        return WALK_FAIL;

      key = p + 1;
      p = scan_string (key, end, &has_escapes);
      if (p == NULL)
        return WALK_FAIL;
      match = sonde_json_lex_equal (key, p - 1 - key, has_escapes, step->key, step->key_length);

      p = skip_space (p, end);
      if (p == end || *p != ':')
        return WALK_FAIL;
      p = skip_space (p + 1, end);

      if (match)
        {
          *pos = p;
          return WALK_DESCEND;
        }

      p = skip_value (p, end);
      if (p == NULL)
        return WALK_FAIL;

      p = skip_space (p, end);
      if (p == end)
        return WALK_FAIL;
      if (*p == '}')
        {
          *pos = p + 1;
          return WALK_CLOSED;
        }
      if (*p != ',')
        return WALK_FAIL;
      p++;
    }
}

/* In an array, just after '[': finds element @index. */
static WalkStatus
array_find (guint32        index,
            const guint8 **pos,
            const guint8  *end)
{
  const guint8 *p = skip_space (*pos, end);

  if (p == end)
    return WALK_FAIL;

  if (*p == ']')
    {
      *pos = p + 1;
      return WALK_CLOSED;
    }

  for (guint32 i = 0;; i++)
    {
      p = skip_space (p, end);
      if (i == index)
        {
          *pos = p;
          return WALK_DESCEND;
        }

      p = skip_value (p, end);
      if (p == NULL)
        return WALK_FAIL;

      p = skip_space (p, end);
      if (p == end)
        return WALK_FAIL;
      if (*p == ']')
        {
          *pos = p + 1;
          return WALK_CLOSED;
        }
      if (*p != ',')
        return WALK_FAIL;
      p++;
    }
}

/* In an array, after an element's value: skips the others. */
static WalkStatus
array_finish (const guint8 **pos,
              const guint8  *end)
{
  const guint8 *p = skip_space (*pos, end);

  for (;;)
    {
      if (p == end)
        return WALK_FAIL;
      if (*p == ']')
        {
          *pos = p + 1;
          return WALK_CLOSED;
        }
      if (*p != ',')
        return WALK_FAIL;

      p = skip_value (skip_space (p + 1, end), end);
      if (p == NULL)
        return WALK_FAIL;
      p = skip_space (p, end);
    }
}

/* In an array, just after '[': reads it to its end, then finds the element
 * @from_end places before the end. Sets @array_end after the ']'. */
static WalkStatus
array_find_from_end (guint32         from_end,
                     const guint8  **pos,
                     const guint8   *end,
                     const guint8  **array_end)
{
  const guint8 *small[SMALL_RING];
  g_autofree const guint8 **large = NULL;
  const guint8 **ring;
  const guint8 *p = skip_space (*pos, end);
  guint64 count = 0;

  /* An array of n bytes has at most n / 2 + 1 elements. */
  if (from_end > (guint64) (end - p) / 2 + 1)
    {
      p = skip_container (*pos - 1, end);
      if (p == NULL)
        return WALK_FAIL;
      *pos = *array_end = p;
      return WALK_CLOSED;
    }

  if (from_end <= SMALL_RING)
    ring = small;
  else
    ring = large = g_new (const guint8 *, from_end);

  if (p == end)
    return WALK_FAIL;

  if (*p != ']')
    {
      for (;;)
        {
          p = skip_space (p, end);
          ring[count % from_end] = p;
          count++;

          p = skip_value (p, end);
          if (p == NULL)
            return WALK_FAIL;

          p = skip_space (p, end);
          if (p == end)
            return WALK_FAIL;
          if (*p == ']')
            break;
          if (*p != ',')
            return WALK_FAIL;
          p++;
        }
    }

  *array_end = p + 1;
  if (count < from_end)
    {
      *pos = p + 1;
      return WALK_CLOSED;
    }

  *pos = ring[(count - from_end) % from_end];
  return WALK_DESCEND;
}

/* The scan itself (see the top of the file). */
static gboolean
walk (SondeJsonPath  *self,
      const guint8   *start,
      const guint8   *end,
      SondeJsonValue *value)
{
  const guint8 *small_frames[SMALL_FRAMES];
  g_autofree const guint8 **large_frames = NULL;
  const guint8 **array_ends;     /* per level: after a [-n] array */
  const guint8 *p = skip_space (start, end);
  int n_steps = (int) self->n_steps;
  int level = 0;
  gboolean found = FALSE;

  memset (value, 0, sizeof *value);

  if (self->n_steps <= SMALL_FRAMES)
    array_ends = small_frames;
  else
    array_ends = large_frames = g_new (const guint8 *, self->n_steps);

  for (;;)
    {
      WalkStatus status = WALK_FAIL;
      const Step *step;

      /* At the value for step @level. */
      if (p == end)
        return FALSE;

      if (level == n_steps)
        {
          p = read_value (p, end, level == 0, value);
          if (p == NULL)
            return FALSE;
          found = TRUE;
          level--;
          /* Go on with the container this value was in. */
        }
      else
        {
          step = &self->steps[level];

          if (*p != (step->kind == STEP_KEY ? '{' : '['))
            {
              /* Not the container the step needs: the path is not in
               * this value. */
              p = skip_value (p, end);
              if (p == NULL)
                return FALSE;
            }
          else
            {
              p++;
              switch (step->kind)
                {
                case STEP_KEY:
                  status = object_next (step, &p, end, FALSE);
                  break;
                case STEP_INDEX:
                  status = array_find (step->index, &p, end);
                  break;
                case STEP_INDEX_FROM_END:
                  status = array_find_from_end (step->index, &p, end, &array_ends[level]);
                  break;
                default:
                  g_assert_not_reached ();
                }

              if (status == WALK_FAIL)
                return FALSE;

              if (status == WALK_DESCEND)
                {
                  level++;
                  continue;
                }
            }
          level--;
        }

      /* After the value of a member or element of the container at @level:
       * finish that container, unless nothing after it can change the
       * result (no object is open on the path). */
      for (;;)
        {
          if (level < self->first_key)
            return found;

          step = &self->steps[level];
          switch (step->kind)
            {
            case STEP_KEY:
              status = object_next (step, &p, end, TRUE);
              break;
            case STEP_INDEX:
              status = array_finish (&p, end);
              break;
            case STEP_INDEX_FROM_END:
              p = array_ends[level];
              status = WALK_CLOSED;
              break;
            default:
              g_assert_not_reached ();
            }

          if (status == WALK_FAIL)
            return FALSE;
          if (status == WALK_DESCEND)
            {
              /* A later duplicate: it replaces what the earlier one held,
               * even with nothing. */
              found = FALSE;
              level++;
              break;
            }
          level--;
        }
    }
}

/* ---- parsing paths ------------------------------------------------------ */

G_GNUC_PRINTF (4, 5)
static void
set_path_error (GError     **error,
                const char  *text,
                const char  *pos,
                const char  *format,
                ...)
{
  g_autofree char *message = NULL;
  g_autofree char *shown = g_utf8_make_valid (text, -1);
  glong column;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  column = g_utf8_strlen (text, pos - text) + 1;
  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH,
               _("Column %ld of “%s”: %s"), column, shown, message);
}

static void
step_clear (Step *step)
{
  g_free (step->key);
}

/* Parses a "…" key at @p (at the opening quote) with JSON string escapes;
 * returns the byte after the closing quote, or NULL with @error set. A key
 * may hold \u0000: keys are compared with their length. */
static const char *
parse_quoted (const char  *text,
              const char  *p,
              GString     *key,
              GError     **error)
{
  const guint8 *open = (const guint8 *) p;
  const guint8 *end = open + strlen (p);
  SondeJsonLexResult string;
  const char *at;

  switch (sonde_json_lex_decode (open + 1, end, SONDE_JSON_LEX_STRICT_SURROGATES, key, &string))
    {
    case SONDE_JSON_LEX_OK:
      return (const char *) string.end;

    case SONDE_JSON_LEX_BAD_HEX:
      set_path_error (error, text, (const char *) string.error_at, _("\\u needs four hex digits"));
      return NULL;

    case SONDE_JSON_LEX_LOW_SURROGATE:
      at = (const char *) string.error_at;
      set_path_error (error, text, at, _("“\\u%.4s” is the second half of a surrogate pair"), at + 2);
      return NULL;

    case SONDE_JSON_LEX_HIGH_SURROGATE:
      at = (const char *) string.error_at;
      set_path_error (error, text, at, _("“\\u%.4s” is half of a surrogate pair: "
                        "the other half must follow"), at + 2);
      return NULL;

    case SONDE_JSON_LEX_BAD_ESCAPE:
      {
        /* The text may not be UTF-8 past its valid start. */
        const guint8 *escaped = string.error_at + 1;
        gsize n = MIN ((gsize) (end - escaped), (gsize) g_utf8_skip[*escaped]);
        gunichar ch = g_utf8_get_char_validated ((const char *) escaped, (gssize) n);
        char utf8[7] = { 0 };

        if (ch == (gunichar) -1 || ch == (gunichar) -2)
          {
            set_path_error (error, text, (const char *) escaped, _("invalid UTF-8"));
            return NULL;
          }
        g_unichar_to_utf8 (ch, utf8);
        set_path_error (error, text, (const char *) string.error_at, _("“\\%s” is not a JSON escape "
                          "(use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)"), utf8);
        return NULL;
      }

    case SONDE_JSON_LEX_UNTERMINATED:
    case SONDE_JSON_LEX_NUL:
    case SONDE_JSON_LEX_CONTROL:
    case SONDE_JSON_LEX_BAD_UTF8:
    default:
      set_path_error (error, text, p, _("this key has no closing “\"”"));
      return NULL;
    }
}

/* Parses an index at @p (a digit or '-'); returns the byte after it, or
 * NULL with @error set. */
static const char *
parse_index (const char  *text,
             const char  *p,
             Step        *step,
             GError     **error)
{
  const char *start = p;
  guint64 index = 0;

  if (*p == '-')
    p++;

  if (!is_digit (*p))
    {
      set_path_error (error, text, p, _("expected a digit after “-”"));
      return NULL;
    }

  if (*p == '0' && is_digit (p[1]))
    {
      set_path_error (error, text, p, _("an index has no leading zeros"));
      return NULL;
    }

  for (; is_digit (*p); p++)
    {
      index = index * 10 + (guint64) (*p - '0');
      if (index > MAX_INDEX)
        {
          set_path_error (error, text, start, _("the index is too large (at most %d)"), MAX_INDEX);
          return NULL;
        }
    }

  if (*start == '-')
    {
      if (index == 0)
        {
          set_path_error (error, text, start, _("[-0] is not an index: [-1] is the last element"));
          return NULL;
        }
      step->kind = STEP_INDEX_FROM_END;
    }
  else
    step->kind = STEP_INDEX;

  step->index = (guint32) index;
  return p;
}

/* Parses the path at @start in @text: all of the rest of @text, or with
 * @prefix as much as makes a path. */
static SondeJsonPath *
parse_path (const char  *text,
            const char  *start,
            gboolean     prefix,
            const char **end,
            GError     **error)
{
  g_autoptr(SondeJsonPath) self = NULL;
  g_autoptr(GArray) steps = NULL;
  const char *bad_utf8 = NULL;
  const char *p = start;

  /* Columns are counted in characters up to @start. */
  if (g_utf8_validate (text, -1, &bad_utf8))
    bad_utf8 = NULL;
  else if (bad_utf8 <= start)
    {
      set_path_error (error, text, bad_utf8, _("invalid UTF-8"));
      return NULL;
    }

  if (*p != '$')
    {
      if (*p == '\0')
        set_path_error (error, text, p, _("the path is empty: it starts with “$”, e.g. $.price"));
      else if (*p != '.' && (*p == '[' || name_byte[(guint8) *p]))
        set_path_error (error, text, p, _("a path starts with “$”, e.g. $.price or $[0]"));
      else
        set_path_error (error, text, p, _("a path starts with “$”, e.g. $.price"));
      return NULL;
    }
  p++;

  steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (steps, (GDestroyNotify) step_clear);

  for (;;)
    {
      Step step = { 0 };

      if (bad_utf8 != NULL && p >= bad_utf8)
        {
          set_path_error (error, text, bad_utf8, _("invalid UTF-8"));
          return NULL;
        }

      if (*p == '.')
        {
          const char *name = ++p;

          while (name_byte[(guint8) *p])
            p++;

          if (p == name)
            {
              if (*p == '[' || *p == '.')
                set_path_error (error, text, p, _("expected a member name after “.”"));
              else
                set_path_error (error, text, p, _("expected a member name after “.” (a name with "
                                  "characters other than letters, digits, “_”, “$” and “-” is written "
                                  "[\"…\"])"));
              return NULL;
            }

          step.kind = STEP_KEY;
          step.key = g_strndup (name, p - name);
          step.key_length = p - name;
        }
      else if (*p == '[')
        {
          p++;
          if (*p == '"')
            {
              g_autoptr(GString) key = g_string_new (NULL);

              p = parse_quoted (text, p, key, error);
              if (p == NULL)
                return NULL;
              step.kind = STEP_KEY;
              step.key_length = key->len;
              step.key = g_string_free (g_steal_pointer (&key), FALSE);
            }
          else if (*p == '-' || is_digit (*p))
            {
              p = parse_index (text, p, &step, error);
              if (p == NULL)
                return NULL;
            }
          else if (*p == '\'')
            {
              set_path_error (error, text, p, _("keys inside [ ] take double quotes: [\"key\"]"));
              return NULL;
            }
          else
            {
              set_path_error (error, text, p, _("expected a number or a quoted key inside [ ]"));
              return NULL;
            }

          if (*p != ']')
            {
              step_clear (&step);
              set_path_error (error, text, p, _("expected “]”"));
              return NULL;
            }
          p++;
        }
      else if (prefix || *p == '\0')
        break;
      else
        {
          set_path_error (error, text, p, _("expected “.”, “[” or the end of the path"));
          return NULL;
        }

      if (steps->len == MAX_DEPTH)
        {
          step_clear (&step);
          set_path_error (error, text, start, _("a path has at most %d steps"), MAX_DEPTH);
          return NULL;
        }
      g_array_append_val (steps, step);
    }

  self = g_new0 (SondeJsonPath, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->text = g_strndup (start, p - start);
  self->n_steps = steps->len;
  self->first_key = (int) steps->len;
  for (guint i = 0; i < steps->len; i++)
    if (g_array_index (steps, Step, i).kind == STEP_KEY)
      {
        self->first_key = (int) i;
        break;
      }
  g_array_set_clear_func (steps, NULL);
  self->steps = (Step *) (void *) g_array_free (g_steal_pointer (&steps), FALSE);

  if (end != NULL)
    *end = p;
  return g_steal_pointer (&self);
}

/* ---- listing numeric paths ---------------------------------------------- */

typedef struct {
  gboolean  is_object;
  guint32   count;          /* elements seen, for arrays */
  gsize     path_length;    /* of the container's own path */
  gboolean  listed;         /* always TRUE: unlisted values are skipped */
} ListFrame;

typedef struct {
  GPtrArray  *leaves;       /* char *, NULL where removed */
  GHashTable *live;         /* leaf path → itself */
  GHashTable *members;      /* every member path seen: duplicates */
  guint       max_paths;
} Listing;

static gboolean
is_plain_name (const char *key,
               gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!name_byte[(guint8) key[i]])
      return FALSE;
  return TRUE;
}

/* Appends the member @key to @path as .key or ["key"]. */
static void
append_member (GString    *path,
               const char *key,
               gsize       length)
{
  static const char hex[] = "0123456789abcdef";

  if (is_plain_name (key, length))
    {
      g_string_append_c (path, '.');
      g_string_append_len (path, key, length);
      return;
    }

  g_string_append (path, "[\"");
  for (gsize i = 0; i < length; i++)
    {
      guint8 c = (guint8) key[i];

      if (c == '"' || c == '\\')
        {
          g_string_append_c (path, '\\');
          g_string_append_c (path, (char) c);
        }
      else if (c < 0x20)
        {
          g_string_append (path, "\\u00");
          g_string_append_c (path, hex[c >> 4]);
          g_string_append_c (path, hex[c & 0xf]);
        }
      else
        g_string_append_c (path, (char) c);
    }
  g_string_append (path, "\"]");
}

/* A member path seen a second time: what the first one held is gone. */
static void
forget_under (Listing    *listing,
              const char *path,
              gsize       length)
{
  for (guint i = 0; i < listing->leaves->len; i++)
    {
      char *leaf = g_ptr_array_index (listing->leaves, i);

      if (leaf != NULL && strncmp (leaf, path, length) == 0
          && (leaf[length] == '\0' || leaf[length] == '.' || leaf[length] == '['))
        {
          g_hash_table_remove (listing->live, leaf);
          g_free (leaf);
          g_ptr_array_index (listing->leaves, i) = NULL;
        }
    }
}

static void
add_leaf (Listing    *listing,
          const char *path)
{
  char *copy;

  if (g_hash_table_size (listing->live) >= listing->max_paths
      || g_hash_table_contains (listing->live, path))
    return;

  copy = g_strdup (path);
  g_ptr_array_add (listing->leaves, copy);
  g_hash_table_add (listing->live, copy);
}

typedef enum {
  LIST_VALUE,             /* at a value */
  LIST_AFTER_VALUE,       /* after one: ',', or the end of its container */
  LIST_ITEM,              /* at a member's key, or an element */
} ListState;

/* Walks the whole document; FALSE when it is malformed. */
static gboolean
list_walk (Listing      *listing,
           const guint8 *start,
           const guint8 *end)
{
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (ListFrame));
  g_autoptr(GString) path = g_string_new ("$");
  g_autoptr(GString) key = g_string_new (NULL);
  const guint8 *p = skip_space (start, end);
  ListState state = LIST_VALUE;
  gboolean listed = TRUE;

  for (;;)
    {
      ListFrame *frame = frames->len > 0 ? &g_array_index (frames, ListFrame, frames->len - 1) : NULL;

      switch (state)
        {
        case LIST_VALUE:
          if (p == end)
            return FALSE;

          if (!listed)
            {
              /* Left out of the list: only stepped over. */
              p = skip_value (p, end);
              if (p == NULL)
                return FALSE;
              state = LIST_AFTER_VALUE;
            }
          else if (*p == '{' || *p == '[')
            {
              ListFrame opened = { *p == '{', 0, path->len, listed };

              if (frames->len == MAX_DEPTH)
                return FALSE;
              g_array_append_val (frames, opened);
              p = skip_space (p + 1, end);
              if (p < end && *p == (opened.is_object ? '}' : ']'))
                {
                  g_array_set_size (frames, frames->len - 1);
                  p++;
                  state = LIST_AFTER_VALUE;
                }
              else
                state = LIST_ITEM;
            }
          else
            {
              SondeJsonValue value;

              p = read_value (p, end, frame == NULL, &value);
              if (p == NULL)
                return FALSE;
              if (value.has_number)
                add_leaf (listing, path->str);
              state = LIST_AFTER_VALUE;
            }
          break;

        case LIST_AFTER_VALUE:
          /* What follows the document's value is not looked at. */
          if (frame == NULL)
            return TRUE;

          p = skip_space (p, end);
          if (p == end)
            return FALSE;
          if (*p == ',')
            {
              p = skip_space (p + 1, end);
              state = LIST_ITEM;
            }
          else if (*p == (frame->is_object ? '}' : ']'))
            {
              p++;
              g_array_set_size (frames, frames->len - 1);
            }
          else
            return FALSE;
          break;

        case LIST_ITEM:
          g_string_truncate (path, frame->path_length);
          listed = frame->listed;

          if (frame->is_object)
            {
              const guint8 *raw;
              gboolean has_escapes;

              if (p == end || *p != '"')
                return FALSE;
              raw = p + 1;
              p = scan_string (raw, end, &has_escapes);
              if (p == NULL)
                return FALSE;
              g_string_truncate (key, 0);
              append_decoded (key, raw, p - 1 - raw);

              p = skip_space (p, end);
              if (p == end || *p != ':')
                return FALSE;
              p = skip_space (p + 1, end);

              /* A path must be UTF-8: such a member cannot be named. */
              if (!g_utf8_validate (key->str, (gssize) key->len, NULL))
                listed = FALSE;
              else
                {
                  append_member (path, key->str, key->len);
                  if (g_hash_table_contains (listing->members, path->str))
                    forget_under (listing, path->str, path->len);
                  else
                    g_hash_table_add (listing->members, g_strdup (path->str));
                }
            }
          else
            {
              guint32 index = frame->count++;

              if (index < MAX_LISTED_INDEX)
                g_string_append_printf (path, "[%u]", index);
              else
                listed = FALSE;
            }
          state = LIST_VALUE;
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/* ---- public API --------------------------------------------------------- */

/* Parses @path (see the header); on error, SONDE_ERROR_INVALID_PATH with a
 * message that starts with the column, e.g. "Column 5 of “$.a[x]”:
 * expected a number or a quoted key inside [ ]". */
SondeJsonPath *
sonde_json_path_new (const char  *path,
                     GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_path (path, path, FALSE, NULL, error);
}

SondeJsonPath *
sonde_json_path_new_prefix (const char  *text,
                            const char  *start,
                            const char **end,
                            GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (start >= text && start <= text + strlen (text), NULL);
  g_return_val_if_fail (end != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_path (text, start, TRUE, end, error);
}

SondeJsonPath *
sonde_json_path_ref (SondeJsonPath *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_json_path_unref (SondeJsonPath *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < self->n_steps; i++)
    step_clear (&self->steps[i]);
  g_free (self->steps);
  g_free (self->text);
  g_free (self);
}

/* The path as it was written. */
const char *
sonde_json_path_to_string (SondeJsonPath *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/* Finds what the path points at in @json (@length bytes, no NUL needed).
 * FALSE (and @value's type NONE) when it is not there or the document is
 * malformed on the way to it. For STRING, @value's text is the raw string
 * between its quotes; for NUMBER, BOOLEAN and NULL the token; for OBJECT
 * and ARRAY the whole container, brackets included. */
gboolean
sonde_json_path_lookup (SondeJsonPath  *self,
                        const char     *json,
                        gsize           length,
                        SondeJsonValue *value)
{
  SondeJsonValue scratch;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL || length == 0, FALSE);

  if (value == NULL)
    value = &scratch;

  if (json == NULL)
    {
      memset (value, 0, sizeof *value);
      return FALSE;
    }

  if (!walk (self, (const guint8 *) json, (const guint8 *) json + length, value))
    {
      memset (value, 0, sizeof *value);
      return FALSE;
    }

  return TRUE;
}

/* The number at the path: a number, a boolean (1 or 0) or a string that
 * holds a number. */
gboolean
sonde_json_path_get_number (SondeJsonPath *self,
                            const char    *json,
                            gsize          length,
                            double        *number)
{
  SondeJsonValue value;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!sonde_json_path_lookup (self, json, length, &value) || !value.has_number)
    return FALSE;

  if (number != NULL)
    *number = value.number;
  return TRUE;
}

/* Whether @value is a string equal to @string once its escapes are decoded. */
gboolean
sonde_json_value_equal_string (const SondeJsonValue *value,
                               const char           *string)
{
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (string != NULL, FALSE);

  if (value->type != SONDE_JSON_VALUE_STRING)
    return FALSE;

  return sonde_json_lex_equal ((const guint8 *) value->text, value->text_length, value->text_has_escapes,
                               string, strlen (string));
}

/* Lists, in document order, the paths of every number, boolean and string
 * holding a number in @json, written so that sonde_json_path_new() reads
 * them back: .name where the name allows it, else ["…"]. Only the first
 * three elements of an array are listed. A member that a later duplicate
 * replaced is not listed. At most @max_paths; empty when @json is malformed.
 * Returns an array of strings. */
GPtrArray *
sonde_json_path_list_numeric (const char *json,
                              gsize       length,
                              guint       max_paths)
{
  Listing listing;
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (json != NULL || length == 0, result);

  if (json == NULL || max_paths == 0)
    return result;

  listing.leaves = g_ptr_array_new ();
  listing.live = g_hash_table_new (g_str_hash, g_str_equal);
  listing.members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  listing.max_paths = max_paths;

  if (list_walk (&listing, (const guint8 *) json, (const guint8 *) json + length))
    {
      for (guint i = 0; i < listing.leaves->len; i++)
        {
          char *leaf = g_ptr_array_index (listing.leaves, i);

          if (leaf != NULL)
            g_ptr_array_add (result, leaf);
        }
    }
  else
    g_ptr_array_foreach (listing.leaves, (GFunc) g_free, NULL);

  g_ptr_array_unref (listing.leaves);
  g_hash_table_unref (listing.live);
  g_hash_table_unref (listing.members);
  return result;
}

/* See the header. The magnitude picks the unit because feeds send all four
 * and a time of these years never takes another: 1e11 s is the year 5138,
 * 1e14 ms the year 5138, 1e17 µs again the year 5138; nanoseconds since
 * 1970 passed 1e17 in 1973. */
gboolean
sonde_json_path_get_time (SondeJsonPath *self,
                          const char    *json,
                          gsize          length,
                          gint64        *wall_us)
{
  /* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z */
  static const double min_us = -62135596800e6;
  static const double max_us = 253402300799999999.0;
  SondeJsonValue value;
  double us;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!sonde_json_path_lookup (self, json, length, &value))
    return FALSE;

  if (value.has_number && value.type != SONDE_JSON_VALUE_BOOLEAN)
    {
      double magnitude = fabs (value.number);

      if (magnitude < 1e11)
        us = value.number * 1e6;
      else if (magnitude < 1e14)
        us = value.number * 1e3;
      else if (magnitude < 1e17)
        us = value.number;
      else
        us = value.number / 1e3;

      us = round (us);
      if (us < min_us || us > max_us)
        return FALSE;
      if (wall_us != NULL)
        *wall_us = (gint64) us;
      return TRUE;
    }

  if (value.type == SONDE_JSON_VALUE_STRING && value.text_length <= 64)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GTimeZone) utc = NULL;
      g_autoptr(GDateTime) time = NULL;

      append_decoded (text, (const guint8 *) value.text, value.text_length);
      if (strlen (text->str) != text->len)
        return FALSE;

      utc = g_time_zone_new_utc ();
      time = g_date_time_new_from_iso8601 (text->str, utc);
      if (time == NULL)
        return FALSE;

      if (wall_us != NULL)
        *wall_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
      return TRUE;
    }

  return FALSE;
}

char *
sonde_json_path_dup_key (SondeJsonPath *self,
                         const char    *json,
                         gsize          length)
{
  SondeJsonValue value;

  g_return_val_if_fail (self != NULL, NULL);

  if (!sonde_json_path_lookup (self, json, length, &value))
    return NULL;

  switch (value.type)
    {
    case SONDE_JSON_VALUE_STRING:
      {
        GString *decoded = g_string_sized_new (value.text_length);

        if (value.text_has_escapes)
          append_decoded (decoded, (const guint8 *) value.text, value.text_length);
        else
          g_string_append_len (decoded, value.text, value.text_length);
        if (!g_utf8_validate_len (decoded->str, decoded->len, NULL) || strlen (decoded->str) != decoded->len)
          {
            char *valid = g_utf8_make_valid (decoded->str, decoded->len);

            g_string_free (decoded, TRUE);
            return valid;
          }
        return g_string_free (decoded, FALSE);
      }
    case SONDE_JSON_VALUE_NUMBER:
    case SONDE_JSON_VALUE_BOOLEAN:
      return g_strndup (value.text, value.text_length);
    case SONDE_JSON_VALUE_NONE:
    case SONDE_JSON_VALUE_NULL:
    case SONDE_JSON_VALUE_OBJECT:
    case SONDE_JSON_VALUE_ARRAY:
    default:
      return NULL;
    }
}

guint
sonde_json_path_get_n_steps (SondeJsonPath *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_steps;
}

char *
sonde_json_path_dup_ancestor (SondeJsonPath *self,
                              guint          n_steps,
                              const char    *member)
{
  GString *path;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_steps <= self->n_steps, NULL);

  path = g_string_new ("$");
  for (guint i = 0; i < n_steps; i++)
    {
      const Step *step = &self->steps[i];

      switch (step->kind)
        {
        case STEP_KEY:
          append_member (path, step->key, step->key_length);
          break;
        case STEP_INDEX:
          g_string_append_printf (path, "[%u]", step->index);
          break;
        case STEP_INDEX_FROM_END:
        default:
          g_string_append_printf (path, "[-%u]", step->index);
          break;
        }
    }
  if (member != NULL)
    append_member (path, member, strlen (member));
  return g_string_free (path, FALSE);
}
