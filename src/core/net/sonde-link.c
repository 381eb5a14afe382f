/* sonde-link.c: the I/O-thread half of a SondeConnection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A link is one connection attempt. It runs libsoup on a thread of its own
 * with its own GMainContext: a flood of messages then cannot starve the main
 * loop (measured: up to 2 s of starvation on the main context, ~0.1 s from a
 * worker thread). Everything that happens, messages and events alike, is
 * appended in order to a pending batch under a lock; the main context is
 * woken once per batch, and at most about 30 times a second, by arming a
 * source's ready time. Sends and closes travel the other way, posted to the
 * I/O context. The SoupSession and the SoupWebsocketConnection never leave
 * the I/O thread.
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>
#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "sonde-backoff.h"
#include "sonde-certificate.h"
#include "sonde-close-code.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link-private.h"

/* Payloads at least this large are handed over by reference to libsoup's
 * own buffer instead of being copied into the batch: one copy (into the log)
 * instead of two. */
#define REF_PAYLOAD_MIN      ((gsize) 8 * 1024)

/* At most ~30 hand-offs to the main thread a second: each costs the views a
 * layout of new rows (measured under a 300k msg/s flood with the window,
 * bench/ui-flood: 60 a second kept the main thread over 80 % busy). */
#define MIN_TAKE_INTERVAL_US (G_USEC_PER_SEC / 30)
#define SKEW_RESAMPLE_US     (G_USEC_PER_SEC / 10)

/* How much nicer than their creator the I/O threads started from now on
 * run: sonde_link_set_io_niceness(). Atomic; read by sonde_link_start(),
 * so that a change made right after a connect does not race the thread. */
static gint io_niceness;


static gboolean
wake_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wake_source_funcs = {
  NULL, NULL, wake_source_dispatch, NULL, NULL, NULL,
};

static GSource *
wake_source_new (GMainContext   *context,
                 const char     *name,
                 int             priority,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  notify)
{
  GSource *source = g_source_new (&wake_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
  return source;
}

void
sonde_link_destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

void
sonde_link_event_free (SondeLinkEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->close_reason);
  g_clear_error (&event->error);
  g_clear_pointer (&event->handshake, sonde_handshake_unref);
  g_free (event->protocol);
  g_free (event->certificate_sha256);
  g_free (event->certificate_description);
  g_free (event);
}

SondeLinkEvent *
sonde_link_event_new (int state)
{
  SondeLinkEvent *event = g_new0 (SondeLinkEvent, 1);

  event->state = state;
  return event;
}

static void
outgoing_free (gpointer data)
{
  Outgoing *out = data;

  g_bytes_unref (out->payload);
  g_free (out);
}

void
sonde_link_batch_init (SondeLinkBatch *batch)
{
  batch->items = g_array_new (FALSE, FALSE, sizeof (SondeLinkItem));
  batch->bytes = g_byte_array_new ();
}

/* Empties a batch for reuse, keeping its buffers unless they grew huge. */
void
sonde_link_batch_reset (SondeLinkBatch *batch)
{
  for (guint i = 0; i < batch->items->len; i++)
    {
      SondeLinkItem *item = &g_array_index (batch->items, SondeLinkItem, i);

      sonde_link_event_free (item->event);
      g_clear_pointer (&item->payload, g_bytes_unref);
      g_clear_pointer (&item->frames, g_free);
    }

  if (batch->bytes->len > 16 * 1024 * 1024)
    {
      g_byte_array_unref (batch->bytes);
      batch->bytes = g_byte_array_new ();
    }
  else
    g_byte_array_set_size (batch->bytes, 0);

  if (batch->items->len > 64 * 1024)
    {
      g_array_unref (batch->items);
      batch->items = g_array_new (FALSE, FALSE, sizeof (SondeLinkItem));
    }
  else
    g_array_set_size (batch->items, 0);
}

void
sonde_link_batch_clear (SondeLinkBatch *batch)
{
  if (batch->items == NULL)
    return;

  sonde_link_batch_reset (batch);
  g_clear_pointer (&batch->items, g_array_unref);
  g_clear_pointer (&batch->bytes, g_byte_array_unref);
}

/* Wall-clock time from the monotonic clock and an offset read again every
 * SKEW_RESAMPLE_US: one clock read per message instead of two (a flood
 * spends a few per cent of the I/O thread on clock reads otherwise). A step
 * of the wall clock shows within that interval. */
