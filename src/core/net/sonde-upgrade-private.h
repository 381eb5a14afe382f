/* sonde-upgrade-private.h: what the parts of SondeUpgrade share:
 * sonde-upgrade.c (the object, the run, the deadline, the result),
 * sonde-upgrade-connect.c (connection, proxy, TLS, the request written),
 * sonde-upgrade-response.c (the answer read) and sonde-upgrade-http.c (the
 * bytes of the request and the checks of the answer, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "sonde-upgrade.h"

G_BEGIN_DECLS

/* How a refused response's body ends. */
typedef enum {
  SONDE_BODY_NONE,
  SONDE_BODY_LENGTH,      /* Content-Length */
  SONDE_BODY_CHUNKED,
  SONDE_BODY_CLOSE,       /* until the server closes */
} SondeBodyFraming;

#define READ_CHUNK ((gsize) 16 * 1024)


struct _SondeUpgrade
{
  GObject                 parent_instance;

  /* owned, immutable */
  SondeConnectionOptions *options;
  char                   *url;
  GTlsCertificate        *client_certificate;
  SondeRedactor          *redactor;

  /* owned, the run */
  GTask                  *task;
  GCancellable           *cancellable;     /* ours: the caller's and the deadline's */
  GCancellable           *caller_cancellable;
  gulong                  caller_cancel_id;
  GSource                *deadline_source;
  gboolean                deadline_hit;
  gboolean                connected;
  gboolean                succeeded;       /* the stream is the caller's now */
  char                   *authorization;   /* Basic credentials from the URL, once a 401 asked */
  gint64                  start_us;
  guint                   hops;

  /* owned, the current hop */
  GUri                   *uri;
  char                   *hop_url;
  char                   *path;
  char                   *key;
  SoupMessageHeaders     *request_headers;
  GString                *request;
  GSocketClient          *client;
  char                   *proxy;           /* the proxy tried, "http://127.0.0.1:3128", for errors */
  gboolean                own_proxy;       /* an https:// proxy, made by Sonde (not GIO) */
  gboolean                proxy_done;      /* the proxy opened the tunnel */
  GSocketConnection      *proxy_tcp;       /* own proxy: the TCP connection under its TLS */
  GIOStream              *stream;
  GByteArray             *buffer;
  gsize                   head_length;
  SoupHTTPVersion         http_version;
  guint                   status;
  char                   *reason;
  SoupMessageHeaders     *response_headers;
  SondeBodyFraming        framing;
  goffset                 body_length;
  GByteArray             *body;
  gint64                  hop_start_us;
  gint64                  dns_start_us;
  gint64                  dns_end_us;
  gint64                  connect_start_us;
  gint64                  connect_end_us;
  gint64                  tls_start_us;
  gint64                  tls_end_us;
  gint64                  request_start_us;
  gint64                  response_us;

  /* owned, the result */
  GPtrArray              *handshakes;      /* SondeHandshake, one per hop */
  char                   *protocol;
  char                   *extensions;
  GList                  *extension_objects;
  GBytes                 *leftover;
  GTlsCertificate        *peer_certificate;
  GTlsCertificateFlags    peer_errors;
  char                   *pin_problem;
};

/* sonde-upgrade.c */
char                   *sonde_upgrade_dup_host             (SondeUpgrade                 *self);
void                    sonde_upgrade_clear_hop            (SondeUpgrade                 *self);
SondeHandshake         *sonde_upgrade_record_hop           (SondeUpgrade                 *self);
void                    sonde_upgrade_fail                 (SondeUpgrade                 *self,
                                                            GError                       *error);
void                    sonde_upgrade_succeed              (SondeUpgrade                 *self);

/* sonde-upgrade-connect.c */
void                    sonde_upgrade_start_hop            (SondeUpgrade                 *self);

/* sonde-upgrade-response.c */
void                    sonde_upgrade_read_response        (SondeUpgrade                 *self);

/* sonde-upgrade-http.c */
char                   *sonde_upgrade_new_key              (void);
char                   *sonde_upgrade_expected_accept      (const char                   *key);
const char             *sonde_upgrade_deflate_offer        (void);
SoupWebsocketExtension *sonde_upgrade_new_deflate          (guint64                       max_message_size);
char                   *sonde_upgrade_path_and_query       (GUri                         *uri);
char                   *sonde_upgrade_describe_host        (GUri                         *uri);
SoupMessageHeaders     *sonde_upgrade_request_headers      (GUri                         *uri,
                                                            const SondeConnectionOptions *options,
                                                            const char                   *key,
                                                            const char                   *authorization);
char                   *sonde_upgrade_basic_credentials    (GUri                         *uri,
                                                            const SondeConnectionOptions *options,
                                                            SoupMessageHeaders           *response);
GString                *sonde_upgrade_serialize_request    (const char                   *path_and_query,
                                                            SoupMessageHeaders           *headers);
gssize                  sonde_upgrade_find_head_end        (const guint8                 *data,
                                                            gsize                         length,
                                                            gsize                         from);
gboolean                sonde_upgrade_verify_response      (const char                   *host,
                                                            guint                         status,
                                                            SoupMessageHeaders           *response,
                                                            const char                   *key,
                                                            const SondeConnectionOptions *options,
                                                            char                        **protocol,
                                                            GList                       **extensions,
                                                            GError                      **error);
GError                 *sonde_upgrade_refused_error        (guint                         status,
                                                            const char                   *reason,
                                                            SoupMessageHeaders           *response);
SondeBodyFraming        sonde_upgrade_body_framing         (guint                         status,
                                                            SoupMessageHeaders           *response,
                                                            goffset                      *length);
gboolean                sonde_upgrade_decode_chunked       (const guint8                 *raw,
                                                            gsize                         raw_length,
                                                            GByteArray                   *body,
                                                            gsize                         max);

G_END_DECLS
