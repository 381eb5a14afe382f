/* sonde-message-log.c: the message log, records plus a byte arena
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Messages are records, not GObjects. A record is 16 bytes, kept in blocks of
 * up to BLOCK_CAPACITY records that carry the wide base values (sequence,
 * monotonic time, clock skew, arena offset); a record stores only the deltas.
 * Payload bytes go into an append-only arena of large anonymous mappings:
 * pages a chunk never reaches are never resident, so a chunk's unused tail
 * costs address space, not memory. Eviction works from the head and unmaps
 * whole chunks once no retained record points into them.
 */

#define G_LOG_DOMAIN "sonde-message-log"

#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sonde-message.h"
#include "sonde-message-log.h"

#define BLOCK_CAPACITY   4096
#define CHUNK_SIZE       ((gsize) 16 * 1024 * 1024)
#define MIN_CHUNK_SIZE   ((gsize) 256 * 1024)
#define SKEW_MAX         ((1 << 20) - 1)
#define SKEW_MIN         (-(1 << 20))

#define META_DIRECTION_MASK 0x3u
#define META_KIND_SHIFT     2
#define META_KIND_MASK      0xfu
#define META_TRUNCATED      (1u << 6)
#define META_AUTOMATIC      (1u << 7)
#define META_COMPRESSED     (1u << 8)
#define META_FRAGMENTED     (1u << 9)
#define META_UNMATCHED      (1u << 10)
#define META_SKEW_SHIFT     11

typedef struct {
  guint32 mono_delta;   /* µs since block->base_mono */
  guint32 offset_delta; /* arena offset since block->base_offset */
  guint32 stored;       /* payload bytes stored in the arena */
  guint32 meta;         /* direction, kind, flags, and the clock skew delta */
} PackedRecord;

G_STATIC_ASSERT (sizeof (PackedRecord) == 16);
G_STATIC_ASSERT (SONDE_MESSAGE_KIND_LAST <= META_KIND_MASK);

typedef struct {
  guint64       first_seq;   /* seq of records[0] */
  guint         count;       /* records written */
  guint         capacity;
  gint64        base_mono;
  gint64        base_skew;   /* wall - mono of the first record */
  guint64       base_offset;
  PackedRecord *records;
} Block;

typedef struct {
  guint64  base;      /* global arena offset of data[0] */
  gsize    capacity;  /* bytes mapped */
  gsize    used;
  guint8  *data;
} Chunk;

struct _SondeMessageLog
{
  GObject     parent_instance;

  /* owned */
  GPtrArray  *blocks;        /* Block*, oldest first */
  GPtrArray  *chunks;        /* Chunk*, oldest first */
  GHashTable *truncated;     /* seq (gint64*) → original size (gint64*) */
  GHashTable *frames;        /* seq (gint64*) → GArray of SondeFrameInfo: messages of several frames or compressed */

  guint64     first_seq;     /* seq of position 0 */
  guint64     next_seq;
  guint64     n_bytes;       /* stored payload bytes of retained records */
  guint64     n_evicted;
  guint64     arena_end;     /* next free global arena offset */

  guint       max_count;
  guint64     max_bytes;

  /* Records before announced_end are known to listeners. */
  guint       batch_depth;
  SondeRecordViews *views;   /* the decoded view of each message */
  SondeMessageLogSink sink;  /* sees every record appended, whole */
  gpointer    sink_data;
  guint64     announced_end;
  guint64     last_notified_evicted;
  guint       last_notified_n;
};

static void sonde_message_log_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeMessageLog, sonde_message_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sonde_message_log_list_model_init))

