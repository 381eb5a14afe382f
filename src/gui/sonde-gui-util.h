/* sonde-gui-util.h: small fixes for GTK 4.8 that several widgets need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void sonde_gui_name_drop_down (GtkDropDown *drop_down,
                               const char  *name);

G_END_DECLS
