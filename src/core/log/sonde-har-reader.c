/* sonde-har-reader.c: the WebSocket sessions of a HAR file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-har-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sonde-har-reader.h"

static JsonObject *
get_object_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A number, or a string holding one (some tools quote it). */
static gboolean
get_number_member (JsonObject *object,
                   const char *name,
                   double     *number)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      *number = json_node_get_double (node);
      return isfinite (*number);
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        char *end = NULL;

        *number = g_ascii_strtod (text, &end);
        return end != text && *end == '\0' && isfinite (*number);
      }
    default:
      return FALSE;
    }
}

/* Epoch seconds to µs, to the nearest µs: whole seconds apart from their
 * fraction so that the fraction keeps a double's precision. */
static gboolean
seconds_to_us (double  seconds,
               gint64 *wall_us)
{
  double whole;
  double fraction;

  if (!(seconds > -62135596800.0 && seconds < 253402300800.0))   /* years 1 to 9999 */
    return FALSE;
  whole = floor (seconds);
  fraction = seconds - whole;
  *wall_us = (gint64) whole * G_USEC_PER_SEC + (gint64) llround (fraction * G_USEC_PER_SEC);
  return TRUE;
}

static gboolean
parse_iso_time (const char *text,
                gint64     *wall_us)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = text ? g_date_time_new_from_iso8601 (text, utc) : NULL;

  if (dt == NULL)
    return FALSE;
  *wall_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* Strict base64 (the alphabet, padding only at the end, whole quanta) into
 * a new buffer of at most 3/4 of its length. */
static guint8 *
decode_base64 (const char *text,
               gsize       length,
               gsize      *out_length)
{
  guint8 *out;
  gint state = 0;
  guint save = 0;
  gsize padding = 0;

  if (length % 4 != 0)
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i < length - 2 || ++padding > 2)
            return NULL;
        }
      else if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }
  out = g_malloc (length / 4 * 3 + 1);
  *out_length = g_base64_decode_step (text, length, out, &state, &save);
  return out;
}

static void
set_message_error (GError    **error,
                   guint       entry,
                   guint       message,
                   const char *problem)
{
  g_set_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_INVALID_RECORD,
               /* Translators: both numbers count from 1; the last part says what is wrong,
                * e.g. "its “data” is not base64" */
               _("Not a valid HAR file: entry %u, WebSocket message %u: %s"),
               entry + 1, message + 1, problem);
}

static gboolean
read_message (SondeImportedSession *session,
              JsonNode             *node,
              guint                 entry_index,
              guint                 index,
              GError              **error)
{
  JsonObject *message = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  SondeRecord record = { 0 };
  const char *type;
  const char *data;
  double number;
  gint64 opcode = 1;
  guint8 *payload;
  gsize length;

  if (message == NULL)
    {
      set_message_error (error, entry_index, index, _("not an object"));
      return FALSE;
    }

  type = get_string_member (message, "type");
  if (g_strcmp0 (type, "send") == 0)
    record.direction = SONDE_DIRECTION_OUT;
  else if (g_strcmp0 (type, "receive") == 0)
    record.direction = SONDE_DIRECTION_IN;
  else
    {
      set_message_error (error, entry_index, index, _("its “type” is neither “send” nor “receive”"));
      return FALSE;
    }

  if (json_object_has_member (message, "opcode"))
    {
      if (!get_number_member (message, "opcode", &number) || number != floor (number))
        {
          set_message_error (error, entry_index, index, _("its “opcode” is not a number"));
          return FALSE;
        }
      opcode = (gint64) number;
    }
  if (opcode != 1 && opcode != 2)
    return TRUE;   /* close, ping, pong: not messages */

  if (!get_number_member (message, "time", &number) || !seconds_to_us (number, &record.wall_us))
    {
      set_message_error (error, entry_index, index, _("its “time” is not a time in seconds"));
      return FALSE;
    }

  data = get_string_member (message, "data");
  if (data == NULL && json_object_has_member (message, "data") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (message, "data")))
    {
      set_message_error (error, entry_index, index, _("its “data” is not a string"));
      return FALSE;
    }
  if (data == NULL)
    data = "";

  if (opcode == 1)
    {
      record.kind = SONDE_MESSAGE_KIND_TEXT;
      length = strlen (data);
      /* json-glib passes raw bytes through unchecked. */
      if (!g_utf8_validate_len (data, length, NULL))
        {
          set_message_error (error, entry_index, index, _("its “data” is not UTF-8 text"));
          return FALSE;
        }
      payload = g_memdup2 (data, length + 1);
    }
  else
    {
      record.kind = SONDE_MESSAGE_KIND_BINARY;
      payload = decode_base64 (data, strlen (data), &length);
      if (payload == NULL)
        {
          set_message_error (error, entry_index, index, _("its “data” is not base64"));
          return FALSE;
        }
    }

  record.size = length;
  record.stored_size = length;
  record.mono_us = record.wall_us - sonde_imported_session_get_start_us (session);
  sonde_imported_session_add_take (session, &record, payload);
  return TRUE;
}

static SondeImportedSession *
read_entry (JsonObject  *entry,
            guint        entry_index,
            GError     **error)
{
  g_autoptr(SondeImportedSession) session = NULL;
  JsonArray *messages = get_array_member (entry, "_webSocketMessages");
  gint64 start_us = 0;
  guint n;

  if (messages == NULL)
    return NULL;

  /* Chrome writes "2026-12-06T04:14:17.123Z", Firefox an offset. */
  parse_iso_time (get_string_member (entry, "startedDateTime"), &start_us);
  session = sonde_imported_session_new (get_string_member (get_object_member (entry, "request"), "url"),
                                        start_us);
  n = json_array_get_length (messages);
  for (guint i = 0; i < n; i++)
    {
      if (!read_message (session, json_array_get_element (messages, i), entry_index, i, error))
        return NULL;
    }
  if (start_us == 0 && sonde_imported_session_get_n_records (session) > 0)
    sonde_imported_session_set_start_us (session, sonde_imported_session_get_record (session, 0)->wall_us);
  return g_steal_pointer (&session);
}

GPtrArray *
sonde_har_reader_read_data (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  JsonObject *log;
  JsonArray *entries;
  guint n;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sonde_import_parse_json (data, length, error);
  if (root == NULL)
    return NULL;

  log = JSON_NODE_HOLDS_OBJECT (root) ? get_object_member (json_node_get_object (root), "log") : NULL;
  entries = get_array_member (log, "entries");
  if (entries == NULL)
    {
      g_set_error_literal (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_NOT_HAR,
                           _("Not a HAR file: it has no “log” with “entries”"));
      return NULL;
    }

  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_imported_session_unref);
  n = json_array_get_length (entries);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      g_autoptr(GError) local_error = NULL;
      SondeImportedSession *session;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_NOT_HAR,
                       _("Not a HAR file: entry %u is not an object"), i + 1);
          return NULL;
        }
      session = read_entry (json_node_get_object (node), i, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (session != NULL)
        g_ptr_array_add (sessions, session);
    }

  if (sessions->len == 0)
    {
      g_set_error_literal (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_NO_WEBSOCKET,
                           _("The HAR file holds no WebSocket traffic: no entry has “_webSocketMessages”"));
      return NULL;
    }
  return g_steal_pointer (&sessions);
}

GPtrArray *
sonde_har_reader_read_file (GFile         *file,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, error))
    return NULL;
  return sonde_har_reader_read_data (contents, length, error);
}
