/* sonde-monitor.c: many profiles' sessions, headless, with their metrics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Feed a profile: its session, what was last counted into the metrics
 * (counters are fed the growth of the connection's statistics, so a
 * reconnect that starts them again loses nothing), and the seq up to which
 * its log was read for gaps and round trips. A one-second timer brings
 * every feed's metrics up to date; a scrape in between reads the last
 * update (and the message age, which the registry computes when written).
 */

#define G_LOG_DOMAIN "sonde-monitor"

#include "config.h"

#include "sonde-monitor.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-json-path.h"
#include "sonde-value-export.h"

#define UPDATE_INTERVAL_MS 1000
/* sonde_value follows the messages, at most this often a profile. */
#define VALUE_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)
#define MAX_RULE_LABEL 64

/* Nobody scrolls a monitor's logs: each keeps at most this much (what the
 * rules, decoders and metrics need is the newest), so that memory is
 * bounded by the number of profiles, not by the hours they run. */
#define MONITOR_LOG_MAX_COUNT 20000u
#define MONITOR_LOG_MAX_BYTES ((guint64) 8 * 1024 * 1024)

typedef struct {
  SondeMonitor         *monitor;   /* borrowed */
  SondeProfile         *profile;
  char                 *name;      /* the label value */
  char                 *json;      /* the profile as JSON, to see a change */
  SondeSession         *session;
  SondeValueExport     *values;    /* NULL: nothing marked for export */
  gint64                values_us; /* when last updated (monotonic) */
  SondeStats            counted;
  guint64               violations[SONDE_INTEGRITY_N_KINDS];   /* counted so far, by kind */
  guint64               next_seq;  /* the first log record not yet read */
  gint64                last_in_wall_us;
  SondeConnectionState  state;
  guint                 n_connecting;
  gboolean              stopping;
} Feed;

struct _SondeMonitor
{
  GObject        parent_instance;

  SondeMetrics  *metrics;
  SondeSecrets  *secrets;
  GPtrArray     *feeds;          /* Feed* */
  char          *recording_path;
  guint          update_id;
  guint          stop_timeout_id;
  gboolean       stopping;

  guint          up, messages, bytes, reconnects, gaps, gap_seconds, age, rtt, alerts, violations, value;
  SondeJsonPath *rtt_path;
  SondeJsonPath *duration_path;
};

G_DEFINE_FINAL_TYPE (SondeMonitor, sonde_monitor, G_TYPE_OBJECT)

