/* fuzz-app-view.h: what the protocol modes' fuzz targets share: the mode
 * under test, and the checks every view of a mode must pass
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

/* One instance of the mode @type for the whole run. */
SondeAppProtocol *fuzz_app_protocol   (GType                type);

/* Aborts unless the view holds what every mode's view does: DECODED has
 * no why, a label in UTF-8 and is a JSON object (json-glib) with @member
 * (NULL: any), unless it holds a lone surrogate escape json-glib refuses;
 * FAILED says why; nothing else. A target checks what is its own after. */
void              fuzz_app_view_check (SondeRecordViewKind  kind,
                                       const GString       *json,
                                       const char          *why,
                                       const char          *label,
                                       const char          *member);
