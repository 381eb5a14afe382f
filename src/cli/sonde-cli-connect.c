/* sonde-cli-connect.c: `sonde-cli connect` and `sonde-cli demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin front end over SondeSession, as the window's page is: a session
 * for a saved profile (--profile, with the command line's options applied
 * over the profile's) or for an ad-hoc URL. It watches the session's
 * connection and log and prints every new record (sonde-cli-print.c) as
 * one JSON line (or only payloads with --raw); lines of stdin are sent
 * (sonde-cli-stdin.c).
 * --where keeps only the received messages that match a SondePredicate;
 * --extract prints, instead of the records, one line of numbers per
 * received message, read with SondeJsonPath: the same scanner as the
 * charts. Exit status: 0 on a close the session calls normal
 * (sonde_session_close_was_normal()), one we made cleanly, or when --count
 * was reached; 1 when the connection failed, closed abnormally or with
 * another code, --timeout ran out before --count, or the profile's secret
 * could not be had; 2 on bad usage (an unknown profile, or one that does
 * not validate, included); 3 when the connection ended before --count.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sonde-cli-connect-private.h"
#include "sonde-certificate.h"
#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-demo-server.h"
#include "sonde-error.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-log-export.h"
#include "sonde-predicate.h"
#include "sonde-profile.h"
#include "sonde-secrets.h"
#include "sonde-session.h"


static void
run_clear (ConnectRun *run)
{
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  g_clear_handle_id (&run->grace_id, g_source_remove);
  g_clear_handle_id (&run->sigint_id, g_source_remove);
  g_clear_handle_id (&run->sigterm_id, g_source_remove);
  sonde_cli_stdin_stop (run);
  run->connection = NULL;
  g_clear_object (&run->session);
  g_clear_object (&run->secrets);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->file_payload, g_bytes_unref);
  if (run->line != NULL)
    g_string_free (g_steal_pointer (&run->line), TRUE);
  g_clear_pointer (&run->paths, g_ptr_array_unref);
  g_clear_pointer (&run->predicate, sonde_predicate_unref);
  g_clear_pointer (&run->decoder, sonde_decoder_unref);
  g_clear_pointer (&run->decode_error, g_free);
  sonde_cli_app_clear (run);
  if (run->decoded != NULL)
    g_string_free (g_steal_pointer (&run->decoded), TRUE);
  g_strfreev (run->extracts);
  g_free (run->where);
  g_free (run->decode);
  g_free (run->proto_descriptor);
  g_free (run->proto_type);
  g_strfreev (run->headers);
  g_strfreev (run->protocols);
  g_free (run->origin);
  g_strfreev (run->sends);
  g_free (run->send_file);
  g_free (run->max_message);
  g_free (run->close_reason);
  g_free (run->pin_sha256);
  g_free (run->ca_file);
  g_free (run->cert_file);
  g_free (run->key_file);
  g_free (run->cert_password_env);
  g_clear_object (&run->client_certificate);
  g_free (run->proxy);
  g_free (run->latency_probe);
  g_free (run->latency_path);
  g_free (run->profile);
  g_free (run->profiles_file);
  g_free (run->token_env);
  g_free (run->output);
}

#define say sonde_cli_say

/* "sonde-cli: " and the message, on stderr. */
void
sonde_cli_say (const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("sonde-cli: %s\n", text);
}

/* The run is over: the main loop stops, or does not start. */
static void
stop_run (ConnectRun *run)
{
  run->finished = TRUE;
  g_main_loop_quit (run->loop);
}

static gboolean
on_grace_elapsed (gpointer data)
{
  ConnectRun *run = data;

  run->grace_id = 0;
  say (_("the server did not complete the close within %d s"), CLOSE_GRACE_MS / 1000);
  if (run->exit_status == 0 && !run->count_reached)
    run->exit_status = 1;
  stop_run (run);
  return G_SOURCE_REMOVE;
}

