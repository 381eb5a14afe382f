/* sonde-proto-schema.c: reading a FileDescriptorSet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * descriptor.proto's numbers, the only ones read (the rest is skipped):
 *   FileDescriptorSet        1 file
 *   FileDescriptorProto      2 package, 4 message_type, 5 enum_type
 *   DescriptorProto          1 name, 2 field, 3 nested_type, 4 enum_type,
 *                            7 options (MessageOptions: 7 map_entry)
 *   FieldDescriptorProto     1 name, 3 number, 4 label, 5 type, 6 type_name,
 *                            8 options (FieldOptions: 2 packed),
 *                            10 json_name, 17 proto3_optional
 *   EnumDescriptorProto      1 name, 2 value (1 name, 2 number)
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-decode.h"
#include "sonde-proto-private.h"
#include "sonde-proto-schema.h"

/* Nested message declarations, and skipped groups. */
#define MAX_SCHEMA_DEPTH 64

struct _SondeProtoSchema
{
  /* owned */
  GHashTable *messages;   /* full name → SondeProtoMessage */
  GHashTable *enums;      /* full name → SondeProtoEnum */
};

typedef struct {
  SondeProtoSchema *schema;
  const guint8     *base;
  SondeProtoFault   fault;
} SchemaReader;

static void
field_desc_free (gpointer data)
{
  SondeProtoFieldDesc *field = data;

  g_free (field->name);
  g_free (field->json_name);
  g_free (field->type_name);
  g_free (field);
}

static void
message_free (gpointer data)
{
  SondeProtoMessage *message = data;

  g_free (message->full_name);
  g_clear_pointer (&message->fields, g_ptr_array_unref);
  g_clear_pointer (&message->by_number, g_hash_table_unref);
  g_free (message);
}

static void
enum_free (gpointer data)
{
  SondeProtoEnum *enum_type = data;

  g_free (enum_type->full_name);
  g_clear_pointer (&enum_type->names, g_hash_table_unref);
  g_free (enum_type);
}

static gboolean
fail (SchemaReader *sr,
      const char   *why,
      gsize         offset)
{
  sr->fault.code = SONDE_DECODE_ERROR_SCHEMA;
  sr->fault.why = why;
  sr->fault.offset = offset;
  return FALSE;
}

/* Calls @each for every field of [start, end); stops at the first FALSE. */
typedef gboolean (*FieldFunc) (SchemaReader          *sr,
                               const SondeProtoField *field,
                               gpointer               user_data);

static gboolean
for_each_field (SchemaReader *sr,
                gsize         start,
                gsize         end,
                FieldFunc     each,
                gpointer      user_data)
{
  SondeProtoReader r = { sr->base, start, end };

  while (r.pos < r.end)
    {
      SondeProtoField field;

      if (!sonde_proto_read_field (&r, MAX_SCHEMA_DEPTH, &field, &sr->fault))
        return FALSE;
      if (field.wire_type == SONDE_PROTO_WIRE_END_GROUP)
        return fail (sr, N_("an end-group tag outside a group"), field.tag_offset);
      if (!each (sr, &field, user_data))
        return FALSE;
    }

  return TRUE;
}

static gboolean
want_wire (SchemaReader          *sr,
           const SondeProtoField *field,
           guint8                 wire_type)
{
  if (field->wire_type != wire_type)
    return fail (sr, N_("a descriptor field of the wrong wire type"), field->tag_offset);
  return TRUE;
}

/* A name: UTF-8 text without NUL. */
static gboolean
read_string (SchemaReader          *sr,
             const SondeProtoField *field,
             char                 **out)
{
  const char *text = (const char *) sr->base + field->data_start;
  gsize len = field->data_end - field->data_start;

  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN))
    return FALSE;
  if (memchr (text, '\0', len) != NULL || !g_utf8_validate (text, len, NULL))
    return fail (sr, N_("a name that is not UTF-8 text"), field->data_start);

  g_free (*out);
  *out = g_strndup (text, len);
  return TRUE;
}

