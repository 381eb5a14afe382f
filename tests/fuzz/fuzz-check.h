/* fuzz-check.h: what every fuzz target here shares: a check that aborts
 * (so libFuzzer keeps the input) and the one JSON text json-glib refuses
 * that Sonde's validator rightly takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Aborts, saying which check of which target failed, unless @condition
 * holds. */
#define CHECK(condition)                                                       \
  G_STMT_START {                                                               \
    if (!(condition))                                                          \
      {                                                                        \
        g_printerr ("%s:%d: check failed: %s\n", __FILE__, __LINE__,          \
                    #condition);                                               \
        abort ();                                                              \
      }                                                                        \
  } G_STMT_END

/* Whether @text holds a \uD800-\uDFFF escape: RFC 8259's grammar takes a
 * lone surrogate (Sonde's validator does), json-glib refuses it. */
static inline gboolean
fuzz_has_surrogate_escape (const char *text,
                           gsize       length)
{
  for (gsize i = 0; i + 3 < length; i++)
    if (text[i] == '\\' && text[i + 1] == 'u' && g_ascii_tolower (text[i + 2]) == 'd' &&
        text[i + 3] != '\0' && strchr ("89abcdefABCDEF", text[i + 3]) != NULL)
      return TRUE;
  return FALSE;
}
