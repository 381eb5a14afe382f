/* sonde-message-detail-private.h: what the detail's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "sonde-message-detail.h"

G_BEGIN_DECLS

typedef enum {
  FORMAT_NONE,
  FORMAT_JSON,
  FORMAT_TEXT,
  FORMAT_HEX,
} Format;

struct _SondeMessageDetail
{
  GtkWidget       parent_instance;

  /* template widgets */
  GtkLabel       *meta_label;
  GtkLabel       *time_label;
  GtkExpander    *frames_expander;
  GtkLabel       *frames_summary;
  GtkLabel       *frames_label;
  GtkButton      *show_all_button;
  GtkMenuButton  *chart_button;
  GtkButton      *copy_button;
  GtkWidget      *decode_bar;
  GtkLabel       *decode_label;
  GtkWidget      *decode_error_box;
  GtkLabel       *decode_error_label;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkSourceView  *source_view;

  /* owned */
  SondeMessage   *message;
  GBytes         *payload;
  GBytes         *decoded;      /* the decoded view, when the message has one */
  char           *decode_error; /* why it does not decode, when it does not */
  SondeMessageLog *log;         /* the log that keeps the message, for ::views-changed */
  GCancellable   *cancellable;

  gulong          views_handler;
  gboolean        show_raw;     /* the Raw toggle, when there is a decoded view */
  Format          format;
  gboolean        partial;
  gboolean        busy;
  char           *chart_by;     /* "where", "split" or "all": how "Chart a Field" takes the messages */
};

/* sonde-message-detail.c */
void     sonde_message_detail_start_format       (SondeMessageDetail *self,
                                                  gboolean            show_all);
void     sonde_message_detail_update_chart_menu  (SondeMessageDetail *self);

/* sonde-message-detail-decode.c */
gboolean sonde_message_detail_shows_decoded      (SondeMessageDetail *self);
GBytes  *sonde_message_detail_shown_bytes        (SondeMessageDetail *self);
GBytes  *sonde_message_detail_json_bytes         (SondeMessageDetail *self);
void     sonde_message_detail_update_decode_bar  (SondeMessageDetail *self);
void     sonde_message_detail_update_decoded     (SondeMessageDetail *self);
void     sonde_message_detail_set_log            (SondeMessageDetail *self,
                                                  SondeMessageLog    *log);
void     sonde_message_detail_on_copy_clicked    (SondeMessageDetail *self);
void     sonde_message_detail_on_copy_action     (GtkWidget          *widget,
                                                  const char         *action_name,
                                                  GVariant           *parameter);

G_END_DECLS
