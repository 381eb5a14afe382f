/* sonde-profile-editor.c: editing a profile, checked as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor works on a draft, a copy of the profile with the same id:
 * every change is written into the draft and the draft validated at once;
 * each problem is shown next to its field and listed above the page, and
 * Save stays off until there are none. Save puts the draft in the store in
 * the original's place and hands the secret, if one was typed, to the
 * keyring: it never goes into the profile.
 */

#define G_LOG_DOMAIN "sonde-profile-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-decode-editor.h"
#include "sonde-gui-util.h"
#include "sonde-notifier.h"
#include "sonde-profile-editor.h"

typedef struct {
  GtkWidget   *box;
  GtkEditable *name;             /* templates only */
  GtkDropDown *format;
  GtkTextView *body;
} MessageRow;

struct _SondeProfileEditor
{
  AdwWindow            parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  GtkButton           *cancel_button;
  GtkButton           *save_button;
  GtkRevealer         *problems_revealer;
  GtkLabel            *problems_label;
  AdwPreferencesPage  *page;

  /* made in init, borrowed */
  GHashTable          *fields;       /* field name → widget */
  GtkBox              *on_open_box;
  GtkBox              *templates_box;
  AdwComboRow         *auth_kind;
  AdwComboRow         *tls_policy;
  SondeDecodeEditor   *decode;
  SondeAppProtocolEditor *app;

  /* owned */
  SondeProfileStore   *store;
  SondeSecrets        *secrets;
  SondeProfile        *original;
  SondeProfile        *draft;
  GPtrArray           *problems;     /* SondeProblem* */
  GPtrArray           *on_open_rows; /* MessageRow* */
  GPtrArray           *template_rows;
  GCancellable        *cancellable;

  gboolean             loading;      /* filling widgets: no draft updates */
  gboolean             secret_known; /* the keyring said whether there is one */
  gboolean             storing;      /* Save waits for the keyring */
  gboolean             close_when_saved;
  gboolean             untouched;    /* a new profile not typed into yet: no red */
};

G_DEFINE_FINAL_TYPE (SondeProfileEditor, sonde_profile_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SECRETS,
  PROP_PROFILE,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void on_changed (SondeProfileEditor *self);

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

static void
message_row_free (gpointer data)
{
  g_free (data);
}

static char *
text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static GtkWidget *
add_entry (SondeProfileEditor  *self,
           AdwPreferencesGroup *group,
           const char          *field,
           const char          *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) field, row);
  return row;
}

static GtkWidget *
add_spin (SondeProfileEditor  *self,
          AdwPreferencesGroup *group,
          const char          *field,
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
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) field, spin);
  return spin;
}

static GtkWidget *
add_switch (SondeProfileEditor  *self,
            AdwPreferencesGroup *group,
            const char          *field,
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
  g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, (gpointer) field, toggle);
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
                            G_CALLBACK (on_changed), self);
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
  on_changed (self);
}

static MessageRow *
add_message_row (SondeProfileEditor        *self,
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
      g_signal_connect_swapped (row->name, "changed", G_CALLBACK (on_changed), self);
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
  g_signal_connect_swapped (row->format, "notify::selected", G_CALLBACK (on_changed), self);
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
  MessageRow *row = add_message_row (self, self->on_open_box, self->on_open_rows, FALSE, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (row->body));
  on_changed (self);
}

static void
on_add_template (SondeProfileEditor *self)
{
  MessageRow *row = add_message_row (self, self->templates_box, self->template_rows, TRUE, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (row->name));
  on_changed (self);
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

static void
build_page (SondeProfileEditor *self)
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
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (group, row);
  self->auth_kind = ADW_COMBO_ROW (row);
  g_hash_table_insert (self->fields, (gpointer) "auth", row);
  add_entry (self, group, "auth-username", _("User name"));
  add_entry (self, group, "auth-key-name", _("Key name (header or query parameter)"));
  row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Token or password"));
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_changed), self);
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
  g_signal_connect_swapped (self->decode, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->decode));

  self->app = SONDE_APP_PROTOCOL_EDITOR (sonde_app_protocol_editor_new ());
  g_signal_connect_swapped (self->app, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->app));

  group = add_group (self, _("TLS and Proxy"), NULL);
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Server certificate"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (tls));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
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
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
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
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
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

static GtkWidget *
field (SondeProfileEditor *self,
       const char         *name)
{
  GtkWidget *widget = g_hash_table_lookup (self->fields, name);

  g_assert (widget != NULL);
  return widget;
}

