/* sonde-window-history.c: the window's History tabs and recorded sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "History" (a profile's menu in the sidebar, or Ctrl+H for the profile of
 * the tab in front, or the ad-hoc URLs when it has none) opens a
 * SondeHistoryView of that database in a tab, or brings the open one to
 * the front. Opening a session there opens a SondeHistoryPage tab (one per
 * recorded session), at a message when a search hit was activated.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-history-page.h"
#include "sonde-history-view.h"
#include "sonde-recordings.h"
#include "sonde-session.h"
#include "sonde-window-private.h"

static AdwTabPage *
find_tab (SondeWindow *self,
          GType        type,
          const char  *path,
          gint64       session_id,
          gboolean     replay)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      AdwTabPage *tab = adw_tab_view_get_nth_page (self->tab_view, i);
      GtkWidget *child = adw_tab_page_get_child (tab);

      if (!G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        continue;
      if (SONDE_IS_HISTORY_VIEW (child) && g_strcmp0 (sonde_history_view_get_path (SONDE_HISTORY_VIEW (child)), path) == 0)
        return tab;
      if (SONDE_IS_HISTORY_PAGE (child) &&
          g_strcmp0 (sonde_history_page_get_path (SONDE_HISTORY_PAGE (child)), path) == 0 &&
          sonde_history_page_get_session_id (SONDE_HISTORY_PAGE (child)) == session_id &&
          sonde_history_page_get_replay (SONDE_HISTORY_PAGE (child)) == replay)
        return tab;
    }
  return NULL;
}

static void
on_open_session (SondeHistoryView *view,
                 gint64            session_id,
                 guint64           seq,
                 gboolean          at_seq,
                 SondeWindow      *self)
{
  SondeHistoryPage *page = sonde_window_open_recording (self, sonde_history_view_get_path (view),
                                                        sonde_history_view_get_profile_id (view), session_id);

  if (page != NULL && at_seq)
    sonde_history_page_show_seq (page, seq);
}

static void
on_replay_session (SondeHistoryView *view,
                   gint64            session_id,
                   SondeWindow      *self)
{
  sonde_window_open_replay (self, sonde_history_view_get_path (view), sonde_history_view_get_profile_id (view),
                            session_id);
}

/* The view may outlive the window (a job holding it): a weak reference. */
static GArray *
live_recordings (const char *path,
                 gpointer    user_data)
{
  g_autoptr(SondeWindow) window = g_weak_ref_get (user_data);

  return window != NULL ? sonde_window_dup_live_recordings (window, path) : NULL;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* The History of @profile_id's database (NULL: the ad-hoc URLs'), in a
 * tab brought to the front. */
SondeHistoryView *
sonde_window_show_history (SondeWindow *self,
                           const char  *profile_id)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  SondeProfile *profile = NULL;
  AdwTabPage *tab;
  GtkWidget *view;
  g_autoptr(GIcon) icon = NULL;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  dir = sonde_recordings_default_dir ();
  path = sonde_recordings_path (dir, profile_id);
  tab = find_tab (self, SONDE_TYPE_HISTORY_VIEW, path, 0, FALSE);
  if (tab != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, tab);
      sonde_history_view_reload (SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab)));
      return SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab));
    }

  if (profile_id != NULL && self->store != NULL)
    profile = sonde_profile_store_lookup (self->store, profile_id);
  view = sonde_history_view_new (path, profile_id, profile != NULL ? sonde_profile_get_name (profile) : NULL);
  g_signal_connect_object (view, "open-session", G_CALLBACK (on_open_session), self, 0);
  g_signal_connect_object (view, "replay-session", G_CALLBACK (on_replay_session), self, 0);
  sonde_history_view_set_profile (SONDE_HISTORY_VIEW (view), profile);
  {
    GWeakRef *ref = g_new0 (GWeakRef, 1);

    g_weak_ref_init (ref, self);
    sonde_history_view_set_live_func (SONDE_HISTORY_VIEW (view), live_recordings, ref, weak_ref_free);
  }
  tab = adw_tab_view_append (self->tab_view, view);
  adw_tab_page_set_title (tab, sonde_history_view_get_title (SONDE_HISTORY_VIEW (view)));
  adw_tab_page_set_tooltip (tab, path);
  icon = g_themed_icon_new ("document-open-recent-symbolic");
  adw_tab_page_set_icon (tab, icon);
  adw_tab_view_set_selected_page (self->tab_view, tab);
  return SONDE_HISTORY_VIEW (view);
}

