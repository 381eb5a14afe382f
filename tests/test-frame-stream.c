/* test-frame-stream.c: SondeFrameStream under libsoup's WebSocket connection, over loopback TCP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sonde-frame-parser.h"
#include "sonde-frame-stream.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000

typedef struct {
  SondeDirection direction;
  SondeFrameInfo info;
  GBytes        *control;   /* control frames only */
} Seen;

typedef struct {
  GSocketConnection       *server_io;
  GSocketConnection       *client_io;
  GIOStream               *server_tls;  /* with TLS: over server_io */
  GIOStream               *client_tls;  /* with TLS: over client_io, under the frame stream */
  SondeFrameStream        *stream;
  SoupWebsocketConnection *server;   /* NULL when the test writes raw frames */
  SoupWebsocketConnection *client;

  GPtrArray *seen;                   /* of Seen */
  GPtrArray *client_messages;        /* of GBytes */
  GPtrArray *server_messages;        /* of GBytes */
  guint      limit_calls;
  guint64    limit_grown_to;
  guint64    limit_limit;
  gboolean   client_closed;
} Fixture;

static void
seen_free (gpointer data)
{
  Seen *seen = data;

  g_clear_pointer (&seen->control, g_bytes_unref);
  g_free (seen);
}

static void
on_frame (gpointer              user_data,
          SondeDirection        direction,
          const SondeFrameInfo *frame,
          const guint8         *control_payload,
          gsize                 control_length)
{
  Fixture *fixture = user_data;
  Seen *seen = g_new0 (Seen, 1);

  seen->direction = direction;
  seen->info = *frame;
  if (frame->opcode >= 8)
    {
      g_assert_nonnull (control_payload);
      seen->control = g_bytes_new (control_payload, control_length);
    }
  else
    {
      g_assert_null (control_payload);
    }
  g_ptr_array_add (fixture->seen, seen);
}

static void
on_limit (gpointer user_data,
          guint64  grown_to,
          guint64  limit)
{
  Fixture *fixture = user_data;

  fixture->limit_calls++;
  fixture->limit_grown_to = grown_to;
  fixture->limit_limit = limit;
}

static void
on_message (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  g_ptr_array_add (user_data, g_bytes_ref (message));
}

static void
on_client_closed (SoupWebsocketConnection *connection,
                  gpointer                 user_data)
{
  Fixture *fixture = user_data;

  fixture->client_closed = TRUE;
}

static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  g_assert_no_error (error);
  (*done)++;
}

/* TLS over the loopback connection, with the test server certificate. */
static void
start_tls (Fixture *fixture)
{
  g_autofree char *cert_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server.pem", NULL);
  g_autofree char *key_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server.key", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  guint done = 0;

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  fixture->server_tls = g_tls_server_connection_new (G_IO_STREAM (fixture->server_io),
                                                     certificate, &error);
  g_assert_no_error (error);
  fixture->client_tls = g_tls_client_connection_new (G_IO_STREAM (fixture->client_io), NULL,
                                                     &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->client_tls, "accept-certificate",
                    G_CALLBACK (on_accept_certificate), NULL);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (fixture->server_tls), G_PRIORITY_DEFAULT,
                                    NULL, on_handshake, &done);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fixture->client_tls), G_PRIORITY_DEFAULT,
                                    NULL, on_handshake, &done);
  SONDE_TEST_ASSERT_WAIT (done == 2, WAIT_MS);
}

/* The client end: libsoup's connection over a SondeFrameStream. With
 * @libsoup_server, the other end is libsoup's server-side connection; with
 * @tls, both run over TLS. */
static void
fixture_start_full (Fixture  *fixture,
                    gboolean  libsoup_server,
                    GBytes   *prefix,
                    guint64   max_message,
                    gboolean  tls)
{
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);
  GIOStream *client_base;
  GIOStream *server_base;

  fixture->seen = g_ptr_array_new_with_free_func (seen_free);
  fixture->client_messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fixture->server_messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  sonde_test_loopback_pair (&fixture->server_io, &fixture->client_io);
  if (tls)
    start_tls (fixture);
  client_base = tls ? fixture->client_tls : G_IO_STREAM (fixture->client_io);
  server_base = tls ? fixture->server_tls : G_IO_STREAM (fixture->server_io);

  fixture->stream = sonde_frame_stream_new (client_base, prefix);
  g_assert_true (sonde_frame_stream_get_base (fixture->stream) == client_base);
  sonde_frame_stream_set_observer (fixture->stream, on_frame, on_limit, fixture);
  sonde_frame_stream_set_max_message (fixture->stream, max_message);

  fixture->client = soup_websocket_connection_new (G_IO_STREAM (fixture->stream), uri,
                                                   SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                                   NULL, NULL, NULL);
  soup_websocket_connection_set_max_incoming_payload_size (fixture->client, 0);
  g_signal_connect (fixture->client, "message", G_CALLBACK (on_message), fixture->client_messages);
  g_signal_connect (fixture->client, "closed", G_CALLBACK (on_client_closed), fixture);

  if (libsoup_server)
    {
      fixture->server = soup_websocket_connection_new (server_base, uri,
                                                       SOUP_WEBSOCKET_CONNECTION_SERVER,
                                                       NULL, NULL, NULL);
      soup_websocket_connection_set_max_incoming_payload_size (fixture->server, 0);
      g_signal_connect (fixture->server, "message", G_CALLBACK (on_message),
                        fixture->server_messages);
    }
}

