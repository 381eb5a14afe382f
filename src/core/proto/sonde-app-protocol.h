/* sonde-app-protocol.h: an application protocol spoken over a connection
 * (Socket.IO, GraphQL over WebSocket, STOMP, MQTT, JSON-RPC, SignalR)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A protocol mode does what its protocol needs to stay connected (answers
 * pings, sends its heart-beats, its handshake and, after every reconnect,
 * its subscriptions), marking what it sends automatic; it reads every
 * message into the decoded JSON view of sonde-record-views.h, with a label
 * (an event name, a destination, a topic, an operation id, a method) and
 * an upkeep mark for what is not data (pings, acks, heart-beats); and it
 * offers the protocol's own actions (subscribe, emit, call…).
 *
 * The session drives it (session/sonde-session-app.c): every record, in
 * order, as the log appends it (process()), the connection's life
 * (reset(), opened(), closed()), and the views the log asks for (view():
 * made from the record alone, again whenever asked). One class per
 * protocol, in this folder; sonde_app_protocol_new() makes the one asked.
 * Main thread only.
 */
#pragma once

#include <gio/gio.h>

#include "sonde-connection.h"
#include "sonde-record-views.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_APP_PROTOCOL_NONE,
  SONDE_APP_PROTOCOL_SOCKET_IO,
  SONDE_APP_PROTOCOL_GRAPHQL,
  SONDE_APP_PROTOCOL_STOMP,
  SONDE_APP_PROTOCOL_MQTT,
  SONDE_APP_PROTOCOL_JSON_RPC,
  SONDE_APP_PROTOCOL_SIGNALR,
} SondeAppProtocolKind;

#define SONDE_APP_PROTOCOL_KIND_LAST SONDE_APP_PROTOCOL_SIGNALR

/* Whether this build speaks @kind (NONE: TRUE). */
gboolean    sonde_app_protocol_kind_is_spoken   (SondeAppProtocolKind   kind);
/* "none", "socket.io", "graphql", "stomp", "mqtt", "json-rpc", "signalr". */
const char *sonde_app_protocol_kind_to_string   (SondeAppProtocolKind   kind);
/* The names above, case-insensitively, and "graphql-ws" for "graphql";
 * an error listing them otherwise. */
gboolean    sonde_app_protocol_kind_from_string (const char            *text,
                                                 SondeAppProtocolKind  *out_kind,
                                                 GError               **error);

/* What a mode is given: every field may be NULL or 0 (a default). */
typedef struct {
  /* Sent after the handshake, again after every reconnect, in order: MQTT
   * topic filters, STOMP destinations, GraphQL documents, JSON-RPC calls
   * ("METHOD PARAMS-JSON", such as eth_subscribe), SignalR invocations
   * ("METHOD ARGS-JSON"), Socket.IO emits ("NAME ARGS-JSON"). */
  char  **subscriptions;
  char   *nsp;            /* Socket.IO: the namespace, "/" by default */
  char   *auth;           /* Socket.IO: the CONNECT auth payload; GraphQL: connection_init's payload (JSON) */
  char   *client_id;      /* MQTT: generated when NULL */
  char   *username;       /* MQTT, STOMP login */
  char   *password;       /* MQTT, STOMP passcode (a secret: from the keyring) */
  char   *host;           /* STOMP: the host header; the URL's host by default */
  guint   mqtt_version;   /* 4 (3.1.1, the default) or 5 */
  guint   keepalive_s;    /* MQTT keepalive, STOMP heart-beat; 30 s by default */
  guint   qos;            /* MQTT subscriptions: 0 (default) or 1 */
} SondeAppProtocolOptions;

SondeAppProtocolOptions *sonde_app_protocol_options_new  (void);
SondeAppProtocolOptions *sonde_app_protocol_options_copy (const SondeAppProtocolOptions *options);
void                     sonde_app_protocol_options_free (SondeAppProtocolOptions       *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeAppProtocolOptions, sonde_app_protocol_options_free)

/* Reads a payload inside a protocol message (an MQTT publish, a STOMP
 * body) into JSON text: the session's decoder chain, or JSON text as it
 * is. FALSE with @error_message (newly allocated) when it does not decode. */
typedef gboolean (*SondeAppPayloadFunc) (const guint8  *data,
                                         gsize          length,
                                         GString       *json,
                                         char         **error_message,
                                         gpointer       user_data);

/* One of a mode's actions with everything the protocol lets it carry, as
 * the composer's forms give it (sonde_app_protocol_act() is the same with
 * the text argument alone). Every pointer is borrowed; a field the action
 * does not use is ignored. */
