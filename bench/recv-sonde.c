/* recv-sonde.c: Sonde's core pipeline as a receiver of the ingest benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SondeConnection (libsoup on its own I/O thread, batches handed to this
 * thread at most ~60 times a second) appending into its SondeMessageLog,
 * with retention raised so that every message is kept. The clock runs from
 * the first message (the time the I/O thread stamped on its record) to the
 * moment the last expected message is in the log on this thread; the
 * process then waits for state CLOSED and prints one JSON line with, besides
 * the common fields, what memory per stored message needs:
 *
 *   baseline_rss_kib  resident memory just before connecting
 *   n_records         records in the log (messages plus connection events)
 *   log_memory_bytes  sonde_message_log_get_memory_size(): the log's own account
 *   final_rss_kib     resident memory once the connection is closed, log still held
 *   trimmed_rss_kib   the same after malloc_trim(0) gave the allocator's free pages
 *                     back (glibc only): what the log and the process really keep
 *
 * --show-frames (first, before the common options) turns on
 * sonde_connection_set_show_frames(): one FRAME record per frame besides
 * each message (the log holds twice the records); the line then says
 * "show_frames":1. run.py's "Sonde + frames" receiver: what showing
 * frames costs, against the same receiver without it.
 *
 * --record PATH (likewise) receives through a SondeSession recording into
 * the SQLite database PATH (a new file), as the window does: run.py's
 * "Sonde + recording" receiver. The clock is the same (the log has every
 * message); then the process waits for the recording to be flushed and
 * reads the database back, adding:
 *
 *   record_flush_ms      from the last message in the log to the recording ended
 *   record_db_bytes      the database and its WAL on disk
 *   record_messages      text and binary records in the database
 *   record_payload_bytes their payload bytes
 *   record_gaps          gap records the recorder wrote (messages it skipped)
 *
 * --app-protocol MODE (likewise) receives through a SondeSession speaking
 * MODE (sonde_session_set_app_protocol(): "socket.io", "json-rpc"…, or
 * "none" for a session without a mode), so every message goes through the
 * mode's process() at ingest; the line then says "app_protocol":"MODE".
 * --read-views (likewise) reads, as records arrive (the log's
 * items-changed), each received message's view and label
 * (sonde_record_views_get(), sonde_record_views_get_label()), as a chart
 * and the filter do; the line then says how many views were DECODED,
 * FAILED and labelled. Both add the CPU time the process and this (the main)
 * thread took until the close: "cpu_ms", "main_cpu_ms". run.py's "socketio" and "jsonrpc" scenarios: a mode
 * against no mode on the same frames.
 *
 * --keep N (likewise) caps the log at N records, as a window's retention
 * does (older ones are evicted), and prints "rss <seconds> <KiB>" on stderr
 * every 10 s: bench/record-soak.py's long run, whose memory must stay flat.
 */

#define G_LOG_DOMAIN "recv-sonde"
#define _GNU_SOURCE   /* RUSAGE_THREAD */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gstdio.h>

#include "bench-util.h"
#include "sonde-app-protocol.h"
#include "sonde-connection.h"
#include "sonde-session.h"
#include "sonde-store-sqlite.h"

/* Connection events (connecting, handshake, open, closing, close…) are
 * records too: leave room for them. */
#define EVENT_HEADROOM 1024

typedef struct {
  GMainLoop       *loop;
  SondeConnection *connection;
  guint64          expected;
  gint64           last_us;
  gboolean         timed_out;
  gboolean         flushed;
  SondeRecordViews *views;     /* --read-views: read each received message's view */
  guint64          n_decoded;
  guint64          n_failed;
  guint64          n_labelled;
  guint64          label_bytes;
} Receiver;

typedef struct {
  guint64 messages;
  guint64 payload_bytes;
  guint64 gaps;
} Counted;

static gboolean
count_record (const SondeRecord *record,
              gpointer           data)
{
  Counted *counted = data;

  if (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY)
    {
      counted->messages++;
      counted->payload_bytes += record->stored_size;
    }
  else if (record->kind == SONDE_MESSAGE_KIND_GAP)
    counted->gaps++;
  return TRUE;
}