/* Closes normally and waits (a bounded time) for the close to complete. */
void
sonde_cli_close_by_us (ConnectRun *run,
                       guint       code,
                       const char *reason)
{
  SondeConnectionState state = sonde_connection_get_state (run->connection);

  if (run->closing_by_us)
    return;
  run->closing_by_us = TRUE;

  if (state == SONDE_CONNECTION_STATE_DISCONNECTED)
    {
      /* A profile's secret is still being looked up: nothing to close. */
      sonde_session_disconnect (run->session);
      if (run->timed_out)
        {
          say (_("timed out after %g s, before the connection started"), run->timeout);
          run->exit_status = 1;
        }
      stop_run (run);
      return;
    }

  if (state == SONDE_CONNECTION_STATE_OPEN || state == SONDE_CONNECTION_STATE_CONNECTING)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_connection_close (run->connection, code, reason, &error))
        say ("%s", error->message);
    }

  if (run->grace_id == 0)
    run->grace_id = g_timeout_add (CLOSE_GRACE_MS, on_grace_elapsed, run);
}

/* The close sonde-cli makes at the end of a run (--count reached, end of
 * stdin, --timeout, a signal): --close-code and --close-reason when given,
 * else @default_code. */
void
sonde_cli_close_at_end (ConnectRun *run,
                        guint       default_code)
{
  sonde_cli_close_by_us (run, run->close_code > 0 ? (guint) run->close_code : default_code, run->close_reason);
}

static void
send_on_open (ConnectRun *run)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; run->sends != NULL && run->sends[i] != NULL; i++)
    {
      gboolean ok;

      if (run->binary)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (run->sends[i], strlen (run->sends[i]));
          ok = sonde_connection_send_binary (run->connection, bytes, &error);
        }
      else
        ok = sonde_connection_send_text (run->connection, run->sends[i], -1, &error);

      if (!ok)
        {
          say ("--send: %s", error->message);
          g_clear_error (&error);
        }
    }

  if (run->file_payload != NULL)
    {
      gboolean ok;

      if (run->binary)
        ok = sonde_connection_send_binary (run->connection, run->file_payload, &error);
      else
        {
          gsize length;
          const char *text = g_bytes_get_data (run->file_payload, &length);
          ok = sonde_connection_send_text (run->connection, text, (gssize) length, &error);
        }

      if (!ok)
        say ("--send-file: %s", error->message);
    }
}

/* A text or binary message, not a ping, pong, frame header or event. */
static gboolean
is_message (const SondeRecord *record)
{
  return record->direction != SONDE_DIRECTION_EVENT &&
         (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY);
}

/* What comes in after the --count-th message while the close completes:
 * messages, pings, pongs and the headers of data frames (the Close frames
 * are still shown). */
static gboolean
is_after_count (ConnectRun        *run,
                const SondeRecord *record)
{
  static const char close_frame[] = "{\"opcode\":\"close\"";

  if (!run->count_reached || record->direction != SONDE_DIRECTION_IN)
    return FALSE;
  if (record->kind == SONDE_MESSAGE_KIND_FRAME)
    return record->stored_size < sizeof close_frame - 1 ||
           memcmp (record->data, close_frame, sizeof close_frame - 1) != 0;
  return TRUE;
}

