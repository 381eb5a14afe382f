/* sonde-mock-rules.c: what the mock server does, read from a JSON file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is parsed by json-glib behind the import's bounds on nesting
 * (sonde_import_parse_json: json-glib's parser recurses), then checked
 * member by member; every error names the field it is about. Matches are
 * the log filter's (SondeRecordMatcher), messages Sonde's templates.
 */

#define G_LOG_DOMAIN "sonde-mock-rules"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-imported-session.h"
#include "sonde-mock-rules.h"
#include "sonde-serve-error.h"

/* More would be a mistake, not a mock: a timer this fast floods. */
#define MIN_INTERVAL_MS 1
#define MAX_INTERVAL_MS (24u * 3600u * 1000u)

struct _SondeMockRules
{
  gatomicrefcount  ref_count;
  GPtrArray       *on_open;    /* SondeServeTemplate */
  GArray          *rules;      /* SondeMockRule */
  GArray          *timers;     /* SondeMockTimer */
  gboolean         starts_replay;
  guint            close_after_received;
  guint            close_after_sent;
  guint16          close_after_code;
  char            *close_after_reason;
};

static void
fail (GError     **error,
      const char  *field,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
fail (GError     **error,
      const char  *field,
      const char  *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES, "%s: %s", field, text);
}

static void
rule_clear (gpointer data)
{
  SondeMockRule *rule = data;

  g_clear_pointer (&rule->matcher, sonde_record_matcher_free);
  g_clear_pointer (&rule->reply, g_ptr_array_unref);
  g_clear_pointer (&rule->start, g_strfreev);
  g_clear_pointer (&rule->stop, g_strfreev);
  g_clear_pointer (&rule->close_reason, g_free);
}

static void
timer_clear (gpointer data)
{
  SondeMockTimer *timer = data;

  g_clear_pointer (&timer->name, g_free);
  g_clear_pointer (&timer->send, sonde_serve_template_free);
}

static const char *
node_type_name (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
    default:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return _("a string");
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return _("true or false");
      return _("a number");
    }
}

/* Every member of @object must be one of @allowed (NULL-terminated). */
static gboolean
check_members (JsonObject         *object,
               const char         *field,
               const char * const *allowed,
               GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);

          fail (error, field, _("unknown member “%s” (known: %s)"), (const char *) l->data, list);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
get_string (JsonNode    *node,
            const char  *field,
            const char **out,
            GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fail (error, field, _("give a string, not %s"), node_type_name (node));
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_uint (JsonNode    *node,
          const char  *field,
          guint        min,
          guint        max,
          guint       *out,
          GError     **error)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      fail (error, field, _("give a whole number, not %s"), node_type_name (node));
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

      fail (error, field, _("give a number from %u to %u, not %s"), min, max, text);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static SondeServeTemplate *
parse_message (JsonNode    *node,
               const char  *field,
               GError     **error)
{
  static const char * const kinds[] = { "text", "json", "binary", NULL };
  g_autoptr(GError) local_error = NULL;
  SondeServeTemplate *message = NULL;
  JsonObject *object;
  const char *text;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    message = sonde_serve_template_new_text (json_node_get_string (node), &local_error);
  else if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (object = json_node_get_object (node)) == 1)
    {
      g_autofree char *inner = NULL;

      if (!check_members (object, field, kinds, error))
        return NULL;
      if (json_object_has_member (object, "json"))
        {
          inner = g_strconcat (field, ".json", NULL);
          message = sonde_serve_template_new_json (json_object_get_member (object, "json"), &local_error);
        }
      else
        {
          gboolean binary = json_object_has_member (object, "binary");

          inner = g_strconcat (field, binary ? ".binary" : ".text", NULL);
          if (!get_string (json_object_get_member (object, binary ? "binary" : "text"), inner, &text, error))
            return NULL;
          message = binary ? sonde_serve_template_new_binary (text, &local_error)
                           : sonde_serve_template_new_text (text, &local_error);
        }
      if (message == NULL)
        {
          fail (error, inner, "%s", local_error->message);
          return NULL;
        }
      return message;
    }
  else
    {
      fail (error, field, _("a message is a string, or an object with one of “text”, “json” or “binary”, "
                            "not %s"), node_type_name (node));
      return NULL;
    }

  if (message == NULL)
    fail (error, field, "%s", local_error->message);
  return message;
}

