/* test-history-shared.c: the shared history (a PostgreSQL database a
 * team's monitor records into) in the real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real PostgreSQL of the test's own (initdb + pg_ctl, scram-sha-256)
 * holds two sessions of two profiles, written with the store API as the
 * monitor's recorder writes them. Preferences take its address and
 * password (kept only once the server accepts them; the password in the
 * keyring, never in the settings); the window then lists the sessions
 * read-only, searches them, opens one at a hit, exports one and replays
 * one, and says why when the server does not answer, all without the
 * main loop waiting on the database.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-export-dialog.h"
#include "sonde-history-item.h"
#include "sonde-history-page.h"
#include "sonde-history-view.h"
#include "sonde-preferences.h"
#include "sonde-serve-dialog.h"
#include "sonde-sidebar.h"
#include "sonde-store-uri.h"
#include "sonde-test-gui.h"
#include "sonde-test-postgres.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS
#define N_TICKS 1000u

typedef SondeTestWindowFixture Fixture;

static SondeTestPostgres *server;
static char              *db_uri;        /* with the password */
static char              *db_address;    /* without it: what Preferences take */

static AdwTabView *
tab_view_of (Fixture *fixture)
{
  return ADW_TAB_VIEW (sonde_test_find_widget (GTK_WIDGET (fixture->window), ADW_TYPE_TAB_VIEW));
}

static GtkWidget *
front_child (Fixture *fixture)
{
  AdwTabPage *tab = adw_tab_view_get_selected_page (tab_view_of (fixture));

  return tab != NULL ? adw_tab_page_get_child (tab) : NULL;
}

static SondeHistoryView *
shared_view (Fixture *fixture)
{
  GtkWidget *child = front_child (fixture);

  return SONDE_IS_HISTORY_VIEW (child) && sonde_history_view_get_remote (SONDE_HISTORY_VIEW (child))
         ? SONDE_HISTORY_VIEW (child) : NULL;
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

/* Whether the sidebar's list of open tabs shows @title. */
static gboolean
sidebar_shows (Fixture    *fixture,
               const char *title)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  sonde_test_collect_widgets (sonde_test_find_widget (GTK_WIDGET (fixture->window), SONDE_TYPE_SIDEBAR),
                              GTK_TYPE_LABEL, NULL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), title) == 0)
      return TRUE;
  return FALSE;
}

/* Whether a cell of @root's tree shows a text holding @needle. */
static gboolean
shows_text (GtkWidget  *root,
            const char *needle)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  sonde_test_collect_widgets (root, GTK_TYPE_INSCRIPTION, NULL, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      const char *text = gtk_inscription_get_text (g_ptr_array_index (cells, i));

      if (text != NULL && strstr (text, needle) != NULL && gtk_widget_get_child_visible (g_ptr_array_index (cells, i)))
        return TRUE;
    }
  return FALSE;
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* A session of @n ticks {"sym":"ABC","price":i} one second apart, ended by
 * the client, as a monitor records it. */
static void
record_session (SondeStore *store,
                const char *profile_id,
                const char *profile_name,
                gint64      start_us,
                guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, profile_id, profile_name, "wss://feed.example/ticks", start_us,
                                            &id, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      char *text = g_strdup_printf ("{\"sym\":\"ABC\",\"price\":%u}", i);
      SondeRecord record = { 0, };

      g_ptr_array_add (texts, text);
      record.seq = i + 1;
      record.wall_us = start_us + (gint64) (i + 1) * G_USEC_PER_SEC;
      record.mono_us = record.wall_us;
      record.direction = SONDE_DIRECTION_IN;
      record.kind = SONDE_MESSAGE_KIND_TEXT;
      record.size = record.stored_size = strlen (text);
      record.data = (const guint8 *) text;
      g_array_append_val (records, record);
    }
  g_assert_true (sonde_store_append (store, id, (SondeRecord *) records->data, records->len, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_end_session (store, id, start_us + (gint64) (n + 1) * G_USEC_PER_SEC, 1000, NULL,
                                          SONDE_STORE_ENDED_BY_CLIENT, &error));
  g_assert_no_error (error);
}

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  if (server == NULL)
    {
      g_test_skip ("PostgreSQL is not installed");
      return;
    }
  sonde_test_window_setup (fixture, data);
  if (g_getenv ("SONDE_SCREENSHOT_DARK") != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  if (fixture->window != NULL)
    sonde_test_window_teardown (fixture, data);
}

