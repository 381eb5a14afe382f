/* test-metrics.c: SondeMetrics (both exposition formats, bounds) and
 * SondeMetricsServer, checked by promtool and scraped by a real Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sonde-metrics.h"
#include "sonde-metrics-server.h"
#include "sonde-test-util.h"

static const char * const profile_direction[] = { "profile", "direction", NULL };
static const char * const profile_only[] = { "profile", NULL };
static const double rtt_buckets[] = { 0.001, 0.01, 0.1, 1 };

typedef struct {
  SondeMetrics *metrics;
  guint messages, up, age, rtt;
} Fixture;

static void
fixture_fill (Fixture *f,
              guint    max_series)
{
  f->metrics = sonde_metrics_new (max_series);
  f->messages = sonde_metrics_add_family (f->metrics, "sonde_messages", SONDE_METRIC_COUNTER,
                                          "Messages received and sent", profile_direction, NULL, 0);
  f->up = sonde_metrics_add_family (f->metrics, "sonde_connection_up", SONDE_METRIC_GAUGE,
                                    "Whether the connection is open (1) or not (0)", profile_only, NULL, 0);
  f->age = sonde_metrics_add_family (f->metrics, "sonde_last_message_age_seconds", SONDE_METRIC_AGE,
                                     "Seconds since the last message", profile_only, NULL, 0);
  f->rtt = sonde_metrics_add_family (f->metrics, "sonde_rtt_seconds", SONDE_METRIC_HISTOGRAM,
                                     "Round trips", profile_only, rtt_buckets, G_N_ELEMENTS (rtt_buckets));
}

static void
test_text_format (void)
{
  Fixture f;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) open_metrics = g_string_new (NULL);
  const char *ticker_in[] = { "ticker", "in" };
  const char *odd_in[] = { "we\"ird\\name\nx", "in" };
  const char *ticker[] = { "ticker" };

  fixture_fill (&f, 0);
  sonde_metrics_counter_add (f.metrics, f.messages, ticker_in, 41);
  sonde_metrics_counter_add (f.metrics, f.messages, ticker_in, 1);
  sonde_metrics_counter_add (f.metrics, f.messages, odd_in, 0.5);
  sonde_metrics_gauge_set (f.metrics, f.up, ticker, 1);
  sonde_metrics_histogram_observe (f.metrics, f.rtt, ticker, 0.005);
  sonde_metrics_histogram_observe (f.metrics, f.rtt, ticker, 0.25);
  sonde_metrics_histogram_observe (f.metrics, f.rtt, ticker, 7);

  sonde_metrics_write (f.metrics, SONDE_METRICS_FORMAT_PROMETHEUS, text);
  g_test_message ("%s", text->str);
  g_assert_nonnull (strstr (text->str, "# TYPE sonde_messages_total counter\n"
                                       "sonde_messages_total{profile=\"ticker\",direction=\"in\"} 42\n"
                                       "sonde_messages_total{profile=\"we\\\"ird\\\\name\\nx\",direction=\"in\"} 0.5\n"));
  g_assert_nonnull (strstr (text->str, "# TYPE sonde_connection_up gauge\nsonde_connection_up{profile=\"ticker\"} 1\n"));
  g_assert_nonnull (strstr (text->str, "sonde_rtt_seconds_bucket{profile=\"ticker\",le=\"0.001\"} 0\n"
                                       "sonde_rtt_seconds_bucket{profile=\"ticker\",le=\"0.01\"} 1\n"
                                       "sonde_rtt_seconds_bucket{profile=\"ticker\",le=\"0.1\"} 1\n"
                                       "sonde_rtt_seconds_bucket{profile=\"ticker\",le=\"1.0\"} 2\n"
                                       "sonde_rtt_seconds_bucket{profile=\"ticker\",le=\"+Inf\"} 3\n"
                                       "sonde_rtt_seconds_sum{profile=\"ticker\"} 7.255\n"
                                       "sonde_rtt_seconds_count{profile=\"ticker\"} 3\n"));
  /* No series yet: the family is still declared. */
  g_assert_nonnull (strstr (text->str, "# TYPE sonde_last_message_age_seconds gauge\n"));
  g_assert_null (strstr (text->str, "# EOF"));

  sonde_metrics_write (f.metrics, SONDE_METRICS_FORMAT_OPENMETRICS, open_metrics);
  g_assert_nonnull (strstr (open_metrics->str, "# TYPE sonde_messages counter\n"));
  g_assert_nonnull (strstr (open_metrics->str, "sonde_messages_total{profile=\"ticker\",direction=\"in\"} 42\n"));
  g_assert_true (g_str_has_suffix (open_metrics->str, "\n# EOF\n"));
  sonde_metrics_unref (f.metrics);
}