enum {
  PROP_0,
  PROP_MAX_COUNT,
  PROP_MAX_BYTES,
  PROP_N_EVICTED,
  PROP_N_RECORDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  VIEWS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gsize
page_size (void)
{
  static gsize size;

  if (size == 0)
    size = (gsize) sysconf (_SC_PAGESIZE);
  return size;
}

static Chunk *
chunk_new (guint64 base,
           gsize   capacity)
{
  Chunk *chunk = g_new0 (Chunk, 1);
  gsize page = page_size ();

  capacity = (capacity + page - 1) / page * page;
  chunk->data = mmap (NULL, capacity, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (chunk->data == MAP_FAILED)
    g_error ("Could not map %" G_GSIZE_FORMAT " bytes for the message log: %s",
             capacity, g_strerror (errno));
#ifdef MADV_HUGEPAGE
  /* Fewer, larger page faults while a flood fills the chunk: measured here,
   * page faults were ~40% of ingest time for 64 KiB messages. Only a hint;
   * where transparent huge pages are off it does nothing. */
  madvise (chunk->data, capacity, MADV_HUGEPAGE);
#endif
  chunk->base = base;
  chunk->capacity = capacity;
  return chunk;
}

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  munmap (chunk->data, chunk->capacity);
  g_free (chunk);
}

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->records);
  g_free (block);
}

static inline const Chunk *
find_chunk (SondeMessageLog *self,
            guint64          offset)
{
  guint lo = 0;
  guint hi = self->chunks->len;
  const Chunk *last;

  g_assert (hi > 0);

  last = g_ptr_array_index (self->chunks, hi - 1);
  if (offset >= last->base)
    return last;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      const Chunk *chunk = g_ptr_array_index (self->chunks, mid);

      if (chunk->base <= offset)
        lo = mid;
      else
        hi = mid;
    }

  return g_ptr_array_index (self->chunks, lo);
}

static inline const Block *
find_block (SondeMessageLog *self,
            guint64          seq,
            guint           *index_in_block)
{
  const Block *first = g_ptr_array_index (self->blocks, 0);
  guint guess = (guint) ((seq - first->first_seq) / BLOCK_CAPACITY);
  guint lo = 0;
  guint hi = self->blocks->len;

  /* Blocks are full except when sealed early (a slow feed, a clock step), so
   * the division is right nearly always; otherwise search. */
  if (guess < self->blocks->len)
    {
      const Block *block = g_ptr_array_index (self->blocks, guess);

      if (seq >= block->first_seq && seq < block->first_seq + block->count)
        {
          *index_in_block = (guint) (seq - block->first_seq);
          return block;
        }
    }

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      const Block *block = g_ptr_array_index (self->blocks, mid);

      if (block->first_seq <= seq)
        lo = mid;
      else
        hi = mid;
    }

  first = g_ptr_array_index (self->blocks, lo);
  *index_in_block = (guint) (seq - first->first_seq);
  return first;
}

static void
unpack_record (SondeMessageLog    *self,
               guint64             seq,
               const Block        *block,
               const PackedRecord *packed,
               SondeRecord        *record)
{
  gint32 skew = ((gint32) packed->meta) >> META_SKEW_SHIFT;
  guint64 offset = block->base_offset + packed->offset_delta;
  const Chunk *chunk = find_chunk (self, offset);

  record->seq = seq;
  record->mono_us = block->base_mono + packed->mono_delta;
  record->wall_us = record->mono_us + block->base_skew + skew;
  record->direction = packed->meta & META_DIRECTION_MASK;
  record->kind = (packed->meta >> META_KIND_SHIFT) & META_KIND_MASK;
  record->flags = SONDE_RECORD_FLAG_NONE;
  record->stored_size = packed->stored;
  record->size = packed->stored;
  record->data = chunk->data + (offset - chunk->base);

  if (packed->meta & META_AUTOMATIC)
    record->flags |= SONDE_RECORD_FLAG_AUTOMATIC;
  if (packed->meta & META_COMPRESSED)
    record->flags |= SONDE_RECORD_FLAG_COMPRESSED;
  if (packed->meta & META_FRAGMENTED)
    record->flags |= SONDE_RECORD_FLAG_FRAGMENTED;
  if (packed->meta & META_UNMATCHED)
    record->flags |= SONDE_RECORD_FLAG_UNMATCHED;

  if (packed->meta & META_TRUNCATED)
    {
      gint64 key = (gint64) seq;
      gint64 *original = g_hash_table_lookup (self->truncated, &key);

      record->flags |= SONDE_RECORD_FLAG_TRUNCATED;
      if (original != NULL)
        record->size = (gsize) *original;
    }
}

