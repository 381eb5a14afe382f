/* test-session-record.c: a session records each connect into SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against a SoupServer (in its own thread) that sends text, binary with NUL
 * bytes and an empty message, echoes what it is sent, and closes with 1000
 * "bye" when told to: an ad-hoc session records every record, payloads
 * byte for byte, with how the session ended, into the ad-hoc database of
 * its folder; a profile's goes to the profile's database, with the secret
 * masked even when the window shows secrets; a profile whose switch is off
 * records nothing; a folder that cannot be made is a message, and capture
 * goes on; so is a disk that fills up while recording (a file-size limit).
 */

#include "config.h"

#include <libsoup/soup.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "sonde-recordings.h"
#include "sonde-session.h"
#include "sonde-store-sqlite.h"
#include "sonde-test-util.h"

#define WAIT_MS 20000
#define TOKEN "Rec0rd-t0ken-8d1f"

/* Messages in before this connect: the totals count every connect. */
static guint64 messages_before;

static const guint8 binary_payload[] = { 0x00, 0x01, 0x00, 0xff, 0x00 };

typedef struct {
  GMutex     lock;
  GPtrArray *connections; /* kept open */
} Seen;

typedef struct {
  Seen             seen;
  SondeTestServer *server;
  char            *url;
  char            *dir;
  GPtrArray       *problems;
} Fixture;

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 data)
{
  gsize size;
  const char *text = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT && size == 8 && memcmp (text, "close-me", 8) == 0)
    soup_websocket_connection_close (connection, 1000, "bye");
  else
    soup_websocket_connection_send_message (connection, type, message);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 data)
{
  Seen *seen = data;

  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->connections, g_object_ref (connection));
  g_mutex_unlock (&seen->lock);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), NULL);
  soup_websocket_connection_send_text (connection, "{\"sym\":\"ABC\",\"price\":101.5}");
  soup_websocket_connection_send_binary (connection, binary_payload, sizeof binary_payload);
  soup_websocket_connection_send_text (connection, "");
}

static void
setup_server (SoupServer *server,
              gpointer    data)
{
  soup_server_add_websocket_handler (server, "/feed", NULL, NULL, on_websocket, data, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_mutex_init (&fixture->seen.lock);
  fixture->seen.connections = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->server = sonde_test_server_new (setup_server, &fixture->seen);
  fixture->url = sonde_test_server_dup_url (fixture->server, "ws", "/feed");
  fixture->dir = g_dir_make_tmp ("sonde-session-record-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->problems = g_ptr_array_new_with_free_func (g_free);
  messages_before = 0;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->server, sonde_test_server_free);
  g_ptr_array_unref (fixture->seen.connections);
  g_mutex_clear (&fixture->seen.lock);
  sonde_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->url);
  g_ptr_array_unref (fixture->problems);
}

static void
on_recording_stopped (SondeSession *session,
                      const char   *text,
                      Fixture      *fixture)
{
  g_ptr_array_add (fixture->problems, g_strdup (text));
}

static gboolean
has_messages_in (gpointer data)
{
  return sonde_session_get_messages_in (data) >= messages_before + 3;
}

static gboolean
is_final_and_flushed (gpointer data)
{
  SondeSession *session = data;

  return !sonde_session_get_active (session) && !sonde_session_get_recording (session);
}

static gboolean
has_echo_of_token (gpointer data)
{
  return sonde_session_get_messages_in (data) >= messages_before + 4;
}

/* Connects, waits for the server's three messages, sends @extra (if any)
 * and waits for its echo, then has the server close; returns once the
 * recording is in the database. */
static void
run_session (SondeSession *session,
             const char   *extra)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_test_wait_for (has_messages_in, session, WAIT_MS));
  if (extra != NULL)
    {
      sonde_connection_send_text (sonde_session_get_connection (session), extra, -1, &error);
      g_assert_no_error (error);
      g_assert_true (sonde_test_wait_for (has_echo_of_token, session, WAIT_MS));
    }
  sonde_connection_send_text (sonde_session_get_connection (session), "close-me", -1, &error);
  g_assert_no_error (error);
  g_assert_true (sonde_test_wait_for (is_final_and_flushed, session, WAIT_MS));
  messages_before = sonde_session_get_messages_in (session);
}

typedef struct {
  GPtrArray *records;  /* GBytes of "direction kind payload" */
  GArray    *kinds;
} Collected;

static gboolean
collect (const SondeRecord *record,
         gpointer           data)
{
  Collected *collected = data;
  guint kind = record->kind;

  g_array_append_val (collected->kinds, kind);
  if (record->direction != SONDE_DIRECTION_EVENT)
    {
      GByteArray *bytes = g_byte_array_new ();
      guint8 head[2] = { (guint8) record->direction, (guint8) record->kind };

      g_assert_cmpuint (record->size, ==, record->stored_size);
      g_byte_array_append (bytes, head, 2);
      g_byte_array_append (bytes, record->data, (guint) record->stored_size);
      g_ptr_array_add (collected->records, g_byte_array_free_to_bytes (bytes));
    }
  return TRUE;
}

