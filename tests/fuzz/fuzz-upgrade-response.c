/* fuzz-upgrade-response.c: libFuzzer target for the response side of
 * Sonde's opening handshake (src/core/net/sonde-upgrade-http.c)
 *
 * The input: one byte that chooses the options (compression on or off, the
 * subprotocols offered, how the bytes arrive), then the bytes a server
 * sends, anything at all. They go through what SondeUpgrade does with an
 * answer: the end of the head found (the bytes whole and in pieces, as
 * reads bring them), the head parsed by libsoup, a 101 checked against a
 * fixed key and the offer, the framing of a refused answer's body, and a
 * chunked body decoded, at most 64 KiB of it kept. Checked:
 * - the head ends just past an empty line, the same whole or in pieces;
 * - an error is a SondeError with a message in valid UTF-8 (it is shown);
 * - an accepted 101 has the right Sec-WebSocket-Accept, Upgrade websocket,
 *   a Connection with "upgrade", a subprotocol that was offered (or none),
 *   and a deflate extension only when compression was offered;
 * - a body with a length has a positive one;
 * - the decoded chunked body is no longer than its input nor the limit, a
 *   decode of a prefix that needs more is a prefix of the whole one, and a
 *   decode that ended gives the same whatever follows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fuzz-check.h"
#include "sonde-error.h"
#include "sonde-upgrade-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

#define KEY        "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT     "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define BODY_MAX   ((gsize) 64 * 1024)

static void
check_error (const GError *error)
{
  CHECK (error != NULL);
  CHECK (error->domain == SONDE_ERROR);
  CHECK (error->message != NULL && *error->message != '\0');
  CHECK (g_utf8_validate (error->message, -1, NULL));
}

/* The end of the head, with the bytes coming in pieces of @piece. */
static gssize
head_end_in_pieces (const guint8 *data,
                    gsize         size,
                    gsize         piece)
{
  gsize have = 0;

  while (have < size)
    {
      gsize before = have;
      gssize end;

      have = MIN (size, have + piece);
      end = sonde_upgrade_find_head_end (data, have, before);
      if (end >= 0)
        return end;
    }
  return -1;
}

static void
check_chunked (const guint8 *raw,
               gsize         size,
               gsize         max)
{
  g_autoptr(GByteArray) whole = g_byte_array_new ();
  g_autoptr(GByteArray) part = g_byte_array_new ();
  gboolean whole_done = sonde_upgrade_decode_chunked (raw, size, whole, max);

  CHECK (whole->len <= size);
  CHECK (whole->len <= max);

  /* Every prefix that ends a line, and a few others. */
  for (gsize cut = 0; cut <= size; cut += 1 + cut / 8)
    {
      gboolean done = sonde_upgrade_decode_chunked (raw, cut, part, max);

      CHECK (part->len <= cut);
      CHECK (part->len <= max);
      CHECK (part->len <= whole->len);
      CHECK (part->len == 0 || memcmp (part->data, whole->data, part->len) == 0);
      if (done)
        {
          CHECK (whole_done);
          CHECK (part->len == whole->len);
        }
    }
}

static void
check_response (const guint8 *data,
                gsize         size,
                gsize         head_length,
                gboolean      deflate,
                char        **protocols)
{
  SondeConnectionOptions options = { 0 };
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  g_autofree char *protocol = NULL;
  g_autoptr(GError) error = NULL;
  GList *extensions = NULL;
  SoupHTTPVersion version;
  SondeBodyFraming framing;
  goffset length;
  guint status;

  if (!soup_headers_parse_response ((const char *) data, (int) head_length, headers, &version, &status, &reason))
    return;

  options.deflate = deflate;
  options.protocols = protocols;
  options.max_message_size = 1024 * 1024;

  if (status == SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      if (sonde_upgrade_verify_response ("fuzz.example:80", status, headers, KEY, &options, &protocol,
                                         &extensions, &error))
        {
          const char *accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
          g_autofree char *upgrade = g_strstrip (g_strdup (soup_message_headers_get_one (headers, "Upgrade")));

          CHECK (error == NULL);
          CHECK (g_strcmp0 (accept, ACCEPT) == 0);
          CHECK (g_ascii_strcasecmp (upgrade, "websocket") == 0);
          CHECK (soup_message_headers_header_contains (headers, "Connection", "upgrade"));
          CHECK (protocol == NULL || (protocols != NULL && g_strv_contains ((const char * const *) protocols,
                                                                            protocol)));
          CHECK (extensions == NULL || deflate);
          CHECK (g_list_length (extensions) <= 1);
          g_list_free_full (extensions, g_object_unref);
        }
      else
        {
          check_error (error);
          CHECK (protocol == NULL);
          CHECK (extensions == NULL);
        }
    }
  else
    {
      g_autoptr(GError) refused = sonde_upgrade_refused_error (status, reason, headers);

      check_error (refused);
    }

  framing = sonde_upgrade_body_framing (status, headers, &length);
  CHECK (framing != SONDE_BODY_LENGTH || length > 0);
  if (framing == SONDE_BODY_CHUNKED || size - head_length > 0)
    {
      check_chunked (data + head_length, size - head_length, BODY_MAX);
      check_chunked (data + head_length, size - head_length, 1 + (size % 64));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static char *one[] = { (char *) "chat.v1", NULL };
  static char *two[] = { (char *) "chat.v1", (char *) "chat.v2", NULL };
  char **offers[] = { NULL, one, two, NULL };
  guint8 choice;
  gssize end;
  gsize piece;

  if (size < 1 || size > 256 * 1024)
    return 0;
  choice = data[0];
  data++;
  size--;

  /* As the reader sees it: whole, and in pieces of 1 to 32 bytes. */
  end = sonde_upgrade_find_head_end (data, size, 0);
  piece = 1 + ((choice >> 3) & 31);
  CHECK (head_end_in_pieces (data, size, piece) == end);
  if (end < 0)
    {
      /* No head: the bytes may still be a chunked body. */
      check_chunked (data, size, BODY_MAX);
      return 0;
    }
  CHECK (end >= 2 && (gsize) end <= size);
  CHECK (data[end - 1] == '\n');
  CHECK (data[end - 2] == '\n' || (end >= 3 && data[end - 2] == '\r' && data[end - 3] == '\n'));

  check_response (data, size, (gsize) end, (choice & 1) != 0, offers[(choice >> 1) & 3]);
  return 0;
}