typedef struct {
  const char         *name;            /* "subscribe", "publish", "emit"… */
  const char         *argument;        /* the text argument, as act() takes it; NULL: "" */
  const char * const *headers;         /* STOMP send, subscribe: more headers, "name:value"; NULL: none */
  int                 qos;             /* MQTT subscribe, publish: 0 or 1; -1: the mode's default */
  gboolean            retain;          /* MQTT publish: the broker keeps it for later subscribers */
  gboolean            ack;             /* Socket.IO emit: ask for an acknowledgement ("emit-ack") */
  const char         *variables;       /* GraphQL subscribe: a JSON object; NULL or "": none */
  const char         *operation_name;  /* GraphQL subscribe: which operation of the document; NULL or "" */
} SondeAppAction;

#define SONDE_APP_ACTION_INIT(action_name, action_argument) \
  { (action_name), (action_argument), NULL, -1, FALSE, FALSE, NULL, NULL }

#define SONDE_TYPE_APP_PROTOCOL (sonde_app_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (SondeAppProtocol, sonde_app_protocol, SONDE, APP_PROTOCOL, GObject)

struct _SondeAppProtocolClass
{
  GObjectClass parent_class;

  /* Subprotocols to offer when the profile offers none, preferred first
   * ("graphql-transport-ws", "graphql-ws"); NULL: none. */
  const char * const *(*get_subprotocols) (SondeAppProtocol *self);
  /* The URL to connect to (Socket.IO's /socket.io/?EIO=4&transport=websocket),
   * newly allocated; NULL: the URL as given. */
  char     *(*rewrite_url) (SondeAppProtocol  *self,
                            const char        *url);
  /* A new connection begins: forget what the last one carried. */
  void      (*reset)       (SondeAppProtocol  *self);
  /* The WebSocket opened: the protocol's handshake (and, when it needs no
   * answer first, the subscriptions). */
  void      (*opened)      (SondeAppProtocol  *self);
  /* The connection ended: stop heart-beats. */
  void      (*closed)      (SondeAppProtocol  *self);
  /* A message, received or sent, whole, in order, as the log appends it:
   * keep state, answer what needs an answer. May put views itself
   * (sonde_app_protocol_put_view()) when one needs state, such as a round
   * trip paired with its request. */
  void      (*process)     (SondeAppProtocol  *self,
                            const SondeRecord *record);
  /* The view of a message from the record alone: its JSON, label and
   * upkeep mark; FAILED with why (and where) when it is not this
   * protocol's. RAW leaves it as it is. Called again whenever a view was
   * forgotten. */
  SondeRecordViewKind (*view) (SondeAppProtocol     *self,
                               const SondeRecord    *record,
                               GString              *json,
                               char                **error_message,
                               SondeRecordViewExtra *extra);
  /* A received message holding several protocol messages: their slices
   * (SondeMessageSlice). NULL or FALSE: one. */
  gboolean  (*split)       (SondeAppProtocol  *self,
                            const guint8      *data,
                            gsize              length,
                            GArray            *slices);
  /* One of the protocol's actions, @action->name with its text argument:
   * "subscribe" (what a subscription is, above), "unsubscribe", "emit"
   * ("NAME ARGS-JSON"), "call" ("METHOD PARAMS-JSON"), "invoke",
   * "publish" ("TOPIC PAYLOAD"), "send" ("DESTINATION BODY"), "complete"
   * (an operation id), and the fields of SondeAppAction the action takes.
   * The argument is never NULL, the headers and QoS were checked. An
   * error says what is wrong, or that the mode has no such action. */
  gboolean  (*act)         (SondeAppProtocol     *self,
                            const SondeAppAction *action,
                            GError              **error);

  gpointer padding[8];
};

/* The mode @kind over @connection (borrowed: it outlives the mode), or NULL
 * for SONDE_APP_PROTOCOL_NONE. */
SondeAppProtocol     *sonde_app_protocol_new          (SondeAppProtocolKind           kind,
                                                       SondeConnection               *connection,
                                                       const SondeAppProtocolOptions *options);
SondeAppProtocolKind  sonde_app_protocol_get_kind     (SondeAppProtocol              *self);
SondeConnection      *sonde_app_protocol_get_connection (SondeAppProtocol            *self);
const SondeAppProtocolOptions *sonde_app_protocol_get_options (SondeAppProtocol      *self);
/* Where views made at ingest go (the log's); set by the session. */
void                  sonde_app_protocol_set_views    (SondeAppProtocol              *self,
                                                       SondeRecordViews              *views);
