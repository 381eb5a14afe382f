/* sonde-series-split.h: one series per distinct value of a field
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A split series ($.price by $.sym) is a bounded set of series, one per
 * value read at the split path ("QQQ", "SPY"…), made as values first
 * appear. Past the bound, messages are not charted but counted as
 * "other": how many, and how many distinct values they held. A
 * SondeSeriesFeed fills it; a chart shows its series, one legend entry
 * each, and the count of the rest.
 */
#pragma once

#include "sonde-series.h"

G_BEGIN_DECLS

/* Series a split makes at most; later values count as "other". */
#define SONDE_SERIES_SPLIT_MAX 8

/* Distinct "other" values counted at most (beyond: "at least"). */
#define SONDE_SERIES_SPLIT_MAX_OTHER_KEYS 10000

#define SONDE_TYPE_SERIES_SPLIT (sonde_series_split_get_type ())
G_DECLARE_FINAL_TYPE (SondeSeriesSplit, sonde_series_split, SONDE, SERIES_SPLIT, GObject)

SondeSeriesSplit *sonde_series_split_new                 (guint             max_series,
                                                          guint             capacity);
/* The series of @key (@length bytes), made (and "series-added" emitted)
 * when it is new and there is room; NULL when the bound is reached: the
 * message is counted as other. */
SondeSeries      *sonde_series_split_lookup              (SondeSeriesSplit *self,
                                                          const char       *key,
                                                          gsize             length);
guint             sonde_series_split_get_n_series        (SondeSeriesSplit *self);
SondeSeries      *sonde_series_split_get_series          (SondeSeriesSplit *self,
                                                          guint             index);
const char       *sonde_series_split_get_key             (SondeSeriesSplit *self,
                                                          guint             index);
guint             sonde_series_split_get_max_series      (SondeSeriesSplit *self);
guint64           sonde_series_split_get_n_other_messages (SondeSeriesSplit *self);
guint             sonde_series_split_get_n_other_keys    (SondeSeriesSplit *self);
/* Every series breaks its line at @time_us. */
void              sonde_series_split_append_gap          (SondeSeriesSplit *self,
                                                          gint64            time_us);

G_END_DECLS
