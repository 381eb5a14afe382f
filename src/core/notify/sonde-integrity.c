/* sonde-integrity.c: a feed's integrity: sequence numbers, staleness, bands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fed every received message's view (the decoded JSON when a decoder or a
 * protocol mode makes one, so $.seq reads MessagePack or Socket.IO
 * arguments too), read with the streaming path scanner, no tree:
 *
 * - Sequence: the value at the sequence path, a whole number, per value
 *   of the key path when there is one (at most max_keys keys; messages of
 *   later keys are counted, not checked). Each key remembers its highest
 *   value and which of the 64 below it were seen: a value past the next
 *   one is a gap (the values skipped are missing), one seen before is a
 *   duplicate, a lower one not seen is out of order (a late arrival).
 *   Values start afresh at every connection (a new stream).
 * - Staleness: no received message (or none matching the predicate) for
 *   the stale time since the last one or since the connection opened
 *   raises STALE; the next one clears it. Only a timestamp is written per
 *   message: the one timer reschedules itself when it fires early.
 * - Bands: a value at a band's path outside [min, max].
 *
 * Each violation is counted by kind, kept (the last SONDE_INTEGRITY_KEPT,
 * for the log's rows and the charts' markers) and emitted as
 * ::violation; SondeNotifier turns them into alerts. Main thread only.
 */

#define G_LOG_DOMAIN "sonde-integrity"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-integrity-private.h"

#define WINDOW_BITS 64
/* Keys up to this long are looked up without an allocation. */
#define SMALL_KEY 255

typedef struct {
  gint64  last;      /* the highest value seen */
  guint64 seen;      /* bit i: last - 1 - i was seen */
} KeyState;

typedef struct {
  SondeIntegrityKind kind;
  guint64            record_seq;
  gint64             wall_us;
  char              *key;
  gint64             value;
  gint64             last;
  guint64            missing;
  const char        *path;       /* interned */
  double             number;
  double             min;
  double             max;
} Kept;

struct _SondeIntegrity
{
  GObject              parent_instance;

  /* owned */
  SondeConnection     *connection;
  SondeIntegrityRules *rules;
  GHashTable          *keys;          /* char* → KeyState* */
  KeyState             single;        /* without a key path, or a message without a key */
  Kept                *kept;          /* ring of SONDE_INTEGRITY_KEPT */
  guint                kept_start;
  guint                n_kept;

  guint64              counts[SONDE_INTEGRITY_N_KINDS];
  guint64              n_missing;
  guint64              n_keys_dropped;
  guint64              serial;

  /* staleness */
  gboolean             armed;         /* open, or a message came */
  gboolean             stale;
  gint64               fresh_us;      /* monotonic: the last fresh message, or the open */
  guint                stale_id;
  gboolean             was_open;
};

