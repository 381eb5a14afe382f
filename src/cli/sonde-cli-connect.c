/* sonde-cli-connect.c: `sonde-cli connect` and `sonde-cli demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin front end over SondeConnection: it watches the connection's log and
 * prints every new record as one JSON line (or only payloads with --raw).
 * --where keeps only the received messages that match a SondePredicate;
 * --extract prints, instead of the records, one line of numbers per
 * received message, read with SondeJsonPath: the same scanner as the
 * charts. Exit status: 0 on a clean close (1000, 1001 or no status) or when
 * --count was reached; 1 when the connection failed, closed abnormally, or
 * --timeout ran out before --count; 2 on bad usage.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sonde-cli.h"
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

/* How long a close we started may take before we stop waiting for it. */
#define CLOSE_GRACE_MS 3000

typedef struct {
  /* options */
  char            **headers;
  char            **protocols;
  char             *origin;
  char            **sends;
  char             *send_file;
  gboolean          binary;
  gboolean          echo;
  gint64            count;
  double            timeout;
  char             *max_frame;
  double            handshake_timeout;
  gboolean          deflate;
  gboolean          follow_redirects;
  gboolean          raw;
  char            **extracts;
  char             *where;
  double            rate;           /* demo only */
  int               keepalive;
  int               pong_timeout;
  gboolean          reconnect;
  double            backoff_cap;
  int               max_attempts;
  char             *pin_sha256;
  char             *proxy;
  gboolean          show_secrets;
  char             *latency_probe;
  char             *latency_path;
  int               latency_interval;

  /* state */
  SondeConnection  *connection;
  GMainLoop        *loop;
  GBytes           *file_payload;
  GString          *line;
  GPtrArray        *paths;          /* SondeJsonPath: --extract, or NULL */
  SondePredicate   *predicate;      /* --where, or NULL */
  guint64           received;       /* matching --where, when given */
  gboolean          count_reached;
  gboolean          timed_out;
  gboolean          closing_by_us;
  int               exit_status;
  guint             timeout_id;
  guint             grace_id;
  guint             sigint_id;
  guint             sigterm_id;
  guint             signals_seen;
} ConnectRun;

static void
run_clear (ConnectRun *run)
{
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  g_clear_handle_id (&run->grace_id, g_source_remove);
  g_clear_handle_id (&run->sigint_id, g_source_remove);
  g_clear_handle_id (&run->sigterm_id, g_source_remove);
  g_clear_object (&run->connection);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->file_payload, g_bytes_unref);
  if (run->line != NULL)
    g_string_free (g_steal_pointer (&run->line), TRUE);
  g_clear_pointer (&run->paths, g_ptr_array_unref);
  g_clear_pointer (&run->predicate, sonde_predicate_unref);
  g_strfreev (run->extracts);
  g_free (run->where);
  g_strfreev (run->headers);
  g_strfreev (run->protocols);
  g_free (run->origin);
  g_strfreev (run->sends);
  g_free (run->send_file);
  g_free (run->max_frame);
  g_free (run->pin_sha256);
  g_free (run->proxy);
  g_free (run->latency_probe);
  g_free (run->latency_path);
}

static gboolean
on_grace_elapsed (gpointer data)
{
  ConnectRun *run = data;

  run->grace_id = 0;
  g_printerr ("sonde-cli: the server did not complete the close within %d s\n", CLOSE_GRACE_MS / 1000);
  if (run->exit_status == 0 && !run->count_reached)
    run->exit_status = 1;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* Closes normally and waits (a bounded time) for the close to complete. */
static void
close_by_us (ConnectRun *run,
             guint       code,
             const char *reason)
{
  SondeConnectionState state = sonde_connection_get_state (run->connection);

  if (run->closing_by_us)
    return;
  run->closing_by_us = TRUE;

  if (state == SONDE_CONNECTION_STATE_OPEN || state == SONDE_CONNECTION_STATE_CONNECTING)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_connection_close (run->connection, code, reason, &error))
        g_printerr ("sonde-cli: %s\n", error->message);
    }

  if (run->grace_id == 0)
    run->grace_id = g_timeout_add (CLOSE_GRACE_MS, on_grace_elapsed, run);
}

