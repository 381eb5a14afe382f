/* sonde-replay-source.c: the received messages of one recorded session, with
 * their times and the session's end, ready to be played back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads through the readers History already has: SondeStore for a
 * database (a file, or a postgresql:// URI), and the import's readers (sonde_store_import_read_sessions:
 * JSON Lines or HAR, told apart as the import tells them) for files.
 */

#define G_LOG_DOMAIN "sonde-replay-source"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-imported-session.h"
#include "sonde-json-path.h"
#include "sonde-replay-source.h"
#include "sonde-serve-error.h"
#include "sonde-store-import.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

#define SQLITE_MAGIC "SQLite format 3"

struct _SondeReplaySource
{
  gatomicrefcount        ref_count;
  SondeReplaySourceKind  kind;
  gint64                 session_id;
  guint                  n_sessions;
  char                  *url;
  GArray                *messages;      /* SondeReplayMessage */
  guint16                close_code;
  char                  *close_reason;
};

/* What a reader hands over, record by record. */
typedef struct {
  SondeReplaySource     *source;
  const SondeReplayTime *from;
  const SondeReplayTime *to;
  gint64                 first_in_us;   /* the session's first received message; G_MININT64 until seen */
  gint64                 first_kept_us; /* the first message kept: offset 0 */
  int                    close_code;
  char                  *close_reason;
} Collector;

static void
message_clear (gpointer data)
{
  SondeReplayMessage *message = data;

  g_clear_pointer (&message->payload, g_bytes_unref);
}

static SondeReplaySource *
source_new (SondeReplaySourceKind kind)
{
  SondeReplaySource *self = g_new0 (SondeReplaySource, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->messages = g_array_new (FALSE, TRUE, sizeof (SondeReplayMessage));
  g_array_set_clear_func (self->messages, message_clear);
  self->close_code = 1000;
  return self;
}

static gint64
resolve (const SondeReplayTime *time,
         gint64                 first_in_us)
{
  return time->relative ? first_in_us + time->value_us : time->value_us;
}

static void
read_close_event (Collector         *collector,
                  const SondeRecord *record)
{
  g_autoptr(SondeJsonPath) code_path = sonde_json_path_new ("$.close_code", NULL);
  g_autoptr(SondeJsonPath) reason_path = sonde_json_path_new ("$.close_reason", NULL);
  double code;

  if (!sonde_json_path_get_number (code_path, (const char *) record->data, record->stored_size, &code))
    return;
  collector->close_code = (int) code;
  g_free (collector->close_reason);
  collector->close_reason = sonde_json_path_dup_key (reason_path, (const char *) record->data,
                                                     record->stored_size);
}

static gboolean
collect (const SondeRecord *record,
         gpointer           user_data)
{
  Collector *collector = user_data;
  SondeReplayMessage message = { 0 };

  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_CLOSE)
    {
      read_close_event (collector, record);
      return TRUE;
    }

  if (record->direction != SONDE_DIRECTION_IN ||
      (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY))
    return TRUE;

  if (collector->first_in_us == G_MININT64)
    collector->first_in_us = record->wall_us;

  if (collector->from->set && record->wall_us < resolve (collector->from, collector->first_in_us))
    return TRUE;
  if (collector->to->set && record->wall_us > resolve (collector->to, collector->first_in_us))
    return TRUE;

  if (collector->source->messages->len == 0)
    collector->first_kept_us = record->wall_us;

  message.wall_us = record->wall_us;
  /* Recorded clocks can step back (a clock set by NTP): never a negative
   * wait. */
  message.offset_us = MAX (record->wall_us - collector->first_kept_us, 0);
  if (collector->source->messages->len > 0)
    {
      const SondeReplayMessage *last = &g_array_index (collector->source->messages, SondeReplayMessage,
                                                       collector->source->messages->len - 1);

      message.offset_us = MAX (message.offset_us, last->offset_us);
    }
  message.binary = record->kind == SONDE_MESSAGE_KIND_BINARY;
  message.payload = g_bytes_new (record->data, record->stored_size);
  g_array_append_val (collector->source->messages, message);
  return TRUE;
}