static void
set_text (SondeProfileEditor *self,
          const char         *name,
          const char         *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (self, name)), text ? text : "");
}

static void
set_spin (SondeProfileEditor *self,
          const char         *name,
          double              value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (self, name)), value);
}

static double
get_spin (SondeProfileEditor *self,
          const char         *name)
{
  return gtk_spin_button_get_value (GTK_SPIN_BUTTON (field (self, name)));
}

static const char *
get_text (SondeProfileEditor *self,
          const char         *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (self, name)));
}

/* Fills the widgets from the draft. */
static void
set_text_area (GtkTextView *view,
               const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

/* The rules into the widgets: texts one a line, thresholds as
 * "PATH OP NUMBER" one a line. */
static void
load_notifications (SondeProfileEditor *self,
                    JsonNode           *rules)
{
  JsonObject *object = rules != NULL && JSON_NODE_HOLDS_OBJECT (rules) ? json_node_get_object (rules) : NULL;
  JsonNode *match = object ? json_object_get_member (object, "match") : NULL;
  JsonNode *thresholds = object ? json_object_get_member (object, "thresholds") : NULL;
  g_autoptr(GString) texts = g_string_new (NULL);
  g_autoptr(GString) conditions = g_string_new (NULL);

  gtk_switch_set_active (GTK_SWITCH (field (self, "notify-drops")),
                         object != NULL && json_object_get_boolean_member_with_default (object, "drops", FALSE));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (self, "notify-cooldown")),
                             object != NULL ? (double) json_object_get_int_member_with_default (
                               object, "cooldown_s", SONDE_NOTIFIER_DEFAULT_COOLDOWN_S)
                                            : SONDE_NOTIFIER_DEFAULT_COOLDOWN_S);

  for (guint i = 0; match != NULL && JSON_NODE_HOLDS_ARRAY (match) && i < json_array_get_length (json_node_get_array (match)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (match), i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_string_append_printf (texts, "%s%s", texts->len ? "\n" : "", json_node_get_string (element));
    }
  for (guint i = 0; thresholds != NULL && JSON_NODE_HOLDS_ARRAY (thresholds) &&
                    i < json_array_get_length (json_node_get_array (thresholds)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (thresholds), i);
      JsonObject *threshold = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      if (threshold == NULL)
        continue;
      g_string_append_printf (conditions, "%s%s %s %s", conditions->len ? "\n" : "",
                              json_object_get_string_member_with_default (threshold, "path", ""),
                              json_object_get_string_member_with_default (threshold, "op", ""),
                              g_ascii_formatd (number, sizeof number, "%g",
                                               json_object_get_double_member_with_default (threshold, "value", 0)));
    }
  set_text_area (GTK_TEXT_VIEW (field (self, "notify-match")), texts->str);
  set_text_area (GTK_TEXT_VIEW (field (self, "notifications")), conditions->str);
}

/* "$.price > 100": the path, the comparison and the number; a line that
 * does not read so keeps its text as the path, for the notifier to refuse
 * with the line's number. */
static void
add_threshold_line (JsonBuilder *builder,
                    const char  *line)
{
  g_auto(GStrv) words = g_strsplit_set (line, " \t", -1);
  guint n = 0;
  g_autofree char *path = NULL;
  const char *op = NULL;
  double value = 0;
  char *end = NULL;
  gboolean ok = FALSE;

  /* The last two words, once empty ones are dropped. */
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      words[n++] = words[i];
  words[n] = NULL;

  if (n >= 3)
    {
      value = g_ascii_strtod (words[n - 1], &end);
      op = words[n - 2];
      ok = end != words[n - 1] && *end == '\0';
      words[n - 2] = NULL;
      path = g_strjoinv (" ", words);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, ok ? path : line);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, ok ? op : "");
  if (ok)
    {
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, value);
    }
  json_builder_end_object (builder);
}

