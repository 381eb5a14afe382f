/* sonde-connection.c: one live WebSocket link and its message log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SondeConnection lives on the main thread. Each connect() starts a
 * SondeLink, which runs libsoup on its own I/O thread and hands over batches
 * of messages and events; this object appends them to its SondeMessageLog,
 * keeps the state machine, the handshake record and the statistics, and
 * notifies. Options are checked here, before any thread starts, so a bad URL
 * or header fails at once with an error that names the problem.
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-connection-private.h"
#include "sonde-text.h"
#include "sonde-link.h"
#include "sonde-net-enums.h"
#include "sonde-url.h"

G_DEFINE_FINAL_TYPE (SondeConnection, sonde_connection, G_TYPE_OBJECT)

GParamSpec *sonde_connection_properties[N_PROPS];

/* g_set_str() arrived in GLib 2.76; our floor is 2.74. */
gboolean
sonde_connection_replace_str (char       **slot,
                              const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;

  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
set_state (SondeConnection      *self,
           SondeConnectionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_STATE]);
}

void
sonde_connection_set_state_internal (SondeConnection      *self,
                                     SondeConnectionState  state)
{
  set_state (self, state);
}

/* G_MESSAGES_DEBUG=sonde-connection traces every event, as logged: its
 * payload has been through the redactor already. Without a redactor (the
 * window shows secrets) only the kind is traced: a debug log is no place
 * for a secret. */
static void
debug_event (SondeConnection  *self,
             SondeMessageKind  kind,
             const guint8     *data,
             gsize             length)
{
  if (self->redactor == NULL)
    g_debug ("%s (%" G_GSIZE_FORMAT " bytes, not traced: secrets are shown)",
             sonde_message_kind_to_string (kind), length);
  else
    g_debug ("%s %.*s", sonde_message_kind_to_string (kind), (int) MIN (length, 4096), (const char *) data);
}

/* Appends an event this side makes (a retry scheduled, a gap) to the log,
 * as one announced batch unless one is open. */
void
sonde_connection_log_event (SondeConnection  *self,
                            SondeMessageKind  kind,
                            GString          *payload)
{
  debug_event (self, kind, (const guint8 *) payload->str, payload->len);
  sonde_message_log_begin_batch (self->log);
  sonde_message_log_append (self->log, SONDE_DIRECTION_EVENT, kind,
                            g_get_real_time (), g_get_monotonic_time (), payload->str, payload->len);
  sonde_message_log_end_batch (self->log);
}

static void
record_sample (SondeConnection *self,
               gint64           now)
{
  const Sample *newest = NULL;
  Sample *slot;

  if (self->n_samples > 0)
    newest = &self->samples[(self->sample_head + N_SAMPLES - 1) % N_SAMPLES];
  if (newest != NULL && now - newest->mono_us < SAMPLE_INTERVAL_US)
    return;

  slot = &self->samples[self->sample_head];
  slot->mono_us = now;
  slot->messages_in = self->stats.messages_in;
  slot->bytes_in = self->stats.bytes_in;
  slot->messages_out = self->stats.messages_out;
  slot->bytes_out = self->stats.bytes_out;
  self->sample_head = (self->sample_head + 1) % N_SAMPLES;
  self->n_samples = MIN (self->n_samples + 1, N_SAMPLES);
}

static void
apply_event (SondeConnection *self,
             SondeLinkEvent  *event)
{
  if (event->handshake != NULL)
    {
      g_clear_pointer (&self->handshake, sonde_handshake_unref);
      self->handshake = sonde_handshake_ref (event->handshake);
      g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_HANDSHAKE]);
    }

  if (event->error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (event->error);
    }

  if (event->state == SONDE_CONNECTION_STATE_FAILED)
    {
      sonde_connection_replace_str (&self->refused_sha256, event->certificate_sha256);
      sonde_connection_replace_str (&self->refused_description, event->certificate_description);
    }

  if (event->state == SONDE_CONNECTION_STATE_OPEN)
    {
      if (sonde_connection_replace_str (&self->protocol, event->protocol))
        g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_PROTOCOL]);
    }

  if (event->state == SONDE_CONNECTION_STATE_CLOSED)
    {
      self->close_clean = event->close_clean;
      if (self->close_code != event->close_code)
        {
          self->close_code = event->close_code;
          g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_CLOSE_CODE]);
        }
      if (sonde_connection_replace_str (&self->close_reason, event->close_reason))
        g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_CLOSE_REASON]);
    }

  if (event->state >= 0)
    set_state (self, (SondeConnectionState) event->state);

  if (event->state >= 0)
    sonde_connection_automation_state (self);
}

