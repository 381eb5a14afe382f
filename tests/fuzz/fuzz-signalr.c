/* fuzz-signalr.c: the SignalR mode's splitter and views on arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one received WebSocket message. The splitter's slices
 * cover it exactly, in order, each ending at the first 0x1E after its
 * start (the last may have none); each slice, read as a record, gets a
 * view: DECODED is valid JSON (json-glib), the slice without its
 * separator, with a label; FAILED says why; never a crash, a stall or a
 * leak. The slices are also processed as sent messages (invocations
 * remembered by id) and viewed again.
 */
#include "config.h"

#include <string.h>

#include "fuzz-app-view.h"
#include "sonde-proto-signalr.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A \uD800-\uDFFF escape: RFC 8259's grammar takes a lone surrogate
 * (Sonde's validator does), json-glib refuses it. */
static void
check_view (SondeAppProtocol *protocol,
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
    {
      g_assert_cmpuint (json->len + 1, ==, record->stored_size);
      g_assert_true (memcmp (json->str, record->data, json->len) == 0);
    }
  else
    g_assert_cmpuint (json->len, ==, 0);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeAppProtocol *protocol = fuzz_app_protocol (SONDE_TYPE_PROTO_SIGNALR);
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (SondeMessageSlice));
  gboolean several = sonde_proto_signalr_split_records (data, size, slices);
  gsize at = 0;

  g_assert_true (several == (slices->len >= 2));
  for (guint i = 0; i < slices->len; i++)
    {
      const SondeMessageSlice *slice = &g_array_index (slices, SondeMessageSlice, i);
      const guint8 *rs;
      SondeRecord record = { .seq = i, .direction = SONDE_DIRECTION_IN, .kind = SONDE_MESSAGE_KIND_TEXT };

      g_assert_cmpuint (slice->offset, ==, at);
      g_assert_cmpuint (slice->length, >, 0);
      rs = memchr (data + slice->offset, SONDE_SIGNALR_RS, slice->length);
      g_assert_true (rs == NULL ? i == slices->len - 1 : rs == data + slice->offset + slice->length - 1);
      at += slice->length;

      record.data = data + slice->offset;
      record.size = record.stored_size = slice->length;
      /* Only valid UTF-8 reaches a text record. */
      if (!g_utf8_validate ((const char *) record.data, (gssize) record.size, NULL) ||
          memchr (record.data, 0, record.size) != NULL)
        continue;
      check_view (protocol, &record);
      record.direction = SONDE_DIRECTION_OUT;
      sonde_app_protocol_process (protocol, &record);
      check_view (protocol, &record);
    }
  g_assert_cmpuint (at, ==, size);
  return 0;
}
