/* test-window.c: the Sonde window in a real GTK window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window, its pages and their widgets are driven through their API and
 * actions, against the embedded demo feed (its own thread and main context)
 * and an unused port; the tests assert on models and widget state. With
 * SONDE_SCREENSHOT_DIR set, a few tests also save what the window looks like.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-demo-server.h"
#include "sonde-filter-model.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

/* The application of the run, which the shared fixture's windows belong to. */
static SondeApplication *app;

/* The shared window fixture: the window and a demo server. */
typedef SondeTestWindowFixture Fixture;

static SondeConnectionState
page_state (SondeConnectionPage *page)
{
  return sonde_connection_get_state (sonde_connection_page_get_connection (page));
}

static guint
n_rows (SondeConnectionPage *page)
{
  SondeLogView *view = sonde_connection_page_get_log_view (page);

  return g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (view)));
}

static SondeConnectionPage *
open_demo_path (Fixture    *fixture,
                const char *path)
{
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, path);
  SondeConnectionPage *page;

  g_assert_true (sonde_window_open_url (fixture->window, url));
  page = sonde_window_get_current_page (fixture->window);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  return page;
}

static guint64
messages_in (SondeConnectionPage *page)
{
  SondeStats stats;

  sonde_connection_get_stats (sonde_connection_page_get_connection (page), &stats);
  return stats.messages_in;
}

static gboolean find_and_select (SondeConnectionPage *page,
                                 SondeMessageKind     kind,
                                 SondeDirection       direction);

/* First launch: the demo ticker streams into the first tab. */
static void
test_demo_on_first_launch (Fixture       *fixture,
                           gconstpointer  data)
{
  SondeConnectionPage *page;
  GtkButton *connect_button;

  g_assert_true (sonde_window_open_demo (fixture->window));
  page = sonde_window_get_current_page (fixture->window);
  g_assert_nonnull (page);
  g_assert_cmpstr (sonde_connection_page_get_title (page), ==, "Demo ticker");

  SONDE_TEST_ASSERT_WAIT (n_rows (page) >= 10, WAIT_MS);
  g_assert_cmpint (page_state (page), ==, SONDE_CONNECTION_STATE_OPEN);

  connect_button = GTK_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                              SONDE_TYPE_WINDOW, "connect_button"));
  g_assert_cmpstr (gtk_button_get_label (connect_button), ==, "Disconnect");
  g_assert_null (sonde_connection_page_get_problem (page));

  /* A tick, selected, shows as JSON in the detail. */
  g_assert_true (find_and_select (page, SONDE_MESSAGE_KIND_TEXT, SONDE_DIRECTION_IN));
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (sonde_connection_page_get_detail (page)),
                                     "json") == 0, WAIT_MS);

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-demo.png");
  if (g_getenv ("SONDE_SCREENSHOT_DIR") != NULL)
    {
      AdwStyleManager *style = adw_style_manager_get_default ();

      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
      sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-demo-dark.png");
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    }

  /* Disconnect from the header bar. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", NULL));
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (gtk_button_get_label (connect_button), "Connect") == 0, WAIT_MS);
  g_assert_cmpuint (sonde_connection_get_close_code (sonde_connection_page_get_connection (page)), ==, 1000);
  g_assert_null (sonde_connection_page_get_problem (page));
}

/* The URL entry: a bad URL is refused with the reason where the user looks;
 * a dead port says "refused". */
static void
test_url_errors (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                                    SONDE_TYPE_WINDOW, "url_entry"));
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *dead_url = NULL;
  SondeConnectionPage *page;
  guint16 port;

  /* A new tab: nothing connected yet, and the view says what to do. */
  sonde_window_add_page (fixture->window);
  g_assert_cmpuint (sonde_window_get_n_pages (fixture->window), ==, 1);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-empty.png");

  gtk_editable_set_text (entry, "ftp://example.com/feed");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", NULL));
  page = sonde_window_get_current_page (fixture->window);
  g_assert_nonnull (page);
  g_assert_nonnull (sonde_connection_page_get_problem (page));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "ftp"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpint (page_state (page), ==, SONDE_CONNECTION_STATE_DISCONNECTED);

  /* A port nobody listens on: bind one, then let it go. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_assert_cmpuint (port, >, 0);
  g_socket_listener_close (listener);
  dead_url = g_strdup_printf ("ws://127.0.0.1:%u/feed", port);

  gtk_editable_set_text (entry, dead_url);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", NULL));
  /* A typed address reconnects by default (Preferences): the banner says
   * why it dropped and when it tries again. */
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_WAITING, WAIT_MS);
  g_assert_nonnull (sonde_connection_page_get_problem (page));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "refused"));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "Reconnecting in"));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-refused.png");

  /* Disconnect stops the retries. */
  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED ||
                          page_state (page) == SONDE_CONNECTION_STATE_DISCONNECTED ||
                          page_state (page) == SONDE_CONNECTION_STATE_FAILED, WAIT_MS);
}

/* Sends "<prefix> <i> alpha|beta" or, for the JSON prefix "{", the JSON
 * object {"i":<i>,"tag":"alpha|beta"}. */
static void
on_private (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
}

/* A server that refuses the handshake: the banner gives its HTTP status
 * and reason, and offers to reconnect. */
static void
test_handshake_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeConnectionPage *page;
  GSList *uris;

  soup_server_add_handler (server, "/private", on_private, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("ws://127.0.0.1:%d/private", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_assert_true (sonde_window_open_url (fixture->window, url));
  page = sonde_window_get_current_page (fixture->window);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_FAILED, WAIT_MS);
  g_assert_nonnull (sonde_connection_page_get_problem (page));
  g_assert_nonnull (strstr (sonde_connection_page_get_problem (page), "401 Unauthorized"));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-401.png");
  soup_server_disconnect (server);
}

static void
send_texts (SondeConnectionPage *page,
            guint                n,
            const char          *prefix)
{
  SondeConnection *connection = sonde_connection_page_get_connection (page);

  for (guint i = 0; i < n; i++)
    {
      const char *tag = i % 2 ? "alpha" : "beta";
      g_autofree char *text = g_str_equal (prefix, "{") ?
                              g_strdup_printf ("{\"i\":%u,\"tag\":\"%s\"}", i, tag) :
                              g_strdup_printf ("%s %u %s", prefix, i, tag);
      g_autoptr(GError) error = NULL;

      g_assert_true (sonde_connection_send_text (connection, text, -1, &error));
      g_assert_no_error (error);
    }
}

/* The quick filter counts what it shows, by text, regex, direction and
 * kind, and reports a bad pattern instead of applying it. */
static void
test_filter_counts (Fixture       *fixture,
                    gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  SondeFilterModel *model = sonde_log_view_get_model (view);
  SondeMessageLog *log = sonde_connection_get_log (sonde_connection_page_get_connection (page));
  guint events;
  g_autofree char *count = NULL;
  g_autofree char *expected = NULL;

  send_texts (page, 400, "{");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 400, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (n_rows (page) == sonde_message_log_get_n_records (log), WAIT_MS);
  /* 400 out, 400 in, and the connection's events. */
  events = sonde_message_log_get_n_records (log) - 800;
  g_assert_cmpuint (events, >=, 3);

  /* Case-insensitive text. */
  g_assert_true (sonde_log_view_set_filter (view, "ALPHA", FALSE));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), WAIT_MS);
  g_assert_cmpuint (n_rows (page), ==, 400);

  count = sonde_log_view_dup_count_text (view);
  expected = g_strdup_printf ("400 of %u messages", 800 + events);
  g_assert_cmpstr (count, ==, expected);

  /* Only what came in. */
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_IN);
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), WAIT_MS);
  g_assert_cmpuint (n_rows (page), ==, 200);
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_ALL);

  /* A regular expression: i from 100 to 199. */
  g_assert_true (sonde_log_view_set_filter (view, "^\\{\"i\":1\\d\\d,", TRUE));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), WAIT_MS);
  g_assert_cmpuint (n_rows (page), ==, 200);

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-filter.png");

  /* A pattern that does not compile leaves the last good filter. */
  g_assert_false (sonde_log_view_set_filter (view, "(unclosed", TRUE));
  g_assert_cmpuint (n_rows (page), ==, 200);

  /* No filter: everything again. */
  g_assert_true (sonde_log_view_set_filter (view, "", FALSE));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), WAIT_MS);
  g_assert_cmpuint (n_rows (page), ==, sonde_message_log_get_n_records (log));
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* Filtering a large log happens in slices: other sources keep running
 * while it scans, and the result is exact. */
