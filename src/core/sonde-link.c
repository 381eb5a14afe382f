/* sonde-link.c: the I/O-thread half of a SondeConnection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A link is one connection attempt. It runs libsoup on a thread of its own
 * with its own GMainContext: a flood of messages then cannot starve the main
 * loop (measured: up to 2 s of starvation on the main context, ~0.1 s from a
 * worker thread). Everything that happens, messages and events alike, is
 * appended in order to a pending batch under a lock; the main context is
 * woken once per batch, and at most about 30 times a second, by arming a
 * source's ready time. Sends and closes travel the other way, posted to the
 * I/O context. The SoupSession and the SoupWebsocketConnection never leave
 * the I/O thread.
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <string.h>

#include "sonde-close-code.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link-private.h"

/* Payloads at least this large are handed over by reference to libsoup's
 * own buffer instead of being copied into the batch: one copy (into the log)
 * instead of two. */
#define REF_PAYLOAD_MIN      ((gsize) 8 * 1024)

/* At most ~30 hand-offs to the main thread a second: each costs the views a
 * layout of new rows (measured under a 300k msg/s flood with the window,
 * bench/ui-flood: 60 a second kept the main thread over 80 % busy). */
#define MIN_TAKE_INTERVAL_US (G_USEC_PER_SEC / 30)
#define SKEW_RESAMPLE_US     (G_USEC_PER_SEC / 10)

typedef struct {
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
  GBytes           *payload;
} Outgoing;

struct _SondeLink
{
  gatomicrefcount          ref_count;

  /* immutable after start */
  SondeLinkOptions         options;
  GMainContext            *main_context;
  GMainContext            *io_context;

  /* main thread only */
  SondeLinkReadyFunc       ready;
  gpointer                 ready_data;
  GSource                 *ready_source;   /* on main_context; destroyed by detach */

  /* shared, under lock */
  GMutex                   lock;
  SondeLinkBatch           pending;
  GQueue                   outgoing;       /* Outgoing* */
  gint64                   last_take_us;
  gboolean                 wake_armed;
  gboolean                 detached;
  gboolean                 finished;

  /* I/O thread only */
  GMainLoop               *io_loop;
  GSource                 *send_source;    /* drains outgoing */
  GSource                 *deadline_source;
  SoupSession             *session;
  SoupMessage             *message;
  SoupWebsocketConnection *ws;
  GCancellable            *cancellable;
  GHashTable              *errors_seen;
  gint64                   start_mono_us;
  gint64                   skew_us;         /* wall − monotonic */
  gint64                   skew_sampled_us;
  guint                    local_close_code;
  gboolean                 deadline_hit;
  gboolean                 close_requested;
  gboolean                 local_close;
  gboolean                 had_error;
  guint                    error_close_code; /* libsoup closed because of a protocol fault */
  char                    *error_close_message;
  gboolean                 done;
};

static gboolean
wake_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wake_source_funcs = {
  NULL, NULL, wake_source_dispatch, NULL, NULL, NULL,
};

