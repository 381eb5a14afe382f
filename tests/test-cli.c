/* test-cli.c: the real sonde-cli binary, as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs $SONDE_CLI in a subprocess with its output piped and waits
 * for it by spinning the main context against a deadline. The peer is a
 * SoupServer on 127.0.0.1 running on the test's main context (the CLI is
 * another process, so the two never share a loop), or the CLI's own demo
 * feed. Every stdout line of a JSON run is parsed and checked against the
 * contract in README.md.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-profile-store.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000

/* One run of sonde-cli. */
typedef struct {
  GSubprocess      *process;
  GDataInputStream *lines_in;      /* line mode: stdout read as it comes */
  gboolean          raw;           /* --raw: stdout is not JSON */
  gboolean          extract;       /* --extract: stdout holds {"time", "values"} lines */
  gboolean          waiting;       /* communicate or wait in flight */
  gboolean          reading;       /* a line read in flight */
  gboolean          done;          /* exited, and the output is collected */
  char             *line;          /* the last line read in line mode */
  GBytes           *stdout_bytes;
  GBytes           *stderr_bytes;

  /* once done */
  int               status;        /* exit status, or -1 when killed by a signal */
  char             *out;
  char             *err;
  GPtrArray        *records;       /* JsonObject: one per stdout line */
} Cli;

typedef struct {
  SoupWebsocketDataType  type;
  GBytes                *bytes;
} Message;

typedef struct {
  SoupServer              *server;
  guint16                  port;
  GPtrArray               *clis;             /* Cli: every run, ended in teardown */
  char                    *tmpdir;
  const char * const      *env;              /* for the runs: "NAME=VALUE" sets, "NAME" unsets */
  GBytes                  *input;            /* for the runs' stdin; NULL: nothing */

  /* what the server saw */
  SoupWebsocketConnection *peer;
  char                    *peer_path;
  SoupMessageHeaders      *request_headers;
  GPtrArray               *received;         /* Message */
  GPtrArray               *pushed;           /* Message: what /ws/push-echo sent */
  char                    *client_subject;   /* the TLS client certificate the server saw */
  guint                    late_id;          /* /ws/late's answer, due */
} Fixture;

static void
message_free (gpointer data)
{
  Message *message = data;

  g_bytes_unref (message->bytes);
  g_free (message);
}

static Message *
message_new (SoupWebsocketDataType  type,
             const void            *data,
             gsize                  size)
{
  Message *message = g_new0 (Message, 1);

  message->type = type;
  message->bytes = g_bytes_new (data, size);
  return message;
}

static void
cli_free (gpointer data)
{
  Cli *cli = data;

  g_clear_object (&cli->lines_in);
  g_clear_object (&cli->process);
  g_clear_pointer (&cli->stdout_bytes, g_bytes_unref);
  g_clear_pointer (&cli->stderr_bytes, g_bytes_unref);
  g_clear_pointer (&cli->records, g_ptr_array_unref);
  g_free (cli->line);
  g_free (cli->out);
  g_free (cli->err);
  g_free (cli);
}

/* ---- the in-process server ---------------------------------------------- */

static void
push_message (Fixture               *fixture,
              SoupWebsocketConnection *ws,
              SoupWebsocketDataType  type,
              const void            *data,
              gsize                  size)
{
  Message *message = message_new (type, data, size);

  g_ptr_array_add (fixture->pushed, message);
  soup_websocket_connection_send_message (ws, type, message->bytes);
}

/* /ws/late: an answer a while after the first message, then a close. */
static gboolean
on_late (gpointer data)
{
  Fixture *fixture = data;

  fixture->late_id = 0;
  if (fixture->peer != NULL && soup_websocket_connection_get_state (fixture->peer) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_send_text (fixture->peer, "late answer");
      soup_websocket_connection_close (fixture->peer, 1000, "done");
    }
  return G_SOURCE_REMOVE;
}

static void
on_peer_message (SoupWebsocketConnection *ws,
                 SoupWebsocketDataType    type,
                 GBytes                  *bytes,
                 Fixture                 *fixture)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  g_ptr_array_add (fixture->received, message_new (type, data, size));

  if (soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (g_str_equal (fixture->peer_path, "/ws/echo"))
    soup_websocket_connection_send_message (ws, type, bytes);
  else if (g_str_equal (fixture->peer_path, "/ws/late") && fixture->late_id == 0)
    fixture->late_id = g_timeout_add (300, on_late, fixture);
  else if (g_str_equal (fixture->peer_path, "/ws/push-echo") && fixture->received->len == fixture->pushed->len)
    soup_websocket_connection_close (ws, 1000, "all back");
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  static const guint8 nuls[] = { 0x00, 'b', 0x00 };
  static const guint8 pushed_binary[] = { 0x00, 0x01, 0x00, 0xfe, 0xff, 0x00 };
  Fixture *fixture = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  if (fixture->peer != NULL)
    g_signal_handlers_disconnect_by_data (fixture->peer, fixture);
  g_clear_object (&fixture->peer);
  fixture->peer = g_object_ref (ws);
  g_free (fixture->peer_path);
  fixture->peer_path = g_strdup (path);

  g_clear_pointer (&fixture->request_headers, soup_message_headers_unref);
  fixture->request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (fixture->request_headers, name, value);

  g_signal_connect (ws, "message", G_CALLBACK (on_peer_message), fixture);

  if (soup_server_message_get_tls_peer_certificate (msg) != NULL)
    {
      g_free (fixture->client_subject);
      fixture->client_subject = g_tls_certificate_get_subject_name (soup_server_message_get_tls_peer_certificate (msg));
    }

  if (g_str_equal (path, "/ws/close-1000"))
    {
      soup_websocket_connection_send_text (ws, "hello");
      soup_websocket_connection_close (ws, 1000, "done");
    }
  else if (g_str_equal (path, "/ws/close-4000"))
    {
      soup_websocket_connection_send_text (ws, "hello");
      soup_websocket_connection_close (ws, 4000, "bye");
    }
  else if (g_str_equal (path, "/ws/headers"))
    soup_websocket_connection_send_text (ws, "ok");
  else if (g_str_equal (path, "/ws/one"))
    soup_websocket_connection_send_text (ws, "only one");
  else if (g_str_equal (path, "/ws/raw"))
    {
      soup_websocket_connection_send_text (ws, "alpha");
      soup_websocket_connection_send_binary (ws, nuls, sizeof nuls);
      soup_websocket_connection_send_text (ws, "gammaé");
      soup_websocket_connection_close (ws, 1000, NULL);
    }
  else if (g_str_equal (path, "/ws/push-echo"))
    {
      push_message (fixture, ws, SOUP_WEBSOCKET_DATA_TEXT, "first", 5);
      push_message (fixture, ws, SOUP_WEBSOCKET_DATA_BINARY, pushed_binary, sizeof pushed_binary);
      push_message (fixture, ws, SOUP_WEBSOCKET_DATA_TEXT, "{\"n\": 3, \"s\": \"ünï\\n\"}", strlen ("{\"n\": 3, \"s\": \"ünï\\n\"}"));
      push_message (fixture, ws, SOUP_WEBSOCKET_DATA_TEXT, "", 0);
      push_message (fixture, ws, SOUP_WEBSOCKET_DATA_BINARY, "", 0);
    }
  else if (g_str_equal (path, "/ws/known"))
    {
      /* Interleaved message types, for --extract and --where. */
      static const char *const texts[] = {
        "{\"type\":\"trade\",\"sym\":\"ABC\",\"price\":101.25,\"qty\":\"7\"}",
        "{\"type\":\"quote\",\"sym\":\"ABC\",\"bid\":101.2,\"ask\":101.3}",
        "{\"type\":\"trade\",\"sym\":\"XYZ\",\"price\":48.5}",
        "not json",
        "{\"type\":\"trade\",\"sym\":\"\\u0041BC\",\"price\":1e3,\"qty\":2,\"key with spaces\":true,\"n\":null}",
        NULL,   /* the binary one */
        "{\"type\":\"trade\",\"sym\":\"ABC\",\"price\":0.1,\"nested\":{\"a\":[1,2,3]}}",
        "{\"type\":\"trade\",\"sym\":\"ABC\",\"price\":1e400}",
      };
      static const char binary_json[] = "{\"type\":\"trade\",\"sym\":\"ABC\",\"price\":7}";

      for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
        {
          if (texts[i] != NULL)
            soup_websocket_connection_send_text (ws, texts[i]);
          else
            soup_websocket_connection_send_binary (ws, binary_json, strlen (binary_json));
        }
      soup_websocket_connection_close (ws, 1000, NULL);
    }
  else if (g_str_equal (path, "/ws/secrets"))
    {
      static const guint8 binary[] = { 0x00, 0x01, 0xfe, 0x0a };

      /* Look like secrets, are not Sonde's: --raw leaves them alone. */
      soup_websocket_connection_send_text (ws, "Cookie: a=b ?sig=abc&apikey=k123 Bearer abcdefgh access_token=q");
      /* Holds the token given to Sonde with -H. */
      soup_websocket_connection_send_text (ws, "your token is s3cr3t-token-42, keep it");
      soup_websocket_connection_send_binary (ws, binary, sizeof binary);
      soup_websocket_connection_send_text (ws, "two\nlines");
      soup_websocket_connection_close (ws, 1000, NULL);
    }
  else if (g_str_equal (path, "/ws/drop"))
    {
      /* No closing handshake: the socket just goes. */
      soup_websocket_connection_send_text (ws, "hello");
      g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL, NULL);
    }
  else if (g_str_equal (path, "/chat"))
    soup_websocket_connection_close (ws, 1000, "negotiated");
}

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *protocols[] = { "chat.v1", "chat.v2", NULL };
  GSList *uris;

  fixture->clis = g_ptr_array_new ();
  fixture->received = g_ptr_array_new_with_free_func (message_free);
  fixture->pushed = g_ptr_array_new_with_free_func (message_free);
  fixture->tmpdir = g_dir_make_tmp ("sonde-test-cli-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, on_http, fixture, NULL);
  soup_server_add_websocket_handler (fixture->server, "/ws", NULL, NULL, on_websocket, fixture, NULL);
  soup_server_add_websocket_handler (fixture->server, "/chat", NULL, protocols, on_websocket, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  fixture->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Cli *cli = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  cli->waiting = FALSE;
  cli->done = TRUE;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* Whatever is still running goes now; its pipes are drained to the end. */
  for (guint i = 0; i < fixture->clis->len; i++)
    {
      Cli *cli = g_ptr_array_index (fixture->clis, i);

      if (!cli->done)
        {
          g_subprocess_force_exit (cli->process);
          if (!cli->waiting)
            {
              cli->waiting = TRUE;
              g_subprocess_wait_async (cli->process, NULL, on_waited, cli);
            }
          SONDE_TEST_ASSERT_WAIT (cli->done && !cli->reading, WAIT_MS);
        }
      cli_free (cli);
    }
  g_ptr_array_unref (fixture->clis);

  if (fixture->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (fixture->peer, fixture);
      g_clear_object (&fixture->peer);
    }
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (g_steal_pointer (&fixture->server));

  dir = g_dir_open (fixture->tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->tmpdir, name, NULL);
      g_remove (path);
    }
  g_rmdir (fixture->tmpdir);
  g_free (fixture->tmpdir);

  g_clear_pointer (&fixture->request_headers, soup_message_headers_unref);
  g_clear_pointer (&fixture->received, g_ptr_array_unref);
  g_clear_pointer (&fixture->pushed, g_ptr_array_unref);
  g_clear_pointer (&fixture->input, g_bytes_unref);
  g_clear_handle_id (&fixture->late_id, g_source_remove);
  g_free (fixture->client_subject);
  g_free (fixture->peer_path);
}

