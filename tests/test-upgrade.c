/* test-upgrade.c: SondeUpgrade, Sonde's own opening handshake over GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/upgrade_server.py answers the handshake breaking one rule
 * per path (a wrong Sec-WebSocket-Accept, no Upgrade, a subprotocol or an
 * extension never offered, redirects, refused answers with bodies); the
 * happy paths run against real peers (Python `websockets`, Node `ws`),
 * directly and through real proxies from Debian: tinyproxy (HTTP CONNECT),
 * stunnel in front of it (an https:// proxy), microsocks (SOCKS5) and
 * tinyproxy again as the system's proxy (no proxy in the profile), each
 * started here with its configuration in a
 * temporary directory on a 127.0.0.1 port, under `timeout` so that it
 * stops by itself, and killed on teardown.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-deflate-extension.h"
#include "sonde-error.h"
#include "sonde-handshake.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"
#include "sonde-upgrade.h"

#define WAIT_MS 15000

typedef struct {
  SondeTestPeer          *server;
  SondeConnectionOptions *options;
  SondeUpgrade           *upgrade;
  GError                 *error;
  gboolean                done;
  gboolean                ok;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = sonde_test_peer_start_script ("upgrade_server.py", NULL, &error);
  g_assert_no_error (error);
  fixture->options = sonde_connection_options_new ();
  fixture->options->handshake_timeout_ms = 10000;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->upgrade != NULL)
    {
      /* The stream is closed with the object. */
      GIOStream *stream = sonde_upgrade_get_stream (fixture->upgrade);

      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      g_assert_finalize_object (g_steal_pointer (&fixture->upgrade));
    }
  g_clear_error (&fixture->error);
  g_clear_pointer (&fixture->options, sonde_connection_options_free);
  if (fixture->server != NULL)
    g_assert_true (sonde_test_peer_stop (fixture->server, NULL));
  g_clear_pointer (&fixture->server, sonde_test_peer_free);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fixture *fixture = data;

  fixture->ok = sonde_upgrade_run_finish (SONDE_UPGRADE (source), result, &fixture->error);
  fixture->done = TRUE;
}

/* Runs one handshake to @url to its end. */
static gboolean
run_url (Fixture    *fixture,
         const char *url)
{
  g_clear_error (&fixture->error);
  if (fixture->upgrade != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->upgrade));
  fixture->done = FALSE;
  fixture->upgrade = sonde_upgrade_new (fixture->options, url, NULL, NULL);
  sonde_upgrade_run_async (fixture->upgrade, NULL, on_done, fixture);
  SONDE_TEST_ASSERT_WAIT (fixture->done, WAIT_MS);
  if (fixture->error != NULL)
    g_test_message ("%s: %s", url, fixture->error->message);
  return fixture->ok;
}

static gboolean
run (Fixture    *fixture,
     const char *path)
{
  g_autofree char *url = sonde_test_peer_dup_url (fixture->server, path);

  return run_url (fixture, url);
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text ? text : "(null)", part);
}

static SondeHandshake *
handshake_at (Fixture *fixture,
              guint    index)
{
  GPtrArray *handshakes = sonde_upgrade_get_handshakes (fixture->upgrade);

  g_assert_cmpuint (index, <, handshakes->len);
  return g_ptr_array_index (handshakes, index);
}

/* The request, as the server read it: exactly the handshake's headers,
 * nothing else, and the record says the same. */