static void
test_filter_large_log_yields (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  GtkWidget *view = sonde_log_view_new (log);
  GtkWidget *window = gtk_window_new ();
  SondeFilterModel *model = sonde_log_view_get_model (SONDE_LOG_VIEW (view));
  guint ticks = 0;
  guint ticks_before;
  guint source;
  const guint n = 300000;

  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (sonde_test_wait_for (sonde_test_is_mapped, window, WAIT_MS));

  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    {
      char text[128];
      int length = g_snprintf (text, sizeof text,
                               "{\"seq\":%u,\"sym\":\"%s\",\"price\":101.25,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
                               i, i % 10 == 0 ? "NEEDLE" : "ABC");
      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                g_get_real_time (), g_get_monotonic_time (), text, (gsize) length);
    }
  sonde_message_log_end_batch (log);
  SONDE_TEST_ASSERT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (model)) == n, WAIT_MS);

  source = g_timeout_add (1, count_tick, &ticks);
  ticks_before = ticks;
  g_assert_true (sonde_log_view_set_filter (SONDE_LOG_VIEW (view), "needle", FALSE));
  g_assert_true (sonde_filter_model_get_scanning (model));
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), WAIT_MS);
  g_source_remove (source);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n / 10);
  /* The main loop ran other sources while the scan was going on. */
  g_assert_cmpuint (ticks - ticks_before, >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Pause freezes the view while the log goes on capturing; resuming shows
 * everything. Clear empties the view, not the log. */
static void
test_pause_keeps_capturing (Fixture       *fixture,
                            gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  SondeMessageLog *log = sonde_connection_get_log (sonde_connection_page_get_connection (page));
  guint frozen;

  send_texts (page, 10, "first");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 10, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (n_rows (page) == sonde_message_log_get_n_records (log), WAIT_MS);

  sonde_log_view_set_paused (view, TRUE);
  frozen = n_rows (page);
  send_texts (page, 50, "second");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 60, WAIT_MS);
  sonde_test_spin (100);
  g_assert_cmpuint (n_rows (page), ==, frozen);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, frozen + 100);
  {
    g_autofree char *count = sonde_log_view_dup_count_text (view);
    g_assert_nonnull (strstr (count, "paused, 100 waiting"));
  }

  sonde_log_view_set_paused (view, FALSE);
  g_assert_cmpuint (n_rows (page), ==, frozen + 100);

  sonde_connection_page_clear_log (page);
  g_assert_cmpuint (n_rows (page), ==, 0);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, frozen + 100);
  send_texts (page, 1, "third");
  SONDE_TEST_ASSERT_WAIT (n_rows (page) == 2, WAIT_MS);
}

/* JSON mode refuses invalid JSON with its line and column and sends
 * nothing; valid JSON goes out. Binary mode sends hex bytes. */
static void
test_composer_checks (Fixture       *fixture,
                      gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeComposer *composer = sonde_connection_page_get_composer (page);
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  g_autoptr(GError) error = NULL;
  SondeStats stats;

  /* Empty, there is nothing to send; with text, on an open connection,
   * there is. */
  g_assert_false (sonde_composer_get_can_send (composer));
  sonde_composer_set_text (composer, "hello");
  SONDE_TEST_ASSERT_WAIT (sonde_composer_get_can_send (composer), WAIT_MS);

  sonde_composer_set_mode (composer, SONDE_COMPOSER_MODE_JSON);
  sonde_composer_set_text (composer, "{\n  \"op\": \"subscribe\",\n  \"ch\": }");
  g_assert_false (sonde_composer_get_can_send (composer));
  g_assert_nonnull (sonde_composer_get_problem (composer));
  g_assert_nonnull (strstr (sonde_composer_get_problem (composer), "Line 3, column 9"));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-composer-error.png");

  g_assert_false (sonde_composer_send (composer, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send", NULL);
  sonde_test_spin (200);
  sonde_connection_get_stats (connection, &stats);
  g_assert_cmpuint (stats.messages_out, ==, 0);

  sonde_composer_set_text (composer, "{\"op\": \"subscribe\", \"ch\": 1.10}");
  g_assert_null (sonde_composer_get_problem (composer));
  g_assert_true (sonde_composer_get_can_send (composer));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send", NULL);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 1, WAIT_MS);

  sonde_composer_set_mode (composer, SONDE_COMPOSER_MODE_BINARY);
  sonde_composer_set_text (composer, "00 ff 1");
  g_assert_false (sonde_composer_get_can_send (composer));
  sonde_composer_set_text (composer, "00 ff 10 0x41");
  g_assert_true (sonde_composer_send (composer, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 2, WAIT_MS);

  /* History: Up recalls the binary message, then the JSON one. */
  sonde_composer_set_text (composer, "");
  g_assert_true (sonde_composer_history_previous (composer));
  g_assert_cmpstr (sonde_composer_dup_text (composer), ==, "00 ff 10 0x41");
  g_assert_true (sonde_composer_history_previous (composer));
  g_assert_cmpint (sonde_composer_get_mode (composer), ==, SONDE_COMPOSER_MODE_JSON);
  g_assert_true (sonde_composer_history_next (composer));
  g_assert_true (sonde_composer_history_next (composer));
  g_assert_cmpstr (sonde_composer_dup_text (composer), ==, "");

  /* Not connected: nothing can be sent. */
  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_assert_false (sonde_composer_get_can_send (composer));
}

static gboolean
find_and_select (SondeConnectionPage *page,
                 SondeMessageKind     kind,
                 SondeDirection       direction)
{
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  GListModel *model = G_LIST_MODEL (sonde_log_view_get_model (view));
  GtkColumnView *column_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                               SONDE_TYPE_LOG_VIEW,
                                                                               "column_view"));
  GtkSelectionModel *selection = gtk_column_view_get_model (column_view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SondeMessage) message = g_list_model_get_item (model, i);

      if (sonde_message_get_kind (message) == kind && sonde_message_get_direction (message) == direction)
        return gtk_selection_model_select_item (selection, i, TRUE);
    }
  return FALSE;
}

/* The detail shows JSON pretty-printed with its tokens as sent, and binary
 * as a hex dump. */
