/* sonde-profile-editor.h: editing a profile, checked as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-decode-editor.h"
#include "sonde-profile-store.h"
#include "sonde-secrets.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROFILE_EDITOR (sonde_profile_editor_get_type ())
G_DECLARE_FINAL_TYPE (SondeProfileEditor, sonde_profile_editor, SONDE, PROFILE_EDITOR, AdwWindow)

SondeProfileEditor *sonde_profile_editor_new          (SondeProfileStore  *store,
                                                       SondeSecrets       *secrets,
                                                       SondeProfile       *profile);
SondeProfile       *sonde_profile_editor_get_draft    (SondeProfileEditor *self);
GPtrArray          *sonde_profile_editor_get_problems (SondeProfileEditor *self);
gboolean            sonde_profile_editor_save         (SondeProfileEditor *self,
                                                       GError            **error);
GtkWidget          *sonde_profile_editor_get_field    (SondeProfileEditor *self,
                                                       const char         *field);
SondeDecodeEditor  *sonde_profile_editor_get_decode_editor (SondeProfileEditor *self);
SondeAppProtocolEditor *sonde_profile_editor_get_app_protocol_editor (SondeProfileEditor *self);
void                sonde_profile_editor_set_secret   (SondeProfileEditor *self,
                                                       const char         *secret);

G_END_DECLS