static char *
url_for (Fixture    *fixture,
         const char *path)
{
  return g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->port, path);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const void *contents,
            gsize       size)
{
  char *path = g_build_filename (fixture->tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- running the CLI ---------------------------------------------------- */

static void
child_setup (gpointer data)
{
#ifdef __linux__
  /* Should the test die before its teardown, so does the CLI. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Cli *cli = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result,
                                   &cli->stdout_bytes, &cli->stderr_bytes, &error);
  g_assert_no_error (error);
  cli->waiting = FALSE;
  cli->done = TRUE;
}

/* Starts sonde-cli with @args (NULL-terminated). In line mode stdout is read
 * line by line with cli_read_line(); otherwise all output is collected in
 * the background until the process exits. */
static Cli *
cli_start_argv (Fixture            *fixture,
                gboolean            line_mode,
                const char * const *args)
{
  const char *binary = g_getenv ("SONDE_CLI");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  Cli *cli = g_new0 (Cli, 1);

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) args[i]);
      if (g_str_equal (args[i], "--raw") || g_str_equal (args[i], "--help"))
        cli->raw = TRUE;
      if (g_str_equal (args[i], "--extract"))
        cli->extract = TRUE;
    }
  g_ptr_array_add (argv, NULL);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("running %s", command);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* Messages in English, and “quotes” kept: stderr is asserted on. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; fixture->env != NULL && fixture->env[i] != NULL; i++)
    {
      const char *equals = strchr (fixture->env[i], '=');
      g_autofree char *name = g_strndup (fixture->env[i], equals ? (gsize) (equals - fixture->env[i]) : strlen (fixture->env[i]));

      if (equals != NULL)
        g_subprocess_launcher_setenv (launcher, name, equals + 1, TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, name);
    }
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_ptr_array_add (fixture->clis, cli);

  if (line_mode)
    {
      /* Nothing to say on stdin. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (cli->process), NULL, &error);
      g_assert_no_error (error);
      cli->lines_in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli->process));
    }
  else
    {
      g_autoptr(GBytes) no_input = g_bytes_new_static ("", 0);

      cli->waiting = TRUE;
      g_subprocess_communicate_async (cli->process, fixture->input ? fixture->input : no_input, NULL,
                                      on_communicated, cli);
    }

  return cli;
}

#define cli_start(fixture, ...) \
  cli_start_argv ((fixture), FALSE, (const char * const[]) { __VA_ARGS__, NULL })

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Cli *cli = data;
  g_autoptr(GError) error = NULL;

  g_free (cli->line);
  cli->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  g_assert_no_error (error);
  cli->reading = FALSE;
}

/* Line mode: the next line of stdout, or NULL at the end. */
static const char *
cli_read_line (Cli *cli)
{
  g_assert_nonnull (cli->lines_in);
  g_assert_false (cli->reading);

  cli->reading = TRUE;
  g_data_input_stream_read_line_async (cli->lines_in, G_PRIORITY_DEFAULT, NULL, on_line_read, cli);
  SONDE_TEST_ASSERT_WAIT (!cli->reading, WAIT_MS);
  return cli->line;
}

/* "2026-11-25T18:46:55.632245Z": UTC, with microseconds, and about now. */
static void
check_time (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.(\\d{6})Z$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *digits = NULL;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  if (!g_regex_match (regex, text, 0, &match))
    g_error ("“%s” is not an ISO 8601 UTC time with microseconds", text);
  digits = g_match_info_fetch (match, 1);

  parsed = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpint (g_date_time_get_microsecond (parsed), ==, atoi (digits));
  g_assert_cmpint (g_date_time_to_unix (parsed), <=, now_s + 1);
  g_assert_cmpint (g_date_time_to_unix (parsed), >=, now_s - 300);
}

/* One stdout line of --extract: {"time":"…","values":{…}}, nothing else. */
static JsonObject *
parse_extract_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  json_parser_load_from_data (parser, line, -1, &error);
  if (error != NULL)
    g_error ("stdout line “%s” is not JSON: %s", line, error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  check_time (json_object_get_string_member (object, "time"));
  g_assert_nonnull (json_object_get_object_member (object, "values"));
  return json_object_ref (object);
}

/* One stdout line: one JSON object with the members the contract names. */
static JsonObject *
parse_record (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  const char *dir;
  const char *kind;

  json_parser_load_from_data (parser, line, -1, &error);
  if (error != NULL)
    g_error ("stdout line “%s” is not JSON: %s", line, error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  check_time (json_object_get_string_member (object, "time"));
  dir = json_object_get_string_member (object, "dir");
  kind = json_object_get_string_member (object, "kind");
  g_assert_nonnull (dir);
  g_assert_nonnull (kind);

  if (g_str_equal (dir, "in") || g_str_equal (dir, "out"))
    {
      gint64 size = json_object_get_int_member (object, "size");

      g_assert_true (json_object_has_member (object, "size"));
      if (g_str_equal (kind, "frame"))
        {
          /* --frames: the header only, exactly these members. */
          static const char *const members[] = { "time", "dir", "kind", "opcode", "fin", "rsv1", "masked", "size" };

          g_assert_cmpuint (json_object_get_size (object), ==, G_N_ELEMENTS (members));
          for (guint i = 0; i < G_N_ELEMENTS (members); i++)
            g_assert_true (json_object_has_member (object, members[i]));
        }
      else if (g_str_equal (kind, "text") ||
               ((g_str_equal (kind, "ping") || g_str_equal (kind, "pong")) && json_object_has_member (object, "text")))
        {
          g_assert_false (json_object_has_member (object, "base64"));
          /* A text the redactor masked says so, and only then differs;
           * JSON-GLib reads a text with a NUL only up to it. */
          if (json_object_get_boolean_member_with_default (object, "redacted", FALSE))
            g_assert_nonnull (strstr (json_object_get_string_member (object, "text"), "[redacted]"));
          else if (strstr (line, "\\u0000") == NULL)
            g_assert_cmpint (strlen (json_object_get_string_member (object, "text")), ==, size);
        }
      else
        {
          gsize decoded_size;
          g_autofree guchar *decoded = g_base64_decode (json_object_get_string_member (object, "base64"),
                                                        &decoded_size);

          g_assert_true (g_str_equal (kind, "binary") || g_str_equal (kind, "ping") || g_str_equal (kind, "pong"));
          g_assert_false (json_object_has_member (object, "text"));
          g_assert_cmpint (decoded_size, ==, size);
        }
    }
  else
    g_assert_cmpstr (dir, ==, "event");

  return json_object_ref (object);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return g_strndup (data ? data : "", size);
}

/* Waits for the run to end; collects its exit status and output. */
static void
cli_wait (Cli *cli)
{
  if (!SONDE_TEST_WAIT (cli->done, WAIT_MS))
    g_error ("sonde-cli did not exit within %d ms", WAIT_MS);

  cli->status = g_subprocess_get_if_exited (cli->process) ? g_subprocess_get_exit_status (cli->process) : -1;
  cli->out = bytes_to_string (cli->stdout_bytes);
  cli->err = bytes_to_string (cli->stderr_bytes);
  g_test_message ("exit %d, stderr: %s", cli->status, cli->err);

  cli->records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (!cli->raw && *cli->out != '\0')
    {
      g_auto(GStrv) lines = g_strsplit (cli->out, "\n", -1);
      guint n = g_strv_length (lines);

      /* Every line ends with a newline. */
      g_assert_cmpuint (n, >=, 2);
      g_assert_cmpstr (lines[n - 1], ==, "");
      for (guint i = 0; i + 1 < n; i++)
        g_ptr_array_add (cli->records, cli->extract ? parse_extract_line (lines[i]) : parse_record (lines[i]));
      /* Every line as docs/record.schema.json documents it. */
      sonde_test_assert_records (cli->out);
    }
}

/* Starts, waits, and checks the exit status. */
#define cli_run(fixture, expected_status, ...)                                  \
  ({                                                                            \
    Cli *_cli = cli_start ((fixture), __VA_ARGS__);                             \
    cli_wait (_cli);                                                            \
    if (_cli->status != (expected_status))                                      \
      g_error ("sonde-cli exited with %d, not %d; stderr: %s", _cli->status,    \
               (int) (expected_status), _cli->err);                             \
    _cli;                                                                       \
  })

static guint
cli_count (Cli        *cli,
           const char *dir,
           const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < cli->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (cli->records, i);

      if (g_str_equal (json_object_get_string_member (record, "dir"), dir) &&
          (kind == NULL || g_str_equal (json_object_get_string_member (record, "kind"), kind)))
        n++;
    }
  return n;
}

/* The @n-th record with @dir (and @kind unless NULL), or NULL. */
static JsonObject *
cli_find (Cli        *cli,
          const char *dir,
          const char *kind,
          guint       n)
{
  for (guint i = 0; i < cli->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (cli->records, i);

      if (g_str_equal (json_object_get_string_member (record, "dir"), dir) &&
          (kind == NULL || g_str_equal (json_object_get_string_member (record, "kind"), kind)) &&
          n-- == 0)
        return record;
    }
  return NULL;
}

static JsonObject *
cli_event (Cli        *cli,
           const char *kind)
{
  JsonObject *event = cli_find (cli, "event", kind, 0);

  if (event == NULL)
    g_error ("no “%s” event in:\n%s", kind, cli->out);
  return event;
}

/* A message's (or ping's, or pong's) payload, decoded. */
static GBytes *
record_payload (JsonObject *record)
{
  if (json_object_has_member (record, "text"))
    {
      const char *text = json_object_get_string_member (record, "text");

      return g_bytes_new (text, strlen (text));
    }
  else
    {
      gsize size;
      guchar *data = g_base64_decode (json_object_get_string_member (record, "base64"), &size);

      return g_bytes_new_take (data, size);
    }
}

static void
assert_record_payload (JsonObject *record,
                       const char *kind,
                       const void *data,
                       gsize       size)
{
  g_autoptr(GBytes) payload = NULL;

  g_assert_nonnull (record);
  g_assert_cmpstr (json_object_get_string_member (record, "kind"), ==, kind);
  g_assert_cmpint (json_object_get_int_member (record, "size"), ==, size);
  payload = record_payload (record);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), data, size);
}

