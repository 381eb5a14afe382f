/* sonde-json-writer.h: small, fast helpers to write JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib builds a tree for every document; the event payloads and the
 * sonde-cli output lines are written straight into a GString instead.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void sonde_json_append_string      (GString    *out,
                                    const char *text,
                                    gssize      len);
void sonde_json_append_member      (GString    *out,
                                    gboolean   *first,
                                    const char *name);
void sonde_json_append_string_member (GString    *out,
                                      gboolean   *first,
                                      const char *name,
                                      const char *value);
void sonde_json_append_int_member  (GString    *out,
                                    gboolean   *first,
                                    const char *name,
                                    gint64      value);
void sonde_json_append_bool_member (GString    *out,
                                    gboolean   *first,
                                    const char *name,
                                    gboolean    value);
void sonde_json_append_double_member (GString    *out,
                                      gboolean   *first,
                                      const char *name,
                                      double      value);
void sonde_json_append_iso_time    (GString    *out,
                                    gint64      wall_us);

G_END_DECLS