static gint64
wall_time (SondeLink *link,
           gint64     mono_us)
{
  if (mono_us - link->skew_sampled_us >= SKEW_RESAMPLE_US || link->skew_sampled_us == 0)
    {
      link->skew_us = g_get_real_time () - g_get_monotonic_time ();
      link->skew_sampled_us = mono_us;
    }
  return mono_us + link->skew_us;
}

/* I/O thread: appends one item to the pending batch and, when the batch was
 * empty, arranges exactly one wake-up of the main context, no sooner than
 * MIN_TAKE_INTERVAL_US after the last hand-off. The wake-up is armed on the
 * main context's source itself: libsoup's read loop does not return to this
 * thread's main loop while a flood keeps the socket readable, so a timer
 * here would never fire until the flood ends. */
void
sonde_link_push_item (SondeLink        *link,
                      SondeDirection    direction,
                      SondeMessageKind  kind,
                      SondeRecordFlags  flags,
                      const void       *data,
                      gsize             length,
                      GBytes           *payload,
                      SondeLinkEvent   *event)
{
  sonde_link_push_framed (link, direction, kind, flags, data, length, payload, event, NULL, 0);
}

/* The same, for a message that takes its frames' headers along (@frames is
 * taken). */
void
sonde_link_push_framed (SondeLink        *link,
                        SondeDirection    direction,
                        SondeMessageKind  kind,
                        SondeRecordFlags  flags,
                        const void       *data,
                        gsize             length,
                        GBytes           *payload,
                        SondeLinkEvent   *event,
                        SondeFrameInfo   *frames,
                        guint             n_frames)
{
  SondeLinkItem item;
  gboolean arm = FALSE;
  gint64 last_take = 0;

  item.mono_us = g_get_monotonic_time ();
  item.wall_us = wall_time (link, item.mono_us);
  item.length = length;
  item.direction = direction;
  item.kind = kind;
  item.flags = flags;
  item.event = event;
  item.frames = frames;
  item.n_frames = n_frames;
  item.payload = payload != NULL && length >= REF_PAYLOAD_MIN ? g_bytes_ref (payload) : NULL;

  g_mutex_lock (&link->lock);

  if (link->detached)
    {
      g_mutex_unlock (&link->lock);
      sonde_link_event_free (event);
      g_clear_pointer (&item.payload, g_bytes_unref);
      g_free (frames);
      return;
    }

  /* The frame counts travel with the batch. Only the I/O thread writes
   * them; the one push from another thread (a send after the link has
   * finished) comes after its last write. */
  link->counts = link->io_counts;

  item.offset = link->pending.bytes->len;
  if (length > 0 && item.payload == NULL)
    g_byte_array_append (link->pending.bytes, data, (guint) length);
  g_array_append_val (link->pending.items, item);

  if (!link->wake_armed)
    {
      link->wake_armed = TRUE;
      last_take = link->last_take_us;
      arm = TRUE;
    }

  g_mutex_unlock (&link->lock);

  if (arm)
    {
      gint64 target = last_take + MIN_TAKE_INTERVAL_US;

      g_source_set_ready_time (link->ready_source, target <= item.mono_us ? 0 : target);
    }
}

void
sonde_link_push_event (SondeLink        *link,
                       SondeMessageKind  kind,
                       GString          *payload,
                       SondeLinkEvent   *event)
{
  sonde_link_push_item (link, SONDE_DIRECTION_EVENT, kind, SONDE_RECORD_FLAG_NONE, payload->str, payload->len, NULL, event);
}

/* Text leaving the link (into the log, to sonde-cli) goes through the
 * redactor: a URL with an API key in an error message, say. */
char *
sonde_link_redact (SondeLink  *link,
                   const char *text)
{
  if (text == NULL)
    return NULL;
  if (link->redactor == NULL)
    return g_strdup (text);
  return sonde_redactor_text (link->redactor, text);
}

/* The error as it leaves the link, for sonde_connection_get_error(): its
 * message through the redactor, as in the event's payload (a redirect's
 * Location can carry a token). Takes @error. */
GError *
sonde_link_redact_error (SondeLink *link,
                         GError    *error)
{
  g_autofree char *message = sonde_link_redact (link, error->message);
  GError *redacted;

  if (g_strcmp0 (message, error->message) == 0)
    return error;

  redacted = g_error_new_literal (error->domain, error->code, message);
  g_error_free (error);
  return redacted;
}

