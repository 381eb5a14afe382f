/* test-profile-editor.c: saved profiles in the window, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Create, edit, validate, delete and undo through the window's actions and
 * the editor; two profiles connected at once to two different servers;
 * on-open messages going out again after a reconnect. The store writes to
 * the test's own config dir; there is no keyring here, so secrets are kept
 * for the session (which the editor says).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-charts-panel.h"
#include "sonde-connection-page.h"
#include "sonde-demo-server.h"
#include "sonde-profile-editor.h"
#include "sonde-sidebar.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

/* The application of the run, which the shared fixture's windows belong to. */
static SondeApplication *app;

/* The shared window fixture: the window and a demo server. */
typedef SondeTestWindowFixture Fixture;

static SondeProfileStore *
store (void)
{
  return sonde_application_get_store (app);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* Every test starts with no profiles. */
  while (g_list_model_get_n_items (G_LIST_MODEL (store ())) > 0)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (G_LIST_MODEL (store ()), 0);
      sonde_profile_store_remove (store (), profile, NULL);
    }

  sonde_test_window_setup (fixture, data);
}

static SondeProfileEditor *
find_editor (void)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (SONDE_IS_PROFILE_EDITOR (l->data))
        return l->data;
    }
  return NULL;
}

static void
type_into (SondeProfileEditor *editor,
           const char         *field,
           const char         *text)
{
  GtkWidget *widget = sonde_profile_editor_get_field (editor, field);

  g_assert_nonnull (widget);
  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static gboolean
has_problem (SondeProfileEditor *editor,
             const char         *field)
{
  GPtrArray *problems = sonde_profile_editor_get_problems (editor);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      SondeProblem *problem = g_ptr_array_index (problems, i);

      if (g_str_equal (problem->field, field))
        return TRUE;
    }
  return FALSE;
}

static SondeProfileEditor *
open_new_editor (Fixture *fixture)
{
  SondeProfileEditor *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-profile", NULL));
  editor = find_editor ();
  g_assert_nonnull (editor);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (editor)), WAIT_MS);
  return editor;
}

static SondeProfile *
profile_at (guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (store ()), position);
}

/* A new profile: every bad field is named, Save waits until all are
 * fixed, and the saved profile is in the store and the sidebar. */
static void
test_create_and_validate (Fixture       *fixture,
                          gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  GtkWidget *sidebar = sonde_window_get_sidebar (fixture->window);
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) saved = NULL;
  GtkRevealer *banner = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_PROFILE_EDITOR,
                                                                     "problems_revealer"));
  GtkWidget *save = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_PROFILE_EDITOR,
                                                               "save_button"));

  /* Blank, it is not wrong yet: no red, but nothing to save either. */
  g_assert_true (has_problem (editor, "name"));
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (sonde_profile_editor_get_field (editor, "name")), "error"));
  g_assert_false (gtk_widget_get_sensitive (save));

  type_into (editor, "name", "Echo");
  type_into (editor, "url", "ftp://example.com/feed");
  type_into (editor, "headers", "X-Good: yes\nNo colon here");
  g_assert_true (has_problem (editor, "url"));
  g_assert_true (has_problem (editor, "headers[1]"));
  g_assert_false (has_problem (editor, "name"));
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (sonde_profile_editor_get_field (editor, "url")), "error"));

  sonde_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-errors.png");

  g_assert_false (sonde_profile_editor_save (editor, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);

  type_into (editor, "url", url);
  type_into (editor, "headers", "X-Good: yes");
  g_assert_false (has_problem (editor, "url"));
  g_assert_false (has_problem (editor, "headers[1]"));
  g_assert_cmpuint (sonde_profile_editor_get_problems (editor)->len, ==, 0);

  g_assert_true (sonde_profile_editor_save (editor, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (editor));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 1);
  saved = profile_at (0);
  g_assert_cmpstr (sonde_profile_get_name (saved), ==, "Echo");
  g_assert_cmpstr (sonde_profile_get_headers (saved)[0], ==, "X-Good: yes");
  g_assert_cmpuint (g_list_model_get_n_items (sonde_sidebar_get_shown_profiles (SONDE_SIDEBAR (sidebar))), ==, 1);

  /* The store writes it to its file. */
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store ()), WAIT_MS);
  g_assert_true (g_file_test (sonde_profile_store_get_path (store ()), G_FILE_TEST_EXISTS));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-profiles.png");
}

/* Edit keeps the profile's place and id; the search finds it by name or
 * URL. */
static void
test_edit_and_search (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SondeProfile) first = sonde_profile_new_for_url ("ws://127.0.0.1:1/a");
  g_autoptr(SondeProfile) second = sonde_profile_new_for_url ("ws://127.0.0.1:1/b");
  g_autoptr(SondeProfile) edited = NULL;
  g_autofree char *id = NULL;
  GtkWidget *sidebar = sonde_window_get_sidebar (fixture->window);
  GObject *search;
  SondeProfileEditor *editor;

  sonde_profile_set_name (first, "Alpha feed");
  sonde_profile_set_name (second, "Beta feed");
  sonde_profile_store_add (store (), first);
  sonde_profile_store_add (store (), second);
  id = g_strdup (sonde_profile_get_id (first));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-profile", "s", id));
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_get_field (editor, "name"))), ==,
                   "Alpha feed");
  type_into (editor, "name", "Alpha renamed");
  g_assert_true (sonde_profile_editor_save (editor, NULL));
  gtk_window_destroy (GTK_WINDOW (editor));

  edited = profile_at (0);
  g_assert_cmpstr (sonde_profile_get_id (edited), ==, id);
  g_assert_cmpstr (sonde_profile_get_name (edited), ==, "Alpha renamed");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 2);

  search = gtk_widget_get_template_child (sidebar, SONDE_TYPE_SIDEBAR, "search_entry");
  gtk_editable_set_text (GTK_EDITABLE (search), "beta");
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sonde_sidebar_get_shown_profiles (SONDE_SIDEBAR (sidebar))) == 1,
                          WAIT_MS);
  gtk_editable_set_text (GTK_EDITABLE (search), "/a");
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sonde_sidebar_get_shown_profiles (SONDE_SIDEBAR (sidebar))) == 1,
                          WAIT_MS);
  gtk_editable_set_text (GTK_EDITABLE (search), "nothing like it");
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (sonde_sidebar_get_shown_profiles (SONDE_SIDEBAR (sidebar))) == 0,
                          WAIT_MS);
}

