/* sonde-connection-accessors.c: the options a SondeConnection connects with, one by one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The options are checked by connect(), not here: a bad URL or header is
 * an error of connect() that names the problem. They apply from the next
 * connect (and every reconnect).
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include "sonde-connection-private.h"

/* Everything the next connect connects with, at once. */
const SondeConnectionOptions *
sonde_connection_get_options (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->options;
}

/* Replaces every option at once (a copy of @options is kept); each
 * property that changes is notified. Checked by connect(), not here. */
void
sonde_connection_set_options (SondeConnection              *self,
                              const SondeConnectionOptions *options)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (options != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  sonde_connection_set_url (self, options->url);
  sonde_connection_set_headers (self, (const char * const *) options->headers);
  sonde_connection_set_protocols (self, (const char * const *) options->protocols);
  sonde_connection_set_origin (self, options->origin);
  sonde_connection_set_max_message_size (self, options->max_message_size);
  sonde_connection_set_deflate (self, options->deflate);
  sonde_connection_set_follow_redirects (self, options->follow_redirects);
  sonde_connection_set_handshake_timeout (self, options->handshake_timeout_ms);
  sonde_connection_set_keepalive (self, options->keepalive_s);
  sonde_connection_set_pong_timeout (self, options->pong_timeout_s);
  sonde_connection_set_pinned_sha256 (self, options->pinned_sha256);
  sonde_connection_replace_str (&self->options->ca_file, options->ca_file);
  self->options->insecure = options->insecure;
  sonde_connection_set_proxy (self, options->proxy);
  sonde_connection_set_reconnect (self, &options->reconnect);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
sonde_connection_get_url (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->options->url;
}

void
sonde_connection_set_url (SondeConnection *self,
                          const char      *url)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (sonde_connection_replace_str (&self->options->url, url))
    g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_URL]);
}

const char * const *
sonde_connection_get_headers (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return (const char * const *) self->options->headers;
}

void
sonde_connection_set_headers (SondeConnection    *self,
                              const char * const *headers)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (headers == (const char * const *) self->options->headers)
    return;
  if (self->options->headers != NULL && headers != NULL &&
      g_strv_equal ((const char * const *) self->options->headers, headers))
    return;

  g_strfreev (self->options->headers);
  self->options->headers = g_strdupv ((char **) headers);
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_HEADERS]);
}

const char * const *
sonde_connection_get_protocols (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return (const char * const *) self->options->protocols;
}

void
sonde_connection_set_protocols (SondeConnection    *self,
                                const char * const *protocols)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (protocols == (const char * const *) self->options->protocols)
    return;
  if (self->options->protocols != NULL && protocols != NULL &&
      g_strv_equal ((const char * const *) self->options->protocols, protocols))
    return;

  g_strfreev (self->options->protocols);
  self->options->protocols = g_strdupv ((char **) protocols);
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_PROTOCOLS]);
}

const char *
sonde_connection_get_origin (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->options->origin;
}

void
sonde_connection_set_origin (SondeConnection *self,
                             const char      *origin)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (sonde_connection_replace_str (&self->options->origin, origin))
    g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_ORIGIN]);
}

guint64
sonde_connection_get_max_message_size (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->options->max_message_size;
}

/* The largest incoming message accepted, in bytes. 0 is refused by
 * connect(): libsoup 3.2 reads it as "no limit". */
void
sonde_connection_set_max_message_size (SondeConnection *self,
                                     guint64          max_message_size)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (self->options->max_message_size == max_message_size)
    return;

  self->options->max_message_size = max_message_size;
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_MAX_MESSAGE_SIZE]);
}

gboolean
sonde_connection_get_deflate (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  return self->options->deflate;
}

void
sonde_connection_set_deflate (SondeConnection *self,
                              gboolean         deflate)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  deflate = !!deflate;
  if (self->options->deflate == deflate)
    return;

  self->options->deflate = deflate;
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_DEFLATE]);
}

gboolean
sonde_connection_get_follow_redirects (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  return self->options->follow_redirects;
}

void
sonde_connection_set_follow_redirects (SondeConnection *self,
                                       gboolean         follow_redirects)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  follow_redirects = !!follow_redirects;
  if (self->options->follow_redirects == follow_redirects)
    return;

  self->options->follow_redirects = follow_redirects;
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_FOLLOW_REDIRECTS]);
}

guint
sonde_connection_get_handshake_timeout (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->options->handshake_timeout_ms;
}

/* The deadline for the whole opening handshake (TCP, TLS and the HTTP
 * upgrade), in milliseconds, kept by our own timer. libsoup's timeout only
 * measures inactivity: a server trickling a byte a second never trips it. */
void
sonde_connection_set_handshake_timeout (SondeConnection *self,
                                        guint            timeout_ms)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (self->options->handshake_timeout_ms == timeout_ms)
    return;

  self->options->handshake_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_HANDSHAKE_TIMEOUT]);
}

const char *
sonde_connection_get_pinned_sha256 (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->options->pinned_sha256;
}

