/* test-decode-protobuf.c: Protobuf payloads as JSON, raw and by schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The payloads come from Google's Python encoder (servers/encode_protobuf.py)
 * with data/ticker.proto compiled by protoc into a temporary directory; the
 * descriptor set Sonde reads is protoc's too. Sonde's JSON, parsed with
 * json-glib, must be what the encoder was given; raw decoding must have the
 * structure `protoc --decode_raw` prints for the same bytes.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decode-protobuf.h"
#include "sonde-proto-schema.h"
#include "sonde-test-protoc-raw.h"
#include "sonde-test-util.h"

#define TICKER "sonde.test.Ticker"

typedef struct {
  char   *name;
  char   *type_name;
  GBytes *payload;
  char   *expected;
} EncodedCase;

/* Made once in main (): protoc and Python are slow to start. */
static char *tmpdir;
static char *protoc;
static char *descriptor_path;
static GPtrArray *cases;   /* EncodedCase */

static void
encoded_case_free (gpointer data)
{
  EncodedCase *c = data;

  g_free (c->name);
  g_free (c->type_name);
  g_bytes_unref (c->payload);
  g_free (c->expected);
  g_free (c);
}

static GBytes *
run (const char * const *argv,
     GBytes             *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  process = g_subprocess_newv (argv, (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0)
                                     | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed: %.*s", argv[0], (int) g_bytes_get_size (err),
             (const char *) g_bytes_get_data (err, NULL));
  return g_steal_pointer (&out);
}

static void
make_cases (void)
{
  g_autofree char *proto_dir = g_test_build_filename (G_TEST_DIST, "data", NULL);
  g_autofree char *proto = g_build_filename (proto_dir, "ticker.proto", NULL);
  g_autofree char *include = g_strconcat ("-I", proto_dir, NULL);
  g_autofree char *set_out = NULL;
  g_autofree char *python_out = NULL;
  g_autofree char *script = NULL;
  const char *python = g_getenv ("SONDE_PYTHON");
  const char *servers = g_getenv ("SONDE_TEST_SERVERS");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_auto(GStrv) lines = NULL;

  tmpdir = g_dir_make_tmp ("sonde-test-decode-protobuf-XXXXXX", &error);
  g_assert_no_error (error);
  descriptor_path = g_build_filename (tmpdir, "ticker.pb", NULL);
  set_out = g_strconcat ("--descriptor_set_out=", descriptor_path, NULL);
  python_out = g_strconcat ("--python_out=", tmpdir, NULL);

  {
    const char *argv[] = { protoc, set_out, "--include_imports", python_out, include, proto, NULL };
    g_autoptr(GBytes) ignored = run (argv, NULL);
  }

  script = g_build_filename (servers != NULL ? servers : "servers", "encode_protobuf.py", NULL);
  {
    const char *argv[] = { python != NULL ? python : "/usr/bin/python3", script, tmpdir, NULL };
    out = run (argv, NULL);
  }

  cases = g_ptr_array_new_with_free_func (encoded_case_free);
  /* The output is not NUL-terminated: split a copy. */
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

    lines = g_strsplit (text, "\n", -1);
  }
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;
      EncodedCase *c;
      gsize length = 0;
      guchar *payload;

      if (*lines[i] == '\0')
        continue;
      parts = g_strsplit (lines[i], "\t", 3);
      g_assert_cmpuint (g_strv_length (parts), ==, 3);
      c = g_new0 (EncodedCase, 1);
      c->name = g_strdup (parts[0]);
      c->type_name = g_strdup (g_str_equal (parts[0], "nested") ? "sonde.test.Node" : TICKER);
      payload = *parts[1] != '\0' ? g_base64_decode (parts[1], &length) : NULL;
      c->payload = g_bytes_new_take (payload, length);
      c->expected = g_strdup (parts[2]);
      g_ptr_array_add (cases, c);
    }
  g_assert_cmpuint (cases->len, >=, 5);
}

/* Comparing JSON */

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  return json_node_copy (json_parser_get_root (parser));
}

/* NULL when @a and @b hold the same values, else where they differ. Numbers
 * compare by value (1 and 1.0 are the same); objects by members, in any
 * order. */
