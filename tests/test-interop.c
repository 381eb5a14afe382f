/* test-interop.c: SondeConnection against real peers nobody here wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case runs twice, once against tests/servers/ws_peer.py (Python
 * `websockets`) and once against tests/servers/ws-peer.js (Node `ws`), each
 * in a child process of its own started for the test. The route contract
 * and the message formats are at the top of ws_peer.py; push_message()
 * below is the same generator, so pushed messages are compared byte for
 * byte.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-test-peer.h"
#include "sonde-test-util.h"

#define WAIT_MS   20000
#define ONE_MIB   (1024 * 1024)

typedef struct {
  SondeTestPeer   *peer;
  SondeConnection *connection;
} Fixture;

typedef void (*InteropFunc) (Fixture *fixture);

typedef struct {
  const char  *name;
  InteropFunc  func;
} InteropCase;

typedef struct {
  SondeTestPeerKind  kind;
  const InteropCase *test;
} InteropRun;

static guint
count_incoming (SondeConnection *connection)
{
  return sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT) +
         sonde_test_count_records (connection, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY);
}

/* The n-th record of @direction in the log, and its position. */
static gboolean
nth_record (SondeConnection *connection,
            SondeDirection   direction,
            guint            n,
            SondeRecord     *out,
            guint           *position)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      g_assert_true (sonde_message_log_get_record (log, i, out));
      if (out->direction == direction && n-- == 0)
        {
          if (position != NULL)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* The positions in the log of every record of @direction, in order. */
static GArray *
positions_of (SondeConnection *connection,
              SondeDirection   direction)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  GArray *positions = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == direction)
        g_array_append_val (positions, i);
    }
  return positions;
}

/* The position of the last event of @kind, or -1. */
static int
last_event_position (SondeConnection  *connection,
                     SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = sonde_message_log_get_n_records (log); i > 0; i--)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i - 1, &record));
      if (record.direction == SONDE_DIRECTION_EVENT && record.kind == kind)
        return (int) i - 1;
    }
  return -1;
}

static JsonObject *
parse_object (const guint8 *data,
              gsize         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, (const char *) data, (gssize) size, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* The JSON payload of the last event of @kind, parsed; fails if none. */
static JsonObject *
last_event (SondeConnection  *connection,
            SondeMessageKind  kind)
{
  int position = last_event_position (connection, kind);
  SondeRecord record;

  if (position < 0)
    g_error ("no %s event in the log", sonde_message_kind_to_string (kind));
  g_assert_true (sonde_message_log_get_record (sonde_connection_get_log (connection), (guint) position, &record));
  return parse_object (record.data, record.stored_size);
}

/* A complete (not truncated) record of @kind holding exactly @data. */
static void
assert_record (const SondeRecord *record,
               SondeMessageKind   kind,
               gconstpointer      data,
               gsize              size)
{
  g_assert_cmpstr (sonde_message_kind_to_string (record->kind), ==, sonde_message_kind_to_string (kind));
  g_assert_cmpuint (record->flags & SONDE_RECORD_FLAG_TRUNCATED, ==, 0);
  g_assert_cmpuint (record->size, ==, size);
  g_assert_cmpuint (record->stored_size, ==, size);
  if (size > 0)
    g_assert_cmpmem (record->data, record->stored_size, data, size);
}

/* Sequence numbers grow by one and monotonic times never go back. */
static void
assert_log_in_order (SondeConnection *connection)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  SondeRecord previous = { 0 };

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (i > 0)
        {
          g_assert_cmpuint (record.seq, ==, previous.seq + 1);
          g_assert_cmpint (record.mono_us, >=, previous.mono_us);
        }
      previous = record;
    }
}

/* Message @index of /push, exactly as the contract at the top of
 * ws_peer.py defines it. */
