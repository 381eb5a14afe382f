/* sonde-value-export.c: the latest values of a session's exported series, as gauges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A line is one gauge series and the SondeSeries it reads; a split adds
 * its lines as its values first appear. Each line remembers the serial of
 * its series when last read, so an update skips what did not change and
 * allocates nothing for what did but the registry's key.
 */

#define G_LOG_DOMAIN "sonde-value-export"

#include "config.h"

#include "sonde-value-export.h"

#include <math.h>

#include "sonde-chart-list.h"
#include "sonde-series-feed.h"

/* Points kept a series: the latest value is all that is read, and a few
 * more see past a gap. */
#define SERIES_CAPACITY 4

/* A split value longer than this is cut in the label (as rule names are in
 * sonde_alerts_total). */
#define MAX_KEY_CHARS 64

typedef struct {
  char        *label;      /* the "series" label value */
  SondeSeries *series;     /* borrowed: the feed's, or a split's */
  double       scale;      /* to the exported unit: ms → s for the latency probe */
  guint64      serial;     /* the series' serial when last read */
  gboolean     read;       /* read at least once */
} Line;

typedef struct {
  SondeSeriesSplit *split;   /* borrowed: the feed's */
  char             *label;   /* "$.price by $.sym": each line adds "=VALUE" */
  guint             n_seen;  /* split series looked at (made into lines or past the bound) */
} Split;

struct _SondeValueExport
{
  SondeMetrics    *metrics;
  guint            family;
  char            *profile_name;
  SondeSeriesFeed *feed;
  GArray          *lines;    /* Line */
  GArray          *splits;   /* Split */
  GPtrArray       *added;    /* SondeSeries* the feed reads for us (not a split's) */
  GHashTable      *labels;   /* the labels made: a series marked twice is exported once */
};

static void
line_clear (gpointer data)
{
  Line *line = data;

  g_free (line->label);
}

static void
split_clear (gpointer data)
{
  Split *split = data;

  g_free (split->label);
}

static gboolean
add_line (SondeValueExport *self,
          char             *label,   /* (transfer full) */
          SondeSeries      *series,
          double            scale)
{
  Line line = { label, series, scale, 0, FALSE };

  if (self->lines->len >= SONDE_VALUE_EXPORT_MAX_LINES || g_hash_table_contains (self->labels, label))
    {
      g_free (label);
      return FALSE;
    }
  g_hash_table_add (self->labels, g_strdup (label));
  g_array_append_val (self->lines, line);
  return TRUE;
}

/* The feed reads @spec from now on, into a line or a split. */
static void
add_spec (SondeValueExport *self,
          SondeSeriesSpec  *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = sonde_series_spec_dup_metric_label (spec);
  SondeSeries *series;

  if (g_hash_table_contains (self->labels, label))
    return;

  if (sonde_series_spec_get_source (spec) == SONDE_SERIES_SOURCE_LATENCY)
    {
      series = sonde_series_feed_add_latency (self->feed, SERIES_CAPACITY);
      g_ptr_array_add (self->added, series);
      add_line (self, g_steal_pointer (&label), series, 0.001);
    }
  else if (sonde_series_spec_get_split (spec) != NULL)
    {
      SondeSeriesSplit *split = sonde_series_feed_add_split (self->feed, sonde_series_spec_get_path (spec),
                                                             sonde_series_spec_get_where (spec),
                                                             sonde_series_spec_get_split (spec), NULL,
                                                             SERIES_CAPACITY, &error);
      Split entry = { NULL, NULL, 0 };

      if (split == NULL)
        {
          g_debug ("%s: not exported: %s", label, error->message);
          return;
        }
      g_hash_table_add (self->labels, g_strdup (label));
      entry.split = split;
      entry.label = g_steal_pointer (&label);
      g_array_append_val (self->splits, entry);
    }
  else
    {
      series = sonde_series_feed_add (self->feed, sonde_series_spec_get_path (spec),
                                      sonde_series_spec_get_where (spec), NULL, SERIES_CAPACITY, &error);
      if (series == NULL)
        {
          g_debug ("%s: not exported: %s", label, error->message);
          return;
        }
      g_ptr_array_add (self->added, series);
      add_line (self, g_steal_pointer (&label), series, 1);
    }
}

