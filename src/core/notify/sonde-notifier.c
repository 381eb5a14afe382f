/* sonde-notifier.c: alerts about a connection, with a cool-down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rules watch a connection: a received message containing some text
 * (case-insensitive), a value crossing a threshold (from not satisfying
 * the condition to satisfying it), the connection dropping or a reconnect
 * being given up. Each rule raises at most one alert per cool-down; what a
 * flood triggers in between is counted and told with the next alert. The
 * notifier only decides; showing the alert (a desktop notification while
 * the window is not focused) is the front end's business.
 *
 * Violations of its SondeIntegrity (sonde_notifier_get_integrity()) are
 * alerts too, each kind with its own cool-down; a stale feed that flows
 * again is told at once.
 *
 * Rules as JSON (kept in the profile):
 *   {"cooldown_s": 60, "drops": true, "match": ["ERROR"],
 *    "thresholds": [{"path": "$.price", "op": ">", "value": 100}]}
 */

#define G_LOG_DOMAIN "sonde-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-error.h"
#include "sonde-event.h"
#include "sonde-integrity.h"
#include "sonde-json-path.h"
#include "sonde-notifier.h"
#include "sonde-text.h"

typedef enum {
  RULE_MATCH,
  RULE_THRESHOLD,
  RULE_DROP,
} RuleKind;

typedef enum {
  OP_GT,
  OP_GE,
  OP_LT,
  OP_LE,
} Op;

typedef struct {
  RuleKind       kind;
  char          *text;        /* MATCH: as typed */
  char          *needle;      /* MATCH: lowercase */
  SondeJsonPath *path;        /* THRESHOLD */
  Op             op;
  double         value;
  int            satisfied;   /* THRESHOLD: -1 unknown, 0, 1 */
  gint64         last_alert_us;
  guint64        held;        /* alerts held back since the last one */
} Rule;

struct _SondeNotifier
{
  GObject          parent_instance;

  /* owned */
  SondeConnection *connection;
  GPtrArray       *rules;     /* Rule* */
  SondeIntegrity  *integrity; /* NULL: none */
  Rule             integrity_rules[SONDE_INTEGRITY_N_KINDS];

  guint            cooldown_s;
  guint64          n_held;
};

G_DEFINE_FINAL_TYPE (SondeNotifier, sonde_notifier, G_TYPE_OBJECT)

enum {
  ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *op_names[] = { ">", ">=", "<", "<=" };

static void
rule_free (gpointer data)
{
  Rule *rule = data;

  g_free (rule->text);
  g_free (rule->needle);
  g_clear_pointer (&rule->path, sonde_json_path_unref);
  g_free (rule);
}

/* Raises an alert for @rule unless it is cooling down; then it is counted
 * and mentioned with the next one. */
static void
alert (SondeNotifier *self,
       Rule          *rule,
       const char    *title,
       const char    *body,
       guint64        seq)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *full = NULL;

  if (rule->last_alert_us != 0 && now - rule->last_alert_us < (gint64) self->cooldown_s * G_USEC_PER_SEC)
    {
      rule->held++;
      self->n_held++;
      return;
    }

  if (rule->held > 0)
    full = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s\n(and %" PRIu64 " more since the last alert)",
                                         "%s\n(and %" PRIu64 " more since the last alert)",
                                         (gulong) MIN (rule->held, G_MAXULONG)),
                            body, (uint64_t) rule->held);
  rule->held = 0;
  rule->last_alert_us = now;
  g_signal_emit (self, signals[ALERT], 0, title, full ? full : body, seq);
}

static gboolean
compare (Op     op,
         double a,
         double b)
{
  switch (op)
    {
    case OP_GT:
      return a > b;
    case OP_GE:
      return a >= b;
    case OP_LT:
      return a < b;
    case OP_LE:
      return a <= b;
    default:
      g_assert_not_reached ();
    }
}

static void
check_message (SondeNotifier     *self,
               const SondeRecord *record,
               gboolean           is_json_view)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule->kind == RULE_MATCH &&
          sonde_text_contains_ascii_ci (record->data, record->stored_size,
                                        (const guint8 *) rule->needle, strlen (rule->needle)))
        {
          g_autofree char *preview = sonde_text_preview (record->data, record->stored_size, FALSE);
          g_autofree char *title = g_strdup_printf (_("A message contains “%s”"), rule->text);

          alert (self, rule, title, preview, record->seq);
        }
      else if (rule->kind == RULE_THRESHOLD && is_json_view)
        {
          double value;
          gboolean now_satisfied;

          if (!sonde_json_path_get_number (rule->path, (const char *) record->data, record->stored_size, &value))
            continue;

          now_satisfied = compare (rule->op, value, rule->value);
          if (now_satisfied && rule->satisfied != 1)
            {
              /* Translators: a condition that became true: "$.price > 100". */
              g_autofree char *title = g_strdup_printf (_("%s %s %g"), sonde_json_path_to_string (rule->path),
                                                        op_names[rule->op], rule->value);
              g_autofree char *body = g_strdup_printf (_("It is now %g"), value);

              alert (self, rule, title, body, record->seq);
            }
          rule->satisfied = now_satisfied;
        }
    }
}

