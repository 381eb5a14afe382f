/* test-connection.c: SondeConnection against an in-process SoupServer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs on the test's main context; the connection runs libsoup
 * on its own I/O thread, so the two never share a loop.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#endif

#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-demo-server.h"
#include "sonde-error.h"
#include "sonde-profile.h"
#include "sonde-test-raw-server.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

typedef struct {
  SoupServer              *server;
  guint16                  port;
  SoupWebsocketConnection *peer;        /* the server side of the last connection */
  SoupMessageHeaders      *request_headers;
  char                    *origin;
  GPtrArray               *received;    /* GBytes, what the server got */
  gushort                  peer_close_code;
  char                    *peer_close_data;
  gboolean                 peer_closed;
  const char              *on_open;     /* what the server does right after the handshake */
  SondeConnection         *connection;
} Fixture;

static void
on_peer_message (SoupWebsocketConnection *ws,
                 SoupWebsocketDataType    type,
                 GBytes                  *message,
                 Fixture                 *fixture)
{
  g_ptr_array_add (fixture->received, g_bytes_ref (message));

  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (ws, type, message);
}

static void
on_peer_closed (SoupWebsocketConnection *ws,
                Fixture                 *fixture)
{
  fixture->peer_closed = TRUE;
  fixture->peer_close_code = soup_websocket_connection_get_close_code (ws);
  g_free (fixture->peer_close_data);
  fixture->peer_close_data = g_strdup (soup_websocket_connection_get_close_data (ws));
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  Fixture *fixture = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  g_clear_object (&fixture->peer);
  fixture->peer = g_object_ref (ws);
  fixture->peer_closed = FALSE;

  g_clear_pointer (&fixture->request_headers, soup_message_headers_unref);
  fixture->request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (fixture->request_headers, name, value);

  soup_websocket_connection_set_max_incoming_payload_size (ws, 64 * 1024 * 1024);
  g_signal_connect (ws, "message", G_CALLBACK (on_peer_message), fixture);
  g_signal_connect (ws, "closed", G_CALLBACK (on_peer_closed), fixture);

  if (g_str_equal (path, "/ws/close-1000"))
    soup_websocket_connection_close (ws, 1000, "server done");
  else if (g_str_equal (path, "/ws/close-1001"))
    soup_websocket_connection_close (ws, 1001, NULL);
  else if (g_str_equal (path, "/ws/close-4000"))
    soup_websocket_connection_close (ws, 4000, "app says bye");
  else if (g_str_equal (path, "/ws/drop"))
    {
      soup_websocket_connection_send_text (ws, "last words");
      g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL, NULL);
    }
  else if (g_str_equal (path, "/ws/big"))
    {
      g_autofree char *text = g_strnfill (2000, 'b');
      soup_websocket_connection_send_text (ws, text);
    }
}

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  if (g_str_equal (path, "/private"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "WWW-Authenticate", "Bearer realm=\"feed\"");
    }
  else if (g_str_equal (path, "/moved"))
    {
      g_autofree char *location = g_strdup_printf ("ws://127.0.0.1:%u/ws/echo", ((Fixture *) data)->port);

      soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, location);
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "plain page", 10);
    }
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *protocols[] = { "chat.v1", "chat.v2", NULL };
  GSList *uris;

  fixture->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, on_http, fixture, NULL);
  soup_server_add_websocket_handler (fixture->server, "/ws", NULL, NULL, on_websocket, fixture, NULL);
  soup_server_add_websocket_handler (fixture->server, "/chat", NULL, protocols, on_websocket, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  fixture->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->connection = sonde_connection_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN)
    sonde_connection_close (fixture->connection, 1000, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  /* Every event as docs/record.schema.json documents it. */
  sonde_test_assert_log_records (sonde_connection_get_log (fixture->connection));
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));

  if (fixture->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (fixture->peer, fixture);
      g_clear_object (&fixture->peer);
    }
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (g_steal_pointer (&fixture->server));
  g_clear_pointer (&fixture->request_headers, soup_message_headers_unref);
  g_clear_pointer (&fixture->received, g_ptr_array_unref);
  g_free (fixture->peer_close_data);
  g_free (fixture->origin);
}

static char *
url_for (Fixture    *fixture,
         const char *path)
{
  return g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->port, path);
}

static void
connect_to (Fixture    *fixture,
            const char *path)
{
  g_autofree char *url = url_for (fixture, path);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CONNECTING);
}

static void
connect_open (Fixture    *fixture,
              const char *path)
{
  connect_to (fixture, path);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) != SONDE_CONNECTION_STATE_CONNECTING,
                          WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_OPEN);
}

/* The JSON payload of the last event of @kind, parsed. */
static JsonObject *
last_event (SondeConnection  *connection,
            SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i - 1, &record));
      if (record.direction == SONDE_DIRECTION_EVENT && record.kind == kind)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          json_parser_load_from_data (parser, (const char *) record.data, (gssize) record.stored_size, &error);
          g_assert_no_error (error);
          return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
        }
    }

  return NULL;
}

static gboolean
has_incoming (SondeConnection *connection,
              guint            n)
{
  return sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT) +
         sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY) >= n;
}

