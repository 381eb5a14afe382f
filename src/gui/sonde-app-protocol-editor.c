/* sonde-app-protocol-editor.c: the profile editor's Protocol group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Mode row (None and the modes this build speaks), then the rows the
 * chosen mode reads: its subscriptions (one a line, sent after every
 * connect), the Socket.IO namespace, an auth or connection_init payload
 * (JSON, checked as it is typed), the MQTT client id, version and QoS, the
 * STOMP host, and the keepalive or heart-beat. A mode that logs in takes
 * the profile's Basic authentication: nothing secret is typed here.
 */

#define G_LOG_DOMAIN "sonde-app-protocol-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-json-format.h"

struct _SondeAppProtocolEditor
{
  AdwPreferencesGroup parent_instance;

  AdwComboRow   *mode;
  GtkTextView   *subscriptions;
  GtkWidget     *subscriptions_box;
  GtkLabel      *subscriptions_hint;
  AdwEntryRow   *nsp;
  AdwEntryRow   *auth;
  AdwEntryRow   *client_id;
  AdwEntryRow   *host;
  AdwComboRow   *mqtt_version;
  AdwComboRow   *qos;
  AdwActionRow  *keepalive_row;
  GtkSpinButton *keepalive;
  GtkLabel      *error_label;

  GArray        *kinds;     /* SondeAppProtocolKind of each Mode row item */
  char          *error;
  gboolean       loading;
};

G_DEFINE_FINAL_TYPE (SondeAppProtocolEditor, sonde_app_protocol_editor, ADW_TYPE_PREFERENCES_GROUP)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
kind_title (SondeAppProtocolKind kind)
{
  switch (kind)
    {
    case SONDE_APP_PROTOCOL_SOCKET_IO:
      return "Socket.IO";
    case SONDE_APP_PROTOCOL_GRAPHQL:
      return _("GraphQL over WebSocket");
    case SONDE_APP_PROTOCOL_STOMP:
      return "STOMP";
    case SONDE_APP_PROTOCOL_MQTT:
      return "MQTT";
    case SONDE_APP_PROTOCOL_JSON_RPC:
      return "JSON-RPC 2.0";
    case SONDE_APP_PROTOCOL_SIGNALR:
      return "SignalR";
    case SONDE_APP_PROTOCOL_NONE:
    default:
      /* Translators: no application protocol: messages as they are. */
      return C_("protocol mode", "None");
    }
}

static const char *
subscriptions_hint (SondeAppProtocolKind kind)
{
  switch (kind)
    {
    case SONDE_APP_PROTOCOL_SOCKET_IO:
      return _("One emit a line, sent after every connect: an event name, then its arguments as JSON");
    case SONDE_APP_PROTOCOL_GRAPHQL:
      return _("One subscription a line: a GraphQL document, or {\"query\":…,\"variables\":…}");
    case SONDE_APP_PROTOCOL_STOMP:
      return _("One destination a line, subscribed after every connect");
    case SONDE_APP_PROTOCOL_MQTT:
      return _("One topic filter a line (a/b, a/+/c, a/#), subscribed after every connect");
    case SONDE_APP_PROTOCOL_JSON_RPC:
      return _("One call a line, made after every connect: a method, then its params as JSON (eth_subscribe [\"newHeads\"])");
    case SONDE_APP_PROTOCOL_SIGNALR:
      return _("One invocation a line, sent after every connect: a method, then its arguments as a JSON array");
    case SONDE_APP_PROTOCOL_NONE:
    default:
      return "";
    }
}

SondeAppProtocolKind
sonde_app_protocol_editor_get_kind (SondeAppProtocolEditor *self)
{
  guint selected;

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL_EDITOR (self), SONDE_APP_PROTOCOL_NONE);
  selected = adw_combo_row_get_selected (self->mode);
  return selected < self->kinds->len ? g_array_index (self->kinds, SondeAppProtocolKind, selected)
                                     : SONDE_APP_PROTOCOL_NONE;
}

