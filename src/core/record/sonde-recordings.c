/* sonde-recordings.c: where recordings live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-recordings"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-recorder.h"
#include "sonde-recordings.h"
#include "sonde-store-sqlite.h"

#define PROFILE_PREFIX "profile-"
#define SUFFIX         ".sqlite"
#define ADHOC_NAME     "adhoc" SUFFIX

char *
sonde_recordings_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "sonde", "recordings", NULL);
}

/* A profile id becomes part of a file name: keep what is safe in one. */
static gboolean
safe_id (const char *id)
{
  if (id[0] == '\0' || strlen (id) > 128)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

char *
sonde_recordings_path (const char *dir,
                       const char *profile_id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  if (profile_id == NULL)
    return g_build_filename (dir, ADHOC_NAME, NULL);
  if (safe_id (profile_id))
    name = g_strconcat (PROFILE_PREFIX, profile_id, SUFFIX, NULL);
  else
    {
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, profile_id, -1);

      name = g_strconcat (PROFILE_PREFIX, "sha256-", digest, SUFFIX, NULL);
    }
  return g_build_filename (dir, name, NULL);
}

static gboolean
is_recording_name (const char *name)
{
  if (g_str_equal (name, ADHOC_NAME))
    return TRUE;
  return g_str_has_prefix (name, PROFILE_PREFIX) && g_str_has_suffix (name, SUFFIX)
         && strlen (name) > strlen (PROFILE_PREFIX) + strlen (SUFFIX);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
sonde_recordings_list (const char *dir)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle != NULL)
    while ((name = g_dir_read_name (handle)) != NULL)
      if (is_recording_name (name))
        g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_strings);
  g_ptr_array_add (paths, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

char *
sonde_recordings_profile_id (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  gsize len = strlen (name);

  if (!is_recording_name (name) || g_str_equal (name, ADHOC_NAME)
      || g_str_has_prefix (name, PROFILE_PREFIX "sha256-"))
    return NULL;
  return g_strndup (name + strlen (PROFILE_PREFIX), len - strlen (PROFILE_PREFIX) - strlen (SUFFIX));
}

static guint64
path_size (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  guint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_stat (file, &st) == 0)
        total += (guint64) st.st_size;
    }
  return total;
}

guint64
sonde_recordings_get_size (const char *dir)
{
  g_auto(GStrv) paths = sonde_recordings_list (dir);
  guint64 total = 0;

  for (guint i = 0; paths[i] != NULL; i++)
    total += path_size (paths[i]);
  return total;
}

typedef struct {
  SondeStore *store;   /* borrowed from the stores array */
  gint64      id;
  gint64      start_us;
  double      disk;    /* its estimated share of the file */
} Candidate;

/* What a session costs on disk, before the file's overhead: its payload
 * and the row around each message. */
static double
session_cost (const SondeStoreSession *session)
{
  return (double) session->bytes + 48.0 * (double) session->records;
}

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *ca = a;
  const Candidate *cb = b;

  return (ca->start_us > cb->start_us) - (ca->start_us < cb->start_us);
}

gboolean
sonde_recordings_prune (const char  *dir,
                        guint64      budget_bytes,
                        gint64       max_age_us,
                        guint       *out_deleted,
                        GError     **error)
{
  g_auto(GStrv) paths = sonde_recordings_list (dir);
  g_autoptr(GPtrArray) stores = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  gint64 cutoff = max_age_us > 0 ? g_get_real_time () - max_age_us : G_MININT64;
  guint64 total = 0;
  guint deleted = 0;

  g_return_val_if_fail (dir != NULL, FALSE);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(SondeStoreSqlite) store = sonde_store_sqlite_open (paths[i], &local_error);
      g_autoptr(GPtrArray) sessions = NULL;

      if (store == NULL || sonde_store_is_read_only (SONDE_STORE (store)))
        {
          /* Another Sonde's, or not ours to repair: counted, left alone. */
          if (local_error != NULL)
            g_debug ("Not pruning %s: %s", paths[i], local_error->message);
          continue;
        }
      sessions = sonde_store_list_sessions (SONDE_STORE (store), &local_error);
      if (sessions == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", paths[i]);
          return FALSE;
        }
      /* A file does not shrink at once when a session goes (WAL): the
       * budget counts each session's share of its file instead. */
      {
        double costs = 0, ratio;

        for (guint j = 0; j < sessions->len; j++)
          costs += session_cost (g_ptr_array_index (sessions, j));
        ratio = costs > 0 ? (double) path_size (paths[i]) / costs : 0;
        for (guint j = 0; j < sessions->len; j++)
          {
            SondeStoreSession *session = g_ptr_array_index (sessions, j);
            Candidate candidate = { SONDE_STORE (store), session->id, session->start_us,
                                    session_cost (session) * ratio };

            if (sonde_recorder_is_live (SONDE_STORE (store), session->id))
              continue;
            g_array_append_val (candidates, candidate);
          }
      }
      g_ptr_array_add (stores, g_steal_pointer (&store));
    }
  g_array_sort (candidates, compare_candidates);

  for (guint i = 0; paths[i] != NULL; i++)
    total += path_size (paths[i]);

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *candidate = &g_array_index (candidates, Candidate, i);
      g_autoptr(GError) local_error = NULL;

      if (candidate->start_us >= cutoff && (budget_bytes == 0 || total <= budget_bytes))
        break;
      if (!sonde_store_delete_session (candidate->store, candidate->id, &local_error))
        {
          if (g_error_matches (local_error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          if (out_deleted != NULL)
            *out_deleted = deleted;
          return FALSE;
        }
      deleted++;
      total -= MIN (total, (guint64) candidate->disk);
    }

  if (out_deleted != NULL)
    *out_deleted = deleted;
  return TRUE;
}
