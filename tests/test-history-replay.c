/* test-history-replay.c: History's Replay (a recorded session played into
 * a page as if live) and Serve as Mock…, in the real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recording is written with the store API into the run's temporary
 * XDG_DATA_HOME: a handshake, then ticks {"sym":"ABC","price":i} a second
 * apart. Replay: the page starts empty and paused, rows arrive as it
 * plays, the profile's chart fills, a notification rule fires, pause
 * holds, the slider rebuilds. Serve as Mock…: the dialog shows a URL, a
 * Python websockets client (a client nobody here wrote) receives the
 * recorded messages and the dialog counts it; errors (a port in use, a
 * rules file that does not parse) are said in the dialog.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-chart-list.h"
#include "sonde-history-page.h"
#include "sonde-history-view.h"
#include "sonde-recordings.h"
#include "sonde-replay-bar.h"
#include "sonde-serve-dialog.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS
#define N_TICKS 300u

typedef SondeTestWindowFixture Fixture;

static gint64
start_of_day (void)
{
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 12, 6, 10, 0, 0);

  return g_date_time_to_unix (when) * G_USEC_PER_SEC;
}

/* A session of N_TICKS ticks in the database of @profile_id, ended by the
 * client a second after the last. Returns its id. */
static gint64
record_ticks (const char *profile_id)
{
  g_autofree char *dir = sonde_recordings_default_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  static const char handshake[] = "{\"url\":\"wss://feed.example/ticks\",\"status\":101,"
                                  "\"reason_phrase\":\"Switching Protocols\",\"headers\":{},"
                                  "\"protocol\":\"ticks.v2\"}";
  SondeRecord record = { 0, };
  gint64 start_us = start_of_day ();
  gint64 id = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = sonde_recordings_path (dir, profile_id);
  store = sonde_store_sqlite_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_store_begin_session (SONDE_STORE (store), profile_id, "Ticker", "wss://feed.example/ticks",
                                            start_us, &id, &error));
  g_assert_no_error (error);

  record.seq = 1;
  record.wall_us = start_us;
  record.direction = SONDE_DIRECTION_EVENT;
  record.kind = SONDE_MESSAGE_KIND_HANDSHAKE;
  record.size = record.stored_size = strlen (handshake);
  record.data = (const guint8 *) handshake;
  g_array_append_val (records, record);
  for (guint i = 0; i < N_TICKS; i++)
    {
      char *text = g_strdup_printf ("{\"sym\":\"ABC\",\"price\":%u}", i);

      g_ptr_array_add (texts, text);
      record.seq = i + 2;
      record.wall_us = start_us + (gint64) (i + 1) * G_USEC_PER_SEC;
      record.mono_us = record.wall_us;
      record.direction = SONDE_DIRECTION_IN;
      record.kind = SONDE_MESSAGE_KIND_TEXT;
      record.size = record.stored_size = strlen (text);
      record.data = (const guint8 *) text;
      g_array_append_val (records, record);
    }
  g_assert_true (sonde_store_append (SONDE_STORE (store), id, (SondeRecord *) records->data, records->len, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_end_session (SONDE_STORE (store), id, start_us + (gint64) (N_TICKS + 1) * G_USEC_PER_SEC,
                                          1000, NULL, SONDE_STORE_ENDED_BY_CLIENT, &error));
  g_assert_no_error (error);
  return id;
}

static SondeHistoryPage *
current_page (Fixture *fixture)
{
  AdwTabView *tab_view = ADW_TAB_VIEW (sonde_test_find_widget (GTK_WIDGET (fixture->window), ADW_TYPE_TAB_VIEW));
  GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_selected_page (tab_view));

  if (!SONDE_IS_HISTORY_PAGE (child))
    g_error ("the tab in front is a %s, not a recorded session", G_OBJECT_TYPE_NAME (child));
  return SONDE_HISTORY_PAGE (child);
}

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  sonde_test_window_setup (fixture, data);
  if (g_getenv ("SONDE_SCREENSHOT_DARK") != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
}

static guint
n_records (SondeHistoryPage *page)
{
  return sonde_message_log_get_n_records (sonde_history_page_get_log (page));
}

