/* sonde-filter-model-scan.c: how the filter model keeps up with its log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which records a filter lets through; the scan that matches them in
 * slices on the main loop and announces each slice's finds; new records
 * joining it (or waiting while paused); the log's evictions leaving the
 * model from its head unless the head is held. The object and its
 * settings are sonde-filter-model.c.
 */

#define G_LOG_DOMAIN "sonde-filter-model"

#include "config.h"

#include <string.h>

#include "sonde-filter-model-private.h"
#include "sonde-log-enums.h"

gboolean
sonde_filter_model_is_filtering (SondeFilterModel *self)
{
  return self->matcher != NULL ||
         self->directions != SONDE_FILTER_DIRECTION_ALL ||
         self->kinds != SONDE_FILTER_KIND_ALL;
}

/* The SondeFilterKinds bit that @record falls under; 0 for events that
 * no kind toggle hides. */
static guint
record_kind_bit (const SondeRecord *record)
{
  switch (record->kind)
    {
    case SONDE_MESSAGE_KIND_PING:
    case SONDE_MESSAGE_KIND_PONG:
      return SONDE_FILTER_KIND_PINGS;
    case SONDE_MESSAGE_KIND_FRAME:
      return SONDE_FILTER_KIND_FRAMES;
    case SONDE_MESSAGE_KIND_BINARY:
      return record->direction == SONDE_DIRECTION_EVENT ? 0 : SONDE_FILTER_KIND_BINARY;
    case SONDE_MESSAGE_KIND_TEXT:
    case SONDE_MESSAGE_KIND_CONNECTING:
    case SONDE_MESSAGE_KIND_HANDSHAKE:
    case SONDE_MESSAGE_KIND_OPEN:
    case SONDE_MESSAGE_KIND_CLOSING:
    case SONDE_MESSAGE_KIND_CLOSE:
    case SONDE_MESSAGE_KIND_ERROR:
    case SONDE_MESSAGE_KIND_FAILED:
    case SONDE_MESSAGE_KIND_RECONNECT:
    case SONDE_MESSAGE_KIND_GAP:
    case SONDE_MESSAGE_KIND_LATENCY:
    default:
      return record->direction == SONDE_DIRECTION_EVENT ? 0 : SONDE_FILTER_KIND_TEXT;
    }
}

guint64
sonde_filter_model_log_first_seq (SondeFilterModel *self)
{
  return MAX (self->view_start, sonde_message_log_get_first_seq (self->log));
}

/* Records before it may be shown: the log's end, or where the model had
 * got to when it was paused. */
static guint64
shown_end (SondeFilterModel *self)
{
  if (self->paused)
    return self->pause_end;

  return sonde_message_log_get_next_seq (self->log);
}

guint
sonde_filter_model_count_items (SondeFilterModel *self)
{
  if (sonde_filter_model_is_filtering (self))
    return self->index->len;

  return self->scan_end > self->lower ? (guint) (self->scan_end - self->lower) : 0;
}

/* How many entries of the filter's index come before @seq: the position
 * @seq has, or would have, in it. */
guint
sonde_filter_model_index_lower_bound (SondeFilterModel *self,
                                      guint64           seq)
{
  guint lo = 0, hi = self->index->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->index, guint64, mid) < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Announces a change and keeps n_items to what listeners were told: the
 * filter settings change before the old count is withdrawn, so the count
 * must never be recomputed from them. */
static void
emit_items_changed (SondeFilterModel *self,
                    guint             position,
                    guint             removed,
                    guint             added)
{
  g_assert (removed <= self->n_items);

  self->n_items = self->n_items - removed + added;
  g_assert (self->n_items == sonde_filter_model_count_items (self));
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* Whether the current filter lets @record through (the paused and cleared
 * states aside). */
gboolean
sonde_filter_model_record_matches (SondeFilterModel  *self,
                                   const SondeRecord *record)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!(self->directions & (1u << record->direction)))
    return FALSE;

  {
    guint kind = record_kind_bit (record);

    if (kind != 0 && !(self->kinds & kind))
      return FALSE;
    /* A protocol mode's upkeep (its pings, acks, heart-beats) goes with the
     * pings. */
    if (!(self->kinds & SONDE_FILTER_KIND_PINGS) && (kind == SONDE_FILTER_KIND_TEXT || kind == SONDE_FILTER_KIND_BINARY))
      {
        SondeRecordViews *views = sonde_message_log_get_views (self->log);
        gboolean upkeep = FALSE;

        if (sonde_record_views_has_func (views) && (sonde_record_views_get_label (views, record, &upkeep), upkeep))
          return FALSE;
      }
  }

  return self->matcher == NULL ||
         sonde_record_matcher_matches_view (self->matcher, sonde_message_log_get_views (self->log), record);
}

void
sonde_filter_model_set_scanning (SondeFilterModel *self,
                                 gboolean          scanning)
{
  if ((self->scan_source != NULL) == scanning)
    return;

  if (scanning)
    {
      sonde_filter_model_schedule_scan (self);
    }
  else
    {
      g_source_destroy (self->scan_source);
      g_clear_pointer (&self->scan_source, g_source_unref);
    }

  sonde_filter_model_notify (self, PROP_SCANNING);
}

/* Matches records from scan_end on for at most one slice, then announces
 * what it found. Returns TRUE when the scan reached the end of the log. */
