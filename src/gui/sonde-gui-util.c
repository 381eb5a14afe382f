/* sonde-gui-util.c: small helpers several widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-gui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sonde-gui-util.h"

/* The CSS classes of a state (style.css colours them). */
static const char *state_classes[] = { "open", "connecting", "failed", "closed" };

/* Names @drop_down, and the toggle button inside it: in GTK 4.8 that
 * button is what AT-SPI reaches, and it does not take the drop-down's
 * name, so a screen reader would say only "toggle button". */
void
sonde_gui_name_drop_down (GtkDropDown *drop_down,
                          const char  *name)
{
  g_return_if_fail (GTK_IS_DROP_DOWN (drop_down));
  g_return_if_fail (name != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

static void
name_nameless_buttons (GtkWidget  *widget,
                       const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) == NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      name_nameless_buttons (child, name);
    }
}

/* Names the button that shows and hides @row's text: libadwaita 1.2 gives
 * it an icon and no name, so a screen reader says "GtkImage". */
void
sonde_gui_name_password_row (AdwPasswordEntryRow *row)
{
  g_return_if_fail (ADW_IS_PASSWORD_ENTRY_ROW (row));

  name_nameless_buttons (GTK_WIDGET (row), _("Show or hide the password"));
}

/* How a connection in @state is shown, everywhere the GUI shows it (the
 * status bar, the sidebar, the tab, the connection panel): a label, a
 * symbolic icon name (NULL where the state needs none: a tab shows a
 * spinner while connecting) and one of the CSS classes "open",
 * "connecting", "failed" or "closed". Each out argument may be NULL. */
void
sonde_state_describe (SondeConnectionState   state,
                      const char           **label,
                      const char           **icon,
                      const char           **css_class)
{
  const char *l = NULL;
  const char *i = NULL;
  const char *c = NULL;

  switch (state)
    {
    case SONDE_CONNECTION_STATE_CONNECTING:
      l = _("Connecting…");
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_OPEN:
      l = _("Open");
      c = "open";
      break;
    case SONDE_CONNECTION_STATE_CLOSING:
      l = _("Closing…");
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_CLOSED:
      l = _("Closed");
      c = "closed";
      break;
    case SONDE_CONNECTION_STATE_FAILED:
      l = _("Failed");
      i = "dialog-error-symbolic";
      c = "failed";
      break;
    case SONDE_CONNECTION_STATE_WAITING:
      l = _("Reconnecting…");
      i = "view-refresh-symbolic";
      c = "connecting";
      break;
    case SONDE_CONNECTION_STATE_DISCONNECTED:
    default:
      l = _("Not connected");
      c = "closed";
      break;
    }

  if (label != NULL)
    *label = l;
  if (icon != NULL)
    *icon = i;
  if (css_class != NULL)
    *css_class = c;
}

/* Gives @widget the CSS class of @state and none of the others. */
void
sonde_state_set_css_class (GtkWidget            *widget,
                           SondeConnectionState  state)
{
  const char *css_class = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  sonde_state_describe (state, NULL, NULL, &css_class);
  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    {
      if (g_strcmp0 (state_classes[i], css_class) != 0)
        gtk_widget_remove_css_class (widget, state_classes[i]);
    }
  gtk_widget_add_css_class (widget, css_class);
}

static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  GtkWidget *ancestor = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  g_autoptr(GQueue) queue = NULL;

  if (ancestor != NULL)
    return ADW_TOAST_OVERLAY (ancestor);

  /* @widget is a window: its toast overlay is the shallowest one in it. */
  queue = g_queue_new ();
  g_queue_push_tail (queue, widget);
  while (!g_queue_is_empty (queue))
    {
      GtkWidget *next = g_queue_pop_head (queue);

      if (ADW_IS_TOAST_OVERLAY (next))
        return ADW_TOAST_OVERLAY (next);
      for (GtkWidget *child = gtk_widget_get_first_child (next); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_queue_push_tail (queue, child);
    }
  return NULL;
}

