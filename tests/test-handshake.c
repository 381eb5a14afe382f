/* test-handshake.c: SondeHandshake, the record of one opening handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Records are made from the raw parts of an exchange (what SondeUpgrade
 * wrote and read), here given by hand; the last case is a real upgrade by
 * SondeUpgrade against a SoupServer in a thread of its own.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-handshake.h"
#include "sonde-test-util.h"
#include "sonde-upgrade.h"

#define WAIT_MS 10000

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_append (headers, "X-Reply", "yes");
  soup_message_headers_append (headers, "X-Multi", "a");
  soup_message_headers_append (headers, "x-multi", "b");
  soup_message_headers_append (headers, "Set-Cookie", "sid=CANARY-cookie-5e; Path=/; HttpOnly");
  soup_message_headers_append (headers, "Link", "<https://example.com/next?token=CANARY-link-0f>; rel=next");

  if (g_str_equal (path, "/private"))
    soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, "Go Away");
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  GPtrArray *connections = data;

  /* Kept open until the server stops. */
  g_ptr_array_add (connections, g_object_ref (ws));
}

static void
setup_server (SoupServer *server,
              gpointer    data)
{
  char *protocols[] = { "chat.v1", "chat.v2", NULL };

  soup_server_add_handler (server, NULL, on_http, NULL, NULL);
  soup_server_add_websocket_handler (server, "/ws", NULL, protocols, on_websocket, data, NULL);
}

typedef struct {
  SondeTestServer *server;
  GPtrArray       *connections;   /* the server's: touched in its thread only */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->connections = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->server = sonde_test_server_new (setup_server, fixture->connections);
}

static gboolean
drop_connections (gpointer data)
{
  Fixture *fixture = data;

  g_ptr_array_set_size (fixture->connections, 0);
  return G_SOURCE_REMOVE;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sonde_test_server_invoke (fixture->server, drop_connections, fixture);
  g_clear_pointer (&fixture->server, sonde_test_server_free);
  g_ptr_array_unref (fixture->connections);
}

/* The response every record below gets (the server's on_http() answer),
 * unless @status is 0 (never answered). */
static SoupMessageHeaders *
response_headers (void)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  soup_message_headers_append (headers, "X-Reply", "yes");
  soup_message_headers_append (headers, "X-Multi", "a");
  soup_message_headers_append (headers, "x-multi", "b");
  soup_message_headers_append (headers, "Set-Cookie", "sid=CANARY-cookie-5e; Path=/; HttpOnly");
  soup_message_headers_append (headers, "Link", "<https://example.com/next?token=CANARY-link-0f>; rel=next");
  return headers;
}

/* A record of a request to @url with Host and @headers ("Name: value"),
 * answered with @status (0: not answered). */
static SondeHandshake *
make_record (const char                  *url,
             SondeRedactor               *redactor,
             const char * const          *headers,
             guint                        status,
             const char                  *reason,
             const SondeHandshakeTimings *timings,
             const char                  *protocol,
             const char                  *extensions)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(SoupMessageHeaders) request = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(SoupMessageHeaders) response = status ? response_headers () : NULL;
  g_autofree char *host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  g_autofree char *path = g_uri_join (G_URI_FLAGS_ENCODED, NULL, NULL, NULL, -1, g_uri_get_path (uri),
                                      g_uri_get_query (uri), NULL);

  soup_message_headers_append (request, "Host", host);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (headers[i], ": ", 2);

      soup_message_headers_append (request, parts[0], parts[1]);
    }

  return sonde_handshake_new (url, redactor, "GET", path, request, SOUP_HTTP_1_1, status, reason,
                              response, timings, protocol, extensions);
}

static const char *
request_header (SondeHandshake *handshake,
                const char     *wanted)
{
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name;
      const char *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_ascii_strcasecmp (name, wanted) == 0)
        return value;
    }
  return NULL;
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Without a redactor (sonde-cli --show-secrets), everything as it went
 * over the wire, in order. */
