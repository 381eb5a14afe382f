/* test-jsonl-reader.c: Sonde's JSON Lines read back into records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-jsonl-reader.h"

/* 2026-12-06T04:14:17.000001Z */
#define T0 G_GINT64_CONSTANT (1796530457000001)

typedef struct {
  SondeDirection    direction;
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
  const char       *data;
  gsize             stored_size;   /* 0: strlen (data) */
  gsize             size;          /* 0: stored_size */
} Input;

static const Input inputs[] = {
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CONNECTING, 0, "{\"url\":\"wss://example.test/a?b=1\"}", 0, 0 },
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_HANDSHAKE, 0,
    "{\"url\":\"wss://example.test/a?b=1\",\"request\":{\"line\":\"GET /a?b=1 HTTP/1.1\",\"headers\":{\"Host\":\"example.test\"}},"
    "\"status\":101,\"reason_phrase\":\"Switching Protocols\",\"headers\":{},\"protocol\":null,\"extensions\":null,"
    "\"timings\":{\"dns_ms\":0.5,\"connect_ms\":1,\"tls_ms\":0,\"upgrade_ms\":2.125,\"total_ms\":3.625}}", 0, 0 },
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, 0, "{\"protocol\":\"chat\",\"extensions\":\"caf\\u00e9 \\\"x\\\"\"}", 0, 0 },
  { SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_AUTOMATIC, "{\"op\":\"hello\"}", 0, 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_COMPRESSED | SONDE_RECORD_FLAG_FRAGMENTED,
    "a\0b \"quoted\" \\ é ✓ \t\n\x01", 24, 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, 0, "", 0, 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, 0, "\0\xff\0\x80", 4, 0 },
  { SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_BINARY, 0, "", 0, 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_TRUNCATED, "only the start", 0, 100000 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, 0, "ping text", 0, 0 },
  { SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_PONG, SONDE_RECORD_FLAG_UNMATCHED, "\xfe\x01", 2, 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_FRAME, 0, "{\"opcode\":\"text\",\"fin\":true,\"length\":12}", 0, 0 },
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_LATENCY, 0, "{\"rtt_ms\":12.5}", 0, 0 },
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_CLOSE, 0, "{\"close_code\":1000,\"close_reason\":\"bye\"}", 0, 0 },
};

static void
fill_record (SondeRecord *record,
             guint        i)
{
  memset (record, 0, sizeof *record);
  record->seq = i;
  record->wall_us = T0 + (gint64) i * 999999;
  record->direction = inputs[i].direction;
  record->kind = inputs[i].kind;
  record->flags = inputs[i].flags;
  record->stored_size = inputs[i].stored_size ? inputs[i].stored_size : strlen (inputs[i].data);
  record->size = inputs[i].size ? inputs[i].size : record->stored_size;
  record->data = (const guint8 *) inputs[i].data;
}

static GString *
write_lines (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      SondeRecord record;

      fill_record (&record, i);
      sonde_record_append_json (out, &record);
      g_string_append_c (out, '\n');
      if (i == 3)
        g_string_append (out, "{\"time\":\"2026-12-06T04:14:20.000000Z\",\"values\":{\"$.a\":1}}\r\n\n");
    }
  return out;
}

static void
test_round_trip (void)
{
  g_autoptr(GString) lines = write_lines ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeImportedSession) session = sonde_jsonl_reader_read_data (lines->str, lines->len, &error);
  g_autoptr(GString) again = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpstr (sonde_imported_session_get_url (session), ==, "wss://example.test/a?b=1");
  g_assert_cmpint (sonde_imported_session_get_start_us (session), ==, T0);
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, G_N_ELEMENTS (inputs));

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      const SondeRecord *got = sonde_imported_session_get_record (session, i);
      SondeRecord want;

      fill_record (&want, i);
      g_test_message ("record %u", i);
      g_assert_cmpuint (got->seq, ==, i);
      g_assert_cmpint (got->wall_us, ==, want.wall_us);
      g_assert_cmpint (got->direction, ==, want.direction);
      g_assert_cmpint (got->kind, ==, want.kind);
      g_assert_cmpint (got->flags, ==, want.flags);
      g_assert_cmpuint (got->stored_size, ==, want.stored_size);
      if (want.direction != SONDE_DIRECTION_EVENT && want.kind != SONDE_MESSAGE_KIND_FRAME)
        g_assert_cmpuint (got->size, ==, want.size);
      g_assert_cmpmem (got->data, got->stored_size, want.data, want.stored_size);

      sonde_record_append_json (again, got);
      g_string_append_c (again, '\n');
    }

  /* Written again, the same lines (without the extract line and the blank one). */
  {
    g_autoptr(GString) expected = write_lines ();
    char *extract = strstr (expected->str, "{\"time\":\"2026-12-06T04:14:20");

    g_string_erase (expected, extract - expected->str, strchr (extract, '\n') - extract + 2);
    g_assert_cmpstr (again->str, ==, expected->str);
  }
}