static void
drop_link (SondeConnection *self)
{
  if (self->link == NULL)
    return;

  sonde_link_detach (self->link);
  g_clear_pointer (&self->link, sonde_link_unref);
}

/* The state in words, for messages to a person. */
const char *
sonde_connection_describe_state (SondeConnectionState state)
{
  switch (state)
    {
    case SONDE_CONNECTION_STATE_DISCONNECTED:
      return _("disconnected");
    case SONDE_CONNECTION_STATE_CONNECTING:
      return _("connecting");
    case SONDE_CONNECTION_STATE_OPEN:
      return _("open");
    case SONDE_CONNECTION_STATE_CLOSING:
      return _("closing");
    case SONDE_CONNECTION_STATE_CLOSED:
      return _("closed");
    case SONDE_CONNECTION_STATE_FAILED:
      return _("failed");
    case SONDE_CONNECTION_STATE_WAITING:
      return _("waiting to reconnect");
    default:
      g_return_val_if_reached ("");
    }
}

/* A received message cut by the splitter into the records it holds, each
 * with the message's time and flags (its frames go with the first). FALSE,
 * and nothing appended, when it holds one. */
static gboolean
append_split (SondeConnection     *self,
              const SondeLinkItem *item,
              const guint8        *data)
{
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (SondeMessageSlice));

  if (!self->splitter (data, item->length, slices, self->splitter_data) || slices->len < 2)
    return FALSE;

  for (guint s = 0; s < slices->len; s++)
    {
      const SondeMessageSlice *slice = &g_array_index (slices, SondeMessageSlice, s);
      guint64 seq;

      if (slice->offset > item->length || slice->length > item->length - slice->offset)
        return s > 0;
      seq = sonde_message_log_append_full (self->log, item->direction, item->kind, item->flags,
                                           item->wall_us, item->mono_us, data + slice->offset, slice->length);
      if (s == 0 && item->frames != NULL)
        sonde_message_log_set_frames (self->log, seq, item->frames, item->n_frames);
    }
  return TRUE;
}

/* Main thread, at most ~30 times a second: moves a batch into the log. The
 * log announces it with one items-changed; property notifications wait
 * until then, so whoever reacts to "closed" has already seen every message
 * that came before it. */
