/* test-har.c: records written as HAR 1.2 and read back; HAR files as
 * Chrome and Firefox save them; files that are not HAR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-har-reader.h"
#include "sonde-har-writer.h"

#define BIG (5 * 1024 * 1024)

/* 2026-12-06T04:14:17.000001Z */
#define T0 G_GINT64_CONSTANT (1796530457000001)

static const char handshake_json[] =
  "{\"url\":\"wss://example.test/feed?room=1&x=a%20b\","
  "\"request\":{\"line\":\"GET /feed?room=1&x=a%20b HTTP/1.1\","
  "\"headers\":{\"Host\":\"example.test\",\"Upgrade\":\"websocket\",\"Sec-WebSocket-Version\":\"13\"}},"
  "\"status\":101,\"reason_phrase\":\"Switching Protocols\","
  "\"headers\":{\"Upgrade\":\"websocket\",\"Connection\":\"Upgrade\"},"
  "\"protocol\":null,\"extensions\":null,"
  "\"timings\":{\"dns_ms\":1.5,\"connect_ms\":2.25,\"tls_ms\":0,\"upgrade_ms\":3,\"total_ms\":6.75}}";

typedef struct {
  SondeRecord record;
  guint8     *owned;
} TestRecord;

static void
add_record (GArray           *records,
            SondeDirection    direction,
            SondeMessageKind  kind,
            gint64            wall_us,
            const void       *data,
            gsize             size)
{
  TestRecord r = { { 0 }, NULL };

  r.owned = g_malloc (size + 1);
  if (size > 0)
    memcpy (r.owned, data, size);
  r.record.seq = records->len;
  r.record.wall_us = wall_us;
  r.record.direction = direction;
  r.record.kind = kind;
  r.record.size = size;
  r.record.stored_size = size;
  r.record.data = r.owned;
  g_array_append_val (records, r);
}

static void
clear_test_record (gpointer data)
{
  g_free (((TestRecord *) data)->owned);
}

static GArray *
make_records (void)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (TestRecord));
  static const guint8 with_nul[] = { 0x00, 0x01, 0xff, 0x00, 'a', 0x00 };
  g_autofree guint8 *big = g_malloc (BIG);
  g_autofree char *big_text = g_malloc (BIG);

  g_array_set_clear_func (records, clear_test_record);
  for (gsize i = 0; i < BIG; i++)
    {
      big[i] = (guint8) (i * 7 + (i >> 11));
      big_text[i] = "abcdefghijklmnopqrstuvwxyz \"\\\n{}"[i % 32];
    }

  add_record (records, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CONNECTING, T0 - 10, "{\"url\":null}", 12);
  add_record (records, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_HANDSHAKE, T0 - 5, handshake_json,
              strlen (handshake_json));
  add_record (records, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, T0, "{\"op\":\"subscribe\"}", 18);
  add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 999999, "héllo “world” ✓", strlen ("héllo “world” ✓"));
  add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, T0 + 1000000, with_nul, sizeof with_nul);
  add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, T0 + 1000001, "p", 1);
  add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 1000002, "", 0);
  add_record (records, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY, T0 + 1000003, "", 0);
  add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, T0 + 2123457, big, BIG);
  add_record (records, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, T0 + 3999999, big_text, BIG);
  add_record (records, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE, T0 + 5000000, "{\"close_code\":1000}", 19);
  return records;
}

