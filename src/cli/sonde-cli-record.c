/* sonde-cli-record.c: `sonde-cli record`: `connect`, recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command line and the run are connect's (sonde-cli-connect.c); this
 * adds --output and --quiet, points the session's recording at the file
 * or database server --output names, or at the recordings folder, and at the end waits until the recording
 * is flushed before the process exits.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sonde-cli-connect-private.h"
#include "sonde-recordings.h"
#include "sonde-store-uri.h"

/* How long the end of a recording may take to reach the disk. */
#define FLUSH_TIMEOUT_MS 60000

GOptionEntry *
sonde_cli_record_entries (ConnectRun *run)
{
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &run->output,
      N_("Record into this database instead of Sonde's recordings folder: a SQLite file (created if "
         "needed), or a PostgreSQL URI (postgresql://user@host/db; its tables are made on first use)"),
      N_("FILE|URI") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &run->quiet,
      N_("Print nothing on stdout (problems still go to stderr)"), NULL },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

static void
on_recording_stopped (SondeSession *session,
                      const char   *text,
                      ConnectRun   *run)
{
  sonde_cli_say ("%s", text);
}

/* Points the session's recording at --output or the recordings folder
 * (created, private to the user). */
gboolean
sonde_cli_record_start (ConnectRun  *run,
                        GError     **error)
{
  if (g_signal_lookup ("recording-stopped", SONDE_TYPE_SESSION) != 0)
    g_signal_connect (run->session, "recording-stopped", G_CALLBACK (on_recording_stopped), run);

  if (run->output != NULL && sonde_store_uri_is_remote (run->output))
    sonde_session_set_recording_path (run->session, run->output);
  else if (run->output != NULL)
    {
      g_autofree char *file = sonde_store_uri_dup_path (run->output);
      g_autofree char *parent = g_path_get_dirname (file);

      if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("--output: the folder “%s” does not exist"), parent);
          return FALSE;
        }
      sonde_session_set_recording_path (run->session, run->output);
    }
  else
    {
      g_autofree char *dir = sonde_recordings_default_dir ();

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("cannot create the recordings folder “%s”: %s"), dir, g_strerror (saved));
          return FALSE;
        }
      sonde_session_set_recordings_dir (run->session, dir);
      /* `record` is asked for by name: a profile whose Record switch is
       * off (for the window) records all the same. */
      if (sonde_session_get_profile (run->session) != NULL)
        {
          SondeProfile *profile = sonde_session_get_profile (run->session);
          g_autofree char *path = sonde_recordings_path (dir, sonde_profile_get_id (profile));

          sonde_session_set_recording_path (run->session, path);
        }
    }

  return TRUE;
}

static gboolean
on_flush_timeout (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* The connection has ended (or the run gave up on it): ends it for good
 * and lets the main loop run until the recording is on disk. */
void
sonde_cli_record_finish (ConnectRun *run)
{
  gboolean expired = FALSE;
  guint timeout_id;

  if (run->session == NULL)
    return;
  g_signal_handlers_disconnect_by_func (run->session, on_recording_stopped, run);
  if (!sonde_session_get_recording (run->session))
    return;
  /* While it flushes: a recording into a database server that never
   * answered says at its end how much it could not write. */
  g_signal_connect (run->session, "recording-stopped", G_CALLBACK (on_recording_stopped), run);

  /* A close that did not complete in time: stop waiting for it. */
  sonde_session_disconnect (run->session);

  timeout_id = g_timeout_add (FLUSH_TIMEOUT_MS, on_flush_timeout, &expired);
  while (sonde_session_get_recording (run->session) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    sonde_cli_say (_("the recording did not finish writing within %d s: its last messages may be missing"),
                   FLUSH_TIMEOUT_MS / 1000);
  else
    g_source_remove (timeout_id);
  g_signal_handlers_disconnect_by_func (run->session, on_recording_stopped, run);
}

int
sonde_cli_record (int    argc,
                  char **argv)
{
  return sonde_cli_connect_command (argc, argv, TRUE);
}