static void
test_request (Fixture       *fixture,
              gconstpointer  data)
{
  const char *protocols[] = { "chat.v1", "chat.v2", NULL };
  const char *headers[] = { "X-Test: 1", NULL };
  g_autofree char *host = g_strdup_printf ("Host: 127.0.0.1:%u\r\n", sonde_test_peer_get_port (fixture->server));
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  SondeHandshake *handshake;
  SondeHandshakeTimings timings;
  const guint8 *bytes;
  gsize size;

  fixture->options->protocols = g_strdupv ((char **) protocols);
  fixture->options->headers = g_strdupv ((char **) headers);
  fixture->options->origin = g_strdup ("http://o.example");
  g_assert_true (run (fixture, "/request?x=1"));

  /* The leftover is one text frame with the request head in it. */
  bytes = g_bytes_get_data (sonde_upgrade_get_leftover (fixture->upgrade), &size);
  g_assert_cmpuint (size, >, 4);
  g_assert_cmphex (bytes[0], ==, 0x81);
  g_assert_cmphex (bytes[1], ==, 126);
  g_assert_cmpuint (size, ==, 4 + ((bytes[2] << 8) | bytes[3]));
  head = g_strndup ((const char *) bytes + 4, size - 4);
  g_test_message ("%s", head);

  g_assert_true (g_str_has_prefix (head, "GET /request?x=1 HTTP/1.1\r\n"));
  assert_contains (head, host);
  assert_contains (head, "\r\nUpgrade: websocket\r\n");
  assert_contains (head, "\r\nConnection: Upgrade\r\n");
  assert_contains (head, "\r\nSec-WebSocket-Version: 13\r\n");
  assert_contains (head, "\r\nOrigin: http://o.example\r\n");
  assert_contains (head, "\r\nSec-WebSocket-Protocol: chat.v1, chat.v2\r\n");
  assert_contains (head, "\r\nX-Test: 1\r\n");
  assert_contains (head, "\r\nUser-Agent: Sonde/" PACKAGE_VERSION "\r\n");
  g_assert_null (strstr (head, "Accept-Encoding"));
  g_assert_null (strstr (head, "Sec-WebSocket-Extensions"));
  g_assert_true (g_str_has_suffix (head, "\r\n\r\n"));

  /* Request line, then 9 headers, each in the record, in order. */
  lines = g_strsplit (head, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 9 + 2);
  handshake = handshake_at (fixture, 0);
  g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, lines[0]);
  g_assert_cmpuint (sonde_handshake_get_n_request_headers (handshake), ==, 9);
  for (guint i = 0; i < 9; i++)
    {
      const char *name;
      const char *value;
      g_autofree char *line = NULL;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      line = g_strdup_printf ("%s: %s", name, value);
      g_assert_cmpstr (line, ==, lines[i + 1]);
      if (g_str_equal (name, "Sec-WebSocket-Key"))
        {
          gsize key_size;
          g_autofree guchar *key = g_base64_decode (value, &key_size);

          g_assert_cmpuint (key_size, ==, 16);
        }
    }

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_status_line (handshake), ==, "HTTP/1.1 101 Switching Protocols");
  sonde_handshake_get_timings (handshake, &timings);
  g_assert_cmpfloat (timings.connect_ms, >=, 0);
  g_assert_cmpfloat (timings.upgrade_ms, >=, 0);
  g_assert_cmpfloat (timings.tls_ms, <, 0);
  g_assert_cmpfloat (timings.total_ms, >=, timings.upgrade_ms);
  g_assert_null (sonde_upgrade_get_protocol (fixture->upgrade));
}

/* Frames that came in the same packet as the 101 are kept, byte for byte. */
static void
test_leftover (Fixture       *fixture,
               gconstpointer  data)
{
  static const guint8 frames[] = { 0x81, 5, 'f', 'i', 'r', 's', 't', 0x82, 3, 0, 1, 2 };
  GBytes *leftover;
  GIOStream *stream;

  g_assert_true (run (fixture, "/leftover"));
  leftover = sonde_upgrade_get_leftover (fixture->upgrade);
  g_assert_cmpmem (g_bytes_get_data (leftover, NULL), g_bytes_get_size (leftover), frames, sizeof frames);

  stream = sonde_upgrade_get_stream (fixture->upgrade);
  g_assert_true (G_IS_SOCKET_CONNECTION (stream));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream))));
  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream))));
}

typedef struct {
  const char *path;
  const char *says;
} Invalid;

static const Invalid invalid_cases[] = {
  { "/bad-accept", "(HTTP 101): Server returned incorrect “Sec-WebSocket-Accept” key (expected “" },
  { "/no-accept", "(HTTP 101): Server returned no “Sec-WebSocket-Accept” key" },
  { "/no-upgrade", "(HTTP 101): its “Upgrade” header is missing (it must be “websocket”)" },
  { "/upgrade-h2c", "(HTTP 101): its “Upgrade” header is “h2c”, not “websocket”" },
  { "/no-connection", "(HTTP 101): its “Connection” header is missing (it must contain “Upgrade”)" },
  { "/connection-close", "(HTTP 101): its “Connection” header is “close”, which does not contain “Upgrade”" },
  { "/protocol", "(HTTP 101): the server chose the subprotocol “chat.v9”, which Sonde did not offer (offered: chat.v1)" },
  { "/deflate", "(HTTP 101): the server enabled the extension “permessage-deflate”, which Sonde did not offer "
                "(compression is off)" },
};

