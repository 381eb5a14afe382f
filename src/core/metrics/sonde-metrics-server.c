/* sonde-metrics-server.c: /metrics over HTTP for Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread owns the SoupServer and its context; start() waits until it
 * listens (or cannot), stop() asks the loop to quit and joins the thread.
 * A scrape holds the registry's lock only while the text is written.
 */

#define G_LOG_DOMAIN "sonde-metrics"

#include "config.h"

#include "sonde-metrics-server.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sonde-error.h"

struct _SondeMetricsServer
{
  GObject       parent_instance;

  SondeMetrics *metrics;

  /* shared */
  GMutex        lock;
  GCond         cond;
  gboolean      started;
  GError       *start_error;
  GInetAddress *address;
  guint16       port;
  guint64       n_scrapes;

  /* owned by the server thread */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
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

static gpointer
server_thread (gpointer data)
{
  SondeMetricsServer *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint16 port = 0;

  g_main_context_push_thread_default (self->context);

  server = soup_server_new ("server-header", "Sonde/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (server, NULL, on_request, self, NULL);

  g_mutex_lock (&self->lock);
  address = g_inet_socket_address_new (self->address, self->port);
  g_mutex_unlock (&self->lock);

  if (soup_server_listen (server, address, 0, &error))
    {
      GSList *uris = soup_server_get_uris (server);

      port = uris != NULL ? (guint16) g_uri_get_port (uris->data) : 0;
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  if (error != NULL)
    self->start_error = g_error_copy (error);
  else
    self->port = port;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
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
  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  g_mutex_lock (&self->lock);
  g_set_object (&self->address, address);
  self->port = port;
  self->started = FALSE;
  g_clear_error (&self->start_error);
  g_mutex_unlock (&self->lock);

  self->thread = g_thread_new ("sonde-metrics", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_autofree char *where = g_inet_address_to_string (address);

      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                  _("The metrics cannot be served on %s:%u: "), where, port);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_stop_request (gpointer data)
{
  g_main_loop_quit (((SondeMetricsServer *) data)->loop);
  return G_SOURCE_REMOVE;
}

void
sonde_metrics_server_stop (SondeMetricsServer *self)
{
  g_return_if_fail (SONDE_IS_METRICS_SERVER (self));

  if (self->thread == NULL)
    return;
  g_main_context_invoke (self->context, on_stop_request, self);
  g_thread_join (g_steal_pointer (&self->thread));
}

guint16
sonde_metrics_server_get_port (SondeMetricsServer *self)
{
  guint16 port;

  g_return_val_if_fail (SONDE_IS_METRICS_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  port = self->port;
  g_mutex_unlock (&self->lock);
  return port;
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

  g_clear_pointer (&self->metrics, sonde_metrics_unref);
  g_clear_object (&self->address);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

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
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
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
