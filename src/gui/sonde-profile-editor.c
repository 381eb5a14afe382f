/* sonde-profile-editor.c: editing a profile, checked as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor works on a draft, a copy of the profile with the same id:
 * every change is written into the draft and the draft validated at once;
 * each problem is shown next to its field and listed above the page, and
 * Save stays off until there are none. Save puts the draft in the store in
 * the original's place and hands the secret, if one was typed, to the
 * keyring: it never goes into the profile.
 *
 * This file is the window: checking the draft, showing its problems,
 * saving and the secret. The page's rows are built in
 * sonde-profile-editor-page.c; the draft is filled from them and they from
 * it in sonde-profile-editor-draft.c.
 */

#define G_LOG_DOMAIN "sonde-profile-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sonde-app-protocol-editor.h"
#include "sonde-decode-editor.h"
#include "sonde-gui-util.h"
#include "sonde-profile-editor-private.h"

G_DEFINE_FINAL_TYPE (SondeProfileEditor, sonde_profile_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SECRETS,
  PROP_PROFILE,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The widget a problem's field name points at ("templates[2]" → that
 * template's body). */
static GtkWidget *
widget_for_field (SondeProfileEditor *self,
                  const char         *name)
{
  guint index;

  if (sscanf (name, "templates[%u]", &index) == 1 && index < self->template_rows->len)
    return GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->template_rows, index))->body);
  if (sscanf (name, "on-open[%u]", &index) == 1 && index < self->on_open_rows->len)
    return GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->on_open_rows, index))->body);
  if (g_str_has_prefix (name, "headers"))
    return sonde_profile_editor_field (self, "headers");
  if (g_str_has_prefix (name, "protocols"))
    return sonde_profile_editor_field (self, "protocols");

  /* The fields are kept under the names the validators use. */
  return g_hash_table_lookup (self->fields, name);
}

static void
show_problems (SondeProfileEditor *self)
{
  GHashTableIter iter;
  gpointer widget;
  GString *text = g_string_new (NULL);

  g_hash_table_iter_init (&iter, self->fields);
  while (g_hash_table_iter_next (&iter, NULL, &widget))
    {
      gtk_widget_remove_css_class (widget, "error");
      if (!ADW_IS_PREFERENCES_ROW (widget))
        gtk_widget_set_tooltip_text (widget, NULL);
    }
  for (guint i = 0; i < self->on_open_rows->len; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->on_open_rows, i))->body), "error");
  for (guint i = 0; i < self->template_rows->len; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (((MessageRow *) g_ptr_array_index (self->template_rows, i))->body), "error");

  /* A blank new profile is not wrong yet: Save waits, quietly, until the
   * user has typed something. */
  for (guint i = 0; !self->untouched && i < self->problems->len; i++)
    {
      SondeProblem *problem = g_ptr_array_index (self->problems, i);
      GtkWidget *target = widget_for_field (self, problem->field);

      if (target != NULL)
        {
          gtk_widget_add_css_class (target, "error");
          if (!ADW_IS_PREFERENCES_ROW (target))
            gtk_widget_set_tooltip_text (target, problem->message);
        }
      g_string_append_printf (text, "%s• %s", text->len ? "\n" : "", problem->message);
    }

  gtk_label_set_label (self->problems_label, text->str);
  gtk_revealer_set_reveal_child (self->problems_revealer, text->len > 0);
  /* The one place that decides whether editor.save can run: the button
   * greys and Ctrl+S does nothing while there are problems. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", self->problems->len == 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button),
                               self->problems->len == 0 ? _("Save the profile (Ctrl+S)") :
                               self->untouched ? _("Give the profile a name and a server URL to save") :
                               _("Fix the problems listed above to save"));
  g_string_free (text, TRUE);
}

static void
update_visibility (SondeProfileEditor *self)
{
  SondeAuthKind kind = adw_combo_row_get_selected (self->auth_kind);
  gboolean pinned = adw_combo_row_get_selected (self->tls_policy) == SONDE_TLS_PINNED;

  gtk_widget_set_visible (sonde_profile_editor_field (self, "auth-username"), kind == SONDE_AUTH_BASIC);
  gtk_widget_set_visible (sonde_profile_editor_field (self, "auth-key-name"),
                          kind == SONDE_AUTH_API_KEY_HEADER || kind == SONDE_AUTH_API_KEY_QUERY);
  gtk_widget_set_visible (sonde_profile_editor_field (self, "secret"), kind != SONDE_AUTH_NONE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (sonde_profile_editor_field (self, "secret")),
                                 kind == SONDE_AUTH_BASIC ? _("Password") :
                                 kind == SONDE_AUTH_BEARER ? _("Token") : _("Key"));
  gtk_widget_set_visible (sonde_profile_editor_field (self, "tls-pinned-sha256"), pinned);
}

static const char *
secret_noun (SondeAuthKind kind)
{
  return kind == SONDE_AUTH_BASIC ? _("password") : kind == SONDE_AUTH_BEARER ? _("token") : _("key");
}

/* The profile's problems, and the editor's own: an authentication that
 * sends a secret with none typed (once the keyring has said it has none). */
