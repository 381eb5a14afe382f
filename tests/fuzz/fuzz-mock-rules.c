/* fuzz-mock-rules.c: the replay server's mock rules and their templates on
 * arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a rules file. Checked: parsing never crashes, stalls or
 * leaks, and either fails with SONDE_SERVE_ERROR_INVALID_RULES and a
 * message in UTF-8 that names where (a line and column for JSON that does
 * not parse, a field otherwise), or gives rules whose every message
 * renders, against the input itself and against a fixed JSON message (for
 * its {{$.path}} values), as UTF-8 text or (binary) bytes, the same twice
 * but for {{seq}}, {{now}} and {{uuid}}; and every rule's match runs on
 * the input as a received message.
 */
#include "config.h"

#include <string.h>

#include "fuzz-check.h"
#include "sonde-mock-rules.h"
#include "sonde-serve-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const char message[] =
  "{\"op\":\"subscribe\",\"id\":7,\"params\":{\"channel\":\"a\\\"b\",\"n\":[1,2.5,null]},\"s\":\"\\u00e9\"}";

static void
check_render (SondeServeTemplate *template,
              const guint8       *data,
              size_t              size)
{
  const struct {
    const char *text;
    gsize       length;
  } answering[] = {
    { NULL, 0 },
    { message, sizeof message - 1 },
    { (const char *) data, size },
  };

  for (guint i = 0; i < G_N_ELEMENTS (answering); i++)
    {
      SondeTemplateContext context = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = sonde_serve_template_render (template, &context, answering[i].text,
                                                             answering[i].length, &error);

      if (sonde_serve_template_is_binary (template))
        {
          /* Values from the message may not be hex: then an error. */
          CHECK ((bytes == NULL) == (error != NULL));
          continue;
        }
      CHECK (bytes != NULL && error == NULL);
      CHECK (context.seq <= 1);
      /* Text from a valid template and a message that is UTF-8 is UTF-8. */
      if (answering[i].text != message || i == 0)
        continue;
      CHECK (g_utf8_validate (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeMockRules) rules = sonde_mock_rules_parse ((const char *) data, size, &error);
  SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
                         .data = data, .size = size, .stored_size = size };
  GPtrArray *on_open;

  if (rules == NULL)
    {
      CHECK (error != NULL);
      CHECK (g_error_matches (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES));
      CHECK (error->message != NULL && error->message[0] != '\0');
      CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  CHECK (error == NULL);

  on_open = sonde_mock_rules_get_on_open (rules);
  for (guint i = 0; i < on_open->len; i++)
    check_render (g_ptr_array_index (on_open, i), data, size);

  for (guint i = 0; i < sonde_mock_rules_get_n_timers (rules); i++)
    {
      const SondeMockTimer *timer = sonde_mock_rules_get_timer (rules, i);

      CHECK (timer->interval_ms >= 1);
      check_render (timer->send, data, size);
    }

  for (guint i = 0; i < sonde_mock_rules_get_n_rules (rules); i++)
    {
      const SondeMockRule *rule = sonde_mock_rules_get_rule (rules, i);

      CHECK (rule->close_code == 0 || (rule->close_code >= 1000 && rule->close_code <= 4999));
      for (guint r = 0; r < rule->reply->len; r++)
        check_render (g_ptr_array_index (rule->reply, r), data, size);
    }

  /* The first match, if any, is one of the rules. */
  {
    const SondeMockRule *matched = sonde_mock_rules_match (rules, &record);
    gboolean found = matched == NULL;

    for (guint i = 0; i < sonde_mock_rules_get_n_rules (rules) && !found; i++)
      found = matched == sonde_mock_rules_get_rule (rules, i);
    CHECK (found);
  }

  return 0;
}
