/* test-mock-rules.c: the replay server's input: mock rules (and their
 * errors), message templates with values from a message, and replay
 * sources read from JSON Lines and HAR files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-mock-rules.h"
#include "sonde-replay-source.h"
#include "sonde-serve-error.h"
#include "sonde-serve-template.h"
#include "sonde-test-util.h"

static void
assert_message_has (const GError *error,
                    const char   *expected)
{
  g_assert_nonnull (error);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not say “%s”", error->message, expected);
}

static char *
render_text (SondeServeTemplate   *template,
             SondeTemplateContext *context,
             const char           *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sonde_serve_template_render (template, context, message,
                                                         message != NULL ? strlen (message) : 0, &error);
  gsize length;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &length);
  return g_strndup (data, length);
}

static SondeMockRules *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  SondeMockRules *rules = sonde_mock_rules_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}

static void
assert_rules_error (const char *text,
                    const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeMockRules) rules = sonde_mock_rules_parse (text, strlen (text), &error);

  g_assert_null (rules);
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES);
  assert_message_has (error, expected);
}

static void
test_template_values (void)
{
  static const char message[] =
    "{\"id\":42,\"op\":\"sub\",\"params\":{\"channel\":\"a\\\"b\",\"n\":[1,2]},\"ok\":true,\"none\":null}";
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "{{$.id}}", "42" },
    { "id={{ $.id }};", "id=42;" },
    { "{{$.op}}", "sub" },
    { "{{$.params.channel}}", "a\\\"b" },      /* escapes as written */
    { "{{$.params.n}}", "[1,2]" },
    { "{{$.params.n[1]}}", "2" },
    { "{{$.ok}} {{$.none}}", "true null" },
    { "[{{$.missing}}]", "[]" },
    { "{\"id\":{{$.id}},\"s\":{{seq}},\"t\":{{seq}}}", "{\"id\":42,\"s\":1,\"t\":1}" },
    { "{{{$.id}}}", "{42}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeServeTemplate) template = sonde_serve_template_new_text (cases[i].text, &error);
      SondeTemplateContext context = { 0 };
      g_autofree char *out = NULL;

      g_assert_no_error (error);
      out = render_text (template, &context, message);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_template_json (void)
{
  static const char message[] = "{\"id\":\"r-7\",\"n\":3,\"o\":{\"a\":1}}";
  g_autoptr(JsonNode) node = json_from_string ("{\"type\":\"ack\",\"id\":\"{{$.id}}\",\"n\":\"{{$.n}}\","
                                               "\"o\":\"{{$.o}}\",\"in\":\"n={{$.n}} o={{$.o}}\","
                                               "\"seq\":\"{{seq}}\",\"s\":\"#{{seq}}\",\"x\":\"{{$.x}}\","
                                               "\"list\":[1.5,true,null,\"q\\\"\"]}", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeServeTemplate) template = sonde_serve_template_new_json (node, &error);
  SondeTemplateContext context = { 4 };
  g_autofree char *out = NULL;
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  out = render_text (template, &context, message);
  g_assert_cmpstr (out, ==,
                   "{\"type\":\"ack\",\"id\":\"r-7\",\"n\":3,\"o\":{\"a\":1},\"in\":\"n=3 o={\\\"a\\\":1}\","
                   "\"seq\":5,\"s\":\"#5\",\"x\":null,\"list\":[1.5,true,null,\"q\\\"\"]}");
  g_assert_cmpuint (context.seq, ==, 5);
  {
    g_autoptr(JsonNode) parsed = json_from_string (out, NULL);

    g_assert_nonnull (parsed);
  }

  second = render_text (template, &context, NULL);
  g_assert_true (strstr (second, "\"seq\":6") != NULL);
}

static void
test_template_errors (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "ok {{nwo}}", "did you mean {{now}}" },
    { "line\n  {{$.a[}}", "line 2, column 3" },
    { "{{ $.a ", "not closed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeServeTemplate) template = sonde_serve_template_new_text (cases[i].text, &error);

      g_assert_null (template);
      assert_message_has (error, cases[i].expected);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SondeServeTemplate) template = sonde_serve_template_new_binary ("00 zz", &error);

    g_assert_null (template);
    g_assert_nonnull (error);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SondeServeTemplate) template = sonde_serve_template_new_binary ("00 {{$.b}} ff", &error);
    g_autoptr(GBytes) bytes = NULL;

    g_assert_no_error (error);
    bytes = sonde_serve_template_render (template, NULL, "{\"b\":\"0102\"}", 12, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\0\1\2\xff", 4);
  }
}

