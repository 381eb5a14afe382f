/* bench-decode-zlib.c: inflating compressed ~2 KiB JSON messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-decode-zlib [--repeat N] [--seconds S]
 *
 * 1024 different ~2 KiB JSON messages (an exchange's ticker snapshot),
 * compressed here by zlib at its default level, then inflated by each
 * stage into one reused GByteArray:
 *
 *   gzip, zlib, deflate   sonde_decode_gzip/zlib/deflate, one call a message
 *   zlib-stream           one SondeZlibStream, each message Z_SYNC_FLUSHed
 *                         by one deflate context (as Discord sends them)
 *   bare zlib (gzip)      inflateInit2 + inflate + inflateEnd into a fixed
 *                         buffer, no checks of Sonde's: the floor
 *
 * Every figure is the median of --repeat timed runs of at least --seconds
 * each. It prints a table and the target:
 *
 *   target decode-gzip-2k: <MB/s of inflated JSON> (goal ≥ 200 MB/s) MET|MISSED
 *
 * Exit status 0, 1 when a stage does not give the messages back, 2 on bad
 * usage.
 */

#define G_LOG_DOMAIN "bench-decode-zlib"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sonde-decode-zlib.h"

#define N_MESSAGES 1024
#define GOAL_MB_S 200.0

typedef enum {
  STAGE_GZIP,
  STAGE_ZLIB,
  STAGE_DEFLATE,
  STAGE_STREAM,
  STAGE_BARE,
  N_STAGES
} Stage;

static const char *const stage_names[N_STAGES] = {
  "gzip",
  "zlib",
  "deflate",
  "zlib-stream",
  "bare zlib (gzip)",
};

typedef struct {
  GPtrArray *plain;                   /* GBytes: the JSON messages */
  GPtrArray *compressed[N_STAGES];    /* GBytes, per stage */
  gsize plain_total;
} Corpus;

static GBytes *
make_message (GRand *rand,
              guint  n)
{
  GString *json = g_string_new (NULL);

  g_string_append_printf (json, "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"seq\":%u,\"data\":[", n);
  for (guint i = 0; json->len < 2000; i++)
    g_string_append_printf (json,
                            "%s{\"instId\":\"%s-USDT\",\"last\":\"%u.%u\",\"lastSz\":\"%u.%04u\",\"askPx\":\"%u.%u\","
                            "\"bidPx\":\"%u.%u\",\"vol24h\":\"%u\",\"ts\":\"%" G_GINT64_FORMAT "\"}",
                            i > 0 ? "," : "", (const char *[]) { "BTC", "ETH", "SOL", "XRP" }[i % 4],
                            g_rand_int_range (rand, 1, 70000), g_rand_int_range (rand, 0, 10),
                            g_rand_int_range (rand, 0, 10), g_rand_int_range (rand, 0, 10000),
                            g_rand_int_range (rand, 1, 70000), g_rand_int_range (rand, 0, 10),
                            g_rand_int_range (rand, 1, 70000), g_rand_int_range (rand, 0, 10),
                            g_rand_int_range (rand, 0, 100000000),
                            (gint64) 1700000000000 + n * 100 + i);
  g_string_append (json, "]}");
  return g_string_free_to_bytes (json);
}

