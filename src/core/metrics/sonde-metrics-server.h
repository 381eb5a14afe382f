/* sonde-metrics-server.h: /metrics over HTTP for Prometheus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on its own thread and GMainContext (as the demo server):
 * a scrape is answered from the registry without waiting for the main
 * loop, however busy it is. GET or HEAD /metrics: the exposition in the
 * format the Accept header asks for; / says where the metrics are; any
 * other path is 404.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-metrics.h"

G_BEGIN_DECLS

#define SONDE_TYPE_METRICS_SERVER (sonde_metrics_server_get_type ())
G_DECLARE_FINAL_TYPE (SondeMetricsServer, sonde_metrics_server, SONDE, METRICS_SERVER, GObject)

SondeMetricsServer *sonde_metrics_server_new      (SondeMetrics        *metrics);
/* "ADDR:PORT" ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; a bare
 * ":PORT" or "PORT" is 127.0.0.1): an error that names what is wrong. */
gboolean            sonde_metrics_parse_address   (const char          *text,
                                                   GInetAddress       **address,
                                                   guint16             *port,
                                                   GError             **error);
/* Listens (port 0: any free one) and returns once it accepts scrapes, or
 * with why it cannot (the port is in use…). */
gboolean            sonde_metrics_server_start    (SondeMetricsServer  *self,
                                                   GInetAddress        *address,
                                                   guint16              port,
                                                   GError             **error);
void                sonde_metrics_server_stop     (SondeMetricsServer  *self);
guint16             sonde_metrics_server_get_port (SondeMetricsServer  *self);
/* "http://ADDR:PORT/metrics" */
char               *sonde_metrics_server_dup_url  (SondeMetricsServer  *self);
guint64             sonde_metrics_server_get_n_scrapes (SondeMetricsServer *self);

G_END_DECLS
