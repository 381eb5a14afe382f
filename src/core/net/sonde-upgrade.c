/* sonde-upgrade.c: one attempt at a WebSocket opening handshake, made by
 * Sonde itself over GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connection is a GSocketClient's (the profile's proxy or the system's
 * resolver; GIO's own HTTP CONNECT and SOCKS support), to "http://host:port"
 * for ws:// and "https://host:port" for wss:// so that proxy resolvers key
 * on the schemes they know. TLS comes after the proxy, made here: the
 * server's name, the --ca database, the client certificate, --insecure and
 * the pin (checked even when the system accepted the certificate). Then
 * the upgrade request is written and the response head read (bounded),
 * parsed with libsoup's parser and checked (sonde-upgrade-http.c). Bytes
 * read past the head are the first frames: they are kept for whoever runs
 * the WebSocket connection on the stream. A refused answer's body is read
 * (bounded) for the record; redirects are followed only when enabled,
 * each hop its own record. One deadline covers all of it.
 *
 * Runs on the thread-default main context of its caller (the link's I/O
 * thread).
 */

#define G_LOG_DOMAIN "sonde-upgrade"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-upgrade-private.h"

#define READ_CHUNK ((gsize) 16 * 1024)

struct _SondeUpgrade
{
  GObject                 parent_instance;

  /* owned, immutable */
  SondeConnectionOptions *options;
  char                   *url;
  GTlsCertificate        *client_certificate;
  SondeRedactor          *redactor;

  /* owned, the run */
  GTask                  *task;
  GCancellable           *cancellable;     /* ours: the caller's and the deadline's */
  GCancellable           *caller_cancellable;
  gulong                  caller_cancel_id;
  GSource                *deadline_source;
  gboolean                deadline_hit;
  gboolean                connected;
  gboolean                succeeded;       /* the stream is the caller's now */
  gint64                  start_us;
  guint                   hops;

  /* owned, the current hop */
  GUri                   *uri;
  char                   *hop_url;
  char                   *path;
  char                   *key;
  SoupMessageHeaders     *request_headers;
  GString                *request;
  GSocketClient          *client;
  GIOStream              *stream;
  GByteArray             *buffer;
  gsize                   head_length;
  SoupHTTPVersion         http_version;
  guint                   status;
  char                   *reason;
  SoupMessageHeaders     *response_headers;
  SondeBodyFraming        framing;
  goffset                 body_length;
  GByteArray             *body;
  gint64                  hop_start_us;
  gint64                  dns_start_us;
  gint64                  dns_end_us;
  gint64                  connect_start_us;
  gint64                  connect_end_us;
  gint64                  tls_start_us;
  gint64                  tls_end_us;
  gint64                  request_start_us;
  gint64                  response_us;

  /* owned, the result */
  GPtrArray              *handshakes;      /* SondeHandshake, one per hop */
  char                   *protocol;
  char                   *extensions;
  GList                  *extension_objects;
  GBytes                 *leftover;
  GTlsCertificate        *peer_certificate;
  GTlsCertificateFlags    peer_errors;
  char                   *pin_problem;
};

G_DEFINE_FINAL_TYPE (SondeUpgrade, sonde_upgrade, G_TYPE_OBJECT)

static void start_hop (SondeUpgrade *self);
static void read_head (SondeUpgrade *self);
static void read_body (SondeUpgrade *self);

static double
span_ms (gint64 from,
         gint64 to)
{
  if (from == 0 || to == 0 || to < from)
    return -1;
  return (double) (to - from) / 1000.0;
}

static char *
host_of (SondeUpgrade *self)
{
  return sonde_upgrade_describe_host (self->uri);
}