static char *
difference (JsonNode   *a,
            JsonNode   *b,
            const char *path)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return g_strdup_printf ("%s: node types differ", path);

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (oa);

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return g_strdup_printf ("%s: %u members, not %u", path,
                                  json_object_get_size (oa), json_object_get_size (ob));
        for (GList *l = members; l != NULL; l = l->next)
          {
            g_autofree char *sub = g_strdup_printf ("%s.%s", path, (const char *) l->data);
            char *diff;

            if (!json_object_has_member (ob, l->data))
              return g_strdup_printf ("%s: missing", sub);
            diff = difference (json_object_get_member (oa, l->data), json_object_get_member (ob, l->data), sub);
            if (diff != NULL)
              return diff;
          }
        return NULL;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);

        if (json_array_get_length (aa) != json_array_get_length (ab))
          return g_strdup_printf ("%s: %u elements, not %u", path,
                                  json_array_get_length (aa), json_array_get_length (ab));
        for (guint i = 0; i < json_array_get_length (aa); i++)
          {
            g_autofree char *sub = g_strdup_printf ("%s[%u]", path, i);
            char *diff = difference (json_array_get_element (aa, i), json_array_get_element (ab, i), sub);

            if (diff != NULL)
              return diff;
          }
        return NULL;
      }

    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);
        gboolean na = ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE;
        gboolean nb = tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE;

        if (na && nb)
          {
            if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64
                ? json_node_get_int (a) == json_node_get_int (b)
                : json_node_get_double (a) == json_node_get_double (b))
              return NULL;
            return g_strdup_printf ("%s: %.17g, not %.17g", path, json_node_get_double (a), json_node_get_double (b));
          }
        if (ta != tb)
          return g_strdup_printf ("%s: value types differ (%s, %s)", path, g_type_name (ta), g_type_name (tb));
        if (ta == G_TYPE_STRING)
          return g_str_equal (json_node_get_string (a), json_node_get_string (b))
            ? NULL
            : g_strdup_printf ("%s: “%s”, not “%s”", path, json_node_get_string (a), json_node_get_string (b));
        if (ta == G_TYPE_BOOLEAN)
          return json_node_get_boolean (a) == json_node_get_boolean (b)
            ? NULL
            : g_strdup_printf ("%s: booleans differ", path);
        return g_strdup_printf ("%s: unexpected value type", path);
      }

    case JSON_NODE_NULL:
    default:
      return NULL;
    }
}

static void
assert_same_json (const char *actual,
                  const char *expected)
{
  g_autoptr(JsonNode) a = parse (actual);
  g_autoptr(JsonNode) b = parse (expected);
  g_autofree char *diff = difference (a, b, "$");

  if (diff != NULL)
    g_test_message ("got %s\nwanted %s", actual, expected);
  g_assert_cmpstr (diff, ==, NULL);
}

