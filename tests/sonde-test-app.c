/* sonde-test-app.c: what the tests of the protocol modes share: reading a
 * mode's views back, their peers and sessions, sonde-cli's output
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

SondeTestAppCount
sonde_test_app_count_labelled (SondeSession   *session,
                               SondeDirection  direction,
                               const char     *label)
{
  SondeMessageLog *log = sonde_session_get_log (session);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  SondeTestAppCount count = { 0, 0, 0, 0, 0 };

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;
      gboolean upkeep = FALSE;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != direction || record.kind != SONDE_MESSAGE_KIND_TEXT ||
          g_strcmp0 (sonde_record_views_get_label (views, &record, &upkeep), label) != 0)
        continue;
      if (count.n++ == 0)
        count.first_seq = record.seq;
      count.n_upkeep += upkeep ? 1 : 0;
      count.n_auto += (record.flags & SONDE_RECORD_FLAG_AUTOMATIC) ? 1 : 0;
      count.last_seq = record.seq;
    }
  return count;
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

SondeTestPeer *
sonde_test_app_start_peer (const char         *script,
                           guint16             port,
                           const char * const *args)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  SondeTestPeer *peer;

  if (port != 0)
    {
      g_ptr_array_add (argv, (gpointer) "--port");
      g_ptr_array_add (argv, port_text);
    }
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  peer = sonde_test_peer_start_kind_script (SONDE_TEST_PEER_NODE, script, (const char * const *) argv->pdata, &error);
  if (peer == NULL)
    g_test_skip (error->message);
  return peer;
}

void
sonde_test_app_stop_peer (SondeTestPeer *peer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_test_peer_stop (peer, &error));
  g_assert_no_error (error);
  sonde_test_peer_free (peer);
}

void
sonde_test_app_drop_peer (SondeTestPeer **peer,
                          SondeSession   *session)
{
  sonde_test_app_stop_peer (g_steal_pointer (peer));
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) != SONDE_CONNECTION_STATE_OPEN, SONDE_TEST_APP_WAIT_MS);
}

char *
sonde_test_app_read_line (SondeTestPeer *peer,
                          const char    *prefix)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = sonde_test_peer_read_line (peer, SONDE_TEST_APP_WAIT_MS, &error);

      g_assert_no_error (error);
      if (g_str_has_prefix (line, prefix))
        return g_steal_pointer (&line);
    }
}

void
sonde_test_app_connect (SondeSession  *session,
                        SondeTestPeer *peer,
                        const char    *path)
{
  g_autofree char *url = sonde_test_peer_dup_url (peer, path);
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_session_connect_url (session, url, &error));
  g_assert_no_error (error);
}

static struct {
  char          *script;
  SondeTestPeer *peer;
  char          *error;
} shared;

void
sonde_test_app_share_peer (const char         *script,
                           const char * const *args)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (shared.script);
  shared.script = g_strdup (script);
  shared.peer = sonde_test_peer_start_kind_script (SONDE_TEST_PEER_NODE, script, args, &error);
  if (shared.peer == NULL)
    shared.error = g_strdup (error->message);
}

SondeTestPeer *
sonde_test_app_get_peer (void)
{
  if (shared.peer == NULL)
    g_test_skip (shared.error != NULL ? shared.error : "no shared peer");
  return shared.peer;
}

void
sonde_test_app_restart_peer (SondeSession       *session,
                             const char * const *args)
{
  guint16 port;

  g_assert_nonnull (shared.peer);
  port = sonde_test_peer_get_port (shared.peer);
  sonde_test_app_drop_peer (&shared.peer, session);
  shared.peer = sonde_test_app_start_peer (shared.script, port, args);
  g_assert_nonnull (shared.peer);
}

int
sonde_test_app_run (void)
{
  g_autoptr(GError) error = NULL;
  int status = g_test_run ();

  if (shared.peer != NULL && !sonde_test_peer_stop (shared.peer, &error))
    g_printerr ("%s\n", error->message);
  g_clear_pointer (&shared.peer, sonde_test_peer_free);
  g_clear_pointer (&shared.script, g_free);
  g_clear_pointer (&shared.error, g_free);
  return status;
}

void
sonde_test_app_assert_prices (GPtrArray  *lines,
                              const char *path,
                              gboolean    from_first)
{
  double last = 0;

  g_assert_cmpuint (lines->len, ==, 5);
  for (guint i = 0; i < lines->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *values;
      double price;

      g_assert_true (json_parser_load_from_data (parser, lines->pdata[i], -1, &error));
      g_assert_no_error (error);
      values = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "values");
      g_assert_nonnull (values);
      price = json_object_get_double_member (values, path);
      if (from_first)
        g_assert_cmpfloat_with_epsilon (price, 100.25 + 1.5 * i, 1e-9);
      g_assert_cmpfloat (price, >=, 100.25);
      if (i > 0)
        g_assert_cmpfloat_with_epsilon (price - last, 1.5, 1e-9);
      last = price;
    }
}

void
sonde_test_app_assert_cli_prices (SondeTestPeer *peer,
                                  const char    *path,
                                  const char    *mode,
                                  const char    *subscription,
                                  const char    *extract,
                                  gboolean       from_first)
{
  g_autofree char *url = sonde_test_peer_dup_url (peer, path);
  const char *args[] = { "connect", url, "--app-protocol", mode, "--subscribe", subscription, "--extract",
                         extract, "--count", "5", "--timeout", "20", NULL };
  g_autoptr(GPtrArray) lines = sonde_test_app_run_cli (args);

  sonde_test_app_assert_prices (lines, extract, from_first);
}

void
sonde_test_app_assert_ticks (SondeSeries *series,
                             guint        n)
{
  double first, second;

  SONDE_TEST_ASSERT_WAIT (sonde_series_get_n_points (series) >= n, SONDE_TEST_APP_WAIT_MS);
  g_assert_true (sonde_series_get_point (series, 0, NULL, &first));
  g_assert_true (sonde_series_get_point (series, 1, NULL, &second));
  g_assert_cmpfloat_with_epsilon (second - first, 1.5, 1e-9);
  g_assert_cmpfloat (first, >=, 100.25);
}