static void
on_link_ready (gpointer user_data)
{
  g_autoptr(SondeConnection) self = g_object_ref (user_data);
  gboolean terminal = FALSE;
  SondeLinkEvent *last_event = NULL;
  gint64 last_wall_us = 0;

  sonde_link_take_batch (self->link, &self->batch);

  g_object_freeze_notify (G_OBJECT (self));
  sonde_message_log_begin_batch (self->log);

  for (guint i = 0; i < self->batch.items->len; i++)
    {
      const SondeLinkItem *item = &g_array_index (self->batch.items, SondeLinkItem, i);

      switch (item->direction)
        {
        case SONDE_DIRECTION_IN:
          if (item->kind != SONDE_MESSAGE_KIND_TEXT && item->kind != SONDE_MESSAGE_KIND_BINARY)
            break;
          self->stats.messages_in++;
          self->stats.bytes_in += item->length;
          self->stats.last_in_wall_us = item->wall_us;
          break;
        case SONDE_DIRECTION_OUT:
          if (item->kind != SONDE_MESSAGE_KIND_TEXT && item->kind != SONDE_MESSAGE_KIND_BINARY)
            break;
          self->stats.messages_out++;
          self->stats.bytes_out += item->length;
          self->stats.last_out_wall_us = item->wall_us;
          break;
        case SONDE_DIRECTION_EVENT:
          debug_event (self, item->kind, sonde_link_item_get_data (&self->batch, item), item->length);
          apply_event (self, item->event);
          if (item->event->state == SONDE_CONNECTION_STATE_CLOSED ||
              item->event->state == SONDE_CONNECTION_STATE_FAILED)
            {
              terminal = TRUE;
              last_event = item->event;
              last_wall_us = item->wall_us;
            }
          break;
        default:
          g_assert_not_reached ();
        }

      {
        const guint8 *data = sonde_link_item_get_data (&self->batch, item);
        guint64 seq;

        if (self->splitter != NULL && item->direction == SONDE_DIRECTION_IN &&
            (item->kind == SONDE_MESSAGE_KIND_TEXT || item->kind == SONDE_MESSAGE_KIND_BINARY) &&
            append_split (self, item, data))
          continue;
        seq = sonde_message_log_append_full (self->log, item->direction, item->kind, item->flags,
                                             item->wall_us, item->mono_us, data, item->length);

        if (item->frames != NULL)
          sonde_message_log_set_frames (self->log, seq, item->frames, item->n_frames);
      }

      if (item->direction == SONDE_DIRECTION_IN && item->kind == SONDE_MESSAGE_KIND_TEXT &&
          self->probe_pending != NULL && self->probe_pending->len > 0)
        sonde_connection_probe_received (self, sonde_link_item_get_data (&self->batch, item), item->length,
                                         item->mono_us, item->wall_us);

      /* After the open event's record, so what it sends comes after it. */
      if (item->direction == SONDE_DIRECTION_EVENT &&
          item->event->state == SONDE_CONNECTION_STATE_OPEN && self->link != NULL)
        sonde_connection_automation_opened (self);
    }

  self->stats.frames_in = self->frame_base.frames_in + self->batch.counts.frames_in;
  self->stats.frames_out = self->frame_base.frames_out + self->batch.counts.frames_out;
  self->stats.control_in = self->frame_base.control_in + self->batch.counts.control_in;
  self->stats.control_out = self->frame_base.control_out + self->batch.counts.control_out;
  record_sample (self, g_get_monotonic_time ());

  /* The link's thread is done after its last event; nothing else comes.
   * Then, maybe, a retry. */
  if (terminal)
    {
      drop_link (self);
      sonde_connection_automation_ended (self, last_event, last_wall_us);
    }

  sonde_link_batch_reset (&self->batch);

  sonde_message_log_end_batch (self->log);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
sonde_connection_dispose (GObject *object)
{
  SondeConnection *self = (SondeConnection *) object;

  sonde_connection_automation_clear (self);
  sonde_connection_probe_clear (self);
  drop_link (self);

  G_OBJECT_CLASS (sonde_connection_parent_class)->dispose (object);
}

static void
sonde_connection_finalize (GObject *object)
{
  SondeConnection *self = (SondeConnection *) object;

  g_clear_object (&self->log);
  sonde_link_batch_clear (&self->batch);
  g_clear_pointer (&self->handshake, sonde_handshake_unref);
  g_clear_error (&self->error);
  g_free (self->protocol);
  g_free (self->close_reason);
  g_clear_pointer (&self->options, sonde_connection_options_free);
  g_clear_pointer (&self->on_open, g_ptr_array_unref);
  g_clear_pointer (&self->heartbeat, sonde_profile_message_free);
  g_clear_object (&self->client_certificate);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  g_clear_pointer (&self->active_redactor, sonde_redactor_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->outage_reason);
  g_free (self->refused_sha256);
  g_free (self->refused_description);

  G_OBJECT_CLASS (sonde_connection_parent_class)->finalize (object);
}

static void
sonde_connection_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SondeConnection *self = SONDE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;
    case PROP_URL:
      g_value_set_string (value, self->options->url);
      break;
    case PROP_HEADERS:
      g_value_set_boxed (value, self->options->headers);
      break;
    case PROP_PROTOCOLS:
      g_value_set_boxed (value, self->options->protocols);
      break;
    case PROP_ORIGIN:
      g_value_set_string (value, self->options->origin);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->options->max_message_size);
      break;
    case PROP_DEFLATE:
      g_value_set_boolean (value, self->options->deflate);
      break;
    case PROP_FOLLOW_REDIRECTS:
      g_value_set_boolean (value, self->options->follow_redirects);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, self->options->handshake_timeout_ms);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_HANDSHAKE:
      g_value_set_boxed (value, self->handshake);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_CLOSE_CODE:
      g_value_set_uint (value, self->close_code);
      break;
    case PROP_CLOSE_REASON:
      g_value_set_string (value, self->close_reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SondeConnection *self = SONDE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URL:
      sonde_connection_set_url (self, g_value_get_string (value));
      break;
    case PROP_HEADERS:
      sonde_connection_set_headers (self, g_value_get_boxed (value));
      break;
    case PROP_PROTOCOLS:
      sonde_connection_set_protocols (self, g_value_get_boxed (value));
      break;
    case PROP_ORIGIN:
      sonde_connection_set_origin (self, g_value_get_string (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      sonde_connection_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_DEFLATE:
      sonde_connection_set_deflate (self, g_value_get_boolean (value));
      break;
    case PROP_FOLLOW_REDIRECTS:
      sonde_connection_set_follow_redirects (self, g_value_get_boolean (value));
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      sonde_connection_set_handshake_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_connection_class_init (SondeConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_connection_dispose;
  object_class->finalize = sonde_connection_finalize;
  object_class->get_property = sonde_connection_get_property;
  object_class->set_property = sonde_connection_set_property;

  sonde_connection_properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL, SONDE_TYPE_MESSAGE_LOG,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_HEADERS] =
    g_param_spec_boxed ("headers", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_PROTOCOLS] =
    g_param_spec_boxed ("protocols", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL,
                         0, G_MAXUINT64, SONDE_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_DEFLATE] =
    g_param_spec_boolean ("deflate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_FOLLOW_REDIRECTS] =
    g_param_spec_boolean ("follow-redirects", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_uint ("handshake-timeout", NULL, NULL,
                       0, G_MAXUINT, SONDE_DEFAULT_HANDSHAKE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       SONDE_TYPE_CONNECTION_STATE, SONDE_CONNECTION_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_HANDSHAKE] =
    g_param_spec_boxed ("handshake", NULL, NULL, SONDE_TYPE_HANDSHAKE,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_CLOSE_CODE] =
    g_param_spec_uint ("close-code", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sonde_connection_properties[PROP_CLOSE_REASON] =
    g_param_spec_string ("close-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, sonde_connection_properties);
}

static void
sonde_connection_init (SondeConnection *self)
{
  self->log = sonde_message_log_new ();
  self->options = sonde_connection_options_new ();
  sonde_link_batch_init (&self->batch);
  self->redactor = sonde_redactor_new ();
  self->rand = g_rand_new ();
  self->last_retry_after_ms = -1;
}

SondeConnection *
sonde_connection_new (void)
{
  return g_object_new (SONDE_TYPE_CONNECTION, NULL);
}

SondeMessageLog *
sonde_connection_get_log (SondeConnection *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), NULL);

  return self->log;
}

/* Starts a link with the current options: for connect() and for each
 * reconnect. */
gboolean
sonde_connection_start_link (SondeConnection  *self,
                             GError          **error)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  if (self->link != NULL)
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_BUSY,
                           self->state == SONDE_CONNECTION_STATE_CONNECTING ?
                           _("Already connecting: close the connection first") :
                           _("Already connected: close the connection first"));
      return FALSE;
    }

  if (self->options->url == NULL)
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL, _("Type a server URL to connect to"));
      return FALSE;
    }
  if (!sonde_connection_options_check (self->options, error))
    return FALSE;
  url = sonde_url_normalize (self->options->url, error);
  g_assert (url != NULL);

  /* The secrets of this URL and these headers are masked wherever they
   * turn up, a message that echoes them included: a fresh redactor that
   * knows them, as the link's thread may still read the last one. */
  g_clear_pointer (&self->active_redactor, sonde_redactor_unref);
  if (self->redactor != NULL)
    {
      self->active_redactor = sonde_redactor_copy (self->redactor);
      sonde_redactor_learn_url (self->active_redactor, url);
      for (guint i = 0; self->options->headers != NULL && self->options->headers[i] != NULL; i++)
        {
          const char *colon = strchr (self->options->headers[i], ':');
          g_autofree char *name = colon ? g_strndup (self->options->headers[i], (gsize) (colon - self->options->headers[i])) : NULL;

          if (name != NULL)
            sonde_redactor_learn_header (self->active_redactor, g_strstrip (name), colon + 1);
        }
    }

  /* What the last connection reported is cleared, and said so. */
  if (self->handshake != NULL)
    {
      g_clear_pointer (&self->handshake, sonde_handshake_unref);
      g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_HANDSHAKE]);
    }
  g_clear_error (&self->error);
  if (sonde_connection_replace_str (&self->protocol, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_PROTOCOL]);
  if (sonde_connection_replace_str (&self->close_reason, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_CLOSE_REASON]);
  if (self->close_code != 0)
    {
      self->close_code = 0;
      g_object_notify_by_pspec (G_OBJECT (self), sonde_connection_properties[PROP_CLOSE_CODE]);
    }
  self->close_clean = FALSE;

  self->frame_base.frames_in = self->stats.frames_in;
  self->frame_base.frames_out = self->stats.frames_out;
  self->frame_base.control_in = self->stats.control_in;
  self->frame_base.control_out = self->stats.control_out;
  self->link = sonde_link_start (self->options, url, self->client_certificate, self->active_redactor,
                                 self->echo ? SONDE_LINK_FLAG_ECHO : SONDE_LINK_FLAG_NONE,
                                 on_link_ready, self);
  sonde_link_set_show_frames (self->link, self->show_frames);
  set_state (self, SONDE_CONNECTION_STATE_CONNECTING);

  return TRUE;
}

