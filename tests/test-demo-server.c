/* test-demo-server.c: the embedded demo feed, seen by real clients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo server runs on its own thread; the clients are SondeConnections
 * on the test's main context (and, where a client must misbehave, a raw TCP
 * socket).
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "sonde-connection.h"
#include "sonde-demo-server.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000

static const char * const ticker_symbols[] = { "ABC", "XYZ", "SND", "QRX" };

static const struct {
  const char *name;
  double      temperature;
  double      humidity;
} sensor_specs[] = {
  { "greenhouse-1", 24.0, 62.0 },
  { "greenhouse-2", 22.5, 58.0 },
  { "cold-room", 4.0, 80.0 },
};

static SondeConnection *
connect_to (SondeDemoServer *server,
            const char      *path)
{
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autofree char *url = sonde_demo_server_dup_url (server, path);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (connection, url);
  g_assert_true (sonde_connection_connect (connection, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

/* Connects and waits for the handshake to complete. */
static SondeConnection *
connect_open (SondeDemoServer *server,
              const char      *path)
{
  SondeConnection *connection = connect_to (server, path);

  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (connection) != SONDE_CONNECTION_STATE_CONNECTING, WAIT_MS);
  if (sonde_connection_get_error (connection) != NULL)
    g_test_message ("%s: %s", path, sonde_connection_get_error (connection)->message);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_OPEN);
  return connection;
}

/* Closes normally, waits for the end and checks that nothing leaks. */
static void
close_and_finalize (SondeConnection *connection)
{
  if (sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN)
    g_assert_true (sonde_connection_close (connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_finalize_object (connection);
}

static guint
count_incoming (SondeConnection *connection)
{
  SondeStats stats;

  sonde_connection_get_stats (connection, &stats);
  return (guint) stats.messages_in;
}

/* The n-th received message of the log, or FALSE. */
static gboolean
nth_incoming (SondeConnection *connection,
              guint            n,
              SondeRecord     *out)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, out));
      if (out->direction == SONDE_DIRECTION_IN && n-- == 0)
        return TRUE;
    }
  return FALSE;
}

static JsonObject *
parse_object (const SondeRecord *record)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_cmpint (record->kind, ==, SONDE_MESSAGE_KIND_TEXT);
  json_parser_load_from_data (parser, (const char *) record->data, (gssize) record->stored_size, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* Every received message of the log, parsed, in order. */
static GPtrArray *
collect_objects (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == SONDE_DIRECTION_IN)
        g_ptr_array_add (objects, parse_object (&record));
    }
  return objects;
}

/* A number member, asserting that it is one (json-glib reads "12" as an
 * integer and "12.5" as a double). */
static double
number_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  g_assert_true (json_node_get_value_type (node) == G_TYPE_DOUBLE);
  return json_node_get_double (node);
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  return json_node_get_int (node);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  return json_node_get_string (node);
}

