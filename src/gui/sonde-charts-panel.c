/* sonde-charts-panel.c: a connection's charts and latest-value tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Type a JSON path (completion offers the numeric fields of the newest
 * message) and, if the feed interleaves message types, a condition; the
 * field goes to a new chart, an existing one, or a latest-value tile. The
 * charts share a time window and a pause. Each chart exports itself as PNG
 * and its series as CSV. The whole layout is JSON, kept in the profile.
 */

#define G_LOG_DOMAIN "sonde-charts-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sonde-charts-panel.h"
#include "sonde-gui-util.h"

#define TILE_REFRESH_MS 250

static const gint64 windows_us[] = {
  10 * G_USEC_PER_SEC, 30 * G_USEC_PER_SEC, 60 * G_USEC_PER_SEC, 300 * G_USEC_PER_SEC,
  900 * G_USEC_PER_SEC, (gint64) 3600 * G_USEC_PER_SEC, SONDE_CHART_WINDOW_ALL,
};

typedef struct {
  GtkWidget  *row;      /* borrowed: a child of charts_box */
  SondeChart *chart;    /* borrowed: inside row */
} ChartEntry;

typedef struct {
  GtkWidget   *tile;    /* borrowed: a child of the flow box */
  GtkLabel    *value;
  SondeSeries *series;  /* borrowed from the feed */
  char        *label;
} TileEntry;

struct _SondeChartsPanel
{
  GtkWidget        parent_instance;

  /* template widgets */
  GtkEntry        *path_entry;
  GtkEntry        *where_entry;
  GtkDropDown     *target_dropdown;
  GtkDropDown     *window_dropdown;
  GtkToggleButton *pause_button;
  GtkLabel        *error_label;
  GtkFlowBox      *tiles;
  GtkBox          *charts_box;
  GtkLabel        *empty_label;

  /* owned */
  SondeConnection *connection;
  SondeSeriesFeed *feed;
  GPtrArray       *charts;      /* ChartEntry* */
  GPtrArray       *tile_list;   /* TileEntry* */
  GtkStringList   *targets;
  GtkListStore    *completions;

  guint            tile_refresh_id;
  gboolean         latency_offered;  /* the round-trip chart was added once */
};

G_DEFINE_FINAL_TYPE (SondeChartsPanel, sonde_charts_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
tile_entry_free (gpointer data)
{
  TileEntry *entry = data;

  g_free (entry->label);
  g_free (entry);
}

static void place_series (SondeChartsPanel *self,
                          SondeSeries      *series,
                          const char       *label,
                          int               target);

static char *
series_label (const char *path,
              const char *where)
{
  if (where != NULL && *where != '\0')
    return g_strdup_printf ("%s  (%s)", path, where);
  return g_strdup (path);
}

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
show_error (SondeChartsPanel *self,
            const char       *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->path_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->path_entry), "error");
}

static void
on_add_clicked (SondeChartsPanel *self)
{
  g_autoptr(GError) error = NULL;
  const char *path = gtk_editable_get_text (GTK_EDITABLE (self->path_entry));
  const char *where = gtk_editable_get_text (GTK_EDITABLE (self->where_entry));

  if (*path == '\0')
    {
      show_error (self, _("Type the path of a numeric field, such as $.price"));
      return;
    }

  if (!sonde_charts_panel_add (self, path, where, selected_target (self), &error))
    {
      show_error (self, error->message);
      return;
    }

  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), "");
}

static void
on_window_changed (SondeChartsPanel *self)
{
  guint selected = gtk_drop_down_get_selected (self->window_dropdown);

  if (selected < G_N_ELEMENTS (windows_us))
    sonde_charts_panel_set_window (self, windows_us[selected]);
  g_signal_emit (self, signals[CHANGED], 0);
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
  return G_SOURCE_CONTINUE;
}

