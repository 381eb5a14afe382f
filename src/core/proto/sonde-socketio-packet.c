/* sonde-socketio-packet.c: Engine.IO v4 and Socket.IO v4 packets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An Engine.IO packet is a digit (0 open … 6 noop) and its data; a message
 * (4) carries a Socket.IO packet: a digit (0 CONNECT … 6 BINARY_ACK), for
 * the binary ones the number of attachments and "-", the namespace and ","
 * when it is not "/", the ack id in digits, then JSON. The JSON is copied
 * into the view as it was on the wire (numbers keep their digits): the
 * values of an event's array are cut from its text, never re-printed.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-format.h"
#include "sonde-json-writer.h"
#include "sonde-socketio-packet.h"

static const char * const eio_names[] = { "open", "close", "ping", "pong", "message", "upgrade", "noop" };
static const char * const sio_names[] = {
  "connect", "disconnect", "event", "ack", "connect_error", "event", "ack",
};

/* Appends a string literal, its length known at compile time. */
#define append_literal(json, literal) g_string_append_len ((json), (literal), sizeof (literal) - 1)

#define skip_space(text, length, i) sonde_json_skip_space ((text), (length), (i))
#define skip_value(text, length, i) sonde_json_skip_value ((text), (length), (i))

/* The first non-space byte of @data, or 0. */
static char
first_byte (const char *data,
            gsize       length)
{
  gsize i = skip_space (data, length, 0);

  return i < length ? data[i] : 0;
}

static gboolean
check_json (const SondeSocketioPacket  *packet,
            char                      **error_message)
{
  g_autoptr(GError) error = NULL;
  guint line = 0, column = 0;
  char first;

  if (packet->data_length == 0)
    {
      if (packet->sio == SONDE_SIO_EVENT || packet->sio == SONDE_SIO_BINARY_EVENT ||
          packet->sio == SONDE_SIO_ACK || packet->sio == SONDE_SIO_BINARY_ACK ||
          packet->sio == SONDE_SIO_CONNECT_ERROR)
        {
          /* Translators: a Socket.IO packet (event, ack, connect_error) carries no data. */
          *error_message = g_strdup_printf (_("not Socket.IO: a %s packet without its data"),
                                            sio_names[packet->sio]);
          return FALSE;
        }
      return TRUE;
    }
  if (!sonde_json_validate (packet->data, (gssize) packet->data_length, &line, &column, &error))
    {
      /* Translators: the JSON of a Socket.IO packet is wrong: why (with where). */
      *error_message = g_strdup_printf (_("not Socket.IO: the data is not JSON: %s"), error->message);
      return FALSE;
    }
  first = first_byte (packet->data, packet->data_length);
  switch (packet->sio)
    {
    case SONDE_SIO_CONNECT:
      if (first != '{')
        {
          *error_message = g_strdup (_("not Socket.IO: the data of a connect packet is an object"));
          return FALSE;
        }
      return TRUE;
    case SONDE_SIO_DISCONNECT:
      *error_message = g_strdup (_("not Socket.IO: a disconnect packet carries no data"));
      return FALSE;
    case SONDE_SIO_EVENT:
    case SONDE_SIO_BINARY_EVENT:
      {
        gsize i = skip_space (packet->data, packet->data_length, 0) + 1;

        i = skip_space (packet->data, packet->data_length, i);
        if (first != '[' || i >= packet->data_length ||
            (packet->data[i] != '"' && packet->data[i] != '-' && !g_ascii_isdigit (packet->data[i])))
          {
            *error_message = g_strdup (_("not Socket.IO: an event is an array whose first value is its name"));
            return FALSE;
          }
        return TRUE;
      }
    case SONDE_SIO_ACK:
    case SONDE_SIO_BINARY_ACK:
      if (first != '[')
        {
          *error_message = g_strdup (_("not Socket.IO: the data of an ack is an array"));
          return FALSE;
        }
      return TRUE;
    case SONDE_SIO_CONNECT_ERROR:
      if (first != '{' && first != '"')
        {
          *error_message = g_strdup (_("not Socket.IO: the data of a connect_error is an object or a string"));
          return FALSE;
        }
      return TRUE;
    case SONDE_SIO_NONE:
    default:
      return TRUE;
    }
}

