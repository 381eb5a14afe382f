/* test-link.c: SondeLink, the I/O-thread half of a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The link runs libsoup on a thread of its own and hands batches to the
 * test's main context; the server (SondeTestServer) runs in a third
 * thread. What the server saw is read under its lock.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-event.h"
#include "sonde-link.h"
#include "sonde-test-raw-server.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

/* What the server saw: written in its thread, read under the lock. */
typedef struct {
  GMutex      lock;
  GPtrArray  *connections;    /* SoupWebsocketConnection, server thread only */
  guint       n_received;
  gushort     close_code;
  char       *close_data;
  gboolean    closed;
} ServerState;

/* One item of a batch, copied out. */
typedef struct {
  SondeDirection    direction;
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
  gint64            mono_us;
  GBytes           *data;
  gboolean          by_reference;
  gboolean          is_event;
  int               state;
  guint             close_code;
  char             *close_reason;
  gboolean          close_clean;
  GError           *error;
  SondeHandshake   *handshake;
  char             *protocol;
  guint             http_status;
  gint64            retry_after_ms;
  gboolean          permanent;
} Item;

typedef struct {
  SondeTestServer *server;
  ServerState      state;
  SondeLink       *link;
  SondeLinkBatch   batch;
  GPtrArray       *items;     /* Item */
  guint            n_ready;
} Fixture;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_bytes_unref (item->data);
  g_free (item->close_reason);
  g_clear_error (&item->error);
  g_clear_pointer (&item->handshake, sonde_handshake_unref);
  g_free (item->protocol);
  g_free (item);
}

static void
on_server_message (SoupWebsocketConnection *ws,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   ServerState             *state)
{
  g_mutex_lock (&state->lock);
  state->n_received++;
  g_mutex_unlock (&state->lock);

  soup_websocket_connection_send_message (ws, type, message);
}

static void
on_server_closed (SoupWebsocketConnection *ws,
                  ServerState             *state)
{
  g_mutex_lock (&state->lock);
  state->closed = TRUE;
  state->close_code = soup_websocket_connection_get_close_code (ws);
  g_free (state->close_data);
  state->close_data = g_strdup (soup_websocket_connection_get_close_data (ws));
  g_mutex_unlock (&state->lock);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 data)
{
  ServerState *state = data;

  g_ptr_array_add (state->connections, g_object_ref (ws));
  g_signal_connect (ws, "message", G_CALLBACK (on_server_message), state);
  g_signal_connect (ws, "closed", G_CALLBACK (on_server_closed), state);

  if (g_str_equal (path, "/ws/close-4000"))
    soup_websocket_connection_close (ws, 4000, "app says bye");
  else if (g_str_equal (path, "/ws/burst"))
    {
      g_autofree char *big = g_strnfill (20000, 'x');
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&big), 20000);

      for (guint i = 0; i < 200; i++)
        {
          g_autofree char *text = g_strdup_printf ("m%u", i);

          soup_websocket_connection_send_text (ws, text);
        }
      soup_websocket_connection_send_message (ws, SOUP_WEBSOCKET_DATA_BINARY, bytes);
    }
}

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *retry_after = query != NULL ? g_hash_table_lookup (query, "retry-after") : NULL;
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;

  if (retry_after != NULL)
    soup_message_headers_append (headers, "Retry-After", retry_after);
  soup_server_message_set_status (msg, status != NULL ? (guint) g_ascii_strtoull (status, NULL, 10) : 200, NULL);
}

static void
setup_server (SoupServer *server,
              gpointer    data)
{
  char *protocols[] = { "chat.v1", "chat.v2", NULL };

  soup_server_add_handler (server, NULL, on_http, data, NULL);
  soup_server_add_websocket_handler (server, "/ws", NULL, NULL, on_websocket, data, NULL);
  soup_server_add_websocket_handler (server, "/chat", NULL, protocols, on_websocket, data, NULL);
}

static gboolean
drop_connections (gpointer data)
{
  ServerState *state = data;

  for (guint i = 0; i < state->connections->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (state->connections, i), state);
  g_ptr_array_set_size (state->connections, 0);
  return G_SOURCE_REMOVE;
}

