/* sonde-log-view-columns.c: the columns and cells of the message log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each column has a factory whose cells are GtkInscriptions (and, for the
 * direction, an icon), filled from the log's record when a row is bound:
 * nothing is kept per row. The "Δt" cells read the row before theirs from
 * the filter model that the view sets on their factory as "sonde-model".
 * With a decoder on, the Kind and Message cells read each message's
 * decoded view from the log's views, which the view sets on their
 * factories as "sonde-views": "binary · decoded" and its JSON on one line,
 * or a warning icon (its tooltip says why) beside the raw preview.
 * With feed-integrity rules, a message at which a violation was kept (a
 * gap, a duplicate, a value out of order or out of its band) has a mark
 * before its preview, the violations in its tooltip and accessible name;
 * the view sets the checker on the Message factory as "sonde-integrity".
 */

#define G_LOG_DOMAIN "sonde-log-view"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <time.h>

#include "sonde-event.h"
#include "sonde-filter-model.h"
#include "sonde-integrity.h"
#include "sonde-log-view-private.h"
#include "sonde-record-views.h"
#include "sonde-text.h"

/* The direction column: the icons of the filter bar's toggles, coloured
 * by direction in style.css (.in, .out, .event), so received, sent and
 * events are told apart at a glance, and not by colour alone. */
static const char *
direction_icon (SondeDirection direction)
{
  switch (direction)
    {
    case SONDE_DIRECTION_IN:
      return "go-down-symbolic";
    case SONDE_DIRECTION_OUT:
      return "go-up-symbolic";
    case SONDE_DIRECTION_EVENT:
    default:
      return "emblem-system-symbolic";
    }
}

static const char *
direction_class (SondeDirection direction)
{
  switch (direction)
    {
    case SONDE_DIRECTION_IN:
      return "in";
    case SONDE_DIRECTION_OUT:
      return "out";
    case SONDE_DIRECTION_EVENT:
    default:
      return "event";
    }
}

static const char *
direction_tooltip (SondeDirection direction)
{
  switch (direction)
    {
    case SONDE_DIRECTION_IN:
      return _("Received");
    case SONDE_DIRECTION_OUT:
      return _("Sent");
    case SONDE_DIRECTION_EVENT:
    default:
      return _("Connection event");
    }
}

static const char *
kind_label (SondeMessageKind kind)
{
  switch (kind)
    {
    case SONDE_MESSAGE_KIND_TEXT:
      return _("text");
    case SONDE_MESSAGE_KIND_BINARY:
      return _("binary");
    case SONDE_MESSAGE_KIND_CONNECTING:
      return _("connecting");
    case SONDE_MESSAGE_KIND_HANDSHAKE:
      return _("handshake");
    case SONDE_MESSAGE_KIND_OPEN:
      return _("open");
    case SONDE_MESSAGE_KIND_CLOSING:
      return _("closing");
    case SONDE_MESSAGE_KIND_CLOSE:
      return _("close");
    case SONDE_MESSAGE_KIND_ERROR:
      return _("error");
    case SONDE_MESSAGE_KIND_FAILED:
      return _("failed");
    case SONDE_MESSAGE_KIND_RECONNECT:
      return _("reconnect");
    case SONDE_MESSAGE_KIND_GAP:
      return _("gap");
    case SONDE_MESSAGE_KIND_LATENCY:
      return _("latency");
    case SONDE_MESSAGE_KIND_PING:
      return _("ping");
    case SONDE_MESSAGE_KIND_PONG:
      return _("pong");
    case SONDE_MESSAGE_KIND_FRAME:
      return _("frame");
    default:
      return "?";
    }
}

