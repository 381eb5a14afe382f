/* sonde-json-format.c: checking and pretty-printing JSON text exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the bytes, with an explicit stack of the open containers:
 * neither the nesting of a hostile document nor its size can exhaust the C
 * stack, and time and memory are linear in the input. The grammar is the
 * strict one of RFC 8259: one value of any type with optional whitespace
 * around it, no comments, no trailing commas, no leading zeros or “+” in
 * numbers, no NaN or Infinity, valid UTF-8 and no raw control characters in
 * strings.
 *
 * A \uXXXX escape of a lone surrogate (\ud800 without a low surrogate after
 * it) is accepted: the grammar of RFC 8259 allows it (its section 8.2 leaves
 * the meaning to the receiver), JavaScript's JSON.parse and most parsers
 * accept it, and the escape is copied as it is, so nothing is hidden.
 * json-glib 1.6 rejects some of these strings and garbles others.
 */

#define G_LOG_DOMAIN "sonde-json-format"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-json-format.h"
#include "sonde-json-lex.h"
#include "sonde-text.h"

/* Deeper documents are rejected rather than risk anything else. */
#define MAX_DEPTH 10000

/* Deeper levels are indented as this one, so that the indentation of a
 * deeply nested document cannot make the output quadratic in its size. */
#define MAX_INDENT_LEVELS 64

#define MAX_INDENT 16

/* Longer bare words are cut in error messages. */
#define MAX_QUOTED_WORD 24

typedef enum {
  STATE_VALUE,          /* the document's value, or a member's after ':' */
  STATE_FIRST_ELEMENT,  /* after '[': a value or ']' */
  STATE_ELEMENT,        /* after ',' in an array */
  STATE_FIRST_KEY,      /* after '{': a key or '}' */
  STATE_KEY,            /* after ',' in an object */
  STATE_COLON,          /* after a key */
  STATE_AFTER_VALUE,    /* ',' or the end of the container or of the text */
} State;

typedef struct {
  /* borrowed */
  const guint8 *start;
  const guint8 *end;

  /* owned */
  GString *out;                 /* NULL when only validating */
  guint indent;
  gsize max_flat;               /* 0, or the widest container kept on one line */
  gsize flat_start;             /* where the innermost open container began in
                                 * out, while it holds no container; else
                                 * G_MAXSIZE */
  const guint8 *error_pos;
  char *error_message;
  guint depth;
  guint8 stack[MAX_DEPTH];      /* '{' or '[' for each open container */
} Scanner;

static const guint8 json_space[256] = {
  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static const char hex_digits[] = "0123456789abcdef";

static inline gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}

/* The character at @p, escaped for an error message. */
static char *
quote_char (const guint8 *p,
            const guint8 *end)
{
  gunichar ch = g_utf8_get_char_validated ((const char *) p, end - p);
  gsize n = (ch == (gunichar) -1 || ch == (gunichar) -2) ? 1 : (gsize) g_utf8_skip[*p];

  return sonde_text_escape (p, n, SONDE_ESCAPE_NONE, 0, NULL);
}

G_GNUC_PRINTF (3, 4)
static gboolean
fail (Scanner      *s,
      const guint8 *pos,
      const char   *format,
      ...)
{
  va_list args;

  va_start (args, format);
  s->error_pos = pos;
  s->error_message = g_strdup_vprintf (format, args);
  va_end (args);

  return FALSE;
}

/* What was expected at @p, and what is there instead. */
static gboolean
fail_expected (Scanner      *s,
               const guint8 *p,
               const char   *what)
{
  g_autofree char *found = NULL;

  if (p == s->end)
    return fail (s, p, _("unexpected end of input: expected %s"), _(what));

  if (*p == '/' && s->end - p >= 2 && (p[1] == '/' || p[1] == '*'))
    return fail (s, p, _("comments are not allowed in JSON"));

  found = quote_char (p, s->end);
  return fail (s, p, _("expected %s, found “%s”"), _(what), found);
}

static void
write_newline (Scanner *s,
               guint    depth)
{
  gsize n = (gsize) MIN (depth, MAX_INDENT_LEVELS) * s->indent;
  gsize len = s->out->len;

  g_string_set_size (s->out, len + 1 + n);
  s->out->str[len] = '\n';
  memset (s->out->str + len + 1, ' ', n);
}

