/* sonde-application.c: the Sonde desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what outlives a window: the embedded demo feed (started the first
 * time a window asks for it) and the application actions. Command-line
 * arguments are URLs to open, each in a tab of its own; with none, a new
 * window opens on the demo ticker so a first launch shows live data.
 */

#define G_LOG_DOMAIN "sonde-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <libsoup/soup.h>

#include "sonde-application.h"
#include "sonde-preferences.h"
#include "sonde-recorder.h"
#include "sonde-recordings-pruner.h"
#include "sonde-window-host.h"
#include "sonde-window.h"

struct _SondeApplication
{
  AdwApplication   parent_instance;

  /* owned */
  SondeDemoServer   *demo_server;
  SondeProfileStore *store;
  SondeSecrets      *secrets;
  GSettings         *settings;
  SondeRecordingsPruner *pruner;
  char              *load_problem;   /* why the profiles could not all be read */
  guint              n_alerts;       /* desktop notifications sent, for tests */
  char              *last_alert;     /* the last one's title */
};

static void sonde_application_window_host_init (SondeWindowHostInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeApplication, sonde_application, ADW_TYPE_APPLICATION,
                               G_IMPLEMENT_INTERFACE (SONDE_TYPE_WINDOW_HOST,
                                                      sonde_application_window_host_init))

static SondeWindow *
ensure_window (SondeApplication *self,
               gboolean         *created)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  *created = window == NULL;
  if (window == NULL)
    window = GTK_WINDOW (sonde_window_new (SONDE_WINDOW_HOST (self)));

  return SONDE_WINDOW (window);
}

/* A profiles file that did not parse was moved aside: say so where the
 * user looks, once. */
static void
tell_load_problem (SondeApplication *self,
                   SondeWindow      *window)
{
  GtkWidget *dialog;

  if (self->load_problem == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (window), _("Saved Profiles Could Not Be Read"),
                                   self->load_problem);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "ok", _("_OK"));
  gtk_window_present (GTK_WINDOW (dialog));
  g_clear_pointer (&self->load_problem, g_free);
}

static void
sonde_application_activate (GApplication *app)
{
  SondeApplication *self = SONDE_APPLICATION (app);
  gboolean created;
  SondeWindow *window = ensure_window (self, &created);

  if (created)
    {
      /* First launch, or nothing to restore: the demo ticker streams. */
      if (!sonde_window_restore_session (window))
        sonde_window_open_demo (window);
      tell_load_problem (self, window);
    }
  gtk_window_present (GTK_WINDOW (window));
}

static void
sonde_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  SondeApplication *self = SONDE_APPLICATION (app);
  gboolean created;
  SondeWindow *window = ensure_window (self, &created);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      sonde_window_open_url (window, uri);
    }
  gtk_window_present (GTK_WINDOW (window));
}

/* Versions of what Sonde runs on, for bug reports (About → Troubleshooting). */
static char *
dup_debug_info (void)
{
  return g_strdup_printf ("Sonde %s (%s)\n"
                          "GLib %u.%u.%u\n"
                          "GTK %u.%u.%u\n"
                          "libadwaita %u.%u.%u\n"
                          "libsoup %u.%u.%u\n"
                          "GtkSourceView %u.%u.%u\n",
                          PACKAGE_VERSION, APPLICATION_ID,
                          glib_major_version, glib_minor_version, glib_micro_version,
                          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
                          adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version (),
                          soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version (),
                          gtk_source_get_major_version (), gtk_source_get_minor_version (),
                          gtk_source_get_micro_version ());
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Sonde developers", NULL };
  g_autofree char *debug_info = dup_debug_info ();
  g_autofree char *release_notes =
    g_strdup_printf ("<p>%s</p>", _("The first release: the message log, the message detail, the composer, "
                                    "profiles and the command-line client."));

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Sonde"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Sonde developers"),
                         "version", PACKAGE_VERSION,
                         "release-notes-version", "0.1.0",
                         "release-notes", release_notes,
                         "comments", _("Watch and probe WebSocket feeds in real time"),
                         "website", "https://github.com/sondeapp/sonde",
                         "issue-url", "https://github.com/sondeapp/sonde/issues",
                         "debug-info", debug_info,
                         "debug-info-filename", "sonde-debug-info.txt",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "designers", developers,
                         /* Translators: your names, one a line, as they should appear in About → Credits. */
                         "translator-credits", _("translator-credits"),
                         "copyright", _("© 2026 The Sonde developers"),
                         NULL);
}

/* Every window closes as if closed by hand (the session is saved), without
 * the question about monitoring in the background. */
static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (SONDE_IS_WINDOW (l->data))
        sonde_window_quit (SONDE_WINDOW (l->data));
    }
  g_application_quit (G_APPLICATION (app));
}

