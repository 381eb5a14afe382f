/* sonde-series-editor.h: edit one series of a chart in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sonde-series-spec.h"

G_BEGIN_DECLS

#define SONDE_TYPE_SERIES_EDITOR (sonde_series_editor_get_type ())
G_DECLARE_FINAL_TYPE (SondeSeriesEditor, sonde_series_editor, SONDE, SERIES_EDITOR, GtkPopover)

GtkWidget  *sonde_series_editor_new         (void);
/* The chart's series, to choose from (the first is chosen): its path,
 * condition and split fill the entries, its export mark the check. */
void        sonde_series_editor_set_series  (SondeSeriesEditor   *self,
                                             SondeSeriesSpec    **specs,
                                             guint                n_specs);
guint       sonde_series_editor_get_index   (SondeSeriesEditor   *self);
void        sonde_series_editor_set_index   (SondeSeriesEditor   *self,
                                             guint                index);
void        sonde_series_editor_set_text    (SondeSeriesEditor   *self,
                                             const char          *path,
                                             const char          *where,
                                             const char          *split);
/* What was wrong with the last "apply", under the entries, and the entry
 * that holds it marked (NULL: all is well). */
void        sonde_series_editor_show_error  (SondeSeriesEditor   *self,
                                             SondeSeriesSpecPart  part,
                                             const char          *message);
/* The entry marked as wrong, or NONE. */
SondeSeriesSpecPart sonde_series_editor_get_error_part (SondeSeriesEditor *self);

G_END_DECLS