enum {
  ALERT,
  STATE_CHANGED,
  STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const double rtt_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

static void
feed_free (gpointer data)
{
  Feed *feed = data;

  g_clear_pointer (&feed->values, sonde_value_export_free);
  if (feed->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (feed->session, feed);
      g_signal_handlers_disconnect_by_data (sonde_session_get_notifier (feed->session), feed);
      g_signal_handlers_disconnect_by_data (sonde_session_get_connection (feed->session), feed);
      g_signal_handlers_disconnect_by_data (sonde_session_get_log (feed->session), feed);
      sonde_session_disconnect (feed->session);
    }
  g_clear_object (&feed->session);
  g_clear_object (&feed->profile);
  g_free (feed->name);
  g_free (feed->json);
  g_free (feed);
}

static char *
profile_json (SondeProfile *profile)
{
  g_autoptr(JsonNode) node = sonde_profile_to_json (profile);

  return json_to_string (node, FALSE);
}

/* -- metrics ---------------------------------------------------------------- */

static void
count_growth (SondeMonitor *self,
              guint         family,
              const char   *name,
              const char   *label,
              guint64       now,
              guint64      *counted)
{
  const char *labels[] = { name, label };

  /* A new connection object starts again from 0: its whole count is new. */
  if (now > *counted)
    sonde_metrics_counter_add (self->metrics, family, labels, (double) (now - *counted));
  else if (now < *counted)
    sonde_metrics_counter_add (self->metrics, family, labels, (double) now);
  *counted = now;
}

/* Gaps (outages) and latency-probe round trips logged since last time. */
static void
read_log (SondeMonitor *self,
          Feed         *feed)
{
  SondeMessageLog *log = sonde_session_get_log (feed->session);
  guint64 next = sonde_message_log_get_next_seq (log);
  const char *labels[] = { feed->name };

  feed->next_seq = MAX (feed->next_seq, sonde_message_log_get_first_seq (log));
  for (; feed->next_seq < next; feed->next_seq++)
    {
      SondeRecord record;
      SondeJsonValue value;

      if (!sonde_message_log_lookup_seq (log, feed->next_seq, &record) || record.direction != SONDE_DIRECTION_EVENT)
        continue;
      if (record.kind == SONDE_MESSAGE_KIND_GAP)
        {
          sonde_metrics_counter_add (self->metrics, self->gaps, labels, 1);
          if (sonde_json_path_lookup (self->duration_path, (const char *) record.data, record.stored_size, &value) &&
              value.type == SONDE_JSON_VALUE_NUMBER)
            sonde_metrics_counter_add (self->metrics, self->gap_seconds, labels, MAX (value.number, 0) / 1000.0);
        }
      else if (record.kind == SONDE_MESSAGE_KIND_LATENCY &&
               sonde_json_path_lookup (self->rtt_path, (const char *) record.data, record.stored_size, &value) &&
               value.type == SONDE_JSON_VALUE_NUMBER)
        sonde_metrics_histogram_observe (self->metrics, self->rtt, labels, value.number / 1000.0);
    }
}

static void
update_feed (SondeMonitor *self,
             Feed         *feed)
{
  SondeConnection *connection = sonde_session_get_connection (feed->session);
  SondeStats stats;
  const char *labels[] = { feed->name };

  sonde_connection_get_stats (connection, &stats);
  count_growth (self, self->messages, feed->name, "in", stats.messages_in, &feed->counted.messages_in);
  count_growth (self, self->messages, feed->name, "out", stats.messages_out, &feed->counted.messages_out);
  count_growth (self, self->bytes, feed->name, "in", stats.bytes_in, &feed->counted.bytes_in);
  count_growth (self, self->bytes, feed->name, "out", stats.bytes_out, &feed->counted.bytes_out);
  sonde_metrics_gauge_set (self->metrics, self->up, labels,
                           sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN ? 1 : 0);
  if (stats.last_in_wall_us > 0)
    sonde_metrics_touch (self->metrics, self->age, labels,
                         g_get_monotonic_time () - MAX (g_get_real_time () - stats.last_in_wall_us, 0));
  read_log (self, feed);
  if (feed->values != NULL)
    {
      sonde_value_export_update (feed->values);
      feed->values_us = g_get_monotonic_time ();
    }

  /* Feed-integrity violations, by kind: the checker's counts grow. */
  {
    SondeIntegrity *integrity = sonde_session_get_integrity (feed->session);

    for (guint kind = 0; integrity != NULL && kind < SONDE_INTEGRITY_N_KINDS; kind++)
      count_growth (self, self->violations, feed->name, sonde_integrity_kind_to_string ((SondeIntegrityKind) kind),
                    sonde_integrity_get_count (integrity, (SondeIntegrityKind) kind), &feed->violations[kind]);
  }
}

void
sonde_monitor_update_metrics (SondeMonitor *self)
{
  g_return_if_fail (SONDE_IS_MONITOR (self));

  for (guint i = 0; i < self->feeds->len; i++)
    update_feed (self, g_ptr_array_index (self->feeds, i));
}

static gboolean
on_update (gpointer data)
{
  sonde_monitor_update_metrics (data);
  return G_SOURCE_CONTINUE;
}

/* -- feeds ------------------------------------------------------------------ */

static void
on_alert (SondeNotifier *notifier,
          const char    *title,
          const char    *body,
          guint64        seq,
          Feed          *feed)
{
  SondeMonitor *self = feed->monitor;
  g_autofree char *rule = g_utf8_substring (title, 0, MIN (g_utf8_strlen (title, -1), MAX_RULE_LABEL));
  const char *labels[] = { feed->name, rule };

  sonde_metrics_counter_add (self->metrics, self->alerts, labels, 1);
  g_signal_emit (self, signals[ALERT], 0, feed->profile, title, body, seq);
}

/* Stopping: ::stopped once every connection is closed and every recording
 * flushed. */
static void
check_stopped (SondeMonitor *self)
{
  if (!self->stopping || self->stop_timeout_id == 0)
    return;
  for (guint i = 0; i < self->feeds->len; i++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, i);

      if (sonde_session_get_active (feed->session) || sonde_session_get_recording (feed->session))
        return;
    }
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  g_signal_emit (self, signals[STOPPED], 0);
}

