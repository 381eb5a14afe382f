/* sonde-recorder-private.h: what the files of SondeRecorder share (the
 * object and its queue: sonde-recorder.c; the writer thread and the
 * store: sonde-recorder-writer.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-recorder.h"

G_BEGIN_DECLS

/* The queue: blocks of items, each item a SondeRecord (its data pointing
 * just after it) and the payload, 8-byte aligned. The calling thread
 * appends at the tail block's end; the writer takes items from the head
 * block's @read on, and reads them without the lock (a block never moves,
 * and only the writer frees one, once it has been read whole and the
 * append of its records is done). */
#define SONDE_RECORDER_BLOCK_SIZE (256 * 1024)

typedef struct _SondeRecorderBlock SondeRecorderBlock;
struct _SondeRecorderBlock {
  SondeRecorderBlock *next;
  gsize               size;    /* bytes at data */
  gsize               used;    /* written (under lock) */
  gsize               read;    /* taken by the writer (under lock) */
  guint8              data[];
};

/* Once a recording is closing, how long a database server that never
 * answered is waited for; the calling thread lets go of the writer a
 * second later whatever it is doing (a connect that hangs). */
#define SONDE_RECORDER_BEGIN_AT_CLOSE_US (3 * G_USEC_PER_SEC)
#define SONDE_RECORDER_ABANDON_US        (SONDE_RECORDER_BEGIN_AT_CLOSE_US + G_USEC_PER_SEC)

/* A batch, one transaction, is written once this many records or bytes
 * are queued (or after an interval: sonde-recorder-writer.c). */
#define SONDE_RECORDER_MAX_BATCH_RECORDS 8192
#define SONDE_RECORDER_MAX_BATCH_BYTES   (16 * 1024 * 1024)

struct _SondeRecorder
{
  GObject parent_instance;

  /* owned, calling thread */
  GMainContext        *context;
  GThread             *thread;
  gint64               reported_session_id;  /* the "session-id" property */
  char                *reported_waiting;     /* the "waiting" property */
  gboolean             recording;
  gboolean             closed;
  gboolean             detached;        /* ended by sonde_recorder_end(): nobody joins the writer */
  GSource             *abandon_source;  /* ended before the session began: lets go of the writer */
  guint64              bytes_on_disk;
  guint64              skipped;
  guint64              dropping;        /* dropped since the last gap record */
  guint64              first_dropped;   /* the seq of the first of them */

  /* set before the writer starts, read only after: what it opens (a
   * database server: NULL when @store was given) and the session it
   * begins there */
  char                *uri;
  char                *profile_id;
  char                *profile_name;
  char                *masked_url;
  gint64               start_us;

  /* owned by the writer thread between new() and close(); set under
   * lock (sonde_recorder_is_live() reads them from any thread) */
  SondeStore          *store;
  gint64               session_id;      /* 0 until the session has begun */

  /* shared, under lock */
  GMutex               lock;
  GCond                cond;
  SondeRecorderBlock  *head;            /* the queue: oldest block */
  SondeRecorderBlock  *tail;
  SondeRecorderBlock  *spare;           /* a block read whole, for the next one */
  guint                queued_records;
  gsize                queued_bytes;
  gsize                limit;
  gboolean             paused;
  gboolean             closing;
  gint64               closing_since;   /* monotonic */
  gboolean             abandoned;       /* the calling thread let go: the writer holds the last ref */
  gboolean             writer_idle;       /* waits for a first record */
  gboolean             writer_gathering;  /* waits for a full batch */
  gint64               first_queued_us;   /* when the queue last stopped being empty */
  gboolean             failed;
  gboolean             finished;        /* the writer is done: the session has ended in the store */
  GError              *error;           /* for ::stopped, not yet reported */
  char                *waiting;         /* why the store cannot be reached now; NULL when it can */
  guint64              disk_bytes;
  guint64              retries;         /* store calls tried again (a server away) */
  GSource             *report_source;
  gint64               end_us;
  int                  close_code;
  char                *close_reason;
  SondeStoreInitiator  initiator;
};

/* What a record takes in the queue. */
static inline gsize
sonde_recorder_item_cost (gsize stored_size)
{
  return (sizeof (SondeRecord) + stored_size + 7) & ~(gsize) 7;
}

/* The writer thread (sonde-recorder-writer.c). */
gpointer sonde_recorder_writer_thread         (gpointer           user_data);

/* The payload of a gap record, in @buffer. */
void     sonde_recorder_gap_record            (SondeRecord       *record,
                                               guint64            seq,
                                               guint64            skipped,
                                               gboolean           stopped,
                                               char              *buffer,
                                               gsize              buffer_size);
/* Under lock: have the calling thread look at the state (report()). */
void     sonde_recorder_schedule_report_locked (SondeRecorder    *self);
/* Under lock: the records the queue stands for (a gap record for those
 * it counts). */
guint64  sonde_recorder_count_queued_locked   (SondeRecorder     *self);
/* The error saying @unwritten records were not written as the recording
 * ended, waiting for a server that did not answer (@error). */
GError  *sonde_recorder_gave_up_error         (const GError      *error,
                                               guint64            unwritten);
/* Under lock: frees every queued block. */
void     sonde_recorder_drain_queue_locked    (SondeRecorder     *self);
/* The writer is done: off the list of live recorders. */
void     sonde_recorder_live_remove           (SondeRecorder     *self);

G_END_DECLS
