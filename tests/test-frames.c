/* test-frames.c: pings, pongs, frames and bounded messages, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SondeConnection against real peers on 127.0.0.1: ping_peer.py (Python
 * `websockets`) and ping-peer.js (Node `ws`) ping us with payloads and send
 * an unsolicited pong, or flood us with 10,000 pings; fault_server.py sends
 * a message of 1,000 one-byte fragments, a 100 MiB message in 64 KiB
 * fragments, and a permessage-deflate frame of ~1 MB that inflates to
 * 1 GiB. What is asserted is what the log shows: PING and PONG records with
 * their payloads and flags, the flood counted in summary events, FRAME
 * records and each message's frames, the close with 1009 and how far the
 * message had grown, and the process's peak resident memory.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-connection.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS        60000
#define LIMIT          ((guint64) 1024 * 1024)
/* The goal for a 100 MiB message or a 1 GiB bomb against a 1 MiB
 * limit: peak resident memory grows by less than this. */
#define MEMORY_BUDGET  ((guint64) 64 * 1024 * 1024)
#define FLOOD          10000
#define SHOWN_PER_S    50

/* The peers' pings (tests/servers/ping_peer.py, ping-peer.js). */
static const struct {
  const char *bytes;
  gsize       length;
} peer_pings[] = {
  { "p1", 2 },
  { "\x00\xff\x01\x02", 4 },
  { "01234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "012345678901234567890123456789012345678901234", 125 },
};

/* Memory: the peak resident size since a mark; where the peak cannot be
 * reset, the peak so far. */
static guint64
memory_mark (void)
{
  guint64 mark = sonde_test_memory_mark ();

  return mark != 0 ? mark : sonde_test_memory_status ("VmHWM:");
}

/* The goal is a growth below MEMORY_BUDGET. */
#define assert_peak_growth(before) sonde_test_assert_peak_growth ((before), MEMORY_BUDGET - 1)

/* The log */

static guint
count (SondeConnection  *connection,
       SondeDirection    direction,
       SondeMessageKind  kind)
{
  return sonde_test_count_records (connection, direction, kind);
}

/* The first record of @direction and @kind from index @from on whose
 * payload is @bytes (any payload when NULL); its index, or -1. */
static int
find_record (SondeConnection  *connection,
             guint             from,
             SondeDirection    direction,
             SondeMessageKind  kind,
             const char       *bytes,
             gsize             length,
             SondeRecord      *out)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = from; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != direction || record.kind != kind)
        continue;
      if (bytes != NULL && (record.size != length || memcmp (record.data, bytes, length) != 0))
        continue;
      if (out != NULL)
        *out = record;
      return (int) i;
    }
  return -1;
}

static gboolean
has_text_in (SondeConnection *connection,
             const char      *text)
{
  return find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, text, strlen (text), NULL) >= 0;
}

/* The last event of @kind, parsed, or NULL. */
static JsonObject *
last_event (SondeConnection  *connection,
            SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = sonde_message_log_get_n_records (log); i-- > 0;)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_EVENT && record.kind == kind)
        return sonde_test_parse_record (&record);
    }
  return NULL;
}

/* The connection */

static SondeConnection *
connection_new (guint64 limit,
                gboolean deflate)
{
  SondeConnection *connection = sonde_connection_new ();

  sonde_connection_set_max_message_size (connection, limit);
  sonde_connection_set_deflate (connection, deflate);
  sonde_connection_set_handshake_timeout (connection, 20000);
  /* Our keepalive pings would add PING records of their own. */
  sonde_connection_set_keepalive (connection, 0);
  return connection;
}

static void
connect_to (SondeConnection *connection,
            SondeTestPeer   *peer,
            const char      *path)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u%s", sonde_test_peer_get_port (peer), path);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, &error));
  g_assert_no_error (error);
}

static void
close_and_finish (SondeConnection *connection)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  if (state == SONDE_CONNECTION_STATE_OPEN || state == SONDE_CONNECTION_STATE_WAITING)
    g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
}

