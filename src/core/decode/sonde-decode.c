/* sonde-decode.c: what the payload decoders share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "sonde-decode.h"

G_DEFINE_QUARK (sonde-decode-error-quark, sonde_decode_error)

void
sonde_decode_limits_init_default (SondeDecodeLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_output = 16 * 1024 * 1024;
  limits->max_depth = 64;
  limits->max_elements = 1024 * 1024;
}

void
sonde_decode_set_error (GError          **error,
                        SondeDecodeError  code,
                        const char       *format,
                        gsize             offset,
                        const char       *why)
{
  /* Translators: a payload decoder failed: the format ("MessagePack",
   * "gzip"…), why, and the byte where it stopped. */
  g_set_error (error, SONDE_DECODE_ERROR, code, _("could not decode as %s: %s at byte %" PRIu64),
               format, why, (uint64_t) offset);
}
