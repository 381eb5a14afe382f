/* sonde-cli-monitor.c: `sonde-cli monitor`: profiles watched headless,
 * with Prometheus metrics, alerts on stdout and webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that watches is SondeMonitor's (core/monitor); this reads the
 * options and the profiles file, serves /metrics, writes each alert as a
 * JSON line on stdout (and POSTs it to every --webhook), and handles the
 * signals: SIGTERM and SIGINT close every connection and flush the
 * recordings, then exit 0; SIGHUP reads the profiles file again (profiles
 * added, removed and changed; the others untouched). Status lines go to
 * stderr. Exit status: 0 when stopped, 2 for bad usage (an unknown
 * profile, a bad address or URL, a port in use), 1 when the profiles file
 * cannot be read.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "sonde-cli.h"
#include "sonde-connection.h"
#include "sonde-json-writer.h"
#include "sonde-metrics-server.h"
#include "sonde-monitor.h"
#include "sonde-profile-store.h"
#include "sonde-webhook.h"

/* Longer than a recording gets to flush to a database that went away
 * mid-session (10 s of retries): the monitor does not exit before it. */
#define STOP_TIMEOUT_MS 12000

/* The connections' I/O threads run this much nicer than the main thread and
 * the /metrics thread (sonde_connection_set_io_niceness(); from 0 up to 19,
 * the nicest). Fifty feeds of 1,000 msg/s keep fifty I/O threads waking a
 * thousand times a second each; at the same level a scrape's thread waits
 * its turn behind them (bench/monitor.py: p99 54 ms where issue 18 asks for
 * 10 ms). Measured under a load average of 25-38, 100 s each, back to back:
 * the /metrics thread waited for a CPU 9.6-18.7 ms a scrape at 0, 3.9-4.1
 * ms at +10, 1.3 ms at +19. Nicer, the I/O threads still get every cycle the
 * others leave (their output is the main thread's only work, so it cannot
 * crowd them out for long): ingest kept 49,500+ msg/s of 50,000 in every
 * run. The window keeps its I/O threads at its own level. */
#define MONITOR_IO_NICENESS 19

typedef struct {
  char         *profiles_path;
  char        **names;
  GMainLoop    *loop;
  SondeMonitor *monitor;
  GPtrArray    *webhooks;
  gboolean      stopping;
} Monitor;

static int
fail (int         status,
      const char *text)
{
  g_printerr ("sonde-cli monitor: %s\n", text);
  return status;
}

/* The profiles named (all when none), from the profiles file; NULL with
 * @error (G_OPTION_ERROR: a name that is not there). */
static GPtrArray *
load_profiles (Monitor  *run,
               GError  **error)
{
  g_autoptr(SondeProfileStore) store = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  guint n;

  if (run->profiles_path != NULL && !g_file_test (run->profiles_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--profiles: there is no file “%s”"), run->profiles_path);
      return NULL;
    }
  store = sonde_profile_store_new (run->profiles_path);
  model = G_LIST_MODEL (store);
  if (!sonde_profile_store_load (store, &load_error))
    {
      if (g_list_model_get_n_items (model) == 0)
        {
          g_propagate_error (error, g_steal_pointer (&load_error));
          return NULL;
        }
      g_printerr ("sonde-cli monitor: %s\n", load_error->message);
    }
  n = g_list_model_get_n_items (model);

  if (run->names == NULL || run->names[0] == NULL)
    {
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (profiles, g_list_model_get_item (model, i));
      if (profiles->len == 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("There are no profiles to monitor in %s"), sonde_profile_store_get_path (store));
          return NULL;
        }
      return g_steal_pointer (&profiles);
    }

  for (guint k = 0; run->names[k] != NULL; k++)
    {
      SondeProfile *found = sonde_profile_store_lookup (store, run->names[k]);

      for (guint i = 0; found == NULL && i < n; i++)
        {
          g_autoptr(SondeProfile) profile = g_list_model_get_item (model, i);

          if (g_strcmp0 (sonde_profile_get_name (profile), run->names[k]) == 0)
            found = profile;
        }
      if (found == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("There is no profile “%s” in %s"), run->names[k], sonde_profile_store_get_path (store));
          return NULL;
        }
      g_ptr_array_add (profiles, g_object_ref (found));
    }
  return g_steal_pointer (&profiles);
}

static void
say_time (GString *line,
          gboolean *first)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *text = g_date_time_format_iso8601 (now);

  sonde_json_append_string_member (line, first, "time", text);
}

