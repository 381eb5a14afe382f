/* sonde-demo-server.c: an embedded feed on 127.0.0.1 for first runs and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on its own thread and GMainContext, so that serving never
 * competes with the client's main loop. Endpoints:
 *   /ticker   JSON ticks for a few symbols (price, volume, timestamp)
 *   /sensors  IoT-style JSON readings with occasional spikes and dropouts
 *   /echo     sends every text or binary message back
 * /ticker and /sensors take ?rate=HZ (messages per second) and ?seed=N (a
 * repeatable random sequence); the server-wide rate is the default.
 */

#define G_LOG_DOMAIN "sonde-demo-server"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sonde-demo-server.h"
#include "sonde-json-writer.h"
#include "sonde-server-thread.h"

#define ECHO_MAX_PAYLOAD   ((guint64) 64 * 1024 * 1024)
#define MAX_BURST          10000

typedef enum {
  FEED_TICKER,
  FEED_SENSORS,
} FeedKind;

static const struct {
  const char *symbol;
  double      start_price;
} symbols[] = {
  { "ABC", 101.25 },
  { "XYZ", 48.10 },
  { "SND", 250.00 },
  { "QRX", 12.34 },
};

static const struct {
  const char *name;
  double      temperature;
  double      humidity;
} sensors[] = {
  { "greenhouse-1", 24.0, 62.0 },
  { "greenhouse-2", 22.5, 58.0 },
  { "cold-room", 4.0, 80.0 },
};

typedef struct {
  SondeDemoServer         *server;   /* borrowed; outlives every client */
  SoupWebsocketConnection *ws;
  GSource                 *timer;
  GRand                   *rand;
  FeedKind                 kind;
  double                   rate;
  gint64                   start_us;
  guint64                  sent;
  double                   prices[G_N_ELEMENTS (symbols)];
  double                   battery[G_N_ELEMENTS (sensors)];
  gint64                   silent_until[G_N_ELEMENTS (sensors)];
  GString                 *buffer;
} Client;

struct _SondeDemoServer
{
  GObject            parent_instance;

  /* owned */
  SondeServerThread *thread;
  guint16            requested_port;   /* set before start */

  /* shared */
  GMutex             lock;
  double             rate;
  guint              n_clients;

  /* owned by the server thread */
  GPtrArray         *clients;
  gboolean           stopping;
};

