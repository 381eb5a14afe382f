/* sonde-server-thread.h: a SoupServer on a thread and GMainContext of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the demo, replay and metrics servers share: serving never competes
 * with the caller's main loop. start() runs a setup function on the new
 * thread (it makes the SoupServer and listens) and returns once the server
 * accepts connections, or with the reason it cannot; stop() asks the loop to
 * quit, by default at once, and joins the thread.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _SondeServerThread SondeServerThread;

/* On the server thread, with its context thread-default: make the server
 * and listen (sonde_server_thread_listen()); FALSE with @error when it
 * cannot. */
typedef gboolean (*SondeServerThreadSetupFunc)    (SondeServerThread  *thread,
                                                   gpointer            user_data,
                                                   GError            **error);
/* On the server thread once its loop has stopped, or setup failed: let go
 * of what setup made (clients…). The SoupServer is disconnected after it,
 * then the context's pending sources run. */
typedef void     (*SondeServerThreadTeardownFunc) (SondeServerThread  *thread,
                                                   gpointer            user_data);

/* @name: the thread's name ("sonde-demo"), static. */
SondeServerThread *sonde_server_thread_new        (const char                    *name);
/* Stops it first. */
void               sonde_server_thread_free       (SondeServerThread             *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeServerThread, sonde_server_thread_free)

/* The server's context: the same for every start. */
GMainContext      *sonde_server_thread_get_context (SondeServerThread            *self);

/* Starts the thread and waits until @setup has returned; on failure the
 * thread is joined and @error says why (without a prefix). */
gboolean           sonde_server_thread_start      (SondeServerThread             *self,
                                                   SondeServerThreadSetupFunc     setup,
                                                   SondeServerThreadTeardownFunc  teardown,
                                                   gpointer                       user_data,
                                                   GError                       **error);
/* Between a start that succeeded and stop. */
gboolean           sonde_server_thread_is_running (SondeServerThread             *self);
/* Runs @func on the server's context (at once when the caller owns it). */
void               sonde_server_thread_invoke     (SondeServerThread             *self,
                                                   GSourceFunc                    func,
                                                   gpointer                       data);
/* Asks the server to stop: @request on the server thread (NULL: quit at
 * once; else it calls sonde_server_thread_quit() or _quit_after() when it
 * is done), then joins the thread. Nothing when it is not running. */
void               sonde_server_thread_stop       (SondeServerThread             *self,
                                                   GSourceFunc                    request,
                                                   gpointer                       data);

/* On the server thread (setup): listens with @server on @address:@port
 * (0: any free one), which the thread then owns until the end of the run.
 * The port it listens on is then sonde_server_thread_get_port(). */
gboolean           sonde_server_thread_listen     (SondeServerThread             *self,
                                                   SoupServer                    *server,
                                                   GInetAddress                  *address,
                                                   guint16                        port,
                                                   SoupServerListenOptions        options,
                                                   GError                       **error);
/* On the server thread: ends the loop now, or after @timeout_ms at the
 * latest (a grace period for clients to close; call _quit() when they
 * have). */
void               sonde_server_thread_quit       (SondeServerThread             *self);
void               sonde_server_thread_quit_after (SondeServerThread             *self,
                                                   guint                          timeout_ms);
/* The port listened on (the one asked for until then, or when listening
 * failed). Any thread. */
guint16            sonde_server_thread_get_port   (SondeServerThread             *self);

G_END_DECLS
