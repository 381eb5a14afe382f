/* sonde-series-feed.c: series filled from a connection's messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each series is a JSON path read from every received text message (with
 * the streaming scanner: no tree), optionally only from messages that
 * match a predicate ($.type == "trade"), timed by arrival or by a
 * timestamp path in the payload. When the connection stops being open,
 * every series gets a gap: a chart breaks its line there and never joins
 * across an outage. A new series reads back the newest records already in
 * the log, so a chart added late is not empty.
 *
 * A split series ($.price by $.sym) reads the split path too, and its
 * values go to the series of the value found there (SondeSeriesSplit,
 * bounded: the rest is counted as "other").
 *
 * A latency series reads the round-trip times of the connection's latency
 * probe instead: "$.rtt_ms" of its "latency" events.
 */

#define G_LOG_DOMAIN "sonde-series-feed"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-predicate.h"
#include "sonde-series-feed.h"

/* Split keys up to this long are compared without a copy. */
#define SMALL_KEY 256

typedef struct {
  SondeSeriesSource source;
  SondeSeries    *series;         /* NULL for a split */
  SondeSeriesSplit *split;        /* NULL: one series */
  SondeJsonPath  *split_path;
  SondeJsonPath  *path;
  SondePredicate *where;          /* NULL: every message */
  SondeJsonPath  *time_path;      /* NULL: arrival time */
  char           *path_text;
  char           *where_text;
  char           *time_path_text;
  char           *split_text;
} Feed;

struct _SondeSeriesFeed
{
  GObject          parent_instance;

  /* owned */
  SondeConnection *connection;
  GPtrArray       *feeds;         /* Feed* */

  guint64          last_text_seq; /* the newest received text message, for completion */
  gboolean         have_text;
  gboolean         was_open;
};

G_DEFINE_FINAL_TYPE (SondeSeriesFeed, sonde_series_feed, G_TYPE_OBJECT)

static void
feed_free (gpointer data)
{
  Feed *feed = data;

  g_clear_object (&feed->series);
  g_clear_object (&feed->split);
  g_clear_pointer (&feed->split_path, sonde_json_path_unref);
  g_free (feed->split_text);
  g_clear_pointer (&feed->path, sonde_json_path_unref);
  g_clear_pointer (&feed->where, sonde_predicate_unref);
  g_clear_pointer (&feed->time_path, sonde_json_path_unref);
  g_free (feed->path_text);
  g_free (feed->where_text);
  g_free (feed->time_path_text);
  g_free (feed);
}

/* The series of the message's split value; NULL when it has none, or it
 * counts as "other". */
static SondeSeries *
split_series (Feed       *feed,
              const char *json,
              gsize       length)
{
  SondeJsonValue key;
  g_autofree char *decoded = NULL;

  if (!sonde_json_path_lookup (feed->split_path, json, length, &key))
    return NULL;
  switch (key.type)
    {
    case SONDE_JSON_VALUE_STRING:
      if (!key.text_has_escapes && key.text_length <= SMALL_KEY && memchr (key.text, '\0', key.text_length) == NULL &&
          g_utf8_validate_len (key.text, key.text_length, NULL))
        return sonde_series_split_lookup (feed->split, key.text, key.text_length);
      decoded = sonde_json_path_dup_key (feed->split_path, json, length);
      return decoded ? sonde_series_split_lookup (feed->split, decoded, strlen (decoded)) : NULL;
    case SONDE_JSON_VALUE_NUMBER:
    case SONDE_JSON_VALUE_BOOLEAN:
      return sonde_series_split_lookup (feed->split, key.text, key.text_length);
    case SONDE_JSON_VALUE_NONE:
    case SONDE_JSON_VALUE_NULL:
    case SONDE_JSON_VALUE_OBJECT:
    case SONDE_JSON_VALUE_ARRAY:
    default:
      return NULL;
    }
}

static void
feed_record (Feed              *feed,
             const SondeRecord *record)
{
  const char *json = (const char *) record->data;
  gsize length = record->stored_size;
  gint64 time_us = record->wall_us;
  double value;

  if (feed->where != NULL && !sonde_predicate_matches (feed->where, json, length))
    return;
  if (!sonde_json_path_get_number (feed->path, json, length, &value) || !isfinite (value))
    return;
  if (feed->time_path != NULL && !sonde_json_path_get_time (feed->time_path, json, length, &time_us))
    return;

  if (feed->split != NULL)
    {
      SondeSeries *series = split_series (feed, json, length);

      if (series != NULL)
        sonde_series_append (series, time_us, value);
      return;
    }

  sonde_series_append (feed->series, time_us, value);
}

