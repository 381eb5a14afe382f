/* sonde-har-writer.c: a session's records written out as HAR 1.2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-har-writer"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-har-writer.h"
#include "sonde-output-buffer.h"
#include "sonde-json-writer.h"

#define FLUSH_AT (256 * 1024)

struct _SondeHarWriter
{
  /* owned */
  GOutputStream *stream;
  GString       *buffer;
  char          *url;
  gint64         start_us;
  guint64        n_messages;
  gboolean       head_written;
  gboolean       finished;
};

static void
append_iso_time (GString *out,
                 gint64   wall_us)
{
  /* HAR dates are ISO 8601; sonde_json_append_iso_time writes it quoted. */
  sonde_json_append_iso_time (out, wall_us);
}

/* "Name: value" objects of a handshake head as HAR's [{name, value}]. */
static void
append_headers (GString    *out,
                JsonObject *headers)
{
  g_autoptr(GList) members = headers ? json_object_get_members (headers) : NULL;
  gboolean first_header = TRUE;

  g_string_append_c (out, '[');
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (headers, l->data);
      gboolean first = TRUE;

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        continue;
      if (!first_header)
        g_string_append_c (out, ',');
      first_header = FALSE;
      g_string_append_c (out, '{');
      sonde_json_append_string_member (out, &first, "name", l->data);
      sonde_json_append_string_member (out, &first, "value", json_node_get_string (value));
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

static void
append_query_string (GString    *out,
                     const char *url)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL) : NULL;
  const char *query = uri ? g_uri_get_query (uri) : NULL;
  gboolean first_param = TRUE;

  g_string_append_c (out, '[');
  if (query != NULL)
    {
      GUriParamsIter iter;
      char *name;
      char *value;

      g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_NONE);
      while (g_uri_params_iter_next (&iter, &name, &value, NULL))
        {
          gboolean first = TRUE;

          if (!first_param)
            g_string_append_c (out, ',');
          first_param = FALSE;
          g_string_append_c (out, '{');
          sonde_json_append_string_member (out, &first, "name", name);
          sonde_json_append_string_member (out, &first, "value", value);
          g_string_append_c (out, '}');
          g_free (name);
          g_free (value);
        }
    }
  g_string_append_c (out, ']');
}

static double
get_double (JsonObject *object,
            const char *name,
            double      fallback)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    default:
      return fallback;
    }
}

static void
append_ms_member (GString    *out,
                  gboolean   *first,
                  const char *name,
                  double      ms)
{
  sonde_json_append_double_member (out, first, name, ms >= 0 ? ms : -1);
}

/* The log's head and the entry up to its "_webSocketMessages":[ from the
 * handshake's JSON (sonde_handshake_to_json's shape) when there is one. */
static void
write_head (SondeHarWriter    *self,
            const SondeRecord *handshake,
            gint64             first_us)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *hs = NULL;
  JsonObject *request = NULL;
  JsonObject *timings = NULL;
  GString *out = self->buffer;
  const char *request_line = NULL;
  const char *http_version = "HTTP/1.1";
  g_autofree char *version_copy = NULL;
  gint64 status = 101;
  const char *reason = "Switching Protocols";
  gboolean first = TRUE;
  gboolean inner;
  double total_ms;

  if (handshake != NULL && handshake->stored_size > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (json_parser_load_from_data (parser, (const char *) handshake->data,
                                      (gssize) handshake->stored_size, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          root = json_node_ref (json_parser_get_root (parser));
          hs = json_node_get_object (root);
        }
    }
  if (hs != NULL)
    {
      if (json_object_has_member (hs, "request") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (hs, "request")))
        request = json_object_get_object_member (hs, "request");
      if (json_object_has_member (hs, "timings") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (hs, "timings")))
        timings = json_object_get_object_member (hs, "timings");
      if (request != NULL)
        request_line = json_object_get_string_member_with_default (request, "line", NULL);
      status = json_object_get_int_member_with_default (hs, "status", status);
      reason = json_object_get_string_member_with_default (hs, "reason_phrase", reason);
      if (self->url == NULL)
        self->url = g_strdup (json_object_get_string_member_with_default (hs, "url", NULL));
    }
  if (request_line != NULL)
    {
      const char *space = strrchr (request_line, ' ');

      if (space != NULL && g_str_has_prefix (space + 1, "HTTP/"))
        http_version = version_copy = g_strdup (space + 1);
    }
  if (self->start_us == 0)
    self->start_us = handshake ? handshake->wall_us : first_us;
  total_ms = get_double (timings, "total_ms", 0);

  g_string_append (out, "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"Sonde\",\"version\":\"" PACKAGE_VERSION "\"},");
  g_string_append (out, "\"entries\":[{");
  sonde_json_append_member (out, &first, "startedDateTime");
  append_iso_time (out, self->start_us);
  sonde_json_append_double_member (out, &first, "time", total_ms >= 0 ? total_ms : 0);

  sonde_json_append_member (out, &first, "request");
  g_string_append_c (out, '{');
  inner = TRUE;
  sonde_json_append_string_member (out, &inner, "method", "GET");
  sonde_json_append_string_member (out, &inner, "url", self->url ? self->url : "");
  sonde_json_append_string_member (out, &inner, "httpVersion", http_version);
  g_string_append (out, ",\"cookies\":[],\"headers\":");
  append_headers (out, request && json_object_has_member (request, "headers") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (request, "headers"))
                  ? json_object_get_object_member (request, "headers") : NULL);
  g_string_append (out, ",\"queryString\":");
  append_query_string (out, self->url);
  g_string_append (out, ",\"headersSize\":-1,\"bodySize\":0}");

  sonde_json_append_member (out, &first, "response");
  g_string_append_c (out, '{');
  inner = TRUE;
  sonde_json_append_int_member (out, &inner, "status", status);
  sonde_json_append_string_member (out, &inner, "statusText", reason ? reason : "");
  sonde_json_append_string_member (out, &inner, "httpVersion", http_version);
  g_string_append (out, ",\"cookies\":[],\"headers\":");
  append_headers (out, hs && json_object_has_member (hs, "headers") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (hs, "headers"))
                  ? json_object_get_object_member (hs, "headers") : NULL);
  g_string_append (out, ",\"content\":{\"size\":0,\"mimeType\":\"x-unknown\"},"
                        "\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1}");

  g_string_append (out, ",\"cache\":{}");
  sonde_json_append_member (out, &first, "timings");
  g_string_append_c (out, '{');
  inner = TRUE;
  sonde_json_append_int_member (out, &inner, "blocked", -1);
  append_ms_member (out, &inner, "dns", get_double (timings, "dns_ms", -1));
  append_ms_member (out, &inner, "connect", get_double (timings, "connect_ms", -1));
  append_ms_member (out, &inner, "ssl", get_double (timings, "tls_ms", -1));
  sonde_json_append_int_member (out, &inner, "send", 0);
  sonde_json_append_double_member (out, &inner, "wait", MAX (0, get_double (timings, "upgrade_ms", 0)));
  sonde_json_append_int_member (out, &inner, "receive", 0);
  g_string_append_c (out, '}');

  sonde_json_append_string_member (out, &first, "_resourceType", "websocket");
  sonde_json_append_member (out, &first, "_webSocketMessages");
  g_string_append_c (out, '[');
  self->head_written = TRUE;
}