G_DEFINE_FINAL_TYPE (SondeDemoServer, sonde_demo_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RATE,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static double
gaussian (GRand *rand)
{
  /* Box–Muller */
  double u = g_rand_double_range (rand, 1e-12, 1.0);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static void
append_number (GString    *out,
               gboolean   *first,
               const char *name,
               double      value,
               const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  sonde_json_append_member (out, first, name);
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static gboolean
build_tick (Client  *client,
            gint64   now_ms)
{
  guint i = (guint) (client->sent % G_N_ELEMENTS (symbols));
  GString *out = client->buffer;
  gboolean first = TRUE;
  double price;

  client->prices[i] *= exp (0.0015 * gaussian (client->rand));
  price = MAX (client->prices[i], 0.01);

  g_string_append_c (out, '{');
  sonde_json_append_string_member (out, &first, "type", "tick");
  sonde_json_append_string_member (out, &first, "sym", symbols[i].symbol);
  append_number (out, &first, "price", price, "%.2f");
  sonde_json_append_int_member (out, &first, "volume", g_rand_int_range (client->rand, 1, 500));
  sonde_json_append_int_member (out, &first, "ts", now_ms);
  sonde_json_append_int_member (out, &first, "seq", (gint64) client->sent);
  g_string_append_c (out, '}');
  return TRUE;
}

/* Returns FALSE when this sensor is in a dropout and sends nothing. */
static gboolean
build_reading (Client  *client,
               gint64   now_ms)
{
  guint i = (guint) (client->sent % G_N_ELEMENTS (sensors));
  GString *out = client->buffer;
  gboolean first = TRUE;
  double t = (double) now_ms / 1000.0;
  double temperature;
  double humidity;
  double roll;

  if (now_ms < client->silent_until[i])
    return FALSE;

  roll = g_rand_double (client->rand);
  if (roll < 0.005)
    {
      /* A dropout: the sensor goes quiet for a few seconds. */
      client->silent_until[i] = now_ms + g_rand_int_range (client->rand, 2000, 5000);
      return FALSE;
    }

  temperature = sensors[i].temperature + 1.5 * sin (t / 30.0 + i) + 0.2 * gaussian (client->rand);
  humidity = sensors[i].humidity + 4.0 * cos (t / 45.0 + i) + 0.5 * gaussian (client->rand);
  client->battery[i] = MAX (client->battery[i] - 0.00002, 3.3);

  /* A spike: one reading far off. */
  if (roll > 0.99)
    temperature += g_rand_double_range (client->rand, 15.0, 25.0);

  g_string_append_c (out, '{');
  sonde_json_append_string_member (out, &first, "type", "reading");
  sonde_json_append_string_member (out, &first, "sensor", sensors[i].name);
  if (roll > 0.98 && roll <= 0.99)
    {
      /* A reading that failed: the field is there, the value is not. */
      sonde_json_append_member (out, &first, "temperature");
      g_string_append (out, "null");
    }
  else
    append_number (out, &first, "temperature", temperature, "%.2f");
  append_number (out, &first, "humidity", humidity, "%.1f");
  append_number (out, &first, "battery", client->battery[i], "%.3f");
  sonde_json_append_int_member (out, &first, "ts", now_ms);
  sonde_json_append_int_member (out, &first, "seq", (gint64) client->sent);
  g_string_append_c (out, '}');
  return TRUE;
}

static gboolean
on_client_tick (gpointer data)
{
  Client *client = data;
  gint64 now = g_get_monotonic_time ();
  gint64 now_ms = g_get_real_time () / 1000;
  guint64 due = (guint64) ((double) (now - client->start_us) / G_USEC_PER_SEC * client->rate) + 1;
  guint burst = 0;

  /* Catch up after a stall, but never in one unbounded burst. A send can
   * end the connection (a write error closes it at once), so the state is
   * checked before each one. */
  while (client->sent < due && burst < MAX_BURST &&
         soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      gboolean built;

      g_string_truncate (client->buffer, 0);
      built = client->kind == FEED_TICKER ? build_tick (client, now_ms) : build_reading (client, now_ms);
      client->sent++;
      burst++;
      if (built)
        soup_websocket_connection_send_text (client->ws, client->buffer->str);
    }

  if (client->sent < due)
    client->start_us += (gint64) ((double) (due - client->sent) / client->rate * G_USEC_PER_SEC);

  return G_SOURCE_CONTINUE;
}

static void
client_free (gpointer data)
{
  Client *client = data;

  if (client->timer != NULL)
    {
      g_source_destroy (client->timer);
      g_source_unref (client->timer);
    }
  g_signal_handlers_disconnect_by_data (client->ws, client);
  g_object_unref (client->ws);
  g_clear_pointer (&client->rand, g_rand_free);
  g_string_free (client->buffer, TRUE);
  g_free (client);
}

static void
on_client_closed (SoupWebsocketConnection *ws,
                  Client                  *client)
{
  SondeDemoServer *self = client->server;

  g_ptr_array_remove (self->clients, client);

  g_mutex_lock (&self->lock);
  self->n_clients--;
  g_mutex_unlock (&self->lock);

  if (self->stopping && self->clients->len == 0)
    sonde_server_thread_quit (self->thread);
}

static void
on_echo_message (SoupWebsocketConnection *ws,
                 SoupWebsocketDataType    type,
                 GBytes                  *message,
                 Client                  *client)
{
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (ws, type, message);
}

static double
query_double (GHashTable *params,
              const char *name,
              double      fallback)
{
  const char *text = params ? g_hash_table_lookup (params, name) : NULL;
  char *end = NULL;
  double value;

  if (text == NULL)
    return fallback;

  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value) || value <= 0)
    return fallback;
  return value;
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  SondeDemoServer *self = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) params = NULL;
  Client *client = g_new0 (Client, 1);
  double rate;

  if (g_uri_get_query (uri) != NULL)
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);

  g_mutex_lock (&self->lock);
  rate = self->rate;
  self->n_clients++;
  g_mutex_unlock (&self->lock);

  client->server = self;
  client->ws = g_object_ref (ws);
  client->buffer = g_string_sized_new (256);
  client->rate = CLAMP (query_double (params, "rate", rate), 0.01, SONDE_DEMO_SERVER_MAX_RATE);
  client->rand = g_rand_new_with_seed ((guint32) query_double (params, "seed", g_random_int_range (1, G_MAXINT32)));
  client->start_us = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    client->prices[i] = symbols[i].start_price;
  for (guint i = 0; i < G_N_ELEMENTS (sensors); i++)
    client->battery[i] = 3.7 - 0.05 * i;

  g_ptr_array_add (self->clients, client);
  g_signal_connect (ws, "closed", G_CALLBACK (on_client_closed), client);

  if (g_str_has_prefix (path, "/echo"))
    {
      soup_websocket_connection_set_max_incoming_payload_size (ws, ECHO_MAX_PAYLOAD);
      g_signal_connect (ws, "message", G_CALLBACK (on_echo_message), client);
      return;
    }

  client->kind = g_str_has_prefix (path, "/sensors") ? FEED_SENSORS : FEED_TICKER;
  client->timer = g_timeout_source_new ((guint) CLAMP (1000.0 / client->rate, 1.0, 1000.0));
  g_source_set_static_name (client->timer, "[sonde] demo feed");
  g_source_set_callback (client->timer, on_client_tick, client, NULL);
  g_source_attach (client->timer, sonde_server_thread_get_context (self->thread));
  on_client_tick (client);
}

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char body[] =
    "Sonde demo feed. WebSocket endpoints:\n"
    "  /ticker   JSON price ticks (?rate=HZ, ?seed=N)\n"
    "  /sensors  JSON sensor readings with spikes and dropouts (?rate=HZ, ?seed=N)\n"
    "  /echo     echoes text and binary messages\n";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
}

