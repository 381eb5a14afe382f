/* sonde-test-peer.h: a real WebSocket peer nobody here wrote, in a child
 * process (tests/servers/ws_peer.py on Python `websockets`, ws-peer.js on
 * Node `ws`), for interop tests; or one of our own standard-library
 * servers (fault_server.py, connect_proxy.py) for the hostile tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_TEST_PEER_PYTHON,
  SONDE_TEST_PEER_NODE,
} SondeTestPeerKind;

#define SONDE_TEST_PEER_N_KINDS 2

/* How long a peer may take to print its "PORT n" line. */
#define SONDE_TEST_PEER_START_TIMEOUT_MS 15000
/* How long a peer may take to exit once its stdin is closed, before it is
 * killed. */
#define SONDE_TEST_PEER_STOP_TIMEOUT_MS  5000

typedef struct _SondeTestPeer SondeTestPeer;

SondeTestPeer *sonde_test_peer_start          (SondeTestPeerKind   kind,
                                               GError            **error);
SondeTestPeer *sonde_test_peer_start_script   (const char         *script_name,
                                               const char * const *args,
                                               GError            **error);
SondeTestPeer *sonde_test_peer_start_kind_script (SondeTestPeerKind   kind,
                                                  const char         *script_name,
                                                  const char * const *args,
                                                  GError            **error);
SondeTestPeerKind sonde_test_peer_get_kind    (SondeTestPeer      *peer);
guint16        sonde_test_peer_get_port       (SondeTestPeer      *peer);
const char    *sonde_test_peer_get_base_url   (SondeTestPeer      *peer);
char          *sonde_test_peer_dup_url        (SondeTestPeer      *peer,
                                               const char         *path);
char          *sonde_test_peer_read_line      (SondeTestPeer      *peer,
                                               guint               timeout_ms,
                                               GError            **error);
gboolean       sonde_test_peer_stop           (SondeTestPeer      *peer,
                                               GError            **error);
void           sonde_test_peer_free           (SondeTestPeer      *peer);
/* Sends @signum to the peer's process (SIGSTOP: a server that hangs). */
void           sonde_test_peer_send_signal    (SondeTestPeer      *peer,
                                               int                 signum);

const char    *sonde_test_peer_kind_to_string (SondeTestPeerKind   kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeTestPeer, sonde_test_peer_free)

G_END_DECLS