static void
sync_rows (SondeAppProtocolEditor *self)
{
  SondeAppProtocolKind kind = sonde_app_protocol_editor_get_kind (self);

  gtk_widget_set_visible (self->subscriptions_box, kind != SONDE_APP_PROTOCOL_NONE);
  gtk_label_set_label (self->subscriptions_hint, subscriptions_hint (kind));
  gtk_widget_set_visible (GTK_WIDGET (self->nsp), kind == SONDE_APP_PROTOCOL_SOCKET_IO);
  gtk_widget_set_visible (GTK_WIDGET (self->auth), kind == SONDE_APP_PROTOCOL_SOCKET_IO ||
                                                   kind == SONDE_APP_PROTOCOL_GRAPHQL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->auth),
                                 kind == SONDE_APP_PROTOCOL_GRAPHQL ? _("connection_init payload (JSON)")
                                                                    : _("Auth payload (JSON)"));
  gtk_widget_set_visible (GTK_WIDGET (self->client_id), kind == SONDE_APP_PROTOCOL_MQTT);
  gtk_widget_set_visible (GTK_WIDGET (self->mqtt_version), kind == SONDE_APP_PROTOCOL_MQTT);
  gtk_widget_set_visible (GTK_WIDGET (self->qos), kind == SONDE_APP_PROTOCOL_MQTT);
  gtk_widget_set_visible (GTK_WIDGET (self->host), kind == SONDE_APP_PROTOCOL_STOMP);
  gtk_widget_set_visible (GTK_WIDGET (self->keepalive_row), kind == SONDE_APP_PROTOCOL_MQTT ||
                                                            kind == SONDE_APP_PROTOCOL_STOMP);
}

static void
check (SondeAppProtocolEditor *self)
{
  const char *auth = gtk_editable_get_text (GTK_EDITABLE (self->auth));
  g_autoptr(GError) error = NULL;
  guint line = 0, column = 0;

  g_clear_pointer (&self->error, g_free);
  if (gtk_widget_get_visible (GTK_WIDGET (self->auth)) && *auth != '\0' &&
      !sonde_json_validate (auth, -1, &line, &column, &error))
    /* Translators: %s says why; then where. */
    self->error = g_strdup_printf (_("The payload is not JSON: %s (column %u)"), error->message, column);

  gtk_label_set_label (self->error_label, self->error != NULL ? self->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->error != NULL);
  if (self->error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->auth), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->auth), "error");
}

static void
on_changed (SondeAppProtocolEditor *self)
{
  sync_rows (self);
  check (self);
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static char *
dup_entry (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

SondeAppProtocolOptions *
sonde_app_protocol_editor_dup_options (SondeAppProtocolEditor *self)
{
  SondeAppProtocolOptions *options = sonde_app_protocol_options_new ();
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->subscriptions);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) split = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  split = g_strsplit (text, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    {
      g_strstrip (split[i]);
      if (*split[i] != '\0')
        g_strv_builder_add (lines, split[i]);
    }
  options->subscriptions = g_strv_builder_end (lines);
  if (options->subscriptions[0] == NULL)
    g_clear_pointer (&options->subscriptions, g_strfreev);
  options->nsp = dup_entry (self->nsp);
  options->auth = dup_entry (self->auth);
  options->client_id = dup_entry (self->client_id);
  options->host = dup_entry (self->host);
  options->mqtt_version = adw_combo_row_get_selected (self->mqtt_version) == 1 ? 5 : 4;
  options->qos = adw_combo_row_get_selected (self->qos);
  options->keepalive_s = (guint) gtk_spin_button_get_value_as_int (self->keepalive);
  return options;
}

static void
set_entry (AdwEntryRow *row,
           const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

void
sonde_app_protocol_editor_set (SondeAppProtocolEditor        *self,
                               SondeAppProtocolKind           kind,
                               const SondeAppProtocolOptions *options)
{
  g_autofree char *lines = NULL;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL_EDITOR (self));

  self->loading = TRUE;
  adw_combo_row_set_selected (self->mode, 0);
  for (guint i = 0; i < self->kinds->len; i++)
    if (g_array_index (self->kinds, SondeAppProtocolKind, i) == kind)
      adw_combo_row_set_selected (self->mode, i);
  lines = options != NULL && options->subscriptions != NULL ? g_strjoinv ("\n", options->subscriptions) : NULL;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->subscriptions), lines != NULL ? lines : "", -1);
  set_entry (self->nsp, options != NULL ? options->nsp : NULL);
  set_entry (self->auth, options != NULL ? options->auth : NULL);
  set_entry (self->client_id, options != NULL ? options->client_id : NULL);
  set_entry (self->host, options != NULL ? options->host : NULL);
  adw_combo_row_set_selected (self->mqtt_version, options != NULL && options->mqtt_version == 5 ? 1 : 0);
  adw_combo_row_set_selected (self->qos, options != NULL && options->qos == 1 ? 1 : 0);
  gtk_spin_button_set_value (self->keepalive, options != NULL && options->keepalive_s > 0 ? options->keepalive_s : 30);
  self->loading = FALSE;
  sync_rows (self);
  check (self);
}

