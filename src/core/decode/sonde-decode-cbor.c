/* sonde-decode-cbor.c: CBOR to JSON text, streaming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One header at a time, straight into JSON text through
 * sonde-decode-value.c (see sonde-decode-cbor.h for the shape and for why
 * this is not libcbor).
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "sonde-decode-cbor.h"
#include "sonde-decode-value.h"
#include "sonde-json-writer.h"

#define FORMAT "CBOR"
#define INDEFINITE 31
#define SNIFF_MAX_DEPTH 64

typedef enum {
  HEAD_OK,
  HEAD_TRUNCATED,
  HEAD_MALFORMED,
} HeadResult;

typedef struct {
  guint8  major;
  guint8  ai;        /* additional information: 31 is indefinite (or break) */
  guint64 value;     /* the argument: a number, a length, a count, a tag */
} Head;

/* Reads one initial byte and its argument at *@pos. */
static HeadResult
read_head (const guint8 *data,
           gsize         length,
           gsize        *pos,
           Head         *head)
{
  guint size, i;

  if (*pos >= length)
    return HEAD_TRUNCATED;
  head->major = data[*pos] >> 5;
  head->ai = data[*pos] & 31;
  (*pos)++;

  if (head->ai < 24)
    {
      head->value = head->ai;
      return HEAD_OK;
    }
  if (head->ai == INDEFINITE)
    {
      head->value = 0;
      /* Only strings, arrays and maps have an indefinite form; 0xff is
       * the break. */
      return head->major >= 2 && head->major <= 5 ? HEAD_OK
        : head->major == 7 ? HEAD_OK : HEAD_MALFORMED;
    }
  if (head->ai > 27)
    return HEAD_MALFORMED;

  size = 1u << (head->ai - 24);
  if (size > length - *pos)
    return HEAD_TRUNCATED;
  head->value = 0;
  for (i = 0; i < size; i++)
    head->value = head->value << 8 | data[*pos + i];
  *pos += size;
  /* A two-byte simple value below 32 is not well-formed. */
  if (head->major == 7 && head->ai == 24 && head->value < 32)
    return HEAD_MALFORMED;
  return HEAD_OK;
}

typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
  gsize         start;       /* where the current value's head starts */
  GByteArray   *chunks;      /* an indefinite string, joined (lazily made) */
} Reader;

static gboolean
fail (Reader           *r,
      SondeDecodeError  code,
      gsize             offset,
      const char       *why,
      GError          **error)
{
  sonde_decode_set_error (error, code, FORMAT, offset, why);
  return FALSE;
}

static gboolean
fail_head (Reader      *r,
           HeadResult   result,
           gsize        offset,
           GError     **error)
{
  if (result == HEAD_TRUNCATED)
    return fail (r, SONDE_DECODE_ERROR_TRUNCATED, r->length,
                 _("the payload ends in the middle of a value"), error);
  return fail (r, SONDE_DECODE_ERROR_MALFORMED, offset,
               _("a type byte that no value starts with"), error);
}

/* The bytes of a (definite or indefinite) byte or text string whose head
 * was just read. */
static gboolean
read_string (Reader        *r,
             const Head    *head,
             const guint8 **p,
             gsize         *size,
             GError       **error)
{
  if (head->ai != INDEFINITE)
    {
      if (head->value > r->length - r->pos)
        return fail (r, SONDE_DECODE_ERROR_TRUNCATED, r->start,
                     _("a length runs past the end of the payload"), error);
      *p = r->data + r->pos;
      *size = head->value;
      r->pos += head->value;
      return TRUE;
    }

  if (r->chunks == NULL)
    r->chunks = g_byte_array_new ();
  g_byte_array_set_size (r->chunks, 0);
  for (;;)
    {
      gsize chunk_start = r->pos;
      Head chunk;
      HeadResult result = read_head (r->data, r->length, &r->pos, &chunk);

      if (result != HEAD_OK)
        return fail_head (r, result, chunk_start, error);
      if (chunk.major == 7 && chunk.ai == INDEFINITE)
        break;
      if (chunk.major != head->major || chunk.ai == INDEFINITE)
        return fail (r, SONDE_DECODE_ERROR_MALFORMED, chunk_start,
                     _("a piece of a string that is not a string of its type"), error);
      if (chunk.value > r->length - r->pos)
        return fail (r, SONDE_DECODE_ERROR_TRUNCATED, chunk_start,
                     _("a length runs past the end of the payload"), error);
      g_byte_array_append (r->chunks, r->data + r->pos, chunk.value);
      r->pos += chunk.value;
    }
  /* No chunks: an empty string, and not a NULL pointer (memcpy). */
  *p = r->chunks->len > 0 ? r->chunks->data : (const guint8 *) "";
  *size = r->chunks->len;
  return TRUE;
}

