/* sonde-predicate.c: which messages a series takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A predicate is a list of conditions that must all hold, each a
 * SondeJsonPath and what to compare its value with. Matching runs the
 * path's scanner once per condition over the message's bytes; nothing is
 * parsed into a tree.
 *
 * Types, as the header says: a number literal compares with numbers only
 * (not with a string, even one that holds a number: "5" > 3 does not hold);
 * a string literal with strings, escapes decoded on both sides
 * ("\u0041BC" == "ABC"), and only with == and != (ordering strings is
 * refused when parsing); true and false with booleans. Any other pairing
 * is false, whatever the operator: $.v != 3 does not hold when $.v is
 * missing or is "abc". The exception is null: $.v == null holds for null
 * only, and $.v != null for any value that is there and is not null.
 */

#define G_LOG_DOMAIN "sonde-predicate"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-json-lex.h"
#include "sonde-json-path.h"
#include "sonde-predicate.h"

typedef enum {
  OP_EXISTS,          /* just the path */
  OP_EQUAL,
  OP_NOT_EQUAL,
  OP_LESS,
  OP_LESS_EQUAL,
  OP_GREATER,
  OP_GREATER_EQUAL,
} Op;

typedef enum {
  LITERAL_NONE,
  LITERAL_NUMBER,
  LITERAL_STRING,
  LITERAL_TRUE,
  LITERAL_FALSE,
  LITERAL_NULL,
} LiteralKind;

typedef struct {
  SondeJsonPath *path;
  Op             op;
  LiteralKind    kind;
  double         number;
  char          *string;      /* decoded, UTF-8 */
} Condition;

struct _SondePredicate {
  gatomicrefcount  ref_count;

  /* owned */
  char            *text;
  GArray          *conditions;   /* Condition */
};

static const struct {
  const char *token;
  Op          op;
} operators[] = {
  /* Longest first. */
  { "==", OP_EQUAL },
  { "!=", OP_NOT_EQUAL },
  { "<=", OP_LESS_EQUAL },
  { ">=", OP_GREATER_EQUAL },
  { "<", OP_LESS },
  { ">", OP_GREATER },
};

static void
condition_clear (Condition *condition)
{
  g_clear_pointer (&condition->path, sonde_json_path_unref);
  g_clear_pointer (&condition->string, g_free);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

G_GNUC_PRINTF (4, 5)
static gboolean
fail (GError     **error,
      const char  *text,
      const char  *pos,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  g_autofree char *shown = g_utf8_make_valid (text, -1);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PREDICATE, _("Column %ld of “%s”: %s"),
               g_utf8_strlen (text, pos - text) + 1, shown, message);
  return FALSE;
}

/* The character at @p (valid UTF-8, checked when parsing starts). */
static char *
char_at (const char *p)
{
  return g_strndup (p, MIN (strlen (p), (gsize) g_utf8_skip[*(const guchar *) p]));
}

/* The word at @p (letters, digits and '_'), at most 24 bytes of it, or the
 * character there, for error messages. */
static char *
word_at (const char *p)
{
  const char *q = p;

  while (g_ascii_isalnum (*q) || *q == '_' || *q == '.' || *q == '-' || *q == '+')
    q++;
  if (q == p)
    return char_at (p);
  return g_strndup (p, MIN (q - p, 24));
}


/* A "string" literal at @p with JSON escapes; returns the byte after it. */
static const char *
parse_string (const char  *text,
              const char  *p,
              Condition   *condition,
              GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const guint8 *open = (const guint8 *) p;
  const guint8 *end = open + strlen (p);
  SondeJsonLexResult string;
  const char *at;

  /* The text is valid UTF-8 (checked when parsing starts): raw bytes are
   * taken as they are. The string ends up NUL-terminated: no \u0000. */
  switch (sonde_json_lex_decode (open + 1, end, SONDE_JSON_LEX_NO_NUL | SONDE_JSON_LEX_STRICT_SURROGATES,
                                 out, &string))
    {
    case SONDE_JSON_LEX_OK:
      condition->string = g_string_free (g_steal_pointer (&out), FALSE);
      return (const char *) string.end;

    case SONDE_JSON_LEX_BAD_HEX:
      fail (error, text, (const char *) string.error_at, _("\\u needs four hex digits"));
      return NULL;

    case SONDE_JSON_LEX_NUL:
      fail (error, text, (const char *) string.error_at, _("a string here cannot hold \\u0000"));
      return NULL;

    case SONDE_JSON_LEX_LOW_SURROGATE:
      at = (const char *) string.error_at;
      fail (error, text, at, _("“\\u%.4s” is the second half of a surrogate pair"), at + 2);
      return NULL;

    case SONDE_JSON_LEX_HIGH_SURROGATE:
      at = (const char *) string.error_at;
      fail (error, text, at, _("“\\u%.4s” is half of a surrogate pair: the other half "
              "must follow"), at + 2);
      return NULL;

    case SONDE_JSON_LEX_BAD_ESCAPE:
      {
        g_autofree char *found = char_at ((const char *) string.error_at + 1);

        fail (error, text, (const char *) string.error_at, _("“\\%s” is not a JSON escape (use \\\", \\\\, "
                "\\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)"), found);
        return NULL;
      }

    case SONDE_JSON_LEX_UNTERMINATED:
    case SONDE_JSON_LEX_CONTROL:
    case SONDE_JSON_LEX_BAD_UTF8:
    default:
      fail (error, text, p, _("this string has no closing “\"”"));
      return NULL;
    }
}

