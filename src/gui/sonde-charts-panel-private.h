/* sonde-charts-panel-private.h: what the charts panel's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-charts-panel.h"

G_BEGIN_DECLS

/* sonde-charts-panel-export.c */
void          sonde_charts_panel_ask_export          (SondeChartsPanel *self,
                                                      SondeChart       *chart,
                                                      gboolean          png);

/* sonde-charts-panel.c: under the toolbar, and the panel's cancellable
 * (cancelled when it goes). */
void          sonde_charts_panel_report_export_error (SondeChartsPanel *self,
                                                      gboolean          png,
                                                      const GError     *error);
void          sonde_charts_panel_clear_export_error  (SondeChartsPanel *self);
GCancellable *sonde_charts_panel_get_cancellable     (SondeChartsPanel *self);

G_END_DECLS
