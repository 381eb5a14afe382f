/* fuzz-frame-parser.c: libFuzzer target for the WebSocket frame parser and the frame stream's input side
 *
 * The input is a byte stream of frames (anything at all). The first 4 bytes
 * choose how it is cut and read: a seed for the piece sizes, the size asked
 * per read, and the message limit. Checked:
 * - the parser fed the rest whole, one byte at a time and in random pieces
 *   reports the same events, consumes every byte, keeps its fields in range;
 * - a plain reference walk of the same bytes finds the same headers;
 * - read through a SondeFrameStream (a random part of the input as its
 *   prefix, the rest from a memory stream, random read sizes), the bytes a reader gets are exactly the frames the reference keeps under
 *   the limit (control frames always, data frames until a message passes it),
 *   the limit is reported at most once, and the counts add up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sonde-frame-parser.h"
#include "sonde-frame-stream.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static guint32
next_random (guint32 *state)
{
  *state = *state * 1103515245u + 12345u;
  return *state >> 8;
}

/* Every event of the parser over @data, cut into pieces of 1 to @max_piece
 * bytes (random from @seed; 0: whole). */
static GString *
parse_events (const guint8 *data,
              gsize         size,
              guint32       seed,
              gsize         max_piece)
{
  SondeFrameParser parser;
  GString *log = g_string_new (NULL);
  gsize at = 0;

  sonde_frame_parser_init (&parser);
  do
    {
      gsize piece = max_piece == 0 ? size - at : 1 + next_random (&seed) % max_piece;
      gsize end = MIN (size, at + piece);
      SondeFrameEvent event;

      do
        {
          gsize n = sonde_frame_parser_scan (&parser, data + at, end - at, &event);

          g_assert (n <= end - at);
          at += n;
          g_assert (parser.partial_length < SONDE_FRAME_HEADER_MAX);
          g_assert (parser.control_length <= SONDE_FRAME_CONTROL_MAX);
          if (event == SONDE_FRAME_EVENT_HEADER)
            {
              g_assert (parser.header_length >= 2 && parser.header_length <= SONDE_FRAME_HEADER_MAX);
              g_assert (parser.partial_length == 0);
              g_string_append_printf (log, "H%u/%u/%" G_GUINT64_FORMAT "/%u ", parser.frame.opcode,
                                      parser.frame.bits, parser.frame.size, parser.header_length);
            }
          else if (event == SONDE_FRAME_EVENT_CONTROL)
            {
              g_assert (parser.frame.opcode >= 8);
              g_string_append_printf (log, "C%u:", parser.control_length);
              for (guint i = 0; i < parser.control_length; i++)
                g_string_append_printf (log, "%02x", parser.control[i]);
              g_string_append_c (log, ' ');
            }
        }
      while (event != SONDE_FRAME_EVENT_NONE);
      g_assert (at == end);
    }
  while (at < size);

  g_string_append_printf (log, "end %d", sonde_frame_parser_at_boundary (&parser));
  return log;
}

typedef struct {
  GString *expected_log;   /* headers, as the stream's observer reports them */
  GByteArray *kept;        /* what a reader gets */
  guint64 grown_to;
  gboolean limit_passed;
  gsize frames;
} Reference;

/* The frame rules walked plainly, a whole header at a time. */
static void
reference_walk (const guint8 *data,
                gsize         size,
                guint64       max_message,
                Reference    *ref)
{
  gsize at = 0;
  guint64 total = 0;

  ref->expected_log = g_string_new (NULL);
  ref->kept = g_byte_array_new ();

  while (at < size)
    {
      gsize rest = size - at;
      const guint8 *p = data + at;
      guint len7;
      gsize header;
      guint64 length = 0;
      guint8 opcode;
      gsize frame_bytes;
      gboolean keep = TRUE;

      if (rest < 2)
        {
          g_byte_array_append (ref->kept, p, rest);   /* a header cut by the end */
          break;
        }
      len7 = p[1] & 0x7f;
      header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((p[1] & 0x80) ? 4 : 0);
      if (rest < header)
        {
          g_byte_array_append (ref->kept, p, rest);
          break;
        }
      if (len7 < 126)
        length = len7;
      else
        for (gsize i = 2; i < (len7 == 126 ? 4u : 10u); i++)
          length = (length << 8) | p[i];

      opcode = p[0] & 0x0f;
      ref->frames++;
      if (opcode < 8)
        {
          total = opcode != 0 ? length : (total > G_MAXUINT64 - length ? G_MAXUINT64 : total + length);
          g_string_append_printf (ref->expected_log, "%u/%" G_GUINT64_FORMAT " ", opcode, length);
          if (!ref->limit_passed && max_message > 0 && total > max_message)
            {
              ref->limit_passed = TRUE;
              ref->grown_to = total;
              g_string_append (ref->expected_log, "limit ");
            }
          keep = !ref->limit_passed;
        }

      frame_bytes = header + (length < rest - header ? (gsize) length : rest - header);
      if (keep)
        g_byte_array_append (ref->kept, p, frame_bytes);
      at += frame_bytes;
    }
}

