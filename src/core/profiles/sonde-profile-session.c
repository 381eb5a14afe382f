/* sonde-profile-session.c: what a profile's sessions do once connected
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The accessors of a SondeProfile for what happens after the connection
 * opens: the messages it sends by itself (the heartbeat, the latency
 * probe, messages on open, templates for the composer), reconnecting, and
 * what its sessions keep and show (retention, recording, the decoder
 * chain, the protocol mode, charts, notification and integrity rules). Every setter
 * compares and emits "changed" only when something changed; the object
 * itself is sonde-profile.c.
 */

#define G_LOG_DOMAIN "sonde-profile"

#include "config.h"

#include <string.h>

#include "sonde-profile-private.h"

static gboolean
message_equal (const SondeProfileMessage *a,
               const SondeProfileMessage *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->format == b->format &&
         g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->body, b->body) == 0;
}

static gboolean
messages_equal (GPtrArray *a,
                GPtrArray *b)
{
  guint la = a != NULL ? a->len : 0;
  guint lb = b != NULL ? b->len : 0;

  if (la != lb)
    return FALSE;

  for (guint i = 0; i < la; i++)
    {
      if (!message_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
sonde_profile_copy_messages (GPtrArray *messages)
{
  guint n = messages != NULL ? messages->len : 0;
  GPtrArray *copy = g_ptr_array_new_full (n, (GDestroyNotify) sonde_profile_message_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (copy, sonde_profile_message_copy (g_ptr_array_index (messages, i)));

  return copy;
}

/* The application heartbeat (borrowed), or NULL for none. */
const SondeProfileMessage *
sonde_profile_get_heartbeat (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->heartbeat;
}

guint
sonde_profile_get_heartbeat_interval (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->heartbeat_interval_s;
}

/* Sets the heartbeat (copied; NULL for none) and its interval in seconds. */
void
sonde_profile_set_heartbeat (SondeProfile              *self,
                             const SondeProfileMessage *message,
                             guint                      interval_s)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (message_equal (self->heartbeat, message) && self->heartbeat_interval_s == interval_s)
    return;

  if (!message_equal (self->heartbeat, message))
    {
      g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
      if (message != NULL)
        self->heartbeat = sonde_profile_message_copy (message);
    }
  self->heartbeat_interval_s = interval_s;
  sonde_profile_emit_changed (self);
}

/* The latency probe (borrowed), or NULL for none; @reply_path and
 * @interval_s may be NULL. */
const SondeProfileMessage *
sonde_profile_get_latency_probe (SondeProfile  *self,
                                 const char   **reply_path,
                                 guint         *interval_s)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  if (reply_path != NULL)
    *reply_path = self->probe_path;
  if (interval_s != NULL)
    *interval_s = self->probe_interval_s;
  return self->probe;
}

/* Sets the latency probe (copied; NULL for none): a message carrying
 * {{uuid}}, the path of the reply that holds it, and the interval. */
void
sonde_profile_set_latency_probe (SondeProfile              *self,
                                 const SondeProfileMessage *message,
                                 const char                *reply_path,
                                 guint                      interval_s)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (message_equal (self->probe, message) && g_strcmp0 (self->probe_path, reply_path) == 0 &&
      self->probe_interval_s == interval_s)
    return;

  if (!message_equal (self->probe, message))
    {
      g_clear_pointer (&self->probe, sonde_profile_message_free);
      if (message != NULL)
        self->probe = sonde_profile_message_copy (message);
    }
  g_free (self->probe_path);
  self->probe_path = g_strdup (reply_path);
  self->probe_interval_s = interval_s;
  sonde_profile_emit_changed (self);
}

void
sonde_profile_get_reconnect (SondeProfile         *self,
                             SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail (policy != NULL);

  *policy = self->options->reconnect;
}

void
sonde_profile_set_reconnect (SondeProfile               *self,
                             const SondeReconnectPolicy *policy)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));
  g_return_if_fail (policy != NULL);

  if (!!policy->enabled == self->options->reconnect.enabled &&
      policy->base_ms == self->options->reconnect.base_ms &&
      policy->cap_ms == self->options->reconnect.cap_ms &&
      policy->max_attempts == self->options->reconnect.max_attempts &&
      policy->min_uptime_ms == self->options->reconnect.min_uptime_ms)
    return;

  self->options->reconnect = *policy;
  self->options->reconnect.enabled = !!policy->enabled;
  sonde_profile_emit_changed (self);
}

/* The messages sent, in order, after every connect and reconnect.
 * Borrowed, never NULL: do not modify it; use sonde_profile_set_on_open(). */
GPtrArray *
sonde_profile_get_on_open (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->on_open;
}

/* Takes a copy of @messages (SondeProfileMessage*; NULL for none). */
void
sonde_profile_set_on_open (SondeProfile *self,
                           GPtrArray    *messages)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (messages_equal (self->on_open, messages))
    return;

  g_ptr_array_unref (self->on_open);
  self->on_open = sonde_profile_copy_messages (messages);
  sonde_profile_emit_changed (self);
}

/* The saved message templates. Borrowed, never NULL: do not modify it; use
 * sonde_profile_set_templates(). */
GPtrArray *
sonde_profile_get_templates (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->templates;
}

/* Takes a copy of @messages (SondeProfileMessage*; NULL for none). */
void
sonde_profile_set_templates (SondeProfile *self,
                             GPtrArray    *messages)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (messages_equal (self->templates, messages))
    return;

  g_ptr_array_unref (self->templates);
  self->templates = sonde_profile_copy_messages (messages);
  sonde_profile_emit_changed (self);
}

