/* sonde-decode-editor.c: choosing the decoder chain messages are read
 * through, checked as it is edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A "Payload Decoding" group: the usual chains by name, "Custom…" for any
 * chain text ("gzip,cbor"), and for Protocol Buffers by schema the
 * descriptor set file and the message type. Every edit is checked by
 * making the decoder (sonde_decoder_new()): its own error is shown under
 * the rows, and "changed" tells the owner, which refuses to use the chain
 * while sonde_decode_editor_get_error() says something. The profile
 * editor and the ad-hoc options both embed it.
 */

#define G_LOG_DOMAIN "sonde-decode-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-decode-editor.h"
#include "sonde-decoder.h"

typedef struct {
  const char *label;  /* translated at use */
  const char *spec;   /* NULL: none; "" custom */
} Choice;

static const Choice choices[] = {
  { N_("None"), NULL },
  { N_("Automatic"), "auto" },
  { "gzip", "gzip" },
  { "zlib", "zlib" },
  { "deflate", "deflate" },
  { N_("zlib stream"), "zlib-stream" },
  { "MessagePack", "msgpack" },
  { "CBOR", "cbor" },
  { N_("gzip + MessagePack"), "gzip,msgpack" },
  { N_("zlib + MessagePack"), "zlib,msgpack" },
  { N_("gzip + CBOR"), "gzip,cbor" },
  { N_("Protocol Buffers (raw)"), "protobuf-raw" },
  { N_("Protocol Buffers (schema)"), "protobuf" },
  { N_("Custom…"), "" },
};

#define CHOICE_NONE     0
#define CHOICE_PROTOBUF (G_N_ELEMENTS (choices) - 2)
#define CHOICE_CUSTOM   (G_N_ELEMENTS (choices) - 1)

struct _SondeDecodeEditor
{
  AdwPreferencesGroup   parent_instance;

  /* children, borrowed */
  AdwComboRow          *chain_row;
  AdwEntryRow          *custom_row;
  AdwActionRow         *descriptor_row;
  AdwEntryRow          *type_row;
  GtkLabel             *error_label;

  /* owned */
  char                 *spec;        /* the chain chosen, NULL for none */
  char                 *descriptor;  /* with "protobuf" only */
  char                 *type;
  char                 *error;       /* what is wrong with it, or NULL */
  GtkFileChooserNative *chooser;

  gboolean              schema;      /* the chain is Protocol Buffers by schema */
  gboolean              loading;     /* filling the rows: nothing is emitted */
};

