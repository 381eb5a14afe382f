/* test-message-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-message.h"
#include "sonde-message-log.h"
#include "sonde-test-util.h"

typedef struct {
  guint position;
  guint removed;
  guint added;
  guint n_items_then;   /* what the model said it held during the signal */
  guint64 first_seq_then;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added, g_list_model_get_n_items (model),
                    sonde_message_log_get_first_seq (SONDE_MESSAGE_LOG (model)) };

  /* Every item the signal announces is readable while it is announced. */
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(SondeMessage) message = g_list_model_get_item (model, position + i);
      g_assert_nonnull (message);
    }

  g_array_append_val (changes, change);
}

static guint64
append_text (SondeMessageLog *log,
             const char      *text,
             gint64           mono_us)
{
  return sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                   1700000000000000 + mono_us, mono_us, text, strlen (text));
}

static void
test_append_and_read (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  static const guint8 binary[] = { 0x00, 0xff, 0x00, 0x10, 0x00 };
  static const char event[] = "{\"code\":1000}";
  SondeRecord record;

  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 0);
  g_assert_false (sonde_message_log_get_record (log, 0, &record));

  g_assert_cmpuint (append_text (log, "hello", 1000), ==, 0);
  g_assert_cmpuint (sonde_message_log_append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY,
                                              1700000000002000, 2000, binary, sizeof binary), ==, 1);
  g_assert_cmpuint (sonde_message_log_append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE,
                                              1700000000003000, 3000, event, strlen (event)), ==, 2);
  g_assert_cmpuint (sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                              1700000000004000, 4000, "", 0), ==, 3);

  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 4);
  g_assert_cmpuint (sonde_message_log_get_n_bytes (log), ==, 5 + sizeof binary + strlen (event));

  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpuint (record.seq, ==, 0);
  g_assert_cmpint (record.mono_us, ==, 1000);
  g_assert_cmpint (record.wall_us, ==, 1700000000001000);
  g_assert_cmpint (record.direction, ==, SONDE_DIRECTION_IN);
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpmem (record.data, record.stored_size, "hello", 5);

  g_assert_true (sonde_message_log_get_record (log, 1, &record));
  g_assert_cmpint (record.direction, ==, SONDE_DIRECTION_OUT);
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_BINARY);
  g_assert_cmpmem (record.data, record.stored_size, binary, sizeof binary);
  g_assert_cmpuint (record.size, ==, sizeof binary);

  g_assert_true (sonde_message_log_lookup_seq (log, 2, &record));
  g_assert_cmpint (record.direction, ==, SONDE_DIRECTION_EVENT);
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpmem (record.data, record.stored_size, event, strlen (event));

  g_assert_true (sonde_message_log_get_record (log, 3, &record));
  g_assert_cmpuint (record.size, ==, 0);
  g_assert_cmpuint (record.stored_size, ==, 0);

  g_assert_false (sonde_message_log_get_record (log, 4, &record));
  g_assert_false (sonde_message_log_lookup_seq (log, 4, &record));

  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
test_evict_by_count (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  SondeRecord record;

  sonde_message_log_set_max_count (log, 10);

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);
      append_text (log, text, i);
    }

  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 10);
  g_assert_cmpuint (sonde_message_log_get_first_seq (log), ==, 15);
  g_assert_cmpuint (sonde_message_log_get_next_seq (log), ==, 25);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, 15);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *expected = g_strdup_printf ("message %u", 15 + i);

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      g_assert_cmpuint (record.seq, ==, 15 + i);
      g_assert_cmpmem (record.data, record.stored_size, expected, strlen (expected));
    }

  g_assert_false (sonde_message_log_lookup_seq (log, 14, &record));

  /* Lowering the limit evicts at once. */
  sonde_message_log_set_max_count (log, 3);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 3);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, 22);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpmem (record.data, record.stored_size, "message 22", 10);
}

