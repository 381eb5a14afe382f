/* sonde-history-page.c: one recorded session, read-only: its log, charts
 * and handshake, with jump to a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page composes the widgets of a live page over a connection that
 * never connects: its SondeMessageLog is filled from the recording, so the
 * log view (filter, detail), the charts (the profile's definitions, their
 * series fed by the log as for a live connection) and the message detail
 * work as they do live. There is no composer and no connect.
 *
 * Loading runs on a worker thread with a store object of its own (a
 * reader: the recorder of the same file goes on meanwhile). Records come
 * in chunks, the first one small so that the first screen shows at once,
 * and a bounded queue between the threads holds the worker back when the
 * window is slower. The log's retention is raised to fit the session up to
 * SONDE_HISTORY_PAGE_MAX_BYTES; past it the newest part stays, and jumping
 * to a time that is no longer held loads again from that time.
 *
 * The log numbers its records itself: the page keeps the recording's seq
 * of each (in the log's order) to map one to the other.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-connection.h"
#include "sonde-export-dialog.h"
#include "sonde-history-item.h"
#include "sonde-history-page-private.h"
#include "sonde-message-detail.h"
#include "sonde-session.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

G_DEFINE_FINAL_TYPE (SondeHistoryPage, sonde_history_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PATH,
  PROP_SESSION_ID,
  PROP_PROFILE,
  PROP_MAX_BYTES,
  PROP_TITLE,
  PROP_LOADING,
  PROP_REPLAY,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
sonde_history_page_notify_loading (SondeHistoryPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Actions ------------------------------------------------------------------ */

static void on_scale_changed (SondeHistoryPage *self);

/* The connection panel over the recording: its handshake record's JSON
 * (@data, or none yet), its address and how it ended. */
void
sonde_history_page_show_handshake (SondeHistoryPage *self,
                                   const guint8     *data,
                                   gsize             length)
{
  g_autoptr(SondeHandshake) handshake = NULL;
  g_autoptr(SondeHistoryItem) item = NULL;
  g_autofree char *ending = NULL;
  g_autoptr(GError) error = NULL;

  if (data != NULL)
    {
      handshake = sonde_handshake_new_from_json ((const char *) data, length, &error);
      if (handshake == NULL)
        g_debug ("The recorded handshake does not read back: %s", error->message);
    }
  if (self->session != NULL)
    {
      item = sonde_history_item_new_session (self->session, FALSE);
      ending = sonde_history_item_dup_ending (item);
    }
  sonde_connection_panel_set_recorded (self->panel, handshake,
                                       self->session != NULL ? self->session->url : NULL, ending);
}

static void
on_selected_changed (SondeHistoryPage *self)
{
  SondeMessage *message = sonde_log_view_get_selected (self->log_view);

  sonde_message_detail_set_message (self->detail, message);
  if (message != NULL)
    gtk_stack_set_visible_child_name (self->side_stack, "message");
  /* The slider follows the record selected, without jumping again. */
  if (message != NULL && self->session != NULL)
    {
      g_signal_handlers_block_by_func (self->time_scale, on_scale_changed, self);
      gtk_range_set_value (GTK_RANGE (self->time_scale),
                           (double) (sonde_message_get_wall_us (message) - self->session->start_us) / G_USEC_PER_SEC);
      g_signal_handlers_unblock_by_func (self->time_scale, on_scale_changed, self);
    }
}

static gboolean
on_scale_settled (gpointer data)
{
  SondeHistoryPage *self = data;
  g_autoptr(GError) error = NULL;
  double offset = gtk_range_get_value (GTK_RANGE (self->time_scale));

  self->scale_id = 0;
  if (self->session != NULL &&
      !sonde_history_page_jump_to_time (self, self->session->start_us + (gint64) (offset * G_USEC_PER_SEC), &error))
    {
      gtk_label_set_label (self->note_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
  return G_SOURCE_REMOVE;
}

/* Dragging moves through the session: the record at the time under the
 * slider is selected once it rests for a moment. */
static void
on_scale_changed (SondeHistoryPage *self)
{
  g_clear_handle_id (&self->scale_id, g_source_remove);
  self->scale_id = g_timeout_add (150, on_scale_settled, self);
}

static void
on_chart_field (SondeHistoryPage *self,
                const char       *path,
                const char       *where,
                const char       *split)
{
  g_autoptr(GError) error = NULL;

  if (!sonde_charts_panel_add_split (self->charts, path, where, split, SONDE_CHARTS_NEW_CHART, &error))
    {
      gtk_label_set_label (self->note_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->charts), TRUE);
}

static void
on_time_activate (SondeHistoryPage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 wall_us;

  if (!sonde_history_parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_entry)),
                                 self->session != NULL ? self->session->start_us : 0, &wall_us, &error) ||
      !sonde_history_page_jump_to_time (self, wall_us, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->time_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_entry), error->message);
      gtk_label_set_label (self->note_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->time_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_entry), _("Jump to a local time (Enter)"));
}

