/* sonde-cli-stdin.c: what `sonde-cli connect` reads on stdin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every line of stdin (a terminal or a pipe) is one message: text, or with
 * --binary hex bytes as the composer reads them. With --slash a line that
 * begins with "/" is a command (/close [CODE [REASON]]; /ping says why it
 * cannot be sent) and
 * "//" sends a line that begins with "/". Lines read before the connection
 * is open wait for the open, in order. At the end of stdin the connection
 * stays (a monitor's default); with --close-on-eof it closes with 1000
 * once every line was sent.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sonde-cli-connect-private.h"
#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-error.h"
#include "sonde-hex.h"

static void read_next (ConnectRun *run);

static gboolean
is_open (ConnectRun *run)
{
  return run->connection != NULL &&
         sonde_connection_get_state (run->connection) == SONDE_CONNECTION_STATE_OPEN;
}

/* "/close [CODE [REASON]]": a code the protocol lets us send, and a reason
 * that fits in a Close frame. */
static void
slash_close (ConnectRun *run,
             const char *arguments)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code_text = NULL;
  const char *reason = NULL;
  const char *space;
  guint64 code = 1000;

  arguments += strspn (arguments, " ");
  if (*arguments != '\0')
    {
      space = strchr (arguments, ' ');
      code_text = space != NULL ? g_strndup (arguments, (gsize) (space - arguments)) : g_strdup (arguments);
      if (space != NULL)
        reason = space + strspn (space, " ");
      if (!g_ascii_string_to_unsigned (code_text, 10, 1000, 4999, &code, NULL))
        {
          sonde_cli_say (_("/close: “%s” is not a close code (1000–4999)"), code_text);
          return;
        }
    }

  if (!sonde_close_code_check_local ((guint) code, reason, &error))
    {
      sonde_cli_say ("/close: %s", error->message);
      return;
    }
  sonde_cli_close_by_us (run, (guint) code, reason != NULL && *reason != '\0' ? reason : NULL);
}

static void
send_line (ConnectRun *run,
           const char *line)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (run->slash && line[0] == '/' && line[1] != '/')
    {
      if (g_str_equal (line, "/ping") || g_str_has_prefix (line, "/ping "))
        {
          /* libsoup 3.2 sends Pings only on its keepalive timer. */
          sonde_cli_say (_("/ping: not sent: the WebSocket library Sonde uses (libsoup 3.2) cannot send "
                           "a Ping on demand; --keepalive SECONDS sends one every SECONDS"));
        }
      else if (g_str_equal (line, "/close") || g_str_has_prefix (line, "/close "))
        slash_close (run, line + 6);
      else
        sonde_cli_say (_("unknown command “%s”: the command is /close [CODE [REASON]] (start a line "
                         "with // to send one that begins with /)"), line);
      return;
    }
  if (run->slash && line[0] == '/')
    line++;   /* "//x" sends "/x" */

  if (run->binary)
    {
      guint error_line = 0;
      guint error_column = 0;
      g_autoptr(GBytes) bytes = sonde_hex_parse (line, -1, &error_line, &error_column, &error);

      if (bytes == NULL)
        {
          sonde_cli_say (_("not sent: column %u of the line: %s"), error_column, error->message);
          return;
        }
      ok = sonde_connection_send_binary (run->connection, bytes, &error);
    }
  else if (!g_utf8_validate (line, -1, NULL))
    {
      sonde_cli_say (_("not sent: the line is not UTF-8 text (with --binary, lines are hex bytes)"));
      return;
    }
  else
    ok = sonde_connection_send_text (run->connection, line, -1, &error);

  if (!ok)
    sonde_cli_say (_("not sent: %s"), error->message);
}

/* At the end of stdin, with --close-on-eof: once nothing waits, close. */
static void
maybe_close (ConnectRun *run)
{
  if (run->stdin_eof && run->close_on_eof && g_queue_is_empty (&run->stdin_pending) && is_open (run))
    sonde_cli_close_by_us (run, 1000, NULL);
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ConnectRun *run = data;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &length, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      if (error != NULL)
        sonde_cli_say (_("cannot read stdin: %s"), error->message);
      run->stdin_eof = TRUE;
      maybe_close (run);
      return;
    }

  /* A line ends at "\n"; a "\r" before it (a file written on Windows) is
   * not part of the message. A NUL byte ends the line early. */
  if (length > 0 && line[length - 1] == '\r')
    line[length - 1] = '\0';

  if (is_open (run) && g_queue_is_empty (&run->stdin_pending))
    {
      send_line (run, line);
      g_free (line);
    }
  else
    g_queue_push_tail (&run->stdin_pending, line);

  read_next (run);
}

static void
read_next (ConnectRun *run)
{
  g_data_input_stream_read_line_async (run->stdin_lines, G_PRIORITY_DEFAULT, run->stdin_cancellable,
                                       on_line, run);
}

/* Starts reading stdin, when there is one. */
void
sonde_cli_stdin_start (ConnectRun *run)
{
  g_autoptr(GInputStream) in = NULL;

  if (run->stdin_lines != NULL || fcntl (0, F_GETFD) == -1)
    return;

  g_queue_init (&run->stdin_pending);
  in = g_unix_input_stream_new (0, FALSE);
  run->stdin_lines = g_data_input_stream_new (in);
  run->stdin_cancellable = g_cancellable_new ();
  read_next (run);
}

/* The connection opened: what waited goes, in order. */
void
sonde_cli_stdin_on_open (ConnectRun *run)
{
  char *line;

  while (is_open (run) && (line = g_queue_pop_head (&run->stdin_pending)) != NULL)
    {
      send_line (run, line);
      g_free (line);
    }
  maybe_close (run);
}

void
sonde_cli_stdin_stop (ConnectRun *run)
{
  if (run->stdin_cancellable != NULL)
    g_cancellable_cancel (run->stdin_cancellable);
  g_clear_object (&run->stdin_cancellable);
  g_clear_object (&run->stdin_lines);
  g_queue_clear_full (&run->stdin_pending, g_free);
}
