/* sonde-message-detail.c: one message, in full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the selected message: JSON pretty-printed (every token as it was on
 * the wire) and highlighted, other text with control characters made
 * visible, binary as a hex dump. Large payloads are formatted on a worker
 * thread, and only the first SONDE_MESSAGE_DETAIL_LIMIT bytes of the result
 * go into the text view until the user asks for all of it.
 *
 * With a decoder on, a message has two views (the "view" property, the
 * Decoded and Raw toggles): its decoded view, as JSON, named by the chain
 * that made it, and its bytes. "Chart a Field" reads the decoded view. A
 * message that does not decode shows why, and its bytes.
 */

#define G_LOG_DOMAIN "sonde-message-detail"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <time.h>

#include "sonde-hex.h"
#include "sonde-json-format.h"
#include "sonde-json-path.h"
#include "sonde-message-decoded.h"
#include "sonde-message-detail-private.h"
#include "sonde-message-frames.h"
#include "sonde-series-spec.h"
#include "sonde-style-scheme.h"
#include "sonde-text.h"

/* Payloads up to this size are formatted at once on the main thread. */
#define SYNC_LIMIT        ((gsize) 64 * 1024)
/* A hex dump line is ~4.3× its input: 1 MiB of text is ~240 KiB of bytes. */
#define HEX_INPUT_LIMIT   ((gsize) 240 * 1024)
/* The widest array or object the JSON view keeps on one line: about what
 * the side pane shows at its narrowest. */
#define JSON_FLAT_WIDTH   ((gsize) 48)

typedef struct {
  /* in */
  GBytes          *payload;
  SondeMessageKind kind;
  gboolean         show_all;
  /* out */
  char            *text;
  gsize            length;
  Format           format;
  gboolean         partial;
} FormatJob;

G_DEFINE_FINAL_TYPE (SondeMessageDetail, sonde_message_detail, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  PROP_BUSY,
  PROP_VIEW,
  N_PROPS
};

enum {
  CHART_FIELD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
format_job_free (gpointer data)
{
  FormatJob *job = data;

  g_clear_pointer (&job->payload, g_bytes_unref);
  g_free (job->text);
  g_free (job);
}

static gboolean
looks_like_json (const guint8 *data,
                 gsize         length)
{
  for (gsize i = 0; i < length; i++)
    {
      switch (data[i])
        {
        case ' ': case '\t': case '\r': case '\n':
          continue;
        case '{': case '[': case '"':
          return TRUE;
        default:
          return FALSE;
        }
    }
  return FALSE;
}

/* Cuts @text to at most @limit bytes, at a line end when there is one. */
static void
cut_text (FormatJob *job,
          gsize      limit)
{
  gsize cut;

  if (job->show_all || job->length <= limit)
    return;

  cut = limit;
  while (cut > limit / 2 && job->text[cut] != '\n')
    cut--;
  if (job->text[cut] != '\n')
    {
      /* No line end near: cut on a character boundary. */
      const char *boundary = g_utf8_find_prev_char (job->text, job->text + limit);
      cut = boundary != NULL ? (gsize) (boundary - job->text) : 0;
    }

  job->text[cut] = '\0';
  job->length = cut;
  job->partial = TRUE;
}

static void
run_format_job (FormatJob *job)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (job->payload, &length);

  /* A ping's or pong's payload is text when it is UTF-8, bytes if not. */
  if (job->kind == SONDE_MESSAGE_KIND_BINARY ||
      ((job->kind == SONDE_MESSAGE_KIND_PING || job->kind == SONDE_MESSAGE_KIND_PONG) &&
       !sonde_text_validate_utf8 (data, length, NULL)))
    {
      job->format = FORMAT_HEX;
      job->text = sonde_hex_dump (data, length, job->show_all ? 0 : HEX_INPUT_LIMIT);
      job->length = strlen (job->text);
      job->partial = !job->show_all && length > HEX_INPUT_LIMIT;
      return;
    }

  if (looks_like_json (data, length))
    {
      /* Short arrays and objects of plain values stay on one line. */
      job->text = sonde_json_pretty_compact ((const char *) data, (gssize) length, 2, JSON_FLAT_WIDTH, NULL);
      if (job->text != NULL)
        {
          job->format = FORMAT_JSON;
          job->length = strlen (job->text);
          cut_text (job, SONDE_MESSAGE_DETAIL_LIMIT);
          return;
        }
    }