static void
fixture_start (Fixture  *fixture,
               gboolean  libsoup_server,
               GBytes   *prefix,
               guint64   max_message)
{
  fixture_start_full (fixture, libsoup_server, prefix, max_message, FALSE);
}

static void
fixture_stop (Fixture *fixture)
{
  if (fixture->server != NULL)
    {
      if (soup_websocket_connection_get_state (fixture->client) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (fixture->client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      SONDE_TEST_ASSERT_WAIT (fixture->client_closed, WAIT_MS);
      SONDE_TEST_ASSERT_WAIT (soup_websocket_connection_get_state (fixture->server)
                              == SOUP_WEBSOCKET_STATE_CLOSED, WAIT_MS);
      g_assert_finalize_object (fixture->server);
    }
  else if (!fixture->client_closed)
    {
      g_io_stream_close (G_IO_STREAM (fixture->server_io), NULL, NULL);
      SONDE_TEST_ASSERT_WAIT (fixture->client_closed, WAIT_MS);
    }

  g_assert_finalize_object (fixture->client);
  g_assert_finalize_object (fixture->stream);
  g_clear_object (&fixture->client_tls);
  g_clear_object (&fixture->server_tls);
  g_clear_object (&fixture->client_io);
  g_clear_object (&fixture->server_io);
  g_ptr_array_unref (fixture->seen);
  g_ptr_array_unref (fixture->client_messages);
  g_ptr_array_unref (fixture->server_messages);
}

/* How many frames of @direction and @opcode were seen. */
static guint
count_seen (Fixture        *fixture,
            SondeDirection  direction,
            int             opcode)
{
  guint n = 0;

  for (guint i = 0; i < fixture->seen->len; i++)
    {
      Seen *seen = g_ptr_array_index (fixture->seen, i);

      if (seen->direction == direction && (opcode < 0 || seen->info.opcode == opcode))
        n++;
    }
  return n;
}

static Seen *
find_seen (Fixture        *fixture,
           SondeDirection  direction,
           guint8          opcode,
           guint           nth)
{
  for (guint i = 0; i < fixture->seen->len; i++)
    {
      Seen *seen = g_ptr_array_index (fixture->seen, i);

      if (seen->direction == direction && seen->info.opcode == opcode && nth-- == 0)
        return seen;
    }
  return NULL;
}

static void
assert_seen (Seen   *seen,
             guint8  opcode,
             guint8  bits,
             guint64 size)
{
  g_assert_nonnull (seen);
  g_assert_cmpuint (seen->info.opcode, ==, opcode);
  g_assert_cmpuint (seen->info.bits, ==, bits);
  g_assert_cmpuint (seen->info.size, ==, size);
}

static void
assert_control (Seen       *seen,
                const char *payload)
{
  g_autoptr(GBytes) expected = g_bytes_new_static (payload, strlen (payload));

  g_assert_nonnull (seen);
  g_assert_nonnull (seen->control);
  g_assert_true (g_bytes_equal (seen->control, expected));
}

/* One server frame (unmasked) appended to @out. */
static void
append_frame (GByteArray   *out,
              guint8        first_byte,
              const guint8 *payload,
              gsize         length)
{
  guint8 header[10];
  gsize header_length;

  header[0] = first_byte;
  if (length < 126)
    {
      header[1] = length;
      header_length = 2;
    }
  else if (length < 65536)
    {
      header[1] = 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
      header_length = 10;
    }
  g_byte_array_append (out, header, header_length);
  if (length > 0)
    g_byte_array_append (out, payload, length);
}

static void
server_write_raw (Fixture    *fixture,
                  GByteArray *bytes)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fixture->server_io));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, bytes->data, bytes->len, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_messages (void)
{
  Fixture fixture = { 0 };
  g_autofree guint8 *big = g_malloc (70000);
  g_autofree guint8 *medium = g_malloc (300);
  SondeFrameCounts counts;

  memset (big, 'b', 70000);
  memset (medium, 'm', 300);

  fixture_start (&fixture, TRUE, NULL, 0);

  soup_websocket_connection_send_text (fixture.server, "hello");
  soup_websocket_connection_send_binary (fixture.server, "\x01\x02\x03", 3);
  soup_websocket_connection_send_binary (fixture.server, medium, 300);
  soup_websocket_connection_send_binary (fixture.server, big, 70000);
  soup_websocket_connection_send_text (fixture.client, "hi");

  SONDE_TEST_ASSERT_WAIT (fixture.client_messages->len == 4 && fixture.server_messages->len == 1,
                          WAIT_MS);

  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[0]), "hello", 5);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[1], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[1]), "\x01\x02\x03", 3);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[2], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[2]), medium, 300);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[3], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[3]), big, 70000);
  g_assert_cmpmem (g_bytes_get_data (fixture.server_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.server_messages->pdata[0]), "hi", 2);

  /* Each frame with its opcode, FIN, mask and size; 7-, 16- and 64-bit lengths. */
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 1, 0), 1, SONDE_FRAME_FIN, 5);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 2, 0), 2, SONDE_FRAME_FIN, 3);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 2, 1), 2, SONDE_FRAME_FIN, 300);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 2, 2), 2, SONDE_FRAME_FIN, 70000);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_OUT, 1, 0), 1,
               SONDE_FRAME_FIN | SONDE_FRAME_MASKED, 2);
  g_assert_cmpuint (count_seen (&fixture, SONDE_DIRECTION_IN, -1), ==, 4);
  g_assert_cmpuint (count_seen (&fixture, SONDE_DIRECTION_OUT, -1), ==, 1);

  sonde_frame_stream_get_counts (fixture.stream, &counts);
  g_assert_cmpuint (counts.frames_in, ==, 4);
  g_assert_cmpuint (counts.frames_out, ==, 1);
  g_assert_cmpuint (counts.control_in, ==, 0);
  g_assert_cmpuint (counts.bytes_in, ==, (2 + 5) + (2 + 3) + (4 + 300) + (10 + 70000));
  g_assert_cmpuint (counts.bytes_out, ==, 2 + 4 + 2);
  g_assert_cmpuint (counts.discarded_bytes, ==, 0);

  fixture_stop (&fixture);
}

