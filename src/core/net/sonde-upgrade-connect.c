/* sonde-upgrade-connect.c: a SondeUpgrade's connection: GSocketClient
 * (proxies included; an https:// proxy of the profile made here, its
 * certificate checked against the profile's CA file), TLS after the proxy (the server's name, the --ca
 * database, the client certificate, --insecure, the pin), the timings of
 * each phase, and the upgrade request written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-upgrade"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-upgrade-private.h"

/* "http://127.0.0.1:3128": the proxy as messages name it, no credentials. */
static char *
describe_proxy (GProxyAddress *address)
{
  g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));

  return g_strdup_printf (strchr (ip, ':') != NULL ? "%s://[%s]:%u" : "%s://%s:%u",
                          g_proxy_address_get_protocol (address), ip,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
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
      /* The address being tried (cached on the connection until it
       * connects) is a GProxyAddress when a proxy is: whichever resolver
       * chose it, errors name it. */
      if (!self->own_proxy && G_IS_SOCKET_CONNECTION (connection))
        {
          g_autoptr(GSocketAddress) address =
            g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (connection), NULL);

          g_clear_pointer (&self->proxy, g_free);
          if (G_IS_PROXY_ADDRESS (address))
            self->proxy = describe_proxy (G_PROXY_ADDRESS (address));
        }
      break;
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      self->proxy_done = TRUE;
      self->connect_end_us = now;
      break;
    case G_SOCKET_CLIENT_CONNECTED:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
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
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  sonde_upgrade_read_response (self);
}

static void
write_request (SondeUpgrade *self)
{
  self->connected = TRUE;
  self->key = sonde_upgrade_new_key ();
  self->path = sonde_upgrade_path_and_query (self->uri);
  self->request_headers = sonde_upgrade_request_headers (self->uri, self->options, self->key,
                                                         self->authorization);
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
      sonde_upgrade_fail (self, g_steal_pointer (&error));
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
          sonde_upgrade_fail (self, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", self->pin_problem));
          return;
        }
    }

  write_request (self);
}

/* A TLS client over @base checked as the profile says (its CA file, or
 * the system's database), or NULL once the attempt has failed. A peer that
 * ends the connection without TLS's close_notify (many do, after the
 * WebSocket close) is not an error, as with libsoup. */
static GIOStream *
new_tls_client (SondeUpgrade       *self,
                GIOStream          *base,
                GSocketConnectable *identity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = g_tls_client_connection_new (base, identity, &error);

  if (tls == NULL)
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return NULL;
    }

  if (self->options->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (self->options->ca_file, &error);

      if (database == NULL)
        {
          sonde_upgrade_fail (self, g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                                 _("The CA file “%s” cannot be used: %s"),
                                                 self->options->ca_file, error->message));
          return NULL;
        }
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
    }
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  return g_steal_pointer (&tls);
}

static void
start_tls (SondeUpgrade *self)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new (g_uri_get_host (self->uri),
                                                                   (guint16) g_uri_get_port (self->uri));
  g_autoptr(GIOStream) tls = new_tls_client (self, self->stream, identity);

  if (tls == NULL)
    return;
  if (self->client_certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), self->client_certificate);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), self);

  g_set_object (&self->stream, tls);
  self->tls_start_us = g_get_monotonic_time ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_tls_done, g_object_ref (self));
}

/* Connected to the server (through the proxy if any): TLS, or the request. */
static void
connected (SondeUpgrade      *self,
           GSocketConnection *connection)
{
  self->connect_end_us = g_get_monotonic_time ();
  self->stream = G_IO_STREAM (connection);
  if (g_ascii_strcasecmp (g_uri_get_scheme (self->uri), "wss") == 0)
    start_tls (self);
  else
    write_request (self);
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
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  connected (self, connection);
}

/* An https:// proxy of the profile. GIO's own ("https" GProxy) checks the
 * proxy's certificate against the TLS backend's default database only and
 * has no way to be given another, so Sonde makes it: TCP to the proxy,
 * TLS with the profile's CA file (the system's database without one),
 * then GIO's HTTP CONNECT over that TLS stream. */