static GBytes *
compress_one (GBytes *plain,
              int     window_bits)
{
  z_stream z = { 0 };
  gsize length;
  const guint8 *data = g_bytes_get_data (plain, &length);
  uLong bound;
  guint8 *out;
  int ret;

  if (deflateInit2 (&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    g_error ("deflateInit2 failed");
  bound = deflateBound (&z, (uLong) length);
  out = g_malloc (bound);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) length;
  z.next_out = out;
  z.avail_out = (uInt) bound;
  ret = deflate (&z, Z_FINISH);
  g_assert (ret == Z_STREAM_END);
  length = bound - z.avail_out;
  deflateEnd (&z);
  return g_bytes_new_take (out, length);
}

static void
corpus_init (Corpus *corpus)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  z_stream stream = { 0 };

  corpus->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint s = 0; s < N_STAGES; s++)
    corpus->compressed[s] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  corpus->plain_total = 0;

  if (deflateInit (&stream, Z_DEFAULT_COMPRESSION) != Z_OK)
    g_error ("deflateInit failed");

  for (guint n = 0; n < N_MESSAGES; n++)
    {
      GBytes *plain = make_message (rand, n);
      gsize length;
      const guint8 *data = g_bytes_get_data (plain, &length);
      guint8 *out = g_malloc (length + 1024);

      g_ptr_array_add (corpus->plain, plain);
      corpus->plain_total += length;
      g_ptr_array_add (corpus->compressed[STAGE_GZIP], compress_one (plain, 31));
      g_ptr_array_add (corpus->compressed[STAGE_ZLIB], compress_one (plain, 15));
      g_ptr_array_add (corpus->compressed[STAGE_DEFLATE], compress_one (plain, -15));
      g_ptr_array_add (corpus->compressed[STAGE_BARE], compress_one (plain, 31));

      stream.next_in = (Bytef *) data;
      stream.avail_in = (uInt) length;
      stream.next_out = out;
      stream.avail_out = (uInt) (length + 1024);
      if (deflate (&stream, Z_SYNC_FLUSH) != Z_OK || stream.avail_in != 0)
        g_error ("deflate failed");
      g_ptr_array_add (corpus->compressed[STAGE_STREAM],
                       g_bytes_new_take (out, length + 1024 - stream.avail_out));
    }
  deflateEnd (&stream);
}

static void
corpus_clear (Corpus *corpus)
{
  g_ptr_array_unref (corpus->plain);
  for (guint s = 0; s < N_STAGES; s++)
    g_ptr_array_unref (corpus->compressed[s]);
}

static gsize
compressed_total (Corpus *corpus,
                  Stage   stage)
{
  gsize total = 0;

  for (guint n = 0; n < N_MESSAGES; n++)
    total += g_bytes_get_size (corpus->compressed[stage]->pdata[n]);
  return total;
}

/* Inflates every message once; returns the bytes inflated, or 0 when a
 * message does not come back as it was. */
static gsize
run_once (Corpus     *corpus,
          Stage       stage,
          GByteArray *out,
          gboolean    verify)
{
  const SondeDecodeLimits *limits;
  static SondeDecodeLimits defaults;
  g_autoptr(SondeZlibStream) stream = NULL;
  static guint8 bare_out[64 * 1024];
  gsize total = 0;

  sonde_decode_limits_init_default (&defaults);
  limits = &defaults;
  if (stage == STAGE_STREAM)
    stream = sonde_zlib_stream_new ();

  for (guint n = 0; n < N_MESSAGES; n++)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (corpus->compressed[stage]->pdata[n], &length);
      gboolean ok = TRUE;

      g_byte_array_set_size (out, 0);
      switch (stage)
        {
        case STAGE_GZIP:
          ok = sonde_decode_gzip (data, length, limits, out, NULL);
          break;
        case STAGE_ZLIB:
          ok = sonde_decode_zlib (data, length, limits, out, NULL);
          break;
        case STAGE_DEFLATE:
          ok = sonde_decode_deflate (data, length, limits, out, NULL);
          break;
        case STAGE_STREAM:
          ok = sonde_zlib_stream_feed (stream, data, length, limits, out, NULL);
          break;
        case STAGE_BARE:
        case N_STAGES:
        default:
          {
            z_stream z = { 0 };

            ok = inflateInit2 (&z, 31) == Z_OK;
            z.next_in = (Bytef *) data;
            z.avail_in = (uInt) length;
            z.next_out = bare_out;
            z.avail_out = sizeof bare_out;
            ok = ok && inflate (&z, Z_FINISH) == Z_STREAM_END;
            g_byte_array_append (out, bare_out, (guint) (sizeof bare_out - z.avail_out));
            inflateEnd (&z);
          }
          break;
        }
      if (!ok)
        return 0;
      if (verify)
        {
          gsize plain_length;
          const guint8 *plain = g_bytes_get_data (corpus->plain->pdata[n], &plain_length);

          if (plain_length != out->len || memcmp (plain, out->data, plain_length) != 0)
            return 0;
        }
      total += out->len;
    }
  return total;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