static GBytes *
push_message (guint    index,
              gsize    size,
              gboolean binary)
{
  g_autofree char *head = NULL;
  g_autofree char *digits = NULL;
  const char *tail = "\"}";
  GString *text;

  if (binary)
    {
      guint8 *data = g_malloc (MAX (size, 1));

      for (gsize j = 0; j < size; j++)
        data[j] = (guint8) ((index + j) % 256);
      if (size >= 4)
        {
          data[0] = (guint8) (index >> 24);
          data[1] = (guint8) (index >> 16);
          data[2] = (guint8) (index >> 8);
          data[3] = (guint8) index;
        }
      return g_bytes_new_take (data, size);
    }

  head = g_strdup_printf ("{\"i\":%u,\"pad\":\"", index);
  if (size >= strlen (head) + strlen (tail))
    {
      text = g_string_new (head);
      while (text->len < size - strlen (tail))
        g_string_append_c (text, 'x');
      g_string_append (text, tail);
      return g_string_free_to_bytes (text);
    }

  /* The decimal index, zero-padded on the left, cut to its last digits. */
  digits = g_strdup_printf ("%u", index);
  text = g_string_new (NULL);
  for (gsize pad = strlen (digits); pad < size; pad++)
    g_string_append_c (text, '0');
  g_string_append (text, digits);
  g_string_erase (text, 0, (gssize) (text->len - size));
  return g_string_free_to_bytes (text);
}

static void
connect_to (Fixture    *fixture,
            const char *path)
{
  g_autofree char *url = sonde_test_peer_dup_url (fixture->peer, path);
  g_autoptr(GError) error = NULL;

  sonde_connection_set_url (fixture->connection, url);
  g_assert_true (sonde_connection_connect (fixture->connection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sonde_connection_get_state (fixture->connection), ==, SONDE_CONNECTION_STATE_CONNECTING);
}

static void
connect_open (Fixture    *fixture,
              const char *path)
{
  connect_to (fixture, path);
  SONDE_TEST_ASSERT_WAIT (sonde_connection_get_state (fixture->connection) != SONDE_CONNECTION_STATE_CONNECTING,
                          WAIT_MS);
  if (sonde_connection_get_error (fixture->connection) != NULL)
    g_test_message ("error: %s", sonde_connection_get_error (fixture->connection)->message);
  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "open");
}

/* A fresh connection for the next step of a test that makes several. */
static void
renew_connection (Fixture *fixture)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));
  fixture->connection = sonde_connection_new ();
}

/* The connection ended cleanly with @code and @reason, initiated by
 * @initiator, with no error along the way. */
static void
assert_clean_close (Fixture    *fixture,
                    guint       code,
                    const char *reason,
                    const char *initiator)
{
  g_autoptr(JsonObject) close_event = NULL;
  g_autoptr(JsonObject) closing_event = NULL;
  const GError *error = sonde_connection_get_error (fixture->connection);

  if (error != NULL)
    g_error ("unexpected error: %s", error->message);
  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "closed");
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, code);
  g_assert_cmpstr (sonde_connection_get_close_reason (fixture->connection), ==, reason);
  g_assert_true (sonde_connection_get_close_was_clean (fixture->connection));

  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN), ==, 1);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSING), ==, 1);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE), ==, 1);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR), ==, 0);

  closing_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSING);
  g_assert_cmpstr (json_object_get_string_member (closing_event, "initiator"), ==, initiator);

  close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (close_event, "close_reason"), ==, reason);
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, initiator);
  g_assert_cmpstr (json_object_get_string_member (close_event, "meaning"), ==, sonde_close_code_describe (code));
  g_assert_true (json_object_get_boolean_member (close_event, "clean"));

  /* The close event is the last record: nothing is logged after it. */
  g_assert_cmpint (last_event_position (fixture->connection, SONDE_MESSAGE_KIND_CLOSE), ==,
                   (int) sonde_message_log_get_n_records (sonde_connection_get_log (fixture->connection)) - 1);
}

/* Sends @messages, waits for every echo, and checks that the echoes and
 * the log's outgoing records are byte-identical to what was sent, in
 * order. */
