/* sonde-decode-protobuf-schema.c: Protobuf payloads as JSON text by a
 * descriptor set: fields by their .proto names, 64-bit integers past 2^53
 * as strings, bytes as base64, enums by name, maps as objects; unknown
 * fields decoded raw under their number. The scan and the raw writer are
 * sonde-decode-protobuf.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "sonde-decode-protobuf-private.h"
#include "sonde-json-writer.h"

/* Decoding by schema */

static gboolean schema_message (Decoder           *dec,
                                SondeProtoMessage *message,
                                const Span        *spans,
                                guint              n_spans,
                                guint              depth);

/* The wire type a field's values have when not packed. */
static guint8
natural_wire_type (guint8 type)
{
  switch ((SondeProtoType) type)
    {
    case SONDE_PROTO_TYPE_DOUBLE:
    case SONDE_PROTO_TYPE_FIXED64:
    case SONDE_PROTO_TYPE_SFIXED64:
      return SONDE_PROTO_WIRE_FIXED64;
    case SONDE_PROTO_TYPE_FLOAT:
    case SONDE_PROTO_TYPE_FIXED32:
    case SONDE_PROTO_TYPE_SFIXED32:
      return SONDE_PROTO_WIRE_FIXED32;
    case SONDE_PROTO_TYPE_STRING:
    case SONDE_PROTO_TYPE_BYTES:
    case SONDE_PROTO_TYPE_MESSAGE:
      return SONDE_PROTO_WIRE_LEN;
    case SONDE_PROTO_TYPE_GROUP:
      return SONDE_PROTO_WIRE_START_GROUP;
    case SONDE_PROTO_TYPE_INT64:
    case SONDE_PROTO_TYPE_UINT64:
    case SONDE_PROTO_TYPE_INT32:
    case SONDE_PROTO_TYPE_BOOL:
    case SONDE_PROTO_TYPE_UINT32:
    case SONDE_PROTO_TYPE_ENUM:
    case SONDE_PROTO_TYPE_SINT32:
    case SONDE_PROTO_TYPE_SINT64:
    default:
      return SONDE_PROTO_WIRE_VARINT;
    }
}

static gboolean
is_scalar_wire (guint8 wire_type)
{
  return wire_type == SONDE_PROTO_WIRE_VARINT
    || wire_type == SONDE_PROTO_WIRE_FIXED64
    || wire_type == SONDE_PROTO_WIRE_FIXED32;
}

static gboolean
field_accepts (const SondeProtoFieldDesc *field,
               guint8                     wire_type)
{
  guint8 natural = natural_wire_type (field->type);

  if (wire_type == natural)
    return TRUE;
  /* Packed: repeated numbers, bools and enums, packed or not. */
  return field->label == 3 && wire_type == SONDE_PROTO_WIRE_LEN && is_scalar_wire (natural);
}

static gboolean
is_map (const SondeProtoFieldDesc *field)
{
  return field->label == 3
    && field->type == SONDE_PROTO_TYPE_MESSAGE
    && field->message != NULL
    && field->message->map_entry
    && g_hash_table_contains (field->message->by_number, GUINT_TO_POINTER (1))
    && g_hash_table_contains (field->message->by_number, GUINT_TO_POINTER (2));
}

static gint32
zigzag32 (guint32 u)
{
  return (gint32) (u >> 1) ^ -(gint32) (u & 1);
}

static gint64
zigzag64 (guint64 u)
{
  return (gint64) (u >> 1) ^ -(gint64) (u & 1);
}

