/* sonde-style-scheme.h: source views that follow the light or dark style
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

void sonde_style_scheme_follow (GtkSourceBuffer *buffer);

G_END_DECLS