static void
test_evict_by_bytes (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  char payload[100];
  g_autofree char *huge = g_malloc (5000);
  SondeRecord record;

  sonde_message_log_set_max_bytes (log, 1000);

  for (guint i = 0; i < 100; i++)
    {
      memset (payload, 'a' + (i % 26), sizeof payload);
      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, i, i,
                                payload, sizeof payload);
      g_assert_cmpuint (sonde_message_log_get_n_bytes (log), <=, 1000);
    }

  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 10);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, 90);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpuint (record.seq, ==, 90);
  g_assert_cmpint (record.data[0], ==, 'a' + (90 % 26));

  /* One message larger than the whole budget: kept, truncated, flagged, and
   * everything older goes. */
  memset (huge, 'z', 5000);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 200, 200, huge, 5000);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 1);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_true (record.flags & SONDE_RECORD_FLAG_TRUNCATED);
  g_assert_cmpuint (record.size, ==, 5000);
  g_assert_cmpuint (record.stored_size, ==, 1000);
  g_assert_cmpint (record.data[999], ==, 'z');

  /* A normal message after it evicts it; the flag does not stick. */
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 300, 300, "ok", 2);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 1);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_false (record.flags & SONDE_RECORD_FLAG_TRUNCATED);
  g_assert_cmpuint (record.size, ==, 2);
}

static void
test_coalesced_items_changed (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  const Change *change;

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), changes);

  /* Outside a batch, every append is announced. */
  append_text (log, "one", 1);
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->added, ==, 1);

  /* A batch of 500 is one signal, at the end. */
  g_array_set_size (changes, 0);
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < 500; i++)
    append_text (log, "batched", 10 + i);
  g_assert_cmpuint (changes->len, ==, 0);
  sonde_message_log_end_batch (log);

  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 1);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 500);
  g_assert_cmpuint (change->n_items_then, ==, 501);

  /* With retention in the way: first the additions, while every one of
   * them can still be read, then the evictions from the head. Nothing is
   * evicted that was never announced. */
  g_array_set_size (changes, 0);
  sonde_message_log_set_max_count (log, 100);
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 401);
  g_assert_cmpuint (change->n_items_then, ==, 100);

  g_array_set_size (changes, 0);
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < 250; i++)
    append_text (log, "overflow", 1000 + i);
  sonde_message_log_end_batch (log);

  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 100);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 250);
  g_assert_cmpuint (change->n_items_then, ==, 350);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 250);
  g_assert_cmpuint (change->added, ==, 0);
  g_assert_cmpuint (change->n_items_then, ==, 100);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, 651);

  /* Nested batches announce once, at the outermost end. */
  g_array_set_size (changes, 0);
  sonde_message_log_set_max_count (log, 1000000);
  sonde_message_log_begin_batch (log);
  sonde_message_log_begin_batch (log);
  append_text (log, "inner", 5000);
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (changes->len, ==, 0);
  append_text (log, "outer", 5001);
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 2);

  g_signal_handlers_disconnect_by_data (log, changes);
}

static void
test_lazy_items (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeMessage) message = NULL;
  g_autoptr(GBytes) payload = NULL;
  guint base = sonde_message_get_n_alive ();

  g_assert_cmpuint (g_list_model_get_item_type (G_LIST_MODEL (log)), ==, SONDE_TYPE_MESSAGE);

  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < 100000; i++)
    {
      char text[32];
      int len = g_snprintf (text, sizeof text, "%u", i);
      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, i, i, text, len);
    }
  sonde_message_log_end_batch (log);

  /* 100,000 records and not one object. */
  g_assert_cmpuint (sonde_message_get_n_alive (), ==, base);

  message = g_list_model_get_item (G_LIST_MODEL (log), 77777);
  g_assert_cmpuint (sonde_message_get_n_alive (), ==, base + 1);
  g_assert_cmpuint (sonde_message_get_seq (message), ==, 77777);
  g_assert_cmpint (sonde_message_get_direction (message), ==, SONDE_DIRECTION_IN);
  g_assert_cmpint (sonde_message_get_kind (message), ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpuint (sonde_message_get_size (message), ==, 5);
  payload = sonde_message_dup_payload (message);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), "77777", 5);

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 100000));

  /* Once evicted, the item says so instead of returning other bytes. */
  sonde_message_log_set_max_count (log, 10);
  g_assert_null (sonde_message_dup_payload (message));
  g_assert_cmpuint (sonde_message_get_seq (message), ==, 77777);

  g_assert_finalize_object (g_steal_pointer (&message));
  g_assert_cmpuint (sonde_message_get_n_alive (), ==, base);
}

