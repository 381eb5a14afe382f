/* sonde-chart-list.c: a session's chart layout, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON of a layout, as profiles keep it (the format the charts panel
 * wrote before the layout moved here, unchanged):
 *
 *   {"window_s": 60, "latency_offered": true,
 *    "charts": [{"series": [{"path": "$.price", "where": "$.sym == \"A\""}]}],
 *    "tiles": [{"path": "$.volume"}]}
 *
 * window_s 0 is everything; "latency_offered" only when true; "where" only
 * when set; "split" (a path: one line per value there, as "$.sym") only
 * when set, so that layouts written before it load unchanged; a series of the latency probe is {"source": "latency", "path":
 * "$.rtt_ms"}. "export": true (only when true) marks a series whose latest
 * value `sonde-cli monitor` serves as sonde_value.
 */

#define G_LOG_DOMAIN "sonde-chart-list"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sonde-chart-def-private.h"
#include "sonde-chart-list.h"

struct _SondeChartList
{
  GObject    parent_instance;

  /* owned */
  GPtrArray *charts;           /* SondeChartDef* */
  GPtrArray *tiles;            /* SondeSeriesSpec* */

  guint      window_s;
  gboolean   latency_offered;  /* the round-trip chart was added once */
};

static void sonde_chart_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeChartList, sonde_chart_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, sonde_chart_list_model_init))

enum {
  PROP_0,
  PROP_WINDOW_S,
  PROP_LATENCY_OFFERED,
  N_PROPS
};

enum {
  CHANGED,
  TILES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
sonde_chart_list_get_item_type (GListModel *model)
{
  return SONDE_TYPE_CHART_DEF;
}

static guint
sonde_chart_list_get_n_items (GListModel *model)
{
  return SONDE_CHART_LIST (model)->charts->len;
}

static gpointer
sonde_chart_list_get_item (GListModel *model,
                           guint       position)
{
  SondeChartList *self = SONDE_CHART_LIST (model);

  if (position >= self->charts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->charts, position));
}

static void
sonde_chart_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sonde_chart_list_get_item_type;
  iface->get_n_items = sonde_chart_list_get_n_items;
  iface->get_item = sonde_chart_list_get_item;
}

static void
set_latency_offered (SondeChartList *self,
                     gboolean        offered)
{
  if (self->latency_offered == offered)
    return;
  self->latency_offered = offered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENCY_OFFERED]);
}

/* Puts @spec at @target and says where; "changed" is the caller's. */
static void
place (SondeChartList  *self,
       SondeSeriesSpec *spec,
       int              target)
{
  if (target == SONDE_CHART_LIST_TILE)
    {
      g_ptr_array_add (self->tiles, sonde_series_spec_ref (spec));
      g_signal_emit (self, signals[TILES_CHANGED], 0, self->tiles->len - 1, 0, 1);
    }
  else if (target >= 0 && (guint) target < self->charts->len)
    {
      sonde_chart_def_append (g_ptr_array_index (self->charts, target), spec);
      g_list_model_items_changed (G_LIST_MODEL (self), target, 1, 1);
    }
  else
    {
      SondeChartDef *def = sonde_chart_def_new ();

      sonde_chart_def_append (def, spec);
      g_ptr_array_add (self->charts, def);
      g_list_model_items_changed (G_LIST_MODEL (self), self->charts->len - 1, 0, 1);
    }

  if (sonde_series_spec_get_source (spec) == SONDE_SERIES_SOURCE_LATENCY)
    set_latency_offered (self, TRUE);
}

static void
sonde_chart_list_finalize (GObject *object)
{
  SondeChartList *self = (SondeChartList *) object;

  g_ptr_array_unref (self->charts);
  g_ptr_array_unref (self->tiles);

  G_OBJECT_CLASS (sonde_chart_list_parent_class)->finalize (object);
}

