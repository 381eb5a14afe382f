/* sonde-charts-panel.c: a view of a session's charts and latest-value tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows what a SondeChartList holds, and its controls change the list (the
 * list says what changed, and the panel follows): type a JSON path
 * (completion offers the numeric fields of the newest message) and, if the
 * feed interleaves message types, a condition; the field goes to a new
 * chart, an existing one, or a latest-value tile. The panel fills its
 * charts with series it adds to the feed (and removes them again). The
 * charts share the list's time window, and a pause. Each chart saves
 * itself as PNG and its series as CSV (sonde-charts-panel-export.c); a
 * failure shows under the toolbar.
 */

#define G_LOG_DOMAIN "sonde-charts-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sonde-charts-panel-private.h"
#include "sonde-gui-util.h"

#define TILE_REFRESH_MS 250

/* The window drop-down's choices, in seconds (0: all). */
static const guint windows_s[] = { 10, 30, 60, 300, 900, 3600, 0 };

typedef struct {
  SondeSeriesSpec *spec;    /* owned */
  GtkWidget       *tile;    /* borrowed: a child of the flow box */
  GtkLabel        *value;   /* borrowed: inside tile */
  SondeSeries     *series;  /* borrowed from the feed */
} TileEntry;

G_DEFINE_FINAL_TYPE (SondeChartsPanel, sonde_charts_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_FEED,
  PROP_LIST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "New chart", "Chart 1", …, "Latest value tile". */
static void
update_targets (SondeChartsPanel *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->targets));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (items, g_strdup (_("New chart")));
  for (guint i = 0; i < self->charts->len; i++)
    g_ptr_array_add (items, g_strdup_printf (_("Chart %u"), i + 1));
  g_ptr_array_add (items, g_strdup (_("Latest value tile")));
  g_ptr_array_add (items, NULL);

  gtk_string_list_splice (self->targets, 0, n, (const char * const *) items->pdata);
  gtk_drop_down_set_selected (self->target_dropdown, 0);

  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->charts->len == 0 && self->tile_list->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->tiles), self->tile_list->len > 0);
}

static int
selected_target (SondeChartsPanel *self)
{
  guint selected = gtk_drop_down_get_selected (self->target_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return SONDE_CHARTS_NEW_CHART;
  if (selected <= self->charts->len)
    return (int) selected - 1;
  return SONDE_CHARTS_TILE;
}

static void
mark_entry (GtkEntry *entry,
            gboolean  wrong)
{
  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

/* @message under the toolbar (NULL: none); @part marks the entry that
 * holds what is wrong (the path, the condition or the split). */
void
sonde_charts_panel_show_error (SondeChartsPanel    *self,
            const char          *message,
            SondeSeriesSpecPart  part)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  mark_entry (self->path_entry, message != NULL && part == SONDE_SERIES_SPEC_PART_PATH);
  mark_entry (self->where_entry, message != NULL && part == SONDE_SERIES_SPEC_PART_WHERE);
  mark_entry (self->split_entry, message != NULL && part == SONDE_SERIES_SPEC_PART_SPLIT);
}

static gboolean
marks_an_entry (SondeChartsPanel *self)
{
  return gtk_widget_has_css_class (GTK_WIDGET (self->path_entry), "error") ||
         gtk_widget_has_css_class (GTK_WIDGET (self->where_entry), "error") ||
         gtk_widget_has_css_class (GTK_WIDGET (self->split_entry), "error");
}

static void
on_add_clicked (SondeChartsPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeSeriesSpec) spec = NULL;
  const char *path = gtk_editable_get_text (GTK_EDITABLE (self->path_entry));
  const char *where = gtk_editable_get_text (GTK_EDITABLE (self->where_entry));
  const char *split = gtk_editable_get_text (GTK_EDITABLE (self->split_entry));
  SondeSeriesSpecPart part;

  if (*path == '\0')
    {
      sonde_charts_panel_show_error (self, _("Type the path of a numeric field, such as $.price"), SONDE_SERIES_SPEC_PART_PATH);
      return;
    }

  spec = sonde_series_spec_new_split (path, where, split);
  part = sonde_series_spec_check_part (spec, &error);
  if (part != SONDE_SERIES_SPEC_PART_NONE ||
      !sonde_chart_list_add (self->list, spec, selected_target (self), &error))
    {
      sonde_charts_panel_show_error (self, error->message, part);
      return;
    }

  sonde_charts_panel_show_error (self, NULL, SONDE_SERIES_SPEC_PART_NONE);
  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), "");
}

