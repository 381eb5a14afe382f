/* sonde-replay-server.c: plays a recorded session, and mock rules, to any
 * WebSocket client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on its own thread and GMainContext, as SondeDemoServer: the
 * caller's main loop (the CLI's signals, a window) never competes with
 * serving. Any path is a WebSocket endpoint; each client gets its own
 * playback and rule state (sonde-replay-client.c), so one that goes away
 * stops only its own. The source and rules are immutable and shared.
 */

#define G_LOG_DOMAIN "sonde-replay-server"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sonde-replay-client.h"
#include "sonde-replay-server.h"
#include "sonde-serve-error.h"
#include "sonde-server-thread.h"

struct _SondeReplayServer
{
  GObject          parent_instance;

  /* owned */
  SondeServerThread *thread;

  /* set before start, read-only after */
  SondeReplayPlan  plan;
  GTlsCertificate *certificate;
  GInetAddress    *address;
  guint16          requested_port;
  GMainContext    *owner_context;

  /* shared */
  GMutex           lock;
  guint            n_clients;

  /* owned by the server thread */
  GPtrArray       *clients;      /* SondeReplayClient */
  gboolean         ever_connected;
  gboolean         stopping;
};

G_DEFINE_FINAL_TYPE (SondeReplayServer, sonde_replay_server, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* On the owner's context; a weak reference, so that a pending "finished"
 * never keeps a stopped server alive. */
static gboolean
emit_finished (gpointer data)
{
  g_autoptr(SondeReplayServer) self = g_weak_ref_get (data);

  if (self != NULL)
    g_signal_emit (self, signals[FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
on_client_closed (SoupWebsocketConnection *ws,
                  SondeReplayServer       *self)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      SondeReplayClient *client = g_ptr_array_index (self->clients, i);

      if (sonde_replay_client_get_connection (client) == ws)
        {
          g_signal_handlers_disconnect_by_func (ws, on_client_closed, self);
          g_ptr_array_remove_index (self->clients, i);
          break;
        }
    }

  g_mutex_lock (&self->lock);
  self->n_clients = self->clients->len;
  g_mutex_unlock (&self->lock);

  if (self->stopping && self->clients->len == 0)
    sonde_server_thread_quit (self->thread);
  else if (self->clients->len == 0 && self->ever_connected)
    {
      GSource *source = g_idle_source_new ();
      GWeakRef *weak = g_new0 (GWeakRef, 1);

      g_weak_ref_init (weak, self);
      g_source_set_static_name (source, "[sonde] replay finished");
      g_source_set_callback (source, emit_finished, weak, weak_ref_free);
      g_source_attach (source, self->owner_context);
      g_source_unref (source);
    }
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  SondeReplayServer *self = user_data;

  if (self->stopping)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server stopping");
      return;
    }

  self->ever_connected = TRUE;
  g_signal_connect (ws, "closed", G_CALLBACK (on_client_closed), self);
  g_ptr_array_add (self->clients, sonde_replay_client_new (&self->plan, ws, soup_server_message_get_socket (msg),
                                                         sonde_server_thread_get_context (self->thread)));

  g_mutex_lock (&self->lock);
  self->n_clients = self->clients->len;
  g_mutex_unlock (&self->lock);
}

static gboolean
setup_server (SondeServerThread  *thread,
              gpointer            data,
              GError            **error)
{
  SondeReplayServer *self = data;
  g_autoptr(SoupServer) server = NULL;

  server = soup_server_new ("server-header", "Sonde-replay/" PACKAGE_VERSION " ",
                            "tls-certificate", self->certificate,
                            NULL);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, on_websocket, self, NULL);

  return sonde_server_thread_listen (thread, server, self->address, self->requested_port,
                                     self->certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

static void
teardown_server (SondeServerThread *thread,
                 gpointer           data)
{
  SondeReplayServer *self = data;

  /* Clients that did not complete the close in time go without their
   * "closed" signal. */
  for (guint i = 0; i < self->clients->len; i++)
    g_signal_handlers_disconnect_by_func (sonde_replay_client_get_connection (g_ptr_array_index (self->clients, i)),
                                          on_client_closed, self);
  g_ptr_array_set_size (self->clients, 0);
  g_mutex_lock (&self->lock);
  self->n_clients = 0;
  g_mutex_unlock (&self->lock);
}

static gboolean
on_stop_request (gpointer data)
{
  SondeReplayServer *self = data;

  self->stopping = TRUE;
  if (self->clients->len == 0)
    {
      sonde_server_thread_quit (self->thread);
      return G_SOURCE_REMOVE;
    }

  /* Say goodbye properly: the loop runs until every client has closed, or
   * for a second at most. */
  for (guint i = 0; i < self->clients->len; i++)
    sonde_replay_client_close (g_ptr_array_index (self->clients, i), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                               "server stopping");
  sonde_server_thread_quit_after (self->thread, 1000);
  return G_SOURCE_REMOVE;
}

static void
sonde_replay_server_dispose (GObject *object)
{
  SondeReplayServer *self = (SondeReplayServer *) object;

  sonde_replay_server_stop (self);

  G_OBJECT_CLASS (sonde_replay_server_parent_class)->dispose (object);
}

static void
sonde_replay_server_finalize (GObject *object)
{
  SondeReplayServer *self = (SondeReplayServer *) object;

  g_clear_pointer (&self->thread, sonde_server_thread_free);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_clear_pointer (&self->plan.source, sonde_replay_source_unref);
  g_clear_pointer (&self->plan.rules, sonde_mock_rules_unref);
  g_clear_object (&self->certificate);
  g_clear_object (&self->address);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sonde_replay_server_parent_class)->finalize (object);
}

static void
sonde_replay_server_class_init (SondeReplayServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_replay_server_dispose;
  object_class->finalize = sonde_replay_server_finalize;

  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sonde_replay_server_init (SondeReplayServer *self)
{
  g_mutex_init (&self->lock);
  self->thread = sonde_server_thread_new ("sonde-replay");
  self->plan.speed = 1.0;
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_replay_client_free);
}

SondeReplayServer *
sonde_replay_server_new (SondeReplaySource *source,
                         SondeMockRules    *rules)
{
  SondeReplayServer *self;

  g_return_val_if_fail (source != NULL || rules != NULL, NULL);

  self = g_object_new (SONDE_TYPE_REPLAY_SERVER, NULL);
  if (source != NULL)
    self->plan.source = sonde_replay_source_ref (source);
  if (rules != NULL)
    self->plan.rules = sonde_mock_rules_ref (rules);
  return self;
}

void
sonde_replay_server_set_speed (SondeReplayServer *self,
                               double             speed)
{
  g_return_if_fail (SONDE_IS_REPLAY_SERVER (self));
  g_return_if_fail (speed >= 0);
  g_return_if_fail (!sonde_server_thread_is_running (self->thread));

  self->plan.speed = speed;
}

void
sonde_replay_server_set_loop (SondeReplayServer *self,
                              gboolean           loop)
{
  g_return_if_fail (SONDE_IS_REPLAY_SERVER (self));
  g_return_if_fail (!sonde_server_thread_is_running (self->thread));

  self->plan.loop = loop;
}

void
sonde_replay_server_set_tls_certificate (SondeReplayServer *self,
                                         GTlsCertificate   *certificate)
{
  g_return_if_fail (SONDE_IS_REPLAY_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (!sonde_server_thread_is_running (self->thread));

  g_set_object (&self->certificate, certificate);
}

gboolean
sonde_replay_server_start (SondeReplayServer  *self,
                           const char         *address,
                           guint16             port,
                           GError            **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SONDE_IS_REPLAY_SERVER (self), FALSE);
  g_return_val_if_fail (!sonde_server_thread_is_running (self->thread), FALSE);

  g_clear_object (&self->address);
  if (address == NULL)
    self->address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else if ((self->address = g_inet_address_new_from_string (address)) == NULL)
    {
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_OPTION,
                   _("“%s” is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0)"), address);
      return FALSE;
    }

  g_clear_pointer (&self->owner_context, g_main_context_unref);
  self->owner_context = g_main_context_ref_thread_default ();

  self->requested_port = port;
  self->stopping = FALSE;
  self->ever_connected = FALSE;

  if (!sonde_server_thread_start (self->thread, setup_server, teardown_server, self, &local_error))
    {
      g_autofree char *where = g_inet_address_to_string (self->address);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Cannot listen on %s port %u: "), where, port);
      return FALSE;
    }
  return TRUE;
}