static Rule *
drop_rule (SondeNotifier *self)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule->kind == RULE_DROP)
        return rule;
    }
  return NULL;
}

/* A close the user did not ask for is a drop; a reconnect given up says
 * why. Events are rare: their payloads are parsed. */
static void
check_drop (SondeNotifier     *self,
            const SondeRecord *record)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, (const char *) record->data, (gssize) record->stored_size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));

  if (record->kind == SONDE_MESSAGE_KIND_CLOSE && !json_object_get_boolean_member_with_default (object, "requested", FALSE))
    {
      guint code = (guint) json_object_get_int_member_with_default (object, "close_code", SONDE_CLOSE_ABNORMAL);
      const char *reason = json_object_get_string_member_with_default (object, "close_reason", "");
      const char *note = json_object_get_string_member_with_default (object, "note", NULL);
      g_autofree char *body = NULL;

      if (reason != NULL && *reason != '\0')
        body = g_strdup_printf (_("Closed with %u (%s): “%s”"), code, _(sonde_close_code_describe (code)), reason);
      else
        body = g_strdup_printf (_("Closed with %u (%s)"), code, _(sonde_close_code_describe (code)));
      if (note != NULL)
        {
          /* The note is English in the record; the fixed ones translate
           * (never _(""): that is the catalog's header). */
          g_autofree char *with_note = g_strdup_printf ("%s\n%s", body, *note != '\0' ? _(note) : note);

          g_free (body);
          body = g_steal_pointer (&with_note);
        }
      alert (self, drop_rule (self), _("The connection dropped"), body, record->seq);
    }
  else if (record->kind == SONDE_MESSAGE_KIND_RECONNECT &&
           !json_object_get_boolean_member_with_default (object, "scheduled", TRUE))
    {
      /* Why it stopped, in the words the log shows. */
      g_autofree char *body = sonde_event_describe (record);

      alert (self, drop_rule (self), _("Reconnecting failed"), body, record->seq);
    }
}

static void
on_log_items_changed (GListModel    *model,
                      guint          position,
                      guint          removed,
                      guint          added,
                      SondeNotifier *self)
{
  SondeMessageLog *log = SONDE_MESSAGE_LOG (model);

  if (added == 0 || position + added != g_list_model_get_n_items (model) || self->rules->len == 0)
    return;

  for (guint i = position; i < position + added; i++)
    {
      SondeRecord record;

      if (!sonde_message_log_get_record (log, i, &record))
        continue;

      if (record.direction == SONDE_DIRECTION_IN &&
          (record.kind == SONDE_MESSAGE_KIND_TEXT || record.kind == SONDE_MESSAGE_KIND_BINARY))
        {
          SondeRecord scratch;
          const SondeRecord *view = sonde_record_views_read (sonde_message_log_get_views (log), &record, &scratch);

          /* Rules read the decoded view; a text message that does not
           * decode can still contain the words a rule looks for. */
          if (view != NULL && view->kind == SONDE_MESSAGE_KIND_TEXT)
            check_message (self, view, TRUE);
          else if (record.kind == SONDE_MESSAGE_KIND_TEXT)
            check_message (self, &record, FALSE);
        }
      else if (record.direction == SONDE_DIRECTION_EVENT && drop_rule (self) != NULL &&
               (record.kind == SONDE_MESSAGE_KIND_CLOSE || record.kind == SONDE_MESSAGE_KIND_RECONNECT))
        check_drop (self, &record);
    }
}

static void
on_integrity_violation (SondeIntegrity                *integrity,
                        const SondeIntegrityViolation *violation,
                        SondeNotifier                 *self)
{
  Rule *rule = &self->integrity_rules[violation->kind];
  g_autofree char *body = sonde_integrity_violation_describe (violation);
  g_autofree char *title = NULL;

  switch (violation->kind)
    {
    case SONDE_INTEGRITY_GAP:
      /* Translators: a sequence field's path: "Gap in $.seq" */
      title = g_strdup_printf (_("Gap in %s"), violation->path);
      break;
    case SONDE_INTEGRITY_DUPLICATE:
      title = g_strdup_printf (_("Duplicate in %s"), violation->path);
      break;
    case SONDE_INTEGRITY_OUT_OF_ORDER:
      title = g_strdup_printf (_("Out of order in %s"), violation->path);
      break;
    case SONDE_INTEGRITY_BAND:
      title = g_strdup (_("A value is outside its band"));
      break;
    case SONDE_INTEGRITY_STALE:
      if (!violation->raised)
        {
          /* Told at once: the alert it clears was told. */
          if (rule->last_alert_us != 0)
            g_signal_emit (self, signals[ALERT], 0, _("The feed is flowing again"), body, violation->record_seq);
          return;
        }
      title = g_strdup (_("The feed is stale"));
      break;
    default:
      g_assert_not_reached ();
    }
  alert (self, rule, title, body, violation->record_seq);
}

