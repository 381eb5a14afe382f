/* sonde-connection-probe.c: round-trip time, where the server echoes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While the connection is open, a latency probe sends its template every
 * interval with a fresh UUID for {{uuid}}, marked as sent by Sonde. A
 * received text message whose value at the reply path is that UUID (a
 * string) answers it: the round-trip time, from the moment the probe was
 * handed to the connection's thread to the moment the reply was read from
 * the socket, becomes a "latency" event in the log, and from there a
 * series in the charts. Probes still unanswered after a minute, or beyond
 * the 64 newest, are forgotten, so a server that never echoes costs
 * nothing but the probes themselves.
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-connection-private.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"

#define MAX_PENDING    64
#define PENDING_MAX_US (60 * G_USEC_PER_SEC)

typedef struct {
  char   *uuid;
  gint64  sent_mono_us;
} Pending;

static void
pending_clear (gpointer data)
{
  Pending *pending = data;

  g_free (pending->uuid);
}

static void
forget_old (SondeConnection *self,
            gint64           now_us)
{
  guint stale = 0;

  while (stale < self->probe_pending->len &&
         now_us - g_array_index (self->probe_pending, Pending, stale).sent_mono_us > PENDING_MAX_US)
    stale++;
  if (self->probe_pending->len - stale >= MAX_PENDING)
    stale = self->probe_pending->len - MAX_PENDING + 1;
  if (stale > 0)
    g_array_remove_range (self->probe_pending, 0, stale);
}

static gboolean
on_probe_due (gpointer data)
{
  SondeConnection *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uuid = NULL;
  Pending pending;

  if (self->state != SONDE_CONNECTION_STATE_OPEN || self->link == NULL || self->probe == NULL)
    return G_SOURCE_CONTINUE;

  uuid = g_uuid_string_random ();
  bytes = sonde_template_render_with_uuid (self->probe->body, self->probe->format, &self->template_context,
                                           uuid, &error);
  sonde_message_log_begin_batch (self->log);
  if (bytes == NULL)
    {
      g_prefix_error (&error, _("Latency probe not sent: "));
      sonde_connection_log_local_error (self, error);
    }
  else
    {
      forget_old (self, g_get_monotonic_time ());
      pending.uuid = g_steal_pointer (&uuid);
      pending.sent_mono_us = g_get_monotonic_time ();
      g_array_append_val (self->probe_pending, pending);
      sonde_link_send (self->link,
                       self->probe->format == SONDE_MESSAGE_FORMAT_BINARY ? SONDE_MESSAGE_KIND_BINARY
                                                                          : SONDE_MESSAGE_KIND_TEXT,
                       SONDE_RECORD_FLAG_AUTOMATIC, bytes);
    }
  sonde_message_log_end_batch (self->log);
  return G_SOURCE_CONTINUE;
}

/* The probe's timer follows the state; an outage forgets what is pending. */
void
sonde_connection_probe_state (SondeConnection *self)
{
  gboolean wanted = self->state == SONDE_CONNECTION_STATE_OPEN && self->probe != NULL && self->probe_interval_s > 0;

  if (!wanted)
    {
      g_clear_handle_id (&self->probe_id, g_source_remove);
      if (self->state != SONDE_CONNECTION_STATE_OPEN && self->probe_pending != NULL)
        g_array_set_size (self->probe_pending, 0);
    }
  else if (self->probe_id == 0)
    self->probe_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, self->probe_interval_s,
                                                 on_probe_due, self, NULL);
}

/* A received text message, read at @received_mono_us: if it answers a
 * pending probe, its round trip is logged (after the message's record;
 * inside the caller's batch). */
void
sonde_connection_probe_received (SondeConnection *self,
                                 const guint8    *data,
                                 gsize            length,
                                 gint64           received_mono_us,
                                 gint64           received_wall_us)
{
  SondeJsonValue value;

  if (self->probe_path == NULL || self->probe_pending == NULL || self->probe_pending->len == 0)
    return;
  if (!sonde_json_path_lookup (self->probe_path, (const char *) data, length, &value) ||
      value.type != SONDE_JSON_VALUE_STRING || value.text_has_escapes)
    return;

  for (guint i = 0; i < self->probe_pending->len; i++)
    {
      Pending *pending = &g_array_index (self->probe_pending, Pending, i);
      g_autoptr(GString) payload = NULL;
      gboolean first = TRUE;
      double rtt_ms;

      if (strlen (pending->uuid) != value.text_length || memcmp (pending->uuid, value.text, value.text_length) != 0)
        continue;

      rtt_ms = MAX (received_mono_us - pending->sent_mono_us, 0) / 1000.0;
      payload = g_string_new ("{");
      sonde_json_append_double_member (payload, &first, "rtt_ms", rtt_ms);
      sonde_json_append_string_member (payload, &first, "probe", pending->uuid);
      g_string_append_c (payload, '}');
      sonde_message_log_append (self->log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_LATENCY,
                                received_wall_us, received_mono_us, payload->str, payload->len);
      g_debug ("latency %s", payload->str);

      /* Answered, and every older probe with it: replies come in order. */
      g_array_remove_range (self->probe_pending, 0, i + 1);
      return;
    }
}

void
sonde_connection_probe_clear (SondeConnection *self)
{
  g_clear_handle_id (&self->probe_id, g_source_remove);
  g_clear_pointer (&self->probe_pending, g_array_unref);
  g_clear_pointer (&self->probe, sonde_profile_message_free);
  g_clear_pointer (&self->probe_path, sonde_json_path_unref);
}

/* Measures round-trip time with @message (which must carry {{uuid}}) every
 * @interval_s seconds while open, answered by a received text message
 * whose string at @reply_path is that UUID. NULL @message: no probe. */
gboolean
sonde_connection_set_latency_probe (SondeConnection            *self,
                                    const SondeProfileMessage  *message,
                                    const char                 *reply_path,
                                    guint                       interval_s,
                                    GError                    **error)
{
  g_autoptr(SondeJsonPath) path = NULL;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  if (message != NULL)
    {
      if (!sonde_template_has_uuid (message->body))
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("The latency probe must carry {{uuid}}: the reply is matched by it"));
          return FALSE;
        }
      if (interval_s == 0)
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("The latency probe needs an interval of at least 1 s"));
          return FALSE;
        }
      path = sonde_json_path_new (reply_path != NULL ? reply_path : "", error);
      if (path == NULL)
        {
          g_prefix_error (error, _("Latency probe reply path: "));
          return FALSE;
        }
    }

  g_clear_handle_id (&self->probe_id, g_source_remove);
  g_clear_pointer (&self->probe, sonde_profile_message_free);
  g_clear_pointer (&self->probe_path, sonde_json_path_unref);
  if (self->probe_pending != NULL)
    g_array_set_size (self->probe_pending, 0);

  if (message != NULL)
    {
      self->probe = sonde_profile_message_copy (message);
      self->probe_path = g_steal_pointer (&path);
      self->probe_interval_s = interval_s;
      if (self->probe_pending == NULL)
        {
          self->probe_pending = g_array_new (FALSE, FALSE, sizeof (Pending));
          g_array_set_clear_func (self->probe_pending, pending_clear);
        }
    }

  sonde_connection_probe_state (self);
  return TRUE;
}

gboolean
sonde_connection_get_latency_probe (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  return self->probe != NULL;
}
