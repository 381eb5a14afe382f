/* sonde-sidebar.h: saved profiles and open connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-profile-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_SIDEBAR (sonde_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (SondeSidebar, sonde_sidebar, SONDE, SIDEBAR, GtkWidget)

GtkWidget  *sonde_sidebar_new              (SondeProfileStore *store,
                                            AdwTabView        *tab_view);
void        sonde_sidebar_focus_search     (SondeSidebar      *self);
GListModel *sonde_sidebar_get_shown_profiles (SondeSidebar    *self);
SondeProfile *sonde_sidebar_get_selected_profile (SondeSidebar *self);
void        sonde_sidebar_refresh          (SondeSidebar      *self);

G_END_DECLS
