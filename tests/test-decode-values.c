/* test-decode-values.c: MessagePack and CBOR to JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Payloads come from real encoders (Python's msgpack and cbor2, through
 * tests/servers/encode_values.py) with the value each was given, in
 * Sonde's JSON shape; Sonde's text is parsed with json-glib and compared
 * member by member. Then hostile inputs: every truncation, huge counts,
 * deep nesting, element and output bombs, trailing bytes.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decode-cbor.h"
#include "sonde-decode-msgpack.h"
#include "sonde-test-util.h"

typedef gboolean (*DecodeFunc) (const guint8 *, gsize, const SondeDecodeLimits *, GString *, GError **);

typedef struct {
  char   *name;
  char   *format;
  GBytes *data;
  gboolean f32;
  JsonNode *expect;
} Case;

static GPtrArray *cases;

static void
case_free (gpointer p)
{
  Case *c = p;

  g_free (c->name);
  g_free (c->format);
  g_bytes_unref (c->data);
  json_node_unref (c->expect);
  g_free (c);
}

static void
load_cases (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "encode_values.py", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  cases = g_ptr_array_new_with_free_func (case_free);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;
      Case *c;
      guchar *raw;
      gsize raw_len;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      obj = json_node_get_object (node);
      c = g_new0 (Case, 1);
      c->name = g_strdup (json_object_get_string_member (obj, "name"));
      c->format = g_strdup (json_object_get_string_member (obj, "format"));
      raw = g_base64_decode (json_object_get_string_member (obj, "data"), &raw_len);
      c->data = g_bytes_new_take (raw, raw_len);
      c->f32 = json_object_get_boolean_member (obj, "f32");
      c->expect = json_node_copy (json_object_get_member (obj, "expect"));
      g_ptr_array_add (cases, c);
    }
  g_assert_cmpuint (cases->len, ==, 7);
}

static DecodeFunc
decoder_for (const char *format)
{
  return g_str_equal (format, "msgpack") ? sonde_decode_msgpack : sonde_decode_cbor;
}

static void
assert_same (JsonNode   *got,
             JsonNode   *want,
             gboolean    f32,
             const char *path)
{
  JsonNodeType type = json_node_get_node_type (want);

  if (json_node_get_node_type (got) != type)
    g_error ("%s: type %s, expected %s", path, json_node_type_name (got), json_node_type_name (want));

  if (type == JSON_NODE_OBJECT)
    {
      JsonObject *g = json_node_get_object (got), *w = json_node_get_object (want);
      g_autoptr(GList) members = json_object_get_members (w);

      if (json_object_get_size (g) != json_object_get_size (w))
        g_error ("%s: %u members, expected %u", path, json_object_get_size (g), json_object_get_size (w));
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *sub = g_strdup_printf ("%s.%s", path, (const char *) l->data);

          if (!json_object_has_member (g, l->data))
            g_error ("%s: missing", sub);
          assert_same (json_object_get_member (g, l->data), json_object_get_member (w, l->data), f32, sub);
        }
    }
  else if (type == JSON_NODE_ARRAY)
    {
      JsonArray *g = json_node_get_array (got), *w = json_node_get_array (want);

      g_assert_cmpuint (json_array_get_length (g), ==, json_array_get_length (w));
      for (guint i = 0; i < json_array_get_length (w); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s[%u]", path, i);

          assert_same (json_array_get_element (g, i), json_array_get_element (w, i), f32, sub);
        }
    }
  else if (type == JSON_NODE_VALUE)
    {
      GType vt = json_node_get_value_type (want);

      if (json_node_get_value_type (got) != vt)
        g_error ("%s: %s, expected %s", path, g_type_name (json_node_get_value_type (got)), g_type_name (vt));
      if (vt == G_TYPE_INT64)
        g_assert_cmpint (json_node_get_int (got), ==, json_node_get_int (want));
      else if (vt == G_TYPE_DOUBLE && f32)
        g_assert_true ((float) json_node_get_double (got) == (float) json_node_get_double (want));
      else if (vt == G_TYPE_DOUBLE)
        {
          if (json_node_get_double (got) != json_node_get_double (want))
            g_error ("%s: %.17g, expected %.17g", path, json_node_get_double (got), json_node_get_double (want));
        }
      else if (vt == G_TYPE_BOOLEAN)
        g_assert_cmpint (json_node_get_boolean (got), ==, json_node_get_boolean (want));
      else
        g_assert_cmpstr (json_node_get_string (got), ==, json_node_get_string (want));
    }
}

static void
test_encoded (void)
{
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);
      g_autoptr(GString) json = g_string_new ("prefix:");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) got = NULL;
      g_autofree char *path = g_strdup_printf ("%s/%s", c->format, c->name);
      gsize len;
      const guint8 *data = g_bytes_get_data (c->data, &len);

      g_test_message ("%s", path);
      g_assert_true (decoder_for (c->format) (data, len, &limits, json, &error));
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (json->str, "prefix:"));
      got = json_from_string (json->str + 7, &error);
      g_assert_no_error (error);
      assert_same (got, c->expect, c->f32, path);

      /* Exact where json-glib is not: integers past int64, typed floats. */
      if (g_str_equal (c->name, "rich"))
        {
          g_assert_nonnull (strstr (json->str, "\"u64max\":18446744073709551615"));
          g_assert_nonnull (strstr (json->str, "\"i64min\":-9223372036854775808"));
          g_assert_nonnull (strstr (json->str, "\"whole\":2.0"));
          g_assert_nonnull (strstr (json->str, "\"price\":27123.45,"));
          g_assert_nonnull (strstr (json->str, "\"$keys\":\"non-string\""));
        }
      if (g_str_equal (c->name, "rich") && g_str_equal (c->format, "cbor"))
        g_assert_nonnull (strstr (json->str, "\"neg64\":-18446744073709551616"));
      if (g_str_equal (c->name, "float32"))
        g_assert_nonnull (strstr (json->str, "\"tenth\":0.1,"));

      g_assert_true ((g_str_equal (c->format, "msgpack") ? sonde_decode_sniff_msgpack
                                                        : sonde_decode_sniff_cbor) (data, len));
    }
}

