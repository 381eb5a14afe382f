/* test-history-search.c: sonde_history_search: text, regular expression
 * and JSON predicate across the sessions of a store, newest first; max
 * hits, cancel, binary payloads, previews, errors that say where, and the
 * same answer as the log's filter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "sonde-error.h"
#include "sonde-filter-model.h"
#include "sonde-history-search.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

typedef struct {
  char       *dir;
  char       *path;
  SondeStore *store;
  gint64      sessions[3];   /* oldest first */
} Fixture;

typedef struct {
  gint64  session_id;
  guint64 seq;
  char   *preview;
} Hit;

static void
hit_free (Hit *hit)
{
  g_free (hit->preview);
  g_free (hit);
}

static SondeRecord
message (guint64          seq,
         SondeDirection   direction,
         SondeMessageKind kind,
         const void      *data,
         gsize            size)
{
  return (SondeRecord) {
    .seq = seq, .wall_us = 1700000000000000 + (gint64) seq * 1000, .mono_us = (gint64) seq,
    .direction = direction, .kind = kind, .size = size, .stored_size = size, .data = data,
  };
}

static SondeRecord
text (guint64     seq,
      const char *data)
{
  return message (seq, seq % 2 ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT,
                  data, strlen (data));
}

static gint64
add_session (SondeStore        *store,
             gint64             start_us,
             const SondeRecord *records,
             guint              n_records)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://h/", start_us, &id, &error));
  g_assert_true (sonde_store_append (store, id, records, n_records, &error));
  g_assert_no_error (error);
  return id;
}

static const guint8 binary_needle[] = { 0x00, 0xff, 'N', 'e', 'E', 'd', 'l', 'e', 0x00, 0x80, 0x01 };

/* Three sessions: the middle one holds a binary payload with NUL bytes,
 * and events and a ping whose payloads would match but are no messages. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const SondeRecord first[] = {
    text (1, "{\"sym\":\"ABC\",\"price\":99.5}"),
    text (2, "{\"sym\":\"ABC\",\"price\":120}"),
    text (3, "{\"sym\":\"XYZ\",\"price\":300}"),
  };
  const SondeRecord second[] = {
    text (1, "hello NEEDLE world"),
    message (2, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, binary_needle, sizeof binary_needle),
    message (3, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR, "{\"needle\":1}", 12),
    message (4, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, "needle", 6),
    text (5, "{\"sym\":\"ABC\",\"price\":101}"),
  };
  const SondeRecord third[] = {
    text (7, "{\"sym\":\"ABC\",\"price\":150,\"note\":\"needle\"}"),
    text (8, "nothing here"),
  };

  fixture->dir = g_dir_make_tmp ("sonde-history-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "recordings.db", NULL);
  fixture->store = SONDE_STORE (sonde_store_sqlite_open (fixture->path, &error));
  g_assert_no_error (error);
  fixture->sessions[0] = add_session (fixture->store, 1000, first, G_N_ELEMENTS (first));
  fixture->sessions[1] = add_session (fixture->store, 2000, second, G_N_ELEMENTS (second));
  fixture->sessions[2] = add_session (fixture->store, 3000, third, G_N_ELEMENTS (third));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gboolean
collect (const SondeHistoryHit *hit,
         gpointer               user_data)
{
  GPtrArray *hits = user_data;
  Hit *copy = g_new0 (Hit, 1);

  copy->session_id = hit->session_id;
  copy->seq = hit->seq;
  copy->preview = g_strdup (hit->preview);
  g_assert_true (hit->direction == SONDE_DIRECTION_IN || hit->direction == SONDE_DIRECTION_OUT);
  g_assert_true (hit->kind == SONDE_MESSAGE_KIND_TEXT || hit->kind == SONDE_MESSAGE_KIND_BINARY);
  g_assert_cmpint (hit->wall_us, ==, 1700000000000000 + (gint64) hit->seq * 1000);
  g_ptr_array_add (hits, copy);
  return TRUE;
}

static GPtrArray *
search (Fixture               *fixture,
        SondeHistoryQueryKind  kind,
        const char            *query_text,
        gint64                 session_id,
        guint                  max_hits)
{
  g_autoptr(SondeHistoryQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = g_ptr_array_new_with_free_func ((GDestroyNotify) hit_free);

  query = sonde_history_query_new (kind, query_text, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_history_search (fixture->store, query, session_id, max_hits, NULL, collect, hits, &error));
  g_assert_no_error (error);
  return hits;
}

/* Each hit as "SESSION:SEQ" (session 0, 1 or 2, oldest first), joined. */
static char *
describe (Fixture   *fixture,
          GPtrArray *hits)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < hits->len; i++)
    {
      Hit *hit = g_ptr_array_index (hits, i);
      guint session = G_N_ELEMENTS (fixture->sessions);

      for (guint j = 0; j < G_N_ELEMENTS (fixture->sessions); j++)
        if (fixture->sessions[j] == hit->session_id)
          session = j;
      g_assert_cmpuint (session, <, G_N_ELEMENTS (fixture->sessions));
      g_string_append_printf (out, "%s%u:%" G_GUINT64_FORMAT, i > 0 ? " " : "", session, hit->seq);
    }
  return g_string_free (out, FALSE);
}

