/* sonde-profile.h: everything needed to connect to a service and watch it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sonde-app-protocol.h"
#include "sonde-connection.h"
#include "sonde-profile-message.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_AUTH_NONE,
  SONDE_AUTH_BEARER,            /* Authorization: Bearer <secret> */
  SONDE_AUTH_BASIC,             /* Authorization: Basic base64(<username>:<secret>) */
  SONDE_AUTH_API_KEY_HEADER,    /* <key-name>: <secret> */
  SONDE_AUTH_API_KEY_QUERY,     /* ?<key-name>=<secret> added to the URL */
} SondeAuthKind;

typedef enum {
  SONDE_TLS_VERIFY,             /* the system's trust store (the default) */
  SONDE_TLS_PINNED,             /* only the certificate with the pinned SHA-256 fingerprint */
} SondeTlsPolicy;


#define SONDE_PROFILE_SCHEMA_VERSION 1

#define SONDE_TYPE_PROFILE (sonde_profile_get_type ())
G_DECLARE_FINAL_TYPE (SondeProfile, sonde_profile, SONDE, PROFILE, GObject)

SondeProfile               *sonde_profile_new                (void);
SondeProfile               *sonde_profile_new_for_url        (const char            *url);
SondeProfile               *sonde_profile_duplicate          (SondeProfile          *self);

/* Identity */
const char                 *sonde_profile_get_id             (SondeProfile          *self);
const char                 *sonde_profile_get_name           (SondeProfile          *self);
void                        sonde_profile_set_name           (SondeProfile          *self,
                                                              const char            *name);
/* Handshake */
const char                 *sonde_profile_get_url            (SondeProfile          *self);
void                        sonde_profile_set_url            (SondeProfile          *self,
                                                              const char            *url);
const char * const         *sonde_profile_get_headers        (SondeProfile          *self);
void                        sonde_profile_set_headers        (SondeProfile          *self,
                                                              const char * const    *headers);
const char * const         *sonde_profile_get_protocols      (SondeProfile          *self);
void                        sonde_profile_set_protocols      (SondeProfile          *self,
                                                              const char * const    *protocols);
const char                 *sonde_profile_get_origin         (SondeProfile          *self);
void                        sonde_profile_set_origin         (SondeProfile          *self,
                                                              const char            *origin);
guint64                     sonde_profile_get_max_message_size (SondeProfile          *self);
void                        sonde_profile_set_max_message_size (SondeProfile          *self,
                                                              guint64                size);
gboolean                    sonde_profile_get_deflate        (SondeProfile          *self);
void                        sonde_profile_set_deflate        (SondeProfile          *self,
                                                              gboolean               deflate);
/* Authentication: the secret itself is never here (see SondeSecrets). */
SondeAuthKind               sonde_profile_get_auth_kind      (SondeProfile          *self);
void                        sonde_profile_set_auth_kind      (SondeProfile          *self,
                                                              SondeAuthKind          kind);
const char                 *sonde_profile_get_auth_username  (SondeProfile          *self);
void                        sonde_profile_set_auth_username  (SondeProfile          *self,
                                                              const char            *username);
/* The environment variable that holds the secret where no keyring runs
 * (sonde-cli monitor and connect read it); NULL: the keyring. */
const char                 *sonde_profile_get_auth_secret_env (SondeProfile         *self);
void                        sonde_profile_set_auth_secret_env (SondeProfile         *self,
                                                              const char            *name);
const char                 *sonde_profile_get_auth_key_name  (SondeProfile          *self);
void                        sonde_profile_set_auth_key_name  (SondeProfile          *self,
                                                              const char            *name);
/* TLS and proxy */
SondeTlsPolicy              sonde_profile_get_tls_policy     (SondeProfile          *self);
void                        sonde_profile_set_tls_policy     (SondeProfile          *self,
                                                              SondeTlsPolicy         policy);
const char                 *sonde_profile_get_pinned_sha256  (SondeProfile          *self);
void                        sonde_profile_set_pinned_sha256  (SondeProfile          *self,
                                                              const char            *fingerprint);
const char                 *sonde_profile_get_client_certificate (SondeProfile      *self);
void                        sonde_profile_set_client_certificate (SondeProfile      *self,
                                                                  const char        *path);
const char                 *sonde_profile_get_proxy          (SondeProfile          *self);
void                        sonde_profile_set_proxy          (SondeProfile          *self,
                                                              const char            *proxy_url);
