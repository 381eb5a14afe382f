/* sonde-session-app.c: the session's application protocol mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mode (proto/sonde-app-protocol.h) is given, before each connect, its
 * chance to change the URL and the subprotocols offered; then every record
 * as the log appends it, in order (from the log's sink, beside the
 * recorder and a stateful decoder), the connection's life (a new
 * connection, open, closed) and the log's views: with a mode, a message's
 * view is the mode's (its payloads read through the decoder chain, if
 * any). A received message that holds several protocol messages becomes
 * one record each (the connection's splitter).
 */

#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-session-private.h"

static SondeRecordViewKind
make_app_view (const SondeRecord    *record,
               GString              *json,
               char                **error_message,
               SondeRecordViewExtra *extra,
               gpointer              user_data)
{
  SondeAppProtocol *app = user_data;

  if (record->direction == SONDE_DIRECTION_EVENT)
    return SONDE_RECORD_VIEW_RAW;
  return sonde_app_protocol_view (app, record, json, error_message, extra);
}

/* A payload inside a protocol message, through the decoder chain. */
static gboolean
decode_payload (const guint8  *data,
                gsize          length,
                GString       *json,
                char         **error_message,
                gpointer       user_data)
{
  SondeSession *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->decoder == NULL || sonde_decoder_is_stateful (self->decoder))
    return FALSE;
  if (!sonde_decoder_decode (self->decoder, data, length, json, &error))
    {
      *error_message = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
split_message (const guint8 *data,
               gsize         length,
               GArray       *slices,
               gpointer      user_data)
{
  SondeSession *self = user_data;

  return self->app != NULL && sonde_app_protocol_split (self->app, data, length, slices);
}

/* The views of the log: the mode's, or the decoder chain's. */
void
sonde_session_app_apply_views (SondeSession *self)
{
  SondeMessageLog *log = sonde_connection_get_log (self->connection);

  if (self->app == NULL)
    return;
  sonde_message_log_set_view_func (log, make_app_view, g_object_ref (self->app), g_object_unref);
}

/* Speaks @kind (SONDE_APP_PROTOCOL_NONE: none) with @options from the next
 * connect on; what it changes in the URL and the subprotocols, too. */
void
sonde_session_set_app_protocol (SondeSession                  *self,
                                SondeAppProtocolKind           kind,
                                const SondeAppProtocolOptions *options)
{
  SondeMessageLog *log;

  g_return_if_fail (SONDE_IS_SESSION (self));

  log = sonde_connection_get_log (self->connection);
  if (self->app != NULL)
    {
      sonde_app_protocol_closed (self->app);
      sonde_connection_set_splitter (self->connection, NULL, NULL);
      g_clear_object (&self->app);
      /* Back to the decoder chain's views, or none. */
      if (!sonde_session_reapply_decoder_views (self))
        sonde_message_log_set_view_func (log, NULL, NULL, NULL);
    }

  self->app = sonde_app_protocol_new (kind, self->connection, options);
  if (self->app != NULL)
    {
      sonde_app_protocol_set_views (self->app, sonde_message_log_get_views (log));
      sonde_app_protocol_set_payload_func (self->app, decode_payload, self);
      sonde_connection_set_splitter (self->connection, split_message, self);
      sonde_session_app_apply_views (self);
    }
  sonde_session_notify_app_protocol (self);
}

SondeAppProtocolKind
sonde_session_get_app_protocol (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), SONDE_APP_PROTOCOL_NONE);

  return self->app != NULL ? sonde_app_protocol_get_kind (self->app) : SONDE_APP_PROTOCOL_NONE;
}

SondeAppProtocol *
sonde_session_get_app (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->app;
}

/* One of the mode's actions ("subscribe", "emit"…); an error when there is
 * no mode, or the action is not the mode's. */
gboolean
sonde_session_app_act (SondeSession  *self,
                       const char    *action,
                       const char    *argument,
                       GError       **error)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  if (self->app == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("This connection speaks no application protocol: choose a protocol mode first"));
      return FALSE;
    }
  return sonde_app_protocol_act (self->app, action, argument, error);
}

