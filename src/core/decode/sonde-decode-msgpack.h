/* sonde-decode-msgpack.h: MessagePack to JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON shape, shared with sonde-decode-cbor.h:
 * - integers exactly, as JSON numbers, even past 2^53 (uint64 max is
 *   18446744073709551615: exact in the text; a reader that parses numbers
 *   into doubles rounds past 2^53, and json-glib 1.6 wraps past int64,
 *   reading uint64 max as -1: such readers must use the number's token,
 *   as SondeJsonValue.text gives it);
 * - floats always with a "." or an exponent (1.0, 1e+20), as the shortest
 *   decimal found that reads back as the same float: float32 as float32
 *   (0.1f is 0.1), float64 as float64; NaN and the infinities, which JSON
 *   lacks, as the strings "NaN", "Infinity", "-Infinity";
 * - nil as null, booleans as true and false;
 * - str as a JSON string; bytes that are not valid UTF-8 become U+FFFD
 *   (a display decoder keeps going: not an error, not counted);
 * - bin as a base64 string (RFC 4648, with padding);
 * - maps as objects. A key that is not a str is written as a string: its
 *   JSON text (1 → "1", true → "true", [1,2] → "[1,2]"), or its string
 *   when it becomes one (bin: its base64); such a map ends with the member
 *   "$keys": "non-string". Keys may then repeat ({1:…, "1":…}): readers
 *   keep the last;
 * - ext: the timestamp (type -1, 4, 8 or 12 bytes) as an ISO 8601 UTC
 *   string with up to nanoseconds ("2024-05-01T12:00:00.25Z", years 0000 to
 *   9999, else as any ext); any other type as
 *   {"$ext": type, "data": "<base64>"}.
 *
 * Bounds: max_depth, max_elements (each value, keys included, counts 1),
 * max_output (bytes of JSON text); a length or an element count that the
 * rest of the payload cannot hold fails at once as TRUNCATED (nothing is
 * allocated for it), bytes after the one value as TRAILING. On failure
 * @json is left as it was.
 *
 * Why not msgpack-c: its unpacker builds a tree of msgpack_object and
 * allocates the array a header claims before reading a single element (a
 * 5-byte header claiming 2^32 elements asks for 96 GiB), and its nesting
 * limit is a compile-time stack; this reader streams the bytes instead.
 */
#pragma once

#include "sonde-decode.h"

G_BEGIN_DECLS

gboolean sonde_decode_msgpack       (const guint8            *data,
                                     gsize                    length,
                                     const SondeDecodeLimits *limits,
                                     GString                 *json,
                                     GError                 **error);

/* Whether @data is exactly one well-formed MessagePack array or map (a
 * plausibility check for auto-detection: one pass, no output, no
 * allocation; strings are not checked for UTF-8). */
gboolean sonde_decode_sniff_msgpack (const guint8            *data,
                                     gsize                    length);

G_END_DECLS