static void
echo_and_check (Fixture          *fixture,
                SondeMessageKind  kind,
                GPtrArray        *messages)
{
  guint n_messages = messages->len;
  guint64 total = 0;
  SondeStats stats;

  connect_open (fixture, "/echo");

  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize size;
      const char *data = g_bytes_get_data (messages->pdata[i], &size);

      if (kind == SONDE_MESSAGE_KIND_TEXT)
        g_assert_true (sonde_connection_send_text (fixture->connection, size > 0 ? data : "", (gssize) size, &error));
      else
        g_assert_true (sonde_connection_send_binary (fixture->connection, messages->pdata[i], &error));
      g_assert_no_error (error);
      total += size;
    }

  SONDE_TEST_ASSERT_WAIT (count_incoming (fixture->connection) >= n_messages, WAIT_MS);
  /* Nothing more arrives than was sent. */
  sonde_test_spin (100);
  g_assert_cmpuint (count_incoming (fixture->connection), ==, n_messages);

  for (guint i = 0; i < n_messages; i++)
    {
      SondeRecord record;
      gsize size;
      gconstpointer data = g_bytes_get_data (messages->pdata[i], &size);

      g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, i, &record, NULL));
      assert_record (&record, kind, data, size);
      g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_OUT, i, &record, NULL));
      assert_record (&record, kind, data, size);
    }

  sonde_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.messages_in, ==, n_messages);
  g_assert_cmpuint (stats.messages_out, ==, n_messages);
  g_assert_cmpuint (stats.bytes_in, ==, total);
  g_assert_cmpuint (stats.bytes_out, ==, total);
  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "open");
}

static void
test_echo_text (Fixture *fixture)
{
  static const char * const texts[] = {
    "hello",
    "héllo wörld ✓",
    "satellite 🛰 4-byte UTF-8",
    "{\"op\":\"subscribe\",\"channel\":\"ticker\",\"n\":1}",
    "line one\nline two\ttabbed\r\n",
    " ",
  };
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    g_ptr_array_add (messages, g_bytes_new_static (texts[i], strlen (texts[i])));

  echo_and_check (fixture, SONDE_MESSAGE_KIND_TEXT, messages);
}

static void
test_echo_binary (Fixture *fixture)
{
  static const guint8 nul[] = { 0x00 };
  static const guint8 nuls[] = { 0x00, 0x00, 0x00, 0x00 };
  /* NULs inside, and bytes that are not UTF-8. */
  static const guint8 mixed[] = { 'a', 0x00, 'b', 0x00, 0xff, 0x80, 0xc3, 0x28, 0x00 };
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 all_bytes[512];

  /* Every byte value, twice. */
  for (guint i = 0; i < sizeof all_bytes; i++)
    all_bytes[i] = (guint8) (i % 256);

  g_ptr_array_add (messages, g_bytes_new_static (nul, sizeof nul));
  g_ptr_array_add (messages, g_bytes_new_static (nuls, sizeof nuls));
  g_ptr_array_add (messages, g_bytes_new_static (mixed, sizeof mixed));
  g_ptr_array_add (messages, g_bytes_new (all_bytes, sizeof all_bytes));

  echo_and_check (fixture, SONDE_MESSAGE_KIND_BINARY, messages);
}

static void
test_echo_empty (Fixture *fixture)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  SondeRecord record;

  connect_open (fixture, "/echo");

  /* An empty text, an empty binary, then a marker that shows both echoes
   * came back first and in order. */
  g_assert_true (sonde_connection_send_text (fixture->connection, "", 0, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_connection_send_binary (fixture->connection, empty, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_connection_send_text (fixture->connection, "after-empty", -1, &error));
  g_assert_no_error (error);

  SONDE_TEST_ASSERT_WAIT (count_incoming (fixture->connection) >= 3, WAIT_MS);
  sonde_test_spin (100);
  g_assert_cmpuint (count_incoming (fixture->connection), ==, 3);

  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 0, &record, NULL));
  assert_record (&record, SONDE_MESSAGE_KIND_TEXT, "", 0);
  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 1, &record, NULL));
  assert_record (&record, SONDE_MESSAGE_KIND_BINARY, "", 0);
  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 2, &record, NULL));
  assert_record (&record, SONDE_MESSAGE_KIND_TEXT, "after-empty", strlen ("after-empty"));
}

