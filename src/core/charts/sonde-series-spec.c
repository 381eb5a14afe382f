/* sonde-series-spec.c: what one charted series reads, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-series-spec"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-predicate.h"
#include "sonde-series-spec.h"

struct _SondeSeriesSpec
{
  SondeSeriesSource  source;
  char              *path;
  char              *where;   /* NULL: every message */
  char              *split;   /* NULL: one series */
  gboolean           export;  /* the monitor serves its latest value */
};

G_DEFINE_BOXED_TYPE (SondeSeriesSpec, sonde_series_spec, sonde_series_spec_ref, sonde_series_spec_unref)

static SondeSeriesSpec *
spec_new (SondeSeriesSource  source,
          const char        *path,
          const char        *where,
          const char        *split)
{
  SondeSeriesSpec *self = g_atomic_rc_box_new0 (SondeSeriesSpec);

  self->source = source;
  self->path = g_strdup (path);
  self->where = where != NULL && *where != '\0' ? g_strdup (where) : NULL;
  self->split = split != NULL && *split != '\0' ? g_strdup (split) : NULL;
  return self;
}

static void
spec_clear (gpointer data)
{
  SondeSeriesSpec *self = data;

  g_free (self->path);
  g_free (self->where);
  g_free (self->split);
}

SondeSeriesSpec *
sonde_series_spec_new (const char *path,
                       const char *where)
{
  g_return_val_if_fail (path != NULL, NULL);

  return spec_new (SONDE_SERIES_SOURCE_MESSAGES, path, where, NULL);
}

SondeSeriesSpec *
sonde_series_spec_new_split (const char *path,
                             const char *where,
                             const char *split)
{
  g_return_val_if_fail (path != NULL, NULL);

  return spec_new (SONDE_SERIES_SOURCE_MESSAGES, path, where, split);
}

SondeSeriesSpec *
sonde_series_spec_new_latency (void)
{
  return spec_new (SONDE_SERIES_SOURCE_LATENCY, SONDE_SERIES_LATENCY_PATH, NULL, NULL);
}

SondeSeriesSpec *
sonde_series_spec_copy_with_export (const SondeSeriesSpec *self,
                                    gboolean               export)
{
  SondeSeriesSpec *copy;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->export == !!export)
    return sonde_series_spec_ref ((SondeSeriesSpec *) self);
  copy = spec_new (self->source, self->path, self->where, self->split);
  copy->export = !!export;
  return copy;
}

SondeSeriesSpec *
sonde_series_spec_ref (SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
sonde_series_spec_unref (SondeSeriesSpec *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, spec_clear);
}

SondeSeriesSource
sonde_series_spec_get_source (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, SONDE_SERIES_SOURCE_MESSAGES);

  return self->source;
}

const char *
sonde_series_spec_get_path (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
}

const char *
sonde_series_spec_get_where (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->where;
}

const char *
sonde_series_spec_get_split (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->split;
}

gboolean
sonde_series_spec_get_export (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->export;
}

gboolean
sonde_series_spec_equal (const SondeSeriesSpec *a,
                         const SondeSeriesSpec *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a == b || (sonde_series_spec_reads_same (a, b) && a->export == b->export);
}

gboolean
sonde_series_spec_reads_same (const SondeSeriesSpec *a,
                              const SondeSeriesSpec *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a == b ||
         (a->source == b->source && g_strcmp0 (a->path, b->path) == 0 && g_strcmp0 (a->where, b->where) == 0 &&
          g_strcmp0 (a->split, b->split) == 0);
}

gboolean
sonde_series_spec_check (const SondeSeriesSpec  *self,
                         GError                **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return sonde_series_spec_check_part (self, error) == SONDE_SERIES_SPEC_PART_NONE;
}

SondeSeriesSpecPart
sonde_series_spec_check_part (const SondeSeriesSpec  *self,
                              GError                **error)
{
  g_autoptr(SondeJsonPath) path = NULL;
  g_autoptr(SondePredicate) where = NULL;
  g_autoptr(SondeJsonPath) split = NULL;

  g_return_val_if_fail (self != NULL, SONDE_SERIES_SPEC_PART_PATH);

  path = sonde_json_path_new (self->path, error);
  if (path == NULL)
    return SONDE_SERIES_SPEC_PART_PATH;
  if (self->where != NULL && (where = sonde_predicate_new (self->where, error)) == NULL)
    return SONDE_SERIES_SPEC_PART_WHERE;
  if (self->split != NULL && (split = sonde_json_path_new (self->split, error)) == NULL)
    return SONDE_SERIES_SPEC_PART_SPLIT;
  return SONDE_SERIES_SPEC_PART_NONE;
}