static void
test_detail_views (Fixture       *fixture,
                   gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  SondeMessageDetail *detail = sonde_connection_page_get_detail (page);
  static const guint8 binary[] = { 'H', 'i', 0x00, 0x01, 0xff, 0x7f };
  g_autoptr(GBytes) bytes = g_bytes_new_static (binary, sizeof binary);
  g_autofree char *text = NULL;

  g_assert_true (sonde_connection_send_text (connection, "{\"price\":101.250,\"tags\":[\"a\",\"b\"]}", -1, NULL));
  g_assert_true (sonde_connection_send_binary (connection, bytes, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 2, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (n_rows (page) >= 7, WAIT_MS);

  g_assert_true (find_and_select (page, SONDE_MESSAGE_KIND_TEXT, SONDE_DIRECTION_IN));
  SONDE_TEST_ASSERT_WAIT (sonde_message_detail_get_format (detail) != NULL, WAIT_MS);
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "json");
  text = sonde_message_detail_dup_text (detail);
  /* A short array stays on one line. */
  g_assert_cmpstr (text, ==, "{\n  \"price\": 101.250,\n  \"tags\": [\"a\", \"b\"]\n}");
  g_clear_pointer (&text, g_free);

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-detail-json.png");

  g_assert_true (find_and_select (page, SONDE_MESSAGE_KIND_BINARY, SONDE_DIRECTION_IN));
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (detail), "hex") == 0, WAIT_MS);
  text = sonde_message_detail_dup_text (detail);
  g_assert_true (g_str_has_prefix (text, "00000000  48 69 00 01 ff 7f"));
  g_assert_nonnull (strstr (text, "|Hi....|"));
}

static gpointer
detail_child (SondeConnectionPage *page,
              const char          *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (sonde_connection_page_get_detail (page)),
                                                   SONDE_TYPE_MESSAGE_DETAIL, name);

  g_assert_nonnull (object);
  return object;
}

static guint
count_frame_records (SondeMessageLog *log)
{
  guint n = 0;

  for (guint64 seq = sonde_message_log_get_first_seq (log); seq < sonde_message_log_get_next_seq (log); seq++)
    {
      SondeRecord record;

      if (sonde_message_log_lookup_seq (log, seq, &record) && record.kind == SONDE_MESSAGE_KIND_FRAME)
        n++;
    }
  return n;
}

/* The log's Frames toggle has the page's connection record frames; the
 * detail's Frames section lists a message's frames (the first 50 of a
 * fragmented one, the rest counted), says when it came compressed, and
 * shows a ping's payload (hex when it is not UTF-8). */
static void
test_frames_and_detail (Fixture       *fixture,
                        gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  SondeMessageDetail *detail = sonde_connection_page_get_detail (page);
  SondeMessageLog *log = sonde_connection_get_log (connection);
  static const guint8 bytes[] = { 0x00, 0xff, 0x01, 0x02 };
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (SondeFrameInfo));
  g_autofree char *text = NULL;
  const char *list;
  guint64 seq;

  g_assert_false (sonde_connection_get_show_frames (connection));
  sonde_log_view_set_show_frames (view, TRUE);
  g_assert_true (sonde_connection_get_show_frames (connection));
  g_assert_true (sonde_connection_send_text (connection, "framed", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 1 && count_frame_records (log) >= 2, WAIT_MS);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-frames.png");
  sonde_log_view_set_show_frames (view, FALSE);
  g_assert_false (sonde_connection_get_show_frames (connection));

  /* A plain message is one frame (the frames made are hidden again:
   * wait for the log to be filtered). */
  SONDE_TEST_ASSERT_WAIT (find_and_select (page, SONDE_MESSAGE_KIND_TEXT, SONDE_DIRECTION_IN), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_message_detail_get_format (detail) != NULL, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (detail_child (page, "frames_expander")));
  g_assert_cmpstr (gtk_label_get_label (detail_child (page, "frames_summary")), ==, "1 frame");
  g_assert_cmpstr (gtk_label_get_label (detail_child (page, "frames_label")), ==, "  1  text               6\302\240" "B  FIN");

  /* 1,000 fragments, compressed: 50 listed, the rest counted. */
  for (guint i = 0; i < 1000; i++)
    {
      SondeFrameInfo frame = { 1, i == 0 ? 1 : 0, (i == 999 ? SONDE_FRAME_FIN : 0) | (i == 0 ? SONDE_FRAME_RSV1 : 0) };

      g_array_append_val (frames, frame);
    }
  seq = sonde_message_log_append_full (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                       SONDE_RECORD_FLAG_FRAGMENTED | SONDE_RECORD_FLAG_COMPRESSED,
                                       g_get_real_time (), g_get_monotonic_time (), "inflated", 8);
  sonde_message_log_set_frames (log, seq, (const SondeFrameInfo *) (gpointer) frames->data, frames->len);
  SONDE_TEST_ASSERT_WAIT (sonde_log_view_select_seq (view, seq), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_message_detail_get_message (detail) != NULL &&
                          sonde_message_get_seq (sonde_message_detail_get_message (detail)) == seq, WAIT_MS);
  g_assert_cmpstr (gtk_label_get_label (detail_child (page, "frames_summary")), ==,
                   "1000 frames · compressed (permessage-deflate)");
  list = gtk_label_get_label (detail_child (page, "frames_label"));
  g_assert_true (g_str_has_prefix (list, "  1  text               1\302\240" "B  RSV1\n  2  continuation       1\302\240" "B\n"));
  g_assert_true (g_str_has_suffix (list, "\n 50  continuation       1\302\240" "B\nand 950 more frames"));
  gtk_expander_set_expanded (detail_child (page, "frames_expander"), TRUE);
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-detail-frames.png");

  /* A ping whose payload is not UTF-8: hex, and one ping frame. */
  seq = sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING,
                                  g_get_real_time (), g_get_monotonic_time (), bytes, sizeof bytes);
  SONDE_TEST_ASSERT_WAIT (sonde_log_view_select_seq (view, seq), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (detail), "hex") == 0, WAIT_MS);
  text = sonde_message_detail_dup_text (detail);
  g_assert_true (g_str_has_prefix (text, "00000000  00 ff 01 02"));
  g_assert_cmpstr (gtk_label_get_label (detail_child (page, "frames_label")), ==, "  1  ping               4\302\240" "B  FIN");
  gtk_expander_set_expanded (detail_child (page, "frames_expander"), FALSE);
}

/* What the detail's text view shows. */
static GtkTextView *
detail_text_view (SondeConnectionPage *page)
{
  return GTK_TEXT_VIEW (gtk_widget_get_template_child (GTK_WIDGET (sonde_connection_page_get_detail (page)),
                                                       SONDE_TYPE_MESSAGE_DETAIL, "source_view"));
}

/* A hex dump in the narrow side pane keeps each line whole (offset, bytes
 * and text in their columns): no line of it wraps. */