static void
on_proxy_tunnel (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tunnel = g_proxy_connect_finish (G_PROXY (source), result, &error);
  g_autoptr(GSocketConnection) tcp = g_steal_pointer (&self->proxy_tcp);

  if (self->task == NULL)
    return;
  if (tunnel == NULL)
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  self->proxy_done = TRUE;
  /* A GSocketConnection over the proxy's TLS, as GIO's would be. */
  connected (self, g_tcp_wrapper_connection_new (tunnel, g_socket_connection_get_socket (tcp)));
}

static void
on_proxy_tls_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) proxy_address = NULL;
  g_autoptr(GUri) proxy_uri = NULL;

  if (self->task == NULL)
    return;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  remote = g_socket_connection_get_remote_address (self->proxy_tcp, &error);
  if (remote == NULL)
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }
  proxy_uri = g_uri_parse (self->options->proxy, G_URI_FLAGS_HAS_PASSWORD, NULL);
  proxy_address = g_proxy_address_new (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)),
                                       g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)),
                                       "http", g_uri_get_host (self->uri), (guint16) g_uri_get_port (self->uri),
                                       proxy_uri ? g_uri_get_user (proxy_uri) : NULL,
                                       proxy_uri ? g_uri_get_password (proxy_uri) : NULL);
  g_proxy_connect_async (g_proxy_get_default_for_protocol ("http"), G_IO_STREAM (source),
                         G_PROXY_ADDRESS (proxy_address), self->cancellable, on_proxy_tunnel,
                         g_object_ref (self));
}

static void
on_proxy_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) tcp = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result,
                                                                             &error);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GUri) proxy_uri = NULL;
  g_autoptr(GIOStream) tls = NULL;

  if (self->task == NULL)
    return;
  if (tcp == NULL)
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  proxy_uri = g_uri_parse (self->options->proxy, G_URI_FLAGS_NONE, NULL);
  identity = g_network_address_new (g_uri_get_host (proxy_uri), (guint16) g_uri_get_port (proxy_uri));
  tls = new_tls_client (self, G_IO_STREAM (tcp), identity);
  if (tls == NULL)
    return;

  self->proxy_tcp = g_steal_pointer (&tcp);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_proxy_tls_done, g_object_ref (self));
}

static void
connect_https_proxy (SondeUpgrade *self,
                     GUri         *proxy_uri)
{
  int port = g_uri_get_port (proxy_uri);

  self->own_proxy = TRUE;
  self->proxy = g_strdup_printf ("https://%s:%d", g_uri_get_host (proxy_uri), port == -1 ? 443 : port);
  g_socket_client_set_enable_proxy (self->client, FALSE);
  g_socket_client_connect_to_host_async (self->client, g_uri_get_host (proxy_uri), port == -1 ? 443 : (guint16) port,
                                         self->cancellable, on_proxy_connected, g_object_ref (self));
}

/* Connects to the current URL (self->url), a hop of its own. */
void
sonde_upgrade_start_hop (SondeUpgrade *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *connect_uri = NULL;
  gboolean secure;
  int port;

  self->uri = g_uri_parse (self->url, G_URI_FLAGS_ENCODED, &error);
  if (self->uri == NULL || g_uri_get_host (self->uri) == NULL || *g_uri_get_host (self->uri) == '\0')
    {
      g_clear_pointer (&self->uri, g_uri_unref);
      sonde_upgrade_fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_URL,
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
  g_signal_connect (self->client, "event", G_CALLBACK (on_client_event), self);
  if (self->options->proxy != NULL)
    {
      g_autoptr(GUri) proxy_uri = g_uri_parse (self->options->proxy, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GProxyResolver) resolver = NULL;

      if (proxy_uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (proxy_uri), "https") == 0)
        {
          connect_https_proxy (self, proxy_uri);
          return;
        }
      resolver = g_simple_proxy_resolver_new (self->options->proxy, NULL);
      g_socket_client_set_proxy_resolver (self->client, resolver);
    }
  g_socket_client_connect_to_uri_async (self->client, connect_uri, (guint16) port, self->cancellable,
                                        on_connected, g_object_ref (self));
}