static gboolean
read_varint_value (SchemaReader          *sr,
                   const SondeProtoField *field,
                   guint64               *out)
{
  if (!want_wire (sr, field, SONDE_PROTO_WIRE_VARINT))
    return FALSE;
  *out = field->value;
  return TRUE;
}

/* protoc's names: identifiers, and packages made of them with dots. */
static gboolean
is_identifier (const char *name,
               gsize       len)
{
  if (len == 0 || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (name[i]) || name[i] == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
is_package (const char *name)
{
  const char *dot;

  if (*name == '\0')
    return TRUE;
  while ((dot = strchr (name, '.')) != NULL)
    {
      if (!is_identifier (name, (gsize) (dot - name)))
        return FALSE;
      name = dot + 1;
    }
  return is_identifier (name, strlen (name));
}

static gboolean
check_identifier (SchemaReader *sr,
                  const char   *name,
                  gsize         offset)
{
  if (!is_identifier (name, strlen (name)))
    return fail (sr, N_("a name that is not an identifier"), offset);
  return TRUE;
}

static char *
join_name (const char *scope,
           const char *name)
{
  return scope != NULL && *scope != '\0' ? g_strconcat (scope, ".", name, NULL) : g_strdup (name);
}

/* Looks for the first field numbered @number in [start, end) and reads
 * it as a name. */
typedef struct {
  guint32  number;
  char   **out;
} FindName;

static gboolean
find_name_cb (SchemaReader          *sr,
              const SondeProtoField *field,
              gpointer               user_data)
{
  FindName *find = user_data;

  if (field->number == find->number)
    return read_string (sr, field, find->out);
  return TRUE;
}

static gboolean
find_name (SchemaReader *sr,
           gsize         start,
           gsize         end,
           guint32       number,
           char        **out)
{
  FindName find = { number, out };

  return for_each_field (sr, start, end, find_name_cb, &find);
}

/* Enums */

typedef struct {
  char    *name;
  guint64  number;
} EnumValue;

static gboolean
enum_value_cb (SchemaReader          *sr,
               const SondeProtoField *field,
               gpointer               user_data)
{
  EnumValue *value = user_data;

  switch (field->number)
    {
    case 1:
      return read_string (sr, field, &value->name);
    case 2:
      return read_varint_value (sr, field, &value->number);
    default:
      return TRUE;
    }
}

static gboolean
enum_cb (SchemaReader          *sr,
         const SondeProtoField *field,
         gpointer               user_data)
{
  SondeProtoEnum *enum_type = user_data;
  EnumValue value = { NULL, 0 };
  gint32 number;

  if (field->number != 2)
    return TRUE;
  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN)
      || !for_each_field (sr, field->data_start, field->data_end, enum_value_cb, &value))
    {
      g_free (value.name);
      return FALSE;
    }
  if (value.name == NULL)
    return fail (sr, N_("an enum value without a name"), field->tag_offset);
  if (!check_identifier (sr, value.name, field->tag_offset))
    {
      g_free (value.name);
      return FALSE;
    }

  number = (gint32) (guint32) value.number;
  /* Aliases: the first name of a number is the one shown. */
  if (!g_hash_table_contains (enum_type->names, GINT_TO_POINTER (number)))
    g_hash_table_insert (enum_type->names, GINT_TO_POINTER (number), g_steal_pointer (&value.name));
  g_free (value.name);
  return TRUE;
}