G_DEFINE_FINAL_TYPE (SondeDecodeEditor, sonde_decode_editor, ADW_TYPE_PREFERENCES_GROUP)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "gzip , msgpack" → "gzip,msgpack", for comparing with the choices. */
static char *
normalize (const char *spec)
{
  g_auto(GStrv) parts = g_strsplit (spec != NULL ? spec : "", ",", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (*part == '\0')
        continue;
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", part);
    }
  return g_string_free (out, FALSE);
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* Reads the rows into the chain, checks it, and shows what is wrong. */
static void
update (SondeDecodeEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->chain_row);
  gboolean custom = selected == CHOICE_CUSTOM;
  g_autofree char *spec = NULL;
  gboolean schema;
  g_autoptr(GError) error = NULL;

  if (selected >= G_N_ELEMENTS (choices))
    selected = CHOICE_NONE;
  spec = custom ? normalize (gtk_editable_get_text (GTK_EDITABLE (self->custom_row)))
                : g_strdup (choices[selected].spec);
  if (spec != NULL)
    {
      g_auto(GStrv) stages = g_strsplit (spec, ",", -1);

      schema = g_strv_contains ((const char * const *) stages, "protobuf");
    }
  else
    schema = FALSE;
  self->schema = schema;

  gtk_widget_set_visible (GTK_WIDGET (self->custom_row), custom);
  gtk_widget_set_visible (GTK_WIDGET (self->descriptor_row), schema);
  gtk_widget_set_visible (GTK_WIDGET (self->type_row), schema);
  adw_action_row_set_subtitle (self->descriptor_row, self->descriptor != NULL ? self->descriptor : _("None chosen"));

  g_free (self->spec);
  self->spec = spec != NULL && *spec != '\0' ? g_strdup (spec) : NULL;
  g_free (self->type);
  self->type = schema ? g_strdup (nonempty (gtk_editable_get_text (GTK_EDITABLE (self->type_row)))) : NULL;

  g_clear_pointer (&self->error, g_free);
  if (custom && self->spec == NULL)
    self->error = g_strdup (_("Type a chain, such as gzip,msgpack"));
  else if (self->spec != NULL)
    {
      g_autoptr(SondeDecoder) decoder = sonde_decoder_new (self->spec, schema ? self->descriptor : NULL,
                                                           self->type, NULL, &error);

      if (decoder == NULL)
        self->error = g_strdup (error->message);
    }

  if (self->error == NULL && self->spec != NULL)
    {
      g_autofree char *words = sonde_decoder_describe (self->spec);
      /* Translators: %s is a chain in words, "gzip-compressed JSON". */
      g_autofree char *subtitle = g_strdup_printf (_("Messages are read as %s"), words);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->chain_row), subtitle);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->chain_row),
                                 self->spec == NULL && !custom ? _("Messages are shown as they come") : "");

  /* The row that is wrong turns red; the decoder's words go under it. */
  if (custom && self->error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->custom_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->custom_row), "error");
  if (schema && self->error != NULL && self->type == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->type_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->type_row), "error");
  gtk_label_set_label (self->error_label, self->error != NULL ? self->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->error != NULL);

  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_chooser_response (GtkNativeDialog   *dialog,
                     int                response,
                     SondeDecodeEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_free (self->descriptor);
      self->descriptor = g_file_get_path (file);
      update (self);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (SondeDecodeEditor *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) sets = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Descriptor Set"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (sets, _("Descriptor sets (protoc -o)"));
  gtk_file_filter_add_pattern (sets, "*.pb");
  gtk_file_filter_add_pattern (sets, "*.desc");
  gtk_file_filter_add_pattern (sets, "*.protoset");
  gtk_file_filter_add_pattern (sets, "*.bin");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), sets);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
sonde_decode_editor_dispose (GObject *object)
{
  SondeDecodeEditor *self = (SondeDecodeEditor *) object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (sonde_decode_editor_parent_class)->dispose (object);
}

static void
sonde_decode_editor_finalize (GObject *object)
{
  SondeDecodeEditor *self = (SondeDecodeEditor *) object;

  g_free (self->spec);
  g_free (self->descriptor);
  g_free (self->type);
  g_free (self->error);

  G_OBJECT_CLASS (sonde_decode_editor_parent_class)->finalize (object);
}

