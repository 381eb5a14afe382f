/* sonde-test-peer.c: a real WebSocket peer in a child process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same contract serves the standard-library scripts of tests/servers
 * (fault_server.py, connect_proxy.py), started by name.
 *
 * The peer prints "PORT <n>" once it listens, and stops by itself when its
 * stdin reaches EOF. We read that line asynchronously while spinning the
 * main context up to a deadline, and stop the peer by closing its stdin,
 * killing it only when it has not exited within a bounded wait. Should the
 * test process die first, the peer sees EOF on its stdin (and, on Linux, a
 * SIGTERM from the kernel), so no peer outlives its test.
 */

#include "config.h"

#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#include "sonde-test-peer.h"
#include "sonde-test-util.h"

/* A safety net only: the test stops its peer long before. */
#define PEER_LIFETIME_S  "90"
#define PROBE_TIMEOUT_MS 10000

struct _SondeTestPeer
{
  SondeTestPeerKind  kind;

  /* owned */
  GSubprocess       *process;
  GDataInputStream  *stdout_lines;
  char              *base_url;
  char              *script;      /* a stdlib-only script; NULL for the ws peers */

  guint16            port;
  gboolean           stopped;
};

/* The outcome of one asynchronous call, shared by the waiter and the
 * callback, so a waiter that gives up never leaves the callback a dangling
 * pointer. */
typedef struct {
  gboolean  done;
  char     *line;
  GError   *error;
} Pending;

static void
pending_clear (gpointer data)
{
  Pending *pending = data;

  g_free (pending->line);
  g_clear_error (&pending->error);
}

static void
pending_release (Pending *pending)
{
  g_rc_box_release_full (pending, pending_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_release)

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Pending *pending = data;

  pending->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                             NULL, &pending->error);
  pending->done = TRUE;
  pending_release (pending);
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Pending *pending = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &pending->error);
  pending->done = TRUE;
  pending_release (pending);
}

/* Spins the main context until @process has exited or @timeout_ms passed. */
static gboolean
wait_for_exit (GSubprocess *process,
               guint        timeout_ms)
{
  g_autoptr(Pending) pending = g_rc_box_new0 (Pending);

  g_subprocess_wait_async (process, NULL, on_waited, g_rc_box_acquire (pending));
  return SONDE_TEST_WAIT (pending->done, timeout_ms);
}

static char *
describe_exit (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_strdup_printf ("exited with status %d", g_subprocess_get_exit_status (process));
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf ("was killed by signal %d", g_subprocess_get_term_sig (process));
  return g_strdup ("ended");
}

#ifdef __linux__
/* In the child, before exec: a SIGTERM when the test process dies. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

/* Runs @argv to completion (bounded) and says whether it succeeded. */
static gboolean
probe_succeeds (const char * const *argv,
                const char         *cwd)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, NULL);
  if (process == NULL)
    return FALSE;

  if (!wait_for_exit (process, PROBE_TIMEOUT_MS))
    {
      g_subprocess_force_exit (process);
      wait_for_exit (process, PROBE_TIMEOUT_MS);
      return FALSE;
    }

  return g_subprocess_get_successful (process);
}

static char *
dup_servers_dir (GError **error)
{
  const char *servers = g_getenv ("SONDE_TEST_SERVERS");

  if (servers == NULL || *servers == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "SONDE_TEST_SERVERS is not set: run the interop tests with "
                           "`meson test`, which points it at tests/servers");
      return NULL;
    }

  if (!g_file_test (servers, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "SONDE_TEST_SERVERS is “%s”, which is not a directory", servers);
      return NULL;
    }

  return g_strdup (servers);
}