/* The container that just closed at the end of out, begun at flat_start
 * and holding only scalars, goes on one line when that line is at most
 * max_flat bytes: "[1, 2, 3]", {"a": 1, "b": 2}. Only the line breaks and
 * indentation that write_newline() made go (JSON strings hold no raw line
 * break): every scalar stays byte for byte. */
static void
flatten_container (Scanner *s)
{
  char *str = s->out->str;
  gsize len = s->out->len;
  gsize width = 0;
  gsize r, w;

  for (r = s->flat_start; r < len; r++)
    {
      if (str[r] == '\n')
        {
          width += str[r - 1] == ',' ? 1 : 0;
          while (r + 1 < len && str[r + 1] == ' ')
            r++;
        }
      else
        width++;
      if (width > s->max_flat)
        return;
    }

  for (r = w = s->flat_start; r < len; r++)
    {
      if (str[r] == '\n')
        {
          if (str[w - 1] == ',')
            str[w++] = ' ';
          while (r + 1 < len && str[r + 1] == ' ')
            r++;
        }
      else
        str[w++] = str[r];
    }
  g_string_truncate (s->out, w);
}

/* In a string being copied from @run, writes the character of @n bytes at
 * @p as a \uXXXX escape. */
static inline void
write_char_escape (Scanner       *s,
                   const guint8 **run,
                   const guint8  *p,
                   guint          n,
                   gunichar       ch)
{
  char escape[6] = { '\\', 'u',
                     hex_digits[(ch >> 12) & 0xf], hex_digits[(ch >> 8) & 0xf],
                     hex_digits[(ch >> 4) & 0xf], hex_digits[ch & 0xf] };

  if (s->out == NULL)
    return;

  g_string_append_len (s->out, (const char *) *run, p - *run);
  g_string_append_len (s->out, escape, sizeof escape);
  *run = p + n;
}

/* The string @open (at its opening quote, @close after its closing quote)
 * holds raw bytes other than printable ASCII: copies it to the output with
 * DEL and the characters sonde_text_escape() would escape written as
 * \uXXXX. The string has been checked. */
static void
write_unprintable_string (Scanner      *s,
                          const guint8 *open,
                          const guint8 *close)
{
  const guint8 *run = open;
  const guint8 *p = open;

  while (p < close)
    {
      gunichar ch = 0;
      guint n;

      if (*p < 0x7f)
        {
          p++;
          continue;
        }

      if (*p == 0x7f)
        {
          write_char_escape (s, &run, p, 1, 0x7f);
          p++;
          continue;
        }

      /* Never 0: the string is valid UTF-8. */
      n = MAX (sonde_text_decode_utf8 (p, close - p, &ch), 1);
      if (sonde_text_is_hidden_char (ch))
        write_char_escape (s, &run, p, n, ch);
      p += n;
    }

  g_string_append_len (s->out, (const char *) run, p - run);
}

static gboolean
scan_string (Scanner       *s,
             const guint8 **pos)
{
  const guint8 *open = *pos;
  const guint8 *end = s->end;
  SondeJsonLexResult string;
  const guint8 *q;

  switch (sonde_json_lex_string (open + 1, end, SONDE_JSON_LEX_STRICT_TEXT, &string))
    {
    case SONDE_JSON_LEX_OK:
      break;

    case SONDE_JSON_LEX_BAD_HEX:
      /* The hex digits there, then what is there instead of the next one. */
      q = string.error_at + 2;
      while (q < end && q < string.error_at + 6 && g_ascii_isxdigit (*q))
        q++;
      if (q == end)
        return fail (s, open, _("unterminated string"));
      {
        g_autofree char *found = quote_char (q, end);

        return fail (s, string.error_at, _("invalid escape “\\u%.*s%s”: \\u needs four hex digits"),
                     (int) (q - string.error_at - 2), (const char *) string.error_at + 2, found);
      }

    case SONDE_JSON_LEX_BAD_ESCAPE:
      {
        g_autofree char *found = quote_char (string.error_at + 1, end);

        return fail (s, string.error_at, _("invalid escape “\\%s” in a string"), found);
      }

    case SONDE_JSON_LEX_CONTROL:
      return fail (s, string.error_at, _("control character U+%04X in a string: it must be escaped"),
                   *string.error_at);

    case SONDE_JSON_LEX_BAD_UTF8:
      return fail (s, string.error_at, _("invalid UTF-8 in a string"));

    case SONDE_JSON_LEX_UNTERMINATED:
    case SONDE_JSON_LEX_NUL:
    case SONDE_JSON_LEX_LOW_SURROGATE:
    case SONDE_JSON_LEX_HIGH_SURROGATE:
    default:
      /* Lone surrogates and \u0000 are allowed here: only the end can be
       * missing. */
      return fail (s, open, _("unterminated string"));
    }

  if (s->out != NULL)
    {
      if (string.printable)
        g_string_append_len (s->out, (const char *) open, string.end - open);
      else
        write_unprintable_string (s, open, string.end);
    }

  *pos = string.end;
  return TRUE;
}