/* The widgets as rules; NULL when they ask for nothing. */
static JsonNode *
read_notifications (SondeProfileEditor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *match_text = text_view_dup_text (GTK_TEXT_VIEW (field (self, "notify-match")));
  g_autofree char *threshold_text = text_view_dup_text (GTK_TEXT_VIEW (field (self, "notifications")));
  g_auto(GStrv) matches = g_strsplit (match_text, "\n", -1);
  g_auto(GStrv) thresholds = g_strsplit (threshold_text, "\n", -1);
  gboolean drops = gtk_switch_get_active (GTK_SWITCH (field (self, "notify-drops")));
  gboolean any = drops;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cooldown_s");
  json_builder_add_int_value (builder, (gint64) get_spin (self, "notify-cooldown"));
  json_builder_set_member_name (builder, "drops");
  json_builder_add_boolean_value (builder, drops);
  json_builder_set_member_name (builder, "match");
  json_builder_begin_array (builder);
  for (guint i = 0; matches[i] != NULL; i++)
    {
      /* Spaces count inside a text, not around it. */
      g_autofree char *text = g_strstrip (g_strdup (matches[i]));

      if (*text == '\0')
        continue;
      json_builder_add_string_value (builder, text);
      any = TRUE;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "thresholds");
  json_builder_begin_array (builder);
  for (guint i = 0; thresholds[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (thresholds[i]));

      if (*line == '\0')
        continue;
      add_threshold_line (builder, line);
      any = TRUE;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return any ? json_builder_get_root (builder) : NULL;
}

static void
load_draft (SondeProfileEditor *self)
{
  SondeProfile *p = self->draft;
  SondeReconnectPolicy reconnect;
  const SondeProfileMessage *heartbeat = sonde_profile_get_heartbeat (p);
  const char * const *protocol_list = sonde_profile_get_protocols (p);
  const char * const *header_list = sonde_profile_get_headers (p);
  g_autofree char *protocols = protocol_list ? g_strjoinv (", ", (char **) protocol_list) : NULL;
  g_autofree char *headers = header_list ? g_strjoinv ("\n", (char **) header_list) : NULL;
  GPtrArray *messages;

  self->loading = TRUE;

  set_text (self, "name", sonde_profile_get_name (p));
  set_text (self, "url", sonde_profile_get_url (p));
  set_text (self, "protocols", protocols);
  set_text (self, "origin", sonde_profile_get_origin (p));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (self, "headers"))),
                            headers ? headers : "", -1);

  adw_combo_row_set_selected (self->auth_kind, sonde_profile_get_auth_kind (p));
  set_text (self, "auth-username", sonde_profile_get_auth_username (p));
  set_text (self, "auth-key-name", sonde_profile_get_auth_key_name (p));

  set_spin (self, "max-message-size", (double) (sonde_profile_get_max_message_size (p) / 1024));
  gtk_switch_set_active (GTK_SWITCH (field (self, "deflate")), sonde_profile_get_deflate (p));
  set_spin (self, "keepalive", sonde_profile_get_keepalive (p));
  set_spin (self, "pong-timeout", sonde_profile_get_pong_timeout (p));
  sonde_profile_get_reconnect (p, &reconnect);
  gtk_switch_set_active (GTK_SWITCH (field (self, "reconnect")), reconnect.enabled);
  set_spin (self, "reconnect-cap", reconnect.cap_ms / 1000.0);
  set_spin (self, "reconnect-max", reconnect.max_attempts);
  set_spin (self, "retention-count", sonde_profile_get_retention_count (p));
  set_spin (self, "retention-bytes", (double) (sonde_profile_get_retention_bytes (p) / (1024 * 1024)));
  gtk_switch_set_active (GTK_SWITCH (field (self, "record")), sonde_profile_get_record (p));

  {
    const char *descriptor = NULL;
    const char *type = NULL;
    const char *spec = sonde_profile_get_decode (p, &descriptor, &type);

    sonde_decode_editor_set_decode (self->decode, spec, descriptor, type);
  }
  {
    const SondeAppProtocolOptions *app_options = NULL;
    SondeAppProtocolKind app_kind = sonde_profile_get_app_protocol (p, &app_options);

    sonde_app_protocol_editor_set (self->app, app_kind, app_options);
  }

  adw_combo_row_set_selected (self->tls_policy, sonde_profile_get_tls_policy (p));
  set_text (self, "tls-pinned-sha256", sonde_profile_get_pinned_sha256 (p));
  set_text (self, "client-certificate", sonde_profile_get_client_certificate (p));
  set_text (self, "proxy", sonde_profile_get_proxy (p));

  adw_combo_row_set_selected (ADW_COMBO_ROW (field (self, "heartbeat-format")),
                              heartbeat ? heartbeat->format : SONDE_MESSAGE_FORMAT_TEXT);
  set_spin (self, "heartbeat-interval", sonde_profile_get_heartbeat_interval (p));
  load_notifications (self, sonde_profile_get_notifications (p));
  {
    const char *reply_path = NULL;
    guint interval_s = 0;
    const SondeProfileMessage *probe = sonde_profile_get_latency_probe (p, &reply_path, &interval_s);

    adw_combo_row_set_selected (ADW_COMBO_ROW (field (self, "latency-format")),
                                probe ? probe->format : SONDE_MESSAGE_FORMAT_JSON);
    set_spin (self, "latency-interval", interval_s ? interval_s : 10);
    gtk_editable_set_text (GTK_EDITABLE (field (self, "latency-path")), reply_path ? reply_path : "");
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (self, "latency-probe"))),
                              probe && probe->body ? probe->body : "", -1);
  }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (self, "heartbeat"))),
                            heartbeat && heartbeat->body ? heartbeat->body : "", -1);

  messages = sonde_profile_get_on_open (p);
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    add_message_row (self, self->on_open_box, self->on_open_rows, FALSE, g_ptr_array_index (messages, i));
  messages = sonde_profile_get_templates (p);
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    add_message_row (self, self->templates_box, self->template_rows, TRUE, g_ptr_array_index (messages, i));

  self->loading = FALSE;
}

