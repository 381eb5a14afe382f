/* sonde-jsonl-reader.c: Sonde's JSON Lines read back into records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-jsonl-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-json-lex.h"
#include "sonde-json-path.h"
#include "sonde-jsonl-reader.h"
#include "sonde-text.h"

static const struct {
  const char       *name;
  SondeRecordFlags  flag;
} flag_members[] = {
  { "truncated", SONDE_RECORD_FLAG_TRUNCATED },
  { "automatic", SONDE_RECORD_FLAG_AUTOMATIC },
  { "compressed", SONDE_RECORD_FLAG_COMPRESSED },
  { "fragmented", SONDE_RECORD_FLAG_FRAGMENTED },
  { "unmatched", SONDE_RECORD_FLAG_UNMATCHED },
};

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
parse_kind (const char       *name,
            SondeMessageKind *kind)
{
  for (guint i = 0; name != NULL && i <= SONDE_MESSAGE_KIND_LAST; i++)
    {
      if (strcmp (name, sonde_message_kind_to_string (i)) == 0)
        {
          *kind = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
set_line_error (GError    **error,
                guint       line,
                const char *problem)
{
  g_set_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_INVALID_RECORD,
               _("Not a Sonde JSON Lines file: line %u: %s"), line, problem);
}

/* The members after "kind" of a line as Sonde writes it
 * ({"time":"…","dir":"…","kind":"…",…}), as one object: the event's own
 * JSON, byte for byte. Otherwise the object's other members regenerated. */
static char *
dup_event_json (const char *line,
                gsize       length,
                JsonObject *object,
                const char *kind,
                gsize      *out_length)
{
  g_autofree char *prefix_end = g_strdup_printf ("\",\"kind\":\"%s\"", kind);
  const char *found = g_strstr_len (line, (gssize) MIN (length, 128), prefix_end);
  g_autoptr(JsonObject) rest = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  GList *members;

  if (g_str_has_prefix (line, "{\"time\":\"") && found != NULL)
    {
      const char *after = found + strlen (prefix_end);
      const char *end = line + length;

      if (end - after >= 2 && *after == ',' && end[-1] == '}')
        {
          GString *out = g_string_sized_new (end - after + 1);

          g_string_append_c (out, '{');
          g_string_append_len (out, after + 1, end - after - 1);
          *out_length = out->len;
          return g_string_free (out, FALSE);
        }
      if (end - after == 1 && *after == '}')
        {
          *out_length = 0;
          return g_strdup ("");
        }
    }

  rest = json_object_new ();
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (strcmp (l->data, "time") != 0 && strcmp (l->data, "dir") != 0 && strcmp (l->data, "kind") != 0)
        json_object_set_member (rest, l->data, json_node_copy (json_object_get_member (object, l->data)));
    }
  g_list_free (members);
  if (json_object_get_size (rest) == 0)
    {
      *out_length = 0;
      return g_strdup ("");
    }
  node = json_node_init_object (json_node_alloc (), rest);
  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, out_length);
}

/* The "text" member's string decoded from the raw line, so that a \u0000
 * survives (json-glib's strings end at a NUL). */
static guint8 *
dup_text (SondeJsonPath *text_path,
          const char    *line,
          gsize          length,
          gsize         *out_length)
{
  SondeJsonValue value;
  SondeJsonLexResult result;
  GString *out;

  if (!sonde_json_path_lookup (text_path, line, length, &value) || value.type != SONDE_JSON_VALUE_STRING)
    return NULL;
  out = g_string_sized_new (value.text_length + 1);
  if (sonde_json_lex_decode ((const guint8 *) value.text,
                             (const guint8 *) value.text + value.text_length + 1,
                             SONDE_JSON_LEX_DEFAULT, out, &result) != SONDE_JSON_LEX_OK)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  *out_length = out->len;
  return (guint8 *) g_string_free (out, FALSE);
}

