/* test-deflate-extension.c: permessage-deflate with a bounded inflate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The vfuncs called directly (round trips, fragments, parameters, corrupt
 * streams, a deflate bomb under a memory bound), then end to end over
 * loopback TCP against peers nobody here wrote: a libsoup server-side
 * SoupWebsocketConnection with libsoup's own SoupWebsocketExtensionDeflate,
 * and a Python `websockets` server (tests/servers/deflate_peer.py).
 */

#include "config.h"

#include <string.h>
#include <zlib.h>
#include <libsoup/soup.h>

#include "sonde-deflate-extension.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000
#define MIB (1024 * 1024)

/* Helpers ------------------------------------------------------------- */

static SoupWebsocketExtension *
new_client (guint64     limit,
            const char *response)
{
  SoupWebsocketExtension *ext = sonde_deflate_extension_new (limit);
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_deflate_extension_configure_from_response (SONDE_DEFLATE_EXTENSION (ext), NULL,
                                                                  response, &error));
  g_assert_no_error (error);
  return ext;
}

static char *
unquote (const char *value)
{
  gsize len = strlen (value);

  if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
    return g_strndup (value + 1, len - 2);
  return g_strdup (value);
}

/* A server-side extension (ours or libsoup's) configured from an offer. */
static SoupWebsocketExtension *
new_server (GType       type,
            const char *offer_params)
{
  SoupWebsocketExtension *ext = g_object_new (type, NULL);
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = g_strsplit (offer_params, ";", -1);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *equals = strchr (part, '=');

      if (*part == '\0')
        continue;
      if (equals != NULL)
        *equals = '\0';
      g_hash_table_insert (params, g_strdup (part), equals != NULL ? unquote (equals + 1) : NULL);
    }
  g_assert_true (soup_websocket_extension_configure (ext, SOUP_WEBSOCKET_CONNECTION_SERVER, params, &error));
  g_assert_no_error (error);
  return ext;
}

/* One message through process_outgoing_message: its payload, *@header0 the
 * first header byte after. */
static GBytes *
compress_message (SoupWebsocketExtension *ext,
          guint8                  opcode,
          const void             *data,
          gsize                   len,
          guint8                 *header0)
{
  guint8 header[14] = { 0x80 | opcode, 0 };
  g_autoptr(GError) error = NULL;
  GBytes *out;

  out = soup_websocket_extension_process_outgoing_message (ext, header, g_bytes_new (data, len), &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  *header0 = header[0];
  return out;
}

/* One frame through process_incoming_message; *@header0 is updated. */
static GBytes *
inflate_frame (SoupWebsocketExtension *ext,
               guint8                 *header0,
               const void             *data,
               gsize                   len,
               GError                **error)
{
  guint8 header[14] = { *header0, 0 };
  GBytes *out;

  out = soup_websocket_extension_process_incoming_message (ext, header, g_bytes_new (data, len), error);
  *header0 = header[0];
  return out;
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    data[i] = g_random_int_range (0, 256);
  return g_bytes_new_take (data, len);
}

/* Compressible text of @len bytes. */
static GBytes *
text_bytes (gsize len)
{
  GString *text = g_string_sized_new (len + 32);

  for (guint i = 0; text->len < len; i++)
    g_string_append_printf (text, "{\"i\":%u,\"v\":\"sonde\"}\n", i);
  g_string_truncate (text, len);
  return g_string_free_to_bytes (text);
}

/* Round trips ----------------------------------------------------------- */

typedef struct
{
  const char *response;     /* what the server answered */
  const char *offer;        /* what the server was configured with */
  gboolean no_takeover;
} RoundTrip;

static void
one_way (SoupWebsocketExtension *from,
         SoupWebsocketExtension *to,
         GBytes                 *message,
         gboolean                no_takeover)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (message, &len);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) wire = NULL;
      g_autoptr(GBytes) back = NULL;
      guint8 header0 = 0;

      wire = compress_message (from, 0x2, data, len, &header0);
      g_assert_cmphex (header0 & 0x40, ==, 0x40);
      back = inflate_frame (to, &header0, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), &error);
      g_assert_no_error (error);
      g_assert_cmphex (header0, ==, 0x82);
      g_assert_true (g_bytes_equal (back, message));
      if (round == 0)
        first = g_steal_pointer (&wire);
      else
        second = g_steal_pointer (&wire);
    }

  /* The same message again: without context takeover it compresses the
   * same; with it, compressible text refers back to the first copy (when
   * the copy fits in the 32 KiB window). */
  if (no_takeover || len == 0)
    g_assert_true (g_bytes_equal (first, second));
  else if (len >= 400 && len <= 16 * 1024 && g_bytes_get_size (first) < len / 2)
    g_assert_cmpuint (g_bytes_get_size (second), <, g_bytes_get_size (first) / 4 + 16);
}