static GSettings *
app_settings (void)
{
  return sonde_application_get_settings (sonde_test_gui_get_app ());
}

static SondeSecrets *
app_secrets (void)
{
  return sonde_application_get_secrets (sonde_test_gui_get_app ());
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_secrets_store_finish (SONDE_SECRETS (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;

  *out = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, NULL);
  if (*out == NULL)
    *out = g_strdup ("");
}

static char *
kept_password (void)
{
  char *password = NULL;

  sonde_secrets_lookup_async (app_secrets (), SONDE_SECRETS_SHARED_HISTORY, NULL, on_looked_up, &password);
  SONDE_TEST_ASSERT_WAIT (password != NULL, WAIT_MS);
  return password;
}

/* As Preferences leave it: the address set, the password kept. */
static void
set_up_shared (const char *address,
               const char *password)
{
  gboolean stored = FALSE;

  g_settings_set_string (app_settings (), "shared-history-uri", address);
  sonde_secrets_store_async (app_secrets (), SONDE_SECRETS_SHARED_HISTORY, "test", password, NULL, on_stored,
                             &stored);
  SONDE_TEST_ASSERT_WAIT (stored, WAIT_MS);
}

/* Preferences: a wrong address says why and keeps nothing; a refused
 * password says so; the right one is kept, the address in the settings
 * and the password in the keyring only. */
static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  SondePreferences *prefs;
  AdwActionRow *status;
  GtkEditable *uri_row;
  GtkEditable *password_row;
  g_autofree char *settings_text = NULL;
  g_autofree char *kept = NULL;

  if (fixture->window == NULL)
    return;
  g_settings_set_string (app_settings (), "shared-history-uri", "");
  prefs = sonde_preferences_new (app_settings (), app_secrets ());
  /* Tall enough for the screenshot to show the group, at the bottom. */
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 1300);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (fixture->window));
  gtk_window_present (GTK_WINDOW (prefs));
  SONDE_TEST_ASSERT_WAIT (sonde_test_is_mapped (prefs), WAIT_MS);
  status = sonde_test_template_child (prefs, SONDE_TYPE_PREFERENCES, "shared_status_row");
  uri_row = sonde_test_template_child (prefs, SONDE_TYPE_PREFERENCES, "shared_uri_row");
  password_row = sonde_test_template_child (prefs, SONDE_TYPE_PREFERENCES, "shared_password_row");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), ==, "Not set up");

  /* Not a database address: said at once, nothing kept. */
  gtk_editable_set_text (uri_row, "http://db.example/sonde");
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.shared-connect", NULL);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), "postgresql://"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (uri_row), "error"));
  settings_text = g_settings_get_string (app_settings (), "shared-history-uri");
  g_assert_cmpstr (settings_text, ==, "");
  g_clear_pointer (&settings_text, g_free);

  /* A wrong password: the server's refusal, after a connect on a worker
   * (the main loop turns meanwhile: this wait spins it). */
  gtk_editable_set_text (uri_row, db_address);
  gtk_editable_set_text (password_row, "not-the-password");
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.shared-connect", NULL);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), ==, "Connecting…");
  SONDE_TEST_ASSERT_WAIT (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), "Not kept"),
                          WAIT_MS);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), "password"));
  g_assert_null (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)), "not-the-password"));
  settings_text = g_settings_get_string (app_settings (), "shared-history-uri");
  g_assert_cmpstr (settings_text, ==, "");
  g_clear_pointer (&settings_text, g_free);

  /* The right one. */
  gtk_editable_set_text (password_row, SONDE_TEST_POSTGRES_PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.shared-connect", NULL);
  SONDE_TEST_ASSERT_WAIT (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (status)),
                                            "History lists"), WAIT_MS);
  settings_text = g_settings_get_string (app_settings (), "shared-history-uri");
  g_assert_cmpstr (settings_text, ==, db_address);
  g_assert_null (strstr (settings_text, SONDE_TEST_POSTGRES_PASSWORD));
  kept = kept_password ();
  g_assert_cmpstr (kept, ==, SONDE_TEST_POSTGRES_PASSWORD);
  g_assert_cmpstr (gtk_editable_get_text (password_row), ==, "");
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (prefs), "preferences-shared-history.png");

  /* Forget: neither kept any longer. */
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.shared-forget", NULL);
  g_clear_pointer (&settings_text, g_free);
  settings_text = g_settings_get_string (app_settings (), "shared-history-uri");
  g_assert_cmpstr (settings_text, ==, "");
  g_clear_pointer (&kept, g_free);
  SONDE_TEST_WAIT ((kept = kept_password ()) != NULL && *kept == '\0', WAIT_MS);
  g_assert_cmpstr (kept, ==, "");
  sonde_test_destroy_window (GTK_WINDOW (prefs));

  /* Closed while a connect runs (to a server that takes the connection
   * and never answers): the answer, 2 s later, finds the window gone,
   * quietly (a warning fails the test). */
  {
    g_autoptr(GSocketListener) silent = g_socket_listener_new ();
    g_autoptr(GError) error = NULL;
    guint16 port = g_socket_listener_add_any_inet_port (silent, NULL, &error);
    g_autofree char *address = g_strdup_printf ("postgresql://sonde@127.0.0.1:%u/shared?connect_timeout=2",
                                                (guint) port);

    g_assert_no_error (error);
    prefs = sonde_preferences_new (app_settings (), app_secrets ());
    gtk_window_present (GTK_WINDOW (prefs));
    uri_row = sonde_test_template_child (prefs, SONDE_TYPE_PREFERENCES, "shared_uri_row");
    gtk_editable_set_text (uri_row, address);
    gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.shared-connect", NULL);
    sonde_test_destroy_window (GTK_WINDOW (prefs));
    g_socket_listener_close (silent);
  }
}