static void
assert_received (Fixture               *fixture,
                 guint                  n,
                 SoupWebsocketDataType  type,
                 const void            *data,
                 gsize                  size)
{
  Message *message;

  g_assert_cmpuint (fixture->received->len, >, n);
  message = g_ptr_array_index (fixture->received, n);
  g_assert_cmpint (message->type, ==, type);
  g_assert_cmpmem (g_bytes_get_data (message->bytes, NULL), g_bytes_get_size (message->bytes), data, size);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_usage_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char bad_utf8[] = { 'a', (char) 0xff, 'b' };
  g_autofree char *missing = g_build_filename (fixture->tmpdir, "missing.txt", NULL);
  g_autofree char *binary_file = write_file (fixture, "bad.txt", bad_utf8, sizeof bad_utf8);
  g_autofree char *url = url_for (fixture, "/ws/echo");
  g_autofree char *long_reason = g_strnfill (SONDE_CLOSE_REASON_MAX + 1, 'r');
  const struct {
    const char *args[8];
    const char *says;
  } cases[] = {
    { { "connect", "--max-message", "0", url }, "maximum frame size of 0" },
    { { "connect", "--max-message", "1T", url }, "--max-message: “1T” is not a size in bytes" },
    { { "connect", "--close-code", "999", url }, "--close-code: 999 is not a close code (1000–1003" },
    { { "connect", "--close-code", "1006", url }, "--close-code: Close code 1006 cannot be sent" },
    { { "connect", "--close-code", "2999", url }, "--close-code: Close code 2999 cannot be sent" },
    { { "connect", "--close-code", "5000", url }, "--close-code: 5000 is not a close code" },
    { { "connect", "--close-code", "-4000", url }, "--close-code: -4000 is not a close code" },
    { { "connect", "--close-code", "many", url }, "Cannot parse integer value “many” for --close-code" },
    { { "connect", "--close-reason", long_reason, url }, "--close-reason: The close reason is 124 bytes long" },
    { { "connect", "--frames", "--raw", url }, "--frames prints one JSON line per frame" },
    { { "connect", "--frames", "--print0", url }, "--frames prints one JSON line per frame" },
    { { "connect", "--frames", "--extract", "$.x", url }, "--frames prints one JSON line per frame" },
    { { NULL }, "Usage: sonde-cli COMMAND" },
    { { "frobnicate" }, "unknown command “frobnicate”" },
    { { "connect" }, "give the URL to connect to" },
    { { "connect", url, url }, "give exactly one URL" },
    { { "connect", "ws://exa mple.com/" }, "is not a valid URL" },
    { { "connect", "example.com/feed" }, "has no scheme" },
    { { "connect", "ftp://example.com/" }, "“ftp:” is not a WebSocket scheme" },
    { { "connect", "--bogus", url }, "Unknown option --bogus" },
    { { "connect", "--max-frame", "0", url }, "maximum frame size of 0" },
    { { "connect", "--max-frame", "12Q", url }, "--max-message: “12Q” is not a size in bytes" },
    { { "connect", "--count", "-1", url }, "--count must be a positive number" },
    { { "connect", "--count", "many", url }, "Cannot parse integer value “many” for --count" },
    { { "connect", "--timeout", "-2", url }, "--timeout must be a positive number" },
    { { "connect", "--send-file", missing, url }, "--send-file: " },
    { { "connect", "--send-file", binary_file, url }, "is not UTF-8 text; add --binary" },
    { { "connect", "--header", "NoColon", url }, "has no colon" },
    { { "connect", "--latency-path", "$.id", url }, "--latency-probe and --latency-path go together" },
    { { "connect", "--latency-probe", "ping", "--latency-path", "$.id", url }, "must carry {{uuid}}" },
    { { "connect", "--latency-probe", "{{uuid}}", "--latency-path", "$.[", url }, "reply path" },
    { { "demo", "/nowhere" }, "the demo feed has /ticker, /sensors and /echo" },
    { { "demo", "--rate", "-1" }, "--rate must be between 0 and" },
    { { "serve-demo", "--rate", "0" }, "--rate must be above 0" },
    { { "serve-demo", "--port", "70000" }, "--port must be between 1 and 65535" },
    { { "serve-demo", "extra" }, "unexpected argument “extra”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Cli *cli = cli_start_argv (fixture, FALSE, cases[i].args);

      cli_wait (cli);
      if (cli->status != 2)
        g_error ("case %u: exit %d, not 2; stderr: %s", i, cli->status, cli->err);
      assert_contains (cli->err, cases[i].says);
      /* Bad usage prints nothing on stdout, and never connects. */
      g_assert_cmpstr (cli->out, ==, "");
    }

  /* The file that is missing is named. */
  {
    Cli *cli = cli_run (fixture, 2, "connect", "--send-file", missing, url);

    assert_contains (cli->err, missing);
  }
  g_assert_null (fixture->peer);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  JsonObject *failed;
  Cli *cli;

  /* A port that is bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("ws://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  cli = cli_run (fixture, 1, "connect", url);
  assert_contains (cli->err, "refused");

  g_assert_cmpuint (cli->records->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "connecting"), "url"), ==, url);
  failed = cli_event (cli, "failed");
  assert_contains (json_object_get_string_member (failed, "error"), "refused");
  g_assert_cmpstr (json_object_get_string_member (failed, "error_domain"), ==, "g-io-error-quark");
  g_assert_cmpint (json_object_get_int_member (failed, "error_code"), ==, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
check_demo_ticks (Cli   *cli,
                  guint  n)
{
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *record = cli_find (cli, "in", NULL, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *tick;

      g_assert_cmpstr (json_object_get_string_member (record, "kind"), ==, "text");
      json_parser_load_from_data (parser, json_object_get_string_member (record, "text"), -1, &error);
      g_assert_no_error (error);
      tick = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (tick, "type"), ==, "tick");
      g_assert_cmpint (json_object_get_int_member (tick, "seq"), ==, i);
    }
}

static void
test_demo_count (Fixture       *fixture,
                 gconstpointer  data)
{
  Cli *cli = cli_run (fixture, 0, "demo", "--count", "5");
  JsonObject *handshake;
  JsonObject *headers;
  JsonObject *close_event;

  g_assert_cmpstr (cli->err, ==, "");
  check_demo_ticks (cli, 5);

  /* The handshake event: request line, status and the response headers. */
  handshake = cli_event (cli, "handshake");
  g_assert_cmpint (json_object_get_int_member (handshake, "status"), ==, 101);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (handshake, "request"), "line"),
                   ==, "GET /ticker HTTP/1.1");
  headers = json_object_get_object_member (handshake, "headers");
  g_assert_nonnull (headers);
  g_assert_cmpstr (json_object_get_string_member (headers, "Upgrade"), ==, "websocket");
  g_assert_true (json_object_has_member (headers, "Sec-WebSocket-Accept"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (headers, "Server"), "Sonde-demo/"));
  g_assert_true (json_object_get_null_member (handshake, "protocol"));

  /* In order: connecting, handshake, open, the messages, then our close. */
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (cli->records, 0), "kind"), ==, "connecting");
  g_assert_true (g_ptr_array_index (cli->records, 1) == handshake);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (cli->records, 2), "kind"), ==, "open");
  close_event = g_ptr_array_index (cli->records, cli->records->len - 1);
  g_assert_cmpstr (json_object_get_string_member (close_event, "kind"), ==, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "local");
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));
}

/* A fast feed goes on arriving while the close completes: --count N still
 * prints exactly N messages. */
static void
test_demo_count_fast (Fixture       *fixture,
                      gconstpointer  data)
{
  Cli *cli = cli_run (fixture, 0, "demo", "--rate", "20000", "--count", "5");
  Cli *raw = cli_run (fixture, 0, "demo", "--rate", "20000", "--count", "3", "--raw");
  g_auto(GStrv) lines = g_strsplit (raw->out, "\n", -1);

  check_demo_ticks (cli, 5);

  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_str_has_prefix (lines[i], "{\"type\":\"tick\""));
}

static void
test_demo_echo (Fixture       *fixture,
                gconstpointer  data)
{
  Cli *cli = cli_run (fixture, 0, "demo", "/echo", "--send", "hi", "--send", "there", "--count", "2");

  g_assert_true (g_str_has_suffix (json_object_get_string_member (cli_event (cli, "connecting"), "url"), "/echo"));
  g_assert_cmpuint (cli_count (cli, "out", "text"), ==, 2);
  g_assert_cmpuint (cli_count (cli, "in", "text"), ==, 2);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hi", 2);
  assert_record_payload (cli_find (cli, "in", NULL, 1), "text", "there", 5);
}

static void
test_send_text (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--send", "héllo ✓", "--send", "{\"n\": 1}", "--count", "2");

  /* The server got both, as text, in order. */
  g_assert_cmpuint (fixture->received->len, ==, 2);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "héllo ✓", strlen ("héllo ✓"));
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_TEXT, "{\"n\": 1}", 8);

  g_assert_cmpuint (cli_count (cli, "out", NULL), ==, 2);
  assert_record_payload (cli_find (cli, "out", NULL, 0), "text", "héllo ✓", strlen ("héllo ✓"));
  assert_record_payload (cli_find (cli, "out", NULL, 1), "text", "{\"n\": 1}", 8);
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 2);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "héllo ✓", strlen ("héllo ✓"));
  assert_record_payload (cli_find (cli, "in", NULL, 1), "text", "{\"n\": 1}", 8);
  g_assert_cmpstr (cli->err, ==, "");
}

/* A latency probe against an echo: the probes go out, and each echo is a
 * latency event with its round trip, naming the probe. */
static void
test_latency_probe (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--latency-probe", "{\"op\":\"ping\",\"id\":\"{{uuid}}\"}",
                      "--latency-path", "$.id", "--latency-interval", "1", "--count", "2");
  JsonObject *latency = cli_event (cli, "latency");
  JsonObject *echo = cli_find (cli, "in", "text", 0);

  g_assert_cmpuint (fixture->received->len, >=, 2);
  g_assert_cmpuint (cli_count (cli, "event", "latency"), >=, 1);
  g_assert_cmpfloat (json_object_get_double_member (latency, "rtt_ms"), >, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (echo, "text"),
                            json_object_get_string_member (latency, "probe")));
  g_assert_cmpstr (cli->err, ==, "");
}

static void
test_send_binary (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--binary", "--send", "abc", "--send", "x y", "--count", "2");
  JsonObject *record;

  g_assert_cmpuint (fixture->received->len, ==, 2);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_BINARY, "abc", 3);
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_BINARY, "x y", 3);

  /* Binary messages carry base64, never text. */
  record = cli_find (cli, "out", NULL, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "base64"), ==, "YWJj");
  assert_record_payload (cli_find (cli, "out", NULL, 1), "binary", "x y", 3);
  record = cli_find (cli, "in", NULL, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "base64"), ==, "YWJj");
  assert_record_payload (cli_find (cli, "in", NULL, 1), "binary", "x y", 3);
  g_assert_cmpuint (cli_count (cli, "in", "text") + cli_count (cli, "out", "text"), ==, 0);
}

static void
test_send_file (Fixture       *fixture,
                gconstpointer  data)
{
  static const char text[] = "line one\nline two ✓\n\t\"quoted\" \\ end";
  static const guint8 binary[] = { 0x00, 0x01, 'z', 0x00, 0xff, 0x00, 0x80 };
  g_autofree char *text_file = write_file (fixture, "text.txt", text, strlen (text));
  g_autofree char *binary_file = write_file (fixture, "data.bin", binary, sizeof binary);
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli;

  /* --send messages go first, then the file, as one text message. */
  cli = cli_run (fixture, 0, "connect", url, "--send-file", text_file, "--send", "first", "--count", "2");
  g_assert_cmpuint (fixture->received->len, ==, 2);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "first", 5);
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_TEXT, text, strlen (text));
  assert_record_payload (cli_find (cli, "out", NULL, 1), "text", text, strlen (text));
  assert_record_payload (cli_find (cli, "in", NULL, 1), "text", text, strlen (text));

  /* With --binary, every byte goes, NULs included, and comes back. */
  g_ptr_array_set_size (fixture->received, 0);
  cli = cli_run (fixture, 0, "connect", url, "--send-file", binary_file, "--binary", "--count", "1");
  g_assert_cmpuint (fixture->received->len, ==, 1);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_BINARY, binary, sizeof binary);
  assert_record_payload (cli_find (cli, "out", NULL, 0), "binary", binary, sizeof binary);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "binary", binary, sizeof binary);
}

static void
test_headers_and_origin (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/headers?x=1");
  Cli *cli = cli_run (fixture, 0, "connect", url,
                      "--header", "X-Api-Key: k-123",
                      "-H", "X-Trace: a",
                      "--header", "X-Trace: b",
                      "--origin", "https://app.example.test",
                      "--count", "1");
  JsonObject *request;
  JsonObject *request_headers;

  /* What the server saw. */
  g_assert_nonnull (fixture->request_headers);
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "X-Api-Key"), ==, "k-123");
  g_assert_cmpstr (soup_message_headers_get_list (fixture->request_headers, "X-Trace"), ==, "a, b");
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "Origin"), ==, "https://app.example.test");

  /* What the handshake event says was sent. */
  request = json_object_get_object_member (cli_event (cli, "handshake"), "request");
  g_assert_cmpstr (json_object_get_string_member (request, "line"), ==, "GET /ws/headers?x=1 HTTP/1.1");
  request_headers = json_object_get_object_member (request, "headers");
  g_assert_cmpstr (json_object_get_string_member (request_headers, "X-Api-Key"), ==, "k-123");
  g_assert_cmpstr (json_object_get_string_member (request_headers, "X-Trace"), ==, "a, b");
  g_assert_cmpstr (json_object_get_string_member (request_headers, "Origin"), ==, "https://app.example.test");
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "ok", 2);
}

static void
test_protocol (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/chat");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--protocol", "nope", "-p", "chat.v2", "--protocol", "chat.v1");
  const char *negotiated;
  JsonObject *handshake;

  /* Offered in order; the server picked one of its own. */
  g_assert_cmpstr (soup_message_headers_get_list (fixture->request_headers, "Sec-WebSocket-Protocol"),
                   ==, "nope, chat.v2, chat.v1");
  negotiated = soup_websocket_connection_get_protocol (fixture->peer);
  g_assert_nonnull (negotiated);
  g_assert_true (g_str_equal (negotiated, "chat.v1") || g_str_equal (negotiated, "chat.v2"));

  handshake = cli_event (cli, "handshake");
  g_assert_cmpstr (json_object_get_string_member (handshake, "protocol"), ==, negotiated);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (handshake, "headers"),
                                                  "Sec-WebSocket-Protocol"), ==, negotiated);
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "open"), "protocol"), ==, negotiated);
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "close"), "close_reason"), ==, "negotiated");
}

static void
test_server_close_normal (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/close-1000");
  Cli *cli = cli_run (fixture, 0, "connect", url);
  JsonObject *close_event;

  g_assert_cmpstr (cli->err, ==, "");
  g_assert_true (json_object_get_null_member (cli_event (cli, "open"), "protocol"));
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);

  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (close_event, "meaning"), ==, "Normal closure");
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "peer");
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "closing"), "initiator"), ==, "peer");
}