static void
on_alert (SondeMonitor *monitor,
          SondeProfile *profile,
          const char   *title,
          const char   *body,
          guint64       seq,
          Monitor      *run)
{
  g_autoptr(GString) line = g_string_new ("{");
  g_autofree char *text = g_strdup_printf ("%s: %s — %s", sonde_profile_get_name (profile), title, body);
  gboolean first = TRUE;

  say_time (line, &first);
  sonde_json_append_string_member (line, &first, "profile", sonde_profile_get_name (profile));
  sonde_json_append_string_member (line, &first, "profile_id", sonde_profile_get_id (profile));
  sonde_json_append_string_member (line, &first, "title", title);
  sonde_json_append_string_member (line, &first, "body", body);
  if (seq > 0)
    sonde_json_append_int_member (line, &first, "seq", (gint64) seq);
  sonde_json_append_string_member (line, &first, "text", text);
  g_string_append_c (line, '}');

  printf ("%s\n", line->str);
  fflush (stdout);
  for (guint i = 0; i < run->webhooks->len; i++)
    sonde_webhook_post (g_ptr_array_index (run->webhooks, i), line->str);
}

static void
on_state_changed (SondeMonitor         *monitor,
                  SondeProfile         *profile,
                  int                   state,
                  Monitor              *run)
{
  g_printerr ("sonde-cli monitor: %s: %s\n", sonde_profile_get_name (profile),
              sonde_connection_state_to_string ((SondeConnectionState) state));
}

static void
on_stopped (SondeMonitor *monitor,
            Monitor      *run)
{
  g_main_loop_quit (run->loop);
}

