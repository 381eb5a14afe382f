/* sonde-gui-util.h: small helpers several widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-connection-state.h"
#include "sonde-profile.h"
#include "sonde-secrets.h"

G_BEGIN_DECLS

void sonde_gui_name_drop_down (GtkDropDown          *drop_down,
                               const char           *name);
void sonde_gui_name_password_row (AdwPasswordEntryRow *row);

void sonde_state_describe     (SondeConnectionState  state,
                               const char          **label,
                               const char          **icon,
                               const char          **css_class);
void sonde_state_set_css_class (GtkWidget           *widget,
                                SondeConnectionState  state);

void sonde_gui_show_failure   (GtkWidget            *widget,
                               const char           *text);
void sonde_gui_store_secret   (SondeSecrets         *secrets,
                               SondeProfile         *profile,
                               const char           *label,
                               const char           *secret,
                               GtkWidget            *report_to);
void sonde_gui_clear_secret   (SondeSecrets         *secrets,
                               SondeProfile         *profile,
                               GtkWidget            *report_to);

G_END_DECLS