/* The monitor's sessions, read-only: listed with their profiles, searched,
 * opened at a hit, exported and replayed. */
static void
test_browse (Fixture       *fixture,
             gconstpointer  data)
{
  SondeHistoryView *view;
  GListModel *sessions;
  GListModel *hits;
  SondeHistoryPage *page;
  SondeExportDialog *export;
  AdwTabPage *tab;
  g_autofree char *dir = NULL;
  g_autofree char *jsonl = NULL;
  g_autoptr(GFile) jsonl_file = NULL;
  g_autoptr(GError) error = NULL;

  if (fixture->window == NULL)
    return;
  set_up_shared (db_address, SONDE_TEST_POSTGRES_PASSWORD);
  sonde_window_show_shared_history (fixture->window, NULL);
  SONDE_TEST_ASSERT_WAIT ((view = shared_view (fixture)) != NULL && sonde_test_is_mapped (view), WAIT_MS);
  sessions = sonde_history_view_get_sessions (view);
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sessions) == 2, WAIT_MS);
  g_assert_cmpstr (sonde_history_view_get_title (view), ==, "Shared History");

  /* The password is never shown: not in the tab's tooltip. */
  tab = adw_tab_view_get_selected_page (tab_view_of (fixture));
  g_assert_null (strstr (adw_tab_page_get_tooltip (tab), SONDE_TEST_POSTGRES_PASSWORD));
  g_assert_nonnull (strstr (adw_tab_page_get_tooltip (tab), "127.0.0.1"));

  /* Newest first, each with the profile that recorded it. */
  {
    g_autofree char *first = sonde_history_item_dup_profile (sonde_test_item_at (sessions, 0));
    g_autofree char *second = sonde_history_item_dup_profile (sonde_test_item_at (sessions, 1));

    g_assert_cmpstr (first, ==, "Rates");
    g_assert_cmpstr (second, ==, "Ticker");
  }
  /* Read-only: nothing deleted, nothing imported (not even offered). */
  sonde_history_view_select (view, 0);
  g_assert_false (gtk_widget_get_visible (sonde_test_template_child (view, SONDE_TYPE_HISTORY_VIEW, "delete_button")));
  g_assert_false (gtk_widget_get_visible (sonde_test_template_child (view, SONDE_TYPE_HISTORY_VIEW, "import_button")));
  gtk_widget_activate_action (GTK_WIDGET (view), "history.delete", NULL);
  sonde_test_spin (200);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 2);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "history-shared.png");

  /* Search: 777 is in the Ticker's session only (N_TICKS long). */
  hits = sonde_history_view_get_hits (view);
  g_assert_true (sonde_history_view_search (view, SONDE_HISTORY_QUERY_TEXT, "\"price\":777}"));
  SONDE_TEST_ASSERT_WAIT (!sonde_history_view_get_searching (view), WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  g_assert_cmpuint (sonde_history_item_get_seq (sonde_test_item_at (hits, 0)), ==, 778);

  /* A hit opens its session at that message, once its store has opened on
   * a worker. */
  g_signal_emit_by_name (sonde_test_template_child (view, SONDE_TYPE_HISTORY_VIEW, "hits_view"), "activate", 0);
  SONDE_TEST_ASSERT_WAIT (SONDE_IS_HISTORY_PAGE (front_child (fixture)), WAIT_MS);
  page = SONDE_HISTORY_PAGE (front_child (fixture));
  SONDE_TEST_ASSERT_WAIT (sonde_history_page_get_selected_seq (page) == 778, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (!sonde_history_page_get_loading (page), WAIT_MS);
  g_assert_cmpuint (sonde_message_log_get_n_records (sonde_history_page_get_log (page)), ==, N_TICKS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (sonde_history_page_get_log_view (page)))),
                    ==, N_TICKS);
  g_assert_nonnull (strstr (sonde_history_page_get_title (page), "Ticker"));
  /* The hit's row is on screen, among its neighbours (a list view asked
   * to scroll while rows streamed in showed its first row only). */
  SONDE_TEST_ASSERT_WAIT (shows_text (GTK_WIDGET (sonde_history_page_get_log_view (page)), "\"price\":777}") &&
                          shows_text (GTK_WIDGET (sonde_history_page_get_log_view (page)), "\"price\":770}"),
                          WAIT_MS);
  g_assert_null (strstr (adw_tab_page_get_tooltip (adw_tab_view_get_selected_page (tab_view_of (fixture))),
                         SONDE_TEST_POSTGRES_PASSWORD));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "history-shared-session.png");

  /* Export of the Ticker's session from the list, as JSON Lines. */
  adw_tab_view_set_selected_page (tab_view_of (fixture), tab);
  sonde_history_view_search (view, SONDE_HISTORY_QUERY_TEXT, "");
  sonde_history_view_select (view, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "history.export", NULL));
  SONDE_TEST_ASSERT_WAIT ((export = find_toplevel (SONDE_TYPE_EXPORT_DIALOG)) != NULL, WAIT_MS);
  dir = g_dir_make_tmp ("sonde-shared-XXXXXX", &error);
  g_assert_no_error (error);
  jsonl = g_build_filename (dir, "ticker.jsonl", NULL);
  jsonl_file = g_file_new_for_path (jsonl);
  sonde_export_dialog_set_format (export, SONDE_EXPORT_FORMAT_JSONL);
  sonde_export_dialog_export_to (export, jsonl_file);
  SONDE_TEST_ASSERT_WAIT (!sonde_export_dialog_get_running (export), WAIT_MS);
  g_assert_true (sonde_export_dialog_get_succeeded (export));
  g_assert_cmpuint (count_lines (jsonl), >=, N_TICKS);
  sonde_test_destroy_window (GTK_WINDOW (export));

  /* Replay of the same session into a page of its own. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "history.replay", NULL));
  SONDE_TEST_ASSERT_WAIT (SONDE_IS_HISTORY_PAGE (front_child (fixture)) &&
                          sonde_history_page_get_replay (SONDE_HISTORY_PAGE (front_child (fixture))), WAIT_MS);
  page = SONDE_HISTORY_PAGE (front_child (fixture));
  g_assert_nonnull (sonde_history_page_get_player (page));
  g_assert_null (sonde_history_page_get_error (page));

  /* Served as a mock: the session read on a worker, then the URL. */
  adw_tab_view_set_selected_page (tab_view_of (fixture), tab);
  {
    SondeServeDialog *serve = SONDE_SERVE_DIALOG (sonde_history_view_serve_selected (view));

    g_assert_true (sonde_serve_dialog_start (serve));
    SONDE_TEST_ASSERT_WAIT (sonde_serve_dialog_get_url (serve) != NULL || sonde_serve_dialog_get_error (serve) != NULL,
                            WAIT_MS);
    g_assert_null (sonde_serve_dialog_get_error (serve));
    g_assert_true (g_str_has_prefix (sonde_serve_dialog_get_url (serve), "ws://127.0.0.1:"));
    sonde_test_destroy_window (GTK_WINDOW (serve));
  }

  g_remove (jsonl);
  g_rmdir (dir);
}

