/* sonde-session-record.c: a session's recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each connect of a session, through its reconnects until it ends, is one
 * recorded session. The log hands every record it gets, whole, to a sink
 * here; the connect's first record (CONNECTING) begins a recording, and the
 * session's going inactive (closed or failed, no retry to wait for) ends
 * it. Recording never waits on the disk: SondeRecorder copies each record
 * into a bounded queue for its writer thread, and ending one lets the
 * writer flush on its own ("recording" stays TRUE until it has).
 *
 * Nothing secret reaches the database: the URL is masked, event payloads
 * have been through the connection's redactor (or, when the user shows
 * secrets, through the one kept for recording), and any payload holding a
 * secret value Sonde was given has it masked.
 */
#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sonde-recordings.h"
#include "sonde-session-private.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"

static void end_recording (SondeSession *self);

static SondeRedactor *
recording_redactor (SondeSession *self)
{
  if (self->record_redactor != NULL)
    return self->record_redactor;
  return sonde_connection_get_redactor (self->connection);
}

/* The close event's "initiator": "local" or "peer". */
static void
note_close (SondeSession      *self,
            const SondeRecord *record)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *initiator;

  if (!json_parser_load_from_data (parser, (const char *) record->data, (gssize) record->stored_size, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  initiator = json_object_get_string_member_with_default (json_node_get_object (root), "initiator", NULL);
  if (g_strcmp0 (initiator, "local") == 0)
    self->closed_by = SONDE_STORE_ENDED_BY_CLIENT;
  else if (g_strcmp0 (initiator, "peer") == 0)
    self->closed_by = SONDE_STORE_ENDED_BY_SERVER;
}

static void
report_recording_problem (SondeSession *self,
                          const char   *path,
                          const GError *error)
{
  g_autofree char *text = g_strdup_printf (_("Not recording into “%s”: %s"), path, error->message);

  sonde_session_emit_recording_stopped (self, text);
}

static void
on_recorder_bytes (SondeSession *self)
{
  sonde_session_notify_recording (self, FALSE);
}

static void
on_recorder_stopped (SondeSession  *self,
                     const GError  *error,
                     SondeRecorder *recorder)
{
  g_autofree char *text = g_strdup_printf (_("Recording stopped: %s. Capture goes on; the messages from "
                                             "now on are not recorded."), error->message);

  sonde_session_emit_recording_stopped (self, text);
  sonde_session_notify_recording (self, TRUE);
  (void) recorder;
}

/* A recording that has ended stops short of writing everything (a
 * database server that never answered, ending the run): said all the
 * same. */
static void
on_ending_recorder_stopped (SondeSession  *self,
                            const GError  *error,
                            SondeRecorder *recorder)
{
  g_autofree char *text = g_strdup_printf (_("Recording stopped: %s."), error->message);

  sonde_session_emit_recording_stopped (self, text);
  (void) recorder;
}

/* A database server that cannot be reached: the recorder waits for it,
 * queueing what comes; said when it starts waiting and when it is over. */
static void
on_recorder_waiting (SondeSession  *self,
                     GParamSpec    *pspec,
                     SondeRecorder *recorder)
{
  const char *why = sonde_recorder_get_waiting (recorder);
  gboolean was_waiting = g_object_get_data (G_OBJECT (recorder), "sonde-session-waiting") != NULL;
  g_autofree char *text = NULL;

  /* Once each way: the reason may change while it waits (refused, then
   * timed out), and a recording that stopped is said by ::stopped. */
  if ((why != NULL) == was_waiting)
    return;
  g_object_set_data (G_OBJECT (recorder), "sonde-session-waiting", GINT_TO_POINTER (why != NULL));
  if (why == NULL && !sonde_recorder_get_recording (recorder))
    return;
  if (why != NULL)
    {
      guint queued = sonde_recorder_get_queued_records (recorder);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Recording waits for the database (%s); %u message is queued "
                                           "until it answers.",
                                           "Recording waits for the database (%s); %u messages are queued "
                                           "until it answers.",
                                           queued),
                              why, queued);
    }
  else
    text = g_strdup (_("Recording goes on: the database answered, and the queued messages are written."));
  sonde_session_emit_recording_stopped (self, text);
}

static void record_sink (const SondeRecord *record,
                         gpointer           user_data);

/* The log says so too (the skipped messages are still in it), from an
 * idle: the gap is found while the log appends. */
static gboolean
log_gap (gpointer user_data)
{
  SondeSession *self = user_data;
  SondeMessageLog *log = sonde_connection_get_log (self->connection);
  g_autofree char *payload =
    g_strdup_printf ("{\"cause\":\"recording skipped %" G_GUINT64_FORMAT " messages\","
                     "\"recording_skipped\":%" G_GUINT64_FORMAT "}", self->gap_skipped, self->gap_skipped);

  self->gap_idle = 0;
  self->gap_skipped = 0;
  /* Not recorded again: the recorder wrote its own gap record. */
  sonde_message_log_set_sink (log, NULL, NULL);
  sonde_message_log_append (log, SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_GAP,
                            g_get_real_time (), g_get_monotonic_time (), payload, strlen (payload));
  sonde_message_log_set_sink (log, record_sink, self);
  return G_SOURCE_REMOVE;
}