static void
write_out (ConnectRun *run,
           const void *data,
           gsize       length)
{
  if (length > 0 && fwrite (data, 1, length, stdout) != length)
    {
      /* A reader that went away (`| head`) is a normal way to stop. */
      if (errno == EPIPE)
        exit (0);
      g_printerr ("sonde-cli: cannot write the output: %s\n", g_strerror (errno));
      exit (1);
    }
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
          g_printerr ("sonde-cli: --send: %s\n", error->message);
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
        g_printerr ("sonde-cli: --send-file: %s\n", error->message);
    }
}

/* @number as the shortest JSON number that reads back the same. */
static void
append_number (GString *out,
               double   number)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, number);
      if (digits == 17 || g_ascii_strtod (buffer, NULL) == number)
        break;
    }
  g_string_append (out, buffer);
}

/* {"time":"…","values":{"$.price":101.25,"$.x":null}}: the paths as typed,
 * in the order given. */
static void
append_extract_line (ConnectRun        *run,
                     const SondeRecord *record)
{
  GString *out = run->line;

  g_string_append (out, "{\"time\":");
  sonde_json_append_iso_time (out, record->wall_us);
  g_string_append (out, ",\"values\":{");
  for (guint i = 0; i < run->paths->len; i++)
    {
      double number;

      if (i > 0)
        g_string_append_c (out, ',');
      sonde_json_append_string (out, run->extracts[i], -1);
      g_string_append_c (out, ':');
      if (sonde_json_path_get_number (g_ptr_array_index (run->paths, i), (const char *) record->data,
                                      record->stored_size, &number))
        append_number (out, number);
      else
        g_string_append (out, "null");
    }
  g_string_append (out, "}}");
}

