/* sonde-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-error.h"

G_DEFINE_QUARK (sonde-error-quark, sonde_error)