GString *
sonde_link_error_payload (SondeLink    *link,
                          const GError *error)
{
  GString *out = g_string_new ("{");
  g_autofree char *message = sonde_link_redact (link, error->message);
  gboolean first = TRUE;

  sonde_json_append_string_member (out, &first, "error", message);
  sonde_json_append_string_member (out, &first, "error_domain", g_quark_to_string (error->domain));
  sonde_json_append_int_member (out, &first, "error_code", error->code);
  g_string_append_c (out, '}');
  return out;
}

void
sonde_link_finish (SondeLink *link)
{
  link->done = TRUE;
  g_main_loop_quit (link->io_loop);
}

void
sonde_link_append_certificate (SondeLink *link,
                               GString   *out,
                               gboolean  *first)
{
  g_autofree char *sha256 = sonde_certificate_dup_sha256 (link->peer_certificate);
  g_autofree char *description = sonde_certificate_describe (link->peer_certificate, link->peer_errors);
  g_autofree char *errors = sonde_certificate_describe_errors (link->peer_errors);
  g_autofree char *subject = g_tls_certificate_get_subject_name (link->peer_certificate);
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (link->peer_certificate);
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (link->peer_certificate);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (link->peer_certificate);
  g_autofree char *before = not_before ? g_date_time_format_iso8601 (not_before) : NULL;
  g_autofree char *after = not_after ? g_date_time_format_iso8601 (not_after) : NULL;
  gboolean inner = TRUE;

  sonde_json_append_member (out, first, "certificate");
  g_string_append_c (out, '{');
  sonde_json_append_string_member (out, &inner, "subject", subject);
  sonde_json_append_string_member (out, &inner, "issuer", issuer);
  sonde_json_append_string_member (out, &inner, "not_before", before);
  sonde_json_append_string_member (out, &inner, "not_after", after);
  sonde_json_append_string_member (out, &inner, "sha256", sha256);
  sonde_json_append_int_member (out, &inner, "flags", link->peer_errors);
  sonde_json_append_string_member (out, &inner, "problems", errors);
  sonde_json_append_string_member (out, &inner, "description", description);
  g_string_append_c (out, '}');
}

/* A message that could not go out: an error event says so (from any
 * thread: push_item() takes the lock). */
void
sonde_link_report_not_sent (SondeLink *link,
                            gsize      length)
{
  g_autoptr(GError) error =
    g_error_new (SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                 _("A %zu-byte message was not sent: the connection "
                   "closed before it could go out"), length);
  g_autoptr(GString) payload = sonde_link_error_payload (link, error);
  SondeLinkEvent *event = sonde_link_event_new (-1);

  event->error = g_steal_pointer (&error);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_ERROR, payload, event);
}

static gboolean
on_send_ready (gpointer data)
{
  SondeLink *link = data;
  GQueue queue = G_QUEUE_INIT;
  Outgoing *out;

  g_mutex_lock (&link->lock);
  queue = link->outgoing;
  g_queue_init (&link->outgoing);
  g_mutex_unlock (&link->lock);

  while ((out = g_queue_pop_head (&queue)) != NULL)
    {
      gsize length;
      const guint8 *data_ptr = g_bytes_get_data (out->payload, &length);

      if (link->ws != NULL &&
          soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          soup_websocket_connection_send_message (link->ws,
                                                  out->kind == SONDE_MESSAGE_KIND_TEXT ?
                                                  SOUP_WEBSOCKET_DATA_TEXT : SOUP_WEBSOCKET_DATA_BINARY,
                                                  out->payload);
          sonde_link_push_item (link, SONDE_DIRECTION_OUT, out->kind, out->flags, data_ptr, length, out->payload, NULL);
        }
      else
        sonde_link_report_not_sent (link, length);

      outgoing_free (out);
    }

  return G_SOURCE_CONTINUE;
}

/* What the main thread asks of the I/O thread: a close (a code and its
 * reason) or a peer declared dead (why, no code). */
typedef struct {
  SondeLink *link;
  guint      code;
  char      *text;
} LinkRequest;

static LinkRequest *
link_request_new (SondeLink  *link,
                  guint       code,
                  const char *text)
{
  LinkRequest *request = g_new0 (LinkRequest, 1);

  request->link = sonde_link_ref (link);
  request->code = code;
  request->text = g_strdup (text);
  return request;
}