static void
handle_record (ConnectRun        *run,
               const SondeRecord *record)
{
  gboolean received = record->direction == SONDE_DIRECTION_IN;
  gboolean matches = TRUE;

  /* Once --count messages arrived, what still comes in while the close
   * completes is not printed: the output holds exactly N messages. */
  if (received && run->count_reached)
    return;

  if (received && run->predicate != NULL)
    matches = sonde_predicate_matches (run->predicate, (const char *) record->data, record->stored_size);

  if (run->paths != NULL)
    {
      /* Only the numbers of the received messages that match. */
      if (received && matches)
        {
          g_string_truncate (run->line, 0);
          append_extract_line (run, record);
          g_string_append_c (run->line, '\n');
          write_out (run, run->line->str, run->line->len);
        }
    }
  else if (run->raw)
    {
      if (received && matches)
        {
          SondeRedactor *redactor = sonde_connection_get_redactor (run->connection);

          if (redactor != NULL && record->kind == SONDE_MESSAGE_KIND_TEXT)
            {
              g_string_truncate (run->line, 0);
              sonde_redactor_append_bytes (redactor, run->line, (const char *) record->data, record->stored_size);
              write_out (run, run->line->str, run->line->len);
            }
          else
            write_out (run, record->data, record->stored_size);
          write_out (run, "\n", 1);
        }
    }
  else if (matches)
    {
      g_string_truncate (run->line, 0);
      /* Text as the log export writes it: through the redactor. */
      sonde_log_export_line (run->line, record, sonde_connection_get_redactor (run->connection));
      g_string_append_c (run->line, '\n');
      write_out (run, run->line->str, run->line->len);
    }

  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_OPEN)
    send_on_open (run);

  if (!received || run->count_reached)
    return;

  if (matches)
    run->received++;

  if (run->echo)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (record->kind == SONDE_MESSAGE_KIND_TEXT)
        ok = sonde_connection_send_text (run->connection, (const char *) record->data,
                                         (gssize) record->stored_size, &error);
      else
        {
          g_autoptr(GBytes) bytes = g_bytes_new (record->data, record->stored_size);
          ok = sonde_connection_send_binary (run->connection, bytes, &error);
        }

      if (!ok && !g_error_matches (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN))
        g_printerr ("sonde-cli: --echo: %s\n", error->message);
    }

  if (matches && run->count > 0 && run->received >= (guint64) run->count)
    {
      run->count_reached = TRUE;
      close_by_us (run, 1000, NULL);
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

  if (state == SONDE_CONNECTION_STATE_FAILED)
    {
      const GError *error = sonde_connection_get_error (connection);

      /* Our own --timeout gave up the handshake: say so, not "cancelled". */
      if (run->timed_out && g_error_matches (error, SONDE_ERROR, SONDE_ERROR_CANCELLED))
        g_printerr ("sonde-cli: timed out after %g s, before the handshake completed\n", run->timeout);
      else
        g_printerr ("sonde-cli: %s\n", error ? error->message : "the connection failed");
      run->exit_status = 1;
    }
  else if (run->count_reached)
    run->exit_status = 0;
  else if (run->timed_out && run->count > 0)
    {
      g_printerr ("sonde-cli: timed out after %g s with %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT
                  " messages\n", run->timeout, run->received, run->count);
      run->exit_status = 1;
    }
  else
    {
      guint code = sonde_connection_get_close_code (connection);
      gboolean normal = code == 1000 || code == 1001 || code == 1005;

      if (!normal || !sonde_connection_get_close_was_clean (connection))
        {
          const char *reason = sonde_connection_get_close_reason (connection);

          g_printerr ("sonde-cli: connection closed abnormally: %u %s%s%s\n",
                      code, sonde_close_code_describe (code),
                      reason && *reason ? ": " : "", reason ? reason : "");
          run->exit_status = 1;
        }
    }

  g_main_loop_quit (run->loop);
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
  close_by_us (run, 1000, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  ConnectRun *run = data;

  /* First signal: close politely. Second: leave now. */
  if (++run->signals_seen > 1)
    exit (130);

  close_by_us (run, 1001, NULL);
  return G_SOURCE_CONTINUE;
}

/* Parses a byte count: digits with an optional K, M or G suffix (binary). */
static gboolean
parse_size (const char  *text,
            guint64     *size,
            GError     **error)
{
  char *end = NULL;
  guint64 value;
  guint64 multiplier = 1;

  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (end == text || errno != 0 || text[0] == '-')
    goto invalid;

  if (g_ascii_strcasecmp (end, "k") == 0 || g_ascii_strcasecmp (end, "kib") == 0)
    multiplier = 1024;
  else if (g_ascii_strcasecmp (end, "m") == 0 || g_ascii_strcasecmp (end, "mib") == 0)
    multiplier = 1024 * 1024;
  else if (g_ascii_strcasecmp (end, "g") == 0 || g_ascii_strcasecmp (end, "gib") == 0)
    multiplier = 1024 * 1024 * 1024;
  else if (*end != '\0')
    goto invalid;

  if (value > G_MAXUINT64 / multiplier)
    goto invalid;

  *size = value * multiplier;
  return TRUE;

invalid:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--max-frame: “%s” is not a size in bytes (e.g. 65536, 64K, 16M)", text);
  return FALSE;
}

static gboolean
check_options (ConnectRun  *run,
               GError     **error)
{
  if (run->count < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--count must be a positive number of messages");
      return FALSE;
    }

  if (run->timeout < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--timeout must be a positive number of seconds");
      return FALSE;
    }

  if (run->keepalive < 0 || run->pong_timeout < 0 || run->max_attempts < 0 || run->backoff_cap < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--keepalive, --pong-timeout, --backoff-cap and --max-attempts take positive numbers");
      return FALSE;
    }

  if (run->pong_timeout > 0 && run->keepalive == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pong-timeout needs --keepalive: pongs answer the pings it sends");
      return FALSE;
    }

  if (run->pin_sha256 != NULL)
    {
      g_autofree char *normalized = sonde_certificate_normalize_sha256 (run->pin_sha256);

      if (normalized == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--pin-sha256: “%s” is not a SHA-256 fingerprint (64 hex digits, colons allowed)",
                       run->pin_sha256);
          return FALSE;
        }
      g_free (run->pin_sha256);
      run->pin_sha256 = g_steal_pointer (&normalized);
    }

  if (run->handshake_timeout < 0 || (run->handshake_timeout > 0 && run->handshake_timeout * 1000 < 1))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--handshake-timeout must be a positive number of seconds");
      return FALSE;
    }

  if (run->send_file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (run->send_file, &contents, &length, error))
        {
          g_prefix_error (error, "--send-file: ");
          return FALSE;
        }

      if (!run->binary && !g_utf8_validate_len (contents, length, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--send-file: “%s” is not UTF-8 text; add --binary to send it as a binary message",
                       run->send_file);
          return FALSE;
        }

      run->file_payload = g_bytes_new_take (g_steal_pointer (&contents), length);
    }

  if (run->extracts != NULL && run->raw)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--extract and --raw cannot be used together");
      return FALSE;
    }

  if (run->extracts != NULL)
    {
      run->paths = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_json_path_unref);
      for (guint i = 0; run->extracts[i] != NULL; i++)
        {
          SondeJsonPath *path = sonde_json_path_new (run->extracts[i], error);

          if (path == NULL)
            {
              g_prefix_error (error, "--extract: ");
              return FALSE;
            }
          g_ptr_array_add (run->paths, path);
        }
    }

  if (run->where != NULL)
    {
      run->predicate = sonde_predicate_new (run->where, error);
      if (run->predicate == NULL)
        {
          g_prefix_error (error, "--where: ");
          return FALSE;
        }
    }

  return TRUE;
}