static void
append_epoch_seconds (GString *out,
                      gint64   wall_us)
{
  guint64 magnitude = wall_us < 0 ? -(guint64) wall_us : (guint64) wall_us;

  /* Exact decimals, not a double's rounding. */
  g_string_append_printf (out, "%s%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT, wall_us < 0 ? "-" : "",
                          magnitude / G_USEC_PER_SEC, magnitude % G_USEC_PER_SEC);
}

SondeHarWriter *
sonde_har_writer_new (GOutputStream *stream,
                      const char    *url,
                      gint64         start_us)
{
  SondeHarWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_new0 (SondeHarWriter, 1);
  self->stream = g_object_ref (stream);
  self->buffer = g_string_sized_new (FLUSH_AT + 4096);
  self->url = g_strdup (url);
  self->start_us = start_us;
  return self;
}

void
sonde_har_writer_free (SondeHarWriter *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  g_string_free (self->buffer, TRUE);
  g_free (self->url);
  g_free (self);
}

guint64
sonde_har_writer_get_n_messages (SondeHarWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_messages;
}

gboolean
sonde_har_writer_add (SondeHarWriter     *self,
                      const SondeRecord  *record,
                      GCancellable       *cancellable,
                      GError            **error)
{
  GString *out;
  gboolean first = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  if (record->direction == SONDE_DIRECTION_EVENT)
    {
      if (record->kind == SONDE_MESSAGE_KIND_HANDSHAKE && !self->head_written)
        write_head (self, record, record->wall_us);
      return sonde_output_buffer_flush (self->stream, self->buffer, FLUSH_AT, cancellable, error);
    }
  if (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY)
    return TRUE;

  if (!self->head_written)
    write_head (self, NULL, record->wall_us);

  out = self->buffer;
  if (self->n_messages > 0)
    g_string_append_c (out, ',');
  g_string_append_c (out, '{');
  sonde_json_append_string_member (out, &first, "type",
                                   record->direction == SONDE_DIRECTION_OUT ? "send" : "receive");
  sonde_json_append_member (out, &first, "time");
  append_epoch_seconds (out, record->wall_us);
  sonde_json_append_int_member (out, &first, "opcode", record->kind == SONDE_MESSAGE_KIND_TEXT ? 1 : 2);
  sonde_json_append_member (out, &first, "data");
  if (record->kind == SONDE_MESSAGE_KIND_TEXT)
    sonde_json_append_string (out, (const char *) record->data, (gssize) record->stored_size);
  else
    {
      /* Base64 straight into the buffer, without a copy of the message. */
      gsize at;
      gint state = 0;
      gint save = 0;

      g_string_append_c (out, '"');
      at = out->len;
      g_string_set_size (out, at + (record->stored_size / 3 + 1) * 4 + 4);
      at += g_base64_encode_step (record->data, record->stored_size, FALSE, out->str + at, &state, &save);
      at += g_base64_encode_close (FALSE, out->str + at, &state, &save);
      g_string_truncate (out, at);
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  self->n_messages++;

  return sonde_output_buffer_flush (self->stream, self->buffer, FLUSH_AT, cancellable, error);
}

gboolean
sonde_har_writer_finish (SondeHarWriter  *self,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  self->finished = TRUE;
  if (!self->head_written)
    write_head (self, NULL, self->start_us ? self->start_us : g_get_real_time ());
  g_string_append (self->buffer, "]}]}}\n");
  if (!sonde_output_buffer_flush (self->stream, self->buffer, 0, cancellable, error))
    return FALSE;
  return g_output_stream_flush (self->stream, cancellable, error);
}