static SondeDemoServer *
start_server (double rate)
{
  g_autoptr(SondeDemoServer) server = sonde_demo_server_new ();
  g_autoptr(GError) error = NULL;

  sonde_demo_server_set_rate (server, rate);
  g_assert_true (sonde_demo_server_start (server, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_demo_server_get_port (server), >, 0);
  return g_steal_pointer (&server);
}

static void
test_ticker_fields (void)
{
  g_autoptr(SondeDemoServer) server = start_server (200);
  SondeConnection *connection = connect_open (server, "/ticker");
  g_autoptr(GPtrArray) ticks = NULL;
  gint64 now_ms;

  SONDE_TEST_ASSERT_WAIT (count_incoming (connection) >= 12, WAIT_MS);
  ticks = collect_objects (connection);
  now_ms = g_get_real_time () / 1000;

  for (guint i = 0; i < ticks->len; i++)
    {
      JsonObject *tick = g_ptr_array_index (ticks, i);
      double price = number_member (tick, "price");
      gint64 volume = int_member (tick, "volume");
      gint64 ts = int_member (tick, "ts");

      g_assert_cmpstr (string_member (tick, "type"), ==, "tick");
      /* The symbols take turns, and seq counts the messages from 0. */
      g_assert_cmpstr (string_member (tick, "sym"), ==, ticker_symbols[i % G_N_ELEMENTS (ticker_symbols)]);
      g_assert_cmpint (int_member (tick, "seq"), ==, i);
      g_assert_cmpfloat (price, >, 0);
      g_assert_cmpfloat (price, <, 1000);
      /* Two decimals at most. */
      g_assert_cmpfloat (fabs (price * 100 - round (price * 100)), <, 1e-6);
      g_assert_cmpint (volume, >=, 1);
      g_assert_cmpint (volume, <, 500);
      /* A wall-clock timestamp in milliseconds. */
      g_assert_cmpint (ts, <=, now_ms);
      g_assert_cmpint (ts, >, now_ms - 60 * 1000);
      g_assert_cmpuint (json_object_get_size (tick), ==, 6);
    }

  close_and_finalize (connection);
  g_assert_finalize_object (g_steal_pointer (&server));
}

/* Messages per second between the first and the last message received. */
static double
measured_rate (SondeConnection *connection)
{
  guint n = count_incoming (connection);
  SondeRecord first;
  SondeRecord last;

  g_assert_cmpuint (n, >=, 2);
  g_assert_true (nth_incoming (connection, 0, &first));
  g_assert_true (nth_incoming (connection, n - 1, &last));
  g_assert_cmpint (last.mono_us, >, first.mono_us);
  return (double) (n - 1) * G_USEC_PER_SEC / (double) (last.mono_us - first.mono_us);
}

static void
assert_rate_near (SondeConnection *connection,
                  const char      *label,
                  double           expected)
{
  double rate = measured_rate (connection);

  g_test_message ("%s: %.1f messages/s, expected %.1f", label, rate, expected);
  g_assert_cmpfloat (rate, >=, expected / 2);
  g_assert_cmpfloat (rate, <=, expected * 2);
}

/* The server-wide rate, ?rate= overriding it, and ?rate= values that make no
 * sense falling back to the server-wide rate. Loose bounds: this checks the
 * order of magnitude, not the timer's precision. */
static void
test_ticker_rate (void)
{
  g_autoptr(SondeDemoServer) server = start_server (50);
  SondeConnection *plain = connect_open (server, "/ticker");
  SondeConnection *fast = connect_open (server, "/ticker?rate=250");
  SondeConnection *zero = connect_open (server, "/ticker?rate=0");
  SondeConnection *junk = connect_open (server, "/ticker?rate=fast");

  SONDE_TEST_ASSERT_WAIT (count_incoming (plain) >= 51 && count_incoming (fast) >= 251 &&
                          count_incoming (zero) >= 51 && count_incoming (junk) >= 51, WAIT_MS);

  assert_rate_near (plain, "server rate", 50);
  assert_rate_near (fast, "?rate=250", 250);
  assert_rate_near (zero, "?rate=0", 50);
  assert_rate_near (junk, "?rate=fast", 50);
  g_assert_cmpfloat (measured_rate (fast), >, 2 * measured_rate (plain));

  close_and_finalize (plain);
  close_and_finalize (fast);
  close_and_finalize (zero);
  close_and_finalize (junk);
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_ticker_seed (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  SondeConnection *a = connect_open (server, "/ticker?seed=42&rate=1000");
  SondeConnection *b = connect_open (server, "/ticker?rate=1000&seed=42");
  SondeConnection *other = connect_open (server, "/ticker?seed=43&rate=1000");
  g_autoptr(GPtrArray) ticks_a = NULL;
  g_autoptr(GPtrArray) ticks_b = NULL;
  g_autoptr(GPtrArray) ticks_other = NULL;
  guint n_different = 0;

  SONDE_TEST_ASSERT_WAIT (count_incoming (a) >= 200 && count_incoming (b) >= 200 &&
                          count_incoming (other) >= 200, WAIT_MS);
  ticks_a = collect_objects (a);
  ticks_b = collect_objects (b);
  ticks_other = collect_objects (other);

  for (guint i = 0; i < 200; i++)
    {
      JsonObject *tick_a = g_ptr_array_index (ticks_a, i);
      JsonObject *tick_b = g_ptr_array_index (ticks_b, i);
      JsonObject *tick_other = g_ptr_array_index (ticks_other, i);

      /* Everything but the wall-clock timestamp repeats. */
      g_assert_cmpint (int_member (tick_a, "seq"), ==, int_member (tick_b, "seq"));
      g_assert_cmpstr (string_member (tick_a, "sym"), ==, string_member (tick_b, "sym"));
      g_assert_cmpfloat (number_member (tick_a, "price"), ==, number_member (tick_b, "price"));
      g_assert_cmpint (int_member (tick_a, "volume"), ==, int_member (tick_b, "volume"));

      if (number_member (tick_a, "price") != number_member (tick_other, "price") ||
          int_member (tick_a, "volume") != int_member (tick_other, "volume"))
        n_different++;
    }

  /* Another seed, another sequence. */
  g_assert_cmpuint (n_different, >, 100);

  close_and_finalize (a);
  close_and_finalize (b);
  close_and_finalize (other);
  g_assert_finalize_object (g_steal_pointer (&server));
}

typedef struct {
  SondeConnection *connection;
  guint            next;            /* next incoming message to look at */
  gint64           last_seq;
  gint64           last_seq_of[G_N_ELEMENTS (sensor_specs)];
  gint64           last_ts_of[G_N_ELEMENTS (sensor_specs)];
  guint            n_readings;
  guint            n_spikes;
  guint            n_failed;        /* "temperature": null */
  guint            n_dropouts;      /* a sensor that went quiet, then came back */
} SensorScan;

static guint
sensor_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (sensor_specs); i++)
    if (g_str_equal (name, sensor_specs[i].name))
      return i;
  g_error ("unknown sensor “%s”", name);
  return 0;
}

