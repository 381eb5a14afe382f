/* sonde-chart-draw.c: a chart's drawing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Grid and axes are rectangles and text nodes. The series go into one
 * image of the plot, appended as a texture: each column with values is a
 * bar from its min to its max (joined to the value before it), blended
 * into the pixels directly, and cairo strokes join values that columns
 * without values separate; the images come from a small pool (see
 * BufferPool). Then the feed-integrity markers, the legend and the
 * crosshair. What SondeChart is and when it draws: sonde-chart.c.
 */

#define G_LOG_DOMAIN "sonde-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "sonde-chart-private.h"

static void
buffer_free (gpointer data)
{
  Buffer *buffer = data;

  g_free (buffer->data);
  g_free (buffer);
}

static void
pool_clear (gpointer data)
{
  BufferPool *pool = data;

  g_ptr_array_unref (pool->spare);
}

BufferPool *
sonde_chart_pool_new (void)
{
  BufferPool *pool = g_rc_box_new0 (BufferPool);

  pool->spare = g_ptr_array_new_with_free_func (buffer_free);
  return pool;
}

/* A zeroed buffer of @size bytes, holding a reference to @pool. */
static Buffer *
pool_take (BufferPool *pool,
           gsize       size)
{
  Buffer *buffer = NULL;

  for (guint i = 0; i < pool->spare->len; i++)
    {
      Buffer *spare = g_ptr_array_index (pool->spare, i);

      if (spare->size >= size)
        {
          buffer = g_ptr_array_steal_index_fast (pool->spare, i);
          memset (buffer->data, 0, size);
          break;
        }
    }
  if (buffer == NULL)
    {
      /* Too small for what is drawn now: let the spares go. */
      g_ptr_array_set_size (pool->spare, 0);
      buffer = g_new0 (Buffer, 1);
      buffer->size = size;
      buffer->data = g_malloc0 (size);
    }
  buffer->pool = g_rc_box_acquire (pool);
  return buffer;
}

void
sonde_chart_pool_close (BufferPool *pool)
{
  pool->closed = TRUE;
  g_ptr_array_set_size (pool->spare, 0);
  g_rc_box_release_full (pool, pool_clear);
}

/* When a texture lets its buffer go. */
static void
pool_give_back (gpointer data)
{
  Buffer *buffer = data;
  BufferPool *pool = g_steal_pointer (&buffer->pool);

  if (!pool->closed && pool->spare->len < POOL_SPARE)
    g_ptr_array_add (pool->spare, buffer);
  else
    buffer_free (buffer);
  g_rc_box_release_full (pool, pool_clear);
}

