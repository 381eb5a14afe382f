/* fuzz-proto-schema.c: reading arbitrary bytes as a Protobuf descriptor set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No crash, no stall, no leak; an error is SONDE_DECODE_ERROR_SCHEMA. A set
 * that reads is used: every message type it has decodes a fixed payload
 * (fields 1 to 5 of every wire type, nested, packed, a group) and the input
 * itself, and what decodes is one JSON object within max_output.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decode-protobuf.h"
#include "sonde-proto-schema.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const guint8 payload[] = {
  0x08, 0x96, 0x01,                                  /* 1: varint 150 */
  0x12, 0x07, 0x08, 0x01, 0x12, 0x03, 'a', 'b', 'c', /* 2: a message, or bytes */
  0x19, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,                /* 3: fixed64 (1.0) */
  0x25, 0, 0, 0x80, 0x3f,                            /* 4: fixed32 (1.0f) */
  0x2a, 0x03, 0x01, 0x02, 0x7f,                      /* 5: packed varints */
  0x08, 0x7f,                                        /* 1 again */
  0x33, 0x08, 0x01, 0x34,                            /* 6: a group */
  0x12, 0x00,                                        /* 2: empty */
};

static void
decode (SondeProtoSchema *schema,
        const char       *type_name,
        const guint8     *data,
        gsize             size)
{
  SondeDecodeLimits limits = { .max_output = 16 * 1024, .max_depth = 16, .max_elements = 1024 };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  if (sonde_decode_protobuf (schema, type_name, data, size, &limits, json, &error))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_no_error (error);
      g_assert_cmpuint (json->len, <=, limits.max_output);
      if (!json_parser_load_from_data (parser, json->str, -1, &error))
        g_error ("not JSON: %s: %s", error->message, json->str);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SONDE_DECODE_ERROR);
      g_assert_cmpuint (json->len, ==, 0);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(SondeProtoSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  schema = sonde_proto_schema_new_from_data (data, size, &error);
  if (schema == NULL)
    {
      g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA);
      return 0;
    }
  g_assert_no_error (error);

  names = sonde_proto_schema_dup_type_names (schema);
  for (guint i = 0; names[i] != NULL && i < 16; i++)
    {
      g_autofree char *dotted = g_strconcat (".", names[i], NULL);

      g_assert_true (sonde_proto_schema_has_type (schema, names[i]));
      g_assert_true (sonde_proto_schema_has_type (schema, dotted));
      decode (schema, names[i], payload, sizeof payload);
      decode (schema, names[i], data, size);
    }
  decode (schema, "no.such.Type", payload, sizeof payload);
  return 0;
}