static void
revalidate (SondeProfileEditor *self)
{
  SondeAuthKind kind = adw_combo_row_get_selected (self->auth_kind);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret")));

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  self->problems = sonde_profile_validate (self->draft);
  if (kind != SONDE_AUTH_NONE && self->secret_known && (secret == NULL || *secret == '\0'))
    /* Translators: %s is "token", "password" or "key". */
    sonde_problem_add_printf (self->problems, "secret", _("Type the %s: this authentication sends one"),
                              secret_noun (kind));
  /* The decoder's own words; the group shows them under its rows. */
  if (sonde_decode_editor_get_error (self->decode) != NULL)
    /* Translators: %s is the decoder's reason, such as "unknown stage “gzap”". */
    sonde_problem_add_printf (self->problems, "decode", _("Payload decoding: %s"),
                              sonde_decode_editor_get_error (self->decode));
  if (sonde_app_protocol_editor_get_error (self->app) != NULL)
    /* Translators: %s says what is wrong with a protocol mode's field. */
    sonde_problem_add_printf (self->problems, "app-protocol", _("Protocol: %s"),
                              sonde_app_protocol_editor_get_error (self->app));
  show_problems (self);
}

void
sonde_profile_editor_on_changed (SondeProfileEditor *self)
{
  if (self->loading || self->draft == NULL)
    return;

  self->untouched = FALSE;
  update_visibility (self);
  sonde_profile_editor_store_draft (self);
  revalidate (self);
}

/* Editing a profile shows the secret it has (hidden, in a password row):
 * an empty field then means that there is none. */
static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SondeProfileEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The keyring did not give the stored secret: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }

  self->secret_known = TRUE;
  if (secret != NULL && *gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret"))) == '\0')
    {
      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret")), secret);
      self->loading = FALSE;
      explicit_bzero (secret, strlen (secret));
    }
  revalidate (self);
}

/* The draft goes in the store, in the original's place; the editor's job
 * is done. */
static void
commit (SondeProfileEditor *self)
{
  guint position = G_MAXUINT;
  SondeProfile *saved = self->draft;

  if (self->original != NULL)
    sonde_profile_store_remove (self->store, self->original, &position);
  if (position != G_MAXUINT)
    sonde_profile_store_insert (self->store, position, saved);
  else
    sonde_profile_store_add (self->store, saved);
  sonde_profile_store_save_soon (self->store);

  /* Saved once: a second Save must not add it again. */
  g_set_object (&self->original, saved);
  g_signal_emit (self, signals[SAVED], 0, saved);
  if (self->close_when_saved)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_storing (SondeProfileEditor *self,
             gboolean            storing)
{
  /* Only Save waits (making the page insensitive would take the focus
   * from under the password entry). */
  self->storing = storing;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !storing && self->problems->len == 0);
}

static gboolean
commit_idle (gpointer data)
{
  commit (data);
  return G_SOURCE_REMOVE;
}

static void
on_refusal_response (AdwMessageDialog   *dialog,
                     const char         *response,
                     SondeProfileEditor *self)
{
  if (g_strcmp0 (response, "session") == 0)
    {
      const char *secret = gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret")));

      sonde_secrets_keep_for_session (self->secrets, sonde_profile_get_id (self->draft), secret);
      /* After the dialog has closed: closing the editor destroys the
       * dialog with it, which must not happen while it answers. */
      g_idle_add_full (G_PRIORITY_DEFAULT, commit_idle, g_object_ref (self), g_object_unref);
    }
  else
    set_storing (self, FALSE);
}

