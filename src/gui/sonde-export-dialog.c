/* sonde-export-dialog.c: exports a recorded session, a time range of it or
 * a filtered view, as JSON Lines, CSV or HAR, with progress and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog asks for the format (CSV with optional columns of extracted
 * JSON paths), the range (the whole session, a time range typed as local
 * times, or the filtered view of a page), then where. A recording is read
 * by a store object of the dialog's own (a reader: the recorder of the
 * same file is never delayed) and written by sonde_store_export_async(),
 * atomically, on a worker thread; the dialog shows the progress, Cancel
 * stops it and leaves no file. Errors say what happened (disk full, no
 * permission) in the dialog, which stays open.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-export-dialog.h"
#include "sonde-history-item.h"
#include "sonde-log-export.h"
#include "sonde-store-export.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

struct _SondeExportDialog
{
  AdwWindow           parent_instance;

  /* template widgets */
  AdwComboRow        *format_row;
  AdwEntryRow        *paths_row;
  AdwComboRow        *range_row;
  AdwEntryRow        *from_row;
  AdwEntryRow        *to_row;
  AdwPreferencesGroup *options_group;
  GtkProgressBar     *progress_bar;
  GtkLabel           *message_label;
  GtkButton          *export_button;
  GtkButton          *cancel_button;
  GtkStringList      *ranges;

  /* owned */
  char               *path;
  SondeStoreSession  *session;
  char               *profile_name;
  SondeMessageLog    *log;          /* the view's, or the live connection's */
  SondeFilterModel   *filter;
  SondeRedactor      *redactor;
  char               *url;          /* log mode */
  char               *name;         /* log mode: the suggested file name */
  GCancellable       *cancellable;  /* the export running, or NULL */
  char               *message;
  char               *target;       /* the file being written, for the messages */
  gboolean            succeeded;
  /* A recording's export, while its store opens. */
  SondeExportOptions  pending_options;
  GStrv               pending_paths;
  GFile              *pending_file;
};

G_DEFINE_FINAL_TYPE (SondeExportDialog, sonde_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_redactor (SondeExportDialog *self,
              SondeRedactor     *redactor)
{
  if (redactor != NULL)
    sonde_redactor_ref (redactor);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  self->redactor = redactor;
}

static SondeExportFormat
get_format (SondeExportDialog *self)
{
  switch (adw_combo_row_get_selected (self->format_row))
    {
    case 1:
      return SONDE_EXPORT_FORMAT_CSV;
    case 2:
      return SONDE_EXPORT_FORMAT_HAR;
    default:
      return SONDE_EXPORT_FORMAT_JSONL;
    }
}

static SondeExportRange
get_range (SondeExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->range_row);

  return selected <= SONDE_EXPORT_RANGE_VIEW ? (SondeExportRange) selected : SONDE_EXPORT_RANGE_ALL;
}

static void
set_message (SondeExportDialog *self,
             const char        *text,
             gboolean           error)
{
  g_free (self->message);
  self->message = g_strdup (text);
  gtk_label_set_label (self->message_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
sync_rows (SondeExportDialog *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->paths_row), get_format (self) == SONDE_EXPORT_FORMAT_CSV);
  gtk_widget_set_visible (GTK_WIDGET (self->from_row), get_range (self) == SONDE_EXPORT_RANGE_TIME);
  gtk_widget_set_visible (GTK_WIDGET (self->to_row), get_range (self) == SONDE_EXPORT_RANGE_TIME);
  gtk_widget_set_sensitive (GTK_WIDGET (self->options_group), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_button_set_label (self->cancel_button, running ? _("_Stop") : self->succeeded ? _("_Close") : _("_Cancel"));
}

static void
on_options_changed (SondeExportDialog *self)
{
  sync_rows (self);
}

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  SondeExportDialog *self = user_data;
  g_autofree char *text = NULL;
  g_autofree char *n_done = g_strdup_printf ("%" G_GUINT64_FORMAT, done);
  g_autofree char *n_total = g_strdup_printf ("%" G_GUINT64_FORMAT, total);

  if (self->progress_bar == NULL)
    return;
  if (total > 0)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / (double) total));
      /* Translators: export progress: "1200 of 5000 records". */
      text = g_strdup_printf (_("%s of %s records"), n_done, n_total);
    }
  else
    {
      gtk_progress_bar_pulse (self->progress_bar);
      /* Translators: export progress when the total is not known. */
      text = g_strdup_printf (_("%s records"), n_done);
    }
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
finish (SondeExportDialog *self,
        gboolean           ok,
        guint64            n_written,
        const GError      *error)
{
  g_autofree char *text = NULL;
  g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, n_written);

  g_clear_object (&self->cancellable);
  self->succeeded = ok;
  /* Closed while it ran (the close cancelled it): nothing to show. */
  if (self->message_label == NULL)
    return;
  if (ok)
    /* Translators: the first %s is a number of records, the second a file. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s record to %s", "Exported %s records to %s",
                                         (gulong) MIN (n_written, G_MAXULONG)),
                            n, self->target);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup (_("Export stopped; no file was written"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
           g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_DISK_FULL))
    text = g_strdup_printf (_("Not exported: the disk is full (%s). Free some space or choose another place."),
                            error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY))
    text = g_strdup_printf (_("Not exported: Sonde may not write there (%s). Choose another folder."),
                            error->message);
  else
    text = g_strdup_printf (_("Not exported: %s"), error->message);

  set_message (self, text, !ok);
  sync_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_store_exported (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SondeExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 n_written = 0;
  gboolean ok = sonde_store_export_finish (SONDE_STORE (source), result, &n_written, &error);

  finish (self, ok, n_written, error);
}

static void
on_store_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SondeExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri_finish (result, &error);
  g_autoptr(GFile) file = g_steal_pointer (&self->pending_file);

  if (store == NULL)
    {
      finish (self, FALSE, 0, error);
      return;
    }
  sonde_store_export_async (store, self->session->id, &self->pending_options, NULL, file, self->cancellable,
                            on_progress, self, on_store_exported, g_object_ref (self));
}

static void
on_log_exported (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SondeExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 n_written = 0;
  gboolean ok = sonde_log_export_finish (SONDE_MESSAGE_LOG (source), result, &n_written, NULL, &error);

  finish (self, ok, n_written, error);
}

/* The day a time typed without a date belongs to. */
static gint64
reference_time (SondeExportDialog *self)
{
  SondeRecord record;

  if (self->session != NULL)
    return self->session->start_us;
  if (self->log != NULL && sonde_message_log_get_record (self->log, 0, &record))
    return record.wall_us;
  return g_get_real_time ();
}

