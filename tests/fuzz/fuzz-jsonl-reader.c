/* fuzz-jsonl-reader.c: libFuzzer target for the JSON Lines reader
 *
 * The input is a file to import. Checked: the reader never crashes, never
 * reads past the input, and either fails with a SONDE_IMPORT_ERROR and a
 * message, or returns records with payloads no larger than the input
 * (an event written by hand and regenerated: 6 times, its control
 * characters escaped; text UTF-8, a message's size at least its stored
 * bytes). Then the
 * records written again with sonde_record_append_json and read back are
 * the same: times, directions, kinds, flags, sizes and payload bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sonde-text.h"

#include "sonde-jsonl-reader.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(SondeImportedSession) session = NULL;
  g_autoptr(SondeImportedSession) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *copy = g_memdup2 (data, size);
  guint n;

  session = sonde_jsonl_reader_read_data (copy, size, &error);
  if (session == NULL)
    {
      g_assert (error != NULL && error->domain == SONDE_IMPORT_ERROR);
      g_assert (error->message[0] != '\0');
      return 0;
    }

  n = sonde_imported_session_get_n_records (session);
  g_assert (n > 0);
  for (guint i = 0; i < n; i++)
    {
      const SondeRecord *r = sonde_imported_session_get_record (session, i);

      g_assert (r->seq == i);
      g_assert (r->data != NULL);
      /* An event written by hand is regenerated: control characters
       * escaped, at most 6 bytes each. */
      g_assert (r->stored_size <= (r->direction == SONDE_DIRECTION_EVENT || r->kind == SONDE_MESSAGE_KIND_FRAME
                                   ? 6 * size + 2 : size));
      g_assert (r->size >= r->stored_size);
      if (r->kind == SONDE_MESSAGE_KIND_TEXT && r->direction != SONDE_DIRECTION_EVENT)
        g_assert (sonde_text_validate_utf8 (r->data, r->stored_size, NULL));
      sonde_record_append_json (lines, r);
      g_string_append_c (lines, '\n');
    }

  again = sonde_jsonl_reader_read_data (lines->str, lines->len, &error);
  if (again == NULL)
    g_error ("written lines do not read back: %s\n%s", error->message, lines->str);
  g_assert (sonde_imported_session_get_n_records (again) == n);
  for (guint i = 0; i < n; i++)
    {
      const SondeRecord *a = sonde_imported_session_get_record (session, i);
      const SondeRecord *b = sonde_imported_session_get_record (again, i);

      g_assert (a->wall_us == b->wall_us);
      g_assert (a->direction == b->direction);
      g_assert (a->kind == b->kind);
      g_assert (a->flags == b->flags);
      g_assert (a->stored_size == b->stored_size);
      g_assert (a->stored_size == 0 || memcmp (a->data, b->data, a->stored_size) == 0);
      if (a->direction != SONDE_DIRECTION_EVENT && a->kind != SONDE_MESSAGE_KIND_FRAME)
        g_assert (a->size == b->size);
    }
  return 0;
}
