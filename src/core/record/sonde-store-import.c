/* sonde-store-import.c: turns a JSON Lines or HAR file into recorded
 * sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read whole by its reader (sonde-har-reader.h or
 * sonde-jsonl-reader.h, told apart by content: a HAR document's only
 * member is "log"), then each session goes into the store in batches. All
 * or nothing: what was added before an error or a cancel is deleted.
 */

#define G_LOG_DOMAIN "sonde-store-import"

#include "config.h"

#include <string.h>

#include "sonde-har-reader.h"
#include "sonde-jsonl-reader.h"
#include "sonde-redactor.h"
#include "sonde-store-import.h"

#define BATCH_RECORDS 4096
#define BATCH_BYTES   (8 * 1024 * 1024)

/* Whether @data is a HAR document rather than JSON Lines: its first
 * member is "log" (Sonde's lines begin with "time"). */
static gboolean
looks_like_har (const char *data,
                gsize       length)
{
  gsize i = 0;

  /* A UTF-8 byte order mark, as some tools write. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < length && g_ascii_isspace (data[i]))
    i++;
  if (i == length || data[i] != '{')
    return FALSE;
  i++;
  while (i < length && g_ascii_isspace (data[i]))
    i++;
  return length - i >= 5 && memcmp (data + i, "\"log\"", 5) == 0;
}

/* The sessions of @file, read as the import reads them (also the replay
 * server's source: sonde-replay-source.h). */
GPtrArray *
sonde_store_import_read_sessions (GFile         *file,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  SondeImportedSession *session;
  GPtrArray *sessions;

  if (!g_file_load_contents (file, cancellable, &data, &length, NULL, error))
    return NULL;

  if (looks_like_har (data, length))
    return sonde_har_reader_read_data (data, length, error);

  session = sonde_jsonl_reader_read_data (data, length, error);
  if (session == NULL)
    return NULL;
  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_imported_session_unref);
  g_ptr_array_add (sessions, session);
  return sessions;
}

static gboolean
add_session (SondeStore           *store,
             SondeImportedSession *session,
             const char           *profile_id,
             const char           *profile_name,
             GArray               *ids,
             GCancellable         *cancellable,
             GError              **error)
{
  guint n = sonde_imported_session_get_n_records (session);
  g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (SondeRecord), MIN (n, BATCH_RECORDS));
  gint64 start_us = sonde_imported_session_get_start_us (session);
  gint64 end_us = start_us;
  gsize batch_bytes = 0;
  gint64 id = 0;
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  const char *raw_url = sonde_imported_session_get_url (session);
  /* Masked as a recording's URL is (a token in the query, a password), and
   * a file that does not say where it was gives an empty one. */
  g_autofree char *url = raw_url != NULL ? sonde_redactor_url (redactor, raw_url) : NULL;

  if (!sonde_store_begin_session (store, profile_id, profile_name, url != NULL ? url : "", start_us, &id, error))
    return FALSE;
  g_array_append_val (ids, id);

  for (guint i = 0; i < n; i++)
    {
      const SondeRecord *record = sonde_imported_session_get_record (session, i);

      g_array_append_vals (batch, record, 1);
      batch_bytes += record->stored_size;
      end_us = MAX (end_us, record->wall_us);

      if (batch->len == BATCH_RECORDS || batch_bytes >= BATCH_BYTES || i + 1 == n)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !sonde_store_append (store, id, (const SondeRecord *) (gpointer) batch->data, batch->len, error))
            return FALSE;
          g_array_set_size (batch, 0);
          batch_bytes = 0;
        }
    }

  return sonde_store_end_session (store, id, end_us, 0, NULL, SONDE_STORE_ENDED_UNKNOWN, error);
}

GArray *
sonde_store_import_file (SondeStore    *store,
                         GFile         *file,
                         const char    *profile_id,
                         const char    *profile_name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GArray) ids = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (SONDE_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  sessions = sonde_store_import_read_sessions (file, cancellable, error);
  if (sessions == NULL)
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < sessions->len; i++)
    {
      if (!add_session (store, g_ptr_array_index (sessions, i), profile_id, profile_name, ids, cancellable,
                        &local_error))
        {
          /* Nothing half-imported stays. */
          for (guint j = 0; j < ids->len; j++)
            {
              g_autoptr(GError) delete_error = NULL;

              if (!sonde_store_delete_session (store, g_array_index (ids, gint64, j), &delete_error))
                g_warning ("Could not delete the imported session %" G_GINT64_FORMAT ": %s",
                           g_array_index (ids, gint64, j), delete_error->message);
            }
          g_propagate_error (error, local_error);
          return NULL;
        }
    }

  return g_steal_pointer (&ids);
}

typedef struct {
  GFile *file;
  char  *profile_id;
  char  *profile_name;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->file);
  g_free (job->profile_id);
  g_free (job->profile_name);
  g_free (job);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  GArray *ids = sonde_store_import_file (SONDE_STORE (source_object), job->file, job->profile_id,
                                         job->profile_name, cancellable, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

void
sonde_store_import_async (SondeStore          *store,
                          GFile               *file,
                          const char          *profile_id,
                          const char          *profile_name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (SONDE_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sonde_store_import_async);
  job = g_new0 (Job, 1);
  job->file = g_object_ref (file);
  job->profile_id = g_strdup (profile_id);
  job->profile_name = g_strdup (profile_name);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, import_thread);
}

GArray *
sonde_store_import_finish (SondeStore    *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