static char *
format_time (gint64 wall_us)
{
  time_t seconds = (time_t) (wall_us / G_USEC_PER_SEC);
  struct tm tm;

  if (localtime_r (&seconds, &tm) == NULL)
    return g_strdup ("--:--:--.---");

  return g_strdup_printf ("%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                          (int) ((wall_us % G_USEC_PER_SEC) / 1000));
}

/* Time since the previous row: "+0.021", "+12.5", "+3:05". */
static char *
format_delta (gint64 delta_us)
{
  if (delta_us < 0)
    delta_us = 0;
  if (delta_us < 10 * G_USEC_PER_SEC)
    return g_strdup_printf ("+%d.%03d", (int) (delta_us / G_USEC_PER_SEC),
                            (int) ((delta_us % G_USEC_PER_SEC) / 1000));
  if (delta_us < 60 * G_USEC_PER_SEC)
    return g_strdup_printf ("+%d.%d", (int) (delta_us / G_USEC_PER_SEC),
                            (int) ((delta_us % G_USEC_PER_SEC) / (G_USEC_PER_SEC / 10)));
  if (delta_us < (gint64) 100 * 60 * G_USEC_PER_SEC)
    return g_strdup_printf ("+%d:%02d", (int) (delta_us / (60 * G_USEC_PER_SEC)),
                            (int) ((delta_us / G_USEC_PER_SEC) % 60));
  return g_strdup ("+99:59+");
}

static void
set_row_style (GtkWidget         *cell,
               const SondeRecord *record)
{
  gboolean event = record != NULL && record->direction == SONDE_DIRECTION_EVENT;
  gboolean problem = event && (record->kind == SONDE_MESSAGE_KIND_ERROR ||
                               record->kind == SONDE_MESSAGE_KIND_FAILED);

  if (event)
    gtk_widget_add_css_class (cell, "event");
  else
    gtk_widget_remove_css_class (cell, "event");

  if (problem)
    gtk_widget_add_css_class (cell, "error");
  else
    gtk_widget_remove_css_class (cell, "error");

  if (record != NULL && (record->flags & SONDE_RECORD_FLAG_AUTOMATIC))
    gtk_widget_add_css_class (cell, "automatic");
  else
    gtk_widget_remove_css_class (cell, "automatic");

  /* A pong that answers no ping of ours. */
  if (record != NULL && (record->flags & SONDE_RECORD_FLAG_UNMATCHED))
    gtk_widget_add_css_class (cell, "unmatched");
  else
    gtk_widget_remove_css_class (cell, "unmatched");
}

static gboolean
is_control (const SondeRecord *record)
{
  return record->direction != SONDE_DIRECTION_EVENT &&
         (record->kind == SONDE_MESSAGE_KIND_PING || record->kind == SONDE_MESSAGE_KIND_PONG);
}

/* The kind, and the marks that matter: Sonde's own (on-open messages,
 * heartbeats, keepalive pings and the pongs that answer pings), and pongs
 * that answer no ping of ours. */
static char *
format_kind (const SondeRecord   *record,
             SondeRecordViewKind  view_kind,
             const char          *label)
{
  /* A protocol mode's message: what it is ("text · tick", "binary · a/b"),
   * and whether Sonde sent it on its own. */
  if (label != NULL && (record->flags & SONDE_RECORD_FLAG_AUTOMATIC))
    /* Translators: a protocol message Sonde sent on its own; %s is its label ("ping", "subscribe"). */
    return g_strdup_printf (_("%s · %s · auto"), kind_label (record->kind), label);
  if (label != NULL)
    /* Translators: a protocol message; %s is its label (an event name, a topic, a method). */
    return g_strdup_printf (_("%s · %s"), kind_label (record->kind), label);
  if (view_kind == SONDE_RECORD_VIEW_DECODED)
    /* Translators: a message read through the connection's decoder. */
    return g_strdup_printf (_("%s · decoded"), kind_label (record->kind));
  if (view_kind == SONDE_RECORD_VIEW_FAILED)
    /* Translators: a message the connection's decoder could not read. */
    return g_strdup_printf (_("%s · not decoded"), kind_label (record->kind));
  if (record->flags & SONDE_RECORD_FLAG_UNMATCHED)
    /* Translators: a pong that answers no ping Sonde sent. */
    return g_strdup_printf (_("%s · unmatched"), kind_label (record->kind));
  if (record->flags & SONDE_RECORD_FLAG_AUTOMATIC)
    return g_strdup_printf (_("%s · auto"), kind_label (record->kind));
  return g_strdup (kind_label (record->kind));
}

/* A frame record's header, read back from its JSON object; FALSE when it
 * is not one. */
static gboolean
read_frame (const SondeRecord *record,
            const char       **opcode,
            gint64            *size,
            GString           *bits)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  static const char *flags[] = { "fin", "rsv1", "masked", "discarded" };

  if (record->kind != SONDE_MESSAGE_KIND_FRAME || record->direction == SONDE_DIRECTION_EVENT ||
      !json_parser_load_from_data (parser, (const char *) record->data, (gssize) record->stored_size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  *opcode = g_intern_string (json_object_get_string_member_with_default (object, "opcode", "?"));
  *size = json_object_get_int_member_with_default (object, "size", 0);
  /* Protocol words (RFC 6455 §5.2), not translated; "discarded": the
   * frame went past the message limit and was not kept. */
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    if (json_object_get_boolean_member_with_default (object, flags[i], FALSE))
      g_string_append_printf (bits, " · %s", i < 2 ? (i == 0 ? "FIN" : "RSV1") : flags[i]);
  return TRUE;
}

/* A ping's or pong's payload (at most 125 bytes): escaped text when it is
 * UTF-8, hex bytes when it is not. */
static char *
format_control_payload (const SondeRecord *record)
{
  if (record->stored_size == 0)
    return g_strdup (_("(no payload)"));
  return sonde_text_preview (record->data, record->stored_size,
                             !sonde_text_validate_utf8 (record->data, record->stored_size, NULL));
}

/* The direction cell's tooltip is asked for when it is about to show, not
 * set on every bind: GTK 4.8 answers each gtk_widget_set_tooltip_text(),
 * even one that changes nothing, by looking for the pointer (synchronous
 * round trips to the X server, ~0.17 ms each on an idle Xvfb), and a
 * streaming feed binds rows by the hundred every frame. */
static gboolean
on_direction_query_tooltip (GtkWidget   *cell,
                            int          x,
                            int          y,
                            gboolean     keyboard_mode,
                            GtkTooltip  *tooltip,
                            GtkListItem *item)
{
  SondeMessage *message = gtk_list_item_get_item (item);
  SondeRecord record;

  if (message == NULL || !sonde_message_get_record (message, &record))
    return FALSE;

  gtk_tooltip_set_text (tooltip, direction_tooltip (record.direction));
  return TRUE;
}

static SondeRecordViews *
factory_views (GtkSignalListItemFactory *factory)
{
  return g_object_get_data (G_OBJECT (factory), "sonde-views");
}

/* The decoder's error, asked for when the warning's tooltip is about to
 * show (see above). */
static gboolean
on_decode_error_query_tooltip (GtkWidget                *icon,
                               int                       x,
                               int                       y,
                               gboolean                  keyboard_mode,
                               GtkTooltip               *tooltip,
                               GtkSignalListItemFactory *factory)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (icon), "sonde-item");
  SondeMessage *message = item != NULL ? gtk_list_item_get_item (item) : NULL;
  SondeRecordViews *views = factory_views (factory);
  const char *why = NULL;
  SondeRecord record;

  if (message == NULL || views == NULL || !sonde_message_get_record (message, &record) ||
      sonde_record_views_get (views, &record, NULL, &why) != SONDE_RECORD_VIEW_FAILED)
    return FALSE;

  gtk_tooltip_set_text (tooltip, why);
  return TRUE;
}