static void
test_hex_never_wraps (Fixture       *fixture,
                      gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeMessageDetail *detail = sonde_connection_page_get_detail (page);
  GtkTextView *view = detail_text_view (page);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  guint8 binary[64];
  g_autoptr(GBytes) bytes = NULL;
  int n_lines;

  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = (guint8) (i * 7);
  bytes = g_bytes_new (binary, sizeof binary);
  g_assert_true (sonde_connection_send_binary (sonde_connection_page_get_connection (page), bytes, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 1, WAIT_MS);
  g_assert_true (find_and_select (page, SONDE_MESSAGE_KIND_BINARY, SONDE_DIRECTION_IN));
  SONDE_TEST_ASSERT_WAIT (g_strcmp0 (sonde_message_detail_get_format (detail), "hex") == 0, WAIT_MS);
  sonde_test_spin (300);

  /* A dump line is far wider than the pane. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), <, 600);
  n_lines = gtk_text_buffer_get_line_count (buffer);
  g_assert_cmpint (n_lines, >=, 4);
  for (int line = 0; line < n_lines; line++)
    {
      GtkTextIter iter;

      gtk_text_buffer_get_iter_at_line (buffer, &iter, line);
      while (gtk_text_iter_forward_char (&iter) && gtk_text_iter_get_line (&iter) == line &&
             !gtk_text_iter_ends_line (&iter))
        g_assert_false (gtk_text_view_starts_display_line (view, &iter));
    }
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-hex.png");
}

/* An ad-hoc tab is titled by its host and path; the tooltip has the whole
 * address, its secret masked, as text (the tooltip is markup: an & or a tag
 * in a query is escaped, not taken for markup). */
static void
test_tab_title (Fixture       *fixture,
                gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo?access_token=s3cr3t-t0ken&x=%3Cb%3E&y=<i>");
  g_autofree char *base = sonde_demo_server_dup_url (fixture->demo, "/echo");
  AdwTabView *tab_view = ADW_TAB_VIEW (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                                      SONDE_TYPE_WINDOW, "tab_view"));
  AdwTabPage *tab = adw_tab_view_get_page (tab_view, GTK_WIDGET (page));
  g_autofree char *title = NULL;
  const char *tooltip;

  /* ws://127.0.0.1:PORT → 127.0.0.1:PORT/echo */
  g_assert_true (g_str_has_prefix (base, "ws://"));
  title = g_strdup (base + strlen ("ws://"));
  g_assert_cmpstr (adw_tab_page_get_title (tab), ==, title);
  tooltip = adw_tab_page_get_tooltip (tab);
  g_assert_nonnull (strstr (tooltip, "/echo?access_token="));
  g_assert_null (strstr (tooltip, "s3cr3t-t0ken"));
  g_assert_nonnull (strstr (tooltip, "&amp;x="));
  g_assert_null (strstr (tooltip, "<i>"));
}

/* @widget lies wholly inside @window (and is not zero-sized). */
static void
assert_inside (GtkWidget  *widget,
               GtkWidget  *window,
               const char *what)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
  g_test_message ("%s: %g,%g %g×%g in %d×%d", what, bounds.origin.x, bounds.origin.y,
                  bounds.size.width, bounds.size.height,
                  gtk_widget_get_width (window), gtk_widget_get_height (window));
  g_assert_cmpfloat (bounds.size.width, >, 0);
  g_assert_cmpfloat (bounds.size.height, >, 0);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (window));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (window));
}

/* At 800×600 nothing of the page is cut off: the sidebar folds away (it
 * comes back as an overlay), the log, its filter and the composer lie
 * wholly inside the window. */
static void
test_narrow_window (Fixture       *fixture,
                    gconstpointer  data)
{
  SondeConnectionPage *page;
  GtkWidget *window = GTK_WIDGET (fixture->window);
  AdwFlap *flap = ADW_FLAP (gtk_widget_get_template_child (window, SONDE_TYPE_WINDOW, "flap"));
  GtkWidget *log_view, *filter, *composer;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  page = open_demo_path (fixture, "/echo");
  log_view = GTK_WIDGET (sonde_connection_page_get_log_view (page));
  filter = GTK_WIDGET (gtk_widget_get_template_child (log_view, SONDE_TYPE_LOG_VIEW, "filter_entry"));
  composer = GTK_WIDGET (sonde_connection_page_get_composer (page));
  /* The window may not shrink to 800 × 600 if what it holds needs more. */
  SONDE_TEST_WAIT (gtk_widget_get_width (window) > 0 && gtk_widget_get_width (window) <= 800 &&
                   gtk_widget_get_height (window) <= 600, 3000);
  sonde_test_spin (500);
  sonde_test_save_screenshot (window, "window-800x600.png");

  g_assert_true (adw_flap_get_folded (flap));
  g_assert_false (adw_flap_get_reveal_flap (flap));
  assert_inside (log_view, window, "log");
  assert_inside (filter, window, "filter");
  assert_inside (composer, window, "composer");

  assert_inside (GTK_WIDGET (sonde_connection_page_get_detail (page)), window, "detail");
}

/* The demo ticker at 800 × 600, charts open: the chart keeps a useful
 * height beside the log's rows (the side pane does not take it). */
static void
test_narrow_window_charts (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  SondeConnectionPage *page;
  SondeChartsPanel *charts;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  g_assert_true (sonde_window_open_demo (fixture->window));
  page = sonde_window_get_current_page (fixture->window);
  charts = sonde_connection_page_get_charts (page);
  SONDE_TEST_WAIT (gtk_widget_get_height (window) > 0 && gtk_widget_get_height (window) <= 600 &&
                   sonde_charts_panel_get_n_charts (charts) == 1 &&
                   gtk_widget_get_mapped (GTK_WIDGET (sonde_charts_panel_get_chart (charts, 0))), 5000);
  sonde_test_spin (500);
  sonde_test_save_screenshot (window, "window-800x600-charts.png");
  g_assert_true (sonde_connection_page_get_narrow (page));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (sonde_charts_panel_get_chart (charts, 0))), >=, 120);
  assert_inside (GTK_WIDGET (sonde_connection_page_get_composer (page)), window, "composer");
  assert_inside (GTK_WIDGET (sonde_connection_page_get_log_view (page)), window, "log");

  /* The message detail is a page of its own: Ctrl+1 (or the Details
   * button) shows it instead of the log, wholly inside the window. */
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (sonde_connection_page_get_detail (page))));
  g_assert_true (gtk_widget_activate_action (window, "win.side-pane", "s", "detail"));
  g_assert_true (sonde_connection_page_get_details_shown (page));
  SONDE_TEST_WAIT (gtk_widget_get_mapped (GTK_WIDGET (sonde_connection_page_get_detail (page))), 3000);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (sonde_connection_page_get_log_view (page))));
  sonde_test_spin (200);
  assert_inside (GTK_WIDGET (sonde_connection_page_get_detail (page)), window, "detail");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (sonde_connection_page_get_detail (page))), >=, 400);
  sonde_test_save_screenshot (window, "window-800x600-details.png");
  sonde_connection_page_set_details_shown (page, FALSE);
  SONDE_TEST_WAIT (gtk_widget_get_mapped (GTK_WIDGET (sonde_connection_page_get_log_view (page))), 3000);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (sonde_connection_page_get_log_view (page))));
}

/* A 3 MiB message: formatted off the main thread, the first 1 MiB shown,
 * "Show all" shows the rest. */
static void
test_detail_huge_message (Fixture       *fixture,
                          gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  SondeMessageDetail *detail = sonde_connection_page_get_detail (page);
  gsize size = 3 * 1024 * 1024;
  g_autofree char *big = g_malloc (size + 1);
  g_autofree char *text = NULL;

  for (gsize i = 0; i < size; i++)
    big[i] = (char) ('a' + (i % 26));
  big[size] = '\0';

  g_assert_true (sonde_connection_send_text (connection, big, (gssize) size, NULL));
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 1, WAIT_MS);

  g_assert_true (find_and_select (page, SONDE_MESSAGE_KIND_TEXT, SONDE_DIRECTION_IN));
  SONDE_TEST_ASSERT_WAIT (sonde_message_detail_get_format (detail) != NULL &&
                          !sonde_message_detail_get_busy (detail), WAIT_MS);
  g_assert_true (sonde_message_detail_get_partial (detail));
  text = sonde_message_detail_dup_text (detail);
  g_assert_cmpuint (strlen (text), ==, SONDE_MESSAGE_DETAIL_LIMIT);
  g_clear_pointer (&text, g_free);

  sonde_message_detail_show_all (detail);
  SONDE_TEST_ASSERT_WAIT (!sonde_message_detail_get_busy (detail) &&
                          !sonde_message_detail_get_partial (detail), WAIT_MS);
  text = sonde_message_detail_dup_text (detail);
  g_assert_cmpuint (strlen (text), ==, size);
}

/* Follow mode: the newest row stays in view; scrolling away counts what
 * arrives, and following again jumps to the end. */
static void
test_follow_mode (Fixture       *fixture,
                  gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeLogView *view = sonde_connection_page_get_log_view (page);
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                                   SONDE_TYPE_LOG_VIEW,
                                                                                   "scrolled"));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  GObject *revealer = gtk_widget_get_template_child (GTK_WIDGET (view), SONDE_TYPE_LOG_VIEW,
                                                       "new_messages_revealer");

