/* fuzz-integrity-rules.c: a profile's feed-integrity rules on arbitrary
 * bytes, and the checker reading the input as a message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the rules' JSON. Checked: reading never crashes, stalls or
 * leaks, and either fails with a message in UTF-8 that names the member
 * (every one starts "integrity" or names a path's or predicate's fault),
 * or gives rules that the checker takes, that it writes back as JSON it
 * takes again and writes the same (a fixed point); then fixed messages and
 * the input itself, as received messages, go through the checker: the
 * counts add up to what it kept, and what it says of each is UTF-8.
 */
#include "config.h"

#include <string.h>

#include "fuzz-check.h"
#include "sonde-error.h"
#include "sonde-integrity.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const char *messages[] = {
  "{\"seq\":1,\"sym\":\"A\",\"price\":5}",
  "{\"seq\":3,\"sym\":\"A\",\"price\":-5}",
  "{\"seq\":3,\"sym\":\"A\"}",
  "{\"seq\":2,\"sym\":\"B\",\"price\":1e300}",
  "{\"seq\":\"9007199254740993\",\"sym\":\"\\u00e9\"}",
  "{\"seq\":-9223372036854775808}",
  "{\"seq\":9223372036854775807}",
  "[1,2,3]",
};

static void
receive (SondeConnection *connection,
         const char      *text,
         gsize            length)
{
  sonde_message_log_append (sonde_connection_get_log (connection), SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                            g_get_real_time (), g_get_monotonic_time (), text, length);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(SondeConnection) connection = NULL;
  g_autoptr(SondeIntegrity) integrity = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *back_text = NULL;
  g_autofree char *again_text = NULL;
  JsonNode *rules;
  guint64 total = 0;

  if (strlen (text) != size || !json_parser_load_from_data (parser, text, (gssize) size, NULL))
    return 0;
  rules = json_parser_get_root (parser);

  if (!sonde_integrity_check_rules (rules, &error))
    {
      CHECK (g_error_matches (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION));
      CHECK (error->message != NULL && error->message[0] != '\0');
      CHECK (g_utf8_validate (error->message, -1, NULL));
      CHECK (g_str_has_prefix (error->message, "integrity") || g_str_has_prefix (error->message, "Integrity"));
      return 0;
    }

  connection = sonde_connection_new ();
  integrity = sonde_integrity_new (connection);
  CHECK (sonde_integrity_set_rules (integrity, rules, NULL));

  /* Written back: taken again, and written the same. */
  back = sonde_integrity_dup_rules (integrity);
  CHECK (sonde_integrity_check_rules (back, NULL));
  CHECK (sonde_integrity_set_rules (integrity, back, NULL));
  again = sonde_integrity_dup_rules (integrity);
  back_text = json_to_string (back, FALSE);
  again_text = json_to_string (again, FALSE);
  CHECK (g_strcmp0 (back_text, again_text) == 0);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    receive (connection, messages[i], strlen (messages[i]));
  receive (connection, (const char *) data, size);
  receive (connection, (const char *) data, size);

  for (guint kind = 0; kind < SONDE_INTEGRITY_N_KINDS; kind++)
    {
      if (kind != SONDE_INTEGRITY_STALE)
        total += sonde_integrity_get_count (integrity, (SondeIntegrityKind) kind);
    }
  CHECK (total == sonde_integrity_get_n_kept (integrity));
  CHECK (sonde_integrity_get_n_keys (integrity) <= SONDE_INTEGRITY_MAX_KEYS_LIMIT);
  for (guint i = 0; i < sonde_integrity_get_n_kept (integrity); i++)
    {
      SondeIntegrityViolation violation;
      g_autofree char *said = NULL;
      g_autofree char *at = NULL;

      CHECK (sonde_integrity_get_kept (integrity, i, &violation));
      said = sonde_integrity_violation_describe (&violation);
      CHECK (said != NULL && g_utf8_validate (said, -1, NULL));
      CHECK (sonde_integrity_has_record (integrity, violation.record_seq));
      at = sonde_integrity_describe_record (integrity, violation.record_seq);
      CHECK (at != NULL && strstr (at, said) != NULL);
    }
  return 0;
}