static gboolean
scan_slice (SondeFilterModel *self)
{
  guint64 end = shown_end (self);
  gint64 deadline = g_get_monotonic_time () + SONDE_FILTER_SLICE_US;
  guint old_len = self->index->len;
  guint stride = 0;

  self->scan_end = MAX (self->scan_end, sonde_filter_model_log_first_seq (self));

  while (self->scan_end < end)
    {
      SondeRecord record;

      if (sonde_message_log_lookup_seq (self->log, self->scan_end, &record) &&
          sonde_filter_model_record_matches (self, &record))
        g_array_append_val (self->index, self->scan_end);
      self->scan_end++;

      if (++stride == CLOCK_STRIDE)
        {
          stride = 0;
          if (g_get_monotonic_time () >= deadline)
            break;
        }
    }

  emit_items_changed (self, old_len, 0, self->index->len - old_len);

  return self->scan_end >= end;
}

static gboolean
on_scan (gpointer data)
{
  /* A listener of items-changed may drop the last reference. */
  g_autoptr(SondeFilterModel) self = g_object_ref (data);
  GSource *source = g_main_current_source ();
  gboolean done = scan_slice (self);

  /* A listener may also have stopped this scan or started another: that
   * one is not ours to end. */
  if (source != self->scan_source)
    return G_SOURCE_REMOVE;

  if (!done)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->scan_source, g_source_unref);
  sonde_filter_model_notify (self, PROP_SCANNING);
  return G_SOURCE_REMOVE;
}

void
sonde_filter_model_schedule_scan (SondeFilterModel *self)
{
  if (self->scan_source != NULL)
    return;

  /* After redraws (GDK_PRIORITY_REDRAW), so a long scan never delays a
   * frame by more than one slice. */
  self->scan_source = g_idle_source_new ();
  g_source_set_priority (self->scan_source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (self->scan_source, "[sonde] filter scan");
  g_source_set_callback (self->scan_source, on_scan, self, NULL);
  g_source_attach (self->scan_source, g_main_context_get_thread_default ());
}

/* Brings the model up to the log's newest record (or, paused, to where it
 * was), or starts the scan that will. */
void
sonde_filter_model_advance (SondeFilterModel *self)
{
  guint64 end = shown_end (self);

  if (self->scan_end >= end)
    return;

  if (sonde_filter_model_is_filtering (self))
    {
      sonde_filter_model_set_scanning (self, TRUE);
      return;
    }

  /* Without a filter the rows are every seq from lower on: records
   * evicted before they were ever shown (while paused) leave no gap. */
  if (sonde_filter_model_log_first_seq (self) > self->scan_end)
    sonde_filter_model_drop_evicted (self, TRUE);

  {
    guint old_n = self->n_items;

    self->scan_end = end;
    emit_items_changed (self, old_n, 0, sonde_filter_model_count_items (self) - old_n);
  }
}

/* Forgets every result and considers the log again from the first visible
 * record: after a filter change or a clear. */
void
sonde_filter_model_restart (SondeFilterModel *self)
{
  sonde_filter_model_set_scanning (self, FALSE);
  g_array_set_size (self->index, 0);
  self->lower = sonde_filter_model_log_first_seq (self);
  self->scan_end = self->lower;

  emit_items_changed (self, 0, self->n_items, 0);

  sonde_filter_model_advance (self);

  if (self->filtering != sonde_filter_model_is_filtering (self))
    {
      self->filtering = sonde_filter_model_is_filtering (self);
      sonde_filter_model_notify (self, PROP_FILTERING);
    }
}

void
sonde_filter_model_on_views_changed (SondeFilterModel *self)
{
  if (self->matcher != NULL)
    sonde_filter_model_restart (self);
}

/* Drops records the log no longer has from the head, unless the head is
 * held (and @force is FALSE). */
void
sonde_filter_model_drop_evicted (SondeFilterModel *self,
                                 gboolean          force)
{
  guint64 first = sonde_filter_model_log_first_seq (self);
  guint removed = 0;

  if (first <= self->lower)
    return;
  if (!force && self->hold_head && first - self->lower < MAX_HELD &&
      (!sonde_filter_model_is_filtering (self) || sonde_filter_model_index_lower_bound (self, first) < MAX_HELD_FILTERED))
    return;

  if (sonde_filter_model_is_filtering (self))
    {
      removed = sonde_filter_model_index_lower_bound (self, first);
      if (removed > 0)
        g_array_remove_range (self->index, 0, removed);
    }
  else
    {
      guint64 announced_end = MAX (self->scan_end, self->lower);

      removed = (guint) (MIN (first, announced_end) - self->lower);
    }

  self->lower = first;
  self->scan_end = MAX (self->scan_end, first);

  emit_items_changed (self, 0, removed, 0);
}

void
sonde_filter_model_on_log_items_changed (GListModel       *log,
                                         guint             position,
                                         guint             removed,
                                         guint             added,
                                         SondeFilterModel *self)
{
  guint n = g_list_model_get_n_items (log);

  if (removed == 0 && added > 0 && position + added == n)
    {
      sonde_filter_model_advance (self);
      /* Paused, nothing is announced: say that more are waiting, so a
       * "paused, N waiting" counts live. */
      if (self->paused)
        sonde_filter_model_notify (self, PROP_N_PENDING);
    }
  else if (position == 0 && added == 0)
    sonde_filter_model_drop_evicted (self, FALSE);
  else
    sonde_filter_model_restart (self);
}

/* The sequence number of the record at @position (< n_items). */
guint64
sonde_filter_model_position_seq (SondeFilterModel *self,
                                 guint             position)
{
  if (sonde_filter_model_is_filtering (self))
    return g_array_index (self->index, guint64, position);

  return self->lower + position;
}
