/* sonde-connection-panel.c: the handshake and the live numbers of a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the protocol said (request and response headers, the negotiated
 * subprotocol and extensions, the close code and what it means) and what is
 * flowing (rates each way, totals, what retention evicted). The numbers are
 * refreshed twice a second while the panel is on screen.
 *
 * A recorded session's page shows the same panel over what was recorded
 * (sonde_connection_panel_set_recorded()): the handshake read back from its
 * record, how the session ended, and no live numbers.
 */

#define G_LOG_DOMAIN "sonde-connection-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-connection-panel.h"
#include "sonde-gui-util.h"
#include "sonde-hex.h"
#include "sonde-text.h"

#define REFRESH_MS 500

struct _SondeConnectionPanel
{
  GtkWidget             parent_instance;

  /* template widgets */
  AdwPreferencesGroup  *connection_group;
  AdwPreferencesGroup  *traffic_group;
  AdwPreferencesGroup  *timings_group;
  GtkLabel             *request_label;
  GtkLabel             *response_label;
  AdwPreferencesGroup  *body_group;
  GtkLabel             *body_label;      /* text, wrapped */
  GtkWidget            *body_hex_scroller;
  GtkLabel             *body_hex_label;  /* a hex dump, scrolled sideways */

  /* owned */
  SondeConnection      *connection;
  GHashTable           *values;      /* key → GtkLabel (borrowed) */
  gboolean              recorded;    /* shows a recording, not the connection */
  SondeHandshake       *recorded_handshake;
  char                 *recorded_url;
  char                 *recorded_close;

  guint                 refresh_id;
};

G_DEFINE_FINAL_TYPE (SondeConnectionPanel, sonde_connection_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
add_row (SondeConnectionPanel *self,
         AdwPreferencesGroup  *group,
         const char           *key,
         const char           *title)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new ("—");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* A long value (a close reason, an error) wraps, whole, instead of
   * being cut, and it does not squeeze the title: "Close" stays one word
   * (it was hyphenated "Cl-ose"). */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_width_chars (GTK_LABEL (label), 12);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (group, row);

  g_hash_table_insert (self->values, (gpointer) key, label);
}

static void
set_value (SondeConnectionPanel *self,
           const char           *key,
           const char           *value)
{
  GtkLabel *label = g_hash_table_lookup (self->values, key);

  g_return_if_fail (label != NULL);

  if (value == NULL || *value == '\0')
    value = "—";
  if (g_strcmp0 (gtk_label_get_label (label), value) != 0)
    {
      gtk_label_set_label (label, value);
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), value);
    }
}

static void
set_escaped (SondeConnectionPanel *self,
             const char           *key,
             const char           *value)
{
  g_autofree char *escaped = NULL;

  if (value != NULL)
    escaped = sonde_text_escape ((const guint8 *) value, strlen (value), SONDE_ESCAPE_NONE, 4096, NULL);
  set_value (self, key, escaped);
}

static char *
format_rate (double messages,
             double bytes)
{
  g_autofree char *size = sonde_format_size ((guint64) (bytes + 0.5));

  return g_strdup_printf (_("%'.0f msg/s · %s/s"), messages, size);
}

/* "1,204 frames · 12 control (close, ping, pong)". */
static char *
format_frames (guint64 frames,
               guint64 control)
{
  g_autofree char *all = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " frame",
                                                       "%'" PRIu64 " frames", frames), frames);

  /* Translators: the first %s is "N frames"; control frames are close, ping and pong. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %'" PRIu64 " control (close, ping, pong)",
                                       "%s · %'" PRIu64 " control (close, ping, pong)", control),
                          all, control);
}

static char *
format_total (guint64 messages,
              guint64 bytes)
{
  g_autofree char *size = sonde_format_size (bytes);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " message · %s",
                                       "%'" PRIu64 " messages · %s", messages),
                          messages, size);
}

static char *
format_ms (double ms)
{
  if (ms < 0)
    return g_strdup (_("not used"));
  return g_strdup_printf (_("%.1f ms"), ms);
}

static char *
format_headers (SondeHandshake *handshake,
                gboolean        request)
{
  GString *out = g_string_new (NULL);
  guint n;

  if (request)
    {
      g_string_append (out, sonde_handshake_get_request_line (handshake));
      n = sonde_handshake_get_n_request_headers (handshake);
    }
  else
    {
      g_string_append (out, sonde_handshake_get_status_line (handshake));
      n = sonde_handshake_get_n_response_headers (handshake);
    }

  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      if (request)
        sonde_handshake_get_request_header (handshake, i, &name, &value);
      else
        sonde_handshake_get_response_header (handshake, i, &name, &value);
      g_string_append_printf (out, "\n%s: %s", name, value);
    }

  /* Header values come from the peer: shown as data. */
  {
    g_autofree char *escaped = sonde_text_escape ((const guint8 *) out->str, out->len,
                                                  SONDE_ESCAPE_KEEP_NEWLINES, 0, NULL);
    g_string_free (out, TRUE);
    return g_steal_pointer (&escaped);
  }
}

