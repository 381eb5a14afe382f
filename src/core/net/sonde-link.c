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

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-backoff.h"
#include "sonde-certificate.h"
#include "sonde-close-code.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link.h"

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
  SondeConnectionOptions  *options;       /* a copy: the I/O thread reads it */
  char                    *url;           /* normalized ws:// or wss:// */
  GTlsCertificate         *client_certificate;
  SondeRedactor           *redactor;      /* NULL: nothing masked (--show-secrets) */
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
  GSource                 *watchdog_source;
  gint64                   last_pong_us;
  GTlsCertificate         *peer_certificate;  /* as offered, when TLS was used */
  GTlsCertificateFlags     peer_errors;
  char                    *pin_problem;       /* why a pinned check refused */
  gboolean                 watchdog_fired;
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
  gboolean                 protocol_fault;   /* libsoup saw a 1002 protocol error */
  char                    *fault_message;    /* the first protocol fault, in words */
  GString                 *refused_body;     /* a refused handshake's response body */
  gboolean                 refused_in_body;  /* its headers were logged: the body follows */
  gboolean                 refused_truncated;
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
  g_free (event->certificate_sha256);
  g_free (event->certificate_description);
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

/* Text leaving the link (into the log, to sonde-cli) goes through the
 * redactor: a URL with an API key in an error message, say. */
static char *
redact (SondeLink  *link,
        const char *text)
{
  if (text == NULL)
    return NULL;
  if (link->redactor == NULL)
    return g_strdup (text);
  return sonde_redactor_text (link->redactor, text);
}

/* The error as it leaves the link, for sonde_connection_get_error(): its
 * message through the redactor, as in the event's payload (a redirect's
 * Location can carry a token). Takes @error. */
static GError *
redact_error (SondeLink *link,
              GError    *error)
{
  g_autofree char *message = redact (link, error->message);
  GError *redacted;

  if (g_strcmp0 (message, error->message) == 0)
    return error;

  redacted = g_error_new_literal (error->domain, error->code, message);
  g_error_free (error);
  return redacted;
}

static GString *
error_payload_for (SondeLink    *link,
                   const GError *error)
{
  GString *out = g_string_new ("{");
  g_autofree char *message = redact (link, error->message);
  gboolean first = TRUE;

  sonde_json_append_string_member (out, &first, "error", message);
  sonde_json_append_string_member (out, &first, "error_domain", g_quark_to_string (error->domain));
  sonde_json_append_int_member (out, &first, "error_code", error->code);
  g_string_append_c (out, '}');
  return out;
}

static GString *
error_payload (SondeLink    *link,
               const GError *error)
{
  return error_payload_for (link, error);
}

static void
finish (SondeLink *link)
{
  link->done = TRUE;
  g_main_loop_quit (link->io_loop);
}

static void
append_certificate (SondeLink *link,
                    GString   *out,
                    gboolean  *first)
{
  g_autofree char *sha256 = sonde_certificate_dup_sha256 (link->peer_certificate);
  g_autofree char *description = sonde_certificate_describe (link->peer_certificate, link->peer_errors);
  g_autofree char *errors = sonde_certificate_describe_errors (link->peer_errors);
  g_autofree char *subject = g_tls_certificate_get_subject_name (link->peer_certificate);
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (link->peer_certificate);
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (link->peer_certificate);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (link->peer_certificate);
  g_autofree char *before = not_before ? g_date_time_format_iso8601 (not_before) : NULL;
  g_autofree char *after = not_after ? g_date_time_format_iso8601 (not_after) : NULL;
  gboolean inner = TRUE;

  sonde_json_append_member (out, first, "certificate");
  g_string_append_c (out, '{');
  sonde_json_append_string_member (out, &inner, "subject", subject);
  sonde_json_append_string_member (out, &inner, "issuer", issuer);
  sonde_json_append_string_member (out, &inner, "not_before", before);
  sonde_json_append_string_member (out, &inner, "not_after", after);
  sonde_json_append_string_member (out, &inner, "sha256", sha256);
  sonde_json_append_int_member (out, &inner, "flags", link->peer_errors);
  sonde_json_append_string_member (out, &inner, "problems", errors);
  sonde_json_append_string_member (out, &inner, "description", description);
  g_string_append_c (out, '}');
}