/* Received messages feed charts through their views: the payload, or what
 * the session's decoder made of it (binary included). */
static gboolean
is_chartable (const SondeRecord *record)
{
  return record->direction == SONDE_DIRECTION_IN &&
         (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY);
}

/* What a record can feed: received text feeds message series, a latency
 * event feeds latency series; -1 for neither. */
static int
source_of (const SondeRecord *record)
{
  if (is_chartable (record))
    return SONDE_SERIES_SOURCE_MESSAGES;
  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_LATENCY)
    return SONDE_SERIES_SOURCE_LATENCY;
  return -1;
}

static void
on_log_items_changed (GListModel      *model,
                      guint            position,
                      guint            removed,
                      guint            added,
                      SondeSeriesFeed *self)
{
  SondeMessageLog *log = SONDE_MESSAGE_LOG (model);

  /* Only appends matter: evictions take nothing from a series. */
  if (added == 0 || position + added != g_list_model_get_n_items (model))
    return;

  for (guint i = position; i < position + added; i++)
    {
      SondeRecord record;
      SondeRecord scratch;
      const SondeRecord *view = &record;
      int source;

      if (!sonde_message_log_get_record (log, i, &record) || (source = source_of (&record)) < 0)
        continue;

      if (source == SONDE_SERIES_SOURCE_MESSAGES)
        {
          SondeRecordViews *views = sonde_message_log_get_views (log);

          /* Binary is JSON only through a decoder. */
          if (record.kind == SONDE_MESSAGE_KIND_BINARY && !sonde_record_views_has_func (views))
            continue;
          self->last_text_seq = record.seq;
          self->have_text = TRUE;
          if (self->feeds->len == 0)
            continue;
          /* Made only when a chart asks; a view that does not decode, or
           * binary read as it is, feeds nothing. */
          view = sonde_record_views_read (views, &record, &scratch);
          if (view == NULL || view->kind != SONDE_MESSAGE_KIND_TEXT)
            continue;
        }
      for (guint f = 0; f < self->feeds->len; f++)
        {
          Feed *feed = g_ptr_array_index (self->feeds, f);

          if ((int) feed->source == source)
            feed_record (feed, view);
        }
    }
}

/* Leaving the open state is an outage: every line breaks there. */
static void
on_state_changed (SondeSeriesFeed *self)
{
  gboolean open = sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;

  if (self->was_open && !open)
    {
      /* At the time of the record that ended it (the close event, in the
       * same batch), which is now live and the recorded time in a replay. */
      SondeMessageLog *log = sonde_connection_get_log (self->connection);
      guint n = sonde_message_log_get_n_records (log);
      SondeRecord last;
      gint64 now = n > 0 && sonde_message_log_get_record (log, n - 1, &last) ? last.wall_us : g_get_real_time ();

      for (guint f = 0; f < self->feeds->len; f++)
        {
          Feed *feed = g_ptr_array_index (self->feeds, f);

          if (feed->split != NULL)
            sonde_series_split_append_gap (feed->split, now);
          else
            sonde_series_append_gap (feed->series, now);
        }
    }
  self->was_open = open;
}

static void
sonde_series_feed_dispose (GObject *object)
{
  SondeSeriesFeed *self = (SondeSeriesFeed *) object;

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (sonde_connection_get_log (self->connection), self);
      g_signal_handlers_disconnect_by_data (self->connection, self);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_series_feed_parent_class)->dispose (object);
}

static void
sonde_series_feed_finalize (GObject *object)
{
  SondeSeriesFeed *self = (SondeSeriesFeed *) object;

  g_ptr_array_unref (self->feeds);

  G_OBJECT_CLASS (sonde_series_feed_parent_class)->finalize (object);
}

static void
sonde_series_feed_class_init (SondeSeriesFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_series_feed_dispose;
  object_class->finalize = sonde_series_feed_finalize;
}

static void
sonde_series_feed_init (SondeSeriesFeed *self)
{
  self->feeds = g_ptr_array_new_with_free_func (feed_free);
}

