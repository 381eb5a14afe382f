/* sonde-cli-options.c: `sonde-cli connect`'s command line as options
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The option table of connect and demo, the checks the option parser
 * cannot make (sizes, conflicts), and the command line's settings as one
 * SondeConnectionOptions: laid over a profile's (on a detached copy, so the
 * profiles file never sees them) or given to an ad-hoc connection.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-certificate.h"
#include "sonde-cli-connect-private.h"
#include "sonde-close-code.h"
#include "sonde-error.h"
#include "sonde-json-path.h"
#include "sonde-text.h"

/* Parses a byte count: digits with an optional K, M or G suffix (binary). */
static gboolean
parse_size (const char  *text,
            guint64     *size,
            GError     **error)
{
  char *end = NULL;
  guint64 value;
  guint64 multiplier = 1;

  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (end == text || errno != 0 || text[0] == '-')
    goto invalid;

  if (g_ascii_strcasecmp (end, "k") == 0 || g_ascii_strcasecmp (end, "kib") == 0)
    multiplier = 1024;
  else if (g_ascii_strcasecmp (end, "m") == 0 || g_ascii_strcasecmp (end, "mib") == 0)
    multiplier = 1024 * 1024;
  else if (g_ascii_strcasecmp (end, "g") == 0 || g_ascii_strcasecmp (end, "gib") == 0)
    multiplier = 1024 * 1024 * 1024;
  else if (*end != '\0')
    goto invalid;

  if (value > G_MAXUINT64 / multiplier)
    goto invalid;

  *size = value * multiplier;
  return TRUE;

invalid:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--max-message: “%s” is not a size in bytes (e.g. 65536, 64K, 16M)"), text);
  return FALSE;
}

