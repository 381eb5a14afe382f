/* test-decoder.c: a decoder chain ("gzip,msgpack") as a session will use it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Specs that are wrong are refused naming what is wrong; gzip-compressed
 * JSON is its text; gzip then MessagePack is the value's JSON; "auto" finds
 * gzip, JSON, MessagePack and CBOR by themselves; zlib-stream carries one
 * context across payloads until reset; a payload that does not decode
 * leaves the output as it was and says where. The compressed inputs come
 * from GIO's zlib converters (not Sonde's code); the per-format tests
 * (test-decode-*) use Python's encoders.
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sonde-decoder.h"
#include "sonde-test-util.h"

/* {"a":1} in MessagePack and in CBOR. */
static const guint8 msgpack_a1[] = { 0x81, 0xA1, 'a', 0x01 };
static const guint8 cbor_a1[] = { 0xA1, 0x61, 'a', 0x01 };

static GBytes *
compress (GZlibCompressorFormat  format,
          const void            *data,
          gsize                  length,
          gboolean               sync_flush_only)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (format, -1);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 buffer[4096];
  gsize read = 0, written = 0;
  const guint8 *in = data;
  GConverterResult result;

  do
    {
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (G_CONVERTER (compressor), in, length, buffer, sizeof buffer,
                                    sync_flush_only ? G_CONVERTER_FLUSH : G_CONVERTER_INPUT_AT_END,
                                    &read, &written, &error);
      g_assert_no_error (error);
      g_byte_array_append (out, buffer, (guint) written);
      in += read;
      length -= read;
    }
  while (result != G_CONVERTER_FINISHED && result != G_CONVERTER_FLUSHED);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
assert_decodes (SondeDecoder *decoder,
                GBytes       *input,
                const char   *expected)
{
  g_autoptr(GString) json = g_string_new ("prefix:");
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (input, &length);

  g_assert_true (sonde_decoder_decode (decoder, data, length, json, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (json->str, "prefix:"));
  g_assert_cmpstr (json->str + strlen ("prefix:"), ==, expected);
}

static void
test_specs (void)
{
  static const struct {
    const char *spec;
    const char *says;
  } bad[] = {
    { "gzip,lz4", "Unknown decoder “lz4”" },
    { "msgpack,gzip", "“gzip” comes after “msgpack”" },
    { "gzip,auto", "“auto” decodes on its own" },
    { " , ", "No decoder given" },
    { "protobuf", "needs a descriptor set" },
    { "zlib-stream,zlib-stream", "one zlib-stream" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = sonde_decoder_new (" GZIP , msgpack ", NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (sonde_decoder_get_spec (decoder), ==, "gzip,msgpack");
  g_assert_false (sonde_decoder_is_stateful (decoder));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(SondeDecoder) none = sonde_decoder_new (bad[i].spec, NULL, NULL, NULL, &bad_error);

      g_assert_null (none);
      g_assert_error (bad_error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA);
      g_test_message ("%s: %s", bad[i].spec, bad_error->message);
      g_assert_nonnull (strstr (bad_error->message, bad[i].says));
    }
}

static void
test_chains (void)
{
  static const char json_text[] = "{\"sym\":\"ABC\",\"price\":101.25}";
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) gzip = sonde_decoder_new ("gzip", NULL, NULL, NULL, &error);
  g_autoptr(SondeDecoder) gzip_msgpack = sonde_decoder_new ("gzip,msgpack", NULL, NULL, NULL, &error);
  g_autoptr(SondeDecoder) zlib_cbor = sonde_decoder_new ("zlib,cbor", NULL, NULL, NULL, &error);
  g_autoptr(GBytes) gz_json = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, json_text, strlen (json_text), FALSE);
  g_autoptr(GBytes) gz_msgpack = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, msgpack_a1, sizeof msgpack_a1, FALSE);
  g_autoptr(GBytes) z_cbor = compress (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, cbor_a1, sizeof cbor_a1, FALSE);

  g_assert_no_error (error);
  assert_decodes (gzip, gz_json, json_text);
  assert_decodes (gzip_msgpack, gz_msgpack, "{\"a\":1}");
  assert_decodes (zlib_cbor, z_cbor, "{\"a\":1}");
}

static void
test_auto (void)
{
  static const char json_text[] = "  [1,2,3]";
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = sonde_decoder_new ("auto", NULL, NULL, NULL, &error);
  g_autoptr(GBytes) gz_json = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, json_text, strlen (json_text), FALSE);
  g_autoptr(GBytes) z_msgpack = compress (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, msgpack_a1, sizeof msgpack_a1, FALSE);
  g_autoptr(GBytes) plain = g_bytes_new_static (json_text, strlen (json_text));
  g_autoptr(GBytes) msgpack = g_bytes_new_static (msgpack_a1, sizeof msgpack_a1);
  g_autoptr(GBytes) cbor = g_bytes_new_static (cbor_a1, sizeof cbor_a1);

  g_assert_no_error (error);
  assert_decodes (decoder, gz_json, json_text);
  assert_decodes (decoder, plain, json_text);
  assert_decodes (decoder, z_msgpack, "{\"a\":1}");
  assert_decodes (decoder, msgpack, "{\"a\":1}");
  assert_decodes (decoder, cbor, "{\"a\":1}");
}