/* The interpreter and script of a peer, after checking that both exist. */
static gboolean
find_peer_program (SondeTestPeerKind   kind,
                   const char         *servers,
                   const char         *script_name,
                   char              **program,
                   char              **script,
                   GError            **error)
{
  g_autofree char *interpreter = NULL;
  g_autofree char *path = NULL;

  switch (kind)
    {
    case SONDE_TEST_PEER_PYTHON:
      interpreter = g_strdup (g_getenv ("SONDE_PYTHON"));
      if (interpreter == NULL || *interpreter == '\0')
        {
          g_free (interpreter);
          interpreter = g_strdup ("/usr/bin/python3");
        }
      if (!g_file_test (interpreter, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Python is missing: %s is not an executable. Install it with "
                       "`sudo apt-get install python3 python3-websockets` "
                       "(build-aux/dev test installs them)", interpreter);
          return FALSE;
        }
      path = g_build_filename (servers, script_name ? script_name : "ws_peer.py", NULL);
      break;

    case SONDE_TEST_PEER_NODE:
      interpreter = g_find_program_in_path ("node");
      if (interpreter == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Node.js is missing: there is no `node` on PATH. Install it with "
                       "`sudo apt-get install nodejs npm`, then run `npm ci` in %s "
                       "(build-aux/dev test does both)", servers);
          return FALSE;
        }
      {
        g_autofree char *ws_module = g_build_filename (servers, "node_modules", "ws", "package.json", NULL);

        if (!g_file_test (ws_module, G_FILE_TEST_IS_REGULAR))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "The Node module ws is missing: %s does not exist. Install it with "
                         "`npm ci` in %s (build-aux/dev test does it)", ws_module, servers);
            return FALSE;
          }
      }
      path = g_build_filename (servers, script_name ? script_name : "ws-peer.js", NULL);
      break;

    default:
      g_assert_not_reached ();
    }

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The peer script %s is missing", path);
      return FALSE;
    }

  *program = g_steal_pointer (&interpreter);
  *script = g_steal_pointer (&path);
  return TRUE;
}

/* The peer ended before it listened: say why, naming what is missing when
 * that is the cause. */
static void
explain_early_exit (SondeTestPeer  *peer,
                    const char     *program,
                    const char     *servers,
                    GError        **error)
{
  const char *name = sonde_test_peer_kind_to_string (peer->kind);
  g_autofree char *how = NULL;

  if (wait_for_exit (peer->process, SONDE_TEST_PEER_STOP_TIMEOUT_MS))
    {
      /* Nothing left to stop. */
      how = describe_exit (peer->process);
      peer->stopped = TRUE;
    }
  else
    how = g_strdup ("closed its stdout");

  switch (peer->kind)
    {
    case SONDE_TEST_PEER_PYTHON:
      {
        const char *argv[] = { program, "-c", "import websockets", NULL };

        /* The standard-library scripts need nothing installed. */
        if (peer->script == NULL && !probe_succeeds (argv, servers))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "python3-websockets is missing: %s cannot import websockets, so "
                         "ws_peer.py %s before listening. Install it with "
                         "`sudo apt-get install python3-websockets` "
                         "(build-aux/dev test installs it)", program, how);
            return;
          }
      }
      break;

    case SONDE_TEST_PEER_NODE:
      {
        const char *argv[] = { program, "-e", "require('ws')", NULL };

        if (!probe_succeeds (argv, servers))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "The Node module ws cannot be loaded from %s/node_modules, so "
                         "ws-peer.js %s before listening. Reinstall it with `npm ci` in %s "
                         "(build-aux/dev test does it)", servers, how, servers);
            return;
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "The %s peer %s before printing its “PORT <n>” line (its stderr is in the test log)",
               peer->script ? peer->script : name, how);
}