  {
    gboolean truncated = FALSE;

    job->format = FORMAT_TEXT;
    job->text = sonde_text_escape (data, length, SONDE_ESCAPE_KEEP_NEWLINES,
                                   job->show_all ? 0 : SONDE_MESSAGE_DETAIL_LIMIT, &truncated);
    job->length = strlen (job->text);
    job->partial = truncated;
  }
}

static void
format_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  run_format_job (task_data);
  g_task_return_boolean (task, TRUE);
}

static void
show_job (SondeMessageDetail *self,
          FormatJob          *job)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  GtkSourceLanguage *language = NULL;

  if (job->format == FORMAT_JSON)
    language = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "json");

  gtk_source_buffer_set_language (buffer, language);
  gtk_source_buffer_set_highlight_syntax (buffer, language != NULL);
  /* A hex dump's columns (offset, bytes, text) only read as columns on
   * whole lines: it scrolls sideways in a narrow pane instead of wrapping. */
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->source_view),
                               job->format == FORMAT_HEX ? GTK_WRAP_NONE : GTK_WRAP_WORD_CHAR);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), job->text, (int) job->length);

  self->format = job->format;
  self->partial = job->partial;
  gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), job->partial);
  gtk_stack_set_visible_child_name (self->stack, "content");
}

static void
set_busy (SondeMessageDetail *self,
          gboolean            busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  if (busy)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_format_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SondeMessageDetail *self = SONDE_MESSAGE_DETAIL (source);
  GTask *task = G_TASK (result);

  if (g_task_had_error (task) || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;

  show_job (self, g_task_get_task_data (task));
  set_busy (self, FALSE);
}

void
sonde_message_detail_start_format (SondeMessageDetail *self,
              gboolean            show_all)
{
  FormatJob *job;
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  job = g_new0 (FormatJob, 1);
  job->payload = g_bytes_ref (sonde_message_detail_shown_bytes (self));
  /* A decoded view is JSON text (or inflated text). */
  job->kind = sonde_message_detail_shows_decoded (self) ? SONDE_MESSAGE_KIND_TEXT : sonde_message_get_kind (self->message);
  job->show_all = show_all;

  if (g_bytes_get_size (job->payload) <= SYNC_LIMIT)
    {
      run_format_job (job);
      show_job (self, job);
      format_job_free (job);
      set_busy (self, FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_format_done, NULL);
  g_task_set_source_tag (task, sonde_message_detail_start_format);
  g_task_set_task_data (task, job, format_job_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, format_in_thread);
}

/* When it arrived or left, to the millisecond, in local time, and its
 * size: "2026-11-26 04:17:01.989 · 83 B". */
static char *
format_time_and_size (SondeMessage *message)
{
  gint64 wall_us = sonde_message_get_wall_us (message);
  time_t seconds = (time_t) (wall_us / G_USEC_PER_SEC);
  char date[64] = "";
  struct tm tm;
  GString *out = g_string_new (NULL);

  if (localtime_r (&seconds, &tm) != NULL)
    strftime (date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  g_string_append_printf (out, "%s.%03d", date, (int) ((wall_us % G_USEC_PER_SEC) / 1000));
  if (sonde_message_get_direction (message) != SONDE_DIRECTION_EVENT)
    {
      g_autofree char *size = sonde_format_size (sonde_message_get_size (message));

      g_string_append_printf (out, " · %s", size);
    }
  return g_string_free (out, FALSE);
}

/* "Received · text": short enough to sit beside the buttons. */
static char *
format_meta (SondeMessage *message)
{
  const char *direction;
  GString *out = g_string_new (NULL);

  switch (sonde_message_get_direction (message))
    {
    case SONDE_DIRECTION_IN:
      direction = _("Received");
      break;
    case SONDE_DIRECTION_OUT:
      direction = _("Sent");
      break;
    case SONDE_DIRECTION_EVENT:
    default:
      direction = _("Event");
      break;
    }

  /* The kind in the words of the log's Kind column (sonde-log-view.c). */
  g_string_append_printf (out, "%s · %s", direction,
                          _(sonde_message_kind_to_string (sonde_message_get_kind (message))));
  if (sonde_message_get_flags (message) & SONDE_RECORD_FLAG_AUTOMATIC)
    g_string_append (out, _(" · sent by Sonde on its own"));
  if (sonde_message_get_flags (message) & SONDE_RECORD_FLAG_UNMATCHED)
    g_string_append (out, _(" · unmatched: answers no ping of ours"));
  if (sonde_message_get_flags (message) & SONDE_RECORD_FLAG_TRUNCATED)
    g_string_append (out, _(" · truncated by the log’s size limit"));

  return g_string_free (out, FALSE);
}

/* The "Frames" section: how the message crossed the wire. */
static void
update_frames (SondeMessageDetail *self)
{
  g_autofree char *summary = NULL;
  g_autofree char *list = NULL;
  gboolean shown;

  shown = self->message != NULL && self->payload != NULL &&
          sonde_message_frames_describe (self->message, &summary, &list);
  gtk_label_set_label (self->frames_summary, shown ? summary : "");
  gtk_label_set_label (self->frames_label, shown ? list : "");
  gtk_widget_set_visible (GTK_WIDGET (self->frames_expander), shown);
}

/* The field that tells this message apart from others near @path, as a
 * condition ($.sym == "QQQ") and as a split ($.sym); FALSE: none. */
static gboolean
propose_chart (SondeMessageDetail  *self,
               const char          *path,
               char               **where,
               char               **split)
{
  g_autofree char *field = NULL;
  g_autofree char *value = NULL;
  GString *literal;
  gsize length;
  const char *data;

  if (sonde_message_detail_json_bytes (self) == NULL)
    return FALSE;
  data = g_bytes_get_data (sonde_message_detail_json_bytes (self), &length);
  /* It parses the objects around the field: not for a huge message on
   * every selection. */
  if (length > SYNC_LIMIT ||
      !sonde_series_spec_find_distinguishing (data, length, path, &field, &value))
    return FALSE;

  literal = g_string_new ("\"");
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (literal, '\\');
      g_string_append_c (literal, *c);
    }
  g_string_append_c (literal, '"');
  if (where != NULL)
    *where = g_strdup_printf ("%s == %s", field, literal->str);
  g_string_free (literal, TRUE);
  if (split != NULL)
    *split = g_steal_pointer (&field);
  return TRUE;
}

/* "Chart a Field": the message's numeric fields, each a menu item; when the
 * message has a field that tells messages apart, a choice first: only the
 * messages like this one, one line per value, or all. */
void
sonde_message_detail_update_chart_menu (SondeMessageDetail *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) fields = g_menu_new ();
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree char *where = NULL;
  g_autofree char *split = NULL;
  gsize length;
  const char *data;

  if (sonde_message_detail_json_bytes (self) == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->chart_button), FALSE);
      return;
    }

  data = g_bytes_get_data (sonde_message_detail_json_bytes (self), &length);
  paths = sonde_json_path_list_numeric (data, length, 40);
  if (paths->len > 0 && propose_chart (self, g_ptr_array_index (paths, 0), &where, &split))
    {
      g_autoptr(GMenu) choice = g_menu_new ();
      g_autoptr(GMenuItem) only = NULL;
      g_autoptr(GMenuItem) each = NULL;
      g_autoptr(GMenuItem) all = NULL;
      g_autofree char *only_label = NULL;
      g_autofree char *each_label = NULL;

      /* TRANSLATORS: %s is a condition, such as $.sym == "QQQ" */
      only_label = g_strdup_printf (_("Only Where %s"), where);
      /* TRANSLATORS: %s is a field, such as $.sym: one line per value */
      each_label = g_strdup_printf (_("One Line per %s"), split);
      only = g_menu_item_new (only_label, NULL);
      g_menu_item_set_action_and_target (only, "chart.by", "s", "where");
      each = g_menu_item_new (each_label, NULL);
      g_menu_item_set_action_and_target (each, "chart.by", "s", "split");
      all = g_menu_item_new (_("All Messages"), NULL);
      g_menu_item_set_action_and_target (all, "chart.by", "s", "all");
      g_menu_append_item (choice, only);
      g_menu_append_item (choice, each);
      g_menu_append_item (choice, all);
      g_menu_append_section (menu, NULL, G_MENU_MODEL (choice));
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (path, NULL);

      g_menu_item_set_action_and_target (item, "detail.chart-field", "s", path);
      g_menu_append_item (fields, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (fields));

  gtk_menu_button_set_menu_model (self->chart_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->chart_button), paths->len > 0);
}

