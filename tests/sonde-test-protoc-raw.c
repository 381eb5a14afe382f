/* sonde-test-protoc-raw.c: `protoc --decode_raw`'s text as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-test-protoc-raw.h"

typedef struct {
  GPtrArray  *keys;     /* field numbers in the order they first appear */
  GHashTable *values;   /* number → GPtrArray of JSON texts */
} RawObject;

static RawObject *
raw_object_new (void)
{
  RawObject *object = g_new0 (RawObject, 1);

  object->keys = g_ptr_array_new_with_free_func (g_free);
  object->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  return object;
}

static void
raw_object_add (RawObject  *object,
                const char *key,
                char       *json)
{
  GPtrArray *values = g_hash_table_lookup (object->values, key);

  if (values == NULL)
    {
      char *owned = g_strdup (key);

      values = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (object->keys, owned);
      g_hash_table_insert (object->values, owned, values);
    }
  g_ptr_array_add (values, json);
}

/* Frees @object. */
static char *
raw_object_to_json (RawObject *object)
{
  GString *json = g_string_new ("{");

  for (guint i = 0; i < object->keys->len; i++)
    {
      const char *key = g_ptr_array_index (object->keys, i);
      GPtrArray *values = g_hash_table_lookup (object->values, key);

      g_string_append_printf (json, "%s\"%s\":%s", i > 0 ? "," : "", key, values->len > 1 ? "[" : "");
      for (guint j = 0; j < values->len; j++)
        g_string_append_printf (json, "%s%s", j > 0 ? "," : "", (const char *) g_ptr_array_index (values, j));
      if (values->len > 1)
        g_string_append_c (json, ']');
    }
  g_string_append_c (json, '}');
  g_hash_table_unref (object->values);
  g_ptr_array_unref (object->keys);
  g_free (object);
  return g_string_free (json, FALSE);
}

/* protoc's C escapes: \n \r \t \" \' \\ and octal \NNN. */
static GBytes *
unescape (const char *text,
          gsize       len)
{
  GByteArray *bytes = g_byte_array_new ();

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = (guint8) text[i];

      if (b == '\\' && i + 1 < len)
        {
          char e = text[++i];

          if (e >= '0' && e <= '7')
            {
              guint v = 0;

              for (guint n = 0; n < 3 && i < len && text[i] >= '0' && text[i] <= '7'; n++, i++)
                v = v * 8 + (guint) (text[i] - '0');
              i--;
              b = (guint8) v;
            }
          else
            b = (guint8) (e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e);
        }
      g_byte_array_append (bytes, &b, 1);
    }
  return g_byte_array_free_to_bytes (bytes);
}

static char *
number_json (guint64 v)
{
  if (v <= (G_GUINT64_CONSTANT (1) << 53))
    return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
  return g_strdup_printf ("\"%" G_GUINT64_FORMAT "\"", v);
}

char *
sonde_test_protoc_raw_to_json (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack_keys = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (stack, raw_object_new ());
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      RawObject *top = g_ptr_array_index (stack, stack->len - 1);
      char *colon;

      if (*line == '\0')
        continue;
      if (g_str_equal (line, "}"))
        {
          g_autofree char *key = g_strdup (g_ptr_array_index (stack_keys, stack_keys->len - 1));
          char *json = raw_object_to_json (top);

          g_ptr_array_remove_index (stack, stack->len - 1);
          g_ptr_array_remove_index (stack_keys, stack_keys->len - 1);
          raw_object_add (g_ptr_array_index (stack, stack->len - 1), key, json);
          continue;
        }
      if (g_str_has_suffix (line, " {"))
        {
          line[strlen (line) - 2] = '\0';
          g_ptr_array_add (stack_keys, g_strdup (line));
          g_ptr_array_add (stack, raw_object_new ());
          continue;
        }

      colon = strstr (line, ": ");
      g_assert_nonnull (colon);
      *colon = '\0';
      colon += 2;
      if (*colon == '"')
        {
          g_autoptr(GBytes) bytes = unescape (colon + 1, strlen (colon) - 2);
          gsize size = 0;
          const char *data = g_bytes_get_data (bytes, &size);
          GString *json = g_string_new (NULL);

          if (size == 0)
            g_string_append (json, "\"\"");
          else if (g_utf8_validate (data, size, NULL) && memchr (data, '\0', size) == NULL)
            {
              g_autofree char *plain = g_strndup (data, size);
              g_autoptr(JsonArray) array = json_array_new ();
              g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
              g_autofree char *quoted = NULL;

              /* "[…]": json-glib quotes the string */
              json_array_add_string_element (array, plain);
              json_node_set_array (node, array);
              quoted = json_to_string (node, FALSE);
              g_string_append_len (json, quoted + 1, (gssize) strlen (quoted) - 2);
            }
          else
            {
              g_autofree char *b64 = g_base64_encode ((const guchar *) data, size);

              g_string_append_printf (json, "\"%s\"", b64);
            }
          raw_object_add (top, line, g_string_free (json, FALSE));
        }
      else if (g_str_has_prefix (colon, "0x"))
        raw_object_add (top, line, number_json (g_ascii_strtoull (colon + 2, NULL, 16)));
      else
        raw_object_add (top, line, number_json (g_ascii_strtoull (colon, NULL, 10)));
    }
  g_assert_cmpuint (stack->len, ==, 1);
  return raw_object_to_json (g_ptr_array_index (stack, 0));
}
