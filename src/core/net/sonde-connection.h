/* sonde-connection.h: one live WebSocket link and its message log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-connection-options.h"
#include "sonde-connection-state.h"
#include "sonde-handshake.h"
#include "sonde-message-log.h"
#include "sonde-profile-message.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

typedef struct {
  guint64 messages_in;
  guint64 messages_out;
  guint64 bytes_in;
  guint64 bytes_out;
  double  messages_in_per_s;
  double  bytes_in_per_s;
  double  messages_out_per_s;
  double  bytes_out_per_s;
  gint64  last_in_wall_us;   /* 0 before the first received message */
  gint64  last_out_wall_us;
  /* Frames as they crossed the wire, this connection and the ones before
   * it (control frames: close, ping, pong). */
  guint64 frames_in;
  guint64 frames_out;
  guint64 control_in;
  guint64 control_out;
} SondeStats;

#define SONDE_TYPE_CONNECTION (sonde_connection_get_type ())
G_DECLARE_FINAL_TYPE (SondeConnection, sonde_connection, SONDE, CONNECTION, GObject)

SondeConnection      *sonde_connection_new                   (void);
SondeMessageLog      *sonde_connection_get_log               (SondeConnection  *self);

/* Options: they apply to the next connect(). */
const SondeConnectionOptions *sonde_connection_get_options   (SondeConnection  *self);
void                  sonde_connection_set_options           (SondeConnection  *self,
                                                              const SondeConnectionOptions *options);
const char           *sonde_connection_get_url               (SondeConnection  *self);
void                  sonde_connection_set_url               (SondeConnection  *self,
                                                              const char       *url);
const char * const   *sonde_connection_get_headers           (SondeConnection  *self);
void                  sonde_connection_set_headers           (SondeConnection  *self,
                                                              const char * const *headers);
const char * const   *sonde_connection_get_protocols         (SondeConnection  *self);
void                  sonde_connection_set_protocols         (SondeConnection  *self,
                                                              const char * const *protocols);
const char           *sonde_connection_get_origin            (SondeConnection  *self);
void                  sonde_connection_set_origin            (SondeConnection  *self,
                                                              const char       *origin);
guint64               sonde_connection_get_max_message_size    (SondeConnection  *self);
void                  sonde_connection_set_max_message_size    (SondeConnection  *self,
                                                              guint64           max_message_size);
gboolean              sonde_connection_get_deflate           (SondeConnection  *self);
void                  sonde_connection_set_deflate           (SondeConnection  *self,
                                                              gboolean          deflate);
gboolean              sonde_connection_get_follow_redirects  (SondeConnection  *self);
void                  sonde_connection_set_follow_redirects  (SondeConnection  *self,
                                                              gboolean          follow_redirects);
guint                 sonde_connection_get_handshake_timeout (SondeConnection  *self);
void                  sonde_connection_set_handshake_timeout (SondeConnection  *self,
                                                              guint             timeout_ms);

gboolean              sonde_connection_connect               (SondeConnection  *self,
                                                              GError          **error);
gboolean              sonde_connection_close                 (SondeConnection  *self,
                                                              guint             code,
                                                              const char       *reason,
                                                              GError          **error);
gboolean              sonde_connection_send_text             (SondeConnection  *self,
                                                              const char       *text,
                                                              gssize            length,
                                                              GError          **error);
gboolean              sonde_connection_send_json             (SondeConnection  *self,
                                                              const char       *text,
                                                              gssize            length,
                                                              GError          **error);
gboolean              sonde_connection_send_binary           (SondeConnection  *self,
                                                              GBytes           *bytes,
                                                              GError          **error);
gboolean              sonde_connection_send_full             (SondeConnection  *self,
                                                              SondeMessageKind  kind,
                                                              SondeRecordFlags  flags,
                                                              GBytes           *bytes,
                                                              GError          **error);

/* Where a received message holds several messages of an application
 * protocol: fills @slices (SondeMessageSlice, in order) and returns TRUE;
 * FALSE (or one slice) keeps it one record. Main thread. */
typedef struct {
  gsize offset;
  gsize length;
} SondeMessageSlice;
typedef gboolean (*SondeMessageSplitter) (const guint8 *data,
                                          gsize         length,
                                          GArray       *slices,
                                          gpointer      user_data);
void                  sonde_connection_set_splitter          (SondeConnection      *self,
                                                              SondeMessageSplitter  func,
                                                              gpointer              user_data);
