/* sonde-decode-zlib.c: the compression stages (gzip, zlib, deflate, zlib-stream)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * zlib inflates raw deflate data; the gzip and zlib wrappers (headers,
 * CRC32, Adler-32, ISIZE) are read here, so that each error says which check
 * failed and at which byte of the input. Output goes straight into the
 * caller's GByteArray, grown a chunk at a time and never past the limit
 * plus one byte (which is how a bomb is told from a payload that fits).
 *
 * A gzip or zlib payload is first tried with libdeflate, which inflates a
 * small message about 1.6 times as fast as zlib: only a payload it inflates
 * at once, within the limit, to its last byte and with its CRC32 (or
 * Adler-32) right, is taken from it. Anything else (an error, a bomb, a
 * second gzip member, an output larger than guessed) goes the zlib way,
 * whose answer (and error, and offset) is the one given. Raw deflate has no
 * checksum, and libdeflate takes some streams zlib refuses (a literal/length
 * code zlib calls invalid): it always goes the zlib way.
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#ifdef SONDE_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#include <zlib.h>

#include "sonde-decode-zlib.h"
#include "sonde-text.h"

/* The first output chunk; later chunks double up to the largest. */
#define CHUNK_FIRST (16 * 1024)
#define CHUNK_LARGEST (1024 * 1024)

/* The marker that ends each message of a zlib-stream (an empty stored
 * block, as Z_SYNC_FLUSH writes it). */
static const guint8 sync_marker[4] = { 0x00, 0x00, 0xff, 0xff };

struct _SondeZlibStream
{
  /* owned */
  z_stream z;
  GByteArray *pending;     /* a message waiting for its marker */
  /* state */
  gboolean ready;          /* z is initialised */
  gboolean ended;          /* the deflate data had its final block */
  guint n_messages;
  gboolean broken;
  guint broken_at;         /* the message (from 1) that broke it */
  gsize broken_offset;
};

typedef enum {
  RUN_END,                 /* the final block ended */
  RUN_INPUT_USED,          /* every byte of input read, no final block yet */
  RUN_TOO_LARGE,           /* the output passed the limit */
  RUN_ERROR,               /* zlib refused the data: see zret */
} RunResult;

static void
set_error_take (GError           **error,
                SondeDecodeError   code,
                const char        *format,
                gsize              offset,
                char              *why)
{
  sonde_decode_set_error (error, code, format, offset, why);
  g_free (why);
}

static void
set_too_large (GError     **error,
               const char  *format,
               gsize        offset,
               gsize        limit)
{
  g_autofree char *limit_text = sonde_format_size (limit);

  /* Translators: a compressed payload inflates to more than the largest
   * message allowed, e.g. "inflates past the 16 MiB limit". */
  set_error_take (error, SONDE_DECODE_ERROR_TOO_LARGE, format, offset,
                  g_strdup_printf (_("inflates past the %s limit"), limit_text));
}

/* What zlib said when it refused the data, as a decode error. */
static void
set_zlib_error (GError     **error,
                const char  *format,
                gsize        offset,
                z_stream    *z,
                int          zret)
{
  switch (zret)
    {
    case Z_NEED_DICT:
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, format, offset,
                              _("it needs a preset dictionary"));
      break;
    case Z_MEM_ERROR:
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, format, offset,
                              _("zlib ran out of memory"));
      break;
    default:
      /* Translators: %s is zlib's own reason, in English, e.g. "invalid
       * block type". */
      set_error_take (error, SONDE_DECODE_ERROR_MALFORMED, format, offset,
                      g_strdup_printf (_("the deflate data is invalid (%s)"),
                                       z->msg != NULL ? z->msg : zError (zret)));
      break;
    }
}

/* Inflates @length bytes at @data with @z onto @out, until the final block
 * or the end of the input. The bytes appended since @out_start may not pass
 * @max_output: the array grows a chunk at a time, each capped at one byte
 * past the limit. Sets *@consumed to the bytes of @data read. */