static char **
split_list (const char *text,
            const char *separators)
{
  g_auto(GStrv) parts = g_strsplit_set (text ? text : "", separators, -1);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part != '\0')
        g_ptr_array_add (out, g_strdup (part));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static GPtrArray *
read_rows (GPtrArray *rows)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);

  for (guint i = 0; i < rows->len; i++)
    {
      MessageRow *row = g_ptr_array_index (rows, i);
      g_autofree char *body = text_view_dup_text (row->body);

      g_ptr_array_add (messages,
                       sonde_profile_message_new (row->name ? gtk_editable_get_text (row->name) : NULL,
                                                  gtk_drop_down_get_selected (row->format), body));
    }
  return messages;
}

/* Writes the widgets into the draft. */
static void
store_draft (SondeProfileEditor *self)
{
  SondeProfile *p = self->draft;
  SondeReconnectPolicy reconnect;
  g_auto(GStrv) protocols = split_list (get_text (self, "protocols"), ",");
  g_autofree char *headers_text = text_view_dup_text (GTK_TEXT_VIEW (field (self, "headers")));
  g_auto(GStrv) headers = split_list (headers_text, "\n");
  g_autofree char *heartbeat_body = text_view_dup_text (GTK_TEXT_VIEW (field (self, "heartbeat")));
  g_autofree char *probe_body = text_view_dup_text (GTK_TEXT_VIEW (field (self, "latency-probe")));
  g_autoptr(GPtrArray) on_open = read_rows (self->on_open_rows);
  g_autoptr(GPtrArray) templates = read_rows (self->template_rows);
  const char *url = get_text (self, "url");

  g_object_freeze_notify (G_OBJECT (p));
  sonde_profile_set_name (p, get_text (self, "name"));
  sonde_profile_set_url (p, url);
  sonde_profile_set_protocols (p, (const char * const *) protocols);
  sonde_profile_set_origin (p, *get_text (self, "origin") ? get_text (self, "origin") : NULL);
  sonde_profile_set_headers (p, (const char * const *) headers);

  sonde_profile_set_auth_kind (p, adw_combo_row_get_selected (self->auth_kind));
  sonde_profile_set_auth_username (p, get_text (self, "auth-username"));
  sonde_profile_set_auth_key_name (p, get_text (self, "auth-key-name"));

  sonde_profile_set_max_message_size (p, (guint64) get_spin (self, "max-message-size") * 1024);
  sonde_profile_set_deflate (p, gtk_switch_get_active (GTK_SWITCH (field (self, "deflate"))));
  sonde_profile_set_keepalive (p, (guint) get_spin (self, "keepalive"));
  sonde_profile_set_pong_timeout (p, (guint) get_spin (self, "pong-timeout"));
  sonde_profile_get_reconnect (p, &reconnect);
  reconnect.enabled = gtk_switch_get_active (GTK_SWITCH (field (self, "reconnect")));
  reconnect.cap_ms = (guint) get_spin (self, "reconnect-cap") * 1000;
  reconnect.max_attempts = (guint) get_spin (self, "reconnect-max");
  sonde_profile_set_reconnect (p, &reconnect);
  sonde_profile_set_record (p, gtk_switch_get_active (GTK_SWITCH (field (self, "record"))));
  sonde_profile_set_retention (p, (guint) get_spin (self, "retention-count"),
                               (guint64) get_spin (self, "retention-bytes") * 1024 * 1024);

  {
    g_autoptr(SondeAppProtocolOptions) app_options = sonde_app_protocol_editor_dup_options (self->app);

    sonde_profile_set_app_protocol (p, sonde_app_protocol_editor_get_kind (self->app), app_options);
  }
  sonde_profile_set_decode (p, sonde_decode_editor_get_spec (self->decode),
                            sonde_decode_editor_get_proto_descriptor (self->decode),
                            sonde_decode_editor_get_proto_type (self->decode));

  sonde_profile_set_tls_policy (p, adw_combo_row_get_selected (self->tls_policy));
  sonde_profile_set_pinned_sha256 (p, *get_text (self, "tls-pinned-sha256") ? get_text (self, "tls-pinned-sha256") : NULL);
  sonde_profile_set_client_certificate (p, *get_text (self, "client-certificate") ?
                                           get_text (self, "client-certificate") : NULL);
  sonde_profile_set_proxy (p, *get_text (self, "proxy") ? get_text (self, "proxy") : NULL);

  if (*heartbeat_body != '\0')
    {
      g_autoptr(SondeProfileMessage) beat =
        sonde_profile_message_new (NULL, adw_combo_row_get_selected (ADW_COMBO_ROW (field (self, "heartbeat-format"))),
                                   heartbeat_body);
      sonde_profile_set_heartbeat (p, beat, (guint) get_spin (self, "heartbeat-interval"));
    }
  else
    sonde_profile_set_heartbeat (p, NULL, (guint) get_spin (self, "heartbeat-interval"));

  /* An empty probe message is no probe, whatever the other fields say. */
  if (*probe_body != '\0')
    {
      g_autoptr(SondeProfileMessage) probe =
        sonde_profile_message_new (NULL, adw_combo_row_get_selected (ADW_COMBO_ROW (field (self, "latency-format"))),
                                   probe_body);
      sonde_profile_set_latency_probe (p, probe, get_text (self, "latency-path"),
                                       (guint) get_spin (self, "latency-interval"));
    }
  else
    sonde_profile_set_latency_probe (p, NULL, NULL, 0);

  {
    g_autoptr(JsonNode) rules = read_notifications (self);

    sonde_profile_set_notifications (p, rules);
  }

  sonde_profile_set_on_open (p, on_open);
  sonde_profile_set_templates (p, templates);
  g_object_thaw_notify (G_OBJECT (p));
}