static GOptionEntry *
connect_entries (ConnectRun *run,
                 gboolean    demo)
{
  GOptionEntry entries[] = {
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &run->headers,
      "Add a request header to the handshake (repeatable)", "'NAME: VALUE'" },
    { "protocol", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &run->protocols,
      "Offer a subprotocol (repeatable, in order of preference)", "PROTOCOL" },
    { "origin", 0, 0, G_OPTION_ARG_STRING, &run->origin,
      "Send this Origin header", "ORIGIN" },
    { "send", 's', 0, G_OPTION_ARG_STRING_ARRAY, &run->sends,
      "Send this message once connected (repeatable, in order)", "TEXT" },
    { "send-file", 0, 0, G_OPTION_ARG_FILENAME, &run->send_file,
      "Send the contents of FILE as one message once connected", "FILE" },
    { "binary", 'b', 0, G_OPTION_ARG_NONE, &run->binary,
      "Send --send and --send-file messages as binary", NULL },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &run->echo,
      "Send every received message straight back, unchanged", NULL },
    { "count", 'n', 0, G_OPTION_ARG_INT64, &run->count,
      "Close and exit after N received messages", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &run->timeout,
      "Close after SECONDS (with --count: fail if N messages did not arrive)", "SECONDS" },
    { "max-frame", 0, 0, G_OPTION_ARG_STRING, &run->max_frame,
      "Largest incoming message accepted (default 64M; 0 is refused)", "BYTES" },
    { "handshake-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &run->handshake_timeout,
      "Deadline for the whole opening handshake (default 15)", "SECONDS" },
    { "deflate", 0, 0, G_OPTION_ARG_NONE, &run->deflate,
      "Offer permessage-deflate compression", NULL },
    { "follow-redirects", 0, 0, G_OPTION_ARG_NONE, &run->follow_redirects,
      "Follow HTTP redirects during the handshake", NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &run->raw,
      "Print only the payloads of received messages, one per line", NULL },
    { "keepalive", 0, 0, G_OPTION_ARG_INT, &run->keepalive,
      "Send a Ping every SECONDS (default: none)", "SECONDS" },
    { "pong-timeout", 0, 0, G_OPTION_ARG_INT, &run->pong_timeout,
      "Declare the peer dead (1006) after SECONDS without a pong; needs --keepalive", "SECONDS" },
    { "reconnect", 0, 0, G_OPTION_ARG_NONE, &run->reconnect,
      "Reconnect after a drop, with exponential backoff and full jitter", NULL },
    { "backoff-cap", 0, 0, G_OPTION_ARG_DOUBLE, &run->backoff_cap,
      "The longest wait between attempts (default 60)", "SECONDS" },
    { "max-attempts", 0, 0, G_OPTION_ARG_INT, &run->max_attempts,
      "Give up after N attempts in a row (default: never)", "N" },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &run->pin_sha256,
      "Accept only the server certificate with this SHA-256 fingerprint", "FINGERPRINT" },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &run->proxy,
      "Connect through this proxy (http://, https:// or socks5://) instead of the system's", "URL" },
    { "latency-probe", 0, 0, G_OPTION_ARG_STRING, &run->latency_probe,
      "Measure round-trip time where the server echoes: send TEMPLATE (with {{uuid}}) every interval", "TEMPLATE" },
    { "latency-path", 0, 0, G_OPTION_ARG_STRING, &run->latency_path,
      "Where the echoed UUID is in the reply (e.g. $.id); needs --latency-probe", "PATH" },
    { "latency-interval", 0, 0, G_OPTION_ARG_INT, &run->latency_interval,
      "Seconds between latency probes (default 10)", "SECONDS" },
    { "show-secrets", 0, 0, G_OPTION_ARG_NONE, &run->show_secrets,
      "Do not mask Authorization, cookies and secret query parameters in the output", NULL },
    { "extract", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &run->extracts,
      "Print only the number at PATH (e.g. $.price) of each received message (repeatable)", "PATH" },
    { "where", 'w', 0, G_OPTION_ARG_STRING, &run->where,
      "Keep only received messages that match (e.g. '$.sym == \"ABC\"'); --count counts those", "PREDICATE" },
    { NULL },
    { NULL },
  };

  if (demo)
    {
      GOptionEntry rate = { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &run->rate,
                            "Messages per second of the demo feed (default 20)", "HZ" };
      entries[G_N_ELEMENTS (entries) - 2] = rate;
    }

  return g_memdup2 (entries, sizeof entries);
}

