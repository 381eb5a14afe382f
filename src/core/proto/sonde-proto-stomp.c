/* sonde-proto-stomp.c: STOMP 1.2 (and 1.1) over WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Subprotocols v12.stomp, v11.stomp. A frame is COMMAND, headers
 * ("name:value", escaped as STOMP 1.2 says), a blank line, the body and a
 * NUL; end-of-lines between frames are heart-beats. On open: CONNECT
 * (accept-version, host, login and passcode, heart-beat from keepalive);
 * on CONNECTED: heart-beats sent on time as negotiated, then SUBSCRIBE for
 * every subscription (id sub-N, ack auto), again after every reconnect.
 *
 * View (docs/app-protocols.md): {"command":"MESSAGE","headers":{…},
 * "body":…}, the body read as JSON (or by the payload decoders) where it
 * is, else a string; a heart-beat is {"command":"HEARTBEAT"}. Labels: the
 * destination of MESSAGE, SEND and SUBSCRIBE (for a MESSAGE without one,
 * that of the subscription it names); an ERROR's message header; else the
 * command. Upkeep: CONNECT, CONNECTED, RECEIPT and heart-beats.
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-json-format.h"
#include "sonde-json-writer.h"
#include "sonde-proto-stomp.h"
#include "sonde-text.h"

struct _SondeProtoStomp
{
  SondeAppProtocol parent_instance;

  GHashTable *subscriptions;   /* id → destination, of this connection */
  guint       next_sub;
  gboolean    connected;       /* CONNECTED came */
};

G_DEFINE_FINAL_TYPE (SondeProtoStomp, sonde_proto_stomp, SONDE_TYPE_APP_PROTOCOL)

static const char * const subprotocols[] = { "v12.stomp", "v11.stomp", NULL };

static const char * const commands[] = {
  "CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT",
  "ABORT", "DISCONNECT", "MESSAGE", "RECEIPT", "ERROR",
};

static gboolean
is_eol (const guint8 *data,
        gsize         length,
        gsize         i)
{
  return data[i] == '\n' || (data[i] == '\r' && i + 1 < length && data[i + 1] == '\n');
}

static gsize
skip_eols (const guint8 *data,
           gsize         length,
           gsize         i)
{
  while (i < length && is_eol (data, length, i))
    i += data[i] == '\r' ? 2 : 1;
  return i;
}

/* Where the frame starting at @start (after any heart-beats) ends, just
 * after its NUL; 0 when it does not end in @data. */
static gsize
frame_end (const guint8 *data,
           gsize         length,
           gsize         start)
{
  const guint8 *blank = NULL;
  gsize i = start;
  gsize content_length = G_MAXSIZE;

  /* The headers end at the first blank line. */
  while (i < length)
    {
      const guint8 *eol = memchr (data + i, '\n', length - i);
      gsize line_end;

      if (eol == NULL)
        return 0;
      line_end = eol - data;
      if (line_end == i || (line_end == i + 1 && data[i] == '\r'))
        {
          if (i > start)
            {
              blank = eol + 1;
              break;
            }
        }
      else if (line_end - i > 15 && g_ascii_strncasecmp ((const char *) data + i, "content-length:", 15) == 0)
        {
          guint64 value;
          g_autofree char *text = g_strndup ((const char *) data + i + 15, line_end - i - 15);

          if (content_length == G_MAXSIZE && g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXSIZE - 1,
                                                                          &value, NULL))
            content_length = (gsize) value;
        }
      i = line_end + 1;
    }
  if (blank == NULL)
    return 0;
  i = blank - data;
  if (content_length != G_MAXSIZE)
    {
      if (content_length >= length - i || data[i + content_length] != '\0')
        return 0;
      return i + content_length + 1;
    }
  {
    const guint8 *nul = memchr (data + i, '\0', length - i);

    return nul != NULL ? (gsize) (nul - data) + 1 : 0;
  }
}

/* A header name or value, unescaped as STOMP 1.2 says (\r \n \c \\),
 * appended as a JSON string; FALSE for an undefined escape. */
