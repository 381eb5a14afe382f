/* sonde-profile-editor-page.c: the profile editor's page of rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The groups and rows of the editor's page, each field registered by its
 * name for the draft and the problems to find: entries, spin buttons,
 * switches, text areas, combo rows, the protocol mode's and the decoder's
 * editors, and the lists of messages (on open, templates) with their Add
 * and Remove buttons. Every row reports a change to the window.
 */

#define G_LOG_DOMAIN "sonde-profile-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-decode-editor.h"
#include "sonde-gui-util.h"
#include "sonde-notifier.h"
#include "sonde-profile-editor-private.h"

static const char *format_names[] = { N_("Text"), N_("JSON"), N_("Binary (hex)"), NULL };
static const char *auth_names[] = { N_("None"), N_("Bearer token"), N_("Basic (user and password)"),
                                    N_("API key in a header"), N_("API key in the query"), NULL };
static const char *tls_names[] = { N_("Verify with the system’s certificates"),
                                   N_("Accept only the pinned certificate"), NULL };

static GtkStringList *
translated_list (const char * const *names)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    gtk_string_list_append (list, _(names[i]));
  return list;
}

void
sonde_profile_editor_message_row_free (gpointer data)
{
  g_free (data);
}

char *
sonde_profile_editor_text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static GtkWidget *
add_entry (SondeProfileEditor  *self,
           AdwPreferencesGroup *group,
           const char          *sonde_profile_editor_field,
           const char          *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) sonde_profile_editor_field, row);
  return row;
}

static GtkWidget *
add_spin (SondeProfileEditor  *self,
          AdwPreferencesGroup *group,
          const char          *sonde_profile_editor_field,
          const char          *title,
          const char          *subtitle,
          double               min,
          double               max)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) sonde_profile_editor_field, spin);
  return spin;
}

static GtkWidget *
add_switch (SondeProfileEditor  *self,
            AdwPreferencesGroup *group,
            const char          *sonde_profile_editor_field,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) sonde_profile_editor_field, toggle);
  return toggle;
}

static GtkTextView *
new_text_area (SondeProfileEditor *self,
               const char         *accessible_name,
               gboolean            monospace)
{
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), monospace);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_widget_set_size_request (view, -1, 64);
  gtk_widget_add_css_class (view, "card");
  /* NULL when a visible title names it (labelled()): a label of its own
   * too would make screen readers say the name twice. */
  if (accessible_name != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name, -1);
  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                            G_CALLBACK (sonde_profile_editor_on_changed), self);
  return GTK_TEXT_VIEW (view);
}

/* A text area as a field of its own: a visible title above it (the
 * label that names it) and, when given, a hint below that says what goes
 * in. Returns the box to add to a group. */
static GtkWidget *
labelled (GtkTextView *view,
          const char  *title,
          const char  *hint)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (view));
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view));
  if (hint != NULL)
    {
      GtkWidget *caption = gtk_label_new (hint);

      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (box), caption);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint, -1);
    }
  gtk_widget_set_margin_bottom (box, 12);
  return box;
}

static void
remove_message_row (GtkButton          *button,
                    SondeProfileEditor *self)
{
  MessageRow *row = g_object_get_data (G_OBJECT (button), "row");
  GPtrArray *rows = g_object_get_data (G_OBJECT (button), "rows");
  GtkBox *box = GTK_BOX (gtk_widget_get_parent (row->box));

  gtk_box_remove (box, row->box);
  g_ptr_array_remove (rows, row);
  sonde_profile_editor_on_changed (self);
}

MessageRow *
sonde_profile_editor_add_message_row (SondeProfileEditor        *self,
                                      GtkBox                    *container,
                                      GPtrArray                 *rows,
                                      gboolean                   with_name,
                                      const SondeProfileMessage *message)
{
  MessageRow *row = g_new0 (MessageRow, 1);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autoptr(GtkStringList) formats = translated_list (format_names);
  guint index = rows->len + 1;
  g_autofree char *body_name = with_name ? g_strdup_printf (_("Template %u"), index)
                                         : g_strdup_printf (_("On-open message %u"), index);

  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_bottom (row->box, 12);

  if (with_name)
    {
      row->name = GTK_EDITABLE (gtk_entry_new ());
      gtk_entry_set_placeholder_text (GTK_ENTRY (row->name), _("Template name"));
      gtk_widget_set_hexpand (GTK_WIDGET (row->name), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->name), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Template name"), -1);
      g_signal_connect_swapped (row->name, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
      gtk_box_append (GTK_BOX (header), GTK_WIDGET (row->name));
    }
  else
    {
      GtkWidget *label = gtk_label_new (body_name);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (header), label);
    }

  row->format = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (formats)), NULL));
  sonde_gui_name_drop_down (row->format, _("Format"));
  g_signal_connect_swapped (row->format, "notify::selected", G_CALLBACK (sonde_profile_editor_on_changed), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (row->format));

  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove"), -1);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "row", row);
  g_object_set_data (G_OBJECT (remove), "rows", rows);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_message_row), self);
  gtk_box_append (GTK_BOX (header), remove);

  row->body = new_text_area (self, body_name, TRUE);
  gtk_box_append (GTK_BOX (row->box), header);
  gtk_box_append (GTK_BOX (row->box), GTK_WIDGET (row->body));

  if (message != NULL)
    {
      if (row->name != NULL)
        gtk_editable_set_text (row->name, message->name ? message->name : "");
      gtk_drop_down_set_selected (row->format, message->format);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (row->body), message->body ? message->body : "", -1);
    }

  g_ptr_array_add (rows, row);
  gtk_box_append (container, row->box);
  return row;
}