static void
clear_hop (SondeUpgrade *self)
{
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  if (self->stream != NULL && !self->succeeded)
    g_io_stream_close (self->stream, NULL, NULL);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->hop_url, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->request_headers, soup_message_headers_unref);
  if (self->request != NULL)
    g_string_free (g_steal_pointer (&self->request), TRUE);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->response_headers, soup_message_headers_unref);
  g_clear_pointer (&self->body, g_byte_array_unref);
  self->head_length = 0;
  self->status = 0;
  self->http_version = SOUP_HTTP_1_1;
  self->framing = SONDE_BODY_NONE;
  self->body_length = -1;
  self->hop_start_us = self->dns_start_us = self->dns_end_us = 0;
  self->connect_start_us = self->connect_end_us = 0;
  self->tls_start_us = self->tls_end_us = 0;
  self->request_start_us = self->response_us = 0;
}

/* The record of the current hop, once its response head is in. */
static SondeHandshake *
record_hop (SondeUpgrade *self)
{
  SondeHandshakeTimings timings;
  SondeHandshake *handshake;

  timings.dns_ms = span_ms (self->dns_start_us, self->dns_end_us);
  timings.connect_ms = span_ms (self->connect_start_us, self->connect_end_us);
  timings.tls_ms = span_ms (self->tls_start_us, self->tls_end_us);
  timings.upgrade_ms = span_ms (self->request_start_us, self->response_us);
  timings.total_ms = span_ms (self->start_us, self->response_us);

  handshake = sonde_handshake_new (self->hop_url, self->redactor, "GET", self->path,
                                   self->request_headers, self->http_version,
                                   self->status, self->reason, self->response_headers,
                                   &timings, self->protocol, self->extensions);
  g_ptr_array_add (self->handshakes, handshake);
  return handshake;
}

/* Turns what went wrong into what the user reads: the deadline, a refused
 * connection, a certificate. Takes @error. */
static GError *
explain (SondeUpgrade *self,
         GError       *error)
{
  g_autofree char *host = self->uri ? host_of (self) : g_strdup (self->url);
  GError *explained = NULL;

  if (self->deadline_hit)
    explained = g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT,
                             self->connected ?
                             _("Handshake deadline exceeded: %s accepted the connection but did not "
                               "complete the WebSocket handshake within %g s") :
                             _("Handshake deadline exceeded: could not connect to %s within %g s"),
                             host, self->options->handshake_timeout_ms / 1000.0);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    explained = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                             _("Connection refused by %s: nothing accepts connections on that port"), host);
  else if (self->pin_problem != NULL)
    explained = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", self->pin_problem);
  else if (error->domain == G_TLS_ERROR)
    {
      g_autofree char *problems = self->peer_errors ? sonde_certificate_describe_errors (self->peer_errors) : NULL;

      if (problems != NULL)
        explained = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                 _("TLS error with %s: the certificate was refused: %s"), host, problems);
      else
        explained = g_error_new (G_TLS_ERROR, error->code, _("TLS error with %s: %s"), host, error->message);
    }

  if (explained == NULL)
    return error;
  g_error_free (error);
  return explained;
}

static void
fail (SondeUpgrade *self,
      GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_pointer (&self->deadline_source, g_source_destroy);
  g_task_return_error (task, explain (self, error));
}

static void
succeed (SondeUpgrade *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->succeeded = TRUE;
  g_clear_pointer (&self->deadline_source, g_source_destroy);
  g_task_return_boolean (task, TRUE);
}

static gboolean
on_deadline (gpointer data)
{
  SondeUpgrade *self = data;

  self->deadline_hit = TRUE;
  self->deadline_source = NULL;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 SondeUpgrade       *self)
{
  gint64 now = g_get_monotonic_time ();

  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      if (self->dns_start_us == 0)
        self->dns_start_us = now;
      break;
    case G_SOCKET_CLIENT_RESOLVED:
      self->dns_end_us = now;
      break;
    case G_SOCKET_CLIENT_CONNECTING:
      if (self->connect_start_us == 0)
        self->connect_start_us = now;
      break;
    case G_SOCKET_CLIENT_CONNECTED:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
    case G_SOCKET_CLIENT_COMPLETE:
      self->connect_end_us = now;
      break;
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
    default:
      break;
    }
}

