/* sonde-adhoc-options.h: headers, subprotocols and reconnect for an address
 * typed by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-connection-options.h"
#include "sonde-decode-editor.h"

G_BEGIN_DECLS

#define SONDE_TYPE_ADHOC_OPTIONS (sonde_adhoc_options_get_type ())
G_DECLARE_FINAL_TYPE (SondeAdhocOptions, sonde_adhoc_options, SONDE, ADHOC_OPTIONS, GtkWidget)

GtkWidget              *sonde_adhoc_options_new         (void);
void                    sonde_adhoc_options_set_options (SondeAdhocOptions            *self,
                                                         const SondeConnectionOptions *options);
SondeConnectionOptions *sonde_adhoc_options_dup_options (SondeAdhocOptions            *self);
const char             *sonde_adhoc_options_get_problem (SondeAdhocOptions            *self);
SondeDecodeEditor      *sonde_adhoc_options_get_decode_editor (SondeAdhocOptions      *self);

G_END_DECLS
