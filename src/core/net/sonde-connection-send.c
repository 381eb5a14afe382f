/* sonde-connection-send.c: what a SondeConnection sends: text, JSON,
 * binary, a message of any kind and flags, a ping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each goes to the link's I/O thread, and shows in the log once written;
 * each needs the connection open, and says so when it is not.
 */
#define G_LOG_DOMAIN "sonde-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-connection-private.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link.h"
#include "sonde-text.h"

static gboolean
check_open (SondeConnection  *self,
            GError          **error)
{
  if (self->state == SONDE_CONNECTION_STATE_OPEN && self->link != NULL)
    return TRUE;

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
               _("Cannot send: the connection is %s"), sonde_connection_describe_state (self->state));
  return FALSE;
}

gboolean
sonde_connection_send_text (SondeConnection  *self,
                            const char       *text,
                            gssize            length,
                            GError          **error)
{
  gsize invalid = 0;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  if (!check_open (self, error))
    return FALSE;

  if (length < 0)
    length = (gssize) strlen (text);

  /* NUL is a character like any other in a text message (RFC 6455). */
  if (!sonde_text_validate_utf8 ((const guint8 *) text, (gsize) length, &invalid))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEXT,
                   _("The message is not valid UTF-8 text (invalid byte at offset %zu): "
                     "send it as binary instead"), invalid);
      return FALSE;
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new (text, (gsize) length);
    sonde_link_send (self->link, SONDE_MESSAGE_KIND_TEXT, SONDE_RECORD_FLAG_NONE, bytes);
  }

  return TRUE;
}

/* Sends @text as a text message after checking that it is one JSON value. */
gboolean
sonde_connection_send_json (SondeConnection  *self,
                            const char       *text,
                            gssize            length,
                            GError          **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, length, &parse_error))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON,
                   _("Not sent: invalid JSON: %s"), parse_error->message);
      return FALSE;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON,
                           _("Not sent: the JSON text is empty"));
      return FALSE;
    }

  return sonde_connection_send_text (self, text, length, error);
}

gboolean
sonde_connection_send_binary (SondeConnection  *self,
                              GBytes           *bytes,
                              GError          **error)
{
  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;

  sonde_link_send (self->link, SONDE_MESSAGE_KIND_BINARY, SONDE_RECORD_FLAG_NONE, bytes);
  return TRUE;
}

/* Sends @bytes as a @kind (text or binary) message with @flags (an
 * application protocol's automatic answers are SONDE_RECORD_FLAG_AUTOMATIC).
 * Text must be UTF-8. */
gboolean
sonde_connection_send_full (SondeConnection   *self,
                            SondeMessageKind   kind,
                            SondeRecordFlags   flags,
                            GBytes            *bytes,
                            GError           **error)
{
  gsize invalid = 0;
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (kind == SONDE_MESSAGE_KIND_TEXT || kind == SONDE_MESSAGE_KIND_BINARY, FALSE);

  if (!check_open (self, error))
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (kind == SONDE_MESSAGE_KIND_TEXT && !sonde_text_validate_utf8 (data, size, &invalid))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEXT,
                   _("The message is not valid UTF-8 text (invalid byte at offset %zu): "
                     "send it as binary instead"), invalid);
      return FALSE;
    }
  sonde_link_send (self->link, kind, flags, bytes);
  return TRUE;
}

/* Sends a ping with @payload (at most 125 bytes, RFC 6455 §5.5). It shows
 * in the log once written, and so does the pong that answers it. */
gboolean
sonde_connection_send_ping (SondeConnection  *self,
                            const guint8     *payload,
                            gsize             length,
                            GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (SONDE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (payload != NULL || length == 0, FALSE);

  if (length > 125)
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_TEXT,
                   _("A ping carries at most 125 bytes (RFC 6455 §5.5); this one has %zu"), length);
      return FALSE;
    }
  if (!check_open (self, error))
    return FALSE;

  bytes = g_bytes_new (payload, length);
  if (!sonde_link_ping (self->link, bytes))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_NOT_OPEN,
                   _("The ping was not sent: the connection is not open"));
      return FALSE;
    }
  return TRUE;
}