/* The attempt failed: what went wrong, and what a retry policy needs (the
 * HTTP status, Retry-After, whether retrying can help, the certificate). */
static void
fail (SondeLink *link,
      GError    *error)
{
  g_autoptr(GString) payload = error_payload (link, error);
  SondeLinkEvent *event = link_event_new (SONDE_CONNECTION_STATE_FAILED);
  gboolean first = FALSE;
  guint status = link->message ? soup_message_get_status (link->message) : 0;

  event->retry_after_ms = -1;
  if (status >= 100)
    {
      const char *retry_after = soup_message_headers_get_one (soup_message_get_response_headers (link->message),
                                                              "Retry-After");
      guint64 delay;

      event->http_status = status;
      if ((status == 429 || status == 503) && retry_after != NULL &&
          sonde_retry_after_parse (retry_after, g_get_real_time (), &delay))
        event->retry_after_ms = (gint64) MIN (delay, G_MAXINT64);
    }

  /* No retry can change these: the user must act. */
  event->permanent = status == 401 || status == 403 || status == 404 ||
                     error->domain == G_TLS_ERROR || link->pin_problem != NULL ||
                     g_error_matches (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL);

  /* Splice the details into the object error_payload() closed. */
  g_string_truncate (payload, payload->len - 1);
  if (event->http_status != 0)
    sonde_json_append_int_member (payload, &first, "status", event->http_status);
  if (event->retry_after_ms >= 0)
    sonde_json_append_int_member (payload, &first, "retry_after_ms", event->retry_after_ms);
  sonde_json_append_bool_member (payload, &first, "permanent", event->permanent);
  /* What the server said when it refused (the handshake record has it too). */
  if (link->refused_body != NULL)
    {
      g_autofree char *body = g_utf8_make_valid (link->refused_body->str, link->refused_body->len);

      sonde_json_append_string_member (payload, &first, "body", body);
    }
  if (link->peer_certificate != NULL && (link->peer_errors != 0 || link->pin_problem != NULL))
    {
      append_certificate (link, payload, &first);
      event->certificate_sha256 = sonde_certificate_dup_sha256 (link->peer_certificate);
      event->certificate_description = sonde_certificate_describe (link->peer_certificate, link->peer_errors);
    }
  g_string_append_c (payload, '}');

  event->error = redact_error (link, error);
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
      double seconds = link->options->handshake_timeout_ms / 1000.0;
      gboolean connected = metrics != NULL && soup_message_metrics_get_connect_end (metrics) != 0;

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT,
                          connected ?
                          _("Handshake deadline exceeded: %s accepted the connection but did not "
                            "complete the WebSocket handshake within %g s") :
                          _("Handshake deadline exceeded: could not connect to %s within %g s"),
                          host, seconds);
    }

  if (link->close_requested && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (SONDE_ERROR, SONDE_ERROR_CANCELLED,
                                _("Cancelled before the handshake completed"));

  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET) && status != 0)
    {
      const char *reason = soup_message_get_reason_phrase (link->message);

      if (SOUP_STATUS_IS_REDIRECTION (status))
        {
          const char *location = soup_message_headers_get_one (soup_message_get_response_headers (link->message),
                                                               "Location");

          return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                              _("Handshake refused: HTTP %u %s, redirecting to “%s”; redirects are "
                                "not followed unless enabled"),
                              status, reason ? reason : "", location ? location : _("(no Location)"));
        }

      if (status == SOUP_STATUS_OK)
        return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                            _("Handshake refused: HTTP 200 %s; this URL serves a plain HTTP "
                              "resource, not a WebSocket endpoint"), reason ? reason : "OK");

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                          _("Handshake refused: HTTP %u %s"), status, reason ? reason : "");
    }

  if (error->domain == SOUP_WEBSOCKET_ERROR)
    {
      SoupMessageHeaders *response = soup_message_get_response_headers (link->message);
      const char *protocol = soup_message_headers_get_one (response, "Sec-WebSocket-Protocol");
      const char *extensions = soup_message_headers_get_one (response, "Sec-WebSocket-Extensions");
      const char * const *offered = (const char * const *) link->options->protocols;

      /* libsoup says "unsupported protocol" or "extension": name it. */
      if (protocol != NULL && (offered == NULL || !g_strv_contains (offered, protocol)))
        {
          g_autofree char *list = offered != NULL && offered[0] != NULL ? g_strjoinv (", ", (char **) offered)
                                                                        : g_strdup (_("none"));

          return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                              _("Invalid handshake response from %s (HTTP %u): the server chose the "
                                "subprotocol “%s”, which Sonde did not offer (offered: %s)"),
                              host, status, protocol, list);
        }
      if (extensions != NULL && !link->options->deflate)
        return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                            _("Invalid handshake response from %s (HTTP %u): the server enabled the "
                              "extension “%s”, which Sonde did not offer (compression is off)"),
                            host, status, extensions);

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                          _("Invalid handshake response from %s (HTTP %u): %s"),
                          host, status, error->message);
    }

  /* libsoup reads at most 64 KiB of response headers. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && status == 0 &&
      g_strcmp0 (error->message, g_dgettext ("libsoup-3.0", "Header too big")) == 0)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                        _("Invalid handshake response from %s: its headers go on past the 64 KiB "
                          "libsoup reads (or it is not HTTP at all): %s"), host, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                        _("Connection refused by %s: nothing accepts connections on that port"), host);

  if (link->pin_problem != NULL)
    return g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", link->pin_problem);

  if (error->domain == G_TLS_ERROR || link->peer_errors != 0)
    {
      g_autofree char *problems = link->peer_errors ? sonde_certificate_describe_errors (link->peer_errors) : NULL;

      if (problems != NULL)
        return g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                            _("TLS error with %s: the certificate was refused: %s"), host, problems);
      return g_error_new (G_TLS_ERROR, error->domain == G_TLS_ERROR ? error->code : G_TLS_ERROR_MISC,
                          _("TLS error with %s: %s"), host, error->message);
    }

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
                            (uint64_t) link->options->max_frame_size, error->message);
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

  payload = error_payload (link, reported);
  event = link_event_new (-1);
  event->error = redact_error (link, g_steal_pointer (&reported));
  push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
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

/* libsoup asks only when verification failed. With a pin, the pinned
 * certificate is accepted whatever the system thinks of it, and nothing
 * else is; without one, nothing that failed verification is. */
