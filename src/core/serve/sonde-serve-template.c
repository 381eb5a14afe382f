/* sonde-serve-template.c: a message the mock server sends, with values from
 * the message it answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A template is compiled into parts once: text that goes out as it is,
 * pieces that Sonde's own template engine expands (sonde-template.c, not a
 * second engine), and {{$.path}} values. Every piece of one rendering is
 * expanded with the same time and from the same {{seq}}, so a message reads
 * as if it were one template.
 */

#define G_LOG_DOMAIN "sonde-serve-template"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-hex.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-serve-template.h"

typedef enum {
  PART_RAW,        /* goes out as it is */
  PART_TEMPLATE,   /* expanded by sonde_template_expand_at() */
  PART_PATH,       /* the value at a path, inside text or a JSON string */
  PART_VALUE,      /* the value at a path as a JSON value of its own type */
} PartKind;

typedef struct {
  PartKind       kind;
  gboolean       in_string;  /* inside a JSON string: escape what is not escaped */
  char          *text;       /* RAW, TEMPLATE */
  SondeJsonPath *path;       /* PATH, VALUE */
} Part;

struct _SondeServeTemplate
{
  GArray   *parts;
  gboolean  binary;
};

static void
part_clear (gpointer data)
{
  Part *part = data;

  g_clear_pointer (&part->text, g_free);
  g_clear_pointer (&part->path, sonde_json_path_unref);
}

static SondeServeTemplate *
template_new (void)
{
  SondeServeTemplate *self = g_new0 (SondeServeTemplate, 1);

  self->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (self->parts, part_clear);
  return self;
}

static void
add_part (SondeServeTemplate *self,
          PartKind            kind,
          gboolean            in_string,
          const char         *text,
          gsize               length,
          SondeJsonPath      *path)
{
  Part part = { kind, in_string, NULL, path };

  if (kind == PART_RAW && self->parts->len > 0)
    {
      Part *last = &g_array_index (self->parts, Part, self->parts->len - 1);

      if (last->kind == PART_RAW)
        {
          char *joined = g_strdup_printf ("%s%.*s", last->text, (int) length, text);

          g_free (last->text);
          last->text = joined;
          return;
        }
    }
  if (text != NULL)
    part.text = g_strndup (text, length);
  g_array_append_val (self->parts, part);
}

/* Where the {{$…}} placeholder that starts at @text[@i] ends (after its
 * "}}"), or 0 when @text[@i] starts none. */
static gsize
path_placeholder_end (const char *text,
                      gsize       i)
{
  const char *p;
  const char *close;

  if (text[i] != '{' || text[i + 1] != '{')
    return 0;
  p = text + i + 2;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '$')
    return 0;
  close = strstr (p, "}}");
  if (close == NULL || memchr (p, '\n', close - p) != NULL)
    return 0;
  return close + 2 - text;
}

static void
position_of (const char *text,
             gsize       offset,
             guint      *line,
             guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < offset; i++)
    {
      if (text[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) text[i] & 0xc0) != 0x80)
        (*column)++;
    }
}

/* Splits @text into template pieces and paths (into @self when not NULL)
 * and checks it: @masked becomes @text with every {{$…}} blanked out, for
 * Sonde's own template check (positions stay where they were). */
static gboolean
compile_text (SondeServeTemplate *self,
              const char         *text,
              gboolean            in_string,
              GString            *masked,
              GError            **error)
{
  gsize start = 0;
  gsize i = 0;

  while (text[i] != '\0')
    {
      gsize end = path_placeholder_end (text, i);
      g_autofree char *name = NULL;
      g_autoptr(GError) path_error = NULL;
      SondeJsonPath *path;

      if (end == 0)
        {
          g_string_append_c (masked, text[i]);
          i++;
          continue;
        }

      name = g_strstrip (g_strndup (text + i + 2, end - 2 - (i + 2)));
      path = sonde_json_path_new (name, &path_error);
      if (path == NULL)
        {
          guint line;
          guint column;

          position_of (text, i, &line, &column);
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH,
                       _("The placeholder at line %u, column %u is not a JSON path: %s"),
                       line, column, path_error->message);
          return FALSE;
        }

      if (self != NULL)
        {
          if (i > start)
            add_part (self, PART_TEMPLATE, in_string, text + start, i - start, NULL);
          add_part (self, PART_PATH, in_string, NULL, 0, path);
        }
      else
        sonde_json_path_unref (path);

      for (gsize k = i; k < end; k++)
        g_string_append_c (masked, ' ');
      i = start = end;
    }

  if (self != NULL && i > start)
    add_part (self, PART_TEMPLATE, in_string, text + start, i - start, NULL);
  return TRUE;
}