static gboolean
read_float (const Head *head,
            double     *value,
            gboolean   *is_float)
{
  union { guint32 u; float f; } f32;
  union { guint64 u; double d; } f64;

  *is_float = TRUE;
  switch (head->ai)
    {
    case 25:
      {
        guint half = (guint) head->value;
        guint exp = (half >> 10) & 0x1f;
        guint mant = half & 0x3ff;
        double v;

        if (exp == 0)
          v = ldexp (mant, -24);
        else if (exp != 31)
          v = ldexp (mant + 1024, exp - 25);
        else
          v = mant == 0 ? INFINITY : NAN;
        *value = half & 0x8000 ? -v : v;
        return TRUE;
      }
    case 26:
      f32.u = (guint32) head->value;
      *value = f32.f;
      return TRUE;
    case 27:
      f64.u = head->value;
      *value = f64.d;
      *is_float = FALSE;
      return TRUE;
    default:
      return FALSE;
    }
}

/* Tags 0–3 whose content is of the expected type: written whole, content
 * included (*@done). Anything else is left for the wrapper. */
static gboolean
read_known_tag (SondeValueWriter  *w,
                Reader            *r,
                guint64            tag,
                gboolean          *done,
                GError           **error)
{
  gsize pos = r->pos;
  Head head;
  gboolean is_float;
  double d;

  *done = FALSE;
  if (tag > 3 || read_head (r->data, r->length, &pos, &head) != HEAD_OK)
    return TRUE;

  if ((tag == 0 && head.major == 3) || (tag >= 2 && head.major == 2 && head.ai != INDEFINITE))
    {
      const guint8 *p;
      gsize size;

      if (tag >= 2 && head.value > 1024)
        return TRUE;
      r->pos = pos;
      if (!read_string (r, &head, &p, &size, error)
          || !sonde_value_writer_check_room (w, size * 3 + 4, r->start, error))
        return FALSE;
      if (tag == 0)
        sonde_value_write_text (w->json, (const char *) p, size);
      else
        sonde_value_write_bignum (w->json, p, size, tag == 3);
      *done = TRUE;
      return TRUE;
    }

  if (tag == 1)
    {
      gint64 sec;
      guint32 nsec = 0;

      if (head.major == 0 && head.value <= G_MAXINT64)
        sec = (gint64) head.value;
      else if (head.major == 1 && head.value <= G_MAXINT64)
        sec = -1 - (gint64) head.value;
      else if (head.major == 7 && read_float (&head, &d, &is_float)
               && d > -1e12 && d < 1e12)
        {
          double whole = floor (d);

          sec = (gint64) whole;
          nsec = (guint32) ((d - whole) * 1e9);
        }
      else
        return TRUE;

      if (sonde_value_write_time (w->json, sec, nsec))
        {
          r->pos = pos;
          *done = TRUE;
        }
    }
  return TRUE;
}

/* Reads the value whose head starts at r->start; a scalar is written whole,
 * a container or a tag is opened (*@opened). */
