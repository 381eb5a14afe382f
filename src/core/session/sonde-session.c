/* sonde-session.c: one live use of a saved profile or of an ad-hoc URL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file holds the object, its properties and what it owns;
 * sonde-session-connect.c how it connects.
 */

#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-net-enums.h"
#include "sonde-session-private.h"
#include "sonde-url.h"

G_DEFINE_FINAL_TYPE (SondeSession, sonde_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_PROFILE,
  PROP_DEMO,
  PROP_STATE,
  PROP_ACTIVE,
  PROP_TITLE,
  PROP_MESSAGES_IN,
  PROP_MESSAGES_OUT,
  PROP_BYTES_IN,
  PROP_BYTES_OUT,
  PROP_RECORDING,
  PROP_RECORDING_SIZE,
  PROP_DECODER_SPEC,
  PROP_APP_PROTOCOL,
  N_PROPS
};

enum {
  PROFILE_CHANGED,
  PROBLEM,
  RECORDING_STOPPED,
  DECODER_SUGGESTED,
  APP_PROTOCOL_SUGGESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

gboolean
sonde_session_is_active_state (SondeConnectionState state)
{
  return state == SONDE_CONNECTION_STATE_CONNECTING ||
         state == SONDE_CONNECTION_STATE_OPEN ||
         state == SONDE_CONNECTION_STATE_CLOSING ||
         state == SONDE_CONNECTION_STATE_WAITING;
}

void
sonde_session_report_problem (SondeSession *self,
                              const char   *text)
{
  g_signal_emit (self, signals[PROBLEM], 0, text);
}

void
sonde_session_notify_recording (SondeSession *self,
                                gboolean      recording_changed)
{
  if (recording_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_SIZE]);
}

void
sonde_session_notify_decoder (SondeSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DECODER_SPEC]);
}

void
sonde_session_notify_app_protocol (SondeSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APP_PROTOCOL]);
}

void
sonde_session_emit_app_protocol_suggested (SondeSession *self,
                                           const char   *mode)
{
  g_signal_emit (self, signals[APP_PROTOCOL_SUGGESTED], 0, mode);
}

void
sonde_session_emit_decoder_suggested (SondeSession *self,
                                      const char   *spec)
{
  g_signal_emit (self, signals[DECODER_SUGGESTED], 0, spec);
}

void
sonde_session_emit_recording_stopped (SondeSession *self,
                                      const char   *text)
{
  g_signal_emit (self, signals[RECORDING_STOPPED], 0, text);
}

static void
on_charts_changed (SondeSession *self)
{
  g_autoptr(JsonNode) node = NULL;

  if (self->profile == NULL)
    return;

  node = sonde_chart_list_to_json (self->charts);
  sonde_profile_set_charts (self->profile, node);
  g_signal_emit (self, signals[PROFILE_CHANGED], 0);
}


static void
on_state_changed (SondeSession *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  gboolean was_active = sonde_session_is_active_state (self->state);

  if (state == self->state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_active != sonde_session_is_active_state (state))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  sonde_session_record_state_changed (self, was_active);

  /* A connect asked for while the last connection was still going. */
  if (!sonde_session_is_active_state (state) && self->pending != PENDING_NONE)
    {
      Pending pending = self->pending;
      g_autofree char *url = g_steal_pointer (&self->pending_url);
      g_autoptr(GError) error = NULL;

      self->pending = PENDING_NONE;
      if (pending == PENDING_PROFILE)
        sonde_session_connect_profile_now (self);
      else if (!sonde_session_connect_url (self, url, &error))
        sonde_session_report_problem (self, error->message);
    }
}

/* The totals are notified when they change (the log changes at most a few
 * dozen times a second). */
static void
on_log_changed (SondeSession *self)
{
  SondeStats stats;

  sonde_connection_get_stats (self->connection, &stats);
  g_object_freeze_notify (G_OBJECT (self));
  if (stats.messages_in != self->notified.messages_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES_IN]);
  if (stats.messages_out != self->notified.messages_out)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES_OUT]);
  if (stats.bytes_in != self->notified.bytes_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_IN]);
  if (stats.bytes_out != self->notified.bytes_out)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_OUT]);
  self->notified = stats;
  g_object_thaw_notify (G_OBJECT (self));
}

