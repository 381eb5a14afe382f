/* sonde-backoff.h: when to try again after a connection drops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(cap, base · 2^attempt)] milliseconds, both ends included (attempt
 * counts from 0). base · 2^attempt saturates instead of overflowing, so any
 * attempt is bounded by the cap; a base or a cap of 0 gives 0. @rand may be
 * NULL for GLib's global generator; a seeded one makes the delays
 * reproducible. */
guint    sonde_backoff_delay_ms      (guint     attempt,
                                      guint     base_ms,
                                      guint     cap_ms,
                                      GRand    *rand);
/* A Retry-After header value (delta-seconds or an HTTP-date) as a delay in
 * milliseconds from @now_us (wall clock); FALSE when it does not parse.
 * delta-seconds is digits only; an HTTP-date is one of RFC 9110's three
 * forms (IMF-fixdate, RFC 850, asctime), and one in the past is a delay of
 * 0. Either is cut to a day. @delay_ms may be NULL, and is left alone when
 * the value does not parse. */
gboolean sonde_retry_after_parse     (const char *value,
                                      gint64      now_us,
                                      guint64    *delay_ms);

G_END_DECLS