static char *
pin_problem_for (SondeUpgrade *self,
                 const char   *sha256)
{
  return g_strdup_printf (_("The server's certificate changed: the profile trusts only %s, "
                            "the server offered %s. Check with the server's owners before "
                            "trusting the new one"),
                          self->options->pinned_sha256, sha256);
}

/* GIO asks only when verification failed. With a pin, the pinned
 * certificate is accepted whatever the system thinks of it, and nothing
 * else is; without one, nothing that failed verification is (but
 * --insecure accepts anything, and the record says what it was). */
static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       SondeUpgrade         *self)
{
  g_autofree char *sha256 = sonde_certificate_dup_sha256 (certificate);

  g_set_object (&self->peer_certificate, certificate);
  self->peer_errors = errors;

  if (self->options->insecure)
    return TRUE;
  if (self->options->pinned_sha256 == NULL)
    return FALSE;
  if (g_strcmp0 (sha256, self->options->pinned_sha256) == 0)
    return TRUE;

  g_free (self->pin_problem);
  self->pin_problem = pin_problem_for (self, sha256);
  return FALSE;
}

/* The handshake is done: what came after the head is the first frames. */
static void
accept_upgrade (SondeUpgrade *self)
{
  g_autofree char *host = host_of (self);
  g_autoptr(GError) error = NULL;
  char *protocol = NULL;
  GList *extensions = NULL;
  const char *extensions_header;

  if (!sonde_upgrade_verify_response (host, self->status, self->response_headers, self->key,
                                      self->options, &protocol, &extensions, &error))
    {
      record_hop (self);
      fail (self, g_steal_pointer (&error));
      return;
    }

  self->protocol = protocol;
  self->extension_objects = extensions;
  extensions_header = soup_message_headers_get_list (self->response_headers, "Sec-WebSocket-Extensions");
  self->extensions = g_strdup (extensions_header);
  record_hop (self);

  self->leftover = g_bytes_new (self->buffer->data + self->head_length,
                                self->buffer->len - self->head_length);
  succeed (self);
}

/* A 3xx with redirects enabled: the next hop, to where Location points
 * (relative to this one; http and https mean ws and wss). */
static void
follow_redirect (SondeUpgrade *self)
{
  const char *location = soup_message_headers_get_one (self->response_headers, "Location");
  g_autoptr(GUri) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_url = NULL;
  const char *scheme;
  const char *mapped = NULL;

  record_hop (self);

  if (location != NULL)
    next = g_uri_parse_relative (self->uri, location, G_URI_FLAGS_ENCODED, &error);
  if (next == NULL)
    {
      fail (self, sonde_upgrade_refused_error (self->status, self->reason, self->response_headers));
      return;
    }

  scheme = g_uri_get_scheme (next);
  if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
    mapped = "ws";
  else if (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    mapped = "wss";
  if (mapped == NULL || g_uri_get_host (next) == NULL)
    {
      fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                               _("Handshake refused: HTTP %u %s, redirecting to “%s”, which is not "
                                 "a WebSocket URL"),
                               self->status, self->reason ? self->reason : "", location));
      return;
    }

  if (++self->hops > SONDE_UPGRADE_MAX_REDIRECTS)
    {
      fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                               _("Handshake refused: more than %d redirects (the last one to “%s”)"),
                               SONDE_UPGRADE_MAX_REDIRECTS, location));
      return;
    }

  next_url = g_uri_join (G_URI_FLAGS_ENCODED, mapped, g_uri_get_userinfo (next), g_uri_get_host (next),
                         g_uri_get_port (next), g_uri_get_path (next), g_uri_get_query (next), NULL);
  g_free (self->url);
  self->url = g_steal_pointer (&next_url);
  clear_hop (self);
  start_hop (self);
}

