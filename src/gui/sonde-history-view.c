/* sonde-history-view.c: the recorded sessions of one database, listed and
 * searched
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One view per database: a profile's, the one ad-hoc URLs share, or a
 * team's shared history in PostgreSQL (read-only). The list is read and
 * shown by sonde-history-view-list.c; every job that can take long
 * (search, delete, import) runs in a GTask with a store object of its
 * own, so that it never waits behind, nor delays, the recorder's writer
 * of the same file.
 *
 * Search hits stream in: the worker hands batches to the main context
 * through an idle, and the view stops at SONDE_HISTORY_VIEW_MAX_HITS.
 * Activating a session, or a hit, emits ::open-session; the window opens
 * the recording in a tab (SondeHistoryPage).
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sonde-export-dialog.h"
#include "sonde-history-item.h"
#include "sonde-history-view-private.h"
#include "sonde-serve-dialog.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"


G_DEFINE_FINAL_TYPE (SondeHistoryView, sonde_history_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PATH,
  PROP_PROFILE_ID,
  PROP_PROFILE_NAME,
  PROP_SEARCHING,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_SESSION,
  REPLAY_SESSION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
sonde_history_view_sync_busy (SondeHistoryView *self)
{
  gboolean busy = self->n_jobs > 0 || self->search != NULL;

  if (self->spinner == NULL)
    return;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
sonde_history_view_notify_searching (SondeHistoryView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCHING]);
}

/* Actions' state ---------------------------------------------------------- */

static gboolean
showing_hits (SondeHistoryView *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "hits") == 0;
}

/* The one place that decides what the action bar can do: with search
 * hits shown, Open opens the selected hit's session at it; Export and
 * Delete act on a session of the list. */
void
sonde_history_view_update_actions (SondeHistoryView *self)
{
  SondeHistoryItem *item;
  gboolean hits;

  if (self->selection == NULL)
    return;
  hits = showing_hits (self);
  item = gtk_single_selection_get_selected_item (self->selection);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.open",
                                 hits ? gtk_single_selection_get_selected_item (self->hit_selection) != NULL
                                      : item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export", !hits && item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.replay", !hits && item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.serve", !hits && item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.delete",
                                 !self->remote && !hits && item != NULL && !sonde_history_item_get_live (item));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.import", !self->remote);
}

/* Columns ----------------------------------------------------------------- */

typedef char *(*ColumnText) (SondeHistoryItem *item);

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_margin_start (cell, 6);
  gtk_widget_set_margin_end (cell, 6);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  ColumnText text_func = user_data;
  g_autofree char *text = text_func (gtk_list_item_get_item (list_item));

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

/* A column at @position (-1: after the others). */
static void
insert_column (GtkColumnView *view,
               int            position,
               const char    *title,
               ColumnText     text_func,
               gboolean       expand,
               int            width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), text_func);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (column, width);
  if (position < 0)
    gtk_column_view_append_column (view, column);
  else
    gtk_column_view_insert_column (view, (guint) position, column);
}

static void
add_column (GtkColumnView *view,
            const char    *title,
            ColumnText     text_func,
            gboolean       expand,
            int            width)
{
  insert_column (view, -1, title, text_func, expand, width);
}

/* Actions ----------------------------------------------------------------- */

static void
open_item (SondeHistoryView *self,
           SondeHistoryItem *item)
{
  if (item == NULL)
    return;
  g_signal_emit (self, signals[OPEN_SESSION], 0, sonde_history_item_get_id (item),
                 sonde_history_item_get_seq (item), sonde_history_item_is_hit (item));
}

static void
on_open_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (widget);

  open_item (self, gtk_single_selection_get_selected_item (showing_hits (self) ? self->hit_selection : self->selection));
}

static void
on_session_activate (SondeHistoryView *self,
                     guint             position)
{
  g_autoptr(SondeHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->sessions), position);

  open_item (self, item);
}

static void
on_hit_activate (SondeHistoryView *self,
                 guint             position)
{
  g_autoptr(SondeHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->hits), position);

  open_item (self, item);
}

static void
on_export_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (widget);
  SondeHistoryItem *item = gtk_single_selection_get_selected_item (self->selection);
  GtkWidget *dialog;

  if (item == NULL)
    return;
  dialog = sonde_export_dialog_new_for_recording (self->path, sonde_history_item_get_session (item),
                                                  self->profile_name);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_replay_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (widget);
  SondeHistoryItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item != NULL)
    g_signal_emit (self, signals[REPLAY_SESSION], 0, sonde_history_item_get_id (item));
}

static void
on_serve_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  sonde_history_view_serve_selected (SONDE_HISTORY_VIEW (widget));
}

static void
on_selection_changed (SondeHistoryView *self)
{
  sonde_history_view_update_actions (self);
}

/* GObject ----------------------------------------------------------------- */

static void
sonde_history_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sonde_history_view_parent_class)->map (widget);
  /* Shown again: what was recorded meanwhile. */
  sonde_history_view_reload (SONDE_HISTORY_VIEW (widget));
}

