/* sonde-chart-def.c: one chart of a layout, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-chart-def"

#include "config.h"

#include "sonde-chart-def-private.h"

struct _SondeChartDef
{
  GObject    parent_instance;

  /* owned */
  GPtrArray *series;   /* SondeSeriesSpec* */
};

G_DEFINE_FINAL_TYPE (SondeChartDef, sonde_chart_def, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sonde_chart_def_finalize (GObject *object)
{
  SondeChartDef *self = (SondeChartDef *) object;

  g_ptr_array_unref (self->series);

  G_OBJECT_CLASS (sonde_chart_def_parent_class)->finalize (object);
}

static void
sonde_chart_def_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SondeChartDef *self = SONDE_CHART_DEF (object);

  switch (prop_id)
    {
    case PROP_N_SERIES:
      g_value_set_uint (value, self->series->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_chart_def_class_init (SondeChartDefClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_chart_def_finalize;
  object_class->get_property = sonde_chart_def_get_property;

  properties[PROP_N_SERIES] =
    g_param_spec_uint ("n-series", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_chart_def_init (SondeChartDef *self)
{
  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_series_spec_unref);
}

SondeChartDef *
sonde_chart_def_new (void)
{
  return g_object_new (SONDE_TYPE_CHART_DEF, NULL);
}

void
sonde_chart_def_append (SondeChartDef   *self,
                        SondeSeriesSpec *spec)
{
  g_return_if_fail (SONDE_IS_CHART_DEF (self));
  g_return_if_fail (spec != NULL);

  g_ptr_array_add (self->series, sonde_series_spec_ref (spec));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SERIES]);
}

void
sonde_chart_def_replace (SondeChartDef   *self,
                         guint            index,
                         SondeSeriesSpec *spec)
{
  g_return_if_fail (SONDE_IS_CHART_DEF (self));
  g_return_if_fail (index < self->series->len);
  g_return_if_fail (spec != NULL);

  sonde_series_spec_unref (g_ptr_array_index (self->series, index));
  g_ptr_array_index (self->series, index) = sonde_series_spec_ref (spec);
}

guint
sonde_chart_def_get_n_series (SondeChartDef *self)
{
  g_return_val_if_fail (SONDE_IS_CHART_DEF (self), 0);

  return self->series->len;
}

SondeSeriesSpec *
sonde_chart_def_get_series (SondeChartDef *self,
                            guint          index)
{
  g_return_val_if_fail (SONDE_IS_CHART_DEF (self), NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return g_ptr_array_index (self->series, index);
}

char *
sonde_chart_def_dup_title (SondeChartDef *self)
{
  GString *title;

  g_return_val_if_fail (SONDE_IS_CHART_DEF (self), NULL);

  title = g_string_new (NULL);
  for (guint i = 0; i < self->series->len; i++)
    {
      g_autofree char *label = sonde_series_spec_dup_label (g_ptr_array_index (self->series, i));

      g_string_append_printf (title, "%s%s", i ? ", " : "", label);
    }
  return g_string_free (title, FALSE);
}