G_DEFINE_FINAL_TYPE (SondeIntegrity, sonde_integrity, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  VIOLATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_stale (SondeIntegrity *self);

static void
kept_to_violation (const Kept              *kept,
                   SondeIntegrityViolation *violation)
{
  memset (violation, 0, sizeof *violation);
  violation->kind = kept->kind;
  violation->record_seq = kept->record_seq;
  violation->wall_us = kept->wall_us;
  violation->key = kept->key;
  violation->value = kept->value;
  violation->last = kept->last;
  violation->missing = kept->missing;
  violation->path = kept->path;
  violation->number = kept->number;
  violation->min = kept->min;
  violation->max = kept->max;
}

/* Counts, keeps and emits a violation at a message. */
static void
violate (SondeIntegrity *self,
         Kept           *entry)
{
  SondeIntegrityViolation violation;
  Kept *slot;

  self->counts[entry->kind]++;
  if (entry->kind == SONDE_INTEGRITY_GAP)
    self->n_missing += entry->missing;

  if (self->n_kept < SONDE_INTEGRITY_KEPT)
    slot = &self->kept[(self->kept_start + self->n_kept++) % SONDE_INTEGRITY_KEPT];
  else
    {
      slot = &self->kept[self->kept_start];
      g_free (slot->key);
      self->kept_start = (self->kept_start + 1) % SONDE_INTEGRITY_KEPT;
    }
  *slot = *entry;
  self->serial++;

  kept_to_violation (slot, &violation);
  g_signal_emit (self, signals[VIOLATION], 0, &violation);
}

/* The sequence value: a whole number (or a string holding one). */
static gboolean
read_sequence (SondeIntegrity *self,
               const char     *json,
               gsize           length,
               gint64         *out)
{
  SondeJsonValue value;

  if (!sonde_json_path_lookup (self->rules->seq_path, json, length, &value))
    return FALSE;
  if (value.type == SONDE_JSON_VALUE_NUMBER && value.text != NULL && value.text_length < 32)
    {
      char token[32];
      char *end = NULL;
      gint64 parsed;

      memcpy (token, value.text, value.text_length);
      token[value.text_length] = '\0';
      errno = 0;
      parsed = g_ascii_strtoll (token, &end, 10);
      if (errno == 0 && end == token + value.text_length && end != token)
        {
          *out = parsed;
          return TRUE;
        }
    }
  if (!value.has_number || !isfinite (value.number) || value.number != floor (value.number) ||
      fabs (value.number) > 9007199254740992.0)
    return FALSE;
  *out = (gint64) value.number;
  return TRUE;
}

/* The state of the message's key (NULL: past the bound, counted); @key is
 * set to the key as the table keeps it (borrowed), or NULL. */
static KeyState *
key_state (SondeIntegrity  *self,
           const char      *json,
           gsize            length,
           const char     **key_out)
{
  SondeJsonValue value;
  char small[SMALL_KEY + 1];
  g_autofree char *decoded = NULL;
  const char *key = NULL;
  gpointer stored_key = NULL;
  gpointer state = NULL;

  *key_out = NULL;
  if (self->rules->key_path == NULL || !sonde_json_path_lookup (self->rules->key_path, json, length, &value))
    return &self->single;

  switch (value.type)
    {
    case SONDE_JSON_VALUE_STRING:
      if (!value.text_has_escapes && value.text_length <= SMALL_KEY &&
          memchr (value.text, '\0', value.text_length) == NULL &&
          g_utf8_validate_len (value.text, value.text_length, NULL))
        {
          memcpy (small, value.text, value.text_length);
          small[value.text_length] = '\0';
          key = small;
        }
      else
        key = decoded = sonde_json_path_dup_key (self->rules->key_path, json, length);
      break;
    case SONDE_JSON_VALUE_NUMBER:
    case SONDE_JSON_VALUE_BOOLEAN:
      if (value.text_length <= SMALL_KEY)
        {
          memcpy (small, value.text, value.text_length);
          small[value.text_length] = '\0';
          key = small;
        }
      break;
    case SONDE_JSON_VALUE_NONE:
    case SONDE_JSON_VALUE_NULL:
    case SONDE_JSON_VALUE_OBJECT:
    case SONDE_JSON_VALUE_ARRAY:
    default:
      break;
    }
  if (key == NULL)
    return &self->single;

  if (!g_hash_table_lookup_extended (self->keys, key, &stored_key, &state))
    {
      if (g_hash_table_size (self->keys) >= self->rules->max_keys)
        {
          self->n_keys_dropped++;
          return NULL;
        }
      state = g_new0 (KeyState, 1);
      ((KeyState *) state)->last = G_MININT64;
      stored_key = g_strdup (key);
      g_hash_table_insert (self->keys, stored_key, state);
    }
  *key_out = stored_key;
  return state;
}

static void
check_sequence (SondeIntegrity    *self,
                const SondeRecord *record)
{
  const char *json = (const char *) record->data;
  gsize length = record->stored_size;
  const char *key = NULL;
  KeyState *state;
  gint64 value;
  Kept entry = { 0 };

  if (!read_sequence (self, json, length, &value))
    return;
  state = key_state (self, json, length, &key);
  if (state == NULL)
    return;
  if (state->last == G_MININT64)
    {
      state->last = value;
      state->seen = 0;
      return;
    }

  entry.record_seq = record->seq;
  entry.wall_us = record->wall_us;
  entry.value = value;
  entry.last = state->last;

  if (value > state->last)
    {
      guint64 step = (guint64) value - (guint64) state->last;

      /* The old last is now step - 1 below; the bits move up by step. */
      state->seen = (step < WINDOW_BITS ? state->seen << step : 0) |
                    (step - 1 < WINDOW_BITS ? G_GUINT64_CONSTANT (1) << (step - 1) : 0);
      state->last = value;
      if (step == 1)
        return;
      entry.kind = SONDE_INTEGRITY_GAP;
      entry.missing = step - 1;
    }
  else if (value == state->last)
    entry.kind = SONDE_INTEGRITY_DUPLICATE;
  else
    {
      guint64 below = (guint64) state->last - (guint64) value - 1;

      if (below < WINDOW_BITS && (state->seen & (G_GUINT64_CONSTANT (1) << below)) != 0)
        entry.kind = SONDE_INTEGRITY_DUPLICATE;
      else
        {
          entry.kind = SONDE_INTEGRITY_OUT_OF_ORDER;
          if (below < WINDOW_BITS)
            state->seen |= G_GUINT64_CONSTANT (1) << below;
        }
    }
  entry.key = g_strdup (key);
  entry.path = g_intern_string (sonde_json_path_to_string (self->rules->seq_path));
  violate (self, &entry);
}

static void
check_bands (SondeIntegrity    *self,
             const SondeRecord *record)
{
  for (guint i = 0; i < self->rules->bands->len; i++)
    {
      const SondeIntegrityBand *band = g_ptr_array_index (self->rules->bands, i);
      double number;
      Kept entry = { 0 };

      if (!sonde_json_path_get_number (band->path, (const char *) record->data, record->stored_size, &number) ||
          !isfinite (number) || (number >= band->min && number <= band->max))
        continue;
      entry.kind = SONDE_INTEGRITY_BAND;
      entry.record_seq = record->seq;
      entry.wall_us = record->wall_us;
      entry.path = g_intern_string (sonde_json_path_to_string (band->path));
      entry.number = number;
      entry.min = band->min;
      entry.max = band->max;
      violate (self, &entry);
    }
}

static void
set_stale (SondeIntegrity *self,
           gboolean        stale)
{
  SondeIntegrityViolation violation = { 0 };
  SondeMessageLog *log = sonde_connection_get_log (self->connection);
  guint n = sonde_message_log_get_n_records (log);
  SondeRecord last;

  if (self->stale == stale)
    return;
  self->stale = stale;
  if (stale)
    self->counts[SONDE_INTEGRITY_STALE]++;

  violation.kind = SONDE_INTEGRITY_STALE;
  violation.raised = stale;
  violation.stale_s = self->rules->stale_s;
  violation.wall_us = g_get_real_time ();
  if (n > 0 && sonde_message_log_get_record (log, n - 1, &last))
    violation.record_seq = last.seq;
  g_signal_emit (self, signals[VIOLATION], 0, &violation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE]);
}