static void
stop_peer (SondeTestPeer *peer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_test_peer_stop (peer, &error));
  g_assert_no_error (error);
  sonde_test_peer_free (peer);
}

static SondeTestPeer *
start_ping_peer (SondeTestPeerKind kind)
{
  g_autoptr(GError) error = NULL;
  SondeTestPeer *peer;

  peer = sonde_test_peer_start_kind_script (kind, kind == SONDE_TEST_PEER_NODE ? "ping-peer.js" : "ping_peer.py",
                                            NULL, &error);
  g_assert_no_error (error);
  return peer;
}

static SondeTestPeer *
start_fault_server (void)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--lifetime", "240", NULL };
  SondeTestPeer *peer = sonde_test_peer_start_script ("fault_server.py", args, &error);

  g_assert_no_error (error);
  return peer;
}

/* 1. Pings and pongs as records */

/* The peer's pings, in with their payloads and not automatic, each
 * answered by our automatic pong with the same payload after it; its
 * unsolicited pong in, unmatched; our own ping out, not automatic, and
 * its pong in, matched. */
static void
test_pings (gconstpointer data)
{
  SondeTestPeerKind kind = GPOINTER_TO_INT (data);
  SondeTestPeer *peer = start_ping_peer (kind);
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, FALSE);
  g_autoptr(GError) error = NULL;
  SondeStats stats;
  SondeRecord record;
  int ping_at, pong_at, done_at;
  guint n_pongs_seen = 0;

  connect_to (connection, peer, "/");
  SONDE_TEST_ASSERT_WAIT (has_text_in (connection, "done") || sonde_test_connection_is_final (connection), WAIT_MS);
  sonde_test_dump_events (connection, 400);
  g_assert_true (has_text_in (connection, "done"));

  for (guint i = 0; i < G_N_ELEMENTS (peer_pings); i++)
    {
      ping_at = find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING,
                             peer_pings[i].bytes, peer_pings[i].length, &record);
      g_assert_cmpint (ping_at, >=, 0);
      g_assert_false (record.flags & SONDE_RECORD_FLAG_AUTOMATIC);
      g_assert_false (record.flags & SONDE_RECORD_FLAG_UNMATCHED);
      /* Our pong carries the same payload, after the ping (the log is in
       * wire order). */
      SONDE_TEST_ASSERT_WAIT (find_record (connection, 0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG,
                                           peer_pings[i].bytes, peer_pings[i].length, NULL) >= 0, WAIT_MS);
      pong_at = find_record (connection, 0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG,
                             peer_pings[i].bytes, peer_pings[i].length, &record);
      g_assert_true (record.flags & SONDE_RECORD_FLAG_AUTOMATIC);
      g_assert_false (record.flags & SONDE_RECORD_FLAG_UNMATCHED);
      g_assert_cmpint (pong_at, >, ping_at);
    }
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING), ==, G_N_ELEMENTS (peer_pings));
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG), ==, G_N_ELEMENTS (peer_pings));

  /* The unsolicited pong, before "done". */
  pong_at = find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG, "nobody-asked", 12, &record);
  done_at = find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "done", 4, NULL);
  g_assert_cmpint (pong_at, >=, 0);
  g_assert_cmpint (pong_at, <, done_at);
  g_assert_true (record.flags & SONDE_RECORD_FLAG_UNMATCHED);
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG), ==, 1);

  /* Our own ping: not automatic; the peer's pong answers it. */
  g_assert_true (sonde_connection_send_ping (connection, (const guint8 *) "abc", 3, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG, "abc", 3, NULL) >= 0,
                          WAIT_MS);
  ping_at = find_record (connection, 0, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PING, "abc", 3, &record);
  g_assert_cmpint (ping_at, >=, 0);
  g_assert_false (record.flags & SONDE_RECORD_FLAG_AUTOMATIC);
  pong_at = find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG, "abc", 3, &record);
  g_assert_cmpint (pong_at, >, ping_at);
  g_assert_false (record.flags & SONDE_RECORD_FLAG_UNMATCHED);
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PING), ==, 1);

  /* The frames, counted: in, 3 pings, 1 pong, "done", the pong to ours;
   * out, 3 pongs and our ping (the Close frames come later). */
  sonde_connection_get_stats (connection, &stats);
  g_assert_cmpuint (stats.control_in, ==, 5);
  g_assert_cmpuint (stats.frames_in, ==, 6);
  g_assert_cmpuint (stats.control_out, ==, 4);

  close_and_finish (connection);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 1000);

  /* What the peer saw: our three pongs, with its payloads. */
  while (TRUE)
    {
      g_autofree char *line = sonde_test_peer_read_line (peer, WAIT_MS, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "\"event\":\"closed\"") != NULL)
        {
          g_assert_nonnull (strstr (line, "\"matched\":3"));
          break;
        }
      if (strstr (line, "\"event\":\"pong\"") != NULL)
        n_pongs_seen++;
    }
  g_assert_cmpuint (n_pongs_seen, ==, 3);
  stop_peer (peer);
}