static void
sonde_chart_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SondeChartList *self = SONDE_CHART_LIST (object);

  switch (prop_id)
    {
    case PROP_WINDOW_S:
      g_value_set_uint (value, self->window_s);
      break;
    case PROP_LATENCY_OFFERED:
      g_value_set_boolean (value, self->latency_offered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_chart_list_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SondeChartList *self = SONDE_CHART_LIST (object);

  switch (prop_id)
    {
    case PROP_WINDOW_S:
      sonde_chart_list_set_window_s (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_chart_list_class_init (SondeChartListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_chart_list_finalize;
  object_class->get_property = sonde_chart_list_get_property;
  object_class->set_property = sonde_chart_list_set_property;

  properties[PROP_WINDOW_S] =
    g_param_spec_uint ("window-s", NULL, NULL, 0, G_MAXUINT, SONDE_CHART_LIST_DEFAULT_WINDOW_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LATENCY_OFFERED] =
    g_param_spec_boolean ("latency-offered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeChartList::changed:
   *
   * The layout changed (a series, chart or tile added or removed, the
   * window, a load): what sonde_chart_list_to_json() gives is new. Emitted
   * once per change, after items-changed, tiles-changed and notify.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * SondeChartList::tiles-changed:
   * @position: the first tile that changed
   * @removed: tiles removed there
   * @added: tiles added there
   *
   * As GListModel::items-changed, for the latest-value tiles.
   */
  signals[TILES_CHANGED] = g_signal_new ("tiles-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE,
                                         3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
sonde_chart_list_init (SondeChartList *self)
{
  self->charts = g_ptr_array_new_with_free_func (g_object_unref);
  self->tiles = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_series_spec_unref);
  self->window_s = SONDE_CHART_LIST_DEFAULT_WINDOW_S;
}

SondeChartList *
sonde_chart_list_new (void)
{
  return g_object_new (SONDE_TYPE_CHART_LIST, NULL);
}

gboolean
sonde_chart_list_is_empty (SondeChartList *self)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), TRUE);

  return self->charts->len == 0 && self->tiles->len == 0;
}

gboolean
sonde_chart_list_get_latency_offered (SondeChartList *self)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), FALSE);

  return self->latency_offered;
}

/* Once the user removed the latency chart, it stays removed: the layout
 * remembers that it was offered. */
void
sonde_chart_list_offer_latency (SondeChartList *self)
{
  g_return_if_fail (SONDE_IS_CHART_LIST (self));

  if (!self->latency_offered)
    sonde_chart_list_add_latency (self, SONDE_CHART_LIST_NEW_CHART);
}

gboolean
sonde_chart_list_add (SondeChartList   *self,
                      SondeSeriesSpec  *spec,
                      int               target,
                      GError          **error)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  if (!sonde_series_spec_check (spec, error))
    return FALSE;
  if (target == SONDE_CHART_LIST_TILE && sonde_series_spec_get_split (spec) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A tile shows one value: chart a split field instead"));
      return FALSE;
    }

  place (self, spec, target);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* @path from the messages matching @where (NULL or "": all). */
gboolean
sonde_chart_list_add_path (SondeChartList  *self,
                           const char      *path,
                           const char      *where,
                           int              target,
                           GError         **error)
{
  g_autoptr(SondeSeriesSpec) spec = NULL;

  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  spec = sonde_series_spec_new (path, where);
  return sonde_chart_list_add (self, spec, target, error);
}

/* The latency probe's round-trip times, in ms. */
void
sonde_chart_list_add_latency (SondeChartList *self,
                              int             target)
{
  g_autoptr(SondeSeriesSpec) spec = sonde_series_spec_new_latency ();

  g_return_if_fail (SONDE_IS_CHART_LIST (self));

  place (self, spec, target);
  g_signal_emit (self, signals[CHANGED], 0);
}

SondeChartDef *
sonde_chart_list_get_chart (SondeChartList *self,
                            guint           index)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), NULL);
  g_return_val_if_fail (index < self->charts->len, NULL);

  return g_ptr_array_index (self->charts, index);
}

/* Series @index of chart @chart becomes @spec (an edited path, condition
 * or split), in place: items-changed (chart, 1, 1) with the same
 * SondeChartDef, then "changed". A spec that does not parse is refused. */
gboolean
sonde_chart_list_replace_series (SondeChartList   *self,
                                 guint             chart,
                                 guint             index,
                                 SondeSeriesSpec  *spec,
                                 GError          **error)
{
  SondeChartDef *def;

  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), FALSE);
  g_return_val_if_fail (chart < self->charts->len, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  def = g_ptr_array_index (self->charts, chart);
  g_return_val_if_fail (index < sonde_chart_def_get_n_series (def), FALSE);

  if (!sonde_series_spec_check (spec, error))
    return FALSE;
  if (sonde_series_spec_equal (spec, sonde_chart_def_get_series (def, index)))
    return TRUE;

  sonde_chart_def_replace (def, index, spec);
  g_list_model_items_changed (G_LIST_MODEL (self), chart, 1, 1);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

void
sonde_chart_list_remove_chart (SondeChartList *self,
                               guint           index)
{
  g_return_if_fail (SONDE_IS_CHART_LIST (self));
  g_return_if_fail (index < self->charts->len);

  g_ptr_array_remove_index (self->charts, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
sonde_chart_list_get_n_tiles (SondeChartList *self)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), 0);

  return self->tiles->len;
}

