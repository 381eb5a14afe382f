/* sonde-decode-msgpack.c: MessagePack to JSON text, streaming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One header at a time, straight into JSON text through
 * sonde-decode-value.c (see sonde-decode-msgpack.h for the shape and for
 * why this is not msgpack-c).
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-decode-msgpack.h"
#include "sonde-decode-value.h"
#include "sonde-json-writer.h"

#define FORMAT "MessagePack"

typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
  gsize         start;     /* where the current value's header starts */
} Reader;

static inline guint64
read_be (const guint8 *p,
         guint         size)
{
  guint64 v = 0;
  guint i;

  for (i = 0; i < size; i++)
    v = v << 8 | p[i];
  return v;
}

static gboolean
fail_truncated (Reader  *r,
                GError **error)
{
  sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, FORMAT, r->length,
                          _("the payload ends in the middle of a value"));
  return FALSE;
}

/* Takes @size bytes of header or value. */
static gboolean
take (Reader        *r,
      gsize          size,
      const guint8 **p,
      GError       **error)
{
  if (size > r->length - r->pos)
    return fail_truncated (r, error);
  *p = r->data + r->pos;
  r->pos += size;
  return TRUE;
}

/* A str, bin or ext body of @size bytes. */
static gboolean
take_body (Reader        *r,
           guint64        size,
           const guint8 **p,
           GError       **error)
{
  if (size > r->length - r->pos)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, FORMAT, r->start,
                              _("a length runs past the end of the payload"));
      return FALSE;
    }
  *p = r->data + r->pos;
  r->pos += size;
  return TRUE;
}

static gboolean
write_ext (SondeValueWriter  *w,
           Reader            *r,
           gint8              type,
           guint64            size,
           GError           **error)
{
  const guint8 *p;

  if (!take_body (r, size, &p, error)
      || !sonde_value_writer_check_room (w, size / 3 * 4 + 32, r->start, error))
    return FALSE;

  if (type == -1)
    {
      gboolean written = FALSE;

      if (size == 4)
        written = sonde_value_write_time (w->json, (gint64) read_be (p, 4), 0);
      else if (size == 8)
        {
          guint64 v = read_be (p, 8);

          written = sonde_value_write_time (w->json, (gint64) (v & G_GUINT64_CONSTANT (0x3ffffffff)),
                                            (guint32) (v >> 34));
        }
      else if (size == 12)
        written = sonde_value_write_time (w->json, (gint64) read_be (p + 4, 8),
                                          (guint32) read_be (p, 4));
      if (written)
        return TRUE;
    }

  g_string_append (w->json, "{\"$ext\":");
  sonde_value_write_int (w->json, type);
  g_string_append (w->json, ",\"data\":");
  sonde_value_write_base64 (w->json, p, size);
  g_string_append_c (w->json, '}');
  return TRUE;
}

static gboolean
write_container (SondeValueWriter     *w,
                 Reader               *r,
                 SondeValueFrameKind   kind,
                 guint64               count,
                 GError              **error)
{
  guint64 values = kind == SONDE_VALUE_FRAME_MAP ? count * 2 : count;

  /* Each value takes at least a byte: a count the rest cannot hold fails
   * now, before anything is allocated or written for it. */
  if (values > r->length - r->pos)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, FORMAT, r->start,
                              _("a container claims more values than the payload holds"));
      return FALSE;
    }
  return sonde_value_writer_push (w, kind, count, FALSE, 0, r->start, error);
}

/* Reads the value whose first byte is @b; a scalar is written whole, a
 * container is opened. Sets *@opened for a container. */