static void
sonde_history_view_dispose (GObject *object)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (object);

  sonde_history_view_stop_search (self);
  g_cancellable_cancel (self->cancellable);
  if (self->listing != NULL)
    g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  if (self->live_destroy != NULL)
    self->live_destroy (self->live_data);
  self->live_func = NULL;
  self->live_destroy = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_HISTORY_VIEW);
  /* The template's box is not bound: unparented here. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->hit_selection);
  g_clear_object (&self->sessions);
  g_clear_object (&self->hits);

  G_OBJECT_CLASS (sonde_history_view_parent_class)->dispose (object);
}

static void
sonde_history_view_finalize (GObject *object)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (object);

  if (self->path != NULL)
    explicit_bzero (self->path, strlen (self->path));
  g_free (self->path);
  g_free (self->masked);
  g_free (self->profile_id);
  g_free (self->profile_name);
  g_clear_object (&self->profile);
  g_free (self->title);
  g_free (self->error);
  g_free (self->query_text);
  g_hash_table_unref (self->starts);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sonde_history_view_parent_class)->finalize (object);
}

static void
sonde_history_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_PROFILE_ID:
      g_value_set_string (value, self->profile_id);
      break;
    case PROP_PROFILE_NAME:
      g_value_set_string (value, self->profile_name);
      break;
    case PROP_SEARCHING:
      g_value_set_boolean (value, self->search != NULL);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, sonde_history_view_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_history_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_PROFILE_ID:
      self->profile_id = g_value_dup_string (value);
      break;
    case PROP_PROFILE_NAME:
      self->profile_name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_history_view_constructed (GObject *object)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (object);

  G_OBJECT_CLASS (sonde_history_view_parent_class)->constructed (object);

  self->remote = sonde_store_uri_is_remote (self->path);
  self->masked = sonde_store_uri_mask (self->path);
  if (self->remote)
    {
      /* Sessions of many profiles and hosts: which one recorded each. */
      insert_column (self->sessions_view, 1, _("Profile"), sonde_history_item_dup_profile, FALSE, 160);
      /* The monitor's: nothing deleted or imported from here. */
      gtk_widget_set_visible (self->import_button, FALSE);
      gtk_widget_set_visible (self->delete_button, FALSE);
      sonde_history_view_update_actions (self);
    }

  if (self->remote && self->profile_id != NULL)
    /* Translators: the title of a profile's sessions in the shared history; %s is the profile's name. */
    self->title = g_strdup_printf (_("Shared History: %s"), self->profile_name != NULL ? self->profile_name
                                                                                   : self->profile_id);
  else if (self->remote)
    self->title = g_strdup (_("Shared History"));
  else if (self->profile_id == NULL)
    self->title = g_strdup (_("History: Ad-hoc Connections"));
  else
    /* Translators: the title of a profile's History tab; %s is the profile's name. */
    self->title = g_strdup_printf (_("History: %s"), self->profile_name != NULL ? self->profile_name : self->profile_id);
}

static void
sonde_history_view_class_init (SondeHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_history_view_dispose;
  object_class->finalize = sonde_history_view_finalize;
  object_class->get_property = sonde_history_view_get_property;
  object_class->set_property = sonde_history_view_set_property;
  object_class->constructed = sonde_history_view_constructed;
  widget_class->map = sonde_history_view_map;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE_ID] =
    g_param_spec_string ("profile-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE_NAME] =
    g_param_spec_string ("profile-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCHING] =
    g_param_spec_boolean ("searching", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::open-session (session id, seq, at_seq): open the recording, at
   * record @seq when @at_seq. */
  signals[OPEN_SESSION] =
    g_signal_new ("open-session", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_UINT64, G_TYPE_BOOLEAN);

  /* ::replay-session (session id): play the recording into a page. */
  signals[REPLAY_SESSION] =
    g_signal_new ("replay-session", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, mode_drop);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, search_error);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, stack);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, sessions_view);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, hits_view);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, hits_label);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, error_page);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, spinner);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, import_button);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, delete_button);
  gtk_widget_class_bind_template_child (widget_class, SondeHistoryView, shared_button);
  gtk_widget_class_bind_template_callback (widget_class, on_session_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_hit_activate);

  gtk_widget_class_install_action (widget_class, "history.open", NULL, on_open_action);
  gtk_widget_class_install_action (widget_class, "history.export", NULL, on_export_action);
  gtk_widget_class_install_action (widget_class, "history.replay", NULL, on_replay_action);
  gtk_widget_class_install_action (widget_class, "history.serve", NULL, on_serve_action);
  sonde_history_view_search_class_init (widget_class);
  sonde_history_view_jobs_class_init (widget_class);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sonde_history_view_init (SondeHistoryView *self)
{
  self->sessions = g_list_store_new (SONDE_TYPE_HISTORY_ITEM);
  self->hits = g_list_store_new (SONDE_TYPE_HISTORY_ITEM);
  self->starts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sessions)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_column_view_set_model (self->sessions_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  add_column (self->sessions_view, C_("history column", "Start"), sonde_history_item_dup_start, FALSE, 170);
  add_column (self->sessions_view, _("Duration"), sonde_history_item_dup_duration, FALSE, 90);
  add_column (self->sessions_view, _("Messages"), sonde_history_item_dup_messages, FALSE, 100);
  add_column (self->sessions_view, _("Size"), sonde_history_item_dup_size, FALSE, 90);
  add_column (self->sessions_view, _("Ended"), sonde_history_item_dup_ending, FALSE, 300);
  add_column (self->sessions_view, _("Address"), sonde_history_item_dup_url, TRUE, -1);

  self->hit_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->hits)));
  gtk_column_view_set_model (self->hits_view, GTK_SELECTION_MODEL (self->hit_selection));
  g_signal_connect_object (self->hit_selection, "notify::selected", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  add_column (self->hits_view, _("Session"), sonde_history_item_dup_start, FALSE, 170);
  add_column (self->hits_view, _("Time"), sonde_history_item_dup_time, FALSE, 110);
  add_column (self->hits_view, _("Dir."), sonde_history_item_dup_direction, FALSE, 50);
  add_column (self->hits_view, _("Message"), sonde_history_item_dup_preview, TRUE, -1);

  sonde_history_view_sync_placeholder (self);
  sonde_history_view_update_actions (self);
}