static GSource *
wake_source_new (GMainContext   *context,
                 const char     *name,
                 int             priority,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  notify)
{
  GSource *source = g_source_new (&wake_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
  return source;
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
link_event_free (SondeLinkEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->close_reason);
  g_clear_error (&event->error);
  g_clear_pointer (&event->handshake, sonde_handshake_unref);
  g_free (event->protocol);
  g_free (event);
}

static SondeLinkEvent *
link_event_new (int state)
{
  SondeLinkEvent *event = g_new0 (SondeLinkEvent, 1);

  event->state = state;
  return event;
}

static void
outgoing_free (gpointer data)
{
  Outgoing *out = data;

  g_bytes_unref (out->payload);
  g_free (out);
}

void
sonde_link_options_clear (SondeLinkOptions *options)
{
  g_clear_pointer (&options->url, g_free);
  g_clear_pointer (&options->headers, g_strfreev);
  g_clear_pointer (&options->protocols, g_strfreev);
  g_clear_pointer (&options->origin, g_free);
}

void
sonde_link_batch_init (SondeLinkBatch *batch)
{
  batch->items = g_array_new (FALSE, FALSE, sizeof (SondeLinkItem));
  batch->bytes = g_byte_array_new ();
}

/* Empties a batch for reuse, keeping its buffers unless they grew huge. */
void
sonde_link_batch_reset (SondeLinkBatch *batch)
{
  for (guint i = 0; i < batch->items->len; i++)
    {
      SondeLinkItem *item = &g_array_index (batch->items, SondeLinkItem, i);

      link_event_free (item->event);
      g_clear_pointer (&item->payload, g_bytes_unref);
    }

  if (batch->bytes->len > 16 * 1024 * 1024)
    {
      g_byte_array_unref (batch->bytes);
      batch->bytes = g_byte_array_new ();
    }
  else
    g_byte_array_set_size (batch->bytes, 0);

  if (batch->items->len > 64 * 1024)
    {
      g_array_unref (batch->items);
      batch->items = g_array_new (FALSE, FALSE, sizeof (SondeLinkItem));
    }
  else
    g_array_set_size (batch->items, 0);
}

void
sonde_link_batch_clear (SondeLinkBatch *batch)
{
  if (batch->items == NULL)
    return;

  sonde_link_batch_reset (batch);
  g_clear_pointer (&batch->items, g_array_unref);
  g_clear_pointer (&batch->bytes, g_byte_array_unref);
}

/* Wall-clock time from the monotonic clock and an offset read again every
 * SKEW_RESAMPLE_US: one clock read per message instead of two (a flood
 * spends a few per cent of the I/O thread on clock reads otherwise). A step
 * of the wall clock shows within that interval. */
static gint64
wall_time (SondeLink *link,
           gint64     mono_us)
{
  if (mono_us - link->skew_sampled_us >= SKEW_RESAMPLE_US || link->skew_sampled_us == 0)
    {
      link->skew_us = g_get_real_time () - g_get_monotonic_time ();
      link->skew_sampled_us = mono_us;
    }
  return mono_us + link->skew_us;
}

/* I/O thread: appends one item to the pending batch and, when the batch was
 * empty, arranges exactly one wake-up of the main context, no sooner than
 * MIN_TAKE_INTERVAL_US after the last hand-off. The wake-up is armed on the
 * main context's source itself: libsoup's read loop does not return to this
 * thread's main loop while a flood keeps the socket readable, so a timer
 * here would never fire until the flood ends. */
static void
push_item (SondeLink        *link,
           SondeDirection    direction,
           SondeMessageKind  kind,
           SondeRecordFlags  flags,
           const void       *data,
           gsize             length,
           GBytes           *payload,
           SondeLinkEvent   *event)
{
  SondeLinkItem item;
  gboolean arm = FALSE;
  gint64 last_take = 0;

  item.mono_us = g_get_monotonic_time ();
  item.wall_us = wall_time (link, item.mono_us);
  item.length = length;
  item.direction = direction;
  item.kind = kind;
  item.flags = flags;
  item.event = event;
  item.payload = payload != NULL && length >= REF_PAYLOAD_MIN ? g_bytes_ref (payload) : NULL;

  g_mutex_lock (&link->lock);

  if (link->detached)
    {
      g_mutex_unlock (&link->lock);
      link_event_free (event);
      g_clear_pointer (&item.payload, g_bytes_unref);
      return;
    }

  item.offset = link->pending.bytes->len;
  if (length > 0 && item.payload == NULL)
    g_byte_array_append (link->pending.bytes, data, (guint) length);
  g_array_append_val (link->pending.items, item);

  if (!link->wake_armed)
    {
      link->wake_armed = TRUE;
      last_take = link->last_take_us;
      arm = TRUE;
    }

  g_mutex_unlock (&link->lock);

  if (arm)
    {
      gint64 target = last_take + MIN_TAKE_INTERVAL_US;

      g_source_set_ready_time (link->ready_source, target <= item.mono_us ? 0 : target);
    }
}

static void
push_event (SondeLink        *link,
            SondeMessageKind  kind,
            GString          *payload,
            SondeLinkEvent   *event)
{
  push_item (link, SONDE_DIRECTION_EVENT, kind, SONDE_RECORD_FLAG_NONE, payload->str, payload->len, NULL, event);
}

static GString *
error_payload (const GError *error)
{
  GString *out = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_string_member (out, &first, "error", error->message);
  sonde_json_append_string_member (out, &first, "domain", g_quark_to_string (error->domain));
  sonde_json_append_int_member (out, &first, "code", error->code);
  g_string_append_c (out, '}');
  return out;
}

static void
finish (SondeLink *link)
{
  link->done = TRUE;
  g_main_loop_quit (link->io_loop);
}

static void
fail (SondeLink *link,
      GError    *error)
{
  g_autoptr(GString) payload = error_payload (error);
  SondeLinkEvent *event = link_event_new (SONDE_CONNECTION_STATE_FAILED);

  event->error = error;
  push_event (link, SONDE_MESSAGE_KIND_FAILED, payload, event);
  finish (link);
}

static char *
describe_host (SondeLink *link)
{
  GUri *uri = soup_message_get_uri (link->message);

  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

/* Turns what libsoup reported into an error that says what happened, in
 * terms of the handshake the user asked for. */
static GError *
classify_failure (SondeLink *link,
                  GError    *error)
{
  guint status = soup_message_get_status (link->message);
  g_autofree char *host = describe_host (link);

  if (link->deadline_hit)
    {
      SoupMessageMetrics *metrics = soup_message_get_metrics (link->message);
      double seconds = link->options.handshake_timeout_ms / 1000.0;
      gboolean connected = metrics != NULL && soup_message_metrics_get_connect_end (metrics) != 0;

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT,
                          connected ?
                          "Handshake deadline exceeded: %s accepted the connection but did not "
                          "complete the WebSocket handshake within %g s" :
                          "Handshake deadline exceeded: could not connect to %s within %g s",
                          host, seconds);
    }

  if (link->close_requested && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (SONDE_ERROR, SONDE_ERROR_CANCELLED,
                                "Cancelled before the handshake completed");

  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET) && status != 0)
    {
      const char *reason = soup_message_get_reason_phrase (link->message);

      if (SOUP_STATUS_IS_REDIRECTION (status))
        {
          const char *location = soup_message_headers_get_one (soup_message_get_response_headers (link->message),
                                                               "Location");

          return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                              "Handshake refused: HTTP %u %s, redirecting to “%s”; redirects are "
                              "not followed unless enabled",
                              status, reason ? reason : "", location ? location : "(no Location)");
        }

      if (status == SOUP_STATUS_OK)
        return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                            "Handshake refused: HTTP 200 %s; this URL serves a plain HTTP "
                            "resource, not a WebSocket endpoint", reason ? reason : "OK");

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                          "Handshake refused: HTTP %u %s", status, reason ? reason : "");
    }

  if (error->domain == SOUP_WEBSOCKET_ERROR)
    return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                        "Invalid handshake response from %s (HTTP %u): %s",
                        host, status, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                        "Connection refused by %s: nothing accepts connections on that port", host);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (error->domain, error->code,
                        "TLS error with %s: %s", host, error->message);

  return g_error_copy (error);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               SondeLink               *link)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);

  push_item (link, SONDE_DIRECTION_IN,
             type == SOUP_WEBSOCKET_DATA_TEXT ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY,
             SONDE_RECORD_FLAG_NONE, data, length, message, NULL);
}