/* Delete, then Undo: the profile comes back in its place. */
static void
test_delete_and_undo (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SondeProfile) a = sonde_profile_new_for_url ("ws://127.0.0.1:1/a");
  g_autoptr(SondeProfile) b = sonde_profile_new_for_url ("ws://127.0.0.1:1/b");
  g_autoptr(SondeProfile) back = NULL;

  sonde_profile_set_name (a, "A");
  sonde_profile_set_name (b, "B");
  sonde_profile_store_add (store (), a);
  sonde_profile_store_add (store (), b);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-profile", "s",
                                             sonde_profile_get_id (a)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 1);
  g_assert_null (sonde_profile_store_lookup (store (), sonde_profile_get_id (a)));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-undo-delete.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo-delete", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 2);
  back = profile_at (0);
  g_assert_true (back == a);

  /* Undo once only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo-delete", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 2);
}

static guint
n_in (SondeConnectionPage *page)
{
  SondeStats stats;

  sonde_connection_get_stats (sonde_connection_page_get_connection (page), &stats);
  return (guint) stats.messages_in;
}

static guint
n_automatic_out (SondeConnectionPage *page)
{
  SondeMessageLog *log = sonde_connection_get_log (sonde_connection_page_get_connection (page));
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_OUT && (record.flags & SONDE_RECORD_FLAG_AUTOMATIC))
        n++;
    }
  return n;
}

static SondeConnectionState
state_of (SondeConnectionPage *page)
{
  return sonde_connection_get_state (sonde_connection_page_get_connection (page));
}

/* Two profiles open at once, to two servers, each tab with its own log;
 * on-open messages go out at every connect, and come back from the echo
 * server. */
static void
test_two_profiles_and_on_open (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *echo_url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  SondeDemoServer *demo2 = sonde_test_demo_start ();
  g_autofree char *ticker_url = sonde_demo_server_dup_url (demo2, "/ticker?rate=50");
  g_autoptr(SondeProfile) echo = sonde_profile_new_for_url (echo_url);
  g_autoptr(SondeProfile) ticker = sonde_profile_new_for_url (ticker_url);
  g_autoptr(GPtrArray) on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  SondeConnectionPage *echo_page, *ticker_page;

  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                       "{\"op\": \"auth\", \"n\": {{seq}}}"));
  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "subscribe ticks"));
  sonde_profile_set_name (echo, "Echo");
  sonde_profile_set_on_open (echo, on_open);
  sonde_profile_set_name (ticker, "Ticker");
  sonde_profile_store_add (store (), echo);
  sonde_profile_store_add (store (), ticker);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-profile", "s",
                                             sonde_profile_get_id (echo)));
  echo_page = sonde_window_get_current_page (fixture->window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-profile", "s",
                                             sonde_profile_get_id (ticker)));
  ticker_page = sonde_window_get_current_page (fixture->window);
  g_assert_true (echo_page != ticker_page);
  g_assert_cmpuint (sonde_window_get_n_pages (fixture->window), ==, 2);

  /* The on-open messages went out and came back. */
  SONDE_TEST_ASSERT_WAIT (n_in (echo_page) == 2, WAIT_MS);
  g_assert_cmpuint (n_automatic_out (echo_page), ==, 2);
  SONDE_TEST_ASSERT_WAIT (n_in (ticker_page) >= 5, WAIT_MS);
  g_assert_cmpuint (n_automatic_out (ticker_page), ==, 0);
  g_assert_cmpuint (n_in (echo_page), ==, 2);   /* no ticks in the echo tab */
  g_assert_cmpstr (sonde_connection_page_get_title (echo_page), ==, "Echo");
  g_assert_cmpstr (sonde_connection_page_get_profile_id (ticker_page), ==, sonde_profile_get_id (ticker));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-two-profiles.png");

  /* Again after a reconnect. */
  sonde_connection_page_disconnect (echo_page);
  SONDE_TEST_ASSERT_WAIT (state_of (echo_page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-profile", "s",
                                             sonde_profile_get_id (echo)));
  /* One tab per profile: the profile's own tab comes to the front and
   * connects again (its log keeps both connections). */
  g_assert_cmpuint (sonde_window_get_n_pages (fixture->window), ==, 2);
  g_assert_true (sonde_window_get_current_page (fixture->window) == echo_page);
  SONDE_TEST_ASSERT_WAIT (n_in (echo_page) == 4, WAIT_MS);
  g_assert_cmpuint (n_automatic_out (echo_page), ==, 4);

  /* The second server goes with this test: its tab lets go of it first. */
  sonde_connection_page_disconnect (ticker_page);
  SONDE_TEST_ASSERT_WAIT (state_of (ticker_page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  sonde_test_demo_stop (demo2);
}

/* A bearer token typed in the editor goes to the handshake's
 * Authorization header, and never into the profiles file. */
static void
test_secret_in_handshake_not_in_file (Fixture       *fixture,
                                      gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autofree char *contents = NULL;
  g_autoptr(SondeProfile) profile = NULL;
  SondeConnectionPage *page;
  SondeHandshake *handshake;
  const char *canary = "CANARY-ui-3b9d7";
  gboolean found = FALSE;

  type_into (editor, "name", "Private");
  type_into (editor, "url", url);
  adw_combo_row_set_selected (ADW_COMBO_ROW (sonde_profile_editor_get_field (editor, "auth")), SONDE_AUTH_BEARER);
  sonde_profile_editor_set_secret (editor, canary);
  /* Saved once the keyring has the token: the editor then closes. */
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  SONDE_TEST_ASSERT_WAIT (editor == NULL, WAIT_MS);

  profile = profile_at (0);
  page = sonde_window_connect_profile (fixture->window, profile);
  SONDE_TEST_ASSERT_WAIT (state_of (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  handshake = sonde_connection_get_handshake (sonde_connection_page_get_connection (page));
  g_assert_nonnull (handshake);
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name, *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        found = TRUE;
    }
  g_assert_true (found);

  g_assert_true (sonde_profile_store_flush (store (), NULL));
  g_assert_true (g_file_get_contents (sonde_profile_store_get_path (store ()), &contents, NULL, NULL));
  g_assert_null (strstr (contents, canary));
  g_assert_nonnull (strstr (contents, "Private"));
}

static guint64
last_in_seq (SondeConnectionPage *page)
{
  SondeMessageLog *log = sonde_connection_get_log (sonde_connection_page_get_connection (page));

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i - 1, &record) && record.direction == SONDE_DIRECTION_IN)
        return record.seq;
    }
  return 0;
}

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  char             *line;
  gboolean          reading;
} NotificationServer;

