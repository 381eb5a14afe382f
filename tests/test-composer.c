/* test-composer.c: SondeComposer in a real GTK window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The composer of a real SondeConnection, driven through its mode toggles,
 * its editor's buffer, its send button and its insert-template action; the
 * tests assert on the problem it reports, the error label, the underline,
 * the send button, and on what the connection's log records when it sends
 * to an echo server (tests/servers/ws_peer.py, in a child process).
 */

#include "config.h"

#include <gtksourceview/gtksource.h>
#include <string.h>

#include "sonde-action-form.h"
#include "sonde-close-dialog.h"
#include "sonde-composer.h"
#include "sonde-error.h"
#include "sonde-ping-dialog.h"
#include "sonde-test-gui.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS SONDE_TEST_GUI_WAIT_MS

typedef struct {
  SondeConnection *connection;
  SondeComposer   *composer;
  GtkWindow       *window;
  SondeTestPeer   *peer;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->connection = sonde_connection_new ();
  fixture->composer = SONDE_COMPOSER (sonde_composer_new (fixture->connection));
  fixture->window = sonde_test_present (GTK_WIDGET (fixture->composer), 700, 300);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN)
    sonde_connection_close (fixture->connection, 1000, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_object_add_weak_pointer (G_OBJECT (fixture->composer), (gpointer *) &fixture->composer);
  sonde_test_destroy_window (g_steal_pointer (&fixture->window));
  g_assert_null (fixture->composer);
  sonde_test_wait_finalized (g_steal_pointer (&fixture->connection));

  if (fixture->peer != NULL)
    {
      gboolean stopped = sonde_test_peer_stop (fixture->peer, &error);

      g_clear_pointer (&fixture->peer, sonde_test_peer_free);
      g_assert_no_error (error);
      g_assert_true (stopped);
    }
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->composer), SONDE_TYPE_COMPOSER, name);

  g_assert_nonnull (object);
  return object;
}

static GtkTextBuffer *
buffer (Fixture *fixture)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (fixture, "editor")));
}

static gboolean
can_send (Fixture *fixture)
{
  gboolean value;

  g_object_get (fixture->composer, "can-send", &value, NULL);
  return value;
}

/* The offsets in the buffer that carry the error underline. */
static GString *
underlined (Fixture *fixture)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer (fixture)), "sonde-error");
  GString *offsets = g_string_new (NULL);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  for (gtk_text_buffer_get_start_iter (buffer (fixture), &iter);
       !gtk_text_iter_is_end (&iter);
       gtk_text_iter_forward_char (&iter))
    {
      if (gtk_text_iter_has_tag (&iter, tag))
        g_string_append_printf (offsets, "%s%d", offsets->len ? "," : "", gtk_text_iter_get_offset (&iter));
    }
  return offsets;
}

static void
assert_underlined (Fixture    *fixture,
                   const char *expected)
{
  g_autoptr(GString) offsets = underlined (fixture);

  g_assert_cmpstr (offsets->str, ==, expected);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *n)
{
  (*n)++;
}

/* What does not check out is said under the editor, underlined where it
 * is wrong, and cannot be sent; each mode checks its own format. */