static guint
index_of_chart (SondeChartsPanel *self,
                GtkWidget        *row)
{
  for (guint i = 0; i < self->charts->len; i++)
    {
      if (((ChartEntry *) g_ptr_array_index (self->charts, i))->row == row)
        return i;
    }
  return G_MAXUINT;
}

static void
on_remove_chart (GtkButton        *button,
                 SondeChartsPanel *self)
{
  guint index = index_of_chart (self, g_object_get_data (G_OBJECT (button), "row"));

  if (index != G_MAXUINT)
    sonde_charts_panel_remove_chart (self, index);
}

static void
on_png_response (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         user_data)
{
  g_autoptr(SondeChart) chart = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (!sonde_chart_save_png (chart, path, &error))
        g_warning ("The chart was not saved: %s", error->message);
    }
  g_object_unref (dialog);
}

static void
on_export_png (GtkButton        *button,
               SondeChartsPanel *self)
{
  guint index = index_of_chart (self, g_object_get_data (G_OBJECT (button), "row"));
  GtkFileChooserNative *dialog;

  if (index == G_MAXUINT)
    return;

  dialog = gtk_file_chooser_native_new (_("Save the Chart as PNG"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "chart.png");
  g_signal_connect (dialog, "response", G_CALLBACK (on_png_response),
                    g_object_ref (((ChartEntry *) g_ptr_array_index (self->charts, index))->chart));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

typedef struct {
  SondeChartsPanel *panel;
  GtkWidget        *row;
} CsvRequest;

static void
on_csv_response (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         user_data)
{
  CsvRequest *request = user_data;
  guint index = index_of_chart (request->panel, request->row);

  if (response == GTK_RESPONSE_ACCEPT && index != G_MAXUINT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!sonde_charts_panel_export_csv (request->panel, index, file, &error))
        g_warning ("The series were not exported: %s", error->message);
    }

  g_object_unref (request->panel);
  g_free (request);
  g_object_unref (dialog);
}

static void
on_export_csv (GtkButton        *button,
               SondeChartsPanel *self)
{
  CsvRequest *request = g_new0 (CsvRequest, 1);
  GtkFileChooserNative *dialog;

  request->panel = g_object_ref (self);
  request->row = g_object_get_data (G_OBJECT (button), "row");
  dialog = gtk_file_chooser_native_new (_("Export the Series as CSV"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "series.csv");
  g_signal_connect (dialog, "response", G_CALLBACK (on_csv_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GtkWidget *
icon_button (const char *icon,
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

static ChartEntry *
new_chart (SondeChartsPanel *self)
{
  ChartEntry *entry = g_new0 (ChartEntry, 1);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  guint selected = gtk_drop_down_get_selected (self->window_dropdown);

  entry->row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (entry->row, "card");
  entry->chart = SONDE_CHART (sonde_chart_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (entry->chart), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (entry->chart), -1, 160);
  if (selected < G_N_ELEMENTS (windows_us))
    sonde_chart_set_window (entry->chart, windows_us[selected]);
  sonde_chart_set_paused (entry->chart, gtk_toggle_button_get_active (self->pause_button));

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_set_margin_start (title, 8);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_label (GTK_LABEL (title), _("Chart"));
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), icon_button ("image-x-generic-symbolic", _("Save as PNG"),
                                                 G_CALLBACK (on_export_png), self, entry->row));
  gtk_box_append (GTK_BOX (header), icon_button ("x-office-spreadsheet-symbolic", _("Export the series as CSV"),
                                                 G_CALLBACK (on_export_csv), self, entry->row));
  gtk_box_append (GTK_BOX (header), icon_button ("window-close-symbolic", _("Remove the chart"),
                                                 G_CALLBACK (on_remove_chart), self, entry->row));

  gtk_box_append (GTK_BOX (entry->row), header);
  gtk_box_append (GTK_BOX (entry->row), GTK_WIDGET (entry->chart));
  gtk_box_append (self->charts_box, entry->row);
  g_ptr_array_add (self->charts, entry);
  return entry;
}

static void
update_chart_title (ChartEntry *entry)
{
  GtkWidget *header = gtk_widget_get_first_child (entry->row);
  GtkWidget *title = gtk_widget_get_first_child (header);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < sonde_chart_get_n_series (entry->chart); i++)
    g_string_append_printf (text, "%s%s", i ? ", " : "", sonde_chart_get_label (entry->chart, i));
  gtk_label_set_label (GTK_LABEL (title), text->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry->chart), GTK_ACCESSIBLE_PROPERTY_LABEL, text->str, -1);
  g_string_free (text, TRUE);
}

static void
add_tile (SondeChartsPanel *self,
          SondeSeries      *series,
          const char       *label)
{
  TileEntry *entry = g_new0 (TileEntry, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *value = gtk_label_new ("—");

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "sonde-tile");
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (value, "title-2");
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  entry->tile = box;
  entry->value = GTK_LABEL (value);
  entry->series = series;
  entry->label = g_strdup (label);
  gtk_flow_box_append (self->tiles, box);
  g_ptr_array_add (self->tile_list, entry);
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

  self->feed = sonde_series_feed_new (self->connection);

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
}

static void
sonde_charts_panel_dispose (GObject *object)
{
  SondeChartsPanel *self = (SondeChartsPanel *) object;

  g_clear_handle_id (&self->tile_refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_CHARTS_PANEL);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->feed);
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
  object_class->set_property = sonde_charts_panel_set_property;

  widget_class->map = sonde_charts_panel_map;
  widget_class->unmap = sonde_charts_panel_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeChartsPanel::changed:
   *
   * The layout changed (a chart or tile added or removed, the window):
   * what sonde_charts_panel_to_json() gives is new.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SONDE_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-charts-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, path_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeChartsPanel, where_entry);
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
  self->charts = g_ptr_array_new_with_free_func (g_free);
  self->tile_list = g_ptr_array_new_with_free_func (tile_entry_free);
  self->targets = gtk_string_list_new (NULL);
  self->completions = gtk_list_store_new (1, G_TYPE_STRING);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_drop_down_set_model (self->target_dropdown, G_LIST_MODEL (self->targets));
  sonde_gui_name_drop_down (self->target_dropdown, _("Add to"));
  sonde_gui_name_drop_down (self->window_dropdown, _("Time window"));
  update_targets (self);
}