gboolean
sonde_session_app_act_full (SondeSession          *self,
                            const SondeAppAction  *action,
                            GError               **error)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  if (self->app == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("This connection speaks no application protocol: choose a protocol mode first"));
      return FALSE;
    }
  return sonde_app_protocol_act_full (self->app, action, error);
}

/* Before a connect: the mode's URL and, when none are offered, its
 * subprotocols. */
void
sonde_session_app_prepare (SondeSession *self)
{
  const SondeConnectionOptions *current;
  g_autofree char *url = NULL;
  const char * const *protocols;

  if (self->app == NULL)
    return;
  current = sonde_connection_get_options (self->connection);
  url = sonde_app_protocol_rewrite_url (self->app, current->url);
  protocols = sonde_app_protocol_get_subprotocols (self->app);
  if (url == NULL && (protocols == NULL || (current->protocols != NULL && current->protocols[0] != NULL)))
    return;

  {
    g_autoptr(SondeConnectionOptions) options = sonde_connection_options_copy (current);

    if (url != NULL)
      {
        g_free (options->url);
        options->url = g_steal_pointer (&url);
      }
    if (protocols != NULL && (options->protocols == NULL || options->protocols[0] == NULL))
      {
        g_strfreev (options->protocols);
        options->protocols = g_strdupv ((char **) protocols);
      }
    sonde_connection_set_options (self->connection, options);
  }
}

static void
suggest (SondeSession         *self,
         SondeAppProtocolKind  kind)
{
  self->app_looked = TRUE;
  if (kind == SONDE_APP_PROTOCOL_NONE || !sonde_app_protocol_kind_is_spoken (kind))
    return;
  self->app_suggested = kind;
  sonde_session_emit_app_protocol_suggested (self, sonde_app_protocol_kind_to_string (kind));
}

/* What the connection looks like: its subprotocol or URL at open, else its
 * first received message. */
static void
look (SondeSession      *self,
      const SondeRecord *record)
{
  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_CONNECTING)
    {
      self->app_looked = FALSE;
      return;
    }
  if (self->app_looked)
    return;

  if (record->direction == SONDE_DIRECTION_EVENT && record->kind == SONDE_MESSAGE_KIND_OPEN)
    {
      const char *protocol = sonde_connection_get_protocol (self->connection);
      const char *url = sonde_connection_get_url (self->connection);

      if (protocol != NULL && (g_str_equal (protocol, "graphql-transport-ws") || g_str_equal (protocol, "graphql-ws")))
        suggest (self, SONDE_APP_PROTOCOL_GRAPHQL);
      else if (protocol != NULL && g_str_has_suffix (protocol, ".stomp"))
        suggest (self, SONDE_APP_PROTOCOL_STOMP);
      else if (protocol != NULL && (g_str_equal (protocol, "mqtt") || g_str_equal (protocol, "mqttv3.1")))
        suggest (self, SONDE_APP_PROTOCOL_MQTT);
      else if (url != NULL && strstr (url, "/socket.io/") != NULL)
        suggest (self, SONDE_APP_PROTOCOL_SOCKET_IO);
      return;
    }
  if (record->direction != SONDE_DIRECTION_IN || record->kind != SONDE_MESSAGE_KIND_TEXT)
    return;

  {
    const char *text = (const char *) record->data;
    gsize length = record->stored_size;

    if (length > 6 && memcmp (text, "0{\"sid\"", 7) == 0)
      suggest (self, SONDE_APP_PROTOCOL_SOCKET_IO);
    else if (length >= 3 && text[length - 1] == '\x1e' && text[0] == '{')
      suggest (self, SONDE_APP_PROTOCOL_SIGNALR);
    else if (g_strstr_len (text, (gssize) MIN (length, 256), "\"jsonrpc\":\"2.0\"") != NULL ||
             g_strstr_len (text, (gssize) MIN (length, 256), "\"jsonrpc\": \"2.0\"") != NULL)
      suggest (self, SONDE_APP_PROTOCOL_JSON_RPC);
    else
      self->app_looked = TRUE;
  }
}

