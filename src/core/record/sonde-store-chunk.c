/* sonde-store-chunk.c: many records packed into one blob, and read back
 *
 * A chunk is a format byte (CHUNK_FORMAT) and then, for each record:
 *
 *   varint   seq − the previous record's seq (the first: − the row's first seq, 0)
 *   zigzag   wall_us − the previous record's (the first: − the row's first wall time)
 *   zigzag   mono_us − the previous record's (the first: − 0)
 *   byte     kind (bits 0–3), direction (bits 4–5), FLAGS_FOLLOW (6), SIZE_FOLLOWS (7)
 *   varint   flags, when FLAGS_FOLLOW
 *   varint   stored_size
 *   varint   size, when SIZE_FOLLOWS (it differs from stored_size: truncated)
 *   bytes    the stored payload
 *
 * Varints are LEB128 (7 bits a byte, low first), zigzag maps signed to
 * unsigned. A 100-byte message costs about 6 bytes besides its payload.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sonde-store-chunk.h"

#define CHUNK_FORMAT  1
#define FLAGS_FOLLOW  0x40
#define SIZE_FOLLOWS  0x80
#define MAX_VARINT    10

static inline guint8 *
put_varint (guint8  *p,
            guint64  value)
{
  while (value >= 0x80)
    {
      *p++ = (guint8) (value | 0x80);
      value >>= 7;
    }
  *p++ = (guint8) value;
  return p;
}

static inline guint64
zigzag (gint64 value)
{
  return ((guint64) value << 1) ^ (guint64) (value >> 63);
}

static inline gint64
unzigzag (guint64 value)
{
  return (gint64) (value >> 1) ^ -(gint64) (value & 1);
}

void
sonde_chunk_writer_init (SondeChunkWriter *writer)
{
  memset (writer, 0, sizeof *writer);
  writer->data = g_byte_array_sized_new (SONDE_CHUNK_MAX_BYTES + 8 * 1024);
  sonde_chunk_writer_reset (writer);
}

void
sonde_chunk_writer_clear (SondeChunkWriter *writer)
{
  g_clear_pointer (&writer->data, g_byte_array_unref);
}

void
sonde_chunk_writer_reset (SondeChunkWriter *writer)
{
  /* A chunk of one huge record leaves no huge buffer behind. */
  if (writer->data->len > 4 * SONDE_CHUNK_MAX_BYTES)
    {
      g_byte_array_unref (writer->data);
      writer->data = g_byte_array_sized_new (SONDE_CHUNK_MAX_BYTES + 8 * 1024);
    }
  g_byte_array_set_size (writer->data, 1);
  writer->data->data[0] = CHUNK_FORMAT;
  writer->n = 0;
  writer->payload = 0;
}

gboolean
sonde_chunk_writer_is_full_for (const SondeChunkWriter *writer,
                                const SondeRecord      *record)
{
  return writer->n > 0
         && (writer->n >= SONDE_CHUNK_MAX_RECORDS
             || writer->payload + record->stored_size > SONDE_CHUNK_MAX_BYTES);
}

