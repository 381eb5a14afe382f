/* sonde-upgrade-http.c: the HTTP half of an opening handshake: the request
 * Sonde writes, the checks of the response (RFC 6455 §4.1), a refused
 * response's body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here does I/O: sonde-upgrade.c reads and writes, these functions
 * make and judge the bytes. Each rule a response can break has its own
 * error, naming what was expected and what came.
 */

#define G_LOG_DOMAIN "sonde-upgrade"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-deflate-extension.h"
#include "sonde-error.h"
#include "sonde-upgrade-private.h"

/* RFC 6455 §1.3 */
#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#define DEFLATE_NAME  "permessage-deflate"

/* What Sonde offers for permessage-deflate, and the object that carries
 * it out (Sonde's own, whose inflate is bounded by the largest message). */
const char *
sonde_upgrade_deflate_offer (void)
{
  return sonde_deflate_extension_get_offer ();
}

SoupWebsocketExtension *
sonde_upgrade_new_deflate (guint64 max_message_size)
{
  return sonde_deflate_extension_new (max_message_size);
}

/* 16 random bytes, base64: the Sec-WebSocket-Key. */
char *
sonde_upgrade_new_key (void)
{
  guint8 bytes[16];

  for (guint i = 0; i < G_N_ELEMENTS (bytes); i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (bytes + i, &r, 4);
    }
  return g_base64_encode (bytes, sizeof bytes);
}

/* base64 (SHA-1 (key + GUID)) */
char *
sonde_upgrade_expected_accept (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, -1);
  g_checksum_update (checksum, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (checksum, digest, &length);
  return g_base64_encode (digest, length);
}

/* "/path?query", the request target. */
char *
sonde_upgrade_path_and_query (GUri *uri)
{
  const char *path = g_uri_get_path (uri);

  return g_uri_join (G_URI_FLAGS_ENCODED, NULL, NULL, NULL, -1,
                     path != NULL && *path ? path : "/", g_uri_get_query (uri), NULL);
}

