/* sonde-decode-protobuf.c: Protobuf payloads as JSON text, raw or by schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A message is read in two steps: its fields are scanned into a list (each
 * linked to the next one of the same number), then written in the order
 * each number first appears, a number seen several times as an array. A
 * non-repeated message field written several times is decoded once from
 * all its pieces ("spans"), which is how Protobuf merges them. Recursion
 * follows nested messages only, and stops at max_depth.
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "sonde-decode-protobuf.h"
#include "sonde-json-writer.h"
#include "sonde-proto-private.h"

#define FORMAT_NAME "Protobuf"
#define NO_NEXT G_MAXUINT
#define MAX_SAFE_INTEGER (G_GUINT64_CONSTANT (1) << 53)

typedef struct {
  gsize start;
  gsize end;
} Span;

typedef struct {
  SondeProtoField field;
  guint           next;     /* the next entry with the same number */
  gboolean        first;    /* the first entry of its number */
} Entry;

typedef struct {
  /* borrowed */
  const guint8            *base;
  const SondeDecodeLimits *limits;
  GString                 *json;
  /* state */
  gsize                    json_start;
  guint64                  elements;
  SondeProtoFault          fault;
} Decoder;

static gboolean
fail (Decoder    *dec,
      int         code,
      const char *why,
      gsize       offset)
{
  dec->fault.code = code;
  dec->fault.why = why;
  dec->fault.offset = offset;
  return FALSE;
}

static gboolean
count_elements (Decoder *dec,
                guint64  count,
                gsize    offset)
{
  if (count > dec->limits->max_elements - MIN (dec->elements, dec->limits->max_elements))
    return fail (dec, SONDE_DECODE_ERROR_TOO_MANY, N_("more values than the limit"), offset);
  dec->elements += count;
  return TRUE;
}

static gboolean
count_element (Decoder *dec,
               gsize    offset)
{
  return count_elements (dec, 1, offset);
}

static gboolean
check_output (Decoder *dec,
              gsize    more,
              gsize    offset)
{
  gsize written = dec->json->len - dec->json_start;

  if (written > dec->limits->max_output || more > dec->limits->max_output - written)
    return fail (dec, SONDE_DECODE_ERROR_TOO_LARGE, N_("more JSON text than the limit"), offset);
  return TRUE;
}

static gboolean
check_depth (Decoder *dec,
             guint    depth,
             gsize    offset)
{
  if (depth > dec->limits->max_depth)
    return fail (dec, SONDE_DECODE_ERROR_TOO_DEEP, N_("nested deeper than the limit"), offset);
  return TRUE;
}

/* Numbers */

static void
append_uint (GString *json,
             guint64  v)
{
  if (v <= MAX_SAFE_INTEGER)
    g_string_append_printf (json, "%" G_GUINT64_FORMAT, v);
  else
    g_string_append_printf (json, "\"%" G_GUINT64_FORMAT "\"", v);
}

static void
append_int (GString *json,
            gint64   v)
{
  if (v >= -(gint64) MAX_SAFE_INTEGER && v <= (gint64) MAX_SAFE_INTEGER)
    g_string_append_printf (json, "%" G_GINT64_FORMAT, v);
  else
    g_string_append_printf (json, "\"%" G_GINT64_FORMAT "\"", v);
}

static gboolean
append_non_finite (GString *json,
                   double   v)
{
  if (isnan (v))
    g_string_append (json, "\"NaN\"");
  else if (isinf (v))
    g_string_append (json, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else
    return FALSE;
  return TRUE;
}

/* The shortest of %.15g, %.16g, %.17g that reads back to @v. */
static void
append_double (GString *json,
               double   v)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (append_non_finite (json, v))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (json, buf);
}

