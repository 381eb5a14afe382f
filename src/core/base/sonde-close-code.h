/* sonde-close-code.h: WebSocket close codes and what they mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* libsoup reports 0 when a connection ended without a Close frame; Sonde
 * reports that as 1006, as browsers do. */
#define SONDE_CLOSE_ABNORMAL 1006
#define SONDE_CLOSE_REASON_MAX 123

const char *sonde_close_code_describe        (guint        code);
gboolean    sonde_close_code_is_valid_on_wire (guint        code);
gboolean    sonde_close_code_check_local     (guint        code,
                                              const char  *reason,
                                              GError     **error);

G_END_DECLS