static void
test_recorded_headers (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *headers[] = { "X-First: 1", "Authorization: Bearer CANARY-auth-12", "X-Trace: a", "X-Trace: b", NULL };
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "http", "/feed?room=1&token=CANARY-query-34");
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", sonde_test_server_get_port (fixture->server));
  g_autoptr(SondeHandshake) handshake = make_record (url, NULL, headers, 200, "OK", NULL, NULL, NULL);
  const char *name;
  const char *value;
  int first = -1, trace_a = -1, trace_b = -1;

  g_assert_cmpstr (sonde_handshake_get_url (handshake), ==, url);
  g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, "GET /feed?room=1&token=CANARY-query-34 HTTP/1.1");
  g_assert_cmpstr (request_header (handshake, "Host"), ==, host);
  g_assert_cmpstr (request_header (handshake, "Authorization"), ==, "Bearer CANARY-auth-12");

  /* Repeated headers stay separate, in order. */
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_str_equal (name, "X-First"))
        first = (int) i;
      else if (g_str_equal (name, "X-Trace") && g_str_equal (value, "a"))
        trace_a = (int) i;
      else if (g_str_equal (name, "X-Trace") && g_str_equal (value, "b"))
        trace_b = (int) i;
    }
  g_assert_cmpint (first, >=, 0);
  g_assert_cmpint (trace_a, >, first);
  g_assert_cmpint (trace_b, >, trace_a);

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 200);
  g_assert_cmpstr (sonde_handshake_get_reason_phrase (handshake), ==, "OK");
  g_assert_cmpstr (sonde_handshake_get_status_line (handshake), ==, "HTTP/1.1 200 OK");
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "x-reply"), ==, "yes");
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "X-MULTI"), ==, "a");
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "Set-Cookie"), ==,
                   "sid=CANARY-cookie-5e; Path=/; HttpOnly");
  g_assert_null (sonde_handshake_get_response_header_value (handshake, "X-Absent"));
  g_assert_null (sonde_handshake_get_protocol (handshake));
  g_assert_null (sonde_handshake_get_extensions (handshake));

  /* Every response header is there, by index too. */
  {
    guint multi = 0;

    for (guint i = 0; i < sonde_handshake_get_n_response_headers (handshake); i++)
      {
        sonde_handshake_get_response_header (handshake, i, &name, &value);
        if (g_ascii_strcasecmp (name, "X-Multi") == 0)
          g_assert_cmpstr (value, ==, multi++ == 0 ? "a" : "b");
      }
    g_assert_cmpuint (multi, ==, 2);
  }
}

static gboolean
contains_canary (SondeHandshake *handshake)
{
  g_autofree char *json = sonde_handshake_to_json (handshake);

  return strstr (json, "CANARY") != NULL;
}

/* With a redactor, no secret is in the record: not in the URL, the
 * request line, the request or response headers, nor the JSON. */
static void
test_redaction (Fixture       *fixture,
                gconstpointer  data)
{
  const char *headers[] = {
    "Authorization: Bearer CANARY-auth-12",
    "Cookie: session=CANARY-cookie-99; theme=dark",
    "X-Api-Key: CANARY-custom-77",
    "X-Plain: visible",
    NULL,
  };
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "http",
                                                    "/feed?room=1&token=CANARY-query-34");
  g_autofree char *userinfo_url = NULL;
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autoptr(SondeHandshake) handshake = NULL;
  g_autoptr(SondeHandshake) shown = NULL;

  sonde_redactor_add_header (redactor, "X-Api-Key");
  userinfo_url = g_strdup_printf ("ws://me:CANARY-password-1@127.0.0.1:%u/feed?room=1&token=CANARY-query-34",
                                  sonde_test_server_get_port (fixture->server));
  handshake = make_record (userinfo_url, redactor, headers, 200, "OK", NULL, NULL, NULL);

  g_assert_null (strstr (sonde_handshake_get_url (handshake), "CANARY"));
  g_assert_nonnull (strstr (sonde_handshake_get_url (handshake), "room=1"));
  g_assert_null (strstr (sonde_handshake_get_request_line (handshake), "CANARY"));
  g_assert_true (g_str_has_prefix (sonde_handshake_get_request_line (handshake), "GET /feed?room=1&token="));
  g_assert_true (g_str_has_suffix (sonde_handshake_get_request_line (handshake), " HTTP/1.1"));

  g_assert_cmpstr (request_header (handshake, "Authorization"), ==, "Bearer " SONDE_REDACTED);
  g_assert_cmpstr (request_header (handshake, "Cookie"), ==, "session=" SONDE_REDACTED "; theme=" SONDE_REDACTED);
  g_assert_cmpstr (request_header (handshake, "X-Api-Key"), ==, SONDE_REDACTED);
  g_assert_cmpstr (request_header (handshake, "X-Plain"), ==, "visible");

  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "Set-Cookie"), ==,
                   "sid=" SONDE_REDACTED "; Path=/; HttpOnly");
  g_assert_null (strstr (sonde_handshake_get_response_header_value (handshake, "Link"), "CANARY"));
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "X-Reply"), ==, "yes");
  g_assert_false (contains_canary (handshake));

  /* The same parts without a redactor show them: the redactor, not the
   * parts, made the difference. */
  shown = make_record (userinfo_url, NULL, headers, 200, "OK", NULL, NULL, NULL);
  g_assert_true (contains_canary (shown));
  g_assert_nonnull (strstr (sonde_handshake_get_url (shown), "CANARY-password-1"));
}

