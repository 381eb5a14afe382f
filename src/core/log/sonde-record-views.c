/* sonde-record-views.c: the decoded views of messages, newest kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hash table by seq over a queue in the order the views were made: the
 * oldest go first once the bound is passed. Views are remade on demand,
 * so forgetting one costs a decode, never a wrong answer (a stateful
 * chain's lost view says so: see the session).
 */

#define G_LOG_DOMAIN "sonde-record-views"

#include "config.h"

#include "sonde-record-views.h"

#include <string.h>

#include "sonde-json-format.h"
#include "sonde-json-writer.h"

typedef struct {
  guint64             seq;
  SondeRecordViewKind kind;
  gboolean            upkeep;
  gboolean            payload; /* DECODED: the view is the record's payload; text holds none */
  gsize               length;  /* of text, without the NUL */
  gsize               label;   /* offset of the label in text, or 0: none */
  GList               link;    /* in SondeRecordViews.order; data is the entry */
  char                text[];  /* the JSON (DECODED) or the reason (FAILED), NUL, the label, NUL */
} Entry;

struct _SondeRecordViews
{
  SondeRecordViewFunc func;
  gpointer            func_data;
  GDestroyNotify      func_destroy;

  GHashTable         *by_seq;   /* SEQ_KEY (the entry's seq) → Entry* */
  GQueue              order;    /* oldest first */
  gsize               bytes;
  guint64             n_made;
  GString            *scratch;
};

/* A seq as a key of by_seq: the pointer itself where it holds 64 bits
 * (hashing and comparing it costs nothing), else a pointer to it. */
#if GLIB_SIZEOF_VOID_P >= 8
#define SEQ_KEY(seq_ptr) GSIZE_TO_POINTER (*(seq_ptr))
#define SEQ_HASH         g_direct_hash
#define SEQ_EQUAL        NULL
#else
#define SEQ_KEY(seq_ptr) ((gpointer) (seq_ptr))
#define SEQ_HASH         g_int64_hash
#define SEQ_EQUAL        g_int64_equal
#endif

static gsize
entry_cost (const Entry *entry)
{
  return sizeof (Entry) + entry->length + 1 + (entry->label ? strlen (entry->text + entry->label) + 1 : 0);
}

static void
entry_free (gpointer data)
{
  g_free (data);
}

SondeRecordViews *
sonde_record_views_new (void)
{
  SondeRecordViews *self = g_new0 (SondeRecordViews, 1);

  self->by_seq = g_hash_table_new_full (SEQ_HASH, SEQ_EQUAL, NULL, entry_free);
  g_queue_init (&self->order);
  self->scratch = g_string_new (NULL);
  return self;
}

void
sonde_record_views_free (SondeRecordViews *self)
{
  if (self == NULL)
    return;
  sonde_record_views_set_func (self, NULL, NULL, NULL);
  g_hash_table_unref (self->by_seq);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}

void
sonde_record_views_clear (SondeRecordViews *self)
{
  g_return_if_fail (self != NULL);

  /* The queue's links live in the entries the table frees. */
  g_queue_init (&self->order);
  g_hash_table_remove_all (self->by_seq);
  self->bytes = 0;
}

void
sonde_record_views_set_func (SondeRecordViews    *self,
                             SondeRecordViewFunc  func,
                             gpointer             user_data,
                             GDestroyNotify       destroy)
{
  g_return_if_fail (self != NULL);

  if (self->func_destroy != NULL)
    self->func_destroy (self->func_data);
  self->func = func;
  self->func_data = user_data;
  self->func_destroy = destroy;
  sonde_record_views_clear (self);
}

gboolean
sonde_record_views_has_func (SondeRecordViews *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->func != NULL;
}

static void
forget (SondeRecordViews *self,
        Entry            *entry)
{
  g_queue_unlink (&self->order, &entry->link);
  self->bytes -= entry_cost (entry);
  g_hash_table_remove (self->by_seq, SEQ_KEY (&entry->seq));
}