static void
on_state (SondeConnection *connection,
          GParamSpec      *pspec,
          Feed            *feed)
{
  SondeMonitor *self = feed->monitor;
  SondeConnectionState state = sonde_connection_get_state (connection);
  const char *labels[] = { feed->name };

  if (state == feed->state)
    return;
  if (state == SONDE_CONNECTION_STATE_CONNECTING && feed->n_connecting++ > 0 && !feed->stopping)
    sonde_metrics_counter_add (self->metrics, self->reconnects, labels, 1);
  feed->state = state;
  update_feed (self, feed);
  g_signal_emit (self, signals[STATE_CHANGED], 0, feed->profile, state);
  check_stopped (self);
}

/* A protocol mode's request answered (a JSON-RPC response, a Socket.IO
 * ack): a round trip, counted beside the latency probe's. */
static void
on_round_trip (SondeAppProtocol *app,
               double            seconds,
               gpointer          user_data)
{
  Feed *feed = user_data;
  const char *labels[] = { feed->name };

  sonde_metrics_histogram_observe (feed->monitor->metrics, feed->monitor->rtt, labels, seconds);
}

/* The mode's object is made anew when the mode changes (the profile's, or
 * one the server was found to speak): each is listened to. It goes with
 * the session, before the feed. */
static void
on_app_protocol (SondeSession *session,
                 GParamSpec   *pspec,
                 gpointer      user_data)
{
  SondeAppProtocol *app = sonde_session_get_app (session);

  if (app != NULL && g_signal_handler_find (app, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                            on_round_trip, user_data) == 0)
    g_signal_connect (app, "round-trip", G_CALLBACK (on_round_trip), user_data);
}

/* What the window shows in its recording banner (a database that cannot
 * be reached, a recording stopped, records not written) is an alert
 * here: nobody reads a monitor's log, and a stalled recording is what an
 * operator must hear of. */
static void
on_recording_problem (SondeSession *session,
                      const char   *text,
                      gpointer      user_data)
{
  Feed *feed = user_data;

  g_signal_emit (feed->monitor, signals[ALERT], 0, feed->profile, _("Recording"), text, (guint64) 0);
}