static gboolean
read_range (SondeExportDialog  *self,
            SondeExportOptions *options,
            GError            **error)
{
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_row));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_row));

  if (get_range (self) != SONDE_EXPORT_RANGE_TIME)
    return TRUE;
  if (*from != '\0' && !sonde_history_parse_time (from, reference_time (self), &options->from_us, error))
    return FALSE;
  if (*to != '\0' && !sonde_history_parse_time (to, reference_time (self), &options->to_us, error))
    return FALSE;
  if (options->from_us != 0 && options->to_us != 0 && options->to_us < options->from_us)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The end of the range is before its start"));
      return FALSE;
    }
  return TRUE;
}

void
sonde_export_dialog_export_to (SondeExportDialog *self,
                               GFile             *file)
{
  SondeExportOptions options = { 0, };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;

  g_return_if_fail (SONDE_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->cancellable == NULL);

  g_free (self->target);
  self->target = g_file_get_parse_name (file);
  self->succeeded = FALSE;
  options.format = get_format (self);
  options.url = self->session != NULL ? self->session->url : self->url;
  options.start_us = reference_time (self);
  if (options.format == SONDE_EXPORT_FORMAT_CSV)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->paths_row));

      paths = g_regex_split_simple ("[\\s,]+", text, 0, 0);
      /* An empty text splits into one empty string. */
      if (paths[0] != NULL && *paths[0] == '\0')
        g_clear_pointer (&paths, g_strfreev);
      options.csv_paths = (const char * const *) paths;
    }
  if (!read_range (self, &options, &error))
    {
      set_message (self, error->message, TRUE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  set_message (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  sync_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (self->session == NULL || (get_range (self) == SONDE_EXPORT_RANGE_VIEW && self->filter != NULL))
    {
      sonde_log_export_full_async (self->log, get_range (self) == SONDE_EXPORT_RANGE_VIEW ? self->filter : NULL,
                                   self->redactor, &options, file, self->cancellable, on_progress, self,
                                   on_log_exported, g_object_ref (self));
      return;
    }

  /* Opened on a worker: a shared history's server may be slow to answer. */
  g_strfreev (self->pending_paths);
  self->pending_paths = g_steal_pointer (&paths);
  options.csv_paths = (const char * const *) self->pending_paths;
  self->pending_options = options;
  self->pending_file = g_object_ref (file);
  sonde_store_open_uri_async (self->path, SONDE_STORE_OPEN_READ_ONLY, self->cancellable, on_store_opened,
                              g_object_ref (self));
}

static void
on_file_chosen (GtkNativeDialog   *chooser,
                int                response,
                SondeExportDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (file != NULL)
    sonde_export_dialog_export_to (self, file);
}

static void
on_export_clicked (SondeExportDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (reference_time (self) / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d %H.%M");
  g_autofree char *name = NULL;

  if (self->name != NULL)
    name = g_strdup_printf ("%s.%s", self->name, sonde_export_format_extension (get_format (self)));
  else
    name = g_strdup_printf ("%s %s.%s", self->profile_name != NULL ? self->profile_name : "sonde", stamp,
                            sonde_export_format_extension (get_format (self)));
  g_strdelimit (name, "/\\:*?\"<>|", '-');
  chooser = gtk_file_chooser_native_new (_("Export Recorded Session"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_cancel_clicked (SondeExportDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
sonde_export_dialog_dispose (GObject *object)
{
  SondeExportDialog *self = SONDE_EXPORT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (sonde_export_dialog_parent_class)->dispose (object);
}

static void
sonde_export_dialog_finalize (GObject *object)
{
  SondeExportDialog *self = SONDE_EXPORT_DIALOG (object);

  if (self->path != NULL)
    explicit_bzero (self->path, strlen (self->path));
  g_free (self->path);
  g_strfreev (self->pending_paths);
  g_clear_object (&self->pending_file);
  g_clear_pointer (&self->session, sonde_store_session_free);
  g_free (self->profile_name);
  g_clear_object (&self->log);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->redactor, sonde_redactor_unref);
  g_free (self->url);
  g_free (self->name);
  g_clear_object (&self->cancellable);
  g_free (self->message);
  g_free (self->target);

  G_OBJECT_CLASS (sonde_export_dialog_parent_class)->finalize (object);
}

static void
sonde_export_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SondeExportDialog *self = SONDE_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_export_dialog_class_init (SondeExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_export_dialog_dispose;
  object_class->finalize = sonde_export_dialog_finalize;
  object_class->get_property = sonde_export_dialog_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, paths_row);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, range_row);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, options_group);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SondeExportDialog, ranges);
  gtk_widget_class_bind_template_callback (widget_class, on_options_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sonde_export_dialog_init (SondeExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sync_rows (self);
}

GtkWidget *
sonde_export_dialog_new_for_recording (const char              *path,
                                       const SondeStoreSession *session,
                                       const char              *profile_name)
{
  SondeExportDialog *self;
  g_autofree char *start = NULL;
  g_autofree char *hint = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (session != NULL, NULL);

  self = g_object_new (SONDE_TYPE_EXPORT_DIALOG, "modal", TRUE, NULL);
  self->path = g_strdup (path);
  self->session = sonde_store_session_copy (session);
  self->profile_name = g_strdup (profile_name);
  start = sonde_history_format_time (session->start_us, TRUE);
  /* Translators: the dialog's subtitle; %s is the start time of the session. */
  hint = g_strdup_printf (_("Session of %s"), start);
  adw_preferences_group_set_description (self->options_group, hint);
  return GTK_WIDGET (self);
}

GtkWidget *
sonde_export_dialog_new_for_log (SondeMessageLog  *log,
                                 SondeFilterModel *filter,
                                 SondeRedactor    *redactor,
                                 const char       *url,
                                 const char       *name)
{
  SondeExportDialog *self;

  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (log), NULL);

  self = g_object_new (SONDE_TYPE_EXPORT_DIALOG, "modal", TRUE, "title", _("Export the Log"), NULL);
  self->url = g_strdup (url);
  self->name = g_strdup (name);
  gtk_string_list_splice (self->ranges, 0, 1, (const char * const[]) { _("All messages, including those removed by Clear"), NULL });
  if (filter != NULL)
    sonde_export_dialog_set_view (self, log, filter, redactor);
  else
    {
      g_set_object (&self->log, log);
      set_redactor (self, redactor);
    }
  return GTK_WIDGET (self);
}

void
sonde_export_dialog_set_view (SondeExportDialog *self,
                              SondeMessageLog   *log,
                              SondeFilterModel  *filter,
                              SondeRedactor     *redactor)
{
  g_return_if_fail (SONDE_IS_EXPORT_DIALOG (self));
  g_return_if_fail (SONDE_IS_MESSAGE_LOG (log));
  g_return_if_fail (SONDE_IS_FILTER_MODEL (filter));

  g_set_object (&self->log, log);
  g_set_object (&self->filter, filter);
  set_redactor (self, redactor);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->ranges)) <= SONDE_EXPORT_RANGE_VIEW)
    gtk_string_list_append (self->ranges, _("The filtered view"));
}