/* One message or an array of them. */
static GPtrArray *
parse_messages (JsonNode    *node,
                const char  *field,
                GError     **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_serve_template_free);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *inner = g_strdup_printf ("%s[%u]", field, i);
          SondeServeTemplate *message = parse_message (json_array_get_element (array, i), inner, error);

          if (message == NULL)
            return NULL;
          g_ptr_array_add (messages, message);
        }
    }
  else
    {
      SondeServeTemplate *message = parse_message (node, field, error);

      if (message == NULL)
        return NULL;
      g_ptr_array_add (messages, message);
    }
  return g_steal_pointer (&messages);
}

static gboolean
parse_close (JsonNode    *node,
             const char  *field,
             guint16     *code,
             char       **reason,
             GError     **error)
{
  static const char * const members[] = { "code", "reason", NULL };
  g_autofree char *code_field = g_strconcat (field, ".code", NULL);
  g_autofree char *reason_field = g_strconcat (field, ".reason", NULL);
  JsonNode *code_node = node;
  const char *text = "";
  guint value;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      if (!check_members (object, field, members, error))
        return FALSE;
      code_node = json_object_get_member (object, "code");
      if (code_node == NULL)
        {
          fail (error, field, "%s", _("give the close code (“code”)"));
          return FALSE;
        }
      if (json_object_has_member (object, "reason") &&
          !get_string (json_object_get_member (object, "reason"), reason_field, &text, error))
        return FALSE;
    }
  else
    {
      g_free (code_field);
      code_field = g_strdup (field);
    }

  if (!get_uint (code_node, code_field, 1000, 4999, &value, error))
    return FALSE;
  if (!sonde_close_code_is_valid_on_wire (value))
    {
      fail (error, code_field, _("%u may not be sent in a Close frame (RFC 6455 §7.4)"), value);
      return FALSE;
    }
  if (strlen (text) > SONDE_CLOSE_REASON_MAX || !g_utf8_validate (text, -1, NULL))
    {
      fail (error, reason_field, _("a close reason is UTF-8 text of at most %d bytes"), SONDE_CLOSE_REASON_MAX);
      return FALSE;
    }
  *code = (guint16) value;
  *reason = g_strdup (text);
  return TRUE;
}