static void
test_modes_and_validation (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkWidget *error_label = child (fixture, "error_label");
  GtkWidget *scrolled = child (fixture, "scrolled");
  GtkWidget *send_button = child (fixture, "send_button");
  GtkSourceBuffer *source_buffer = GTK_SOURCE_BUFFER (buffer (fixture));
  g_autoptr(GError) error = NULL;
  guint n_problem_notifies = 0;

  g_signal_connect (fixture->composer, "notify::problem", G_CALLBACK (on_notify), &n_problem_notifies);

  /* Text, the default: anything goes, but nothing is sent unconnected. */
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_TEXT);
  g_assert_true (gtk_toggle_button_get_active (child (fixture, "text_mode")));
  sonde_composer_set_text (fixture->composer, "{ not json");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_assert_false (can_send (fixture));
  g_assert_false (gtk_widget_get_sensitive (send_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (send_button), ==, "Not connected: connect to send messages");
  g_assert_false (sonde_composer_send (fixture->composer, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN);
  g_clear_error (&error);

  /* JSON, as a click on its toggle: the same text is now wrong. */
  gtk_toggle_button_set_active (child (fixture, "json_mode"), TRUE);
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_JSON);
  g_assert_false (gtk_toggle_button_get_active (child (fixture, "text_mode")));
  g_assert_nonnull (gtk_source_buffer_get_language (source_buffer));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (source_buffer)), ==, "json");
  g_assert_nonnull (sonde_composer_get_problem (fixture->composer));
  g_assert_cmpuint (n_problem_notifies, ==, 1);
  g_assert_true (g_str_has_prefix (sonde_composer_get_problem (fixture->composer), "Line 1, column 3:"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, sonde_composer_get_problem (fixture->composer));
  g_assert_true (gtk_widget_has_css_class (scrolled, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (send_button), ==, "Not connected: connect to send messages");
  assert_underlined (fixture, "2");

  /* A missing colon on the second line: underlined there. */
  sonde_composer_set_text (fixture->composer, "{\"a\": 1,\n \"b\" 2}");
  g_assert_true (g_str_has_prefix (sonde_composer_get_problem (fixture->composer), "Line 2, column 6:"));
  assert_underlined (fixture, "14");

  /* Fixed: no problem, no label, no underline. */
  sonde_composer_set_text (fixture->composer, "{\"a\": 1}");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (scrolled, "error"));
  assert_underlined (fixture, "");

  /* Empty JSON is not a message. */
  sonde_composer_set_text (fixture->composer, "");
  g_assert_cmpstr (sonde_composer_get_problem (fixture->composer), ==, "Type a JSON value to send");

  /* Placeholders: known ones pass, an unknown one is named. */
  sonde_composer_set_text (fixture->composer, "{\"n\": {{seq}}}");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  sonde_composer_set_text (fixture->composer, "{\"n\": {{sequence}}}");
  g_assert_nonnull (strstr (sonde_composer_get_problem (fixture->composer), "{{sequence}}"));

  /* Binary reads hex bytes; the JSON language goes. */
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_BINARY);
  g_assert_true (gtk_toggle_button_get_active (child (fixture, "binary_mode")));
  g_assert_null (gtk_source_buffer_get_language (source_buffer));
  sonde_composer_set_text (fixture->composer, "48 69 7");
  g_assert_nonnull (sonde_composer_get_problem (fixture->composer));
  g_assert_true (gtk_widget_get_visible (error_label));
  sonde_composer_set_text (fixture->composer, "48 69 21");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Back to text: the JSON problem does not follow. */
  sonde_composer_set_text (fixture->composer, "{");
  g_assert_nonnull (sonde_composer_get_problem (fixture->composer));
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_TEXT);
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_assert_false (gtk_widget_has_css_class (scrolled, "error"));
}

static GPtrArray *
make_templates (void)
{
  GPtrArray *templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);

  g_ptr_array_add (templates, sonde_profile_message_new ("Subscribe", SONDE_MESSAGE_FORMAT_JSON,
                                                         "{\"op\": \"subscribe\", \"n\": {{seq}}}"));
  g_ptr_array_add (templates, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_BINARY, "de ad"));
  g_ptr_array_add (templates, sonde_profile_message_new ("Hello", SONDE_MESSAGE_FORMAT_TEXT, "hello"));
  return templates;
}