/* A notification was clicked: its connection, at its message. */
static void
on_show_message (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *uid = NULL;
  guint64 seq = 0;

  g_variant_get (parameter, "(&st)", &uid, &seq);
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    {
      if (SONDE_IS_WINDOW (l->data) && sonde_window_show_record (SONDE_WINDOW (l->data), uid, seq))
        return;
    }
  /* The tab was closed since: at least show the window. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-window", NULL);
}

static void
on_show_window (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_window_present (window);
  else
    g_application_activate (G_APPLICATION (user_data));
}

static void
on_preferences (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  SondeApplication *self = SONDE_APPLICATION (user_data);
  GtkWindow *preferences = GTK_WINDOW (sonde_preferences_new (self->settings, self->secrets));

  gtk_window_set_transient_for (preferences, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (preferences);
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = on_about },
  { .name = "preferences", .activate = on_preferences },
  { .name = "quit", .activate = on_quit },
  { .name = "show-message", .activate = on_show_message, .parameter_type = "(st)" },
  { .name = "show-window", .activate = on_show_window },
};

static void
apply_color_scheme (SondeApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT,       /* system */
    ADW_COLOR_SCHEME_FORCE_LIGHT,
    ADW_COLOR_SCHEME_FORCE_DARK,
  };
  int choice = g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[CLAMP (choice, 0, (int) G_N_ELEMENTS (schemes) - 1)]);
}

/* Every keyboard shortcut of the application and its windows, declared
 * here only (ui/gtk/help-overlay.ui lists them for the user, and a test
 * checks that it does). The profile editor, a window of its own, keeps
 * Ctrl+S and Escape as bindings of its class: its Escape must first close
 * a drop-down open in it, which an application accelerator (run before the
 * focused widget) would not let happen. */
static const struct {
  const char *action;
  const char *accels[3];
} shortcuts[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "win.toggle-sidebar", { "F9", NULL } },
  { "win.focus-url", { "<Control>l", NULL } },
  { "win.new-tab", { "<Control>t", NULL } },
  { "win.close-tab", { "<Control>w", NULL } },
  { "win.new-profile", { "<Control>n", NULL } },
  { "win.filter", { "<Control>f", NULL } },
  { "win.clear-log", { "<Control>k", NULL } },
  { "win.export-log", { "<Control><Shift>s", NULL } },
  { "win.send", { "<Control>Return", "<Control>KP_Enter", NULL } },
  { "win.pause", { "<Control>p", NULL } },
  { "win.focus-composer", { "<Control>m", NULL } },
  { "win.side-pane('detail')", { "<Control>1", NULL } },
  { "win.side-pane('connection')", { "<Control>2", NULL } },
  { "win.disconnect", { "<Control>d", NULL } },
  { "win.reconnect", { "<Control>r", NULL } },
  { "win.history", { "<Control>h", NULL } },
  { "win.shared-history", { "<Control><Shift>h", NULL } },
};

static void
sonde_application_startup (GApplication *app)
{
  GtkApplication *gtk_app = GTK_APPLICATION (app);

  G_APPLICATION_CLASS (sonde_application_parent_class)->startup (app);

  {
    SondeApplication *self = SONDE_APPLICATION (app);
    g_autoptr(GError) error = NULL;

    self->settings = g_settings_new (APPLICATION_ID);
    g_signal_connect_object (self->settings, "changed::color-scheme",
                             G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
    apply_color_scheme (self);

    self->pruner = sonde_recordings_pruner_new (self->settings, NULL);
    self->secrets = sonde_secrets_new ();
    self->store = sonde_profile_store_new (NULL);
    if (!sonde_profile_store_load (self->store, &error))
      self->load_problem = g_strdup (error->message);
  }

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (gtk_app, shortcuts[i].action, shortcuts[i].accels);
}

static void
sonde_application_shutdown (GApplication *app)
{
  SondeApplication *self = SONDE_APPLICATION (app);

  if (self->demo_server != NULL)
    sonde_demo_server_stop (self->demo_server);

  /* The windows are gone: their recordings flush on their own threads. */
  g_clear_object (&self->pruner);
  if (!sonde_recorder_wait_all (10 * G_USEC_PER_SEC))
    g_warning ("A recording did not finish writing within 10 s: its last messages may be missing");

  if (self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* No window is left to say it in: a desktop notification does. */
      if (!sonde_profile_store_flush (self->store, &error))
        {
          g_autoptr(GNotification) notification = g_notification_new (_("Profiles Not Saved"));
          /* Translators: the profiles file, then why it could not be written. */
          g_autofree char *body = g_strdup_printf (_("%s could not be written (%s): the latest changes to "
                                                     "your profiles are lost. Free some disk space or make "
                                                     "that folder writable before you change them again."),
                                                   sonde_profile_store_get_path (self->store), error->message);

          g_debug ("The profiles could not be saved: %s", error->message);
          g_notification_set_body (notification, body);
          g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
          g_application_send_notification (app, "profiles-not-saved", notification);
        }
    }

  G_APPLICATION_CLASS (sonde_application_parent_class)->shutdown (app);
}

static void
sonde_application_dispose (GObject *object)
{
  SondeApplication *self = SONDE_APPLICATION (object);

  g_clear_object (&self->demo_server);
  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->pruner);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->load_problem, g_free);
  g_clear_pointer (&self->last_alert, g_free);

  G_OBJECT_CLASS (sonde_application_parent_class)->dispose (object);
}

