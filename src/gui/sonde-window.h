/* sonde-window.h: the main window, a tab per connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-adhoc-options.h"
#include "sonde-connection-page.h"
#include "sonde-window-host.h"

G_BEGIN_DECLS

#define SONDE_TYPE_WINDOW (sonde_window_get_type ())
G_DECLARE_FINAL_TYPE (SondeWindow, sonde_window, SONDE, WINDOW, AdwApplicationWindow)

SondeWindow         *sonde_window_new              (SondeWindowHost  *host);
SondeConnectionPage *sonde_window_get_current_page (SondeWindow      *self);
SondeConnectionPage *sonde_window_add_page         (SondeWindow      *self);
GtkMenuButton       *sonde_window_get_options_button (SondeWindow    *self);
SondeAdhocOptions   *sonde_window_get_adhoc_options (SondeWindow     *self);
SondeConnectionPage *sonde_window_add_session      (SondeWindow      *self,
                                                    SondeSession     *session);
SondeConnectionPage *sonde_window_find_profile_page (SondeWindow     *self,
                                                    SondeProfile     *profile);
void                 sonde_window_focus_page       (SondeWindow      *self,
                                                    SondeConnectionPage *page);
gboolean             sonde_window_open_url         (SondeWindow      *self,
                                                    const char       *url);
gboolean             sonde_window_open_demo        (SondeWindow      *self);
guint                sonde_window_get_n_pages      (SondeWindow      *self);
gboolean             sonde_window_restore_session  (SondeWindow      *self);
SondeConnectionPage *sonde_window_connect_profile  (SondeWindow      *self,
                                                    SondeProfile     *profile);
GtkWidget           *sonde_window_get_sidebar      (SondeWindow      *self);
gboolean             sonde_window_show_record      (SondeWindow      *self,
                                                    const char       *uid,
                                                    guint64           seq);
void                 sonde_window_go_background    (SondeWindow      *self);
gboolean             sonde_window_get_in_background (SondeWindow     *self);
void                 sonde_window_quit             (SondeWindow      *self);
void                 sonde_window_export_log_to    (SondeWindow      *self,
                                                    GFile            *file);
void                 sonde_window_export_log_scope_to (SondeWindow   *self,
                                                    GFile            *file,
                                                    gboolean          filtered);
char                *sonde_window_dup_export_name  (SondeWindow      *self,
                                                    GDateTime        *when);
/* sonde-window-history.c */
typedef struct _SondeHistoryView SondeHistoryView;
typedef struct _SondeHistoryPage SondeHistoryPage;
SondeHistoryView    *sonde_window_show_history     (SondeWindow      *self,
                                                    const char       *profile_id);
SondeHistoryPage    *sonde_window_open_recording   (SondeWindow      *self,
                                                    const char       *path,
                                                    const char       *profile_id,
                                                    gint64            session_id);
SondeHistoryPage    *sonde_window_open_replay      (SondeWindow      *self,
                                                    const char       *path,
                                                    const char       *profile_id,
                                                    gint64            session_id);
GArray              *sonde_window_dup_live_recordings (SondeWindow   *self,
                                                    const char       *path);
/* The shared history (Preferences' PostgreSQL database) in a tab, once
 * the keyring has given its password: @profile_id's sessions, or all
 * (NULL); its sessions open in pages once their store has been opened on
 * a worker. */
void                 sonde_window_show_shared_history (SondeWindow   *self,
                                                       const char    *profile_id);

G_END_DECLS
