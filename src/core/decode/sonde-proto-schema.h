/* sonde-proto-schema.h: the message types of a Protobuf descriptor set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads a FileDescriptorSet as `protoc --descriptor_set_out=FILE
 * --include_imports` (or `protoc -o FILE`) writes it, with Sonde's own
 * reader of the wire format. Kept of each file: the package, its messages
 * (nested ones too), enums, and of each field its name, number, label,
 * type, type name, json_name, the packed option and proto3 optional.
 * Every message and enum type a field names must be in the set (write it
 * with --include_imports): a set that does not read, or a field of an
 * unknown type, is a SONDE_DECODE_ERROR_SCHEMA saying what and where.
 *
 * Immutable once made: one schema may be read from several threads.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SondeProtoSchema SondeProtoSchema;

SondeProtoSchema *sonde_proto_schema_new_from_data (const guint8      *data,
                                                    gsize              length,
                                                    GError           **error);
SondeProtoSchema *sonde_proto_schema_new_from_file (const char        *path,
                                                    GError           **error);
void              sonde_proto_schema_free          (SondeProtoSchema  *self);

/* A message type by its full name, "pkg.Msg", "pkg.Outer.Inner" or with
 * the leading dot of descriptors, ".pkg.Msg". */
gboolean          sonde_proto_schema_has_type      (SondeProtoSchema  *self,
                                                    const char        *full_name);

/* The message types' full names (no leading dot), sorted. */
GStrv             sonde_proto_schema_dup_type_names (SondeProtoSchema *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeProtoSchema, sonde_proto_schema_free)

G_END_DECLS