/* The n-th received message of the log. */
static gboolean
nth_incoming (SondeConnection *connection,
              guint            n,
              SondeRecord     *out)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, out));
      if (out->direction == SONDE_DIRECTION_IN && n-- == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_invalid_urls (void)
{
  static const struct {
    const char *url;
    int         code;
    const char *says;
  } cases[] = {
    { "", SONDE_ERROR_INVALID_URL, "empty" },
    { "   ", SONDE_ERROR_INVALID_URL, "empty" },
    { "example.com/feed", SONDE_ERROR_INVALID_URL, "no scheme" },
    { "ftp://example.com/", SONDE_ERROR_UNSUPPORTED_SCHEME, "ftp" },
    { "mailto://x", SONDE_ERROR_UNSUPPORTED_SCHEME, "mailto" },
    { "ws://", SONDE_ERROR_INVALID_URL, "no host" },
    { "ws:///path", SONDE_ERROR_INVALID_URL, "no host" },
    { "ws://exa mple.com/", SONDE_ERROR_INVALID_URL, "space" },
    { "ws://example.com:99999/", SONDE_ERROR_INVALID_URL, "not a valid URL" },
    { "ws://example.com:0/", SONDE_ERROR_INVALID_URL, "port 0" },
    { "ws://[::1/", SONDE_ERROR_INVALID_URL, "not a valid URL" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeConnection) connection = sonde_connection_new ();
      g_autoptr(GError) error = NULL;

      sonde_connection_set_url (connection, cases[i].url);
      g_assert_false (sonde_connection_connect (connection, &error));
      g_assert_error (error, SONDE_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", cases[i].url, error->message, cases[i].says);
      /* Refused at once: no thread, no state change, nothing logged. */
      g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_DISCONNECTED);
      g_assert_cmpuint (sonde_message_log_get_n_records (sonde_connection_get_log (connection)), ==, 0);
      g_assert_finalize_object (g_steal_pointer (&connection));
    }
}

static void
test_invalid_options (void)
{
  static const struct {
    const char *header;
    const char *says;
  } bad_headers[] = {
    { "NoColon", "no colon" },
    { ": value", "no name" },
    { "Bad Name: x", "cannot contain" },
    { "X-Evil: a\r\nInjected: b", "line break" },
    { "Sec-WebSocket-Key: abc", "cannot be set by hand" },
    { "Origin: https://x", "Origin option" },
    { "sec-websocket-protocol: chat", "subprotocol list" },
  };
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GError) error = NULL;
  const char *protocols[] = { "bad protocol", NULL };

  sonde_connection_set_url (connection, "ws://127.0.0.1:9/");

  for (guint i = 0; i < G_N_ELEMENTS (bad_headers); i++)
    {
      const char *headers[] = { "X-Fine: yes", bad_headers[i].header, NULL };

      sonde_connection_set_headers (connection, headers);
      g_assert_false (sonde_connection_connect (connection, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER);
      if (strstr (error->message, bad_headers[i].says) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", bad_headers[i].header, error->message, bad_headers[i].says);
      g_clear_error (&error);
    }
  sonde_connection_set_headers (connection, NULL);

  /* libsoup 3.2 reads 0 as "unlimited": refused, with the reason. */
  sonde_connection_set_max_message_size (connection, 0);
  g_assert_false (sonde_connection_connect (connection, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "no limit"));
  g_clear_error (&error);
  sonde_connection_set_max_message_size (connection, SONDE_DEFAULT_MAX_MESSAGE_SIZE);

  sonde_connection_set_handshake_timeout (connection, 0);
  g_assert_false (sonde_connection_connect (connection, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  sonde_connection_set_handshake_timeout (connection, SONDE_DEFAULT_HANDSHAKE_TIMEOUT);

  sonde_connection_set_protocols (connection, protocols);
  g_assert_false (sonde_connection_connect (connection, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_DISCONNECTED);
}

static void
test_send_when_not_open (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;

  g_assert_false (sonde_connection_send_text (connection, "hello", -1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_assert_nonnull (strstr (error->message, "disconnected"));
  g_clear_error (&error);
  g_assert_false (sonde_connection_send_binary (connection, bytes, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_clear_error (&error);
  g_assert_false (sonde_connection_send_json (connection, "{}", -1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_clear_error (&error);
  g_assert_false (sonde_connection_close (connection, 1000, NULL, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
}

static void
test_refused_port (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(JsonObject) failed = NULL;
  g_autofree char *url = NULL;
  const GError *error;

  /* A port that is bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("ws://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_null (sonde_connection_get_handshake (fixture->connection));

  failed = last_event (fixture->connection, SONDE_MESSAGE_KIND_FAILED);
  g_assert_nonnull (failed);
  g_assert_nonnull (strstr (json_object_get_string_member (failed, "error"), "refused"));
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CONNECTING), ==, 1);
}

static void
test_echo_text_and_binary (Fixture       *fixture,
                           gconstpointer  data)
{
  static const guint8 binary[] = { 0x00, 0x01, 0x00, 0xff, 0x00 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (binary, sizeof binary);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_malloc (1024 * 1024 + 1);
  SondeRecord record;
  SondeStats stats;

  connect_open (fixture, "/ws/echo");

  g_assert_true (sonde_connection_send_text (fixture->connection, "héllo wörld ✓", -1, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_connection_send_binary (fixture->connection, bytes, &error));
  g_assert_true (sonde_connection_send_text (fixture->connection, "", 0, &error));
  memset (big, 'q', 1024 * 1024);
  big[1024 * 1024] = '\0';
  g_assert_true (sonde_connection_send_text (fixture->connection, big, 1024 * 1024, &error));
  g_assert_true (sonde_connection_send_json (fixture->connection, "{\"op\": \"ping\"}", -1, &error));

  SONDE_TEST_ASSERT_WAIT (has_incoming (fixture->connection, 5), WAIT_MS);

  g_assert_true (nth_incoming (fixture->connection, 0, &record));
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpmem (record.data, record.stored_size, "héllo wörld ✓", strlen ("héllo wörld ✓"));

  g_assert_true (nth_incoming (fixture->connection, 1, &record));
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_BINARY);
  g_assert_cmpmem (record.data, record.stored_size, binary, sizeof binary);

  g_assert_true (nth_incoming (fixture->connection, 2, &record));
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpuint (record.size, ==, 0);

  g_assert_true (nth_incoming (fixture->connection, 3, &record));
  g_assert_cmpuint (record.size, ==, 1024 * 1024);
  g_assert_cmpmem (record.data, record.stored_size, big, 1024 * 1024);

  g_assert_true (nth_incoming (fixture->connection, 4, &record));
  g_assert_cmpmem (record.data, record.stored_size, "{\"op\": \"ping\"}", 14);

  /* What went out is in the log too, in order, and the server got it all. */
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT), ==, 4);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY), ==, 1);
  g_assert_cmpuint (fixture->received->len, ==, 5);
  g_assert_cmpmem (g_bytes_get_data (fixture->received->pdata[1], NULL),
                   g_bytes_get_size (fixture->received->pdata[1]), binary, sizeof binary);

  sonde_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.messages_in, ==, 5);
  g_assert_cmpuint (stats.messages_out, ==, 5);
  g_assert_cmpuint (stats.bytes_in, ==, stats.bytes_out);
  g_assert_cmpuint (stats.bytes_in, ==, strlen ("héllo wörld ✓") + sizeof binary + 1024 * 1024 + 14);
  g_assert_cmpint (stats.last_in_wall_us, >, 0);
  g_assert_cmpfloat (stats.messages_in_per_s, >, 0);
}

static void
test_invalid_text_and_json (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  connect_open (fixture, "/ws/echo");

  g_assert_false (sonde_connection_send_text (fixture->connection, "ok\xff\xfe", 4, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEXT);
  g_assert_nonnull (strstr (error->message, "offset 2"));
  g_clear_error (&error);

  g_assert_false (sonde_connection_send_json (fixture->connection, "{\"a\": 1,", -1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_clear_error (&error);
  g_assert_false (sonde_connection_send_json (fixture->connection, "", -1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_clear_error (&error);

  /* Nothing of that reached the wire. */
  sonde_test_spin (100);
  g_assert_cmpuint (fixture->received->len, ==, 0);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT), ==, 0);
}

static void
test_handshake_record (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *headers[] = { "X-Api-Key: k-123", "X-Trace: a", "X-Trace: b", NULL };
  const char *protocols[] = { "chat.v2", NULL };
  SondeHandshake *handshake;
  SondeHandshakeTimings timings;
  gboolean saw_host = FALSE;
  gboolean saw_key = FALSE;
  g_autoptr(JsonObject) event = NULL;

  sonde_connection_set_headers (fixture->connection, headers);
  sonde_connection_set_protocols (fixture->connection, protocols);
  sonde_connection_set_origin (fixture->connection, "https://app.example.test");
  connect_open (fixture, "/chat?room=1");

  /* What the server saw. */
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "X-Api-Key"), ==, "k-123");
  g_assert_cmpstr (soup_message_headers_get_list (fixture->request_headers, "X-Trace"), ==, "a, b");
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "Origin"), ==, "https://app.example.test");
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "Sec-WebSocket-Protocol"), ==, "chat.v2");
  g_assert_null (soup_message_headers_get_one (fixture->request_headers, "Accept-Encoding"));

  /* What we recorded. */
  g_assert_cmpstr (sonde_connection_get_protocol (fixture->connection), ==, "chat.v2");
  handshake = sonde_connection_get_handshake (fixture->connection);
  g_assert_nonnull (handshake);
  g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, "GET /chat?room=1 HTTP/1.1");
  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_status_line (handshake), ==, "HTTP/1.1 101 Switching Protocols");
  g_assert_cmpstr (sonde_handshake_get_protocol (handshake), ==, "chat.v2");
  g_assert_nonnull (sonde_handshake_get_response_header_value (handshake, "sec-websocket-accept"));

  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name;
      const char *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_ascii_strcasecmp (name, "Host") == 0)
        {
          g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", fixture->port);
          g_assert_cmpstr (value, ==, expected);
          saw_host = TRUE;
        }
      if (g_ascii_strcasecmp (name, "Sec-WebSocket-Key") == 0)
        saw_key = TRUE;
    }
  g_assert_true (saw_host);
  g_assert_true (saw_key);

  sonde_handshake_get_timings (handshake, &timings);
  g_assert_cmpfloat (timings.connect_ms, >=, 0);
  g_assert_cmpfloat (timings.tls_ms, <, 0);    /* ws:// has no TLS */
  g_assert_cmpfloat (timings.upgrade_ms, >=, 0);
  g_assert_cmpfloat (timings.total_ms, >=, timings.upgrade_ms);

  /* The handshake event carries it for the log and the CLI. */
  event = last_event (fixture->connection, SONDE_MESSAGE_KIND_HANDSHAKE);
  g_assert_cmpint (json_object_get_int_member (event, "status"), ==, 101);
  g_assert_cmpstr (json_object_get_string_member (event, "protocol"), ==, "chat.v2");
  g_assert_true (json_object_has_member (json_object_get_object_member (event, "headers"), "Sec-WebSocket-Accept"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (event, "request"), "headers"), "X-Trace"), ==, "a, b");
}

