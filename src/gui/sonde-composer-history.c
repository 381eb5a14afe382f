/* sonde-composer-history.c: the composer's sent messages, recalled
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every message sent goes into a history of at most HISTORY_MAX entries
 * (a repeat of the last one is not added again). Up on the editor's first
 * display line recalls the previous one, Down on its last the next; past
 * the newest comes back what was typed before recalling (the draft).
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include "sonde-composer-private.h"

#define HISTORY_MAX 200

static GtkTextBuffer *
get_buffer (SondeComposer *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor));
}

/* Whether the cursor is on the same display line (wrapping included) as
 * @edge, the start or the end of the buffer. */
static gboolean
cursor_on_line_of (SondeComposer     *self,
                   const GtkTextIter *edge)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GdkRectangle cursor_rect, edge_rect;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (self->editor), &iter, &cursor_rect);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (self->editor), edge, &edge_rect);
  return cursor_rect.y == edge_rect.y;
}

static gboolean
cursor_on_first_line (SondeComposer *self)
{
  GtkTextIter start;

  gtk_text_buffer_get_start_iter (get_buffer (self), &start);
  return cursor_on_line_of (self, &start);
}

static gboolean
cursor_on_last_line (SondeComposer *self)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (get_buffer (self), &end);
  return cursor_on_line_of (self, &end);
}

static void
remember (SondeComposer *self,
          const char    *text)
{
  SondeComposerMode mode = sonde_composer_get_mode (self);
  HistoryEntry *entry;

  if (self->history->len > 0)
    {
      HistoryEntry *last = g_ptr_array_index (self->history, self->history->len - 1);

      if (last->mode == mode && g_strcmp0 (last->text, text) == 0)
        return;
    }

  entry = g_new0 (HistoryEntry, 1);
  entry->mode = mode;
  entry->text = g_strdup (text);
  g_ptr_array_add (self->history, entry);
  if (self->history->len > HISTORY_MAX)
    g_ptr_array_remove_index (self->history, 0);
}

static void
recall (SondeComposer      *self,
        const HistoryEntry *entry)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter end;

  self->recalling = TRUE;
  sonde_composer_set_mode (self, entry->mode);
  gtk_text_buffer_set_text (buffer, entry->text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  self->recalling = FALSE;
}

/* After @text was sent: it is the newest entry, and recalling starts over. */
void
sonde_composer_history_add (SondeComposer *self,
                            const char    *text)
{
  remember (self, text);
  self->history_pos = -1;
  g_clear_pointer (&self->draft, sonde_composer_history_entry_free);
}

/* Up on the first line and Down on the last (no modifiers): TRUE when
 * they recalled an entry. */
gboolean
sonde_composer_history_handle_key (SondeComposer *self,
                                   guint          keyval)
{
  if ((keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up) && cursor_on_first_line (self))
    return sonde_composer_history_previous (self);

  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) && cursor_on_last_line (self))
    return sonde_composer_history_next (self);

  return FALSE;
}

void
sonde_composer_history_entry_free (gpointer data)
{
  HistoryEntry *entry = data;

  if (entry == NULL)
    return;
  g_free (entry->text);
  g_free (entry);
}

/* Puts the previous sent message in the editor; FALSE at the oldest. */
gboolean
sonde_composer_history_previous (SondeComposer *self)
{
  int pos;

  g_return_val_if_fail (SONDE_IS_COMPOSER (self), FALSE);

  if (self->history->len == 0)
    return FALSE;

  if (self->history_pos == -1)
    {
      pos = (int) self->history->len - 1;
      sonde_composer_history_entry_free (self->draft);
      self->draft = g_new0 (HistoryEntry, 1);
      self->draft->mode = sonde_composer_get_mode (self);
      self->draft->text = sonde_composer_dup_text (self);
    }
  else if (self->history_pos > 0)
    pos = self->history_pos - 1;
  else
    return FALSE;

  recall (self, g_ptr_array_index (self->history, pos));
  self->history_pos = pos;
  return TRUE;
}

/* Puts the next sent message (or the draft, after the newest) in the
 * editor; FALSE when not recalling. */
gboolean
sonde_composer_history_next (SondeComposer *self)
{
  g_return_val_if_fail (SONDE_IS_COMPOSER (self), FALSE);

  if (self->history_pos == -1)
    return FALSE;

  if (self->history_pos + 1 < (int) self->history->len)
    {
      int pos = self->history_pos + 1;

      recall (self, g_ptr_array_index (self->history, pos));
      self->history_pos = pos;
      return TRUE;
    }

  if (self->draft != NULL)
    recall (self, self->draft);
  g_clear_pointer (&self->draft, sonde_composer_history_entry_free);
  self->history_pos = -1;
  return TRUE;
}