/* "host:port" for messages, as the link said it before. */
char *
sonde_upgrade_describe_host (GUri *uri)
{
  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

static gboolean
is_default_port (GUri *uri)
{
  int port = g_uri_get_port (uri);
  const char *scheme = g_uri_get_scheme (uri);

  return port == -1 ||
         (port == 80 && g_ascii_strcasecmp (scheme, "ws") == 0) ||
         (port == 443 && g_ascii_strcasecmp (scheme, "wss") == 0);
}

/* The request's headers, in the order they are written: Host, the
 * profile's headers, then the handshake's own. Nothing else (no
 * Accept-Encoding). */
SoupMessageHeaders *
sonde_upgrade_request_headers (GUri                         *uri,
                               const SondeConnectionOptions *options,
                               const char                   *key,
                               const char                   *authorization)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  const char *host = g_uri_get_host (uri);
  gboolean literal_v6 = strchr (host, ':') != NULL;
  gboolean custom_agent = FALSE;
  g_autofree char *host_value = NULL;

  if (is_default_port (uri))
    host_value = literal_v6 ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  else
    host_value = g_strdup_printf (literal_v6 ? "[%s]:%d" : "%s:%d", host, g_uri_get_port (uri));
  soup_message_headers_append (headers, "Host", host_value);

  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      const char *header = options->headers[i];
      const char *colon = strchr (header, ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;
      name = g_strstrip (g_strndup (header, colon - header));
      value = g_strstrip (g_strdup (colon + 1));
      if (g_ascii_strcasecmp (name, "User-Agent") == 0)
        custom_agent = TRUE;
      soup_message_headers_append (headers, name, value);
    }

  if (authorization != NULL)
    soup_message_headers_append (headers, "Authorization", authorization);
  soup_message_headers_append (headers, "Upgrade", "websocket");
  soup_message_headers_append (headers, "Connection", "Upgrade");
  soup_message_headers_append (headers, "Sec-WebSocket-Key", key);
  soup_message_headers_append (headers, "Sec-WebSocket-Version", "13");
  if (options->origin != NULL)
    soup_message_headers_append (headers, "Origin", options->origin);
  if (options->protocols != NULL && options->protocols[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", options->protocols);

      soup_message_headers_append (headers, "Sec-WebSocket-Protocol", list);
    }
  if (options->deflate)
    soup_message_headers_append (headers, "Sec-WebSocket-Extensions", sonde_upgrade_deflate_offer ());
  if (!custom_agent)
    soup_message_headers_append (headers, "User-Agent", "Sonde/" PACKAGE_VERSION);

  return headers;
}

/* As libsoup did: a URL's user and password answer a 401 that asks for
 * Basic authentication, once, unless the profile sets Authorization
 * itself. "Basic …" for that retry, or NULL. */
char *
sonde_upgrade_basic_credentials (GUri                         *uri,
                                 const SondeConnectionOptions *options,
                                 SoupMessageHeaders           *response)
{
  const char *challenges = soup_message_headers_get_list (response, "WWW-Authenticate");
  const char *userinfo = g_uri_get_userinfo (uri);
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;
  gboolean basic = FALSE;

  if (userinfo == NULL || challenges == NULL)
    return NULL;
  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (options->headers[i], "Authorization:", strlen ("Authorization:")) == 0)
        return NULL;
    }

  /* A challenge begins the list or follows a comma: "Basic realm=…". */
  for (const char *p = challenges; *p != '\0'; p++)
    {
      if ((p == challenges || p[-1] == ',' || p[-1] == ' ') &&
          g_ascii_strncasecmp (p, "Basic", 5) == 0 && (p[5] == ' ' || p[5] == '\0' || p[5] == ','))
        {
          basic = TRUE;
          break;
        }
    }
  if (!basic)
    return NULL;

  /* "user:password", %-encoded: the first colon parts them. */
  pair = g_uri_unescape_string (userinfo, NULL);
  if (pair == NULL)
    return NULL;
  if (strchr (userinfo, ':') == NULL)
    {
      char *with_colon = g_strconcat (pair, ":", NULL);

      g_free (pair);
      pair = with_colon;
    }
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  return g_strconcat ("Basic ", encoded, NULL);
}

GString *
sonde_upgrade_serialize_request (const char         *path_and_query,
                                 SoupMessageHeaders *headers)
{
  GString *out = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  g_string_append_printf (out, "GET %s HTTP/1.1\r\n", path_and_query);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (out, "%s: %s\r\n", name, value);
  g_string_append (out, "\r\n");
  return out;
}

/* The offset just past the empty line that ends the head (a bare LF is
 * taken as a line end, as libsoup does), or -1. Searching starts a little
 * before @from, where the last read ended. */
gssize
sonde_upgrade_find_head_end (const guint8 *data,
                             gsize         length,
                             gsize         from)
{
  for (gsize i = from > 3 ? from - 3 : 0; i < length; i++)
    {
      if (data[i] != '\n')
        continue;
      if (i + 1 < length && data[i + 1] == '\n')
        return (gssize) (i + 2);
      if (i + 2 < length && data[i + 1] == '\r' && data[i + 2] == '\n')
        return (gssize) (i + 3);
    }
  return -1;
}

static GError *
invalid (const char *host,
         guint       status,
         const char *what)
{
  return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                      _("Invalid handshake response from %s (HTTP %u): %s"), host, status, what);
}

