/* sonde-recorder.c: records a session's records into a SondeStore from a
 * writer thread
 *
 * The calling thread copies each record into a bounded queue: the tail
 * of a chain of 256 KiB blocks, one after the other (no allocation of its
 * own, one uncontended lock); the writer thread (sonde-recorder-writer.c)
 * owns the store, begins the session there when given a database
 * server's URI, and appends what is queued in batches. Results come back
 * to the calling thread's main context through one idle source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-recorder"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-recorder-private.h"

G_DEFINE_FINAL_TYPE (SondeRecorder, sonde_recorder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_BYTES_ON_DISK,
  PROP_SKIPPED,
  PROP_SESSION_ID,
  PROP_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_GAP,
  SIGNAL_STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Every recorder whose writer runs, for sonde_recorder_is_live() and
 * sonde_recorder_wait_all(). */
static GMutex live_lock;
static GCond live_cond;
static GPtrArray *live;

static void
live_add (SondeRecorder *self)
{
  g_mutex_lock (&live_lock);
  if (live == NULL)
    live = g_ptr_array_new ();
  g_ptr_array_add (live, self);
  g_mutex_unlock (&live_lock);
}

void
sonde_recorder_live_remove (SondeRecorder *self)
{
  g_mutex_lock (&live_lock);
  if (live != NULL)
    g_ptr_array_remove_fast (live, self);
  g_cond_broadcast (&live_cond);
  g_mutex_unlock (&live_lock);
}

static gboolean report (gpointer user_data);

void
sonde_recorder_schedule_report_locked (SondeRecorder *self)
{
  if (self->report_source != NULL)
    return;
  self->report_source = g_idle_source_new ();
  g_source_set_callback (self->report_source, report, g_object_ref (self), g_object_unref);
  g_source_set_static_name (self->report_source, "[sonde] recorder report");
  g_source_attach (self->report_source, self->context);
}

/* Calling thread: take in what the writer reported. */
static gboolean
report (gpointer user_data)
{
  SondeRecorder *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *waiting = NULL;
  guint64 disk_bytes;
  gint64 session_id;
  gboolean finished;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->report_source, g_source_unref);
  disk_bytes = self->disk_bytes;
  session_id = self->session_id;
  waiting = g_strdup (self->waiting);
  error = g_steal_pointer (&self->error);
  finished = self->finished;
  g_mutex_unlock (&self->lock);

  g_object_ref (self);
  /* Stopped: not recording when what changed with it is notified. */
  if (error != NULL)
    self->recording = FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  if (session_id != self->reported_session_id)
    {
      self->reported_session_id = session_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_ID]);
    }
  if (g_strcmp0 (waiting, self->reported_waiting) != 0)
    {
      g_free (self->reported_waiting);
      self->reported_waiting = g_steal_pointer (&waiting);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
    }
  if (disk_bytes != self->bytes_on_disk)
    {
      self->bytes_on_disk = disk_bytes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_ON_DISK]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  /* ::stopped before "recording" is notified: a recording that has
   * ended is forgotten once it is not recording. */
  if (error != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
    }
  /* Ended without waiting: the writer is done now. */
  if (finished && self->detached && self->thread != NULL)
    {
      if (self->abandon_source != NULL)
        {
          g_source_destroy (self->abandon_source);
          g_clear_pointer (&self->abandon_source, g_source_unref);
        }
      g_thread_join (g_steal_pointer (&self->thread));
      if (self->recording)
        {
          self->recording = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
        }
      g_object_unref (self);  /* sonde_recorder_end()'s */
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
sonde_recorder_dispose (GObject *object)
{
  SondeRecorder *self = SONDE_RECORDER (object);

  if (!self->closed)
    sonde_recorder_close (self, g_get_real_time (), 0, NULL, SONDE_STORE_ENDED_UNKNOWN);
  if (self->report_source != NULL)
    {
      g_source_destroy (self->report_source);
      g_clear_pointer (&self->report_source, g_source_unref);
    }
  if (self->abandon_source != NULL)
    {
      g_source_destroy (self->abandon_source);
      g_clear_pointer (&self->abandon_source, g_source_unref);
    }
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sonde_recorder_parent_class)->dispose (object);
}

static void
sonde_recorder_finalize (GObject *object)
{
  SondeRecorder *self = SONDE_RECORDER (object);

  sonde_recorder_drain_queue_locked (self);
  g_clear_error (&self->error);
  g_free (self->close_reason);
  g_free (self->waiting);
  g_free (self->reported_waiting);
  g_free (self->uri);
  g_free (self->profile_id);
  g_free (self->profile_name);
  g_free (self->masked_url);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (sonde_recorder_parent_class)->finalize (object);
}