/* Main context: copies a batch's items out, as SondeConnection does. */
static void
on_ready (gpointer data)
{
  Fixture *fixture = data;

  fixture->n_ready++;
  sonde_link_take_batch (fixture->link, &fixture->batch);

  for (guint i = 0; i < fixture->batch.items->len; i++)
    {
      const SondeLinkItem *link_item = &g_array_index (fixture->batch.items, SondeLinkItem, i);
      Item *item = g_new0 (Item, 1);

      item->direction = link_item->direction;
      item->kind = link_item->kind;
      item->flags = link_item->flags;
      item->mono_us = link_item->mono_us;
      item->data = g_bytes_new (sonde_link_item_get_data (&fixture->batch, link_item), link_item->length);
      item->by_reference = link_item->payload != NULL;
      item->is_event = link_item->event != NULL;
      item->state = -2;
      if (link_item->event != NULL)
        {
          const SondeLinkEvent *event = link_item->event;

          item->state = event->state;
          item->close_code = event->close_code;
          item->close_reason = g_strdup (event->close_reason);
          item->close_clean = event->close_clean;
          item->error = event->error ? g_error_copy (event->error) : NULL;
          item->handshake = event->handshake ? sonde_handshake_ref (event->handshake) : NULL;
          item->protocol = g_strdup (event->protocol);
          item->http_status = event->http_status;
          item->retry_after_ms = event->retry_after_ms;
          item->permanent = event->permanent;
        }
      g_ptr_array_add (fixture->items, item);
    }

  sonde_link_batch_reset (&fixture->batch);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_mutex_init (&fixture->state.lock);
  fixture->state.connections = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->server = sonde_test_server_new (setup_server, &fixture->state);
  fixture->items = g_ptr_array_new_with_free_func (item_free);
  sonde_link_batch_init (&fixture->batch);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->link != NULL)
    {
      sonde_link_detach (fixture->link);
      g_clear_pointer (&fixture->link, sonde_link_unref);
    }
  sonde_test_server_invoke (fixture->server, drop_connections, &fixture->state);
  g_clear_pointer (&fixture->server, sonde_test_server_free);
  g_ptr_array_unref (fixture->state.connections);
  g_free (fixture->state.close_data);
  g_mutex_clear (&fixture->state.lock);
  sonde_link_batch_clear (&fixture->batch);
  g_ptr_array_unref (fixture->items);
}

/* Options for @url, with a shorter handshake deadline than the default. */
static SondeConnectionOptions *
options_new (const char *url)
{
  SondeConnectionOptions *options = sonde_connection_options_new ();

  options->url = g_strdup (url);
  options->handshake_timeout_ms = 5000;
  return options;
}

/* Starts a link with @options (taken), through a default redactor unless
 * @redact is FALSE (sonde-cli --show-secrets). */
static void
start (Fixture                *fixture,
       SondeConnectionOptions *options,
       gboolean                redact)
{
  g_autoptr(SondeRedactor) redactor = redact ? sonde_redactor_new () : NULL;

  fixture->link = sonde_link_start (options, options->url, NULL, redactor, SONDE_LINK_FLAG_NONE, on_ready, fixture);
  sonde_connection_options_free (options);
}

static void
start_path (Fixture    *fixture,
            const char *path)
{
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "ws", path);

  start (fixture, options_new (url), TRUE);
}

static Item *
find_event (Fixture          *fixture,
            SondeMessageKind  kind)
{
  for (guint i = 0; i < fixture->items->len; i++)
    {
      Item *item = g_ptr_array_index (fixture->items, i);

      if (item->direction == SONDE_DIRECTION_EVENT && item->kind == kind)
        return item;
    }
  return NULL;
}

static guint
count_items (Fixture        *fixture,
             SondeDirection  direction)
{
  guint n = 0;

  for (guint i = 0; i < fixture->items->len; i++)
    n += ((Item *) g_ptr_array_index (fixture->items, i))->direction == direction;
  return n;
}

static Item *
wait_event (Fixture          *fixture,
            SondeMessageKind  kind)
{
  SONDE_TEST_ASSERT_WAIT (find_event (fixture, kind) != NULL, WAIT_MS);
  return find_event (fixture, kind);
}

static JsonObject *
payload_object (Item *item)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (item->data, &length);

  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
