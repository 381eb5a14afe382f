/* flood-server.c: a WebSocket flood server for the ingest benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listens on 127.0.0.1 (port 0 unless --port), prints "PORT n" on stdout,
 * accepts one connection, answers the WebSocket handshake itself (RFC 6455
 * §4.2.2) and writes --count unmasked text frames of exactly --size bytes of
 * JSON, then a Close frame with code 1000. It waits for the client's Close
 * frame (or EOF, or a deadline), closes the socket and exits.
 *
 * It must never be the bottleneck: frames are pre-built into a buffer of
 * about 4 MiB before the port is printed, and each round only patches the
 * sequence numbers in place (a fixed-width, space-padded field) and hands
 * the whole buffer to write(). A payload looks like
 *
 *   {"seq":         42,"sym":"ABC","price":101.25,"pad":"xxxx…x"}
 *
 * With --msgpack, binary frames of the same tick in MessagePack (written
 * here by hand, following the spec: github.com/msgpack/msgpack/blob/master/
 * spec.md), also exactly --size bytes:
 *
 *   84                        a map of 4
 *   a3 "seq"  ce XX XX XX XX  uint 32 (always 4 bytes, patched in place)
 *   a3 "sym"  a3 "ABC"
 *   a5 "price" cb <101.25>    float 64, big-endian
 *   a3 "pad"  d9 NN "x…x"     str 8 (str 16, da NN NN, past 255 bytes)
 *
 * With --socketio, the same tick framed as a Socket.IO event, also exactly
 * --size bytes, its seq patched in place as above:
 *
 *   42["tick",{"seq":         42,"sym":"ABC","price":101.25,"pad":"xxxx…x"}]
 *
 * and, right after the handshake, the Engine.IO open packet as a text frame
 * of its own (one message more than --count):
 *
 *   0{"sid":"bench","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
 *
 * What the client sends (a Socket.IO client answers "40", CONNECT) is never
 * read during the flood, and no reply is made to it. With --jsonrpc, the
 * tick as a JSON-RPC 2.0 notification (no framing change beyond the text):
 *
 *   {"jsonrpc":"2.0","method":"tick","params":{"seq":         42,…,"pad":"x…x"}}
 *
 * With --rate N it paces itself to N messages a second instead: it writes
 * in steps of about 5 ms of messages and sleeps until each step is due. A
 * receiver that falls behind holds it up (TCP flow control); it then writes
 * without sleeping until it is back on schedule. What it achieved is in its
 * last line on stderr.
 *
 * It stops by itself: after serving one client, after --lifetime seconds,
 * or when its standard input (a pipe from the driver) reaches EOF.
 */

#define G_LOG_DOMAIN "flood-server"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define WS_GUID          "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define SEQ_WIDTH        10
#define PAYLOAD_HEAD     "{\"seq\":"
#define PAYLOAD_MIDDLE   ",\"sym\":\"ABC\",\"price\":101.25,\"pad\":\""
#define PAYLOAD_TAIL     "\"}"
/* --socketio: an Engine.IO message (4) holding a Socket.IO event (2). */
#define SOCKETIO_HEAD    "42[\"tick\",{\"seq\":"
#define SOCKETIO_TAIL    "\"}]"
#define SOCKETIO_OPEN    "0{\"sid\":\"bench\",\"upgrades\":[],\"pingInterval\":25000," \
                         "\"pingTimeout\":20000,\"maxPayload\":1000000}"
/* --jsonrpc: a JSON-RPC 2.0 notification. */
#define JSONRPC_HEAD     "{\"jsonrpc\":\"2.0\",\"method\":\"tick\",\"params\":{\"seq\":"
#define JSONRPC_TAIL     "\"}}"
/* MessagePack: everything up to the pad's string header. */
#define MSGPACK_HEAD_LEN 37
#define ROUND_BYTES      ((gsize) 4 * 1024 * 1024)
#define MAX_REQUEST      16384
#define HANDSHAKE_MS     10000
#define CLOSE_WAIT_MS    60000
#define PACE_STEPS       200   /* a second of --rate is written in this many steps */

