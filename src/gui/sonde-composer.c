/* sonde-composer.c: writing and sending messages on one connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkSourceView editor with three modes: Text is sent as typed; JSON is
 * checked first; Binary reads hex bytes. What does not check out is never
 * sent: the error, with its line and column, shows under the editor and the
 * spot is underlined. Sent messages go into a history that Up and Down
 * recall when the cursor is on the first or last line
 * (sonde-composer-history.c); the Control Frames menu's dialogs are in
 * sonde-composer-control.c.
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "sonde-composer-private.h"
#include "sonde-error.h"
#include "sonde-hex.h"
#include "sonde-json-format.h"
#include "sonde-style-scheme.h"
#include "sonde-template.h"

G_DEFINE_FINAL_TYPE (SondeComposer, sonde_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_CAN_SEND,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkTextBuffer *
get_buffer (SondeComposer *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor));
}

gboolean
sonde_composer_is_open (SondeComposer *self)
{
  return self->connection != NULL &&
         sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;
}

/* In Action mode the form says what is missing, as its problem. */
static gboolean
is_empty (SondeComposer *self)
{
  return sonde_composer_get_mode (self) != SONDE_COMPOSER_MODE_ACTION &&
         gtk_text_buffer_get_char_count (get_buffer (self)) == 0;
}

/* The one place that decides whether composer.send (the Send button) can
 * run: on an open connection, with a message that is not empty and has
 * no problem. */
static void
update_send_button (SondeComposer *self)
{
  gboolean open = sonde_composer_is_open (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", sonde_composer_get_can_send (self));
  /* Control frames need an open connection, not a message. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send-ping", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.close-with-code", open);
  if (!open)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), _("Not connected: connect to send messages"));
  else if (is_empty (self))
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), _("Type a message to send"));
  else if (self->problem != NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), self->problem);
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), _("Send the message (Ctrl+Enter)"));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SEND]);
}

static void
mark_error (SondeComposer *self,
            guint          line,
            guint          column)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start, end;

  if (line == 0)
    return;

  if (!gtk_text_buffer_get_iter_at_line_offset (buffer, &start, (int) line - 1, (int) MAX (column, 1) - 1))
    gtk_text_buffer_get_end_iter (buffer, &start);

  end = start;
  if (!gtk_text_iter_forward_char (&end))
    {
      /* At the very end ("unexpected end of input"): mark the last char. */
      if (!gtk_text_iter_backward_char (&start))
        return;
    }
  gtk_text_buffer_apply_tag (buffer, self->error_tag, &start, &end);
}

static void
set_problem (SondeComposer *self,
             const char    *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;

  g_free (self->problem);
  self->problem = g_strdup (problem);

  gtk_label_set_label (self->error_label, problem ? problem : "");
  /* The form shows its own problems under their fields. */
  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          problem != NULL && g_strcmp0 (problem, sonde_action_form_get_problem (self->form)) != 0);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->scrolled), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->scrolled), "error");

  update_send_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
validate (SondeComposer *self)
{
  GtkTextBuffer *buffer = get_buffer (self);
  g_autofree char *text = sonde_composer_dup_text (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GtkTextIter start, end;
  guint line = 0, column = 0;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->error_tag, &start, &end);

  switch (sonde_composer_get_mode (self))
    {
    case SONDE_COMPOSER_MODE_TEXT:
      break;

    case SONDE_COMPOSER_MODE_JSON:
      if (*text == '\0')
        g_set_error_literal (&error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON,
                             _("Type a JSON value to send"));
      else if (strstr (text, "{{") == NULL)
        sonde_json_validate (text, -1, &line, &column, &error);
      break;

    case SONDE_COMPOSER_MODE_BINARY:
      if (strstr (text, "{{") == NULL)
        bytes = sonde_hex_parse (text, -1, &line, &column, &error);
      break;

    case SONDE_COMPOSER_MODE_ACTION:
      /* The form checks its fields as they are typed. */
      if (sonde_action_form_get_problem (self->form) != NULL)
        g_set_error_literal (&error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                             sonde_action_form_get_problem (self->form));
      break;

    default:
      g_assert_not_reached ();
    }

  /* Placeholders ({{now}}, {{seq}}…) are filled in when the message goes:
   * check the names, and the format with them filled in. */
  if (error == NULL && strstr (text, "{{") != NULL && sonde_composer_get_mode (self) != SONDE_COMPOSER_MODE_ACTION)
    sonde_template_validate (text, (SondeMessageFormat) sonde_composer_get_mode (self), &error);

  if (error != NULL)
    mark_error (self, line, column);
  set_problem (self, error ? error->message : NULL);
}

