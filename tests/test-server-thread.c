/* test-server-thread.c: a SoupServer on a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The helper the demo, replay and metrics servers share: setup and teardown
 * run on the server thread, start() reports the listen error, stop() joins,
 * the same struct serves run after run, and nothing of one run (a grace
 * timeout) stops the next.
 */

#include "config.h"

#include <libsoup/soup.h>

#include "sonde-server-thread.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

typedef struct {
  GMainContext *context;         /* the server's */
  guint16       port;            /* to listen on */
  guint         n_setups;
  guint         n_teardowns;
  gboolean      setup_on_thread;
  gboolean      teardown_on_thread;
  GThread      *test_thread;
  gint          invoked;         /* atomic: 1 on the server thread, 2 elsewhere */
} Fixture;

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "hello", 5);
}

static gboolean
setup (SondeServerThread  *thread,
       gpointer            data,
       GError            **error)
{
  Fixture *fixture = data;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  fixture->n_setups++;
  fixture->setup_on_thread = g_thread_self () != fixture->test_thread &&
                             g_main_context_get_thread_default () == fixture->context;
  soup_server_add_handler (server, NULL, on_request, fixture, NULL);
  return sonde_server_thread_listen (thread, server, loopback, fixture->port, 0, error);
}

static void
teardown (SondeServerThread *thread,
          gpointer           data)
{
  Fixture *fixture = data;

  fixture->n_teardowns++;
  fixture->teardown_on_thread = g_thread_self () != fixture->test_thread &&
                                g_main_context_get_thread_default () == fixture->context;
}

static void
fixture_init (Fixture           *fixture,
              SondeServerThread *thread)
{
  *fixture = (Fixture) { 0 };
  fixture->context = sonde_server_thread_get_context (thread);
  fixture->test_thread = g_thread_self ();
}

/* One GET of / on the port: its body, or NULL. */
static char *
fetch (guint16 port)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_session_set_timeout (session, 10);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  if (body == NULL)
    {
      g_test_message ("GET %s: %s", url, error->message);
      return NULL;
    }
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_start_stop (void)
{
  g_autoptr(SondeServerThread) thread = sonde_server_thread_new ("test-server");
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  Fixture fixture;

  fixture_init (&fixture, thread);
  g_assert_false (sonde_server_thread_is_running (thread));
  g_assert_cmpuint (sonde_server_thread_get_port (thread), ==, 0);

  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_server_thread_is_running (thread));
  g_assert_cmpuint (fixture.n_setups, ==, 1);
  g_assert_true (fixture.setup_on_thread);
  g_assert_cmpuint (sonde_server_thread_get_port (thread), !=, 0);

  body = fetch (sonde_server_thread_get_port (thread));
  g_assert_cmpstr (body, ==, "hello");

  sonde_server_thread_stop (thread, NULL, NULL);
  g_assert_false (sonde_server_thread_is_running (thread));
  g_assert_cmpuint (fixture.n_teardowns, ==, 1);
  g_assert_true (fixture.teardown_on_thread);

  /* Stopping again is nothing; starting again serves again. */
  sonde_server_thread_stop (thread, NULL, NULL);
  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);
  g_clear_pointer (&body, g_free);
  body = fetch (sonde_server_thread_get_port (thread));
  g_assert_cmpstr (body, ==, "hello");
  sonde_server_thread_stop (thread, NULL, NULL);
  g_assert_cmpuint (fixture.n_setups, ==, 2);
  g_assert_cmpuint (fixture.n_teardowns, ==, 2);
}

static void
test_start_fails (void)
{
  g_autoptr(SondeServerThread) first = sonde_server_thread_new ("test-server-1");
  g_autoptr(SondeServerThread) second = sonde_server_thread_new ("test-server-2");
  g_autoptr(GError) error = NULL;
  Fixture one, two;
  guint16 port;

  fixture_init (&one, first);
  fixture_init (&two, second);
  g_assert_true (sonde_server_thread_start (first, setup, teardown, &one, &error));
  g_assert_no_error (error);
  port = sonde_server_thread_get_port (first);

  /* The same port: the listen error comes back, the thread is gone, and
   * what setup made was let go of. */
  two.port = port;
  g_assert_false (sonde_server_thread_start (second, setup, teardown, &two, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_false (sonde_server_thread_is_running (second));
  g_assert_cmpuint (two.n_teardowns, ==, 1);
  g_assert_true (two.teardown_on_thread);
  g_assert_cmpuint (sonde_server_thread_get_port (second), ==, port);

  /* Stopping one that never started is nothing. */
  sonde_server_thread_stop (second, NULL, NULL);
  sonde_server_thread_stop (first, NULL, NULL);
}

static gboolean
on_invoke (gpointer data)
{
  Fixture *fixture = data;

  g_atomic_int_set (&fixture->invoked,
                    g_main_context_get_thread_default () == fixture->context ? 1 : 2);
  return G_SOURCE_REMOVE;
}

static void
test_invoke (void)
{
  g_autoptr(SondeServerThread) thread = sonde_server_thread_new ("test-server");
  g_autoptr(GError) error = NULL;
  Fixture fixture;

  fixture_init (&fixture, thread);
  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);

  sonde_server_thread_invoke (thread, on_invoke, &fixture);
  SONDE_TEST_ASSERT_WAIT (g_atomic_int_get (&fixture.invoked) != 0, WAIT_MS);
  g_assert_cmpint (g_atomic_int_get (&fixture.invoked), ==, 1);

  sonde_server_thread_stop (thread, NULL, NULL);
}

/* A stop request that leaves a grace period armed, and quits at once when
 * told to (as a server whose clients are all gone already). */
typedef struct {
  SondeServerThread *thread;
  guint              grace_ms;
  gboolean           quit_now;
} StopRequest;

static gboolean
on_graceful_stop (gpointer data)
{
  StopRequest *request = data;

  sonde_server_thread_quit_after (request->thread, request->grace_ms);
  if (request->quit_now)
    sonde_server_thread_quit (request->thread);
  return G_SOURCE_REMOVE;
}

static void
test_grace (void)
{
  g_autoptr(SondeServerThread) thread = sonde_server_thread_new ("test-server");
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  StopRequest request = { thread, 50, FALSE };
  Fixture fixture;
  gint64 start;

  fixture_init (&fixture, thread);

  /* Nobody quits: the grace period ends the run. */
  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  sonde_server_thread_stop (thread, on_graceful_stop, &request);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 40 * 1000);
  g_assert_false (sonde_server_thread_is_running (thread));

  /* Quit before the grace period is over: the timeout it armed must not
   * stop the next run when it would have fired. */
  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);
  request.grace_ms = 100;
  request.quit_now = TRUE;
  sonde_server_thread_stop (thread, on_graceful_stop, &request);
  g_assert_true (sonde_server_thread_start (thread, setup, teardown, &fixture, &error));
  g_assert_no_error (error);
  sonde_test_spin (300);
  body = fetch (sonde_server_thread_get_port (thread));
  g_assert_cmpstr (body, ==, "hello");
  sonde_server_thread_stop (thread, NULL, NULL);
  g_assert_cmpuint (fixture.n_setups, ==, 3);
  g_assert_cmpuint (fixture.n_teardowns, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-thread/start-stop", test_start_stop);
  g_test_add_func ("/server-thread/start-fails", test_start_fails);
  g_test_add_func ("/server-thread/invoke", test_invoke);
  g_test_add_func ("/server-thread/grace", test_grace);

  return g_test_run ();
}