static gboolean
setup_server (SondeServerThread  *thread,
              gpointer            data,
              GError            **error)
{
  SondeDemoServer *self = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  self->stopping = FALSE;

  server = soup_server_new ("server-header", "Sonde-demo/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (server, NULL, on_http, self, NULL);
  soup_server_add_websocket_handler (server, "/ticker", NULL, NULL, on_websocket, self, NULL);
  soup_server_add_websocket_handler (server, "/sensors", NULL, NULL, on_websocket, self, NULL);
  soup_server_add_websocket_handler (server, "/echo", NULL, NULL, on_websocket, self, NULL);

  return sonde_server_thread_listen (thread, server, loopback, self->requested_port, 0, error);
}

static void
teardown_server (SondeServerThread *thread,
                 gpointer           data)
{
  SondeDemoServer *self = data;

  /* Clients that did not complete the close in time go without their
   * "closed" signal: forget them here. */
  g_ptr_array_set_size (self->clients, 0);
  g_mutex_lock (&self->lock);
  self->n_clients = 0;
  g_mutex_unlock (&self->lock);
}

static gboolean
on_stop_request (gpointer data)
{
  SondeDemoServer *self = data;

  self->stopping = TRUE;
  if (self->clients->len == 0)
    {
      sonde_server_thread_quit (self->thread);
      return G_SOURCE_REMOVE;
    }

  /* Say goodbye properly: the loop runs on until every client has closed,
   * or for a second at most. */
  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "demo server stopping");
    }
  sonde_server_thread_quit_after (self->thread, 1000);
  return G_SOURCE_REMOVE;
}

static void
sonde_demo_server_dispose (GObject *object)
{
  SondeDemoServer *self = (SondeDemoServer *) object;

  sonde_demo_server_stop (self);

  G_OBJECT_CLASS (sonde_demo_server_parent_class)->dispose (object);
}