static void
test_subprotocol_mismatch (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *protocols[] = { "nope", NULL };
  const GError *error;

  sonde_connection_set_protocols (fixture->connection, protocols);
  connect_to (fixture, "/chat");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  /* libsoup's server refuses a handshake whose offers it cannot meet. */
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_error ((GError *) error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_nonnull (strstr (error->message, "HTTP 400 Bad Request"));
  g_assert_cmpuint (sonde_handshake_get_status (sonde_connection_get_handshake (fixture->connection)), ==, 400);
}

static void
test_handshake_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  SondeHandshake *handshake;
  const GError *error;

  connect_to (fixture, "/private");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_error ((GError *) error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_nonnull (strstr (error->message, "401 Unauthorized"));

  /* The refused handshake is recorded, response headers included. */
  handshake = sonde_connection_get_handshake (fixture->connection);
  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 401);
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "WWW-Authenticate"), ==, "Bearer realm=\"feed\"");

  /* A plain HTTP page is named as such. */
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
  connect_to (fixture, "/index.html");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_error ((GError *) error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_nonnull (strstr (error->message, "not a WebSocket endpoint"));
}

static void
test_redirects (Fixture       *fixture,
                gconstpointer  data)
{
  const GError *error;

  /* Not followed by default, and the message says where it pointed. */
  connect_to (fixture, "/moved");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_error ((GError *) error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
  g_assert_nonnull (strstr (error->message, "301"));
  g_assert_nonnull (strstr (error->message, "/ws/echo"));
  g_assert_nonnull (strstr (error->message, "not followed"));

  /* Followed when enabled. */
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
  sonde_connection_set_follow_redirects (fixture->connection, TRUE);
  connect_open (fixture, "/moved");
  g_assert_true (sonde_connection_send_text (fixture->connection, "after redirect", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (has_incoming (fixture->connection, 1), WAIT_MS);
}

static void
check_server_close (Fixture    *fixture,
                    const char *path,
                    guint       code,
                    const char *reason)
{
  g_autoptr(JsonObject) close_event = NULL;

  connect_to (fixture, path);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, code);
  g_assert_cmpstr (sonde_connection_get_close_reason (fixture->connection), ==, reason);
  g_assert_true (sonde_connection_get_close_was_clean (fixture->connection));

  /* Every transition is an event: connecting, handshake, open, closing, close. */
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN), ==, 1);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSING), ==, 1);
  close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, reason);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "peer");
  g_assert_cmpstr (json_object_get_string_member (close_event, "meaning"), ==, sonde_close_code_describe (code));
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));
}

static void
test_server_close_codes (Fixture       *fixture,
                         gconstpointer  data)
{
  check_server_close (fixture, "/ws/close-1000", 1000, "server done");

  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
  check_server_close (fixture, "/ws/close-1001", 1001, "");

  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
  check_server_close (fixture, "/ws/close-4000", 4000, "app says bye");
}

