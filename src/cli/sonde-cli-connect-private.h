/* sonde-cli-connect-private.h: what `sonde-cli connect`'s files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sonde-cli-connect.c runs a connection and prints what it sees;
 * sonde-cli-options.c turns the command line into options, over a
 * profile's or for an ad-hoc URL.
 */
#pragma once

#include "sonde-cli.h"
#include "sonde-decoder.h"
#include "sonde-predicate.h"
#include "sonde-secrets.h"
#include "sonde-session.h"

G_BEGIN_DECLS

/* How long a close we started may take before we stop waiting for it. */
#define CLOSE_GRACE_MS 3000

typedef struct {
  /* options */
  char             *profile;        /* connect only */
  char             *profiles_file;
  char             *token_env;
  char            **headers;
  char            **protocols;
  char             *origin;
  char            **sends;
  char             *send_file;
  gboolean          binary;
  gboolean          echo;
  gint64            count;
  double            timeout;
  char             *max_message;    /* --max-message, or its old name --max-frame */
  double            handshake_timeout;
  gboolean          deflate;
  gboolean          follow_redirects;
  gboolean          raw;
  gboolean          print0;         /* --raw, each payload ended by a NUL */
  gboolean          raw_bytes;      /* --raw: binary as bytes, not base64 */
  gboolean          slash;          /* stdin: "/ping", "/close" are commands */
  gboolean          close_on_eof;
  int               close_code;     /* --close-code: 0 when not given */
  char             *close_reason;   /* --close-reason */
  gboolean          frames;         /* --frames: every frame's header as a JSON line */
  char            **extracts;
  char             *where;
  char             *decode;         /* --decode LIST */
  char             *proto_descriptor;
  char             *proto_type;
  double            rate;           /* demo only */
  int               keepalive;
  int               pong_timeout;
  gboolean          reconnect;
  double            backoff_cap;
  int               max_attempts;
  char             *pin_sha256;
  char             *ca_file;
  gboolean          insecure;
  char             *cert_file;
  char             *key_file;
  char             *cert_password_env;
  char             *proxy;
  gboolean          show_secrets;
  char             *latency_probe;
  char             *latency_path;
  int               latency_interval;
  gboolean          record;         /* `record` */
  char             *output;         /* record --output */
  gboolean          quiet;          /* record --quiet */
  char             *app_protocol;   /* --app-protocol */
  char            **subscribe;      /* --subscribe, repeatable */
  char            **calls;          /* --call 'METHOD PARAMS', repeatable */
  char            **emits;          /* --emit 'NAME ARGS' */
  char            **invokes;        /* --invoke 'METHOD ARGS' */
  char             *nsp;            /* --namespace */
  char             *auth;           /* --auth JSON */
  int               mqtt_version;   /* --mqtt-version */

  /* state */
  guint64           max_message_size; /* --max-message, parsed; 0 when not given */
  SondeSession     *session;
  SondeConnection  *connection;     /* the session's */
  SondeSecrets     *secrets;        /* the keyring, for a profile without --token-env */
  GMainLoop        *loop;
  gboolean          finished;
  GBytes           *file_payload;
  GString          *line;
  GPtrArray        *paths;          /* SondeJsonPath: --extract, or NULL */
  SondePredicate   *predicate;      /* --where, or NULL */
  SondeDecoder     *decoder;        /* --decode, or NULL */
  GString          *decoded;        /* the decoded view of the record at hand */
  gboolean          decode_done;    /* the record at hand went through the decoder */
  char             *decode_error;   /* …and did not decode: why, or NULL */
  SondeAppProtocolKind app_kind;    /* --app-protocol, parsed */
  char             *label;          /* the record at hand's label (a protocol mode's), or NULL */
  gboolean          upkeep;         /* …and it is protocol upkeep */
  guint             actions_idle;
  guint64           received;       /* matching --where, when given */
  gboolean          count_reached;
  gboolean          timed_out;
  gboolean          closing_by_us;
  int               exit_status;
  GTlsCertificate  *client_certificate; /* --cert, loaded */
  gboolean          opened;         /* the connection was open once */
  GDataInputStream *stdin_lines;    /* lines to send, or NULL */
  GCancellable     *stdin_cancellable;
  GQueue            stdin_pending;  /* GBytes: lines read before the open (a NUL after each) */
  gboolean          stdin_eof;
  guint             timeout_id;
  guint             grace_id;
  guint             sigint_id;
  guint             sigterm_id;
  guint             signals_seen;
} ConnectRun;

