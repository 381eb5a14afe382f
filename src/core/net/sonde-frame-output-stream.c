/* sonde-frame-output-stream.c: the writing side of a SondeFrameStream
 *
 * Scans the frames libsoup writes as they go to the base stream, and writes
 * injected control frames between them: only where libsoup's last frame has
 * been written whole, and an injected frame begun is finished before any more
 * of libsoup's bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-frame-output-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-frame-output-stream.h"
#include "sonde-frame-parser.h"

typedef struct {
  SondeFrameInfo frame;
  gsize          payload_length;
  gsize          wire_length;
  guint8         payload[SONDE_FRAME_CONTROL_MAX];
  guint8         wire[SONDE_FRAME_HEADER_MAX + SONDE_FRAME_CONTROL_MAX];
} Injected;

struct _SondeFrameOutputStream
{
  GOutputStream parent_instance;

  /* owned */
  GOutputStream    *base;
  SondeFrameShared *shared;
  GMainContext     *context;
  SondeFrameParser  parser;          /* over libsoup's bytes only */
  GQueue            injected;        /* of Injected, oldest first */
  gsize             injected_sent;   /* bytes of the head already written */
  GSource          *flush_source;
};

static void sonde_frame_output_stream_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeFrameOutputStream, sonde_frame_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      sonde_frame_output_stream_pollable_init))

static void schedule_flush (SondeFrameOutputStream *self);

static void
observe (SondeFrameOutputStream *self,
         const guint8           *data,
         gsize                   length)
{
  SondeFrameShared *shared = self->shared;
  SondeFrameParser *parser = &self->parser;
  SondeFrameEvent event;
  gsize at = 0;

  for (;;)
    {
      at += sonde_frame_parser_scan (parser, data + at, length - at, &event);
      if (event == SONDE_FRAME_EVENT_NONE)
        break;

      if (event == SONDE_FRAME_EVENT_HEADER)
        {
          shared->counts.frames_out++;
          if (parser->frame.opcode & 0x08)
            shared->counts.control_out++;
          else if (shared->frame_func != NULL)
            shared->frame_func (shared->user_data, SONDE_DIRECTION_OUT, &parser->frame, NULL, 0);
        }
      else if (shared->frame_func != NULL)
        {
          shared->frame_func (shared->user_data, SONDE_DIRECTION_OUT, &parser->frame,
                              parser->control, parser->control_length);
        }
    }
}

/* Writes the injected frames that may go now. FALSE with the base stream's
 * error (G_IO_ERROR_WOULD_BLOCK too) when one is left unfinished. */
static gboolean
write_injected (SondeFrameOutputStream  *self,
                gboolean                 blocking,
                GCancellable            *cancellable,
                GError                 **error)
{
  SondeFrameShared *shared = self->shared;
  Injected *head;

  while ((head = g_queue_peek_head (&self->injected)) != NULL)
    {
      gssize n;

      /* Never inside one of libsoup's frames. */
      if (self->injected_sent == 0 && !sonde_frame_parser_at_boundary (&self->parser))
        return TRUE;

      if (blocking)
        n = g_output_stream_write (self->base, head->wire + self->injected_sent,
                                   head->wire_length - self->injected_sent, cancellable, error);
      else
        n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->base),
                                                        head->wire + self->injected_sent,
                                                        head->wire_length - self->injected_sent,
                                                        cancellable, error);
      if (n < 0)
        return FALSE;

      shared->counts.bytes_out += n;
      self->injected_sent += n;
      if (self->injected_sent < head->wire_length)
        continue;

      g_queue_pop_head (&self->injected);
      self->injected_sent = 0;
      shared->counts.frames_out++;
      shared->counts.control_out++;
      if (shared->frame_func != NULL)
        shared->frame_func (shared->user_data, SONDE_DIRECTION_OUT, &head->frame,
                            head->payload, head->payload_length);
      g_free (head);
    }

  return TRUE;
}

