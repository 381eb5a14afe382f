/* sonde-url.c: what Sonde accepts as a server address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-url"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-url.h"

/* Returns @text as a ws:// or wss:// URL (http and https map to them, a
 * fragment is dropped as browsers do), or NULL with an error that names what
 * is wrong with it. */
char *
sonde_url_normalize (const char  *text,
                     GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *scheme = NULL;
  const char *ws_scheme;

  if (text == NULL || *text == '\0' || *(trimmed = g_strstrip (g_strdup (text))) == '\0')
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                           _("The URL is empty: enter a ws:// or wss:// address"));
      return NULL;
    }

  for (const char *p = trimmed; *p; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                       _("“%s” is not a valid URL: it contains a space or a control character "
                         "at position %d"), trimmed, (int) (p - trimmed) + 1);
          return NULL;
        }
    }

  if (strstr (trimmed, "://") == NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                   _("“%s” has no scheme: write ws://%s or wss://%s"), trimmed, trimmed, trimmed);
      return NULL;
    }

  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                   _("“%s” is not a valid URL: %s"), trimmed, local_error->message);
      return NULL;
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (g_str_equal (scheme, "ws") || g_str_equal (scheme, "http"))
    ws_scheme = "ws";
  else if (g_str_equal (scheme, "wss") || g_str_equal (scheme, "https"))
    ws_scheme = "wss";
  else
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_UNSUPPORTED_SCHEME,
                   _("“%s:” is not a WebSocket scheme: use ws://, wss://, http:// or https://"),
                   scheme);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                   _("“%s” has no host name"), trimmed);
      return NULL;
    }

  if (g_uri_get_port (uri) == 0)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                   _("“%s”: port 0 is not a port a server can listen on"), trimmed);
      return NULL;
    }

  return g_uri_join (G_URI_FLAGS_ENCODED,
                     ws_scheme,
                     g_uri_get_userinfo (uri),
                     g_uri_get_host (uri),
                     g_uri_get_port (uri),
                     *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
                     g_uri_get_query (uri),
                     NULL);
}
