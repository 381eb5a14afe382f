/* sonde-window-profiles.c: the window's actions on saved profiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * New, edit, duplicate, delete (with Undo), connect, save the current
 * connection as a profile, import and export. Actions that act on one
 * profile take its id ("s"), so that menus in the sidebar can name it.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-gui-util.h"
#include "sonde-profile-editor.h"
#include "sonde-url.h"
#include "sonde-window-private.h"

typedef struct {
  SondeWindow  *window;     /* weak */
  SondeProfile *profile;
  guint         position;
  gboolean      undone;
} Deletion;

static SondeProfile *
lookup (SondeWindow *self,
        GVariant    *parameter)
{
  const char *id = g_variant_get_string (parameter, NULL);
  SondeProfile *profile = sonde_profile_store_lookup (self->store, id);

  if (profile == NULL)
    sonde_window_show_toast (self, _("That profile no longer exists"));
  return profile;
}

static SondeProfileEditor *
open_editor (SondeWindow  *self,
             SondeProfile *profile)
{
  SondeProfileEditor *editor = sonde_profile_editor_new (self->store, self->secrets, profile);

  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (self));
  gtk_window_set_application (GTK_WINDOW (editor), gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_present (GTK_WINDOW (editor));
  return editor;
}

static void
on_new_profile (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  open_editor (SONDE_WINDOW (widget), NULL);
}

/* "Save as Profile…" saved: the tab it was made from is that profile's
 * from now on (its charts go with it). */
static void
on_saved_as_profile (SondeProfileEditor  *editor,
                     SondeProfile        *profile,
                     SondeConnectionPage *page)
{
  sonde_session_set_profile (sonde_connection_page_get_session (page), profile);
}

/* A profile from what the current tab is connected to (or the URL typed):
 * the editor opens on it, to name it and add what it needs. */
static void
on_save_as_profile (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  g_autoptr(SondeProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  SondeProfileEditor *editor;

  normalized = sonde_url_normalize (url, &error);
  if (normalized == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Type a server URL to save first: %s"), error->message);
      sonde_window_show_toast (self, text);
      return;
    }

  profile = sonde_profile_new_for_url (normalized);
  if (self->current != NULL)
    {
      SondeConnection *connection = sonde_connection_page_get_connection (self->current);

      if (g_strcmp0 (sonde_connection_get_url (connection), url) == 0)
        {
          sonde_profile_set_headers (profile, sonde_connection_get_headers (connection));
          sonde_profile_set_protocols (profile, sonde_connection_get_protocols (connection));
          sonde_profile_set_origin (profile, sonde_connection_get_origin (connection));
        }
    }

  editor = open_editor (self, profile);
  if (self->current != NULL)
    g_signal_connect_object (editor, "saved", G_CALLBACK (on_saved_as_profile), self->current, 0);
}

static void
on_connect_profile (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeProfile *profile = lookup (self, parameter);

  if (profile != NULL)
    sonde_window_connect_profile (self, profile);
}

static void
on_edit_profile (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeProfile *profile = lookup (self, parameter);

  if (profile != NULL)
    open_editor (self, profile);
}

static void
on_duplicate_profile (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeProfile *profile = lookup (self, parameter);
  g_autoptr(SondeProfile) copy = NULL;
  guint position;

  if (profile == NULL)
    return;

  copy = sonde_profile_duplicate (profile);
  for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (self->store)); position++)
    {
      g_autoptr(SondeProfile) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

      if (item == profile)
        break;
    }
  sonde_profile_store_insert (self->store, position + 1, copy);
  sonde_profile_store_save_soon (self->store);
  open_editor (self, copy);
}

static void
deletion_free (gpointer data)
{
  Deletion *deletion = data;

  g_clear_weak_pointer (&deletion->window);
  g_clear_object (&deletion->profile);
  g_free (deletion);
}

static void
on_undo_delete (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  Deletion *deletion = self->last_deletion;

  if (deletion == NULL || deletion->window == NULL || deletion->undone)
    return;

  deletion->undone = TRUE;
  sonde_profile_store_insert (deletion->window->store,
                              MIN (deletion->position,
                                   g_list_model_get_n_items (G_LIST_MODEL (deletion->window->store))),
                              deletion->profile);
  sonde_profile_store_save_soon (deletion->window->store);
}

/* Only once the toast is gone without Undo does the secret leave the
 * keyring. */
static void
on_delete_toast_dismissed (AdwToast *toast,
                           Deletion *deletion)
{
  if (deletion->window != NULL && deletion->window->last_deletion == deletion)
    deletion->window->last_deletion = NULL;

  if (deletion->undone || deletion->window == NULL || deletion->window->secrets == NULL)
    return;

  sonde_gui_clear_secret (deletion->window->secrets, deletion->profile, GTK_WIDGET (deletion->window));
}

