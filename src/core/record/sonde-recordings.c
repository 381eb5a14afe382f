/* sonde-recordings.c: where recordings live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-recordings"

#include "config.h"

#include <string.h>

#include "sonde-recordings.h"

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