/* The body of a refused handshake's response: text as text, anything
 * else as a hex dump; hidden when there is none. */
static void
refresh_body (SondeConnectionPanel *self,
              SondeHandshake       *handshake)
{
  gboolean truncated = FALSE;
  GBytes *body = handshake != NULL ? sonde_handshake_get_response_body (handshake, &truncated) : NULL;
  const guint8 *data;
  gsize size;
  gboolean text;
  g_autofree char *shown = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->body_group), body != NULL);
  if (body == NULL)
    return;

  data = g_bytes_get_data (body, &size);
  text = g_utf8_validate_len ((const char *) data, size, NULL) && memchr (data, '\0', size) == NULL;
  if (text)
    shown = sonde_text_escape (data, size, SONDE_ESCAPE_KEEP_NEWLINES, 0, NULL);
  else
    shown = sonde_hex_dump (data, size, 0);
  /* Text wraps; a hex dump keeps its lines and scrolls sideways. */
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), text);
  gtk_widget_set_visible (self->body_hex_scroller, !text);
  gtk_label_set_label (text ? self->body_label : self->body_hex_label, size > 0 ? shown : _("(empty)"));
  adw_preferences_group_set_description (self->body_group,
                                         truncated ? _("The server’s answer, its first 64 KiB")
                                                   : _("The server’s answer"));
}

static void
refresh_handshake (SondeConnectionPanel *self)
{
  SondeHandshake *handshake = self->recorded ? self->recorded_handshake
                                             : sonde_connection_get_handshake (self->connection);
  SondeHandshakeTimings timings = { -1, -1, -1, -1, -1 };

  if (handshake != NULL)
    {
      g_autofree char *request = format_headers (handshake, TRUE);
      g_autofree char *response = format_headers (handshake, FALSE);

      gtk_label_set_label (self->request_label, request);
      gtk_label_set_label (self->response_label, response);
      sonde_handshake_get_timings (handshake, &timings);
      set_escaped (self, "extensions", sonde_handshake_get_extensions (handshake));
    }
  else
    {
      gtk_label_set_label (self->request_label, _("No handshake yet"));
      gtk_label_set_label (self->response_label, _("No handshake yet"));
      set_value (self, "extensions", NULL);
    }
  refresh_body (self, handshake);

  {
    g_autofree char *dns = handshake ? format_ms (timings.dns_ms) : NULL;
    g_autofree char *connect = handshake ? format_ms (timings.connect_ms) : NULL;
    g_autofree char *tls = handshake ? format_ms (timings.tls_ms) : NULL;
    g_autofree char *upgrade = handshake ? format_ms (timings.upgrade_ms) : NULL;
    g_autofree char *total = handshake ? format_ms (timings.total_ms) : NULL;

    set_value (self, "dns", dns);
    set_value (self, "connect", connect);
    set_value (self, "tls", tls);
    set_value (self, "upgrade", upgrade);
    set_value (self, "total", total);
  }
}

