/* sonde-record.c: the names of directions and kinds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-record"

#include "config.h"

#include <string.h>

#include "sonde-json-writer.h"
#include "sonde-record.h"
#include "sonde-text.h"

const char *
sonde_direction_to_string (SondeDirection direction)
{
  switch (direction)
    {
    case SONDE_DIRECTION_IN:
      return "in";
    case SONDE_DIRECTION_OUT:
      return "out";
    case SONDE_DIRECTION_EVENT:
      return "event";
    default:
      g_return_val_if_reached ("unknown");
    }
}

const char *
sonde_message_kind_to_string (SondeMessageKind kind)
{
  switch (kind)
    {
    case SONDE_MESSAGE_KIND_TEXT:
      return "text";
    case SONDE_MESSAGE_KIND_BINARY:
      return "binary";
    case SONDE_MESSAGE_KIND_CONNECTING:
      return "connecting";
    case SONDE_MESSAGE_KIND_HANDSHAKE:
      return "handshake";
    case SONDE_MESSAGE_KIND_OPEN:
      return "open";
    case SONDE_MESSAGE_KIND_CLOSING:
      return "closing";
    case SONDE_MESSAGE_KIND_CLOSE:
      return "close";
    case SONDE_MESSAGE_KIND_ERROR:
      return "error";
    case SONDE_MESSAGE_KIND_FAILED:
      return "failed";
    case SONDE_MESSAGE_KIND_RECONNECT:
      return "reconnect";
    case SONDE_MESSAGE_KIND_GAP:
      return "gap";
    case SONDE_MESSAGE_KIND_LATENCY:
      return "latency";
    case SONDE_MESSAGE_KIND_PING:
      return "ping";
    case SONDE_MESSAGE_KIND_PONG:
      return "pong";
    case SONDE_MESSAGE_KIND_FRAME:
      return "frame";
    default:
      g_return_val_if_reached ("unknown");
    }
}

const char *
sonde_frame_opcode_to_string (guint8 opcode)
{
  static const char * const names[16] = {
    "continuation", "text", "binary", "reserved-3", "reserved-4", "reserved-5", "reserved-6",
    "reserved-7", "close", "ping", "pong", "reserved-11", "reserved-12", "reserved-13",
    "reserved-14", "reserved-15",
  };

  return names[opcode & 0xf];
}

/* One log record as one JSON object on one line (no newline appended):
 * {"time", "dir", "kind", then "size" and "text" or "base64" for messages,
 * or the event's own members for events}. */
void
sonde_record_append_json (GString           *out,
                          const SondeRecord *record)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  sonde_json_append_member (out, &first, "time");
  sonde_json_append_iso_time (out, record->wall_us);
  sonde_json_append_string_member (out, &first, "dir", sonde_direction_to_string (record->direction));
  sonde_json_append_string_member (out, &first, "kind", sonde_message_kind_to_string (record->kind));

  /* Events and frame headers are JSON objects we wrote ourselves: their
   * members are spliced in. */
  if (record->direction == SONDE_DIRECTION_EVENT || record->kind == SONDE_MESSAGE_KIND_FRAME)
    {
      if (record->stored_size > 2 && record->data[0] == '{' &&
          record->data[record->stored_size - 1] == '}')
        {
          g_string_append_c (out, ',');
          g_string_append_len (out, (const char *) record->data + 1, (gssize) record->stored_size - 2);
        }
      g_string_append_c (out, '}');
      return;
    }

  sonde_json_append_int_member (out, &first, "size", (gint64) record->size);
  if (record->flags & SONDE_RECORD_FLAG_TRUNCATED)
    sonde_json_append_bool_member (out, &first, "truncated", TRUE);
  if (record->flags & SONDE_RECORD_FLAG_AUTOMATIC)
    sonde_json_append_bool_member (out, &first, "automatic", TRUE);
  if (record->flags & SONDE_RECORD_FLAG_COMPRESSED)
    sonde_json_append_bool_member (out, &first, "compressed", TRUE);
  if (record->flags & SONDE_RECORD_FLAG_FRAGMENTED)
    sonde_json_append_bool_member (out, &first, "fragmented", TRUE);
  if (record->flags & SONDE_RECORD_FLAG_UNMATCHED)
    sonde_json_append_bool_member (out, &first, "unmatched", TRUE);

  /* Text, and ping and pong payloads that are UTF-8, as text; anything
   * else as base64. */
  if (record->kind == SONDE_MESSAGE_KIND_TEXT ||
      ((record->kind == SONDE_MESSAGE_KIND_PING || record->kind == SONDE_MESSAGE_KIND_PONG) &&
       sonde_text_validate_utf8 (record->data, record->stored_size, NULL)))
    {
      sonde_json_append_member (out, &first, "text");
      sonde_json_append_string (out, (const char *) record->data, (gssize) record->stored_size);
    }
  else
    {
      g_autofree char *encoded = g_base64_encode (record->data, record->stored_size);

      sonde_json_append_member (out, &first, "base64");
      g_string_append_c (out, '"');
      g_string_append (out, encoded);
      g_string_append_c (out, '"');
    }

  g_string_append_c (out, '}');
}
