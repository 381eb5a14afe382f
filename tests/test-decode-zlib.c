/* test-decode-zlib.c: the compression stages against Python's gzip and zlib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every compressed input comes from tests/servers/encode_zlib.py, run here
 * with /usr/bin/python3, so the encoder is one nobody in Sonde wrote.
 */

#include "config.h"

#include <string.h>

#include "sonde-decode-zlib.h"
#include "sonde-test-util.h"

typedef gboolean (*DecodeFunc) (const guint8             *data,
                                gsize                     length,
                                const SondeDecodeLimits  *limits,
                                GByteArray               *out,
                                GError                  **error);

static const struct {
  const char *name;
  DecodeFunc decode;
} formats[] = {
  { "gzip", sonde_decode_gzip },
  { "zlib", sonde_decode_zlib },
  { "deflate", sonde_decode_deflate },
};

/* Runs encode_zlib.py with @args (NULL-terminated), failing the test if it
 * does not exit with 0. */
static void
run_encoder (const char *first,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *python = g_getenv ("SONDE_PYTHON");
  const char *servers = g_getenv ("SONDE_TEST_SERVERS");
  va_list ap;

  g_assert_nonnull (servers);
  g_ptr_array_add (argv, g_strdup (python != NULL ? python : "/usr/bin/python3"));
  g_ptr_array_add (argv, g_build_filename (servers, "encode_zlib.py", NULL));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static GBytes *
read_bytes (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
write_bytes (const char   *dir,
             const char   *name,
             const guint8 *data,
             gsize         length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) length, &error);
  g_assert_no_error (error);
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-decode-zlib-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* A ticker feed as JSON text, about @n_ticks × 80 bytes. */
static GString *
make_json (guint n_ticks,
           guint seed)
{
  GString *json = g_string_new ("{\"channel\":\"tickers\",\"data\":[");

  for (guint i = 0; i < n_ticks; i++)
    g_string_append_printf (json, "%s{\"instId\":\"BTC-USDT\",\"last\":\"%u.%u\",\"ts\":\"%u\",\"vol\":%u}",
                            i > 0 ? "," : "", 43000 + (i * 7 + seed) % 900, (i * 13 + seed) % 10,
                            1700000000 + i * 3 + seed, (i * 7919 + seed) % 100000);
  g_string_append (json, "]}");
  return json;
}

/* Decodes @input with @decode onto an array that already holds a prefix,
 * and checks that the prefix stays and @expected follows it. */
static void
assert_decodes_to (DecodeFunc    decode,
                   GBytes       *input,
                   const guint8 *expected,
                   gsize         expected_length)
{
  static const char prefix[] = "prefix";
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  SondeDecodeLimits limits;
  gsize length;
  const guint8 *data = g_bytes_get_data (input, &length);

  sonde_decode_limits_init_default (&limits);
  g_byte_array_append (out, (const guint8 *) prefix, sizeof prefix - 1);
  g_assert_true (decode (data, length, &limits, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, sizeof prefix - 1, prefix, sizeof prefix - 1);
  g_assert_cmpmem (out->data + sizeof prefix - 1, out->len - (sizeof prefix - 1), expected, expected_length);
}

/* Decodes @data expecting @code, with a message that ends "at byte
 * @offset" (any byte for ANY_OFFSET) and holds @needle, and @out left as it
 * was. */
#define ANY_OFFSET G_MAXSIZE

static void
assert_fails (DecodeFunc                decode,
              const guint8             *data,
              gsize                     length,
              const SondeDecodeLimits  *limits,
              SondeDecodeError          code,
              gsize                     offset,
              const char               *needle)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *at = g_strdup_printf (" at byte %" G_GSIZE_FORMAT, offset);

  g_byte_array_append (out, (const guint8 *) "kept", 4);
  g_assert_false (decode (data, length, limits, out, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  if (offset != ANY_OFFSET)
    g_assert_true (g_str_has_suffix (error->message, at));
  if (needle != NULL)
    g_assert_nonnull (strstr (error->message, needle));
  g_assert_cmpmem (out->data, out->len, "kept", 4);
}

/* Every level of every format, multi-member gzip and the gzip header flags,
 * for one input. */
static void
check_round_trips (const guint8 *data,
                   gsize         length)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *input = g_build_filename (dir, "input", NULL);
  static const char *const gzip_extras[] = { "gzip-multi.bin", "gzip-name.bin", "gzip-flags.bin" };

  write_bytes (dir, "input", data, length);
  run_encoder ("levels", input, dir, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint level = 0; level <= 9; level++)
      {
        g_autofree char *name = g_strdup_printf ("%s-%u.bin", formats[f].name, level);
        g_autoptr(GBytes) compressed = read_bytes (dir, name);

        g_test_message ("%s (%" G_GSIZE_FORMAT " bytes)", name, g_bytes_get_size (compressed));
        assert_decodes_to (formats[f].decode, compressed, data, length);
      }

  for (guint i = 0; i < G_N_ELEMENTS (gzip_extras); i++)
    {
      g_autoptr(GBytes) compressed = read_bytes (dir, gzip_extras[i]);

      g_test_message ("%s", gzip_extras[i]);
      assert_decodes_to (sonde_decode_gzip, compressed, data, length);
    }

  /* A small window (CINFO 1), after the largest: the inflater kept
   * between payloads takes the window each header declares. */
  {
    g_autoptr(GBytes) compressed = read_bytes (dir, "zlib-window9.bin");

    g_assert_cmphex (((const guint8 *) g_bytes_get_data (compressed, NULL))[0], ==, 0x18);
    assert_decodes_to (sonde_decode_zlib, compressed, data, length);
  }

  sonde_test_remove_dir (dir);
}

static void
test_json (void)
{
  g_autoptr(GString) json = make_json (300, 1);

  check_round_trips ((const guint8 *) json->str, json->len);
}

static void
test_binary (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autoptr(GByteArray) data = g_byte_array_sized_new (64 * 1024);

  /* Runs of NUL bytes between random ones. */
  for (guint i = 0; i < 64 * 1024; i++)
    {
      guint8 byte = (i / 97) % 3 == 0 ? 0 : (guint8) g_rand_int_range (rand, 0, 256);

      g_byte_array_append (data, &byte, 1);
    }
  g_assert_nonnull (memchr (data->data, 0, data->len));
  check_round_trips (data->data, data->len);
}

static void
test_empty (void)
{
  SondeDecodeLimits limits;

  check_round_trips ((const guint8 *) "", 0);

  /* No bytes at all is not a compressed payload. */
  sonde_decode_limits_init_default (&limits);
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    assert_fails (formats[f].decode, (const guint8 *) "", 0, &limits,
                  SONDE_DECODE_ERROR_TRUNCATED, 0, "empty");
}

/* Cut at every offset: TRUNCATED, never a crash, never a success. */
static void
test_truncated (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *input = g_build_filename (dir, "input", NULL);
  g_autoptr(GString) json = make_json (3, 2);
  static const char *const names[] = { "gzip-6.bin", "gzip-flags.bin", "zlib-6.bin", "deflate-6.bin", "deflate-0.bin" };
  static const DecodeFunc decoders[] = { sonde_decode_gzip, sonde_decode_gzip, sonde_decode_zlib,
                                         sonde_decode_deflate, sonde_decode_deflate };
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  write_bytes (dir, "input", (const guint8 *) json->str, json->len);
  run_encoder ("levels", input, dir, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) compressed = read_bytes (dir, names[i]);
      gsize length;
      const guint8 *data = g_bytes_get_data (compressed, &length);

      assert_decodes_to (decoders[i], compressed, (const guint8 *) json->str, json->len);
      for (gsize cut = 0; cut < length; cut++)
        {
          /* A copy of exactly @cut bytes, so that ASan sees a read past it. */
          g_autofree guint8 *copy = g_memdup2 (data, cut);

          g_test_message ("%s cut at %" G_GSIZE_FORMAT, names[i], cut);
          assert_fails (decoders[i], copy, cut, &limits, SONDE_DECODE_ERROR_TRUNCATED, cut, NULL);
        }
    }

  sonde_test_remove_dir (dir);
}

/* A copy of @bytes with byte @at XORed with @mask. */
static GByteArray *
corrupt (GBytes *bytes,
         gsize   at,
         guint8  mask)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GByteArray *copy = g_byte_array_new ();

  g_byte_array_append (copy, data, (guint) length);
  g_assert_cmpuint (at, <, length);
  copy->data[at] ^= mask;
  return copy;
}

