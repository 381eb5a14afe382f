/* sonde-profile-store.h: the saved profiles, kept in one JSON file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-profile.h"

G_BEGIN_DECLS

/* How long after a change the store writes the file. */
#define SONDE_PROFILE_STORE_SAVE_DELAY_MS 300

#define SONDE_TYPE_PROFILE_STORE (sonde_profile_store_get_type ())
G_DECLARE_FINAL_TYPE (SondeProfileStore, sonde_profile_store, SONDE, PROFILE_STORE, GObject)

SondeProfileStore *sonde_profile_store_new             (const char         *path);
const char        *sonde_profile_store_get_path        (SondeProfileStore  *self);
gboolean           sonde_profile_store_load            (SondeProfileStore  *self,
                                                        GError            **error);
const char        *sonde_profile_store_get_corrupt_backup (SondeProfileStore *self);

void               sonde_profile_store_add             (SondeProfileStore  *self,
                                                        SondeProfile       *profile);
void               sonde_profile_store_insert          (SondeProfileStore  *self,
                                                        guint               position,
                                                        SondeProfile       *profile);
gboolean           sonde_profile_store_remove          (SondeProfileStore  *self,
                                                        SondeProfile       *profile,
                                                        guint              *position);
SondeProfile      *sonde_profile_store_lookup          (SondeProfileStore  *self,
                                                        const char         *id);

void               sonde_profile_store_save_soon       (SondeProfileStore  *self);
gboolean           sonde_profile_store_flush           (SondeProfileStore  *self,
                                                        GError            **error);
gboolean           sonde_profile_store_get_dirty       (SondeProfileStore  *self);

char              *sonde_profile_store_export          (SondeProfileStore  *self,
                                                        GPtrArray          *profiles,
                                                        GError            **error);
GPtrArray         *sonde_profile_store_import          (SondeProfileStore  *self,
                                                        const char         *json,
                                                        gssize              length,
                                                        GError            **error);

G_END_DECLS