static void
assert_message (Collected    *collected,
                guint         index,
                SondeDirection direction,
                SondeMessageKind kind,
                const void   *data,
                gsize         size)
{
  GBytes *bytes;
  const guint8 *got;
  gsize got_size;

  g_assert_cmpuint (index, <, collected->records->len);
  bytes = g_ptr_array_index (collected->records, index);
  got = g_bytes_get_data (bytes, &got_size);
  g_assert_cmpuint (got_size, ==, size + 2);
  g_assert_cmpuint (got[0], ==, direction);
  g_assert_cmpuint (got[1], ==, kind);
  g_assert_cmpmem (got + 2, size, data, size);
}

static gboolean
has_kind (Collected        *collected,
          SondeMessageKind  kind)
{
  for (guint i = 0; i < collected->kinds->len; i++)
    if (g_array_index (collected->kinds, guint, i) == kind)
      return TRUE;
  return FALSE;
}

/* An ad-hoc session: everything, byte for byte, and how it ended. */
static void
test_adhoc (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sonde_recordings_path (fixture->dir, NULL);
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  SondeStoreSession *stored;
  Collected collected = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                          g_array_new (FALSE, FALSE, sizeof (guint)) };

  sonde_session_set_recordings_dir (session, fixture->dir);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_test_wait_for (has_messages_in, session, WAIT_MS));
  g_assert_true (sonde_session_get_recording (session));
  run_session (session, NULL);
  g_assert_cmpuint (fixture->problems->len, ==, 0);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  store = sonde_store_sqlite_open_reader (path, &error);
  g_assert_no_error (error);
  sessions = sonde_store_list_sessions (SONDE_STORE (store), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  stored = g_ptr_array_index (sessions, 0);
  g_assert_null (stored->profile_id);
  g_assert_cmpstr (stored->url, ==, fixture->url);
  g_assert_cmpint (stored->end_us, >=, stored->start_us);
  g_assert_cmpint (stored->close_code, ==, 1000);
  g_assert_cmpstr (stored->close_reason, ==, "bye");
  g_assert_cmpint (stored->initiator, ==, SONDE_STORE_ENDED_BY_SERVER);

  g_assert_true (sonde_store_read_records (SONDE_STORE (store), stored->id, 0, collect, &collected, &error));
  g_assert_no_error (error);
  g_assert_true (has_kind (&collected, SONDE_MESSAGE_KIND_CONNECTING));
  g_assert_true (has_kind (&collected, SONDE_MESSAGE_KIND_HANDSHAKE));
  g_assert_true (has_kind (&collected, SONDE_MESSAGE_KIND_OPEN));
  g_assert_true (has_kind (&collected, SONDE_MESSAGE_KIND_CLOSE));
  g_assert_cmpuint (collected.records->len, ==, 4);
  assert_message (&collected, 0, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT,
                  "{\"sym\":\"ABC\",\"price\":101.5}", strlen ("{\"sym\":\"ABC\",\"price\":101.5}"));
  assert_message (&collected, 1, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY,
                  binary_payload, sizeof binary_payload);
  assert_message (&collected, 2, SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, "", 0);
  assert_message (&collected, 3, SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, "close-me", 8);

  g_ptr_array_unref (collected.records);
  g_array_unref (collected.kinds);
}

/* Whether @needle is in the @length bytes at @haystack. */
static gboolean
bytes_contain (const guint8 *haystack,
               gsize         length,
               const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return bytes_contain ((const guint8 *) contents, length, needle);
}

/* A profile's session, showing secrets: its database never holds the
 * token, which the server echoes back in a message. */
static void
test_profile_masks_secret (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (fixture->url);
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *message = g_strdup_printf ("{\"auth\":\"" TOKEN "\"}");
  SondeRecord record;
  SondeMessageLog *log;
  gboolean seen_in_log = FALSE;

  sonde_profile_set_name (profile, "Masked feed");
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  session = sonde_session_new_for_profile (profile);
  sonde_session_set_secret (session, TOKEN);
  sonde_session_set_show_secrets (session, TRUE);
  sonde_session_set_recordings_dir (session, fixture->dir);
  sonde_session_connect_async (session, NULL, NULL, NULL);
  run_session (session, message);

  /* The live log shows it (the user asked to see secrets). */
  log = sonde_session_get_log (session);
  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_IN
        && bytes_contain (record.data, record.stored_size, TOKEN))
      seen_in_log = TRUE;
  g_assert_true (seen_in_log);

  path = sonde_recordings_path (fixture->dir, sonde_profile_get_id (profile));
  wal = g_strconcat (path, "-wal", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (file_contains (path, TOKEN));
  g_assert_false (file_contains (wal, TOKEN));
  g_assert_true (file_contains (path, "[redacted]") || file_contains (wal, "[redacted]"));
  g_assert_true (file_contains (path, "Masked feed") || file_contains (wal, "Masked feed"));
}

