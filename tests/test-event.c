/* test-event.c: sonde_event_describe(), an event record in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The payloads here are those the link and the connection write for each
 * kind of event (test-link checks the link writes them so).
 */

#include "config.h"

#include <string.h>

#include "sonde-event.h"
#include "sonde-message-log.h"
#include "sonde-test-util.h"

static char *
describe (SondeMessageKind  kind,
          const char       *payload)
{
  SondeRecord record = { 0 };

  record.direction = SONDE_DIRECTION_EVENT;
  record.kind = kind;
  record.size = record.stored_size = strlen (payload);
  record.data = (const guint8 *) payload;
  return sonde_event_describe (&record);
}

typedef struct {
  SondeMessageKind  kind;
  const char       *payload;
  const char       *expected;
} Case;

static void
check_cases (const Case *cases,
             guint       n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *text = describe (cases[i].kind, cases[i].payload);

      if (g_strcmp0 (text, cases[i].expected) != 0)
        g_error ("%s %s: “%s”, expected “%s”", sonde_message_kind_to_string (cases[i].kind),
                 cases[i].payload, text, cases[i].expected);
    }
}

static void
test_connecting (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_CONNECTING, "{\"url\":\"wss://example.com/feed?token=[redacted]\"}",
      "Connecting to wss://example.com/feed?token=[redacted]" },
    { SONDE_MESSAGE_KIND_CONNECTING, "{}", "Connecting to " },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_handshake (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_HANDSHAKE,
      "{\"url\":\"ws://h/\",\"status\":101,\"reason_phrase\":\"Switching Protocols\",\"protocol\":\"chat.v2\","
      "\"timings\":{\"dns_ms\":null,\"total_ms\":12.6}}",
      "HTTP 101 Switching Protocols · subprotocol chat.v2 · 13 ms" },
    /* No subprotocol (null, as sonde_handshake_to_json() writes it), no
     * time: only the status line. */
    { SONDE_MESSAGE_KIND_HANDSHAKE,
      "{\"status\":401,\"reason_phrase\":\"Unauthorized\",\"protocol\":null,\"timings\":{\"total_ms\":null}}",
      "HTTP 401 Unauthorized" },
    { SONDE_MESSAGE_KIND_HANDSHAKE, "{\"status\":503,\"reason_phrase\":\"Service Unavailable\"}",
      "HTTP 503 Service Unavailable" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_open (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_OPEN, "{\"protocol\":null,\"extensions\":null}", "Open" },
    { SONDE_MESSAGE_KIND_OPEN, "{\"protocol\":\"mqtt\"}", "Open · subprotocol mqtt" },
    { SONDE_MESSAGE_KIND_OPEN, "{\"protocol\":\"mqtt\",\"extensions\":\"permessage-deflate\"}",
      "Open · subprotocol mqtt · extensions permessage-deflate" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_closing (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_CLOSING, "{\"initiator\":\"local\",\"close_code\":1000}", "Closing (we sent 1000)" },
    { SONDE_MESSAGE_KIND_CLOSING, "{\"initiator\":\"local\",\"close_code\":1002}", "Closing (we sent 1002)" },
    { SONDE_MESSAGE_KIND_CLOSING, "{\"initiator\":\"peer\",\"close_code\":1001}", "Closing (the server sent a Close frame)" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_close (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_CLOSE,
      "{\"close_code\":1000,\"close_reason\":\"bye\",\"meaning\":\"Normal closure\",\"initiator\":\"local\","
      "\"clean\":true,\"requested\":true}",
      "Closed 1000 Normal closure · reason “bye” · by us" },
    { SONDE_MESSAGE_KIND_CLOSE, "{\"close_code\":1001,\"close_reason\":\"\",\"initiator\":\"peer\",\"clean\":true}",
      "Closed 1001 Going away · by the server" },
    { SONDE_MESSAGE_KIND_CLOSE, "{\"close_code\":4000,\"close_reason\":\"app says bye\",\"initiator\":\"peer\"}",
      "Closed 4000 Application-defined (4000–4999) · reason “app says bye” · by the server" },
    { SONDE_MESSAGE_KIND_CLOSE,
      "{\"close_code\":1006,\"close_reason\":\"\",\"initiator\":\"peer\",\"clean\":false,"
      "\"note\":\"The connection ended without a Close frame\"}",
      "Closed 1006 Abnormal closure: the connection ended without a Close frame · by the server" },
    { SONDE_MESSAGE_KIND_CLOSE, "{\"close_code\":1005,\"close_reason\":\"\",\"initiator\":\"peer\",\"invalid\":true}",
      "Closed 1005 No status code received · by the server · invalid close code" },
    /* The peer's reason is escaped: no line breaks or controls in a row. */
    { SONDE_MESSAGE_KIND_CLOSE, "{\"close_code\":1000,\"close_reason\":\"two\\nlines\\u0007\",\"initiator\":\"peer\"}",
      "Closed 1000 Normal closure · reason “two\\nlines\\x07” · by the server" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

/* A reason as long as a Close frame allows is cut, not shown whole. */
static void
test_close_long_reason (void)
{
  g_autofree char *reason = g_strnfill (2000, 'r');
  g_autofree char *payload = g_strdup_printf ("{\"close_code\":1000,\"close_reason\":\"%s\",\"initiator\":\"peer\"}", reason);
  g_autofree char *text = describe (SONDE_MESSAGE_KIND_CLOSE, payload);

  g_assert_true (g_str_has_prefix (text, "Closed 1000 Normal closure · reason “rrrr"));
  g_assert_true (g_str_has_suffix (text, " · by the server"));
  g_assert_cmpuint (strlen (text), <, 700);
}

static void
test_error_and_failed (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_ERROR, "{\"error\":\"Message too big\",\"error_domain\":\"soup-websocket-error-quark\",\"error_code\":1009}",
      "Error: Message too big" },
    { SONDE_MESSAGE_KIND_FAILED,
      "{\"error\":\"Handshake refused: HTTP 503 Service Unavailable\",\"status\":503,\"retry_after_ms\":7000,"
      "\"permanent\":false}",
      "Failed: Handshake refused: HTTP 503 Service Unavailable" },
    { SONDE_MESSAGE_KIND_FAILED, "{\"error\":\"a\\r\\nb\"}", "Failed: a\\r\\nb" },
    { SONDE_MESSAGE_KIND_ERROR, "{}", "Error: " },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_reconnect (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_RECONNECT,
      "{\"scheduled\":true,\"delay_ms\":1500,\"attempt\":2,\"cause\":\"The connection ended without a Close frame\"}",
      "Reconnecting in 1.5 s (attempt 2): The connection ended without a Close frame" },
    { SONDE_MESSAGE_KIND_RECONNECT, "{\"scheduled\":true,\"delay_ms\":60000,\"attempt\":11,\"cause\":\"x\"}",
      "Reconnecting in 60.0 s (attempt 11): x" },
    /* Not scheduled: "stopped" says why, "cause" what ended the
     * connection. */
    { SONDE_MESSAGE_KIND_RECONNECT,
      "{\"scheduled\":false,\"attempt\":5,\"stopped\":\"max_attempts\",\"cause\":\"closed with 1006\"}",
      "Gave up after 5 attempts: closed with 1006" },
    { SONDE_MESSAGE_KIND_RECONNECT,
      "{\"scheduled\":false,\"attempt\":1,\"stopped\":\"max_attempts\",\"cause\":\"closed with 1006\"}",
      "Gave up after 1 attempt: closed with 1006" },
    { SONDE_MESSAGE_KIND_RECONNECT,
      "{\"scheduled\":false,\"attempt\":0,\"stopped\":\"permanent\",\"cause\":\"HTTP 401 Unauthorized\"}",
      "Not reconnecting: HTTP 401 Unauthorized (retrying cannot change that)" },
    { SONDE_MESSAGE_KIND_RECONNECT, "{\"cause\":\"no retry after HTTP 401\"}", "no retry after HTTP 401" },
    /* The old name means nothing now. */
    { SONDE_MESSAGE_KIND_RECONNECT, "{\"reason\":\"old\"}", "" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_gap (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_GAP, "{\"duration_ms\":2500,\"attempts\":1,\"cause\":\"dropped\"}",
      "Back after 2.5 s and 1 attempt · the outage began with: dropped" },
    { SONDE_MESSAGE_KIND_GAP, "{\"duration_ms\":12340,\"attempts\":3,\"cause\":\"dropped\"}",
      "Back after 12.3 s and 3 attempts · the outage began with: dropped" },
    /* The recorder's gaps are not outages. */
    { SONDE_MESSAGE_KIND_GAP, "{\"cause\":\"recording skipped 1 messages\",\"recording_skipped\":1}",
      "Recording skipped 1 message: the disk fell behind (the log has it)" },
    { SONDE_MESSAGE_KIND_GAP, "{\"cause\":\"recording skipped 4096 messages\",\"recording_skipped\":4096}",
      "Recording skipped 4096 messages: the disk fell behind (the log has them)" },
    { SONDE_MESSAGE_KIND_GAP, "{\"cause\":\"recording stopped\",\"recording_stopped\":true}",
      "Recording stopped here: the disk failed or is full; nothing after this was recorded" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_latency (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_LATENCY, "{\"rtt_ms\":12.34}", "Round trip 12.3 ms (latency probe)" },
    { SONDE_MESSAGE_KIND_LATENCY, "{\"rtt_ms\":0.06}", "Round trip 0.1 ms (latency probe)" },
    { SONDE_MESSAGE_KIND_LATENCY, "{}", "Round trip 0.0 ms (latency probe)" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

/* A payload that is not a JSON object (cut by the log's byte limit, say)
 * still gives a line: the kind's name. */
static void
test_unreadable_payload (void)
{
  static const Case cases[] = {
    { SONDE_MESSAGE_KIND_CLOSE, "", "close" },
    { SONDE_MESSAGE_KIND_CLOSE, "{\"close_code\":10", "close" },
    { SONDE_MESSAGE_KIND_OPEN, "[1,2]", "open" },
    { SONDE_MESSAGE_KIND_FAILED, "\"a string\"", "failed" },
    { SONDE_MESSAGE_KIND_TEXT, "{\"a\":1}", "text" },
    { SONDE_MESSAGE_KIND_BINARY, "{}", "binary" },
  };
  SondeRecord record = { 0 };
  const char *payload = "{\"close_code\":1000,\"close_reason\":\"bye\"}";
  g_autofree char *text = NULL;

  check_cases (cases, G_N_ELEMENTS (cases));

  /* Only the stored bytes are read. */
  record.direction = SONDE_DIRECTION_EVENT;
  record.kind = SONDE_MESSAGE_KIND_CLOSE;
  record.size = strlen (payload);
  record.stored_size = 12;
  record.flags = SONDE_RECORD_FLAG_TRUNCATED;
  record.data = (const guint8 *) payload;
  text = sonde_event_describe (&record);
  g_assert_cmpstr (text, ==, "close");
}

/* Records read back from a log are described the same. */
static void
test_from_log (void)
{
  g_autoptr(SondeMessageLog) log = sonde_message_log_new ();
  const char *payload = "{\"close_code\":1001,\"close_reason\":\"restart\",\"initiator\":\"peer\"}";
  SondeRecord record;
  g_autofree char *text = NULL;

  sonde_message_log_append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE,
                            g_get_real_time (), g_get_monotonic_time (), payload, strlen (payload));
  g_assert_true (sonde_message_log_get_record (log, 0, &record));
  text = sonde_event_describe (&record);
  g_assert_cmpstr (text, ==, "Closed 1001 Going away · reason “restart” · by the server");
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/event/connecting", test_connecting);
  g_test_add_func ("/event/handshake", test_handshake);
  g_test_add_func ("/event/open", test_open);
  g_test_add_func ("/event/closing", test_closing);
  g_test_add_func ("/event/close", test_close);
  g_test_add_func ("/event/close-long-reason", test_close_long_reason);
  g_test_add_func ("/event/error-and-failed", test_error_and_failed);
  g_test_add_func ("/event/reconnect", test_reconnect);
  g_test_add_func ("/event/gap", test_gap);
  g_test_add_func ("/event/latency", test_latency);
  g_test_add_func ("/event/unreadable-payload", test_unreadable_payload);
  g_test_add_func ("/event/from-log", test_from_log);

  return g_test_run ();
}
