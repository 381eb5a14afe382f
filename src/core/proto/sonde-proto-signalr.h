/* sonde-proto-signalr.h: the SignalR JSON hub protocol (handshake, records
 * ended by 0x1E, invocations, stream items, completions, pings, close)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_SIGNALR (sonde_proto_signalr_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoSignalr, sonde_proto_signalr, SONDE, PROTO_SIGNALR, SondeAppProtocol)

/* The record separator that ends every SignalR message. */
#define SONDE_SIGNALR_RS 0x1e

/* Cuts @data at each 0x1E into one slice per message (the separator stays
 * at the end of its slice; what follows the last one is a slice too).
 * TRUE when there are two or more. For the mode's splitter, tests and the
 * fuzzer. */
gboolean sonde_proto_signalr_split_records (const guint8 *data,
                                            gsize         length,
                                            GArray       *slices);

G_END_DECLS
