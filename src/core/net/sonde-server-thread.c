/* sonde-server-thread.c: a SoupServer on a thread and GMainContext of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The context and loop live as long as the struct and serve every run; the
 * thread lives from start() to stop(). start() waits on a condition until
 * setup has listened (or failed), so that a caller that gets TRUE can connect
 * at once and one that gets FALSE knows why.
 */

#define G_LOG_DOMAIN "sonde-server-thread"

#include "config.h"

#include "sonde-server-thread.h"

struct _SondeServerThread
{
  const char                    *name;

  /* shared, under @lock */
  GMutex                         lock;
  GCond                          cond;
  gboolean                       started;
  GError                        *start_error;
  guint16                        port;

  /* the caller's: set by start, read by the thread */
  GThread                       *thread;
  SondeServerThreadSetupFunc     setup;
  SondeServerThreadTeardownFunc  teardown;
  gpointer                       user_data;

  /* owned by the server thread while it runs */
  GMainContext                  *context;
  GMainLoop                     *loop;
  SoupServer                    *server;
  GSource                       *quit_timeout;
};

static void
set_port (SondeServerThread *self,
          guint16            port)
{
  g_mutex_lock (&self->lock);
  self->port = port;
  g_mutex_unlock (&self->lock);
}

static gpointer
server_thread (gpointer data)
{
  SondeServerThread *self = data;
  g_autoptr(GError) error = NULL;
  gboolean listening;

  g_main_context_push_thread_default (self->context);

  /* Decided before the error is handed over: start() steals it as soon as
   * the lock is released. The error is what counts (a setup that fails
   * without one is a bug). */
  listening = self->setup (self, self->user_data, &error);
  g_warn_if_fail (listening == (error == NULL));
  listening = error == NULL;

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  self->start_error = g_steal_pointer (&error);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (listening)
    g_main_loop_run (self->loop);

  if (self->teardown != NULL)
    self->teardown (self, self->user_data);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  /* The context outlives this run: a grace timeout left attached would stop
   * the next one. */
  if (self->quit_timeout != NULL)
    {
      g_source_destroy (self->quit_timeout);
      g_clear_pointer (&self->quit_timeout, g_source_unref);
    }
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
on_quit (gpointer data)
{
  sonde_server_thread_quit (data);
  return G_SOURCE_REMOVE;
}

SondeServerThread *
sonde_server_thread_new (const char *name)
{
  SondeServerThread *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_new0 (SondeServerThread, 1);
  self->name = name;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  return self;
}

void
sonde_server_thread_free (SondeServerThread *self)
{
  if (self == NULL)
    return;

  sonde_server_thread_stop (self, NULL, NULL);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

GMainContext *
sonde_server_thread_get_context (SondeServerThread *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->context;
}

gboolean
sonde_server_thread_start (SondeServerThread              *self,
                           SondeServerThreadSetupFunc      setup,
                           SondeServerThreadTeardownFunc   teardown,
                           gpointer                        user_data,
                           GError                        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (setup != NULL, FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->setup = setup;
  self->teardown = teardown;
  self->user_data = user_data;

  g_mutex_lock (&self->lock);
  self->started = FALSE;
  g_clear_error (&self->start_error);
  g_mutex_unlock (&self->lock);

  self->thread = g_thread_new (self->name, server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_server_thread_is_running (SondeServerThread *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->thread != NULL;
}

void
sonde_server_thread_invoke (SondeServerThread *self,
                            GSourceFunc        func,
                            gpointer           data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  g_main_context_invoke (self->context, func, data);
}

void
sonde_server_thread_stop (SondeServerThread *self,
                          GSourceFunc        request,
                          gpointer           data)
{
  g_return_if_fail (self != NULL);

  if (self->thread == NULL)
    return;

  if (request != NULL)
    g_main_context_invoke (self->context, request, data);
  else
    g_main_context_invoke (self->context, on_quit, self);
  g_thread_join (g_steal_pointer (&self->thread));
}

gboolean
sonde_server_thread_listen (SondeServerThread        *self,
                            SoupServer               *server,
                            GInetAddress             *address,
                            guint16                   port,
                            SoupServerListenOptions   options,
                            GError                  **error)
{
  g_autoptr(GSocketAddress) where = NULL;
  GSList *uris;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (SOUP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  /* Kept even when listening fails: it is let go of after teardown. */
  self->server = g_object_ref (server);
  set_port (self, port);

  where = g_inet_socket_address_new (address, port);
  if (!soup_server_listen (server, where, options, error))
    return FALSE;

  uris = soup_server_get_uris (server);
  if (uris != NULL)
    set_port (self, (guint16) g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

void
sonde_server_thread_quit (SondeServerThread *self)
{
  g_return_if_fail (self != NULL);

  g_main_loop_quit (self->loop);
}

void
sonde_server_thread_quit_after (SondeServerThread *self,
                                guint              timeout_ms)
{
  g_return_if_fail (self != NULL);

  if (self->quit_timeout != NULL)
    return;

  self->quit_timeout = g_timeout_source_new (timeout_ms);
  g_source_set_static_name (self->quit_timeout, "[sonde] server grace period");
  g_source_set_callback (self->quit_timeout, on_quit, self, NULL);
  g_source_attach (self->quit_timeout, self->context);
}

guint16
sonde_server_thread_get_port (SondeServerThread *self)
{
  guint16 port;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  port = self->port;
  g_mutex_unlock (&self->lock);
  return port;
}