static void
refuse (SondeUpgrade *self)
{
  SondeHandshake *handshake = record_hop (self);

  if (self->body != NULL && self->body->len > 0)
    {
      g_autoptr(GBytes) body = g_bytes_new (self->body->data, self->body->len);

      sonde_handshake_set_response_body (handshake, body, self->body->len > SONDE_HANDSHAKE_MAX_BODY);
    }
  fail (self, sonde_upgrade_refused_error (self->status, self->reason, self->response_headers));
}

/* TRUE when the body read so far is all we keep. */
static gboolean
body_done (SondeUpgrade *self,
           gboolean      eof)
{
  gsize raw = self->buffer->len - self->head_length;
  const guint8 *data = self->buffer->data + self->head_length;
  gsize max = SONDE_HANDSHAKE_MAX_BODY + 1;

  switch (self->framing)
    {
    case SONDE_BODY_NONE:
      return TRUE;
    case SONDE_BODY_CHUNKED:
      return sonde_upgrade_decode_chunked (data, raw, self->body, max) || eof ||
             raw >= 4 * SONDE_HANDSHAKE_MAX_BODY;
    case SONDE_BODY_LENGTH:
      g_byte_array_set_size (self->body, 0);
      g_byte_array_append (self->body, data, (guint) MIN (raw, MIN ((gsize) self->body_length, max)));
      return eof || raw >= (gsize) self->body_length || self->body->len >= max;
    case SONDE_BODY_CLOSE:
    default:
      g_byte_array_set_size (self->body, 0);
      g_byte_array_append (self->body, data, (guint) MIN (raw, max));
      return eof || self->body->len >= max;
    }
}

static void
on_body_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->task == NULL)
    return;

  if (n < 0)
    {
      /* The deadline, or the server gone: keep what came. The caller's
       * own cancel still cancels. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->deadline_hit)
        {
          fail (self, g_steal_pointer (&error));
          return;
        }
      self->deadline_hit = FALSE;
      body_done (self, TRUE);
      refuse (self);
      return;
    }

  g_byte_array_set_size (self->buffer, self->buffer->len - (READ_CHUNK - n));
  if (body_done (self, n == 0))
    refuse (self);
  else
    read_body (self);
}

static void
read_body (SondeUpgrade *self)
{
  gsize at = self->buffer->len;

  g_byte_array_set_size (self->buffer, at + READ_CHUNK);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->buffer->data + at, READ_CHUNK, G_PRIORITY_DEFAULT,
                             self->cancellable, on_body_read, g_object_ref (self));
}

static void
handle_head (SondeUpgrade *self)
{
  g_autofree char *host = host_of (self);

  self->response_us = g_get_monotonic_time ();
  self->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (!soup_headers_parse_response ((const char *) self->buffer->data, (int) self->head_length,
                                    self->response_headers, &self->http_version,
                                    &self->status, &self->reason))
    {
      g_clear_pointer (&self->response_headers, soup_message_headers_unref);
      self->status = 0;
      fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                               _("Invalid handshake response from %s: it is not an HTTP response"), host));
      return;
    }

  if (self->status == SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      accept_upgrade (self);
      return;
    }

  if (SOUP_STATUS_IS_REDIRECTION (self->status) && self->options->follow_redirects &&
      soup_message_headers_get_one (self->response_headers, "Location") != NULL)
    {
      follow_redirect (self);
      return;
    }

  /* Refused: its body, bounded, within the deadline. */
  self->framing = sonde_upgrade_body_framing (self->status, self->response_headers, &self->body_length);
  self->body = g_byte_array_new ();
  if (body_done (self, FALSE))
    refuse (self);
  else
    read_body (self);
}