/* The recorded session @session_id of the database at @path in a tab
 * brought to the front: read-only, or @replay: played into the page as if
 * live. An open tab of the same kind for it is reused. */
static SondeHistoryPage *
open_history_page (SondeWindow *self,
                   const char  *path,
                   const char  *profile_id,
                   gint64       session_id,
                   gboolean     replay)
{
  SondeProfile *profile = NULL;
  AdwTabPage *tab;
  GtkWidget *page;
  g_autoptr(GIcon) icon = NULL;

  tab = find_tab (self, SONDE_TYPE_HISTORY_PAGE, path, session_id, replay);
  if (tab != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, tab);
      return SONDE_HISTORY_PAGE (adw_tab_page_get_child (tab));
    }

  if (profile_id != NULL && self->store != NULL)
    profile = sonde_profile_store_lookup (self->store, profile_id);
  page = replay ? sonde_history_page_new_replay (path, session_id, profile)
                : sonde_history_page_new (path, session_id, profile);
  tab = adw_tab_view_append (self->tab_view, page);
  adw_tab_page_set_title (tab, sonde_history_page_get_title (SONDE_HISTORY_PAGE (page)));
  adw_tab_page_set_tooltip (tab, path);
  icon = g_themed_icon_new (replay ? "media-playback-start-symbolic" : "media-record-symbolic");
  adw_tab_page_set_icon (tab, icon);
  adw_tab_view_set_selected_page (self->tab_view, tab);
  return SONDE_HISTORY_PAGE (page);
}

/* The recorded session @session_id of the database at @path, read-only,
 * in a tab brought to the front. */
SondeHistoryPage *
sonde_window_open_recording (SondeWindow *self,
                             const char  *path,
                             const char  *profile_id,
                             gint64       session_id)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return open_history_page (self, path, profile_id, session_id, FALSE);
}

/* The recorded session @session_id of the database at @path played into a
 * page as if live (paused at its start), in a tab brought to the front. */
SondeHistoryPage *
sonde_window_open_replay (SondeWindow *self,
                          const char  *path,
                          const char  *profile_id,
                          gint64       session_id)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return open_history_page (self, path, profile_id, session_id, TRUE);
}

/* The ids of the sessions the tabs of this window record into @path now
 * (element-type gint64). */
GArray *
sonde_window_dup_live_recordings (SondeWindow *self,
                                  const char  *path)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (SONDE_IS_WINDOW (self), ids);

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));
      SondeSession *session;
      SondeRecorder *recorder;
      g_autofree char *recording_path = NULL;

      if (!SONDE_IS_CONNECTION_PAGE (child))
        continue;
      session = sonde_connection_page_get_session (SONDE_CONNECTION_PAGE (child));
      recorder = sonde_session_get_recorder (session);
      recording_path = sonde_session_dup_recording_path (session);
      if (recorder != NULL && sonde_recorder_get_recording (recorder) && g_strcmp0 (recording_path, path) == 0)
        {
          gint64 id = sonde_recorder_get_session_id (recorder);

          g_array_append_val (ids, id);
        }
    }
  return ids;
}

static void
on_history_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);

  sonde_window_show_history (self, self->current != NULL ? sonde_connection_page_get_profile_id (self->current) : NULL);
}

static void
on_profile_history_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  sonde_window_show_history (SONDE_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_adhoc_history_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  sonde_window_show_history (SONDE_WINDOW (widget), NULL);
}

void
sonde_window_history_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.history", NULL, on_history_action);
  gtk_widget_class_install_action (widget_class, "win.profile-history", "s", on_profile_history_action);
  gtk_widget_class_install_action (widget_class, "win.adhoc-history", NULL, on_adhoc_history_action);
}
