/* sonde-upgrade-response.c: a SondeUpgrade's reading of the answer: the
 * head (bounded), then a 101 checked, a redirect followed (when enabled)
 * or a refused answer's body read (bounded) for the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-upgrade"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-upgrade-private.h"

static void read_body (SondeUpgrade *self);

/* The handshake is done: what came after the head is the first frames. */
static void
accept_upgrade (SondeUpgrade *self)
{
  g_autofree char *host = sonde_upgrade_dup_host (self);
  g_autoptr(GError) error = NULL;
  char *protocol = NULL;
  GList *extensions = NULL;
  const char *extensions_header;

  if (!sonde_upgrade_verify_response (host, self->status, self->response_headers, self->key,
                                      self->options, &protocol, &extensions, &error))
    {
      sonde_upgrade_record_hop (self);
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  self->protocol = protocol;
  self->extension_objects = extensions;
  extensions_header = soup_message_headers_get_list (self->response_headers, "Sec-WebSocket-Extensions");
  self->extensions = g_strdup (extensions_header);
  sonde_upgrade_record_hop (self);

  self->leftover = g_bytes_new (self->buffer->data + self->head_length,
                                self->buffer->len - self->head_length);
  sonde_upgrade_succeed (self);
}

/* A 3xx with redirects enabled: the next hop, to where Location points
 * (relative to this one; http and https mean ws and wss). */
static void
follow_redirect (SondeUpgrade *self)
{
  const char *location = soup_message_headers_get_one (self->response_headers, "Location");
  g_autoptr(GUri) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_url = NULL;
  const char *scheme;
  const char *mapped = NULL;

  sonde_upgrade_record_hop (self);

  if (location != NULL)
    next = g_uri_parse_relative (self->uri, location, G_URI_FLAGS_ENCODED, &error);
  if (next == NULL)
    {
      sonde_upgrade_fail (self, sonde_upgrade_refused_error (self->status, self->reason, self->response_headers));
      return;
    }

  scheme = g_uri_get_scheme (next);
  if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
    mapped = "ws";
  else if (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    mapped = "wss";
  if (mapped == NULL || g_uri_get_host (next) == NULL)
    {
      sonde_upgrade_fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                                             _("Handshake refused: HTTP %u %s, redirecting to “%s”, which is not "
                                               "a WebSocket URL"),
                                             self->status, self->reason ? self->reason : "", location));
      return;
    }

  if (++self->hops > SONDE_UPGRADE_MAX_REDIRECTS)
    {
      sonde_upgrade_fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_REFUSED,
                                             _("Handshake refused: more than %d redirects (the last one to “%s”)"),
                                             SONDE_UPGRADE_MAX_REDIRECTS, location));
      return;
    }

  next_url = g_uri_join (G_URI_FLAGS_ENCODED, mapped, g_uri_get_userinfo (next), g_uri_get_host (next),
                         g_uri_get_port (next), g_uri_get_path (next), g_uri_get_query (next), NULL);
  g_free (self->url);
  self->url = g_steal_pointer (&next_url);
  g_clear_pointer (&self->authorization, g_free);
  sonde_upgrade_clear_hop (self);
  sonde_upgrade_start_hop (self);
}

static void
refuse (SondeUpgrade *self)
{
  SondeHandshake *handshake = sonde_upgrade_record_hop (self);

  if (self->body != NULL && self->body->len > 0)
    {
      g_autoptr(GBytes) body = g_bytes_new (self->body->data, self->body->len);

      sonde_handshake_set_response_body (handshake, body, self->body->len > SONDE_HANDSHAKE_MAX_BODY);
    }
  sonde_upgrade_fail (self, sonde_upgrade_refused_error (self->status, self->reason, self->response_headers));
}

/* TRUE when the body read so far is all we keep. */
static gboolean
body_done (SondeUpgrade *self,
           gboolean      eof)
{
  gsize raw = self->buffer->len - self->head_length;
  const guint8 *data = self->buffer->data + self->head_length;
  gsize max = SONDE_HANDSHAKE_MAX_BODY + 1;

  switch (self->framing)
    {
    case SONDE_BODY_NONE:
      return TRUE;
    case SONDE_BODY_CHUNKED:
      return sonde_upgrade_decode_chunked (data, raw, self->body, max) || eof ||
             raw >= 4 * SONDE_HANDSHAKE_MAX_BODY;
    case SONDE_BODY_LENGTH:
      g_byte_array_set_size (self->body, 0);
      g_byte_array_append (self->body, data, (guint) MIN (raw, MIN ((gsize) self->body_length, max)));
      return eof || raw >= (gsize) self->body_length || self->body->len >= max;
    case SONDE_BODY_CLOSE:
    default:
      g_byte_array_set_size (self->body, 0);
      g_byte_array_append (self->body, data, (guint) MIN (raw, max));
      return eof || self->body->len >= max;
    }
}