static void
test_round_trip (gconstpointer data)
{
  const RoundTrip *rt = data;
  gsize sizes[] = { 0, 10, 4096, MIB };
  GType types[] = { SONDE_TYPE_DEFLATE_EXTENSION, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autoptr(SoupWebsocketExtension) client = new_client (0, rt->response);
      g_autoptr(SoupWebsocketExtension) server = new_server (types[t], rt->offer);

      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          g_autoptr(GBytes) text = text_bytes (sizes[s]);
          g_autoptr(GBytes) noise = random_bytes (sizes[s]);

          one_way (client, server, text, rt->no_takeover);
          one_way (client, server, noise, rt->no_takeover);
          /* libsoup's own deflater sends an empty message uncompressed. */
          if (types[t] == SONDE_TYPE_DEFLATE_EXTENSION || sizes[s] > 0)
            {
              one_way (server, client, text, rt->no_takeover);
              one_way (server, client, noise, rt->no_takeover);
            }
        }
    }
}

/* Fragments ------------------------------------------------------------ */

/* One compressed message cut into 5 frames, with a ping between two of
 * them, inflates to the message; only the first frame carries RSV1. */
static void
test_fragmented (void)
{
  g_autoptr(SoupWebsocketExtension) server = new_server (SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE, "client_max_window_bits");
  g_autoptr(SoupWebsocketExtension) client = new_client (0, "permessage-deflate; client_max_window_bits=15");
  g_autoptr(GBytes) message = text_bytes (200000);
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GByteArray) inflated = g_byte_array_new ();
  const guint8 *data;
  gsize len = 0;
  guint8 header0 = 0;

  for (guint round = 0; round < 3; round++)
    {
      g_clear_pointer (&wire, g_bytes_unref);
      g_byte_array_set_size (inflated, 0);
      wire = compress_message (server, 0x1, g_bytes_get_data (message, NULL), g_bytes_get_size (message), &header0);
      data = g_bytes_get_data (wire, &len);
      g_assert_cmpuint (len, >, 10);

      for (guint i = 0; i < 5; i++)
        {
          gsize from = len * i / 5;
          gsize to = len * (i + 1) / 5;
          guint8 h = (i == 0 ? 0x41 : 0x00) | (i == 4 ? 0x80 : 0x00);
          g_autoptr(GError) error = NULL;
          g_autoptr(GBytes) part = inflate_frame (client, &h, data + from, to - from, &error);

          g_assert_no_error (error);
          g_assert_cmphex (h & 0x40, ==, 0);
          g_byte_array_append (inflated, g_bytes_get_data (part, NULL), g_bytes_get_size (part));

          if (i == 2)
            {
              guint8 ping = 0x89;
              g_autoptr(GBytes) pong = inflate_frame (client, &ping, "ping", 4, &error);

              g_assert_no_error (error);
              g_assert_cmphex (ping, ==, 0x89);
              g_assert_cmpmem (g_bytes_get_data (pong, NULL), g_bytes_get_size (pong), "ping", 4);
            }
        }
      g_assert_cmpmem (inflated->data, inflated->len,
                       g_bytes_get_data (message, NULL), g_bytes_get_size (message));
    }

  /* An uncompressed fragmented message passes untouched. */
  {
    guint8 h1 = 0x01, h2 = 0x80;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) a = inflate_frame (client, &h1, "abc", 3, &error);
    g_autoptr(GBytes) b = inflate_frame (client, &h2, "def", 3, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "abc", 3);
    g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "def", 3);
  }
}

/* RSV1 on a continuation frame is a protocol error (1002). */
static void
test_rsv1_continuation (void)
{
  g_autoptr(SoupWebsocketExtension) client = new_client (0, "permessage-deflate");
  g_autoptr(GError) error = NULL;
  guint8 h1 = 0x41, h2 = 0xc0;
  g_autoptr(GBytes) a = inflate_frame (client, &h1, "\xf2\x48\x05\x00", 4, &error);
  GBytes *b;

  g_assert_no_error (error);
  b = inflate_frame (client, &h2, "\x00", 1, &error);
  g_assert_null (b);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
  g_assert_nonnull (strstr (error->message, "RSV1"));
}

