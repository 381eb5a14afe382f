/* sonde-serve-error.c: what the replay and mock server reports about its input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-serve-error.h"

G_DEFINE_QUARK (sonde-serve-error-quark, sonde_serve_error)