static GBytes *
write_har (GArray     *records,
           const char *url,
           gint64      start_us)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(SondeHarWriter) writer = sonde_har_writer_new (out, url, start_us);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < records->len; i++)
    {
      g_assert_true (sonde_har_writer_add (writer, &g_array_index (records, TestRecord, i).record, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (sonde_har_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_round_trip (void)
{
  g_autoptr(GArray) records = make_records ();
  g_autoptr(GBytes) har = write_har (records, "wss://example.test/feed?room=1&x=a%20b", 0);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  SondeImportedSession *session;
  guint n = 0;

  sessions = sonde_har_reader_read_data (g_bytes_get_data (har, NULL), g_bytes_get_size (har), &error);
  g_assert_no_error (error);
  g_assert_nonnull (sessions);
  g_assert_cmpuint (sessions->len, ==, 1);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpstr (sonde_imported_session_get_url (session), ==, "wss://example.test/feed?room=1&x=a%20b");
  /* The handshake's time when no start is given. */
  g_assert_cmpint (sonde_imported_session_get_start_us (session), ==, T0 - 5);

  for (guint i = 0; i < records->len; i++)
    {
      const SondeRecord *want = &g_array_index (records, TestRecord, i).record;
      const SondeRecord *got;

      if (want->kind != SONDE_MESSAGE_KIND_TEXT && want->kind != SONDE_MESSAGE_KIND_BINARY)
        continue;
      g_assert_cmpuint (n, <, sonde_imported_session_get_n_records (session));
      got = sonde_imported_session_get_record (session, n++);
      g_assert_cmpint (got->direction, ==, want->direction);
      g_assert_cmpint (got->kind, ==, want->kind);
      g_assert_cmpint (got->wall_us, ==, want->wall_us);
      g_assert_cmpuint (got->size, ==, want->size);
      g_assert_nonnull (got->data);
      g_assert_cmpmem (got->data, got->stored_size, want->data, want->stored_size);
    }
  g_assert_cmpuint (n, ==, 7);
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, n);
}

/* Every microsecond survives epoch seconds written as decimals and read
 * as doubles: times spread over a second, in 2026 and in 2037. */
static void
test_times (void)
{
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (TestRecord));
  g_autoptr(GBytes) har = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  SondeImportedSession *session;
  const gint64 bases[] = { T0 - 1, G_GINT64_CONSTANT (2145916799) * G_USEC_PER_SEC };

  g_array_set_clear_func (records, clear_test_record);
  for (guint b = 0; b < G_N_ELEMENTS (bases); b++)
    for (gint64 us = 0; us < G_USEC_PER_SEC; us += 37)
      add_record (records, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, bases[b] + us, "", 0);
  har = write_har (records, "ws://a/", 0);
  sessions = sonde_har_reader_read_data (g_bytes_get_data (har, NULL), g_bytes_get_size (har), &error);
  g_assert_no_error (error);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, records->len);
  for (guint i = 0; i < records->len; i++)
    g_assert_cmpint (sonde_imported_session_get_record (session, i)->wall_us, ==,
                     g_array_index (records, TestRecord, i).record.wall_us);
}

static JsonObject *
parse_entry (GBytes    *har,
             JsonNode **root_out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *log;

  json_parser_load_from_data (parser, g_bytes_get_data (har, NULL), (gssize) g_bytes_get_size (har), &error);
  g_assert_no_error (error);
  *root_out = json_node_ref (json_parser_get_root (parser));
  log = json_object_get_object_member (json_node_get_object (*root_out), "log");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (log, "creator"), "name"), ==, "Sonde");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (log, "entries")), ==, 1);
  return json_array_get_object_element (json_object_get_array_member (log, "entries"), 0);
}

