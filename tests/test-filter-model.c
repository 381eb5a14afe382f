/* test-filter-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test replays the model's items-changed on a shadow list of sequence
 * numbers and checks, at each signal, that the model holds what its signals
 * described: GTK's list views abort when the two disagree. Results are
 * compared with a brute-force filter of the whole log, written here without
 * looking at how the model matches.
 */

#include "config.h"

#include <string.h>

#include "sonde-filter-model.h"
#include "sonde-message.h"
#include "sonde-message-log.h"
#include "sonde-test-util.h"

/* Generous: a scan of 200,000 records takes a fraction of a second. */
#define SCAN_TIMEOUT_MS 30000

/* The shadow: the model as its items-changed signals described it. */
typedef struct {
  SondeFilterModel *model;      /* borrowed */
  GArray           *seqs;       /* guint64, one per item */
  gulong            handler;
  gulong            notify_handler;
  guint             n_signals;
  guint             n_added;
  guint             n_removed;
  gboolean          deep;       /* compare every item at every signal */
} Shadow;

/* What the model should show, matched the slow and obvious way. */
typedef struct {
  char   *text;
  guint   directions;
  guint   kinds;
  GRegex *regex;      /* for regular expressions and non-ASCII text */
  GRegex *raw_regex;  /* the same over bytes, for binary payloads */
} Reference;

static gint64 fake_clock;

static guint64
append (SondeMessageLog  *log,
        SondeDirection    direction,
        SondeMessageKind  kind,
        const void       *data,
        gsize             size)
{
  fake_clock += 1000;
  return sonde_message_log_append (log, direction, kind,
                                   1700000000000000 + fake_clock, fake_clock, data, size);
}

static guint64
append_text (SondeMessageLog *log,
             const char      *text)
{
  return append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text, strlen (text));
}

static guint64
append_event (SondeMessageLog  *log,
              SondeMessageKind  kind,
              const char       *json)
{
  return append (log, SONDE_DIRECTION_EVENT, kind, json, strlen (json));
}

static void
count_calls (guint *counter)
{
  (*counter)++;
}

static guint64
model_seq_at (SondeFilterModel *model,
              guint             position)
{
  SondeRecord record;

  g_assert_true (sonde_filter_model_get_record (model, position, &record));
  return record.seq;
}

/* The model holds exactly what its signals said, in ascending order. */
static void
shadow_check (Shadow *shadow)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (shadow->model));
  SondeRecord record;

  g_assert_cmpuint (n, ==, shadow->seqs->len);
  for (guint i = 0; i < n; i++)
    {
      guint64 seq = g_array_index (shadow->seqs, guint64, i);

      g_assert_cmpuint (model_seq_at (shadow->model, i), ==, seq);
      if (i > 0)
        g_assert_cmpuint (g_array_index (shadow->seqs, guint64, i - 1), <, seq);
    }
  g_assert_false (sonde_filter_model_get_record (shadow->model, n, &record));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (shadow->model), n));
}

static void
on_shadow_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Shadow     *shadow)
{
  SondeFilterModel *filter = SONDE_FILTER_MODEL (model);
  g_autofree guint64 *fresh = g_new (guint64, MAX (added, 1));
  guint first, last;

  /* Nothing is announced that does not change anything, and nothing is
   * removed that was never there. */
  g_assert_true (removed > 0 || added > 0);
  g_assert_cmpuint (position, <=, shadow->seqs->len);
  g_assert_cmpuint (removed, <=, shadow->seqs->len - position);

  for (guint i = 0; i < added; i++)
    fresh[i] = model_seq_at (filter, position + i);
  g_array_remove_range (shadow->seqs, position, removed);
  g_array_insert_vals (shadow->seqs, position, fresh, added);

  shadow->n_signals++;
  shadow->n_added += added;
  shadow->n_removed += removed;

  /* What GTK checks: the count agrees with the signal at once. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, shadow->seqs->len);

  /* The new items sit in order between their neighbours. */
  first = position > 0 ? position - 1 : 0;
  last = MIN (position + added + 1, shadow->seqs->len);
  for (guint i = first + 1; i < last; i++)
    g_assert_cmpuint (g_array_index (shadow->seqs, guint64, i - 1), <,
                      g_array_index (shadow->seqs, guint64, i));

  if (added > 0)
    {
      g_autoptr(SondeMessage) message = g_list_model_get_item (model, position);

      g_assert_nonnull (message);
      g_assert_cmpuint (sonde_message_get_seq (message), ==, fresh[0]);
    }

  if (shadow->deep)
    shadow_check (shadow);
}

/* Listeners of property notifications read the model too. */
static void
on_shadow_notify (GObject    *object,
                  GParamSpec *pspec,
                  Shadow     *shadow)
{
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (object)), ==, shadow->seqs->len);
}

static void
shadow_init (Shadow           *shadow,
             SondeFilterModel *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  memset (shadow, 0, sizeof *shadow);
  shadow->model = model;
  shadow->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (guint i = 0; i < n; i++)
    {
      guint64 seq = model_seq_at (model, i);
      g_array_append_val (shadow->seqs, seq);
    }
  shadow->handler = g_signal_connect (model, "items-changed",
                                      G_CALLBACK (on_shadow_items_changed), shadow);
  shadow->notify_handler = g_signal_connect (model, "notify",
                                             G_CALLBACK (on_shadow_notify), shadow);
}

static void
shadow_clear (Shadow *shadow)
{
  g_clear_signal_handler (&shadow->handler, shadow->model);
  g_clear_signal_handler (&shadow->notify_handler, shadow->model);
  g_clear_pointer (&shadow->seqs, g_array_unref);
}

static void
reference_init (Reference *ref)
{
  memset (ref, 0, sizeof *ref);
  ref->text = g_strdup ("");
  ref->directions = SONDE_FILTER_DIRECTION_ALL;
  ref->kinds = SONDE_FILTER_KIND_ALL;
}

static void
reference_clear (Reference *ref)
{
  g_clear_pointer (&ref->text, g_free);
  g_clear_pointer (&ref->regex, g_regex_unref);
  g_clear_pointer (&ref->raw_regex, g_regex_unref);
}

static void
reference_set_query (Reference  *ref,
                     const char *text,
                     gboolean    regex)
{
  gboolean ascii = TRUE;

  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      ascii = FALSE;

  g_free (ref->text);
  ref->text = g_strdup (text);
  g_clear_pointer (&ref->regex, g_regex_unref);
  g_clear_pointer (&ref->raw_regex, g_regex_unref);

  if (*text != '\0' && (regex || !ascii))
    {
      g_autofree char *pattern = regex ? g_strdup (text) : g_regex_escape_string (text, -1);

      /* Not optimized: the interpreter, not the JIT the model uses. */
      ref->regex = g_regex_new (pattern, G_REGEX_CASELESS, 0, NULL);
      ref->raw_regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_RAW, 0, NULL);
      g_assert_nonnull (ref->regex);
      g_assert_nonnull (ref->raw_regex);
    }
}

static gboolean
contains_naive (const guint8 *haystack,
                gsize         length,
                const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    {
      gsize j;

      for (j = 0; j < n; j++)
        if (g_ascii_tolower (haystack[i + j]) != g_ascii_tolower (needle[j]))
          break;
      if (j == n)
        return TRUE;
    }

  return FALSE;
}

static gboolean
reference_matches (const Reference   *ref,
                   const SondeRecord *record)
{
  const char *data = (const char *) record->data;
  gsize length = record->stored_size;

  if (!(ref->directions & (1u << record->direction)))
    return FALSE;
  if (record->kind == SONDE_MESSAGE_KIND_PING || record->kind == SONDE_MESSAGE_KIND_PONG)
    {
      if (!(ref->kinds & SONDE_FILTER_KIND_PINGS))
        return FALSE;
    }
  else if (record->kind == SONDE_MESSAGE_KIND_FRAME)
    {
      if (!(ref->kinds & SONDE_FILTER_KIND_FRAMES))
        return FALSE;
    }
  else if (record->direction != SONDE_DIRECTION_EVENT &&
           !(ref->kinds & (record->kind == SONDE_MESSAGE_KIND_BINARY ? SONDE_FILTER_KIND_BINARY
                                                                     : SONDE_FILTER_KIND_TEXT)))
    return FALSE;

  if (ref->text[0] == '\0')
    return TRUE;
  if (ref->regex == NULL)
    return contains_naive (record->data, length, ref->text);
  if (record->kind == SONDE_MESSAGE_KIND_BINARY)
    return g_regex_match_full (ref->raw_regex, data, (gssize) length, 0, 0, NULL, NULL);

  /* UTF-8, NUL characters included, but the log may have cut the last
   * character in two; text that is not UTF-8 at all is matched as bytes. */
  for (gsize i = 0; i < length;)
    {
      gunichar c;

      if (data[i] == '\0')
        {
          i++;
          continue;
        }

      c = g_utf8_get_char_validated (data + i, (gssize) (length - i));
      if (c == (gunichar) -1)
        return g_regex_match_full (ref->raw_regex, data, (gssize) length, 0, 0, NULL, NULL);
      if (c == (gunichar) -2)
        length = i;
      else
        i += g_utf8_skip[(guchar) data[i]];
    }

  return g_regex_match_full (ref->regex, data, (gssize) length, 0, 0, NULL, NULL);
}