static void
test_rules_match (void)
{
  g_autoptr(SondeMockRules) rules = parse (
    "{\"on_open\": [\"hello\", {\"binary\": \"00 01\"}],\n"
    " \"every\": [{\"name\": \"ticks\", \"interval_ms\": 100, \"paused\": true, \"send\": {\"json\": {\"t\": 1}}}],\n"
    " \"rules\": [\n"
    "   {\"match\": {\"json\": \"$.op == \\\"subscribe\\\"\"}, \"reply\": {\"json\": {\"id\": \"{{$.id}}\"}},\n"
    "    \"start\": [\"ticks\", \"replay\"]},\n"
    "   {\"match\": {\"regex\": \"^ping$\"}, \"reply\": \"pong\"},\n"
    "   {\"match\": \"stop\", \"stop\": \"ticks\", \"close\": 4000}\n"
    " ],\n"
    " \"close_after\": {\"received\": 10, \"code\": 4001, \"reason\": \"enough\"}}");
  SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT };
  const SondeMockRule *rule;
  static const char subscribe[] = "{\"op\":\"subscribe\",\"id\":9}";

  g_assert_cmpuint (sonde_mock_rules_get_on_open (rules)->len, ==, 2);
  g_assert_true (sonde_serve_template_is_binary (g_ptr_array_index (sonde_mock_rules_get_on_open (rules), 1)));
  g_assert_cmpuint (sonde_mock_rules_get_n_timers (rules), ==, 1);
  g_assert_true (sonde_mock_rules_get_timer (rules, 0)->paused);
  g_assert_true (sonde_mock_rules_starts_replay (rules));
  g_assert_cmpuint (sonde_mock_rules_get_close_after_received (rules), ==, 10);
  g_assert_cmpuint (sonde_mock_rules_get_close_after_code (rules), ==, 4001);
  g_assert_cmpstr (sonde_mock_rules_get_close_after_reason (rules), ==, "enough");

  record.data = (const guint8 *) subscribe;
  record.size = record.stored_size = strlen (subscribe);
  rule = sonde_mock_rules_match (rules, &record);
  g_assert_true (rule == sonde_mock_rules_get_rule (rules, 0));
  {
    g_autofree char *out = render_text (g_ptr_array_index (rule->reply, 0), NULL, subscribe);

    g_assert_cmpstr (out, ==, "{\"id\":9}");
  }

  record.data = (const guint8 *) "ping";
  record.size = record.stored_size = 4;
  g_assert_true (sonde_mock_rules_match (rules, &record) == sonde_mock_rules_get_rule (rules, 1));
  record.data = (const guint8 *) "xping";
  record.size = record.stored_size = 5;
  g_assert_null (sonde_mock_rules_match (rules, &record));
  record.data = (const guint8 *) "please STOP";
  record.size = record.stored_size = 11;
  rule = sonde_mock_rules_match (rules, &record);
  g_assert_true (rule == sonde_mock_rules_get_rule (rules, 2));
  g_assert_cmpuint (rule->close_code, ==, 4000);
  g_assert_cmpstr (rule->stop[0], ==, "ticks");
}

static void
test_rules_errors (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "{\n  \"rules\": [\n    {\"match\": \"a\" \"reply\": \"b\"}\n  ]\n}", "line 3, column" },
    { "", "empty" },
    { "[]", "rules are a JSON object, not an array" },
    { "{\"rulez\": []}", "unknown member “rulez”" },
    { "{\"rules\": {}}", "rules: give an array, not an object" },
    { "{\"rules\": [{\"reply\": \"x\"}]}", "rules[0]: give “match”" },
    { "{\"rules\": [{\"match\": {\"regex\": \"(\"}}]}", "rules[0].match.regex:" },
    { "{\"rules\": [{\"match\": {\"json\": \"$.a ==\"}}]}", "rules[0].match.json:" },
    { "{\"rules\": [{\"match\": {\"txt\": \"a\"}}]}", "rules[0].match: unknown member “txt”" },
    { "{\"rules\": [{\"match\": 3}]}", "rules[0].match: give" },
    { "{\"rules\": [{\"match\": \"a\", \"reply\": [\"ok\", \"{{nwo}}\"]}]}", "rules[0].reply[1]: " },
    { "{\"rules\": [{\"match\": \"a\", \"reply\": 7}]}", "rules[0].reply: a message is a string" },
    { "{\"rules\": [{\"match\": \"a\", \"start\": \"tiks\"}]}", "rules[0].start: “tiks” is neither" },
    { "{\"rules\": [{\"match\": \"a\", \"close\": 1006}]}", "rules[0].close: 1006 may not be sent" },
    { "{\"rules\": [{\"match\": \"a\", \"close\": {\"code\": 4000, \"why\": 1}}]}", "unknown member “why”" },
    { "{\"every\": [{\"interval_ms\": 0, \"send\": \"x\"}]}", "every[0].interval_ms: give a number from 1" },
    { "{\"every\": [{\"interval_ms\": 1.5, \"send\": \"x\"}]}", "every[0].interval_ms: give a whole number" },
    { "{\"every\": [{\"interval_ms\": 10}]}", "every[0]: give “send”" },
    { "{\"every\": [{\"name\": \"replay\", \"interval_ms\": 10, \"send\": \"x\"}]}", "every[0].name" },
    { "{\"on_open\": [{\"binary\": \"0g\"}]}", "on_open[0].binary: " },
    { "{\"on_open\": [{\"json\": 1, \"text\": \"a\"}]}", "on_open[0]: a message is a string, or an object" },
    { "{\"close_after\": {\"code\": 4000}}", "close_after: give “received” or “sent”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_rules_error (cases[i].text, cases[i].expected);
}

