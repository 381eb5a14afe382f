/* sonde-link-frames.c: what a link makes of the frames it sees: wire
 * order, pings and pongs, the message limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-json-writer.h"
#include "sonde-link-private.h"
#include "sonde-text.h"

/* Ping and pong records shown one by one, per direction and second; past
 * that they are counted, and one event a second says how many. */
#define CONTROL_RECORDS_PER_SECOND 50
/* Our pings remembered for matching their pongs. */
#define PINGS_REMEMBERED           16

/* An incoming record seen in the stream before libsoup has delivered the
 * messages that came before it on the wire. */
typedef struct {
  guint64           ordinal;
  SondeMessageKind  kind;        /* PING, PONG or FRAME */
  SondeRecordFlags  flags;
  GBytes           *payload;
} Observed;

static void
framed_message_clear (gpointer data)
{
  FramedMessage *framed = data;

  g_clear_pointer (&framed->frames, g_free);
}

/* Complete messages wait in a ring without an allocation each: the
 * array empties whenever libsoup has caught up, which is after every read. */
static void
push_framed (SondeLink        *link,
             SondeRecordFlags  flags)
{
  FramedMessage framed = { NULL, 0, flags, link->in_ordinal };

  if (flags != SONDE_RECORD_FLAG_NONE)
    {
      framed.n_frames = link->message_frames->len;
      framed.frames = g_memdup2 (link->message_frames->data, sizeof (SondeFrameInfo) * link->message_frames->len);
    }
  if (link->framed_head == link->framed->len && link->framed_head > 0)
    {
      g_array_set_size (link->framed, 0);
      link->framed_head = 0;
    }
  g_array_append_val (link->framed, framed);
}

gboolean
sonde_link_pop_framed (SondeLink     *link,
                       FramedMessage *framed)
{
  if (link->framed == NULL || link->framed_head >= link->framed->len)
    return FALSE;
  *framed = g_array_index (link->framed, FramedMessage, link->framed_head);
  g_array_index (link->framed, FramedMessage, link->framed_head).frames = NULL;
  link->framed_head++;
  return TRUE;
}

static void
observed_free (gpointer data)
{
  Observed *observed = data;

  g_bytes_unref (observed->payload);
  g_free (observed);
}

/* Incoming records seen up to the frame @ordinal go into the batch, in
 * wire order. */
void
sonde_link_flush_observed (SondeLink *link,
                           guint64    ordinal)
{
  Observed *observed;

  while ((observed = g_queue_peek_head (&link->observed)) != NULL && observed->ordinal <= ordinal)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (observed->payload, &length);

      g_queue_pop_head (&link->observed);
      sonde_link_push_item (link, SONDE_DIRECTION_IN, observed->kind, observed->flags, data, length, NULL, NULL);
      observed_free (observed);
    }
}

static gboolean
on_observed_ready (gpointer data)
{
  SondeLink *link = data;

  /* libsoup has processed what it read: nothing earlier is pending. */
  g_clear_pointer (&link->observed_source, g_source_unref);
  sonde_link_flush_observed (link, G_MAXUINT64);
  return G_SOURCE_REMOVE;
}