static void
on_add_on_open (SondeProfileEditor *self)
{
  MessageRow *row = sonde_profile_editor_add_message_row (self, self->on_open_box, self->on_open_rows, FALSE, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (row->body));
  sonde_profile_editor_on_changed (self);
}

static void
on_add_template (SondeProfileEditor *self)
{
  MessageRow *row = sonde_profile_editor_add_message_row (self, self->templates_box, self->template_rows, TRUE, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (row->name));
  sonde_profile_editor_on_changed (self);
}

static AdwPreferencesGroup *
add_group (SondeProfileEditor *self,
           const char         *title,
           const char         *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static GtkWidget *
add_add_button (AdwPreferencesGroup *group,
                const char          *label,
                const char          *description,
                GCallback            callback,
                gpointer             data)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  /* Several groups have an “Add” button: the name says what it adds. */
  gtk_widget_set_tooltip_text (button, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_swapped (button, "clicked", callback, data);
  adw_preferences_group_set_header_suffix (group, button);
  return button;
}

void
sonde_profile_editor_build_page (SondeProfileEditor *self)
{
  AdwPreferencesGroup *group;
  GtkWidget *row;
  GtkTextView *headers;
  g_autoptr(GtkStringList) auth = translated_list (auth_names);
  g_autoptr(GtkStringList) tls = translated_list (tls_names);
  g_autoptr(GtkStringList) formats = translated_list (format_names);

  group = add_group (self, _("Connection"), NULL);
  add_entry (self, group, "name", _("Name"));
  add_entry (self, group, "url", _("Server URL"));
  add_entry (self, group, "protocols", _("Subprotocols (comma-separated, preferred first)"));
  add_entry (self, group, "origin", _("Origin"));

  group = add_group (self, _("Request Headers"), NULL);
  headers = new_text_area (self, _("Request headers"), TRUE);
  adw_preferences_group_add (group, labelled (headers, _("One per line: Name: value"),
                                              _("Such as X-Client: sonde; empty: none")));
  g_hash_table_insert (self->fields, (gpointer) "headers", headers);

  group = add_group (self, _("Authentication"),
                     _("The token or password is kept in your keyring, never in the profile file"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Method"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (auth));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  self->auth_kind = ADW_COMBO_ROW (row);
  g_hash_table_insert (self->fields, (gpointer) "auth", row);
  add_entry (self, group, "auth-username", _("User name"));
  add_entry (self, group, "auth-key-name", _("Key name (header or query parameter)"));
  row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Token or password"));
  sonde_gui_name_password_row (ADW_PASSWORD_ENTRY_ROW (row));
  g_signal_connect_swapped (row, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) "secret", row);

  group = add_group (self, _("Limits and Liveness"), NULL);
  add_spin (self, group, "max-message-size", _("Largest message"),
            _("KiB, for a whole incoming message over all its fragments and, when compressed, as inflated; "
              "a larger one closes the connection (1009)"),
            1, (double) (SONDE_MAX_MAX_MESSAGE_SIZE / 1024));
  add_switch (self, group, "deflate", _("Compression"), _("Offer permessage-deflate"));
  add_spin (self, group, "keepalive", _("Ping every"), _("Seconds; 0 sends no pings"), 0, 3600);
  add_spin (self, group, "pong-timeout", _("Pong timeout"),
            _("Seconds without a pong before the connection is declared dead; 0 waits forever"), 0, 3600);
  add_switch (self, group, "reconnect", _("Reconnect"), _("After a drop, with exponential backoff and jitter"));
  add_spin (self, group, "reconnect-cap", _("Longest wait between attempts"), _("Seconds"), 1, 3600);
  add_spin (self, group, "reconnect-max", _("Attempts"), _("0 tries for ever"), 0, 10000);
  add_spin (self, group, "retention-count", _("Messages kept"), _("The oldest are evicted beyond this"),
            1, G_MAXUINT32);
  add_spin (self, group, "retention-bytes", _("Megabytes kept"), NULL, 1, 1024 * 1024);
  add_switch (self, group, "record", _("Record sessions"),
              _("Keep every message on disk, for History, search and export"));

  self->decode = SONDE_DECODE_EDITOR (sonde_decode_editor_new ());
  g_signal_connect_swapped (self->decode, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->decode));

  self->app = SONDE_APP_PROTOCOL_EDITOR (sonde_app_protocol_editor_new ());
  g_signal_connect_swapped (self->app, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->app));

  group = add_group (self, _("TLS and Proxy"), NULL);
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Server certificate"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (tls));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  self->tls_policy = ADW_COMBO_ROW (row);
  g_hash_table_insert (self->fields, (gpointer) "tls", row);
  add_entry (self, group, "tls-pinned-sha256", _("Pinned SHA-256 fingerprint"));
  add_entry (self, group, "client-certificate", _("Client certificate file (PEM or PKCS#12)"));
  add_entry (self, group, "proxy", _("Proxy URL (empty: the system’s)"));

  group = add_group (self, _("Heartbeat"),
                     _("Sent every interval while open; placeholders {{now}}, {{now_ms}}, {{seq}}, {{uuid}}"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Format"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (formats));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) "heartbeat-format", row);
  add_spin (self, group, "heartbeat-interval", _("Interval"), _("Seconds; 0 sends no heartbeat"), 0, 86400);
  {
    GtkTextView *body = new_text_area (self, NULL, TRUE);

    adw_preferences_group_add (group, labelled (body, _("Heartbeat message"),
                                                _("Such as {\"op\": \"ping\", \"seq\": {{seq}}}; empty: none")));
    g_hash_table_insert (self->fields, (gpointer) "heartbeat", body);
  }

  group = add_group (self, _("Latency Probe"),
                     _("Where the server echoes: sent every interval with a fresh {{uuid}}; the reply whose "
                       "field at the reply path is that UUID gives the round-trip time, charted"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Format"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (formats));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) "latency-format", row);
  add_spin (self, group, "latency-interval", _("Interval"), _("Seconds"), 1, 86400);
  add_entry (self, group, "latency-path", _("Reply path (e.g. $.id)"));
  {
    GtkTextView *body = new_text_area (self, NULL, TRUE);

    adw_preferences_group_add (group, labelled (body, _("Latency probe message"),
                                                _("Such as {\"op\": \"echo\", \"id\": \"{{uuid}}\"}; empty: no probe")));
    g_hash_table_insert (self->fields, (gpointer) "latency-probe", body);
  }

  group = add_group (self, _("Notifications"),
                     _("Desktop notifications while Sonde’s window is not in front, at most one per rule "
                       "per cool-down"));
  add_switch (self, group, "notify-drops", _("When the connection drops"),
              _("Or when reconnecting gives up"));
  add_spin (self, group, "notify-cooldown", _("Cool-down"), _("Seconds between two notifications of a rule"),
            0, 86400);
  {
    GtkTextView *match = new_text_area (self, _("Notify when a received message contains (one text per line)"), FALSE);
    GtkTextView *thresholds =
      new_text_area (self, _("Notify when a value crosses (one per line, such as $.price > 100)"), TRUE);

    adw_preferences_group_add (group, labelled (match, _("Notify when a received message contains"),
                                                _("One text per line; empty: no such rule")));
    adw_preferences_group_add (group, labelled (thresholds, _("Notify when a value crosses"),
                                                _("One per line, such as $.price > 100; empty: no such rule")));
    g_hash_table_insert (self->fields, (gpointer) "notify-match", match);
    g_hash_table_insert (self->fields, (gpointer) "notifications", thresholds);
  }

  /* Feed integrity: its own group; a problem with the rules shows on the
   * sequence row. */
  self->integrity = SONDE_INTEGRITY_EDITOR (sonde_integrity_editor_new ());
  g_signal_connect_swapped (self->integrity, "changed", G_CALLBACK (sonde_profile_editor_on_changed), self);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->integrity));
  g_hash_table_insert (self->fields, (gpointer) "integrity", sonde_integrity_editor_get_problem_widget (self->integrity));
  g_hash_table_insert (self->fields, (gpointer) "integrity-key", sonde_integrity_editor_get_row (self->integrity, "key"));
  g_hash_table_insert (self->fields, (gpointer) "integrity-stale",
                       sonde_integrity_editor_get_row (self->integrity, "stale"));
  g_hash_table_insert (self->fields, (gpointer) "integrity-stale-predicate",
                       sonde_integrity_editor_get_row (self->integrity, "stale-predicate"));
  g_hash_table_insert (self->fields, (gpointer) "integrity-bands",
                       sonde_integrity_editor_get_row (self->integrity, "bands"));

  group = add_group (self, _("On-Open Messages"),
                     _("Sent in order after every connect and reconnect: authentication, then subscriptions"));
  add_add_button (group, _("Add"), _("Add an on-open message"), G_CALLBACK (on_add_on_open), self);
  self->on_open_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  adw_preferences_group_add (group, GTK_WIDGET (self->on_open_box));

  group = add_group (self, _("Message Templates"), _("Offered in the composer"));
  add_add_button (group, _("Add"), _("Add a message template"), G_CALLBACK (on_add_template), self);
  self->templates_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  adw_preferences_group_add (group, GTK_WIDGET (self->templates_box));
}
