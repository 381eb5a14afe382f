/* sonde-cli-print.c: what `sonde-cli connect` prints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records as JSON lines (text through the redactor, "redacted": true
 * when it masked something), --raw payloads (exact, only the secrets Sonde
 * was given masked; binary in base64 unless --raw-bytes; ended by a newline
 * or a NUL with --print0), --extract lines, and on stderr how a connection
 * ended and what a refused certificate was.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sonde-cli-connect-private.h"
#include "sonde-close-code.h"
#include "sonde-connection.h"
#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-json-writer.h"
#include "sonde-log-export.h"

void
sonde_cli_write_out (ConnectRun *run,
                     const void *data,
                     gsize       length)
{
  if (length > 0 && fwrite (data, 1, length, stdout) != length)
    {
      /* A reader that went away (`| head`) is a normal way to stop. */
      if (errno == EPIPE)
        exit (0);
      sonde_cli_say (_("cannot write the output: %s"), g_strerror (errno));
      exit (1);
    }
}


/* @number as the shortest JSON number that reads back the same. */
static void
append_number (GString *out,
               double   number)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, number);
      if (digits == 17 || g_ascii_strtod (buffer, NULL) == number)
        break;
    }
  g_string_append (out, buffer);
}

void
sonde_cli_clear_decoded (ConnectRun *run)
{
  run->decode_done = FALSE;
  g_clear_pointer (&run->decode_error, g_free);
}

void
sonde_cli_decode (ConnectRun        *run,
                  const SondeRecord *record)
{
  g_autoptr(GError) error = NULL;

  sonde_cli_clear_decoded (run);
  if (run->decoded == NULL)
    run->decoded = g_string_new (NULL);
  g_string_truncate (run->decoded, 0);
  run->decode_done = TRUE;
  if (!sonde_decoder_decode (run->decoder, record->data, record->stored_size, run->decoded, &error))
    {
      /* Text that is not the chain's reads as the text it is. */
      if (record->kind != SONDE_MESSAGE_KIND_BINARY)
        run->decode_done = FALSE;
      else
        run->decode_error = g_strdup (error->message);
    }
}

gboolean
sonde_cli_get_view (ConnectRun        *run,
                    const SondeRecord *record,
                    const char       **view,
                    gsize             *length)
{
  if (!run->decode_done)
    {
      *view = (const char *) record->data;
      *length = record->stored_size;
      return TRUE;
    }
  if (run->decode_error != NULL)
    return FALSE;
  *view = run->decoded->str;
  *length = run->decoded->len;
  return TRUE;
}

/* ,"decoded":VIEW or ,"decode_error":"why", before the record's closing
 * brace, as the JSON Lines export writes it. */
static void
append_decoded (ConnectRun *run)
{
  if (!run->decode_done)
    return;
  if (run->decode_error != NULL)
    sonde_record_views_append_member (run->line, SONDE_RECORD_VIEW_FAILED, NULL, 0, run->decode_error);
  else
    sonde_record_views_append_member (run->line, SONDE_RECORD_VIEW_DECODED, run->decoded->str, run->decoded->len,
                                      NULL);
}

/* {"time":"…","values":{"$.price":101.25,"$.x":null}}: the paths as typed,
 * in the order given. */
static void
append_extract_line (ConnectRun        *run,
                     const SondeRecord *record)
{
  GString *out = run->line;

  const char *view = NULL;
  gsize length = 0;
  gboolean decoded = sonde_cli_get_view (run, record, &view, &length);

  g_string_append (out, "{\"time\":");
  sonde_json_append_iso_time (out, record->wall_us);
  g_string_append (out, ",\"values\":{");
  for (guint i = 0; i < run->paths->len; i++)
    {
      double number;

      if (i > 0)
        g_string_append_c (out, ',');
      sonde_json_append_string (out, run->extracts[i], -1);
      g_string_append_c (out, ':');
      if (decoded && sonde_json_path_get_number (g_ptr_array_index (run->paths, i), view, length, &number))
        append_number (out, number);
      else
        g_string_append (out, "null");
    }
  g_string_append (out, "}}");
}

/* --extract: one line of numbers for @record. */
void
sonde_cli_write_extract (ConnectRun        *run,
                         const SondeRecord *record)
{
  g_string_truncate (run->line, 0);
  append_extract_line (run, record);
  g_string_append_c (run->line, '\n');
  sonde_cli_write_out (run, run->line->str, run->line->len);
}

/* What masks secrets in the output: the connection's (a profile's adds
 * its own secret), none with --show-secrets. */
