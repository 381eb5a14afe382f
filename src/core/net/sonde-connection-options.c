/* sonde-connection-options.c: what a connection connects with, and the one
 * validator of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-connection-options.h"
#include "sonde-error.h"
#include "sonde-url.h"

/* Headers that the WebSocket handshake itself writes, and the option that
 * sets each one properly where there is one. */
static const struct {
  const char *name;
  const char *advice;
} managed_headers[] = {
  { "Host", N_("it comes from the URL") },
  { "Connection", N_("the handshake sets it") },
  { "Upgrade", N_("the handshake sets it") },
  { "Sec-WebSocket-Key", N_("the handshake sets it") },
  { "Sec-WebSocket-Version", N_("the handshake sets it") },
  { "Sec-WebSocket-Accept", N_("only a server sends it") },
  { "Sec-WebSocket-Extensions", N_("use the compression option") },
  { "Sec-WebSocket-Protocol", N_("use the subprotocol list") },
  { "Origin", N_("use the Origin option") },
  { "Content-Length", N_("the handshake has no body") },
  { "Transfer-Encoding", N_("the handshake has no body") },
};

G_DEFINE_BOXED_TYPE (SondeConnectionOptions, sonde_connection_options,
                     sonde_connection_options_copy, sonde_connection_options_free)

/* The defaults: a 64 MiB message limit, a 15 s handshake deadline, no
 * keepalive, no reconnect (its delays set, for when it is turned on). */
SondeConnectionOptions *
sonde_connection_options_new (void)
{
  SondeConnectionOptions *options = g_new0 (SondeConnectionOptions, 1);

  options->max_message_size = SONDE_DEFAULT_MAX_MESSAGE_SIZE;
  options->handshake_timeout_ms = SONDE_DEFAULT_HANDSHAKE_TIMEOUT;
  options->reconnect.base_ms = 1000;
  options->reconnect.cap_ms = 60000;
  options->reconnect.min_uptime_ms = 10000;
  return options;
}

SondeConnectionOptions *
sonde_connection_options_copy (const SondeConnectionOptions *options)
{
  SondeConnectionOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  copy->url = g_strdup (options->url);
  copy->headers = g_strdupv (options->headers);
  copy->protocols = g_strdupv (options->protocols);
  copy->origin = g_strdup (options->origin);
  copy->pinned_sha256 = g_strdup (options->pinned_sha256);
  copy->ca_file = g_strdup (options->ca_file);
  copy->proxy = g_strdup (options->proxy);
  return copy;
}

void
sonde_connection_options_free (SondeConnectionOptions *options)
{
  if (options == NULL)
    return;

  g_free (options->url);
  g_strfreev (options->headers);
  g_strfreev (options->protocols);
  g_free (options->origin);
  g_free (options->pinned_sha256);
  g_free (options->ca_file);
  g_free (options->proxy);
  g_free (options);
}

static gboolean
strv_equal (char **a,
            char **b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

gboolean
sonde_connection_options_equal (const SondeConnectionOptions *a,
                                const SondeConnectionOptions *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->url, b->url) == 0 &&
         strv_equal (a->headers, b->headers) &&
         strv_equal (a->protocols, b->protocols) &&
         g_strcmp0 (a->origin, b->origin) == 0 &&
         a->max_message_size == b->max_message_size &&
         !a->deflate == !b->deflate &&
         !a->follow_redirects == !b->follow_redirects &&
         a->handshake_timeout_ms == b->handshake_timeout_ms &&
         a->keepalive_s == b->keepalive_s &&
         a->pong_timeout_s == b->pong_timeout_s &&
         g_strcmp0 (a->pinned_sha256, b->pinned_sha256) == 0 &&
         g_strcmp0 (a->ca_file, b->ca_file) == 0 &&
         !a->insecure == !b->insecure &&
         g_strcmp0 (a->proxy, b->proxy) == 0 &&
         memcmp (&a->reconnect, &b->reconnect, sizeof a->reconnect) == 0;
}

