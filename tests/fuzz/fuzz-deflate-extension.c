/* fuzz-deflate-extension.c: libFuzzer target for SondeDeflateExtension's
 * bounded inflate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one byte choosing the negotiated parameters and the limit (1 to 16
 * KiB), then frames, each a header byte (FIN, RSV1, opcode as on the wire),
 * a big-endian 16-bit length and that many payload bytes (cut short at the
 * end of the input). Each frame goes through process_incoming_message as
 * libsoup 3.2 hands it over; the first error ends the connection, as it
 * does in libsoup. Besides "no crash, no leak, no over-read", it checks what
 * must always hold:
 *
 * - a payload comes back exactly when no error does, and an error is one of
 *   1002, 1007, 1009, 1011 (SOUP_WEBSOCKET_ERROR) with a message;
 * - RSV1 is cleared on a data frame that inflated, left alone otherwise;
 * - a compressed message never inflates past the limit: its frames' outputs
 *   add up to at most the limit, and a 1009 says how far it got, past the
 *   limit by at most one 16 KiB chunk;
 * - a compressed message that inflated whole compresses (on a server-side
 *   extension) and inflates again (on an unlimited client) to itself.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "sonde-deflate-extension.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define CHUNK (16 * 1024)

static const char *responses[] = {
  "permessage-deflate",
  "permessage-deflate; server_no_context_takeover",
  "permessage-deflate; client_no_context_takeover; server_max_window_bits=9",
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=8",
};

static SoupWebsocketExtension *
client_new (guint64     limit,
            const char *response)
{
  SoupWebsocketExtension *ext = sonde_deflate_extension_new (limit);
  GError *error = NULL;

  CHECK (sonde_deflate_extension_configure_from_response (SONDE_DEFLATE_EXTENSION (ext), NULL,
                                                          response, &error));
  return ext;
}

/* The message compressed by a server and inflated by a fresh client is the
 * message. */
static void
check_round_trip (const guint8 *message,
                  gsize         length)
{
  g_autoptr(SoupWebsocketExtension) server = g_object_new (SONDE_TYPE_DEFLATE_EXTENSION, NULL);
  g_autoptr(SoupWebsocketExtension) client = client_new (0, "permessage-deflate");
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GBytes) back = NULL;
  GError *error = NULL;
  guint8 header[14] = { 0x82, 0 };

  CHECK (soup_websocket_extension_configure (server, SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, &error));
  wire = soup_websocket_extension_process_outgoing_message (server, header, g_bytes_new (message, length), &error);
  CHECK (wire != NULL && error == NULL);
  CHECK (header[0] == 0xc2);
  back = soup_websocket_extension_process_incoming_message (client, header, g_bytes_ref (wire), &error);
  CHECK (back != NULL && error == NULL);
  CHECK (header[0] == 0x82);
  CHECK (g_bytes_get_size (back) == length);
  CHECK (length == 0 || memcmp (g_bytes_get_data (back, NULL), message, length) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SoupWebsocketExtension) client = NULL;
  g_autoptr(GByteArray) message = g_byte_array_new ();
  gboolean in_compressed = FALSE;
  guint64 limit;
  gsize at = 1;

  if (size < 1)
    return 0;

  limit = 1 + (guint64) (data[0] >> 2) * 256;
  client = client_new (limit, responses[data[0] & 3]);

  while (at + 3 <= size)
    {
      guint8 header[14] = { data[at], 0 };
      guint8 before = data[at];
      gsize length = MIN ((gsize) data[at + 1] << 8 | data[at + 2], size - at - 3);
      gboolean control = (before & 0x08) != 0;
      gboolean first = (before & 0x0f) != 0;
      gboolean fin = (before & 0x80) != 0;
      /* A copy of exactly the payload's size, for ASan. */
      GBytes *payload = g_bytes_new (data + at + 3, length);
      g_autoptr(GBytes) out = NULL;
      GError *error = NULL;

      at += 3 + length;

      if (!control && first)
        {
          in_compressed = (before & 0x40) != 0;
          g_byte_array_set_size (message, 0);
        }

      out = soup_websocket_extension_process_incoming_message (client, header, payload, &error);
      CHECK ((out == NULL) == (error != NULL));

      if (error != NULL)
        {
          CHECK (error->domain == SOUP_WEBSOCKET_ERROR);
          CHECK (error->code == SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR
                 || error->code == SOUP_WEBSOCKET_CLOSE_BAD_DATA
                 || error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG
                 || error->code == SOUP_WEBSOCKET_CLOSE_SERVER_ERROR);
          CHECK (error->message != NULL && error->message[0] != '\0');
          CHECK (header[0] == before);
          if (error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG)
            {
              guint64 reached = sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (client));

              CHECK (reached > limit);
              CHECK (reached <= limit + CHUNK);
            }
          g_error_free (error);
          /* libsoup closes the connection. */
          break;
        }

      if (control || (!in_compressed && !(before & 0x40)))
        {
          /* Untouched: a control frame, or a frame of an uncompressed
           * message. */
          CHECK (header[0] == before);
          CHECK (g_bytes_get_size (out) == length);
          continue;
        }

      /* A frame of a compressed message that inflated. */
      CHECK (header[0] == (before & ~0x40));
      g_byte_array_append (message, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      CHECK (message->len <= limit);
      CHECK (sonde_deflate_extension_get_limit_reached (SONDE_DEFLATE_EXTENSION (client)) == 0);
      if (fin)
        {
          check_round_trip (message->data, message->len);
          in_compressed = FALSE;
        }
    }

  return 0;
}