GtkWidget *
sonde_history_view_new (const char *path,
                        const char *profile_id,
                        const char *profile_name)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (SONDE_TYPE_HISTORY_VIEW, "path", path, "profile-id", profile_id,
                       "profile-name", profile_name, NULL);
}

const char *
sonde_history_view_get_path (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return self->path;
}

/* What may be shown of the path: a shared history's URI, its password
 * masked. */
const char *
sonde_history_view_get_display_path (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return self->masked;
}

gboolean
sonde_history_view_get_remote (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), FALSE);

  return self->remote;
}

const char *
sonde_history_view_get_profile_id (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return self->profile_id;
}

const char *
sonde_history_view_get_title (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return self->title;
}

GListModel *
sonde_history_view_get_sessions (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return G_LIST_MODEL (self->sessions);
}

GListModel *
sonde_history_view_get_hits (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return G_LIST_MODEL (self->hits);
}

void
sonde_history_view_select (SondeHistoryView *self,
                           guint             position)
{
  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));

  gtk_single_selection_set_selected (self->selection, position);
}

gboolean
sonde_history_view_get_searching (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), FALSE);

  return self->search != NULL;
}

gboolean
sonde_history_view_get_busy (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), FALSE);

  return self->n_jobs > 0 || self->search != NULL;
}

/* Searches read messages through @profile's decoder chain (NULL: as
 * they are). */
void
sonde_history_view_set_profile (SondeHistoryView *self,
                                SondeProfile     *profile)
{
  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));
  g_return_if_fail (profile == NULL || SONDE_IS_PROFILE (profile));

  g_set_object (&self->profile, profile);
}

void
sonde_history_view_set_live_func (SondeHistoryView     *self,
                                  SondeHistoryLiveFunc  func,
                                  gpointer              user_data,
                                  GDestroyNotify        destroy)
{
  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));

  if (self->live_destroy != NULL)
    self->live_destroy (self->live_data);
  self->live_func = func;
  self->live_data = user_data;
  self->live_destroy = destroy;
  sonde_history_view_reload (self);
}

const char *
sonde_history_view_get_error (SondeHistoryView *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  return self->error;
}

/* Whether a shared history is set up: a profile's History then offers
 * its sessions there ("Shared History", win.profile-shared-history). */
void
sonde_history_view_set_shared_available (SondeHistoryView *self,
                                         gboolean          available)
{
  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));

  /* The action and its target together: an action of type "s" set
   * without its target would be refused. */
  if (self->profile_id != NULL && !self->remote &&
      gtk_actionable_get_action_name (GTK_ACTIONABLE (self->shared_button)) == NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->shared_button), "s", self->profile_id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->shared_button), "win.profile-shared-history");
    }
  gtk_widget_set_visible (self->shared_button, available && !self->remote && self->profile_id != NULL);
}

/* "Serve as Mock…": the selected session in a SondeServeDialog, presented
 * over the window; NULL without a selection. */
GtkWidget *
sonde_history_view_serve_selected (SondeHistoryView *self)
{
  SondeHistoryItem *item;
  const SondeStoreSession *session;
  g_autofree char *start = NULL;
  g_autofree char *title = NULL;
  GtkWidget *dialog;
  GtkRoot *root;

  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), NULL);

  item = gtk_single_selection_get_selected_item (self->selection);
  if (item == NULL)
    return NULL;
  session = sonde_history_item_get_session (item);
  start = sonde_history_format_time (session->start_us, TRUE);
  /* Translators: which session the mock server plays: its start time and URL. */
  title = g_strdup_printf (_("The messages received in the session of %s from %s, as they were recorded."), start,
                           session->url != NULL ? session->url : "");
  dialog = sonde_serve_dialog_new (self->path, sonde_history_item_get_id (item), title);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
