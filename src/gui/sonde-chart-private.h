/* sonde-chart-private.h: what the chart's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-chart.h"

G_BEGIN_DECLS

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

/* sonde-chart-draw.c: the drawing (grid, series, markers, legend,
 * crosshair) and the pool of images the series are drawn into */
BufferPool *sonde_chart_pool_new             (void);
/* The chart goes: the spares now, the rest as textures give them back. */
void        sonde_chart_pool_close           (BufferPool  *pool);
void        sonde_chart_snapshot             (GtkWidget   *widget,
                                              GtkSnapshot *snapshot);
guint       sonde_chart_legend_lines         (SondeChart  *self);
void        sonde_chart_compute_time_range   (SondeChart  *self,
                                              gint64      *start_us,
                                              gint64      *end_us);
double      sonde_chart_value_y              (SondeChart  *self,
                                              double       value);
double      sonde_chart_time_x               (SondeChart  *self,
                                              gint64       time_us);
void        sonde_chart_format_value         (char        *buffer,
                                              gsize        size,
                                              double       value);
void        sonde_chart_format_time          (char        *buffer,
                                              gsize        size,
                                              gint64       time_us,
                                              gboolean     with_ms);

G_END_DECLS
