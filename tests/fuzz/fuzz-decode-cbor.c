/* fuzz-decode-cbor.c: sonde_decode_cbor on arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under small limits (so that they are reached): no crash, no stall, no
 * leak; on success the text parses as JSON (json-glib) and stays within
 * max_output, the sniffer agrees that a decoded array or map is one; on
 * failure nothing is appended.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-decode-cbor.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeDecodeLimits limits = { .max_output = 64 * 1024, .max_depth = 32, .max_elements = 4096 };
  g_autoptr(GString) json = g_string_new ("[");
  g_autoptr(GError) error = NULL;

  if (sonde_decode_cbor (data, size, &limits, json, &error))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_no_error (error);
      g_assert_cmpuint (json->len - 1, <=, limits.max_output);
      g_string_append_c (json, ']');   /* json-glib 1.6 wants a container at the top */
      if (!json_parser_load_from_data (parser, json->str, json->len, &error))
        g_error ("not JSON: %s: %s", error->message, json->str);
      /* One well-formed array or map: the sniffer says so too. */
      if (((data[0] >> 5) == 4 || (data[0] >> 5) == 5))
        g_assert_true (sonde_decode_sniff_cbor (data, size));
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SONDE_DECODE_ERROR);
      g_assert_cmpstr (json->str, ==, "[");
      /* Not well-formed: the sniffer must not say it is. */
      if (error->code == SONDE_DECODE_ERROR_MALFORMED || error->code == SONDE_DECODE_ERROR_TRUNCATED
          || error->code == SONDE_DECODE_ERROR_TRAILING)
        g_assert_false (sonde_decode_sniff_cbor (data, size));
    }
  return 0;
}
