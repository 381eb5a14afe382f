/* sonde-series-private.h: what tests and benchmarks may see of SondeSeries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-series.h"

G_BEGIN_DECLS

/* Points per level-1 block of the pyramid, and blocks per node of each level
 * above: 1 << SONDE_SERIES_BLOCK_SHIFT. */
#define SONDE_SERIES_BLOCK_SHIFT 4

/* Every point, pyramid node and time probe a read (reduce, get_range,
 * get_stats, value_at) has looked at since the series was made: what the
 * tests use to check that a read costs O(columns · log) and not O(points),
 * without timing anything. */
guint64  sonde_series_get_n_visits     (SondeSeries *self);

/* Bytes the series holds: the point slots and pyramid nodes allocated so far
 * (both grow up to what the capacity needs), and the instance. */
gsize    sonde_series_get_memory_size  (SondeSeries *self);

/* Levels of the pyramid above the points (at least 1). */
guint    sonde_series_get_n_levels     (SondeSeries *self);

G_END_DECLS
