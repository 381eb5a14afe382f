/* fuzz-handshake-json.c: libFuzzer target for a handshake record read back
 *
 * The input is a HANDSHAKE event's payload as a recording holds it (the
 * History page reads it back with sonde_handshake_new_from_json()).
 * Checked: it never crashes and either fails with SONDE_ERROR_INVALID_JSON
 * and a message, or gives a handshake whose every part can be read and
 * written again; what it writes reads back into the same JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-error.h"
#include "sonde-handshake.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeHandshake) handshake = sonde_handshake_new_from_json ((const char *) data, size, &error);
  g_autoptr(SondeHandshake) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  SondeHandshakeTimings timings;
  gsize body_size = 0;
  gboolean truncated;
  GBytes *body;

  if (handshake == NULL)
    {
      g_assert (g_error_matches (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON));
      g_assert (error->message != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert (error == NULL);

  g_assert (sonde_handshake_get_request_line (handshake) != NULL);
  g_assert (sonde_handshake_get_status_line (handshake) != NULL);
  g_assert (sonde_handshake_get_status (handshake) <= 999);
  for (guint i = 0; i < sonde_handshake_get_n_request_headers (handshake); i++)
    {
      const char *name, *value;

      sonde_handshake_get_request_header (handshake, i, &name, &value);
      g_assert (name != NULL && value != NULL);
    }
  for (guint i = 0; i < sonde_handshake_get_n_response_headers (handshake); i++)
    {
      const char *name, *value;

      sonde_handshake_get_response_header (handshake, i, &name, &value);
      g_assert (name != NULL && value != NULL);
    }
  sonde_handshake_get_timings (handshake, &timings);
  body = sonde_handshake_get_response_body (handshake, &truncated);
  if (body != NULL)
    g_bytes_get_data (body, &body_size);
  g_assert (body_size <= size);

  /* Written again and read back: the same record. */
  json = sonde_handshake_to_json (handshake);
  again = sonde_handshake_new_from_json (json, strlen (json), &error);
  g_assert (again != NULL);
  json_again = sonde_handshake_to_json (again);
  g_assert (strcmp (json, json_again) == 0);
  return 0;
}