/* Each rule a 101 can break: its own error, naming what came. */
static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  const Invalid *c = data;
  const char *protocols[] = { "chat.v1", NULL };
  g_autofree char *prefix = g_strdup_printf ("Invalid handshake response from 127.0.0.1:%u ",
                                             sonde_test_peer_get_port (fixture->server));

  fixture->options->protocols = g_strdupv ((char **) protocols);
  g_assert_false (run (fixture, c->path));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID);
  g_assert_true (g_str_has_prefix (fixture->error->message, prefix));
  assert_contains (fixture->error->message, c->says);

  /* The answer is on record; nothing was agreed. */
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 1);
  g_assert_cmpuint (sonde_upgrade_get_status (fixture->upgrade), ==, 101);
  g_assert_null (sonde_handshake_get_protocol (handshake_at (fixture, 0)));
  g_assert_null (sonde_upgrade_get_stream (fixture->upgrade));
  g_assert_null (sonde_upgrade_get_leftover (fixture->upgrade));
}

/* With compression on: permessage-deflate is configured from the answer;
 * anything else the server enables is named; bad parameters too. */
static void
test_extensions (Fixture       *fixture,
                 gconstpointer  data)
{
  GList *objects;
  SondeHandshake *handshake;

  fixture->options->deflate = TRUE;

  g_assert_true (run (fixture, "/deflate"));
  objects = sonde_upgrade_get_extension_objects (fixture->upgrade);
  g_assert_cmpuint (g_list_length (objects), ==, 1);
  g_assert_true (SONDE_IS_DEFLATE_EXTENSION (objects->data));
  g_assert_cmpstr (SOUP_WEBSOCKET_EXTENSION_GET_CLASS (objects->data)->name, ==, "permessage-deflate");
  g_assert_cmpstr (sonde_upgrade_get_extensions (fixture->upgrade), ==, "permessage-deflate");
  handshake = handshake_at (fixture, 0);
  g_assert_cmpstr (sonde_handshake_get_extensions (handshake), ==, "permessage-deflate");
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name;
      const char *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_str_equal (name, "Sec-WebSocket-Extensions"))
        assert_contains (value, "permessage-deflate");
    }
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);

  g_assert_false (run (fixture, "/extension"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID);
  assert_contains (fixture->error->message,
                   "(HTTP 101): the server enabled the extension “x-sonde-unknown”, which Sonde did not offer "
                   "(offered: permessage-deflate)");

  g_assert_false (run (fixture, "/deflate-bad"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID);
  assert_contains (fixture->error->message,
                   "(HTTP 101): the server's parameters for the extension “permessage-deflate” cannot be used: ");
}

/* Followed when enabled: every hop is its own record; relative and
 * http:// Locations; a loop stops after 10. */
static void
test_redirects_on (Fixture       *fixture,
                   gconstpointer  data)
{
  guint port = sonde_test_peer_get_port (fixture->server);
  g_autofree char *last = g_strdup_printf ("ws://127.0.0.1:%u/hop/0", port);

  fixture->options->follow_redirects = TRUE;
  g_assert_true (run (fixture, "/hop/3"));
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      SondeHandshake *handshake = handshake_at (fixture, i);
      g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/hop/%u", port, 3 - i);
      g_autofree char *line = g_strdup_printf ("GET /hop/%u HTTP/1.1", 3 - i);

      g_assert_cmpstr (sonde_handshake_get_url (handshake), ==, url);
      g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, line);
      g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, i < 3 ? 302 : 101);
    }
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);

  g_assert_true (run (fixture, "/hop-abs"));
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 2);
  g_assert_cmpstr (sonde_handshake_get_url (handshake_at (fixture, 1)), ==, last);
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);

  g_assert_false (run (fixture, "/loop"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  assert_contains (fixture->error->message, "more than 10 redirects");
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 11);

  g_assert_false (run (fixture, "/hop-ftp"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  assert_contains (fixture->error->message, "redirecting to “ftp://127.0.0.1/x”, which is not a WebSocket URL");
}

static void
test_redirects_off (Fixture       *fixture,
                    gconstpointer  data)
{
  g_assert_false (run (fixture, "/hop/1"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_cmpstr (fixture->error->message, ==,
                   "Handshake refused: HTTP 302 Found, redirecting to “/hop/0”; redirects are not followed unless enabled");
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 1);
  g_assert_cmpuint (sonde_upgrade_get_status (fixture->upgrade), ==, 302);
}

typedef struct {
  const char *path;
  guint       status;
  const char *says;
  const char *body;
  gsize       body_size;
} Refused;

static const Refused refused_cases[] = {
  { "/refused-nul", 403, "Handshake refused: HTTP 403 Forbidden", "deny\0ed", 7 },
  { "/refused-chunked", 401, "Handshake refused: HTTP 401 Unauthorized", "chunk\0one|two", 13 },
  { "/refused-close", 401, "Handshake refused: HTTP 401 Unauthorized", "closed\0body", 11 },
};

/* The refused answer's body, NUL bytes and all, whatever its framing. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  const Refused *c = data;
  SondeHandshake *handshake;
  GBytes *body;
  gboolean truncated = TRUE;

  g_assert_false (run (fixture, c->path));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_cmpstr (fixture->error->message, ==, c->says);
  g_assert_cmpuint (sonde_upgrade_get_status (fixture->upgrade), ==, c->status);
  handshake = handshake_at (fixture, 0);
  body = sonde_handshake_get_response_body (handshake, &truncated);
  g_assert_nonnull (body);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), c->body, c->body_size);
  g_assert_false (truncated);
}

static void
test_refused_big (Fixture       *fixture,
                  gconstpointer  data)
{
  GBytes *body;
  gboolean truncated = FALSE;

  g_assert_false (run (fixture, "/refused-big"));
  body = sonde_handshake_get_response_body (handshake_at (fixture, 0), &truncated);
  g_assert_cmpuint (g_bytes_get_size (body), ==, SONDE_HANDSHAKE_MAX_BODY);
  g_assert_true (truncated);
}

/* A 401 asking for Basic credentials the URL has: answered once, with
 * them, and both requests are on record; without them, refused. */
static void
test_basic_auth (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("ws://me:p%%40ss@127.0.0.1:%u/basic", sonde_test_peer_get_port (fixture->server));
  SondeHandshake *retry;
  const char *name;
  const char *value;
  gboolean found = FALSE;

  g_assert_true (run_url (fixture, url));
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 2);
  g_assert_cmpuint (sonde_handshake_get_status (handshake_at (fixture, 0)), ==, 401);
  retry = handshake_at (fixture, 1);
  g_assert_cmpuint (sonde_handshake_get_status (retry), ==, 101);
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (retry); i++)
    {
      sonde_handshake_get_request_header (retry, i, &name, &value);
      if (g_str_equal (name, "Authorization"))
        {
          g_assert_cmpstr (value, ==, "Basic bWU6cEBzcw==");
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);

  g_assert_false (run (fixture, "/basic"));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 1);
}

/* A proxy that accepts and never answers: the deadline covers the proxy
 * too, and the connection was never made. */
static void
test_deadline_in_proxy (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *says = NULL;
  gint64 started;
  double elapsed;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  fixture->options->proxy = g_strdup_printf ("socks5://127.0.0.1:%u",
                                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fixture->options->handshake_timeout_ms = 1000;

  started = g_get_monotonic_time ();
  g_assert_false (run (fixture, "/ok"));
  elapsed = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  says = g_strdup_printf ("Handshake deadline exceeded: could not connect to 127.0.0.1:%u within 1 s",
                          sonde_test_peer_get_port (fixture->server));
  g_assert_error (fixture->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT);
  g_assert_cmpstr (fixture->error->message, ==, says);
  g_assert_true (sonde_upgrade_get_deadline_hit (fixture->upgrade));
  g_assert_cmpfloat (elapsed, >=, 0.9);
  g_assert_cmpfloat (elapsed, <, 5.0);
}

/* Through a connection: one handshake event per hop, then open; a refused
 * answer's body (a NUL byte in it) in the failed event and the record. */

static guint
count_kind (SondeConnection  *connection,
            SondeMessageKind  kind,
            JsonObject      **last)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.kind == kind &&
          record.direction == SONDE_DIRECTION_EVENT)
        {
          n++;
          if (last != NULL)
            {
              g_autofree char *text = g_strndup ((const char *) record.data, record.stored_size);
              g_autoptr(JsonNode) node = json_from_string (text, NULL);

              g_assert_nonnull (node);
              g_clear_pointer (last, json_object_unref);
              *last = json_object_ref (json_node_get_object (node));
            }
        }
    }
  return n;
}

