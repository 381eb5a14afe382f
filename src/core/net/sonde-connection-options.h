/* sonde-connection-options.h: what a connection connects with, and the one
 * validator of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One type for the handshake, TLS, proxy, limits, liveness and reconnect
 * settings: a profile keeps one, a connection connects with one, its link
 * (the I/O thread) gets a copy, and sonde-cli builds one from the command
 * line. sonde_connection_options_validate() is the only place these
 * settings are checked; its problems are keyed by field name, so that the
 * profile editor marks the field that is wrong.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  gboolean enabled;
  guint    base_ms;             /* the first delay's upper bound (default 1000) */
  guint    cap_ms;              /* the largest delay (default 60000) */
  guint    max_attempts;        /* 0: no limit */
  guint    min_uptime_ms;       /* the attempt counter resets after this much uptime (default 10000) */
} SondeReconnectPolicy;

#define SONDE_DEFAULT_MAX_MESSAGE_SIZE     ((guint64) 64 * 1024 * 1024)
#define SONDE_MAX_MAX_MESSAGE_SIZE         ((guint64) 2 * 1024 * 1024 * 1024 - 1)
#define SONDE_DEFAULT_HANDSHAKE_TIMEOUT  15000u

typedef struct {
  char                 *url;                  /* as given; NULL: none yet */
  char                **headers;              /* "Name: value"; NULL: none */
  char                **protocols;            /* subprotocols offered; NULL: none */
  char                 *origin;
  guint64               max_message_size;       /* the largest incoming message, bytes */
  gboolean              deflate;              /* offer permessage-deflate */
  gboolean              follow_redirects;
  guint                 handshake_timeout_ms; /* the whole opening handshake */
  guint                 keepalive_s;          /* pings; 0: none */
  guint                 pong_timeout_s;       /* the watchdog; 0: none */
  char                 *pinned_sha256;        /* accept only this certificate; NULL: the system's store */
  char                 *ca_file;              /* trust the CAs in this PEM file instead of the system's; NULL: the system's */
  gboolean              insecure;             /* accept any certificate (still recorded in the events) */
  char                 *proxy;                /* NULL: the system's proxy settings */
  SondeReconnectPolicy  reconnect;
} SondeConnectionOptions;

/* One problem, for the field it is about: "url", "headers[2]",
 * "protocols[0]", "origin", "max-message-size", "handshake-timeout",
 * "tls-pinned-sha256", "tls-ca-file", "tls-insecure", "proxy", "pong-timeout", "reconnect", … */
typedef struct {
  char *field;
  char *message;
} SondeProblem;

#define SONDE_TYPE_CONNECTION_OPTIONS (sonde_connection_options_get_type ())

GType                   sonde_connection_options_get_type (void) G_GNUC_CONST;
SondeConnectionOptions *sonde_connection_options_new      (void);
SondeConnectionOptions *sonde_connection_options_copy     (const SondeConnectionOptions *options);
void                    sonde_connection_options_free     (SondeConnectionOptions       *options);
gboolean                sonde_connection_options_equal    (const SondeConnectionOptions *a,
                                                           const SondeConnectionOptions *b);

GPtrArray              *sonde_connection_options_validate (const SondeConnectionOptions *options);
gboolean                sonde_connection_options_check    (const SondeConnectionOptions *options,
                                                           GError                      **error);

gboolean                sonde_connection_check_header     (const char                   *header,
                                                           GError                      **error);
gboolean                sonde_http_is_token               (const char                   *text);
gboolean                sonde_text_has_control_char       (const char                   *text);

void                    sonde_problem_add                 (GPtrArray                    *problems,
                                                           const char                   *field,
                                                           const char                   *message);
void                    sonde_problem_add_printf          (GPtrArray                    *problems,
                                                           const char                   *field,
                                                           const char                   *format,
                                                           ...) G_GNUC_PRINTF (3, 4);
void                    sonde_problem_free                (SondeProblem                 *problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeConnectionOptions, sonde_connection_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeProblem, sonde_problem_free)

G_END_DECLS
