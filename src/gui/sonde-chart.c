/* sonde-chart.c: live line charts of series
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A time window (the last 10 s to 1 h, or everything) of several series,
 * each reduced by its min/max pyramid to one column per pixel: a line
 * through each column's first, min, max and last value, broken where the
 * series has a gap. The y axis scales itself to what is in view (or keeps
 * fixed limits) with round ticks; a legend gives last, min, max and mean
 * (one line per series, and a note such as what a split left out);
 * the pointer shows a crosshair with the time and each series' value.
 *
 * It redraws at most once per frame, and only when a series changed or the
 * window moved by a pixel: a tick callback compares series serials and the
 * time under the plot. Grid and axes are rectangles and text nodes. The
 * series go into one image of the plot, appended as a texture: each
 * column with values is a bar from its min to its max (joined to the
 * value before it), blended into the pixels directly, and cairo strokes
 * join values that columns without values separate. On the cairo renderer
 * one stroke through every column cost ~60 ms a frame for 4 series of 1M
 * points in view; the bars cost under a millisecond (bench/chart-fps.c).
 *
 * With a feed-integrity checker, a gap, duplicate or out-of-order value
 * in view is a thin vertical marker at its message's arrival time (red for
 * a gap, orange for the others): one rectangle each, read from the
 * checker's kept violations (at most SONDE_INTEGRITY_KEPT), several in
 * one pixel column drawn once.
 *
 * This file is the widget (its series, window, limits, pause, when to
 * redraw, the crosshair's text, PNG); the drawing is sonde-chart-draw.c.
 */

#define G_LOG_DOMAIN "sonde-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "sonde-chart-private.h"

G_DEFINE_FINAL_TYPE (SondeChart, sonde_chart, GTK_TYPE_WIDGET)

/* Colours that read on light and dark backgrounds (GNOME's palette). */
static const char *palette[] = {
  "#3584e4", "#e66100", "#2ec27e", "#9141ac", "#e01b24", "#986a44", "#f5c211", "#1c71d8",
};

static gint64
default_now (gpointer data)
{
  return g_get_real_time ();
}

static void
chart_series_free (gpointer data)
{
  ChartSeries *entry = data;

  g_clear_object (&entry->series);
  g_free (entry->label);
  g_free (entry);
}

/* Once per frame: redraw if a series changed, or if the window moved by at
 * least one pixel column. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  SondeChart *self = SONDE_CHART (widget);
  gboolean changed = FALSE;
  gint64 start, end;

  if (self->paused)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < self->series->len && !changed; i++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, i);

      changed = sonde_series_get_serial (entry->series) != entry->drawn_serial;
    }
  if (self->integrity != NULL && sonde_integrity_get_serial (self->integrity) != self->drawn_integrity)
    changed = TRUE;

  if (!changed && self->window_us > 0 && self->plot.size.width > 0)
    {
      sonde_chart_compute_time_range (self, &start, &end);
      changed = (double) (end - self->end_us) >= (double) self->window_us / self->plot.size.width;
    }

  if (changed)
    gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SondeChart               *self)
{
  sonde_chart_set_crosshair (self, x);
}

static void
on_leave (GtkEventControllerMotion *controller,
          SondeChart               *self)
{
  sonde_chart_set_crosshair (self, -1);
}

static void
sonde_chart_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  SondeChart *self = SONDE_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 600;
    }
  else
    {
      *minimum = 120 + (int) sonde_chart_legend_lines (self) * LEGEND_LINE;
      *natural = 220 + (int) sonde_chart_legend_lines (self) * LEGEND_LINE;
    }
}

static void
sonde_chart_map (GtkWidget *widget)
{
  SondeChart *self = SONDE_CHART (widget);

  GTK_WIDGET_CLASS (sonde_chart_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
sonde_chart_unmap (GtkWidget *widget)
{
  SondeChart *self = SONDE_CHART (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  /* Out of sight, it draws nothing: no need for spare images. */
  g_ptr_array_set_size (self->pool->spare, 0);
  GTK_WIDGET_CLASS (sonde_chart_parent_class)->unmap (widget);
}

static void
sonde_chart_finalize (GObject *object)
{
  SondeChart *self = (SondeChart *) object;

  g_ptr_array_unref (self->series);
  g_clear_object (&self->integrity);
  g_free (self->note);
  g_free (self->columns);
  sonde_chart_pool_close (g_steal_pointer (&self->pool));

  G_OBJECT_CLASS (sonde_chart_parent_class)->finalize (object);
}