static void
on_server_line (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  NotificationServer *server = data;

  server->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  server->reading = FALSE;
}

/* tests/servers/notification_server.py on the session bus: where GLib
 * sends the notifications, as to a desktop shell. */
static void
notification_server_start (NotificationServer *server)
{
  g_autofree char *script = g_build_filename (g_getenv ("SONDE_TEST_SERVERS"), "notification_server.py", NULL);
  g_autoptr(GError) error = NULL;

  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      g_getenv ("SONDE_PYTHON"), script, NULL);
  g_assert_no_error (error);
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  server->reading = TRUE;
  g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, NULL, on_server_line, server);
  SONDE_TEST_ASSERT_WAIT (!server->reading, WAIT_MS);
  g_assert_cmpstr (server->line, ==, "ready");
}

static void
notification_server_stop (NotificationServer *server)
{
  /* Its stdin closes: it exits. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (server->process), NULL, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->out);
  g_clear_object (&server->process);
  g_free (server->line);
}

static GVariant *
notification_server_call (const char *method,
                          GVariant   *parameters)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                                 "io.github.sondeapp.TestNotifications", method, parameters,
                                                 NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

  g_assert_no_error (error);
  return reply;
}

/* The id of the notification the server holds with @summary, or 0. */
static guint32
find_notification (const char  *summary,
                   char       **body)
{
  g_autoptr(GVariant) reply = notification_server_call ("List", NULL);
  g_autoptr(GVariantIter) iter = NULL;
  guint32 id;
  const char *s, *b;
  g_autoptr(GVariantIter) keys = NULL;

  g_variant_get (reply, "(a(ussas))", &iter);
  while (g_variant_iter_loop (iter, "(u&s&sas)", &id, &s, &b, NULL))
    {
      if (g_str_equal (s, summary))
        {
          if (body != NULL)
            *body = g_strdup (b);
          return id;
        }
    }
  return 0;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* Notification rules and a latency probe, typed in the editor and checked
 * as typed; connected, the probe's round trips are charted; with the
 * window in the background, a matching message becomes a desktop
 * notification, and its action brings the window back at that message.
 * Closing the window with a live connection asks first. */
static void
test_notifications_and_probe (Fixture       *fixture,
                              gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) saved = NULL;
  g_autofree char *rules = NULL;
  SondeConnectionPage *page;
  SondeConnection *connection;
  SondeSeriesFeed *feed;
  SondeSeries *rtt;
  AdwMessageDialog *dialog;
  const char *last_title = NULL;
  const char *reply_path = NULL;
  NotificationServer server = { 0 };
  g_autofree char *body = NULL;
  guint32 notification_id = 0;
  guint n_alerts;
  guint64 seq;
  guint interval = 0;

  type_into (editor, "name", "Echo alerts");
  type_into (editor, "url", url);
  type_into (editor, "notify-match", "alarm\n\n  ");
  type_into (editor, "notifications", "$.price > 100\nprice is high");
  g_assert_true (has_problem (editor, "notifications"));
  type_into (editor, "notifications", "$.price > 100\n$.level <= -2.5");
  g_assert_false (has_problem (editor, "notifications"));

  type_into (editor, "latency-probe", "{\"op\": \"ping\", \"id\": \"{{seq}}\"}");
  type_into (editor, "latency-path", "$.id");
  g_assert_true (has_problem (editor, "latency-probe"));
  type_into (editor, "latency-probe", "{\"op\": \"ping\", \"id\": \"{{uuid}}\"}");
  type_into (editor, "latency-path", "$.id[");
  g_assert_true (has_problem (editor, "latency-path"));
  type_into (editor, "latency-path", "$.id");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sonde_profile_editor_get_field (editor, "latency-interval")), 1);
  g_assert_cmpuint (sonde_profile_editor_get_problems (editor)->len, ==, 0);

  g_assert_true (sonde_profile_editor_save (editor, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (editor));

  saved = profile_at (0);
  rules = json_to_string (sonde_profile_get_notifications (saved), FALSE);
  g_assert_cmpstr (rules, ==, "{\"cooldown_s\":60,\"drops\":false,\"match\":[\"alarm\"],"
                              "\"thresholds\":[{\"path\":\"$.price\",\"op\":\">\",\"value\":100.0},"
                              "{\"path\":\"$.level\",\"op\":\"<=\",\"value\":-2.5}]}");
  g_assert_nonnull (sonde_profile_get_latency_probe (saved, &reply_path, &interval));
  g_assert_cmpstr (reply_path, ==, "$.id");
  g_assert_cmpuint (interval, ==, 1);

  /* Connected: the round trips have a chart of their own. */
  page = sonde_window_connect_profile (fixture->window, saved);
  g_assert_nonnull (page);
  connection = sonde_connection_page_get_connection (page);
  SONDE_TEST_ASSERT_WAIT (state_of (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (sonde_connection_page_get_charts (page)), ==, 1);
  feed = sonde_charts_panel_get_feed (sonde_connection_page_get_charts (page));
  rtt = sonde_chart_get_series (sonde_charts_panel_get_chart (sonde_connection_page_get_charts (page), 0), 0);
  g_assert_cmpint (sonde_series_feed_get_source (feed, rtt), ==, SONDE_SERIES_SOURCE_LATENCY);
  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (rtt) >= 1, WAIT_MS);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-latency.png");

  /* In the background, a matching message is a desktop notification. */
  notification_server_start (&server);
  sonde_window_go_background (fixture->window);
  g_assert_true (sonde_window_get_in_background (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  n_alerts = sonde_application_get_n_alerts (app, NULL);
  g_assert_true (sonde_connection_send_text (connection, "{\"note\": \"ALARM: disk full\"}", -1, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_application_get_n_alerts (app, &last_title) == n_alerts + 1, WAIT_MS);
  g_assert_cmpstr (last_title, ==, "Echo alerts: A message contains “alarm”");
  seq = last_in_seq (page);
  SONDE_TEST_ASSERT_WAIT ((notification_id = find_notification (last_title, &body)) != 0, WAIT_MS);
  g_assert_nonnull (strstr (body, "ALARM: disk full"));
  /* And the background one, from before. */
  g_assert_cmpuint (find_notification ("Sonde Is Monitoring in the Background", NULL), !=, 0);

  /* A click on it: the window again, on that message. */
  g_variant_unref (notification_server_call ("Invoke", g_variant_new ("(us)", notification_id, "default")));
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_visible (GTK_WIDGET (fixture->window)), WAIT_MS);
  g_assert_false (sonde_window_get_in_background (fixture->window));
  {
    SondeMessage *selected = sonde_log_view_get_selected (sonde_connection_page_get_log_view (page));

    g_assert_nonnull (selected);
    g_assert_cmpuint (sonde_message_get_seq (selected), ==, seq);
  }

  /* Closing with a live connection asks; keeping it monitored hides the
   * window; the connection stays open. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  SONDE_TEST_ASSERT_WAIT ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  sonde_test_save_screenshot (GTK_WIDGET (dialog), "keep-monitoring.png");
  adw_message_dialog_response (dialog, "background");
  g_assert_true (sonde_window_get_in_background (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_cmpint (state_of (page), ==, SONDE_CONNECTION_STATE_OPEN);
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-window", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_false (sonde_window_get_in_background (fixture->window));

  notification_server_stop (&server);
}

/* Scrolls @within (a scrolled window's ancestor) so that @widget is near
 * the top: for screenshots. */
static void
scroll_to (GtkWidget *within,
           GtkWidget *widget)
{
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (sonde_test_find_widget (within, GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  double x, y;

  g_assert_true (gtk_widget_translate_coordinates (widget, gtk_scrolled_window_get_child (scrolled), 0, 0, &x, &y));
  gtk_adjustment_set_value (adjustment, y - 60);
}

/* Every text area of the editor says what it is: a visible label names
 * it (its mnemonic widget), not only an accessible name. */
static void
test_text_areas_labelled (Fixture       *fixture,
                          gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  const char *fields[] = { "headers", "heartbeat", "latency-probe", "notify-match", "notifications" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkWidget *view = sonde_profile_editor_get_field (editor, fields[i]);
      gboolean labelled = FALSE;

      g_assert_true (GTK_IS_TEXT_VIEW (view));
      for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_parent (view));
           child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          if (GTK_IS_LABEL (child) && gtk_label_get_mnemonic_widget (GTK_LABEL (child)) == view &&
              gtk_widget_get_visible (child) && *gtk_label_get_label (GTK_LABEL (child)) != '\0')
            labelled = TRUE;
        }
      if (!labelled)
        g_error ("the text area “%s” has no visible label", fields[i]);
    }

  {
    GtkWidget *heartbeat = sonde_profile_editor_get_field (editor, "heartbeat");

    gtk_widget_grab_focus (heartbeat);
    sonde_test_spin (300);
    scroll_to (GTK_WIDGET (editor), heartbeat);
    sonde_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-labels.png");
  }
  gtk_window_destroy (GTK_WINDOW (editor));
}

static const char *
row_subtitle (SondeProfileEditor *editor,
              const char         *name)
{
  GtkWidget *row = gtk_widget_get_ancestor (sonde_profile_editor_get_field (editor, name), ADW_TYPE_ACTION_ROW);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* The largest message bounds a whole message (all its fragments, and the
 * inflated size when compressed); compression carries no warning any more:
 * Sonde's own deflate extension inflates within that bound. */
static void
test_message_limit_words (Fixture       *fixture,
                          gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  const char *limit = row_subtitle (editor, "max-message-size");
  const char *deflate = row_subtitle (editor, "deflate");

  g_assert_nonnull (strstr (limit, "fragments"));
  g_assert_nonnull (strstr (limit, "inflated"));
  g_assert_null (strstr (deflate, "Warning"));
  g_assert_null (strstr (deflate, "exhaust memory"));
  gtk_window_destroy (GTK_WINDOW (editor));
}

/* Bearer authentication with no token is a problem of the editor; a
 * token typed fixes it. */
static void
test_bearer_needs_token (Fixture       *fixture,
                         gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  g_autoptr(GError) error = NULL;

  type_into (editor, "name", "Private");
  type_into (editor, "url", "ws://127.0.0.1:1/feed");
  g_assert_false (has_problem (editor, "secret"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (sonde_profile_editor_get_field (editor, "auth")), SONDE_AUTH_BEARER);
  g_assert_true (has_problem (editor, "secret"));
  g_assert_true (gtk_widget_has_css_class (sonde_profile_editor_get_field (editor, "secret"), "error"));
  g_assert_false (sonde_profile_editor_save (editor, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);
  sonde_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-no-token.png");

  sonde_profile_editor_set_secret (editor, "t0ken");
  g_assert_false (has_problem (editor, "secret"));
  gtk_window_destroy (GTK_WINDOW (editor));
}

typedef struct {
  gboolean  done;
  char     *secret;
} Lookup;

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Lookup *lookup = data;

  lookup->secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, NULL);
  lookup->done = TRUE;
}

/* A keyring that refuses to store: the editor says so before it closes,
 * and why; Back keeps it open; "Keep for This Session" saves the profile
 * with the secret in memory only. */
static void
test_keyring_refuses (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SondeSecrets) secrets = NULL;
  SondeProfileEditor *editor;
  AdwMessageDialog *dialog;
  Lookup lookup = { 0 };
  g_autoptr(SondeProfile) saved = NULL;

  g_setenv ("SONDE_SECRETS_BACKEND", "refuse", TRUE);
  secrets = sonde_secrets_new ();
  g_setenv ("SONDE_SECRETS_BACKEND", "memory", TRUE);

  editor = sonde_profile_editor_new (store (), secrets, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (fixture->window));
  gtk_window_present (GTK_WINDOW (editor));
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (editor)), WAIT_MS);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  type_into (editor, "name", "Locked");
  type_into (editor, "url", "ws://127.0.0.1:1/feed");
  adw_combo_row_set_selected (ADW_COMBO_ROW (sonde_profile_editor_get_field (editor, "auth")), SONDE_AUTH_BEARER);
  sonde_profile_editor_set_secret (editor, "CANARY-refused-81f");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  SONDE_TEST_ASSERT_WAIT ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  g_assert_nonnull (editor);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "SONDE_SECRETS_BACKEND=refuse"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), _("token")));
  sonde_test_save_screenshot (GTK_WIDGET (dialog), "profile-editor-keyring-refused.png");

  /* Back: nothing saved, the editor stays, Save works again. */
  adw_message_dialog_response (dialog, "back");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as a click on the button does */
  SONDE_TEST_ASSERT_WAIT (find_message_dialog () == NULL, WAIT_MS);
  g_assert_nonnull (editor);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  SONDE_TEST_ASSERT_WAIT ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  adw_message_dialog_response (dialog, "session");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as a click on the button does */
  SONDE_TEST_ASSERT_WAIT (editor == NULL, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 1);
  saved = profile_at (0);
  g_assert_cmpstr (sonde_profile_get_name (saved), ==, "Locked");

  sonde_secrets_lookup_async (secrets, sonde_profile_get_id (saved), NULL, on_looked_up, &lookup);
  SONDE_TEST_ASSERT_WAIT (lookup.done, WAIT_MS);
  g_assert_cmpstr (lookup.secret, ==, "CANARY-refused-81f");
  g_free (lookup.secret);
}