static void
test_server_close_abnormal (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/close-4000");
  Cli *cli = cli_run (fixture, 1, "connect", url);
  JsonObject *close_event;

  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, "bye");
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "peer");

  /* What happened, on stderr: a clean close with an application's code
   * is not "abnormal". */
  assert_contains (cli->err, "the server closed the connection: 4000 (Application-defined (4000–4999)): bye");
  g_assert_null (strstr (cli->err, "abnormal"));
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);
}

/* A socket that just goes is an abnormal end, and said so. */
static void
test_server_drop (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/drop");
  Cli *cli = cli_run (fixture, 1, "connect", url);

  assert_contains (cli->err, "the connection closed abnormally: 1006");
  g_assert_null (strstr (cli->err, "the server closed the connection"));
}

/* --count N and a server that closes after fewer: exit 3, and how many. */
static void
test_count_short (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/close-1000");
  Cli *cli = cli_run (fixture, 3, "connect", "--count", "5", url);

  assert_contains (cli->err, "got 1 of 5 messages before the connection ended");
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);

  /* An application's close code is said too. */
  g_free (url);
  url = url_for (fixture, "/ws/close-4000");
  cli = cli_run (fixture, 3, "connect", "-n", "100", url);
  assert_contains (cli->err, "the server closed the connection: 4000");
  assert_contains (cli->err, "got 1 of 100 messages");
}

static void
test_raw (Fixture       *fixture,
          gconstpointer  data)
{
  static const char expected[] = "alpha\n" "AGIA\n" "gammaé\n";
  static const char expected_bytes[] = "alpha\n" "\0b\0" "\n" "gammaé\n";
  g_autofree char *url = url_for (fixture, "/ws/raw");
  Cli *cli = cli_run (fixture, 0, "connect", "--raw", url);

  /* Only the payloads, each followed by a newline; binary in base64. */
  g_assert_cmpmem (g_bytes_get_data (cli->stdout_bytes, NULL), g_bytes_get_size (cli->stdout_bytes),
                   expected, sizeof expected - 1);
  g_assert_cmpstr (cli->err, ==, "");

  /* --raw-bytes: binary as it came. */
  cli = cli_run (fixture, 0, "connect", "--raw", "--raw-bytes", url);
  g_assert_cmpmem (g_bytes_get_data (cli->stdout_bytes, NULL), g_bytes_get_size (cli->stdout_bytes),
                   expected_bytes, sizeof expected_bytes - 1);
}

#define SECRETS_FIRST "Cookie: a=b ?sig=abc&apikey=k123 Bearer abcdefgh access_token=q"

/* --raw alters nothing but the secrets Sonde was given; --print0 splits
 * payloads that hold newlines. */
static void
test_raw_exact (Fixture       *fixture,
                gconstpointer  data)
{
  static const char expected[] = SECRETS_FIRST "\n"
                                 "your token is [redacted], keep it\n"
                                 "AAH+Cg==\n"
                                 "two\nlines\n";
  static const char expected0[] = SECRETS_FIRST "\0"
                                  "your token is [redacted], keep it\0"
                                  "\0\1\376\n\0"
                                  "two\nlines";
  g_autofree char *url = url_for (fixture, "/ws/secrets");
  Cli *cli = cli_run (fixture, 0, "connect", "--raw", "-H", "Authorization: Bearer s3cr3t-token-42", url);

  g_assert_cmpmem (g_bytes_get_data (cli->stdout_bytes, NULL), g_bytes_get_size (cli->stdout_bytes),
                   expected, sizeof expected - 1);

  /* --print0 (with bytes): every payload ends with a NUL. */
  cli = cli_run (fixture, 0, "connect", "--raw", "--print0", "--raw-bytes",
                 "-H", "Authorization: Bearer s3cr3t-token-42", url);
  g_assert_cmpmem (g_bytes_get_data (cli->stdout_bytes, NULL), g_bytes_get_size (cli->stdout_bytes),
                   expected0, sizeof expected0);
}

/* JSON lines whose text was masked say so; "size" is what arrived. */
static void
test_json_redacted (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/secrets");
  Cli *cli = cli_run (fixture, 0, "connect", "-H", "Authorization: Bearer s3cr3t-token-42", url);
  JsonObject *first = cli_find (cli, "in", "text", 0);
  JsonObject *token = cli_find (cli, "in", "text", 1);
  JsonObject *plain = cli_find (cli, "in", "text", 2);

  g_assert_cmpint (json_object_get_int_member (token, "size"), ==, strlen ("your token is s3cr3t-token-42, keep it"));
  g_assert_cmpstr (json_object_get_string_member (token, "text"), ==, "your token is [redacted], keep it");
  g_assert_true (json_object_get_boolean_member (token, "redacted"));
  g_assert_cmpint (json_object_get_int_member (first, "size"), ==, strlen (SECRETS_FIRST));
  g_assert_true (json_object_get_boolean_member_with_default (first, "redacted", FALSE) ==
                 !g_str_equal (json_object_get_string_member (first, "text"), SECRETS_FIRST));
  g_assert_false (json_object_has_member (plain, "redacted"));
  g_assert_false (json_object_has_member (cli_find (cli, "in", "binary", 0), "redacted"));
}

static void
set_input (Fixture    *fixture,
           const char *input,
           gsize       length)
{
  g_clear_pointer (&fixture->input, g_bytes_unref);
  fixture->input = g_bytes_new (input, length);
}

/* Every line of stdin is a text message; --close-on-eof closes after the
 * last one. */
static void
test_stdin_lines (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char input[] = "one\ntwo words\r\n\nlast without newline";
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli;
  JsonObject *close_event;

  set_input (fixture, input, sizeof input - 1);
  cli = cli_run (fixture, 0, "connect", "--close-on-eof", "--timeout", "15", url);

  g_assert_cmpuint (fixture->received->len, ==, 4);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "one", 3);
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_TEXT, "two words", 9);
  assert_received (fixture, 2, SOUP_WEBSOCKET_DATA_TEXT, "", 0);
  assert_received (fixture, 3, SOUP_WEBSOCKET_DATA_TEXT, "last without newline", 20);
  g_assert_cmpuint (cli_count (cli, "out", "text"), ==, 4);

  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), !=, "peer");
  g_assert_cmpstr (cli->err, ==, "");
}

/* At the end of stdin Sonde keeps listening: an answer that comes later
 * is printed. */
static void
test_stdin_keeps_listening (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/late");
  Cli *cli;

  set_input (fixture, "hi\n", 3);
  cli = cli_run (fixture, 0, "connect", "--timeout", "15", url);

  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "hi", 2);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "late answer", 11);
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "close"), "initiator"), ==, "peer");
}

/* --binary: each line is hex bytes; a line that is not is said and
 * skipped. */
static void
test_stdin_binary (Fixture       *fixture,
                   gconstpointer  data)
{
  static const guint8 first[] = { 0x00, 0xff, 0x10 };
  static const guint8 second[] = { 0xca, 0xfe };
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli;

  set_input (fixture, "00 ff 10\nzz\nCAFE\n", strlen ("00 ff 10\nzz\nCAFE\n"));
  cli = cli_run (fixture, 0, "connect", "--binary", "--close-on-eof", "--timeout", "15", url);

  g_assert_cmpuint (fixture->received->len, ==, 2);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_BINARY, first, sizeof first);
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_BINARY, second, sizeof second);
  assert_contains (cli->err, "not sent");
}

/* --slash: /ping [PAYLOAD] sends a ping that the server (libsoup)
 * answers; /close CODE REASON closes with them, a code that cannot be sent
 * is said; "//" sends a "/"; an unknown command is said, not sent. */
static void
test_stdin_slash (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  g_autofree char *too_long = g_strnfill (126, 'p');
  g_autofree char *input = g_strdup_printf ("//x\n/nope\n/ping abc \xc3\xa9\n/ping\n/ping %s\n/close 999\n"
                                            "/close 2999 no\n/close x\n/close 4001 bye now\n", too_long);
  Cli *cli;
  JsonObject *close_event;
  JsonObject *ping;
  JsonObject *pong;

  set_input (fixture, input, strlen (input));
  cli = cli_run (fixture, 0, "connect", "--slash", "--timeout", "15", url);

  g_assert_cmpuint (fixture->received->len, ==, 1);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "/x", 2);
  assert_contains (cli->err, "unknown command “/nope”: the commands are /ping [PAYLOAD] and /close");

  /* Two pings out, as typed (not automatic), each answered by a pong that
   * matches it; the one past 125 bytes was not sent. */
  g_assert_cmpuint (cli_count (cli, "out", "ping"), ==, 2);
  ping = cli_find (cli, "out", "ping", 0);
  assert_record_payload (ping, "ping", "abc é", strlen ("abc é"));
  g_assert_false (json_object_has_member (ping, "automatic"));
  assert_record_payload (cli_find (cli, "out", "ping", 1), "ping", "", 0);
  g_assert_cmpuint (cli_count (cli, "in", "pong"), ==, 2);
  pong = cli_find (cli, "in", "pong", 0);
  assert_record_payload (pong, "pong", "abc é", strlen ("abc é"));
  g_assert_false (json_object_has_member (pong, "unmatched"));
  g_assert_false (json_object_has_member (cli_find (cli, "in", "pong", 1), "unmatched"));
  assert_contains (cli->err, "/ping: not sent: the payload is 126 bytes long; a Ping carries at most 125");

  /* Codes that cannot be sent are refused with the reason; the last one
   * closes. */
  assert_contains (cli->err, "/close: Close code 999 cannot be sent");
  assert_contains (cli->err, "/close: Close code 2999 cannot be sent");
  assert_contains (cli->err, "/close: “x” is not a close code (1000–1003, 1007–1010 or 3000–4999)");
  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 4001);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, "bye now");
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture->peer), ==, 4001);

  /* Without --slash, the same lines are messages. */
  g_ptr_array_set_size (fixture->received, 0);
  cli = cli_run (fixture, 0, "connect", "--close-on-eof", "--timeout", "15", url);
  g_assert_cmpuint (fixture->received->len, ==, 9);
  assert_received (fixture, 8, SOUP_WEBSOCKET_DATA_TEXT, "/close 4001 bye now", 19);
}

/* Text with NUL bytes is text (RFC 6455 asks only for UTF-8): from
 * --send-file and from a line of stdin, sent and shown escaped. */
static void
test_send_nul (Fixture       *fixture,
               gconstpointer  data)
{
  static const char text[] = "a\0b\0";
  g_autofree char *url = url_for (fixture, "/ws/echo");
  g_autofree char *path = write_file (fixture, "nul.txt", text, sizeof text - 1);
  Cli *cli;

  cli = cli_run (fixture, 0, "connect", "--send-file", path, "--count", "1", url);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, text, sizeof text - 1);
  assert_contains (cli->out, "\"dir\":\"out\",\"kind\":\"text\",\"size\":4,\"text\":\"a\\u0000b\\u0000\"");
  assert_contains (cli->out, "\"dir\":\"in\",\"kind\":\"text\",\"size\":4,\"text\":\"a\\u0000b\\u0000\"");
  g_assert_cmpstr (cli->err, ==, "");

  /* A NUL in a line of stdin is part of the message. */
  g_ptr_array_set_size (fixture->received, 0);
  set_input (fixture, "x\0y\n", 4);
  cli = cli_run (fixture, 0, "connect", "--count", "1", url);
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "x\0y", 3);
  assert_contains (cli->out, "\"dir\":\"in\",\"kind\":\"text\",\"size\":3,\"text\":\"x\\u0000y\"");
}

/* --close-code and --close-reason: the close made at the end, whatever
 * ends the run, reaches the server. */