/* Round numbers for ticks: 1, 2 or 5 times a power of ten. */
static double
nice_step (double span,
           int    max_ticks)
{
  double raw = span / MAX (max_ticks, 1);
  double magnitude = pow (10, floor (log10 (raw)));
  double normalized = raw / magnitude;

  if (normalized <= 1)
    return magnitude;
  if (normalized <= 2)
    return 2 * magnitude;
  if (normalized <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

void
sonde_chart_format_value (char   *buffer,
              gsize   size,
              double  value)
{
  double magnitude = fabs (value);

  /* Whole numbers as such (a volume of 497, not 497.0); fractions with
   * the digits a price has (101.19, not 101.2); the very large and the
   * very small in exponent form. */
  if (magnitude != 0 && (magnitude >= 1e7 || magnitude < 1e-3))
    g_snprintf (buffer, size, "%.3g", value);
  else if (value == floor (value))
    g_snprintf (buffer, size, "%.0f", value);
  else
    g_snprintf (buffer, size, "%.6g", value);
}

void
sonde_chart_format_time (char   *buffer,
             gsize   size,
             gint64  time_us,
             gboolean with_ms)
{
  time_t seconds = (time_t) (time_us / G_USEC_PER_SEC);
  struct tm tm;

  if (localtime_r (&seconds, &tm) == NULL)
    {
      g_strlcpy (buffer, "--:--:--", size);
      return;
    }
  if (with_ms)
    g_snprintf (buffer, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                (int) ((time_us % G_USEC_PER_SEC) / 1000));
  else
    g_snprintf (buffer, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The time span on screen: the last window up to now (or the pause), or
 * everything the series hold. */
void
sonde_chart_compute_time_range (SondeChart *self,
                    gint64     *start_us,
                    gint64     *end_us)
{
  gint64 end = self->paused ? self->paused_end_us : self->now (self->now_data);

  if (self->window_us > 0)
    {
      *start_us = end - self->window_us;
      *end_us = end;
      return;
    }

  *start_us = G_MAXINT64;
  *end_us = G_MININT64;
  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, i);
      gint64 first, last;

      if (sonde_series_get_time_range (entry->series, &first, &last))
        {
          *start_us = MIN (*start_us, first);
          *end_us = MAX (*end_us, last + 1);
        }
    }
  if (*start_us >= *end_us)
    {
      *start_us = end - (gint64) 10 * G_USEC_PER_SEC;
      *end_us = end;
    }
  if (self->paused)
    *end_us = MIN (*end_us, MAX (self->paused_end_us, *start_us + 1));
}

static void
compute_y_range (SondeChart *self,
                 gint64      start_us,
                 gint64      end_us,
                 double     *min,
                 double     *max)
{
  gboolean any = FALSE;

  if (!self->y_auto)
    {
      *min = self->y_fixed_min;
      *max = self->y_fixed_max;
      return;
    }

  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, i);
      double lo, hi;

      if (sonde_series_get_range (entry->series, start_us, end_us, &lo, &hi))
        {
          *min = MIN (*min, lo);
          *max = MAX (*max, hi);
          any = TRUE;
        }
    }

  if (!any)
    {
      *min = 0;
      *max = 1;
      return;
    }

  /* A flat line sits in the middle; otherwise a little air around. */
  if (*max - *min < 1e-12 * MAX (1, fabs (*max)))
    {
      double pad = fabs (*max) > 0 ? fabs (*max) * 0.05 : 1;
      *min -= pad;
      *max += pad;
    }
  else
    {
      double pad = (*max - *min) * 0.05;
      *min -= pad;
      *max += pad;
    }
}

static GdkRGBA
foreground (SondeChart *self)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return color;
}

static void
append_text (SondeChart    *self,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             double         xalign,
             const GdkRGBA *color)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int width, height;
  double left;

  pango_layout_get_pixel_size (layout, &width, &height);
  /* Inside the widget: the last time tick sits on the right edge. */
  left = x - width * xalign;
  left = MIN (left, (double) gtk_widget_get_width (GTK_WIDGET (self)) - width);
  left = MAX (left, 0.0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) left, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

double
sonde_chart_value_y (SondeChart *self,
         double      value)
{
  double span = self->y_max - self->y_min;

  return self->plot.origin.y + self->plot.size.height -
         (value - self->y_min) / span * self->plot.size.height;
}

double
sonde_chart_time_x (SondeChart *self,
        gint64      time_us)
{
  return self->plot.origin.x +
         (double) (time_us - self->start_us) / (double) (self->end_us - self->start_us) * self->plot.size.width;
}