/* Starts connecting. Returns FALSE at once, with an error naming the
 * problem, when the URL or an option is unusable; otherwise the outcome
 * arrives as state changes and events in the log. A retry waiting to
 * happen is replaced by this attempt. */
gboolean
sonde_connection_connect (SondeConnection  *self,
                          GError          **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  if (self->link == NULL)
    {
      sonde_connection_automation_clear (self);
      self->user_closed = FALSE;
      self->attempt = 0;
      self->outage_from_us = 0;
      g_clear_pointer (&self->outage_reason, g_free);
    }

  return sonde_connection_start_link (self, error);
}

/* Starts the closing handshake with @code (1005 for none) and @reason, or
 * gives up a handshake still in progress. */
gboolean
sonde_connection_close (SondeConnection  *self,
                        guint             code,
                        const char       *reason,
                        GError          **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);

  /* Waiting to reconnect: stop waiting. */
  if (self->state == SONDE_CONNECTION_STATE_WAITING)
    {
      self->user_closed = TRUE;
      sonde_connection_automation_clear (self);
      set_state (self, SONDE_CONNECTION_STATE_CLOSED);
      return TRUE;
    }

  if (self->link == NULL ||
      (self->state != SONDE_CONNECTION_STATE_CONNECTING &&
       self->state != SONDE_CONNECTION_STATE_OPEN))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                   _("Cannot close: the connection is %s"), sonde_connection_describe_state (self->state));
      return FALSE;
    }

  if (!sonde_close_code_check_local (code, reason, error))
    return FALSE;

  self->user_closed = TRUE;
  sonde_link_close (self->link, code, reason);
  return TRUE;
}