/* What HAR 1.2 requires of an entry, and Chrome's extension. */
static void
test_shape (void)
{
  g_autoptr(GArray) records = make_records ();
  g_autoptr(GBytes) har = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *entry;
  JsonObject *request;
  JsonObject *response;
  JsonObject *timings;
  JsonArray *headers;
  JsonArray *query;
  JsonArray *messages;
  JsonObject *message;

  g_array_set_size (records, 9);   /* up to the 5 MiB binary */
  har = write_har (records, NULL, T0 - 20);
  entry = parse_entry (har, &root);

  g_assert_cmpstr (json_object_get_string_member (entry, "startedDateTime"), ==, "2026-12-06T04:14:16.999981Z");
  g_assert_cmpfloat (json_object_get_double_member (entry, "time"), ==, 6.75);
  g_assert_cmpstr (json_object_get_string_member (entry, "_resourceType"), ==, "websocket");
  g_assert_true (json_object_has_member (entry, "cache"));

  request = json_object_get_object_member (entry, "request");
  g_assert_cmpstr (json_object_get_string_member (request, "method"), ==, "GET");
  /* The URL from the handshake when the caller gives none. */
  g_assert_cmpstr (json_object_get_string_member (request, "url"), ==, "wss://example.test/feed?room=1&x=a%20b");
  g_assert_cmpstr (json_object_get_string_member (request, "httpVersion"), ==, "HTTP/1.1");
  g_assert_cmpint (json_object_get_int_member (request, "headersSize"), ==, -1);
  g_assert_cmpint (json_object_get_int_member (request, "bodySize"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (request, "cookies")), ==, 0);
  headers = json_object_get_array_member (request, "headers");
  g_assert_cmpuint (json_array_get_length (headers), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (headers, 1), "name"), ==, "Upgrade");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (headers, 1), "value"), ==, "websocket");
  query = json_object_get_array_member (request, "queryString");
  g_assert_cmpuint (json_array_get_length (query), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (query, 1), "value"), ==, "a b");

  response = json_object_get_object_member (entry, "response");
  g_assert_cmpint (json_object_get_int_member (response, "status"), ==, 101);
  g_assert_cmpstr (json_object_get_string_member (response, "statusText"), ==, "Switching Protocols");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response, "headers")), ==, 2);
  g_assert_true (json_object_has_member (json_object_get_object_member (response, "content"), "mimeType"));
  g_assert_true (json_object_has_member (response, "redirectURL"));

  timings = json_object_get_object_member (entry, "timings");
  g_assert_cmpfloat (json_object_get_double_member (timings, "dns"), ==, 1.5);
  g_assert_cmpfloat (json_object_get_double_member (timings, "connect"), ==, 2.25);
  g_assert_cmpfloat (json_object_get_double_member (timings, "wait"), ==, 3);
  g_assert_true (json_object_has_member (timings, "send"));
  g_assert_true (json_object_has_member (timings, "receive"));

  messages = json_object_get_array_member (entry, "_webSocketMessages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 6);
  message = json_array_get_object_element (messages, 0);
  g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, "send");
  g_assert_cmpint (json_object_get_int_member (message, "opcode"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message, "data"), ==, "{\"op\":\"subscribe\"}");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (message, "time"), 1796530457.000001, 1e-6);
  message = json_array_get_object_element (messages, 2);
  g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, "receive");
  g_assert_cmpint (json_object_get_int_member (message, "opcode"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (message, "data"), ==, "AAH/AGEA");
}

/* Nothing but the URL: still a valid document, with no message. */
static void
test_empty (void)
{
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (TestRecord));
  g_autoptr(GBytes) har = write_har (records, "ws://127.0.0.1:1/", T0);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *entry = parse_entry (har, &root);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "_webSocketMessages")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (entry, "response"), "status"), ==, 101);

  sessions = sonde_har_reader_read_data (g_bytes_get_data (har, NULL), g_bytes_get_size (har), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpuint (sonde_imported_session_get_n_records (g_ptr_array_index (sessions, 0)), ==, 0);
  g_assert_cmpint (sonde_imported_session_get_start_us (g_ptr_array_index (sessions, 0)), ==, T0);
}

/* Written by hand after Chrome DevTools' "Save all as HAR" (Chrome 76 and
 * later): a page, an ordinary request, and a WebSocket entry whose
 * messages carry type, time (epoch seconds, a double), opcode and data. */
