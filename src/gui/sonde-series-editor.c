/* sonde-series-editor.c: edit one series of a chart in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A popover under a chart's Edit button: choose one of the chart's series,
 * change its path, condition or split, mark it for export to Prometheus
 * (sonde_value in `sonde-cli monitor`), Apply. The editor only asks
 * ("apply"); whoever owns the layout changes it, and tells the editor
 * what was wrong, if anything: the entry that holds the mistake turns red.
 */

#define G_LOG_DOMAIN "sonde-series-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-gui-util.h"
#include "sonde-series-editor.h"

struct _SondeSeriesEditor
{
  GtkPopover       parent_instance;

  /* template widgets */
  GtkLabel        *series_label;
  GtkDropDown     *series_dropdown;
  GtkEntry        *path_entry;
  GtkEntry        *where_entry;
  GtkEntry        *split_entry;
  GtkCheckButton  *export_check;
  GtkLabel        *error_label;

  /* owned */
  GPtrArray       *specs;        /* SondeSeriesSpec* */
  GtkStringList   *labels;

  SondeSeriesSpecPart error_part;
};

G_DEFINE_FINAL_TYPE (SondeSeriesEditor, sonde_series_editor, GTK_TYPE_POPOVER)

enum {
  APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fill_entries (SondeSeriesEditor *self)
{
  guint index = sonde_series_editor_get_index (self);
  SondeSeriesSpec *spec;

  if (index >= self->specs->len)
    return;
  spec = g_ptr_array_index (self->specs, index);
  sonde_series_editor_set_text (self, sonde_series_spec_get_path (spec), sonde_series_spec_get_where (spec),
                                sonde_series_spec_get_split (spec));
  gtk_check_button_set_active (self->export_check, sonde_series_spec_get_export (spec));
  sonde_series_editor_show_error (self, SONDE_SERIES_SPEC_PART_NONE, NULL);
}

static void
on_series_selected (SondeSeriesEditor *self)
{
  fill_entries (self);
}

static void
on_apply (SondeSeriesEditor *self)
{
  g_signal_emit (self, signals[APPLY], 0, sonde_series_editor_get_index (self),
                 gtk_editable_get_text (GTK_EDITABLE (self->path_entry)),
                 gtk_editable_get_text (GTK_EDITABLE (self->where_entry)),
                 gtk_editable_get_text (GTK_EDITABLE (self->split_entry)),
                 gtk_check_button_get_active (self->export_check));
}

static void
sonde_series_editor_dispose (GObject *object)
{
  SondeSeriesEditor *self = (SondeSeriesEditor *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_SERIES_EDITOR);
  g_clear_object (&self->labels);

  G_OBJECT_CLASS (sonde_series_editor_parent_class)->dispose (object);
}

static void
sonde_series_editor_finalize (GObject *object)
{
  SondeSeriesEditor *self = (SondeSeriesEditor *) object;

  g_ptr_array_unref (self->specs);

  G_OBJECT_CLASS (sonde_series_editor_parent_class)->finalize (object);
}

static void
sonde_series_editor_class_init (SondeSeriesEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_series_editor_dispose;
  object_class->finalize = sonde_series_editor_finalize;

  /**
   * SondeSeriesEditor::apply:
   * @index: the series
   * @path: its path as typed
   * @where: its condition ("" for all messages)
   * @split: its split ("" for one line)
   * @export: marked for export to Prometheus
   */
  signals[APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 5, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                 G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-series-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, series_label);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, series_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, path_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, where_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, split_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, export_check);
  gtk_widget_class_bind_template_child (widget_class, SondeSeriesEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_series_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_apply);
}

static void
sonde_series_editor_init (SondeSeriesEditor *self)
{
  self->specs = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_series_spec_unref);
  self->labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (self->series_dropdown, G_LIST_MODEL (self->labels));
  sonde_gui_name_drop_down (self->series_dropdown, _("Series"));
}

GtkWidget *
sonde_series_editor_new (void)
{
  return g_object_new (SONDE_TYPE_SERIES_EDITOR, NULL);
}

void
sonde_series_editor_set_series (SondeSeriesEditor  *self,
                                SondeSeriesSpec   **specs,
                                guint               n_specs)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (SONDE_IS_SERIES_EDITOR (self));

  g_ptr_array_set_size (self->specs, 0);
  for (guint i = 0; i < n_specs; i++)
    {
      g_ptr_array_add (self->specs, sonde_series_spec_ref (specs[i]));
      g_ptr_array_add (labels, sonde_series_spec_dup_label (specs[i]));
    }
  g_ptr_array_add (labels, NULL);
  gtk_string_list_splice (self->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->labels)),
                          (const char * const *) labels->pdata);

  /* One series: nothing to choose. */
  gtk_widget_set_visible (GTK_WIDGET (self->series_dropdown), n_specs > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->series_label), n_specs > 1);
  gtk_drop_down_set_selected (self->series_dropdown, 0);
  fill_entries (self);
}

guint
sonde_series_editor_get_index (SondeSeriesEditor *self)
{
  guint selected;

  g_return_val_if_fail (SONDE_IS_SERIES_EDITOR (self), 0);

  selected = gtk_drop_down_get_selected (self->series_dropdown);
  return selected == GTK_INVALID_LIST_POSITION ? 0 : selected;
}

void
sonde_series_editor_set_index (SondeSeriesEditor *self,
                               guint              index)
{
  g_return_if_fail (SONDE_IS_SERIES_EDITOR (self));
  g_return_if_fail (index < self->specs->len);

  gtk_drop_down_set_selected (self->series_dropdown, index);
}

void
sonde_series_editor_set_text (SondeSeriesEditor *self,
                              const char        *path,
                              const char        *where,
                              const char        *split)
{
  g_return_if_fail (SONDE_IS_SERIES_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), path ? path : "");
  gtk_editable_set_text (GTK_EDITABLE (self->where_entry), where ? where : "");
  gtk_editable_set_text (GTK_EDITABLE (self->split_entry), split ? split : "");
}

static void
mark (GtkEntry *entry,
      gboolean  wrong)
{
  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

void
sonde_series_editor_show_error (SondeSeriesEditor   *self,
                                SondeSeriesSpecPart  part,
                                const char          *message)
{
  g_return_if_fail (SONDE_IS_SERIES_EDITOR (self));

  self->error_part = message != NULL ? part : SONDE_SERIES_SPEC_PART_NONE;
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  mark (self->path_entry, self->error_part == SONDE_SERIES_SPEC_PART_PATH);
  mark (self->where_entry, self->error_part == SONDE_SERIES_SPEC_PART_WHERE);
  mark (self->split_entry, self->error_part == SONDE_SERIES_SPEC_PART_SPLIT);
}

SondeSeriesSpecPart
sonde_series_editor_get_error_part (SondeSeriesEditor *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES_EDITOR (self), SONDE_SERIES_SPEC_PART_NONE);

  return self->error_part;
}