static void
on_body_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->task == NULL)
    return;

  if (n < 0)
    {
      /* The deadline, or the server gone: keep what came. The caller's
       * own cancel still cancels. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->deadline_hit)
        {
          sonde_upgrade_fail (self, g_steal_pointer (&error));
          return;
        }
      self->deadline_hit = FALSE;
      body_done (self, TRUE);
      refuse (self);
      return;
    }

  g_byte_array_set_size (self->buffer, self->buffer->len - (READ_CHUNK - n));
  if (body_done (self, n == 0))
    refuse (self);
  else
    read_body (self);
}

static void
read_body (SondeUpgrade *self)
{
  gsize at = self->buffer->len;

  g_byte_array_set_size (self->buffer, at + READ_CHUNK);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->buffer->data + at, READ_CHUNK, G_PRIORITY_DEFAULT,
                             self->cancellable, on_body_read, g_object_ref (self));
}

static void
handle_head (SondeUpgrade *self)
{
  g_autofree char *host = sonde_upgrade_dup_host (self);

  self->response_us = g_get_monotonic_time ();
  self->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (!soup_headers_parse_response ((const char *) self->buffer->data, (int) self->head_length,
                                    self->response_headers, &self->http_version,
                                    &self->status, &self->reason))
    {
      g_clear_pointer (&self->response_headers, soup_message_headers_unref);
      self->status = 0;
      sonde_upgrade_fail (self, g_error_new (SONDE_ERROR, SONDE_ERROR_HANDSHAKE_INVALID,
                                             _("Invalid handshake response from %s: it is not an HTTP response"), host));
      return;
    }

  if (self->status == SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      accept_upgrade (self);
      return;
    }

  if (SOUP_STATUS_IS_REDIRECTION (self->status) && self->options->follow_redirects &&
      soup_message_headers_get_one (self->response_headers, "Location") != NULL)
    {
      follow_redirect (self);
      return;
    }

  /* A 401 asking for Basic credentials the URL has: once more, with them. */
  if (self->status == SOUP_STATUS_UNAUTHORIZED && self->authorization == NULL)
    {
      self->authorization = sonde_upgrade_basic_credentials (self->uri, self->options, self->response_headers);
      if (self->authorization != NULL)
        {
          sonde_upgrade_record_hop (self);
          sonde_upgrade_clear_hop (self);
          sonde_upgrade_start_hop (self);
          return;
        }
    }

  /* Refused: its body, bounded, within the deadline. */
  self->framing = sonde_upgrade_body_framing (self->status, self->response_headers, &self->body_length);
  self->body = g_byte_array_new ();
  if (body_done (self, FALSE))
    refuse (self);
  else
    read_body (self);
}

static void
on_head_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SondeUpgrade) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gsize before;
  gssize end;

  if (self->task == NULL)
    return;
  if (n < 0)
    {
      sonde_upgrade_fail (self, g_steal_pointer (&error));
      return;
    }

  before = self->buffer->len - READ_CHUNK;
  g_byte_array_set_size (self->buffer, before + n);

  end = sonde_upgrade_find_head_end (self->buffer->data, self->buffer->len, before);
  if (end > 0 && end <= SONDE_UPGRADE_MAX_HEAD)
    {
      self->head_length = end;
      handle_head (self);
      return;
    }

  if (self->buffer->len >= SONDE_UPGRADE_MAX_HEAD)
    {
      g_autofree char *host = sonde_upgrade_dup_host (self);

      sonde_upgrade_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                             _("Invalid handshake response from %s: its headers go on past "
                                               "the 64 KiB Sonde reads (or it is not HTTP at all)"),
                                             host));
      return;
    }

  if (n == 0)
    {
      g_autofree char *host = sonde_upgrade_dup_host (self);

      sonde_upgrade_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                             self->buffer->len == 0 ?
                                             _("%s closed the connection without answering the WebSocket handshake") :
                                             _("%s closed the connection in the middle of its answer to the WebSocket handshake"),
                                             host));
      return;
    }

  sonde_upgrade_read_response (self);
}

/* Reads the response head (then maybe a body), after the request went out. */
void
sonde_upgrade_read_response (SondeUpgrade *self)
{
  gsize at;

  if (self->buffer == NULL)
    self->buffer = g_byte_array_sized_new (READ_CHUNK);
  at = self->buffer->len;
  g_byte_array_set_size (self->buffer, at + READ_CHUNK);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->buffer->data + at, READ_CHUNK, G_PRIORITY_DEFAULT,
                             self->cancellable, on_head_read, g_object_ref (self));
}
