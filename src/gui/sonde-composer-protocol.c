/* sonde-composer-protocol.c: the composer's Action mode: a protocol
 * mode's own actions (Emit, Subscribe, Call, Publish…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While the session speaks an application protocol, an Action toggle joins
 * Text, JSON and Binary, with a list of the mode's actions beside it; the
 * editor holds the action's argument ("tick {\"sym\":\"BTC\"}", a topic, a
 * GraphQL document), and Send performs it (sonde_session_app_act()): what
 * is wrong with the argument shows under the editor, as for JSON.
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-composer-private.h"

typedef struct {
  const char *name;     /* the mode's action */
  const char *title;    /* translatable */
} Action;

static const Action socket_io_actions[] = { { "emit", N_("Emit") }, { NULL, NULL } };
static const Action graphql_actions[] = { { "subscribe", N_("Subscribe") }, { "complete", N_("Complete") },
                                          { NULL, NULL } };
static const Action stomp_actions[] = { { "subscribe", N_("Subscribe") }, { "unsubscribe", N_("Unsubscribe") },
                                        { "send", N_("Send") }, { NULL, NULL } };
static const Action mqtt_actions[] = { { "subscribe", N_("Subscribe") }, { "publish", N_("Publish") },
                                       { NULL, NULL } };
static const Action json_rpc_actions[] = { { "call", N_("Call") }, { NULL, NULL } };
static const Action signalr_actions[] = { { "invoke", N_("Invoke") }, { NULL, NULL } };

static const Action *
actions_of (SondeAppProtocolKind kind)
{
  switch (kind)
    {
    case SONDE_APP_PROTOCOL_SOCKET_IO:
      return socket_io_actions;
    case SONDE_APP_PROTOCOL_GRAPHQL:
      return graphql_actions;
    case SONDE_APP_PROTOCOL_STOMP:
      return stomp_actions;
    case SONDE_APP_PROTOCOL_MQTT:
      return mqtt_actions;
    case SONDE_APP_PROTOCOL_JSON_RPC:
      return json_rpc_actions;
    case SONDE_APP_PROTOCOL_SIGNALR:
      return signalr_actions;
    case SONDE_APP_PROTOCOL_NONE:
    default:
      return NULL;
    }
}

static void
sync_actions (SondeComposer *self)
{
  const Action *actions = self->session != NULL ? actions_of (sonde_session_get_app_protocol (self->session)) : NULL;
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  for (guint i = 0; actions != NULL && actions[i].name != NULL; i++)
    gtk_string_list_append (titles, _(actions[i].title));
  gtk_drop_down_set_model (self->action_drop, G_LIST_MODEL (titles));
  gtk_widget_set_visible (GTK_WIDGET (self->action_mode), actions != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->action_drop), actions != NULL &&
                                                          gtk_toggle_button_get_active (self->action_mode));
  if (actions == NULL && gtk_toggle_button_get_active (self->action_mode))
    gtk_toggle_button_set_active (self->text_mode, TRUE);
}

static void
on_action_mode_toggled (SondeComposer *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->action_drop), gtk_widget_get_visible (GTK_WIDGET (self->action_mode)) &&
                                                          gtk_toggle_button_get_active (self->action_mode));
}

void
sonde_composer_set_session (SondeComposer *self,
                            SondeSession  *session)
{
  g_return_if_fail (SONDE_IS_COMPOSER (self));
  g_return_if_fail (session == NULL || SONDE_IS_SESSION (session));

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::app-protocol", G_CALLBACK (sync_actions), self, G_CONNECT_SWAPPED);
  g_signal_handlers_disconnect_by_func (self->action_mode, on_action_mode_toggled, self);
  g_signal_connect_object (self->action_mode, "toggled", G_CALLBACK (on_action_mode_toggled), self,
                           G_CONNECT_SWAPPED);
  sync_actions (self);
}

gboolean
sonde_composer_protocol_send (SondeComposer  *self,
                              const char     *argument,
                              GError        **error)
{
  const Action *actions = self->session != NULL ? actions_of (sonde_session_get_app_protocol (self->session)) : NULL;
  guint selected = gtk_drop_down_get_selected (self->action_drop);
  guint n = 0;

  while (actions != NULL && actions[n].name != NULL)
    n++;
  if (actions == NULL || selected >= n)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Not sent: this connection speaks no application protocol"));
      return FALSE;
    }
  return sonde_session_app_act (self->session, actions[selected].name, argument, error);
}

void
sonde_composer_protocol_dispose (SondeComposer *self)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
}