/* Every record from @from (or the log's first) to @end that matches. */
static GArray *
reference_filter (const Reference *ref,
                  SondeMessageLog *log,
                  guint64          from,
                  guint64          end)
{
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint64 seq = MAX (from, sonde_message_log_get_first_seq (log)); seq < end; seq++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_lookup_seq (log, seq, &record));
      if (reference_matches (ref, &record))
        g_array_append_val (seqs, seq);
    }

  return seqs;
}

static void
assert_seqs_equal (GArray *actual,
                   GArray *expected)
{
  for (guint i = 0; i < MIN (actual->len, expected->len); i++)
    g_assert_cmpuint (g_array_index (actual, guint64, i), ==, g_array_index (expected, guint64, i));
  g_assert_cmpuint (actual->len, ==, expected->len);
}

/* The model, as its signals described it, is what the reference finds in
 * [from, end). */
static void
assert_model_is_reference (Shadow          *shadow,
                           const Reference *ref,
                           SondeMessageLog *log,
                           guint64          from,
                           guint64          end)
{
  g_autoptr(GArray) expected = reference_filter (ref, log, from, end);

  shadow_check (shadow);
  assert_seqs_equal (shadow->seqs, expected);
}

static void
assert_model_seqs (Shadow        *shadow,
                   const guint64 *expected,
                   guint          n)
{
  shadow_check (shadow);
  for (guint i = 0; i < MIN (n, shadow->seqs->len); i++)
    g_assert_cmpuint (g_array_index (shadow->seqs, guint64, i), ==, expected[i]);
  g_assert_cmpuint (shadow->seqs->len, ==, n);
}

static void
wait_scan (SondeFilterModel *model)
{
  SONDE_TEST_ASSERT_WAIT (!sonde_filter_model_get_scanning (model), SCAN_TIMEOUT_MS);
}

/* Sets a query that must compile, then waits for its scan. */
static void
set_query (SondeFilterModel *model,
           const char       *text,
           gboolean          regex)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_filter_model_set_query (model, text, regex, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_filter_model_get_text (model), ==, text);
  g_assert_cmpint (sonde_filter_model_get_regex (model), ==, regex);
  wait_scan (model);
}

/* Without a filter the model is a window onto the log: it follows appends
 * synchronously, one signal per announcement, and loses records exactly
 * where the log evicts them. */