static void
assert_hits (Fixture               *fixture,
             SondeHistoryQueryKind  kind,
             const char            *query_text,
             gint64                 session_id,
             guint                  max_hits,
             const char            *expected)
{
  g_autoptr(GPtrArray) hits = search (fixture, kind, query_text, session_id, max_hits);
  g_autofree char *got = describe (fixture, hits);

  g_assert_cmpstr (got, ==, expected);
}

/* Text, case-insensitively, in text and binary messages (NULs and all),
 * not in events or pings; newest session first, seq order within. */
static void
test_text (Fixture       *fixture,
           gconstpointer  data)
{
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", 0, 0, "2:7 1:1 1:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "NeEdLe", 0, 0, "2:7 1:1 1:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "\"sym\":\"ABC\"", 0, 0, "2:7 1:5 0:1 0:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", fixture->sessions[1], 0, "1:1 1:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "absent", 0, 0, "");
}

static void
test_regex (Fixture       *fixture,
            gconstpointer  data)
{
  assert_hits (fixture, SONDE_HISTORY_QUERY_REGEX, "\"price\":1[0-9]{2}\\b", 0, 0, "2:7 1:5 0:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_REGEX, "^hello", 0, 0, "1:1");
  /* Over a binary payload's bytes. */
  assert_hits (fixture, SONDE_HISTORY_QUERY_REGEX, "\\x00\\xffneedle", 0, 0, "1:2");
}

static void
test_predicate (Fixture       *fixture,
                gconstpointer  data)
{
  assert_hits (fixture, SONDE_HISTORY_QUERY_PREDICATE, "$.sym == \"ABC\" && $.price > 100", 0, 0, "2:7 1:5 0:2");
  assert_hits (fixture, SONDE_HISTORY_QUERY_PREDICATE, "$.price >= 300", 0, 0, "0:3");
  /* Events hold JSON too, but are no messages. */
  assert_hits (fixture, SONDE_HISTORY_QUERY_PREDICATE, "$.needle", 0, 0, "");
}

static gboolean
stop_after_one (const SondeHistoryHit *hit,
                gpointer               user_data)
{
  (*(guint *) user_data)++;
  return FALSE;
}

/* max_hits stops the search where it is, and so does a callback that
 * returns FALSE. */
static void
test_max_hits (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SondeHistoryQuery) query = sonde_history_query_new (SONDE_HISTORY_QUERY_TEXT, "e", NULL);
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", 0, 2, "2:7 1:1");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", 0, 1, "2:7");
  assert_hits (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", 0, 3, "2:7 1:1 1:2");
  g_assert_true (sonde_history_search (fixture->store, query, 0, 0, NULL, stop_after_one, &calls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
}

static gboolean
cancel_on_hit (const SondeHistoryHit *hit,
               gpointer               user_data)
{
  GCancellable *cancellable = user_data;

  g_object_set_data (G_OBJECT (cancellable), "hits",
                     GUINT_TO_POINTER (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cancellable), "hits")) + 1));
  g_cancellable_cancel (cancellable);
  return TRUE;
}