static void
test_corrupt (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *input = g_build_filename (dir, "input", NULL);
  g_autoptr(GString) json = make_json (20, 3);
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GBytes) gz_flags = NULL;
  g_autoptr(GBytes) zl = NULL;
  SondeDecodeLimits limits;
  gsize gz_len, zl_len;

  sonde_decode_limits_init_default (&limits);
  write_bytes (dir, "input", (const guint8 *) json->str, json->len);
  run_encoder ("levels", input, dir, NULL);
  gz = read_bytes (dir, "gzip-6.bin");
  gz_flags = read_bytes (dir, "gzip-flags.bin");
  zl = read_bytes (dir, "zlib-6.bin");
  gz_len = g_bytes_get_size (gz);
  zl_len = g_bytes_get_size (zl);

  /* The checks, each named. */
  {
    g_autoptr(GByteArray) bad_crc = corrupt (gz, gz_len - 8, 0x01);
    g_autoptr(GByteArray) bad_isize = corrupt (gz, gz_len - 2, 0x01);
    /* The header CRC16 of gzip-flags.bin sits after 10 fixed bytes, XLEN
     * and 9 extra bytes, "ticks.json\0" and "a comment\0". */
    g_autoptr(GByteArray) bad_hcrc = corrupt (gz_flags, 42, 0x80);
    g_autoptr(GByteArray) bad_adler = corrupt (zl, zl_len - 1, 0x10);

    assert_fails (sonde_decode_gzip, bad_crc->data, bad_crc->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, gz_len - 8, "CRC32");
    assert_fails (sonde_decode_gzip, bad_isize->data, bad_isize->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, gz_len - 4, "ISIZE");
    assert_fails (sonde_decode_gzip, bad_hcrc->data, bad_hcrc->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 42, "CRC16");
    assert_fails (sonde_decode_zlib, bad_adler->data, bad_adler->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, zl_len - 4, "Adler-32");
  }

  /* Headers. */
  {
    g_autoptr(GByteArray) not_gzip = corrupt (gz, 1, 0x01);
    g_autoptr(GByteArray) method = corrupt (gz, 2, 0x01);
    g_autoptr(GByteArray) reserved = corrupt (gz, 3, 0x80);
    g_autoptr(GByteArray) zlib_check = corrupt (zl, 1, 0x01);
    g_autoptr(GByteArray) zlib_method = corrupt (zl, 0, 0x01);
    static const guint8 zlib_window[] = { 0x88, 0x1c, 0x03, 0x00 };   /* CINFO 8: a 64 KiB window */
    static const guint8 zlib_dict[] = { 0x78, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00 };

    assert_fails (sonde_decode_gzip, not_gzip->data, not_gzip->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 0, "not a gzip header");
    assert_fails (sonde_decode_gzip, method->data, method->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 2, "method 9");
    assert_fails (sonde_decode_gzip, reserved->data, reserved->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 3, "reserved");
    assert_fails (sonde_decode_zlib, zlib_check->data, zlib_check->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 1, "header check");
    assert_fails (sonde_decode_zlib, zlib_method->data, zlib_method->len, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 0, "method 9");
    g_assert_cmpuint ((0x88 << 8 | 0x1c) % 31, ==, 0);
    assert_fails (sonde_decode_zlib, zlib_window, sizeof zlib_window, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 0, "window");
    g_assert_cmpuint ((0x78 << 8 | 0xbb) % 31, ==, 0);
    assert_fails (sonde_decode_zlib, zlib_dict, sizeof zlib_dict, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 1, "dictionary");
  }

  /* Deflate data zlib refuses: a block of the reserved type 3, after the
   * header. */
  {
    static const guint8 gzip_bad_block[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x07, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const guint8 deflate_bad_block[] = { 0x07, 0x00 };
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    assert_fails (sonde_decode_gzip, gzip_bad_block, sizeof gzip_bad_block, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 11, "invalid block type");
    assert_fails (sonde_decode_deflate, deflate_bad_block, sizeof deflate_bad_block, &limits,
                  SONDE_DECODE_ERROR_MALFORMED, 1, "invalid block type");
    g_assert_false (sonde_decode_deflate (deflate_bad_block, sizeof deflate_bad_block, &limits, out, &error));
    g_assert_cmpstr (error->message, ==,
                     "could not decode as deflate: the deflate data is invalid (invalid block type) at byte 1");
  }

  sonde_test_remove_dir (dir);
}