typedef enum {
  FRAMING_JSON,
  FRAMING_MSGPACK,
  FRAMING_SOCKETIO,
  FRAMING_JSONRPC,
} Framing;

typedef struct {
  guint8 *data;
  gsize   frame_len;    /* header + payload */
  gsize   seq_offset;   /* of the seq field inside a frame */
  guint   n_slots;
  gboolean msgpack;     /* the seq field is a big-endian uint 32, not decimal */
  const char *head;     /* text framings: the payload up to the seq field */
  const char *tail;     /* and after the pad */
} Frames;

static void
framing_text (Framing      framing,
              const char **head,
              const char **tail)
{
  switch (framing)
    {
    case FRAMING_SOCKETIO:
      *head = SOCKETIO_HEAD;
      *tail = SOCKETIO_TAIL;
      break;
    case FRAMING_JSONRPC:
      *head = JSONRPC_HEAD;
      *tail = JSONRPC_TAIL;
      break;
    case FRAMING_JSON:
    case FRAMING_MSGPACK:
    default:
      *head = PAYLOAD_HEAD;
      *tail = PAYLOAD_TAIL;
      break;
    }
}

static gsize
payload_min_size (Framing framing)
{
  const char *head;
  const char *tail;

  if (framing == FRAMING_MSGPACK)
    return MSGPACK_HEAD_LEN + 2;
  framing_text (framing, &head, &tail);
  return strlen (head) + SEQ_WIDTH + strlen (PAYLOAD_MIDDLE) + strlen (tail);
}

static gsize
frame_header (guint8 *out,
              guint8  opcode,
              guint64 length)
{
  out[0] = 0x80 | opcode;   /* FIN + opcode, never masked from a server */
  if (length < 126)
    {
      out[1] = (guint8) length;
      return 2;
    }
  if (length <= G_MAXUINT16)
    {
      out[1] = 126;
      out[2] = (guint8) (length >> 8);
      out[3] = (guint8) length;
      return 4;
    }

  out[1] = 127;
  for (int i = 0; i < 8; i++)
    out[2 + i] = (guint8) (length >> (56 - 8 * i));
  return 10;
}

/* Right-aligned decimal in a field of SEQ_WIDTH bytes, padded with spaces:
 * whitespace before a JSON value is allowed. */
static void
write_seq (guint8  *field,
           guint64  seq)
{
  int i = SEQ_WIDTH - 1;

  do
    {
      field[i--] = (guint8) ('0' + seq % 10);
      seq /= 10;
    }
  while (seq > 0 && i >= 0);

  while (i >= 0)
    field[i--] = ' ';
}

static void
write_seq_msgpack (guint8  *field,
                   guint64  seq)
{
  for (int i = 0; i < 4; i++)
    field[i] = (guint8) (seq >> (24 - 8 * i));
}

static guint8 *
put_msgpack_str (guint8     *p,
                 const char *s)
{
  *p++ = (guint8) (0xa0 | strlen (s));   /* fixstr: under 32 bytes */
  memcpy (p, s, strlen (s));
  return p + strlen (s);
}

/* The tick in MessagePack, exactly @size bytes (≥ payload_min_size (TRUE)),
 * its seq 0; returns the offset of the seq's 4 bytes. */
static gsize
msgpack_tick (guint8 *out,
              gsize   size)
{
  union { double d; guint64 u; } price = { .d = 101.25 };
  guint8 *p = out;
  gsize pad = size - MSGPACK_HEAD_LEN - 2;
  gsize seq_offset;

  *p++ = 0x84;
  p = put_msgpack_str (p, "seq");
  *p++ = 0xce;
  seq_offset = (gsize) (p - out);
  write_seq_msgpack (p, 0);
  p += 4;
  p = put_msgpack_str (p, "sym");
  p = put_msgpack_str (p, "ABC");
  p = put_msgpack_str (p, "price");
  *p++ = 0xcb;
  for (int i = 0; i < 8; i++)
    *p++ = (guint8) (price.u >> (56 - 8 * i));
  p = put_msgpack_str (p, "pad");
  g_assert ((gsize) (p - out) == MSGPACK_HEAD_LEN);
  if (pad <= G_MAXUINT8)
    {
      *p++ = 0xd9;
      *p++ = (guint8) pad;
    }
  else
    {
      pad--;   /* str 16's length takes one more byte */
      g_assert (pad <= G_MAXUINT16);
      *p++ = 0xda;
      *p++ = (guint8) (pad >> 8);
      *p++ = (guint8) pad;
    }
  memset (p, 'x', pad);
  p += pad;
  g_assert ((gsize) (p - out) == size);
  return seq_offset;
}