/* "replay", a timer's name, or an array of them. */
static GStrv
parse_names (SondeMockRules  *self,
             JsonNode        *node,
             const char      *field,
             GError         **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = JSON_NODE_HOLDS_ARRAY (node) ? json_array_get_length (json_node_get_array (node)) : 1;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = JSON_NODE_HOLDS_ARRAY (node) ? json_array_get_element (json_node_get_array (node), i)
                                                      : node;
      g_autofree char *inner = JSON_NODE_HOLDS_ARRAY (node) ? g_strdup_printf ("%s[%u]", field, i)
                                                           : g_strdup (field);
      gboolean known = FALSE;
      const char *name;

      if (!get_string (element, inner, &name, error))
        return NULL;
      known = g_str_equal (name, SONDE_MOCK_REPLAY);
      for (guint t = 0; t < self->timers->len && !known; t++)
        known = g_strcmp0 (g_array_index (self->timers, SondeMockTimer, t).name, name) == 0;
      if (!known)
        {
          fail (error, inner, _("“%s” is neither “replay” nor the name of a timer in “every”"), name);
          return NULL;
        }
      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

static gboolean
parse_rule (SondeMockRules  *self,
            JsonNode        *node,
            const char      *field,
            GError         **error)
{
  static const char * const members[] = { "match", "reply", "start", "stop", "close", NULL };
  static const char * const match_kinds[] = { "text", "regex", "json", NULL };
  g_autofree char *match_field = g_strconcat (field, ".match", NULL);
  g_autoptr(GError) local_error = NULL;
  SondeMockRule rule = { 0 };
  JsonObject *object;
  JsonNode *match;
  JsonNode *member;
  SondeRecordMatchKind kind = SONDE_RECORD_MATCH_TEXT;
  const char *text;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, field, _("a rule is an object, not %s"), node_type_name (node));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_members (object, field, members, error))
    return FALSE;

  match = json_object_get_member (object, "match");
  if (match == NULL)
    {
      fail (error, field, "%s", _("give “match”: {\"text\": …}, {\"regex\": …} or {\"json\": …}"));
      return FALSE;
    }
  if (JSON_NODE_HOLDS_OBJECT (match) && json_object_get_size (json_node_get_object (match)) == 1)
    {
      JsonObject *match_object = json_node_get_object (match);
      g_autofree char *inner = NULL;

      if (!check_members (match_object, match_field, match_kinds, error))
        return FALSE;
      for (guint i = 0; match_kinds[i] != NULL; i++)
        {
          if (json_object_has_member (match_object, match_kinds[i]))
            {
              kind = (SondeRecordMatchKind) i;
              inner = g_strdup_printf ("%s.%s", match_field, match_kinds[i]);
              if (!get_string (json_object_get_member (match_object, match_kinds[i]), inner, &text, error))
                return FALSE;
            }
        }
      g_free (match_field);
      match_field = g_steal_pointer (&inner);
    }
  else if (!JSON_NODE_HOLDS_VALUE (match) || json_node_get_value_type (match) != G_TYPE_STRING)
    {
      fail (error, match_field, _("give {\"text\": …}, {\"regex\": …} or {\"json\": …} (one of them), not %s"),
            node_type_name (match));
      return FALSE;
    }
  else
    text = json_node_get_string (match);

  rule.matcher = sonde_record_matcher_new (kind, text, &local_error);
  if (rule.matcher == NULL)
    {
      fail (error, match_field, "%s", local_error->message);
      return FALSE;
    }

  if ((member = json_object_get_member (object, "reply")) != NULL)
    {
      g_autofree char *inner = g_strconcat (field, ".reply", NULL);

      rule.reply = parse_messages (member, inner, error);
      if (rule.reply == NULL)
        goto failed;
    }
  else
    rule.reply = g_ptr_array_new ();

  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "start" : "stop";
      GStrv *names = i == 0 ? &rule.start : &rule.stop;

      if ((member = json_object_get_member (object, name)) != NULL)
        {
          g_autofree char *inner = g_strdup_printf ("%s.%s", field, name);

          *names = parse_names (self, member, inner, error);
          if (*names == NULL)
            goto failed;
        }
    }
  if (rule.start != NULL && g_strv_contains ((const char * const *) rule.start, SONDE_MOCK_REPLAY))
    self->starts_replay = TRUE;

  if ((member = json_object_get_member (object, "close")) != NULL)
    {
      g_autofree char *inner = g_strconcat (field, ".close", NULL);

      if (!parse_close (member, inner, &rule.close_code, &rule.close_reason, error))
        goto failed;
    }

  g_array_append_val (self->rules, rule);
  return TRUE;

failed:
  rule_clear (&rule);
  return FALSE;
}

static gboolean
parse_timer (SondeMockRules  *self,
             JsonNode        *node,
             const char      *field,
             GError         **error)
{
  static const char * const members[] = { "name", "interval_ms", "send", "paused", NULL };
  SondeMockTimer timer = { 0 };
  JsonObject *object;
  JsonNode *member;
  g_autofree char *inner = NULL;
  const char *name;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, field, _("a timer is an object, not %s"), node_type_name (node));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_members (object, field, members, error))
    return FALSE;

  if ((member = json_object_get_member (object, "name")) != NULL)
    {
      inner = g_strconcat (field, ".name", NULL);
      if (!get_string (member, inner, &name, error))
        return FALSE;
      if (g_str_equal (name, SONDE_MOCK_REPLAY) || *name == '\0')
        {
          fail (error, inner, _("“%s” cannot name a timer"), name);
          return FALSE;
        }
      for (guint t = 0; t < self->timers->len; t++)
        {
          if (g_strcmp0 (g_array_index (self->timers, SondeMockTimer, t).name, name) == 0)
            {
              fail (error, inner, _("a timer named “%s” comes before"), name);
              return FALSE;
            }
        }
      timer.name = g_strdup (name);
    }

  g_clear_pointer (&inner, g_free);
  inner = g_strconcat (field, ".interval_ms", NULL);
  if ((member = json_object_get_member (object, "interval_ms")) == NULL)
    {
      fail (error, field, "%s", _("give “interval_ms”, the milliseconds between two messages"));
      goto failed;
    }
  if (!get_uint (member, inner, MIN_INTERVAL_MS, MAX_INTERVAL_MS, &timer.interval_ms, error))
    goto failed;

  if ((member = json_object_get_member (object, "paused")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          g_autofree char *paused_field = g_strconcat (field, ".paused", NULL);

          fail (error, paused_field, _("give true or false, not %s"), node_type_name (member));
          goto failed;
        }
      timer.paused = json_node_get_boolean (member);
    }

  if ((member = json_object_get_member (object, "send")) == NULL)
    {
      fail (error, field, "%s", _("give “send”, the message to send"));
      goto failed;
    }
  g_clear_pointer (&inner, g_free);
  inner = g_strconcat (field, ".send", NULL);
  timer.send = parse_message (member, inner, error);
  if (timer.send == NULL)
    goto failed;

  g_array_append_val (self->timers, timer);
  return TRUE;