static void
link_request_free (gpointer data)
{
  LinkRequest *request = data;

  sonde_link_unref (request->link);
  g_free (request->text);
  g_free (request);
}

static gboolean
on_close_request (gpointer data)
{
  LinkRequest *request = data;
  SondeLink *link = request->link;

  if (link->close_requested)
    return G_SOURCE_REMOVE;

  link->close_requested = TRUE;
  link->local_close_code = request->code;

  if (link->ws == NULL)
    {
      /* Still in the handshake: give it up. */
      if (link->cancellable != NULL)
        g_cancellable_cancel (link->cancellable);
      return G_SOURCE_REMOVE;
    }

  if (soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      link->local_close = TRUE;
      soup_websocket_connection_close (link->ws, request->code, request->text);
    }

  return G_SOURCE_REMOVE;
}

/* Linux keeps a nice value for each thread (setpriority() on a thread id
 * changes only that thread, against POSIX's per-process nice); elsewhere
 * the I/O threads keep their creator's. Best effort: a failure only
 * leaves the thread as it was. */
static void
lower_io_priority (int increment)
{
#ifdef __linux__
  pid_t tid;
  int current;

  if (increment <= 0)
    return;

  tid = (pid_t) syscall (SYS_gettid);
  errno = 0;
  current = getpriority (PRIO_PROCESS, (id_t) tid);
  if (current == -1 && errno != 0)
    return;
  if (setpriority (PRIO_PROCESS, (id_t) tid, MIN (current + increment, 19)) != 0)
    g_debug ("The I/O thread keeps its priority: %s", g_strerror (errno));
#endif
}

static gpointer
link_thread (gpointer data)
{
  SondeLink *link = data;

  lower_io_priority (link->io_niceness);

  /* Owning the context for the thread's whole life makes every post from
   * another thread an idle on this one, never a call on the poster's. */
  g_main_context_acquire (link->io_context);
  g_main_context_push_thread_default (link->io_context);

  link->io_loop = g_main_loop_new (link->io_context, FALSE);
  {
    GSource *send_source = wake_source_new (link->io_context, "[sonde] send",
                                            G_PRIORITY_DEFAULT, on_send_ready, link, NULL);

    g_mutex_lock (&link->lock);
    link->send_source = send_source;
    if (!g_queue_is_empty (&link->outgoing))
      g_source_set_ready_time (send_source, 0);
    g_mutex_unlock (&link->lock);
  }

  sonde_link_start_handshake (link);
  if (!link->done)
    g_main_loop_run (link->io_loop);

  sonde_link_destroy_source (&link->watchdog_source);
  if (link->ws != NULL)
    g_signal_handlers_disconnect_by_data (link->ws, link);
  g_clear_object (&link->ws);
  sonde_link_ws_clear (link);

  g_mutex_lock (&link->lock);
  link->finished = TRUE;
  g_mutex_unlock (&link->lock);

  /* Run what is still queued (a close request posted just before the end,
   * libsoup's own idle callbacks) so nothing holds the link afterwards. */
  while (g_main_context_iteration (link->io_context, FALSE))
    ;

  /* The last events may be waiting for the interval: hand them over
   * without waiting. */
  g_mutex_lock (&link->lock);
  if (link->pending.items->len > 0)
    g_source_set_ready_time (link->ready_source, 0);
  g_mutex_unlock (&link->lock);

  {
    GSource *send_source;

    g_mutex_lock (&link->lock);
    send_source = g_steal_pointer (&link->send_source);
    g_mutex_unlock (&link->lock);
    sonde_link_destroy_source (&send_source);
  }
  /* Sent in the last moment, after the final run: not sent. */
  for (Outgoing *out; (out = g_queue_pop_head (&link->outgoing)) != NULL;)
    {
      sonde_link_report_not_sent (link, g_bytes_get_size (out->payload));
      outgoing_free (out);
    }
  g_clear_pointer (&link->io_loop, g_main_loop_unref);
  g_main_context_pop_thread_default (link->io_context);
  g_main_context_release (link->io_context);

  sonde_link_unref (link);
  return NULL;
}

static gboolean
on_ready (gpointer data)
{
  SondeLink *link = data;

  if (link->ready != NULL)
    link->ready (link->ready_data);
  return G_SOURCE_CONTINUE;
}