static void
on_buffer_changed (SondeComposer *self)
{
  /* Editing a recalled entry makes it the draft. */
  gboolean empty = is_empty (self);

  if (!self->recalling)
    self->history_pos = -1;
  validate (self);

  /* Send turns on with the first character and off with the last. */
  if (empty != self->empty)
    {
      self->empty = empty;
      update_send_button (self);
    }
}

static void
on_mode_toggled (SondeComposer   *self,
                 GtkToggleButton *button)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (get_buffer (self));
  GtkSourceLanguage *language = NULL;

  if (!gtk_toggle_button_get_active (button))
    return;

  if (sonde_composer_get_mode (self) == SONDE_COMPOSER_MODE_JSON)
    language = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "json");
  gtk_source_buffer_set_language (buffer, language);
  gtk_source_buffer_set_highlight_syntax (buffer, language != NULL);

  validate (self);
  update_send_button (self);
}

static void
on_send_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeComposer *self = SONDE_COMPOSER (widget);
  g_autoptr(GError) error = NULL;

  if (!sonde_composer_send (self, &error))
    set_problem (self, error->message);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SondeComposer         *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();

  /* Ctrl+Enter is win.send's shortcut, an application accelerator that
   * runs before this. It only gets here when sending is not possible: the
   * text view would take it for a new line. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && modifiers == GDK_CONTROL_MASK)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return GDK_EVENT_STOP;
    }

  if (modifiers != 0)
    return GDK_EVENT_PROPAGATE;

  return sonde_composer_history_handle_key (self, keyval) ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;
}

static void
on_connection_state (SondeComposer *self)
{
  update_send_button (self);
}

static void
on_insert_template (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  sonde_composer_insert_template (SONDE_COMPOSER (widget), g_variant_get_uint32 (parameter));
}

static void
sonde_composer_constructed (GObject *object)
{
  SondeComposer *self = (SondeComposer *) object;

  G_OBJECT_CLASS (sonde_composer_parent_class)->constructed (object);

  if (self->connection != NULL)
    g_signal_connect_object (self->connection, "notify::state",
                             G_CALLBACK (on_connection_state), self, G_CONNECT_SWAPPED);
  update_send_button (self);
}

static void
sonde_composer_dispose (GObject *object)
{
  SondeComposer *self = (SondeComposer *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_COMPOSER);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  sonde_composer_protocol_dispose (self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_composer_parent_class)->dispose (object);
}

static void
sonde_composer_finalize (GObject *object)
{
  SondeComposer *self = (SondeComposer *) object;

  g_free (self->problem);
  g_ptr_array_unref (self->history);
  sonde_composer_history_entry_free (self->draft);
  g_clear_pointer (&self->templates, g_ptr_array_unref);

  G_OBJECT_CLASS (sonde_composer_parent_class)->finalize (object);
}

static void
sonde_composer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SondeComposer *self = SONDE_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_CAN_SEND:
      g_value_set_boolean (value, sonde_composer_get_can_send (self));
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_composer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SondeComposer *self = SONDE_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_composer_class_init (SondeComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_composer_constructed;
  object_class->dispose = sonde_composer_dispose;
  object_class->finalize = sonde_composer_finalize;
  object_class->get_property = sonde_composer_get_property;
  object_class->set_property = sonde_composer_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_SEND] =
    g_param_spec_boolean ("can-send", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (SONDE_TYPE_ACTION_FORM);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, text_mode);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, json_mode);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, binary_mode);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, action_mode);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, action_drop);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, form);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, scrolled);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, editor);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, error_label);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, SondeComposer, templates_button);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_toggled);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, on_send_action);
  gtk_widget_class_install_action (widget_class, "composer.insert-template", "u", on_insert_template);
  sonde_composer_control_class_init (widget_class);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondecomposer");
}

static void
sonde_composer_init (SondeComposer *self)
{
  GtkEventController *controller;

  self->history = g_ptr_array_new_with_free_func (sonde_composer_history_entry_free);
  self->history_pos = -1;
  self->empty = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->error_tag = gtk_text_buffer_create_tag (get_buffer (self), "sonde-error",
                                                "underline", PANGO_UNDERLINE_ERROR,
                                                NULL);
  sonde_style_scheme_follow (GTK_SOURCE_BUFFER (get_buffer (self)));
  g_signal_connect_object (get_buffer (self), "changed",
                           G_CALLBACK (on_buffer_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->form, "notify::problem", G_CALLBACK (validate), self, G_CONNECT_SWAPPED);
  sonde_composer_protocol_init (self);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->editor), controller);

  update_send_button (self);
}

GtkWidget *
sonde_composer_new (SondeConnection *connection)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  return g_object_new (SONDE_TYPE_COMPOSER, "connection", connection, NULL);
}

SondeComposerMode
sonde_composer_get_mode (SondeComposer *self)
{
  g_return_val_if_fail (SONDE_IS_COMPOSER (self), SONDE_COMPOSER_MODE_TEXT);

  if (gtk_toggle_button_get_active (self->json_mode))
    return SONDE_COMPOSER_MODE_JSON;
  if (gtk_toggle_button_get_active (self->binary_mode))
    return SONDE_COMPOSER_MODE_BINARY;
  if (gtk_toggle_button_get_active (self->action_mode))
    return SONDE_COMPOSER_MODE_ACTION;
  return SONDE_COMPOSER_MODE_TEXT;
}

void
sonde_composer_set_mode (SondeComposer     *self,
                         SondeComposerMode  mode)
{
  g_return_if_fail (SONDE_IS_COMPOSER (self));

  switch (mode)
    {
    case SONDE_COMPOSER_MODE_TEXT:
      gtk_toggle_button_set_active (self->text_mode, TRUE);
      break;
    case SONDE_COMPOSER_MODE_JSON:
      gtk_toggle_button_set_active (self->json_mode, TRUE);
      break;
    case SONDE_COMPOSER_MODE_BINARY:
      gtk_toggle_button_set_active (self->binary_mode, TRUE);
      break;
    case SONDE_COMPOSER_MODE_ACTION:
      if (gtk_widget_get_visible (GTK_WIDGET (self->action_mode)))
        gtk_toggle_button_set_active (self->action_mode, TRUE);
      break;
    default:
      g_return_if_reached ();
    }
}

char *
sonde_composer_dup_text (SondeComposer *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SONDE_IS_COMPOSER (self), NULL);

  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (get_buffer (self), &start, &end, FALSE);
}

void
sonde_composer_set_text (SondeComposer *self,
                         const char    *text)
{
  g_return_if_fail (SONDE_IS_COMPOSER (self));

  gtk_text_buffer_set_text (get_buffer (self), text ? text : "", -1);
}

/* Why the message cannot be sent as it stands, or NULL. */
const char *
sonde_composer_get_problem (SondeComposer *self)
{
  g_return_val_if_fail (SONDE_IS_COMPOSER (self), NULL);

  return self->problem;
}

