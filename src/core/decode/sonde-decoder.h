/* sonde-decoder.h: a decoder chain ("gzip,msgpack"): a payload in, its
 * decoded view out, as JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-decode.h"

G_BEGIN_DECLS

typedef struct _SondeDecoder SondeDecoder;

/* @spec: stages separated by commas, applied in order: any of "gzip",
 * "zlib", "deflate", "zlib-stream" (bytes to bytes), then at most one of
 * "msgpack", "cbor", "protobuf-raw", "protobuf" (bytes to a value), or
 * "auto" alone (gzip and zlib by their headers, then JSON text as it is,
 * MessagePack or CBOR when the bytes are one such value). "protobuf" needs
 * @proto_descriptor (a FileDescriptorSet, `protoc -o FILE`) and
 * @proto_type. @limits NULL: the defaults. Errors name the stage that is
 * wrong, or what the descriptor set lacks. */
SondeDecoder *sonde_decoder_new          (const char              *spec,
                                          const char              *proto_descriptor,
                                          const char              *proto_type,
                                          const SondeDecodeLimits *limits,
                                          GError                 **error);
SondeDecoder *sonde_decoder_ref          (SondeDecoder            *self);
void          sonde_decoder_unref        (SondeDecoder            *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeDecoder, sonde_decoder_unref)

/* The spec as given, normalized ("gzip,msgpack"). */
const char   *sonde_decoder_get_spec     (SondeDecoder            *self);
/* Whether decoding one payload depends on the ones before (zlib-stream):
 * then every payload must be decoded, once, in order. */
gboolean      sonde_decoder_is_stateful  (SondeDecoder            *self);
/* Forgets what a stateful chain carried over (a new connection). */
void          sonde_decoder_reset        (SondeDecoder            *self);

/* Appends the decoded view of @data to @json: JSON text (a JSON value, or
 * the inflated text as it is when the chain ends with bytes that are JSON).
 * FALSE with a SONDE_DECODE_ERROR saying what and where otherwise; @json
 * is then left as it was. Not thread-safe for a stateful chain. */
gboolean      sonde_decoder_decode       (SondeDecoder            *self,
                                          const guint8            *data,
                                          gsize                    length,
                                          GString                 *json,
                                          GError                 **error);

/* Which messages a chain reads: received binary always; received text
 * too, unless the chain is stateful (zlib-stream runs only over binary);
 * never what was sent (a subscription typed as JSON reads as it is). A
 * text message that does not decode also reads as it is (a "pong" among
 * gzip frames). */
gboolean      sonde_decoder_applies      (SondeDecoder            *self,
                                          gboolean                 received,
                                          gboolean                 binary);

/* What one payload looks like as a chain ("gzip", "gzip,msgpack",
 * "zlib-stream", "cbor"…), or NULL for JSON text or nothing known: a
 * guess from its bytes, for proposing a decoder. */
char         *sonde_decoder_guess        (const guint8            *data,
                                          gsize                    length);
/* A chain in words for the window ("gzip-compressed JSON"), translated. */
char         *sonde_decoder_describe     (const char              *spec);

G_END_DECLS
