/* sonde-connection-automation.c: what a connection does on its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On-open messages after every connect, the application heartbeat while
 * open, and reconnecting: after a drop the connection waits (exponential
 * backoff with full jitter, or what Retry-After says on 429 and 503) and
 * tries again, until it stays up long enough for the attempt counter to
 * reset. A failure retrying cannot fix (401, 403, 404, a TLS failure, a
 * changed pinned certificate) ends it, with the reason in the log. Each
 * outage is one gap event once the connection is back: from, to,
 * duration, attempts and reason.
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sonde-backoff.h"
#include "sonde-close-code.h"
#include "sonde-connection-private.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"

static void
append_time (GString    *out,
             gboolean   *first,
             const char *name,
             gint64      wall_us)
{
  sonde_json_append_member (out, first, name);
  sonde_json_append_iso_time (out, wall_us);
}

static void
log_gap (SondeConnection *self)
{
  g_autoptr(GString) payload = g_string_new ("{");
  gint64 now = g_get_real_time ();
  gboolean first = TRUE;

  append_time (payload, &first, "from", self->outage_from_us);
  append_time (payload, &first, "to", now);
  sonde_json_append_int_member (payload, &first, "duration_ms", (now - self->outage_from_us) / 1000);
  sonde_json_append_int_member (payload, &first, "attempts", self->attempt);
  sonde_json_append_string_member (payload, &first, "cause", self->outage_reason);
  g_string_append_c (payload, '}');

  sonde_connection_log_event (self, SONDE_MESSAGE_KIND_GAP, payload);
  self->outage_from_us = 0;
  g_clear_pointer (&self->outage_reason, g_free);
}

static void
on_stable (gpointer data)
{
  SondeConnection *self = data;

  self->uptime_id = 0;
  self->attempt = 0;
}

/* Records a problem found on this side (an on-open message that does not
 * render, say) as an error event, as the link does for its own. */
void
sonde_connection_log_local_error (SondeConnection *self,
                                  const GError    *error)
{
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_string_member (payload, &first, "error", error->message);
  sonde_json_append_string_member (payload, &first, "error_domain", g_quark_to_string (error->domain));
  sonde_json_append_int_member (payload, &first, "error_code", error->code);
  g_string_append_c (payload, '}');

  sonde_message_log_append (self->log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_ERROR,
                            g_get_real_time (), g_get_monotonic_time (), payload->str, payload->len);
}

/* Renders and sends one message of the profile's (on-open or heartbeat),
 * marked as sent by Sonde. */
static void
send_automatic (SondeConnection           *self,
                const SondeProfileMessage *message,
                const char                *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sonde_template_render (message->body, message->format,
                                                   &self->template_context, &error);

  if (bytes == NULL)
    {
      g_prefix_error (&error, _("%s not sent: "), what);
      sonde_connection_log_local_error (self, error);
      return;
    }

  sonde_link_send (self->link,
                   message->format == SONDE_MESSAGE_FORMAT_BINARY ? SONDE_MESSAGE_KIND_BINARY
                                                                  : SONDE_MESSAGE_KIND_TEXT,
                   SONDE_RECORD_FLAG_AUTOMATIC, bytes);
}

static gboolean
on_heartbeat (gpointer data)
{
  SondeConnection *self = data;

  if (self->state == SONDE_CONNECTION_STATE_OPEN && self->link != NULL && self->heartbeat != NULL)
    {
      sonde_message_log_begin_batch (self->log);
      send_automatic (self, self->heartbeat, _("Heartbeat"));
      sonde_message_log_end_batch (self->log);
    }
  return G_SOURCE_CONTINUE;
}

static void
update_heartbeat (SondeConnection *self)
{
  gboolean wanted = self->state == SONDE_CONNECTION_STATE_OPEN &&
                    self->heartbeat != NULL && self->heartbeat_interval_s > 0;

  if (!wanted)
    g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  else if (self->heartbeat_id == 0)
    self->heartbeat_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, self->heartbeat_interval_s,
                                                     on_heartbeat, self, NULL);
}

static void on_stable (gpointer data);

/* Once open: the on-open messages, in order (authentication, then
 * subscriptions, typically); an outage that ends is a gap in the log. */