static void
handle_record (ConnectRun        *run,
               const SondeRecord *record)
{
  gboolean received = is_message (record) && record->direction == SONDE_DIRECTION_IN;
  gboolean matches = TRUE;

  /* Once --count messages arrived, what still comes in while the close
   * completes is not printed: the output holds exactly N messages. */
  if (is_after_count (run, record))
    return;

  /* --decode: what --where, --extract and the "decoded" member read: the
   * received messages the chain applies to (a stateful one sees them all,
   * in order). */
  g_clear_pointer (&run->label, g_free);
  run->upkeep = FALSE;
  if (is_message (record) && sonde_cli_app_view (run, record))
    ;   /* a protocol mode's view */
  else if (run->decoder != NULL && is_message (record)
      && sonde_decoder_applies (run->decoder, received, record->kind == SONDE_MESSAGE_KIND_BINARY))
    sonde_cli_decode (run, record);
  else
    sonde_cli_clear_decoded (run);
  /* Protocol upkeep (pings, acks, heart-beats) is not data. */
  if (run->upkeep && is_message (record))
    received = FALSE;

  if (received && run->predicate != NULL)
    {
      const char *view = NULL;
      gsize view_length = 0;

      /* A message that does not decode matches nothing. */
      if (sonde_cli_get_view (run, record, &view, &view_length))
        matches = sonde_predicate_matches (run->predicate, view, view_length);
      else
        matches = FALSE;
    }

  if (run->quiet)
    ;
  else if (run->paths != NULL)
    {
      /* Only the numbers of the received messages that match. */
      if (received && matches)
        sonde_cli_write_extract (run, record);
    }
  else if (run->raw)
    {
      if (received && matches)
        sonde_cli_write_raw (run, record);
    }
  else if (matches)
    sonde_cli_write_json (run, record);

  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_OPEN)
    {
      sonde_cli_app_opened (run);
      run->opened = TRUE;
      send_on_open (run);
      sonde_cli_stdin_on_open (run);
    }

  if (!received || run->count_reached)
    return;

  /* --echo is the connection's: its I/O thread sends each message back
   * the moment it is read (sonde_connection_set_echo()). */
  if (matches)
    run->received++;

  if (matches && run->count > 0 && run->received >= (guint64) run->count)
    {
      run->count_reached = TRUE;
      sonde_cli_close_at_end (run, 1000);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  ConnectRun *run)
{
  SondeMessageLog *log = SONDE_MESSAGE_LOG (model);

  for (guint i = 0; i < added; i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, position + i, &record))
        handle_record (run, &record);
    }

  if (fflush (stdout) != 0 && errno == EPIPE)
    exit (0);
}

static void
finish_run (ConnectRun *run)
{
  SondeConnection *connection = run->connection;
  SondeConnectionState state = sonde_connection_get_state (connection);

  /* A protocol action the command line gave was refused (said already):
   * bad usage, whatever came after. */
  if (run->exit_status == 2)
    {
      stop_run (run);
      return;
    }
  if (state == SONDE_CONNECTION_STATE_FAILED)
    {
      const GError *error = sonde_connection_get_error (connection);

      /* Our own --timeout gave up the handshake: say so, not "cancelled". */
      if (run->timed_out && g_error_matches (error, SONDE_ERROR, SONDE_ERROR_CANCELLED))
        say (_("timed out after %g s, before the handshake completed"), run->timeout);
      else
        say ("%s", error ? error->message : _("the connection failed"));
      sonde_cli_say_refused_certificate (run);
      if (run->count > 0 && run->opened)
        say (_("got %" PRIu64 " of %" PRId64 " messages before the connection ended"),
             (uint64_t) run->received, (int64_t) run->count);
      run->exit_status = 1;
    }
  else if (run->count_reached)
    run->exit_status = 0;
  else if (run->timed_out && run->count > 0)
    {
      say (_("timed out after %g s with %" PRIu64 " of %" PRId64 " messages"),
           run->timeout, (uint64_t) run->received, (int64_t) run->count);
      run->exit_status = 1;
    }
  else if (run->count > 0 && run->signals_seen == 0)
    {
      /* The connection ended before --count messages came (not because
       * the user stopped us with Ctrl+C). */
      if (!sonde_session_close_was_normal (run->session))
        sonde_cli_say_close (run);
      say (_("got %" PRIu64 " of %" PRId64 " messages before the connection ended"),
           (uint64_t) run->received, (int64_t) run->count);
      run->exit_status = 3;
    }
  else if (!sonde_session_close_was_normal (run->session))
    run->exit_status = sonde_cli_say_close (run) ? 1 : 0;

  stop_run (run);
}