GtkWidget *
sonde_charts_panel_new (SondeConnection *connection)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  return g_object_new (SONDE_TYPE_CHARTS_PANEL, "connection", connection, NULL);
}

SondeSeriesFeed *
sonde_charts_panel_get_feed (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);

  return self->feed;
}

/* Charts @path (from messages matching @where, or all) in @target: a
 * chart's index, SONDE_CHARTS_NEW_CHART or SONDE_CHARTS_TILE. A path or
 * condition that does not parse is refused with the reason. */
gboolean
sonde_charts_panel_add (SondeChartsPanel  *self,
                        const char        *path,
                        const char        *where,
                        int                target,
                        GError           **error)
{
  SondeSeries *series;
  g_autofree char *label = NULL;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  series = sonde_series_feed_add (self->feed, path, where, NULL, 0, error);
  if (series == NULL)
    return FALSE;

  label = series_label (path, where);
  place_series (self, series, label, target);
  return TRUE;
}

/* The latency probe's round-trip times, in ms, at @target. */
void
sonde_charts_panel_add_latency (SondeChartsPanel *self,
                                int               target)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));

  self->latency_offered = TRUE;
  place_series (self, sonde_series_feed_add_latency (self->feed, 0), _("Round-trip time (ms)"), target);
}

/* The connection has a latency probe: its chart appears, once. Once the
 * user removed it, it stays removed (the profile remembers). */
void
sonde_charts_panel_offer_latency (SondeChartsPanel *self)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));

  if (!self->latency_offered)
    sonde_charts_panel_add_latency (self, SONDE_CHARTS_NEW_CHART);
}