#define AT_END() (gtk_adjustment_get_value (adjustment) >= \
                  gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 1)

  g_assert_true (sonde_log_view_get_following (view));
  send_texts (page, 300, "row");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 300, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (gtk_adjustment_get_upper (adjustment) > 2 * gtk_adjustment_get_page_size (adjustment) &&
                          AT_END (), WAIT_MS);

  /* The user scrolls to the top. */
  sonde_log_view_set_following (view, FALSE);
  gtk_adjustment_set_value (adjustment, 0);
  send_texts (page, 20, "more");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 320, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_log_view_get_n_unseen (view) == 40, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)), WAIT_MS);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-new-messages.png");

  sonde_log_view_set_following (view, TRUE);
  g_assert_cmpuint (sonde_log_view_get_n_unseen (view), ==, 0);
  SONDE_TEST_ASSERT_WAIT (AT_END (), WAIT_MS);
  send_texts (page, 50, "last");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 370, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (n_rows (page) >= 740 && AT_END (), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (!gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)), WAIT_MS);

  /* Reading at the top while the log evicts the rows there: they stay in
   * place as evicted rows (the view neither jumps nor remakes its rows),
   * the count says what the log holds, and following again drops them. */
  {
    SondeFilterModel *model = sonde_log_view_get_model (view);
    SondeMessageLog *log = sonde_connection_get_log (sonde_connection_page_get_connection (page));
    guint before;
    g_autofree char *count = NULL;
    g_autoptr(SondeMessage) top = NULL;

    g_assert_false (sonde_filter_model_get_hold_head (model));
    sonde_log_view_set_following (view, FALSE);
    g_assert_true (sonde_filter_model_get_hold_head (model));
    gtk_adjustment_set_value (adjustment, 0);
    before = n_rows (page);
    g_assert_cmpuint (before, >, 100);

    sonde_message_log_set_max_count (log, 100);
    g_assert_cmpuint (n_rows (page), ==, before);
    g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, before - 100);
    top = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_nonnull (top);
    g_assert_null (sonde_message_dup_payload (top));
    count = sonde_log_view_dup_count_text (view);
    g_assert_cmpstr (count, ==, "100 messages");
    sonde_test_spin (100);
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
    sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-evicted-rows.png");

    sonde_log_view_set_following (view, TRUE);
    g_assert_false (sonde_filter_model_get_hold_head (model));
    g_assert_cmpuint (n_rows (page), ==, 100);
    g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, 0);
  }

#undef AT_END
}

/* The connection panel shows the recorded handshake and the close code
 * with its meaning. */
static void
test_connection_panel (Fixture       *fixture,
                       gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeConnectionPanel *panel = sonde_connection_page_get_panel (page);
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (page), SONDE_TYPE_CONNECTION_PAGE,
                                                              "side_stack"));

  gtk_stack_set_visible_child_name (stack, "connection");
  send_texts (page, 5, "hello");
  SONDE_TEST_ASSERT_WAIT (messages_in (page) == 5, WAIT_MS);
  sonde_connection_panel_refresh (panel);

  g_assert_cmpstr (sonde_connection_panel_get_value (panel, "state"), ==, "Open");
  g_assert_true (g_str_has_prefix (sonde_connection_panel_get_value (panel, "received"), "5 messages"));
  g_assert_true (g_str_has_prefix (sonde_connection_panel_get_value (panel, "sent"), "5 messages"));
  /* Frames too, and of them the control frames (none yet). */
  g_assert_cmpstr (sonde_connection_panel_get_value (panel, "frames-in"), ==, "5 frames · 0 control (close, ping, pong)");
  g_assert_cmpstr (sonde_connection_panel_get_value (panel, "frames-out"), ==, "5 frames · 0 control (close, ping, pong)");
  g_assert_cmpstr (sonde_connection_panel_get_value (panel, "tls"), ==, "not used");
  g_assert_true (g_str_has_suffix (sonde_connection_panel_get_value (panel, "total"), " ms"));

  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-connection-panel.png");

  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_assert_cmpstr (sonde_connection_panel_get_value (panel, "close"), ==, "1000 Normal closure");
}

static void
collect_accelerators (GtkWidget  *widget,
                      GHashTable *shown)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) keys = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      keys = g_strsplit (accelerator ? accelerator : "", " ", -1);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          guint key;
          GdkModifierType modifiers;

          if (gtk_accelerator_parse (keys[i], &key, &modifiers))
            g_hash_table_add (shown, gtk_accelerator_name (key, modifiers));
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_accelerators (child, shown);
}

/* The Keyboard Shortcuts window lists every accelerator the application
 * sets (one of each action's: Ctrl+KP_Enter goes with Ctrl+Return). */
static void
test_shortcuts_window_complete (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/sondeapp/Sonde/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_autoptr(GHashTable) shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  guint checked = 0;

  g_assert_nonnull (overlay);
  collect_accelerators (overlay, shown);
  g_assert_cmpuint (g_hash_table_size (shown), >, 10);

  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);
      guint key;
      GdkModifierType modifiers;
      g_autofree char *name = NULL;

      if (accels[0] == NULL)
        continue;
      g_assert_true (gtk_accelerator_parse (accels[0], &key, &modifiers));
      name = gtk_accelerator_name (key, modifiers);
      if (!g_hash_table_contains (shown, name))
        g_error ("%s (%s) is missing from the Keyboard Shortcuts window", accels[0], actions[i]);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 10);

  /* And it lays out without a warning (fatal here) in GTK 4.8. */
  gtk_window_present (GTK_WINDOW (overlay));
  g_assert_true (sonde_test_wait_for (sonde_test_is_mapped, overlay, WAIT_MS));
  sonde_test_spin (200);
  gtk_window_destroy (GTK_WINDOW (overlay));
}

/* Keyboard: the tab view leaves Ctrl+Home and Ctrl+End to the text that
 * has the focus; Pause, the composer, the side pane, Disconnect and
 * Reconnect Now each have a window action with a shortcut. */
static void
test_keyboard (Fixture       *fixture,
               gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  GtkWidget *window = GTK_WIDGET (fixture->window);
  AdwTabView *tab_view = ADW_TAB_VIEW (gtk_widget_get_template_child (window, SONDE_TYPE_WINDOW, "tab_view"));
  AdwTabViewShortcuts taken = adw_tab_view_get_shortcuts (tab_view);
  SondeLogView *log_view = sonde_connection_page_get_log_view (page);
  GtkWidget *detail = GTK_WIDGET (sonde_connection_page_get_detail (page));
  GtkWidget *panel = GTK_WIDGET (sonde_connection_page_get_panel (page));
  GtkStack *side_stack = GTK_STACK (gtk_widget_get_ancestor (detail, GTK_TYPE_STACK));
  const char *actions[] = { "win.pause", "win.focus-composer", "win.side-pane('detail')",
                            "win.side-pane('connection')", "win.disconnect", "win.reconnect" };
  GtkWidget *focus;

  /* What a focused text view uses stays its own; switching tabs keeps
   * Ctrl+Page Up/Down. */
  g_assert_false (taken & ADW_TAB_VIEW_SHORTCUT_CONTROL_HOME);
  g_assert_false (taken & ADW_TAB_VIEW_SHORTCUT_CONTROL_END);
  g_assert_false (taken & ADW_TAB_VIEW_SHORTCUT_CONTROL_SHIFT_HOME);
  g_assert_false (taken & ADW_TAB_VIEW_SHORTCUT_CONTROL_SHIFT_END);
  g_assert_true (taken & ADW_TAB_VIEW_SHORTCUT_CONTROL_PAGE_DOWN);

  /* Each has a shortcut (which the shortcuts window lists: see
   * /window/shortcuts-window-complete). */
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      if (accels[0] == NULL)
        g_error ("%s has no shortcut", actions[i]);
    }

  g_assert_true (gtk_widget_activate_action (window, "win.pause", NULL));
  g_assert_true (sonde_log_view_get_paused (log_view));
  g_assert_true (gtk_widget_activate_action (window, "win.pause", NULL));
  g_assert_false (sonde_log_view_get_paused (log_view));

  g_assert_true (gtk_widget_activate_action (window, "win.focus-composer", NULL));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (sonde_connection_page_get_composer (page))));

  g_assert_true (gtk_widget_activate_action (window, "win.side-pane", "s", "connection"));
  g_assert_true (gtk_widget_is_ancestor (panel, gtk_stack_get_visible_child (side_stack)) ||
                 gtk_stack_get_visible_child (side_stack) == panel);
  g_assert_true (gtk_widget_activate_action (window, "win.side-pane", "s", "detail"));
  g_assert_true (gtk_widget_is_ancestor (detail, gtk_stack_get_visible_child (side_stack)) ||
                 gtk_stack_get_visible_child (side_stack) == detail);

  g_assert_true (gtk_widget_activate_action (window, "win.disconnect", NULL));
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_assert_true (gtk_widget_activate_action (window, "win.reconnect", NULL));
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
}