static void
on_state_changed (SondeConnection *connection,
                  GParamSpec      *pspec,
                  ConnectRun      *run)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  if (state == SONDE_CONNECTION_STATE_CLOSED || state == SONDE_CONNECTION_STATE_FAILED)
    finish_run (run);
}

static gboolean
on_timeout (gpointer data)
{
  ConnectRun *run = data;

  run->timeout_id = 0;
  run->timed_out = TRUE;
  sonde_cli_close_at_end (run, 1000);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  ConnectRun *run = data;

  /* First signal: close politely. Second: leave now. */
  if (++run->signals_seen > 1)
    exit (130);

  sonde_cli_close_at_end (run, 1001);
  return G_SOURCE_CONTINUE;
}

static void
on_session_problem (SondeSession *session,
                    const char   *text,
                    ConnectRun   *run)
{
  say ("%s", text);
}

/* How a profile's connect that did not start ends the run. */
static void
on_profile_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  ConnectRun *run = data;
  SondeProfile *profile = sonde_session_get_profile (run->session);
  g_autoptr(GError) error = NULL;

  if (sonde_session_connect_finish (SONDE_SESSION (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, SONDE_ERROR, SONDE_ERROR_NO_SECRET))
    {
      const char *kind = sonde_auth_kind_to_string (sonde_profile_get_auth_kind (profile));

      if (run->secrets != NULL && sonde_secrets_get_session_only (run->secrets))
        say (_("the profile “%s” needs a secret for its %s authentication, and no keyring answered: "
               "give the secret in an environment variable and name it with --token-env VAR"),
             sonde_profile_get_name (profile), kind);
      else
        say (_("the profile “%s” needs a secret for its %s authentication, and the keyring holds none "
               "for it: enter it in Sonde's profile editor, or give it in an environment variable and "
               "name it with --token-env VAR"),
             sonde_profile_get_name (profile), kind);
      run->exit_status = 1;
    }
  else if (error->domain != SONDE_ERROR)
    {
      /* The keyring failed (locked, or it answered with an error). */
      say ("%s", error->message);
      say (_("without a keyring, give the secret in an environment variable and name it with "
             "--token-env VAR"));
      run->exit_status = 1;
    }
  else
    {
      say ("%s", error->message);
      run->exit_status = g_error_matches (error, SONDE_ERROR, SONDE_ERROR_INVALID_CERTIFICATE) ? 1 : 2;
    }

  stop_run (run);
}

/* Makes @profile's secret the session's: from --token-env, else from the
 * variable the profile's auth.secret_env names, else from the keyring. FALSE (with the reason printed and @status set) when
 * --token-env names a variable that is not set. */
static gboolean
give_secret (ConnectRun   *run,
             SondeProfile *profile,
             int          *status)
{
  SondeAuthKind kind = sonde_profile_get_auth_kind (profile);
  const char *secret;

  if (kind == SONDE_AUTH_NONE)
    {
      if (run->token_env != NULL)
        say (_("warning: the profile “%s” uses no authentication: --token-env %s is not used"),
             sonde_profile_get_name (profile), run->token_env);
      return TRUE;
    }

  if (run->token_env == NULL && sonde_profile_get_auth_secret_env (profile) != NULL)
    run->token_env = g_strdup (sonde_profile_get_auth_secret_env (profile));
  if (run->token_env == NULL)
    {
      run->secrets = sonde_secrets_new ();
      sonde_session_set_secrets (run->session, run->secrets);
      return TRUE;
    }

  secret = g_getenv (run->token_env);
  if (secret == NULL || (*secret == '\0' && kind != SONDE_AUTH_BASIC))
    {
      say (secret == NULL
             ? _("the profile “%s” needs a secret for its %s authentication, and the environment variable "
                 "%s named by --token-env is not set: set it to the secret")
             : _("the profile “%s” needs a secret for its %s authentication, and the environment variable "
                 "%s named by --token-env is empty: set it to the secret"),
           sonde_profile_get_name (profile), sonde_auth_kind_to_string (kind), run->token_env);
      *status = 1;
      return FALSE;
    }

  sonde_session_set_secret (run->session, secret);
  return TRUE;
}