/* The user picked a window: the list's changes. */
static void
on_window_changed (SondeChartsPanel *self)
{
  guint selected = gtk_drop_down_get_selected (self->window_dropdown);

  if (self->list == NULL || self->showing_window)
    return;
  if (selected < G_N_ELEMENTS (windows_s))
    sonde_chart_list_set_window_s (self->list, windows_s[selected]);
}

gint64
sonde_charts_panel_window_us (SondeChartsPanel *self)
{
  guint window_s = sonde_chart_list_get_window_s (self->list);

  return window_s == 0 ? SONDE_CHART_WINDOW_ALL : (gint64) window_s * G_USEC_PER_SEC;
}

/* The list's window changed: every chart shows it, the drop-down too (when
 * it is one of its choices). */
static void
on_list_window (SondeChartsPanel *self)
{
  guint window_s = sonde_chart_list_get_window_s (self->list);

  for (guint i = 0; i < self->charts->len; i++)
    sonde_chart_set_window (((ChartEntry *) g_ptr_array_index (self->charts, i))->chart, sonde_charts_panel_window_us (self));

  for (guint i = 0; i < G_N_ELEMENTS (windows_s); i++)
    {
      if (windows_s[i] == window_s)
        {
          self->showing_window = TRUE;
          gtk_drop_down_set_selected (self->window_dropdown, i);
          self->showing_window = FALSE;
          break;
        }
    }
}

static void
on_pause_toggled (SondeChartsPanel *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  for (guint i = 0; i < self->charts->len; i++)
    sonde_chart_set_paused (((ChartEntry *) g_ptr_array_index (self->charts, i))->chart, paused);
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
}

/* Completion: the numeric fields of the newest message. */
static void
refresh_completions (SondeChartsPanel *self)
{
  g_autoptr(GPtrArray) paths = sonde_series_feed_dup_recent_paths (self->feed, 200);

  gtk_list_store_clear (self->completions);
  for (guint i = 0; i < paths->len; i++)
    gtk_list_store_insert_with_values (self->completions, NULL, -1, 0, g_ptr_array_index (paths, i), -1);
}

static gboolean
on_tile_refresh (gpointer data)
{
  SondeChartsPanel *self = data;

  for (guint i = 0; i < self->tile_list->len; i++)
    {
      g_autofree char *text = sonde_charts_panel_dup_tile_text (self, i);
      TileEntry *entry = g_ptr_array_index (self->tile_list, i);

      if (g_strcmp0 (gtk_label_get_label (entry->value), text) != 0)
        gtk_label_set_label (entry->value, text);
    }
  for (guint i = 0; i < self->charts->len; i++)
    sonde_charts_panel_update_note (g_ptr_array_index (self->charts, i));
  return G_SOURCE_CONTINUE;
}

static guint
index_of_tile (SondeChartsPanel *self,
               GtkWidget        *tile)
{
  for (guint i = 0; i < self->tile_list->len; i++)
    {
      if (((TileEntry *) g_ptr_array_index (self->tile_list, i))->tile == tile)
        return i;
    }
  return G_MAXUINT;
}

static void
on_remove_tile (GtkButton        *button,
                SondeChartsPanel *self)
{
  guint index = index_of_tile (self, g_object_get_data (G_OBJECT (button), "row"));

  if (index != G_MAXUINT)
    sonde_chart_list_remove_tile (self->list, index);
}

/* A failed export, under the toolbar; a cancelled one (the panel went
 * away) says nothing. */
void
sonde_charts_panel_report_export_error (SondeChartsPanel *self,
                                        gboolean          png,
                                        const GError     *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->error_label == NULL)
    return;
  if (png)
    /* TRANSLATORS: %s is the reason, such as "Could not write “/x/chart.png”: No space left on device" */
    text = g_strdup_printf (_("The chart was not saved: %s"), error->message);
  else
    /* TRANSLATORS: %s is the reason, such as "Could not write “/x/series.csv”: No space left on device" */
    text = g_strdup_printf (_("The series were not exported: %s"), error->message);
  sonde_charts_panel_show_error (self, text, SONDE_SERIES_SPEC_PART_NONE);
}

GtkWidget *
sonde_charts_panel_icon_button (const char *icon,
             const char *label,
             GCallback   callback,
             gpointer    data,
             GtkWidget  *row)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (button), "row", row);
  g_signal_connect (button, "clicked", callback, data);
  return button;
}