static gboolean
append_unescaped (GString      *json,
                  const guint8 *data,
                  gsize         length,
                  gboolean      escapes)
{
  g_autoptr(GString) text = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] != '\\' || !escapes)
        {
          g_string_append_c (text, (char) data[i]);
          continue;
        }
      if (++i == length)
        return FALSE;
      switch (data[i])
        {
        case 'r': g_string_append_c (text, '\r'); break;
        case 'n': g_string_append_c (text, '\n'); break;
        case 'c': g_string_append_c (text, ':'); break;
        case '\\': g_string_append_c (text, '\\'); break;
        default: return FALSE;
        }
    }
  if (!sonde_text_validate_utf8 ((const guint8 *) text->str, text->len, NULL))
    return FALSE;
  sonde_json_append_string (json, text->str, (gssize) text->len);
  return TRUE;
}

static char *
dup_header (const guint8 *data,
            gsize         length,
            gsize         start,
            gsize         end,
            const char   *name)
{
  gsize name_length = strlen (name);

  for (gsize i = start; i < end;)
    {
      const guint8 *eol = memchr (data + i, '\n', end - i);
      gsize line_end = eol != NULL ? (gsize) (eol - data) : end;

      if (line_end - i > name_length && memcmp (data + i, name, name_length) == 0 && data[i + name_length] == ':')
        {
          gsize value_end = line_end;

          if (value_end > i && data[value_end - 1] == '\r')
            value_end--;
          return g_strndup ((const char *) data + i + name_length + 1, value_end - i - name_length - 1);
        }
      i = line_end + 1;
    }
  return NULL;
}

static SondeRecordViewKind
view_failed (char       **error_message,
             const char  *why,
             gsize        offset)
{
  /* Translators: a STOMP frame is malformed: what is wrong, and the byte offset. */
  *error_message = g_strdup_printf (_("not STOMP: %s (at byte %" PRIu64 ")"), why, (guint64) offset);
  return SONDE_RECORD_VIEW_FAILED;
}

static SondeRecordViewKind
sonde_proto_stomp_view (SondeAppProtocol     *protocol,
                        const SondeRecord    *record,
                        GString              *json,
                        char                **error_message,
                        SondeRecordViewExtra *extra)
{
  const guint8 *data = record->data;
  gsize length = record->stored_size;
  gsize start, i, end, body, body_end, mark = json->len;
  const guint8 *eol;
  g_autofree char *command = NULL;
  gboolean known = FALSE, escapes, first = TRUE;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY)
    return SONDE_RECORD_VIEW_RAW;

  start = skip_eols (data, length, 0);
  if (start == length && length > 0)
    {
      g_string_append (json, "{\"command\":\"HEARTBEAT\"}");
      extra->label = g_strdup (_("heart-beat"));
      extra->upkeep = TRUE;
      return SONDE_RECORD_VIEW_DECODED;
    }
  if (length == 0)
    return view_failed (error_message, _("an empty message"), 0);

  eol = memchr (data + start, '\n', length - start);
  if (eol == NULL)
    return view_failed (error_message, _("the command has no end of line"), start);
  i = eol - data;
  command = g_strndup ((const char *) data + start, (i > start && data[i - 1] == '\r') ? i - 1 - start : i - start);
  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    known |= g_str_equal (command, commands[c]);
  if (!known)
    return view_failed (error_message, _("an unknown command"), start);
  end = frame_end (data, length, start);
  if (end == 0)
    return view_failed (error_message, _("the frame has no NUL at its end"), length);
  if (skip_eols (data, length, end) != length)
    return view_failed (error_message, _("bytes after the end of the frame"), end);
  /* CONNECT and CONNECTED headers are not escaped. */
  escapes = !g_str_equal (command, "CONNECT") && !g_str_equal (command, "CONNECTED");

  g_string_append (json, "{\"command\":");
  sonde_json_append_string (json, command, -1);
  g_string_append (json, ",\"headers\":{");
  for (i = i + 1; ; )
    {
      gsize line_end = (const guint8 *) memchr (data + i, '\n', end - i) - data;
      gsize value_end = line_end;
      const guint8 *colon;
      g_autofree char *name = NULL;

      if (value_end > i && data[value_end - 1] == '\r')
        value_end--;
      if (value_end == i)
        {
          body = line_end + 1;
          break;
        }
      colon = memchr (data + i, ':', value_end - i);
      if (colon == NULL)
        {
          g_string_truncate (json, mark);
          return view_failed (error_message, _("a header has no colon"), i);
        }
      name = g_strndup ((const char *) data + i, colon - data - i);
      /* The first of repeated headers counts (STOMP 1.2). */
      if (!g_hash_table_contains (seen, name))
        {
          if (!first)
            g_string_append_c (json, ',');
          first = FALSE;
          if (!append_unescaped (json, data + i, colon - data - i, escapes))
            {
              g_string_truncate (json, mark);
              return view_failed (error_message, _("a header has a bad escape or is not UTF-8"), i);
            }
          g_string_append_c (json, ':');
          if (!append_unescaped (json, colon + 1, value_end - (colon + 1 - data), escapes))
            {
              g_string_truncate (json, mark);
              return view_failed (error_message, _("a header has a bad escape or is not UTF-8"), i);
            }
          g_hash_table_add (seen, g_steal_pointer (&name));
        }
      i = line_end + 1;
    }
  g_string_append (json, "},\"body\":");
  body_end = end - 1;
  sonde_app_protocol_append_payload (protocol, data + body, body_end - body, json);
  g_string_append_c (json, '}');

  if (g_str_equal (command, "MESSAGE") || g_str_equal (command, "SEND") || g_str_equal (command, "SUBSCRIBE"))
    extra->label = dup_header (data, length, start, body, "destination");
  else if (g_str_equal (command, "ERROR"))
    extra->label = dup_header (data, length, start, body, "message");
  if (extra->label != NULL && !g_utf8_validate (extra->label, -1, NULL))
    g_clear_pointer (&extra->label, g_free);
  extra->upkeep = g_str_equal (command, "CONNECT") || g_str_equal (command, "STOMP") ||
                  g_str_equal (command, "CONNECTED") || g_str_equal (command, "RECEIPT");
  if (extra->label == NULL)
    extra->label = g_steal_pointer (&command);
  return SONDE_RECORD_VIEW_DECODED;
}

