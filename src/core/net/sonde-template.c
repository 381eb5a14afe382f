/* sonde-template.c: message templates with {{placeholders}}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A template is parsed into segments, literal runs and placeholders, before
 * anything is expanded: an error leaves the context untouched, and an error
 * that the JSON or hex check finds in the expanded text is mapped back to a
 * line and column of what the user typed.
 */

#define G_LOG_DOMAIN "sonde-template"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-hex.h"
#include "sonde-json-format.h"
#include "sonde-template.h"

/* The time and UUID that sonde_template_validate() expands with. */
#define VALIDATE_NOW_US ((gint64) 1767225600 * G_USEC_PER_SEC)   /* 2026-01-01T00:00:00Z */
#define VALIDATE_UUID   "00000000-0000-4000-8000-000000000000"

/* Names longer than this are not quoted whole in an error message. */
#define MAX_QUOTED_NAME 32

typedef enum {
  PLACEHOLDER_NONE = -1,        /* a literal run */
  PLACEHOLDER_NOW,
  PLACEHOLDER_NOW_MS,
  PLACEHOLDER_SEQ,
  PLACEHOLDER_UUID,
  N_PLACEHOLDERS
} Placeholder;

static const char * const placeholder_names[N_PLACEHOLDERS] = {
  "now", "now_ms", "seq", "uuid",
};

/* What a template may hold, for error messages. */
static const char *
placeholder_list (void)
{
  return _("{{now}}, {{now_ms}}, {{seq}} or {{uuid}}");
}

typedef struct {
  Placeholder placeholder;
  gsize       src_start;        /* in the template: the literal run, or the whole {{…}} */
  gsize       src_end;
  gsize       out_start;        /* in the expansion */
  gsize       out_end;
} Segment;

static const char * const format_names[] = {
  [SONDE_MESSAGE_FORMAT_TEXT] = "text",
  [SONDE_MESSAGE_FORMAT_JSON] = "json",
  [SONDE_MESSAGE_FORMAT_BINARY] = "binary",
};

/* The 1-based line and column (in characters; an invalid byte counts as
 * one) of byte @offset of @text. */
static void
position_of (const char *text,
             gsize       offset,
             guint      *line,
             guint      *column)
{
  const char *line_start = text;
  const char *end = text + offset;

  *line = 1;
  for (const char *p = text; p < end; p++)
    {
      if (*p == '\n')
        {
          (*line)++;
          line_start = p + 1;
        }
    }

  *column = 1;
  for (const char *p = line_start; p < end; (*column)++)
    {
      gunichar ch = g_utf8_get_char_validated (p, end - p);

      p += (ch == (gunichar) -1 || ch == (gunichar) -2) ? 1 : g_utf8_skip[*(const guchar *) p];
    }
}

/* The byte offset of 1-based @line and @column in @text (the inverse of
 * position_of()), at most the length of @text. */
static gsize
offset_of (const char *text,
           guint       line,
           guint       column)
{
  const char *p = text;
  const char *end = text + strlen (text);

  for (guint l = 1; l < line && p < end; l++)
    {
      const char *newline = memchr (p, '\n', end - p);

      if (newline == NULL)
        return end - text;
      p = newline + 1;
    }

  for (guint c = 1; c < column && p < end && *p != '\n'; c++)
    {
      gunichar ch = g_utf8_get_char_validated (p, end - p);

      p += (ch == (gunichar) -1 || ch == (gunichar) -2) ? 1 : g_utf8_skip[*(const guchar *) p];
    }

  return p - text;
}

/* Optimal string alignment distance, ASCII case-insensitive: a swap of two
 * neighbours counts as one edit ({{nwo}} is one edit from {{now}}). */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  g_autofree guint *d = g_new (guint, (la + 1) * (lb + 1));

#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = (guint) i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = (guint) j;

  for (gsize i = 1; i <= la; i++)
    {
      for (gsize j = 1; j <= lb; j++)
        {
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          guint best = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

          best = MIN (best, D (i - 1, j - 1) + cost);
          if (i > 1 && j > 1 &&
              g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2]) &&
              g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
            best = MIN (best, D (i - 2, j - 2) + 1);
          D (i, j) = best;
        }
    }

  return D (la, lb);
