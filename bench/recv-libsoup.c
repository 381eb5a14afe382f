/* recv-libsoup.c: the bare libsoup receiver of the ingest benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The baseline every other receiver is compared with: a SoupSession on the
 * default main context whose "message" handler only counts messages and
 * bytes. The clock runs from the first message to the last expected one
 * (the same for every receiver); the process then waits for the close
 * handshake and prints one JSON line:
 *
 *   {"receiver":"libsoup","count":…,"bytes":…,"seconds":…,"peak_rss_kib":…,…}
 */

#define G_LOG_DOMAIN "recv-libsoup"

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <sys/resource.h>

#include "bench-util.h"

typedef struct {
  GMainLoop               *loop;
  SoupWebsocketConnection *ws;
  GError                  *error;
  guint64                  expected;
  guint64                  count;
  guint64                  bytes;
  gint64                   first_us;
  gint64                   last_us;
  gboolean                 timed_out;
} Receiver;

static void
on_message (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            Receiver                *r)
{
  if (r->count == 0)
    r->first_us = g_get_monotonic_time ();

  r->count++;
  r->bytes += g_bytes_get_size (message);

  if (r->count == r->expected)
    r->last_us = g_get_monotonic_time ();
}

static void
on_error (SoupWebsocketConnection *ws,
          GError                  *error,
          Receiver                *r)
{
  if (r->error == NULL)
    r->error = g_error_copy (error);
}

static void
on_closed (SoupWebsocketConnection *ws,
           Receiver                *r)
{
  g_main_loop_quit (r->loop);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Receiver *r = data;

  r->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &r->error);
  if (r->ws == NULL)
    {
      g_main_loop_quit (r->loop);
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (r->ws, BENCH_MAX_PAYLOAD);
  g_signal_connect (r->ws, "message", G_CALLBACK (on_message), r);
  g_signal_connect (r->ws, "error", G_CALLBACK (on_error), r);
  g_signal_connect (r->ws, "closed", G_CALLBACK (on_closed), r);
}

static gboolean
on_timeout (gpointer data)
{
  Receiver *r = data;

  r->timed_out = TRUE;
  g_main_loop_quit (r->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions options = { 0 };
  Receiver r = { 0 };
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GString) json = NULL;
  const char *problem = NULL;
  guint close_code = 0;

  if (!bench_options_parse (&options, "recv-libsoup", &argc, &argv))
    return 2;

  r.loop = g_main_loop_new (NULL, FALSE);
  r.expected = options.count;

  session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0, NULL);
  msg = soup_message_new ("GET", options.url);
  if (msg == NULL)
    {
      g_printerr ("recv-libsoup: bad URL %s\n", options.url);
      return 2;
    }

  g_timeout_add_seconds ((guint) options.timeout, on_timeout, &r);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, &r);
  g_main_loop_run (r.loop);

  if (r.ws != NULL)
    close_code = soup_websocket_connection_get_close_code (r.ws);

  if (r.timed_out)
    problem = "timed out";
  else if (r.ws == NULL)
    problem = r.error ? r.error->message : "no connection";
  else if (r.count != r.expected)
    problem = "message count differs from the expected one";
  else if (close_code != SOUP_WEBSOCKET_CLOSE_NORMAL)
    problem = "the connection did not close with 1000";

  json = bench_json_begin ("libsoup", r.count, r.bytes, r.first_us, r.last_us);
  bench_json_add_uint (json, "close_code", close_code);
  bench_json_end (json, problem);

  g_clear_object (&r.ws);
  g_clear_error (&r.error);
  g_main_loop_unref (r.loop);
  bench_options_clear (&options);

  return problem == NULL ? 0 : 1;
}