static gboolean
parse (const char           *text,
       gsize                 length,
       gboolean              check,
       SondeSocketioPacket  *packet,
       char                **error_message)
{
  gsize i = 1;

  memset (packet, 0, sizeof *packet);
  packet->sio = SONDE_SIO_NONE;
  packet->nsp = "/";
  packet->nsp_length = 1;
  if (length == 0 || text[0] < '0' || text[0] > '6')
    {
      *error_message = g_strdup (_("not Engine.IO: a packet begins with its type, a digit from 0 to 6"));
      return FALSE;
    }
  packet->eio = (SondeEioType) (text[0] - '0');
  if (packet->eio != SONDE_EIO_MESSAGE)
    {
      packet->data = text + 1;
      packet->data_length = length - 1;
      if (check && packet->eio == SONDE_EIO_OPEN)
        {
          g_autoptr(GError) error = NULL;
          guint line = 0, column = 0;

          if (!sonde_json_validate (packet->data, (gssize) packet->data_length, &line, &column, &error))
            {
              /* Translators: the Engine.IO open packet's JSON is wrong: why (with where). */
              *error_message = g_strdup_printf (_("not Engine.IO: the open packet is not JSON: %s"), error->message);
              return FALSE;
            }
          if (first_byte (packet->data, packet->data_length) != '{')
            {
              *error_message = g_strdup (_("not Engine.IO: the open packet is an object"));
              return FALSE;
            }
        }
      return TRUE;
    }

  if (length < 2 || text[1] < '0' || text[1] > '6')
    {
      *error_message = g_strdup (_("not Socket.IO: a message begins with the packet type, a digit from 0 to 6"));
      return FALSE;
    }
  packet->sio = (SondeSioType) (text[1] - '0');
  i = 2;
  if (packet->sio == SONDE_SIO_BINARY_EVENT || packet->sio == SONDE_SIO_BINARY_ACK)
    {
      guint64 n = 0;
      gsize start = i;

      while (i < length && g_ascii_isdigit (text[i]) && n <= SONDE_SIO_MAX_ATTACHMENTS)
        n = n * 10 + (guint64) (text[i++] - '0');
      if (i == start || i >= length || text[i] != '-' || n > SONDE_SIO_MAX_ATTACHMENTS)
        {
          /* Translators: N is the largest number of attachments Sonde takes. */
          *error_message = g_strdup_printf (_("not Socket.IO: a binary packet gives its number of attachments "
                                              "(at most %u), then “-”"), SONDE_SIO_MAX_ATTACHMENTS);
          return FALSE;
        }
      packet->attachments = (guint) n;
      i++;
    }
  if (i < length && text[i] == '/')
    {
      const char *comma = memchr (text + i, ',', length - i);
      gsize end = comma != NULL ? (gsize) (comma - text) : length;

      packet->nsp = text + i;
      packet->nsp_length = end - i;
      i = comma != NULL ? end + 1 : length;
    }
  if (i < length && g_ascii_isdigit (text[i]))
    {
      guint64 id = 0;

      while (i < length && g_ascii_isdigit (text[i]))
        {
          if (id > (G_MAXUINT64 - 9) / 10)
            {
              *error_message = g_strdup (_("not Socket.IO: the ack id is too large"));
              return FALSE;
            }
          id = id * 10 + (guint64) (text[i++] - '0');
        }
      packet->has_id = TRUE;
      packet->id = id;
    }
  packet->data = text + i;
  packet->data_length = length - i;
  if ((packet->sio == SONDE_SIO_ACK || packet->sio == SONDE_SIO_BINARY_ACK) && !packet->has_id)
    {
      *error_message = g_strdup (_("not Socket.IO: an ack without the id of its emit"));
      return FALSE;
    }
  return !check || check_json (packet, error_message);
}

gboolean
sonde_socketio_packet_parse (const char           *text,
                             gsize                 length,
                             SondeSocketioPacket  *packet,
                             char                **error_message)
{
  g_return_val_if_fail (packet != NULL && error_message != NULL, FALSE);

  return parse (text, length, TRUE, packet, error_message);
}

gboolean
sonde_socketio_packet_parse_header (const char           *text,
                                    gsize                 length,
                                    SondeSocketioPacket  *packet,
                                    char                **error_message)
{
  g_return_val_if_fail (packet != NULL && error_message != NULL, FALSE);

  return parse (text, length, FALSE, packet, error_message);
}

