/* sonde-history-page.h: one recorded session, read-only: its log, charts
 * and handshake, with jump to a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-charts-panel.h"
#include "sonde-connection-panel.h"
#include "sonde-log-view.h"
#include "sonde-message-log.h"
#include "sonde-profile.h"
#include "sonde-store.h"
#include "sonde-session-player.h"

G_BEGIN_DECLS

/* Payload bytes a page holds at most: past it, the newest part is shown,
 * and jumping to a time loads from that time on. */
#define SONDE_HISTORY_PAGE_MAX_BYTES ((guint64) 1024 * 1024 * 1024)

#define SONDE_TYPE_HISTORY_PAGE (sonde_history_page_get_type ())
G_DECLARE_FINAL_TYPE (SondeHistoryPage, sonde_history_page, SONDE, HISTORY_PAGE, GtkWidget)

/* The session @session_id of the database at @path; @profile (or NULL)
 * gives its name and chart definitions. */
GtkWidget        *sonde_history_page_new            (const char        *path,
                                                     gint64             session_id,
                                                     SondeProfile      *profile);
const char       *sonde_history_page_get_path       (SondeHistoryPage  *self);
gint64            sonde_history_page_get_session_id (SondeHistoryPage  *self);
const char       *sonde_history_page_get_title      (SondeHistoryPage  *self);
/* TRUE while records stream in. */
gboolean          sonde_history_page_get_loading    (SondeHistoryPage  *self);
SondeMessageLog  *sonde_history_page_get_log        (SondeHistoryPage  *self);
SondeLogView     *sonde_history_page_get_log_view   (SondeHistoryPage  *self);
SondeChartsPanel *sonde_history_page_get_charts     (SondeHistoryPage  *self);
/* The side pane's connection panel (the recorded handshake), and whether
 * it is the side pane shown now. */
SondeConnectionPanel *sonde_history_page_get_connection_panel (SondeHistoryPage *self);
gboolean          sonde_history_page_get_connection_shown (SondeHistoryPage *self);
/* Selects the record of the recording's @seq (at once, or once it has
 * loaded). */
void              sonde_history_page_show_seq       (SondeHistoryPage  *self,
                                                     guint64            seq);
/* The recording's seq of the record selected, or G_MAXUINT64. */
guint64           sonde_history_page_get_selected_seq (SondeHistoryPage *self);
/* Selects the first record at or after @wall_us (µs since the epoch). */
gboolean          sonde_history_page_jump_to_time   (SondeHistoryPage  *self,
                                                     gint64             wall_us,
                                                     GError           **error);
/* The same session played into the page as if live, from its start
 * (paused): its log, charts and notification rules as they were, with a
 * transport bar (sonde-history-page-replay.c). */
GtkWidget        *sonde_history_page_new_replay     (const char        *path,
                                                     gint64             session_id,
                                                     SondeProfile      *profile);
GtkWidget        *sonde_history_page_new_for_store  (const char        *path,
                                                     SondeStore        *store,
                                                     gint64             session_id,
                                                     SondeProfile      *profile,
                                                     gboolean           replay);
gboolean          sonde_history_page_get_replay     (SondeHistoryPage  *self);
/* A replay's player and its session, or NULL. */
SondeSessionPlayer *sonde_history_page_get_player   (SondeHistoryPage  *self);
/* Alerts the replay's notification rules raised ("n-alerts"). */
guint64           sonde_history_page_get_n_alerts   (SondeHistoryPage  *self);
/* The error that stopped loading, or NULL. */
const char       *sonde_history_page_get_error      (SondeHistoryPage  *self);

G_END_DECLS