/* The keyring refused: said before the editor closes, with what the user
 * can do (keep the secret for this session only, or go back), never a
 * silent loss nor a fallback to a file. */
static void
ask_keep_for_session (SondeProfileEditor *self,
                      const GError       *error)
{
  const char *noun = secret_noun (adw_combo_row_get_selected (self->auth_kind));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Not Stored in the Keyring"), NULL));
  /* Translators: the first %s is "token", "password" or "key"; the second
   * is the keyring's reason. */
  adw_message_dialog_format_body (dialog,
                                  _("The %s could not be stored: %s.\n\nSonde can keep it for this session "
                                    "only: it connects now and asks for it again after Sonde quits. "
                                    "Nothing is written to a file."),
                                  noun, error->message);
  adw_message_dialog_add_responses (dialog,
                                    "back", _("_Back"),
                                    "session", _("_Keep for This Session"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "session", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "session");
  adw_message_dialog_set_close_response (dialog, "back");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_refusal_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SondeProfileEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (sonde_secrets_store_finish (SONDE_SECRETS (source), result, &error))
    commit (self);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("The secret of %s was not stored: %s", sonde_profile_get_id (self->draft), error->message);
      ask_keep_for_session (self, error);
    }
}

static void
on_save_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeProfileEditor *self = SONDE_PROFILE_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (self->storing)
    return;
  self->close_when_saved = TRUE;
  if (!sonde_profile_editor_save (self, &error))
    {
      self->close_when_saved = FALSE;
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
    }
}

static void
on_cancel_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
sonde_profile_editor_constructed (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->constructed (object);

  if (self->original != NULL)
    {
      g_autoptr(JsonNode) json = sonde_profile_to_json (self->original);

      self->draft = sonde_profile_new_from_json (json, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Profile"));
    }
  if (self->draft == NULL)
    {
      self->draft = sonde_profile_new ();
      self->untouched = TRUE;
      gtk_window_set_title (GTK_WINDOW (self), _("New Profile"));
    }

  sonde_profile_editor_load_draft (self);
  update_visibility (self);
  /* A new profile has no secret yet; an edited one's is looked up. */
  self->secret_known = self->original == NULL || self->secrets == NULL ||
                       sonde_profile_get_auth_kind (self->draft) == SONDE_AUTH_NONE;
  if (!self->secret_known)
    sonde_secrets_lookup_async (self->secrets, sonde_profile_get_id (self->draft), self->cancellable,
                                on_secret_looked_up, g_object_ref (self));
  revalidate (self);

  /* Typing starts with the name (not on a toast's button). */
  gtk_widget_grab_focus (sonde_profile_editor_field (self, "name"));

  if (self->secrets != NULL && sonde_secrets_get_session_only (self->secrets))
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("No keyring is available: secrets are kept for this session only")));
}

static void
sonde_profile_editor_dispose (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_PROFILE_EDITOR);
  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->original);
  g_clear_object (&self->draft);

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->dispose (object);
}

static void
sonde_profile_editor_finalize (GObject *object)
{
  SondeProfileEditor *self = (SondeProfileEditor *) object;

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_ptr_array_unref (self->on_open_rows);
  g_ptr_array_unref (self->template_rows);
  g_hash_table_unref (self->fields);

  G_OBJECT_CLASS (sonde_profile_editor_parent_class)->finalize (object);
}

static void
sonde_profile_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SondeProfileEditor *self = SONDE_PROFILE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SECRETS:
      self->secrets = g_value_dup_object (value);
      break;
    case PROP_PROFILE:
      self->original = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_editor_class_init (SondeProfileEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_profile_editor_constructed;
  object_class->dispose = sonde_profile_editor_dispose;
  object_class->finalize = sonde_profile_editor_finalize;
  object_class->set_property = sonde_profile_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SONDE_TYPE_PROFILE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECRETS] =
    g_param_spec_object ("secrets", NULL, NULL, SONDE_TYPE_SECRETS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SONDE_TYPE_PROFILE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeProfileEditor::saved:
   * @profile: the profile as saved (a new object in the store)
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SONDE_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-profile-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, problems_revealer);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, problems_label);
  gtk_widget_class_bind_template_child (widget_class, SondeProfileEditor, page);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, on_save_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, on_cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