static void
test_close_code (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/one");
  g_autofree char *echo_url = url_for (fixture, "/ws/echo");
  Cli *cli;
  JsonObject *close_event;

  /* --count reached. */
  cli = cli_run (fixture, 0, "connect", url, "--count", "1", "--close-code", "4000", "--close-reason", "bye");
  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, "bye");
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture->peer), ==, 4000);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (fixture->peer), ==, "bye");
  g_assert_cmpstr (cli->err, ==, "");

  /* --timeout, with the default code and a reason. */
  cli = cli_run (fixture, 0, "connect", url, "--timeout", "0.3", "--close-reason", "time is up");
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture->peer), ==, 1000);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (fixture->peer), ==, "time is up");

  /* The end of stdin. */
  set_input (fixture, "hi\n", 3);
  cli = cli_run (fixture, 0, "connect", echo_url, "--close-on-eof", "--close-code", "1001", "--timeout", "15");
  g_assert_cmpint (json_object_get_int_member (cli_event (cli, "close"), "close_code"), ==, 1001);
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture->peer), ==, 1001);

  /* SIGTERM, once the connection is open. */
  {
    g_autofree char *headers_url = url_for (fixture, "/ws/headers");
    const char *line;

    cli = cli_start_argv (fixture, TRUE, (const char * const[]) { "connect", headers_url, "--close-code", "4002",
                                                                  "--close-reason", "stopped", NULL });
    do
      line = cli_read_line (cli);
    while (line != NULL && strstr (line, "\"kind\":\"open\"") == NULL);
    g_assert_nonnull (line);

    g_subprocess_send_signal (cli->process, SIGTERM);
    do
      line = cli_read_line (cli);
    while (line != NULL && strstr (line, "\"kind\":\"close\"") == NULL);
    g_assert_nonnull (line);
    assert_contains (line, "\"close_code\":4002,\"close_reason\":\"stopped\"");
    cli->waiting = TRUE;
    g_subprocess_wait_async (cli->process, NULL, on_waited, cli);
    SONDE_TEST_ASSERT_WAIT (cli->done, WAIT_MS);
    g_assert_true (g_subprocess_get_if_exited (cli->process));
    g_assert_cmpint (g_subprocess_get_exit_status (cli->process), ==, 0);
    g_assert_cmpint (soup_websocket_connection_get_close_code (fixture->peer), ==, 4002);
    g_assert_cmpstr (soup_websocket_connection_get_close_data (fixture->peer), ==, "stopped");
  }
}

/* tests/servers/ping_peer.py (Python `websockets`) pings with payloads
 * (text, NUL and non-UTF-8 bytes, 125 bytes), then sends a pong nobody
 * asked for and "done". */
static SondeTestPeer *
ping_peer_start (void)
{
  const char *args[] = { "--lifetime", "60", NULL };
  g_autoptr(GError) error = NULL;
  SondeTestPeer *peer = sonde_test_peer_start_script ("ping_peer.py", args, &error);

  g_assert_no_error (error);
  return peer;
}

/* The peer's "closed" line, after its pong lines. */
static JsonObject *
ping_peer_closed (SondeTestPeer *peer)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = sonde_test_peer_read_line (peer, WAIT_MS, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      g_assert_no_error (error);
      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_str_equal (json_object_get_string_member (object, "event"), "closed"))
        return json_object_ref (object);
    }
}

/* The server's pings are records (in) with their payloads, each answered
 * by an automatic pong (out); the pong nobody asked for is unmatched; the
 * close code reaches the peer. */
static void
test_pings_from_server (Fixture       *fixture,
                        gconstpointer  data)
{
  static const guint8 binary_ping[] = { 0x00, 0xff, 0x01, 0x02 };
  g_autoptr(SondeTestPeer) peer = ping_peer_start ();
  g_autofree char *url = sonde_test_peer_dup_url (peer, "/");
  g_autofree char *long_ping = g_strndup ("01234567890123456789012345678901234567890123456789012345678901234567890123456789"
                                          "01234567890123456789012345678901234567890123456789", 125);
  g_autoptr(JsonObject) closed = NULL;
  Cli *cli = cli_run (fixture, 0, "connect", url, "--count", "1", "--close-code", "4000", "--close-reason", "bye");
  JsonObject *pong;

  g_assert_cmpuint (cli_count (cli, "in", "ping"), ==, 3);
  assert_record_payload (cli_find (cli, "in", "ping", 0), "ping", "p1", 2);
  g_assert_cmpstr (json_object_get_string_member (cli_find (cli, "in", "ping", 0), "text"), ==, "p1");
  assert_record_payload (cli_find (cli, "in", "ping", 1), "ping", binary_ping, sizeof binary_ping);
  g_assert_cmpstr (json_object_get_string_member (cli_find (cli, "in", "ping", 1), "base64"), ==, "AP8BAg==");
  assert_record_payload (cli_find (cli, "in", "ping", 2), "ping", long_ping, 125);

  g_assert_cmpuint (cli_count (cli, "out", "pong"), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *answer = cli_find (cli, "out", "pong", i);

      g_assert_true (json_object_get_boolean_member_with_default (answer, "automatic", FALSE));
      g_assert_cmpint (json_object_get_int_member (answer, "size"), ==,
                       json_object_get_int_member (cli_find (cli, "in", "ping", i), "size"));
    }

  g_assert_cmpuint (cli_count (cli, "in", "pong"), ==, 1);
  pong = cli_find (cli, "in", "pong", 0);
  assert_record_payload (pong, "pong", "nobody-asked", 12);
  g_assert_true (json_object_get_boolean_member_with_default (pong, "unmatched", FALSE));

  /* Pings and pongs are not messages: --count 1 counted "done". */
  g_assert_cmpuint (cli_count (cli, "in", "text"), ==, 1);
  assert_record_payload (cli_find (cli, "in", "text", 0), "text", "done", 4);
  g_assert_cmpint (json_object_get_int_member (cli_event (cli, "close"), "close_code"), ==, 4000);

  closed = ping_peer_closed (peer);
  g_assert_cmpint (json_object_get_int_member (closed, "pongs"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (closed, "matched"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (closed, "code"), ==, 4000);

  /* --raw prints messages only: no ping payload among them. */
  cli = cli_run (fixture, 0, "connect", url, "--count", "1", "--raw");
  g_assert_cmpstr (cli->out, ==, "done\n");
}

/* --frames: one line per frame in and out, with the header's fields. */
static void
test_frames (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct {
    const char *dir;
    const char *opcode;
    gint64      size;
  } expected[] = {
    { "in", "ping", 2 }, { "in", "ping", 4 }, { "in", "ping", 125 }, { "in", "pong", 12 }, { "in", "text", 4 },
    { "in", "close", 5 },
    { "out", "pong", 2 }, { "out", "pong", 4 }, { "out", "pong", 125 }, { "out", "close", 5 },
  };
  g_autoptr(SondeTestPeer) peer = ping_peer_start ();
  g_autofree char *url = sonde_test_peer_dup_url (peer, "/");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--frames", "--count", "1", "--close-code", "4000",
                      "--close-reason", "bye");

  g_assert_cmpuint (cli_count (cli, "in", "frame"), ==, 6);
  g_assert_cmpuint (cli_count (cli, "out", "frame"), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean in = g_str_equal (expected[i].dir, "in");
      JsonObject *frame = cli_find (cli, expected[i].dir, "frame", in ? i : i - 6);

      g_assert_cmpstr (json_object_get_string_member (frame, "opcode"), ==, expected[i].opcode);
      g_assert_cmpint (json_object_get_int_member (frame, "size"), ==, expected[i].size);
      g_assert_true (json_object_get_boolean_member (frame, "fin"));
      g_assert_false (json_object_get_boolean_member (frame, "rsv1"));
      /* Only a client masks its frames. */
      g_assert_true (json_object_get_boolean_member (frame, "masked") == !in);
    }

  /* Without --frames, none. */
  cli = cli_run (fixture, 0, "connect", url, "--count", "1");
  g_assert_cmpuint (cli_count (cli, "in", "frame") + cli_count (cli, "out", "frame"), ==, 0);
}

/* A ping flood (10,000 pings) shows the first pings a second and counts
 * the rest in "ping" events, not 10,000 lines. */
static void
test_ping_flood (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SondeTestPeer) peer = ping_peer_start ();
  g_autofree char *url = sonde_test_peer_dup_url (peer, "/flood");
  /* Watched for 3 s, not closed at "done": the last pings counted are
   * reported at most a second after the flood. */
  Cli *cli = cli_run (fixture, 0, "connect", url, "--timeout", "3");
  gint64 counted_in = 0;
  gint64 counted_out = 0;
  g_autoptr(JsonObject) closed = NULL;

  for (guint i = 0; i < cli_count (cli, "event", "ping"); i++)
    {
      JsonObject *event = cli_find (cli, "event", "ping", i);

      g_assert_cmpint (json_object_get_int_member (event, "shown_per_second"), >, 0);
      if (g_str_equal (json_object_get_string_member (event, "direction"), "in"))
        counted_in += json_object_get_int_member (event, "pings");
      else
        counted_out += json_object_get_int_member (event, "pongs");
    }
  g_assert_cmpint (counted_in, >, 0);
  g_assert_cmpuint (cli->records->len, <, 1000);
  /* Every ping is either shown or counted, and so is every pong. */
  g_assert_cmpint (cli_count (cli, "in", "ping") + counted_in, ==, 10000);
  g_assert_cmpint (cli_count (cli, "out", "pong") + counted_out, ==, 10000);
  assert_record_payload (cli_find (cli, "in", "text", 0), "text", "done", 4);

  closed = ping_peer_closed (peer);
  g_assert_cmpint (json_object_get_int_member (closed, "pongs"), ==, 10000);
}

static void
test_echo (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/push-echo");
  /* The server closes once everything came back; --timeout is a safety. */
  Cli *cli = cli_run (fixture, 0, "connect", url, "--echo", "--timeout", "15");

  g_assert_cmpuint (fixture->pushed->len, ==, 5);
  g_assert_cmpuint (fixture->received->len, ==, fixture->pushed->len);
  for (guint i = 0; i < fixture->pushed->len; i++)
    {
      Message *sent = g_ptr_array_index (fixture->pushed, i);
      Message *back = g_ptr_array_index (fixture->received, i);
      JsonObject *in = cli_find (cli, "in", NULL, i);
      JsonObject *out = cli_find (cli, "out", NULL, i);
      const char *kind = sent->type == SOUP_WEBSOCKET_DATA_TEXT ? "text" : "binary";

      /* Unchanged: same type, same bytes. */
      g_assert_cmpint (back->type, ==, sent->type);
      g_assert_true (g_bytes_equal (back->bytes, sent->bytes));

      assert_record_payload (in, kind, g_bytes_get_data (sent->bytes, NULL), g_bytes_get_size (sent->bytes));
      assert_record_payload (out, kind, g_bytes_get_data (sent->bytes, NULL), g_bytes_get_size (sent->bytes));
      /* Sent back by the connection's I/O thread the moment it came, not
       * by the CLI once it printed it. */
      g_assert_true (json_object_get_boolean_member_with_default (out, "automatic", FALSE));
    }
  g_assert_cmpuint (cli_count (cli, "out", NULL), ==, fixture->pushed->len);

  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "close"), "close_reason"), ==, "all back");
  g_assert_cmpstr (cli->err, ==, "");
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/one");
  Cli *cli;
  JsonObject *close_event;

  /* --count not reached in time: a failure, said on stderr. */
  cli = cli_run (fixture, 1, "connect", url, "--count", "5", "--timeout", "0.5");
  assert_contains (cli->err, "timed out after 0.5 s with 1 of 5 messages");
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);
  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1000);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "local");

  /* Without --count, the timeout is just how long to watch. */
  cli = cli_run (fixture, 0, "connect", url, "--timeout", "0.3");
  g_assert_cmpstr (cli->err, ==, "");
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "close"), "initiator"), ==, "local");
}

/* A server that accepts the TCP connection and never answers: --timeout
 * ends the handshake, and stderr says it was the timeout. */