failed:
  timer_clear (&timer);
  return FALSE;
}

static gboolean
parse_close_after (SondeMockRules  *self,
                   JsonNode        *node,
                   GError         **error)
{
  static const char * const members[] = { "received", "sent", "code", "reason", NULL };
  JsonObject *object;
  JsonNode *member;
  g_autoptr(JsonObject) close = NULL;
  g_autoptr(JsonNode) close_node = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, "close_after", _("give an object, not %s"), node_type_name (node));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_members (object, "close_after", members, error))
    return FALSE;

  if ((member = json_object_get_member (object, "received")) != NULL &&
      !get_uint (member, "close_after.received", 1, G_MAXUINT, &self->close_after_received, error))
    return FALSE;
  if ((member = json_object_get_member (object, "sent")) != NULL &&
      !get_uint (member, "close_after.sent", 1, G_MAXUINT, &self->close_after_sent, error))
    return FALSE;
  if (self->close_after_received == 0 && self->close_after_sent == 0)
    {
      fail (error, "close_after", "%s", _("give “received” or “sent”: after how many messages to close"));
      return FALSE;
    }

  /* The code and reason as a "close" member reads them (1000 by default). */
  close = json_object_new ();
  json_object_set_member (close, "code", json_node_copy (json_object_get_member (object, "code") != NULL
                                                         ? json_object_get_member (object, "code")
                                                         : json_node_init_int (json_node_alloc (), 1000)));
  if (json_object_has_member (object, "reason"))
    json_object_set_member (close, "reason", json_node_copy (json_object_get_member (object, "reason")));
  close_node = json_node_init_object (json_node_alloc (), close);
  return parse_close (close_node, "close_after", &self->close_after_code, &self->close_after_reason, error);
}

static gboolean
parse_root (SondeMockRules  *self,
            JsonNode        *root,
            GError         **error)
{
  static const char * const members[] = { "on_open", "rules", "every", "close_after", "description", NULL };
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, _("the file"), _("rules are a JSON object, not %s"), node_type_name (root));
      return FALSE;
    }
  object = json_node_get_object (root);
  if (!check_members (object, _("the file"), members, error))
    return FALSE;

  if ((member = json_object_get_member (object, "on_open")) != NULL)
    {
      g_clear_pointer (&self->on_open, g_ptr_array_unref);
      self->on_open = parse_messages (member, "on_open", error);
      if (self->on_open == NULL)
        return FALSE;
    }

  /* Timers first: rules name them. */
  for (guint pass = 0; pass < 2; pass++)
    {
      const char *name = pass == 0 ? "every" : "rules";
      JsonArray *array;

      if ((member = json_object_get_member (object, name)) == NULL)
        continue;
      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          fail (error, name, _("give an array, not %s"), node_type_name (member));
          return FALSE;
        }
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *field = g_strdup_printf ("%s[%u]", name, i);

          if (pass == 0 ? !parse_timer (self, json_array_get_element (array, i), field, error)
                        : !parse_rule (self, json_array_get_element (array, i), field, error))
            return FALSE;
        }
    }

  if ((member = json_object_get_member (object, "description")) != NULL)
    {
      const char *text;

      if (!get_string (member, "description", &text, error))
        return FALSE;
    }

  if ((member = json_object_get_member (object, "close_after")) != NULL &&
      !parse_close_after (self, member, error))
    return FALSE;

  return TRUE;
}

