/* fuzz-stomp.c: the STOMP mode's splitter and views on arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one received WebSocket message. The splitter's slices
 * cover it exactly, in order, none empty; each slice, read as a text
 * record (when it is UTF-8) and as a binary one, gets a view: DECODED is
 * a JSON object (json-glib) with a command, a label; FAILED says why and
 * appends nothing; never a crash, a stall or a leak.
 */
#include "config.h"

#include <string.h>

#include "fuzz-app-view.h"
#include "sonde-proto-stomp.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A \uD800-\uDFFF escape in a JSON body: Sonde's validator takes a lone
 * surrogate, json-glib refuses it. */
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
  fuzz_app_view_check (kind, json, why, label, "command");
  if (kind == SONDE_RECORD_VIEW_FAILED)
    {
      g_assert_true (g_utf8_validate (why, -1, NULL));
      g_assert_null (label);
      g_assert_cmpuint (json->len, ==, 0);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeAppProtocol *protocol = fuzz_app_protocol (SONDE_TYPE_PROTO_STOMP);
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (SondeMessageSlice));
  gboolean several = sonde_app_protocol_split (protocol, data, size, slices);
  gsize at = 0;

  g_assert_true (several == (slices->len >= 2));
  if (slices->len == 0)
    {
      SondeMessageSlice whole = { 0, size };

      g_array_append_val (slices, whole);
    }
  for (guint i = 0; i < slices->len; i++)
    {
      const SondeMessageSlice *slice = &g_array_index (slices, SondeMessageSlice, i);
      SondeRecord record = { .seq = i, .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_BINARY };

      g_assert_cmpuint (slice->offset, ==, at);
      g_assert_true (slice->length > 0 || size == 0);
      at += slice->length;

      record.data = data + slice->offset;
      record.size = record.stored_size = slice->length;
      check_view (protocol, &record);
      if (g_utf8_validate ((const char *) record.data, (gssize) record.size, NULL))
        {
          record.kind = SONDE_MESSAGE_KIND_TEXT;
          check_view (protocol, &record);
        }
    }
  g_assert_cmpuint (at, ==, size);
  return 0;
}