/* The profile's switch is off: nothing recorded, no file. */
static void
test_profile_switch_off (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url (fixture->url);
  g_autoptr(SondeSession) session = NULL;
  g_autofree char *path = NULL;

  sonde_profile_set_record (profile, FALSE);
  session = sonde_session_new_for_profile (profile);
  sonde_session_set_recordings_dir (session, fixture->dir);
  g_assert_null (sonde_session_dup_recording_path (session));
  sonde_session_connect_async (session, NULL, NULL, NULL);
  g_assert_true (sonde_test_wait_for (has_messages_in, session, WAIT_MS));
  g_assert_false (sonde_session_get_recording (session));
  run_session (session, NULL);

  path = sonde_recordings_path (fixture->dir, sonde_profile_get_id (profile));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* A folder that cannot be made: a message naming the file, and capture
 * goes on. */
static void
test_unwritable_folder (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *blocker = g_build_filename (fixture->dir, "not-a-folder", NULL);
  g_autofree char *path = g_build_filename (blocker, "rec.sqlite", NULL);

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  sonde_session_set_recording_path (session, path);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  run_session (session, NULL);

  g_assert_cmpuint (fixture->problems->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->problems, 0), path));
  g_assert_cmpuint (sonde_session_get_messages_in (session), >=, 3);
}

static gboolean
has_problem (gpointer data)
{
  Fixture *fixture = data;

  return fixture->problems->len > 0;
}

static guint64
path_bytes (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;
  guint64 total = 0;

  if (g_stat (path, &st) == 0)
    total = MAX (total, (guint64) st.st_size);
  if (g_stat (wal, &st) == 0)
    total = MAX (total, (guint64) st.st_size);
  return total;
}

/* The disk fills up while recording (a file-size limit, as a full disk or
 * a quota): the recording stops with a message, the session goes on
 * receiving, and the page would say it is no longer recording. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "full.sqlite", NULL);
  g_autofree char *payload = g_strnfill (4000, 'x');
  struct rlimit saved, limit;
  void (*old_handler) (int);
  guint64 received;

  sonde_session_set_recording_path (session, path);
  g_signal_connect (session, "recording-stopped", G_CALLBACK (on_recording_stopped), fixture);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  g_assert_true (sonde_test_wait_for (has_messages_in, session, WAIT_MS));
  g_assert_true (sonde_session_get_recording (session));

  /* No room past what the files hold now. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  old_handler = signal (SIGXFSZ, SIG_IGN);
  limit = saved;
  limit.rlim_cur = (rlim_t) path_bytes (path) + 1;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  for (guint i = 0; i < 200 && fixture->problems->len == 0; i++)
    {
      sonde_connection_send_text (sonde_session_get_connection (session), payload, -1, &error);
      g_assert_no_error (error);
      sonde_test_wait_for (has_problem, fixture, 50);
    }
  g_assert_true (sonde_test_wait_for (has_problem, fixture, WAIT_MS));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, old_handler);

  g_test_message ("%s", (const char *) g_ptr_array_index (fixture->problems, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->problems, 0), "Recording stopped"));
  g_assert_false (sonde_session_get_recording (session));

  /* Capture goes on. */
  received = sonde_session_get_messages_in (session);
  sonde_connection_send_text (sonde_session_get_connection (session), "after", -1, &error);
  g_assert_no_error (error);
  messages_before = received - 3;
  g_assert_true (sonde_test_wait_for (has_echo_of_token, session, WAIT_MS));
  g_assert_cmpuint (sonde_session_get_messages_in (session), >, received);
  sonde_session_disconnect (session);
  g_assert_true (sonde_test_wait_for (is_final_and_flushed, session, WAIT_MS));
}

/* Two connects of one session: two recorded sessions in one database. */
static void
test_two_connects (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "given.sqlite", NULL);
  g_autoptr(SondeStoreSqlite) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  sonde_session_set_recording_path (session, path);
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
      g_assert_no_error (error);
      run_session (session, NULL);
    }

  store = sonde_store_sqlite_open_reader (path, &error);
  g_assert_no_error (error);
  sessions = sonde_store_list_sessions (SONDE_STORE (store), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      SondeStoreSession *stored = g_ptr_array_index (sessions, i);

      g_assert_cmpint (stored->close_code, ==, 1000);
      g_assert_cmpuint (stored->messages, >=, 4);
    }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/session-record/adhoc", Fixture, NULL, fixture_setup, test_adhoc, fixture_teardown);
  g_test_add ("/session-record/profile-masks-secret", Fixture, NULL, fixture_setup, test_profile_masks_secret,
              fixture_teardown);
  g_test_add ("/session-record/profile-switch-off", Fixture, NULL, fixture_setup, test_profile_switch_off,
              fixture_teardown);
  g_test_add ("/session-record/unwritable-folder", Fixture, NULL, fixture_setup, test_unwritable_folder,
              fixture_teardown);
  g_test_add ("/session-record/two-connects", Fixture, NULL, fixture_setup, test_two_connects, fixture_teardown);
  g_test_add ("/session-record/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);

  return g_test_run ();
}