/* A record read back (a recording's History page) gives what it held. */
static void
test_from_json (Fixture       *fixture,
                gconstpointer  data)
{
  const char *headers[] = { "X-Trace: a", "X-Quote: say \"hi\"", NULL };
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "http", "/private?q=1");
  SondeHandshakeTimings given = { -1, 0.5, -1, 2.25, 3.0 };
  SondeHandshakeTimings got;
  g_autoptr(SondeHandshake) handshake =
    make_record (url, NULL, headers, 101, "Switching Protocols", &given, "chat.v1", "permessage-deflate");
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(SondeHandshake) back = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const bad[] = { "", "[1,2]", "{\"url\":", "not json" };

  back = sonde_handshake_new_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_handshake_get_url (back), ==, sonde_handshake_get_url (handshake));
  g_assert_cmpstr (sonde_handshake_get_request_line (back), ==, sonde_handshake_get_request_line (handshake));
  g_assert_cmpuint (sonde_handshake_get_n_request_headers (back), ==, sonde_handshake_get_n_request_headers (handshake));
  g_assert_cmpstr (request_header (back, "X-Quote"), ==, "say \"hi\"");
  g_assert_cmpuint (sonde_handshake_get_status (back), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_status_line (back), ==, "HTTP/1.1 101 Switching Protocols");
  g_assert_cmpstr (sonde_handshake_get_protocol (back), ==, "chat.v1");
  g_assert_cmpstr (sonde_handshake_get_extensions (back), ==, "permessage-deflate");
  sonde_handshake_get_timings (back, &got);
  g_assert_cmpfloat (got.dns_ms, <, 0);
  g_assert_cmpfloat_with_epsilon (got.connect_ms, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (got.total_ms, 3.0, 1e-9);
  /* And it writes the same record again. */
  again = sonde_handshake_to_json (back);
  g_assert_cmpstr (again, ==, json);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(SondeHandshake) none = sonde_handshake_new_from_json (bad[i], strlen (bad[i]), &bad_error);

      g_assert_null (none);
      g_assert_error (bad_error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
    }
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  const char *headers[] = { "X-Trace: a", "x-trace: b", "X-Quote: say \"hi\"\\", NULL };
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "http", "/private?q=1");
  SondeHandshakeTimings given = { -1, 0.5, -1, 2.25, 3.0 };
  g_autoptr(SondeHandshake) handshake =
    make_record (url, NULL, headers, 401, "Go Away", &given, "chat.v1", "permessage-deflate");
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(JsonObject) object = parse_object (json);
  JsonObject *request;
  JsonObject *request_headers;
  JsonObject *response_headers;
  JsonObject *timings;

  g_assert_cmpstr (json_object_get_string_member (object, "url"), ==, url);
  request = json_object_get_object_member (object, "request");
  g_assert_cmpstr (json_object_get_string_member (request, "line"), ==, "GET /private?q=1 HTTP/1.1");
  request_headers = json_object_get_object_member (request, "headers");
  /* A repeated name is one member, its values joined, under the name it
   * first had. */
  g_assert_cmpstr (json_object_get_string_member (request_headers, "X-Trace"), ==, "a, b");
  g_assert_false (json_object_has_member (request_headers, "x-trace"));
  g_assert_cmpstr (json_object_get_string_member (request_headers, "X-Quote"), ==, "say \"hi\"\\");
  g_assert_true (json_object_has_member (request_headers, "Host"));

  g_assert_cmpint (json_object_get_int_member (object, "status"), ==, 401);
  g_assert_cmpstr (json_object_get_string_member (object, "reason_phrase"), ==, "Go Away");
  g_assert_cmpstr (sonde_handshake_get_status_line (handshake), ==, "HTTP/1.1 401 Go Away");
  response_headers = json_object_get_object_member (object, "headers");
  g_assert_cmpstr (json_object_get_string_member (response_headers, "X-Multi"), ==, "a, b");
  g_assert_cmpstr (json_object_get_string_member (response_headers, "X-Reply"), ==, "yes");
  g_assert_cmpstr (json_object_get_string_member (object, "protocol"), ==, "chat.v1");
  g_assert_cmpstr (json_object_get_string_member (object, "extensions"), ==, "permessage-deflate");

  timings = json_object_get_object_member (object, "timings");
  /* A phase that did not happen (no TLS for http://) is null. */
  g_assert_true (json_object_get_null_member (timings, "tls_ms"));
  g_assert_cmpfloat (json_object_get_double_member (timings, "connect_ms"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (timings, "upgrade_ms"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (timings, "total_ms"), >=,
                     json_object_get_double_member (timings, "upgrade_ms"));
}

/* No protocol or extensions: JSON null, not a missing member. */
static void
test_json_nulls (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "http", "/");
  g_autoptr(SondeHandshake) handshake = make_record (url, NULL, NULL, 200, "OK", NULL, NULL, NULL);
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(JsonObject) object = parse_object (json);
  JsonObject *timings = json_object_get_object_member (object, "timings");
  SondeHandshakeTimings values;

  g_assert_true (json_object_has_member (object, "protocol"));
  g_assert_true (json_object_get_null_member (object, "protocol"));
  g_assert_true (json_object_get_null_member (object, "extensions"));

  /* Without timings, no phase has a time. */
  sonde_handshake_get_timings (handshake, &values);
  g_assert_cmpfloat (values.dns_ms, <, 0);
  g_assert_cmpfloat (values.connect_ms, <, 0);
  g_assert_cmpfloat (values.tls_ms, <, 0);
  g_assert_cmpfloat (values.upgrade_ms, <, 0);
  g_assert_cmpfloat (values.total_ms, <, 0);
  g_assert_true (json_object_get_null_member (timings, "total_ms"));
  g_assert_true (json_object_get_null_member (timings, "dns_ms"));
}