int
main (int   argc,
      char *argv[])
{
  int repeat = 5;
  double seconds = 0.5;
  Corpus corpus;
  g_autoptr(GByteArray) out = g_byte_array_sized_new (64 * 1024);
  double mb_s[N_STAGES];
  double msgs_s[N_STAGES];

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--repeat") == 0 && i + 1 < argc)
        repeat = atoi (argv[++i]);
      else if (strcmp (argv[i], "--seconds") == 0 && i + 1 < argc)
        seconds = g_ascii_strtod (argv[++i], NULL);
      else
        {
          fprintf (stderr, "usage: bench-decode-zlib [--repeat N] [--seconds S]\n");
          return 2;
        }
    }
  if (repeat < 1 || seconds <= 0)
    {
      fprintf (stderr, "usage: bench-decode-zlib [--repeat N] [--seconds S]\n");
      return 2;
    }

  corpus_init (&corpus);

  for (guint s = 0; s < N_STAGES; s++)
    if (run_once (&corpus, s, out, TRUE) != corpus.plain_total)
      {
        fprintf (stderr, "bench-decode-zlib: %s does not give the messages back\n", stage_names[s]);
        corpus_clear (&corpus);
        return 1;
      }

  {
    g_autofree double *samples = g_new (double, (gsize) repeat * N_STAGES);

    /* The stages interleaved within each repeat. */
    for (int r = 0; r < repeat; r++)
      for (guint s = 0; s < N_STAGES; s++)
        {
          gint64 start = g_get_monotonic_time ();
          gint64 elapsed;
          gsize bytes = 0;

          do
            {
              bytes += run_once (&corpus, s, out, FALSE);
              elapsed = g_get_monotonic_time () - start;
            }
          while (elapsed < (gint64) (seconds * G_USEC_PER_SEC));
          samples[s * repeat + r] = (double) bytes / ((double) elapsed / G_USEC_PER_SEC);
        }

    for (guint s = 0; s < N_STAGES; s++)
      {
        double *row = samples + s * repeat;

        qsort (row, repeat, sizeof *row, compare_doubles);
        mb_s[s] = row[repeat / 2] / 1e6;
        msgs_s[s] = row[repeat / 2] / ((double) corpus.plain_total / N_MESSAGES);
      }
  }

  printf ("%u JSON messages, %.0f bytes each on average; median of %d runs of ≥ %.1f s\n\n",
          N_MESSAGES, (double) corpus.plain_total / N_MESSAGES, repeat, seconds);
  printf ("%-18s %12s %14s %12s\n", "stage", "ratio", "inflated MB/s", "msgs/s");
  for (guint s = 0; s < N_STAGES; s++)
    printf ("%-18s %11.2fx %14.1f %12.0f\n", stage_names[s],
            (double) corpus.plain_total / (double) compressed_total (&corpus, s), mb_s[s], msgs_s[s]);
  printf ("\ntarget decode-gzip-2k: %.1f MB/s of inflated JSON (%.0f msgs/s; bare zlib %.1f MB/s) (goal ≥ %.0f MB/s) %s\n",
          mb_s[STAGE_GZIP], msgs_s[STAGE_GZIP], mb_s[STAGE_BARE], GOAL_MB_S,
          mb_s[STAGE_GZIP] >= GOAL_MB_S ? "MET" : "MISSED");

  corpus_clear (&corpus);
  return 0;
}
