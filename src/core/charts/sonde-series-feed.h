/* sonde-series-feed.h: series filled from a connection's messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-connection.h"
#include "sonde-series.h"
#include "sonde-series-split.h"

G_BEGIN_DECLS

/* How many of the newest records a new series reads back when it is added. */
#define SONDE_SERIES_FEED_BACKFILL 200000u

/* What a series reads: the connection's received text messages, or the
 * round-trip times of its latency probe (SONDE_SERIES_LATENCY_PATH of its
 * "latency" events). */
typedef enum {
  SONDE_SERIES_SOURCE_MESSAGES,
  SONDE_SERIES_SOURCE_LATENCY,
} SondeSeriesSource;

#define SONDE_SERIES_LATENCY_PATH "$.rtt_ms"

#define SONDE_TYPE_SERIES_FEED (sonde_series_feed_get_type ())
G_DECLARE_FINAL_TYPE (SondeSeriesFeed, sonde_series_feed, SONDE, SERIES_FEED, GObject)

SondeSeriesFeed *sonde_series_feed_new           (SondeConnection  *connection);
SondeSeries     *sonde_series_feed_add           (SondeSeriesFeed  *self,
                                                  const char       *path,
                                                  const char       *where,
                                                  const char       *time_path,
                                                  guint             capacity,
                                                  GError          **error);
SondeSeries     *sonde_series_feed_add_full      (SondeSeriesFeed  *self,
                                                  SondeSeriesSource source,
                                                  const char       *path,
                                                  const char       *where,
                                                  const char       *time_path,
                                                  guint             capacity,
                                                  GError          **error);
/* Added by issue 12: one series per value of @split (see the .c). */
SondeSeriesSplit *sonde_series_feed_add_split    (SondeSeriesFeed  *self,
                                                  const char       *path,
                                                  const char       *where,
                                                  const char       *split,
                                                  const char       *time_path,
                                                  guint             capacity,
                                                  GError          **error);
gboolean         sonde_series_feed_remove_split  (SondeSeriesFeed  *self,
                                                  SondeSeriesSplit *split);
SondeSeries     *sonde_series_feed_add_latency   (SondeSeriesFeed  *self,
                                                  guint             capacity);
SondeSeriesSource sonde_series_feed_get_source   (SondeSeriesFeed  *self,
                                                  SondeSeries      *series);
gboolean         sonde_series_feed_remove        (SondeSeriesFeed  *self,
                                                  SondeSeries      *series);
guint            sonde_series_feed_get_n_series  (SondeSeriesFeed  *self);
const char      *sonde_series_feed_get_path      (SondeSeriesFeed  *self,
                                                  SondeSeries      *series);
const char      *sonde_series_feed_get_where     (SondeSeriesFeed  *self,
                                                  SondeSeries      *series);
const char      *sonde_series_feed_get_time_path (SondeSeriesFeed  *self,
                                                  SondeSeries      *series);
/* Empties every series, for a replay that starts again. */
void             sonde_series_feed_clear         (SondeSeriesFeed  *self);
GPtrArray       *sonde_series_feed_dup_recent_paths (SondeSeriesFeed *self,
                                                     guint            max_paths);

G_END_DECLS
