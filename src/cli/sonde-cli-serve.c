/* sonde-cli-serve.c: `sonde-cli serve`: a recorded session played back to
 * any WebSocket client, and mock rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything is SondeReplayServer's (core/serve); this reads the options,
 * says where to connect, and waits for a signal or, with --exit-when-done,
 * for the clients to be done. Exit status: 0 when stopped or done, 2 for
 * bad input (a file that is not a recording, an unknown session, rules
 * that do not parse, a port in use: whatever keeps it from serving).
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "sonde-cli.h"
#include "sonde-replay-server.h"
#include "sonde-serve-error.h"

typedef struct {
  char     *replay;
  char     *rules;
  char     *from;
  char     *to;
  char     *bind;
  char     *tls_cert;
  char     *tls_key;
  gint64    session_id;
  double    speed;
  gboolean  max_speed;
  gboolean  loop;
  gboolean  exit_when_done;
  int       port;
} ServeOptions;

static void
serve_options_clear (ServeOptions *options)
{
  g_clear_pointer (&options->replay, g_free);
  g_clear_pointer (&options->rules, g_free);
  g_clear_pointer (&options->from, g_free);
  g_clear_pointer (&options->to, g_free);
  g_clear_pointer (&options->bind, g_free);
  g_clear_pointer (&options->tls_cert, g_free);
  g_clear_pointer (&options->tls_key, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServeOptions, serve_options_clear)

static int
fail (const char *text)
{
  g_printerr ("sonde-cli serve: %s\n", text);
  return 2;
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
on_finished (SondeReplayServer *server,
             GMainLoop         *loop)
{
  g_main_loop_quit (loop);
}

/* The options' checks that need no file. */
static const char *
check_options (ServeOptions *options,
               int           argc,
               char        **argv)
{
  if (argc > 1)
    return NULL;
  if (options->replay == NULL && options->rules == NULL)
    return _("give --replay SOURCE (a recording, JSON Lines or HAR file), --rules FILE, or both");
  if (options->replay == NULL &&
      (options->session_id != 0 || options->from != NULL || options->to != NULL || options->loop ||
       options->max_speed || options->speed != 1.0))
    return _("--session, --speed, --max-speed, --loop, --from and --to go with --replay");
  if (options->max_speed && options->speed != 1.0)
    return _("give --speed or --max-speed, not both");
  if (!(options->speed > 0 && isfinite (options->speed) && options->speed <= 1e6))
    return _("--speed must be above 0 (2 plays twice as fast, 0.5 at half speed)");
  if (options->session_id < 0)
    return _("--session must be a session id (see `sonde-cli history list --db FILE`)");
  if (options->port < 0 || options->port > G_MAXUINT16)
    return _("--port must be between 1 and 65535 (or 0 for any)");
  if ((options->tls_cert == NULL) != (options->tls_key == NULL))
    return _("--tls-cert and --tls-key go together");
  return NULL;
}

static char *
describe_source (SondeReplaySource *source,
                 const char        *path,
                 double             speed)
{
  guint n = sonde_replay_source_get_n_messages (source);
  double seconds = (double) sonde_replay_source_get_duration_us (source) / G_USEC_PER_SEC;
  g_autofree char *messages = g_strdup_printf (ngettext ("%u received message", "%u received messages", n), n);
  g_autofree char *pace = speed > 0 ? g_strdup_printf (_("at %g×"), speed) : g_strdup (_("as fast as possible"));

  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, sonde_replay_source_get_session_id (source));

  return g_strdup_printf (_("Replaying session %s of %s: %s over %.1f s, %s"), id, path, messages, seconds, pace);
}