static void
notify_counts (SondeMessageLog *self)
{
  guint n = sonde_message_log_get_n_records (self);

  if (self->last_notified_evicted != self->n_evicted)
    {
      self->last_notified_evicted = self->n_evicted;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVICTED]);
    }
  if (self->last_notified_n != n)
    {
      self->last_notified_n = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RECORDS]);
    }
}

/* A chunk is unmapped only once every record in it is evicted, so a log
 * holds up to its retention plus a chunk: a small retention (a headless
 * monitor's logs, 8 MiB) gets smaller chunks, so that fifty of them do not
 * each keep 16 MiB resident. */
static gsize
chunk_size (SondeMessageLog *self)
{
  return (gsize) CLAMP (self->max_bytes / 8, (guint64) MIN_CHUNK_SIZE, (guint64) CHUNK_SIZE);
}

static void
release_unreferenced_chunks (SondeMessageLog *self)
{
  guint64 keep_from = self->arena_end;
  guint n_free = 0;

  if (self->first_seq < self->next_seq)
    {
      guint index;
      const Block *block = find_block (self, self->first_seq, &index);

      keep_from = block->base_offset + block->records[index].offset_delta;
    }

  /* The newest chunk stays: appends go there. */
  while (n_free + 1 < self->chunks->len)
    {
      const Chunk *chunk = g_ptr_array_index (self->chunks, n_free);

      if (chunk->base + chunk->capacity > keep_from)
        break;
      n_free++;
    }

  if (n_free > 0)
    g_ptr_array_remove_range (self->chunks, 0, n_free);
}

/* Removes the oldest record; the caller announces it. */
static void
evict_head (SondeMessageLog *self)
{
  Block *block;
  guint index;

  g_assert (self->first_seq < self->next_seq);

  block = (Block *) find_block (self, self->first_seq, &index);
  self->n_bytes -= block->records[index].stored;

  if (block->records[index].meta & META_TRUNCATED)
    {
      gint64 key = (gint64) self->first_seq;
      g_hash_table_remove (self->truncated, &key);
    }
  if (block->records[index].meta & (META_COMPRESSED | META_FRAGMENTED))
    {
      gint64 key = (gint64) self->first_seq;
      g_hash_table_remove (self->frames, &key);
    }

  self->first_seq++;

  if (index + 1 == block->count && self->blocks->len > 1)
    g_ptr_array_remove_index (self->blocks, 0);
}

/* Limits from these sizes on are reached by steps of 1/32 of the limit. */
#define LARGE_COUNT ((guint64) 65536)
#define LARGE_BYTES ((guint64) 256 * 1024 * 1024)

static guint64
eviction_slack (guint64 limit,
                guint64 large)
{
  return limit >= large ? limit / 32 : 0;
}

/* Announces appended records, then evicts what retention asks for and
 * announces that. Records are evicted only after listeners have heard of
 * them, and the model each items-changed describes is the one they can read:
 * first with the additions, then without the evicted head. */
static void
announce_and_evict (SondeMessageLog *self)
{
  guint n = sonde_message_log_get_n_records (self);
  guint added = (guint) (self->next_seq - self->announced_end);
  guint removed = 0;

  self->announced_end = self->next_seq;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), n - added, 0, added);

  /* Once over a limit, evict down to the limit less its slack: with large
   * limits the head moves in steps, so that a view gets a few removals a
   * second rather than one per batch (GTK 4.8 spends milliseconds on each,
   * whatever its size). The newest record always stays. */
  if (self->next_seq - self->first_seq > self->max_count || self->n_bytes > self->max_bytes)
    {
      guint64 count_target = self->max_count - eviction_slack (self->max_count, LARGE_COUNT);
      guint64 bytes_target = self->max_bytes - eviction_slack (self->max_bytes, LARGE_BYTES);

      while (self->next_seq - self->first_seq > 1 &&
             (self->next_seq - self->first_seq > count_target || self->n_bytes > bytes_target))
        {
          evict_head (self);
          removed++;
        }
    }

  if (removed > 0)
    {
      self->n_evicted += removed;
      release_unreferenced_chunks (self);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
    }

  notify_counts (self);
}