static int
run_connection (ConnectRun *run,
                const char *url)
{
  g_autoptr(GError) error = NULL;
  guint64 max_frame = SONDE_DEFAULT_MAX_FRAME_SIZE;
  SondeMessageLog *log;

  if (run->max_frame != NULL && !parse_size (run->max_frame, &max_frame, &error))
    {
      g_printerr ("sonde-cli: %s\n", error->message);
      return 2;
    }

  run->connection = sonde_connection_new ();
  run->loop = g_main_loop_new (NULL, FALSE);
  run->line = g_string_sized_new (512);

  /* The log only needs to hold what has not been printed yet. */
  log = sonde_connection_get_log (run->connection);
  sonde_message_log_set_max_count (log, 100000);
  sonde_message_log_set_max_bytes (log, 256 * 1024 * 1024);

  sonde_connection_set_url (run->connection, url);
  sonde_connection_set_headers (run->connection, (const char * const *) run->headers);
  sonde_connection_set_protocols (run->connection, (const char * const *) run->protocols);
  sonde_connection_set_origin (run->connection, run->origin);
  sonde_connection_set_max_frame_size (run->connection, max_frame);
  sonde_connection_set_deflate (run->connection, run->deflate);
  if (run->deflate)
    g_printerr ("sonde-cli: warning: with --deflate, libsoup 3.2 bounds neither a message's decompressed "
                "size nor its total size across fragments: a hostile server can exhaust memory\n");
  sonde_connection_set_follow_redirects (run->connection, run->follow_redirects);
  sonde_connection_set_keepalive (run->connection, (guint) run->keepalive);
  sonde_connection_set_pong_timeout (run->connection, (guint) run->pong_timeout);
  sonde_connection_set_pinned_sha256 (run->connection, run->pin_sha256);
  sonde_connection_set_proxy (run->connection, run->proxy);
  if (run->show_secrets)
    sonde_connection_set_redactor (run->connection, NULL);
  if (run->reconnect)
    {
      SondeReconnectPolicy policy;

      sonde_connection_get_reconnect (run->connection, &policy);
      policy.enabled = TRUE;
      if (run->backoff_cap > 0)
        policy.cap_ms = (guint) MIN (run->backoff_cap * 1000, G_MAXUINT);
      policy.max_attempts = (guint) run->max_attempts;
      sonde_connection_set_reconnect (run->connection, &policy);
    }
  if (run->latency_probe != NULL || run->latency_path != NULL)
    {
      g_autoptr(SondeProfileMessage) probe = NULL;

      if (run->latency_probe == NULL || run->latency_path == NULL)
        {
          g_printerr ("sonde-cli: --latency-probe and --latency-path go together: the probe's template, "
                      "and where its UUID is in the reply\n");
          return 2;
        }
      if (run->latency_interval < 0)
        {
          g_printerr ("sonde-cli: --latency-interval takes a positive number of seconds\n");
          return 2;
        }
      probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, run->latency_probe);
      if (!sonde_connection_set_latency_probe (run->connection, probe, run->latency_path,
                                               run->latency_interval > 0 ? (guint) run->latency_interval : 10,
                                               &error))
        {
          g_printerr ("sonde-cli: %s\n", error->message);
          return 2;
        }
    }
  if (run->handshake_timeout > 0)
    sonde_connection_set_handshake_timeout (run->connection, (guint) MIN (run->handshake_timeout * 1000, G_MAXUINT));

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), run);
  g_signal_connect (run->connection, "notify::state", G_CALLBACK (on_state_changed), run);

  if (!sonde_connection_connect (run->connection, &error))
    {
      g_printerr ("sonde-cli: %s\n", error->message);
      return 2;
    }

  if (run->timeout > 0)
    run->timeout_id = g_timeout_add ((guint) MIN (run->timeout * 1000, G_MAXUINT), on_timeout, run);
  run->sigint_id = g_unix_signal_add (SIGINT, on_signal, run);
  run->sigterm_id = g_unix_signal_add (SIGTERM, on_signal, run);

  g_main_loop_run (run->loop);

  g_signal_handlers_disconnect_by_data (log, run);
  g_signal_handlers_disconnect_by_data (run->connection, run);
  fflush (stdout);

  return run->exit_status;
}