static void
test_timeout_in_handshake (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  Cli *cli;

  /* Listening, so the kernel accepts; nobody reads. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  g_assert_true (g_socket_listen (socket, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("ws://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  cli = cli_run (fixture, 1, "connect", url, "--timeout", "0.3");
  assert_contains (cli->err, "timed out after 0.3 s, before the handshake completed");
  g_assert_null (cli_find (cli, "event", "open", 0));
  cli_event (cli, "failed");
}

static void
test_max_message (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  Cli *cli;
  JsonObject *error_event;

  /* A limit with a suffix, above the message: it goes through. --deflate
   * no longer warns: the inflated size is bounded by the same limit. */
  cli = cli_run (fixture, 0, "connect", url, "--max-message", "1K", "--deflate", "--send", "hello", "--count", "1");
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);
  g_assert_cmpstr (cli->err, ==, "");

  /* Below it: the echo is refused as too big, and the run fails; the
   * error says how far the message got and what the limit was. */
  cli = cli_run (fixture, 1, "connect", url, "--max-message", "4", "--send", "hello");
  g_assert_cmpuint (cli_count (cli, "out", NULL), ==, 1);
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 0);
  error_event = cli_event (cli, "error");
  g_assert_cmpint (json_object_get_int_member (error_event, "error_code"), ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpint (json_object_get_int_member (error_event, "message_size"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (error_event, "limit"), ==, 4);
  g_assert_false (json_object_get_boolean_member (cli_event (cli, "close"), "clean"));
  assert_contains (cli->err, "closed abnormally");

  /* --max-frame is the old name of the same option. */
  cli = cli_run (fixture, 1, "connect", url, "--max-frame", "4", "--send", "hello");
  g_assert_cmpint (json_object_get_int_member (cli_event (cli, "error"), "limit"), ==, 4);

  /* The help says what the limit bounds, names the alias, and has no
   * warning about compression left. */
  cli = cli_run (fixture, 0, "connect", "--help");
  assert_contains (cli->out, "--max-message");
  assert_contains (cli->out, "whole (all its fragments) and, when compressed, inflated");
  assert_contains (cli->out, "The old name of --max-message");
  assert_contains (cli->out, "--frames");
  assert_contains (cli->out, "/ping [PAYLOAD]");
  assert_contains (cli->out, "--close-code");
  g_assert_null (strstr (cli->out, "exhaust memory"));
  g_assert_null (strstr (cli->out, "libsoup 3.2 bounds"));
}

static gboolean
has_message (SondeConnection *connection)
{
  SondeStats stats;

  sonde_connection_get_stats (connection, &stats);
  return stats.messages_in > 0;
}

static gboolean
is_final (SondeConnection *connection)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  return state == SONDE_CONNECTION_STATE_CLOSED || state == SONDE_CONNECTION_STATE_FAILED;
}

static void
test_serve_demo (Fixture       *fixture,
                 gconstpointer  data)
{
  Cli *server = cli_start_argv (fixture, TRUE, (const char * const[]) { "serve-demo", "--port", "0", "--rate", "50", NULL });
  g_autoptr(GRegex) regex = g_regex_new ("^Sonde demo feed on 127\\.0\\.0\\.1:(\\d+) ", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(SondeConnection) watcher = sonde_connection_new ();
  g_autofree char *port = NULL;
  g_autofree char *ticker_url = NULL;
  g_autofree char *rest = NULL;
  const char *line;
  Cli *client;

  /* The first line says where it listens; the URLs follow. */
  line = cli_read_line (server);
  g_assert_nonnull (line);
  if (!g_regex_match (regex, line, 0, &match))
    g_error ("unexpected first line “%s”", line);
  port = g_match_info_fetch (match, 1);
  g_assert_cmpint (atoi (port), >, 0);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const paths[] = { "/ticker", "/sensors", "/echo" };
      g_autofree char *expected = g_strdup_printf ("  ws://127.0.0.1:%s%s", port, paths[i]);

      line = cli_read_line (server);
      g_assert_cmpstr (line, ==, expected);
    }
  ticker_url = g_strdup_printf ("ws://127.0.0.1:%s/ticker", port);

  client = cli_run (fixture, 0, "connect", ticker_url, "--count", "3");
  check_demo_ticks (client, 3);

  /* A client still connected when the server stops is told goodbye. */
  sonde_connection_set_url (watcher, ticker_url);
  g_assert_true (sonde_connection_connect (watcher, NULL));
  SONDE_TEST_ASSERT_WAIT (has_message (watcher) || is_final (watcher), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (watcher), ==, SONDE_CONNECTION_STATE_OPEN);

  g_subprocess_send_signal (server->process, SIGTERM);
  server->waiting = TRUE;
  g_subprocess_wait_async (server->process, NULL, on_waited, server);
  SONDE_TEST_ASSERT_WAIT (server->done, WAIT_MS);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);

  SONDE_TEST_ASSERT_WAIT (is_final (watcher), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (watcher), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (watcher), ==, 1001);
  g_assert_cmpstr (sonde_connection_get_close_reason (watcher), ==, "demo server stopping");

  /* Nothing more on stdout, nothing at all on stderr. */
  rest = g_data_input_stream_read_upto (server->lines_in, "", 0, NULL, NULL, NULL);
  g_assert_true (rest == NULL || *rest == '\0');
  {
    char buffer[256];
    gsize n = 0;

    g_input_stream_read_all (g_subprocess_get_stderr_pipe (server->process), buffer, sizeof buffer, &n, NULL, NULL);
    g_assert_cmpmem (buffer, n, "", 0);
  }

  g_assert_finalize_object (g_steal_pointer (&watcher));
}

static void
test_serve_demo_port_in_use (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *port = g_strdup_printf ("%u", fixture->port);
  g_autofree char *says = g_strdup_printf ("cannot listen on 127.0.0.1:%u", fixture->port);
  Cli *cli = cli_run (fixture, 1, "serve-demo", "--port", port);

  assert_contains (cli->err, says);
  g_assert_cmpstr (cli->out, ==, "");
}


/* ---- --extract and --where ---------------------------------------------- */

/* The "values" member of an --extract line, as written. */
static const char *
values_text (const char *line)
{
  const char *values = strstr (line, ",\"values\":");

  g_assert_nonnull (values);
  return values + strlen (",\"values\":");
}

static void
test_extract_known (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char *const expected[] = {
    "{\"$.price\":101.25,\"$.qty\":7,\"$[\\\"key with spaces\\\"]\":null,\"$.nested.a[-1]\":null}}",
    "{\"$.price\":1000,\"$.qty\":2,\"$[\\\"key with spaces\\\"]\":1,\"$.nested.a[-1]\":null}}",
    "{\"$.price\":7,\"$.qty\":null,\"$[\\\"key with spaces\\\"]\":null,\"$.nested.a[-1]\":null}}",
    "{\"$.price\":0.1,\"$.qty\":null,\"$[\\\"key with spaces\\\"]\":null,\"$.nested.a[-1]\":3}}",
    "{\"$.price\":null,\"$.qty\":null,\"$[\\\"key with spaces\\\"]\":null,\"$.nested.a[-1]\":null}}",
  };
  g_autofree char *url = url_for (fixture, "/ws/known");
  Cli *cli = cli_run (fixture, 0, "connect", url,
                      "--extract", "$.price", "--extract", "$.qty",
                      "--extract", "$[\"key with spaces\"]", "--extract", "$.nested.a[-1]",
                      "--where", "$.type == \"trade\" && $.sym == \"ABC\"");
  g_auto(GStrv) lines = g_strsplit (cli->out, "\n", -1);

  /* Only the matching messages, binary ones too, and no events: the
   * trades of ABC (one written \u0041BC), in order. */
  g_assert_cmpstr (cli->err, ==, "");
  g_assert_cmpuint (cli->records->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (values_text (lines[i]), ==, expected[i]);

  /* The paths as typed are the keys, in the order given. */
  {
    JsonObject *values = json_object_get_object_member (g_ptr_array_index (cli->records, 0), "values");
    g_autoptr(GList) members = json_object_get_members (values);

    g_assert_cmpuint (g_list_length (members), ==, 4);
    g_assert_cmpstr (members->data, ==, "$.price");
    g_assert_cmpstr (members->next->next->data, ==, "$[\"key with spaces\"]");
  }
}

static void
test_extract_without_where (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/known");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--extract", "$.bid");
  g_auto(GStrv) lines = g_strsplit (cli->out, "\n", -1);

  /* Every received message has its line, JSON or not. */
  g_assert_cmpuint (cli->records->len, ==, 8);
  g_assert_cmpstr (values_text (lines[0]), ==, "{\"$.bid\":null}}");
  g_assert_cmpstr (values_text (lines[1]), ==, "{\"$.bid\":101.2}}");
  g_assert_cmpstr (values_text (lines[3]), ==, "{\"$.bid\":null}}");
}

static void
test_where_records (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/known");
  Cli *cli = cli_run (fixture, 0, "connect", url, "--where", "$.bid > 100");
  Cli *raw;
  Cli *counted;

  /* Events are all there; of the messages, only the quote. */
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text",
                         "{\"type\":\"quote\",\"sym\":\"ABC\",\"bid\":101.2,\"ask\":101.3}",
                         strlen ("{\"type\":\"quote\",\"sym\":\"ABC\",\"bid\":101.2,\"ask\":101.3}"));
  cli_event (cli, "open");
  g_assert_cmpint (json_object_get_int_member (cli_event (cli, "close"), "close_code"), ==, 1000);

  /* With --raw: the matching payloads only. */
  raw = cli_run (fixture, 0, "connect", url, "--raw", "--where", "$.sym == \"XYZ\"");
  g_assert_cmpstr (raw->out, ==, "{\"type\":\"trade\",\"sym\":\"XYZ\",\"price\":48.5}\n");

  /* --count counts the matching messages (the server closes too, at
   * about the same time: who closed first is not asserted). */
  counted = cli_run (fixture, 0, "connect", url, "--where", "$.type == \"trade\"", "--count", "2");
  g_assert_cmpuint (cli_count (counted, "in", NULL), ==, 2);
  assert_contains (json_object_get_string_member (cli_find (counted, "in", NULL, 0), "text"), "ABC");
  assert_contains (json_object_get_string_member (cli_find (counted, "in", NULL, 1), "text"), "XYZ");
}

static void
test_extract_failed_run (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/close-4000");
  Cli *cli = cli_run (fixture, 1, "connect", url, "--extract", "$.x");

  /* The one message has its line; the application's close goes to stderr. */
  g_assert_cmpuint (cli->records->len, ==, 1);
  assert_contains (cli->out, "\"values\":{\"$.x\":null}}");
  assert_contains (cli->err, "the server closed the connection: 4000");
  assert_contains (cli->err, "bye");
}