/* A failure the user must know about, in the toast overlay of @widget's
 * window (or of @widget, a window): @text says what happened and what to
 * do next. It stays until dismissed. */
void
sonde_gui_show_failure (GtkWidget  *widget,
                        const char *text)
{
  AdwToastOverlay *overlay;
  AdwToast *toast;
  GtkWidget *label;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (text != NULL);

  overlay = find_toast_overlay (widget);
  if (overlay == NULL)
    {
      /* No window to show it in: at least not silent. */
      g_message ("%s", text);
      return;
    }

  /* The whole text, wrapped: a toast's own title is one ellipsized line,
   * which would cut off what to do next. */
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 80);
  gtk_widget_add_css_class (label, "heading");

  toast = adw_toast_new (text);
  adw_toast_set_custom_title (toast, label);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (overlay, toast);
}

/* A keyring write under way: where to tell of a failure, and the name of
 * the profile whose secret it is. */
typedef struct {
  GWeakRef  report_to;
  char     *name;
} SecretJob;

static SecretJob *
secret_job_new (SondeProfile *profile,
                GtkWidget    *report_to)
{
  SecretJob *job = g_new0 (SecretJob, 1);

  g_weak_ref_init (&job->report_to, report_to);
  job->name = g_strdup (sonde_profile_get_name (profile));
  return job;
}

static void
secret_job_free (SecretJob *job)
{
  g_weak_ref_clear (&job->report_to);
  g_free (job->name);
  g_free (job);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) report_to = g_weak_ref_get (&job->report_to);

  if (!sonde_secrets_store_finish (SONDE_SECRETS (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("The secret of %s was not stored: %s", job->name, error->message);
      if (report_to != NULL)
        {
          /* Translators: a profile's name, then the keyring's error. */
          g_autofree char *text = g_strdup_printf (_("The secret of “%s” could not be saved in the keyring (%s). "
                                                     "Unlock the keyring, then edit the profile and type it again."),
                                                   job->name, error->message);

          sonde_gui_show_failure (report_to, text);
        }
    }
  secret_job_free (job);
}

/* Puts @secret in the keyring for @profile, under @label; a failure is
 * shown in the window of @report_to (if it is still there). */
void
sonde_gui_store_secret (SondeSecrets *secrets,
                        SondeProfile *profile,
                        const char   *label,
                        const char   *secret,
                        GtkWidget    *report_to)
{
  g_return_if_fail (SONDE_IS_SECRETS (secrets));
  g_return_if_fail (SONDE_IS_PROFILE (profile));
  g_return_if_fail (report_to == NULL || GTK_IS_WIDGET (report_to));

  sonde_secrets_store_async (secrets, sonde_profile_get_id (profile), label, secret, NULL,
                             on_secret_stored, secret_job_new (profile, report_to));
}

static void
on_secret_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SecretJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) report_to = g_weak_ref_get (&job->report_to);

  if (!sonde_secrets_clear_finish (SONDE_SECRETS (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("The secret of %s was not removed: %s", job->name, error->message);
      if (report_to != NULL)
        {
          /* Translators: a profile's name, then the keyring's error. */
          g_autofree char *text = g_strdup_printf (_("The secret of “%s” could not be removed from the keyring "
                                                     "(%s). Remove it with Passwords and Keys."),
                                                   job->name, error->message);

          sonde_gui_show_failure (report_to, text);
        }
    }
  secret_job_free (job);
}

/* Removes @profile's secret from the keyring; a failure is shown in the
 * window of @report_to (if it is still there). */
void
sonde_gui_clear_secret (SondeSecrets *secrets,
                        SondeProfile *profile,
                        GtkWidget    *report_to)
{
  g_return_if_fail (SONDE_IS_SECRETS (secrets));
  g_return_if_fail (SONDE_IS_PROFILE (profile));
  g_return_if_fail (report_to == NULL || GTK_IS_WIDGET (report_to));

  sonde_secrets_clear_async (secrets, sonde_profile_get_id (profile), NULL,
                             on_secret_cleared, secret_job_new (profile, report_to));
}