static void
queue_observed (SondeLink        *link,
                SondeMessageKind  kind,
                SondeRecordFlags  flags,
                GBytes           *payload)
{
  Observed *observed = g_new0 (Observed, 1);

  observed->ordinal = link->in_ordinal;
  observed->kind = kind;
  observed->flags = flags;
  observed->payload = payload;
  g_queue_push_tail (&link->observed, observed);

  if (link->observed_source == NULL)
    {
      link->observed_source = g_idle_source_new ();
      g_source_set_static_name (link->observed_source, "[sonde] observed frames");
      g_source_set_priority (link->observed_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (link->observed_source, on_observed_ready, link, NULL);
      g_source_attach (link->observed_source, link->io_context);
    }
}

static GBytes *
frame_json (const SondeFrameInfo *frame,
            gboolean              discarded)
{
  GString *out = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_string_member (out, &first, "opcode", sonde_frame_opcode_to_string (frame->opcode));
  sonde_json_append_bool_member (out, &first, "fin", (frame->bits & SONDE_FRAME_FIN) != 0);
  sonde_json_append_bool_member (out, &first, "rsv1", (frame->bits & SONDE_FRAME_RSV1) != 0);
  if (frame->bits & SONDE_FRAME_RSV2)
    sonde_json_append_bool_member (out, &first, "rsv2", TRUE);
  if (frame->bits & SONDE_FRAME_RSV3)
    sonde_json_append_bool_member (out, &first, "rsv3", TRUE);
  sonde_json_append_bool_member (out, &first, "masked", (frame->bits & SONDE_FRAME_MASKED) != 0);
  sonde_json_append_int_member (out, &first, "size", (gint64) MIN (frame->size, (guint64) G_MAXINT64));
  if (discarded)
    sonde_json_append_bool_member (out, &first, "discarded", TRUE);
  g_string_append_c (out, '}');
  return g_string_free_to_bytes (out);
}

void
sonde_link_flush_flood (SondeLink *link)
{
  for (int dir = 0; dir < 2; dir++)
    {
      g_autoptr(GString) payload = NULL;
      gboolean first = TRUE;

      if (link->flood_hidden_pings[dir] == 0 && link->flood_hidden_pongs[dir] == 0)
        continue;

      payload = g_string_new ("{");
      sonde_json_append_string_member (payload, &first, "direction", dir == 0 ? "in" : "out");
      sonde_json_append_int_member (payload, &first, "pings", (gint64) link->flood_hidden_pings[dir]);
      sonde_json_append_int_member (payload, &first, "pongs", (gint64) link->flood_hidden_pongs[dir]);
      sonde_json_append_int_member (payload, &first, "shown_per_second", CONTROL_RECORDS_PER_SECOND);
      g_string_append_c (payload, '}');
      sonde_link_push_event (link, SONDE_MESSAGE_KIND_PING, payload, sonde_link_event_new (-1));
      link->flood_hidden_pings[dir] = 0;
      link->flood_hidden_pongs[dir] = 0;
    }
}

static gboolean
on_flood_second (gpointer data)
{
  SondeLink *link = data;

  g_clear_pointer (&link->flood_source, g_source_unref);
  sonde_link_flush_flood (link);
  return G_SOURCE_REMOVE;
}

/* Whether a ping or pong gets a record of its own: the first
 * CONTROL_RECORDS_PER_SECOND each second do, the rest are counted. */
static gboolean
control_record_wanted (SondeLink      *link,
                       SondeDirection  direction,
                       guint8          opcode)
{
  gint64 now = g_get_monotonic_time ();
  int dir = direction == SONDE_DIRECTION_IN ? 0 : 1;

  if (now - link->flood_second_us >= G_USEC_PER_SEC)
    {
      sonde_link_flush_flood (link);
      link->flood_second_us = now;
      link->flood_shown[0] = link->flood_shown[1] = 0;
    }

  if (link->flood_shown[dir] < CONTROL_RECORDS_PER_SECOND)
    {
      link->flood_shown[dir]++;
      return TRUE;
    }

  if (opcode == 0x9)
    link->flood_hidden_pings[dir]++;
  else
    link->flood_hidden_pongs[dir]++;

  if (link->flood_source == NULL)
    {
      link->flood_source = g_timeout_source_new (1000);
      g_source_set_static_name (link->flood_source, "[sonde] ping flood count");
      g_source_set_callback (link->flood_source, on_flood_second, link, NULL);
      g_source_attach (link->flood_source, link->io_context);
    }
  return FALSE;
}

/* Whether a pong answers a ping of ours: its payload is one we sent (that
 * ping and the ones before it are answered). */
static gboolean
pong_matches (SondeLink    *link,
              const guint8 *payload,
              gsize         length)
{
  g_autoptr(GBytes) pong = g_bytes_new (payload, length);

  for (GList *l = link->pings_sent.head; l != NULL; l = l->next)
    {
      if (g_bytes_equal (l->data, pong))
        {
          while (link->pings_sent.head != l)
            g_bytes_unref (g_queue_pop_head (&link->pings_sent));
          g_bytes_unref (g_queue_pop_head (&link->pings_sent));
          return TRUE;
        }
    }
  return FALSE;
}

/* Which rule of RFC 6455 an incoming frame breaks, in words, or NULL: for
 * the protocol error libsoup reports without saying why. */
static const char *
frame_fault (SondeLink            *link,
             const SondeFrameInfo *frame)
{
  gboolean control = frame->opcode >= 0x8;

  if (frame->bits & SONDE_FRAME_MASKED)
    return _("the server masked a frame (RFC 6455 §5.1: servers must not)");
  if ((frame->opcode > 0x2 && frame->opcode < 0x8) || frame->opcode > 0xA)
    return _("a frame used a reserved opcode (§5.2)");
  if (frame->bits & (SONDE_FRAME_RSV2 | SONDE_FRAME_RSV3))
    return _("a frame set a reserved bit (RSV2 or RSV3) no extension defines (§5.2)");
  if ((frame->bits & SONDE_FRAME_RSV1) && (control || link->deflate == NULL || frame->opcode == 0x0))
    return _("a frame set RSV1, the bit permessage-deflate uses, where it may not (§5.2, RFC 7692 §6)");
  if (control && !(frame->bits & SONDE_FRAME_FIN))
    return _("a control frame was fragmented (§5.5)");
  if (control && frame->size > 125)
    return _("a control frame was longer than 125 bytes (§5.5)");
  if (frame->opcode == 0x8 && frame->size == 1)
    return _("a Close frame had a 1-byte payload, where a close code takes two (§5.5.1)");
  if (!control && frame->opcode == 0x0 && link->message_frames->len == 0)
    return _("a continuation frame came with no message to continue (§5.4)");
  if (!control && frame->opcode != 0x0 && link->message_frames->len > 0)
    return _("a new message began before the fragmented one ended (§5.4)");
  return NULL;
}

/* I/O thread, while the stream is read or written: every frame header. */
void
sonde_link_on_frame (gpointer              user_data,
                     SondeDirection        direction,
                     const SondeFrameInfo *frame,
                     const guint8         *control_payload,
                     gsize                 control_length)
{
  SondeLink *link = user_data;
  gboolean control = frame->opcode >= 0x8;
  gboolean show = g_atomic_int_get (&link->show_frames) != 0;

  if (direction == SONDE_DIRECTION_OUT)
    {
      SondeRecordFlags flags = SONDE_RECORD_FLAG_AUTOMATIC;

      /* A pong we write answers the oldest ping libsoup has read: that
       * ping, and what came before it, go first. */
      if (frame->opcode == 0xA)
        for (GList *l = link->observed.head; l != NULL; l = l->next)
          {
            Observed *observed = l->data;

            if (observed->kind == SONDE_MESSAGE_KIND_PING)
              {
                sonde_link_flush_observed (link, observed->ordinal);
                break;
              }
          }

      link->io_counts.frames_out++;
      if (control)
        link->io_counts.control_out++;
      if (show)
        {
          g_autoptr(GBytes) json = frame_json (frame, FALSE);

          sonde_link_push_item (link, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_FRAME, SONDE_RECORD_FLAG_NONE,
                                g_bytes_get_data (json, NULL), g_bytes_get_size (json), NULL, NULL);
        }

      if (frame->opcode == 0x8)
        link->close_frame_out = TRUE;
      if (frame->opcode != 0x9 && frame->opcode != 0xA)
        return;

      if (frame->opcode == 0x9)
        {
          GBytes *manual = g_queue_peek_head (&link->manual_pings);
          g_autoptr(GBytes) sent = g_bytes_new (control_payload, control_length);

          /* The user's pings are written in the order asked; anything
           * else is libsoup's keepalive. */
          if (manual != NULL && g_bytes_equal (manual, sent))
            {
              g_bytes_unref (g_queue_pop_head (&link->manual_pings));
              flags = SONDE_RECORD_FLAG_NONE;
            }
          g_queue_push_tail (&link->pings_sent, g_bytes_ref (sent));
          if (g_queue_get_length (&link->pings_sent) > PINGS_REMEMBERED)
            g_bytes_unref (g_queue_pop_head (&link->pings_sent));
        }

      if (control_record_wanted (link, direction, frame->opcode))
        sonde_link_push_item (link, SONDE_DIRECTION_OUT,
                              frame->opcode == 0x9 ? SONDE_MESSAGE_KIND_PING : SONDE_MESSAGE_KIND_PONG,
                              flags, control_payload, control_length, NULL, NULL);
      return;
    }

  link->in_ordinal++;
  link->io_counts.frames_in++;
  if (control)
    link->io_counts.control_in++;

  if (!control)
    {
      guint64 max = link->options->max_message_size;
      gboolean discarded = link->limit_hit ||
                           (max > 0 && (link->message_size + frame->size > max || frame->size > max));

      if (show)
        queue_observed (link, SONDE_MESSAGE_KIND_FRAME, SONDE_RECORD_FLAG_NONE, frame_json (frame, discarded));
      if (link->limit_hit)
        return;

      /* The common case first: a whole message in one plain frame. */
      if (G_LIKELY (frame->bits == SONDE_FRAME_FIN && (frame->opcode == 0x1 || frame->opcode == 0x2) &&
                    link->message_frames->len == 0))
        {
          if (!discarded)
            push_framed (link, SONDE_RECORD_FLAG_NONE);
          return;
        }

      if (link->fault_hint == NULL)
        link->fault_hint = frame_fault (link, frame);

      if (frame->opcode != 0x0)
        {
          g_array_set_size (link->message_frames, 0);
          link->message_size = 0;
        }
      g_array_append_val (link->message_frames, *frame);
      link->message_size += frame->size;

      if ((frame->bits & SONDE_FRAME_FIN) && !discarded)
        {
          const SondeFrameInfo *first = &g_array_index (link->message_frames, SondeFrameInfo, 0);
          SondeRecordFlags flags = SONDE_RECORD_FLAG_NONE;

          if (first->bits & SONDE_FRAME_RSV1)
            flags |= SONDE_RECORD_FLAG_COMPRESSED;
          if (link->message_frames->len > 1)
            flags |= SONDE_RECORD_FLAG_FRAGMENTED;
          push_framed (link, flags);
          g_array_set_size (link->message_frames, 0);
          link->message_size = 0;
        }
      return;
    }

  if (link->fault_hint == NULL)
    link->fault_hint = frame_fault (link, frame);

  if (show)
    queue_observed (link, SONDE_MESSAGE_KIND_FRAME, SONDE_RECORD_FLAG_NONE, frame_json (frame, FALSE));

  if (frame->opcode == 0x8)
    link->close_frame_in = TRUE;
  else if ((frame->opcode == 0x9 || frame->opcode == 0xA) && control_record_wanted (link, direction, frame->opcode))
    {
      SondeRecordFlags flags = SONDE_RECORD_FLAG_NONE;

      if (frame->opcode == 0xA && !pong_matches (link, control_payload, control_length))
        flags |= SONDE_RECORD_FLAG_UNMATCHED;
      queue_observed (link, frame->opcode == 0x9 ? SONDE_MESSAGE_KIND_PING : SONDE_MESSAGE_KIND_PONG,
                      flags, g_bytes_new (control_payload, control_length));
    }
  else if (frame->opcode == 0xA)
    pong_matches (link, control_payload, control_length);
}

static gboolean
on_limit_close (gpointer data)
{
  SondeLink *link = data;

  g_clear_pointer (&link->limit_close_source, g_source_unref);
  if (link->ws != NULL && soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (link->ws, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "Message too big");
  return G_SOURCE_REMOVE;
}

/* I/O thread, inside a read: an incoming message passed the largest
 * message allowed. The stream drops the rest of it; the connection closes
 * with 1009 as soon as libsoup is done with what it read. */
void
sonde_link_on_limit (gpointer user_data,
                     guint64  grown_to,
                     guint64  limit)
{
  SondeLink *link = user_data;
  g_autofree char *grown = sonde_format_size (grown_to);
  g_autofree char *max = sonde_format_size (limit);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) payload = NULL;
  gboolean first = FALSE;
  SondeLinkEvent *event;

  if (link->limit_hit)
    return;

  link->limit_hit = TRUE;
  error = g_error_new (SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                       _("Message too big: a message reached %s, past the %s limit; the rest of it "
                         "is discarded unread and the connection closes with 1009"), grown, max);
  if (link->error_close_code == 0 && !link->local_close)
    {
      link->error_close_code = SOUP_WEBSOCKET_CLOSE_TOO_BIG;
      link->error_close_message = g_strdup (error->message);
    }
  link->had_error = TRUE;

  payload = sonde_link_error_payload (link, error);
  g_string_truncate (payload, payload->len - 1);
  sonde_json_append_int_member (payload, &first, "message_size", (gint64) MIN (grown_to, (guint64) G_MAXINT64));
  sonde_json_append_int_member (payload, &first, "limit", (gint64) MIN (limit, (guint64) G_MAXINT64));
  g_string_append_c (payload, '}');
  event = sonde_link_event_new (-1);
  event->error = g_steal_pointer (&error);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);

  link->limit_close_source = g_idle_source_new ();
  g_source_set_static_name (link->limit_close_source, "[sonde] close: message too big");
  g_source_set_priority (link->limit_close_source, G_PRIORITY_HIGH);
  g_source_set_callback (link->limit_close_source, on_limit_close, link, NULL);
  g_source_attach (link->limit_close_source, link->io_context);
}

/* I/O thread, once the connection is open. */
void
sonde_link_frames_init (SondeLink *link)
{
  if (link->message_frames == NULL)
    link->message_frames = g_array_new (FALSE, FALSE, sizeof (SondeFrameInfo));
  if (link->framed == NULL)
    {
      link->framed = g_array_new (FALSE, FALSE, sizeof (FramedMessage));
      g_array_set_clear_func (link->framed, framed_message_clear);
    }
}

/* I/O thread, when the link ends: what is still waiting goes into the
 * batch, the rest is dropped. */
void
sonde_link_frames_clear (SondeLink *link)
{
  sonde_link_flush_observed (link, G_MAXUINT64);
  sonde_link_flush_flood (link);
  sonde_link_destroy_source (&link->observed_source);
  sonde_link_destroy_source (&link->limit_close_source);
  sonde_link_destroy_source (&link->flood_source);
  g_clear_pointer (&link->framed, g_array_unref);
  g_queue_clear_full (&link->observed, observed_free);
  g_queue_clear_full (&link->pings_sent, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&link->message_frames, g_array_unref);
}