/* A number, bool or enum from its wire value. */
static void
append_scalar (GString                   *json,
               const SondeProtoFieldDesc *field,
               guint64                    v)
{
  switch ((SondeProtoType) field->type)
    {
    case SONDE_PROTO_TYPE_DOUBLE:
      {
        double d;

        memcpy (&d, &v, sizeof d);
        sonde_pb_append_double (json, d);
        break;
      }
    case SONDE_PROTO_TYPE_FLOAT:
      {
        guint32 u = (guint32) v;
        float f;

        memcpy (&f, &u, sizeof f);
        sonde_pb_append_float (json, f);
        break;
      }
    case SONDE_PROTO_TYPE_INT64:
    case SONDE_PROTO_TYPE_SFIXED64:
      sonde_pb_append_int (json, (gint64) v);
      break;
    case SONDE_PROTO_TYPE_UINT64:
    case SONDE_PROTO_TYPE_FIXED64:
      sonde_pb_append_uint (json, v);
      break;
    case SONDE_PROTO_TYPE_INT32:
    case SONDE_PROTO_TYPE_SFIXED32:
      g_string_append_printf (json, "%d", (gint32) (guint32) v);
      break;
    case SONDE_PROTO_TYPE_UINT32:
    case SONDE_PROTO_TYPE_FIXED32:
      g_string_append_printf (json, "%u", (guint32) v);
      break;
    case SONDE_PROTO_TYPE_BOOL:
      g_string_append (json, v != 0 ? "true" : "false");
      break;
    case SONDE_PROTO_TYPE_SINT32:
      g_string_append_printf (json, "%d", zigzag32 ((guint32) v));
      break;
    case SONDE_PROTO_TYPE_SINT64:
      sonde_pb_append_int (json, zigzag64 (v));
      break;
    case SONDE_PROTO_TYPE_ENUM:
      {
        gint32 number = (gint32) (guint32) v;
        const char *name = field->enum_type != NULL
          ? g_hash_table_lookup (field->enum_type->names, GINT_TO_POINTER (number))
          : NULL;

        if (name != NULL)
          sonde_json_append_string (json, name, -1);
        else
          g_string_append_printf (json, "%d", number);
        break;
      }
    case SONDE_PROTO_TYPE_STRING:
    case SONDE_PROTO_TYPE_GROUP:
    case SONDE_PROTO_TYPE_MESSAGE:
    case SONDE_PROTO_TYPE_BYTES:
    default:
      g_assert_not_reached ();
    }
}

/* The value a map entry's missing key or value stands for. */
static void
append_zero (GString                   *json,
             const SondeProtoFieldDesc *field)
{
  switch ((SondeProtoType) field->type)
    {
    case SONDE_PROTO_TYPE_STRING:
    case SONDE_PROTO_TYPE_BYTES:
      g_string_append (json, "\"\"");
      break;
    case SONDE_PROTO_TYPE_MESSAGE:
    case SONDE_PROTO_TYPE_GROUP:
      g_string_append (json, "{}");
      break;
    case SONDE_PROTO_TYPE_DOUBLE:
    case SONDE_PROTO_TYPE_FLOAT:
    case SONDE_PROTO_TYPE_INT64:
    case SONDE_PROTO_TYPE_UINT64:
    case SONDE_PROTO_TYPE_INT32:
    case SONDE_PROTO_TYPE_FIXED64:
    case SONDE_PROTO_TYPE_FIXED32:
    case SONDE_PROTO_TYPE_BOOL:
    case SONDE_PROTO_TYPE_UINT32:
    case SONDE_PROTO_TYPE_ENUM:
    case SONDE_PROTO_TYPE_SFIXED32:
    case SONDE_PROTO_TYPE_SFIXED64:
    case SONDE_PROTO_TYPE_SINT32:
    case SONDE_PROTO_TYPE_SINT64:
    default:
      append_scalar (json, field, 0);
      break;
    }
}

/* One value of @field (not packed). */
static gboolean
schema_value (Decoder                   *dec,
              const SondeProtoFieldDesc *field,
              const SondeProtoField     *wire,
              guint                      depth)
{
  Span span = { wire->data_start, wire->data_end };

  switch ((SondeProtoType) field->type)
    {
    case SONDE_PROTO_TYPE_STRING:
      return sonde_pb_append_text (dec, span.start, span.end);
    case SONDE_PROTO_TYPE_BYTES:
      return sonde_pb_append_base64 (dec, span.start, span.end);
    case SONDE_PROTO_TYPE_MESSAGE:
    case SONDE_PROTO_TYPE_GROUP:
      return schema_message (dec, field->message, &span, 1, depth);
    case SONDE_PROTO_TYPE_DOUBLE:
    case SONDE_PROTO_TYPE_FLOAT:
    case SONDE_PROTO_TYPE_INT64:
    case SONDE_PROTO_TYPE_UINT64:
    case SONDE_PROTO_TYPE_INT32:
    case SONDE_PROTO_TYPE_FIXED64:
    case SONDE_PROTO_TYPE_FIXED32:
    case SONDE_PROTO_TYPE_BOOL:
    case SONDE_PROTO_TYPE_UINT32:
    case SONDE_PROTO_TYPE_ENUM:
    case SONDE_PROTO_TYPE_SFIXED32:
    case SONDE_PROTO_TYPE_SFIXED64:
    case SONDE_PROTO_TYPE_SINT32:
    case SONDE_PROTO_TYPE_SINT64:
    default:
      append_scalar (dec->json, field, wire->value);
      return TRUE;
    }
}