static void
test_client_close (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) close_event = NULL;

  connect_open (fixture, "/ws/echo");

  /* Codes an endpoint may not send are refused before anything happens. */
  g_assert_false (sonde_connection_close (fixture->connection, 1006, NULL, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE);
  g_clear_error (&error);
  g_assert_false (sonde_connection_close (fixture->connection, 2500, NULL, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE);
  g_clear_error (&error);
  {
    g_autofree char *long_reason = g_strnfill (124, 'r');
    g_assert_false (sonde_connection_close (fixture->connection, 1000, long_reason, &error));
    g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE);
    g_clear_error (&error);
  }
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_OPEN);

  g_assert_true (sonde_connection_close (fixture->connection, 4001, "client leaving", &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection) && fixture->peer_closed, WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (fixture->peer_close_code, ==, 4001);
  g_assert_cmpstr (fixture->peer_close_data, ==, "client leaving");
  /* The server echoes the code back. */
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, 4001);
  g_assert_true (sonde_connection_get_close_was_clean (fixture->connection));
  close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "local");

  /* And sending afterwards is an error, not a libsoup critical. */
  g_assert_false (sonde_connection_send_text (fixture->connection, "too late", -1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_assert_nonnull (strstr (error->message, "closed"));
}

static void
test_dropped_connection (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) close_event = NULL;
  SondeRecord record;

  connect_to (fixture, "/ws/drop");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, SONDE_CLOSE_ABNORMAL);
  g_assert_false (sonde_connection_get_close_was_clean (fixture->connection));
  close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1006);
  g_assert_false (json_object_get_boolean_member (close_event, "clean"));

  /* What came before the drop is kept. */
  g_assert_true (nth_incoming (fixture->connection, 0, &record));
  g_assert_cmpmem (record.data, record.stored_size, "last words", 10);
}

static void
test_max_message_size (Fixture       *fixture,
                     gconstpointer  data)
{
  sonde_connection_set_max_message_size (fixture->connection, 1000);
  connect_to (fixture, "/ws/big");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  /* The 2000-byte message is refused, never stored, and the error is one
   * event however often libsoup reports it. */
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT), ==, 0);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR), ==, 1);
  g_assert_nonnull (strstr (sonde_connection_get_error (fixture->connection)->message, "Message too big: a message reached"));
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_false (sonde_connection_get_close_was_clean (fixture->connection));

  /* We refused the message and closed with 1009: the close says so, whether
   * or not the server answered our Close frame. */
  {
    g_autoptr(JsonObject) close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);

    g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, 1009);
    g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "local");
  }

  /* The same message passes with the default limit. */
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
  connect_to (fixture, "/ws/big");
  SONDE_TEST_ASSERT_WAIT (has_incoming (fixture->connection, 1), WAIT_MS);
}

static void
test_http_scheme_maps_to_ws (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ws/echo#fragment", fixture->port);
  g_autofree char *expected = g_strdup_printf ("ws://127.0.0.1:%u/ws/echo", fixture->port);

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpstr (sonde_handshake_get_url (sonde_connection_get_handshake (fixture->connection)), ==, expected);
}

static void
test_connect_twice (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  connect_open (fixture, "/ws/echo");
  g_assert_false (sonde_connection_connect (fixture->connection, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_BUSY);
  g_clear_error (&error);

  /* After a close, the same object connects again; events accumulate. */
  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN), ==, 2);
}

static void
test_dispose_while_open (Fixture       *fixture,
                         gconstpointer  data)
{
  connect_open (fixture, "/ws/echo");

  /* Dropping the last reference closes politely in the background. */
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  SONDE_TEST_ASSERT_WAIT (fixture->peer_closed, WAIT_MS);
  g_assert_cmpuint (fixture->peer_close_code, ==, 1001);
  fixture->connection = sonde_connection_new ();
}

static void
test_close_while_connecting (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_SILENT, NULL, 0);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = raw_server_dup_url (server);
  g_autoptr(JsonObject) failed = NULL;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (raw_server_got_request (server), WAIT_MS);

  g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_error ((GError *) sonde_connection_get_error (connection), SONDE_ERROR, SONDE_ERROR_CANCELLED);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

/* libsoup's own timeout measures inactivity: a server that answers one byte
 * at a time never trips it. Our deadline covers the whole handshake. */
static void
test_trickled_handshake (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_TRICKLE, NULL, 0);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = raw_server_dup_url (server);
  const GError *error;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  sonde_connection_set_url (connection, url);
  sonde_connection_set_handshake_timeout (connection, 1500);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (connection);
  g_assert_error ((GError *) error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "did not complete the WebSocket handshake within 1.5 s"));
  /* The server was still trickling when we gave up. */
  g_assert_cmpuint (raw_server_get_n_bytes_sent (server), >, 2);
  g_assert_cmpfloat (elapsed, >=, 1.4);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

/* A peer that sends a close code RFC 6455 forbids on the wire: libsoup
 * answers with a protocol error; we keep the code and flag it. */
static void
test_invalid_peer_close_code (void)
{
  static const guint8 close_2000[] = { 0x07, 0xd0, 'o', 'd', 'd' };
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_CLOSE_FRAME, close_2000, sizeof close_2000);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = raw_server_dup_url (server);
  g_autoptr(JsonObject) close_event = NULL;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);

  if (sonde_connection_get_error (connection))
    g_test_message ("error: %s", sonde_connection_get_error (connection)->message);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 2000);
  g_assert_false (sonde_connection_get_close_was_clean (connection));
  close_event = last_event (connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_true (json_object_get_boolean_member (close_event, "invalid"));
  g_assert_cmpuint (sonde_test_count_records (connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

/* Frames libsoup must reject, then EOF: one event per distinct error. */
static void
test_protocol_error_is_one_event (void)
{
  /* A text frame with a reserved bit set, then another one. */
  static const guint8 frames[] = { 0xc1, 0x02, 'h', 'i', 0xc1, 0x02, 'h', 'i' };
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_RAW_FRAMES, frames, sizeof frames);
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = raw_server_dup_url (server);

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);

  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_test_count_records (connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR), ==, 1);
  g_assert_cmpuint (sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT), ==, 0);
  g_assert_false (sonde_connection_get_close_was_clean (connection));
  g_assert_finalize_object (g_steal_pointer (&connection));
}

typedef struct {
  guint  signals;
  gint64 first_us;
  gint64 last_us;
} BatchCount;

static void
on_log_changed (GListModel *model,
                guint       position,
                guint       removed,
                guint       added,
                BatchCount *count)
{
  gint64 now = g_get_monotonic_time ();

  if (added == 0)
    return;
  if (count->signals++ == 0)
    count->first_us = now;
  count->last_us = now;
}

/* A fast feed reaches the main thread in batches: at most ~60 a second
 * however many messages arrive. */