static char *
write_temp (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_dir_make_tmp ("sonde-mock-rules-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_source_jsonl (void)
{
  g_autofree char *path = write_temp ("s.jsonl",
    "{\"time\":\"2026-05-28T20:26:40.000000Z\",\"dir\":\"event\",\"kind\":\"connecting\",\"url\":\"ws://h/x\"}\n"
    "{\"time\":\"2026-05-28T20:26:40.500000Z\",\"dir\":\"out\",\"kind\":\"text\",\"size\":3,\"text\":\"sub\"}\n"
    "{\"time\":\"2026-05-28T20:26:41.000000Z\",\"dir\":\"in\",\"kind\":\"binary\",\"size\":3,\"base64\":\"AAEA\"}\n"
    "{\"time\":\"2026-05-28T20:26:42.500000Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":0,\"text\":\"\"}\n"
    "{\"time\":\"2026-05-28T20:26:43.000000Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":2,\"text\":\"hi\"}\n"
    "{\"time\":\"2026-05-28T20:26:44.000000Z\",\"dir\":\"event\",\"kind\":\"close\",\"close_code\":4001,"
    "\"close_reason\":\"gone \\\"away\\\"\",\"meaning\":\"\",\"initiator\":\"peer\",\"clean\":true,\"requested\":false}\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeReplaySource) source = sonde_replay_source_load (path, 0, NULL, NULL, &error);
  const SondeReplayMessage *message;
  SondeReplayTime from;
  SondeReplayTime to;

  g_assert_no_error (error);
  g_assert_cmpint (sonde_replay_source_get_kind (source), ==, SONDE_REPLAY_SOURCE_JSONL);
  g_assert_cmpuint (sonde_replay_source_get_n_messages (source), ==, 3);
  message = sonde_replay_source_get_message (source, 0);
  g_assert_true (message->binary);
  g_assert_cmpint (message->offset_us, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (message->payload, NULL), g_bytes_get_size (message->payload), "\0\1\0", 3);
  message = sonde_replay_source_get_message (source, 1);
  g_assert_false (message->binary);
  g_assert_cmpuint (g_bytes_get_size (message->payload), ==, 0);
  g_assert_cmpint (message->offset_us, ==, 1500000);
  g_assert_cmpint (sonde_replay_source_get_duration_us (source), ==, 2000000);
  g_assert_cmpuint (sonde_replay_source_get_close_code (source), ==, 4001);
  g_assert_cmpstr (sonde_replay_source_get_close_reason (source), ==, "gone \"away\"");
  g_assert_cmpstr (sonde_replay_source_get_url (source), ==, "ws://h/x");
  g_clear_pointer (&source, sonde_replay_source_unref);

  /* +1.5 s after the first received message up to its end. */
  g_assert_true (sonde_replay_time_parse ("+1.5", &from, NULL));
  g_assert_true (sonde_replay_time_parse ("2026-05-28T20:26:43Z", &to, NULL));
  source = sonde_replay_source_load (path, 0, &from, &to, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_replay_source_get_n_messages (source), ==, 2);
  g_assert_cmpint (sonde_replay_source_get_message (source, 1)->offset_us, ==, 500000);
  g_clear_pointer (&source, sonde_replay_source_unref);

  g_assert_true (sonde_replay_time_parse ("+100", &from, NULL));
  source = sonde_replay_source_load (path, 0, &from, NULL, &error);
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_TIME);
  g_clear_error (&error);

  source = sonde_replay_source_load (path, 2, NULL, NULL, &error);
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_UNKNOWN_SESSION);
  g_clear_error (&error);

  g_assert_false (sonde_replay_time_parse ("yesterday", &from, &error));
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_TIME);
}

