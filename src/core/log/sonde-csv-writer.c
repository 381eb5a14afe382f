/* sonde-csv-writer.c: records written out as CSV (RFC 4180)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-csv-writer"

#include "config.h"

#include <string.h>

#include "sonde-csv-writer.h"
#include "sonde-output-buffer.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-text.h"

#define FLUSH_AT (256 * 1024)

struct _SondeCsvWriter
{
  /* owned */
  GOutputStream *stream;
  GString       *buffer;
  GPtrArray     *paths;    /* SondeJsonPath */
  gboolean       decoded;  /* "decoded" and "decode_error" columns */
  gboolean       header_written;
  gboolean       finished;
};

static gboolean
needs_quotes (const char *text,
              gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == ',' || c == '"' || c == '\r' || c == '\n')
        return TRUE;
    }
  return FALSE;
}

/* One field, quoted when RFC 4180 needs it; @first says whether a comma
 * goes before it. */
static void
append_field (GString    *out,
              gboolean   *first,
              const char *text,
              gsize       length)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;

  if (length == 0)
    return;
  if (!needs_quotes (text, length))
    {
      g_string_append_len (out, text, length);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text, *end = text + length; p < end;)
    {
      const char *quote = memchr (p, '"', end - p);
      const char *stop = quote ? quote + 1 : end;

      g_string_append_len (out, p, stop - p);
      if (quote != NULL)
        g_string_append_c (out, '"');
      p = stop;
    }
  g_string_append_c (out, '"');
}

static void
append_time_field (GString  *out,
                   gboolean *first,
                   gint64    wall_us)
{
  gsize at;

  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  /* The JSON writer's time, without its quotes. */
  at = out->len;
  sonde_json_append_iso_time (out, wall_us);
  g_string_erase (out, at, 1);
  g_string_truncate (out, out->len - 1);
}

static void
append_header (SondeCsvWriter *self)
{
  static const char * const names[] = { "time", "direction", "kind", "size", "text", "base64" };
  gboolean first = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    append_field (self->buffer, &first, names[i], strlen (names[i]));
  if (self->decoded)
    {
      append_field (self->buffer, &first, "decoded", strlen ("decoded"));
      append_field (self->buffer, &first, "decode_error", strlen ("decode_error"));
    }
  for (guint i = 0; i < self->paths->len; i++)
    {
      const char *name = sonde_json_path_to_string (g_ptr_array_index (self->paths, i));

      append_field (self->buffer, &first, name, strlen (name));
    }
  g_string_append (self->buffer, "\r\n");
  self->header_written = TRUE;
}

SondeCsvWriter *
sonde_csv_writer_new (GOutputStream       *stream,
                      const char * const  *paths,
                      GError             **error)
{
  g_autoptr(GPtrArray) parsed = NULL;
  SondeCsvWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_json_path_unref);
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      SondeJsonPath *path = sonde_json_path_new (paths[i], error);

      if (path == NULL)
        return NULL;
      g_ptr_array_add (parsed, path);
    }

  self = g_new0 (SondeCsvWriter, 1);
  self->stream = g_object_ref (stream);
  self->buffer = g_string_sized_new (FLUSH_AT + 4096);
  self->paths = g_steal_pointer (&parsed);
  return self;
}

void
sonde_csv_writer_free (SondeCsvWriter *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  g_string_free (self->buffer, TRUE);
  g_ptr_array_unref (self->paths);
  g_free (self);
}

void
sonde_csv_writer_set_decoded (SondeCsvWriter *self,
                              gboolean        decoded)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->header_written);

  self->decoded = decoded;
}

gboolean
sonde_csv_writer_add (SondeCsvWriter     *self,
                      const SondeRecord  *record,
                      GCancellable       *cancellable,
                      GError            **error)
{
  return sonde_csv_writer_add_view (self, record, SONDE_RECORD_VIEW_RAW, NULL, NULL, cancellable, error);
}

gboolean
sonde_csv_writer_add_view (SondeCsvWriter      *self,
                           const SondeRecord   *record,
                           SondeRecordViewKind  view_kind,
                           const SondeRecord   *view,
                           const char          *decode_error,
                           GCancellable        *cancellable,
                           GError             **error)
{
  const SondeRecord *json_source;
  GString *out;
  gboolean first = TRUE;
  gboolean as_text;
  const char *kind;
  char size[24];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  if (!self->header_written)
    append_header (self);
  out = self->buffer;

  append_time_field (out, &first, record->wall_us);
  append_field (out, &first, sonde_direction_to_string (record->direction),
                strlen (sonde_direction_to_string (record->direction)));
  kind = sonde_message_kind_to_string (record->kind);
  append_field (out, &first, kind, strlen (kind));
  g_snprintf (size, sizeof size, "%" G_GSIZE_FORMAT, record->size);
  append_field (out, &first, size, strlen (size));

  /* As the JSON Lines export: text, events, and UTF-8 pings and pongs as
   * text; anything else as base64. */
  as_text = record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_FRAME ||
            record->direction == SONDE_DIRECTION_EVENT ||
            ((record->kind == SONDE_MESSAGE_KIND_PING || record->kind == SONDE_MESSAGE_KIND_PONG) &&
             sonde_text_validate_utf8 (record->data, record->stored_size, NULL));
  if (as_text)
    {
      append_field (out, &first, (const char *) record->data, record->stored_size);
      append_field (out, &first, "", 0);
    }
  else
    {
      g_autofree char *encoded = g_base64_encode (record->data, record->stored_size);

      append_field (out, &first, "", 0);
      append_field (out, &first, encoded, strlen (encoded));
    }

  if (self->decoded)
    {
      if (view_kind == SONDE_RECORD_VIEW_DECODED)
        append_field (out, &first, (const char *) view->data, view->stored_size);
      else
        append_field (out, &first, "", 0);
      if (view_kind == SONDE_RECORD_VIEW_FAILED && decode_error != NULL)
        append_field (out, &first, decode_error, strlen (decode_error));
      else
        append_field (out, &first, "", 0);
    }

  /* Path columns read the decoded view; with none, text messages. */
  json_source = view_kind == SONDE_RECORD_VIEW_DECODED ? view
              : view_kind == SONDE_RECORD_VIEW_RAW && record->direction != SONDE_DIRECTION_EVENT &&
                record->kind == SONDE_MESSAGE_KIND_TEXT ? record
              : NULL;
  for (guint i = 0; i < self->paths->len; i++)
    {
      g_autofree char *value = NULL;

      if (json_source != NULL)
        value = sonde_json_path_dup_key (g_ptr_array_index (self->paths, i),
                                         (const char *) json_source->data, json_source->stored_size);
      append_field (out, &first, value ? value : "", value ? strlen (value) : 0);
    }
  g_string_append (out, "\r\n");

  return sonde_output_buffer_flush (self->stream, self->buffer, FLUSH_AT, cancellable, error);
}

gboolean
sonde_csv_writer_finish (SondeCsvWriter  *self,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  self->finished = TRUE;
  if (!self->header_written)
    append_header (self);
  if (!sonde_output_buffer_flush (self->stream, self->buffer, 0, cancellable, error))
    return FALSE;
  return g_output_stream_flush (self->stream, cancellable, error);
}
