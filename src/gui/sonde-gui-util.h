/* sonde-gui-util.h: small helpers several widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-connection-state.h"

G_BEGIN_DECLS

void sonde_gui_name_drop_down (GtkDropDown          *drop_down,
                               const char           *name);

void sonde_state_describe     (SondeConnectionState  state,
                               const char          **label,
                               const char          **icon,
                               const char          **css_class);
void sonde_state_set_css_class (GtkWidget           *widget,
                                SondeConnectionState  state);

G_END_DECLS