/* The elements of a packed span, each after a comma but the very first
 * of the array (@count). */
static gboolean
schema_packed (Decoder                   *dec,
               const SondeProtoFieldDesc *field,
               const SondeProtoField     *wire,
               guint                     *count)
{
  SondeProtoReader r = { dec->base, wire->data_start, wire->data_end };
  guint8 natural = natural_wire_type (field->type);
  gsize size = natural == SONDE_PROTO_WIRE_FIXED64 ? 8 : natural == SONDE_PROTO_WIRE_FIXED32 ? 4 : 0;

  if (size > 0 && (r.end - r.pos) % size != 0)
    return sonde_pb_fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("a packed field of fixed-size values with a length that does not fit them"),
                 wire->tag_offset);

  while (r.pos < r.end)
    {
      SondeProtoField element = { .wire_type = natural };
      gsize at = r.pos;

      if (size == 8)
        {
          guint64 v;

          memcpy (&v, dec->base + r.pos, 8);
          element.value = GUINT64_FROM_LE (v);
          r.pos += 8;
        }
      else if (size == 4)
        {
          guint32 v;

          memcpy (&v, dec->base + r.pos, 4);
          element.value = GUINT32_FROM_LE (v);
          r.pos += 4;
        }
      else if (!sonde_proto_read_varint (&r, &element.value, &dec->fault))
        {
          /* Inside a length that was read whole: cut, not truncated. */
          dec->fault.code = SONDE_DECODE_ERROR_MALFORMED;
          dec->fault.why = N_("a packed field that ends inside a varint");
          return FALSE;
        }

      if (!sonde_pb_count_element (dec, at))
        return FALSE;
      if ((*count)++ > 0)
        g_string_append_c (dec->json, ',');
      append_scalar (dec->json, field, element.value);
      if (!sonde_pb_check_output (dec, 0, at))
        return FALSE;
    }

  return TRUE;
}

/* A map entry's key and value fields (the last of each). */
static gboolean
read_map_entry (Decoder                   *dec,
                const SondeProtoMessage   *entry_type,
                const SondeProtoField     *wire,
                SondeProtoField           *key,
                SondeProtoField           *value)
{
  SondeProtoReader r = { dec->base, wire->data_start, wire->data_end };
  const SondeProtoFieldDesc *key_desc = g_hash_table_lookup (entry_type->by_number, GUINT_TO_POINTER (1));
  const SondeProtoFieldDesc *value_desc = g_hash_table_lookup (entry_type->by_number, GUINT_TO_POINTER (2));

  key->number = 0;
  value->number = 0;
  while (r.pos < r.end)
    {
      SondeProtoField field;

      if (!sonde_proto_read_field (&r, MIN (dec->limits->max_depth, 63), &field, &dec->fault))
        return FALSE;
      if (field.wire_type == SONDE_PROTO_WIRE_END_GROUP)
        return sonde_pb_fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("an end-group tag outside a group"), field.tag_offset);
      if (field.number == 1 && field.wire_type == natural_wire_type (key_desc->type))
        *key = field;
      else if (field.number == 2 && field.wire_type == natural_wire_type (value_desc->type))
        *value = field;
    }

  return TRUE;
}