static void
on_head_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gsize before;
  gssize end;

  if (self->task == NULL)
    return;
  if (n < 0)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  before = self->buffer->len - READ_CHUNK;
  g_byte_array_set_size (self->buffer, before + n);

  end = sonde_upgrade_find_head_end (self->buffer->data, self->buffer->len, before);
  if (end > 0 && end <= SONDE_UPGRADE_MAX_HEAD)
    {
      self->head_length = end;
      handle_head (self);
      return;
    }

  if (self->buffer->len >= SONDE_UPGRADE_MAX_HEAD)
    {
      g_autofree char *host = host_of (self);

      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               _("Invalid handshake response from %s: its headers go on past the 64 KiB "
                                 "libsoup reads (or it is not HTTP at all): %s"),
                               host, _("Header too big")));
      return;
    }

  if (n == 0)
    {
      g_autofree char *host = host_of (self);

      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               self->buffer->len == 0 ?
                               _("%s closed the connection without answering the WebSocket handshake") :
                               _("%s closed the connection in the middle of its answer to the WebSocket handshake"),
                               host));
      return;
    }

  read_head (self);
}

static void
read_head (SondeUpgrade *self)
{
  gsize at = self->buffer->len;

  g_byte_array_set_size (self->buffer, at + READ_CHUNK);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->buffer->data + at, READ_CHUNK, G_PRIORITY_DEFAULT,
                             self->cancellable, on_head_read, g_object_ref (self));
}

static void
on_request_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;

  if (self->task == NULL)
    return;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  self->buffer = g_byte_array_sized_new (READ_CHUNK);
  read_head (self);
}

static void
write_request (SondeUpgrade *self)
{
  self->connected = TRUE;
  self->key = sonde_upgrade_new_key ();
  self->path = sonde_upgrade_path_and_query (self->uri);
  self->request_headers = sonde_upgrade_request_headers (self->uri, self->options, self->key);
  self->request = sonde_upgrade_serialize_request (self->path, self->request_headers);

  self->request_start_us = g_get_monotonic_time ();
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   self->request->str, self->request->len, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_request_written, g_object_ref (self));
}

static void
on_tls_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  GTlsCertificate *certificate;

  if (self->task == NULL)
    return;

  self->tls_end_us = g_get_monotonic_time ();
  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  /* What the server offered stays on record, accepted or not. With a pin,
   * a certificate that passed the system's checks must still be it. */
  certificate = g_tls_connection_get_peer_certificate (tls);
  if (certificate != NULL && self->peer_certificate == NULL)
    {
      g_set_object (&self->peer_certificate, certificate);
      self->peer_errors = g_tls_connection_get_peer_certificate_errors (tls);
    }
  if (certificate != NULL && self->options->pinned_sha256 != NULL)
    {
      g_autofree char *sha256 = sonde_certificate_dup_sha256 (certificate);

      if (g_strcmp0 (sha256, self->options->pinned_sha256) != 0)
        {
          self->pin_problem = pin_problem_for (self, sha256);
          fail (self, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", self->pin_problem));
          return;
        }
    }

  write_request (self);
}