/* A token as RFC 9110 §5.6.2 defines it: a header name, a subprotocol. */
gboolean
sonde_http_is_token (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* TRUE when @text holds a line break or another control character (a tab
 * is allowed): it would split or corrupt a header. */
gboolean
sonde_text_has_control_char (const char *text)
{
  for (const char *p = text; p != NULL && *p; p++)
    {
      if (g_ascii_iscntrl (*p) && *p != '\t')
        return TRUE;
    }
  return FALSE;
}

void
sonde_problem_add (GPtrArray  *problems,
                   const char *field,
                   const char *message)
{
  SondeProblem *problem = g_new0 (SondeProblem, 1);

  problem->field = g_strdup (field);
  problem->message = g_strdup (message);
  g_ptr_array_add (problems, problem);
}

void
sonde_problem_free (SondeProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->field);
  g_free (problem->message);
  g_free (problem);
}

void
sonde_problem_add_printf (GPtrArray  *problems,
                          const char *field,
                          const char *format,
                          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  sonde_problem_add (problems, field, message);
}

/* Checks one "Name: value" request header. */
gboolean
sonde_connection_check_header (const char  *header,
                               GError     **error)
{
  const char *colon;
  g_autofree char *name = NULL;

  g_return_val_if_fail (header != NULL, FALSE);

  colon = strchr (header, ':');
  if (colon == NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                   _("Header “%s” has no colon: write it as “Name: value”"), header);
      return FALSE;
    }

  name = g_strstrip (g_strndup (header, colon - header));
  if (*name == '\0')
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                   _("Header “%s” has no name before the colon"), header);
      return FALSE;
    }

  for (const char *p = name; *p; p++)
    {
      /* RFC 9110 §5.6.2 token characters */
      if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                       _("Header name “%s” contains “%c”, which a header name cannot contain"),
                       name, g_ascii_isprint (*p) ? *p : '?');
          return FALSE;
        }
    }

  for (const char *p = colon + 1; *p; p++)
    {
      if (*p == '\r' || *p == '\n' || (g_ascii_iscntrl (*p) && *p != '\t'))
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                       _("The value of header “%s” contains a line break or control character"),
                       name);
          return FALSE;
        }
    }

  if (!g_utf8_validate (header, -1, NULL))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                   _("Header “%s” is not valid UTF-8"), name);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (managed_headers); i++)
    {
      if (g_ascii_strcasecmp (name, managed_headers[i].name) == 0)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_HEADER,
                       _("Header “%s” cannot be set by hand: %s"),
                       managed_headers[i].name, _(managed_headers[i].advice));
          return FALSE;
        }
    }

  return TRUE;
}

/* Every problem of @options, one SondeProblem per field (free func
 * sonde_problem_free), in the order of the profile editor; empty when all
 * is well, never NULL. A missing URL is a problem: there is nothing to
 * connect to. */