void
sonde_replay_server_stop (SondeReplayServer *self)
{
  g_return_if_fail (SONDE_IS_REPLAY_SERVER (self));

  sonde_server_thread_stop (self->thread, on_stop_request, self);
}

guint16
sonde_replay_server_get_port (SondeReplayServer *self)
{
  g_return_val_if_fail (SONDE_IS_REPLAY_SERVER (self), 0);

  return sonde_server_thread_get_port (self->thread);
}

char *
sonde_replay_server_dup_url (SondeReplayServer *self)
{
  g_autofree char *host = NULL;
  const char *scheme;

  g_return_val_if_fail (SONDE_IS_REPLAY_SERVER (self), NULL);
  g_return_val_if_fail (self->address != NULL, NULL);

  scheme = self->certificate != NULL ? "wss" : "ws";
  if (g_inet_address_get_is_any (self->address))
    host = g_strdup (g_inet_address_get_family (self->address) == G_SOCKET_FAMILY_IPV6 ? "[::1]" : "127.0.0.1");
  else if (g_inet_address_get_family (self->address) == G_SOCKET_FAMILY_IPV6)
    {
      g_autofree char *text = g_inet_address_to_string (self->address);

      host = g_strdup_printf ("[%s]", text);
    }
  else
    host = g_inet_address_to_string (self->address);

  return g_strdup_printf ("%s://%s:%u/", scheme, host, sonde_replay_server_get_port (self));
}

guint
sonde_replay_server_get_n_clients (SondeReplayServer *self)
{
  guint n;

  g_return_val_if_fail (SONDE_IS_REPLAY_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_clients;
  g_mutex_unlock (&self->lock);
  return n;
}