/* libsoup can report one fault several times (a failed write, then the
 * failed close): each distinct error is one event. */
static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             SondeLink               *link)
{
  g_autoptr(GString) payload = NULL;
  char *key = g_strdup_printf ("%s/%d/%s", g_quark_to_string (error->domain), error->code, error->message);
  SondeLinkEvent *event;

  link->had_error = TRUE;

  /* A protocol fault libsoup answers by closing with a code of its own
   * (1002 protocol error, 1007 invalid data, 1009 too big): that close is
   * ours, not the peer's. */
  if (error->domain == SOUP_WEBSOCKET_ERROR && error->code >= 1000 && error->code < 5000 &&
      link->error_close_code == 0 && !link->local_close &&
      soup_websocket_connection_get_close_code (ws) == 0)
    {
      link->error_close_code = (guint) error->code;
      link->error_close_message = g_strdup (error->message);
    }

  if (!g_hash_table_add (link->errors_seen, key))
    return;

  payload = error_payload (error);
  event = link_event_new (-1);
  event->error = g_error_copy (error);
  push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
}

static void
on_ws_closing (SoupWebsocketConnection *ws,
               SondeLink               *link)
{
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_string_member (payload, &first, "initiator",
                                   link->local_close || link->error_close_code ? "local" : "peer");
  if (link->local_close)
    sonde_json_append_int_member (payload, &first, "code", link->local_close_code);
  else if (link->error_close_code != 0)
    sonde_json_append_int_member (payload, &first, "code", link->error_close_code);
  g_string_append_c (payload, '}');

  push_event (link, SONDE_MESSAGE_KIND_CLOSING, payload, link_event_new (SONDE_CONNECTION_STATE_CLOSING));
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              SondeLink               *link)
{
  g_autoptr(GString) payload = g_string_new ("{");
  SondeLinkEvent *event = link_event_new (SONDE_CONNECTION_STATE_CLOSED);
  guint peer_code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);
  gboolean first = TRUE;
  gboolean invalid = FALSE;

  if (peer_code == 0 && link->error_close_code != 0)
    {
      /* We closed because of a fault and the peer never answered: report
       * the code we sent and why. */
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
      invalid = peer_code != 1005 && !sonde_close_code_is_valid_on_wire (peer_code);
      event->close_clean = !link->had_error && !invalid;
    }
  event->close_reason = g_strdup (reason ? reason : "");

  sonde_json_append_int_member (payload, &first, "code", event->close_code);
  sonde_json_append_string_member (payload, &first, "reason", event->close_reason);
  sonde_json_append_string_member (payload, &first, "meaning", sonde_close_code_describe (event->close_code));
  sonde_json_append_string_member (payload, &first, "initiator",
                                   link->local_close || link->error_close_code ? "local" : "peer");
  sonde_json_append_bool_member (payload, &first, "clean", event->close_clean);
  if (invalid)
    {
      sonde_json_append_bool_member (payload, &first, "invalid", TRUE);
      sonde_json_append_string_member (payload, &first, "note",
                                       "The peer sent a close code that RFC 6455 does not allow in a Close frame");
    }
  else if (link->error_close_code != 0)
    {
      g_autofree char *note = g_strdup_printf ("Sonde closed the connection with %u: %s",
                                               link->error_close_code, link->error_close_message);
      sonde_json_append_string_member (payload, &first, "note", note);
    }
  else if (peer_code == 0)
    sonde_json_append_string_member (payload, &first, "note",
                                     "The connection ended without a Close frame");
  g_string_append_c (payload, '}');

  push_event (link, SONDE_MESSAGE_KIND_CLOSE, payload, event);
  finish (link);
}