static void
sonde_chart_class_init (SondeChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sonde_chart_finalize;

  widget_class->snapshot = sonde_chart_snapshot;
  widget_class->measure = sonde_chart_measure;
  widget_class->map = sonde_chart_map;
  widget_class->unmap = sonde_chart_unmap;

  gtk_widget_class_set_css_name (widget_class, "sondechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sonde_chart_init (SondeChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_ptr_array_new_with_free_func (chart_series_free);
  self->pool = sonde_chart_pool_new ();
  self->now = default_now;
  self->window_us = (gint64) 60 * G_USEC_PER_SEC;
  self->y_auto = TRUE;
  self->crosshair_x = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chart"), -1);
}

GtkWidget *
sonde_chart_new (void)
{
  return g_object_new (SONDE_TYPE_CHART, NULL);
}

/* Adds @series, drawn in the next palette colour; returns its index. */
guint
sonde_chart_add_series (SondeChart  *self,
                        SondeSeries *series,
                        const char  *label)
{
  ChartSeries *entry;

  g_return_val_if_fail (SONDE_IS_CHART (self), 0);
  g_return_val_if_fail (SONDE_IS_SERIES (series), 0);

  entry = g_new0 (ChartSeries, 1);
  entry->series = g_object_ref (series);
  entry->label = g_strdup (label ? label : "");
  entry->drawn_serial = G_MAXUINT64;
  gdk_rgba_parse (&entry->color, palette[self->series->len % G_N_ELEMENTS (palette)]);
  g_ptr_array_add (self->series, entry);

  gtk_widget_queue_resize (GTK_WIDGET (self));
  return self->series->len - 1;
}

void
sonde_chart_remove_series (SondeChart *self,
                           guint       index)
{
  g_return_if_fail (SONDE_IS_CHART (self));
  g_return_if_fail (index < self->series->len);

  g_ptr_array_remove_index (self->series, index);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
sonde_chart_get_n_series (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), 0);

  return self->series->len;
}

SondeSeries *
sonde_chart_get_series (SondeChart *self,
                        guint       index)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return ((ChartSeries *) g_ptr_array_index (self->series, index))->series;
}

const char *
sonde_chart_get_label (SondeChart *self,
                       guint       index)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return ((ChartSeries *) g_ptr_array_index (self->series, index))->label;
}

void
sonde_chart_get_color (SondeChart *self,
                       guint       index,
                       GdkRGBA    *color)
{
  g_return_if_fail (SONDE_IS_CHART (self));
  g_return_if_fail (index < self->series->len);

  *color = ((ChartSeries *) g_ptr_array_index (self->series, index))->color;
}

void
sonde_chart_set_note (SondeChart *self,
                      const char *note)
{
  gboolean resize;

  g_return_if_fail (SONDE_IS_CHART (self));

  if (g_strcmp0 (self->note, note) == 0)
    return;
  resize = (self->note == NULL) != (note == NULL);
  g_free (self->note);
  self->note = g_strdup (note);
  if (resize)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
sonde_chart_get_note (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), NULL);

  return self->note;
}

gint64
sonde_chart_get_window (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), 0);

  return self->window_us;
}

/* The time shown: the last @window_us up to now, or SONDE_CHART_WINDOW_ALL. */
void
sonde_chart_set_window (SondeChart *self,
                        gint64      window_us)
{
  g_return_if_fail (SONDE_IS_CHART (self));
  g_return_if_fail (window_us >= 0);

  self->window_us = window_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Automatic y limits (what is in view, with a margin), or fixed ones. */
void
sonde_chart_set_y_limits (SondeChart *self,
                          gboolean    automatic,
                          double      min,
                          double      max)
{
  g_return_if_fail (SONDE_IS_CHART (self));
  g_return_if_fail (automatic || min < max);

  self->y_auto = automatic;
  self->y_fixed_min = min;
  self->y_fixed_max = max;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The y range of the last drawing. */
void
sonde_chart_get_y_range (SondeChart *self,
                         double     *min,
                         double     *max)
{
  g_return_if_fail (SONDE_IS_CHART (self));

  *min = self->y_min;
  *max = self->y_max;
}

gboolean
sonde_chart_get_paused (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), FALSE);

  return self->paused;
}

/* Freezes the view; the series go on receiving points. */
void
sonde_chart_set_paused (SondeChart *self,
                        gboolean    paused)
{
  g_return_if_fail (SONDE_IS_CHART (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  if (paused)
    self->paused_end_us = self->end_us > 0 ? self->end_us : self->now (self->now_data);
  self->paused = paused;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The clock of the chart's "now" (for tests; default g_get_real_time). */
void
sonde_chart_set_now_func (SondeChart *self,
                          gint64    (*now) (gpointer data),
                          gpointer    data)
{
  g_return_if_fail (SONDE_IS_CHART (self));

  self->now = now ? now : default_now;
  self->now_data = data;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The time span of the last drawing. */
void
sonde_chart_get_time_range (SondeChart *self,
                            gint64     *start_us,
                            gint64     *end_us)
{
  g_return_if_fail (SONDE_IS_CHART (self));

  *start_us = self->start_us;
  *end_us = self->end_us;
}

/* How many times the chart has drawn (to check it redraws only when
 * something changed). */
guint
sonde_chart_get_n_draws (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), 0);

  return self->n_draws;
}

/* Vertices in the last drawing's lines, all series together: each column
 * with values counts its bar's two ends (one when it is flat). */
guint
sonde_chart_get_n_vertices (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), 0);

  return self->n_vertices;
}

