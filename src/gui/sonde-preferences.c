/* sonde-preferences.c: the application's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Style (follow the system, light, dark), how much a connection's log
 * keeps, recording (addresses typed by hand, the disk budget and the age
 * limit), and whether the open connections come back at start: each bound
 * to its GSettings key, so a change applies at once.
 */

#define G_LOG_DOMAIN "sonde-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-preferences.h"
#include "sonde-recordings.h"

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

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (SondePreferences, sonde_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
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
}

static void
sonde_preferences_dispose (GObject *object)
{
  SondePreferences *self = (SondePreferences *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_PREFERENCES);
  g_clear_object (&self->settings);

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
}

static void
sonde_preferences_init (SondePreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SondePreferences *
sonde_preferences_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (SONDE_TYPE_PREFERENCES, "settings", settings, NULL);
}