static void
start_tls (SondeUpgrade *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new (g_uri_get_host (self->uri),
                                                                   (guint16) g_uri_get_port (self->uri));
  g_autoptr(GIOStream) tls = g_tls_client_connection_new (self->stream, identity, &error);

  if (tls == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  if (self->options->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (self->options->ca_file, &error);

      if (database == NULL)
        {
          fail (self, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                   _("The CA file “%s” cannot be used: %s"),
                                   self->options->ca_file, error->message));
          return;
        }
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
    }
  /* As libsoup did: a server that ends the connection without TLS's
   * close_notify (many do, after the WebSocket close) is not an error. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  if (self->client_certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), self->client_certificate);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), self);

  g_set_object (&self->stream, tls);
  self->tls_start_us = g_get_monotonic_time ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_tls_done, g_object_ref (self));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->task == NULL)
    {
      g_clear_object (&connection);
      return;
    }
  if (connection == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  self->connect_end_us = g_get_monotonic_time ();
  self->stream = G_IO_STREAM (connection);
  if (g_ascii_strcasecmp (g_uri_get_scheme (self->uri), "wss") == 0)
    start_tls (self);
  else
    write_request (self);
}

static void
start_hop (SondeUpgrade *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *connect_uri = NULL;
  gboolean secure;
  int port;

  self->uri = g_uri_parse (self->url, G_URI_FLAGS_ENCODED, &error);
  if (self->uri == NULL || g_uri_get_host (self->uri) == NULL || *g_uri_get_host (self->uri) == '\0')
    {
      g_clear_pointer (&self->uri, g_uri_unref);
      fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                               _("The URL “%s” cannot be used: %s"), self->url,
                               error ? error->message : _("it has no host")));
      return;
    }
  secure = g_ascii_strcasecmp (g_uri_get_scheme (self->uri), "wss") == 0;
  port = g_uri_get_port (self->uri);
  if (port == -1)
    {
      /* The port always shows, in messages and in the Host rule. */
      GUri *with_port = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (self->uri),
                                     g_uri_get_userinfo (self->uri), g_uri_get_host (self->uri),
                                     secure ? 443 : 80, g_uri_get_path (self->uri),
                                     g_uri_get_query (self->uri), NULL);

      g_uri_unref (self->uri);
      self->uri = with_port;
      port = secure ? 443 : 80;
    }
  self->hop_url = g_strdup (self->url);
  self->hop_start_us = g_get_monotonic_time ();

  /* http/https: the schemes proxy resolvers know. */
  connect_uri = g_uri_join (G_URI_FLAGS_NONE, secure ? "https" : "http", NULL,
                            g_uri_get_host (self->uri), port, "", NULL, NULL);

  self->client = g_socket_client_new ();
  if (self->options->proxy != NULL)
    {
      g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (self->options->proxy, NULL);

      g_socket_client_set_proxy_resolver (self->client, resolver);
    }
  g_signal_connect (self->client, "event", G_CALLBACK (on_client_event), self);
  g_socket_client_connect_to_uri_async (self->client, connect_uri, (guint16) port, self->cancellable,
                                        on_connected, g_object_ref (self));
}

static void
sonde_upgrade_dispose (GObject *object)
{
  SondeUpgrade *self = SONDE_UPGRADE (object);

  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
  if (self->deadline_source != NULL)
    g_source_destroy (self->deadline_source);
  self->deadline_source = NULL;
  clear_hop (self);

  G_OBJECT_CLASS (sonde_upgrade_parent_class)->dispose (object);
}

static void
sonde_upgrade_finalize (GObject *object)
{
  SondeUpgrade *self = SONDE_UPGRADE (object);

  g_clear_pointer (&self->options, sonde_connection_options_free);
  g_free (self->url);
  g_clear_object (&self->client_certificate);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->handshakes, g_ptr_array_unref);
  g_free (self->protocol);
  g_free (self->extensions);
  g_list_free_full (self->extension_objects, g_object_unref);
  g_clear_pointer (&self->leftover, g_bytes_unref);
  g_clear_object (&self->peer_certificate);
  g_free (self->pin_problem);

  G_OBJECT_CLASS (sonde_upgrade_parent_class)->finalize (object);
}

static void
sonde_upgrade_class_init (SondeUpgradeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_upgrade_dispose;
  object_class->finalize = sonde_upgrade_finalize;
}

static void
sonde_upgrade_init (SondeUpgrade *self)
{
  self->handshakes = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_handshake_unref);
  self->cancellable = g_cancellable_new ();
  self->body_length = -1;
}

/* One attempt to open @url (ws:// or wss://, normalized) with @options;
 * @redactor (NULL: nothing masked) masks the secrets in the records. */
