/* sonde-filter-model.c: the records of a message log that a view shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel over a SondeMessageLog that filters records, not GObjects:
 * the result is an array of sequence numbers, and item objects are made
 * only when GTK asks for a row. Without a filter it is a window onto the
 * log and costs nothing per record.
 *
 * Filtering runs on the main loop in slices of at most SONDE_FILTER_SLICE_US
 * (a few milliseconds), oldest record first; every slice announces what it
 * found with one items-changed, so results appear while a million records
 * are still being scanned, and new records join the same scan.
 *
 * Pause stops announcing new records (the log keeps capturing them);
 * resuming announces everything that came in. While paused, filters still
 * apply to the records that were shown. Clear hides every record there is
 * now. Records the log evicts leave the model from its head, unless the
 * head is held (the view is not following, or paused): then they stay as
 * rows whose record is gone, so the rows on screen do not move under the
 * reader, and leave in one change when the hold ends. GTK 4.8 makes every
 * row widget on screen anew when the rows under it are removed: measured
 * in bench/ui-flood --no-follow, ~95 ms for each eviction, several a
 * second under a flood.
 *
 * This file is the object, its GListModel side and its settings; the scan
 * and the following of the log are sonde-filter-model-scan.c.
 */

#define G_LOG_DOMAIN "sonde-filter-model"

#include "config.h"

#include <string.h>

#include "sonde-filter-model-private.h"
#include "sonde-log-enums.h"
#include "sonde-message.h"

static void sonde_filter_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeFilterModel, sonde_filter_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sonde_filter_model_list_model_init))

static GParamSpec *properties[N_PROPS];

static GType
sonde_filter_model_get_item_type (GListModel *model)
{
  return SONDE_TYPE_MESSAGE;
}

static guint
sonde_filter_model_get_n_items (GListModel *model)
{
  return SONDE_FILTER_MODEL (model)->n_items;
}

static gpointer
sonde_filter_model_get_item (GListModel *model,
                             guint       position)
{
  SondeFilterModel *self = SONDE_FILTER_MODEL (model);
  SondeRecord record;

  if (position >= self->n_items)
    return NULL;

  /* A row of a held head whose record the log has evicted: a message
   * that knows only its place, and says it has left the log. */
  if (!sonde_filter_model_get_record (self, position, &record))
    {
      memset (&record, 0, sizeof record);
      record.seq = sonde_filter_model_position_seq (self, position);
      record.direction = SONDE_DIRECTION_EVENT;
    }

  return sonde_message_new (G_OBJECT (self->log), (SondeRecordLookupFunc) sonde_message_log_lookup_seq, &record);
}

static void
sonde_filter_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sonde_filter_model_get_item_type;
  iface->get_n_items = sonde_filter_model_get_n_items;
  iface->get_item = sonde_filter_model_get_item;
}

void
sonde_filter_model_notify (SondeFilterModel *self,
                           guint             prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
sonde_filter_model_dispose (GObject *object)
{
  SondeFilterModel *self = (SondeFilterModel *) object;

  if (self->scan_source != NULL)
    {
      g_source_destroy (self->scan_source);
      g_clear_pointer (&self->scan_source, g_source_unref);
    }

  if (self->log != NULL)
    g_signal_handlers_disconnect_by_data (self->log, self);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sonde_filter_model_parent_class)->dispose (object);
}

static void
sonde_filter_model_finalize (GObject *object)
{
  SondeFilterModel *self = (SondeFilterModel *) object;

  g_free (self->text);
  g_clear_pointer (&self->matcher, sonde_record_matcher_free);
  g_array_unref (self->index);

  G_OBJECT_CLASS (sonde_filter_model_parent_class)->finalize (object);
}