gboolean
sonde_connection_declare_dead (SondeConnection *self,
                               const char      *why)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (why != NULL, FALSE);

  if (self->link == NULL || self->state != SONDE_CONNECTION_STATE_OPEN)
    return FALSE;
  sonde_link_declare_dead (self->link, why);
  return TRUE;
}

/* A received message that holds several (SignalR's records, MQTT
 * packets): @func cuts it into slices, each appended as a record of its own
 * (NULL: none). */
void
sonde_connection_set_splitter (SondeConnection      *self,
                               SondeMessageSplitter  func,
                               gpointer              user_data)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));

  self->splitter = func;
  self->splitter_data = user_data;
}

/* Totals, plus rates averaged over the last second. */
void
sonde_connection_get_stats (SondeConnection *self,
                            SondeStats      *stats)
{
  gint64 now = g_get_monotonic_time ();
  const Sample *base = NULL;

  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->messages_in_per_s = stats->bytes_in_per_s = 0;
  stats->messages_out_per_s = stats->bytes_out_per_s = 0;

  /* The newest sample at least a second old, or else the oldest one. */
  for (guint i = 0; i < self->n_samples; i++)
    {
      const Sample *sample = &self->samples[(self->sample_head + N_SAMPLES - 1 - i) % N_SAMPLES];

      base = sample;
      if (now - sample->mono_us >= RATE_WINDOW_US)
        break;
    }

  if (base != NULL && now > base->mono_us)
    {
      double seconds = (double) (now - base->mono_us) / G_USEC_PER_SEC;

      stats->messages_in_per_s = (double) (self->stats.messages_in - base->messages_in) / seconds;
      stats->bytes_in_per_s = (double) (self->stats.bytes_in - base->bytes_in) / seconds;
      stats->messages_out_per_s = (double) (self->stats.messages_out - base->messages_out) / seconds;
      stats->bytes_out_per_s = (double) (self->stats.bytes_out - base->bytes_out) / seconds;
    }
}
