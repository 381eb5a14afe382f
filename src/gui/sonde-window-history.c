/* sonde-window-history.c: the window's History tabs and recorded sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "History" (a profile's menu in the sidebar, or Ctrl+H for the profile of
 * the tab in front, or the ad-hoc URLs when it has none) opens a
 * SondeHistoryView of that database in a tab, or brings the open one to
 * the front. Opening a session there opens a SondeHistoryPage tab (one per
 * recorded session), at a message when a search hit was activated.
 *
 * "Shared History" (Ctrl+Shift+H) does the same for the PostgreSQL
 * database a team's sonde-cli monitor records into, set up in
 * Preferences: its address with the keyring's password makes the view's
 * path, which is never shown (tabs show it masked). Everything that
 * connects to it runs on a worker: the view lists on one, and a session's
 * page is made only once its store has been opened on one.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-history-page.h"
#include "sonde-history-view.h"
#include "sonde-recordings.h"
#include "sonde-session.h"
#include "sonde-shared-history.h"
#include "sonde-store-uri.h"
#include "sonde-window-private.h"

/* A tab's tooltip is markup: an address's "&" is not. */
static void
set_tooltip (AdwTabPage *tab,
             const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_tab_page_set_tooltip (tab, escaped);
}

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

static SondeHistoryPage *open_history_page (SondeWindow *self,
                                            const char  *path,
                                            SondeStore  *store,
                                            const char  *profile_id,
                                            gint64       session_id,
                                            gboolean     replay);

/* A session of the shared history: its store is opened on a worker,
 * then its page made (at @seq unless G_MAXUINT64). The profile that
 * recorded it gives the page its charts when this desktop has a profile
 * of that id (the monitor's profiles file, imported here). */
typedef struct {
  GWeakRef  window;
  char     *path;
  gint64    session_id;
  gboolean  replay;
  guint64   seq;
} RemoteOpen;

static void
remote_open_free (RemoteOpen *open)
{
  g_weak_ref_clear (&open->window);
  if (open->path != NULL)
    explicit_bzero (open->path, strlen (open->path));
  g_free (open->path);
  g_free (open);
}

static void
on_remote_store (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RemoteOpen *open = user_data;
  g_autoptr(SondeWindow) self = g_weak_ref_get (&open->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri_finish (result, &error);
  g_autoptr(SondeStoreSession) session = NULL;
  SondeHistoryPage *page;

  if (self == NULL)
    {
      remote_open_free (open);
      return;
    }
  if (store != NULL)
    session = sonde_store_get_session (store, open->session_id, &error);
  if (session == NULL)
    {
      /* Translators: %s says why: the server does not answer, the session was deleted… */
      g_autofree char *text = g_strdup_printf (_("The shared session could not be opened: %s"), error->message);

      sonde_window_show_toast (self, text);
      remote_open_free (open);
      return;
    }
  page = open_history_page (self, open->path, store, session->profile_id, open->session_id, open->replay);
  if (page != NULL && open->seq != G_MAXUINT64)
    sonde_history_page_show_seq (page, open->seq);
  remote_open_free (open);
}

static void
open_remote_page (SondeWindow *self,
                  const char  *path,
                  gint64       session_id,
                  gboolean     replay,
                  guint64      seq)
{
  AdwTabPage *tab = find_tab (self, SONDE_TYPE_HISTORY_PAGE, path, session_id, replay);
  RemoteOpen *open;

  if (tab != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, tab);
      if (seq != G_MAXUINT64)
        sonde_history_page_show_seq (SONDE_HISTORY_PAGE (adw_tab_page_get_child (tab)), seq);
      return;
    }
  open = g_new0 (RemoteOpen, 1);
  g_weak_ref_init (&open->window, self);
  open->path = g_strdup (path);
  open->session_id = session_id;
  open->replay = replay;
  open->seq = seq;
  sonde_store_open_uri_async (path, SONDE_STORE_OPEN_READ_ONLY, NULL, on_remote_store, open);
}

