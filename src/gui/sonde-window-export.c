/* sonde-window-export.c: the window's "Export Log…"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The current connection's log goes to a JSON Lines file of the user's
 * choosing, in the format of sonde-cli's output, through the connection's
 * redactor: the file holds no secret the handshake view would mask. The
 * core writes it a slice at a time, so a million records do not stall the
 * window, and capture goes on meanwhile.
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-connection-page.h"
#include "sonde-log-export.h"
#include "sonde-window-private.h"

typedef struct {
  SondeWindow     *window;      /* strong */
  SondeConnection *connection;  /* strong */
  char            *path;
} LogExport;

static void
log_export_free (LogExport *export)
{
  g_object_unref (export->window);
  g_object_unref (export->connection);
  g_free (export->path);
  g_free (export);
}

static void
on_log_exported (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LogExport *export = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *n_written = NULL;
  g_autofree char *n_lost = NULL;
  guint64 written = 0;
  guint64 lost = 0;

  if (!sonde_log_export_finish (SONDE_MESSAGE_LOG (source), result, &written, &lost, &error))
    {
      text = g_strdup_printf (_("Log not exported: %s"), error->message);
      sonde_window_show_toast (export->window, text);
      log_export_free (export);
      return;
    }

  n_written = g_strdup_printf ("%" G_GUINT64_FORMAT, written);
  n_lost = g_strdup_printf ("%" G_GUINT64_FORMAT, lost);
  if (lost > 0)
    /* Translators: the first %s is a number of records, the second a file,
     * the third a number of records. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Exported %s records to %s; %s more was dropped by retention first",
                                         "Exported %s records to %s; %s more were dropped by retention first",
                                         (gulong) MIN (lost, G_MAXULONG)),
                            n_written, export->path, n_lost);
  else
    /* Translators: the first %s is a number of records, the second a file. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s record to %s", "Exported %s records to %s",
                                         (gulong) MIN (written, G_MAXULONG)),
                            n_written, export->path);

  sonde_window_show_toast (export->window, text);
  log_export_free (export);
}

static void
on_export_log_response (GtkNativeDialog *dialog,
                        int              response,
                        gpointer         user_data)
{
  LogExport *export = user_data;
  g_autoptr(GFile) file = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      log_export_free (export);
      g_object_unref (dialog);
      return;
    }

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  export->path = g_file_get_parse_name (file);
  sonde_log_export_async (sonde_connection_get_log (export->connection),
                          sonde_connection_get_redactor (export->connection),
                          file, NULL, on_log_exported, export);
  g_object_unref (dialog);
}

/* A file name from the page's title: "Demo ticker 2026-11-26 10.04.jsonl". */
static char *
suggested_name (SondeConnectionPage *page)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H.%M");
  g_autofree char *title = g_strdup (sonde_connection_page_get_title (page));

  if (title == NULL || *title == '\0')
    {
      g_free (title);
      title = g_strdup ("sonde-log");
    }
  g_strdelimit (title, "/\\:*?\"<>|", '-');
  return g_strdup_printf ("%s %s.jsonl", title, stamp);
}

/* Asks where, then exports the current connection's log. */
void
sonde_window_export_log (SondeWindow *self)
{
  GtkFileChooserNative *dialog;
  LogExport *export;
  g_autofree char *name = NULL;

  if (self->current == NULL)
    return;

  export = g_new0 (LogExport, 1);
  export->window = g_object_ref (self);
  export->connection = g_object_ref (sonde_connection_page_get_connection (self->current));

  dialog = gtk_file_chooser_native_new (_("Export the Log as JSON Lines"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = suggested_name (self->current);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_log_response), export);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* For tests: exports to @file without asking. */
void
sonde_window_export_log_to (SondeWindow *self,
                            GFile       *file)
{
  LogExport *export;

  g_return_if_fail (SONDE_IS_WINDOW (self));
  g_return_if_fail (self->current != NULL);

  export = g_new0 (LogExport, 1);
  export->window = g_object_ref (self);
  export->connection = g_object_ref (sonde_connection_page_get_connection (self->current));
  export->path = g_file_get_parse_name (file);
  sonde_log_export_async (sonde_connection_get_log (export->connection),
                          sonde_connection_get_redactor (export->connection),
                          file, NULL, on_log_exported, export);
}
