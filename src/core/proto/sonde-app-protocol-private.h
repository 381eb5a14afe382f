/* sonde-app-protocol-private.h: for the protocol modes of this folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

/* The class of the mode @kind (sonde-app-protocols.c), or G_TYPE_INVALID. */
GType sonde_app_protocol_type_for_kind (SondeAppProtocolKind   kind);

/* "The MODE mode has no “ACTION” action". */
void  sonde_app_protocol_set_no_action (SondeAppProtocol      *self,
                                        const char            *action,
                                        GError               **error);

G_END_DECLS
