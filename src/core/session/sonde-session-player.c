/* sonde-session-player.c: a recorded session replayed into a session's log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The player reads one recorded session from a SondeStore and hands its
 * records, in order and with their recorded times, to the session's
 * connection (sonde_connection_replay_append()), which appends them to
 * the log as its link's batches would: the log view, the series feed, the
 * notifier, the decoder chain and the protocol mode's views see what they
 * saw live. The session is put in replay mode: it records nothing and its
 * protocol mode sends nothing.
 *
 * Records are read in chunks on the main thread (a chunk is one indexed
 * read of a few thousand rows). At a finite speed a timer hands over what
 * is due about 30 times a second, as the link does; as fast as possible,
 * and while a seek catches up, an idle appends for at most SLICE_US per
 * iteration, so the main loop draws between batches.
 */

#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-session-player.h"

#define CHUNK    2048     /* records read from the store at a time */
#define TICK_MS  33       /* hand-offs a second at a finite speed, as the link's */
#define SLICE_US 8000     /* the longest one iteration appends for */

struct _SondeSessionPlayer
{
  GObject                  parent_instance;

  /* owned */
  SondeSession            *session;
  SondeStore              *store;
  SondeStoreSession       *recorded;
  GArray                  *chunk;       /* SondeRecord; data NULL, see offsets */
  GArray                  *offsets;     /* gsize: each record's payload in arena */
  GByteArray              *arena;
  char                    *error;
  guint                    source_id;

  guint                    batch_max;   /* records one iteration appends at most */
  guint                    next;        /* the next record of chunk to play */
  guint64                  read_seq;    /* the store's seq to read from next */
  gboolean                 exhausted;   /* the store has nothing after chunk */
  SondeSessionPlayerState  state;
  double                   speed;
  gint64                   duration_us;
  gint64                   position_us;
  gint64                   anchor_mono_us; /* playing: position = anchor_pos + (now - anchor_mono) × speed */
  gint64                   anchor_pos_us;
  gint64                   target_us;   /* a seek catching up to it; -1: none */
};

