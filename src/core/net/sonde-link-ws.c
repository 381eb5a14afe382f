/* sonde-link-ws.c: a link's WebSocket connection, once it is open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-deflate-extension.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-frame-stream.h"
#include "sonde-link-private.h"
#include "sonde-text.h"

/* Ping and pong records shown one by one, per direction and second; past
 * that they are counted, and one event a second says how many. */
#define CONTROL_RECORDS_PER_SECOND 50
/* Our pings remembered for matching their pongs. */
#define PINGS_REMEMBERED           16

/* A message whose frames the stream has seen whole, waiting for libsoup's
 * "message" signal. */
typedef struct {
  SondeFrameInfo   *frames;      /* NULL: one plain frame */
  guint             n_frames;
  SondeRecordFlags  flags;
  guint64           fin_ordinal;
} FramedMessage;

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

static gboolean
pop_framed (SondeLink     *link,
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
static void
flush_observed (SondeLink *link,
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
  flush_observed (link, G_MAXUINT64);
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

static void
flush_flood (SondeLink *link)
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
  flush_flood (link);
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
      flush_flood (link);
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
  if ((frame->bits & SONDE_FRAME_RSV1) && (control || !link->deflate_on || frame->opcode == 0x0))
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
static void
on_frame (gpointer              user_data,
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

      /* A pong we write answers the oldest ping libsoup has read: that
       * ping, and what came before it, go first. */
      if (frame->opcode == 0xA)
        for (GList *l = link->observed.head; l != NULL; l = l->next)
          {
            Observed *observed = l->data;

            if (observed->kind == SONDE_MESSAGE_KIND_PING)
              {
                flush_observed (link, observed->ordinal);
                break;
              }
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
static void
on_limit (gpointer user_data,
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
  link->limit_grown_to = grown_to;
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


static void
on_ws_message (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               SondeLink               *link)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);
  SondeMessageKind kind = type == SOUP_WEBSOCKET_DATA_TEXT ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY;
  FramedMessage framed;
  gboolean have = pop_framed (link, &framed);

  /* What came on the wire before this message's last frame goes first. */
  if (link->observed.head != NULL)
    flush_observed (link, have ? framed.fin_ordinal : G_MAXUINT64);

  if (have)
    sonde_link_push_framed (link, SONDE_DIRECTION_IN, kind, framed.flags, data, length, message, NULL,
                            framed.frames, framed.n_frames);
  else
    sonde_link_push_item (link, SONDE_DIRECTION_IN, kind, SONDE_RECORD_FLAG_NONE, data, length, message, NULL);

  /* --echo: straight back from here, not after a trip through the main
   * thread. */
  if ((link->flags & SONDE_LINK_FLAG_ECHO) &&
      soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_send_message (ws, type, message);
      sonde_link_push_item (link, SONDE_DIRECTION_OUT, kind, SONDE_RECORD_FLAG_AUTOMATIC, data, length, message, NULL);
    }
}

/* libsoup 3.2 words its frame faults for its own developers: one sentence
 * ("Received invalid WebSocket response from the server") for every rule a
 * server can break. Say what they mean, with libsoup's words after them;
 * the domain and code stay libsoup's. */
static GError *
explain_ws_error (SondeLink    *link,
                  const GError *error)
{
  if (error->domain != SOUP_WEBSOCKET_ERROR)
    return g_error_copy (error);

  switch (error->code)
    {
    case SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR:
      if (link->fault_hint != NULL)
        return g_error_new (error->domain, error->code,
                            _("Protocol error: %s (libsoup: “%s”)"), link->fault_hint, error->message);
      return g_error_new (error->domain, error->code,
                          _("Protocol error: the server sent a frame that RFC 6455 forbids. libsoup does "
                            "not say which rule it broke (“%s”); it is one of: a masked frame, a reserved "
                            "opcode or RSV bit, a fragmented or oversized control frame, a length not in "
                            "its shortest form, fragments out of order, an invalid Close frame"),
                          error->message);
    case SOUP_WEBSOCKET_CLOSE_BAD_DATA:
      if (g_strcmp0 (error->message, "Received invalid WebSocket data from the server") == 0)
        return g_error_new (error->domain, error->code,
                            _("Invalid data: the server sent a text message that is not valid UTF-8 "
                              "(libsoup: “%s”)"), error->message);
      break;
    case SOUP_WEBSOCKET_CLOSE_TOO_BIG:
      if (strstr (error->message, "max-incoming-payload-size") != NULL)
        return g_error_new (error->domain, error->code,
                            _("Message too big: the server sent a frame larger than the "
                              "%" PRIu64 "-byte limit (libsoup: “%s”)"),
                            (uint64_t) link->options->max_message_size, error->message);
      break;
    default:
      break;
    }

  return g_error_copy (error);
}

/* libsoup can report one fault several times (a failed write, then the
 * failed close): each distinct error is one event. */
static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             SondeLink               *link)
{
  g_autoptr(GString) payload = NULL;
  g_autoptr(GError) reported = NULL;
  char *key;
  SondeLinkEvent *event;

  /* The watchdog closed the stream under libsoup, which then fails to read
   * from it: the watchdog's own event already says what happened. */
  if (link->watchdog_fired && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    return;

  /* Once libsoup is closing the connection for a protocol fault, the peer
   * dropping the socket on the way out ("Connection reset by peer") is
   * that fault ending, not another one: the fault's event says it. */
  if (error->domain == G_IO_ERROR && link->error_close_code != 0)
    {
      g_debug ("after the fault that closes the connection: %s", error->message);
      return;
    }

  /* Both Close frames crossed the wire: the closing handshake is complete
   * (RFC 6455 §7.1.4), whatever the socket does afterwards (many servers
   * reset it at once; a TLS peer may skip close_notify). */
  if ((error->domain == G_IO_ERROR || error->domain == G_TLS_ERROR) &&
      link->close_frame_in && link->close_frame_out)
    {
      g_debug ("after the closing handshake: %s", error->message);
      return;
    }

  link->had_error = TRUE;
  reported = explain_ws_error (link, error);

  if (error->domain == SOUP_WEBSOCKET_ERROR && link->fault_message == NULL)
    link->fault_message = g_strdup (reported->message);
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR))
    link->protocol_fault = TRUE;

  /* A protocol fault libsoup answers by closing with a code of its own
   * (1002 protocol error, 1007 invalid data, 1009 too big): that close is
   * ours, not the peer's. */
  if (error->domain == SOUP_WEBSOCKET_ERROR && error->code >= 1000 && error->code < 5000 &&
      link->error_close_code == 0 && !link->local_close &&
      soup_websocket_connection_get_close_code (ws) == 0)
    {
      link->error_close_code = (guint) error->code;
      link->error_close_message = g_strdup (reported->message);
    }

  key = g_strdup_printf ("%s/%d/%s", g_quark_to_string (error->domain), error->code, error->message);
  if (!g_hash_table_add (link->errors_seen, key))
    return;

  payload = sonde_link_error_payload (link, reported);
  /* A compressed message stopped while inflating: how far it got. */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG) && link->deflate != NULL &&
      sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (link->deflate)) > 0)
    {
      gboolean first = FALSE;

      g_string_truncate (payload, payload->len - 1);
      sonde_json_append_int_member (payload, &first, "message_size",
                                    (gint64) MIN (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (link->deflate)),
                                                  (guint64) G_MAXINT64));
      sonde_json_append_int_member (payload, &first, "limit",
                                    (gint64) MIN (link->options->max_message_size, (guint64) G_MAXINT64));
      g_string_append_c (payload, '}');
    }
  event = sonde_link_event_new (-1);
  event->error = sonde_link_redact_error (link, g_steal_pointer (&reported));
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
}