static char *
menu_label (GMenuModel *menu,
            int         index)
{
  char *label = NULL;

  g_assert_true (g_menu_model_get_item_attribute (menu, index, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  return label;
}

/* The profile's templates are offered in the menu, each with its format;
 * its action puts the body in the editor, in that format, placeholders
 * untouched. */
static void
test_templates (Fixture       *fixture,
                gconstpointer  data)
{
  GtkMenuButton *templates_button = child (fixture, "templates_button");
  g_autoptr(GPtrArray) templates = make_templates ();
  g_autofree char *label0 = NULL;
  g_autofree char *label1 = NULL;
  g_autofree char *text = NULL;
  GMenuModel *menu;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (templates_button)));

  sonde_composer_set_templates (fixture->composer, templates);
  g_ptr_array_set_size (templates, 0);   /* the composer keeps copies */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (templates_button)));
  menu = gtk_menu_button_get_menu_model (templates_button);
  g_assert_nonnull (menu);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 3);
  label0 = menu_label (menu, 0);
  label1 = menu_label (menu, 1);
  g_assert_cmpstr (label0, ==, "Subscribe (json)");
  g_assert_cmpstr (label1, ==, "Unnamed (binary)");

  sonde_composer_set_text (fixture->composer, "draft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.insert-template", "u", 1));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_BINARY);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "de ad");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_clear_pointer (&text, g_free);

  g_assert_true (sonde_composer_insert_template (fixture->composer, 0));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_JSON);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "{\"op\": \"subscribe\", \"n\": {{seq}}}");
  g_assert_null (sonde_composer_get_problem (fixture->composer));
  g_clear_pointer (&text, g_free);

  /* No such template: nothing changes. */
  g_assert_false (sonde_composer_insert_template (fixture->composer, 3));
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "{\"op\": \"subscribe\", \"n\": {{seq}}}");

  /* A profile without templates: no menu. */
  sonde_composer_set_templates (fixture->composer, NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (templates_button)));
  g_assert_false (sonde_composer_insert_template (fixture->composer, 0));
}

/* The newest record of @direction and @kind in the connection's log, as a
 * string (binary as hex), or NULL. */
static char *
dup_last (Fixture          *fixture,
          SondeDirection    direction,
          SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i - 1, &record));
      if (record.direction != direction || record.kind != kind)
        continue;
      if (kind == SONDE_MESSAGE_KIND_BINARY)
        {
          GString *hex = g_string_new (NULL);

          for (gsize j = 0; j < record.stored_size; j++)
            g_string_append_printf (hex, "%s%02x", j ? " " : "", ((const guint8 *) record.data)[j]);
          return g_string_free (hex, FALSE);
        }
      return g_strndup ((const char *) record.data, record.stored_size);
    }
  return NULL;
}

static gboolean
last_is (Fixture          *fixture,
         SondeDirection    direction,
         SondeMessageKind  kind,
         const char       *expected)
{
  g_autofree char *last = dup_last (fixture, direction, kind);

  return g_strcmp0 (last, expected) == 0;
}

static gboolean
last_matches (Fixture          *fixture,
              SondeDirection    direction,
              SondeMessageKind  kind,
              GRegex           *regex)
{
  g_autofree char *last = dup_last (fixture, direction, kind);

  return last != NULL && g_regex_match (regex, last, 0, NULL);
}

static guint
n_out (Fixture *fixture)
{
  return sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT) +
         sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY);
}

/* Sent with the button through a real connection to an echo server: the
 * log records what went out and what came back, placeholders filled in;
 * what does not check out is not sent; the history recalls what was. */
