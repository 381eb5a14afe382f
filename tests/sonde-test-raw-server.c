/* sonde-test-raw-server.c: a hand-driven TCP peer on the test's main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-test-raw-server.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct _RawServer
{
  RawServerMode      mode;
  GBytes            *payload;
  GSocketService    *service;
  guint16            port;
  GSocketConnection *connection;
  GCancellable      *cancellable;
  GString           *request;
  GByteArray        *answer;
  guint              sent;
  guint              trickle_id;
  gboolean           got_request;
  guint8             buffer[4096];
};

static char *
accept_key (const char *request)
{
  const char *line = strstr (request, "Sec-WebSocket-Key:");
  g_autofree char *key = NULL;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  const char *end;

  g_assert_nonnull (line);
  line += strlen ("Sec-WebSocket-Key:");
  end = strstr (line, "\r\n");
  key = g_strstrip (g_strndup (line, end - line));

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static void
append_frame (GByteArray   *out,
              guint8        opcode,
              const guint8 *data,
              gsize         length)
{
  guint8 header[2] = { 0x80 | opcode, (guint8) length };

  g_assert_cmpuint (length, <, 126);
  g_byte_array_append (out, header, 2);
  g_byte_array_append (out, data, (guint) length);
}

static void
write_all (RawServer *server)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (server->connection));

  g_output_stream_write_all (out, server->answer->data, server->answer->len, NULL, NULL, NULL);
  server->sent = server->answer->len;
}

static gboolean
on_trickle (gpointer data)
{
  RawServer *server = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (server->connection));

  if (server->sent >= server->answer->len ||
      g_output_stream_write (out, server->answer->data + server->sent, 1, NULL, NULL) != 1)
    {
      server->trickle_id = 0;
      return G_SOURCE_REMOVE;
    }

  server->sent++;
  return G_SOURCE_CONTINUE;
}

static void
answer (RawServer *server)
{
  g_autofree char *accept = accept_key (server->request->str);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                                           "Upgrade: websocket\r\n"
                                           "Connection: Upgrade\r\n"
                                           "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  gsize length = 0;
  const guint8 *payload = server->payload ? g_bytes_get_data (server->payload, &length) : NULL;

  server->answer = g_byte_array_new ();
  g_byte_array_append (server->answer, (const guint8 *) head, (guint) strlen (head));

  switch (server->mode)
    {
    case RAW_SERVER_SILENT:
      return;
    case RAW_SERVER_TRICKLE:
      server->trickle_id = g_timeout_add (200, on_trickle, server);
      return;
    case RAW_SERVER_CLOSE_FRAME:
      append_frame (server->answer, 0x8, payload, length);
      write_all (server);
      return;
    case RAW_SERVER_RAW_FRAMES:
      g_byte_array_append (server->answer, payload, (guint) length);
      write_all (server);
      g_io_stream_close (G_IO_STREAM (server->connection), NULL, NULL);
      return;
    default:
      g_assert_not_reached ();
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  RawServer *server = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    return;

  g_string_append_len (server->request, (const char *) server->buffer, n);
  if (!server->got_request && strstr (server->request->str, "\r\n\r\n") != NULL)
    {
      server->got_request = TRUE;
      answer (server);
    }

  if (!g_io_stream_is_closed (G_IO_STREAM (server->connection)))
    g_input_stream_read_async (G_INPUT_STREAM (source), server->buffer, sizeof server->buffer,
                               G_PRIORITY_DEFAULT, server->cancellable, on_read, server);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  RawServer *server = data;

  if (server->connection != NULL)
    return FALSE;

  server->connection = g_object_ref (connection);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             server->buffer, sizeof server->buffer,
                             G_PRIORITY_DEFAULT, server->cancellable, on_read, server);
  return TRUE;
}

RawServer *
raw_server_new (RawServerMode  mode,
                const guint8  *payload,
                gsize          length)
{
  RawServer *server = g_new0 (RawServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  server->mode = mode;
  server->payload = payload ? g_bytes_new (payload, length) : NULL;
  server->request = g_string_new (NULL);
  server->cancellable = g_cancellable_new ();
  server->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_socket_service_start (server->service);

  return server;
}

guint16
raw_server_get_port (RawServer *server)
{
  return server->port;
}

char *
raw_server_dup_url (RawServer *server)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/raw", server->port);
}

guint
raw_server_get_n_bytes_sent (RawServer *server)
{
  return server->sent;
}

gboolean
raw_server_got_request (RawServer *server)
{
  return server->got_request;
}

void
raw_server_free (RawServer *server)
{
  g_clear_handle_id (&server->trickle_id, g_source_remove);
  /* A read still pending would write into our buffer: cancel it first. */
  g_cancellable_cancel (server->cancellable);
  g_clear_object (&server->cancellable);
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_signal_handlers_disconnect_by_data (server->service, server);
  g_clear_object (&server->service);
  if (server->connection != NULL)
    g_io_stream_close (G_IO_STREAM (server->connection), NULL, NULL);
  g_clear_object (&server->connection);
  g_clear_pointer (&server->payload, g_bytes_unref);
  g_clear_pointer (&server->answer, g_byte_array_unref);
  g_string_free (server->request, TRUE);
  g_free (server);
}