static void
test_trailing (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *input = g_build_filename (dir, "input", NULL);
  g_autoptr(GString) json = make_json (5, 4);
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  write_bytes (dir, "input", (const guint8 *) json->str, json->len);
  run_encoder ("levels", input, dir, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      static const char *const garbage[] = { "garbage", "\x1f", "\x1f\x8a", "\0" };
      static const gsize garbage_len[] = { 7, 1, 2, 1 };
      g_autofree char *name = g_strdup_printf ("%s-6.bin", formats[f].name);
      g_autoptr(GBytes) compressed = read_bytes (dir, name);

      for (guint g = 0; g < G_N_ELEMENTS (garbage); g++)
        {
          g_autoptr(GByteArray) data = g_byte_array_new ();

          g_byte_array_append (data, g_bytes_get_data (compressed, NULL), (guint) g_bytes_get_size (compressed));
          g_byte_array_append (data, (const guint8 *) garbage[g], (guint) garbage_len[g]);
          g_test_message ("%s + %u bytes", name, (guint) garbage_len[g]);
          assert_fails (formats[f].decode, data->data, data->len, &limits,
                        SONDE_DECODE_ERROR_TRAILING, g_bytes_get_size (compressed), "after the end");
        }
    }

  sonde_test_remove_dir (dir);
}