static int
paned_max (GtkPaned *paned)
{
  int max = 0;

  g_object_get (paned, "max-position", &max, NULL);
  return max;
}

/* The side pane keeps its share of the page: hiding the sidebar or
 * widening the window grows both panes; a divider the user drags keeps
 * its place in proportion, through a shrink and a grow back. */
static void
test_side_pane_keeps_share (Fixture       *fixture,
                            gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  GtkPaned *paned = GTK_PANED (gtk_widget_get_template_child (GTK_WIDGET (page), SONDE_TYPE_CONNECTION_PAGE,
                                                               "paned"));
  int max, side, log, position;

  SONDE_TEST_ASSERT_WAIT (paned_max (paned) > 0 && gtk_paned_get_position (paned) > 0, WAIT_MS);
  sonde_test_spin (100);
  max = paned_max (paned);
  log = gtk_paned_get_position (paned);
  side = max - log;
  g_assert_cmpint (side, >, 100);
  g_assert_cmpint (ABS (side * 3 - max), <=, 3);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-sidebar", NULL);
  SONDE_TEST_ASSERT_WAIT (paned_max (paned) > max + 100, WAIT_MS);
  /* The sidebar slides away: wait until it has gone. */
  sonde_test_spin (500);
  g_assert_cmpint (gtk_paned_get_position (paned), >, log + 100);
  g_assert_cmpint (paned_max (paned) - gtk_paned_get_position (paned), >, side + 50);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-sidebar", NULL);
  SONDE_TEST_ASSERT_WAIT (paned_max (paned) == max, WAIT_MS);
  sonde_test_spin (500);
  g_assert_cmpint (ABS (gtk_paned_get_position (paned) - log), <=, 1);

  /* The user's divider: after a shrink and a grow back, where they put it. */
  gtk_paned_set_position (paned, gtk_paned_get_position (paned) - 80);
  position = gtk_paned_get_position (paned);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 760);
  SONDE_TEST_ASSERT_WAIT (paned_max (paned) < max - 100, WAIT_MS);
  sonde_test_spin (100);
  g_assert_cmpint (paned_max (paned) - gtk_paned_get_position (paned), <, max - position);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 760);
  SONDE_TEST_ASSERT_WAIT (paned_max (paned) == max, WAIT_MS);
  sonde_test_spin (100);
  g_assert_cmpint (ABS (gtk_paned_get_position (paned) - position), <=, 1);
}

typedef struct {
  const char *path;
  guint       n_lines;
} LineCount;

/* The file is written as it goes: done once it holds every line. */
static gboolean
has_lines (gpointer data)
{
  LineCount *count = data;
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (count->path, &contents, NULL, NULL))
    return FALSE;
  for (const char *p = contents; *p; p++)
    n += *p == '\n';
  return n >= count->n_lines;
}

/* Export Log: every record of the connection in a JSON Lines file, and no
 * secret of the URL in it, even where the server echoed it back. */
static void
test_export_log (Fixture       *fixture,
                 gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo?token=CANARY-w1nd0w");
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  g_autofree char *dir = g_dir_make_tmp ("sonde-window-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "log.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_records;

  g_assert_true (sonde_connection_send_text (connection, "see wss://h/?token=CANARY-w1nd0w", -1, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) >= 1, WAIT_MS);
  n_records = sonde_message_log_get_n_records (sonde_connection_get_log (connection));

  sonde_window_export_log_to (fixture->window, file);
  g_assert_true (sonde_test_wait_for (has_lines, &(LineCount) { path, n_records }, WAIT_MS));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines) - 1, ==, n_records);
  g_assert_nonnull (strstr (contents, "\"dir\":\"in\""));
  g_assert_nonnull (strstr (contents, "token=[redacted]"));
  g_assert_null (strstr (contents, "CANARY"));

  g_unlink (path);
  g_rmdir (dir);
}