static RunResult
inflate_run (z_stream     *z,
             const guint8 *data,
             gsize         length,
             GByteArray   *out,
             guint         out_start,
             gsize         max_output,
             int           flush,
             gsize        *consumed,
             int          *zret)
{
  gsize left = length;
  gsize chunk = CHUNK_FIRST;

  /* A GByteArray holds at most G_MAXUINT bytes. */
  max_output = MIN (max_output, (gsize) (G_MAXUINT - 1 - out_start));
  z->avail_in = 0;
  *consumed = 0;
  for (;;)
    {
      guint before = out->len;
      gsize produced = before - out_start;
      gsize room = max_output - produced;
      gsize step;
      int ret;

      /* zlib reads at most a uInt of input at a time. */
      if (z->avail_in == 0 && left > 0)
        {
          z->next_in = (Bytef *) data + (length - left);
          z->avail_in = (uInt) MIN (left, (gsize) G_MAXUINT32);
          left -= z->avail_in;
        }

      step = room >= chunk ? chunk : room + 1;
      g_byte_array_set_size (out, before + step);
      z->next_out = out->data + before;
      z->avail_out = (uInt) step;
      ret = inflate (z, flush);
      g_byte_array_set_size (out, before + (step - z->avail_out));
      *consumed = length - left - z->avail_in;
      *zret = ret;

      if (out->len - out_start > max_output)
        return RUN_TOO_LARGE;

      switch (ret)
        {
        case Z_STREAM_END:
          return RUN_END;
        case Z_OK:
          if (z->avail_in == 0 && left == 0 && z->avail_out != 0)
            return RUN_INPUT_USED;
          break;
        case Z_BUF_ERROR:
          /* No progress possible: the input is used up. */
          if (z->avail_in == 0 && left == 0)
            return RUN_INPUT_USED;
          return RUN_ERROR;
        default:
          return RUN_ERROR;
        }

      if (z->avail_out == 0 && chunk < CHUNK_LARGEST)
        chunk *= 2;
    }
}

/* One inflate of a whole deflate body at @data + @pos: moves *@pos past it
 * and returns TRUE at its final block; sets @error otherwise. */
static gboolean
inflate_body (z_stream     *z,
              const char   *format,
              const guint8 *data,
              gsize         length,
              gsize        *pos,
              GByteArray   *out,
              guint         out_start,
              gsize         max_output,
              GError      **error)
{
  gsize consumed = 0;
  int zret = Z_OK;
  RunResult result;

  result = inflate_run (z, data + *pos, length - *pos, out, out_start, max_output,
                        Z_NO_FLUSH, &consumed, &zret);
  switch (result)
    {
    case RUN_END:
      *pos += consumed;
      return TRUE;
    case RUN_INPUT_USED:
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, format, length,
                              _("the compressed data ends early"));
      return FALSE;
    case RUN_TOO_LARGE:
      set_too_large (error, format, *pos + consumed, max_output);
      return FALSE;
    case RUN_ERROR:
    default:
      set_zlib_error (error, format, *pos + consumed, z, zret);
      return FALSE;
    }
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | (guint32) p[3];
}

