/* test-decoded-view.c: the log and the detail read the decoded view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real connection page over a session with a decoder chain, in a window
 * under Xvfb: binary MessagePack and gzip payloads appended to its log show
 * their decoded JSON in the log's rows and in the detail's Decoded view,
 * their bytes in its Raw view; a payload that does not decode is marked in
 * its row and says why in the detail; switching the decoder off or on
 * shows the rows on screen again, raw or decoded.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "sonde-connection-page.h"
#include "sonde-log-view.h"
#include "sonde-message-detail.h"
#include "sonde-test-gui.h"
#include "sonde-test-util.h"
#include "sonde-text.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

/* {"sym":"BTC","price":42}, written out from the MessagePack spec: a
 * fixmap of 2, fixstr keys and value, a positive fixint. */
static const guint8 TICK[] = {
  0x82,
  0xa3, 's', 'y', 'm', 0xa3, 'B', 'T', 'C',
  0xa5, 'p', 'r', 'i', 'c', 'e', 0x2a,
};
/* A map of 2 that ends after its first key's first byte. */
static const guint8 CUT[] = { 0x82, 0xa3, 's' };

typedef struct {
  SondeSession       *session;
  SondeConnectionPage *page;
  GtkWindow          *window;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->session = sonde_session_new ();
  fixture->page = SONDE_CONNECTION_PAGE (sonde_connection_page_new_for_session (fixture->session));
  fixture->window = sonde_test_present (GTK_WIDGET (fixture->page), 1280, 700);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->page), (gpointer *) &fixture->page);
  sonde_test_destroy_window (g_steal_pointer (&fixture->window));
  g_assert_null (fixture->page);
  sonde_test_wait_finalized (g_steal_pointer (&fixture->session));
}

static guint64
append (Fixture          *fixture,
        SondeMessageKind  kind,
        const guint8     *data,
        gsize             length)
{
  return sonde_message_log_append (sonde_session_get_log (fixture->session), SONDE_DIRECTION_IN, kind,
                                   g_get_real_time (), g_get_monotonic_time (), data, length);
}

/* The texts of the mapped cells of the row whose Message cell is
 * @preview, " | " between them; NULL when no row shows it. */
/* The decode warning before a row's preview (other marks, such as the
 * feed-integrity one, may sit between them). */
static GtkWidget *
decode_icon_of (GtkWidget *preview)
{
  for (GtkWidget *w = gtk_widget_get_prev_sibling (preview); w != NULL; w = gtk_widget_get_prev_sibling (w))
    if (gtk_widget_has_css_class (w, "sonde-decode-error"))
      return w;
  g_error ("no decode warning before the preview");
  return NULL;
}

static char *
row_text (Fixture    *fixture,
          const char *preview,
          GtkWidget **preview_cell)
{
  GtkWidget *rows = GTK_WIDGET (sonde_connection_page_get_log_view (fixture->page));
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  sonde_test_collect_widgets (rows, GTK_TYPE_INSCRIPTION, "monospace", cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      GString *text;

      if (!gtk_widget_get_mapped (cell) ||
          g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (cell)), preview) != 0)
        continue;
      if (preview_cell != NULL)
        *preview_cell = cell;
      text = g_string_new (NULL);
      sonde_test_collect_widgets (sonde_test_row_of (cell), GTK_TYPE_INSCRIPTION, NULL, all);
      for (guint j = 0; j < all->len; j++)
        g_string_append_printf (text, "%s%s", j > 0 ? " | " : "",
                                gtk_inscription_get_text (g_ptr_array_index (all, j)) ?: "");
      return g_string_free (text, FALSE);
    }
  return NULL;
}

static gboolean
row_shown (Fixture    *fixture,
           const char *preview)
{
  g_autofree char *text = row_text (fixture, preview, NULL);

  return text != NULL;
}

static SondeMessageDetail *
detail_of (Fixture *fixture,
           guint64  seq)
{
  SondeMessageDetail *detail = sonde_connection_page_get_detail (fixture->page);

  g_assert_true (sonde_log_view_select_seq (sonde_connection_page_get_log_view (fixture->page), seq));
  sonde_message_detail_set_message (detail, sonde_log_view_get_selected (sonde_connection_page_get_log_view (fixture->page)));
  g_assert_cmpuint (sonde_message_get_seq (sonde_message_detail_get_message (detail)), ==, seq);
  SONDE_TEST_ASSERT_WAIT (!sonde_message_detail_get_busy (detail), WAIT_MS);
  return detail;
}

static gpointer
detail_child (SondeMessageDetail *detail,
              const char         *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (detail), SONDE_TYPE_MESSAGE_DETAIL, name);

  g_assert_nonnull (object);
  return object;
}

static void
on_text_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_text_read, &text);
  SONDE_TEST_ASSERT_WAIT (text != NULL, WAIT_MS);
  return text;
}