/* Runs the session until the connection ends: @profile's (with the
 * options applied), or an ad-hoc one to @url. */
static int
run_session (ConnectRun   *run,
             SondeProfile *profile,
             const char   *url,
             gboolean      demo)
{
  g_autoptr(GError) error = NULL;
  SondeMessageLog *log;
  int status = 0;

  if (profile != NULL)
    run->session = sonde_session_new_for_profile (profile);
  else if (demo)
    run->session = sonde_session_new_demo ();
  else
    run->session = sonde_session_new ();
  sonde_session_set_show_secrets (run->session, run->show_secrets);
  sonde_cli_app_start (run);
  run->connection = sonde_session_get_connection (run->session);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->line = g_string_sized_new (512);
  log = sonde_session_get_log (run->session);

  /* The connection's own, kept across the session's connects. */
  sonde_connection_set_echo (run->connection, run->echo);
  sonde_connection_set_show_frames (run->connection, run->frames);
  if (run->insecure)
    say (_("WARNING: --insecure: the server's certificate is not checked. Anyone on the way can read "
           "and change this connection. Use --ca FILE or --pin-sha256 to trust a certificate instead"));
  if (profile == NULL && !sonde_cli_apply_adhoc_options (run, &error))
    {
      say ("%s", error->message);
      return 2;
    }
  if (profile != NULL && !give_secret (run, profile, &status))
    return status;

  if (run->record && !sonde_cli_record_start (run, &error))
    {
      say ("%s", error->message);
      return 1;
    }

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), run);
  g_signal_connect (run->connection, "notify::state", G_CALLBACK (on_state_changed), run);
  g_signal_connect (run->session, "problem", G_CALLBACK (on_session_problem), run);

  if (profile != NULL)
    sonde_session_connect_async (run->session, NULL, on_profile_connected, run);
  else if (!sonde_session_connect_url (run->session, url, &error))
    {
      say ("%s", error->message);
      run->exit_status = 2;
      run->finished = TRUE;
    }

  if (!run->finished)
    {
      if (run->timeout > 0)
        run->timeout_id = g_timeout_add ((guint) MIN (run->timeout * 1000, G_MAXUINT), on_timeout, run);
      run->sigint_id = g_unix_signal_add (SIGINT, on_signal, run);
      run->sigterm_id = g_unix_signal_add (SIGTERM, on_signal, run);
      sonde_cli_stdin_start (run);

      g_main_loop_run (run->loop);
    }

  sonde_cli_stdin_stop (run);
  g_signal_handlers_disconnect_by_data (log, run);
  g_signal_handlers_disconnect_by_data (run->connection, run);
  g_signal_handlers_disconnect_by_data (run->session, run);
  fflush (stdout);
  /* The run is over: the close's grace says nothing while the recording
   * flushes. */
  g_clear_handle_id (&run->grace_id, g_source_remove);
  if (run->record)
    sonde_cli_record_finish (run);

  return run->exit_status;
}

/* `connect --profile`: the profile found, checked with the options
 * applied, then run. */
static int
run_profile (ConnectRun *run,
             const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) profile = NULL;
  g_autofree char *problems = NULL;

  profile = sonde_cli_find_profile (run->profiles_file, run->profile, &error);
  if (profile == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return error->domain == G_OPTION_ERROR ? 2 : 1;
    }

  sonde_cli_apply_profile_overrides (run, profile, url);

  /* The profile's decoder chain, unless --decode says otherwise. */
  if (run->decode != NULL)
    sonde_profile_set_decode (profile, run->decoder != NULL ? run->decode : NULL, run->proto_descriptor,
                              run->proto_type);
  else
    {
      run->decoder = sonde_decoder_new_for_profile (profile, &error);
      if (error != NULL)
        {
          g_printerr (_("%s: the decoder chain of “%s”: %s\n"), g_get_prgname (), sonde_profile_get_name (profile),
                      error->message);
          return 2;
        }
    }

  problems = sonde_cli_describe_problems (profile);
  if (problems != NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), problems);
      return 2;
    }

  return run_session (run, profile, NULL, FALSE);
}

