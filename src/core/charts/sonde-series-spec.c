/* sonde-series-spec.c: what one charted series reads, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-series-spec"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-json-path.h"
#include "sonde-predicate.h"
#include "sonde-series-spec.h"

struct _SondeSeriesSpec
{
  SondeSeriesSource  source;
  char              *path;
  char              *where;   /* NULL: every message */
};

G_DEFINE_BOXED_TYPE (SondeSeriesSpec, sonde_series_spec, sonde_series_spec_ref, sonde_series_spec_unref)

static SondeSeriesSpec *
spec_new (SondeSeriesSource  source,
          const char        *path,
          const char        *where)
{
  SondeSeriesSpec *self = g_atomic_rc_box_new0 (SondeSeriesSpec);

  self->source = source;
  self->path = g_strdup (path);
  self->where = where != NULL && *where != '\0' ? g_strdup (where) : NULL;
  return self;
}

static void
spec_clear (gpointer data)
{
  SondeSeriesSpec *self = data;

  g_free (self->path);
  g_free (self->where);
}

SondeSeriesSpec *
sonde_series_spec_new (const char *path,
                       const char *where)
{
  g_return_val_if_fail (path != NULL, NULL);

  return spec_new (SONDE_SERIES_SOURCE_MESSAGES, path, where);
}

SondeSeriesSpec *
sonde_series_spec_new_latency (void)
{
  return spec_new (SONDE_SERIES_SOURCE_LATENCY, SONDE_SERIES_LATENCY_PATH, NULL);
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

gboolean
sonde_series_spec_equal (const SondeSeriesSpec *a,
                         const SondeSeriesSpec *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a == b ||
         (a->source == b->source && g_strcmp0 (a->path, b->path) == 0 && g_strcmp0 (a->where, b->where) == 0);
}

gboolean
sonde_series_spec_check (const SondeSeriesSpec  *self,
                         GError                **error)
{
  g_autoptr(SondeJsonPath) path = NULL;
  g_autoptr(SondePredicate) where = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  path = sonde_json_path_new (self->path, error);
  if (path == NULL)
    return FALSE;
  if (self->where != NULL && (where = sonde_predicate_new (self->where, error)) == NULL)
    return FALSE;
  return TRUE;
}

char *
sonde_series_spec_dup_label (const SondeSeriesSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->source == SONDE_SERIES_SOURCE_LATENCY)
    return g_strdup (_("Round-trip time (ms)"));
  if (self->where != NULL)
    return g_strdup_printf ("%s  (%s)", self->path, self->where);
  return g_strdup (self->path);
}