gboolean
sonde_cli_check_options (ConnectRun  *run,
               GError     **error)
{
  if (run->count < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--count must be a positive number of messages"));
      return FALSE;
    }

  if (run->timeout < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--timeout must be a positive number of seconds"));
      return FALSE;
    }

  if (run->keepalive < 0 || run->pong_timeout < 0 || run->max_attempts < 0 || run->backoff_cap < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--keepalive, --pong-timeout, --backoff-cap and --max-attempts take positive numbers"));
      return FALSE;
    }

  if (run->max_message != NULL && !parse_size (run->max_message, &run->max_message_size, error))
    return FALSE;

  /* The close made at the end (--count, end of stdin, --timeout, a
   * signal): checked now, not when it is too late to say so. */
  if (run->close_code != 0 || run->close_reason != NULL)
    {
      g_autoptr(GError) close_error = NULL;

      if (run->close_code != 0 && (run->close_code < 1000 || run->close_code > 4999))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--close-code: %d is not a close code (1000–1003, 1007–1010 or 3000–4999)"),
                       run->close_code);
          return FALSE;
        }
      if (!sonde_close_code_check_local (run->close_code != 0 ? (guint) run->close_code : 1000,
                                         run->close_reason, &close_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       run->close_code != 0 ? "--close-code: %s" : "--close-reason: %s", close_error->message);
          return FALSE;
        }
    }

  if (run->frames && (run->raw || run->print0 || run->raw_bytes || run->extracts != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--frames prints one JSON line per frame: it goes with the JSON output, "
                             "not with --raw, --print0, --raw-bytes or --extract"));
      return FALSE;
    }

  if ((run->latency_probe != NULL) != (run->latency_path != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--latency-probe and --latency-path go together: the probe's template, "
                             "and where its UUID is in the reply"));
      return FALSE;
    }

  if (run->latency_interval < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--latency-interval takes a positive number of seconds"));
      return FALSE;
    }

  if (run->pin_sha256 != NULL)
    {
      g_autofree char *normalized = sonde_certificate_normalize_sha256 (run->pin_sha256);

      if (normalized == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--pin-sha256: “%s” is not a SHA-256 fingerprint (64 hex digits, colons allowed)"),
                       run->pin_sha256);
          return FALSE;
        }
      g_free (run->pin_sha256);
      run->pin_sha256 = g_steal_pointer (&normalized);
    }

  if (run->handshake_timeout < 0 || (run->handshake_timeout > 0 && run->handshake_timeout * 1000 < 1))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--handshake-timeout must be a positive number of seconds"));
      return FALSE;
    }

  if (run->profile == NULL && (run->profiles_file != NULL || run->token_env != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--profiles and --token-env go with --profile NAME: they say where the "
                             "profile is and where its secret is"));
      return FALSE;
    }

  if (run->token_env != NULL && (*run->token_env == '\0' || strchr (run->token_env, '=') != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--token-env: “%s” is not the name of an environment variable"), run->token_env);
      return FALSE;
    }

  if (run->send_file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (run->send_file, &contents, &length, error))
        {
          g_prefix_error (error, "--send-file: ");
          return FALSE;
        }

      /* NUL is a character like any other in a text message. */
      if (!run->binary && !sonde_text_validate_utf8 ((const guint8 *) contents, length, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--send-file: “%s” is not UTF-8 text; add --binary to send it as a binary message"),
                       run->send_file);
          return FALSE;
        }

      run->file_payload = g_bytes_new_take (g_steal_pointer (&contents), length);
    }

  if (run->print0 || run->raw_bytes)
    run->raw = TRUE;

  if ((run->key_file != NULL || run->cert_password_env != NULL) && run->cert_file == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--key and --cert-password-env go with --cert FILE"));
      return FALSE;
    }

  if (run->cert_file != NULL && run->profile != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--cert is for a URL given on the command line: a profile names its client "
                             "certificate in Sonde's profile editor"));
      return FALSE;
    }

  if (run->insecure && run->pin_sha256 != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--insecure and --pin-sha256 exclude each other: trust any certificate, or only one"));
      return FALSE;
    }

  if (run->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (run->ca_file, error);

      if (database == NULL)
        {
          g_prefix_error (error, "--ca: ");
          return FALSE;
        }
    }

  if (run->cert_file != NULL)
    {
      const char *password = NULL;

      if (run->cert_password_env != NULL)
        {
          password = g_getenv (run->cert_password_env);
          if (password == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--cert-password-env: the environment variable %s is not set"),
                           run->cert_password_env);
              return FALSE;
            }
        }
      run->client_certificate = sonde_certificate_load_client (run->cert_file, run->key_file, password, error);
      if (run->client_certificate == NULL)
        {
          g_prefix_error (error, "--cert: ");
          return FALSE;
        }
    }

  if (run->extracts != NULL && run->raw)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--extract and --raw cannot be used together"));
      return FALSE;
    }

  if (run->extracts != NULL)
    {
      run->paths = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_json_path_unref);
      for (guint i = 0; run->extracts[i] != NULL; i++)
        {
          SondeJsonPath *path = sonde_json_path_new (run->extracts[i], error);

          if (path == NULL)
            {
              g_prefix_error (error, "--extract: ");
              return FALSE;
            }
          g_ptr_array_add (run->paths, path);
        }
    }

  if ((run->decode == NULL || g_ascii_strcasecmp (run->decode, "none") == 0) && (run->proto_descriptor != NULL || run->proto_type != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--proto-descriptor and --proto-type go with --decode protobuf"));
      return FALSE;
    }
  /* "none": no decoder, not even the profile's. */
  if (run->decode != NULL && g_ascii_strcasecmp (run->decode, "none") != 0)
    {
      run->decoder = sonde_decoder_new (run->decode, run->proto_descriptor, run->proto_type, NULL, error);
      if (run->decoder == NULL)
        {
          g_prefix_error (error, "--decode: ");
          return FALSE;
        }
    }

  if (!sonde_cli_app_check_options (run, error))
    return FALSE;

  if (run->where != NULL)
    {
      run->predicate = sonde_predicate_new (run->where, error);
      if (run->predicate == NULL)
        {
          g_prefix_error (error, "--where: ");
          return FALSE;
        }
    }

  return TRUE;
}

/* The options of `connect` (with @profile: --profile, --profiles and
 * --token-env too) and of `demo` (with @demo: --rate). Their texts are
 * translated by the option context (GETTEXT_PACKAGE). */