static void
on_handshake_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (widget);

  gtk_stack_set_visible_child_name (self->side_stack, "connection");
}

static void
on_export_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (widget);
  GtkWidget *dialog;

  if (self->session == NULL)
    return;
  dialog = sonde_export_dialog_new_for_recording (self->path, self->session,
                                                  self->profile != NULL ? sonde_profile_get_name (self->profile) : NULL);
  sonde_export_dialog_set_view (SONDE_EXPORT_DIALOG (dialog), sonde_history_page_get_log (self),
                                sonde_log_view_get_model (self->log_view), NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_focus_time_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->time_entry));
}

/* GObject ------------------------------------------------------------------ */

static void
set_note_for_size (SondeHistoryPage *self)
{
  g_autofree char *size = NULL;
  g_autofree char *cap = NULL;
  g_autofree char *text = NULL;

  if (self->session == NULL || self->session->bytes <= self->max_bytes)
    return;

  size = g_format_size (self->session->bytes);
  cap = g_format_size (self->max_bytes);
  /* Translators: the first %s is the size of a recorded session, the second the most a page holds. */
  text = g_strdup_printf (_("This session holds %s, more than a page keeps (%s): the newest part is shown. "
                            "Jump to a time to load from there."), size, cap);
  gtk_label_set_label (self->note_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
}

static void
sonde_history_page_constructed (GObject *object)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (object);
  SondeMessageLog *log;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeChartList) list = sonde_chart_list_new ();
  g_autoptr(SondeSeriesFeed) feed = NULL;
  g_autofree char *start = NULL;
  const char *name = self->profile != NULL ? sonde_profile_get_name (self->profile) : NULL;

  G_OBJECT_CLASS (sonde_history_page_parent_class)->constructed (object);

  {
    g_autoptr(SondeStore) store = sonde_history_page_open_store (self, &error);

    if (store != NULL)
      self->session = sonde_store_get_session (store, self->session_id, &error);
  }

  /* A replay plays into a session of its own, whose connection holds the
   * log; the recording's size is the player's concern. */
  if (self->replay && self->session != NULL && !sonde_history_page_replay_prepare (self, &error))
    g_clear_pointer (&self->session, sonde_store_session_free);
  if (self->connection == NULL)
    self->connection = sonde_connection_new ();
  log = sonde_connection_get_log (self->connection);
  if (self->session != NULL)
    sonde_message_log_set_max_count (log, (guint) MIN (MAX (self->session->records + 64,
                                                            SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT), G_MAXUINT));
  sonde_message_log_set_max_bytes (log, self->max_bytes);

  /* Read through the profile's decoder chain, as live (a replay's session
   * has it already). */
  if (self->profile != NULL && self->live == NULL)
    {
      g_autoptr(GError) decode_error = NULL;
      SondeDecoder *decoder = sonde_decoder_new_for_profile (self->profile, &decode_error);

      if (decode_error != NULL)
        g_debug ("“%s”: its decoder chain: %s", name, decode_error->message);
      else if (decoder != NULL && !sonde_decoder_attach_to_log (decoder, log))
        g_debug ("a zlib-stream chain is not applied to recordings");
    }

  self->log_view = SONDE_LOG_VIEW (sonde_log_view_new (log));
  sonde_log_view_set_following (self->log_view, self->live != NULL);
  sonde_log_view_set_placeholder (self->log_view, _("No Messages"), _("This recording holds no message."),
                                  NULL, NULL);
  gtk_widget_set_vexpand (GTK_WIDGET (self->log_view), TRUE);

  if (self->live != NULL)
    {
      /* The session's own, with the profile's charts (the player's). */
      feed = g_object_ref (sonde_session_get_feed (self->live));
      g_set_object (&list, sonde_session_get_charts (self->live));
    }
  else
    feed = sonde_series_feed_new (self->connection);
  if (self->live == NULL && self->profile != NULL && sonde_profile_get_charts (self->profile) != NULL)
    {
      g_autoptr(GError) chart_error = NULL;

      if (!sonde_chart_list_load_json (list, sonde_profile_get_charts (self->profile), &chart_error))
        g_debug ("Charts of the recording: %s", chart_error->message);
    }
  /* A recording is shown whole, not its last minute before now. */
  sonde_chart_list_set_window_s (list, 0);
  self->charts = SONDE_CHARTS_PANEL (sonde_charts_panel_new (self->connection, feed, list));
  gtk_widget_set_visible (GTK_WIDGET (self->charts), !sonde_chart_list_is_empty (list));
  gtk_paned_set_start_child (self->log_paned, GTK_WIDGET (self->charts));
  gtk_paned_set_end_child (self->log_paned, GTK_WIDGET (self->log_view));
  gtk_paned_set_shrink_start_child (self->log_paned, FALSE);
  gtk_paned_set_shrink_end_child (self->log_paned, FALSE);
  gtk_paned_set_position (self->log_paned, 280);

  /* The side pane as on a live page: the message, or the connection (its
   * recorded handshake and how it ended). */
  self->detail = SONDE_MESSAGE_DETAIL (sonde_message_detail_new ());
  self->panel = SONDE_CONNECTION_PANEL (sonde_connection_panel_new (self->connection));
  self->side_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->side_stack), TRUE);
  gtk_stack_add_titled (self->side_stack, GTK_WIDGET (self->detail), "message", _("Message"));
  gtk_stack_add_titled (self->side_stack, GTK_WIDGET (self->panel), "connection", _("Connection"));
  {
    GtkWidget *switcher = gtk_stack_switcher_new ();

    gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), self->side_stack);
    gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
    gtk_widget_set_margin_top (switcher, 6);
    gtk_widget_set_margin_bottom (switcher, 3);
    gtk_box_append (self->side_box, switcher);
  }
  gtk_box_append (self->side_box, GTK_WIDGET (self->side_stack));
  sonde_history_page_show_handshake (self, NULL, 0);
  g_signal_connect_object (self->log_view, "notify::selected", G_CALLBACK (on_selected_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail, "chart-field", G_CALLBACK (on_chart_field), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sonde_log_view_get_model (self->log_view), "items-changed",
                           G_CALLBACK (sonde_log_view_mark_seen), self->log_view, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (sonde_log_view_get_model (self->log_view), "items-changed",
                           G_CALLBACK (sonde_history_page_select_pending), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  if (self->session == NULL)
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("The recording could not be read: %s"),
                                     error != NULL ? error->message : _("no such session"));
      self->title = g_strdup (_("Recording"));
      gtk_label_set_label (self->note_label, self->error);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->load_bar), FALSE);
      gtk_label_set_label (self->title_label, self->title);
      return;
    }

  start = sonde_history_format_time (self->session->start_us, TRUE);
  /* A profile this desktop does not have (a shared history's): the name
   * it was recorded under. */
  if (name == NULL)
    name = self->session->profile_name;
  if (name != NULL && *name != '\0')
    /* Translators: a recorded session's tab: the profile's name, then the start time. */
    self->title = g_strdup_printf (_("Recording: %s, %s"), name, start);
  else
    /* Translators: a recorded ad-hoc session's tab; %s is its start time. */
    self->title = g_strdup_printf (_("Recording: %s"), start);
  gtk_label_set_label (self->title_label, self->title);
  {
    g_autofree char *size = g_format_size (self->session->bytes);
    g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, self->session->messages);
    /* Translators: under a recording's title: its URL, number of messages and size. */
    g_autofree char *subtitle = g_strdup_printf (_("%s · %s messages · %s · read-only"),
                                                 self->session->url != NULL ? self->session->url : "", n, size);

    gtk_label_set_label (self->subtitle_label, subtitle);
  }
  {
    /* The slider spans the session (until now for one not ended). */
    gint64 end_us = self->session->end_us > 0 ? self->session->end_us : g_get_real_time ();
    double span = MAX (1.0, (double) (end_us - self->session->start_us) / G_USEC_PER_SEC);

    g_signal_handlers_block_by_func (self->time_scale, on_scale_changed, self);
    gtk_range_set_range (GTK_RANGE (self->time_scale), 0, span);
    gtk_range_set_value (GTK_RANGE (self->time_scale), 0);
    g_signal_handlers_unblock_by_func (self->time_scale, on_scale_changed, self);
  }
  if (self->live != NULL)
    {
      sonde_history_page_replay_start (self);
      return;
    }
  set_note_for_size (self);
  sonde_history_page_start_loading (self, 0);
}