static void
draw_grid (SondeChart  *self,
           GtkSnapshot *snapshot,
           GdkRGBA      fg)
{
  GdkRGBA grid = fg;
  GdkRGBA axis_text = fg;
  int max_value_ticks = MAX (2, (int) (self->plot.size.height / 40));
  double step = nice_step (self->y_max - self->y_min, max_value_ticks);
  gint64 span = self->end_us - self->start_us;
  /* Round steps for time ticks, in µs (G_USEC_PER_SEC is a long: a product
   * of it would overflow on 32-bit). */
#define S ((gint64) G_USEC_PER_SEC)
  static const gint64 time_steps[] = {
    1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
    S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, 60 * S, 120 * S, 300 * S, 600 * S, 900 * S,
    1800 * S, 3600 * S, 7200 * S, 21600 * S, 43200 * S, 86400 * S,
  };
#undef S

  int max_time_ticks = MAX (2, (int) (self->plot.size.width / 110));
  gint64 time_step = time_steps[G_N_ELEMENTS (time_steps) - 1];

  /* At least two labelled lines, or a short chart reads as one number. */
  for (int more = 1; more <= 4 && floor (self->y_max / step) - ceil (self->y_min / step) < 1; more++)
    step = nice_step (self->y_max - self->y_min, max_value_ticks + more);

  grid.alpha = 0.12f;
  axis_text.alpha = 0.65f;

  for (double v = ceil (self->y_min / step) * step; v <= self->y_max; v += step)
    {
      double y = sonde_chart_value_y (self, v);
      int decimals = (int) CLAMP (-floor (log10 (step)), 0, 9);
      char label[64];

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (self->plot.origin.x, (float) y, self->plot.size.width, 1));
      /* As many decimals as the step needs: 101.25, 101.30, not 101.3 twice. */
      if (fabs (v) >= 1e7 || (step < 1e-6 && v != 0))
        sonde_chart_format_value (label, sizeof label, v);
      else
        g_snprintf (label, sizeof label, "%.*f", decimals, fabs (v) < step * 1e-9 ? 0.0 : v);
      append_text (self, snapshot, label, self->plot.origin.x - 6, y - 8, 1.0, &axis_text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    {
      if (span / time_steps[i] <= max_time_ticks)
        {
          time_step = time_steps[i];
          break;
        }
    }

  for (gint64 t = (self->start_us / time_step + 1) * time_step; t < self->end_us; t += time_step)
    {
      double x = sonde_chart_time_x (self, t);
      char label[32];

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT ((float) x, self->plot.origin.y, 1, self->plot.size.height));
      sonde_chart_format_time (label, sizeof label, t, time_step < G_USEC_PER_SEC);
      append_text (self, snapshot, label, x, self->plot.origin.y + self->plot.size.height + 4, 0.5, &axis_text);
    }

  /* The axes themselves. */
  grid.alpha = 0.35f;
  gtk_snapshot_append_color (snapshot, &grid,
                             &GRAPHENE_RECT_INIT (self->plot.origin.x, self->plot.origin.y + self->plot.size.height,
                                                  self->plot.size.width, 1));
  gtk_snapshot_append_color (snapshot, &grid,
                             &GRAPHENE_RECT_INIT (self->plot.origin.x, self->plot.origin.y, 1, self->plot.size.height));
}

/* Where the series are drawn: an image of the part of the plot they
 * cover, in device pixels. */
typedef struct {
  cairo_t *cr;            /* user space: widget coordinates */
  guint32 *pixels;        /* cairo's ARGB32: premultiplied, native endian */
  int      stride;        /* in pixels */
  int      width;
  int      height;
  int      scale;
  double   x;             /* the image's top left, in widget coordinates */
  double   y;
} Layer;

/* @color over the pixels of columns [x0, x1) from @top to @bottom (device
 * pixels of @layer, fractional): rows it only partly covers get that part. */
static void
blend_bar (Layer         *layer,
           const GdkRGBA *color,
           int            x0,
           int            x1,
           double         top,
           double         bottom)
{
  int first_row, last_row;

  x0 = MAX (x0, 0);
  x1 = MIN (x1, layer->width);
  top = MAX (top, 0);
  bottom = MIN (bottom, layer->height);
  if (x1 <= x0 || bottom <= top)
    return;

  first_row = (int) floor (top);
  last_row = (int) ceil (bottom) - 1;
  for (int y = first_row; y <= last_row; y++)
    {
      double alpha = color->alpha * (MIN (bottom, y + 1.0) - MAX (top, (double) y));
      guint32 source_a = (guint32) (alpha * 255 + 0.5);
      guint32 source_r = (guint32) (color->red * alpha * 255 + 0.5);
      guint32 source_g = (guint32) (color->green * alpha * 255 + 0.5);
      guint32 source_b = (guint32) (color->blue * alpha * 255 + 0.5);
      guint32 keep = 255 - source_a;
      guint32 *row = layer->pixels + (gsize) y * layer->stride;

      for (int x = x0; x < x1; x++)
        {
          guint32 d = row[x];

          /* Over, premultiplied: source + destination × (1 − source alpha). */
          row[x] = ((source_a + ((d >> 24) * keep + 127) / 255) << 24) |
                   ((source_r + (((d >> 16) & 0xff) * keep + 127) / 255) << 16) |
                   ((source_g + (((d >> 8) & 0xff) * keep + 127) / 255) << 8) |
                   (source_b + ((d & 0xff) * keep + 127) / 255);
        }
    }
}