/* The widget a problem's field name points at ("templates[2]" → that
 * template's body). */
static GtkWidget *
widget_for_field (SondeProfileEditor *self,
                  const char         *name)
{
  guint index;

  if (sscanf (name, "templates[%u]", &index) == 1 && index < self->template_rows->len)
    return GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->template_rows, index))->body);
  if (sscanf (name, "on-open[%u]", &index) == 1 && index < self->on_open_rows->len)
    return GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->on_open_rows, index))->body);
  if (g_str_has_prefix (name, "headers"))
    return field (self, "headers");
  if (g_str_has_prefix (name, "protocols"))
    return field (self, "protocols");

  /* The fields are kept under the names the validators use. */
  return g_hash_table_lookup (self->fields, name);
}

static void
show_problems (SondeProfileEditor *self)
{
  GHashTableIter iter;
  gpointer widget;
  GString *text = g_string_new (NULL);

  g_hash_table_iter_init (&iter, self->fields);
  while (g_hash_table_iter_next (&iter, NULL, &widget))
    {
      gtk_widget_remove_css_class (widget, "error");
      if (!ADW_IS_PREFERENCES_ROW (widget))
        gtk_widget_set_tooltip_text (widget, NULL);
    }
  for (guint i = 0; i < self->on_open_rows->len; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->on_open_rows, i))->body), "error");
  for (guint i = 0; i < self->template_rows->len; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->template_rows, i))->body), "error");

  /* A blank new profile is not wrong yet: Save waits, quietly, until the
   * user has typed something. */
  for (guint i = 0; !self->untouched && i < self->problems->len; i++)
    {
      SondeProblem *problem = g_ptr_array_index (self->problems, i);
      GtkWidget *target = widget_for_field (self, problem->field);

      if (target != NULL)
        {
          gtk_widget_add_css_class (target, "error");
          if (!ADW_IS_PREFERENCES_ROW (target))
            gtk_widget_set_tooltip_text (target, problem->message);
        }
      g_string_append_printf (text, "%s• %s", text->len ? "\n" : "", problem->message);
    }

  gtk_label_set_label (self->problems_label, text->str);
  gtk_revealer_set_reveal_child (self->problems_revealer, text->len > 0);
  /* The one place that decides whether editor.save can run: the button
   * greys and Ctrl+S does nothing while there are problems. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", self->problems->len == 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button),
                               self->problems->len == 0 ? _("Save the profile (Ctrl+S)") :
                               self->untouched ? _("Give the profile a name and a server URL to save") :
                               _("Fix the problems listed above to save"));
  g_string_free (text, TRUE);
}

static void
update_visibility (SondeProfileEditor *self)
{
  SondeAuthKind kind = adw_combo_row_get_selected (self->auth_kind);
  gboolean pinned = adw_combo_row_get_selected (self->tls_policy) == SONDE_TLS_PINNED;

  gtk_widget_set_visible (field (self, "auth-username"), kind == SONDE_AUTH_BASIC);
  gtk_widget_set_visible (field (self, "auth-key-name"),
                          kind == SONDE_AUTH_API_KEY_HEADER || kind == SONDE_AUTH_API_KEY_QUERY);
  gtk_widget_set_visible (field (self, "secret"), kind != SONDE_AUTH_NONE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field (self, "secret")),
                                 kind == SONDE_AUTH_BASIC ? _("Password") :
                                 kind == SONDE_AUTH_BEARER ? _("Token") : _("Key"));
  gtk_widget_set_visible (field (self, "tls-pinned-sha256"), pinned);
}

static const char *
secret_noun (SondeAuthKind kind)
{
  return kind == SONDE_AUTH_BASIC ? _("password") : kind == SONDE_AUTH_BEARER ? _("token") : _("key");
}

/* The profile's problems, and the editor's own: an authentication that
 * sends a secret with none typed (once the keyring has said it has none). */
