/* sonde-adhoc-options.c: headers, subprotocols and reconnect for an address
 * typed by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The content of the options popover beside the header bar's URL: what a
 * connection to an address typed by hand sends in its handshake and whether
 * it reconnects, without making a profile. The fields are checked by the
 * one validator of connection options (a wrong header or subprotocol is
 * named, the field turns red); "changed" is emitted when what the fields
 * hold is valid and different. The decoder is chosen in the same popover
 * (a SondeDecodeEditor, which the window applies to the tab's session).
 */

#define G_LOG_DOMAIN "sonde-adhoc-options"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-adhoc-options.h"

struct _SondeAdhocOptions
{
  GtkWidget               parent_instance;

  /* template widgets */
  GtkTextView            *headers_view;
  GtkEntry               *protocols_entry;
  GtkSwitch              *reconnect_switch;
  GtkLabel               *problem_label;

  /* made in init, borrowed */
  SondeDecodeEditor      *decode_editor;

  /* owned */
  SondeConnectionOptions *options;      /* what the fields held when last valid */
  char                   *problem;

  gboolean                loading;
};

G_DEFINE_FINAL_TYPE (SondeAdhocOptions, sonde_adhoc_options, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The non-empty lines (or comma-separated items) of @text, trimmed; NULL
 * when there are none. */
static char **
split_trimmed (const char *text,
               const char *separator)
{
  g_auto(GStrv) parts = g_strsplit (text, separator, -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      g_strv_builder_add (builder, parts[i]);
      n++;
    }
  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

static SondeConnectionOptions *
read_fields (SondeAdhocOptions *self)
{
  SondeConnectionOptions *options = self->options != NULL ? sonde_connection_options_copy (self->options)
                                                           : sonde_connection_options_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->headers_view);
  GtkTextIter start, end;
  g_autofree char *headers = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  headers = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strfreev (options->headers);
  options->headers = split_trimmed (headers, "\n");
  g_strfreev (options->protocols);
  options->protocols = split_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->protocols_entry)), ",");
  options->reconnect.enabled = gtk_switch_get_active (self->reconnect_switch);
  return options;
}

static void
on_fields_changed (SondeAdhocOptions *self)
{
  g_autoptr(SondeConnectionOptions) options = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GString *text = g_string_new (NULL);
  gboolean bad_headers = FALSE;
  gboolean bad_protocols = FALSE;

  if (self->loading)
    {
      g_string_free (text, TRUE);
      return;
    }

  options = read_fields (self);
  /* The URL is the header bar's: only these fields are checked here. */
  g_clear_pointer (&options->url, g_free);
  options->url = g_strdup ("ws://localhost/");
  problems = sonde_connection_options_validate (options);
  g_clear_pointer (&options->url, g_free);

  for (guint i = 0; i < problems->len; i++)
    {
      SondeProblem *problem = g_ptr_array_index (problems, i);

      bad_headers |= g_str_has_prefix (problem->field, "headers");
      bad_protocols |= g_str_has_prefix (problem->field, "protocols");
      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", problem->message);
    }

  if (bad_headers)
    gtk_widget_add_css_class (GTK_WIDGET (self->headers_view), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->headers_view), "error");
  if (bad_protocols)
    gtk_widget_add_css_class (GTK_WIDGET (self->protocols_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->protocols_entry), "error");

  g_free (self->problem);
  self->problem = text->len > 0 ? g_strdup (text->str) : NULL;
  gtk_label_set_label (self->problem_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), text->len > 0);
  g_string_free (text, TRUE);

  if (problems->len > 0)
    return;
  if (self->options != NULL && sonde_connection_options_equal (self->options, options))
    return;

  g_clear_pointer (&self->options, sonde_connection_options_free);
  self->options = g_steal_pointer (&options);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
