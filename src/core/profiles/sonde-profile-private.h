/* sonde-profile-private.h: what the profile's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-profile.c holds the object and its connection accessors;
 * sonde-profile-session.c the accessors of what its sessions do once
 * connected; sonde-profile-json.c reads and writes profiles as JSON;
 * sonde-profile-validate.c finds the problems the editor shows;
 * sonde-profile-connect.c applies a profile to a connection.
 */
#pragma once

#include "sonde-app-protocol.h"
#include "sonde-profile.h"

G_BEGIN_DECLS

#define MIN_RETENTION_BYTES 1024

struct _SondeProfile
{
  GObject               parent_instance;

  /* owned */
  char                 *id;
  char                 *name;                 /* never NULL */
  SondeConnectionOptions *options;           /* never NULL; its url never NULL; its pin kept
                                                 whatever the TLS policy, applied when pinned */

  SondeAuthKind         auth_kind;
  char                 *auth_username;
  char                 *auth_key_name;
  char                 *auth_secret_env;   /* where a headless run finds the secret; NULL: the keyring */

  SondeTlsPolicy        tls_policy;
  char                 *client_certificate;

  SondeProfileMessage  *heartbeat;
  guint                 heartbeat_interval_s;
  SondeProfileMessage  *probe;                /* latency probe; NULL: none */
  char                 *probe_path;
  guint                 probe_interval_s;

  GPtrArray            *on_open;              /* SondeProfileMessage*, never NULL */
  GPtrArray            *templates;            /* SondeProfileMessage*, never NULL */

  guint                 retention_count;
  guint64               retention_bytes;
  gboolean              record;               /* its sessions are recorded */
  char                 *decode;               /* the decoder chain ("gzip,msgpack"), or NULL */
  char                 *proto_descriptor;     /* with "protobuf": a FileDescriptorSet file */
  char                 *proto_type;           /* with "protobuf": the message type */
  SondeAppProtocolKind  app_kind;             /* the protocol mode its sessions speak */
  SondeAppProtocolOptions *app_options;       /* never NULL; its password is the profile's secret, never here */
  JsonNode             *charts;
  JsonNode             *notifications;       /* SondeNotifier's rules, or NULL */
  JsonNode             *integrity;           /* SondeIntegrity's rules, or NULL */
};

extern const char * const sonde_profile_auth_kind_names[5];
extern const char * const sonde_profile_tls_policy_names[2];

/* sonde-profile.c */
gboolean  sonde_profile_replace_str          (char       **slot,
                                              const char  *value);
gboolean  sonde_profile_replace_optional_str (char       **slot,
                                              const char  *value);
gboolean  sonde_profile_has_control_char     (const char  *text);
char     *sonde_profile_normalize_fingerprint (const char *text);
/* Emits "changed" (the store saves). */
void      sonde_profile_emit_changed         (SondeProfile *self);

/* sonde-profile-session.c */
/* A deep copy of a list of SondeProfileMessage (NULL: an empty list). */
GPtrArray *sonde_profile_copy_messages       (GPtrArray   *messages);

G_END_DECLS