/* "name:value\n", escaped as STOMP 1.2 says. */
static void
append_header (GString    *frame,
               const char *name,
               const char *value)
{
  for (const char *p = name; p != NULL; p = p == name ? value : NULL)
    {
      for (const char *c = p; *c != '\0'; c++)
        switch (*c)
          {
          case '\r': g_string_append (frame, "\\r"); break;
          case '\n': g_string_append (frame, "\\n"); break;
          case ':': g_string_append (frame, "\\c"); break;
          case '\\': g_string_append (frame, "\\\\"); break;
          default: g_string_append_c (frame, *c); break;
          }
      g_string_append_c (frame, p == name ? ':' : '\n');
    }
}

static gboolean
send_frame (SondeProtoStomp  *self,
            GString          *frame,
            gboolean          automatic,
            GError          **error)
{
  /* The NUL ends the frame and is part of the message. */
  return sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), frame->str, (gssize) frame->len + 1, automatic,
                                       error);
}

/* The name of the header "name:value" (checked by the base class). */
static char *
dup_header_name (const char *header)
{
  return g_strstrip (g_strndup (header, strchr (header, ':') - header));
}

static gboolean
has_user_header (const char * const *headers,
                 const char         *name)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      g_autofree char *got = dup_header_name (headers[i]);

      if (g_ascii_strcasecmp (got, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The user's headers, trimmed, before the frame's own: of a repeated
 * header STOMP takes the first, so the user's win; those the frame sets
 * from its fields (@own) are refused. */
static gboolean
append_user_headers (GString             *frame,
                     const char * const  *headers,
                     const char * const  *own,
                     GError             **error)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      g_autofree char *name = dup_header_name (headers[i]);
      g_autofree char *value = g_strstrip (g_strdup (strchr (headers[i], ':') + 1));

      if (g_strv_contains (own, name))
        {
          /* Translators: %s is a STOMP header's name, such as destination. */
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The header “%s” is the frame's own: set it in its field"), name);
          return FALSE;
        }
      append_header (frame, name, value);
    }
  return TRUE;
}