static gboolean
on_deadline (gpointer data)
{
  SondeLink *link = data;

  link->deadline_hit = TRUE;
  g_cancellable_cancel (link->cancellable);
  g_clear_pointer (&link->deadline_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SondeLink *link = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;
  g_autoptr(GString) payload = g_string_new ("{");
  SondeLinkEvent *event;
  const char *extensions = NULL;
  gboolean first = TRUE;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  /* Before anything else: libsoup already reads from the stream, with its
   * own 128 KiB default limit. */
  if (ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (ws, link->options.max_frame_size);
      soup_websocket_connection_set_keepalive_interval (ws, link->options.keepalive_s);
    }

  destroy_source (&link->deadline_source);

  if (ws != NULL)
    extensions = soup_message_headers_get_one (soup_message_get_response_headers (link->message),
                                               "Sec-WebSocket-Extensions");

  if (soup_message_get_status (link->message) != 0)
    {
      g_autoptr(SondeHandshake) handshake =
        sonde_handshake_new_from_message (link->options.url, link->message, link->start_mono_us,
                                          ws ? soup_websocket_connection_get_protocol (ws) : NULL,
                                          extensions);
      g_autofree char *json = sonde_handshake_to_json (handshake);
      g_autoptr(GString) hs_payload = g_string_new (json);

      event = link_event_new (-1);
      event->handshake = g_steal_pointer (&handshake);
      push_event (link, SONDE_MESSAGE_KIND_HANDSHAKE, hs_payload, event);
    }

  if (ws == NULL)
    {
      fail (link, classify_failure (link, error));
      return;
    }

  link->ws = ws;
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), link);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), link);
  g_signal_connect (ws, "closing", G_CALLBACK (on_ws_closing), link);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), link);

  event = link_event_new (SONDE_CONNECTION_STATE_OPEN);
  event->protocol = g_strdup (soup_websocket_connection_get_protocol (ws));
  sonde_json_append_string_member (payload, &first, "protocol", event->protocol);
  sonde_json_append_string_member (payload, &first, "extensions", extensions);
  g_string_append_c (payload, '}');
  push_event (link, SONDE_MESSAGE_KIND_OPEN, payload, event);

  /* A close asked for while the handshake was finishing. */
  if (link->close_requested)
    {
      link->local_close = TRUE;
      soup_websocket_connection_close (ws, link->local_close_code, NULL);
    }
}