static gboolean
scan_digits_after (Scanner       *s,
                   const guint8 **pos,
                   const char    *what)
{
  const guint8 *p = *pos;

  if (p == s->end || !is_digit (*p))
    return fail_expected (s, p, what);

  while (p < s->end && is_digit (*p))
    p++;

  *pos = p;
  return TRUE;
}

static gboolean
scan_number (Scanner       *s,
             const guint8 **pos)
{
  const guint8 *start = *pos;
  const guint8 *end = s->end;
  const guint8 *p = start;

  if (*p == '-')
    p++;

  if (p < end && *p == '0')
    {
      p++;
      if (p < end && is_digit (*p))
        return fail (s, p - 1, _("leading zeros are not allowed in numbers"));
    }
  else if (!scan_digits_after (s, &p, N_("a digit after “-”")))
    return FALSE;

  if (p < end && *p == '.')
    {
      p++;
      if (!scan_digits_after (s, &p, N_("a digit after the decimal point")))
        return FALSE;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (!scan_digits_after (s, &p, N_("a digit in the exponent")))
        return FALSE;
    }

  if (s->out != NULL)
    g_string_append_len (s->out, (const char *) start, p - start);

  *pos = p;
  return TRUE;
}

/* true, false or null; anything else made of letters is named in full. */
static gboolean
scan_literal (Scanner       *s,
              const guint8 **pos)
{
  static const char *const literals[] = { "true", "false", "null" };
  const guint8 *start = *pos;
  const guint8 *p = start;
  gsize length;

  while (p < s->end && (g_ascii_isalnum (*p) || *p == '_'))
    p++;
  length = p - start;

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize literal_length = strlen (literals[i]);

      if (length == literal_length && memcmp (start, literals[i], length) == 0)
        {
          if (s->out != NULL)
            g_string_append_len (s->out, literals[i], length);
          *pos = p;
          return TRUE;
        }

      if (p == s->end && length < literal_length && memcmp (start, literals[i], length) == 0)
        return fail (s, p, _("unexpected end of input: expected “%s”"), literals[i]);
    }

  if (length > MAX_QUOTED_WORD)
    return fail (s, start, _("“%.*s…” is not a JSON value"), MAX_QUOTED_WORD, (const char *) start);

  return fail (s, start, _("“%.*s” is not a JSON value"), (int) length, (const char *) start);
}

/* Scans a value that starts at *@pos and is not a container; @what is what
 * an error message says was expected. */
static gboolean
scan_scalar (Scanner       *s,
             const guint8 **pos,
             const char    *what)
{
  const guint8 *p = *pos;

  switch (*p)
    {
    case '"':
      return scan_string (s, pos);

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (s, pos);

    case '+':
      return fail (s, p, _("“+” is not allowed before a number"));

    case '.':
      return fail (s, p, _("a number must start with a digit or “-”"));

    case '\'':
      return fail (s, p, _("single quotes are not allowed: strings use double quotes"));

    default:
      if (g_ascii_isalpha (*p))
        return scan_literal (s, pos);
      return fail_expected (s, p, what);
    }
}