/* A feed of @connection's received messages. Main thread only. */
SondeSeriesFeed *
sonde_series_feed_new (SondeConnection *connection)
{
  SondeSeriesFeed *self;

  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  self = g_object_new (SONDE_TYPE_SERIES_FEED, NULL);
  self->connection = g_object_ref (connection);
  self->was_open = sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN;
  g_signal_connect (sonde_connection_get_log (connection), "items-changed",
                    G_CALLBACK (on_log_items_changed), self);
  g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (on_state_changed), self);
  return self;
}

static Feed *
find (SondeSeriesFeed *self,
      SondeSeries     *series)
{
  for (guint f = 0; f < self->feeds->len; f++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, f);

      if (series != NULL && feed->series == series)
        return feed;
    }
  return NULL;
}

/* A new series of @path's values, from messages matching @where (NULL for
 * all), timed by @time_path (NULL for arrival). Errors name the problem in
 * the path or predicate. It starts with the values of the newest
 * SONDE_SERIES_FEED_BACKFILL records already received. Returns a borrowed
 * series. */
SondeSeries *
sonde_series_feed_add (SondeSeriesFeed  *self,
                       const char       *path,
                       const char       *where,
                       const char       *time_path,
                       guint             capacity,
                       GError          **error)
{
  return sonde_series_feed_add_full (self, SONDE_SERIES_SOURCE_MESSAGES, path, where, time_path, capacity, error);
}

/* The round-trip times of the connection's latency probe, in ms. */
SondeSeries *
sonde_series_feed_add_latency (SondeSeriesFeed *self,
                               guint            capacity)
{
  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);

  return sonde_series_feed_add_full (self, SONDE_SERIES_SOURCE_LATENCY, SONDE_SERIES_LATENCY_PATH,
                                     NULL, NULL, capacity, NULL);
}

/* Parses what a feed reads and reads back the newest records into it;
 * NULL and why when something does not parse. */
static Feed *
add_feed (SondeSeriesFeed    *self,
          SondeSeriesSource   source,
          const char         *path,
          const char         *where,
          const char         *split,
          const char         *time_path,
          guint               capacity,
          GError            **error)
{
  g_autoptr(SondeJsonPath) parsed_path = NULL;
  g_autoptr(SondePredicate) parsed_where = NULL;
  g_autoptr(SondeJsonPath) parsed_split = NULL;
  g_autoptr(SondeJsonPath) parsed_time = NULL;
  SondeMessageLog *log;
  Feed *feed;
  guint n, first;

  parsed_path = sonde_json_path_new (path, error);
  if (parsed_path == NULL)
    return NULL;
  if (where != NULL && *where != '\0' && (parsed_where = sonde_predicate_new (where, error)) == NULL)
    return NULL;
  if (split != NULL && *split != '\0' && (parsed_split = sonde_json_path_new (split, error)) == NULL)
    return NULL;
  if (time_path != NULL && *time_path != '\0' && (parsed_time = sonde_json_path_new (time_path, error)) == NULL)
    return NULL;

  feed = g_new0 (Feed, 1);
  feed->source = source;
  if (parsed_split != NULL)
    {
      feed->split = sonde_series_split_new (SONDE_SERIES_SPLIT_MAX, capacity);
      feed->split_path = g_steal_pointer (&parsed_split);
      feed->split_text = g_strdup (split);
    }
  else
    feed->series = sonde_series_new (capacity ? capacity : SONDE_SERIES_DEFAULT_CAPACITY);
  feed->path = g_steal_pointer (&parsed_path);
  feed->where = g_steal_pointer (&parsed_where);
  feed->time_path = g_steal_pointer (&parsed_time);
  feed->path_text = g_strdup (path);
  feed->where_text = feed->where ? g_strdup (where) : NULL;
  feed->time_path_text = feed->time_path ? g_strdup (time_path) : NULL;
  g_ptr_array_add (self->feeds, feed);

  log = sonde_connection_get_log (self->connection);
  n = sonde_message_log_get_n_records (log);
  first = n > SONDE_SERIES_FEED_BACKFILL ? n - SONDE_SERIES_FEED_BACKFILL : 0;
  for (guint i = first; i < n; i++)
    {
      SondeRecord record;
      SondeRecord scratch;
      const SondeRecord *view = &record;

      if (!sonde_message_log_get_record (log, i, &record) || source_of (&record) != (int) source)
        continue;
      if (source == SONDE_SERIES_SOURCE_MESSAGES &&
          ((view = sonde_record_views_read (sonde_message_log_get_views (log), &record, &scratch)) == NULL ||
           view->kind != SONDE_MESSAGE_KIND_TEXT))
        continue;
      feed_record (feed, view);
    }

  return feed;
}

