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

#include <string.h>

#include "fuzz-app-view.h"
#include "sonde-proto-graphql.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A \uD800-\uDFFF escape: RFC 8259's grammar takes a lone surrogate
 * (Sonde's validator does), json-glib refuses it. */
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
  fuzz_app_view_check (kind, json, why, label, NULL);
  if (kind == SONDE_RECORD_VIEW_DECODED)
    g_assert_cmpuint (json->len, ==, record->stored_size);
  else
    g_assert_null (label);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeAppProtocol *protocol = fuzz_app_protocol (SONDE_TYPE_PROTO_GRAPHQL);
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
