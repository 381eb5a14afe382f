/* sonde-preferences.c: the application's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Style (follow the system, light, dark), how much a connection's log
 * keeps, recording (addresses typed by hand, the disk budget and the age
 * limit), and whether the open connections come back at start: each bound
 * to its GSettings key, so a change applies at once.
 *
 * The shared history is the exception: an address and a password are
 * kept only once the database has answered with them ("Connect"), the
 * address in GSettings, the password in the keyring. A mistyped address
 * says why under it and changes nothing.
 */

#define G_LOG_DOMAIN "sonde-preferences"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-gui-util.h"
#include "sonde-preferences.h"
#include "sonde-recordings.h"
#include "sonde-shared-history.h"
#include "sonde-store-uri.h"

struct _SondePreferences
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwComboRow          *style_row;
  GtkSpinButton        *count_spin;
  GtkSpinButton        *megabytes_spin;
  GtkSwitch            *restore_switch;
  GtkSwitch            *adhoc_reconnect_switch;
  AdwPreferencesGroup  *recording_group;
  GtkSwitch            *record_adhoc_switch;
  GtkSpinButton        *budget_spin;
  GtkSpinButton        *age_spin;
  AdwEntryRow          *shared_uri_row;
  AdwPasswordEntryRow  *shared_password_row;
  AdwActionRow         *shared_status_row;
  GtkSpinner           *shared_spinner;

  /* owned */
  GSettings            *settings;
  SondeSecrets         *secrets;       /* NULL: no keyring (the password is not kept) */
  GCancellable         *cancellable;   /* a connect, a keyring call */
  char                 *tried_uri;     /* the address being tried, without the password */
  char                 *tried_password;
  gboolean              has_password;  /* the keyring keeps one */
};

G_DEFINE_FINAL_TYPE (SondePreferences, sonde_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SECRETS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
enum_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  g_value_set_uint (value, g_str_equal (nick, "light") ? 1 : g_str_equal (nick, "dark") ? 2 : 0);
  return TRUE;
}

static GVariant *
selected_to_enum (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  static const char *nicks[] = { "system", "light", "dark" };
  guint selected = g_value_get_uint (value);

  return g_variant_new_string (nicks[MIN (selected, G_N_ELEMENTS (nicks) - 1)]);
}

/* Shared history ---------------------------------------------------------- */

static void
wipe (char **secret)
{
  if (*secret != NULL)
    explicit_bzero (*secret, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

/* Closed (disposed) while a connect or a keyring call ran: its answer
 * finds no fields to show it in. */
static gboolean
gone (SondePreferences *self)
{
  return self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable);
}

/* The line under the fields: what is kept, what a connect found, or why
 * it failed (in the error colour). */
static void
set_shared_status (SondePreferences *self,
                   const char       *text,
                   gboolean          error)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->shared_status_row), text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->shared_status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->shared_status_row), "error");
}

static void
set_shared_busy (SondePreferences *self,
                 gboolean          busy)
{
  gtk_spinner_set_spinning (self->shared_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->shared_spinner), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.shared-connect", !busy);
}

static void
show_kept (SondePreferences *self)
{
  g_autofree char *uri = sonde_shared_history_dup_uri (self->settings);
  g_autofree char *masked = uri != NULL ? sonde_store_uri_mask (uri) : NULL;
  g_autofree char *text = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.shared-forget", uri != NULL || self->has_password);
  if (uri == NULL)
    {
      set_shared_status (self, _("Not set up"), FALSE);
      return;
    }
  text = self->has_password
           /* Translators: %s is the shared history's database address. */
           ? g_strdup_printf (_("History lists %s (password in the keyring)"), masked)
           : g_strdup_printf (_("History lists %s"), masked);
  set_shared_status (self, text, FALSE);
}

