/* sonde-serve-dialog.c: a recorded session served as a mock server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * History's "Serve as Mock…": the window's face of `sonde-cli serve
 * --replay`. It loads the session's received messages (SondeReplaySource)
 * and, optionally, a rules file (SondeMockRules), and starts a
 * SondeReplayServer on 127.0.0.1, which serves on a thread of its own. The
 * dialog shows the address with a Copy button and the number of clients
 * connected (read a few times a second while it serves); it stops on Stop
 * and when it closes. What cannot start (a port in use, a rules file that
 * does not parse: its line and column) is said in the dialog.
 */

#define G_LOG_DOMAIN "sonde-serve"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-replay-server.h"
#include "sonde-serve-dialog.h"
#include "sonde-store-uri.h"

#define CLIENTS_POLL_MS 200

struct _SondeServeDialog
{
  AdwWindow             parent_instance;

  /* template widgets */
  GtkLabel             *session_label;
  AdwActionRow         *rules_row;
  GtkSpinButton        *port_spin;
  GtkSwitch            *loop_switch;
  AdwPreferencesGroup  *running_group;
  AdwActionRow         *url_row;
  GtkLabel             *clients_label;
  GtkLabel             *error_label;

  /* owned */
  char                 *path;
  gint64                session_id;
  char                 *title;
  char                 *rules_path;
  char                 *url;
  char                 *error;
  SondeReplayServer    *server;
  GtkFileChooserNative *chooser;
  guint                 poll_id;
  guint                 n_clients;
  GCancellable         *loading;   /* a shared history's session being read */
};

G_DEFINE_FINAL_TYPE (SondeServeDialog, sonde_serve_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PATH,
  PROP_SESSION_ID,
  PROP_TITLE,
  PROP_RUNNING,
  PROP_URL,
  PROP_N_CLIENTS,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The one place that decides what can be done and what is shown. */
static void
update (SondeServeDialog *self)
{
  gboolean running = self->server != NULL || self->loading != NULL;
  g_autofree char *clients = g_strdup_printf ("%u", self->n_clients);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serve.start", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serve.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serve.copy-url", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serve.choose-rules", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serve.clear-rules", !running && self->rules_path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_spin), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->loop_switch), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->running_group), running);
  adw_action_row_set_subtitle (self->url_row, self->url != NULL ? self->url
                                              : self->loading != NULL ? _("Reading the recorded session…") : "");
  gtk_label_set_label (self->clients_label, clients);
  adw_action_row_set_subtitle (self->rules_row, self->rules_path != NULL
                                                ? self->rules_path
                                                : _("None: the session is played to every client"));
  gtk_label_set_label (self->error_label, self->error != NULL ? self->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->error != NULL);
}

static void
set_error (SondeServeDialog *self,
           const char       *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static gboolean
poll_clients (gpointer data)
{
  SondeServeDialog *self = data;
  guint n = self->server != NULL ? sonde_replay_server_get_n_clients (self->server) : 0;

  if (n != self->n_clients)
    {
      self->n_clients = n;
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
    }
  return G_SOURCE_CONTINUE;
}

/* Actions ------------------------------------------------------------------ */

static void
on_start_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  sonde_serve_dialog_start (SONDE_SERVE_DIALOG (widget));
}

static void
on_stop_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  sonde_serve_dialog_stop (SONDE_SERVE_DIALOG (widget));
}

static void
on_copy_url_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (widget);

  if (self->url != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->url);
}

static void
on_clear_rules_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  sonde_serve_dialog_set_rules_path (SONDE_SERVE_DIALOG (widget), NULL);
}

static void
on_chooser_response (SondeServeDialog *self,
                     int               response)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (self->chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        sonde_serve_dialog_set_rules_path (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_rules_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Rules File"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON files"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* GObject ------------------------------------------------------------------ */

static void
sonde_serve_dialog_constructed (GObject *object)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);

  G_OBJECT_CLASS (sonde_serve_dialog_parent_class)->constructed (object);

  gtk_label_set_label (self->session_label, self->title != NULL ? self->title : "");
  update (self);
}

static void
sonde_serve_dialog_dispose (GObject *object)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);

  /* The server goes with the window. */
  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (self->server != NULL)
    sonde_replay_server_stop (self->server);
  g_clear_object (&self->server);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_SERVE_DIALOG);

  G_OBJECT_CLASS (sonde_serve_dialog_parent_class)->dispose (object);
}

static void
sonde_serve_dialog_finalize (GObject *object)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);

  if (self->path != NULL)
    explicit_bzero (self->path, strlen (self->path));
  g_free (self->path);
  g_free (self->title);
  g_free (self->rules_path);
  g_free (self->url);
  g_free (self->error);

  G_OBJECT_CLASS (sonde_serve_dialog_parent_class)->finalize (object);
}

static gboolean
sonde_serve_dialog_close_request (GtkWindow *window)
{
  sonde_serve_dialog_stop (SONDE_SERVE_DIALOG (window));

  return GTK_WINDOW_CLASS (sonde_serve_dialog_parent_class)->close_request (window);
}

