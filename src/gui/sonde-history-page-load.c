/* sonde-history-page-load.c: a recorded session's records into the page's
 * log, in chunks from a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker reads the session with a store object of its own (a reader:
 * the recorder of the same file goes on meanwhile) into chunks, the first
 * small so that the first screen shows at once; a bounded queue between
 * the threads holds the worker back when the window is slower. The main
 * thread appends each chunk to the log in one batch, in an idle (the first
 * one before the page's first frame, the rest below drawing), and keeps
 * the recording's seq of each record to map one to the other.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-history-page-private.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

#define FIRST_CHUNK   500u
#define CHUNK_RECORDS 16384u
#define CHUNK_BYTES   (8u * 1024 * 1024)
#define MAX_QUEUED    4u

typedef struct {
  GByteArray *data;
  GArray     *records;    /* SondeRecord, data as an offset into @data */
} Chunk;

struct _SondeHistoryPageLoader {
  gatomicrefcount    ref;
  GMutex             mutex;
  GCond              cond;
  GQueue             chunks;      /* under the mutex */
  guint              idle_id;     /* under the mutex */
  gboolean           first_delivered; /* under the mutex */
  gboolean           done;        /* under the mutex */
  GError            *error;       /* under the mutex */
  GCancellable      *cancellable;
  char              *path;
  gint64             session_id;
  guint64            from_seq;
  Chunk             *current;     /* worker only */
  guint              limit;       /* worker only */
  SondeHistoryPage  *page;        /* main thread only; NULL once dropped */
};

static Chunk *
chunk_new (void)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->data = g_byte_array_new ();
  chunk->records = g_array_new (FALSE, FALSE, sizeof (SondeRecord));
  return chunk;
}

static void
chunk_free (Chunk *chunk)
{
  g_byte_array_unref (chunk->data);
  g_array_unref (chunk->records);
  g_free (chunk);
}

static SondeHistoryPageLoader *
loader_ref (SondeHistoryPageLoader *loader)
{
  g_atomic_ref_count_inc (&loader->ref);
  return loader;
}

static void
loader_unref (SondeHistoryPageLoader *loader)
{
  if (!g_atomic_ref_count_dec (&loader->ref))
    return;
  g_queue_clear_full (&loader->chunks, (GDestroyNotify) chunk_free);
  g_clear_pointer (&loader->current, chunk_free);
  g_clear_error (&loader->error);
  g_clear_object (&loader->cancellable);
  g_free (loader->path);
  g_mutex_clear (&loader->mutex);
  g_cond_clear (&loader->cond);
  g_free (loader);
}

static gboolean deliver (gpointer data);

/* With the mutex held. */
static void
schedule_delivery (SondeHistoryPageLoader *loader)
{
  /* The first chunk before the window's first frame of the page (the
   * first screen shows records, not an empty log); the rest below
   * drawing, so that the window stays smooth while they stream in. */
  if (loader->idle_id == 0)
    loader->idle_id = g_idle_add_full (loader->first_delivered ? G_PRIORITY_DEFAULT_IDLE : G_PRIORITY_DEFAULT,
                                       deliver, loader_ref (loader), (GDestroyNotify) loader_unref);
}

static void
push_chunk (SondeHistoryPageLoader *loader)
{
  Chunk *chunk = g_steal_pointer (&loader->current);

  if (chunk == NULL || chunk->records->len == 0)
    {
      g_clear_pointer (&chunk, chunk_free);
      return;
    }

  g_mutex_lock (&loader->mutex);
  while (g_queue_get_length (&loader->chunks) >= MAX_QUEUED && !g_cancellable_is_cancelled (loader->cancellable))
    g_cond_wait_until (&loader->cond, &loader->mutex, g_get_monotonic_time () + G_TIME_SPAN_SECOND / 10);
  g_queue_push_tail (&loader->chunks, chunk);
  schedule_delivery (loader);
  g_mutex_unlock (&loader->mutex);
  loader->limit = CHUNK_RECORDS;
}

static gboolean
on_record (const SondeRecord *record,
           gpointer           user_data)
{
  SondeHistoryPageLoader *loader = user_data;
  SondeRecord copy = *record;

  if (loader->current == NULL)
    loader->current = chunk_new ();
  copy.data = GSIZE_TO_POINTER ((gsize) loader->current->data->len);
  g_byte_array_append (loader->current->data, record->data, record->stored_size);
  g_array_append_val (loader->current->records, copy);
  if (loader->current->records->len >= loader->limit || loader->current->data->len >= CHUNK_BYTES)
    push_chunk (loader);
  return !g_cancellable_is_cancelled (loader->cancellable);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SondeHistoryPageLoader *loader = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri (loader->path, SONDE_STORE_OPEN_READ_ONLY, &error);

  if (store != NULL)
    sonde_store_read_records (SONDE_STORE (store), loader->session_id, loader->from_seq, on_record, loader, &error);
  push_chunk (loader);

  g_mutex_lock (&loader->mutex);
  loader->done = TRUE;
  loader->error = g_steal_pointer (&error);
  schedule_delivery (loader);
  g_mutex_unlock (&loader->mutex);
  g_task_return_boolean (task, TRUE);
}

static void
update_progress (SondeHistoryPage *self)
{
  guint64 total = self->session != NULL ? self->session->records : 0;
  g_autofree char *n_loaded = g_strdup_printf ("%" G_GUINT64_FORMAT, self->loaded);
  g_autofree char *n_total = g_strdup_printf ("%" G_GUINT64_FORMAT, total);
  g_autofree char *text = NULL;

  /* Translators: loading a recorded session: "12000 of 1000000 messages loaded". */
  text = g_strdup_printf (_("%s of %s messages loaded"), n_loaded, n_total);
  gtk_progress_bar_set_text (self->load_bar, text);
  gtk_progress_bar_set_fraction (self->load_bar, total > 0 ? MIN (1.0, (double) self->loaded / (double) total) : 0);
}