static gboolean
print_rss (gpointer data)
{
  static gint64 start;

  if (start == 0)
    start = g_get_monotonic_time ();
  g_printerr ("rss %.0f %" G_GUINT64_FORMAT "\n", (g_get_monotonic_time () - start) / 1e6 + 10,
              bench_current_rss_kib ());
  return G_SOURCE_CONTINUE;
}

static guint64
cpu_ms (int who)
{
  struct rusage usage;

  if (getrusage (who, &usage) != 0)
    return 0;
  return (guint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
         + (guint64) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

static guint64
file_bytes (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static void
on_recording (SondeSession *session,
              GParamSpec   *pspec,
              Receiver     *r)
{
  if (!sonde_session_get_recording (session) && !sonde_session_get_active (session))
    {
      r->flushed = TRUE;
      g_main_loop_quit (r->loop);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Receiver   *r)
{
  SondeStats stats;

  if (r->views != NULL)
    {
      SondeMessageLog *log = SONDE_MESSAGE_LOG (model);

      for (guint i = position; i < position + added; i++)
        {
          SondeRecord record;
          SondeRecord view;
          const char *label;

          if (!sonde_message_log_get_record (log, i, &record) || record.direction != SONDE_DIRECTION_IN ||
              (record.kind != SONDE_MESSAGE_KIND_TEXT && record.kind != SONDE_MESSAGE_KIND_BINARY))
            continue;
          switch (sonde_record_views_get (r->views, &record, &view, NULL))
            {
            case SONDE_RECORD_VIEW_DECODED:
              r->n_decoded++;
              break;
            case SONDE_RECORD_VIEW_FAILED:
              r->n_failed++;
              break;
            case SONDE_RECORD_VIEW_RAW:
            default:
              break;
            }
          label = sonde_record_views_get_label (r->views, &record, NULL);
          if (label != NULL)
            {
              r->n_labelled++;
              r->label_bytes += strlen (label);
            }
        }
    }

  if (r->last_us != 0)
    return;

  sonde_connection_get_stats (r->connection, &stats);
  if (stats.messages_in >= r->expected)
    r->last_us = g_get_monotonic_time ();
}

static void
on_state_changed (SondeConnection *connection,
                  GParamSpec      *pspec,
                  Receiver        *r)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  if (state == SONDE_CONNECTION_STATE_CLOSED || state == SONDE_CONNECTION_STATE_FAILED)
    g_main_loop_quit (r->loop);
}

static gboolean
on_timeout (gpointer data)
{
  Receiver *r = data;

  r->timed_out = TRUE;
  g_main_loop_quit (r->loop);
  return G_SOURCE_REMOVE;
}

/* When the I/O thread received the first message. */
static gint64
first_message_us (SondeMessageLog *log)
{
  guint n = sonde_message_log_get_n_records (log);

  for (guint i = 0; i < n; i++)
    {
      SondeRecord record;

      if (sonde_message_log_get_record (log, i, &record) && record.direction == SONDE_DIRECTION_IN)
        return record.mono_us;
    }

  return 0;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions options = { 0 };
  Receiver r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = NULL;
  SondeMessageLog *log;
  SondeStats stats;
  const char *problem = NULL;
  guint64 baseline_rss_kib;
  gboolean show_frames = FALSE;
  g_autofree char *record_path = NULL;
  guint keep = 0;
  g_autofree char *app_protocol = NULL;
  SondeAppProtocolKind app_kind = SONDE_APP_PROTOCOL_NONE;
  gboolean read_views = FALSE;
  g_autoptr(SondeSession) session = NULL;
  guint records_per_message;
  gint64 first_us;
  SondeConnectionState state;

  /* Our own flags, taken out before the common options are parsed. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--show-frames"))
        {
          show_frames = TRUE;
          memmove (&argv[i], &argv[i + 1], sizeof (char *) * (gsize) (argc - i));
          argc--;
          i--;
        }
      else if (g_str_equal (argv[i], "--keep") && i + 1 < argc)
        {
          keep = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);
          memmove (&argv[i], &argv[i + 2], sizeof (char *) * (gsize) (argc - i - 1));
          argc -= 2;
          i--;
        }
      else if (g_str_equal (argv[i], "--read-views"))
        {
          read_views = TRUE;
          memmove (&argv[i], &argv[i + 1], sizeof (char *) * (gsize) (argc - i));
          argc--;
          i--;
        }
      else if (g_str_equal (argv[i], "--app-protocol") && i + 1 < argc)
        {
          app_protocol = g_strdup (argv[i + 1]);
          memmove (&argv[i], &argv[i + 2], sizeof (char *) * (gsize) (argc - i - 1));
          argc -= 2;
          i--;
        }
      else if (g_str_equal (argv[i], "--record") && i + 1 < argc)
        {
          record_path = g_strdup (argv[i + 1]);
          memmove (&argv[i], &argv[i + 2], sizeof (char *) * (gsize) (argc - i - 1));
          argc -= 2;
          i--;
        }
    }

  if (!bench_options_parse (&options, "recv-sonde", &argc, &argv))
    return 2;
  if (app_protocol != NULL &&
      (!sonde_app_protocol_kind_from_string (app_protocol, &app_kind, &error) ||
       !sonde_app_protocol_kind_is_spoken (app_kind)))
    {
      g_printerr ("recv-sonde: --app-protocol: %s\n", error != NULL ? error->message : "not in this build");
      return 2;
    }
  records_per_message = show_frames ? 2 : 1;
  if (options.count > (G_MAXUINT - EVENT_HEADROOM) / records_per_message)
    {
      g_printerr ("recv-sonde: --count is larger than a log can hold\n");
      return 2;
    }

  r.loop = g_main_loop_new (NULL, FALSE);
  r.expected = options.count;
  if (record_path != NULL)
    {
      g_autofree char *wal = g_strconcat (record_path, "-wal", NULL);

      g_remove (record_path);
      g_remove (wal);
      session = sonde_session_new ();
      sonde_session_set_recording_path (session, record_path);
      r.connection = g_object_ref (sonde_session_get_connection (session));
    }
  else if (app_protocol != NULL)
    {
      session = sonde_session_new ();
      r.connection = g_object_ref (sonde_session_get_connection (session));
    }
  else
    r.connection = sonde_connection_new ();
  sonde_connection_set_url (r.connection, options.url);
  sonde_connection_set_max_message_size (r.connection, BENCH_MAX_PAYLOAD);

  log = sonde_connection_get_log (r.connection);
  if (session != NULL && app_kind != SONDE_APP_PROTOCOL_NONE)
    sonde_session_set_app_protocol (session, app_kind, NULL);
  if (read_views)
    r.views = sonde_message_log_get_views (log);
  sonde_message_log_set_max_count (log, (guint) options.count * records_per_message + EVENT_HEADROOM);
  sonde_connection_set_show_frames (r.connection, show_frames);
  sonde_message_log_set_max_bytes (log, G_MAXUINT64);
  if (keep > 0)
    {
      sonde_message_log_set_max_count (log, keep);
      g_timeout_add_seconds (10, print_rss, NULL);
    }

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &r);
  g_signal_connect (r.connection, "notify::state", G_CALLBACK (on_state_changed), &r);
  g_timeout_add_seconds ((guint) options.timeout, on_timeout, &r);

  baseline_rss_kib = bench_current_rss_kib ();
  if (session != NULL ? !sonde_session_connect_url (session, options.url, &error)
                      : !sonde_connection_connect (r.connection, &error))
    {
      g_printerr ("recv-sonde: %s\n", error->message);
      return 1;
    }
  g_main_loop_run (r.loop);

  sonde_connection_get_stats (r.connection, &stats);
  state = sonde_connection_get_state (r.connection);
  first_us = first_message_us (log);

  if (r.timed_out)
    problem = "timed out";
  else if (state == SONDE_CONNECTION_STATE_FAILED)
    problem = sonde_connection_get_error (r.connection) ?
              sonde_connection_get_error (r.connection)->message : "failed";
  else if (stats.messages_in != r.expected)
    problem = "message count differs from the expected one";
  else if (keep == 0 && sonde_message_log_get_n_evicted (log) != 0)
    problem = "the log evicted messages";
  else if (sonde_connection_get_close_code (r.connection) != 1000)
    problem = "the connection did not close with 1000";

  json = bench_json_begin ("sonde", stats.messages_in, stats.bytes_in, first_us, r.last_us);
  bench_json_add_uint (json, "close_code", sonde_connection_get_close_code (r.connection));
  if (show_frames)
    bench_json_add_uint (json, "show_frames", 1);
  if (app_protocol != NULL)
    g_string_append_printf (json, ",\"app_protocol\":\"%s\"", sonde_app_protocol_kind_to_string (app_kind));
  if (app_protocol != NULL || read_views)
    {
      bench_json_add_uint (json, "cpu_ms", cpu_ms (RUSAGE_SELF));
      bench_json_add_uint (json, "main_cpu_ms", cpu_ms (RUSAGE_THREAD));
    }
  if (read_views)
    {
      bench_json_add_uint (json, "views_decoded", r.n_decoded);
      bench_json_add_uint (json, "views_failed", r.n_failed);
      bench_json_add_uint (json, "views_labelled", r.n_labelled);
      bench_json_add_uint (json, "label_bytes", r.label_bytes);
    }
  bench_json_add_uint (json, "baseline_rss_kib", baseline_rss_kib);
  bench_json_add_uint (json, "n_records", sonde_message_log_get_n_records (log));
  bench_json_add_uint (json, "n_evicted", sonde_message_log_get_n_evicted (log));
  bench_json_add_uint (json, "log_n_bytes", sonde_message_log_get_n_bytes (log));
  bench_json_add_uint (json, "log_memory_bytes", sonde_message_log_get_memory_size (log));
  bench_json_add_uint (json, "final_rss_kib", bench_current_rss_kib ());
  if (record_path != NULL && problem == NULL)
    {
      g_autofree char *wal = g_strconcat (record_path, "-wal", NULL);
      g_autoptr(SondeStoreSqlite) store = NULL;
      g_autoptr(GPtrArray) sessions = NULL;
      Counted counted = { 0 };

      /* The recording flushes on its own thread: wait for it. */
      g_signal_connect (session, "notify::recording", G_CALLBACK (on_recording), &r);
      if (sonde_session_get_recording (session))
        g_main_loop_run (r.loop);
      bench_json_add_uint (json, "record_flush_ms", (guint64) ((g_get_monotonic_time () - r.last_us) / 1000));
      bench_json_add_uint (json, "record_db_bytes", file_bytes (record_path) + file_bytes (wal));
      store = sonde_store_sqlite_open_reader (record_path, &error);
      sessions = store != NULL ? sonde_store_list_sessions (SONDE_STORE (store), &error) : NULL;
      if (sessions == NULL || sessions->len != 1
          || !sonde_store_read_records (SONDE_STORE (store),
                                        ((SondeStoreSession *) g_ptr_array_index (sessions, 0))->id, 0,
                                        count_record, &counted, &error))
        problem = "the recording cannot be read back";
      bench_json_add_uint (json, "record_messages", counted.messages);
      bench_json_add_uint (json, "record_payload_bytes", counted.payload_bytes);
      bench_json_add_uint (json, "record_gaps", counted.gaps);
      if (problem == NULL && (counted.messages != r.expected || counted.gaps != 0))
        problem = "the recording lost messages";
    }
#ifdef __GLIBC__
  malloc_trim (0);
  bench_json_add_uint (json, "trimmed_rss_kib", bench_current_rss_kib ());
#endif
  bench_json_end (json, problem);

  g_clear_object (&r.connection);
  g_clear_object (&session);
  g_main_loop_unref (r.loop);
  bench_options_clear (&options);

  return problem == NULL ? 0 : 1;
}