/* A compressed message that does not inflate: 1007 naming zlib's reason. */
static void
test_corrupt (void)
{
  g_autoptr(SoupWebsocketExtension) client = new_client (0, "permessage-deflate");
  g_autoptr(GError) error = NULL;
  guint8 header0 = 0xc1;
  /* BTYPE 11: a reserved block type. */
  GBytes *out = inflate_frame (client, &header0, "\xff\xff\xff\xff", 4, &error);

  g_assert_null (out);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_BAD_DATA);
  g_assert_nonnull (strstr (error->message, "invalid block type"));
  g_assert_cmpuint (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (client)), ==, 0);
}

/* Parameters ---------------------------------------------------------- */

static void
test_params_accepted (void)
{
  const char *responses[] = {
    "permessage-deflate",
    "PerMessage-Deflate ;server_no_context_takeover",
    "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
    "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
    "permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits=15",
  };
  /* Smaller than the smallest window here (9 bits: 512 bytes), so that
   * the second copy refers back to the first. */
  g_autoptr(GBytes) message = text_bytes (500);

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    {
      g_autoptr(SoupWebsocketExtension) client = new_client (0, responses[i]);
      /* The server side as agreed: the same parameters. */
      g_autoptr(SoupWebsocketExtension) peer = new_server (SONDE_TYPE_DEFLATE_EXTENSION,
                                                           responses[i] + strlen ("permessage-deflate"));

      g_test_message ("%s", responses[i]);
      one_way (client, peer, message, strstr (responses[i], "client_no_context_takeover") != NULL);
      one_way (peer, client, message, strstr (responses[i], "server_no_context_takeover") != NULL);
    }

  g_assert_cmpstr (sonde_deflate_extension_get_offer (), ==, "permessage-deflate; client_max_window_bits");
}

typedef struct
{
  const char *offer;
  const char *response;
  const char *message;
} Refused;

