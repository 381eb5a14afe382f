/* sonde-charts-panel-chart.c: one chart of the charts panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A chart's row: its title, its buttons (edit, PNG, CSV, remove) and the
 * chart. Each series of its definition makes lines in the feed: one, or
 * one per value of a split, added to the chart (and its legend) as values
 * first arrive; what a split leaves out is the legend's note. The Edit
 * button's popover changes a series in place, through the list.
 */

#define G_LOG_DOMAIN "sonde-charts-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-charts-panel-private.h"

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
    sonde_chart_list_remove_chart (self->list, index);
}

static void
on_export_png (GtkButton        *button,
               SondeChartsPanel *self)
{
  guint index = index_of_chart (self, g_object_get_data (G_OBJECT (button), "row"));

  if (index != G_MAXUINT)
    sonde_charts_panel_ask_export (self, ((ChartEntry *) g_ptr_array_index (self->charts, index))->chart, TRUE);
}

static void
on_export_csv (GtkButton        *button,
               SondeChartsPanel *self)
{
  guint index = index_of_chart (self, g_object_get_data (G_OBJECT (button), "row"));

  if (index != G_MAXUINT)
    sonde_charts_panel_ask_export (self, ((ChartEntry *) g_ptr_array_index (self->charts, index))->chart, FALSE);
}

/* A series of @spec in the feed; NULL (and the reason shown) if the feed
 * refuses it. */
SondeSeries *
sonde_charts_panel_add_to_feed (SondeChartsPanel *self,
             SondeSeriesSpec  *spec)
{
  g_autoptr(GError) error = NULL;
  SondeSeries *series = sonde_series_feed_add_full (self->feed, sonde_series_spec_get_source (spec),
                                                    sonde_series_spec_get_path (spec),
                                                    sonde_series_spec_get_where (spec), NULL, 0, &error);

  if (series == NULL)
    sonde_charts_panel_show_error (self, error->message, SONDE_SERIES_SPEC_PART_NONE);
  return series;
}

static char *
split_label (SondeSeriesSplit *split,
             SondeSeriesSpec  *spec,
             guint             index)
{
  /* TRANSLATORS: one line of a split series: "$.sym = QQQ" */
  return g_strdup_printf (_("%s = %s"), sonde_series_spec_get_split (spec), sonde_series_split_get_key (split, index));
}

/* A split met a new value: one more line, and legend entry. */
static void
on_split_series_added (SondeSeriesSplit *split,
                       guint             index,
                       ChartEntry       *entry)
{
  for (guint i = 0; i < entry->parts->len; i++)
    {
      Part *part = g_ptr_array_index (entry->parts, i);

      if (part->split == split)
        {
          g_autofree char *label = split_label (split, part->spec, index);

          sonde_chart_add_series (entry->chart, sonde_series_split_get_series (split, index), label);
        }
    }
}

static void
remove_from_chart (SondeChart  *chart,
                   SondeSeries *series)
{
  for (guint i = 0; i < sonde_chart_get_n_series (chart); i++)
    {
      if (sonde_chart_get_series (chart, i) == series)
        {
          sonde_chart_remove_series (chart, i);
          return;
        }
    }
}

/* Takes @part's lines out of the chart and the feed. */
static void
part_free (SondeChartsPanel *self,
           ChartEntry       *entry,
           Part             *part)
{
  if (part->split != NULL)
    {
      g_signal_handlers_disconnect_by_func (part->split, on_split_series_added, entry);
      for (guint i = 0; i < sonde_series_split_get_n_series (part->split); i++)
        remove_from_chart (entry->chart, sonde_series_split_get_series (part->split, i));
      sonde_series_feed_remove_split (self->feed, part->split);
    }
  else if (part->series != NULL)
    {
      remove_from_chart (entry->chart, part->series);
      sonde_series_feed_remove (self->feed, part->series);
    }
  sonde_series_spec_unref (part->spec);
  g_free (part);
}

/* @spec's lines in the feed and the chart; NULL (and the reason shown)
 * if the feed refuses it. */
static Part *
part_new (SondeChartsPanel *self,
          ChartEntry       *entry,
          SondeSeriesSpec  *spec)
{
  Part *part;

  if (sonde_series_spec_get_split (spec) != NULL)
    {
      g_autoptr(GError) error = NULL;
      SondeSeriesSplit *split = sonde_series_feed_add_split (self->feed, sonde_series_spec_get_path (spec),
                                                             sonde_series_spec_get_where (spec),
                                                             sonde_series_spec_get_split (spec), NULL, 0, &error);

      if (split == NULL)
        {
          sonde_charts_panel_show_error (self, error->message, SONDE_SERIES_SPEC_PART_NONE);
          return NULL;
        }
      part = g_new0 (Part, 1);
      part->spec = sonde_series_spec_ref (spec);
      part->split = split;
      for (guint i = 0; i < sonde_series_split_get_n_series (split); i++)
        {
          g_autofree char *label = split_label (split, spec, i);

          sonde_chart_add_series (entry->chart, sonde_series_split_get_series (split, i), label);
        }
      g_signal_connect (split, "series-added", G_CALLBACK (on_split_series_added), entry);
    }
  else
    {
      SondeSeries *series = sonde_charts_panel_add_to_feed (self, spec);
      g_autofree char *label = NULL;

      if (series == NULL)
        return NULL;
      part = g_new0 (Part, 1);
      part->spec = sonde_series_spec_ref (spec);
      part->series = series;
      label = sonde_series_spec_dup_label (spec);
      sonde_chart_add_series (entry->chart, series, label);
    }
  return part;
}