describe (Item *item)
{
  SondeRecord record = { 0 };
  gsize length;

  record.direction = item->direction;
  record.kind = item->kind;
  record.data = g_bytes_get_data (item->data, &length);
  record.size = record.stored_size = length;
  return sonde_event_describe (&record);
}

static char *
item_text (Item *item)
{
  gsize length;
  const char *data = g_bytes_get_data (item->data, &length);

  return g_strndup (data, length);
}

/* The kinds of the items so far, e.g. "connecting handshake open >text
 * <text": events by name, > for sent and < for received messages. */
static char *
sequence (Fixture *fixture)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < fixture->items->len; i++)
    {
      Item *item = g_ptr_array_index (fixture->items, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (item->direction == SONDE_DIRECTION_OUT)
        g_string_append_c (out, '>');
      else if (item->direction == SONDE_DIRECTION_IN)
        g_string_append_c (out, '<');
      g_string_append (out, sonde_message_kind_to_string (item->kind));
    }
  return g_string_free (out, FALSE);
}

static gboolean
server_closed (Fixture *fixture)
{
  gboolean closed;

  g_mutex_lock (&fixture->state.lock);
  closed = fixture->state.closed;
  g_mutex_unlock (&fixture->state.lock);
  return closed;
}

/* A whole life: connecting, the handshake, open, messages both ways, a
 * close we asked for; each as an event with its state and payload. */
static void
test_open_send_close (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "ws", "/chat?room=1");
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\0\1\2", 3);
  const char *protocols[] = { "chat.v2", NULL };
  g_autoptr(JsonObject) connecting_payload = NULL;
  g_autoptr(JsonObject) closing_payload = NULL;
  g_autoptr(JsonObject) close_payload = NULL;
  g_autofree char *kinds = NULL;
  g_autofree char *description = NULL;
  SondeConnectionOptions *options = options_new (url);
  Item *item;

  options->protocols = g_strdupv ((char **) protocols);
  start (fixture, options, TRUE);

  item = wait_event (fixture, SONDE_MESSAGE_KIND_OPEN);
  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_OPEN);
  g_assert_cmpstr (item->protocol, ==, "chat.v2");

  item = find_event (fixture, SONDE_MESSAGE_KIND_CONNECTING);
  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_CONNECTING);
  connecting_payload = payload_object (item);
  g_assert_cmpstr (json_object_get_string_member (connecting_payload, "url"), ==, url);

  /* The handshake event changes no state; it carries the record. */
  item = find_event (fixture, SONDE_MESSAGE_KIND_HANDSHAKE);
  g_assert_cmpint (item->state, ==, -1);
  g_assert_nonnull (item->handshake);
  g_assert_cmpuint (sonde_handshake_get_status (item->handshake), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_request_line (item->handshake), ==, "GET /chat?room=1 HTTP/1.1");
  g_assert_cmpstr (sonde_handshake_get_protocol (item->handshake), ==, "chat.v2");
  description = describe (item);
  g_assert_true (g_str_has_prefix (description, "HTTP 101 Switching Protocols · subprotocol chat.v2 · "));
  g_clear_pointer (&description, g_free);

  /* Sent messages are recorded with their flags; the server echoes them. */
  sonde_link_send (fixture->link, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_AUTOMATIC, text);
  sonde_link_send (fixture->link, SONDE_MESSAGE_KIND_BINARY, SONDE_RECORD_FLAG_NONE, binary);
  SONDE_TEST_ASSERT_WAIT (count_items (fixture, SONDE_DIRECTION_IN) == 2, WAIT_MS);
  for (guint i = 0; i < fixture->items->len; i++)
    {
      item = g_ptr_array_index (fixture->items, i);
      if (item->direction == SONDE_DIRECTION_EVENT)
        continue;
      g_assert_false (item->is_event);
      g_assert_true (g_bytes_equal (item->data, item->kind == SONDE_MESSAGE_KIND_TEXT ? text : binary));
      g_assert_cmpint (item->flags, ==,
                       item->direction == SONDE_DIRECTION_OUT && item->kind == SONDE_MESSAGE_KIND_TEXT ?
                       SONDE_RECORD_FLAG_AUTOMATIC : SONDE_RECORD_FLAG_NONE);
    }

  sonde_link_close (fixture->link, 4001, "client leaving");
  item = wait_event (fixture, SONDE_MESSAGE_KIND_CLOSE);
  SONDE_TEST_ASSERT_WAIT (server_closed (fixture), WAIT_MS);

  kinds = sequence (fixture);
  g_assert_true (g_str_equal (kinds, "connecting handshake open >text >binary <text <binary closing close") ||
                 g_str_equal (kinds, "connecting handshake open >text <text >binary <binary closing close"));

  /* What the server got, and what came back. */
  g_mutex_lock (&fixture->state.lock);
  g_assert_cmpuint (fixture->state.n_received, ==, 2);
  g_assert_cmpuint (fixture->state.close_code, ==, 4001);
  g_assert_cmpstr (fixture->state.close_data, ==, "client leaving");
  g_mutex_unlock (&fixture->state.lock);

  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (item->close_code, ==, 4001);
  g_assert_true (item->close_clean);
  g_assert_null (item->error);
  close_payload = payload_object (item);
  g_assert_cmpint (json_object_get_int_member (close_payload, "close_code"), ==, 4001);
  g_assert_cmpstr (json_object_get_string_member (close_payload, "initiator"), ==, "local");
  g_assert_true (json_object_get_boolean_member (close_payload, "clean"));
  g_assert_true (json_object_get_boolean_member (close_payload, "requested"));
  g_assert_cmpstr (json_object_get_string_member (close_payload, "meaning"), ==, "Application-defined (4000–4999)");

  item = find_event (fixture, SONDE_MESSAGE_KIND_CLOSING);
  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_CLOSING);
  closing_payload = payload_object (item);
  g_assert_cmpstr (json_object_get_string_member (closing_payload, "initiator"), ==, "local");
  g_assert_cmpint (json_object_get_int_member (closing_payload, "close_code"), ==, 4001);
  description = describe (item);
  g_assert_cmpstr (description, ==, "Closing (we sent 4001)");

  /* The close is the last thing: the thread is done. */
  sonde_test_spin (100);
  g_assert_true (((Item *) g_ptr_array_index (fixture->items, fixture->items->len - 1))->kind ==
                 SONDE_MESSAGE_KIND_CLOSE);
}

