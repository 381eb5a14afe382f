/* sonde-metrics-server.c: /metrics over HTTP for Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread (sonde-server-thread.h) owns the SoupServer and its context;
 * start() waits until it listens (or cannot), stop() asks the loop to quit
 * and joins the thread.
 * A scrape holds the registry's lock only while the text is written.
 */

#define G_LOG_DOMAIN "sonde-metrics"

#include "config.h"

#include "sonde-metrics-server.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-server-thread.h"

struct _SondeMetricsServer
{
  GObject            parent_instance;

  /* owned */
  SondeMetrics      *metrics;
  SondeServerThread *thread;
  guint16            requested_port;   /* set before start */

  /* shared */
  GMutex             lock;
  GInetAddress      *address;
  guint64            n_scrapes;
};

G_DEFINE_FINAL_TYPE (SondeMetricsServer, sonde_metrics_server, G_TYPE_OBJECT)

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SondeMetricsServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (!g_str_equal (method, SOUP_METHOD_GET) && !g_str_equal (method, SOUP_METHOD_HEAD))
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  if (g_str_equal (path, "/metrics"))
    {
      const char *accept = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Accept");
      SondeMetricsFormat format = sonde_metrics_negotiate (accept);
      GString *body = g_string_sized_new (64 * 1024);
      gsize length;

      sonde_metrics_write (self->metrics, format, body);
      length = body->len;
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, sonde_metrics_content_type (format), SOUP_MEMORY_TAKE,
                                        g_string_free (body, FALSE), length);
      g_mutex_lock (&self->lock);
      self->n_scrapes++;
      g_mutex_unlock (&self->lock);
      return;
    }

  if (g_str_equal (path, "/"))
    {
      static const char body[] = "Sonde monitor: the metrics are at /metrics\n";

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, body, strlen (body));
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                    "Not found: the metrics are at /metrics\n",
                                    strlen ("Not found: the metrics are at /metrics\n"));
}

static gboolean
setup_server (SondeServerThread  *thread,
              gpointer            data,
              GError            **error)
{
  SondeMetricsServer *self = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInetAddress) address = NULL;

  server = soup_server_new ("server-header", "Sonde/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (server, NULL, on_request, self, NULL);

  g_mutex_lock (&self->lock);
  address = g_object_ref (self->address);
  g_mutex_unlock (&self->lock);

  return sonde_server_thread_listen (thread, server, address, self->requested_port, 0, error);
}

gboolean
sonde_metrics_parse_address (const char    *text,
                             GInetAddress **address,
                             guint16       *port,
                             GError       **error)
{
  g_autofree char *host = NULL;
  const char *port_text;
  const char *colon;
  guint64 value = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  colon = strrchr (text, ':');
  if (colon == NULL)
    port_text = text;
  else
    {
      port_text = colon + 1;
      host = g_strndup (text, (gsize) (colon - text));
      if (host[0] == '[' && host[strlen (host) - 1] == ']')
        {
          char *inner = g_strndup (host + 1, strlen (host) - 2);

          g_free (host);
          host = inner;
        }
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("“%s” is not an address to listen on: the port must be a number from 0 to 65535, as in 127.0.0.1:9464"),
                   text);
      return FALSE;
    }
  *port = (guint16) value;
  if (host == NULL || host[0] == '\0')
    *address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else if (g_str_equal (host, "localhost"))
    *address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    *address = g_inet_address_new_from_string (host);
  if (*address == NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("“%s” is not an address to listen on: “%s” is not an IP address (IPv6 goes in brackets, as in [::1]:9464)"),
                   text, host);
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_metrics_server_start (SondeMetricsServer  *self,
                            GInetAddress        *address,
                            guint16              port,
                            GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (!sonde_server_thread_is_running (self->thread), FALSE);

  g_mutex_lock (&self->lock);
  g_set_object (&self->address, address);
  g_mutex_unlock (&self->lock);
  self->requested_port = port;

  if (!sonde_server_thread_start (self->thread, setup_server, NULL, self, &local_error))
    {
      g_autofree char *where = g_inet_address_to_string (address);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The metrics cannot be served on %s:%u: "), where, port);
      return FALSE;
    }
  return TRUE;
}

void
sonde_metrics_server_stop (SondeMetricsServer *self)
{
  g_return_if_fail (SONDE_IS_METRICS_SERVER (self));

  sonde_server_thread_stop (self->thread, NULL, NULL);
}

guint16
sonde_metrics_server_get_port (SondeMetricsServer *self)
{
  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), 0);

  return sonde_server_thread_get_port (self->thread);
}

char *
sonde_metrics_server_dup_url (SondeMetricsServer *self)
{
  g_autofree char *host = NULL;
  gboolean ipv6;

  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  host = self->address != NULL ? g_inet_address_to_string (self->address) : g_strdup ("127.0.0.1");
  ipv6 = self->address != NULL && g_inet_address_get_family (self->address) == G_SOCKET_FAMILY_IPV6;
  g_mutex_unlock (&self->lock);
  return g_strdup_printf (ipv6 ? "http://[%s]:%u/metrics" : "http://%s:%u/metrics", host,
                          sonde_metrics_server_get_port (self));
}

guint64
sonde_metrics_server_get_n_scrapes (SondeMetricsServer *self)
{
  guint64 n;

  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_scrapes;
  g_mutex_unlock (&self->lock);
  return n;
}

static void
sonde_metrics_server_dispose (GObject *object)
{
  sonde_metrics_server_stop (SONDE_METRICS_SERVER (object));

  G_OBJECT_CLASS (sonde_metrics_server_parent_class)->dispose (object);
}

static void
sonde_metrics_server_finalize (GObject *object)
{
  SondeMetricsServer *self = SONDE_METRICS_SERVER (object);

  g_clear_pointer (&self->thread, sonde_server_thread_free);
  g_clear_pointer (&self->metrics, sonde_metrics_unref);
  g_clear_object (&self->address);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sonde_metrics_server_parent_class)->finalize (object);
}

static void
sonde_metrics_server_class_init (SondeMetricsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_metrics_server_dispose;
  object_class->finalize = sonde_metrics_server_finalize;
}

static void
sonde_metrics_server_init (SondeMetricsServer *self)
{
  g_mutex_init (&self->lock);
  self->thread = sonde_server_thread_new ("sonde-metrics");
}

SondeMetricsServer *
sonde_metrics_server_new (SondeMetrics *metrics)
{
  SondeMetricsServer *self;

  g_return_val_if_fail (metrics != NULL, NULL);

  self = g_object_new (SONDE_TYPE_METRICS_SERVER, NULL);
  self->metrics = sonde_metrics_ref (metrics);
  return self;
}
