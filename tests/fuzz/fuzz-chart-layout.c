/* fuzz-chart-layout.c: a profile's chart layout (charts, series with their
 * "export" mark, tiles) read from arbitrary JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the layout's JSON. Checked: reading never crashes, stalls
 * or leaks; a failure says why in UTF-8; what was read is written back as
 * JSON that reads again without a fault into the same layout (the same
 * charts, series, export marks and tiles), and is written the same (a
 * fixed point); every series marked for export has a metric label in
 * UTF-8.
 */
#include "config.h"

#include <string.h>

#include "fuzz-check.h"
#include "sonde-chart-list.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Series and export marks, counted over the charts and the tiles. */
static void
count (SondeChartList *list,
       guint          *n_series,
       guint          *n_export)
{
  GListModel *charts = G_LIST_MODEL (list);

  *n_series = *n_export = 0;
  for (guint i = 0; i < g_list_model_get_n_items (charts); i++)
    {
      g_autoptr(SondeChartDef) def = g_list_model_get_item (charts, i);

      for (guint j = 0; j < sonde_chart_def_get_n_series (def); j++)
        {
          SondeSeriesSpec *spec = sonde_chart_def_get_series (def, j);

          (*n_series)++;
          if (sonde_series_spec_get_export (spec))
            {
              g_autofree char *label = sonde_series_spec_dup_metric_label (spec);

              CHECK (label != NULL && g_utf8_validate (label, -1, NULL));
              (*n_export)++;
            }
        }
    }
  for (guint i = 0; i < sonde_chart_list_get_n_tiles (list); i++)
    {
      (*n_series)++;
      if (sonde_series_spec_get_export (sonde_chart_list_get_tile (list, i)))
        (*n_export)++;
    }
}

static char *
write_json (SondeChartList *list)
{
  g_autoptr(JsonNode) node = sonde_chart_list_to_json (list);

  CHECK (node != NULL);
  return json_to_string (node, FALSE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonParser) back_parser = json_parser_new_immutable ();
  g_autoptr(SondeChartList) list = sonde_chart_list_new ();
  g_autoptr(SondeChartList) again = sonde_chart_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *back = NULL;
  g_autofree char *back_again = NULL;
  guint n_series, n_export, n_series_again, n_export_again;

  if (strlen (text) != size || !json_parser_load_from_data (parser, text, (gssize) size, NULL))
    return 0;

  if (!sonde_chart_list_load_json (list, json_parser_get_root (parser), &error))
    {
      CHECK (error != NULL && error->message != NULL && error->message[0] != '\0');
      CHECK (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  count (list, &n_series, &n_export);

  /* Written back: read again without a fault, into the same layout. */
  back = write_json (list);
  CHECK (json_parser_load_from_data (back_parser, back, -1, NULL));
  CHECK (sonde_chart_list_load_json (again, json_parser_get_root (back_parser), NULL));
  count (again, &n_series_again, &n_export_again);
  CHECK (n_series_again == n_series);
  CHECK (n_export_again == n_export);
  CHECK (g_list_model_get_n_items (G_LIST_MODEL (again)) == g_list_model_get_n_items (G_LIST_MODEL (list)));
  back_again = write_json (again);
  CHECK (g_str_equal (back, back_again));
  return 0;
}