static void
test_age_and_bounds (void)
{
  Fixture f;
  const char *a[] = { "a" }, *b[] = { "b" }, *c[] = { "c" };
  const char *dropped_label[] = { "sonde_connection_up" };
  g_autoptr(GString) text = g_string_new (NULL);
  double value = -1;

  fixture_fill (&f, 2);
  sonde_metrics_touch (f.metrics, f.age, a, g_get_monotonic_time () - 3 * G_USEC_PER_SEC);
  g_assert_true (sonde_metrics_get_value (f.metrics, f.age, a, &value));
  g_assert_cmpfloat (value, >=, 3.0);
  g_assert_cmpfloat (value, <, 60.0);

  /* Two series a family at most: the third is counted, not kept. */
  sonde_metrics_gauge_set (f.metrics, f.up, a, 1);
  sonde_metrics_gauge_set (f.metrics, f.up, b, 0);
  sonde_metrics_gauge_set (f.metrics, f.up, c, 1);
  sonde_metrics_gauge_set (f.metrics, f.up, c, 1);
  g_assert_false (sonde_metrics_get_value (f.metrics, f.up, c, NULL));
  g_assert_true (sonde_metrics_get_value (f.metrics, 0, dropped_label, &value));
  g_assert_cmpfloat (value, ==, 2);

  /* A profile removed takes its series along, in every family. */
  sonde_metrics_remove_series (f.metrics, "profile", "a");
  g_assert_false (sonde_metrics_get_value (f.metrics, f.up, a, NULL));
  g_assert_false (sonde_metrics_get_value (f.metrics, f.age, a, NULL));
  g_assert_true (sonde_metrics_get_value (f.metrics, f.up, b, &value));
  g_assert_cmpfloat (value, ==, 0);
  sonde_metrics_gauge_set (f.metrics, f.up, c, 1);
  g_assert_true (sonde_metrics_get_value (f.metrics, f.up, c, NULL));
  sonde_metrics_write (f.metrics, SONDE_METRICS_FORMAT_PROMETHEUS, text);
  g_assert_null (strstr (text->str, "profile=\"a\""));
  sonde_metrics_unref (f.metrics);
}

