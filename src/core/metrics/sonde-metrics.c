/* sonde-metrics.c: counters, gauges and histograms, written for Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Families keep their series in the order they were made (an array) with
 * an index by label values: writing walks the arrays, updating looks the
 * index up. Values are doubles, as Prometheus keeps them; integers are
 * written without a decimal point, others with the fewest digits that
 * read back to the same double.
 */

#define G_LOG_DOMAIN "sonde-metrics"

#include "config.h"

#include "sonde-metrics.h"

#include <math.h>
#include <string.h>

typedef struct {
  char    **values;      /* one per label name */
  char     *key;         /* the values, each length-prefixed */
  double    value;       /* counter, gauge */
  gint64    touched_us;  /* age */
  guint64  *counts;      /* histogram: per bucket (not cumulative), then +Inf */
  double    sum;
  guint64   count;
} Series;

typedef struct {
  char            *name;
  SondeMetricType  type;
  char            *help;
  char           **label_names;
  guint            n_labels;
  double          *buckets;
  guint            n_buckets;
  GPtrArray       *series;   /* Series*, in the order made */
  GHashTable      *index;    /* key → Series* (borrowed) */
} Family;

struct _SondeMetrics
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GPtrArray       *families;   /* Family* */
  guint            max_series;
  guint            dropped;    /* the family counting series not made */
};

static void
series_free (gpointer data)
{
  Series *series = data;

  g_strfreev (series->values);
  g_free (series->key);
  g_free (series->counts);
  g_free (series);
}

static void
family_free (gpointer data)
{
  Family *family = data;

  g_free (family->name);
  g_free (family->help);
  g_strfreev (family->label_names);
  g_free (family->buckets);
  g_hash_table_unref (family->index);
  g_ptr_array_unref (family->series);
  g_free (family);
}