/* The server closes: its code and reason, and who closed, in the events. */
static void
test_server_close (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) closing_payload = NULL;
  g_autoptr(JsonObject) close_payload = NULL;
  g_autofree char *description = NULL;
  Item *item;

  start_path (fixture, "/ws/close-4000");
  item = wait_event (fixture, SONDE_MESSAGE_KIND_CLOSE);

  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (item->close_code, ==, 4000);
  g_assert_cmpstr (item->close_reason, ==, "app says bye");
  g_assert_true (item->close_clean);
  close_payload = payload_object (item);
  g_assert_cmpint (json_object_get_int_member (close_payload, "close_code"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (close_payload, "close_reason"), ==, "app says bye");
  g_assert_false (json_object_has_member (close_payload, "code"));
  g_assert_false (json_object_has_member (close_payload, "reason"));
  g_assert_cmpstr (json_object_get_string_member (close_payload, "initiator"), ==, "peer");
  g_assert_false (json_object_get_boolean_member (close_payload, "requested"));
  g_assert_false (json_object_has_member (close_payload, "note"));
  description = describe (item);
  g_assert_cmpstr (description, ==, "Closed 4000 Application-defined (4000–4999) · reason “app says bye” · by the server");

  item = find_event (fixture, SONDE_MESSAGE_KIND_CLOSING);
  closing_payload = payload_object (item);
  g_assert_cmpstr (json_object_get_string_member (closing_payload, "initiator"), ==, "peer");
  /* The closing event always has the code: here the peer's. */
  g_assert_cmpint (json_object_get_int_member (closing_payload, "close_code"), ==, 4000);
  g_assert_null (find_event (fixture, SONDE_MESSAGE_KIND_ERROR));
  g_assert_null (find_event (fixture, SONDE_MESSAGE_KIND_FAILED));
}