SondeSeriesSpec *
sonde_chart_list_get_tile (SondeChartList *self,
                           guint           index)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), NULL);
  g_return_val_if_fail (index < self->tiles->len, NULL);

  return g_ptr_array_index (self->tiles, index);
}

void
sonde_chart_list_remove_tile (SondeChartList *self,
                              guint           index)
{
  g_return_if_fail (SONDE_IS_CHART_LIST (self));
  g_return_if_fail (index < self->tiles->len);

  g_ptr_array_remove_index (self->tiles, index);
  g_signal_emit (self, signals[TILES_CHANGED], 0, index, 1, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
sonde_chart_list_get_window_s (SondeChartList *self)
{
  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), SONDE_CHART_LIST_DEFAULT_WINDOW_S);

  return self->window_s;
}

void
sonde_chart_list_set_window_s (SondeChartList *self,
                               guint           window_s)
{
  g_return_if_fail (SONDE_IS_CHART_LIST (self));

  if (self->window_s == window_s)
    return;
  self->window_s = window_s;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_S]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
add_series_json (JsonBuilder     *builder,
                 SondeSeriesSpec *spec)
{
  json_builder_begin_object (builder);
  if (sonde_series_spec_get_source (spec) == SONDE_SERIES_SOURCE_LATENCY)
    {
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, "latency");
    }
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, sonde_series_spec_get_path (spec));
  if (sonde_series_spec_get_where (spec) != NULL)
    {
      json_builder_set_member_name (builder, "where");
      json_builder_add_string_value (builder, sonde_series_spec_get_where (spec));
    }
  if (sonde_series_spec_get_split (spec) != NULL)
    {
      json_builder_set_member_name (builder, "split");
      json_builder_add_string_value (builder, sonde_series_spec_get_split (spec));
    }
  if (sonde_series_spec_get_export (spec))
    {
      json_builder_set_member_name (builder, "export");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
}

/* The layout as the profile keeps it (the format at the top of this file). */
JsonNode *
sonde_chart_list_to_json (SondeChartList *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "window_s");
  json_builder_add_int_value (builder, self->window_s);
  if (self->latency_offered)
    {
      json_builder_set_member_name (builder, "latency_offered");
      json_builder_add_boolean_value (builder, TRUE);
    }

  json_builder_set_member_name (builder, "charts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->charts->len; i++)
    {
      SondeChartDef *def = g_ptr_array_index (self->charts, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "series");
      json_builder_begin_array (builder);
      for (guint s = 0; s < sonde_chart_def_get_n_series (def); s++)
        add_series_json (builder, sonde_chart_def_get_series (def, s));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "tiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->tiles->len; i++)
    add_series_json (builder, g_ptr_array_index (self->tiles, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A series from its JSON, or NULL and why not. */
static SondeSeriesSpec *
series_from_json (JsonNode  *node,
                  GError   **error)
{
  g_autoptr(SondeSeriesSpec) spec = NULL;
  JsonObject *object;
  JsonNode *member;
  const char *path, *where, *split;
  gboolean export;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not an object"));
      return NULL;
    }

  object = json_node_get_object (node);
  member = json_object_get_member (object, "export");
  /* Anything but true (false, a string, a typo'd file) leaves it out. */
  export = member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_BOOLEAN &&
           json_node_get_boolean (member);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "source", NULL), "latency") == 0)
    {
      spec = sonde_series_spec_new_latency ();
      return sonde_series_spec_copy_with_export (spec, export);
    }

  path = json_object_get_string_member_with_default (object, "path", NULL);
  where = json_object_get_string_member_with_default (object, "where", NULL);
  split = json_object_get_string_member_with_default (object, "split", NULL);
  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("no path"));
      return NULL;
    }
  spec = sonde_series_spec_new_split (path, where, split);
  if (!sonde_series_spec_check (spec, error))
    return NULL;
  return sonde_series_spec_copy_with_export (spec, export);
}

static JsonArray *
array_member (JsonObject  *object,
              const char  *name,
              GPtrArray   *problems)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      /* TRANSLATORS: %s is a member of the layout's JSON, such as "charts" */
      g_ptr_array_add (problems, g_strdup_printf (_("“%s” (not a list)"), name));
      return NULL;
    }
  return json_node_get_array (node);
}

/* Replaces the layout with what sonde_chart_list_to_json() gave (NULL: an
 * empty layout). What cannot be read is left out, and every piece left out
 * is named in @error ("chart 2, series 1: no path"); the rest is loaded.
 * One change: items-changed, tiles-changed and "changed" once each. */
