/* sonde-frame-input-stream.c: the reading side of a SondeFrameStream
 *
 * Reads into the caller's buffer and scans the frame headers there as they
 * pass, without copying payloads. Frames past the message limit are cut out
 * of the buffer (the bytes after them move down), so that libsoup never gets
 * them, and nothing here ever holds more than one read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-frame-input-stream"

#include "config.h"

#include <string.h>

#include "sonde-frame-input-stream.h"
#include "sonde-frame-parser.h"

/* Reads asking for less than this go through a scratch buffer of
 * SCRATCH_SIZE: a read must have room for a held header and new bytes. */
#define SMALL_READ   64
#define SCRATCH_SIZE 1024
#define EMPTY_READS_MAX 64

struct _SondeFrameInputStream
{
  GInputStream parent_instance;

  /* owned */
  GInputStream     *base;
  SondeFrameShared *shared;
  GBytes           *prefix;         /* still to be read, from prefix_offset */
  gsize             prefix_offset;
  guint8           *scratch;        /* scanned bytes not yet returned (small reads) */
  gsize             scratch_offset;
  gsize             scratch_length;
  SondeFrameParser  parser;

  guint64           max_message;    /* 0: none */
  guint64           message_total;
  gboolean          limit_passed;
  gboolean          dropping;       /* the current frame is cut out */
};

static void sonde_frame_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeFrameInputStream, sonde_frame_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      sonde_frame_input_stream_pollable_init))

static inline guint64
add_saturated (guint64 a,
               guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* Moves buffer[from, to) down to buffer[out, …), or drops it; returns the new
 * output length. */
static inline gsize
pass (SondeFrameInputStream *self,
      guint8                *buffer,
      gsize                  out,
      gsize                  from,
      gsize                  to)
{
  gsize length = to - from;

  if (G_UNLIKELY (self->dropping))
    {
      self->shared->counts.discarded_bytes += length;
      return out;
    }
  if (out != from && length > 0)
    memmove (buffer + out, buffer + from, length);
  return out + length;
}

static void
on_header (SondeFrameInputStream *self)
{
  SondeFrameShared *shared = self->shared;
  const SondeFrameInfo *frame = &self->parser.frame;

  shared->counts.frames_in++;

  /* Control frames always pass (libsoup must still see the peer's Close);
   * the observer hears of them once their payload is in. */
  if (frame->opcode & 0x08)
    {
      shared->counts.control_in++;
      self->dropping = FALSE;
      return;
    }

  if (frame->opcode != 0)
    self->message_total = frame->size;
  else
    self->message_total = add_saturated (self->message_total, frame->size);

  if (shared->frame_func != NULL)
    shared->frame_func (shared->user_data, SONDE_DIRECTION_IN, frame, NULL, 0);

  if (G_UNLIKELY (!self->limit_passed && self->max_message > 0
                  && self->message_total > self->max_message))
    {
      self->limit_passed = TRUE;
      if (shared->limit_func != NULL)
        shared->limit_func (shared->user_data, self->message_total, self->max_message);
    }

  self->dropping = self->limit_passed;
}

static void
on_control (SondeFrameInputStream *self)
{
  SondeFrameShared *shared = self->shared;

  if (shared->frame_func != NULL)
    shared->frame_func (shared->user_data, SONDE_DIRECTION_IN, &self->parser.frame,
                        self->parser.control, self->parser.control_length);
}

/* buffer[0, held) is the start of a header already scanned, buffer[held,
 * end) new bytes. Scans the new bytes, cuts out dropped frames, and keeps
 * back a header cut by the end (it stays in the parser, to be put in front of
 * the next read). Returns how many bytes of buffer are for the caller. */
static gsize
scan (SondeFrameInputStream *self,
      guint8                *buffer,
      gsize                  held,
      gsize                  end)
{
  SondeFrameParser *parser = &self->parser;
  SondeFrameEvent event;
  gsize in = held;
  gsize out = 0;
  gsize segment = 0;   /* start of the bytes that belong to the current frame */

  for (;;)
    {
      in += sonde_frame_parser_scan (parser, buffer + in, end - in, &event);
      if (event == SONDE_FRAME_EVENT_NONE)
        break;

      if (event == SONDE_FRAME_EVENT_HEADER)
        {
          gsize header_start = in - parser->header_length;

          out = pass (self, buffer, out, segment, header_start);
          segment = header_start;
          on_header (self);
        }
      else
        {
          on_control (self);
        }
    }

  return pass (self, buffer, out, segment, end - parser->partial_length);
}

/* Fills buffer[0, size) (size ≥ SMALL_READ) with what the caller may have:
 * the held header bytes, then the prefix or what @base gives. Reads again
 * when everything read was dropped or held; a non-blocking read gives up
 * (G_IO_ERROR_WOULD_BLOCK) after EMPTY_READS_MAX such reads, so that a flood
 * being dropped does not keep the caller's main context from running. */
static gssize
fill (SondeFrameInputStream  *self,
      guint8                 *buffer,
      gsize                   size,
      gboolean                blocking,
      GCancellable           *cancellable,
      GError                **error)
{
  for (guint empty_reads = 0;; empty_reads++)
    {
      gsize held = self->parser.partial_length;
      gssize n;
      gsize out;

      if (!blocking && empty_reads == EMPTY_READS_MAX)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "Dropped bytes only, for now");
          return -1;
        }

      memcpy (buffer, self->parser.partial, held);

      if (self->prefix != NULL)
        {
          gsize prefix_length;
          const guint8 *prefix = g_bytes_get_data (self->prefix, &prefix_length);

          n = MIN (size - held, prefix_length - self->prefix_offset);
          memcpy (buffer + held, prefix + self->prefix_offset, n);
          self->prefix_offset += n;
          if (self->prefix_offset == prefix_length)
            g_clear_pointer (&self->prefix, g_bytes_unref);
        }
      else if (blocking)
        {
          n = g_input_stream_read (self->base, buffer + held, size - held, cancellable, error);
        }
      else
        {
          n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base),
                                                        buffer + held, size - held,
                                                        cancellable, error);
        }

      if (n < 0)
        return -1;

      if (n == 0)
        {
          /* The end, with a header cut short: libsoup gets it as it is. */
          self->parser.partial_length = 0;
          return held;
        }

      self->shared->counts.bytes_in += n;
      out = scan (self, buffer, held, held + n);
      if (out > 0)
        return out;
    }
}