static void
finish (Collector *collector)
{
  SondeReplaySource *source = collector->source;

  if (collector->close_code > 0)
    {
      guint code = (guint) CLAMP (collector->close_code, 1000, 4999);
      const char *reason = collector->close_reason != NULL ? collector->close_reason : "";
      const char *end = reason;

      /* What a Close frame may carry: a code RFC 6455 allows on the wire
       * (1015, a failed TLS handshake, had no frame; another reserved code
       * becomes a frame without one), a reason of at most 123 bytes cut at
       * a character. */
      if (code == 1015)
        code = SONDE_CLOSE_ABNORMAL;
      else if (code != 1005 && code != SONDE_CLOSE_ABNORMAL && !sonde_close_code_is_valid_on_wire (code))
        code = 1005;
      while (*end != '\0' && end + g_utf8_skip[*(const guchar *) end] - reason <= SONDE_CLOSE_REASON_MAX)
        end = g_utf8_next_char (end);
      source->close_code = (guint16) code;
      g_free (source->close_reason);
      source->close_reason = g_utf8_make_valid (reason, end - reason);
    }
  g_clear_pointer (&collector->close_reason, g_free);
}

static gboolean
is_database (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);
  char head[sizeof SQLITE_MAGIC] = { 0 };
  gsize n = 0;

  if (stream == NULL)
    return FALSE;
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &n, NULL, error))
    return FALSE;
  return n == sizeof head && memcmp (head, SQLITE_MAGIC, sizeof head) == 0;
}

static SondeReplaySource *
load_database (const char            *uri,
               const char            *path,
               gint64                 session_id,
               const SondeReplayTime *from,
               const SondeReplayTime *to,
               GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SondeStore) store = sonde_store_open_uri (uri, SONDE_STORE_OPEN_READ_ONLY, &local_error);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(SondeReplaySource) source = NULL;
  SondeStoreSession *session = NULL;
  Collector collector = { 0 };

  if (store == NULL)
    {
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_NOT_RECORDING,
                   _("“%s” is not a recording Sonde can read: %s"), path, local_error->message);
      return NULL;
    }

  sessions = sonde_store_list_sessions (store, &local_error);
  if (sessions == NULL)
    {
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_NOT_RECORDING,
                   _("“%s” is not a recording Sonde can read: %s"), path, local_error->message);
      return NULL;
    }
  if (sessions->len == 0)
    {
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_EMPTY,
                   _("The recordings database “%s” holds no session"), path);
      return NULL;
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      SondeStoreSession *candidate = g_ptr_array_index (sessions, i);

      if (session_id == 0 ? (session == NULL || candidate->start_us >= session->start_us)
                          : candidate->id == session_id)
        session = candidate;
    }
  if (session == NULL)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);

      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_UNKNOWN_SESSION,
                   _("The recordings database “%s” has no session %s (`sonde-cli history list --db FILE` "
                     "lists them)"), path, id);
      return NULL;
    }

  source = source_new (SONDE_REPLAY_SOURCE_DATABASE);
  source->session_id = session->id;
  source->n_sessions = sessions->len;
  source->url = g_strdup (session->url);

  collector = (Collector) { source, from, to, G_MININT64, 0, 0, NULL };
  if (!sonde_store_read_records (store, session->id, 0, collect, &collector, &local_error))
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session->id);

      g_clear_pointer (&collector.close_reason, g_free);
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_NOT_RECORDING,
                   _("The session %s of “%s” cannot be read: %s"), id, path, local_error->message);
      return NULL;
    }
  /* The store's own end wins over the last close event. */
  if (session->close_code > 0)
    {
      collector.close_code = session->close_code;
      g_free (collector.close_reason);
      collector.close_reason = g_strdup (session->close_reason);
    }
  finish (&collector);
  return g_steal_pointer (&source);
}

static SondeReplaySource *
load_file (const char            *path,
           gint64                 session_id,
           const SondeReplayTime *from,
           const SondeReplayTime *to,
           GError               **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) sessions = sonde_store_import_read_sessions (file, NULL, &local_error);
  g_autoptr(SondeReplaySource) source = NULL;
  SondeImportedSession *session;
  Collector collector = { 0 };
  guint n;
  gboolean har;

  if (sessions == NULL)
    {
      if (local_error->domain == SONDE_IMPORT_ERROR)
        g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_NOT_RECORDING,
                     _("“%s” is not a recording (a recordings database, JSON Lines or HAR): %s"),
                     path, local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (session_id < 0 || (guint64) session_id > sessions->len)
    {
      g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_UNKNOWN_SESSION,
                   ngettext ("“%s” has %u session: --session goes from 1 to %u",
                             "“%s” has %u sessions: --session goes from 1 to %u", sessions->len),
                   path, sessions->len, sessions->len);
      return NULL;
    }

  session = g_ptr_array_index (sessions, session_id == 0 ? sessions->len - 1 : (guint) session_id - 1);
  n = sonde_imported_session_get_n_records (session);
  /* Sonde's JSON Lines keep events (connecting, open, close); a HAR file
   * has only messages. */
  har = TRUE;
  for (guint i = 0; i < n && har; i++)
    har = sonde_imported_session_get_record (session, i)->direction != SONDE_DIRECTION_EVENT;

  source = source_new (har ? SONDE_REPLAY_SOURCE_HAR : SONDE_REPLAY_SOURCE_JSONL);
  source->session_id = session_id == 0 ? sessions->len : session_id;
  source->n_sessions = sessions->len;
  source->url = g_strdup (sonde_imported_session_get_url (session));

  collector = (Collector) { source, from, to, G_MININT64, 0, 0, NULL };
  for (guint i = 0; i < n; i++)
    collect (sonde_imported_session_get_record (session, i), &collector);
  finish (&collector);
  return g_steal_pointer (&source);
}