/* Reads a gzip member header at *@pos (RFC 1952 2.3.1) and moves past it. */
static gboolean
read_gzip_header (const guint8  *data,
                  gsize          length,
                  gsize         *pos,
                  GError       **error)
{
  enum { FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16 };
  gsize start = *pos;
  gsize p = start;
  guint8 flags;

  if (length - p < 10)
    {
      if ((length - p >= 1 && data[p] != 0x1f) || (length - p >= 2 && data[p + 1] != 0x8b))
        goto not_gzip;
      goto truncated;
    }
  if (data[p] != 0x1f || data[p + 1] != 0x8b)
    goto not_gzip;
  if (data[p + 2] != 8)
    {
      /* Translators: a gzip or zlib header names a compression method
       * other than deflate (8). */
      set_error_take (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", p + 2,
                      g_strdup_printf (_("unknown compression method %u"), data[p + 2]));
      return FALSE;
    }
  flags = data[p + 3];
  if ((flags & 0xe0) != 0)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", p + 3,
                              _("reserved header flags are set"));
      return FALSE;
    }
  p += 10;

  if (flags & FEXTRA)
    {
      gsize xlen;

      if (length - p < 2)
        goto truncated;
      xlen = (gsize) data[p] | ((gsize) data[p + 1] << 8);
      p += 2;
      if (length - p < xlen)
        goto truncated;
      p += xlen;
    }
  if (flags & FNAME)
    {
      const guint8 *nul = memchr (data + p, 0, length - p);

      if (nul == NULL)
        goto truncated;
      p = (gsize) (nul - data) + 1;
    }
  if (flags & FCOMMENT)
    {
      const guint8 *nul = memchr (data + p, 0, length - p);

      if (nul == NULL)
        goto truncated;
      p = (gsize) (nul - data) + 1;
    }
  if (flags & FHCRC)
    {
      guint crc16;

      if (length - p < 2)
        goto truncated;
      crc16 = (guint) (crc32_z (0, data + start, p - start) & 0xffff);
      if (crc16 != ((guint) data[p] | ((guint) data[p + 1] << 8)))
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", p,
                                  _("the header CRC16 check failed"));
          return FALSE;
        }
      p += 2;
    }

  *pos = p;
  return TRUE;

not_gzip:
  sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", start,
                          _("not a gzip header"));
  return FALSE;

truncated:
  sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, "gzip", length,
                          _("the header ends early"));
  return FALSE;
}

static gboolean
check_empty (const char  *format,
             gsize        length,
             GError     **error)
{
  if (length > 0)
    return TRUE;
  sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, format, 0, _("the data is empty"));
  return FALSE;
}

static void
free_inflater (gpointer data)
{
  z_stream *z = data;

  inflateEnd (z);
  g_free (z);
}

/* One raw inflater kept per thread between payloads: starting one (its
 * state and 32 KiB window) costs about as much as inflating a small
 * message. Taken out while in use, so a nested call makes its own. */
static GPrivate cached_inflater = G_PRIVATE_INIT (free_inflater);

/* A raw inflater for @window_bits, or NULL with @error set. */
static z_stream *
take_raw_inflater (int          window_bits,
                   const char  *format,
                   GError     **error)
{
  z_stream *z = g_private_get (&cached_inflater);

  if (z != NULL)
    {
      g_private_set (&cached_inflater, NULL);
      if (inflateReset2 (z, -window_bits) == Z_OK)
        return z;
      free_inflater (z);
    }

  z = g_new0 (z_stream, 1);
  if (inflateInit2 (z, -window_bits) == Z_OK)
    return z;
  g_free (z);
  sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, format, 0, _("zlib ran out of memory"));
  return NULL;
}

static void
give_back_inflater (z_stream *z)
{
  if (g_private_get (&cached_inflater) == NULL)
    g_private_set (&cached_inflater, z);
  else
    free_inflater (z);
}

/* libdeflate's first try (see the top of the file); off for tests that
 * compare it with zlib's answers. */
static gboolean use_libdeflate = TRUE;

void
sonde_decode_zlib_set_fast (gboolean fast)
{
  use_libdeflate = fast;
}

typedef enum {
  FAST_GZIP,
  FAST_ZLIB,
} FastFormat;

#ifdef SONDE_HAVE_LIBDEFLATE

static void
free_decompressor (gpointer data)
{
  libdeflate_free_decompressor (data);
}

static GPrivate cached_decompressor = G_PRIVATE_INIT (free_decompressor);

/* Appends @data inflated whole by libdeflate to @out and returns TRUE; FALSE
 * with @out as it was when libdeflate cannot take it at once. @size_hint:
 * the output expected (gzip's ISIZE), or 0 for a guess. */