/* What the connection carries says the peer is gone (a protocol's own
 * heart-beat stopped): the transport is dropped as by the pong timeout
 * (1006, an error saying @why) and the reconnect policy applies. FALSE
 * when the connection is not open. */
gboolean              sonde_connection_declare_dead          (SondeConnection  *self,
                                                              const char       *why);
gboolean              sonde_connection_send_ping             (SondeConnection  *self,
                                                              const guint8     *payload,
                                                              gsize             length,
                                                              GError          **error);
void                  sonde_connection_set_echo              (SondeConnection  *self,
                                                              gboolean          echo);
gboolean              sonde_connection_get_show_frames       (SondeConnection  *self);
void                  sonde_connection_set_show_frames       (SondeConnection  *self,
                                                              gboolean          show);

guint                 sonde_connection_get_keepalive         (SondeConnection  *self);
void                  sonde_connection_set_keepalive         (SondeConnection  *self,
                                                              guint             seconds);
void                  sonde_connection_set_on_open           (SondeConnection  *self,
                                                              GPtrArray        *messages);
void                  sonde_connection_set_heartbeat         (SondeConnection  *self,
                                                              const SondeProfileMessage *message,
                                                              guint             interval_s);

gboolean              sonde_connection_set_latency_probe     (SondeConnection  *self,
                                                              const SondeProfileMessage *message,
                                                              const char       *reply_path,
                                                              guint             interval_s,
                                                              GError          **error);
gboolean              sonde_connection_get_latency_probe     (SondeConnection  *self);

void                  sonde_connection_set_pong_timeout      (SondeConnection  *self,
                                                              guint             seconds);
guint                 sonde_connection_get_pong_timeout      (SondeConnection  *self);
void                  sonde_connection_set_reconnect         (SondeConnection  *self,
                                                              const SondeReconnectPolicy *policy);
void                  sonde_connection_get_reconnect         (SondeConnection  *self,
                                                              SondeReconnectPolicy *policy);
guint                 sonde_connection_get_attempt           (SondeConnection  *self);
gint64                sonde_connection_get_reconnect_at      (SondeConnection  *self);
gboolean              sonde_connection_reconnect_now         (SondeConnection  *self,
                                                              GError          **error);
const char           *sonde_connection_get_pinned_sha256     (SondeConnection  *self);
void                  sonde_connection_set_pinned_sha256     (SondeConnection  *self,
                                                              const char       *sha256);
void                  sonde_connection_set_client_certificate (SondeConnection *self,
                                                              GTlsCertificate  *certificate);
const char           *sonde_connection_get_proxy             (SondeConnection  *self);
void                  sonde_connection_set_proxy             (SondeConnection  *self,
                                                              const char       *proxy_url);
SondeRedactor        *sonde_connection_get_redactor          (SondeConnection  *self);
const char           *sonde_connection_get_refused_certificate (SondeConnection *self,
                                                              const char      **description);
void                  sonde_connection_set_redactor          (SondeConnection  *self,
                                                              SondeRedactor    *redactor);

GBytes               *sonde_connection_render_template       (SondeConnection  *self,
                                                              const char       *text,
                                                              SondeMessageFormat format,
                                                              GError          **error);

SondeConnectionState  sonde_connection_get_state             (SondeConnection  *self);
SondeHandshake       *sonde_connection_get_handshake         (SondeConnection  *self);
const char           *sonde_connection_get_protocol          (SondeConnection  *self);
guint                 sonde_connection_get_close_code        (SondeConnection  *self);
const char           *sonde_connection_get_close_reason      (SondeConnection  *self);
gboolean              sonde_connection_get_close_was_clean   (SondeConnection  *self);
const GError         *sonde_connection_get_error             (SondeConnection  *self);
void                  sonde_connection_get_stats             (SondeConnection  *self,
                                                              SondeStats       *stats);

const char           *sonde_connection_state_to_string       (SondeConnectionState state);

/* Process-wide: the I/O threads of connections started from now on run
 * @increment nice levels nicer (less urgent) than the thread that starts
 * them (Linux; 0, the default: the same). */
void                  sonde_connection_set_io_niceness       (guint             increment);

/* A replay's records (sonde-connection-replay.c): appended as the link's
 * batches append them, with the totals and states they imply; only while
 * the connection has no link. */
guint64               sonde_connection_replay_append         (SondeConnection  *self,
                                                              const SondeRecord *record);
void                  sonde_connection_replay_reset          (SondeConnection  *self);
void                  sonde_connection_replay_end            (SondeConnection  *self);

G_END_DECLS