/* Discord's zlib-stream: one context across messages, each ending with a
 * sync flush; a reset starts a new context. */
static void
test_zlib_stream (void)
{
  static const char * const messages[] = { "{\"op\":10}", "{\"op\":0,\"t\":\"READY\"}", "{\"op\":11}" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = sonde_decoder_new ("zlib-stream", NULL, NULL, NULL, &error);
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, -1);

  g_assert_no_error (error);
  g_assert_true (sonde_decoder_is_stateful (decoder));

  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
        {
          g_autoptr(GByteArray) out = g_byte_array_new ();
          const char *in = messages[i];
          gsize left = strlen (messages[i]);
          GConverterResult result;
          g_autoptr(GBytes) piece = NULL;

          /* One message, then a sync flush (00 00 FF FF), as Discord does. */
          do
            {
              guint8 buffer[4096];
              gsize read = 0, written = 0;

              result = g_converter_convert (G_CONVERTER (compressor), in, left, buffer, sizeof buffer,
                                            G_CONVERTER_FLUSH, &read, &written, &error);
              g_assert_no_error (error);
              g_byte_array_append (out, buffer, (guint) written);
              in += read;
              left -= read;
            }
          while (result != G_CONVERTER_FLUSHED);
          g_assert_cmpuint (out->len, >=, 4);
          g_assert_cmpmem (out->data + out->len - 4, 4, "\x00\x00\xff\xff", 4);
          /* Only the first message carries the zlib header: the context
           * must have been kept. */
          g_assert_true ((i == 0) == (out->data[0] == 0x78));
          piece = g_byte_array_free_to_bytes (g_steal_pointer (&out));
          if (i == 1)
            {
              /* Split in two: the first part has no view yet, and says
               * why; the second completes the message. */
              gsize size = g_bytes_get_size (piece);
              g_autoptr(GBytes) head = g_bytes_new_from_bytes (piece, 0, size / 2);
              g_autoptr(GBytes) tail = g_bytes_new_from_bytes (piece, size / 2, size - size / 2);
              g_autoptr(GString) json = g_string_new (NULL);
              g_autoptr(GError) incomplete = NULL;

              g_assert_false (sonde_decoder_decode (decoder, g_bytes_get_data (head, NULL), size / 2, json,
                                                    &incomplete));
              g_assert_error (incomplete, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TRUNCATED);
              g_assert_nonnull (strstr (incomplete->message, "00 00 FF FF"));
              g_assert_cmpuint (json->len, ==, 0);
              assert_decodes (decoder, tail, messages[i]);
              continue;
            }
          assert_decodes (decoder, piece, messages[i]);
        }
      /* A new connection: a new context on both sides. */
      sonde_decoder_reset (decoder);
      g_converter_reset (G_CONVERTER (compressor));
    }
}

static void
test_failure_leaves_output (void)
{
  static const guint8 not_gzip[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = sonde_decoder_new ("gzip,msgpack", NULL, NULL, NULL, &error);
  g_autoptr(GString) json = g_string_new ("kept");
  g_autoptr(GBytes) gz_bad_msgpack = NULL;
  static const guint8 truncated_map[] = { 0x82, 0xA1, 'a' };

  g_assert_no_error (error);
  g_assert_false (sonde_decoder_decode (decoder, not_gzip, sizeof not_gzip, json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TRUNCATED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "could not decode as gzip: "));
  g_assert_nonnull (strstr (error->message, " at byte "));
  g_assert_cmpstr (json->str, ==, "kept");
  g_clear_error (&error);

  gz_bad_msgpack = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, truncated_map, sizeof truncated_map, FALSE);
  g_assert_false (sonde_decoder_decode (decoder, g_bytes_get_data (gz_bad_msgpack, NULL),
                                        g_bytes_get_size (gz_bad_msgpack), json, &error));
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "could not decode as MessagePack: "));
  g_assert_cmpstr (json->str, ==, "kept");
}

/* A chain that ends with bytes that are not text says so. */
static void
test_not_text (void)
{
  static const guint8 binary[] = { 'o', 'k', 0xff, 0xfe };
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = sonde_decoder_new ("deflate", NULL, NULL, NULL, &error);
  g_autoptr(GBytes) raw = compress (G_ZLIB_COMPRESSOR_FORMAT_RAW, binary, sizeof binary, FALSE);
  g_autoptr(GString) json = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_false (sonde_decoder_decode (decoder, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), json, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "at byte 2"));
  g_assert_cmpuint (json->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/decoder/specs", test_specs);
  g_test_add_func ("/decoder/chains", test_chains);
  g_test_add_func ("/decoder/auto", test_auto);
  g_test_add_func ("/decoder/zlib-stream", test_zlib_stream);
  g_test_add_func ("/decoder/failure-leaves-output", test_failure_leaves_output);
  g_test_add_func ("/decoder/not-text", test_not_text);

  return g_test_run ();
}