static gboolean
read_value (SondeValueWriter  *w,
            Reader            *r,
            const Head        *head,
            gboolean          *opened,
            GError           **error)
{
  GString *json = w->json;
  const guint8 *p;
  gsize size;

  *opened = FALSE;
  switch (head->major)
    {
    case 0:
      sonde_value_write_uint (json, head->value);
      return TRUE;
    case 1:
      sonde_value_write_neg_uint (json, head->value);
      return TRUE;

    case 2:
      if (!read_string (r, head, &p, &size, error)
          || !sonde_value_writer_check_room (w, size / 3 * 4 + 6, r->start, error))
        return FALSE;
      sonde_value_write_base64 (json, p, size);
      return TRUE;
    case 3:
      if (!read_string (r, head, &p, &size, error)
          || !sonde_value_writer_check_room (w, size + 2, r->start, error))
        return FALSE;
      sonde_value_write_text (json, (const char *) p, size);
      w->text = TRUE;
      return TRUE;

    case 4:
    case 5:
      {
        gboolean indefinite = head->ai == INDEFINITE;
        SondeValueFrameKind kind = head->major == 4 ? SONDE_VALUE_FRAME_ARRAY
                                                    : SONDE_VALUE_FRAME_MAP;

        /* Each value takes at least a byte: fail now, allocate nothing. */
        if (!indefinite
            && (head->value > r->length - r->pos
                || (kind == SONDE_VALUE_FRAME_MAP && head->value * 2 > r->length - r->pos)))
          return fail (r, SONDE_DECODE_ERROR_TRUNCATED, r->start,
                       _("a container claims more values than the payload holds"), error);
        *opened = TRUE;
        return sonde_value_writer_push (w, kind, head->value, indefinite, 0, r->start, error);
      }

    case 6:
      {
        gboolean done;

        if (!read_known_tag (w, r, head->value, &done, error))
          return FALSE;
        if (done)
          return TRUE;
        *opened = TRUE;
        return sonde_value_writer_push (w, SONDE_VALUE_FRAME_WRAP, 1, FALSE, head->value,
                                        r->start, error);
      }

    case 7:
    default:
      {
        double d;
        gboolean is_float;

        if (read_float (head, &d, &is_float))
          {
            if (is_float)
              sonde_value_write_float (json, (float) d);
            else
              sonde_value_write_double (json, d);
            return TRUE;
          }
        switch (head->value)
          {
          case 20:
            g_string_append (json, "false");
            break;
          case 21:
            g_string_append (json, "true");
            break;
          case 22:
          case 23:
            g_string_append (json, "null");
            break;
          default:
            g_string_append (json, "{\"$simple\":");
            sonde_value_write_uint (json, head->value);
            g_string_append_c (json, '}');
            break;
          }
        return TRUE;
      }
    }
}

gboolean
sonde_decode_cbor (const guint8             *data,
                   gsize                     length,
                   const SondeDecodeLimits  *limits,
                   GString                  *json,
                   GError                  **error)
{
  SondeValueWriter w;
  Reader r = { data, length, 0, 0, NULL };
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length == 0)
    return fail (&r, SONDE_DECODE_ERROR_TRUNCATED, 0, _("the payload is empty"), error);

  sonde_value_writer_init (&w, json, limits, FORMAT);
  while (!w.done)
    {
      SondeValueFrame *top = sonde_value_writer_top (&w);
      HeadResult result;
      gboolean opened;
      Head head;

      if (top != NULL && !top->indefinite && top->remaining == 0)
        {
          sonde_value_writer_pop (&w);
          if (!sonde_value_writer_end (&w, r.pos, error))
            goto out;
          continue;
        }

      r.start = r.pos;
      result = read_head (data, length, &r.pos, &head);
      if (result != HEAD_OK)
        {
          fail_head (&r, result, r.start, error);
          goto out;
        }

      if (head.major == 7 && head.ai == INDEFINITE)
        {
          if (top == NULL || !top->indefinite)
            {
              fail (&r, SONDE_DECODE_ERROR_MALFORMED, r.start,
                    _("a break outside an indefinite-length value"), error);
              goto out;
            }
          if (top->kind == SONDE_VALUE_FRAME_MAP && top->index % 2 != 0)
            {
              fail (&r, SONDE_DECODE_ERROR_MALFORMED, r.start,
                    _("a map ends after a key without its value"), error);
              goto out;
            }
          sonde_value_writer_pop (&w);
          if (!sonde_value_writer_end (&w, r.pos, error))
            goto out;
          continue;
        }

      if (!sonde_value_writer_begin (&w, r.start, error)
          || !read_value (&w, &r, &head, &opened, error))
        goto out;
      if (!opened && !sonde_value_writer_end (&w, r.pos, error))
        goto out;
    }

  if (r.pos < r.length)
    {
      fail (&r, SONDE_DECODE_ERROR_TRAILING, r.pos, _("bytes after the end of the value"), error);
      goto out;
    }
  ok = TRUE;