/* libsoup's server pings ("libsoup", from its keepalive); libsoup's client
 * answers by itself. */
static void
test_ping_pong (void)
{
  Fixture fixture = { 0 };
  SondeFrameCounts counts;

  fixture_start (&fixture, TRUE, NULL, 0);
  soup_websocket_connection_set_keepalive_interval (fixture.server, 1);

  SONDE_TEST_ASSERT_WAIT (find_seen (&fixture, SONDE_DIRECTION_OUT, 10, 0) != NULL, WAIT_MS);
  soup_websocket_connection_set_keepalive_interval (fixture.server, 0);

  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 9, 0), 9, SONDE_FRAME_FIN, 7);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_IN, 9, 0), "libsoup");
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_OUT, 10, 0), 10,
               SONDE_FRAME_FIN | SONDE_FRAME_MASKED, 7);
  /* The client masks its pong: the observer gets it unmasked. */
  assert_control (find_seen (&fixture, SONDE_DIRECTION_OUT, 10, 0), "libsoup");

  sonde_frame_stream_get_counts (fixture.stream, &counts);
  g_assert_cmpuint (counts.control_in, >=, 1);
  g_assert_cmpuint (counts.control_out, >=, 1);

  fixture_stop (&fixture);
}

static void
test_fragments (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  gsize size;
  const char *text;

  fixture_start (&fixture, FALSE, NULL, 0);

  for (guint i = 0; i < 1000; i++)
    {
      guint8 byte = 'a' + i % 26;
      guint8 first = (i == 0 ? 0x01 : 0x00) | (i == 999 ? 0x80 : 0x00);

      append_frame (raw, first, &byte, 1);
    }
  server_write_raw (&fixture, raw);

  SONDE_TEST_ASSERT_WAIT (fixture.client_messages->len == 1, WAIT_MS);

  text = g_bytes_get_data (fixture.client_messages->pdata[0], &size);
  g_assert_cmpuint (size, ==, 1000);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpint (text[i], ==, 'a' + i % 26);

  g_assert_cmpuint (fixture.seen->len, ==, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      Seen *seen = g_ptr_array_index (fixture.seen, i);

      g_assert_cmpint (seen->direction, ==, SONDE_DIRECTION_IN);
      assert_seen (seen, i == 0 ? 1 : 0, i == 999 ? SONDE_FRAME_FIN : 0, 1);
    }

  fixture_stop (&fixture);
}

/* Bytes read from the socket before the stream existed (with the HTTP
 * response) come first, even cut inside a header. */