static void
test_batched_delivery (void)
{
  g_autoptr(SondeDemoServer) server = sonde_demo_server_new ();
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = NULL;
  BatchCount count = { 0 };
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint64 received;
  double seconds;

  g_assert_true (sonde_demo_server_start (server, 0, NULL));
  url = sonde_demo_server_dup_url (server, "/ticker?rate=20000");
  sonde_connection_set_url (connection, url);
  g_signal_connect (log, "items-changed", G_CALLBACK (on_log_changed), &count);
  g_assert_true (sonde_connection_connect (connection, NULL));

  SONDE_TEST_ASSERT_WAIT (sonde_message_log_get_n_records (log) > 5000 &&
                          count.last_us - count.first_us > G_USEC_PER_SEC, WAIT_MS);

  received = sonde_message_log_get_n_records (log);
  seconds = (double) (count.last_us - count.first_us) / G_USEC_PER_SEC;
  g_test_message ("%" G_GUINT64_FORMAT " records in %u batches over %.2f s", received, count.signals, seconds);
  g_assert_cmpfloat ((count.signals - 1) / seconds, <=, 62.0);
  g_assert_cmpuint (received, >, count.signals * 10);

  g_signal_handlers_disconnect_by_data (log, &count);
  g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

#ifdef __linux__
/* How many of this process's threads are I/O threads ("sonde-io") at
 * @niceness. */
static guint
count_io_threads_at (int niceness)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;
      int value;

      if (!g_file_get_contents (path, &comm, NULL, NULL) || !g_str_equal (g_strstrip (comm), "sonde-io"))
        continue;
      errno = 0;
      value = getpriority (PRIO_PROCESS, (id_t) g_ascii_strtoull (tid, NULL, 10));
      if (errno == 0 && value == niceness)
        n++;
    }
  return n;
}
#endif

/* sonde_connection_set_io_niceness(): the I/O threads started afterwards
 * run nicer than the thread that connects (Linux: nice is per thread). */
static void
test_io_niceness (void)
{
#ifdef __linux__
  g_autoptr(SondeDemoServer) server = sonde_demo_server_new ();
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = NULL;
  int base;

  errno = 0;
  base = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  if (base > 16)
    {
      g_test_skip ("already too nice to be made nicer");
      return;
    }
  g_assert_true (sonde_demo_server_start (server, 0, NULL));
  url = sonde_demo_server_dup_url (server, "/echo");
  sonde_connection_set_url (connection, url);
  g_assert_cmpuint (count_io_threads_at (base + 3), ==, 0);

  sonde_connection_set_io_niceness (3);
  g_assert_true (sonde_connection_connect (connection, NULL));
  sonde_connection_set_io_niceness (0);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpuint (count_io_threads_at (base + 3), ==, 1);

  /* The caller's own priority is untouched. */
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, base);

  g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&connection));
#else
  g_test_skip ("nice values are per thread only on Linux");
#endif
}

static gboolean
server_received (Fixture *fixture,
                 guint    n)
{
  return fixture->received->len >= n;
}

static char *
received_text (Fixture *fixture,
               guint    i)
{
  gsize length;
  const char *data = g_bytes_get_data (g_ptr_array_index (fixture->received, i), &length);

  return g_strndup (data, length);
}

static guint
count_automatic (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_OUT && (record.flags & SONDE_RECORD_FLAG_AUTOMATIC))
        n++;
    }
  return n;
}

/* On-open messages go out in order after every connect, with their
 * placeholders filled in, and are marked as sent by Sonde. */
static void
test_on_open_messages (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "auth {{seq}}"));
  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                        "{\"op\": \"subscribe\", \"id\": {{seq}}}"));
  sonde_connection_set_on_open (fixture->connection, messages);

  connect_to (fixture, "/ws/echo");
  SONDE_TEST_ASSERT_WAIT (server_received (fixture, 2), WAIT_MS);
  first = received_text (fixture, 0);
  second = received_text (fixture, 1);
  g_assert_cmpstr (first, ==, "auth 1");
  g_assert_cmpstr (second, ==, "{\"op\": \"subscribe\", \"id\": 2}");
  SONDE_TEST_ASSERT_WAIT (count_automatic (fixture->connection) == 2, WAIT_MS);

  /* And again after a reconnect, the counter going on. */
  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  connect_to (fixture, "/ws/echo");
  SONDE_TEST_ASSERT_WAIT (server_received (fixture, 4), WAIT_MS);
  third = received_text (fixture, 2);
  g_assert_cmpstr (third, ==, "auth 3");
  SONDE_TEST_ASSERT_WAIT (count_automatic (fixture->connection) == 4, WAIT_MS);
}

/* An on-open message that does not render is an error in the log and is
 * not sent; the others still go. */
static void
test_on_open_bad_template (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autoptr(JsonObject) error_event = NULL;
  g_autofree char *only = NULL;

  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "hello {{nwo}}"));
  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "second"));
  sonde_connection_set_on_open (fixture->connection, messages);

  connect_to (fixture, "/ws/echo");
  SONDE_TEST_ASSERT_WAIT (server_received (fixture, 1), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR) == 1,
                          WAIT_MS);
  sonde_test_spin (100);
  g_assert_cmpuint (fixture->received->len, ==, 1);
  only = received_text (fixture, 0);
  g_assert_cmpstr (only, ==, "second");

  error_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_ERROR);
  g_assert_nonnull (strstr (json_object_get_string_member (error_event, "error"), "On-open message 1 not sent"));
  g_assert_nonnull (strstr (json_object_get_string_member (error_event, "error"), "{{nwo}}"));
}

/* The heartbeat goes out every interval while open, marked as ours. */
static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SondeProfileMessage) beat = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                                   "{\"ping\": {{seq}}}");
  g_autofree char *first = NULL;

  sonde_connection_set_heartbeat (fixture->connection, beat, 1);
  connect_to (fixture, "/ws/echo");
  SONDE_TEST_ASSERT_WAIT (server_received (fixture, 2), WAIT_MS);
  first = received_text (fixture, 0);
  g_assert_cmpstr (first, ==, "{\"ping\": 1}");
  SONDE_TEST_ASSERT_WAIT (count_automatic (fixture->connection) >= 2, WAIT_MS);

  /* Closed: no more beats. */
  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  {
    guint n = fixture->received->len;

    sonde_test_spin (1500);
    g_assert_cmpuint (fixture->received->len, ==, n);
  }
}


static guint
count_kind (SondeConnection  *connection,
            SondeMessageKind  kind)
{
  return sonde_test_count_records (connection, SONDE_DIRECTION_EVENT, kind);
}

/* The latency probe: each echo of its UUID is a latency event with the
 * round trip; a probe that nothing answers leaves no event; a probe
 * without {{uuid}}, a reply path that does not parse or no interval are
 * refused. */
