/* sonde-composer.h: writing and sending messages on one connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-connection.h"
#include "sonde-session.h"
#include "sonde-profile.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_COMPOSER_MODE_TEXT,
  SONDE_COMPOSER_MODE_JSON,
  SONDE_COMPOSER_MODE_BINARY,
  SONDE_COMPOSER_MODE_ACTION,   /* one of the session's protocol mode's actions (Emit, Subscribe…) */
} SondeComposerMode;

#define SONDE_TYPE_COMPOSER (sonde_composer_get_type ())
G_DECLARE_FINAL_TYPE (SondeComposer, sonde_composer, SONDE, COMPOSER, GtkWidget)

GtkWidget         *sonde_composer_new           (SondeConnection   *connection);
/* The session whose protocol mode's actions the Action mode performs
 * (shown only while the session speaks one). */
void               sonde_composer_set_session   (SondeComposer     *self,
                                                 SondeSession      *session);
SondeComposerMode  sonde_composer_get_mode      (SondeComposer     *self);
void               sonde_composer_set_mode      (SondeComposer     *self,
                                                 SondeComposerMode  mode);
char              *sonde_composer_dup_text      (SondeComposer     *self);
void               sonde_composer_set_text      (SondeComposer     *self,
                                                 const char        *text);
const char        *sonde_composer_get_problem   (SondeComposer     *self);
gboolean           sonde_composer_get_can_send  (SondeComposer     *self);
gboolean           sonde_composer_send          (SondeComposer     *self,
                                                 GError           **error);
void               sonde_composer_focus         (SondeComposer     *self);
gboolean           sonde_composer_history_previous (SondeComposer  *self);
gboolean           sonde_composer_history_next  (SondeComposer     *self);
void               sonde_composer_set_templates (SondeComposer     *self,
                                                 GPtrArray         *templates);
gboolean           sonde_composer_insert_template (SondeComposer   *self,
                                                   guint            index);

G_END_DECLS
