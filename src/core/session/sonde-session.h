/* sonde-session.h: one live use of a saved profile or of an ad-hoc URL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session owns everything one use of a profile needs: the connection, its
 * message log, the notifier, the series feed and the chart definitions. It
 * applies a profile in one place (sonde_session_connect_async() looks up the
 * secret and applies every setting), so that the window's page and every
 * sonde-cli command are thin views over it. The next parts (recording,
 * decoders, protocol modes) attach here.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-chart-list.h"
#include "sonde-connection.h"
#include "sonde-app-protocol.h"
#include "sonde-decoder.h"
#include "sonde-notifier.h"
#include "sonde-profile.h"
#include "sonde-recorder.h"
#include "sonde-secrets.h"
#include "sonde-series-feed.h"

G_BEGIN_DECLS

#define SONDE_TYPE_SESSION (sonde_session_get_type ())
G_DECLARE_FINAL_TYPE (SondeSession, sonde_session, SONDE, SESSION, GObject)

SondeSession         *sonde_session_new               (void);
SondeSession         *sonde_session_new_for_profile   (SondeProfile         *profile);
SondeSession         *sonde_session_new_demo          (void);

SondeConnection      *sonde_session_get_connection    (SondeSession         *self);
SondeMessageLog      *sonde_session_get_log           (SondeSession         *self);
SondeNotifier        *sonde_session_get_notifier      (SondeSession         *self);
SondeIntegrity       *sonde_session_get_integrity     (SondeSession         *self);
SondeSeriesFeed      *sonde_session_get_feed          (SondeSession         *self);
SondeChartList       *sonde_session_get_charts        (SondeSession         *self);

/* The profile this session is a use of; NULL for an ad-hoc URL. */
SondeProfile         *sonde_session_get_profile       (SondeSession         *self);
void                  sonde_session_set_profile       (SondeSession         *self,
                                                       SondeProfile         *profile);
gboolean              sonde_session_get_demo          (SondeSession         *self);

/* Where the profile's secret comes from: the keyring (@secrets), or, when
 * set, this value (sonde-cli --token-env). */
void                  sonde_session_set_secrets       (SondeSession         *self,
                                                       SondeSecrets         *secrets);
void                  sonde_session_set_secret        (SondeSession         *self,
                                                       const char           *secret);
gboolean              sonde_session_get_secret_missing (SondeSession       *self);
void                  sonde_session_set_show_secrets  (SondeSession         *self,
                                                       gboolean              show_secrets);

/* The profile's: looks up the secret, applies every setting of the
 * profile, connects (closing the current connection first). Completes once
 * the connection has been started (not opened): its state says the rest. */