G_DEFINE_FINAL_TYPE (SondeSessionPlayer, sonde_session_player, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (SondeSessionPlayerState, sonde_session_player_state,
                    G_DEFINE_ENUM_VALUE (SONDE_SESSION_PLAYER_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (SONDE_SESSION_PLAYER_PLAYING, "playing"),
                    G_DEFINE_ENUM_VALUE (SONDE_SESSION_PLAYER_ENDED, "ended"),
                    G_DEFINE_ENUM_VALUE (SONDE_SESSION_PLAYER_FAILED, "failed"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_SPEED,
  PROP_POSITION,
  PROP_DURATION,
  PROP_SEEKING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule (SondeSessionPlayer *self);

static void
set_state (SondeSessionPlayer      *self,
           SondeSessionPlayerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_position (SondeSessionPlayer *self,
              gint64              position_us)
{
  position_us = CLAMP (position_us, 0, self->duration_us);
  if (self->position_us == position_us)
    return;
  self->position_us = position_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static void
set_target (SondeSessionPlayer *self,
            gint64              target_us)
{
  gboolean was = self->target_us >= 0;

  self->target_us = target_us;
  if (was != (target_us >= 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEKING]);
}

static void
fail (SondeSessionPlayer *self,
      const GError       *error)
{
  g_free (self->error);
  /* Translators: %s says why a recorded session could not be read. */
  self->error = g_strdup_printf (_("The recording could not be read: %s"), error->message);
  g_clear_handle_id (&self->source_id, g_source_remove);
  set_target (self, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  set_state (self, SONDE_SESSION_PLAYER_FAILED);
}

/* Reading -------------------------------------------------------------- */

static gboolean
keep_record (const SondeRecord *record,
             gpointer           user_data)
{
  SondeSessionPlayer *self = user_data;
  SondeRecord copy = *record;
  gsize offset = self->arena->len;

  copy.data = NULL;
  g_byte_array_append (self->arena, record->data, (guint) record->stored_size);
  g_array_append_val (self->chunk, copy);
  g_array_append_val (self->offsets, offset);
  self->read_seq = record->seq + 1;
  return self->chunk->len < CHUNK;
}

/* The next chunk; FALSE on an error (failed). */
static gboolean
refill (SondeSessionPlayer *self)
{
  g_autoptr(GError) error = NULL;

  g_array_set_size (self->chunk, 0);
  g_array_set_size (self->offsets, 0);
  g_byte_array_set_size (self->arena, 0);
  self->next = 0;
  if (!sonde_store_read_records (self->store, self->recorded->id, self->read_seq, keep_record, self, &error))
    {
      fail (self, error);
      return FALSE;
    }
  self->exhausted = self->chunk->len < CHUNK;
  return TRUE;
}

/* Back to before the first record: the log, its totals and the series
 * empty, the connection disconnected. */
static void
rewind (SondeSessionPlayer *self)
{
  SondeConnection *connection = sonde_session_get_connection (self->session);

  sonde_connection_replay_reset (connection);
  sonde_series_feed_clear (sonde_session_get_feed (self->session));
  g_array_set_size (self->chunk, 0);
  g_array_set_size (self->offsets, 0);
  g_byte_array_set_size (self->arena, 0);
  self->next = 0;
  self->read_seq = 0;
  self->exhausted = FALSE;
  set_position (self, 0);
}

/* Playing -------------------------------------------------------------- */

/* The recording is over: a session that did not end in the recording (the
 * process died) ends here. */
static void
finish (SondeSessionPlayer *self)
{
  SondeConnection *connection = sonde_session_get_connection (self->session);

  g_clear_handle_id (&self->source_id, g_source_remove);
  set_target (self, -1);
  set_position (self, self->duration_us);
  sonde_connection_replay_end (connection);
  set_state (self, SONDE_SESSION_PLAYER_ENDED);
}

/* Whether the source running is still the player's: finish(), fail() and
 * schedule() remove it (and may add another) from inside it. */
static gboolean
still_current (SondeSessionPlayer *self)
{
  GSource *current = g_main_current_source ();

  return self->source_id != 0 && current != NULL && g_source_get_id (current) == self->source_id
         ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* One iteration: the records due, for at most SLICE_US. */
static gboolean
step (gpointer user_data)
{
  SondeSessionPlayer *self = user_data;
  SondeConnection *connection = sonde_session_get_connection (self->session);
  SondeMessageLog *log = sonde_session_get_log (self->session);
  gint64 began = g_get_monotonic_time ();
  gint64 limit;
  gint64 last_offset = -1;
  gboolean out_of_time = FALSE;
  gboolean ended;
  gboolean again;
  guint n = 0;

  if (self->target_us >= 0)
    limit = self->target_us;
  else if (self->speed <= SONDE_SESSION_PLAYER_SPEED_MAX)
    limit = G_MAXINT64;
  else
    limit = self->anchor_pos_us + (gint64) ((double) (began - self->anchor_mono_us) * self->speed);

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (connection));
  sonde_message_log_begin_batch (log);
  for (;;)
    {
      SondeRecord record;
      gint64 offset;

      if (self->next >= self->chunk->len)
        {
          if (self->exhausted || !refill (self) || self->chunk->len == 0)
            break;
        }
      record = g_array_index (self->chunk, SondeRecord, self->next);
      offset = record.wall_us - self->recorded->start_us;
      if (offset > limit)
        break;
      record.data = self->arena->data + g_array_index (self->offsets, gsize, self->next);
      sonde_connection_replay_append (connection, &record);
      self->next++;
      last_offset = offset;
      if (++n >= self->batch_max || ((n & 63) == 0 && g_get_monotonic_time () - began >= SLICE_US))
        {
          out_of_time = TRUE;
          break;
        }
    }
  sonde_message_log_end_batch (log);
  g_object_thaw_notify (G_OBJECT (connection));

  /* What the batch cost includes its readers (the filter, the series, the
   * notifier, the decoder) at end_batch(): the next batch is sized to fit
   * SLICE_US with them. */
  if (out_of_time)
    {
      gint64 took = MAX (1, g_get_monotonic_time () - began);

      if (took > SLICE_US)
        self->batch_max = (guint) MAX (64, (gint64) n * SLICE_US / took);
      else if (took < SLICE_US / 2)
        self->batch_max = MIN (self->batch_max * 2, 1u << 16);
    }

  if (self->state == SONDE_SESSION_PLAYER_FAILED)
    {
      g_object_unref (self);
      return G_SOURCE_REMOVE;
    }

  ended = self->exhausted && self->next >= self->chunk->len;

  if (self->target_us >= 0)
    {
      if (out_of_time)
        {
          set_position (self, MAX (self->position_us, last_offset));
        }
      else
        {
          /* Caught up: on at the speed chosen, or paused there. */
          set_position (self, self->target_us);
          set_target (self, -1);
          self->anchor_pos_us = self->position_us;
          self->anchor_mono_us = g_get_monotonic_time ();
          if (self->state == SONDE_SESSION_PLAYER_PLAYING && ended &&
              self->speed <= SONDE_SESSION_PLAYER_SPEED_MAX)
            finish (self);
          else
            schedule (self);
          g_object_unref (self);
          return G_SOURCE_REMOVE;
        }
    }
  else if (self->speed <= SONDE_SESSION_PLAYER_SPEED_MAX)
    {
      if (last_offset >= 0)
        set_position (self, last_offset);
      if (ended)
        finish (self);
    }
  else
    {
      set_position (self, limit);
      if (ended && limit >= self->duration_us)
        finish (self);
    }

  again = still_current (self);
  g_object_unref (self);
  return again;
}

/* The source that plays: an idle as fast as possible or while a seek
 * catches up, a timer while playing at a speed, none while paused. */
static void
schedule (SondeSessionPlayer *self)
{
  g_clear_handle_id (&self->source_id, g_source_remove);
  if (self->state == SONDE_SESSION_PLAYER_FAILED)
    return;
  if (self->target_us >= 0 ||
      (self->state == SONDE_SESSION_PLAYER_PLAYING && self->speed <= SONDE_SESSION_PLAYER_SPEED_MAX))
    self->source_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, step, self, NULL);
  else if (self->state == SONDE_SESSION_PLAYER_PLAYING)
    self->source_id = g_timeout_add_full (G_PRIORITY_DEFAULT, TICK_MS, step, self, NULL);
}

/* GObject ------------------------------------------------------------------ */

static void
sonde_session_player_dispose (GObject *object)
{
  SondeSessionPlayer *self = SONDE_SESSION_PLAYER (object);

  g_clear_handle_id (&self->source_id, g_source_remove);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sonde_session_player_parent_class)->dispose (object);
}

static void
sonde_session_player_finalize (GObject *object)
{
  SondeSessionPlayer *self = SONDE_SESSION_PLAYER (object);

  g_clear_pointer (&self->recorded, sonde_store_session_free);
  g_array_unref (self->chunk);
  g_array_unref (self->offsets);
  g_byte_array_unref (self->arena);
  g_free (self->error);

  G_OBJECT_CLASS (sonde_session_player_parent_class)->finalize (object);
}

static void
sonde_session_player_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SondeSessionPlayer *self = SONDE_SESSION_PLAYER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_POSITION:
      g_value_set_int64 (value, self->position_us);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration_us);
      break;
    case PROP_SEEKING:
      g_value_set_boolean (value, self->target_us >= 0);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_session_player_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SondeSessionPlayer *self = SONDE_SESSION_PLAYER (object);

  switch (prop_id)
    {
    case PROP_SPEED:
      sonde_session_player_set_speed (self, g_value_get_double (value));
      break;
    case PROP_POSITION:
      sonde_session_player_seek (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_session_player_class_init (SondeSessionPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = sonde_session_player_dispose;
  object_class->finalize = sonde_session_player_finalize;
  object_class->get_property = sonde_session_player_get_property;
  object_class->set_property = sonde_session_player_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SONDE_TYPE_SESSION_PLAYER_STATE, SONDE_SESSION_PLAYER_PAUSED, ro);
  properties[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0, 1e6, 1, rw);
  properties[PROP_POSITION] = g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SEEKING] = g_param_spec_boolean ("seeking", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_session_player_init (SondeSessionPlayer *self)
{
  self->chunk = g_array_sized_new (FALSE, FALSE, sizeof (SondeRecord), CHUNK);
  self->offsets = g_array_sized_new (FALSE, FALSE, sizeof (gsize), CHUNK);
  self->arena = g_byte_array_new ();
  self->speed = 1;
  self->target_us = -1;
  self->batch_max = 256;
}

/* The session replays as it would run @profile (NULL: an ad-hoc URL's):
 * its decoder chain, protocol mode, notification rules and charts. The
 * session is not linked to the profile: a chart or rule tuned on the
 * replay is not saved. */
static void
apply_profile (SondeSession *session,
               SondeProfile *profile)
{
  const char *descriptor = NULL;
  const char *type = NULL;
  const char *spec = sonde_profile_get_decode (profile, &descriptor, &type);
  const SondeAppProtocolOptions *options = NULL;
  SondeAppProtocolKind kind = sonde_profile_get_app_protocol (profile, &options);
  g_autoptr(GError) error = NULL;

  if (!sonde_session_set_decoder (session, spec, descriptor, type, &error))
    {
      g_debug ("Replay of “%s” without its decoder: %s", sonde_profile_get_name (profile), error->message);
      g_clear_error (&error);
    }
  if (kind != SONDE_APP_PROTOCOL_NONE)
    sonde_session_set_app_protocol (session, kind, options);
  if (!sonde_notifier_set_rules (sonde_session_get_notifier (session), sonde_profile_get_notifications (profile),
                                 &error))
    {
      g_debug ("Replay of “%s” without notifications: %s", sonde_profile_get_name (profile), error->message);
      g_clear_error (&error);
    }
  if (sonde_chart_list_is_empty (sonde_session_get_charts (session)) && sonde_profile_get_charts (profile) != NULL &&
      !sonde_chart_list_load_json (sonde_session_get_charts (session), sonde_profile_get_charts (profile), &error))
    g_debug ("Replay of “%s”: its charts: %s", sonde_profile_get_name (profile), error->message);
}

/* The recording's last record's time, for one that did not end. */
static gboolean
read_last (const SondeRecord *record,
           gpointer           user_data)
{
  *(gint64 *) user_data = record->wall_us;
  return FALSE;
}

/* Replays the session @session_id of @store into @session (new, never
 * connected: it is put in replay mode), read as @profile (or NULL) reads
 * it. Paused at the start. */
SondeSessionPlayer *
sonde_session_player_new (SondeSession  *session,
                          SondeStore    *store,
                          gint64         session_id,
                          SondeProfile  *profile,
                          GError       **error)
{
  g_autoptr(SondeSessionPlayer) self = NULL;
  SondeMessageLog *log;
  gint64 end_us;

  g_return_val_if_fail (SONDE_IS_SESSION (session), NULL);
  g_return_val_if_fail (SONDE_IS_STORE (store), NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (!sonde_session_get_active (session), NULL);

  self = g_object_new (SONDE_TYPE_SESSION_PLAYER, NULL);
  self->recorded = sonde_store_get_session (store, session_id, error);
  if (self->recorded == NULL)
    return NULL;
  self->session = g_object_ref (session);
  self->store = g_object_ref (store);

  end_us = self->recorded->end_us;
  if (end_us <= 0)
    {
      guint64 last_seq;

      end_us = self->recorded->start_us;
      if (sonde_store_seek_time (store, session_id, G_MAXINT64, &last_seq, NULL))
        sonde_store_read_records (store, session_id, last_seq, read_last, &end_us, NULL);
    }
  self->duration_us = MAX (0, end_us - self->recorded->start_us);

  sonde_session_set_replaying (session);
  if (profile != NULL)
    apply_profile (session, profile);
  log = sonde_session_get_log (session);
  sonde_message_log_set_max_count (log, (guint) MIN (MAX (self->recorded->records + 64,
                                                          SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT), G_MAXUINT));
  return g_steal_pointer (&self);
}

SondeSession *
sonde_session_player_get_session (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), NULL);

  return self->session;
}

const SondeStoreSession *
sonde_session_player_get_recorded (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), NULL);

  return self->recorded;
}

void
sonde_session_player_play (SondeSessionPlayer *self)
{
  g_return_if_fail (SONDE_IS_SESSION_PLAYER (self));

  if (self->state == SONDE_SESSION_PLAYER_PLAYING || self->state == SONDE_SESSION_PLAYER_FAILED)
    return;
  if (self->state == SONDE_SESSION_PLAYER_ENDED)
    rewind (self);
  self->anchor_pos_us = self->position_us;
  self->anchor_mono_us = g_get_monotonic_time ();
  set_state (self, SONDE_SESSION_PLAYER_PLAYING);
  schedule (self);
}

void
sonde_session_player_pause (SondeSessionPlayer *self)
{
  g_return_if_fail (SONDE_IS_SESSION_PLAYER (self));

  if (self->state != SONDE_SESSION_PLAYER_PLAYING)
    return;
  set_state (self, SONDE_SESSION_PLAYER_PAUSED);
  schedule (self);
}

SondeSessionPlayerState
sonde_session_player_get_state (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), SONDE_SESSION_PLAYER_FAILED);

  return self->state;
}

double
sonde_session_player_get_speed (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), 1);

  return self->speed;
}

