/* sonde-frame-parser.c: RFC 6455 frame headers, read incrementally from a byte stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-frame-parser"

#include "config.h"

#include <string.h>

#include "sonde-frame-parser.h"

/* The header's length, known from its second byte (RFC 6455 §5.2). */
static inline guint
header_length_of (guint8 b1)
{
  guint len7 = b1 & 0x7f;

  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
}

/* FIN, RSV1, RSV2, RSV3 are bits 7..4 of the first byte; the record's bits
 * have them as bits 0..3, in that order: indexed by the byte's top 4 bits. */
static const guint8 bits_of_top[16] = {
  0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe,
  0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf,
};

static inline void
parse_header (SondeFrameParser *self,
              const guint8     *p,
              guint             length)
{
  guint8 b0 = p[0];
  guint8 b1 = p[1];
  guint len7 = b1 & 0x7f;
  guint64 size;
  guint at = 2;

  if (len7 < 126)
    {
      size = len7;
    }
  else if (len7 == 126)
    {
      size = ((guint64) p[2] << 8) | p[3];
      at = 4;
    }
  else
    {
      size = 0;
      for (at = 2; at < 10; at++)
        size = (size << 8) | p[at];
    }

  self->frame.bits = bits_of_top[b0 >> 4] | ((b1 & 0x80) >> 3);
  self->frame.opcode = b0 & 0x0f;
  self->frame.size = size;
  self->remaining = size;
  self->header_length = length;

  /* Only control payloads are unmasked (and kept). */
  if (G_UNLIKELY (b0 & 0x08))
    {
      if (b1 & 0x80)
        memcpy (self->mask, p + at, 4);
      else
        memset (self->mask, 0, 4);
      self->control_due = TRUE;
      self->control_length = 0;
    }
}

static void
collect_control (SondeFrameParser *self,
                 const guint8     *data,
                 gsize             length)
{
  gsize room = SONDE_FRAME_CONTROL_MAX - self->control_length;
  gsize n = MIN (room, length);

  for (gsize i = 0; i < n; i++)
    {
      guint at = self->control_length + i;

      self->control[at] = data[i] ^ self->mask[at & 3];
    }
  self->control_length += n;
}

void
sonde_frame_parser_init (SondeFrameParser *self)
{
  memset (self, 0, sizeof *self);
}

gsize
sonde_frame_parser_scan (SondeFrameParser *self,
                         const guint8     *data,
                         gsize             length,
                         SondeFrameEvent  *event)
{
  gsize pos = 0;
  guint need;

  /* The current frame's payload: counted, not copied (but control
   * payloads). */
  if (self->remaining > 0)
    {
      gsize take = self->remaining < length ? (gsize) self->remaining : length;

      if (self->control_due)
        collect_control (self, data, take);
      self->remaining -= take;
      pos = take;
      if (self->remaining > 0)
        {
          *event = SONDE_FRAME_EVENT_NONE;
          return pos;
        }
    }

  if (G_UNLIKELY (self->control_due))
    {
      self->control_due = FALSE;
      *event = SONDE_FRAME_EVENT_CONTROL;
      return pos;
    }

  if (pos == length)
    {
      *event = SONDE_FRAME_EVENT_NONE;
      return pos;
    }

  /* The common case: a whole header in the buffer, read in place. */
  if (G_LIKELY (self->partial_length == 0))
    {
      const guint8 *p = data + pos;
      gsize avail = length - pos;

      if (G_LIKELY (avail >= 2))
        {
          need = header_length_of (p[1]);
          if (G_LIKELY (avail >= need))
            {
              parse_header (self, p, need);
              *event = SONDE_FRAME_EVENT_HEADER;
              return pos + need;
            }
        }

      /* Cut by the end of the buffer: kept for the next call (< 14 bytes). */
      memcpy (self->partial, p, avail);
      self->partial_length = avail;
      *event = SONDE_FRAME_EVENT_NONE;
      return length;
    }

  /* Completing a header begun in an earlier call. */
  need = self->partial_length >= 2 ? header_length_of (self->partial[1]) : 2;
  while (pos < length && self->partial_length < need)
    {
      self->partial[self->partial_length++] = data[pos++];
      if (self->partial_length == 2)
        need = header_length_of (self->partial[1]);
    }

  if (self->partial_length < need)
    {
      *event = SONDE_FRAME_EVENT_NONE;
      return pos;
    }

  parse_header (self, self->partial, need);
  self->partial_length = 0;
  *event = SONDE_FRAME_EVENT_HEADER;
  return pos;
}