/* A message the server never answered: status 0, no response headers. */
static void
test_unanswered (void)
{
  g_autoptr(SondeHandshake) handshake = make_record ("ws://127.0.0.1:9/x", NULL, NULL, 0, NULL, NULL, NULL, NULL);
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(JsonObject) object = parse_object (json);

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 0);
  g_assert_cmpstr (sonde_handshake_get_reason_phrase (handshake), ==, "");
  g_assert_cmpuint (sonde_handshake_get_n_response_headers (handshake), ==, 0);
  g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, "GET /x HTTP/1.1");
  g_assert_cmpint (json_object_get_int_member (object, "status"), ==, 0);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (object, "headers")), ==, 0);
}

static void
on_upgraded (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_upgrade_run_finish (SONDE_UPGRADE (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* A real upgrade by SondeUpgrade, libsoup's server on the other side: 101,
 * the WebSocket headers both ways, the timings. */
static void
test_upgrade (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "ws", "/ws");
  g_autoptr(SondeConnectionOptions) options = sonde_connection_options_new ();
  g_autoptr(SondeUpgrade) upgrade = NULL;
  SondeHandshake *handshake;
  char *protocols[] = { "chat.v2", NULL };
  gint64 start = g_get_monotonic_time ();
  SondeHandshakeTimings timings;
  gboolean done = FALSE;
  gpointer copy;

  options->protocols = g_strdupv (protocols);
  upgrade = sonde_upgrade_new (options, url, NULL, NULL);
  sonde_upgrade_run_async (upgrade, NULL, on_upgraded, &done);
  SONDE_TEST_ASSERT_WAIT (done, WAIT_MS);

  g_assert_cmpuint (sonde_upgrade_get_handshakes (upgrade)->len, ==, 1);
  handshake = g_ptr_array_index (sonde_upgrade_get_handshakes (upgrade), 0);
  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_status_line (handshake), ==, "HTTP/1.1 101 Switching Protocols");
  g_assert_cmpstr (sonde_handshake_get_request_line (handshake), ==, "GET /ws HTTP/1.1");
  g_assert_cmpstr (request_header (handshake, "Sec-WebSocket-Protocol"), ==, "chat.v2");
  g_assert_nonnull (request_header (handshake, "Sec-WebSocket-Key"));
  g_assert_nonnull (sonde_handshake_get_response_header_value (handshake, "Sec-WebSocket-Accept"));
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "Upgrade"), ==, "websocket");
  g_assert_cmpstr (sonde_handshake_get_protocol (handshake), ==, "chat.v2");

  sonde_handshake_get_timings (handshake, &timings);
  g_assert_cmpfloat (timings.tls_ms, <, 0);
  g_assert_cmpfloat (timings.connect_ms, >=, 0);
  g_assert_cmpfloat (timings.total_ms, >=, timings.upgrade_ms);
  g_assert_cmpfloat (timings.total_ms, <, (g_get_monotonic_time () - start) / 1000.0 + 1);

  /* A boxed type shared by reference. */
  copy = g_boxed_copy (SONDE_TYPE_HANDSHAKE, handshake);
  g_assert_true (copy == (gpointer) handshake);
  g_boxed_free (SONDE_TYPE_HANDSHAKE, copy);

  g_io_stream_close (sonde_upgrade_get_stream (upgrade), NULL, NULL);
}

