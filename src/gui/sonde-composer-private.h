/* sonde-composer-private.h: what the composer's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "sonde-action-form.h"
#include "sonde-composer.h"

G_BEGIN_DECLS

typedef struct {
  SondeComposerMode  mode;
  char              *text;
} HistoryEntry;

struct _SondeComposer
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkToggleButton   *text_mode;
  GtkToggleButton   *json_mode;
  GtkToggleButton   *binary_mode;
  GtkToggleButton   *action_mode;
  GtkDropDown       *action_drop;
  SondeActionForm   *form;          /* the action's fields, in place of the editor in Action mode */
  GtkScrolledWindow *scrolled;
  GtkSourceView     *editor;
  GtkLabel          *error_label;
  GtkButton         *send_button;
  GtkMenuButton     *templates_button;

  /* owned */
  SondeConnection   *connection;
  GtkTextTag        *error_tag;
  char              *problem;
  GPtrArray         *history;       /* HistoryEntry*, oldest first (sonde-composer-history.c) */
  HistoryEntry      *draft;         /* what was typed before recalling */
  GPtrArray         *templates;     /* SondeProfileMessage*, from the profile */
  SondeSession      *session;       /* whose protocol mode's actions Action performs; NULL: none */

  int                history_pos;   /* -1: the draft; else an index */
  gboolean           recalling;
  gboolean           empty;         /* as update_send_button() last saw it */
};

/* sonde-composer-protocol.c */
gboolean sonde_composer_protocol_send         (SondeComposer  *self,
                                               GError        **error);
void     sonde_composer_protocol_init         (SondeComposer  *self);
void     sonde_composer_protocol_dispose      (SondeComposer  *self);

/* sonde-composer.c */
gboolean sonde_composer_is_open               (SondeComposer  *self);

/* sonde-composer-history.c: sent messages, recalled with Up and Down */
void     sonde_composer_history_entry_free    (gpointer        data);
void     sonde_composer_history_add           (SondeComposer  *self,
                                               const char     *text);
gboolean sonde_composer_history_handle_key    (SondeComposer  *self,
                                               guint           keyval);

/* sonde-composer-control.c: the Control Frames menu's dialogs */
void     sonde_composer_control_class_init    (GtkWidgetClass *widget_class);

G_END_DECLS