/* Starts a connection attempt on a new I/O thread. @ready is called on the
 * thread-default main context of the caller whenever a batch is waiting. */
SondeLink *
sonde_link_start (const SondeConnectionOptions *options,
                  const char                   *url,
                  GTlsCertificate              *client_certificate,
                  SondeRedactor                *redactor,
                  SondeLinkFlags                flags,
                  SondeLinkReadyFunc            ready,
                  gpointer                      user_data)
{
  SondeLink *link = g_new0 (SondeLink, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_atomic_ref_count_init (&link->ref_count);
  link->options = sonde_connection_options_copy (options);
  link->url = g_strdup (url);
  link->client_certificate = client_certificate ? g_object_ref (client_certificate) : NULL;
  link->redactor = redactor ? sonde_redactor_ref (redactor) : NULL;
  link->flags = flags;
  link->io_niceness = g_atomic_int_get (&io_niceness);

  link->main_context = g_main_context_ref_thread_default ();
  link->io_context = g_main_context_new ();
  link->ready = ready;
  link->ready_data = user_data;
  link->ready_source = wake_source_new (link->main_context, "[sonde] batch ready",
                                        G_PRIORITY_DEFAULT, on_ready,
                                        sonde_link_ref (link), (GDestroyNotify) sonde_link_unref);

  g_mutex_init (&link->lock);
  sonde_link_batch_init (&link->pending);
  g_queue_init (&link->outgoing);
  link->last_take_us = G_MININT64 / 2;
  link->cancellable = g_cancellable_new ();
  link->errors_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  thread = g_thread_try_new ("sonde-io", link_thread, sonde_link_ref (link), &error);
  if (thread == NULL)
    g_error ("Could not start the connection's I/O thread: %s", error->message);
  g_thread_unref (thread);

  return link;
}

/* Process-wide, for the I/O threads started from now on: run them
 * @increment nice levels nicer than the thread that starts them (0: the
 * same).
 * See sonde_connection_set_io_niceness(). */
void
sonde_link_set_io_niceness (guint increment)
{
  g_atomic_int_set (&io_niceness, (gint) MIN (increment, 39));
}

SondeLink *
sonde_link_ref (SondeLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

void
sonde_link_unref (SondeLink *link)
{
  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;

  g_assert (link->ready_source == NULL || g_source_is_destroyed (link->ready_source));

  g_clear_pointer (&link->ready_source, g_source_unref);
  sonde_link_batch_clear (&link->pending);
  g_queue_clear_full (&link->outgoing, outgoing_free);
  g_mutex_clear (&link->lock);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->errors_seen, g_hash_table_unref);
  g_free (link->error_close_message);
  g_free (link->dead_reason);
  g_free (link->fault_message);
  g_clear_object (&link->peer_certificate);
  g_free (link->pin_problem);
  g_main_context_unref (link->io_context);
  g_main_context_unref (link->main_context);
  g_clear_pointer (&link->options, sonde_connection_options_free);
  g_clear_pointer (&link->url, g_free);
  g_clear_object (&link->client_certificate);
  g_clear_pointer (&link->redactor, sonde_redactor_unref);
  g_free (link);
}

/* Main thread: swaps the pending batch with @batch, which must be empty. */
void
sonde_link_take_batch (SondeLink      *link,
                       SondeLinkBatch *batch)
{
  SondeLinkBatch taken;

  g_return_if_fail (batch->items->len == 0);

  g_mutex_lock (&link->lock);
  taken = link->pending;
  taken.counts = link->counts;
  link->pending = *batch;
  link->wake_armed = FALSE;
  link->last_take_us = g_get_monotonic_time ();
  g_mutex_unlock (&link->lock);

  *batch = taken;
}

/* Main thread: queues a message; the I/O thread sends it if the connection
 * is still open then, or reports that it could not. */
void
sonde_link_send (SondeLink        *link,
                 SondeMessageKind  kind,
                 SondeRecordFlags  flags,
                 GBytes           *payload)
{
  Outgoing *out = g_new0 (Outgoing, 1);
  gboolean wake;

  out->kind = kind;
  out->flags = flags;
  out->payload = g_bytes_ref (payload);

  /* Under the lock: the thread may be finishing (its send source gone) or
   * not have made its send source yet (it looks at the queue once it has). */
  g_mutex_lock (&link->lock);
  if (link->finished)
    {
      g_mutex_unlock (&link->lock);
      sonde_link_report_not_sent (link, g_bytes_get_size (payload));
      outgoing_free (out);
      return;
    }
  wake = g_queue_is_empty (&link->outgoing);
  g_queue_push_tail (&link->outgoing, out);
  if (wake && link->send_source != NULL)
    g_source_set_ready_time (link->send_source, 0);
  g_mutex_unlock (&link->lock);
}

/* Main thread: runs @func (@request) on the I/O thread, or frees
 * @request at once when the thread has finished. Under the lock, so that
 * the thread either has not finished yet (and will run the request while
 * draining its context) or is known gone. */
static gboolean
post_request (SondeLink      *link,
              GSourceFunc     func,
              gpointer        request,
              GDestroyNotify  free_request)
{
  gboolean posted = FALSE;

  g_mutex_lock (&link->lock);
  if (!link->finished)
    {
      g_main_context_invoke_full (link->io_context, G_PRIORITY_DEFAULT, func, request, free_request);
      posted = TRUE;
    }
  g_mutex_unlock (&link->lock);

  if (!posted)
    free_request (request);
  return posted;
}

static void
post_close (SondeLink  *link,
            guint       code,
            const char *reason)
{
  post_request (link, on_close_request, link_request_new (link, code, reason), link_request_free);
}

/* Main thread: starts the closing handshake, or gives up the opening one. */
void
sonde_link_close (SondeLink  *link,
                  guint       code,
                  const char *reason)
{
  post_close (link, code, reason);
}

static gboolean
on_dead_request (gpointer data)
{
  LinkRequest *request = data;

  sonde_link_ws_declare_dead (request->link, request->text);
  return G_SOURCE_REMOVE;
}

/* Main thread: the peer is declared dead by what the connection carries
 * (a protocol's own heart-beat stopped): as the pong watchdog does, the
 * transport is dropped without a Close frame, an error says @why, and the
 * reconnect policy applies. */
void
sonde_link_declare_dead (SondeLink  *link,
                         const char *why)
{
  post_request (link, on_dead_request, link_request_new (link, 0, why), link_request_free);
}

/* Main thread: the owner lets go. Nothing more is delivered; an open
 * connection is closed with 1001 (going away) in the background. */
void
sonde_link_detach (SondeLink *link)
{
  g_mutex_lock (&link->lock);
  link->detached = TRUE;
  g_mutex_unlock (&link->lock);

  link->ready = NULL;
  link->ready_data = NULL;
  if (link->ready_source != NULL)
    g_source_destroy (link->ready_source);

  post_close (link, 1001, NULL);
}

/* Main thread: whether frame records are made from now on. */
void
sonde_link_set_show_frames (SondeLink *link,
                            gboolean   show)
{
  g_atomic_int_set (&link->show_frames, show ? 1 : 0);
}

typedef struct {
  SondeLink *link;
  GBytes    *payload;
} PingRequest;

static void
ping_request_free (gpointer data)
{
  PingRequest *request = data;

  sonde_link_unref (request->link);
  g_bytes_unref (request->payload);
  g_free (request);
}

static gboolean
on_ping_request (gpointer data)
{
  PingRequest *request = data;
  g_autoptr(GError) error = NULL;

  if (!sonde_link_ws_ping (request->link, request->payload, &error))
    {
      g_autoptr(GString) payload = sonde_link_error_payload (request->link, error);
      SondeLinkEvent *event = sonde_link_event_new (-1);

      event->error = g_steal_pointer (&error);
      sonde_link_push_event (request->link, SONDE_MESSAGE_KIND_ERROR, payload, event);
    }
  return G_SOURCE_REMOVE;
}

/* Main thread: sends a ping with @payload (at most 125 bytes) from the I/O
 * thread; it shows as a record once written. FALSE when the link has
 * already ended. */
gboolean
sonde_link_ping (SondeLink *link,
                 GBytes    *payload)
{
  PingRequest *request;

  g_return_val_if_fail (g_bytes_get_size (payload) <= 125, FALSE);

  request = g_new0 (PingRequest, 1);
  request->link = sonde_link_ref (link);
  request->payload = g_bytes_ref (payload);
  return post_request (link, on_ping_request, request, ping_request_free);
}
