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
  gboolean have = sonde_link_pop_framed (link, &framed);

  /* What came on the wire before this message's last frame goes first. */
  if (link->observed.head != NULL)
    sonde_link_flush_observed (link, have ? framed.fin_ordinal : G_MAXUINT64);

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
  else if (link->watchdog_fired && link->dead_reason != NULL)
    sonde_json_append_string_member (payload, &first, "note", link->dead_reason);
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
  sonde_link_flush_observed (link, G_MAXUINT64);
  sonde_link_flush_flood (link);
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

/* The same end as the watchdog's, for a reason the main thread gives. */
void
sonde_link_ws_declare_dead (SondeLink  *link,
                            const char *why)
{
  g_autoptr(GString) payload = NULL;
  SondeLinkEvent *event;
  GError *error;

  if (link->ws == NULL || link->watchdog_fired ||
      soup_websocket_connection_get_state (link->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  link->watchdog_fired = TRUE;
  g_free (link->dead_reason);
  link->dead_reason = g_strdup (why);
  error = g_error_new_literal (SONDE_ERROR, SONDE_ERROR_PEER_DEAD, why);
  payload = sonde_link_error_payload (link, error);
  event = sonde_link_event_new (-1);
  event->error = error;
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
  g_io_stream_close (soup_websocket_connection_get_io_stream (link->ws), NULL, NULL);
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

  for (GList *l = extension_objects; l != NULL; l = l->next)
    if (SONDE_IS_DEFLATE_EXTENSION (l->data))
      g_set_object (&link->deflate, l->data);
  sonde_link_frames_init (link);
  sonde_frame_stream_set_observer (frames, sonde_link_on_frame, sonde_link_on_limit, link);
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
  if (link->frame_stream != NULL)
    sonde_frame_stream_set_observer (SONDE_FRAME_STREAM (link->frame_stream), NULL, NULL, NULL);
  g_clear_object (&link->frame_stream);
  g_clear_object (&link->deflate);
  g_queue_clear_full (&link->manual_pings, (GDestroyNotify) g_bytes_unref);
  sonde_link_frames_clear (link);
}