/* Refused handshakes: the status, Retry-After (only with 429 and 503),
 * and whether a retry could help, in the event and its payload. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct {
    const char *query;
    guint       status;
    gint64      retry_after_ms;
    gboolean    permanent;
  } cases[] = {
    { "status=503&retry-after=7", 503, 7000, FALSE },
    { "status=429&retry-after=2", 429, 2000, FALSE },
    { "status=503", 503, -1, FALSE },
    { "status=503&retry-after=soon", 503, -1, FALSE },
    { "status=500&retry-after=3", 500, -1, FALSE },
    { "status=401&retry-after=5", 401, -1, TRUE },
    { "status=403", 403, -1, TRUE },
    { "status=404", 404, -1, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/refuse?%s", cases[i].query);
      g_autofree char *expected = g_strdup_printf ("Handshake refused: HTTP %u ", cases[i].status);
      g_autoptr(JsonObject) payload = NULL;
      Item *item;

      start_path (fixture, path);
      item = wait_event (fixture, SONDE_MESSAGE_KIND_FAILED);

      g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_FAILED);
      g_assert_cmpuint (item->http_status, ==, cases[i].status);
      g_assert_cmpint (item->retry_after_ms, ==, cases[i].retry_after_ms);
      g_assert_cmpint (item->permanent, ==, cases[i].permanent);
      g_assert_error (item->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED);
      g_assert_true (g_str_has_prefix (item->error->message, expected));

      payload = payload_object (item);
      g_assert_cmpstr (json_object_get_string_member (payload, "error"), ==, item->error->message);
      g_assert_cmpstr (json_object_get_string_member (payload, "error_domain"), ==, g_quark_to_string (SONDE_ERROR));
      g_assert_cmpint (json_object_get_int_member (payload, "error_code"), ==, SONDE_ERROR_HANDSHAKE_REFUSED);
      g_assert_false (json_object_has_member (payload, "code"));
      g_assert_cmpint (json_object_get_int_member (payload, "status"), ==, cases[i].status);
      g_assert_cmpint (json_object_get_boolean_member (payload, "permanent"), ==, cases[i].permanent);
      if (cases[i].retry_after_ms >= 0)
        g_assert_cmpint (json_object_get_int_member (payload, "retry_after_ms"), ==, cases[i].retry_after_ms);
      else
        g_assert_false (json_object_has_member (payload, "retry_after_ms"));

      /* The refused handshake is recorded; nothing opened. */
      item = find_event (fixture, SONDE_MESSAGE_KIND_HANDSHAKE);
      g_assert_cmpuint (sonde_handshake_get_status (item->handshake), ==, cases[i].status);
      g_assert_null (find_event (fixture, SONDE_MESSAGE_KIND_OPEN));

      g_clear_pointer (&fixture->link, sonde_link_unref);
      g_ptr_array_set_size (fixture->items, 0);
    }
}

/* Retry-After as an HTTP date: a delay from now. */
static void
test_retry_after_date (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 30);
  g_autofree char *date = g_date_time_format (later, "%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT");
  g_autofree char *path = g_strdup_printf ("/refuse?status=503&retry-after=%s", date);
  Item *item;

  start_path (fixture, path);
  item = wait_event (fixture, SONDE_MESSAGE_KIND_FAILED);
  g_assert_cmpuint (item->http_status, ==, 503);
  g_assert_cmpint (item->retry_after_ms, >, 25000);
  g_assert_cmpint (item->retry_after_ms, <=, 31000);
}

/* A burst reaches the main context in few batches, in order; large
 * payloads are handed over by reference, not copied. */
static void
test_batches (Fixture       *fixture,
              gconstpointer  data)
{
  guint n = 0;
  gint64 last_mono = 0;

  start_path (fixture, "/ws/burst");
  SONDE_TEST_ASSERT_WAIT (count_items (fixture, SONDE_DIRECTION_IN) == 201, WAIT_MS);

  for (guint i = 0; i < fixture->items->len; i++)
    {
      Item *item = g_ptr_array_index (fixture->items, i);

      g_assert_cmpint (item->mono_us, >=, last_mono);
      last_mono = item->mono_us;
      if (item->direction != SONDE_DIRECTION_IN)
        continue;
      if (n < 200)
        {
          g_autofree char *text = item_text (item);
          g_autofree char *expected = g_strdup_printf ("m%u", n);

          g_assert_cmpint (item->kind, ==, SONDE_MESSAGE_KIND_TEXT);
          g_assert_cmpstr (text, ==, expected);
          g_assert_false (item->by_reference);
        }
      else
        {
          g_assert_cmpint (item->kind, ==, SONDE_MESSAGE_KIND_BINARY);
          g_assert_cmpuint (g_bytes_get_size (item->data), ==, 20000);
          g_assert_true (item->by_reference);
          g_assert_cmpint (((const char *) g_bytes_get_data (item->data, NULL))[19999], ==, 'x');
        }
      n++;
    }

  g_test_message ("%u items in %u batches", fixture->items->len, fixture->n_ready);
  g_assert_cmpuint (fixture->n_ready, <, fixture->items->len / 4);
}

