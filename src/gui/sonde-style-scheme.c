/* sonde-style-scheme.c: source views that follow the light or dark style
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkSourceView 5.6 draws its own background from its style scheme, and the
 * default scheme ("classic") stays light in dark mode: buffers switch
 * between "Adwaita" and "Adwaita-dark" with libadwaita's style manager.
 */

#define G_LOG_DOMAIN "sonde-style-scheme"

#include "config.h"

#include <adwaita.h>

#include "sonde-style-scheme.h"

static void
apply (GtkSourceBuffer *buffer)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);

  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
}

/* Keeps @buffer's style scheme in step with the application's light or
 * dark style for as long as the buffer lives. */
void
sonde_style_scheme_follow (GtkSourceBuffer *buffer)
{
  g_return_if_fail (GTK_SOURCE_IS_BUFFER (buffer));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (apply), buffer, G_CONNECT_SWAPPED);
  apply (buffer);
}