/* As sonde_series_feed_add(), from @source. */
SondeSeries *
sonde_series_feed_add_full (SondeSeriesFeed    *self,
                            SondeSeriesSource   source,
                            const char         *path,
                            const char         *where,
                            const char         *time_path,
                            guint               capacity,
                            GError            **error)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  feed = add_feed (self, source, path, where, NULL, time_path, capacity, error);
  return feed ? feed->series : NULL;
}

/* @path's values from received messages matching @where (NULL for all),
 * one series per value at @split ("QQQ", "SPY"…: at most
 * SONDE_SERIES_SPLIT_MAX, the rest counted as other), timed by @time_path
 * (NULL for arrival). The series of the values in the newest records are
 * made at once; later ones as their value first arrives ("series-added").
 * Returns a borrowed split. */
SondeSeriesSplit *
sonde_series_feed_add_split (SondeSeriesFeed  *self,
                             const char       *path,
                             const char       *where,
                             const char       *split,
                             const char       *time_path,
                             guint             capacity,
                             GError          **error)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (split != NULL && *split != '\0', NULL);

  feed = add_feed (self, SONDE_SERIES_SOURCE_MESSAGES, path, where, split, time_path, capacity, error);
  return feed ? feed->split : NULL;
}

gboolean
sonde_series_feed_remove_split (SondeSeriesFeed  *self,
                                SondeSeriesSplit *split)
{
  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), FALSE);

  for (guint f = 0; f < self->feeds->len; f++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, f);

      if (split != NULL && feed->split == split)
        {
          g_ptr_array_remove_index (self->feeds, f);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sonde_series_feed_remove (SondeSeriesFeed *self,
                          SondeSeries     *series)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), FALSE);

  feed = find (self, series);
  return feed != NULL && g_ptr_array_remove (self->feeds, feed);
}

guint
sonde_series_feed_get_n_series (SondeSeriesFeed *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), 0);

  return self->feeds->len;
}

const char *
sonde_series_feed_get_path (SondeSeriesFeed *self,
                            SondeSeries     *series)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);

  feed = find (self, series);
  return feed ? feed->path_text : NULL;
}

SondeSeriesSource
sonde_series_feed_get_source (SondeSeriesFeed *self,
                              SondeSeries     *series)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), SONDE_SERIES_SOURCE_MESSAGES);

  feed = find (self, series);
  return feed ? feed->source : SONDE_SERIES_SOURCE_MESSAGES;
}

const char *
sonde_series_feed_get_where (SondeSeriesFeed *self,
                             SondeSeries     *series)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);

  feed = find (self, series);
  return feed ? feed->where_text : NULL;
}

const char *
sonde_series_feed_get_time_path (SondeSeriesFeed *self,
                                 SondeSeries     *series)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);

  feed = find (self, series);
  return feed ? feed->time_path_text : NULL;
}

/* The numeric fields of the newest received text message ($.price,
 * $.data.bids[0][1]…), for completing a path as it is typed. */
GPtrArray *
sonde_series_feed_dup_recent_paths (SondeSeriesFeed *self,
                                    guint            max_paths)
{
  SondeMessageLog *log;
  SondeRecord record;
  SondeRecord scratch;
  const SondeRecord *view;

  g_return_val_if_fail (SONDE_IS_SERIES_FEED (self), NULL);

  log = sonde_connection_get_log (self->connection);
  if (!self->have_text || !sonde_message_log_lookup_seq (log, self->last_text_seq, &record) ||
      (view = sonde_record_views_read (sonde_message_log_get_views (log), &record, &scratch)) == NULL ||
      view->kind != SONDE_MESSAGE_KIND_TEXT)
    return g_ptr_array_new_with_free_func (g_free);

  return sonde_json_path_list_numeric ((const char *) view->data, view->stored_size, max_paths);
}


/* Empties every series (and every series of a split) and forgets the open
 * state: a replay that starts again reads the log from its start. */
void
sonde_series_feed_clear (SondeSeriesFeed *self)
{
  g_return_if_fail (SONDE_IS_SERIES_FEED (self));

  for (guint f = 0; f < self->feeds->len; f++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, f);

      if (feed->split != NULL)
        {
          for (guint i = 0; i < sonde_series_split_get_n_series (feed->split); i++)
            sonde_series_clear (sonde_series_split_get_series (feed->split, i));
        }
      else
        sonde_series_clear (feed->series);
    }
  self->was_open = sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;
}