gboolean
sonde_charts_panel_get_latency_offered (SondeChartsPanel *self)
{
  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);

  return self->latency_offered;
}

static void
place_series (SondeChartsPanel *self,
              SondeSeries      *series,
              const char       *label,
              int               target)
{
  if (target == SONDE_CHARTS_TILE)
    add_tile (self, series, label);
  else
    {
      ChartEntry *entry = target >= 0 && (guint) target < self->charts->len
                          ? g_ptr_array_index (self->charts, target) : new_chart (self);

      sonde_chart_add_series (entry->chart, series, label);
      update_chart_title (entry);
    }

  update_targets (self);
  on_tile_refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
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
  sonde_series_get_stats (entry->series, G_MININT64, G_MAXINT64, &stats);
  if (stats.count == 0 || isnan (stats.last))
    return g_strdup ("—");
  g_snprintf (text, sizeof text, "%.10g", stats.last);
  return g_strdup (text);
}

void
sonde_charts_panel_remove_chart (SondeChartsPanel *self,
                                 guint             index)
{
  ChartEntry *entry;

  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));
  g_return_if_fail (index < self->charts->len);

  entry = g_ptr_array_index (self->charts, index);
  for (guint i = 0; i < sonde_chart_get_n_series (entry->chart); i++)
    sonde_series_feed_remove (self->feed, sonde_chart_get_series (entry->chart, i));
  gtk_box_remove (self->charts_box, entry->row);
  g_ptr_array_remove_index (self->charts, index);

  update_targets (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The time every chart shows (SONDE_CHART_WINDOW_ALL: everything). */
void
sonde_charts_panel_set_window (SondeChartsPanel *self,
                               gint64            window_us)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));

  for (guint i = 0; i < G_N_ELEMENTS (windows_us); i++)
    {
      if (windows_us[i] == window_us && gtk_drop_down_get_selected (self->window_dropdown) != i)
        {
          gtk_drop_down_set_selected (self->window_dropdown, i);
          return;   /* on_window_changed comes back here */
        }
    }

  for (guint i = 0; i < self->charts->len; i++)
    sonde_chart_set_window (((ChartEntry *) g_ptr_array_index (self->charts, i))->chart, window_us);
}

static JsonNode *
series_json (SondeSeriesFeed *feed,
             SondeSeries     *series)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (sonde_series_feed_get_source (feed, series) == SONDE_SERIES_SOURCE_LATENCY)
    {
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, "latency");
    }
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, sonde_series_feed_get_path (feed, series));
  if (sonde_series_feed_get_where (feed, series) != NULL)
    {
      json_builder_set_member_name (builder, "where");
      json_builder_add_string_value (builder, sonde_series_feed_get_where (feed, series));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The layout, for the profile:
 * {"window_s": 60, "charts": [{"series": [{"path", "where"}]}], "tiles": [{"path", "where"}],
 *  "latency_offered": true}
 * (window_s 0: everything; a series of the latency probe has "source": "latency"). */
JsonNode *
sonde_charts_panel_to_json (SondeChartsPanel *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint selected;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), NULL);

  selected = gtk_drop_down_get_selected (self->window_dropdown);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "window_s");
  json_builder_add_int_value (builder, selected < G_N_ELEMENTS (windows_us) ? windows_us[selected] / G_USEC_PER_SEC : 60);
  if (self->latency_offered)
    {
      json_builder_set_member_name (builder, "latency_offered");
      json_builder_add_boolean_value (builder, TRUE);
    }

  json_builder_set_member_name (builder, "charts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->charts->len; i++)
    {
      SondeChart *chart = ((ChartEntry *) g_ptr_array_index (self->charts, i))->chart;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "series");
      json_builder_begin_array (builder);
      for (guint s = 0; s < sonde_chart_get_n_series (chart); s++)
        json_builder_add_value (builder, series_json (self->feed, sonde_chart_get_series (chart, s)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "tiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->tile_list->len; i++)
    json_builder_add_value (builder, series_json (self->feed, ((TileEntry *) g_ptr_array_index (self->tile_list, i))->series));
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
load_series (SondeChartsPanel  *self,
             JsonNode          *node,
             int                target,
             GError           **error)
{
  JsonObject *object;
  const char *path, *where;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("A charted field is not an object"));
      return FALSE;
    }

  object = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "source", NULL), "latency") == 0)
    {
      sonde_charts_panel_add_latency (self, target);
      return TRUE;
    }
  path = json_object_get_string_member_with_default (object, "path", NULL);
  where = json_object_get_string_member_with_default (object, "where", NULL);
  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("A charted field has no path"));
      return FALSE;
    }
  return sonde_charts_panel_add (self, path, where, target, error);
}