static gboolean
fast_inflate (FastFormat    format,
              const guint8 *data,
              gsize         length,
              gsize         size_hint,
              gsize         max_output,
              GByteArray   *out)
{
  struct libdeflate_decompressor *d;
  enum libdeflate_result result;
  guint out_start = out->len;
  gsize in_used = 0;
  gsize produced = 0;
  gsize room;

  if (!use_libdeflate || length == 0 || max_output >= G_MAXUINT - out->len)
    return FALSE;

  /* Deflate expands at most 1032 times; a guess of 8 times fits most
   * JSON, and a payload that needs more goes the zlib way. */
  room = size_hint > 0 ? size_hint : MAX (length * 8, 4096);
  room = MIN (room, length > G_MAXSIZE / 1032 ? G_MAXSIZE : length * 1032);
  room = MIN (room, max_output);
  if (room == 0)
    return FALSE;

  d = g_private_get (&cached_decompressor);
  if (d == NULL)
    {
      d = libdeflate_alloc_decompressor ();
      if (d == NULL)
        return FALSE;
      g_private_set (&cached_decompressor, d);
    }

  g_byte_array_set_size (out, out_start + (guint) room);
  switch (format)
    {
    case FAST_GZIP:
      result = libdeflate_gzip_decompress_ex (d, data, length, out->data + out_start, room, &in_used, &produced);
      break;
    case FAST_ZLIB:
    default:
      result = libdeflate_zlib_decompress_ex (d, data, length, out->data + out_start, room, &in_used, &produced);
      break;
    }

  if (result != LIBDEFLATE_SUCCESS || in_used != length)
    {
      g_byte_array_set_size (out, out_start);
      return FALSE;
    }
  g_byte_array_set_size (out, out_start + (guint) produced);
  return TRUE;
}

#else

static gboolean
fast_inflate (FastFormat    format,
              const guint8 *data,
              gsize         length,
              gsize         size_hint,
              gsize         max_output,
              GByteArray   *out)
{
  return FALSE;
}

#endif

gboolean
sonde_decode_gzip (const guint8             *data,
                   gsize                     length,
                   const SondeDecodeLimits  *limits,
                   GByteArray               *out,
                   GError                  **error)
{
  guint out_start;
  gsize pos = 0;
  z_stream *z;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  out_start = out->len;
  /* Headers as servers write them (no flags, or a file name): libdeflate
   * skips the optional fields without checking them as read_gzip_header()
   * does (the header CRC above all). */
  if (length >= 18 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8 && (data[3] & ~0x08) == 0 &&
      fast_inflate (FAST_GZIP, data, length, read_le32 (data + length - 4), limits->max_output, out))
    return TRUE;
  if (!check_empty ("gzip", length, error)
      || (z = take_raw_inflater (15, "gzip", error)) == NULL)
    return FALSE;

  for (;;)
    {
      guint member_start = out->len;
      gsize member_size;

      if (!read_gzip_header (data, length, &pos, error))
        break;
      inflateReset (z);
      if (!inflate_body (z, "gzip", data, length, &pos, out, out_start, limits->max_output, error))
        break;

      if (length - pos < 8)
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, "gzip", length,
                                  _("the trailer ends early"));
          break;
        }
      member_size = out->len - member_start;
      if (read_le32 (data + pos) != (guint32) crc32_z (0, out->data + member_start, member_size))
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", pos,
                                  _("the CRC32 check failed"));
          break;
        }
      if (read_le32 (data + pos + 4) != (guint32) (member_size & 0xffffffffu))
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "gzip", pos + 4,
                                  _("the ISIZE check failed"));
          break;
        }
      pos += 8;

      if (pos == length)
        {
          ok = TRUE;
          break;
        }
      /* Another member, as `gzip` writes for concatenated files. */
      if (length - pos < 2 || data[pos] != 0x1f || data[pos + 1] != 0x8b)
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, "gzip", pos,
                                  _("bytes after the end of the compressed data"));
          break;
        }
    }

  give_back_inflater (z);
  if (!ok)
    g_byte_array_set_size (out, out_start);
  return ok;
}