/* What the chart's splits left out, as its legend's last line. */
void
sonde_charts_panel_update_note (ChartEntry *entry)
{
  g_autoptr(GString) note = NULL;

  for (guint i = 0; i < entry->parts->len; i++)
    {
      Part *part = g_ptr_array_index (entry->parts, i);
      g_autofree char *values = NULL;
      g_autofree char *messages = NULL;
      guint64 n_messages;
      guint n_values;

      if (part->split == NULL || (n_messages = sonde_series_split_get_n_other_messages (part->split)) == 0)
        continue;
      n_values = sonde_series_split_get_n_other_keys (part->split);
      values = g_strdup_printf ("%s%u", n_values >= SONDE_SERIES_SPLIT_MAX_OTHER_KEYS ? "≥" : "", n_values);
      messages = g_strdup_printf ("%" G_GUINT64_FORMAT, n_messages);
      if (note == NULL)
        note = g_string_new (NULL);
      else
        g_string_append (note, "; ");
      g_string_append_printf (note,
                              /* TRANSLATORS: what a split chart leaves out, as the legend's last line:
                               * "$.sym: other (past 8 lines, not charted): 2 values, 120 messages" */
                              _("%s: other (past %u lines, not charted): %s values, %s messages"),
                              sonde_series_spec_get_split (part->spec), sonde_series_split_get_max_series (part->split),
                              values, messages);
    }
  sonde_chart_set_note (entry->chart, note ? note->str : NULL);
}

/* The chart shows what its definition holds: the series they share at the
 * start stay (with their points), the rest is made again. */
void
sonde_charts_panel_sync_chart (SondeChartsPanel *self,
            ChartEntry       *entry)
{
  guint n = sonde_chart_def_get_n_series (entry->def);
  guint keep = 0;
  g_autofree char *title = NULL;

  /* Only the export mark changed: the line stays, points and all. */
  while (keep < entry->parts->len && keep < n &&
         sonde_series_spec_reads_same (((Part *) g_ptr_array_index (entry->parts, keep))->spec,
                                       sonde_chart_def_get_series (entry->def, keep)))
    {
      Part *part = g_ptr_array_index (entry->parts, keep);

      sonde_series_spec_unref (part->spec);
      part->spec = sonde_series_spec_ref (sonde_chart_def_get_series (entry->def, keep));
      keep++;
    }

  while (entry->parts->len > keep)
    part_free (self, entry, g_ptr_array_steal_index (entry->parts, entry->parts->len - 1));

  for (guint i = keep; i < n; i++)
    {
      Part *part = part_new (self, entry, sonde_chart_def_get_series (entry->def, i));

      if (part == NULL)
        break;
      g_ptr_array_add (entry->parts, part);
    }
  sonde_charts_panel_update_note (entry);

  title = sonde_chart_def_dup_title (entry->def);
  gtk_label_set_label (entry->title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry->chart), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

static ChartEntry *
entry_of_editor (SondeChartsPanel  *self,
                 SondeSeriesEditor *editor,
                 guint             *index)
{
  for (guint i = 0; i < self->charts->len; i++)
    {
      ChartEntry *entry = g_ptr_array_index (self->charts, i);

      if (entry->editor == editor)
        {
          *index = i;
          return entry;
        }
    }
  return NULL;
}

/* The editor opens on what the chart shows now. */
static void
on_editor_show (SondeSeriesEditor *editor,
                SondeChartsPanel  *self)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new ();
  ChartEntry *entry;
  guint chart;

  if ((entry = entry_of_editor (self, editor, &chart)) == NULL)
    return;
  for (guint i = 0; i < sonde_chart_def_get_n_series (entry->def); i++)
    g_ptr_array_add (specs, sonde_chart_def_get_series (entry->def, i));
  sonde_series_editor_set_series (entry->editor, (SondeSeriesSpec **) specs->pdata, specs->len);
}

/* Apply in a chart's editor: the list changes (and the chart follows), or
 * the editor marks the entry that is wrong. */
