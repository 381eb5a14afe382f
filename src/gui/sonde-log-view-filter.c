/* sonde-log-view-filter.c: the log view's filter bar and its count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The search entry (text or a regular expression), the direction and kind
 * toggles (In, Out, Events, Text, Binary, Pings, Frames) and the
 * "812 of 9,441 messages" count: what they set on the view's
 * SondeFilterModel.
 */

#define G_LOG_DOMAIN "sonde-log-view"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-log-view-private.h"

static void
apply_toggles (SondeLogView *self)
{
  guint directions = 0;
  guint kinds = 0;

  if (gtk_toggle_button_get_active (self->in_toggle))
    directions |= SONDE_FILTER_DIRECTION_IN;
  if (gtk_toggle_button_get_active (self->out_toggle))
    directions |= SONDE_FILTER_DIRECTION_OUT;
  if (gtk_toggle_button_get_active (self->events_toggle))
    directions |= SONDE_FILTER_DIRECTION_EVENT;
  if (gtk_toggle_button_get_active (self->text_toggle))
    kinds |= SONDE_FILTER_KIND_TEXT;
  if (gtk_toggle_button_get_active (self->binary_toggle))
    kinds |= SONDE_FILTER_KIND_BINARY;
  if (gtk_toggle_button_get_active (self->pings_toggle))
    kinds |= SONDE_FILTER_KIND_PINGS;
  /* Frames off: none are made, and those made while it was on are hidden
   * (until then there are none to hide, and the model need not filter). */
  if (gtk_toggle_button_get_active (self->frames_toggle))
    self->frames_were_shown = TRUE;
  if (gtk_toggle_button_get_active (self->frames_toggle) || !self->frames_were_shown)
    kinds |= SONDE_FILTER_KIND_FRAMES;

  sonde_filter_model_set_directions (self->model, directions);
  sonde_filter_model_set_kinds (self->model, kinds);
  sonde_log_view_queue_refresh_count (self);
}

static void
on_toggles_changed (SondeLogView *self)
{
  apply_toggles (self);
}

/* The view shows frame records; whoever owns the connection makes them
 * while "show-frames" is on. */
static void
on_frames_toggled (SondeLogView *self)
{
  apply_toggles (self);
  sonde_log_view_notify_show_frames (self);
}

static void
on_filter_changed (SondeLogView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->filter_entry));
  gboolean regex = gtk_toggle_button_get_active (self->regex_toggle);
  g_autoptr(GError) error = NULL;

  if (sonde_filter_model_set_query (self->model, text, regex, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->filter_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->filter_entry), NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), FALSE);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->filter_entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  else
    {
      /* Red alone does not say what is wrong: the reason shows under the
       * field, and a screen reader hears it as the field's description. */
      const char *message = error->message;   /* "Invalid regular expression: …" */

      gtk_widget_add_css_class (GTK_WIDGET (self->filter_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->filter_entry), message);
      gtk_label_set_label (self->filter_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->filter_entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
      return;
    }

  sonde_log_view_queue_refresh_count (self);
}

static void
on_filter_stop (SondeLogView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

void
sonde_log_view_filter_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, filter_error);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, regex_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, in_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, out_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, events_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, text_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, binary_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, pings_toggle);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, frames_toggle);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_toggles_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_frames_toggled);
}

gboolean
sonde_log_view_get_show_frames (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  return gtk_toggle_button_get_active (self->frames_toggle);
}

/* Turns the Frames toggle on or off (it notifies "show-frames"). */
void
sonde_log_view_set_show_frames (SondeLogView *self,
                                gboolean      show)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  gtk_toggle_button_set_active (self->frames_toggle, show);
}

void
sonde_log_view_focus_filter (SondeLogView *self)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->filter_entry));
}

/* Sets the filter as if typed (for tests and for "filter by this"). */
gboolean
sonde_log_view_set_filter (SondeLogView *self,
                           const char   *text,
                           gboolean      regex)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  /* Setting the text clears it first, which a search entry announces at
   * once: apply the new filter only once, when it is all there. */
  g_signal_handlers_block_by_func (self->regex_toggle, on_filter_changed, self);
  g_signal_handlers_block_by_func (self->filter_entry, on_filter_changed, self);
  gtk_toggle_button_set_active (self->regex_toggle, regex);
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text ? text : "");
  g_signal_handlers_unblock_by_func (self->filter_entry, on_filter_changed, self);
  g_signal_handlers_unblock_by_func (self->regex_toggle, on_filter_changed, self);
  on_filter_changed (self);
  return !gtk_widget_has_css_class (GTK_WIDGET (self->filter_entry), "error");
}

/* "812 of 9,441 messages", as the count label shows it. */
char *
sonde_log_view_dup_count_text (SondeLogView *self)
{
  /* Rows kept for evicted records are not messages any more. */
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->model)) -
                sonde_filter_model_get_n_held (self->model);
  guint total = sonde_filter_model_get_n_total (self->model);
  guint pending = sonde_filter_model_get_n_pending (self->model);
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), NULL);

  if (sonde_filter_model_get_filtering (self->model))
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%'u of %'u message", "%'u of %'u messages", total),
                            shown, total);
  else
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%'u message", "%'u messages", shown), shown);

  if (sonde_filter_model_get_paused (self->model))
    g_string_append_printf (out, _(" · paused, %'u waiting"), pending);
  else if (sonde_filter_model_get_scanning (self->model))
    g_string_append (out, _(" · filtering…"));

  return g_string_free (out, FALSE);
}