/* A recording flushes after its connection closed: stopping waits for it. */
static void
on_recording (SondeSession *session,
              GParamSpec   *pspec,
              Feed         *feed)
{
  check_stopped (feed->monitor);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = user_data;

  /* A profile that cannot connect at all (no secret, an invalid profile)
   * is said as an alert: the monitor goes on with the others. */
  if (!sonde_session_connect_finish (SONDE_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      SondeSession *session = SONDE_SESSION (source);
      SondeMonitor *self = g_object_get_data (G_OBJECT (session), "sonde-monitor");

      if (self != NULL)
        g_signal_emit (self, signals[ALERT], 0, sonde_session_get_profile (session),
                       _("The profile cannot connect"), error->message, (guint64) 0);
    }
}

/* The age of the last message is read at every scrape: it is kept to the
 * batch, not to the second. */
static void
on_log_changed (GListModel *log,
                guint       position,
                guint       removed,
                guint       added,
                Feed       *feed)
{
  SondeStats stats;

  if (added == 0)
    return;
  /* The session's series feed read the batch before (it was connected
   * first): the exported values are the batch's. */
  if (feed->values != NULL)
    {
      gint64 now = g_get_monotonic_time ();

      if (now - feed->values_us >= VALUE_INTERVAL_US)
        {
          sonde_value_export_update (feed->values);
          feed->values_us = now;
        }
    }
  sonde_connection_get_stats (sonde_session_get_connection (feed->session), &stats);
  if (stats.last_in_wall_us > feed->last_in_wall_us)
    {
      const char *labels[] = { feed->name };

      feed->last_in_wall_us = stats.last_in_wall_us;
      sonde_metrics_touch (feed->monitor->metrics, feed->monitor->age, labels,
                           g_get_monotonic_time () - MAX (g_get_real_time () - stats.last_in_wall_us, 0));
    }
}

/* Counters a profile has start at 0, so that rate() sees their first
 * increase. */
static void
declare_series (SondeMonitor *self,
                Feed         *feed)
{
  const char *in[] = { feed->name, "in" }, *out[] = { feed->name, "out" };
  const char *labels[] = { feed->name };

  sonde_metrics_counter_add (self->metrics, self->messages, in, 0);
  sonde_metrics_counter_add (self->metrics, self->messages, out, 0);
  sonde_metrics_counter_add (self->metrics, self->bytes, in, 0);
  sonde_metrics_counter_add (self->metrics, self->bytes, out, 0);
  sonde_metrics_counter_add (self->metrics, self->reconnects, labels, 0);
  sonde_metrics_counter_add (self->metrics, self->gaps, labels, 0);
  sonde_metrics_counter_add (self->metrics, self->gap_seconds, labels, 0);
  sonde_metrics_gauge_set (self->metrics, self->up, labels, 0);
  if (sonde_profile_get_integrity (feed->profile) != NULL)
    for (guint kind = 0; kind < SONDE_INTEGRITY_N_KINDS; kind++)
      {
        const char *kind_labels[] = { feed->name, sonde_integrity_kind_to_string ((SondeIntegrityKind) kind) };

        sonde_metrics_counter_add (self->metrics, self->violations, kind_labels, 0);
      }
}

/* The profile the session uses: the same (id and all), with the log's
 * retention capped for a monitor. */
static SondeProfile *
monitored_profile (SondeProfile *profile)
{
  g_autoptr(JsonNode) node = sonde_profile_to_json (profile);
  SondeProfile *copy = sonde_profile_new_from_json (node, NULL);

  if (copy == NULL)
    return g_object_ref (profile);
  sonde_profile_set_retention (copy, MIN (sonde_profile_get_retention_count (profile), MONITOR_LOG_MAX_COUNT),
                               MIN (sonde_profile_get_retention_bytes (profile), MONITOR_LOG_MAX_BYTES));
  return copy;
}

static void
start_feed (SondeMonitor *self,
            Feed         *feed)
{
  g_autoptr(SondeProfile) used = monitored_profile (feed->profile);

  declare_series (self, feed);
  feed->session = sonde_session_new_for_profile (used);
  feed->values = sonde_value_export_new (self->metrics, self->value, feed->name, feed->session);
  g_object_set_data (G_OBJECT (feed->session), "sonde-monitor", self);
  if (self->secrets != NULL)
    sonde_session_set_secrets (feed->session, self->secrets);
  if (self->recording_path != NULL)
    sonde_session_set_recording_path (feed->session, self->recording_path);
  /* No keyring on a server: the profile may name the variable that holds
   * its secret. */
  if (sonde_profile_get_auth_kind (used) != SONDE_AUTH_NONE && sonde_profile_get_auth_secret_env (used) != NULL)
    {
      const char *name = sonde_profile_get_auth_secret_env (used);
      const char *secret = g_getenv (name);

      if (secret == NULL || secret[0] == '\0')
        {
          g_autofree char *body = g_strdup_printf (secret == NULL
                                                     ? _("The environment variable %s that its auth.secret_env names is not set")
                                                     : _("The environment variable %s that its auth.secret_env names is empty"),
                                                   name);

          g_signal_emit (self, signals[ALERT], 0, feed->profile, _("The profile cannot connect"), body, (guint64) 0);
          return;
        }
      sonde_session_set_secret (feed->session, secret);
    }
  g_signal_connect (sonde_session_get_notifier (feed->session), "alert", G_CALLBACK (on_alert), feed);
  g_signal_connect (sonde_session_get_connection (feed->session), "notify::state", G_CALLBACK (on_state), feed);
  g_signal_connect (sonde_session_get_log (feed->session), "items-changed", G_CALLBACK (on_log_changed), feed);
  g_signal_connect (feed->session, "notify::recording", G_CALLBACK (on_recording), feed);
  g_signal_connect (feed->session, "recording-stopped", G_CALLBACK (on_recording_problem), feed);
  g_signal_connect (feed->session, "notify::app-protocol", G_CALLBACK (on_app_protocol), feed);
  on_app_protocol (feed->session, NULL, feed);
  feed->state = SONDE_CONNECTION_STATE_DISCONNECTED;
  sonde_session_connect_async (feed->session, NULL, on_connected, g_strdup (feed->name));
}

static Feed *
find_feed (SondeMonitor *self,
           const char   *id,
           guint        *index)
{
  for (guint i = 0; i < self->feeds->len; i++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, i);

      if (g_str_equal (sonde_profile_get_id (feed->profile), id))
        {
          if (index != NULL)
            *index = i;
          return feed;
        }
    }
  return NULL;
}

static void
remove_feed (SondeMonitor *self,
             guint         index)
{
  Feed *feed = g_ptr_array_index (self->feeds, index);
  g_autofree char *name = g_strdup (feed->name);

  feed->stopping = TRUE;
  g_ptr_array_remove_index (self->feeds, index);
  sonde_metrics_remove_series (self->metrics, "profile", name);
}