/* A field picked: charted from the messages the choice above says. */
static void
on_chart_field (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SondeMessageDetail *self = SONDE_MESSAGE_DETAIL (widget);
  const char *path = g_variant_get_string (parameter, NULL);
  g_autofree char *where = NULL;
  g_autofree char *split = NULL;

  if (g_strcmp0 (self->chart_by, "all") != 0)
    propose_chart (self, path, &where, &split);
  if (g_strcmp0 (self->chart_by, "split") == 0)
    g_clear_pointer (&where, g_free);
  else
    g_clear_pointer (&split, g_free);
  g_signal_emit (widget, signals[CHART_FIELD], 0, path, where, split);
}

static void
on_chart_by (GSimpleAction *action,
             GVariant      *state,
             gpointer       data)
{
  SondeMessageDetail *self = data;

  g_free (self->chart_by);
  self->chart_by = g_variant_dup_string (state, NULL);
  g_simple_action_set_state (action, state);
}

static void
on_show_all_clicked (SondeMessageDetail *self)
{
  sonde_message_detail_show_all (self);
}

static void
sonde_message_detail_dispose (GObject *object)
{
  SondeMessageDetail *self = (SondeMessageDetail *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  sonde_message_detail_set_log (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_MESSAGE_DETAIL);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->message);
  g_clear_pointer (&self->payload, g_bytes_unref);
  g_clear_pointer (&self->decoded, g_bytes_unref);
  g_clear_pointer (&self->decode_error, g_free);
  g_clear_pointer (&self->chart_by, g_free);

  G_OBJECT_CLASS (sonde_message_detail_parent_class)->dispose (object);
}