static void
test_params_refused (void)
{
  const Refused cases[] = {
    { NULL, "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      "permessage-deflate: the parameter “server_no_context_takeover” appears more than once" },
    { NULL, "permessage-deflate; server_max_window_bits=10; Server_Max_Window_Bits=11",
      "permessage-deflate: the parameter “server_max_window_bits” appears more than once" },
    { NULL, "permessage-deflate; server_max_window_bits=7",
      "permessage-deflate: the parameter “server_max_window_bits” has an invalid value “7” (window bits are 8 to 15)" },
    { NULL, "permessage-deflate; client_max_window_bits=16",
      "permessage-deflate: the parameter “client_max_window_bits” has an invalid value “16” (window bits are 8 to 15)" },
    { NULL, "permessage-deflate; server_max_window_bits=0x0f",
      "permessage-deflate: the parameter “server_max_window_bits” has an invalid value “0x0f” (window bits are 8 to 15)" },
    { NULL, "permessage-deflate; server_max_window_bits",
      "permessage-deflate: the parameter “server_max_window_bits” needs a value" },
    { NULL, "permessage-deflate; client_max_window_bits",
      "permessage-deflate: the parameter “client_max_window_bits” needs a value" },
    { NULL, "permessage-deflate; server_no_context_takeover=1",
      "permessage-deflate: the parameter “server_no_context_takeover” takes no value" },
    { NULL, "permessage-deflate; mystery",
      "permessage-deflate: unknown parameter “mystery”" },
    { NULL, "permessage-deflate; server_max_window_bits=",
      "permessage-deflate: malformed parameter “server_max_window_bits=”" },
    { NULL, "permessage-deflate;; server_no_context_takeover",
      "permessage-deflate: malformed parameter “permessage-deflate;; server_no_context_takeover”" },
    { NULL, "permessage-deflate; a b",
      "permessage-deflate: malformed parameter “a b”" },
    { NULL, "x-webkit-deflate-frame",
      "“x-webkit-deflate-frame” is not a permessage-deflate extension" },
    { "permessage-deflate", "permessage-deflate; client_max_window_bits=10",
      "permessage-deflate: the server answered with “client_max_window_bits”, which the client did not offer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SoupWebsocketExtension) client = sonde_deflate_extension_new (0);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].response);
      g_assert_false (sonde_deflate_extension_configure_from_response (SONDE_DEFLATE_EXTENSION (client),
                                                                       cases[i].offer, cases[i].response,
                                                                       &error));
      g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* The configure vfunc, as libsoup calls it, checks the same values. */
  {
    g_autoptr(SoupWebsocketExtension) client = sonde_deflate_extension_new (0);
    g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GError) error = NULL;

    g_hash_table_insert (params, (gpointer) "server_max_window_bits", (gpointer) "99");
    g_assert_false (soup_websocket_extension_configure (client, SOUP_WEBSOCKET_CONNECTION_CLIENT, params, &error));
    g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE);
    g_assert_nonnull (strstr (error->message, "server_max_window_bits"));
  }
}

/* The bomb -------------------------------------------------------------- */

static guint64
vm_hwm_kib (void)
{
  guint64 peak = sonde_test_memory_status ("VmHWM:");

  g_assert_cmpuint (peak, >, 0);
  return peak / 1024;
}

/* @pieces × 16 MiB of zero bytes as raw deflate, without the 00 00 ff ff
 * tail: 16 MiB compressed once, ending on a full flush (byte-aligned, no
 * reference to what came before), repeated. */
static GBytes *
make_bomb (guint pieces)
{
  static const guint8 zeros[64 * 1024];
  g_autoptr(GByteArray) piece = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  z_stream z = { 0 };

  g_assert_cmpint (deflateInit2 (&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  for (guint i = 0; i < 16 * MIB / sizeof zeros; i++)
    {
      gboolean last = i + 1 == 16 * MIB / sizeof zeros;

      z.next_in = (Bytef *) zeros;
      z.avail_in = sizeof zeros;
      do
        {
          guint before = piece->len;

          g_byte_array_set_size (piece, before + 64 * 1024);
          z.next_out = piece->data + before;
          z.avail_out = 64 * 1024;
          g_assert_cmpint (deflate (&z, last ? Z_FULL_FLUSH : Z_NO_FLUSH), ==, Z_OK);
          g_byte_array_set_size (piece, before + 64 * 1024 - z.avail_out);
        }
      while (z.avail_out == 0);
    }
  deflateEnd (&z);

  for (guint i = 0; i < pieces; i++)
    g_byte_array_append (out, piece->data, piece->len);
  g_assert_cmpmem (out->data + out->len - 4, 4, "\x00\x00\xff\xff", 4);
  g_byte_array_set_size (out, out->len - 4);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
bomb_child (void)
{
  g_autoptr(SoupWebsocketExtension) client = new_client (MIB, "permessage-deflate");
  g_autoptr(GBytes) bomb = make_bomb (64); /* 1 GiB */
  g_autoptr(GError) error = NULL;
  guint64 reached;
  guint64 before, after;
  guint8 header0 = 0xc2;
  GBytes *out;

  g_test_message ("bomb: %" G_GSIZE_FORMAT " bytes compressed", g_bytes_get_size (bomb));
  g_assert_cmpuint (g_bytes_get_size (bomb), >, 900 * 1000);
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1100 * 1000);

  before = vm_hwm_kib ();
  out = inflate_frame (client, &header0, g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb), &error);
  after = vm_hwm_kib ();
  g_test_message ("VmHWM %" G_GUINT64_FORMAT " kB before, %" G_GUINT64_FORMAT " kB after", before, after);

  g_assert_null (out);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  reached = sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (client));
  g_assert_cmpuint (reached, >, MIB);
  g_assert_cmpuint (reached, <=, MIB + 16 * 1024);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Message too big: a compressed message inflated past the 1.0\u00a0MB limit (stopped at 1.1\u00a0MB)")
                 || g_str_has_prefix (error->message,
                                      "Message too big: a compressed message inflated past the 1.0\u00a0MB limit (stopped at 1.0\u00a0MB)"));
  g_assert_cmpuint (after - before, <, 32 * 1024);

  /* The next message inflates from a clean state. */
  {
    g_autoptr(SoupWebsocketExtension) server = new_server (SONDE_TYPE_DEFLATE_EXTENSION, "");
    g_autoptr(GBytes) message = text_bytes (1000);

    one_way (server, client, message, FALSE);
  }
}

/* In a child, so that the peak RSS measured is this test's alone. */
static void
test_bomb (void)
{
  if (g_test_subprocess ())
    {
      bomb_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* End to end ------------------------------------------------------------- */

typedef struct
{
  GPtrArray *messages; /* GBytes, in order */
  gboolean closed;
  GError *error;
} Side;

static void
on_message (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Side *side = user_data;

  g_ptr_array_add (side->messages, g_bytes_ref (message));
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  ((Side *) user_data)->closed = TRUE;
}

static void
on_error (SoupWebsocketConnection *ws,
          GError                  *error,
          gpointer                 user_data)
{
  Side *side = user_data;

  if (side->error == NULL)
    side->error = g_error_copy (error);
}

static void
side_watch (Side                    *side,
            SoupWebsocketConnection *ws)
{
  side->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), side);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), side);
  g_signal_connect (ws, "error", G_CALLBACK (on_error), side);
}

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->messages, g_ptr_array_unref);
  g_clear_error (&side->error);
}

