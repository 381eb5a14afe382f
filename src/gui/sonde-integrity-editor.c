/* sonde-integrity-editor.c: a profile's feed-integrity rules, edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A group of the profile editor: the sequence field and the field that
 * numbers keys apart, the stale time (0: none) and the condition a fresh
 * message meets, and the bands one a line as "PATH MIN..MAX" (either end
 * may be left out: "$.qty 1.."). It reads and writes the rules' JSON
 * (sonde-integrity.h); members it has no row for (max_keys, or a newer
 * Sonde's) are kept as they were. It does not check: the profile's
 * validation does, and the editor shows the problem on the sequence row.
 * A band line that does not read so goes out as a path alone, which the
 * validation refuses with the band's number.
 */

#define G_LOG_DOMAIN "sonde-integrity-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sonde-integrity-editor.h"

struct _SondeIntegrityEditor
{
  AdwPreferencesGroup  parent_instance;

  /* made in init, borrowed */
  AdwEntryRow         *seq_path;
  AdwEntryRow         *seq_key;
  GtkSpinButton       *stale;
  AdwEntryRow         *stale_predicate;
  GtkTextView         *bands;

  /* owned */
  JsonObject          *loaded;        /* the rules as set, for the members without a row */

  gboolean             loading;
};

G_DEFINE_FINAL_TYPE (SondeIntegrityEditor, sonde_integrity_editor, ADW_TYPE_PREFERENCES_GROUP)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_changed (SondeIntegrityEditor *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static AdwEntryRow *
add_entry (SondeIntegrityEditor *self,
           const char           *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  return ADW_ENTRY_ROW (row);
}

static char *
dup_bands_text (SondeIntegrityEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->bands);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
sonde_integrity_editor_finalize (GObject *object)
{
  SondeIntegrityEditor *self = (SondeIntegrityEditor *) object;

  g_clear_pointer (&self->loaded, json_object_unref);

  G_OBJECT_CLASS (sonde_integrity_editor_parent_class)->finalize (object);
}

static void
sonde_integrity_editor_class_init (SondeIntegrityEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_integrity_editor_finalize;

  /**
   * SondeIntegrityEditor::changed:
   *
   * A row was edited by the user (not by set_rules()).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sonde_integrity_editor_init (SondeIntegrityEditor *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (_("Bands"));
  GtkWidget *caption = gtk_label_new (_("One per line, such as $.price 0..1000 (either end may be left out: "
                                        "$.qty 1..); a value outside is a violation"));
  const char *hint = gtk_label_get_label (GTK_LABEL (caption));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Feed Integrity"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("Gaps, duplicates and late values of a sequence field, a feed gone "
                                           "quiet, values out of their band: marked in the log and on charts, "
                                           "and notified"));

  self->seq_path = add_entry (self, _("Sequence field (e.g. $.seq; empty: none)"));
  self->seq_key = add_entry (self, _("Numbered apart by (e.g. $.sym; empty: one sequence)"));

  self->stale = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 86400, 1));
  gtk_spin_button_set_digits (self->stale, 1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Stale after"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Seconds without a message; 0: never"));
  gtk_widget_set_valign (GTK_WIDGET (self->stale), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->stale));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->stale));
  g_signal_connect_swapped (self->stale, "value-changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);

  self->stale_predicate = add_entry (self, _("Only messages matching count (e.g. $.type == \"trade\")"));

  self->bands = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_monospace (self->bands, TRUE);
  gtk_text_view_set_accepts_tab (self->bands, FALSE);
  gtk_text_view_set_top_margin (self->bands, 8);
  gtk_text_view_set_bottom_margin (self->bands, 8);
  gtk_text_view_set_left_margin (self->bands, 8);
  gtk_text_view_set_right_margin (self->bands, 8);
  gtk_widget_set_size_request (GTK_WIDGET (self->bands), -1, 64);
  gtk_widget_add_css_class (GTK_WIDGET (self->bands), "card");
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->bands), "changed", G_CALLBACK (on_changed), self);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->bands));
  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bands), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->bands));
  gtk_box_append (GTK_BOX (box), caption);
  gtk_widget_set_margin_top (box, 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), box);
}

GtkWidget *
sonde_integrity_editor_new (void)
{
  return g_object_new (SONDE_TYPE_INTEGRITY_EDITOR, NULL);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

static double
number_member (JsonObject *object,
               const char *name,
               double      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE && json_node_get_value_type (node) != G_TYPE_INT64))
    return fallback;
  return json_node_get_double (node);
}

/* Fills the rows from @rules (NULL: none). */
void
sonde_integrity_editor_set_rules (SondeIntegrityEditor *self,
                                  JsonNode             *rules)
{
  JsonObject *object = rules != NULL && JSON_NODE_HOLDS_OBJECT (rules) ? json_node_get_object (rules) : NULL;
  JsonNode *sequence = object != NULL ? json_object_get_member (object, "sequence") : NULL;
  JsonObject *seq = sequence != NULL && JSON_NODE_HOLDS_OBJECT (sequence) ? json_node_get_object (sequence) : NULL;
  JsonNode *bands = object != NULL ? json_object_get_member (object, "bands") : NULL;
  g_autoptr(GString) lines = g_string_new (NULL);

  g_return_if_fail (SONDE_IS_INTEGRITY_EDITOR (self));

  g_clear_pointer (&self->loaded, json_object_unref);
  if (object != NULL)
    self->loaded = json_object_ref (object);

  for (guint i = 0; bands != NULL && JSON_NODE_HOLDS_ARRAY (bands) && i < json_array_get_length (json_node_get_array (bands)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (bands), i);
      JsonObject *band = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      double min = number_member (band, "min", NAN);
      double max = number_member (band, "max", NAN);
      char low[G_ASCII_DTOSTR_BUF_SIZE] = "", high[G_ASCII_DTOSTR_BUF_SIZE] = "";

      if (band == NULL)
        continue;
      if (!isnan (min))
        g_ascii_formatd (low, sizeof low, "%.17g", min);
      if (!isnan (max))
        g_ascii_formatd (high, sizeof high, "%.17g", max);
      g_string_append_printf (lines, "%s%s %s..%s", lines->len ? "\n" : "", string_member (band, "path"), low, high);
    }

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->seq_path), string_member (seq, "path"));
  gtk_editable_set_text (GTK_EDITABLE (self->seq_key), string_member (seq, "key"));
  gtk_spin_button_set_value (self->stale, number_member (object, "stale_after_s", 0));
  gtk_editable_set_text (GTK_EDITABLE (self->stale_predicate), string_member (object, "stale_predicate"));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->bands), lines->str, -1);
  self->loading = FALSE;
}