static char *
map_key_text (Decoder                   *dec,
              const SondeProtoFieldDesc *key_desc,
              const SondeProtoField     *key)
{
  g_autoptr(GString) text = NULL;

  if (key->number == 0)
    {
      if (key_desc->type == SONDE_PROTO_TYPE_STRING || key_desc->type == SONDE_PROTO_TYPE_BYTES)
        return g_strdup ("");
      text = g_string_new (NULL);
      append_zero (text, key_desc);
    }
  else if (key->wire_type == SONDE_PROTO_WIRE_LEN)
    {
      return g_utf8_make_valid ((const char *) dec->base + key->data_start,
                                (gssize) (key->data_end - key->data_start));
    }
  else if (key->wire_type == SONDE_PROTO_WIRE_START_GROUP)
    {
      return g_strdup ("");
    }
  else
    {
      text = g_string_new (NULL);
      append_scalar (text, key_desc, key->value);
    }

  /* Numbers past 2^53 and enum names come quoted: keys are text anyway. */
  if (text->len >= 2 && text->str[0] == '"')
    {
      g_string_truncate (text, text->len - 1);
      g_string_erase (text, 0, 1);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
schema_map (Decoder                   *dec,
            const SondeProtoFieldDesc *field,
            const GArray              *entries,
            guint                      first,
            const guint8              *matched,
            guint                      depth)
{
  const SondeProtoFieldDesc *key_desc = g_hash_table_lookup (field->message->by_number, GUINT_TO_POINTER (1));
  const SondeProtoFieldDesc *value_desc = g_hash_table_lookup (field->message->by_number, GUINT_TO_POINTER (2));
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);   /* per entry index */
  g_autoptr(GHashTable) last = g_hash_table_new (g_str_hash, g_str_equal);  /* key → last index */
  guint count = 0;

  if (!sonde_pb_check_depth (dec, depth, g_array_index (entries, Entry, first).field.tag_offset))
    return FALSE;

  /* First the keys, to know which entry of each key comes last. */
  g_ptr_array_set_size (keys, entries->len);
  for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
    {
      SondeProtoField key, value;
      char *text;

      if (!matched[i])
        continue;
      if (!read_map_entry (dec, field->message, &g_array_index (entries, Entry, i).field, &key, &value))
        return FALSE;
      text = map_key_text (dec, key_desc, &key);
      g_ptr_array_index (keys, i) = text;
      /* An existing key keeps its first string, and takes the new index. */
      g_hash_table_insert (last, text, GUINT_TO_POINTER (i));
    }

  g_string_append_c (dec->json, '{');
  for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
    {
      SondeProtoField key, value;
      const char *text = g_ptr_array_index (keys, i);

      if (!matched[i] || GPOINTER_TO_UINT (g_hash_table_lookup (last, text)) != i)
        continue;
      if (!read_map_entry (dec, field->message, &g_array_index (entries, Entry, i).field, &key, &value))
        return FALSE;
      if (count++ > 0)
        g_string_append_c (dec->json, ',');
      if (!sonde_pb_check_output (dec, strlen (text) * 6 + 3, key.tag_offset))
        return FALSE;
      sonde_pb_append_key_name (dec->json, text);
      if (value.number == 0)
        append_zero (dec->json, value_desc);
      else if (!schema_value (dec, value_desc, &value, depth + 1))
        return FALSE;
      if (!sonde_pb_check_output (dec, 0, g_array_index (entries, Entry, i).field.tag_offset))
        return FALSE;
    }
  g_string_append_c (dec->json, '}');
  return TRUE;
}

/* The known field @field's values on the wire (those @matched). */
static gboolean
schema_field (Decoder                   *dec,
              const SondeProtoFieldDesc *field,
              const GArray              *entries,
              guint                      first,
              const guint8              *matched,
              guint                      depth)
{
  g_autoptr(GArray) spans = NULL;
  guint last = NO_NEXT;
  guint count = 0;

  for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
    if (matched[i])
      last = i;
  if (last == NO_NEXT)
    return TRUE;

  if (dec->json->str[dec->json->len - 1] != '{')
    g_string_append_c (dec->json, ',');
  sonde_pb_append_key_name (dec->json, field->name);

  if (is_map (field))
    return schema_map (dec, field, entries, first, matched, depth + 1);

  if (field->label == 3)
    {
      if (!sonde_pb_check_depth (dec, depth + 1, g_array_index (entries, Entry, first).field.tag_offset))
        return FALSE;
      g_string_append_c (dec->json, '[');
      for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
        {
          const SondeProtoField *wire = &g_array_index (entries, Entry, i).field;

          if (!matched[i])
            continue;
          if (wire->wire_type == SONDE_PROTO_WIRE_LEN && is_scalar_wire (natural_wire_type (field->type)))
            {
              if (!schema_packed (dec, field, wire, &count))
                return FALSE;
              continue;
            }
          if (count++ > 0)
            g_string_append_c (dec->json, ',');
          if (!schema_value (dec, field, wire, depth + 2) || !sonde_pb_check_output (dec, 0, wire->tag_offset))
            return FALSE;
        }
      g_string_append_c (dec->json, ']');
      return TRUE;
    }

  if (field->type == SONDE_PROTO_TYPE_MESSAGE || field->type == SONDE_PROTO_TYPE_GROUP)
    {
      /* Written several times: the pieces merge into one message. */
      spans = g_array_new (FALSE, FALSE, sizeof (Span));
      for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
        {
          const SondeProtoField *wire = &g_array_index (entries, Entry, i).field;
          Span span = { wire->data_start, wire->data_end };

          if (matched[i])
            g_array_append_val (spans, span);
        }
      return schema_message (dec, field->message, (const Span *) (gpointer) spans->data, spans->len, depth + 1);
    }

  /* A scalar written several times: the last one counts. */
  return schema_value (dec, field, &g_array_index (entries, Entry, last).field, depth + 1);
}

static gboolean
schema_message (Decoder           *dec,
                SondeProtoMessage *message,
                const Span        *spans,
                guint              n_spans,
                guint              depth)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_autofree guint8 *matched = NULL;
  gsize at = n_spans > 0 ? spans[0].start : 0;

  if (!sonde_pb_check_depth (dec, depth, at) || !sonde_pb_scan (dec, spans, n_spans, entries))
    return FALSE;

  matched = g_malloc0 (MAX (entries->len, 1));
  g_string_append_c (dec->json, '{');
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);
      const SondeProtoFieldDesc *field;

      if (!entry->first)
        continue;
      field = g_hash_table_lookup (message->by_number, GUINT_TO_POINTER (entry->field.number));
      if (field != NULL)
        {
          for (guint j = i; j != NO_NEXT; j = g_array_index (entries, Entry, j).next)
            matched[j] = field_accepts (field, g_array_index (entries, Entry, j).field.wire_type);
          if (!schema_field (dec, field, entries, i, matched, depth)
              || !sonde_pb_check_output (dec, 0, entry->field.tag_offset))
            return FALSE;
        }
      /* Unknown fields, and known ones with another wire type: raw. */
      if (!sonde_pb_raw_chain (dec, entries, i, matched, depth))
        return FALSE;
    }
  g_string_append_c (dec->json, '}');
  return sonde_pb_check_output (dec, 0, at);
}