void                  sonde_session_connect_async     (SondeSession         *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean              sonde_session_connect_finish    (SondeSession         *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* An ad-hoc URL typed by hand: a session of a profile whose URL differs is
 * no longer that profile's. */
gboolean              sonde_session_connect_url       (SondeSession         *self,
                                                       const char           *url,
                                                       GError              **error);
void                  sonde_session_set_adhoc_options (SondeSession         *self,
                                                       const SondeConnectionOptions *options);
const SondeConnectionOptions *sonde_session_get_adhoc_options (SondeSession *self);
void                  sonde_session_disconnect        (SondeSession         *self);
gboolean              sonde_session_reconnect         (SondeSession         *self,
                                                       GError              **error);
gboolean              sonde_session_trust_certificate (SondeSession         *self,
                                                       GError              **error);

SondeConnectionState  sonde_session_get_state         (SondeSession         *self);
gboolean              sonde_session_get_active        (SondeSession         *self);
const char           *sonde_session_get_title         (SondeSession         *self);
const char           *sonde_session_get_shown_url     (SondeSession         *self);
guint64               sonde_session_get_messages_in   (SondeSession         *self);
guint64               sonde_session_get_messages_out  (SondeSession         *self);
guint64               sonde_session_get_bytes_in      (SondeSession         *self);
guint64               sonde_session_get_bytes_out     (SondeSession         *self);

/* Recording. Each connect of the session, through its reconnects until it
 * ends, is one recorded session in the database of its profile (or the
 * ad-hoc one) in @dir; NULL (the default) records nothing. A profile whose
 * "record" switch is off is not recorded. */
void                  sonde_session_set_recordings_dir (SondeSession      *self,
                                                        const char        *dir);
/* Whether a session of an ad-hoc URL records (TRUE by default). */
void                  sonde_session_set_record_adhoc   (SondeSession      *self,
                                                        gboolean           record);
/* Records into this database instead, whatever the profile (sonde-cli
 * record --output): a file, or a store URI (sonde-store-uri.h: sqlite:PATH,
 * postgresql://…). NULL: back to the folder, if any. */
void                  sonde_session_set_recording_path (SondeSession      *self,
                                                        const char        *path);
/* The database the next (or current) recording goes to; NULL when the
 * session does not record. */
char                 *sonde_session_dup_recording_path (SondeSession      *self);
/* Whether a recording is under way ("recording"), and the size of its
 * database on disk ("recording-size", bytes). A recording that stops on a
 * fault emits ::recording-stopped with the reason; capture goes on. */
gboolean              sonde_session_get_recording      (SondeSession      *self);
guint64               sonde_session_get_recording_size (SondeSession      *self);
/* The recorder under way, or NULL. Its session id is 0 until the session
 * has begun in the store (a database server that has not answered yet). */
SondeRecorder        *sonde_session_get_recorder       (SondeSession      *self);

/* Decoding. Messages are read through a decoder chain ("gzip,msgpack";
 * see sonde_decoder_new()): charts, the filter, notification rules, the
 * window and exports read each message's decoded view (the log's
 * SondeRecordViews). A profile's chain is applied at each connect; for an
 * ad-hoc URL it is set here and kept. Property "decoder-spec". */
gboolean              sonde_session_set_decoder        (SondeSession      *self,
                                                        const char        *spec,
                                                        const char        *proto_descriptor,
                                                        const char        *proto_type,
                                                        GError           **error);
const char           *sonde_session_get_decoder_spec   (SondeSession      *self);
const char           *sonde_session_get_decoder_full   (SondeSession      *self,
                                                        const char       **proto_descriptor,
                                                        const char       **proto_type);
SondeDecoder         *sonde_session_get_decoder        (SondeSession      *self);
/* With no chain, the first binary messages of each connection are looked
 * at: a chain they look like is proposed by ::decoder-suggested (its spec)
 * and kept here until accepted (the session decodes with it, and its
 * profile remembers it) or the next proposal. */
const char           *sonde_session_get_suggested_decoder (SondeSession   *self);
gboolean              sonde_session_accept_suggested_decoder (SondeSession *self,
                                                        GError           **error);
/* The decoder @profile's chain names; NULL without an error when it names
 * none. */
SondeDecoder         *sonde_decoder_new_for_profile    (SondeProfile      *profile,
                                                        GError           **error);
/* Views decoded by @decoder (taken) for records read in order from
 * elsewhere than a live log: a recorded session's export and search. */
SondeRecordViews     *sonde_decoder_views_new          (SondeDecoder      *decoder);
/* @log's messages read through @decoder (taken), for a log no session
 * owns; FALSE for a stateful chain (zlib-stream), which only a session
 * decodes. */
gboolean              sonde_decoder_attach_to_log      (SondeDecoder      *decoder,
                                                        SondeMessageLog   *log);
/* Protocol modes (proto/sonde-app-protocol.h): the session speaks @kind
 * with @options from the next connect on (SONDE_APP_PROTOCOL_NONE: none).
 * Property "app-protocol" (its name: "socket.io"…). */
void                  sonde_session_set_app_protocol   (SondeSession      *self,
                                                        SondeAppProtocolKind kind,
                                                        const SondeAppProtocolOptions *options);
SondeAppProtocolKind  sonde_session_get_app_protocol   (SondeSession      *self);
SondeAppProtocol     *sonde_session_get_app            (SondeSession      *self);
/* With no mode, each connection is looked at (the subprotocol the server
 * chose, a /socket.io/ URL, an Engine.IO open packet, a SignalR handshake
 * reply, a JSON-RPC 2.0 message): a mode it looks like is proposed by
 * ::app-protocol-suggested and kept here; accepting it speaks it (kept in
 * the profile) and connects again, as a mode's handshake needs. */
SondeAppProtocolKind  sonde_session_get_suggested_app_protocol (SondeSession *self);
gboolean              sonde_session_accept_suggested_app_protocol (SondeSession *self,
                                                        GError           **error);
gboolean              sonde_session_app_act            (SondeSession      *self,
                                                        const char        *action,
                                                        const char        *argument,
                                                        GError           **error);
/* The same with every field a protocol's action can carry (the composer's
 * forms: STOMP headers, MQTT QoS and retain, GraphQL variables…). */
gboolean              sonde_session_app_act_full       (SondeSession      *self,
                                                        const SondeAppAction *action,
                                                        GError           **error);
/* Replay mode (sonde-session-player.c): the session's records come from a
 * recording, not a connection; it records nothing and its protocol mode
 * sends nothing. For a session that never connected; for good. */
void                  sonde_session_set_replaying     (SondeSession         *self);
gboolean              sonde_session_get_replaying     (SondeSession         *self);
/* A close the user would call normal: 1000, 1001 or no status, cleanly. */
gboolean              sonde_session_close_was_normal  (SondeSession         *self);

G_END_DECLS
