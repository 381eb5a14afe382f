/* sonde-connection-private.h: what the connection's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-connection.h"
#include "sonde-json-path.h"
#include "sonde-link.h"

G_BEGIN_DECLS

#define N_SAMPLES          32
#define SAMPLE_INTERVAL_US (G_USEC_PER_SEC / 10)
#define RATE_WINDOW_US     G_USEC_PER_SEC

typedef struct {
  gint64  mono_us;
  guint64 messages_in;
  guint64 bytes_in;
  guint64 messages_out;
  guint64 bytes_out;
} Sample;

struct _SondeConnection
{
  GObject               parent_instance;

  /* owned */
  SondeMessageLog      *log;
  SondeLink            *link;
  gboolean              echo;             /* the link echoes what it receives */
  gboolean              show_frames;      /* frame records */
  SondeLinkFrameCounts  frame_base;       /* frame totals of the links before this one */
  SondeLinkBatch        batch;
  SondeHandshake       *handshake;
  GError               *error;
  char                 *protocol;
  char                 *close_reason;

  /* options */
  SondeConnectionOptions *options;     /* never NULL */
  GTlsCertificate      *client_certificate;
  SondeRedactor        *redactor;
  SondeRedactor        *active_redactor;  /* the last connect's: redactor + the secrets of its URL and headers */
  GPtrArray            *on_open;        /* SondeProfileMessage* */
  SondeProfileMessage  *heartbeat;
  guint                 heartbeat_interval_s;

  SondeConnectionState  state;
  guint                 close_code;
  gboolean              close_clean;

  SondeTemplateContext  template_context;
  guint                 heartbeat_id;

  /* reconnecting (sonde-connection-automation.c) */
  GRand                *rand;
  guint                 attempt;          /* retries since the last stable open */
  guint                 reconnect_id;     /* the timer of the next attempt */
  gint64                reconnect_at_us;  /* monotonic; 0: none */
  guint                 uptime_id;        /* resets the attempts once stable */
  gboolean              user_closed;      /* closed on purpose: no retry */
  gint64                outage_from_us;   /* wall time of the drop; 0: none */
  char                 *outage_reason;
  gboolean              last_permanent;   /* the last failure cannot be retried */
  gint64                last_retry_after_ms;
  char                 *refused_sha256;     /* the last certificate refused */
  char                 *refused_description;

  /* latency probe (sonde-connection-probe.c) */
  SondeProfileMessage  *probe;
  SondeJsonPath        *probe_path;
  guint                 probe_interval_s;
  guint                 probe_id;
  SondeMessageSplitter  splitter;        /* cuts a received message into the records it holds, or NULL */
  gpointer              splitter_data;
  GArray               *probe_pending;    /* Pending, oldest first */

  SondeStats            stats;
  Sample                samples[N_SAMPLES];
  guint                 sample_head;   /* next slot */
  guint                 n_samples;
};


enum {
  PROP_0,
  PROP_LOG,
  PROP_URL,
  PROP_HEADERS,
  PROP_PROTOCOLS,
  PROP_ORIGIN,
  PROP_MAX_MESSAGE_SIZE,
  PROP_DEFLATE,
  PROP_FOLLOW_REDIRECTS,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_STATE,
  PROP_HANDSHAKE,
  PROP_PROTOCOL,
  PROP_CLOSE_CODE,
  PROP_CLOSE_REASON,
  N_PROPS
};

extern GParamSpec *sonde_connection_properties[N_PROPS];

/* sonde-connection.c */
gboolean sonde_connection_replace_str        (char                **slot,
                                              const char           *value);
void     sonde_connection_set_state_internal (SondeConnection      *self,
                                              SondeConnectionState  state);
gboolean sonde_connection_start_link         (SondeConnection      *self,
                                              GError              **error);
void     sonde_connection_log_event          (SondeConnection      *self,
                                              SondeMessageKind      kind,
                                              GString              *payload);
const char *sonde_connection_describe_state  (SondeConnectionState  state);

/* sonde-connection-automation.c */
void     sonde_connection_automation_opened  (SondeConnection      *self);
void     sonde_connection_automation_state   (SondeConnection      *self);
void     sonde_connection_automation_ended   (SondeConnection      *self,
                                              const SondeLinkEvent *event,
                                              gint64                wall_us);
void     sonde_connection_automation_clear   (SondeConnection      *self);
void     sonde_connection_log_local_error    (SondeConnection      *self,
                                              const GError         *error);

/* sonde-connection-probe.c */
void     sonde_connection_probe_state        (SondeConnection      *self);
void     sonde_connection_probe_received     (SondeConnection      *self,
                                              const guint8         *data,
                                              gsize                 length,
                                              gint64                received_mono_us,
                                              gint64                received_wall_us);
void     sonde_connection_probe_clear        (SondeConnection      *self);

G_END_DECLS
