/* sonde-message-detail-decode.c: the detail's decoded view of a message,
 * its Decoded and Raw toggles, and copying
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With a decoder on, the log's views (sonde-record-views.h) hold each
 * message's decoded view: the detail shows it (JSON, the chain named) or
 * the bytes, charts its fields, copies either, and shows why a message
 * does not decode. It follows the log's ::views-changed (the decoder
 * switched on, off or to another chain).
 */

#define G_LOG_DOMAIN "sonde-message-detail"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-message-decoded.h"
#include "sonde-message-detail-private.h"

gboolean
sonde_message_detail_shows_decoded (SondeMessageDetail *self)
{
  return self->decoded != NULL && !self->show_raw;
}

/* What the text view shows: the decoded view or the payload. */
GBytes *
sonde_message_detail_shown_bytes (SondeMessageDetail *self)
{
  return sonde_message_detail_shows_decoded (self) ? self->decoded : self->payload;
}

/* What is read as JSON (fields to chart): the decoded view when there is
 * one, else a text message's payload; NULL: nothing. */
GBytes *
sonde_message_detail_json_bytes (SondeMessageDetail *self)
{
  if (self->decoded != NULL)
    return self->decoded;
  if (self->payload == NULL || self->decode_error != NULL ||
      sonde_message_get_kind (self->message) != SONDE_MESSAGE_KIND_TEXT ||
      sonde_message_get_direction (self->message) == SONDE_DIRECTION_EVENT)
    return NULL;
  return self->payload;
}

static char *
hex_pairs (GBytes *bytes)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GString *out = g_string_sized_new (length * 3 + 1);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (out, i == 0 ? "%02x" : (i % 16 == 0 ? "\n%02x" : " %02x"), data[i]);
  return g_string_free (out, FALSE);
}

static void
copy_raw (SondeMessageDetail *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  g_autofree char *text = NULL;

  if (self->payload == NULL)
    return;

  /* The payload itself, not its rendering: text as it arrived, binary as
   * hex pairs the composer's Binary mode reads back. */
  if (sonde_message_get_kind (self->message) == SONDE_MESSAGE_KIND_BINARY)
    text = hex_pairs (self->payload);
  else
    {
      gsize length;
      const char *data = g_bytes_get_data (self->payload, &length);

      text = g_utf8_make_valid (data, (gssize) length);
    }

  gdk_clipboard_set_text (clipboard, text);
}

/* The decoded view as the decoder made it (JSON on one line). */
static void
copy_decoded (SondeMessageDetail *self)
{
  gsize length;
  const char *data;
  g_autofree char *text = NULL;

  if (self->decoded == NULL)
    return;
  data = g_bytes_get_data (self->decoded, &length);
  text = g_utf8_make_valid (data, (gssize) length);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

/* The button copies what is shown. */
void
sonde_message_detail_on_copy_clicked (SondeMessageDetail *self)
{
  if (sonde_message_detail_shows_decoded (self))
    copy_decoded (self);
  else
    copy_raw (self);
}

void
sonde_message_detail_on_copy_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeMessageDetail *self = SONDE_MESSAGE_DETAIL (widget);

  if (g_str_equal (action_name, "detail.copy-decoded"))
    copy_decoded (self);
  else
    copy_raw (self);
}

/* The Decoded and Raw toggles, the chain's name or why the message does
 * not decode, and the copy actions, for the decoded view as it is now. */
void
sonde_message_detail_update_decode_bar (SondeMessageDetail *self)
{
  gboolean decoded = self->decoded != NULL;
  g_autofree char *label = NULL;

  gtk_widget_set_visible (self->decode_bar, decoded);
  gtk_widget_set_visible (self->decode_error_box, self->decode_error != NULL);
  if (self->decode_error != NULL)
    {
      /* The decoder's words start a sentence here. */
      gunichar first = g_utf8_get_char (self->decode_error);
      char upper[8] = "";

      g_unichar_to_utf8 (g_unichar_totitle (first), upper);
      label = g_strconcat (upper, g_utf8_next_char (self->decode_error), NULL);
    }
  gtk_label_set_label (self->decode_error_label, label != NULL ? label : "");
  if (decoded)
    {
      g_autofree char *spec = sonde_message_decoded_dup_spec (GTK_WIDGET (self));
      g_autofree char *described = sonde_message_decoded_describe (spec);

      gtk_label_set_label (self->decode_label, described);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button),
                               sonde_message_detail_shows_decoded (self) ? _("Copy the decoded message") : _("Copy the message"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-decoded", decoded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-raw", self->payload != NULL);
}

/* Reads the message's view from its log again. */
void
sonde_message_detail_update_decoded (SondeMessageDetail *self)
{
  g_clear_pointer (&self->decoded, g_bytes_unref);
  g_clear_pointer (&self->decode_error, g_free);
  if (self->message != NULL && self->payload != NULL)
    sonde_message_decoded_get (self->message, &self->decoded, &self->decode_error);
  sonde_message_detail_update_decode_bar (self);
}

/* The decoder changed: the message is shown through the new one. */
static void
on_views_changed (SondeMessageDetail *self)
{
  if (self->message == NULL || self->payload == NULL)
    return;
  sonde_message_detail_update_decoded (self);
  sonde_message_detail_start_format (self, FALSE);
  sonde_message_detail_update_chart_menu (self);
}

void
sonde_message_detail_set_log (SondeMessageDetail *self,
         SondeMessageLog    *log)
{
  if (self->log == log)
    return;
  if (self->log != NULL)
    g_clear_signal_handler (&self->views_handler, self->log);
  g_set_object (&self->log, log);
  if (log != NULL)
    self->views_handler = g_signal_connect_object (log, "views-changed", G_CALLBACK (on_views_changed),
                                                   self, G_CONNECT_SWAPPED);
}

/* Whether the message shown has a decoded view. */
gboolean
sonde_message_detail_get_decoded (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), FALSE);

  return self->decoded != NULL;
}

/* Why the message shown does not decode, or NULL. */
const char *
sonde_message_detail_get_decode_error (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), NULL);

  return self->decode_error;
}