static guint16
unused_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* A profile's local History offers its sessions in the shared history:
 * only those of that profile, searched among themselves. */
static void
test_profile (Fixture       *fixture,
              gconstpointer  data)
{
  SondeHistoryView *local;
  SondeHistoryView *view;
  GtkWidget *button;
  GListModel *hits;

  if (fixture->window == NULL)
    return;
  g_settings_set_string (app_settings (), "shared-history-uri", "");
  local = sonde_window_show_history (fixture->window, "p-ticker");
  button = sonde_test_template_child (local, SONDE_TYPE_HISTORY_VIEW, "shared_button");
  g_assert_false (gtk_widget_get_visible (button));

  /* Set up: offered, the next time the History is shown. */
  set_up_shared (db_address, SONDE_TEST_POSTGRES_PASSWORD);
  local = sonde_window_show_history (fixture->window, "p-ticker");
  g_assert_true (gtk_widget_get_visible (button));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "history-local-shared-button.png");
  g_assert_true (gtk_widget_activate (button));
  SONDE_TEST_ASSERT_WAIT ((view = shared_view (fixture)) != NULL && sonde_test_is_mapped (view), WAIT_MS);
  g_assert_cmpstr (sonde_history_view_get_profile_id (view), ==, "p-ticker");
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sonde_history_view_get_sessions (view)) == 1 &&
                          !sonde_history_view_get_busy (view), WAIT_MS);
  {
    g_autofree char *name = sonde_history_item_dup_profile (sonde_test_item_at (sonde_history_view_get_sessions (view), 0));

    g_assert_cmpstr (name, ==, "Ticker");
  }
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "history-shared-profile.png");

  /* "price":5 is in both profiles' sessions: found here in the Ticker's only. */
  hits = sonde_history_view_get_hits (view);
  g_assert_true (sonde_history_view_search (view, SONDE_HISTORY_QUERY_TEXT, "\"price\":5}"));
  SONDE_TEST_ASSERT_WAIT (!sonde_history_view_get_searching (view), WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);

  /* The whole shared history is a tab of its own. */
  sonde_window_show_shared_history (fixture->window, NULL);
  SONDE_TEST_ASSERT_WAIT ((view = shared_view (fixture)) != NULL && sonde_history_view_get_profile_id (view) == NULL,
                          WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sonde_history_view_get_sessions (view)) == 2, WAIT_MS);
}