static void
on_recorder_gap (SondeSession  *self,
                 guint64        skipped)
{
  self->gap_skipped += skipped;
  if (self->gap_idle == 0)
    self->gap_idle = g_idle_add_full (G_PRIORITY_DEFAULT, log_gap, self, NULL);
}

static void
on_ending_recorder_done (SondeRecorder *recorder,
                         GParamSpec    *pspec,
                         SondeSession  *self)
{
  if (sonde_recorder_get_recording (recorder))
    return;
  g_signal_handlers_disconnect_by_data (recorder, self);
  g_ptr_array_remove (self->ending, recorder);
  sonde_session_notify_recording (self, TRUE);
}

/* The connection's URL as recorded: without its secrets. */
static char *
recorded_url (SondeSession *self)
{
  SondeRedactor *redactor = recording_redactor (self);
  const char *raw_url = sonde_connection_get_url (self->connection);
  char *url = redactor != NULL ? sonde_redactor_url (redactor, raw_url) : NULL;

  if (url == NULL)
    {
      g_autoptr(SondeRedactor) plain = sonde_redactor_new ();

      url = sonde_redactor_url (plain, raw_url != NULL ? raw_url : "");
    }
  return url != NULL ? url : g_strdup ("");
}

static void
start_recording (SondeSession *self,
                 gint64        start_us)
{
  g_autofree char *uri = sonde_session_dup_recording_path (self);
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SondeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const GError *notice = NULL;
  gboolean remote;

  if (uri == NULL)
    return;

  /* A database server (sonde-cli record --output postgresql://…) is
   * opened by the recorder's writer thread: this thread never waits on
   * the network, and a server down now is waited for. A local file is
   * opened here: that is quick, and its problems are said at once. */
  remote = sonde_store_uri_is_remote (uri);
  if (!remote)
    {
      path = sonde_store_uri_dup_path (uri);
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not create the folder: %s"), g_strerror (saved));
          report_recording_problem (self, path, error);
          return;
        }

      store = SONDE_STORE (sonde_store_sqlite_open (path, &error));
      if (store == NULL)
        {
          report_recording_problem (self, path, error);
          return;
        }
      notice = sonde_store_sqlite_get_notice (SONDE_STORE_SQLITE (store));
      if (sonde_store_is_read_only (store))
        {
          report_recording_problem (self, path, notice);
          return;
        }
    }
  if (notice != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Recording into “%s”: %s"), path, notice->message);

      sonde_session_emit_recording_stopped (self, text);
    }

  url = recorded_url (self);
  if (remote)
    self->recorder = sonde_recorder_new_for_uri (uri,
                                                 self->profile != NULL ? sonde_profile_get_id (self->profile) : NULL,
                                                 self->profile != NULL ? sonde_profile_get_name (self->profile) : NULL,
                                                 url, start_us);
  else
    self->recorder = sonde_recorder_new (SONDE_STORE (store),
                                         self->profile != NULL ? sonde_profile_get_id (self->profile) : NULL,
                                         self->profile != NULL ? sonde_profile_get_name (self->profile) : NULL,
                                         url, start_us, &error);
  if (self->recorder == NULL)
    {
      g_autofree char *masked = sonde_store_uri_mask (uri);

      report_recording_problem (self, masked, error);
      return;
    }
  self->closed_by = SONDE_STORE_ENDED_UNKNOWN;
  g_signal_connect_object (self->recorder, "notify::bytes-on-disk",
                           G_CALLBACK (on_recorder_bytes), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->recorder, "stopped",
                           G_CALLBACK (on_recorder_stopped), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->recorder, "gap",
                           G_CALLBACK (on_recorder_gap), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->recorder, "notify::waiting",
                           G_CALLBACK (on_recorder_waiting), self, G_CONNECT_SWAPPED);
  sonde_session_notify_recording (self, TRUE);
}

/* The log's sink: every record, whole, as the log gets it. */
static void
record_sink (const SondeRecord *record,
             gpointer           user_data)
{
  SondeSession *self = user_data;
  SondeRedactor *redactor;

  sonde_session_decode_record (self, record);
  sonde_session_app_record (self, record);
  if (self->recorder == NULL)
    {
      if (record->direction != SONDE_DIRECTION_EVENT || record->kind != SONDE_MESSAGE_KIND_CONNECTING)
        return;
      start_recording (self, record->wall_us);
      if (self->recorder == NULL)
        return;
    }

  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_CLOSE)
    note_close (self, record);

  redactor = recording_redactor (self);
  if (redactor != NULL && record->stored_size > 0 && sonde_redactor_has_secrets (redactor))
    {
      g_string_truncate (self->scratch, 0);
      if (sonde_redactor_append_secrets (redactor, self->scratch, (const char *) record->data,
                                         record->stored_size))
        {
          SondeRecord masked = *record;

          masked.data = (const guint8 *) self->scratch->str;
          masked.size = masked.stored_size = self->scratch->len;
          sonde_recorder_add (self->recorder, &masked);
          return;
        }
    }

  sonde_recorder_add (self->recorder, record);
}

