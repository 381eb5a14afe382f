/* sonde-backoff.h: when to try again after a connection drops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(cap, base · 2^attempt)] milliseconds (attempt counts from 0). */
guint    sonde_backoff_delay_ms      (guint     attempt,
                                      guint     base_ms,
                                      guint     cap_ms,
                                      GRand    *rand);
/* A Retry-After header value (delta-seconds or an HTTP-date) as a delay in
 * milliseconds from @now_us (wall clock); FALSE when it does not parse. */
gboolean sonde_retry_after_parse     (const char *value,
                                      gint64      now_us,
                                      guint64    *delay_ms);

G_END_DECLS