void                  sonde_app_protocol_set_payload_func (SondeAppProtocol          *self,
                                                       SondeAppPayloadFunc            func,
                                                       gpointer                       user_data);

/* What the session calls (the class's functions, with what every mode
 * shares around them). */
const char * const   *sonde_app_protocol_get_subprotocols (SondeAppProtocol          *self);
char                 *sonde_app_protocol_rewrite_url  (SondeAppProtocol              *self,
                                                       const char                    *url);
void                  sonde_app_protocol_reset        (SondeAppProtocol              *self);
void                  sonde_app_protocol_opened       (SondeAppProtocol              *self);
void                  sonde_app_protocol_closed       (SondeAppProtocol              *self);
void                  sonde_app_protocol_process      (SondeAppProtocol              *self,
                                                       const SondeRecord             *record);
SondeRecordViewKind   sonde_app_protocol_view         (SondeAppProtocol              *self,
                                                       const SondeRecord             *record,
                                                       GString                       *json,
                                                       char                         **error_message,
                                                       SondeRecordViewExtra          *extra);
gboolean              sonde_app_protocol_split        (SondeAppProtocol              *self,
                                                       const guint8                  *data,
                                                       gsize                          length,
                                                       GArray                        *slices);
gboolean              sonde_app_protocol_act          (SondeAppProtocol              *self,
                                                       const char                    *action,
                                                       const char                    *argument,
                                                       GError                       **error);
/* The same with every field of @action; an error names a header without
 * a ':' (or with a line break) and a QoS other than 0 or 1. */
gboolean              sonde_app_protocol_act_full     (SondeAppProtocol              *self,
                                                       const SondeAppAction          *action,
                                                       GError                       **error);

/* For the modes. Sends a message the protocol needs, marked automatic
 * (@automatic) or as the user's (an action). FALSE when the connection is
 * not open. */
gboolean              sonde_app_protocol_send_text    (SondeAppProtocol              *self,
                                                       const char                    *text,
                                                       gssize                         length,
                                                       gboolean                       automatic,
                                                       GError                       **error);
gboolean              sonde_app_protocol_send_binary  (SondeAppProtocol              *self,
                                                       const guint8                  *data,
                                                       gsize                          length,
                                                       gboolean                       automatic,
                                                       GError                       **error);
/* Keeps a view made at ingest (see process()). */
void                  sonde_app_protocol_put_view     (SondeAppProtocol              *self,
                                                       guint64                        seq,
                                                       SondeRecordViewKind            kind,
                                                       const char                    *json,
                                                       gsize                          length,
                                                       const char                    *error_message,
                                                       const SondeRecordViewExtra    *extra);
/* Appends @data (a payload inside a protocol message) read as JSON: by the
 * session's decoder chain, as JSON text when it is, else as a JSON string
 * (base64 for bytes that are not UTF-8). Never fails. */
void                  sonde_app_protocol_append_payload (SondeAppProtocol            *self,
                                                       const guint8                  *data,
                                                       gsize                          length,
                                                       GString                       *json);
/* Runs @func every @interval_ms until it returns G_SOURCE_REMOVE or the
 * connection closes (all of a mode's timers go at closed() and reset()). */
void                  sonde_app_protocol_add_timer    (SondeAppProtocol              *self,
                                                       guint                          interval_ms,
                                                       GSourceFunc                    func);
void                  sonde_app_protocol_remove_timers (SondeAppProtocol             *self);
/* Says a problem (the server refused the login, a bad argument to an
 * automatic action) as a local error event in the log. */
void                  sonde_app_protocol_report       (SondeAppProtocol              *self,
                                                       const char                    *text);

/* The protocol's own heart-beat says the peer is gone: the transport is
 * dropped (1006, an error saying @why) and the reconnect policy applies. */
void                  sonde_app_protocol_declare_dead (SondeAppProtocol              *self,
                                                       const char                    *why);

/* A request of ours was answered (a JSON-RPC response, a Socket.IO ack):
 * ::round-trip (the seconds between the two, on the monotonic clock),
 * which the monitor counts in sonde_rtt_seconds beside the latency
 * probe's. */
void                  sonde_app_protocol_round_trip   (SondeAppProtocol              *self,
                                                       gint64                         sent_mono_us,
                                                       gint64                         answered_mono_us);

/* Splits "NAME REST" at its first space (REST may be empty); FALSE for an
 * empty name. */
gboolean              sonde_app_protocol_split_argument (const char                  *argument,
                                                       char                         **name,
                                                       char                         **rest);

G_END_DECLS
