/* sonde-decode.h: the payload decoders, one by one (the decoders issue)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each decoder is bounded by SondeDecodeLimits and never crashes or stalls
 * on any input: what does not decode is a SONDE_DECODE_ERROR whose message
 * says what and where, "could not decode as MessagePack: <why> at byte N".
 * Byte stages (gzip, zlib, deflate, zlib-stream) append the bytes they
 * inflate; value stages (msgpack, cbor, protobuf-raw, protobuf) append the
 * payload as JSON text (values keep their types; see each function).
 * The decoder chain and the lazily made, cached decoded view build on these.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SONDE_DECODE_ERROR (sonde_decode_error_quark ())

typedef enum {
  SONDE_DECODE_ERROR_MALFORMED,   /* not this format: a bad header, type or value */
  SONDE_DECODE_ERROR_TRUNCATED,   /* ends in the middle of a value */
  SONDE_DECODE_ERROR_TRAILING,    /* a whole value, then bytes that are not part of it */
  SONDE_DECODE_ERROR_TOO_LARGE,   /* past max_output (a bomb), or a length past the input */
  SONDE_DECODE_ERROR_TOO_DEEP,    /* nested deeper than max_depth */
  SONDE_DECODE_ERROR_TOO_MANY,    /* more than max_elements values */
  SONDE_DECODE_ERROR_SCHEMA,      /* a descriptor set that does not read, or an unknown type name */
} SondeDecodeError;

GQuark sonde_decode_error_quark (void);

typedef struct {
  gsize   max_output;     /* bytes a stage may produce (inflated bytes, JSON text) */
  guint   max_depth;      /* arrays and maps inside each other */
  guint64 max_elements;   /* values in one payload, all levels */
} SondeDecodeLimits;

/* 16 MiB of output (the default largest message), depth 64, 1M values. */
void        sonde_decode_limits_init_default (SondeDecodeLimits *limits);

/* Sets @error: "could not decode as @format: @why at byte @offset"
 * (translated), with @code. */
void        sonde_decode_set_error  (GError          **error,
                                     SondeDecodeError  code,
                                     const char       *format,
                                     gsize             offset,
                                     const char       *why);

G_END_DECLS
