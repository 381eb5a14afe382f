/* sonde-recorder-writer.c: SondeRecorder's writer thread, which owns the
 * store
 *
 * Given a database server's URI, the writer opens the store and begins
 * the session itself, so that the thread that records (the window's, the
 * monitor's) never waits on the network: records are queued from the
 * first, as ever. A server that cannot be reached (SONDE_STORE_ERROR_
 * UNREACHABLE: down, restarting, the network away) is tried again after
 * a backoff, with the session's own start time, until it answers; the
 * recorder's "waiting" says why meanwhile. What cannot heal (a password
 * refused, no such database, a schema of a newer Sonde) stops the
 * recording at once, as a disk that fills up does.
 *
 * Then it appends what is queued in batches, one transaction each: a
 * batch is written once MAX_BATCH_RECORDS records or MAX_BATCH_BYTES bytes
 * are queued, or BATCH_INTERVAL_US after its first record was, whichever
 * comes first (so a trickle of messages is not one commit, and one WAL
 * write of a few pages, each). A server away keeps its batch, which is
 * tried again until it goes in; what comes meanwhile is queued, and past
 * the queue's bound dropped and counted in a gap record, as when a disk is
 * slow.
 *
 * Once the recording is ending, a server that does not answer is waited
 * for a bounded time (BEGIN_AT_CLOSE_US when the session never began,
 * RETRY_AT_CLOSE_US when it did); then the recording stops with a message
 * saying how many records were not written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-recorder"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-recorder-private.h"
#include "sonde-store-uri.h"

#define MAX_BATCH_RECORDS SONDE_RECORDER_MAX_BATCH_RECORDS
#define MAX_BATCH_BYTES   SONDE_RECORDER_MAX_BATCH_BYTES
#define BATCH_INTERVAL_US (100 * 1000)

/* A store that cannot be reached is tried again after a backoff. Once the
 * recording is closing: for RETRY_AT_CLOSE_US more at most when the
 * session has begun (a server restarting: what was acknowledged must
 * reach it), for BEGIN_AT_CLOSE_US when it never answered (the end of a
 * run must not hang on it). */
#define RETRY_MIN_US      (50 * 1000)
#define RETRY_MAX_US      (2 * G_USEC_PER_SEC)
#define RETRY_AT_CLOSE_US (10 * G_USEC_PER_SEC)
#define BEGIN_AT_CLOSE_US SONDE_RECORDER_BEGIN_AT_CLOSE_US

typedef struct {
  gint64   delay_us;
  gint64   close_deadline;   /* monotonic; 0 while not closing */
  gboolean gave_up;          /* the deadline passed */
} Retry;

