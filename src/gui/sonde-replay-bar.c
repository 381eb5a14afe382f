/* sonde-replay-bar.c: the transport bar of a replayed session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view over a SondeSessionPlayer: play and pause, the speed (1×, 10×,
 * 100×, as fast as possible), a position slider with the time played and
 * the recording's length, and what the player is doing (playing, paused,
 * ended). Moving the slider seeks once it has stood still for a moment:
 * back, the page's log and charts are rebuilt from the start.
 */

#define G_LOG_DOMAIN "sonde-replay"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-replay-bar.h"

#define SETTLE_MS 150

struct _SondeReplayBar
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkButton          *play_button;
  GtkDropDown        *speed_drop;
  GtkScale           *position_scale;
  GtkLabel           *time_label;
  GtkLabel           *state_label;

  /* owned */
  SondeSessionPlayer *player;
  char               *time_text;
  guint               settle_id;
};

G_DEFINE_FINAL_TYPE (SondeReplayBar, sonde_replay_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLAYER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const double speeds[] = { 1, 10, 100, SONDE_SESSION_PLAYER_SPEED_MAX };

static void on_scale_changed (SondeReplayBar *self);

/* "1:05", or "1:02:05" past an hour. */
static char *
format_span (gint64 us)
{
  gint64 s = us / G_USEC_PER_SEC;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", s / 60, (int) (s % 60));
}

static void
update_position (SondeReplayBar *self)
{
  gint64 position = sonde_session_player_get_position (self->player);
  gint64 duration = sonde_session_player_get_duration (self->player);
  g_autofree char *at = format_span (position);
  g_autofree char *length = format_span (duration);

  g_free (self->time_text);
  /* Translators: the replay's position and the recording's length: "0:12 / 3:20". */
  self->time_text = g_strdup_printf (_("%s / %s"), at, length);
  gtk_label_set_label (self->time_label, self->time_text);

  /* The slider follows, unless it is being moved (a seek pending). */
  if (self->settle_id == 0)
    {
      g_signal_handlers_block_by_func (self->position_scale, on_scale_changed, self);
      gtk_range_set_range (GTK_RANGE (self->position_scale), 0, MAX (1.0, (double) duration / G_USEC_PER_SEC));
      gtk_range_set_value (GTK_RANGE (self->position_scale), (double) position / G_USEC_PER_SEC);
      g_signal_handlers_unblock_by_func (self->position_scale, on_scale_changed, self);
    }
}

static void
update_state (SondeReplayBar *self)
{
  SondeSessionPlayerState state = sonde_session_player_get_state (self->player);
  gboolean playing = state == SONDE_SESSION_PLAYER_PLAYING;
  const char *text;

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, playing ? _("Pause") : _("Play"), -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "replay.play-pause", state != SONDE_SESSION_PLAYER_FAILED);

  switch (state)
    {
    case SONDE_SESSION_PLAYER_PLAYING:
      text = sonde_session_player_get_seeking (self->player) ? _("Seeking…") : _("Playing");
      break;
    case SONDE_SESSION_PLAYER_PAUSED:
      text = sonde_session_player_get_seeking (self->player) ? _("Seeking…") : _("Paused");
      break;
    case SONDE_SESSION_PLAYER_ENDED:
      text = C_("replay state", "Ended");
      break;
    case SONDE_SESSION_PLAYER_FAILED:
    default:
      text = _("Failed");
      break;
    }
  gtk_label_set_label (self->state_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label), sonde_session_player_get_error (self->player));
}

static void
update_speed (SondeReplayBar *self)
{
  double speed = sonde_session_player_get_speed (self->player);

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (speeds[i] == speed && gtk_drop_down_get_selected (self->speed_drop) != i)
      gtk_drop_down_set_selected (self->speed_drop, i);
}

static void
on_speed_selected (SondeReplayBar *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_drop);

  if (self->player != NULL && i < G_N_ELEMENTS (speeds))
    sonde_session_player_set_speed (self->player, speeds[i]);
}