/* Who ended the connection: we did when we asked to, when libsoup failed
 * it for a fault, and when the watchdog declared the peer dead. */
static const char *
close_initiator (SondeLink *link)
{
  return link->local_close || link->error_close_code || link->watchdog_fired ? "local" : "peer";
}

static void
on_ws_closing (SoupWebsocketConnection *ws,
               SondeLink               *link)
{
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean first = TRUE;
  guint code;

  /* The code of the Close frame that began the closing handshake: ours,
   * the one libsoup sent for a fault, or the peer's (1005 when its frame
   * had none). Always there. */
  if (link->local_close)
    code = link->local_close_code;
  else if (link->error_close_code != 0)
    code = link->error_close_code;
  else
    code = soup_websocket_connection_get_close_code (ws);
  if (code == 0)
    code = SOUP_WEBSOCKET_CLOSE_NO_STATUS;

  sonde_json_append_string_member (payload, &first, "initiator", close_initiator (link));
  sonde_json_append_int_member (payload, &first, "close_code", code);
  g_string_append_c (payload, '}');

  sonde_link_push_event (link, SONDE_MESSAGE_KIND_CLOSING, payload, sonde_link_event_new (SONDE_CONNECTION_STATE_CLOSING));
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              SondeLink               *link)
{
  g_autoptr(GString) payload = g_string_new ("{");
  SondeLinkEvent *event = sonde_link_event_new (SONDE_CONNECTION_STATE_CLOSED);
  guint peer_code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);
  gboolean first = TRUE;
  gboolean invalid = FALSE;

  if ((peer_code == 0 || link->error_close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG) && link->error_close_code != 0)
    {
      /* We closed because of a fault and the peer never answered, or a
       * message passed the limit (whatever the peer answered, 1009 is
       * what happened): report the code we sent and why. */
      event->close_code = link->error_close_code;
      event->close_clean = FALSE;
    }
  else if (peer_code == 0)
    {
      event->close_code = SONDE_CLOSE_ABNORMAL;
      event->close_clean = FALSE;
    }
  else
    {
      event->close_code = peer_code;
      /* libsoup reports 1005 for an empty Close frame, and also keeps a
       * 1005 that was on the wire, which it then refuses as a protocol
       * error. */
      invalid = !sonde_close_code_is_valid_on_wire (peer_code) &&
                (peer_code != 1005 || link->protocol_fault);
      event->close_clean = !link->had_error && !invalid;
    }
  event->close_reason = g_strdup (reason ? reason : "");

  sonde_json_append_int_member (payload, &first, "close_code", event->close_code);
  sonde_json_append_string_member (payload, &first, "close_reason", event->close_reason);
  sonde_json_append_string_member (payload, &first, "meaning", sonde_close_code_describe (event->close_code));
  sonde_json_append_string_member (payload, &first, "initiator", close_initiator (link));
  sonde_json_append_bool_member (payload, &first, "clean", event->close_clean);
  /* Whether the user asked for it: anything else is a drop. */
  sonde_json_append_bool_member (payload, &first, "requested",
                                 link->local_close && link->error_close_code == 0 && !link->watchdog_fired);
  /* The note is data, in English like the close code's meaning: the fixed
   * ones are marked for translation where the window shows them. */
  if (invalid)
    {
      sonde_json_append_bool_member (payload, &first, "invalid", TRUE);
      sonde_json_append_string_member (payload, &first, "note",
                                       N_("The peer sent a close code that RFC 6455 does not allow in a Close frame"));
    }
  else if (link->error_close_code != 0)
    {
      g_autofree char *note = g_strdup_printf ("Sonde closed the connection with %u: %s",
                                               link->error_close_code, link->error_close_message);
      sonde_json_append_string_member (payload, &first, "note", note);
    }
  else if (link->watchdog_fired)
    {
      g_autofree char *note = g_strdup_printf ("No pong for %u s: the peer was declared dead",
                                               link->options->pong_timeout_s);
      sonde_json_append_string_member (payload, &first, "note", note);
    }
  else if (peer_code == 0 && link->local_close)
    sonde_json_append_string_member (payload, &first, "note",
                                     N_("The server did not answer our Close frame before the connection ended"));
  else if (peer_code == 0)
    sonde_json_append_string_member (payload, &first, "note",
                                     N_("The connection ended without a Close frame"));
  else if (link->fault_message != NULL)
    {
      /* The peer's Close frame came, but a fault made the close unclean
       * (a reason that is not UTF-8, say). */
      g_autofree char *note = g_strdup_printf ("The close was not clean: %s", link->fault_message);
      sonde_json_append_string_member (payload, &first, "note", note);
    }
  g_string_append_c (payload, '}');

  /* What was seen before the end is told before it. */
  flush_observed (link, G_MAXUINT64);
  flush_flood (link);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_CLOSE, payload, event);
  sonde_link_finish (link);
}

