/* profile-store-writer.c: saves profiles in a tight loop until killed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: profile-store-writer PATH
 *
 * Loads the store at PATH (which removes what an earlier kill left), reads
 * the generation from the first profile's name ("generation N"), prints
 * "ready" and then, forever, bumps the generation in every profile and
 * flushes. Each file is half a megabyte, so that a SIGKILL often lands
 * inside a write.
 * test-profile-store kills it at random moments and checks that the file
 * is always whole. Exit status: 2 bad usage, 3 the file did not load, 4 a
 * save failed; it never exits by itself otherwise.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-profile-store.h"

#define N_PROFILES  4
#define BODY_LENGTH (128 * 1024)

static void
set_generation (SondeProfile *profile,
                guint64       generation)
{
  g_autofree char *name = g_strdup_printf ("generation %" G_GUINT64_FORMAT, generation);
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autofree char *body = NULL;
  char digit = (char) ('0' + generation % 10);

  /* The length changes too, so that a write in place could not hide. */
  body = g_strnfill (BODY_LENGTH + (generation % 7) * 1000, digit);
  g_ptr_array_add (templates, sonde_profile_message_new ("bulk", SONDE_MESSAGE_FORMAT_TEXT, body));
  sonde_profile_set_templates (profile, templates);
  sonde_profile_set_name (profile, name);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SondeProfileStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint64 generation = 0;

  if (argc != 2)
    {
      fprintf (stderr, "Usage: %s PATH\n", argv[0]);
      return 2;
    }

  store = sonde_profile_store_new (argv[1]);
  if (!sonde_profile_store_load (store, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 3;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    {
      for (guint i = 0; i < N_PROFILES; i++)
        {
          g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("wss://feed.example.com/");

          sonde_profile_store_add (store, profile);
        }
    }
  else
    {
      g_autoptr(SondeProfile) first = g_list_model_get_item (G_LIST_MODEL (store), 0);
      const char *name = sonde_profile_get_name (first);

      if (g_str_has_prefix (name, "generation "))
        generation = g_ascii_strtoull (name + strlen ("generation "), NULL, 10);
    }

  /* The killer waits for this: from here on, it is all writing. */
  printf ("ready\n");
  fflush (stdout);

  for (;;)
    {
      generation++;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
        {
          g_autoptr(SondeProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);

          set_generation (profile, generation);
        }

      if (!sonde_profile_store_flush (store, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 4;
        }
    }

  return EXIT_SUCCESS;
}