static TileEntry *
tile_entry_new (SondeChartsPanel *self,
                SondeSeriesSpec  *spec)
{
  TileEntry *entry = g_new0 (TileEntry, 1);
  g_autofree char *label = sonde_series_spec_dup_label (spec);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *value = gtk_label_new ("—");
  GtkWidget *remove = sonde_charts_panel_icon_button ("window-close-symbolic", _("Remove the tile"),
                                   G_CALLBACK (on_remove_tile), self, box);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "sonde-tile");
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_START);
  gtk_widget_add_css_class (value, "title-2");
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (header), name);
  gtk_box_append (GTK_BOX (header), remove);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  entry->spec = sonde_series_spec_ref (spec);
  entry->tile = box;
  entry->value = GTK_LABEL (value);
  entry->series = sonde_charts_panel_add_to_feed (self, spec);
  return entry;
}

static void
tile_entry_free (SondeChartsPanel *self,
                 TileEntry        *entry,
                 gboolean          remove_tile)
{
  if (entry->series != NULL)
    sonde_series_feed_remove (self->feed, entry->series);
  if (remove_tile)
    gtk_flow_box_remove (self->tiles, entry->tile);
  sonde_series_spec_unref (entry->spec);
  g_free (entry);
}

/* The list's charts changed: a chart that is still there (the same
 * definition) keeps its row and the points of the series it kept. */
static void
on_items_changed (GListModel       *model,
                  guint             position,
                  guint             removed,
                  guint             added,
                  SondeChartsPanel *self)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();

  for (guint i = 0; i < removed; i++)
    g_ptr_array_add (gone, g_ptr_array_index (self->charts, position + i));
  g_ptr_array_remove_range (self->charts, position, removed);

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(SondeChartDef) def = g_list_model_get_item (model, position + i);
      ChartEntry *entry = NULL;
      GtkWidget *before;

      for (guint j = 0; j < gone->len && entry == NULL; j++)
        {
          if (((ChartEntry *) g_ptr_array_index (gone, j))->def == def)
            entry = g_ptr_array_steal_index (gone, j);
        }
      if (entry != NULL)
        sonde_charts_panel_sync_chart (self, entry);
      else
        entry = sonde_charts_panel_chart_new (self, def);

      g_ptr_array_insert (self->charts, position + i, entry);
      before = position + i == 0 ? GTK_WIDGET (self->empty_label)
                                 : ((ChartEntry *) g_ptr_array_index (self->charts, position + i - 1))->row;
      if (gtk_widget_get_parent (entry->row) == NULL)
        gtk_box_insert_child_after (self->charts_box, entry->row, before);
      else
        gtk_box_reorder_child_after (self->charts_box, entry->row, before);
    }

  for (guint j = 0; j < gone->len; j++)
    sonde_charts_panel_chart_free (self, g_ptr_array_index (gone, j), TRUE);

  update_targets (self);
}

static void
on_tiles_changed (SondeChartList   *list,
                  guint             position,
                  guint             removed,
                  guint             added,
                  SondeChartsPanel *self)
{
  for (guint i = 0; i < removed; i++)
    tile_entry_free (self, g_ptr_array_steal_index (self->tile_list, position), TRUE);

  for (guint i = 0; i < added; i++)
    {
      TileEntry *entry = tile_entry_new (self, sonde_chart_list_get_tile (list, position + i));

      g_ptr_array_insert (self->tile_list, position + i, entry);
      gtk_flow_box_insert (self->tiles, entry->tile, position + i);
    }

  update_targets (self);
  on_tile_refresh (self);
}

static void
sonde_charts_panel_map (GtkWidget *widget)
{
  SondeChartsPanel *self = SONDE_CHARTS_PANEL (widget);

  GTK_WIDGET_CLASS (sonde_charts_panel_parent_class)->map (widget);
  if (self->tile_refresh_id == 0)
    self->tile_refresh_id = g_timeout_add (TILE_REFRESH_MS, on_tile_refresh, self);
}

static void
sonde_charts_panel_unmap (GtkWidget *widget)
{
  SondeChartsPanel *self = SONDE_CHARTS_PANEL (widget);

  g_clear_handle_id (&self->tile_refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (sonde_charts_panel_parent_class)->unmap (widget);
}

static void
sonde_charts_panel_constructed (GObject *object)
{
  SondeChartsPanel *self = (SondeChartsPanel *) object;
  GtkEntryCompletion *completion;

  G_OBJECT_CLASS (sonde_charts_panel_parent_class)->constructed (object);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->completions));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 1);
  gtk_entry_completion_set_inline_completion (completion, FALSE);
  gtk_entry_set_completion (self->path_entry, completion);
  g_object_unref (completion);
  G_GNUC_END_IGNORE_DEPRECATIONS

  g_signal_connect_object (self->path_entry, "notify::has-focus",
                           G_CALLBACK (refresh_completions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->path_entry, "changed",
                           G_CALLBACK (refresh_completions), self, G_CONNECT_SWAPPED);

  /* What the list holds now, then every change. */
  on_list_window (self);
  on_items_changed (G_LIST_MODEL (self->list), 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->list)), self);
  on_tiles_changed (self->list, 0, 0, sonde_chart_list_get_n_tiles (self->list), self);
  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  g_signal_connect_object (self->list, "tiles-changed", G_CALLBACK (on_tiles_changed), self, 0);
  g_signal_connect_object (self->list, "notify::window-s", G_CALLBACK (on_list_window), self, G_CONNECT_SWAPPED);
}

