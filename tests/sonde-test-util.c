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
