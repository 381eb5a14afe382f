/* sonde-csv-writer.h: records written out as CSV (RFC 4180)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A header row, then one row per record: time (ISO 8601, UTC, µs),
 * direction ("in", "out", "event"), kind, size, text (text messages,
 * pings and pongs that are UTF-8, events and frame headers as their JSON
 * object), base64 (any other payload), then one column per extracted JSON
 * path (its value: a string decoded, a number as written, true or false;
 * empty when absent). With decoded columns, "decoded" and "decode_error"
 * come after "base64", and the paths read the decoded view. Fields holding a comma, a quote, CR or LF are
 * quoted; rows end with CRLF. Streamed, as sonde-har-writer.h.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-record.h"
#include "sonde-record-views.h"

G_BEGIN_DECLS

typedef struct _SondeCsvWriter SondeCsvWriter;

/* @paths: JSON paths for extra columns (NULL: none); an invalid path
 * fails with SONDE_ERROR_INVALID_PATH. The writer does not close @stream. */
SondeCsvWriter *sonde_csv_writer_new    (GOutputStream       *stream,
                                         const char * const  *paths,
                                         GError             **error);
gboolean        sonde_csv_writer_add    (SondeCsvWriter      *self,
                                         const SondeRecord   *record,
                                         GCancellable        *cancellable,
                                         GError             **error);
/* Adds the columns "decoded" (the decoded view as JSON text) and
 * "decode_error" after "base64"; before the first row. */
void            sonde_csv_writer_set_decoded (SondeCsvWriter *self,
                                              gboolean        decoded);
/* @record with its decoded view (@view_kind DECODED: @view; FAILED:
 * @decode_error): path columns read the view. */
gboolean        sonde_csv_writer_add_view (SondeCsvWriter      *self,
                                           const SondeRecord   *record,
                                           SondeRecordViewKind  view_kind,
                                           const SondeRecord   *view,
                                           const char          *decode_error,
                                           GCancellable        *cancellable,
                                           GError             **error);
gboolean        sonde_csv_writer_finish (SondeCsvWriter      *self,
                                         GCancellable        *cancellable,
                                         GError             **error);
void            sonde_csv_writer_free   (SondeCsvWriter      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeCsvWriter, sonde_csv_writer_free)

G_END_DECLS
