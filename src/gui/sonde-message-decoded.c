/* sonde-message-decoded.c: a message's decoded view, for the detail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The detail shows what the log's views make of a message (the session's
 * decoder chain sets them on the log) beside its raw bytes. The views come
 * from the log that keeps the message; the chain's name from the session,
 * which the detail reaches through the widget that shows that session (a
 * "session" property up its ancestors), so the detail needs no setter.
 */

#define G_LOG_DOMAIN "sonde-message-detail"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-decoder.h"
#include "sonde-message-decoded.h"
#include "sonde-session.h"

SondeMessageLog *
sonde_message_decoded_get_log (SondeMessage *message)
{
  GObject *source;

  g_return_val_if_fail (message == NULL || SONDE_IS_MESSAGE (message), NULL);

  if (message == NULL)
    return NULL;
  source = sonde_message_get_source (message);
  return SONDE_IS_MESSAGE_LOG (source) ? SONDE_MESSAGE_LOG (source) : NULL;
}

SondeRecordViewKind
sonde_message_decoded_get (SondeMessage  *message,
                           GBytes       **view,
                           char         **error_message)
{
  SondeMessageLog *log = sonde_message_decoded_get_log (message);
  SondeRecordViewKind kind;
  const char *why = NULL;
  SondeRecord record;
  SondeRecord decoded;

  *view = NULL;
  *error_message = NULL;
  if (log == NULL || !sonde_message_get_record (message, &record))
    return SONDE_RECORD_VIEW_RAW;

  kind = sonde_record_views_get (sonde_message_log_get_views (log), &record, &decoded, &why);
  if (kind == SONDE_RECORD_VIEW_DECODED)
    *view = g_bytes_new (decoded.data, decoded.stored_size);
  else if (kind == SONDE_RECORD_VIEW_FAILED)
    *error_message = g_strdup (why != NULL ? why : "");
  return kind;
}

char *
sonde_message_decoded_dup_spec (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  for (GtkWidget *ancestor = widget; ancestor != NULL; ancestor = gtk_widget_get_parent (ancestor))
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (ancestor), "session");
      g_autoptr(SondeSession) session = NULL;

      if (pspec == NULL || pspec->value_type != SONDE_TYPE_SESSION || !(pspec->flags & G_PARAM_READABLE))
        continue;
      g_object_get (ancestor, "session", &session, NULL);
      /* A protocol mode makes the view; its payloads go through the chain. */
      if (session != NULL && sonde_session_get_app_protocol (session) != SONDE_APP_PROTOCOL_NONE)
        return g_strconcat ("protocol:", sonde_app_protocol_kind_to_string (sonde_session_get_app_protocol (session)),
                            NULL);
      if (session != NULL)
        return g_strdup (sonde_session_get_decoder_spec (session));
    }
  return NULL;
}

char *
sonde_message_decoded_describe (const char *spec)
{
  g_autofree char *words = NULL;

  if (spec == NULL || *spec == '\0')
    return g_strdup (_("Decoded"));
  if (g_str_has_prefix (spec, "protocol:"))
    /* Translators: %s is a protocol mode's name: "json-rpc", "socket.io", "mqtt"… */
    return g_strdup_printf (_("Read as a %s message"), spec + strlen ("protocol:"));
  words = sonde_decoder_describe (spec);
  /* Translators: %s is a decoder chain in words, such as
   * "gzip-compressed JSON" or "MessagePack". */
  return g_strdup_printf (_("Decoded as %s"), words);
}