static void
frames_build (Frames  *frames,
              guint64  count,
              gsize    size)
{
  guint8 header[10];
  gsize header_len = frame_header (header, frames->msgpack ? 0x2 : 0x1, size);
  gsize pad = frames->msgpack ? 0 : size - strlen (frames->head) - SEQ_WIDTH
                                        - strlen (PAYLOAD_MIDDLE) - strlen (frames->tail);
  guint8 *template;
  guint8 *p;

  frames->frame_len = header_len + size;
  frames->n_slots = (guint) MAX (1, ROUND_BYTES / frames->frame_len);
  if (frames->n_slots > count)
    frames->n_slots = (guint) MAX (count, 1);
  frames->seq_offset = header_len + (frames->msgpack ? 0 : strlen (frames->head));

  template = g_malloc (frames->frame_len);
  p = template;
  memcpy (p, header, header_len);
  p += header_len;
  if (frames->msgpack)
    {
      frames->seq_offset = header_len + msgpack_tick (p, size);
      p += size;
    }
  else
    {
      memcpy (p, frames->head, strlen (frames->head));
      p += strlen (frames->head);
      write_seq (p, 0);
      p += SEQ_WIDTH;
      memcpy (p, PAYLOAD_MIDDLE, strlen (PAYLOAD_MIDDLE));
      p += strlen (PAYLOAD_MIDDLE);
      memset (p, 'x', pad);
      p += pad;
      memcpy (p, frames->tail, strlen (frames->tail));
      p += strlen (frames->tail);
    }
  g_assert ((gsize) (p - template) == frames->frame_len);

  frames->data = g_malloc ((gsize) frames->n_slots * frames->frame_len);
  for (guint i = 0; i < frames->n_slots; i++)
    memcpy (frames->data + (gsize) i * frames->frame_len, template, frames->frame_len);

  g_free (template);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_printerr ("flood-server: write failed: %s\n", g_strerror (errno));
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }

  return TRUE;
}

/* Waits up to @timeout_ms for @fd to be readable; FALSE on timeout. */
static gboolean
wait_readable (int fd,
               int timeout_ms)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int r;

  do
    r = poll (&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);

  return r > 0;
}

/* Reads the HTTP upgrade request and returns the value of its
 * Sec-WebSocket-Key header, or NULL. */
static char *
read_request_key (int fd)
{
  g_autoptr(GString) request = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  gint64 deadline = g_get_monotonic_time () + HANDSHAKE_MS * 1000;

  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      char buf[4096];
      ssize_t n;
      int left_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);

      if (left_ms <= 0 || request->len > MAX_REQUEST || !wait_readable (fd, left_ms))
        {
          g_printerr ("flood-server: no complete handshake request\n");
          return NULL;
        }

      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_printerr ("flood-server: the client went away during the handshake\n");
          return NULL;
        }
      g_string_append_len (request, buf, n);
    }

  if (!g_str_has_prefix (request->str, "GET "))
    {
      g_printerr ("flood-server: not a GET request\n");
      return NULL;
    }

  lines = g_strsplit (request->str, "\r\n", -1);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL &&
          (gsize) (colon - lines[i]) == strlen ("Sec-WebSocket-Key") &&
          g_ascii_strncasecmp (lines[i], "Sec-WebSocket-Key", colon - lines[i]) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }

  g_printerr ("flood-server: the request has no Sec-WebSocket-Key\n");
  return NULL;
}

static char *
accept_key (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, strlen (key));
  g_checksum_update (sha1, (const guchar *) WS_GUID, strlen (WS_GUID));
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