static guint8 *
arena_reserve (SondeMessageLog *self,
               gsize            size,
               guint64         *offset)
{
  Chunk *chunk = NULL;
  guint8 *dest;

  if (self->chunks->len > 0)
    chunk = g_ptr_array_index (self->chunks, self->chunks->len - 1);

  if (chunk == NULL || chunk->capacity - chunk->used < size)
    {
      /* Offsets are virtual: the next chunk starts after the previous one's
       * whole mapping, so offsets never go back. */
      if (chunk != NULL)
        self->arena_end = chunk->base + chunk->capacity;
      chunk = chunk_new (self->arena_end, MAX (chunk_size (self), size));
      g_ptr_array_add (self->chunks, chunk);
    }

  *offset = chunk->base + chunk->used;
  dest = chunk->data + chunk->used;
  chunk->used += size;
  self->arena_end = chunk->base + chunk->used;
  return dest;
}

static Block *
block_for_append (SondeMessageLog *self,
                  gint64           mono_us,
                  gint64           skew,
                  guint64          offset)
{
  Block *block = NULL;
  Block *fresh;

  if (self->blocks->len > 0)
    block = g_ptr_array_index (self->blocks, self->blocks->len - 1);

  if (block != NULL &&
      block->count < block->capacity &&
      mono_us >= block->base_mono &&
      mono_us - block->base_mono <= G_MAXUINT32 &&
      skew - block->base_skew >= SKEW_MIN &&
      skew - block->base_skew <= SKEW_MAX &&
      offset >= block->base_offset &&
      offset - block->base_offset <= G_MAXUINT32)
    return block;

  if (block != NULL && block->count < block->capacity)
    {
      /* Sealed early: give back the unused slots. */
      block->capacity = block->count;
      block->records = g_renew (PackedRecord, block->records, block->count);
    }

  fresh = g_new0 (Block, 1);
  fresh->first_seq = self->next_seq;
  fresh->capacity = BLOCK_CAPACITY;
  fresh->base_mono = mono_us;
  fresh->base_skew = skew;
  fresh->base_offset = offset;
  fresh->records = g_new (PackedRecord, BLOCK_CAPACITY);
  g_ptr_array_add (self->blocks, fresh);

  return fresh;
}

static void
sonde_message_log_finalize (GObject *object)
{
  SondeMessageLog *self = (SondeMessageLog *) object;

  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  g_clear_pointer (&self->chunks, g_ptr_array_unref);
  g_clear_pointer (&self->truncated, g_hash_table_unref);
  g_clear_pointer (&self->frames, g_hash_table_unref);
  g_clear_pointer (&self->views, sonde_record_views_free);

  G_OBJECT_CLASS (sonde_message_log_parent_class)->finalize (object);
}