static void
send_and_expect (SoupWebsocketConnection *from,
                 Side                    *to,
                 GBytes                  *message,
                 gboolean                 binary)
{
  guint wanted = to->messages->len + 1;

  if (binary)
    soup_websocket_connection_send_binary (from, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  else
    soup_websocket_connection_send_text (from, g_bytes_get_data (message, NULL));
  SONDE_TEST_ASSERT_WAIT (to->messages->len >= wanted || to->closed, WAIT_MS);
  g_assert_no_error (to->error);
  g_assert_cmpuint (to->messages->len, ==, wanted);
  g_assert_true (g_bytes_equal (g_ptr_array_index (to->messages, wanted - 1), message));
}

/* Our client against libsoup's server side and its own deflate. A 512 KiB
 * frame limit on both sides: 1 MiB of text arrives only compressed. */
static void
test_libsoup_peer (void)
{
  g_autoptr(GSocketConnection) server_conn = NULL;
  g_autoptr(GSocketConnection) client_conn = NULL;
  g_autoptr(SoupWebsocketConnection) server_ws = NULL;
  g_autoptr(SoupWebsocketConnection) client_ws = NULL;
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);
  g_autoptr(GBytes) big_text = text_bytes (MIB);
  g_autoptr(GBytes) small_text = g_bytes_new_static ("hello, deflate", 14);
  g_autoptr(GBytes) noise = random_bytes (32 * 1024);
  g_autoptr(GBytes) bomb = NULL;
  SoupWebsocketExtension *client_ext;
  SoupWebsocketExtension *server_ext;
  g_autofree char *response = NULL;
  g_autofree char *response_params = NULL;
  Side server = { 0 }, client = { 0 };

  sonde_test_loopback_pair (&server_conn, &client_conn);

  /* libsoup's server answers our offer; we take its answer. */
  server_ext = new_server (SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE,
                           sonde_deflate_extension_get_offer () + strlen ("permessage-deflate"));
  response_params = soup_websocket_extension_get_response_params (server_ext);
  response = g_strconcat ("permessage-deflate", response_params, NULL);
  g_test_message ("libsoup answered: %s", response);
  client_ext = new_client (MIB, response);

  server_ws = soup_websocket_connection_new (G_IO_STREAM (server_conn), uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                            NULL, NULL, g_list_append (NULL, server_ext));
  client_ws = soup_websocket_connection_new (G_IO_STREAM (client_conn), uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                            NULL, NULL, g_list_append (NULL, client_ext));
  soup_websocket_connection_set_max_incoming_payload_size (server_ws, MIB / 2);
  soup_websocket_connection_set_max_incoming_payload_size (client_ws, MIB / 2);
  side_watch (&server, server_ws);
  side_watch (&client, client_ws);

  for (guint round = 0; round < 3; round++)
    {
      send_and_expect (client_ws, &server, small_text, FALSE);
      send_and_expect (server_ws, &client, small_text, FALSE);
      send_and_expect (client_ws, &server, big_text, FALSE);
      send_and_expect (server_ws, &client, big_text, FALSE);
      send_and_expect (client_ws, &server, noise, TRUE);
      send_and_expect (server_ws, &client, noise, TRUE);
    }

  /* Past our 1 MiB limit: libsoup closes with 1009 on our side. */
  bomb = g_bytes_new_take (g_malloc0 (4 * MIB), 4 * MIB);
  soup_websocket_connection_send_binary (server_ws, g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb));
  SONDE_TEST_ASSERT_WAIT (client.closed && server.closed, WAIT_MS);
  g_assert_error (client.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (server_ws), ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (client_ext)), >, MIB);
  g_assert_cmpuint (client.messages->len, ==, 9);

  g_signal_handlers_disconnect_by_data (server_ws, &server);
  g_signal_handlers_disconnect_by_data (client_ws, &client);
  side_clear (&server);
  side_clear (&client);
}

/* The raw upgrade: writes the request, reads the response byte by byte (so
 * that no frame byte is taken) and returns the Sec-WebSocket-Extensions
 * value, checking the status and Sec-WebSocket-Accept. */
