/* sonde-integrity-editor.h: a profile's feed-integrity rules, edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SONDE_TYPE_INTEGRITY_EDITOR (sonde_integrity_editor_get_type ())
G_DECLARE_FINAL_TYPE (SondeIntegrityEditor, sonde_integrity_editor, SONDE, INTEGRITY_EDITOR, AdwPreferencesGroup)

GtkWidget *sonde_integrity_editor_new               (void);
void       sonde_integrity_editor_set_rules         (SondeIntegrityEditor *self,
                                                     JsonNode             *rules);
JsonNode  *sonde_integrity_editor_dup_rules         (SondeIntegrityEditor *self);
/* The row a problem with the rules is shown on. */
GtkWidget *sonde_integrity_editor_get_problem_widget (SondeIntegrityEditor *self);
GtkWidget *sonde_integrity_editor_get_row           (SondeIntegrityEditor *self,
                                                     const char           *name);

G_END_DECLS