/* A number literal at @p under the JSON grammar; returns the byte after it. */
static const char *
parse_number (const char  *text,
              const char  *p,
              Condition   *condition,
              GError     **error)
{
  const char *start = p;
  g_autofree char *copy = NULL;
  g_autofree char *word = NULL;

  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (g_ascii_isdigit (*p))
    while (g_ascii_isdigit (*p))
      p++;
  else
    goto invalid;

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        goto invalid;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        goto invalid;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (g_ascii_isalnum (*p) || *p == '.' || *p == '_')
    goto invalid;

  copy = g_strndup (start, p - start);
  condition->number = g_ascii_strtod (copy, NULL);
  if (!isfinite (condition->number))
    {
      fail (error, text, start, _("%s is too large for a number"), copy);
      return NULL;
    }
  return p;

invalid:
  word = word_at (start);
  fail (error, text, start, _("“%s” is not a number (JSON numbers look like 12, -0.5 or 1e-3)"), word);
  return NULL;
}

/* The literal after an operator. */
static const char *
parse_literal (const char  *text,
               const char  *p,
               const char  *op,
               Condition   *condition,
               GError     **error)
{
  static const struct {
    const char  *word;
    LiteralKind  kind;
  } words[] = {
    { "true", LITERAL_TRUE },
    { "false", LITERAL_FALSE },
    { "null", LITERAL_NULL },
  };
  g_autofree char *word = NULL;

  if (*p == '\0')
    {
      fail (error, text, p, _("expected a value after “%s”: a number, a \"string\", true, false or null"), op);
      return NULL;
    }

  if (*p == '"')
    {
      condition->kind = LITERAL_STRING;
      return parse_string (text, p, condition, error);
    }

  if (*p == '-' || g_ascii_isdigit (*p) || *p == '.' || *p == '+')
    {
      condition->kind = LITERAL_NUMBER;
      return parse_number (text, p, condition, error);
    }

  if (*p == '\'')
    {
      fail (error, text, p, _("strings take double quotes: \"…\""));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize length = strlen (words[i].word);

      if (strncmp (p, words[i].word, length) == 0 && !g_ascii_isalnum (p[length]) && p[length] != '_')
        {
          condition->kind = words[i].kind;
          return p + length;
        }
    }

  if (*p == '$')
    {
      fail (error, text, p, _("a path can only be compared with a value, not with another path"));
      return NULL;
    }

  word = word_at (p);
  if (g_ascii_isalpha (*p))
    fail (error, text, p, _("“%s” is not a value: a string takes double quotes (\"%s\"); the other values "
             "are numbers, true, false and null"), word, word);
  else
    fail (error, text, p, _("expected a value after “%s”: a number, a \"string\", true, false or null, "
            "found “%s”"), op, word);
  return NULL;
}

static gboolean
parse (SondePredicate  *self,
       const char      *text,
       GError         **error)
{
  const char *p = skip_space (text);
  const char *bad_utf8 = NULL;

  if (!g_utf8_validate (text, -1, &bad_utf8))
    return fail (error, text, bad_utf8, _("invalid UTF-8"));

  if (*p == '\0')
    return fail (error, text, p, _("the condition is empty: write PATH OP VALUE, e.g. $.type == \"trade\""));

  for (;;)
    {
      Condition condition = { 0 };
      const char *op_start;

      condition.path = sonde_json_path_new_prefix (text, p, &p, error);
      if (condition.path == NULL)
        return FALSE;
      g_array_append_val (self->conditions, condition);

      p = skip_space (p);
      op_start = p;

      for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
        {
          gsize length = strlen (operators[i].token);

          if (strncmp (p, operators[i].token, length) == 0)
            {
              Condition *added = &g_array_index (self->conditions, Condition, self->conditions->len - 1);

              added->op = operators[i].op;
              p = parse_literal (text, skip_space (p + length), operators[i].token, added, error);
              if (p == NULL)
                return FALSE;

              if (added->op != OP_EQUAL && added->op != OP_NOT_EQUAL && added->kind != LITERAL_NUMBER)
                return fail (error, text, op_start,
                             added->kind == LITERAL_STRING
                               ? _("“%s” compares numbers: a string can only be compared with == or !=")
                               : added->kind == LITERAL_NULL
                                 ? _("“%s” compares numbers: a null can only be compared with == or !=")
                                 : _("“%s” compares numbers: a boolean can only be compared with == or !="),
                             operators[i].token);
              p = skip_space (p);
              break;
            }
        }

      if (*p == '\0')
        return TRUE;

      if (p[0] == '&' && p[1] == '&')
        {
          p = skip_space (p + 2);
          if (*p == '\0')
            return fail (error, text, p, _("expected a condition after “&&”"));
          continue;
        }

      if (p[0] == '|' && p[1] == '|')
        return fail (error, text, p, _("“||” is not supported: conditions can only be joined with “&&”"));
      if (p[0] == '&')
        return fail (error, text, p, _("conditions are joined with “&&”"));
      if (p[0] == '=' && p == op_start)
        return fail (error, text, p, _("“=” is not an operator: compare with “==”"));
      if (p[0] == '!' && p == op_start)
        return fail (error, text, p, _("“!” is not an operator: use “!=”"));

      if (p == op_start)
        {
          const char *path = sonde_json_path_to_string (g_array_index (self->conditions, Condition,
                                                                       self->conditions->len - 1).path);
          g_autofree char *word = word_at (p);

          return fail (error, text, p, _("expected an operator (==, !=, <, <=, >, >=), “&&” or the end "
                         "after the path “%s”, found “%s”"), path, word);
        }

      {
        g_autofree char *word = word_at (p);

        return fail (error, text, p, _("expected “&&” or the end of the condition, found “%s”"), word);
      }
    }
}