/* A few MiB of zeros: the limit holds to the byte, for each format. */
static void
test_bomb_small (void)
{
  g_autofree char *dir = make_temp_dir ();
  const gsize size = 4 * 1024 * 1024;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *name = g_strdup_printf ("bomb.%s", formats[f].name);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GBytes) bomb = NULL;
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      SondeDecodeLimits limits;
      gsize length;
      const guint8 *data;

      run_encoder ("bomb", formats[f].name, "4", path, NULL);
      bomb = read_bytes (dir, name);
      data = g_bytes_get_data (bomb, &length);
      sonde_decode_limits_init_default (&limits);

      /* Exactly the limit fits. */
      limits.max_output = size;
      g_assert_true (formats[f].decode (data, length, &limits, out, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (out->len, ==, size);
      g_assert_null (memchr (out->data, 1, out->len));
      g_assert_cmpuint (out->data[size - 1], ==, 0);

      /* One byte less does not; nor does 1 MiB. */
      limits.max_output = size - 1;
      assert_fails (formats[f].decode, data, length, &limits, SONDE_DECODE_ERROR_TOO_LARGE,
                    ANY_OFFSET, "inflates past the");
      limits.max_output = 1024 * 1024;
      {
        g_autoptr(GByteArray) out2 = g_byte_array_new ();
        g_autoptr(GError) error2 = NULL;

        g_assert_false (formats[f].decode (data, length, &limits, out2, &error2));
        g_assert_error (error2, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_LARGE);
        g_assert_nonnull (strstr (error2->message, "inflates past the 1.0"));
        g_assert_cmpuint (out2->len, ==, 0);
      }
    }

  sonde_test_remove_dir (dir);
}

/* 1 GiB of zeros, made a MiB at a time by Python: TOO_LARGE at the default
 * 16 MiB, and the peak resident size grows by far less than a GiB. */
static void
test_bomb_gigabyte (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bomb.gz", NULL);
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  SondeDecodeLimits limits;
  guint64 before;
  gsize length;
  const guint8 *data;

  run_encoder ("bomb", "gzip", "1024", path, NULL);
  bomb = read_bytes (dir, "bomb.gz");
  data = g_bytes_get_data (bomb, &length);
  g_test_message ("1 GiB of zeros in %" G_GSIZE_FORMAT " gzip bytes", length);
  sonde_decode_limits_init_default (&limits);

  before = sonde_test_memory_mark ();
  g_assert_false (sonde_decode_gzip (data, length, &limits, out, &error));
  g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_LARGE);
  g_assert_cmpuint (out->len, ==, 0);
  /* 16 MiB of output and zlib's window: 64 MiB is plenty, 1 GiB is not. */
  sonde_test_assert_peak_growth (before, 64 * 1024 * 1024);

  sonde_test_remove_dir (dir);
}