static SondeProtoSchema *
load_schema (void)
{
  g_autoptr(GError) error = NULL;
  SondeProtoSchema *schema = sonde_proto_schema_new_from_file (descriptor_path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (schema);
  return schema;
}

static char *
decode (SondeProtoSchema *schema,
        const char       *type_name,
        const guint8     *data,
        gsize             length,
        GError          **error)
{
  SondeDecodeLimits limits;
  g_autoptr(GString) json = g_string_new ("prefix");
  gboolean ok;

  sonde_decode_limits_init_default (&limits);
  if (schema != NULL)
    ok = sonde_decode_protobuf (schema, type_name, data, length, &limits, json, error);
  else
    ok = sonde_decode_protobuf_raw (data, length, &limits, json, error);

  /* What came before stays; a failure appends nothing. */
  g_assert_true (g_str_has_prefix (json->str, "prefix"));
  if (!ok)
    {
      g_assert_cmpstr (json->str, ==, "prefix");
      return NULL;
    }
  return g_strdup (json->str + strlen ("prefix"));
}

static gboolean
skip_without_tools (void)
{
  if (cases == NULL)
    {
      g_test_skip ("protoc is not installed");
      return TRUE;
    }
  return FALSE;
}

/* By schema: what Python's encoder was given */

static void
test_schema_matches_encoder (void)
{
  g_autoptr(SondeProtoSchema) schema = NULL;

  if (skip_without_tools ())
    return;
  schema = load_schema ();
  for (guint i = 0; i < cases->len; i++)
    {
      EncodedCase *c = g_ptr_array_index (cases, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;

      g_test_message ("case %s", c->name);
      json = decode (schema, c->type_name, g_bytes_get_data (c->payload, NULL),
                     g_bytes_get_size (c->payload), &error);
      g_assert_no_error (error);
      assert_same_json (json, c->expected);
    }
}

/* Raw: the structure protoc --decode_raw prints */

static char *
decode_raw_with_protoc (GBytes *payload)
{
  const char *argv[] = { protoc, "--decode_raw", NULL };
  g_autoptr(GBytes) out = run (argv, payload);
  g_autofree char *text = g_strndup (g_bytes_get_size (out) > 0 ? g_bytes_get_data (out, NULL) : "",
                                     g_bytes_get_size (out));

  return sonde_test_protoc_raw_to_json (text);
}

static void
test_raw_matches_protoc (void)
{
  static const struct {
    const char *data;
    gsize       length;
  } extra[] = {
    /* A group holding a varint and a nested group */
    { "\x0b\x08\x01\x13\x18\x02\x14\x0c\x10\x05", 10 },
    /* A string that reads as a message ("\x08\x01"), an empty one, bytes */
    { "\x0a\x02\x08\x01\x0a\x00\x12\x03\xff\xfe\x00", 11 },
    /* fixed32 and fixed64, a 10-byte varint (-1 as int64) */
    { "\x0d\x01\x00\x00\x80\x11\xff\xff\xff\xff\xff\xff\xff\xff\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 25 },
  };
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (skip_without_tools ())
    return;
  for (guint i = 0; i < cases->len; i++)
    g_ptr_array_add (payloads, g_bytes_ref (((EncodedCase *) g_ptr_array_index (cases, i))->payload));
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    g_ptr_array_add (payloads, g_bytes_new_static (extra[i].data, extra[i].length));

  for (guint i = 0; i < payloads->len; i++)
    {
      GBytes *payload = g_ptr_array_index (payloads, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = decode_raw_with_protoc (payload);
      g_autofree char *json = decode (NULL, NULL, g_bytes_get_data (payload, NULL),
                                      g_bytes_get_size (payload), &error);

      g_test_message ("payload %u: protoc says %s", i, expected);
      g_assert_no_error (error);
      assert_same_json (json, expected);
    }
}

/* By schema: the wire's other shapes */

static GBytes *
encoded (const char *name)
{
  for (guint i = 0; i < cases->len; i++)
    {
      EncodedCase *c = g_ptr_array_index (cases, i);

      if (g_str_equal (c->name, name))
        return c->payload;
    }
  g_assert_not_reached ();
}

static void
assert_schema_decodes (SondeProtoSchema *schema,
                       const char       *data,
                       gsize             length,
                       const char       *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = decode (schema, TICKER, (const guint8 *) data, length, &error);

  g_assert_no_error (error);
  assert_same_json (json, expected);
}

static void
test_schema_wire_shapes (void)
{
  g_autoptr(SondeProtoSchema) schema = NULL;
  g_autoptr(GString) data = NULL;
  GBytes *small;

  if (skip_without_tools ())
    return;
  schema = load_schema ();
  small = encoded ("small");

  /* Unknown fields after a real message: kept under their numbers. */
  data = g_string_new_len (g_bytes_get_data (small, NULL), (gssize) g_bytes_get_size (small));
  g_string_append_len (data, "\x98\x06\x05" "\xa2\x06\x03hey" "\xa2\x06\x02hi", 14);
  /* ("hi" reads as a message: field 13, 105) */
  assert_schema_decodes (schema, data->str, data->len,
                         "{\"symbol\": \"ETH\", \"price\": 2250.5, \"trades\": [7], \"99\": 5,"
                         " \"100\": [\"hey\", {\"13\": 105}]}");

  /* A field of the wrong wire type (symbol as a varint) is unknown too. */
  assert_schema_decodes (schema, "\x08\x07\x15\x00\x00\x80\x3f", 7,
                         "{\"1\": 7, \"2\": 1065353216}");

  /* trades packed and not packed, mixed; sint64 moves unpacked. */
  assert_schema_decodes (schema, "\x38\x01\x3a\x02\x02\x03\x38\x7f\xb0\x01\x03\xb0\x01\x04", 14,
                         "{\"trades\": [1, 2, 3, 127], \"moves\": [-2, 2]}");

  /* A message written twice merges; a scalar written twice: the last. */
  assert_schema_decodes (schema,
                         "\x62\x09\x09\x00\x00\x00\x00\x00\x00\xf0\x3f"
                         "\x28\x01"
                         "\x62\x09\x11\x00\x00\x00\x00\x00\x00\x00\x40"
                         "\x28\x02", 26,
                         "{\"best\": {\"price\": 1, \"size\": 2}, \"side\": \"SELL\"}");

  /* An enum number the schema does not name; a map entry without value,
   * a map key written twice. */
  assert_schema_decodes (schema,
                         "\x28\x09"
                         "\x4a\x03\x0a\x01k"
                         "\x4a\x0c\x0a\x01z\x11\x00\x00\x00\x00\x00\x00\x00\x40"
                         "\x4a\x0c\x0a\x01k\x11\x00\x00\x00\x00\x00\x00\x08\x40", 35,
                         "{\"side\": 9, \"extras\": {\"z\": 2, \"k\": 3}}");

  /* NaN and infinities as strings. */
  assert_schema_decodes (schema,
                         "\xba\x01\x18"
                         "\x00\x00\x00\x00\x00\x00\xf8\x7f"
                         "\x00\x00\x00\x00\x00\x00\xf0\x7f"
                         "\x00\x00\x00\x00\x00\x00\xf0\xff", 27,
                         "{\"closes\": [\"NaN\", \"Infinity\", \"-Infinity\"]}");
}

/* The schema itself */

static void
test_schema_types (void)
{
  g_autoptr(SondeProtoSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new (NULL);
  SondeDecodeLimits limits;

  if (skip_without_tools ())
    return;
  schema = load_schema ();
  g_assert_true (sonde_proto_schema_has_type (schema, "sonde.test.Ticker"));
  g_assert_true (sonde_proto_schema_has_type (schema, ".sonde.test.Ticker"));
  g_assert_true (sonde_proto_schema_has_type (schema, "sonde.test.Ticker.Level"));
  g_assert_true (sonde_proto_schema_has_type (schema, "sonde.test.Node"));
  g_assert_false (sonde_proto_schema_has_type (schema, "Ticker"));
  g_assert_false (sonde_proto_schema_has_type (schema, "sonde.test.Ticker.Side"));

  sonde_decode_limits_init_default (&limits);
  g_assert_false (sonde_decode_protobuf (schema, "sonde.test.Tick", (const guint8 *) "", 0, &limits, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "sonde.test.Tick"));
  /* It names a few types that do exist. */
  g_assert_nonnull (strstr (error->message, "sonde.test.Node"));
  g_assert_cmpuint (json->len, ==, 0);
}

static void
test_schema_garbage (void)
{
  static const struct {
    const char *data;
    gsize       length;
  } garbage[] = {
    { "this is not a descriptor set", 28 },
    { "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11 },
    { "\x0a\x05\x22\x03", 4 },                  /* a length past the end */
    { "\x0a\x04\x22\x02\x10\x01", 6 },          /* a message type without a name */
    { "\x0a\x0a\x22\x08\x0a\x01M\x12\x03\x0a\x01x", 12 },  /* a field without number */
    { "\x0a\x05\x22\x03\x08\x01\x00", 7 },      /* a name that is a varint */
    { "\x0a\x05\x22\x03\x0a\x01.", 7 },          /* a message type named "." (found by fuzzing) */
    { "\x0a\x06\x12\x04" "a..b", 8 },             /* a package "a..b" */
    /* A field of type .nope, not in the set */
    { "\x0a\x15\x22\x13\x0a\x01M\x12\x0e\x0a\x01x\x18\x01\x28\x0b\x32\x05.nope", 23 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      SondeProtoSchema *schema = sonde_proto_schema_new_from_data ((const guint8 *) garbage[i].data,
                                                                   garbage[i].length, &error);

      g_test_message ("garbage %u: %s", i, error != NULL ? error->message : "(none)");
      g_assert_null (schema);
      g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA);
      g_clear_error (&error);
    }

  missing = g_build_filename (g_get_tmp_dir (), "sonde-no-such-descriptor-set.pb", NULL);
  g_assert_null (sonde_proto_schema_new_from_file (missing, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA);
  g_clear_error (&error);

  /* protoc's own set, cut at every byte: never a crash, and an error or a
   * schema. */
  if (cases != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      guint failed = 0;

      g_assert_true (g_file_get_contents (descriptor_path, &contents, &length, NULL));
      for (gsize cut = 0; cut < length; cut++)
        {
          g_autoptr(SondeProtoSchema) schema = sonde_proto_schema_new_from_data ((const guint8 *) contents, cut, &error);

          g_assert_true ((schema == NULL) == (error != NULL));
          if (error != NULL)
            failed++;
          g_clear_error (&error);
        }
      g_assert_cmpuint (failed, >, length / 2);
    }
}

/* Hostile payloads */

static void
assert_fails (SondeProtoSchema *schema,
              const char       *type_name,
              const guint8     *data,
              gsize             length,
              SondeDecodeError  code,
              const char       *where)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = decode (schema, type_name, data, length, &error);

  g_assert_null (json);
  g_assert_error (error, SONDE_DECODE_ERROR, (int) code);
  g_assert_true (g_str_has_prefix (error->message, "could not decode as Protobuf: "));
  if (where != NULL)
    g_assert_true (g_str_has_suffix (error->message, where));
}

static void
test_hostile (void)
{
  g_autoptr(SondeProtoSchema) schema = NULL;
  g_autoptr(GByteArray) deep = g_byte_array_new ();
  g_autofree gsize *sizes = NULL;
  const guint levels = 100000;

  /* A varint of 11 bytes, a length past the input, a cut varint. */
  assert_fails (NULL, NULL, (const guint8 *) "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12,
                SONDE_DECODE_ERROR_MALFORMED, "at byte 1");
  assert_fails (NULL, NULL, (const guint8 *) "\x08\x01\x0a\x05\x41", 5, SONDE_DECODE_ERROR_TOO_LARGE, "at byte 3");
  assert_fails (NULL, NULL, (const guint8 *) "\x08\x01\x10\x80", 4, SONDE_DECODE_ERROR_TRUNCATED, "at byte 3");
  /* Field number 0, wire type 7, an end-group alone, a group not closed,
   * closed by another number. */
  assert_fails (NULL, NULL, (const guint8 *) "\x00\x01", 2, SONDE_DECODE_ERROR_MALFORMED, "at byte 0");
  assert_fails (NULL, NULL, (const guint8 *) "\x0f", 1, SONDE_DECODE_ERROR_MALFORMED, "at byte 0");
  assert_fails (NULL, NULL, (const guint8 *) "\x0c", 1, SONDE_DECODE_ERROR_MALFORMED, "at byte 0");
  assert_fails (NULL, NULL, (const guint8 *) "\x08\x01\x0b\x08\x01", 5, SONDE_DECODE_ERROR_TRUNCATED, "at byte 2");
  assert_fails (NULL, NULL, (const guint8 *) "\x0b\x08\x01\x14", 4, SONDE_DECODE_ERROR_MALFORMED, "at byte 3");

  /* Node nested 100k deep: raw and by schema. */
  sizes = g_new0 (gsize, levels + 1);
  for (guint i = 1; i <= levels; i++)
    {
      gsize inner = sizes[i - 1];
      guint varint = 1;

      for (gsize v = inner; v >= 0x80; v >>= 7)
        varint++;
      sizes[i] = 1 + varint + inner;
    }
  for (guint i = levels; i >= 1; i--)
    {
      guint8 tag = 0x0a;
      gsize v = sizes[i - 1];

      g_byte_array_append (deep, &tag, 1);
      for (; v >= 0x80; v >>= 7)
        {
          guint8 b = (guint8) (v | 0x80);

          g_byte_array_append (deep, &b, 1);
        }
      {
        guint8 b = (guint8) v;

        g_byte_array_append (deep, &b, 1);
      }
    }
  g_assert_cmpuint (deep->len, ==, sizes[levels]);
  assert_fails (NULL, NULL, deep->data, deep->len, SONDE_DECODE_ERROR_TOO_DEEP, NULL);

  /* Groups 100k deep. */
  {
    g_autoptr(GByteArray) groups = g_byte_array_new ();
    const guint8 open = 0x0b, close = 0x0c;

    for (guint i = 0; i < levels; i++)
      g_byte_array_append (groups, &open, 1);
    for (guint i = 0; i < levels; i++)
      g_byte_array_append (groups, &close, 1);
    assert_fails (NULL, NULL, groups->data, groups->len, SONDE_DECODE_ERROR_TOO_DEEP, NULL);
  }

  if (skip_without_tools ())
    return;
  schema = load_schema ();
  assert_fails (schema, "sonde.test.Node", deep->data, deep->len, SONDE_DECODE_ERROR_TOO_DEEP, NULL);
  /* Within the limit it reads. */
  {
    g_autoptr(GError) error = NULL;
    gsize start = deep->len - sizes[10];
    g_autofree char *json = decode (schema, "sonde.test.Node", deep->data + start, sizes[10], &error);

    g_assert_no_error (error);
    assert_same_json (json, "{\"child\":{\"child\":{\"child\":{\"child\":{\"child\":"
                     "{\"child\":{\"child\":{\"child\":{\"child\":{\"child\":{}}}}}}}}}}}");
  }
}

/* Every encoded payload cut at every byte: an error or a shorter message
 * (Protobuf has no end marker), never a crash; a cut inside the first
 * field is always an error. */
static void
test_truncated (void)
{
  g_autoptr(SondeProtoSchema) schema = NULL;

  if (skip_without_tools ())
    return;
  schema = load_schema ();
  for (guint i = 0; i < cases->len; i++)
    {
      EncodedCase *c = g_ptr_array_index (cases, i);
      const guint8 *data = g_bytes_get_data (c->payload, NULL);
      gsize length = g_bytes_get_size (c->payload);
      guint failed = 0;

      for (gsize cut = 0; cut < length; cut++)
        for (guint pass = 0; pass < 2; pass++)
          {
            g_autoptr(GError) error = NULL;
            g_autofree char *json = decode (pass == 0 ? NULL : schema, c->type_name, data, cut, &error);

            if (json != NULL)
              {
                g_autoptr(JsonNode) node = parse (json);

                g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
                g_assert_no_error (error);
              }
            else
              {
                g_assert_nonnull (error);
                g_assert_true (g_str_has_prefix (error->message, "could not decode as Protobuf: "));
                failed++;
              }
          }
      if (length > 2)
        g_assert_cmpuint (failed, >, 0);
    }

  /* Inside the ticker's symbol: its length runs past the end. */
  {
    EncodedCase *c = g_ptr_array_index (cases, 0);

    assert_fails (schema, TICKER, g_bytes_get_data (c->payload, NULL), 5, SONDE_DECODE_ERROR_TOO_LARGE, "at byte 1");
    assert_fails (NULL, NULL, g_bytes_get_data (c->payload, NULL), 1, SONDE_DECODE_ERROR_TRUNCATED, "at byte 1");
  }
}

static void
test_limits (void)
{
  /* Ten varints in a message in a message. */
  static const guint8 data[] = {
    0x0a, 0x16, 0x0a, 0x14,
    0x08, 1, 0x08, 2, 0x08, 3, 0x08, 4, 0x08, 5, 0x08, 6, 0x08, 7, 0x08, 8, 0x08, 9, 0x08, 10,
  };
  SondeDecodeLimits limits;
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  sonde_decode_limits_init_default (&limits);
  g_assert_true (sonde_decode_protobuf_raw (data, sizeof data, &limits, json, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json->str, ==, "{\"1\":{\"1\":{\"1\":[1,2,3,4,5,6,7,8,9,10]}}}");

  g_string_truncate (json, 0);
  limits.max_elements = 11;
  g_assert_false (sonde_decode_protobuf_raw (data, sizeof data, &limits, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_MANY);
  g_assert_cmpuint (json->len, ==, 0);
  g_clear_error (&error);

  sonde_decode_limits_init_default (&limits);
  limits.max_depth = 3;
  g_assert_false (sonde_decode_protobuf_raw (data, sizeof data, &limits, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_DEEP);
  g_clear_error (&error);
  limits.max_depth = 4;
  g_assert_true (sonde_decode_protobuf_raw (data, sizeof data, &limits, json, &error));
  g_assert_no_error (error);

  /* Values inside groups count once more for each group around them (3
   * groups and 10 values: 13 + 12 + 11 + 10), so that groups nested deep
   * are not read again and again past the limit. */
  {
    g_autoptr(GByteArray) groups = g_byte_array_new ();
    const guint8 open = 0x0b, close = 0x0c, value[] = { 0x08, 0x01 };

    for (guint i = 0; i < 3; i++)
      g_byte_array_append (groups, &open, 1);
    for (guint i = 0; i < 10; i++)
      g_byte_array_append (groups, value, 2);
    for (guint i = 0; i < 3; i++)
      g_byte_array_append (groups, &close, 1);
    sonde_decode_limits_init_default (&limits);
    limits.max_elements = 46;
    g_string_truncate (json, 0);
    g_assert_true (sonde_decode_protobuf_raw (groups->data, groups->len, &limits, json, &error));
    g_assert_no_error (error);
    limits.max_elements = 45;
    g_assert_false (sonde_decode_protobuf_raw (groups->data, groups->len, &limits, json, &error));
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_MANY);
    g_clear_error (&error);

    /* 2M values 60 groups deep: refused at the outer group, at once. */
    g_byte_array_set_size (groups, 0);
    for (guint i = 0; i < 60; i++)
      g_byte_array_append (groups, &open, 1);
    for (guint i = 0; i < 2 * 1024 * 1024; i++)
      g_byte_array_append (groups, value, 2);
    for (guint i = 0; i < 60; i++)
      g_byte_array_append (groups, &close, 1);
    sonde_decode_limits_init_default (&limits);
    g_assert_false (sonde_decode_protobuf_raw (groups->data, groups->len, &limits, json, &error));
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_MANY);
    g_assert_true (g_str_has_suffix (error->message, "at byte 0"));
    g_clear_error (&error);
  }

  g_string_truncate (json, 0);
  sonde_decode_limits_init_default (&limits);
  limits.max_output = 20;
  g_assert_false (sonde_decode_protobuf_raw (data, sizeof data, &limits, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_LARGE);
  g_assert_cmpuint (json->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  sonde_test_init (&argc, &argv);

  protoc = g_find_program_in_path ("protoc");
  if (protoc != NULL)
    make_cases ();

  g_test_add_func ("/decode-protobuf/schema/encoder", test_schema_matches_encoder);
  g_test_add_func ("/decode-protobuf/schema/wire-shapes", test_schema_wire_shapes);
  g_test_add_func ("/decode-protobuf/schema/types", test_schema_types);
  g_test_add_func ("/decode-protobuf/schema/garbage", test_schema_garbage);
  g_test_add_func ("/decode-protobuf/raw/protoc", test_raw_matches_protoc);
  g_test_add_func ("/decode-protobuf/hostile", test_hostile);
  g_test_add_func ("/decode-protobuf/truncated", test_truncated);
  g_test_add_func ("/decode-protobuf/limits", test_limits);
  status = g_test_run ();

  if (tmpdir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (tmpdir, name, NULL);

          g_remove (path);
        }
      g_rmdir (tmpdir);
    }
  g_clear_pointer (&cases, g_ptr_array_unref);
  g_free (descriptor_path);
  g_free (protoc);
  g_free (tmpdir);
  return status;
}