/* The shortest of %.6g to %.9g that reads back to the same float. */
static void
append_float (GString *json,
              float    v)
{
  static const char *formats[] = { "%.6g", "%.7g", "%.8g", "%.9g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (append_non_finite (json, v))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (json, buf);
}

static gboolean
append_base64 (Decoder *dec,
               gsize    start,
               gsize    end)
{
  g_autofree char *text = NULL;

  if (!check_output (dec, (end - start) / 3 * 4 + 6, start))
    return FALSE;
  text = g_base64_encode (dec->base + start, end - start);
  g_string_append_c (dec->json, '"');
  g_string_append (dec->json, text);
  g_string_append_c (dec->json, '"');
  return TRUE;
}

static gboolean
append_text (Decoder *dec,
             gsize    start,
             gsize    end)
{
  /* Escaping at most sextuples a byte. */
  if (!check_output (dec, (end - start) * 6 + 2, start))
    return FALSE;
  sonde_json_append_string (dec->json, (const char *) dec->base + start, (gssize) (end - start));
  return TRUE;
}

/* Scanning */

/* Reads every field of @spans into @entries, linked by number. */
static gboolean
scan (Decoder    *dec,
      const Span *spans,
      guint       n_spans,
      GArray     *entries)
{
  g_autoptr(GHashTable) last = g_hash_table_new (NULL, NULL);
  guint group_depth = MIN (dec->limits->max_depth, 63);

  for (guint s = 0; s < n_spans; s++)
    {
      SondeProtoReader r = { dec->base, spans[s].start, spans[s].end };

      while (r.pos < r.end)
        {
          Entry entry = { .next = NO_NEXT, .first = TRUE };
          gpointer prev;

          if (!sonde_proto_read_field (&r, group_depth, &entry.field, &dec->fault))
            return FALSE;
          if (entry.field.wire_type == SONDE_PROTO_WIRE_END_GROUP)
            return fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("an end-group tag outside a group"),
                         entry.field.tag_offset);
          /* A group's fields count here as well as when the group is
           * decoded: each level reads them, so each level pays (groups
           * nested deep in a large payload would else be read once per
           * level, unbounded by max_elements). */
          if (!count_elements (dec, 1 + entry.field.group_fields, entry.field.tag_offset))
            return FALSE;

          if (g_hash_table_lookup_extended (last, GUINT_TO_POINTER (entry.field.number), NULL, &prev))
            {
              g_array_index (entries, Entry, GPOINTER_TO_UINT (prev)).next = entries->len;
              entry.first = FALSE;
            }
          g_hash_table_insert (last, GUINT_TO_POINTER (entry.field.number), GUINT_TO_POINTER (entries->len));
          g_array_append_val (entries, entry);
        }
    }

  return TRUE;
}

/* Whether [start, end) reads wholly as a message (fields only: nested
 * bytes are not looked into). */
static gboolean
looks_like_message (Decoder *dec,
                    gsize    start,
                    gsize    end)
{
  SondeProtoReader r = { dec->base, start, end };
  SondeProtoFault ignored;

  if (start == end)
    return FALSE;
  while (r.pos < r.end)
    {
      SondeProtoField field;

      if (!sonde_proto_read_field (&r, MIN (dec->limits->max_depth, 63), &field, &ignored)
          || field.wire_type == SONDE_PROTO_WIRE_END_GROUP)
        return FALSE;
    }
  return TRUE;
}

static void
append_key_number (GString *json,
                   guint32  number)
{
  g_string_append_printf (json, "\"%u\":", number);
}

static void
append_key_name (GString    *json,
                 const char *name)
{
  sonde_json_append_string (json, name, -1);
  g_string_append_c (json, ':');
}

/* Raw decoding */

static gboolean raw_message (Decoder    *dec,
                             const Span *spans,
                             guint       n_spans,
                             guint       depth);

static gboolean
raw_value (Decoder               *dec,
           const SondeProtoField *field,
           guint                  depth)
{
  Span span = { field->data_start, field->data_end };

  switch ((SondeProtoWireType) field->wire_type)
    {
    case SONDE_PROTO_WIRE_VARINT:
    case SONDE_PROTO_WIRE_FIXED64:
    case SONDE_PROTO_WIRE_FIXED32:
      append_uint (dec->json, field->value);
      return TRUE;

    case SONDE_PROTO_WIRE_LEN:
      if (looks_like_message (dec, span.start, span.end))
        return raw_message (dec, &span, 1, depth);
      if (g_utf8_validate ((const char *) dec->base + span.start, span.end - span.start, NULL))
        return append_text (dec, span.start, span.end);
      return append_base64 (dec, span.start, span.end);

    case SONDE_PROTO_WIRE_START_GROUP:
      return raw_message (dec, &span, 1, depth);

    case SONDE_PROTO_WIRE_END_GROUP:
    default:
      g_assert_not_reached ();
    }
}

/* Writes the entries from @first on (following the chain) that @keep
 * accepts, under @key's number: one value, or an array. */