/* The payload of the last event of @kind, as written. */
static char *
last_text (SondeConnection  *connection,
           SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i - 1, &record) && record.kind == kind &&
          record.direction == SONDE_DIRECTION_EVENT)
        return g_strndup ((const char *) record.data, record.stored_size);
    }
  return NULL;
}

static void
test_connection_hops (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = sonde_test_peer_dup_url (fixture->server, "/hop/2");
  g_autoptr(JsonObject) handshake = NULL;

  sonde_connection_set_follow_redirects (connection, TRUE);
  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (count_kind (connection, SONDE_MESSAGE_KIND_OPEN, NULL) == 1, WAIT_MS);
  g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_HANDSHAKE, &handshake), ==, 3);
  g_assert_cmpint (json_object_get_int_member (handshake, "status"), ==, 101);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (handshake, "url"), "/hop/0"));
  g_assert_cmpuint (sonde_handshake_get_status (sonde_connection_get_handshake (connection)), ==, 101);
  sonde_connection_close (connection, 1000, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
}

static void
test_connection_refused_body (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = sonde_test_peer_dup_url (fixture->server, "/refused-nul");
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) handshake = NULL;
  g_autofree char *raw = NULL;
  const char *body;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_FAILED, &failed), ==, 1);
  g_assert_cmpint (json_object_get_int_member (failed, "status"), ==, 403);
  /* As JSON writes a NUL byte (json-glib reads it back cut there). */
  body = json_object_get_string_member (failed, "body");
  g_assert_cmpstr (body, ==, "deny");
  raw = last_text (connection, SONDE_MESSAGE_KIND_FAILED);
  assert_contains (raw, "\"body\":\"deny\\u0000ed\"");
  g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_HANDSHAKE, &handshake), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (handshake, "body_hex"), ==, "64656e79006564");
}