static void
test_latency_probe (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                                    "{\"op\": \"ping\", \"id\": \"{{uuid}}\"}");
  g_autoptr(SondeProfileMessage) no_uuid = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "ping {{seq}}");
  g_autoptr(JsonObject) latency = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent = NULL;
  double rtt;

  g_assert_false (sonde_connection_set_latency_probe (fixture->connection, no_uuid, "$.id", 1, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "{{uuid}}"));
  g_clear_error (&error);
  g_assert_false (sonde_connection_set_latency_probe (fixture->connection, probe, "$.id[", 1, &error));
  g_assert_nonnull (strstr (error->message, "reply path"));
  g_clear_error (&error);
  g_assert_false (sonde_connection_set_latency_probe (fixture->connection, probe, "$.id", 0, &error));
  g_clear_error (&error);
  g_assert_false (sonde_connection_get_latency_probe (fixture->connection));

  g_assert_true (sonde_connection_set_latency_probe (fixture->connection, probe, "$.id", 1, &error));
  g_assert_no_error (error);
  connect_to (fixture, "/ws/echo");
  SONDE_TEST_ASSERT_WAIT (count_kind (fixture->connection, SONDE_MESSAGE_KIND_LATENCY) >= 2, WAIT_MS);

  /* The event names the probe the server received, and follows its echo. */
  latency = last_event (fixture->connection, SONDE_MESSAGE_KIND_LATENCY);
  rtt = json_object_get_double_member (latency, "rtt_ms");
  g_assert_cmpfloat (rtt, >, 0);
  g_assert_cmpfloat (rtt, <, WAIT_MS);
  sent = received_text (fixture, 1);
  g_assert_nonnull (strstr (sent, json_object_get_string_member (latency, "probe")));
  g_assert_cmpuint (count_automatic (fixture->connection), >=, 2);

  /* Replies that do not carry the UUID at the path answer nothing. */
  g_assert_true (sonde_connection_set_latency_probe (fixture->connection, probe, "$.op", 1, &error));
  {
    guint before = count_kind (fixture->connection, SONDE_MESSAGE_KIND_LATENCY);
    guint received_before = fixture->received->len;

    SONDE_TEST_ASSERT_WAIT (fixture->received->len >= received_before + 2, WAIT_MS);
    sonde_test_spin (100);
    g_assert_cmpuint (count_kind (fixture->connection, SONDE_MESSAGE_KIND_LATENCY), ==, before);
  }

  /* Off: no more probes. */
  g_assert_true (sonde_connection_set_latency_probe (fixture->connection, NULL, NULL, 0, &error));
  {
    guint n = fixture->received->len;

    sonde_test_spin (1500);
    g_assert_cmpuint (fixture->received->len, ==, n);
  }
}

static void
enable_reconnect (SondeConnection *connection,
                  guint            max_attempts)
{
  SondeReconnectPolicy policy = { TRUE, 50, 200, max_attempts, 60000 };

  sonde_connection_set_reconnect (connection, &policy);
}

/* A drop is followed by a retry after a backoff delay, and once the
 * connection is back, by one gap event that says how long it was out. */
static void
test_reconnect_after_drop (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) reconnect = NULL;
  g_autoptr(JsonObject) gap = NULL;

  enable_reconnect (fixture->connection, 0);
  connect_to (fixture, "/ws/drop");

  /* Each connection is dropped by the server: retries go on. */
  SONDE_TEST_ASSERT_WAIT (count_kind (fixture->connection, SONDE_MESSAGE_KIND_GAP) >= 1, WAIT_MS);
  reconnect = last_event (fixture->connection, SONDE_MESSAGE_KIND_RECONNECT);
  g_assert_true (json_object_get_boolean_member (reconnect, "scheduled"));
  g_assert_cmpint (json_object_get_int_member (reconnect, "delay_ms"), <=, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (reconnect, "cause"), "closed with 1006 (Abnormal closure"));
  g_assert_false (json_object_has_member (reconnect, "stopped"));

  gap = last_event (fixture->connection, SONDE_MESSAGE_KIND_GAP);
  g_assert_cmpint (json_object_get_int_member (gap, "attempts"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (gap, "duration_ms"), >=, 0);
  g_assert_true (json_object_has_member (gap, "from"));
  g_assert_true (json_object_has_member (gap, "to"));
  /* The same cause the first reconnect event gave. */
  g_assert_nonnull (strstr (json_object_get_string_member (gap, "cause"), "closed with 1006 (Abnormal closure"));

  /* Closing by hand while waiting or open stops the retries. */
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_WAITING,
                          WAIT_MS);
  g_assert_cmpint (sonde_connection_get_reconnect_at (fixture->connection), >, 0);
  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  {
    guint n = count_kind (fixture->connection, SONDE_MESSAGE_KIND_CONNECTING);

    sonde_test_spin (500);
    g_assert_cmpuint (count_kind (fixture->connection, SONDE_MESSAGE_KIND_CONNECTING), ==, n);
  }
}

/* A refusal retrying cannot change: no retry, and the log says why. */
static void
test_no_reconnect_after_401 (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(JsonObject) reconnect = NULL;
  g_autoptr(JsonObject) failed = NULL;

  enable_reconnect (fixture->connection, 0);
  connect_to (fixture, "/private");
  SONDE_TEST_ASSERT_WAIT (count_kind (fixture->connection, SONDE_MESSAGE_KIND_RECONNECT) == 1, WAIT_MS);
  reconnect = last_event (fixture->connection, SONDE_MESSAGE_KIND_RECONNECT);
  g_assert_false (json_object_get_boolean_member (reconnect, "scheduled"));
  g_assert_cmpstr (json_object_get_string_member (reconnect, "stopped"), ==, "permanent");
  g_assert_nonnull (strstr (json_object_get_string_member (reconnect, "cause"), "401"));
  failed = last_event (fixture->connection, SONDE_MESSAGE_KIND_FAILED);
  g_assert_cmpint (json_object_get_int_member (failed, "status"), ==, 401);
  g_assert_true (json_object_get_boolean_member (failed, "permanent"));
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_FAILED);
  sonde_test_spin (400);
  g_assert_cmpuint (count_kind (fixture->connection, SONDE_MESSAGE_KIND_CONNECTING), ==, 1);
}

/* After N failed attempts in a row, the policy gives up. */
static void
test_reconnect_max_attempts (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *url = NULL;
  g_autoptr(JsonObject) last = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("ws://127.0.0.1:%u/feed", port);

  enable_reconnect (connection, 3);
  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_FAILED &&
                          count_kind (connection, SONDE_MESSAGE_KIND_RECONNECT) == 4, WAIT_MS);
  /* 1 try + 3 retries, then one "gave up". */
  g_assert_cmpuint (count_kind (connection, SONDE_MESSAGE_KIND_CONNECTING), ==, 4);
  last = last_event (connection, SONDE_MESSAGE_KIND_RECONNECT);
  g_assert_false (json_object_get_boolean_member (last, "scheduled"));
  g_assert_cmpstr (json_object_get_string_member (last, "stopped"), ==, "max_attempts");
  g_assert_cmpint (json_object_get_int_member (last, "attempt"), ==, 3);
  g_assert_true (json_object_has_member (last, "cause"));
  g_assert_finalize_object (g_steal_pointer (&connection));
}

