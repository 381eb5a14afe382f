/* test-session-player.c: a recorded session replayed into a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recording is made with the store API: a connect, an open, received
 * JSON messages 10 ms apart ({"v":…,"sym":…}), one sent message, and a
 * close the client did not ask for. What a replay puts in the session's
 * series is compared with the series History's page rebuilds from the
 * same recording (a connection that never connects, its log filled from
 * the store, a series feed over it).
 */

#include "config.h"

#include <math.h>

#include "sonde-session-player.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define START_US   ((gint64) 1700000000 * G_USEC_PER_SEC)
#define STEP_US    (10 * 1000)
#define N_MESSAGES 20000
#define CAPACITY   400000

typedef struct {
  char       *dir;
  char       *path;
  gint64      session_id;
  gint64      duration_us;
  guint       n_messages;
  SondeStore *reader;
} Fixture;

static gint64
message_offset (guint i)
{
  return (gint64) (i + 2) * STEP_US;
}

static void
add (GArray           *records,
     GPtrArray        *payloads,
     guint64          *seq,
     SondeDirection    direction,
     SondeMessageKind  kind,
     gint64            offset_us,
     char             *text)
{
  SondeRecord r = { 0 };

  r.seq = (*seq)++;
  r.wall_us = START_US + offset_us;
  r.mono_us = offset_us;
  r.direction = direction;
  r.kind = kind;
  r.size = r.stored_size = strlen (text);
  r.data = (const guint8 *) text;
  g_ptr_array_add (payloads, text);
  g_array_append_val (records, r);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  static const char *const syms[] = { "ABC", "XYZ", "QQ" };
  guint64 seq = 0;

  fixture->n_messages = data != NULL ? GPOINTER_TO_UINT (data) : N_MESSAGES;
  fixture->dir = g_dir_make_tmp ("sonde-player-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "rec.sqlite", NULL);
  store = sonde_store_sqlite_open (fixture->path, &error);
  g_assert_no_error (error);


  add (records, payloads, &seq, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CONNECTING, 0, g_strdup ("{\"url\":\"ws://127.0.0.1:9/feed\"}"));
  add (records, payloads, &seq, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, STEP_US, g_strdup ("{}"));
  for (guint i = 0; i < fixture->n_messages; i++)
    {
      /* A sawtooth over 0…99: $.v > 95 becomes true every 100 messages. */
      add (records, payloads, &seq, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, message_offset (i),
           g_strdup_printf ("{\"v\":%u,\"sym\":\"%s\"}", i % 100, syms[i % 3]));
      if (i == fixture->n_messages / 2)
        add (records, payloads, &seq, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, message_offset (i), g_strdup ("{\"op\":\"ping\"}"));
    }
  fixture->duration_us = message_offset (fixture->n_messages) + STEP_US;
  add (records, payloads, &seq, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE, message_offset (fixture->n_messages),
       g_strdup ("{\"close_code\":1011,\"close_reason\":\"gone\",\"requested\":false}"));

  g_assert_true (sonde_store_begin_session (SONDE_STORE (store), NULL, NULL, "ws://127.0.0.1:9/feed", START_US,
                                            &fixture->session_id, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_append (SONDE_STORE (store), fixture->session_id,
                                     (const SondeRecord *) records->data, records->len, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_end_session (SONDE_STORE (store), fixture->session_id,
                                          START_US + fixture->duration_us, 1011, "gone",
                                          SONDE_STORE_ENDED_BY_SERVER, &error));
  g_assert_no_error (error);

  fixture->reader = SONDE_STORE (sonde_store_sqlite_open_reader (fixture->path, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->reader);
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* History's page: the recording read into a connection's log. */
static gboolean
append_to_log (const SondeRecord *record,
               gpointer           user_data)
{
  sonde_message_log_append_full (user_data, record->direction, record->kind, record->flags,
                                 record->wall_us, record->mono_us, record->data, record->stored_size);
  return TRUE;
}

static void
rebuild (Fixture         *fixture,
         SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  g_autoptr(GError) error = NULL;

  sonde_message_log_begin_batch (log);
  g_assert_true (sonde_store_read_records (fixture->reader, fixture->session_id, 0, append_to_log, log, &error));
  g_assert_no_error (error);
  sonde_message_log_end_batch (log);
}

static gboolean
doubles_equal (double a,
               double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

static void
assert_series_equal (SondeSeries *a,
                     SondeSeries *b)
{
  enum { N_COLUMNS = 997 };
  g_autofree SondeSeriesColumn *ca = g_new0 (SondeSeriesColumn, N_COLUMNS);
  g_autofree SondeSeriesColumn *cb = g_new0 (SondeSeriesColumn, N_COLUMNS);
  SondeSeriesStats sa, sb;
  gint64 first_a, last_a, first_b, last_b;
  guint na, nb;

  g_assert_true (sonde_series_get_time_range (a, &first_a, &last_a));
  g_assert_true (sonde_series_get_time_range (b, &first_b, &last_b));
  g_assert_cmpint (first_a, ==, first_b);
  /* The replay's series ends with the gap of the close (never drawn, never
   * counted): the values end at the same time. */
  sonde_series_get_stats (a, first_a, last_a + 1, &sa);
  sonde_series_get_stats (b, first_a, last_a + 1, &sb);
  g_assert_cmpuint (sa.count, >, 0);
  g_assert_cmpuint (sa.count, ==, sb.count);
  g_assert_cmpfloat (sa.min, ==, sb.min);
  g_assert_cmpfloat (sa.max, ==, sb.max);
  g_assert_cmpfloat (sa.mean, ==, sb.mean);
  g_assert_cmpfloat (sa.last, ==, sb.last);
  g_assert_cmpint (sa.last_time_us, ==, sb.last_time_us);

  na = sonde_series_reduce (a, first_a, last_a + 1, N_COLUMNS, ca);
  nb = sonde_series_reduce (b, first_a, last_a + 1, N_COLUMNS, cb);
  g_assert_cmpuint (na, ==, nb);
  for (guint i = 0; i < na; i++)
    {
      g_assert_cmpint (ca[i].start_us, ==, cb[i].start_us);
      g_assert_cmpuint (ca[i].n_points, ==, cb[i].n_points);
      g_assert_true (doubles_equal (ca[i].min, cb[i].min));
      g_assert_true (doubles_equal (ca[i].max, cb[i].max));
      g_assert_true (doubles_equal (ca[i].first, cb[i].first));
      g_assert_true (doubles_equal (ca[i].last, cb[i].last));
      g_assert_cmpint (ca[i].gap_before, ==, cb[i].gap_before);
      g_assert_cmpint (ca[i].gap_inside, ==, cb[i].gap_inside);
    }
}

static gboolean
player_ended (gpointer data)
{
  SondeSessionPlayerState state = sonde_session_player_get_state (data);

  return state == SONDE_SESSION_PLAYER_ENDED || state == SONDE_SESSION_PLAYER_FAILED;
}

static gboolean
player_settled (gpointer data)
{
  return !sonde_session_player_get_seeking (data);
}

/* The longest the main loop went without running a default-priority
 * timeout, while the player appends at its fastest. */
typedef struct {
  gint64 last_us;
  gint64 longest_us;
  guint  ticks;
} Watch;

static gboolean
on_watch (gpointer data)
{
  Watch *watch = data;
  gint64 now = g_get_monotonic_time ();

  if (watch->last_us != 0)
    watch->longest_us = MAX (watch->longest_us, now - watch->last_us);
  watch->last_us = now;
  watch->ticks++;
  return G_SOURCE_CONTINUE;
}

static SondeSessionPlayer *
new_player (Fixture      *fixture,
            SondeSession *session)
{
  g_autoptr(GError) error = NULL;
  SondeSessionPlayer *player = sonde_session_player_new (session, fixture->reader, fixture->session_id, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (player);
  g_assert_cmpint (sonde_session_player_get_duration (player), ==, fixture->duration_us);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  return player;
}

/* In-window replay: the series of a replayed session equal those rebuilt
 * from the recording, a plain one and one split by a field. */
static void
test_series_equal (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeSeriesFeed) feed = sonde_series_feed_new (connection);
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeSessionPlayer) player = NULL;
  g_autoptr(GError) error = NULL;
  SondeSeries *rebuilt, *replayed;
  SondeSeriesSplit *rebuilt_split, *replayed_split;
  SondeStats stats;
  Watch watch = { 0 };
  gint64 began, elapsed;
  guint watch_id;

  rebuilt = sonde_series_feed_add (feed, "$.v", NULL, NULL, CAPACITY, &error);
  g_assert_no_error (error);
  rebuilt_split = sonde_series_feed_add_split (feed, "$.v", "$.v >= 10", "$.sym", NULL, CAPACITY, &error);
  g_assert_no_error (error);
  rebuild (fixture, connection);

  replayed = sonde_series_feed_add (sonde_session_get_feed (session), "$.v", NULL, NULL, CAPACITY, &error);
  g_assert_no_error (error);
  replayed_split = sonde_series_feed_add_split (sonde_session_get_feed (session), "$.v", "$.v >= 10", "$.sym",
                                                NULL, CAPACITY, &error);
  g_assert_no_error (error);
  player = new_player (fixture, session);
  sonde_session_player_set_speed (player, SONDE_SESSION_PLAYER_SPEED_MAX);

  watch_id = g_timeout_add (5, on_watch, &watch);
  began = g_get_monotonic_time ();
  sonde_session_player_play (player);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PLAYING);
  g_assert_true (sonde_test_wait_for (player_ended, player, 30000));
  elapsed = g_get_monotonic_time () - began;
  g_source_remove (watch_id);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_ENDED);
  g_assert_cmpint (sonde_session_player_get_position (player), ==, fixture->duration_us);
  /* As fast as possible, and the main loop kept running. */
  g_test_message ("%u records at max speed in %" G_GINT64_FORMAT " µs; longest main-loop stall %"
                  G_GINT64_FORMAT " µs, %u ticks", fixture->n_messages + 4, elapsed, watch.longest_us, watch.ticks);
  g_assert_cmpint (watch.longest_us, <, 100 * 1000);
  g_assert_cmpuint (watch.ticks, >=, elapsed / (100 * 1000));

  /* The log as live: every record, the totals, how it ended. */
  g_assert_cmpuint (sonde_message_log_get_n_records (sonde_session_get_log (session)), ==,
                    sonde_message_log_get_n_records (sonde_connection_get_log (connection)));
  sonde_connection_get_stats (sonde_session_get_connection (session), &stats);
  g_assert_cmpuint (stats.messages_in, ==, fixture->n_messages);
  g_assert_cmpuint (stats.messages_out, ==, 1);
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_false (sonde_session_get_recording (session));

  assert_series_equal (replayed, rebuilt);
  g_assert_cmpuint (sonde_series_split_get_n_series (replayed_split), ==, 3);
  g_assert_cmpuint (sonde_series_split_get_n_series (replayed_split), ==,
                    sonde_series_split_get_n_series (rebuilt_split));
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (sonde_series_split_get_key (replayed_split, i), ==,
                       sonde_series_split_get_key (rebuilt_split, i));
      assert_series_equal (sonde_series_split_get_series (replayed_split, i),
                           sonde_series_split_get_series (rebuilt_split, i));
    }

  /* Played again from the start (play after the end): the same series. */
  sonde_session_player_play (player);
  g_assert_true (sonde_test_wait_for (player_ended, player, 30000));
  assert_series_equal (replayed, rebuilt);

  g_clear_object (&player);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static guint
messages_until (gint64 offset_us)
{
  guint n = 0;

  for (guint i = 0; i < N_MESSAGES; i++)
    n += message_offset (i) <= offset_us;
  return n;
}

static guint
count_in (SondeSession *session)
{
  SondeStats stats;

  sonde_connection_get_stats (sonde_session_get_connection (session), &stats);
  return (guint) stats.messages_in;
}

static gboolean
position_past (gpointer data)
{
  return sonde_session_player_get_position (data) > 2 * G_USEC_PER_SEC;
}

/* Pause holds the log and the position; resume goes on; a seek back
 * rebuilds the log and series up to the position, a seek forward goes on
 * from where it is; a speed is kept (100×: 200 s of recording in ~2 s). */
static void
test_pause_seek (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeSessionPlayer) player = NULL;
  g_autoptr(GError) error = NULL;
  SondeSeries *series;
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeSeriesStats stats;
  gint64 position, began;
  guint64 first_seq;
  guint n;

  series = sonde_series_feed_add (sonde_session_get_feed (session), "$.v", NULL, NULL, CAPACITY, &error);
  g_assert_no_error (error);
  player = new_player (fixture, session);
  g_assert_cmpfloat (sonde_session_player_get_speed (player), ==, 1);
  sonde_session_player_set_speed (player, 100);

  began = g_get_monotonic_time ();
  sonde_session_player_play (player);
  g_assert_true (sonde_test_wait_for (position_past, player, 10000));
  sonde_session_player_pause (player);
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  position = sonde_session_player_get_position (player);
  n = count_in (session);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <=, messages_until (position));
  sonde_test_spin (300);
  g_assert_cmpint (sonde_session_player_get_position (player), ==, position);
  g_assert_cmpuint (count_in (session), ==, n);

  sonde_session_player_play (player);
  g_assert_true (sonde_test_wait_for (player_ended, player, 20000));
  /* 200 s at 100× (plus 0.3 s paused): about 2 s; bounds, not a time. */
  g_test_message ("200 s at 100x took %.2f s", (double) (g_get_monotonic_time () - began) / G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - began, >, 1500 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - began, <, 15 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_in (session), ==, N_MESSAGES);

  /* Back to 50 s, paused: the log and series from the start up to it. */
  sonde_session_player_seek (player, 50 * G_USEC_PER_SEC);
  g_assert_true (sonde_test_wait_for (player_settled, player, 20000));
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);
  g_assert_cmpint (sonde_session_player_get_position (player), ==, 50 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_in (session), ==, messages_until (50 * G_USEC_PER_SEC));
  /* connecting, open, the messages, the one sent past the middle: none yet */
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 2 + messages_until (50 * G_USEC_PER_SEC));
  sonde_series_get_stats (series, 0, G_MAXINT64, &stats);
  g_assert_cmpuint (stats.count, ==, messages_until (50 * G_USEC_PER_SEC));
  g_assert_cmpint (stats.last_time_us, <=, START_US + 50 * G_USEC_PER_SEC);

  /* Forward to 150 s: goes on, nothing rebuilt. */
  first_seq = sonde_message_log_get_first_seq (log);
  sonde_session_player_seek (player, 150 * G_USEC_PER_SEC);
  g_assert_true (sonde_test_wait_for (player_settled, player, 20000));
  g_assert_cmpuint (sonde_message_log_get_first_seq (log), ==, first_seq);
  g_assert_cmpuint (count_in (session), ==, messages_until (150 * G_USEC_PER_SEC));
  g_assert_cmpuint (sonde_message_log_get_n_records (log), ==, 3 + messages_until (150 * G_USEC_PER_SEC));
  sonde_series_get_stats (series, 0, G_MAXINT64, &stats);
  g_assert_cmpuint (stats.count, ==, messages_until (150 * G_USEC_PER_SEC));
  g_assert_cmpint (sonde_session_player_get_state (player), ==, SONDE_SESSION_PLAYER_PAUSED);

  /* Seeking while playing plays on from there. */
  sonde_session_player_set_speed (player, SONDE_SESSION_PLAYER_SPEED_MAX);
  sonde_session_player_play (player);
  sonde_session_player_seek (player, 10 * G_USEC_PER_SEC);
  g_assert_true (sonde_test_wait_for (player_ended, player, 30000));
  g_assert_cmpuint (count_in (session), ==, N_MESSAGES);
  sonde_series_get_stats (series, 0, G_MAXINT64, &stats);
  g_assert_cmpuint (stats.count, ==, N_MESSAGES);

  g_clear_object (&player);
  g_assert_finalize_object (g_steal_pointer (&session));
}