/* `connect`, or with @record `record`: the same command line, and
 * --output and --quiet. */
int
sonde_cli_connect_command (int       argc,
                           char    **argv,
                           gboolean  record)
{
  ConnectRun run = { .record = record };
  g_autoptr(GOptionContext) context =
    g_option_context_new (record ? N_("[URL] — record a WebSocket feed") : N_("[URL] — watch a WebSocket feed"));
  g_autofree GOptionEntry *entries = sonde_cli_connect_entries (&run, TRUE, FALSE);
  g_autofree GOptionEntry *record_entries = record ? sonde_cli_record_entries (&run) : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profiles_path = g_build_filename (g_get_user_config_dir (), "sonde", "profiles.json", NULL);
  g_autofree char *description = NULL;
  int status;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, record
    ? N_("Connects as `sonde-cli connect` does, printing the same JSON lines (none with\n"
         "--quiet), and records the session: into the SQLite database FILE with\n"
         "--output, else into Sonde's recordings folder (the profile's database, or\n"
         "the one all ad-hoc URLs share), where the window's History and `sonde-cli\n"
         "history` find it. The recording is complete when the command exits.")
    : N_("Connects to URL (ws://, wss://, http:// or https://) or with a saved profile\n"
       "and prints one JSON object per line for every message and event: time, dir\n"
       "(in, out, event), kind, size and text (or base64 for binary); events carry\n"
       "their details (code, reason, error)."));
  description = g_strdup_printf (
    _("With --extract, stdout holds one line per received message that matches --where:\n"
      "  {\"time\":\"2026-11-25T18:46:55.632245Z\",\"values\":{\"$.price\":101.25,\"$.x\":null}}\n"
      "(a number, a boolean as 1 or 0, a string holding a number; null for anything\n"
      "else). PREDICATE is PATH OP VALUE joined with &&, OP one of == != < <= > >=.\n"
      "\n"
      "With --profile, the profile's headers, subprotocols, Origin, authentication,\n"
      "TLS, proxy, limits, keepalive, heartbeat, on-open messages and reconnect are\n"
      "used; the options given here replace the profile's, and the profiles file\n"
      "(%s, or --profiles FILE) is never changed.\n"
      "A URL given with --profile replaces the profile's. The profile's secret comes\n"
      "from the keyring or, on a machine without one, from the environment variable\n"
      "named by --token-env.\n"
      "\n"
      "Each line of stdin is sent as a text message (with --binary, hex bytes sent as\n"
      "one binary message); lines read before the connection opens wait for it. At\n"
      "the end of stdin the connection stays open; --close-on-eof closes it (1000)\n"
      "once the last line was sent. With --slash, /ping [PAYLOAD] sends a Ping (at\n"
      "most 125 bytes, the rest of the line as typed), /close [CODE [REASON]] closes\n"
      "and //TEXT sends /TEXT. --close-code and --close-reason set the close made at\n"
      "the end: --count reached, end of stdin, --timeout, Ctrl+C or SIGTERM.\n"
      "\n"
      "Pings and pongs are records too (kind ping, pong): the pong that answers a\n"
      "ping is marked \"automatic\":true, a pong that answers no ping of ours\n"
      "\"unmatched\":true; past 50 a second, they are counted in one \"ping\" event a\n"
      "second instead. --frames adds one line per frame (kind frame: opcode, fin,\n"
      "rsv1, masked, size); it goes only with the JSON output.\n"
      "\n"
      "--max-message bounds every incoming message: all its fragments together and,\n"
      "with --deflate, its inflated size; a larger one closes the connection (1009).\n"
      "\n"
      "With --raw, stdout holds the payloads of received messages exactly as they\n"
      "came (only secrets given to Sonde, such as a token in --header, are masked),\n"
      "binary ones in base64 unless --raw-bytes, each ended by a newline or, with\n"
      "--print0, a NUL byte. JSON lines whose text was masked say \"redacted\":true.\n"
      "\n"
      "With --reconnect, --max-attempts N counts the reconnect attempts after a drop\n"
      "or a failure, not the first connection; a connection that stays up 10 s\n"
      "starts the count again.\n"
      "\n"
      "Exit status: 0 after a clean close (by the server with 1000 or 1001, or by\n"
      "us) or --count messages, 1 when the connection failed, closed abnormally or\n"
      "with another code, or the profile's secret could not be had (the reason goes\n"
      "to stderr), 2 on bad usage, an unknown profile or one that does not validate,\n"
      "3 when the connection ended before --count messages came."), profiles_path);
  /* Already translated: the context translates only what it is given
   * untranslated (N_()). */
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (record_entries != NULL)
    g_option_context_add_main_entries (context, record_entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error) || !sonde_cli_check_options (&run, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      run_clear (&run);
      return 2;
    }

  if (run.profile != NULL ? argc > 2 : argc != 2)
    {
      g_printerr ("%s: %s\n", g_get_prgname (),
                  argc < 2 ? _("give the URL to connect to, e.g. ws://127.0.0.1:8080/feed, or --profile NAME")
                           : _("give exactly one URL"));
      run_clear (&run);
      return 2;
    }

  if (run.profile != NULL)
    status = run_profile (&run, argc == 2 ? argv[1] : NULL);
  else
    status = run_session (&run, NULL, argv[1], FALSE);
  run_clear (&run);
  return status;
}