static SondeHistoryView *
show_history (Fixture       *fixture,
              SondeProfile **out_profile)
{
  g_autoptr(SondeChartList) charts = sonde_chart_list_new ();
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("wss://feed.example/ticks");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  SondeProfileStore *profiles = sonde_application_get_store (sonde_test_gui_get_app ());
  SondeHistoryView *view;

  g_assert_true (sonde_chart_list_add_path (charts, "$.price", NULL, SONDE_CHART_LIST_NEW_CHART, &error));
  g_assert_no_error (error);
  node = sonde_chart_list_to_json (charts);
  sonde_profile_set_name (profile, "Ticker");
  sonde_profile_set_charts (profile, node);
  sonde_profile_store_add (profiles, profile);
  record_ticks (sonde_profile_get_id (profile));

  view = sonde_window_show_history (fixture->window, sonde_profile_get_id (profile));
  SONDE_TEST_ASSERT_WAIT (sonde_test_is_mapped (view), WAIT_MS);
  sonde_history_view_select (view, 0);
  *out_profile = g_steal_pointer (&profile);
  return view;
}

/* History → Replay: rows arrive as it plays, charts and rules as live. */
static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  SondeHistoryView *view = show_history (fixture, &profile);
  SondeHistoryPage *page;
  SondeSessionPlayer *player;
  SondeReplayBar *bar;
  SondeChartsPanel *panel;
  SondeSeries *series;
  GtkRange *scale;
  guint held;

  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "replay-history");
  gtk_widget_activate_action (GTK_WIDGET (view), "history.replay", NULL);
  page = current_page (fixture);
  g_assert_true (sonde_history_page_get_replay (page));
  g_assert_null (sonde_history_page_get_error (page));
  g_assert_nonnull (strstr (sonde_history_page_get_title (page), "Ticker"));
  player = sonde_history_page_get_player (page);
  g_assert_nonnull (player);
  bar = SONDE_REPLAY_BAR (sonde_test_find_widget (GTK_WIDGET (page), SONDE_TYPE_REPLAY_BAR));
  g_assert_nonnull (bar);
  SONDE_TEST_ASSERT_WAIT (sonde_test_is_mapped (bar), WAIT_MS);
  /* Paused at the start: nothing yet, the length shown. */
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  g_assert_cmpuint (n_records (page), ==, 0);
  g_assert_cmpstr (sonde_replay_bar_get_time_text (bar), ==, "0:00 / 5:01");

  /* A rule, tuned on the replay. */
  g_assert_true (sonde_notifier_add_threshold (sonde_session_get_notifier (sonde_session_player_get_session (player)),
                                               "$.price", ">=", 250, &error));
  g_assert_no_error (error);
  /* Every crossing alerts: none held back by the cool-down. */
  sonde_notifier_set_cooldown (sonde_session_get_notifier (sonde_session_player_get_session (player)), 0);

  panel = sonde_history_page_get_charts (page);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel)));
  g_assert_cmpuint (sonde_charts_panel_get_n_charts (panel), ==, 1);
  series = sonde_chart_get_series (sonde_charts_panel_get_chart (panel, 0), 0);

  /* 100×: 301 s in about 3 s. Rows arrive while it plays. */
  gtk_widget_activate_action (GTK_WIDGET (bar), "replay.speed", "d", 100.0);
  g_assert_cmpfloat (sonde_session_player_get_speed (player), ==, 100);
  g_assert_cmpuint (gtk_drop_down_get_selected (sonde_test_template_child (bar, SONDE_TYPE_REPLAY_BAR, "speed_drop")), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (bar), "replay.play-pause", NULL);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PLAYING);
  SONDE_TEST_ASSERT_WAIT (n_records (page) > 10, WAIT_MS);
  /* The recorded handshake, in the connection panel (its protocol is the
   * recording's, not the replay's connection's). */
  gtk_widget_activate_action (GTK_WIDGET (page), "recording.handshake", NULL);
  g_assert_true (sonde_history_page_get_connection_shown (page));
  g_assert_cmpstr (sonde_connection_panel_get_value (sonde_history_page_get_connection_panel (page), "protocol"), ==,
                   "ticks.v2");
  g_assert_cmpuint (n_records (page), <, N_TICKS);
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (
                            sonde_history_page_get_log_view (page)))) > 10, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_session_player_get_position (player) > 150 * G_USEC_PER_SEC, WAIT_MS);

  /* Pause holds. */
  gtk_widget_activate_action (GTK_WIDGET (bar), "replay.play-pause", NULL);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  held = n_records (page);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, held - 1);
  sonde_test_spin (300);
  g_assert_cmpuint (n_records (page), ==, held);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "replay-page");

  /* As fast as possible, to the end: every record, the chart whole, the
   * rule fired (once: it crosses once). */
  gtk_widget_activate_action (GTK_WIDGET (bar), "replay.speed", "d", SONDE_SESSION_PLAYER_SPEED_MAX);
  gtk_widget_activate_action (GTK_WIDGET (bar), "replay.play-pause", NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_session_player_get_state (player) == SONDE_SESSION_PLAYER_ENDED, WAIT_MS);
  g_assert_cmpuint (n_records (page), ==, N_TICKS + 1);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, N_TICKS);
  g_assert_cmpuint (sonde_history_page_get_n_alerts (page), ==, 1);
  g_assert_cmpstr (sonde_replay_bar_get_time_text (bar), ==, "5:01 / 5:01");
  g_assert_cmpstr (gtk_label_get_label (sonde_test_template_child (bar, SONDE_TYPE_REPLAY_BAR, "state_label")), ==, "Ended");

  /* The slider back to 1:40: the log and the chart rebuilt up to it. */
  scale = sonde_test_template_child (bar, SONDE_TYPE_REPLAY_BAR, "position_scale");
  gtk_range_set_value (scale, 100);
  SONDE_TEST_ASSERT_WAIT (sonde_session_player_get_position (player) == 100 * G_USEC_PER_SEC &&
                          !sonde_session_player_get_seeking (player), WAIT_MS);
  /* The handshake and the ticks at 1 s … 100 s. */
  g_assert_cmpuint (n_records (page), ==, 1 + 100);
  g_assert_cmpuint (sonde_series_get_n_points (series), ==, 100);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  /* Forward to the end at once: the rule's crossing is played through,
   * not watched: no second alert. */
  gtk_range_set_value (scale, 301);
  SONDE_TEST_ASSERT_WAIT (sonde_session_player_get_position (player) == 301 * G_USEC_PER_SEC &&
                          !sonde_session_player_get_seeking (player), WAIT_MS);
  g_assert_cmpuint (n_records (page), ==, N_TICKS + 1);
  g_assert_cmpuint (sonde_history_page_get_n_alerts (page), ==, 1);

  /* The read-only page of the same session is another tab. */
  gtk_widget_activate_action (GTK_WIDGET (view), "history.open", NULL);
  g_assert_false (sonde_history_page_get_replay (current_page (fixture)));

  sonde_profile_store_remove (sonde_application_get_store (sonde_test_gui_get_app ()), profile, NULL);
}