void
sonde_chunk_writer_add (SondeChunkWriter  *writer,
                        const SondeRecord *record)
{
  guint old_len = writer->data->len;
  guint8 *start, *p;
  guint8 head;

  if (writer->n == 0)
    {
      writer->first_seq = writer->last_seq = record->seq;
      writer->first_wall_us = writer->last_wall_us = record->wall_us;
      writer->last_mono_us = 0;
    }
  g_byte_array_set_size (writer->data, old_len + 5 * MAX_VARINT + 1 + record->stored_size);
  start = p = writer->data->data + old_len;

  p = put_varint (p, record->seq - writer->last_seq);
  /* Deltas wrap around rather than overflow: read back, they wrap back. */
  p = put_varint (p, zigzag ((gint64) ((guint64) record->wall_us - (guint64) writer->last_wall_us)));
  p = put_varint (p, zigzag ((gint64) ((guint64) record->mono_us - (guint64) writer->last_mono_us)));
  head = (guint8) ((record->kind & 0x0f) | ((record->direction & 0x03) << 4));
  if (record->flags != 0)
    head |= FLAGS_FOLLOW;
  if (record->size != record->stored_size)
    head |= SIZE_FOLLOWS;
  *p++ = head;
  if (record->flags != 0)
    p = put_varint (p, (guint64) record->flags);
  p = put_varint (p, record->stored_size);
  if (record->size != record->stored_size)
    p = put_varint (p, record->size);
  if (record->stored_size > 0)
    memcpy (p, record->data, record->stored_size);
  p += record->stored_size;
  g_byte_array_set_size (writer->data, old_len + (guint) (p - start));

  writer->n++;
  writer->payload += record->stored_size;
  writer->last_seq = record->seq;
  writer->last_wall_us = record->wall_us;
  writer->last_mono_us = record->mono_us;
}

gboolean
sonde_chunk_reader_init (SondeChunkReader *reader,
                         const guint8     *data,
                         gsize             size,
                         guint64           first_seq,
                         gint64            first_wall_us,
                         guint             n_records)
{
  memset (reader, 0, sizeof *reader);
  if (data == NULL || size < 1 || data[0] != CHUNK_FORMAT)
    return FALSE;
  reader->p = data + 1;
  reader->end = data + size;
  reader->remaining = n_records;
  reader->seq = first_seq;
  reader->wall_us = first_wall_us;
  return TRUE;
}

static inline gboolean
get_varint (SondeChunkReader *reader,
            guint64          *out_value)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 byte;

      if (reader->p >= reader->end)
        return FALSE;
      byte = *reader->p++;
      value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        {
          *out_value = value;
          return TRUE;
        }
    }
  return FALSE;
}

int
sonde_chunk_reader_next (SondeChunkReader *reader,
                         SondeRecord      *record)
{
  guint64 seq_delta, wall_delta, mono_delta, flags = 0, stored_size, size;
  guint8 head;

  if (reader->remaining == 0)
    return reader->p == reader->end ? 0 : -1;
  if (!get_varint (reader, &seq_delta)
      || !get_varint (reader, &wall_delta)
      || !get_varint (reader, &mono_delta)
      || reader->p >= reader->end)
    return -1;
  /* Seqs rise: only the first record repeats the row's. */
  if ((reader->started ? seq_delta == 0 : seq_delta != 0) || seq_delta > G_MAXUINT64 - reader->seq)
    return -1;
  head = *reader->p++;
  if ((head & 0x0f) > SONDE_MESSAGE_KIND_LAST || ((head >> 4) & 0x03) > SONDE_DIRECTION_EVENT)
    return -1;
  if ((head & FLAGS_FOLLOW) && (!get_varint (reader, &flags) || flags > G_MAXINT))
    return -1;
  if (!get_varint (reader, &stored_size))
    return -1;
  size = stored_size;
  if ((head & SIZE_FOLLOWS) && (!get_varint (reader, &size) || size > G_MAXSIZE))
    return -1;
  if (stored_size > (guint64) (reader->end - reader->p))
    return -1;

  reader->started = TRUE;
  reader->remaining--;
  reader->seq += seq_delta;
  reader->wall_us = (gint64) ((guint64) reader->wall_us + (guint64) unzigzag (wall_delta));
  reader->mono_us = (gint64) ((guint64) reader->mono_us + (guint64) unzigzag (mono_delta));

  record->seq = reader->seq;
  record->wall_us = reader->wall_us;
  record->mono_us = reader->mono_us;
  record->kind = head & 0x0f;
  record->direction = (head >> 4) & 0x03;
  record->flags = (SondeRecordFlags) flags;
  record->stored_size = (gsize) stored_size;
  record->size = (gsize) size;
  record->data = stored_size > 0 ? reader->p : (const guint8 *) "";
  reader->p += stored_size;
  return 1;
}
