/* sonde-window-adhoc.c: the options of an address typed by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Beside the header bar's URL, a menu button opens SondeAdhocOptions:
 * headers, subprotocols and reconnect for the current tab's connection
 * when it is not a profile's (a profile's tab says its settings are in its
 * editor). New tabs reconnect by default when the preferences say so
 * ("adhoc-reconnect"). The popover also chooses the tab's decoder, applied
 * at once with sonde_session_set_decoder().
 */

#define G_LOG_DOMAIN "sonde-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-adhoc-options.h"
#include "sonde-recordings.h"
#include "sonde-window-private.h"

static SondeSession *
current_session (SondeWindow *self)
{
  return self->current != NULL ? sonde_connection_page_get_session (self->current) : NULL;
}

static void
on_options_changed (SondeWindow *self)
{
  SondeSession *session = current_session (self);
  g_autoptr(SondeConnectionOptions) options = NULL;

  if (session == NULL || sonde_session_get_profile (session) != NULL)
    return;

  options = sonde_adhoc_options_dup_options (self->adhoc_options);
  sonde_session_set_adhoc_options (session, options);
}

static void
on_decoder_chosen (SondeWindow       *self,
                   SondeDecodeEditor *editor)
{
  SondeSession *session = current_session (self);
  g_autoptr(GError) error = NULL;
  const char *descriptor = sonde_decode_editor_get_proto_descriptor (editor);
  const char *type = sonde_decode_editor_get_proto_type (editor);

  if (session == NULL || sonde_session_get_profile (session) != NULL || sonde_decode_editor_get_error (editor) != NULL)
    return;
  if (!sonde_session_set_decoder (session, sonde_decode_editor_get_spec (editor), descriptor, type, &error))
    {
      sonde_window_show_toast (self, error->message);
      return;
    }
}

/* The button and the popover follow the current tab. */
void
sonde_window_adhoc_sync (SondeWindow *self)
{
  SondeSession *session = current_session (self);
  gboolean profile = session != NULL && sonde_session_get_profile (session) != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->options_button), !profile);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->options_button),
                               profile ? _("This tab is a saved profile's: its headers and reconnect are in "
                                           "its editor")
                                       : _("Options of this address: headers, subprotocols, reconnect"));
  if (!profile)
    {
      const char *descriptor = NULL;
      const char *type = NULL;
      const char *spec = session != NULL ? sonde_session_get_decoder_full (session, &descriptor, &type) : NULL;

      g_signal_handlers_block_by_func (self->adhoc_options, on_options_changed, self);
      sonde_adhoc_options_set_options (self->adhoc_options,
                                       session != NULL ? sonde_session_get_adhoc_options (session) : NULL);
      g_signal_handlers_unblock_by_func (self->adhoc_options, on_options_changed, self);
      sonde_decode_editor_set_decode (sonde_adhoc_options_get_decode_editor (self->adhoc_options), spec,
                                      descriptor, type);
    }
}

/* A decoder set elsewhere (the page's offer to decode): the popover
 * follows, when it is the current tab's and differs. */
static void
on_session_decoder (SondeWindow  *self,
                    GParamSpec   *pspec,
                    SondeSession *session)
{
  SondeDecodeEditor *editor;

  if (self->adhoc_options == NULL)
    return;
  editor = sonde_adhoc_options_get_decode_editor (self->adhoc_options);
  if (session == current_session (self) &&
      g_strcmp0 (sonde_session_get_decoder_spec (session), sonde_decode_editor_get_spec (editor)) != 0)
    sonde_window_adhoc_sync (self);
}

/* A new tab's session: it records into the user's recordings (an ad-hoc
 * URL as the preferences say), and reconnects as they say. */
void
sonde_window_adhoc_new_session (SondeWindow  *self,
                                SondeSession *session)
{
  g_autoptr(SondeConnectionOptions) options = sonde_connection_options_new ();
  g_autofree char *recordings = sonde_recordings_default_dir ();

  sonde_session_set_recordings_dir (session, recordings);
  sonde_session_set_record_adhoc (session, self->settings == NULL
                                           || g_settings_get_boolean (self->settings, "record-adhoc"));
  if (sonde_session_get_adhoc_options (session) != NULL)
    return;
  options->reconnect.enabled = self->settings != NULL &&
                               g_settings_get_boolean (self->settings, "adhoc-reconnect");
  sonde_session_set_adhoc_options (session, options);
  g_signal_connect_object (session, "notify::profile", G_CALLBACK (sonde_window_adhoc_sync),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::decoder-spec", G_CALLBACK (on_session_decoder), self, 0);
}

/* Puts the options button between the URL and Connect. */
void
sonde_window_adhoc_init (SondeWindow *self)
{
  GtkWidget *popover = gtk_popover_new ();

  self->adhoc_options = SONDE_ADHOC_OPTIONS (sonde_adhoc_options_new ());
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->adhoc_options));

  self->options_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (self->options_button, "emblem-system-symbolic");
  gtk_menu_button_set_popover (self->options_button, popover);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->options_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Address Options"), -1);
  gtk_widget_insert_before (GTK_WIDGET (self->options_button),
                            gtk_widget_get_parent (GTK_WIDGET (self->connect_button)),
                            GTK_WIDGET (self->connect_button));

  g_signal_connect_object (self->adhoc_options, "changed", G_CALLBACK (on_options_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sonde_adhoc_options_get_decode_editor (self->adhoc_options), "changed",
                           G_CALLBACK (on_decoder_chosen), self, G_CONNECT_SWAPPED);
  sonde_window_adhoc_sync (self);
}

GtkMenuButton *
sonde_window_get_options_button (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  return self->options_button;
}

SondeAdhocOptions *
sonde_window_get_adhoc_options (SondeWindow *self)
{
  g_return_val_if_fail (SONDE_IS_WINDOW (self), NULL);

  return self->adhoc_options;
}