static void
sonde_session_dispose (GObject *object)
{
  SondeSession *self = (SondeSession *) object;

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  sonde_session_record_dispose (self);
  sonde_session_app_dispose (self);
  sonde_session_decode_dispose (self);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  if (self->charts != NULL)
    g_signal_handlers_disconnect_by_data (self->charts, self);
  g_clear_object (&self->notifier);
  g_clear_object (&self->feed);
  g_clear_object (&self->charts);
  /* Disposing the connection closes it (1001, going away). */
  g_clear_object (&self->connection);
  g_clear_object (&self->profile);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (sonde_session_parent_class)->dispose (object);
}

static void
sonde_session_finalize (GObject *object)
{
  SondeSession *self = (SondeSession *) object;

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_clear_pointer (&self->adhoc, sonde_connection_options_free);
  g_free (self->shown_url);
  g_free (self->title);
  g_free (self->pending_url);

  G_OBJECT_CLASS (sonde_session_parent_class)->finalize (object);
}

static void
sonde_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SondeSession *self = SONDE_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, sonde_session_get_active (self));
      break;
    case PROP_TITLE:
      g_value_set_string (value, sonde_session_get_title (self));
      break;
    case PROP_MESSAGES_IN:
      g_value_set_uint64 (value, sonde_session_get_messages_in (self));
      break;
    case PROP_MESSAGES_OUT:
      g_value_set_uint64 (value, sonde_session_get_messages_out (self));
      break;
    case PROP_BYTES_IN:
      g_value_set_uint64 (value, sonde_session_get_bytes_in (self));
      break;
    case PROP_BYTES_OUT:
      g_value_set_uint64 (value, sonde_session_get_bytes_out (self));
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, sonde_session_get_recording (self));
      break;
    case PROP_RECORDING_SIZE:
      g_value_set_uint64 (value, sonde_session_get_recording_size (self));
      break;
    case PROP_DECODER_SPEC:
      g_value_set_string (value, sonde_session_get_decoder_spec (self));
      break;
    case PROP_APP_PROTOCOL:
      g_value_set_string (value, sonde_app_protocol_kind_to_string (sonde_session_get_app_protocol (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SondeSession *self = SONDE_SESSION (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      sonde_session_set_profile (self, g_value_get_object (value));
      break;
    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_session_class_init (SondeSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_session_dispose;
  object_class->finalize = sonde_session_finalize;
  object_class->get_property = sonde_session_get_property;
  object_class->set_property = sonde_session_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SONDE_TYPE_PROFILE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SONDE_TYPE_CONNECTION_STATE, SONDE_CONNECTION_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGES_IN] =
    g_param_spec_uint64 ("messages-in", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGES_OUT] =
    g_param_spec_uint64 ("messages-out", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_IN] =
    g_param_spec_uint64 ("bytes-in", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_OUT] =
    g_param_spec_uint64 ("bytes-out", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDING_SIZE] =
    g_param_spec_uint64 ("recording-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The decoder chain messages are read through ("gzip,msgpack"), or NULL. */
  properties[PROP_DECODER_SPEC] =
    g_param_spec_string ("decoder-spec", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The protocol mode's name ("socket.io"…; "none"). */
  properties[PROP_APP_PROTOCOL] =
    g_param_spec_string ("app-protocol", NULL, NULL, "none",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeSession::profile-changed:
   *
   * The session changed its profile (the chart layout, a trusted
   * certificate): whoever keeps the profiles should save them.
   */
  signals[PROFILE_CHANGED] =
    g_signal_new ("profile-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * SondeSession::problem:
   * @text: what went wrong, for the user, translated
   *
   * Something the user must know that is not the connection's state: a
   * connect that could not start, notification rules that do not load.
   */
  signals[PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SondeSession::recording-stopped:
   * @text: why, for the user, translated
   *
   * A recording could not start, or stopped on a fault (disk full, a
   * database another Sonde holds); capture goes on. Also says what opening
   * the database had to repair, and when a recording waits for a database
   * server that cannot be reached (its messages queued) and when the
   * server answered.
   */
  signals[RECORDING_STOPPED] =
    g_signal_new ("recording-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SondeSession::decoder-suggested:
   * @spec: the chain the first binary messages look like ("gzip")
   *
   * No decoder is on and the messages look encoded.
   */
  signals[DECODER_SUGGESTED] =
    g_signal_new ("decoder-suggested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SondeSession::app-protocol-suggested:
   * @mode: the protocol mode the connection looks like ("socket.io")
   *
   * No mode is on, and the server chose a protocol's subprotocol, the URL
   * is a protocol's, or its first message is a protocol's handshake.
   */
  signals[APP_PROTOCOL_SUGGESTED] =
    g_signal_new ("app-protocol-suggested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sonde_session_init (SondeSession *self)
{
  self->connection = sonde_connection_new ();
  self->notifier = sonde_notifier_new (self->connection);
  self->feed = sonde_series_feed_new (self->connection);
  self->charts = sonde_chart_list_new ();
  self->state = sonde_connection_get_state (self->connection);

  g_signal_connect_object (self->connection, "notify::state",
                           G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sonde_connection_get_log (self->connection), "notify::n-records",
                           G_CALLBACK (on_log_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->charts, "changed",
                           G_CALLBACK (on_charts_changed), self, G_CONNECT_SWAPPED);
  sonde_session_decode_init (self);
  sonde_session_record_init (self);
}

void
sonde_session_emit_profile_changed (SondeSession *self)
{
  g_signal_emit (self, signals[PROFILE_CHANGED], 0);
}

void
sonde_session_notify_title (SondeSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* A session for ad-hoc URLs (sonde_session_connect_url()). */
SondeSession *
sonde_session_new (void)
{
  return g_object_new (SONDE_TYPE_SESSION, NULL);
}

SondeSession *
sonde_session_new_for_profile (SondeProfile *profile)
{
  g_return_val_if_fail (SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_SESSION, "profile", profile, NULL);
}

/* A session on the embedded demo feed: known as the demo by what it is,
 * whatever its title says in the user's language. */
SondeSession *
sonde_session_new_demo (void)
{
  return g_object_new (SONDE_TYPE_SESSION, "demo", TRUE, NULL);
}

SondeConnection *
sonde_session_get_connection (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->connection;
}

SondeMessageLog *
sonde_session_get_log (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return sonde_connection_get_log (self->connection);
}

SondeNotifier *
sonde_session_get_notifier (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->notifier;
}

/* The checker of the feed's integrity (sequence gaps, staleness, bands):
 * its counts for metrics, its violations for the log and the charts; they
 * are alerts of the notifier too. */
SondeIntegrity *
sonde_session_get_integrity (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return sonde_notifier_get_integrity (self->notifier);
}

SondeSeriesFeed *
sonde_session_get_feed (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->feed;
}

SondeChartList *
sonde_session_get_charts (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->charts;
}

SondeProfile *
sonde_session_get_profile (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->profile;
}

/* Makes this session a use of @profile ("Save as Profile…" links the
 * session to the new profile); NULL unlinks it. Takes effect at the next
 * connect; the charts of a session without any take the profile's. */
void
sonde_session_set_profile (SondeSession *self,
                           SondeProfile *profile)
{
  g_return_if_fail (SONDE_IS_SESSION (self));
  g_return_if_fail (profile == NULL || SONDE_IS_PROFILE (profile));

  if (!g_set_object (&self->profile, profile))
    return;

  if (profile != NULL)
    {
      if (sonde_chart_list_is_empty (self->charts) && sonde_profile_get_charts (profile) != NULL)
        {
          g_autoptr(GError) error = NULL;

          g_signal_handlers_block_by_func (self->charts, on_charts_changed, self);
          if (!sonde_chart_list_load_json (self->charts, sonde_profile_get_charts (profile), &error))
            {
              g_autofree char *text = g_strdup_printf (_("Some charts of “%s” could not be made: %s"),
                                                       sonde_profile_get_name (profile), error->message);
              sonde_session_report_problem (self, text);
            }
          g_signal_handlers_unblock_by_func (self->charts, on_charts_changed, self);
        }
      else if (!sonde_chart_list_is_empty (self->charts))
        {
          /* A session saved as a new profile: its charts go with it. */
          on_charts_changed (self);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
sonde_session_get_demo (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  return self->demo;
}

void
sonde_session_set_secrets (SondeSession *self,
                           SondeSecrets *secrets)
{
  g_return_if_fail (SONDE_IS_SESSION (self));
  g_return_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

/* The profile's secret, given instead of looked up in the keyring (from
 * an environment variable, say). NULL goes back to the keyring. */
void
sonde_session_set_secret (SondeSession *self,
                          const char   *secret)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  self->secret = g_strdup (secret);
  if (secret != NULL)
    self->secret_missing = FALSE;
}

/* TRUE when the last connect of the profile failed for want of its
 * secret (SONDE_ERROR_NO_SECRET): the window offers to enter it. */
gboolean
sonde_session_get_secret_missing (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  return self->secret_missing;
}

/* With %TRUE, nothing is masked in what the connection records (the
 * handshake, events): sonde-cli --show-secrets. Applies from the next
 * connect. */
void
sonde_session_set_show_secrets (SondeSession *self,
                                gboolean      show_secrets)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  self->show_secrets = !!show_secrets;
}

SondeConnectionState
sonde_session_get_state (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), SONDE_CONNECTION_STATE_DISCONNECTED);

  return self->state;
}

/* TRUE while connecting, open, closing or waiting to reconnect. */
gboolean
sonde_session_get_active (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  return sonde_session_is_active_state (self->state);
}

/* The profile's name; else the host (and port) and path of the
 * connection's URL, which hold no secret (no user, password or query:
 * sonde_session_get_shown_url() gives the whole address, masked); NULL
 * before the first connect. */
const char *
sonde_session_get_title (SondeSession *self)
{
  const char *url;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *port = NULL;
  const char *host, *path;
  gboolean ipv6;

  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  if (self->profile != NULL)
    return sonde_profile_get_name (self->profile);

  url = sonde_connection_get_url (self->connection);
  if (url == NULL)
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return sonde_session_get_shown_url (self);

  port = g_uri_get_port (uri) > 0 ? g_strdup_printf ("%d", g_uri_get_port (uri)) : g_strdup ("");
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  if (g_strcmp0 (path, "/") == 0)
    path = "";
  g_free (self->title);
  /* An IPv6 address in brackets, as in the URL. */
  ipv6 = strchr (host, ':') != NULL;
  self->title = g_strconcat (ipv6 ? "[" : "", host, ipv6 ? "]" : "", *port != '\0' ? ":" : "", port, path, NULL);
  return self->title;
}

/* The address as it may be shown: the profile's (an API key added to the
 * query is not in it), else the connection's with a token in its query or
 * a password in it masked. */
const char *
sonde_session_get_shown_url (SondeSession *self)
{
  const char *url;
  SondeRedactor *redactor;

  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  if (self->profile != NULL)
    return sonde_profile_get_url (self->profile);

  url = sonde_connection_get_url (self->connection);
  if (url == NULL)
    return NULL;
  redactor = sonde_connection_get_redactor (self->connection);
  g_free (self->shown_url);
  self->shown_url = redactor != NULL ? sonde_redactor_url (redactor, url) : g_strdup (url);
  return self->shown_url;
}

guint64
sonde_session_get_messages_in (SondeSession *self)
{
  SondeStats stats;

  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);

  sonde_connection_get_stats (self->connection, &stats);
  return stats.messages_in;
}

guint64
sonde_session_get_messages_out (SondeSession *self)
{
  SondeStats stats;

  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);

  sonde_connection_get_stats (self->connection, &stats);
  return stats.messages_out;
}

guint64
sonde_session_get_bytes_in (SondeSession *self)
{
  SondeStats stats;

  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);

  sonde_connection_get_stats (self->connection, &stats);
  return stats.bytes_in;
}

guint64
sonde_session_get_bytes_out (SondeSession *self)
{
  SondeStats stats;

  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);

  sonde_connection_get_stats (self->connection, &stats);
  return stats.bytes_out;
}

/* What a user calls a normal end: closed cleanly with 1000 (normal), 1001
 * (going away) or no status. The window shows no problem for it, and
 * sonde-cli exits 0. */
void
sonde_session_set_replaying (SondeSession *self)
{
  g_return_if_fail (SONDE_IS_SESSION (self));
  g_return_if_fail (!sonde_session_is_active_state (self->state));

  self->replaying = TRUE;
  sonde_session_set_recording_path (self, NULL);
  sonde_session_set_recordings_dir (self, NULL);
}

gboolean
sonde_session_get_replaying (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  return self->replaying;
}

gboolean
sonde_session_close_was_normal (SondeSession *self)
{
  guint code;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  if (sonde_connection_get_state (self->connection) != SONDE_CONNECTION_STATE_CLOSED)
    return FALSE;
  code = sonde_connection_get_close_code (self->connection);
  return (code == 1000 || code == 1001 || code == 1005) &&
         sonde_connection_get_close_was_clean (self->connection);
}