static void
assert_invalid (const char *text,
                gint        code,
                const char *fragment)
{
  g_autoptr(SondeImportedSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = sonde_jsonl_reader_read_data (text, strlen (text), &error);
  g_assert_null (session);
  g_assert_error (error, SONDE_IMPORT_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, fragment);
}

static void
test_invalid (void)
{
  const char *good = "{\"time\":\"2026-12-06T04:14:17.000001Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}\n";
  g_autofree char *bad_json = g_strconcat (good, "{\"time\": x}\n", NULL);
  g_autofree char *bad_kind = g_strconcat (good, good, "{\"time\":\"2026-12-06T04:14:17Z\",\"dir\":\"in\",\"kind\":\"blob\"}\n", NULL);
  g_autofree char *deep = g_strnfill (5000, '{');

  assert_invalid (bad_json, SONDE_IMPORT_ERROR_INVALID_JSON, "Line 2: Not valid JSON: 1:10");
  assert_invalid (bad_kind, SONDE_IMPORT_ERROR_INVALID_RECORD, "line 3");
  assert_invalid ("[1]", SONDE_IMPORT_ERROR_INVALID_RECORD, "object");
  assert_invalid ("{\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}", SONDE_IMPORT_ERROR_INVALID_RECORD, "time");
  assert_invalid ("{\"time\":\"yesterday\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "time");
  assert_invalid ("{\"time\":\"2026-12-06T04:14:17Z\",\"dir\":\"up\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "dir");
  assert_invalid ("{\"time\":\"2026-12-06T04:14:17Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "base64");
  assert_invalid ("{\"time\":\"2026-12-06T04:14:17Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":0,\"text\":\"ab\"}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "size");
  assert_invalid ("{\"time\":\"2026-12-06T04:14:17Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"\\udc00\"}",
                  SONDE_IMPORT_ERROR_INVALID_JSON, "Line 1: Not valid JSON: 1:");
  assert_invalid ("{\"time\":\"0999-12-31T23:59:59Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "year 1000");
  /* Not as Sonde writes it, so regenerated by json-glib, which decodes
   * the halves of a pair kept apart into bytes that are not UTF-8. */
  assert_invalid ("{\"kind\":\"close\",\"dir\":\"event\",\"time\":\"2026-12-06T04:14:17Z\",\"r\":\"a\\ude00b\"}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "UTF-8");
  assert_invalid ("{\"kind\":\"gap\",\"dir\":\"event\",\"time\":\"2026-12-06T04:14:17Z\",\"n\":1e999}",
                  SONDE_IMPORT_ERROR_INVALID_RECORD, "written back");
  assert_invalid ("", SONDE_IMPORT_ERROR_NO_WEBSOCKET, "no Sonde record");
  assert_invalid ("\n\r\n{\"time\":\"2026-12-06T04:14:17Z\",\"values\":{}}\n", SONDE_IMPORT_ERROR_NO_WEBSOCKET, "WebSocket");
  assert_invalid (deep, SONDE_IMPORT_ERROR_TOO_DEEP, "Line 1");
}

static void
test_file (void)
{
  g_autoptr(GString) lines = write_lines ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("test-jsonl-XXXXXX.jsonl", &io, &error);
  g_autoptr(SondeImportedSession) session = NULL;

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io)), lines->str,
                                            lines->len, NULL, NULL, &error));
  g_assert_true (g_io_stream_close (G_IO_STREAM (io), NULL, &error));
  session = sonde_jsonl_reader_read_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_imported_session_get_n_records (session), ==, G_N_ELEMENTS (inputs));
  g_file_delete (file, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jsonl-reader/round-trip", test_round_trip);
  g_test_add_func ("/jsonl-reader/invalid", test_invalid);
  g_test_add_func ("/jsonl-reader/file", test_file);

  return g_test_run ();
}