static gboolean
on_stale_timeout (gpointer data)
{
  SondeIntegrity *self = data;
  gint64 due = self->fresh_us + (gint64) (self->rules->stale_s * G_USEC_PER_SEC);

  self->stale_id = 0;
  if (g_get_monotonic_time () >= due)
    set_stale (self, TRUE);
  else
    schedule_stale (self);
  return G_SOURCE_REMOVE;
}

/* A timer for when the feed turns stale, unless one runs or it is stale. */
static void
schedule_stale (SondeIntegrity *self)
{
  gint64 due, wait_us;

  if (self->stale_id != 0 || self->stale || !self->armed || self->rules->stale_s <= 0)
    return;
  due = self->fresh_us + (gint64) (self->rules->stale_s * G_USEC_PER_SEC);
  wait_us = MAX (0, due - g_get_monotonic_time ());
  self->stale_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((wait_us + 999) / 1000),
                                       on_stale_timeout, self, NULL);
}

static void
fresh (SondeIntegrity *self)
{
  self->fresh_us = g_get_monotonic_time ();
  self->armed = TRUE;
  set_stale (self, FALSE);
  schedule_stale (self);
}

/* A new connection is a new stream: values start afresh, and so does the
 * stale time. */
static void
opened (SondeIntegrity *self)
{
  sonde_integrity_reset_sequences (self);
  self->armed = TRUE;
  self->fresh_us = g_get_monotonic_time ();
  schedule_stale (self);
}

