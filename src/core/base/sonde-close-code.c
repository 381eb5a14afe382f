/* sonde-close-code.c: WebSocket close codes and what they mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-close-code"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-error.h"

/* RFC 6455 §7.4 and the IANA WebSocket Close Code Number Registry. The
 * meaning is in English, as machine-readable output wants it: _() it to
 * show it to a person. */
const char *
sonde_close_code_describe (guint code)
{
  switch (code)
    {
    case 1000: return N_("Normal closure");
    case 1001: return N_("Going away");
    case 1002: return N_("Protocol error");
    case 1003: return N_("Unsupported data");
    case 1004: return N_("Reserved (1004)");
    case 1005: return N_("No status code received");
    case 1006: return N_("Abnormal closure: the connection ended without a Close frame");
    case 1007: return N_("Invalid frame payload data");
    case 1008: return N_("Policy violation");
    case 1009: return N_("Message too big");
    case 1010: return N_("Mandatory extension missing");
    case 1011: return N_("Internal server error");
    case 1012: return N_("Service restart");
    case 1013: return N_("Try again later");
    case 1014: return N_("Bad gateway");
    case 1015: return N_("TLS handshake failure");
    default:
      break;
    }

  if (code < 1000)
    return N_("Invalid close code (below 1000)");
  if (code < 3000)
    return N_("Reserved close code (1016–2999, not assigned)");
  if (code < 4000)
    return N_("Registered for libraries and frameworks (3000–3999)");
  if (code < 5000)
    return N_("Application-defined (4000–4999)");
  return N_("Invalid close code (5000 and above)");
}

/* Whether an endpoint may put @code in a Close frame (RFC 6455 §7.4.1 and
 * §7.4.2: 1004, 1005, 1006 and 1015 never travel; 1016–2999 are reserved). */
gboolean
sonde_close_code_is_valid_on_wire (guint code)
{
  return (code >= 1000 && code <= 1003) ||
         (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

/* Checks a close we are about to send. 1005 means "no status code". libsoup
 * 3.2 refuses 1011 from a client and treats 1012–1014 as protocol errors, so
 * they are refused here with that explanation rather than misbehaving. */
gboolean
sonde_close_code_check_local (guint        code,
                              const char  *reason,
                              GError     **error)
{
  gsize reason_len = reason != NULL ? strlen (reason) : 0;

  if (code == 1005)
    {
      if (reason_len > 0)
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE,
                               _("A close without a status code (1005) cannot carry a reason"));
          return FALSE;
        }
      return TRUE;
    }

  if (code == 1011 || (code >= 1012 && code <= 1014))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE,
                   _("Close code %u (%s) cannot be sent by this client: libsoup 3.2 reserves "
                     "1011 for servers and rejects 1012–1014"), code, _(sonde_close_code_describe (code)));
      return FALSE;
    }

  if (!sonde_close_code_is_valid_on_wire (code))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE,
                   _("Close code %u cannot be sent: %s. Use 1000–1003, 1007–1010 or 3000–4999"),
                   code, _(sonde_close_code_describe (code)));
      return FALSE;
    }

  if (reason_len > SONDE_CLOSE_REASON_MAX)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE,
                   _("The close reason is %zu bytes long; a Close frame "
                     "allows at most %d"), reason_len, SONDE_CLOSE_REASON_MAX);
      return FALSE;
    }

  if (reason != NULL && !g_utf8_validate (reason, -1, NULL))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_CLOSE_CODE,
                           _("The close reason is not valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}