static void
test_echo_1mib (Fixture *fixture)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x50de);
  g_autoptr(GPtrArray) binary = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) text = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 *binary_data = g_malloc (ONE_MIB);
  char *text_data = g_malloc (ONE_MIB);

  /* Every byte value for the binary one; printable ASCII for the text. */
  for (gsize i = 0; i < ONE_MIB; i++)
    {
      binary_data[i] = (guint8) g_rand_int_range (rand, 0, 256);
      text_data[i] = (char) g_rand_int_range (rand, 0x20, 0x7f);
    }
  g_ptr_array_add (binary, g_bytes_new_take (binary_data, ONE_MIB));
  g_ptr_array_add (text, g_bytes_new_take (text_data, ONE_MIB));

  echo_and_check (fixture, SONDE_MESSAGE_KIND_BINARY, binary);

  g_assert_true (sonde_connection_close (fixture->connection, 1000, NULL, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  renew_connection (fixture);
  echo_and_check (fixture, SONDE_MESSAGE_KIND_TEXT, text);
}

/* /push: @n messages of exactly @size bytes, then a close with 1000. */
static void
check_push (Fixture  *fixture,
            guint     n,
            gsize     size,
            gboolean  binary)
{
  g_autofree char *path = g_strdup_printf ("/push?n=%u&size=%" G_GSIZE_FORMAT "&binary=%d&close=1000",
                                           n, size, binary ? 1 : 0);
  SondeMessageKind kind = binary ? SONDE_MESSAGE_KIND_BINARY : SONDE_MESSAGE_KIND_TEXT;
  SondeMessageKind other = binary ? SONDE_MESSAGE_KIND_TEXT : SONDE_MESSAGE_KIND_BINARY;
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  g_autoptr(GArray) incoming = NULL;
  guint last_position = 0;
  SondeStats stats;

  g_test_message ("%s", path);
  connect_to (fixture, path);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_IN, kind), ==, n);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_IN, other), ==, 0);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, kind) +
                    sonde_test_count_records (fixture->connection, SONDE_DIRECTION_OUT, other), ==, 0);

  incoming = positions_of (fixture->connection, SONDE_DIRECTION_IN);
  g_assert_cmpuint (incoming->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) expected = push_message (i, size, binary);
      gsize expected_size;
      gconstpointer expected_data = g_bytes_get_data (expected, &expected_size);
      SondeRecord record;

      g_assert_cmpuint (expected_size, ==, size);
      last_position = g_array_index (incoming, guint, i);
      g_assert_true (sonde_message_log_get_record (log, last_position, &record));
      assert_record (&record, kind, expected_data, expected_size);
    }

  sonde_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.messages_in, ==, n);
  g_assert_cmpuint (stats.bytes_in, ==, (guint64) n * size);
  g_assert_cmpuint (stats.messages_out, ==, 0);

  /* Every message came before the peer's close. */
  if (n > 0)
    g_assert_cmpint ((int) last_position, <, last_event_position (fixture->connection, SONDE_MESSAGE_KIND_CLOSING));
  assert_log_in_order (fixture->connection);
  assert_clean_close (fixture, 1000, "push done", "peer");
}

static void
test_push_text (Fixture *fixture)
{
  check_push (fixture, 300, 512, FALSE);
}

static void
test_push_binary (Fixture *fixture)
{
  /* Past index 255, so the big-endian index has a non-zero second byte. */
  check_push (fixture, 300, 1024, TRUE);
}