static void
test_prefix (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  g_autoptr(GBytes) prefix = NULL;
  guint8 big[200];

  memset (big, 'x', sizeof big);
  append_frame (first, 0x81, (const guint8 *) "one", 3);
  append_frame (first, 0x82, big, sizeof big);       /* 4-byte header: cut after 3 */
  g_byte_array_append (rest, first->data + 5 + 2, first->len - 5 - 2);
  prefix = g_bytes_new (first->data, 5 + 2);          /* "one", then 2 bytes of the next header */
  append_frame (rest, 0x81, (const guint8 *) "three", 5);

  fixture_start (&fixture, FALSE, prefix, 0);

  /* The prefix alone: readable at once, while the socket has nothing. */
  SONDE_TEST_ASSERT_WAIT (fixture.client_messages->len == 1, WAIT_MS);
  server_write_raw (&fixture, rest);

  SONDE_TEST_ASSERT_WAIT (fixture.client_messages->len == 3, WAIT_MS);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[0]), "one", 3);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[1], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[1]), big, sizeof big);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[2], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[2]), "three", 5);
  g_assert_cmpuint (fixture.seen->len, ==, 3);
  assert_seen (fixture.seen->pdata[1], 2, SONDE_FRAME_FIN, sizeof big);

  fixture_stop (&fixture);
}

/* A ping of ours reaches libsoup's server, which answers; also while
 * libsoup is in the middle of writing a large frame (the ping must wait for
 * its end, or the server would read garbage). */
static void
test_inject (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  gsize big_size = 8 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc (big_size);
  Seen *ping;
  Seen *binary;

  fixture_start (&fixture, TRUE, NULL, 0);

  g_assert_true (sonde_frame_stream_send_control (fixture.stream, 9,
                                                  (const guint8 *) "hello", 5, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (find_seen (&fixture, SONDE_DIRECTION_IN, 10, 0) != NULL, WAIT_MS);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_OUT, 9, 0), 9,
               SONDE_FRAME_FIN | SONDE_FRAME_MASKED, 5);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_OUT, 9, 0), "hello");
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 10, 0), 10, SONDE_FRAME_FIN, 5);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_IN, 10, 0), "hello");

  /* libsoup writes what the socket takes of 8 MiB, then the ping is queued. */
  for (gsize i = 0; i < big_size; i++)
    big[i] = i * 7;
  soup_websocket_connection_send_binary (fixture.client, big, big_size);
  g_assert_true (sonde_frame_stream_send_control (fixture.stream, 9,
                                                  (const guint8 *) "mid", 3, &error));
  g_assert_no_error (error);

  SONDE_TEST_ASSERT_WAIT (fixture.server_messages->len == 1
                          && find_seen (&fixture, SONDE_DIRECTION_IN, 10, 1) != NULL, WAIT_MS);
  g_assert_cmpmem (g_bytes_get_data (fixture.server_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.server_messages->pdata[0]), big, big_size);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_IN, 10, 1), "mid");

  /* Seen in the order written: the binary frame, then the ping. */
  binary = find_seen (&fixture, SONDE_DIRECTION_OUT, 2, 0);
  ping = find_seen (&fixture, SONDE_DIRECTION_OUT, 9, 1);
  assert_seen (binary, 2, SONDE_FRAME_FIN | SONDE_FRAME_MASKED, big_size);
  assert_control (ping, "mid");
  for (guint i = 0; i < fixture.seen->len; i++)
    {
      if (fixture.seen->pdata[i] == ping)
        g_assert_not_reached ();
      if (fixture.seen->pdata[i] == binary)
        break;
    }

  /* Refused: another opcode, a payload too long. */
  g_assert_false (sonde_frame_stream_send_control (fixture.stream, 8, NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (sonde_frame_stream_send_control (fixture.stream, 9, big, 126, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  fixture_stop (&fixture);
}

/* Over TLS (a GTlsConnection as the base stream): messages both ways, a
 * large one, an injected ping answered. */
static void
test_tls (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc (300000);

  for (gsize i = 0; i < 300000; i++)
    big[i] = i * 13;

  fixture_start_full (&fixture, TRUE, NULL, 0, TRUE);

  soup_websocket_connection_send_text (fixture.server, "over tls");
  soup_websocket_connection_send_binary (fixture.server, big, 300000);
  soup_websocket_connection_send_binary (fixture.client, big, 300000);
  g_assert_true (sonde_frame_stream_send_control (fixture.stream, 9,
                                                  (const guint8 *) "tls", 3, &error));
  g_assert_no_error (error);

  SONDE_TEST_ASSERT_WAIT (fixture.client_messages->len == 2 && fixture.server_messages->len == 1
                          && find_seen (&fixture, SONDE_DIRECTION_IN, 10, 0) != NULL, WAIT_MS);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[0]), "over tls", 8);
  g_assert_cmpmem (g_bytes_get_data (fixture.client_messages->pdata[1], NULL),
                   g_bytes_get_size (fixture.client_messages->pdata[1]), big, 300000);
  g_assert_cmpmem (g_bytes_get_data (fixture.server_messages->pdata[0], NULL),
                   g_bytes_get_size (fixture.server_messages->pdata[0]), big, 300000);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_IN, 2, 0), 2, SONDE_FRAME_FIN, 300000);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_OUT, 2, 0), 2,
               SONDE_FRAME_FIN | SONDE_FRAME_MASKED, 300000);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_IN, 10, 0), "tls");

  fixture_stop (&fixture);
}