static void
test_truncated (void)
{
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (c->data, &len);
      gboolean (*sniff) (const guint8 *, gsize) =
        g_str_equal (c->format, "msgpack") ? sonde_decode_sniff_msgpack : sonde_decode_sniff_cbor;

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GString) json = g_string_new ("x");
          g_autoptr(GError) error = NULL;
          g_autofree guint8 *copy = g_memdup2 (data, cut);   /* ASan sees reads past @cut */

          g_assert_false (decoder_for (c->format) (copy, cut, &limits, json, &error));
          g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TRUNCATED);
          g_assert_cmpstr (json->str, ==, "x");
          g_assert_false (sniff (copy, cut));
        }
    }
}

static void
assert_fails (DecodeFunc               decode,
              const guint8            *data,
              gsize                    len,
              const SondeDecodeLimits *limits,
              SondeDecodeError         code,
              gsize                    offset)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *at = g_strdup_printf (" at byte %" G_GSIZE_FORMAT, offset);

  g_assert_false (decode (data, len, limits, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_suffix (error->message, at));
  g_assert_cmpuint (json->len, ==, 0);
}

static void
test_huge_count (void)
{
  static const guint8 mp_array[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0 };
  static const guint8 mp_map[] = { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0 };
  static const guint8 mp_str[] = { 0xdb, 0xff, 0xff, 0xff, 0xff, 'a' };
  static const guint8 cb_array[] = { 0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0xf6 };
  static const guint8 cb_map[] = { 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf6 };
  static const guint8 cb_bytes[] = { 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
  SondeDecodeLimits limits;
  guint64 mark = sonde_test_memory_mark ();

  sonde_decode_limits_init_default (&limits);
  assert_fails (sonde_decode_msgpack, mp_array, sizeof mp_array, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  assert_fails (sonde_decode_msgpack, mp_map, sizeof mp_map, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  assert_fails (sonde_decode_msgpack, mp_str, sizeof mp_str, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  assert_fails (sonde_decode_cbor, cb_array, sizeof cb_array, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  assert_fails (sonde_decode_cbor, cb_map, sizeof cb_map, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  assert_fails (sonde_decode_cbor, cb_bytes, sizeof cb_bytes, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  g_assert_false (sonde_decode_sniff_msgpack (mp_array, sizeof mp_array));
  g_assert_false (sonde_decode_sniff_cbor (cb_array, sizeof cb_array));
  sonde_test_assert_peak_growth (mark, 4 * 1024 * 1024);
}

static void
test_deep (void)
{
  const gsize depth = 100000;
  g_autofree guint8 *mp = g_malloc (depth + 1);
  g_autofree guint8 *cb = g_malloc (depth + 1);
  g_autofree guint8 *tags = g_malloc (depth + 1);
  SondeDecodeLimits limits;

  memset (mp, 0x91, depth);
  mp[depth] = 0xc0;
  memset (cb, 0x81, depth);
  cb[depth] = 0xf6;
  memset (tags, 0xc6, depth);   /* tag 6, nested */
  tags[depth] = 0xf6;
  sonde_decode_limits_init_default (&limits);
  assert_fails (sonde_decode_msgpack, mp, depth + 1, &limits, SONDE_DECODE_ERROR_TOO_DEEP, 64);
  assert_fails (sonde_decode_cbor, cb, depth + 1, &limits, SONDE_DECODE_ERROR_TOO_DEEP, 64);
  assert_fails (sonde_decode_cbor, tags, depth + 1, &limits, SONDE_DECODE_ERROR_TOO_DEEP, 64);
  g_assert_false (sonde_decode_sniff_cbor (cb, depth + 1));
  /* Within the limit, it decodes. */
  limits.max_depth = depth;
  {
    g_autoptr(GString) json = g_string_new (NULL);

    g_assert_true (sonde_decode_msgpack (mp, depth + 1, &limits, json, NULL));
    g_assert_cmpuint (json->len, ==, 2 * depth + 4);
    g_assert_true (sonde_decode_sniff_msgpack (mp, depth + 1));
  }
}

static void
test_bombs (void)
{
  const gsize n = 2 * 1024 * 1024;
  g_autofree guint8 *mp = g_malloc0 (n + 5);
  g_autofree guint8 *cb = g_malloc0 (n + 5);
  SondeDecodeLimits limits;

  /* 2M values: past max_elements (1M) at the value 1M + 1. */
  mp[0] = 0xdd;
  mp[1] = 0x00, mp[2] = 0x20, mp[3] = 0, mp[4] = 0;
  memset (mp + 5, 0xc0, n);
  cb[0] = 0x9a;
  cb[1] = 0x00, cb[2] = 0x20, cb[3] = 0, cb[4] = 0;
  memset (cb + 5, 0xf6, n);
  sonde_decode_limits_init_default (&limits);
  assert_fails (sonde_decode_msgpack, mp, n + 5, &limits, SONDE_DECODE_ERROR_TOO_MANY, 5 + 1024 * 1024 - 1);
  assert_fails (sonde_decode_cbor, cb, n + 5, &limits, SONDE_DECODE_ERROR_TOO_MANY, 5 + 1024 * 1024 - 1);

  /* Output: "null," per byte, past 1 MiB. */
  limits.max_output = 1024 * 1024;
  limits.max_elements = G_MAXUINT64;
  assert_fails (sonde_decode_msgpack, mp, n + 5, &limits, SONDE_DECODE_ERROR_TOO_LARGE, 5 + 1024 * 1024 / 5 + 1);
  /* A string that cannot fit is refused before it is written. */
  limits.max_output = 100;
  {
    static const guint8 str[] = { 0xd9, 200 };
    g_autofree guint8 *s = g_malloc0 (202);

    memcpy (s, str, 2);
    memset (s + 2, 'a', 200);
    assert_fails (sonde_decode_msgpack, s, 202, &limits, SONDE_DECODE_ERROR_TOO_LARGE, 0);
    s[0] = 0x78, s[1] = 200;   /* CBOR text, 1-byte length */
    assert_fails (sonde_decode_cbor, s, 202, &limits, SONDE_DECODE_ERROR_TOO_LARGE, 0);
  }
}

static void
test_trailing_and_malformed (void)
{
  static const guint8 mp_trailing[] = { 0x91, 0x01, 0x02 };
  static const guint8 cb_trailing[] = { 0x81, 0x01, 0x02 };
  static const guint8 mp_c1[] = { 0x92, 0x01, 0xc1 };
  static const guint8 cb_break[] = { 0x82, 0x01, 0xff };
  static const guint8 cb_odd_map[] = { 0xbf, 0x01, 0xff };
  static const guint8 cb_bad_chunk[] = { 0x5f, 0x61, 0x41, 0xff };
  static const guint8 cb_reserved[] = { 0x81, 0x1c };
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  assert_fails (sonde_decode_msgpack, mp_trailing, 3, &limits, SONDE_DECODE_ERROR_TRAILING, 2);
  assert_fails (sonde_decode_cbor, cb_trailing, 3, &limits, SONDE_DECODE_ERROR_TRAILING, 2);
  assert_fails (sonde_decode_msgpack, mp_c1, 3, &limits, SONDE_DECODE_ERROR_MALFORMED, 2);
  assert_fails (sonde_decode_cbor, cb_break, 3, &limits, SONDE_DECODE_ERROR_MALFORMED, 2);
  assert_fails (sonde_decode_cbor, cb_odd_map, 3, &limits, SONDE_DECODE_ERROR_MALFORMED, 2);
  assert_fails (sonde_decode_cbor, cb_bad_chunk, 4, &limits, SONDE_DECODE_ERROR_MALFORMED, 1);
  assert_fails (sonde_decode_cbor, cb_reserved, 2, &limits, SONDE_DECODE_ERROR_MALFORMED, 1);
  assert_fails (sonde_decode_msgpack, mp_trailing, 0, &limits, SONDE_DECODE_ERROR_TRUNCATED, 0);
  g_assert_false (sonde_decode_sniff_msgpack (mp_trailing, 3));
  g_assert_false (sonde_decode_sniff_cbor (cb_trailing, 3));
  g_assert_false (sonde_decode_sniff_cbor (cb_odd_map, 3));
  /* JSON text and scalars are not plausible. */
  g_assert_false (sonde_decode_sniff_msgpack ((const guint8 *) "[1]", 3));
  g_assert_false (sonde_decode_sniff_cbor ((const guint8 *) "{\"a\":1}", 7));
  g_assert_false (sonde_decode_sniff_msgpack ((const guint8 *) "\x01", 1));
  g_assert_true (sonde_decode_sniff_msgpack ((const guint8 *) "\x90", 1));
  g_assert_true (sonde_decode_sniff_cbor ((const guint8 *) "\x9f\xff", 2));
}

/* Indefinite strings of no chunks (the CBOR fuzzer's first find: a NULL
 * pointer given to memcpy, seen under UBSan; the seed is in the corpus). */
static void
test_empty_indefinite (void)
{
  static const guint8 cbor[] = { 0xa2, 0x61, 'a', 0x7f, 0xff, 0x61, 'b', 0x5f, 0xff };
  static const guint8 found[] = { 0xa5, 0x00, 0x84, 0x7f, 0xff, 0x41, 0xff, 0xe7, 0x80, 0x7f, 0xff };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  g_assert_true (sonde_decode_cbor (cbor, sizeof cbor, &limits, json, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json->str, ==, "{\"a\":\"\",\"b\":\"\"}");
  assert_fails (sonde_decode_cbor, found, sizeof found, &limits, SONDE_DECODE_ERROR_TRUNCATED, sizeof found);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_cases ();
  g_test_add_func ("/decode-values/encoded", test_encoded);
  g_test_add_func ("/decode-values/truncated", test_truncated);
  g_test_add_func ("/decode-values/huge-count", test_huge_count);
  g_test_add_func ("/decode-values/deep", test_deep);
  g_test_add_func ("/decode-values/bombs", test_bombs);
  g_test_add_func ("/decode-values/trailing-and-malformed", test_trailing_and_malformed);
  g_test_add_func ("/decode-values/empty-indefinite", test_empty_indefinite);
  ret = g_test_run ();
  g_ptr_array_unref (cases);
  return ret;
}