/* Accept only the certificate with this SHA-256 fingerprint (lowercase hex,
 * as sonde_certificate_dup_sha256() gives), whatever the system's trust
 * store says; NULL verifies with the system's store. */
void
sonde_connection_set_pinned_sha256 (SondeConnection *self,
                                    const char      *sha256)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  sonde_connection_replace_str (&self->options->pinned_sha256, sha256);
}

/* The certificate (with its key) to present when the server asks for one. */
void
sonde_connection_set_client_certificate (SondeConnection *self,
                                         GTlsCertificate *certificate)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  g_set_object (&self->client_certificate, certificate);
}

const char *
sonde_connection_get_proxy (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->options->proxy;
}

/* An HTTP, HTTPS or SOCKS proxy for this connection; NULL uses the
 * system's proxy settings. */
void
sonde_connection_set_proxy (SondeConnection *self,
                            const char      *proxy_url)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  sonde_connection_replace_str (&self->options->proxy, proxy_url);
}

/* What masks this connection's secrets: after a connect, it also knows
 * the secrets of the URL and headers it connected with. */
SondeRedactor *
sonde_connection_get_redactor (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->active_redactor != NULL ? self->active_redactor : self->redactor;
}

/* What is masked in everything this connection records (the handshake, its
 * events); NULL masks nothing (sonde-cli --show-secrets). By default,
 * Authorization, cookies and the usual secret query parameters. */
void
sonde_connection_set_redactor (SondeConnection *self,
                               SondeRedactor   *redactor)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  if (self->redactor == redactor)
    return;
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  g_clear_pointer (&self->active_redactor, sonde_redactor_unref);
  self->redactor = redactor ? sonde_redactor_ref (redactor) : NULL;
}

SondeConnectionState
sonde_connection_get_state (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), SONDE_CONNECTION_STATE_DISCONNECTED);

  return self->state;
}

/* The last handshake's record, or NULL before the server has answered. */
SondeHandshake *
sonde_connection_get_handshake (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->handshake;
}

const char *
sonde_connection_get_protocol (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->protocol;
}

/* The close code the peer sent, 1005 for a Close frame without one, 1006
 * when the connection ended without a Close frame; 0 before any close. */
guint
sonde_connection_get_close_code (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->close_code;
}

const char *
sonde_connection_get_close_reason (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->close_reason;
}

/* TRUE when the close handshake completed without a protocol error and
 * with a code allowed on the wire. */
gboolean
sonde_connection_get_close_was_clean (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  return self->close_clean;
}

/* Why the connection failed, or the last error it reported; NULL if none. */
const GError *
sonde_connection_get_error (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->error;
}

/* @text with its placeholders filled in from this connection's counter
 * ({{seq}} goes on across reconnects), checked for @format: what the
 * composer sends. */
GBytes *
sonde_connection_render_template (SondeConnection     *self,
                                  const char          *text,
                                  SondeMessageFormat   format,
                                  GError             **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return sonde_template_render (text, format, &self->template_context, error);
}

/* The certificate the last failure refused (its SHA-256 and, for people,
 * subject, issuer, validity and what is wrong), or NULL: what "Trust this
 * certificate" pins. */
const char *
sonde_connection_get_refused_certificate (SondeConnection  *self,
                                          const char      **description)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  if (description != NULL)
    *description = self->refused_description;
  return self->refused_sha256;
}

/* Echo every message received, straight from the I/O thread (sonde-cli
 * --echo): from the next connect on. */
void
sonde_connection_set_echo (SondeConnection *self,
                           gboolean         echo)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  self->echo = echo;
}

gboolean
sonde_connection_get_show_frames (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  return self->show_frames;
}

/* Whether every frame's header becomes a record (kind frame), from now on. */
void
sonde_connection_set_show_frames (SondeConnection *self,
                                  gboolean         show)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  self->show_frames = show;
  if (self->link != NULL)
    sonde_link_set_show_frames (self->link, show);
}

const char *
sonde_connection_state_to_string (SondeConnectionState state)
{
  switch (state)
    {
    case SONDE_CONNECTION_STATE_DISCONNECTED:
      return "disconnected";
    case SONDE_CONNECTION_STATE_CONNECTING:
      return "connecting";
    case SONDE_CONNECTION_STATE_OPEN:
      return "open";
    case SONDE_CONNECTION_STATE_CLOSING:
      return "closing";
    case SONDE_CONNECTION_STATE_CLOSED:
      return "closed";
    case SONDE_CONNECTION_STATE_FAILED:
      return "failed";
    case SONDE_CONNECTION_STATE_WAITING:
      return "waiting to reconnect";
    default:
      g_return_val_if_reached ("unknown");
    }
}

/* Process-wide: every connection's I/O thread started from now on (each
 * connect and reconnect starts one) runs @increment nice levels below the
 * thread that connects (Linux; 0, the default: the same). For a process
 * whose many connections would otherwise crowd out its other threads: a
 * headless monitor whose /metrics must answer at once (issue 18). Not for
 * the window, whose ingest should not wait for anything. */
void
sonde_connection_set_io_niceness (guint increment)
{
  sonde_link_set_io_niceness (increment);
}
