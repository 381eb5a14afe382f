/* test-integrity.c: a feed's integrity: sequence gaps, duplicates, out of
 * order, per key and bounded; staleness raised and cleared; bands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Messages go straight into the log of a connection (the checker watches
 * the log, as the notifier does); staleness is waited for on the main
 * loop, with a deadline.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sonde-integrity.h"
#include "sonde-notifier.h"
#include "sonde-test-util.h"

typedef struct {
  SondeIntegrityKind kind;
  guint64            record_seq;
  gint64             value;
  gint64             last;
  guint64            missing;
  char              *key;
  gboolean           raised;
  char              *text;
} Seen;

static void
seen_free (gpointer data)
{
  Seen *seen = data;

  g_free (seen->key);
  g_free (seen->text);
  g_free (seen);
}

static void
on_violation (SondeIntegrity                *integrity,
              const SondeIntegrityViolation *violation,
              GPtrArray                     *seen)
{
  Seen *one = g_new0 (Seen, 1);

  one->kind = violation->kind;
  one->record_seq = violation->record_seq;
  one->value = violation->value;
  one->last = violation->last;
  one->missing = violation->missing;
  one->key = g_strdup (violation->key);
  one->raised = violation->raised;
  one->text = sonde_integrity_violation_describe (violation);
  g_ptr_array_add (seen, one);
}

static guint64
receive (SondeConnection *connection,
         const char      *text)
{
  return sonde_message_log_append (sonde_connection_get_log (connection), SONDE_DIRECTION_IN,
                                   SONDE_MESSAGE_KIND_TEXT, g_get_real_time (), g_get_monotonic_time (),
                                   text, strlen (text));
}

static SondeIntegrity *
integrity_with (SondeConnection *connection,
                const char      *rules_json,
                GPtrArray       *seen)
{
  SondeIntegrity *integrity = sonde_integrity_new (connection);
  g_autoptr(JsonNode) rules = json_from_string (rules_json, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (rules);
  g_assert_true (sonde_integrity_set_rules (integrity, rules, &error));
  g_assert_no_error (error);
  g_signal_connect (integrity, "violation", G_CALLBACK (on_violation), seen);
  return integrity;
}

static const Seen *
nth (GPtrArray *seen,
     guint      i)
{
  g_assert_cmpuint (i, <, seen->len);
  return g_ptr_array_index (seen, i);
}

/* One stream: 1 2 3 | 7 (gap of 3) | 7 (duplicate) | 5 (late: out of
 * order) | 5 again (now a duplicate) | 8; each at its record. */
