/* test-recordings.c: where recordings live, and pruning them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Database names per profile (and the ad-hoc one) and back; listing a
 * folder; pruning across databases: by age, then by a disk budget, oldest
 * first, never a session a recorder still writes.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sonde-recorder.h"
#include "sonde-recordings.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sonde-recordings-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static void
test_names (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *adhoc = sonde_recordings_path (fixture->dir, NULL);
  g_autofree char *profile = sonde_recordings_path (fixture->dir, "6f1c-42");
  g_autofree char *odd = sonde_recordings_path (fixture->dir, "../../etc/passwd");
  g_autofree char *odd_name = g_path_get_basename (odd);
  g_autofree char *back = NULL;
  g_autofree char *stray = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_auto(GStrv) listed = NULL;

  g_assert_true (g_str_has_suffix (adhoc, "/adhoc.sqlite"));
  g_assert_true (g_str_has_suffix (profile, "/profile-6f1c-42.sqlite"));
  /* An id that is not safe in a file name stays in the folder. */
  g_assert_true (g_str_has_prefix (odd_name, "profile-sha256-"));
  g_assert_null (strchr (odd_name, '/'));
  back = sonde_recordings_profile_id (profile);
  g_assert_cmpstr (back, ==, "6f1c-42");
  g_assert_null (sonde_recordings_profile_id (adhoc));
  g_assert_null (sonde_recordings_profile_id (odd));

  g_assert_true (g_file_set_contents (adhoc, "", 0, NULL));
  g_assert_true (g_file_set_contents (profile, "", 0, NULL));
  g_assert_true (g_file_set_contents (stray, "", 0, NULL));
  listed = sonde_recordings_list (fixture->dir);
  g_assert_cmpuint (g_strv_length (listed), ==, 2);
  g_assert_cmpstr (listed[0], ==, adhoc);
  g_assert_cmpstr (listed[1], ==, profile);
}

/* A session started @age_days ago with @n messages of @size bytes. */
static gint64
add_session (SondeStore *store,
             double      age_days,
             guint       n,
             gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *payload = g_malloc0 (size);
  g_autofree SondeRecord *records = g_new0 (SondeRecord, n);
  gint64 start = g_get_real_time () - (gint64) (age_days * DAY_US);
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://example/", start, &id, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      records[i].seq = i;
      records[i].wall_us = start + i;
      records[i].mono_us = i;
      records[i].direction = SONDE_DIRECTION_IN;
      records[i].kind = SONDE_MESSAGE_KIND_BINARY;
      records[i].size = records[i].stored_size = size;
      records[i].data = payload;
    }
  g_assert_true (sonde_store_append (store, id, records, n, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_store_end_session (store, id, start + n, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT, &error));
  g_assert_no_error (error);
  return id;
}

static gboolean
has_session (SondeStore *store,
             gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSession) session = sonde_store_get_session (store, id, &error);

  return session != NULL;
}

static void
test_prune_age (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *a_path = sonde_recordings_path (fixture->dir, NULL);
  g_autofree char *b_path = sonde_recordings_path (fixture->dir, "b");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) a = sonde_store_sqlite_open (a_path, &error);
  g_autoptr(SondeStoreSqlite) b = sonde_store_sqlite_open (b_path, &error);
  gint64 a_old, a_new, b_old, b_new;
  guint deleted = 0;

  g_assert_no_error (error);
  a_old = add_session (SONDE_STORE (a), 40, 10, 100);
  a_new = add_session (SONDE_STORE (a), 1, 10, 100);
  b_old = add_session (SONDE_STORE (b), 31, 10, 100);
  b_new = add_session (SONDE_STORE (b), 29, 10, 100);

  g_assert_true (sonde_recordings_prune (fixture->dir, 0, 30 * DAY_US, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 2);
  g_assert_false (has_session (SONDE_STORE (a), a_old));
  g_assert_true (has_session (SONDE_STORE (a), a_new));
  g_assert_false (has_session (SONDE_STORE (b), b_old));
  g_assert_true (has_session (SONDE_STORE (b), b_new));

  /* Nothing more to do: nothing deleted. */
  g_assert_true (sonde_recordings_prune (fixture->dir, 0, 30 * DAY_US, &deleted, &error));
  g_assert_cmpuint (deleted, ==, 0);
}

/* Over the budget, across two databases, the oldest go first; a session a
 * recorder writes stays, however old. */
static void
test_prune_budget (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *a_path = sonde_recordings_path (fixture->dir, NULL);
  g_autofree char *b_path = sonde_recordings_path (fixture->dir, "b");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) a = sonde_store_sqlite_open (a_path, &error);
  g_autoptr(SondeStoreSqlite) b = sonde_store_sqlite_open (b_path, &error);
  g_autoptr(SondeRecorder) live = NULL;
  gint64 ids[4];
  guint deleted = 0;
  guint64 size;

  g_assert_no_error (error);
  live = sonde_recorder_new (SONDE_STORE (b), NULL, NULL, "ws://live/", g_get_real_time () - 10 * DAY_US, &error);
  g_assert_no_error (error);
  ids[0] = add_session (SONDE_STORE (a), 5, 2000, 1000);   /* oldest */
  ids[1] = add_session (SONDE_STORE (b), 4, 2000, 1000);
  ids[2] = add_session (SONDE_STORE (a), 3, 2000, 1000);
  ids[3] = add_session (SONDE_STORE (b), 2, 2000, 1000);   /* newest */

  /* Room for about two of the four. */
  size = sonde_recordings_get_size (fixture->dir);
  g_assert_cmpuint (size, >, 4 * 2000 * 1000);
  g_assert_true (sonde_recordings_prune (fixture->dir, size / 2 + size / 8, 0, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 2);
  g_assert_false (has_session (SONDE_STORE (a), ids[0]));
  g_assert_false (has_session (SONDE_STORE (b), ids[1]));
  g_assert_true (has_session (SONDE_STORE (a), ids[2]));
  g_assert_true (has_session (SONDE_STORE (b), ids[3]));
  g_assert_true (has_session (SONDE_STORE (b), sonde_recorder_get_session_id (live)));

  /* A budget of one byte: everything but the live session goes. */
  g_assert_true (sonde_recordings_prune (fixture->dir, 1, 0, &deleted, &error));
  g_assert_cmpuint (deleted, ==, 2);
  g_assert_true (has_session (SONDE_STORE (b), sonde_recorder_get_session_id (live)));
  sonde_recorder_close (live, g_get_real_time (), 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/recordings/names", Fixture, NULL, fixture_setup, test_names, fixture_teardown);
  g_test_add ("/recordings/prune-age", Fixture, NULL, fixture_setup, test_prune_age, fixture_teardown);
  g_test_add ("/recordings/prune-budget", Fixture, NULL, fixture_setup, test_prune_budget, fixture_teardown);

  return g_test_run ();
}
