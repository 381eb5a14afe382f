/* sonde-export-options.c: the export formats by name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-export"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-error.h"
#include "sonde-export-options.h"

static const char * const names[] = {
  [SONDE_EXPORT_FORMAT_JSONL] = "jsonl",
  [SONDE_EXPORT_FORMAT_CSV] = "csv",
  [SONDE_EXPORT_FORMAT_HAR] = "har",
};

gboolean
sonde_export_format_from_string (const char         *text,
                                 SondeExportFormat  *out_format,
                                 GError            **error)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (text, names[i]) == 0)
        {
          if (out_format != NULL)
            *out_format = (SondeExportFormat) i;
          return TRUE;
        }
    }

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION,
               /* Translators: the format names are literal values: do not translate them. */
               _("“%s” is not an export format: use jsonl (JSON Lines), csv or har"),
               text != NULL ? text : "");
  return FALSE;
}

const char *
sonde_export_format_to_string (SondeExportFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (names), NULL);
  return names[format];
}

const char *
sonde_export_format_extension (SondeExportFormat format)
{
  return sonde_export_format_to_string (format);
}