static gboolean
scan (Scanner *s)
{
  const guint8 *end = s->end;
  const guint8 *p = s->start;
  const guint8 *comma = NULL;
  State state = STATE_VALUE;

  for (;;)
    {
      guint8 c;

      while (p < end && json_space[*p])
        p++;

      if (p == end)
        {
          switch (state)
            {
            case STATE_AFTER_VALUE:
              if (s->depth == 0)
                return TRUE;
              return fail_expected (s, p, s->stack[s->depth - 1] == '{' ? N_("“,” or “}”") : N_("“,” or “]”"));
            case STATE_VALUE:
              if (s->depth == 0)
                return fail (s, p, _("the text is empty: expected a JSON value"));
              return fail_expected (s, p, N_("a value"));
            case STATE_FIRST_ELEMENT:
              return fail_expected (s, p, N_("a value or “]”"));
            case STATE_ELEMENT:
              return fail_expected (s, p, N_("a value"));
            case STATE_FIRST_KEY:
              return fail_expected (s, p, N_("a key or “}”"));
            case STATE_KEY:
              return fail_expected (s, p, N_("a key"));
            case STATE_COLON:
              return fail_expected (s, p, N_("“:”"));
            default:
              g_assert_not_reached ();
            }
        }

      c = *p;

      switch (state)
        {
        case STATE_FIRST_ELEMENT:
        case STATE_ELEMENT:
        case STATE_VALUE:
          if (c == ']' && state == STATE_FIRST_ELEMENT)
            {
              if (s->out != NULL)
                g_string_append_c (s->out, ']');
              s->flat_start = G_MAXSIZE;
              s->depth--;
              p++;
              state = STATE_AFTER_VALUE;
              break;
            }

          if (c == ']' && state == STATE_ELEMENT)
            return fail (s, comma, _("trailing comma: a value must follow “,”"));

          if (state == STATE_FIRST_ELEMENT && s->out != NULL)
            write_newline (s, s->depth);

          if (c == '{' || c == '[')
            {
              if (s->depth == MAX_DEPTH)
                return fail (s, p, _("nesting deeper than %d levels is not supported"), MAX_DEPTH);
              s->stack[s->depth++] = c;
              if (s->out != NULL)
                {
                  s->flat_start = s->out->len;
                  g_string_append_c (s->out, c);
                }
              p++;
              state = c == '{' ? STATE_FIRST_KEY : STATE_FIRST_ELEMENT;
              break;
            }

          if (!scan_scalar (s, &p, state == STATE_FIRST_ELEMENT ? N_("a value or “]”") : N_("a value")))
            return FALSE;
          state = STATE_AFTER_VALUE;
          break;

        case STATE_FIRST_KEY:
        case STATE_KEY:
          if (c == '}' && state == STATE_FIRST_KEY)
            {
              if (s->out != NULL)
                g_string_append_c (s->out, '}');
              s->flat_start = G_MAXSIZE;
              s->depth--;
              p++;
              state = STATE_AFTER_VALUE;
              break;
            }

          if (c == '}')
            return fail (s, comma, _("trailing comma: a member must follow “,”"));

          if (c != '"')
            {
              if (c == '\'')
                return fail (s, p, _("single quotes are not allowed: keys use double quotes"));
              return fail_expected (s, p, N_("a key in double quotes"));
            }

          if (state == STATE_FIRST_KEY && s->out != NULL)
            write_newline (s, s->depth);

          if (!scan_string (s, &p))
            return FALSE;
          state = STATE_COLON;
          break;

        case STATE_COLON:
          if (c != ':')
            return fail_expected (s, p, N_("“:” after an object key"));
          if (s->out != NULL)
            g_string_append_len (s->out, ": ", 2);
          p++;
          state = STATE_VALUE;
          break;

        case STATE_AFTER_VALUE:
          if (s->depth == 0)
            {
              g_autofree char *found = quote_char (p, end);

              return fail (s, p, _("nothing after the value is allowed: found “%s”"), found);
            }

          if (c == ',')
            {
              if (s->out != NULL)
                {
                  g_string_append_c (s->out, ',');
                  write_newline (s, s->depth);
                }
              comma = p++;
              state = s->stack[s->depth - 1] == '{' ? STATE_KEY : STATE_ELEMENT;
              break;
            }

          if ((c == '}' && s->stack[s->depth - 1] == '{')
              || (c == ']' && s->stack[s->depth - 1] == '['))
            {
              s->depth--;
              if (s->out != NULL)
                {
                  write_newline (s, s->depth);
                  g_string_append_c (s->out, c);
                  if (s->max_flat > 0 && s->flat_start != G_MAXSIZE)
                    flatten_container (s);
                  /* Its parent holds a container now. */
                  s->flat_start = G_MAXSIZE;
                }
              p++;
              break;
            }

          if (s->stack[s->depth - 1] == '{')
            return fail_expected (s, p, N_("“,” or “}” after an object member"));
          return fail_expected (s, p, N_("“,” or “]” after an array element"));

        default:
          g_assert_not_reached ();
        }
    }
}

/* Runs the scanner over @text; on error sets @error with the position
 * first, and @error_line and @error_column. */