typedef struct {
  guint  alerts;
  guint  thresholds;
  guint  drops;
} Alerts;

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          Alerts        *alerts)
{
  alerts->alerts++;
  if (g_str_has_prefix (title, "$.v"))
    alerts->thresholds++;
  else
    alerts->drops++;
}

static void
add_rules (SondeNotifier *notifier)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_notifier_add_threshold (notifier, "$.v", ">", 95, &error));
  g_assert_no_error (error);
  sonde_notifier_set_drops (notifier, TRUE);
  /* Every crossing alerts, none held back. */
  sonde_notifier_set_cooldown (notifier, 0);
}

/* A notification rule fires during a replay as it would live: the same
 * alerts as a notifier over the records appended as the link does. */
static void
test_notifier (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(SondeNotifier) live = sonde_notifier_new (connection);
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeSessionPlayer) player = NULL;
  Alerts expected = { 0 };
  Alerts got = { 0 };

  add_rules (live);
  g_signal_connect (live, "alert", G_CALLBACK (on_alert), &expected);
  rebuild (fixture, connection);
  g_assert_cmpuint (expected.thresholds, ==, N_MESSAGES / 100);
  g_assert_cmpuint (expected.drops, ==, 1);

  add_rules (sonde_session_get_notifier (session));
  g_signal_connect (sonde_session_get_notifier (session), "alert", G_CALLBACK (on_alert), &got);
  player = new_player (fixture, session);
  sonde_session_player_set_speed (player, SONDE_SESSION_PLAYER_SPEED_MAX);
  sonde_session_player_play (player);
  g_assert_true (sonde_test_wait_for (player_ended, player, 30000));
  g_assert_cmpuint (got.thresholds, ==, expected.thresholds);
  g_assert_cmpuint (got.drops, ==, expected.drops);

  g_clear_object (&player);
  g_assert_finalize_object (g_steal_pointer (&session));
}

/* A session that is not in the store: an error, no player. */
static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeSessionPlayer) player = sonde_session_player_new (session, fixture->reader, fixture->session_id + 99,
                                                                   NULL, &error);

  g_assert_null (player);
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/session-player/series-equal-rebuilt", Fixture, NULL, fixture_setup, test_series_equal, fixture_teardown);
  /* Long enough to take many main-loop iterations at max speed. */
  g_test_add ("/session-player/series-equal-rebuilt-long", Fixture, GUINT_TO_POINTER (300000), fixture_setup,
              test_series_equal, fixture_teardown);
  g_test_add ("/session-player/pause-seek", Fixture, NULL, fixture_setup, test_pause_seek, fixture_teardown);
  g_test_add ("/session-player/notifier", Fixture, NULL, fixture_setup, test_notifier, fixture_teardown);
  g_test_add ("/session-player/missing", Fixture, NULL, fixture_setup, test_missing, fixture_teardown);
  return g_test_run ();
}