static void
on_ws_pong (SoupWebsocketConnection *ws,
            GBytes                  *message,
            SondeLink               *link)
{
  link->last_pong_us = g_get_monotonic_time ();
}

/* libsoup 3.2 sends pings but has no pong timeout: a dead peer would stay
 * "open" for ever. No pong for the timeout: the peer is declared dead, the
 * transport is dropped (1006) and the reconnect policy applies. */
static gboolean
on_watchdog (gpointer data)
{
  SondeLink *link = data;
  gint64 silent_us = g_get_monotonic_time () - link->last_pong_us;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) payload = NULL;
  SondeLinkEvent *event;

  if (link->ws == NULL || link->watchdog_fired ||
      soup_websocket_connection_get_state (link->ws) != SOUP_WEBSOCKET_STATE_OPEN ||
      silent_us < (gint64) link->options->pong_timeout_s * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;

  link->watchdog_fired = TRUE;
  error = g_error_new (SONDE_ERROR, SONDE_ERROR_PEER_DEAD,
                       _("No pong for %u s (pings every %u s): the peer is declared dead"),
                       link->options->pong_timeout_s, link->options->keepalive_s);
  payload = sonde_link_error_payload (link, error);
  event = sonde_link_event_new (-1);
  event->error = g_steal_pointer (&error);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);

  /* Without a Close frame: the peer is not answering anyway. */
  g_io_stream_close (soup_websocket_connection_get_io_stream (link->ws), NULL, NULL);
  return G_SOURCE_REMOVE;
}

