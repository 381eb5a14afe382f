/* sonde-decode-banner.c: a connection page's offer to decode its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When the session's first binary messages look like something it can
 * decode (::decoder-suggested), the banner above the log says what, in
 * words ("gzip-compressed JSON"), with Decode (the session takes the
 * chain, and a profile keeps it: the profile store saves the profile when
 * it changes) and Not Now (no more offers on this page). A failure to
 * decode is said in the banner. Once the session has a decoder, whatever
 * set it, the banner goes.
 */

#define G_LOG_DOMAIN "sonde-decode-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-decode-banner.h"

struct _SondeDecodeBanner
{
  GtkWidget     parent_instance;

  /* children, borrowed */
  GtkRevealer  *revealer;
  GtkLabel     *label;
  GtkButton    *decode_button;
  GtkButton    *dismiss_button;

  /* owned */
  SondeSession *session;

  gboolean      declined;  /* Not Now: no more offers on this page */
  gboolean      app_offer; /* the offer on show is a protocol mode's, not a decoder's */
};

G_DEFINE_FINAL_TYPE (SondeDecodeBanner, sonde_decode_banner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_shown (SondeDecodeBanner *self,
           gboolean           shown)
{
  if (gtk_revealer_get_reveal_child (self->revealer) == shown)
    return;
  gtk_revealer_set_reveal_child (self->revealer, shown);
  /* A hidden banner takes no room, and no focus. */
  if (shown)
    gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN]);
}

static void
on_child_revealed (SondeDecodeBanner *self)
{
  if (!gtk_revealer_get_child_revealed (self->revealer) && !gtk_revealer_get_reveal_child (self->revealer))
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
on_decoder_suggested (SondeDecodeBanner *self,
                      const char        *spec)
{
  g_autofree char *words = NULL;
  g_autofree char *text = NULL;

  if (self->declined || spec == NULL || sonde_session_get_decoder_spec (self->session) != NULL)
    return;

  self->app_offer = FALSE;
  gtk_button_set_label (self->decode_button, _("Decode"));
  words = sonde_decoder_describe (spec);
  /* Translators: %s is a chain in words, such as "gzip-compressed JSON". */
  text = g_strdup_printf (_("These messages look like %s. Decode them?"), words);
  gtk_label_set_label (self->label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->decode_button), TRUE);
  gtk_button_set_label (self->dismiss_button, _("Not Now"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dismiss_button), _("No more offers to decode on this tab"));
  set_shown (self, TRUE);
}

/* A protocol mode the connection looks like. */
static void
on_app_protocol_suggested (SondeDecodeBanner *self,
                           const char        *mode)
{
  g_autofree char *text = NULL;

  if (self->declined || mode == NULL ||
      sonde_session_get_app_protocol (self->session) != SONDE_APP_PROTOCOL_NONE)
    return;

  self->app_offer = TRUE;
  /* Translators: %s is a protocol mode's name: "socket.io", "graphql", "mqtt"… */
  text = g_strdup_printf (_("This server seems to speak %s. Speak it (and connect again)?"), mode);
  gtk_label_set_label (self->label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->decode_button), TRUE);
  gtk_button_set_label (self->decode_button, _("Speak It"));
  gtk_button_set_label (self->dismiss_button, _("Not Now"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dismiss_button), _("No more offers on this tab"));
  set_shown (self, TRUE);
}

static void
on_decoder_spec (SondeDecodeBanner *self)
{
  if (sonde_session_get_decoder_spec (self->session) != NULL)
    set_shown (self, FALSE);
}

static void
on_decode_clicked (SondeDecodeBanner *self)
{
  g_autoptr(GError) error = NULL;

  if (self->app_offer)
    {
      if (!sonde_session_accept_suggested_app_protocol (self->session, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Not switched: %s"), error->message);

          gtk_label_set_label (self->label, text);
          gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
          gtk_widget_set_visible (GTK_WIDGET (self->decode_button), FALSE);
          gtk_button_set_label (self->dismiss_button, _("Dismiss"));
          return;
        }
      set_shown (self, FALSE);
      return;
    }

  if (sonde_session_get_suggested_decoder (self->session) == NULL)
    {
      set_shown (self, FALSE);
      return;
    }
  if (!sonde_session_accept_suggested_decoder (self->session, &error))
    {
      /* Translators: %s is the decoder's reason. */
      g_autofree char *text = g_strdup_printf (_("Not decoded: %s"), error->message);

      gtk_label_set_label (self->label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->decode_button), FALSE);
      gtk_button_set_label (self->dismiss_button, _("Dismiss"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->dismiss_button), NULL);
      return;
    }
  set_shown (self, FALSE);
}