SondeMetrics *
sonde_metrics_new (guint max_series)
{
  static const char * const family_label[] = { "family", NULL };
  SondeMetrics *self = g_new0 (SondeMetrics, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->families = g_ptr_array_new_with_free_func (family_free);
  self->max_series = max_series > 0 ? max_series : SONDE_METRICS_DEFAULT_MAX_SERIES;
  self->dropped = sonde_metrics_add_family (self, "sonde_metrics_series_dropped", SONDE_METRIC_COUNTER,
                                            "Updates of series not kept: the family had as many as it may",
                                            family_label, NULL, 0);
  return self;
}

SondeMetrics *
sonde_metrics_ref (SondeMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_metrics_unref (SondeMetrics *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->families);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for families, without ':' for labels. */
static gboolean
is_valid_name (const char *name,
               gboolean    colon)
{
  if (name == NULL || *name == '\0' || g_ascii_isdigit (*name))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && !(colon && *p == ':'))
      return FALSE;
  return TRUE;
}

guint
sonde_metrics_add_family (SondeMetrics       *self,
                          const char         *name,
                          SondeMetricType     type,
                          const char         *help,
                          const char * const *label_names,
                          const double       *buckets,
                          guint               n_buckets)
{
  Family *family;
  guint index;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (is_valid_name (name, TRUE), 0);
  g_return_val_if_fail (type != SONDE_METRIC_HISTOGRAM || (buckets != NULL && n_buckets > 0), 0);

  family = g_new0 (Family, 1);
  family->name = g_strdup (name);
  family->type = type;
  family->help = g_strdup (help != NULL ? help : "");
  family->label_names = g_strdupv ((char **) label_names);
  if (family->label_names == NULL)
    family->label_names = g_new0 (char *, 1);
  family->n_labels = g_strv_length (family->label_names);
  for (guint i = 0; i < family->n_labels; i++)
    g_return_val_if_fail (is_valid_name (family->label_names[i], FALSE) &&
                          !g_str_equal (family->label_names[i], "le"), 0);
  if (type == SONDE_METRIC_HISTOGRAM)
    {
      family->buckets = g_memdup2 (buckets, n_buckets * sizeof (double));
      family->n_buckets = n_buckets;
    }
  family->series = g_ptr_array_new_with_free_func (series_free);
  family->index = g_hash_table_new (g_str_hash, g_str_equal);

  g_mutex_lock (&self->lock);
  index = self->families->len;
  g_ptr_array_add (self->families, family);
  g_mutex_unlock (&self->lock);
  return index;
}

static char *
make_key (const Family       *family,
          const char * const *values)
{
  GString *key = g_string_new (NULL);

  for (guint i = 0; i < family->n_labels; i++)
    g_string_append_printf (key, "%zu:%s", strlen (values[i]), values[i]);
  return g_string_free (key, FALSE);
}

/* The series, made if need be and allowed; NULL past the bound. Locked. */
static Series *
lookup_locked (SondeMetrics       *self,
               guint               family_index,
               const char * const *values,
               gboolean            make)
{
  Family *family;
  g_autofree char *key = NULL;
  Series *series;

  g_return_val_if_fail (family_index < self->families->len, NULL);
  family = g_ptr_array_index (self->families, family_index);
  g_return_val_if_fail (family->n_labels == 0 || values != NULL, NULL);
  for (guint i = 0; i < family->n_labels; i++)
    g_return_val_if_fail (values[i] != NULL, NULL);

  key = make_key (family, values);
  series = g_hash_table_lookup (family->index, key);
  if (series != NULL || !make)
    return series;

  if (family->series->len >= self->max_series)
    {
      const char *name[] = { family->name };

      if (family_index != self->dropped)
        {
          Series *dropped = lookup_locked (self, self->dropped, name, TRUE);

          if (dropped != NULL)
            dropped->value += 1;
        }
      return NULL;
    }

  series = g_new0 (Series, 1);
  series->values = g_new0 (char *, family->n_labels + 1);
  for (guint i = 0; i < family->n_labels; i++)
    series->values[i] = g_strdup (values[i]);
  series->key = g_steal_pointer (&key);
  if (family->type == SONDE_METRIC_HISTOGRAM)
    series->counts = g_new0 (guint64, family->n_buckets + 1);
  g_ptr_array_add (family->series, series);
  g_hash_table_insert (family->index, series->key, series);
  return series;
}

static Series *
lookup_typed (SondeMetrics       *self,
              guint               family_index,
              const char * const *values,
              SondeMetricType     type)
{
  Family *family;

  g_return_val_if_fail (family_index < self->families->len, NULL);
  family = g_ptr_array_index (self->families, family_index);
  g_return_val_if_fail (family->type == type, NULL);
  return lookup_locked (self, family_index, values, TRUE);
}

/* Sets (or, for a counter, adds to) the value of a series. */
static void
update (SondeMetrics       *self,
        guint               family,
        const char * const *label_values,
        SondeMetricType     type,
        double              value,
        gint64              touched_us)
{
  Series *series;

  g_mutex_lock (&self->lock);
  series = lookup_typed (self, family, label_values, type);
  if (series != NULL && type == SONDE_METRIC_COUNTER)
    series->value += value;
  else if (series != NULL)
    {
      series->value = value;
      series->touched_us = touched_us;
    }
  g_mutex_unlock (&self->lock);
}

void
sonde_metrics_counter_add (SondeMetrics       *self,
                           guint               family,
                           const char * const *label_values,
                           double              value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (value >= 0);

  update (self, family, label_values, SONDE_METRIC_COUNTER, value, 0);
}

void
sonde_metrics_gauge_set (SondeMetrics       *self,
                         guint               family,
                         const char * const *label_values,
                         double              value)
{
  g_return_if_fail (self != NULL);

  update (self, family, label_values, SONDE_METRIC_GAUGE, value, 0);
}

void
sonde_metrics_touch (SondeMetrics       *self,
                     guint               family,
                     const char * const *label_values,
                     gint64              monotonic_us)
{
  g_return_if_fail (self != NULL);

  update (self, family, label_values, SONDE_METRIC_AGE, 0, monotonic_us);
}

void
sonde_metrics_histogram_observe (SondeMetrics       *self,
                                 guint               family,
                                 const char * const *label_values,
                                 double              value)
{
  Series *series;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  series = lookup_typed (self, family, label_values, SONDE_METRIC_HISTOGRAM);
  if (series != NULL && !isnan (value))
    {
      const Family *f = g_ptr_array_index (self->families, family);
      guint bucket = 0;

      while (bucket < f->n_buckets && value > f->buckets[bucket])
        bucket++;
      series->counts[bucket]++;
      series->sum += value;
      series->count++;
    }
  g_mutex_unlock (&self->lock);
}

void
sonde_metrics_remove_series (SondeMetrics *self,
                             const char   *label_name,
                             const char   *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (label_name != NULL && value != NULL);

  g_mutex_lock (&self->lock);
  for (guint f = 0; f < self->families->len; f++)
    {
      Family *family = g_ptr_array_index (self->families, f);
      int label = -1;

      for (guint i = 0; i < family->n_labels; i++)
        if (g_str_equal (family->label_names[i], label_name))
          label = (int) i;
      if (label < 0)
        continue;
      for (guint i = family->series->len; i > 0; i--)
        {
          Series *series = g_ptr_array_index (family->series, i - 1);

          if (g_str_equal (series->values[label], value))
            {
              g_hash_table_remove (family->index, series->key);
              g_ptr_array_remove_index (family->series, i - 1);
            }
        }
    }
  g_mutex_unlock (&self->lock);
}

gboolean
sonde_metrics_get_value (SondeMetrics       *self,
                         guint               family,
                         const char * const *label_values,
                         double             *value)
{
  Series *series;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  series = lookup_locked (self, family, label_values, FALSE);
  if (series != NULL)
    {
      const Family *f = g_ptr_array_index (self->families, family);

      found = TRUE;
      if (value != NULL)
        *value = f->type == SONDE_METRIC_HISTOGRAM ? (double) series->count
               : f->type == SONDE_METRIC_AGE ? (g_get_monotonic_time () - series->touched_us) / 1e6
               : series->value;
    }
  g_mutex_unlock (&self->lock);
  return found;
}

guint
sonde_metrics_get_n_series (SondeMetrics *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  for (guint f = 0; f < self->families->len; f++)
    n += ((Family *) g_ptr_array_index (self->families, f))->series->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/* -- writing ----------------------------------------------------------------- */

/* A number as both formats read it: NaN, +Inf, -Inf, integers without a
 * point, others with the fewest digits that read back the same. @point:
 * integers get ".0" (bucket bounds, as the client libraries write them). */
static void
append_number (GString *out,
               double   value,
               gboolean point)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    g_string_append (out, "NaN");
  else if (isinf (value))
    g_string_append (out, value > 0 ? "+Inf" : "-Inf");
  else if (value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, point ? "%.1f" : "%.0f", value == 0 ? 0.0 : value);
  else
    {
      for (int digits = 6; digits <= 17; digits++)
        {
          char format[8];

          g_snprintf (format, sizeof format, "%%.%dg", digits);
          g_ascii_formatd (buffer, sizeof buffer, format, value);
          if (g_ascii_strtod (buffer, NULL) == value)
            break;
        }
      g_string_append (out, buffer);
    }
}

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    quote)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '"' && quote)
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
}

