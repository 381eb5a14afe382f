/* sonde-test-protoc-raw.h: `protoc --decode_raw`'s text as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For test-decode-protobuf: protoc's text written in the shape Sonde's raw
 * decoder gives (field numbers as keys, a number seen twice as an array,
 * numbers past 2^53 as strings, fixed values, which protoc prints in hex,
 * as unsigned integers, quoted bytes as text when they are UTF-8 without
 * NUL, else base64), so that json-glib can compare the two.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *sonde_test_protoc_raw_to_json (const char *text);

G_END_DECLS