gboolean
sonde_chart_list_load_json (SondeChartList  *self,
                            JsonNode        *node,
                            GError         **error)
{
  g_autoptr(GPtrArray) charts = NULL;
  g_autoptr(GPtrArray) tiles = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  guint window_s = SONDE_CHART_LIST_DEFAULT_WINDOW_S;
  gboolean offered = FALSE;
  guint old_charts, old_tiles;

  g_return_val_if_fail (SONDE_IS_CHART_LIST (self), FALSE);

  charts = g_ptr_array_new_with_free_func (g_object_unref);
  tiles = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_series_spec_unref);
  problems = g_ptr_array_new_with_free_func (g_free);

  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    g_ptr_array_add (problems, g_strdup (_("everything (the layout is not a JSON object)")));
  else if (node != NULL)
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *window = json_object_get_member (object, "window_s");
      JsonArray *array;

      offered = json_object_get_boolean_member_with_default (object, "latency_offered", FALSE);

      if (window != NULL)
        {
          GType type = JSON_NODE_HOLDS_VALUE (window) ? json_node_get_value_type (window) : G_TYPE_INVALID;
          double seconds = type == G_TYPE_INT64 || type == G_TYPE_DOUBLE ? json_node_get_double (window) : NAN;

          if (isfinite (seconds) && seconds >= 0 && seconds <= G_MAXUINT)
            window_s = (guint) round (seconds);
          else
            g_ptr_array_add (problems, g_strdup (_("the time window (“window_s” is not a number of seconds)")));
        }

      array = array_member (object, "charts", problems);
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *chart = json_array_get_element (array, i);
          JsonObject *chart_object = JSON_NODE_HOLDS_OBJECT (chart) ? json_node_get_object (chart) : NULL;
          JsonNode *series_node = chart_object ? json_object_get_member (chart_object, "series") : NULL;
          JsonArray *series = series_node && JSON_NODE_HOLDS_ARRAY (series_node) ? json_node_get_array (series_node) : NULL;
          g_autoptr(SondeChartDef) def = sonde_chart_def_new ();

          if (series == NULL)
            {
              /* TRANSLATORS: the charts are numbered from 1, as in "Add to: Chart 1" */
              g_ptr_array_add (problems, g_strdup_printf (_("chart %u (no list of series)"), i + 1));
              continue;
            }

          for (guint s = 0; s < json_array_get_length (series); s++)
            {
              g_autoptr(GError) local_error = NULL;
              g_autoptr(SondeSeriesSpec) spec = series_from_json (json_array_get_element (series, s), &local_error);

              if (spec == NULL)
                {
                  g_ptr_array_add (problems, g_strdup_printf (_("chart %u, series %u: %s"),
                                                              i + 1, s + 1, local_error->message));
                  continue;
                }
              if (sonde_series_spec_get_source (spec) == SONDE_SERIES_SOURCE_LATENCY)
                offered = TRUE;
              sonde_chart_def_append (def, spec);
            }

          if (sonde_chart_def_get_n_series (def) > 0)
            g_ptr_array_add (charts, g_steal_pointer (&def));
        }

      array = array_member (object, "tiles", problems);
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(SondeSeriesSpec) spec = series_from_json (json_array_get_element (array, i), &local_error);

          if (spec == NULL)
            {
              g_ptr_array_add (problems, g_strdup_printf (_("tile %u: %s"), i + 1, local_error->message));
              continue;
            }
          if (sonde_series_spec_get_source (spec) == SONDE_SERIES_SOURCE_LATENCY)
            offered = TRUE;
          g_ptr_array_add (tiles, g_steal_pointer (&spec));
        }
    }

  old_charts = self->charts->len;
  old_tiles = self->tiles->len;
  g_ptr_array_unref (self->charts);
  self->charts = g_steal_pointer (&charts);
  g_ptr_array_unref (self->tiles);
  self->tiles = g_steal_pointer (&tiles);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->window_s != window_s)
    {
      self->window_s = window_s;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_S]);
    }
  set_latency_offered (self, offered);
  if (old_charts > 0 || self->charts->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_charts, self->charts->len);
  if (old_tiles > 0 || self->tiles->len > 0)
    g_signal_emit (self, signals[TILES_CHANGED], 0, 0, old_tiles, self->tiles->len);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[CHANGED], 0);

  if (problems->len > 0)
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (problems, NULL);
      list = g_strjoinv ("; ", (char **) problems->pdata);
      /* TRANSLATORS: %s lists what was left out, e.g. "chart 2, series 1: no path; tile 1: not an object" */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Left out of the chart layout: %s"), list);
      return FALSE;
    }
  return TRUE;
}