/* A server that does not answer: the tab comes at once, and then says
 * why; the password refused says that. */
static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  SondeHistoryView *view;
  AdwStatusPage *error_page;
  g_autofree char *address = NULL;

  if (fixture->window == NULL)
    return;
  /* A port nothing listens on: one the system just handed out, let go. */
  address = g_strdup_printf ("postgresql://" SONDE_TEST_POSTGRES_USER "@127.0.0.1:%u/shared?connect_timeout=2",
                             (guint) unused_port ());
  set_up_shared (address, SONDE_TEST_POSTGRES_PASSWORD);
  sonde_window_show_shared_history (fixture->window, NULL);
  SONDE_TEST_ASSERT_WAIT ((view = shared_view (fixture)) != NULL, WAIT_MS);
  error_page = sonde_test_template_child (view, SONDE_TYPE_HISTORY_VIEW, "error_page");
  /* The sidebar names the tab at once (its title comes after it was
   * added; the sidebar's periodic refresh would show it a second late). */
  g_assert_true (sidebar_shows (fixture, "Shared History"));
  SONDE_TEST_ASSERT_WAIT (sonde_history_view_get_error (view) != NULL, WAIT_MS);
  g_assert_cmpstr (adw_status_page_get_title (error_page), ==, "Shared History Unreachable");
  g_assert_null (strstr (sonde_history_view_get_error (view), SONDE_TEST_POSTGRES_PASSWORD));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "history-shared-unreachable.png");

  /* The right server, the wrong password: the address changed, so the tab
   * is made again. */
  set_up_shared (db_address, "wrong-password");
  sonde_window_show_shared_history (fixture->window, NULL);
  SONDE_TEST_ASSERT_WAIT ((view = shared_view (fixture)) != NULL && sonde_history_view_get_error (view) != NULL &&
                          strstr (sonde_history_view_get_path (view), "wrong-password") != NULL, WAIT_MS);
  error_page = sonde_test_template_child (view, SONDE_TYPE_HISTORY_VIEW, "error_page");
  g_assert_cmpstr (adw_status_page_get_title (error_page), ==, "Shared History Refused the Password");
  g_assert_null (strstr (sonde_history_view_get_error (view), "wrong-password"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean skip = FALSE;
  int status;

  sonde_test_gui_init (&argc, &argv);
  server = sonde_test_postgres_start (&skip, &error);
  if (server == NULL && !skip)
    g_error ("PostgreSQL did not start: %s", error->message);
  if (server != NULL)
    {
      g_autoptr(SondeStore) store = NULL;
      g_autoptr(GUri) parsed = NULL;

      db_uri = sonde_test_postgres_new_database (server, "shared", &error);
      g_assert_no_error (error);
      store = sonde_store_open_uri (db_uri, SONDE_STORE_OPEN_WRITE, &error);
      g_assert_no_error (error);
      record_session (store, "p-ticker", "Ticker", g_get_real_time () - (gint64) 3600 * G_USEC_PER_SEC, N_TICKS);
      record_session (store, "p-rates", "Rates", g_get_real_time () - (gint64) 600 * G_USEC_PER_SEC, 20);
      db_address = g_strdup_printf ("postgresql://" SONDE_TEST_POSTGRES_USER "@127.0.0.1:%u/shared",
                                    (guint) sonde_test_postgres_port (server));
    }

  g_test_add ("/shared-history/preferences", Fixture, NULL, setup, test_preferences, teardown);
  g_test_add ("/shared-history/browse", Fixture, NULL, setup, test_browse, teardown);
  g_test_add ("/shared-history/profile", Fixture, NULL, setup, test_profile, teardown);
  g_test_add ("/shared-history/unreachable", Fixture, NULL, setup, test_unreachable, teardown);

  status = sonde_test_gui_run ();
  g_clear_pointer (&server, sonde_test_postgres_free);
  g_free (db_uri);
  g_free (db_address);
  return status;
}