static gboolean
subscribe (SondeProtoStomp     *self,
           const char          *destination,
           const char * const  *headers,
           gboolean             automatic,
           GError             **error)
{
  static const char * const own[] = { "id", "destination", NULL };
  g_autoptr(GString) frame = g_string_new ("SUBSCRIBE\n");
  g_autofree char *id = NULL;

  if (destination == NULL || *destination == '\0' || !g_utf8_validate (destination, -1, NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A subscription is a destination, such as /topic/ticks"));
      return FALSE;
    }
  id = g_strdup_printf ("sub-%u", self->next_sub);
  append_header (frame, "id", id);
  append_header (frame, "destination", destination);
  if (!append_user_headers (frame, headers, own, error))
    return FALSE;
  if (!has_user_header (headers, "ack"))
    append_header (frame, "ack", "auto");
  g_string_append_c (frame, '\n');
  if (!send_frame (self, frame, automatic, error))
    return FALSE;
  self->next_sub++;
  g_hash_table_replace (self->subscriptions, g_steal_pointer (&id), g_strdup (destination));
  return TRUE;
}

static guint
get_heartbeat_ms (SondeProtoStomp *self)
{
  guint keepalive = sonde_app_protocol_get_options (SONDE_APP_PROTOCOL (self))->keepalive_s;

  return (keepalive > 0 ? keepalive : 30) * 1000;
}

static gboolean
on_heartbeat (gpointer data)
{
  SondeProtoStomp *self = data;

  sonde_app_protocol_send_text (SONDE_APP_PROTOCOL (self), "\n", 1, TRUE, NULL);
  return G_SOURCE_CONTINUE;
}

static const char * const *
sonde_proto_stomp_get_subprotocols (SondeAppProtocol *protocol)
{
  return subprotocols;
}

static void
sonde_proto_stomp_reset (SondeAppProtocol *protocol)
{
  SondeProtoStomp *self = SONDE_PROTO_STOMP (protocol);

  g_hash_table_remove_all (self->subscriptions);
  self->next_sub = 0;
  self->connected = FALSE;
}

static void
sonde_proto_stomp_opened (SondeAppProtocol *protocol)
{
  SondeProtoStomp *self = SONDE_PROTO_STOMP (protocol);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);
  g_autoptr(GString) frame = g_string_new ("CONNECT\naccept-version:1.2,1.1\n");
  g_autofree char *host = g_strdup (options->host);
  g_autoptr(GError) error = NULL;

  if (host == NULL || *host == '\0')
    {
      const SondeConnectionOptions *connection = sonde_connection_get_options (sonde_app_protocol_get_connection (protocol));
      g_autoptr(GUri) uri = connection->url != NULL ? g_uri_parse (connection->url, G_URI_FLAGS_NONE, NULL) : NULL;

      g_free (host);
      host = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "localhost");
    }
  /* No escapes in CONNECT: values with an end of line are left out. */
  if (strpbrk (host, "\r\n") == NULL)
    g_string_append_printf (frame, "host:%s\n", host);
  if (options->username != NULL && *options->username != '\0' && strpbrk (options->username, "\r\n") == NULL)
    g_string_append_printf (frame, "login:%s\n", options->username);
  if (options->password != NULL && *options->password != '\0' && strpbrk (options->password, "\r\n") == NULL)
    g_string_append_printf (frame, "passcode:%s\n", options->password);
  g_string_append_printf (frame, "heart-beat:%u,%u\n\n", get_heartbeat_ms (self), get_heartbeat_ms (self));
  if (!send_frame (self, frame, TRUE, &error))
    sonde_app_protocol_report (protocol, error->message);
  if (options->password != NULL)
    memset (frame->str, 0, frame->len);
}