int
sonde_cli_serve (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (N_("— play a recorded session to any WebSocket client, or mock a server"));
  g_auto(ServeOptions) options = { .speed = 1.0 };
  g_autoptr(SondeReplaySource) source = NULL;
  g_autoptr(SondeMockRules) rules = NULL;
  g_autoptr(SondeReplayServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeReplayTime from = { 0 };
  SondeReplayTime to = { 0 };
  const char *problem;
  GOptionEntry entries[] = {
    { "replay", 0, 0, G_OPTION_ARG_FILENAME, &options.replay,
      N_("Play this recording: a recordings database, a JSON Lines export or a HAR file"), N_("SOURCE") },
    { "session", 's', 0, G_OPTION_ARG_INT64, &options.session_id,
      N_("Which session: its id in a database, its number in a HAR file (default: the newest, the last)"), N_("ID") },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &options.speed,
      N_("Divide the recorded times by X (default 1)"), N_("X") },
    { "max-speed", 0, 0, G_OPTION_ARG_NONE, &options.max_speed,
      N_("Send as fast as the client reads"), NULL },
    { "loop", 0, 0, G_OPTION_ARG_NONE, &options.loop,
      N_("Start again at the end instead of closing"), NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &options.from,
      N_("Only messages from this time on (ISO 8601, µs since 1970, or +SECONDS after the first)"), N_("TIME") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &options.to,
      N_("Only messages up to this time (inclusive)"), N_("TIME") },
    { "port", 'P', 0, G_OPTION_ARG_INT, &options.port,
      N_("Listen on this port (default: any free port)"), N_("PORT") },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &options.bind,
      N_("Listen on this address (default 127.0.0.1)"), N_("ADDR") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_cert,
      N_("Serve wss:// with this PEM certificate (with --tls-key)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key,
      N_("The certificate's PEM private key"), N_("FILE") },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &options.rules,
      N_("Answer clients by these mock rules (JSON; see README)"), N_("FILE") },
    { "exit-when-done", 0, 0, G_OPTION_ARG_NONE, &options.exit_when_done,
      N_("Exit once a client has connected and every client has been played to the end"), NULL },
    { NULL },
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Every client that connects (any path) receives the session's received messages\n"
       "in order, text as text and binary as binary, with the recorded times between\n"
       "them, then the session's close code and reason. Rules answer what clients send."));
  g_option_context_set_description (context,
    N_("Exit status: 0 when stopped (SIGINT, SIGTERM) or done; 2 for bad input (not a\n"
       "recording, an unknown session, rules that do not parse, a port in use)."));
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (error->message);
  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      return fail (message);
    }
  if ((problem = check_options (&options, argc, argv)) != NULL)
    return fail (problem);

  if (options.from != NULL && !sonde_replay_time_parse (options.from, &from, &error))
    {
      g_autofree char *message = g_strdup_printf ("--from: %s", error->message);

      return fail (message);
    }
  if (options.to != NULL && !sonde_replay_time_parse (options.to, &to, &error))
    {
      g_autofree char *message = g_strdup_printf ("--to: %s", error->message);

      return fail (message);
    }

  if (options.replay != NULL &&
      (source = sonde_replay_source_load (options.replay, options.session_id, &from, &to, &error)) == NULL)
    return fail (error->message);

  if (options.rules != NULL && (rules = sonde_mock_rules_load (options.rules, &error)) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", options.rules, error->message);

      return fail (message);
    }

  if (options.tls_cert != NULL &&
      (certificate = g_tls_certificate_new_from_files (options.tls_cert, options.tls_key, &error)) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("--tls-cert, --tls-key: %s", error->message);

      return fail (message);
    }

  server = sonde_replay_server_new (source, rules);
  sonde_replay_server_set_speed (server, options.max_speed ? 0 : options.speed);
  sonde_replay_server_set_loop (server, options.loop);
  sonde_replay_server_set_tls_certificate (server, certificate);
  if (!sonde_replay_server_start (server, options.bind, (guint16) options.port, &error))
    return fail (error->message);

  url = sonde_replay_server_dup_url (server);
  if (source != NULL)
    {
      g_autofree char *what = describe_source (source, options.replay, options.max_speed ? 0 : options.speed);

      printf ("%s\n", what);
    }
  if (rules != NULL)
    {
      printf (_("Answering by the rules in %s"), options.rules);
      printf ("\n");
    }
  printf (_("Connect to %s (any path); Ctrl+C stops"), url);
  printf ("\n%s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  if (options.exit_when_done)
    g_signal_connect (server, "finished", G_CALLBACK (on_finished), loop);
  g_main_loop_run (loop);

  sonde_replay_server_stop (server);
  return 0;
}