/* Keeps a view, dropping the oldest past the bound (never the one just
 * kept: it is what the caller is about to read). */
static Entry *
keep (SondeRecordViews           *self,
      guint64                     seq,
      SondeRecordViewKind         kind,
      const char                 *text,
      gsize                       length,
      const SondeRecordViewExtra *extra)
{
  Entry *entry;
  Entry *old = g_hash_table_lookup (self->by_seq, SEQ_KEY (&seq));
  const char *label = extra != NULL ? extra->label : NULL;
  gsize label_length = label != NULL ? strlen (label) : 0;

  if (old != NULL)
    forget (self, old);

  entry = g_malloc (sizeof (Entry) + length + 1 + (label != NULL ? label_length + 1 : 0));
  entry->seq = seq;
  entry->kind = kind;
  entry->upkeep = extra != NULL && extra->upkeep;
  entry->payload = FALSE;
  entry->length = length;
  entry->label = label != NULL ? length + 1 : 0;
  if (length > 0)
    memcpy (entry->text, text, length);
  entry->text[length] = '\0';
  if (label != NULL)
    memcpy (entry->text + length + 1, label, label_length + 1);
  entry->link = (GList) { .data = entry };
  g_queue_push_tail_link (&self->order, &entry->link);
  g_hash_table_insert (self->by_seq, SEQ_KEY (&entry->seq), entry);
  self->bytes += entry_cost (entry);

  while (self->order.length > 1 &&
         (self->bytes > SONDE_RECORD_VIEWS_MAX_BYTES || self->order.length > SONDE_RECORD_VIEWS_MAX_ENTRIES))
    forget (self, self->order.head->data);

  return entry;
}

void
sonde_record_views_put_full (SondeRecordViews           *self,
                             guint64                     seq,
                             SondeRecordViewKind         kind,
                             const char                 *json,
                             gsize                       length,
                             const char                 *error_message,
                             const SondeRecordViewExtra *extra)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != SONDE_RECORD_VIEW_RAW);

  if (kind == SONDE_RECORD_VIEW_DECODED)
    keep (self, seq, kind, json, length, extra);
  else
    keep (self, seq, kind, error_message, error_message ? strlen (error_message) : 0, extra);
}

void
sonde_record_views_put (SondeRecordViews    *self,
                        guint64              seq,
                        SondeRecordViewKind  kind,
                        const char          *json,
                        gsize                length,
                        const char          *error_message)
{
  sonde_record_views_put_full (self, seq, kind, json, length, error_message, NULL);
}

static gboolean
is_message (const SondeRecord *record)
{
  return record->direction != SONDE_DIRECTION_EVENT &&
         (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY);
}

/* The entry of @record's view, made if need be; NULL for RAW. */
static Entry *
lookup_or_make (SondeRecordViews  *self,
                const SondeRecord *record)
{
  g_autofree char *why = NULL;
  SondeRecordViewExtra extra = { NULL, FALSE, FALSE };
  SondeRecordViewKind kind;
  Entry *entry;

  if (self->func == NULL || !is_message (record))
    return NULL;
  entry = g_hash_table_lookup (self->by_seq, SEQ_KEY (&record->seq));
  if (entry != NULL)
    return entry;

  g_string_truncate (self->scratch, 0);
  kind = self->func (record, self->scratch, &why, &extra, self->func_data);
  self->n_made++;
  if (kind == SONDE_RECORD_VIEW_DECODED && extra.payload && self->scratch->len == 0)
    {
      entry = keep (self, record->seq, kind, "", 0, &extra);
      entry->payload = TRUE;
    }
  else if (kind == SONDE_RECORD_VIEW_DECODED)
    entry = keep (self, record->seq, kind, self->scratch->str, self->scratch->len, &extra);
  else if (kind == SONDE_RECORD_VIEW_FAILED)
    entry = keep (self, record->seq, kind, why ? why : "", why ? strlen (why) : 0, &extra);
  g_free (extra.label);
  if (self->scratch->allocated_len > 1024 * 1024)
    {
      g_string_free (self->scratch, TRUE);
      self->scratch = g_string_new (NULL);
    }
  return entry;
}