static char *
raw_upgrade (GSocketConnection *conn,
             guint16            port)
{
  const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
  g_autofree char *request = g_strdup_printf ("GET / HTTP/1.1\r\n"
                                              "Host: 127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\n"
                                              "Connection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: %s\r\n"
                                              "Sec-WebSocket-Version: 13\r\n"
                                              "Sec-WebSocket-Extensions: %s\r\n"
                                              "\r\n",
                                              port, key, sonde_deflate_extension_get_offer ());
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr(GError) error = NULL;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  guint status = 0;
  const char *accept;
  const char *extensions;

  g_socket_set_timeout (g_socket_connection_get_socket (conn), 10);
  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL, &error));
  g_assert_no_error (error);

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      char c;

      g_assert_cmpint (g_input_stream_read (in, &c, 1, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_string_append_c (head, c);
      g_assert_cmpuint (head->len, <, 16 * 1024);
    }
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 0);

  g_assert_true (soup_headers_parse_response (head->str, head->len, headers, NULL, &status, NULL));
  g_assert_cmpuint (status, ==, 101);
  accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  g_assert_cmpstr (accept, ==, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  extensions = soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions");
  g_assert_nonnull (extensions);
  return g_strdup (extensions);
}

static void
test_python_peer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeTestPeer) peer = sonde_test_peer_start_script ("deflate_peer.py", NULL, &error);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GBytes) big_text = text_bytes (MIB);
  g_autoptr(GBytes) small_text = g_bytes_new_static ("hello, websockets", 17);
  g_autoptr(GBytes) noise = random_bytes (100 * 1000);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *extensions = NULL;
  g_autofree char *line = NULL;
  SoupWebsocketExtension *ext;
  Side side = { 0 };
  guint16 port;

  g_assert_no_error (error);
  port = sonde_test_peer_get_port (peer);
  uri = g_uri_build (G_URI_FLAGS_NONE, "ws", NULL, "127.0.0.1", port, "/", NULL, NULL);
  conn = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);

  extensions = raw_upgrade (conn, port);
  g_test_message ("websockets answered: %s", extensions);
  ext = new_client (MIB, extensions);

  ws = soup_websocket_connection_new (G_IO_STREAM (conn), uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                     NULL, NULL, g_list_append (NULL, ext));
  /* Frames as large as they come: the extension bounds the messages. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, 0);
  side_watch (&side, ws);

  for (guint round = 0; round < 3; round++)
    {
      send_and_expect (ws, &side, small_text, FALSE);
      send_and_expect (ws, &side, empty, FALSE);
      send_and_expect (ws, &side, big_text, FALSE);
      send_and_expect (ws, &side, noise, TRUE);
    }

  /* The server's own bomb: 64 MiB of zeros, stopped past 1 MiB. */
  soup_websocket_connection_send_text (ws, "zeros 67108864");
  SONDE_TEST_ASSERT_WAIT (side.closed, WAIT_MS);
  g_assert_error (side.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (ext)), >, MIB);
  g_assert_cmpuint (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (ext)), <=, MIB + 16 * 1024);

  line = sonde_test_peer_read_line (peer, WAIT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "CLOSED 1009");

  g_signal_handlers_disconnect_by_data (ws, &side);
  side_clear (&side);
  g_assert_true (sonde_test_peer_stop (peer, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  static const RoundTrip takeover = {
    "permessage-deflate; client_max_window_bits=15", "client_max_window_bits", FALSE
  };
  static const RoundTrip no_takeover = {
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    "server_no_context_takeover; client_no_context_takeover", TRUE
  };

  sonde_test_init (&argc, &argv);

  g_test_add_data_func ("/deflate/round-trip/context-takeover", &takeover, test_round_trip);
  g_test_add_data_func ("/deflate/round-trip/no-context-takeover", &no_takeover, test_round_trip);
  g_test_add_func ("/deflate/fragmented", test_fragmented);
  g_test_add_func ("/deflate/rsv1-continuation", test_rsv1_continuation);
  g_test_add_func ("/deflate/corrupt", test_corrupt);
  g_test_add_func ("/deflate/params/accepted", test_params_accepted);
  g_test_add_func ("/deflate/params/refused", test_params_refused);
  g_test_add_func ("/deflate/bomb", test_bomb);
  g_test_add_func ("/deflate/libsoup-peer", test_libsoup_peer);
  g_test_add_func ("/deflate/python-peer", test_python_peer);

  return g_test_run ();
}
