/* sonde-action-form.h: the fields of one of a protocol mode's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-app-protocol.h"
#include "sonde-session.h"

G_BEGIN_DECLS

#define SONDE_TYPE_ACTION_FORM (sonde_action_form_get_type ())
G_DECLARE_FINAL_TYPE (SondeActionForm, sonde_action_form, SONDE, ACTION_FORM, GtkWidget)

GtkWidget            *sonde_action_form_new           (void);
/* The protocol whose actions the form offers; NONE: none. */
void                  sonde_action_form_set_kind      (SondeActionForm      *self,
                                                       SondeAppProtocolKind  kind);
/* The titles of the kind's actions ("Emit", "Subscribe"…), translated, in
 * the order sonde_action_form_set_selected() counts them (borrowed). */
GListModel           *sonde_action_form_get_titles    (SondeActionForm      *self);
void                  sonde_action_form_set_selected  (SondeActionForm      *self,
                                                       guint                 index);
/* The selected action's name ("emit", "publish"…), or NULL. */
const char           *sonde_action_form_get_action    (SondeActionForm      *self);
/* Why the action cannot be performed as the fields stand (a field left
 * empty, JSON that does not parse, a header that is not name:value), or
 * NULL. Property "problem". */
const char           *sonde_action_form_get_problem   (SondeActionForm      *self);
/* Fills a field by its accessible name's key: "target", "operation",
 * "headers", "body", "variables" (for tests and recalled actions). */
void                  sonde_action_form_set_field     (SondeActionForm      *self,
                                                       const char           *field,
                                                       const char           *text);
void                  sonde_action_form_set_qos       (SondeActionForm      *self,
                                                       guint                 qos);
void                  sonde_action_form_set_retain    (SondeActionForm      *self,
                                                       gboolean              retain);
void                  sonde_action_form_set_ack       (SondeActionForm      *self,
                                                       gboolean              ack);
/* Performs the action with the fields (sonde_session_app_act_full()). */
gboolean              sonde_action_form_perform       (SondeActionForm      *self,
                                                       SondeSession         *session,
                                                       GError              **error);
void                  sonde_action_form_focus         (SondeActionForm      *self);

G_END_DECLS