/* Real peers: the handshake they accept, then a message each way over
 * libsoup's connection on the stream. */

typedef struct {
  char *received;
} Echo;

static void
on_message (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            Echo                    *echo)
{
  g_free (echo->received);
  echo->received = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

static void
echo_through (Fixture    *fixture,
              const char *url,
              const char *text)
{
  const char *protocols[] = { "chat.v1", NULL };
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  Echo echo = { NULL };

  g_clear_pointer (&fixture->options->protocols, g_strfreev);
  fixture->options->protocols = g_strdupv ((char **) protocols);
  g_assert_true (run_url (fixture, url));
  g_assert_cmpstr (sonde_upgrade_get_protocol (fixture->upgrade), ==, "chat.v1");
  g_assert_cmpuint (g_bytes_get_size (sonde_upgrade_get_leftover (fixture->upgrade)), ==, 0);

  ws = soup_websocket_connection_new (sonde_upgrade_get_stream (fixture->upgrade), uri,
                                      SOUP_WEBSOCKET_CONNECTION_CLIENT, NULL,
                                      sonde_upgrade_get_protocol (fixture->upgrade), NULL);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), &echo);
  soup_websocket_connection_send_text (ws, text);
  SONDE_TEST_ASSERT_WAIT (echo.received != NULL, WAIT_MS);
  g_assert_cmpstr (echo.received, ==, text);
  g_free (echo.received);
  soup_websocket_connection_close (ws, 1000, NULL);
  SONDE_TEST_ASSERT_WAIT (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_CLOSED, WAIT_MS);
  g_signal_handlers_disconnect_by_data (ws, &echo);
}

static void
test_peer (Fixture       *fixture,
           gconstpointer  data)
{
  SondeTestPeerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeTestPeer) peer = sonde_test_peer_start (kind, &error);
  g_autofree char *url = NULL;

  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (peer, "/echo");
  echo_through (fixture, url, "hello, peer");
  g_assert_true (sonde_test_peer_stop (peer, NULL));
}

/* Proxies from Debian, started here */

typedef struct {
  GSubprocess *process;
  char        *dir;
  guint16      port;
} Proxy;

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 1);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/* Runs @argv (under `timeout 60`, so it ends by itself) and waits until
 * its port accepts; NULL (the test skipped) when the program is missing. */
static Proxy *
proxy_start (const char * const *argv,
             guint16             port,
             char               *dir)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path (argv[0]);
  Proxy *proxy;

  if (program == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s is not installed (build-aux/dev installs it)", argv[0]);

      g_test_skip (why);
      g_free (dir);
      return NULL;
    }

  g_ptr_array_add (args, (gpointer) "timeout");
  g_ptr_array_add (args, (gpointer) "-k");
  g_ptr_array_add (args, (gpointer) "5");
  g_ptr_array_add (args, (gpointer) "60");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  proxy = g_new0 (Proxy, 1);
  proxy->dir = dir;
  proxy->port = port;
  proxy->process = g_subprocess_newv ((const char * const *) args->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                      &error);
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (accepts (port), WAIT_MS);
  return proxy;
}