static void
start_handshake (SondeLink *link)
{
  SoupMessageHeaders *request_headers;
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean custom_agent = FALSE;
  gboolean first = TRUE;

  link->message = soup_message_new ("GET", link->options.url);
  if (link->message == NULL)
    {
      /* The URL was normalized by the connection; libsoup still may refuse
       * it (a user:password it cannot use, say). */
      fail (link, g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                               "libsoup cannot use the URL “%s”", link->options.url));
      return;
    }

  soup_message_add_flags (link->message, SOUP_MESSAGE_COLLECT_METRICS);
  if (!link->options.follow_redirects)
    soup_message_add_flags (link->message, SOUP_MESSAGE_NO_REDIRECT);

  request_headers = soup_message_get_request_headers (link->message);
  for (guint i = 0; link->options.headers != NULL && link->options.headers[i] != NULL; i++)
    {
      const char *header = link->options.headers[i];
      const char *colon = strchr (header, ':');
      g_autofree char *name = g_strstrip (g_strndup (header, colon - header));
      g_autofree char *value = g_strstrip (g_strdup (colon + 1));

      if (g_ascii_strcasecmp (name, "User-Agent") == 0)
        custom_agent = TRUE;
      soup_message_headers_append (request_headers, name, value);
    }

  link->session = soup_session_new_with_options ("timeout", 0,
                                                 "idle-timeout", 0,
                                                 NULL);
  /* The handshake carries only what it needs: no Accept-Encoding. */
  soup_session_remove_feature_by_type (link->session, SOUP_TYPE_CONTENT_DECODER);
  if (!custom_agent)
    soup_session_set_user_agent (link->session, "Sonde/" PACKAGE_VERSION " ");
  if (link->options.deflate)
    soup_session_add_feature_by_type (link->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);

  sonde_json_append_string_member (payload, &first, "url", link->options.url);
  g_string_append_c (payload, '}');
  push_event (link, SONDE_MESSAGE_KIND_CONNECTING, payload,
              link_event_new (SONDE_CONNECTION_STATE_CONNECTING));

  link->deadline_source = g_timeout_source_new (link->options.handshake_timeout_ms);
  g_source_set_static_name (link->deadline_source, "[sonde] handshake deadline");
  g_source_set_callback (link->deadline_source, on_deadline, link, NULL);
  g_source_attach (link->deadline_source, link->io_context);

  link->start_mono_us = g_get_monotonic_time ();
  soup_session_websocket_connect_async (link->session, link->message,
                                        link->options.origin,
                                        link->options.protocols,
                                        G_PRIORITY_DEFAULT,
                                        link->cancellable,
                                        on_connected, link);
}

static gboolean
on_send_ready (gpointer data)
{
  SondeLink *link = data;
  GQueue queue = G_QUEUE_INIT;
  Outgoing *out;

  g_mutex_lock (&link->lock);
  queue = link->outgoing;
  g_queue_init (&link->outgoing);
  g_mutex_unlock (&link->lock);

  while ((out = g_queue_pop_head (&queue)) != NULL)
    {
      gsize length;
      const guint8 *data_ptr = g_bytes_get_data (out->payload, &length);

      if (link->ws != NULL &&
          soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          soup_websocket_connection_send_message (link->ws,
                                                  out->kind == SONDE_MESSAGE_KIND_TEXT ?
                                                  SOUP_WEBSOCKET_DATA_TEXT : SOUP_WEBSOCKET_DATA_BINARY,
                                                  out->payload);
          push_item (link, SONDE_DIRECTION_OUT, out->kind, out->flags, data_ptr, length, out->payload, NULL);
        }
      else
        {
          g_autoptr(GError) error =
            g_error_new (SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                         "A %" G_GSIZE_FORMAT "-byte message was not sent: the connection "
                         "closed before it could go out", length);
          g_autoptr(GString) payload = error_payload (error);
          SondeLinkEvent *event = link_event_new (-1);

          event->error = g_steal_pointer (&error);
          push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
        }

      outgoing_free (out);
    }

  return G_SOURCE_CONTINUE;
}

