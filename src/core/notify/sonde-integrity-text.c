/* sonde-integrity-text.c: what a feed-integrity violation says, to a
 * person (translated) and to a metric (its kind's label)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-integrity"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sonde-integrity.h"

static const char *kind_names[] = { "gap", "duplicate", "out_of_order", "stale", "band" };

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == SONDE_INTEGRITY_N_KINDS);

const char *
sonde_integrity_kind_to_string (SondeIntegrityKind kind)
{
  g_return_val_if_fail ((guint) kind < SONDE_INTEGRITY_N_KINDS, NULL);

  return kind_names[kind];
}

char *
sonde_integrity_violation_describe (const SondeIntegrityViolation *violation)
{
  g_autofree char *text = NULL;
  char value[32], last[32];

  g_return_val_if_fail (violation != NULL, NULL);

  /* 64-bit numbers formatted first: xgettext cuts a msgid at a format macro. */
  g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, violation->value);
  g_snprintf (last, sizeof last, "%" G_GINT64_FORMAT, violation->last);

  switch (violation->kind)
    {
    case SONDE_INTEGRITY_GAP:
      {
        char missing[32];

        g_snprintf (missing, sizeof missing, "%" G_GUINT64_FORMAT, violation->missing);
        /* Translators: "gap: 3 missing after seq 41" */
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "gap: %s missing after seq %s",
                                             "gap: %s missing after seq %s",
                                             (gulong) MIN (violation->missing, G_MAXULONG)),
                                missing, last);
      }
      break;
    case SONDE_INTEGRITY_DUPLICATE:
      /* Translators: "duplicate: seq 42 seen before" */
      text = g_strdup_printf (_("duplicate: seq %s seen before"), value);
      break;
    case SONDE_INTEGRITY_OUT_OF_ORDER:
      /* Translators: "out of order: seq 40 after seq 43" */
      text = g_strdup_printf (_("out of order: seq %s after seq %s"), value, last);
      break;
    case SONDE_INTEGRITY_BAND:
      if (isfinite (violation->min) && isfinite (violation->max))
        /* Translators: "$.price = 1200 outside 0 to 1000" */
        return g_strdup_printf (_("%s = %g outside %g to %g"), violation->path, violation->number,
                                violation->min, violation->max);
      if (isfinite (violation->min))
        return g_strdup_printf (_("%s = %g below %g"), violation->path, violation->number, violation->min);
      return g_strdup_printf (_("%s = %g above %g"), violation->path, violation->number, violation->max);
    case SONDE_INTEGRITY_STALE:
      if (violation->raised)
        return g_strdup_printf (_("stale: no message for %g s"), violation->stale_s);
      return g_strdup (_("messages arrive again"));
    default:
      g_assert_not_reached ();
    }

  if (violation->key != NULL)
    return g_strdup_printf ("%s (%s)", text, violation->key);
  return g_steal_pointer (&text);
}