SondeAppProtocolKind
sonde_session_get_suggested_app_protocol (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), SONDE_APP_PROTOCOL_NONE);
  return self->app_suggested;
}

gboolean
sonde_session_accept_suggested_app_protocol (SondeSession  *self,
                                             GError       **error)
{
  SondeAppProtocolKind kind;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  kind = self->app_suggested;
  self->app_suggested = SONDE_APP_PROTOCOL_NONE;
  if (kind == SONDE_APP_PROTOCOL_NONE)
    return TRUE;
  if (self->profile != NULL)
    sonde_profile_set_app_protocol (self->profile, kind, NULL);
  sonde_session_set_app_protocol (self, kind, NULL);
  /* The mode's handshake (and its URL) start from a new connection. */
  if (self->profile != NULL)
    {
      sonde_session_connect_profile_now (self);
      return TRUE;
    }
  return sonde_session_reconnect (self, error);
}

/* From the log's sink: every record, whole, in order. */
void
sonde_session_app_record (SondeSession      *self,
                          const SondeRecord *record)
{
  if (self->app == NULL)
    {
      look (self, record);
      return;
    }

  if (record->direction == SONDE_DIRECTION_EVENT)
    {
      switch (record->kind)
        {
        case SONDE_MESSAGE_KIND_CONNECTING:
          sonde_app_protocol_reset (self->app);
          break;
        case SONDE_MESSAGE_KIND_OPEN:
          /* After the open record: what it sends comes after it (a
           * replay sends nothing). */
          if (!self->replaying)
            sonde_session_app_schedule_opened (self);
          break;
        case SONDE_MESSAGE_KIND_CLOSE:
        case SONDE_MESSAGE_KIND_FAILED:
          sonde_app_protocol_closed (self->app);
          break;
        case SONDE_MESSAGE_KIND_TEXT:
        case SONDE_MESSAGE_KIND_BINARY:
        case SONDE_MESSAGE_KIND_HANDSHAKE:
        case SONDE_MESSAGE_KIND_CLOSING:
        case SONDE_MESSAGE_KIND_ERROR:
        case SONDE_MESSAGE_KIND_RECONNECT:
        case SONDE_MESSAGE_KIND_GAP:
        case SONDE_MESSAGE_KIND_LATENCY:
        case SONDE_MESSAGE_KIND_PING:
        case SONDE_MESSAGE_KIND_PONG:
        case SONDE_MESSAGE_KIND_FRAME:
        default:
          break;
        }
      return;
    }
  if (record->kind == SONDE_MESSAGE_KIND_TEXT || record->kind == SONDE_MESSAGE_KIND_BINARY)
    sonde_app_protocol_process (self->app, record);
}

static gboolean
on_opened (gpointer data)
{
  SondeSession *self = data;

  self->app_opened_idle = 0;
  if (self->app != NULL && sonde_connection_get_state (self->connection) == SONDE_CONNECTION_STATE_OPEN)
    sonde_app_protocol_opened (self->app);
  return G_SOURCE_REMOVE;
}

/* The open record is being appended: the handshake goes once the batch
 * that holds it is in. */
void
sonde_session_app_schedule_opened (SondeSession *self)
{
  if (self->app_opened_idle == 0)
    self->app_opened_idle = g_idle_add_full (G_PRIORITY_HIGH, on_opened, self, NULL);
}

void
sonde_session_app_dispose (SondeSession *self)
{
  g_clear_handle_id (&self->app_opened_idle, g_source_remove);
  if (self->app != NULL)
    {
      sonde_app_protocol_closed (self->app);
      if (self->connection != NULL)
        sonde_connection_set_splitter (self->connection, NULL, NULL);
      g_clear_object (&self->app);
    }
}