static void
sonde_message_log_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SondeMessageLog *self = SONDE_MESSAGE_LOG (object);

  switch (prop_id)
    {
    case PROP_MAX_COUNT:
      g_value_set_uint (value, self->max_count);
      break;
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;
    case PROP_N_EVICTED:
      g_value_set_uint64 (value, self->n_evicted);
      break;
    case PROP_N_RECORDS:
      g_value_set_uint (value, sonde_message_log_get_n_records (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_message_log_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SondeMessageLog *self = SONDE_MESSAGE_LOG (object);

  switch (prop_id)
    {
    case PROP_MAX_COUNT:
      sonde_message_log_set_max_count (self, g_value_get_uint (value));
      break;
    case PROP_MAX_BYTES:
      sonde_message_log_set_max_bytes (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GType
sonde_message_log_get_item_type (GListModel *model)
{
  return SONDE_TYPE_MESSAGE;
}

static guint
sonde_message_log_get_n_items (GListModel *model)
{
  return sonde_message_log_get_n_records (SONDE_MESSAGE_LOG (model));
}

static gpointer
sonde_message_log_get_item (GListModel *model,
                            guint       position)
{
  SondeMessageLog *self = SONDE_MESSAGE_LOG (model);
  SondeRecord record;

  if (!sonde_message_log_get_record (self, position, &record))
    return NULL;

  return sonde_message_new (G_OBJECT (self), (SondeRecordLookupFunc) sonde_message_log_lookup_seq, &record);
}

static void
sonde_message_log_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sonde_message_log_get_item_type;
  iface->get_n_items = sonde_message_log_get_n_items;
  iface->get_item = sonde_message_log_get_item;
}

static void
sonde_message_log_class_init (SondeMessageLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_message_log_finalize;
  object_class->get_property = sonde_message_log_get_property;
  object_class->set_property = sonde_message_log_set_property;

  properties[PROP_MAX_COUNT] =
    g_param_spec_uint ("max-count", NULL, NULL,
                       1, G_MAXUINT, SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_BYTES] =
    g_param_spec_uint64 ("max-bytes", NULL, NULL,
                         1, G_MAXUINT64, SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_EVICTED] =
    g_param_spec_uint64 ("n-evicted", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_RECORDS] =
    g_param_spec_uint ("n-records", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The decoder changed: every view reads differently now. */
  signals[VIEWS_CHANGED] =
    g_signal_new ("views-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sonde_message_log_init (SondeMessageLog *self)
{
  self->blocks = g_ptr_array_new_with_free_func (block_free);
  self->chunks = g_ptr_array_new_with_free_func (chunk_free);
  self->truncated = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->frames = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  self->max_count = SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT;
  self->max_bytes = SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES;
  self->views = sonde_record_views_new ();
}

/* Sets the decoder that makes its messages' views (NULL: none), forgets
 * the views made, and emits ::views-changed. */
void
sonde_message_log_set_view_func (SondeMessageLog     *self,
                                 SondeRecordViewFunc  func,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));

  sonde_record_views_set_func (self->views, func, user_data, destroy);
  g_signal_emit (self, signals[VIEWS_CHANGED], 0);
}

/* The decoded views of its messages (the session sets the decoder). */
SondeRecordViews *
sonde_message_log_get_views (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), NULL);

  return self->views;
}

SondeMessageLog *
sonde_message_log_new (void)
{
  return g_object_new (SONDE_TYPE_MESSAGE_LOG, NULL);
}

guint
sonde_message_log_get_n_records (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return (guint) (self->next_seq - self->first_seq);
}

guint64
sonde_message_log_get_first_seq (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->first_seq;
}

guint64
sonde_message_log_get_next_seq (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->next_seq;
}

guint64
sonde_message_log_get_n_evicted (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->n_evicted;
}

/* Payload bytes stored for the retained records. */
guint64
sonde_message_log_get_n_bytes (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->n_bytes;
}

/* What the log holds in memory: record blocks plus the arena pages that
 * have been written to (untouched pages of a mapping are not resident). */
guint64
sonde_message_log_get_memory_size (SondeMessageLog *self)
{
  guint64 total = 0;
  gsize page = page_size ();

  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  for (guint i = 0; i < self->blocks->len; i++)
    {
      const Block *block = g_ptr_array_index (self->blocks, i);
      total += sizeof (Block) + (guint64) block->capacity * sizeof (PackedRecord);
    }

  for (guint i = 0; i < self->chunks->len; i++)
    {
      const Chunk *chunk = g_ptr_array_index (self->chunks, i);
      total += sizeof (Chunk) + (chunk->used + page - 1) / page * page;
    }

  return total;
}

guint
sonde_message_log_get_max_count (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->max_count;
}

void
sonde_message_log_set_max_count (SondeMessageLog *self,
                                 guint            max_count)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));
  g_return_if_fail (max_count > 0);

  if (self->max_count == max_count)
    return;

  self->max_count = max_count;
  if (self->batch_depth == 0)
    announce_and_evict (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_COUNT]);
}