#undef D
}

/* The placeholder @name most likely meant, or NULL when none is close. */
static const char *
closest_placeholder (const char *name)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  if (*name == '\0' || strlen (name) > MAX_QUOTED_NAME)
    return NULL;

  for (guint i = 0; i < N_PLACEHOLDERS; i++)
    {
      guint distance = edit_distance (name, placeholder_names[i]);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = placeholder_names[i];
        }
    }

  /* At most two edits, and fewer than half of a short name. */
  if (best_distance <= 2 && best_distance * 2 < MAX (strlen (name), strlen (best)))
    return best;

  /* Or the longest start in common, of three letters or more:
   * {{sequence}} means {{seq}}, {{now_millis}} {{now_ms}}. */
  best = NULL;
  best_distance = 2;
  for (guint i = 0; i < N_PLACEHOLDERS; i++)
    {
      guint common = 0;

      while (name[common] != '\0' &&
             g_ascii_tolower (name[common]) == placeholder_names[i][common])
        common++;
      if (common > best_distance)
        {
          best_distance = common;
          best = placeholder_names[i];
        }
    }

  return best;
}

static char *
quote_name (const char *name)
{
  g_autofree char *start = NULL;

  if (g_utf8_strlen (name, -1) <= MAX_QUOTED_NAME)
    return g_strdup (name);

  start = g_utf8_substring (name, 0, MAX_QUOTED_NAME - 1);
  return g_strconcat (start, "…", NULL);
}

static void
set_unterminated_error (GError     **error,
                        const char  *text,
                        gsize        open)
{
  const char *p = text + open + 2;
  g_autofree char *word = NULL;
  const char *suggestion;
  guint line;
  guint column;
  gsize n = 0;

  position_of (text, open, &line, &column);

  while (*p == ' ' || *p == '\t')
    p++;
  while (g_ascii_isalnum (p[n]) || p[n] == '_')
    n++;
  word = g_strndup (p, n);
  suggestion = closest_placeholder (word);

  if (suggestion != NULL)
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE,
                 _("The placeholder “{{” at line %u, column %u is not closed: did you mean {{%s}}?"),
                 line, column, suggestion);
  else
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE,
                 _("The placeholder “{{” at line %u, column %u is not closed: close it with “}}”, "
                   "and use %s"),
                 line, column, placeholder_list ());
}

static void
set_unknown_error (GError     **error,
                   const char  *text,
                   gsize        open,
                   const char  *name)
{
  g_autofree char *quoted = quote_name (name);
  const char *suggestion = closest_placeholder (name);
  guint line;
  guint column;

  position_of (text, open, &line, &column);

  if (*name == '\0')
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE,
                 _("Empty placeholder {{}} at line %u, column %u: use %s"),
                 line, column, placeholder_list ());
  else if (suggestion != NULL)
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE,
                 _("Unknown placeholder {{%s}} at line %u, column %u: did you mean {{%s}}? "
                   "Use %s"),
                 quoted, line, column, suggestion, placeholder_list ());
  else
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE,
                 _("Unknown placeholder {{%s}} at line %u, column %u: use %s"),
                 quoted, line, column, placeholder_list ());
}

static void
add_segment (GArray      *segments,
             Placeholder  placeholder,
             gsize        src_start,
             gsize        src_end)
{
  Segment segment = { placeholder, src_start, src_end, 0, 0 };

  if (placeholder == PLACEHOLDER_NONE && src_start == src_end)
    return;
  g_array_append_val (segments, segment);
}

/* Splits @text into segments (when @segments is not NULL). In a run of
 * three '{', the placeholder starts at the last two: "{{{seq}}}" is "{",
 * {{seq}} and "}" (JSON such as [{{{seq}}: …] is not JSON, but a text
 * message may say it). Four or more are an error: "{{" would be left. */