static gboolean
read_enum (SchemaReader          *sr,
           const char            *scope,
           const SondeProtoField *field)
{
  g_autofree char *name = NULL;
  SondeProtoEnum *enum_type;

  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN)
      || !find_name (sr, field->data_start, field->data_end, 1, &name))
    return FALSE;
  if (name == NULL)
    return fail (sr, N_("an enum without a name"), field->tag_offset);
  if (!check_identifier (sr, name, field->tag_offset))
    return FALSE;

  enum_type = g_new0 (SondeProtoEnum, 1);
  enum_type->full_name = join_name (scope, name);
  enum_type->names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (g_hash_table_contains (sr->schema->enums, enum_type->full_name))
    {
      /* The same file twice: the first one counts. */
      enum_free (enum_type);
      return TRUE;
    }
  g_hash_table_insert (sr->schema->enums, enum_type->full_name, enum_type);
  return for_each_field (sr, field->data_start, field->data_end, enum_cb, enum_type);
}

/* One boolean of an options message (FieldOptions.packed,
 * MessageOptions.map_entry): the rest of the options is not read. */
typedef struct {
  guint64   number;
  gboolean *value;
} BoolOption;

static gboolean
bool_option_cb (SchemaReader          *sr,
                const SondeProtoField *field,
                gpointer               user_data)
{
  BoolOption *option = user_data;
  guint64 value;

  if (field->number != option->number)
    return TRUE;
  if (!read_varint_value (sr, field, &value))
    return FALSE;
  *option->value = value != 0;
  return TRUE;
}

static gboolean
read_bool_option (SchemaReader          *sr,
                  const SondeProtoField *field,
                  guint64                number,
                  gboolean              *value)
{
  BoolOption option = { number, value };

  return want_wire (sr, field, SONDE_PROTO_WIRE_LEN)
    && for_each_field (sr, field->data_start, field->data_end, bool_option_cb, &option);
}

/* Fields */

static gboolean
field_cb (SchemaReader          *sr,
          const SondeProtoField *field,
          gpointer               user_data)
{
  SondeProtoFieldDesc *desc = user_data;
  guint64 value;

  switch (field->number)
    {
    case 1:
      return read_string (sr, field, &desc->name);
    case 3:
      if (!read_varint_value (sr, field, &value))
        return FALSE;
      if (value == 0 || value > 536870911)
        return fail (sr, N_("a field number out of range"), field->tag_offset);
      desc->number = (guint32) value;
      return TRUE;
    case 4:
      if (!read_varint_value (sr, field, &value))
        return FALSE;
      if (value < 1 || value > 3)
        return fail (sr, N_("an unknown field label"), field->tag_offset);
      desc->label = (guint8) value;
      return TRUE;
    case 5:
      if (!read_varint_value (sr, field, &value))
        return FALSE;
      if (value < SONDE_PROTO_TYPE_DOUBLE || value > SONDE_PROTO_TYPE_SINT64)
        return fail (sr, N_("an unknown field type"), field->tag_offset);
      desc->type = (guint8) value;
      return TRUE;
    case 6:
      return read_string (sr, field, &desc->type_name);
    case 8:
      return read_bool_option (sr, field, 2, &desc->packed);
    case 10:
      return read_string (sr, field, &desc->json_name);
    case 17:
      if (!read_varint_value (sr, field, &value))
        return FALSE;
      desc->proto3_optional = value != 0;
      return TRUE;
    default:
      return TRUE;
    }
}

static gboolean
read_field (SchemaReader          *sr,
            SondeProtoMessage     *message,
            const SondeProtoField *field)
{
  SondeProtoFieldDesc *desc;

  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN))
    return FALSE;

  desc = g_new0 (SondeProtoFieldDesc, 1);
  desc->label = 1;
  g_ptr_array_add (message->fields, desc);
  if (!for_each_field (sr, field->data_start, field->data_end, field_cb, desc))
    return FALSE;
  if (desc->name == NULL)
    return fail (sr, N_("a field without a name"), field->tag_offset);
  if (!check_identifier (sr, desc->name, field->tag_offset))
    return FALSE;
  if (desc->number == 0)
    return fail (sr, N_("a field without a number"), field->tag_offset);
  if (desc->type == 0 && desc->type_name == NULL)
    return fail (sr, N_("a field without a type"), field->tag_offset);
  if (g_hash_table_contains (message->by_number, GUINT_TO_POINTER (desc->number)))
    return fail (sr, N_("two fields with the same number"), field->tag_offset);
  g_hash_table_insert (message->by_number, GUINT_TO_POINTER (desc->number), desc);
  return TRUE;
}