static void
test_extract_usage_errors (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/known");
  const struct {
    const char *args[8];
    const char *says;
  } cases[] = {
    { { "connect", "--extract", "$.a[x]", url },
      "sonde-cli connect: --extract: Column 5 of “$.a[x]”: expected a number or a quoted key inside [ ]" },
    { { "connect", "--extract", "$.a", "--extract", "price", url },
      "sonde-cli connect: --extract: Column 1 of “price”: a path starts with “$”" },
    { { "connect", "--where", "$.sym = \"ABC\"", url },
      "sonde-cli connect: --where: Column 7 of “$.sym = \"ABC\"”: “=” is not an operator: compare with “==”" },
    { { "connect", "--where", "$.sym < \"ABC\"", url },
      "--where: Column 7 of “$.sym < \"ABC\"”: “<” compares numbers: a string can only be compared with == or !=" },
    { { "connect", "--extract", "$.a", "--raw", url }, "--extract and --raw cannot be used together" },
    { { "demo", "--where", "$.a == 1 ||" }, "sonde-cli demo: --where: Column 10 of “$.a == 1 ||”: “||” is not supported" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Cli *cli = cli_start_argv (fixture, FALSE, cases[i].args);

      cli_wait (cli);
      if (cli->status != 2)
        g_error ("case %u: exit %d, not 2; stderr: %s", i, cli->status, cli->err);
      assert_contains (cli->err, cases[i].says);
      g_assert_cmpstr (cli->out, ==, "");
    }

  /* Nothing connected. */
  g_assert_null (fixture->peer);
}

static void
test_demo_extract (Fixture       *fixture,
                   gconstpointer  data)
{
  Cli *cli = cli_run (fixture, 0, "demo", "--rate", "400", "--count", "5",
                      "--extract", "$.price", "--extract", "$.seq", "--extract", "$.sym",
                      "--where", "$.sym == \"ABC\"");
  double last_seq = -1;

  g_assert_cmpstr (cli->err, ==, "");
  g_assert_cmpuint (cli->records->len, ==, 5);
  for (guint i = 0; i < cli->records->len; i++)
    {
      JsonObject *values = json_object_get_object_member (g_ptr_array_index (cli->records, i), "values");
      double seq = json_object_get_double_member (values, "$.seq");

      /* ABC is every fourth tick of the demo feed, from the first. */
      g_assert_cmpfloat (json_object_get_double_member (values, "$.price"), >, 0);
      g_assert_cmpfloat (fmod (seq, 4), ==, 0);
      g_assert_cmpfloat (seq, >, last_seq);
      g_assert_true (json_object_get_null_member (values, "$.sym"));
      last_seq = seq;
    }
}

/* ---- `connect --profile` against a server that checks the handshake ----- */

#define CHECK_HEADER   "X-Sonde-Check: profile-7"
#define CHECK_PROTOCOL "sonde.check.v1"
#define CHECK_ORIGIN   "https://console.example.test"
#define CHECK_TOKEN    "t0ken-s3cret"
#define CHECK_WELCOME  "{\"welcome\":\"checked\"}"

/* tests/servers/check_handshake_server.py (Python `websockets`): lets in
 * only a handshake with CHECK_HEADER, CHECK_PROTOCOL offered, CHECK_ORIGIN
 * and the bearer CHECK_TOKEN, then sends CHECK_WELCOME and closes with
 * 1000; answers 401 to anything else. */
static SondeTestPeer *
check_server_start (void)
{
  const char *args[] = {
    "--header", CHECK_HEADER, "--protocol", CHECK_PROTOCOL, "--origin", CHECK_ORIGIN,
    "--token", CHECK_TOKEN, "--lifetime", "60", NULL
  };
  g_autoptr(GError) error = NULL;
  SondeTestPeer *server = sonde_test_peer_start_script ("check_handshake_server.py", args, &error);

  g_assert_no_error (error);
  return server;
}

/* What the server said of the next handshake: "ACCEPTED" or "REFUSED …". */
static char *
check_server_verdict (SondeTestPeer *server)
{
  g_autoptr(GError) error = NULL;
  char *line = sonde_test_peer_read_line (server, WAIT_MS, &error);

  g_assert_no_error (error);
  return line;
}

/* A profile with everything the server checks, the token left to the
 * keyring or --token-env; @header instead of CHECK_HEADER. */
static SondeProfile *
check_profile_new (SondeTestPeer *server,
                   const char    *name,
                   const char    *header)
{
  const char *headers[] = { header, NULL };
  const char *protocols[] = { CHECK_PROTOCOL, NULL };
  g_autofree char *url = sonde_test_peer_dup_url (server, "/feed");
  SondeProfile *profile = sonde_profile_new ();

  sonde_profile_set_name (profile, name);
  sonde_profile_set_url (profile, url);
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_protocols (profile, protocols);
  sonde_profile_set_origin (profile, CHECK_ORIGIN);
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  return profile;
}

/* Writes the profiles (NULL-terminated) to @path with SondeProfileStore,
 * as the window does; returns what the file holds. */
G_GNUC_NULL_TERMINATED
static char *
write_profiles (const char *path,
                ...)
{
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  SondeProfile *profile;
  char *contents = NULL;
  va_list args;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  va_start (args, path);
  while ((profile = va_arg (args, SondeProfile *)) != NULL)
    sonde_profile_store_add (store, profile);
  va_end (args);
  sonde_profile_store_flush (store, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&store));

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_file_holds (const char *path,
                   const char *expected)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_profile_handshake (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SondeTestPeer) server = check_server_start ();
  g_autoptr(SondeProfile) profile = check_profile_new (server, "Checked feed", CHECK_HEADER);
  g_autofree char *path = g_build_filename (fixture->tmpdir, "profiles.json", NULL);
  g_autofree char *own_dir = g_build_filename (fixture->tmpdir, "sonde", NULL);
  g_autofree char *own_path = g_build_filename (own_dir, "profiles.json", NULL);
  g_autofree char *config_home = g_strconcat ("XDG_CONFIG_HOME=", fixture->tmpdir, NULL);
  g_autofree char *before = write_profiles (path, profile, NULL);
  g_autofree char *own_before = write_profiles (own_path, profile, NULL);
  const char *env[] = { "SONDE_TEST_TOKEN=" CHECK_TOKEN, config_home, NULL };
  Cli *cli;
  JsonObject *close_event;

  fixture->env = env;
  cli = cli_run (fixture, 0, "connect", "--profile", "Checked feed", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN");

  /* The server had everything it checks, and let the CLI in. */
  {
    g_autofree char *verdict = check_server_verdict (server);
    g_assert_cmpstr (verdict, ==, "ACCEPTED");
  }
  g_assert_cmpstr (cli->err, ==, "");
  g_assert_cmpuint (cli_count (cli, "in", NULL), ==, 1);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", CHECK_WELCOME, strlen (CHECK_WELCOME));
  g_assert_cmpstr (json_object_get_string_member (cli_event (cli, "open"), "protocol"), ==, CHECK_PROTOCOL);
  close_event = cli_event (cli, "close");
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1000);
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));
  /* The token is the profile's secret: masked in everything printed. */
  g_assert_null (strstr (cli->out, CHECK_TOKEN));

  /* By id, from the file the window keeps ($XDG_CONFIG_HOME/sonde). */
  cli = cli_run (fixture, 0, "connect", "--profile", sonde_profile_get_id (profile),
                 "--token-env", "SONDE_TEST_TOKEN", "--count", "1");
  {
    g_autofree char *verdict = check_server_verdict (server);
    g_assert_cmpstr (verdict, ==, "ACCEPTED");
  }
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", CHECK_WELCOME, strlen (CHECK_WELCOME));

  /* --show-secrets: the profile's token shows in the handshake too. */
  cli = cli_run (fixture, 0, "connect", "--profile", "Checked feed", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN", "--show-secrets", "--count", "1");
  {
    g_autofree char *verdict = check_server_verdict (server);
    g_assert_cmpstr (verdict, ==, "ACCEPTED");
  }
  g_assert_nonnull (strstr (cli->out, "Bearer " CHECK_TOKEN));

  /* Neither file changed. */
  assert_file_holds (path, before);
  assert_file_holds (own_path, own_before);
  g_assert_cmpint (g_remove (own_path), ==, 0);
  g_assert_cmpint (g_rmdir (own_dir), ==, 0);
}

static void
test_profile_override (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SondeTestPeer) server = check_server_start ();
  g_autoptr(SondeProfile) profile = check_profile_new (server, "Stale header", "X-Sonde-Check: stale");
  g_autofree char *path = g_build_filename (fixture->tmpdir, "profiles.json", NULL);
  g_autofree char *before = write_profiles (path, profile, NULL);
  const char *env[] = { "SONDE_TEST_TOKEN=" CHECK_TOKEN, NULL };
  Cli *cli;

  fixture->env = env;

  /* The profile's own header: refused. */
  cli = cli_run (fixture, 1, "connect", "--profile", "Stale header", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN");
  {
    g_autofree char *verdict = check_server_verdict (server);
    assert_contains (verdict, "REFUSED header X-Sonde-Check is ['stale']");
  }
  assert_contains (cli->err, "401");

  /* The command line's header of that name (in other case) replaces it;
   * the rest of the profile still goes. */
  cli = cli_run (fixture, 0, "connect", "--profile", "Stale header", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN", "--header", "x-sonde-check: profile-7");
  {
    g_autofree char *verdict = check_server_verdict (server);
    g_assert_cmpstr (verdict, ==, "ACCEPTED");
  }
  g_assert_cmpstr (cli->err, ==, "");
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", CHECK_WELCOME, strlen (CHECK_WELCOME));

  /* Subprotocols given replace the profile's. */
  cli = cli_run (fixture, 1, "connect", "--profile", "Stale header", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN", "--header", "X-Sonde-Check: profile-7",
                 "--protocol", "chat.v9");
  {
    g_autofree char *verdict = check_server_verdict (server);
    assert_contains (verdict, "REFUSED subprotocol " CHECK_PROTOCOL " not offered (offers: ['chat.v9'])");
  }
  assert_contains (cli->err, "401");

  /* The override went to this run only. */
  assert_file_holds (path, before);
  assert_contains (before, "stale");
}

static void
test_profile_wrong_token (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SondeTestPeer) server = check_server_start ();
  g_autoptr(SondeProfile) profile = check_profile_new (server, "Checked feed", CHECK_HEADER);
  g_autofree char *path = g_build_filename (fixture->tmpdir, "profiles.json", NULL);
  g_autofree char *before = write_profiles (path, profile, NULL);
  const char *env[] = { "SONDE_TEST_TOKEN=not-the-token", NULL };
  g_autofree char *verdict = NULL;
  Cli *cli;

  fixture->env = env;
  cli = cli_run (fixture, 1, "connect", "--profile", "Checked feed", "--profiles", path,
                 "--token-env", "SONDE_TEST_TOKEN");

  verdict = check_server_verdict (server);
  g_assert_cmpstr (verdict, ==, "REFUSED Authorization is not the expected bearer token");
  /* The refusal is reported, with its status, as a failed connection. */
  assert_contains (cli->err, "401");
  cli_event (cli, "failed");
  g_assert_null (cli_find (cli, "event", "open", 0));
  g_assert_null (strstr (cli->out, "not-the-token"));
  g_assert_null (strstr (cli->err, "not-the-token"));
}

static void
test_profile_on_open (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/ws/echo");
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (url);
  g_autoptr(GPtrArray) on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autofree char *path = g_build_filename (fixture->tmpdir, "profiles.json", NULL);
  g_autofree char *before = NULL;
  const char *headers[] = { "X-From-Profile: yes", NULL };
  Cli *cli;

  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "subscribe"));
  sonde_profile_set_name (profile, "Echo");
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_on_open (profile, on_open);
  before = write_profiles (path, profile, NULL);

  /* The profile's on-open message goes first, then --send; both echo. */
  cli = cli_run (fixture, 0, "connect", "--profile", "Echo", "--profiles", path,
                 "--send", "from the command line", "--count", "2");
  g_assert_cmpstr (cli->err, ==, "");
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "X-From-Profile"), ==, "yes");
  assert_received (fixture, 0, SOUP_WEBSOCKET_DATA_TEXT, "subscribe", 9);
  assert_received (fixture, 1, SOUP_WEBSOCKET_DATA_TEXT, "from the command line", 21);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "subscribe", 9);
  assert_record_payload (cli_find (cli, "in", NULL, 1), "text", "from the command line", 21);

  /* A URL on the command line replaces the profile's. (Not one whose
   * server closes at once: the on-open message would then race the end.) */
  {
    g_autofree char *other = url_for (fixture, "/ws/headers");

    cli = cli_run (fixture, 0, "connect", "--profile", "Echo", "--profiles", path, other, "--count", "1");
    g_assert_cmpstr (fixture->peer_path, ==, "/ws/headers");
    g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "X-From-Profile"), ==, "yes");
    assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "ok", 2);
  }

  assert_file_holds (path, before);
}