/* A cancelled search fails with G_IO_ERROR_CANCELLED: before it starts,
 * and within a long session. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SondeHistoryQuery) query = sonde_history_query_new (SONDE_HISTORY_QUERY_TEXT, "match", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) later = g_cancellable_new ();
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  g_autoptr(GError) error = NULL;
  guint calls = 0;
  guint hits;

  g_cancellable_cancel (cancellable);
  g_assert_false (sonde_history_search (fixture->store, query, 0, 0, cancellable, stop_after_one, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (calls, ==, 0);

  /* Every message of a 100,000-message session matches: cancelled at the
   * first hit, the search stops long before the end. */
  for (guint64 seq = 1; seq <= 100000; seq++)
    {
      SondeRecord record = text (seq, "a match");

      g_array_append_val (records, record);
    }
  add_session (fixture->store, 4000, (SondeRecord *) records->data, records->len);
  g_assert_false (sonde_history_search (fixture->store, query, 0, 0, later, cancel_on_hit, later, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  hits = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (later), "hits"));
  g_assert_cmpuint (hits, >=, 1);
  g_assert_cmpuint (hits, <, 10000);
}

/* A preview is one line, valid UTF-8, a couple of hundred bytes at most;
 * NULs and bytes that are not UTF-8 are shown as escapes. */
static void
test_preview (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GString) long_text = g_string_new ("line one\nline two\r\t");
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) binary = NULL;
  g_autofree guint8 *bad = g_malloc (3000);
  SondeRecord records[2];
  Hit *hit;

  for (guint i = 0; i < 1000; i++)
    g_string_append (long_text, "é");
  for (guint i = 0; i < 3000; i++)
    bad[i] = i % 2 ? 0xff : 'q';
  memcpy (bad, "preview", 7);
  records[0] = text (1, long_text->str);
  records[1] = message (2, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY, bad, 3000);
  add_session (fixture->store, 4000, records, 2);

  hits = search (fixture, SONDE_HISTORY_QUERY_TEXT, "line two", 0, 0);
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_true (g_utf8_validate (hit->preview, -1, NULL));
  g_assert_null (strchr (hit->preview, '\n'));
  g_assert_null (strchr (hit->preview, '\r'));
  g_assert_true (g_str_has_prefix (hit->preview, "line one"));
  g_assert_true (g_str_has_suffix (hit->preview, "…"));
  g_assert_cmpuint (strlen (hit->preview), <=, 200 + strlen ("…"));
  g_assert_cmpuint (strlen (hit->preview), >=, 150);

  binary = search (fixture, SONDE_HISTORY_QUERY_TEXT, "preview", 0, 0);
  g_assert_cmpuint (binary->len, ==, 1);
  hit = g_ptr_array_index (binary, 0);
  g_assert_true (g_utf8_validate (hit->preview, -1, NULL));
  g_assert_true (g_str_has_prefix (hit->preview, "preview"));
  g_assert_cmpuint (strlen (hit->preview), <=, 200 + strlen ("…"));

  /* The NUL bytes of a binary hit. */
  g_clear_pointer (&binary, g_ptr_array_unref);
  binary = search (fixture, SONDE_HISTORY_QUERY_TEXT, "needle", fixture->sessions[1], 0);
  hit = g_ptr_array_index (binary, 1);
  g_assert_cmpuint (hit->seq, ==, 2);
  g_assert_true (g_utf8_validate (hit->preview, -1, NULL));
  g_assert_nonnull (strstr (hit->preview, "NeEdle"));
}