static void
test_sequence (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity = integrity_with (connection, "{\"sequence\": {\"path\": \"$.seq\"}}", seen);
  guint64 gap_at, dup_at, late_at;
  g_autofree char *described = NULL;

  receive (connection, "{\"seq\": 1}");
  receive (connection, "{\"seq\": 2}");
  receive (connection, "{\"other\": true}");
  receive (connection, "{\"seq\": \"3\"}");
  g_assert_cmpuint (seen->len, ==, 0);

  gap_at = receive (connection, "{\"seq\": 7}");
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (nth (seen, 0)->kind, ==, SONDE_INTEGRITY_GAP);
  g_assert_cmpuint (nth (seen, 0)->missing, ==, 3);
  g_assert_cmpint (nth (seen, 0)->last, ==, 3);
  g_assert_cmpuint (nth (seen, 0)->record_seq, ==, gap_at);
  g_assert_cmpstr (nth (seen, 0)->text, ==, "gap: 3 missing after seq 3");

  dup_at = receive (connection, "{\"seq\": 7}");
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpint (nth (seen, 1)->kind, ==, SONDE_INTEGRITY_DUPLICATE);
  g_assert_cmpuint (nth (seen, 1)->record_seq, ==, dup_at);

  late_at = receive (connection, "{\"seq\": 5}");
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpint (nth (seen, 2)->kind, ==, SONDE_INTEGRITY_OUT_OF_ORDER);
  g_assert_cmpint (nth (seen, 2)->value, ==, 5);
  g_assert_cmpint (nth (seen, 2)->last, ==, 7);

  receive (connection, "{\"seq\": 5}");
  g_assert_cmpuint (seen->len, ==, 4);
  g_assert_cmpint (nth (seen, 3)->kind, ==, SONDE_INTEGRITY_DUPLICATE);
  /* 2 came before the gap: within the window, a duplicate. */
  receive (connection, "{\"seq\": 2}");
  g_assert_cmpint (nth (seen, 4)->kind, ==, SONDE_INTEGRITY_DUPLICATE);
  receive (connection, "{\"seq\": 8}");
  g_assert_cmpuint (seen->len, ==, 5);

  /* Not whole numbers, and sent messages, are no sequence values. */
  receive (connection, "{\"seq\": 20.5}");
  sonde_message_log_append (sonde_connection_get_log (connection), SONDE_DIRECTION_OUT,
                            SONDE_MESSAGE_KIND_TEXT, 0, 0, "{\"seq\": 100}", 12);
  g_assert_cmpuint (seen->len, ==, 5);

  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_GAP), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_DUPLICATE), ==, 3);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_OUT_OF_ORDER), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_n_missing (integrity), ==, 3);

  /* Kept for the log's rows, found by record. */
  g_assert_cmpuint (sonde_integrity_get_n_kept (integrity), ==, 5);
  g_assert_true (sonde_integrity_has_record (integrity, gap_at));
  g_assert_true (sonde_integrity_has_record (integrity, late_at));
  g_assert_false (sonde_integrity_has_record (integrity, gap_at - 1));
  described = sonde_integrity_describe_record (integrity, late_at);
  g_assert_cmpstr (described, ==, "out of order: seq 5 after seq 7");
  g_assert_null (sonde_integrity_describe_record (integrity, gap_at - 1));
  g_assert_cmpstr (sonde_integrity_kind_to_string (SONDE_INTEGRITY_OUT_OF_ORDER), ==, "out_of_order");

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

/* A big jump is one gap with its count; a window of 64 values tells a
 * late value from a duplicate. */
