/* sonde-har-reader.h: the WebSocket sessions of a HAR file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads HAR files as Chrome DevTools and Firefox save them ("Save all as
 * HAR"): every entry with a "_webSocketMessages" array (Chrome's extension,
 * which Firefox's export follows; "_resourceType": "websocket" is not
 * required) becomes one session: the request's URL, startedDateTime, and
 * its text (opcode 1) and binary (opcode 2, base64) messages, "send" as
 * out and "receive" as in, "time" in epoch seconds (a number or a string
 * holding one). Other opcodes (close, ping, pong, which some tools add)
 * are skipped.
 *
 * All or nothing: on error no session comes back. Memory is bounded by
 * the file: json-glib's tree of it, then the payloads, which are never
 * larger than their text.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-imported-session.h"

G_BEGIN_DECLS

/* An array of SondeImportedSession, in the file's order; NULL and
 * SONDE_IMPORT_ERROR on error, SONDE_IMPORT_ERROR_NO_WEBSOCKET when the
 * file is a HAR log without any WebSocket entry. */
GPtrArray *sonde_har_reader_read_data (const char    *data,
                                       gsize          length,
                                       GError       **error);
GPtrArray *sonde_har_reader_read_file (GFile         *file,
                                       GCancellable  *cancellable,
                                       GError       **error);

G_END_DECLS
