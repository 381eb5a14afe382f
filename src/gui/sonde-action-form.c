/* sonde-action-form.c: the fields of one of a protocol mode's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The composer's Action mode shows this form in place of its editor: for
 * the action chosen (Socket.IO Emit, GraphQL Subscribe, MQTT Publish…) the
 * fields the protocol gives it, titled for it: a target (an event name, a
 * destination, a topic, a method), options (QoS, retain, acknowledgement),
 * STOMP headers, a body (JSON arguments, a GraphQL query, a payload) and
 * GraphQL variables. Fields are checked as they are typed, the way the
 * composer checks JSON: what is wrong shows under its field and is the
 * form's problem, which keeps Send off. Performing the action makes one
 * SondeAppAction of the fields (sonde_session_app_act_full()).
 */

#define G_LOG_DOMAIN "sonde-composer"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "sonde-action-form.h"
#include "sonde-json-format.h"
#include "sonde-style-scheme.h"

typedef enum {
  FIELD_OPERATION = 1 << 0,
  FIELD_QOS       = 1 << 1,
  FIELD_RETAIN    = 1 << 2,
  FIELD_ACK       = 1 << 3,
  FIELD_HEADERS   = 1 << 4,
  FIELD_BODY      = 1 << 5,
  FIELD_VARIABLES = 1 << 6,
  FIELD_TARGET    = 1 << 7,
} Field;

typedef enum {
  BODY_TEXT,        /* anything, may be empty */
  BODY_JSON,        /* JSON, or empty for none */
  BODY_REQUIRED,    /* some text (a GraphQL document) */
} BodyKind;

typedef struct {
  SondeAppProtocolKind  kind;
  const char           *name;             /* the mode's action */
  const char           *title;            /* translatable */
  guint                 fields;           /* Field */
  const char           *target_title;     /* translatable */
  const char           *target_hint;      /* translatable placeholder */
  gboolean              target_one_word;  /* goes first in "TARGET REST" */
  const char           *body_title;       /* translatable */
  const char           *body_hint;        /* translatable: shown when the body is empty */
  BodyKind              body_kind;
} Form;

static const Form forms[] = {
  { SONDE_APP_PROTOCOL_SOCKET_IO, "emit", N_("Emit"), FIELD_TARGET | FIELD_ACK | FIELD_BODY,
    N_("Event"), N_("The event’s name, such as subscribe"), TRUE,
    N_("Arguments"), N_("JSON: one value, or an array of them"), BODY_JSON },
  { SONDE_APP_PROTOCOL_GRAPHQL, "subscribe", N_("Subscribe"), FIELD_OPERATION | FIELD_BODY | FIELD_VARIABLES,
    NULL, NULL, FALSE,
    N_("Query"), N_("A GraphQL document, such as subscription { ticks { price } }"), BODY_REQUIRED },
  { SONDE_APP_PROTOCOL_GRAPHQL, "complete", N_("Complete"), FIELD_TARGET,
    N_("Operation id"), N_("The id of a running operation, such as 1"), FALSE,
    NULL, NULL, BODY_TEXT },
  { SONDE_APP_PROTOCOL_STOMP, "subscribe", N_("Subscribe"), FIELD_TARGET | FIELD_HEADERS,
    N_("Destination"), N_("Such as /topic/ticks"), FALSE,
    NULL, NULL, BODY_TEXT },
  { SONDE_APP_PROTOCOL_STOMP, "unsubscribe", N_("Unsubscribe"), FIELD_TARGET,
    N_("Subscription"), N_("A subscribed destination, or its id (sub-0)"), FALSE,
    NULL, NULL, BODY_TEXT },
  { SONDE_APP_PROTOCOL_STOMP, "send", N_("Send"), FIELD_TARGET | FIELD_HEADERS | FIELD_BODY,
    N_("Destination"), N_("Such as /queue/orders"), TRUE,
    N_("Body"), N_("Sent as typed; JSON is sent as application/json"), BODY_TEXT },
  { SONDE_APP_PROTOCOL_MQTT, "subscribe", N_("Subscribe"), FIELD_TARGET | FIELD_QOS,
    N_("Topic filter"), N_("Such as sensors/# or ticks/+/price"), FALSE,
    NULL, NULL, BODY_TEXT },
  { SONDE_APP_PROTOCOL_MQTT, "unsubscribe", N_("Unsubscribe"), FIELD_TARGET,
    N_("Topic filter"), N_("A subscribed filter, such as sensors/#"), FALSE,
    NULL, NULL, BODY_TEXT },
  { SONDE_APP_PROTOCOL_MQTT, "publish", N_("Publish"), FIELD_TARGET | FIELD_QOS | FIELD_RETAIN | FIELD_BODY,
    N_("Topic"), N_("Such as sensors/t1 (no wildcards)"), TRUE,
    N_("Payload"), N_("Sent as typed, such as {\"c\":21.5}"), BODY_TEXT },
  { SONDE_APP_PROTOCOL_JSON_RPC, "call", N_("Call"), FIELD_TARGET | FIELD_BODY,
    N_("Method"), N_("Such as eth_subscribe"), TRUE,
    N_("Params"), N_("JSON: an array or an object; empty for none"), BODY_JSON },
  { SONDE_APP_PROTOCOL_SIGNALR, "invoke", N_("Invoke"), FIELD_TARGET | FIELD_BODY,
    N_("Method"), N_("The hub method, such as SendMessage"), TRUE,
    N_("Arguments"), N_("A JSON array, such as [\"hi\"]"), BODY_JSON },
};