SondeValueExport *
sonde_value_export_new (SondeMetrics *metrics,
                        guint         family,
                        const char   *profile_name,
                        SondeSession *session)
{
  SondeChartList *charts;
  g_autoptr(GPtrArray) specs = NULL;
  SondeValueExport *self;

  g_return_val_if_fail (metrics != NULL, NULL);
  g_return_val_if_fail (profile_name != NULL, NULL);
  g_return_val_if_fail (SONDE_IS_SESSION (session), NULL);

  charts = sonde_session_get_charts (session);
  specs = g_ptr_array_new ();
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (charts)); i++)
    {
      SondeChartDef *def = sonde_chart_list_get_chart (charts, i);

      for (guint s = 0; s < sonde_chart_def_get_n_series (def); s++)
        if (sonde_series_spec_get_export (sonde_chart_def_get_series (def, s)))
          g_ptr_array_add (specs, sonde_chart_def_get_series (def, s));
    }
  for (guint i = 0; i < sonde_chart_list_get_n_tiles (charts); i++)
    if (sonde_series_spec_get_export (sonde_chart_list_get_tile (charts, i)))
      g_ptr_array_add (specs, sonde_chart_list_get_tile (charts, i));
  if (specs->len == 0)
    return NULL;

  self = g_new0 (SondeValueExport, 1);
  self->metrics = sonde_metrics_ref (metrics);
  self->family = family;
  self->profile_name = g_strdup (profile_name);
  self->feed = g_object_ref (sonde_session_get_feed (session));
  self->lines = g_array_new (FALSE, FALSE, sizeof (Line));
  g_array_set_clear_func (self->lines, line_clear);
  self->splits = g_array_new (FALSE, FALSE, sizeof (Split));
  g_array_set_clear_func (self->splits, split_clear);
  self->added = g_ptr_array_new ();
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < specs->len; i++)
    add_spec (self, g_ptr_array_index (specs, i));
  return self;
}

/* The newest value point (not a gap) of @series. */
static gboolean
latest_value (SondeSeries *series,
              double      *value)
{
  for (guint i = sonde_series_get_n_points (series); i-- > 0;)
    if (sonde_series_get_point (series, i, NULL, value) && isfinite (*value))
      return TRUE;
  return FALSE;
}

/* Lines for the values a split made since last time. */
static void
add_split_lines (SondeValueExport *self,
                 Split            *split)
{
  guint n = sonde_series_split_get_n_series (split->split);

  for (; split->n_seen < n; split->n_seen++)
    {
      const char *key = sonde_series_split_get_key (split->split, split->n_seen);
      glong length = g_utf8_strlen (key, -1);
      g_autofree char *cut = g_utf8_substring (key, 0, MIN (length, MAX_KEY_CHARS));

      add_line (self, g_strdup_printf ("%s=%s", split->label, cut),
                sonde_series_split_get_series (split->split, split->n_seen), 1);
    }
}

void
sonde_value_export_update (SondeValueExport *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->splits->len; i++)
    add_split_lines (self, &g_array_index (self->splits, Split, i));

  for (guint i = 0; i < self->lines->len; i++)
    {
      Line *line = &g_array_index (self->lines, Line, i);
      guint64 serial = sonde_series_get_serial (line->series);
      double value;

      if (line->read && serial == line->serial)
        continue;
      line->serial = serial;
      line->read = TRUE;
      if (latest_value (line->series, &value))
        {
          const char *labels[] = { self->profile_name, line->label };

          sonde_metrics_gauge_set (self->metrics, self->family, labels, value * line->scale);
        }
    }
}

guint
sonde_value_export_get_n_lines (SondeValueExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->lines->len;
}

void
sonde_value_export_free (SondeValueExport *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->added->len; i++)
    sonde_series_feed_remove (self->feed, g_ptr_array_index (self->added, i));
  for (guint i = 0; i < self->splits->len; i++)
    sonde_series_feed_remove_split (self->feed, g_array_index (self->splits, Split, i).split);
  g_array_unref (self->lines);
  g_array_unref (self->splits);
  g_ptr_array_unref (self->added);
  g_hash_table_unref (self->labels);
  g_object_unref (self->feed);
  g_free (self->profile_name);
  sonde_metrics_unref (self->metrics);
  g_free (self);
}
