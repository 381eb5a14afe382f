/* test-session-integrity.c: a profile's feed-integrity rules, applied by
 * the session at connect, against a real server nobody here wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/seq_feed.py (Python websockets; msgpack for the binary
 * route) sends ticks {"sym", "seq", "price"} per symbol with a deliberate
 * gap (ABC 3 then 7), a duplicate (7 again), a late value (5) and a price
 * out of its band (XYZ at 5000), then stays silent until the client says
 * something. A profile with rules on $.seq by $.sym, a band on $.price and
 * a stale time connects to it: as JSON text, and as MessagePack through
 * the profile's decoder chain (the rules read the decoded view). Each
 * violation is counted once, kept at its record with the words the log
 * shows, and is an alert of the session's notifier; the silence turns the
 * feed stale (an alert), and the tick that answers our message clears it
 * (another).
 */

#include "config.h"

#include <string.h>

#include "sonde-session.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000

static SondeTestPeer *peer;
static char *peer_error;

typedef struct {
  GPtrArray *titles;
  GPtrArray *bodies;
} Alerts;

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          Alerts        *alerts)
{
  g_ptr_array_add (alerts->titles, g_strdup (title));
  g_ptr_array_add (alerts->bodies, g_strdup (body));
}

static gboolean
has (GPtrArray  *strings,
     const char *text)
{
  for (guint i = 0; i < strings->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (strings, i), text) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Result;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Result *r = data;

  r->ok = sonde_session_connect_finish (SONDE_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static char *
without_spaces (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != ' ')
        g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}

/* The received message whose view has "seq": @seq and "sym": @sym, the
 * @nth of them (0: the first). */
static guint64
find_tick (SondeSession *session,
           const char   *sym,
           int           seq,
           guint         nth)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  g_autofree char *want_sym = g_strdup_printf ("\"sym\":\"%s\"", sym);
  g_autofree char *want_seq = g_strdup_printf ("\"seq\":%d,", seq);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record, scratch;
      const SondeRecord *view;
      g_autofree char *text = NULL;
      g_autofree char *squeezed = NULL;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_IN ||
          (view = sonde_record_views_read (views, &record, &scratch)) == NULL)
        continue;
      /* Python's json.dumps puts a space after ':' and ','; the
       * decoder's view does not: compare without spaces. */
      text = g_strndup ((const char *) view->data, view->stored_size);
      squeezed = without_spaces (text);
      if (strstr (squeezed, want_sym) != NULL && strstr (squeezed, want_seq) != NULL && nth-- == 0)
        return record.seq;
    }
  g_error ("no tick %s %d", sym, seq);
  return 0;
}