/* The edges of the contract's formats. */
static void
test_push_sizes (Fixture *fixture)
{
  static const struct {
    guint    n;
    gsize    size;
    gboolean binary;
  } cases[] = {
    { 5, 0, FALSE },     /* empty texts */
    { 12, 1, FALSE },    /* the last digit of the index */
    { 12, 3, FALSE },    /* "000" … "011" */
    { 12, 15, FALSE },   /* one byte short of the JSON form */
    { 12, 16, FALSE },   /* JSON up to index 9, digits from 10 */
    { 12, 17, FALSE },   /* JSON with one x up to 9, no x from 10 */
    { 5, 0, TRUE },      /* empty binaries */
    { 12, 3, TRUE },     /* too short for the index header */
    { 12, 4, TRUE },     /* the index header alone */
    { 12, 5, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (i > 0)
        renew_connection (fixture);
      check_push (fixture, cases[i].n, cases[i].size, cases[i].binary);
    }
}

/* Many small messages at once: the batches handed to the main thread lose
 * and reorder nothing. */
static void
test_push_flood (Fixture *fixture)
{
  check_push (fixture, 20000, 100, TRUE);
}

/* We close while the peer is still pushing: what arrived, during the
 * closing handshake too, is an unbroken prefix of the sequence, and the
 * close completes cleanly. The flood is kept short enough for the peer to
 * answer our Close within libsoup's 5 s closing timeout: Python `websockets`
 * does not read while a tight send loop runs, so a long flood would end in
 * 1006 whatever the client does. */
static void
test_client_close_during_flood (Fixture *fixture)
{
  SondeMessageLog *log = sonde_connection_get_log (fixture->connection);
  g_autoptr(GArray) incoming = NULL;

  connect_to (fixture, "/push?n=10000&size=64&binary=1");
  SONDE_TEST_ASSERT_WAIT (sonde_message_log_get_n_records (log) >= 1000, WAIT_MS);
  g_assert_true (sonde_connection_close (fixture->connection, 1000, "stop", NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  incoming = positions_of (fixture->connection, SONDE_DIRECTION_IN);
  g_test_message ("%u messages before the close completed", incoming->len);
  g_assert_cmpuint (incoming->len, >=, 990);
  g_assert_cmpuint (incoming->len, <=, 10000);
  for (guint i = 0; i < incoming->len; i++)
    {
      g_autoptr(GBytes) expected = push_message (i, 64, TRUE);
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, g_array_index (incoming, guint, i), &record));
      assert_record (&record, SONDE_MESSAGE_KIND_BINARY, g_bytes_get_data (expected, NULL), 64);
    }
  assert_log_in_order (fixture->connection);
  assert_clean_close (fixture, 1000, "stop", "local");
}

/* A message over our size limit: refused, never stored, one error event,
 * and the connection ends uncleanly. */
static void
test_max_message_size (Fixture *fixture)
{
  const GError *error;

  sonde_connection_set_max_message_size (fixture->connection, 1000);
  connect_to (fixture, "/push?n=3&size=2000&binary=1");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "closed");
  g_assert_cmpuint (count_incoming (fixture->connection), ==, 0);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR), ==, 1);
  error = sonde_connection_get_error (fixture->connection);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Message too big: a message reached"));
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, 1009);
  g_assert_false (sonde_connection_get_close_was_clean (fixture->connection));
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), !=, 1000);
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE), ==, 1);
}

/* /push without close: the peer stays open, and we close. */
static void
test_push_then_client_close (Fixture *fixture)
{
  SondeRecord record;
  g_autoptr(GBytes) last = push_message (49, 64, FALSE);

  connect_to (fixture, "/push?n=50&size=64&binary=0");
  SONDE_TEST_ASSERT_WAIT (count_incoming (fixture->connection) >= 50, WAIT_MS);
  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "open");
  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 49, &record, NULL));
  assert_record (&record, SONDE_MESSAGE_KIND_TEXT, g_bytes_get_data (last, NULL), 64);

  g_assert_true (sonde_connection_close (fixture->connection, 1000, "enough", NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  assert_clean_close (fixture, 1000, "enough", "local");
  g_assert_cmpuint (count_incoming (fixture->connection), ==, 50);
}

static void
check_peer_close (Fixture    *fixture,
                  const char *path,
                  guint       code,
                  const char *reason)
{
  connect_to (fixture, path);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  assert_clean_close (fixture, code, reason, "peer");
  g_assert_cmpuint (count_incoming (fixture->connection), ==, 0);
}

static void
test_close_1000 (Fixture *fixture)
{
  check_peer_close (fixture, "/close?code=1000&reason=normal%20bye", 1000, "normal bye");
}

static void
test_close_1001 (Fixture *fixture)
{
  check_peer_close (fixture, "/close?code=1001", 1001, "");
}

static void
test_close_4000 (Fixture *fixture)
{
  check_peer_close (fixture, "/close?code=4000&reason=app%20says%20bye", 4000, "app says bye");
}

/* The longest reason a Close frame allows, 123 bytes of multi-byte UTF-8. */
static void
test_close_long_reason (Fixture *fixture)
{
  g_autoptr(GString) reason = g_string_new (NULL);
  g_autoptr(GString) path = g_string_new ("/close?code=4000&reason=");

  for (guint i = 0; i < 41; i++)
    g_string_append (reason, "✓");
  g_assert_cmpuint (reason->len, ==, SONDE_CLOSE_REASON_MAX);
  g_string_append_uri_escaped (path, reason->str, NULL, FALSE);

  check_peer_close (fixture, path->str, 4000, reason->str);
}

static void
test_unknown_route (Fixture *fixture)
{
  check_peer_close (fixture, "/nowhere", 4404, "no route /nowhere");
}

static void
test_drop (Fixture *fixture)
{
  g_autoptr(JsonObject) close_event = NULL;
  SondeRecord record;
  guint bye_position;
  int close_position;

  connect_to (fixture, "/drop");
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "closed");
  g_assert_cmpuint (sonde_connection_get_close_code (fixture->connection), ==, SONDE_CLOSE_ABNORMAL);
  g_assert_false (sonde_connection_get_close_was_clean (fixture->connection));

  close_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpint (json_object_get_int_member (close_event, "close_code"), ==, 1006);
  g_assert_false (json_object_get_boolean_member (close_event, "clean"));
  g_assert_cmpstr (json_object_get_string_member (close_event, "initiator"), ==, "peer");
  g_assert_cmpuint (sonde_test_count_records (fixture->connection, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE), ==, 1);

  /* "bye" arrived, whole, and before the end. */
  g_assert_cmpuint (count_incoming (fixture->connection), ==, 1);
  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 0, &record, &bye_position));
  assert_record (&record, SONDE_MESSAGE_KIND_TEXT, "bye", 3);
  close_position = last_event_position (fixture->connection, SONDE_MESSAGE_KIND_CLOSE);
  g_assert_cmpint ((int) bye_position, <, close_position);
}

