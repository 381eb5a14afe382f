/* sonde-link-private.h: what the three parts of a link share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-link.c runs the I/O thread, the batch handed to the main thread
 * and the requests coming from it; sonde-link-handshake.c makes the
 * connection and the opening handshake; sonde-link-ws.c runs the
 * WebSocket connection once it is open. Everything here is used on the
 * I/O thread unless it says otherwise.
 */
#pragma once

#include <libsoup/soup.h>

#include "sonde-link.h"

G_BEGIN_DECLS

typedef struct {
  SondeMessageKind  kind;
  SondeRecordFlags  flags;
  GBytes           *payload;
} Outgoing;

/* A message whose frames the stream has seen whole, waiting for libsoup's
 * "message" signal. */
typedef struct {
  SondeFrameInfo   *frames;      /* NULL: one plain frame */
  guint             n_frames;
  SondeRecordFlags  flags;
  guint64           fin_ordinal;
} FramedMessage;

struct _SondeLink
{
  gatomicrefcount          ref_count;

  /* immutable after start */
  SondeConnectionOptions  *options;       /* a copy: the I/O thread reads it */
  char                    *url;           /* normalized ws:// or wss:// */
  GTlsCertificate         *client_certificate;
  SondeRedactor           *redactor;      /* NULL: nothing masked (--show-secrets) */
  GMainContext            *main_context;
  GMainContext            *io_context;
  SondeLinkFlags           flags;
  int                      io_niceness;   /* how much nicer the I/O thread runs */

  /* main thread only */
  SondeLinkReadyFunc       ready;
  gpointer                 ready_data;
  GSource                 *ready_source;   /* on main_context; destroyed by detach */

  /* shared, under lock */
  GMutex                   lock;
  SondeLinkBatch           pending;
  GQueue                   outgoing;       /* Outgoing* */
  gint64                   last_take_us;
  gboolean                 wake_armed;
  gboolean                 detached;
  gboolean                 finished;
  gint                     show_frames;    /* frame records wanted: atomic */
  SondeLinkFrameCounts     counts;         /* copied from io_counts at each push */

  /* I/O thread only */
  GMainLoop               *io_loop;
  GSource                 *send_source;    /* drains outgoing */
  SoupWebsocketConnection *ws;
  GCancellable            *cancellable;
  GHashTable              *errors_seen;
  GSource                 *watchdog_source;
  gint64                   last_pong_us;
  GTlsCertificate         *peer_certificate;  /* as offered, when TLS was used */
  GTlsCertificateFlags     peer_errors;
  char                    *pin_problem;       /* why a pinned check refused */
  gboolean                 watchdog_fired;
  char                    *dead_reason;     /* a protocol mode declared the peer dead: why */
  gint64                   skew_us;         /* wall − monotonic */
  gint64                   skew_sampled_us;
  guint                    local_close_code;
  gboolean                 close_requested;
  gboolean                 local_close;
  gboolean                 had_error;
  guint                    error_close_code; /* libsoup closed because of a protocol fault */
  char                    *error_close_message;
  gboolean                 protocol_fault;   /* libsoup saw a 1002 protocol error */
  char                    *fault_message;    /* the first protocol fault, in words */
  gboolean                 done;

  /* the open connection's frames (sonde-link-ws.c) */
  GObject                 *frame_stream;   /* SondeFrameStream, once open */
  SondeLinkFrameCounts     io_counts;
  guint64                  in_ordinal;     /* incoming frames seen */
  GArray                  *message_frames; /* SondeFrameInfo: the incoming message being framed */
  guint64                  message_size;   /* its payload so far, on the wire */
  GArray                  *framed;         /* FramedMessage: complete messages libsoup has yet to deliver, from framed_head */
  guint                    framed_head;
  GQueue                   observed;       /* Observed*: incoming frame and control records waiting for order */
  GSource                 *observed_source;
  GQueue                   pings_sent;     /* GBytes*: payloads of our pings awaiting their pong (≤ 16) */
  GQueue                   manual_pings;   /* GBytes*: pings the user asked for, until written */
  gint64                   flood_second_us;/* control records: the second being counted */
  guint                    flood_shown[2]; /* per direction, this second */
  guint64                  flood_hidden_pings[2];
  guint64                  flood_hidden_pongs[2];
  gboolean                 close_frame_in; /* the closing handshake as it crossed the wire */
  gboolean                 close_frame_out;
  gboolean                 limit_hit;
  GSource                 *limit_close_source;
  GSource                 *flood_source;
  const char              *fault_hint;     /* the first rule an incoming frame broke, in words */
  GObject                 *deflate;        /* the SondeDeflateExtension negotiated, or NULL */
};