sonde_profile_editor_init (SondeProfileEditor *self)
{
  self->fields = g_hash_table_new (g_str_hash, g_str_equal);
  self->on_open_rows = g_ptr_array_new_with_free_func (sonde_profile_editor_message_row_free);
  self->template_rows = g_ptr_array_new_with_free_func (sonde_profile_editor_message_row_free);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  sonde_profile_editor_build_page (self);

  /* GTK 4.8 names a button with a mnemonic twice, by its label ("_Save",
   * underscore and all) and by the label widget that the mnemonic points
   * at ("Save"): keep only the latter. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->cancel_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->save_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/* An editor for @profile, or for a new profile when NULL. */
SondeProfileEditor *
sonde_profile_editor_new (SondeProfileStore *store,
                          SondeSecrets      *secrets,
                          SondeProfile      *profile)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (secrets == NULL || SONDE_IS_SECRETS (secrets), NULL);
  g_return_val_if_fail (profile == NULL || SONDE_IS_PROFILE (profile), NULL);

  return g_object_new (SONDE_TYPE_PROFILE_EDITOR,
                       "store", store, "secrets", secrets, "profile", profile, NULL);
}

SondeProfile *
sonde_profile_editor_get_draft (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->draft;
}

/* The problems the editor shows now (SondeProblem*). */
GPtrArray *
sonde_profile_editor_get_problems (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->problems;
}

/* The "Payload Decoding" group. */
SondeAppProtocolEditor *
sonde_profile_editor_get_app_protocol_editor (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);
  return self->app;
}

SondeDecodeEditor *
sonde_profile_editor_get_decode_editor (SondeProfileEditor *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return self->decode;
}

/* The widget that edits @field ("name", "url", "headers", "secret", …). */
GtkWidget *
sonde_profile_editor_get_field (SondeProfileEditor *self,
                                const char         *name)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), NULL);

  return g_hash_table_lookup (self->fields, name);
}

void
sonde_profile_editor_set_secret (SondeProfileEditor *self,
                                 const char         *secret)
{
  g_return_if_fail (SONDE_IS_PROFILE_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret")), secret ? secret : "");
}

/* Saves: the secret, if one was typed, in the keyring first, then the
 * draft in the store (in the original's place), and ::saved. FALSE while
 * there are problems. TRUE once saved, or while the keyring is asked: if
 * it refuses, the editor asks whether to keep the secret for this session
 * only (then saves) or go back (then does not). */
gboolean
sonde_profile_editor_save (SondeProfileEditor  *self,
                           GError             **error)
{
  const char *secret;
  SondeAuthKind kind;

  g_return_val_if_fail (SONDE_IS_PROFILE_EDITOR (self), FALSE);
  g_return_val_if_fail (!self->storing, FALSE);

  self->untouched = FALSE;
  update_visibility (self);
  sonde_profile_editor_store_draft (self);
  revalidate (self);
  if (self->problems != NULL && self->problems->len > 0)
    {
      SondeProblem *first = g_ptr_array_index (self->problems, 0);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not saved: %s"), first->message);
      return FALSE;
    }

  secret = gtk_editable_get_text (GTK_EDITABLE (sonde_profile_editor_field (self, "secret")));
  kind = sonde_profile_get_auth_kind (self->draft);
  if (self->secrets != NULL && kind == SONDE_AUTH_NONE)
    {
      /* A failure is told in the window the editor was opened from. */
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

      sonde_gui_clear_secret (self->secrets, self->draft, parent != NULL ? GTK_WIDGET (parent) : GTK_WIDGET (self));
    }
  else if (self->secrets != NULL && secret != NULL && *secret != '\0')
    {
      g_autofree char *label = g_strdup_printf (_("Sonde: %s"), sonde_profile_get_name (self->draft));

      set_storing (self, TRUE);
      sonde_secrets_store_async (self->secrets, sonde_profile_get_id (self->draft), label, secret,
                                 self->cancellable, on_secret_stored, g_object_ref (self));
      return TRUE;
    }

  commit (self);
  return TRUE;
}