/* What does not compile fails, saying what and where. */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SondeHistoryQuery) regex = NULL;
  g_autoptr(SondeHistoryQuery) predicate = NULL;
  g_autoptr(SondeHistoryQuery) query = sonde_history_query_new (SONDE_HISTORY_QUERY_TEXT, "x", NULL);
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  regex = sonde_history_query_new (SONDE_HISTORY_QUERY_REGEX, "price(", &error);
  g_assert_null (regex);
  g_assert_error (error, G_REGEX_ERROR, G_REGEX_ERROR_UNMATCHED_PARENTHESIS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "6"));
  g_clear_error (&error);

  predicate = sonde_history_query_new (SONDE_HISTORY_QUERY_PREDICATE, "$.sym == ABC", &error);
  g_assert_null (predicate);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PREDICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "10"));
  g_clear_error (&error);

  g_assert_false (sonde_history_search (fixture->store, query, fixture->sessions[2] + 100, 0, NULL,
                                        stop_after_one, &calls, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (calls, ==, 0);
}

/* The log's filter and a search with the same text agree, record by
 * record, whatever the payload. */
static void
test_agrees_with_filter (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char * const payloads[] = {
    "Straße", "STRASSE", "straße", "ÉCOLE école", "price 100", "PRICE", "a.b", "aXb",
    "\xff\xfe price", "pri\xc3", "", "null", "{\"price\":1}", "\xce\xa3\xcf\x83",
  };
  static const char * const queries[] = { "price", "STRAßE", "école", "a.b", "σ", "Σ", "\xcf\x83" };
  static const char * const regexes[] = { "pr.ce", "^s", "a\\.b", "\\d+", "é", "(?i)stra(ss|ß)e" };
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  g_autoptr(SondeFilterModel) filter = sonde_filter_model_new (log);
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    for (guint kind = 0; kind < 2; kind++)
      sonde_message_log_append (log, SONDE_DIRECTION_IN, kind ? SONDE_MESSAGE_KIND_BINARY : SONDE_MESSAGE_KIND_TEXT,
                                1, 1, payloads[i], strlen (payloads[i]));
  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      g_array_append_val (records, record);
    }

  for (guint regex = 0; regex < 2; regex++)
    {
      const char * const *list = regex ? regexes : queries;
      guint n = regex ? G_N_ELEMENTS (regexes) : G_N_ELEMENTS (queries);

      for (guint q = 0; q < n; q++)
        {
          g_autoptr(SondeHistoryQuery) query = NULL;
          g_autoptr(GError) error = NULL;
          guint n_matched = 0;

          g_assert_true (sonde_filter_model_set_query (filter, list[q], regex, &error));
          query = sonde_history_query_new (regex ? SONDE_HISTORY_QUERY_REGEX : SONDE_HISTORY_QUERY_TEXT,
                                           list[q], &error);
          g_assert_no_error (error);
          for (guint i = 0; i < records->len; i++)
            {
              const SondeRecord *record = &g_array_index (records, SondeRecord, i);
              gboolean by_filter = sonde_filter_model_record_matches (filter, record);

              if (by_filter != sonde_history_query_matches (query, record))
                g_error ("%s “%s” on “%s” (%s): the filter says %d",
                         regex ? "regex" : "text", list[q], payloads[i / 2],
                         record->kind == SONDE_MESSAGE_KIND_BINARY ? "binary" : "text", by_filter);
              n_matched += by_filter;
            }
          g_test_message ("%s: %u", list[q], n_matched);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/history-search/text", Fixture, NULL, fixture_setup, test_text, fixture_teardown);
  g_test_add ("/history-search/regex", Fixture, NULL, fixture_setup, test_regex, fixture_teardown);
  g_test_add ("/history-search/predicate", Fixture, NULL, fixture_setup, test_predicate, fixture_teardown);
  g_test_add ("/history-search/max-hits", Fixture, NULL, fixture_setup, test_max_hits, fixture_teardown);
  g_test_add ("/history-search/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/history-search/preview", Fixture, NULL, fixture_setup, test_preview, fixture_teardown);
  g_test_add ("/history-search/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/history-search/agrees-with-filter", Fixture, NULL, fixture_setup, test_agrees_with_filter,
              fixture_teardown);

  return g_test_run ();
}
