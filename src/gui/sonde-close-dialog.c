/* sonde-close-dialog.c: "Close With Code…": a Close frame of one's choosing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A status code (1000, a normal closure, unless changed) and a reason.
 * What an endpoint may send is what sonde_close_code_check_local() allows:
 * the codes RFC 6455 §7.4 lets an endpoint send, 3000–4999, and a reason
 * of at most 123 bytes of UTF-8. The line under the fields says what the
 * code means, or why Close is off.
 */

#define G_LOG_DOMAIN "sonde-close-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-close-dialog.h"

struct _SondeCloseDialog
{
  AdwMessageDialog  parent_instance;

  /* template widgets */
  GtkEntry         *code;
  GtkEntry         *reason;
  GtkLabel         *status;

  /* owned */
  SondeConnection  *connection;
};

G_DEFINE_FINAL_TYPE (SondeCloseDialog, sonde_close_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The code typed, or FALSE with why it is no code. */
static gboolean
parse_code (SondeCloseDialog  *self,
            guint             *code,
            GError           **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code));
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Type a close code: a number such as 1000 (normal closure) or one from 3000 to 4999"));
      return FALSE;
    }
  *code = (guint) value;
  return TRUE;
}

/* The one place that decides whether Close can be chosen. */
static void
update (SondeCloseDialog *self)
{
  const char *reason = gtk_editable_get_text (GTK_EDITABLE (self->reason));
  gboolean open = self->connection != NULL &&
                  sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 0;
  gboolean valid;

  valid = parse_code (self, &code, &error) && sonde_close_code_check_local (code, reason, &error);
  if (!valid)
    text = g_strdup (error->message);
  else if (!open)
    text = g_strdup (_("Not connected: there is nothing to close"));
  else
    /* Translators: "1000: Normal closure · reason 12 of 123 bytes". */
    text = g_strdup_printf (_("%u: %s · reason %zu of %d bytes"), code, _(sonde_close_code_describe (code)),
                            strlen (reason), SONDE_CLOSE_REASON_MAX);

  gtk_label_set_label (self->status, text);
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "close", valid && open);
}

static void
sonde_close_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  SondeCloseDialog *self = SONDE_CLOSE_DIALOG (dialog);

  if (g_strcmp0 (response, "close") == 0 &&
      adw_message_dialog_get_response_enabled (dialog, "close"))
    {
      g_autoptr(GError) error = NULL;
      guint code = 0;

      if (!parse_code (self, &code, &error) ||
          !sonde_connection_close (self->connection, code, gtk_editable_get_text (GTK_EDITABLE (self->reason)),
                                   &error))
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          g_debug ("not closed: %s", error->message);
        }
    }

  if (ADW_MESSAGE_DIALOG_CLASS (sonde_close_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (sonde_close_dialog_parent_class)->response (dialog, response);
}

static void
sonde_close_dialog_constructed (GObject *object)
{
  SondeCloseDialog *self = (SondeCloseDialog *) object;

  G_OBJECT_CLASS (sonde_close_dialog_parent_class)->constructed (object);

  if (self->connection != NULL)
    g_signal_connect_object (self->connection, "notify::state", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
sonde_close_dialog_dispose (GObject *object)
{
  SondeCloseDialog *self = (SondeCloseDialog *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_CLOSE_DIALOG);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_close_dialog_parent_class)->dispose (object);
}

static void
sonde_close_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeCloseDialog *self = SONDE_CLOSE_DIALOG (object);

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
sonde_close_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeCloseDialog *self = SONDE_CLOSE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_close_dialog_class_init (SondeCloseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->constructed = sonde_close_dialog_constructed;
  object_class->dispose = sonde_close_dialog_dispose;
  object_class->get_property = sonde_close_dialog_get_property;
  object_class->set_property = sonde_close_dialog_set_property;
  dialog_class->response = sonde_close_dialog_response;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-close-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeCloseDialog, code);
  gtk_widget_class_bind_template_child (widget_class, SondeCloseDialog, reason);
  gtk_widget_class_bind_template_child (widget_class, SondeCloseDialog, status);
  gtk_widget_class_bind_template_callback (widget_class, update);
}

static void
sonde_close_dialog_init (SondeCloseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* A dialog over @parent that closes @connection; it shows itself with
 * gtk_window_present() and goes away once answered. */
GtkWidget *
sonde_close_dialog_new (GtkWindow       *parent,
                        SondeConnection *connection)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  return g_object_new (SONDE_TYPE_CLOSE_DIALOG,
                       "connection", connection,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}

GtkEditable *
sonde_close_dialog_get_code (SondeCloseDialog *self)
{
  g_return_val_if_fail (SONDE_IS_CLOSE_DIALOG (self), NULL);

  return GTK_EDITABLE (self->code);
}

GtkEditable *
sonde_close_dialog_get_reason (SondeCloseDialog *self)
{
  g_return_val_if_fail (SONDE_IS_CLOSE_DIALOG (self), NULL);

  return GTK_EDITABLE (self->reason);
}

/* What the line under the fields says: the code's meaning, or why Close
 * is off. */
const char *
sonde_close_dialog_get_status (SondeCloseDialog *self)
{
  g_return_val_if_fail (SONDE_IS_CLOSE_DIALOG (self), NULL);

  return gtk_label_get_label (self->status);
}