static void
test_profile_errors (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SondeProfile) first = sonde_profile_new_for_url ("ws://127.0.0.1:9/a");
  g_autoptr(SondeProfile) second = sonde_profile_new_for_url ("ws://127.0.0.1:9/b");
  g_autoptr(SondeProfile) third = sonde_profile_new_for_url ("ws://127.0.0.1:9/c");
  g_autofree char *path = g_build_filename (fixture->tmpdir, "profiles.json", NULL);
  g_autofree char *missing = g_build_filename (fixture->tmpdir, "missing.json", NULL);
  g_autofree char *before = NULL;
  const char *env[] = { "SONDE_TEST_UNSET_TOKEN", "SONDE_SECRETS_BACKEND=memory", NULL };
  Cli *cli;

  sonde_profile_set_name (first, "Twin");
  sonde_profile_set_name (second, "Twin");
  sonde_profile_set_name (third, "Bearer feed");
  sonde_profile_set_auth_kind (third, SONDE_AUTH_BEARER);
  before = write_profiles (path, first, second, third, NULL);
  fixture->env = env;

  /* An unknown profile: named, with the ones there are. */
  cli = cli_run (fixture, 2, "connect", "--profile", "Nowhere", "--profiles", path);
  assert_contains (cli->err, "There is no profile “Nowhere”");
  assert_contains (cli->err, "“Bearer feed”");
  g_assert_cmpstr (cli->out, ==, "");

  /* A name two profiles have: their ids, to choose from. */
  cli = cli_run (fixture, 2, "connect", "--profile", "Twin", "--profiles", path);
  assert_contains (cli->err, "2 profiles are called “Twin”");
  assert_contains (cli->err, sonde_profile_get_id (first));
  assert_contains (cli->err, sonde_profile_get_id (second));

  /* No such profiles file. */
  cli = cli_run (fixture, 2, "connect", "--profile", "Twin", "--profiles", missing);
  assert_contains (cli->err, missing);

  /* --token-env naming a variable that is not set: the profile, its
   * authentication and the variable are named. */
  cli = cli_run (fixture, 1, "connect", "--profile", "Bearer feed", "--profiles", path,
                 "--token-env", "SONDE_TEST_UNSET_TOKEN");
  assert_contains (cli->err, "“Bearer feed”");
  assert_contains (cli->err, "bearer");
  assert_contains (cli->err, "SONDE_TEST_UNSET_TOKEN");
  g_assert_cmpstr (cli->out, ==, "");

  /* No keyring (and no --token-env): what to do instead. */
  cli = cli_run (fixture, 1, "connect", "--profile", "Bearer feed", "--profiles", path);
  assert_contains (cli->err, "“Bearer feed”");
  assert_contains (cli->err, "--token-env");

  /* Options that make the profile invalid: every problem, by field. */
  cli = cli_run (fixture, 2, "connect", "--profile", sonde_profile_get_id (third), "--profiles", path,
                 "--header", "Authorization: Basic eA==", "--protocol", "two words", "--token-env", "UNUSED");
  assert_contains (cli->err, "The profile “Bearer feed” cannot be used:");
  assert_contains (cli->err, "headers[0]: The authentication sets the “Authorization” header");
  assert_contains (cli->err, "protocols[0]: ");
  g_assert_cmpstr (cli->out, ==, "");

  /* Settings are checked by the one validator, with or without a profile. */
  {
    g_autofree char *url = url_for (fixture, "/ws/echo");

    cli = cli_run (fixture, 2, "connect", url, "--pong-timeout", "5");
    assert_contains (cli->err, "A pong timeout needs keepalive pings");
    cli = cli_run (fixture, 2, "connect", "--profile", "Bearer feed", "--profiles", path, "--pong-timeout", "5");
    assert_contains (cli->err, "pong-timeout: A pong timeout needs keepalive pings");
  }

  /* Options that belong to a profile, without one. */
  {
    g_autofree char *url = url_for (fixture, "/ws/echo");

    cli = cli_run (fixture, 2, "connect", url, "--token-env", "SONDE_TEST_TOKEN");
    assert_contains (cli->err, "--profiles and --token-env go with --profile NAME");
  }

  /* Help says how (not JSON: read as raw output). */
  cli = cli_start (fixture, "connect", "--help");
  cli->raw = TRUE;
  cli_wait (cli);
  g_assert_cmpint (cli->status, ==, 0);
  assert_contains (cli->out, "--profile=NAME|ID");
  assert_contains (cli->out, "--token-env=VAR");

  assert_file_holds (path, before);
  g_assert_null (fixture->peer);
}

/* ---- TLS ----------------------------------------------------------------- */

static char *
tls_fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "tls", name, NULL);
}

/* Lowercase hex SHA-256 of the certificate's DER, computed here. */
static char *
tls_fingerprint (const char *name)
{
  g_autofree char *path = tls_fixture (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);
  g_autoptr(GByteArray) der = NULL;

  g_assert_no_error (error);
  g_object_get (certificate, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* GnuTLS, as SoupServer's verifier, refuses the client certificate for
 * purposes of its own; what the test checks is that one was presented
 * (on_websocket keeps its subject). */
static gboolean
on_client_certificate (SoupServerMessage    *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  return certificate != NULL;
}

static void
on_tls_request_started (SoupServer        *server,
                        SoupServerMessage *msg,
                        gpointer           data)
{
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_client_certificate), NULL);
}

/* A wss:// server on 127.0.0.1 with the fixture's @name.pem and .key,
 * serving the same paths as the plain one; with @client_ca it requires a
 * client certificate that CA signed. */
static SoupServer *
tls_server_new (Fixture    *fixture,
                const char *name,
                const char *client_ca,
                char      **url)
{
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *cert_path = tls_fixture (pem);
  g_autofree char *key_path = tls_fixture (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  SoupServer *server;
  GSList *uris;

  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  if (client_ca != NULL)
    {
      g_autofree char *ca_path = tls_fixture (client_ca);
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_path, &error);

      g_assert_no_error (error);
      soup_server_set_tls_database (server, database);
      soup_server_set_tls_auth_mode (server, G_TLS_AUTHENTICATION_REQUIRED);
      g_signal_connect (server, "request-started", G_CALLBACK (on_tls_request_started), NULL);
    }
  soup_server_add_websocket_handler (server, "/ws", NULL, NULL, on_websocket, fixture, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server);
  *url = g_strdup_printf ("wss://127.0.0.1:%d/ws/close-1000", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

static void
tls_server_free (Fixture    *fixture,
                 SoupServer *server)
{
  if (fixture->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (fixture->peer, fixture);
      g_clear_object (&fixture->peer);
    }
  soup_server_disconnect (server);
  g_assert_finalize_object (server);
}

/* A refused certificate: its fingerprint and the exact option on stderr;
 * that option then connects. */
static void
test_tls_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = NULL;
  SoupServer *server = tls_server_new (fixture, "self-signed", NULL, &url);
  g_autofree char *fingerprint = tls_fingerprint ("self-signed.pem");
  g_autofree char *option = g_strdup_printf ("add: --pin-sha256 %s\n", fingerprint);
  g_autofree char *upper = g_ascii_strup (fingerprint, -1);
  g_autofree char *pin = NULL;
  const char *given;
  Cli *cli;

  cli = cli_run (fixture, 1, "connect", url);
  assert_contains (cli->err, "the certificate was refused");
  assert_contains (cli->err, option);
  assert_contains (cli->err, "SHA-256 fingerprint");
  /* AA:BB:… for people: the same bytes. */
  assert_contains (cli->err, (char []) { upper[0], upper[1], ':', upper[2], upper[3], '\0' });

  /* The option as printed, copied from stderr. */
  given = strstr (cli->err, "--pin-sha256 ");
  pin = g_strndup (given + strlen ("--pin-sha256 "), strcspn (given + strlen ("--pin-sha256 "), "\n"));
  cli = cli_run (fixture, 0, "connect", "--pin-sha256", pin, url);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);

  tls_server_free (fixture, server);
}

/* --ca FILE: a server signed by that authority is trusted. */
static void
test_tls_ca (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *url = NULL;
  SoupServer *server = tls_server_new (fixture, "server", NULL, &url);
  g_autofree char *ca = tls_fixture ("ca.pem");
  g_autofree char *missing = g_build_filename (fixture->tmpdir, "missing.pem", NULL);
  Cli *cli;

  cli = cli_run (fixture, 1, "connect", url);
  assert_contains (cli->err, "the certificate was refused");

  cli = cli_run (fixture, 0, "connect", "--ca", ca, url);
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);
  g_assert_cmpstr (cli->err, ==, "");

  cli = cli_run (fixture, 2, "connect", "--ca", missing, url);
  assert_contains (cli->err, "--ca: ");

  tls_server_free (fixture, server);
}

/* --insecure: connects, warns loudly, and the handshake record still
 * shows the certificate. */
static void
test_tls_insecure (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = NULL;
  SoupServer *server = tls_server_new (fixture, "self-signed", NULL, &url);
  g_autofree char *fingerprint = tls_fingerprint ("self-signed.pem");
  JsonObject *handshake;
  JsonObject *certificate;
  Cli *cli;

  cli = cli_run (fixture, 0, "connect", "--insecure", url);
  assert_contains (cli->err, "WARNING: --insecure");
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);
  handshake = cli_event (cli, "handshake");
  g_assert_true (json_object_get_boolean_member (handshake, "insecure"));
  certificate = json_object_get_object_member (handshake, "certificate");
  g_assert_nonnull (certificate);
  g_assert_cmpstr (json_object_get_string_member (certificate, "sha256"), ==, fingerprint);
  g_assert_cmpint (json_object_get_int_member (certificate, "flags") & G_TLS_CERTIFICATE_UNKNOWN_CA, !=, 0);

  cli = cli_run (fixture, 2, "connect", "--insecure", "--pin-sha256", fingerprint, url);
  assert_contains (cli->err, "exclude each other");

  tls_server_free (fixture, server);
}

/* --cert with --key (PEM) or a PKCS#12 file and its password from the
 * environment: the server sees the client certificate. */
static void
test_tls_client_certificate (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const env[] = { "SONDE_TEST_P12=sonde-test", "SONDE_TEST_WRONG=nope", NULL };
  g_autofree char *url = NULL;
  SoupServer *server = tls_server_new (fixture, "server", "ca.pem", &url);
  g_autofree char *ca = tls_fixture ("ca.pem");
  g_autofree char *cert = tls_fixture ("client.pem");
  g_autofree char *key = tls_fixture ("client.key");
  g_autofree char *p12 = tls_fixture ("client.p12");
  Cli *cli;

  fixture->env = env;

  /* Without one, the server refuses. */
  cli_run (fixture, 1, "connect", "--ca", ca, url);
  g_assert_null (fixture->client_subject);

  cli = cli_run (fixture, 0, "connect", "--ca", ca, "--cert", cert, "--key", key, url);
  assert_contains (fixture->client_subject, "CN=Sonde Test Client");
  assert_record_payload (cli_find (cli, "in", NULL, 0), "text", "hello", 5);

  g_clear_pointer (&fixture->client_subject, g_free);
  cli = cli_run (fixture, 0, "connect", "--ca", ca, "--cert", p12, "--cert-password-env", "SONDE_TEST_P12", url);
  assert_contains (fixture->client_subject, "CN=Sonde Test Client");

  /* A wrong password, an unset variable, a key without --cert: usage. */
  cli = cli_run (fixture, 2, "connect", "--cert", p12, "--cert-password-env", "SONDE_TEST_WRONG", url);
  assert_contains (cli->err, "--cert: ");
  cli = cli_run (fixture, 2, "connect", "--cert", p12, "--cert-password-env", "SONDE_TEST_UNSET", url);
  assert_contains (cli->err, "SONDE_TEST_UNSET is not set");
  cli = cli_run (fixture, 2, "connect", "--key", key, url);
  assert_contains (cli->err, "--key and --cert-password-env go with --cert FILE");

  fixture->env = NULL;
  tls_server_free (fixture, server);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

#define ADD(path, func) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("usage-errors", test_usage_errors);
  ADD ("refused", test_refused);
  ADD ("demo-count", test_demo_count);
  ADD ("demo-count-fast", test_demo_count_fast);
  ADD ("demo-echo", test_demo_echo);
  ADD ("send-text", test_send_text);
  ADD ("latency-probe", test_latency_probe);
  ADD ("send-binary", test_send_binary);
  ADD ("send-file", test_send_file);
  ADD ("headers-and-origin", test_headers_and_origin);
  ADD ("protocol", test_protocol);
  ADD ("server-close-normal", test_server_close_normal);
  ADD ("server-close-abnormal", test_server_close_abnormal);
  ADD ("server-drop", test_server_drop);
  ADD ("count-short", test_count_short);
  ADD ("raw", test_raw);
  ADD ("raw-exact", test_raw_exact);
  ADD ("json-redacted", test_json_redacted);
  ADD ("stdin/lines", test_stdin_lines);
  ADD ("stdin/keeps-listening", test_stdin_keeps_listening);
  ADD ("stdin/binary", test_stdin_binary);
  ADD ("stdin/slash", test_stdin_slash);
  ADD ("send-nul", test_send_nul);
  ADD ("close-code", test_close_code);
  ADD ("pings-from-server", test_pings_from_server);
  ADD ("frames", test_frames);
  ADD ("ping-flood", test_ping_flood);
  ADD ("tls/refused", test_tls_refused);
  ADD ("tls/ca", test_tls_ca);
  ADD ("tls/insecure", test_tls_insecure);
  ADD ("tls/client-certificate", test_tls_client_certificate);
  ADD ("echo", test_echo);
  ADD ("timeout", test_timeout);
  ADD ("timeout-in-handshake", test_timeout_in_handshake);
  ADD ("max-message", test_max_message);
  ADD ("serve-demo", test_serve_demo);
  ADD ("serve-demo-port-in-use", test_serve_demo_port_in_use);
  ADD ("extract-known", test_extract_known);
  ADD ("extract-without-where", test_extract_without_where);
  ADD ("where-records", test_where_records);
  ADD ("extract-failed-run", test_extract_failed_run);
  ADD ("extract-usage-errors", test_extract_usage_errors);
  ADD ("demo-extract", test_demo_extract);
  ADD ("profile/handshake", test_profile_handshake);
  ADD ("profile/override", test_profile_override);
  ADD ("profile/wrong-token", test_profile_wrong_token);
  ADD ("profile/on-open", test_profile_on_open);
  ADD ("profile/errors", test_profile_errors);
#undef ADD

  return g_test_run ();
}