int
sonde_cli_connect (int    argc,
                   char **argv)
{
  ConnectRun run = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new ("URL — watch a WebSocket feed");
  g_autofree GOptionEntry *entries = connect_entries (&run, FALSE);
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context,
    "Connects to URL (ws://, wss://, http:// or https://) and prints one JSON object per\n"
    "line for every message and event: time, dir (in, out, event), kind, size and\n"
    "text (or base64 for binary); events carry their details (code, reason, error).");
  g_option_context_set_description (context,
    "With --extract, stdout holds one line per received message that matches --where:\n"
    "  {\"time\":\"2026-11-25T18:46:55.632245Z\",\"values\":{\"$.price\":101.25,\"$.x\":null}}\n"
    "(a number, a boolean as 1 or 0, a string holding a number; null for anything\n"
    "else). PREDICATE is PATH OP VALUE joined with &&, OP one of == != < <= > >=.\n"
    "\n"
    "Exit status: 0 after a clean close or --count messages, 1 when the connection\n"
    "failed or closed abnormally (the reason goes to stderr), 2 on bad usage.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error) || !check_options (&run, &error))
    {
      g_printerr ("sonde-cli connect: %s\n", error->message);
      run_clear (&run);
      return 2;
    }

  if (argc != 2)
    {
      g_printerr ("sonde-cli connect: %s\n",
                  argc < 2 ? "give the URL to connect to, e.g. ws://127.0.0.1:8080/feed"
                           : "give exactly one URL");
      run_clear (&run);
      return 2;
    }

  status = run_connection (&run, argv[1]);
  run_clear (&run);
  return status;
}

int
sonde_cli_demo (int    argc,
                char **argv)
{
  ConnectRun run = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new ("[/ticker|/sensors|/echo] — watch the embedded demo feed");
  g_autofree GOptionEntry *entries = connect_entries (&run, TRUE);
  g_autoptr(SondeDemoServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *path = "/ticker";
  int status;

  g_option_context_set_summary (context,
    "Starts the demo feed on 127.0.0.1 in this process and connects to it, printing\n"
    "what arrives as `sonde-cli connect` does.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error) || !check_options (&run, &error))
    {
      g_printerr ("sonde-cli demo: %s\n", error->message);
      run_clear (&run);
      return 2;
    }

  if (argc > 2 ||
      (argc == 2 && !g_str_equal (argv[1], "/ticker") && !g_str_equal (argv[1], "/sensors") &&
       !g_str_equal (argv[1], "/echo")))
    {
      g_printerr ("sonde-cli demo: the demo feed has /ticker, /sensors and /echo\n");
      run_clear (&run);
      return 2;
    }
  if (argc == 2)
    path = argv[1];

  if (run.rate < 0 || run.rate > SONDE_DEMO_SERVER_MAX_RATE)
    {
      g_printerr ("sonde-cli demo: --rate must be between 0 and %g messages per second\n",
                  SONDE_DEMO_SERVER_MAX_RATE);
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
  status = run_connection (&run, url);
  run_clear (&run);
  sonde_demo_server_stop (server);
  return status;
}