void
sonde_recorder_gap_record (SondeRecord *record,
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

void
sonde_recorder_drain_queue_locked (SondeRecorder *self)
{
  while (self->head != NULL)
    {
      SondeRecorderBlock *block = self->head;

      self->head = block->next;
      g_free (block);
    }
  self->tail = NULL;
  g_clear_pointer (&self->spare, g_free);
  self->queued_records = 0;
  self->queued_bytes = 0;
}

/* Under lock: takes up to @max records (and, past the first, up to
 * @max_bytes of payload) into @batch, pointing into their blocks; blocks
 * read whole (but the tail) go to @done, to be freed once the batch is
 * appended. */
static guint
take_locked (SondeRecorder       *self,
             SondeRecord         *batch,
             guint                max,
             gsize                max_bytes,
             SondeRecorderBlock **done)
{
  gsize batch_bytes = 0;
  guint n = 0;

  while (n < max && self->head != NULL && (n == 0 || batch_bytes < max_bytes))
    {
      SondeRecorderBlock *block = self->head;

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
      block->read += sonde_recorder_item_cost (batch[n].stored_size);
      self->queued_bytes -= sonde_recorder_item_cost (batch[n].stored_size);
      self->queued_records--;
      batch_bytes += batch[n].stored_size;
      n++;
    }
  return n;
}

/* Under lock: frees the blocks of an appended batch, keeping one spare. */
static void
free_blocks_locked (SondeRecorder      *self,
                    SondeRecorderBlock *done)
{
  while (done != NULL)
    {
      SondeRecorderBlock *next = done->next;

      if (self->spare == NULL && done->size == SONDE_RECORDER_BLOCK_SIZE)
        self->spare = done;
      else
        g_free (done);
      done = next;
    }
}

/* Under lock: "waiting" for the calling thread. */
static void
set_waiting_locked (SondeRecorder *self,
                    const char    *why)
{
  if (g_strcmp0 (self->waiting, why) == 0)
    return;
  g_free (self->waiting);
  self->waiting = g_strdup (why);
  sonde_recorder_schedule_report_locked (self);
}

/* Whether to try a store call again that failed with @error. Only a
 * server that cannot be reached is waited for: with a backoff, and, once
 * the recording is closing, until @at_close_us after it began to (then
 * one try more at most); never once the calling thread let go. */
static gboolean
retry_later (SondeRecorder *self,
             const GError  *error,
             Retry         *retry,
             gint64         at_close_us)
{
  gint64 now = g_get_monotonic_time ();
  gboolean again;

  if (!g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->closing && retry->close_deadline == 0)
    retry->close_deadline = MAX (self->closing_since + at_close_us, now + RETRY_MIN_US);
  again = !self->abandoned && (retry->close_deadline == 0 || now < retry->close_deadline);
  if (again)
    {
      self->retries++;
      set_waiting_locked (self, error->message);
      retry->delay_us = CLAMP (retry->delay_us * 2, RETRY_MIN_US, RETRY_MAX_US);
      /* Closing wakes it; the last try is at the deadline. */
      g_cond_wait_until (&self->cond, &self->lock,
                         retry->close_deadline != 0 ? MIN (now + retry->delay_us, retry->close_deadline)
                                                    : now + retry->delay_us);
    }
  g_mutex_unlock (&self->lock);
  if (!again)
    {
      retry->delay_us = 0;
      retry->gave_up = TRUE;
    }
  return again;
}

/* The records @record stands for: a gap record of the queue for the
 * records it counts (sonde_recorder_gap_record()), any other for itself. */
static guint64
count_record (const SondeRecord *record)
{
  static const char key[] = "\"recording_skipped\":";
  g_autofree char *text = NULL;
  const char *at;

  if (record->kind != SONDE_MESSAGE_KIND_GAP || record->direction != SONDE_DIRECTION_EVENT)
    return 1;
  text = g_strndup ((const char *) record->data, record->stored_size);
  at = strstr (text, key);
  return at != NULL ? g_ascii_strtoull (at + strlen (key), NULL, 10) : 0;
}

guint64
sonde_recorder_count_queued_locked (SondeRecorder *self)
{
  guint64 n = 0;

  for (SondeRecorderBlock *block = self->head; block != NULL; block = block->next)
    for (gsize at = block->read; at < block->used;)
      {
        const SondeRecord *item = (const SondeRecord *) (block->data + at);
        SondeRecord record = *item;

        record.data = (const guint8 *) (item + 1);
        n += count_record (&record);
        at += sonde_recorder_item_cost (item->stored_size);
      }
  return n;
}

GError *
sonde_recorder_gave_up_error (const GError *error,
                              guint64       unwritten)
{
  return g_error_new (SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "%s; gave up waiting for it as the recording ended: "
                                   "%" PRIu64 " record was not written",
                                   "%s; gave up waiting for it as the recording ended: "
                                   "%" PRIu64 " records were not written",
                                   unwritten),
                      error->message, (uint64_t) unwritten);
}

/* Under lock: the recording has stopped for good on @error, with the
 * @n records of @batch not written besides the queue. */
static void
fail_locked (SondeRecorder     *self,
             GError            *error,
             const Retry       *retry,
             const SondeRecord *batch,
             guint              n)
{
  if (retry->gave_up)
    {
      guint64 unwritten = sonde_recorder_count_queued_locked (self);
      GError *gave_up;

      for (guint i = 0; i < n; i++)
        unwritten += count_record (&batch[i]);
      gave_up = sonde_recorder_gave_up_error (error, unwritten);
      g_error_free (error);
      error = gave_up;
    }
  self->failed = TRUE;
  g_clear_error (&self->error);
  /* Let go of: the calling thread has said it already. */
  if (self->abandoned)
    g_clear_error (&error);
  self->error = error;
  g_clear_pointer (&self->waiting, g_free);
  sonde_recorder_drain_queue_locked (self);
  sonde_recorder_schedule_report_locked (self);
}