const char *
sonde_app_protocol_editor_get_error (SondeAppProtocolEditor *self)
{
  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL_EDITOR (self), NULL);
  return self->error;
}

GtkWidget *
sonde_app_protocol_editor_get_mode_row (SondeAppProtocolEditor *self)
{
  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL_EDITOR (self), NULL);
  return GTK_WIDGET (self->mode);
}

static AdwEntryRow *
add_entry (SondeAppProtocolEditor *self,
           const char             *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  return ADW_ENTRY_ROW (row);
}

static AdwComboRow *
add_combo (SondeAppProtocolEditor *self,
           const char             *title,
           const char * const     *items)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) list = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  return ADW_COMBO_ROW (row);
}

static void
sonde_app_protocol_editor_finalize (GObject *object)
{
  SondeAppProtocolEditor *self = SONDE_APP_PROTOCOL_EDITOR (object);

  g_array_unref (self->kinds);
  g_free (self->error);
  G_OBJECT_CLASS (sonde_app_protocol_editor_parent_class)->finalize (object);
}

static void
sonde_app_protocol_editor_class_init (SondeAppProtocolEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_app_protocol_editor_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
sonde_app_protocol_editor_init (SondeAppProtocolEditor *self)
{
  g_autoptr(GtkStringList) modes = gtk_string_list_new (NULL);
  static const char * const versions[] = { "3.1.1", "5", NULL };
  static const char * const qos[] = { "0", "1", NULL };
  GtkWidget *row;
  GtkWidget *spin;
  GtkWidget *view;

  self->kinds = g_array_new (FALSE, FALSE, sizeof (SondeAppProtocolKind));
  for (SondeAppProtocolKind k = SONDE_APP_PROTOCOL_NONE; k <= SONDE_APP_PROTOCOL_KIND_LAST; k++)
    if (sonde_app_protocol_kind_is_spoken (k))
      {
        g_array_append_val (self->kinds, k);
        gtk_string_list_append (modes, kind_title (k));
      }

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Protocol"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
    _("An application protocol spoken over the WebSocket: kept alive, its subscriptions sent again after "
      "every reconnect, each message shown as what it is"));

  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Mode"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (modes));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  self->mode = ADW_COMBO_ROW (row);

  self->subscriptions_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (self->subscriptions_box, 12);
  {
    GtkWidget *title = gtk_label_new (_("Subscriptions"));

    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_widget_add_css_class (title, "heading");
    gtk_box_append (GTK_BOX (self->subscriptions_box), title);
  }
  view = gtk_text_view_new ();
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_widget_set_size_request (view, -1, 64);
  gtk_widget_add_css_class (view, "card");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subscriptions"), -1);
  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed", G_CALLBACK (on_changed),
                            self);
  self->subscriptions = GTK_TEXT_VIEW (view);
  gtk_box_append (GTK_BOX (self->subscriptions_box), view);
  self->subscriptions_hint = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subscriptions_hint, 0);
  gtk_label_set_wrap (self->subscriptions_hint, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->subscriptions_hint), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->subscriptions_hint), "caption");
  gtk_box_append (GTK_BOX (self->subscriptions_box), GTK_WIDGET (self->subscriptions_hint));

  self->nsp = add_entry (self, _("Namespace (/ by default)"));
  self->auth = add_entry (self, _("Auth payload (JSON)"));
  self->client_id = add_entry (self, _("Client ID (generated when empty)"));
  self->mqtt_version = add_combo (self, _("MQTT version"), versions);
  self->qos = add_combo (self, _("Subscription QoS"), qos);
  self->host = add_entry (self, _("Host header (the URL's host when empty)"));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Keepalive"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Seconds between MQTT pings or STOMP heart-beats"));
  spin = gtk_spin_button_new_with_range (1, 3600, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 30);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  self->keepalive_row = ADW_ACTION_ROW (row);
  self->keepalive = GTK_SPIN_BUTTON (spin);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->subscriptions_box);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_margin_top (GTK_WIDGET (self->error_label), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->error_label));

  sync_rows (self);
}

GtkWidget *
sonde_app_protocol_editor_new (void)
{
  return g_object_new (SONDE_TYPE_APP_PROTOCOL_EDITOR, NULL);
}