/* Messages */

typedef struct {
  SondeProtoMessage *message;
  guint              depth;
} MessageRead;

static gboolean read_message (SchemaReader          *sr,
                              const char            *scope,
                              const SondeProtoField *field,
                              guint                  depth);

static gboolean
message_cb (SchemaReader          *sr,
            const SondeProtoField *field,
            gpointer               user_data)
{
  MessageRead *read = user_data;

  switch (field->number)
    {
    case 2:
      return read_field (sr, read->message, field);
    case 3:
      return read_message (sr, read->message->full_name, field, read->depth + 1);
    case 4:
      return read_enum (sr, read->message->full_name, field);
    case 7:
      return read_bool_option (sr, field, 7, &read->message->map_entry);
    default:
      return TRUE;
    }
}

static gboolean
read_message (SchemaReader          *sr,
              const char            *scope,
              const SondeProtoField *field,
              guint                  depth)
{
  g_autofree char *name = NULL;
  SondeProtoMessage *message;
  MessageRead read;

  if (depth > MAX_SCHEMA_DEPTH)
    return fail (sr, N_("message types nested too deep"), field->tag_offset);
  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN)
      || !find_name (sr, field->data_start, field->data_end, 1, &name))
    return FALSE;
  if (name == NULL)
    return fail (sr, N_("a message type without a name"), field->tag_offset);
  if (!check_identifier (sr, name, field->tag_offset))
    return FALSE;

  message = g_new0 (SondeProtoMessage, 1);
  message->full_name = join_name (scope, name);
  message->fields = g_ptr_array_new_with_free_func (field_desc_free);
  message->by_number = g_hash_table_new (NULL, NULL);
  if (g_hash_table_contains (sr->schema->messages, message->full_name))
    {
      message_free (message);
      return TRUE;
    }
  g_hash_table_insert (sr->schema->messages, message->full_name, message);

  read.message = message;
  read.depth = depth;
  return for_each_field (sr, field->data_start, field->data_end, message_cb, &read);
}

/* Files */

static gboolean
file_cb (SchemaReader          *sr,
         const SondeProtoField *field,
         gpointer               user_data)
{
  const char *package = user_data;

  switch (field->number)
    {
    case 4:
      return read_message (sr, package, field, 1);
    case 5:
      return read_enum (sr, package, field);
    default:
      return TRUE;
    }
}

static gboolean
set_cb (SchemaReader          *sr,
        const SondeProtoField *field,
        gpointer               user_data)
{
  g_autofree char *package = NULL;

  if (field->number != 1)
    return TRUE;
  if (!want_wire (sr, field, SONDE_PROTO_WIRE_LEN)
      || !find_name (sr, field->data_start, field->data_end, 2, &package))
    return FALSE;
  if (package != NULL && !is_package (package))
    return fail (sr, N_("a package name that is not identifiers with dots"), field->tag_offset);
  return for_each_field (sr, field->data_start, field->data_end, file_cb, package);
}

/* Resolves a type name as protoc would: ".a.b.C" is absolute; a relative
 * one is looked for in the field's message, then each scope outwards. */
static gpointer
resolve (GHashTable *table,
         const char *scope,
         const char *name)
{
  g_autofree char *outer = g_strdup (scope);

  if (name[0] == '.')
    return g_hash_table_lookup (table, name + 1);

  for (;;)
    {
      g_autofree char *candidate = join_name (outer, name);
      gpointer found = g_hash_table_lookup (table, candidate);
      char *dot;

      if (found != NULL)
        return found;
      if (outer == NULL || *outer == '\0')
        return NULL;
      dot = strrchr (outer, '.');
      if (dot != NULL)
        *dot = '\0';
      else
        *outer = '\0';
    }
}