void
sonde_monitor_set_profiles (SondeMonitor *self,
                            GPtrArray    *profiles,
                            guint        *n_added,
                            guint        *n_removed,
                            guint        *n_changed)
{
  guint added = 0, removed = 0, changed = 0;

  g_return_if_fail (SONDE_IS_MONITOR (self));
  g_return_if_fail (profiles != NULL);

  for (guint i = self->feeds->len; i > 0; i--)
    {
      Feed *feed = g_ptr_array_index (self->feeds, i - 1);
      gboolean kept = FALSE;

      for (guint j = 0; j < profiles->len && !kept; j++)
        kept = g_str_equal (sonde_profile_get_id (g_ptr_array_index (profiles, j)), sonde_profile_get_id (feed->profile));
      if (!kept)
        {
          remove_feed (self, i - 1);
          removed++;
        }
    }

  for (guint j = 0; j < profiles->len; j++)
    {
      SondeProfile *profile = g_ptr_array_index (profiles, j);
      g_autofree char *json = profile_json (profile);
      guint index = 0;
      Feed *feed = find_feed (self, sonde_profile_get_id (profile), &index);

      if (feed != NULL && g_str_equal (feed->json, json))
        continue;
      if (feed != NULL)
        {
          remove_feed (self, index);
          changed++;
        }
      else
        added++;

      feed = g_new0 (Feed, 1);
      feed->monitor = self;
      feed->profile = g_object_ref (profile);
      feed->name = g_strdup (sonde_profile_get_name (profile));
      feed->json = g_steal_pointer (&json);
      g_ptr_array_add (self->feeds, feed);
      start_feed (self, feed);
    }

  if (n_added != NULL)
    *n_added = added;
  if (n_removed != NULL)
    *n_removed = removed;
  if (n_changed != NULL)
    *n_changed = changed;
}

guint
sonde_monitor_get_n_sessions (SondeMonitor *self)
{
  g_return_val_if_fail (SONDE_IS_MONITOR (self), 0);
  return self->feeds->len;
}

SondeSession *
sonde_monitor_get_session (SondeMonitor *self,
                           const char   *profile_id)
{
  Feed *feed;

  g_return_val_if_fail (SONDE_IS_MONITOR (self), NULL);
  g_return_val_if_fail (profile_id != NULL, NULL);

  feed = find_feed (self, profile_id, NULL);
  return feed != NULL ? feed->session : NULL;
}

void
sonde_monitor_set_recording_path (SondeMonitor *self,
                                  const char   *path)
{
  g_return_if_fail (SONDE_IS_MONITOR (self));

  g_free (self->recording_path);
  self->recording_path = g_strdup (path);
}

static gboolean
on_stop_timeout (gpointer data)
{
  SondeMonitor *self = data;

  self->stop_timeout_id = 0;
  g_signal_emit (self, signals[STOPPED], 0);
  return G_SOURCE_REMOVE;
}

void
sonde_monitor_stop (SondeMonitor *self,
                    guint         timeout_ms)
{
  gboolean any = FALSE;

  g_return_if_fail (SONDE_IS_MONITOR (self));

  if (self->stopping)
    return;
  self->stopping = TRUE;
  for (guint i = 0; i < self->feeds->len; i++)
    {
      Feed *feed = g_ptr_array_index (self->feeds, i);

      feed->stopping = TRUE;
      if (sonde_session_get_active (feed->session) || sonde_session_get_recording (feed->session))
        any = TRUE;
      sonde_session_disconnect (feed->session);
    }
  sonde_monitor_update_metrics (self);
  if (!any)
    {
      g_signal_emit (self, signals[STOPPED], 0);
      return;
    }
  self->stop_timeout_id = g_timeout_add (timeout_ms, on_stop_timeout, self);
}

static void
sonde_monitor_dispose (GObject *object)
{
  SondeMonitor *self = SONDE_MONITOR (object);

  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  if (self->feeds != NULL)
    g_ptr_array_set_size (self->feeds, 0);

  G_OBJECT_CLASS (sonde_monitor_parent_class)->dispose (object);
}

static void
sonde_monitor_finalize (GObject *object)
{
  SondeMonitor *self = SONDE_MONITOR (object);

  g_ptr_array_unref (self->feeds);
  g_clear_pointer (&self->metrics, sonde_metrics_unref);
  g_clear_object (&self->secrets);
  g_free (self->recording_path);
  sonde_json_path_unref (self->rtt_path);
  sonde_json_path_unref (self->duration_path);

  G_OBJECT_CLASS (sonde_monitor_parent_class)->finalize (object);
}