static void
scan_reading (SensorScan *scan,
              JsonObject *reading)
{
  guint i = sensor_index (string_member (reading, "sensor"));
  gint64 seq = int_member (reading, "seq");
  gint64 ts = int_member (reading, "ts");
  JsonNode *temperature = json_object_get_member (reading, "temperature");
  double humidity = number_member (reading, "humidity");
  double battery = number_member (reading, "battery");

  g_assert_cmpstr (string_member (reading, "type"), ==, "reading");
  g_assert_cmpuint (json_object_get_size (reading), ==, 7);
  g_assert_cmpint (seq, >, scan->last_seq);
  /* The sensors take turns by sequence number, quiet ones included. */
  g_assert_cmpint (seq % (gint64) G_N_ELEMENTS (sensor_specs), ==, i);
  g_assert_cmpfloat (fabs (humidity - sensor_specs[i].humidity), <, 10);
  g_assert_cmpfloat (battery, >=, 3.3);
  g_assert_cmpfloat (battery, <=, 3.7);

  g_assert_nonnull (temperature);
  if (JSON_NODE_HOLDS_NULL (temperature))
    scan->n_failed++;
  else
    {
      double deviation = number_member (reading, "temperature") - sensor_specs[i].temperature;

      /* A reading is either near its sensor's nominal value or a spike far
       * above it: nothing in between. */
      if (deviation > 12)
        scan->n_spikes++;
      else
        g_assert_cmpfloat (fabs (deviation), <, 5);
    }

  if (scan->last_seq_of[i] >= 0 && seq - scan->last_seq_of[i] > (gint64) G_N_ELEMENTS (sensor_specs))
    {
      gint64 quiet_ms = ts - scan->last_ts_of[i];

      /* Readings were skipped: only a dropout does that, and a dropout
       * lasts 2 to 5 s. */
      g_test_message ("%s was quiet for %" G_GINT64_FORMAT " ms (seq %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                      sensor_specs[i].name, quiet_ms, scan->last_seq_of[i], seq);
      g_assert_cmpint (quiet_ms, >=, 2000);
      g_assert_cmpint (quiet_ms, <, 5000 + 2000);
      scan->n_dropouts++;
    }

  scan->last_seq = seq;
  scan->last_seq_of[i] = seq;
  scan->last_ts_of[i] = ts;
  scan->n_readings++;
}

static gboolean
scan_sensors (gpointer data)
{
  SensorScan *scan = data;
  SondeRecord record;

  while (nth_incoming (scan->connection, scan->next, &record))
    {
      g_autoptr(JsonObject) reading = parse_object (&record);

      scan_reading (scan, reading);
      scan->next++;
    }

  return scan->n_readings >= 1000 && scan->n_spikes >= 3 && scan->n_failed >= 3 && scan->n_dropouts >= 1;
}

/* The code promises spikes (1 %), failed readings (1 %) and dropouts of 2 to
 * 5 s (0.5 % of readings start one): a fast seeded run shows all three. */
static void
test_sensors (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  SensorScan scan = { 0 };

  scan.last_seq = -1;
  for (guint i = 0; i < G_N_ELEMENTS (sensor_specs); i++)
    scan.last_seq_of[i] = -1;

  scan.connection = connect_open (server, "/sensors?seed=7&rate=1000");
  if (!sonde_test_wait_for (scan_sensors, &scan, 20000))
    g_error ("after %u readings: %u spikes, %u failed, %u dropouts",
             scan.n_readings, scan.n_spikes, scan.n_failed, scan.n_dropouts);

  g_test_message ("%u readings: %u spikes, %u failed, %u dropouts",
                  scan.n_readings, scan.n_spikes, scan.n_failed, scan.n_dropouts);

  close_and_finalize (g_steal_pointer (&scan.connection));
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
assert_incoming (SondeConnection  *connection,
                 guint             n,
                 SondeMessageKind  kind,
                 const void       *data,
                 gsize             size)
{
  SondeRecord record;

  g_assert_true (nth_incoming (connection, n, &record));
  g_assert_cmpint (record.kind, ==, kind);
  g_assert_cmpuint (record.size, ==, size);
  g_assert_cmpmem (record.data, record.stored_size, data, size);
}

static void
test_echo (void)
{
  static const guint8 binary[] = { 0x00, 'a', 0x00, 0xff, 0x00 };
  g_autoptr(SondeDemoServer) server = start_server (20);
  SondeConnection *connection = connect_open (server, "/echo");
  g_autoptr(GBytes) bytes = g_bytes_new_static (binary, sizeof binary);
  g_autoptr(GByteArray) big = g_byte_array_sized_new (1024 * 1024);
  g_autoptr(GBytes) big_bytes = NULL;
  g_autoptr(GError) error = NULL;

  /* 1 MiB: above libsoup's 128 KiB default limit for incoming messages. */
  g_byte_array_set_size (big, 1024 * 1024);
  for (guint i = 0; i < big->len; i++)
    big->data[i] = (guint8) (i % 251);
  big_bytes = g_bytes_new (big->data, big->len);

  g_assert_true (sonde_connection_send_text (connection, "héllo ✓", -1, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_connection_send_binary (connection, bytes, &error));
  g_assert_true (sonde_connection_send_text (connection, "", 0, &error));
  g_assert_true (sonde_connection_send_binary (connection, big_bytes, &error));
  g_assert_true (sonde_connection_send_text (connection, "{\"last\": true}", -1, &error));

  SONDE_TEST_ASSERT_WAIT (count_incoming (connection) >= 5, WAIT_MS);

  assert_incoming (connection, 0, SONDE_MESSAGE_KIND_TEXT, "héllo ✓", strlen ("héllo ✓"));
  assert_incoming (connection, 1, SONDE_MESSAGE_KIND_BINARY, binary, sizeof binary);
  assert_incoming (connection, 2, SONDE_MESSAGE_KIND_TEXT, "", 0);
  assert_incoming (connection, 3, SONDE_MESSAGE_KIND_BINARY, big->data, big->len);
  assert_incoming (connection, 4, SONDE_MESSAGE_KIND_TEXT, "{\"last\": true}", 14);

  /* /echo only answers: the fifth message was the last one received. */
  g_assert_true (sonde_connection_send_text (connection, "one more", -1, &error));
  SONDE_TEST_ASSERT_WAIT (count_incoming (connection) >= 6, WAIT_MS);
  g_assert_cmpuint (count_incoming (connection), ==, 6);
  assert_incoming (connection, 5, SONDE_MESSAGE_KIND_TEXT, "one more", 8);

  close_and_finalize (connection);
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_n_clients (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  SondeConnection *ticker;
  SondeConnection *echo;
  SondeConnection *sensors;

  g_assert_cmpuint (sonde_demo_server_get_n_clients (server), ==, 0);

  ticker = connect_open (server, "/ticker");
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);
  echo = connect_open (server, "/echo");
  sensors = connect_open (server, "/sensors");
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 3, WAIT_MS);

  close_and_finalize (echo);
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 2, WAIT_MS);
  close_and_finalize (ticker);
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);

  /* A client dropped by its owner (it closes in the background) is gone too. */
  g_assert_finalize_object (sensors);
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 0, WAIT_MS);

  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