/* The shared history's tab for @profile_id (NULL: the whole of it),
 * whatever its address. */
static AdwTabPage *
find_shared_tab (SondeWindow *self,
                 const char  *profile_id)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      AdwTabPage *tab = adw_tab_view_get_nth_page (self->tab_view, i);
      GtkWidget *child = adw_tab_page_get_child (tab);

      if (SONDE_IS_HISTORY_VIEW (child) && sonde_history_view_get_remote (SONDE_HISTORY_VIEW (child)) &&
          g_strcmp0 (sonde_history_view_get_profile_id (SONDE_HISTORY_VIEW (child)), profile_id) == 0)
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
  SondeHistoryPage *page = NULL;

  if (sonde_history_view_get_remote (view))
    open_remote_page (self, sonde_history_view_get_path (view), session_id, FALSE, at_seq ? seq : G_MAXUINT64);
  else
    page = sonde_window_open_recording (self, sonde_history_view_get_path (view),
                                        sonde_history_view_get_profile_id (view), session_id);

  if (page != NULL && at_seq)
    sonde_history_page_show_seq (page, seq);
}

static void
on_replay_session (SondeHistoryView *view,
                   gint64            session_id,
                   SondeWindow      *self)
{
  if (sonde_history_view_get_remote (view))
    open_remote_page (self, sonde_history_view_get_path (view), session_id, TRUE, G_MAXUINT64);
  else
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

static gboolean
shared_available (SondeWindow *self)
{
  g_autofree char *uri = self->settings != NULL ? sonde_shared_history_dup_uri (self->settings) : NULL;

  return uri != NULL;
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
      sonde_history_view_set_shared_available (SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab)),
                                               shared_available (self));
      sonde_history_view_reload (SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab)));
      return SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab));
    }

  if (profile_id != NULL && self->store != NULL)
    profile = sonde_profile_store_lookup (self->store, profile_id);
  view = sonde_history_view_new (path, profile_id, profile != NULL ? sonde_profile_get_name (profile) : NULL);
  g_signal_connect_object (view, "open-session", G_CALLBACK (on_open_session), self, 0);
  g_signal_connect_object (view, "replay-session", G_CALLBACK (on_replay_session), self, 0);
  sonde_history_view_set_profile (SONDE_HISTORY_VIEW (view), profile);
  sonde_history_view_set_shared_available (SONDE_HISTORY_VIEW (view), shared_available (self));
  {
    GWeakRef *ref = g_new0 (GWeakRef, 1);

    g_weak_ref_init (ref, self);
    sonde_history_view_set_live_func (SONDE_HISTORY_VIEW (view), live_recordings, ref, weak_ref_free);
  }
  tab = adw_tab_view_append (self->tab_view, view);
  adw_tab_page_set_title (tab, sonde_history_view_get_title (SONDE_HISTORY_VIEW (view)));
  set_tooltip (tab, path);
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
                   SondeStore  *store,
                   const char  *profile_id,
                   gint64       session_id,
                   gboolean     replay)
{
  SondeProfile *profile = NULL;
  AdwTabPage *tab;
  GtkWidget *page;
  g_autoptr(GIcon) icon = NULL;
  g_autofree char *masked = sonde_store_uri_mask (path);

  tab = find_tab (self, SONDE_TYPE_HISTORY_PAGE, path, session_id, replay);
  if (tab != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, tab);
      return SONDE_HISTORY_PAGE (adw_tab_page_get_child (tab));
    }

  if (profile_id != NULL && self->store != NULL)
    profile = sonde_profile_store_lookup (self->store, profile_id);
  page = sonde_history_page_new_for_store (path, store, session_id, profile, replay);
  tab = adw_tab_view_append (self->tab_view, page);
  adw_tab_page_set_title (tab, sonde_history_page_get_title (SONDE_HISTORY_PAGE (page)));
  set_tooltip (tab, masked);
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

  return open_history_page (self, path, NULL, profile_id, session_id, FALSE);
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

  return open_history_page (self, path, NULL, profile_id, session_id, TRUE);
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