static gboolean
parse (const char  *text,
       GArray      *segments,
       gboolean    *uses_seq,
       GError     **error)
{
  gsize literal_start = 0;
  gsize i = 0;

  *uses_seq = FALSE;

  while (text[i] != '\0')
    {
      gsize open;
      const char *close;
      g_autofree char *name = NULL;
      Placeholder placeholder = PLACEHOLDER_NONE;

      if (text[i] != '{' || text[i + 1] != '{')
        {
          i++;
          continue;
        }

      open = i;
      if (text[open + 2] == '{')
        {
          if (text[open + 3] == '{')
            {
              set_unterminated_error (error, text, open);
              return FALSE;
            }
          open++;
        }

      close = strstr (text + open + 2, "}}");
      if (close == NULL ||
          memchr (text + open + 2, '\n', close - (text + open + 2)) != NULL ||
          g_strstr_len (text + open + 2, close - (text + open + 2), "{{") != NULL)
        {
          set_unterminated_error (error, text, open);
          return FALSE;
        }

      name = g_strstrip (g_strndup (text + open + 2, close - (text + open + 2)));
      for (guint p = 0; p < N_PLACEHOLDERS; p++)
        {
          if (g_str_equal (name, placeholder_names[p]))
            placeholder = p;
        }

      if (placeholder == PLACEHOLDER_NONE)
        {
          set_unknown_error (error, text, open, name);
          return FALSE;
        }

      if (placeholder == PLACEHOLDER_SEQ)
        *uses_seq = TRUE;

      i = close + 2 - text;
      if (segments != NULL)
        {
          add_segment (segments, PLACEHOLDER_NONE, literal_start, open);
          add_segment (segments, placeholder, open, i);
        }
      literal_start = i;
    }

  if (segments != NULL)
    add_segment (segments, PLACEHOLDER_NONE, literal_start, i);

  return TRUE;
}

static void
append_now (GString *out,
            gint64   now_us)
{
  gint64 seconds = now_us / G_USEC_PER_SEC;
  gint64 us = now_us % G_USEC_PER_SEC;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (us < 0)
    {
      us += G_USEC_PER_SEC;
      seconds--;
    }

  time = g_date_time_new_from_unix_utc (seconds);
  if (time == NULL)
    time = g_date_time_new_from_unix_utc (0);
  text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  g_string_append_printf (out, "%s.%03dZ", text, (int) (us / 1000));
}

static void
append_now_ms (GString *out,
               gint64   now_us)
{
  gint64 ms = now_us / 1000;

  if (now_us % 1000 < 0)
    ms--;
  g_string_append_printf (out, "%" G_GINT64_FORMAT, ms);
}

/* Expands @text; @uuid NULL means a fresh UUID for each {{uuid}}. Fills
 * @segments (nullable) with where each piece went. */
static char *
expand (const char            *text,
        SondeTemplateContext  *context,
        gint64                 now_us,
        const char            *uuid,
        GArray                *segments,
        GError               **error)
{
  g_autoptr(GArray) own_segments = NULL;
  gboolean uses_seq;
  guint64 seq = 0;
  GString *out;

  if (segments == NULL)
    segments = own_segments = g_array_new (FALSE, FALSE, sizeof (Segment));

  if (!parse (text, segments, &uses_seq, error))
    return NULL;

  if (uses_seq)
    {
      if (context != NULL)
        seq = ++context->seq;
      else
        seq = 1;
    }

  out = g_string_sized_new (strlen (text) + 16);
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      segment->out_start = out->len;
      switch (segment->placeholder)
        {
        case PLACEHOLDER_NONE:
          g_string_append_len (out, text + segment->src_start, segment->src_end - segment->src_start);
          break;
        case PLACEHOLDER_NOW:
          append_now (out, now_us);
          break;
        case PLACEHOLDER_NOW_MS:
          append_now_ms (out, now_us);
          break;
        case PLACEHOLDER_SEQ:
          g_string_append_printf (out, "%" G_GUINT64_FORMAT, seq);
          break;
        case PLACEHOLDER_UUID:
          if (uuid != NULL)
            g_string_append (out, uuid);
          else
            {
              g_autofree char *fresh = g_uuid_string_random ();

              g_string_append (out, fresh);
            }
          break;
        case N_PLACEHOLDERS:
        default:
          g_assert_not_reached ();
        }
      segment->out_end = out->len;
    }

  return g_string_free (out, FALSE);
}