assert_closed_by_server (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  SondeRecord record;
  g_autoptr(JsonObject) close_event = NULL;

  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_CLOSED);
  g_assert_cmpuint (sonde_connection_get_close_code (connection), ==, 1001);
  g_assert_cmpstr (sonde_connection_get_close_reason (connection), ==, "demo server stopping");
  g_assert_true (sonde_connection_get_close_was_clean (connection));

  /* The last record is the close event, and the server started it. */
  g_assert_true (sonde_message_log_get_record (log, sonde_message_log_get_n_records (log) - 1, &record));
  g_assert_cmpint (record.direction, ==, SONDE_DIRECTION_EVENT);
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_CLOSE);
  record.kind = SONDE_MESSAGE_KIND_TEXT;
  close_event = parse_object (&record);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1001);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "peer");
}

static void
test_stop_with_clients (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  g_autofree char *url = sonde_demo_server_dup_url (server, "/ticker");
  SondeConnection *ticker = connect_open (server, "/ticker");
  SondeConnection *echo = connect_open (server, "/echo");
  g_autoptr(SondeConnection) late = sonde_connection_new ();
  gint64 start;
  double seconds;

  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 2 && count_incoming (ticker) > 0, WAIT_MS);

  start = g_get_monotonic_time ();
  sonde_demo_server_stop (server);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_test_message ("stopped in %.3f s", seconds);
  /* Both clients answer the close at once; the server waits 1 s at most. */
  g_assert_cmpfloat (seconds, <, 3.0);
  g_assert_cmpuint (sonde_demo_server_get_n_clients (server), ==, 0);

  assert_closed_by_server (ticker);
  assert_closed_by_server (echo);
  g_assert_finalize_object (ticker);
  g_assert_finalize_object (echo);

  /* Nothing listens any more, and stopping twice is fine. */
  sonde_connection_set_url (late, url);
  g_assert_true (sonde_connection_connect (late, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (late), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (late), ==, SONDE_CONNECTION_STATE_FAILED);
  g_assert_error ((GError *) sonde_connection_get_error (late), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  sonde_demo_server_stop (server);

  g_assert_finalize_object (g_steal_pointer (&late));
  g_assert_finalize_object (g_steal_pointer (&server));
}

/* Disposing a running server stops it too, connected clients and all. */
static void
test_dispose_with_clients (void)
{
  SondeDemoServer *server = start_server (20);
  SondeConnection *sensors = connect_open (server, "/sensors");

  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);
  g_assert_finalize_object (server);

  assert_closed_by_server (sensors);
  g_assert_finalize_object (sensors);
}