out:
  if (r.chunks != NULL)
    g_byte_array_unref (r.chunks);
  sonde_value_writer_finish (&w, ok);
  return ok;
}

typedef struct {
  gboolean indefinite;
  gboolean map;
  guint64  count;       /* definite: values still owed; indefinite: seen */
} SniffFrame;

gboolean
sonde_decode_sniff_cbor (const guint8 *data,
                         gsize         length)
{
  SniffFrame stack[SNIFF_MAX_DEPTH + 1];
  guint top = 0;
  gsize pos = 0;

  if (length == 0 || data == NULL || (data[0] >> 5) < 4 || (data[0] >> 5) > 5)
    return FALSE;

  /* The payload itself: a frame owing one value. */
  stack[0].indefinite = FALSE;
  stack[0].map = FALSE;
  stack[0].count = 1;

  for (;;)
    {
      gboolean complete = FALSE;
      gboolean after_tag = FALSE;
      Head head;

      while (!stack[top].indefinite && stack[top].count == 0)
        {
          if (top == 0)
            return pos == length;
          top--;
          if (stack[top].indefinite)
            stack[top].count++;
          else
            stack[top].count--;
        }

      if (read_head (data, length, &pos, &head) != HEAD_OK)
        return FALSE;
      /* The value a tag wraps cannot be a break. */
      while (head.major == 6)
        {
          if (read_head (data, length, &pos, &head) != HEAD_OK)
            return FALSE;
          after_tag = TRUE;
        }
      if (after_tag && head.major == 7 && head.ai == INDEFINITE)
        return FALSE;

      switch (head.major)
        {
        case 0: case 1:
          complete = TRUE;
          break;
        case 2: case 3:
          if (head.ai != INDEFINITE)
            {
              if (head.value > length - pos)
                return FALSE;
              pos += head.value;
            }
          else
            {
              for (;;)
                {
                  Head chunk;

                  if (read_head (data, length, &pos, &chunk) != HEAD_OK)
                    return FALSE;
                  if (chunk.major == 7 && chunk.ai == INDEFINITE)
                    break;
                  if (chunk.major != head.major || chunk.ai == INDEFINITE
                      || chunk.value > length - pos)
                    return FALSE;
                  pos += chunk.value;
                }
            }
          complete = TRUE;
          break;
        case 4: case 5:
          if (top >= SNIFF_MAX_DEPTH)
            return FALSE;
          if (head.ai != INDEFINITE
              && (head.value > length - pos || (head.major == 5 && head.value * 2 > length - pos)))
            return FALSE;
          top++;
          stack[top].indefinite = head.ai == INDEFINITE;
          stack[top].map = head.major == 5;
          stack[top].count = stack[top].indefinite ? 0
            : head.major == 5 ? head.value * 2 : head.value;
          break;
        case 6:
          break;   /* the tagged value follows */
        case 7:
        default:
          if (head.ai == INDEFINITE)
            {
              if (!stack[top].indefinite || (stack[top].map && stack[top].count % 2 != 0))
                return FALSE;
              top--;
            }
          complete = TRUE;
          break;
        }

      if (complete)
        {
          if (stack[top].indefinite)
            stack[top].count++;
          else
            stack[top].count--;
        }
    }
}