gboolean
sonde_decode_zlib (const guint8             *data,
                   gsize                     length,
                   const SondeDecodeLimits  *limits,
                   GByteArray               *out,
                   GError                  **error)
{
  guint out_start;
  gsize pos = 2;
  guint cmf, flg;
  z_stream *z;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  out_start = out->len;
  /* libdeflate does not hold the data to a smaller window the header
   * declares: only the common 32 KiB one goes its way. */
  if (length >= 2 && (data[0] >> 4) == 7 && fast_inflate (FAST_ZLIB, data, length, 0, limits->max_output, out))
    return TRUE;
  if (!check_empty ("zlib", length, error))
    return FALSE;

  cmf = data[0];
  if ((cmf & 0x0f) != 8)
    {
      set_error_take (error, SONDE_DECODE_ERROR_MALFORMED, "zlib", 0,
                      g_strdup_printf (_("unknown compression method %u"), cmf & 0x0f));
      return FALSE;
    }
  if ((cmf >> 4) > 7)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "zlib", 0,
                              _("the window size is invalid"));
      return FALSE;
    }
  if (length < 2)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, "zlib", length,
                              _("the header ends early"));
      return FALSE;
    }
  flg = data[1];
  if (((cmf << 8) | flg) % 31 != 0)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "zlib", 1,
                              _("the zlib header check failed"));
      return FALSE;
    }
  if (flg & 0x20)
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "zlib", 1,
                              _("it needs a preset dictionary"));
      return FALSE;
    }

  /* The window the header declares: a distance past it is an error, as
   * zlib's own wrapper says. */
  z = take_raw_inflater ((int) (cmf >> 4) + 8, "zlib", error);
  if (z == NULL)
    return FALSE;

  if (inflate_body (z, "zlib", data, length, &pos, out, out_start, limits->max_output, error))
    {
      if (length - pos < 4)
        sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, "zlib", length,
                                _("the trailer ends early"));
      else if (read_be32 (data + pos) != (guint32) adler32_z (1, out->data + out_start, out->len - out_start))
        sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "zlib", pos,
                                _("the Adler-32 check failed"));
      else if (pos + 4 != length)
        sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, "zlib", pos + 4,
                                _("bytes after the end of the compressed data"));
      else
        ok = TRUE;
    }

  give_back_inflater (z);
  if (!ok)
    g_byte_array_set_size (out, out_start);
  return ok;
}

gboolean
sonde_decode_deflate (const guint8             *data,
                      gsize                     length,
                      const SondeDecodeLimits  *limits,
                      GByteArray               *out,
                      GError                  **error)
{
  guint out_start;
  gsize pos = 0;
  z_stream *z;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  out_start = out->len;
  if (!check_empty ("deflate", length, error)
      || (z = take_raw_inflater (15, "deflate", error)) == NULL)
    return FALSE;

  if (inflate_body (z, "deflate", data, length, &pos, out, out_start, limits->max_output, error))
    {
      if (pos != length)
        sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, "deflate", pos,
                                _("bytes after the end of the compressed data"));
      else
        ok = TRUE;
    }

  give_back_inflater (z);
  if (!ok)
    g_byte_array_set_size (out, out_start);
  return ok;
}

gboolean
sonde_decode_sniff_compression (const guint8  *data,
                                gsize          length,
                                const char   **out_name)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8)
    {
      if (out_name != NULL)
        *out_name = "gzip";
      return TRUE;
    }

  /* CM 8, a window of at most 32 KiB, the check, no dictionary, and a
   * first block type that exists. */
  if (length >= 3
      && (data[0] & 0x0f) == 8
      && (data[0] >> 4) <= 7
      && (((guint) data[0] << 8) | data[1]) % 31 == 0
      && (data[1] & 0x20) == 0
      && ((data[2] >> 1) & 3) != 3)
    {
      if (out_name != NULL)
        *out_name = "zlib";
      return TRUE;
    }

  return FALSE;
}

SondeZlibStream *
sonde_zlib_stream_new (void)
{
  SondeZlibStream *self = g_new0 (SondeZlibStream, 1);

  self->pending = g_byte_array_new ();
  return self;
}