static void
sonde_recorder_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SondeRecorder *self = SONDE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording);
      break;
    case PROP_BYTES_ON_DISK:
      g_value_set_uint64 (value, self->bytes_on_disk);
      break;
    case PROP_SKIPPED:
      g_value_set_uint64 (value, self->skipped);
      break;
    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->reported_session_id);
      break;
    case PROP_WAITING:
      g_value_set_string (value, self->reported_waiting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_recorder_class_init (SondeRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_recorder_dispose;
  object_class->finalize = sonde_recorder_finalize;
  object_class->get_property = sonde_recorder_get_property;

  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_ON_DISK] =
    g_param_spec_uint64 ("bytes-on-disk", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SKIPPED] =
    g_param_spec_uint64 ("skipped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The session's id in the store: 0 until it has begun there (a
   * database server that has not answered yet). */
  properties[PROP_SESSION_ID] =
    g_param_spec_int64 ("session-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Why the store cannot be reached now (a database server away), while
   * the writer waits for it and records are queued; NULL otherwise. */
  properties[PROP_WAITING] =
    g_param_spec_string ("waiting", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A gap record went in: @skipped records were dropped before it. */
  signals[SIGNAL_GAP] =
    g_signal_new ("gap", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
  /* The store failed (a SONDE_STORE_ERROR): recording has stopped for good. */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sonde_recorder_init (SondeRecorder *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->limit = SONDE_RECORDER_DEFAULT_QUEUE_LIMIT;
}

SondeRecorder *
sonde_recorder_new (SondeStore  *store,
                    const char  *profile_id,
                    const char  *profile_name,
                    const char  *masked_url,
                    gint64       start_us,
                    GError     **error)
{
  g_autoptr(SondeRecorder) self = NULL;
  gint64 session_id = 0;

  g_return_val_if_fail (SONDE_IS_STORE (store), NULL);
  g_return_val_if_fail (masked_url != NULL, NULL);

  if (!sonde_store_begin_session (store, profile_id, profile_name, masked_url, start_us, &session_id, error))
    return NULL;

  self = g_object_new (SONDE_TYPE_RECORDER, NULL);
  self->store = g_object_ref (store);
  self->session_id = self->reported_session_id = session_id;
  self->recording = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->bytes_on_disk = self->disk_bytes = sonde_store_get_size (store);
  live_add (self);
  self->thread = g_thread_new ("sonde-recorder", sonde_recorder_writer_thread, self);
  return g_steal_pointer (&self);
}

SondeRecorder *
sonde_recorder_new_for_uri (const char *uri,
                            const char *profile_id,
                            const char *profile_name,
                            const char *masked_url,
                            gint64      start_us)
{
  SondeRecorder *self;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (masked_url != NULL, NULL);

  self = g_object_new (SONDE_TYPE_RECORDER, NULL);
  self->uri = g_strdup (uri);
  self->profile_id = g_strdup (profile_id);
  self->profile_name = g_strdup (profile_name);
  self->masked_url = g_strdup (masked_url);
  self->start_us = start_us;
  self->recording = TRUE;
  self->context = g_main_context_ref_thread_default ();
  live_add (self);
  self->thread = g_thread_new ("sonde-recorder", sonde_recorder_writer_thread, self);
  return self;
}

/* Under lock: copies @record to the queue's end. */
static void
push_locked (SondeRecorder     *self,
             const SondeRecord *record)
{
  gsize cost = sonde_recorder_item_cost (record->stored_size);
  SondeRecorderBlock *block = self->tail;
  SondeRecord *item;

  if (block == NULL || block->size - block->used < cost)
    {
      if (cost <= SONDE_RECORDER_BLOCK_SIZE && self->spare != NULL)
        block = g_steal_pointer (&self->spare);
      else
        block = g_malloc (sizeof (SondeRecorderBlock) + MAX (cost, SONDE_RECORDER_BLOCK_SIZE));
      block->next = NULL;
      block->size = MAX (cost, SONDE_RECORDER_BLOCK_SIZE);
      block->used = block->read = 0;
      if (self->tail != NULL)
        self->tail->next = block;
      else
        self->head = block;
      self->tail = block;
    }
  item = (SondeRecord *) (block->data + block->used);
  *item = *record;
  if (record->stored_size > 0)
    memcpy (item + 1, record->data, record->stored_size);
  item->data = (const guint8 *) (item + 1);
  block->used += cost;

  if (self->queued_records == 0)
    self->first_queued_us = g_get_monotonic_time ();
  self->queued_records++;
  self->queued_bytes += cost;
  if (self->writer_idle
      || (self->writer_gathering
          && (self->queued_records >= SONDE_RECORDER_MAX_BATCH_RECORDS || self->queued_bytes >= SONDE_RECORDER_MAX_BATCH_BYTES)))
    g_cond_signal (&self->cond);
}

/* Under lock: the gap record for what was dropped. */
static void
push_gap_locked (SondeRecorder *self)
{
  SondeRecord gap;
  char buffer[128];

  sonde_recorder_gap_record (&gap, self->first_dropped, self->dropping, FALSE, buffer, sizeof buffer);
  push_locked (self, &gap);
}

void
sonde_recorder_add (SondeRecorder     *self,
                    const SondeRecord *record)
{
  gsize cost;
  guint64 gap = 0;
  gboolean dropped = FALSE;

  g_return_if_fail (SONDE_IS_RECORDER (self));
  g_return_if_fail (record != NULL);

  if (self->closed || !self->recording)
    return;

  cost = sonde_recorder_item_cost (record->stored_size);
  g_mutex_lock (&self->lock);
  if (self->failed)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  /* Once dropping, wait for half the queue to drain before taking more. */
  if ((self->dropping > 0 && self->queued_bytes > self->limit / 2)
      || self->queued_bytes + cost > self->limit)
    {
      if (self->dropping == 0)
        self->first_dropped = record->seq;
      self->dropping++;
      dropped = TRUE;
    }
  else
    {
      if (self->dropping > 0)
        {
          push_gap_locked (self);
          gap = self->dropping;
          self->dropping = 0;
        }
      push_locked (self, record);
    }
  g_mutex_unlock (&self->lock);

  if (dropped)
    {
      self->skipped++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKIPPED]);
    }
  if (gap > 0)
    g_signal_emit (self, signals[SIGNAL_GAP], 0, gap);
}

/* Under lock: what is dropped becomes a gap record; the writer is told to
 * end the session. Returns the gap's size. */
static guint64
begin_closing_locked (SondeRecorder       *self,
                      gint64               end_us,
                      int                  close_code,
                      const char          *close_reason,
                      SondeStoreInitiator  initiator)
{
  guint64 gap = 0;

  if (self->dropping > 0 && !self->failed)
    {
      push_gap_locked (self);
      gap = self->dropping;
      self->dropping = 0;
    }
  self->closing = TRUE;
  self->closing_since = g_get_monotonic_time ();
  self->paused = FALSE;
  self->end_us = end_us;
  self->close_code = close_code;
  self->close_reason = g_strdup (close_reason);
  self->initiator = initiator;
  g_cond_signal (&self->cond);
  return gap;
}

/* Ended, and the writer is not done past its deadline (a connect that
 * hangs): lets go of it. It writes nothing more, and drops
 * sonde_recorder_end()'s ref once it is done; the recording is over now,
 * said as the writer would have. */
static gboolean
abandon (gpointer user_data)
{
  SondeRecorder *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->abandon_source, g_source_unref);
  g_mutex_lock (&self->lock);
  if (self->finished || self->session_id != 0)
    {
      /* report() joins it; or the session began: it writes, bounded. */
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }
  self->abandoned = TRUE;
  error = g_steal_pointer (&self->error);
  if (error == NULL)
    {
      GError unreachable = { SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE,
                             self->waiting != NULL ? self->waiting
                                                   : (char *) _("The database server did not answer") };

      error = sonde_recorder_gave_up_error (&unreachable, sonde_recorder_count_queued_locked (self));
    }
  self->failed = TRUE;
  sonde_recorder_drain_queue_locked (self);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_unref (g_steal_pointer (&self->thread));
  g_object_ref (self);
  self->recording = FALSE;
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

void
sonde_recorder_end (SondeRecorder       *self,
                    gint64               end_us,
                    int                  close_code,
                    const char          *close_reason,
                    SondeStoreInitiator  initiator)
{
  guint64 gap;

  g_return_if_fail (SONDE_IS_RECORDER (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  self->detached = TRUE;

  g_object_ref (self);  /* until the writer is done: see report() */
  g_mutex_lock (&self->lock);
  gap = begin_closing_locked (self, end_us, close_code, close_reason, initiator);
  if (self->finished)
    sonde_recorder_schedule_report_locked (self);
  else if (self->session_id == 0 && self->uri != NULL)
    {
      /* A database server that never answered: the writer gives up on
       * it soon, but a connect that hangs would hold it. */
      self->abandon_source = g_timeout_source_new (SONDE_RECORDER_ABANDON_US / 1000);
      g_source_set_callback (self->abandon_source, abandon, self, NULL);
      g_source_set_static_name (self->abandon_source, "[sonde] recorder abandon");
      g_source_attach (self->abandon_source, self->context);
    }
  g_mutex_unlock (&self->lock);

  if (gap > 0)
    g_signal_emit (self, signals[SIGNAL_GAP], 0, gap);
}

gboolean
sonde_recorder_is_live (SondeStore *store,
                        gint64      session_id)
{
  gboolean found = FALSE;

  g_mutex_lock (&live_lock);
  for (guint i = 0; live != NULL && i < live->len && !found; i++)
    {
      SondeRecorder *recorder = g_ptr_array_index (live, i);

      g_mutex_lock (&recorder->lock);
      found = session_id != 0 && recorder->store == store && recorder->session_id == session_id;
      g_mutex_unlock (&recorder->lock);
    }
  g_mutex_unlock (&live_lock);
  return found;
}

gboolean
sonde_recorder_wait_all (gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean done;

  g_mutex_lock (&live_lock);
  while (live != NULL && live->len > 0)
    if (!g_cond_wait_until (&live_cond, &live_lock, deadline))
      break;
  done = live == NULL || live->len == 0;
  g_mutex_unlock (&live_lock);
  return done;
}

void
sonde_recorder_close (SondeRecorder       *self,
                      gint64               end_us,
                      int                  close_code,
                      const char          *close_reason,
                      SondeStoreInitiator  initiator)
{
  guint64 gap = 0;

  g_return_if_fail (SONDE_IS_RECORDER (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  g_object_ref (self);
  g_mutex_lock (&self->lock);
  gap = begin_closing_locked (self, end_us, close_code, close_reason, initiator);
  g_mutex_unlock (&self->lock);

  g_thread_join (g_steal_pointer (&self->thread));

  if (gap > 0)
    g_signal_emit (self, signals[SIGNAL_GAP], 0, gap);
  /* What the writer reported last, now rather than from an idle. */
  if (self->report_source != NULL)
    g_source_destroy (self->report_source);
  report (self);
  if (self->recording)
    {
      self->recording = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
    }
  g_object_unref (self);
}

gint64
sonde_recorder_get_session_id (SondeRecorder *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  return self->reported_session_id;
}

const char *
sonde_recorder_get_waiting (SondeRecorder *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDER (self), NULL);

  return self->reported_waiting;
}

guint
sonde_recorder_get_queued_records (SondeRecorder *self)
{
  guint queued;

  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  g_mutex_lock (&self->lock);
  queued = self->queued_records;
  g_mutex_unlock (&self->lock);
  return queued;
}

gboolean
sonde_recorder_get_recording (SondeRecorder *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDER (self), FALSE);

  return self->recording;
}

guint64
sonde_recorder_get_bytes_on_disk (SondeRecorder *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  return self->bytes_on_disk;
}

guint64
sonde_recorder_get_skipped (SondeRecorder *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  return self->skipped;
}

gsize
sonde_recorder_get_queued_bytes (SondeRecorder *self)
{
  gsize queued;

  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  g_mutex_lock (&self->lock);
  queued = self->queued_bytes;
  g_mutex_unlock (&self->lock);
  return queued;
}

guint64
sonde_recorder_get_retries (SondeRecorder *self)
{
  guint64 retries;

  g_return_val_if_fail (SONDE_IS_RECORDER (self), 0);

  g_mutex_lock (&self->lock);
  retries = self->retries;
  g_mutex_unlock (&self->lock);
  return retries;
}

void
sonde_recorder_set_queue_limit (SondeRecorder *self,
                                gsize          limit)
{
  g_return_if_fail (SONDE_IS_RECORDER (self));

  g_mutex_lock (&self->lock);
  self->limit = limit;
  g_mutex_unlock (&self->lock);
}

void
sonde_recorder_set_writer_paused (SondeRecorder *self,
                                  gboolean       paused)
{
  g_return_if_fail (SONDE_IS_RECORDER (self));

  g_mutex_lock (&self->lock);
  self->paused = paused;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}
