/* sonde-cli-app.c: `connect --app-protocol`: a protocol mode on the command
 * line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session speaks the mode; the command line gives its subscriptions
 * (--subscribe, sent again after every reconnect), its one-shot actions
 * once the connection is open (--call, --emit, --invoke) and reads each
 * message's view from the session's log: lines carry "decoded" (or
 * "decode_error"), "label" and "upkeep"; --where, --extract and --count
 * see data only, never the protocol's upkeep.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-cli-connect-private.h"
#include "sonde-json-format.h"

gboolean
sonde_cli_app_check_options (ConnectRun  *run,
                             GError     **error)
{
  run->app_kind = SONDE_APP_PROTOCOL_NONE;
  if (run->app_protocol != NULL &&
      !sonde_app_protocol_kind_from_string (run->app_protocol, &run->app_kind, error))
    {
      g_prefix_error (error, "--app-protocol: ");
      return FALSE;
    }
  if (!sonde_app_protocol_kind_is_spoken (run->app_kind))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--app-protocol: the %s mode is not built yet"),
                   sonde_app_protocol_kind_to_string (run->app_kind));
      return FALSE;
    }
  if (run->app_kind == SONDE_APP_PROTOCOL_NONE &&
      (run->subscribe != NULL || run->calls != NULL || run->emits != NULL || run->invokes != NULL ||
       run->nsp != NULL || run->auth != NULL || run->mqtt_version != 0))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--subscribe, --call, --emit, --invoke, --namespace, --auth and --mqtt-version go "
                             "with --app-protocol"));
      return FALSE;
    }
  if (run->mqtt_version != 0 && run->mqtt_version != 4 && run->mqtt_version != 5 && run->mqtt_version != 3)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--mqtt-version: give 3 (that is 3.1.1) or 5"));
      return FALSE;
    }
  if (run->auth != NULL)
    {
      g_autoptr(GError) json_error = NULL;
      guint line = 0, column = 0;

      if (!sonde_json_validate (run->auth, -1, &line, &column, &json_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--auth: not JSON: %s (line %u, column %u)"),
                       json_error->message, line, column);
          return FALSE;
        }
    }
  return TRUE;
}

/* Once the session exists, before it connects. */
void
sonde_cli_app_start (ConnectRun *run)
{
  g_autoptr(SondeAppProtocolOptions) options = NULL;

  if (run->app_kind == SONDE_APP_PROTOCOL_NONE)
    return;
  options = sonde_app_protocol_options_new ();
  options->subscriptions = g_strdupv (run->subscribe);
  options->nsp = g_strdup (run->nsp);
  options->auth = g_strdup (run->auth);
  options->mqtt_version = run->mqtt_version == 3 ? 4 : (guint) run->mqtt_version;
  /* A profile's session applies the profile's mode at each connect: the
   * command line's goes into it. */
  if (sonde_session_get_profile (run->session) != NULL)
    sonde_profile_set_app_protocol (sonde_session_get_profile (run->session), run->app_kind, options);
  else
    sonde_session_set_app_protocol (run->session, run->app_kind, options);
}

static void
act_all (ConnectRun  *run,
         const char  *action,
         char       **arguments)
{
  for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_session_app_act (run->session, action, arguments[i], &error))
        {
          g_printerr ("%s: --%s: %s\n", g_get_prgname (), action, error->message);
          run->exit_status = 2;
          sonde_cli_close_at_end (run, 1000);
          return;
        }
    }
}

static gboolean
on_actions (gpointer data)
{
  ConnectRun *run = data;

  run->actions_idle = 0;
  act_all (run, "call", run->calls);
  act_all (run, "emit", run->emits);
  act_all (run, "invoke", run->invokes);
  return G_SOURCE_REMOVE;
}

/* The connection opened: the one-shot actions go after the mode's
 * handshake (which the session sends from an idle of higher priority). */
void
sonde_cli_app_opened (ConnectRun *run)
{
  if (run->app_kind == SONDE_APP_PROTOCOL_NONE || run->actions_idle != 0 || run->opened)
    return;
  run->actions_idle = g_idle_add (on_actions, run);
}

gboolean
sonde_cli_app_view (ConnectRun        *run,
                    const SondeRecord *record)
{
  SondeRecordViews *views;
  SondeRecord view;
  const char *why = NULL;
  const char *label;

  g_clear_pointer (&run->label, g_free);
  run->upkeep = FALSE;
  if (run->app_kind == SONDE_APP_PROTOCOL_NONE)
    return FALSE;

  sonde_cli_clear_decoded (run);
  views = sonde_message_log_get_views (sonde_connection_get_log (run->connection));
  switch (sonde_record_views_get (views, record, &view, &why))
    {
    case SONDE_RECORD_VIEW_DECODED:
      if (run->decoded == NULL)
        run->decoded = g_string_new (NULL);
      g_string_truncate (run->decoded, 0);
      g_string_append_len (run->decoded, (const char *) view.data, (gssize) view.stored_size);
      run->decode_done = TRUE;
      break;
    case SONDE_RECORD_VIEW_FAILED:
      run->decode_done = TRUE;
      run->decode_error = g_strdup (why);
      break;
    case SONDE_RECORD_VIEW_RAW:
    default:
      return TRUE;
    }
  label = sonde_record_views_get_label (views, record, &run->upkeep);
  run->label = g_strdup (label);
  return TRUE;
}

void
sonde_cli_app_clear (ConnectRun *run)
{
  g_clear_handle_id (&run->actions_idle, g_source_remove);
  g_clear_pointer (&run->label, g_free);
  g_clear_pointer (&run->app_protocol, g_free);
  g_clear_pointer (&run->subscribe, g_strfreev);
  g_clear_pointer (&run->calls, g_strfreev);
  g_clear_pointer (&run->emits, g_strfreev);
  g_clear_pointer (&run->invokes, g_strfreev);
  g_clear_pointer (&run->nsp, g_free);
  g_clear_pointer (&run->auth, g_free);
}
