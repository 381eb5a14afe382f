/* sonde-app-protocol-editor.h: choosing the application protocol a
 * profile's sessions speak, and its options
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_APP_PROTOCOL_EDITOR (sonde_app_protocol_editor_get_type ())
G_DECLARE_FINAL_TYPE (SondeAppProtocolEditor, sonde_app_protocol_editor, SONDE, APP_PROTOCOL_EDITOR,
                      AdwPreferencesGroup)

/* Emits ::changed whenever a field changes. */
GtkWidget               *sonde_app_protocol_editor_new         (void);
void                     sonde_app_protocol_editor_set         (SondeAppProtocolEditor        *self,
                                                                SondeAppProtocolKind           kind,
                                                                const SondeAppProtocolOptions *options);
SondeAppProtocolKind     sonde_app_protocol_editor_get_kind    (SondeAppProtocolEditor        *self);
/* The options as edited (newly allocated). */
SondeAppProtocolOptions *sonde_app_protocol_editor_dup_options (SondeAppProtocolEditor        *self);
/* What is wrong with the fields ("The auth payload is not JSON: …"), or
 * NULL. */
const char              *sonde_app_protocol_editor_get_error   (SondeAppProtocolEditor        *self);
GtkWidget               *sonde_app_protocol_editor_get_mode_row (SondeAppProtocolEditor       *self);

G_END_DECLS