static void
test_send_to_echo (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *send_button = child (fixture, "send_button");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) seq_json = NULL;
  g_autofree char *url = NULL;
  g_autofree char *echoed = NULL;
  g_autofree char *text = NULL;
  guint n_can_send_notifies = 0;
  guint sent;

  fixture->peer = sonde_test_peer_start (SONDE_TEST_PEER_PYTHON, &error);
  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (fixture->peer, "/echo");

  g_signal_connect (fixture->composer, "notify::can-send", G_CALLBACK (on_notify), &n_can_send_notifies);
  sonde_composer_set_text (fixture->composer, "hello from the composer");
  g_assert_false (can_send (fixture));

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_assert_true (can_send (fixture));
  g_assert_cmpuint (n_can_send_notifies, >, 0);
  g_assert_true (gtk_widget_get_sensitive (send_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (send_button), ==, "Send the message (Ctrl+Enter)");

  /* Text, with the button. */
  g_signal_emit_by_name (send_button, "clicked");
  SONDE_TEST_ASSERT_WAIT (last_is (fixture, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "hello from the composer"),
                          WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (last_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "hello from the composer"),
                          WAIT_MS);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "hello from the composer");   /* stays, to send again */
  g_clear_pointer (&text, g_free);

  /* JSON with a placeholder: filled in when it goes. */
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_JSON);
  sonde_composer_set_text (fixture->composer, "{\"n\": {{seq}}}");
  g_assert_true (sonde_composer_send (fixture->composer, &error));
  g_assert_no_error (error);
  seq_json = g_regex_new ("^\\{\"n\": [0-9]+\\}$", 0, 0, &error);
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (last_matches (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, seq_json), WAIT_MS);
  echoed = dup_last (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT);
  g_assert_true (last_is (fixture, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, echoed));

  /* Binary: the bytes, not the hex. */
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_BINARY);
  sonde_composer_set_text (fixture->composer, "DE AD be ef");
  g_signal_emit_by_name (send_button, "clicked");
  SONDE_TEST_ASSERT_WAIT (last_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, "de ad be ef"), WAIT_MS);
  g_assert_null (sonde_composer_get_problem (fixture->composer));

  /* What does not check out stays in the editor, unsent. */
  sent = n_out (fixture);
  sonde_composer_set_text (fixture->composer, "DE A");
  g_assert_false (can_send (fixture));
  g_assert_false (gtk_widget_get_sensitive (send_button));
  g_assert_false (sonde_composer_send (fixture->composer, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_cmpuint (n_out (fixture), ==, sent);

  /* The history: newest first, each in its mode; then the draft again. */
  g_assert_true (sonde_composer_history_previous (fixture->composer));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_BINARY);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "DE AD be ef");
  g_clear_pointer (&text, g_free);
  g_assert_true (sonde_composer_history_previous (fixture->composer));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_JSON);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "{\"n\": {{seq}}}");   /* as typed, not as sent */
  g_clear_pointer (&text, g_free);
  g_assert_true (sonde_composer_history_previous (fixture->composer));
  g_assert_false (sonde_composer_history_previous (fixture->composer));
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "hello from the composer");
  g_clear_pointer (&text, g_free);
  g_assert_true (sonde_composer_history_next (fixture->composer));
  g_assert_true (sonde_composer_history_next (fixture->composer));
  g_assert_true (sonde_composer_history_next (fixture->composer));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_BINARY);
  text = sonde_composer_dup_text (fixture->composer);
  g_assert_cmpstr (text, ==, "DE A");
  g_assert_false (sonde_composer_history_next (fixture->composer));

  /* Empty, in any mode: Send is off and nothing goes, not even an empty
   * message. */
  sent = n_out (fixture);
  for (SondeComposerMode mode = SONDE_COMPOSER_MODE_TEXT; mode <= SONDE_COMPOSER_MODE_BINARY; mode++)
    {
      sonde_composer_set_mode (fixture->composer, mode);
      sonde_composer_set_text (fixture->composer, "");
      g_assert_false (can_send (fixture));
      g_assert_false (gtk_widget_get_sensitive (send_button));
      g_assert_false (sonde_composer_send (fixture->composer, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
      g_clear_error (&error);
      gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.send", NULL);
    }
  /* Typing turns it on again. */
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_TEXT);
  gtk_text_buffer_insert_at_cursor (buffer (fixture), "x", -1);
  g_assert_true (can_send (fixture));
  g_assert_true (gtk_widget_get_sensitive (send_button));
  gtk_text_buffer_set_text (buffer (fixture), "", -1);
  g_assert_false (can_send (fixture));
  /* Whatever went out, it went before: wait for the echo of a marker. */
  sonde_composer_set_text (fixture->composer, "after the empty ones");
  g_assert_true (sonde_composer_send (fixture->composer, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (last_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "after the empty ones"),
                          WAIT_MS);
  g_assert_cmpuint (n_out (fixture), ==, sent + 1);

  /* Closed: nothing can be sent. */
  sonde_composer_set_text (fixture->composer, "00");
  g_assert_true (can_send (fixture));
  sonde_connection_close (fixture->connection, 1000, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  g_assert_false (can_send (fixture));
  g_assert_false (gtk_widget_get_sensitive (send_button));
}

/* Tab goes through the composer in reading order: the mode, the text,
 * then the templates and Send (GTK sorts Tab stops by where they sit, so
 * a short Send button at the top came before a taller editor). */
static void
test_tab_order (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *editor = child (fixture, "editor");
  GtkWidget *templates_button = child (fixture, "templates_button");
  g_autoptr(GPtrArray) templates = make_templates ();
  GtkWidget *focus;

  /* Send is off while not connected; the templates button beside it
   * stands for both (they sit in one column). */
  sonde_composer_set_templates (fixture->composer, templates);
  /* Several lines, as a JSON message often has. */
  sonde_composer_set_text (fixture->composer, "{\n  \"a\": 1,\n  \"b\": 2\n}");
  SONDE_TEST_ASSERT_WAIT (gtk_widget_get_height (editor) > gtk_widget_get_height (templates_button), WAIT_MS);

  gtk_widget_grab_focus (child (fixture, "text_mode"));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture->window), GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  while (focus != NULL && GTK_IS_TOGGLE_BUTTON (focus))   /* the other modes, if they take focus */
    {
      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture->window), GTK_DIR_TAB_FORWARD));
      focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
    }
  g_assert_true (focus == editor);

  /* The editor does not take Tab: the next stop is the buttons after it. */
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture->window), GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_true (focus != NULL && gtk_widget_is_ancestor (focus, templates_button));
}