static SondeTestPeer *
start_peer (SondeTestPeerKind    kind,
            const char          *script_name,
            const char * const  *args,
            GError             **error)
{
  g_autoptr(SondeTestPeer) peer = g_new0 (SondeTestPeer, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Pending) pending = NULL;
  g_autofree char *servers = NULL;
  g_autofree char *program = NULL;
  g_autofree char *script = NULL;
  const char *name = script_name ? script_name : sonde_test_peer_kind_to_string (kind);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  guint64 port = 0;

  peer->kind = kind;
  peer->script = g_strdup (script_name);

  servers = dup_servers_dir (error);
  if (servers == NULL)
    return NULL;
  if (!find_peer_program (kind, servers, script_name, &program, &script, error))
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, servers);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif

  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (gpointer) "--lifetime");
  g_ptr_array_add (argv, (gpointer) PEER_LIFETIME_S);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  peer->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (peer->process == NULL)
    {
      g_prefix_error (error, "Cannot start the %s peer (%s %s): ", name, program, script);
      return NULL;
    }

  /* The stdout pipe stays open for the peer's whole life. */
  peer->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (peer->stdout_lines), FALSE);

  pending = g_rc_box_new0 (Pending);
  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT, cancellable,
                                       on_line_read, g_rc_box_acquire (pending));
  if (!SONDE_TEST_WAIT (pending->done, SONDE_TEST_PEER_START_TIMEOUT_MS))
    {
      g_cancellable_cancel (cancellable);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The %s peer did not print its “PORT <n>” line within %u ms",
                   name, SONDE_TEST_PEER_START_TIMEOUT_MS);
      return NULL;
    }

  if (pending->error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&pending->error),
                                  "Cannot read the %s peer's output: ", name);
      return NULL;
    }

  if (pending->line == NULL)
    {
      explain_early_exit (peer, program, servers, error);
      return NULL;
    }

  if (!g_str_has_prefix (pending->line, "PORT ") ||
      !g_ascii_string_to_unsigned (pending->line + strlen ("PORT "), 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The %s peer printed “%s” instead of “PORT <n>”", name, pending->line);
      return NULL;
    }

  peer->port = (guint16) port;
  peer->base_url = g_strdup_printf ("ws://127.0.0.1:%u", peer->port);
  g_test_message ("%s peer: pid %s, %s", name, g_subprocess_get_identifier (peer->process), peer->base_url);

  return g_steal_pointer (&peer);
}

/* Starts a peer and waits for it to listen. On failure, @error says what
 * is missing and how to install it. */
SondeTestPeer *
sonde_test_peer_start (SondeTestPeerKind   kind,
                       GError            **error)
{
  return start_peer (kind, NULL, NULL, error);
}

/* Starts @script_name, a script of tests/servers that needs only Python's
 * standard library (fault_server.py, connect_proxy.py) and keeps the
 * peers' contract (a "PORT <n>" line, --lifetime, exit on stdin EOF), with
 * @args after its own. */
SondeTestPeer *
sonde_test_peer_start_script (const char          *script_name,
                              const char * const  *args,
                              GError             **error)
{
  g_return_val_if_fail (script_name != NULL, NULL);

  return start_peer (SONDE_TEST_PEER_PYTHON, script_name, args, error);
}

/* Starts @script_name, a script of tests/servers for @kind's interpreter
 * (Python websockets, or Node ws from tests/servers/node_modules). */
SondeTestPeer *
sonde_test_peer_start_kind_script (SondeTestPeerKind   kind,
                                   const char         *script_name,
                                   const char * const *args,
                                   GError            **error)
{
  g_return_val_if_fail (script_name != NULL, NULL);

  return start_peer (kind, script_name, args, error);
}

/* The peer's next line of output after its "PORT <n>" line, without the
 * line break; NULL with @error when none came within @timeout_ms or the
 * output ended. */
char *
sonde_test_peer_read_line (SondeTestPeer  *peer,
                           guint           timeout_ms,
                           GError        **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Pending) pending = g_rc_box_new0 (Pending);
  const char *name = peer->script ? peer->script : sonde_test_peer_kind_to_string (peer->kind);

  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT, cancellable,
                                       on_line_read, g_rc_box_acquire (pending));
  if (!SONDE_TEST_WAIT (pending->done, timeout_ms))
    {
      /* The stream allows one read at a time: let the cancelled one end. */
      g_cancellable_cancel (cancellable);
      SONDE_TEST_WAIT (pending->done, SONDE_TEST_PEER_STOP_TIMEOUT_MS);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The %s peer printed no line within %u ms", name, timeout_ms);
      return NULL;
    }

  if (pending->error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&pending->error),
                                  "Cannot read the %s peer's output: ", name);
      return NULL;
    }

  if (pending->line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "The %s peer's output ended", name);
      return NULL;
    }

  return g_steal_pointer (&pending->line);
}