static char *
some_type_names (SondeProtoSchema *schema)
{
  g_auto(GStrv) names = sonde_proto_schema_dup_type_names (schema);
  guint n = g_strv_length (names);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < MIN (n, 5); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", names[i]);
  if (n > 5)
    g_string_append (text, ", …");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
sonde_decode_protobuf (SondeProtoSchema         *schema,
                       const char               *type_name,
                       const guint8             *data,
                       gsize                     length,
                       const SondeDecodeLimits  *limits,
                       GString                  *json,
                       GError                  **error)
{
  SondeProtoMessage *message;
  Decoder dec = { 0 };
  Span span = { 0, length };

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (type_name != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  message = sonde_proto_schema_lookup_message (schema, type_name);
  if (message == NULL)
    {
      g_autofree char *known = some_type_names (schema);

      if (*known == '\0')
        g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                     _("there is no message type “%s” in the descriptor set: it has none"), type_name);
      else
        g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                     /* Translators: the second %s lists a few type names, "pkg.A, pkg.B, …" */
                     _("there is no message type “%s” in the descriptor set (it has %s)"), type_name, known);
      return FALSE;
    }

  dec.base = data;
  dec.limits = limits;
  dec.json = json;
  dec.json_start = json->len;
  if (!schema_message (&dec, message, &span, 1, 1))
    {
      g_string_truncate (json, dec.json_start);
      sonde_pb_set_error (&dec, error);
      return FALSE;
    }
  return TRUE;
}
