/* sonde-decode-cbor.h: CBOR (RFC 8949) to JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shape is MessagePack's (see sonde-decode-msgpack.h: integers exact,
 * floats shortest and typed, "NaN"/"Infinity"/"-Infinity", text strings
 * with U+FFFD for bad UTF-8, byte strings as base64, non-string map keys
 * as strings plus "$keys": "non-string"), and for what only CBOR has:
 * - negative integers down to -2^64, exactly;
 * - half floats as floats (the shortest decimal of their float32 value);
 * - indefinite-length arrays, maps, byte and text strings, as the
 *   definite ones (a string's chunks joined);
 * - tags: 0 (a date/time string) as that string, 1 (epoch seconds, integer
 *   or float) as an ISO 8601 UTC string, 2 and 3 (bignums up to 1024
 *   bytes) as decimal strings ("-18446744073709551617"); any other tag,
 *   and these when their content is not of the expected type or range, as
 *   {"$tag": n, "value": …};
 * - simple values: false, true, null; undefined as null; any other
 *   simple value n as {"$simple": n}.
 *
 * Bounds as MessagePack's (tags count towards depth and elements).
 *
 * Why not libcbor: cbor_load builds a tree; cbor_stream_decode allocates
 * nothing but only reports headers, so the stack of open containers,
 * indefinite strings and tags is ours anyway; reading the headers here too
 * keeps one code path, and the offsets of errors exact.
 */
#pragma once

#include "sonde-decode.h"

G_BEGIN_DECLS

gboolean sonde_decode_cbor       (const guint8            *data,
                                  gsize                    length,
                                  const SondeDecodeLimits *limits,
                                  GString                 *json,
                                  GError                 **error);

/* Whether @data is exactly one well-formed CBOR array or map (one pass, no
 * output, no allocation; indefinite nesting deeper than 64 says no). */
gboolean sonde_decode_sniff_cbor (const guint8            *data,
                                  gsize                    length);

G_END_DECLS
