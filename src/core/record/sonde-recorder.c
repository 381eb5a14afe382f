/* sonde-recorder.c: records a session's records into a SondeStore from a
 * writer thread
 *
 * The calling thread copies each record into a bounded queue: the tail
 * of a chain of 256 KiB blocks, one after the other (no allocation of its
 * own, one uncontended lock); the writer thread owns the store and
 * appends what is queued in batches, one transaction each: a batch is
 * written once MAX_BATCH_RECORDS records or MAX_BATCH_BYTES bytes are
 * queued, or BATCH_INTERVAL_US after its first record was, whichever comes
 * first (so a trickle of messages is not one commit, and one WAL write of
 * a few pages, each). Results come back to the calling thread's main context
 * through one idle source. A store that cannot be reached for a while (a
 * database server restarting) keeps its batch, which is tried again until
 * it goes in; what comes meanwhile is queued, and past the queue's bound
 * dropped and counted in a gap record, as when a disk is slow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-recorder"

#include "config.h"

#include "sonde-recorder.h"

#define MAX_BATCH_RECORDS 8192
#define MAX_BATCH_BYTES   (16 * 1024 * 1024)
#define BATCH_INTERVAL_US (100 * 1000)

/* A store that cannot be reached (SONDE_STORE_ERROR_UNREACHABLE: a
 * database server restarting) is tried again after a backoff; once the
 * recording is closing, for RETRY_AT_CLOSE_US more at most. */
#define RETRY_MIN_US      (50 * 1000)
#define RETRY_MAX_US      (2 * G_USEC_PER_SEC)
#define RETRY_AT_CLOSE_US (10 * G_USEC_PER_SEC)

typedef struct {
  gint64 delay_us;
  gint64 close_deadline;   /* monotonic; 0 while not closing */
} Retry;

/* The queue: blocks of items, each item a SondeRecord (its data pointing
 * just after it) and the payload, 8-byte aligned. The calling thread
 * appends at the tail block's end; the writer takes items from the head
 * block's @read on, and reads them without the lock (a block never moves,
 * and only the writer frees one, once it has been read whole and the
 * append of its records is done). */
#define BLOCK_SIZE (256 * 1024)

typedef struct _Block Block;
struct _Block {
  Block *next;
  gsize  size;    /* bytes at data */
  gsize  used;    /* written (under lock) */
  gsize  read;    /* taken by the writer (under lock) */
  guint8 data[];
};

struct _SondeRecorder
{
  GObject parent_instance;

  /* owned, calling thread */
  GMainContext        *context;
  GThread             *thread;
  gint64               session_id;
  gboolean             recording;
  gboolean             closed;
  gboolean             detached;        /* ended by sonde_recorder_end(): nobody joins the writer */
  guint64              bytes_on_disk;
  guint64              skipped;
  guint64              dropping;        /* dropped since the last gap record */
  guint64              first_dropped;   /* the seq of the first of them */

  /* owned by the writer thread between new() and close() */
  SondeStore          *store;

  /* shared, under lock */
  GMutex               lock;
  GCond                cond;
  Block               *head;            /* the queue: oldest block */
  Block               *tail;
  Block               *spare;           /* a block read whole, for the next one */
  guint                queued_records;
  gsize                queued_bytes;
  gsize                limit;
  gboolean             paused;
  gboolean             closing;
  gboolean             writer_idle;       /* waits for a first record */
  gboolean             writer_gathering;  /* waits for a full batch */
  gint64               first_queued_us;   /* when the queue last stopped being empty */
  gboolean             failed;
  gboolean             finished;        /* the writer is done: the session has ended in the store */
  GError              *error;           /* for ::stopped, not yet reported */
  guint64              disk_bytes;
  guint64              retries;         /* store calls tried again (a server away) */
  GSource             *report_source;
  gint64               end_us;
  int                  close_code;
  char                *close_reason;
  SondeStoreInitiator  initiator;
};

