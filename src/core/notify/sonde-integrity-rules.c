/* sonde-integrity-rules.c: the integrity rules' JSON, read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Strict: a member of the wrong type, a path or predicate that does not
 * parse, a band with no bound or its bounds the wrong way round, a bound
 * on keys or a stale time out of range is an error naming the member.
 * Unknown members are ignored (a newer Sonde may add some).
 */

#define G_LOG_DOMAIN "sonde-integrity"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sonde-error.h"
#include "sonde-integrity-private.h"

static void
band_free (gpointer data)
{
  SondeIntegrityBand *band = data;

  g_clear_pointer (&band->path, sonde_json_path_unref);
  g_free (band);
}

void
sonde_integrity_rules_free (SondeIntegrityRules *rules)
{
  if (rules == NULL)
    return;
  g_clear_pointer (&rules->seq_path, sonde_json_path_unref);
  g_clear_pointer (&rules->key_path, sonde_json_path_unref);
  g_clear_pointer (&rules->stale_where, sonde_predicate_unref);
  g_ptr_array_unref (rules->bands);
  g_free (rules);
}

static SondeIntegrityRules *
rules_new (void)
{
  SondeIntegrityRules *rules = g_new0 (SondeIntegrityRules, 1);

  rules->max_keys = SONDE_INTEGRITY_DEFAULT_MAX_KEYS;
  rules->bands = g_ptr_array_new_with_free_func (band_free);
  return rules;
}

gboolean
sonde_integrity_rules_empty (const SondeIntegrityRules *rules)
{
  return rules->seq_path == NULL && rules->stale_s <= 0 && rules->bands->len == 0;
}

static gboolean
get_number (JsonNode *node,
            double   *number)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *number = json_node_get_double (node);
  return isfinite (*number);
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* The path in the string @node, or an error naming @member. */
static SondeJsonPath *
parse_path (JsonNode    *node,
            const char  *member,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  SondeJsonPath *path;

  if (!is_string (node))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("%s must be a JSON path, such as $.seq"), member);
      return NULL;
    }
  path = sonde_json_path_new (json_node_get_string (node), &local_error);
  if (path == NULL)
    g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION, "%s: %s", member, local_error->message);
  return path;
}

static gboolean
parse_sequence (JsonNode             *node,
                SondeIntegrityRules  *rules,
                GError              **error)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("integrity.sequence must be an object with a path, such as {\"path\": \"$.seq\"}"));
      return FALSE;
    }
  object = json_node_get_object (node);

  rules->seq_path = parse_path (json_object_get_member (object, "path"), "integrity.sequence.path", error);
  if (rules->seq_path == NULL)
    return FALSE;

  member = json_object_get_member (object, "key");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member) &&
      (rules->key_path = parse_path (member, "integrity.sequence.key", error)) == NULL)
    return FALSE;

  member = json_object_get_member (object, "max_keys");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) < 1 || json_node_get_int (member) > SONDE_INTEGRITY_MAX_KEYS_LIMIT)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                       _("integrity.sequence.max_keys must be a whole number from 1 to %d"),
                       SONDE_INTEGRITY_MAX_KEYS_LIMIT);
          return FALSE;
        }
      rules->max_keys = (guint) json_node_get_int (member);
    }
  return TRUE;
}

static gboolean
parse_band (JsonNode             *node,
            guint                 index,
            SondeIntegrityRules  *rules,
            GError              **error)
{
  g_autofree char *where = g_strdup_printf ("integrity.bands[%u]", index);
  g_autofree char *path_member = g_strdup_printf ("%s.path", where);
  SondeIntegrityBand *band;
  JsonObject *object;
  JsonNode *min_node, *max_node;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("%s must be an object such as {\"path\": \"$.price\", \"min\": 0, \"max\": 1000}"), where);
      return FALSE;
    }
  object = json_node_get_object (node);

  band = g_new0 (SondeIntegrityBand, 1);
  band->min = -INFINITY;
  band->max = INFINITY;
  g_ptr_array_add (rules->bands, band);

  band->path = parse_path (json_object_get_member (object, "path"), path_member, error);
  if (band->path == NULL)
    return FALSE;

  min_node = json_object_get_member (object, "min");
  max_node = json_object_get_member (object, "max");
  if (min_node != NULL && JSON_NODE_HOLDS_NULL (min_node))
    min_node = NULL;
  if (max_node != NULL && JSON_NODE_HOLDS_NULL (max_node))
    max_node = NULL;
  if (min_node == NULL && max_node == NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("%s needs a min, a max or both"), where);
      return FALSE;
    }
  if ((min_node != NULL && !get_number (min_node, &band->min)) ||
      (max_node != NULL && !get_number (max_node, &band->max)))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("%s: min and max must be numbers"), where);
      return FALSE;
    }
  if (band->min > band->max)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                   _("%s: min (%g) is above max (%g)"), where, band->min, band->max);
      return FALSE;
    }
  return TRUE;
}