/* A string member of what /headers reported, NULL when absent or null. */
static const char *
header_value (JsonObject *seen,
              const char *name)
{
  return json_object_get_string_member_with_default (seen, name, NULL);
}

/* Connects to /headers with @protocols offered and returns what the peer
 * reported seeing. */
static JsonObject *
fetch_headers (Fixture            *fixture,
               const char         *path,
               const char * const *protocols)
{
  SondeRecord record;

  sonde_connection_set_protocols (fixture->connection, protocols);
  connect_open (fixture, path);
  SONDE_TEST_ASSERT_WAIT (count_incoming (fixture->connection) >= 1, WAIT_MS);

  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 0, &record, NULL));
  g_assert_cmpint (record.kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpuint (record.stored_size, ==, record.size);
  return parse_object (record.data, record.stored_size);
}

static void
test_headers (Fixture *fixture)
{
  const char *headers[] = { "X-Api-Key: k-123", "X-Trace: a", "X-Trace: b", "User-Agent: sonde-interop/1", NULL };
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", sonde_test_peer_get_port (fixture->peer));
  g_autoptr(JsonObject) seen = NULL;
  const char *key;
  gsize key_size = 0;
  g_autofree guchar *key_bytes = NULL;

  sonde_connection_set_headers (fixture->connection, headers);
  sonde_connection_set_origin (fixture->connection, "https://app.example.test");
  seen = fetch_headers (fixture, "/headers?room=1&who=sonde", NULL);

  g_assert_cmpstr (header_value (seen, "x-api-key"), ==, "k-123");
  g_assert_cmpstr (header_value (seen, "x-trace"), ==, "a, b");
  g_assert_cmpstr (header_value (seen, "user-agent"), ==, "sonde-interop/1");
  g_assert_cmpstr (header_value (seen, "origin"), ==, "https://app.example.test");
  g_assert_cmpstr (header_value (seen, "path"), ==, "/headers?room=1&who=sonde");
  g_assert_cmpstr (header_value (seen, "host"), ==, host);
  g_assert_cmpstr (header_value (seen, "sec-websocket-version"), ==, "13");
  g_assert_nonnull (header_value (seen, "upgrade"));
  g_assert_cmpint (g_ascii_strcasecmp (header_value (seen, "upgrade"), "websocket"), ==, 0);

  /* A real key: 16 random bytes, base64. */
  key = header_value (seen, "sec-websocket-key");
  g_assert_nonnull (key);
  key_bytes = g_base64_decode (key, &key_size);
  g_assert_cmpuint (key_size, ==, 16);

  /* Nothing offered, nothing negotiated. */
  g_assert_false (json_object_has_member (seen, "sec-websocket-protocol"));
  g_assert_true (json_object_get_null_member (seen, "subprotocol"));
  g_assert_null (sonde_connection_get_protocol (fixture->connection));
}

/* We offer permessage-deflate; both peers run with compression off and
 * decline it, and the connection works uncompressed. */