struct _SondeActionForm
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkLabel          *target_label;
  GtkEntry          *target_entry;
  GtkLabel          *target_error;
  GtkLabel          *operation_label;
  GtkEntry          *operation_entry;
  GtkLabel          *options_label;
  GtkWidget         *options_box;
  GtkDropDown       *qos_drop;
  GtkWidget         *retain_box;
  GtkSwitch         *retain_switch;
  GtkWidget         *ack_box;
  GtkSwitch         *ack_switch;
  GtkLabel          *headers_label;
  GtkWidget         *headers_box;
  GtkSourceView     *headers_view;
  GtkLabel          *headers_error;
  GtkLabel          *body_label;
  GtkWidget         *body_box;
  GtkSourceView     *body_view;
  GtkLabel          *body_error;
  GtkLabel          *variables_label;
  GtkWidget         *variables_box;
  GtkSourceView     *variables_view;
  GtkLabel          *variables_error;

  /* owned */
  GtkStringList     *titles;
  char              *problem;

  /* borrowed: static */
  const Form        *form;           /* the selected action's; NULL: none */
  SondeAppProtocolKind kind;
};

G_DEFINE_FINAL_TYPE (SondeActionForm, sonde_action_form, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_view_text (GtkSourceView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static const Form *
form_at (SondeAppProtocolKind kind,
         guint                index)
{
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    if (forms[i].kind == kind && index-- == 0)
      return &forms[i];
  return NULL;
}

/* Shows @message under a field, or hides it; TRUE when there is one. */
static gboolean
show_error (GtkLabel   *label,
            GtkWidget  *field,
            const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (field, "error");
  else
    gtk_widget_remove_css_class (field, "error");
  return message != NULL;
}

/* The header lines, trimmed, blank ones left out. */
static GStrv
dup_headers (SondeActionForm *self)
{
  g_autofree char *text = dup_view_text (self->headers_view);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }
  return g_strv_builder_end (builder);
}

static char *
check_json (const char *text,
            const char *title,
            gboolean    object_only)
{
  g_autoptr(GError) error = NULL;
  const char *start = text;

  while (g_ascii_isspace (*start))
    start++;
  if (*start == '\0')
    return NULL;
  if (!sonde_json_validate (text, -1, NULL, NULL, &error))
    /* Translators: a form's field is not JSON: the field's title, then why. */
    return g_strdup_printf (_("%s: %s"), title, error->message);
  if (object_only && *start != '{')
    /* Translators: %s is a field's title, such as Variables. */
    return g_strdup_printf (_("%s: a JSON object, such as {\"sym\":\"BTC\"}"), title);
  return NULL;
}

static void
set_problem (SondeActionForm *self,
             const char      *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

/* Checks every field shown: errors under their fields; the form's
 * problem is the first error, else the first required field left empty. */
static void
validate (SondeActionForm *self)
{
  const Form *form = self->form;
  const char *target = gtk_editable_get_text (GTK_EDITABLE (self->target_entry));
  g_autofree char *missing = NULL;
  g_autofree char *target_error = NULL;
  g_autofree char *headers_error = NULL;
  g_autofree char *body_error = NULL;
  g_autofree char *variables_error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (target));

  if (form == NULL)
    {
      set_problem (self, _("This connection speaks no application protocol"));
      return;
    }

  if (!(form->fields & FIELD_TARGET))
    ;
  else if (*trimmed == '\0')
    /* Translators: %s is a field's title, such as Topic. */
    missing = g_strdup_printf (_("Fill in the %s"), _(form->target_title));
  else if (form->target_one_word && strpbrk (trimmed, " \t\n") != NULL)
    /* Translators: %s is a field's title, such as Event. */
    target_error = g_strdup_printf (_("%s: one word, without spaces"), _(form->target_title));
  else if (form->kind == SONDE_APP_PROTOCOL_MQTT && g_str_equal (form->name, "publish") &&
           strpbrk (trimmed, "#+") != NULL)
    target_error = g_strdup (_("Topic: a publish names one topic, without the wildcards # and +"));

  if (form->fields & FIELD_HEADERS)
    {
      g_auto(GStrv) headers = dup_headers (self);

      for (guint i = 0; headers[i] != NULL && headers_error == NULL; i++)
        if (strchr (headers[i], ':') == NULL || headers[i][0] == ':')
          /* Translators: %s is a line of the Headers field. */
          headers_error = g_strdup_printf (_("Headers: “%s” is not name:value"), headers[i]);
    }

  if (form->fields & FIELD_BODY)
    {
      body = dup_view_text (self->body_view);
      if (form->body_kind == BODY_JSON)
        body_error = check_json (body, _(form->body_title), FALSE);
      else if (form->body_kind == BODY_REQUIRED && missing == NULL)
        {
          g_autofree char *stripped = g_strstrip (g_strdup (body));

          if (*stripped == '\0')
            missing = g_strdup_printf (_("Fill in the %s"), _(form->body_title));
        }
    }

  if (form->fields & FIELD_VARIABLES)
    {
      g_autofree char *variables = dup_view_text (self->variables_view);

      variables_error = check_json (variables, _("Variables"), TRUE);
    }

  show_error (self->target_error, GTK_WIDGET (self->target_entry), target_error);
  show_error (self->headers_error, gtk_widget_get_parent (GTK_WIDGET (self->headers_view)), headers_error);
  show_error (self->body_error, gtk_widget_get_parent (GTK_WIDGET (self->body_view)), body_error);
  show_error (self->variables_error, gtk_widget_get_parent (GTK_WIDGET (self->variables_view)), variables_error);

  if (target_error != NULL)
    set_problem (self, target_error);
  else if (headers_error != NULL)
    set_problem (self, headers_error);
  else if (body_error != NULL)
    set_problem (self, body_error);
  else if (variables_error != NULL)
    set_problem (self, variables_error);
  else
    set_problem (self, missing);
}

static void
show_row (GtkLabel   *label,
          GtkWidget  *field,
          gboolean    visible,
          const char *title)
{
  gtk_widget_set_visible (GTK_WIDGET (label), visible);
  gtk_widget_set_visible (field, visible);
  if (title != NULL)
    gtk_label_set_text_with_mnemonic (label, title);
}

/* Shows the fields of the selected action, titled for it. */
static void
sync_fields (SondeActionForm *self)
{
  const Form *form = self->form;
  guint fields = form != NULL ? form->fields : 0;
  GtkSourceLanguage *json = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                                      "json");
  GtkSourceBuffer *body = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->body_view)));

  show_row (self->target_label, gtk_widget_get_parent (GTK_WIDGET (self->target_entry)), fields & FIELD_TARGET,
            fields & FIELD_TARGET ? _(form->target_title) : NULL);
  if (fields & FIELD_TARGET)
    {
      gtk_entry_set_placeholder_text (self->target_entry, _(form->target_hint));
    }
  show_row (self->operation_label, GTK_WIDGET (self->operation_entry), fields & FIELD_OPERATION,
            _("Operation name"));
  show_row (self->options_label, self->options_box, fields & (FIELD_QOS | FIELD_RETAIN | FIELD_ACK),
            _("Options"));
  gtk_widget_set_visible (GTK_WIDGET (self->qos_drop), fields & FIELD_QOS);
  gtk_widget_set_visible (self->retain_box, fields & FIELD_RETAIN);
  gtk_widget_set_visible (self->ack_box, fields & FIELD_ACK);
  show_row (self->headers_label, self->headers_box, fields & FIELD_HEADERS, _("Headers"));
  show_row (self->body_label, self->body_box, fields & FIELD_BODY,
            form != NULL && form->body_title != NULL ? _(form->body_title) : NULL);
  if (form != NULL && form->body_title != NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->body_view), _(form->body_hint));
      gtk_source_buffer_set_language (body, form->body_kind == BODY_JSON ? json : NULL);
      gtk_source_buffer_set_highlight_syntax (body, form->body_kind == BODY_JSON);
    }
  show_row (self->variables_label, self->variables_box, fields & FIELD_VARIABLES, _("Variables"));
  validate (self);
}

