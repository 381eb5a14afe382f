/* sonde-log-view-private.h: the log view's columns, for its own files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-log-view.h"

G_BEGIN_DECLS

typedef enum {
  COLUMN_TIME,
  COLUMN_DELTA,
  COLUMN_DIRECTION,
  COLUMN_KIND,
  COLUMN_SIZE,
  COLUMN_PREVIEW,
  N_COLUMNS
} SondeLogViewColumn;

GtkColumnViewColumn *sonde_log_view_add_column (GtkColumnView      *view,
                                                SondeLogViewColumn  column,
                                                const char         *title,
                                                GMenuModel         *header_menu);

G_END_DECLS
