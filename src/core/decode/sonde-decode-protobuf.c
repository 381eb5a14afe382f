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

#include "sonde-decode-protobuf-private.h"
#include "sonde-json-writer.h"
#include "sonde-proto-private.h"

#define FORMAT_NAME "Protobuf"

gboolean
sonde_pb_fail (Decoder    *dec,
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
    return sonde_pb_fail (dec, SONDE_DECODE_ERROR_TOO_MANY, N_("more values than the limit"), offset);
  dec->elements += count;
  return TRUE;
}

gboolean
sonde_pb_count_element (Decoder *dec,
               gsize    offset)
{
  return count_elements (dec, 1, offset);
}

gboolean
sonde_pb_check_output (Decoder *dec,
              gsize    more,
              gsize    offset)
{
  gsize written = dec->json->len - dec->json_start;

  if (written > dec->limits->max_output || more > dec->limits->max_output - written)
    return sonde_pb_fail (dec, SONDE_DECODE_ERROR_TOO_LARGE, N_("more JSON text than the limit"), offset);
  return TRUE;
}

gboolean
sonde_pb_check_depth (Decoder *dec,
             guint    depth,
             gsize    offset)
{
  if (depth > dec->limits->max_depth)
    return sonde_pb_fail (dec, SONDE_DECODE_ERROR_TOO_DEEP, N_("nested deeper than the limit"), offset);
  return TRUE;
}

/* Numbers */

void
sonde_pb_append_uint (GString *json,
             guint64  v)
{
  if (v <= MAX_SAFE_INTEGER)
    g_string_append_printf (json, "%" G_GUINT64_FORMAT, v);
  else
    g_string_append_printf (json, "\"%" G_GUINT64_FORMAT "\"", v);
}

void
sonde_pb_append_int (GString *json,
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
void
sonde_pb_append_double (GString *json,
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
void
sonde_pb_append_float (GString *json,
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

gboolean
sonde_pb_append_base64 (Decoder *dec,
               gsize    start,
               gsize    end)
{
  g_autofree char *text = NULL;

  if (!sonde_pb_check_output (dec, (end - start) / 3 * 4 + 6, start))
    return FALSE;
  text = g_base64_encode (dec->base + start, end - start);
  g_string_append_c (dec->json, '"');
  g_string_append (dec->json, text);
  g_string_append_c (dec->json, '"');
  return TRUE;
}

gboolean
sonde_pb_append_text (Decoder *dec,
             gsize    start,
             gsize    end)
{
  /* Escaping at most sextuples a byte. */
  if (!sonde_pb_check_output (dec, (end - start) * 6 + 2, start))
    return FALSE;
  sonde_json_append_string (dec->json, (const char *) dec->base + start, (gssize) (end - start));
  return TRUE;
}

/* Scanning */

/* Reads every field of @spans into @entries, linked by number. */
gboolean
sonde_pb_scan (Decoder    *dec,
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
            return sonde_pb_fail (dec, SONDE_DECODE_ERROR_MALFORMED, N_("an end-group tag outside a group"),
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

void
sonde_pb_append_key_name (GString    *json,
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
      sonde_pb_append_uint (dec->json, field->value);
      return TRUE;

    case SONDE_PROTO_WIRE_LEN:
      if (looks_like_message (dec, span.start, span.end))
        return raw_message (dec, &span, 1, depth);
      if (g_utf8_validate ((const char *) dec->base + span.start, span.end - span.start, NULL))
        return sonde_pb_append_text (dec, span.start, span.end);
      return sonde_pb_append_base64 (dec, span.start, span.end);

    case SONDE_PROTO_WIRE_START_GROUP:
      return raw_message (dec, &span, 1, depth);

    case SONDE_PROTO_WIRE_END_GROUP:
    default:
      g_assert_not_reached ();
    }
}

/* Writes the entries from @first on (following the chain) that @keep
 * accepts, under @key's number: one value, or an array. */
gboolean
sonde_pb_raw_chain (Decoder      *dec,
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
      if (!sonde_pb_check_depth (dec, depth + 1, head->field.tag_offset))
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
          || !sonde_pb_check_output (dec, 0, entry->field.tag_offset))
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

  if (!sonde_pb_check_depth (dec, depth, spans[0].start) || !sonde_pb_scan (dec, spans, n_spans, entries))
    return FALSE;

  g_string_append_c (dec->json, '{');
  for (guint i = 0; i < entries->len; i++)
    if (g_array_index (entries, Entry, i).first && !sonde_pb_raw_chain (dec, entries, i, NULL, depth))
      return FALSE;
  g_string_append_c (dec->json, '}');
  return sonde_pb_check_output (dec, 0, spans[0].start);
}

void
sonde_pb_set_error (Decoder  *dec,
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
      sonde_pb_set_error (&dec, error);
      return FALSE;
    }
  return TRUE;
}