static gboolean
compile_string (SondeServeTemplate *self,
                const char         *text,
                gboolean            in_json,
                GError            **error)
{
  g_autoptr(GString) masked = g_string_new (NULL);

  if (!compile_text (NULL, text, in_json, masked, error))
    return FALSE;
  if (!sonde_template_check (masked->str, error))
    return FALSE;
  return compile_text (self, text, in_json, masked, error);
}

/* Whether @text is {{seq}} or {{now_ms}} and nothing else. */
static gboolean
is_number_placeholder (const char *text)
{
  g_autofree char *inner = NULL;
  gsize length;

  while (g_ascii_isspace (*text))
    text++;
  length = strlen (text);
  while (length > 0 && g_ascii_isspace (text[length - 1]))
    length--;
  if (length < 4 || !g_str_has_prefix (text, "{{") || text[length - 1] != '}' || text[length - 2] != '}')
    return FALSE;
  inner = g_strstrip (g_strndup (text + 2, length - 4));
  return g_str_equal (inner, "seq") || g_str_equal (inner, "now_ms");
}

static gboolean
compile_json (SondeServeTemplate *self,
              JsonNode           *node,
              GError            **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        gboolean first = TRUE;

        add_part (self, PART_RAW, FALSE, "{", 1, NULL);
        for (GList *l = members; l != NULL; l = l->next)
          {
            g_autoptr(GString) key = g_string_new (first ? "" : ",");

            sonde_json_append_string (key, l->data, -1);
            g_string_append_c (key, ':');
            add_part (self, PART_RAW, FALSE, key->str, key->len, NULL);
            if (!compile_json (self, json_object_get_member (object, l->data), error))
              return FALSE;
            first = FALSE;
          }
        add_part (self, PART_RAW, FALSE, "}", 1, NULL);
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        add_part (self, PART_RAW, FALSE, "[", 1, NULL);
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              add_part (self, PART_RAW, FALSE, ",", 1, NULL);
            if (!compile_json (self, json_array_get_element (array, i), error))
              return FALSE;
          }
        add_part (self, PART_RAW, FALSE, "]", 1, NULL);
        return TRUE;
      }

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (node);
          gsize length = strlen (text);
          gsize start = 0;
          gsize end;

          while (g_ascii_isspace (text[start]))
            start++;
          end = path_placeholder_end (text, start);
          while (end > 0 && g_ascii_isspace (text[end]))
            end++;
          if (end > 0 && end == length)
            {
              /* One {{$.path}} and nothing else: the value itself. */
              g_autofree char *name = g_strstrip (g_strndup (text + start + 2, length - start - 2));
              char *close = strstr (name, "}}");
              SondeJsonPath *path;

              *close = '\0';
              g_strstrip (name);
              path = sonde_json_path_new (name, error);
              if (path == NULL)
                return FALSE;
              add_part (self, PART_VALUE, FALSE, NULL, 0, path);
              return TRUE;
            }

          if (is_number_placeholder (text))
            {
              /* {{seq}} or {{now_ms}} alone: a number, not a string. */
              add_part (self, PART_TEMPLATE, FALSE, text, length, NULL);
              return TRUE;
            }

          add_part (self, PART_RAW, FALSE, "\"", 1, NULL);
          if (!compile_string (self, text, TRUE, error))
            return FALSE;
          add_part (self, PART_RAW, FALSE, "\"", 1, NULL);
          return TRUE;
        }
      else
        {
          g_autofree char *token = json_to_string (node, FALSE);

          add_part (self, PART_RAW, FALSE, token, strlen (token), NULL);
          return TRUE;
        }

    case JSON_NODE_NULL:
      add_part (self, PART_RAW, FALSE, "null", 4, NULL);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