GOptionEntry *
sonde_cli_connect_entries (ConnectRun *run,
                 gboolean    profile,
                 gboolean    demo)
{
  GOptionEntry entries[] = {
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &run->headers,
      N_("Add a request header to the handshake (repeatable; with --profile, replaces the profile's "
         "header of that name)"), N_("'NAME: VALUE'") },
    { "protocol", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &run->protocols,
      N_("Offer a subprotocol (repeatable, in order of preference)"), N_("PROTOCOL") },
    { "origin", 0, 0, G_OPTION_ARG_STRING, &run->origin,
      N_("Send this Origin header"), N_("ORIGIN") },
    { "send", 's', 0, G_OPTION_ARG_STRING_ARRAY, &run->sends,
      N_("Send this message once connected (repeatable, in order)"), N_("TEXT") },
    { "send-file", 0, 0, G_OPTION_ARG_FILENAME, &run->send_file,
      N_("Send the contents of FILE as one message once connected"), N_("FILE") },
    { "binary", 'b', 0, G_OPTION_ARG_NONE, &run->binary,
      N_("Send --send and --send-file messages as binary, and read each line of stdin as hex bytes "
         "(e.g. 00 ff 10) sent as one binary message"), NULL },
    { "slash", 0, 0, G_OPTION_ARG_NONE, &run->slash,
      N_("A stdin line that begins with / is a command: /ping [PAYLOAD], /close [CODE [REASON]]; "
         "//TEXT sends /TEXT"), NULL },
    { "close-on-eof", 0, 0, G_OPTION_ARG_NONE, &run->close_on_eof,
      N_("At the end of stdin, close (1000, or --close-code) once every line was sent and exit "
         "(default: keep listening)"),
      NULL },
    { "close-code", 0, 0, G_OPTION_ARG_INT, &run->close_code,
      N_("The code of the close made at the end (--count reached, end of stdin, --timeout, Ctrl+C): "
         "1000–1003, 1007–1010 or 3000–4999 (default 1000, 1001 on a signal)"), N_("CODE") },
    { "close-reason", 0, 0, G_OPTION_ARG_STRING, &run->close_reason,
      N_("The reason of the close made at the end (UTF-8, at most 123 bytes)"), N_("TEXT") },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &run->echo,
      N_("Send every received message straight back, unchanged, as soon as it arrives"), NULL },
    { "frames", 0, 0, G_OPTION_ARG_NONE, &run->frames,
      N_("Also print one JSON line per WebSocket frame in and out: opcode, FIN, RSV1, mask and size "
         "(not with --raw or --extract)"), NULL },
    { "count", 'n', 0, G_OPTION_ARG_INT64, &run->count,
      N_("Close and exit after N received messages"), N_("N") },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &run->timeout,
      N_("Close after SECONDS (with --count: fail if N messages did not arrive)"), N_("SECONDS") },
    { "max-message", 0, 0, G_OPTION_ARG_STRING, &run->max_message,
      N_("Largest incoming message accepted, whole (all its fragments) and, when compressed, inflated; "
         "a larger one closes the connection with 1009 (default 64M; 0 is refused)"), N_("BYTES") },
    { "max-frame", 0, 0, G_OPTION_ARG_STRING, &run->max_message,
      N_("The old name of --max-message, still accepted"), N_("BYTES") },
    { "handshake-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &run->handshake_timeout,
      N_("Deadline for the whole opening handshake (default 15)"), N_("SECONDS") },
    { "deflate", 0, 0, G_OPTION_ARG_NONE, &run->deflate,
      N_("Offer permessage-deflate compression (--max-message bounds the inflated size)"), NULL },
    { "follow-redirects", 0, 0, G_OPTION_ARG_NONE, &run->follow_redirects,
      N_("Follow HTTP redirects during the handshake"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &run->raw,
      N_("Print only the payloads of received messages, one per line, as received (only the secrets "
         "given to Sonde are masked); binary ones in base64 unless --raw-bytes"), NULL },
    { "print0", '0', 0, G_OPTION_ARG_NONE, &run->print0,
      N_("With --raw, end each payload with a NUL byte instead of a newline (implies --raw)"), NULL },
    { "raw-bytes", 0, 0, G_OPTION_ARG_NONE, &run->raw_bytes,
      N_("With --raw, print binary messages as their bytes instead of base64 (implies --raw)"), NULL },
    { "keepalive", 0, 0, G_OPTION_ARG_INT, &run->keepalive,
      N_("Send a Ping every SECONDS (default: none)"), N_("SECONDS") },
    { "pong-timeout", 0, 0, G_OPTION_ARG_INT, &run->pong_timeout,
      N_("Declare the peer dead (1006) after SECONDS without a pong; needs --keepalive"), N_("SECONDS") },
    { "reconnect", 0, 0, G_OPTION_ARG_NONE, &run->reconnect,
      N_("Reconnect after a drop, with exponential backoff and full jitter"), NULL },
    { "backoff-cap", 0, 0, G_OPTION_ARG_DOUBLE, &run->backoff_cap,
      N_("The longest wait between attempts (default 60)"), N_("SECONDS") },
    { "max-attempts", 0, 0, G_OPTION_ARG_INT, &run->max_attempts,
      N_("With --reconnect, give up after N reconnect attempts in a row (the first connection is not one "
         "of them; the count starts again once a connection stays up 10 s; default: never)"), N_("N") },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &run->pin_sha256,
      N_("Accept only the server certificate with this SHA-256 fingerprint"), N_("FINGERPRINT") },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &run->ca_file,
      N_("Trust the certificate authorities in FILE (PEM) instead of the system's"), N_("FILE") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &run->cert_file,
      N_("Present this client certificate: PEM (with its key, or --key FILE) or PKCS#12 (.p12, .pfx)"),
      N_("FILE") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &run->key_file,
      N_("The private key of --cert, when it is in a PEM file of its own"), N_("FILE") },
    { "cert-password-env", 0, 0, G_OPTION_ARG_STRING, &run->cert_password_env,
      N_("Take the password of a PKCS#12 --cert from the environment variable VAR"), N_("VAR") },
    { "insecure", 'k', 0, G_OPTION_ARG_NONE, &run->insecure,
      N_("Accept any server certificate, even an invalid one (dangerous: for tests only)"), NULL },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &run->proxy,
      N_("Connect through this proxy (http://, https:// or socks5://) instead of the system's"), N_("URL") },
    { "latency-probe", 0, 0, G_OPTION_ARG_STRING, &run->latency_probe,
      N_("Measure round-trip time where the server echoes: send TEMPLATE (with {{uuid}}) every interval"),
      N_("TEMPLATE") },
    { "latency-path", 0, 0, G_OPTION_ARG_STRING, &run->latency_path,
      N_("Where the echoed UUID is in the reply (e.g. $.id); needs --latency-probe"), N_("PATH") },
    { "latency-interval", 0, 0, G_OPTION_ARG_INT, &run->latency_interval,
      N_("Seconds between latency probes (default 10)"), N_("SECONDS") },
    { "show-secrets", 0, 0, G_OPTION_ARG_NONE, &run->show_secrets,
      N_("Do not mask Authorization, cookies and secret query parameters in the output"), NULL },
    { "extract", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &run->extracts,
      N_("Print only the number at PATH (e.g. $.price) of each received message (repeatable)"), N_("PATH") },
    { "where", 'w', 0, G_OPTION_ARG_STRING, &run->where,
      N_("Keep only received messages that match (e.g. '$.sym == \"ABC\"'); --count counts those"),
      N_("PREDICATE") },
    { "decode", 0, 0, G_OPTION_ARG_STRING, &run->decode,
      N_("Decode payloads, stages in order: gzip, zlib, deflate, zlib-stream, then msgpack, cbor, "
         "protobuf-raw or protobuf; or auto; or none (default: the profile's). --where and --extract read "
         "the decoded view, and each message's line carries it as \"decoded\" (or \"decode_error\")"),
      N_("LIST") },
    { "app-protocol", 0, 0, G_OPTION_ARG_STRING, &run->app_protocol,
      N_("Speak an application protocol: socket.io, graphql, stomp, mqtt, json-rpc or signalr. Lines carry "
         "its \"decoded\" view, a \"label\" and \"upkeep\"; --where, --extract and --count see data only"),
      N_("MODE") },
    { "subscribe", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run->subscribe,
      N_("With --app-protocol: a subscription, sent after every (re)connect (json-rpc: 'METHOD PARAMS', such "
         "as 'eth_subscribe [\"newHeads\"]'; repeatable)"),
      N_("WHAT") },
    { "call", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run->calls,
      N_("With --app-protocol json-rpc: call METHOD with PARAMS (JSON) once open; repeatable"),
      N_("'METHOD PARAMS'") },
    { "emit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run->emits,
      N_("With --app-protocol socket.io: emit the event NAME with ARGS (JSON) once open; repeatable"),
      N_("'NAME ARGS'") },
    { "invoke", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run->invokes,
      N_("With --app-protocol signalr: invoke METHOD with ARGS (a JSON array) once open; repeatable"),
      N_("'METHOD ARGS'") },
    { "namespace", 0, 0, G_OPTION_ARG_STRING, &run->nsp,
      N_("With --app-protocol socket.io: the namespace (default /)"), N_("/NSP") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &run->auth,
      N_("With --app-protocol socket.io: the auth payload (JSON); graphql: connection_init's payload"),
      N_("JSON") },
    { "mqtt-version", 0, 0, G_OPTION_ARG_INT, &run->mqtt_version,
      N_("With --app-protocol mqtt: 3 (3.1.1, the default) or 5"), N_("N") },
    { "proto-descriptor", 0, 0, G_OPTION_ARG_FILENAME, &run->proto_descriptor,
      N_("With --decode protobuf: the descriptor set (protoc -o FILE)"), N_("FILE") },
    { "proto-type", 0, 0, G_OPTION_ARG_STRING, &run->proto_type,
      N_("With --decode protobuf: the message type (e.g. feed.Tick)"), N_("NAME") },
    { NULL },
    { NULL },
    { NULL },
    { NULL },
  };
  guint n = G_N_ELEMENTS (entries) - 4;

  if (profile)
    {
      GOptionEntry profile_entries[] = {
        { "profile", 'P', 0, G_OPTION_ARG_STRING, &run->profile,
          N_("Connect with the saved profile that has this id or name"), N_("NAME|ID") },
        { "profiles", 0, 0, G_OPTION_ARG_FILENAME, &run->profiles_file,
          N_("Read the profiles from FILE instead of Sonde's own (see below)"), N_("FILE") },
        { "token-env", 0, 0, G_OPTION_ARG_STRING, &run->token_env,
          N_("Take the profile's secret from the environment variable VAR instead of the keyring"),
          N_("VAR") },
      };

      for (guint i = 0; i < G_N_ELEMENTS (profile_entries); i++)
        entries[n++] = profile_entries[i];
    }

  if (demo)
    {
      GOptionEntry rate = { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &run->rate,
                            N_("Messages per second of the demo feed (default 20)"), N_("HZ") };
      entries[n++] = rate;
    }

  return g_memdup2 (entries, sizeof entries);
}