static gssize
write_any (SondeFrameOutputStream  *self,
           const void              *buffer,
           gsize                    count,
           gboolean                 blocking,
           GCancellable            *cancellable,
           GError                 **error)
{
  gssize n;

  if (G_UNLIKELY (!g_queue_is_empty (&self->injected))
      && !write_injected (self, blocking, cancellable, error))
    return -1;

  if (blocking)
    n = g_output_stream_write (self->base, buffer, count, cancellable, error);
  else
    n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->base),
                                                    buffer, count, cancellable, error);
  if (n <= 0)
    return n;

  self->shared->counts.bytes_out += n;
  observe (self, buffer, n);

  /* libsoup may write nothing more for a while: flush what waited for the
   * end of its frame. */
  if (G_UNLIKELY (!g_queue_is_empty (&self->injected))
      && sonde_frame_parser_at_boundary (&self->parser))
    schedule_flush (self);

  return n;
}

static gboolean
flush_now (SondeFrameOutputStream *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->flush_source, g_source_unref);

  if (g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    return G_SOURCE_REMOVE;

  if (write_injected (self, FALSE, NULL, &error))
    return G_SOURCE_REMOVE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      schedule_flush (self);
      return G_SOURCE_REMOVE;
    }

  /* libsoup meets the same error on its next write. */
  g_debug ("Injected frame not written: %s", error->message);
  return G_SOURCE_REMOVE;
}

static gboolean
on_flush_idle (gpointer user_data)
{
  return flush_now (user_data);
}

static gboolean
on_flush_writable (GObject  *stream,
                   gpointer  user_data)
{
  return flush_now (user_data);
}

/* Flushes from the context's loop: at once while the base stream takes
 * bytes, else when it becomes writable. The source dies with the stream. */
static void
schedule_flush (SondeFrameOutputStream *self)
{
  GPollableOutputStream *base = G_POLLABLE_OUTPUT_STREAM (self->base);

  if (self->flush_source != NULL || g_queue_is_empty (&self->injected))
    return;

  if (g_pollable_output_stream_is_writable (base))
    {
      self->flush_source = g_idle_source_new ();
      g_source_set_callback (self->flush_source, on_flush_idle, self, NULL);
    }
  else
    {
      self->flush_source = g_pollable_output_stream_create_source (base, NULL);
      g_source_set_callback (self->flush_source, G_SOURCE_FUNC (on_flush_writable), self, NULL);
    }
  g_source_set_static_name (self->flush_source, "[sonde] flush injected frames");
  g_source_attach (self->flush_source, self->context);
}

static void
drop_injected (SondeFrameOutputStream *self)
{
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  g_queue_clear_full (&self->injected, g_free);
  self->injected_sent = 0;
}

static gboolean
sonde_frame_output_stream_can_poll (GPollableOutputStream *pollable)
{
  SondeFrameOutputStream *self = SONDE_FRAME_OUTPUT_STREAM (pollable);

  return G_IS_POLLABLE_OUTPUT_STREAM (self->base)
         && g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (self->base));
}

static gboolean
sonde_frame_output_stream_is_writable (GPollableOutputStream *pollable)
{
  SondeFrameOutputStream *self = SONDE_FRAME_OUTPUT_STREAM (pollable);

  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (self->base));
}

static GSource *
sonde_frame_output_stream_create_source (GPollableOutputStream *pollable,
                                         GCancellable          *cancellable)
{
  SondeFrameOutputStream *self = SONDE_FRAME_OUTPUT_STREAM (pollable);
  g_autoptr(GSource) base_source = NULL;

  base_source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->base),
                                                        cancellable);
  return g_pollable_source_new_full (self, base_source, cancellable);
}

static gssize
sonde_frame_output_stream_write_nonblocking (GPollableOutputStream  *pollable,
                                             const void             *buffer,
                                             gsize                   count,
                                             GError                **error)
{
  return write_any (SONDE_FRAME_OUTPUT_STREAM (pollable), buffer, count, FALSE, NULL, error);
}

