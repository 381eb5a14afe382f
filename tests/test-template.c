/* test-template.c: {{placeholders}} in templates, heartbeats and on-open messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-error.h"
#include "sonde-json-format.h"
#include "sonde-template.h"
#include "sonde-test-util.h"

/* 2026-11-25T18:46:55.632123Z */
#define NOW_US ((gint64) 1795632415632123)
#define UUID   "0b9c2f4e-6a71-4d3b-9e55-2c1f7a8d3e10"

static void
assert_message_has (const GError *error,
                    const char   *expected)
{
  g_assert_nonnull (error);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not say “%s”", error->message, expected);
}

static char *
expand_fixed (const char           *text,
              SondeTemplateContext *context)
{
  g_autoptr(GError) error = NULL;
  char *out = sonde_template_expand_at (text, context, NOW_US, UUID, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static void
test_each_placeholder (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "{{now}}", "2026-11-25T18:46:55.632Z" },
    { "{{now_ms}}", "1795632415632" },
    { "{{seq}}", "1" },
    { "{{uuid}}", UUID },
    { "", "" },
    { "no placeholders at all", "no placeholders at all" },
    { "t={{now_ms}};", "t=1795632415632;" },
    { "{\"at\": \"{{now}}\", \"id\": \"{{uuid}}\"}",
      "{\"at\": \"2026-11-25T18:46:55.632Z\", \"id\": \"" UUID "\"}" },
    { "single { and } and }} stay", "single { and } and }} stay" },
    { "{{{seq}}}", "{1}" },
    { "é{{seq}}ü", "é1ü" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SondeTemplateContext context = { 0 };
      g_autofree char *out = expand_fixed (cases[i].text, &context);

      g_assert_cmpstr (out, ==, cases[i].expected);
      g_assert_true (sonde_template_check (cases[i].text, NULL));
    }
}

static void
test_now_formats (void)
{
  static const struct {
    gint64      now_us;
    const char *now;
    const char *now_ms;
  } cases[] = {
    { 0, "1970-01-01T00:00:00.000Z", "0" },
    { 999, "1970-01-01T00:00:00.000Z", "0" },
    { 1000, "1970-01-01T00:00:00.001Z", "1" },
    { (gint64) 1767225600 * G_USEC_PER_SEC - 1, "2025-12-31T23:59:59.999Z", "1767225599999" },
    { (gint64) 1767225600 * G_USEC_PER_SEC, "2026-01-01T00:00:00.000Z", "1767225600000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *now = sonde_template_expand_at ("{{now}}", NULL, cases[i].now_us, UUID, NULL);
      g_autofree char *now_ms = sonde_template_expand_at ("{{now_ms}}", NULL, cases[i].now_us, UUID, NULL);

      g_assert_cmpstr (now, ==, cases[i].now);
      g_assert_cmpstr (now_ms, ==, cases[i].now_ms);
    }
}

static void
test_whitespace_in_braces (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "{{ now }}", "2026-11-25T18:46:55.632Z" },
    { "{{now_ms }}", "1795632415632" },
    { "{{\tseq\t}}", "1" },
    { "[{{  uuid}}]", "[" UUID "]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = expand_fixed (cases[i].text, NULL);

      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_unknown_placeholder (void)
{
  static const struct {
    const char *text;
    const char *says[3];
  } cases[] = {
    { "{\"a\": {{nwo}}}", { "Unknown placeholder {{nwo}}", "line 1, column 7", "did you mean {{now}}" } },
    { "{{NOW}}", { "{{NOW}}", "line 1, column 1", "did you mean {{now}}" } },
    { "x {{now-ms}}", { "{{now-ms}}", "column 3", "did you mean {{now_ms}}" } },
    { "{{sequ}}", { "{{sequ}}", "column 1", "did you mean {{seq}}" } },
    { "{{uid}}", { "{{uid}}", "column 1", "did you mean {{uuid}}" } },
    { "{{sequence}}", { "{{sequence}}", "column 1", "did you mean {{seq}}" } },
    { "{{now_millis}}", { "{{now_millis}}", "column 1", "did you mean {{now_ms}}" } },
    { "one\ntwo {{timestamp}}", { "{{timestamp}}", "line 2, column 5", "use {{now}}, {{now_ms}}, {{seq}} or {{uuid}}" } },
    { "éé {{x}}", { "{{x}}", "line 1, column 4", "use {{now}}" } },
    { "{{}}", { "Empty placeholder", "line 1, column 1", "use {{now}}" } },
    { "{{   }}", { "Empty placeholder", "column 1", NULL } },
    { "{{seq}} then {{ bogus }}", { "{{bogus}}", "column 14", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SondeTemplateContext context = { 41 };
      g_autoptr(GError) error = NULL;
      g_autofree char *out = sonde_template_expand_at (cases[i].text, &context, NOW_US, UUID, &error);

      g_assert_null (out);
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].says) && cases[i].says[j] != NULL; j++)
        assert_message_has (error, cases[i].says[j]);
      /* A failed expansion does not count. */
      g_assert_cmpuint (context.seq, ==, 41);

      g_clear_error (&error);
      g_assert_false (sonde_template_check (cases[i].text, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
    }

  /* No suggestion for something far from every placeholder. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sonde_template_check ("{{counter}}", &error));
    g_assert_null (strstr (error->message, "did you mean"));
  }
}

static void
test_unterminated (void)
{
  static const struct {
    const char *text;
    const char *says[3];
  } cases[] = {
    { "abc {{now", { "not closed", "line 1, column 5", "did you mean {{now}}" } },
    { "{{ seq }", { "not closed", "line 1, column 1", "did you mean {{seq}}" } },
    { "x\n  {{", { "not closed", "line 2, column 3", "close it with “}}”" } },
    { "{{now\n}}", { "not closed", "line 1, column 1", NULL } },
    { "{{now} and {{seq}}", { "not closed", "line 1, column 1", NULL } },
    { "{{{{seq}}", { "not closed", "column 1", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sonde_template_check (cases[i].text, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].says) && cases[i].says[j] != NULL; j++)
        assert_message_has (error, cases[i].says[j]);
    }
}

static void
test_seq_counts_per_context (void)
{
  SondeTemplateContext a = { 0 };
  SondeTemplateContext b = { 0 };
  g_autofree char *a1 = expand_fixed ("{{seq}}", &a);
  g_autofree char *a2 = expand_fixed ("id {{seq}}", &a);
  g_autofree char *b1 = expand_fixed ("{{seq}}", &b);
  g_autofree char *a3 = expand_fixed ("{{seq}}-{{seq}}", &a);
  g_autofree char *plain = expand_fixed ("no counter here {{now_ms}}", &a);
  g_autofree char *a4 = expand_fixed ("{{seq}}", &a);
  g_autofree char *none = expand_fixed ("{{seq}}", NULL);

  g_assert_cmpstr (a1, ==, "1");
  g_assert_cmpstr (a2, ==, "id 2");
  g_assert_cmpstr (b1, ==, "1");
  /* One step per expansion: both occurrences share it. */
  g_assert_cmpstr (a3, ==, "3-3");
  /* A message without {{seq}} leaves the counter alone. */
  g_assert_cmpstr (a4, ==, "4");
  g_assert_cmpuint (a.seq, ==, 4);
  g_assert_cmpuint (b.seq, ==, 1);
  g_assert_cmpstr (none, ==, "1");
}

static void
test_expand_at_is_deterministic (void)
{
  const char *text = "{{now}} {{now_ms}} {{seq}} {{uuid}} {{uuid}}";
  SondeTemplateContext c1 = { 7 };
  SondeTemplateContext c2 = { 7 };
  g_autofree char *first = expand_fixed (text, &c1);
  g_autofree char *second = expand_fixed (text, &c2);
  g_autofree char *expected = g_strdup_printf ("2026-11-25T18:46:55.632Z 1795632415632 8 %s %s", UUID, UUID);

  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (first, ==, expected);
}

static void
test_expand_uses_now_and_fresh_uuids (void)
{
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / 1000;
  g_autofree char *out = sonde_template_expand ("{{now_ms}} {{uuid}} {{uuid}}", NULL, &error);
  gint64 after = g_get_real_time () / 1000;
  g_auto(GStrv) parts = NULL;
  gint64 ms;

  g_assert_no_error (error);
  parts = g_strsplit (out, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  ms = g_ascii_strtoll (parts[0], NULL, 10);
  g_assert_cmpint (ms, >=, before);
  g_assert_cmpint (ms, <=, after);
  g_assert_true (g_uuid_string_is_valid (parts[1]));
  g_assert_true (g_uuid_string_is_valid (parts[2]));
  g_assert_cmpstr (parts[1], !=, parts[2]);
}

static void
test_render_text (void)
{
  SondeTemplateContext context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sonde_template_render ("ping {{seq}}", SONDE_MESSAGE_FORMAT_TEXT, &context, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "ping 1", 6);
  g_assert_cmpuint (context.seq, ==, 1);
}

static void
test_render_json (void)
{
  SondeTemplateContext context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *column_text = NULL;
  const char *text;
  gsize size;
  const char *data;

  bytes = sonde_template_render ("{\"op\": \"sub\", \"id\": {{seq}}, \"at\": {{now_ms}}, \"ts\": \"{{now}}\"}",
                                 SONDE_MESSAGE_FORMAT_JSON, &context, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_true (sonde_json_validate (data, size, NULL, NULL, NULL));
  g_assert_true (g_strstr_len (data, size, "\"id\": 1,") != NULL);
  g_assert_null (g_strstr_len (data, size, "{{"));
  g_assert_cmpuint (context.seq, ==, 1);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* {{now}} is not a JSON value by itself: the error says where it came
   * from, and the counter does not move. */
  text = "{\"id\": {{seq}},\n \"ts\": {{now}}}";
  bytes = sonde_template_render (text, SONDE_MESSAGE_FORMAT_JSON, &context, &error);
  g_assert_null (bytes);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_assert_true (g_str_has_prefix (error->message, "After placeholders: "));
  assert_message_has (error, "line 2, column 8");
  assert_message_has (error, "{{now}}");
  assert_message_has (error, "quotes");
  g_assert_cmpuint (context.seq, ==, 1);
  g_clear_error (&error);

  /* An error in what the user typed points at what the user typed (the
   * trailing comma), past a placeholder whose value is longer than its
   * name. */
  text = "{\"at\": {{now_ms}},}";
  bytes = sonde_template_render (text, SONDE_MESSAGE_FORMAT_JSON, &context, &error);
  g_assert_null (bytes);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  column_text = g_strdup_printf ("Line 1, column %d:", (int) strlen (text) - 1);
  g_assert_true (g_str_has_prefix (error->message, column_text));
  g_clear_error (&error);

  /* Plain invalid JSON, no placeholder. */
  bytes = sonde_template_render ("{\"a\": }", SONDE_MESSAGE_FORMAT_JSON, &context, &error);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_assert_true (g_str_has_prefix (error->message, "Line 1, column 7:"));
  g_clear_error (&error);

  /* The placeholder check comes first. */
  bytes = sonde_template_render ("{\"a\": {{bad}}}", SONDE_MESSAGE_FORMAT_JSON, &context, &error);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
  g_assert_cmpuint (context.seq, ==, 1);
}

static void
test_render_binary (void)
{
  static const guint8 hello[] = { 0x48, 0x65, 0x6c, 0x6c, 0x6f };
  static const guint8 counted[] = { 0xde, 0xad, 0x01 };
  SondeTemplateContext context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = sonde_template_render ("48 65 6c 6c 6f", SONDE_MESSAGE_FORMAT_BINARY, &context, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), hello, sizeof hello);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = sonde_template_render ("de ad 0{{seq}}", SONDE_MESSAGE_FORMAT_BINARY, &context, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), counted, sizeof counted);
  g_assert_cmpuint (context.seq, ==, 1);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* {{seq}} gives one digit: an odd group, inside the placeholder. */
  bytes = sonde_template_render ("de ad {{seq}}", SONDE_MESSAGE_FORMAT_BINARY, &context, &error);
  g_assert_null (bytes);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEX);
  g_assert_true (g_str_has_prefix (error->message, "After placeholders: line 1, column 7"));
  g_assert_cmpuint (context.seq, ==, 1);
  g_clear_error (&error);

  bytes = sonde_template_render ("zz", SONDE_MESSAGE_FORMAT_BINARY, &context, &error);
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEX);
  g_assert_true (g_str_has_prefix (error->message, "Line 1, column 1:"));
}

static void
test_validate_has_no_side_effects (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_template_validate ("{{seq}} {{now}} {{uuid}}", SONDE_MESSAGE_FORMAT_TEXT, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_template_validate ("{\"id\": {{seq}}, \"t\": \"{{now}}\"}", SONDE_MESSAGE_FORMAT_JSON, NULL));
  g_assert_true (sonde_template_validate ("", SONDE_MESSAGE_FORMAT_BINARY, NULL));
  g_assert_true (sonde_template_validate ("", SONDE_MESSAGE_FORMAT_TEXT, NULL));

  g_assert_false (sonde_template_validate ("", SONDE_MESSAGE_FORMAT_JSON, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  g_clear_error (&error);
  g_assert_false (sonde_template_validate ("{\"t\": {{uuid}}}", SONDE_MESSAGE_FORMAT_JSON, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON);
  assert_message_has (error, "After placeholders");
  g_clear_error (&error);
  g_assert_false (sonde_template_validate ("{{nope}}", SONDE_MESSAGE_FORMAT_TEXT, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
  g_clear_error (&error);
  g_assert_false (sonde_template_validate ("0x", SONDE_MESSAGE_FORMAT_BINARY, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEX);
}

/* Whatever mix of placeholders and text, no placeholder is ever sent. */
static void
test_no_placeholder_left (void)
{
  static const char * const pieces[] = {
    "{{now}}", "{{now_ms}}", "{{seq}}", "{{uuid}}", "{{ seq }}", "{{\tnow\t}}",
    "a", " ", "{", "}", "\n", "é", "\"x\"", ":", "[", "]",
  };
  SondeTemplateContext context = { 0 };

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      guint n = g_test_rand_int_range (0, 12);

      for (guint i = 0; i < n; i++)
        g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);

      out = sonde_template_expand (text->str, &context, &error);
      if (out == NULL)
        {
          /* Random braces can make a "{{": refused, never sent. */
          g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEMPLATE);
          g_assert_nonnull (strstr (text->str, "{{"));
          continue;
        }

      for (guint p = 0; p < 6; p++)
        {
          if (strstr (out, pieces[p]) != NULL)
            g_error ("“%s” expanded to “%s”, which still holds %s", text->str, out, pieces[p]);
        }
      g_assert_null (strstr (out, "{{"));
    }
}

static void
test_format_strings (void)
{
  static const SondeMessageFormat formats[] = {
    SONDE_MESSAGE_FORMAT_TEXT, SONDE_MESSAGE_FORMAT_JSON, SONDE_MESSAGE_FORMAT_BINARY,
  };
  SondeMessageFormat format = SONDE_MESSAGE_FORMAT_JSON;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      SondeMessageFormat parsed;

      g_assert_true (sonde_message_format_from_string (sonde_message_format_to_string (formats[i]), &parsed));
      g_assert_cmpint (parsed, ==, formats[i]);
    }

  g_assert_cmpstr (sonde_message_format_to_string (SONDE_MESSAGE_FORMAT_BINARY), ==, "binary");
  g_assert_false (sonde_message_format_from_string ("hex", &format));
  g_assert_false (sonde_message_format_from_string (NULL, &format));
  g_assert_cmpint (format, ==, SONDE_MESSAGE_FORMAT_JSON);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/template/each-placeholder", test_each_placeholder);
  g_test_add_func ("/template/now-formats", test_now_formats);
  g_test_add_func ("/template/whitespace-in-braces", test_whitespace_in_braces);
  g_test_add_func ("/template/unknown-placeholder", test_unknown_placeholder);
  g_test_add_func ("/template/unterminated", test_unterminated);
  g_test_add_func ("/template/seq-counts-per-context", test_seq_counts_per_context);
  g_test_add_func ("/template/expand-at-is-deterministic", test_expand_at_is_deterministic);
  g_test_add_func ("/template/expand-uses-now-and-fresh-uuids", test_expand_uses_now_and_fresh_uuids);
  g_test_add_func ("/template/render-text", test_render_text);
  g_test_add_func ("/template/render-json", test_render_json);
  g_test_add_func ("/template/render-binary", test_render_binary);
  g_test_add_func ("/template/validate-has-no-side-effects", test_validate_has_no_side_effects);
  g_test_add_func ("/template/no-placeholder-left", test_no_placeholder_left);
  g_test_add_func ("/template/format-strings", test_format_strings);

  return g_test_run ();
}
