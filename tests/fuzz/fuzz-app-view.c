/* fuzz-app-view.c: what the protocol modes' fuzz targets share: the mode
 * under test, and the checks every view of a mode must pass
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "fuzz-app-view.h"
#include "fuzz-check.h"

SondeAppProtocol *
fuzz_app_protocol (GType type)
{
  static SondeAppProtocol *protocol;

  if (protocol == NULL)
    protocol = g_object_new (type, NULL);
  return protocol;
}

void
fuzz_app_view_check (SondeRecordViewKind  kind,
                     const GString       *json,
                     const char          *why,
                     const char          *label,
                     const char          *member)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  switch (kind)
    {
    case SONDE_RECORD_VIEW_DECODED:
      g_assert_null (why);
      g_assert_nonnull (label);
      g_assert_true (g_utf8_validate (label, -1, NULL));
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, json->str, (gssize) json->len, &error))
        {
          JsonNode *root = json_parser_get_root (parser);

          g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
          g_assert_true (member == NULL || json_object_has_member (json_node_get_object (root), member));
        }
      else if (!fuzz_has_surrogate_escape (json->str, json->len))
        {
          g_printerr ("not JSON: %s\n%s\n", error->message, json->str);
          abort ();
        }
      break;
    case SONDE_RECORD_VIEW_FAILED:
      g_assert_nonnull (why);
      break;
    case SONDE_RECORD_VIEW_RAW:
    default:
      g_assert_not_reached ();
    }
}