void
sonde_export_dialog_set_format (SondeExportDialog *self,
                                SondeExportFormat  format)
{
  g_return_if_fail (SONDE_IS_EXPORT_DIALOG (self));

  adw_combo_row_set_selected (self->format_row, format == SONDE_EXPORT_FORMAT_CSV ? 1 :
                                                format == SONDE_EXPORT_FORMAT_HAR ? 2 : 0);
}

void
sonde_export_dialog_set_range (SondeExportDialog *self,
                               SondeExportRange   range)
{
  g_return_if_fail (SONDE_IS_EXPORT_DIALOG (self));

  adw_combo_row_set_selected (self->range_row, range);
}

void
sonde_export_dialog_set_csv_paths (SondeExportDialog *self,
                                   const char        *paths)
{
  g_return_if_fail (SONDE_IS_EXPORT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->paths_row), paths != NULL ? paths : "");
}

gboolean
sonde_export_dialog_get_running (SondeExportDialog *self)
{
  g_return_val_if_fail (SONDE_IS_EXPORT_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}

const char *
sonde_export_dialog_get_message (SondeExportDialog *self)
{
  g_return_val_if_fail (SONDE_IS_EXPORT_DIALOG (self), NULL);

  return self->message;
}

gboolean
sonde_export_dialog_get_succeeded (SondeExportDialog *self)
{
  g_return_val_if_fail (SONDE_IS_EXPORT_DIALOG (self), FALSE);

  return self->succeeded;
}