const char *
sonde_record_views_get_label (SondeRecordViews  *self,
                              const SondeRecord *record,
                              gboolean          *upkeep)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);

  entry = lookup_or_make (self, record);
  if (upkeep != NULL)
    *upkeep = entry != NULL && entry->upkeep;
  return entry != NULL && entry->label != 0 ? entry->text + entry->label : NULL;
}

SondeRecordViewKind
sonde_record_views_get (SondeRecordViews   *self,
                        const SondeRecord  *record,
                        SondeRecord        *view,
                        const char        **error_message)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, SONDE_RECORD_VIEW_RAW);
  g_return_val_if_fail (record != NULL, SONDE_RECORD_VIEW_RAW);

  if (view != NULL)
    *view = *record;
  if (error_message != NULL)
    *error_message = NULL;
  entry = lookup_or_make (self, record);
  if (entry == NULL)
    return SONDE_RECORD_VIEW_RAW;
  if (entry->kind == SONDE_RECORD_VIEW_FAILED)
    {
      if (error_message != NULL)
        *error_message = entry->text;
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (view != NULL && !entry->payload)
    {
      view->data = (const guint8 *) entry->text;
      view->stored_size = entry->length;
      view->size = entry->length;
      view->flags &= ~SONDE_RECORD_FLAG_TRUNCATED;
      view->kind = SONDE_MESSAGE_KIND_TEXT;
    }
  return SONDE_RECORD_VIEW_DECODED;
}

const SondeRecord *
sonde_record_views_read (SondeRecordViews  *self,
                         const SondeRecord *record,
                         SondeRecord       *scratch)
{
  g_return_val_if_fail (self != NULL, record);

  if (self->func == NULL)
    return record;
  switch (sonde_record_views_get (self, record, scratch, NULL))
    {
    case SONDE_RECORD_VIEW_DECODED:
      return scratch;
    case SONDE_RECORD_VIEW_FAILED:
      return NULL;
    case SONDE_RECORD_VIEW_RAW:
    default:
      return record;
    }
}

guint
sonde_record_views_get_n_kept (SondeRecordViews *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->order.length;
}

gsize
sonde_record_views_get_bytes (SondeRecordViews *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bytes;
}

guint64
sonde_record_views_get_n_made (SondeRecordViews *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_made;
}

/* ,"decoded":VIEW or ,"decode_error":"why", inserted before the closing
 * brace of @line (a record's JSON object): the view as it is when it is
 * JSON on one line, compacted when it spans lines, a string when it is
 * not JSON (inflated text). */
void
sonde_record_views_append_member (GString             *line,
                                  SondeRecordViewKind  kind,
                                  const char          *view,
                                  gsize                length,
                                  const char          *error_message)
{
  g_autoptr(GString) member = NULL;

  g_return_if_fail (line != NULL);

  if (kind == SONDE_RECORD_VIEW_RAW || line->len == 0 || line->str[line->len - 1] != '}')
    return;

  member = g_string_new (NULL);
  if (kind == SONDE_RECORD_VIEW_FAILED)
    {
      g_string_append (member, ",\"decode_error\":");
      sonde_json_append_string (member, error_message ? error_message : "", -1);
    }
  else if (sonde_json_validate (view, (gssize) length, NULL, NULL, NULL))
    {
      g_string_append (member, ",\"decoded\":");
      if (memchr (view, '\n', length) != NULL)
        {
          g_autofree char *compact = sonde_json_pretty_compact (view, (gssize) length, 0, G_MAXSIZE, NULL);

          g_string_append (member, compact != NULL ? compact : "null");
        }
      else
        g_string_append_len (member, view, (gssize) length);
    }
  else
    {
      g_string_append (member, ",\"decoded\":");
      sonde_json_append_string (member, view, (gssize) length);
    }
  g_string_insert_len (line, (gssize) line->len - 1, member->str, (gssize) member->len);
}
