/* sonde-serve-error.h: what the replay and mock server reports about its input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SONDE_SERVE_ERROR (sonde_serve_error_quark ())

typedef enum {
  SONDE_SERVE_ERROR_NOT_RECORDING,    /* neither a recordings database, nor a JSON Lines export, nor a HAR file */
  SONDE_SERVE_ERROR_UNKNOWN_SESSION,  /* no session with that id (or number) in the source */
  SONDE_SERVE_ERROR_EMPTY,            /* a source without any session */
  SONDE_SERVE_ERROR_INVALID_TIME,     /* a --from or --to that is not a time, or a range without messages */
  SONDE_SERVE_ERROR_INVALID_RULES,    /* a rules file that does not parse or breaks the schema */
  SONDE_SERVE_ERROR_INVALID_OPTION,   /* a bind address, a speed, a certificate that cannot be used */
} SondeServeError;

GQuark sonde_serve_error_quark (void);

G_END_DECLS