/* Authorization and a token in the query never reach the log. */
static void
test_redaction (Fixture       *fixture,
                gconstpointer  data)
{
  static const char *headers[] = { "Authorization: Bearer CANARY-auth-91c2", "X-Plain: visible", NULL };
  g_autofree char *url = url_for (fixture, "/ws/echo?token=CANARY-query-77ab&room=1");
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  SondeHandshake *handshake;
  gboolean plain_seen = FALSE;

  sonde_connection_set_headers (fixture->connection, headers);
  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);

  /* The server got the real values. */
  g_assert_cmpstr (soup_message_headers_get_one (fixture->request_headers, "Authorization"), ==,
                   "Bearer CANARY-auth-91c2");

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;
      g_autofree char *text = NULL;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      text = g_strndup ((const char *) record.data, record.stored_size);
      g_assert_null (strstr (text, "CANARY-auth-91c2"));
      g_assert_null (strstr (text, "CANARY-query-77ab"));
      if (strstr (text, "visible") != NULL)
        plain_seen = TRUE;
    }
  g_assert_true (plain_seen);

  handshake = sonde_connection_get_handshake (fixture->connection);
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name, *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      g_assert_null (strstr (value, "CANARY"));
    }
  g_assert_null (strstr (sonde_handshake_get_request_line (handshake), "CANARY"));
  g_assert_nonnull (strstr (sonde_handshake_get_request_line (handshake), "room=1"));
}

/* Each writable property notifies once when its value changes, and not
 * when it is set to the value it has. */
static void
test_notify_options (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  GObject *object = G_OBJECT (connection);
  const char *headers_a[] = { "X-A: 1", NULL };
  const char *headers_b[] = { "X-A: 1", "X-B: 2", NULL };
  const char *protocols_a[] = { "chat.v1", NULL };
  const char *protocols_b[] = { "chat.v2", "chat.v1", NULL };
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "ws://127.0.0.1:9/a");
  sonde_test_assert_notifies (object, "url", &value);
  g_value_set_static_string (&value, "ws://127.0.0.1:9/b");
  sonde_test_assert_notifies (object, "url", &value);
  g_value_set_static_string (&value, NULL);
  sonde_test_assert_notifies (object, "url", &value);

  g_value_set_static_string (&value, "https://app.example.test");
  sonde_test_assert_notifies (object, "origin", &value);
  g_value_set_static_string (&value, NULL);
  sonde_test_assert_notifies (object, "origin", &value);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_STRV);
  g_value_set_static_boxed (&value, headers_a);
  sonde_test_assert_notifies (object, "headers", &value);
  g_value_set_static_boxed (&value, headers_b);
  sonde_test_assert_notifies (object, "headers", &value);
  g_value_set_static_boxed (&value, NULL);
  sonde_test_assert_notifies (object, "headers", &value);

  g_value_set_static_boxed (&value, protocols_a);
  sonde_test_assert_notifies (object, "protocols", &value);
  g_value_set_static_boxed (&value, protocols_b);
  sonde_test_assert_notifies (object, "protocols", &value);
  g_value_set_static_boxed (&value, NULL);
  sonde_test_assert_notifies (object, "protocols", &value);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_UINT64);
  g_value_set_uint64 (&value, 1024);
  sonde_test_assert_notifies (object, "max-message-size", &value);
  g_value_set_uint64 (&value, SONDE_MAX_MAX_MESSAGE_SIZE);
  sonde_test_assert_notifies (object, "max-message-size", &value);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_BOOLEAN);
  g_value_set_boolean (&value, TRUE);
  sonde_test_assert_notifies (object, "deflate", &value);
  g_value_set_boolean (&value, FALSE);
  sonde_test_assert_notifies (object, "deflate", &value);
  g_value_set_boolean (&value, TRUE);
  sonde_test_assert_notifies (object, "follow-redirects", &value);
  g_value_set_boolean (&value, FALSE);
  sonde_test_assert_notifies (object, "follow-redirects", &value);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, 500);
  sonde_test_assert_notifies (object, "handshake-timeout", &value);
  g_value_set_uint (&value, SONDE_DEFAULT_HANDSHAKE_TIMEOUT);
  sonde_test_assert_notifies (object, "handshake-timeout", &value);
  g_value_unset (&value);

  /* The C setters, with a copy of the same vector: no notification. */
  {
    g_autoptr(SondeTestNotifyRecorder) recorder = sonde_test_notify_recorder_new (object, "headers");
    g_auto(GStrv) copy = g_strdupv ((char **) headers_b);

    sonde_connection_set_headers (connection, headers_b);
    sonde_connection_set_headers (connection, (const char * const *) copy);
    g_assert_cmpuint (sonde_test_notify_recorder_get_count (recorder), ==, 1);
  }

  g_assert_finalize_object (g_steal_pointer (&connection));
}

static void
connect_action (gpointer data)
{
  Fixture *fixture = data;

  connect_to (fixture, "/ws/echo");
}

static SondeConnectionState
state_at (SondeTestNotifyRecorder *recorder,
          guint                    index)
{
  return (SondeConnectionState) g_value_get_enum (sonde_test_notify_recorder_get_value (recorder, index));
}

/* "state" notifies once per change, never twice for the same state; what
 * the connection reports about the last connection (its subprotocol,
 * close code and reason, handshake) notifies only when it changes, a new
 * connect clearing it included. */
