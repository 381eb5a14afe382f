/* sonde-decode-protobuf-private.h: what the raw and the schema decoders of
 * Protobuf share (sonde-decode-protobuf.c, sonde-decode-protobuf-schema.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-decode-protobuf.h"
#include "sonde-proto-private.h"

G_BEGIN_DECLS

#define NO_NEXT G_MAXUINT
#define MAX_SAFE_INTEGER (G_GUINT64_CONSTANT (1) << 53)

typedef struct {
  gsize start;
  gsize end;
} Span;

typedef struct {
  SondeProtoField field;
  guint           next;     /* the next entry with the same number */
  gboolean        first;    /* the first entry of its number */
} Entry;

typedef struct {
  /* borrowed */
  const guint8            *base;
  const SondeDecodeLimits *limits;
  GString                 *json;
  /* state */
  gsize                    json_start;
  guint64                  elements;
  SondeProtoFault          fault;
} Decoder;

gboolean  sonde_pb_fail (Decoder *dec, int code, const char *why, gsize offset);
gboolean  sonde_pb_count_element (Decoder *dec, gsize offset);
gboolean  sonde_pb_check_output (Decoder *dec, gsize more, gsize offset);
gboolean  sonde_pb_check_depth (Decoder *dec, guint depth, gsize offset);
void      sonde_pb_append_uint (GString *json, guint64 v);
void      sonde_pb_append_int (GString *json, gint64 v);
void      sonde_pb_append_double (GString *json, double v);
void      sonde_pb_append_float (GString *json, float v);
gboolean  sonde_pb_append_base64 (Decoder *dec, gsize start, gsize end);
gboolean  sonde_pb_append_text (Decoder *dec, gsize start, gsize end);
gboolean  sonde_pb_scan (Decoder *dec, const Span *spans, guint n_spans, GArray *entries);
void      sonde_pb_append_key_name (GString *json, const char *name);
gboolean  sonde_pb_raw_chain (Decoder *dec, const GArray *entries, guint first, const guint8 *skip, guint depth);
void      sonde_pb_set_error (Decoder *dec, GError **error);

G_END_DECLS
