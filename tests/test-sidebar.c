/* test-sidebar.c: SondeSidebar in the real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sidebar of a SondeWindow (the shared window fixture), over the
 * application's profile store and the window's tabs. Driven through its
 * search entry, its list of open connections and the store; the tests
 * assert on the profiles it shows, what it says when it shows none, and
 * one row per tab with the tab's title, state and unread count.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "sonde-application.h"
#include "sonde-connection-page.h"
#include "sonde-gui-util.h"
#include "sonde-sidebar.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

typedef SondeTestWindowFixture Fixture;

static SondeProfileStore *
store (void)
{
  return sonde_application_get_store (sonde_test_gui_get_app ());
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

static SondeSidebar *
sidebar (Fixture *fixture)
{
  GtkWidget *widget = sonde_window_get_sidebar (fixture->window);

  g_assert_true (SONDE_IS_SIDEBAR (widget));
  return SONDE_SIDEBAR (widget);
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (sidebar (fixture)), SONDE_TYPE_SIDEBAR, name);

  g_assert_nonnull (object);
  return object;
}

static SondeProfile *
add_profile (const char *name,
             const char *url)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (url);

  sonde_profile_set_name (profile, name);
  sonde_profile_store_add (store (), profile);
  return profile;   /* the store holds it */
}

/* The names of the profiles shown, joined with "|". */
static char *
dup_shown (Fixture *fixture)
{
  GListModel *shown = sonde_sidebar_get_shown_profiles (sidebar (fixture));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (shown, i);

      g_string_append_printf (out, "%s%s", i ? "|" : "", sonde_profile_get_name (profile));
    }
  return g_string_free (out, FALSE);
}

static gboolean
shown_is (Fixture    *fixture,
          const char *expected)
{
  g_autofree char *shown = dup_shown (fixture);

  return g_strcmp0 (shown, expected) == 0;
}

static void
assert_shown (Fixture    *fixture,
              const char *expected)
{
  if (!SONDE_TEST_WAIT (shown_is (fixture, expected), WAIT_MS))
    {
      g_autofree char *shown = dup_shown (fixture);

      g_error ("profiles shown: \"%s\", expected \"%s\"", shown, expected);
    }
}

static void
search (Fixture    *fixture,
        const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "search_entry")), text);
}

static const char *
stack_page (Fixture *fixture)
{
  return gtk_stack_get_visible_child_name (child (fixture, "profiles_stack"));
}

/* The search matches names and URLs, whatever the case; the list shows
 * what passes, the store's changes included; no match and no profiles at
 * all are said differently. */
static void
test_profile_search (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkLabel *empty_label = child (fixture, "empty_label");
  GtkListView *profile_list = child (fixture, "profile_list");
  GtkSelectionModel *selection;
  SondeProfile *echo;

  g_assert_cmpstr (stack_page (fixture), ==, "empty");
  g_assert_true (g_str_has_prefix (gtk_label_get_label (empty_label), "No saved profiles yet."));

  add_profile ("Binance ticker", "wss://stream.binance.example/ws");
  echo = add_profile ("Local echo", "ws://127.0.0.1:9/echo");
  add_profile ("Staging feed", "wss://staging.example.org/Ticker");
  assert_shown (fixture, "Binance ticker|Local echo|Staging feed");
  g_assert_cmpstr (stack_page (fixture), ==, "list");
  selection = gtk_list_view_get_model (profile_list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 3);

  /* One by its name, one by its URL. */
  search (fixture, "TICKER");
  assert_shown (fixture, "Binance ticker|Staging feed");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 2);

  search (fixture, "127.0.0");
  assert_shown (fixture, "Local echo");

  /* Added while searching: shown if it matches. */
  add_profile ("Second echo", "ws://127.0.0.1:10/echo");
  add_profile ("Elsewhere", "ws://example.net/");
  assert_shown (fixture, "Local echo|Second echo");

  search (fixture, "nothing like it");
  assert_shown (fixture, "");
  g_assert_cmpstr (stack_page (fixture), ==, "empty");
  g_assert_cmpstr (gtk_label_get_label (empty_label), ==, "No profile matches the search");

  search (fixture, "");
  assert_shown (fixture, "Binance ticker|Local echo|Staging feed|Second echo|Elsewhere");
  g_assert_cmpstr (stack_page (fixture), ==, "list");

  /* Selected in the list: the sidebar's selected profile. */
  g_assert_null (sonde_sidebar_get_selected_profile (sidebar (fixture)));
  g_assert_true (gtk_selection_model_select_item (selection, 1, TRUE));
  g_assert_true (sonde_sidebar_get_selected_profile (sidebar (fixture)) == echo);

  /* Removed from the store: gone from the list. */
  g_assert_true (sonde_profile_store_remove (store (), echo, NULL));
  assert_shown (fixture, "Binance ticker|Staging feed|Second echo|Elsewhere");
}

/* The rows of the open list that stand for tabs. */
static GPtrArray *
open_rows (Fixture *fixture)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (child (fixture, "open_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row))
        g_ptr_array_add (rows, row);
    }
  return rows;
}

static guint
n_open_rows (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = open_rows (fixture);

  return rows->len;
}