/* A reason phrase that is not UTF-8 (servers send anything) is kept as
 * UTF-8: the record is shown and written as JSON. */
static void
test_reason_not_utf8 (void)
{
  g_autoptr(SondeHandshake) handshake = make_record ("ws://127.0.0.1:9/x", NULL, NULL, 403,
                                                     "No \xff\xfe way", NULL, NULL, NULL);
  g_autofree char *json = sonde_handshake_to_json (handshake);

  g_assert_true (g_utf8_validate (sonde_handshake_get_reason_phrase (handshake), -1, NULL));
  g_assert_true (g_str_has_prefix (sonde_handshake_get_reason_phrase (handshake), "No "));
  g_assert_true (g_str_has_suffix (sonde_handshake_get_reason_phrase (handshake), " way"));
  g_assert_true (g_utf8_validate (sonde_handshake_get_status_line (handshake), -1, NULL));
  g_assert_true (g_utf8_validate (json, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/handshake/recorded-headers", Fixture, NULL, fixture_setup, test_recorded_headers, fixture_teardown);
  g_test_add ("/handshake/redaction", Fixture, NULL, fixture_setup, test_redaction, fixture_teardown);
  g_test_add ("/handshake/json", Fixture, NULL, fixture_setup, test_json, fixture_teardown);
  g_test_add ("/handshake/json-nulls", Fixture, NULL, fixture_setup, test_json_nulls, fixture_teardown);
  g_test_add ("/handshake/from-json", Fixture, NULL, fixture_setup, test_from_json, fixture_teardown);
  g_test_add_func ("/handshake/unanswered", test_unanswered);
  g_test_add_func ("/handshake/reason-not-utf8", test_reason_not_utf8);
  g_test_add ("/handshake/upgrade", Fixture, NULL, fixture_setup, test_upgrade, fixture_teardown);

  return g_test_run ();
}