static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       SondeLink            *link)
{
  g_autofree char *sha256 = sonde_certificate_dup_sha256 (certificate);

  g_set_object (&link->peer_certificate, certificate);
  link->peer_errors = errors;

  /* --insecure: anything goes; what it was stays on record. */
  if (link->options->insecure)
    return TRUE;
  if (link->options->pinned_sha256 == NULL)
    return FALSE;
  if (g_strcmp0 (sha256, link->options->pinned_sha256) == 0)
    return TRUE;

  g_free (link->pin_problem);
  link->pin_problem = g_strdup_printf (_("The server's certificate changed: the profile trusts only %s, "
                                         "the server offered %s. Check with the server's owners before "
                                         "trusting the new one"),
                                       link->options->pinned_sha256, sha256);
  return FALSE;
}

/* With a pin, a certificate that passed the system's checks must still be
 * the pinned one. */
static gboolean
check_pin (SondeLink *link)
{
  GTlsCertificate *certificate;
  g_autofree char *sha256 = NULL;

  if (link->options->pinned_sha256 == NULL)
    return TRUE;

  certificate = soup_message_get_tls_peer_certificate (link->message);
  if (certificate == NULL)
    return TRUE;   /* ws://: there is nothing to pin */

  sha256 = sonde_certificate_dup_sha256 (certificate);
  if (g_strcmp0 (sha256, link->options->pinned_sha256) == 0)
    return TRUE;

  g_set_object (&link->peer_certificate, certificate);
  link->peer_errors = soup_message_get_tls_peer_certificate_errors (link->message);
  link->pin_problem = g_strdup_printf (_("The server's certificate changed: the profile trusts only %s, "
                                         "the server offered %s. Check with the server's owners before "
                                         "trusting the new one"),
                                       link->options->pinned_sha256, sha256);
  return FALSE;
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
  payload = error_payload (link, error);
  event = link_event_new (-1);
  event->error = g_steal_pointer (&error);
  push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);

  /* Without a Close frame: the peer is not answering anyway. */
  g_io_stream_close (soup_websocket_connection_get_io_stream (link->ws), NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_watchdog (SondeLink *link)
{
  if (link->options->pong_timeout_s == 0 || link->options->keepalive_s == 0)
    return;

  link->last_pong_us = g_get_monotonic_time ();
  link->watchdog_source = g_timeout_source_new (250);
  g_source_set_static_name (link->watchdog_source, "[sonde] pong watchdog");
  g_source_set_callback (link->watchdog_source, on_watchdog, link, NULL);
  g_source_attach (link->watchdog_source, link->io_context);
}

/* I/O thread. libsoup 3.2 reads the body of a refused handshake's
 * response and keeps it nowhere but in what its logger prints: the
 * logger is asked for the body of any response but a 101, and hands the
 * lines over here. After the empty line that ends the response's headers
 * come the body's lines, kept up to SONDE_HANDSHAKE_MAX_BODY bytes (a NUL
 * byte ends what the logger prints). The request's lines, which carry its
 * secrets, are dropped. */
static SoupLoggerLogLevel
refused_body_filter (SoupLogger  *logger,
                     SoupMessage *message,
                     gpointer     data)
{
  return soup_message_get_status (message) == SOUP_STATUS_SWITCHING_PROTOCOLS ? SOUP_LOGGER_LOG_NONE
                                                                              : SOUP_LOGGER_LOG_BODY;
}

static void
on_refused_body_line (SoupLogger         *logger,
                      SoupLoggerLogLevel  level,
                      char                direction,
                      const char         *line,
                      gpointer            data)
{
  SondeLink *link = data;
  gsize room;
  gsize length;

  if (direction != '<')
    return;
  if (!link->refused_in_body)
    {
      link->refused_in_body = *line == '\0';
      return;
    }

  if (link->refused_body == NULL)
    link->refused_body = g_string_new (NULL);
  else if (link->refused_body->len < SONDE_HANDSHAKE_MAX_BODY)
    g_string_append_c (link->refused_body, '\n');
  room = SONDE_HANDSHAKE_MAX_BODY - MIN (link->refused_body->len, SONDE_HANDSHAKE_MAX_BODY);
  length = strlen (line);
  if (length > room)
    link->refused_truncated = TRUE;
  g_string_append_len (link->refused_body, line, MIN (length, room));
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
      soup_websocket_connection_set_max_incoming_payload_size (ws, link->options->max_frame_size);
      soup_websocket_connection_set_keepalive_interval (ws, link->options->keepalive_s);
    }

  destroy_source (&link->deadline_source);

  if (ws != NULL)
    extensions = soup_message_headers_get_one (soup_message_get_response_headers (link->message),
                                               "Sec-WebSocket-Extensions");

  if (soup_message_get_status (link->message) != 0)
    {
      g_autoptr(SondeHandshake) handshake =
        sonde_handshake_new_from_message (link->url, link->redactor, link->message,
                                          link->start_mono_us,
                                          ws ? soup_websocket_connection_get_protocol (ws) : NULL,
                                          extensions);
      g_autofree char *json = NULL;
      g_autoptr(GString) hs_payload = NULL;

      if (ws == NULL && link->refused_body != NULL)
        {
          g_autoptr(GBytes) body = g_bytes_new (link->refused_body->str, link->refused_body->len);

          sonde_handshake_set_response_body (handshake, body, link->refused_truncated);
        }
      json = sonde_handshake_to_json (handshake);
      hs_payload = g_string_new (json);

      /* --insecure let a certificate through: the record says which, and
       * what was wrong with it. */
      if (link->options->insecure && link->peer_certificate == NULL &&
          soup_message_get_tls_peer_certificate (link->message) != NULL)
        g_set_object (&link->peer_certificate, soup_message_get_tls_peer_certificate (link->message));
      if (link->options->insecure && link->peer_certificate != NULL && hs_payload->len > 2)
        {
          gboolean inner = FALSE;

          g_string_truncate (hs_payload, hs_payload->len - 1);
          append_certificate (link, hs_payload, &inner);
          sonde_json_append_bool_member (hs_payload, &inner, "insecure", TRUE);
          g_string_append_c (hs_payload, '}');
        }

      event = link_event_new (-1);
      event->handshake = g_steal_pointer (&handshake);
      push_event (link, SONDE_MESSAGE_KIND_HANDSHAKE, hs_payload, event);
    }

  if (ws != NULL && !check_pin (link))
    {
      g_autoptr(GError) pin_error = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", link->pin_problem);

      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      g_object_unref (ws);
      fail (link, g_steal_pointer (&pin_error));
      return;
    }

  if (ws == NULL)
    {
      fail (link, classify_failure (link, error));
      return;
    }

  link->ws = ws;
  g_signal_connect (ws, "pong", G_CALLBACK (on_ws_pong), link);
  start_watchdog (link);
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

  link->message = soup_message_new ("GET", link->url);
  if (link->message == NULL)
    {
      /* The URL was normalized by the connection; libsoup still may refuse
       * it (a user:password it cannot use, say). */
      fail (link, g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                               _("libsoup cannot use the URL “%s”"), link->url));
      return;
    }

  soup_message_add_flags (link->message, SOUP_MESSAGE_COLLECT_METRICS);
  g_signal_connect (link->message, "accept-certificate", G_CALLBACK (on_accept_certificate), link);
  if (link->client_certificate != NULL)
    soup_message_set_tls_client_certificate (link->message, link->client_certificate);
  if (!link->options->follow_redirects)
    soup_message_add_flags (link->message, SOUP_MESSAGE_NO_REDIRECT);

  request_headers = soup_message_get_request_headers (link->message);
  for (guint i = 0; link->options->headers != NULL && link->options->headers[i] != NULL; i++)
    {
      const char *header = link->options->headers[i];
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
  {
    g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_BODY);

    soup_logger_set_max_body_size (logger, SONDE_HANDSHAKE_MAX_BODY + 1);
    soup_logger_set_request_filter (logger, refused_body_filter, NULL, NULL);
    soup_logger_set_response_filter (logger, refused_body_filter, NULL, NULL);
    soup_logger_set_printer (logger, on_refused_body_line, link, NULL);
    soup_session_add_feature (link->session, SOUP_SESSION_FEATURE (logger));
  }
  /* The system's proxy settings, unless the profile names a proxy. */
  if (link->options->proxy != NULL)
    {
      g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (link->options->proxy, NULL);
      soup_session_set_proxy_resolver (link->session, resolver);
    }
  /* --ca FILE: these CAs instead of the system's. */
  if (link->options->ca_file != NULL)
    {
      g_autoptr(GError) ca_error = NULL;
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (link->options->ca_file, &ca_error);

      if (database == NULL)
        {
          fail (link, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                   _("The CA file “%s” cannot be used: %s"),
                                   link->options->ca_file, ca_error->message));
          return;
        }
      soup_session_set_tls_database (link->session, database);
    }
  /* The handshake carries only what it needs: no Accept-Encoding. */
  soup_session_remove_feature_by_type (link->session, SOUP_TYPE_CONTENT_DECODER);
  if (!custom_agent)
    soup_session_set_user_agent (link->session, "Sonde/" PACKAGE_VERSION " ");
  if (link->options->deflate)
    soup_session_add_feature_by_type (link->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);

  {
    g_autofree char *shown = link->redactor ? sonde_redactor_url (link->redactor, link->url)
                                                    : g_strdup (link->url);
    sonde_json_append_string_member (payload, &first, "url", shown);
  }
  g_string_append_c (payload, '}');
  push_event (link, SONDE_MESSAGE_KIND_CONNECTING, payload,
              link_event_new (SONDE_CONNECTION_STATE_CONNECTING));

  link->deadline_source = g_timeout_source_new (link->options->handshake_timeout_ms);
  g_source_set_static_name (link->deadline_source, "[sonde] handshake deadline");
  g_source_set_callback (link->deadline_source, on_deadline, link, NULL);
  g_source_attach (link->deadline_source, link->io_context);

  link->start_mono_us = g_get_monotonic_time ();
  soup_session_websocket_connect_async (link->session, link->message,
                                        link->options->origin,
                                        link->options->protocols,
                                        G_PRIORITY_DEFAULT,
                                        link->cancellable,
                                        on_connected, link);
}