static SondeServeDialog *
find_serve_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SONDE_IS_SERVE_DIALOG (window))
        return SONDE_SERVE_DIALOG (window);
    }
  return NULL;
}

/* A Python websockets client: prints each message received (up to 3),
 * then holds the connection until its stdin closes. */
static const char client_script[] =
  "import asyncio, sys, websockets\n"
  "async def main():\n"
  "    async with websockets.connect(sys.argv[1]) as ws:\n"
  "        for _ in range(3):\n"
  "            print(await ws.recv(), flush=True)\n"
  "        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)\n"
  "asyncio.run(main())\n";

/* The same with Node's ws (argv: the module's folder, the URL): prints
 * each message, holds the connection until stdin closes. */
static const char node_script[] =
  "const WebSocket = require(process.argv[1]);\n"
  "const ws = new WebSocket(process.argv[2]);\n"
  "ws.on('message', (m) => console.log(m.toString()));\n"
  "process.stdin.on('end', () => ws.close());\n"
  "process.stdin.resume();\n";

static void
test_serve (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *first = NULL;
  g_autofree char *rules_path = NULL;
  SondeHistoryView *view = show_history (fixture, &profile);
  SondeServeDialog *dialog;
  const char *python = g_getenv ("SONDE_PYTHON") != NULL ? g_getenv ("SONDE_PYTHON") : "/usr/bin/python3";
  g_autoptr(GSubprocess) node = NULL;
  g_autofree char *node_path = g_find_program_in_path ("node");
  g_autofree char *node_ws = g_getenv ("SONDE_TEST_SERVERS") != NULL
                             ? g_build_filename (g_getenv ("SONDE_TEST_SERVERS"), "node_modules", "ws", NULL)
                             : NULL;

  if (node_path == NULL || node_ws == NULL || !g_file_test (node_ws, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&node_ws, g_free);

  gtk_widget_activate_action (GTK_WIDGET (view), "history.serve", NULL);
  dialog = find_serve_dialog ();
  g_assert_nonnull (dialog);
  SONDE_TEST_ASSERT_WAIT (sonde_test_is_mapped (dialog), WAIT_MS);
  g_assert_false (sonde_serve_dialog_get_running (dialog));

  /* A rules file that does not parse: its line and column, in the dialog. */
  rules_path = g_build_filename (g_get_user_data_dir (), "bad-rules.json", NULL);
  g_assert_true (g_file_set_contents (rules_path, "{\n  \"rules\": [\n    {\"match\": \"a\" \"reply\": \"b\"}\n  ]\n}",
                                      -1, &error));
  sonde_serve_dialog_set_rules_path (dialog, rules_path);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.start", NULL);
  g_assert_false (sonde_serve_dialog_get_running (dialog));
  g_assert_nonnull (sonde_serve_dialog_get_error (dialog));
  if (g_getenv ("SONDE_LOCALEDIR") == NULL)
    g_assert_nonnull (strstr (sonde_serve_dialog_get_error (dialog), "line 3, column"));
  g_assert_true (gtk_widget_get_visible (sonde_test_template_child (dialog, SONDE_TYPE_SERVE_DIALOG, "error_label")));
  sonde_test_save_screenshot (GTK_WIDGET (dialog), "replay-serve-error");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.clear-rules", NULL);
  g_assert_null (sonde_serve_dialog_get_rules_path (dialog));

  /* A port in use. */
  {
    g_autoptr(GSocketListener) listener = g_socket_listener_new ();
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                  NULL, &bound, &error));
    g_assert_no_error (error);
    sonde_serve_dialog_set_port (dialog, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.start", NULL);
    g_assert_false (sonde_serve_dialog_get_running (dialog));
    g_assert_nonnull (sonde_serve_dialog_get_error (dialog));
    if (g_getenv ("SONDE_LOCALEDIR") == NULL)
      g_assert_nonnull (strstr (sonde_serve_dialog_get_error (dialog), "Could not start serving"));
    g_test_message ("port in use: %s", sonde_serve_dialog_get_error (dialog));
    g_socket_listener_close (listener);
  }

  /* Any free port: a URL, and a client nobody here wrote counted. */
  sonde_serve_dialog_set_port (dialog, 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.start", NULL);
  g_assert_true (sonde_serve_dialog_get_running (dialog));
  g_assert_null (sonde_serve_dialog_get_error (dialog));
  g_assert_true (g_str_has_prefix (sonde_serve_dialog_get_url (dialog), "ws://127.0.0.1:"));
  g_assert_cmpuint (sonde_serve_dialog_get_n_clients (dialog), ==, 0);

  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             python, "-c", client_script, sonde_serve_dialog_get_url (dialog), NULL);
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_serve_dialog_get_n_clients (dialog) == 1, WAIT_MS);
  g_assert_cmpstr (gtk_label_get_label (sonde_test_template_child (dialog, SONDE_TYPE_SERVE_DIALOG, "clients_label")), ==, "1");
  /* It plays the recording: the first tick (a second in). */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (client));
  first = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "{\"sym\":\"ABC\",\"price\":0}");
  sonde_test_save_screenshot (GTK_WIDGET (dialog), "replay-serve");

  /* A second client, Node's ws (from tests/servers), counted beside it,
   * with its own playback from the start. */
  if (node_ws != NULL)
    {
      g_autoptr(GDataInputStream) node_lines = NULL;
      g_autofree char *node_first = NULL;

      node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               "node", "-e", node_script, node_ws, sonde_serve_dialog_get_url (dialog), NULL);
      g_assert_no_error (error);
      SONDE_TEST_ASSERT_WAIT (sonde_serve_dialog_get_n_clients (dialog) == 2, WAIT_MS);
      node_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (node));
      node_first = g_data_input_stream_read_line_utf8 (node_lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (node_first, ==, "{\"sym\":\"ABC\",\"price\":0}");
      g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (node), NULL, &error));
      g_subprocess_force_exit (node);
    }
  else
    g_test_message ("no node or no ws module in tests/servers: the Node client is not tried");

  /* The clients leave: counted out. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (client), NULL, &error));
  g_subprocess_force_exit (client);
  SONDE_TEST_ASSERT_WAIT (sonde_serve_dialog_get_n_clients (dialog) == 0, WAIT_MS);

  /* Stop on demand, then the dialog closes (and would stop it too). */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.stop", NULL);
  g_assert_false (sonde_serve_dialog_get_running (dialog));
  g_assert_null (sonde_serve_dialog_get_url (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "serve.start", NULL);
  g_assert_true (sonde_serve_dialog_get_running (dialog));
  sonde_test_destroy_window (GTK_WINDOW (dialog));

  g_unlink (rules_path);
  sonde_profile_store_remove (sonde_application_get_store (sonde_test_gui_get_app ()), profile, NULL);
}

int
main (int    argc,
      char **argv)
{
  sonde_test_gui_init (&argc, &argv);
  /* Screenshots: translated (SONDE_LOCALEDIR=build/po LANGUAGE=zh_CN; the
   * text assertions then fail: run with -p), dark (SONDE_SCREENSHOT_DARK=1). */
  if (g_getenv ("SONDE_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SONDE_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_add ("/history-replay/replay", Fixture, NULL, setup, test_replay, sonde_test_window_teardown);
  g_test_add ("/history-replay/serve", Fixture, NULL, setup, test_serve, sonde_test_window_teardown);
  return sonde_test_gui_run ();
}
