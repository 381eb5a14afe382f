/* sonde-history-view-jobs.c: the History view's jobs that write: delete
 * a session, import a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both write through the writer of the database (shared with a recording
 * of this process, which serializes them), on a worker thread; "busy"
 * meanwhile. Delete asks first; a session being recorded is never
 * deleted. Import is all or nothing (sonde_store_import_async()) and says
 * why a file could not be imported.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "sonde-history-item.h"
#include "sonde-history-view-private.h"
#include "sonde-store-import.h"
#include "sonde-store-sqlite.h"

static void
job_done (SondeHistoryView *self)
{
  self->n_jobs--;
  sonde_history_view_sync_busy (self);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SondeHistoryView *self = source_object;
  gint64 id = *(gint64 *) task_data;
  g_autoptr(GError) error = NULL;
  /* Deleting writes: through the writer of the file (shared with a
   * recording of this process), not a reader. */
  g_autoptr(SondeStoreSqlite) store = sonde_store_sqlite_open (self->path, &error);

  if (store == NULL || !sonde_store_delete_session (SONDE_STORE (store), id, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_delete_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (source);
  g_autoptr(GError) error = NULL;

  job_done (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_free (self->error);
          self->error = g_strdup_printf (_("The session could not be deleted: %s"), error->message);
          sonde_history_view_set_status (self, self->error, TRUE);
        }
      return;
    }
  sonde_history_view_reload (self);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    SondeHistoryView *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "session-id"));
  g_autoptr(GTask) task = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  task = g_task_new (self, self->cancellable, on_delete_done, NULL);
  g_task_set_source_tag (task, on_delete_response);
  g_task_set_task_data (task, g_memdup2 (&id, sizeof id), g_free);
  self->n_jobs++;
  sonde_history_view_sync_busy (self);
  g_task_run_in_thread (task, delete_thread);
}

static void
on_delete_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (widget);
  SondeHistoryItem *item = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char *start = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (item == NULL || sonde_history_item_get_live (item))
    return;

  start = sonde_history_item_dup_start (item);
  /* Translators: %s is the start time of a recorded session. */
  body = g_strdup_printf (_("The session recorded at %s and all its messages are deleted from the disk. "
                            "This cannot be undone."), start);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Delete Recorded Session?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "session-id", GSIZE_TO_POINTER ((gsize) sonde_history_item_get_id (item)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SondeHistoryView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = sonde_store_import_finish (SONDE_STORE (source), result, &error);
  g_autofree char *text = NULL;

  job_done (self);
  if (ids == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_free (self->error);
      /* Translators: %s says why (the file is not HAR nor JSON Lines, holds no WebSocket traffic, …). */
      self->error = g_strdup_printf (_("Nothing was imported: %s"), error->message);
      sonde_history_view_set_status (self, self->error, TRUE);
      return;
    }

  sonde_history_view_reload (self);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u session", "Imported %u sessions", ids->len),
                          ids->len);
  sonde_history_view_set_status (self, text, FALSE);
}

void
sonde_history_view_import (SondeHistoryView *self,
                           GFile            *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(SondeStoreSqlite) store = NULL;

  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* The shared history is the monitor's: read-only here. */
  if (self->remote)
    {
      g_free (self->error);
      self->error = g_strdup (_("Nothing was imported: the shared history is read-only here"));
      sonde_history_view_set_status (self, self->error, TRUE);
      return;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Nothing was imported: %s could not be made (%s)"), dir, g_strerror (errno));
      sonde_history_view_set_status (self, self->error, TRUE);
      return;
    }
  store = sonde_store_sqlite_open (self->path, &error);
  if (store == NULL)
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Nothing was imported: %s"), error->message);
      sonde_history_view_set_status (self, self->error, TRUE);
      return;
    }

  self->n_jobs++;
  sonde_history_view_sync_busy (self);
  sonde_history_view_set_status (self, _("Importing…"), FALSE);
  sonde_store_import_async (SONDE_STORE (store), file, self->profile_id, self->profile_name, self->cancellable,
                            on_import_done, g_object_ref (self));
}

static void
on_import_chosen (GtkNativeDialog  *chooser,
                  int               response,
                  SondeHistoryView *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (file != NULL)
    sonde_history_view_import (self, file);
}

static void
on_import_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SondeHistoryView *self = SONDE_HISTORY_VIEW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Import Recorded Sessions"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("HAR and JSON Lines files"));
  gtk_file_filter_add_pattern (filter, "*.har");
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_import_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_refresh_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  sonde_history_view_reload (SONDE_HISTORY_VIEW (widget));
}

void
sonde_history_view_jobs_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "history.delete", NULL, on_delete_action);
  gtk_widget_class_install_action (widget_class, "history.import", NULL, on_import_action);
  gtk_widget_class_install_action (widget_class, "history.refresh", NULL, on_refresh_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "history.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "history.refresh", NULL);
}