/* A message that could not go out: an error event says so (from any
 * thread: push_item() takes the lock). */
static void
report_not_sent (SondeLink *link,
                 gsize      length)
{
  g_autoptr(GError) error =
    g_error_new (SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                 _("A %zu-byte message was not sent: the connection "
                   "closed before it could go out"), length);
  g_autoptr(GString) payload = error_payload (link, error);
  SondeLinkEvent *event = link_event_new (-1);

  event->error = g_steal_pointer (&error);
  push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
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
        report_not_sent (link, length);

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
  {
    GSource *send_source = wake_source_new (link->io_context, "[sonde] send",
                                            G_PRIORITY_DEFAULT, on_send_ready, link, NULL);

    g_mutex_lock (&link->lock);
    link->send_source = send_source;
    if (!g_queue_is_empty (&link->outgoing))
      g_source_set_ready_time (send_source, 0);
    g_mutex_unlock (&link->lock);
  }

  start_handshake (link);
  if (!link->done)
    g_main_loop_run (link->io_loop);

  destroy_source (&link->deadline_source);
  destroy_source (&link->watchdog_source);
  if (link->ws != NULL)
    g_signal_handlers_disconnect_by_data (link->ws, link);
  g_clear_object (&link->ws);
  g_clear_object (&link->message);
  if (link->session != NULL)
    soup_session_abort (link->session);
  g_clear_object (&link->session);
  if (link->refused_body != NULL)
    g_string_free (g_steal_pointer (&link->refused_body), TRUE);

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

  {
    GSource *send_source;

    g_mutex_lock (&link->lock);
    send_source = g_steal_pointer (&link->send_source);
    g_mutex_unlock (&link->lock);
    destroy_source (&send_source);
  }
  /* Sent in the last moment, after the final run: not sent. */
  for (Outgoing *out; (out = g_queue_pop_head (&link->outgoing)) != NULL;)
    {
      report_not_sent (link, g_bytes_get_size (out->payload));
      outgoing_free (out);
    }
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
sonde_link_start (const SondeConnectionOptions *options,
                  const char                   *url,
                  GTlsCertificate              *client_certificate,
                  SondeRedactor                *redactor,
                  SondeLinkReadyFunc            ready,
                  gpointer                      user_data)
{
  SondeLink *link = g_new0 (SondeLink, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_atomic_ref_count_init (&link->ref_count);
  link->options = sonde_connection_options_copy (options);
  link->url = g_strdup (url);
  link->client_certificate = client_certificate ? g_object_ref (client_certificate) : NULL;
  link->redactor = redactor ? sonde_redactor_ref (redactor) : NULL;

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
  g_free (link->fault_message);
  g_clear_object (&link->peer_certificate);
  g_free (link->pin_problem);
  g_main_context_unref (link->io_context);
  g_main_context_unref (link->main_context);
  g_clear_pointer (&link->options, sonde_connection_options_free);
  g_clear_pointer (&link->url, g_free);
  g_clear_object (&link->client_certificate);
  g_clear_pointer (&link->redactor, sonde_redactor_unref);
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

  /* Under the lock: the thread may be finishing (its send source gone) or
   * not have made its send source yet (it looks at the queue once it has). */
  g_mutex_lock (&link->lock);
  if (link->finished)
    {
      g_mutex_unlock (&link->lock);
      report_not_sent (link, g_bytes_get_size (payload));
      outgoing_free (out);
      return;
    }
  wake = g_queue_is_empty (&link->outgoing);
  g_queue_push_tail (&link->outgoing, out);
  if (wake && link->send_source != NULL)
    g_source_set_ready_time (link->send_source, 0);
  g_mutex_unlock (&link->lock);
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