/* One series, reduced to @columns. Each column with values is a bar one
 * column wide from its min to its max (LINE_WIDTH tall at least),
 * stretched to the value before it when that is in the previous column: at
 * one column per pixel, the bars are the line through first, min, max and
 * last. Where columns without values lie between two values, a stroke
 * joins them. The line never joins across a gap.
 *
 * Bars rather than one stroke through every column: with the cairo
 * renderer under Xvfb, a stroke through 4 series × 1124 columns of dense
 * data took ~60 ms a frame (its joins), a cairo fill of the bars ~6 ms
 * (many unaligned boxes in one fill), blending them here ~0.7 ms (see
 * bench/chart-fps.c). */
static void
draw_series (SondeChart              *self,
             Layer                   *layer,
             ChartSeries             *entry,
             const SondeSeriesColumn *columns,
             guint                    n_columns)
{
  cairo_t *cr = layer->cr;
  double column_width = self->plot.size.width / n_columns;
  gboolean pen_down;      /* the line goes on from the last value */
  double pen_y = 0;       /* the last value's y */
  guint pen_column = 0;   /* and its column */
  gboolean across = FALSE;

  /* The bars. */
  cairo_surface_flush (cairo_get_target (cr));
  pen_down = FALSE;
  for (guint i = 0; i < n_columns; i++)
    {
      const SondeSeriesColumn *column = &columns[i];
      double left = self->plot.origin.x + i * column_width;
      double top, bottom;

      if (column->gap_before)
        pen_down = FALSE;
      if (column->n_points == 0)
        continue;

      top = sonde_chart_value_y (self, column->max);
      bottom = sonde_chart_value_y (self, column->min);
      if (pen_down && pen_column + 1 == i)
        {
          top = MIN (top, pen_y);
          bottom = MAX (bottom, pen_y);
        }
      else if (pen_down)
        across = TRUE;
      self->n_vertices += bottom > top ? 2 : 1;
      blend_bar (layer, &entry->color,
                 (int) floor ((left - layer->x) * layer->scale + 0.5),
                 (int) floor ((left + column_width - layer->x) * layer->scale + 0.5),
                 (top - LINE_WIDTH / 2 - layer->y) * layer->scale,
                 (bottom + LINE_WIDTH / 2 - layer->y) * layer->scale);

      pen_down = !column->gap_inside;
      pen_y = sonde_chart_value_y (self, column->last);
      pen_column = i;
    }
  cairo_surface_mark_dirty (cairo_get_target (cr));

  if (!across)
    return;

  /* The strokes across columns without values. */
  gdk_cairo_set_source_rgba (cr, &entry->color);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  pen_down = FALSE;
  for (guint i = 0; i < n_columns; i++)
    {
      const SondeSeriesColumn *column = &columns[i];
      double x = self->plot.origin.x + (i + 0.5) * column_width;

      if (column->gap_before)
        pen_down = FALSE;
      if (column->n_points == 0)
        continue;

      if (pen_down && pen_column + 1 < i)
        {
          double from_x = self->plot.origin.x + (pen_column + 0.5) * column_width;
          double current_x, current_y;

          if (!cairo_has_current_point (cr) ||
              (cairo_get_current_point (cr, &current_x, &current_y), current_x != from_x || current_y != pen_y))
            cairo_move_to (cr, from_x, pen_y);
          cairo_line_to (cr, x, sonde_chart_value_y (self, column->first));
        }
      pen_down = !column->gap_inside;
      pen_y = sonde_chart_value_y (self, column->last);
      pen_column = i;
    }
  cairo_stroke (cr);
}