/* The name of the header "NAME: VALUE", without spaces around it. */
static char *
header_name (const char *header)
{
  const char *colon = strchr (header, ':');

  return g_strstrip (colon != NULL ? g_strndup (header, colon - header) : g_strdup (header));
}

/* @base_headers, where a header of the command line replaces the one of
 * the same name (names are case-insensitive), then the command line's. */
static char **
merge_headers (char **base_headers,
               char **cli_headers)
{
  g_autoptr(GStrvBuilder) merged = g_strv_builder_new ();

  for (guint i = 0; base_headers != NULL && base_headers[i] != NULL; i++)
    {
      g_autofree char *name = header_name (base_headers[i]);
      gboolean replaced = FALSE;

      for (guint j = 0; !replaced && cli_headers[j] != NULL; j++)
        {
          g_autofree char *cli_name = header_name (cli_headers[j]);

          replaced = g_ascii_strcasecmp (name, cli_name) == 0;
        }
      if (!replaced)
        g_strv_builder_add (merged, base_headers[i]);
    }
  g_strv_builder_addv (merged, (const char **) cli_headers);

  return g_strv_builder_end (merged);
}

/* g_set_str() of GLib 2.76, which is above our floor. */
static void
replace_str (char       **field,
             const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* @base (a profile's connection settings, or the defaults) with what the
 * command line gives instead: an option that was not given leaves the
 * setting as it is. */
static SondeConnectionOptions *
options_from_command_line (ConnectRun                   *run,
                           const SondeConnectionOptions *base)
{
  SondeConnectionOptions *options = base != NULL ? sonde_connection_options_copy (base)
                                                 : sonde_connection_options_new ();

  if (run->headers != NULL)
    {
      char **merged = merge_headers (options->headers, run->headers);

      g_strfreev (options->headers);
      options->headers = merged;
    }
  if (run->protocols != NULL)
    {
      g_strfreev (options->protocols);
      options->protocols = g_strdupv (run->protocols);
    }
  if (run->origin != NULL)
    replace_str (&options->origin, run->origin);
  if (run->max_message != NULL)
    options->max_message_size = run->max_message_size;
  if (run->deflate)
    options->deflate = TRUE;
  if (run->follow_redirects)
    options->follow_redirects = TRUE;
  if (run->handshake_timeout > 0)
    options->handshake_timeout_ms = (guint) MIN (run->handshake_timeout * 1000, G_MAXUINT);
  if (run->keepalive > 0)
    options->keepalive_s = (guint) run->keepalive;
  if (run->pong_timeout > 0)
    options->pong_timeout_s = (guint) run->pong_timeout;
  if (run->reconnect)
    options->reconnect.enabled = TRUE;
  if (run->backoff_cap > 0)
    options->reconnect.cap_ms = (guint) MIN (run->backoff_cap * 1000, G_MAXUINT);
  if (run->max_attempts > 0)
    options->reconnect.max_attempts = (guint) run->max_attempts;
  if (run->pin_sha256 != NULL)
    replace_str (&options->pinned_sha256, run->pin_sha256);
  if (run->proxy != NULL)
    replace_str (&options->proxy, run->proxy);
  if (run->ca_file != NULL)
    replace_str (&options->ca_file, run->ca_file);
  if (run->insecure)
    {
      options->insecure = TRUE;
      g_clear_pointer (&options->pinned_sha256, g_free);
    }

  return options;
}


/* An ad-hoc URL: the command line's settings go to the connection, as
 * typed; sonde_connection_connect() checks them. */
gboolean
sonde_cli_apply_adhoc_options (ConnectRun  *run,
                     GError     **error)
{
  g_autoptr(SondeConnectionOptions) options = options_from_command_line (run, NULL);
  SondeMessageLog *log = sonde_connection_get_log (run->connection);

  /* The log only needs to hold what has not been printed yet. */
  sonde_message_log_set_max_count (log, 100000);
  sonde_message_log_set_max_bytes (log, 256 * 1024 * 1024);

  sonde_connection_set_options (run->connection, options);
  sonde_connection_set_client_certificate (run->connection, run->client_certificate);
  if (run->show_secrets)
    sonde_connection_set_redactor (run->connection, NULL);
  if (run->latency_probe != NULL)
    {
      g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT,
                                                                        run->latency_probe);

      if (!sonde_connection_set_latency_probe (run->connection, probe, run->latency_path,
                                               run->latency_interval > 0 ? (guint) run->latency_interval : 10,
                                               error))
        return FALSE;
    }

  return TRUE;
}

/* The command line's options over @profile's (a copy of its own, so the
 * profiles file never sees them), and @url instead of the profile's when
 * given; sonde_profile_validate() checks the result. */
void
sonde_cli_apply_profile_overrides (ConnectRun   *run,
                         SondeProfile *profile,
                         const char   *url)
{
  g_autoptr(SondeConnectionOptions) options = options_from_command_line (run, sonde_profile_get_options (profile));

  if (url != NULL)
    replace_str (&options->url, url);
  sonde_profile_set_options (profile, options);
  if (run->pin_sha256 != NULL)
    sonde_profile_set_tls_policy (profile, SONDE_TLS_PINNED);

  if (run->latency_probe != NULL)
    {
      g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT,
                                                                        run->latency_probe);

      sonde_profile_set_latency_probe (profile, probe, run->latency_path,
                                       run->latency_interval > 0 ? (guint) run->latency_interval : 10);
    }
  else if (run->latency_interval > 0)
    {
      const char *path = NULL;
      const SondeProfileMessage *probe = sonde_profile_get_latency_probe (profile, &path, NULL);

      if (probe != NULL)
        {
          g_autoptr(SondeProfileMessage) copy = sonde_profile_message_copy (probe);
          g_autofree char *path_copy = g_strdup (path);

          sonde_profile_set_latency_probe (profile, copy, path_copy, (guint) run->latency_interval);
        }
    }
}