/* After detach nothing is delivered, and the server is told we went away. */
static void
test_detach (Fixture       *fixture,
             gconstpointer  data)
{
  guint n_ready;
  guint n_items;

  start_path (fixture, "/ws/echo");
  wait_event (fixture, SONDE_MESSAGE_KIND_OPEN);

  n_ready = fixture->n_ready;
  n_items = fixture->items->len;
  sonde_link_detach (fixture->link);
  g_clear_pointer (&fixture->link, sonde_link_unref);

  SONDE_TEST_ASSERT_WAIT (server_closed (fixture), WAIT_MS);
  g_mutex_lock (&fixture->state.lock);
  g_assert_cmpuint (fixture->state.close_code, ==, 1001);
  g_mutex_unlock (&fixture->state.lock);

  sonde_test_spin (100);
  g_assert_cmpuint (fixture->n_ready, ==, n_ready);
  g_assert_cmpuint (fixture->items->len, ==, n_items);
}

/* Secrets of the URL never leave the link, unless there is no redactor. */
static void
test_redaction (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = sonde_test_server_dup_url (fixture->server, "ws", "/ws/echo?token=CANARY-7f3&room=1");
  g_autoptr(JsonObject) payload = NULL;
  g_autofree char *json = NULL;
  Item *item;

  start (fixture, options_new (url), TRUE);
  item = wait_event (fixture, SONDE_MESSAGE_KIND_OPEN);

  item = find_event (fixture, SONDE_MESSAGE_KIND_CONNECTING);
  payload = payload_object (item);
  g_assert_null (strstr (json_object_get_string_member (payload, "url"), "CANARY"));
  g_assert_nonnull (strstr (json_object_get_string_member (payload, "url"), "room=1"));
  item = find_event (fixture, SONDE_MESSAGE_KIND_HANDSHAKE);
  json = item_text (item);
  g_assert_null (strstr (json, "CANARY"));
  g_assert_null (strstr (sonde_handshake_get_request_line (item->handshake), "CANARY"));

  sonde_link_detach (fixture->link);
  g_clear_pointer (&fixture->link, sonde_link_unref);
  g_ptr_array_set_size (fixture->items, 0);
  g_clear_pointer (&payload, json_object_unref);

  /* sonde-cli --show-secrets: no redactor. */
  start (fixture, options_new (url), FALSE);
  item = wait_event (fixture, SONDE_MESSAGE_KIND_OPEN);
  item = find_event (fixture, SONDE_MESSAGE_KIND_CONNECTING);
  payload = payload_object (item);
  g_assert_cmpstr (json_object_get_string_member (payload, "url"), ==, url);
}

/* A server that accepts and never answers: our own deadline fails the
 * attempt, saying how far it got. */
static void
test_handshake_timeout (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_SILENT, NULL, 0);
  g_autofree char *url = raw_server_dup_url (server);
  Fixture fixture = { 0 };
  SondeConnectionOptions *options = options_new (url);
  Item *item;

  fixture.items = g_ptr_array_new_with_free_func (item_free);
  sonde_link_batch_init (&fixture.batch);
  options->handshake_timeout_ms = 300;
  start (&fixture, options, TRUE);

  item = wait_event (&fixture, SONDE_MESSAGE_KIND_FAILED);
  g_assert_true (raw_server_got_request (server));
  g_assert_cmpint (item->state, ==, SONDE_CONNECTION_STATE_FAILED);
  g_assert_error (item->error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_TIMEOUT);
  g_assert_nonnull (strstr (item->error->message, "did not complete the WebSocket handshake within 0.3 s"));
  g_assert_cmpuint (item->http_status, ==, 0);
  g_assert_cmpint (item->retry_after_ms, ==, -1);
  g_assert_false (item->permanent);
  /* No answer, no handshake record. */
  g_assert_null (find_event (&fixture, SONDE_MESSAGE_KIND_HANDSHAKE));

  g_clear_pointer (&fixture.link, sonde_link_unref);
  sonde_link_batch_clear (&fixture.batch);
  g_ptr_array_unref (fixture.items);
}

