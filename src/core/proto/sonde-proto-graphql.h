/* sonde-proto-graphql.h: GraphQL over WebSocket (graphql-transport-ws, and
 * the legacy graphql-ws of subscriptions-transport-ws)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-app-protocol.h"

G_BEGIN_DECLS

#define SONDE_TYPE_PROTO_GRAPHQL (sonde_proto_graphql_get_type ())
G_DECLARE_FINAL_TYPE (SondeProtoGraphql, sonde_proto_graphql, SONDE, PROTO_GRAPHQL, SondeAppProtocol)

/* What labels an operation: its operationName, else the name of the first
 * operation in @document, else its first root field ("ticks"); NULL for
 * none. Newly allocated. For tests and the fuzzer. */
char *sonde_proto_graphql_operation_name (const char *document,
                                          gssize      length);

G_END_DECLS