static void
test_notify_state (Fixture       *fixture,
                   gconstpointer  data)
{
  GObject *object = G_OBJECT (fixture->connection);
  g_autoptr(SondeTestNotifyRecorder) state = sonde_test_notify_recorder_new (object, "state");
  g_autoptr(SondeTestNotifyRecorder) protocol = sonde_test_notify_recorder_new (object, "protocol");
  g_autoptr(SondeTestNotifyRecorder) close_code = sonde_test_notify_recorder_new (object, "close-code");
  g_autoptr(SondeTestNotifyRecorder) close_reason = sonde_test_notify_recorder_new (object, "close-reason");
  g_autoptr(SondeTestNotifyRecorder) handshake = sonde_test_notify_recorder_new (object, "handshake");

  /* Two whole lives: the second starts from where the first ended. */
  for (guint round = 0; round < 2; round++)
    {
      guint first = sonde_test_notify_recorder_get_count (state);
      guint n;

      /* connect() is CONNECTING at once: one notification. */
      sonde_test_assert_notifies_during (object, "state", connect_action, fixture, 1);
      SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN,
                              WAIT_MS);
      g_assert_true (sonde_connection_close (fixture->connection, 1000, "done", NULL));
      SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
      /* Nothing more once closed. */
      sonde_test_spin (100);

      /* CLOSING shows unless the link reported it in the same batch as
       * CLOSED: a batch notifies each property once, with its last value. */
      n = sonde_test_notify_recorder_get_count (state) - first;
      g_assert_cmpuint (n, >=, 3);
      g_assert_cmpuint (n, <=, 4);
      g_assert_cmpint (state_at (state, first), ==, SONDE_CONNECTION_STATE_CONNECTING);
      g_assert_cmpint (state_at (state, first + 1), ==, SONDE_CONNECTION_STATE_OPEN);
      if (n == 4)
        g_assert_cmpint (state_at (state, first + 2), ==, SONDE_CONNECTION_STATE_CLOSING);
      g_assert_cmpint (state_at (state, first + n - 1), ==, SONDE_CONNECTION_STATE_CLOSED);
    }

  sonde_test_notify_recorder_assert_changes (state);
  sonde_test_notify_recorder_assert_changes (protocol);
  sonde_test_notify_recorder_assert_changes (close_code);
  sonde_test_notify_recorder_assert_changes (close_reason);
  sonde_test_notify_recorder_assert_changes (handshake);

  /* Each round: a handshake, and a close code set (and cleared again by
   * the second connect). */
  g_assert_cmpuint (sonde_test_notify_recorder_get_count (handshake), >=, 2);
  g_assert_cmpuint (sonde_test_notify_recorder_get_count (close_code), ==, 3);
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, 1000);
}

/* A server that closes at once: whatever states arrive in one batch, no
 * state is notified twice in a row. */
static void
test_notify_state_server_close (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(SondeTestNotifyRecorder) state =
    sonde_test_notify_recorder_new (G_OBJECT (fixture->connection), "state");
  guint n;

  connect_to (fixture, "/ws/close-1000");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  sonde_test_spin (100);

  sonde_test_notify_recorder_assert_changes (state);
  n = sonde_test_notify_recorder_get_count (state);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, 4);
  g_assert_cmpint (state_at (state, 0), ==, SONDE_CONNECTION_STATE_CONNECTING);
  g_assert_cmpint (state_at (state, n - 1), ==, SONDE_CONNECTION_STATE_CLOSED);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/connection/invalid-urls", test_invalid_urls);
  g_test_add_func ("/connection/invalid-options", test_invalid_options);
  g_test_add_func ("/connection/send-when-not-open", test_send_when_not_open);
  g_test_add ("/connection/refused-port", Fixture, NULL, fixture_setup, test_refused_port, fixture_teardown);
  g_test_add ("/connection/echo-text-and-binary", Fixture, NULL, fixture_setup, test_echo_text_and_binary, fixture_teardown);
  g_test_add ("/connection/invalid-text-and-json", Fixture, NULL, fixture_setup, test_invalid_text_and_json, fixture_teardown);
  g_test_add ("/connection/handshake-record", Fixture, NULL, fixture_setup, test_handshake_record, fixture_teardown);
  g_test_add ("/connection/subprotocol-mismatch", Fixture, NULL, fixture_setup, test_subprotocol_mismatch, fixture_teardown);
  g_test_add ("/connection/handshake-refused", Fixture, NULL, fixture_setup, test_handshake_refused, fixture_teardown);
  g_test_add ("/connection/redirects", Fixture, NULL, fixture_setup, test_redirects, fixture_teardown);
  g_test_add ("/connection/server-close-codes", Fixture, NULL, fixture_setup, test_server_close_codes, fixture_teardown);
  g_test_add ("/connection/client-close", Fixture, NULL, fixture_setup, test_client_close, fixture_teardown);
  g_test_add ("/connection/dropped-connection", Fixture, NULL, fixture_setup, test_dropped_connection, fixture_teardown);
  g_test_add ("/connection/max-message-size", Fixture, NULL, fixture_setup, test_max_message_size, fixture_teardown);
  g_test_add ("/connection/http-scheme", Fixture, NULL, fixture_setup, test_http_scheme_maps_to_ws, fixture_teardown);
  g_test_add ("/connection/connect-twice", Fixture, NULL, fixture_setup, test_connect_twice, fixture_teardown);
  g_test_add ("/connection/dispose-while-open", Fixture, NULL, fixture_setup, test_dispose_while_open, fixture_teardown);
  g_test_add_func ("/connection/close-while-connecting", test_close_while_connecting);
  g_test_add_func ("/connection/trickled-handshake", test_trickled_handshake);
  g_test_add_func ("/connection/invalid-peer-close-code", test_invalid_peer_close_code);
  g_test_add_func ("/connection/protocol-error-is-one-event", test_protocol_error_is_one_event);
  g_test_add_func ("/connection/batched-delivery", test_batched_delivery);
  g_test_add_func ("/connection/io-niceness", test_io_niceness);
  g_test_add ("/connection/on-open-messages", Fixture, NULL, fixture_setup, test_on_open_messages, fixture_teardown);
  g_test_add ("/connection/on-open-bad-template", Fixture, NULL, fixture_setup, test_on_open_bad_template, fixture_teardown);
  g_test_add ("/connection/heartbeat", Fixture, NULL, fixture_setup, test_heartbeat, fixture_teardown);
  g_test_add ("/connection/latency-probe", Fixture, NULL, fixture_setup, test_latency_probe, fixture_teardown);
  g_test_add ("/connection/reconnect-after-drop", Fixture, NULL, fixture_setup, test_reconnect_after_drop, fixture_teardown);
  g_test_add ("/connection/no-reconnect-after-401", Fixture, NULL, fixture_setup, test_no_reconnect_after_401, fixture_teardown);
  g_test_add_func ("/connection/reconnect-max-attempts", test_reconnect_max_attempts);
  g_test_add ("/connection/redaction", Fixture, NULL, fixture_setup, test_redaction, fixture_teardown);
  g_test_add_func ("/connection/notify/options", test_notify_options);
  g_test_add ("/connection/notify/state", Fixture, NULL, fixture_setup, test_notify_state, fixture_teardown);
  g_test_add ("/connection/notify/state-server-close", Fixture, NULL, fixture_setup,
              test_notify_state_server_close, fixture_teardown);

  return g_test_run ();
}