void            sonde_link_destroy_source      (GSource          **source);
SondeLinkEvent *sonde_link_event_new           (int                state);
void            sonde_link_event_free          (SondeLinkEvent    *event);
void            sonde_link_push_item           (SondeLink         *link,
                                                SondeDirection     direction,
                                                SondeMessageKind   kind,
                                                SondeRecordFlags   flags,
                                                const void        *data,
                                                gsize              length,
                                                GBytes            *payload,
                                                SondeLinkEvent    *event);
void            sonde_link_push_framed         (SondeLink         *link,
                                                SondeDirection     direction,
                                                SondeMessageKind   kind,
                                                SondeRecordFlags   flags,
                                                const void        *data,
                                                gsize              length,
                                                GBytes            *payload,
                                                SondeLinkEvent    *event,
                                                SondeFrameInfo    *frames,
                                                guint              n_frames);
void            sonde_link_push_event          (SondeLink         *link,
                                                SondeMessageKind   kind,
                                                GString           *payload,
                                                SondeLinkEvent    *event);
char           *sonde_link_redact              (SondeLink         *link,
                                                const char        *text);
GError         *sonde_link_redact_error        (SondeLink         *link,
                                                GError            *error);
GString        *sonde_link_error_payload       (SondeLink         *link,
                                                const GError      *error);
void            sonde_link_finish              (SondeLink         *link);
void            sonde_link_append_certificate  (SondeLink         *link,
                                                GString           *out,
                                                gboolean          *first);
void            sonde_link_report_not_sent     (SondeLink         *link,
                                                gsize              length);

/* sonde-link-handshake.c */
void            sonde_link_start_handshake     (SondeLink         *link);
void            sonde_link_fail                (SondeLink         *link,
                                                GError            *error);

/* sonde-link-frames.c */
void            sonde_link_on_frame            (gpointer               user_data,
                                                SondeDirection         direction,
                                                const SondeFrameInfo  *frame,
                                                const guint8          *control_payload,
                                                gsize                  control_length);
void            sonde_link_on_limit            (gpointer               user_data,
                                                guint64                grown_to,
                                                guint64                limit);
gboolean        sonde_link_pop_framed          (SondeLink             *link,
                                                FramedMessage         *framed);
void            sonde_link_flush_observed      (SondeLink             *link,
                                                guint64                ordinal);
void            sonde_link_flush_flood         (SondeLink             *link);
void            sonde_link_frames_init         (SondeLink             *link);
void            sonde_link_frames_clear        (SondeLink             *link);

/* sonde-link-ws.c */
void            sonde_link_attach_ws           (SondeLink               *link,
                                                SoupWebsocketConnection *ws,
                                                const char              *extensions);
void            sonde_link_open_socket         (SondeLink         *link,
                                                GIOStream         *stream,
                                                GBytes            *leftover,
                                                const char        *protocol,
                                                const char        *extensions,
                                                GList             *extension_objects);
void            sonde_link_start_watchdog      (SondeLink         *link);
void            sonde_link_ws_clear            (SondeLink         *link);
gboolean        sonde_link_ws_ping             (SondeLink         *link,
                                                GBytes            *payload,
                                                GError           **error);
void            sonde_link_ws_declare_dead     (SondeLink         *link,
                                                const char        *why);

G_END_DECLS