static gboolean
on_settled (gpointer data)
{
  SondeReplayBar *self = data;

  self->settle_id = 0;
  sonde_session_player_seek (self->player,
                             (gint64) (gtk_range_get_value (GTK_RANGE (self->position_scale)) * G_USEC_PER_SEC));
  return G_SOURCE_REMOVE;
}

static void
on_scale_changed (SondeReplayBar *self)
{
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SETTLE_MS, on_settled, self);
}

static void
on_play_pause_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (widget);

  if (sonde_session_player_get_state (self->player) == SONDE_SESSION_PLAYER_PLAYING)
    sonde_session_player_pause (self->player);
  else
    sonde_session_player_play (self->player);
}

static void
on_speed_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (widget);

  sonde_session_player_set_speed (self->player, g_variant_get_double (parameter));
}

static void
sonde_replay_bar_constructed (GObject *object)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (object);

  G_OBJECT_CLASS (sonde_replay_bar_parent_class)->constructed (object);

  g_signal_connect_object (self->player, "notify::position", G_CALLBACK (update_position), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::duration", G_CALLBACK (update_position), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::state", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::seeking", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::speed", G_CALLBACK (update_speed), self, G_CONNECT_SWAPPED);
  update_speed (self);
  update_position (self);
  update_state (self);
}

static void
sonde_replay_bar_dispose (GObject *object)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_REPLAY_BAR);
  /* The template's box is not bound: unparented here. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (sonde_replay_bar_parent_class)->dispose (object);
}

static void
sonde_replay_bar_finalize (GObject *object)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (object);

  g_free (self->time_text);

  G_OBJECT_CLASS (sonde_replay_bar_parent_class)->finalize (object);
}

static void
sonde_replay_bar_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (object);

  switch (prop_id)
    {
    case PROP_PLAYER:
      g_value_set_object (value, self->player);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_replay_bar_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SondeReplayBar *self = SONDE_REPLAY_BAR (object);

  switch (prop_id)
    {
    case PROP_PLAYER:
      self->player = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_replay_bar_class_init (SondeReplayBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_replay_bar_constructed;
  object_class->dispose = sonde_replay_bar_dispose;
  object_class->finalize = sonde_replay_bar_finalize;
  object_class->get_property = sonde_replay_bar_get_property;
  object_class->set_property = sonde_replay_bar_set_property;

  properties[PROP_PLAYER] =
    g_param_spec_object ("player", NULL, NULL, SONDE_TYPE_SESSION_PLAYER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-replay-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeReplayBar, play_button);
  gtk_widget_class_bind_template_child (widget_class, SondeReplayBar, speed_drop);
  gtk_widget_class_bind_template_child (widget_class, SondeReplayBar, position_scale);
  gtk_widget_class_bind_template_child (widget_class, SondeReplayBar, time_label);
  gtk_widget_class_bind_template_child (widget_class, SondeReplayBar, state_label);
  gtk_widget_class_bind_template_callback (widget_class, on_speed_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_scale_changed);

  gtk_widget_class_install_action (widget_class, "replay.play-pause", NULL, on_play_pause_action);
  gtk_widget_class_install_action (widget_class, "replay.speed", "d", on_speed_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "replay.play-pause", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sonde_replay_bar_init (SondeReplayBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sonde_replay_bar_new (SondeSessionPlayer *player)
{
  g_return_val_if_fail (SONDE_IS_SESSION_PLAYER (player), NULL);

  return g_object_new (SONDE_TYPE_REPLAY_BAR, "player", player, NULL);
}

SondeSessionPlayer *
sonde_replay_bar_get_player (SondeReplayBar *self)
{
  g_return_val_if_fail (SONDE_IS_REPLAY_BAR (self), NULL);

  return self->player;
}

const char *
sonde_replay_bar_get_time_text (SondeReplayBar *self)
{
  g_return_val_if_fail (SONDE_IS_REPLAY_BAR (self), NULL);

  return self->time_text;
}