/* Every series, reduced to one column per pixel, into one image of the
 * part of the plot they cover, appended as a texture. */
static void
draw_all_series (SondeChart  *self,
                 GtkSnapshot *snapshot,
                 guint        n_columns)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  double column_width = self->plot.size.width / n_columns;
  guint n_series = self->series->len;
  guint first_column = G_MAXUINT, last_column = 0;
  double top = G_MAXDOUBLE, bottom = -G_MAXDOUBLE;
  double right, lower;
  cairo_surface_t *surface;
  Layer layer;
  Buffer *buffer;
  gsize size;

  if (n_columns * n_series > self->n_columns_alloc)
    {
      self->columns = g_renew (SondeSeriesColumn, self->columns, n_columns * n_series);
      self->n_columns_alloc = n_columns * n_series;
    }

  for (guint s = 0; s < n_series; s++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, s);
      SondeSeriesColumn *columns = self->columns + (gsize) s * n_columns;

      sonde_series_reduce (entry->series, self->start_us, self->end_us, n_columns, columns);
      entry->drawn_serial = sonde_series_get_serial (entry->series);
      for (guint i = 0; i < n_columns; i++)
        {
          if (columns[i].n_points == 0)
            continue;
          first_column = MIN (first_column, i);
          last_column = MAX (last_column, i);
          top = MIN (top, sonde_chart_value_y (self, columns[i].max));
          bottom = MAX (bottom, sonde_chart_value_y (self, columns[i].min));
        }
    }
  if (first_column == G_MAXUINT)
    return;

  /* What the lines cover, with room for their width, within the plot. */
  layer.x = floor (self->plot.origin.x + first_column * column_width);
  right = ceil (self->plot.origin.x + (last_column + 1) * column_width);
  layer.y = floor (MAX (top - 2, self->plot.origin.y));
  lower = ceil (MIN (bottom + 2, self->plot.origin.y + self->plot.size.height));
  if (lower <= layer.y || right <= layer.x)
    return;

  layer.scale = MAX (1, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  layer.width = (int) (right - layer.x) * layer.scale;
  layer.height = (int) (lower - layer.y) * layer.scale;
  layer.stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, layer.width) / 4;
  size = (gsize) layer.stride * 4 * layer.height;
  buffer = pool_take (self->pool, size);
  layer.pixels = (guint32 *) buffer->data;

  surface = cairo_image_surface_create_for_data (buffer->data, CAIRO_FORMAT_ARGB32, layer.width, layer.height,
                                                 layer.stride * 4);
  layer.cr = cairo_create (surface);
  cairo_scale (layer.cr, layer.scale, layer.scale);
  cairo_translate (layer.cr, -layer.x, -layer.y);

  for (guint s = 0; s < n_series; s++)
    draw_series (self, &layer, g_ptr_array_index (self->series, s), self->columns + (gsize) s * n_columns, n_columns);

  cairo_destroy (layer.cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  bytes = g_bytes_new_with_free_func (buffer->data, size, pool_give_back, buffer);
  texture = gdk_memory_texture_new (layer.width, layer.height, GDK_MEMORY_DEFAULT, bytes, (gsize) layer.stride * 4);
  gtk_snapshot_append_texture (snapshot, texture,
                               &GRAPHENE_RECT_INIT ((float) layer.x, (float) layer.y,
                                                    (float) (right - layer.x), (float) (lower - layer.y)));
}

/* Decimals shown in @text, a format_value() result; -1 in exponent form. */
static int
decimals_of (const char *text)
{
  const char *dot = strchr (text, '.');

  if (strpbrk (text, "eE") != NULL)
    return -1;
  return dot != NULL ? (int) strlen (dot + 1) : 0;
}