/* The shared history's view, once its password has been read from the
 * keyring; a toast says why when none is set up. */
typedef struct {
  GWeakRef  window;
  char     *profile_id;   /* NULL: the whole shared history */
} SharedOpen;

static void
on_shared_resolved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SharedOpen *open = user_data;
  g_autoptr(SondeWindow) self = g_weak_ref_get (&open->window);
  g_autofree char *profile_id = g_steal_pointer (&open->profile_id);
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = sonde_shared_history_resolve_finish (result, &error);
  g_autofree char *masked = NULL;
  SondeProfile *profile = NULL;
  AdwTabPage *tab;
  GtkWidget *view;
  g_autoptr(GIcon) icon = NULL;

  g_weak_ref_clear (&open->window);
  g_free (open);
  if (self == NULL)
    goto out;
  if (conninfo == NULL)
    {
      sonde_window_show_toast (self, error->message);
      goto out;
    }

  /* The address changed in Preferences since the tab was opened. */
  tab = find_shared_tab (self, profile_id);
  if (tab != NULL && g_strcmp0 (sonde_history_view_get_path (SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab))),
                                conninfo) != 0)
    {
      adw_tab_view_close_page (self->tab_view, tab);
      tab = NULL;
    }
  if (tab != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, tab);
      sonde_history_view_reload (SONDE_HISTORY_VIEW (adw_tab_page_get_child (tab)));
      goto out;
    }

  if (profile_id != NULL && self->store != NULL)
    profile = sonde_profile_store_lookup (self->store, profile_id);
  view = sonde_history_view_new (conninfo, profile_id, profile != NULL ? sonde_profile_get_name (profile) : NULL);
  /* A profile's sessions are searched through its decoder chain, as on
   * its own History; the whole shared history's as they were recorded. */
  sonde_history_view_set_profile (SONDE_HISTORY_VIEW (view), profile);
  g_signal_connect_object (view, "open-session", G_CALLBACK (on_open_session), self, 0);
  g_signal_connect_object (view, "replay-session", G_CALLBACK (on_replay_session), self, 0);
  tab = adw_tab_view_append (self->tab_view, view);
  adw_tab_page_set_title (tab, sonde_history_view_get_title (SONDE_HISTORY_VIEW (view)));
  masked = sonde_store_uri_mask (conninfo);
  set_tooltip (tab, masked);
  icon = g_themed_icon_new ("network-server-symbolic");
  adw_tab_page_set_icon (tab, icon);
  adw_tab_view_set_selected_page (self->tab_view, tab);

out:
  if (conninfo != NULL)
    explicit_bzero (conninfo, strlen (conninfo));
}

/* The shared history (Preferences' database) in a tab brought to the
 * front, once the keyring has answered: the sessions of @profile_id (by
 * its id or its name), or all of them (NULL). */
void
sonde_window_show_shared_history (SondeWindow *self,
                                  const char  *profile_id)
{
  SharedOpen *open;

  g_return_if_fail (SONDE_IS_WINDOW (self));

  open = g_new0 (SharedOpen, 1);
  g_weak_ref_init (&open->window, self);
  open->profile_id = g_strdup (profile_id);
  sonde_shared_history_resolve_async (self->settings, self->secrets, NULL, on_shared_resolved, open);
}

static void
on_shared_history_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  sonde_window_show_shared_history (SONDE_WINDOW (widget), NULL);
}

static void
on_profile_shared_history_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  sonde_window_show_shared_history (SONDE_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

void
sonde_window_history_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.shared-history", NULL, on_shared_history_action);
  gtk_widget_class_install_action (widget_class, "win.profile-shared-history", "s",
                                   on_profile_shared_history_action);
  gtk_widget_class_install_action (widget_class, "win.history", NULL, on_history_action);
  gtk_widget_class_install_action (widget_class, "win.profile-history", "s", on_profile_history_action);
  gtk_widget_class_install_action (widget_class, "win.adhoc-history", NULL, on_adhoc_history_action);
}