gboolean
sonde_socketio_packet_check (const SondeSocketioPacket  *packet,
                             char                      **error_message)
{
  g_return_val_if_fail (packet != NULL && error_message != NULL, FALSE);

  if (packet->eio != SONDE_EIO_MESSAGE)
    return TRUE;
  return check_json (packet, error_message);
}

char *
sonde_socketio_packet_dup_event (const SondeSocketioPacket *packet)
{
  const char *data = packet->data;
  gsize length = packet->data_length;
  gsize start, end;

  if (packet->sio != SONDE_SIO_EVENT && packet->sio != SONDE_SIO_BINARY_EVENT)
    return NULL;
  start = skip_space (data, length, skip_space (data, length, 0) + 1);
  if (start >= length)
    return NULL;
  end = skip_value (data, length, start);
  if (data[start] == '"' && end - start >= 2 && memchr (data + start, '\\', end - start) == NULL)
    return g_strndup (data + start + 1, end - start - 2);   /* no escapes: the name as it is */
  if (data[start] == '"')
    {
      g_autofree char *quoted = g_strndup (data + start, end - start);
      g_autoptr(JsonNode) node = json_from_string (quoted, NULL);

      const char *name = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;

      /* json-glib decodes a lone surrogate escape into bytes that are not
       * UTF-8 (found by fuzz-socketio). */
      return name != NULL ? g_utf8_make_valid (name, -1) : NULL;
    }
  return g_strndup (data + start, end - start);
}

/* @data with every {"_placeholder":true,"num":N} that names an attachment
 * replaced by the attachment's base64, as JSON.stringify writes it. */
static void
append_with_attachments (GString            *json,
                         const char         *data,
                         gsize               length,
                         GBytes * const     *attachments,
                         guint               n_attachments)
{
  static const char marker[] = "{\"_placeholder\":true,\"num\":";
  gsize i = 0;

  while (n_attachments > 0 && i < length)
    {
      const char *hit = g_strstr_len (data + i, (gssize) (length - i), marker);
      gsize at, j;
      guint64 num = 0;

      if (hit == NULL)
        break;
      at = (gsize) (hit - data);
      j = at + sizeof marker - 1;
      while (j < length && g_ascii_isdigit (data[j]) && num < G_MAXUINT)
        num = num * 10 + (guint64) (data[j++] - '0');
      if (j < length && data[j] == '}' && j > at + sizeof marker - 1 && num < n_attachments)
        {
          gsize size = 0;
          const guint8 *bytes = g_bytes_get_data (attachments[num], &size);
          g_autofree char *encoded = g_base64_encode (bytes, size);

          g_string_append_len (json, data + i, (gssize) (at - i));
          sonde_json_append_string (json, encoded, -1);
          i = j + 1;
        }
      else
        {
          g_string_append_len (json, data + i, (gssize) (j - i));
          i = j;
        }
    }
  g_string_append_len (json, data + i, (gssize) (length - i));
}

static void
append_nsp (GString                   *json,
            const SondeSocketioPacket *packet)
{
  g_string_append (json, ",\"nsp\":");
  sonde_json_append_string (json, packet->nsp, (gssize) packet->nsp_length);
}

static char *
nsp_label (const SondeSocketioPacket *packet,
           const char                *what)
{
  if (packet->nsp_length == 1)
    return g_strdup (what);
  return g_strdup_printf ("%.*s %s", (int) packet->nsp_length, packet->nsp, what);
}

void
sonde_socketio_attachment_view (const guint8 *data,
                                gsize         length,
                                GString      *json)
{
  g_autofree char *encoded = g_base64_encode (data, length);

  g_string_append (json, "{\"type\":\"attachment\",\"data\":");
  sonde_json_append_string (json, encoded, -1);
  g_string_append_c (json, '}');
}