static void
sonde_filter_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeFilterModel *self = SONDE_FILTER_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;
    case PROP_DIRECTIONS:
      g_value_set_flags (value, self->directions);
      break;
    case PROP_KINDS:
      g_value_set_flags (value, self->kinds);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_SCANNING:
      g_value_set_boolean (value, self->scan_source != NULL);
      break;
    case PROP_FILTERING:
      g_value_set_boolean (value, sonde_filter_model_is_filtering (self));
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, sonde_filter_model_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_filter_model_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeFilterModel *self = SONDE_FILTER_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOG:
      self->log = g_value_dup_object (value);
      break;
    case PROP_DIRECTIONS:
      sonde_filter_model_set_directions (self, g_value_get_flags (value));
      break;
    case PROP_KINDS:
      sonde_filter_model_set_kinds (self, g_value_get_flags (value));
      break;
    case PROP_PAUSED:
      sonde_filter_model_set_paused (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_filter_model_constructed (GObject *object)
{
  SondeFilterModel *self = (SondeFilterModel *) object;

  G_OBJECT_CLASS (sonde_filter_model_parent_class)->constructed (object);

  g_assert (self->log != NULL);
  self->lower = sonde_filter_model_log_first_seq (self);
  self->scan_end = sonde_message_log_get_next_seq (self->log);
  self->n_items = sonde_filter_model_count_items (self);
  g_signal_connect (self->log, "items-changed", G_CALLBACK (sonde_filter_model_on_log_items_changed), self);
  /* A filter that reads payloads reads their views, which just changed. */
  g_signal_connect_swapped (self->log, "views-changed", G_CALLBACK (sonde_filter_model_on_views_changed), self);
}

static void
sonde_filter_model_class_init (SondeFilterModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sonde_filter_model_constructed;
  object_class->dispose = sonde_filter_model_dispose;
  object_class->finalize = sonde_filter_model_finalize;
  object_class->get_property = sonde_filter_model_get_property;
  object_class->set_property = sonde_filter_model_set_property;

  properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL, SONDE_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRECTIONS] =
    g_param_spec_flags ("directions", NULL, NULL, SONDE_TYPE_FILTER_DIRECTIONS,
                        SONDE_FILTER_DIRECTION_ALL,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KINDS] =
    g_param_spec_flags ("kinds", NULL, NULL, SONDE_TYPE_FILTER_KINDS, SONDE_FILTER_KIND_ALL,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTERING] =
    g_param_spec_boolean ("filtering", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Notified while paused as records arrive (not for every change). */
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_filter_model_init (SondeFilterModel *self)
{
  self->index = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->directions = SONDE_FILTER_DIRECTION_ALL;
  self->kinds = SONDE_FILTER_KIND_ALL;
}

SondeFilterModel *
sonde_filter_model_new (SondeMessageLog *log)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (log), NULL);

  return g_object_new (SONDE_TYPE_FILTER_MODEL, "log", log, NULL);
}

SondeMessageLog *
sonde_filter_model_get_log (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), NULL);

  return self->log;
}

/* Shows only records whose payload (its decoded view, with a decoder)
 * contains @text, case-insensitively, or matches it as a regular
 * expression (PCRE syntax, case-insensitive); text that starts with "$"
 * and reads as a JSON predicate ($.sym == "ABC" && $.price > 100) is one.
 * NULL or "" shows everything. Returns FALSE, leaving the filter as it was,
 * when @regex is set and @text does not compile. */
/* "$.price > 100", "$.sym == \"ABC\"": a predicate rather than text;
 * a bare "$" or "$." is text still being typed. */
static gboolean
looks_like_predicate (const char *text)
{
  while (g_ascii_isspace (*text))
    text++;
  return text[0] == '$' && (text[1] == '.' || text[1] == '[') && strpbrk (text, "<>=!") != NULL;
}

/* Whether the query is a JSON predicate (see sonde_filter_model_set_query()). */
gboolean
sonde_filter_model_get_predicate (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return self->matcher != NULL && sonde_record_matcher_get_kind (self->matcher) == SONDE_RECORD_MATCH_PREDICATE;
}

gboolean
sonde_filter_model_set_query (SondeFilterModel  *self,
                              const char        *text,
                              gboolean           regex,
                              GError           **error)
{
  g_autoptr(SondeRecordMatcher) matcher = NULL;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  if (text == NULL)
    text = "";
  regex = !!regex;

  if (g_strcmp0 (self->text ? self->text : "", text) == 0 && self->use_regex == regex)
    return TRUE;

  if (*text != '\0' && !regex && looks_like_predicate (text))
    matcher = sonde_record_matcher_new (SONDE_RECORD_MATCH_PREDICATE, text, NULL);
  if (*text != '\0' && matcher == NULL)
    {
      matcher = sonde_record_matcher_new (regex ? SONDE_RECORD_MATCH_REGEX : SONDE_RECORD_MATCH_TEXT,
                                          text, error);
      if (matcher == NULL)
        return FALSE;
    }

  g_free (self->text);
  self->text = g_strdup (text);
  self->use_regex = regex;
  g_clear_pointer (&self->matcher, sonde_record_matcher_free);
  self->matcher = g_steal_pointer (&matcher);

  sonde_filter_model_restart (self);
  return TRUE;
}

const char *
sonde_filter_model_get_text (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), NULL);

  return self->text ? self->text : "";
}

gboolean
sonde_filter_model_get_regex (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return self->use_regex;
}

/* A mask of SondeFilterDirections. */
void
sonde_filter_model_set_directions (SondeFilterModel *self,
                                   guint             directions)
{
  g_return_if_fail (SONDE_IS_FILTER_MODEL (self));

  directions &= SONDE_FILTER_DIRECTION_ALL;
  if (self->directions == directions)
    return;

  self->directions = directions;
  sonde_filter_model_restart (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTIONS]);
}

guint
sonde_filter_model_get_directions (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  return self->directions;
}