static void
sonde_notifier_dispose (GObject *object)
{
  SondeNotifier *self = (SondeNotifier *) object;

  if (self->integrity != NULL)
    g_signal_handlers_disconnect_by_data (self->integrity, self);
  g_clear_object (&self->integrity);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (sonde_connection_get_log (self->connection), self);
      g_signal_handlers_disconnect_by_data (self->connection, self);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_notifier_parent_class)->dispose (object);
}

static void
sonde_notifier_finalize (GObject *object)
{
  SondeNotifier *self = (SondeNotifier *) object;

  g_ptr_array_unref (self->rules);

  G_OBJECT_CLASS (sonde_notifier_parent_class)->finalize (object);
}

static void
sonde_notifier_class_init (SondeNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_notifier_dispose;
  object_class->finalize = sonde_notifier_finalize;

  /**
   * SondeNotifier::alert:
   * @title: what happened, short
   * @body: the details
   * @seq: the log record it is about (a message, or the last record)
   */
  signals[ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT64);
}

static void
sonde_notifier_init (SondeNotifier *self)
{
  self->rules = g_ptr_array_new_with_free_func (rule_free);
  self->cooldown_s = SONDE_NOTIFIER_DEFAULT_COOLDOWN_S;
}

/* A notifier for @connection, with no rules. Main thread only. */
SondeNotifier *
sonde_notifier_new (SondeConnection *connection)
{
  SondeNotifier *self;

  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  self = g_object_new (SONDE_TYPE_NOTIFIER, NULL);
  self->connection = g_object_ref (connection);
  g_signal_connect (sonde_connection_get_log (connection), "items-changed",
                    G_CALLBACK (on_log_items_changed), self);
  self->integrity = sonde_integrity_new (connection);
  g_signal_connect (self->integrity, "violation", G_CALLBACK (on_integrity_violation), self);
  return self;
}

/* Alert when a received text message contains @text (ASCII case ignored). */
gboolean
sonde_notifier_add_match (SondeNotifier  *self,
                          const char     *text,
                          GError        **error)
{
  Rule *rule;

  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), FALSE);

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Give the text a message must contain"));
      return FALSE;
    }

  rule = g_new0 (Rule, 1);
  rule->kind = RULE_MATCH;
  rule->text = g_strdup (text);
  rule->needle = g_ascii_strdown (text, -1);
  g_ptr_array_add (self->rules, rule);
  return TRUE;
}

/* Alert when @path's value crosses into "@op @value" (op: >, >=, <, <=). */
gboolean
sonde_notifier_add_threshold (SondeNotifier  *self,
                              const char     *path,
                              const char     *op,
                              double          value,
                              GError        **error)
{
  g_autoptr(SondeJsonPath) parsed = NULL;
  Rule *rule;
  int found = -1;

  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), FALSE);

  parsed = sonde_json_path_new (path ? path : "", error);
  if (parsed == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    {
      if (g_strcmp0 (op, op_names[i]) == 0)
        found = (int) i;
    }
  if (found < 0)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("“%s” is not a comparison: use >, >=, < or <="), op ? op : "");
      return FALSE;
    }

  rule = g_new0 (Rule, 1);
  rule->kind = RULE_THRESHOLD;
  rule->path = g_steal_pointer (&parsed);
  rule->op = (Op) found;
  rule->value = value;
  rule->satisfied = -1;
  g_ptr_array_add (self->rules, rule);
  return TRUE;
}

/* The integrity checker of the connection's feed, whose violations are
 * alerts too: its rules are set apart (sonde_integrity_set_rules()). */
SondeIntegrity *
sonde_notifier_get_integrity (SondeNotifier *self)
{
  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), NULL);

  return self->integrity;
}

/* Alert when the connection drops, or a reconnect is given up. */
void
sonde_notifier_set_drops (SondeNotifier *self,
                          gboolean       notify)
{
  Rule *rule;

  g_return_if_fail (SONDE_IS_NOTIFIER (self));

  rule = drop_rule (self);
  if (notify && rule == NULL)
    {
      rule = g_new0 (Rule, 1);
      rule->kind = RULE_DROP;
      g_ptr_array_add (self->rules, rule);
    }
  else if (!notify && rule != NULL)
    g_ptr_array_remove (self->rules, rule);
}