static void
test_clear (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  SondeRecord record;

  for (guint i = 0; i < 10; i++)
    append_text (log, "x", i);

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), changes);
  sonde_message_log_clear (log);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 10);
  g_assert_cmpuint (g_array_index (changes, Change, 0).n_items_then, ==, 0);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 0);
  g_assert_cmpuint (sonde_message_log_get_n_bytes (log), ==, 0);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, 0);

  /* Sequence numbers go on after a clear. */
  g_assert_cmpuint (append_text (log, "after", 20), ==, 10);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpmem (record.data, record.stored_size, "after", 5);
  g_signal_handlers_disconnect_by_data (log, changes);
}

/* Records keep their exact times across whatever forces a new block: a
 * feed silent for hours, a wall clock stepping back or forward. */
static void
test_time_edges (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  const gint64 hour = (gint64) 3600 * G_USEC_PER_SEC;
  struct { gint64 wall; gint64 mono; } times[] = {
    { 1700000000000000, 10 },
    { 1700000000000100, 110 },
    { 1700000000000100 + 3 * hour, 110 + 3 * hour },              /* silent for 3 h */
    { 1700000000000100 + 3 * hour - 60 * G_USEC_PER_SEC, 200 + 3 * hour }, /* clock stepped back 1 min */
    { 1700000000000100 + 3 * hour + 5, 300 + 3 * hour },          /* and forward again */
    { 1700000000000400 + 3 * hour, 250 + 3 * hour },               /* monotonic going back (a caller bug) */
  };
  SondeRecord record;

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      char text[8];
      g_snprintf (text, sizeof text, "t%u", i);
      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                                times[i].wall, times[i].mono, text, strlen (text));
    }

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      char text[8];
      g_snprintf (text, sizeof text, "t%u", i);
      g_assert_true (sonde_message_log_get_record (log, i, &record));
      g_assert_cmpint (record.wall_us, ==, times[i].wall);
      g_assert_cmpint (record.mono_us, ==, times[i].mono);
      g_assert_cmpmem (record.data, record.stored_size, text, strlen (text));
    }

  /* Evicting across those block boundaries keeps lookups right. */
  sonde_message_log_set_max_count (log, 2);
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  g_assert_cmpint (record.mono_us, ==, times[4].mono);
  g_assert_true (sonde_message_log_get_record (log, 1, &record));
  g_assert_cmpint (record.wall_us, ==, times[5].wall);
}

/* Payloads larger than an arena chunk, and chunks given back once no
 * retained record points into them. */
