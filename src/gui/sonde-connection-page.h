/* sonde-connection-page.h: one connection's log, detail, composer and panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-charts-panel.h"
#include "sonde-composer.h"
#include "sonde-connection-panel.h"
#include "sonde-connection.h"
#include "sonde-notifier.h"
#include "sonde-log-view.h"
#include "sonde-message-detail.h"
#include "sonde-profile.h"
#include "sonde-secrets.h"
#include "sonde-session.h"

G_BEGIN_DECLS

#define SONDE_TYPE_CONNECTION_PAGE (sonde_connection_page_get_type ())
G_DECLARE_FINAL_TYPE (SondeConnectionPage, sonde_connection_page, SONDE, CONNECTION_PAGE, GtkWidget)

GtkWidget            *sonde_connection_page_new            (void);
GtkWidget            *sonde_connection_page_new_for_session (SondeSession       *session);
SondeSession         *sonde_connection_page_get_session    (SondeConnectionPage  *self);
SondeConnection      *sonde_connection_page_get_connection (SondeConnectionPage  *self);
SondeLogView         *sonde_connection_page_get_log_view   (SondeConnectionPage  *self);
SondeMessageDetail   *sonde_connection_page_get_detail     (SondeConnectionPage  *self);
SondeComposer        *sonde_connection_page_get_composer   (SondeConnectionPage  *self);
SondeConnectionPanel *sonde_connection_page_get_panel      (SondeConnectionPage  *self);

const char           *sonde_connection_page_get_title      (SondeConnectionPage  *self);
void                  sonde_connection_page_set_title      (SondeConnectionPage  *self,
                                                            const char           *title);
gboolean              sonde_connection_page_connect_to     (SondeConnectionPage  *self,
                                                            const char           *url,
                                                            GError              **error);
void                  sonde_connection_page_disconnect     (SondeConnectionPage  *self);
gboolean              sonde_connection_page_get_active     (SondeConnectionPage  *self);
const char           *sonde_connection_page_get_problem    (SondeConnectionPage  *self);
void                  sonde_connection_page_show_problem   (SondeConnectionPage  *self,
                                                            const char           *problem,
                                                            gboolean              can_retry);
void                  sonde_connection_page_clear_log      (SondeConnectionPage  *self);
void                  sonde_connection_page_focus_filter   (SondeConnectionPage  *self);
void                  sonde_connection_page_send           (SondeConnectionPage  *self);
char                 *sonde_connection_page_dup_status     (SondeConnectionPage  *self);
guint                 sonde_connection_page_get_n_unread   (SondeConnectionPage  *self);

void                  sonde_connection_page_connect_profile (SondeConnectionPage *self,
                                                            SondeProfile         *profile,
                                                            SondeSecrets         *secrets);
const char           *sonde_connection_page_get_profile_id (SondeConnectionPage  *self);
const char           *sonde_connection_page_get_url        (SondeConnectionPage  *self);
const char           *sonde_connection_page_get_shown_url  (SondeConnectionPage  *self);
SondeChartsPanel     *sonde_connection_page_get_charts     (SondeConnectionPage  *self);
void                  sonde_connection_page_show_charts    (SondeConnectionPage  *self,
                                                            gboolean              show);
gboolean              sonde_connection_page_chart_field    (SondeConnectionPage  *self,
                                                            const char           *path,
                                                            const char           *where,
                                                            GError              **error);
void                  sonde_connection_page_set_retention  (SondeConnectionPage  *self,
                                                            guint                 max_count,
                                                            guint64               max_bytes);

GtkWidget            *sonde_connection_page_get_decode_banner (SondeConnectionPage *self);
const char           *sonde_connection_page_get_decoder_text  (SondeConnectionPage *self);

SondeNotifier        *sonde_connection_page_get_notifier   (SondeConnectionPage  *self);
const char           *sonde_connection_page_get_uid        (SondeConnectionPage  *self);
gboolean              sonde_connection_page_show_record    (SondeConnectionPage  *self,
                                                            guint64               seq);

void                  sonde_connection_page_set_details_shown (SondeConnectionPage *self,
                                                               gboolean             shown);
gboolean              sonde_connection_page_get_details_shown (SondeConnectionPage *self);
gboolean              sonde_connection_page_get_narrow     (SondeConnectionPage  *self);

G_END_DECLS
