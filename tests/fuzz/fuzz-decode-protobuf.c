/* fuzz-decode-protobuf.c: sonde_decode_protobuf_raw on arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under small limits (so that they are reached): no crash, no stall, no
 * leak; on success the text is one JSON object (json-glib) within
 * max_output; on failure an error of the decoders' domain with its byte
 * offset inside the input, and nothing appended. The same bytes are then
 * decoded as the test ticker (corpus-proto-schema/ticker.pb, protoc's
 * descriptor set of tests/data/ticker.proto: every scalar type, enums,
 * nested and repeated messages, packed fields, maps), with the same checks.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decode-protobuf.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SondeProtoSchema *
ticker_schema (void)
{
  static SondeProtoSchema *schema;

  if (g_once_init_enter (&schema))
    {
      g_autoptr(GError) error = NULL;
      SondeProtoSchema *loaded = sonde_proto_schema_new_from_file (SONDE_FUZZ_TICKER_SCHEMA, &error);

      g_assert_no_error (error);
      g_once_init_leave (&schema, loaded);
    }
  return schema;
}

static void
check (const guint8 *data,
       size_t        size,
       gboolean      raw)
{
  SondeDecodeLimits limits = { .max_output = 64 * 1024, .max_depth = 32, .max_elements = 4096 };
  g_autoptr(GString) json = g_string_new ("prefix");
  g_autoptr(GError) error = NULL;
  gboolean ok = raw
    ? sonde_decode_protobuf_raw (data, size, &limits, json, &error)
    : sonde_decode_protobuf (ticker_schema (), "sonde.test.Ticker", data, size, &limits, json, &error);

  if (ok)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *text = json->str + strlen ("prefix");

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (text), <=, limits.max_output);
      if (!json_parser_load_from_data (parser, text, -1, &error))
        g_error ("not JSON: %s: %s", error->message, text);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
  else
    {
      const char *at;

      g_assert_nonnull (error);
      g_assert_true (error->domain == SONDE_DECODE_ERROR);
      g_assert_cmpstr (json->str, ==, "prefix");
      at = strstr (error->message, " at byte ");
      g_assert_nonnull (at);
      g_assert_cmpuint (g_ascii_strtoull (at + strlen (" at byte "), NULL, 10), <=, size);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  check (data, size, TRUE);
  check (data, size, FALSE);
  return 0;
}