/* The pings of a flood shown, and the ones not shown, in one direction:
 * from the PING records and the summary events. */
static void
flood_counts (SondeConnection *connection,
              const char      *direction,
              guint           *records,
              gint64          *pings,
              gint64          *pongs,
              guint           *events)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  SondeDirection dir = g_str_equal (direction, "in") ? SONDE_DIRECTION_IN : SONDE_DIRECTION_OUT;

  *records = 0;
  *pings = *pongs = 0;
  *events = 0;
  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == dir && record.kind == SONDE_MESSAGE_KIND_PING)
        (*records)++;
      else if (record.direction == SONDE_DIRECTION_EVENT && record.kind == SONDE_MESSAGE_KIND_PING)
        {
          g_autoptr(JsonObject) event = sonde_test_parse_record (&record);

          if (!g_str_equal (json_object_get_string_member (event, "direction"), direction))
            continue;
          g_assert_cmpint (json_object_get_int_member (event, "shown_per_second"), ==, SHOWN_PER_S);
          *pings += json_object_get_int_member (event, "pings");
          *pongs += json_object_get_int_member (event, "pongs");
          (*events)++;
        }
    }
}

static gboolean
flood_counted (SondeConnection *connection)
{
  guint records, events;
  gint64 pings, pongs;

  flood_counts (connection, "in", &records, &pings, &pongs, &events);
  return records + pings >= FLOOD;
}

/* 10,000 pings: at most ~50 records a second, the rest counted in summary
 * events; records and counts add up to 10,000. */
static void
test_ping_flood (gconstpointer data)
{
  SondeTestPeerKind kind = GPOINTER_TO_INT (data);
  SondeTestPeer *peer = start_ping_peer (kind);
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, FALSE);
  gint64 started = g_get_monotonic_time ();
  guint records, events;
  gint64 pings, pongs;
  double seconds;

  connect_to (connection, peer, "/flood");
  SONDE_TEST_ASSERT_WAIT (has_text_in (connection, "done") || sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_true (has_text_in (connection, "done"));
  /* The last second's pings are counted within a second. */
  SONDE_TEST_ASSERT_WAIT (flood_counted (connection), 5000);
  seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;

  flood_counts (connection, "in", &records, &pings, &pongs, &events);
  g_test_message ("flood in %.1f s: %u ping records, %" G_GINT64_FORMAT " pings counted in %u events",
                  seconds, records, pings, events);
  g_assert_cmpuint (records + pings, ==, FLOOD);
  g_assert_cmpint (pongs, ==, 0);
  g_assert_cmpuint (events, >=, 1);
  g_assert_cmpuint (records, >=, SHOWN_PER_S);
  g_assert_cmpuint (records, <=, SHOWN_PER_S * ((guint) seconds + 2));

  /* Our pongs, the same way. */
  close_and_finish (connection);
  flood_counts (connection, "out", &records, &pings, &pongs, &events);
  g_test_message ("our pongs: %u records of PONG out, %" G_GINT64_FORMAT " counted",
                  count (connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG), pongs);
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG), <=,
                    SHOWN_PER_S * ((guint) seconds + 2));
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG) + pongs, ==, FLOOD);
  stop_peer (peer);
}