static void
sonde_charts_panel_dispose (GObject *object)
{
  SondeChartsPanel *self = (SondeChartsPanel *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tile_refresh_id, g_source_remove);
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);

  /* The series this view made leave the feed with it. */
  while (self->charts->len > 0)
    sonde_charts_panel_chart_free (self, g_ptr_array_steal_index (self->charts, self->charts->len - 1), FALSE);
  while (self->tile_list->len > 0)
    tile_entry_free (self, g_ptr_array_steal_index (self->tile_list, self->tile_list->len - 1), FALSE);

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_CHARTS_PANEL);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->feed);
  g_clear_object (&self->integrity);
  g_clear_object (&self->list);
  g_clear_object (&self->connection);
  g_clear_object (&self->targets);
  g_clear_object (&self->completions);

  G_OBJECT_CLASS (sonde_charts_panel_parent_class)->dispose (object);
}

static void
sonde_charts_panel_finalize (GObject *object)
{
  SondeChartsPanel *self = (SondeChartsPanel *) object;

  g_ptr_array_unref (self->charts);
  g_ptr_array_unref (self->tile_list);

  G_OBJECT_CLASS (sonde_charts_panel_parent_class)->finalize (object);
}

static void
sonde_charts_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeChartsPanel *self = SONDE_CHARTS_PANEL (object);

  switch (prop_id)
    {
    case PROP_FEED:
      g_value_set_object (value, self->feed);
      break;
    case PROP_LIST:
      g_value_set_object (value, self->list);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_charts_panel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeChartsPanel *self = SONDE_CHARTS_PANEL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_FEED:
      self->feed = g_value_dup_object (value);
      break;
    case PROP_LIST:
      self->list = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_charts_panel_class_init (SondeChartsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_charts_panel_constructed;
  object_class->dispose = sonde_charts_panel_dispose;
  object_class->finalize = sonde_charts_panel_finalize;
  object_class->get_property = sonde_charts_panel_get_property;
  object_class->set_property = sonde_charts_panel_set_property;

  widget_class->map = sonde_charts_panel_map;
  widget_class->unmap = sonde_charts_panel_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEED] =
    g_param_spec_object ("feed", NULL, NULL, SONDE_TYPE_SERIES_FEED,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIST] =
    g_param_spec_object ("list", NULL, NULL, SONDE_TYPE_CHART_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SONDE_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-charts-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, path_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, where_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, split_entry);
  g_type_ensure (SONDE_TYPE_SERIES_EDITOR);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, window_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, pause_button);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, tiles);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, charts_box);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_window_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_pause_toggled);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondechartspanel");
}

static void
sonde_charts_panel_init (SondeChartsPanel *self)
{
  self->charts = g_ptr_array_new ();
  self->tile_list = g_ptr_array_new ();
  self->targets = gtk_string_list_new (NULL);
  self->completions = gtk_list_store_new (1, G_TYPE_STRING);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_drop_down_set_model (self->target_dropdown, G_LIST_MODEL (self->targets));
  sonde_gui_name_drop_down (self->target_dropdown, _("Add to"));
  sonde_gui_name_drop_down (self->window_dropdown, _("Time window"));
  update_targets (self);
}

/* A view of @list, whose series it adds to @feed (a feed of @connection). */
GtkWidget *
sonde_charts_panel_new (SondeConnection *connection,
                        SondeSeriesFeed *feed,
                        SondeChartList  *list)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (SONDE_IS_SERIES_FEED (feed), NULL);
  g_return_val_if_fail (SONDE_IS_CHART_LIST (list), NULL);

  return g_object_new (SONDE_TYPE_CHARTS_PANEL, "connection", connection, "feed", feed, "list", list, NULL);
}

SondeSeriesFeed *
sonde_charts_panel_get_feed (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);

  return self->feed;
}

