/* fuzz-store-chunk.c: libFuzzer target for the chunk decoder of recordings
 * (src/core/record/sonde-store-chunk.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one byte, the record count the row claims (0 to 255), then the
 * chunk blob, handed over in a buffer of exactly its size so that ASan
 * reports any read past its end. Besides "no crash, no over-read", it
 * checks what must always hold:
 *
 * - a record's payload lies inside the blob, its kind and direction are
 *   known ones, seqs rise from the row's first seq, which comes first;
 * - no more records come than the count says, and a chunk read whole
 *   (the end reached) ends exactly where the blob does;
 * - what was read whole, packed again by the writer, reads back the same.
 *
 * See README.md here for how to build and run it.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "sonde-store-chunk.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define FIRST_SEQ  1000
#define FIRST_WALL 1700000000000000

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GArray) records = NULL;
  g_autofree guint8 *blob = NULL;
  SondeChunkReader reader;
  SondeChunkWriter writer;
  SondeRecord record;
  guint n;
  int rc;

  if (size < 1)
    return 0;
  n = data[0];
  blob = g_memdup2 (data + 1, size - 1);
  if (!sonde_chunk_reader_init (&reader, blob, size - 1, FIRST_SEQ, FIRST_WALL, n))
    return 0;

  records = g_array_new (FALSE, TRUE, sizeof (SondeRecord));
  while ((rc = sonde_chunk_reader_next (&reader, &record)) > 0)
    {
      CHECK (records->len < n);
      CHECK (record.stored_size == 0 || (record.data >= blob && record.data + record.stored_size <= blob + size - 1));
      CHECK (record.kind <= SONDE_MESSAGE_KIND_LAST);
      CHECK (record.direction <= SONDE_DIRECTION_EVENT);
      if (records->len == 0)
        CHECK (record.seq == FIRST_SEQ);
      else
        CHECK (record.seq > g_array_index (records, SondeRecord, records->len - 1).seq);
      g_array_append_val (records, record);
    }
  CHECK (rc == 0 || rc == -1);
  if (rc < 0)
    return 0;
  CHECK (records->len == n);
  CHECK (reader.p == blob + size - 1);

  /* Packed again, read back the same. */
  sonde_chunk_writer_init (&writer);
  for (guint i = 0; i < records->len; i++)
    sonde_chunk_writer_add (&writer, &g_array_index (records, SondeRecord, i));
  if (records->len > 0)
    {
      CHECK (sonde_chunk_reader_init (&reader, writer.data->data, writer.data->len,
                                      writer.first_seq, writer.first_wall_us, writer.n));
      CHECK (writer.first_wall_us == g_array_index (records, SondeRecord, 0).wall_us);
      for (guint i = 0; i < records->len; i++)
        {
          const SondeRecord *was = &g_array_index (records, SondeRecord, i);

          CHECK (sonde_chunk_reader_next (&reader, &record) == 1);
          CHECK (record.seq == was->seq && record.wall_us == was->wall_us && record.mono_us == was->mono_us);
          CHECK (record.kind == was->kind && record.direction == was->direction && record.flags == was->flags);
          CHECK (record.size == was->size && record.stored_size == was->stored_size);
          CHECK (memcmp (record.data, was->data, record.stored_size) == 0);
        }
      CHECK (sonde_chunk_reader_next (&reader, &record) == 0);
    }
  sonde_chunk_writer_clear (&writer);
  return 0;
}