static SondeStoreInitiator
ended_by (SondeSession *self)
{
  SondeConnectionState state = sonde_connection_get_state (self->connection);

  if (state == SONDE_CONNECTION_STATE_FAILED)
    return SONDE_STORE_ENDED_BY_ERROR;
  if (state == SONDE_CONNECTION_STATE_CLOSED)
    return self->closed_by;
  return SONDE_STORE_ENDED_BY_CLIENT;  /* the session went away */
}

static void
end_recording (SondeSession *self)
{
  SondeRecorder *recorder = g_steal_pointer (&self->recorder);
  SondeConnectionState state = sonde_connection_get_state (self->connection);
  gboolean closed = state == SONDE_CONNECTION_STATE_CLOSED || state == SONDE_CONNECTION_STATE_FAILED;

  if (recorder == NULL)
    return;

  g_signal_handlers_disconnect_by_data (recorder, self);
  sonde_recorder_end (recorder, g_get_real_time (),
                      closed ? (int) sonde_connection_get_close_code (self->connection) : 1001,
                      closed ? sonde_connection_get_close_reason (self->connection) : NULL,
                      ended_by (self));
  if (sonde_recorder_get_recording (recorder))
    {
      g_ptr_array_add (self->ending, g_object_ref (recorder));
      g_signal_connect_object (recorder, "notify::recording",
                               G_CALLBACK (on_ending_recorder_done), self, 0);
      g_signal_connect_object (recorder, "stopped",
                               G_CALLBACK (on_ending_recorder_stopped), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (recorder, "notify::waiting",
                               G_CALLBACK (on_recorder_waiting), self, G_CONNECT_SWAPPED);
    }
  g_object_unref (recorder);
  sonde_session_notify_recording (self, TRUE);
}

/* Called after the log's batch that changed the state: every record of
 * the connect is in. */
void
sonde_session_record_state_changed (SondeSession *self,
                                    gboolean      was_active)
{
  if (was_active && !sonde_session_is_active_state (self->state))
    end_recording (self);
}

/* Before the profile's "show secrets" takes the connection's redactor
 * away: what is recorded is masked all the same. */
void
sonde_session_record_keep_redactor (SondeSession  *self,
                                    SondeRedactor *redactor)
{
  g_clear_pointer (&self->record_redactor, sonde_redactor_unref);
  if (redactor != NULL)
    self->record_redactor = sonde_redactor_ref (redactor);
}

void
sonde_session_record_init (SondeSession *self)
{
  self->ending = g_ptr_array_new_with_free_func (g_object_unref);
  self->scratch = g_string_new (NULL);
  sonde_message_log_set_sink (sonde_connection_get_log (self->connection), record_sink, self);
}

void
sonde_session_record_dispose (SondeSession *self)
{
  if (self->connection != NULL)
    sonde_message_log_set_sink (sonde_connection_get_log (self->connection), NULL, NULL);
  end_recording (self);
  if (self->ending != NULL)
    {
      for (guint i = 0; i < self->ending->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->ending, i), self);
      g_clear_pointer (&self->ending, g_ptr_array_unref);
    }
  g_clear_pointer (&self->record_redactor, sonde_redactor_unref);
  if (self->scratch != NULL)
    g_string_free (g_steal_pointer (&self->scratch), TRUE);
  g_clear_pointer (&self->recordings_dir, g_free);
  g_clear_pointer (&self->recording_path, g_free);
  g_clear_handle_id (&self->gap_idle, g_source_remove);
}

void
sonde_session_set_recordings_dir (SondeSession *self,
                                  const char   *dir)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  g_free (self->recordings_dir);
  self->recordings_dir = g_strdup (dir);
}

void
sonde_session_set_record_adhoc (SondeSession *self,
                                gboolean      record)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  self->no_adhoc_record = !record;
}

void
sonde_session_set_recording_path (SondeSession *self,
                                  const char   *path)
{
  g_return_if_fail (SONDE_IS_SESSION (self));

  g_free (self->recording_path);
  self->recording_path = g_strdup (path);
}

char *
sonde_session_dup_recording_path (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  if (self->recording_path != NULL)
    return g_strdup (self->recording_path);
  if (self->recordings_dir == NULL || self->demo)
    return NULL;
  if (self->profile != NULL ? !sonde_profile_get_record (self->profile) : self->no_adhoc_record)
    return NULL;
  return sonde_recordings_path (self->recordings_dir,
                                self->profile != NULL ? sonde_profile_get_id (self->profile) : NULL);
}

gboolean
sonde_session_get_recording (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  return (self->recorder != NULL && sonde_recorder_get_recording (self->recorder))
         || (self->ending != NULL && self->ending->len > 0);
}

guint64
sonde_session_get_recording_size (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), 0);

  return self->recorder != NULL ? sonde_recorder_get_bytes_on_disk (self->recorder) : 0;
}

SondeRecorder *
sonde_session_get_recorder (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->recorder;
}