/* Opens the store (when given a URI) and begins the session, waiting for
 * a server that cannot be reached; FALSE when the recording stopped. */
static gboolean
begin_session (SondeRecorder *self)
{
  Retry retry = { 0, 0, FALSE };

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 id = 0;

      if (self->store == NULL)
        {
          SondeStore *store = sonde_store_open_uri (self->uri, SONDE_STORE_OPEN_WRITE, &error);

          g_mutex_lock (&self->lock);
          self->store = store;
          g_mutex_unlock (&self->lock);
        }
      g_mutex_lock (&self->lock);
      if (self->abandoned)
        {
          g_mutex_unlock (&self->lock);
          return FALSE;
        }
      g_mutex_unlock (&self->lock);
      if (self->store != NULL
          && sonde_store_begin_session (self->store, self->profile_id, self->profile_name, self->masked_url,
                                        self->start_us, &id, &error))
        {
          g_mutex_lock (&self->lock);
          /* Let go of meanwhile: the session is ended at once, empty. */
          self->session_id = id;
          self->disk_bytes = sonde_store_get_size (self->store);
          g_clear_pointer (&self->waiting, g_free);
          sonde_recorder_schedule_report_locked (self);
          g_mutex_unlock (&self->lock);
          return TRUE;
        }
      if (retry_later (self, error, &retry, BEGIN_AT_CLOSE_US))
        continue;

      g_mutex_lock (&self->lock);
      fail_locked (self, g_steal_pointer (&error), &retry, NULL, 0);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
}

gpointer
sonde_recorder_writer_thread (gpointer user_data)
{
  SondeRecorder *self = user_data;
  g_autofree SondeRecord *batch = g_new (SondeRecord, MAX_BATCH_RECORDS);
  guint64 last_size = 0;
  Retry retry = { 0, 0, FALSE };
  gboolean abandoned;

  if (self->session_id == 0)
    begin_session (self);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      SondeRecorderBlock *done = NULL;
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
      while (!ok && retry_later (self, error, &retry, RETRY_AT_CLOSE_US))
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
          sonde_recorder_gap_record (&gap, batch[0].seq, 0, TRUE, buffer, sizeof buffer);
          sonde_store_append (self->store, self->session_id, &gap, 1, NULL);
          g_mutex_lock (&self->lock);
          self->disk_bytes = size;
          fail_locked (self, g_steal_pointer (&error), &retry, batch, n);
          free_blocks_locked (self, done);
          continue;  /* until closed */
        }

      retry.delay_us = 0;
      g_mutex_lock (&self->lock);
      free_blocks_locked (self, done);
      if (self->waiting != NULL)
        set_waiting_locked (self, NULL);
      if (size != last_size)
        {
          last_size = size;
          self->disk_bytes = size;
          sonde_recorder_schedule_report_locked (self);
        }
    }
  g_mutex_unlock (&self->lock);

  /* Ends the session even after a failure: the disk may have room again. */
  if (self->session_id != 0)
    {
      g_autoptr(GError) error = NULL;
      gboolean ended;

      ended = sonde_store_end_session (self->store, self->session_id, self->end_us, self->close_code,
                                       self->close_reason, self->initiator, &error);
      while (!ended && !self->failed && retry_later (self, error, &retry, RETRY_AT_CLOSE_US))
        {
          g_clear_error (&error);
          ended = sonde_store_end_session (self->store, self->session_id, self->end_us, self->close_code,
                                           self->close_reason, self->initiator, &error);
        }
      if (!ended && !self->failed)
        g_warning ("Could not end the recorded session: %s", error->message);
    }
  g_mutex_lock (&self->lock);
  if (self->store != NULL)
    self->disk_bytes = sonde_store_get_size (self->store);
  self->finished = TRUE;
  abandoned = self->abandoned;
  if (self->detached && !abandoned)
    sonde_recorder_schedule_report_locked (self);
  g_mutex_unlock (&self->lock);
  sonde_recorder_live_remove (self);
  /* The calling thread let go: sonde_recorder_end()'s ref is this
   * thread's. */
  if (abandoned)
    g_object_unref (self);
  return NULL;
}