static gboolean
read_line (SondeImportedSession *session,
           SondeJsonPath        *text_path,
           const char           *line,
           gsize                 length,
           guint                 number,
           GError              **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  JsonObject *object;
  SondeRecord record = { 0 };
  const char *dir;
  const char *kind;
  guint8 *payload = NULL;
  gsize payload_length = 0;

  root = sonde_import_parse_json (line, length, &parse_error);
  if (root == NULL)
    {
      g_set_error (error, SONDE_IMPORT_ERROR, parse_error->code,
                   _("Line %u: %s"), number, parse_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_line_error (error, number, _("not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);
  if (json_object_has_member (object, "values"))
    return TRUE;   /* an extract line */

  utc = g_time_zone_new_utc ();
  if (get_string_member (object, "time") != NULL)
    dt = g_date_time_new_from_iso8601 (get_string_member (object, "time"), utc);
  if (dt == NULL)
    {
      set_line_error (error, number, _("no “time”, or not an ISO 8601 time"));
      return FALSE;
    }
  /* Sonde writes four-digit years only. */
  if (g_date_time_get_year (dt) < 1000)
    {
      set_line_error (error, number, _("its “time” is before the year 1000"));
      return FALSE;
    }
  record.wall_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);

  dir = get_string_member (object, "dir");
  if (g_strcmp0 (dir, "in") == 0)
    record.direction = SONDE_DIRECTION_IN;
  else if (g_strcmp0 (dir, "out") == 0)
    record.direction = SONDE_DIRECTION_OUT;
  else if (g_strcmp0 (dir, "event") == 0)
    record.direction = SONDE_DIRECTION_EVENT;
  else
    {
      set_line_error (error, number, _("its “dir” is not “in”, “out” or “event”"));
      return FALSE;
    }

  kind = get_string_member (object, "kind");
  if (!parse_kind (kind, &record.kind))
    {
      set_line_error (error, number, _("unknown “kind”"));
      return FALSE;
    }

  if (record.direction == SONDE_DIRECTION_EVENT || record.kind == SONDE_MESSAGE_KIND_FRAME)
    {
      payload = (guint8 *) dup_event_json (line, length, object, kind, &payload_length);
      record.size = payload_length;
      /* Regenerated from json-glib's values, which can hold a surrogate
       * pair's halves apart as bytes that are not UTF-8, or a number too
       * large for a double, written back as "inf". */
      if (!g_utf8_validate_len ((const char *) payload, payload_length, NULL))
        {
          g_free (payload);
          set_line_error (error, number, _("its members are not UTF-8 text"));
          return FALSE;
        }
      if (payload_length > 0)
        {
          g_autoptr(JsonParser) check = json_parser_new_immutable ();

          if (!json_parser_load_from_data (check, (const char *) payload, (gssize) payload_length, NULL))
            {
              g_free (payload);
              set_line_error (error, number, _("its members cannot be written back as JSON"));
              return FALSE;
            }
        }
    }
  else
    {
      JsonNode *size = json_object_get_member (object, "size");
      const char *base64 = get_string_member (object, "base64");

      for (guint i = 0; i < G_N_ELEMENTS (flag_members); i++)
        {
          JsonNode *flag = json_object_get_member (object, flag_members[i].name);

          if (flag != NULL && JSON_NODE_HOLDS_VALUE (flag) && json_node_get_value_type (flag) == G_TYPE_BOOLEAN &&
              json_node_get_boolean (flag))
            record.flags |= flag_members[i].flag;
        }

      if (json_object_has_member (object, "text"))
        payload = dup_text (text_path, line, length, &payload_length);
      else if (base64 != NULL)
        {
          gsize base64_length = strlen (base64);
          gint state = 0;
          guint save = 0;

          payload = g_malloc (base64_length / 4 * 3 + 3);
          payload_length = g_base64_decode_step (base64, base64_length, payload, &state, &save);
        }
      if (payload == NULL)
        {
          set_line_error (error, number, _("a message without a “text” or “base64” string"));
          return FALSE;
        }
      if (size == NULL || !JSON_NODE_HOLDS_VALUE (size) || json_node_get_value_type (size) != G_TYPE_INT64 ||
          json_node_get_int (size) < (gint64) payload_length)
        {
          g_free (payload);
          set_line_error (error, number, _("its “size” is missing, or smaller than its payload"));
          return FALSE;
        }
      record.size = (gsize) json_node_get_int (size);
      if (record.kind == SONDE_MESSAGE_KIND_TEXT && !sonde_text_validate_utf8 (payload, payload_length, NULL))
        {
          g_free (payload);
          set_line_error (error, number, _("its “text” is not UTF-8"));
          return FALSE;
        }
    }

  record.stored_size = payload_length;
  if (sonde_imported_session_get_n_records (session) == 0)
    sonde_imported_session_set_start_us (session, record.wall_us);
  record.mono_us = record.wall_us - sonde_imported_session_get_start_us (session);
  if (sonde_imported_session_get_url (session) == NULL && record.direction == SONDE_DIRECTION_EVENT &&
      (record.kind == SONDE_MESSAGE_KIND_CONNECTING || record.kind == SONDE_MESSAGE_KIND_HANDSHAKE))
    sonde_imported_session_set_url (session, get_string_member (object, "url"));
  sonde_imported_session_add_take (session, &record, payload);
  return TRUE;
}

SondeImportedSession *
sonde_jsonl_reader_read_data (const char  *data,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(SondeImportedSession) session = sonde_imported_session_new (NULL, 0);
  g_autoptr(SondeJsonPath) text_path = sonde_json_path_new ("$.text", NULL);
  const char *p = data ? data : "";
  const char *end = p + length;
  guint number = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline ? newline : end;
      gsize line_length = line_end - p;

      number++;
      if (line_length > 0 && p[line_length - 1] == '\r')
        line_length--;
      /* Blank lines (and a final newline) carry nothing. */
      while (line_length > 0 && (p[line_length - 1] == ' ' || p[line_length - 1] == '\t'))
        line_length--;
      if (line_length > 0 && !read_line (session, text_path, p, line_length, number, error))
        return NULL;
      p = newline ? newline + 1 : end;
    }

  if (sonde_imported_session_get_n_records (session) == 0)
    {
      g_set_error_literal (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_NO_WEBSOCKET,
                           _("The file holds no WebSocket traffic: it has no Sonde record"));
      return NULL;
    }
  return g_steal_pointer (&session);
}

SondeImportedSession *
sonde_jsonl_reader_read_file (GFile         *file,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, error))
    return NULL;
  return sonde_jsonl_reader_read_data (contents, length, error);
}