static void
test_deflate_declined (Fixture *fixture)
{
  g_autoptr(JsonObject) seen = NULL;
  g_autoptr(JsonObject) open_event = NULL;
  const char *offer;

  sonde_connection_set_deflate (fixture->connection, TRUE);
  seen = fetch_headers (fixture, "/headers", NULL);

  offer = header_value (seen, "sec-websocket-extensions");
  g_assert_nonnull (offer);
  g_assert_nonnull (strstr (offer, "permessage-deflate"));
  g_assert_cmpstr (header_value (seen, "path"), ==, "/headers");

  g_assert_null (sonde_handshake_get_extensions (sonde_connection_get_handshake (fixture->connection)));
  g_assert_null (sonde_handshake_get_response_header_value (sonde_connection_get_handshake (fixture->connection),
                                                            "Sec-WebSocket-Extensions"));
  open_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_OPEN);
  g_assert_true (!json_object_has_member (open_event, "extensions") ||
                 json_object_get_null_member (open_event, "extensions"));
}

/* Offers @protocols; the peer must pick @expected (NULL: none). */
static void
check_subprotocol (Fixture            *fixture,
                   const char * const *protocols,
                   const char         *offer,
                   const char         *expected)
{
  g_autoptr(JsonObject) seen = fetch_headers (fixture, "/headers", protocols);
  g_autoptr(JsonObject) open_event = NULL;
  SondeHandshake *handshake;

  g_assert_cmpstr (header_value (seen, "sec-websocket-protocol"), ==, offer);
  if (expected != NULL)
    g_assert_cmpstr (header_value (seen, "subprotocol"), ==, expected);
  else
    g_assert_true (json_object_get_null_member (seen, "subprotocol"));

  g_assert_cmpstr (sonde_connection_get_protocol (fixture->connection), ==, expected);
  handshake = sonde_connection_get_handshake (fixture->connection);
  g_assert_nonnull (handshake);
  g_assert_cmpuint (sonde_handshake_get_status (handshake), ==, 101);
  g_assert_cmpstr (sonde_handshake_get_protocol (handshake), ==, expected);
  g_assert_cmpstr (sonde_handshake_get_response_header_value (handshake, "Sec-WebSocket-Protocol"), ==, expected);

  open_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_OPEN);
  if (expected != NULL)
    g_assert_cmpstr (json_object_get_string_member (open_event, "protocol"), ==, expected);
  else
    g_assert_true (!json_object_has_member (open_event, "protocol") ||
                   json_object_get_null_member (open_event, "protocol"));
}

static void
test_subprotocol (Fixture *fixture)
{
  const char *protocols[] = { "chat.v1", NULL };

  check_subprotocol (fixture, protocols, "chat.v1", "chat.v1");
}

/* The first of our offers that the peer supports, whatever its own order. */
static void
test_subprotocol_first_offer (Fixture *fixture)
{
  const char *protocols[] = { "nope", "chat.v1", "chat.v2", NULL };

  check_subprotocol (fixture, protocols, "nope, chat.v1, chat.v2", "chat.v1");
}

static void
test_subprotocol_none (Fixture *fixture)
{
  const char *protocols[] = { "nope", NULL };

  check_subprotocol (fixture, protocols, "nope", NULL);
  g_assert_cmpstr (sonde_connection_state_to_string (sonde_connection_get_state (fixture->connection)), ==, "open");
}