static gboolean
on_stop_signal (gpointer data)
{
  Monitor *run = data;

  if (run->stopping)
    return G_SOURCE_CONTINUE;
  run->stopping = TRUE;
  g_printerr ("sonde-cli monitor: %s\n", _("stopping: closing every connection"));
  sonde_monitor_stop (run->monitor, STOP_TIMEOUT_MS);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_reload_signal (gpointer data)
{
  Monitor *run = data;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0, removed = 0, changed = 0;

  if (run->stopping)
    return G_SOURCE_CONTINUE;
  profiles = load_profiles (run, &error);
  if (profiles == NULL)
    {
      /* What runs goes on: a broken file is said, not obeyed. */
      g_printerr ("sonde-cli monitor: %s: %s\n", _("reload refused"), error->message);
      return G_SOURCE_CONTINUE;
    }
  sonde_monitor_set_profiles (run->monitor, profiles, &added, &removed, &changed);
  g_printerr ("sonde-cli monitor: ");
  /* Translators: after SIGHUP: how many profiles were added, removed and changed. */
  g_printerr (_("reloaded: %u added, %u removed, %u changed"), added, removed, changed);
  g_printerr ("\n");
  return G_SOURCE_CONTINUE;
}

int
sonde_cli_monitor (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (N_("[PROFILE…] — watch profiles headless"));
  g_autoptr(SondeMetrics) metrics = sonde_metrics_new (0);
  g_autoptr(SondeMetricsServer) server = NULL;
  g_autoptr(SondeSecrets) secrets = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *metrics_address = NULL;
  g_autofree char *record = NULL;
  g_auto(GStrv) webhooks = NULL;
  Monitor run = { 0 };
  GOptionEntry entries[] = {
    { "profiles", 0, 0, G_OPTION_ARG_FILENAME, &run.profiles_path,
      N_("Read the profiles from FILE instead of the window's profiles file"), N_("FILE") },
    { "metrics", 0, 0, G_OPTION_ARG_STRING, &metrics_address,
      N_("Serve Prometheus metrics at http://ADDR:PORT/metrics (127.0.0.1:9464; port 0: any free one)"),
      N_("ADDR:PORT") },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record,
      N_("Record every session into this store: a recordings database (PATH or sqlite:PATH) or postgresql://…"),
      N_("STORE") },
    { "webhook", 0, 0, G_OPTION_ARG_STRING_ARRAY, &webhooks,
      N_("POST every alert as JSON (with a \"text\" member) to URL; repeatable"), N_("URL") },
    { NULL },
  };
  int status = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Connects the profiles named (all, when none is named) with their reconnects,\n"
       "heartbeats, latency probes, decoders, protocol modes and notification rules,\n"
       "until stopped. Alerts are JSON lines on stdout."));
  g_option_context_set_description (context,
    N_("Signals: SIGTERM and SIGINT close every connection and exit 0; SIGHUP reads the\n"
       "profiles file again. Exit status: 0 when stopped, 1 when the profiles cannot be\n"
       "read, 2 for bad usage (an unknown profile, a bad address or URL, a port in use)."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (2, error->message);
  run.names = g_strdupv (argv + 1);
  run.webhooks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; webhooks != NULL && webhooks[i] != NULL; i++)
    {
      SondeWebhook *webhook = sonde_webhook_new (webhooks[i], &error);

      if (webhook == NULL)
        {
          status = fail (2, error->message);
          goto out;
        }
      g_ptr_array_add (run.webhooks, webhook);
    }

  profiles = load_profiles (&run, &error);
  if (profiles == NULL)
    {
      status = fail (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? 2 : 1, error->message);
      goto out;
    }

  run.monitor = sonde_monitor_new (metrics, secrets = sonde_secrets_new ());
  if (record != NULL)
    sonde_monitor_set_recording_path (run.monitor, record);

  if (metrics_address != NULL)
    {
      g_autoptr(GInetAddress) address = NULL;
      g_autofree char *url = NULL;
      guint16 port = 0;

      if (!sonde_metrics_parse_address (metrics_address, &address, &port, &error))
        {
          status = fail (2, error->message);
          goto out;
        }
      server = sonde_metrics_server_new (metrics);
      if (!sonde_metrics_server_start (server, address, port, &error))
        {
          status = fail (2, error->message);
          goto out;
        }
      url = sonde_metrics_server_dup_url (server);
      g_printerr ("sonde-cli monitor: ");
      g_printerr (_("metrics at %s"), url);
      g_printerr ("\n");
    }

  g_signal_connect (run.monitor, "alert", G_CALLBACK (on_alert), &run);
  g_signal_connect (run.monitor, "state-changed", G_CALLBACK (on_state_changed), &run);
  g_signal_connect (run.monitor, "stopped", G_CALLBACK (on_stopped), &run);
  sonde_connection_set_io_niceness (MONITOR_IO_NICENESS);
  sonde_monitor_set_profiles (run.monitor, profiles, NULL, NULL, NULL);
  g_printerr ("sonde-cli monitor: ");
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "watching %u profile", "watching %u profiles", profiles->len),
              profiles->len);
  g_printerr ("\n");

  run.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_stop_signal, &run);
  g_unix_signal_add (SIGTERM, on_stop_signal, &run);
  g_unix_signal_add (SIGHUP, on_reload_signal, &run);
  g_main_loop_run (run.loop);

  /* Alerts still on their way to a webhook get a few seconds. */
  {
    gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    gboolean waiting = TRUE;

    while (waiting && g_get_monotonic_time () < deadline)
      {
        waiting = FALSE;
        for (guint i = 0; i < run.webhooks->len; i++)
          if (sonde_webhook_get_n_queued (g_ptr_array_index (run.webhooks, i)) > 0)
            waiting = TRUE;
        if (waiting)
          g_main_context_iteration (NULL, TRUE);
      }
    for (guint i = 0; i < run.webhooks->len; i++)
      {
        SondeWebhook *webhook = g_ptr_array_index (run.webhooks, i);

        if (sonde_webhook_get_n_failed (webhook) + sonde_webhook_get_n_dropped (webhook) +
            sonde_webhook_get_n_queued (webhook) > 0)
          {
            g_autofree char *delivered = g_strdup_printf ("%" G_GUINT64_FORMAT, sonde_webhook_get_n_delivered (webhook));
            g_autofree char *failed = g_strdup_printf ("%" G_GUINT64_FORMAT, sonde_webhook_get_n_failed (webhook));
            g_autofree char *dropped = g_strdup_printf ("%" G_GUINT64_FORMAT, sonde_webhook_get_n_dropped (webhook));

            g_printerr ("sonde-cli monitor: ");
            /* Translators: a webhook's totals at exit: its URL, then counts. */
            g_printerr (_("webhook %s: %s delivered, %s failed, %s dropped, %u not sent"),
                        sonde_webhook_get_url (webhook), delivered, failed, dropped,
                        sonde_webhook_get_n_queued (webhook));
            g_printerr ("\n");
          }
      }
  }

out:
  if (server != NULL)
    sonde_metrics_server_stop (server);
  g_clear_object (&run.monitor);
  g_clear_pointer (&run.webhooks, g_ptr_array_unref);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  g_strfreev (run.names);
  g_free (run.profiles_path);
  return status;
}