/* What the stream's observer reported: data frame headers and the limit. */
typedef struct {
  GString *log;
  guint    limits;
  guint64  grown_to;
} Observed;

static void
on_frame (gpointer              user_data,
          SondeDirection        direction,
          const SondeFrameInfo *frame,
          const guint8         *control_payload,
          gsize                 control_length)
{
  Observed *observed = user_data;

  g_assert (direction == SONDE_DIRECTION_IN);
  g_assert ((frame->opcode >= 8) == (control_payload != NULL));
  g_assert (control_length <= SONDE_FRAME_CONTROL_MAX);
  if (frame->opcode < 8)
    g_string_append_printf (observed->log, "%u/%" G_GUINT64_FORMAT " ", frame->opcode, frame->size);
}

static void
on_limit (gpointer user_data,
          guint64  grown_to,
          guint64  limit)
{
  Observed *observed = user_data;

  g_assert (grown_to > limit);
  observed->limits++;
  observed->grown_to = grown_to;
  g_string_append (observed->log, "limit ");
}

static void
check_stream (const guint8 *data,
              gsize         size,
              guint32       seed,
              guint64       max_message,
              gboolean      blocking)
{
  g_autoptr(GInputStream) memory = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(SondeFrameStream) stream = NULL;
  g_autoptr(GBytes) prefix = NULL;
  g_autoptr(GByteArray) got = g_byte_array_new ();
  Observed observed = { g_string_new (NULL), 0, 0 };
  Reference ref = { 0 };
  SondeFrameCounts counts;
  GInputStream *in;
  gsize prefix_length = size > 0 ? next_random (&seed) % (size + 1) : 0;
  guint8 buffer[4096];

  prefix = g_bytes_new (data, prefix_length);
  memory = g_memory_input_stream_new_from_data (data + prefix_length, size - prefix_length, NULL);
  base = g_simple_io_stream_new (memory, sink);
  stream = sonde_frame_stream_new (base, prefix);
  sonde_frame_stream_set_observer (stream, on_frame, on_limit, &observed);
  sonde_frame_stream_set_max_message (stream, max_message);
  in = g_io_stream_get_input_stream (G_IO_STREAM (stream));

  for (;;)
    {
      gsize count = 1 + next_random (&seed) % (next_random (&seed) % 2 ? 40 : sizeof buffer);
      GError *error = NULL;
      gssize n;

      if (blocking)
        n = g_input_stream_read (in, buffer, count, NULL, &error);
      else
        n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                      count, NULL, &error);
      /* A long run of dropped bytes yields: read again. */
      if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_clear_error (&error);
          continue;
        }
      g_assert (error == NULL);
      g_assert (n >= 0 && (gsize) n <= count);
      if (n == 0)
        break;
      g_byte_array_append (got, buffer, n);
    }

  reference_walk (data, size, max_message, &ref);
  g_assert (got->len == ref.kept->len);
  g_assert (got->len == 0 || memcmp (got->data, ref.kept->data, got->len) == 0);
  g_assert (strcmp (observed.log->str, ref.expected_log->str) == 0);
  g_assert (observed.limits == (ref.limit_passed ? 1u : 0u));
  g_assert (observed.grown_to == ref.grown_to);

  sonde_frame_stream_get_counts (stream, &counts);
  g_assert (counts.bytes_in == size);
  g_assert (counts.frames_in == ref.frames);
  g_assert (counts.bytes_in - counts.discarded_bytes == got->len);

  g_string_free (observed.log, TRUE);
  g_string_free (ref.expected_log, TRUE);
  g_byte_array_unref (ref.kept);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const guint64 limits[] = { 0, 1, 10, 125, 126, 1000, 65536, G_MAXUINT64 / 2 };
  guint32 seed;
  guint64 max_message;
  GString *whole;
  GString *bytewise;
  GString *pieces;

  if (size < 4)
    return 0;
  seed = data[0] | (data[1] << 8);
  max_message = limits[data[2] % G_N_ELEMENTS (limits)];
  data += 4;
  size -= 4;

  whole = parse_events (data, size, seed, 0);
  bytewise = parse_events (data, size, seed, 1);
  pieces = parse_events (data, size, seed, 1 + data[-1] % 32);
  g_assert (strcmp (whole->str, bytewise->str) == 0);
  g_assert (strcmp (whole->str, pieces->str) == 0);
  g_string_free (whole, TRUE);
  g_string_free (bytewise, TRUE);
  g_string_free (pieces, TRUE);

  check_stream (data, size, seed, max_message, data[-2] & 1);

  return 0;
}