static const char chrome_har[] =
  "{\n"
  "  \"log\": {\n"
  "    \"version\": \"1.2\",\n"
  "    \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n"
  "    \"pages\": [{\"startedDateTime\": \"2026-12-06T04:14:15.100Z\", \"id\": \"page_1\",\n"
  "                 \"title\": \"http://localhost:8000/\", \"pageTimings\": {\"onContentLoad\": 50.1, \"onLoad\": 60.2}}],\n"
  "    \"entries\": [\n"
  "      {\n"
  "        \"_initiator\": {\"type\": \"other\"}, \"_priority\": \"VeryHigh\", \"_resourceType\": \"document\",\n"
  "        \"cache\": {}, \"connection\": \"1\", \"pageref\": \"page_1\",\n"
  "        \"request\": {\"method\": \"GET\", \"url\": \"http://localhost:8000/\", \"httpVersion\": \"HTTP/1.1\",\n"
  "                    \"headers\": [], \"queryString\": [], \"cookies\": [], \"headersSize\": 400, \"bodySize\": 0},\n"
  "        \"response\": {\"status\": 200, \"statusText\": \"OK\", \"httpVersion\": \"HTTP/1.1\", \"headers\": [],\n"
  "                     \"cookies\": [], \"content\": {\"size\": 10, \"mimeType\": \"text/html\", \"text\": \"<p>hi</p>\\n\"},\n"
  "                     \"redirectURL\": \"\", \"headersSize\": 100, \"bodySize\": 10, \"_transferSize\": 110, \"_error\": null},\n"
  "        \"serverIPAddress\": \"127.0.0.1\", \"startedDateTime\": \"2026-12-06T04:14:15.101Z\", \"time\": 5.2,\n"
  "        \"timings\": {\"blocked\": 1.1, \"dns\": -1, \"ssl\": -1, \"connect\": -1, \"send\": 0.1, \"wait\": 3.2,\n"
  "                    \"receive\": 0.8, \"_blocked_queueing\": 0.5}\n"
  "      },\n"
  "      {\n"
  "        \"_initiator\": {\"type\": \"script\"}, \"_priority\": \"Low\", \"_resourceType\": \"websocket\",\n"
  "        \"cache\": {}, \"connection\": \"2\", \"pageref\": \"page_1\",\n"
  "        \"request\": {\"method\": \"GET\", \"url\": \"ws://localhost:8000/ws\", \"httpVersion\": \"HTTP/1.1\",\n"
  "                    \"headers\": [{\"name\": \"Upgrade\", \"value\": \"websocket\"}], \"queryString\": [],\n"
  "                    \"cookies\": [], \"headersSize\": 500, \"bodySize\": 0},\n"
  "        \"response\": {\"status\": 101, \"statusText\": \"Switching Protocols\", \"httpVersion\": \"HTTP/1.1\",\n"
  "                     \"headers\": [{\"name\": \"Upgrade\", \"value\": \"websocket\"}], \"cookies\": [],\n"
  "                     \"content\": {\"size\": 0, \"mimeType\": \"x-unknown\"}, \"redirectURL\": \"\",\n"
  "                     \"headersSize\": 129, \"bodySize\": 0, \"_transferSize\": 129, \"_error\": null},\n"
  "        \"serverIPAddress\": \"127.0.0.1\", \"startedDateTime\": \"2026-12-06T04:14:16.250Z\", \"time\": 2.9,\n"
  "        \"timings\": {\"blocked\": -1, \"dns\": -1, \"ssl\": -1, \"connect\": -1, \"send\": 0, \"wait\": 2.9,\n"
  "                    \"receive\": 0},\n"
  "        \"_webSocketMessages\": [\n"
  "          {\"type\": \"send\", \"time\": 1796530456.301234, \"opcode\": 1, \"data\": \"{\\\"hello\\\":1}\"},\n"
  "          {\"type\": \"receive\", \"time\": 1796530456.3025, \"opcode\": 1, \"data\": \"caf\\u00e9\"},\n"
  "          {\"type\": \"receive\", \"time\": 1796530457, \"opcode\": 2, \"data\": \"3q2+7wA=\"}\n"
  "        ]\n"
  "      }\n"
  "    ]\n"
  "  }\n"
  "}\n";

/* After Firefox's "Save All As HAR": no "_resourceType", dates with an
 * offset, and the WebSocket messages in the same "_webSocketMessages"
 * array. Also what other tools add: close and ping frames (opcode 8, 9),
 * a quoted time, no opcode at all (text). */
static const char firefox_har[] =
  "{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"Firefox\", \"version\": \"128.0\"},\n"
  " \"browser\": {\"name\": \"Firefox\", \"version\": \"128.0\"},\n"
  " \"pages\": [{\"startedDateTime\": \"2026-12-06T05:14:15.000+01:00\", \"id\": \"page_1\", \"title\": \"t\",\n"
  "            \"pageTimings\": {\"onContentLoad\": -1, \"onLoad\": -1}}],\n"
  " \"entries\": [\n"
  "  {\"pageref\": \"page_1\", \"startedDateTime\": \"2026-12-06T05:14:16.500+01:00\",\n"
  "   \"request\": {\"bodySize\": 0, \"method\": \"GET\", \"url\": \"wss://echo.example/a\", \"httpVersion\": \"HTTP/1.1\",\n"
  "               \"headers\": [{\"name\": \"Sec-WebSocket-Version\", \"value\": \"13\"}], \"cookies\": [], \"queryString\": [],\n"
  "               \"headersSize\": 300},\n"
  "   \"response\": {\"status\": 101, \"statusText\": \"Switching Protocols\", \"httpVersion\": \"HTTP/1.1\",\n"
  "                \"headers\": [], \"cookies\": [], \"content\": {\"mimeType\": \"\", \"size\": 0}, \"redirectURL\": \"\",\n"
  "                \"headersSize\": 200, \"bodySize\": 0},\n"
  "   \"cache\": {}, \"timings\": {\"blocked\": 0, \"dns\": 0, \"connect\": 0, \"ssl\": 0, \"send\": 0, \"wait\": 20, \"receive\": 0},\n"
  "   \"time\": 20, \"_securityState\": \"secure\", \"serverIPAddress\": \"192.0.2.1\", \"connection\": \"443\",\n"
  "   \"_webSocketMessages\": [\n"
  "     {\"type\": \"send\", \"time\": 1796530456.6, \"opcode\": 1, \"data\": \"ping me\"},\n"
  "     {\"type\": \"receive\", \"time\": \"1796530456.700001\", \"data\": \"ping me\"},\n"
  "     {\"type\": \"receive\", \"time\": 1796530456.8, \"opcode\": 9, \"data\": \"\"},\n"
  "     {\"type\": \"send\", \"time\": 1796530456.9, \"opcode\": 2, \"data\": \"\"},\n"
  "     {\"type\": \"send\", \"time\": 1796530457.0, \"opcode\": 8, \"data\": \"A+g=\"}\n"
  "   ]}\n"
  " ]}}\n";