/* "$.price 0..1000": the path, then the range; either end may be empty. */
static void
add_band_line (JsonBuilder *builder,
               const char  *line)
{
  const char *space = strrchr (line, ' ');
  const char *dots = space != NULL ? strstr (space, "..") : NULL;
  g_autofree char *path = NULL;
  g_autofree char *low = NULL;
  double min = 0, max = 0;
  gboolean has_min = FALSE, has_max = FALSE, ok = dots != NULL;

  if (ok)
    {
      char *end = NULL;

      path = g_strstrip (g_strndup (line, (gsize) (space - line)));
      low = g_strndup (space + 1, (gsize) (dots - space - 1));
      if (*low != '\0')
        {
          min = g_ascii_strtod (low, &end);
          has_min = TRUE;
          ok = end != low && *end == '\0';
        }
      if (ok && dots[2] != '\0')
        {
          max = g_ascii_strtod (dots + 2, &end);
          has_max = TRUE;
          ok = end != dots + 2 && *end == '\0';
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, ok ? path : line);
  if (ok && has_min)
    {
      json_builder_set_member_name (builder, "min");
      json_builder_add_double_value (builder, min);
    }
  if (ok && has_max)
    {
      json_builder_set_member_name (builder, "max");
      json_builder_add_double_value (builder, max);
    }
  json_builder_end_object (builder);
}

/* The rows as rules (members without a row as they were set); NULL when
 * they ask for nothing. */
JsonNode *
sonde_integrity_editor_dup_rules (SondeIntegrityEditor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *seq_path = NULL;
  g_autofree char *seq_key = NULL;
  g_autofree char *predicate = NULL;
  g_autofree char *bands_text = NULL;
  g_auto(GStrv) lines = NULL;
  double stale;
  gboolean any_band = FALSE;
  JsonNode *sequence;

  g_return_val_if_fail (SONDE_IS_INTEGRITY_EDITOR (self), NULL);

  seq_path = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->seq_path))));
  seq_key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->seq_key))));
  predicate = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->stale_predicate))));
  stale = gtk_spin_button_get_value (self->stale);
  bands_text = dup_bands_text (self);
  lines = g_strsplit (bands_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    any_band |= *g_strstrip (lines[i]) != '\0';

  json_builder_begin_object (builder);
  /* What has no row, as it was. */
  if (self->loaded != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, self->loaded);
      while (json_object_iter_next (&iter, &name, &value))
        {
          if (g_str_equal (name, "sequence") || g_str_equal (name, "stale_after_s") ||
              g_str_equal (name, "stale_predicate") || g_str_equal (name, "bands"))
            continue;
          json_builder_set_member_name (builder, name);
          json_builder_add_value (builder, json_node_copy (value));
        }
    }

  if (*seq_path != '\0' || *seq_key != '\0')
    {
      sequence = self->loaded != NULL ? json_object_get_member (self->loaded, "sequence") : NULL;
      json_builder_set_member_name (builder, "sequence");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, seq_path);
      if (*seq_key != '\0')
        {
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, seq_key);
        }
      if (sequence != NULL && JSON_NODE_HOLDS_OBJECT (sequence) &&
          json_object_has_member (json_node_get_object (sequence), "max_keys"))
        {
          json_builder_set_member_name (builder, "max_keys");
          json_builder_add_value (builder, json_node_copy (json_object_get_member (json_node_get_object (sequence),
                                                                                   "max_keys")));
        }
      json_builder_end_object (builder);
    }
  if (stale > 0)
    {
      json_builder_set_member_name (builder, "stale_after_s");
      if (stale == floor (stale))
        json_builder_add_int_value (builder, (gint64) stale);
      else
        json_builder_add_double_value (builder, stale);
    }
  if (*predicate != '\0')
    {
      json_builder_set_member_name (builder, "stale_predicate");
      json_builder_add_string_value (builder, predicate);
    }
  if (any_band)
    {
      json_builder_set_member_name (builder, "bands");
      json_builder_begin_array (builder);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (*lines[i] != '\0')
            add_band_line (builder, lines[i]);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  {
    g_autoptr(JsonNode) root = json_builder_get_root (builder);

    if (json_object_get_size (json_node_get_object (root)) == 0)
      return NULL;
    return g_steal_pointer (&root);
  }
}

GtkWidget *
sonde_integrity_editor_get_problem_widget (SondeIntegrityEditor *self)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY_EDITOR (self), NULL);

  return GTK_WIDGET (self->seq_path);
}

/* The row of @name: "sequence", "key", "stale" (the spin button),
 * "stale-predicate" or "bands" (the text view); NULL for another name. */
GtkWidget *
sonde_integrity_editor_get_row (SondeIntegrityEditor *self,
                                const char           *name)
{
  g_return_val_if_fail (SONDE_IS_INTEGRITY_EDITOR (self), NULL);

  if (g_strcmp0 (name, "sequence") == 0)
    return GTK_WIDGET (self->seq_path);
  if (g_strcmp0 (name, "key") == 0)
    return GTK_WIDGET (self->seq_key);
  if (g_strcmp0 (name, "stale") == 0)
    return GTK_WIDGET (self->stale);
  if (g_strcmp0 (name, "stale-predicate") == 0)
    return GTK_WIDGET (self->stale_predicate);
  if (g_strcmp0 (name, "bands") == 0)
    return GTK_WIDGET (self->bands);
  return NULL;
}
