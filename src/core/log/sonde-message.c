/* sonde-message.c: a row of the message log, made only when asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log keeps records, not objects. A SondeMessage is made by
 * g_list_model_get_item() for the rows a view asks for: it copies the
 * record's metadata and reads the payload from the log on demand, so it
 * costs nothing while the log grows and reports eviction honestly.
 */

#define G_LOG_DOMAIN "sonde-message"

#include "config.h"

#include "sonde-message.h"

struct _SondeMessage
{
  GObject           parent_instance;

  /* owned */
  GObject          *source;       /* what keeps the record: the log */

  /* borrowed */
  SondeRecordLookupFunc lookup;

  guint64           seq;
  gint64            wall_us;
  gint64            mono_us;
  gsize             size;
  SondeDirection    direction;
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
};

G_DEFINE_FINAL_TYPE (SondeMessage, sonde_message, G_TYPE_OBJECT)

/* Live instances, for diagnostics: GLib counts instances only in debug
 * builds of itself. */
static gint n_alive;

static void
sonde_message_finalize (GObject *object)
{
  SondeMessage *self = (SondeMessage *) object;

  g_clear_object (&self->source);
  g_atomic_int_dec_and_test (&n_alive);

  G_OBJECT_CLASS (sonde_message_parent_class)->finalize (object);
}

static void
sonde_message_class_init (SondeMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_message_finalize;
}

static void
sonde_message_init (SondeMessage *self)
{
  g_atomic_int_inc (&n_alive);
}

SondeMessage *
sonde_message_new (GObject              *source,
                   SondeRecordLookupFunc lookup,
                   const SondeRecord    *record)
{
  SondeMessage *self;

  g_return_val_if_fail (G_IS_OBJECT (source), NULL);
  g_return_val_if_fail (lookup != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (SONDE_TYPE_MESSAGE, NULL);
  self->source = g_object_ref (source);
  self->lookup = lookup;
  self->seq = record->seq;
  self->wall_us = record->wall_us;
  self->mono_us = record->mono_us;
  self->size = record->size;
  self->direction = record->direction;
  self->kind = record->kind;
  self->flags = record->flags;

  return self;
}

guint64
sonde_message_get_seq (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), 0);

  return self->seq;
}

gint64
sonde_message_get_wall_us (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), 0);

  return self->wall_us;
}

gint64
sonde_message_get_mono_us (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), 0);

  return self->mono_us;
}

SondeDirection
sonde_message_get_direction (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), SONDE_DIRECTION_EVENT);

  return self->direction;
}

SondeMessageKind
sonde_message_get_kind (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), SONDE_MESSAGE_KIND_TEXT);

  return self->kind;
}

SondeRecordFlags
sonde_message_get_flags (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), SONDE_RECORD_FLAG_NONE);

  return self->flags;
}

gsize
sonde_message_get_size (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), 0);

  return self->size;
}

/* What keeps the record (the log), borrowed. */
GObject *
sonde_message_get_source (SondeMessage *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), NULL);

  return self->source;
}

/* Reads the record back from the log; FALSE once it has been evicted. */
gboolean
sonde_message_get_record (SondeMessage *self,
                          SondeRecord  *record)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE (self), FALSE);

  return self->lookup (self->source, self->seq, record);
}

/* A copy of the stored payload, or NULL once the record has been evicted. */
GBytes *
sonde_message_dup_payload (SondeMessage *self)
{
  SondeRecord record;

  g_return_val_if_fail (SONDE_IS_MESSAGE (self), NULL);

  if (!self->lookup (self->source, self->seq, &record))
    return NULL;

  return g_bytes_new (record.data, record.stored_size);
}

/* How many SondeMessage objects exist right now. The log makes them only
 * for rows a view asks for; this lets tests and benchmarks check that. */
guint
sonde_message_get_n_alive (void)
{
  return (guint) g_atomic_int_get (&n_alive);
}