static gboolean
read_value (SondeValueWriter  *w,
            Reader            *r,
            guint8             b,
            gboolean          *opened,
            GError           **error)
{
  const guint8 *p;
  guint64 size;
  GString *json = w->json;

  *opened = FALSE;

  if (b <= 0x7f)
    {
      sonde_value_write_uint (json, b);
      return TRUE;
    }
  if (b >= 0xe0)
    {
      sonde_value_write_int (json, (gint8) b);
      return TRUE;
    }
  if (b <= 0x8f || (b >= 0x90 && b <= 0x9f))
    {
      *opened = TRUE;
      return write_container (w, r, b <= 0x8f ? SONDE_VALUE_FRAME_MAP : SONDE_VALUE_FRAME_ARRAY,
                              b & 0x0f, error);
    }
  if (b >= 0xa0 && b <= 0xbf)
    {
      size = b & 0x1f;
      goto str;
    }

  switch (b)
    {
    case 0xc0:
      g_string_append (json, "null");
      return TRUE;
    case 0xc2:
      g_string_append (json, "false");
      return TRUE;
    case 0xc3:
      g_string_append (json, "true");
      return TRUE;

    case 0xc4: case 0xc5: case 0xc6:
      if (!take (r, 1u << (b - 0xc4), &p, error))
        return FALSE;
      size = read_be (p, 1u << (b - 0xc4));
      if (!take_body (r, size, &p, error)
          || !sonde_value_writer_check_room (w, size / 3 * 4 + 6, r->start, error))
        return FALSE;
      sonde_value_write_base64 (json, p, size);
      return TRUE;

    case 0xc7: case 0xc8: case 0xc9:
      if (!take (r, (1u << (b - 0xc7)) + 1, &p, error))
        return FALSE;
      size = read_be (p, 1u << (b - 0xc7));
      return write_ext (w, r, (gint8) p[1u << (b - 0xc7)], size, error);

    case 0xca:
      {
        union { guint32 u; float f; } v;

        if (!take (r, 4, &p, error))
          return FALSE;
        v.u = (guint32) read_be (p, 4);
        sonde_value_write_float (json, v.f);
        return TRUE;
      }
    case 0xcb:
      {
        union { guint64 u; double d; } v;

        if (!take (r, 8, &p, error))
          return FALSE;
        v.u = read_be (p, 8);
        sonde_value_write_double (json, v.d);
        return TRUE;
      }

    case 0xcc: case 0xcd: case 0xce: case 0xcf:
      if (!take (r, 1u << (b - 0xcc), &p, error))
        return FALSE;
      sonde_value_write_uint (json, read_be (p, 1u << (b - 0xcc)));
      return TRUE;

    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      {
        guint n = 1u << (b - 0xd0);
        guint64 v;

        if (!take (r, n, &p, error))
          return FALSE;
        v = read_be (p, n);
        if (n < 8 && (v >> (n * 8 - 1)) != 0)
          v |= G_MAXUINT64 << (n * 8);   /* sign extension */
        sonde_value_write_int (json, (gint64) v);
        return TRUE;
      }

    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      if (!take (r, 1, &p, error))
        return FALSE;
      return write_ext (w, r, (gint8) p[0], 1u << (b - 0xd4), error);

    case 0xd9: case 0xda: case 0xdb:
      if (!take (r, 1u << (b - 0xd9), &p, error))
        return FALSE;
      size = read_be (p, 1u << (b - 0xd9));
      goto str;

    case 0xdc: case 0xdd: case 0xde: case 0xdf:
      {
        guint n = b & 1 ? 4 : 2;

        if (!take (r, n, &p, error))
          return FALSE;
        *opened = TRUE;
        return write_container (w, r, b <= 0xdd ? SONDE_VALUE_FRAME_ARRAY : SONDE_VALUE_FRAME_MAP,
                                read_be (p, n), error);
      }

    case 0xc1:
    default:
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, FORMAT, r->start,
                              _("a type byte that no value starts with"));
      return FALSE;
    }

str:
  if (!take_body (r, size, &p, error)
      || !sonde_value_writer_check_room (w, size + 2, r->start, error))
    return FALSE;
  sonde_value_write_text (json, (const char *) p, size);
  w->text = TRUE;
  return TRUE;
}

