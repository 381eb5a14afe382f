/* sonde-decode-zlib.h: the compression stages (gzip, zlib, deflate, zlib-stream)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each stage inflates straight into @out (appending; what @out held before
 * stays) and produces at most limits->max_output bytes: a bomb stops there
 * with SONDE_DECODE_ERROR_TOO_LARGE, having grown @out by at most one byte
 * more (the byte that tells it from a payload that fits). On any error @out is back to the length it had on entry, and the
 * error's byte offset counts from the start of @data (for zlib-stream, from
 * the start of the message that broke it).
 */
#pragma once

#include <glib.h>

#include "sonde-decode.h"

G_BEGIN_DECLS

/* RFC 1952, one member or several back to back (as `gzip` writes them):
 * FEXTRA, FNAME, FCOMMENT and FHCRC read (and the header CRC checked), each
 * member's CRC32 and ISIZE checked (MALFORMED naming the check). Bytes after
 * a member that do not start another: TRAILING. */
gboolean    sonde_decode_gzip      (const guint8             *data,
                                    gsize                     length,
                                    const SondeDecodeLimits  *limits,
                                    GByteArray               *out,
                                    GError                  **error);

/* RFC 1950: the CMF/FLG header (and its check), the deflate data, and its
 * Adler-32. A preset dictionary is MALFORMED (nothing says which). */
gboolean    sonde_decode_zlib      (const guint8             *data,
                                    gsize                     length,
                                    const SondeDecodeLimits  *limits,
                                    GByteArray               *out,
                                    GError                  **error);

/* RFC 1951, raw: the data must end with a final block; bytes after it are
 * TRAILING. */
gboolean    sonde_decode_deflate   (const guint8             *data,
                                    gsize                     length,
                                    const SondeDecodeLimits  *limits,
                                    GByteArray               *out,
                                    GError                  **error);

/* Whether gzip and zlib try libdeflate first (TRUE, the
 * default): tests and the fuzzer turn it off to compare with zlib's own
 * answers. Not thread-safe: set it before decoding. */
void        sonde_decode_zlib_set_fast (gboolean fast);

/* Sets *@out_name to "gzip" (1F 8B 08) or "zlib" (a CMF/FLG pair whose check
 * holds, deflate, no preset dictionary) and returns TRUE; FALSE otherwise.
 * A guess from the first bytes, for proposing a decoder. */
gboolean    sonde_decode_sniff_compression (const guint8  *data,
                                            gsize          length,
                                            const char   **out_name);

/* Discord's zlib-stream: one inflate context (RFC 1950, header once) across
 * all the messages of a connection, each message ending with the
 * Z_SYNC_FLUSH marker 00 00 FF FF. */
typedef struct _SondeZlibStream SondeZlibStream;

SondeZlibStream *sonde_zlib_stream_new  (void);

/* Feeds one received message. When @data ends with the marker, inflates it
 * (with whatever was buffered before it) and appends the bytes onto @out
 * (at most limits->max_output of them). When it does not, buffers it (at
 * most limits->max_output bytes in all, else TOO_LARGE), appends nothing and
 * returns TRUE: sonde_zlib_stream_get_pending() then says how much waits.
 * An error breaks the stream for good: every later feed fails too, saying
 * at which message it broke, until a new stream. */
gboolean         sonde_zlib_stream_feed (SondeZlibStream          *self,
                                         const guint8             *data,
                                         gsize                     length,
                                         const SondeDecodeLimits  *limits,
                                         GByteArray               *out,
                                         GError                  **error);

/* Bytes buffered until a message's marker arrives. */
gsize            sonde_zlib_stream_get_pending (SondeZlibStream *self);

/* Messages inflated so far (a message split over feeds counts once). */
guint            sonde_zlib_stream_get_n_messages (SondeZlibStream *self);

void             sonde_zlib_stream_free (SondeZlibStream *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeZlibStream, sonde_zlib_stream_free)

G_END_DECLS