static void
on_editor_apply (SondeSeriesEditor *editor,
                 guint              index,
                 const char        *path,
                 const char        *where,
                 const char        *split,
                 gboolean           export,
                 SondeChartsPanel  *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeSeriesSpec) spec = NULL;
  g_autoptr(SondeSeriesSpec) read = NULL;
  SondeSeriesSpec *old;
  SondeSeriesSpecPart part;
  ChartEntry *entry;
  guint chart;

  if ((entry = entry_of_editor (self, editor, &chart)) == NULL)
    return;
  if (*path == '\0')
    {
      sonde_series_editor_show_error (editor, SONDE_SERIES_SPEC_PART_PATH,
                                      _("Type the path of a numeric field, such as $.price"));
      return;
    }
  read = sonde_series_spec_new_split (path, where, split);
  /* The latency series shows its path: left as it was, it stays the
   * latency probe's (only its export mark changed). */
  old = index < sonde_chart_def_get_n_series (entry->def) ? sonde_chart_def_get_series (entry->def, index) : NULL;
  if (old != NULL && sonde_series_spec_get_source (old) == SONDE_SERIES_SOURCE_LATENCY &&
      g_str_equal (path, sonde_series_spec_get_path (old)) && *where == '\0' && *split == '\0')
    {
      sonde_series_spec_unref (read);
      read = sonde_series_spec_ref (old);
    }
  spec = sonde_series_spec_copy_with_export (read, export);
  part = sonde_series_spec_check_part (spec, &error);
  if (part != SONDE_SERIES_SPEC_PART_NONE ||
      !sonde_chart_list_replace_series (self->list, chart, index, spec, &error))
    {
      sonde_series_editor_show_error (editor, part, error->message);
      return;
    }
  sonde_series_editor_show_error (editor, SONDE_SERIES_SPEC_PART_NONE, NULL);
  gtk_popover_popdown (GTK_POPOVER (editor));
}

/* A chart's row (not yet in charts_box): its title, buttons and chart. */
ChartEntry *
sonde_charts_panel_chart_new (SondeChartsPanel *self,
                 SondeChartDef    *def)
{
  ChartEntry *entry = g_new0 (ChartEntry, 1);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *title = gtk_label_new (NULL);

  entry->def = g_object_ref (def);
  entry->parts = g_ptr_array_new ();
  entry->row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (entry->row, "card");
  entry->chart = SONDE_CHART (sonde_chart_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (entry->chart), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (entry->chart), -1, 160);
  sonde_chart_set_window (entry->chart, sonde_charts_panel_window_us (self));
  sonde_chart_set_paused (entry->chart, gtk_toggle_button_get_active (self->pause_button));
  sonde_chart_set_integrity (entry->chart, self->integrity);

  entry->title = GTK_LABEL (title);
  gtk_label_set_xalign (entry->title, 0);
  gtk_label_set_ellipsize (entry->title, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_set_margin_start (title, 8);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (header), title);

  entry->edit = GTK_MENU_BUTTON (gtk_menu_button_new ());
  entry->editor = SONDE_SERIES_EDITOR (sonde_series_editor_new ());
  gtk_menu_button_set_icon_name (entry->edit, "document-edit-symbolic");
  gtk_menu_button_set_popover (entry->edit, GTK_WIDGET (entry->editor));
  gtk_widget_add_css_class (GTK_WIDGET (entry->edit), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry->edit), _("Edit a series: its path, condition or split"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry->edit), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Edit the series"), -1);
  g_signal_connect (entry->editor, "show", G_CALLBACK (on_editor_show), self);
  g_signal_connect (entry->editor, "apply", G_CALLBACK (on_editor_apply), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (entry->edit));

  gtk_box_append (GTK_BOX (header), sonde_charts_panel_icon_button ("image-x-generic-symbolic", _("Save as PNG"),
                                                 G_CALLBACK (on_export_png), self, entry->row));
  gtk_box_append (GTK_BOX (header), sonde_charts_panel_icon_button ("x-office-spreadsheet-symbolic", _("Export the series as CSV"),
                                                 G_CALLBACK (on_export_csv), self, entry->row));
  gtk_box_append (GTK_BOX (header), sonde_charts_panel_icon_button ("window-close-symbolic", _("Remove the chart"),
                                                 G_CALLBACK (on_remove_chart), self, entry->row));
  gtk_box_append (GTK_BOX (entry->row), header);
  gtk_box_append (GTK_BOX (entry->row), GTK_WIDGET (entry->chart));

  sonde_charts_panel_sync_chart (self, entry);
  return entry;
}

/* Takes the chart's series out of the feed and frees @entry (and, with
 * @remove_row, its row). */
void
sonde_charts_panel_chart_free (SondeChartsPanel *self,
                  ChartEntry       *entry,
                  gboolean          remove_row)
{
  while (entry->parts->len > 0)
    part_free (self, entry, g_ptr_array_steal_index (entry->parts, entry->parts->len - 1));
  g_signal_handlers_disconnect_by_data (entry->editor, self);
  if (remove_row)
    gtk_box_remove (self->charts_box, entry->row);
  g_object_unref (entry->def);
  g_ptr_array_unref (entry->parts);
  g_free (entry);
}