guint64
sonde_history_page_log_seq_of (SondeHistoryPage *self,
            guint64           seq)
{
  guint lo = 0, hi = self->seqs->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->seqs, guint64, mid) < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < self->seqs->len)
    return self->base_log_seq + lo;
  return G_MAXUINT64;
}

gboolean
sonde_history_page_select_pending (SondeHistoryPage *self)
{
  guint64 log_seq;

  if (self->pending_seq == G_MAXUINT64)
    return TRUE;
  log_seq = sonde_history_page_log_seq_of (self, self->pending_seq);
  if (log_seq == G_MAXUINT64)
    return FALSE;
  if (!sonde_log_view_select_seq (self->log_view, log_seq))
    return FALSE;
  self->pending_seq = G_MAXUINT64;
  return TRUE;
}

static void
append_chunk (SondeHistoryPage *self,
              Chunk            *chunk)
{
  SondeMessageLog *log = sonde_connection_get_log (self->connection);

  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < chunk->records->len; i++)
    {
      const SondeRecord *record = &g_array_index (chunk->records, SondeRecord, i);
      const guint8 *data = chunk->data->data + GPOINTER_TO_SIZE (record->data);
      guint64 log_seq = sonde_message_log_append_full (log, record->direction, record->kind, record->flags,
                                                       record->wall_us, record->mono_us, data,
                                                       record->stored_size);

      if (self->seqs->len == 0)
        self->base_log_seq = log_seq;
      g_array_append_val (self->seqs, record->seq);
      if (record->kind == SONDE_MESSAGE_KIND_HANDSHAKE && self->handshake_seq == G_MAXUINT64)
        {
          self->handshake_seq = log_seq;
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "recording.handshake", TRUE);
          sonde_history_page_show_handshake (self, data, record->stored_size);
        }
    }
  sonde_message_log_end_batch (log);
  self->loaded += chunk->records->len;
}

void
sonde_history_page_drop_loader (SondeHistoryPage *self)
{
  SondeHistoryPageLoader *loader = self->loader;

  if (loader == NULL)
    return;
  self->loader = NULL;
  loader->page = NULL;
  g_cancellable_cancel (loader->cancellable);
  g_mutex_lock (&loader->mutex);
  g_cond_broadcast (&loader->cond);
  g_mutex_unlock (&loader->mutex);
  loader_unref (loader);
}

static gboolean
deliver (gpointer data)
{
  SondeHistoryPageLoader *loader = data;
  SondeHistoryPage *self = loader->page;
  Chunk *chunk;
  gboolean done;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&loader->mutex);
  loader->first_delivered = TRUE;
  chunk = g_queue_pop_head (&loader->chunks);
  g_cond_broadcast (&loader->cond);
  done = loader->done && g_queue_is_empty (&loader->chunks);
  if (done)
    error = g_steal_pointer (&loader->error);
  if (!g_queue_is_empty (&loader->chunks))
    {
      g_mutex_unlock (&loader->mutex);
      /* Again in the next idle: the window draws in between. */
      if (self != NULL && chunk != NULL)
        append_chunk (self, chunk);
      g_clear_pointer (&chunk, chunk_free);
      if (self != NULL)
        {
          update_progress (self);
          sonde_history_page_select_pending (self);
        }
      return G_SOURCE_CONTINUE;
    }
  loader->idle_id = 0;
  g_mutex_unlock (&loader->mutex);

  if (self != NULL && chunk != NULL)
    append_chunk (self, chunk);
  g_clear_pointer (&chunk, chunk_free);
  if (self == NULL)
    return G_SOURCE_REMOVE;

  update_progress (self);
  sonde_history_page_select_pending (self);
  if (done)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->load_bar), FALSE);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_free (self->error);
          /* Translators: %s says why a recording could not be read. */
          self->error = g_strdup_printf (_("The recording could not be read: %s"), error->message);
          gtk_label_set_label (self->note_label, self->error);
          gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
        }
      sonde_history_page_drop_loader (self);
      sonde_history_page_notify_loading (self);
    }
  return G_SOURCE_REMOVE;
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
}

/* Loads the session's records from @from_seq on, into an empty log. */
void
sonde_history_page_start_loading (SondeHistoryPage *self,
               guint64           from_seq)
{
  g_autoptr(GTask) task = NULL;
  SondeHistoryPageLoader *loader;

  sonde_history_page_drop_loader (self);
  sonde_message_log_clear (sonde_connection_get_log (self->connection));
  g_array_set_size (self->seqs, 0);
  self->loaded = 0;
  self->handshake_seq = G_MAXUINT64;

  loader = g_new0 (SondeHistoryPageLoader, 1);
  g_atomic_ref_count_init (&loader->ref);
  g_mutex_init (&loader->mutex);
  g_cond_init (&loader->cond);
  g_queue_init (&loader->chunks);
  loader->cancellable = g_cancellable_new ();
  loader->path = g_strdup (self->path);
  loader->session_id = self->session_id;
  loader->from_seq = from_seq;
  loader->limit = FIRST_CHUNK;
  loader->page = self;
  self->loader = loader;

  gtk_widget_set_visible (GTK_WIDGET (self->load_bar), TRUE);
  update_progress (self);
  task = g_task_new (NULL, loader->cancellable, on_load_done, NULL);
  g_task_set_source_tag (task, sonde_history_page_start_loading);
  g_task_set_task_data (task, loader_ref (loader), (GDestroyNotify) loader_unref);
  g_task_run_in_thread (task, load_thread);
  sonde_history_page_notify_loading (self);
}