gboolean
sonde_replay_time_parse (const char       *text,
                         SondeReplayTime  *time,
                         GError          **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;
  gint64 value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (time != NULL, FALSE);

  memset (time, 0, sizeof *time);

  if (text[0] == '+')
    {
      char *end = NULL;
      double seconds = g_ascii_strtod (text + 1, &end);

      if (end != text + 1 && *end == '\0' && seconds >= 0 && seconds < 1e9 && g_ascii_isdigit (text[1]))
        {
          *time = (SondeReplayTime) { TRUE, TRUE, (gint64) (seconds * G_USEC_PER_SEC) };
          return TRUE;
        }
    }
  else if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      *time = (SondeReplayTime) { TRUE, FALSE, value };
      return TRUE;
    }
  else if ((date = g_date_time_new_from_iso8601 (text, utc)) != NULL)
    {
      value = g_date_time_to_unix (date) * G_USEC_PER_SEC + g_date_time_get_microsecond (date);
      if (value > 0)
        {
          *time = (SondeReplayTime) { TRUE, FALSE, value };
          return TRUE;
        }
    }

  g_set_error (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_TIME,
               _("“%s” is not a time: give ISO 8601 (2026-11-25T18:46:55Z), µs since 1970, "
                 "or +SECONDS after the first received message (+2.5)"), text);
  return FALSE;
}

SondeReplaySource *
sonde_replay_source_load (const char             *path,
                          gint64                  session_id,
                          const SondeReplayTime  *from,
                          const SondeReplayTime  *to,
                          GError                **error)
{
  static const SondeReplayTime unset = { 0 };
  g_autoptr(SondeReplaySource) source = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (from == NULL)
    from = &unset;
  if (to == NULL)
    to = &unset;

  /* A shared history's database: named by its URI, shown masked. */
  if (sonde_store_uri_is_remote (path))
    {
      g_autofree char *masked = sonde_store_uri_mask (path);

      source = load_database (path, masked, session_id, from, to, error);
    }
  else if (is_database (path, &local_error))
    source = load_database (path, path, session_id, from, to, error);
  else if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  else
    source = load_file (path, session_id, from, to, error);

  if (source == NULL)
    return NULL;

  if (source->messages->len == 0 && (from->set || to->set))
    {
      g_set_error_literal (error, SONDE_SERVE_ERROR, SONDE_SERVE_ERROR_INVALID_TIME,
                           _("No received message lies between --from and --to"));
      return NULL;
    }
  return g_steal_pointer (&source);
}

SondeReplaySource *
sonde_replay_source_ref (SondeReplaySource *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_replay_source_unref (SondeReplaySource *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->messages);
  g_free (self->url);
  g_free (self->close_reason);
  g_free (self);
}

SondeReplaySourceKind
sonde_replay_source_get_kind (SondeReplaySource *self)
{
  return self->kind;
}

gint64
sonde_replay_source_get_session_id (SondeReplaySource *self)
{
  return self->session_id;
}

guint
sonde_replay_source_get_n_sessions (SondeReplaySource *self)
{
  return self->n_sessions;
}

const char *
sonde_replay_source_get_url (SondeReplaySource *self)
{
  return self->url;
}

guint
sonde_replay_source_get_n_messages (SondeReplaySource *self)
{
  return self->messages->len;
}

const SondeReplayMessage *
sonde_replay_source_get_message (SondeReplaySource *self,
                                 guint              index)
{
  g_return_val_if_fail (index < self->messages->len, NULL);

  return &g_array_index (self->messages, SondeReplayMessage, index);
}

gint64
sonde_replay_source_get_duration_us (SondeReplaySource *self)
{
  if (self->messages->len == 0)
    return 0;
  return g_array_index (self->messages, SondeReplayMessage, self->messages->len - 1).offset_us;
}

guint16
sonde_replay_source_get_close_code (SondeReplaySource *self)
{
  return self->close_code;
}

const char *
sonde_replay_source_get_close_reason (SondeReplaySource *self)
{
  return self->close_reason != NULL ? self->close_reason : "";
}
