/* ui-flood.c: the Sonde window under a loopback flood
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark of the window issue: "a flood of 300,000 small messages a
 * second from a loopback server must leave the window responsive: frame-clock
 * gaps ≤ 50 ms median and ≤ 100 ms worst while it streams, input still
 * answered, memory bounded by the log's retention."
 *
 * It builds the real SondeWindow (a SondeApplication registered with
 * G_APPLICATION_NON_UNIQUE, as tests/test-window.c does) at 1200×760, starts
 * bench/flood-server paced at --rate (--rate 0: as fast as it can), opens a
 * tab on it with sonde_window_open_url() and lowers the log's retention
 * (--retention, default 1,000,000) so that eviction runs during the stream.
 * Variants: --filter TEXT (the log view's quick filter, set before the
 * stream), --paused (the view paused 1 s into the stream), --no-follow
 * (follow mode off), --chart PATH (PATH charted on the page with
 * sonde_connection_page_chart_field() before the stream, as "Chart a Field"
 * does: the charts panel shows, and its chart draws the series the feed
 * fills; its targets are then named chart-flood-…), --msgpack (the server sends
 * the same tick as MessagePack in binary frames, and the tab is a profile's
 * whose "decode" chain is msgpack: the log, the filter and the chart read
 * decoded views; targets named msgpack-flood-…, or msgpack-chart-flood-…
 * with --chart). While messages stream, from the
 * first batch the main thread takes to the last, it measures:
 *
 *   frames        a tick callback on the window keeps the frame clock running
 *                 and stamps each frame (g_get_monotonic_time() and the frame
 *                 clock's frame time); a gap counts when it overlaps the
 *                 stream. Handlers on the clock's layout, paint and
 *                 after-paint signals time the phases, and the main thread's
 *                 CPU clock tells how much of a gap it spent working.
 *   follow        at the end of each frame (after-paint), whether the log
 *                 view's vertical adjustment is at its end (value ≥ upper −
 *                 page size − 2, the view's own test) while following.
 *   input         (1) a source at G_PRIORITY_DEFAULT due every 100 ms on a
 *                 fixed cadence; its latency is dispatch time − due time: how
 *                 long an event arriving then waits for the main loop.
 *                 (2) with X11, a thread with its own X connection sends the
 *                 window a _NET_WM_PING every 100 ms, the window manager's "is
 *                 it responding" probe; GDK answers it from its X event
 *                 source, the one keyboard and pointer input come through;
 *                 its latency is the round trip. The input target is the
 *                 worse of the two maxima; an unanswered ping misses it.
 *   memory        RSS (/proc/self/statm) and the log's own account every
 *                 100 ms; the bound is the RSS growth after the log first
 *                 reached its retention (its first eviction).
 *   throughput    messages per second as the app counted them, what the
 *                 server says it wrote, the batches the main thread got.
 *   costs         how long each items-changed took through the models and
 *                 the view's synchronous handlers (an emission hook to an
 *                 after-handler), for new records, evictions and filter
 *                 slices.
 *
 * It prints a table, then one `target <name>: … MET|MISSED` line per goal.
 * Run it under Xvfb with the cairo renderer:
 *
 *   xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
 *     env GSK_RENDERER=cairo GDK_BACKEND=x11 _build/bench/ui-flood
 */

#define G_LOG_DOMAIN "ui-flood"

#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_X11
#include <X11/Xlib.h>
#include <gdk/x11/gdkx.h>
#endif

#include "bench-util.h"
#include "sonde-application.h"
#include "sonde-filter-model.h"
#include "sonde-window.h"

#define SAMPLE_INTERVAL_US  (100 * 1000)
#define PING_TIMEOUT_US     (5 * G_USEC_PER_SEC)
#define MAP_TIMEOUT_US      (15 * G_USEC_PER_SEC)
#define LONG_GAP_US         (50 * 1000)
#define PAUSE_AFTER_MS      1000
#define GOAL_GAP_MEDIAN_MS  50.0
#define GOAL_GAP_MAX_MS     100.0
#define GOAL_INPUT_MAX_MS   100.0
#define GOAL_RSS_GROWTH     10.0   /* percent */

typedef struct {
  gint64   tick_us;        /* monotonic, in the tick callback (update phase) */
  gint64   frame_time_us;  /* gdk_frame_clock_get_frame_time() */
  gint64   layout_end_us;
  gint64   paint_end_us;
  gint64   done_us;        /* after-paint */
  gint64   cpu_tick_us;    /* main thread CPU time at tick and at after-paint */
  gint64   cpu_done_us;
  guint    n_items;        /* rows in the view's model at after-paint */
  gboolean new_rows;       /* rows were added to it since the last frame */
  guint    n_pending;      /* records the model has not considered yet */
  gboolean following;
  gboolean at_end;
} Frame;

typedef struct {
  gint64 due_us;
  gint64 latency_us;
} Probe;

typedef struct {
  gint64 time_us;
  guint  added;
} Batch;

/* How long one items-changed took to go through the models and the view's
 * synchronous handlers (GTK's list item manager, the selection…). */
typedef struct {
  gint64 time_us;
  gint64 cost_us;
  guint  kind;
} Emission;

enum {
  EMISSION_APPEND,    /* the log announced new records */
  EMISSION_EVICT,     /* the log announced evicted records */
  EMISSION_SCAN,      /* a filter slice announced matches */
  N_EMISSION_KINDS
};

typedef struct {
  gint64  time_us;
  guint64 rss_kib;
  guint64 log_bytes;
  guint64 n_evicted;
  guint   n_records;
} MemorySample;