gboolean
sonde_decode_msgpack (const guint8             *data,
                      gsize                     length,
                      const SondeDecodeLimits  *limits,
                      GString                  *json,
                      GError                  **error)
{
  SondeValueWriter w;
  Reader r = { data, length, 0, 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length == 0)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, FORMAT, 0,
                              _("the payload is empty"));
      return FALSE;
    }

  sonde_value_writer_init (&w, json, limits, FORMAT);
  while (!w.done)
    {
      SondeValueFrame *top = sonde_value_writer_top (&w);
      gboolean opened;

      if (top != NULL && top->remaining == 0)
        {
          sonde_value_writer_pop (&w);
          if (!sonde_value_writer_end (&w, r.pos, error))
            goto out;
          continue;
        }
      if (r.pos >= r.length)
        {
          fail_truncated (&r, error);
          goto out;
        }

      r.start = r.pos++;
      if (!sonde_value_writer_begin (&w, r.start, error)
          || !read_value (&w, &r, data[r.start], &opened, error))
        goto out;
      if (!opened && !sonde_value_writer_end (&w, r.pos, error))
        goto out;
    }

  if (r.pos < r.length)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, FORMAT, r.pos,
                              _("bytes after the end of the value"));
      goto out;
    }
  ok = TRUE;

out:
  sonde_value_writer_finish (&w, ok);
  return ok;
}

/* The size of the header at @p (bytes after the first), the body that
 * follows it and how many values it opens; FALSE for 0xc1. */
static gboolean
header_shape (const guint8 *p,
              gsize         avail,
              gsize        *header,
              guint64      *body,
              guint64      *values)
{
  guint8 b = p[0];
  guint n;

  *header = 0;
  *body = 0;
  *values = 0;

  if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
    return TRUE;
  if (b <= 0x8f)
    {
      *values = (guint64) (b & 0x0f) * 2;
      return TRUE;
    }
  if (b <= 0x9f)
    {
      *values = b & 0x0f;
      return TRUE;
    }
  if (b <= 0xbf)
    {
      *body = b & 0x1f;
      return TRUE;
    }

  switch (b)
    {
    case 0xc4: case 0xc5: case 0xc6:
    case 0xd9: case 0xda: case 0xdb:
      n = b <= 0xc6 ? 1u << (b - 0xc4) : 1u << (b - 0xd9);
      if (avail < 1 + n)
        return FALSE;
      *header = n;
      *body = read_be (p + 1, n);
      return TRUE;
    case 0xc7: case 0xc8: case 0xc9:
      n = 1u << (b - 0xc7);
      if (avail < 1 + n)
        return FALSE;
      *header = n + 1;
      *body = read_be (p + 1, n);
      return TRUE;
    case 0xca: case 0xcb:
      *body = b == 0xca ? 4 : 8;
      return TRUE;
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
      *body = 1u << (b - 0xcc);
      return TRUE;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      *body = 1u << (b - 0xd0);
      return TRUE;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      *body = 1 + (1u << (b - 0xd4));
      return TRUE;
    case 0xdc: case 0xdd: case 0xde: case 0xdf:
      n = b & 1 ? 4 : 2;
      if (avail < 1 + n)
        return FALSE;
      *header = n;
      *values = read_be (p + 1, n) * (b >= 0xde ? 2 : 1);
      return TRUE;
    case 0xc1:
    default:
      return FALSE;
    }
}

gboolean
sonde_decode_sniff_msgpack (const guint8 *data,
                            gsize         length)
{
  guint64 pending = 1;
  gsize pos = 0;

  if (length == 0 || data == NULL)
    return FALSE;
  if (!((data[0] >= 0x80 && data[0] <= 0x9f) || (data[0] >= 0xdc && data[0] <= 0xdf)))
    return FALSE;

  /* Without a stack: one count of the values still owed. */
  while (pending > 0)
    {
      gsize header;
      guint64 body, values;

      if (pos >= length || !header_shape (data + pos, length - pos, &header, &body, &values))
        return FALSE;
      pos += 1 + header;
      if (body > length - pos)
        return FALSE;
      pos += body;
      pending += values - 1;
      if (pending > length - pos)
        return FALSE;
    }
  return pos == length;
}