static void
sonde_serve_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->session_id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->server != NULL);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_N_CLIENTS:
      g_value_set_uint (value, self->n_clients);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_serve_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_SESSION_ID:
      self->session_id = g_value_get_int64 (value);
      break;
    case PROP_TITLE:
      self->title = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_serve_dialog_class_init (SondeServeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = sonde_serve_dialog_constructed;
  object_class->dispose = sonde_serve_dialog_dispose;
  object_class->finalize = sonde_serve_dialog_finalize;
  object_class->get_property = sonde_serve_dialog_get_property;
  object_class->set_property = sonde_serve_dialog_set_property;
  window_class->close_request = sonde_serve_dialog_close_request;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, construct);
  properties[PROP_SESSION_ID] = g_param_spec_int64 ("session-id", NULL, NULL, 0, G_MAXINT64, 0, construct);
  properties[PROP_TITLE] = g_param_spec_string ("session-title", NULL, NULL, NULL, construct);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, ro);
  properties[PROP_N_CLIENTS] = g_param_spec_uint ("n-clients", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-serve-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, session_label);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, rules_row);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, loop_switch);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, running_group);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, clients_label);
  gtk_widget_class_bind_template_child (widget_class, SondeServeDialog, error_label);

  gtk_widget_class_install_action (widget_class, "serve.start", NULL, on_start_action);
  gtk_widget_class_install_action (widget_class, "serve.stop", NULL, on_stop_action);
  gtk_widget_class_install_action (widget_class, "serve.copy-url", NULL, on_copy_url_action);
  gtk_widget_class_install_action (widget_class, "serve.choose-rules", NULL, on_choose_rules_action);
  gtk_widget_class_install_action (widget_class, "serve.clear-rules", NULL, on_clear_rules_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sonde_serve_dialog_init (SondeServeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sonde_serve_dialog_new (const char *path,
                        gint64      session_id,
                        const char *title)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (SONDE_TYPE_SERVE_DIALOG, "path", path, "session-id", session_id, "session-title", title, NULL);
}

void
sonde_serve_dialog_set_rules_path (SondeServeDialog *self,
                                   const char       *rules_path)
{
  g_return_if_fail (SONDE_IS_SERVE_DIALOG (self));

  g_free (self->rules_path);
  self->rules_path = g_strdup (rules_path);
  update (self);
}

const char *
sonde_serve_dialog_get_rules_path (SondeServeDialog *self)
{
  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), NULL);

  return self->rules_path;
}

void
sonde_serve_dialog_set_port (SondeServeDialog *self,
                             guint16           port)
{
  g_return_if_fail (SONDE_IS_SERVE_DIALOG (self));

  gtk_spin_button_set_value (self->port_spin, port);
}

/* Starts the server on @source (NULL: @load_error says why it could not
 * be read). */
static gboolean
start_with_source (SondeServeDialog  *self,
                   SondeReplaySource *source,
                   const GError      *load_error)
{
  g_autoptr(SondeMockRules) rules = NULL;
  g_autoptr(SondeReplayServer) server = NULL;
  g_autoptr(GError) error = load_error != NULL ? g_error_copy (load_error) : NULL;

  if (source != NULL && self->rules_path != NULL)
    rules = sonde_mock_rules_load (self->rules_path, &error);
  if (error == NULL)
    {
      server = sonde_replay_server_new (source, rules);
      sonde_replay_server_set_loop (server, gtk_switch_get_active (self->loop_switch));
      sonde_replay_server_start (server, "127.0.0.1", (guint16) gtk_spin_button_get_value_as_int (self->port_spin),
                                 &error);
    }
  if (error != NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s says why (a port in use, a rules file's line and column…). */
      text = g_strdup_printf (_("Could not start serving: %s"), error->message);
      set_error (self, text);
      update (self);
      return FALSE;
    }

  set_error (self, NULL);
  self->server = g_steal_pointer (&server);
  self->url = sonde_replay_server_dup_url (self->server);
  self->n_clients = 0;
  self->poll_id = g_timeout_add (CLIENTS_POLL_MS, poll_clients, self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SondeServeDialog *self = source_object;
  GError *error = NULL;
  SondeReplaySource *source = sonde_replay_source_load (task_data, self->session_id, NULL, NULL, &error);

  if (source == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, source, (GDestroyNotify) sonde_replay_source_unref);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SondeServeDialog *self = SONDE_SERVE_DIALOG (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeReplaySource) source = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->loading);
  start_with_source (self, source, error);
}

/* Serves the session: at once from a file; from a shared history's
 * database once it has been read on a worker (TRUE meanwhile; "running"
 * and the URL follow, or the error shows). */
gboolean
sonde_serve_dialog_start (SondeServeDialog *self)
{
  g_autoptr(SondeReplaySource) source = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), FALSE);

  if (self->server != NULL || self->loading != NULL)
    return TRUE;

  if (sonde_store_uri_is_remote (self->path))
    {
      g_autoptr(GTask) task = NULL;

      self->loading = g_cancellable_new ();
      set_error (self, NULL);
      task = g_task_new (self, self->loading, on_loaded, NULL);
      g_task_set_task_data (task, g_strdup (self->path), g_free);
      g_task_run_in_thread (task, load_thread);
      return TRUE;
    }

  source = sonde_replay_source_load (self->path, self->session_id, NULL, NULL, &error);
  return start_with_source (self, source, error);
}

void
sonde_serve_dialog_stop (SondeServeDialog *self)
{
  g_return_if_fail (SONDE_IS_SERVE_DIALOG (self));

  if (self->server == NULL)
    return;
  sonde_replay_server_stop (self->server);
  g_clear_object (&self->server);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_pointer (&self->url, g_free);
  self->n_clients = 0;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

gboolean
sonde_serve_dialog_get_running (SondeServeDialog *self)
{
  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), FALSE);

  return self->server != NULL;
}

const char *
sonde_serve_dialog_get_url (SondeServeDialog *self)
{
  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), NULL);

  return self->url;
}

guint
sonde_serve_dialog_get_n_clients (SondeServeDialog *self)
{
  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), 0);

  return self->n_clients;
}

const char *
sonde_serve_dialog_get_error (SondeServeDialog *self)
{
  g_return_val_if_fail (SONDE_IS_SERVE_DIALOG (self), NULL);

  return self->error;
}