/* NAME{a="x",b="y"[,le="…"]} */
static void
append_sample_name (GString      *out,
                    const Family *family,
                    const Series *series,
                    const char   *suffix,
                    const char   *le)
{
  g_string_append (out, family->name);
  g_string_append (out, suffix);
  if (family->n_labels == 0 && le == NULL)
    return;
  g_string_append_c (out, '{');
  for (guint i = 0; i < family->n_labels; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, family->label_names[i]);
      g_string_append (out, "=\"");
      append_escaped (out, series->values[i], TRUE);
      g_string_append_c (out, '"');
    }
  if (le != NULL)
    {
      if (family->n_labels > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "le=\"");
      g_string_append (out, le);
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
}

static void
write_family (const Family       *family,
              SondeMetricsFormat  format,
              gint64              now_us,
              GString            *out)
{
  static const char * const type_names[] = { "counter", "gauge", "gauge", "histogram" };
  gboolean open_metrics = format == SONDE_METRICS_FORMAT_OPENMETRICS;
  /* The text format names a counter's family by its samples. */
  const char *family_suffix = family->type == SONDE_METRIC_COUNTER && !open_metrics ? "_total" : "";

  g_string_append_printf (out, "# HELP %s%s ", family->name, family_suffix);
  append_escaped (out, family->help, FALSE);
  g_string_append_printf (out, "\n# TYPE %s%s %s\n", family->name, family_suffix, type_names[family->type]);

  for (guint s = 0; s < family->series->len; s++)
    {
      const Series *series = g_ptr_array_index (family->series, s);

      switch (family->type)
        {
        case SONDE_METRIC_COUNTER:
          append_sample_name (out, family, series, "_total", NULL);
          g_string_append_c (out, ' ');
          append_number (out, series->value, FALSE);
          g_string_append_c (out, '\n');
          break;
        case SONDE_METRIC_GAUGE:
        case SONDE_METRIC_AGE:
          append_sample_name (out, family, series, "", NULL);
          g_string_append_c (out, ' ');
          append_number (out, family->type == SONDE_METRIC_AGE ? MAX (0, now_us - series->touched_us) / 1e6
                                                               : series->value, FALSE);
          g_string_append_c (out, '\n');
          break;
        case SONDE_METRIC_HISTOGRAM:
        default:
          {
            guint64 cumulative = 0;

            for (guint b = 0; b <= family->n_buckets; b++)
              {
                g_autoptr(GString) le = g_string_new (NULL);

                append_number (le, b < family->n_buckets ? family->buckets[b] : INFINITY, TRUE);
                cumulative += series->counts[b];
                append_sample_name (out, family, series, "_bucket", le->str);
                g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", cumulative);
              }
            append_sample_name (out, family, series, "_sum", NULL);
            g_string_append_c (out, ' ');
            append_number (out, series->sum, FALSE);
            g_string_append_c (out, '\n');
            append_sample_name (out, family, series, "_count", NULL);
            g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", series->count);
            break;
          }
        }
    }
}