static void
test_chrome (void)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  SondeImportedSession *session;
  const SondeRecord *r;

  sessions = sonde_har_reader_read_data (chrome_har, strlen (chrome_har), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpstr (sonde_imported_session_get_url (session), ==, "ws://localhost:8000/ws");
  g_assert_cmpint (sonde_imported_session_get_start_us (session), ==, G_GINT64_CONSTANT (1796530456250000));
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, 3);

  r = sonde_imported_session_get_record (session, 0);
  g_assert_cmpint (r->direction, ==, SONDE_DIRECTION_OUT);
  g_assert_cmpint (r->kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpint (r->wall_us, ==, G_GINT64_CONSTANT (1796530456301234));
  g_assert_cmpmem (r->data, r->stored_size, "{\"hello\":1}", 11);
  r = sonde_imported_session_get_record (session, 1);
  g_assert_cmpint (r->direction, ==, SONDE_DIRECTION_IN);
  g_assert_cmpint (r->wall_us, ==, G_GINT64_CONSTANT (1796530456302500));
  g_assert_cmpmem (r->data, r->stored_size, "caf\xc3\xa9", 5);
  r = sonde_imported_session_get_record (session, 2);
  g_assert_cmpint (r->kind, ==, SONDE_MESSAGE_KIND_BINARY);
  g_assert_cmpint (r->wall_us, ==, G_GINT64_CONSTANT (1796530457000000));
  g_assert_cmpmem (r->data, r->stored_size, "\xde\xad\xbe\xef\x00", 5);
  g_assert_cmpuint (r->size, ==, 5);
}

static void
test_firefox (void)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  SondeImportedSession *session;
  const SondeRecord *r;

  sessions = sonde_har_reader_read_data (firefox_har, strlen (firefox_har), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  session = g_ptr_array_index (sessions, 0);
  g_assert_cmpstr (sonde_imported_session_get_url (session), ==, "wss://echo.example/a");
  /* 05:14:16.5+01:00 is 04:14:16.5Z. */
  g_assert_cmpint (sonde_imported_session_get_start_us (session), ==, G_GINT64_CONSTANT (1796530456500000));
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, 3);

  r = sonde_imported_session_get_record (session, 0);
  g_assert_cmpint (r->direction, ==, SONDE_DIRECTION_OUT);
  g_assert_cmpint (r->wall_us, ==, G_GINT64_CONSTANT (1796530456600000));
  r = sonde_imported_session_get_record (session, 1);
  g_assert_cmpint (r->direction, ==, SONDE_DIRECTION_IN);
  g_assert_cmpint (r->kind, ==, SONDE_MESSAGE_KIND_TEXT);
  g_assert_cmpint (r->wall_us, ==, G_GINT64_CONSTANT (1796530456700001));
  g_assert_cmpmem (r->data, r->stored_size, "ping me", 7);
  r = sonde_imported_session_get_record (session, 2);
  g_assert_cmpint (r->kind, ==, SONDE_MESSAGE_KIND_BINARY);
  g_assert_cmpuint (r->stored_size, ==, 0);
}