/* The mean with the decimals the data has (101.84 beside 101.41, not
 * 101.835), one more for whole numbers (a mean volume of 249.9). */
static void
format_mean (char       *buffer,
             gsize       size,
             double      mean,
             const char *last,
             const char *min,
             const char *max)
{
  int a = decimals_of (last), b = decimals_of (min), c = decimals_of (max);

  if (MIN (a, MIN (b, c)) < 0)
    sonde_chart_format_value (buffer, size, mean);
  else
    g_snprintf (buffer, size, "%.*f", MAX (1, MAX (a, MAX (b, c))), mean);
}

/* One legend line: the label, elided at its end when the line is too
 * long for the chart, then the numbers, which are what the legend is for. */
static void
draw_legend (SondeChart  *self,
             GtkSnapshot *snapshot,
             GdkRGBA      fg)
{
  int room = gtk_widget_get_width (GTK_WIDGET (self)) - (MARGIN_LEFT + 18) - MARGIN_RIGHT;

  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *entry = g_ptr_array_index (self->series, i);
      SondeSeriesStats stats;
      g_autofree char *numbers = NULL;
      g_autoptr(PangoLayout) label = NULL;
      g_autoptr(PangoLayout) values = NULL;
      char last[32], min[32], max[32], mean[32];
      double y = MARGIN_TOP_MIN + i * LEGEND_LINE;
      int label_width, natural_width, values_width, height;

      sonde_series_get_stats (entry->series, self->start_us, self->end_us, &stats);
      gtk_snapshot_append_color (snapshot, &entry->color,
                                 &GRAPHENE_RECT_INIT (MARGIN_LEFT, (float) y + 5, 12, 3));
      if (stats.count == 0)
        numbers = g_strdup (_("no data in view"));
      else
        {
          sonde_chart_format_value (last, sizeof last, stats.last);
          sonde_chart_format_value (min, sizeof min, stats.min);
          sonde_chart_format_value (max, sizeof max, stats.max);
          format_mean (mean, sizeof mean, stats.mean, last, min, max);
          numbers = g_strdup_printf (_("last %s   min %s   max %s   mean %s"), last, min, max, mean);
        }

      values = gtk_widget_create_pango_layout (GTK_WIDGET (self), numbers);
      pango_layout_set_ellipsize (values, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (values, MAX (room, 1) * PANGO_SCALE);
      pango_layout_get_pixel_size (values, &values_width, &height);

      label = gtk_widget_create_pango_layout (GTK_WIDGET (self), entry->label);
      pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (label, &label_width, &height);
      natural_width = label_width;
      label_width = MIN (label_width, room - values_width - LEGEND_GAP);
      /* A short label ("$.bid") that fits whole is readable however narrow. */
      if (label_width >= MIN (LEGEND_MIN_LABEL, natural_width) && label_width > 0)
        {
          pango_layout_set_width (label, label_width * PANGO_SCALE);
          pango_layout_get_pixel_size (label, &label_width, &height);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MARGIN_LEFT + 18, (float) y));
          gtk_snapshot_append_layout (snapshot, label, &fg);
          gtk_snapshot_restore (snapshot);
          label_width += LEGEND_GAP;
        }
      else
        label_width = 0;   /* no room for a readable label: the colour says which */

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) (MARGIN_LEFT + 18 + label_width), (float) y));
      gtk_snapshot_append_layout (snapshot, values, &fg);
      gtk_snapshot_restore (snapshot);
    }

  if (self->note != NULL)
    {
      g_autoptr(PangoLayout) note = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->note);
      GdkRGBA dim = fg;

      dim.alpha *= 0.6f;
      pango_layout_set_ellipsize (note, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (note, MAX (room, 1) * PANGO_SCALE);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MARGIN_LEFT + 18,
                                                              (float) (MARGIN_TOP_MIN + self->series->len * LEGEND_LINE)));
      gtk_snapshot_append_layout (snapshot, note, &dim);
      gtk_snapshot_restore (snapshot);
    }
}