/* Reads the client's frames (masked) until one is a Close, or EOF, or the
 * deadline. Returns TRUE when a Close frame arrived. */
static gboolean
wait_for_client_close (int fd)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64) CLOSE_WAIT_MS * 1000;

  for (;;)
    {
      guint8 buf[65536];
      ssize_t n;
      gsize pos = 0;
      int left_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);

      if (left_ms <= 0 || !wait_readable (fd, left_ms))
        return FALSE;

      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      g_byte_array_append (in, buf, (guint) n);

      /* Walk the complete frames that have arrived. */
      for (;;)
        {
          const guint8 *f = in->data + pos;
          gsize avail = in->len - pos;
          gsize header = 2;
          guint64 length;

          if (avail < 2)
            break;
          length = f[1] & 0x7f;
          if (length == 126)
            header += 2;
          else if (length == 127)
            header += 8;
          if (f[1] & 0x80)
            header += 4;
          if (avail < header)
            break;
          if (length == 126)
            length = ((guint64) f[2] << 8) | f[3];
          else if (length == 127)
            {
              length = 0;
              for (int i = 0; i < 8; i++)
                length = (length << 8) | f[2 + i];
            }
          if ((f[0] & 0x0f) == 0x8)
            return TRUE;
          if (avail - header < length)
            break;
          pos += header + length;
        }

      g_byte_array_remove_range (in, 0, (guint) pos);
    }
}

static gpointer
watch_stdin (gpointer data)
{
  char buf[256];

  /* The driver holds the other end of the pipe: when it goes, so do we. */
  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buf, sizeof buf);

      if (n > 0 || (n < 0 && errno == EINTR))
        continue;
      break;
    }

  _exit (3);
  return NULL;
}

static gboolean
stdin_is_pipe (void)
{
  struct stat st;

  return fstat (STDIN_FILENO, &st) == 0 && (S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode));
}