SondeUpgrade *
sonde_upgrade_new (const SondeConnectionOptions *options,
                   const char                   *url,
                   GTlsCertificate              *client_certificate,
                   SondeRedactor                *redactor)
{
  SondeUpgrade *self;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (SONDE_TYPE_UPGRADE, NULL);
  self->options = sonde_connection_options_copy (options);
  self->url = g_strdup (url);
  self->client_certificate = client_certificate ? g_object_ref (client_certificate) : NULL;
  self->redactor = redactor ? sonde_redactor_ref (redactor) : NULL;
  return self;
}

/* Connects, upgrades and checks, on the thread-default main context, all
 * within options->handshake_timeout_ms. Once only. */
void
sonde_upgrade_run_async (SondeUpgrade        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (SONDE_IS_UPGRADE (self));
  g_return_if_fail (self->task == NULL && self->start_us == 0);

  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, sonde_upgrade_run_async);
  self->start_us = g_get_monotonic_time ();

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                      self->cancellable, NULL);
    }

  if (self->options->handshake_timeout_ms > 0)
    {
      g_autoptr(GSource) source = g_timeout_source_new (self->options->handshake_timeout_ms);

      g_source_set_static_name (source, "[sonde] handshake deadline");
      g_source_set_callback (source, on_deadline, self, NULL);
      g_source_attach (source, g_main_context_get_thread_default ());
      self->deadline_source = source;
    }

  start_hop (self);
}

gboolean
sonde_upgrade_run_finish (SondeUpgrade  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The open stream (a GSocketConnection, or a GTlsClientConnection over
 * one; pollable) after a success, NULL otherwise. */
GIOStream *
sonde_upgrade_get_stream (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->leftover != NULL ? self->stream : NULL;
}

/* What the server sent right after its 101 answer (the first frames),
 * possibly empty; NULL before a success. */
GBytes *
sonde_upgrade_get_leftover (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->leftover;
}

const char *
sonde_upgrade_get_protocol (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->protocol;
}

/* The response's Sec-WebSocket-Extensions, as the server wrote it. */
const char *
sonde_upgrade_get_extensions (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->extensions;
}

/* Returns: (transfer none) (element-type SoupWebsocketExtension): the
 * extension objects, configured from the server's parameters. */
GList *
sonde_upgrade_get_extension_objects (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->extension_objects;
}

/* Returns: (transfer full) (element-type SoupWebsocketExtension): the
 * extension objects, for soup_websocket_connection_new(), which takes
 * them. */
GList *
sonde_upgrade_steal_extension_objects (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return g_steal_pointer (&self->extension_objects);
}

/* Returns: (transfer none) (element-type SondeHandshake): one record per
 * request that got an answer (a redirect makes one per hop). */
GPtrArray *
sonde_upgrade_get_handshakes (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->handshakes;
}

/* The last answer's HTTP status; 0 when none came. */
guint
sonde_upgrade_get_status (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), 0);

  return self->handshakes->len > 0 ?
    sonde_handshake_get_status (g_ptr_array_index (self->handshakes, self->handshakes->len - 1)) : 0;
}

/* The last answer's Retry-After, as written; NULL when it had none. */
const char *
sonde_upgrade_get_retry_after (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  if (self->handshakes->len == 0)
    return NULL;
  return sonde_handshake_get_response_header_value (g_ptr_array_index (self->handshakes,
                                                                       self->handshakes->len - 1),
                                                    "Retry-After");
}

/* The certificate the server offered (last hop), and what was wrong with
 * it; NULL for ws:// or before TLS. */
GTlsCertificate *
sonde_upgrade_get_peer_certificate (SondeUpgrade         *self,
                                    GTlsCertificateFlags *errors)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  if (errors != NULL)
    *errors = self->peer_errors;
  return self->peer_certificate;
}

/* Why the pin refused the certificate, or NULL. */
const char *
sonde_upgrade_get_pin_problem (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), NULL);

  return self->pin_problem;
}

gboolean
sonde_upgrade_get_deadline_hit (SondeUpgrade *self)
{
  g_return_val_if_fail (SONDE_IS_UPGRADE (self), FALSE);

  return self->deadline_hit;
}