guint64
sonde_message_log_get_max_bytes (SondeMessageLog *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);

  return self->max_bytes;
}

void
sonde_message_log_set_max_bytes (SondeMessageLog *self,
                                 guint64          max_bytes)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));
  g_return_if_fail (max_bytes > 0);

  if (self->max_bytes == max_bytes)
    return;

  self->max_bytes = max_bytes;
  if (self->batch_depth == 0)
    announce_and_evict (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BYTES]);
}

gboolean
sonde_message_log_get_record (SondeMessageLog *self,
                              guint            position,
                              SondeRecord     *record)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (position >= sonde_message_log_get_n_records (self))
    return FALSE;

  return sonde_message_log_lookup_seq (self, self->first_seq + position, record);
}

gboolean
sonde_message_log_lookup_seq (SondeMessageLog *self,
                              guint64          seq,
                              SondeRecord     *record)
{
  const Block *block;
  guint index;

  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (seq < self->first_seq || seq >= self->next_seq)
    return FALSE;

  block = find_block (self, seq, &index);
  unpack_record (self, seq, block, &block->records[index], record);
  return TRUE;
}

/* Appends made between begin and end are announced with one items-changed
 * for the additions (and one for evictions from the head) at the end. */
void
sonde_message_log_begin_batch (SondeMessageLog *self)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));

  self->batch_depth++;
}

void
sonde_message_log_end_batch (SondeMessageLog *self)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));
  g_return_if_fail (self->batch_depth > 0);

  if (--self->batch_depth == 0)
    announce_and_evict (self);
}

guint64
sonde_message_log_append (SondeMessageLog  *self,
                          SondeDirection    direction,
                          SondeMessageKind  kind,
                          gint64            wall_us,
                          gint64            mono_us,
                          const void       *data,
                          gsize             size)
{
  return sonde_message_log_append_full (self, direction, kind, SONDE_RECORD_FLAG_NONE,
                                        wall_us, mono_us, data, size);
}

/* Appends a record with @flags (all but SONDE_RECORD_FLAG_TRUNCATED, which
 * the log sets itself). */
