/* sonde-test-app.c: reading a protocol mode's views back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-test-app.h"
#include "sonde-test-util.h"

guint
sonde_test_app_count (SondeSession   *session,
                      SondeDirection  direction,
                      const char     *label,
                      gboolean        automatic)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;
      const char *found;
      gboolean upkeep;

      if (!sonde_message_log_get_record (log, i, &record) || record.direction != direction ||
          (record.kind != SONDE_MESSAGE_KIND_TEXT && record.kind != SONDE_MESSAGE_KIND_BINARY))
        continue;
      if (automatic && (record.flags & SONDE_RECORD_FLAG_AUTOMATIC) == 0)
        continue;
      found = sonde_record_views_get_label (views, &record, &upkeep);
      if (label == NULL || g_strcmp0 (found, label) == 0)
        n++;
    }
  return n;
}

guint
sonde_test_app_count_events (SondeSession     *session,
                             SondeMessageKind  kind)
{
  return sonde_test_count_records (sonde_session_get_connection (session), SONDE_DIRECTION_EVENT, kind);
}

GPtrArray *
sonde_test_app_describe (SondeSession   *session,
                         SondeDirection  direction,
                         guint64         from_seq)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record, view;
      const char *error_message = NULL;
      const char *label;
      gboolean upkeep = FALSE;

      if (!sonde_message_log_get_record (log, i, &record) || record.direction != direction || record.seq < from_seq ||
          (record.kind != SONDE_MESSAGE_KIND_TEXT && record.kind != SONDE_MESSAGE_KIND_BINARY))
        continue;
      label = sonde_record_views_get_label (views, &record, &upkeep);
      {
        g_autofree char *label_copy = g_strdup (label);

        switch (sonde_record_views_get (views, &record, &view, &error_message))
          {
          case SONDE_RECORD_VIEW_DECODED:
            g_ptr_array_add (lines, g_strdup_printf ("decoded %s%s %.*s", label_copy,
                                                     upkeep ? " upkeep" : "", (int) view.stored_size,
                                                     (const char *) view.data));
            break;
          case SONDE_RECORD_VIEW_FAILED:
            g_ptr_array_add (lines, g_strdup_printf ("failed %s", error_message));
            break;
          case SONDE_RECORD_VIEW_RAW:
          default:
            g_ptr_array_add (lines, g_strdup ("raw"));
            break;
          }
      }
      g_test_message ("%s", (const char *) g_ptr_array_index (lines, lines->len - 1));
    }
  return lines;
}

gboolean
sonde_test_app_has_error (SondeSession *session,
                          const char   *text)
{
  SondeMessageLog *log = sonde_session_get_log (session);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_EVENT &&
          record.kind == SONDE_MESSAGE_KIND_ERROR &&
          g_strstr_len ((const char *) record.data, (gssize) record.stored_size, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
sonde_test_app_run_cli (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, (gpointer) g_getenv ("SONDE_CLI"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("sonde-cli failed: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (result, g_strdup (lines[i]));
  return result;
}
