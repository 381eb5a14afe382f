/* sonde-connection-state.h: where a connection is in its life
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its own header so that the link (the I/O-thread half, below the
 * connection) can report states without knowing the connection.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_CONNECTION_STATE_DISCONNECTED,
  SONDE_CONNECTION_STATE_CONNECTING,
  SONDE_CONNECTION_STATE_OPEN,
  SONDE_CONNECTION_STATE_CLOSING,
  SONDE_CONNECTION_STATE_CLOSED,
  SONDE_CONNECTION_STATE_FAILED,
  SONDE_CONNECTION_STATE_WAITING,   /* dropped; reconnecting after a delay */
} SondeConnectionState;

G_END_DECLS