/* Breaks @self for good, at the message being fed. */
static void
stream_break (SondeZlibStream *self,
              gsize            offset)
{
  self->broken = TRUE;
  self->broken_at = self->n_messages + 1;
  self->broken_offset = offset;
  g_byte_array_set_size (self->pending, 0);
}

static gboolean
ends_with_marker (const guint8 *data,
                  gsize         length)
{
  return length >= sizeof sync_marker
         && memcmp (data + length - sizeof sync_marker, sync_marker, sizeof sync_marker) == 0;
}

gboolean
sonde_zlib_stream_feed (SondeZlibStream          *self,
                        const guint8             *data,
                        gsize                     length,
                        const SondeDecodeLimits  *limits,
                        GByteArray               *out,
                        GError                  **error)
{
  const guint8 *message;
  gsize message_length;
  guint out_start;
  gsize consumed = 0;
  int zret = Z_OK;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->broken)
    {
      /* Translators: a zlib-stream (one compressed stream across all the
       * messages of a connection) failed once; every later message fails
       * with this until the connection starts a new stream. */
      set_error_take (error, SONDE_DECODE_ERROR_MALFORMED, "zlib-stream", self->broken_offset,
                      g_strdup_printf (_("the stream broke at message %u and stays broken until a new stream"),
                                       self->broken_at));
      return FALSE;
    }

  if (self->ended)
    {
      if (length == 0)
        return TRUE;
      stream_break (self, 0);
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, "zlib-stream", 0,
                              _("bytes after the end of the compressed data"));
      return FALSE;
    }

  /* A message without its marker yet waits for the rest (the marker itself
   * may be split between two pieces). */
  if (self->pending->len > 0 || !ends_with_marker (data, length))
    {
      gsize pending_max = MIN (limits->max_output, (gsize) G_MAXUINT / 2);

      if (length > pending_max - MIN (pending_max, self->pending->len))
        {
          gsize offset = self->pending->len;

          stream_break (self, offset);
          set_too_large (error, "zlib-stream", offset, limits->max_output);
          return FALSE;
        }
      g_byte_array_append (self->pending, data, (guint) length);
      if (!ends_with_marker (self->pending->data, self->pending->len))
        return TRUE;
      message = self->pending->data;
      message_length = self->pending->len;
    }
  else
    {
      message = data;
      message_length = length;
    }

  if (!self->ready)
    {
      memset (&self->z, 0, sizeof self->z);
      if (inflateInit2 (&self->z, 15) != Z_OK)
        {
          stream_break (self, 0);
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, "zlib-stream", 0,
                                  _("zlib ran out of memory"));
          return FALSE;
        }
      self->ready = TRUE;
    }

  out_start = out->len;
  switch (inflate_run (&self->z, message, message_length, out, out_start, limits->max_output,
                       Z_SYNC_FLUSH, &consumed, &zret))
    {
    case RUN_INPUT_USED:
      break;
    case RUN_END:
      self->ended = TRUE;
      if (consumed != message_length)
        {
          g_byte_array_set_size (out, out_start);
          stream_break (self, consumed);
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRAILING, "zlib-stream", consumed,
                                  _("bytes after the end of the compressed data"));
          return FALSE;
        }
      break;
    case RUN_TOO_LARGE:
      g_byte_array_set_size (out, out_start);
      stream_break (self, consumed);
      set_too_large (error, "zlib-stream", consumed, limits->max_output);
      return FALSE;
    case RUN_ERROR:
    default:
      g_byte_array_set_size (out, out_start);
      set_zlib_error (error, "zlib-stream", consumed, &self->z, zret);
      stream_break (self, consumed);
      return FALSE;
    }

  self->n_messages++;
  g_byte_array_set_size (self->pending, 0);
  return TRUE;
}

gsize
sonde_zlib_stream_get_pending (SondeZlibStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->pending->len;
}

guint
sonde_zlib_stream_get_n_messages (SondeZlibStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_messages;
}

void
sonde_zlib_stream_free (SondeZlibStream *self)
{
  if (self == NULL)
    return;

  if (self->ready)
    inflateEnd (&self->z);
  g_byte_array_unref (self->pending);
  g_free (self);
}
