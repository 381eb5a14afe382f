/* sonde-upgrade.c: one attempt at a WebSocket opening handshake, made by
 * Sonde itself over GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connection is a GSocketClient's (the profile's proxy or the system's
 * resolver; GIO's own HTTP CONNECT and SOCKS support; an https:// proxy of
 * the profile is Sonde's, its certificate checked against the profile's CA
 * file), to "http://host:port" for ws:// and "https://host:port" for wss://
 * so that proxy resolvers key on the schemes they know. An error before the
 * proxy opened the tunnel names the proxy, whichever resolver chose it. TLS comes after the proxy, made here: the
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

G_DEFINE_FINAL_TYPE (SondeUpgrade, sonde_upgrade, G_TYPE_OBJECT)

static double
span_ms (gint64 from,
         gint64 to)
{
  if (from == 0 || to == 0 || to < from)
    return -1;
  return (double) (to - from) / 1000.0;
}

char *
sonde_upgrade_dup_host (SondeUpgrade *self)
{
  return sonde_upgrade_describe_host (self->uri);
}

void
sonde_upgrade_clear_hop (SondeUpgrade *self)
{
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->proxy, g_free);
  self->own_proxy = self->proxy_done = FALSE;
  g_clear_object (&self->proxy_tcp);
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
SondeHandshake *
sonde_upgrade_record_hop (SondeUpgrade *self)
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
  g_autofree char *host = self->uri ? sonde_upgrade_dup_host (self) : g_strdup (self->url);
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
  else if (self->proxy != NULL && !self->proxy_done &&
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    explained = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                             _("Connection refused by the proxy %s: nothing accepts connections on that port"),
                             self->proxy);
  else if (self->proxy != NULL && !self->proxy_done)
    explained = g_error_new (error->domain, error->code, _("The proxy %s did not open the way to %s: %s"),
                             self->proxy, host, error->message);
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

void
sonde_upgrade_fail (SondeUpgrade *self,
                    GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_pointer (&self->deadline_source, g_source_destroy);
  g_task_return_error (task, explain (self, error));
}

void
sonde_upgrade_succeed (SondeUpgrade *self)
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
  sonde_upgrade_clear_hop (self);

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
  g_free (self->authorization);

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

  sonde_upgrade_start_hop (self);
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