typedef struct {
  /* options */
  char                *server_path;
  gint64               rate;
  gint                 duration;
  gint64               count;
  gint                 size;
  gint                 retention;
  char                *filter;
  gboolean             regex;
  gboolean             paused;
  gboolean             no_follow;
  char                *chart_path;
  gboolean             msgpack;
  gint                 timeout;

  /* the server */
  GSubprocess         *server;
  GDataInputStream    *server_out;
  guint                port;

  /* the application (owned) and what it shows (borrowed) */
  SondeApplication    *app;
  SondeWindow         *window;
  SondeConnectionPage *page;
  SondeLogView        *view;
  SondeConnection     *connection;
  SondeMessageLog     *log;
  GtkAdjustment       *vadjustment;
  SondeChart          *chart;           /* with --chart */
  GdkFrameClock       *clock;
  GMainLoop           *loop;

  /* measurements */
  GArray              *frames;          /* Frame */
  GArray              *probes;          /* Probe: main loop latency */
  GArray              *pings;           /* Probe: X round trips (-1: lost), under ping_lock */
  GArray              *batches;         /* Batch: what the log announced */
  GArray              *emissions;       /* Emission */
  GArray              *memory;          /* MemorySample */
  GMutex               ping_lock;
  GThread             *ping_thread;
  gulong               window_xid;
  gint                 ping_stop;       /* atomic */
  char                *ping_problem;    /* under ping_lock */
  GSource             *probe_source;
  gint64               probe_due_us;
  guint                memory_id;
  guint                deadline_id;
  guint                closing_id;
  guint                pause_id;
  guint                tick_id;
  gulong               layout_handler;
  gulong               paint_handler;
  gulong               after_paint_handler;
  gulong               emission_hook;
  gint64               log_emission_us;
  gint64               model_emission_us;
  gboolean             rows_added;

  gint64               stream_start_us;
  gint64               stream_end_us;
  gint64               cpu_process_start_us;
  gint64               cpu_process_end_us;
  gint64               cpu_main_start_us;
  gint64               cpu_main_end_us;
  guint64              messages_at_start;
  guint64              messages_at_end;
  guint                chart_draws_at_start;
  guint                chart_draws_at_end;
  gboolean             timed_out;
  char                *problem;
} Bench;

/* Helpers */

/* One row of the table, in milliseconds; returns its summary. */
static BenchSummary
print_summary (const char *name,
               GArray     *values)
{
  BenchSummary s = bench_summarize (values, 1000.0);

  if (s.n == 0)
    printf ("  %-34s %7s  %8s %8s %8s %8s %8s\n", name, "0", "-", "-", "-", "-", "-");
  else
    printf ("  %-34s %7u  %8.1f %8.1f %8.1f %8.1f %8.1f\n",
            name, s.n, s.median, s.p95, s.p99, s.max, s.mean);
  return s;
}

static char *
format_count (guint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

static gboolean
streaming (Bench  *bench,
           gint64  time_us)
{
  return bench->stream_start_us != 0 && time_us >= bench->stream_start_us &&
         (bench->stream_end_us == 0 || time_us <= bench->stream_end_us);
}

static void
fail (Bench      *bench,
      const char *problem)
{
  if (bench->problem == NULL)
    bench->problem = g_strdup (problem);
  g_main_loop_quit (bench->loop);
}

/* The X ping: the window manager's "is it responding" probe */

#ifdef HAVE_X11
static gboolean
wait_for_pong (Bench   *bench,
               Display *display,
               Atom     protocols,
               Atom     ping,
               long     serial,
               gint64   deadline_us)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = ConnectionNumber (display), .events = POLLIN };
      gint64 left_us;

      while (XPending (display) > 0)
        {
          XEvent event;

          XNextEvent (display, &event);
          if (event.type == ClientMessage &&
              event.xclient.message_type == protocols &&
              (Atom) event.xclient.data.l[0] == ping &&
              event.xclient.data.l[1] == serial)
            return TRUE;
        }

      left_us = deadline_us - g_get_monotonic_time ();
      if (left_us <= 0 || g_atomic_int_get (&bench->ping_stop))
        return FALSE;
      /* Look at the stop flag at least every 10 ms. */
      if (poll (&pfd, 1, (int) MIN (10, (left_us + 999) / 1000)) < 0 && errno != EINTR)
        return FALSE;
    }
}

static gpointer
ping_thread (gpointer data)
{
  Bench *bench = data;
  Display *display = XOpenDisplay (NULL);
  Atom protocols;
  Atom ping;
  Window root;

  if (display == NULL)
    {
      g_mutex_lock (&bench->ping_lock);
      bench->ping_problem = g_strdup ("cannot open the X display");
      g_mutex_unlock (&bench->ping_lock);
      return NULL;
    }

  protocols = XInternAtom (display, "WM_PROTOCOLS", False);
  ping = XInternAtom (display, "_NET_WM_PING", False);
  root = DefaultRootWindow (display);
  /* GDK answers on the root window with SubstructureNotify|Redirect. */
  XSelectInput (display, root, SubstructureNotifyMask);

  for (long serial = 1; !g_atomic_int_get (&bench->ping_stop); serial++)
    {
      XEvent event = { 0 };
      gint64 sent_us = g_get_monotonic_time ();
      gint64 next_us = sent_us + SAMPLE_INTERVAL_US;
      gboolean answered;
      Probe probe;

      event.xclient.type = ClientMessage;
      event.xclient.window = bench->window_xid;
      event.xclient.message_type = protocols;
      event.xclient.format = 32;
      event.xclient.data.l[0] = (long) ping;
      event.xclient.data.l[1] = serial;   /* the timestamp field: echoed back */
      event.xclient.data.l[2] = (long) bench->window_xid;
      XSendEvent (display, bench->window_xid, False, NoEventMask, &event);
      XFlush (display);

      answered = wait_for_pong (bench, display, protocols, ping, serial, sent_us + PING_TIMEOUT_US);
      if (!answered && g_atomic_int_get (&bench->ping_stop))
        break;
      probe.due_us = sent_us;
      probe.latency_us = answered ? g_get_monotonic_time () - sent_us : -1;

      g_mutex_lock (&bench->ping_lock);
      g_array_append_val (bench->pings, probe);
      g_mutex_unlock (&bench->ping_lock);

      while (!g_atomic_int_get (&bench->ping_stop) && g_get_monotonic_time () < next_us)
        g_usleep (MIN (10000, (gulong) MAX (0, next_us - g_get_monotonic_time ())));
    }

  XCloseDisplay (display);
  return NULL;
}
#endif

static void
start_pinging (Bench *bench)
{
#ifdef HAVE_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (bench->window));

  if (!GDK_IS_X11_SURFACE (surface))
    {
      bench->ping_problem = g_strdup ("not on X11 (GDK_BACKEND=x11)");
      return;
    }

  bench->window_xid = gdk_x11_surface_get_xid (surface);
  bench->ping_thread = g_thread_new ("x-ping", ping_thread, bench);
#else
  bench->ping_problem = g_strdup ("built without X11");
#endif
}

static void
stop_pinging (Bench *bench)
{
  g_atomic_int_set (&bench->ping_stop, TRUE);
  if (bench->ping_thread != NULL)
    g_thread_join (g_steal_pointer (&bench->ping_thread));
}