static void
sonde_history_page_dispose (GObject *object)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (object);

  sonde_history_page_drop_loader (self);
  g_clear_handle_id (&self->scale_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_HISTORY_PAGE);
  /* The template's box is not bound: unparented here. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->player);
  g_clear_object (&self->live);
  g_clear_object (&self->connection);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (sonde_history_page_parent_class)->dispose (object);
}

static void
sonde_history_page_finalize (GObject *object)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (object);

  if (self->path != NULL)
    explicit_bzero (self->path, strlen (self->path));
  g_free (self->path);
  g_clear_object (&self->store);
  g_free (self->title);
  g_free (self->error);
  g_clear_pointer (&self->session, sonde_store_session_free);
  g_array_unref (self->seqs);

  G_OBJECT_CLASS (sonde_history_page_parent_class)->finalize (object);
}

static void
sonde_history_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->session_id);
      break;
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loader != NULL);
      break;
    case PROP_REPLAY:
      g_value_set_boolean (value, self->replay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_history_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeHistoryPage *self = SONDE_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_SESSION_ID:
      self->session_id = g_value_get_int64 (value);
      break;
    case PROP_PROFILE:
      self->profile = g_value_dup_object (value);
      break;
    case PROP_MAX_BYTES:
      self->max_bytes = g_value_get_uint64 (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_REPLAY:
      self->replay = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_history_page_class_init (SondeHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_history_page_constructed;
  object_class->dispose = sonde_history_page_dispose;
  object_class->finalize = sonde_history_page_finalize;
  object_class->get_property = sonde_history_page_get_property;
  object_class->set_property = sonde_history_page_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION_ID] =
    g_param_spec_int64 ("session-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SONDE_TYPE_PROFILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Payload bytes the page holds at most (tests make it small). */
  properties[PROP_MAX_BYTES] =
    g_param_spec_uint64 ("max-bytes", NULL, NULL, 1024, G_MAXUINT64, SONDE_HISTORY_PAGE_MAX_BYTES,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Plays the session into the page as if live (a transport bar) instead
   * of loading it whole. */
  properties[PROP_REPLAY] =
    g_param_spec_boolean ("replay", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SONDE_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SONDE_TYPE_REPLAY_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, time_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, time_scale);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, note_label);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, paned);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, log_paned);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, load_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryPage, side_box);
  gtk_widget_class_bind_template_callback (widget_class, on_time_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_scale_changed);

  gtk_widget_class_install_action (widget_class, "recording.handshake", NULL, on_handshake_action);
  gtk_widget_class_install_action (widget_class, "recording.export", NULL, on_export_action);
  gtk_widget_class_install_action (widget_class, "recording.focus-time", NULL, on_focus_time_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, GDK_CONTROL_MASK, "recording.focus-time", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sonde_history_page_init (SondeHistoryPage *self)
{
  self->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->max_bytes = SONDE_HISTORY_PAGE_MAX_BYTES;
  self->pending_seq = G_MAXUINT64;
  self->handshake_seq = G_MAXUINT64;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "recording.handshake", FALSE);
}