/* Rewrites @inner, an error of the JSON or hex check of @expanded that
 * starts with "Line L, column C: ", to point into @text, which the user
 * typed. An error inside the value of a placeholder says so. */
static void
propagate_mapped_error (GError      **error,
                        GError       *inner,
                        const char   *text,
                        const char   *expanded,
                        GArray       *segments,
                        guint         line,
                        guint         column,
                        gboolean      is_json)
{
  const char *detail = inner->message;
  /* The inner error starts with its own position, in the same words. */
  g_autofree char *inner_position = g_strdup_printf (_("Line %u, column %u: %s"), line, column, "");
  gsize offset;
  gsize src_offset = strlen (text);
  const Segment *in_placeholder = NULL;
  guint src_line;
  guint src_column;

  if (g_str_has_prefix (detail, inner_position))
    detail += strlen (inner_position);

  offset = offset_of (expanded, line, column);
  for (guint i = 0; i < segments->len; i++)
    {
      const Segment *segment = &g_array_index (segments, Segment, i);

      if (offset >= segment->out_start && offset < segment->out_end)
        {
          if (segment->placeholder == PLACEHOLDER_NONE)
            src_offset = segment->src_start + (offset - segment->out_start);
          else
            {
              src_offset = segment->src_start;
              in_placeholder = segment;
            }
          break;
        }
    }

  position_of (text, src_offset, &src_line, &src_column);

  if (in_placeholder != NULL)
    {
      g_autofree char *value = g_strndup (expanded + in_placeholder->out_start,
                                          in_placeholder->out_end - in_placeholder->out_start);
      gboolean is_string = in_placeholder->placeholder == PLACEHOLDER_NOW ||
                           in_placeholder->placeholder == PLACEHOLDER_UUID;

      g_set_error (error, inner->domain, inner->code,
                   _("After placeholders: line %u, column %u: %s (there {{%s}} became “%s”%s)"),
                   src_line, src_column, detail,
                   placeholder_names[in_placeholder->placeholder], value,
                   is_json && is_string ? _("; put it in quotes to make it a JSON string") : "");
    }
  else
    g_set_error (error, inner->domain, inner->code,
                 _("Line %u, column %u: %s"), src_line, src_column, detail);
}

static GBytes *
render (const char            *text,
        SondeMessageFormat     format,
        SondeTemplateContext  *context,
        gint64                 now_us,
        const char            *uuid,
        GError               **error)
{
  g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_autoptr(GError) local_error = NULL;
  SondeTemplateContext scratch = { 0 };
  char *expanded;
  gsize length;
  guint line = 0;
  guint column = 0;

  if (context != NULL)
    scratch = *context;

  /* The context advances only when the whole message renders. */
  expanded = expand (text, &scratch, now_us, uuid, segments, error);
  if (expanded == NULL)
    return NULL;
  length = strlen (expanded);

  switch (format)
    {
    case SONDE_MESSAGE_FORMAT_TEXT:
      {
        const char *bad;

        if (!g_utf8_validate (expanded, length, &bad))
          {
            position_of (expanded, bad - expanded, &line, &column);
            local_error = g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_TEXT,
                                       _("Line %u, column %u: this is not valid UTF-8 text"),
                                       line, column);
          }
        break;
      }

    case SONDE_MESSAGE_FORMAT_JSON:
      sonde_json_validate (expanded, length, &line, &column, &local_error);
      break;

    case SONDE_MESSAGE_FORMAT_BINARY:
      {
        g_autoptr(GBytes) bytes = sonde_hex_parse (expanded, length, &line, &column, &local_error);

        if (bytes != NULL)
          {
            g_free (expanded);
            if (context != NULL)
              *context = scratch;
            return g_steal_pointer (&bytes);
          }
        break;
      }

    default:
      g_free (expanded);
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("Unknown message format %d"), (int) format);
      return NULL;
    }

  if (local_error != NULL)
    {
      propagate_mapped_error (error, local_error, text, expanded, segments, line, column,
                              format == SONDE_MESSAGE_FORMAT_JSON);
      g_free (expanded);
      return NULL;
    }

  if (context != NULL)
    *context = scratch;
  return g_bytes_new_take (expanded, length);
}