static void
on_log_items_changed (GListModel     *model,
                      guint           position,
                      guint           removed,
                      guint           added,
                      SondeIntegrity *self)
{
  SondeMessageLog *log = SONDE_MESSAGE_LOG (model);
  SondeRecordViews *views = sonde_message_log_get_views (log);
  gboolean has_func = sonde_record_views_has_func (views);
  gboolean any_fresh = FALSE;

  if (added == 0 || position + added != g_list_model_get_n_items (model) || sonde_integrity_rules_empty (self->rules))
    return;

  for (guint i = position; i < position + added; i++)
    {
      SondeRecord record;
      SondeRecord scratch;
      const SondeRecord *view;
      gboolean upkeep = FALSE;

      if (!sonde_message_log_get_record (log, i, &record))
        continue;
      /* The open event, in the log's order (the state's notification
       * may come after the first messages of its batch). */
      if (record.direction == SONDE_DIRECTION_EVENT && record.kind == SONDE_MESSAGE_KIND_OPEN)
        {
          opened (self);
          continue;
        }
      if (record.direction != SONDE_DIRECTION_IN ||
          (record.kind != SONDE_MESSAGE_KIND_TEXT && record.kind != SONDE_MESSAGE_KIND_BINARY))
        continue;
      /* Binary is JSON only through a decoder; protocol upkeep (pings,
       * acks) is not data and keeps nothing fresh. */
      if (record.kind == SONDE_MESSAGE_KIND_BINARY && !has_func)
        {
          any_fresh = any_fresh || self->rules->stale_where == NULL;
          continue;
        }
      /* Staleness alone, of any message: no view needed. */
      if (!has_func && self->rules->seq_path == NULL && self->rules->bands->len == 0 &&
          self->rules->stale_where == NULL)
        {
          any_fresh = TRUE;
          continue;
        }
      view = sonde_record_views_read (views, &record, &scratch);
      if (has_func)
        sonde_record_views_get_label (views, &record, &upkeep);
      if (upkeep)
        continue;
      if (view == NULL || view->kind != SONDE_MESSAGE_KIND_TEXT)
        {
          any_fresh = any_fresh || self->rules->stale_where == NULL;
          continue;
        }

      if (self->rules->stale_s > 0 && !any_fresh &&
          (self->rules->stale_where == NULL ||
           sonde_predicate_matches (self->rules->stale_where, (const char *) view->data, view->stored_size)))
        any_fresh = TRUE;
      if (self->rules->seq_path != NULL)
        check_sequence (self, view);
      if (self->rules->bands->len > 0)
        check_bands (self, view);
    }

  if (any_fresh && self->rules->stale_s > 0)
    fresh (self);
}

/* While the connection is not open nothing turns stale. */
static void
on_state_changed (SondeIntegrity *self)
{
  gboolean open = sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;

  if (!open && self->was_open)
    {
      self->armed = FALSE;
      g_clear_handle_id (&self->stale_id, g_source_remove);
    }
  self->was_open = open;
}

static void
sonde_integrity_dispose (GObject *object)
{
  SondeIntegrity *self = (SondeIntegrity *) object;

  g_clear_handle_id (&self->stale_id, g_source_remove);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (sonde_connection_get_log (self->connection), self);
      g_signal_handlers_disconnect_by_data (self->connection, self);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_integrity_parent_class)->dispose (object);
}

static void
sonde_integrity_finalize (GObject *object)
{
  SondeIntegrity *self = (SondeIntegrity *) object;

  for (guint i = 0; i < self->n_kept; i++)
    g_free (self->kept[(self->kept_start + i) % SONDE_INTEGRITY_KEPT].key);
  g_free (self->kept);
  g_hash_table_unref (self->keys);
  sonde_integrity_rules_free (self->rules);

  G_OBJECT_CLASS (sonde_integrity_parent_class)->finalize (object);
}

static void
sonde_integrity_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SondeIntegrity *self = SONDE_INTEGRITY (object);

  switch (prop_id)
    {
    case PROP_STALE:
      g_value_set_boolean (value, self->stale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_integrity_class_init (SondeIntegrityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_integrity_dispose;
  object_class->finalize = sonde_integrity_finalize;
  object_class->get_property = sonde_integrity_get_property;

  properties[PROP_STALE] =
    g_param_spec_boolean ("stale", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeIntegrity::violation:
   * @violation: (type gpointer): a const SondeIntegrityViolation *,
   *   valid during the emission; STALE both when raised and cleared
   */
  signals[VIOLATION] =
    g_signal_new ("violation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
sonde_integrity_init (SondeIntegrity *self)
{
  self->rules = sonde_integrity_rules_parse (NULL, NULL);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->kept = g_new0 (Kept, SONDE_INTEGRITY_KEPT);
  self->single.last = G_MININT64;
}

/* A checker of @connection's received messages, with no rules. */
SondeIntegrity *
sonde_integrity_new (SondeConnection *connection)
{
  SondeIntegrity *self;

  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  self = g_object_new (SONDE_TYPE_INTEGRITY, NULL);
  self->connection = g_object_ref (connection);
  self->was_open = sonde_connection_get_state (connection) == SONDE_CONNECTION_STATE_OPEN;
  self->armed = self->was_open;
  self->fresh_us = g_get_monotonic_time ();
  g_signal_connect (sonde_connection_get_log (connection), "items-changed",
                    G_CALLBACK (on_log_items_changed), self);
  g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (on_state_changed), self);
  return self;
}

/* Whether @rules would be accepted by sonde_integrity_set_rules(). */
gboolean
sonde_integrity_check_rules (JsonNode  *rules,
                             GError   **error)
{
  g_autoptr(SondeIntegrityRules) parsed = sonde_integrity_rules_parse (rules, error);

  return parsed != NULL;
}

/* Replaces the rules with @rules (the JSON of sonde-integrity.h; NULL for
 * none), all or nothing. Sequence values start afresh; a stale feed is
 * cleared when the new rules have no stale time. */
gboolean
sonde_integrity_set_rules (SondeIntegrity  *self,
                           JsonNode        *rules,
                           GError         **error)
{
  SondeIntegrityRules *parsed;

  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), FALSE);

  parsed = sonde_integrity_rules_parse (rules, error);
  if (parsed == NULL)
    return FALSE;

  g_clear_handle_id (&self->stale_id, g_source_remove);
  if (parsed->stale_s <= 0 && self->stale)
    set_stale (self, FALSE);
  sonde_integrity_rules_free (self->rules);
  self->rules = parsed;
  sonde_integrity_reset_sequences (self);
  self->fresh_us = g_get_monotonic_time ();
  schedule_stale (self);
  return TRUE;
}

JsonNode *
sonde_integrity_dup_rules (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), NULL);

  return sonde_integrity_rules_to_json (self->rules);
}

