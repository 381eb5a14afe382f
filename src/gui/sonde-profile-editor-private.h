/* sonde-profile-editor-private.h: what the profile editor's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-profile-editor.c holds the window (checking, problems, saving, the
 * secret); sonde-profile-editor-page.c builds the page's rows;
 * sonde-profile-editor-draft.c fills the rows from the draft and the draft
 * from the rows.
 */
#pragma once

#include <adwaita.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-decode-editor.h"
#include "sonde-integrity-editor.h"
#include "sonde-profile-editor.h"

G_BEGIN_DECLS

typedef struct {
  GtkWidget   *box;
  GtkEditable *name;             /* templates only */
  GtkDropDown *format;
  GtkTextView *body;
} MessageRow;

struct _SondeProfileEditor
{
  AdwWindow            parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  GtkButton           *cancel_button;
  GtkButton           *save_button;
  GtkRevealer         *problems_revealer;
  GtkLabel            *problems_label;
  AdwPreferencesPage  *page;

  /* made in init, borrowed */
  GHashTable          *fields;       /* field name → widget */
  GtkBox              *on_open_box;
  GtkBox              *templates_box;
  AdwComboRow         *auth_kind;
  AdwComboRow         *tls_policy;
  SondeDecodeEditor   *decode;
  SondeAppProtocolEditor *app;
  SondeIntegrityEditor *integrity;

  /* owned */
  SondeProfileStore   *store;
  SondeSecrets        *secrets;
  SondeProfile        *original;
  SondeProfile        *draft;
  GPtrArray           *problems;     /* SondeProblem* */
  GPtrArray           *on_open_rows; /* MessageRow* */
  GPtrArray           *template_rows;
  GCancellable        *cancellable;

  gboolean             loading;      /* filling widgets: no draft updates */
  gboolean             secret_known; /* the keyring said whether there is one */
  gboolean             storing;      /* Save waits for the keyring */
  gboolean             close_when_saved;
  gboolean             untouched;    /* a new profile not typed into yet: no red */
};

/* sonde-profile-editor.c */
/* Every row calls it when its value changes: the draft is stored and
 * checked again. */
void        sonde_profile_editor_on_changed      (SondeProfileEditor *self);

/* sonde-profile-editor-page.c */
void        sonde_profile_editor_build_page      (SondeProfileEditor *self);
/* A row of a message list (on open, templates) for @message (NULL: an
 * empty one), appended to @container and @rows. */
MessageRow *sonde_profile_editor_add_message_row (SondeProfileEditor        *self,
                                                  GtkBox                    *container,
                                                  GPtrArray                 *rows,
                                                  gboolean                   with_name,
                                                  const SondeProfileMessage *message);
void        sonde_profile_editor_message_row_free (gpointer data);
char       *sonde_profile_editor_text_view_dup_text (GtkTextView *view);

/* sonde-profile-editor-draft.c */
/* The widget registered as @name. */
GtkWidget  *sonde_profile_editor_field           (SondeProfileEditor *self,
                                                  const char         *name);
void        sonde_profile_editor_load_draft      (SondeProfileEditor *self);
void        sonde_profile_editor_store_draft     (SondeProfileEditor *self);

G_END_DECLS
