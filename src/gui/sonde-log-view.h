/* sonde-log-view.h: the message log of one connection, filtered and followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-filter-model.h"
#include "sonde-integrity.h"
#include "sonde-message.h"

G_BEGIN_DECLS

#define SONDE_TYPE_LOG_VIEW (sonde_log_view_get_type ())
G_DECLARE_FINAL_TYPE (SondeLogView, sonde_log_view, SONDE, LOG_VIEW, GtkWidget)

GtkWidget        *sonde_log_view_new              (SondeMessageLog *log);
SondeFilterModel *sonde_log_view_get_model        (SondeLogView    *self);
SondeMessage     *sonde_log_view_get_selected     (SondeLogView    *self);
gboolean          sonde_log_view_get_following    (SondeLogView    *self);
void              sonde_log_view_set_following    (SondeLogView    *self,
                                                   gboolean         following);
void              sonde_log_view_set_paused       (SondeLogView    *self,
                                                   gboolean         paused);
gboolean          sonde_log_view_get_paused       (SondeLogView    *self);
void              sonde_log_view_clear            (SondeLogView    *self);
void              sonde_log_view_focus_filter     (SondeLogView    *self);
gboolean          sonde_log_view_set_filter       (SondeLogView    *self,
                                                   const char      *text,
                                                   gboolean         regex);
void              sonde_log_view_set_placeholder  (SondeLogView    *self,
                                                   const char      *title,
                                                   const char      *description,
                                                   const char      *button_label,
                                                   const char      *action_name);
guint             sonde_log_view_get_n_unseen     (SondeLogView    *self);
void              sonde_log_view_mark_seen        (SondeLogView    *self);
gboolean          sonde_log_view_select_seq       (SondeLogView    *self,
                                                   guint64          seq);
char             *sonde_log_view_dup_count_text   (SondeLogView    *self);
gboolean          sonde_log_view_get_show_delta   (SondeLogView    *self);
void              sonde_log_view_set_show_delta   (SondeLogView    *self,
                                                   gboolean         show);
gboolean          sonde_log_view_get_show_frames  (SondeLogView    *self);
void              sonde_log_view_set_show_frames  (SondeLogView    *self,
                                                   gboolean         show);
void              sonde_log_view_set_integrity    (SondeLogView    *self,
                                                   SondeIntegrity  *integrity);

G_END_DECLS