static void
test_feed (gconstpointer data)
{
  const char *route = data;
  gboolean binary = g_str_equal (route, "/msgpack");
  g_autoptr(SondeProfile) profile = NULL;
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(JsonNode) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *gap_text = NULL;
  g_autofree char *dup_text = NULL;
  g_autofree char *late_text = NULL;
  g_autofree char *band_text = NULL;
  SondeIntegrity *integrity;
  SondeConnection *connection;
  Alerts alerts = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  Result r = { 0 };

  if (peer == NULL)
    {
      g_test_skip (peer_error);
      return;
    }

  url = sonde_test_peer_dup_url (peer, route);
  profile = sonde_profile_new_for_url (url);
  sonde_profile_set_name (profile, "Sequenced feed");
  if (binary)
    sonde_profile_set_decode (profile, "msgpack", NULL, NULL);
  rules = json_from_string ("{\"sequence\": {\"path\": \"$.seq\", \"key\": \"$.sym\"},"
                            " \"stale_after_s\": 0.3,"
                            " \"bands\": [{\"path\": \"$.price\", \"min\": 0, \"max\": 1000}]}", &error);
  g_assert_no_error (error);
  sonde_profile_set_integrity (profile, rules);

  session = sonde_session_new_for_profile (profile);
  integrity = sonde_session_get_integrity (session);
  g_assert_false (sonde_integrity_has_rules (integrity));
  g_signal_connect (sonde_session_get_notifier (session), "alert", G_CALLBACK (on_alert), &alerts);
  sonde_session_connect_async (session, NULL, on_connected, &r);
  SONDE_TEST_ASSERT_WAIT (r.done, WAIT_MS);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  /* Applied at connect, as the profile has them. */
  g_assert_true (sonde_integrity_has_rules (integrity));
  connection = sonde_session_get_connection (session);

  /* The burst: ten ticks, then silence. */
  SONDE_TEST_ASSERT_WAIT (sonde_test_count_records (connection, SONDE_DIRECTION_IN,
                                                    binary ? SONDE_MESSAGE_KIND_BINARY : SONDE_MESSAGE_KIND_TEXT) == 10,
                          WAIT_MS);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_GAP), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_n_missing (integrity), ==, 3);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_DUPLICATE), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_OUT_OF_ORDER), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_BAND), ==, 1);
  g_assert_cmpuint (sonde_integrity_get_n_keys (integrity), ==, 2);
  g_assert_cmpuint (sonde_integrity_get_n_kept (integrity), ==, 4);

  /* Each at its record, in the log's words. */
  gap_text = sonde_integrity_describe_record (integrity, find_tick (session, "ABC", 7, 0));
  g_assert_cmpstr (gap_text, ==, "gap: 3 missing after seq 3 (ABC)");
  dup_text = sonde_integrity_describe_record (integrity, find_tick (session, "ABC", 7, 1));
  g_assert_cmpstr (dup_text, ==, "duplicate: seq 7 seen before (ABC)");
  late_text = sonde_integrity_describe_record (integrity, find_tick (session, "ABC", 5, 0));
  g_assert_cmpstr (late_text, ==, "out of order: seq 5 after seq 7 (ABC)");
  band_text = sonde_integrity_describe_record (integrity, find_tick (session, "XYZ", 4, 0));
  g_assert_cmpstr (band_text, ==, "$.price = 5000 outside 0 to 1000");
  g_assert_false (sonde_integrity_has_record (integrity, find_tick (session, "XYZ", 3, 0)));

  /* And each an alert of the notifier. */
  g_assert_true (has (alerts.titles, "Gap in $.seq"));
  g_assert_true (has (alerts.bodies, "gap: 3 missing after seq 3 (ABC)"));
  g_assert_true (has (alerts.titles, "Duplicate in $.seq"));
  g_assert_true (has (alerts.titles, "Out of order in $.seq"));
  g_assert_true (has (alerts.titles, "A value is outside its band"));
  g_assert_cmpuint (alerts.titles->len, ==, 4);

  /* The server is silent until we speak: the feed turns stale. */
  SONDE_TEST_ASSERT_WAIT (sonde_integrity_get_stale (integrity), WAIT_MS);
  g_assert_true (has (alerts.titles, "The feed is stale"));
  g_assert_true (sonde_connection_send_text (connection, "more", -1, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (!sonde_integrity_get_stale (integrity), WAIT_MS);
  g_assert_true (has (alerts.titles, "The feed is flowing again"));
  g_assert_cmpuint (sonde_integrity_get_count (integrity, SONDE_INTEGRITY_STALE), ==, 1);
  /* ABC 8 follows 7: nothing new. */
  g_assert_cmpuint (sonde_integrity_get_n_kept (integrity), ==, 4);

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_signal_handlers_disconnect_by_data (sonde_session_get_notifier (session), &alerts);
  g_ptr_array_unref (alerts.titles);
  g_ptr_array_unref (alerts.bodies);
  g_assert_finalize_object (g_steal_pointer (&session));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sonde_test_init (&argc, &argv);

  peer = sonde_test_peer_start_script ("seq_feed.py", NULL, &error);
  if (peer == NULL)
    peer_error = g_strdup_printf ("seq_feed.py did not start: %s", error->message);

  g_test_add_data_func ("/session-integrity/json", "/json", test_feed);
  g_test_add_data_func ("/session-integrity/msgpack", "/msgpack", test_feed);

  status = g_test_run ();
  if (peer != NULL)
    {
      g_autoptr(GError) stop_error = NULL;

      if (!sonde_test_peer_stop (peer, &stop_error))
        g_printerr ("seq_feed.py: %s\n", stop_error->message);
      sonde_test_peer_free (peer);
    }
  g_free (peer_error);
  return status;
}