/* 2. Frames */

/* 1,000 one-byte fragments: the message whole, FRAGMENTED, its 1,000
 * frames kept; with frames shown, 1,000 FRAME records before it. */
static void
test_fragments (gconstpointer data)
{
  gboolean show = GPOINTER_TO_INT (data);
  SondeTestPeer *server = start_fault_server ();
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, FALSE);
  SondeMessageLog *log = sonde_connection_get_log (connection);
  const SondeFrameInfo *frames;
  SondeRecord record;
  SondeStats stats;
  guint n_frames = 0;
  guint frames_before = 0;
  int at;

  sonde_connection_set_show_frames (connection, show);
  connect_to (connection, server, "/fragmented?size=1000&chunk=1");
  SONDE_TEST_ASSERT_WAIT (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT) == 1 ||
                          sonde_test_connection_is_final (connection), WAIT_MS);
  sonde_test_dump_events (connection, 400);

  at = find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, NULL, 0, &record);
  g_assert_cmpint (at, >=, 0);
  g_assert_cmpuint (record.size, ==, 1000);
  for (gsize i = 0; i < record.stored_size; i++)
    g_assert_cmpint (record.data[i], ==, 'a');
  g_assert_true (record.flags & SONDE_RECORD_FLAG_FRAGMENTED);
  g_assert_false (record.flags & SONDE_RECORD_FLAG_COMPRESSED);

  frames = sonde_message_log_get_frames (log, record.seq, &n_frames);
  g_assert_cmpuint (n_frames, ==, 1000);
  g_assert_nonnull (frames);
  for (guint i = 0; i < n_frames; i++)
    {
      g_assert_cmpuint (frames[i].size, ==, 1);
      g_assert_cmpuint (frames[i].opcode, ==, i == 0 ? 0x1 : 0x0);
      g_assert_cmpint ((frames[i].bits & SONDE_FRAME_FIN) != 0, ==, i == n_frames - 1);
      g_assert_false (frames[i].bits & (SONDE_FRAME_RSV1 | SONDE_FRAME_MASKED));
    }

  for (int i = 0; i < at; i++)
    {
      SondeRecord frame;

      g_assert_true (sonde_message_log_get_record (log, (guint) i, &frame));
      if (frame.direction == SONDE_DIRECTION_IN && frame.kind == SONDE_MESSAGE_KIND_FRAME)
        {
          g_autoptr(JsonObject) header = sonde_test_parse_record (&frame);

          g_assert_cmpstr (json_object_get_string_member (header, "opcode"), ==,
                           frames_before == 0 ? "text" : "continuation");
          g_assert_cmpint (json_object_get_int_member (header, "size"), ==, 1);
          g_assert_cmpint (json_object_get_boolean_member (header, "fin"), ==, frames_before == 999);
          g_assert_false (json_object_get_boolean_member (header, "rsv1"));
          g_assert_false (json_object_get_boolean_member (header, "masked"));
          frames_before++;
        }
    }
  g_assert_cmpuint (frames_before, ==, show ? 1000 : 0);
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_FRAME), ==, show ? 1000 : 0);

  sonde_connection_get_stats (connection, &stats);
  g_assert_cmpuint (stats.frames_in, ==, 1000);
  g_assert_cmpuint (stats.control_in, ==, 0);

  close_and_finish (connection);
  stop_peer (server);
}

/* 3. Every message bounded */

static void
assert_closed_1009 (SondeConnection *connection,
                    gboolean         sizes)
{
  g_autoptr(JsonObject) close_event = last_event (connection, SONDE_MESSAGE_KIND_CLOSE);
  g_autoptr(JsonObject) error = last_event (connection, SONDE_MESSAGE_KIND_ERROR);

  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 1009);
  g_assert_nonnull (close_event);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1009);
  g_assert_nonnull (error);
  if (sizes)
    {
      g_assert_true (json_object_has_member (error, "message_size"));
      g_assert_cmpint (json_object_get_int_member (error, "message_size"), >, (gint64) LIMIT);
      g_assert_cmpint (json_object_get_int_member (error, "limit"), ==, (gint64) LIMIT);
    }
  /* Nothing of the message reached the log. */
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT), ==, 0);
  g_assert_cmpuint (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY), ==, 0);
}

