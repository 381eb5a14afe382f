/* sonde-replay-client.c: one client of the replay server: its own playback
 * and its own state of the mock rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Playback keeps the recorded rhythm against the monotonic clock: message
 * i is due at base + offset(i) / speed, so a late wake-up never adds up
 * (a message that is late goes at once, the next keeps its time). As fast
 * as possible (speed 0) sends a bounded burst per main-loop turn, so that
 * the client's own messages, its close and the other clients' playbacks
 * are served in between; and only while the client's socket can take
 * more (libsoup queues whatever is sent without a bound: a client that
 * reads slowly would otherwise make the server hold the whole session, or
 * without end with --loop). A pause remembers the position in the session; a
 * start resumes from it.
 */

#define G_LOG_DOMAIN "sonde-replay-client"

#include "config.h"

#include "sonde-replay-client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* At most this much per main-loop turn. */
#define BURST_MESSAGES 256
#define BURST_BYTES    (1024 * 1024)

typedef struct {
  SondeReplayClient *client;
  guint              index;
} TimerData;

struct _SondeReplayClient
{
  /* owned */
  SondeReplayPlan          plan;
  SoupWebsocketConnection *ws;
  GSocket                 *socket;      /* nullable */
  GMainContext            *context;
  GSource                 *play_source;
  GPtrArray               *timers;      /* GSource or NULL (paused), one per rules timer */

  /* playback */
  gboolean                 playing;
  guint                    index;
  gint64                   base_us;     /* monotonic time of offset 0 at this speed */
  gint64                   position_us; /* the offset reached when paused */

  /* rules */
  SondeTemplateContext     template_context;
  guint                    received;
  guint                    sent;
  gboolean                 closing;
};

static void play_due (SondeReplayClient *self);

static gboolean
is_open (SondeReplayClient *self)
{
  return !self->closing && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
count_sent (SondeReplayClient *self)
{
  SondeMockRules *rules = self->plan.rules;

  self->sent++;
  if (rules != NULL && sonde_mock_rules_get_close_after_sent (rules) > 0 &&
      self->sent >= sonde_mock_rules_get_close_after_sent (rules))
    sonde_replay_client_close (self, sonde_mock_rules_get_close_after_code (rules),
                               sonde_mock_rules_get_close_after_reason (rules));
}

static void
send_template (SondeReplayClient  *self,
               SondeServeTemplate *message,
               GBytes             *answering)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  gsize length = 0;
  const char *data = answering != NULL ? g_bytes_get_data (answering, &length) : NULL;

  if (!is_open (self))
    return;

  payload = sonde_serve_template_render (message, &self->template_context, data, length, &error);
  if (payload == NULL)
    {
      /* A binary template whose values from the message are not hex. */
      g_debug ("Not sent: %s", error->message);
      return;
    }
  soup_websocket_connection_send_message (self->ws,
                                          sonde_serve_template_is_binary (message) ? SOUP_WEBSOCKET_DATA_BINARY
                                                                                   : SOUP_WEBSOCKET_DATA_TEXT,
                                          payload);
  count_sent (self);
}