/* A row's parts: [●] title … unread */
static GtkWidget *
row_part (GtkWidget *row,
          guint      index)
{
  GtkWidget *part = gtk_widget_get_first_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));

  for (guint i = 0; i < index && part != NULL; i++)
    part = gtk_widget_get_next_sibling (part);
  g_assert_nonnull (part);
  return part;
}

static GtkWidget *
row_at (Fixture *fixture,
        guint    index)
{
  g_autoptr(GPtrArray) rows = open_rows (fixture);

  g_assert_cmpuint (index, <, rows->len);
  return g_ptr_array_index (rows, index);
}

/* Whether the state dot of row @index shows @state as the rest of the
 * window does: its label as the tooltip, its CSS class. */
static gboolean
row_state_is (Fixture              *fixture,
              guint                 index,
              SondeConnectionState  state)
{
  GtkWidget *dot = row_part (row_at (fixture, index), 0);
  const char *label = NULL;
  const char *css_class = NULL;

  sonde_state_describe (state, &label, NULL, &css_class);
  return g_strcmp0 (gtk_widget_get_tooltip_text (dot), label) == 0 && gtk_widget_has_css_class (dot, css_class);
}

static const char *
row_title (Fixture *fixture,
           guint    index)
{
  return gtk_label_get_label (GTK_LABEL (row_part (row_at (fixture, index), 1)));
}

static SondeConnectionPage *
open_url (Fixture    *fixture,
          const char *path)
{
  g_autofree char *url = sonde_demo_server_dup_url (fixture->demo, path);

  g_assert_true (sonde_window_open_url (fixture->window, url));
  return sonde_window_get_current_page (fixture->window);
}

static SondeConnectionState
page_state (SondeConnectionPage *page)
{
  return sonde_connection_get_state (sonde_connection_page_get_connection (page));
}

/* One row per tab, in order, with its title, its live state and, for a
 * tab in the background, how many messages it received unseen; a row
 * activated shows its tab; a tab closed takes its row away. Enter in the
 * search connects the first profile that matches. */
static void
test_open_connections (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(AdwTabView) tab_view = NULL;
  g_autofree char *echo_url = sonde_demo_server_dup_url (fixture->demo, "/echo");
  GtkListBox *open_list = child (fixture, "open_list");
  SondeConnectionPage *ticker, *echo, *from_search;
  SondeProfile *profile;
  GtkWidget *unread;

  g_object_get (sidebar (fixture), "tab-view", &tab_view, NULL);
  g_assert_nonnull (tab_view);
  g_assert_cmpuint (n_open_rows (fixture), ==, sonde_window_get_n_pages (fixture->window));

  ticker = open_url (fixture, "/ticker?rate=50");
  echo = open_url (fixture, "/echo");
  g_assert_true (ticker != echo);
  g_assert_cmpuint (sonde_window_get_n_pages (fixture->window), ==, 2);
  g_assert_cmpuint (n_open_rows (fixture), ==, 2);
  /* The sidebar reads titles and states again every 500 ms. */
  SONDE_TEST_ASSERT_WAIT (g_str_equal (row_title (fixture, 0), sonde_connection_page_get_title (ticker)) &&
                          g_str_equal (row_title (fixture, 1), sonde_connection_page_get_title (echo)), WAIT_MS);
  /* Host and path: no query. */
  g_assert_true (g_str_has_suffix (row_title (fixture, 0), "/ticker"));

  SONDE_TEST_ASSERT_WAIT (page_state (ticker) == SONDE_CONNECTION_STATE_OPEN &&
                          page_state (echo) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (row_state_is (fixture, 0, SONDE_CONNECTION_STATE_OPEN) &&
                          row_state_is (fixture, 1, SONDE_CONNECTION_STATE_OPEN),
                          WAIT_MS);

  /* The echo tab is in front: its row is selected; the ticker's counts
   * what arrives unseen. */
  g_assert_true (sonde_window_get_current_page (fixture->window) == echo);
  g_assert_true (GTK_WIDGET (gtk_list_box_get_selected_row (open_list)) == row_at (fixture, 1));
  unread = row_part (row_at (fixture, 0), 2);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_page_get_n_unread (ticker) >= 3, WAIT_MS);
  sonde_sidebar_refresh (sidebar (fixture));
  g_assert_true (gtk_widget_get_visible (unread));
  g_assert_cmpuint (g_ascii_strtoull (gtk_label_get_label (GTK_LABEL (unread)), NULL, 10), ==,
                    sonde_connection_page_get_n_unread (ticker));
  g_assert_false (gtk_widget_get_visible (row_part (row_at (fixture, 1), 2)));

  /* Activating the ticker's row brings its tab to the front. */
  g_signal_emit_by_name (open_list, "row-activated", row_at (fixture, 0));
  g_assert_true (sonde_window_get_current_page (fixture->window) == ticker);
  g_assert_true (GTK_WIDGET (gtk_list_box_get_selected_row (open_list)) == row_at (fixture, 0));

  /* Disconnected: the row says so. */
  sonde_connection_page_disconnect (echo);
  SONDE_TEST_ASSERT_WAIT (page_state (echo) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (row_state_is (fixture, 1, SONDE_CONNECTION_STATE_CLOSED), WAIT_MS);
  g_assert_true (row_state_is (fixture, 0, SONDE_CONNECTION_STATE_OPEN));

  /* Enter in the search: the first match connects, in a tab of its own. */
  profile = add_profile ("Echo profile", echo_url);
  add_profile ("Echo elsewhere", "ws://127.0.0.1:9/echo");
  search (fixture, "echo");
  assert_shown (fixture, "Echo profile|Echo elsewhere");
  g_signal_emit_by_name (child (fixture, "search_entry"), "activate");
  from_search = sonde_window_get_current_page (fixture->window);
  g_assert_true (from_search != ticker && from_search != echo);
  g_assert_cmpstr (sonde_connection_page_get_profile_id (from_search), ==, sonde_profile_get_id (profile));
  g_assert_cmpuint (n_open_rows (fixture), ==, 3);
  SONDE_TEST_ASSERT_WAIT (g_str_equal (row_title (fixture, 2), "Echo profile"), WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (row_state_is (fixture, 2, SONDE_CONNECTION_STATE_OPEN), WAIT_MS);

  /* A tab closed: its row goes, the others stay in order. */
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (echo)));
  SONDE_TEST_ASSERT_WAIT (n_open_rows (fixture) == 2, WAIT_MS);
  g_assert_cmpstr (row_title (fixture, 0), ==, sonde_connection_page_get_title (ticker));
  g_assert_cmpstr (row_title (fixture, 1), ==, "Echo profile");
}