static char *
view_of (Fixture *fixture,
         guint64  seq,
         char   **why)
{
  SondeRecordViews *views = sonde_message_log_get_views (sonde_session_get_log (fixture->session));
  SondeRecord record, view;
  const char *error_message = NULL;

  g_assert_true (sonde_message_log_get_record (sonde_session_get_log (fixture->session), seq, &record));
  switch (sonde_record_views_get (views, &record, &view, &error_message))
    {
    case SONDE_RECORD_VIEW_DECODED:
      return g_strndup ((const char *) view.data, view.stored_size);
    case SONDE_RECORD_VIEW_FAILED:
      *why = g_strdup (error_message);
      return NULL;
    case SONDE_RECORD_VIEW_RAW:
    default:
      return NULL;
    }
}

/* MessagePack: the row's preview is the decoded JSON, marked decoded; a
 * payload that does not decode keeps its raw preview beside a warning;
 * the detail shows Decoded (JSON, the chain named) first and Raw (hex)
 * on request, copies either, charts the decoded fields; without the
 * decoder every row on screen is raw again, and decoded once more when it
 * is back. */
static void
test_msgpack (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *why = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tick_hex = sonde_text_preview (TICK, sizeof TICK, TRUE);
  g_autofree char *cut_hex = sonde_text_preview (CUT, sizeof CUT, TRUE);
  g_autofree char *copied = NULL;
  GtkWidget *preview = NULL;
  GtkWidget *icon;
  SondeMessageDetail *detail;
  gboolean handled = FALSE;
  guint64 tick_seq, cut_seq;

  g_assert_true (sonde_session_set_decoder (fixture->session, "msgpack", NULL, NULL, &error));
  g_assert_no_error (error);
  tick_seq = append (fixture, SONDE_MESSAGE_KIND_BINARY, TICK, sizeof TICK);
  cut_seq = append (fixture, SONDE_MESSAGE_KIND_BINARY, CUT, sizeof CUT);

  json = view_of (fixture, tick_seq, NULL);
  g_assert_nonnull (json);
  g_assert_nonnull (strstr (json, "\"sym\""));
  g_assert_nonnull (strstr (json, "\"BTC\""));
  g_assert_null (view_of (fixture, cut_seq, &why));
  g_assert_nonnull (why);
  g_assert_nonnull (strstr (why, "byte"));

  /* The rows. */
  SONDE_TEST_ASSERT_WAIT (row_shown (fixture, json), WAIT_MS);
  text = row_text (fixture, json, NULL);
  g_assert_nonnull (strstr (text, "binary · decoded"));
  g_assert_false (row_shown (fixture, tick_hex));

  g_clear_pointer (&text, g_free);
  SONDE_TEST_ASSERT_WAIT (row_shown (fixture, cut_hex), WAIT_MS);
  text = row_text (fixture, cut_hex, &preview);
  g_assert_nonnull (strstr (text, "binary · not decoded"));
  icon = decode_icon_of (preview);
  g_assert_true (GTK_IS_IMAGE (icon));
  g_assert_true (gtk_widget_has_css_class (icon, "sonde-decode-error"));
  g_assert_true (gtk_widget_get_visible (icon));
  /* Its tooltip says why (asked for when it shows). */
  {
    g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);

    g_signal_emit_by_name (icon, "query-tooltip", 1, 1, FALSE, tooltip, &handled);
    g_assert_true (handled);
  }
  /* The decoded row's cell has its warning hidden. */
  g_clear_pointer (&text, g_free);
  text = row_text (fixture, json, &preview);
  g_assert_false (gtk_widget_get_visible (decode_icon_of (preview)));

  /* The detail: Decoded first, the chain named, JSON pretty-printed. */
  detail = detail_of (fixture, tick_seq);
  g_assert_true (sonde_message_detail_get_decoded (detail));
  g_assert_cmpstr (sonde_message_detail_get_view (detail), ==, "decoded");
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "json");
  g_assert_true (gtk_widget_get_visible (detail_child (detail, "decode_bar")));
  g_assert_cmpstr (gtk_label_get_label (detail_child (detail, "decode_label")), ==, "Decoded as MessagePack");
  g_assert_false (gtk_widget_get_visible (detail_child (detail, "decode_error_box")));
  g_clear_pointer (&text, g_free);
  text = sonde_message_detail_dup_text (detail);
  g_assert_nonnull (strstr (text, "\"sym\": \"BTC\""));
  /* "Chart a Field" offers the decoded fields. */
  g_assert_true (gtk_widget_get_visible (detail_child (detail, "chart_button")));
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (detail_child (detail, "chart_button"));
    gboolean found = FALSE;

    for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
      {
        g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

        for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
          {
            g_autofree char *label = NULL;

            g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
            found |= g_strcmp0 (label, "$.price") == 0;
          }
      }
    g_assert_true (found);
  }
  /* Copy: the decoded view, or the bytes as hex pairs. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.copy-decoded", NULL);
  copied = clipboard_text (GTK_WIDGET (detail));
  g_assert_cmpstr (copied, ==, json);
  g_clear_pointer (&copied, g_free);
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.copy-raw", NULL);
  copied = clipboard_text (GTK_WIDGET (detail));
  g_assert_true (g_str_has_prefix (copied, "82 a3 73 79 6d"));

  /* Raw: the bytes. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.view", "s", "raw");
  g_assert_cmpstr (sonde_message_detail_get_view (detail), ==, "raw");
  SONDE_TEST_ASSERT_WAIT (!sonde_message_detail_get_busy (detail), WAIT_MS);
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "hex");
  g_clear_pointer (&text, g_free);
  text = sonde_message_detail_dup_text (detail);
  g_assert_nonnull (strstr (text, "82 a3 73 79 6d"));
  g_assert_true (gtk_toggle_button_get_active (detail_child (detail, "raw_toggle")));
  g_assert_false (gtk_toggle_button_get_active (detail_child (detail, "decoded_toggle")));
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.view", "s", "decoded");
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "json");
  g_assert_true (gtk_toggle_button_get_active (detail_child (detail, "decoded_toggle")));

  /* A payload that does not decode: why, prominently, and its bytes. */
  detail = detail_of (fixture, cut_seq);
  g_assert_false (sonde_message_detail_get_decoded (detail));
  g_assert_nonnull (sonde_message_detail_get_decode_error (detail));
  g_assert_cmpstr (sonde_message_detail_get_decode_error (detail), ==, why);
  g_assert_true (gtk_widget_get_visible (detail_child (detail, "decode_error_box")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (detail_child (detail, "decode_error_label")),
                                   "Could not decode as MessagePack: "));
  g_assert_cmpstr (gtk_label_get_label (detail_child (detail, "decode_error_label")) + 1, ==, why + 1);
  g_assert_false (gtk_widget_get_visible (detail_child (detail, "decode_bar")));
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "hex");
  g_assert_false (gtk_widget_get_visible (detail_child (detail, "chart_button")));
  sonde_test_save_screenshot (GTK_WIDGET (fixture->page), "decoded-view-error");

  detail = detail_of (fixture, tick_seq);
  sonde_test_save_screenshot (GTK_WIDGET (fixture->page), "decoded-view");

  /* The decoder off: the rows on screen are raw again, so is the detail. */
  g_assert_true (sonde_session_set_decoder (fixture->session, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (row_shown (fixture, tick_hex), WAIT_MS);
  g_assert_false (row_shown (fixture, json));
  g_clear_pointer (&text, g_free);
  text = row_text (fixture, tick_hex, NULL);
  g_assert_null (strstr (text, "decoded"));
  g_clear_pointer (&text, g_free);
  text = row_text (fixture, cut_hex, &preview);
  g_assert_false (gtk_widget_get_visible (decode_icon_of (preview)));
  g_assert_false (sonde_message_detail_get_decoded (detail));
  g_assert_null (sonde_message_detail_get_decode_error (detail));
  g_assert_false (gtk_widget_get_visible (detail_child (detail, "decode_error_box")));
  g_assert_false (gtk_widget_get_visible (detail_child (detail, "decode_bar")));
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "hex");

  /* And on again. */
  g_assert_true (sonde_session_set_decoder (fixture->session, "msgpack", NULL, NULL, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (row_shown (fixture, json), WAIT_MS);
  g_assert_true (sonde_message_detail_get_decoded (detail));
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "json");
}

/* gzip-compressed JSON text: decoded in the row and the detail, named. */
static void
test_gzip (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) packed = sonde_test_gzip ("{\"px\":1.5,\"side\":\"buy\"}");
  g_autofree char *text = NULL;
  SondeMessageDetail *detail;
  guint64 seq;

  g_assert_true (sonde_session_set_decoder (fixture->session, "gzip", NULL, NULL, &error));
  g_assert_no_error (error);
  seq = append (fixture, SONDE_MESSAGE_KIND_BINARY, g_bytes_get_data (packed, NULL), g_bytes_get_size (packed));

  SONDE_TEST_ASSERT_WAIT (row_shown (fixture, "{\"px\":1.5,\"side\":\"buy\"}"), WAIT_MS);
  text = row_text (fixture, "{\"px\":1.5,\"side\":\"buy\"}", NULL);
  g_assert_nonnull (strstr (text, "binary · decoded"));

  detail = detail_of (fixture, seq);
  g_assert_cmpstr (sonde_message_detail_get_format (detail), ==, "json");
  g_assert_cmpstr (gtk_label_get_label (detail_child (detail, "decode_label")), ==, "Decoded as gzip-compressed JSON");
  g_clear_pointer (&text, g_free);
  text = sonde_message_detail_dup_text (detail);
  g_assert_nonnull (strstr (text, "\"side\": \"buy\""));
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.view", "s", "raw");
  g_clear_pointer (&text, g_free);
  text = sonde_message_detail_dup_text (detail);
  g_assert_nonnull (strstr (text, "1f 8b"));
  /* The choice holds from message to message. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.view", "s", "decoded");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  sonde_test_gui_init (&argc, &argv);
  /* The application's style sheet, as AdwApplication loads it. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/sondeapp/Sonde/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/decoded-view/msgpack", test_msgpack);
  ADD ("/decoded-view/gzip", test_gzip);
#undef ADD

  return sonde_test_gui_run ();
}