gboolean
sonde_composer_get_can_send (SondeComposer *self)
{
  g_return_val_if_fail (SONDE_IS_COMPOSER (self), FALSE);

  return sonde_composer_is_open (self) && !is_empty (self) && self->problem == NULL;
}

/* Checks and sends what the editor holds. The text stays, so the same
 * message can go again. */
gboolean
sonde_composer_send (SondeComposer  *self,
                     GError        **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (SONDE_IS_COMPOSER (self), FALSE);

  if (!sonde_composer_is_open (self))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                           _("Not sent: the connection is not open"));
      return FALSE;
    }

  /* Never an empty message: nobody means to send one. */
  if (is_empty (self))
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
                           _("Not sent: the message is empty"));
      return FALSE;
    }

  validate (self);
  if (self->problem != NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION, _("Not sent: %s"), self->problem);
      return FALSE;
    }

  /* The form keeps its fields: the editor's history is for messages. */
  if (sonde_composer_get_mode (self) == SONDE_COMPOSER_MODE_ACTION)
    return sonde_composer_protocol_send (self, error);
  text = sonde_composer_dup_text (self);
  bytes = sonde_connection_render_template (self->connection, text,
                                            (SondeMessageFormat) sonde_composer_get_mode (self), error);
  if (bytes == NULL)
    return FALSE;

  switch (sonde_composer_get_mode (self))
    {
    case SONDE_COMPOSER_MODE_TEXT:
    case SONDE_COMPOSER_MODE_JSON:
      {
        gsize length;
        const char *rendered = g_bytes_get_data (bytes, &length);

        ok = sonde_composer_get_mode (self) == SONDE_COMPOSER_MODE_JSON ?
             sonde_connection_send_json (self->connection, rendered, (gssize) length, error) :
             sonde_connection_send_text (self->connection, rendered, (gssize) length, error);
      }
      break;
    case SONDE_COMPOSER_MODE_BINARY:
      ok = sonde_connection_send_binary (self->connection, bytes, error);
      break;
    case SONDE_COMPOSER_MODE_ACTION:   /* performed above */
    default:
      g_assert_not_reached ();
    }

  if (ok)
    sonde_composer_history_add (self, text);

  return ok;
}