/* Liveness */
guint                       sonde_profile_get_keepalive      (SondeProfile          *self);
void                        sonde_profile_set_keepalive      (SondeProfile          *self,
                                                              guint                  seconds);
guint                       sonde_profile_get_pong_timeout   (SondeProfile          *self);
void                        sonde_profile_set_pong_timeout   (SondeProfile          *self,
                                                              guint                  seconds);
const SondeProfileMessage  *sonde_profile_get_heartbeat      (SondeProfile          *self);
guint                       sonde_profile_get_heartbeat_interval (SondeProfile      *self);
void                        sonde_profile_set_heartbeat      (SondeProfile          *self,
                                                              const SondeProfileMessage *message,
                                                              guint                  interval_s);
const SondeProfileMessage  *sonde_profile_get_latency_probe  (SondeProfile          *self,
                                                              const char           **reply_path,
                                                              guint                 *interval_s);
void                        sonde_profile_set_latency_probe  (SondeProfile          *self,
                                                              const SondeProfileMessage *message,
                                                              const char            *reply_path,
                                                              guint                  interval_s);
void                        sonde_profile_get_reconnect      (SondeProfile          *self,
                                                              SondeReconnectPolicy  *policy);
void                        sonde_profile_set_reconnect      (SondeProfile          *self,
                                                              const SondeReconnectPolicy *policy);
/* Messages */
GPtrArray                  *sonde_profile_get_on_open        (SondeProfile          *self);
void                        sonde_profile_set_on_open        (SondeProfile          *self,
                                                              GPtrArray             *messages);
GPtrArray                  *sonde_profile_get_templates      (SondeProfile          *self);
void                        sonde_profile_set_templates      (SondeProfile          *self,
                                                              GPtrArray             *messages);
/* Log and charts */
gboolean                    sonde_profile_get_record         (SondeProfile          *self);
void                        sonde_profile_set_record         (SondeProfile          *self,
                                                              gboolean               record);
const char                 *sonde_profile_get_decode         (SondeProfile          *self,
                                                              const char           **proto_descriptor,
                                                              const char           **proto_type);
void                        sonde_profile_set_decode         (SondeProfile          *self,
                                                              const char            *decode,
                                                              const char            *proto_descriptor,
                                                              const char            *proto_type);
/* The protocol mode (issue: protocol modes); the options' password is
 * never kept: a mode that logs in (MQTT, STOMP) takes the profile's Basic
 * authentication username and secret. */
SondeAppProtocolKind        sonde_profile_get_app_protocol   (SondeProfile          *self,
                                                              const SondeAppProtocolOptions **options);
void                        sonde_profile_set_app_protocol   (SondeProfile          *self,
                                                              SondeAppProtocolKind   kind,
                                                              const SondeAppProtocolOptions *options);
guint                       sonde_profile_get_retention_count (SondeProfile         *self);
guint64                     sonde_profile_get_retention_bytes (SondeProfile         *self);
void                        sonde_profile_set_retention      (SondeProfile          *self,
                                                              guint                  max_count,
                                                              guint64                max_bytes);
JsonNode                   *sonde_profile_get_notifications  (SondeProfile          *self);
void                        sonde_profile_set_notifications  (SondeProfile          *self,
                                                              JsonNode              *rules);
JsonNode                   *sonde_profile_get_integrity      (SondeProfile          *self);
void                        sonde_profile_set_integrity      (SondeProfile          *self,
                                                              JsonNode              *rules);
JsonNode                   *sonde_profile_get_charts         (SondeProfile          *self);
void                        sonde_profile_set_charts         (SondeProfile          *self,
                                                              JsonNode              *charts);

/* The connection settings, at once (sonde-cli overrides them on a copy). */
const SondeConnectionOptions *sonde_profile_get_options     (SondeProfile          *self);
void                        sonde_profile_set_options        (SondeProfile          *self,
                                                              const SondeConnectionOptions *options);

/* Whole profile */
GPtrArray                  *sonde_profile_validate           (SondeProfile          *self);
JsonNode                   *sonde_profile_to_json            (SondeProfile          *self);
SondeProfile               *sonde_profile_new_from_json      (JsonNode              *node,
                                                              GError               **error);
gboolean                    sonde_profile_configure_connection (SondeProfile        *self,
                                                              SondeConnection       *connection,
                                                              const char            *secret,
                                                              GError               **error);


const char                 *sonde_auth_kind_to_string        (SondeAuthKind          kind);


G_END_DECLS