/* CONNECTED: heart-beats as negotiated, then the subscriptions. */
static void
on_connected (SondeProtoStomp *self,
              const guint8    *data,
              gsize            length,
              gsize            start,
              gsize            end)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  const SondeAppProtocolOptions *options = sonde_app_protocol_get_options (protocol);
  g_autofree char *heartbeat = dup_header (data, length, start, end, "heart-beat");
  guint64 server_send = 0, server_want = 0;

  self->connected = TRUE;
  if (heartbeat != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (heartbeat, ",", 2);

      if (g_strv_length (parts) == 2)
        {
          g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, G_MAXUINT32, &server_send, NULL);
          g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 0, G_MAXUINT32, &server_want, NULL);
        }
    }
  (void) server_send;
  if (server_want > 0)
    sonde_app_protocol_add_timer (protocol, MAX (get_heartbeat_ms (self), (guint) server_want), on_heartbeat);

  for (guint i = 0; options->subscriptions != NULL && options->subscriptions[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!subscribe (self, options->subscriptions[i], NULL, TRUE, &error))
        sonde_app_protocol_report (protocol, error->message);
    }
}

/* A MESSAGE without a destination header (some brokers send none) is
 * labelled with the destination of the subscription it names. */
static void
label_by_subscription (SondeProtoStomp   *self,
                       const SondeRecord *record)
{
  SondeAppProtocol *protocol = SONDE_APP_PROTOCOL (self);
  const guint8 *data = record->data;
  gsize length = record->stored_size;
  gsize start = skip_eols (data, length, 0);
  const guint8 *blank = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *subscription = NULL;
  g_autofree char *error_message = NULL;
  g_autoptr(GString) json = NULL;
  SondeRecordViewExtra extra = { NULL, FALSE };
  const char *known;

  /* The headers end at the first blank line. */
  for (gsize i = start; i + 1 < length && blank == NULL; i++)
    if (data[i] == '\n' && (data[i + 1] == '\n' || (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')))
      blank = data + i + 1;
  if (blank == NULL)
    return;
  destination = dup_header (data, length, start, blank - data, "destination");
  subscription = dup_header (data, length, start, blank - data, "subscription");
  if (destination != NULL || subscription == NULL ||
      (known = g_hash_table_lookup (self->subscriptions, subscription)) == NULL)
    return;
  json = g_string_new (NULL);
  if (sonde_proto_stomp_view (protocol, record, json, &error_message, &extra) != SONDE_RECORD_VIEW_DECODED)
    {
      g_free (extra.label);
      return;
    }
  g_free (extra.label);
  extra.label = g_strdup (known);
  sonde_app_protocol_put_view (protocol, record->seq, SONDE_RECORD_VIEW_DECODED, json->str, json->len, NULL, &extra);
  g_free (extra.label);
}

static void
sonde_proto_stomp_process (SondeAppProtocol  *protocol,
                           const SondeRecord *record)
{
  SondeProtoStomp *self = SONDE_PROTO_STOMP (protocol);
  const guint8 *data = record->data;
  gsize length = record->stored_size;
  gsize start;

  if (record->direction != SONDE_DIRECTION_IN ||
      (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY))
    return;
  start = skip_eols (data, length, 0);
  if (length - start >= 10 && memcmp (data + start, "CONNECTED", 9) == 0 &&
      (data[start + 9] == '\n' || data[start + 9] == '\r'))
    {
      gsize end = frame_end (data, length, start);

      if (end > 0)
        on_connected (self, data, length, start, end);
    }
  else if (length - start >= 8 && memcmp (data + start, "MESSAGE", 7) == 0 &&
           (data[start + 7] == '\n' || data[start + 7] == '\r') && g_hash_table_size (self->subscriptions) > 0)
    label_by_subscription (self, record);
  else if (!self->connected && length - start >= 6 && memcmp (data + start, "ERROR", 5) == 0 &&
           (data[start + 5] == '\n' || data[start + 5] == '\r'))
    {
      gsize end = frame_end (data, length, start);
      g_autofree char *message = end > 0 ? dup_header (data, length, start, end, "message") : NULL;
      g_autofree char *text = NULL;

      /* Translators: the STOMP broker refused the connection: what it said. */
      text = g_strdup_printf (_("The STOMP broker refused the connection: %s"),
                              message != NULL && g_utf8_validate (message, -1, NULL) ? message : "");
      sonde_app_protocol_report (protocol, text);
    }
}

/* Frame by frame: the heart-beats before a frame go with it, those after
 * the last with the last. */
static gboolean
sonde_proto_stomp_split (SondeAppProtocol *protocol,
                         const guint8     *data,
                         gsize             length,
                         GArray           *slices)
{
  gsize offset = 0;

  while (offset < length)
    {
      gsize start = skip_eols (data, length, offset);
      gsize end;

      if (start == length)
        {
          if (slices->len > 0)
            g_array_index (slices, SondeMessageSlice, slices->len - 1).length += length - offset;
          break;
        }
      end = frame_end (data, length, start);
      if (end == 0)
        end = length;
      g_array_append_val (slices, ((SondeMessageSlice) { offset, end - offset }));
      offset = end;
    }
  return slices->len > 1;
}

static gboolean
sonde_proto_stomp_act (SondeAppProtocol      *protocol,
                       const SondeAppAction  *action,
                       GError               **error)
{
  SondeProtoStomp *self = SONDE_PROTO_STOMP (protocol);
  g_autofree char *trimmed = g_strstrip (g_strdup (action->argument));

  if (g_str_equal (action->name, "subscribe"))
    return subscribe (self, trimmed, action->headers, FALSE, error);
  if (g_str_equal (action->name, "unsubscribe"))
    {
      const char *what = trimmed;
      g_autoptr(GString) frame = g_string_new ("UNSUBSCRIBE\n");
      const char *id = NULL;
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->subscriptions);
      while (id == NULL && g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_equal (key, what) || g_str_equal (value, what))
          id = key;
      if (id == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("No subscription has the id or destination “%s”"), what);
          return FALSE;
        }
      append_header (frame, "id", id);
      g_string_append_c (frame, '\n');
      if (!send_frame (self, frame, FALSE, error))
        return FALSE;
      g_hash_table_remove (self->subscriptions, id);
      return TRUE;
    }
  if (g_str_equal (action->name, "send"))
    {
      static const char * const own[] = { "destination", "content-length", NULL };
      g_autofree char *destination = NULL;
      g_autofree char *body = NULL;
      g_autoptr(GString) frame = g_string_new ("SEND\n");
      g_autofree char *content_length = NULL;

      if (!sonde_app_protocol_split_argument (action->argument, &destination, &body))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("A send is DESTINATION, then its body: /queue/orders {\"qty\":1}"));
          return FALSE;
        }
      content_length = g_strdup_printf ("%" G_GSIZE_FORMAT, strlen (body));
      append_header (frame, "destination", destination);
      if (!append_user_headers (frame, action->headers, own, error))
        return FALSE;
      if (!has_user_header (action->headers, "content-type"))
        append_header (frame, "content-type",
                       sonde_json_validate (body, -1, NULL, NULL, NULL) ? "application/json" : "text/plain");
      append_header (frame, "content-length", content_length);
      g_string_append_c (frame, '\n');
      g_string_append (frame, body);
      return send_frame (self, frame, FALSE, error);
    }
  sonde_app_protocol_set_no_action (protocol, action->name, error);
  return FALSE;
}

static void
sonde_proto_stomp_finalize (GObject *object)
{
  SondeProtoStomp *self = SONDE_PROTO_STOMP (object);

  g_hash_table_unref (self->subscriptions);

  G_OBJECT_CLASS (sonde_proto_stomp_parent_class)->finalize (object);
}

static void
sonde_proto_stomp_class_init (SondeProtoStompClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SondeAppProtocolClass *protocol_class = SONDE_APP_PROTOCOL_CLASS (klass);

  object_class->finalize = sonde_proto_stomp_finalize;
  protocol_class->get_subprotocols = sonde_proto_stomp_get_subprotocols;
  protocol_class->reset = sonde_proto_stomp_reset;
  protocol_class->opened = sonde_proto_stomp_opened;
  protocol_class->process = sonde_proto_stomp_process;
  protocol_class->view = sonde_proto_stomp_view;
  protocol_class->split = sonde_proto_stomp_split;
  protocol_class->act = sonde_proto_stomp_act;
}

static void
sonde_proto_stomp_init (SondeProtoStomp *self)
{
  self->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}