/* Writes each message, has Python compress them in one context and reads
 * the pieces back. */
static GPtrArray *
encode_stream (const char        *dir,
               const char *const *messages,
               guint              n_messages)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("SONDE_TEST_SERVERS"), "encode_zlib.py", NULL));
  g_ptr_array_add (argv, g_strdup ("stream"));
  g_ptr_array_add (argv, g_strdup (dir));
  for (guint i = 0; i < n_messages; i++)
    {
      g_autofree char *name = g_strdup_printf ("message-%u", i + 1);

      write_bytes (dir, name, (const guint8 *) messages[i], strlen (messages[i]));
      g_ptr_array_add (argv, g_build_filename (dir, name, NULL));
    }
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n_messages; i++)
    {
      g_autofree char *name = g_strdup_printf ("stream-%u.bin", i + 1);

      g_ptr_array_add (pieces, read_bytes (dir, name));
    }
  return pieces;
}

static void
feed_ok (SondeZlibStream *stream,
         const guint8    *data,
         gsize            length,
         const char      *expected)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  g_assert_true (sonde_zlib_stream_feed (stream, data, length, &limits, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
}

static void
test_stream (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GString) big = make_json (200, 5);
  const char *messages[] = {
    "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}",
    "{\"op\":11}",
    "{\"t\":\"READY\",\"s\":1,\"op\":0,\"d\":{\"v\":10,\"user\":{\"id\":\"80351110224678912\",\"username\":\"Nelly\"}}}",
    "{\"t\":\"MESSAGE_CREATE\",\"s\":2,\"op\":0,\"d\":{\"content\":\"hello\",\"id\":\"1\"}}",
    big->str,
    "{\"t\":\"MESSAGE_CREATE\",\"s\":3,\"op\":0,\"d\":{\"content\":\"hello again\",\"id\":\"2\"}}",
    "",
  };
  g_autoptr(GPtrArray) pieces = encode_stream (dir, messages, G_N_ELEMENTS (messages));
  g_autoptr(SondeZlibStream) stream = sonde_zlib_stream_new ();

  for (guint i = 0; i < pieces->len; i++)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (pieces->pdata[i], &length);

      g_test_message ("message %u: %" G_GSIZE_FORMAT " bytes", i + 1, length);
      if (i == 2 || i == 3)
        {
          /* Split in two: in the middle, then inside the marker. */
          gsize cut = i == 2 ? length / 2 : length - 2;

          feed_ok (stream, data, cut, "");
          g_assert_cmpuint (sonde_zlib_stream_get_pending (stream), ==, cut);
          g_assert_cmpuint (sonde_zlib_stream_get_n_messages (stream), ==, i);
          feed_ok (stream, data + cut, length - cut, messages[i]);
        }
      else
        feed_ok (stream, data, length, messages[i]);
      g_assert_cmpuint (sonde_zlib_stream_get_pending (stream), ==, 0);
      g_assert_cmpuint (sonde_zlib_stream_get_n_messages (stream), ==, i + 1);
    }

  /* The context is shared: the second message alone, in a stream of its
   * own, does not decode (no header, and it refers back to the first). */
  {
    g_autoptr(SondeZlibStream) alone = sonde_zlib_stream_new ();
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    SondeDecodeLimits limits;
    gsize length;
    const guint8 *data = g_bytes_get_data (pieces->pdata[5], &length);

    sonde_decode_limits_init_default (&limits);
    g_assert_false (sonde_zlib_stream_feed (alone, data, length, &limits, out, &error));
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_MALFORMED);
    g_assert_cmpuint (out->len, ==, 0);
  }

  sonde_test_remove_dir (dir);
}