static GtkButton *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return GTK_BUTTON (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static SondeConnectionState
page_state (SondeConnectionPage *page)
{
  return sonde_connection_get_state (sonde_connection_page_get_connection (page));
}

static gboolean
sent_authorization (SondeConnectionPage *page,
                    const char          *expected)
{
  SondeHandshake *handshake = sonde_connection_get_handshake (sonde_connection_page_get_connection (page));

  for (guint i = 0; handshake != NULL && i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name, *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        return expected == NULL || g_strcmp0 (value, expected) == 0;
    }
  return FALSE;
}

/* A profile whose token is missing: the banner offers "Enter Token…",
 * which asks for it and connects with it. */
static void
test_enter_missing_token (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (url);
  SondeConnectionPage *page;
  GtkButton *enter;
  AdwMessageDialog *dialog;

  sonde_profile_set_name (profile, "Tokenless");
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  sonde_profile_store_add (store (), profile);

  page = sonde_window_connect_profile (fixture->window, profile);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_page_get_problem (page) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "Tokenless"));
  enter = find_button (GTK_WIDGET (page), _("Enter Token…"));
  g_assert_nonnull (enter);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (enter)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_button (GTK_WIDGET (page), _("Edit Profile…")))));
  sonde_test_spin (300);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "banner-enter-token.png");

  g_signal_emit_by_name (enter, "clicked");
  SONDE_TEST_ASSERT_WAIT ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "typed-t0ken");
  sonde_test_save_screenshot (GTK_WIDGET (dialog), "enter-token-dialog.png");
  adw_message_dialog_response (dialog, "connect");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as a click on the button does */

  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_true (sent_authorization (page, NULL));
  g_assert_null (sonde_connection_page_get_problem (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (enter)));
  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
}