int
main (int    argc,
      char **argv)
{
  gint64 count = 1000000;
  gint size = 100;
  gint port = 0;
  gint lifetime = 300;
  gint64 rate = 0;
  gboolean msgpack = FALSE;
  gboolean socketio = FALSE;
  gboolean jsonrpc = FALSE;
  Framing framing;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT64, &count, "Messages to send (default 1000000)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Bytes of JSON per message (default 100)", "BYTES" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (default 0: any free one)", "PORT" },
    { "lifetime", 0, 0, G_OPTION_ARG_INT, &lifetime, "Exit after this many seconds whatever happens (default 300)", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_INT64, &rate, "Messages per second, paced (default 0: as fast as possible)", "N" },
    { "msgpack", 0, 0, G_OPTION_ARG_NONE, &msgpack, "Binary frames of the tick in MessagePack instead of JSON text", NULL },
    { "socketio", 0, 0, G_OPTION_ARG_NONE, &socketio, "The tick as a Socket.IO event, after an Engine.IO open packet", NULL },
    { "jsonrpc", 0, 0, G_OPTION_ARG_NONE, &jsonrpc, "The tick as a JSON-RPC 2.0 notification", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— serve one WebSocket flood on 127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *accept_value = NULL;
  g_autofree char *response = NULL;
  struct sockaddr_in addr = { 0 };
  socklen_t addr_len = sizeof addr;
  Frames frames = { 0 };
  guint8 close_frame[4] = { 0x88, 0x02, 0x03, 0xe8 };   /* Close, code 1000 */
  guint64 seq = 0;
  gint64 start_us;
  gint64 end_us;
  double seconds;
  int one = 1;
  int listener;
  int fd;
  gboolean client_closed;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("flood-server: %s\n", error->message);
      return 2;
    }
  if (msgpack + socketio + jsonrpc > 1)
    {
      g_printerr ("flood-server: --msgpack, --socketio and --jsonrpc exclude each other\n");
      return 2;
    }
  framing = msgpack ? FRAMING_MSGPACK : socketio ? FRAMING_SOCKETIO : jsonrpc ? FRAMING_JSONRPC : FRAMING_JSON;
  if (count < 0 || size < 0 || (gsize) size < payload_min_size (framing) ||
      (msgpack && (size > MSGPACK_HEAD_LEN + 3 + G_MAXUINT16 || count > G_MAXUINT32)) ||
      port < 0 || port > G_MAXUINT16 || lifetime <= 0 || rate < 0)
    {
      g_printerr ("flood-server: need --count ≥ 0, --size ≥ %" G_GSIZE_FORMAT ", "
                  "0 ≤ --port ≤ 65535, --lifetime > 0 and --rate ≥ 0 (and with --msgpack, "
                  "--size ≤ %d and --count < 2^32)\n", payload_min_size (framing), MSGPACK_HEAD_LEN + 3 + G_MAXUINT16);
      return 2;
    }

  signal (SIGPIPE, SIG_IGN);
  alarm ((guint) lifetime);   /* SIGALRM's default action ends the process */
  if (stdin_is_pipe ())
    g_thread_unref (g_thread_new ("stdin-watch", watch_stdin, NULL));

  frames.msgpack = msgpack;
  framing_text (framing, &frames.head, &frames.tail);
  frames_build (&frames, (guint64) count, (gsize) size);

  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0)
    g_error ("socket: %s", g_strerror (errno));
  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons ((guint16) port);
  if (bind (listener, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (listener, 4) < 0 ||
      getsockname (listener, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      g_printerr ("flood-server: cannot listen on 127.0.0.1:%d: %s\n", port, g_strerror (errno));
      return 1;
    }

  printf ("PORT %u\n", ntohs (addr.sin_port));
  fflush (stdout);

  do
    fd = accept (listener, NULL, NULL);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    {
      g_printerr ("flood-server: accept: %s\n", g_strerror (errno));
      return 1;
    }
  close (listener);

  key = read_request_key (fd);
  if (key == NULL)
    {
      const char *bad = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

      write_all (fd, (const guint8 *) bad, strlen (bad));
      close (fd);
      return 1;
    }

  accept_value = accept_key (key);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n"
                              "\r\n", accept_value);
  if (!write_all (fd, (const guint8 *) response, strlen (response)))
    return 1;
  if (framing == FRAMING_SOCKETIO)
    {
      guint8 open_frame[10 + sizeof SOCKETIO_OPEN];
      gsize header_len = frame_header (open_frame, 0x1, strlen (SOCKETIO_OPEN));

      memcpy (open_frame + header_len, SOCKETIO_OPEN, strlen (SOCKETIO_OPEN));
      if (!write_all (fd, open_frame, header_len + strlen (SOCKETIO_OPEN)))
        return 1;
    }

  start_us = g_get_monotonic_time ();
  while (seq < (guint64) count)
    {
      guint n = (guint) MIN ((guint64) frames.n_slots, (guint64) count - seq);

      if (rate > 0)
        {
          gint64 due = start_us + (gint64) ((double) seq * G_USEC_PER_SEC / (double) rate);
          gint64 now = g_get_monotonic_time ();

          n = (guint) MIN ((guint64) n, (guint64) MAX (1, rate / PACE_STEPS));
          if (due > now)
            g_usleep ((gulong) (due - now));
        }

      for (guint i = 0; i < n; i++)
        {
          guint8 *field = frames.data + (gsize) i * frames.frame_len + frames.seq_offset;

          if (frames.msgpack)
            write_seq_msgpack (field, seq + i);
          else
            write_seq (field, seq + i);
        }
      if (!write_all (fd, frames.data, (gsize) n * frames.frame_len))
        return 1;
      seq += n;
    }
  if (!write_all (fd, close_frame, sizeof close_frame))
    return 1;
  end_us = g_get_monotonic_time ();

  client_closed = wait_for_client_close (fd);
  close (fd);

  seconds = (double) (end_us - start_us) / G_USEC_PER_SEC;
  g_printerr ("flood-server: wrote %" G_GUINT64_FORMAT " messages of %d bytes in %.3f s%s\n",
              seq, size, seconds, client_closed ? "" : " (no Close frame came back)");

  g_free (frames.data);
  return 0;
}
