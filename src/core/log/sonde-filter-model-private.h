/* sonde-filter-model-private.h: what the filter model's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-filter-model.c holds the object, its GListModel side and its
 * settings; sonde-filter-model-scan.c keeps the rows up with the log:
 * matching records, the scan in slices, new records, evictions and the
 * held head.
 */
#pragma once

#include "sonde-filter-model.h"
#include "sonde-record-matcher.h"

G_BEGIN_DECLS

/* How many records to match between two looks at the clock. */
#define CLOCK_STRIDE 256

/* A held head drops its evicted rows anyway past this many, so positions
 * stay far from G_MAXUINT (about a minute of a 300,000 msg/s flood); with
 * a filter, where each held row is 8 bytes of index, past 16 MiB of them. */
#define MAX_HELD ((guint64) 16 * 1024 * 1024)
#define MAX_HELD_FILTERED (2 * 1024 * 1024)

struct _SondeFilterModel
{
  GObject          parent_instance;

  /* owned */
  SondeMessageLog *log;
  char            *text;
  SondeRecordMatcher *matcher;  /* NULL: no text to match */
  GArray          *index;         /* guint64 seqs, ascending; filtering only */
  GSource         *scan_source;

  gboolean         use_regex;
  guint            directions;
  guint            kinds;
  gboolean         paused;
  gboolean         hold_head;     /* evicted records stay as rows */
  gboolean         filtering;     /* as last notified */

  guint            n_items;       /* as last announced */
  guint64          view_start;    /* records before it were cleared away */
  guint64          lower;         /* first visible seq as last announced */
  guint64          scan_end;      /* records before it have been considered */
  guint64          pause_end;     /* while paused, records from it on wait */
};

enum {
  PROP_0,
  PROP_LOG,
  PROP_DIRECTIONS,
  PROP_KINDS,
  PROP_PAUSED,
  PROP_SCANNING,
  PROP_FILTERING,
  PROP_N_PENDING,
  N_PROPS
};

/* sonde-filter-model.c */
void      sonde_filter_model_notify (SondeFilterModel *self,
                                     guint             prop_id);

/* sonde-filter-model-scan.c */
gboolean  sonde_filter_model_is_filtering (SondeFilterModel *self);
guint64   sonde_filter_model_log_first_seq (SondeFilterModel *self);
guint     sonde_filter_model_count_items (SondeFilterModel *self);
/* How many entries of the filter's index come before @seq: the position
 * @seq has, or would have, in it. */
guint     sonde_filter_model_index_lower_bound (SondeFilterModel *self,
                                                guint64           seq);
void      sonde_filter_model_set_scanning (SondeFilterModel *self,
                                           gboolean          scanning);
void      sonde_filter_model_schedule_scan (SondeFilterModel *self);
/* Brings the model up to the log's newest record (or, paused, to where it
 * was), or starts the scan that will. */
void      sonde_filter_model_advance (SondeFilterModel *self);
/* Forgets every result and considers the log again from the first visible
 * record: after a filter change or a clear. */
void      sonde_filter_model_restart (SondeFilterModel *self);
void      sonde_filter_model_on_views_changed (SondeFilterModel *self);
/* Drops records the log no longer has from the head, unless the head is
 * held (and @force is FALSE). */
void      sonde_filter_model_drop_evicted (SondeFilterModel *self,
                                           gboolean          force);
void      sonde_filter_model_on_log_items_changed (GListModel       *log,
                                                   guint             position,
                                                   guint             removed,
                                                   guint             added,
                                                   SondeFilterModel *self);
/* The sequence number of the record at @position (< n_items). */
guint64   sonde_filter_model_position_seq (SondeFilterModel *self,
                                           guint             position);

G_END_DECLS
