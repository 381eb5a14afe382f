/* fuzz-har-reader.c: libFuzzer target for the HAR reader and writer
 *
 * The input is a file to import. Checked: the reader never crashes, never
 * reads past the input, and either fails with a SONDE_IMPORT_ERROR (or the
 * error of a file it cannot read) and a message, or returns at least one
 * session whose records are text (UTF-8) or binary messages, in or out,
 * with a payload no larger than the input. Then every session written
 * again with SondeHarWriter and read back gives the same records: the same
 * directions, kinds and payload bytes, and the same times to the µs where
 * a double holds them (epoch seconds below 2^31).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sonde-text.h"

#include "sonde-har-reader.h"
#include "sonde-har-writer.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
check_session (SondeImportedSession *session,
               gsize                 input_size)
{
  for (guint i = 0; i < sonde_imported_session_get_n_records (session); i++)
    {
      const SondeRecord *r = sonde_imported_session_get_record (session, i);

      g_assert (r->seq == i);
      g_assert (r->direction == SONDE_DIRECTION_IN || r->direction == SONDE_DIRECTION_OUT);
      g_assert (r->kind == SONDE_MESSAGE_KIND_TEXT || r->kind == SONDE_MESSAGE_KIND_BINARY);
      g_assert (r->size == r->stored_size);
      g_assert (r->stored_size <= input_size);
      g_assert (r->data != NULL);
      if (r->kind == SONDE_MESSAGE_KIND_TEXT)
        g_assert (sonde_text_validate_utf8 (r->data, r->stored_size, NULL));
    }
}

static void
check_rewrite (SondeImportedSession *session)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(SondeHarWriter) writer = sonde_har_writer_new (out, sonde_imported_session_get_url (session),
                                                           sonde_imported_session_get_start_us (session));
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  SondeImportedSession *copy;
  gsize length;

  for (guint i = 0; i < sonde_imported_session_get_n_records (session); i++)
    g_assert (sonde_har_writer_add (writer, sonde_imported_session_get_record (session, i), NULL, NULL));
  g_assert (sonde_har_writer_finish (writer, NULL, NULL));
  g_assert (g_output_stream_close (out, NULL, NULL));

  length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  again = sonde_har_reader_read_data (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), length, &error);
  if (again == NULL)
    g_error ("a written HAR does not read back: %s", error->message);
  g_assert (again->len == 1);
  copy = g_ptr_array_index (again, 0);
  g_assert (sonde_imported_session_get_n_records (copy) == sonde_imported_session_get_n_records (session));
  for (guint i = 0; i < sonde_imported_session_get_n_records (session); i++)
    {
      const SondeRecord *a = sonde_imported_session_get_record (session, i);
      const SondeRecord *b = sonde_imported_session_get_record (copy, i);

      g_assert (a->direction == b->direction);
      g_assert (a->kind == b->kind);
      g_assert (a->stored_size == b->stored_size);
      g_assert (a->stored_size == 0 || memcmp (a->data, b->data, a->stored_size) == 0);
      if (ABS (a->wall_us) < G_GINT64_CONSTANT (2147483648) * G_USEC_PER_SEC)
        g_assert (a->wall_us == b->wall_us);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  /* An exact-size copy, so that ASan sees any read past the end. */
  g_autofree char *copy = g_memdup2 (data, size);

  sessions = sonde_har_reader_read_data (copy, size, &error);
  if (sessions == NULL)
    {
      g_assert (error != NULL && error->domain == SONDE_IMPORT_ERROR);
      g_assert (error->message[0] != '\0');
      return 0;
    }
  g_assert (error == NULL);
  g_assert (sessions->len > 0);
  for (guint i = 0; i < sessions->len; i++)
    {
      check_session (g_ptr_array_index (sessions, i), size);
      check_rewrite (g_ptr_array_index (sessions, i));
    }
  return 0;
}