static void
test_stream_poisoned (void)
{
  g_autofree char *dir = make_temp_dir ();
  const char *messages[] = { "{\"op\":10}", "{\"op\":11}", "{\"op\":0,\"s\":1}" };
  static const guint8 garbage[] = { 'n', 'o', 't', ' ', 'z', 'l', 'i', 'b', 0x00, 0x00, 0xff, 0xff };
  g_autoptr(GPtrArray) pieces = encode_stream (dir, messages, G_N_ELEMENTS (messages));
  g_autoptr(SondeZlibStream) stream = sonde_zlib_stream_new ();
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  feed_ok (stream, g_bytes_get_data (pieces->pdata[0], NULL), g_bytes_get_size (pieces->pdata[0]), messages[0]);

  {
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (sonde_zlib_stream_feed (stream, garbage, sizeof garbage, &limits, out, &error));
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_MALFORMED);
    g_assert_true (g_str_has_prefix (error->message, "could not decode as zlib-stream: the deflate data is invalid"));
    g_assert_cmpuint (out->len, ==, 0);
  }

  /* Every later message fails, naming the message that broke it. */
  for (guint i = 1; i < pieces->len; i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (sonde_zlib_stream_feed (stream, g_bytes_get_data (pieces->pdata[i], NULL),
                                              g_bytes_get_size (pieces->pdata[i]), &limits, out, &error));
      g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "the stream broke at message 2"));
      g_assert_cmpuint (out->len, ==, 0);
    }

  /* A new stream decodes again. */
  {
    g_autoptr(SondeZlibStream) fresh = sonde_zlib_stream_new ();

    for (guint i = 0; i < pieces->len; i++)
      feed_ok (fresh, g_bytes_get_data (pieces->pdata[i], NULL), g_bytes_get_size (pieces->pdata[i]), messages[i]);
  }

  sonde_test_remove_dir (dir);
}

/* A bomb in one message, and pieces without a marker past the limit: each
 * TOO_LARGE, and the stream broken after. */
static void
test_stream_limits (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bomb.zlib", NULL);
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(GByteArray) message = g_byte_array_new ();
  SondeDecodeLimits limits;

  sonde_decode_limits_init_default (&limits);
  limits.max_output = 1024 * 1024;
  run_encoder ("bomb", "zlib", "4", path, NULL);
  bomb = read_bytes (dir, "bomb.zlib");
  g_byte_array_append (message, g_bytes_get_data (bomb, NULL), (guint) g_bytes_get_size (bomb));
  g_byte_array_append (message, (const guint8 *) "\0\0\xff\xff", 4);

  {
    g_autoptr(SondeZlibStream) stream = sonde_zlib_stream_new ();
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (sonde_zlib_stream_feed (stream, message->data, message->len, &limits, out, &error));
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_LARGE);
    g_assert_cmpuint (out->len, ==, 0);
    g_clear_error (&error);
    g_assert_false (sonde_zlib_stream_feed (stream, message->data, message->len, &limits, out, &error));
    g_assert_nonnull (strstr (error->message, "the stream broke at message 1"));
  }

  {
    g_autoptr(SondeZlibStream) stream = sonde_zlib_stream_new ();
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *piece = g_malloc0 (300 * 1024);
    guint fed = 0;

    while (sonde_zlib_stream_feed (stream, piece, 300 * 1024, &limits, out, &error))
      {
        fed++;
        g_assert_cmpuint (sonde_zlib_stream_get_pending (stream), <=, limits.max_output);
      }
    g_assert_cmpuint (fed, ==, 3);
    g_assert_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_TOO_LARGE);
    g_assert_cmpuint (sonde_zlib_stream_get_pending (stream), ==, 0);
    g_assert_cmpuint (out->len, ==, 0);
  }

  sonde_test_remove_dir (dir);
}

