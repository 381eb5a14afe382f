/* sonde-store-chunk.h: many records packed into one blob (a chunk row of
 * SondeStoreSqlite), and read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-record.h"

G_BEGIN_DECLS

/* A chunk ends at whichever comes first (a record larger than the byte
 * limit is a chunk of its own). */
#define SONDE_CHUNK_MAX_RECORDS 1024
#define SONDE_CHUNK_MAX_BYTES   (64 * 1024)

/* A chunk's key in a store (SQLite, PostgreSQL): its session in the high
 * bits, its first seq in the low ones, so that a session's chunks are one
 * range of keys in seq order. */
#define SONDE_CHUNK_KEY_BITS    40
#define SONDE_CHUNK_MAX_SEQ     ((G_GINT64_CONSTANT (1) << SONDE_CHUNK_KEY_BITS) - 1)
#define SONDE_CHUNK_MAX_SESSION ((G_GINT64_CONSTANT (1) << (63 - SONDE_CHUNK_KEY_BITS)) - 1)
#define SONDE_CHUNK_KEY(session, seq) (((gint64) (session) << SONDE_CHUNK_KEY_BITS) | (gint64) (seq))

/* Builds one chunk. The row keeps what the blob leaves out: the first
 * record's seq and wall time (the bases of the first deltas), the last
 * ones', and the count. */
typedef struct {
  /* owned */
  GByteArray *data;
  /* what was added since the last reset */
  guint       n;
  guint64     payload;     /* stored payload bytes */
  guint64     first_seq;
  guint64     last_seq;
  gint64      first_wall_us;
  gint64      last_wall_us;
  gint64      last_mono_us;
} SondeChunkWriter;

void     sonde_chunk_writer_init   (SondeChunkWriter  *writer);
void     sonde_chunk_writer_clear  (SondeChunkWriter  *writer);
/* Empties it for the next chunk. */
void     sonde_chunk_writer_reset  (SondeChunkWriter  *writer);
/* Whether @record belongs in a chunk of its own after this one. */
gboolean sonde_chunk_writer_is_full_for (const SondeChunkWriter *writer,
                                         const SondeRecord      *record);
/* @record's seq must be greater than the last one's. */
void     sonde_chunk_writer_add    (SondeChunkWriter  *writer,
                                    const SondeRecord *record);

/* Reads one chunk, record by record, checking every bound. */
typedef struct {
  /* borrowed */
  const guint8 *p;
  const guint8 *end;
  guint         remaining;
  gboolean      started;
  guint64       seq;
  gint64        wall_us;
  gint64        mono_us;
} SondeChunkReader;

/* FALSE when the blob is no chunk this version reads. */
gboolean sonde_chunk_reader_init (SondeChunkReader *reader,
                                  const guint8     *data,
                                  gsize             size,
                                  guint64           first_seq,
                                  gint64            first_wall_us,
                                  guint             n_records);
/* 1: @record holds the next record (its data points into the blob); 0: the
 * chunk is read whole, as long as its count says; -1: it is damaged. */
int      sonde_chunk_reader_next (SondeChunkReader *reader,
                                  SondeRecord      *record);

G_END_DECLS