static char *
dup_contents (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

typedef struct {
  GtkWidget  *widget;
  const char *text;
} ShownText;

/* Whether a label under @data's widget shows its text. */
static gboolean
shows_text (gpointer data)
{
  ShownText *shown = data;

  if (GTK_IS_LABEL (shown->widget) && gtk_widget_get_mapped (shown->widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (shown->widget)), shown->text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (shown->widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ShownText inner = { child, shown->text };

      if (shows_text (&inner))
        return TRUE;
    }
  return FALSE;
}

/* Export offers the filtered view or all messages, and the toast says
 * which was written and what Clear had removed; the file is named after
 * the host (or profile) and the time, not the mangled URL. */
static void
test_export_scope (Fixture       *fixture,
                   gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/echo");
  SondeConnection *connection = sonde_connection_page_get_connection (page);
  SondeLogView *log_view = sonde_connection_page_get_log_view (page);
  AdwToastOverlay *toasts = ADW_TOAST_OVERLAY (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                                              SONDE_TYPE_WINDOW, "toast_overlay"));
  g_autofree char *dir = g_dir_make_tmp ("sonde-window-export-XXXXXX", NULL);
  g_autofree char *view_path = g_build_filename (dir, "view.jsonl", NULL);
  g_autofree char *all_path = g_build_filename (dir, "all.jsonl", NULL);
  g_autoptr(GFile) view_file = g_file_new_for_path (view_path);
  g_autoptr(GFile) all_file = g_file_new_for_path (all_path);
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 12, 6, 10, 4, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  guint n_records;

  name = sonde_window_dup_export_name (fixture->window, when);
  g_assert_cmpstr (name, ==, "127.0.0.1 echo 2026-12-06 10.04.jsonl");

  /* Two before a Clear, then three, one of them "keep". */
  g_assert_true (sonde_connection_send_text (connection, "cleared one", -1, &error));
  g_assert_true (sonde_connection_send_text (connection, "cleared two", -1, &error));
  SONDE_TEST_ASSERT_WAIT (messages_in (page) >= 2, WAIT_MS);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.clear-log", NULL);
  g_assert_true (sonde_connection_send_text (connection, "shown keep", -1, &error));
  g_assert_true (sonde_connection_send_text (connection, "shown other", -1, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (messages_in (page) >= 4, WAIT_MS);
  g_assert_true (sonde_log_view_set_filter (log_view, "keep", FALSE));
  n_records = sonde_message_log_get_n_records (sonde_connection_get_log (connection));

  /* All messages: what Clear removed too, and the toast says so. */
  sonde_window_export_log_scope_to (fixture->window, all_file, FALSE);
  g_assert_true (sonde_test_wait_for (has_lines, &(LineCount) { all_path, n_records }, WAIT_MS));
  contents = dup_contents (all_path);
  g_assert_nonnull (strstr (contents, "cleared one"));
  g_assert_nonnull (strstr (contents, "shown other"));
  g_clear_pointer (&contents, g_free);
  g_assert_true (sonde_test_wait_for (shows_text, &(ShownText) { GTK_WIDGET (toasts), "(all messages, including " },
                                      WAIT_MS));
  g_assert_true (sonde_test_wait_for (shows_text, &(ShownText) { GTK_WIDGET (toasts), "removed from the view by Clear)" },
                                      WAIT_MS));

  /* The filtered view: only what the log shows ("keep", sent and echoed). */
  sonde_window_export_log_scope_to (fixture->window, view_file, TRUE);
  g_assert_true (sonde_test_wait_for (has_lines, &(LineCount) { view_path, 2 }, WAIT_MS));
  sonde_test_spin (100);
  contents = dup_contents (view_path);
  g_assert_cmpuint (count_lines (contents), ==, 2);
  g_assert_nonnull (strstr (contents, "shown keep"));
  g_assert_null (strstr (contents, "other"));
  g_assert_null (strstr (contents, "cleared"));
  g_clear_pointer (&contents, g_free);


  g_unlink (view_path);
  g_unlink (all_path);
  g_rmdir (dir);
}

/* What the checking server saw in the last handshake. */
typedef struct {
  guint  n;
  char  *header;
  char  *authorization;
  char  *protocols;
  GPtrArray *connections;
} Seen;

static void
on_checked_request (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           data)
{
  Seen *seen = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  seen->n++;
  g_free (seen->header);
  seen->header = g_strdup (soup_message_headers_get_one (headers, "X-Feed"));
  g_free (seen->authorization);
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (seen->protocols);
  seen->protocols = g_strdup (soup_message_headers_get_list (headers, "Sec-WebSocket-Protocol"));
}

static void
on_checked_websocket (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *connection,
                      gpointer                 data)
{
  Seen *seen = data;

  g_ptr_array_add (seen->connections, g_object_ref (connection));
}

/* A SoupServer on 127.0.0.1 that records in @seen what each handshake to
 * /checked carried and offers the subprotocol feed.v2; returns its URL. */
static char *
checking_server_start (SoupServer *server,
                       Seen       *seen)
{
  char *offered[] = { "feed.v2", NULL };
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *url;

  seen->connections = g_ptr_array_new_with_free_func (g_object_unref);
  soup_server_add_early_handler (server, "/checked", on_checked_request, seen, NULL);
  soup_server_add_websocket_handler (server, "/checked", NULL, offered, on_checked_websocket, seen, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("ws://127.0.0.1:%d/checked", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

static void
seen_clear (Seen *seen)
{
  g_clear_pointer (&seen->connections, g_ptr_array_unref);
  g_clear_pointer (&seen->header, g_free);
  g_clear_pointer (&seen->authorization, g_free);
  g_clear_pointer (&seen->protocols, g_free);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  gboolean *done = data;

  g_assert_true (sonde_secrets_store_finish (SONDE_SECRETS (source), result, NULL));
  *done = TRUE;
}

/* Connect in a profile's tab (the header bar's, with the profile's URL in
 * the entry) connects with the profile: its header, subprotocol and bearer
 * token reach the server. Connecting the open profile again (from the
 * sidebar) focuses its tab instead of opening a second one. */
static void
test_profile_tab_connect (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *url = NULL;
  g_autoptr(SondeProfile) profile = NULL;
  SondeApplication *application = sonde_test_gui_get_app ();
  const char *headers[] = { "X-Feed: prices", NULL };
  const char *protocols[] = { "feed.v2", NULL };
  Seen seen = { 0 };
  gboolean stored = FALSE;
  SondeConnectionPage *page;
  guint n_pages;

  url = checking_server_start (server, &seen);

  profile = sonde_profile_new_for_url (url);
  sonde_profile_set_name (profile, "Checked feed");
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_protocols (profile, protocols);
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  sonde_profile_store_add (sonde_application_get_store (application), profile);
  sonde_secrets_store_async (sonde_application_get_secrets (application), sonde_profile_get_id (profile), "Sonde: Checked feed",
                             "window-t0ken", NULL, on_secret_stored, &stored);
  SONDE_TEST_ASSERT_WAIT (stored, WAIT_MS);

  page = sonde_window_connect_profile (fixture->window, profile);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpuint (seen.n, ==, 1);
  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  g_clear_pointer (&seen.authorization, g_free);
  g_clear_pointer (&seen.header, g_free);

  /* The header bar's Connect, in the profile's tab. */
  g_assert_true (sonde_window_get_current_page (fixture->window) == page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", NULL));
  SONDE_TEST_ASSERT_WAIT (seen.n == 2 && page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpstr (seen.header, ==, "prices");
  g_assert_cmpstr (seen.authorization, ==, "Bearer window-t0ken");
  g_assert_nonnull (seen.protocols);
  g_assert_nonnull (strstr (seen.protocols, "feed.v2"));
  g_assert_cmpstr (sonde_connection_page_get_profile_id (page), ==, sonde_profile_get_id (profile));

  /* The same profile again, from another tab: its tab comes to the front. */
  n_pages = sonde_window_get_n_pages (fixture->window);
  sonde_window_add_page (fixture->window);
  g_assert_true (sonde_window_get_current_page (fixture->window) != page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-profile", "s",
                                             sonde_profile_get_id (profile)));
  g_assert_true (sonde_window_get_current_page (fixture->window) == page);
  g_assert_cmpuint (sonde_window_get_n_pages (fixture->window), ==, n_pages + 1);
  g_assert_cmpuint (seen.n, ==, 2);

  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  soup_server_disconnect (server);
  seen_clear (&seen);
}

static AdwMessageDialog *
find_dialog_of (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_window_get_transient_for (toplevel) == window &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }
  return NULL;
}

/* Profiles that cannot be written are never lost in silence: the window
 * says so (a toast that stays) and, when it closes, asks first; keeping it
 * open keeps it open, closing anyway closes. */
static void
test_profiles_not_saved (Fixture       *fixture,
                         gconstpointer  data)
{
  SondeProfileStore *store = sonde_application_get_store (app);
  g_autoptr(SondeProfile) profile = sonde_profile_new ();
  g_autofree char *path = g_strdup (sonde_profile_store_get_path (store));
  g_autofree char *blocker = g_build_filename (path, "blocker", NULL);
  GtkWidget *window = g_object_ref (GTK_WIDGET (fixture->window));
  AdwMessageDialog *dialog;

  /* A directory where the profiles file goes: writing it fails, even as
   * root. */
  g_assert_true (sonde_profile_store_flush (store, NULL));
  g_remove (path);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));

  sonde_profile_set_name (profile, "Unsaved");
  sonde_profile_set_url (profile, "ws://127.0.0.1:1/");
  sonde_profile_store_add (store, profile);
  sonde_profile_store_save_soon (store);

  gtk_window_close (GTK_WINDOW (window));
  SONDE_TEST_ASSERT_WAIT ((dialog = find_dialog_of (GTK_WINDOW (window))) != NULL, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Profiles Not Saved");

  adw_message_dialog_response (dialog, "cancel");   /* as its button does */
  gtk_window_destroy (GTK_WINDOW (dialog));
  SONDE_TEST_ASSERT_WAIT (find_dialog_of (GTK_WINDOW (window)) == NULL, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (window));
  sonde_test_save_screenshot (window, "window-profiles-not-saved.png");

  /* Closing anyway closes. */
  gtk_window_close (GTK_WINDOW (window));
  SONDE_TEST_ASSERT_WAIT ((dialog = find_dialog_of (GTK_WINDOW (window))) != NULL, WAIT_MS);
  adw_message_dialog_response (dialog, "close");
  gtk_window_destroy (GTK_WINDOW (dialog));
  SONDE_TEST_ASSERT_WAIT (!gtk_widget_get_visible (window), WAIT_MS);
  fixture->window = sonde_window_new (SONDE_WINDOW_HOST (app));
  gtk_window_present (GTK_WINDOW (fixture->window));
  sonde_test_wait_finalized (window);

  /* Writable again: the profile is saved. */
  g_assert_cmpint (g_remove (blocker), ==, 0);
  g_assert_cmpint (g_rmdir (path), ==, 0);
  sonde_profile_store_remove (store, profile, NULL);
  g_assert_true (sonde_profile_store_flush (store, NULL));
}

/* An address typed by hand carries the headers and subprotocols set in the
 * options beside the URL, reconnects as the preferences say, and a bad
 * header is named there instead of being sent; a profile's tab keeps its
 * settings in its editor. */
static void
test_adhoc_options (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeAdhocOptions *options = sonde_window_get_adhoc_options (fixture->window);
  GtkWidget *headers_view = sonde_test_find_widget (GTK_WIDGET (options), GTK_TYPE_TEXT_VIEW);
  GtkWidget *protocols_entry = sonde_test_find_widget (GTK_WIDGET (options), GTK_TYPE_ENTRY);
  Seen seen = { 0 };
  SondeConnectionPage *page;
  SondeReconnectPolicy policy;

  g_assert_nonnull (headers_view);
  g_assert_nonnull (protocols_entry);
  url = checking_server_start (server, &seen);

  page = sonde_window_add_page (fixture->window);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (sonde_window_get_options_button (fixture->window))));

  /* A bad header is said, and not taken. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (headers_view)), "no colon here", -1);
  g_assert_nonnull (sonde_adhoc_options_get_problem (options));
  g_assert_nonnull (strstr (sonde_adhoc_options_get_problem (options), "no colon"));
  g_assert_true (gtk_widget_has_css_class (headers_view, "error"));
  g_assert_null (sonde_session_get_adhoc_options (sonde_connection_page_get_session (page))->headers);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (headers_view)), "X-Feed: typed\n", -1);
  gtk_editable_set_text (GTK_EDITABLE (protocols_entry), "feed.v2");
  g_assert_null (sonde_adhoc_options_get_problem (options));

  g_assert_true (sonde_window_open_url (fixture->window, url));
  g_assert_true (sonde_window_get_current_page (fixture->window) == page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_cmpstr (seen.header, ==, "typed");
  g_assert_nonnull (seen.protocols);
  g_assert_nonnull (strstr (seen.protocols, "feed.v2"));
  /* Reconnect is on by default for addresses typed by hand. */
  sonde_connection_get_reconnect (sonde_connection_page_get_connection (page), &policy);
  g_assert_true (policy.enabled);

  sonde_connection_page_disconnect (page);
  SONDE_TEST_ASSERT_WAIT (page_state (page) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  soup_server_disconnect (server);
  seen_clear (&seen);
}

/* The first realized row of a list inside @widget, or NULL. */
static GtkWidget *
find_list_row (GtkWidget *widget)
{
  if (g_strcmp0 (gtk_widget_get_css_name (widget), "row") == 0 && gtk_widget_get_height (widget) > 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_row (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The divider is as far down as it goes, and laid out there. */
static gboolean
paned_at_end (GtkPaned *paned)
{
  int max_position;

  g_object_get (paned, "max-position", &max_position, NULL);
  return gtk_paned_get_position (paned) == max_position &&
         gtk_widget_get_height (gtk_paned_get_start_child (paned)) >= max_position - 1;
}

/* The charts and the log share the height: with many charts and the
 * divider dragged to the bottom, the log keeps about eight rows and the
 * charts scroll. */
static void
test_charts_leave_log_rows (Fixture       *fixture,
                            gconstpointer  data)
{
  SondeConnectionPage *page = open_demo_path (fixture, "/ticker?rate=50");
  GtkWidget *log = GTK_WIDGET (sonde_connection_page_get_log_view (page));
  GtkWidget *charts = GTK_WIDGET (sonde_connection_page_get_charts (page));
  GtkPaned *paned = GTK_PANED (gtk_widget_get_ancestor (log, GTK_TYPE_PANED));
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adjustment;
  GtkWidget *row;

  SONDE_TEST_ASSERT_WAIT (n_rows (page) >= 20, WAIT_MS);
  for (guint i = 0; i < 4; i++)
    g_assert_true (sonde_connection_page_chart_field (page, "$.price", NULL, NULL));
  g_assert_true (gtk_widget_get_visible (charts));
  g_assert_true (paned != NULL && gtk_paned_get_end_child (paned) == log);

  /* The divider dragged as far down as it goes. */
  gtk_paned_set_position (paned, 100000);
  SONDE_TEST_ASSERT_WAIT (paned_at_end (paned) && gtk_widget_get_height (charts) > 0, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT ((row = find_list_row (log)) != NULL, WAIT_MS);
  g_test_message ("log %d px, row %d px, charts %d px", gtk_widget_get_height (log), gtk_widget_get_height (row),
                  gtk_widget_get_height (charts));
  /* Eight rows in the list's own view, under the filter bar and header. */
  g_assert_cmpint (gtk_widget_get_height (gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW)), >=,
                   8 * gtk_widget_get_height (row));

  /* The charts did not get their height: they scroll. */
  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (
    GTK_WIDGET (sonde_charts_panel_get_chart (sonde_connection_page_get_charts (page), 0)), GTK_TYPE_SCROLLED_WINDOW));
  adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  SONDE_TEST_ASSERT_WAIT (gtk_adjustment_get_page_size (adjustment) > 0 &&
                          gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) + 100,
                          WAIT_MS);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window), "window-charts-and-log.png");
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);
  app = sonde_test_gui_get_app ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, sonde_test_window_setup, func, sonde_test_window_teardown)
  ADD ("/window/profile-tab-connect", test_profile_tab_connect);
  ADD ("/window/adhoc-options", test_adhoc_options);
  ADD ("/window/narrow-window-charts", test_narrow_window_charts);
  ADD ("/window/demo-on-first-launch", test_demo_on_first_launch);
  ADD ("/window/charts-leave-log-rows", test_charts_leave_log_rows);
  ADD ("/window/url-errors", test_url_errors);
  ADD ("/window/handshake-refused", test_handshake_refused);
  ADD ("/window/filter-counts", test_filter_counts);
  ADD ("/window/filter-large-log-yields", test_filter_large_log_yields);
  ADD ("/window/pause-keeps-capturing", test_pause_keeps_capturing);
  ADD ("/window/composer-checks", test_composer_checks);
  ADD ("/window/detail-views", test_detail_views);
  ADD ("/window/frames-and-detail", test_frames_and_detail);
  ADD ("/window/detail-huge-message", test_detail_huge_message);
  ADD ("/window/hex-never-wraps", test_hex_never_wraps);
  ADD ("/window/tab-title", test_tab_title);
  ADD ("/window/narrow-window", test_narrow_window);
  ADD ("/window/follow-mode", test_follow_mode);
  ADD ("/window/connection-panel", test_connection_panel);
  ADD ("/window/export-log", test_export_log);
  ADD ("/window/export-scope", test_export_scope);
  ADD ("/window/side-pane-keeps-share", test_side_pane_keeps_share);
  ADD ("/window/shortcuts-window-complete", test_shortcuts_window_complete);
  ADD ("/window/keyboard", test_keyboard);
  ADD ("/window/profiles-not-saved", test_profiles_not_saved);
#undef ADD

  return sonde_test_gui_run ();
}