guint
sonde_profile_get_retention_count (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->retention_count;
}

guint64
sonde_profile_get_retention_bytes (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), 0);

  return self->retention_bytes;
}

/* How many messages, and how many bytes of them, the log keeps. */
void
sonde_profile_set_retention (SondeProfile *self,
                             guint         max_count,
                             guint64       max_bytes)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (self->retention_count == max_count && self->retention_bytes == max_bytes)
    return;

  self->retention_count = max_count;
  self->retention_bytes = max_bytes;
  sonde_profile_emit_changed (self);
}

/* Whether its sessions are recorded (on by default). */
gboolean
sonde_profile_get_record (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), TRUE);

  return self->record;
}

void
sonde_profile_set_record (SondeProfile *self,
                          gboolean      record)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  record = !!record;
  if (self->record == record)
    return;

  self->record = record;
  sonde_profile_emit_changed (self);
}

/* The decoder chain its messages are read through ("gzip,msgpack",
 * "auto"; sonde_decoder_new() says what is valid), or NULL for none; with
 * "protobuf", the descriptor set file and the message type. */
const char *
sonde_profile_get_decode (SondeProfile *self,
                          const char  **proto_descriptor,
                          const char  **proto_type)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  if (proto_descriptor != NULL)
    *proto_descriptor = self->proto_descriptor;
  if (proto_type != NULL)
    *proto_type = self->proto_type;
  return self->decode;
}

void
sonde_profile_set_decode (SondeProfile *self,
                          const char   *decode,
                          const char   *proto_descriptor,
                          const char   *proto_type)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (decode != NULL && *decode == '\0')
    decode = NULL;
  if (g_strcmp0 (self->decode, decode) == 0 && g_strcmp0 (self->proto_descriptor, proto_descriptor) == 0 &&
      g_strcmp0 (self->proto_type, proto_type) == 0)
    return;

  g_free (self->decode);
  self->decode = g_strdup (decode);
  g_free (self->proto_descriptor);
  self->proto_descriptor = proto_descriptor && *proto_descriptor ? g_strdup (proto_descriptor) : NULL;
  g_free (self->proto_type);
  self->proto_type = proto_type && *proto_type ? g_strdup (proto_type) : NULL;
  sonde_profile_emit_changed (self);
}

/* The protocol mode its sessions speak, and its options (borrowed; the
 * password is never kept here: it is the profile's secret). */
SondeAppProtocolKind
sonde_profile_get_app_protocol (SondeProfile                    *self,
                                const SondeAppProtocolOptions  **options)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), SONDE_APP_PROTOCOL_NONE);

  if (options != NULL)
    *options = self->app_options;
  return self->app_kind;
}

void
sonde_profile_set_app_protocol (SondeProfile                  *self,
                                SondeAppProtocolKind           kind,
                                const SondeAppProtocolOptions *options)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  self->app_kind = kind;
  sonde_app_protocol_options_free (self->app_options);
  self->app_options = sonde_app_protocol_options_copy (options);
  g_clear_pointer (&self->app_options->password, g_free);
  sonde_profile_emit_changed (self);
}

/* The chart definitions, any JSON (borrowed), or NULL for none. */
JsonNode *
sonde_profile_get_charts (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->charts;
}

/* Takes a copy of @charts (NULL for none). */
void
sonde_profile_set_charts (SondeProfile *self,
                          JsonNode     *charts)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (charts == NULL || self->charts == NULL)
    {
      if (charts == self->charts)
        return;
    }
  else if (json_node_equal (charts, self->charts))
    return;

  g_clear_pointer (&self->charts, json_node_unref);
  if (charts != NULL)
    self->charts = json_node_copy (charts);
  sonde_profile_emit_changed (self);
}

/* The notification rules (borrowed; the JSON of sonde-notifier.h), or
 * NULL for none. */
JsonNode *
sonde_profile_get_notifications (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->notifications;
}

/* Takes a copy of @rules (NULL for none). */
void
sonde_profile_set_notifications (SondeProfile *self,
                                 JsonNode     *rules)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (rules != NULL && JSON_NODE_HOLDS_NULL (rules))
    rules = NULL;
  if (rules == NULL || self->notifications == NULL)
    {
      if (rules == self->notifications)
        return;
    }
  else if (json_node_equal (rules, self->notifications))
    return;

  g_clear_pointer (&self->notifications, json_node_unref);
  if (rules != NULL)
    self->notifications = json_node_copy (rules);
  sonde_profile_emit_changed (self);
}

/* The feed-integrity rules (borrowed; the JSON of sonde-integrity.h), or
 * NULL for none. */
JsonNode *
sonde_profile_get_integrity (SondeProfile *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (self), NULL);

  return self->integrity;
}

/* Takes a copy of @rules (NULL, null or an empty object for none). */
void
sonde_profile_set_integrity (SondeProfile *self,
                             JsonNode     *rules)
{
  g_return_if_fail (SONDE_IS_PROFILE (self));

  if (rules != NULL && (JSON_NODE_HOLDS_NULL (rules) ||
                        (JSON_NODE_HOLDS_OBJECT (rules) && json_object_get_size (json_node_get_object (rules)) == 0)))
    rules = NULL;
  if (rules == NULL || self->integrity == NULL)
    {
      if (rules == self->integrity)
        return;
    }
  else if (json_node_equal (rules, self->integrity))
    return;

  g_clear_pointer (&self->integrity, json_node_unref);
  if (rules != NULL)
    self->integrity = json_node_copy (rules);
  sonde_profile_emit_changed (self);
}