GtkWidget *
sonde_history_page_new (const char   *path,
                        gint64        session_id,
                        SondeProfile *profile)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_HISTORY_PAGE, "path", path, "session-id", session_id, "profile", profile, NULL);
}

/* The store the page reads (a new reference): the one it was given, or
 * the database at its path opened now (a file: quick). */
SondeStore *
sonde_history_page_open_store (SondeHistoryPage  *self,
                               GError           **error)
{
  if (self->store != NULL)
    return g_object_ref (self->store);
  return sonde_store_open_uri (self->path, SONDE_STORE_OPEN_READ_ONLY, error);
}

/* As sonde_history_page_new() or _new_replay(), reading @store (opened
 * already: a shared history's, connected on a worker) rather than opening
 * @path on the main thread; the loader still opens its own on its thread. */
GtkWidget *
sonde_history_page_new_for_store (const char   *path,
                                  SondeStore   *store,
                                  gint64        session_id,
                                  SondeProfile *profile,
                                  gboolean      replay)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (store == NULL || SONDE_IS_STORE (store), NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_HISTORY_PAGE, "path", path, "store", store, "session-id", session_id,
                       "profile", profile, "replay", replay, NULL);
}

const char *
sonde_history_page_get_path (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->path;
}

gint64
sonde_history_page_get_session_id (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), 0);

  return self->session_id;
}