/* A 100 MiB message in 64 KiB fragments, then a Close, written by a thread. */
#define FLOOD_FRAME  (64 * 1024)
#define FLOOD_FRAMES 1600
#define FLOOD_LIMIT  (1024 * 1024)

static gpointer
flood_thread (gpointer data)
{
  GIOStream *io = data;
  GOutputStream *out = g_io_stream_get_output_stream (io);
  GInputStream *in = g_io_stream_get_input_stream (io);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GByteArray) close_frame = g_byte_array_new ();
  g_autofree guint8 *payload = g_malloc0 (FLOOD_FRAME);
  guint8 reply[256];
  gsize n;

  append_frame (close_frame, 0x88, (const guint8 *) "\x03\xe8" "bye", 5);

  for (guint i = 0; i < FLOOD_FRAMES; i++)
    {
      guint8 first = (i == 0 ? 0x02 : 0x00) | (i == FLOOD_FRAMES - 1 ? 0x80 : 0x00);

      g_byte_array_set_size (frame, 0);
      append_frame (frame, first, payload, FLOOD_FRAME);
      if (!g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, NULL))
        return NULL;
    }
  g_output_stream_write_all (out, close_frame->data, close_frame->len, NULL, NULL, NULL);

  /* The client's Close in answer, then the server ends the connection. */
  g_input_stream_read_all (in, reply, 2, &n, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
  return NULL;
}

/* The limit func closes libsoup's connection at once (1009), from inside
 * libsoup's read: the close goes out while the rest of the message is still
 * arriving and being dropped. The raw server checks the Close it gets and
 * answers it. */
static void
on_limit_close (gpointer user_data,
                guint64  grown_to,
                guint64  limit)
{
  Fixture *fixture = user_data;

  on_limit (user_data, grown_to, limit);
  soup_websocket_connection_close (fixture->client, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "too big");
}

static gpointer
flood_then_answer_thread (gpointer data)
{
  GIOStream *io = data;
  GOutputStream *out = g_io_stream_get_output_stream (io);
  GInputStream *in = g_io_stream_get_input_stream (io);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autofree guint8 *payload = g_malloc0 (FLOOD_FRAME);
  guint8 close_frame[6 + 9];
  gsize n = 0;

  for (guint i = 0; i < 64; i++)
    {
      g_byte_array_set_size (frame, 0);
      append_frame (frame, (i == 0 ? 0x02 : 0x00) | (i == 63 ? 0x80 : 0x00), payload, FLOOD_FRAME);
      if (!g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, NULL))
        return NULL;
    }

  /* The client's Close: masked, code 1009, "too big". */
  if (!g_input_stream_read_all (in, close_frame, sizeof close_frame, &n, NULL, NULL)
      || n != sizeof close_frame || close_frame[0] != 0x88 || close_frame[1] != (0x80 | 9))
    return NULL;
  for (guint i = 0; i < 9; i++)
    close_frame[6 + i] ^= close_frame[2 + (i & 3)];
  if (close_frame[6] != 0x03 || close_frame[7] != 0xf1 || memcmp (close_frame + 8, "too big", 7) != 0)
    return NULL;

  g_byte_array_set_size (frame, 0);
  append_frame (frame, 0x88, (const guint8 *) "\x03\xf1", 2);
  g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
  return GINT_TO_POINTER (TRUE);
}

static void
test_limit_close (void)
{
  Fixture fixture = { 0 };
  GThread *thread;

  fixture_start (&fixture, FALSE, NULL, FLOOD_LIMIT);
  sonde_frame_stream_set_observer (fixture.stream, on_frame, on_limit_close, &fixture);

  thread = g_thread_new ("flood", flood_then_answer_thread, fixture.server_io);
  SONDE_TEST_ASSERT_WAIT (fixture.client_closed, 60000);
  g_assert_nonnull (g_thread_join (thread));   /* the server got the right Close */

  g_assert_cmpuint (fixture.limit_calls, ==, 1);
  g_assert_cmpuint (fixture.limit_grown_to, ==, 17 * FLOOD_FRAME);
  g_assert_cmpuint (fixture.client_messages->len, ==, 0);
  assert_seen (find_seen (&fixture, SONDE_DIRECTION_OUT, 8, 0), 8,
               SONDE_FRAME_FIN | SONDE_FRAME_MASKED, 9);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_OUT, 8, 0), "\x03\xf1" "too big");
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture.client), ==,
                   SOUP_WEBSOCKET_CLOSE_TOO_BIG);

  fixture_stop (&fixture);
}