/* The violations at the row's record, asked for when the mark's tooltip
 * is about to show. */
static gboolean
on_integrity_query_tooltip (GtkWidget                *icon,
                            int                       x,
                            int                       y,
                            gboolean                  keyboard_mode,
                            GtkTooltip               *tooltip,
                            GtkSignalListItemFactory *factory)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (icon), "sonde-item");
  SondeMessage *message = item != NULL ? gtk_list_item_get_item (item) : NULL;
  SondeIntegrity *integrity = g_object_get_data (G_OBJECT (factory), "sonde-integrity");
  g_autofree char *text = NULL;
  SondeRecord record;

  if (message == NULL || integrity == NULL || !sonde_message_get_record (message, &record) ||
      (text = sonde_integrity_describe_record (integrity, record.seq)) == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The mark of a message with a feed-integrity violation (hidden). */
static GtkWidget *
new_integrity_mark (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("emblem-important-symbolic");

  gtk_widget_add_css_class (icon, "sonde-integrity-mark");
  gtk_widget_add_css_class (icon, "error");
  gtk_widget_set_visible (icon, FALSE);
  gtk_widget_set_has_tooltip (icon, TRUE);
  g_object_set_data (G_OBJECT (icon), "sonde-item", item);
  g_signal_connect_object (icon, "query-tooltip", G_CALLBACK (on_integrity_query_tooltip), factory, 0);
  return icon;
}

/* Shows @mark when a violation was kept at @record; its accessible name
 * says which (made only for such rows: they are few). */
static void
bind_integrity_mark (GtkWidget                *mark,
                     GtkSignalListItemFactory *factory,
                     const SondeRecord        *record)
{
  SondeIntegrity *integrity = g_object_get_data (G_OBJECT (factory), "sonde-integrity");
  g_autofree char *text = NULL;

  if (record != NULL && integrity != NULL && sonde_integrity_has_record (integrity, record->seq))
    text = sonde_integrity_describe_record (integrity, record->seq);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (mark, text != NULL);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  SondeLogViewColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget *cell;

  if (column == COLUMN_DIRECTION)
    {
      cell = gtk_image_new ();
      gtk_widget_add_css_class (cell, "sonde-direction");
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_widget_set_has_tooltip (cell, TRUE);
      g_signal_connect_object (cell, "query-tooltip", G_CALLBACK (on_direction_query_tooltip), item, 0);
      gtk_list_item_set_child (item, cell);
      return;
    }

  cell = gtk_inscription_new (NULL);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), column == COLUMN_PREVIEW ? 60 : 4);

  switch (column)
    {
    case COLUMN_TIME:
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 12);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 12);
      gtk_widget_add_css_class (cell, "numeric");
      break;
    case COLUMN_DELTA:
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 7);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 7);
      gtk_widget_add_css_class (cell, "numeric");
      break;
    case COLUMN_DIRECTION:
    case COLUMN_KIND:
      /* Room for the marks: "pong · unmatched", "binary · not decoded". */
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 6);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 20);
      break;
    case COLUMN_SIZE:
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 6);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 8);
      gtk_widget_add_css_class (cell, "numeric");
      break;
    case COLUMN_PREVIEW:
      {
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

        gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 10);
        gtk_widget_set_hexpand (cell, TRUE);
        gtk_widget_add_css_class (cell, "monospace");
        /* A message the decoder could not read: a warning before its raw
         * preview, the reason in its tooltip. */
        gtk_widget_add_css_class (icon, "sonde-decode-error");
        gtk_widget_add_css_class (icon, "warning");
        gtk_widget_set_visible (icon, FALSE);
        gtk_widget_set_has_tooltip (icon, TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Could not decode"), -1);
        g_object_set_data (G_OBJECT (icon), "sonde-item", item);
        g_signal_connect_object (icon, "query-tooltip", G_CALLBACK (on_decode_error_query_tooltip), factory, 0);
        gtk_box_append (GTK_BOX (box), icon);
        gtk_box_append (GTK_BOX (box), new_integrity_mark (factory, item));
        gtk_box_append (GTK_BOX (box), cell);
        gtk_list_item_set_child (item, box);
      }
      return;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_list_item_set_child (item, cell);
}