GPtrArray *
sonde_connection_options_validate (const SondeConnectionOptions *options)
{
  GPtrArray *problems;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_return_val_if_fail (options != NULL, NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_problem_free);

  if (options->url == NULL)
    sonde_problem_add (problems, "url", _("Type a server URL to connect to"));
  else if ((url = sonde_url_normalize (options->url, &error)) == NULL)
    sonde_problem_add (problems, "url", error->message);
  g_clear_error (&error);

  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      if (!sonde_connection_check_header (options->headers[i], &error))
        {
          g_autofree char *field = g_strdup_printf ("headers[%u]", i);

          sonde_problem_add (problems, field, error->message);
          g_clear_error (&error);
        }
    }

  for (guint i = 0; options->protocols != NULL && options->protocols[i] != NULL; i++)
    {
      if (!sonde_http_is_token (options->protocols[i]))
        {
          g_autofree char *field = g_strdup_printf ("protocols[%u]", i);

          sonde_problem_add_printf (problems, field,
                              _("Subprotocol “%s” is not a valid token (no spaces, commas or separators)"),
                              options->protocols[i]);
        }
    }

  if (sonde_text_has_control_char (options->origin))
    sonde_problem_add (problems, "origin", _("The Origin contains a line break or control character"));

  /* libsoup 3.2 reads a limit of 0 as "no limit": one crafted frame could
   * then exhaust memory. */
  if (options->max_message_size == 0)
    sonde_problem_add (problems, "max-message-size",
                       _("A maximum frame size of 0 would mean no limit at all: give a size in bytes"));
  else if (options->max_message_size > SONDE_MAX_MAX_MESSAGE_SIZE)
    sonde_problem_add_printf (problems, "max-message-size",
                        _("The most Sonde accepts is %" PRIu64 " bytes (2 GiB)"),
                        SONDE_MAX_MAX_MESSAGE_SIZE);

  if (options->handshake_timeout_ms == 0)
    sonde_problem_add (problems, "handshake-timeout",
                       _("The handshake deadline must be longer than 0 ms"));

  if (options->proxy != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (options->proxy, G_URI_FLAGS_NONE, NULL);
      const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        sonde_problem_add_printf (problems, "proxy",
                            _("“%s” is not a proxy URL: write it as http://host:port or "
                              "socks5://host:port"), options->proxy);
      else if (g_ascii_strcasecmp (scheme, "http") != 0 &&
               g_ascii_strcasecmp (scheme, "https") != 0 &&
               g_ascii_strcasecmp (scheme, "socks5") != 0)
        sonde_problem_add_printf (problems, "proxy",
                            _("“%s:” proxies are not supported: use http, https or socks5"), scheme);
    }

  if (options->ca_file != NULL && *options->ca_file == '\0')
    sonde_problem_add (problems, "tls-ca-file", _("The CA file needs a name"));

  /* Either trust only one certificate or trust any: not both. */
  if (options->insecure && options->pinned_sha256 != NULL)
    sonde_problem_add (problems, "tls-insecure",
                       _("Accepting any certificate and pinning one exclude each other: choose one"));

  if (options->pong_timeout_s > 0 && options->keepalive_s == 0)
    sonde_problem_add (problems, "pong-timeout",
                       _("A pong timeout needs keepalive pings: set a keepalive interval"));

  if (options->reconnect.enabled)
    {
      if (options->reconnect.base_ms == 0)
        sonde_problem_add (problems, "reconnect", _("The first reconnect delay must be longer than 0 ms"));
      else if (options->reconnect.cap_ms < options->reconnect.base_ms)
        sonde_problem_add (problems, "reconnect",
                           _("The longest reconnect delay must be at least the first delay"));
    }

  return problems;
}

/* The first problem sonde_connection_options_validate() finds, as an
 * error: SONDE_ERROR_INVALID_URL or _UNSUPPORTED_SCHEME for the URL,
 * SONDE_ERROR_INVALID_HEADER for a header, else
 * SONDE_ERROR_INVALID_OPTION. */
gboolean
sonde_connection_options_check (const SondeConnectionOptions  *options,
                                GError                       **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  const SondeProblem *first;

  g_return_val_if_fail (options != NULL, FALSE);

  /* The URL and header errors keep their own codes. */
  if (options->url != NULL)
    {
      g_autofree char *url = sonde_url_normalize (options->url, error);

      if (url == NULL)
        return FALSE;
    }
  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      if (!sonde_connection_check_header (options->headers[i], error))
        return FALSE;
    }

  problems = sonde_connection_options_validate (options);
  if (problems->len == 0)
    return TRUE;

  first = g_ptr_array_index (problems, 0);
  g_set_error_literal (error, SONDE_ERROR,
                       g_str_equal (first->field, "url") ? SONDE_ERROR_INVALID_URL : SONDE_ERROR_INVALID_OPTION,
                       first->message);
  return FALSE;
}
