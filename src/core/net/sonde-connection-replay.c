/* sonde-connection-replay.c: a recording's records appended to the
 * connection's log as its link's batches would append them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A replay (session/sonde-session-player.c) has no link: it hands the
 * connection the recorded records one by one. Each goes into the log with
 * its recorded times, counts in the statistics as a live one does, and an
 * event that changes the state (connecting, open, closing, close, failed)
 * changes it, so that the session, its series feed (a gap where the
 * connection stopped being open) and its notifier see what they saw live.
 * Nothing is sent and no automation runs.
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <string.h>

#include "sonde-connection-private.h"

static void
count (SondeConnection   *self,
       const SondeRecord *record)
{
  if (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY)
    return;

  if (record->direction == SONDE_DIRECTION_IN)
    {
      self->stats.messages_in++;
      self->stats.bytes_in += record->size;
      self->stats.last_in_wall_us = record->wall_us;
    }
  else if (record->direction == SONDE_DIRECTION_OUT)
    {
      self->stats.messages_out++;
      self->stats.bytes_out += record->size;
      self->stats.last_out_wall_us = record->wall_us;
    }
}

/* The state an event record says the connection entered, or -1. */
static int
state_of (const SondeRecord *record)
{
  if (record->direction != SONDE_DIRECTION_EVENT)
    return -1;

  switch (record->kind)
    {
    case SONDE_MESSAGE_KIND_CONNECTING:
      return SONDE_CONNECTION_STATE_CONNECTING;
    case SONDE_MESSAGE_KIND_OPEN:
      return SONDE_CONNECTION_STATE_OPEN;
    case SONDE_MESSAGE_KIND_CLOSING:
      return SONDE_CONNECTION_STATE_CLOSING;
    case SONDE_MESSAGE_KIND_CLOSE:
      return SONDE_CONNECTION_STATE_CLOSED;
    case SONDE_MESSAGE_KIND_FAILED:
      return SONDE_CONNECTION_STATE_FAILED;
    case SONDE_MESSAGE_KIND_TEXT:
    case SONDE_MESSAGE_KIND_BINARY:
    case SONDE_MESSAGE_KIND_HANDSHAKE:
    case SONDE_MESSAGE_KIND_ERROR:
    case SONDE_MESSAGE_KIND_RECONNECT:
    case SONDE_MESSAGE_KIND_GAP:
    case SONDE_MESSAGE_KIND_LATENCY:
    case SONDE_MESSAGE_KIND_PING:
    case SONDE_MESSAGE_KIND_PONG:
    case SONDE_MESSAGE_KIND_FRAME:
    default:
      return -1;
    }
}

/* Appends @record (its payload, times, direction, kind and flags; its seq
 * is the log's own) between the log's begin_batch() and end_batch(), as
 * the link's batch does: property notifications should wait for the end
 * of the batch (g_object_freeze_notify() on the connection), so that
 * whoever reacts to a state has seen every record before it. Main thread.
 * Returns the log's seq of the record. */
guint64
sonde_connection_replay_append (SondeConnection   *self,
                                const SondeRecord *record)
{
  int state;
  guint64 seq;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), 0);
  g_return_val_if_fail (record != NULL, 0);
  g_return_val_if_fail (self->link == NULL, 0);

  count (self, record);
  seq = sonde_message_log_append_full (self->log, record->direction, record->kind, record->flags,
                                       record->wall_us, g_get_monotonic_time (),
                                       record->data, record->stored_size);
  state = state_of (record);
  if (state >= 0)
    sonde_connection_set_state_internal (self, (SondeConnectionState) state);
  return seq;
}

/* Back to before the first record: an empty log, no totals, disconnected
 * (a replay that starts again). */
void
sonde_connection_replay_reset (SondeConnection *self)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (self->link == NULL);

  sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_DISCONNECTED);
  sonde_message_log_clear (self->log);
  memset (&self->stats, 0, sizeof self->stats);
  memset (self->samples, 0, sizeof self->samples);
  self->sample_head = 0;
  self->n_samples = 0;
}

/* The end of a replay: a recording that did not end (the process died)
 * ends here, closed. */
void
sonde_connection_replay_end (SondeConnection *self)
{
  g_return_if_fail (SONDE_IS_CONNECTION (self));
  g_return_if_fail (self->link == NULL);

  switch (self->state)
    {
    case SONDE_CONNECTION_STATE_CONNECTING:
    case SONDE_CONNECTION_STATE_OPEN:
    case SONDE_CONNECTION_STATE_CLOSING:
    case SONDE_CONNECTION_STATE_WAITING:
      sonde_connection_set_state_internal (self, SONDE_CONNECTION_STATE_CLOSED);
      break;
    case SONDE_CONNECTION_STATE_DISCONNECTED:
    case SONDE_CONNECTION_STATE_CLOSED:
    case SONDE_CONNECTION_STATE_FAILED:
    default:
      break;
    }
}
