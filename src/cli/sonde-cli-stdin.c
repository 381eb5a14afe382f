/* sonde-cli-stdin.c: what `sonde-cli connect` reads on stdin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every line of stdin (a terminal or a pipe) is one message: text (NUL
 * bytes included), or with --binary hex bytes as the composer reads them.
 * With --slash a line that begins with "/" is a command (/ping [PAYLOAD],
 * /close [CODE [REASON]]) and "//" sends a line that begins with "/".
 * Lines read before the connection is open wait for the open, in order. At
 * the end of stdin the connection stays (a monitor's default); with
 * --close-on-eof it closes (1000, or --close-code) once every line was
 * sent.
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
#include "sonde-text.h"

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
      if (!g_ascii_string_to_unsigned (code_text, 10, 0, 65535, &code, NULL))
        {
          sonde_cli_say (_("/close: “%s” is not a close code (1000–1003, 1007–1010 or 3000–4999)"),
                         code_text);
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

/* "/ping [PAYLOAD]": the rest of the line after one space, as typed. */
static void
slash_ping (ConnectRun *run,
            const char *payload,
            gsize       length)
{
  g_autoptr(GError) error = NULL;

  if (length > 125)
    {
      sonde_cli_say (_("/ping: not sent: the payload is %zu bytes long; a Ping carries at most 125"),
                     length);
      return;
    }
  if (!sonde_connection_send_ping (run->connection, (const guint8 *) payload, length, &error))
    sonde_cli_say (_("/ping: not sent: %s"), error->message);
}

/* @line holds @length bytes (NUL bytes included), and a NUL after them. */
static void
send_line (ConnectRun *run,
           const char *line,
           gsize       length)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (run->slash && line[0] == '/' && line[1] != '/')
    {
      if (g_str_equal (line, "/ping"))
        slash_ping (run, "", 0);
      else if (g_str_has_prefix (line, "/ping "))
        slash_ping (run, line + 6, length - 6);
      else if (g_str_equal (line, "/close") || g_str_has_prefix (line, "/close "))
        slash_close (run, line + 6);
      else
        sonde_cli_say (_("unknown command “%s”: the commands are /ping [PAYLOAD] and /close [CODE [REASON]] "
                         "(start a line with // to send one that begins with /)"), line);
      return;
    }
  if (run->slash && line[0] == '/')
    {
      line++;   /* "//x" sends "/x" */
      length--;
    }

  if (run->binary)
    {
      guint error_line = 0;
      guint error_column = 0;
      g_autoptr(GBytes) bytes = sonde_hex_parse (line, (gssize) length, &error_line, &error_column, &error);

      if (bytes == NULL)
        {
          sonde_cli_say (_("not sent: column %u of the line: %s"), error_column, error->message);
          return;
        }
      ok = sonde_connection_send_binary (run->connection, bytes, &error);
    }
  else if (!sonde_text_validate_utf8 ((const guint8 *) line, length, NULL))
    {
      sonde_cli_say (_("not sent: the line is not UTF-8 text (with --binary, lines are hex bytes)"));
      return;
    }
  else
    ok = sonde_connection_send_text (run->connection, line, (gssize) length, &error);

  if (!ok)
    sonde_cli_say (_("not sent: %s"), error->message);
}

/* At the end of stdin, with --close-on-eof: once nothing waits, close. */
static void
maybe_close (ConnectRun *run)
{
  if (run->stdin_eof && run->close_on_eof && g_queue_is_empty (&run->stdin_pending) && is_open (run))
    sonde_cli_close_at_end (run, 1000);
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
   * not part of the message. A NUL byte is part of it. */
  if (length > 0 && line[length - 1] == '\r')
    line[--length] = '\0';

  /* The bytes, and the NUL after them that send_line() relies on. */
  if (is_open (run) && g_queue_is_empty (&run->stdin_pending))
    {
      send_line (run, line, length);
      g_free (line);
    }
  else
    g_queue_push_tail (&run->stdin_pending, g_bytes_new_take (line, length + 1));

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
  GBytes *line;

  while (is_open (run) && (line = g_queue_pop_head (&run->stdin_pending)) != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (line, &size);

      send_line (run, data, size - 1);
      g_bytes_unref (line);
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
  g_queue_clear_full (&run->stdin_pending, (GDestroyNotify) g_bytes_unref);
}