static void
on_password_looked_up (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(SondePreferences) self = user_data;
  g_autofree char *password = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, NULL);

  self->has_password = password != NULL;
  if (password != NULL)
    wipe (&password);
  if (self->tried_uri == NULL && !gone (self))
    show_kept (self);
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SondePreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored = sonde_secrets_store_finish (SONDE_SECRETS (source), result, &error);

  if (gone (self))
    return;
  if (!stored)
    {
      g_autofree char *text =
        g_strdup_printf (_("Connected, but the password could not be kept in the keyring: %s"), error->message);

      set_shared_status (self, text, TRUE);
      return;
    }
  self->has_password = TRUE;
  show_kept (self);
}

static void
on_probed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SondePreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_steal_pointer (&self->tried_uri);
  g_autofree char *password = g_steal_pointer (&self->tried_password);
  g_autoptr(GPtrArray) sessions = NULL;
  guint n;

  if (gone (self))
    {
      wipe (&password);
      return;
    }
  set_shared_busy (self, FALSE);
  sessions = sonde_store_list_uri_finish (result, &error);
  if (sessions == NULL)
    {
      /* Translators: %s says why: a server that does not answer, a password refused… */
      g_autofree char *text = g_strdup_printf (_("Not kept: %s"), error->message);

      set_shared_status (self, text, TRUE);
      wipe (&password);
      return;
    }

  n = sessions->len;
  g_settings_set_string (self->settings, "shared-history-uri", uri);
  gtk_editable_set_text (GTK_EDITABLE (self->shared_password_row), "");
  if (password != NULL && self->secrets != NULL)
    {
      g_autofree char *masked = sonde_store_uri_mask (uri);
      /* Translators: the keyring item's label; %s is the database address. */
      g_autofree char *label = g_strdup_printf (_("Sonde shared history %s"), masked);

      sonde_secrets_store_async (self->secrets, SONDE_SECRETS_SHARED_HISTORY, label, password,
                                 self->cancellable, on_password_stored, g_object_ref (self));
    }
  {
    /* Translators: after Connect; %u is how many recorded sessions the database holds. */
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected: %u recorded session",
                                                          "Connected: %u recorded sessions", n), n);

    set_shared_status (self, text, FALSE);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.shared-forget", TRUE);
  wipe (&password);
}

static void
probe (SondePreferences *self,
       const char       *password)
{
  g_autofree char *conninfo = sonde_store_uri_with_password (self->tried_uri, password);

  /* Read as History will read it: connected, its sessions listed. */
  sonde_store_list_uri_async (conninfo, self->cancellable, on_probed, g_object_ref (self));
  wipe (&conninfo);
}

/* No password typed: the one the keyring keeps, if any. */
static void
on_kept_password (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SondePreferences) self = user_data;
  g_autofree char *password = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, NULL);

  if (gone (self))
    {
      wipe (&password);
      return;
    }
  probe (self, password);
  wipe (&password);
}

static void
on_shared_connect (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondePreferences *self = SONDE_PREFERENCES (widget);
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->shared_uri_row))));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->shared_password_row));
  g_autoptr(GError) error = NULL;

  if (!sonde_store_uri_check_remote (uri, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->shared_uri_row), "error");
      set_shared_status (self, error->message, TRUE);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->shared_uri_row), "error");
  g_free (self->tried_uri);
  self->tried_uri = g_steal_pointer (&uri);
  wipe (&self->tried_password);
  self->tried_password = *password != '\0' ? g_strdup (password) : NULL;
  set_shared_busy (self, TRUE);
  set_shared_status (self, _("Connecting…"), FALSE);
  if (self->tried_password == NULL && self->secrets != NULL && self->has_password)
    sonde_secrets_lookup_async (self->secrets, SONDE_SECRETS_SHARED_HISTORY, self->cancellable,
                                on_kept_password, g_object_ref (self));
  else
    probe (self, self->tried_password);
}

static void
on_shared_forget (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondePreferences *self = SONDE_PREFERENCES (widget);

  g_settings_set_string (self->settings, "shared-history-uri", "");
  gtk_editable_set_text (GTK_EDITABLE (self->shared_uri_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->shared_password_row), "");
  if (self->secrets != NULL && self->has_password)
    sonde_secrets_clear_async (self->secrets, SONDE_SECRETS_SHARED_HISTORY, NULL, NULL, NULL);
  self->has_password = FALSE;
  show_kept (self);
}