static void
test_sequence_window (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity = integrity_with (connection, "{\"sequence\": {\"path\": \"$.h.n\"}}", seen);

  receive (connection, "{\"h\": {\"n\": 1000}}");
  receive (connection, "{\"h\": {\"n\": 1000000001000}}");
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpuint (nth (seen, 0)->missing, ==, G_GUINT64_CONSTANT (999999999999));
  for (gint64 v = 1000000001001; v < 1000000001100; v++)
    {
      g_autofree char *text = g_strdup_printf ("{\"h\": {\"n\": %" G_GINT64_FORMAT "}}", v);

      receive (connection, text);
    }
  g_assert_cmpuint (seen->len, ==, 1);
  receive (connection, "{\"h\": {\"n\": 1000000001090}}");   /* 9 below: seen */
  g_assert_cmpint (nth (seen, 1)->kind, ==, SONDE_INTEGRITY_DUPLICATE);
  receive (connection, "{\"h\": {\"n\": 1000000001010}}");   /* 88 below: past the window */
  g_assert_cmpint (nth (seen, 2)->kind, ==, SONDE_INTEGRITY_OUT_OF_ORDER);

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

/* Per key: each symbol has its own sequence; past max_keys, keys are
 * counted and left unchecked; messages without the key share one. */
static void
test_keys (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity =
    integrity_with (connection, "{\"sequence\": {\"path\": \"$.seq\", \"key\": \"$.sym\", \"max_keys\": 3}}", seen);
  g_autofree char *described = NULL;
  guint64 at;

  receive (connection, "{\"sym\": \"ABC\", \"seq\": 40}");
  receive (connection, "{\"sym\": \"XYZ\", \"seq\": 1}");
  receive (connection, "{\"sym\": \"ABC\", \"seq\": 41}");
  receive (connection, "{\"sym\": \"XYZ\", \"seq\": 2}");
  g_assert_cmpuint (seen->len, ==, 0);
  at = receive (connection, "{\"sym\": \"ABC\", \"seq\": 45}");
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (nth (seen, 0)->key, ==, "ABC");
  described = sonde_integrity_describe_record (integrity, at);
  g_assert_cmpstr (described, ==, "gap: 3 missing after seq 41 (ABC)");

  /* A key with escapes, and a number as a key. */
  receive (connection, "{\"sym\": \"\\u0041BC\", \"seq\": 45}");
  g_assert_cmpint (nth (seen, 1)->kind, ==, SONDE_INTEGRITY_DUPLICATE);
  g_assert_cmpstr (nth (seen, 1)->key, ==, "ABC");
  receive (connection, "{\"sym\": 7, \"seq\": 1}");
  g_assert_cmpuint (sonde_integrity_get_n_keys (integrity), ==, 3);

  /* The bound: a fourth key is counted, not checked. */
  receive (connection, "{\"sym\": \"D\", \"seq\": 1}");
  receive (connection, "{\"sym\": \"D\", \"seq\": 1}");
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpuint (sonde_integrity_get_n_keys (integrity), ==, 3);
  g_assert_cmpuint (sonde_integrity_get_n_keys_dropped (integrity), ==, 2);

  /* No key: the stream of its own. */
  receive (connection, "{\"seq\": 1}");
  receive (connection, "{\"seq\": 3}");
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_null (nth (seen, 2)->key);

  /* Starting afresh (a new connection): nothing is a duplicate. */
  sonde_integrity_reset_sequences (integrity);
  g_assert_cmpuint (sonde_integrity_get_n_keys (integrity), ==, 0);
  receive (connection, "{\"sym\": \"ABC\", \"seq\": 45}");
  g_assert_cmpuint (seen->len, ==, 3);

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

/* Nothing for the stale time raises STALE once; the next message clears
 * it; then it can be raised again. Waited for on the main loop. */
static void
test_stale (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity = integrity_with (connection, "{\"stale_after_s\": 0.2}", seen);
  gint64 start;

  /* Not open, nothing came: not armed. */
  sonde_test_spin (400);
  g_assert_cmpuint (seen->len, ==, 0);

  start = g_get_monotonic_time ();
  receive (connection, "hello");
  SONDE_TEST_ASSERT_WAIT (sonde_integrity_get_stale (integrity), 5000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (nth (seen, 0)->kind, ==, SONDE_INTEGRITY_STALE);
  g_assert_true (nth (seen, 0)->raised);
  g_assert_cmpstr (nth (seen, 0)->text, ==, "stale: no message for 0.2 s");
  /* Raised once however long it lasts. */
  sonde_test_spin (300);
  g_assert_cmpuint (seen->len, ==, 1);

  receive (connection, "again");
  g_assert_false (sonde_integrity_get_stale (integrity));
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_false (nth (seen, 1)->raised);

  /* Messages keep it fresh: one each 50 ms for 400 ms. */
  for (guint i = 0; i < 8; i++)
    {
      sonde_test_spin (50);
      receive (connection, "tick");
    }
  g_assert_cmpuint (seen->len, ==, 2);
  SONDE_TEST_ASSERT_WAIT (seen->len == 3, 5000);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_STALE), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

/* With a predicate, only matching messages keep the feed fresh. */
static void
test_stale_predicate (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity =
    integrity_with (connection, "{\"stale_after_s\": 0.2, \"stale_predicate\": \"$.type == \\\"trade\\\"\"}", seen);
  gint64 start = g_get_monotonic_time ();

  receive (connection, "{\"type\": \"trade\"}");
  /* Heart-beats every 40 ms do not count. */
  while (!sonde_integrity_get_stale (integrity) && g_get_monotonic_time () - start < 5000000)
    {
      sonde_test_spin (40);
      receive (connection, "{\"type\": \"heartbeat\"}");
    }
  g_assert_true (sonde_integrity_get_stale (integrity));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2000000);
  receive (connection, "{\"type\": \"heartbeat\"}");
  g_assert_true (sonde_integrity_get_stale (integrity));
  receive (connection, "{\"type\": \"trade\"}");
  g_assert_false (sonde_integrity_get_stale (integrity));
  g_assert_cmpuint (seen->len, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

static void
test_bands (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (seen_free);
  g_autoptr(SondeIntegrity) integrity =
    integrity_with (connection,
                    "{\"bands\": [{\"path\": \"$.price\", \"min\": 0, \"max\": 1000}, {\"path\": \"$.qty\", \"min\": 1}]}",
                    seen);
  guint64 at;

  receive (connection, "{\"price\": 0, \"qty\": 1}");
  receive (connection, "{\"price\": 1000}");
  receive (connection, "{\"price\": \"abc\"}");
  g_assert_cmpuint (seen->len, ==, 0);
  at = receive (connection, "{\"price\": 1000.5, \"qty\": 0}");
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpint (nth (seen, 0)->kind, ==, SONDE_INTEGRITY_BAND);
  g_assert_cmpstr (nth (seen, 0)->text, ==, "$.price = 1000.5 outside 0 to 1000");
  g_assert_cmpstr (nth (seen, 1)->text, ==, "$.qty = 0 below 1");
  g_assert_cmpuint (nth (seen, 1)->record_seq, ==, at);
  receive (connection, "{\"price\": -1}");
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_BAND), ==, 3);

  g_assert_finalize_object (g_steal_pointer (&integrity));
}

/* Rules: accepted, written back the same, refused with the member named. */
static void
test_rules (void)
{
  static const struct {
    const char *json;
    const char *error;
  } bad[] = {
    { "[]", "must be a JSON object" },
    { "{\"sequence\": \"$.seq\"}", "integrity.sequence must be an object" },
    { "{\"sequence\": {}}", "integrity.sequence.path" },
    { "{\"sequence\": {\"path\": \"seq\"}}", "integrity.sequence.path: " },
    { "{\"sequence\": {\"path\": \"$.seq\", \"key\": 3}}", "integrity.sequence.key" },
    { "{\"sequence\": {\"path\": \"$.seq\", \"max_keys\": 0}}", "integrity.sequence.max_keys" },
    { "{\"stale_after_s\": 0}", "integrity.stale_after_s" },
    { "{\"stale_after_s\": \"10\"}", "integrity.stale_after_s" },
    { "{\"stale_predicate\": \"$.a == 1\"}", "needs integrity.stale_after_s" },
    { "{\"stale_after_s\": 5, \"stale_predicate\": \"$.a ==\"}", "integrity.stale_predicate: " },
    { "{\"bands\": {}}", "integrity.bands must be a list" },
    { "{\"bands\": [{\"path\": \"$.a\"}]}", "integrity.bands[0] needs a min, a max or both" },
    { "{\"bands\": [{\"path\": \"$.a\", \"min\": 1}, {\"path\": \"$.b\", \"min\": 3, \"max\": 2}]}",
      "integrity.bands[1]: min (3) is above max (2)" },
    { "{\"bands\": [{\"path\": \"$.a\", \"min\": \"1\"}]}", "integrity.bands[0]: min and max must be numbers" },
  };
  const char *good = "{\"sequence\":{\"path\":\"$.seq\",\"key\":\"$.sym\",\"max_keys\":50},"
                     "\"stale_after_s\":2.5,\"stale_predicate\":\"$.type == \\\"trade\\\"\","
                     "\"bands\":[{\"path\":\"$.price\",\"min\":0.0,\"max\":1000.0},{\"path\":\"$.q\",\"max\":5.0}]}";
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeIntegrity) integrity = sonde_integrity_new (connection);
  g_autoptr(JsonNode) node = json_from_string (good, NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) rules = json_from_string (bad[i].json, NULL);
      g_autoptr(GError) local_error = NULL;

      g_test_message ("%s", bad[i].json);
      g_assert_false (sonde_integrity_check_rules (rules, &local_error));
      g_assert_nonnull (local_error);
      if (strstr (local_error->message, bad[i].error) == NULL)
        g_error ("%s: “%s” does not say “%s”", bad[i].json, local_error->message, bad[i].error);
      g_assert_false (sonde_integrity_set_rules (integrity, rules, NULL));
    }
  g_assert_false (sonde_integrity_has_rules (integrity));

  g_assert_true (sonde_integrity_set_rules (integrity, node, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_integrity_has_rules (integrity));
  back = sonde_integrity_dup_rules (integrity);
  text = json_to_string (back, FALSE);
  g_assert_cmpstr (text, ==, good);

  g_assert_true (sonde_integrity_check_rules (NULL, NULL));
  g_assert_true (sonde_integrity_set_rules (integrity, NULL, NULL));
  g_assert_false (sonde_integrity_has_rules (integrity));
}

typedef struct {
  guint  n;
  char  *title;
  char  *body;
} Alerts;

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          Alerts        *alerts)
{
  alerts->n++;
  g_free (alerts->title);
  g_free (alerts->body);
  alerts->title = g_strdup (title);
  alerts->body = g_strdup (body);
}

