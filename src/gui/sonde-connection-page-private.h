/* sonde-connection-page-private.h: what the page's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-connection-page.c holds the page and its views over the session;
 * sonde-connection-page-status.c connecting from the page and what it
 * says of the connection (the banner, the placeholder, the status bar);
 * sonde-connection-page-layout.c how the log, the charts and the side pane
 * share the room (the divider's share, narrow pages, the log's rows).
 */
#pragma once

#include "sonde-connection-page.h"
#include "sonde-decode-banner.h"

G_BEGIN_DECLS

/* The charts and the log share the height: the log keeps about this many
 * rows (and its header), the charts scroll in what is left. */
#define LOG_MIN_ROWS      8
/* A log row is a line of text and its cell's padding. */
#define LOG_ROW_PADDING   14

struct _SondeConnectionPage
{
  GtkWidget             parent_instance;

  /* template widgets */
  GtkLabel             *state_label;
  GtkLabel             *rates_label;
  GtkWidget            *recording_box;
  GtkLabel             *recording_label;
  GtkLabel             *count_label;
  GtkToggleButton      *pause_button;
  GtkToggleButton      *charts_button;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkButton            *banner_button;
  GtkButton            *banner_secret_button;  /* made in init */
  GtkButton            *banner_edit_button;    /* made in init */
  GtkPaned             *paned;
  GtkBox               *log_box;
  GtkStack             *side_stack;

  /* children made in init */
  SondeLogView         *log_view;
  SondeMessageDetail   *detail;
  SondeConnectionPanel *panel;
  SondeComposer        *composer;
  SondeChartsPanel     *charts;
  GtkPaned             *log_paned;
  SondeDecodeBanner    *decode_banner;   /* above the log: decode these messages? */
  GtkLabel             *decoder_label;   /* in the status bar: what they are read as */

  /* owned */
  SondeSession         *session;
  char                 *title;
  char                 *problem;
  char                 *uid;            /* unique in the process: "page-3" */
  GCancellable         *cancellable;

  /* borrowed from the session */
  SondeConnection      *connection;

  int                   paned_max;      /* the divider's range last seen */
  double                side_share;     /* the side pane's share of the paned */
  gboolean              stacked;        /* narrow: the side pane a page of its own */
  gboolean              details_shown;  /* narrow: the side pane instead of the log */
  int                   log_min_width;  /* the log's minimum width, last measured shown */
  GtkToggleButton      *details_button; /* in the status bar, while narrow */
  gboolean              placing;        /* moving the divider ourselves */
  gulong                layout_handler; /* on the frame clock, while mapped */
  guint64               unread_base;    /* messages in when last shown */
  guint                 status_refresh_id;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CONNECTION,
  PROP_TITLE,
  PROP_ACTIVE,
  PROP_PROBLEM,
  N_PROPS
};

/* sonde-connection-page.c */
void sonde_connection_page_notify (SondeConnectionPage *self,
                                   guint                prop_id);

/* sonde-connection-page-status.c */
void sonde_connection_page_set_problem (SondeConnectionPage *self,
                                        const char          *problem,
                                        gboolean             can_retry);
void sonde_connection_page_on_enter_secret_clicked (SondeConnectionPage *self);
void sonde_connection_page_on_edit_profile_clicked (SondeConnectionPage *self);
void sonde_connection_page_refresh_status (SondeConnectionPage *self);
gboolean sonde_connection_page_on_status_refresh (gpointer data);
void sonde_connection_page_on_state_changed (SondeConnectionPage *self);
void sonde_connection_page_on_session_problem (SondeConnectionPage *self,
                                               const char          *text);
void sonde_connection_page_on_session_recording (SondeConnectionPage *self);
void sonde_connection_page_on_session_decoder (SondeConnectionPage *self);
void sonde_connection_page_on_recording_stopped (SondeConnectionPage *self,
                                                 const char          *text);
void sonde_connection_page_on_reconnect_clicked (SondeConnectionPage *self);
void sonde_connection_page_on_banner_dismissed (SondeConnectionPage *self);

/* sonde-connection-page-layout.c */
void sonde_connection_page_keep_log_rows          (SondeConnectionPage *self);
void sonde_connection_page_on_paned_max_position  (SondeConnectionPage *self);
void sonde_connection_page_on_paned_position      (SondeConnectionPage *self);
void sonde_connection_page_on_details_toggled     (SondeConnectionPage *self);
void sonde_connection_page_on_frame_layout        (GdkFrameClock       *clock,
                                                   SondeConnectionPage *self);

G_END_DECLS