static void
sonde_monitor_class_init (SondeMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_monitor_dispose;
  object_class->finalize = sonde_monitor_finalize;

  /**
   * SondeMonitor::alert:
   * @profile: whose session
   * @title: what happened
   * @body: the details
   * @seq: the log record it is about (0: none)
   */
  signals[ALERT] = g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 4, SONDE_TYPE_PROFILE, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT64);
  /**
   * SondeMonitor::state-changed:
   * @profile: whose connection
   * @state: its new SondeConnectionState
   */
  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 2, SONDE_TYPE_PROFILE, G_TYPE_INT);
  /* Every connection closed (or the stop timed out). */
  signals[STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
sonde_monitor_init (SondeMonitor *self)
{
  self->feeds = g_ptr_array_new_with_free_func (feed_free);
  self->rtt_path = sonde_json_path_new ("$.rtt_ms", NULL);
  self->duration_path = sonde_json_path_new ("$.duration_ms", NULL);
}

SondeMonitor *
sonde_monitor_new (SondeMetrics *metrics,
                   SondeSecrets *secrets)
{
  static const char * const profile_label[] = { "profile", NULL };
  static const char * const direction_labels[] = { "profile", "direction", NULL };
  static const char * const rule_labels[] = { "profile", "rule", NULL };
  static const char * const kind_labels[] = { "profile", "kind", NULL };
  static const char * const value_labels[] = { "profile", "series", NULL };
  SondeMonitor *self;

  g_return_val_if_fail (metrics != NULL, NULL);
  g_return_val_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets), NULL);

  self = g_object_new (SONDE_TYPE_MONITOR, NULL);
  self->metrics = sonde_metrics_ref (metrics);
  self->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  self->up = sonde_metrics_add_family (metrics, "sonde_connection_up", SONDE_METRIC_GAUGE,
                                       "Whether the profile's connection is open (1) or not (0)",
                                       profile_label, NULL, 0);
  self->messages = sonde_metrics_add_family (metrics, "sonde_messages", SONDE_METRIC_COUNTER,
                                             "WebSocket messages received (in) and sent (out)",
                                             direction_labels, NULL, 0);
  self->bytes = sonde_metrics_add_family (metrics, "sonde_bytes", SONDE_METRIC_COUNTER,
                                          "Payload bytes of the messages received (in) and sent (out)",
                                          direction_labels, NULL, 0);
  self->reconnects = sonde_metrics_add_family (metrics, "sonde_reconnects", SONDE_METRIC_COUNTER,
                                               "Connection attempts after the first", profile_label, NULL, 0);
  self->gaps = sonde_metrics_add_family (metrics, "sonde_gaps", SONDE_METRIC_COUNTER,
                                         "Outages: the connection was down, then back", profile_label, NULL, 0);
  self->gap_seconds = sonde_metrics_add_family (metrics, "sonde_gap_seconds", SONDE_METRIC_COUNTER,
                                                "How long the outages lasted, in seconds", profile_label, NULL, 0);
  self->age = sonde_metrics_add_family (metrics, "sonde_last_message_age_seconds", SONDE_METRIC_AGE,
                                        "Seconds since the last message received", profile_label, NULL, 0);
  self->rtt = sonde_metrics_add_family (metrics, "sonde_rtt_seconds", SONDE_METRIC_HISTOGRAM,
                                        "Round-trip times of the latency probe and of the protocol mode's answered requests (JSON-RPC responses, Socket.IO acks), in seconds", profile_label,
                                        rtt_buckets, G_N_ELEMENTS (rtt_buckets));
  self->alerts = sonde_metrics_add_family (metrics, "sonde_alerts", SONDE_METRIC_COUNTER,
                                           "Notifications raised, by rule", rule_labels, NULL, 0);
  self->violations = sonde_metrics_add_family (metrics, "sonde_integrity_violations", SONDE_METRIC_COUNTER,
                                               "Feed-integrity violations (gap, duplicate, out_of_order, stale, "
                                               "band), by kind", kind_labels, NULL, 0);
  self->value = sonde_metrics_add_family (metrics, "sonde_value", SONDE_METRIC_GAUGE,
                                         "Latest value of each chart series the profile marks for export "
                                         "(series: its path, condition and split value; rtt_seconds: the "
                                         "latency probe's round-trip time in seconds)", value_labels, NULL, 0);
  self->update_id = g_timeout_add (UPDATE_INTERVAL_MS, on_update, self);
  return self;
}
