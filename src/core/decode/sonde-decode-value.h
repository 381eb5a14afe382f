/* sonde-decode-value.h: the JSON side of the value decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MessagePack and CBOR share how a value becomes JSON text: the readers
 * (sonde-decode-msgpack.c, sonde-decode-cbor.c) read one header at a time
 * and tell this writer what they found; the writer keeps the stack of open
 * arrays, maps and wrappers (no recursion), writes the separators, turns
 * non-string map keys into strings, and holds the limits. Nothing here
 * builds a tree: the text goes straight into the caller's GString.
 */
#pragma once

#include <glib.h>

#include "sonde-decode.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_VALUE_FRAME_ARRAY,
  SONDE_VALUE_FRAME_MAP,
  SONDE_VALUE_FRAME_WRAP,   /* {"$tag": n, "value": …}: one value, then "}" */
} SondeValueFrameKind;

typedef struct {
  SondeValueFrameKind kind;
  gboolean  indefinite;       /* ends at a CBOR break, not after a count */
  gboolean  nonstring_keys;   /* a map with a key that was not a text string */
  guint64   remaining;        /* values still to come (maps: keys + values) */
  guint64   index;            /* values seen so far */
  gsize     key_start;        /* where the current key's text starts */
} SondeValueFrame;

typedef struct {
  /* borrowed */
  GString                 *json;
  const SondeDecodeLimits *limits;
  const char              *format;     /* "MessagePack", "CBOR" */
  /* owned */
  SondeValueFrame         *frames;     /* the open containers: inline_frames, or on the heap past 16 */
  guint                    depth;
  guint                    capacity;
  SondeValueFrame          inline_frames[16];
  gsize                    json_start; /* json->len on entry */
  guint64                  elements;
  gboolean                 done;       /* the one top-level value is complete */
  gboolean                 text;       /* the value just written was a text string */
} SondeValueWriter;

void     sonde_value_writer_init     (SondeValueWriter        *w,
                                      GString                 *json,
                                      const SondeDecodeLimits *limits,
                                      const char              *format);
/* Frees the stack; on failure (@ok FALSE) cuts @json back to its length at
 * init, so that a failed decode appends nothing. */
void     sonde_value_writer_finish   (SondeValueWriter        *w,
                                      gboolean                 ok);

static inline SondeValueFrame *
sonde_value_writer_top (SondeValueWriter *w)
{
  return w->depth > 0 ? &w->frames[w->depth - 1] : NULL;
}

/* Out of line: the errors, and a key that was not a text string. */
gboolean sonde_value_writer_fail     (SondeValueWriter        *w,
                                      SondeDecodeError         code,
                                      gsize                    offset,
                                      GError                 **error);
void     sonde_value_writer_finish_key (SondeValueWriter      *w,
                                        SondeValueFrame       *top);

/* Before each value (each header read, at byte @offset): counts it
 * against max_elements and writes the separator. */
static inline gboolean
sonde_value_writer_begin (SondeValueWriter  *w,
                          gsize              offset,
                          GError           **error)
{
  SondeValueFrame *top;

  if (G_UNLIKELY (++w->elements > w->limits->max_elements))
    return sonde_value_writer_fail (w, SONDE_DECODE_ERROR_TOO_MANY, offset, error);

  w->text = FALSE;
  top = sonde_value_writer_top (w);
  if (top == NULL || top->kind == SONDE_VALUE_FRAME_WRAP)
    return TRUE;
  if (top->kind == SONDE_VALUE_FRAME_ARRAY)
    {
      if (top->index > 0)
        g_string_append_c (w->json, ',');
    }
  else if (top->index % 2 == 0)
    {
      if (top->index > 0)
        g_string_append_c (w->json, ',');
      top->key_start = w->json->len;
    }
  return TRUE;
}

/* After a scalar, or after a container closed: completes a map key,
 * checks the output size. */
static inline gboolean
sonde_value_writer_end (SondeValueWriter  *w,
                        gsize              offset,
                        GError           **error)
{
  SondeValueFrame *top = sonde_value_writer_top (w);

  if (top == NULL)
    w->done = TRUE;
  else
    {
      if (top->kind == SONDE_VALUE_FRAME_MAP && top->index % 2 == 0)
        {
          if (G_LIKELY (w->text))
            g_string_append_c (w->json, ':');
          else
            sonde_value_writer_finish_key (w, top);
        }
      top->index++;
      if (!top->indefinite)
        top->remaining--;
    }
  w->text = FALSE;

  if (G_UNLIKELY (w->json->len - w->json_start > w->limits->max_output))
    return sonde_value_writer_fail (w, SONDE_DECODE_ERROR_TOO_LARGE, offset, error);
  return TRUE;
}

/* Opens an array, a map (@count pairs) or a wrapper; @count is ignored when
 * @indefinite. Writes "[", "{" or {"$tag":@tag,"value": and checks depth. */
gboolean sonde_value_writer_push     (SondeValueWriter        *w,
                                      SondeValueFrameKind      kind,
                                      guint64                  count,
                                      gboolean                 indefinite,
                                      guint64                  tag,
                                      gsize                    offset,
                                      GError                 **error);
/* Closes the innermost frame (then call sonde_value_writer_end). */
void     sonde_value_writer_pop      (SondeValueWriter        *w);

/* Scalars: each between begin and end. */
/* A text string (@text is not NUL-terminated), escaped, invalid UTF-8 as
 * U+FFFD: sonde_json_append_string with a fast path for plain ASCII. */
void     sonde_value_write_text      (GString *json, const char *text, gsize length);
void     sonde_value_write_uint      (GString *json, guint64 value);
void     sonde_value_write_int       (GString *json, gint64 value);
/* -1 - @n, for CBOR's negative integers down to -2^64. */
void     sonde_value_write_neg_uint  (GString *json, guint64 n);
void     sonde_value_write_double    (GString *json, double value);
void     sonde_value_write_float     (GString *json, float value);
void     sonde_value_write_base64    (GString *json, const guint8 *data, gsize length);
/* An ISO 8601 UTC time with nanoseconds ("1970-01-01T00:00:00.5Z"); FALSE
 * (nothing written) for a year outside 0000–9999 or @nsec past 999999999. */
gboolean sonde_value_write_time      (GString *json, gint64 sec, guint32 nsec);
/* A big-endian unsigned magnitude (@negative: -1 - it) as a decimal string;
 * FALSE (nothing written) past 1024 bytes, where base conversion would get
 * slow. */
gboolean sonde_value_write_bignum    (GString *json, const guint8 *data, gsize length,
                                      gboolean negative);

/* Fails with TOO_LARGE unless @extra more bytes of JSON text still fit. */
static inline gboolean
sonde_value_writer_check_room (SondeValueWriter *w,
                               gsize             extra,
                               gsize             offset,
                               GError          **error)
{
  gsize used = w->json->len - w->json_start;

  if (G_UNLIKELY (used > w->limits->max_output || extra > w->limits->max_output - used))
    return sonde_value_writer_fail (w, SONDE_DECODE_ERROR_TOO_LARGE, offset, error);
  return TRUE;
}

G_END_DECLS