static void
test_sniff (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *input = g_build_filename (dir, "input", NULL);
  g_autoptr(GString) json = make_json (10, 6);
  const char *name = NULL;
  static const guint8 msgpack_map[] = { 0x82, 0xa2, 'o', 'p', 0x0a, 0xa1, 'd', 0xc0 };

  write_bytes (dir, "input", (const guint8 *) json->str, json->len);
  run_encoder ("levels", input, dir, NULL);
  for (guint level = 0; level <= 9; level++)
    {
      g_autofree char *gz_name = g_strdup_printf ("gzip-%u.bin", level);
      g_autofree char *zl_name = g_strdup_printf ("zlib-%u.bin", level);
      g_autoptr(GBytes) gz = read_bytes (dir, gz_name);
      g_autoptr(GBytes) zl = read_bytes (dir, zl_name);

      name = NULL;
      g_assert_true (sonde_decode_sniff_compression (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), &name));
      g_assert_cmpstr (name, ==, "gzip");
      name = NULL;
      g_assert_true (sonde_decode_sniff_compression (g_bytes_get_data (zl, NULL), g_bytes_get_size (zl), &name));
      g_assert_cmpstr (name, ==, "zlib");
    }

  name = NULL;
  g_assert_false (sonde_decode_sniff_compression ((const guint8 *) json->str, json->len, &name));
  g_assert_false (sonde_decode_sniff_compression ((const guint8 *) "[1,2]", 5, &name));
  g_assert_false (sonde_decode_sniff_compression (msgpack_map, sizeof msgpack_map, &name));
  g_assert_false (sonde_decode_sniff_compression ((const guint8 *) "", 0, &name));
  g_assert_false (sonde_decode_sniff_compression ((const guint8 *) "\x1f\x8b", 2, &name));
  g_assert_null (name);

  sonde_test_remove_dir (dir);
}

/* libdeflate's first try and zlib alone answer alike: every payload the
 * fuzzer's seeds hold (Python's gzip and zlib, broken ones, bombs, and
 * what the fuzzer found where the two differed), as gzip and as zlib, under
 * a small and a large limit. And libdeflate takes the common payloads. */
static void
test_fast_agrees (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-decode-zlib", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_files = 0;
  guint n_ok = 0;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      n_files++;
      for (guint skip = 0; skip <= 1 && skip < length; skip++)
        for (guint format = 0; format < 2; format++)
          for (guint l = 0; l < 2; l++)
            {
              const guint8 *data = (const guint8 *) contents + skip;
              SondeDecodeLimits limits;
              g_autoptr(GByteArray) fast = g_byte_array_new ();
              g_autoptr(GByteArray) slow = g_byte_array_new ();
              g_autoptr(GError) fast_error = NULL;
              g_autoptr(GError) slow_error = NULL;
              gboolean fast_ok, slow_ok;

              sonde_decode_limits_init_default (&limits);
              limits.max_output = l == 0 ? 100 : 16 * 1024 * 1024;
              fast_ok = format == 0 ? sonde_decode_gzip (data, length - skip, &limits, fast, &fast_error)
                                    : sonde_decode_zlib (data, length - skip, &limits, fast, &fast_error);
              sonde_decode_zlib_set_fast (FALSE);
              slow_ok = format == 0 ? sonde_decode_gzip (data, length - skip, &limits, slow, &slow_error)
                                    : sonde_decode_zlib (data, length - skip, &limits, slow, &slow_error);
              sonde_decode_zlib_set_fast (TRUE);

              g_assert_cmpint (fast_ok, ==, slow_ok);
              g_assert_cmpmem (fast->data, fast->len, slow->data, slow->len);
              if (!fast_ok)
                g_assert_cmpstr (fast_error->message, ==, slow_error->message);
              n_ok += fast_ok;
            }
    }
  g_assert_cmpuint (n_files, >=, 16);
  g_assert_cmpuint (n_ok, >, 4);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/decode-zlib/json", test_json);
  g_test_add_func ("/decode-zlib/binary", test_binary);
  g_test_add_func ("/decode-zlib/empty", test_empty);
  g_test_add_func ("/decode-zlib/truncated", test_truncated);
  g_test_add_func ("/decode-zlib/corrupt", test_corrupt);
  g_test_add_func ("/decode-zlib/trailing", test_trailing);
  g_test_add_func ("/decode-zlib/bomb-small", test_bomb_small);
  g_test_add_func ("/decode-zlib/bomb-gigabyte", test_bomb_gigabyte);
  g_test_add_func ("/decode-zlib/stream", test_stream);
  g_test_add_func ("/decode-zlib/stream-poisoned", test_stream_poisoned);
  g_test_add_func ("/decode-zlib/stream-limits", test_stream_limits);
  g_test_add_func ("/decode-zlib/sniff", test_sniff);
  g_test_add_func ("/decode-zlib/fast-agrees", test_fast_agrees);

  return g_test_run ();
}