static void
refresh_state (SondeConnectionPanel *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  guint code = sonde_connection_get_close_code (self->connection);
  const GError *error = sonde_connection_get_error (self->connection);
  const char *label = NULL;

  if (self->recorded)
    {
      SondeHandshake *handshake = self->recorded_handshake;

      set_value (self, "state", _("Recorded"));
      set_escaped (self, "url", self->recorded_url);
      set_escaped (self, "protocol", handshake != NULL ? sonde_handshake_get_protocol (handshake) : NULL);
      set_value (self, "close", self->recorded_close);
      refresh_handshake (self);
      return;
    }

  sonde_state_describe (state, &label, NULL, NULL);
  set_value (self, "state", label);
  set_escaped (self, "url", sonde_connection_get_url (self->connection));
  set_escaped (self, "protocol", sonde_connection_get_protocol (self->connection));

  if (code != 0)
    {
      const char *reason = sonde_connection_get_close_reason (self->connection);
      g_autofree char *escaped = reason ? sonde_text_escape ((const guint8 *) reason, strlen (reason),
                                                             SONDE_ESCAPE_NONE, 256, NULL) : NULL;
      g_autofree char *close = g_strdup_printf ("%u %s%s%s%s", code, _(sonde_close_code_describe (code)),
                                                escaped && *escaped ? " · “" : "",
                                                escaped && *escaped ? escaped : "",
                                                escaped && *escaped ? "”" : "");
      set_value (self, "close", close);
    }
  else if (state == SONDE_CONNECTION_STATE_FAILED && error != NULL)
    set_value (self, "close", error->message);
  else
    set_value (self, "close", NULL);

  refresh_handshake (self);
}

static gboolean
on_refresh (gpointer data)
{
  sonde_connection_panel_refresh (data);
  return G_SOURCE_CONTINUE;
}

static void
sonde_connection_panel_map (GtkWidget *widget)
{
  SondeConnectionPanel *self = SONDE_CONNECTION_PANEL (widget);

  GTK_WIDGET_CLASS (sonde_connection_panel_parent_class)->map (widget);

  sonde_connection_panel_refresh (self);
  if (self->refresh_id == 0 && !self->recorded)
    self->refresh_id = g_timeout_add (REFRESH_MS, on_refresh, self);
}

static void
sonde_connection_panel_unmap (GtkWidget *widget)
{
  SondeConnectionPanel *self = SONDE_CONNECTION_PANEL (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  GTK_WIDGET_CLASS (sonde_connection_panel_parent_class)->unmap (widget);
}

static void
sonde_connection_panel_constructed (GObject *object)
{
  SondeConnectionPanel *self = (SondeConnectionPanel *) object;

  G_OBJECT_CLASS (sonde_connection_panel_parent_class)->constructed (object);

  g_signal_connect_object (self->connection, "notify::state",
                           G_CALLBACK (refresh_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "notify::handshake",
                           G_CALLBACK (refresh_state), self, G_CONNECT_SWAPPED);
  sonde_connection_panel_refresh (self);
}

static void
sonde_connection_panel_dispose (GObject *object)
{
  SondeConnectionPanel *self = (SondeConnectionPanel *) object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_CONNECTION_PANEL);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->recorded_handshake, sonde_handshake_unref);
  g_clear_pointer (&self->recorded_url, g_free);
  g_clear_pointer (&self->recorded_close, g_free);

  G_OBJECT_CLASS (sonde_connection_panel_parent_class)->dispose (object);
}

static void
sonde_connection_panel_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SondeConnectionPanel *self = SONDE_CONNECTION_PANEL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_panel_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  SondeConnectionPanel *self = SONDE_CONNECTION_PANEL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_panel_class_init (SondeConnectionPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_connection_panel_constructed;
  object_class->dispose = sonde_connection_panel_dispose;
  object_class->get_property = sonde_connection_panel_get_property;
  object_class->set_property = sonde_connection_panel_set_property;

  widget_class->map = sonde_connection_panel_map;
  widget_class->unmap = sonde_connection_panel_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-connection-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, connection_group);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, traffic_group);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, timings_group);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, request_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, response_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, body_group);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, body_label);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, body_hex_scroller);
  gtk_widget_class_bind_template_child (widget_class, SondeConnectionPanel, body_hex_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondeconnectionpanel");
}

