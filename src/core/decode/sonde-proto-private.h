/* sonde-proto-private.h: the Protobuf wire format, and the schema's insides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the schema reader (sonde-proto-schema.c, which reads a
 * FileDescriptorSet with these same functions) and the payload decoders
 * (sonde-decode-protobuf.c). Nothing here allocates.
 */
#pragma once

#include <glib.h>

#include "sonde-proto-schema.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_PROTO_WIRE_VARINT = 0,
  SONDE_PROTO_WIRE_FIXED64 = 1,
  SONDE_PROTO_WIRE_LEN = 2,
  SONDE_PROTO_WIRE_START_GROUP = 3,
  SONDE_PROTO_WIRE_END_GROUP = 4,
  SONDE_PROTO_WIRE_FIXED32 = 5,
} SondeProtoWireType;

/* Why a read failed: the error code, a reason (marked for translation,
 * translated by the callers where they format the message) and the byte
 * offset where the failing value starts. */
typedef struct {
  int         code;      /* SondeDecodeError */
  const char *why;       /* static, marked for translation */
  gsize       offset;
} SondeProtoFault;

/* A cursor over [pos, end) of a buffer that starts at base (offsets are
 * counted from base: the start of the whole payload). */
typedef struct {
  const guint8 *base;
  gsize         pos;
  gsize         end;
} SondeProtoReader;

/* One field read off the wire: for LEN the bytes [data_start, data_end);
 * for groups, the group's contents [data_start, data_end) (without the
 * end-group tag). */
typedef struct {
  guint32 number;
  guint8  wire_type;
  gsize   tag_offset;
  guint64 value;         /* VARINT, FIXED64, FIXED32 */
  gsize   data_start;
  gsize   data_end;
  guint64 group_fields;  /* fields inside a group, its nested groups' too */
} SondeProtoField;

gboolean sonde_proto_read_varint (SondeProtoReader *r,
                                  guint64          *value,
                                  SondeProtoFault  *fault);

/* Reads one field (a tag and its value). A group is read whole, with
 * groups nested at most @max_group_depth deep inside it. An END_GROUP tag
 * is returned as such (number and wire type, no value): the caller knows
 * whether one may come. */
gboolean sonde_proto_read_field  (SondeProtoReader *r,
                                  guint             max_group_depth,
                                  SondeProtoField  *field,
                                  SondeProtoFault  *fault);

/* The schema, as the decoder reads it. Names are full names without the
 * leading dot. */
typedef struct _SondeProtoMessage SondeProtoMessage;
typedef struct _SondeProtoEnum    SondeProtoEnum;

typedef enum {
  SONDE_PROTO_TYPE_DOUBLE = 1,
  SONDE_PROTO_TYPE_FLOAT = 2,
  SONDE_PROTO_TYPE_INT64 = 3,
  SONDE_PROTO_TYPE_UINT64 = 4,
  SONDE_PROTO_TYPE_INT32 = 5,
  SONDE_PROTO_TYPE_FIXED64 = 6,
  SONDE_PROTO_TYPE_FIXED32 = 7,
  SONDE_PROTO_TYPE_BOOL = 8,
  SONDE_PROTO_TYPE_STRING = 9,
  SONDE_PROTO_TYPE_GROUP = 10,
  SONDE_PROTO_TYPE_MESSAGE = 11,
  SONDE_PROTO_TYPE_BYTES = 12,
  SONDE_PROTO_TYPE_UINT32 = 13,
  SONDE_PROTO_TYPE_ENUM = 14,
  SONDE_PROTO_TYPE_SFIXED32 = 15,
  SONDE_PROTO_TYPE_SFIXED64 = 16,
  SONDE_PROTO_TYPE_SINT32 = 17,
  SONDE_PROTO_TYPE_SINT64 = 18,
} SondeProtoType;

typedef struct {
  char              *name;
  char              *json_name;
  char              *type_name;       /* as written (".pkg.Msg"), or NULL */
  guint32            number;
  guint8             label;           /* 1 optional, 2 required, 3 repeated */
  guint8             type;            /* SondeProtoType */
  gboolean           packed;          /* [packed = true] written */
  gboolean           proto3_optional;
  /* resolved after reading, borrowed from the schema */
  SondeProtoMessage *message;         /* MESSAGE and GROUP */
  SondeProtoEnum    *enum_type;       /* ENUM */
} SondeProtoFieldDesc;

struct _SondeProtoMessage {
  char       *full_name;
  GPtrArray  *fields;        /* SondeProtoFieldDesc, owned */
  GHashTable *by_number;     /* GUINT_TO_POINTER (number) → field, borrowed */
  gboolean    map_entry;
};

struct _SondeProtoEnum {
  char       *full_name;
  GHashTable *names;         /* GINT_TO_POINTER (number) → name (first one) */
};

SondeProtoMessage *sonde_proto_schema_lookup_message (SondeProtoSchema *self,
                                                      const char       *full_name);

G_END_DECLS