static gssize
sonde_frame_output_stream_write (GOutputStream  *stream,
                                 const void     *buffer,
                                 gsize           count,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  return write_any (SONDE_FRAME_OUTPUT_STREAM (stream), buffer, count, TRUE, cancellable, error);
}

static gboolean
sonde_frame_output_stream_flush (GOutputStream  *stream,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  SondeFrameOutputStream *self = SONDE_FRAME_OUTPUT_STREAM (stream);

  return g_output_stream_flush (self->base, cancellable, error);
}

/* The frame stream closes the base stream, not this side. */
static gboolean
sonde_frame_output_stream_close (GOutputStream  *stream,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  drop_injected (SONDE_FRAME_OUTPUT_STREAM (stream));
  return TRUE;
}

static void
sonde_frame_output_stream_dispose (GObject *object)
{
  drop_injected (SONDE_FRAME_OUTPUT_STREAM (object));

  G_OBJECT_CLASS (sonde_frame_output_stream_parent_class)->dispose (object);
}

static void
sonde_frame_output_stream_finalize (GObject *object)
{
  SondeFrameOutputStream *self = SONDE_FRAME_OUTPUT_STREAM (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->shared, sonde_frame_shared_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sonde_frame_output_stream_parent_class)->finalize (object);
}

static void
sonde_frame_output_stream_class_init (SondeFrameOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->dispose = sonde_frame_output_stream_dispose;
  object_class->finalize = sonde_frame_output_stream_finalize;

  output_class->write_fn = sonde_frame_output_stream_write;
  output_class->flush = sonde_frame_output_stream_flush;
  output_class->close_fn = sonde_frame_output_stream_close;
}

static void
sonde_frame_output_stream_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = sonde_frame_output_stream_can_poll;
  iface->is_writable = sonde_frame_output_stream_is_writable;
  iface->create_source = sonde_frame_output_stream_create_source;
  iface->write_nonblocking = sonde_frame_output_stream_write_nonblocking;
}

static void
sonde_frame_output_stream_init (SondeFrameOutputStream *self)
{
  sonde_frame_parser_init (&self->parser);
  g_queue_init (&self->injected);
}

SondeFrameOutputStream *
sonde_frame_output_stream_new (GOutputStream    *base,
                               SondeFrameShared *shared,
                               GMainContext     *context)
{
  SondeFrameOutputStream *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);
  g_return_val_if_fail (shared != NULL, NULL);

  self = g_object_new (SONDE_TYPE_FRAME_OUTPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  self->shared = sonde_frame_shared_ref (shared);
  self->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();

  return self;
}

gboolean
sonde_frame_output_stream_inject (SondeFrameOutputStream  *self,
                                  const SondeFrameInfo    *frame,
                                  const guint8            *payload,
                                  gsize                    payload_length,
                                  const guint8            *wire,
                                  gsize                    wire_length,
                                  GError                 **error)
{
  Injected *injected;

  g_return_val_if_fail (SONDE_IS_FRAME_OUTPUT_STREAM (self), FALSE);
  g_return_val_if_fail (payload_length <= SONDE_FRAME_CONTROL_MAX, FALSE);
  g_return_val_if_fail (wire_length <= sizeof injected->wire, FALSE);

  if (g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The connection is closed"));
      return FALSE;
    }

  injected = g_new0 (Injected, 1);
  injected->frame = *frame;
  injected->payload_length = payload_length;
  if (payload_length > 0)
    memcpy (injected->payload, payload, payload_length);
  injected->wire_length = wire_length;
  memcpy (injected->wire, wire, wire_length);
  g_queue_push_tail (&self->injected, injected);

  if (sonde_frame_parser_at_boundary (&self->parser))
    schedule_flush (self);

  return TRUE;
}