/* Every chart marks @integrity's sequence violations (NULL: none). */
void
sonde_charts_panel_set_integrity (SondeChartsPanel *self,
                                  SondeIntegrity   *integrity)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));
  g_return_if_fail (integrity == NULL || SONDE_IS_INTEGRITY (integrity));

  if (!g_set_object (&self->integrity, integrity))
    return;
  for (guint i = 0; i < self->charts->len; i++)
    {
      ChartEntry *entry = g_ptr_array_index (self->charts, i);

      sonde_chart_set_integrity (entry->chart, integrity);
    }
}

SondeChartList *
sonde_charts_panel_get_list (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);

  return self->list;
}

/* Charts @path (from messages matching @where, or all) in @target: a
 * chart's index, SONDE_CHARTS_NEW_CHART or SONDE_CHARTS_TILE. A path or
 * condition that does not parse is refused with the reason. (The list
 * changes; the panel follows it.) */
gboolean
sonde_charts_panel_add (SondeChartsPanel  *self,
                        const char        *path,
                        const char        *where,
                        int                target,
                        GError           **error)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return sonde_chart_list_add_path (self->list, path, where, target, error);
}

gboolean
sonde_charts_panel_add_split (SondeChartsPanel  *self,
                              const char        *path,
                              const char        *where,
                              const char        *split,
                              int                target,
                              GError           **error)
{
  g_autoptr(SondeSeriesSpec) spec = NULL;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  spec = sonde_series_spec_new_split (path, where, split);
  return sonde_chart_list_add (self->list, spec, target, error);
}

gboolean
sonde_charts_panel_edit_series (SondeChartsPanel  *self,
                                guint              chart,
                                guint              index,
                                const char        *path,
                                const char        *where,
                                const char        *split,
                                GError           **error)
{
  g_autoptr(SondeSeriesSpec) read = NULL;
  g_autoptr(SondeSeriesSpec) spec = NULL;
  SondeChartDef *def;
  gboolean exported;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (chart < g_list_model_get_n_items (G_LIST_MODEL (self->list)), FALSE);

  /* The series keeps its export mark. */
  read = sonde_series_spec_new_split (path, where, split);
  def = sonde_chart_list_get_chart (self->list, chart);
  exported = index < sonde_chart_def_get_n_series (def) &&
             sonde_series_spec_get_export (sonde_chart_def_get_series (def, index));
  spec = sonde_series_spec_copy_with_export (read, exported);
  return sonde_chart_list_replace_series (self->list, chart, index, spec, error);
}

/* Opens chart @chart's series editor (as its Edit button does), on its
 * first series. */
SondeSeriesEditor *
sonde_charts_panel_edit (SondeChartsPanel *self,
                         guint             chart)
{
  ChartEntry *entry;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);
  g_return_val_if_fail (chart < self->charts->len, NULL);

  entry = g_ptr_array_index (self->charts, chart);
  gtk_menu_button_popup (entry->edit);
  return entry->editor;
}

guint
sonde_charts_panel_get_n_charts (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), 0);

  return self->charts->len;
}

SondeChart *
sonde_charts_panel_get_chart (SondeChartsPanel *self,
                              guint             index)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);
  g_return_val_if_fail (index < self->charts->len, NULL);

  return ((ChartEntry *) g_ptr_array_index (self->charts, index))->chart;
}

guint
sonde_charts_panel_get_n_tiles (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), 0);

  return self->tile_list->len;
}

/* A tile's latest value, as shown. */
char *
sonde_charts_panel_dup_tile_text (SondeChartsPanel *self,
                                  guint             index)
{
  TileEntry *entry;
  SondeSeriesStats stats;
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);
  g_return_val_if_fail (index < self->tile_list->len, NULL);

  entry = g_ptr_array_index (self->tile_list, index);
  if (entry->series == NULL)
    return g_strdup ("—");
  sonde_series_get_stats (entry->series, G_MININT64, G_MAXINT64, &stats);
  if (stats.count == 0 || isnan (stats.last))
    return g_strdup ("—");
  g_snprintf (text, sizeof text, "%.10g", stats.last);
  return g_strdup (text);
}

/* An export went well: an earlier export's failure is old news. */
void
sonde_charts_panel_clear_export_error (SondeChartsPanel *self)
{
  if (self->error_label != NULL && !marks_an_entry (self))
    sonde_charts_panel_show_error (self, NULL, SONDE_SERIES_SPEC_PART_NONE);
}

GCancellable *
sonde_charts_panel_get_cancellable (SondeChartsPanel *self)
{
  return self->cancellable;
}

void
sonde_charts_panel_focus_path (SondeChartsPanel *self)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->path_entry));
}