static void
sonde_message_detail_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SondeMessageDetail *self = SONDE_MESSAGE_DETAIL (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_VIEW:
      g_value_set_string (value, self->show_raw ? "raw" : "decoded");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_message_detail_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SondeMessageDetail *self = SONDE_MESSAGE_DETAIL (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      sonde_message_detail_set_message (self, g_value_get_object (value));
      break;
    case PROP_VIEW:
      sonde_message_detail_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_message_detail_class_init (SondeMessageDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sonde_message_detail_dispose;
  object_class->get_property = sonde_message_detail_get_property;
  object_class->set_property = sonde_message_detail_set_property;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, SONDE_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "decoded" or "raw": which view of a decoded message is shown. */
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "decoded",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeMessageDetail::chart-field:
   * @path: the JSON path of a numeric field of the message shown
   * @where: (nullable): only the messages like this one ($.sym == "QQQ")
   * @split: (nullable): one line per value of this field ($.sym)
   */
  signals[CHART_FIELD] =
    g_signal_new ("chart-field", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  gtk_widget_class_install_action (widget_class, "detail.chart-field", "s", on_chart_field);
  gtk_widget_class_install_property_action (widget_class, "detail.view", "view");
  gtk_widget_class_install_action (widget_class, "detail.copy-decoded", NULL, sonde_message_detail_on_copy_action);
  gtk_widget_class_install_action (widget_class, "detail.copy-raw", NULL, sonde_message_detail_on_copy_action);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-message-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, meta_label);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, time_label);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, frames_expander);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, frames_summary);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, frames_label);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, show_all_button);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, chart_button);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, copy_button);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, decode_bar);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, decode_label);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, decode_error_box);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, decode_error_label);
  /* Driven by the "detail.view" action; named for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "decoded_toggle", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "raw_toggle", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, spinner);
  gtk_widget_class_bind_template_child (widget_class, SondeMessageDetail, source_view);
  gtk_widget_class_bind_template_callback (widget_class, on_show_all_clicked);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_copy_clicked",
                                                G_CALLBACK (sonde_message_detail_on_copy_clicked));

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondemessagedetail");
}

static void
sonde_message_detail_init (SondeMessageDetail *self)
{
  g_autoptr(GSimpleActionGroup) chart_actions = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) chart_by = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chart_by = g_strdup ("where");
  chart_by = g_simple_action_new_stateful ("by", G_VARIANT_TYPE_STRING, g_variant_new_string (self->chart_by));
  g_signal_connect (chart_by, "change-state", G_CALLBACK (on_chart_by), self);
  g_action_map_add_action (G_ACTION_MAP (chart_actions), G_ACTION (chart_by));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "chart", G_ACTION_GROUP (chart_actions));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  sonde_style_scheme_follow (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view))));
  sonde_message_detail_update_decode_bar (self);
}

GtkWidget *
sonde_message_detail_new (void)
{
  return g_object_new (SONDE_TYPE_MESSAGE_DETAIL, NULL);
}

SondeMessage *
sonde_message_detail_get_message (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), NULL);

  return self->message;
}

/* Shows @message, or the empty state for NULL. The payload is copied: the
 * view keeps it even after the log evicts the record. */
