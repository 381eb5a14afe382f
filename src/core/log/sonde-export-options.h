/* sonde-export-options.h: what an export writes: its format, the columns
 * of a CSV, and a time range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-record-views.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_EXPORT_FORMAT_JSONL,  /* sonde-cli's record format (docs/record.schema.json) */
  SONDE_EXPORT_FORMAT_CSV,    /* time, direction, kind, size, text or base64, extracted paths */
  SONDE_EXPORT_FORMAT_HAR,    /* HAR 1.2 with Chrome's _webSocketMessages */
} SondeExportFormat;

typedef struct {
  SondeExportFormat   format;
  const char * const *csv_paths;  /* NULL-terminated JSON paths for extra CSV columns, or NULL */
  gint64              from_us;    /* wall clock bounds, inclusive; 0: open */
  gint64              to_us;
  const char         *url;        /* HAR: the entry's request URL (masked) */
  gint64              start_us;   /* HAR: the entry's start */
  /* Each message's decoded view is written too when this has a decoder
   * (JSON Lines: "decoded" or "decode_error"; CSV: those columns, and the
   * path columns read the view). Borrowed, used on the export's thread
   * only. A log's export uses the log's own views when this is NULL. */
  SondeRecordViews   *views;
} SondeExportOptions;

/* Progress, on the main context of whoever started the export, a few
 * times a second: @done of @total records (@total 0 when not known). */
typedef void (*SondeExportProgressFunc) (guint64  done,
                                         guint64  total,
                                         gpointer user_data);

/* "jsonl", "csv" or "har" (case-insensitively); an error naming the
 * formats otherwise. */
gboolean    sonde_export_format_from_string (const char         *text,
                                             SondeExportFormat  *out_format,
                                             GError            **error);
const char *sonde_export_format_to_string   (SondeExportFormat   format);
/* "jsonl", "csv", "har": a file name's extension. */
const char *sonde_export_format_extension   (SondeExportFormat   format);

G_END_DECLS
