/* fuzz-decode-zlib.c: libFuzzer target for the compression stages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one byte choosing the stage (low two bits: gzip, zlib, deflate,
 * zlib-stream) and the limit (the next three bits: 1 byte to 1 MiB), then
 * the compressed data. For zlib-stream the data is pieces, each a length
 * byte and that many bytes (cut short at the end), fed one by one. Besides
 * "no crash, no leak, no over-read", it checks what must always hold:
 *
 * - the bytes appended never pass the limit, and an error leaves the output
 *   as it was (the prefix put there first stays, nothing after it);
 * - an error has the decode domain and a message "could not decode as …";
 * - once a zlib-stream fails, every later piece fails too;
 * - what inflated whole compresses with zlib and inflates again (through
 *   sonde_decode_zlib) to the same bytes.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz-check.h"
#include "sonde-decode-zlib.h"
#include "sonde-decoder.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char prefix[] = "prefix";
#define PREFIX_LEN (sizeof prefix - 1)

static const gsize limits_table[] = { 1, 100, 4096, 16 * 1024, 16 * 1024 + 1, 64 * 1024, 256 * 1024, 1024 * 1024 };

static void
check_error (const GError *error)
{
  CHECK (error != NULL);
  CHECK (error->domain == SONDE_DECODE_ERROR);
  CHECK (g_str_has_prefix (error->message, "could not decode as "));
}

/* Compresses @data with zlib and inflates it back through
 * sonde_decode_zlib: the same bytes. */
static void
check_round_trip (const guint8 *data,
                  gsize         length)
{
  g_autoptr(GByteArray) again = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  uLongf bound = compressBound ((uLong) length);
  g_autofree guint8 *compressed = g_malloc (bound);
  SondeDecodeLimits limits;

  CHECK (compress2 (compressed, &bound, data, (uLong) length, 6) == Z_OK);
  sonde_decode_limits_init_default (&limits);
  limits.max_output = length;
  CHECK (sonde_decode_zlib (compressed, bound, &limits, again, &error));
  CHECK (error == NULL);
  CHECK (again->len == length);
  CHECK (length == 0 || memcmp (again->data, data, length) == 0);
}

static gboolean
decode_whole (guint                    stage,
              const guint8            *data,
              gsize                    size,
              const SondeDecodeLimits *limits,
              GByteArray              *out,
              GError                 **error)
{
  switch (stage)
    {
    case 0:
      return sonde_decode_gzip (data, size, limits, out, error);
    case 1:
      return sonde_decode_zlib (data, size, limits, out, error);
    default:
      return sonde_decode_deflate (data, size, limits, out, error);
    }
}

static void
fuzz_whole (guint         stage,
            const guint8 *data,
            gsize         size,
            const SondeDecodeLimits *limits)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_byte_array_append (out, (const guint8 *) prefix, PREFIX_LEN);
  ok = decode_whole (stage, data, size, limits, out, &error);

  /* libdeflate's first try and zlib alone give the same answer: the same
   * bytes, or the same error. */
  {
    g_autoptr(GByteArray) slow = g_byte_array_new ();
    g_autoptr(GError) slow_error = NULL;
    gboolean slow_ok;

    g_byte_array_append (slow, (const guint8 *) prefix, PREFIX_LEN);
    sonde_decode_zlib_set_fast (FALSE);
    slow_ok = decode_whole (stage, data, size, limits, slow, &slow_error);
    sonde_decode_zlib_set_fast (TRUE);
    CHECK (ok == slow_ok);
    CHECK (out->len == slow->len && memcmp (out->data, slow->data, out->len) == 0);
    CHECK (ok || (error->code == slow_error->code && strcmp (error->message, slow_error->message) == 0));
  }

  CHECK (out->len >= PREFIX_LEN);
  CHECK (memcmp (out->data, prefix, PREFIX_LEN) == 0);
  CHECK (out->len - PREFIX_LEN <= limits->max_output);
  if (!ok)
    {
      check_error (error);
      CHECK (out->len == PREFIX_LEN);
      return;
    }
  CHECK (error == NULL);
  check_round_trip (out->data + PREFIX_LEN, out->len - PREFIX_LEN);
}

static void
fuzz_stream (const guint8            *data,
             gsize                    size,
             const SondeDecodeLimits *limits)
{
  g_autoptr(SondeZlibStream) stream = sonde_zlib_stream_new ();
  g_autoptr(GByteArray) all = g_byte_array_new ();
  gboolean broken = FALSE;
  gsize pos = 0;

  while (pos < size)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      gsize piece = MIN ((gsize) data[pos], size - pos - 1);
      gboolean ok;

      pos++;
      g_byte_array_append (out, (const guint8 *) prefix, PREFIX_LEN);
      ok = sonde_zlib_stream_feed (stream, data + pos, piece, limits, out, &error);
      pos += piece;

      CHECK (out->len >= PREFIX_LEN);
      CHECK (memcmp (out->data, prefix, PREFIX_LEN) == 0);
      CHECK (out->len - PREFIX_LEN <= limits->max_output);
      CHECK (sonde_zlib_stream_get_pending (stream) <= limits->max_output);
      if (broken)
        CHECK (!ok);
      if (!ok)
        {
          check_error (error);
          CHECK (out->len == PREFIX_LEN);
          broken = TRUE;
          continue;
        }
      CHECK (error == NULL);
      g_byte_array_append (all, out->data + PREFIX_LEN, out->len - PREFIX_LEN);
      if (all->len > 4 * 1024 * 1024)
        break;
    }

  check_round_trip (all->data, all->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  SondeDecodeLimits limits;
  const char *name = NULL;
  guint stage;

  if (size < 1)
    return 0;

  sonde_decode_limits_init_default (&limits);
  stage = data[0] & 3;
  limits.max_output = limits_table[(data[0] >> 2) & 7];

  if (sonde_decode_sniff_compression (data + 1, size - 1, &name))
    CHECK (strcmp (name, "gzip") == 0 || strcmp (name, "zlib") == 0);

  /* A guess is a chain that builds, and a compressed guess starts with
   * what the sniffer saw. */
  {
    g_autofree char *guess = sonde_decoder_guess (data + 1, size - 1);

    if (guess != NULL)
      {
        g_autoptr(SondeDecoder) decoder = sonde_decoder_new (guess, NULL, NULL, NULL, NULL);

        CHECK (decoder != NULL);
        CHECK (name == NULL || g_str_has_prefix (guess, name));
      }
  }

  if (stage == 3)
    fuzz_stream (data + 1, size - 1, &limits);
  else
    fuzz_whole (stage, data + 1, size - 1, &limits);
  return 0;
}