SondeMockRules *
sonde_mock_rules_parse (const char  *data,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(SondeMockRules) self = g_new0 (SondeMockRules, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  g_atomic_ref_count_init (&self->ref_count);
  self->on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_serve_template_free);
  self->rules = g_array_new (FALSE, TRUE, sizeof (SondeMockRule));
  g_array_set_clear_func (self->rules, rule_clear);
  self->timers = g_array_new (FALSE, TRUE, sizeof (SondeMockTimer));
  g_array_set_clear_func (self->timers, timer_clear);

  root = sonde_import_parse_json (data, length, &local_error);
  if (root == NULL)
    {
      /* "Not valid JSON: L:C: Parse error: …" from the import's parser. */
      const char *message = strchr (local_error->message, ':');
      guint line = 0;
      guint column = 0;
      int used = 0;

      /* json-glib quotes the token it refused as it was: maybe not UTF-8. */
      g_autofree char *valid = NULL;

      if (local_error->code == SONDE_IMPORT_ERROR_INVALID_JSON && message != NULL &&
          sscanf (message + 1, " %u:%u: %n", &line, &column, &used) == 2 && used > 0)
        {
          valid = g_utf8_make_valid (message + 1 + used, -1);
          g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES,
                       _("line %u, column %u: %s"), line, column, valid);
        }
      else
        {
          valid = g_utf8_make_valid (local_error->message, -1);
          g_set_error_literal (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES, valid);
        }
      return NULL;
    }

  if (!parse_root (self, root, &local_error))
    {
      g_autofree char *valid = g_utf8_make_valid (local_error->message, -1);

      g_set_error_literal (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_RULES, valid);
      return NULL;
    }
  return g_steal_pointer (&self);
}

SondeMockRules *
sonde_mock_rules_load (const char  *path,
                       GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return sonde_mock_rules_parse (data, length, error);
}

SondeMockRules *
sonde_mock_rules_ref (SondeMockRules *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_mock_rules_unref (SondeMockRules *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->on_open, g_ptr_array_unref);
  g_clear_pointer (&self->rules, g_array_unref);
  g_clear_pointer (&self->timers, g_array_unref);
  g_free (self->close_after_reason);
  g_free (self);
}

GPtrArray *
sonde_mock_rules_get_on_open (SondeMockRules *self)
{
  return self->on_open;
}

guint
sonde_mock_rules_get_n_rules (SondeMockRules *self)
{
  return self->rules->len;
}

const SondeMockRule *
sonde_mock_rules_get_rule (SondeMockRules *self,
                           guint           index)
{
  g_return_val_if_fail (index < self->rules->len, NULL);

  return &g_array_index (self->rules, SondeMockRule, index);
}

const SondeMockRule *
sonde_mock_rules_match (SondeMockRules    *self,
                        const SondeRecord *record)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      const SondeMockRule *rule = &g_array_index (self->rules, SondeMockRule, i);

      if (sonde_record_matcher_matches (rule->matcher, record))
        return rule;
    }
  return NULL;
}

guint
sonde_mock_rules_get_n_timers (SondeMockRules *self)
{
  return self->timers->len;
}

const SondeMockTimer *
sonde_mock_rules_get_timer (SondeMockRules *self,
                            guint           index)
{
  g_return_val_if_fail (index < self->timers->len, NULL);

  return &g_array_index (self->timers, SondeMockTimer, index);
}

gboolean
sonde_mock_rules_starts_replay (SondeMockRules *self)
{
  return self->starts_replay;
}

guint
sonde_mock_rules_get_close_after_received (SondeMockRules *self)
{
  return self->close_after_received;
}

guint
sonde_mock_rules_get_close_after_sent (SondeMockRules *self)
{
  return self->close_after_sent;
}

guint16
sonde_mock_rules_get_close_after_code (SondeMockRules *self)
{
  return self->close_after_code;
}

const char *
sonde_mock_rules_get_close_after_reason (SondeMockRules *self)
{
  return self->close_after_reason != NULL ? self->close_after_reason : "";
}