static void
on_unauthorized (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           data)
{
  static const char body[] = "{\"error\": \"invalid_token\", \"detail\": \"expired 5 minutes ago\"}";

  soup_server_message_set_status (message, 401, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A 401 with a body: the banner shows the server's short answer and
 * offers to enter the token or edit the profile, besides Reconnect; the
 * Connection panel shows the body whole, and its Close row keeps its title
 * in one piece and its value uncut. */
static void
test_refused_shows_answer (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SondeProfile) profile = NULL;
  SondeConnectionPage *page;
  SondeConnectionPanel *panel;
  GtkStack *stack;
  GtkLabel *body;
  GtkLabel *close_title;
  GSList *uris;

  soup_server_add_handler (server, "/private", on_unauthorized, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("ws://127.0.0.1:%d/private", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  profile = sonde_profile_new_for_url (url);
  sonde_profile_set_name (profile, "Expired");
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  sonde_profile_store_add (store (), profile);
  sonde_secrets_keep_for_session (sonde_application_get_secrets (app), sonde_profile_get_id (profile), "old-t0ken");

  page = sonde_window_connect_profile (fixture->window, profile);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_FAILED, WAIT_MS);
  g_assert_true (sent_authorization (page, NULL));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "401"));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "expired 5 minutes ago"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_button (GTK_WIDGET (page), _("Enter Token…")))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_button (GTK_WIDGET (page), _("Edit Profile…")))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_button (GTK_WIDGET (page), _("Reconnect")))));

  panel = sonde_connection_page_get_panel (page);
  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (page), SONDE_TYPE_CONNECTION_PAGE, "side_stack"));
  gtk_stack_set_visible_child_name (stack, "connection");
  sonde_connection_panel_refresh (panel);
  body = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (panel), SONDE_TYPE_CONNECTION_PANEL, "body_label"));
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (body)) || sonde_test_is_mapped (body));
  g_assert_nonnull (strstr (gtk_label_get_label (body), "expired 5 minutes ago"));
  sonde_test_spin (300);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-401-answer.png");
  scroll_to (GTK_WIDGET (panel), GTK_WIDGET (body));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "panel-401-body.png");

  /* "Close" (the row's title) in one piece, its value not cut. */
  close_title = find_label (GTK_WIDGET (panel), _("Close"));
  g_assert_nonnull (close_title);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (close_title)), WAIT_MS);
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (close_title)), ==, 1);
  {
    GtkLabel *value = find_label (GTK_WIDGET (panel), sonde_connection_panel_get_value (panel, "close"));

    g_assert_nonnull (value);
    g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (value)));
    g_assert_nonnull (strstr (gtk_label_get_label (value), "401"));
  }

  /* Edit Profile… opens the profile's editor, which shows the token it
   * has (kept for the session here), hidden. */
  g_signal_emit_by_name (find_button (GTK_WIDGET (page), _("Edit Profile…")), "clicked");
  {
    SondeProfileEditor *editor = NULL;
    GtkEditable *secret;

    SONDE_TEST_ASSERT_WAIT ((editor = find_editor ()) != NULL, WAIT_MS);
    g_assert_cmpstr (sonde_profile_get_id (sonde_profile_editor_get_draft (editor)), ==,
                     sonde_profile_get_id (profile));
    secret = GTK_EDITABLE (sonde_profile_editor_get_field (editor, "secret"));
    SONDE_TEST_ASSERT_WAIT (g_strcmp0 (gtk_editable_get_text (secret), "old-t0ken") == 0, WAIT_MS);
    g_assert_false (has_problem (editor, "secret"));
    gtk_window_destroy (GTK_WINDOW (editor));
  }

  soup_server_disconnect (server);
}

