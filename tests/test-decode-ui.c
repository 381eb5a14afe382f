/* test-decode-ui.c: choosing a decoder in the window, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real server (tests/servers/encoded_peer.py, Python's gzip and msgpack)
 * sends binary messages: the connection page offers to decode them, Decode
 * sets the session's decoder and the profile's (which the store saves), Not
 * Now puts the offer away; the status bar says what messages are read as;
 * an ad-hoc tab's decoder is chosen in the address options.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sonde-adhoc-options.h"
#include "sonde-application.h"
#include "sonde-connection-page.h"
#include "sonde-decode-banner.h"
#include "sonde-decode-editor.h"
#include "sonde-test-gui.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"
#include "sonde-window.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

typedef struct {
  SondeTestWindowFixture  window;
  SondeTestPeer          *peer;
} Fixture;

static SondeProfileStore *
store (void)
{
  return sonde_application_get_store (sonde_test_gui_get_app ());
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  while (g_list_model_get_n_items (G_LIST_MODEL (store ())) > 0)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (G_LIST_MODEL (store ()), 0);
      sonde_profile_store_remove (store (), profile, NULL);
    }
  sonde_test_window_setup (&fixture->window, data);
  fixture->peer = sonde_test_peer_start_script ("encoded_peer.py", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  sonde_test_window_teardown (&fixture->window, data);
  g_assert_true (sonde_test_peer_stop (fixture->peer, &error));
  g_assert_no_error (error);
  sonde_test_peer_free (fixture->peer);
}

static SondeDecodeBanner *
banner_of (SondeConnectionPage *page)
{
  return SONDE_DECODE_BANNER (sonde_connection_page_get_decode_banner (page));
}

static void
save_screenshots (Fixture    *fixture,
                  const char *name)
{
  g_autofree char *light = g_strdup_printf ("%s.png", name);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", name);
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (g_getenv ("SONDE_SCREENSHOT_DIR") == NULL)
    return;
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window.window), light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->window.window), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* A profile's tab: gzip'd JSON is recognized, Decode makes the session
 * read it (the log's views are the JSON) and the profile keep it, saved
 * by the store. */
static void
test_decode_profile (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *url = sonde_test_peer_dup_url (fixture->peer, "/gzip");
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (url);
  g_autofree char *words = sonde_decoder_describe ("gzip");
  g_autofree char *status = g_strdup_printf (_("Decoding: %s"), words);
  g_autofree char *contents = NULL;
  SondeConnectionPage *page;
  SondeSession *session;
  SondeDecodeBanner *banner;

  sonde_profile_set_name (profile, "Gzip feed");
  sonde_profile_store_add (store (), profile);
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store ()), WAIT_MS);

  page = sonde_window_connect_profile (fixture->window.window, profile);
  g_assert_nonnull (page);
  session = sonde_connection_page_get_session (page);
  banner = banner_of (page);
  g_assert_false (sonde_decode_banner_get_shown (banner));
  g_assert_null (sonde_connection_page_get_decoder_text (page));

  SONDE_TEST_ASSERT_WAIT (sonde_decode_banner_get_shown (banner), WAIT_MS);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (banner)));
  g_assert_nonnull (strstr (sonde_decode_banner_get_text (banner), words));
  g_assert_null (sonde_session_get_decoder_spec (session));
  save_screenshots (fixture, "decode-banner");

  gtk_widget_activate (GTK_WIDGET (sonde_decode_banner_get_decode_button (banner)));
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_decoder_spec (session) != NULL, WAIT_MS);
  g_assert_cmpstr (sonde_session_get_decoder_spec (session), ==, "gzip");
  g_assert_cmpstr (sonde_profile_get_decode (profile, NULL, NULL), ==, "gzip");
  g_assert_false (sonde_decode_banner_get_shown (banner));
  g_assert_cmpstr (sonde_connection_page_get_decoder_text (page), ==, status);

  /* The store writes the profile with its decoder. */
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store ()), WAIT_MS);
  g_assert_true (g_file_get_contents (sonde_profile_store_get_path (store ()), &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"chain\""));
  g_assert_nonnull (strstr (contents, "\"gzip\""));
  save_screenshots (fixture, "decode-status");
}

/* An ad-hoc tab: MessagePack is recognized; Not Now puts the offer away
 * for the tab; the address options choose the decoder instead. */
static void
test_decode_adhoc (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = sonde_test_peer_dup_url (fixture->peer, "/msgpack");
  g_autofree char *words = sonde_decoder_describe ("msgpack");
  SondeConnectionPage *page;
  SondeSession *session;
  SondeDecodeBanner *banner;
  SondeDecodeEditor *editor;

  g_assert_true (sonde_window_open_url (fixture->window.window, url));
  page = sonde_window_get_current_page (fixture->window.window);
  session = sonde_connection_page_get_session (page);
  banner = banner_of (page);

  SONDE_TEST_ASSERT_WAIT (sonde_decode_banner_get_shown (banner), WAIT_MS);
  g_assert_nonnull (strstr (sonde_decode_banner_get_text (banner), words));

  gtk_widget_activate (GTK_WIDGET (sonde_decode_banner_get_dismiss_button (banner)));
  SONDE_TEST_ASSERT_WAIT (!sonde_decode_banner_get_shown (banner), WAIT_MS);
  g_assert_null (sonde_session_get_decoder_spec (session));
  g_assert_null (sonde_session_get_profile (session));

  /* Declined: a new proposal on this tab is not offered. */
  g_signal_emit_by_name (session, "decoder-suggested", "msgpack");
  g_assert_false (sonde_decode_banner_get_shown (banner));

  /* The address options: a wrong chain is not applied, a right one is. */
  editor = sonde_adhoc_options_get_decode_editor (sonde_window_get_adhoc_options (fixture->window.window));
  g_assert_false (sonde_decode_editor_select_chain (editor, "msgpack,gzip"));
  g_assert_nonnull (sonde_decode_editor_get_error (editor));
  g_assert_null (sonde_session_get_decoder_spec (session));
  g_assert_true (sonde_decode_editor_select_chain (editor, "msgpack"));
  g_assert_cmpstr (sonde_session_get_decoder_spec (session), ==, "msgpack");
  g_assert_nonnull (strstr (sonde_connection_page_get_decoder_text (page), words));
  if (g_getenv ("SONDE_SCREENSHOT_DIR") != NULL)
    {
      GtkMenuButton *button = sonde_window_get_options_button (fixture->window.window);
      GtkPopover *popover = gtk_menu_button_get_popover (button);

      gtk_menu_button_popup (button);
      SONDE_TEST_ASSERT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (popover)), WAIT_MS);
      sonde_test_save_screenshot (GTK_WIDGET (popover), "decode-adhoc.png");
      gtk_menu_button_popdown (button);
    }

  /* None again. */
  g_assert_true (sonde_decode_editor_select_chain (editor, NULL));
  g_assert_null (sonde_session_get_decoder_spec (session));
  g_assert_null (sonde_connection_page_get_decoder_text (page));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);
  if (g_getenv ("SONDE_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SONDE_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_add ("/decode-ui/profile", Fixture, NULL, fixture_setup, test_decode_profile, fixture_teardown);
  g_test_add ("/decode-ui/adhoc", Fixture, NULL, fixture_setup, test_decode_adhoc, fixture_teardown);

  return sonde_test_gui_run ();
}
