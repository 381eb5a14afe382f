/* sonde-har-writer.h: a session's records written out as HAR 1.2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One HAR entry for the WebSocket, as Chrome DevTools saves it:
 * "_resourceType": "websocket" and "_webSocketMessages", each text or
 * binary message {"type": "send" | "receive", "time": epoch seconds with
 * microseconds, "opcode": 1 | 2, "data": the text, or base64 for binary}.
 * The handshake record (kind HANDSHAKE), when there is one before the first
 * message, gives the entry's request and response heads and timings.
 *
 * Streamed: records are written as they are fed; the document is never
 * held whole (a buffer of about 256 KiB, or one message, at most).
 */
#pragma once

#include <gio/gio.h>

#include "sonde-record.h"

G_BEGIN_DECLS

typedef struct _SondeHarWriter SondeHarWriter;

/* @url: the session's URL (secrets masked); @start_us: its start, wall µs
 * (0: the first record's time). The writer does not close @stream. */
SondeHarWriter *sonde_har_writer_new    (GOutputStream      *stream,
                                         const char         *url,
                                         gint64              start_us);
/* Records other than text, binary and the first handshake are skipped. */
gboolean        sonde_har_writer_add    (SondeHarWriter     *self,
                                         const SondeRecord  *record,
                                         GCancellable       *cancellable,
                                         GError            **error);
/* Closes the document and flushes it. */
gboolean        sonde_har_writer_finish (SondeHarWriter     *self,
                                         GCancellable       *cancellable,
                                         GError            **error);
/* Messages written so far. */
guint64         sonde_har_writer_get_n_messages (SondeHarWriter *self);
void            sonde_har_writer_free   (SondeHarWriter     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeHarWriter, sonde_har_writer_free)

G_END_DECLS
