/* sonde-proto-wire.c: reading the Protobuf wire format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one reader of tags, varints, fixed values, lengths and groups, used
 * for payloads and for descriptor sets alike. Every read stays inside
 * [pos, end) of its reader; nothing recurses (groups are skipped with a
 * depth count).
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-decode.h"
#include "sonde-proto-private.h"

static gboolean
fail (SondeProtoFault *fault,
      int              code,
      const char      *why,
      gsize            offset)
{
  fault->code = code;
  fault->why = why;
  fault->offset = offset;
  return FALSE;
}

gboolean
sonde_proto_read_varint (SondeProtoReader *r,
                         guint64          *value,
                         SondeProtoFault  *fault)
{
  guint64 v = 0;
  gsize start = r->pos;

  for (guint i = 0; i < 10; i++)
    {
      guint8 b;

      if (r->pos >= r->end)
        return fail (fault, SONDE_DECODE_ERROR_TRUNCATED, N_("the input ends inside a varint"), start);
      b = r->base[r->pos++];
      v |= (guint64) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0)
        {
          *value = v;
          return TRUE;
        }
    }

  return fail (fault, SONDE_DECODE_ERROR_MALFORMED, N_("a varint longer than 10 bytes"), start);
}

static gboolean
read_tag (SondeProtoReader *r,
          guint32          *number,
          guint8           *wire_type,
          SondeProtoFault  *fault)
{
  gsize start = r->pos;
  guint64 tag;

  if (!sonde_proto_read_varint (r, &tag, fault))
    return FALSE;
  if (tag > G_MAXUINT32 || (tag >> 3) == 0 || (tag >> 3) > 536870911)
    return fail (fault, SONDE_DECODE_ERROR_MALFORMED, N_("a field number out of range"), start);
  if ((tag & 7) > SONDE_PROTO_WIRE_FIXED32)
    return fail (fault, SONDE_DECODE_ERROR_MALFORMED, N_("an unknown wire type"), start);

  *number = (guint32) (tag >> 3);
  *wire_type = (guint8) (tag & 7);
  return TRUE;
}

/* Reads the value of a field whose tag was read; groups are not handled
 * here. */
static gboolean
read_value (SondeProtoReader *r,
            SondeProtoField  *field,
            SondeProtoFault  *fault)
{
  gsize start = r->pos;
  guint64 length;

  switch (field->wire_type)
    {
    case SONDE_PROTO_WIRE_VARINT:
      return sonde_proto_read_varint (r, &field->value, fault);

    case SONDE_PROTO_WIRE_FIXED64:
      if (r->end - r->pos < 8)
        return fail (fault, SONDE_DECODE_ERROR_TRUNCATED, N_("the input ends inside a 64-bit value"), start);
      memcpy (&length, r->base + r->pos, 8);
      field->value = GUINT64_FROM_LE (length);
      r->pos += 8;
      return TRUE;

    case SONDE_PROTO_WIRE_FIXED32:
      {
        guint32 v32;

        if (r->end - r->pos < 4)
          return fail (fault, SONDE_DECODE_ERROR_TRUNCATED, N_("the input ends inside a 32-bit value"), start);
        memcpy (&v32, r->base + r->pos, 4);
        field->value = GUINT32_FROM_LE (v32);
        r->pos += 4;
        return TRUE;
      }

    case SONDE_PROTO_WIRE_LEN:
      if (!sonde_proto_read_varint (r, &length, fault))
        return FALSE;
      if (length > r->end - r->pos)
        return fail (fault, SONDE_DECODE_ERROR_TOO_LARGE, N_("a length past the end of the input"), start);
      field->data_start = r->pos;
      field->data_end = r->pos + (gsize) length;
      r->pos += (gsize) length;
      return TRUE;

    case SONDE_PROTO_WIRE_START_GROUP:
    case SONDE_PROTO_WIRE_END_GROUP:
    default:
      g_assert_not_reached ();
    }
}

gboolean
sonde_proto_read_field (SondeProtoReader *r,
                        guint             max_group_depth,
                        SondeProtoField  *field,
                        SondeProtoFault  *fault)
{
  guint32 open[64];  /* the numbers of the groups open, deepest last */
  guint depth = 0;

  memset (field, 0, sizeof *field);
  field->tag_offset = r->pos;
  if (!read_tag (r, &field->number, &field->wire_type, fault))
    return FALSE;
  if (field->wire_type == SONDE_PROTO_WIRE_END_GROUP)
    return TRUE;
  if (field->wire_type != SONDE_PROTO_WIRE_START_GROUP)
    return read_value (r, field, fault);

  /* A group: skip to its matching end-group tag, counting nested groups. */
  field->data_start = r->pos;
  open[depth++] = field->number;
  max_group_depth = MIN (max_group_depth, G_N_ELEMENTS (open) - 1);
  while (depth > 0)
    {
      SondeProtoField inner = { 0 };
      gsize tag_offset = r->pos;

      if (r->pos >= r->end)
        return fail (fault, SONDE_DECODE_ERROR_TRUNCATED, N_("the input ends inside a group"), field->tag_offset);
      if (!read_tag (r, &inner.number, &inner.wire_type, fault))
        return FALSE;
      if (inner.wire_type != SONDE_PROTO_WIRE_END_GROUP)
        field->group_fields++;

      if (inner.wire_type == SONDE_PROTO_WIRE_END_GROUP)
        {
          if (inner.number != open[depth - 1])
            return fail (fault, SONDE_DECODE_ERROR_MALFORMED, N_("an end-group tag that does not match its group"), tag_offset);
          depth--;
          if (depth == 0)
            field->data_end = tag_offset;
        }
      else if (inner.wire_type == SONDE_PROTO_WIRE_START_GROUP)
        {
          if (depth > max_group_depth)
            return fail (fault, SONDE_DECODE_ERROR_TOO_DEEP, N_("groups nested too deep"), tag_offset);
          open[depth++] = inner.number;
        }
      else if (!read_value (r, &inner, fault))
        return FALSE;
    }

  return TRUE;
}
