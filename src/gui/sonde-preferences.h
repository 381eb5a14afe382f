/* sonde-preferences.h: the application's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-secrets.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PREFERENCES (sonde_preferences_get_type ())
G_DECLARE_FINAL_TYPE (SondePreferences, sonde_preferences, SONDE, PREFERENCES, AdwPreferencesWindow)

SondePreferences *sonde_preferences_new (GSettings    *settings,
                                         SondeSecrets *secrets);

G_END_DECLS