void
sonde_link_start_watchdog (SondeLink *link)
{
  if (link->options->pong_timeout_s == 0 || link->options->keepalive_s == 0)
    return;

  link->last_pong_us = g_get_monotonic_time ();
  link->watchdog_source = g_timeout_source_new (250);
  g_source_set_static_name (link->watchdog_source, "[sonde] pong watchdog");
  g_source_set_callback (link->watchdog_source, on_watchdog, link, NULL);
  g_source_attach (link->watchdog_source, link->io_context);
}

/* The opening handshake succeeded: from now on libsoup's connection runs
 * on @ws, and its events become the link's. Takes @ws. */
void
sonde_link_attach_ws (SondeLink               *link,
                      SoupWebsocketConnection *ws,
                      const char              *extensions)
{
  g_autoptr(GString) payload = g_string_new ("{");
  SondeLinkEvent *event;
  gboolean first = TRUE;

  /* Whole messages are bounded by the frame stream (and inflated ones by
   * the deflate extension); libsoup's own check, per frame, stays as a
   * second line. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, link->options->max_message_size);
  soup_websocket_connection_set_keepalive_interval (ws, link->options->keepalive_s);

  link->ws = ws;
  g_signal_connect (ws, "pong", G_CALLBACK (on_ws_pong), link);
  sonde_link_start_watchdog (link);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), link);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), link);
  g_signal_connect (ws, "closing", G_CALLBACK (on_ws_closing), link);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), link);

  event = sonde_link_event_new (SONDE_CONNECTION_STATE_OPEN);
  event->protocol = g_strdup (soup_websocket_connection_get_protocol (ws));
  sonde_json_append_string_member (payload, &first, "protocol", event->protocol);
  sonde_json_append_string_member (payload, &first, "extensions", extensions);
  g_string_append_c (payload, '}');
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_OPEN, payload, event);

  /* A close asked for while the handshake was finishing. */
  if (link->close_requested)
    {
      link->local_close = TRUE;
      soup_websocket_connection_close (ws, link->local_close_code, NULL);
    }
}