static void
sonde_action_form_dispose (GObject *object)
{
  SondeActionForm *self = SONDE_ACTION_FORM (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_ACTION_FORM);
  /* The grid is not bound: the above leaves it. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->titles);

  G_OBJECT_CLASS (sonde_action_form_parent_class)->dispose (object);
}

static void
sonde_action_form_finalize (GObject *object)
{
  SondeActionForm *self = SONDE_ACTION_FORM (object);

  g_free (self->problem);

  G_OBJECT_CLASS (sonde_action_form_parent_class)->finalize (object);
}

static void
sonde_action_form_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SondeActionForm *self = SONDE_ACTION_FORM (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_action_form_class_init (SondeActionFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_action_form_dispose;
  object_class->finalize = sonde_action_form_finalize;
  object_class->get_property = sonde_action_form_get_property;

  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-action-form.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SondeActionForm, name)
  BIND (target_label);
  BIND (target_entry);
  BIND (target_error);
  BIND (operation_label);
  BIND (operation_entry);
  BIND (options_label);
  BIND (options_box);
  BIND (qos_drop);
  BIND (retain_box);
  BIND (retain_switch);
  BIND (ack_box);
  BIND (ack_switch);
  BIND (headers_label);
  BIND (headers_box);
  BIND (headers_view);
  BIND (headers_error);
  BIND (body_label);
  BIND (body_box);
  BIND (body_view);
  BIND (body_error);
  BIND (variables_label);
  BIND (variables_box);
  BIND (variables_view);
  BIND (variables_error);
#undef BIND

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondeactionform");
}

static void
sonde_action_form_init (SondeActionForm *self)
{
  GtkSourceView *views[3];
  GtkSourceLanguage *json;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->titles = gtk_string_list_new (NULL);

  views[0] = self->headers_view;
  views[1] = self->body_view;
  views[2] = self->variables_view;
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (views[i]));

      sonde_style_scheme_follow (GTK_SOURCE_BUFFER (buffer));
      g_signal_connect_object (buffer, "changed", G_CALLBACK (validate), self, G_CONNECT_SWAPPED);
    }
  json = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "json");
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->variables_view))),
                                  json);
  g_signal_connect_object (self->target_entry, "changed", G_CALLBACK (validate), self, G_CONNECT_SWAPPED);
  sync_fields (self);
}

GtkWidget *
sonde_action_form_new (void)
{
  return g_object_new (SONDE_TYPE_ACTION_FORM, NULL);
}

void
sonde_action_form_set_kind (SondeActionForm      *self,
                            SondeAppProtocolKind  kind)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();

  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  self->kind = kind;
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    if (forms[i].kind == kind)
      g_ptr_array_add (titles, (gpointer) _(forms[i].title));
  g_ptr_array_add (titles, NULL);
  gtk_string_list_splice (self->titles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->titles)),
                          (const char * const *) titles->pdata);
  self->form = form_at (kind, 0);
  sync_fields (self);
}

GListModel *
sonde_action_form_get_titles (SondeActionForm *self)
{
  g_return_val_if_fail (SONDE_IS_ACTION_FORM (self), NULL);

  return G_LIST_MODEL (self->titles);
}

void
sonde_action_form_set_selected (SondeActionForm *self,
                                guint            index)
{
  const Form *form;

  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  form = form_at (self->kind, index);
  if (form == self->form)
    return;
  self->form = form;
  sync_fields (self);
}

const char *
sonde_action_form_get_action (SondeActionForm *self)
{
  g_return_val_if_fail (SONDE_IS_ACTION_FORM (self), NULL);

  return self->form != NULL ? self->form->name : NULL;
}

const char *
sonde_action_form_get_problem (SondeActionForm *self)
{
  g_return_val_if_fail (SONDE_IS_ACTION_FORM (self), NULL);

  return self->problem;
}

void
sonde_action_form_set_field (SondeActionForm *self,
                             const char      *field,
                             const char      *text)
{
  GtkSourceView *view = NULL;

  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  if (g_str_equal (field, "target"))
    gtk_editable_set_text (GTK_EDITABLE (self->target_entry), text);
  else if (g_str_equal (field, "operation"))
    gtk_editable_set_text (GTK_EDITABLE (self->operation_entry), text);
  else if (g_str_equal (field, "headers"))
    view = self->headers_view;
  else if (g_str_equal (field, "body"))
    view = self->body_view;
  else if (g_str_equal (field, "variables"))
    view = self->variables_view;
  else
    g_return_if_reached ();
  if (view != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

void
sonde_action_form_set_qos (SondeActionForm *self,
                           guint            qos)
{
  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  gtk_drop_down_set_selected (self->qos_drop, MIN (qos, 1));
}

void
sonde_action_form_set_retain (SondeActionForm *self,
                              gboolean         retain)
{
  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  gtk_switch_set_active (self->retain_switch, retain);
}

void
sonde_action_form_set_ack (SondeActionForm *self,
                           gboolean         ack)
{
  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  gtk_switch_set_active (self->ack_switch, ack);
}

gboolean
sonde_action_form_perform (SondeActionForm  *self,
                           SondeSession     *session,
                           GError          **error)
{
  const Form *form;
  SondeAppAction action = SONDE_APP_ACTION_INIT (NULL, NULL);
  g_autofree char *target = NULL;
  g_autofree char *body = NULL;
  g_autofree char *argument = NULL;
  g_autofree char *variables = NULL;
  g_auto(GStrv) headers = NULL;

  g_return_val_if_fail (SONDE_IS_ACTION_FORM (self), FALSE);
  g_return_val_if_fail (SONDE_IS_SESSION (session), FALSE);

  validate (self);
  form = self->form;
  if (self->problem != NULL || form == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("Not sent: %s"),
                   self->problem != NULL ? self->problem : "");
      return FALSE;
    }

  target = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->target_entry))));
  body = (form->fields & FIELD_BODY) ? dup_view_text (self->body_view) : g_strdup ("");
  action.name = form->name;
  /* The text argument the action takes: "TARGET BODY", the target, or
   * (GraphQL's Subscribe) the document. */
  if (form->target_one_word)
    argument = g_strdup_printf ("%s %s", target, body);
  else if (form->fields & FIELD_BODY)
    argument = g_strdup (body);
  else
    argument = g_strdup (target);
  action.argument = argument;
  if (form->fields & FIELD_HEADERS)
    {
      headers = dup_headers (self);
      action.headers = (const char * const *) headers;
    }
  if (form->fields & FIELD_QOS)
    action.qos = (int) gtk_drop_down_get_selected (self->qos_drop);
  action.retain = (form->fields & FIELD_RETAIN) && gtk_switch_get_active (self->retain_switch);
  action.ack = (form->fields & FIELD_ACK) && gtk_switch_get_active (self->ack_switch);
  if (form->fields & FIELD_VARIABLES)
    {
      variables = dup_view_text (self->variables_view);
      action.variables = variables;
      action.operation_name = gtk_editable_get_text (GTK_EDITABLE (self->operation_entry));
    }
  return sonde_session_app_act_full (session, &action, error);
}

void
sonde_action_form_focus (SondeActionForm *self)
{
  g_return_if_fail (SONDE_IS_ACTION_FORM (self));

  if (self->form != NULL && !(self->form->fields & FIELD_TARGET) && (self->form->fields & FIELD_BODY))
    gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->target_entry));
}