static void
assert_invalid (const char *text,
                gint        code,
                const char *fragment)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;

  sessions = sonde_har_reader_read_data (text, strlen (text), &error);
  g_assert_null (sessions);
  g_assert_error (error, SONDE_IMPORT_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, fragment);
}

static void
test_invalid (void)
{
  g_autofree char *deep = NULL;
  g_autoptr(GString) half = g_string_new (chrome_har);

  assert_invalid ("{\"log\": {\n  \"entries\": [\n    x]}}", SONDE_IMPORT_ERROR_INVALID_JSON, "3:5");
  assert_invalid ("", SONDE_IMPORT_ERROR_INVALID_JSON, "JSON");
  assert_invalid ("[1, 2]", SONDE_IMPORT_ERROR_NOT_HAR, "HAR");
  assert_invalid ("{\"log\": {\"entries\": {}}}", SONDE_IMPORT_ERROR_NOT_HAR, "entries");
  assert_invalid ("{\"log\": {\"entries\": [3]}}", SONDE_IMPORT_ERROR_NOT_HAR, "entry 1");
  assert_invalid ("{\"log\": {\"version\": \"1.2\", \"entries\": [{\"request\": {\"url\": \"http://a/\"}}]}}",
                  SONDE_IMPORT_ERROR_NO_WEBSOCKET, "WebSocket");
  assert_invalid ("{\"log\": {\"entries\": [{\"_webSocketMessages\": [{\"type\": \"receive\", \"time\": 1, "
                  "\"opcode\": 2, \"data\": \"AA=A\"}]}]}}", SONDE_IMPORT_ERROR_INVALID_RECORD, "base64");
  assert_invalid ("{\"log\": {\"entries\": [{}, {\"_webSocketMessages\": [{\"time\": 1, \"type\": \"receive\"}, "
                  "{\"type\": \"sent\", \"time\": 1}]}]}}", SONDE_IMPORT_ERROR_INVALID_RECORD, "entry 2, WebSocket message 2");
  assert_invalid ("{\"log\": {\"entries\": [{\"_webSocketMessages\": [{\"type\": \"send\", \"time\": true}]}]}}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "time");
  assert_invalid ("{\"log\": {\"entries\": [{\"_webSocketMessages\": [{\"type\": \"send\", \"time\": 1, \"data\": 5}]}]}}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "data");

  assert_invalid ("{\"log\": {\"entries\": [{\"_webSocketMessages\": [{\"type\": \"send\", \"time\": 1, \"data\": \"\n\\ud83d$\\ude00{\\\"o\"}]}]}}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "UTF-8");

  /* Nested past any real file: refused before json-glib recurses. */
  deep = g_strnfill (100000, '[');
  assert_invalid (deep, SONDE_IMPORT_ERROR_TOO_DEEP, "deep");

  /* Values packed denser than any export (json-glib's tree of them would
   * be about 100 times the file): refused. */
  {
    g_autoptr(GString) dense = g_string_new ("{\"log\": {\"entries\": [{\"_webSocketMessages\": [");

    for (guint i = 0; i < 100000; i++)
      g_string_append (dense, i ? ",{}" : "{}");
    g_string_append (dense, "]}]}}");
    assert_invalid (dense->str, SONDE_IMPORT_ERROR_TOO_DEEP, "packs more JSON values");
  }

  /* A file cut short: nothing of the sessions before the cut comes back. */
  g_string_truncate (half, half->len - 40);
  assert_invalid (half->str, SONDE_IMPORT_ERROR_INVALID_JSON, "JSON");
}

static void
test_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("test-har-XXXXXX.har", &io, &error);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GFile) missing = NULL;

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io)), chrome_har,
                                            strlen (chrome_har), NULL, NULL, &error));
  g_assert_true (g_io_stream_close (G_IO_STREAM (io), NULL, &error));
  sessions = sonde_har_reader_read_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_file_delete (file, NULL, NULL);

  missing = g_file_get_child (file, "none");
  g_assert_null (sonde_har_reader_read_file (missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/har/round-trip", test_round_trip);
  g_test_add_func ("/har/times", test_times);
  g_test_add_func ("/har/shape", test_shape);
  g_test_add_func ("/har/empty", test_empty);
  g_test_add_func ("/har/chrome", test_chrome);
  g_test_add_func ("/har/firefox", test_firefox);
  g_test_add_func ("/har/invalid", test_invalid);
  g_test_add_func ("/har/file", test_file);

  return g_test_run ();
}