int
sonde_cli_connect (int    argc,
                   char **argv)
{
  return sonde_cli_connect_command (argc, argv, FALSE);
}

int
sonde_cli_demo (int    argc,
                char **argv)
{
  ConnectRun run = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("[/ticker|/sensors|/echo] — watch the embedded demo feed"));
  g_autofree GOptionEntry *entries = sonde_cli_connect_entries (&run, FALSE, TRUE);
  g_autoptr(SondeDemoServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *path = "/ticker";
  int status;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Starts the demo feed on 127.0.0.1 in this process and connects to it, printing\n"
       "what arrives as `sonde-cli connect` does."));
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error) || !sonde_cli_check_options (&run, &error))
    {
      g_printerr ("sonde-cli demo: %s\n", error->message);
      run_clear (&run);
      return 2;
    }

  if (argc > 2 ||
      (argc == 2 && !g_str_equal (argv[1], "/ticker") && !g_str_equal (argv[1], "/sensors") &&
       !g_str_equal (argv[1], "/echo")))
    {
      g_printerr ("sonde-cli demo: %s\n", _("the demo feed has /ticker, /sensors and /echo"));
      run_clear (&run);
      return 2;
    }
  if (argc == 2)
    path = argv[1];

  if (run.rate < 0 || run.rate > SONDE_DEMO_SERVER_MAX_RATE)
    {
      g_autofree char *message = g_strdup_printf (_("--rate must be between 0 and %g messages per second"),
                                                  SONDE_DEMO_SERVER_MAX_RATE);

      g_printerr ("sonde-cli demo: %s\n", message);
      run_clear (&run);
      return 2;
    }

  server = sonde_demo_server_new ();
  if (run.rate > 0)
    sonde_demo_server_set_rate (server, run.rate);
  if (!sonde_demo_server_start (server, 0, &error))
    {
      g_printerr ("sonde-cli demo: %s\n", error->message);
      run_clear (&run);
      return 1;
    }

  url = sonde_demo_server_dup_url (server, path);
  status = run_session (&run, NULL, url, TRUE);
  run_clear (&run);
  sonde_demo_server_stop (server);
  return status;
}