static void
revalidate (SondeProfileEditor *self)
{
  SondeAuthKind kind = adw_combo_row_get_selected (self->auth_kind);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (field (self, "secret")));

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  self->problems = sonde_profile_validate (self->draft);
  if (kind != SONDE_AUTH_NONE && self->secret_known && (secret == NULL || *secret == '\0'))
    /* Translators: %s is "token", "password" or "key". */
    sonde_problem_add_printf (self->problems, "secret", _("Type the %s: this authentication sends one"),
                              secret_noun (kind));
  /* The decoder's own words; the group shows them under its rows. */
  if (sonde_decode_editor_get_error (self->decode) != NULL)
    /* Translators: %s is the decoder's reason, such as "unknown stage “gzap”". */
    sonde_problem_add_printf (self->problems, "decode", _("Payload decoding: %s"),
                              sonde_decode_editor_get_error (self->decode));
  if (sonde_app_protocol_editor_get_error (self->app) != NULL)
    /* Translators: %s says what is wrong with a protocol mode's field. */
    sonde_problem_add_printf (self->problems, "app-protocol", _("Protocol: %s"),
                              sonde_app_protocol_editor_get_error (self->app));
  show_problems (self);
}

static void
on_changed (SondeProfileEditor *self)
{
  if (self->loading || self->draft == NULL)
    return;

  self->untouched = FALSE;
  update_visibility (self);
  store_draft (self);
  revalidate (self);
}

/* Editing a profile shows the secret it has (hidden, in a password row):
 * an empty field then means that there is none. */
static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SondeProfileEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The keyring did not give the stored secret: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }

  self->secret_known = TRUE;
  if (secret != NULL && *gtk_editable_get_text (GTK_EDITABLE (field (self, "secret"))) == '\0')
    {
      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (field (self, "secret")), secret);
      self->loading = FALSE;
      explicit_bzero (secret, strlen (secret));
    }
  revalidate (self);
}

/* The draft goes in the store, in the original's place; the editor's job
 * is done. */