static guint64
peak_rss_kib (void)
{
  return sonde_test_memory_status ("VmHWM:") / 1024;
}

static void
test_limit (void)
{
  Fixture fixture = { 0 };
  SondeFrameCounts counts;
  GThread *thread;
  guint64 rss_before;
  guint64 delivered;
  guint data_seen = 0;

  fixture_start (&fixture, FALSE, NULL, FLOOD_LIMIT);
  rss_before = peak_rss_kib ();

  thread = g_thread_new ("flood", flood_thread, fixture.server_io);
  SONDE_TEST_ASSERT_WAIT (fixture.client_closed, 60000);
  g_thread_join (thread);

  /* The limit func once, when the 17th fragment passed 1 MiB. */
  g_assert_cmpuint (fixture.limit_calls, ==, 1);
  g_assert_cmpuint (fixture.limit_grown_to, ==, 17 * FLOOD_FRAME);
  g_assert_cmpuint (fixture.limit_limit, ==, FLOOD_LIMIT);

  /* Every frame seen, none of the message delivered, and the Close still
   * reached libsoup. */
  for (guint i = 0; i < fixture.seen->len; i++)
    if (((Seen *) fixture.seen->pdata[i])->info.opcode < 8
        && ((Seen *) fixture.seen->pdata[i])->direction == SONDE_DIRECTION_IN)
      data_seen++;
  g_assert_cmpuint (data_seen, ==, FLOOD_FRAMES);
  g_assert_cmpuint (fixture.client_messages->len, ==, 0);
  assert_control (find_seen (&fixture, SONDE_DIRECTION_IN, 8, 0), "\x03\xe8" "bye");
  g_assert_cmpint (soup_websocket_connection_get_close_code (fixture.client), ==, 1000);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (fixture.client), ==, "bye");

  /* libsoup got at most 1 MiB of the message (16 fragments with their 10-byte headers). */
  sonde_frame_stream_get_counts (fixture.stream, &counts);
  g_assert_cmpuint (counts.bytes_in, ==, (guint64) FLOOD_FRAMES * (FLOOD_FRAME + 10) + 7);
  delivered = counts.bytes_in - counts.discarded_bytes;
  g_assert_cmpuint (delivered, ==, 16 * (FLOOD_FRAME + 10) + 7);

  /* Never buffered: the peak grew far less than the message. */
  if (rss_before > 0)
    {
      g_test_message ("peak RSS grew by %" G_GUINT64_FORMAT " KiB over a 100 MiB message",
                      peak_rss_kib () - rss_before);
      g_assert_cmpuint (peak_rss_kib () - rss_before, <, 32 * 1024);
    }

  fixture_stop (&fixture);
}

/* --- Split reads: one byte per read gives what one read gives ----------- */

#define SONDE_TYPE_TRICKLE_INPUT_STREAM (sonde_trickle_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (SondeTrickleInputStream, sonde_trickle_input_stream, SONDE, TRICKLE_INPUT_STREAM, GInputStream)

/* Returns its bytes @step at a time; always readable. */
struct _SondeTrickleInputStream
{
  GInputStream parent_instance;
  GBytes *bytes;
  gsize   offset;
  gsize   step;
};

static void sonde_trickle_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeTrickleInputStream, sonde_trickle_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      sonde_trickle_input_stream_pollable_init))

static gssize
trickle_read (GInputStream  *stream,
              void          *buffer,
              gsize          count,
              GCancellable  *cancellable,
              GError       **error)
{
  SondeTrickleInputStream *self = SONDE_TRICKLE_INPUT_STREAM (stream);
  gsize size;
  const guint8 *data = g_bytes_get_data (self->bytes, &size);
  gsize n = MIN (MIN (count, self->step), size - self->offset);

  memcpy (buffer, data + self->offset, n);
  self->offset += n;
  return n;
}

static gssize
trickle_read_nonblocking (GPollableInputStream  *stream,
                          void                  *buffer,
                          gsize                  count,
                          GError               **error)
{
  return trickle_read (G_INPUT_STREAM (stream), buffer, count, NULL, error);
}

static gboolean
trickle_is_readable (GPollableInputStream *stream)
{
  return TRUE;
}