/* Replaces the layout with what sonde_charts_panel_to_json() gave. What
 * does not parse is skipped, and the first problem reported. */
gboolean
sonde_charts_panel_load_json (SondeChartsPanel  *self,
                              JsonNode          *node,
                              GError           **error)
{
  JsonObject *object;
  JsonArray *charts, *tiles;
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);

  while (self->charts->len > 0)
    sonde_charts_panel_remove_chart (self, self->charts->len - 1);
  while (self->tile_list->len > 0)
    {
      TileEntry *entry = g_ptr_array_index (self->tile_list, 0);

      sonde_series_feed_remove (self->feed, entry->series);
      gtk_flow_box_remove (self->tiles, entry->tile);
      g_ptr_array_remove_index (self->tile_list, 0);
    }

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      update_targets (self);
      return node == NULL;
    }

  object = json_node_get_object (node);
  self->latency_offered = json_object_get_boolean_member_with_default (object, "latency_offered", FALSE);
  if (json_object_has_member (object, "window_s"))
    sonde_charts_panel_set_window (self, json_object_get_int_member (object, "window_s") * G_USEC_PER_SEC);

  charts = array_member (object, "charts");
  for (guint i = 0; charts != NULL && i < json_array_get_length (charts); i++)
    {
      JsonNode *chart = json_array_get_element (charts, i);
      JsonArray *series = array_member (JSON_NODE_HOLDS_OBJECT (chart) ? json_node_get_object (chart) : NULL,
                                        "series");
      int target = SONDE_CHARTS_NEW_CHART;

      for (guint s = 0; series != NULL && s < json_array_get_length (series); s++)
        {
          g_autoptr(GError) local_error = NULL;

          if (load_series (self, json_array_get_element (series, s), target, &local_error))
            target = (int) self->charts->len - 1;
          else if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
        }
    }

  tiles = array_member (object, "tiles");
  for (guint i = 0; tiles != NULL && i < json_array_get_length (tiles); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!load_series (self, json_array_get_element (tiles, i), SONDE_CHARTS_TILE, &local_error) &&
          first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

/* Chart @index's series, every point, as CSV in @file. */
gboolean
sonde_charts_panel_export_csv (SondeChartsPanel  *self,
                               guint              index,
                               GFile             *file,
                               GError           **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  SondeChart *chart;

  g_return_val_if_fail (SONDE_IS_CHARTS_PANEL (self), FALSE);
  g_return_val_if_fail (index < self->charts->len, FALSE);

  chart = ((ChartEntry *) g_ptr_array_index (self->charts, index))->chart;
  for (guint i = 0; i < sonde_chart_get_n_series (chart); i++)
    {
      g_ptr_array_add (series, sonde_chart_get_series (chart, i));
      g_ptr_array_add (labels, (gpointer) sonde_chart_get_label (chart, i));
    }

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!sonde_series_feed_write_csv (self->feed, series, labels, G_OUTPUT_STREAM (stream), error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

void
sonde_charts_panel_focus_path (SondeChartsPanel *self)
{
  g_return_if_fail (SONDE_IS_CHARTS_PANEL (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->path_entry));
}
