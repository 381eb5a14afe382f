/* sonde-output-buffer.c: text gathered in a buffer, written out in large pieces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-output-buffer.h"

/* Writes @buffer to @stream and empties it once it holds @threshold bytes
 * or more (0: whatever it holds). The exporters gather a few hundred KiB
 * before each write. */
gboolean
sonde_output_buffer_flush (GOutputStream  *stream,
                           GString        *buffer,
                           gsize           threshold,
                           GCancellable   *cancellable,
                           GError        **error)
{
  gboolean ok;

  if (buffer->len == 0 || buffer->len < threshold)
    return TRUE;
  ok = g_output_stream_write_all (stream, buffer->str, buffer->len, NULL, cancellable, error);
  g_string_truncate (buffer, 0);
  return ok;
}