static void
test_passthrough (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = NULL;
  Shadow shadow;
  guint n_scanning_notifies = 0;

  for (guint i = 0; i < 5; i++)
    append_text (log, "before the model");

  model = sonde_filter_model_new (log);
  g_assert_true (sonde_filter_model_get_log (model) == log);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == SONDE_TYPE_MESSAGE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_false (sonde_filter_model_get_filtering (model));
  g_assert_false (sonde_filter_model_get_scanning (model));
  g_assert_false (sonde_filter_model_get_paused (model));
  g_assert_cmpstr (sonde_filter_model_get_text (model), ==, "");

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  g_signal_connect_swapped (model, "notify::scanning", G_CALLBACK (count_calls), &n_scanning_notifies);

  sonde_message_log_set_max_count (log, 100);

  /* One append, one signal, at once. */
  for (guint i = 0; i < 50; i++)
    {
      append_text (log, "single");
      g_assert_cmpuint (shadow.n_signals, ==, i + 1);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6 + i);
    }

  /* A batch past the retention: the additions, then the head. */
  shadow.n_signals = 0;
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < 200; i++)
    append_text (log, "batched");
  g_assert_cmpuint (shadow.n_signals, ==, 0);
  sonde_message_log_end_batch (log);
  g_assert_cmpuint (shadow.n_signals, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (model_seq_at (model, i), ==, 155 + i);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 100);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);

  /* Lowering the retention cuts the head exactly. */
  sonde_message_log_set_max_count (log, 7);
  {
    static const guint64 expected[] = { 248, 249, 250, 251, 252, 253, 254 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Byte retention too: three 8-byte records fit in 24 bytes. */
  sonde_message_log_set_max_count (log, 1000);
  for (guint i = 0; i < 10; i++)
    append_text (log, "8 bytes.");
  sonde_message_log_set_max_bytes (log, 24);
  {
    static const guint64 expected[] = { 262, 263, 264 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  append_text (log, "8 bytes.");
  {
    static const guint64 expected[] = { 263, 264, 265 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Clearing the log empties the model; numbering goes on. */
  sonde_message_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  append_text (log, "after");
  {
    static const guint64 expected[] = { 266 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Nothing to scan without a filter. */
  g_assert_cmpuint (n_scanning_notifies, ==, 0);

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Case-insensitive substring search over ASCII. */
static void
test_text (void)
{
  static const char *const payloads[] = {
    "hello world",      /* 0: at the start */
    "say HELLO",        /* 1: at the end, upper case */
    "xxHeLlOxx",        /* 2: inside, mixed case */
    "hell",             /* 3: a prefix only */
    "h",                /* 4: shorter than the needle */
    "",                 /* 5: empty */
    "hhhHello",         /* 6: after false starts */
    "HELL O",           /* 7: broken by a space */
    "ello hellO",       /* 8: a partial match first */
    "f(x) = [a-z]*",    /* 9: characters a regex would mind */
  };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GError) error = NULL;
  Shadow shadow;
  Reference ref;
  guint64 late;
  guint n_filtering_notifies = 0;

  shadow_init (&shadow, model);
  reference_init (&ref);

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    append_text (log, payloads[i]);

  /* The new filter empties the model at once and scans on the main loop. */
  g_assert_true (sonde_filter_model_set_query (model, "hello", FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_true (sonde_filter_model_get_scanning (model));
  g_assert_true (sonde_filter_model_get_filtering (model));
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, G_N_ELEMENTS (payloads));
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, G_N_ELEMENTS (payloads));
  wait_scan (model);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
  {
    static const guint64 expected[] = { 0, 1, 2, 6, 8 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* The case of the needle does not matter either. */
  set_query (model, "HeLLO", FALSE);
  {
    static const guint64 expected[] = { 0, 1, 2, 6, 8 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Spanning a space, at the very end, one character, longer than all. */
  set_query (model, "o w", FALSE);
  {
    static const guint64 expected[] = { 0 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "lo", FALSE);
  {
    static const guint64 expected[] = { 0, 1, 2, 6, 8 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "H", FALSE);
  {
    static const guint64 expected[] = { 0, 1, 2, 3, 4, 6, 7, 8 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "hello world, and then some", FALSE);
  assert_model_seqs (&shadow, NULL, 0);

  /* Regex syntax means nothing in plain text. */
  set_query (model, "[a-z]*", FALSE);
  {
    static const guint64 expected[] = { 9 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Later records join the result as they come. */
  set_query (model, "hello", FALSE);
  late = append_text (log, "late HELLO");
  append_text (log, "late goodbye");
  g_assert_true (sonde_filter_model_get_scanning (model));
  wait_scan (model);
  {
    const guint64 expected[] = { 0, 1, 2, 6, 8, late };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  reference_set_query (&ref, "hello", FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, sonde_message_log_get_next_seq (log));

  /* An empty needle shows everything and is no filter at all; "filtering"
   * says so when that changes, not at every query or clear. */
  g_signal_connect_swapped (model, "notify::filtering", G_CALLBACK (count_calls), &n_filtering_notifies);
  set_query (model, "HELLO", FALSE);
  sonde_filter_model_clear (model);
  g_assert_cmpuint (n_filtering_notifies, ==, 0);
  set_query (model, "", FALSE);
  g_assert_cmpuint (n_filtering_notifies, ==, 1);
  g_assert_false (sonde_filter_model_get_filtering (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  append_text (log, "after the clear");
  append_text (log, "after the clear");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  set_query (model, "hello", FALSE);
  g_assert_true (sonde_filter_model_get_filtering (model));
  g_assert_cmpuint (n_filtering_notifies, ==, 2);
  g_assert_true (sonde_filter_model_set_query (model, NULL, FALSE, NULL));
  g_assert_cmpstr (sonde_filter_model_get_text (model), ==, "");
  g_assert_false (sonde_filter_model_get_filtering (model));
  g_assert_cmpuint (n_filtering_notifies, ==, 3);
  reference_set_query (&ref, "", FALSE);
  assert_model_is_reference (&shadow, &ref, log, late + 2, sonde_message_log_get_next_seq (log));
  g_assert_cmpuint (shadow.seqs->len, ==, 2);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* The memchr search against the obvious one, on haystacks made of few
 * letters in both cases and NUL bytes, where false starts abound. */
static void
test_text_matcher (void)
{
  static const guint8 alphabet[] = { 'a', 'A', 'b', 'B', 'c', 0, 0xe9, '{' };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  guint n_matched = 0;

  for (guint round = 0; round < 400; round++)
    {
      char needle[6];
      guint needle_len = g_rand_int_range (rand, 1, sizeof needle);

      for (guint i = 0; i < needle_len; i++)
        needle[i] = (char) alphabet[g_rand_int_range (rand, 0, 5)];   /* letters only */
      needle[needle_len] = '\0';
      set_query (model, needle, FALSE);

      for (guint k = 0; k < 100; k++)
        {
          guint8 haystack[24];
          SondeRecord record = { 0, };

          record.size = record.stored_size = g_rand_int_range (rand, 0, sizeof haystack + 1);
          for (guint i = 0; i < record.stored_size; i++)
            haystack[i] = alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))];
          record.data = haystack;
          record.direction = g_rand_boolean (rand) ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT;
          record.kind = g_rand_boolean (rand) ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY;

          if (contains_naive (record.data, record.stored_size, needle))
            {
              n_matched++;
              g_assert_true (sonde_filter_model_record_matches (model, &record));
            }
          else
            {
              g_assert_false (sonde_filter_model_record_matches (model, &record));
            }
        }
    }

  /* Both answers came up often. */
  g_assert_cmpuint (n_matched, >, 4000);
  g_assert_cmpuint (n_matched, <, 36000);
}

static void
test_regex (void)
{
  static const guint8 binary[] = { 0x00, 'H', 'E', 'L', 'L', 'O', 0xff };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GError) error = NULL;
  Shadow shadow;
  guint n_signals;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;

  append_text (log, "say hello");                                       /* 0 */
  append_text (log, "HELLO there");                                     /* 1 */
  append_text (log, "help");                                            /* 2 */
  append_event (log, SONDE_MESSAGE_KIND_CLOSE, "{\"code\":1000}");     /* 3 */
  append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY,
          binary, sizeof binary);                                       /* 4 */
  append_text (log, "f(x)");                                            /* 5 */

  set_query (model, "^say\\s+h", TRUE);
  {
    static const guint64 expected[] = { 0 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Case-insensitive, binary payloads included. */
  set_query (model, "hel+o", TRUE);
  {
    static const guint64 expected[] = { 0, 1, 4 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* The same text without regex is a literal. */
  set_query (model, "hel+o", FALSE);
  assert_model_seqs (&shadow, NULL, 0);
  set_query (model, "(x", FALSE);
  {
    static const guint64 expected[] = { 5 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  set_query (model, "\\d{4}", TRUE);
  {
    static const guint64 expected[] = { 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* A pattern that does not compile changes nothing: not the filter, not
   * the items, and no signal. */
  n_signals = shadow.n_signals;
  g_assert_false (sonde_filter_model_set_query (model, "(unclosed", TRUE, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_REGEX_ERROR);
  g_assert_true (g_str_has_prefix (error->message, "Invalid regular expression"));
  g_clear_error (&error);
  g_assert_false (sonde_filter_model_set_query (model, "[", TRUE, NULL));
  g_assert_cmpstr (sonde_filter_model_get_text (model), ==, "\\d{4}");
  g_assert_true (sonde_filter_model_get_regex (model));
  g_assert_false (sonde_filter_model_get_scanning (model));
  g_assert_cmpuint (shadow.n_signals, ==, n_signals);
  {
    static const guint64 expected[] = { 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* The filter still in place applies to new records. */
  append_text (log, "2024");
  append_text (log, "hello");
  wait_scan (model);
  {
    static const guint64 expected[] = { 3, 6 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* The same query again is no change. */
  n_signals = shadow.n_signals;
  g_assert_true (sonde_filter_model_set_query (model, "\\d{4}", TRUE, NULL));
  g_assert_false (sonde_filter_model_get_scanning (model));
  g_assert_cmpuint (shadow.n_signals, ==, n_signals);

  /* An empty regex shows everything. */
  set_query (model, "", TRUE);
  g_assert_false (sonde_filter_model_get_filtering (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 8);

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* A needle beyond ASCII goes through a regex, so case folds beyond ASCII. */
static void
test_non_ascii (void)
{
  static const char cafe_bytes[] = "caf\xc3\xa9";
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;

  shadow_init (&shadow, model);
  reference_init (&ref);

  append_text (log, "CAFÉ CRÈME");                                      /* 0 */
  append_text (log, "café");                                            /* 1 */
  append_text (log, "cafe");                                            /* 2 */
  append_text (log, "ÉTÉ");                                             /* 3 */
  append_text (log, "été");                                             /* 4 */
  append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY,
          cafe_bytes, strlen (cafe_bytes));                             /* 5 */
  append_text (log, "naïve");                                           /* 6 */
  append_text (log, "(é)");                                             /* 7 */

  set_query (model, "é", FALSE);
  g_assert_false (sonde_filter_model_get_regex (model));
  {
    static const guint64 expected[] = { 0, 1, 3, 4, 5, 7 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  set_query (model, "ÉTÉ", FALSE);
  {
    static const guint64 expected[] = { 3, 4 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Escaped as a literal: the parentheses are characters to find. */
  set_query (model, "(É)", FALSE);
  {
    static const guint64 expected[] = { 7 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  set_query (model, "^caf.$", TRUE);
  {
    static const guint64 expected[] = { 1, 2 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  set_query (model, "crème", FALSE);
  reference_set_query (&ref, "crème", FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, sonde_message_log_get_next_seq (log));
  g_assert_cmpuint (shadow.seqs->len, ==, 1);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Payloads are bytes with a length: a NUL ends nothing. */
static void
test_nul_bytes (void)
{
  static const guint8 binary[] = { 0, 0, 'a', 'B', 0, 'c', 'D', 0, 0xff };
  static const char text[] = "x\0Needle";
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;

  append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary, sizeof binary);   /* 0 */
  append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, text, sizeof text - 1);    /* 1 */
  append_text (log, "plain");                                                           /* 2 */

  set_query (model, "cd", FALSE);
  {
    static const guint64 expected[] = { 0 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "ab", FALSE);
  {
    static const guint64 expected[] = { 0 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "bc", FALSE);
  assert_model_seqs (&shadow, NULL, 0);
  set_query (model, "needle", FALSE);
  {
    static const guint64 expected[] = { 1 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "needle$", TRUE);
  {
    static const guint64 expected[] = { 1 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  set_query (model, "^x\\x00n", TRUE);
  {
    static const guint64 expected[] = { 1 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  /* Raw bytes, NUL and 0xff included. */
  set_query (model, "d.\\xff$", TRUE);
  {
    static const guint64 expected[] = { 0 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Events pass or not by direction; the kind mask is for messages. */
static void
test_events (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  guint n_direction_notifies = 0;
  guint n_kind_notifies = 0;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  g_signal_connect_swapped (model, "notify::directions", G_CALLBACK (count_calls), &n_direction_notifies);
  g_signal_connect_swapped (model, "notify::kinds", G_CALLBACK (count_calls), &n_kind_notifies);

  append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "open sesame", 11);         /* 0 */
  append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY, "bin", 3);               /* 1 */
  append_event (log, SONDE_MESSAGE_KIND_OPEN, "{\"state\":\"open\"}");                  /* 2 */
  append_event (log, SONDE_MESSAGE_KIND_CLOSE, "{\"code\":1000,\"state\":\"closed\"}");   /* 3 */
  append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "closed door", 11);        /* 4 */

  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_TEXT);
  g_assert_cmpuint (sonde_filter_model_get_kinds (model), ==, SONDE_FILTER_KIND_TEXT);
  g_assert_true (sonde_filter_model_get_filtering (model));
  wait_scan (model);
  {
    static const guint64 expected[] = { 0, 2, 3, 4 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_BINARY);
  wait_scan (model);
  {
    static const guint64 expected[] = { 1, 2, 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* No message kind at all: events only. */
  sonde_filter_model_set_kinds (model, 0);
  wait_scan (model);
  {
    static const guint64 expected[] = { 2, 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_ALL);
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_EVENT);
  g_assert_cmpuint (sonde_filter_model_get_directions (model), ==, SONDE_FILTER_DIRECTION_EVENT);
  wait_scan (model);
  {
    static const guint64 expected[] = { 2, 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_IN | SONDE_FILTER_DIRECTION_OUT);
  wait_scan (model);
  {
    static const guint64 expected[] = { 0, 1, 4 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* The text applies to an event's description. */
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_EVENT);
  set_query (model, "closed", FALSE);
  {
    static const guint64 expected[] = { 3 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_IN | SONDE_FILTER_DIRECTION_EVENT);
  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_TEXT);
  set_query (model, "open", FALSE);
  {
    static const guint64 expected[] = { 0, 2 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Bits beyond the masks are ignored; setting the same mask is no change. */
  n_direction_notifies = n_kind_notifies = 0;
  sonde_filter_model_set_query (model, "", FALSE, NULL);
  sonde_filter_model_set_directions (model, 0xff);
  sonde_filter_model_set_kinds (model, 0xff);
  g_assert_cmpuint (sonde_filter_model_get_directions (model), ==, SONDE_FILTER_DIRECTION_ALL);
  g_assert_cmpuint (sonde_filter_model_get_kinds (model), ==, SONDE_FILTER_KIND_ALL);
  g_assert_false (sonde_filter_model_get_filtering (model));
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_ALL);
  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_ALL);
  g_assert_cmpuint (n_direction_notifies, ==, 1);
  g_assert_cmpuint (n_kind_notifies, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  /* No direction: nothing. */
  sonde_filter_model_set_directions (model, 0);
  wait_scan (model);
  assert_model_seqs (&shadow, NULL, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 5);

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Pings, pongs and the events that count a flood of them go with the
 * Pings kind, frame headers with the Frames kind; other events with
 * neither. */
static void
test_pings_and_frames (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  static const char flood[] = "{\"direction\":\"in\",\"pings\":7,\"pongs\":0,\"shown_per_second\":50}";
  static const char frame[] = "{\"opcode\":\"text\",\"fin\":true,\"rsv1\":false,\"masked\":false,\"size\":5}";
  static const char open[] = "{\"protocol\":null,\"extensions\":null}";
  guint64 text, ping, pong, summary, frame_seq, open_seq;

  text = append_text (log, "hello");
  ping = append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, "p", 1);
  pong = append (log, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG, "p", 1);
  summary = append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_PING, flood, strlen (flood));
  frame_seq = append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_FRAME, frame, strlen (frame));
  open_seq = append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, open, strlen (open));
  wait_scan (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6);

  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_ALL & ~SONDE_FILTER_KIND_PINGS);
  wait_scan (model);
  {
    guint position;

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
    g_assert_true (sonde_filter_model_find_seq (model, text, &position));
    g_assert_true (sonde_filter_model_find_seq (model, frame_seq, &position));
    g_assert_true (sonde_filter_model_find_seq (model, open_seq, &position));
    g_assert_false (sonde_filter_model_find_seq (model, ping, &position));
    g_assert_false (sonde_filter_model_find_seq (model, pong, &position));
    g_assert_false (sonde_filter_model_find_seq (model, summary, &position));
  }
  g_assert_true (sonde_filter_model_get_filtering (model));

  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_ALL & ~SONDE_FILTER_KIND_FRAMES);
  wait_scan (model);
  {
    guint position;

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
    g_assert_false (sonde_filter_model_find_seq (model, frame_seq, &position));
    g_assert_true (sonde_filter_model_find_seq (model, summary, &position));
  }
  g_assert_true (sonde_filter_model_get_filtering (model));

  /* Text only: pings and frames go, the open event stays. */
  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_TEXT);
  wait_scan (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Text and binary messages in both directions against every kind mask. */
static void
test_kinds (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;

  shadow_init (&shadow, model);
  reference_init (&ref);

  for (guint i = 0; i < 40; i++)
    {
      SondeDirection direction = (i % 3 == 0) ? SONDE_DIRECTION_OUT : SONDE_DIRECTION_IN;
      SondeMessageKind kind = (i % 4 < 2) ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY;

      append (log, direction, kind, "payload", 7);
    }

  for (guint directions = 0; directions <= SONDE_FILTER_DIRECTION_ALL; directions++)
    for (guint kinds = 0; kinds <= SONDE_FILTER_KIND_ALL; kinds++)
      {
        sonde_filter_model_set_directions (model, directions);
        sonde_filter_model_set_kinds (model, kinds);
        wait_scan (model);
        ref.directions = directions;
        ref.kinds = kinds;
        assert_model_is_reference (&shadow, &ref, log, 0, sonde_message_log_get_next_seq (log));
      }

  /* Spot checks that the reference is not fooling itself. */
  sonde_filter_model_set_directions (model, SONDE_FILTER_DIRECTION_OUT);
  sonde_filter_model_set_kinds (model, SONDE_FILTER_KIND_BINARY);
  wait_scan (model);
  {
    static const guint64 expected[] = { 3, 6, 15, 18, 27, 30, 39 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
append_keep_drop (SondeMessageLog *log,
                  guint            n)
{
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    {
      guint64 seq = sonde_message_log_get_next_seq (log);
      g_autofree char *text = g_strdup_printf ("%s %" G_GUINT64_FORMAT, seq % 2 == 0 ? "keep" : "drop", seq);

      append_text (log, text);
    }
  sonde_message_log_end_batch (log);
}

/* Pause without a filter: nothing new is announced, eviction still is. */
static void
test_pause_passthrough (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  guint n_paused_notifies = 0;
  guint n_pending_notifies = 0;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  g_signal_connect_swapped (model, "notify::paused", G_CALLBACK (count_calls), &n_paused_notifies);

  append_keep_drop (log, 10);
  sonde_filter_model_set_paused (model, TRUE);
  sonde_filter_model_set_paused (model, TRUE);
  g_assert_true (sonde_filter_model_get_paused (model));
  g_assert_cmpuint (n_paused_notifies, ==, 1);

  /* "paused, N waiting" counts live: each arrival says so. */
  g_signal_connect_swapped (model, "notify::n-pending", G_CALLBACK (count_calls), &n_pending_notifies);
  shadow.n_signals = 0;
  for (guint i = 0; i < 5; i++)
    {
      guint n_pending = 0;

      append_keep_drop (log, 1);
      g_assert_cmpuint (n_pending_notifies, ==, i + 1);
      g_object_get (model, "n-pending", &n_pending, NULL);
      g_assert_cmpuint (n_pending, ==, i + 1);
    }
  g_assert_cmpuint (shadow.n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 5);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 15);
  g_assert_false (sonde_filter_model_find_seq (model, 12, NULL));

  /* Resuming announces them all, with one signal. */
  sonde_filter_model_set_paused (model, FALSE);
  g_assert_cmpuint (n_paused_notifies, ==, 2);
  g_assert_cmpuint (shadow.n_signals, ==, 1);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 15);

  /* Eviction while paused reaches into what is shown. */
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 5);                          /* 15..19, pending */
  sonde_message_log_set_max_count (log, 12);          /* the log keeps 8..19 */
  {
    static const guint64 expected[] = { 8, 9, 10, 11, 12, 13, 14 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 5);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 12);
  sonde_filter_model_set_paused (model, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 12);
  g_assert_cmpuint (model_seq_at (model, 11), ==, 19);

  /* And past everything shown. */
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 10);                         /* 20..29 */
  sonde_message_log_set_max_count (log, 4);           /* the log keeps 26..29 */
  assert_model_seqs (&shadow, NULL, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 4);
  append_keep_drop (log, 1);                          /* 30; 27..30 */
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 4);
  assert_model_seqs (&shadow, NULL, 0);
  sonde_filter_model_set_paused (model, FALSE);
  {
    static const guint64 expected[] = { 27, 28, 29, 30 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Records in the model at @position: its seq, and whether the log still
 * has it. */
static guint64
item_seq (SondeFilterModel *model,
          guint             position,
          gboolean         *alive)
{
  g_autoptr(SondeMessage) message = g_list_model_get_item (G_LIST_MODEL (model), position);
  SondeRecord record;

  g_assert_nonnull (message);
  *alive = sonde_message_get_record (message, &record);
  return sonde_message_get_seq (message);
}

/* A held head: evicted records stay as rows (no signal), new ones still
 * arrive, and ending the hold drops the evicted rows in one change; the
 * same with a filter, whose index keeps them. */
static void
test_hold_head (gconstpointer data)
{
  gboolean filtered = GPOINTER_TO_UINT (data);
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  guint n_signals = 0;
  gboolean alive;

  append_keep_drop (log, 20);                         /* 0..19 */
  if (filtered)
    {
      g_assert_true (sonde_filter_model_set_query (model, "keep", FALSE, NULL));
      wait_scan (model);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, filtered ? 10 : 20);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (count_calls), &n_signals);

  sonde_filter_model_set_hold_head (model, TRUE);
  g_assert_true (sonde_filter_model_get_hold_head (model));
  sonde_message_log_set_max_count (log, 12);          /* the log keeps 8..19 */
  g_assert_cmpuint (n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, filtered ? 10 : 20);
  g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, filtered ? 4 : 8);

  /* The evicted rows are there, in order, and say they are gone. */
  g_assert_cmpuint (item_seq (model, 0, &alive), ==, 0);
  g_assert_false (alive);
  g_assert_cmpuint (item_seq (model, filtered ? 3 : 7, &alive), ==, filtered ? 6 : 7);
  g_assert_false (alive);
  g_assert_cmpuint (item_seq (model, filtered ? 4 : 8, &alive), ==, 8);
  g_assert_true (alive);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), filtered ? 10 : 20));

  /* New records arrive at the tail as ever. */
  append_keep_drop (log, 4);                          /* 20..23; the log keeps 12..23 */
  if (filtered)
    wait_scan (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, filtered ? 12 : 24);
  g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, filtered ? 6 : 12);

  /* The hold ends: one change takes the evicted rows away. */
  n_signals = 0;
  sonde_filter_model_set_hold_head (model, FALSE);
  g_assert_cmpuint (n_signals, ==, 1);
  g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, filtered ? 6 : 12);
  g_assert_cmpuint (model_seq_at (model, 0), ==, 12);

  /* Paused and held while the log evicts past all that was shown:
   * resuming shows what the log has, not rows for records never shown. */
  if (!filtered)
    {
      sonde_filter_model_set_hold_head (model, TRUE);
      sonde_filter_model_set_paused (model, TRUE);
      append_keep_drop (log, 20);                     /* 24..43 */
      sonde_message_log_set_max_count (log, 5);       /* 39..43 */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 12);
      g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, 12);
      sonde_filter_model_set_paused (model, FALSE);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
      g_assert_cmpuint (sonde_filter_model_get_n_held (model), ==, 0);
      g_assert_cmpuint (model_seq_at (model, 0), ==, 39);
      sonde_filter_model_set_hold_head (model, FALSE);
      append_keep_drop (log, 4);                      /* 44..47; the log keeps 43..47 */
    }

  /* Without a hold, eviction removes at once. */
  n_signals = 0;
  sonde_message_log_set_max_count (log, 4);           /* the newest 4 */
  g_assert_cmpuint (n_signals, ==, 1);
  g_assert_cmpuint (model_seq_at (model, 0), ==, sonde_message_log_get_first_seq (log));
  g_assert_cmpuint (sonde_message_log_get_first_seq (log), ==, filtered ? 20 : 44);

  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Pause with a filter: no scan runs for records that arrive, eviction
 * still removes, resuming scans what came in. */
static void
test_pause_filtering (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  reference_init (&ref);
  reference_set_query (&ref, "keep", FALSE);

  append_keep_drop (log, 20);
  set_query (model, "keep", FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, 20);

  sonde_filter_model_set_paused (model, TRUE);
  shadow.n_signals = 0;
  append_keep_drop (log, 10);                         /* 20..29 */
  g_assert_false (sonde_filter_model_get_scanning (model));
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (shadow.n_signals, ==, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 10);
  assert_model_is_reference (&shadow, &ref, log, 0, 20);

  sonde_filter_model_set_paused (model, FALSE);
  g_assert_true (sonde_filter_model_get_scanning (model));
  wait_scan (model);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
  assert_model_is_reference (&shadow, &ref, log, 0, 30);

  /* Eviction while paused, into what is shown, then past it. */
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 10);                         /* 30..39 */
  sonde_message_log_set_max_count (log, 15);          /* 25..39 */
  assert_model_is_reference (&shadow, &ref, log, 0, 30);
  g_assert_cmpuint (model_seq_at (model, 0), ==, 26);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 10);
  sonde_message_log_set_max_count (log, 3);           /* 37..39 */
  assert_model_seqs (&shadow, NULL, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 3);
  sonde_filter_model_set_paused (model, FALSE);
  wait_scan (model);
  {
    static const guint64 expected[] = { 38 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Iterates the main context once at a time until @model announced
 * something, so a scan is known to be under way. */
static void
run_one_slice (SondeFilterModel *model,
               Shadow           *shadow)
{
  guint n_signals = shadow->n_signals;

  for (guint i = 0; i < 1000 && shadow->n_signals == n_signals; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (shadow->n_signals, >, n_signals);
}

/* A log big enough that matching it against a regex takes several slices. */
static void
fill_big_log (SondeMessageLog *log,
              guint            n)
{
  sonde_message_log_begin_batch (log);
  for (guint i = 0; i < n; i++)
    {
      char text[96];
      int length = g_snprintf (text, sizeof text,
                               "{\"id\":%u,\"topic\":\"ticker\",\"price\":%u.%02u,\"note\":\"%s\"}",
                               i, i % 977, i % 100, i % 10 == 3 ? "needle" : "hay");

      append (log, i % 5 == 0 ? SONDE_DIRECTION_OUT : SONDE_DIRECTION_IN,
              SONDE_MESSAGE_KIND_TEXT, text, (gsize) length);
    }
  sonde_message_log_end_batch (log);
}

/* Pausing stops a scan under way; resuming finishes it. */
static void
test_pause_during_scan (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;
  guint n_signals;
  guint n_items;
  guint n_pending;
  guint64 frozen_end;

  shadow_init (&shadow, model);
  reference_init (&ref);
  reference_set_query (&ref, "needle\"\\}$", TRUE);

  fill_big_log (log, 100000);
  g_assert_true (sonde_filter_model_set_query (model, "needle\"\\}$", TRUE, NULL));
  run_one_slice (model, &shadow);
  g_assert_true (sonde_filter_model_get_scanning (model));

  sonde_filter_model_set_paused (model, TRUE);
  g_assert_false (sonde_filter_model_get_scanning (model));
  n_signals = shadow.n_signals;
  n_items = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n_items, >, 0);
  g_assert_cmpuint (n_items, <, 10000);
  n_pending = sonde_filter_model_get_n_pending (model);
  g_assert_cmpuint (n_pending, >, 0);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (shadow.n_signals, ==, n_signals);

  /* What is shown is every match up to where the scan had got. */
  frozen_end = sonde_message_log_get_next_seq (log) - n_pending;
  assert_model_is_reference (&shadow, &ref, log, 0, frozen_end);

  /* Another filter while paused covers the same records, no more. */
  fill_big_log (log, 100);
  set_query (model, "\"id\":\\d*7,", TRUE);
  reference_set_query (&ref, "\"id\":\\d*7,", TRUE);
  assert_model_is_reference (&shadow, &ref, log, 0, frozen_end);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, n_pending + 100);

  g_assert_true (sonde_filter_model_set_query (model, "needle\"\\}$", TRUE, NULL));
  reference_set_query (&ref, "needle\"\\}$", TRUE);
  sonde_filter_model_set_paused (model, FALSE);
  g_assert_true (sonde_filter_model_get_scanning (model));
  wait_scan (model);
  assert_model_is_reference (&shadow, &ref, log, 0, sonde_message_log_get_next_seq (log));
  g_assert_cmpuint (shadow.seqs->len, ==, 10010);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* While paused the rows on screen are frozen, not lost: a filter set then
 * applies to them, and a clear empties them; resuming shows the rest. */
static void
test_pause_then_filter (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;
  guint64 view_start;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  reference_init (&ref);

  append_keep_drop (log, 10);
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 6);                          /* 10..15, waiting */

  /* The filter applies to the ten rows on screen. */
  set_query (model, "keep", FALSE);
  reference_set_query (&ref, "keep", FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, 10);
  g_assert_cmpuint (shadow.seqs->len, ==, 5);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 6);

  /* Records arriving now wait, whatever the filter. */
  append_keep_drop (log, 2);                          /* 16, 17 */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, 10);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 8);

  /* Back to no filter: the same ten rows, at once. */
  set_query (model, "", FALSE);
  reference_set_query (&ref, "", FALSE);
  assert_model_is_reference (&shadow, &ref, log, 0, 10);

  set_query (model, "keep", FALSE);
  reference_set_query (&ref, "keep", FALSE);
  sonde_filter_model_set_paused (model, FALSE);
  wait_scan (model);
  assert_model_is_reference (&shadow, &ref, log, 0, 18);
  g_assert_cmpuint (shadow.seqs->len, ==, 9);

  /* A clear while paused hides everything there is, waiting or not. */
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 4);                          /* 18..21 */
  sonde_filter_model_clear (model);
  view_start = sonde_message_log_get_next_seq (log);
  assert_model_seqs (&shadow, NULL, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 0);
  append_keep_drop (log, 4);                          /* 22..25 */
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 4);
  set_query (model, "p", FALSE);
  assert_model_seqs (&shadow, NULL, 0);
  sonde_filter_model_set_paused (model, FALSE);
  wait_scan (model);
  reference_set_query (&ref, "p", FALSE);
  assert_model_is_reference (&shadow, &ref, log, view_start, 26);
  g_assert_cmpuint (shadow.seqs->len, ==, 4);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
test_clear (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Shadow shadow;
  Reference ref;
  guint64 view_start;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;
  reference_init (&ref);

  for (guint i = 0; i < 10; i++)
    append_text (log, "x marks");

  /* Without a filter. */
  shadow.n_signals = 0;
  sonde_filter_model_clear (model);
  g_assert_cmpuint (shadow.n_signals, ==, 1);
  g_assert_cmpuint (shadow.n_removed, ==, 10);
  assert_model_seqs (&shadow, NULL, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 0);
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
  g_assert_false (sonde_filter_model_find_seq (model, 5, NULL));
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 10);

  for (guint i = 0; i < 3; i++)
    append_text (log, "x after");
  {
    static const guint64 expected[] = { 10, 11, 12 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, 3);

  /* A new filter does not bring back what was cleared. */
  set_query (model, "X", FALSE);
  {
    static const guint64 expected[] = { 10, 11, 12 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  /* Eviction after a clear. */
  sonde_message_log_set_max_count (log, 2);
  {
    static const guint64 expected[] = { 11, 12 };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }
  sonde_message_log_set_max_count (log, 1000000);

  /* With a filter, during its scan. */
  fill_big_log (log, 50000);
  set_query (model, "needle", FALSE);
  g_assert_true (sonde_filter_model_set_query (model, "needle\"", FALSE, NULL));
  g_assert_true (sonde_filter_model_get_scanning (model));
  g_main_context_iteration (NULL, FALSE);
  sonde_filter_model_clear (model);
  view_start = sonde_message_log_get_next_seq (log);
  g_assert_false (sonde_filter_model_get_scanning (model));
  assert_model_seqs (&shadow, NULL, 0);
  append_text (log, "needle\" new");
  append_text (log, "hay");
  wait_scan (model);
  reference_set_query (&ref, "needle\"", FALSE);
  assert_model_is_reference (&shadow, &ref, log, view_start, sonde_message_log_get_next_seq (log));
  g_assert_cmpuint (shadow.seqs->len, ==, 1);

  /* Clearing the log itself. */
  sonde_message_log_clear (log);
  assert_model_seqs (&shadow, NULL, 0);
  append_text (log, "needle\" again");
  wait_scan (model);
  g_assert_cmpuint (shadow.seqs->len, ==, 1);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* The filter changes while a scan is under way and records keep coming,
 * some evicted before the scan reaches them. */
static void
test_change_during_scan (void)
{
  static const struct {
    const char *text;
    gboolean    regex;
  } queries[] = {
    { "needle\"\\}$", TRUE },
    { "\"id\":\\d*7,", TRUE },
    { "NEEDLE", FALSE },
    { "price\":1\\d\\.", TRUE },
    { "", FALSE },
    { "hay", FALSE },
  };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  Shadow shadow;
  Reference ref;
  guint n_changed_while_scanning = 0;
  guint query = 0;

  shadow_init (&shadow, model);
  reference_init (&ref);

  fill_big_log (log, 60000);
  sonde_message_log_set_max_count (log, 80000);

  for (guint round = 0; round < 60; round++)
    {
      if (round % 2 == 0)
        {
          query = (query + 1) % G_N_ELEMENTS (queries);
          if (sonde_filter_model_get_scanning (model))
            n_changed_while_scanning++;
          g_assert_true (sonde_filter_model_set_query (model, queries[query].text, queries[query].regex, NULL));
          reference_set_query (&ref, queries[query].text, queries[query].regex);
        }
      if (round % 7 == 3)
        sonde_filter_model_set_directions (model, g_rand_boolean (rand) ? SONDE_FILTER_DIRECTION_ALL
                                                                        : SONDE_FILTER_DIRECTION_IN);
      if (round == 30)
        sonde_message_log_set_max_count (log, 30000);

      fill_big_log (log, g_rand_int_range (rand, 1, 2000));
      for (guint i = g_rand_int_range (rand, 0, 3); i > 0; i--)
        g_main_context_iteration (NULL, FALSE);
      shadow_check (&shadow);
    }

  g_test_message ("%u of 30 filter changes came during a scan", n_changed_while_scanning);
  g_assert_cmpuint (n_changed_while_scanning, >, 0);
  wait_scan (model);
  ref.directions = sonde_filter_model_get_directions (model);
  assert_model_is_reference (&shadow, &ref, log, 0, sonde_message_log_get_next_seq (log));
  g_assert_cmpuint (shadow.seqs->len, >, 0);

  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

typedef struct {
  SondeFilterModel *model;
  guint             n_ticks;           /* while the model was scanning */
  gint64            last_tick;
  gint64            longest_gap;
} Ticker;

static gboolean
on_tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (sonde_filter_model_get_scanning (ticker->model))
    ticker->n_ticks++;
  if (ticker->last_tick != 0)
    ticker->longest_gap = MAX (ticker->longest_gap, now - ticker->last_tick);
  ticker->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
on_scanning_notify (SondeFilterModel *model,
                    GParamSpec       *pspec,
                    GArray           *values)
{
  gboolean scanning = sonde_filter_model_get_scanning (model);

  g_array_append_val (values, scanning);
}

/* 200,000 records scanned in slices: the main loop runs other sources in
 * between, results arrive while the scan goes on, and come out exact. */
static void
test_large_scan (void)
{
  const guint n = 200000;
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GArray) scanning_values = g_array_new (FALSE, FALSE, sizeof (gboolean));
  Ticker ticker = { model, 0, 0, 0 };
  Shadow shadow;
  Reference ref;
  guint tick_id;
  gint64 start;
  guint iterations = 0;

  shadow_init (&shadow, model);
  reference_init (&ref);

  fill_big_log (log, n);
  g_signal_connect (model, "notify::scanning", G_CALLBACK (on_scanning_notify), scanning_values);

  tick_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_tick, &ticker, NULL);
  start = g_get_monotonic_time ();
  g_assert_true (sonde_filter_model_set_query (model, "needle\"\\}$", TRUE, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  shadow.n_signals = 0;
  while (sonde_filter_model_get_scanning (model) && iterations++ < 1000000)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  g_test_message ("%u records in %.1f ms, %u slices, %u other dispatches, longest gap %.1f ms",
                  n, (g_get_monotonic_time () - start) / 1000.0, shadow.n_signals,
                  ticker.n_ticks, ticker.longest_gap / 1000.0);

  g_assert_false (sonde_filter_model_get_scanning (model));
  g_assert_cmpuint (shadow.n_signals, >, 1);
  g_assert_cmpuint (ticker.n_ticks, >=, 1);
  g_assert_cmpuint (scanning_values->len, ==, 2);
  g_assert_true (g_array_index (scanning_values, gboolean, 0));
  g_assert_false (g_array_index (scanning_values, gboolean, 1));

  reference_set_query (&ref, "needle\"\\}$", TRUE);
  assert_model_is_reference (&shadow, &ref, log, 0, n);
  g_assert_cmpuint (shadow.seqs->len, ==, n / 10);

  g_signal_handlers_disconnect_by_data (model, scanning_values);
  reference_clear (&ref);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* "scanning" says when a scan starts and ends, and only when one runs. */
static void
test_scanning_notify (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gboolean));

  g_signal_connect (model, "notify::scanning", G_CALLBACK (on_scanning_notify), values);

  /* An empty log has nothing to scan. */
  set_query (model, "x", FALSE);
  g_assert_cmpuint (values->len, ==, 0);

  /* A record arriving starts a scan, which ends. */
  append_text (log, "x");
  g_assert_cmpuint (values->len, ==, 1);
  g_assert_true (g_array_index (values, gboolean, 0));
  wait_scan (model);
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_false (g_array_index (values, gboolean, 1));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* Pausing a scan ends it. */
  g_array_set_size (values, 0);
  append_text (log, "x");
  sonde_filter_model_set_paused (model, TRUE);
  g_assert_false (sonde_filter_model_get_scanning (model));
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_false (g_array_index (values, gboolean, 1));
  sonde_filter_model_set_paused (model, FALSE);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_true (g_array_index (values, gboolean, 2));
  wait_scan (model);
  g_assert_cmpuint (values->len, ==, 4);
  g_assert_false (g_array_index (values, gboolean, 3));

  /* Disposing of a model in the middle of a scan stops it. */
  append_text (log, "x");
  g_assert_true (sonde_filter_model_get_scanning (model));
  g_signal_handlers_disconnect_by_data (model, values);
  g_assert_finalize_object (g_steal_pointer (&model));
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
test_find_seq (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  guint position = 12345;

  sonde_message_log_set_max_count (log, 10);
  append_keep_drop (log, 15);                         /* the log keeps 5..14 */

  g_assert_true (sonde_filter_model_find_seq (model, 5, &position));
  g_assert_cmpuint (position, ==, 0);
  g_assert_true (sonde_filter_model_find_seq (model, 14, &position));
  g_assert_cmpuint (position, ==, 9);
  g_assert_true (sonde_filter_model_find_seq (model, 9, NULL));
  position = 12345;
  g_assert_false (sonde_filter_model_find_seq (model, 4, &position));
  g_assert_false (sonde_filter_model_find_seq (model, 0, &position));
  g_assert_false (sonde_filter_model_find_seq (model, 15, &position));
  g_assert_false (sonde_filter_model_find_seq (model, G_MAXUINT64, &position));
  g_assert_cmpuint (position, ==, 12345);

  /* Not yet shown while paused. */
  sonde_filter_model_set_paused (model, TRUE);
  append_keep_drop (log, 1);                          /* 15 */
  g_assert_false (sonde_filter_model_find_seq (model, 15, NULL));
  g_assert_false (sonde_filter_model_find_seq (model, 5, NULL));   /* evicted */
  g_assert_true (sonde_filter_model_find_seq (model, 6, &position));
  g_assert_cmpuint (position, ==, 0);
  sonde_filter_model_set_paused (model, FALSE);
  g_assert_true (sonde_filter_model_find_seq (model, 15, &position));
  g_assert_cmpuint (position, ==, 9);

  /* Filtering: matching records only. */
  sonde_message_log_set_max_count (log, 1000);
  append_keep_drop (log, 20);                         /* 16..35 */
  g_assert_true (sonde_filter_model_set_query (model, "keep", FALSE, NULL));
  g_assert_false (sonde_filter_model_find_seq (model, 6, NULL));   /* not scanned yet */
  wait_scan (model);
  for (guint64 seq = 0; seq < 40; seq++)
    {
      gboolean shown = seq >= 6 && seq < 36 && seq % 2 == 0;

      position = 12345;
      g_assert_cmpint (sonde_filter_model_find_seq (model, seq, &position), ==, shown);
      if (shown)
        {
          g_assert_cmpuint (position, ==, (seq - 6) / 2);
          g_assert_cmpuint (model_seq_at (model, position), ==, seq);
        }
      else
        {
          g_assert_cmpuint (position, ==, 12345);
        }
    }

  sonde_message_log_set_max_count (log, 5);           /* 31..35 */
  g_assert_false (sonde_filter_model_find_seq (model, 30, NULL));
  g_assert_true (sonde_filter_model_find_seq (model, 32, &position));
  g_assert_cmpuint (position, ==, 0);

  sonde_filter_model_clear (model);
  g_assert_false (sonde_filter_model_find_seq (model, 32, NULL));

  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* A record larger than the byte retention is cut, possibly inside a UTF-8
 * character: a regex still matches what is left, without reading past it. */
static void
test_truncated (void)
{
  static const char text[] = "aé€😀";        /* 1 + 2 + 3 + 4 bytes */
  const gsize size = strlen (text);

  for (gsize cut = 1; cut <= size; cut++)
    {
      g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
      g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
      SondeRecord record;

      sonde_message_log_set_max_bytes (log, cut);
      append_text (log, text);
      g_assert_true (sonde_message_log_get_record (log, 0, &record));
      g_assert_cmpuint (record.stored_size, ==, cut);
      g_assert_cmpint (!!(record.flags & SONDE_RECORD_FLAG_TRUNCATED), ==, cut < size);

      set_query (model, ".", TRUE);
      g_assert_true (sonde_filter_model_record_matches (model, &record));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

      set_query (model, "A", TRUE);
      g_assert_true (sonde_filter_model_record_matches (model, &record));
      set_query (model, "É", FALSE);
      g_assert_cmpint (sonde_filter_model_record_matches (model, &record), ==, cut >= 3);
      set_query (model, "€", TRUE);
      g_assert_cmpint (sonde_filter_model_record_matches (model, &record), ==, cut >= 6);
      set_query (model, "😀$", TRUE);
      g_assert_cmpint (sonde_filter_model_record_matches (model, &record), ==, cut == size);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, cut == size);

      /* Events are UTF-8 too. */
      record.direction = SONDE_DIRECTION_EVENT;
      record.kind = SONDE_MESSAGE_KIND_ERROR;
      set_query (model, "a.", TRUE);
      g_assert_cmpint (sonde_filter_model_record_matches (model, &record), ==, cut >= 3);

      /* Binary payloads are bytes: the first byte of é is there at 2. */
      append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, text, size);
      g_assert_true (sonde_message_log_get_record (log, 0, &record));
      g_assert_cmpuint (record.seq, ==, 1);
      set_query (model, "^a\\xc3", TRUE);
      g_assert_cmpint (sonde_filter_model_record_matches (model, &record), ==, cut >= 2);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, cut >= 2);

      g_assert_finalize_object (g_steal_pointer (&model));
    }

  /* A NUL before the cut ends nothing. */
  {
    static const char nul_text[] = "x\0needle \xc3\xa9";
    g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
    g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);

    sonde_message_log_set_max_bytes (log, sizeof nul_text - 2);   /* inside é */
    append_text (log, "");
    append (log, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, nul_text, sizeof nul_text - 1);
    set_query (model, "needle", TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    set_query (model, "NEEDLE \\xc3", TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  }

  /* A plain needle on a cut record. */
  {
    g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
    g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);

    sonde_message_log_set_max_bytes (log, 5);
    append_text (log, "abcdefgh");
    set_query (model, "CDE", FALSE);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    set_query (model, "def", FALSE);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  }
}

/* The log does not check that text is UTF-8. A text record that is not is
 * matched as bytes, never handed to a UTF-8 regex (its JIT would read past
 * the payload). Run under valgrind to see the difference. */
static void
test_invalid_utf8 (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  static const char latin1[] = "caf\xe9 au lait";
  static const char dangling[] = "ab\xc3";
  SondeRecord record;

  append_text (log, latin1);                          /* 0 */
  append_text (log, dangling);                        /* 1 */
  append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR, "\xff\xfe" "b-z", 5);  /* 2 */

  set_query (model, "caf. au", TRUE);
  g_assert_true (sonde_message_log_lookup_seq (log, 0, &record));
  g_assert_true (sonde_filter_model_record_matches (model, &record));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  set_query (model, "b.+z|ab$|lait$", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);

  set_query (model, "é", FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
}

/* A listener of items-changed may change the model while a scan announces
 * its results: the scan it started must be the one that runs and that
 * "scanning" reports, and it must stop when asked. */
typedef struct {
  SondeMessageLog  *log;
  SondeFilterModel *model;
  gboolean          fired;
  guint64           late;
} Reentrant;

static void
on_reentrant_items_changed (GListModel *model,
                            guint       position,
                            guint       removed,
                            guint       added,
                            Reentrant  *data)
{
  if (data->fired || added == 0)
    return;

  data->fired = TRUE;
  sonde_filter_model_clear (data->model);
  data->late = append_text (data->log, "match late");
}

static void
test_reentrant_listener (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  Reentrant data = { log, model, FALSE, 0 };
  Shadow shadow;
  guint n_signals;

  shadow_init (&shadow, model);
  shadow.deep = TRUE;

  for (guint i = 0; i < 20; i++)
    append_text (log, "match");
  g_signal_connect (model, "items-changed", G_CALLBACK (on_reentrant_items_changed), &data);

  g_assert_true (sonde_filter_model_set_query (model, "match", FALSE, NULL));
  for (guint i = 0; i < 100 && !data.fired; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (data.fired);

  /* The late record is waiting for a scan, so one is running. */
  g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 1);
  g_assert_true (sonde_filter_model_get_scanning (model));

  /* Paused, it must not announce the late record. */
  sonde_filter_model_set_paused (model, TRUE);
  n_signals = shadow.n_signals;
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (shadow.n_signals, ==, n_signals);
  assert_model_seqs (&shadow, NULL, 0);

  sonde_filter_model_set_paused (model, FALSE);
  wait_scan (model);
  {
    const guint64 expected[] = { data.late };
    assert_model_seqs (&shadow, expected, G_N_ELEMENTS (expected));
  }

  g_signal_handlers_disconnect_by_data (model, &data);
  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

typedef struct {
  SondeFilterModel *model;     /* weak */
  gboolean          fired;
  gboolean          alive;     /* right after the listener's unref */
} Unref;

static void
on_unref_items_changed (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        Unref      *data)
{
  if (data->fired || added == 0)
    return;

  data->fired = TRUE;
  g_object_unref (model);
  data->alive = data->model != NULL;
}

/* The owner may drop the model from a listener while a scan announces its
 * results: the model lives until the scan step is over, then goes. (Before
 * that, the step went on with freed memory: run under valgrind to see.) */
static void
test_unref_from_listener (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  Unref data = { sonde_filter_model_new (log), FALSE, FALSE };

  for (guint i = 0; i < 20; i++)
    append_text (log, "match");
  g_signal_connect (data.model, "items-changed", G_CALLBACK (on_unref_items_changed), &data);
  g_object_add_weak_pointer (G_OBJECT (data.model), (gpointer *) &data.model);

  g_assert_true (sonde_filter_model_set_query (data.model, "match", FALSE, NULL));
  for (guint i = 0; i < 100 && !data.fired; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (data.fired);
  g_assert_true (data.alive);
  g_assert_null (data.model);

  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  append_text (log, "match");
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* Random operations, checked after each one. */

typedef struct {
  SondeMessageLog  *log;
  SondeFilterModel *model;
  GRand            *rand;
  Shadow            shadow;
  Reference         ref;
  guint64           view_start;   /* the log's next seq at the last clear */
  guint64           pause_end;    /* the log's next seq when paused */
  gboolean          pause_exact;  /* paused with nothing left to scan */
  gboolean          scanning;     /* as "scanning" last notified */
  guint             n_checkpoints;
  guint             n_scanning_ops;
  guint64           sum_items;
  guint64           sum_records;
} Fuzz;

static const char *const fuzz_words[] = {
  "alpha", "Beta", "GAMMA", "delta", "x1", "x22", "été", "ÉTÉ", "café",
  "naïve", "{", "}", "\"k\":", "€", "😀", "AlPhA",
};

static const struct {
  const char *text;
  gboolean    regex;
} fuzz_queries[] = {
  { "", FALSE }, { "", FALSE }, { "a", FALSE }, { "e", FALSE }, { " ", FALSE },
  { "alpha", FALSE }, { "ALPHA", FALSE },
  { "ta g", FALSE }, { "x2", FALSE }, { "é", FALSE }, { "ÉTÉ", FALSE },
  { "\"state\"", FALSE }, { "lph", FALSE }, { "\"k\": {", FALSE },
  { "^alpha", TRUE }, { "x\\d+$", TRUE }, { "(beta|gamma)", TRUE }, { "\\w", TRUE },
  { "é", TRUE }, { "caf.", TRUE }, { "", TRUE }, { "[€😀]", TRUE },
  { "L\\x00", TRUE }, { "\\xff", TRUE },
  { "(unclosed", TRUE }, { "[", TRUE }, { "a{2,1}", TRUE },
};

static void
on_fuzz_scanning (SondeFilterModel *model,
                  GParamSpec       *pspec,
                  Fuzz             *fuzz)
{
  fuzz->scanning = sonde_filter_model_get_scanning (model);
}

static void
fuzz_append_one (Fuzz *fuzz)
{
  GRand *rand = fuzz->rand;
  guint what = g_rand_int_range (rand, 0, 10);

  if (what < 5)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n_words = g_rand_int_range (rand, 0, 7);

      for (guint i = 0; i < n_words; i++)
        {
          if (i > 0)
            g_string_append_c (text, g_rand_int_range (rand, 0, 8) == 0 ? '\0' : ' ');
          g_string_append (text, fuzz_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_words))]);
        }
      append (fuzz->log, g_rand_boolean (rand) ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT,
              SONDE_MESSAGE_KIND_TEXT, text->str, text->len);
    }
  else if (what < 8)
    {
      static const guint8 bytes[] = { 0x00, 'a', 'L', 'p', 'h', 'A', 0xc3, 0xa9, 0x89, 0xff, '1', 'x' };
      guint8 data[40];
      guint size = g_rand_int_range (rand, 0, sizeof data + 1);

      for (guint i = 0; i < size; i++)
        data[i] = bytes[g_rand_int_range (rand, 0, G_N_ELEMENTS (bytes))];
      append (fuzz->log, g_rand_boolean (rand) ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT,
              SONDE_MESSAGE_KIND_BINARY, data, size);
    }
  else
    {
      SondeMessageKind kind = g_rand_int_range (rand, SONDE_MESSAGE_KIND_CONNECTING,
                                                SONDE_MESSAGE_KIND_LAST + 1);
      g_autofree char *json = g_strdup_printf ("{\"state\":\"%s\",\"note\":\"%s\"}",
                                               sonde_message_kind_to_string (kind),
                                               fuzz_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_words))]);

      append_event (fuzz->log, kind, json);
    }
}

static void
fuzz_check (Fuzz *fuzz)
{
  SondeFilterModel *model = fuzz->model;
  gboolean scanning = sonde_filter_model_get_scanning (model);
  gboolean paused = sonde_filter_model_get_paused (model);
  guint64 next = sonde_message_log_get_next_seq (fuzz->log);
  guint64 first = MAX (fuzz->view_start, sonde_message_log_get_first_seq (fuzz->log));

  shadow_check (&fuzz->shadow);
  fuzz->sum_items += fuzz->shadow.seqs->len;
  fuzz->sum_records += sonde_message_log_get_n_records (fuzz->log);

  g_assert_cmpint (fuzz->scanning, ==, scanning);
  g_assert_cmpuint (sonde_filter_model_get_n_total (model), ==, next > first ? next - first : 0);
  g_assert_cmpint (sonde_filter_model_get_filtering (model), ==,
                   fuzz->ref.text[0] != '\0' ||
                   fuzz->ref.directions != SONDE_FILTER_DIRECTION_ALL ||
                   fuzz->ref.kinds != SONDE_FILTER_KIND_ALL);
  g_assert_cmpstr (sonde_filter_model_get_text (model), ==, fuzz->ref.text);

  if (paused)
    {
      /* Nothing that arrived during the pause is shown. */
      if (fuzz->shadow.seqs->len > 0)
        g_assert_cmpuint (g_array_index (fuzz->shadow.seqs, guint64, fuzz->shadow.seqs->len - 1), <,
                          fuzz->pause_end);

      if (fuzz->pause_exact && !scanning)
        {
          g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==,
                            next - MAX (first, MIN (fuzz->pause_end, next)));
          assert_model_is_reference (&fuzz->shadow, &fuzz->ref, fuzz->log, fuzz->view_start,
                                     fuzz->pause_end);
          fuzz->n_checkpoints++;
        }
    }
  else if (!scanning)
    {
      /* Idle and not paused: everything is considered and shown exactly. */
      g_assert_cmpuint (sonde_filter_model_get_n_pending (model), ==, 0);
      assert_model_is_reference (&fuzz->shadow, &fuzz->ref, fuzz->log, fuzz->view_start, next);
      fuzz->n_checkpoints++;
    }
  else
    {
      fuzz->n_scanning_ops++;
    }
}

static void
fuzz_step (Fuzz *fuzz)
{
  GRand *rand = fuzz->rand;
  SondeFilterModel *model = fuzz->model;
  guint op = g_rand_int_range (rand, 0, 100);

  if (op < 35)
    {
      guint n = g_rand_int_range (rand, 1, 30);

      if (n < 4)
        {
          for (guint i = 0; i < n; i++)
            fuzz_append_one (fuzz);
        }
      else
        {
          sonde_message_log_begin_batch (fuzz->log);
          for (guint i = 0; i < n; i++)
            fuzz_append_one (fuzz);
          sonde_message_log_end_batch (fuzz->log);
        }
    }
  else if (op < 45)
    {
      guint q = g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_queries));
      g_autoptr(GError) error = NULL;
      guint n_signals = fuzz->shadow.n_signals;

      if (sonde_filter_model_set_query (model, fuzz_queries[q].text, fuzz_queries[q].regex, &error))
        {
          g_assert_no_error (error);
          reference_set_query (&fuzz->ref, fuzz_queries[q].text, fuzz_queries[q].regex);
        }
      else
        {
          g_assert_true (fuzz_queries[q].regex);
          g_assert_nonnull (error);
          g_assert_true (error->domain == G_REGEX_ERROR);
          g_assert_cmpuint (fuzz->shadow.n_signals, ==, n_signals);
        }
    }
  else if (op < 48)
    {
      fuzz->ref.directions = g_rand_int_range (rand, 0, 3) != 0
                             ? SONDE_FILTER_DIRECTION_ALL
                             : (guint) g_rand_int_range (rand, 0, SONDE_FILTER_DIRECTION_ALL + 1);
      sonde_filter_model_set_directions (model, fuzz->ref.directions);
    }
  else if (op < 51)
    {
      fuzz->ref.kinds = g_rand_int_range (rand, 0, 3) != 0
                        ? SONDE_FILTER_KIND_ALL
                        : (guint) g_rand_int_range (rand, 0, SONDE_FILTER_KIND_ALL + 1);
      sonde_filter_model_set_kinds (model, fuzz->ref.kinds);
    }
  else if (op < 54)
    {
      /* Paused about a quarter of the time. */
      if (sonde_filter_model_get_paused (model))
        {
          sonde_filter_model_set_paused (model, FALSE);
        }
      else if (g_rand_int_range (rand, 0, 3) == 0)
        {
          fuzz->pause_end = sonde_message_log_get_next_seq (fuzz->log);
          fuzz->pause_exact = !sonde_filter_model_get_scanning (model);
          sonde_filter_model_set_paused (model, TRUE);
        }
    }
  else if (op < 56)
    {
      sonde_filter_model_clear (model);
      fuzz->view_start = sonde_message_log_get_next_seq (fuzz->log);
    }
  else if (op < 57)
    {
      sonde_message_log_clear (fuzz->log);
    }
  else if (op < 59)
    {
      /* Mostly roomy, sometimes a few records, sometimes a few bytes
       * (which truncates records, inside characters too). */
      static const struct {
        guint   count;
        guint64 bytes;
      } retention[] = {
        { 1, 100000 }, { 5, 100000 }, { 2000, 12 }, { 2000, 300 },
        { 2000, 100000 }, { 2000, 100000 }, { 2000, 100000 }, { 2000, 100000 },
      };
      guint r = g_rand_int_range (rand, 0, G_N_ELEMENTS (retention));

      sonde_message_log_set_max_count (fuzz->log, retention[r].count);
      sonde_message_log_set_max_bytes (fuzz->log, retention[r].bytes);
    }
  else if (op < 92)
    {
      guint n = g_rand_int_range (rand, 1, 5);

      for (guint i = 0; i < n; i++)
        g_main_context_iteration (NULL, FALSE);
    }
  else
    {
      for (guint i = 0; i < 1000 && sonde_filter_model_get_scanning (model); i++)
        g_main_context_iteration (NULL, FALSE);
      g_assert_false (sonde_filter_model_get_scanning (model));
    }
}

static void
test_random (gconstpointer data)
{
  const char *env_seed = g_getenv ("SONDE_TEST_SEED");
  guint32 seed = env_seed != NULL ? (guint32) g_ascii_strtoull (env_seed, NULL, 10)
                                  : GPOINTER_TO_UINT (data);
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) model = sonde_filter_model_new (log);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  const guint n_steps = 10000;
  Fuzz fuzz = { log, model, rand, };

  g_test_message ("seed %u (set SONDE_TEST_SEED to replay another)", seed);

  shadow_init (&fuzz.shadow, model);
  reference_init (&fuzz.ref);
  g_signal_connect (model, "notify::scanning", G_CALLBACK (on_fuzz_scanning), &fuzz);
  sonde_message_log_set_max_count (log, 2000);

  for (guint step = 0; step < n_steps; step++)
    {
      fuzz_step (&fuzz);
      fuzz_check (&fuzz);
    }

  /* Finish in the plain state and compare once more. */
  sonde_filter_model_set_paused (model, FALSE);
  wait_scan (model);
  fuzz_check (&fuzz);

  g_test_message ("%u checkpoints, %u steps left a scan running, %u signals, "
                  "%.1f items and %.1f records on average",
                  fuzz.n_checkpoints, fuzz.n_scanning_ops, fuzz.shadow.n_signals,
                  (double) fuzz.sum_items / n_steps, (double) fuzz.sum_records / n_steps);
  g_assert_cmpuint (fuzz.n_checkpoints, >, n_steps / 4);
  g_assert_cmpuint (fuzz.n_scanning_ops, >, n_steps / 50);

  g_signal_handlers_disconnect_by_data (model, &fuzz);
  reference_clear (&fuzz.ref);
  shadow_clear (&fuzz.shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&log));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/filter-model/passthrough", test_passthrough);
  g_test_add_func ("/filter-model/text", test_text);
  g_test_add_func ("/filter-model/text-matcher", test_text_matcher);
  g_test_add_func ("/filter-model/regex", test_regex);
  g_test_add_func ("/filter-model/non-ascii", test_non_ascii);
  g_test_add_func ("/filter-model/nul-bytes", test_nul_bytes);
  g_test_add_func ("/filter-model/events", test_events);
  g_test_add_func ("/filter-model/kinds", test_kinds);
  g_test_add_func ("/filter-model/pings-and-frames", test_pings_and_frames);
  g_test_add_func ("/filter-model/pause-passthrough", test_pause_passthrough);
  g_test_add_func ("/filter-model/pause-filtering", test_pause_filtering);
  g_test_add_func ("/filter-model/pause-during-scan", test_pause_during_scan);
  g_test_add_func ("/filter-model/pause-then-filter", test_pause_then_filter);
  g_test_add_func ("/filter-model/clear", test_clear);
  g_test_add_data_func ("/filter-model/hold-head", GUINT_TO_POINTER (FALSE), test_hold_head);
  g_test_add_data_func ("/filter-model/hold-head-filtered", GUINT_TO_POINTER (TRUE), test_hold_head);
  g_test_add_func ("/filter-model/change-during-scan", test_change_during_scan);
  g_test_add_func ("/filter-model/large-scan", test_large_scan);
  g_test_add_func ("/filter-model/scanning-notify", test_scanning_notify);
  g_test_add_func ("/filter-model/find-seq", test_find_seq);
  g_test_add_func ("/filter-model/truncated", test_truncated);
  g_test_add_func ("/filter-model/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/filter-model/reentrant-listener", test_reentrant_listener);
  g_test_add_func ("/filter-model/unref-from-listener", test_unref_from_listener);
  g_test_add_data_func ("/filter-model/random/1", GUINT_TO_POINTER (1), test_random);
  g_test_add_data_func ("/filter-model/random/2", GUINT_TO_POINTER (2), test_random);
  g_test_add_data_func ("/filter-model/random/3", GUINT_TO_POINTER (3), test_random);

  return g_test_run ();
}