static void
test_source_har_and_junk (void)
{
  g_autofree char *har = write_temp ("two.har",
    "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"t\",\"version\":\"1\"},\"entries\":["
    "{\"startedDateTime\":\"2026-05-28T20:26:40Z\",\"request\":{\"method\":\"GET\",\"url\":\"wss://a/1\"},"
    "\"response\":{\"status\":101},\"_webSocketMessages\":["
    "{\"type\":\"receive\",\"time\":1780000001.0,\"opcode\":1,\"data\":\"one\"}]},"
    "{\"startedDateTime\":\"2026-05-28T20:26:40Z\",\"request\":{\"method\":\"GET\",\"url\":\"wss://a/2\"},"
    "\"response\":{\"status\":101},\"_webSocketMessages\":["
    "{\"type\":\"send\",\"time\":1780000001.0,\"opcode\":1,\"data\":\"sub\"},"
    "{\"type\":\"receive\",\"time\":1780000002.0,\"opcode\":1,\"data\":\"a\"},"
    "{\"type\":\"receive\",\"time\":1780000002.25,\"opcode\":2,\"data\":\"AP8A\"}]}]}}");
  g_autofree char *junk = write_temp ("junk.txt", "this is not a recording\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeReplaySource) source = sonde_replay_source_load (har, 0, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sonde_replay_source_get_kind (source), ==, SONDE_REPLAY_SOURCE_HAR);
  g_assert_cmpuint (sonde_replay_source_get_n_sessions (source), ==, 2);
  g_assert_cmpint (sonde_replay_source_get_session_id (source), ==, 2);
  g_assert_cmpuint (sonde_replay_source_get_n_messages (source), ==, 2);
  g_assert_cmpint (sonde_replay_source_get_message (source, 1)->offset_us, ==, 250000);
  g_assert_true (sonde_replay_source_get_message (source, 1)->binary);
  g_assert_cmpuint (sonde_replay_source_get_close_code (source), ==, 1000);
  g_clear_pointer (&source, sonde_replay_source_unref);

  source = sonde_replay_source_load (har, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sonde_replay_source_get_n_messages (source), ==, 1);
  g_clear_pointer (&source, sonde_replay_source_unref);

  source = sonde_replay_source_load (har, 3, NULL, NULL, &error);
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_UNKNOWN_SESSION);
  g_clear_error (&error);

  source = sonde_replay_source_load (junk, 0, NULL, NULL, &error);
  g_assert_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_NOT_RECORDING);
  g_clear_error (&error);

  source = sonde_replay_source_load ("/nonexistent/file", 0, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_source_close (void)
{
  static const struct {
    int         code;
    guint16     expected;
  } cases[] = {
    { 1000, 1000 }, { 1011, 1011 }, { 4999, 4999 }, { 1005, 1005 }, { 1006, 1006 },
    { 1015, 1006 }, { 1004, 1005 }, { 2999, 1005 }, { 99999, 4999 },
  };
  g_autoptr(GString) long_reason = g_string_new (NULL);

  /* 62 two-byte characters: 124 bytes, one too many. */
  for (guint i = 0; i < 62; i++)
    g_string_append (long_reason, "é");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (
        "{\"time\":\"2026-05-28T20:26:41Z\",\"dir\":\"in\",\"kind\":\"text\",\"size\":1,\"text\":\"a\"}\n"
        "{\"time\":\"2026-05-28T20:26:42Z\",\"dir\":\"event\",\"kind\":\"close\",\"close_code\":%d,"
        "\"close_reason\":\"%s\"}\n", cases[i].code, long_reason->str);
      g_autofree char *path = write_temp ("close.jsonl", text);
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeReplaySource) source = sonde_replay_source_load (path, 0, NULL, NULL, &error);
      const char *reason;

      g_assert_no_error (error);
      g_assert_cmpuint (sonde_replay_source_get_close_code (source), ==, cases[i].expected);
      reason = sonde_replay_source_get_close_reason (source);
      g_assert_cmpuint (strlen (reason), ==, 122);
      g_assert_true (g_utf8_validate (reason, -1, NULL));
    }
}

int
main (int    argc,
      char **argv)
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/serve/template/values", test_template_values);
  g_test_add_func ("/serve/template/json", test_template_json);
  g_test_add_func ("/serve/template/errors", test_template_errors);
  g_test_add_func ("/serve/rules/match", test_rules_match);
  g_test_add_func ("/serve/rules/errors", test_rules_errors);
  g_test_add_func ("/serve/source/jsonl", test_source_jsonl);
  g_test_add_func ("/serve/source/har-and-junk", test_source_har_and_junk);
  g_test_add_func ("/serve/source/close", test_source_close);

  return g_test_run ();
}