sonde_adhoc_options_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SONDE_TYPE_ADHOC_OPTIONS);
  /* The template's box has no id: it is not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (sonde_adhoc_options_parent_class)->dispose (object);
}

static void
sonde_adhoc_options_finalize (GObject *object)
{
  SondeAdhocOptions *self = (SondeAdhocOptions *) object;

  g_clear_pointer (&self->options, sonde_connection_options_free);
  g_free (self->problem);

  G_OBJECT_CLASS (sonde_adhoc_options_parent_class)->finalize (object);
}

static void
sonde_adhoc_options_class_init (SondeAdhocOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_adhoc_options_dispose;
  object_class->finalize = sonde_adhoc_options_finalize;

  /**
   * SondeAdhocOptions::changed:
   *
   * The fields hold valid options that differ from the last ones:
   * sonde_adhoc_options_dup_options() gives them.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-adhoc-options.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeAdhocOptions, headers_view);
  gtk_widget_class_bind_template_child (widget_class, SondeAdhocOptions, protocols_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeAdhocOptions, reconnect_switch);
  gtk_widget_class_bind_template_child (widget_class, SondeAdhocOptions, problem_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondeadhocoptions");
}

static void
sonde_adhoc_options_init (SondeAdhocOptions *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->decode_editor = SONDE_DECODE_EDITOR (sonde_decode_editor_new ());
  gtk_widget_set_margin_top (GTK_WIDGET (self->decode_editor), 12);
  /* The popover is as wide as its widest line: no description here. */
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->decode_editor), NULL);
  gtk_widget_insert_before (GTK_WIDGET (self->decode_editor), gtk_widget_get_parent (GTK_WIDGET (self->problem_label)),
                            NULL);

  g_signal_connect_object (gtk_text_view_get_buffer (self->headers_view), "changed",
                           G_CALLBACK (on_fields_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->protocols_entry, "changed",
                           G_CALLBACK (on_fields_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reconnect_switch, "notify::active",
                           G_CALLBACK (on_fields_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sonde_adhoc_options_new (void)
{
  return g_object_new (SONDE_TYPE_ADHOC_OPTIONS, NULL);
}

/* Shows @options (NULL: the defaults) in the fields; emits nothing. */
void
sonde_adhoc_options_set_options (SondeAdhocOptions            *self,
                                 const SondeConnectionOptions *options)
{
  g_autofree char *headers = NULL;
  g_autofree char *protocols = NULL;

  g_return_if_fail (SONDE_IS_ADHOC_OPTIONS (self));

  g_clear_pointer (&self->options, sonde_connection_options_free);
  self->options = options != NULL ? sonde_connection_options_copy (options) : sonde_connection_options_new ();
  g_clear_pointer (&self->options->url, g_free);

  headers = self->options->headers != NULL ? g_strjoinv ("\n", self->options->headers) : g_strdup ("");
  protocols = self->options->protocols != NULL ? g_strjoinv (", ", self->options->protocols) : g_strdup ("");

  self->loading = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->headers_view), headers, -1);
  gtk_editable_set_text (GTK_EDITABLE (self->protocols_entry), protocols);
  gtk_switch_set_active (self->reconnect_switch, self->options->reconnect.enabled);
  self->loading = FALSE;
  on_fields_changed (self);
}

/* The last valid options the fields held (no URL). */
SondeConnectionOptions *
sonde_adhoc_options_dup_options (SondeAdhocOptions *self)
{
  g_return_val_if_fail (SONDE_IS_ADHOC_OPTIONS (self), NULL);

  return self->options != NULL ? sonde_connection_options_copy (self->options) : sonde_connection_options_new ();
}

/* The decoder of this address: the window applies it to the tab's
 * session (sonde_session_set_decoder()) when it changes and is valid. */
SondeDecodeEditor *
sonde_adhoc_options_get_decode_editor (SondeAdhocOptions *self)
{
  g_return_val_if_fail (SONDE_IS_ADHOC_OPTIONS (self), NULL);

  return self->decode_editor;
}

/* What is wrong with the fields, or NULL. */
const char *
sonde_adhoc_options_get_problem (SondeAdhocOptions *self)
{
  g_return_val_if_fail (SONDE_IS_ADHOC_OPTIONS (self), NULL);

  return self->problem;
}
