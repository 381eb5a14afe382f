/* fuzz-socketio.c: libFuzzer target for the Engine.IO/Socket.IO packet
 * reader and its views (src/core/proto/sonde-socketio-packet.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one byte, how many binary attachments are at hand (0 to 3, made
 * of the input's last bytes), then one WebSocket text message. The
 * message goes to the reader in a buffer of exactly its size, so ASan
 * reports any read past its end. Besides "no crash, no over-read", it
 * checks what must always hold:
 *
 * - a packet is read, or refused with a message in valid UTF-8;
 * - a packet's namespace, id and data lie inside the message;
 * - its view (with and without attachments) is JSON that
 *   sonde_json_validate() accepts, and json-glib too unless it refuses the
 *   packet's own JSON (a lone surrogate escape), an object whose
 *   "type" is one of the documented ones, with a label in valid UTF-8;
 * - an event's view names it as sonde_socketio_packet_dup_event() does;
 * - an attachment's view is JSON too;
 * - reading the header, then checking the data, agrees with reading the
 *   whole packet.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "sonde-json-format.h"
#include "sonde-socketio-packet.h"
#include "sonde-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const types[] = {
  "open", "close", "ping", "pong", "message", "upgrade", "noop",
  "connect", "disconnect", "event", "ack", "connect_error",
};

static void
check_view (const SondeSocketioPacket *packet,
            GBytes * const            *attachments,
            guint                      n_attachments)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *label = NULL;
  g_autofree char *event = NULL;
  gboolean upkeep = FALSE;
  gboolean known = FALSE;
  JsonObject *object;
  const char *type;

  sonde_socketio_packet_view (packet, attachments, n_attachments, json, &label, &upkeep);
  CHECK (sonde_json_validate (json->str, (gssize) json->len, NULL, NULL, NULL));
  if (!json_parser_load_from_data (parser, json->str, (gssize) json->len, NULL))
    {
      /* Only where the packet's own JSON is what json-glib refuses (a lone
       * surrogate escape, which sonde_json_validate() lets through). */
      g_autoptr(JsonParser) input = json_parser_new ();

      CHECK (packet->data_length > 0);
      CHECK (!json_parser_load_from_data (input, packet->data, (gssize) packet->data_length, NULL));
      return;
    }
  CHECK (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (object, "type", "");
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    known |= strcmp (type, types[i]) == 0;
  CHECK (known);
  CHECK (label == NULL || g_utf8_validate (label, -1, NULL));
  event = sonde_socketio_packet_dup_event (packet);
  if (strcmp (type, "event") == 0)
    {
      CHECK (json_object_has_member (object, "args"));
      CHECK (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "args")));
      if (event != NULL)
        CHECK (strcmp (json_object_get_string_member (object, "event"), event) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GBytes *attachments[3] = { NULL, NULL, NULL };
  guint n_attachments;
  SondeSocketioPacket packet;
  char *error_message = NULL;
  char *text;
  gsize length;

  /* A text message is valid UTF-8 by the time a mode reads it. */
  if (size < 1 || !sonde_text_validate_utf8 (data + 1, size - 1, NULL))
    return 0;
  n_attachments = data[0] % 4;
  length = size - 1;
  for (guint i = 0; i < n_attachments; i++)
    attachments[i] = g_bytes_new (data + 1 + length / 2, length - length / 2);
  text = g_malloc (length > 0 ? length : 1);
  memcpy (text, data + 1, length);

  {
    /* The header alone, then the check of its data, agree with the whole. */
    SondeSocketioPacket header;
    char *why = NULL;
    gboolean whole = sonde_socketio_packet_parse (text, length, &packet, &why);
    gboolean in_two = FALSE;

    g_free (why);
    why = NULL;
    if (sonde_socketio_packet_parse_header (text, length, &header, &why))
      {
        in_two = sonde_socketio_packet_check (&header, &why) || header.eio == SONDE_EIO_OPEN;
        if (header.eio == SONDE_EIO_OPEN)
          in_two = whole;   /* the open packet's JSON is checked by parse() only */
      }
    CHECK (whole == in_two);
    g_free (why);
  }

  if (sonde_socketio_packet_parse (text, length, &packet, &error_message))
    {
      CHECK (error_message == NULL);
      CHECK (packet.nsp_length > 0);
      CHECK (packet.nsp[0] == '/');
      if ((uintptr_t) packet.nsp >= (uintptr_t) text && (uintptr_t) packet.nsp < (uintptr_t) (text + length))
        CHECK (packet.nsp + packet.nsp_length <= text + length);
      else
        CHECK (packet.nsp_length == 1);
      CHECK (packet.data >= text && packet.data + packet.data_length <= text + length);
      CHECK (packet.attachments <= SONDE_SIO_MAX_ATTACHMENTS);
      check_view (&packet, NULL, 0);
      check_view (&packet, attachments, n_attachments);
    }
  else
    {
      CHECK (error_message != NULL && error_message[0] != '\0');
      CHECK (g_utf8_validate (error_message, -1, NULL));
    }
  g_free (error_message);

  {
    g_autoptr(GString) json = g_string_new (NULL);

    sonde_socketio_attachment_view (data, size, json);
    CHECK (sonde_json_validate (json->str, (gssize) json->len, NULL, NULL, NULL));
  }

  for (guint i = 0; i < n_attachments; i++)
    g_bytes_unref (attachments[i]);
  g_free (text);
  return 0;
}
