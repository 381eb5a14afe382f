/* sonde-event.h: connection events in the log, described for people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-message-log.h"

G_BEGIN_DECLS

char *sonde_event_describe (const SondeRecord *record);

G_END_DECLS
