/* sonde-composer-protocol.c: the composer's Action mode: a protocol
 * mode's own actions (Emit, Subscribe, Call, Publish…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While the session speaks an application protocol, an Action toggle joins
 * Text, JSON and Binary, with a list of the mode's actions beside it. In
 * Action mode the action's form (sonde-action-form.c) takes the editor's
 * place: its fields are checked as they are typed, the first problem keeps
 * Send off (the composer's "problem"), and Send performs the action
 * (sonde_session_app_act_full()). The form keeps its fields after a send,
 * so the same action goes again with one click; the editor's text and its
 * history wait until another mode is chosen.
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-composer-private.h"

static gboolean
is_action_mode (SondeComposer *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->action_mode)) &&
         gtk_toggle_button_get_active (self->action_mode);
}

static void
sync_visible (SondeComposer *self)
{
  gboolean action = is_action_mode (self);

  gtk_widget_set_visible (GTK_WIDGET (self->action_drop), action);
  gtk_widget_set_visible (GTK_WIDGET (self->form), action);
  gtk_widget_set_visible (GTK_WIDGET (self->scrolled), !action);
}

static void
sync_actions (SondeComposer *self)
{
  SondeAppProtocolKind kind = self->session != NULL ? sonde_session_get_app_protocol (self->session)
                                                    : SONDE_APP_PROTOCOL_NONE;

  sonde_action_form_set_kind (self->form, kind);
  gtk_drop_down_set_selected (self->action_drop, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->action_mode), kind != SONDE_APP_PROTOCOL_NONE);
  if (kind == SONDE_APP_PROTOCOL_NONE && gtk_toggle_button_get_active (self->action_mode))
    gtk_toggle_button_set_active (self->text_mode, TRUE);
  sync_visible (self);
}

static void
on_action_selected (SondeComposer *self)
{
  sonde_action_form_set_selected (self->form, gtk_drop_down_get_selected (self->action_drop));
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
  sync_actions (self);
}

gboolean
sonde_composer_protocol_send (SondeComposer  *self,
                              GError        **error)
{
  if (self->session == NULL || sonde_session_get_app_protocol (self->session) == SONDE_APP_PROTOCOL_NONE)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Not sent: this connection speaks no application protocol"));
      return FALSE;
    }
  return sonde_action_form_perform (self->form, self->session, error);
}

/* From the composer's init, once its template is built. */
void
sonde_composer_protocol_init (SondeComposer *self)
{
  gtk_drop_down_set_model (self->action_drop, sonde_action_form_get_titles (self->form));
  g_signal_connect_object (self->action_drop, "notify::selected", G_CALLBACK (on_action_selected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->action_mode, "toggled", G_CALLBACK (sync_visible), self, G_CONNECT_SWAPPED);
  sync_visible (self);
}

void
sonde_composer_protocol_dispose (SondeComposer *self)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
}