static gboolean
run_scanner (Scanner     *s,
             const char  *text,
             gsize        length,
             guint       *error_line,
             guint       *error_column,
             GError     **error)
{
  const guint8 *line_start;
  guint line = 1;
  guint column = 1;

  s->start = (const guint8 *) text;
  s->end = s->start + length;
  s->error_pos = NULL;
  s->error_message = NULL;
  s->depth = 0;
  s->flat_start = G_MAXSIZE;

  if (error_line != NULL)
    *error_line = 0;
  if (error_column != NULL)
    *error_column = 0;

  if (scan (s))
    return TRUE;

  line_start = s->start;
  for (const guint8 *q = s->start; q < s->error_pos; q++)
    {
      q = memchr (q, '\n', s->error_pos - q);
      if (q == NULL)
        break;
      line++;
      line_start = q + 1;
    }

  for (const guint8 *q = line_start; q < s->error_pos; column++)
    {
      gunichar ch = g_utf8_get_char_validated ((const char *) q, s->error_pos - q);

      q += (ch == (gunichar) -1 || ch == (gunichar) -2) ? 1 : g_utf8_skip[*q];
    }

  if (error_line != NULL)
    *error_line = line;
  if (error_column != NULL)
    *error_column = column;

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON,
               _("Line %u, column %u: %s"), line, column, s->error_message);
  g_free (s->error_message);

  return FALSE;
}

/* Checks that @text (@length bytes, or NUL-terminated if negative) is one
 * JSON value under the strict grammar of RFC 8259. On error
 * (SONDE_ERROR_INVALID_JSON, with a message that starts with the position
 * and names the problem), @error_line and @error_column (both nullable) are
 * set to where it is, 1-based, the column counted in characters; they are
 * set to 0 on success. Nesting deeper than 10000 levels is an error. */
gboolean
sonde_json_validate (const char  *text,
                     gssize       length,
                     guint       *error_line,
                     guint       *error_column,
                     GError     **error)
{
  g_autofree Scanner *s = NULL;

  g_return_val_if_fail (text != NULL || length <= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);

  /* Most text checked is JSON: the fast check says so; the scanner runs
   * only to say where and why it is not. */
  if (sonde_json_is_valid (text, (gsize) length))
    {
      if (error_line != NULL)
        *error_line = 0;
      if (error_column != NULL)
        *error_column = 0;
      return TRUE;
    }

  s = g_new (Scanner, 1);
  s->out = NULL;
  s->indent = 0;
  s->max_flat = 0;

  return run_scanner (s, text, length, error_line, error_column, error);
}

static char *
pretty (const char  *text,
        gssize       length,
        guint        indent,
        gsize        max_flat,
        GError     **error)
{
  g_autofree Scanner *s = g_new (Scanner, 1);

  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);

  s->out = g_string_sized_new (length + length / 4 + 16);
  s->indent = MIN (indent, MAX_INDENT);
  s->max_flat = max_flat;

  if (!run_scanner (s, text, length, NULL, NULL, error))
    {
      g_string_free (s->out, TRUE);
      return NULL;
    }

  return g_string_free (s->out, FALSE);
}

/* Validates @text as sonde_json_validate() does and returns it re-indented:
 * one member or element to a line, @indent spaces a level (at most 16;
 * levels deeper than 64 are indented as level 64), a space after each ':',
 * empty containers as {} and [], no newline at the end. Numbers, literals
 * and strings are copied byte for byte, except that characters inside
 * strings that sonde_text_escape() would show as \uXXXX (C1 controls,
 * bidirectional controls, U+2028, U+2029, zero-width characters, U+FEFF)
 * and DEL are written as \uXXXX escapes: the result means the same JSON and
 * is safe to show. Returns NULL with the error of sonde_json_validate() when
 * @text is not valid. */
char *
sonde_json_pretty (const char  *text,
                   gssize       length,
                   guint        indent,
                   GError     **error)
{
  g_return_val_if_fail (text != NULL || length <= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return pretty (text, length, indent, 0, error);
}

/* As sonde_json_pretty(), but an array or object that holds no array or
 * object goes on one line when that line, from its bracket to its closing
 * one, is at most @max_width bytes: [1, 2, 3] and {"bid": 1.5, "ask": 1.6},
 * with a space after each ',' and ':'. Scalars are copied exactly as
 * sonde_json_pretty() copies them. For reading: a row of short values is
 * one line, not one a line. */
char *
sonde_json_pretty_compact (const char  *text,
                           gssize       length,
                           guint        indent,
                           gsize        max_width,
                           GError     **error)
{
  g_return_val_if_fail (text != NULL || length <= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return pretty (text, length, indent, max_width, error);
}