/* Where @time_us falls in the last drawing; FALSE outside the plot. */
gboolean
sonde_chart_time_to_x (SondeChart *self,
                       gint64      time_us,
                       double     *x)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), FALSE);

  if (self->end_us <= self->start_us || time_us < self->start_us || time_us > self->end_us)
    return FALSE;
  *x = sonde_chart_time_x (self, time_us);
  return TRUE;
}

gboolean
sonde_chart_value_to_y (SondeChart *self,
                        double      value,
                        double     *y)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), FALSE);

  if (self->y_max <= self->y_min || value < self->y_min || value > self->y_max)
    return FALSE;
  *y = sonde_chart_value_y (self, value);
  return TRUE;
}

/* Puts the crosshair at @x (widget coordinates), or hides it (x < 0). */
void
sonde_chart_set_crosshair (SondeChart *self,
                           double      x)
{
  g_return_if_fail (SONDE_IS_CHART (self));

  if (self->crosshair_x == x)
    return;
  self->crosshair_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Whether the line of @series is broken at @time_us, past its value at
 * @value_us (the last one at or before @time_us): a gap lies between that
 * value and the next one, or the series ends with a gap before @time_us.
 * The line is not drawn there, so the crosshair shows no value. */
static gboolean
in_gap (SondeSeries *series,
        gint64       value_us,
        gint64       time_us)
{
  guint n = sonde_series_get_n_points (series);
  SondeSeriesColumn column;
  gint64 first, last, gap_us;
  double value;

  if (n > 0 && sonde_series_get_point (series, n - 1, &gap_us, &value) && isnan (value) && gap_us <= time_us)
    return gap_us > value_us;

  /* The next value after @time_us says whether a gap comes before it. */
  if (!sonde_series_get_time_range (series, &first, &last) || last <= time_us)
    return FALSE;
  sonde_series_reduce (series, time_us + 1, last + 1, 1, &column);
  return column.n_points > 0 && column.gap_before;
}

/* The crosshair's label: its time and each series' value there (none
 * where the series' line is broken by a gap). */
char *
sonde_chart_dup_crosshair_text (SondeChart *self)
{
  GString *out;
  char time_text[32];
  gint64 time_us;

  g_return_val_if_fail (SONDE_IS_CHART (self), NULL);

  if (self->crosshair_x < self->plot.origin.x || self->plot.size.width <= 0 || self->end_us <= self->start_us)
    return NULL;

  time_us = self->start_us + (gint64) ((self->crosshair_x - self->plot.origin.x) / self->plot.size.width *
                                       (double) (self->end_us - self->start_us));
  sonde_chart_format_time (time_text, sizeof time_text, time_us, TRUE);
  out = g_string_new (time_text);

  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, i);
      gint64 at;
      double value;
      char text[32];

      if (sonde_series_value_at (entry->series, time_us, &at, &value) && at >= self->start_us &&
          !in_gap (entry->series, at, time_us))
        {
          sonde_chart_format_value (text, sizeof text, value);
          g_string_append_printf (out, "\n%s: %s", entry->label, text);
        }
      else
        g_string_append_printf (out, "\n%s: —", entry->label);
    }

  return g_string_free (out, FALSE);
}

/* Draws the chart as it is now into a PNG file of the widget's size. */
gboolean
sonde_chart_save_png (SondeChart  *self,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GskRenderer) renderer = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  GdkRGBA background;

  g_return_val_if_fail (SONDE_IS_CHART (self), FALSE);

  /* On the window's background, as the user sees it. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), "view_bg_color", &background))
    gdk_rgba_parse (&background, "white");
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (width == 0 || height == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The chart is not on screen yet"));
      return FALSE;
    }
  sonde_chart_snapshot (GTK_WIDGET (self), snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, error))
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”"), path);
      return FALSE;
    }
  return TRUE;
}

/* Marks @integrity's sequence violations (gaps, duplicates, out of order)
 * at their time; NULL: no markers. */
void
sonde_chart_set_integrity (SondeChart     *self,
                           SondeIntegrity *integrity)
{
  g_return_if_fail (SONDE_IS_CHART (self));
  g_return_if_fail (integrity == NULL || SONDE_IS_INTEGRITY (integrity));

  if (g_set_object (&self->integrity, integrity))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The markers the last drawing made (for tests). */
guint
sonde_chart_get_n_markers (SondeChart *self)
{
  g_return_val_if_fail (SONDE_IS_CHART (self), 0);

  return self->n_markers;
}
