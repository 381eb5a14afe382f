/* sonde-series-spec.h: what one charted series reads, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A series reads a JSON path of the received text messages (optionally only
 * of those matching a condition), or the round-trip times of the latency
 * probe. A message series may be split by a second path ($.sym): one line
 * per distinct value there (SondeSeriesSplit). A spec is immutable and reference counted: the chart definitions
 * share them, and a view keeps the ones it shows to tell what changed.
 *
 * A spec may be marked for export: `sonde-cli monitor` then serves its
 * latest value on /metrics as sonde_value{profile=…,series=…} (see
 * sonde_series_spec_dup_metric_label()). The mark changes nothing of what
 * the series reads.
 */
#pragma once

#include <glib-object.h>

#include "sonde-series-feed.h"

G_BEGIN_DECLS

typedef struct _SondeSeriesSpec SondeSeriesSpec;

#define SONDE_TYPE_SERIES_SPEC (sonde_series_spec_get_type ())

GType              sonde_series_spec_get_type     (void) G_GNUC_CONST;
/* @where NULL or "": every message. */
SondeSeriesSpec   *sonde_series_spec_new          (const char            *path,
                                                   const char            *where);
/* @split NULL or "": one series; otherwise one per value at that path. */
SondeSeriesSpec   *sonde_series_spec_new_split    (const char            *path,
                                                   const char            *where,
                                                   const char            *split);
SondeSeriesSpec   *sonde_series_spec_new_latency  (void);
/* @self with the export mark set to @export (@self itself, with a new
 * reference, when it already is). */
SondeSeriesSpec   *sonde_series_spec_copy_with_export (const SondeSeriesSpec *self,
                                                       gboolean               export);
SondeSeriesSpec   *sonde_series_spec_ref          (SondeSeriesSpec       *self);
void               sonde_series_spec_unref        (SondeSeriesSpec       *self);

SondeSeriesSource  sonde_series_spec_get_source   (const SondeSeriesSpec *self);
const char        *sonde_series_spec_get_path     (const SondeSeriesSpec *self);
/* NULL: every message. */
const char        *sonde_series_spec_get_where    (const SondeSeriesSpec *self);
/* NULL: not split. */
const char        *sonde_series_spec_get_split    (const SondeSeriesSpec *self);
/* Marked for export to Prometheus. */
gboolean           sonde_series_spec_get_export   (const SondeSeriesSpec *self);
/* Everything equal, the export mark included. */
gboolean           sonde_series_spec_equal        (const SondeSeriesSpec *a,
                                                   const SondeSeriesSpec *b);
/* The same values read (source, path, condition, split), whatever the
 * export mark: a chart keeps its line when only the mark changed. */
gboolean           sonde_series_spec_reads_same   (const SondeSeriesSpec *a,
                                                   const SondeSeriesSpec *b);
/* The path and the condition parse; otherwise the reason, with its column. */
gboolean           sonde_series_spec_check        (const SondeSeriesSpec *self,
                                                   GError               **error);
/* Which part of a spec is wrong. */
typedef enum {
  SONDE_SERIES_SPEC_PART_NONE,
  SONDE_SERIES_SPEC_PART_PATH,
  SONDE_SERIES_SPEC_PART_WHERE,
  SONDE_SERIES_SPEC_PART_SPLIT,
} SondeSeriesSpecPart;

/* As sonde_series_spec_check(), and which part failed (NONE when all parse),
 * so that a view marks the entry that holds the mistake. */
SondeSeriesSpecPart sonde_series_spec_check_part  (const SondeSeriesSpec *self,
                                                   GError               **error);
/* As a chart's legend shows it: "$.price  ($.sym == "A")", "$.price by $.sym". */
char              *sonde_series_spec_dup_label    (const SondeSeriesSpec *self);

/* The series label of sonde_value: the legend's label, never translated
 * (a metric's labels do not follow the locale): "$.price",
 * "$.price  ($.sym == "A")", "$.price by $.sym" (the monitor appends
 * "=VALUE" per line), and "rtt_seconds" for the latency probe. */
#define SONDE_SERIES_SPEC_LATENCY_METRIC_LABEL "rtt_seconds"
char              *sonde_series_spec_dup_metric_label (const SondeSeriesSpec *self);

/* For "Chart a Field" on one message: the string field near @path in
 * @json that tells messages apart ($.sym, $.type, $.data.id…: a member
 * of the object that holds the field, or of an object above it), as a
 * path in @field_path and its value in @value. FALSE when there is none. */
gboolean           sonde_series_spec_find_distinguishing (const char  *json,
                                                          gsize        length,
                                                          const char  *path,
                                                          char       **field_path,
                                                          char       **value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeSeriesSpec, sonde_series_spec_unref)

G_END_DECLS