typedef struct {
  SondeLink *link;
  guint      code;
  char      *reason;
} CloseRequest;

static void
close_request_free (gpointer data)
{
  CloseRequest *request = data;

  sonde_link_unref (request->link);
  g_free (request->reason);
  g_free (request);
}

static gboolean
on_close_request (gpointer data)
{
  CloseRequest *request = data;
  SondeLink *link = request->link;

  if (link->close_requested)
    return G_SOURCE_REMOVE;

  link->close_requested = TRUE;
  link->local_close_code = request->code;

  if (link->ws == NULL)
    {
      /* Still in the handshake: give it up. */
      if (link->cancellable != NULL)
        g_cancellable_cancel (link->cancellable);
      return G_SOURCE_REMOVE;
    }

  if (soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      link->local_close = TRUE;
      soup_websocket_connection_close (link->ws, request->code, request->reason);
    }

  return G_SOURCE_REMOVE;
}

static gpointer
link_thread (gpointer data)
{
  SondeLink *link = data;

  /* Owning the context for the thread's whole life makes every post from
   * another thread an idle on this one, never a call on the poster's. */
  g_main_context_acquire (link->io_context);
  g_main_context_push_thread_default (link->io_context);

  link->io_loop = g_main_loop_new (link->io_context, FALSE);
  link->send_source = wake_source_new (link->io_context, "[sonde] send",
                                       G_PRIORITY_DEFAULT, on_send_ready, link, NULL);

  start_handshake (link);
  if (!link->done)
    g_main_loop_run (link->io_loop);

  destroy_source (&link->deadline_source);
  if (link->ws != NULL)
    g_signal_handlers_disconnect_by_data (link->ws, link);
  g_clear_object (&link->ws);
  g_clear_object (&link->message);
  if (link->session != NULL)
    soup_session_abort (link->session);
  g_clear_object (&link->session);

  g_mutex_lock (&link->lock);
  link->finished = TRUE;
  g_mutex_unlock (&link->lock);

  /* Run what is still queued (a close request posted just before the end,
   * libsoup's own idle callbacks) so nothing holds the link afterwards. */
  while (g_main_context_iteration (link->io_context, FALSE))
    ;

  /* The last events may be waiting for the interval: hand them over
   * without waiting. */
  g_mutex_lock (&link->lock);
  if (link->pending.items->len > 0)
    g_source_set_ready_time (link->ready_source, 0);
  g_mutex_unlock (&link->lock);

  destroy_source (&link->send_source);
  g_clear_pointer (&link->io_loop, g_main_loop_unref);
  g_main_context_pop_thread_default (link->io_context);
  g_main_context_release (link->io_context);

  sonde_link_unref (link);
  return NULL;
}

static gboolean
on_ready (gpointer data)
{
  SondeLink *link = data;

  if (link->ready != NULL)
    link->ready (link->ready_data);
  return G_SOURCE_CONTINUE;
}

/* Starts a connection attempt on a new I/O thread. @ready is called on the
 * thread-default main context of the caller whenever a batch is waiting. */
