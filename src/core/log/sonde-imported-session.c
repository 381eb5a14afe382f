/* sonde-imported-session.c: one WebSocket session read back from a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-imported-session.h"

/* Real HAR and JSON Lines files nest a handful of levels; events a few
 * more. Past this a file is hostile, and json-glib's recursive parser
 * would run out of stack. */
#define MAX_DEPTH 64

struct _SondeImportedSession
{
  gatomicrefcount  ref_count;
  char            *url;
  gint64           start_us;
  GArray          *records;   /* SondeRecord, data owned (g_malloc) */
};

G_DEFINE_QUARK (sonde-import-error-quark, sonde_import_error)

static void
clear_record (gpointer data)
{
  SondeRecord *record = data;

  g_free ((gpointer) record->data);
  record->data = NULL;
}

SondeImportedSession *
sonde_imported_session_new (const char *url,
                            gint64      start_us)
{
  SondeImportedSession *self = g_new0 (SondeImportedSession, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->url = g_strdup (url);
  self->start_us = start_us;
  self->records = g_array_new (FALSE, FALSE, sizeof (SondeRecord));
  g_array_set_clear_func (self->records, clear_record);
  return self;
}

SondeImportedSession *
sonde_imported_session_ref (SondeImportedSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_imported_session_unref (SondeImportedSession *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->records);
  g_free (self->url);
  g_free (self);
}

const char *
sonde_imported_session_get_url (SondeImportedSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

void
sonde_imported_session_set_url (SondeImportedSession *self,
                                const char           *url)
{
  g_return_if_fail (self != NULL);

  if (url != self->url)
    {
      g_free (self->url);
      self->url = g_strdup (url);
    }
}

gint64
sonde_imported_session_get_start_us (SondeImportedSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->start_us;
}

void
sonde_imported_session_set_start_us (SondeImportedSession *self,
                                     gint64                start_us)
{
  g_return_if_fail (self != NULL);

  self->start_us = start_us;
}

void
sonde_imported_session_add_take (SondeImportedSession *self,
                                 const SondeRecord    *record,
                                 guint8               *payload)
{
  SondeRecord copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (record != NULL);

  copy = *record;
  copy.seq = self->records->len;
  copy.data = payload;
  g_array_append_val (self->records, copy);
}

void
sonde_imported_session_add (SondeImportedSession *self,
                            const SondeRecord    *record)
{
  g_return_if_fail (record != NULL);

  /* g_malloc (0) is NULL: keep a real pointer for empty payloads too. */
  sonde_imported_session_add_take (self, record,
                                   record->stored_size > 0
                                     ? g_memdup2 (record->data, record->stored_size)
                                     : g_malloc (1));
}

guint
sonde_imported_session_get_n_records (SondeImportedSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->records->len;
}

const SondeRecord *
sonde_imported_session_get_record (SondeImportedSession *self,
                                   guint                 index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->records->len, NULL);

  return &g_array_index (self->records, SondeRecord, index);
}

/* json-glib keeps every value as a node of its tree (objects with a hash
 * table): about 100 bytes of memory for "{}," at worst. Real exports spend
 * 10 bytes or more of text per value; a file packed denser than this is
 * refused, which bounds the tree at about 20 times the file. */
#define MIN_BYTES_PER_VALUE 6

/* TRUE when no bracket in @data nests deeper than MAX_DEPTH and values are
 * not packed denser than MIN_BYTES_PER_VALUE (strings stepped over;
 * anything malformed is left to the parser); @too_dense says which. */
static gboolean
check_structure (const char *data,
                 gsize       length,
                 gboolean   *too_dense)
{
  guint depth = 0;
  gsize values = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          values++;
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
      else if (c == ',')
        values++;
    }
  *too_dense = values > 64 && values > length / MIN_BYTES_PER_VALUE;
  return !*too_dense;
}

JsonNode *
sonde_import_parse_json (const char  *data,
                         gsize        length,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean too_dense = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > G_MAXSSIZE)
    length = G_MAXSSIZE;
  if (!check_structure (data, length, &too_dense))
    {
      if (too_dense)
        g_set_error_literal (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_TOO_DEEP,
                             _("The file packs more JSON values into its size than any export does"));
      else
        g_set_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_TOO_DEEP,
                     _("The file nests objects and arrays more than %u levels deep"), MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) length, &local_error))
    {
      /* json-glib's message starts "<data>:line:column: "; keep the line
       * and column, drop the stream name. */
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_INVALID_JSON,
                   _("Not valid JSON: %s"), message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, SONDE_IMPORT_ERROR, SONDE_IMPORT_ERROR_INVALID_JSON,
                           _("Not valid JSON: the file is empty"));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}