void
sonde_notifier_set_cooldown (SondeNotifier *self,
                             guint          seconds)
{
  g_return_if_fail (SONDE_IS_NOTIFIER (self));

  self->cooldown_s = seconds;
}

guint
sonde_notifier_get_n_rules (SondeNotifier *self)
{
  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), 0);

  return self->rules->len;
}

/* Alerts held back by the cool-down so far. */
guint64
sonde_notifier_get_n_held (SondeNotifier *self)
{
  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), 0);

  return self->n_held;
}

/* Reads @rules (the JSON of the header comment; NULL for none) into
 * @into, all or nothing. */
static gboolean
parse_rules (JsonNode       *rules,
             SondeNotifier  *into,
             GError        **error)
{
  JsonObject *object;
  JsonNode *member;

  if (rules == NULL || JSON_NODE_HOLDS_NULL (rules))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (rules))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Notification rules must be a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (rules);

  if ((member = json_object_get_member (object, "cooldown_s")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) < 0 || json_node_get_int (member) > 86400)
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("The notification cool-down must be a number of seconds from 0 to 86400"));
          return FALSE;
        }
      into->cooldown_s = (guint) json_node_get_int (member);
    }
  if ((member = json_object_get_member (object, "drops")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("“drops” in the notification rules must be true or false"));
          return FALSE;
        }
      sonde_notifier_set_drops (into, json_node_get_boolean (member));
    }

  if ((member = json_object_get_member (object, "match")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;

      for (guint i = 0; array == NULL || i < json_array_get_length (array); i++)
        {
          JsonNode *element = array != NULL ? json_array_get_element (array, i) : NULL;

          if (element == NULL || !JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
              g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Notification text %u is not a string"), i + 1);
              return FALSE;
            }
          if (!sonde_notifier_add_match (into, json_node_get_string (element), error))
            return FALSE;
        }
    }

  if ((member = json_object_get_member (object, "thresholds")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;

      for (guint i = 0; array == NULL || i < json_array_get_length (array); i++)
        {
          JsonNode *element = array != NULL ? json_array_get_element (array, i) : NULL;
          JsonObject *threshold = element != NULL && JSON_NODE_HOLDS_OBJECT (element)
                                  ? json_node_get_object (element) : NULL;
          JsonNode *value = threshold != NULL ? json_object_get_member (threshold, "value") : NULL;

          if (threshold == NULL || value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
              (json_node_get_value_type (value) != G_TYPE_DOUBLE && json_node_get_value_type (value) != G_TYPE_INT64))
            {
              g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Notification threshold %u needs a path, a comparison and a number, such as $.price > 100"), i + 1);
              return FALSE;
            }
          if (!sonde_notifier_add_threshold (into,
                                             json_object_get_string_member_with_default (threshold, "path", ""),
                                             json_object_get_string_member_with_default (threshold, "op", ""),
                                             json_node_get_double (value), error))
            {
              g_prefix_error (error, _("Notification threshold %u: "), i + 1);
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* Whether @rules would be accepted by sonde_notifier_set_rules(). */
gboolean
sonde_notifier_check_rules (JsonNode  *rules,
                            GError   **error)
{
  g_autoptr(SondeNotifier) scratch = g_object_new (SONDE_TYPE_NOTIFIER, NULL);

  return parse_rules (rules, scratch, error);
}

/* Replaces the rules with @rules (the JSON of the header comment; NULL for
 * none). Nothing changes when a rule does not parse. */
gboolean
sonde_notifier_set_rules (SondeNotifier  *self,
                          JsonNode       *rules,
                          GError        **error)
{
  g_autoptr(SondeNotifier) scratch = NULL;

  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), FALSE);

  /* Parse into a scratch notifier first: all or nothing. */
  scratch = g_object_new (SONDE_TYPE_NOTIFIER, NULL);
  if (!parse_rules (rules, scratch, error))
    return FALSE;

  g_ptr_array_set_size (self->rules, 0);
  g_ptr_array_extend_and_steal (self->rules, g_steal_pointer (&scratch->rules));
  scratch->rules = g_ptr_array_new_with_free_func (rule_free);
  self->cooldown_s = scratch->cooldown_s;
  return TRUE;
}

/* The rules as JSON, as set_rules() reads them. */
JsonNode *
sonde_notifier_dup_rules (SondeNotifier *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (SONDE_IS_NOTIFIER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cooldown_s");
  json_builder_add_int_value (builder, self->cooldown_s);
  json_builder_set_member_name (builder, "drops");
  json_builder_add_boolean_value (builder, drop_rule (self) != NULL);

  json_builder_set_member_name (builder, "match");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule->kind == RULE_MATCH)
        json_builder_add_string_value (builder, rule->text);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "thresholds");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule->kind != RULE_THRESHOLD)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, sonde_json_path_to_string (rule->path));
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, op_names[rule->op]);
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, rule->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