SondeLink *
sonde_link_start (const SondeLinkOptions *options,
                  SondeLinkReadyFunc      ready,
                  gpointer                user_data)
{
  SondeLink *link = g_new0 (SondeLink, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_atomic_ref_count_init (&link->ref_count);
  link->options.url = g_strdup (options->url);
  link->options.headers = g_strdupv (options->headers);
  link->options.protocols = g_strdupv (options->protocols);
  link->options.origin = g_strdup (options->origin);
  link->options.max_frame_size = options->max_frame_size;
  link->options.deflate = options->deflate;
  link->options.follow_redirects = options->follow_redirects;
  link->options.handshake_timeout_ms = options->handshake_timeout_ms;
  link->options.keepalive_s = options->keepalive_s;

  link->main_context = g_main_context_ref_thread_default ();
  link->io_context = g_main_context_new ();
  link->ready = ready;
  link->ready_data = user_data;
  link->ready_source = wake_source_new (link->main_context, "[sonde] batch ready",
                                        G_PRIORITY_DEFAULT, on_ready,
                                        sonde_link_ref (link), (GDestroyNotify) sonde_link_unref);

  g_mutex_init (&link->lock);
  sonde_link_batch_init (&link->pending);
  g_queue_init (&link->outgoing);
  link->last_take_us = G_MININT64 / 2;
  link->cancellable = g_cancellable_new ();
  link->errors_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  thread = g_thread_try_new ("sonde-io", link_thread, sonde_link_ref (link), &error);
  if (thread == NULL)
    g_error ("Could not start the connection's I/O thread: %s", error->message);
  g_thread_unref (thread);

  return link;
}

SondeLink *
sonde_link_ref (SondeLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

void
sonde_link_unref (SondeLink *link)
{
  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;

  g_assert (link->ready_source == NULL || g_source_is_destroyed (link->ready_source));

  g_clear_pointer (&link->ready_source, g_source_unref);
  sonde_link_batch_clear (&link->pending);
  g_queue_clear_full (&link->outgoing, outgoing_free);
  g_mutex_clear (&link->lock);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->errors_seen, g_hash_table_unref);
  g_free (link->error_close_message);
  g_main_context_unref (link->io_context);
  g_main_context_unref (link->main_context);
  sonde_link_options_clear (&link->options);
  g_free (link);
}

/* Main thread: swaps the pending batch with @batch, which must be empty. */
void
sonde_link_take_batch (SondeLink      *link,
                       SondeLinkBatch *batch)
{
  SondeLinkBatch taken;

  g_return_if_fail (batch->items->len == 0);

  g_mutex_lock (&link->lock);
  taken = link->pending;
  link->pending = *batch;
  link->wake_armed = FALSE;
  link->last_take_us = g_get_monotonic_time ();
  g_mutex_unlock (&link->lock);

  *batch = taken;
}

/* Main thread: queues a message; the I/O thread sends it if the connection
 * is still open then, or reports that it could not. */
void
sonde_link_send (SondeLink        *link,
                 SondeMessageKind  kind,
                 SondeRecordFlags  flags,
                 GBytes           *payload)
{
  Outgoing *out = g_new0 (Outgoing, 1);
  gboolean wake;

  out->kind = kind;
  out->flags = flags;
  out->payload = g_bytes_ref (payload);

  g_mutex_lock (&link->lock);
  wake = g_queue_is_empty (&link->outgoing);
  g_queue_push_tail (&link->outgoing, out);
  g_mutex_unlock (&link->lock);

  if (wake)
    g_source_set_ready_time (link->send_source, 0);
}

static void
post_close (SondeLink  *link,
            guint       code,
            const char *reason)
{
  CloseRequest *request = g_new0 (CloseRequest, 1);
  gboolean posted = FALSE;

  request->link = sonde_link_ref (link);
  request->code = code;
  request->reason = g_strdup (reason);

  /* Under the lock, so that the thread either has not finished yet (and
   * will run the request while draining its context) or is known gone. */
  g_mutex_lock (&link->lock);
  if (!link->finished)
    {
      g_main_context_invoke_full (link->io_context, G_PRIORITY_DEFAULT,
                                  on_close_request, request, close_request_free);
      posted = TRUE;
    }
  g_mutex_unlock (&link->lock);

  if (!posted)
    close_request_free (request);
}

/* Main thread: starts the closing handshake, or gives up the opening one. */
void
sonde_link_close (SondeLink  *link,
                  guint       code,
                  const char *reason)
{
  post_close (link, code, reason);
}

/* Main thread: the owner lets go. Nothing more is delivered; an open
 * connection is closed with 1001 (going away) in the background. */
void
sonde_link_detach (SondeLink *link)
{
  g_mutex_lock (&link->lock);
  link->detached = TRUE;
  g_mutex_unlock (&link->lock);

  link->ready = NULL;
  link->ready_data = NULL;
  if (link->ready_source != NULL)
    g_source_destroy (link->ready_source);

  post_close (link, 1001, NULL);
}