static void
sonde_connection_panel_init (SondeConnectionPanel *self)
{
  self->values = g_hash_table_new (g_str_hash, g_str_equal);

  gtk_widget_init_template (GTK_WIDGET (self));

  add_row (self, self->connection_group, "state", _("State"));
  add_row (self, self->connection_group, "url", _("URL"));
  add_row (self, self->connection_group, "protocol", _("Subprotocol"));
  add_row (self, self->connection_group, "extensions", _("Extensions"));
  add_row (self, self->connection_group, "close", _("Close"));

  add_row (self, self->traffic_group, "in-rate", _("Receiving"));
  add_row (self, self->traffic_group, "out-rate", _("Sending"));
  add_row (self, self->traffic_group, "received", _("Received"));
  add_row (self, self->traffic_group, "sent", _("Sent"));
  add_row (self, self->traffic_group, "frames-in", _("Frames received"));
  add_row (self, self->traffic_group, "frames-out", _("Frames sent"));
  add_row (self, self->traffic_group, "log", _("In the log"));
  add_row (self, self->traffic_group, "evicted", _("Evicted by retention"));

  add_row (self, self->timings_group, "dns", _("DNS lookup"));
  add_row (self, self->timings_group, "connect", _("TCP connect"));
  add_row (self, self->timings_group, "tls", _("TLS handshake"));
  add_row (self, self->timings_group, "upgrade", _("WebSocket upgrade"));
  add_row (self, self->timings_group, "total", _("Total"));
}

GtkWidget *
sonde_connection_panel_new (SondeConnection *connection)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  return g_object_new (SONDE_TYPE_CONNECTION_PANEL, "connection", connection, NULL);
}

/* Reads the connection's numbers now. */
void
sonde_connection_panel_refresh (SondeConnectionPanel *self)
{
  SondeMessageLog *log;
  SondeStats stats;

  g_return_if_fail (SONDE_IS_CONNECTION_PANEL (self));

  if (self->recorded)
    {
      refresh_state (self);
      return;
    }
  log = sonde_connection_get_log (self->connection);
  sonde_connection_get_stats (self->connection, &stats);

  {
    g_autofree char *in_rate = format_rate (stats.messages_in_per_s, stats.bytes_in_per_s);
    g_autofree char *out_rate = format_rate (stats.messages_out_per_s, stats.bytes_out_per_s);
    g_autofree char *received = format_total (stats.messages_in, stats.bytes_in);
    g_autofree char *sent = format_total (stats.messages_out, stats.bytes_out);
    g_autofree char *frames_in = format_frames (stats.frames_in, stats.control_in);
    g_autofree char *frames_out = format_frames (stats.frames_out, stats.control_out);
    g_autofree char *size = sonde_format_size (sonde_message_log_get_n_bytes (log));
    g_autofree char *in_log = g_strdup_printf (_("%'u records · %s"),
                                               sonde_message_log_get_n_records (log), size);
    g_autofree char *evicted = g_strdup_printf ("%'" G_GUINT64_FORMAT,
                                                sonde_message_log_get_n_evicted (log));

    set_value (self, "in-rate", in_rate);
    set_value (self, "out-rate", out_rate);
    set_value (self, "received", received);
    set_value (self, "sent", sent);
    set_value (self, "frames-in", frames_in);
    set_value (self, "frames-out", frames_out);
    set_value (self, "log", in_log);
    set_value (self, "evicted", evicted);
  }

  refresh_state (self);
}

/* The text of a value row ("state", "protocol", "close", "received", …),
 * for tests and accessibility checks. */
const char *
sonde_connection_panel_get_value (SondeConnectionPanel *self,
                                  const char           *key)
{
  GtkLabel *label;

  g_return_val_if_fail (SONDE_IS_CONNECTION_PANEL (self), NULL);

  label = g_hash_table_lookup (self->values, key);
  return label ? gtk_label_get_label (label) : NULL;
}

/* Shows a recording instead of the connection: @handshake (NULL: none was
 * recorded), the address it was made to, and how the session ended
 * (@close, already in words; NULL: not known). The live numbers go. */
void
sonde_connection_panel_set_recorded (SondeConnectionPanel *self,
                                     SondeHandshake       *handshake,
                                     const char           *url,
                                     const char           *close)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PANEL (self));

  self->recorded = TRUE;
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->recorded_handshake, sonde_handshake_unref);
  if (handshake != NULL)
    self->recorded_handshake = sonde_handshake_ref (handshake);
  g_free (self->recorded_url);
  self->recorded_url = g_strdup (url);
  g_free (self->recorded_close);
  self->recorded_close = g_strdup (close);
  gtk_widget_set_visible (GTK_WIDGET (self->traffic_group), FALSE);
  refresh_state (self);
}
