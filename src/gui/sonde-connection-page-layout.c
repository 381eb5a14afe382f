/* sonde-connection-page-layout.c: how a page shares its room
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log and the side pane (Message, Connection) share the width by a
 * divider that keeps its share; in a narrow page the side pane is a page of
 * its own; the charts and the log share the height, the log keeping about
 * LOG_MIN_ROWS rows.
 */

#define G_LOG_DOMAIN "sonde-connection-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-connection-page-private.h"

/* The side pane (Message, Connection) is beside the log while both fit
 * at their minimum widths; in a narrower page it is a page of its own,
 * shown instead of the log with the Details button of the status bar (or
 * Ctrl+1, Ctrl+2), so that neither the charts, the log nor the detail is
 * squeezed to nothing (GTK 4.8 has no AdwBreakpoint: decided on the page's
 * width after each layout, with HYSTERESIS pixels between the two ways, so
 * that it never flips back and forth). The side pane's minimum does not
 * count in the page's, so a narrow window can shrink to what the log
 * needs. */
#define SIDE_MIN_WIDTH  260
#define HYSTERESIS      48

static int
side_min (SondeConnectionPage *self)
{
  int min = 0;

  gtk_widget_measure (gtk_paned_get_end_child (self->paned), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min, NULL, NULL, NULL);
  return MAX (min, SIDE_MIN_WIDTH);
}

/* The log's minimum along the divider: GtkPaned 4.8 lets the divider
 * squeeze it (and then shows its bottom, cutting its filter off). */
static int
log_min (SondeConnectionPage *self)
{
  int min = 0;

  gtk_widget_measure (gtk_paned_get_start_child (self->paned), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min, NULL, NULL, NULL);
  return min;
}

/* The divider where the side pane has its share of the paned: the share
 * is kept when the window grows or shrinks (the user's share once they
 * drag the divider), within the panes' minimums. */
static void
place_divider (SondeConnectionPage *self)
{
  int max = self->paned_max;
  int position;

  if (max <= 0)
    return;
  position = max - (int) (max * self->side_share + 0.5);
  position = MIN (position, max - side_min (self));
  self->placing = TRUE;
  gtk_paned_set_position (self->paned, MAX (position, log_min (self)));
  self->placing = FALSE;
}

void
sonde_connection_page_on_paned_max_position (SondeConnectionPage *self)
{
  int max = 0;

  g_object_get (self->paned, "max-position", &max, NULL);
  if (max <= 0 || max == G_MAXINT || max == self->paned_max)
    return;

  self->paned_max = max;
  place_divider (self);
}

/* A move of the divider at an unchanged size is the user's: it sets the
 * share, but never squeezes the side pane below its minimum. */
void
sonde_connection_page_on_paned_position (SondeConnectionPage *self)
{
  int max = 0;
  int position = gtk_paned_get_position (self->paned);

  g_object_get (self->paned, "max-position", &max, NULL);
  if (self->placing || max <= 0 || max != self->paned_max)
    return;
  if (position > max - side_min (self) || position < log_min (self))
    {
      gtk_paned_set_position (self->paned, MAX (MIN (position, max - side_min (self)), log_min (self)));
      return;
    }
  self->side_share = (double) (max - position) / max;
}

/* Which of the log and the side pane are shown: both, or in a narrow page
 * the one the Details button says. */
static void
update_panes (SondeConnectionPage *self)
{
  gboolean details = self->stacked && self->details_shown;

  gtk_widget_set_visible (gtk_paned_get_start_child (self->paned), !details);
  gtk_widget_set_visible (gtk_paned_get_end_child (self->paned), !self->stacked || details);
  gtk_widget_set_visible (GTK_WIDGET (self->details_button), self->stacked);
  if (gtk_toggle_button_get_active (self->details_button) != details)
    gtk_toggle_button_set_active (self->details_button, details);
}

static void
set_stacked (SondeConnectionPage *self,
             gboolean             stacked)
{
  if (self->stacked == stacked)
    return;

  self->stacked = stacked;
  self->paned_max = 0;
  if (stacked)
    gtk_widget_add_css_class (GTK_WIDGET (self), "stacked");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "stacked");
  update_panes (self);
}

void
sonde_connection_page_on_details_toggled (SondeConnectionPage *self)
{
  sonde_connection_page_set_details_shown (self, gtk_toggle_button_get_active (self->details_button));
}

void
sonde_connection_page_on_frame_layout (GdkFrameClock       *clock,
                                       SondeConnectionPage *self)
{
  GtkWidget *log = gtk_paned_get_start_child (self->paned);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int side_width = 0, handle = 0;
  int needed;

  if (width <= 0)
    return;
  /* A hidden pane measures nothing: the log's width is the one last
   * measured while it was shown. */
  if (gtk_widget_get_visible (log))
    gtk_widget_measure (log, GTK_ORIENTATION_HORIZONTAL, -1, &self->log_min_width, NULL, NULL, NULL);
  gtk_widget_measure (gtk_paned_get_end_child (self->paned), GTK_ORIENTATION_HORIZONTAL, -1,
                      &side_width, NULL, NULL, NULL);
  handle = gtk_paned_get_wide_handle (self->paned) ? 5 : 1;
  needed = self->log_min_width + handle + MAX (side_width, SIDE_MIN_WIDTH);

  if (self->stacked && width >= needed + HYSTERESIS)
    set_stacked (self, FALSE);
  else if (!self->stacked && width < needed)
    set_stacked (self, TRUE);
}

/* About LOG_MIN_ROWS rows of the log, in the log's font. */
void
sonde_connection_page_keep_log_rows (SondeConnectionPage *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self->log_view));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int line = PANGO_PIXELS (pango_font_metrics_get_height (metrics));

  pango_font_metrics_unref (metrics);
  /* The header row counts as one more. */
  gtk_widget_set_size_request (GTK_WIDGET (self->log_view), -1, (LOG_MIN_ROWS + 1) * (line + LOG_ROW_PADDING));
}

/* In a narrow page, shows the side pane (Message, Connection) instead of
 * the log, or the log again; beside each other in a wide page, both are
 * always shown and this is remembered for when the page narrows. */
void
sonde_connection_page_set_details_shown (SondeConnectionPage *self,
                                         gboolean             shown)
{
  g_return_if_fail (SONDE_IS_CONNECTION_PAGE (self));

  self->details_shown = !!shown;
  update_panes (self);
}

gboolean
sonde_connection_page_get_details_shown (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  return self->stacked && self->details_shown;
}

/* TRUE while the page is too narrow for the log and the side pane side by
 * side. */
gboolean
sonde_connection_page_get_narrow (SondeConnectionPage *self)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION_PAGE (self), FALSE);

  return self->stacked;
}