static void
proxy_stop (Proxy *proxy)
{
  if (proxy == NULL)
    return;
  /* SIGTERM, which timeout passes on to the proxy (SIGKILL would end
   * timeout alone and leave the proxy running). */
  g_subprocess_send_signal (proxy->process, SIGTERM);
  g_subprocess_wait (proxy->process, NULL, NULL);
  g_object_unref (proxy->process);
  if (proxy->dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (proxy->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (proxy->dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (proxy->dir);
      g_free (proxy->dir);
    }
  g_free (proxy);
}

/* tinyproxy: ws:// and the handshake through an HTTP CONNECT tunnel; its
 * log shows the tunnel to the peer. */
static void
test_proxy_http (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-tinyproxy-XXXXXX", &error);
  g_autofree char *config = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *target = NULL;
  guint16 port = free_port ();
  const char *argv[] = { "tinyproxy", "-d", "-c", NULL, NULL };
  Proxy *proxy;

  g_assert_no_error (error);
  config = g_build_filename (dir, "tinyproxy.conf", NULL);
  log_path = g_build_filename (dir, "tinyproxy.log", NULL);
  text = g_strdup_printf ("Port %u\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"
                          "LogLevel Connect\nLogFile \"%s\"\n", port, log_path);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  argv[3] = config;
  proxy = proxy_start (argv, port, g_steal_pointer (&dir));
  if (proxy == NULL)
    return;

  peer = sonde_test_peer_start (SONDE_TEST_PEER_PYTHON, &error);
  g_assert_no_error (error);
  fixture->options->proxy = g_strdup_printf ("http://127.0.0.1:%u", port);
  url = sonde_test_peer_dup_url (peer, "/echo");
  echo_through (fixture, url, "through tinyproxy");

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  target = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/", sonde_test_peer_get_port (peer));
  g_test_message ("tinyproxy: %s", log);
  assert_contains (log, target);

  g_assert_true (sonde_test_peer_stop (peer, NULL));
  proxy_stop (proxy);
}

/* microsocks with a user and password: the handshake through SOCKS5 with
 * them, and no way through without. */
static void
test_proxy_socks5 (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port_text = NULL;
  guint16 port = free_port ();
  const char *argv[] = { "microsocks", "-i", "127.0.0.1", "-p", NULL, "-u", "sonde", "-P", "s3cret", NULL };
  Proxy *proxy;

  port_text = g_strdup_printf ("%u", port);
  argv[4] = port_text;
  proxy = proxy_start (argv, port, NULL);
  if (proxy == NULL)
    return;

  peer = sonde_test_peer_start (SONDE_TEST_PEER_NODE, &error);
  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (peer, "/echo");

  fixture->options->proxy = g_strdup_printf ("socks5://sonde:s3cret@127.0.0.1:%u", port);
  echo_through (fixture, url, "through microsocks");
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);

  g_free (fixture->options->proxy);
  fixture->options->proxy = g_strdup_printf ("socks5://sonde:wrong@127.0.0.1:%u", port);
  g_assert_false (run_url (fixture, url));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED);
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 0);

  g_assert_true (sonde_test_peer_stop (peer, NULL));
  proxy_stop (proxy);
}

/* tinyproxy on a free port with its log in @dir, @extra appended to its
 * configuration; NULL when it is not installed (the test skipped). */
static Proxy *
tinyproxy_start (const char  *extra,
                 char       **log_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-tinyproxy-XXXXXX", &error);
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  guint16 port = free_port ();
  const char *argv[] = { "tinyproxy", "-d", "-c", NULL, NULL };

  g_assert_no_error (error);
  config = g_build_filename (dir, "tinyproxy.conf", NULL);
  *log_path = g_build_filename (dir, "tinyproxy.log", NULL);
  text = g_strdup_printf ("Port %u\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"
                          "LogLevel Connect\nLogFile \"%s\"\n%s", port, *log_path, extra);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  argv[3] = config;
  return proxy_start (argv, port, g_steal_pointer (&dir));
}

/* stunnel in front of @port: TLS with the test server certificate
 * (localhost and 127.0.0.1, signed by the test CA). */
static Proxy *
stunnel_start (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-stunnel-XXXXXX", &error);
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server.key", NULL);
  guint16 tls_port = free_port ();
  const char *argv[] = { "stunnel4", NULL, NULL };

  g_assert_no_error (error);
  config = g_build_filename (dir, "stunnel.conf", NULL);
  text = g_strdup_printf ("foreground = yes\npid =\n[proxy]\naccept = 127.0.0.1:%u\n"
                          "connect = 127.0.0.1:%u\ncert = %s\nkey = %s\n",
                          tls_port, port, cert, key);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  argv[1] = config;
  return proxy_start (argv, tls_port, g_steal_pointer (&dir));
}

/* The tunnel to @peer is in tinyproxy's log. */
static void
assert_tunnel_logged (const char    *log_path,
                      SondeTestPeer *peer)
{
  g_autofree char *log = NULL;
  g_autofree char *target = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/", sonde_test_peer_get_port (peer));

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_test_message ("tinyproxy: %s", log);
  assert_contains (log, target);
}

/* An https:// proxy: TLS to the proxy (stunnel, the test CA given as the
 * profile's CA file), then CONNECT (tinyproxy behind it). Without the CA,
 * the proxy's certificate is refused, the error naming the proxy. */
