/* sonde-error.h: the errors Sonde reports about connections and input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SONDE_ERROR (sonde_error_quark ())

typedef enum {
  SONDE_ERROR_INVALID_URL,         /* does not parse, or has no host */
  SONDE_ERROR_UNSUPPORTED_SCHEME,  /* not ws, wss, http or https */
  SONDE_ERROR_INVALID_HEADER,      /* bad name or value, or managed by the handshake */
  SONDE_ERROR_INVALID_OPTION,      /* an option out of range, e.g. a frame limit of 0 */
  SONDE_ERROR_BUSY,                /* already connecting or open */
  SONDE_ERROR_NOT_OPEN,            /* sending or closing without an open connection */
  SONDE_ERROR_INVALID_TEXT,        /* text that is not UTF-8 */
  SONDE_ERROR_INVALID_JSON,        /* "send JSON" with text that does not parse */
  SONDE_ERROR_INVALID_CLOSE_CODE,  /* a code an endpoint may not send, or a long reason */
  SONDE_ERROR_HANDSHAKE_TIMEOUT,   /* our own deadline for the whole handshake */
  SONDE_ERROR_HANDSHAKE_REFUSED,   /* the server answered without 101 */
  SONDE_ERROR_HANDSHAKE_INVALID,   /* a 101 answer that breaks RFC 6455 */
  SONDE_ERROR_CANCELLED,           /* the user gave up before the handshake completed */
  SONDE_ERROR_INVALID_HEX,         /* hex text that is not whole bytes */
  SONDE_ERROR_INVALID_TEMPLATE,    /* an unknown placeholder, or a "{{" with no "}}" */
  SONDE_ERROR_INVALID_PROFILE,     /* JSON that is not a profile, or a profiles file that does not parse */
  SONDE_ERROR_NO_SECRET,           /* the profile's authentication needs a secret and none was given */
  SONDE_ERROR_NEWER_FILE,          /* a profiles file written by a newer Sonde: read nothing, write nothing */
  SONDE_ERROR_PEER_DEAD,           /* no pong within the pong timeout */
  SONDE_ERROR_INVALID_CERTIFICATE, /* a client certificate or pin that cannot be used */
  SONDE_ERROR_INVALID_PATH,        /* a JSON path that does not parse */
  SONDE_ERROR_INVALID_PREDICATE,   /* a message condition that does not parse */
} SondeError;

GQuark sonde_error_quark (void);

G_END_DECLS