char *
sonde_series_spec_dup_label (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->source == SONDE_SERIES_SOURCE_LATENCY)
    return g_strdup (_("Round-trip time (ms)"));
  if (self->split != NULL && self->where != NULL)
    /* TRANSLATORS: a split series: "$.price by $.sym  ($.v > 0)" */
    return g_strdup_printf (_("%s by %s  (%s)"), self->path, self->split, self->where);
  if (self->split != NULL)
    /* TRANSLATORS: a series with one line per value of a field: "$.price by $.sym" */
    return g_strdup_printf (_("%s by %s"), self->path, self->split);
  if (self->where != NULL)
    return g_strdup_printf ("%s  (%s)", self->path, self->where);
  return g_strdup (self->path);
}

char *
sonde_series_spec_dup_metric_label (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->source == SONDE_SERIES_SOURCE_LATENCY)
    return g_strdup (SONDE_SERIES_SPEC_LATENCY_METRIC_LABEL);
  if (self->split != NULL && self->where != NULL)
    return g_strdup_printf ("%s by %s  (%s)", self->path, self->split, self->where);
  if (self->split != NULL)
    return g_strdup_printf ("%s by %s", self->path, self->split);
  if (self->where != NULL)
    return g_strdup_printf ("%s  (%s)", self->path, self->where);
  return g_strdup (self->path);
}

/* Names that usually tell messages apart, best first. */
static const char *distinguishing_names[] = {
  "sym", "symbol", "ticker", "pair", "instrument", "market", "product_id", "s",
  "type", "kind", "event", "e", "channel", "topic", "stream", "name",
  "id", "key", "source", "device", "sensor", "host",
};

/* A short string that names something, not a sentence or a time. */
#define DISTINGUISHING_MAX_LENGTH 40

static int
name_rank (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (distinguishing_names); i++)
    if (strcmp (lower, distinguishing_names[i]) == 0)
      return (int) i;
  if (g_str_has_suffix (lower, "id") || g_str_has_suffix (lower, "type") || g_str_has_suffix (lower, "symbol") ||
      g_str_has_suffix (lower, "sym") || g_str_has_suffix (lower, "name") || g_str_has_suffix (lower, "kind"))
    return (int) G_N_ELEMENTS (distinguishing_names);
  return -1;
}

gboolean
sonde_series_spec_find_distinguishing (const char  *json,
                                       gsize        length,
                                       const char  *path,
                                       char       **field_path,
                                       char       **value)
{
  g_autoptr(SondeJsonPath) parsed = NULL;

  g_return_val_if_fail (json != NULL || length == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if ((parsed = sonde_json_path_new (path, NULL)) == NULL)
    return FALSE;

  /* The field's own object first, then the objects above it. */
  for (guint n = sonde_json_path_get_n_steps (parsed); n-- > 0;)
    {
      g_autofree char *ancestor = sonde_json_path_dup_ancestor (parsed, n, NULL);
      g_autoptr(SondeJsonPath) at = sonde_json_path_new (ancestor, NULL);
      g_autoptr(JsonNode) node = NULL;
      SondeJsonValue container;
      JsonObject *object;
      JsonObjectIter iter;
      const char *name, *best = NULL;
      JsonNode *member;
      int best_rank = G_MAXINT;

      if (at == NULL || !sonde_json_path_lookup (at, json, length, &container) ||
          container.type != SONDE_JSON_VALUE_OBJECT)
        continue;
      {
        g_autofree char *text = g_strndup (container.text, container.text_length);

        if ((node = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
          continue;
      }
      object = json_node_get_object (node);
      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &member))
        {
          int rank;

          if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
            continue;
          if (*json_node_get_string (member) == '\0' ||
              g_utf8_strlen (json_node_get_string (member), -1) > DISTINGUISHING_MAX_LENGTH)
            continue;
          rank = name_rank (name);
          if (rank >= 0 && rank < best_rank)
            {
              best_rank = rank;
              best = name;
            }
        }
      if (best != NULL)
        {
          if (field_path != NULL)
            *field_path = sonde_json_path_dup_ancestor (parsed, n, best);
          if (value != NULL)
            *value = g_strdup (json_object_get_string_member (object, best));
          return TRUE;
        }
    }
  return FALSE;
}