guint64
sonde_message_log_append_full (SondeMessageLog  *self,
                               SondeDirection    direction,
                               SondeMessageKind  kind,
                               SondeRecordFlags  flags,
                               gint64            wall_us,
                               gint64            mono_us,
                               const void       *data,
                               gsize             size)
{
  gsize stored = size;
  gboolean truncated = FALSE;
  gint64 skew = wall_us - mono_us;
  guint64 offset = self->arena_end;
  guint8 *dest = NULL;
  Block *block;
  PackedRecord *packed;
  guint64 seq;

  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), 0);
  g_return_val_if_fail (data != NULL || size == 0, 0);
  g_return_val_if_fail (direction <= SONDE_DIRECTION_EVENT, 0);
  g_return_val_if_fail (kind <= SONDE_MESSAGE_KIND_LAST, 0);

  if (stored > self->max_bytes || stored > G_MAXUINT32)
    {
      stored = (gsize) MIN (self->max_bytes, G_MAXUINT32);
      truncated = TRUE;
    }

  if (stored > 0)
    dest = arena_reserve (self, stored, &offset);

  block = block_for_append (self, mono_us, skew, offset);
  seq = self->next_seq++;

  packed = &block->records[block->count++];
  packed->mono_delta = (guint32) (mono_us - block->base_mono);
  packed->offset_delta = (guint32) (offset - block->base_offset);
  packed->stored = (guint32) stored;
  packed->meta = (guint32) direction
               | ((guint32) kind << META_KIND_SHIFT)
               | (truncated ? META_TRUNCATED : 0)
               | ((flags & SONDE_RECORD_FLAG_AUTOMATIC) ? META_AUTOMATIC : 0)
               | ((flags & SONDE_RECORD_FLAG_COMPRESSED) ? META_COMPRESSED : 0)
               | ((flags & SONDE_RECORD_FLAG_FRAGMENTED) ? META_FRAGMENTED : 0)
               | ((flags & SONDE_RECORD_FLAG_UNMATCHED) ? META_UNMATCHED : 0)
               | ((guint32) (gint32) (skew - block->base_skew) << META_SKEW_SHIFT);

  if (stored > 0)
    memcpy (dest, data, stored);
  self->n_bytes += stored;

  if (self->sink != NULL)
    {
      SondeRecord whole = {
        .seq = seq,
        .wall_us = wall_us,
        .mono_us = mono_us,
        .direction = direction,
        .kind = kind,
        .flags = flags & ~SONDE_RECORD_FLAG_TRUNCATED,
        .size = size,
        .stored_size = size,
        .data = data,
      };

      self->sink (&whole, self->sink_data);
    }

  if (truncated)
    {
      gint64 *key = g_new (gint64, 1);
      gint64 *value = g_new (gint64, 1);

      *key = (gint64) seq;
      *value = (gint64) size;
      g_hash_table_insert (self->truncated, key, value);
    }

  if (self->batch_depth == 0)
    announce_and_evict (self);

  return seq;
}

void
sonde_message_log_set_sink (SondeMessageLog     *self,
                            SondeMessageLogSink  sink,
                            gpointer             user_data)
{
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));

  self->sink = sink;
  self->sink_data = user_data;
}

/* Empties the log. Cleared records do not count as evicted. */
void
sonde_message_log_clear (SondeMessageLog *self)
{
  guint n;

  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));
  g_return_if_fail (self->batch_depth == 0);

  n = sonde_message_log_get_n_records (self);
  self->first_seq = self->next_seq;
  self->announced_end = self->next_seq;
  self->n_bytes = 0;
  g_ptr_array_set_size (self->blocks, 0);
  g_hash_table_remove_all (self->truncated);
  g_hash_table_remove_all (self->frames);
  sonde_record_views_clear (self->views);
  release_unreferenced_chunks (self);

  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  notify_counts (self);
}

/* Keeps how the message @seq was framed, when that is more than its record
 * says (several frames, or compressed): the frames' headers, in order. */
void
sonde_message_log_set_frames (SondeMessageLog      *self,
                              guint64               seq,
                              const SondeFrameInfo *frames,
                              guint                 n_frames)
{
  GArray *array;
  gint64 *key;

  g_return_if_fail (SONDE_IS_MESSAGE_LOG (self));
  g_return_if_fail (frames != NULL || n_frames == 0);

  if (n_frames == 0 || seq < sonde_message_log_get_first_seq (self) || seq >= self->next_seq)
    return;

  array = g_array_sized_new (FALSE, FALSE, sizeof (SondeFrameInfo), n_frames);
  g_array_append_vals (array, frames, n_frames);
  key = g_new (gint64, 1);
  *key = (gint64) seq;
  g_hash_table_insert (self->frames, key, array);
}

/* The frames of the message @seq as set_frames() kept them, or NULL (one
 * plain frame, or the record is gone). */
const SondeFrameInfo *
sonde_message_log_get_frames (SondeMessageLog *self,
                              guint64          seq,
                              guint           *n_frames)
{
  gint64 key = (gint64) seq;
  GArray *array;

  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (self), NULL);
  g_return_val_if_fail (n_frames != NULL, NULL);

  array = g_hash_table_lookup (self->frames, &key);
  *n_frames = array != NULL ? array->len : 0;
  return array != NULL ? (const SondeFrameInfo *) (gpointer) array->data : NULL;
}