static SondeProfileStore *
host_get_store (SondeWindowHost *host)
{
  return sonde_application_get_store (SONDE_APPLICATION (host));
}

static SondeSecrets *
host_get_secrets (SondeWindowHost *host)
{
  return sonde_application_get_secrets (SONDE_APPLICATION (host));
}

static GSettings *
host_get_settings (SondeWindowHost *host)
{
  return sonde_application_get_settings (SONDE_APPLICATION (host));
}

static char *
host_dup_demo_url (SondeWindowHost  *host,
                   const char       *path,
                   GError          **error)
{
  return sonde_application_dup_demo_url (SONDE_APPLICATION (host), path, error);
}

static void
host_notify_alert (SondeWindowHost *host,
                   const char      *uid,
                   const char      *page_title,
                   const char      *title,
                   const char      *body,
                   guint64          seq)
{
  sonde_application_notify_alert (SONDE_APPLICATION (host), uid, page_title, title, body, seq);
}

static void
sonde_application_window_host_init (SondeWindowHostInterface *iface)
{
  iface->get_store = host_get_store;
  iface->get_secrets = host_get_secrets;
  iface->get_settings = host_get_settings;
  iface->dup_demo_url = host_dup_demo_url;
  iface->notify_alert = host_notify_alert;
}

static void
sonde_application_class_init (SondeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sonde_application_dispose;

  app_class->activate = sonde_application_activate;
  app_class->open = sonde_application_open;
  app_class->startup = sonde_application_startup;
  app_class->shutdown = sonde_application_shutdown;
}

static void
sonde_application_init (SondeApplication *self)
{
}

SondeApplication *
sonde_application_new (void)
{
  return g_object_new (SONDE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "resource-base-path", RESOURCE_PATH,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/* The URL of @path ("/ticker", "/sensors", "/echo") on the embedded demo
 * feed, starting the feed the first time. */
char *
sonde_application_dup_demo_url (SondeApplication  *self,
                                const char        *path,
                                GError           **error)
{
  g_return_val_if_fail (SONDE_IS_APPLICATION (self), NULL);

  if (self->demo_server == NULL)
    {
      g_autoptr(SondeDemoServer) server = sonde_demo_server_new ();

      if (!sonde_demo_server_start (server, 0, error))
        return NULL;
      self->demo_server = g_steal_pointer (&server);
    }

  return sonde_demo_server_dup_url (self->demo_server, path);
}

SondeProfileStore *
sonde_application_get_store (SondeApplication *self)
{
  g_return_val_if_fail (SONDE_IS_APPLICATION (self), NULL);

  return self->store;
}

SondeSecrets *
sonde_application_get_secrets (SondeApplication *self)
{
  g_return_val_if_fail (SONDE_IS_APPLICATION (self), NULL);

  return self->secrets;
}

GSettings *
sonde_application_get_settings (SondeApplication *self)
{
  g_return_val_if_fail (SONDE_IS_APPLICATION (self), NULL);

  return self->settings;
}

/* An alert of the page @uid (titled @page_title) as a desktop
 * notification; clicking it shows that page at record @seq. One per page
 * at a time: a newer alert replaces the older. */
void
sonde_application_notify_alert (SondeApplication *self,
                                const char       *uid,
                                const char       *page_title,
                                const char       *title,
                                const char       *body,
                                guint64           seq)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *full_title = NULL;

  g_return_if_fail (SONDE_IS_APPLICATION (self));
  g_return_if_fail (uid != NULL);

  /* Translators: a notification's title: the connection, then what happened. */
  full_title = g_strdup_printf (_("%s: %s"), page_title, title);
  notification = g_notification_new (full_title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-message", "(st)", uid, seq);
  g_notification_add_button_with_target (notification, _("Show Message"), "app.show-message", "(st)", uid, seq);
  id = g_strconcat ("alert-", uid, NULL);
  g_application_send_notification (G_APPLICATION (self), id, notification);

  self->n_alerts++;
  g_free (self->last_alert);
  self->last_alert = g_steal_pointer (&full_title);
}

/* Desktop notifications sent so far, and the last one's title (NULL before
 * the first): what a test can see of them. */
guint
sonde_application_get_n_alerts (SondeApplication  *self,
                                const char       **last_title)
{
  g_return_val_if_fail (SONDE_IS_APPLICATION (self), 0);

  if (last_title != NULL)
    *last_title = self->last_alert;
  return self->n_alerts;
}
