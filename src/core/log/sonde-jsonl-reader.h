/* sonde-jsonl-reader.h: Sonde's JSON Lines read back into records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format of sonde-cli connect and the window's Export Log
 * (docs/record.schema.json): one record per line. Messages come back with
 * their flags and payload ("text", or "base64"); events and frame headers
 * with their members as the record's JSON object, byte for byte when the
 * line is as Sonde wrote it. Extract lines ("values") and blank lines are
 * skipped. The session's URL is the first "connecting" or "handshake"
 * event's, its start the first record's time.
 *
 * All or nothing: on error no session comes back. Each line is parsed on
 * its own, so memory beyond the file is bounded by its longest line.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-imported-session.h"

G_BEGIN_DECLS

/* NULL and SONDE_IMPORT_ERROR on error (the message names the line),
 * SONDE_IMPORT_ERROR_NO_WEBSOCKET for a file without any record. */
SondeImportedSession *sonde_jsonl_reader_read_data (const char    *data,
                                                    gsize          length,
                                                    GError       **error);
SondeImportedSession *sonde_jsonl_reader_read_file (GFile         *file,
                                                    GCancellable  *cancellable,
                                                    GError       **error);

G_END_DECLS