/* An icon for the direction, its colour from the class, its name said to
 * screen readers. */
static void
bind_direction (GtkImage          *cell,
                const SondeRecord *record)
{
  static const char *classes[] = { "in", "out", "event" };
  const char *class = record != NULL ? direction_class (record->direction) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      if (g_strcmp0 (classes[i], class) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (cell), classes[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (cell), classes[i]);
    }

  if (record == NULL)
    {
      gtk_image_clear (cell);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      return;
    }

  gtk_image_set_from_icon_name (cell, direction_icon (record->direction));
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  direction_tooltip (record->direction), -1);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  SondeLogViewColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget *child = gtk_list_item_get_child (item);
  GtkWidget *error_icon = NULL;
  GtkWidget *integrity_mark = NULL;
  GtkInscription *cell;
  SondeMessage *message = gtk_list_item_get_item (item);
  SondeRecordViews *views = factory_views (factory);
  SondeRecordViewKind view_kind = SONDE_RECORD_VIEW_RAW;
  g_autofree char *text = NULL;
  SondeRecord record;
  SondeRecord view;
  gboolean alive;

  if (column == COLUMN_PREVIEW)
    {
      error_icon = gtk_widget_get_first_child (child);
      integrity_mark = gtk_widget_get_next_sibling (error_icon);
      child = gtk_widget_get_last_child (child);
    }
  cell = GTK_IS_INSCRIPTION (child) ? GTK_INSCRIPTION (child) : NULL;

  alive = message != NULL && sonde_message_get_record (message, &record);
  set_row_style (child, alive ? &record : NULL);
  if (alive && views != NULL && (column == COLUMN_KIND || column == COLUMN_PREVIEW))
    view_kind = sonde_record_views_get (views, &record, &view, NULL);
  if (error_icon != NULL)
    gtk_widget_set_visible (error_icon, view_kind == SONDE_RECORD_VIEW_FAILED);
  if (integrity_mark != NULL)
    bind_integrity_mark (integrity_mark, factory, alive ? &record : NULL);

  if (column == COLUMN_DIRECTION)
    {
      bind_direction (GTK_IMAGE (child), alive ? &record : NULL);
      return;
    }

  if (!alive)
    {
      gtk_inscription_set_text (cell, column == COLUMN_PREVIEW ? _("(evicted)") : "");
      return;
    }

  switch (column)
    {
    case COLUMN_TIME:
      text = format_time (record.wall_us);
      break;
    case COLUMN_DELTA:
      {
        SondeFilterModel *model = SONDE_FILTER_MODEL (g_object_get_data (G_OBJECT (factory), "sonde-model"));
        guint position = gtk_list_item_get_position (item);
        SondeRecord previous;

        if (model != NULL && position != GTK_INVALID_LIST_POSITION && position > 0 &&
            sonde_filter_model_get_record (model, position - 1, &previous))
          text = format_delta (record.mono_us - previous.mono_us);
      }
      break;
    case COLUMN_DIRECTION:
      g_assert_not_reached ();
    case COLUMN_KIND:
      {
        gboolean upkeep = FALSE;
        const char *label = views != NULL ? sonde_record_views_get_label (views, &record, &upkeep) : NULL;

        text = format_kind (&record, view_kind, label);
        /* Protocol upkeep (pings, acks, heart-beats) reads dimmer. */
        if (upkeep)
          gtk_widget_add_css_class (child, "dim-label");
        else
          gtk_widget_remove_css_class (child, "dim-label");
      }
      break;
    case COLUMN_SIZE:
      {
        g_autoptr(GString) bits = g_string_new (NULL);
        const char *opcode;
        gint64 size;

        /* A frame record's size is its frame's payload, not its JSON. */
        if (read_frame (&record, &opcode, &size, bits))
          text = sonde_format_size ((guint64) MAX (size, 0));
        else if (record.direction != SONDE_DIRECTION_EVENT)
          text = sonde_format_size (record.size);
      }
      break;
    case COLUMN_PREVIEW:
      if (view_kind == SONDE_RECORD_VIEW_DECODED)
        /* The decoded view: JSON on one line (or inflated text). */
        text = sonde_text_preview (view.data, view.stored_size, FALSE);
      else if (record.direction == SONDE_DIRECTION_EVENT)
        text = sonde_event_describe (&record);
      else if (is_control (&record))
        text = format_control_payload (&record);
      else if (record.kind == SONDE_MESSAGE_KIND_FRAME)
        {
          g_autoptr(GString) bits = g_string_new (NULL);
          const char *opcode;
          gint64 size;

          if (read_frame (&record, &opcode, &size, bits))
            text = g_strconcat (opcode, bits->str, NULL);
          else
            text = sonde_text_preview (record.data, record.stored_size, FALSE);
        }
      else
        text = sonde_text_preview (record.data, record.stored_size,
                                   record.kind == SONDE_MESSAGE_KIND_BINARY);
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_inscription_set_text (cell, text);
}

