/* sonde-test-util.c: what every Sonde test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-test-util.h"

/* g_test_init with HOME and the XDG directories in a fresh temporary
 * directory, so no test reads or writes the user's files. */
void
sonde_test_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

static char *gui_home;

/* For tests with a display: the user's directories go to a fresh temporary
 * directory, but the system data directories stay, because GTK needs the
 * shared MIME database (to load SVG icons) and the icon themes from them.
 * G_TEST_OPTION_ISOLATE_DIRS would hide both. */
void
sonde_test_init_gui (int    *argc,
                     char ***argv)
{
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *variable;
    const char *subdir;
  } dirs[] = {
    { "HOME", "home" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };

  g_test_init (argc, argv, NULL);

  gui_home = g_dir_make_tmp ("sonde-test-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (gui_home, dirs[i].subdir, NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

/* Removes what sonde_test_init_gui() made. */
void
sonde_test_finish_gui (void)
{
  g_autoptr(GFile) home = NULL;

  if (gui_home == NULL)
    return;

  home = g_file_new_for_path (gui_home);
  remove_tree (home);
  g_clear_pointer (&gui_home, g_free);
}

gboolean
sonde_test_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
sonde_test_wait_for (SondeTestCondition condition,
                     gpointer           data,
                     guint              timeout_ms)
{
  return SONDE_TEST_WAIT (condition (data), timeout_ms);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context for @ms: for tests that check that something does
 * NOT happen within a time. */
void
sonde_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  sonde_test_wait_for (is_true, &done, ms + 5000);
}

gboolean
sonde_test_connection_is_final (SondeConnection *connection)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  return state == SONDE_CONNECTION_STATE_CLOSED ||
         state == SONDE_CONNECTION_STATE_FAILED ||
         state == SONDE_CONNECTION_STATE_DISCONNECTED;
}

guint
sonde_test_count_records (SondeConnection  *connection,
                          SondeDirection    direction,
                          SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == direction && record.kind == kind)
        n++;
    }
  return n;
}