/* The shown toplevel of @type, or NULL. */
static gpointer
find_dialog (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;   /* GTK's list holds it */
    }
  return NULL;
}

/* Clicks the dialog's response button labelled @label, as a user would
 * (the dialog answers and goes away). */
static void
click_response (gpointer    dialog,
                const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  sonde_test_collect_widgets (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, NULL, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (button), label) == 0)
        {
          g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
          g_signal_emit_by_name (button, "clicked");
          return;
        }
    }
  g_error ("no response button “%s”", label);
}

/* The newest record of @direction and @kind carries @flags (among
 * SONDE_RECORD_FLAG_AUTOMATIC and _UNMATCHED) and @payload. */
static gboolean
last_control_is (Fixture          *fixture,
                 SondeDirection    direction,
                 SondeMessageKind  kind,
                 SondeRecordFlags  flags,
                 const char       *payload)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i - 1, &record));
      if (record.direction == direction && record.kind == kind)
        return (record.flags & (SONDE_RECORD_FLAG_AUTOMATIC | SONDE_RECORD_FLAG_UNMATCHED)) == flags &&
               record.stored_size == strlen (payload) && memcmp (record.data, payload, record.stored_size) == 0;
    }
  return FALSE;
}

/* The peer's "closed" line: the close code it was sent. */
static gint64
ping_peer_close_code (Fixture *fixture)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = sonde_test_peer_read_line (fixture->peer, WAIT_MS, &error);

      g_assert_no_error (error);
      if (strstr (line, "\"event\":\"closed\"") != NULL)
        {
          const char *code = strstr (line, "\"code\":");

          g_assert_nonnull (code);
          return g_ascii_strtoll (code + strlen ("\"code\":"), NULL, 10);
        }
    }
}

/* "Send Ping…" and "Close With Code…" are in the composer's menu, only
 * while the connection is open. The ping dialog counts the payload's
 * bytes and turns Send off past 125, saying why; what it sends is a ping
 * that a real peer (tests/servers/ping_peer.py) answers. The close dialog
 * starts at 1000, refuses what an endpoint may not send, saying why, and
 * closes with the code and reason given. */
