/* fuzz-mqtt.c: the MQTT mode's packet reader, splitter and views on
 * arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one received WebSocket message. The splitter's slices
 * cover it exactly, in order, none empty, every one but the last a whole
 * packet by its fixed header; each slice gets a view as MQTT 3.1.1 and as
 * MQTT 5: DECODED is a JSON object (json-glib) with a type, and a label;
 * FAILED says why and appends nothing; never a crash, a stall or a leak.
 * The packets Sonde writes, made from the input's bytes, read back as
 * what they are.
 */
#include "config.h"

#include <string.h>

#include "fuzz-app-view.h"
#include "sonde-mqtt-packet.h"
#include "sonde-proto-mqtt.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *
check_view (SondeAppProtocol *protocol,
            const guint8     *data,
            gsize             length,
            guint             version)
{
  SondeRecordViewExtra extra = { NULL, FALSE };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *why = NULL;
  g_autofree char *label = NULL;
  SondeRecordViewKind kind = sonde_mqtt_packet_view (protocol, data, length, version, json, &why, &extra);

  label = extra.label;
  fuzz_app_view_check (kind, json, why, label, "type");
  if (kind == SONDE_RECORD_VIEW_DECODED)
    return g_steal_pointer (&label);
  g_assert_true (g_utf8_validate (why, -1, NULL));
  g_assert_null (label);
  g_assert_cmpuint (json->len, ==, 0);
  return NULL;
}

/* What Sonde writes reads back: a publish of the input's first half to a
 * topic made of its UTF-8 start, a subscribe, an ack. */
static void
check_written (const guint8 *data,
               gsize         size)
{
  g_autofree char *topic = g_utf8_make_valid ((const char *) data, (gssize) MIN (size, 40));

  if (*topic == '\0')
    return;
  for (guint version = 4; version <= 5; version++)
    {
      g_autoptr(GByteArray) packet = g_byte_array_new ();
      g_autofree char *label = NULL;
      gsize total = 0;

      sonde_mqtt_packet_append_publish (packet, version, topic, data, size / 2);
      g_assert_cmpint (sonde_mqtt_packet_header (packet->data, packet->len, &total), ==, SONDE_MQTT_HEADER_COMPLETE);
      g_assert_cmpuint (total, ==, packet->len);
      label = check_view (NULL, packet->data, packet->len, version);
      g_assert_cmpstr (label, ==, topic);
      g_clear_pointer (&label, g_free);

      g_byte_array_set_size (packet, 0);
      sonde_mqtt_packet_append_subscribe (packet, version, 1, topic, 1);
      label = check_view (NULL, packet->data, packet->len, version);
      g_assert_cmpstr (label, ==, topic);
      g_clear_pointer (&label, g_free);

      g_byte_array_set_size (packet, 0);
      sonde_mqtt_packet_append_connect (packet, version, topic, topic, "pw", 30);
      label = check_view (NULL, packet->data, packet->len, version);
      g_assert_cmpstr (label, ==, "CONNECT");
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SondeAppProtocol *protocol = fuzz_app_protocol (SONDE_TYPE_PROTO_MQTT);
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
      gsize total = 0;

      g_assert_cmpuint (slice->offset, ==, at);
      g_assert_true (slice->length > 0 || size == 0);
      if (i + 1 < slices->len)
        {
          g_assert_cmpint (sonde_mqtt_packet_header (data + at, slice->length, &total), ==,
                           SONDE_MQTT_HEADER_COMPLETE);
          g_assert_cmpuint (total, ==, slice->length);
        }
      at += slice->length;
      g_free (check_view (protocol, data + slice->offset, slice->length, 4));
      g_free (check_view (protocol, data + slice->offset, slice->length, 5));
    }
  g_assert_cmpuint (at, ==, size);
  check_written (data, size);
  return 0;
}
