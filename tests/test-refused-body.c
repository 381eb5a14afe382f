/* test-refused-body.c: what a server answers when it refuses the handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A server that answers the upgrade with 401 and a body: the body (text
 * as text, binary kept byte for byte, at most 64 KiB) is in the handshake
 * record, its JSON and the failed event's payload; an accepted handshake
 * has none.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-connection.h"
#include "sonde-handshake.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

typedef struct {
  SoupServer      *server;
  SondeConnection *connection;
  guint16          port;
} Fixture;

/* /text: 401 with a JSON explanation; /binary: 403 with bytes that are
 * not text; /huge: 401 with 100 KiB; /ws: a WebSocket that accepts. */
static void
on_http (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  if (g_str_equal (path, "/text"))
    {
      soup_server_message_set_status (message, 401, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\": \"invalid token\",\n \"hint\": \"renew it\"}", 47);
    }
  else if (g_str_equal (path, "/binary"))
    {
      soup_server_message_set_status (message, 403, NULL);
      soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        "\xff\xfe\x01\x02\x80", 5);
    }
  else if (g_str_equal (path, "/huge"))
    {
      char *body = g_malloc (100 * 1024);

      memset (body, 'x', 100 * 1024);
      soup_server_message_set_status (message, 401, NULL);
      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_TAKE, body, 100 * 1024);
    }
  else
    soup_server_message_set_status (message, 404, NULL);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 data)
{
  g_object_set_data_full (G_OBJECT (server), "peer", g_object_ref (connection), g_object_unref);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, on_http, fixture, NULL);
  soup_server_add_websocket_handler (fixture->server, "/ws", NULL, NULL, on_websocket, fixture, NULL);
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
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  g_object_set_data (G_OBJECT (fixture->server), "peer", NULL);
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (g_steal_pointer (&fixture->server));
}

static SondeHandshake *
connect_until (Fixture              *fixture,
               const char           *path,
               SondeConnectionState  state)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->port, path);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == state, WAIT_MS);
  g_assert_nonnull (sonde_connection_get_handshake (fixture->connection));
  return sonde_connection_get_handshake (fixture->connection);
}

/* The payload of the last record of @kind in the log. */
static JsonObject *
last_payload (SondeConnection  *connection,
              SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i - 1, &record) && record.kind == kind)
        {
          g_autofree char *text = g_strndup ((const char *) record.data, record.stored_size);
          g_autoptr(JsonNode) node = json_from_string (text, NULL);

          g_assert_nonnull (node);
          return json_object_ref (json_node_get_object (node));
        }
    }
  g_assert_not_reached ();
}

static void
test_text_body (Fixture       *fixture,
                gconstpointer  data)
{
  SondeHandshake *handshake = connect_until (fixture, "/text", SONDE_CONNECTION_STATE_FAILED);
  gboolean truncated = TRUE;
  GBytes *body = sonde_handshake_get_response_body (handshake, &truncated);
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) record = NULL;
  const char *expected = "{\"error\": \"invalid token\",\n \"hint\": \"renew it\"}";

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 401);
  g_assert_nonnull (body);
  g_assert_false (truncated);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), expected, strlen (expected));

  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "body"), ==, expected);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (node), "body_truncated"));

  record = last_payload (fixture->connection, SONDE_MESSAGE_KIND_HANDSHAKE);
  g_assert_cmpstr (json_object_get_string_member (record, "body"), ==, expected);
  failed = last_payload (fixture->connection, SONDE_MESSAGE_KIND_FAILED);
  g_assert_cmpstr (json_object_get_string_member (failed, "body"), ==, expected);
}

static void
test_binary_body (Fixture       *fixture,
                  gconstpointer  data)
{
  SondeHandshake *handshake = connect_until (fixture, "/binary", SONDE_CONNECTION_STATE_FAILED);
  GBytes *body = sonde_handshake_get_response_body (handshake, NULL);
  g_autofree char *json = sonde_handshake_to_json (handshake);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 403);
  g_assert_nonnull (body);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "\xff\xfe\x01\x02\x80", 5);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "body_hex"), ==, "fffe010280");
}

static void
test_huge_body (Fixture       *fixture,
                gconstpointer  data)
{
  SondeHandshake *handshake = connect_until (fixture, "/huge", SONDE_CONNECTION_STATE_FAILED);
  gboolean truncated = FALSE;
  GBytes *body = sonde_handshake_get_response_body (handshake, &truncated);

  g_assert_nonnull (body);
  g_assert_cmpuint (g_bytes_get_size (body), ==, SONDE_HANDSHAKE_MAX_BODY);
  g_assert_true (truncated);
  g_assert_cmpint (((const char *) g_bytes_get_data (body, NULL))[SONDE_HANDSHAKE_MAX_BODY - 1], ==, 'x');
}

/* An accepted handshake has no body, and opens as before. */
static void
test_accepted_has_none (Fixture       *fixture,
                        gconstpointer  data)
{
  SondeHandshake *handshake = connect_until (fixture, "/ws", SONDE_CONNECTION_STATE_OPEN);
  g_autofree char *json = sonde_handshake_to_json (handshake);

  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 101);
  g_assert_null (sonde_handshake_get_response_body (handshake, NULL));
  g_assert_null (strstr (json, "\"body"));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/refused-body/text", Fixture, NULL, fixture_setup, test_text_body, fixture_teardown);
  g_test_add ("/refused-body/binary", Fixture, NULL, fixture_setup, test_binary_body, fixture_teardown);
  g_test_add ("/refused-body/huge", Fixture, NULL, fixture_setup, test_huge_body, fixture_teardown);
  g_test_add ("/refused-body/accepted-has-none", Fixture, NULL, fixture_setup, test_accepted_has_none,
              fixture_teardown);

  return g_test_run ();
}