static void
test_control_dialogs (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *args[] = { "--lifetime", "60", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *too_long = g_strnfill (126, 'x');
  g_autofree char *reason_too_long = g_strnfill (124, 'r');
  SondePingDialog *ping;
  SondeCloseDialog *close;

  /* Not open: no dialogs. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.send-ping", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.close-with-code", NULL);
  g_assert_null (find_dialog (SONDE_TYPE_PING_DIALOG));
  g_assert_null (find_dialog (SONDE_TYPE_CLOSE_DIALOG));

  fixture->peer = sonde_test_peer_start_script ("ping_peer.py", args, &error);
  g_assert_no_error (error);
  url = sonde_test_peer_dup_url (fixture->peer, "/");
  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (last_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "done"), WAIT_MS);
  g_assert_true (last_control_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG,
                                  SONDE_RECORD_FLAG_UNMATCHED, "nobody-asked"));

  /* Send Ping… */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.send-ping", NULL));
  ping = find_dialog (SONDE_TYPE_PING_DIALOG);
  g_assert_nonnull (ping);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (ping), "send"));
  g_assert_cmpstr (sonde_ping_dialog_get_status (ping), ==, "0 of 125 bytes");
  gtk_editable_set_text (sonde_ping_dialog_get_entry (ping), too_long);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (ping), "send"));
  g_assert_cmpstr (sonde_ping_dialog_get_status (ping), ==, "126 bytes: too long, a ping carries at most 125 bytes");
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (ping), "composer-ping-too-long.png");
  gtk_editable_set_text (sonde_ping_dialog_get_entry (ping), "ui13 ping ✓");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (ping), "send"));
  g_assert_cmpstr (sonde_ping_dialog_get_status (ping), ==, "13 of 125 bytes");
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (ping), "composer-ping.png");
  click_response (ping, "_Send");
  SONDE_TEST_ASSERT_WAIT (last_control_is (fixture, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG,
                                           0, "ui13 ping ✓"), WAIT_MS);
  g_assert_true (last_control_is (fixture, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PING, 0, "ui13 ping ✓"));
  SONDE_TEST_ASSERT_WAIT (find_dialog (SONDE_TYPE_PING_DIALOG) == NULL, WAIT_MS);

  /* Close With Code… */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.close-with-code", NULL));
  close = find_dialog (SONDE_TYPE_CLOSE_DIALOG);
  g_assert_nonnull (close);
  g_assert_cmpstr (gtk_editable_get_text (sonde_close_dialog_get_code (close)), ==, "1000");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (close), "close"));
  g_assert_cmpstr (sonde_close_dialog_get_status (close), ==, "1000: Normal closure · reason 0 of 123 bytes");
  gtk_editable_set_text (sonde_close_dialog_get_code (close), "1006");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (close), "close"));
  g_assert_true (g_str_has_prefix (sonde_close_dialog_get_status (close), "Close code 1006 cannot be sent"));
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (close), "composer-close-invalid.png");
  gtk_editable_set_text (sonde_close_dialog_get_code (close), "abc");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (close), "close"));
  g_assert_true (g_str_has_prefix (sonde_close_dialog_get_status (close), "Type a close code"));
  gtk_editable_set_text (sonde_close_dialog_get_code (close), "4001");
  gtk_editable_set_text (sonde_close_dialog_get_reason (close), reason_too_long);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (close), "close"));
  g_assert_true (g_str_has_prefix (sonde_close_dialog_get_status (close), "The close reason is 124 bytes long"));
  gtk_editable_set_text (sonde_close_dialog_get_reason (close), "bye from the dialog");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (close), "close"));
  sonde_test_spin (200);
  sonde_test_save_screenshot (GTK_WIDGET (close), "composer-close.png");
  click_response (close, "C_lose");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  g_assert_cmpint (ping_peer_close_code (fixture), ==, 4001);
  SONDE_TEST_ASSERT_WAIT (find_dialog (SONDE_TYPE_CLOSE_DIALOG) == NULL, WAIT_MS);

  /* Closed: no dialogs again. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->composer), "composer.send-ping", NULL);
  g_assert_null (find_dialog (SONDE_TYPE_PING_DIALOG));
}

/* While the session speaks a protocol, Action joins the modes with the
 * mode's actions beside it; it goes when the session stops speaking one. */