/* Main loop latency: a source due on a fixed 100 ms cadence */

static gboolean
probe_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs probe_source_funcs = {
  NULL, NULL, probe_dispatch, NULL, NULL, NULL,
};

static gboolean
on_probe (gpointer data)
{
  Bench *bench = data;
  Probe probe = { bench->probe_due_us, g_get_monotonic_time () - bench->probe_due_us };

  g_array_append_val (bench->probes, probe);
  bench->probe_due_us += SAMPLE_INTERVAL_US;
  g_source_set_ready_time (bench->probe_source, bench->probe_due_us);
  return G_SOURCE_CONTINUE;
}

static void
start_probing (Bench *bench)
{
  bench->probe_source = g_source_new (&probe_source_funcs, sizeof (GSource));
  g_source_set_static_name (bench->probe_source, "[ui-flood] input probe");
  g_source_set_priority (bench->probe_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (bench->probe_source, on_probe, bench, NULL);
  bench->probe_due_us = g_get_monotonic_time () + SAMPLE_INTERVAL_US;
  g_source_set_ready_time (bench->probe_source, bench->probe_due_us);
  g_source_attach (bench->probe_source, NULL);
}

/* Memory */

static gboolean
on_memory_sample (gpointer data)
{
  Bench *bench = data;
  MemorySample sample;

  sample.time_us = g_get_monotonic_time ();
  sample.rss_kib = bench_current_rss_kib ();
  sample.log_bytes = sonde_message_log_get_memory_size (bench->log);
  sample.n_evicted = sonde_message_log_get_n_evicted (bench->log);
  sample.n_records = sonde_message_log_get_n_records (bench->log);
  g_array_append_val (bench->memory, sample);
  return G_SOURCE_CONTINUE;
}

/* Frames */

static Frame *
current_frame (Bench *bench)
{
  if (bench->frames->len == 0)
    return NULL;
  return &g_array_index (bench->frames, Frame, bench->frames->len - 1);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Bench *bench = data;
  Frame frame = { 0 };

  frame.tick_us = g_get_monotonic_time ();
  frame.frame_time_us = gdk_frame_clock_get_frame_time (clock);
  frame.cpu_tick_us = bench_cpu_time_us (CLOCK_THREAD_CPUTIME_ID);
  g_array_append_val (bench->frames, frame);

  if (bench->stream_end_us != 0 && bench->closing_id != 0)
    {
      g_clear_handle_id (&bench->closing_id, g_source_remove);
      g_main_loop_quit (bench->loop);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_layout (GdkFrameClock *clock,
           Bench         *bench)
{
  Frame *frame = current_frame (bench);

  if (frame != NULL)
    frame->layout_end_us = g_get_monotonic_time ();
}

static void
on_paint (GdkFrameClock *clock,
          Bench         *bench)
{
  Frame *frame = current_frame (bench);

  if (frame != NULL)
    frame->paint_end_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  Frame *frame = current_frame (bench);
  double value, end;

  if (frame == NULL || frame->done_us != 0)
    return;

  value = gtk_adjustment_get_value (bench->vadjustment);
  end = gtk_adjustment_get_upper (bench->vadjustment) - gtk_adjustment_get_page_size (bench->vadjustment);
  frame->done_us = g_get_monotonic_time ();
  frame->cpu_done_us = bench_cpu_time_us (CLOCK_THREAD_CPUTIME_ID);
  frame->n_items = g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (bench->view)));
  frame->following = sonde_log_view_get_following (bench->view);
  frame->at_end = value >= end - 2;
  frame->n_pending = sonde_filter_model_get_n_pending (sonde_log_view_get_model (bench->view));
  frame->new_rows = bench->rows_added;
  bench->rows_added = FALSE;
}

/* Costs of model changes */

static gboolean
on_items_changed_emission (GSignalInvocationHint *hint,
                           guint                  n_params,
                           const GValue          *params,
                           gpointer               data)
{
  Bench *bench = data;
  gpointer instance = g_value_get_object (&params[0]);

  if (instance == bench->log)
    bench->log_emission_us = g_get_monotonic_time ();
  else if (instance == sonde_log_view_get_model (bench->view) && bench->log_emission_us == 0)
    bench->model_emission_us = g_get_monotonic_time ();
  return TRUE;
}

static void
add_emission (Bench  *bench,
              gint64 *start_us,
              guint   kind)
{
  Emission emission;

  if (*start_us == 0)
    return;

  emission.time_us = g_get_monotonic_time ();
  emission.cost_us = emission.time_us - *start_us;
  emission.kind = kind;
  g_array_append_val (bench->emissions, emission);
  *start_us = 0;
}

static void
after_log_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Bench      *bench)
{
  add_emission (bench, &bench->log_emission_us, removed > 0 ? EMISSION_EVICT : EMISSION_APPEND);
}

static void
after_model_items_changed (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           Bench      *bench)
{
  if (added > 0)
    bench->rows_added = TRUE;
  add_emission (bench, &bench->model_emission_us, EMISSION_SCAN);
}

/* The stream */

static gboolean
on_no_last_frame (gpointer data)
{
  Bench *bench = data;
  Frame frame = { 0 };

  bench->closing_id = 0;
  frame.tick_us = g_get_monotonic_time ();
  frame.frame_time_us = frame.tick_us;
  frame.cpu_tick_us = bench_cpu_time_us (CLOCK_THREAD_CPUTIME_ID);
  g_array_append_val (bench->frames, frame);
  g_main_loop_quit (bench->loop);
  return G_SOURCE_REMOVE;
}

static void
end_stream (Bench *bench)
{
  SondeStats stats;

  if (bench->stream_end_us != 0)
    return;

  sonde_connection_get_stats (bench->connection, &stats);
  bench->stream_end_us = g_get_monotonic_time ();
  bench->cpu_process_end_us = bench_cpu_time_us (CLOCK_PROCESS_CPUTIME_ID);
  bench->cpu_main_end_us = bench_cpu_time_us (CLOCK_THREAD_CPUTIME_ID);
  bench->messages_at_end = stats.messages_in;
  if (bench->chart != NULL)
    bench->chart_draws_at_end = sonde_chart_get_n_draws (bench->chart);
  on_memory_sample (bench);

  /* Stop at the next frame, so that a frame gap that outlasts the stream
   * is measured too; if no frame comes, stop anyway and count the gap up
   * to then. */
  bench->closing_id = g_timeout_add_seconds (5, on_no_last_frame, bench);
}

