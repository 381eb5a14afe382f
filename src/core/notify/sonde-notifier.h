/* sonde-notifier.h: alerts about a connection, with a cool-down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sonde-connection.h"
#include "sonde-integrity.h"

G_BEGIN_DECLS

/* Alerts of one rule closer together than this are held back and counted. */
#define SONDE_NOTIFIER_DEFAULT_COOLDOWN_S 60

#define SONDE_TYPE_NOTIFIER (sonde_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SondeNotifier, sonde_notifier, SONDE, NOTIFIER, GObject)

SondeNotifier *sonde_notifier_new            (SondeConnection  *connection);
gboolean       sonde_notifier_set_rules      (SondeNotifier    *self,
                                              JsonNode         *rules,
                                              GError          **error);
JsonNode      *sonde_notifier_dup_rules      (SondeNotifier    *self);
gboolean       sonde_notifier_check_rules    (JsonNode         *rules,
                                              GError          **error);
gboolean       sonde_notifier_add_match      (SondeNotifier    *self,
                                              const char       *text,
                                              GError          **error);
gboolean       sonde_notifier_add_threshold  (SondeNotifier    *self,
                                              const char       *path,
                                              const char       *op,
                                              double            value,
                                              GError          **error);
void           sonde_notifier_set_drops      (SondeNotifier    *self,
                                              gboolean          notify);
void           sonde_notifier_set_cooldown   (SondeNotifier    *self,
                                              guint             seconds);
SondeIntegrity *sonde_notifier_get_integrity (SondeNotifier    *self);
guint          sonde_notifier_get_n_rules    (SondeNotifier    *self);
guint64        sonde_notifier_get_n_held     (SondeNotifier    *self);

G_END_DECLS