static void
on_dismiss_clicked (SondeDecodeBanner *self)
{
  self->declined = TRUE;
  set_shown (self, FALSE);
}

static void
sonde_decode_banner_dispose (GObject *object)
{
  SondeDecodeBanner *self = (SondeDecodeBanner *) object;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sonde_decode_banner_parent_class)->dispose (object);
}

static void
sonde_decode_banner_constructed (GObject *object)
{
  SondeDecodeBanner *self = (SondeDecodeBanner *) object;

  G_OBJECT_CLASS (sonde_decode_banner_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "decoder-suggested", G_CALLBACK (on_decoder_suggested), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::decoder-spec", G_CALLBACK (on_decoder_spec), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "app-protocol-suggested", G_CALLBACK (on_app_protocol_suggested), self,
                           G_CONNECT_SWAPPED);
  /* A proposal made before the page was. */
  on_decoder_suggested (self, sonde_session_get_suggested_decoder (self->session));
}

static void
sonde_decode_banner_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SondeDecodeBanner *self = SONDE_DECODE_BANNER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SHOWN:
      g_value_set_boolean (value, sonde_decode_banner_get_shown (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_decode_banner_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SondeDecodeBanner *self = SONDE_DECODE_BANNER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_decode_banner_class_init (SondeDecodeBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_decode_banner_constructed;
  object_class->dispose = sonde_decode_banner_dispose;
  object_class->get_property = sonde_decode_banner_get_property;
  object_class->set_property = sonde_decode_banner_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SONDE_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOWN] =
    g_param_spec_boolean ("shown", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondedecodebanner");
}

static void
sonde_decode_banner_init (SondeDecodeBanner *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_widget_set_parent (GTK_WIDGET (self->revealer), GTK_WIDGET (self));
  gtk_widget_add_css_class (box, "sonde-banner");
  gtk_widget_add_css_class (box, "sonde-offer");
  gtk_revealer_set_child (self->revealer, box);

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->label, 0);
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_wrap_mode (self->label, PANGO_WRAP_WORD_CHAR);
  /* Wrapped, but never narrower than a few words (see the page's banner). */
  gtk_label_set_width_chars (self->label, 16);
  gtk_widget_set_hexpand (GTK_WIDGET (self->label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Decoder proposal"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));

  self->decode_button = GTK_BUTTON (gtk_button_new_with_label (_("Decode")));
  gtk_widget_set_valign (GTK_WIDGET (self->decode_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->decode_button), "suggested-action");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->decode_button),
                               _("Read the messages through this decoder (a profile keeps it)"));
  g_signal_connect_object (self->decode_button, "clicked", G_CALLBACK (on_decode_clicked), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->decode_button));

  self->dismiss_button = GTK_BUTTON (gtk_button_new_with_label (_("Not Now")));
  gtk_widget_set_valign (GTK_WIDGET (self->dismiss_button), GTK_ALIGN_CENTER);
  g_signal_connect_object (self->dismiss_button, "clicked", G_CALLBACK (on_dismiss_clicked), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->dismiss_button));

  g_signal_connect_object (self->revealer, "notify::child-revealed", G_CALLBACK (on_child_revealed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* A banner over @session's proposals. */
GtkWidget *
sonde_decode_banner_new (SondeSession *session)
{
  g_return_val_if_fail (SONDE_IS_SESSION (session), NULL);

  return g_object_new (SONDE_TYPE_DECODE_BANNER, "session", session, NULL);
}

/* Whether it offers (or says why decoding failed) now. */
gboolean
sonde_decode_banner_get_shown (SondeDecodeBanner *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_BANNER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
sonde_decode_banner_get_text (SondeDecodeBanner *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_BANNER (self), NULL);

  return gtk_label_get_label (self->label);
}

GtkButton *
sonde_decode_banner_get_decode_button (SondeDecodeBanner *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_BANNER (self), NULL);

  return self->decode_button;
}

GtkButton *
sonde_decode_banner_get_dismiss_button (SondeDecodeBanner *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_BANNER (self), NULL);

  return self->dismiss_button;
}