/* As a user would: once rows are streaming by. */
static gboolean
on_pause (gpointer data)
{
  Bench *bench = data;

  bench->pause_id = 0;
  sonde_log_view_set_paused (bench->view, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_log_items_changed (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      Bench      *bench)
{
  SondeStats stats;

  if (added == 0 || bench->stream_end_us != 0)
    return;

  {
    Batch batch = { g_get_monotonic_time (), added };
    g_array_append_val (bench->batches, batch);
  }

  sonde_connection_get_stats (bench->connection, &stats);
  if (bench->stream_start_us == 0 && stats.messages_in > 0)
    {
      /* The first batch: measure from here on. */
      bench->stream_start_us = g_get_monotonic_time ();
      bench->cpu_process_start_us = bench_cpu_time_us (CLOCK_PROCESS_CPUTIME_ID);
      bench->cpu_main_start_us = bench_cpu_time_us (CLOCK_THREAD_CPUTIME_ID);
      bench->messages_at_start = stats.messages_in;
      if (bench->chart != NULL)
        bench->chart_draws_at_start = sonde_chart_get_n_draws (bench->chart);
      if (bench->paused)
        bench->pause_id = g_timeout_add (PAUSE_AFTER_MS, on_pause, bench);
    }

  if (stats.messages_in >= (guint64) bench->count)
    end_stream (bench);
}

static void
on_state_changed (SondeConnection *connection,
                  GParamSpec      *pspec,
                  Bench           *bench)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  if (state == SONDE_CONNECTION_STATE_FAILED)
    {
      const GError *error = sonde_connection_get_error (connection);

      fail (bench, error != NULL ? error->message : "the connection failed");
    }
  else if (state == SONDE_CONNECTION_STATE_CLOSED || state == SONDE_CONNECTION_STATE_CLOSING)
    {
      if (bench->stream_start_us == 0)
        fail (bench, "the connection closed before any message came");
      else
        end_stream (bench);
    }
}

static gboolean
on_deadline (gpointer data)
{
  Bench *bench = data;

  bench->deadline_id = 0;
  bench->timed_out = TRUE;
  if (bench->stream_start_us == 0)
    fail (bench, "no message came before the deadline");
  else
    end_stream (bench);
  return G_SOURCE_REMOVE;
}

/* Setup */

static gboolean
wait_until (gboolean (*condition) (gpointer),
            gpointer   data,
            gint64     timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (!condition (data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
start_server (Bench   *bench,
              GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, g_strdup (bench->server_path));
  g_ptr_array_add (argv, g_strdup_printf ("--count=%" G_GINT64_FORMAT, bench->count));
  g_ptr_array_add (argv, g_strdup_printf ("--size=%d", bench->size));
  g_ptr_array_add (argv, g_strdup_printf ("--rate=%" G_GINT64_FORMAT, bench->rate));
  g_ptr_array_add (argv, g_strdup_printf ("--lifetime=%d", bench->timeout + 60));
  if (bench->msgpack)
    g_ptr_array_add (argv, g_strdup ("--msgpack"));
  g_ptr_array_add (argv, NULL);

  /* stdin is a pipe from us: the server exits when we do. */
  bench->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                     error);
  if (bench->server == NULL)
    return FALSE;

  bench->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench->server));
  line = g_data_input_stream_read_line (bench->server_out, NULL, NULL, error);
  if (line == NULL || sscanf (line, "PORT %u", &bench->port) != 1)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "flood-server did not print its port");
      return FALSE;
    }

  return TRUE;
}

static void
on_server_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  gboolean *exited = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* The last line flood-server wrote on stderr, once it has exited. */
static char *
finish_server (Bench *bench)
{
  g_autoptr(GOutputStream) err = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autofree char *text = NULL;
  gboolean exited = FALSE;
  char *last;

  if (bench->server == NULL)
    return NULL;

  /* It exits after the close handshake; when its stdin closes it gives up
   * without a report. */
  g_subprocess_wait_async (bench->server, NULL, on_server_exited, &exited);
  if (!wait_until (is_true, &exited, 10 * G_USEC_PER_SEC))
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (bench->server), NULL, NULL);
      if (!wait_until (is_true, &exited, 5 * G_USEC_PER_SEC))
        {
          g_subprocess_force_exit (bench->server);
          wait_until (is_true, &exited, 5 * G_USEC_PER_SEC);
        }
    }
  /* It has exited: its stderr is at EOF once drained. */
  err = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (err, g_subprocess_get_stderr_pipe (bench->server),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL) < 0)
    return NULL;
  err_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (err));

  text = g_strstrip (g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes)));
  last = strrchr (text, '\n');
  return g_strdup (last != NULL ? last + 1 : text);
}

static void
make_home (char **home)
{
  static const char *variables[] = {
    "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
  };
  g_autoptr(GError) error = NULL;

  *home = g_dir_make_tmp ("sonde-ui-flood-XXXXXX", &error);
  if (*home == NULL)
    g_error ("cannot make a temporary home: %s", error->message);

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *path = g_build_filename (*home, variables[i], NULL);

      g_mkdir_with_parents (path, 0700);
      g_setenv (variables[i], path, TRUE);
    }
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }

  g_file_delete (file, NULL, NULL);
}

static char *
default_server_path (const char *argv0)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_path_get_dirname (self != NULL ? self : argv0);

  return g_build_filename (dir, "flood-server", NULL);
}

/* Report */

