/* sonde-history-page-replay.c: a recorded session played into the page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * History's Replay opens the page over a SondeSession of its own that a
 * SondeSessionPlayer fills from the recording, as a connection would: the
 * log view follows the rows as they arrive, the charts are the session's
 * (the profile's definitions; a chart or rule changed here is not saved),
 * and its notification rules fire; their alerts show on the page, except
 * those of what a seek plays through at once. The
 * slider, the time entry and the loading bar give way to a transport bar
 * (SondeReplayBar).
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-history-item.h"
#include "sonde-history-page-private.h"
#include "sonde-store-sqlite.h"

/* The session and its player; FALSE (and the page says why) when the
 * recording cannot be read. */
gboolean
sonde_history_page_replay_prepare (SondeHistoryPage  *self,
                                   GError           **error)
{
  g_autoptr(SondeStore) store = sonde_history_page_open_store (self, error);

  if (store == NULL)
    return FALSE;
  self->live = sonde_session_new ();
  self->player = sonde_session_player_new (self->live, store, self->session_id, self->profile, error);
  if (self->player == NULL)
    {
      g_clear_object (&self->live);
      return FALSE;
    }
  self->connection = g_object_ref (sonde_session_get_connection (self->live));
  return TRUE;
}

static void
on_alert (SondeHistoryPage *self,
          const char       *title,
          const char       *body,
          guint64           seq)
{
  g_autofree char *text = NULL;

  /* What a seek plays through (or rebuilds) was not watched: no alert. */
  if (sonde_session_player_get_seeking (self->player))
    return;
  self->n_alerts++;
  /* Translators: a notification rule's alert during a replay: its title, then what it says. */
  text = g_strdup_printf (_("Alert: %s — %s"), title, body);
  gtk_label_set_label (self->note_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
}

static void
on_player_state (SondeHistoryPage *self)
{
  if (sonde_session_player_get_state (self->player) == SONDE_SESSION_PLAYER_FAILED)
    {
      g_free (self->error);
      self->error = g_strdup (sonde_session_player_get_error (self->player));
      gtk_label_set_label (self->note_label, self->error);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
}

/* The handshake, in the connection panel, once it is replayed (a seek back
 * that rebuilds the log keeps it shown). */
static void
on_log_items_changed (SondeHistoryPage *self,
                      guint             position,
                      guint             removed,
                      guint             added,
                      GListModel       *log)
{
  if (self->handshake_seq != G_MAXUINT64)
    return;
  for (guint i = position; i < position + added; i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (SONDE_MESSAGE_LOG (log), i, &record) &&
          record.direction == SONDE_DIRECTION_EVENT && record.kind == SONDE_MESSAGE_KIND_HANDSHAKE)
        {
          self->handshake_seq = record.seq;
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "recording.handshake", TRUE);
          sonde_history_page_show_handshake (self, record.data, record.stored_size);
          return;
        }
    }
}

/* Once the page is built: the replay's title and its transport bar. */
void
sonde_history_page_replay_start (SondeHistoryPage *self)
{
  const char *name = self->profile != NULL ? sonde_profile_get_name (self->profile) : NULL;
  g_autofree char *start = sonde_history_format_time (self->session->start_us, TRUE);
  GtkWidget *box = gtk_widget_get_parent (GTK_WIDGET (self->time_scale));

  g_free (self->title);
  if (name != NULL && *name != '\0')
    /* Translators: a replayed session's tab: the profile's name, then the recording's start time. */
    self->title = g_strdup_printf (_("Replay: %s, %s"), name, start);
  else
    /* Translators: a replayed ad-hoc session's tab; %s is the recording's start time. */
    self->title = g_strdup_printf (_("Replay: %s"), start);
  gtk_label_set_label (self->title_label, self->title);
  {
    g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, self->session->messages);
    /* Translators: under a replay's title: its URL and number of messages. */
    g_autofree char *subtitle = g_strdup_printf (_("%s · %s messages · replayed as if live"),
                                                 self->session->url != NULL ? self->session->url : "", n);

    gtk_label_set_label (self->subtitle_label, subtitle);
  }

  gtk_widget_set_visible (GTK_WIDGET (self->time_entry), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->time_scale), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->load_bar), FALSE);
  self->replay_bar = SONDE_REPLAY_BAR (sonde_replay_bar_new (self->player));
  gtk_box_insert_child_after (GTK_BOX (box), GTK_WIDGET (self->replay_bar), GTK_WIDGET (self->time_scale));

  /* Shown whole, as History shows a recording: not the last minute
   * before now. */
  sonde_chart_list_set_window_s (sonde_session_get_charts (self->live), 0);
  g_signal_connect_object (sonde_session_get_notifier (self->live), "alert", G_CALLBACK (on_alert), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::state", G_CALLBACK (on_player_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sonde_connection_get_log (self->connection), "items-changed",
                           G_CALLBACK (on_log_items_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sonde_history_page_new_replay (const char   *path,
                               gint64        session_id,
                               SondeProfile *profile)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_HISTORY_PAGE, "path", path, "session-id", session_id, "profile", profile,
                       "replay", TRUE, NULL);
}

gboolean
sonde_history_page_get_replay (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), FALSE);

  return self->replay;
}

SondeSessionPlayer *
sonde_history_page_get_player (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), NULL);

  return self->player;
}

guint64
sonde_history_page_get_n_alerts (SondeHistoryPage *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_PAGE (self), 0);

  return self->n_alerts;
}