gboolean
sonde_integrity_has_rules (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), FALSE);

  return !sonde_integrity_rules_empty (self->rules);
}

void
sonde_integrity_reset_sequences (SondeIntegrity *self)
{
  g_return_if_fail (SONDE_IS_INTEGRITY (self));

  g_hash_table_remove_all (self->keys);
  self->single.last = G_MININT64;
  self->single.seen = 0;
}

guint64
sonde_integrity_get_count (SondeIntegrity     *self,
                           SondeIntegrityKind  kind)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);
  g_return_val_if_fail ((guint) kind < SONDE_INTEGRITY_N_KINDS, 0);

  return self->counts[kind];
}

/* Values missing in all the gaps so far. */
guint64
sonde_integrity_get_n_missing (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);

  return self->n_missing;
}

guint64
sonde_integrity_get_n_keys_dropped (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);

  return self->n_keys_dropped;
}

/* Keys tracked now. */
guint
sonde_integrity_get_n_keys (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);

  return g_hash_table_size (self->keys);
}

gboolean
sonde_integrity_get_stale (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), FALSE);

  return self->stale;
}

guint64
sonde_integrity_get_serial (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);

  return self->serial;
}

guint
sonde_integrity_get_n_kept (SondeIntegrity *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), 0);

  return self->n_kept;
}

/* The @index-th violation kept, oldest first (its strings borrowed until
 * the next violation). */
gboolean
sonde_integrity_get_kept (SondeIntegrity          *self,
                          guint                    index,
                          SondeIntegrityViolation *violation)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), FALSE);
  g_return_val_if_fail (violation != NULL, FALSE);

  if (index >= self->n_kept)
    return FALSE;
  kept_to_violation (&self->kept[(self->kept_start + index) % SONDE_INTEGRITY_KEPT], violation);
  return TRUE;
}

/* The first kept index at or after @record_seq (records come in order). */
static guint
lower_bound (SondeIntegrity *self,
             guint64         record_seq)
{
  guint lo = 0, hi = self->n_kept;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->kept[(self->kept_start + mid) % SONDE_INTEGRITY_KEPT].record_seq < record_seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
sonde_integrity_has_record (SondeIntegrity *self,
                            guint64         record_seq)
{
  guint i;

  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), FALSE);

  i = lower_bound (self, record_seq);
  return i < self->n_kept && self->kept[(self->kept_start + i) % SONDE_INTEGRITY_KEPT].record_seq == record_seq;
}

char *
sonde_integrity_describe_record (SondeIntegrity *self,
                                 guint64         record_seq)
{
  GString *text = NULL;

  g_return_val_if_fail (SONDE_IS_INTEGRITY (self), NULL);

  for (guint i = lower_bound (self, record_seq); i < self->n_kept; i++)
    {
      const Kept *kept = &self->kept[(self->kept_start + i) % SONDE_INTEGRITY_KEPT];
      SondeIntegrityViolation violation;
      g_autofree char *line = NULL;

      if (kept->record_seq != record_seq)
        break;
      kept_to_violation (kept, &violation);
      line = sonde_integrity_violation_describe (&violation);
      if (text == NULL)
        text = g_string_new (line);
      else
        g_string_append_printf (text, "\n%s", line);
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}