static void
test_proxy_https (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *named = NULL;
  Proxy *proxy;
  Proxy *tls;

  proxy = tinyproxy_start ("", &log_path);
  if (proxy == NULL)
    return;
  tls = stunnel_start (proxy->port);
  if (tls == NULL)
    {
      proxy_stop (proxy);
      return;
    }

  peer = sonde_test_peer_start (SONDE_TEST_PEER_PYTHON, &error);
  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (peer, "/echo");
  fixture->options->proxy = g_strdup_printf ("https://127.0.0.1:%u", tls->port);
  fixture->options->ca_file = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "ca.pem", NULL);
  echo_through (fixture, url, "through stunnel and tinyproxy");
  g_assert_true (G_IS_SOCKET_CONNECTION (sonde_upgrade_get_stream (fixture->upgrade)));
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);
  assert_tunnel_logged (log_path, peer);

  /* The system's CAs do not know the test CA. */
  g_clear_pointer (&fixture->options->ca_file, g_free);
  g_assert_false (run_url (fixture, url));
  g_assert_true (fixture->error->domain == G_TLS_ERROR);
  named = g_strdup_printf ("The proxy https://127.0.0.1:%u did not open the way to 127.0.0.1:%u: ",
                           tls->port, sonde_test_peer_get_port (peer));
  g_assert_true (g_str_has_prefix (fixture->error->message, named));
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 0);

  g_assert_true (sonde_test_peer_stop (peer, NULL));
  proxy_stop (tls);
  proxy_stop (proxy);
}

/* A wrong proxy: the error says which and what it did. */
static void
test_proxy_wrong (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = sonde_test_peer_dup_url (fixture->server, "/echo");
  guint server_port = sonde_test_peer_get_port (fixture->server);
  g_autofree char *log_path = NULL;
  g_autofree char *says = NULL;
  const char *schemes[] = { "http", "https", "socks5" };
  Proxy *proxy;

  /* Nothing on the port, each kind. */
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      guint16 port = free_port ();

      g_clear_pointer (&fixture->options->proxy, g_free);
      fixture->options->proxy = g_strdup_printf ("%s://127.0.0.1:%u", schemes[i], port);
      g_assert_false (run_url (fixture, url));
      g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_free (says);
      says = g_strdup_printf ("Connection refused by the proxy %s://127.0.0.1:%u: nothing accepts connections "
                              "on that port", schemes[i], port);
      g_assert_cmpstr (fixture->error->message, ==, says);
    }

  /* tinyproxy allowing CONNECT to port 1 only: 403 for the server's. */
  proxy = tinyproxy_start ("ConnectPort 1\n", &log_path);
  if (proxy == NULL)
    return;
  g_clear_pointer (&fixture->options->proxy, g_free);
  fixture->options->proxy = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  g_assert_false (run_url (fixture, url));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED);
  g_free (says);
  says = g_strdup_printf ("The proxy http://127.0.0.1:%u did not open the way to 127.0.0.1:%u: ",
                          proxy->port, server_port);
  g_assert_true (g_str_has_prefix (fixture->error->message, says));
  g_assert_cmpuint (sonde_upgrade_get_handshakes (fixture->upgrade)->len, ==, 0);
  proxy_stop (proxy);
}

/* No proxy in the profile: the system's resolver (GIO's default), as
 * Debian 12 has it, each in a process of its own since GIO chooses it once
 * per process. Outside GNOME that is glib-networking's libproxy, reading
 * http_proxy; in GNOME (XDG_CURRENT_DESKTOP) glib-networking's GNOME
 * resolver, reading org.gnome.system.proxy (here from the memory
 * GSettings backend the tests run with). */

typedef enum {
  SYSTEM_LIBPROXY,
  SYSTEM_GNOME,
} SystemKind;