/* A client that never answers the server's Close frame: stop() gives up on
 * it after its grace period instead of hanging, and forgets it. */
static void
test_stop_with_unresponsive_client (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autofree char *request = NULL;
  const char *body;
  gint64 start;
  double seconds;
  guint8 buffer[4096];
  gssize n;

  tcp = g_socket_client_connect_to_host (socket_client, "127.0.0.1", sonde_demo_server_get_port (server),
                                         NULL, &error);
  g_assert_no_error (error);
  /* Reads below block at most this long. */
  g_socket_set_timeout (g_socket_connection_get_socket (tcp), 10);

  request = g_strdup_printf ("GET /echo HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n", sonde_demo_server_get_port (server));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tcp)),
                                            request, strlen (request), NULL, NULL, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);

  start = g_get_monotonic_time ();
  sonde_demo_server_stop (server);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_test_message ("stopped in %.3f s", seconds);
  g_assert_cmpfloat (seconds, >=, 0.9);
  g_assert_cmpfloat (seconds, <, 3.0);
  g_assert_cmpuint (sonde_demo_server_get_n_clients (server), ==, 0);

  /* What the client got: the 101, then a Close frame with 1001, then EOF. */
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tcp)),
                                   buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (received, buffer, (guint) n);
  g_assert_no_error (error);
  g_byte_array_append (received, (const guint8 *) "", 1);

  g_assert_true (g_str_has_prefix ((const char *) received->data, "HTTP/1.1 101 "));
  body = strstr ((const char *) received->data, "\r\n\r\n");
  g_assert_nonnull (body);
  body += 4;
  g_assert_cmpuint ((guint8) body[0], ==, 0x88);                    
