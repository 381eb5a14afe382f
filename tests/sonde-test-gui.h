/* sonde-test-gui.h: what the tests with a window need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean sonde_test_is_mapped       (gpointer    widget);
/* With SONDE_SCREENSHOT_DIR set: saves what @widget shows as @name.png. */
void     sonde_test_save_screenshot (GtkWidget  *widget,
                                     const char *name);

G_END_DECLS
