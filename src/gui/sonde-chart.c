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
 */

#define G_LOG_DOMAIN "sonde-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "sonde-chart.h"

#define MARGIN_LEFT    64
#define MARGIN_RIGHT   12
#define MARGIN_BOTTOM  24
#define LEGEND_LINE    18
#define MARGIN_TOP_MIN 8
#define LEGEND_GAP     18   /* between a legend's label and its numbers */
#define LEGEND_MIN_LABEL 40 /* narrower than this, the label is left out */
#define LINE_WIDTH     1.5
#define POOL_SPARE     2      /* images kept for the next frames */

typedef struct {
  SondeSeries *series;
  char        *label;
  GdkRGBA      color;
  guint64      drawn_serial;
} ChartSeries;

/* The images the series are drawn into are a few megabytes, one a frame
 * while data streams: allocated afresh each time, malloc handed them back
 * to the kernel and took them again (under Xvfb that doubled the cost of a
 * frame). A chart keeps two for the next frames; a texture still holding
 * one gives it back when it goes. */
typedef struct {
  GPtrArray *spare;       /* Buffer*, free for the next frame */
  gboolean   closed;      /* the chart is gone: free what comes back */
} BufferPool;

typedef struct {
  BufferPool *pool;       /* a reference while a texture holds the buffer */
  gsize       size;
  guchar     *data;
} Buffer;

struct _SondeChart
{
  GtkWidget          parent_instance;

  /* owned */
  GPtrArray         *series;          /* ChartSeries* */
  SondeIntegrity    *integrity;       /* markers; NULL: none */
  guint64            drawn_integrity;  /* its serial at the last drawing */
  guint              n_markers;
  char              *note;            /* a last legend line; NULL: none */
  SondeSeriesColumn *columns;
  guint              n_columns_alloc;
  BufferPool        *pool;            /* pixels of the series' images */

  gint64           (*now) (gpointer data);
  gpointer           now_data;

  gint64             window_us;       /* 0: everything */
  gboolean           y_auto;
  double             y_fixed_min;
  double             y_fixed_max;
  gboolean           paused;
  gint64             paused_end_us;

  /* the last drawing, for the crosshair, hit tests and change checks */
  gint64             start_us;
  gint64             end_us;
  double             y_min;
  double             y_max;
  graphene_rect_t    plot;
  double             crosshair_x;     /* < 0: none */

  guint              tick_id;
  guint              n_draws;
  guint              n_vertices;
};

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

static BufferPool *
pool_new (void)
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

static void
chart_series_free (gpointer data)
{
  ChartSeries *entry = data;

  g_clear_object (&entry->series);
  g_free (entry->label);
  g_free (entry);
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

static void
format_value (char   *buffer,
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

static void
format_time (char   *buffer,
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
static void
compute_time_range (SondeChart *self,
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

static double
value_y (SondeChart *self,
         double      value)
{
  double span = self->y_max - self->y_min;

  return self->plot.origin.y + self->plot.size.height -
         (value - self->y_min) / span * self->plot.size.height;
}

static double
time_x (SondeChart *self,
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
      double y = value_y (self, v);
      int decimals = (int) CLAMP (-floor (log10 (step)), 0, 9);
      char label[64];

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (self->plot.origin.x, (float) y, self->plot.size.width, 1));
      /* As many decimals as the step needs: 101.25, 101.30, not 101.3 twice. */
      if (fabs (v) >= 1e7 || (step < 1e-6 && v != 0))
        format_value (label, sizeof label, v);
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
      double x = time_x (self, t);
      char label[32];

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT ((float) x, self->plot.origin.y, 1, self->plot.size.height));
      format_time (label, sizeof label, t, time_step < G_USEC_PER_SEC);
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

      top = value_y (self, column->max);
      bottom = value_y (self, column->min);
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
      pen_y = value_y (self, column->last);
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
          cairo_line_to (cr, x, value_y (self, column->first));
        }
      pen_down = !column->gap_inside;
      pen_y = value_y (self, column->last);
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
          top = MIN (top, value_y (self, columns[i].max));
          bottom = MAX (bottom, value_y (self, columns[i].min));
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
    format_value (buffer, size, mean);
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
          format_value (last, sizeof last, stats.last);
          format_value (min, sizeof min, stats.min);
          format_value (max, sizeof max, stats.max);
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
static guint
legend_lines (SondeChart *self)
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
      x = time_x (self, violation.wall_us);
      if ((int) x == last_column)
        continue;
      last_column = (int) x;
      gtk_snapshot_append_color (snapshot, violation.kind == SONDE_INTEGRITY_GAP ? &gap : &other,
                                 &GRAPHENE_RECT_INIT ((float) floor (x) - 0.5f, self->plot.origin.y,
                                                      2, self->plot.size.height));
      self->n_markers++;
    }
}

static void
sonde_chart_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  SondeChart *self = SONDE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double top = MARGIN_TOP_MIN + legend_lines (self) * LEGEND_LINE + 4;
  GdkRGBA fg = foreground (self);
  guint n_columns;

  self->n_draws++;
  self->n_vertices = 0;

  self->plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, (float) top,
                                   (float) MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT),
                                   (float) MAX (1, height - top - MARGIN_BOTTOM));
  compute_time_range (self, &self->start_us, &self->end_us);
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
      compute_time_range (self, &start, &end);
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
      *minimum = 120 + (int) legend_lines (self) * LEGEND_LINE;
      *natural = 220 + (int) legend_lines (self) * LEGEND_LINE;
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
  self->pool->closed = TRUE;
  g_ptr_array_set_size (self->pool->spare, 0);
  g_rc_box_release_full (g_steal_pointer (&self->pool), pool_clear);

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
  self->pool = pool_new ();
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
  *x = time_x (self, time_us);
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
  *y = value_y (self, value);
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
  format_time (time_text, sizeof time_text, time_us, TRUE);
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
          format_value (text, sizeof text, value);
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