static void
trickle_finalize (GObject *object)
{
  g_bytes_unref (SONDE_TRICKLE_INPUT_STREAM (object)->bytes);
  G_OBJECT_CLASS (sonde_trickle_input_stream_parent_class)->finalize (object);
}

static void
sonde_trickle_input_stream_class_init (SondeTrickleInputStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = trickle_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = trickle_read;
}

static void
sonde_trickle_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = trickle_is_readable;
  iface->read_nonblocking = trickle_read_nonblocking;
}

static void
sonde_trickle_input_stream_init (SondeTrickleInputStream *self)
{
}

/* A recorded sequence: every header length, masked and not, control frames
 * with and without payload, fragments, reserved bits. */
static GBytes *
recorded_frames (void)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  guint8 payload[70000];
  static const guint8 masked_ping[] = { 0x89, 0x84, 1, 2, 3, 4, 'p' ^ 1, 'i' ^ 2, 'n' ^ 3, 'g' ^ 4 };
  static const guint8 masked_text[] = { 0x81, 0xfe, 0x00, 0x7e, 9, 8, 7, 6 };

  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = i;

  append_frame (raw, 0x81, payload, 0);
  append_frame (raw, 0x01, payload, 125);
  append_frame (raw, 0x8a, (const guint8 *) "pong", 4);
  append_frame (raw, 0x80, payload, 126);
  append_frame (raw, 0xc2, payload, 65535);
  append_frame (raw, 0x89, payload, 0);
  g_byte_array_append (raw, masked_ping, sizeof masked_ping);
  g_byte_array_append (raw, masked_text, sizeof masked_text);
  g_byte_array_append (raw, payload, 126);
  append_frame (raw, 0x02, payload, 70000);
  append_frame (raw, 0x00, payload, 3000);
  append_frame (raw, 0x8a, payload, 125);
  append_frame (raw, 0x80, payload, 1);
  append_frame (raw, 0x88, (const guint8 *) "\x03\xe8", 2);
  return g_byte_array_free_to_bytes (g_steal_pointer (&raw));
}

typedef struct {
  GString    *log;       /* every event, as text */
  GByteArray *output;    /* what the reader got */
} Trace;

static void
trace_frame (gpointer              user_data,
             SondeDirection        direction,
             const SondeFrameInfo *frame,
             const guint8         *control_payload,
             gsize                 control_length)
{
  Trace *trace = user_data;

  g_string_append_printf (trace->log, "frame %d %u %u %" G_GUINT64_FORMAT, direction,
                          frame->opcode, frame->bits, frame->size);
  for (gsize i = 0; control_payload != NULL && i < control_length; i++)
    g_string_append_printf (trace->log, "%s%02x", i == 0 ? " " : "", control_payload[i]);
  g_string_append_c (trace->log, '\n');
}

static void
trace_limit (gpointer user_data,
             guint64  grown_to,
             guint64  limit)
{
  Trace *trace = user_data;

  g_string_append_printf (trace->log, "limit %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                          grown_to, limit);
}

/* Reads @bytes through a frame stream whose base gives @step bytes per read,
 * @count bytes asked each time. */
static Trace
read_through (GBytes   *bytes,
              gsize     prefix_length,
              gsize     step,
              gsize     count,
              gboolean  nonblocking,
              guint64   max_message)
{
  SondeTrickleInputStream *trickle = g_object_new (SONDE_TYPE_TRICKLE_INPUT_STREAM, NULL);
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GBytes) prefix = g_bytes_new_from_bytes (bytes, 0, prefix_length);
  g_autoptr(SondeFrameStream) stream = NULL;
  GInputStream *in;
  Trace trace = { g_string_new (NULL), g_byte_array_new () };
  guint8 buffer[2048];

  trickle->bytes = g_bytes_new_from_bytes (bytes, prefix_length,
                                           g_bytes_get_size (bytes) - prefix_length);
  trickle->step = step;
  base = g_simple_io_stream_new (G_INPUT_STREAM (trickle), sink);
  g_object_unref (trickle);

  stream = sonde_frame_stream_new (base, prefix);
  sonde_frame_stream_set_observer (stream, trace_frame, trace_limit, &trace);
  sonde_frame_stream_set_max_message (stream, max_message);
  in = g_io_stream_get_input_stream (G_IO_STREAM (stream));

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (nonblocking)
        n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                      count, NULL, &error);
      else
        n = g_input_stream_read (in, buffer, count, NULL, &error);
      /* A long run of dropped bytes yields (the base is always readable). */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_assert_true (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in)));
          continue;
        }
      g_assert_no_error (error);
      if (n == 0)
        break;
      g_assert_cmpint (n, >, 0);
      g_byte_array_append (trace.output, buffer, n);
    }

  return trace;
}

