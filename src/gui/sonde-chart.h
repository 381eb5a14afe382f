/* sonde-chart.h: live line charts of series
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-integrity.h"
#include "sonde-series.h"

G_BEGIN_DECLS

/* 0: the whole series. */
#define SONDE_CHART_WINDOW_ALL 0

#define SONDE_TYPE_CHART (sonde_chart_get_type ())
G_DECLARE_FINAL_TYPE (SondeChart, sonde_chart, SONDE, CHART, GtkWidget)

GtkWidget  *sonde_chart_new              (void);
void        sonde_chart_set_integrity    (SondeChart    *self,
                                          SondeIntegrity *integrity);
guint       sonde_chart_get_n_markers    (SondeChart    *self);
guint       sonde_chart_add_series       (SondeChart    *self,
                                          SondeSeries   *series,
                                          const char    *label);
void        sonde_chart_remove_series    (SondeChart    *self,
                                          guint          index);
guint       sonde_chart_get_n_series     (SondeChart    *self);
SondeSeries *sonde_chart_get_series      (SondeChart    *self,
                                          guint          index);
const char *sonde_chart_get_label        (SondeChart    *self,
                                          guint          index);
void        sonde_chart_get_color        (SondeChart    *self,
                                          guint          index,
                                          GdkRGBA       *color);

/* A dim last legend line without a colour, such as what a split left
 * out ("other: 3 values, 120 messages"); NULL: none. */
void        sonde_chart_set_note         (SondeChart    *self,
                                          const char    *note);
const char *sonde_chart_get_note         (SondeChart    *self);

gint64      sonde_chart_get_window       (SondeChart    *self);
void        sonde_chart_set_window       (SondeChart    *self,
                                          gint64         window_us);
void        sonde_chart_set_y_limits     (SondeChart    *self,
                                          gboolean       automatic,
                                          double         min,
                                          double         max);
void        sonde_chart_get_y_range      (SondeChart    *self,
                                          double        *min,
                                          double        *max);
gboolean    sonde_chart_get_paused       (SondeChart    *self);
void        sonde_chart_set_paused       (SondeChart    *self,
                                          gboolean       paused);
void        sonde_chart_set_now_func     (SondeChart    *self,
                                          gint64       (*now) (gpointer data),
                                          gpointer       data);
void        sonde_chart_get_time_range   (SondeChart    *self,
                                          gint64        *start_us,
                                          gint64        *end_us);
guint       sonde_chart_get_n_draws      (SondeChart    *self);
guint       sonde_chart_get_n_vertices   (SondeChart    *self);
gboolean    sonde_chart_time_to_x        (SondeChart    *self,
                                          gint64         time_us,
                                          double        *x);
gboolean    sonde_chart_value_to_y       (SondeChart    *self,
                                          double         value,
                                          double        *y);
void        sonde_chart_set_crosshair    (SondeChart    *self,
                                          double         x);
char       *sonde_chart_dup_crosshair_text (SondeChart  *self);
gboolean    sonde_chart_save_png         (SondeChart    *self,
                                          const char    *path,
                                          GError       **error);

G_END_DECLS