/* Legend lines: one per series (at least one), and the note. */
guint
sonde_chart_legend_lines (SondeChart *self)
{
  return MAX (1, self->series->len + (self->note != NULL ? 1 : 0));
}

static void
draw_crosshair (SondeChart  *self,
                GtkSnapshot *snapshot,
                GdkRGBA      fg)
{
  g_autofree char *text = NULL;
  GdkRGBA line = fg;

  if (self->crosshair_x < self->plot.origin.x ||
      self->crosshair_x > self->plot.origin.x + self->plot.size.width)
    return;

  line.alpha = 0.5f;
  gtk_snapshot_append_color (snapshot, &line,
                             &GRAPHENE_RECT_INIT ((float) self->crosshair_x, self->plot.origin.y,
                                                  1, self->plot.size.height));
  text = sonde_chart_dup_crosshair_text (self);
  if (text != NULL)
    {
      double x = self->crosshair_x + 6;

      if (x > self->plot.origin.x + self->plot.size.width * 0.6)
        x = self->crosshair_x - 6 - 220;
      append_text (self, snapshot, text, x, self->plot.origin.y + 4, 0, &fg);
    }
}

/* A marker at each sequence violation in view, one per pixel column. */
static void
draw_markers (SondeChart  *self,
              GtkSnapshot *snapshot)
{
  static const GdkRGBA gap = { 0.878f, 0.106f, 0.141f, 0.8f };     /* #e01b24 */
  static const GdkRGBA other = { 0.902f, 0.380f, 0.0f, 0.8f };     /* #e66100 */
  guint n;
  int last_column = G_MININT;

  self->n_markers = 0;
  if (self->integrity == NULL)
    return;
  self->drawn_integrity = sonde_integrity_get_serial (self->integrity);
  n = sonde_integrity_get_n_kept (self->integrity);
  /* Newest first: the window ends at now. */
  for (guint i = n; i-- > 0;)
    {
      SondeIntegrityViolation violation;
      double x;

      if (!sonde_integrity_get_kept (self->integrity, i, &violation))
        break;
      if (violation.kind != SONDE_INTEGRITY_GAP && violation.kind != SONDE_INTEGRITY_DUPLICATE &&
          violation.kind != SONDE_INTEGRITY_OUT_OF_ORDER)
        continue;
      if (violation.wall_us < self->start_us)
        break;
      if (violation.wall_us > self->end_us)
        continue;
      x = sonde_chart_time_x (self, violation.wall_us);
      if ((int) x == last_column)
        continue;
      last_column = (int) x;
      gtk_snapshot_append_color (snapshot, violation.kind == SONDE_INTEGRITY_GAP ? &gap : &other,
                                 &GRAPHENE_RECT_INIT ((float) floor (x) - 0.5f, self->plot.origin.y,
                                                      2, self->plot.size.height));
      self->n_markers++;
    }
}

void
sonde_chart_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  SondeChart *self = SONDE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double top = MARGIN_TOP_MIN + sonde_chart_legend_lines (self) * LEGEND_LINE + 4;
  GdkRGBA fg = foreground (self);
  guint n_columns;

  self->n_draws++;
  self->n_vertices = 0;

  self->plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, (float) top,
                                   (float) MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT),
                                   (float) MAX (1, height - top - MARGIN_BOTTOM));
  sonde_chart_compute_time_range (self, &self->start_us, &self->end_us);
  compute_y_range (self, self->start_us, self->end_us, &self->y_min, &self->y_max);

  draw_grid (self, snapshot, fg);

  /* One column per pixel. */
  n_columns = (guint) MAX (1, self->plot.size.width);
  if (self->series->len > 0)
    draw_all_series (self, snapshot, n_columns);

  draw_markers (self, snapshot);
  draw_legend (self, snapshot, fg);
  draw_crosshair (self, snapshot, fg);
}