static gssize
read_any (SondeFrameInputStream  *self,
          void                   *buffer,
          gsize                   count,
          gboolean                blocking,
          GCancellable           *cancellable,
          GError                **error)
{
  gssize n;

  if (count == 0)
    return 0;

  if (self->scratch_offset < self->scratch_length)
    {
      n = MIN (count, self->scratch_length - self->scratch_offset);
      memcpy (buffer, self->scratch + self->scratch_offset, n);
      self->scratch_offset += n;
      return n;
    }

  if (count >= SMALL_READ)
    return fill (self, buffer, count, blocking, cancellable, error);

  if (self->scratch == NULL)
    self->scratch = g_malloc (SCRATCH_SIZE);
  n = fill (self, self->scratch, SCRATCH_SIZE, blocking, cancellable, error);
  if (n <= 0)
    return n;
  self->scratch_offset = 0;
  self->scratch_length = n;
  return read_any (self, buffer, count, blocking, cancellable, error);
}

static gboolean
has_ready_bytes (SondeFrameInputStream *self)
{
  return self->scratch_offset < self->scratch_length || self->prefix != NULL;
}

static gboolean
sonde_frame_input_stream_can_poll (GPollableInputStream *pollable)
{
  SondeFrameInputStream *self = SONDE_FRAME_INPUT_STREAM (pollable);

  return G_IS_POLLABLE_INPUT_STREAM (self->base)
         && g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
sonde_frame_input_stream_is_readable (GPollableInputStream *pollable)
{
  SondeFrameInputStream *self = SONDE_FRAME_INPUT_STREAM (pollable);

  return has_ready_bytes (self)
         || g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
sonde_frame_input_stream_create_source (GPollableInputStream *pollable,
                                        GCancellable         *cancellable)
{
  SondeFrameInputStream *self = SONDE_FRAME_INPUT_STREAM (pollable);
  g_autoptr(GSource) base_source = NULL;
  GSource *source;

  if (has_ready_bytes (self))
    {
      /* Bytes to return at once: a source that is ready now. */
      source = g_pollable_source_new_full (self, NULL, cancellable);
      g_source_set_ready_time (source, 0);
      return source;
    }

  base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base),
                                                       cancellable);
  return g_pollable_source_new_full (self, base_source, cancellable);
}

static gssize
sonde_frame_input_stream_read_nonblocking (GPollableInputStream  *pollable,
                                           void                  *buffer,
                                           gsize                  count,
                                           GError               **error)
{
  return read_any (SONDE_FRAME_INPUT_STREAM (pollable), buffer, count, FALSE, NULL, error);
}

static gssize
sonde_frame_input_stream_read (GInputStream  *stream,
                               void          *buffer,
                               gsize          count,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return read_any (SONDE_FRAME_INPUT_STREAM (stream), buffer, count, TRUE, cancellable, error);
}

/* The frame stream closes the base stream, not this side. */
static gboolean
sonde_frame_input_stream_close (GInputStream  *stream,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return TRUE;
}

static void
sonde_frame_input_stream_finalize (GObject *object)
{
  SondeFrameInputStream *self = SONDE_FRAME_INPUT_STREAM (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->shared, sonde_frame_shared_unref);
  g_clear_pointer (&self->prefix, g_bytes_unref);
  g_clear_pointer (&self->scratch, g_free);

  G_OBJECT_CLASS (sonde_frame_input_stream_parent_class)->finalize (object);
}

static void
sonde_frame_input_stream_class_init (SondeFrameInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sonde_frame_input_stream_finalize;

  input_class->read_fn = sonde_frame_input_stream_read;
  input_class->close_fn = sonde_frame_input_stream_close;
}

static void
sonde_frame_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = sonde_frame_input_stream_can_poll;
  iface->is_readable = sonde_frame_input_stream_is_readable;
  iface->create_source = sonde_frame_input_stream_create_source;
  iface->read_nonblocking = sonde_frame_input_stream_read_nonblocking;
}

static void
sonde_frame_input_stream_init (SondeFrameInputStream *self)
{
  sonde_frame_parser_init (&self->parser);
}

SondeFrameInputStream *
sonde_frame_input_stream_new (GInputStream     *base,
                              GBytes           *prefix,
                              SondeFrameShared *shared)
{
  SondeFrameInputStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);
  g_return_val_if_fail (shared != NULL, NULL);

  self = g_object_new (SONDE_TYPE_FRAME_INPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  self->shared = sonde_frame_shared_ref (shared);
  if (prefix != NULL && g_bytes_get_size (prefix) > 0)
    self->prefix = g_bytes_ref (prefix);

  return self;
}

void
sonde_frame_input_stream_set_max_message (SondeFrameInputStream *self,
                                          guint64                max_bytes)
{
  g_return_if_fail (SONDE_IS_FRAME_INPUT_STREAM (self));

  self->max_message = max_bytes;
}