static GtkListItemFactory *
new_factory (SondeLogViewColumn column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (column));
  return factory;
}

/* Sets the views the cells of @view_column read (the log's, which
 * outlives the column) and makes them again: the decoder changed. GTK 4.8
 * has no call that rebinds the rows on screen; hiding a column drops its
 * cells and showing it makes new ones, in the same frame (a new factory
 * would only serve the cells made after it). */
void
sonde_log_view_renew_cells (GtkColumnViewColumn *view_column,
                            SondeRecordViews    *views)
{
  GtkListItemFactory *factory = gtk_column_view_column_get_factory (view_column);
  gboolean renew = g_object_get_data (G_OBJECT (factory), "sonde-views") != NULL;

  g_object_set_data (G_OBJECT (factory), "sonde-views", views);
  if (renew && gtk_column_view_column_get_visible (view_column))
    {
      gtk_column_view_column_set_visible (view_column, FALSE);
      gtk_column_view_column_set_visible (view_column, TRUE);
    }
}

/* Appends the column of @column to @view, with @header_menu on its
 * header; the column view holds it. */
GtkColumnViewColumn *
sonde_log_view_add_column (GtkColumnView      *view,
                           SondeLogViewColumn  column,
                           const char         *title,
                           GMenuModel         *header_menu)
{
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  view_column = gtk_column_view_column_new (title, new_factory (column));
  gtk_column_view_column_set_resizable (view_column, column != COLUMN_DIRECTION);
  /* The message takes the free width. */
  gtk_column_view_column_set_expand (view_column, column == COLUMN_PREVIEW);
  gtk_column_view_column_set_header_menu (view_column, header_menu);
  gtk_column_view_append_column (view, view_column);
  return view_column;   /* the column view holds it */
}