/* What of @widget shows, in @side's coordinates: its bounds cut by the
 * scrolled windows it is in. FALSE when nothing of it shows. */
static gboolean
shown_bounds (GtkWidget       *widget,
              GtkWidget       *side,
              graphene_rect_t *out)
{
  if (!gtk_widget_compute_bounds (widget, side, out) || out->size.height <= 0)
    return FALSE;
  for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL && up != side; up = gtk_widget_get_parent (up))
    {
      graphene_rect_t clip;

      if (GTK_IS_SCROLLED_WINDOW (up) && gtk_widget_compute_bounds (up, side, &clip) &&
          !graphene_rect_intersection (out, &clip, out))
        return FALSE;
    }
  return TRUE;
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *labels)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (labels, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, labels);
}

/* Many open connections in the shortest window: the headings ("Profiles",
 * "Open") cover nothing and nothing covers them; the first open
 * connection shows whole below its heading. */
static void
test_open_heading (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *heading = child (fixture, "open_heading");
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *side = GTK_WIDGET (sidebar (fixture));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  graphene_rect_t heading_bounds, row_bounds;
  guint n_headings = 0;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 480);
  for (int i = 0; i < 5; i++)
    add_profile ("A profile", "ws://127.0.0.1:9/");
  for (int i = 0; i < 12; i++)
    open_url (fixture, "/echo");
  SONDE_TEST_ASSERT_WAIT (n_open_rows (fixture) == 12, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_height (window) > 0 && gtk_widget_get_height (window) <= 480 &&
                          gtk_widget_get_height (row_at (fixture, 11)) > 0, WAIT_MS);
  adw_flap_set_reveal_flap (ADW_FLAP (gtk_widget_get_template_child (window, SONDE_TYPE_WINDOW, "flap")), TRUE);
  sonde_test_spin (500);
  sonde_test_save_screenshot (window, "sidebar-many-open.png");

  g_assert_true (shown_bounds (heading, side, &heading_bounds));
  g_assert_true (gtk_widget_compute_bounds (row_at (fixture, 0), side, &row_bounds));
  g_assert_cmpfloat (heading_bounds.origin.y + heading_bounds.size.height, <=, row_bounds.origin.y);
  g_assert_cmpfloat (row_bounds.origin.y + row_bounds.size.height, <=, gtk_widget_get_height (side));

  collect_labels (side, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *a = g_ptr_array_index (labels, i);
      graphene_rect_t a_bounds;

      if (!gtk_widget_has_css_class (a, "heading") || !shown_bounds (a, side, &a_bounds))
        continue;
      n_headings++;
      for (guint j = 0; j < labels->len; j++)
        {
          GtkWidget *b = g_ptr_array_index (labels, j);
          graphene_rect_t b_bounds;

          if (a != b && shown_bounds (b, side, &b_bounds))
            {
              if (graphene_rect_intersection (&a_bounds, &b_bounds, NULL))
                g_error ("“%s” and “%s” overlap", gtk_label_get_label (GTK_LABEL (a)),
                         gtk_label_get_label (GTK_LABEL (b)));
            }
        }
    }
  g_assert_cmpuint (n_headings, ==, 2);

  /* The profiles keep room for two rows beside many connections. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (child (fixture, "profiles_stack"))), >=, 2 * 48);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, sonde_test_window_teardown)
  ADD ("/sidebar/profile-search", test_profile_search);
  ADD ("/sidebar/open-connections", test_open_connections);
  ADD ("/sidebar/open-heading", test_open_heading);
#undef ADD

  return sonde_test_gui_run ();
}