void
sonde_session_player_set_speed (SondeSessionPlayer *self,
                                double              speed)
{
  g_return_if_fail (SONDE_IS_SESSION_PLAYER (self));

  speed = MAX (speed, SONDE_SESSION_PLAYER_SPEED_MAX);
  if (self->speed == speed)
    return;
  self->speed = speed;
  self->anchor_pos_us = self->position_us;
  self->anchor_mono_us = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  schedule (self);
}

gint64
sonde_session_player_get_position (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), 0);

  return self->position_us;
}

gint64
sonde_session_player_get_duration (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), 0);

  return self->duration_us;
}

void
sonde_session_player_seek (SondeSessionPlayer *self,
                           gint64              position_us)
{
  g_return_if_fail (SONDE_IS_SESSION_PLAYER (self));

  if (self->state == SONDE_SESSION_PLAYER_FAILED)
    return;
  position_us = CLAMP (position_us, 0, self->duration_us);
  if (position_us < self->position_us)
    rewind (self);
  if (self->state == SONDE_SESSION_PLAYER_ENDED)
    set_state (self, SONDE_SESSION_PLAYER_PAUSED);
  set_target (self, position_us);
  schedule (self);
}

gboolean
sonde_session_player_get_seeking (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), FALSE);

  return self->target_us >= 0;
}

const char *
sonde_session_player_get_error (SondeSessionPlayer *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (self), NULL);

  return self->error;
}