static void
trace_clear (Trace *trace)
{
  g_string_free (trace->log, TRUE);
  g_byte_array_unref (trace->output);
}

static void
assert_same_trace (Trace *a,
                   Trace *b)
{
  g_assert_cmpstr (a->log->str, ==, b->log->str);
  g_assert_cmpmem (a->output->data, a->output->len, b->output->data, b->output->len);
}

static void
test_split (void)
{
  g_autoptr(GBytes) bytes = recorded_frames ();
  gsize size = g_bytes_get_size (bytes);
  static const guint64 limits[] = { 0, 200, 66000 };

  for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
    {
      Trace whole = read_through (bytes, 0, G_MAXSIZE, 2048, FALSE, limits[l]);
      Trace trickled = read_through (bytes, 0, 1, 1024, TRUE, limits[l]);
      Trace small = read_through (bytes, 0, 7, 3, FALSE, limits[l]);

      /* The whole input when nothing is dropped. */
      if (limits[l] == 0)
        g_assert_cmpmem (whole.output->data, whole.output->len, g_bytes_get_data (bytes, NULL), size);
      else
        g_assert_nonnull (strstr (whole.log->str, "limit "));
      g_assert_nonnull (strstr (whole.log->str, "frame 0 9 17 4 70696e67\n"));
      g_assert_nonnull (strstr (whole.log->str, "frame 0 8 1 2 03e8\n"));

      assert_same_trace (&whole, &trickled);
      assert_same_trace (&whole, &small);

      /* Every split point for the prefix (through the first headers), the
       * rest 13 bytes per read. */
      for (gsize cut = 0; cut <= 200; cut++)
        {
          Trace split = read_through (bytes, cut, 13, 1024, TRUE, limits[l]);

          assert_same_trace (&whole, &split);
          trace_clear (&split);
        }

      trace_clear (&whole);
      trace_clear (&trickled);
      trace_clear (&small);
    }
}

/* The parser alone: every two-piece split of the recorded sequence gives the
 * same events as one piece. */
static GString *
parse_events (GBytes *bytes,
              gsize   cut)
{
  SondeFrameParser parser;
  GString *log = g_string_new (NULL);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize pieces[2][2] = { { 0, cut }, { cut, size } };

  sonde_frame_parser_init (&parser);
  for (guint p = 0; p < 2; p++)
    {
      gsize at = pieces[p][0];
      SondeFrameEvent event;

      do
        {
          at += sonde_frame_parser_scan (&parser, data + at, pieces[p][1] - at, &event);
          if (event == SONDE_FRAME_EVENT_HEADER)
            g_string_append_printf (log, "H%u/%u/%" G_GUINT64_FORMAT "/%u ", parser.frame.opcode,
                                    parser.frame.bits, parser.frame.size, parser.header_length);
          else if (event == SONDE_FRAME_EVENT_CONTROL)
            g_string_append_printf (log, "C%u ", parser.control_length);
        }
      while (event != SONDE_FRAME_EVENT_NONE);
      g_assert_cmpuint (at, ==, pieces[p][1]);
    }
  g_assert_true (sonde_frame_parser_at_boundary (&parser));
  return log;
}

static void
test_parser_split (void)
{
  g_autoptr(GBytes) bytes = recorded_frames ();
  g_autoptr(GString) whole = parse_events (bytes, 0);

  g_assert_cmpstr (whole->str, ==,
                   "H1/1/0/2 H1/0/125/2 H10/1/4/2 C4 H0/1/126/4 H2/3/65535/4 H9/1/0/2 C0 "
                   "H9/17/4/6 C4 H1/17/126/8 H2/0/70000/10 H0/0/3000/4 H10/1/125/2 C125 "
                   "H0/1/1/2 H8/1/2/2 C2 ");
  for (gsize cut = 1; cut <= g_bytes_get_size (bytes); cut++)
    {
      g_autoptr(GString) split = parse_events (bytes, cut);

      g_assert_cmpstr (split->str, ==, whole->str);
    }
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/frame-stream/parser-split", test_parser_split);
  g_test_add_func ("/frame-stream/split", test_split);
  g_test_add_func ("/frame-stream/messages", test_messages);
  g_test_add_func ("/frame-stream/ping-pong", test_ping_pong);
  g_test_add_func ("/frame-stream/fragments", test_fragments);
  g_test_add_func ("/frame-stream/prefix", test_prefix);
  g_test_add_func ("/frame-stream/inject", test_inject);
  g_test_add_func ("/frame-stream/tls", test_tls);
  g_test_add_func ("/frame-stream/limit", test_limit);
  g_test_add_func ("/frame-stream/limit-close", test_limit_close);

  return g_test_run ();
}
