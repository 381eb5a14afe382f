/* sonde-test-raw-server.h: a hand-driven TCP peer for cases no real server
 * will produce on request (a trickled handshake, a forbidden close code)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  RAW_SERVER_SILENT,         /* accept, read the request, never answer */
  RAW_SERVER_TRICKLE,        /* answer 101 one byte every 200 ms */
  RAW_SERVER_CLOSE_FRAME,    /* a valid handshake, then a Close frame with the given payload */
  RAW_SERVER_RAW_FRAMES,     /* a valid handshake, then the given bytes, then EOF */
} RawServerMode;

typedef struct _RawServer RawServer;

RawServer *raw_server_new          (RawServerMode  mode,
                                    const guint8  *payload,
                                    gsize          length);
guint16    raw_server_get_port     (RawServer     *server);
char      *raw_server_dup_url      (RawServer     *server);
guint      raw_server_get_n_bytes_sent (RawServer *server);
gboolean   raw_server_got_request  (RawServer     *server);
void       raw_server_free         (RawServer     *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawServer, raw_server_free)

G_END_DECLS