static gboolean
resolve_types (SondeProtoSchema  *self,
               GError           **error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->messages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SondeProtoMessage *message = value;

      for (guint i = 0; i < message->fields->len; i++)
        {
          SondeProtoFieldDesc *field = g_ptr_array_index (message->fields, i);
          gboolean wants_message = field->type == SONDE_PROTO_TYPE_MESSAGE || field->type == SONDE_PROTO_TYPE_GROUP;
          gboolean wants_enum = field->type == SONDE_PROTO_TYPE_ENUM;

          if (field->type != 0 && !wants_message && !wants_enum)
            continue;
          if (field->type_name != NULL)
            {
              if (field->type == 0 || wants_message)
                field->message = resolve (self->messages, message->full_name, field->type_name);
              if (field->type == 0 || wants_enum)
                field->enum_type = resolve (self->enums, message->full_name, field->type_name);
              if (field->type == 0 && field->message != NULL)
                field->type = SONDE_PROTO_TYPE_MESSAGE;
              else if (field->type == 0 && field->enum_type != NULL)
                field->type = SONDE_PROTO_TYPE_ENUM;
            }
          if (field->message == NULL && field->enum_type == NULL)
            {
              g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                           /* Translators: a field of a Protobuf message names a type that is
                            * not in the descriptor set; --include_imports is a protoc option. */
                           _("the field “%s” of “%s” has the type “%s”, which is not in the descriptor set (write it with protoc --include_imports)"),
                           field->name, message->full_name,
                           field->type_name != NULL ? field->type_name : "?");
              return FALSE;
            }
        }
    }

  return TRUE;
}

SondeProtoSchema *
sonde_proto_schema_new_from_data (const guint8  *data,
                                  gsize          length,
                                  GError       **error)
{
  g_autoptr(SondeProtoSchema) self = NULL;
  SchemaReader sr = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SondeProtoSchema, 1);
  self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, message_free);
  self->enums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, enum_free);

  sr.schema = self;
  sr.base = data;
  if (!for_each_field (&sr, 0, length, set_cb, NULL))
    {
      g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                   /* Translators: the first %s says what is wrong, the number is a byte offset. */
                   _("could not read the Protobuf descriptor set: %s at byte %" PRIu64),
                   _(sr.fault.why), (uint64_t) sr.fault.offset);
      return NULL;
    }
  if (!resolve_types (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

SondeProtoSchema *
sonde_proto_schema_new_from_file (const char  *path,
                                  GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                   _("could not read the Protobuf descriptor set: %s"), local_error->message);
      return NULL;
    }

  return sonde_proto_schema_new_from_data ((const guint8 *) contents, length, error);
}

void
sonde_proto_schema_free (SondeProtoSchema *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->messages, g_hash_table_unref);
  g_clear_pointer (&self->enums, g_hash_table_unref);
  g_free (self);
}

SondeProtoMessage *
sonde_proto_schema_lookup_message (SondeProtoSchema *self,
                                   const char       *full_name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (full_name != NULL, NULL);

  if (full_name[0] == '.')
    full_name++;
  return g_hash_table_lookup (self->messages, full_name);
}

gboolean
sonde_proto_schema_has_type (SondeProtoSchema *self,
                             const char       *full_name)
{
  return sonde_proto_schema_lookup_message (self, full_name) != NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
sonde_proto_schema_dup_type_names (SondeProtoSchema *self)
{
  g_autofree gpointer *keys = NULL;
  GPtrArray *names;
  guint n = 0;

  g_return_val_if_fail (self != NULL, NULL);

  keys = g_hash_table_get_keys_as_array (self->messages, &n);
  names = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, g_strdup (keys[i]));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}
