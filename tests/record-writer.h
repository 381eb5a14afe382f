/* record-writer.h: what record-writer and its tests agree on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#define RECORD_WRITER_MAX_BATCH  2000
#define RECORD_WRITER_FILE_LIMIT (2 * 1024 * 1024)

/* Batch k's size: uneven, so that a torn batch could not end at the
 * boundary of another. */
static inline guint
record_writer_batch_size (guint64 k)
{
  return 1 + (guint) ((k * 997) % RECORD_WRITER_MAX_BATCH);
}