static SondeRedactor *
redactor_of (ConnectRun *run)
{
  return run->show_secrets ? NULL : sonde_connection_get_redactor (run->connection);
}

/* --raw: the payload as received, only the secrets Sonde was given
 * masked; binary in base64 unless --raw-bytes; then a newline, or a NUL
 * with --print0. */
void
sonde_cli_write_raw (ConnectRun        *run,
                     const SondeRecord *record)
{
  SondeRedactor *redactor = redactor_of (run);
  const char *data = (const char *) record->data;

  g_string_truncate (run->line, 0);
  if (record->kind == SONDE_MESSAGE_KIND_BINARY && !run->raw_bytes)
    {
      g_autofree char *encoded = g_base64_encode (record->data, record->stored_size);

      g_string_append (run->line, encoded);
    }
  else if (redactor != NULL)
    sonde_redactor_append_secrets (redactor, run->line, data, record->stored_size);
  else
    g_string_append_len (run->line, data, (gssize) record->stored_size);
  g_string_append_c (run->line, run->print0 ? '\0' : '\n');
  sonde_cli_write_out (run, run->line->str, run->line->len);
}

/* One JSON line, its text as the log export writes it: through the
 * redactor; a text the redactor changed says "redacted": true (its "size"
 * is still the size received). */
void
sonde_cli_write_json (ConnectRun        *run,
                      const SondeRecord *record)
{
  SondeRedactor *redactor = redactor_of (run);

  g_string_truncate (run->line, 0);
  sonde_log_export_line (run->line, record, redactor);
  if (redactor != NULL && record->direction != SONDE_DIRECTION_EVENT &&
      record->kind == SONDE_MESSAGE_KIND_TEXT && run->line->len > 0 &&
      run->line->str[run->line->len - 1] == '}')
    {
      g_autoptr(GString) masked = g_string_sized_new (record->stored_size + 16);

      sonde_redactor_append_bytes (redactor, masked, (const char *) record->data, record->stored_size);
      if (masked->len != record->stored_size || memcmp (masked->str, record->data, masked->len) != 0)
        g_string_insert (run->line, (gssize) run->line->len - 1, ",\"redacted\":true");
    }
  append_decoded (run);
  /* A protocol mode's label and upkeep mark. */
  if (run->label != NULL && run->line->len > 0 && run->line->str[run->line->len - 1] == '}')
    {
      g_autoptr(GString) member = g_string_new (",\"label\":");

      sonde_json_append_string (member, run->label, -1);
      if (run->upkeep)
        g_string_append (member, ",\"upkeep\":true");
      g_string_insert_len (run->line, (gssize) run->line->len - 1, member->str, (gssize) member->len);
    }
  g_string_append_c (run->line, '\n');
  sonde_cli_write_out (run, run->line->str, run->line->len);
}


/* A refused certificate: its fingerprint, and the option that trusts it. */
void
sonde_cli_say_refused_certificate (ConnectRun *run)
{
  const char *sha256 = sonde_connection_get_refused_certificate (run->connection, NULL);
  GString *colons;

  if (sha256 == NULL)
    return;

  colons = g_string_new (NULL);
  for (const char *p = sha256; p[0] != '\0' && p[1] != '\0'; p += 2)
    g_string_append_printf (colons, "%s%c%c", colons->len > 0 ? ":" : "",
                            g_ascii_toupper (p[0]), g_ascii_toupper (p[1]));
  sonde_cli_say (_("the server's certificate has the SHA-256 fingerprint %s"), colons->str);
  sonde_cli_say (_("to trust this certificate once you have checked that fingerprint with the server's owners, "
         "add: --pin-sha256 %s"), sha256);
  g_string_free (colons, TRUE);
}

/* Says how a connection that did not end normally ended; FALSE when we
 * closed it ourselves, cleanly (/close with a code of one's choosing),
 * which is no failure. */
gboolean
sonde_cli_say_close (ConnectRun *run)
{
  guint code = sonde_connection_get_close_code (run->connection);
  const char *reason = sonde_connection_get_close_reason (run->connection);
  g_autofree char *what = g_strdup_printf ("%u (%s)%s%s", code, _(sonde_close_code_describe (code)),
                                           reason && *reason ? ": " : "", reason ? reason : "");

  if (!sonde_connection_get_close_was_clean (run->connection))
    sonde_cli_say (_("the connection closed abnormally: %s"), what);
  else if (run->closing_by_us)
    return FALSE;
  else
    sonde_cli_say (_("the server closed the connection: %s"), what);
  return TRUE;
}
