/* sonde-link-handshake.c: a link's connection and opening handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-backoff.h"
#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link-private.h"


/* The attempt failed: what went wrong, and what a retry policy needs (the
 * HTTP status, Retry-After, whether retrying can help, the certificate). */
void
sonde_link_fail (SondeLink *link,
      GError    *error)
{
  g_autoptr(GString) payload = sonde_link_error_payload (link, error);
  SondeLinkEvent *event = sonde_link_event_new (SONDE_CONNECTION_STATE_FAILED);
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
      sonde_link_append_certificate (link, payload, &first);
      event->certificate_sha256 = sonde_certificate_dup_sha256 (link->peer_certificate);
      event->certificate_description = sonde_certificate_describe (link->peer_certificate, link->peer_errors);
    }
  g_string_append_c (payload, '}');

  event->error = sonde_link_redact_error (link, error);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_FAILED, payload, event);
  sonde_link_finish (link);
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
  SondeLinkEvent *event;
  const char *extensions = NULL;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  /* Before anything else: libsoup already reads from the stream, with its
   * own 128 KiB default limit. */
  if (ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (ws, link->options->max_message_size);
      soup_websocket_connection_set_keepalive_interval (ws, link->options->keepalive_s);
    }

  sonde_link_destroy_source (&link->deadline_source);

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
          sonde_link_append_certificate (link, hs_payload, &inner);
          sonde_json_append_bool_member (hs_payload, &inner, "insecure", TRUE);
          g_string_append_c (hs_payload, '}');
        }

      event = sonde_link_event_new (-1);
      event->handshake = g_steal_pointer (&handshake);
      sonde_link_push_event (link, SONDE_MESSAGE_KIND_HANDSHAKE, hs_payload, event);
    }

  if (ws != NULL && !check_pin (link))
    {
      g_autoptr(GError) pin_error = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", link->pin_problem);

      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      g_object_unref (ws);
      sonde_link_fail (link, g_steal_pointer (&pin_error));
      return;
    }

  if (ws == NULL)
    {
      sonde_link_fail (link, classify_failure (link, error));
      return;
    }

  sonde_link_attach_ws (link, ws, extensions);
}

void
sonde_link_start_handshake (SondeLink *link)
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
      sonde_link_fail (link, g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_URL,
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
          sonde_link_fail (link, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
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
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_CONNECTING, payload,
              sonde_link_event_new (SONDE_CONNECTION_STATE_CONNECTING));

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