/* sonde-cli-options.c */
GOptionEntry *sonde_cli_connect_entries         (ConnectRun    *run,
                                                 gboolean       profile,
                                                 gboolean       demo);
gboolean      sonde_cli_check_options           (ConnectRun    *run,
                                                 GError       **error);
gboolean      sonde_cli_apply_adhoc_options     (ConnectRun    *run,
                                                 GError       **error);
void          sonde_cli_apply_profile_overrides (ConnectRun    *run,
                                                 SondeProfile  *profile,
                                                 const char    *url);

/* sonde-cli-app.c */
/* The options of --app-protocol, for the session; FALSE with an error. */
gboolean      sonde_cli_app_check_options       (ConnectRun    *run,
                                                 GError       **error);
void          sonde_cli_app_start               (ConnectRun    *run);
/* With a protocol mode: reads @record's view, label and upkeep mark from
 * the session's log into the run (what --where, --extract and the line
 * read). FALSE without a mode. */
gboolean      sonde_cli_app_view                (ConnectRun        *run,
                                                 const SondeRecord *record);
void          sonde_cli_app_opened              (ConnectRun    *run);
void          sonde_cli_app_clear               (ConnectRun    *run);

/* sonde-cli-print.c */
void          sonde_cli_write_out               (ConnectRun        *run,
                                                 const void        *data,
                                                 gsize              length);
void          sonde_cli_write_extract           (ConnectRun        *run,
                                                 const SondeRecord *record);
/* --decode: decodes @record into the run's view, or notes why not. */
void          sonde_cli_decode                  (ConnectRun        *run,
                                                 const SondeRecord *record);
void          sonde_cli_clear_decoded           (ConnectRun        *run);
/* What --where and --extract read: the decoded view with --decode (FALSE
 * when the record did not decode), else the payload. */
gboolean      sonde_cli_get_view                (ConnectRun        *run,
                                                 const SondeRecord *record,
                                                 const char       **view,
                                                 gsize             *length);
void          sonde_cli_write_raw               (ConnectRun        *run,
                                                 const SondeRecord *record);
void          sonde_cli_write_json              (ConnectRun        *run,
                                                 const SondeRecord *record);
void          sonde_cli_say_refused_certificate (ConnectRun        *run);
gboolean      sonde_cli_say_close               (ConnectRun        *run);

/* sonde-cli-stdin.c */
void          sonde_cli_stdin_start             (ConnectRun    *run);
void          sonde_cli_stdin_on_open           (ConnectRun    *run);
void          sonde_cli_stdin_stop              (ConnectRun    *run);

/* sonde-cli-record.c */
GOptionEntry *sonde_cli_record_entries          (ConnectRun    *run);
gboolean      sonde_cli_record_start            (ConnectRun    *run,
                                                 GError       **error);
void          sonde_cli_record_finish           (ConnectRun    *run);

/* sonde-cli-connect.c */
int           sonde_cli_connect_command         (int            argc,
                                                 char         **argv,
                                                 gboolean       record);
void          sonde_cli_say                     (const char    *format,
                                                 ...) G_GNUC_PRINTF (1, 2);
void          sonde_cli_close_by_us             (ConnectRun    *run,
                                                 guint          code,
                                                 const char    *reason);
void          sonde_cli_close_at_end            (ConnectRun    *run,
                                                 guint          default_code);

G_END_DECLS