static void
test_negotiate (void)
{
  /* What Prometheus 2.42 sends. */
  g_assert_cmpint (sonde_metrics_negotiate ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                            "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                   ==, SONDE_METRICS_FORMAT_OPENMETRICS);
  g_assert_cmpint (sonde_metrics_negotiate ("text/plain;version=0.0.4"), ==, SONDE_METRICS_FORMAT_PROMETHEUS);
  g_assert_cmpint (sonde_metrics_negotiate (NULL), ==, SONDE_METRICS_FORMAT_PROMETHEUS);
  g_assert_cmpint (sonde_metrics_negotiate ("*/*"), ==, SONDE_METRICS_FORMAT_PROMETHEUS);
  g_assert_cmpint (sonde_metrics_negotiate ("application/openmetrics-text;q=0.1, text/plain;q=0.5"),
                   ==, SONDE_METRICS_FORMAT_PROMETHEUS);
}

/* promtool reads both formats from stdin and says what is wrong. */
static void
check_with_promtool (GString *text)
{
  g_autofree char *promtool = g_find_program_in_path ("promtool");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  if (promtool == NULL)
    {
      g_test_skip ("promtool (Debian's prometheus package) is not installed");
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, promtool, "check", "metrics", NULL);
  g_assert_no_error (error);
  input = g_bytes_new (text->str, text->len);
  g_subprocess_communicate (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("promtool: %.*s%.*s", (int) g_bytes_get_size (out), (const char *) g_bytes_get_data (out, NULL),
                  (int) g_bytes_get_size (err), (const char *) g_bytes_get_data (err, NULL));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* promtool lints: anything it says is a problem. */
  g_assert_cmpuint (g_bytes_get_size (out) + g_bytes_get_size (err), ==, 0);
}

static void
test_promtool (void)
{
  Fixture f;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *in[] = { "ticker", "in" }, *out[] = { "ticker", "out" };
  const char *ticker[] = { "ticker" };

  fixture_fill (&f, 0);
  sonde_metrics_counter_add (f.metrics, f.messages, in, 1e9);
  sonde_metrics_counter_add (f.metrics, f.messages, out, 3);
  sonde_metrics_gauge_set (f.metrics, f.up, ticker, 1);
  sonde_metrics_touch (f.metrics, f.age, ticker, g_get_monotonic_time ());
  sonde_metrics_histogram_observe (f.metrics, f.rtt, ticker, 0.0123);
  sonde_metrics_write (f.metrics, SONDE_METRICS_FORMAT_PROMETHEUS, text);
  check_with_promtool (text);
  sonde_metrics_unref (f.metrics);
}

/* -- the server ------------------------------------------------------------- */

static char *
fetch (const char  *url,
       const char  *method,
       const char  *accept,
       guint       *status,
       char       **content_type)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (accept != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", accept);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type"));
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_server (void)
{
  Fixture f;
  g_autoptr(SondeMetricsServer) server = NULL;
  g_autoptr(SondeMetricsServer) second = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *other = NULL;
  g_autofree char *body = NULL;
  g_autofree char *body_open = NULL;
  g_autofree char *type = NULL;
  g_autofree char *type_open = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *post = NULL;
  const char *in[] = { "ticker", "in" };
  guint16 port = 1;
  guint status = 0;

  fixture_fill (&f, 0);
  sonde_metrics_counter_add (f.metrics, f.messages, in, 7);
  g_assert_true (sonde_metrics_parse_address ("127.0.0.1:0", &address, &port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, 0);
  server = sonde_metrics_server_new (f.metrics);
  g_assert_true (sonde_metrics_server_start (server, address, 0, &error));
  g_assert_no_error (error);
  url = sonde_metrics_server_dup_url (server);

  body = fetch (url, "GET", "text/plain;version=0.0.4", &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/plain; version=0.0.4; charset=utf-8");
  g_assert_nonnull (strstr (body, "sonde_messages_total{profile=\"ticker\",direction=\"in\"} 7\n"));
  body_open = fetch (url, "GET", "application/openmetrics-text;version=1.0.0", &status, &type_open);
  g_assert_cmpstr (type_open, ==, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  g_assert_true (g_str_has_suffix (body_open, "# EOF\n"));
  g_assert_cmpuint (sonde_metrics_server_get_n_scrapes (server), ==, 2);

  other = g_strdup_printf ("http://127.0.0.1:%u/other", sonde_metrics_server_get_port (server));
  missing = fetch (other, "GET", NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  post = fetch (url, "POST", NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 405);

  /* The port taken: a clear error, and nothing left running. */
  second = sonde_metrics_server_new (f.metrics);
  g_assert_false (sonde_metrics_server_start (second, address, sonde_metrics_server_get_port (server), &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "The metrics cannot be served on 127.0.0.1:"));
  g_clear_error (&error);

  /* Bad addresses say why. */
  g_clear_object (&address);
  g_assert_false (sonde_metrics_parse_address ("127.0.0.1:http", &address, &port, &error));
  g_assert_nonnull (strstr (error->message, "the port must be a number"));
  g_clear_error (&error);
  g_assert_false (sonde_metrics_parse_address ("example.org:9464", &address, &port, &error));
  g_assert_nonnull (strstr (error->message, "is not an IP address"));
  g_clear_error (&error);
  g_assert_true (sonde_metrics_parse_address ("[::1]:9464", &address, &port, &error));
  g_assert_cmpint (g_inet_address_get_family (address), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpuint (port, ==, 9464);

  sonde_metrics_server_stop (server);
  sonde_metrics_unref (f.metrics);
}

/* -- a real Prometheus ------------------------------------------------------ */

typedef struct {
  SoupSession *session;
  char        *query_url;
  char        *value;    /* the last answer's first value, or NULL */
} Query;

static gboolean
query_prometheus (Query *query)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", query->query_url);
  g_autoptr(GBytes) body = soup_session_send_and_read (query->session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *result;

  g_clear_pointer (&query->value, g_free);
  if (body == NULL || soup_message_get_status (msg) != 200 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL))
    return FALSE;
  /* {"status":"success","data":{"resultType":"vector","result":[{"metric":…,"value":[t,"42"]}]}} */
  result = json_object_get_member (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                                  "data"), "result");
  if (result == NULL || json_array_get_length (json_node_get_array (result)) == 0)
    return FALSE;
  query->value = g_strdup (json_array_get_string_element (
    json_object_get_array_member (json_array_get_object_element (json_node_get_array (result), 0), "value"), 1));
  return TRUE;
}

static void
test_prometheus_scrapes (void)
{
  g_autofree char *prometheus = g_find_program_in_path ("prometheus");
  g_autofree char *dir = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GSocketListener) probe = NULL;
  g_autoptr(SondeMetricsServer) server = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  const char *in[] = { "ticker", "in" };
  const char *ticker[] = { "ticker" };
  Query query = { 0 };
  Fixture f;
  guint16 prometheus_port;

  if (prometheus == NULL)
    {
      g_test_skip ("prometheus (Debian's package) is not installed");
      return;
    }

  fixture_fill (&f, 0);
  sonde_metrics_counter_add (f.metrics, f.messages, in, 42);
  sonde_metrics_histogram_observe (f.metrics, f.rtt, ticker, 0.02);
  server = sonde_metrics_server_new (f.metrics);
  g_assert_true (sonde_metrics_server_start (server, loopback, 0, &error));
  g_assert_no_error (error);

  /* A free port for Prometheus's own web server. */
  probe = g_socket_listener_new ();
  prometheus_port = g_socket_listener_add_any_inet_port (probe, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (probe);

  dir = g_dir_make_tmp ("sonde-prometheus-XXXXXX", &error);
  g_assert_no_error (error);
  config_path = g_build_filename (dir, "prometheus.yml", NULL);
  config = g_strdup_printf ("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                            "scrape_configs:\n  - job_name: sonde\n    static_configs:\n"
                            "      - targets: ['127.0.0.1:%u']\n", sonde_metrics_server_get_port (server));
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  listen = g_strdup_printf ("--web.listen-address=127.0.0.1:%u", prometheus_port);
  data = g_strdup_printf ("--storage.tsdb.path=%s/data", dir);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              prometheus, "--config.file", config_path, listen, data, NULL);
  g_assert_no_error (error);

  query.session = soup_session_new_with_options ("timeout", 2, NULL);
  escaped = g_uri_escape_string ("sonde_messages_total{profile=\"ticker\",direction=\"in\"}", NULL, FALSE);
  query.query_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/query?query=%s", prometheus_port, escaped);
  /* Prometheus starts, scrapes every second, and answers its API. */
  SONDE_TEST_ASSERT_WAIT (query_prometheus (&query), 30000);
  g_assert_cmpstr (query.value, ==, "42");

  /* A change is seen on a later scrape. */
  sonde_metrics_counter_add (f.metrics, f.messages, in, 8);
  SONDE_TEST_ASSERT_WAIT (query_prometheus (&query) && g_strcmp0 (query.value, "50") == 0, 15000);
  /* The histogram was read too (OpenMetrics, as Prometheus asks). */
  g_free (query.query_url);
  g_free (escaped);
  escaped = g_uri_escape_string ("sonde_rtt_seconds_count{profile=\"ticker\"}", NULL, FALSE);
  query.query_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/query?query=%s", prometheus_port, escaped);
  SONDE_TEST_ASSERT_WAIT (query_prometheus (&query), 15000);
  g_assert_cmpstr (query.value, ==, "1");
  g_assert_cmpuint (sonde_metrics_server_get_n_scrapes (server), >=, 2);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (query.session);
  g_free (query.query_url);
  g_free (query.value);
  sonde_metrics_server_stop (server);
  sonde_metrics_unref (f.metrics);
  sonde_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/metrics/text-format", test_text_format);
  g_test_add_func ("/metrics/age-and-bounds", test_age_and_bounds);
  g_test_add_func ("/metrics/negotiate", test_negotiate);
  g_test_add_func ("/metrics/promtool", test_promtool);
  g_test_add_func ("/metrics/server", test_server);
  g_test_add_func ("/metrics/prometheus-scrapes", test_prometheus_scrapes);

  return g_test_run ();
}
