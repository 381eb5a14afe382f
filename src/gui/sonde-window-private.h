/* sonde-window-private.h: what the window's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-adhoc-options.h"
#include "sonde-profile-store.h"
#include "sonde-secrets.h"
#include "sonde-window.h"

G_BEGIN_DECLS

struct _SondeWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  GtkEntry             *url_entry;
  GtkButton            *connect_button;
  GtkToggleButton      *sidebar_button;
  AdwFlap              *flap;
  GtkBox               *sidebar_box;
  AdwTabBar            *tab_bar;
  AdwTabView           *tab_view;

  /* made in init */
  GtkWidget            *sidebar;
  GtkMenuButton        *options_button;   /* sonde-window-adhoc.c */
  SondeAdhocOptions    *adhoc_options;

  gboolean              close_confirmed;  /* closing without asking */
  gboolean              close_unsaved;    /* closing though the profiles could not be saved */
  gboolean              in_background;    /* hidden, the application held */

  /* owned by its toast */
  gpointer              last_deletion;

  /* borrowed */
  SondeConnectionPage  *current;
  SondeProfileStore    *store;
  SondeSecrets         *secrets;
  GSettings            *settings;
};

/* sonde-window-profiles.c */
void                 sonde_window_profiles_class_init (GtkWidgetClass *widget_class);
void                 sonde_window_show_toast          (SondeWindow    *self,
                                                       const char     *text);

/* sonde-window-adhoc.c */
void                 sonde_window_adhoc_init          (SondeWindow    *self);
void                 sonde_window_adhoc_sync          (SondeWindow    *self);
void                 sonde_window_adhoc_new_session   (SondeWindow    *self,
                                                       SondeSession   *session);

/* sonde-window.c */
gboolean             sonde_window_save_state          (SondeWindow    *self);

/* sonde-window-background.c */
void                 sonde_window_background_init     (SondeWindow    *self);
gboolean             sonde_window_background_close_request (SondeWindow *self);
void                 sonde_window_on_page_alert       (SondeConnectionPage *page,
                                                       const char     *title,
                                                       const char     *body,
                                                       guint64         seq,
                                                       SondeWindow    *self);

/* sonde-window-page-actions.c */
void                 sonde_window_page_actions_class_init (GtkWidgetClass *widget_class);
void                 sonde_window_page_actions_init   (SondeWindow    *self);
void                 sonde_window_page_actions_update (SondeWindow    *self);

/* sonde-window-history.c */
void                 sonde_window_history_class_init  (GtkWidgetClass *widget_class);

/* sonde-window-export.c */
void                 sonde_window_export_log          (SondeWindow    *self);

G_END_DECLS