/* 100 MiB in 64 KiB fragments against a 1 MiB limit. */
static void
test_fragmented_past_limit (void)
{
  SondeTestPeer *server = start_fault_server ();
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, FALSE);
  guint64 before;

  before = memory_mark ();
  connect_to (connection, server, "/fragmented?size=104857600&chunk=65536");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  sonde_test_dump_events (connection, 400);
  assert_peak_growth (before);
  assert_closed_1009 (connection, TRUE);
  stop_peer (server);
}

/* One frame of ~1 MB (under the limit) that inflates to 1 GiB of zeros. */
static void
test_deflate_bomb (void)
{
  SondeTestPeer *server = start_fault_server ();
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, TRUE);
  guint64 before;

  before = memory_mark ();
  connect_to (connection, server, "/deflate-zeros?size=1073741824");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  sonde_test_dump_events (connection, 400);
  g_assert_nonnull (sonde_connection_get_handshake (connection));
  assert_peak_growth (before);
  assert_closed_1009 (connection, TRUE);
  stop_peer (server);
}

/* The contrast: a compressed message within the limit arrives whole, as
 * COMPRESSED, its one frame with RSV1. */
static void
test_compressed (void)
{
  SondeTestPeer *server = start_fault_server ();
  g_autoptr(SondeConnection) connection = connection_new (LIMIT, TRUE);
  const SondeFrameInfo *frames;
  SondeRecord record;
  guint n_frames = 0;

  connect_to (connection, server, "/deflate-zeros?size=100000");
  SONDE_TEST_ASSERT_WAIT (count (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY) == 1 ||
                          sonde_test_connection_is_final (connection), WAIT_MS);
  sonde_test_dump_events (connection, 400);
  g_assert_cmpint (find_record (connection, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, NULL, 0, &record), >=, 0);
  g_assert_cmpuint (record.size, ==, 100000);
  for (gsize i = 0; i < record.stored_size; i++)
    g_assert_cmpint (record.data[i], ==, 0);
  g_assert_true (record.flags & SONDE_RECORD_FLAG_COMPRESSED);
  g_assert_false (record.flags & SONDE_RECORD_FLAG_FRAGMENTED);
  frames = sonde_message_log_get_frames (sonde_connection_get_log (connection), record.seq, &n_frames);
  g_assert_cmpuint (n_frames, ==, 1);
  g_assert_true (frames[0].bits & SONDE_FRAME_RSV1);
  /* What crossed the wire is far smaller than what arrived. */
  g_assert_cmpuint (frames[0].size, <, 1000);

  close_and_finish (connection);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 1000);
  stop_peer (server);
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  for (int kind = 0; kind < SONDE_TEST_PEER_N_KINDS; kind++)
    {
      const char *name = sonde_test_peer_kind_to_string (kind);
      g_autofree char *pings = g_strdup_printf ("/frames/pings/%s", name);
      g_autofree char *flood = g_strdup_printf ("/frames/ping-flood/%s", name);

      g_test_add_data_func (pings, GINT_TO_POINTER (kind), test_pings);
      g_test_add_data_func (flood, GINT_TO_POINTER (kind), test_ping_flood);
    }
  g_test_add_data_func ("/frames/fragments/hidden", GINT_TO_POINTER (FALSE), test_fragments);
  g_test_add_data_func ("/frames/fragments/shown", GINT_TO_POINTER (TRUE), test_fragments);
  g_test_add_func ("/frames/limit/fragmented-100mib", test_fragmented_past_limit);
  g_test_add_func ("/frames/limit/deflate-bomb", test_deflate_bomb);
  g_test_add_func ("/frames/deflate/compressed", test_compressed);

  return g_test_run ();
}
