/* sonde-profile-editor-draft.c: the profile editor's rows and its draft,
 * both ways
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading fills the rows from the draft (lists as lines, messages as rows,
 * notification rules as match lines and threshold lines); storing reads
 * them back into the draft, which is then validated.
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

/* Short names for the two helpers every row below goes through. */
#define field              sonde_profile_editor_field
#define text_view_dup_text sonde_profile_editor_text_view_dup_text

GtkWidget *
sonde_profile_editor_field (SondeProfileEditor *self,
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

void
sonde_profile_editor_load_draft (SondeProfileEditor *self)
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
  sonde_integrity_editor_set_rules (self->integrity, sonde_profile_get_integrity (p));
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
    sonde_profile_editor_add_message_row (self, self->on_open_box, self->on_open_rows, FALSE, g_ptr_array_index (messages, i));
  messages = sonde_profile_get_templates (p);
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    sonde_profile_editor_add_message_row (self, self->templates_box, self->template_rows, TRUE, g_ptr_array_index (messages, i));

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
void
sonde_profile_editor_store_draft (SondeProfileEditor *self)
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
  {
    g_autoptr(JsonNode) rules = sonde_integrity_editor_dup_rules (self->integrity);

    sonde_profile_set_integrity (p, rules);
  }

  sonde_profile_set_on_open (p, on_open);
  sonde_profile_set_templates (p, templates);
  g_object_thaw_notify (G_OBJECT (p));
}