/* The notifier's integrity: violations are alerts, each kind with its
 * cool-down; a stale feed that flows again is told at once. */
static void
test_notifier (void)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeNotifier) notifier = sonde_notifier_new (connection);
  SondeIntegrity *integrity = sonde_notifier_get_integrity (notifier);
  g_autoptr(JsonNode) rules = json_from_string ("{\"sequence\": {\"path\": \"$.seq\"}, \"stale_after_s\": 0.2}", NULL);
  Alerts alerts = { 0 };

  g_assert_true (SONDE_IS_INTEGRITY (integrity));
  g_assert_true (sonde_integrity_set_rules (integrity, rules, NULL));
  g_signal_connect (notifier, "alert", G_CALLBACK (on_alert), &alerts);

  receive (connection, "{\"seq\": 1}");
  receive (connection, "{\"seq\": 4}");
  g_assert_cmpuint (alerts.n, ==, 1);
  g_assert_cmpstr (alerts.title, ==, "Gap in $.seq");
  g_assert_cmpstr (alerts.body, ==, "gap: 2 missing after seq 1");
  receive (connection, "{\"seq\": 9}");   /* cooling down */
  g_assert_cmpuint (alerts.n, ==, 1);
  receive (connection, "{\"seq\": 9}");   /* another kind */
  g_assert_cmpuint (alerts.n, ==, 2);
  g_assert_cmpstr (alerts.title, ==, "Duplicate in $.seq");
  g_assert_cmpuint (sonde_notifier_get_n_held (notifier), ==, 1);

  SONDE_TEST_ASSERT_WAIT (alerts.n == 3, 5000);
  g_assert_cmpstr (alerts.title, ==, "The feed is stale");
  receive (connection, "{\"seq\": 10}");
  g_assert_cmpuint (alerts.n, ==, 4);
  g_assert_cmpstr (alerts.title, ==, "The feed is flowing again");

  g_signal_handlers_disconnect_by_data (notifier, &alerts);
  g_free (alerts.title);
  g_free (alerts.body);
  g_assert_finalize_object (g_steal_pointer (&notifier));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/integrity/sequence", test_sequence);
  g_test_add_func ("/integrity/sequence-window", test_sequence_window);
  g_test_add_func ("/integrity/keys", test_keys);
  g_test_add_func ("/integrity/stale", test_stale);
  g_test_add_func ("/integrity/stale-predicate", test_stale_predicate);
  g_test_add_func ("/integrity/bands", test_bands);
  g_test_add_func ("/integrity/rules", test_rules);
  g_test_add_func ("/integrity/notifier", test_notifier);

  return g_test_run ();
}