static gboolean
on_play (gpointer data)
{
  SondeReplayClient *self = data;

  g_clear_pointer (&self->play_source, g_source_unref);
  play_due (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_play (SondeReplayClient *self,
               gint64             delay_us)
{
  guint delay_ms = (guint) MIN ((delay_us + 999) / 1000, (gint64) G_MAXINT);

  destroy_source (&self->play_source);
  self->play_source = delay_ms == 0 ? g_idle_source_new () : g_timeout_source_new (delay_ms);
  g_source_set_static_name (self->play_source, "[sonde] replay");
  g_source_set_callback (self->play_source, on_play, self, NULL);
  g_source_attach (self->play_source, self->context);
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  SondeReplayClient *self = data;

  g_clear_pointer (&self->play_source, g_source_unref);
  play_due (self);
  return G_SOURCE_REMOVE;
}

/* Whether the socket takes more now; if not, playback goes on once it
 * does. */
static gboolean
can_write (SondeReplayClient *self)
{
  if (self->socket == NULL || g_socket_condition_check (self->socket, G_IO_OUT) != 0)
    return TRUE;

  destroy_source (&self->play_source);
  self->play_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
  g_source_set_static_name (self->play_source, "[sonde] replay (client busy)");
  g_source_set_callback (self->play_source, G_SOURCE_FUNC (on_writable), self, NULL);
  g_source_attach (self->play_source, self->context);
  return FALSE;
}

/* A burst's frames leave in full TCP segments: libsoup writes each frame
 * with a send() of its own, and on loopback each became a segment through
 * the whole stack (60 % of the server's time at --max-speed). Corked
 * while the burst is written, uncorked (flushed) at its end. */
static void
set_corked (SondeReplayClient *self,
            gboolean           corked)
{
#ifdef TCP_CORK
  int value = corked ? 1 : 0;

  if (self->socket != NULL && g_socket_get_family (self->socket) != G_SOCKET_FAMILY_UNIX)
    setsockopt (g_socket_get_fd (self->socket), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
#endif
}

static void play_burst (SondeReplayClient *self);

static void
play_due (SondeReplayClient *self)
{
  gboolean corked = self->plan.speed <= 0;

  if (corked)
    set_corked (self, TRUE);
  play_burst (self);
  if (corked)
    set_corked (self, FALSE);
}

static void
play_burst (SondeReplayClient *self)
{
  SondeReplaySource *source = self->plan.source;
  guint n = sonde_replay_source_get_n_messages (source);
  guint burst = 0;
  gsize bytes = 0;

  while (self->playing && is_open (self))
    {
      const SondeReplayMessage *message;

      if (self->index >= n)
        {
          if (self->plan.loop && n > 0)
            {
              /* Again from the first message, at once. */
              self->index = 0;
              self->base_us = g_get_monotonic_time ();
              continue;
            }
          self->playing = FALSE;
          sonde_replay_client_close (self, sonde_replay_source_get_close_code (source),
                                     sonde_replay_source_get_close_reason (source));
          return;
        }

      message = sonde_replay_source_get_message (source, self->index);
      if (self->plan.speed > 0)
        {
          gint64 due = self->base_us + (gint64) ((double) message->offset_us / self->plan.speed);
          gint64 now = g_get_monotonic_time ();

          if (due > now)
            {
              schedule_play (self, due - now);
              return;
            }
        }
      if (burst >= BURST_MESSAGES || bytes >= BURST_BYTES)
        {
          schedule_play (self, 0);
          return;
        }
      if (burst == 0 && !can_write (self))
        return;

      soup_websocket_connection_send_message (self->ws,
                                              message->binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                              message->payload);
      self->index++;
      burst++;
      bytes += g_bytes_get_size (message->payload);
      count_sent (self);
    }
}

static void
replay_start (SondeReplayClient *self)
{
  if (self->plan.source == NULL || self->playing || !is_open (self))
    return;
  self->playing = TRUE;
  self->base_us = g_get_monotonic_time ();
  if (self->plan.speed > 0)
    self->base_us -= (gint64) ((double) self->position_us / self->plan.speed);
  play_due (self);
}

static void
replay_stop (SondeReplayClient *self)
{
  if (!self->playing)
    return;
  self->playing = FALSE;
  destroy_source (&self->play_source);
  if (self->plan.speed > 0)
    self->position_us = (gint64) ((double) (g_get_monotonic_time () - self->base_us) * self->plan.speed);
  if (self->index < sonde_replay_source_get_n_messages (self->plan.source))
    {
      const SondeReplayMessage *next = sonde_replay_source_get_message (self->plan.source, self->index);

      /* Resumed, the next message keeps what was left of its wait. */
      self->position_us = MIN (self->position_us, next->offset_us);
      if (self->plan.speed == 0)
        self->position_us = next->offset_us;
    }
}

static gboolean
on_timer (gpointer data)
{
  TimerData *timer_data = data;
  SondeReplayClient *self = timer_data->client;
  const SondeMockTimer *timer = sonde_mock_rules_get_timer (self->plan.rules, timer_data->index);

  send_template (self, timer->send, NULL);
  return G_SOURCE_CONTINUE;
}

static void
timer_start (SondeReplayClient *self,
             guint              index)
{
  const SondeMockTimer *timer = sonde_mock_rules_get_timer (self->plan.rules, index);
  TimerData *data;
  GSource *source;

  if (g_ptr_array_index (self->timers, index) != NULL || !is_open (self))
    return;

  data = g_new0 (TimerData, 1);
  data->client = self;
  data->index = index;
  source = g_timeout_source_new (timer->interval_ms);
  g_source_set_static_name (source, "[sonde] mock timer");
  g_source_set_callback (source, on_timer, data, g_free);
  g_source_attach (source, self->context);
  g_ptr_array_index (self->timers, index) = source;
}

static void
timer_stop (SondeReplayClient *self,
            guint              index)
{
  GSource *source = g_ptr_array_index (self->timers, index);

  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
      g_ptr_array_index (self->timers, index) = NULL;
    }
}

/* Starts or stops what @names name: the replay or timers. */
static void
apply_names (SondeReplayClient  *self,
             GStrv               names,
             gboolean            start)
{
  if (names == NULL)
    return;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], SONDE_MOCK_REPLAY))
        {
          if (start)
            replay_start (self);
          else
            replay_stop (self);
          continue;
        }
      for (guint t = 0; t < sonde_mock_rules_get_n_timers (self->plan.rules); t++)
        {
          if (g_strcmp0 (sonde_mock_rules_get_timer (self->plan.rules, t)->name, names[i]) != 0)
            continue;
          if (start)
            timer_start (self, t);
          else
            timer_stop (self, t);
        }
    }
}

