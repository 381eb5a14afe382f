/* sonde-ping-dialog.c: "Send Ping…": a ping with a payload of one's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The payload is typed as text and goes as its UTF-8 bytes. A control
 * frame carries at most 125 bytes (RFC 6455 §5.5): the count shows under
 * the field, and past the limit Send is off and the count says why. The
 * peer answers with a pong that carries the same bytes; both show in the
 * log.
 */

#define G_LOG_DOMAIN "sonde-ping-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-ping-dialog.h"

#define PING_PAYLOAD_MAX 125

struct _SondePingDialog
{
  AdwMessageDialog  parent_instance;

  /* template widgets */
  GtkEntry         *entry;
  GtkLabel         *status;

  /* owned */
  SondeConnection  *connection;
};

G_DEFINE_FINAL_TYPE (SondePingDialog, sonde_ping_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_open (SondePingDialog *self)
{
  return self->connection != NULL &&
         sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN;
}

/* The one place that decides whether Send can be chosen. */
static void
update (SondePingDialog *self)
{
  gsize length = strlen (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  gboolean fits = length <= PING_PAYLOAD_MAX;
  g_autofree char *text = NULL;

  if (!fits)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%zu byte: too long, a ping carries at most %d bytes",
                                         "%zu bytes: too long, a ping carries at most %d bytes", length),
                            length, PING_PAYLOAD_MAX);
  else if (!is_open (self))
    text = g_strdup (_("Not connected: connect to send a ping"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu of %d byte", "%zu of %d bytes", PING_PAYLOAD_MAX),
                            length, PING_PAYLOAD_MAX);

  gtk_label_set_label (self->status, text);
  if (fits)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
    }
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "send", fits && is_open (self));
}

static void
sonde_ping_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  SondePingDialog *self = SONDE_PING_DIALOG (dialog);

  if (g_strcmp0 (response, "send") == 0 &&
      adw_message_dialog_get_response_enabled (dialog, "send"))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
      g_autoptr(GError) error = NULL;

      if (!sonde_connection_send_ping (self->connection, (const guint8 *) text, strlen (text), &error))
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          g_debug ("ping not sent: %s", error->message);
        }
    }

  if (ADW_MESSAGE_DIALOG_CLASS (sonde_ping_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (sonde_ping_dialog_parent_class)->response (dialog, response);
}

static void
sonde_ping_dialog_constructed (GObject *object)
{
  SondePingDialog *self = (SondePingDialog *) object;

  G_OBJECT_CLASS (sonde_ping_dialog_parent_class)->constructed (object);

  if (self->connection != NULL)
    g_signal_connect_object (self->connection, "notify::state", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
sonde_ping_dialog_dispose (GObject *object)
{
  SondePingDialog *self = (SondePingDialog *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_PING_DIALOG);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sonde_ping_dialog_parent_class)->dispose (object);
}

static void
sonde_ping_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SondePingDialog *self = SONDE_PING_DIALOG (object);

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
sonde_ping_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SondePingDialog *self = SONDE_PING_DIALOG (object);

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
sonde_ping_dialog_class_init (SondePingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->constructed = sonde_ping_dialog_constructed;
  object_class->dispose = sonde_ping_dialog_dispose;
  object_class->get_property = sonde_ping_dialog_get_property;
  object_class->set_property = sonde_ping_dialog_set_property;
  dialog_class->response = sonde_ping_dialog_response;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SONDE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-ping-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SondePingDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, SondePingDialog, status);
  gtk_widget_class_bind_template_callback (widget_class, update);
}

static void
sonde_ping_dialog_init (SondePingDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* A dialog over @parent that pings on @connection; it shows itself with
 * gtk_window_present() and goes away once answered. */
GtkWidget *
sonde_ping_dialog_new (GtkWindow       *parent,
                       SondeConnection *connection)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  return g_object_new (SONDE_TYPE_PING_DIALOG,
                       "connection", connection,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}

GtkEditable *
sonde_ping_dialog_get_entry (SondePingDialog *self)
{
  g_return_val_if_fail (SONDE_IS_PING_DIALOG (self), NULL);

  return GTK_EDITABLE (self->entry);
}

/* What the line under the field says: the byte count, or why Send is off. */
const char *
sonde_ping_dialog_get_status (SondePingDialog *self)
{
  g_return_val_if_fail (SONDE_IS_PING_DIALOG (self), NULL);

  return gtk_label_get_label (self->status);
}
