/* sonde-series-split.c: one series per distinct value of a field
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Looking a key up costs a comparison with each of the (at most a few)
 * keys already seen, and no allocation: a feed does it for every message.
 * Only a value seen for the first time past the bound is copied, to count
 * distinct "other" values.
 */

#define G_LOG_DOMAIN "sonde-series-split"

#include "config.h"

#include <string.h>

#include "sonde-series-split.h"

struct _SondeSeriesSplit
{
  GObject     parent_instance;

  /* owned */
  GPtrArray  *series;        /* SondeSeries*, in order of first appearance */
  GPtrArray  *keys;          /* char*, as series */
  GHashTable *other_keys;    /* char* set: values past the bound */

  guint       max_series;
  guint       capacity;
  guint64     n_other;       /* messages past the bound */
};

G_DEFINE_FINAL_TYPE (SondeSeriesSplit, sonde_series_split, G_TYPE_OBJECT)

enum {
  SERIES_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sonde_series_split_finalize (GObject *object)
{
  SondeSeriesSplit *self = (SondeSeriesSplit *) object;

  g_ptr_array_unref (self->series);
  g_ptr_array_unref (self->keys);
  g_hash_table_unref (self->other_keys);

  G_OBJECT_CLASS (sonde_series_split_parent_class)->finalize (object);
}

static void
sonde_series_split_class_init (SondeSeriesSplitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_series_split_finalize;

  /**
   * SondeSeriesSplit::series-added:
   * @index: the new series' index
   *
   * A value was seen for the first time, and it has its series now.
   */
  signals[SERIES_ADDED] = g_signal_new ("series-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
sonde_series_split_init (SondeSeriesSplit *self)
{
  self->series = g_ptr_array_new_with_free_func (g_object_unref);
  self->keys = g_ptr_array_new_with_free_func (g_free);
  self->other_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* At most @max_series series (0: SONDE_SERIES_SPLIT_MAX) of @capacity
 * points each (0: the default). */
SondeSeriesSplit *
sonde_series_split_new (guint max_series,
                        guint capacity)
{
  SondeSeriesSplit *self = g_object_new (SONDE_TYPE_SERIES_SPLIT, NULL);

  self->max_series = max_series ? max_series : SONDE_SERIES_SPLIT_MAX;
  self->capacity = capacity ? capacity : SONDE_SERIES_DEFAULT_CAPACITY;
  return self;
}

SondeSeries *
sonde_series_split_lookup (SondeSeriesSplit *self,
                           const char       *key,
                           gsize             length)
{
  g_autofree char *copy = NULL;

  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), NULL);
  g_return_val_if_fail (key != NULL || length == 0, NULL);

  for (guint i = 0; i < self->keys->len; i++)
    {
      const char *known = g_ptr_array_index (self->keys, i);

      if (strncmp (known, key, length) == 0 && known[length] == '\0')
        return g_ptr_array_index (self->series, i);
    }

  copy = g_strndup (key, length);
  if (self->series->len < self->max_series)
    {
      g_ptr_array_add (self->keys, g_steal_pointer (&copy));
      g_ptr_array_add (self->series, sonde_series_new (self->capacity));
      g_signal_emit (self, signals[SERIES_ADDED], 0, self->series->len - 1);
      return g_ptr_array_index (self->series, self->series->len - 1);
    }

  self->n_other++;
  if (g_hash_table_size (self->other_keys) < SONDE_SERIES_SPLIT_MAX_OTHER_KEYS)
    g_hash_table_add (self->other_keys, g_steal_pointer (&copy));
  return NULL;
}

guint
sonde_series_split_get_n_series (SondeSeriesSplit *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), 0);

  return self->series->len;
}

SondeSeries *
sonde_series_split_get_series (SondeSeriesSplit *self,
                               guint             index)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return g_ptr_array_index (self->series, index);
}

const char *
sonde_series_split_get_key (SondeSeriesSplit *self,
                            guint             index)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), NULL);
  g_return_val_if_fail (index < self->keys->len, NULL);

  return g_ptr_array_index (self->keys, index);
}

guint
sonde_series_split_get_max_series (SondeSeriesSplit *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), 0);

  return self->max_series;
}

guint64
sonde_series_split_get_n_other_messages (SondeSeriesSplit *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), 0);

  return self->n_other;
}

guint
sonde_series_split_get_n_other_keys (SondeSeriesSplit *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_SPLIT (self), 0);

  return g_hash_table_size (self->other_keys);
}

void
sonde_series_split_append_gap (SondeSeriesSplit *self,
                               gint64            time_us)
{
  g_return_if_fail (SONDE_IS_SERIES_SPLIT (self));

  for (guint i = 0; i < self->series->len; i++)
    sonde_series_append_gap (g_ptr_array_index (self->series, i), time_us);
}