static void
commit (SondeProfileEditor *self)
{
  guint position = G_MAXUINT;
  SondeProfile *saved = self->draft;

  if (self->original != NULL)
    sonde_profile_store_remove (self->store, self->original, &position);
  if (position != G_MAXUINT)
    sonde_profile_store_insert (self->store, position, saved);
  else
    sonde_profile_store_add (self->store, saved);
  sonde_profile_store_save_soon (self->store);

  /* Saved once: a second Save must not add it again. */
  g_set_object (&self->original, saved);
  g_signal_emit (self, signals[SAVED], 0, saved);
  if (self->close_when_saved)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_storing (SondeProfileEditor *self,
             gboolean            storing)
{
  /* Only Save waits (making the page insensitive would take the focus
   * from under the password entry). */
  self->storing = storing;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !storing && self->problems->len == 0);
}

static gboolean
commit_idle (gpointer data)
{
  commit (data);
  return G_SOURCE_REMOVE;
}

static void
on_refusal_response (AdwMessageDialog   *dialog,
                     const char         *response,
                     SondeProfileEditor *self)
{
  if (g_strcmp0 (response, "session") == 0)
    {
      const char *secret = gtk_editable_get_text (GTK_EDITABLE (field (self, "secret")));

      sonde_secrets_keep_for_session (self->secrets, sonde_profile_get_id (self->draft), secret);
      /* After the dialog has closed: closing the editor destroys the
       * dialog with it, which must not happen while it answers. */
      g_idle_add_full (G_PRIORITY_DEFAULT, commit_idle, g_object_ref (self), g_object_unref);
    }
  else
    set_storing (self, FALSE);
}

/* The keyring refused: said before the editor closes, with what the user
 * can do (keep the secret for this session only, or go back), never a
 * silent loss nor a fallback to a file. */
static void
ask_keep_for_session (SondeProfileEditor *self,
                      const GError       *error)
{
  const char *noun = secret_noun (adw_combo_row_get_selected (self->auth_kind));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Not Stored in the Keyring"), NULL));
  /* Translators: the first %s is "token", "password" or "key"; the second
   * is the keyring's reason. */
  adw_message_dialog_format_body (dialog,
                                  _("The %s could not be stored: %s.\n\nSonde can keep it for this session "
                                    "only: it connects now and asks for it again after Sonde quits. "
                                    "Nothing is written to a file."),
                                  noun, error->message);
  adw_message_dialog_add_responses (dialog,
                                    "back", _("_Back"),
                                    "session", _("_Keep for This Session"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "session", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "session");
  adw_message_dialog_set_close_response (dialog, "back");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_refusal_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SondeProfileEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (sonde_secrets_store_finish (SONDE_SECRETS (source), result, &error))
    commit (self);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("The secret of %s was not stored: %s", sonde_profile_get_id (self->draft), error->message);
      ask_keep_for_session (self, error);
    }
}

static void
on_save_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeProfileEditor *self = SONDE_PROFILE_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (self->storing)
    return;
  self->close_when_saved = TRUE;
  if (!sonde_profile_editor_save (self, &error))
    {
      self->close_when_saved = FALSE;
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
    }
}

static void
on_cancel_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
sonde_profile_editor_constructed (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->constructed (object);

  if (self->original != NULL)
    {
      g_autoptr(JsonNode) json = sonde_profile_to_json (self->original);

      self->draft = sonde_profile_new_from_json (json, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Profile"));
    }
  if (self->draft == NULL)
    {
      self->draft = sonde_profile_new ();
      self->untouched = TRUE;
      gtk_window_set_title (GTK_WINDOW (self), _("New Profile"));
    }

  load_draft (self);
  update_visibility (self);
  /* A new profile has no secret yet; an edited one's is looked up. */
  self->secret_known = self->original == NULL || self->secrets == NULL ||
                       sonde_profile_get_auth_kind (self->draft) == SONDE_AUTH_NONE;
  if (!self->secret_known)
    sonde_secrets_lookup_async (self->secrets, sonde_profile_get_id (self->draft), self->cancellable,
                                on_secret_looked_up, g_object_ref (self));
  revalidate (self);

  /* Typing starts with the name (not on a toast's button). */
  gtk_widget_grab_focus (field (self, "name"));

  if (self->secrets != NULL && sonde_secrets_get_session_only (self->secrets))
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("No keyring is available: secrets are kept for this session only")));
}

static void
sonde_profile_editor_dispose (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_PROFILE_EDITOR);
  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->original);
  g_clear_object (&self->draft);

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->dispose (object);
}

static void
sonde_profile_editor_finalize (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_ptr_array_unref (self->on_open_rows);
  g_ptr_array_unref (self->template_rows);
  g_hash_table_unref (self->fields);

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->finalize (object);
}