static void
on_message (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            SondeReplayClient       *self)
{
  SondeMockRules *rules = self->plan.rules;
  const SondeMockRule *rule;
  SondeRecord record = { 0 };
  gsize length = 0;

  if (rules == NULL || !is_open (self))
    return;

  self->received++;
  record.wall_us = g_get_real_time ();
  record.direction = SONDE_DIRECTION_IN;
  record.kind = type == SOUP_WEBSOCKET_DATA_BINARY ? SONDE_MESSAGE_KIND_BINARY : SONDE_MESSAGE_KIND_TEXT;
  record.data = g_bytes_get_data (message, &length);
  record.size = record.stored_size = length;

  rule = sonde_mock_rules_match (rules, &record);
  if (rule != NULL)
    {
      for (guint i = 0; i < rule->reply->len && is_open (self); i++)
        send_template (self, g_ptr_array_index (rule->reply, i), message);
      apply_names (self, rule->stop, FALSE);
      apply_names (self, rule->start, TRUE);
      if (rule->close_code != 0)
        sonde_replay_client_close (self, rule->close_code, rule->close_reason);
    }

  if (sonde_mock_rules_get_close_after_received (rules) > 0 &&
      self->received >= sonde_mock_rules_get_close_after_received (rules))
    sonde_replay_client_close (self, sonde_mock_rules_get_close_after_code (rules),
                               sonde_mock_rules_get_close_after_reason (rules));
}

SondeReplayClient *
sonde_replay_client_new (const SondeReplayPlan   *plan,
                         SoupWebsocketConnection *ws,
                         GSocket                 *socket,
                         GMainContext            *context)
{
  SondeReplayClient *self = g_new0 (SondeReplayClient, 1);
  SondeMockRules *rules = plan->rules;

  self->plan = *plan;
  if (plan->source != NULL)
    sonde_replay_source_ref (plan->source);
  if (rules != NULL)
    sonde_mock_rules_ref (rules);
  self->ws = g_object_ref (ws);
  self->socket = socket != NULL ? g_object_ref (socket) : NULL;
  self->context = g_main_context_ref (context);
  self->timers = g_ptr_array_new ();

  /* Messages from clients may be large (a 5 MiB upload answered). */
  soup_websocket_connection_set_max_incoming_payload_size (ws, 64 * 1024 * 1024);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), self);

  if (rules != NULL)
    {
      GPtrArray *on_open = sonde_mock_rules_get_on_open (rules);

      g_ptr_array_set_size (self->timers, sonde_mock_rules_get_n_timers (rules));
      for (guint i = 0; i < on_open->len; i++)
        send_template (self, g_ptr_array_index (on_open, i), NULL);
      for (guint i = 0; i < sonde_mock_rules_get_n_timers (rules); i++)
        {
          if (!sonde_mock_rules_get_timer (rules, i)->paused)
            timer_start (self, i);
        }
    }

  if (rules == NULL || !sonde_mock_rules_starts_replay (rules))
    replay_start (self);
  return self;
}

SoupWebsocketConnection *
sonde_replay_client_get_connection (SondeReplayClient *self)
{
  return self->ws;
}

void
sonde_replay_client_close (SondeReplayClient *self,
                           guint16            code,
                           const char        *reason)
{
  gboolean was_open = is_open (self);

  self->closing = TRUE;
  self->playing = FALSE;
  destroy_source (&self->play_source);
  for (guint i = 0; i < self->timers->len; i++)
    timer_stop (self, i);

  if (!was_open)
    return;

  if (code == 1006)
    {
      /* The session ended without a Close frame: so does its replay. */
      g_io_stream_close (soup_websocket_connection_get_io_stream (self->ws), NULL, NULL);
      return;
    }
  /* 1005 (the session's end said no code): a Close frame without one. */
  soup_websocket_connection_close (self->ws, code, code == 1005 ? NULL : reason);
}

void
sonde_replay_client_free (SondeReplayClient *self)
{
  if (self == NULL)
    return;

  destroy_source (&self->play_source);
  for (guint i = 0; i < self->timers->len; i++)
    timer_stop (self, i);
  g_ptr_array_unref (self->timers);
  g_signal_handlers_disconnect_by_data (self->ws, self);
  g_object_unref (self->ws);
  g_clear_object (&self->socket);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->plan.source, sonde_replay_source_unref);
  g_clear_pointer (&self->plan.rules, sonde_mock_rules_unref);
  g_free (self);
}
