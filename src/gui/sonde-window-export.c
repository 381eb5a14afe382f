/* sonde-window-export.c: the window's "Export Log…"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The current connection's log goes to a JSON Lines file of the user's
 * choosing, in the format of sonde-cli's output, through the connection's
 * redactor: the file holds no secret the handshake view would mask. The
 * core writes it a slice at a time, so a million records do not stall the
 * window, and capture goes on meanwhile.
 *
 * The export dialog (SondeExportDialog) offers JSON Lines, CSV or HAR of
 * the filtered view (what the log shows: its filter, without what Clear
 * removed), all messages the connection holds, or a time range, with
 * progress and Cancel. The tests' entry points below write JSON Lines
 * without asking, and the toast says which records were written, and how
 * many of those Clear had removed from the view. The file is named after
 * the profile, or the host, and the time: "prod-feed 2026-12-06 10.04.jsonl".
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-connection-page.h"
#include "sonde-export-dialog.h"
#include "sonde-log-export.h"
#include "sonde-log-view.h"
#include "sonde-session.h"
#include "sonde-window-private.h"

typedef struct {
  SondeWindow      *window;      /* strong */
  SondeConnection  *connection;  /* strong */
  SondeFilterModel *filter;      /* strong; NULL: all messages */
  char             *path;
  guint64           n_cleared;   /* all messages: records Clear removed from the view */
} LogExport;

static void
log_export_free (LogExport *export)
{
  g_object_unref (export->window);
  g_object_unref (export->connection);
  g_clear_object (&export->filter);
  g_free (export->path);
  g_free (export);
}

static LogExport *
log_export_new (SondeWindow *self)
{
  LogExport *export = g_new0 (LogExport, 1);

  export->window = g_object_ref (self);
  export->connection = g_object_ref (sonde_connection_page_get_connection (self->current));
  return export;
}

/* What the toast says after "Exported 12 records to FILE": which records. */
static char *
describe_scope (LogExport *export)
{
  g_autofree char *n_cleared = NULL;

  if (export->filter != NULL)
    return g_strdup (_("the filtered view"));
  if (export->n_cleared == 0)
    return g_strdup (_("all messages"));

  n_cleared = g_strdup_printf ("%" G_GUINT64_FORMAT, export->n_cleared);
  /* Translators: %s is a number of records. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "all messages, including %s removed from the view by Clear",
                                       "all messages, including %s removed from the view by Clear",
                                       (gulong) MIN (export->n_cleared, G_MAXULONG)),
                          n_cleared);
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
  g_autofree char *scope = NULL;
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
  scope = describe_scope (export);
  if (lost > 0)
    /* Translators: the first %s is a number of records, the second a file,
     * the third says which records ("the filtered view", "all messages"),
     * the fourth is a number of records. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Exported %s records to %s (%s); %s more was dropped by retention first",
                                         "Exported %s records to %s (%s); %s more were dropped by retention first",
                                         (gulong) MIN (lost, G_MAXULONG)),
                            n_written, export->path, scope, n_lost);
  else
    /* Translators: the first %s is a number of records, the second a file,
     * the third says which records ("the filtered view", "all messages"). */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s record to %s (%s)",
                                         "Exported %s records to %s (%s)",
                                         (gulong) MIN (written, G_MAXULONG)),
                            n_written, export->path, scope);

  sonde_window_show_toast (export->window, text);
  log_export_free (export);
}

static void
start (LogExport *export,
       GFile     *file,
       gboolean   filtered)
{
  SondeConnectionPage *page = export->window->current;
  SondeFilterModel *model = sonde_log_view_get_model (sonde_connection_page_get_log_view (page));
  SondeMessageLog *log = sonde_connection_get_log (export->connection);

  export->path = g_file_get_parse_name (file);
  if (filtered)
    {
      export->filter = g_object_ref (model);
      sonde_log_export_filtered_async (model, sonde_connection_get_redactor (export->connection),
                                       file, NULL, on_log_exported, export);
      return;
    }

  {
    guint64 first = sonde_message_log_get_first_seq (log);
    guint64 shown_from = sonde_filter_model_get_first_seq (model);

    export->n_cleared = shown_from > first ? shown_from - first : 0;
  }
  sonde_log_export_async (log, sonde_connection_get_redactor (export->connection),
                          file, NULL, on_log_exported, export);
}