static void
sonde_profile_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SondeProfileEditor *self = SONDE_PROFILE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SECRETS:
      self->secrets = g_value_dup_object (value);
      break;
    case PROP_PROFILE:
      self->original = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_editor_class_init (SondeProfileEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_profile_editor_constructed;
  object_class->dispose = sonde_profile_editor_dispose;
  object_class->finalize = sonde_profile_editor_finalize;
  object_class->set_property = sonde_profile_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SONDE_TYPE_PROFILE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECRETS] =
    g_param_spec_object ("secrets", NULL, NULL, SONDE_TYPE_SECRETS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SONDE_TYPE_PROFILE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeProfileEditor::saved:
   * @profile: the profile as saved (a new object in the store)
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SONDE_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-profile-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, problems_revealer);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, problems_label);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, page);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, on_save_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, on_cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
sonde_profile_editor_init (SondeProfileEditor *self)
{
  self->fields = g_hash_table_new (g_str_hash, g_str_equal);
  self->on_open_rows = g_ptr_array_new_with_free_func (message_row_free);
  self->template_rows = g_ptr_array_new_with_free_func (message_row_free);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  build_page (self);

  /* GTK 4.8 names a button with a mnemonic twice, by its label ("_Save",
   * underscore and all) and by the label widget that the mnemonic points
   * at ("Save"): keep only the latter. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->cancel_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->save_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/* An editor for @profile, or for a new profile when NULL. */
SondeProfileEditor *
sonde_profile_editor_new (SondeProfileStore *store,
                          SondeSecrets      *secrets,
                          SondeProfile      *profile)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets), NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_PROFILE_EDITOR,
                       "store", store, "secrets", secrets, "profile", profile, NULL);
}

SondeProfile *
sonde_profile_editor_get_draft (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->draft;
}

/* The problems the editor shows now (SondeProblem*). */
GPtrArray *
sonde_profile_editor_get_problems (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->problems;
}

/* The "Payload Decoding" group. */
SondeAppProtocolEditor *
sonde_profile_editor_get_app_protocol_editor (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);
  return self->app;
}

SondeDecodeEditor *
sonde_profile_editor_get_decode_editor (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->decode;
}

/* The widget that edits @field ("name", "url", "headers", "secret", …). */
GtkWidget *
sonde_profile_editor_get_field (SondeProfileEditor *self,
                                const char         *name)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return g_hash_table_lookup (self->fields, name);
}

void
sonde_profile_editor_set_secret (SondeProfileEditor *self,
                                 const char         *secret)
{
  g_return_if_fail (SONDE_IS_PROFILE_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (field (self, "secret")), secret ? secret : "");
}

/* Saves: the secret, if one was typed, in the keyring first, then the
 * draft in the store (in the original's place), and ::saved. FALSE while
 * there are problems. TRUE once saved, or while the keyring is asked: if
 * it refuses, the editor asks whether to keep the secret for this session
 * only (then saves) or go back (then does not). */
gboolean
sonde_profile_editor_save (SondeProfileEditor  *self,
                           GError             **error)
{
  const char *secret;
  SondeAuthKind kind;

  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), FALSE);
  g_return_val_if_fail (!self->storing, FALSE);

  self->untouched = FALSE;
  update_visibility (self);
  store_draft (self);
  revalidate (self);
  if (self->problems != NULL && self->problems->len > 0)
    {
      SondeProblem *first = g_ptr_array_index (self->problems, 0);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not saved: %s"), first->message);
      return FALSE;
    }

  secret = gtk_editable_get_text (GTK_EDITABLE (field (self, "secret")));
  kind = sonde_profile_get_auth_kind (self->draft);
  if (self->secrets != NULL && kind == SONDE_AUTH_NONE)
    {
      /* A failure is told in the window the editor was opened from. */
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

      sonde_gui_clear_secret (self->secrets, self->draft, parent != NULL ? GTK_WIDGET (parent) : GTK_WIDGET (self));
    }
  else if (self->secrets != NULL && secret != NULL && *secret != '\0')
    {
      g_autofree char *label = g_strdup_printf (_("Sonde: %s"), sonde_profile_get_name (self->draft));

      set_storing (self, TRUE);
      sonde_secrets_store_async (self->secrets, sonde_profile_get_id (self->draft), label, secret,
                                 self->cancellable, on_secret_stored, g_object_ref (self));
      return TRUE;
    }

  commit (self);
  return TRUE;
}