void
sonde_connection_automation_opened (SondeConnection *self)
{
  if (self->outage_from_us != 0)
    log_gap (self);

  g_clear_handle_id (&self->uptime_id, g_source_remove);
  if (self->options->reconnect.min_uptime_ms > 0)
    self->uptime_id = g_timeout_add_once (self->options->reconnect.min_uptime_ms, on_stable, self);
  else
    self->attempt = 0;

  for (guint i = 0; self->on_open != NULL && i < self->on_open->len; i++)
    {
      g_autofree char *what = g_strdup_printf (_("On-open message %u"), i + 1);

      send_automatic (self, g_ptr_array_index (self->on_open, i), what);
    }
}


/* @stopped: NULL when a retry is scheduled, else why none is
 * ("permanent", "max_attempts"); @why: the cause, as in the gap event. */
static void
log_reconnect (SondeConnection *self,
               const char      *stopped,
               guint64          delay_ms,
               const char      *why)
{
  gboolean scheduled = stopped == NULL;
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_bool_member (payload, &first, "scheduled", scheduled);
  sonde_json_append_int_member (payload, &first, "attempt", self->attempt);
  if (scheduled)
    {
      sonde_json_append_int_member (payload, &first, "delay_ms", (gint64) delay_ms);
      if (self->last_retry_after_ms >= 0)
        sonde_json_append_int_member (payload, &first, "retry_after_ms", self->last_retry_after_ms);
    }
  else
    sonde_json_append_string_member (payload, &first, "stopped", stopped);
  sonde_json_append_string_member (payload, &first, "cause", why);
  g_string_append_c (payload, '}');

  sonde_connection_log_event (self, SONDE_MESSAGE_KIND_RECONNECT, payload);
}

static gboolean
on_reconnect_due (gpointer data)
{
  SondeConnection *self = data;
  g_autoptr(GError) error = NULL;

  self->reconnect_id = 0;
  self->reconnect_at_us = 0;

  if (!sonde_connection_start_link (self, &error))
    {
      /* The options were fine before; a file (a client certificate, say)
       * may have gone. Say so and stop. */
      sonde_connection_log_local_error (self, error);
      sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_FAILED);
    }
  return G_SOURCE_REMOVE;
}

/* The link ended (closed or failed), not on the user's request: reconnect
 * when the policy says so. */
void
sonde_connection_automation_ended (SondeConnection      *self,
                                   const SondeLinkEvent *event,
                                   gint64                wall_us)
{
  g_autofree char *why = NULL;
  guint64 delay_ms;

  g_clear_handle_id (&self->uptime_id, g_source_remove);
  self->last_permanent = event->state == SONDE_CONNECTION_STATE_FAILED && event->permanent;
  self->last_retry_after_ms = event->state == SONDE_CONNECTION_STATE_FAILED ? event->retry_after_ms : -1;

  if (self->user_closed || !self->options->reconnect.enabled)
    return;

  if (event->error != NULL)
    why = g_strdup (event->error->message);
  else if (event->close_reason != NULL && event->close_reason[0] != '\0')
    why = g_strdup_printf ("closed with %u (%s): \u201c%s\u201d", event->close_code,
                           sonde_close_code_describe (event->close_code), event->close_reason);
  else
    why = g_strdup_printf ("closed with %u (%s)", event->close_code,
                           sonde_close_code_describe (event->close_code));

  if (self->outage_from_us == 0)
    {
      self->outage_from_us = wall_us;
      g_free (self->outage_reason);
      self->outage_reason = g_strdup (why);
    }

  if (self->last_permanent)
    {
      log_reconnect (self, "permanent", 0, why);
      return;
    }

  if (self->options->reconnect.max_attempts > 0 && self->attempt >= self->options->reconnect.max_attempts)
    {
      log_reconnect (self, "max_attempts", 0, why);
      sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_FAILED);
      return;
    }

  delay_ms = sonde_backoff_delay_ms (self->attempt, self->options->reconnect.base_ms, self->options->reconnect.cap_ms, self->rand);
  if (self->last_retry_after_ms >= 0)
    delay_ms = MAX (delay_ms, (guint64) self->last_retry_after_ms);
  delay_ms = MIN (delay_ms, (guint64) G_MAXUINT);
  self->attempt++;

  log_reconnect (self, NULL, delay_ms, why);
  self->reconnect_at_us = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  self->reconnect_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) delay_ms, on_reconnect_due, self, NULL);
  sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_WAITING);
}