/* Closing during the handshake gives it up. */
static void
test_close_while_connecting (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SERVER_SILENT, NULL, 0);
  g_autofree char *url = raw_server_dup_url (server);
  Fixture fixture = { 0 };
  Item *item;

  fixture.items = g_ptr_array_new_with_free_func (item_free);
  sonde_link_batch_init (&fixture.batch);
  start (&fixture, options_new (url), TRUE);

  SONDE_TEST_ASSERT_WAIT (raw_server_got_request (server), WAIT_MS);
  sonde_link_close (fixture.link, 1000, NULL);
  item = wait_event (&fixture, SONDE_MESSAGE_KIND_FAILED);
  g_assert_error (item->error, SONDE_ERROR, SONDE_ERROR_CANCELLED);
  g_assert_cmpstr (item->error->message, ==, "Cancelled before the handshake completed");
  g_assert_null (find_event (&fixture, SONDE_MESSAGE_KIND_OPEN));

  g_clear_pointer (&fixture.link, sonde_link_unref);
  sonde_link_batch_clear (&fixture.batch);
  g_ptr_array_unref (fixture.items);
}

/* Nothing listens on the port. */
static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  Fixture fixture = { 0 };
  guint16 port;
  Item *item;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  expected = g_strdup_printf ("Connection refused by 127.0.0.1:%u: nothing accepts connections on that port", port);

  fixture.items = g_ptr_array_new_with_free_func (item_free);
  sonde_link_batch_init (&fixture.batch);
  start (&fixture, options_new (url), TRUE);

  item = wait_event (&fixture, SONDE_MESSAGE_KIND_FAILED);
  g_assert_error (item->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (item->error->message, ==, expected);
  g_assert_cmpuint (item->http_status, ==, 0);
  g_assert_false (item->permanent);

  g_clear_pointer (&fixture.link, sonde_link_unref);
  sonde_link_batch_clear (&fixture.batch);
  g_ptr_array_unref (fixture.items);
}

/* A send the I/O thread can no longer make (the server closed; the
 * thread may even have ended) is reported as an error event, never
 * dropped silently nor sent after the close began. */
static void
test_send_after_close (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GBytes) late = g_bytes_new_static ("late", 4);
  Item *item;

  start_path (fixture, "/ws/close-4000");
  wait_event (fixture, SONDE_MESSAGE_KIND_CLOSE);
  sonde_link_send (fixture->link, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_NONE, late);

  wait_event (fixture, SONDE_MESSAGE_KIND_ERROR);
  g_assert_cmpuint (count_items (fixture, SONDE_DIRECTION_OUT), ==, 0);
  item = find_event (fixture, SONDE_MESSAGE_KIND_ERROR);
  g_assert_error (item->error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_assert_cmpstr (item->error->message, ==,
                   "A 4-byte message was not sent: the connection closed before it could go out");
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/link/open-send-close", Fixture, NULL, fixture_setup, test_open_send_close, fixture_teardown);
  g_test_add ("/link/server-close", Fixture, NULL, fixture_setup, test_server_close, fixture_teardown);
  g_test_add ("/link/send-after-close", Fixture, NULL, fixture_setup, test_send_after_close, fixture_teardown);
  g_test_add ("/link/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/link/retry-after-date", Fixture, NULL, fixture_setup, test_retry_after_date, fixture_teardown);
  g_test_add ("/link/batches", Fixture, NULL, fixture_setup, test_batches, fixture_teardown);
  g_test_add ("/link/detach", Fixture, NULL, fixture_setup, test_detach, fixture_teardown);
  g_test_add ("/link/redaction", Fixture, NULL, fixture_setup, test_redaction, fixture_teardown);
  g_test_add_func ("/link/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/link/close-while-connecting", test_close_while_connecting);
  g_test_add_func ("/link/connection-refused", test_connection_refused);

  return g_test_run ();
}
