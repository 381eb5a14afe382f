/* sonde-history-view-search.c: the History view's search across its
 * sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A search runs on a worker thread with a store object of its own (a
 * reader), cancellable: a new query, an emptied entry or the view's dispose
 * cancels it. Hits stream in: the worker hands batches to the main context
 * through an idle, up to SONDE_HISTORY_VIEW_MAX_HITS. The entry and the
 * mode drop-down run it as the user types; sonde_history_view_search()
 * sets them and runs it at once.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-history-item.h"
#include "sonde-history-view-private.h"
#include "sonde-session.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

typedef struct {
  gatomicrefcount    ref;
  GMutex             mutex;
  SondeHistoryView  *view;          /* main thread only; NULL once dropped */
  char              *path;
  SondeHistoryQuery *query;
  GCancellable      *cancellable;
  GPtrArray         *pending;       /* (element-type SondeHistoryItem), under the mutex */
  GHashTable        *starts;        /* a copy: the worker reads it */
  gboolean           only_listed;   /* hits of the sessions listed only (a profile's shared history) */
  guint              idle_id;       /* under the mutex */
} SearchJob;

static SearchJob *
search_job_ref (SearchJob *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
search_job_unref (SearchJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_free (job->path);
  g_clear_pointer (&job->query, sonde_history_query_free);
  g_clear_object (&job->cancellable);
  g_ptr_array_unref (job->pending);
  g_hash_table_unref (job->starts);
  g_mutex_clear (&job->mutex);
  g_free (job);
}


static void
update_hits_label (SondeHistoryView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->hits));
  g_autofree char *text = NULL;

  if (n >= SONDE_HISTORY_VIEW_MAX_HITS)
    text = g_strdup_printf (_("Showing the first %u messages found"), SONDE_HISTORY_VIEW_MAX_HITS);
  else if (self->search != NULL)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message found so far…", "%u messages found so far…", n), n);
  else if (n == 0)
    text = g_strdup (_("No recorded message matches"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message found", "%u messages found", n), n);
  gtk_label_set_label (self->hits_label, text);
}

static void
flush_hits (SearchJob *job)
{
  g_autoptr(GPtrArray) items = NULL;

  g_mutex_lock (&job->mutex);
  items = g_steal_pointer (&job->pending);
  job->pending = g_ptr_array_new_with_free_func (g_object_unref);
  job->idle_id = 0;
  g_mutex_unlock (&job->mutex);

  if (job->view == NULL || items->len == 0)
    return;
  g_list_store_splice (job->view->hits, g_list_model_get_n_items (G_LIST_MODEL (job->view->hits)), 0,
                       items->pdata, items->len);
  update_hits_label (job->view);
}

static gboolean
flush_hits_idle (gpointer data)
{
  flush_hits (data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_search_hit (const SondeHistoryHit *hit,
               gpointer               user_data)
{
  SearchJob *job = user_data;
  gint64 *start = g_hash_table_lookup (job->starts, &hit->session_id);
  SondeHistoryItem *item;

  if (start == NULL && job->only_listed)
    return !g_cancellable_is_cancelled (job->cancellable);
  item = sonde_history_item_new_hit (hit, start != NULL ? *start : hit->wall_us);

  g_mutex_lock (&job->mutex);
  g_ptr_array_add (job->pending, item);
  if (job->idle_id == 0)
    job->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_hits_idle, search_job_ref (job),
                                    (GDestroyNotify) search_job_unref);
  g_mutex_unlock (&job->mutex);
  return !g_cancellable_is_cancelled (job->cancellable);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri (job->path, SONDE_STORE_OPEN_READ_ONLY, &error);

  if (store == NULL ||
      !sonde_history_search (store, job->query, 0, SONDE_HISTORY_VIEW_MAX_HITS, cancellable,
                             on_search_hit, job, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SearchJob *job = g_task_get_task_data (G_TASK (result));
  SondeHistoryView *self = job->view;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (self == NULL)
    return;

  flush_hits (job);
  self->search = NULL;
  job->view = NULL;
  search_job_unref (job);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND))
    {
      gtk_label_set_label (self->search_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->search_error), TRUE);
    }
  update_hits_label (self);
  sonde_history_view_sync_busy (self);
  sonde_history_view_notify_searching (self);
}

void
sonde_history_view_stop_search (SondeHistoryView *self)
{
  SearchJob *job = self->search;

  if (job == NULL)
    return;
  self->search = NULL;
  job->view = NULL;
  g_cancellable_cancel (job->cancellable);
  search_job_unref (job);
  sonde_history_view_sync_busy (self);
  sonde_history_view_notify_searching (self);
}

/* Search input ------------------------------------------------------------ */

static void on_search_changed (SondeHistoryView *self);
static void on_mode_changed   (SondeHistoryView *self);

gboolean
sonde_history_view_search (SondeHistoryView      *self,
                           SondeHistoryQueryKind  kind,
                           const char            *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeHistoryQuery) query = NULL;
  g_autoptr(GTask) task = NULL;
  SearchJob *job;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (SONDE_IS_HISTORY_VIEW (self), FALSE);

  /* What the entry and the mode show (a search made here, or by a test). */
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->search_entry))) != 0 ||
      kind != gtk_drop_down_get_selected (self->mode_drop))
    {
      g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
      g_signal_handlers_block_by_func (self->mode_drop, on_mode_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
      gtk_drop_down_set_selected (self->mode_drop, kind);
      sonde_history_view_sync_placeholder (self);
      g_signal_handlers_unblock_by_func (self->mode_drop, on_mode_changed, self);
      g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
    }
  g_free (self->query_text);
  self->query_text = g_strdup (text);
  self->query_kind = kind;

  sonde_history_view_stop_search (self);
  g_list_store_remove_all (self->hits);
  gtk_widget_set_visible (GTK_WIDGET (self->search_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  if (text == NULL || *text == '\0')
    {
      sonde_history_view_reload (self);
      return TRUE;
    }

  query = sonde_history_query_new (kind, text, &error);
  if (query == NULL)
    {
      gtk_label_set_label (self->search_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->search_error), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
      return FALSE;
    }

  /* The profile's decoder chain: a search reads what the window shows. A
   * chain the profile cannot make is the profile's problem, said on
   * connect: the search reads payloads as they are. */
  if (self->profile != NULL)
    {
      SondeDecoder *decoder = sonde_decoder_new_for_profile (self->profile, NULL);

      if (decoder != NULL)
        sonde_history_query_set_views (query, sonde_decoder_views_new (decoder));
    }

  gtk_stack_set_visible_child_name (self->stack, "hits");
  if (!self->remote && !g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      update_hits_label (self);
      return TRUE;
    }

  job = g_new0 (SearchJob, 1);
  g_atomic_ref_count_init (&job->ref);
  g_mutex_init (&job->mutex);
  job->view = self;
  job->path = g_strdup (self->path);
  job->only_listed = self->remote && self->profile_id != NULL;
  job->query = g_steal_pointer (&query);
  job->cancellable = g_cancellable_new ();
  job->pending = g_ptr_array_new_with_free_func (g_object_unref);
  job->starts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, self->starts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *copy = g_new (gint64, 2);

      copy[0] = *(gint64 *) key;
      copy[1] = *(gint64 *) value;
      g_hash_table_insert (job->starts, copy, copy + 1);
    }
  self->search = job;

  task = g_task_new (NULL, job->cancellable, on_search_done, NULL);
  g_task_set_source_tag (task, sonde_history_view_search);
  g_task_set_task_data (task, search_job_ref (job), (GDestroyNotify) search_job_unref);
  g_task_run_in_thread (task, search_thread);

  update_hits_label (self);
  sonde_history_view_sync_busy (self);
  sonde_history_view_notify_searching (self);
  return TRUE;
}

static void
run_search (SondeHistoryView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  SondeHistoryQueryKind kind = gtk_drop_down_get_selected (self->mode_drop);

  /* The search shown already (the entry says "changed" for less). */
  if (g_strcmp0 (text, self->query_text != NULL ? self->query_text : "") == 0 && kind == self->query_kind)
    return;
  sonde_history_view_search (self, kind, text);
}

static void
on_search_changed (SondeHistoryView *self)
{
  run_search (self);
}

void
sonde_history_view_sync_placeholder (SondeHistoryView *self)
{
  static const char *placeholders[] = {
    N_("Search recorded messages"),
    N_("Regular expression, e.g. price\":\\s*1\\d\\d"),
    N_("JSON predicate, e.g. $.sym == \"ABC\" && $.price > 100"),
  };
  guint mode = gtk_drop_down_get_selected (self->mode_drop);

  if (mode < G_N_ELEMENTS (placeholders))
    g_object_set (self->search_entry, "placeholder-text", _(placeholders[mode]), NULL);
}

static void
on_mode_changed (SondeHistoryView *self)
{
  sonde_history_view_sync_placeholder (self);
  if (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    run_search (self);
}

static void
on_stop_search (SondeHistoryView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

void
sonde_history_view_search_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_changed);
}
