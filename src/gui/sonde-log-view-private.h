/* sonde-log-view-private.h: what the log view's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-log-view.h"

G_BEGIN_DECLS

struct _SondeLogView
{
  GtkWidget           parent_instance;

  /* A scroll asked for before the list had a size (a page being made):
   * done at its first frame. G_MAXUINT: none. */
  guint               scroll_target;
  guint               scroll_tick;
  guint               scroll_n_items;  /* the model's size at the last frame */

  /* template widgets: the filter bar (sonde-log-view-filter.c) */
  GtkWidget          *filter_bar;
  GtkSearchEntry     *filter_entry;
  GtkLabel           *filter_error;
  GtkToggleButton    *regex_toggle;
  GtkToggleButton    *in_toggle;
  GtkToggleButton    *out_toggle;
  GtkToggleButton    *events_toggle;
  GtkToggleButton    *text_toggle;
  GtkToggleButton    *binary_toggle;
  GtkToggleButton    *pings_toggle;
  GtkToggleButton    *frames_toggle;
  /* template widgets: the rows */
  GtkScrolledWindow  *scrolled;
  GtkColumnView      *column_view;
  GtkWidget          *placeholder;
  GtkLabel           *placeholder_title;
  GtkLabel           *placeholder_description;
  GtkButton          *placeholder_button;
  GtkRevealer        *new_messages_revealer;
  GtkButton          *new_messages_button;

  /* owned */
  SondeMessageLog    *log;
  char               *count_text;
  SondeFilterModel   *model;
  GtkSingleSelection *selection;

  /* borrowed */
  GdkFrameClock      *frame_clock;
  GtkColumnViewColumn *delta_column;
  GtkColumnViewColumn *kind_column;
  GtkColumnViewColumn *preview_column;

  gulong              layout_handler;
  guint               count_refresh_id;
  guint               n_unseen;
  gboolean            following;
  gboolean            rows_arrived;
  gboolean            frames_were_shown;
};

typedef enum {
  COLUMN_TIME,
  COLUMN_DELTA,
  COLUMN_DIRECTION,
  COLUMN_KIND,
  COLUMN_SIZE,
  COLUMN_PREVIEW,
  N_COLUMNS
} SondeLogViewColumn;

GtkColumnViewColumn *sonde_log_view_add_column (GtkColumnView      *view,
                                                SondeLogViewColumn  column,
                                                const char         *title,
                                                GMenuModel         *header_menu);
void                 sonde_log_view_renew_cells (GtkColumnViewColumn *view_column,
                                                 SondeRecordViews    *views);

/* sonde-log-view.c */
void sonde_log_view_queue_refresh_count (SondeLogView *self);
void sonde_log_view_notify_show_frames  (SondeLogView *self);

/* sonde-log-view-scroll.c */
void sonde_log_view_cancel_scroll       (SondeLogView *self);

/* sonde-log-view-filter.c: the filter bar's template children and callbacks */
void sonde_log_view_filter_class_init   (GtkWidgetClass *widget_class);

G_END_DECLS