static void
test_proxy_system (gconstpointer data)
{
  SystemKind kind = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeTestPeer) peer = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *url = NULL;
  Fixture fixture_data = { NULL };
  Fixture *fixture = &fixture_data;
  Proxy *proxy;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* Before anything asks GIO for its resolver (any GSocketClient does),
   * with nothing to proxy yet. */
  g_unsetenv ("no_proxy");
  g_unsetenv ("NO_PROXY");
  g_unsetenv ("http_proxy");
  if (kind == SYSTEM_LIBPROXY)
    {
      g_unsetenv ("XDG_CURRENT_DESKTOP");
      g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_proxy_resolver_get_default ()), ==, "GLibproxyResolver");
    }
  else
    {
      g_setenv ("XDG_CURRENT_DESKTOP", "GNOME", TRUE);
      g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_proxy_resolver_get_default ()), ==, "GProxyResolverGnome");
    }

  fixture_setup (fixture, NULL);
  proxy = tinyproxy_start ("", &log_path);
  if (proxy == NULL)
    {
      fixture_teardown (fixture, NULL);
      return;
    }

  if (kind == SYSTEM_LIBPROXY)
    {
      g_autofree char *http_proxy = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);

      g_setenv ("http_proxy", http_proxy, TRUE);
    }
  else
    {
      g_autoptr(GSettings) settings = g_settings_new ("org.gnome.system.proxy");
      g_autoptr(GSettings) http = g_settings_new ("org.gnome.system.proxy.http");
      const char *none[] = { NULL };

      g_assert_true (g_settings_set_string (http, "host", "127.0.0.1"));
      g_assert_true (g_settings_set_int (http, "port", proxy->port));
      /* 127.0.0.0/8 is ignored by default. */
      g_assert_true (g_settings_set_strv (settings, "ignore-hosts", none));
      g_assert_true (g_settings_set_string (settings, "mode", "manual"));
    }

  peer = sonde_test_peer_start (SONDE_TEST_PEER_NODE, &error);
  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (peer, "/echo");
  g_assert_null (fixture->options->proxy);
  echo_through (fixture, url, "through the system's proxy");
  g_io_stream_close (sonde_upgrade_get_stream (fixture->upgrade), NULL, NULL);
  assert_tunnel_logged (log_path, peer);

  /* The proxy gone: the error names it, found by the system's resolver. */
  proxy_stop (g_steal_pointer (&proxy));
  g_assert_false (run_url (fixture, url));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  assert_contains (fixture->error->message, "Connection refused by the proxy http://127.0.0.1:");

  g_assert_true (sonde_test_peer_stop (peer, NULL));
  fixture_teardown (fixture, NULL);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/upgrade/request", Fixture, NULL, fixture_setup, test_request, fixture_teardown);
  g_test_add ("/upgrade/leftover", Fixture, NULL, fixture_setup, test_leftover, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/upgrade/invalid%s", invalid_cases[i].path);

      g_test_add (name, Fixture, &invalid_cases[i], fixture_setup, test_invalid, fixture_teardown);
    }
  g_test_add ("/upgrade/extensions", Fixture, NULL, fixture_setup, test_extensions, fixture_teardown);
  g_test_add ("/upgrade/redirects-on", Fixture, NULL, fixture_setup, test_redirects_on, fixture_teardown);
  g_test_add ("/upgrade/redirects-off", Fixture, NULL, fixture_setup, test_redirects_off, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/upgrade/refused%s", refused_cases[i].path);

      g_test_add (name, Fixture, &refused_cases[i], fixture_setup, test_refused, fixture_teardown);
    }
  g_test_add ("/upgrade/refused-big", Fixture, NULL, fixture_setup, test_refused_big, fixture_teardown);
  g_test_add ("/upgrade/basic-auth", Fixture, NULL, fixture_setup, test_basic_auth, fixture_teardown);
  g_test_add ("/upgrade/deadline-in-proxy", Fixture, NULL, fixture_setup, test_deadline_in_proxy, fixture_teardown);
  g_test_add ("/upgrade/connection/hops", Fixture, NULL, fixture_setup, test_connection_hops, fixture_teardown);
  g_test_add ("/upgrade/connection/refused-body", Fixture, NULL, fixture_setup, test_connection_refused_body,
              fixture_teardown);
  g_test_add ("/upgrade/peer/python", Fixture, GINT_TO_POINTER (SONDE_TEST_PEER_PYTHON),
              fixture_setup, test_peer, fixture_teardown);
  g_test_add ("/upgrade/peer/node", Fixture, GINT_TO_POINTER (SONDE_TEST_PEER_NODE),
              fixture_setup, test_peer, fixture_teardown);
  g_test_add ("/upgrade/proxy/http-connect", Fixture, NULL, fixture_setup, test_proxy_http, fixture_teardown);
  g_test_add ("/upgrade/proxy/socks5", Fixture, NULL, fixture_setup, test_proxy_socks5, fixture_teardown);
  g_test_add ("/upgrade/proxy/https", Fixture, NULL, fixture_setup, test_proxy_https, fixture_teardown);
  g_test_add ("/upgrade/proxy/wrong", Fixture, NULL, fixture_setup, test_proxy_wrong, fixture_teardown);
  g_test_add_data_func ("/upgrade/proxy/system/libproxy", GINT_TO_POINTER (SYSTEM_LIBPROXY), test_proxy_system);
  g_test_add_data_func ("/upgrade/proxy/system/gnome", GINT_TO_POINTER (SYSTEM_GNOME), test_proxy_system);

  return g_test_run ();
}
