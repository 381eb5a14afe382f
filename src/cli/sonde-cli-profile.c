/* sonde-cli-profile.c: a saved profile, found by id or name for
 * `sonde-cli connect --profile`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The profiles are read with SondeProfileStore from the file the window
 * keeps them in (or --profiles FILE). The profile found is detached from
 * the store before it is returned: the command line's options are applied
 * to it, and the file never sees them. (Detached rather than duplicated:
 * a duplicate gets a fresh id, and the keyring keys the secret by id.)
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-cli.h"
#include "sonde-error.h"
#include "sonde-profile-store.h"

/* "“a” (id 1…), “b” (id 2…)": the profiles the user can choose from. */
static char *
describe_profiles (GListModel *store,
                   const char *name)
{
  g_autoptr(GString) list = g_string_new (NULL);
  guint n = g_list_model_get_n_items (store);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (store, i);

      if (name != NULL && g_strcmp0 (sonde_profile_get_name (profile), name) != 0)
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      if (name != NULL)
        g_string_append (list, sonde_profile_get_id (profile));
      else
        /* Translators: one profile in a list: its name, then its id. */
        g_string_append_printf (list, _("“%s” (id %s)"), sonde_profile_get_name (profile),
                                sonde_profile_get_id (profile));
    }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* The profile whose id, else whose exact name, is @wanted, from the
 * profiles file @path (NULL: the one the window uses). On failure NULL,
 * with @error in G_OPTION_ERROR when the command line is at fault (no
 * such file given, no such profile, a name that several profiles have:
 * exit status 2), in another domain when the file cannot be read (1). */
SondeProfile *
sonde_cli_find_profile (const char  *path,
                        const char  *wanted,
                        GError     **error)
{
  g_autoptr(SondeProfileStore) store = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(SondeProfile) found = NULL;
  GListModel *model;
  guint n;
  guint named = 0;

  g_return_val_if_fail (wanted != NULL, NULL);

  if (path != NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--profiles: there is no file “%s”"), path);
      return NULL;
    }

  store = sonde_profile_store_new (path);
  model = G_LIST_MODEL (store);
  if (!sonde_profile_store_load (store, &load_error))
    {
      /* A file where only some profiles are malformed still gives the
       * others: say what was skipped and go on. */
      if (g_list_model_get_n_items (model) == 0)
        {
          g_propagate_error (error, g_steal_pointer (&load_error));
          return NULL;
        }
      g_printerr ("sonde-cli: %s\n", load_error->message);
    }

  found = sonde_profile_store_lookup (store, wanted);
  if (found != NULL)
    g_object_ref (found);

  n = g_list_model_get_n_items (model);
  for (guint i = 0; found == NULL && i < n; i++)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (model, i);

      if (g_strcmp0 (sonde_profile_get_name (profile), wanted) == 0)
        named++;
    }

  if (found == NULL && named > 1)
    {
      g_autofree char *ids = describe_profiles (model, wanted);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%u profiles are called “%s”: give one of their ids instead (%s)"),
                   named, wanted, ids);
      return NULL;
    }

  for (guint i = 0; found == NULL && i < n; i++)
    {
      g_autoptr(SondeProfile) profile = g_list_model_get_item (model, i);

      if (g_strcmp0 (sonde_profile_get_name (profile), wanted) == 0)
        found = g_steal_pointer (&profile);
    }

  if (found == NULL)
    {
      g_autofree char *all = describe_profiles (model, NULL);

      if (n == 0 && !g_file_test (sonde_profile_store_get_path (store), G_FILE_TEST_EXISTS))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("There is no profile “%s”: no profiles are saved (there is no %s)"),
                     wanted, sonde_profile_store_get_path (store));
      else if (n == 0)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("There is no profile “%s”: %s holds no profiles"),
                     wanted, sonde_profile_store_get_path (store));
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("There is no profile “%s” in %s; it has %s"),
                     wanted, sonde_profile_store_get_path (store), all);
      return NULL;
    }

  /* The store lets go of the profile (and writes nothing: nothing
   * changed); what is done to it from now on stays in this process. */
  g_clear_object (&store);

  return g_steal_pointer (&found);
}

/* Every problem sonde_profile_validate() finds in @profile, one a line,
 * after a line that names the profile; NULL when there is none. */
char *
sonde_cli_describe_problems (SondeProfile *profile)
{
  g_autoptr(GPtrArray) problems = sonde_profile_validate (profile);
  g_autoptr(GString) text = NULL;

  if (problems == NULL || problems->len == 0)
    return NULL;

  text = g_string_new (NULL);
  g_string_append_printf (text, _("The profile “%s” cannot be used:"), sonde_profile_get_name (profile));
  for (guint i = 0; i < problems->len; i++)
    {
      SondeProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (text, "\n  %s: %s", problem->field, problem->message);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}