/* Forgets any pending retry (a connect or close by the user, dispose). */
void
sonde_connection_automation_clear (SondeConnection *self)
{
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->uptime_id, g_source_remove);
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  self->reconnect_at_us = 0;
}

/* Heartbeat timer follows the state. */
void
sonde_connection_automation_state (SondeConnection *self)
{
  update_heartbeat (self);
  sonde_connection_probe_state (self);
}

/* Exponential backoff with full jitter between attempts; disabled by
 * default. Applies from the next drop. */
void
sonde_connection_set_reconnect (SondeConnection            *self,
                                const SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (policy != NULL);

  self->options->reconnect = *policy;
  if (self->options->reconnect.base_ms == 0)
    self->options->reconnect.base_ms = 1000;
  if (self->options->reconnect.cap_ms == 0)
    self->options->reconnect.cap_ms = 60000;
  /* A cap below the default first delay (sonde-cli --backoff-cap 0.2)
   * caps the first delay too. */
  if (self->options->reconnect.base_ms > self->options->reconnect.cap_ms)
    self->options->reconnect.base_ms = self->options->reconnect.cap_ms;
  if (!policy->enabled && self->state == SONDE_CONNECTION_STATE_WAITING)
    {
      sonde_connection_automation_clear (self);
      sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_CLOSED);
    }
}

void
sonde_connection_get_reconnect (SondeConnection      *self,
                                SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (policy != NULL);

  *policy = self->options->reconnect;
}

/* Attempts since the connection was last stable. */
guint
sonde_connection_get_attempt (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->attempt;
}

/* When the next attempt starts (monotonic µs), or 0 when none waits: for a
 * countdown. */
gint64
sonde_connection_get_reconnect_at (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->reconnect_at_us;
}

/* "Reconnect now": the waiting attempt starts at once. */
gboolean
sonde_connection_reconnect_now (SondeConnection  *self,
                                GError          **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  if (self->state != SONDE_CONNECTION_STATE_WAITING)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_BUSY,
                   _("Not waiting to reconnect: the connection is %s"),
                   sonde_connection_describe_state (self->state));
      return FALSE;
    }

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  on_reconnect_due (self);
  return TRUE;
}

/* Missing pongs for this long declares the peer dead (1006); needs a
 * keepalive. 0: no watchdog. */
void
sonde_connection_set_pong_timeout (SondeConnection *self,
                                   guint            seconds)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  self->options->pong_timeout_s = seconds;
}

guint
sonde_connection_get_pong_timeout (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->options->pong_timeout_s;
}

/* Protocol keepalive: a Ping every @seconds while open (0: none). Applies
 * from the next connect. */
void
sonde_connection_set_keepalive (SondeConnection *self,
                                guint            seconds)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  self->options->keepalive_s = seconds;
}

guint
sonde_connection_get_keepalive (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);

  return self->options->keepalive_s;
}

/* Messages sent, in order, each time the connection opens (and reopens),
 * marked in the log as sent by Sonde. Copied; NULL for none. */
void
sonde_connection_set_on_open (SondeConnection *self,
                              GPtrArray       *messages)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  g_clear_pointer (&self->on_open, g_ptr_array_unref);
  if (messages == NULL || messages->len == 0)
    return;

  self->on_open = g_ptr_array_new_full (messages->len, (GDestroyNotify) sonde_profile_message_free);
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (self->on_open, sonde_profile_message_copy (g_ptr_array_index (messages, i)));
}

/* An application-level heartbeat: @message rendered and sent every
 * @interval_s while open, marked as sent by Sonde. NULL or 0 for none. */
void
sonde_connection_set_heartbeat (SondeConnection           *self,
                                const SondeProfileMessage *message,
                                guint                      interval_s)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  if (message != NULL && interval_s > 0)
    {
      self->heartbeat = sonde_profile_message_copy (message);
      self->heartbeat_interval_s = interval_s;
    }
  else
    self->heartbeat_interval_s = 0;

  update_heartbeat (self);
}