/* Checks the placeholders of @text without expanding anything: an unknown
 * placeholder or a "{{" with no "}}" is a SONDE_ERROR_INVALID_TEMPLATE
 * error whose message gives the line and column (1-based, in characters)
 * and the closest placeholder when one is close. */
gboolean
sonde_template_check (const char  *text,
                      GError     **error)
{
  gboolean uses_seq;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse (text, NULL, &uses_seq, error);
}

/* Expands the placeholders of @text with the current time and fresh UUIDs
 * (each {{uuid}} its own). {{seq}} advances @context once per expansion
 * that uses it, so several {{seq}} in one message share a value; with a
 * NULL @context it is 1. On error (see sonde_template_check()) @context is
 * unchanged. */
char *
sonde_template_expand (const char            *text,
                       SondeTemplateContext  *context,
                       GError               **error)
{
  return sonde_template_expand_at (text, context, g_get_real_time (), NULL, error);
}

/* As sonde_template_expand(), with {{now}} and {{now_ms}} at @now_us
 * (microseconds since the Unix epoch) and every {{uuid}} @uuid, or a fresh
 * UUID each when @uuid is NULL. */
char *
sonde_template_expand_at (const char            *text,
                          SondeTemplateContext  *context,
                          gint64                 now_us,
                          const char            *uuid,
                          GError               **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return expand (text, context, now_us, uuid, NULL, error);
}

/* Expands @text and turns it into the payload for @format: TEXT gives the
 * UTF-8 bytes, JSON the bytes once they validate as JSON, BINARY the bytes
 * the hex spells. An error of the format check (SONDE_ERROR_INVALID_TEXT,
 * _INVALID_JSON or _INVALID_HEX) points at the line and column of @text;
 * when it lies in the value of a placeholder (as an unquoted {{now}} in
 * JSON), the message starts with “After placeholders:” and names it. On any
 * error @context is unchanged. */
GBytes *
sonde_template_render (const char            *text,
                       SondeMessageFormat     format,
                       SondeTemplateContext  *context,
                       GError               **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return render (text, format, context, g_get_real_time (), NULL, error);
}

/* As sonde_template_render(), with @uuid for every {{uuid}}: a latency
 * probe knows which reply answers it. */
GBytes *
sonde_template_render_with_uuid (const char            *text,
                                 SondeMessageFormat     format,
                                 SondeTemplateContext  *context,
                                 const char            *uuid,
                                 GError               **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return render (text, format, context, g_get_real_time (), uuid, error);
}

/* Whether {{uuid}} is in @text (with any spacing inside the braces). */
gboolean
sonde_template_has_uuid (const char *text)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  /* Rendered as text with two different UUIDs: they differ only if the
   * placeholder is there. */
  first = render (text, SONDE_MESSAGE_FORMAT_TEXT, NULL, VALIDATE_NOW_US, "00000000-0000-4000-8000-000000000000", NULL);
  second = render (text, SONDE_MESSAGE_FORMAT_TEXT, NULL, VALIDATE_NOW_US, "11111111-1111-4111-9111-111111111111", NULL);
  return first != NULL && second != NULL && !g_bytes_equal (first, second);
}

/* Whether @text would render as @format, with the errors of
 * sonde_template_render(); nothing changes (placeholders are expanded with
 * a scratch context, a fixed time and a fixed UUID). */
gboolean
sonde_template_validate (const char          *text,
                         SondeMessageFormat   format,
                         GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = render (text, format, NULL, VALIDATE_NOW_US, VALIDATE_UUID, error);
  return bytes != NULL;
}

/* "text", "json" or "binary", as in profile files. */
const char *
sonde_message_format_to_string (SondeMessageFormat format)
{
  if ((guint) format < G_N_ELEMENTS (format_names))
    return format_names[format];
  return NULL;
}

gboolean
sonde_message_format_from_string (const char         *text,
                                  SondeMessageFormat *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    {
      if (g_str_equal (text, format_names[i]))
        {
          *format = (SondeMessageFormat) i;
          return TRUE;
        }
    }

  return FALSE;
}
