/* sonde-history-view-list.c: the History view's list of sessions, read
 * and shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file's list is read on the main thread (one quick query, newest
 * first); a shared history's on a worker (a GTask with a connection of
 * its own), the list read before shown meanwhile. A missing file is the
 * empty state; a damaged or newer database, or a server that does not
 * answer or refuses the password, says so on the error page.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sonde-history-item.h"
#include "sonde-history-view-private.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

static gboolean
is_live (GArray *live,
         gint64  id)
{
  for (guint i = 0; live != NULL && i < live->len; i++)
    if (g_array_index (live, gint64, i) == id)
      return TRUE;
  return FALSE;
}

/* The line in the action bar: what the list holds, what a job did, or
 * why it failed (in the error colour, selectable to copy). */
void
sonde_history_view_set_status (SondeHistoryView *self,
            const char       *text,
            gboolean          error)
{
  if (self->status_label == NULL)
    return;
  gtk_label_set_label (self->status_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), error ? text : NULL);
  if (error)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
    }
}

static void
show_error (SondeHistoryView *self,
            const char       *title,
            const char       *text)
{
  g_free (self->error);
  self->error = g_strdup (text);
  adw_status_page_set_title (self->error_page, title);
  {
    /* The description is markup; an address's "&" is not. */
    g_autofree char *escaped = g_markup_escape_text (text, -1);

    adw_status_page_set_description (self->error_page, escaped);
  }
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* A shared history shown for one profile lists that profile's sessions:
 * recorded under its id, or under its name (a monitor's profiles file and
 * this desktop's may give one feed different ids). */
static gboolean
belongs (SondeHistoryView        *self,
         const SondeStoreSession *session)
{
  if (!self->remote || self->profile_id == NULL)
    return TRUE;
  return g_strcmp0 (session->profile_id, self->profile_id) == 0 ||
         (self->profile_name != NULL && g_strcmp0 (session->profile_name, self->profile_name) == 0);
}

/* Shows @list (NULL: the database is not there yet), or @error. */
static void
show_sessions (SondeHistoryView *self,
               GPtrArray        *list,
               const GError     *error)
{
  g_autoptr(GArray) live = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 total = 0;

  g_clear_pointer (&self->error, g_free);
  g_hash_table_remove_all (self->starts);

  /* A database that is not there yet is the empty state: not a shared
   * one, whose address was set by hand and may be wrong. */
  if (error != NULL && (self->remote || !g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND)))
    {
      g_list_store_remove_all (self->sessions);
      if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NEWER_VERSION))
        show_error (self, _("Recorded by a Newer Sonde"), error->message);
      else if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT))
        show_error (self, _("Recordings Damaged"), error->message);
      else if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_UNREACHABLE))
        show_error (self, _("Shared History Unreachable"), error->message);
      else if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_AUTH_FAILED))
        show_error (self, _("Shared History Refused the Password"), error->message);
      else
        show_error (self, _("Recordings Could Not Be Read"), error->message);
      sonde_history_view_set_status (self, "", FALSE);
      sonde_history_view_update_actions (self);
      return;
    }

  if (self->live_func != NULL && !self->remote)
    live = self->live_func (self->path, self->live_data);

  /* Newest first. */
  for (guint i = list != NULL ? list->len : 0; i > 0; i--)
    {
      SondeStoreSession *session = g_ptr_array_index (list, i - 1);
      gint64 *key;

      if (!belongs (self, session))
        continue;
      key = g_new (gint64, 2);

      key[0] = session->id;
      key[1] = session->start_us;
      g_hash_table_insert (self->starts, key, key + 1);
      g_ptr_array_add (items, sonde_history_item_new_session (session, is_live (live, session->id)));
      total += session->bytes;
    }
  g_list_store_splice (self->sessions, 0, g_list_model_get_n_items (G_LIST_MODEL (self->sessions)),
                       items->pdata, items->len);

  if (items->len == 0)
    {
      if (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] == '\0')
        gtk_stack_set_visible_child_name (self->stack, "empty");
      sonde_history_view_set_status (self, "", FALSE);
    }
  else
    {
      g_autofree char *size = g_format_size (total);
      g_autofree char *text =
        /* Translators: "12 recorded sessions, 3.4 MB"; the number is first. */
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u recorded session, %s", "%u recorded sessions, %s",
                                      items->len), items->len, size);

      sonde_history_view_set_status (self, text, FALSE);
      if (self->search == NULL && gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] == '\0')
        gtk_stack_set_visible_child_name (self->stack, "list");
    }
  sonde_history_view_update_actions (self);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SondeHistoryView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = sonde_store_list_uri_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->listing);
  self->n_jobs--;
  sonde_history_view_sync_busy (self);
  if (self->sessions != NULL)
    show_sessions (self, list, error);
}

void
sonde_history_view_reload (SondeHistoryView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_return_if_fail (SONDE_IS_HISTORY_VIEW (self));

  /* A job that ends after the view was disposed of. */
  if (self->sessions == NULL)
    return;

  /* A database server: read on a worker, so that one that does not
   * answer never holds up the window; the one read before is shown
   * meanwhile. */
  if (self->remote)
    {
      /* The sessions read before, at once (a search ended). */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->sessions)) > 0 && self->search == NULL &&
          gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] == '\0')
        gtk_stack_set_visible_child_name (self->stack, "list");
      if (self->listing != NULL)
        return;
      self->listing = g_cancellable_new ();
      self->n_jobs++;
      sonde_history_view_sync_busy (self);
      sonde_history_view_set_status (self, _("Reading the shared history…"), FALSE);
      sonde_store_list_uri_async (self->path, self->listing, on_listed, g_object_ref (self));
      return;
    }

  store = g_file_test (self->path, G_FILE_TEST_EXISTS) ? sonde_store_sqlite_open_reader (self->path, &error) : NULL;
  if (store != NULL)
    list = sonde_store_list_sessions (SONDE_STORE (store), &error);
  show_sessions (self, list, error);
}