SondeTestPeerKind
sonde_test_peer_get_kind (SondeTestPeer *peer)
{
  return peer->kind;
}

guint16
sonde_test_peer_get_port (SondeTestPeer *peer)
{
  return peer->port;
}

/* "ws://127.0.0.1:<port>", without a trailing slash. */
const char *
sonde_test_peer_get_base_url (SondeTestPeer *peer)
{
  return peer->base_url;
}

/* The base URL followed by @path, which starts with a slash. */
char *
sonde_test_peer_dup_url (SondeTestPeer *peer,
                         const char    *path)
{
  g_assert (path[0] == '/');

  return g_strconcat (peer->base_url, path, NULL);
}

/* Closes the peer's stdin and waits for it to exit; kills it when it has not
 * exited within SONDE_TEST_PEER_STOP_TIMEOUT_MS. Returns FALSE, with
 * @error, when it had to be killed or did not exit with status 0. Only the
 * first call does anything. */
gboolean
sonde_test_peer_stop (SondeTestPeer  *peer,
                      GError        **error)
{
  const char *name = peer->script ? peer->script : sonde_test_peer_kind_to_string (peer->kind);
  g_autoptr(GError) close_error = NULL;
  g_autofree char *how = NULL;

  if (peer->process == NULL || peer->stopped)
    return TRUE;
  peer->stopped = TRUE;

  if (!g_output_stream_close (g_subprocess_get_stdin_pipe (peer->process), NULL, &close_error))
    g_test_message ("closing the %s peer's stdin: %s", name, close_error->message);

  if (!wait_for_exit (peer->process, SONDE_TEST_PEER_STOP_TIMEOUT_MS))
    {
      g_subprocess_force_exit (peer->process);
      if (!wait_for_exit (peer->process, SONDE_TEST_PEER_STOP_TIMEOUT_MS))
        g_error ("The %s peer (pid %s) survived SIGKILL for %u ms",
                 name, g_subprocess_get_identifier (peer->process), SONDE_TEST_PEER_STOP_TIMEOUT_MS);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The %s peer did not exit within %u ms of its stdin closing, and was killed",
                   name, SONDE_TEST_PEER_STOP_TIMEOUT_MS);
      return FALSE;
    }

  if (!g_subprocess_get_successful (peer->process))
    {
      how = describe_exit (peer->process);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The %s peer %s when asked to stop", name, how);
      return FALSE;
    }

  return TRUE;
}

/* Stops the peer if that was not done yet, then frees it. */
void
sonde_test_peer_free (SondeTestPeer *peer)
{
  g_autoptr(GError) error = NULL;

  if (peer == NULL)
    return;

  if (!sonde_test_peer_stop (peer, &error))
    g_test_message ("%s", error->message);

  g_clear_object (&peer->stdout_lines);
  g_clear_object (&peer->process);
  g_free (peer->base_url);
  g_free (peer->script);
  g_free (peer);
}

/* "python" or "node", as in test paths. */
const char *
sonde_test_peer_kind_to_string (SondeTestPeerKind kind)
{
  switch (kind)
    {
    case SONDE_TEST_PEER_PYTHON:
      return "python";
    case SONDE_TEST_PEER_NODE:
      return "node";
    default:
      g_assert_not_reached ();
    }
}

void
sonde_test_peer_send_signal (SondeTestPeer *peer,
                             int            signum)
{
  g_return_if_fail (peer != NULL);
  g_subprocess_send_signal (peer->process, signum);
}