static void
test_protocol_actions (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  GtkWidget *action_mode = child (fixture, "action_mode");
  GtkWidget *action_drop = child (fixture, "action_drop");
  GListModel *titles;

  g_assert_false (gtk_widget_get_visible (action_mode));
  sonde_composer_set_session (fixture->composer, session);
  g_assert_false (gtk_widget_get_visible (action_mode));

  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_JSON_RPC, NULL);
  g_assert_true (gtk_widget_get_visible (action_mode));
  g_assert_false (gtk_widget_get_visible (action_drop));
  sonde_composer_set_mode (fixture->composer, SONDE_COMPOSER_MODE_ACTION);
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_ACTION);
  g_assert_true (gtk_widget_get_visible (action_drop));
  titles = gtk_drop_down_get_model (GTK_DROP_DOWN (action_drop));
  g_assert_cmpuint (g_list_model_get_n_items (titles), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 0), ==, "Call");

  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_NONE, NULL);
  g_assert_false (gtk_widget_get_visible (action_mode));
  g_assert_false (gtk_widget_get_visible (action_drop));
  g_assert_cmpint (sonde_composer_get_mode (fixture->composer), ==, SONDE_COMPOSER_MODE_TEXT);
  sonde_composer_set_session (fixture->composer, NULL);
}

/* The text of every decoded view of @session's sent messages, one a line. */
static GString *
sent_views (SondeSession *session)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record, view;

      if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_OUT &&
          sonde_record_views_get (sonde_message_log_get_views (log), &record, &view, NULL) ==
            SONDE_RECORD_VIEW_DECODED)
        g_string_append_printf (text, "%.*s\n", (int) view.stored_size, (const char *) view.data);
    }
  return text;
}

static gboolean
sent_has (SondeSession *session,
          const char   *needle)
{
  g_autoptr(GString) text = sent_views (session);

  return strstr (text->str, needle) != NULL;
}

static gpointer
form_child (SondeComposer *composer,
            const char    *name)
{
  GObject *form = gtk_widget_get_template_child (GTK_WIDGET (composer), SONDE_TYPE_COMPOSER, "form");
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (form), SONDE_TYPE_ACTION_FORM, name);

  g_assert_nonnull (object);
  return object;
}

static void
set_view_text (SondeComposer *composer,
               const char    *view,
               const char    *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (form_child (composer, view))), text, -1);
}

static gboolean
composer_can_send (SondeComposer *composer)
{
  gboolean value;

  g_object_get (composer, "can-send", &value, NULL);
  return value;
}

/* The Action mode's form, filled in as a user would: JSON fields checked
 * as typed (the error under the field, Send off), MQTT Publish with QoS 1
 * and retain sent to a real broker (aedes) as one PUBLISH that says so. */