G_DEFINE_FINAL_TYPE (SondeRecorder, sonde_recorder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_BYTES_ON_DISK,
  PROP_SKIPPED,
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

static void
live_remove (SondeRecorder *self)
{
  g_mutex_lock (&live_lock);
  if (live != NULL)
    g_ptr_array_remove_fast (live, self);
  g_cond_broadcast (&live_cond);
  g_mutex_unlock (&live_lock);
}

/* What a record takes in the queue. */
static inline gsize
item_cost (gsize stored_size)
{
  return (sizeof (SondeRecord) + stored_size + 7) & ~(gsize) 7;
}

/* The payload of a gap record, in @buffer. */
static void
gap_record (SondeRecord *record,
            guint64      seq,
            guint64      skipped,
            gboolean     stopped,
            char        *buffer,
            gsize        buffer_size)
{
  if (stopped)
    g_strlcpy (buffer, "{\"cause\":\"recording stopped\",\"recording_stopped\":true}", buffer_size);
  else
    g_snprintf (buffer, buffer_size,
                "{\"cause\":\"recording skipped %" G_GUINT64_FORMAT " messages\","
                "\"recording_skipped\":%" G_GUINT64_FORMAT "}",
                skipped, skipped);
  *record = (SondeRecord) {
    .seq = seq,
    .wall_us = g_get_real_time (),
    .mono_us = g_get_monotonic_time (),
    .direction = SONDE_DIRECTION_EVENT,
    .kind = SONDE_MESSAGE_KIND_GAP,
    .flags = SONDE_RECORD_FLAG_NONE,
    .size = strlen (buffer),
    .stored_size = strlen (buffer),
    .data = (const guint8 *) buffer,
  };
}

/* Writer thread, under lock: have the calling thread look at the state. */
static gboolean report (gpointer user_data);

static void
schedule_report_locked (SondeRecorder *self)
{
  if (self->report_source != NULL)
    return;
  self->report_source = g_idle_source_new ();
  g_source_set_callback (self->report_source, report, g_object_ref (self), g_object_unref);
  g_source_set_static_name (self->report_source, "[sonde] recorder report");
  g_source_attach (self->report_source, self->context);
}

static void
drain_queue_locked (SondeRecorder *self)
{
  while (self->head != NULL)
    {
      Block *block = self->head;

      self->head = block->next;
      g_free (block);
    }
  self->tail = NULL;
  g_clear_pointer (&self->spare, g_free);
  self->queued_records = 0;
  self->queued_bytes = 0;
}

/* Writer thread, under lock: takes up to @max records (and, past the
 * first, up to @max_bytes of payload) into @batch, pointing into their
 * blocks; blocks read whole (but the tail) go to @done, to be freed once
 * the batch is appended. */
static guint
take_locked (SondeRecorder *self,
             SondeRecord   *batch,
             guint          max,
             gsize          max_bytes,
             Block        **done)
{
  gsize batch_bytes = 0;
  guint n = 0;

  while (n < max && self->head != NULL && (n == 0 || batch_bytes < max_bytes))
    {
      Block *block = self->head;

      if (block->read == block->used)
        {
          if (block == self->tail)
            break;
          self->head = block->next;
          block->next = *done;
          *done = block;
          continue;
        }
      batch[n] = *(const SondeRecord *) (block->data + block->read);
      block->read += item_cost (batch[n].stored_size);
      self->queued_bytes -= item_cost (batch[n].stored_size);
      self->queued_records--;
      batch_bytes += batch[n].stored_size;
      n++;
    }
  return n;
}

/* Under lock: frees the blocks of an appended batch, keeping one spare. */
static void
free_blocks_locked (SondeRecorder *self,
                    Block         *done)
{
  while (done != NULL)
    {
      Block *next = done->next;

      if (self->spare == NULL && done->size == BLOCK_SIZE)
        self->spare = done;
      else
        g_free (done);
      done = next;
    }
}

/* Writer thread: whether to try a store call again that failed with
 * @error. Only a server that cannot be reached is waited for: with a
 * backoff, and, once the recording is closing, until RETRY_AT_CLOSE_US
 * after the first try since. */
static gboolean
retry_later (SondeRecorder *self,
             const GError  *error,
             Retry         *retry)
{
  gint64 now = g_get_monotonic_time ();
  gboolean again;

  if (!g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->closing && retry->close_deadline == 0)
    retry->close_deadline = now + RETRY_AT_CLOSE_US;
  again = retry->close_deadline == 0 || now < retry->close_deadline;
  if (again)
    {
      self->retries++;
      retry->delay_us = CLAMP (retry->delay_us * 2, RETRY_MIN_US, RETRY_MAX_US);
      /* sonde_recorder_close() wakes it (the deadline starts then). */
      g_cond_wait_until (&self->cond, &self->lock, now + retry->delay_us);
    }
  g_mutex_unlock (&self->lock);
  if (!again)
    retry->delay_us = 0;
  return again;
}

static gpointer
writer_thread (gpointer user_data)
{
  SondeRecorder *self = user_data;
  g_autofree SondeRecord *batch = g_new (SondeRecord, MAX_BATCH_RECORDS);
  guint64 last_size = 0;
  Retry retry = { 0, 0 };

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Block *done = NULL;
      guint n = 0;
      guint64 size;
      gboolean ok;

      while ((self->queued_records == 0 || self->paused) && !self->closing)
        {
          self->writer_idle = TRUE;
          g_cond_wait (&self->cond, &self->lock);
          self->writer_idle = FALSE;
        }
      if (self->queued_records == 0)
        break;

      /* A full batch, or the first record's interval. */
      self->writer_gathering = TRUE;
      while (!self->closing && !self->paused && !self->failed
             && self->queued_records < MAX_BATCH_RECORDS
             && self->queued_bytes < MAX_BATCH_BYTES
             && g_cond_wait_until (&self->cond, &self->lock, self->first_queued_us + BATCH_INTERVAL_US))
        ;
      self->writer_gathering = FALSE;
      if (self->paused && !self->closing)
        continue;

      n = take_locked (self, batch, MAX_BATCH_RECORDS, MAX_BATCH_BYTES, &done);
      g_mutex_unlock (&self->lock);

      ok = sonde_store_append (self->store, self->session_id, batch, n, &error);
      /* A database server away (restarting): the batch waits, and so does
       * the queue behind it, bounded as ever. */
      while (!ok && retry_later (self, error, &retry))
        {
          g_clear_error (&error);
          ok = sonde_store_append (self->store, self->session_id, batch, n, &error);
        }
      size = sonde_store_get_size (self->store);

      if (!ok)
        {
          SondeRecord gap;
          char buffer[128];

          /* Best effort: the disk may have room for a line saying so. */
          gap_record (&gap, batch[0].seq, 0, TRUE, buffer, sizeof buffer);
          sonde_store_append (self->store, self->session_id, &gap, 1, NULL);
          g_mutex_lock (&self->lock);
          free_blocks_locked (self, done);
          self->failed = TRUE;
          self->error = g_steal_pointer (&error);
          self->disk_bytes = size;
          drain_queue_locked (self);
          schedule_report_locked (self);
          continue;  /* until closed */
        }

      retry.delay_us = 0;
      g_mutex_lock (&self->lock);
      free_blocks_locked (self, done);
      if (size != last_size)
        {
          last_size = size;
          self->disk_bytes = size;
          schedule_report_locked (self);
        }
    }
  g_mutex_unlock (&self->lock);

  /* Ends the session even after a failure: the disk may have room again. */
  {
    g_autoptr(GError) error = NULL;

    gboolean ended;

    ended = sonde_store_end_session (self->store, self->session_id, self->end_us, self->close_code,
                                     self->close_reason, self->initiator, &error);
    while (!ended && !self->failed && retry_later (self, error, &retry))
      {
        g_clear_error (&error);
        ended = sonde_store_end_session (self->store, self->session_id, self->end_us, self->close_code,
                                         self->close_reason, self->initiator, &error);
      }
    if (!ended && !self->failed)
      g_warning ("Could not end the recorded session: %s", error->message);
  }
  g_mutex_lock (&self->lock);
  self->disk_bytes = sonde_store_get_size (self->store);
  self->finished = TRUE;
  if (self->detached)
    schedule_report_locked (self);
  g_mutex_unlock (&self->lock);
  live_remove (self);
  return NULL;
}