const char *
sonde_history_page_get_title (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->title;
}

gboolean
sonde_history_page_get_loading (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), FALSE);

  return self->loader != NULL;
}

SondeMessageLog *
sonde_history_page_get_log (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return sonde_connection_get_log (self->connection);
}

SondeLogView *
sonde_history_page_get_log_view (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->log_view;
}

SondeChartsPanel *
sonde_history_page_get_charts (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->charts;
}

void
sonde_history_page_show_seq (SondeHistoryPage *self,
                             guint64           seq)
{
  guint64 log_seq;

  g_return_if_fail (SONDE_IS_HISTORY_PAGE (self));

  self->pending_seq = seq;
  if (sonde_history_page_select_pending (self))
    return;

  log_seq = sonde_history_page_log_seq_of (self, seq);
  if (log_seq != G_MAXUINT64 && log_seq >= sonde_message_log_get_first_seq (sonde_history_page_get_log (self)) &&
      (self->seqs->len == 0 || seq >= g_array_index (self->seqs, guint64, 0)))
    {
      SondeFilterModel *model = sonde_log_view_get_model (self->log_view);

      /* Held, and the view has not caught up with it yet: selected when
       * it has (items-changed). Or the filter hides it. */
      if (sonde_filter_model_get_filtering (model) && !sonde_filter_model_get_scanning (model))
        {
          self->pending_seq = G_MAXUINT64;
          gtk_label_set_label (self->note_label, _("That message is hidden by the filter"));
          gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
        }
      return;
    }
  /* Held no longer (past the size a page keeps), or before what was
   * loaded: load from there. Not loaded yet: selected when it comes. */
  if (log_seq != G_MAXUINT64 || self->loader == NULL ||
      (self->seqs->len > 0 && seq < g_array_index (self->seqs, guint64, 0)))
    sonde_history_page_start_loading (self, seq);
}

guint64
sonde_history_page_get_selected_seq (SondeHistoryPage *self)
{
  SondeMessage *message;
  guint64 index;

  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), G_MAXUINT64);

  message = sonde_log_view_get_selected (self->log_view);
  if (message == NULL || sonde_message_get_seq (message) < self->base_log_seq)
    return G_MAXUINT64;
  index = sonde_message_get_seq (message) - self->base_log_seq;
  return index < self->seqs->len ? g_array_index (self->seqs, guint64, index) : G_MAXUINT64;
}

gboolean
sonde_history_page_jump_to_time (SondeHistoryPage  *self,
                                 gint64             wall_us,
                                 GError           **error)
{
  g_autoptr(SondeStore) store = NULL;
  guint64 seq = 0;

  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), FALSE);

  store = sonde_history_page_open_store (self, error);
  if (store == NULL || !sonde_store_seek_time (store, self->session_id, wall_us, &seq, error))
    return FALSE;
  sonde_history_page_show_seq (self, seq);
  return TRUE;
}

const char *
sonde_history_page_get_error (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->error;
}

SondeConnectionPanel *
sonde_history_page_get_connection_panel (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->panel;
}

gboolean
sonde_history_page_get_connection_shown (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->side_stack), "connection") == 0;
}