/* A mask of SondeFilterKinds; events are not affected. */
void
sonde_filter_model_set_kinds (SondeFilterModel *self,
                              guint             kinds)
{
  g_return_if_fail (SONDE_IS_FILTER_MODEL (self));

  kinds &= SONDE_FILTER_KIND_ALL;
  if (self->kinds == kinds)
    return;

  self->kinds = kinds;
  sonde_filter_model_restart (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KINDS]);
}

guint
sonde_filter_model_get_kinds (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  return self->kinds;
}

/* Whether any filter is set (text, direction or kind). */
gboolean
sonde_filter_model_get_filtering (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return sonde_filter_model_is_filtering (self);
}

/* While paused the model announces no new records; the log goes on
 * capturing them, and resuming announces them all. A filter changed while
 * paused applies to the records that were shown when the pause began. */
void
sonde_filter_model_set_paused (SondeFilterModel *self,
                               gboolean          paused)
{
  g_return_if_fail (SONDE_IS_FILTER_MODEL (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (paused)
    {
      self->pause_end = self->scan_end;
      sonde_filter_model_set_scanning (self, FALSE);
    }
  else
    {
      sonde_filter_model_advance (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
sonde_filter_model_get_paused (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return self->paused;
}

/* Holds the head: records the log evicts stay as rows (their record gone,
 * sonde_message_get_record() FALSE) until the hold ends, which drops them
 * in one change. For a view whose reader is not at the newest row. */
void
sonde_filter_model_set_hold_head (SondeFilterModel *self,
                                  gboolean          hold)
{
  g_return_if_fail (SONDE_IS_FILTER_MODEL (self));

  self->hold_head = !!hold;
  if (!self->hold_head)
    sonde_filter_model_drop_evicted (self, FALSE);
}

gboolean
sonde_filter_model_get_hold_head (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return self->hold_head;
}

/* Rows at the head whose record the log has evicted: kept by a hold. */
guint
sonde_filter_model_get_n_held (SondeFilterModel *self)
{
  guint64 first;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  first = sonde_filter_model_log_first_seq (self);
  if (first <= self->lower || self->n_items == 0)
    return 0;

  if (!sonde_filter_model_is_filtering (self))
    return (guint) MIN (first - self->lower, (guint64) self->n_items);

  return sonde_filter_model_index_lower_bound (self, first);
}

/* Hides every record the log holds now; later ones are shown. The log
 * itself keeps them. */
void
sonde_filter_model_clear (SondeFilterModel *self)
{
  g_return_if_fail (SONDE_IS_FILTER_MODEL (self));

  self->view_start = sonde_message_log_get_next_seq (self->log);
  sonde_filter_model_restart (self);
}

/* The first record the view may show: those before it were cleared away
 * (or evicted). */
guint64
sonde_filter_model_get_first_seq (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  return sonde_filter_model_log_first_seq (self);
}

/* TRUE while a filter scan is still working through the log. */
gboolean
sonde_filter_model_get_scanning (SondeFilterModel *self)
{
  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  return self->scan_source != NULL;
}

/* Records in the log since the last clear, whether they match or not,
 * including those not yet announced. */
guint
sonde_filter_model_get_n_total (SondeFilterModel *self)
{
  guint64 end;
  guint64 first;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  end = sonde_message_log_get_next_seq (self->log);
  first = sonde_filter_model_log_first_seq (self);
  return end > first ? (guint) (end - first) : 0;
}

/* Records the log holds that the model has not considered yet: those that
 * came in while paused, or that the scan has not reached. */
guint
sonde_filter_model_get_n_pending (SondeFilterModel *self)
{
  guint64 end;
  guint64 from;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), 0);

  end = sonde_message_log_get_next_seq (self->log);
  from = MAX (self->scan_end, sonde_filter_model_log_first_seq (self));
  return end > from ? (guint) (end - from) : 0;
}

gboolean
sonde_filter_model_get_record (SondeFilterModel *self,
                               guint             position,
                               SondeRecord      *record)
{
  guint64 seq;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (position >= self->n_items)
    return FALSE;

  seq = sonde_filter_model_position_seq (self, position);
  return sonde_message_log_lookup_seq (self->log, seq, record);
}

/* The position of the record with sequence number @seq, if the model shows
 * it. */
gboolean
sonde_filter_model_find_seq (SondeFilterModel *self,
                             guint64           seq,
                             guint            *position)
{
  guint found;

  g_return_val_if_fail (SONDE_IS_FILTER_MODEL (self), FALSE);

  if (!sonde_filter_model_is_filtering (self))
    {
      if (seq < self->lower || seq >= self->lower + self->n_items)
        return FALSE;
      if (position != NULL)
        *position = (guint) (seq - self->lower);
      return TRUE;
    }

  found = sonde_filter_model_index_lower_bound (self, seq);
  if (found >= self->index->len || g_array_index (self->index, guint64, found) != seq)
    return FALSE;
  if (position != NULL)
    *position = found;
  return TRUE;
}