static void
test_large_payloads (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  gsize size = 3 * 1024 * 1024 + 17;
  g_autofree guint8 *payload = g_malloc (size);
  guint64 peak = 0;
  SondeRecord record;

  sonde_message_log_set_max_bytes (log, 64 * 1024 * 1024);

  for (guint i = 0; i < 60; i++)
    {
      memset (payload, i, size);
      sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, i, i, payload, size);
      peak = MAX (peak, sonde_message_log_get_memory_size (log));
    }

  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, (64 * 1024 * 1024) / size);
  /* What is retained, plus at most one chunk and the record blocks. */
  g_assert_cmpuint (peak, <, 64 * 1024 * 1024 + 16 * 1024 * 1024 + size + 256 * 1024);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, &record));
      g_assert_cmpuint (record.stored_size, ==, size);
      g_assert_cmpint (record.data[0], ==, (guint8) record.seq);
      g_assert_cmpint (record.data[size - 1], ==, (guint8) record.seq);
    }

  /* A single message bigger than a chunk gets a mapping of its own. */
  {
    gsize big = 40 * 1024 * 1024;
    g_autofree guint8 *buffer = g_malloc (big);

    memset (buffer, 0xab, big);
    sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 100, 100, buffer, big);
    g_assert_true (sonde_message_log_get_record (log, sonde_message_log_get_n_records (log) - 1, &record));
    g_assert_cmpuint (record.stored_size, ==, big);
    g_assert_cmpint (record.data[big - 1], ==, 0xab);
  }

  sonde_message_log_clear (log);
  g_assert_cmpuint (sonde_message_log_get_memory_size (log), <, 64 * 1024 * 1024 + 4096);
}

/* The memory target of the design: at most payload + 32 bytes a message,
 * counted exactly by the log itself (the benchmark measures RSS). */
static void
test_memory_per_message (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  const guint n = 1000000;
  char payload[100];
  guint64 memory;

  memset (payload, 'm', sizeof payload);
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                              1700000000000000 + i * 3, i * 3, payload, sizeof payload);
  sonde_message_log_end_batch (log);

  memory = sonde_message_log_get_memory_size (log);
  g_test_message ("1M messages of 100 bytes: %" G_GUINT64_FORMAT " bytes, %.1f per message",
                  memory, (double) memory / n);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, n);
  g_assert_cmpuint (memory, <=, (guint64) n * (sizeof payload + 32));
}


static void
count_head_removals (guint      *removals,
                     guint       position,
                     guint       removed,
                     guint       added)
{
  if (removed > 0)
    (*removals)++;
}

/* Large limits are reached in steps: once over, the log evicts down to the
 * limit less 1/32 of it, so views see few head removals. */
static void
test_eviction_in_steps (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  guint removals = 0;
  const guint limit = 100000;

  sonde_message_log_set_max_count (log, limit);
  g_signal_connect_swapped (log, "items-changed", G_CALLBACK (count_head_removals), &removals);

  for (guint i = 0; i < limit; i++)
    sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 0, i, "x", 1);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, limit);
  g_assert_cmpuint (removals, ==, 0);

  /* One over: down to the limit less the slack, in one removal. */
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 0, limit, "x", 1);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, limit - limit / 32);
  g_assert_cmpuint (sonde_message_log_get_n_evicted (log), ==, limit / 32 + 1);
  g_assert_cmpuint (removals, ==, 1);

  /* The next removal comes only when the limit is passed again. */
  for (guint i = 0; i < limit / 32; i++)
    sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 0, limit + 1 + i, "x", 1);
  g_assert_cmpuint (removals, ==, 1);
  sonde_message_log_append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 0, 2 * limit, "x", 1);
  g_assert_cmpuint (removals, ==, 2);
  g_assert_cmpuint (sonde_message_log_get_n_records (log), <=, limit);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/message-log/append-and-read", test_append_and_read);
  g_test_add_func ("/message-log/evict-by-count", test_evict_by_count);
  g_test_add_func ("/message-log/evict-by-bytes", test_evict_by_bytes);
  g_test_add_func ("/message-log/coalesced-items-changed", test_coalesced_items_changed);
  g_test_add_func ("/message-log/lazy-items", test_lazy_items);
  g_test_add_func ("/message-log/clear", test_clear);
  g_test_add_func ("/message-log/time-edges", test_time_edges);
  g_test_add_func ("/message-log/large-payloads", test_large_payloads);
  g_test_add_func ("/message-log/memory-per-message", test_memory_per_message);
  g_test_add_func ("/message-log/eviction-in-steps", test_eviction_in_steps);

  return g_test_run ();
}
