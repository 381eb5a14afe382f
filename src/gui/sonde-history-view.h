/* sonde-history-view.h: the recorded sessions of one database, listed and
 * searched
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-history-search.h"
#include "sonde-profile.h"

G_BEGIN_DECLS

/* Search hits shown at most. */
#define SONDE_HISTORY_VIEW_MAX_HITS 1000u

#define SONDE_TYPE_HISTORY_VIEW (sonde_history_view_get_type ())
G_DECLARE_FINAL_TYPE (SondeHistoryView, sonde_history_view, SONDE, HISTORY_VIEW, GtkWidget)

/* The History of the database at @path, of the profile @profile_id named
 * @profile_name (both NULL: ad-hoc URLs). @path may be a shared history's
 * postgresql:// URI (with its password): read-only, listed on a worker
 * thread, with a Profile column; with @profile_id, only that profile's
 * sessions (recorded under its id or its name). */
GtkWidget  *sonde_history_view_new           (const char        *path,
                                              const char        *profile_id,
                                              const char        *profile_name);
const char *sonde_history_view_get_path      (SondeHistoryView  *self);
const char *sonde_history_view_get_profile_id (SondeHistoryView *self);
const char *sonde_history_view_get_display_path (SondeHistoryView *self);
gboolean    sonde_history_view_get_remote    (SondeHistoryView  *self);
const char *sonde_history_view_get_title     (SondeHistoryView  *self);
/* Lists the sessions again (newest first). */
void        sonde_history_view_reload        (SondeHistoryView  *self);
/* (element-type SondeHistoryItem) */
GListModel *sonde_history_view_get_sessions  (SondeHistoryView  *self);
GListModel *sonde_history_view_get_hits      (SondeHistoryView  *self);
/* Selects the session at @position of the list. */
void        sonde_history_view_select        (SondeHistoryView  *self,
                                              guint              position);
/* Searches the sessions ("" ends the search); the hits stream into
 * get_hits() while "searching" is TRUE. FALSE, and the error shown under
 * the entry, when @text does not compile. */
gboolean    sonde_history_view_search        (SondeHistoryView      *self,
                                              SondeHistoryQueryKind  kind,
                                              const char            *text);
gboolean    sonde_history_view_get_searching (SondeHistoryView  *self);
gboolean    sonde_history_view_get_busy      (SondeHistoryView  *self);
/* Imports @file into the database (a worker thread; "busy" meanwhile). */
void        sonde_history_view_import        (SondeHistoryView  *self,
                                              GFile             *file);
/* Who says which sessions of @path are being recorded now (the window:
 * its live tabs), as an array of gint64 ids; they show "Still recording"
 * and cannot be deleted. */
typedef GArray *(*SondeHistoryLiveFunc) (const char *path,
                                         gpointer    user_data);
void        sonde_history_view_set_profile   (SondeHistoryView     *self,
                                              SondeProfile         *profile);
void        sonde_history_view_set_live_func (SondeHistoryView     *self,
                                              SondeHistoryLiveFunc  func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
void        sonde_history_view_set_shared_available (SondeHistoryView *self,
                                                     gboolean          available);
/* The last error shown (import, delete, open), or NULL. */
const char *sonde_history_view_get_error     (SondeHistoryView  *self);

/* Serve as Mock…: the selected session in a dialog (presented), or NULL. */
GtkWidget        *sonde_history_view_serve_selected (SondeHistoryView *self);

G_END_DECLS