SondeServeTemplate *
sonde_serve_template_new_text (const char  *text,
                               GError     **error)
{
  g_autoptr(SondeServeTemplate) self = template_new ();

  g_return_val_if_fail (text != NULL, NULL);

  if (!compile_string (self, text, FALSE, error))
    return NULL;
  return g_steal_pointer (&self);
}

SondeServeTemplate *
sonde_serve_template_new_binary (const char  *hex,
                                 GError     **error)
{
  g_autoptr(SondeServeTemplate) self = sonde_serve_template_new_text (hex, error);

  if (self == NULL)
    return NULL;
  self->binary = TRUE;

  /* Checked as hex with its values left out (they may add bytes). */
  {
    g_autoptr(GString) masked = g_string_new (NULL);

    compile_text (NULL, hex, FALSE, masked, NULL);
    if (!sonde_template_validate (masked->str, SONDE_MESSAGE_FORMAT_BINARY, error))
      return NULL;
  }
  return g_steal_pointer (&self);
}

SondeServeTemplate *
sonde_serve_template_new_json (JsonNode  *value,
                               GError   **error)
{
  g_autoptr(SondeServeTemplate) self = template_new ();

  g_return_val_if_fail (value != NULL, NULL);

  if (!compile_json (self, value, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
sonde_serve_template_free (SondeServeTemplate *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->parts);
  g_free (self);
}

gboolean
sonde_serve_template_is_binary (SondeServeTemplate *self)
{
  return self->binary;
}

static void
append_escaped (GString    *out,
                const char *text,
                gsize       length)
{
  gsize before = out->len;

  /* sonde_json_append_string() writes the quotes too: keep what is
   * between them. */
  sonde_json_append_string (out, text, (gssize) length);
  g_string_erase (out, before, 1);
  g_string_truncate (out, out->len - 1);
}

static void
append_value (GString        *out,
              const Part     *part,
              const char     *message,
              gsize           length)
{
  SondeJsonValue value = { 0 };

  if (message == NULL || !sonde_json_path_lookup (part->path, message, length, &value) ||
      value.type == SONDE_JSON_VALUE_NONE)
    {
      if (part->kind == PART_VALUE)
        g_string_append (out, "null");
      return;
    }

  if (value.type == SONDE_JSON_VALUE_STRING)
    {
      if (part->kind == PART_VALUE)
        g_string_append_c (out, '"');
      g_string_append_len (out, value.text, value.text_length);
      if (part->kind == PART_VALUE)
        g_string_append_c (out, '"');
    }
  else if (part->in_string)
    append_escaped (out, value.text, value.text_length);
  else
    g_string_append_len (out, value.text, value.text_length);
}

GBytes *
sonde_serve_template_render (SondeServeTemplate   *self,
                             SondeTemplateContext *context,
                             const char           *message,
                             gsize                 length,
                             GError              **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now_us = g_get_real_time ();
  guint64 seq = context != NULL ? context->seq : 0;
  gboolean used_seq = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);

      switch (part->kind)
        {
        case PART_RAW:
          g_string_append (out, part->text);
          break;

        case PART_TEMPLATE:
          {
            /* Every piece starts from the same {{seq}}: one per message. */
            SondeTemplateContext scratch = { seq };
            g_autofree char *expanded = sonde_template_expand_at (part->text, &scratch, now_us, NULL, NULL);

            if (expanded == NULL)
              break;   /* checked when compiled: cannot happen */
            used_seq |= scratch.seq != seq;
            if (part->in_string)
              append_escaped (out, expanded, strlen (expanded));
            else
              g_string_append (out, expanded);
            break;
          }

        case PART_PATH:
        case PART_VALUE:
          append_value (out, part, message, length);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (used_seq && context != NULL)
    context->seq = seq + 1;

  if (self->binary)
    {
      guint line = 0;
      guint column = 0;

      return sonde_hex_parse (out->str, (gssize) out->len, &line, &column, error);
    }
  return g_string_free_to_bytes (g_steal_pointer (&out));
}
