/* sonde-export-writer.c: records written in any export format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-export"

#include "config.h"

#include "sonde-csv-writer.h"
#include "sonde-export-writer.h"
#include "sonde-har-writer.h"
#include "sonde-output-buffer.h"

#define FLUSH_AT (256 * 1024)

struct _SondeExportWriter
{
  SondeExportFormat  format;
  gint64             from_us;
  gint64             to_us;
  GOutputStream     *stream;
  SondeRedactor     *redactor;   /* NULL: none */
  GString           *scratch;    /* a text with its secrets masked */
  GString           *buffer;     /* JSON Lines */
  SondeCsvWriter    *csv;
  SondeHarWriter    *har;
  guint64            n_written;
  SondeRecordViews  *views;      /* borrowed; NULL: payloads only */
  GString           *view_scratch; /* a decoded view with its secrets masked */
};

SondeExportWriter *
sonde_export_writer_new (GOutputStream             *stream,
                         const SondeExportOptions  *options,
                         SondeRedactor             *redactor,
                         GError                   **error)
{
  g_autoptr(SondeExportWriter) self = NULL;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_new0 (SondeExportWriter, 1);
  self->format = options->format;
  self->from_us = options->from_us;
  self->to_us = options->to_us;
  self->stream = g_object_ref (stream);
  self->redactor = redactor != NULL ? sonde_redactor_ref (redactor) : NULL;
  self->buffer = g_string_sized_new (FLUSH_AT + 4096);

  switch (options->format)
    {
    case SONDE_EXPORT_FORMAT_CSV:
      self->csv = sonde_csv_writer_new (stream, options->csv_paths, error);
      if (self->csv == NULL)
        return NULL;
      break;
    case SONDE_EXPORT_FORMAT_HAR:
      self->har = sonde_har_writer_new (stream, options->url, options->start_us);
      break;
    case SONDE_EXPORT_FORMAT_JSONL:
    default:
      break;
    }

  /* Decoded views: not in HAR, which has no place for them. */
  if (options->views != NULL && sonde_record_views_has_func (options->views) &&
      options->format != SONDE_EXPORT_FORMAT_HAR)
    {
      self->views = options->views;
      if (self->csv != NULL)
        sonde_csv_writer_set_decoded (self->csv, TRUE);
    }

  return g_steal_pointer (&self);
}

void
sonde_export_writer_free (SondeExportWriter *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->csv, sonde_csv_writer_free);
  g_clear_pointer (&self->har, sonde_har_writer_free);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  if (self->scratch != NULL)
    g_string_free (self->scratch, TRUE);
  if (self->view_scratch != NULL)
    g_string_free (self->view_scratch, TRUE);
  g_string_free (self->buffer, TRUE);
  g_clear_object (&self->stream);
  g_free (self);
}

const SondeRecord *
sonde_export_redact (const SondeRecord *record,
                     SondeRedactor     *redactor,
                     GString          **scratch,
                     SondeRecord       *copy)
{
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (copy != NULL, NULL);

  if (redactor == NULL || record->direction == SONDE_DIRECTION_EVENT || record->kind != SONDE_MESSAGE_KIND_TEXT)
    return record;

  g_return_val_if_fail (scratch != NULL, record);
  if (*scratch == NULL)
    *scratch = g_string_sized_new (record->stored_size + 16);
  g_string_truncate (*scratch, 0);
  sonde_redactor_append_bytes (redactor, *scratch, (const char *) record->data, record->stored_size);
  *copy = *record;
  copy->data = (const guint8 *) (*scratch)->str;
  copy->stored_size = (*scratch)->len;
  return copy;
}

gboolean
sonde_export_writer_add (SondeExportWriter  *self,
                         const SondeRecord  *record,
                         GCancellable       *cancellable,
                         GError            **error)
{
  SondeRecord masked;
  const SondeRecord *copy;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if ((self->from_us != 0 && record->wall_us < self->from_us) ||
      (self->to_us != 0 && record->wall_us > self->to_us))
    return TRUE;

  copy = sonde_export_redact (record, self->redactor, &self->scratch, &masked);

  if (self->views != NULL)
    {
      SondeRecord view;
      const char *why = NULL;
      SondeRecordViewKind kind = sonde_record_views_get (self->views, record, &view, &why);

      if (kind == SONDE_RECORD_VIEW_DECODED && self->redactor != NULL)
        {
          /* A secret can sit in a decoded payload as well. */
          if (self->view_scratch == NULL)
            self->view_scratch = g_string_new (NULL);
          g_string_truncate (self->view_scratch, 0);
          sonde_redactor_append_bytes (self->redactor, self->view_scratch, (const char *) view.data, view.stored_size);
          view.data = (const guint8 *) self->view_scratch->str;
          view.stored_size = view.size = self->view_scratch->len;
        }

      if (self->format == SONDE_EXPORT_FORMAT_JSONL)
        {
          gsize start = self->buffer->len;
          g_autoptr(GString) line = NULL;

          sonde_record_append_json (self->buffer, copy);
          if (kind != SONDE_RECORD_VIEW_RAW)
            {
              /* The member goes before the line's closing brace. */
              line = g_string_new_len (self->buffer->str + start, (gssize) (self->buffer->len - start));
              sonde_record_views_append_member (line, kind, (const char *) view.data, view.stored_size, why);
              g_string_truncate (self->buffer, start);
              g_string_append_len (self->buffer, line->str, (gssize) line->len);
            }
          g_string_append_c (self->buffer, '\n');
          self->n_written++;
          return sonde_output_buffer_flush (self->stream, self->buffer, FLUSH_AT, cancellable, error);
        }

      ok = sonde_csv_writer_add_view (self->csv, copy, kind, &view, why, cancellable, error);
      if (ok)
        self->n_written++;
      return ok;
    }

  if (self->format == SONDE_EXPORT_FORMAT_JSONL)
    {
      sonde_record_append_json (self->buffer, copy);
      g_string_append_c (self->buffer, '\n');
      self->n_written++;
      return sonde_output_buffer_flush (self->stream, self->buffer, FLUSH_AT, cancellable, error);
    }

  if (self->csv != NULL)
    {
      ok = sonde_csv_writer_add (self->csv, copy, cancellable, error);
      if (ok)
        self->n_written++;
      return ok;
    }

  ok = sonde_har_writer_add (self->har, copy, cancellable, error);
  self->n_written = sonde_har_writer_get_n_messages (self->har);
  return ok;
}


gboolean
sonde_export_writer_finish (SondeExportWriter  *self,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->csv != NULL)
    return sonde_csv_writer_finish (self->csv, cancellable, error);
  if (self->har != NULL)
    return sonde_har_writer_finish (self->har, cancellable, error);
  if (!sonde_output_buffer_flush (self->stream, self->buffer, 0, cancellable, error))
    return FALSE;
  return g_output_stream_flush (self->stream, cancellable, error);
}

guint64
sonde_export_writer_get_n_written (SondeExportWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_written;
}

GFile *
sonde_export_temp_file (GFile *target)
{
  g_autoptr(GFile) parent = g_file_get_parent (target);
  g_autofree char *base = g_file_get_basename (target);
  g_autofree char *name = g_strdup_printf (".%s.%08x%08x.part", base, g_random_int (), g_random_int ());

  return g_file_get_child (parent, name);
}
