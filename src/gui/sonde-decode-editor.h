/* sonde-decode-editor.h: choosing the decoder chain messages are read
 * through, checked as it is edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SONDE_TYPE_DECODE_EDITOR (sonde_decode_editor_get_type ())
G_DECLARE_FINAL_TYPE (SondeDecodeEditor, sonde_decode_editor, SONDE, DECODE_EDITOR, AdwPreferencesGroup)

GtkWidget  *sonde_decode_editor_new                  (void);
void        sonde_decode_editor_set_decode           (SondeDecodeEditor *self,
                                                      const char        *spec,
                                                      const char        *proto_descriptor,
                                                      const char        *proto_type);
const char *sonde_decode_editor_get_spec             (SondeDecodeEditor *self);
const char *sonde_decode_editor_get_proto_descriptor (SondeDecodeEditor *self);
const char *sonde_decode_editor_get_proto_type       (SondeDecodeEditor *self);
const char *sonde_decode_editor_get_error            (SondeDecodeEditor *self);
gboolean    sonde_decode_editor_select_chain         (SondeDecodeEditor *self,
                                                      const char        *spec);
GtkWidget  *sonde_decode_editor_get_chain_row        (SondeDecodeEditor *self);
GtkWidget  *sonde_decode_editor_get_custom_row       (SondeDecodeEditor *self);
GtkWidget  *sonde_decode_editor_get_type_row         (SondeDecodeEditor *self);
GtkWidget  *sonde_decode_editor_get_error_label      (SondeDecodeEditor *self);

G_END_DECLS
