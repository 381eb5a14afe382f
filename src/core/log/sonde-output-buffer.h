/* sonde-output-buffer.h: text gathered in a buffer, written out in large pieces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean sonde_output_buffer_flush (GOutputStream  *stream,
                                    GString        *buffer,
                                    gsize           threshold,
                                    GCancellable   *cancellable,
                                    GError        **error);

G_END_DECLS