static void
sonde_demo_server_finalize (GObject *object)
{
  SondeDemoServer *self = (SondeDemoServer *) object;

  g_clear_pointer (&self->thread, sonde_server_thread_free);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sonde_demo_server_parent_class)->finalize (object);
}

static void
sonde_demo_server_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SondeDemoServer *self = SONDE_DEMO_SERVER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      g_value_set_double (value, sonde_demo_server_get_rate (self));
      break;
    case PROP_PORT:
      g_value_set_uint (value, sonde_demo_server_get_port (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_demo_server_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SondeDemoServer *self = SONDE_DEMO_SERVER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      sonde_demo_server_set_rate (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_demo_server_class_init (SondeDemoServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_demo_server_dispose;
  object_class->finalize = sonde_demo_server_finalize;
  object_class->get_property = sonde_demo_server_get_property;
  object_class->set_property = sonde_demo_server_set_property;

  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0.01, SONDE_DEMO_SERVER_MAX_RATE, SONDE_DEMO_SERVER_DEFAULT_RATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_demo_server_init (SondeDemoServer *self)
{
  g_mutex_init (&self->lock);
  self->thread = sonde_server_thread_new ("sonde-demo");
  self->rate = SONDE_DEMO_SERVER_DEFAULT_RATE;
  self->clients = g_ptr_array_new_with_free_func (client_free);
}

SondeDemoServer *
sonde_demo_server_new (void)
{
  return g_object_new (SONDE_TYPE_DEMO_SERVER, NULL);
}

double
sonde_demo_server_get_rate (SondeDemoServer *self)
{
  double rate;

  g_return_val_if_fail (SONDE_IS_DEMO_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  rate = self->rate;
  g_mutex_unlock (&self->lock);
  return rate;
}

/* Messages per second for feeds opened from now on (?rate= overrides). */
void
sonde_demo_server_set_rate (SondeDemoServer *self,
                            double           rate)
{
  gboolean changed;

  g_return_if_fail (SONDE_IS_DEMO_SERVER (self));
  g_return_if_fail (rate > 0 && rate <= SONDE_DEMO_SERVER_MAX_RATE);

  g_mutex_lock (&self->lock);
  changed = self->rate != rate;
  self->rate = rate;
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

/* Listens on 127.0.0.1:@port (0 for any free port) and returns once the
 * server accepts connections, or with the reason it cannot. */
gboolean
sonde_demo_server_start (SondeDemoServer  *self,
                         guint16           port,
                         GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SONDE_IS_DEMO_SERVER (self), FALSE);
  g_return_val_if_fail (!sonde_server_thread_is_running (self->thread), FALSE);

  self->requested_port = port;
  if (!sonde_server_thread_start (self->thread, setup_server, teardown_server, self, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The demo server cannot listen on 127.0.0.1:%u: "), port);
      return FALSE;
    }

  return TRUE;
}

/* Closes every feed with 1001 and stops the server thread. */
void
sonde_demo_server_stop (SondeDemoServer *self)
{
  g_return_if_fail (SONDE_IS_DEMO_SERVER (self));

  sonde_server_thread_stop (self->thread, on_stop_request, self);
}

guint16
sonde_demo_server_get_port (SondeDemoServer *self)
{
  g_return_val_if_fail (SONDE_IS_DEMO_SERVER (self), 0);

  return sonde_server_thread_get_port (self->thread);
}

/* "ws://127.0.0.1:PORT@path" */
char *
sonde_demo_server_dup_url (SondeDemoServer *self,
                           const char      *path)
{
  g_return_val_if_fail (SONDE_IS_DEMO_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  return g_strdup_printf ("ws://127.0.0.1:%u%s", sonde_demo_server_get_port (self), path);
}

guint
sonde_demo_server_get_n_clients (SondeDemoServer *self)
{
  guint n;

  g_return_val_if_fail (SONDE_IS_DEMO_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_clients;
  g_mutex_unlock (&self->lock);
  return n;
}