static void
test_protocol_form (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeAppProtocolOptions) options = sonde_app_protocol_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SondeComposer *composer;
  GtkWindow *window;
  GtkWidget *body_error, *variables_error, *target_error;

  options->keepalive_s = 5;
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_JSON_RPC, options);
  composer = SONDE_COMPOSER (sonde_composer_new (sonde_session_get_connection (session)));
  window = sonde_test_present (GTK_WIDGET (composer), 700, 400);
  sonde_composer_set_session (composer, session);
  sonde_composer_set_mode (composer, SONDE_COMPOSER_MODE_ACTION);
  body_error = form_child (composer, "body_error");
  variables_error = form_child (composer, "variables_error");
  target_error = form_child (composer, "target_error");

  /* JSON-RPC Call: the form replaces the editor; params checked as typed. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (composer),
                                                                                    SONDE_TYPE_COMPOSER, "form"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (composer),
                                                                                     SONDE_TYPE_COMPOSER,
                                                                                     "scrolled"))));
  g_assert_cmpstr (sonde_composer_get_problem (composer), ==, "Fill in the Method");
  gtk_editable_set_text (GTK_EDITABLE (form_child (composer, "target_entry")), "eth_subscribe");
  g_assert_null (sonde_composer_get_problem (composer));
  set_view_text (composer, "body_view", "[\"newHeads\",");
  g_assert_true (gtk_widget_get_visible (body_error));
  g_assert_true (g_str_has_prefix (sonde_composer_get_problem (composer), "Params: "));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (body_error)), ==, sonde_composer_get_problem (composer));
  set_view_text (composer, "body_view", "[\"newHeads\"]");
  g_assert_false (gtk_widget_get_visible (body_error));
  g_assert_null (sonde_composer_get_problem (composer));

  /* GraphQL Subscribe: the variables must be an object. */
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_GRAPHQL, options);
  sonde_composer_set_mode (composer, SONDE_COMPOSER_MODE_ACTION);
  set_view_text (composer, "body_view", "subscription { ticks { price } }");
  set_view_text (composer, "variables_view", "[1]");
  g_assert_true (gtk_widget_get_visible (variables_error));
  g_assert_true (g_str_has_prefix (sonde_composer_get_problem (composer), "Variables: "));
  set_view_text (composer, "variables_view", "{\"base\":1}");
  g_assert_null (sonde_composer_get_problem (composer));

  /* MQTT Publish against aedes. */
  sonde_session_set_app_protocol (session, SONDE_APP_PROTOCOL_MQTT, options);
  sonde_composer_set_mode (composer, SONDE_COMPOSER_MODE_ACTION);
  fixture->peer = sonde_test_peer_start_kind_script (SONDE_TEST_PEER_NODE, "mqtt-peer.js", NULL, &error);
  if (fixture->peer == NULL)
    {
      g_test_skip (error->message);
      sonde_test_destroy_window (window);
      return;
    }
  url = sonde_test_peer_dup_url (fixture->peer, "/");
  g_assert_true (sonde_session_connect_url (session, url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sent_has (session, "{\"type\":\"connect\""), WAIT_MS);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (composer),
                                                                            SONDE_TYPE_COMPOSER, "action_drop")), 2);
  g_assert_true (gtk_widget_get_visible (form_child (composer, "retain_box")));
  gtk_editable_set_text (GTK_EDITABLE (form_child (composer, "target_entry")), "forms/#");
  g_assert_true (gtk_widget_get_visible (target_error));
  g_assert_false (composer_can_send (composer));
  gtk_editable_set_text (GTK_EDITABLE (form_child (composer, "target_entry")), "forms/ui");
  g_assert_false (gtk_widget_get_visible (target_error));
  set_view_text (composer, "body_view", "{\"price\":12.5}");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_child (composer, "qos_drop")), 1);
  gtk_switch_set_active (GTK_SWITCH (form_child (composer, "retain_switch")), TRUE);
  g_assert_true (composer_can_send (composer));
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  SONDE_TEST_ASSERT_WAIT (sent_has (session, "{\"type\":\"publish\",\"topic\":\"forms/ui\",\"qos\":1,\"retain\":true,"
                                             "\"id\":1,\"payload\":{\"price\":12.5}}"), WAIT_MS);
  /* The form keeps its fields: Send again goes at once. */
  g_assert_true (composer_can_send (composer));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (form_child (composer, "target_entry"))), ==, "forms/ui");

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (sonde_session_get_connection (session)), WAIT_MS);
  sonde_composer_set_session (composer, NULL);
  sonde_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_gui_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/composer/modes-and-validation", test_modes_and_validation);
  ADD ("/composer/templates", test_templates);
  ADD ("/composer/send-to-echo", test_send_to_echo);
  ADD ("/composer/tab-order", test_tab_order);
  ADD ("/composer/control-dialogs", test_control_dialogs);
  ADD ("/composer/protocol-actions", test_protocol_actions);
  ADD ("/composer/protocol-form", test_protocol_form);
#undef ADD

  return sonde_test_gui_run ();
}