static gboolean
check_extensions (const char                   *host,
                  guint                         status,
                  const char                   *header,
                  const SondeConnectionOptions *options,
                  GList                       **extensions,
                  GError                      **error)
{
  GSList *items = soup_header_parse_list (header);
  gboolean ok = TRUE;

  for (GSList *l = items; l != NULL && ok; l = l->next)
    {
      const char *item = l->data;
      const char *semicolon = strchr (item, ';');
      g_autofree char *name = g_strstrip (g_strndup (item, semicolon ? (gsize) (semicolon - item) : strlen (item)));
      g_autoptr(SoupWebsocketExtension) extension = NULL;
      g_autoptr(GError) local = NULL;

      if (!options->deflate)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                       _("Invalid handshake response from %s (HTTP %u): the server enabled the "
                         "extension “%s”, which Sonde did not offer (compression is off)"),
                       host, status, name);
          ok = FALSE;
          break;
        }
      if (g_ascii_strcasecmp (name, DEFLATE_NAME) != 0)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                       _("Invalid handshake response from %s (HTTP %u): the server enabled the "
                         "extension “%s”, which Sonde did not offer (offered: %s)"),
                       host, status, name, DEFLATE_NAME);
          ok = FALSE;
          break;
        }
      if (*extensions != NULL)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                       _("Invalid handshake response from %s (HTTP %u): the server enabled the "
                         "extension “%s” more than once"),
                       host, status, name);
          ok = FALSE;
          break;
        }

      /* Configured from the element's text: a duplicated, malformed or
       * unknown parameter is named. */
      extension = sonde_upgrade_new_deflate (options->max_message_size);
      if (!sonde_deflate_extension_configure_from_response (SONDE_DEFLATE_EXTENSION (extension), NULL,
                                                            item, &local))
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                       _("Invalid handshake response from %s (HTTP %u): the server's parameters "
                         "for the extension “%s” cannot be used: %s"),
                       host, status, name, local->message);
          ok = FALSE;
        }
      else
        *extensions = g_list_append (*extensions, g_steal_pointer (&extension));
    }

  soup_header_free_list (items);
  return ok;
}

/* RFC 6455 §4.1, client side: a 101 answer must say websocket in Upgrade
 * and upgrade in Connection, prove it read our key, choose no subprotocol
 * and no extension we did not offer. On success, the chosen subprotocol
 * and the configured extension objects. */
gboolean
sonde_upgrade_verify_response (const char                   *host,
                               guint                         status,
                               SoupMessageHeaders           *response,
                               const char                   *key,
                               const SondeConnectionOptions *options,
                               char                        **protocol,
                               GList                       **extensions,
                               GError                      **error)
{
  const char *upgrade = soup_message_headers_get_one (response, "Upgrade");
  const char *accept = soup_message_headers_get_one (response, "Sec-WebSocket-Accept");
  const char *chosen = soup_message_headers_get_one (response, "Sec-WebSocket-Protocol");
  const char *offered_extensions = soup_message_headers_get_list (response, "Sec-WebSocket-Extensions");
  const char * const *offered = (const char * const *) options->protocols;
  g_autofree char *expected = sonde_upgrade_expected_accept (key);
  g_autofree char *upgrade_value = g_strstrip (g_strdup (upgrade ? upgrade : ""));

  *protocol = NULL;
  *extensions = NULL;

  if (upgrade == NULL || g_ascii_strcasecmp (upgrade_value, "websocket") != 0)
    {
      g_autofree char *what = upgrade == NULL ?
        g_strdup (_("its “Upgrade” header is missing (it must be “websocket”)")) :
        g_strdup_printf (_("its “Upgrade” header is “%s”, not “websocket”"), upgrade);

      g_propagate_error (error, invalid (host, status, what));
      return FALSE;
    }

  if (!soup_message_headers_header_contains (response, "Connection", "upgrade"))
    {
      const char *connection = soup_message_headers_get_list (response, "Connection");
      g_autofree char *what = connection == NULL ?
        g_strdup (_("its “Connection” header is missing (it must contain “Upgrade”)")) :
        g_strdup_printf (_("its “Connection” header is “%s”, which does not contain “Upgrade”"), connection);

      g_propagate_error (error, invalid (host, status, what));
      return FALSE;
    }

  if (accept == NULL || strcmp (accept, expected) != 0)
    {
      g_autofree char *what = accept == NULL ?
        g_strdup_printf (_("Server returned no “Sec-WebSocket-Accept” key (expected “%s”)"), expected) :
        g_strdup_printf (_("Server returned incorrect “Sec-WebSocket-Accept” key (expected “%s”, received “%s”)"),
                         expected, accept);

      g_propagate_error (error, invalid (host, status, what));
      return FALSE;
    }

  if (chosen != NULL && (offered == NULL || !g_strv_contains (offered, chosen)))
    {
      g_autofree char *list = offered != NULL && offered[0] != NULL ? g_strjoinv (", ", (char **) offered)
                                                                    : g_strdup (_("none"));

      g_set_error (error, SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                   _("Invalid handshake response from %s (HTTP %u): the server chose the "
                     "subprotocol “%s”, which Sonde did not offer (offered: %s)"),
                   host, status, chosen, list);
      return FALSE;
    }

  if (offered_extensions != NULL &&
      !check_extensions (host, status, offered_extensions, options, extensions, error))
    {
      g_list_free_full (g_steal_pointer (extensions), g_object_unref);
      return FALSE;
    }

  *protocol = g_strdup (chosen);
  return TRUE;
}