SondeIntegrityRules *
sonde_integrity_rules_parse (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(SondeIntegrityRules) rules = rules_new ();
  JsonObject *object;
  JsonNode *member;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&rules);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Integrity rules must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  member = json_object_get_member (object, "sequence");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member) && !parse_sequence (member, rules, error))
    return NULL;

  member = json_object_get_member (object, "stale_after_s");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      /* Fractions allowed: 0.5 s is a fair bound for a fast feed. */
      if (!get_number (member, &rules->stale_s) || rules->stale_s < 0.1 || rules->stale_s > SONDE_INTEGRITY_MAX_STALE_S)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                       _("integrity.stale_after_s must be a number of seconds from 0.1 to %d"),
                       SONDE_INTEGRITY_MAX_STALE_S);
          return NULL;
        }
    }

  member = json_object_get_member (object, "stale_predicate");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      g_autoptr(GError) local_error = NULL;

      if (!is_string (member))
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("integrity.stale_predicate must be a condition, such as $.type == \"trade\""));
          return NULL;
        }
      if (*json_node_get_string (member) != '\0')
        {
          if (rules->stale_s <= 0)
            {
              g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                                   _("integrity.stale_predicate needs integrity.stale_after_s"));
              return NULL;
            }
          rules->stale_where = sonde_predicate_new (json_node_get_string (member), &local_error);
          if (rules->stale_where == NULL)
            {
              g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION, "integrity.stale_predicate: %s",
                           local_error->message);
              return NULL;
            }
        }
    }

  member = json_object_get_member (object, "bands");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                               _("integrity.bands must be a list of bands"));
          return NULL;
        }
      array = json_node_get_array (member);
      if (json_array_get_length (array) > SONDE_INTEGRITY_MAX_BANDS)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                       _("integrity.bands holds at most %d bands"), SONDE_INTEGRITY_MAX_BANDS);
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!parse_band (json_array_get_element (array, i), i, rules, error))
            return NULL;
        }
    }

  return g_steal_pointer (&rules);
}

JsonNode *
sonde_integrity_rules_to_json (const SondeIntegrityRules *rules)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (rules->seq_path != NULL)
    {
      json_builder_set_member_name (builder, "sequence");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, sonde_json_path_to_string (rules->seq_path));
      if (rules->key_path != NULL)
        {
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, sonde_json_path_to_string (rules->key_path));
        }
      json_builder_set_member_name (builder, "max_keys");
      json_builder_add_int_value (builder, rules->max_keys);
      json_builder_end_object (builder);
    }
  if (rules->stale_s > 0)
    {
      json_builder_set_member_name (builder, "stale_after_s");
      if (rules->stale_s == floor (rules->stale_s))
        json_builder_add_int_value (builder, (gint64) rules->stale_s);
      else
        json_builder_add_double_value (builder, rules->stale_s);
      if (rules->stale_where != NULL)
        {
          json_builder_set_member_name (builder, "stale_predicate");
          json_builder_add_string_value (builder, sonde_predicate_to_string (rules->stale_where));
        }
    }
  if (rules->bands->len > 0)
    {
      json_builder_set_member_name (builder, "bands");
      json_builder_begin_array (builder);
      for (guint i = 0; i < rules->bands->len; i++)
        {
          const SondeIntegrityBand *band = g_ptr_array_index (rules->bands, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, sonde_json_path_to_string (band->path));
          if (isfinite (band->min))
            {
              json_builder_set_member_name (builder, "min");
              json_builder_add_double_value (builder, band->min);
            }
          if (isfinite (band->max))
            {
              json_builder_set_member_name (builder, "max");
              json_builder_add_double_value (builder, band->max);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