/* Scrolls the editor's page so that @widget is at its top; TRUE once it
 * is there (the page may still be laying out: call again until then). */
static gboolean
scroll_into_view (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *viewport = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  GtkWidget *content = GTK_IS_VIEWPORT (viewport) ? gtk_viewport_get_child (GTK_VIEWPORT (viewport)) : viewport;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t in_content, in_view;

  if (!gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &in_content) ||
      !gtk_widget_compute_point (widget, scrolled, &GRAPHENE_POINT_INIT (0, 0), &in_view))
    return FALSE;
  if (in_view.y >= 0 && in_view.y <= 24)
    return TRUE;
  gtk_adjustment_set_value (adjustment, in_content.y - 12);
  return FALSE;
}

/* A screenshot of the editor with the decoding group in sight (the focus
 * on its first row, so that the page does not scroll back to another). */
static void
save_decode_screenshot (SondeProfileEditor *editor,
                        const char         *name)
{
  SondeDecodeEditor *decode = sonde_profile_editor_get_decode_editor (editor);

  if (g_getenv ("SONDE_SCREENSHOT_DIR") == NULL)
    return;
  gtk_widget_grab_focus (sonde_decode_editor_get_chain_row (decode));
  SONDE_TEST_ASSERT_WAIT (scroll_into_view (GTK_WIDGET (decode)), WAIT_MS);
  sonde_test_save_screenshot (GTK_WIDGET (editor), name);
}

/* The decoder: a chain from the list is saved into the profile (and
 * shown again when it is edited); a custom chain the decoder refuses, or
 * Protocol Buffers without a descriptor set and type, shows the decoder's
 * own words under the rows and in the problems, and Save is refused. */