void
sonde_metrics_write (SondeMetrics       *self,
                     SondeMetricsFormat  format,
                     GString            *out)
{
  gint64 now_us = g_get_monotonic_time ();

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  g_mutex_lock (&self->lock);
  for (guint f = 0; f < self->families->len; f++)
    write_family (g_ptr_array_index (self->families, f), format, now_us, out);
  g_mutex_unlock (&self->lock);
  if (format == SONDE_METRICS_FORMAT_OPENMETRICS)
    g_string_append (out, "# EOF\n");
}

/* The q of one media range ("type/sub;version=1.0.0;q=0.5"): 1 without. */
static double
media_quality (char * const *params)
{
  for (guint i = 1; params[i] != NULL; i++)
    {
      g_autofree char *param = g_strstrip (g_strdup (params[i]));

      if (g_str_has_prefix (param, "q="))
        return g_ascii_strtod (param + 2, NULL);
    }
  return 1.0;
}

SondeMetricsFormat
sonde_metrics_negotiate (const char *accept)
{
  g_auto(GStrv) ranges = NULL;
  double open_metrics = -1, text = -1;

  if (accept == NULL)
    return SONDE_METRICS_FORMAT_PROMETHEUS;

  ranges = g_strsplit (accept, ",", -1);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      g_auto(GStrv) params = g_strsplit (ranges[i], ";", -1);
      g_autofree char *type = g_ascii_strdown (g_strstrip (params[0]), -1);
      double q = media_quality (params);

      if (g_str_equal (type, "application/openmetrics-text"))
        open_metrics = MAX (open_metrics, q);
      else if (g_str_equal (type, "text/plain") || g_str_equal (type, "*/*") || g_str_equal (type, "text/*"))
        text = MAX (text, q);
    }
  return open_metrics > 0 && open_metrics >= text ? SONDE_METRICS_FORMAT_OPENMETRICS
                                                  : SONDE_METRICS_FORMAT_PROMETHEUS;
}

const char *
sonde_metrics_content_type (SondeMetricsFormat format)
{
  return format == SONDE_METRICS_FORMAT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                                    : "text/plain; version=0.0.4; charset=utf-8";
}