static void
print_report (Bench      *bench,
              const char *server_line)
{
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) frame_time_gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) layout = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) paint = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) busy_between = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) probes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) pings = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) batch_sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) batch_intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *emission_costs[N_EMISSION_KINDS];
  g_autofree char *n_sent = NULL;
  g_autofree char *n_received = NULL;
  g_autofree char *n_retention = NULL;
  g_autofree char *n_evicted = NULL;
  g_autofree char *n_rows = NULL;
  g_autofree char *rate = NULL;
  double seconds = (bench->stream_end_us - bench->stream_start_us) / (double) G_USEC_PER_SEC;
  guint64 received = bench->messages_at_end - bench->messages_at_start;
  guint n_frames = 0, n_follow_frames = 0, n_at_end = 0, n_row_frames = 0;
  guint n_lost = 0;
  guint n_long_gaps = 0;
  gint64 long_gap_wall_us = 0, long_gap_cpu_us = 0;
  g_autoptr(GString) long_gap_list = g_string_new (NULL);
  /* The view's first fill (its row widgets made, measured and painted
   * for the first time) lands in the first frames: past the first second
   * is the steady state. */
  gint64 steady_from_us = bench->stream_start_us + G_USEC_PER_SEC;
  gint64 steady_gap_max = 0, steady_input_max = 0;
  const MemorySample *first = NULL, *retention = NULL, *last = NULL;
  guint64 max_rss_after = 0, max_rss = 0;
  double growth = -1;
  BenchSummary gap_summary, probe_summary, ping_summary;
  double input_max;
  const char *input_source;
  /* With a chart, or decoding, the same goals under their own names. */
  g_autofree char *prefix = g_strconcat (bench->msgpack ? "msgpack-" : "",
                                         bench->chart_path != NULL ? "chart-flood-" :
                                         bench->msgpack ? "flood-" : "", NULL);
  SondeRecordViews *views = sonde_message_log_get_views (bench->log);
  SondeStats stats;

  sonde_connection_get_stats (bench->connection, &stats);

  for (guint i = 0; i < bench->frames->len; i++)
    {
      const Frame *frame = &g_array_index (bench->frames, Frame, i);
      const Frame *previous = i > 0 ? &g_array_index (bench->frames, Frame, i - 1) : NULL;

      /* A gap counts when it overlaps the stream, so a freeze that
       * outlasts the stream still shows. */
      if (previous != NULL && previous->tick_us < bench->stream_end_us &&
          frame->tick_us > bench->stream_start_us)
        {
          gint64 gap = frame->tick_us - previous->tick_us;
          gint64 frame_time_gap = frame->frame_time_us - previous->frame_time_us;

          g_array_append_val (gaps, gap);
          g_array_append_val (frame_time_gaps, frame_time_gap);
          if (previous->tick_us >= steady_from_us)
            steady_gap_max = MAX (steady_gap_max, gap);
          if (gap > LONG_GAP_US)
            {
              n_long_gaps++;
              long_gap_wall_us += gap;
              long_gap_cpu_us += frame->cpu_tick_us - previous->cpu_tick_us;
              /* When they happen tells warm-up from steady state. */
              if (n_long_gaps <= 8)
                g_string_append_printf (long_gap_list, "%s%.0f ms at %.1f s",
                                        long_gap_list->len ? ", " : "", gap / 1000.0,
                                        (previous->tick_us - bench->stream_start_us) / (double) G_USEC_PER_SEC);
            }
          if (previous->cpu_done_us != 0)
            {
              gint64 busy = frame->cpu_tick_us - previous->cpu_done_us;
              g_array_append_val (busy_between, busy);
            }
        }

      if (!streaming (bench, frame->tick_us))
        continue;

      n_frames++;
      if (frame->layout_end_us != 0)
        {
          gint64 d = frame->layout_end_us - frame->tick_us;
          g_array_append_val (layout, d);
        }
      if (frame->paint_end_us != 0 && frame->layout_end_us != 0)
        {
          gint64 d = frame->paint_end_us - frame->layout_end_us;
          g_array_append_val (paint, d);
        }
      if (frame->done_us != 0 && frame->following && frame->n_items > 0)
        {
          n_follow_frames++;
          if (frame->at_end)
            n_at_end++;
        }
      if (frame->done_us != 0)
        {
          gint64 n_rows_now = frame->n_items;
          gint64 n_pending_now = frame->n_pending;

          g_array_append_val (rows, n_rows_now);
          g_array_append_val (pending, n_pending_now);
        }
      if (frame->done_us != 0 && frame->new_rows)
        n_row_frames++;
    }

  for (guint i = 0; i < bench->probes->len; i++)
    {
      const Probe *probe = &g_array_index (bench->probes, Probe, i);

      if (streaming (bench, probe->due_us))
        g_array_append_val (probes, probe->latency_us);
      if (streaming (bench, probe->due_us) && probe->due_us >= steady_from_us)
        steady_input_max = MAX (steady_input_max, probe->latency_us);
    }

  g_mutex_lock (&bench->ping_lock);
  for (guint i = 0; i < bench->pings->len; i++)
    {
      const Probe *probe = &g_array_index (bench->pings, Probe, i);

      if (!streaming (bench, probe->due_us))
        continue;
      if (probe->latency_us < 0)
        n_lost++;
      else
        g_array_append_val (pings, probe->latency_us);
      if (probe->due_us >= steady_from_us)
        steady_input_max = MAX (steady_input_max, probe->latency_us);
    }
  g_mutex_unlock (&bench->ping_lock);

  for (guint k = 0; k < N_EMISSION_KINDS; k++)
    emission_costs[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < bench->emissions->len; i++)
    {
      const Emission *emission = &g_array_index (bench->emissions, Emission, i);

      if (streaming (bench, emission->time_us))
        g_array_append_val (emission_costs[emission->kind], emission->cost_us);
    }

  for (guint i = 0; i < bench->batches->len; i++)
    {
      const Batch *batch = &g_array_index (bench->batches, Batch, i);
      gint64 size = batch->added;

      if (!streaming (bench, batch->time_us))
        continue;
      g_array_append_val (batch_sizes, size);
      if (i > 0)
        {
          gint64 interval = batch->time_us - g_array_index (bench->batches, Batch, i - 1).time_us;
          g_array_append_val (batch_intervals, interval);
        }
    }

  for (guint i = 0; i < bench->memory->len; i++)
    {
      const MemorySample *sample = &g_array_index (bench->memory, MemorySample, i);

      max_rss = MAX (max_rss, sample->rss_kib);
      if (!streaming (bench, sample->time_us))
        continue;
      if (first == NULL)
        first = sample;
      last = sample;
      if (retention == NULL && sample->n_evicted > 0)
        retention = sample;
      else if (retention != NULL)
        max_rss_after = MAX (max_rss_after, sample->rss_kib);
    }
  if (retention != NULL && max_rss_after > 0)
    growth = 100.0 * ((double) max_rss_after - (double) retention->rss_kib) / (double) retention->rss_kib;

  n_sent = format_count ((guint64) bench->count);
  n_received = format_count (received);
  n_retention = format_count ((guint64) bench->retention);
  n_evicted = format_count (sonde_message_log_get_n_evicted (bench->log));
  n_rows = format_count (g_list_model_get_n_items (G_LIST_MODEL (sonde_log_view_get_model (bench->view))));
  rate = bench->rate > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT "/s", bench->rate) : g_strdup ("unpaced");

  printf ("ui-flood: %s %s messages of %d bytes, rate %s, retention %s, view %s%s%s%s%s%s%s%s\n",
          n_sent, bench->msgpack ? "MessagePack (decoded by the profile's chain)" : "JSON", bench->size, rate,
          n_retention,
          bench->paused ? "paused after 1 s" : "live",
          bench->filter != NULL ? ", filtered by " : "",
          bench->filter != NULL ? "\"" : "",
          bench->filter != NULL ? bench->filter : "",
          bench->filter != NULL ? "\"" : "",
          bench->no_follow ? ", not following" : ", following",
          bench->chart_path != NULL ? ", charting " : "",
          bench->chart_path != NULL ? bench->chart_path : "");
  printf ("\n");
  printf ("  %-34s %s\n", "server", server_line != NULL ? server_line : "(no report)");
  printf ("  %-34s %s in %.2f s = %.0f msg/s%s\n", "received by the app (stream window)",
          n_received, seconds, seconds > 0 ? received / seconds : 0.0,
          bench->timed_out ? " (timed out)" : "");
  printf ("  %-34s %s rows shown, %s evicted by the log\n", "at the end", n_rows, n_evicted);
  if (bench->chart != NULL)
    {
      SondeSeries *series = sonde_chart_get_series (bench->chart, 0);
      g_autofree char *n_points = format_count (sonde_series_get_n_points (series));
      guint draws = bench->chart_draws_at_end - bench->chart_draws_at_start;

      printf ("  %-34s %s: %u draws while streaming (%.1f a second), %s points in the series at the end, "
              "%u vertices in the last drawing\n", "chart", bench->chart_path, draws,
              seconds > 0 ? draws / seconds : 0.0, n_points, sonde_chart_get_n_vertices (bench->chart));
    }
  if (sonde_record_views_has_func (views))
    printf ("  %-34s %" G_GUINT64_FORMAT " made, %u kept in %" G_GSIZE_FORMAT " KiB at the end\n",
            "decoded views", sonde_record_views_get_n_made (views), sonde_record_views_get_n_kept (views),
            sonde_record_views_get_bytes (views) / 1024);
  if (seconds > 0)
    printf ("  %-34s main thread %.0f %%, other threads %.0f %% of a core\n", "CPU while streaming",
            100.0 * (bench->cpu_main_end_us - bench->cpu_main_start_us) / (seconds * G_USEC_PER_SEC),
            100.0 * ((bench->cpu_process_end_us - bench->cpu_process_start_us) -
                     (bench->cpu_main_end_us - bench->cpu_main_start_us)) / (seconds * G_USEC_PER_SEC));
  printf ("\n");

  printf ("  %-34s %7s  %8s %8s %8s %8s %8s\n", "while streaming (ms)", "n", "median", "p95", "p99", "max", "mean");
  gap_summary = print_summary ("frame gap (tick to tick)", gaps);
  print_summary ("frame gap (frame clock times)", frame_time_gaps);
  print_summary ("frame: update + layout", layout);
  print_summary ("frame: paint", paint);
  print_summary ("main thread CPU between frames", busy_between);
  print_summary ("interval between batches", batch_intervals);
  print_summary ("items-changed: new records", emission_costs[EMISSION_APPEND]);
  print_summary ("items-changed: evicted records", emission_costs[EMISSION_EVICT]);
  print_summary ("items-changed: filter slice", emission_costs[EMISSION_SCAN]);
  for (guint k = 0; k < N_EMISSION_KINDS; k++)
    g_array_unref (emission_costs[k]);
  probe_summary = print_summary ("input: main loop latency", probes);
  ping_summary = print_summary ("input: X ping round trip", pings);
  printf ("\n");

  {
    BenchSummary b = bench_summarize (batch_sizes, 1.0);

    printf ("  %-34s %u batches, median %.0f, max %.0f messages\n", "batches handed to the main thread",
            b.n, b.median, b.max);
  }
  if (n_long_gaps > 0)
    printf ("  %-34s %u, %.0f ms in all; the main thread was on a CPU for %.0f %% of it\n",
            "frame gaps over 50 ms", n_long_gaps, long_gap_wall_us / 1000.0,
            100.0 * long_gap_cpu_us / long_gap_wall_us);
  if (n_long_gaps > 0)
    printf ("  %-34s %s%s\n", "  the first of them", long_gap_list->str, n_long_gaps > 8 ? ", …" : "");
  printf ("  %-34s frame gap max %.1f ms, input max %.1f ms\n", "after the first second",
          steady_gap_max / 1000.0, steady_input_max / 1000.0);
  {
    BenchSummary r = bench_summarize (rows, 1.0);

    printf ("  %-34s median %.0f, min %.0f, max %.0f\n", "rows in the view at frame ends",
            r.median, r.n > 0 ? (double) g_array_index (rows, gint64, 0) : 0.0, r.max);
    r = bench_summarize (pending, 1.0);
    printf ("  %-34s median %.0f, max %.0f records\n", "not yet filtered or shown",
            r.median, r.max);
  }
  printf ("  %-34s %.1f fps (%u frames, %u with new rows)\n", "frames", seconds > 0 ? n_frames / seconds : 0.0,
          n_frames, n_row_frames);
  if (n_follow_frames > 0)
    printf ("  %-34s %u of %u frames at the end (%.1f %%)\n", "follow: last row in view",
            n_at_end, n_follow_frames, 100.0 * n_at_end / n_follow_frames);
  else
    printf ("  %-34s not following or no rows\n", "follow: last row in view");
  if (bench->ping_problem != NULL)
    printf ("  %-34s %s\n", "X ping", bench->ping_problem);
  else if (n_lost > 0)
    printf ("  %-34s %u unanswered within %d s\n", "X ping", n_lost, (int) (PING_TIMEOUT_US / G_USEC_PER_SEC));
  if (first != NULL && last != NULL)
    {
      printf ("  %-34s %" G_GUINT64_FORMAT " MiB at the start, %" G_GUINT64_FORMAT " MiB at the end, "
              "peak %" G_GUINT64_FORMAT " MiB\n", "RSS",
              first->rss_kib / 1024, last->rss_kib / 1024, MAX (max_rss, bench_peak_rss_kib ()) / 1024);
      printf ("  %-34s %" G_GUINT64_FORMAT " MiB holding %u records at the end\n", "log memory (its own account)",
              last->log_bytes / (1024 * 1024), last->n_records);
    }
  if (retention != NULL)
    printf ("  %-34s at %.1f s: RSS %" G_GUINT64_FORMAT " MiB (log %" G_GUINT64_FORMAT " MiB); "
            "after: max RSS %" G_GUINT64_FORMAT " MiB (%+.1f %%)\n", "retention reached",
            (retention->time_us - bench->stream_start_us) / (double) G_USEC_PER_SEC,
            retention->rss_kib / 1024, retention->log_bytes / (1024 * 1024), max_rss_after / 1024, growth);
  else
    printf ("  %-34s never during the stream\n", "retention reached");
  if (bench->problem != NULL)
    printf ("  %-34s %s\n", "problem", bench->problem);
  printf ("\n");

  printf ("target %sframe-gap-median: %.1f ms (goal ≤ %.0f ms) %s\n", prefix, gap_summary.median, GOAL_GAP_MEDIAN_MS,
          gap_summary.n > 0 && gap_summary.median <= GOAL_GAP_MEDIAN_MS ? "MET" : "MISSED");
  printf ("target %sframe-gap-max: %.1f ms (goal ≤ %.0f ms) %s\n", prefix, gap_summary.max, GOAL_GAP_MAX_MS,
          gap_summary.n > 0 && gap_summary.max <= GOAL_GAP_MAX_MS ? "MET" : "MISSED");

  /* Input latency: the worse of the main loop probe and the X ping; a ping
   * left unanswered counts as a miss. */
  input_max = MAX (probe_summary.max, ping_summary.max);
  input_source = ping_summary.max > probe_summary.max ? "X ping round trip" : "main loop latency";
  printf ("target %sinput-latency-max: %.1f ms, %s (goal ≤ %.0f ms) %s\n", prefix, input_max, input_source,
          GOAL_INPUT_MAX_MS,
          probe_summary.n > 0 && n_lost == 0 && input_max <= GOAL_INPUT_MAX_MS ? "MET" : "MISSED");
  if (growth >= 0)
    printf ("target %smemory-bounded: %+.1f %% RSS after retention was reached (goal ≤ +%.0f %%) %s\n",
            prefix, growth, GOAL_RSS_GROWTH, growth <= GOAL_RSS_GROWTH ? "MET" : "MISSED");
  else
    printf ("target %smemory-bounded: retention never reached (goal ≤ +%.0f %%) MISSED\n", prefix, GOAL_RSS_GROWTH);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &bench.server_path, "flood-server (default: next to this program)", "PATH" },
    { "rate", 'r', 0, G_OPTION_ARG_INT64, &bench.rate, "Messages per second the server is paced to; 0: as fast as it can (default 300000)", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &bench.duration, "Seconds of streaming at --rate (default 20)", "S" },
    { "count", 'n', 0, G_OPTION_ARG_INT64, &bench.count, "Messages to send (default: rate × duration, or 6000000 unpaced)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &bench.size, "Bytes of JSON per message (default 100)", "BYTES" },
    { "retention", 0, 0, G_OPTION_ARG_INT, &bench.retention, "The log's retention by count (default 1000000)", "N" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING, &bench.filter, "Filter the log view by this text while streaming", "TEXT" },
    { "regex", 0, 0, G_OPTION_ARG_NONE, &bench.regex, "The filter is a regular expression", NULL },
    { "paused", 'p', 0, G_OPTION_ARG_NONE, &bench.paused, "Pause the log view 1 s into the stream", NULL },
    { "no-follow", 0, 0, G_OPTION_ARG_NONE, &bench.no_follow, "Turn follow mode off (the view stays at the top)", NULL },
    { "chart", 'c', 0, G_OPTION_ARG_STRING, &bench.chart_path, "Chart this JSON path of the messages (e.g. $.seq) on the page", "PATH" },
    { "msgpack", 0, 0, G_OPTION_ARG_NONE, &bench.msgpack, "MessagePack in binary frames, read by a profile whose decode chain is msgpack", NULL },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &bench.timeout, "Give up after this many seconds (default: 3 × duration + 30)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the Sonde window under a loopback flood");
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *url = NULL;
  g_autofree char *server_line = NULL;
  int status = 0;

  bench.rate = 300000;
  bench.duration = 20;
  bench.size = 100;
  bench.retention = 1000000;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ui-flood: %s\n", error->message);
      return 2;
    }
  if (bench.rate < 0 || bench.duration <= 0 || bench.count < 0 || bench.retention <= 0 || bench.timeout < 0)
    {
      g_printerr ("ui-flood: need --rate ≥ 0, --duration > 0, --count ≥ 0, --retention > 0\n");
      return 2;
    }
  if (bench.count == 0)
    bench.count = bench.rate > 0 ? bench.rate * bench.duration : 6000000;
  if (bench.timeout == 0)
    bench.timeout = 3 * bench.duration + 30;
  if (bench.server_path == NULL)
    bench.server_path = default_server_path (argv[0]);
  if (!g_file_test (bench.server_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("ui-flood: no flood-server at %s (--server)\n", bench.server_path);
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("ui-flood: no display; run it under xvfb-run\n");
      return 77;
    }

  /* The environment of the UI tests (docs/DESIGN.md, "Facts measured on
   * Debian 12"), unless set. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_BACKEND", "x11", FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* A profile's connect looks its secret up: not in a keyring here. */
  g_setenv ("SONDE_SECRETS_BACKEND", "memory", TRUE);
  make_home (&home);

  gtk_init ();
  adw_init ();

  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  bench.probes = g_array_new (FALSE, FALSE, sizeof (Probe));
  bench.pings = g_array_new (FALSE, FALSE, sizeof (Probe));
  bench.batches = g_array_new (FALSE, FALSE, sizeof (Batch));
  bench.emissions = g_array_new (FALSE, FALSE, sizeof (Emission));
  bench.memory = g_array_new (FALSE, FALSE, sizeof (MemorySample));
  g_mutex_init (&bench.ping_lock);

  bench.app = sonde_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (bench.app), NULL, &error))
    {
      g_printerr ("ui-flood: cannot register the application: %s\n", error->message);
      return 1;
    }

  bench.window = sonde_window_new (SONDE_WINDOW_HOST (bench.app));
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 1200, 760);
  gtk_window_present (GTK_WINDOW (bench.window));
  if (!wait_until (is_mapped, bench.window, MAP_TIMEOUT_US))
    {
      g_printerr ("ui-flood: the window was never mapped\n");
      return 1;
    }

  if (!start_server (&bench, &error))
    {
      g_printerr ("ui-flood: cannot start %s: %s\n", bench.server_path, error->message);
      return 1;
    }

  url = g_strdup_printf ("ws://127.0.0.1:%u/", bench.port);
  if (bench.msgpack)
    {
      /* As a user would: a profile of the feed whose "decode" is
       * {"chain": "msgpack"}, applied at its connect. */
      g_autoptr(SondeProfile) profile = sonde_profile_new ();

      sonde_profile_set_name (profile, "flood (MessagePack)");
      sonde_profile_set_url (profile, url);
      sonde_profile_set_decode (profile, "msgpack", NULL, NULL);
      bench.page = sonde_window_connect_profile (bench.window, profile);
    }
  else if (sonde_window_open_url (bench.window, url))
    bench.page = sonde_window_get_current_page (bench.window);
  if (bench.page == NULL)
    {
      g_printerr ("ui-flood: the window refused %s\n", url);
      return 1;
    }

  /* The connection is still being set up: nothing has arrived yet. */
  bench.view = sonde_connection_page_get_log_view (bench.page);
  bench.connection = sonde_connection_page_get_connection (bench.page);
  bench.log = sonde_connection_get_log (bench.connection);
  sonde_message_log_set_max_count (bench.log, (guint) bench.retention);
  bench.vadjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (bench.view), SONDE_TYPE_LOG_VIEW, "scrolled")));
  if (bench.filter != NULL && !sonde_log_view_set_filter (bench.view, bench.filter, bench.regex))
    {
      g_printerr ("ui-flood: the filter \"%s\" is not valid\n", bench.filter);
      return 2;
    }
  if (bench.no_follow)
    sonde_log_view_set_following (bench.view, FALSE);
  if (bench.chart_path != NULL)
    {
      SondeChartsPanel *panel = sonde_connection_page_get_charts (bench.page);

      if (!sonde_connection_page_chart_field (bench.page, bench.chart_path, NULL, &error))
        {
          g_printerr ("ui-flood: cannot chart \"%s\": %s\n", bench.chart_path, error->message);
          return 2;
        }
      bench.chart = sonde_charts_panel_get_chart (panel, sonde_charts_panel_get_n_charts (panel) - 1);
    }

  g_signal_connect (bench.log, "items-changed", G_CALLBACK (on_log_items_changed), &bench);
  g_signal_connect_after (bench.log, "items-changed", G_CALLBACK (after_log_items_changed), &bench);
  g_signal_connect_after (sonde_log_view_get_model (bench.view), "items-changed",
                          G_CALLBACK (after_model_items_changed), &bench);
  bench.emission_hook = g_signal_add_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), 0,
                                                    on_items_changed_emission, &bench, NULL);
  g_signal_connect (bench.connection, "notify::state", G_CALLBACK (on_state_changed), &bench);

  bench.clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench.window));
  bench.tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (bench.window), on_tick, &bench, NULL);
  /* After the log view's own layout handler (follow mode), which is
   * connected after GTK's. */
  bench.layout_handler = g_signal_connect_after (bench.clock, "layout", G_CALLBACK (on_layout), &bench);
  bench.paint_handler = g_signal_connect (bench.clock, "paint", G_CALLBACK (on_paint), &bench);
  bench.after_paint_handler = g_signal_connect (bench.clock, "after-paint", G_CALLBACK (on_after_paint), &bench);
  start_probing (&bench);
  start_pinging (&bench);
  bench.memory_id = g_timeout_add (SAMPLE_INTERVAL_US / 1000, on_memory_sample, &bench);
  bench.deadline_id = g_timeout_add_seconds ((guint) bench.timeout, on_deadline, &bench);

  g_main_loop_run (bench.loop);

  stop_pinging (&bench);
  g_clear_handle_id (&bench.memory_id, g_source_remove);
  g_clear_handle_id (&bench.deadline_id, g_source_remove);
  g_clear_handle_id (&bench.closing_id, g_source_remove);
  g_clear_handle_id (&bench.pause_id, g_source_remove);
  if (bench.probe_source != NULL)
    {
      g_source_destroy (bench.probe_source);
      g_clear_pointer (&bench.probe_source, g_source_unref);
    }
  gtk_widget_remove_tick_callback (GTK_WIDGET (bench.window), bench.tick_id);
  g_clear_signal_handler (&bench.layout_handler, bench.clock);
  g_clear_signal_handler (&bench.paint_handler, bench.clock);
  g_clear_signal_handler (&bench.after_paint_handler, bench.clock);
  g_signal_remove_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), bench.emission_hook);
  g_signal_handlers_disconnect_by_data (bench.log, &bench);
  g_signal_handlers_disconnect_by_data (sonde_log_view_get_model (bench.view), &bench);
  g_signal_handlers_disconnect_by_data (bench.connection, &bench);

  if (bench.stream_start_us != 0 && bench.stream_end_us != 0)
    {
      /* Let the close handshake finish so the server reports. */
      if (sonde_connection_get_state (bench.connection) != SONDE_CONNECTION_STATE_CLOSED)
        sonde_connection_page_disconnect (bench.page);
      server_line = finish_server (&bench);
      print_report (&bench, server_line);
    }
  else
    {
      g_printerr ("ui-flood: %s\n", bench.problem != NULL ? bench.problem : "no stream");
      status = 1;
    }

  gtk_window_destroy (GTK_WINDOW (bench.window));
  g_clear_object (&bench.server_out);
  g_clear_object (&bench.server);
  g_clear_object (&bench.app);
  g_clear_pointer (&bench.loop, g_main_loop_unref);
  g_array_unref (bench.frames);
  g_array_unref (bench.probes);
  g_array_unref (bench.pings);
  g_array_unref (bench.batches);
  g_array_unref (bench.emissions);
  g_array_unref (bench.memory);
  g_mutex_clear (&bench.ping_lock);
  g_free (bench.server_path);
  g_free (bench.filter);
  g_free (bench.chart_path);
  g_free (bench.problem);
  g_free (bench.ping_problem);
  {
    g_autoptr(GFile) home_file = g_file_new_for_path (home);

    remove_tree (home_file);
  }
  return status;
}