/* Calling thread: take in what the writer reported. */
static gboolean
report (gpointer user_data)
{
  SondeRecorder *self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 disk_bytes;

  gboolean finished;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->report_source, g_source_unref);
  disk_bytes = self->disk_bytes;
  error = g_steal_pointer (&self->error);
  finished = self->finished;
  g_mutex_unlock (&self->lock);

  g_object_ref (self);
  if (disk_bytes != self->bytes_on_disk)
    {
      self->bytes_on_disk = disk_bytes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_ON_DISK]);
    }
  if (error != NULL)
    {
      self->recording = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
      g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
    }
  /* Ended without waiting: the writer is done now. */
  if (finished && self->detached && self->thread != NULL)
    {
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
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sonde_recorder_parent_class)->dispose (object);
}

static void
sonde_recorder_finalize (GObject *object)
{
  SondeRecorder *self = SONDE_RECORDER (object);

  drain_queue_locked (self);
  g_clear_error (&self->error);
  g_free (self->close_reason);
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
  self->session_id = session_id;
  self->recording = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->bytes_on_disk = self->disk_bytes = sonde_store_get_size (store);
  live_add (self);
  self->thread = g_thread_new ("sonde-recorder", writer_thread, self);
  return g_steal_pointer (&self);
}

/* Under lock: copies @record to the queue's end. */
static void
push_locked (SondeRecorder     *self,
             const SondeRecord *record)
{
  gsize cost = item_cost (record->stored_size);
  Block *block = self->tail;
  SondeRecord *item;

  if (block == NULL || block->size - block->used < cost)
    {
      if (cost <= BLOCK_SIZE && self->spare != NULL)
        block = g_steal_pointer (&self->spare);
      else
        block = g_malloc (sizeof (Block) + MAX (cost, BLOCK_SIZE));
      block->next = NULL;
      block->size = MAX (cost, BLOCK_SIZE);
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
          && (self->queued_records >= MAX_BATCH_RECORDS || self->queued_bytes >= MAX_BATCH_BYTES)))
    g_cond_signal (&self->cond);
}

/* Under lock: the gap record for what was dropped. */
static void
push_gap_locked (SondeRecorder *self)
{
  SondeRecord gap;
  char buffer[128];

  gap_record (&gap, self->first_dropped, self->dropping, FALSE, buffer, sizeof buffer);
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

  cost = item_cost (record->stored_size);
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
  self->paused = FALSE;
  self->end_us = end_us;
  self->close_code = close_code;
  self->close_reason = g_strdup (close_reason);
  self->initiator = initiator;
  g_cond_signal (&self->cond);
  return gap;
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
    schedule_report_locked (self);
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

      found = recorder->store == store && recorder->session_id == session_id;
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

  return self->session_id;
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
