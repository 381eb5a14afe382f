/* sonde-log-view-scroll.c: selecting a record and bringing it into
 * sight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-log-view"

#include "config.h"

#include "sonde-log-view-private.h"

/* GTK 4.8 has no gtk_column_view_scroll_to(): its list view has the
 * action. A list view that has no height yet (a page just made, not
 * shown) takes the scroll as showing that one row only: the scroll waits
 * for the first frame with a size. */
static void
scroll_now (SondeLogView *self,
            guint         position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
    }
}

static gboolean
scroll_on_tick (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  SondeLogView *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  /* Sized, and no longer growing (a recording streaming in). */
  if (gtk_widget_get_height (widget) <= 0 || n != self->scroll_n_items)
    {
      self->scroll_n_items = n;
      return G_SOURCE_CONTINUE;
    }
  self->scroll_tick = 0;
  if (self->scroll_target != G_MAXUINT && self->scroll_target < g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    scroll_now (self, self->scroll_target);
  self->scroll_target = G_MAXUINT;
  return G_SOURCE_REMOVE;
}

static void
scroll_to (SondeLogView *self,
           guint         position)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);

  if (self->scroll_tick == 0 && gtk_widget_get_mapped (view) && gtk_widget_get_height (view) > 0)
    {
      scroll_now (self, position);
      return;
    }
  self->scroll_target = position;
  self->scroll_n_items = G_MAXUINT;
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (view, scroll_on_tick, self, NULL);
}

gboolean
sonde_log_view_select_seq (SondeLogView *self,
                           guint64       seq)
{
  guint position;

  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  if (!sonde_filter_model_find_seq (self->model, seq, &position))
    return FALSE;

  sonde_log_view_set_following (self, FALSE);
  gtk_single_selection_set_selected (self->selection, position);
  scroll_to (self, position);
  return TRUE;
}

/* Forgets a scroll still waiting for its frame (the view goes). */
void
sonde_log_view_cancel_scroll (SondeLogView *self)
{
  if (self->scroll_tick != 0 && self->column_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->scroll_tick);
  self->scroll_tick = 0;
  self->scroll_target = G_MAXUINT;
}