static gboolean
raw_chain (Decoder      *dec,
           const GArray *entries,
           guint         first,
           const guint8 *skip,
           guint         depth)
{
  const Entry *head = &g_array_index (entries, Entry, first);
  guint count = 0;
  gboolean array;

  for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
    if (skip == NULL || !skip[i])
      count++;
  if (count == 0)
    return TRUE;

  array = count > 1;
  if (dec->json->str[dec->json->len - 1] != '{')
    g_string_append_c (dec->json, ',');
  append_key_number (dec->json, head->field.number);
  if (array)
    {
      if (!check_depth (dec, depth + 1, head->field.tag_offset))
        return FALSE;
      g_string_append_c (dec->json, '[');
    }
  count = 0;
  for (guint i = first; i != NO_NEXT; i = g_array_index (entries, Entry, i).next)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);

      if (skip != NULL && skip[i])
        continue;
      if (count++ > 0)
        g_string_append_c (dec->json, ',');
      if (!raw_value (dec, &entry->field, depth + (array ? 2 : 1))
          || !check_output (dec, 0, entry->field.tag_offset))
        return FALSE;
    }
  if (array)
    g_string_append_c (dec->json, ']');
  return TRUE;
}

static gboolean
raw_message (Decoder    *dec,
             const Span *spans,
             guint       n_spans,
             guint       depth)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));

  if (!check_depth (dec, depth, spans[0].start) || !scan (dec, spans, n_spans, entries))
    return FALSE;

  g_string_append_c (dec->json, '{');
  for (guint i = 0; i < entries->len; i++)
    if (g_array_index (entries, Entry, i).first && !raw_chain (dec, entries, i, NULL, depth))
      return FALSE;
  g_string_append_c (dec->json, '}');
  return check_output (dec, 0, spans[0].start);
}

static void
set_error (Decoder  *dec,
           GError  **error)
{
  sonde_decode_set_error (error, dec->fault.code, FORMAT_NAME, dec->fault.offset, _(dec->fault.why));
}

gboolean
sonde_decode_protobuf_raw (const guint8             *data,
                           gsize                     length,
                           const SondeDecodeLimits  *limits,
                           GString                  *json,
                           GError                  **error)
{
  Decoder dec = { 0 };
  Span span = { 0, length };

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dec.base = data;
  dec.limits = limits;
  dec.json = json;
  dec.json_start = json->len;
  if (!raw_message (&dec, &span, 1, 1))
    {
      g_string_truncate (json, dec.json_start);
      set_error (&dec, error);
      return FALSE;
    }
  return TRUE;
}


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
        append_double (json, d);
        break;
      }
    case SONDE_PROTO_TYPE_FLOAT:
      {
        guint32 u = (guint32) v;
        float f;

        memcpy (&f, &u, sizeof f);
        append_float (json, f);
        break;
      }
    case SONDE_PROTO_TYPE_INT64:
    case SONDE_PROTO_TYPE_SFIXED64:
      append_int (json, (gint64) v);
      break;
    case SONDE_PROTO_TYPE_UINT64:
    case SONDE_PROTO_TYPE_FIXED64:
      append_uint (json, v);
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
      append_int (json, zigzag64 (v));
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
      return append_text (dec, span.start, span.end);
    case SONDE_PROTO_TYPE_BYTES:
      return append_base64 (dec, span.start, span.end);
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
    return fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("a packed field of fixed-size values with a length that does not fit them"),
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

      if (!count_element (dec, at))
        return FALSE;
      if ((*count)++ > 0)
        g_string_append_c (dec->json, ',');
      append_scalar (dec->json, field, element.value);
      if (!check_output (dec, 0, at))
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
        return fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("an end-group tag outside a group"), field.tag_offset);
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

  if (!check_depth (dec, depth, g_array_index (entries, Entry, first).field.tag_offset))
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
      if (!check_output (dec, strlen (text) * 6 + 3, key.tag_offset))
        return FALSE;
      append_key_name (dec->json, text);
      if (value.number == 0)
        append_zero (dec->json, value_desc);
      else if (!schema_value (dec, value_desc, &value, depth + 1))
        return FALSE;
      if (!check_output (dec, 0, g_array_index (entries, Entry, i).field.tag_offset))
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
  append_key_name (dec->json, field->name);

  if (is_map (field))
    return schema_map (dec, field, entries, first, matched, depth + 1);

  if (field->label == 3)
    {
      if (!check_depth (dec, depth + 1, g_array_index (entries, Entry, first).field.tag_offset))
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
          if (!schema_value (dec, field, wire, depth + 2) || !check_output (dec, 0, wire->tag_offset))
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

  if (!check_depth (dec, depth, at) || !scan (dec, spans, n_spans, entries))
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
              || !check_output (dec, 0, entry->field.tag_offset))
            return FALSE;
        }
      /* Unknown fields, and known ones with another wire type: raw. */
      if (!raw_chain (dec, entries, i, matched, depth))
        return FALSE;
    }
  g_string_append_c (dec->json, '}');
  return check_output (dec, 0, at);
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
      set_error (&dec, error);
      return FALSE;
    }
  return TRUE;
}