static void
test_decode_chain (Fixture       *fixture,
                   gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  SondeDecodeEditor *decode = sonde_profile_editor_get_decode_editor (editor);
  GtkWidget *error_label = sonde_decode_editor_get_error_label (decode);
  GtkWidget *save = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor), SONDE_TYPE_PROFILE_EDITOR,
                                                               "save_button"));
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) saved = NULL;
  g_autofree char *id = NULL;
  const char *descriptor = NULL;
  const char *type = NULL;

  g_assert_nonnull (decode);
  g_assert_null (sonde_decode_editor_get_spec (decode));
  type_into (editor, "name", "Packed feed");
  type_into (editor, "url", url);

  /* A chain the decoder does not know: its words under the rows, the
   * custom row red, and no saving. */
  g_assert_false (sonde_decode_editor_select_chain (decode, "gzip,msgpak"));
  g_assert_true (gtk_widget_get_visible (sonde_decode_editor_get_custom_row (decode)));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "msgpak"));
  g_assert_true (gtk_widget_has_css_class (sonde_decode_editor_get_custom_row (decode), "error"));
  g_assert_true (has_problem (editor, "decode"));
  g_assert_false (gtk_widget_get_sensitive (save));
  save_decode_screenshot (editor, "decode-editor-error.png");
  g_assert_false (sonde_profile_editor_save (editor, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "msgpak"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);

  /* Protocol Buffers by schema with no descriptor set nor type. */
  g_assert_false (sonde_decode_editor_select_chain (decode, "protobuf"));
  g_assert_false (gtk_widget_get_visible (sonde_decode_editor_get_custom_row (decode)));
  g_assert_true (gtk_widget_get_visible (sonde_decode_editor_get_type_row (decode)));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (has_problem (editor, "decode"));
  g_assert_false (gtk_widget_get_sensitive (save));
  save_decode_screenshot (editor, "decode-editor-protobuf.png");
  /* A type without a readable descriptor set is still wrong. */
  gtk_editable_set_text (GTK_EDITABLE (sonde_decode_editor_get_type_row (decode)), "feed.Tick");
  g_assert_nonnull (sonde_decode_editor_get_error (decode));
  g_assert_true (has_problem (editor, "decode"));

  /* One of the list: valid, said in words, and saved. */
  g_assert_true (sonde_decode_editor_select_chain (decode, "gzip,msgpack"));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_get_visible (sonde_decode_editor_get_type_row (decode)));
  g_assert_false (has_problem (editor, "decode"));
  g_assert_true (gtk_widget_get_sensitive (save));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sonde_decode_editor_get_chain_row (decode))),
                            "MessagePack"));
  if (g_getenv ("SONDE_SCREENSHOT_DIR") != NULL)
    {
      AdwStyleManager *style = adw_style_manager_get_default ();

      save_decode_screenshot (editor, "decode-editor.png");
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
      save_decode_screenshot (editor, "decode-editor-dark.png");
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    }
  g_assert_true (sonde_profile_editor_save (editor, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (editor));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 1);
  saved = profile_at (0);
  g_assert_cmpstr (sonde_profile_get_decode (saved, &descriptor, &type), ==, "gzip,msgpack");
  g_assert_null (descriptor);
  g_assert_null (type);
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store ()), WAIT_MS);

  /* Edited again, the editor shows it; a custom chain the decoder takes
   * is saved as typed. */
  id = g_strdup (sonde_profile_get_id (saved));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-profile", "s", id));
  editor = find_editor ();
  g_assert_nonnull (editor);
  decode = sonde_profile_editor_get_decode_editor (editor);
  g_assert_cmpstr (sonde_decode_editor_get_spec (decode), ==, "gzip,msgpack");
  g_assert_false (gtk_widget_get_visible (sonde_decode_editor_get_custom_row (decode)));
  g_assert_true (sonde_decode_editor_select_chain (decode, "deflate, cbor"));
  g_assert_true (sonde_profile_editor_save (editor, NULL));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_clear_object (&saved);
  saved = profile_at (0);
  g_assert_cmpstr (sonde_profile_get_decode (saved, NULL, NULL), ==, "deflate,cbor");
}

/* The Protocol group: a mode and its subscriptions, saved and shown again. */
static void
test_app_protocol (Fixture       *fixture,
                   gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  SondeAppProtocolEditor *mode_editor = sonde_profile_editor_get_app_protocol_editor (editor);
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  g_autoptr(SondeProfile) saved = NULL;
  g_autofree char *id = NULL;
  const SondeAppProtocolOptions *options = NULL;
  GtkTextView *subscriptions;
  GListModel *modes;
  guint json_rpc = G_MAXUINT;

  g_assert_nonnull (mode_editor);
  g_assert_cmpint (sonde_app_protocol_editor_get_kind (mode_editor), ==, SONDE_APP_PROTOCOL_NONE);
  type_into (editor, "name", "Chain node");
  type_into (editor, "url", url);

  modes = adw_combo_row_get_model (ADW_COMBO_ROW (sonde_app_protocol_editor_get_mode_row (mode_editor)));
  for (guint i = 0; i < g_list_model_get_n_items (modes); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (modes), i), "JSON-RPC 2.0"))
      json_rpc = i;
  g_assert_cmpuint (json_rpc, !=, G_MAXUINT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (sonde_app_protocol_editor_get_mode_row (mode_editor)), json_rpc);
  subscriptions = GTK_TEXT_VIEW (sonde_test_find_widget (GTK_WIDGET (mode_editor), GTK_TYPE_TEXT_VIEW));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (subscriptions)));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (subscriptions),
                            "eth_subscribe [\"newHeads\"]\n\n  rpc.on [\"ticks\"]  \n", -1);
  g_assert_true (sonde_profile_editor_save (editor, NULL));
  gtk_window_destroy (GTK_WINDOW (editor));

  saved = profile_at (0);
  g_assert_cmpint (sonde_profile_get_app_protocol (saved, &options), ==, SONDE_APP_PROTOCOL_JSON_RPC);
  g_assert_cmpuint (g_strv_length (options->subscriptions), ==, 2);
  g_assert_cmpstr (options->subscriptions[1], ==, "rpc.on [\"ticks\"]");
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store ()), WAIT_MS);

  id = g_strdup (sonde_profile_get_id (saved));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-profile", "s", id));
  editor = find_editor ();
  mode_editor = sonde_profile_editor_get_app_protocol_editor (editor);
  g_assert_cmpint (sonde_app_protocol_editor_get_kind (mode_editor), ==, SONDE_APP_PROTOCOL_JSON_RPC);
  {
    g_autoptr(SondeAppProtocolOptions) shown = sonde_app_protocol_editor_dup_options (mode_editor);

    g_assert_cmpuint (g_strv_length (shown->subscriptions), ==, 2);
  }
  gtk_window_destroy (GTK_WINDOW (editor));
}