void
sonde_composer_focus (SondeComposer *self)
{
  g_return_if_fail (SONDE_IS_COMPOSER (self));

  if (sonde_composer_get_mode (self) == SONDE_COMPOSER_MODE_ACTION)
    sonde_action_form_focus (self->form);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

/* The profile's saved templates, offered in the Templates menu. Copied. */
void
sonde_composer_set_templates (SondeComposer *self,
                              GPtrArray     *templates)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  g_return_if_fail (SONDE_IS_COMPOSER (self));

  g_clear_pointer (&self->templates, g_ptr_array_unref);
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  for (guint i = 0; templates != NULL && i < templates->len; i++)
    {
      const SondeProfileMessage *message = g_ptr_array_index (templates, i);
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      g_ptr_array_add (self->templates, sonde_profile_message_copy (message));
      label = g_strdup_printf ("%s (%s)", message->name && *message->name ? message->name : _("Unnamed"),
                               sonde_message_format_to_string (message->format));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "composer.insert-template", "u", i);
      g_menu_append_item (menu, item);
    }

  gtk_menu_button_set_menu_model (self->templates_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->templates_button), self->templates->len > 0);
}

/* Puts template @index in the editor with its format. Placeholders stay as
 * they are: they are filled in when the message is sent. */
gboolean
sonde_composer_insert_template (SondeComposer *self,
                                guint          index)
{
  const SondeProfileMessage *message;

  g_return_val_if_fail (SONDE_IS_COMPOSER (self), FALSE);

  if (self->templates == NULL || index >= self->templates->len)
    return FALSE;

  message = g_ptr_array_index (self->templates, index);
  sonde_composer_set_mode (self, (SondeComposerMode) message->format);
  sonde_composer_set_text (self, message->body);
  sonde_composer_focus (self);
  return TRUE;
}
