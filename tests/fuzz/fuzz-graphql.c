/* fuzz-graphql.c: the GraphQL mode's operation names and views on
 * arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is read as a GraphQL document (the operation's name: NULL or
 * a GraphQL name, found in bounded time) and as one message, received and
 * then sent (a subscribe remembers its operation's name by id): DECODED is
 * the message itself, valid JSON (json-glib), with a label; FAILED says
 * why; never a crash, a stall or a leak.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-proto-graphql.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SondeAppProtocol *
get_protocol (void)
{
  static SondeAppProtocol *protocol;

  if (protocol == NULL)
    protocol = g_object_new (SONDE_TYPE_PROTO_GRAPHQL, NULL);
  return protocol;
}

/* A \uD800-\uDFFF escape: RFC 8259's grammar takes a lone surrogate
 * (Sonde's validator does), json-glib refuses it. */
static gboolean
has_surrogate_escape (const char *text,
                      gsize       length)
{
  for (gsize i = 0; i + 3 < length; i++)
    if (text[i] == '\\' && text[i + 1] == 'u' && g_ascii_tolower (text[i + 2]) == 'd' &&
        text[i + 3] != '\0' && strchr ("89abcdefABCDEF", text[i + 3]) != NULL)
      return TRUE;
  return FALSE;
}

static void
check_view (SondeAppProtocol  *protocol,
            const SondeRecord *record)
{
  SondeRecordViewExtra extra = { NULL, FALSE };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *why = NULL;
  g_autofree char *label = NULL;
  SondeRecordViewKind kind = sonde_app_protocol_view (protocol, record, json, &why, &extra);

  label = extra.label;
  if (kind == SONDE_RECORD_VIEW_DECODED)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      g_assert_null (why);
      g_assert_nonnull (label);
      g_assert_true (g_utf8_validate (label, -1, NULL));
      g_assert_cmpuint (json->len, ==, record->stored_size);
      if (json_parser_load_from_data (parser, json->str, (gssize) json->len, &error))
        g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      else if (!has_surrogate_escape (json->str, json->len))
        {
          g_printerr ("not JSON: %s\n", error->message);
          abort ();
        }
    }
  else
    {
      g_assert_cmpint (kind, ==, SONDE_RECORD_VIEW_FAILED);
      g_assert_nonnull (why);
      g_assert_null (label);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeAppProtocol *protocol = get_protocol ();
  SondeRecord record = { .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT,
                         .data = data, .size = size, .stored_size = size };
  g_autofree char *name = sonde_proto_graphql_operation_name ((const char *) data, (gssize) size);

  if (name != NULL)
    {
      g_assert_true (name[0] == '_' || g_ascii_isalpha (name[0]));
      for (const char *c = name; *c != '\0'; c++)
        g_assert_true (*c == '_' || g_ascii_isalnum (*c));
    }
  /* Only valid UTF-8 reaches a text record. */
  if (!g_utf8_validate ((const char *) data, (gssize) size, NULL) || memchr (data, 0, size) != NULL)
    return 0;
  check_view (protocol, &record);
  record.direction = SONDE_DIRECTION_OUT;
  sonde_app_protocol_process (protocol, &record);
  check_view (protocol, &record);
  return 0;
}