/* Feed integrity: the group's rows are the rules, checked as typed (a
 * band the wrong way round, a condition without a stale time, a path that
 * does not parse), saved into the profile and shown again when it is
 * edited; the members without a row are kept. */
static void
test_integrity (Fixture       *fixture,
                gconstpointer  data)
{
  SondeProfileEditor *editor = open_new_editor (fixture);
  g_autoptr(SondeProfile) saved = NULL;
  g_autoptr(SondeProfile) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rules = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  GtkWidget *bands;

  type_into (editor, "name", "Sequenced");
  type_into (editor, "url", "ws://127.0.0.1:1/feed");
  g_assert_cmpuint (sonde_profile_editor_get_problems (editor)->len, ==, 0);

  type_into (editor, "integrity", "$.seq[");
  g_assert_true (has_problem (editor, "integrity"));
  type_into (editor, "integrity", "$.seq");
  type_into (editor, "integrity-key", "$.sym");
  g_assert_false (has_problem (editor, "integrity"));
  type_into (editor, "integrity-bands", "$.price 5..1");
  g_assert_true (has_problem (editor, "integrity"));
  g_assert_true (gtk_widget_has_css_class (sonde_profile_editor_get_field (editor, "integrity"), "error"));
  type_into (editor, "integrity-bands", "$.price 0..1000\n\n$.qty 1..");
  g_assert_false (has_problem (editor, "integrity"));
  type_into (editor, "integrity-stale-predicate", "$.type == \"trade\"");
  g_assert_true (has_problem (editor, "integrity"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sonde_profile_editor_get_field (editor, "integrity-stale")), 2.5);
  g_assert_cmpuint (sonde_profile_editor_get_problems (editor)->len, ==, 0);

  g_assert_true (sonde_profile_editor_save (editor, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (editor));

  saved = profile_at (0);
  rules = json_to_string (sonde_profile_get_integrity (saved), FALSE);
  g_assert_cmpstr (rules, ==, "{\"sequence\":{\"path\":\"$.seq\",\"key\":\"$.sym\"},\"stale_after_s\":2.5,"
                              "\"stale_predicate\":\"$.type == \\\"trade\\\"\",\"bands\":[{\"path\":\"$.price\",\"min\":0.0,"
                              "\"max\":1000.0},{\"path\":\"$.qty\",\"min\":1.0}]}");

  /* A member without a row (max_keys) survives an edit; the rows show
   * the rules again. */
  {
    g_autoptr(JsonNode) with_bound = json_from_string ("{\"sequence\": {\"path\": \"$.seq\", \"max_keys\": 9},"
                                                       " \"bands\": [{\"path\": \"$.p\", \"max\": 5}]}", NULL);

    sonde_profile_set_integrity (saved, with_bound);
  }
  id = g_strdup (sonde_profile_get_id (saved));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-profile", "s", id));
  editor = find_editor ();
  g_assert_nonnull (editor);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (editor)), WAIT_MS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_get_field (editor, "integrity"))), ==,
                   "$.seq");
  bands = sonde_profile_editor_get_field (editor, "integrity-bands");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (bands));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "$.p ..5");
  }
  if (g_getenv ("SONDE_SCREENSHOT_DIR") != NULL)
    {
      gtk_widget_grab_focus (sonde_profile_editor_get_field (editor, "integrity"));
      SONDE_TEST_ASSERT_WAIT (scroll_into_view (sonde_profile_editor_get_field (editor, "integrity")), WAIT_MS);
      sonde_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-integrity.png");
    }
  type_into (editor, "integrity-key", "$.sym");
  g_assert_true (sonde_profile_editor_save (editor, NULL));
  gtk_window_destroy (GTK_WINDOW (editor));
  edited = profile_at (0);
  again = json_to_string (sonde_profile_get_integrity (edited), FALSE);
  g_assert_cmpstr (again, ==, "{\"sequence\":{\"path\":\"$.seq\",\"key\":\"$.sym\",\"max_keys\":9},"
                              "\"bands\":[{\"path\":\"$.p\",\"max\":5.0}]}");
}

int
main (int   argc,
      char *argv[])
{
  /* No keyring in this test (SONDE_SECRETS_BACKEND=memory from meson):
   * secrets are kept for the session. */
  sonde_test_gui_init (&argc, &argv);
  app = sonde_test_gui_get_app ();
  /* SONDE_LOCALEDIR (as for the app): the screenshots in another
   * language; the strings the tests look for are looked up the same way. */
  if (g_getenv ("SONDE_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SONDE_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, sonde_test_window_teardown)
  ADD ("/profile-editor/create-and-validate", test_create_and_validate);
  ADD ("/profile-editor/edit-and-search", test_edit_and_search);
  ADD ("/profile-editor/delete-and-undo", test_delete_and_undo);
  ADD ("/profile-editor/two-profiles-and-on-open", test_two_profiles_and_on_open);
  ADD ("/profile-editor/secret-in-handshake-not-in-file", test_secret_in_handshake_not_in_file);
  ADD ("/profile-editor/notifications-and-probe", test_notifications_and_probe);
  ADD ("/profile-editor/integrity", test_integrity);
  ADD ("/profile-editor/text-areas-labelled", test_text_areas_labelled);
  ADD ("/profile-editor/message-limit-words", test_message_limit_words);
  ADD ("/profile-editor/bearer-needs-token", test_bearer_needs_token);
  ADD ("/profile-editor/keyring-refuses", test_keyring_refuses);
  ADD ("/profile-editor/enter-missing-token", test_enter_missing_token);
  ADD ("/profile-editor/refused-shows-answer", test_refused_shows_answer);
  ADD ("/profile-editor/decode-chain", test_decode_chain);
  ADD ("/profile-editor/app-protocol", test_app_protocol);
#undef ADD

  return sonde_test_gui_run ();
}