static gboolean
condition_matches (const Condition *condition,
                   const char      *json,
                   gsize            length)
{
  SondeJsonValue value;
  gboolean equal;

  if (!sonde_json_path_lookup (condition->path, json, length, &value))
    return FALSE;

  switch (condition->kind)
    {
    case LITERAL_NONE:
      return value.type != SONDE_JSON_VALUE_NULL
             && !(value.type == SONDE_JSON_VALUE_BOOLEAN && value.number == 0);

    case LITERAL_NULL:
      equal = value.type == SONDE_JSON_VALUE_NULL;
      return condition->op == OP_EQUAL ? equal : !equal;

    case LITERAL_TRUE:
    case LITERAL_FALSE:
      if (value.type != SONDE_JSON_VALUE_BOOLEAN)
        return FALSE;
      equal = (value.number != 0) == (condition->kind == LITERAL_TRUE);
      return condition->op == OP_EQUAL ? equal : !equal;

    case LITERAL_STRING:
      if (value.type != SONDE_JSON_VALUE_STRING)
        return FALSE;
      equal = sonde_json_value_equal_string (&value, condition->string);
      return condition->op == OP_EQUAL ? equal : !equal;

    case LITERAL_NUMBER:
      if (value.type != SONDE_JSON_VALUE_NUMBER || !value.has_number)
        return FALSE;
      switch (condition->op)
        {
        case OP_EQUAL: return value.number == condition->number;
        case OP_NOT_EQUAL: return value.number != condition->number;
        case OP_LESS: return value.number < condition->number;
        case OP_LESS_EQUAL: return value.number <= condition->number;
        case OP_GREATER: return value.number > condition->number;
        case OP_GREATER_EQUAL: return value.number >= condition->number;
        case OP_EXISTS:
        default:
          g_assert_not_reached ();
        }

    default:
      g_assert_not_reached ();
    }
}

/* Parses @text (see the header). On error, SONDE_ERROR_INVALID_PREDICATE
 * (or SONDE_ERROR_INVALID_PATH for a path that does not parse) with a
 * message that starts with the column in @text, e.g. “Column 8 of “$.sym =
 * "ABC"”: “=” is not an operator: compare with “==””. */
SondePredicate *
sonde_predicate_new (const char  *text,
                     GError     **error)
{
  g_autoptr(SondePredicate) self = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SondePredicate, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->text = g_strdup (text);
  self->conditions = g_array_new (FALSE, TRUE, sizeof (Condition));
  g_array_set_clear_func (self->conditions, (GDestroyNotify) condition_clear);

  if (!parse (self, self->text, error))
    return NULL;

  return g_steal_pointer (&self);
}

SondePredicate *
sonde_predicate_ref (SondePredicate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_predicate_unref (SondePredicate *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_array_unref (self->conditions);
  g_free (self->text);
  g_free (self);
}

/* The predicate as it was written. */
const char *
sonde_predicate_to_string (SondePredicate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/* Whether every condition holds for the JSON message @json (@length bytes,
 * no NUL needed). A message that is not JSON matches nothing. */
gboolean
sonde_predicate_matches (SondePredicate *self,
                         const char     *json,
                         gsize           length)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL || length == 0, FALSE);

  if (json == NULL)
    return FALSE;

  for (guint i = 0; i < self->conditions->len; i++)
    if (!condition_matches (&g_array_index (self->conditions, Condition, i), json, length))
      return FALSE;

  return TRUE;
}