/* After the profile, or the host and the path's last part, and the time:
 * "prod-feed 2026-12-06 10.04.jsonl", "127.0.0.1 feed 2026-12-06
 * 10.04.jsonl". Never the URL with its scheme and port mangled. */
char *
sonde_window_dup_export_name (SondeWindow *self,
                              GDateTime   *when)
{
  SondeSession *session;
  SondeProfile *profile;
  g_autofree char *stamp = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (self->current != NULL, NULL);

  stamp = g_date_time_format (when, "%Y-%m-%d %H.%M");
  session = sonde_connection_page_get_session (self->current);
  profile = sonde_session_get_profile (session);
  if (profile != NULL && sonde_profile_get_name (profile) != NULL && *sonde_profile_get_name (profile) != '\0')
    base = g_strdup (sonde_profile_get_name (profile));
  else
    {
      const char *url = sonde_connection_page_get_url (self->current);
      g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

      if (uri != NULL && g_uri_get_host (uri) != NULL)
        {
          const char *path = g_uri_get_path (uri);
          const char *slash = path != NULL ? strrchr (path, '/') : NULL;
          const char *last = slash != NULL ? slash + 1 : path;

          if (last != NULL && *last != '\0')
            base = g_strdup_printf ("%s %s", g_uri_get_host (uri), last);
          else
            base = g_strdup (g_uri_get_host (uri));
        }
    }

  if (base == NULL || *base == '\0')
    {
      g_free (base);
      base = g_strdup ("sonde-log");
    }
  g_strdelimit (base, "/\\:*?\"<>|", '-');
  return g_strdup_printf ("%s %s.jsonl", base, stamp);
}

/* Asks which format and records (the export dialog: JSON Lines, CSV or
 * HAR; all messages, a time range or the filtered view), then where, and
 * exports the current connection's log with progress and Cancel. */
void
sonde_window_export_log (SondeWindow *self)
{
  SondeFilterModel *model;
  SondeConnection *connection;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = NULL;
  char *dot;
  GtkWidget *dialog;

  if (self->current == NULL)
    return;

  connection = sonde_connection_page_get_connection (self->current);
  model = sonde_log_view_get_model (sonde_connection_page_get_log_view (self->current));
  name = sonde_window_dup_export_name (self, now);
  dot = strrchr (name, '.');
  if (dot != NULL)
    *dot = '\0';
  dialog = sonde_export_dialog_new_for_log (sonde_connection_get_log (connection), model,
                                            sonde_connection_get_redactor (connection),
                                            sonde_connection_page_get_shown_url (self->current), name);
  /* What the log shows is what the user most likely means, when it is
   * narrowed by a filter or a Clear. */
  if (sonde_filter_model_get_filtering (model) ||
      sonde_filter_model_get_first_seq (model) > sonde_message_log_get_first_seq (sonde_connection_get_log (connection)))
    sonde_export_dialog_set_range (SONDE_EXPORT_DIALOG (dialog), SONDE_EXPORT_RANGE_VIEW);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* For tests: exports all messages to @file without asking. */
void
sonde_window_export_log_to (SondeWindow *self,
                            GFile       *file)
{
  sonde_window_export_log_scope_to (self, file, FALSE);
}

/* For tests: exports the filtered view (@filtered) or all messages to
 * @file without asking. */
void
sonde_window_export_log_scope_to (SondeWindow *self,
                                  GFile       *file,
                                  gboolean     filtered)
{
  g_return_if_fail (SONDE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->current != NULL);

  start (log_export_new (self), file, filtered);
}