/* The error for an answer other than 101, redirects not followed. */
GError *
sonde_upgrade_refused_error (guint               status,
                             const char         *reason,
                             SoupMessageHeaders *response)
{
  /* The reason phrase is bytes as they came (libsoup makes header values
   * valid UTF-8, not the status line's); the message is shown and
   * written as JSON. */
  g_autofree char *valid_reason = g_utf8_make_valid (reason != NULL ? reason : "", -1);

  reason = valid_reason;

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location = soup_message_headers_get_one (response, "Location");

      return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                          _("Handshake refused: HTTP %u %s, redirecting to “%s”; redirects are "
                            "not followed unless enabled"),
                          status, reason, location ? location : _("(no Location)"));
    }

  if (status == SOUP_STATUS_OK)
    return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                        _("Handshake refused: HTTP 200 %s; this URL serves a plain HTTP "
                          "resource, not a WebSocket endpoint"), *reason ? reason : "OK");

  return g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                      _("Handshake refused: HTTP %u %s"), status, reason);
}

/* How the body of a refused answer ends (RFC 9112 §6.3). */
SondeBodyFraming
sonde_upgrade_body_framing (guint               status,
                            SoupMessageHeaders *response,
                            goffset            *length)
{
  *length = -1;
  if (status < 200 || status == 204 || status == 304)
    return SONDE_BODY_NONE;
  if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_CHUNKED)
    return SONDE_BODY_CHUNKED;
  if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_CONTENT_LENGTH)
    {
      *length = soup_message_headers_get_content_length (response);
      return *length > 0 ? SONDE_BODY_LENGTH : SONDE_BODY_NONE;
    }
  return SONDE_BODY_CLOSE;
}

/* Decodes the chunked body in @raw into @body, at most @max bytes of it.
 * TRUE when nothing more needs reading: the last chunk came, @max was
 * reached, or the framing is broken (what was decoded is kept). */
gboolean
sonde_upgrade_decode_chunked (const guint8 *raw,
                              gsize         raw_length,
                              GByteArray   *body,
                              gsize         max)
{
  gsize at = 0;

  g_byte_array_set_size (body, 0);
  while (at < raw_length)
    {
      const guint8 *eol = memchr (raw + at, '\n', raw_length - at);
      g_autofree char *line = NULL;
      char *end = NULL;
      guint64 size;
      gsize take;

      if (eol == NULL)
        return FALSE;
      line = g_strndup ((const char *) raw + at, eol - (raw + at));
      size = g_ascii_strtoull (line, &end, 16);
      if (end == line)
        return TRUE;                    /* not a chunk size: stop */
      at = (eol - raw) + 1;
      if (size == 0)
        return TRUE;
      take = (gsize) MIN (size, (guint64) (raw_length - at));
      take = MIN (take, max - MIN (max, body->len));
      g_byte_array_append (body, raw + at, (guint) take);
      if (body->len >= max)
        return TRUE;
      if (size > raw_length - at)
        return FALSE;
      at += size;
      /* the CRLF after the data */
      if (at < raw_length && raw[at] == '\r')
        at++;
      if (at < raw_length && raw[at] == '\n')
        at++;
    }
  return FALSE;
}