static void
on_shared_changed (SondePreferences *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->shared_uri_row), "error");
}

static void
sonde_preferences_constructed (GObject *object)
{
  SondePreferences *self = (SondePreferences *) object;

  G_OBJECT_CLASS (sonde_preferences_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, enum_to_selected, selected_to_enum, NULL, NULL);
  g_settings_bind (self->settings, "default-retention-count",
                   gtk_spin_button_get_adjustment (self->count_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-retention-megabytes",
                   gtk_spin_button_get_adjustment (self->megabytes_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "restore-session", self->restore_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "adhoc-reconnect", self->adhoc_reconnect_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "record-adhoc", self->record_adhoc_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "recording-budget-megabytes",
                   gtk_spin_button_get_adjustment (self->budget_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "recording-max-age-days",
                   gtk_spin_button_get_adjustment (self->age_spin), "value", G_SETTINGS_BIND_DEFAULT);

  /* Where they are, and what they take now. */
  {
    g_autofree char *dir = sonde_recordings_default_dir ();
    g_autofree char *size = g_format_size (sonde_recordings_get_size (dir));
    /* Translators: the size of all recordings, then their folder. */
    g_autofree char *text = g_strdup_printf (_("%s now, in %s"), size, dir);

    adw_preferences_group_set_description (self->recording_group, text);
  }

  /* The shared history as kept. */
  {
    g_autofree char *uri = sonde_shared_history_dup_uri (self->settings);

    gtk_editable_set_text (GTK_EDITABLE (self->shared_uri_row), uri != NULL ? uri : "");
    g_signal_connect_object (self->shared_uri_row, "changed", G_CALLBACK (on_shared_changed), self,
                             G_CONNECT_SWAPPED);
    show_kept (self);
    if (self->secrets != NULL)
      sonde_secrets_lookup_async (self->secrets, SONDE_SECRETS_SHARED_HISTORY, self->cancellable,
                                  on_password_looked_up, g_object_ref (self));
  }
}

static void
sonde_preferences_dispose (GObject *object)
{
  SondePreferences *self = (SondePreferences *) object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_PREFERENCES);
  g_clear_object (&self->settings);
  g_clear_object (&self->secrets);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->tried_uri, g_free);
  wipe (&self->tried_password);

  G_OBJECT_CLASS (sonde_preferences_parent_class)->dispose (object);
}

static void
sonde_preferences_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SondePreferences *self = SONDE_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_SECRETS:
      self->secrets = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_preferences_class_init (SondePreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_preferences_constructed;
  object_class->dispose = sonde_preferences_dispose;
  object_class->set_property = sonde_preferences_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECRETS] =
    g_param_spec_object ("secrets", NULL, NULL, SONDE_TYPE_SECRETS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, style_row);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, count_spin);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, megabytes_spin);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, restore_switch);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, adhoc_reconnect_switch);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, recording_group);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, record_adhoc_switch);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, budget_spin);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, age_spin);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, shared_uri_row);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, shared_password_row);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, shared_status_row);
  gtk_widget_class_bind_template_child (widget_class, SondePreferences, shared_spinner);

  gtk_widget_class_install_action (widget_class, "prefs.shared-connect", NULL, on_shared_connect);
  gtk_widget_class_install_action (widget_class, "prefs.shared-forget", NULL, on_shared_forget);
}

static void
sonde_preferences_init (SondePreferences *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  sonde_gui_name_password_row (self->shared_password_row);
}

/* @secrets: where the shared history's password is kept (NULL: it is
 * tried, never kept). */
SondePreferences *
sonde_preferences_new (GSettings    *settings,
                       SondeSecrets *secrets)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets), NULL);

  return g_object_new (SONDE_TYPE_PREFERENCES, "settings", settings, "secrets", secrets, NULL);
}
