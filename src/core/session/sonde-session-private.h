/* sonde-session-private.h: what the session's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-session.c holds the object, its properties and what it owns;
 * sonde-session-connect.c applies a profile and connects.
 */
#pragma once

#include "sonde-session.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

typedef enum {
  PENDING_NONE,
  PENDING_URL,       /* connect_url() once the last connection has ended */
  PENDING_PROFILE,   /* the profile's connect, likewise */
} Pending;

struct _SondeSession
{
  GObject               parent_instance;

  /* owned */
  SondeConnection      *connection;
  SondeNotifier        *notifier;
  SondeSeriesFeed      *feed;
  SondeChartList       *charts;
  SondeProfile         *profile;
  SondeSecrets         *secrets;
  char                 *secret;         /* given, instead of the keyring's */
  char                 *shown_url;
  char                 *title;         /* host and path of an ad-hoc URL */
  char                 *pending_url;
  GCancellable         *lookup;         /* the keyring lookup under way */

  Pending               pending;
  SondeConnectionState  state;
  gboolean              demo;
  gboolean              show_secrets;
  gboolean              secret_missing; /* the last connect found no secret */
  SondeStats            notified;       /* the totals last notified */
  SondeConnectionOptions *adhoc;        /* for addresses typed by hand; NULL: the defaults */

  /* recording (sonde-session-record.c) */
  char                 *recordings_dir;  /* a database per profile in it; NULL: none */
  char                 *recording_path;  /* this database instead; NULL: none */
  SondeRecorder        *recorder;        /* the recording under way, or NULL */
  gboolean              no_adhoc_record; /* ad-hoc URLs are not recorded */
  GPtrArray            *ending;          /* SondeRecorder: ended, still flushing */
  SondeRedactor        *record_redactor; /* masks secrets out of what is recorded */
  GString              *scratch;         /* a payload with its secrets masked */
  SondeStoreInitiator   closed_by;       /* from the last close event */
  guint                 gap_idle;        /* logs the recorder's gap */
  guint64               gap_skipped;

  /* decoding (sonde-session-decode.c) */
  SondeDecoder         *decoder;         /* the chain messages are read through, or NULL */
  char                 *proto_descriptor;
  char                 *proto_type;
  char                 *suggested;       /* the chain a look at the messages proposed */
  guint                 guess_tries;     /* binary messages looked at since the connect */
  GString              *decode_scratch;

  /* the protocol mode (sonde-session-app.c) */
  SondeAppProtocol     *app;             /* NULL: none */
  guint                 app_opened_idle;
  SondeAppProtocolKind  app_suggested;   /* what a look at the connection proposed */
  gboolean              app_looked;      /* this connection was looked at */

  /* a replay's (sonde-session-player.c): records nothing, sends nothing */
  gboolean              replaying;
};

gboolean sonde_session_is_active_state     (SondeConnectionState  state);
void     sonde_session_report_problem      (SondeSession         *self,
                                            const char           *text);
void     sonde_session_notify_title        (SondeSession         *self);
void     sonde_session_emit_profile_changed (SondeSession        *self);

/* sonde-session-decode.c */
void     sonde_session_decode_init         (SondeSession         *self);
void     sonde_session_decode_dispose      (SondeSession         *self);
void     sonde_session_decode_record       (SondeSession         *self,
                                            const SondeRecord    *record);
gboolean sonde_session_apply_profile_decoder (SondeSession       *self,
                                            GError              **error);
/* sonde-session.c: "decoder", and ::decoder-suggested */
void     sonde_session_notify_decoder      (SondeSession         *self);
void     sonde_session_emit_decoder_suggested (SondeSession      *self,
                                            const char           *spec);

gboolean sonde_session_reapply_decoder_views (SondeSession      *self);
/* sonde-session-app.c */
void     sonde_session_app_prepare         (SondeSession         *self);
void     sonde_session_app_record          (SondeSession         *self,
                                            const SondeRecord    *record);
void     sonde_session_app_schedule_opened (SondeSession         *self);
void     sonde_session_app_apply_views     (SondeSession         *self);
void     sonde_session_app_dispose         (SondeSession         *self);
/* sonde-session.c: "app-protocol", ::app-protocol-suggested */
void     sonde_session_notify_app_protocol (SondeSession         *self);
void     sonde_session_emit_app_protocol_suggested (SondeSession *self,
                                            const char           *mode);

/* sonde-session-record.c */
void     sonde_session_record_init         (SondeSession         *self);
/* sonde-session.c: "recording" (when @recording_changed) and "recording-size" */
void     sonde_session_notify_recording    (SondeSession         *self,
                                            gboolean              recording_changed);
void     sonde_session_emit_recording_stopped (SondeSession      *self,
                                            const char           *text);
void     sonde_session_record_state_changed (SondeSession        *self,
                                             gboolean             was_active);
void     sonde_session_record_dispose      (SondeSession         *self);
void     sonde_session_record_keep_redactor (SondeSession        *self,
                                             SondeRedactor       *redactor);

/* sonde-session-connect.c */
void     sonde_session_connect_profile_now (SondeSession         *self);

G_END_DECLS