/* FIN + Close */
  g_assert_cmpuint ((guint8) body[2] << 8 | (guint8) body[3], ==, 1001);

  g_assert_finalize_object (g_steal_pointer (&server));
}

/* Clients that vanish (a reset, not a close) while the server is in the
 * middle of a burst: a send that fails closes the connection at once, and
 * the rest of the burst must see that instead of sending on a closed
 * connection (a GLib-CRITICAL, fatal here). The server goes on serving. */
static void
test_reset_during_burst (void)
{
  g_autoptr(SondeDemoServer) server = start_server (SONDE_DEMO_SERVER_MAX_RATE);
  guint16 port = sonde_demo_server_get_port (server);

  for (guint round = 0; round < 30; round++)
    {
      g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
      g_autoptr(GSocketConnection) tcp = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *request = NULL;
      GSocket *socket;
      guint8 buffer[256];
      struct linger linger = { 1, 0 };

      tcp = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
      g_assert_no_error (error);
      socket = g_socket_connection_get_socket (tcp);
      g_socket_set_timeout (socket, 10);
      /* A small receive buffer: the server's writes back up at once. */
      g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 2048, NULL);
      request = g_strdup_printf ("GET /ticker?rate=%.0f HTTP/1.1\r\n"
                                 "Host: 127.0.0.1:%u\r\n"
                                 "Upgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "\r\n", SONDE_DEMO_SERVER_MAX_RATE, port);
      g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tcp)),
                                                request, strlen (request), NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tcp)),
                                            buffer, sizeof buffer, NULL, &error), >, 0);
      g_assert_no_error (error);
      SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);
      /* Let the unread ticks pile up, then reset the connection. */
      sonde_test_spin (round % 5 * 5);
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      g_socket_close (socket, NULL);
      SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 0, WAIT_MS);
    }

  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_port_in_use (void)
{
  g_autoptr(SondeDemoServer) first = start_server (20);
  g_autoptr(SondeDemoServer) second = sonde_demo_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  guint16 port = sonde_demo_server_get_port (first);

  g_assert_false (sonde_demo_server_start (second, port, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_test_message ("%s", error->message);
  expected = g_strdup_printf ("cannot listen on 127.0.0.1:%u: ", port);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (sonde_demo_server_get_n_clients (second), ==, 0);
  g_clear_error (&error);

  /* The first one still serves, and the second one can start elsewhere. */
  {
    SondeConnection *connection = connect_open (first, "/ticker");

    SONDE_TEST_ASSERT_WAIT (count_incoming (connection) > 0, WAIT_MS);
    close_and_finalize (connection);
  }

  g_assert_true (sonde_demo_server_start (second, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_demo_server_get_port (second), !=, port);
  g_assert_cmpuint (sonde_demo_server_get_port (second), >, 0);

  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&first));
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_rate_limits (void)
{
  static const double bad_rates[] = { 0, -1, SONDE_DEMO_SERVER_MAX_RATE * 2 };
  g_autoptr(SondeDemoServer) server = sonde_demo_server_new ();
  guint notifies = 0;
  double rate = 0;

  g_assert_cmpfloat (sonde_demo_server_get_rate (server), ==, SONDE_DEMO_SERVER_DEFAULT_RATE);
  g_assert_cmpuint (sonde_demo_server_get_port (server), ==, 0);
  g_signal_connect (server, "notify::rate", G_CALLBACK (on_notify), &notifies);

  for (guint i = 0; i < G_N_ELEMENTS (bad_rates); i++)
    {
      g_test_expect_message ("sonde-demo-server", G_LOG_LEVEL_CRITICAL, "*rate > 0*");
      sonde_demo_server_set_rate (server, bad_rates[i]);
      g_test_assert_expected_messages ();
    }
  g_test_expect_message ("sonde-demo-server", G_LOG_LEVEL_CRITICAL, "*rate > 0*");
  sonde_demo_server_set_rate (server, NAN);
  g_test_assert_expected_messages ();

  g_assert_cmpfloat (sonde_demo_server_get_rate (server), ==, SONDE_DEMO_SERVER_DEFAULT_RATE);
  g_assert_cmpuint (notifies, ==, 0);

  /* The property refuses the same values. */
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*out of range*rate*");
  g_object_set (server, "rate", 0.0, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpfloat (sonde_demo_server_get_rate (server), ==, SONDE_DEMO_SERVER_DEFAULT_RATE);

  /* The bounds are allowed; a notification only on change. */
  sonde_demo_server_set_rate (server, SONDE_DEMO_SERVER_MAX_RATE);
  g_assert_cmpfloat (sonde_demo_server_get_rate (server), ==, SONDE_DEMO_SERVER_MAX_RATE);
  g_assert_cmpuint (notifies, ==, 1);
  sonde_demo_server_set_rate (server, SONDE_DEMO_SERVER_MAX_RATE);
  g_assert_cmpuint (notifies, ==, 1);
  g_object_set (server, "rate", 0.5, NULL);
  g_object_get (server, "rate", &rate, NULL);
  g_assert_cmpfloat (rate, ==, 0.5);
  g_assert_cmpuint (notifies, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&server));
}

/* A server can be stopped and started again, and the second run serves as
 * long as the first. */
static void
test_restart (void)
{
  g_autoptr(SondeDemoServer) server = start_server (40);
  g_autoptr(GError) error = NULL;
  SondeConnection *connection = connect_open (server, "/ticker");
  SondeRecord first;
  SondeRecord last;

  /* Stopped with a client: the server says goodbye, then waits for it. */
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 1, WAIT_MS);
  sonde_demo_server_stop (server);
  assert_closed_by_server (connection);
  g_assert_finalize_object (connection);

  g_assert_true (sonde_demo_server_start (server, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_demo_server_get_n_clients (server), ==, 0);

  /* Still feeding well past the first run's stop grace period (1 s). */
  connection = connect_open (server, "/ticker");
  SONDE_TEST_WAIT (count_incoming (connection) >= 61 || sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_OPEN);
  g_assert_true (nth_incoming (connection, 0, &first));
  g_assert_true (nth_incoming (connection, 60, &last));
  g_assert_cmpint (last.mono_us - first.mono_us, >, G_USEC_PER_SEC);

  /* The last client leaving does not stop the server. */
  close_and_finalize (connection);
  SONDE_TEST_ASSERT_WAIT (sonde_demo_server_get_n_clients (server) == 0, WAIT_MS);
  connection = connect_open (server, "/echo");
  g_assert_true (sonde_connection_send_text (connection, "still here", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (count_incoming (connection) == 1, WAIT_MS);
  close_and_finalize (connection);

  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_http_page (void)
{
  g_autoptr(SondeDemoServer) server = start_server (20);
  g_autoptr(SondeConnection) connection = connect_to (server, "/");
  const GError *error;

  /* A plain HTTP page names the endpoints; it is no WebSocket. */
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (connection), WAIT_MS);
  g_assert_cmpint (sonde_connection_get_state (connection), ==, SONDE_CONNECTION_STATE_FAILED);
  error = sonde_connection_get_error (connection);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not a WebSocket endpoint"));
  g_assert_cmpuint (sonde_demo_server_get_n_clients (server), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&connection));
  g_assert_finalize_object (g_steal_pointer (&server));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/demo-server/ticker-fields", test_ticker_fields);
  g_test_add_func ("/demo-server/ticker-rate", test_ticker_rate);
  g_test_add_func ("/demo-server/ticker-seed", test_ticker_seed);
  g_test_add_func ("/demo-server/sensors", test_sensors);
  g_test_add_func ("/demo-server/echo", test_echo);
  g_test_add_func ("/demo-server/n-clients", test_n_clients);
  g_test_add_func ("/demo-server/stop-with-clients", test_stop_with_clients);
  g_test_add_func ("/demo-server/dispose-with-clients", test_dispose_with_clients);
  g_test_add_func ("/demo-server/stop-with-unresponsive-client", test_stop_with_unresponsive_client);
  g_test_add_func ("/demo-server/reset-during-burst", test_reset_during_burst);
  g_test_add_func ("/demo-server/port-in-use", test_port_in_use);
  g_test_add_func ("/demo-server/rate-limits", test_rate_limits);
  g_test_add_func ("/demo-server/restart", test_restart);
  g_test_add_func ("/demo-server/http-page", test_http_page);

  return g_test_run ();
}