void
sonde_message_detail_set_message (SondeMessageDetail *self,
                                  SondeMessage       *message)
{
  g_return_if_fail (SONDE_IS_MESSAGE_DETAIL (self));
  g_return_if_fail (message == NULL || SONDE_IS_MESSAGE (message));

  if (self->message == message ||
      (self->message != NULL && message != NULL &&
       sonde_message_get_seq (self->message) == sonde_message_get_seq (message)))
    return;

  g_set_object (&self->message, message);
  sonde_message_detail_set_log (self, sonde_message_decoded_get_log (message));
  g_clear_pointer (&self->payload, g_bytes_unref);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->format = FORMAT_NONE;
  self->partial = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), FALSE);

  if (message != NULL)
    self->payload = sonde_message_dup_payload (message);
  sonde_message_detail_update_decoded (self);

  if (message == NULL || self->payload == NULL)
    {
      gtk_label_set_label (self->meta_label, message != NULL ? _("This message has left the log") : "");
      gtk_label_set_label (self->time_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->time_label), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), FALSE);
      set_busy (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      g_autofree char *meta = format_meta (message);
      g_autofree char *time = format_time_and_size (message);

      gtk_label_set_label (self->meta_label, meta);
      gtk_label_set_label (self->time_label, time);
      gtk_widget_set_visible (GTK_WIDGET (self->time_label), TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), TRUE);
      sonde_message_detail_start_format (self, FALSE);
    }
  update_frames (self);
  sonde_message_detail_update_chart_menu (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* The text the view shows now. */
char *
sonde_message_detail_dup_text (SondeMessageDetail *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), NULL);

  if (self->format == FORMAT_NONE)
    return g_strdup ("");

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* "json", "text", "hex", or NULL when nothing is shown. */
const char *
sonde_message_detail_get_format (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), NULL);

  switch (self->format)
    {
    case FORMAT_JSON:
      return "json";
    case FORMAT_TEXT:
      return "text";
    case FORMAT_HEX:
      return "hex";
    case FORMAT_NONE:
    default:
      return NULL;
    }
}

/* TRUE while a large payload is being formatted. */
gboolean
sonde_message_detail_get_busy (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), FALSE);

  return self->busy;
}

/* TRUE when only the beginning of the message is shown. */
gboolean
sonde_message_detail_get_partial (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), FALSE);

  return self->partial;
}

void
sonde_message_detail_show_all (SondeMessageDetail *self)
{
  g_return_if_fail (SONDE_IS_MESSAGE_DETAIL (self));

  if (self->payload == NULL || !self->partial)
    return;

  sonde_message_detail_start_format (self, TRUE);
}

/* "decoded" or "raw". */
const char *
sonde_message_detail_get_view (SondeMessageDetail *self)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_DETAIL (self), NULL);

  return self->show_raw ? "raw" : "decoded";
}

/* Shows the decoded view ("decoded", the default) or the bytes ("raw") of
 * a message that has a decoded view; kept from message to message. */
void
sonde_message_detail_set_view (SondeMessageDetail *self,
                               const char         *view)
{
  gboolean show_raw;

  g_return_if_fail (SONDE_IS_MESSAGE_DETAIL (self));

  show_raw = g_strcmp0 (view, "raw") == 0;
  if (self->show_raw == show_raw)
    return;

  self->show_raw = show_raw;
  sonde_message_detail_update_decode_bar (self);
  if (self->decoded != NULL)
    sonde_message_detail_start_format (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}