/* The handshake succeeded on @stream (Sonde's own): libsoup's connection
 * runs over a frame-observing stream on top of it. @leftover holds the
 * bytes read past the response (the first frames); @extension_objects are
 * taken. */
void
sonde_link_open_socket (SondeLink  *link,
                        GIOStream  *stream,
                        GBytes     *leftover,
                        const char *protocol,
                        const char *extensions,
                        GList      *extension_objects)
{
  g_autoptr(SondeFrameStream) frames = sonde_frame_stream_new (stream, leftover);
  g_autoptr(GUri) uri = g_uri_parse (link->url, SOUP_HTTP_URI_FLAGS, NULL);
  SoupWebsocketConnection *ws;

  link->deflate_on = extension_objects != NULL;
  for (GList *l = extension_objects; l != NULL; l = l->next)
    if (SONDE_IS_DEFLATE_EXTENSION (l->data))
      g_set_object (&link->deflate, l->data);
  if (link->message_frames == NULL)
    link->message_frames = g_array_new (FALSE, FALSE, sizeof (SondeFrameInfo));
  if (link->framed == NULL)
    {
      link->framed = g_array_new (FALSE, FALSE, sizeof (FramedMessage));
      g_array_set_clear_func (link->framed, framed_message_clear);
    }
  sonde_frame_stream_set_observer (frames, on_frame, on_limit, link);
  sonde_frame_stream_set_max_message (frames, link->options->max_message_size);
  g_set_object (&link->frame_stream, G_OBJECT (frames));

  ws = soup_websocket_connection_new (G_IO_STREAM (frames), uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                      link->options->origin, protocol, extension_objects);
  sonde_link_attach_ws (link, ws, extensions);
}

/* I/O thread: a ping the user asked for. */
gboolean
sonde_link_ws_ping (SondeLink  *link,
                    GBytes     *payload,
                    GError    **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (payload, &length);

  if (link->ws == NULL || link->frame_stream == NULL ||
      soup_websocket_connection_get_state (link->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                   _("The ping was not sent: the connection is not open"));
      return FALSE;
    }

  if (!sonde_frame_stream_send_control (SONDE_FRAME_STREAM (link->frame_stream), 0x9, data, length, error))
    return FALSE;
  g_queue_push_tail (&link->manual_pings, g_bytes_ref (payload));
  return TRUE;
}

/* I/O thread, when the link ends: what the open connection kept. */
void
sonde_link_ws_clear (SondeLink *link)
{
  flush_observed (link, G_MAXUINT64);
  flush_flood (link);
  sonde_link_destroy_source (&link->observed_source);
  sonde_link_destroy_source (&link->limit_close_source);
  sonde_link_destroy_source (&link->flood_source);
  if (link->frame_stream != NULL)
    sonde_frame_stream_set_observer (SONDE_FRAME_STREAM (link->frame_stream), NULL, NULL, NULL);
  g_clear_object (&link->frame_stream);
  g_clear_object (&link->deflate);
  g_clear_pointer (&link->framed, g_array_unref);
  g_queue_clear_full (&link->observed, observed_free);
  g_queue_clear_full (&link->pings_sent, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&link->manual_pings, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&link->message_frames, g_array_unref);
}
