/* sonde-frame-stream.c: a GIOStream that sees every WebSocket frame crossing it
 *
 * libsoup's SoupWebsocketConnection runs over this stream instead of the
 * socket (or TLS) connection itself: the input side scans incoming frame
 * headers and enforces the message limit, the output side scans outgoing
 * frames and injects control frames between them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-frame-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-frame-input-stream.h"
#include "sonde-frame-output-stream.h"
#include "sonde-frame-parser.h"
#include "sonde-frame-stream.h"

struct _SondeFrameStream
{
  GIOStream parent_instance;

  /* owned */
  GIOStream              *base;
  SondeFrameInputStream  *input;
  SondeFrameOutputStream *output;
  SondeFrameShared       *shared;
};

G_DEFINE_FINAL_TYPE (SondeFrameStream, sonde_frame_stream, G_TYPE_IO_STREAM)

/* The two sides only drop their state; the base stream is what closes. */
static void
close_sides (SondeFrameStream *self)
{
  g_output_stream_close (G_OUTPUT_STREAM (self->output), NULL, NULL);
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
}

static GInputStream *
sonde_frame_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (SONDE_FRAME_STREAM (stream)->input);
}

static GOutputStream *
sonde_frame_stream_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (SONDE_FRAME_STREAM (stream)->output);
}

static gboolean
sonde_frame_stream_close (GIOStream     *stream,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SondeFrameStream *self = SONDE_FRAME_STREAM (stream);

  close_sides (self);
  return g_io_stream_close (self->base, cancellable, error);
}

static void
on_base_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
sonde_frame_stream_close_async (GIOStream           *stream,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SondeFrameStream *self = SONDE_FRAME_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sonde_frame_stream_close_async);
  close_sides (self);
  g_io_stream_close_async (self->base, io_priority, cancellable, on_base_closed,
                           g_steal_pointer (&task));
}

static gboolean
sonde_frame_stream_close_finish (GIOStream     *stream,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sonde_frame_stream_finalize (GObject *object)
{
  SondeFrameStream *self = SONDE_FRAME_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);
  g_clear_pointer (&self->shared, sonde_frame_shared_unref);

  G_OBJECT_CLASS (sonde_frame_stream_parent_class)->finalize (object);
}

static void
sonde_frame_stream_class_init (SondeFrameStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = sonde_frame_stream_finalize;

  io_class->get_input_stream = sonde_frame_stream_get_input_stream;
  io_class->get_output_stream = sonde_frame_stream_get_output_stream;
  io_class->close_fn = sonde_frame_stream_close;
  io_class->close_async = sonde_frame_stream_close_async;
  io_class->close_finish = sonde_frame_stream_close_finish;
}

static void
sonde_frame_stream_init (SondeFrameStream *self)
{
}

SondeFrameStream *
sonde_frame_stream_new (GIOStream *base,
                        GBytes    *prefix)
{
  SondeFrameStream *self;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self = g_object_new (SONDE_TYPE_FRAME_STREAM, NULL);
  self->base = g_object_ref (base);
  self->shared = sonde_frame_shared_new ();
  self->input = sonde_frame_input_stream_new (g_io_stream_get_input_stream (base), prefix,
                                              self->shared);
  self->output = sonde_frame_output_stream_new (g_io_stream_get_output_stream (base),
                                                self->shared, NULL);

  return self;
}

void
sonde_frame_stream_set_observer (SondeFrameStream    *self,
                                 SondeFrameFunc       frame_func,
                                 SondeFrameLimitFunc  limit_func,
                                 gpointer             user_data)
{
  g_return_if_fail (SONDE_IS_FRAME_STREAM (self));

  self->shared->frame_func = frame_func;
  self->shared->limit_func = limit_func;
  self->shared->user_data = user_data;
}

void
sonde_frame_stream_set_max_message (SondeFrameStream *self,
                                    guint64           max_bytes)
{
  g_return_if_fail (SONDE_IS_FRAME_STREAM (self));

  sonde_frame_input_stream_set_max_message (self->input, max_bytes);
}

gboolean
sonde_frame_stream_send_control (SondeFrameStream  *self,
                                 guint8             opcode,
                                 const guint8      *payload,
                                 gsize              length,
                                 GError           **error)
{
  guint8 wire[SONDE_FRAME_HEADER_MAX + SONDE_FRAME_CONTROL_MAX];
  SondeFrameInfo frame;
  guint32 key = g_random_int ();
  guint8 mask[4];

  g_return_val_if_fail (SONDE_IS_FRAME_STREAM (self), FALSE);
  g_return_val_if_fail (payload != NULL || length == 0, FALSE);

  if (opcode != 9 && opcode != 10)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Only ping and pong frames can be sent this way, not opcode %u"), opcode);
      return FALSE;
    }
  if (length > SONDE_FRAME_CONTROL_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A ping or pong carries at most 125 bytes, not %u"),
                   (guint) MIN (length, G_MAXUINT));
      return FALSE;
    }

  /* Client frames are masked (RFC 6455 §5.3). */
  memcpy (mask, &key, 4);
  wire[0] = 0x80 | opcode;
  wire[1] = 0x80 | (guint8) length;
  memcpy (wire + 2, mask, 4);
  for (gsize i = 0; i < length; i++)
    wire[6 + i] = payload[i] ^ mask[i & 3];

  frame.size = length;
  frame.opcode = opcode;
  frame.bits = SONDE_FRAME_FIN | SONDE_FRAME_MASKED;

  return sonde_frame_output_stream_inject (self->output, &frame, payload, length,
                                           wire, 6 + length, error);
}

void
sonde_frame_stream_get_counts (SondeFrameStream *self,
                               SondeFrameCounts *counts)
{
  g_return_if_fail (SONDE_IS_FRAME_STREAM (self));
  g_return_if_fail (counts != NULL);

  *counts = self->shared->counts;
}

GIOStream *
sonde_frame_stream_get_base (SondeFrameStream *self)
{
  g_return_val_if_fail (SONDE_IS_FRAME_STREAM (self), NULL);

  return self->base;
}
