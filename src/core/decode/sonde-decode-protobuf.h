/* sonde-decode-protobuf.h: Protobuf payloads as JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two decoders, each appending one JSON object to @json, or on failure
 * nothing at all (a SONDE_DECODE_ERROR: "could not decode as Protobuf:
 * <why> at byte N", N counted from the start of @data).
 *
 * sonde_decode_protobuf_raw(), like `protoc --decode_raw`, without a schema:
 * - keys are field numbers, "1", "2"…, in the order each first appears; a
 *   number that comes more than once is an array of its values, in order;
 * - a varint is an unsigned number (the wire does not say whether it was
 *   a sint, so zigzag is never guessed: -1 as sint32 shows as 1, -1 as
 *   int32 as 18446744073709551615);
 * - fixed64 and fixed32 are unsigned integers, the exact bit pattern
 *   (protoc prints them in hex; a double or float needs the schema);
 * - length-delimited bytes are a nested object when they are not empty
 *   and read wholly as a message (the guess protoc makes: a short string
 *   may look like a message), else a string when they are UTF-8 text,
 *   else base64 (standard alphabet, with padding);
 * - a group (wire types 3 and 4, deprecated) is a nested object; an
 *   end-group tag that does not close the open group is MALFORMED.
 *
 * sonde_decode_protobuf() with a message type of @schema ("pkg.Msg" or
 * ".pkg.Msg"):
 * - keys are the fields' .proto names (not their json_name); only what is
 *   on the wire is shown: no default value is invented (proto3's zeros
 *   are not written by encoders, so they are absent here too), except in
 *   a map entry, whose missing key or value is its type's zero;
 * - int32, sint32 (zigzag), uint32, fixed32, sfixed32 are numbers; int64,
 *   sint64, uint64, fixed64, sfixed64 are numbers when |v| <= 2^53 and
 *   decimal strings otherwise (JSON readers keep 53 bits); double and float
 *   are numbers written shortest-first so that they read back to the same
 *   double or float, and "NaN", "Infinity", "-Infinity" as strings;
 * - bool true/false; string as text (bytes that are not UTF-8 become
 *   U+FFFD); bytes as base64; an enum by its value's name, or its number
 *   when the schema does not name it;
 * - repeated fields are arrays, packed or not (both are read whatever the
 *   packed option says); a non-repeated field written twice: the last
 *   scalar wins and messages merge, as Protobuf parsers do;
 * - a map<K, V> is a JSON object, keys as text (integers in decimal, bools
 *   "true"/"false"), the last entry of a key wins;
 * - a field the schema does not know, or one whose wire type is not its
 *   type's, is kept under its number, decoded as raw decoding would.
 *
 * Bounds: @limits' max_depth counts nested objects and arrays (the top
 * object is depth 1), max_elements every field value and packed element
 * (a value inside groups once more for each group around it, as each is
 * read again), max_output the JSON text appended. A length running past the end of the
 * input is TOO_LARGE; a varint, fixed value or group cut by the end is
 * TRUNCATED. Protobuf has no end marker: a payload cut between two fields
 * is a valid, shorter message.
 */
#pragma once

#include <glib.h>

#include "sonde-decode.h"
#include "sonde-proto-schema.h"

G_BEGIN_DECLS

gboolean sonde_decode_protobuf_raw (const guint8             *data,
                                    gsize                     length,
                                    const SondeDecodeLimits  *limits,
                                    GString                  *json,
                                    GError                  **error);

gboolean sonde_decode_protobuf     (SondeProtoSchema         *schema,
                                    const char               *type_name,
                                    const guint8             *data,
                                    gsize                     length,
                                    const SondeDecodeLimits  *limits,
                                    GString                  *json,
                                    GError                  **error);

G_END_DECLS
