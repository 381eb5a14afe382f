/* test-recordings-pruner.c: the window keeps the recordings within the
 * Preferences' budget and age limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SondeRecordingsPruner over a folder with sessions of several ages: a run
 * deletes those past the age limit (on a worker thread: the main loop turns
 * meanwhile), and a change of the limit in GSettings prunes again by itself.
 */

#include "config.h"

#include "sonde-recordings.h"
#include "sonde-recordings-pruner.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000
#define DAY_US  (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static gint64
add_session (SondeStore *store,
             double      age_days)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_real_time () - (gint64) (age_days * DAY_US);
  SondeRecord record = {
    .seq = 1, .wall_us = start, .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
    .size = 5, .stored_size = 5, .data = (const guint8 *) "hello",
  };
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://example/", start, &id, &error));
  g_assert_true (sonde_store_append (store, id, &record, 1, &error));
  g_assert_true (sonde_store_end_session (store, id, start + 1, 1000, NULL, SONDE_STORE_ENDED_BY_CLIENT, &error));
  g_assert_no_error (error);
  return id;
}

static guint
count_sessions (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) reader = sonde_store_sqlite_open_reader (path, &error);
  g_autoptr(GPtrArray) sessions = NULL;

  g_assert_no_error (error);
  sessions = sonde_store_list_sessions (SONDE_STORE (reader), &error);
  g_assert_no_error (error);
  return sessions->len;
}

typedef struct {
  SondeRecordingsPruner *pruner;
  guint                  runs;
} Wait;

static gboolean
ran (gpointer data)
{
  Wait *wait = data;

  return sonde_recordings_pruner_get_runs (wait->pruner) > wait->runs;
}

static void
test_age (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-pruner-XXXXXX", &error);
  g_autofree char *path = sonde_recordings_path (dir, NULL);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(SondeRecordingsPruner) pruner = NULL;
  Wait wait = { 0 };

  g_assert_no_error (error);
  {
    g_autoptr(SondeStoreSqlite) store = sonde_store_sqlite_open (path, &error);

    g_assert_no_error (error);
    add_session (SONDE_STORE (store), 60);
    add_session (SONDE_STORE (store), 20);
    add_session (SONDE_STORE (store), 1);
  }
  g_assert_cmpuint (count_sessions (path), ==, 3);

  /* The default: 30 days. */
  g_assert_cmpuint (g_settings_get_uint (settings, "recording-max-age-days"), ==, 30);
  g_assert_cmpuint (g_settings_get_uint (settings, "recording-budget-megabytes"), ==, 2048);
  pruner = sonde_recordings_pruner_new (settings, dir);
  wait.pruner = pruner;
  sonde_recordings_pruner_run (pruner);
  g_assert_true (sonde_test_wait_for (ran, &wait, WAIT_MS));
  g_assert_cmpuint (sonde_recordings_pruner_get_deleted (pruner), ==, 1);
  g_assert_cmpuint (count_sessions (path), ==, 2);

  /* A shorter limit prunes again, without being asked. */
  wait.runs = sonde_recordings_pruner_get_runs (pruner);
  g_settings_set_uint (settings, "recording-max-age-days", 7);
  g_assert_true (sonde_test_wait_for (ran, &wait, WAIT_MS));
  g_assert_cmpuint (sonde_recordings_pruner_get_deleted (pruner), ==, 2);
  g_assert_cmpuint (count_sessions (path), ==, 1);

  g_settings_reset (settings, "recording-max-age-days");
  g_clear_object (&pruner);
  sonde_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/recordings-pruner/age", test_age);

  return g_test_run ();
}