/* We close; the peer echoes our code and reason back. */
static void
check_client_close (Fixture    *fixture,
                    guint       code,
                    const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) closing_event = NULL;
  SondeRecord record;

  connect_open (fixture, "/echo");
  g_assert_true (sonde_connection_send_text (fixture->connection, "before close", -1, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (count_incoming (fixture->connection) >= 1, WAIT_MS);

  g_assert_true (sonde_connection_close (fixture->connection, code, reason, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);

  assert_clean_close (fixture, code, reason != NULL ? reason : "", "local");
  closing_event = last_event (fixture->connection, SONDE_MESSAGE_KIND_CLOSING);
  g_assert_cmpint (json_object_get_int_member (closing_event, "close_code"), ==, code);
  g_assert_true (nth_record (fixture->connection, SONDE_DIRECTION_IN, 0, &record, NULL));
  assert_record (&record, SONDE_MESSAGE_KIND_TEXT, "before close", strlen ("before close"));

  /* Closed means closed. */
  g_assert_false (sonde_connection_send_text (fixture->connection, "too late", -1, &error));
  g_assert_nonnull (error);
}

static void
test_client_close_1000 (Fixture *fixture)
{
  check_client_close (fixture, 1000, NULL);
}

static void
test_client_close_4001 (Fixture *fixture)
{
  check_client_close (fixture, 4001, "client leaving");
}

/* A Close frame without a status code: the peer answers likewise. */
static void
test_client_close_no_status (Fixture *fixture)
{
  check_client_close (fixture, 1005, NULL);
}

static void
test_client_close_long_reason (Fixture *fixture)
{
  g_autoptr(GString) reason = g_string_new (NULL);

  for (guint i = 0; i < 41; i++)
    g_string_append (reason, "✓");
  g_assert_cmpuint (reason->len, ==, SONDE_CLOSE_REASON_MAX);
  check_client_close (fixture, 4002, reason->str);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  const InteropRun *run = data;
  g_autoptr(GError) error = NULL;

  fixture->peer = sonde_test_peer_start (run->kind, &error);
  if (fixture->peer == NULL)
    g_test_fail_printf ("%s", error->message);
  fixture->connection = sonde_connection_new ();
}

static void
run_case (Fixture       *fixture,
          gconstpointer  data)
{
  const InteropRun *run = data;

  /* The peer did not start: the test has failed already, saying why. */
  if (fixture->peer == NULL)
    return;

  run->test->func (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (sonde_connection_get_state (fixture->connection) == SONDE_CONNECTION_STATE_OPEN)
    sonde_connection_close (fixture->connection, 1000, NULL, NULL);
  SONDE_TEST_ASSERT_WAIT (sonde_test_connection_is_final (fixture->connection), WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&fixture->connection));

  if (fixture->peer != NULL)
    {
      gboolean stopped = sonde_test_peer_stop (fixture->peer, &error);

      g_clear_pointer (&fixture->peer, sonde_test_peer_free);
      g_assert_no_error (error);
      g_assert_true (stopped);
    }
}

static const InteropCase cases[] = {
  { "echo-text", test_echo_text },
  { "echo-binary", test_echo_binary },
  { "echo-empty", test_echo_empty },
  { "echo-1mib", test_echo_1mib },
  { "push-text", test_push_text },
  { "push-binary", test_push_binary },
  { "push-sizes", test_push_sizes },
  { "push-flood", test_push_flood },
  { "client-close-during-flood", test_client_close_during_flood },
  { "push-then-client-close", test_push_then_client_close },
  { "max-message-size", test_max_message_size },
  { "close-1000", test_close_1000 },
  { "close-1001", test_close_1001 },
  { "close-4000", test_close_4000 },
  { "close-long-reason", test_close_long_reason },
  { "unknown-route", test_unknown_route },
  { "drop", test_drop },
  { "headers", test_headers },
  { "subprotocol", test_subprotocol },
  { "subprotocol-first-offer", test_subprotocol_first_offer },
  { "subprotocol-none", test_subprotocol_none },
  { "deflate-declined", test_deflate_declined },
  { "client-close-1000", test_client_close_1000 },
  { "client-close-4001", test_client_close_4001 },
  { "client-close-no-status", test_client_close_no_status },
  { "client-close-long-reason", test_client_close_long_reason },
};

static InteropRun runs[SONDE_TEST_PEER_N_KINDS][G_N_ELEMENTS (cases)];

int
main (int   argc,
      char *argv[])
{
  static const SondeTestPeerKind kinds[] = { SONDE_TEST_PEER_PYTHON, SONDE_TEST_PEER_NODE };

  G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == SONDE_TEST_PEER_N_KINDS);

  sonde_test_init (&argc, &argv);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *path = g_strdup_printf ("/interop/%s/%s",
                                                   sonde_test_peer_kind_to_string (kinds[k]), cases[i].name);

          runs[k][i].kind = kinds[k];
          runs[k][i].test = &cases[i];
          g_test_add (path, Fixture, &runs[k][i], fixture_setup, run_case, fixture_teardown);
        }
    }

  return g_test_run ();
}