static void
view_engine_io (const SondeSocketioPacket  *packet,
                GString                    *json,
                char                      **label,
                gboolean                   *upkeep)
{
  g_string_append (json, "{\"type\":");
  sonde_json_append_string (json, eio_names[packet->eio], -1);
  *label = g_strdup (eio_names[packet->eio]);
  *upkeep = TRUE;
  if (packet->eio == SONDE_EIO_OPEN)
    {
      /* {"type":"open", then the open packet's members. */
      gsize i = skip_space (packet->data, packet->data_length, 0) + 1;

      i = skip_space (packet->data, packet->data_length, i);
      if (i < packet->data_length && packet->data[i] != '}')
        g_string_append_c (json, ',');
      g_string_append_len (json, packet->data + i, (gssize) (packet->data_length - i));
      return;
    }
  if (packet->data_length > 0)
    {
      g_string_append (json, ",\"data\":");
      sonde_json_append_string (json, packet->data, (gssize) packet->data_length);
    }
  g_string_append_c (json, '}');
}

void
sonde_socketio_packet_view (const SondeSocketioPacket *packet,
                            GBytes * const            *attachments,
                            guint                      n_attachments,
                            GString                   *json,
                            char                     **label,
                            gboolean                  *upkeep)
{
  const char *data = packet->data;
  gsize length = packet->data_length;

  *label = NULL;
  *upkeep = FALSE;
  if (packet->eio != SONDE_EIO_MESSAGE)
    {
      view_engine_io (packet, json, label, upkeep);
      return;
    }

  append_literal (json, "{\"type\":\"");
  g_string_append (json, sio_names[packet->sio]);
  if (packet->nsp_length == 1 && packet->nsp[0] == '/')
    append_literal (json, "\",\"nsp\":\"/\"");
  else
    {
      g_string_append_c (json, '"');
      append_nsp (json, packet);
    }
  switch (packet->sio)
    {
    case SONDE_SIO_EVENT:
    case SONDE_SIO_BINARY_EVENT:
      {
        gsize start = skip_space (data, length, skip_space (data, length, 0) + 1);
        gsize end = skip_value (data, length, start);
        gsize rest = skip_space (data, length, end);
        g_autofree char *name = NULL;

        append_literal (json, ",\"event\":");
        if (start < length && data[start] == '"' && end - start >= 2 && memchr (data + start, '\\', end - start) == NULL)
          {
            /* The name's token is JSON already (the packet was checked):
             * copied as it is. */
            name = g_strndup (data + start + 1, end - start - 2);
            g_string_append_len (json, data + start, (gssize) (end - start));
          }
        else
          {
            name = sonde_socketio_packet_dup_event (packet);
            sonde_json_append_string (json, name != NULL ? name : "", -1);
          }
        append_literal (json, ",\"args\":[");
        if (rest < length && data[rest] == ',')
          append_with_attachments (json, data + rest + 1, length - rest - 1, attachments, n_attachments);
        else
          g_string_append_c (json, ']');
        *label = packet->nsp_length == 1 && name != NULL ? g_steal_pointer (&name)
                                                         : nsp_label (packet, name != NULL ? name : "");
        break;
      }
    case SONDE_SIO_ACK:
    case SONDE_SIO_BINARY_ACK:
      g_string_append (json, ",\"args\":");
      append_with_attachments (json, data, length, attachments, n_attachments);
      /* Translators: a Socket.IO acknowledgement: the id of the emit it answers. */
      *label = g_strdup_printf (_("ack %" PRIu64), packet->id);
      break;
    case SONDE_SIO_CONNECT:
      if (length > 0)
        {
          g_string_append (json, ",\"data\":");
          g_string_append_len (json, data, (gssize) length);
        }
      *label = nsp_label (packet, "connect");
      *upkeep = TRUE;
      break;
    case SONDE_SIO_CONNECT_ERROR:
      g_string_append (json, ",\"data\":");
      g_string_append_len (json, data, (gssize) length);
      *label = nsp_label (packet, "connect_error");
      break;
    case SONDE_SIO_DISCONNECT:
      *label = nsp_label (packet, "disconnect");
      break;
    case SONDE_SIO_NONE:
    default:
      break;
    }
  if (packet->has_id)
    g_string_append_printf (json, ",\"id\":%" G_GUINT64_FORMAT, packet->id);
  if (packet->sio == SONDE_SIO_BINARY_EVENT || packet->sio == SONDE_SIO_BINARY_ACK)
    g_string_append_printf (json, ",\"attachments\":%u", packet->attachments);
  g_string_append_c (json, '}');
}