static void
sonde_decode_editor_class_init (SondeDecodeEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_decode_editor_dispose;
  object_class->finalize = sonde_decode_editor_finalize;

  /**
   * SondeDecodeEditor::changed:
   *
   * The user changed the chain, its descriptor set or its type: the
   * getters say what it is now, and whether it is wrong.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sonde_decode_editor_init (SondeDecodeEditor *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (self);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *choose;

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    gtk_string_list_append (names, _(choices[i].label));

  adw_preferences_group_set_title (group, _("Payload Decoding"));
  adw_preferences_group_set_description (group, _("Binary or compressed messages read as JSON, for the filter, "
                                                  "charts, notifications and the message view"));

  self->chain_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->chain_row), _("Decoder"));
  adw_combo_row_set_model (self->chain_row, G_LIST_MODEL (names));
  adw_preferences_group_add (group, GTK_WIDGET (self->chain_row));

  self->custom_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->custom_row), _("Chain (such as gzip,cbor)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->custom_row),
                               _("Stages separated by commas: gzip, zlib, deflate or zlib-stream, then msgpack, "
                                 "cbor, protobuf-raw or protobuf; or auto alone"));
  adw_preferences_group_add (group, GTK_WIDGET (self->custom_row));

  self->descriptor_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->descriptor_row), _("Descriptor set (protoc -o)"));
  choose = gtk_button_new_with_mnemonic (_("C_hoose…"));
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (choose, _("Choose the descriptor set file"));
  adw_action_row_add_suffix (self->descriptor_row, choose);
  adw_action_row_set_activatable_widget (self->descriptor_row, choose);
  g_signal_connect_object (choose, "clicked", G_CALLBACK (on_choose_clicked), self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (group, GTK_WIDGET (self->descriptor_row));

  self->type_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->type_row), _("Message type (such as feed.Tick)"));
  adw_preferences_group_add (group, GTK_WIDGET (self->type_row));

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);
  /* Wrapped: as wide as the rows, not as the message. */
  gtk_label_set_max_width_chars (self->error_label, 40);
  gtk_widget_set_margin_top (GTK_WIDGET (self->error_label), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Decoder problem"), -1);
  adw_preferences_group_add (group, GTK_WIDGET (self->error_label));

  self->loading = TRUE;
  update (self);
  self->loading = FALSE;

  g_signal_connect_object (self->chain_row, "notify::selected", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->custom_row, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->type_row, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sonde_decode_editor_new (void)
{
  return g_object_new (SONDE_TYPE_DECODE_EDITOR, NULL);
}

/* Shows @spec (NULL: none) and, for Protocol Buffers by schema, its
 * descriptor set and type; a chain that is not one of the list shows as
 * Custom. Emits nothing. */
void
sonde_decode_editor_set_decode (SondeDecodeEditor *self,
                                const char        *spec,
                                const char        *proto_descriptor,
                                const char        *proto_type)
{
  g_autofree char *normal = normalize (spec);
  guint selected = CHOICE_CUSTOM;

  g_return_if_fail (SONDE_IS_DECODE_EDITOR (self));

  for (guint i = 0; i < CHOICE_CUSTOM; i++)
    if (g_strcmp0 (choices[i].spec, *normal != '\0' ? normal : NULL) == 0)
      selected = i;

  self->loading = TRUE;
  g_free (self->descriptor);
  self->descriptor = g_strdup (nonempty (proto_descriptor));
  gtk_editable_set_text (GTK_EDITABLE (self->type_row), proto_type != NULL ? proto_type : "");
  gtk_editable_set_text (GTK_EDITABLE (self->custom_row), selected == CHOICE_CUSTOM ? spec : "");
  adw_combo_row_set_selected (self->chain_row, selected);
  update (self);
  self->loading = FALSE;
}

/* Chooses @spec as the user would (one of the list, or Custom with its
 * text): "changed" is emitted. FALSE when the chain is wrong. */
gboolean
sonde_decode_editor_select_chain (SondeDecodeEditor *self,
                                  const char        *spec)
{
  g_autofree char *normal = normalize (spec);
  guint selected = CHOICE_CUSTOM;

  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), FALSE);

  for (guint i = 0; i < CHOICE_CUSTOM; i++)
    if (g_strcmp0 (choices[i].spec, *normal != '\0' ? normal : NULL) == 0)
      selected = i;
  if (selected == CHOICE_CUSTOM)
    gtk_editable_set_text (GTK_EDITABLE (self->custom_row), spec);
  if (adw_combo_row_get_selected (self->chain_row) != selected)
    adw_combo_row_set_selected (self->chain_row, selected);
  else
    update (self);
  return self->error == NULL;
}

/* The chain chosen ("gzip,msgpack"), or NULL for none. */
const char *
sonde_decode_editor_get_spec (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return self->spec;
}

const char *
sonde_decode_editor_get_proto_descriptor (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return self->schema ? self->descriptor : NULL;
}

const char *
sonde_decode_editor_get_proto_type (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return self->type;
}

/* What the decoder says is wrong with the chain, or NULL. */
const char *
sonde_decode_editor_get_error (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return self->error;
}

GtkWidget *
sonde_decode_editor_get_chain_row (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return GTK_WIDGET (self->chain_row);
}

GtkWidget *
sonde_decode_editor_get_custom_row (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return GTK_WIDGET (self->custom_row);
}

GtkWidget *
sonde_decode_editor_get_type_row (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return GTK_WIDGET (self->type_row);
}

GtkWidget *
sonde_decode_editor_get_error_label (SondeDecodeEditor *self)
{
  g_return_val_if_fail (SONDE_IS_DECODE_EDITOR (self), NULL);

  return GTK_WIDGET (self->error_label);
}