static void
on_delete_profile (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeProfile *profile = lookup (self, parameter);
  g_autofree char *title = NULL;
  Deletion *deletion;
  AdwToast *toast;

  if (profile == NULL)
    return;

  deletion = g_new0 (Deletion, 1);
  g_set_weak_pointer (&deletion->window, self);
  deletion->profile = g_object_ref (profile);
  sonde_profile_store_remove (self->store, profile, &deletion->position);
  sonde_profile_store_save_soon (self->store);

  title = g_strdup_printf (_("“%s” deleted"), sonde_profile_get_name (profile));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 8);
  self->last_deletion = deletion;
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), deletion,
                         (GClosureNotify) (void (*) (void)) deletion_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

typedef struct {
  SondeWindow *window;     /* strong */
  GPtrArray   *profiles;   /* NULL: all */
} ExportRequest;

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ExportRequest *request = user_data;
  SondeWindow *self = request->window;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      g_autofree char *json = sonde_profile_store_export (self->store, request->profiles, &error);
      g_autofree char *path = g_file_get_path (file);

      if (json == NULL || !g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Not exported: %s"), error->message);
          sonde_window_show_toast (self, text);
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("Exported to %s (without secrets)"), path);
          sonde_window_show_toast (self, text);
        }
    }

  g_clear_pointer (&request->profiles, g_ptr_array_unref);
  g_object_unref (request->window);
  g_free (request);
  g_object_unref (dialog);
}

static void
export (SondeWindow  *self,
        SondeProfile *profile)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Export Profiles"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SAVE,
                                                              _("_Export"), _("_Cancel"));
  ExportRequest *request = g_new0 (ExportRequest, 1);
  g_autofree char *name = NULL;

  request->window = g_object_ref (self);
  if (profile != NULL)
    {
      request->profiles = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (request->profiles, g_object_ref (profile));
      name = g_strdup_printf ("%s.json", sonde_profile_get_name (profile));
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name ? name : "sonde-profiles.json");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_export_profile (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SondeWindow *self = SONDE_WINDOW (widget);
  SondeProfile *profile = lookup (self, parameter);

  if (profile != NULL)
    export (self, profile);
}

static void
on_export_profiles (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  export (SONDE_WINDOW (widget), NULL);
}

static void
on_import_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(SondeWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) imported = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_load_contents (file, NULL, &contents, &length, NULL, &error))
        imported = sonde_profile_store_import (self->store, contents, (gssize) length, &error);

      if (imported == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Not imported: %s"), error->message);
          sonde_window_show_toast (self, text);
        }
      else
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u profile imported",
                                                                "%u profiles imported", imported->len),
                                                   imported->len);
          sonde_profile_store_save_soon (self->store);
          sonde_window_show_toast (self, text);
        }
    }

  g_object_unref (dialog);
}

static void
on_import_profiles (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Import Profiles"), GTK_WINDOW (widget),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              _("_Import"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("JSON files"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_response), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
sonde_window_profiles_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-profile", NULL, on_new_profile);
  gtk_widget_class_install_action (widget_class, "win.save-as-profile", NULL, on_save_as_profile);
  gtk_widget_class_install_action (widget_class, "win.connect-profile", "s", on_connect_profile);
  gtk_widget_class_install_action (widget_class, "win.edit-profile", "s", on_edit_profile);
  gtk_widget_class_install_action (widget_class, "win.duplicate-profile", "s", on_duplicate_profile);
  gtk_widget_class_install_action (widget_class, "win.delete-profile", "s", on_delete_profile);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", NULL, on_undo_delete);
  gtk_widget_class_install_action (widget_class, "win.export-profile", "s", on_export_profile);
  gtk_widget_class_install_action (widget_class, "win.export-profiles", NULL, on_export_profiles);
  gtk_widget_class_install_action (widget_class, "win.import-profiles", NULL, on_import_profiles);
}

/* Connects @profile in a tab: the current one if nothing was ever
 * connected in it, else a new one. */
SondeConnectionPage *
sonde_window_connect_profile (SondeWindow  *self,
                              SondeProfile *profile)
{
  SondeConnectionPage *page = self->current;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SONDE_IS_PROFILE (profile), NULL);

  /* One session per profile: an open one is brought to the front (and
   * connected again if it is not connected). */
  if (sonde_window_find_profile_page (self, profile) != NULL)
    {
      page = sonde_window_find_profile_page (self, profile);
      sonde_window_focus_page (self, page);
      if (!sonde_connection_page_get_active (page))
        sonde_connection_page_connect_profile (page, profile, self->secrets);
      return page;
    }

  if (page == NULL || sonde_connection_get_url (sonde_connection_page_get_connection (page)) != NULL)
    page = sonde_window_add_page (self);

  sonde_connection_page_connect_profile (page, profile, self->secrets);
  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), sonde_profile_get_url (profile));
  return page;
}

GtkWidget *
sonde_window_get_sidebar (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  return self->sidebar;
}
