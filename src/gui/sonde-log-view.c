/* sonde-log-view.c: the message log of one connection, filtered and followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over a SondeFilterModel, with the quick filter bar above
 * it (sonde-log-view-filter.c). Rows are made only for what is on screen; a
 * row's preview is built from the log's bytes when it is bound (the
 * columns are in sonde-log-view-columns.c).
 *
 * Follow mode keeps the newest row in view. Measured on GTK 4.8 (see
 * docs/DESIGN.md, "Facts measured on Debian 12"): the only placement
 * that holds on every frame is setting the vertical adjustment to its end
 * in a handler of the frame clock's "layout" signal, and only when rows
 * arrived since the last one.
 * Scrolling away is told from our own scrolling by watching the user's
 * input (wheel and touchpad up, a press on the scrollbar, Up, Page Up and
 * Home), never by watching the adjustment.
 */

#define G_LOG_DOMAIN "sonde-log-view"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-log-view-private.h"

#define COUNT_REFRESH_MS 100

G_DEFINE_FINAL_TYPE (SondeLogView, sonde_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOG,
  PROP_SELECTED,
  PROP_FOLLOWING,
  PROP_PAUSED,
  PROP_COUNT_TEXT,
  PROP_SHOW_DELTA,
  PROP_SHOW_FRAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
refresh_count (SondeLogView *self)
{
  g_autofree char *text = NULL;
  guint n;

  g_clear_handle_id (&self->count_refresh_id, g_source_remove);
  if (self->model == NULL)
    return;   /* disposed */

  text = sonde_log_view_dup_count_text (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  if (g_strcmp0 (self->count_text, text) != 0)
    {
      g_free (self->count_text);
      self->count_text = g_steal_pointer (&text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_TEXT]);
    }
  gtk_widget_set_visible (self->placeholder, n == 0);

  if (!self->following && self->n_unseen > 0)
    {
      g_autofree char *label =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message ↓", "%u new messages ↓",
                                      self->n_unseen), self->n_unseen);
      gtk_button_set_label (self->new_messages_button, label);
      gtk_revealer_set_reveal_child (self->new_messages_revealer, TRUE);
    }
  else
    gtk_revealer_set_reveal_child (self->new_messages_revealer, FALSE);
}

static gboolean
on_count_timeout (gpointer data)
{
  SondeLogView *self = data;

  self->count_refresh_id = 0;
  refresh_count (self);
  return G_SOURCE_REMOVE;
}

void
sonde_log_view_queue_refresh_count (SondeLogView *self)
{
  if (self->model == NULL)
    return;   /* disposed */

  if (self->count_refresh_id == 0)
    self->count_refresh_id = g_timeout_add (COUNT_REFRESH_MS, on_count_timeout, self);
}

/* The Frames toggle changed (sonde-log-view-filter.c). */
void
sonde_log_view_notify_show_frames (SondeLogView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_FRAMES]);
}

static void
scroll_to_end (SondeLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (gtk_adjustment_get_value (adjustment) < end)
    gtk_adjustment_set_value (adjustment, end);
}

static void
on_frame_layout (GdkFrameClock *clock,
                 SondeLogView  *self)
{
  if (!self->rows_arrived)
    return;

  self->rows_arrived = FALSE;
  if (self->following)
    scroll_to_end (self);
}

static void
on_model_items_changed (GListModel   *model,
                        guint         position,
                        guint         removed,
                        guint         added,
                        SondeLogView *self)
{
  if (added > 0)
    {
      self->rows_arrived = TRUE;
      if (!self->following && position + added == g_list_model_get_n_items (model))
        self->n_unseen += added;
      gtk_widget_queue_allocate (GTK_WIDGET (self->column_view));
    }

  sonde_log_view_queue_refresh_count (self);
}

static void
on_selection_changed (SondeLogView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static gboolean
is_at_end (SondeLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);

  return gtk_adjustment_get_value (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 2;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SondeLogView             *self)
{
  if (dy < 0)
    sonde_log_view_set_following (self, FALSE);
  return FALSE;
}

/* After a scroll down or a drag of the scrollbar ends at the bottom, the
 * user wants to follow again. */
static void
on_scroll_end (SondeLogView *self)
{
  if (!self->following && is_at_end (self))
    sonde_log_view_set_following (self, TRUE);
}

static void
on_scroll_decelerate (GtkEventControllerScroll *controller,
                      double                    vx,
                      double                    vy,
                      SondeLogView             *self)
{
  if (vy < 0)
    sonde_log_view_set_following (self, FALSE);
}

static void
on_adjustment_value_changed (GtkAdjustment *adjustment,
                             SondeLogView  *self)
{
  /* Only user input turns following off; reaching the end by scrolling
   * down (wheel, scrollbar, keys) turns it back on. */
  if (!self->following && is_at_end (self) && gtk_adjustment_get_upper (adjustment) > 0)
    on_scroll_end (self);
}

static void
on_scrollbar_pressed (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      SondeLogView    *self)
{
  sonde_log_view_set_following (self, FALSE);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SondeLogView          *self)
{
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      sonde_log_view_set_following (self, FALSE);
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      sonde_log_view_set_following (self, TRUE);
      break;
    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
on_new_messages_clicked (SondeLogView *self)
{
  sonde_log_view_set_following (self, TRUE);
}

/* The rows are one Tab stop: GTK 4.8 makes every row its own, so Tab
 * never left a long log. Tab from a row goes on past the view, Shift+Tab
 * back to the filter bar; into the log, Tab lands on the row last focused
 * (arrows move between rows). */
static gboolean
focus_rows (SondeLogView     *self,
            GtkDirectionType  direction)
{
  /* No rows: the placeholder's button, when it has one. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    return gtk_widget_get_visible (self->placeholder) &&
           gtk_widget_child_focus (self->placeholder, direction);

  return gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static gboolean
sonde_log_view_focus (GtkWidget        *widget,
                      GtkDirectionType  direction)
{
  SondeLogView *self = SONDE_LOG_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *rows = GTK_WIDGET (self->column_view);
  GtkWidget *focus_child = gtk_widget_get_focus_child (widget);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (sonde_log_view_parent_class)->focus (widget, direction);

  if (focus != NULL && (focus == rows || gtk_widget_is_ancestor (focus, rows)))
    {
      if (direction == GTK_DIR_TAB_FORWARD)
        return FALSE;
      return gtk_widget_child_focus (self->filter_bar, direction);
    }

  if (focus_child == self->filter_bar)
    {
      if (gtk_widget_child_focus (self->filter_bar, direction))
        return TRUE;
      return direction == GTK_DIR_TAB_FORWARD && focus_rows (self, direction);
    }

  if (focus_child != NULL)   /* a button over the rows */
    return GTK_WIDGET_CLASS (sonde_log_view_parent_class)->focus (widget, direction);

  if (direction == GTK_DIR_TAB_FORWARD)
    return gtk_widget_child_focus (self->filter_bar, direction) || focus_rows (self, direction);
  return focus_rows (self, direction) || gtk_widget_child_focus (self->filter_bar, direction);
}

static void
sonde_log_view_realize (GtkWidget *widget)
{
  SondeLogView *self = SONDE_LOG_VIEW (widget);

  GTK_WIDGET_CLASS (sonde_log_view_parent_class)->realize (widget);

  /* Connected after the toplevel's own layout handler: the list has its
   * new size by the time this runs. */
  self->frame_clock = gtk_widget_get_frame_clock (widget);
  self->layout_handler = g_signal_connect_after (self->frame_clock, "layout",
                                                 G_CALLBACK (on_frame_layout), self);
}

static void
sonde_log_view_unrealize (GtkWidget *widget)
{
  SondeLogView *self = SONDE_LOG_VIEW (widget);

  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  self->frame_clock = NULL;

  GTK_WIDGET_CLASS (sonde_log_view_parent_class)->unrealize (widget);
}

/* The decoder changed (or is set at first): the rows on screen show the
 * new views. */
static void
on_views_changed (SondeLogView *self)
{
  SondeRecordViews *views = sonde_message_log_get_views (self->log);

  sonde_log_view_renew_cells (self->kind_column, views);
  sonde_log_view_renew_cells (self->preview_column, views);
}

static void
sonde_log_view_constructed (GObject *object)
{
  SondeLogView *self = (SondeLogView *) object;

  G_OBJECT_CLASS (sonde_log_view_parent_class)->constructed (object);

  g_assert (self->log != NULL);
  self->model = sonde_filter_model_new (self->log);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (on_model_items_changed), self, 0);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::paused",
                           G_CALLBACK (sonde_log_view_queue_refresh_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::scanning",
                           G_CALLBACK (sonde_log_view_queue_refresh_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::n-pending",
                           G_CALLBACK (sonde_log_view_queue_refresh_count), self, G_CONNECT_SWAPPED);

  /* The Kind and Message cells read the decoded views, and are made
   * again when the decoder changes. */
  on_views_changed (self);
  g_signal_connect_object (self->log, "views-changed", G_CALLBACK (on_views_changed), self, G_CONNECT_SWAPPED);

  /* The Δt cells read the row before theirs. */
  g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (self->delta_column)), "sonde-model", self->model);

  self->rows_arrived = TRUE;
  refresh_count (self);
}

static void
sonde_log_view_dispose (GObject *object)
{
  SondeLogView *self = (SondeLogView *) object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_handle_id (&self->count_refresh_id, g_source_remove);
  sonde_log_view_cancel_scroll (self);

  /* Let go of the rows while the view is whole: GTK 4.8 aborts in
   * gtk_list_item_manager_clear_node when a column view is disposed with
   * rows still bound. */
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_LOG_VIEW);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sonde_log_view_parent_class)->dispose (object);
}

static void
sonde_log_view_finalize (GObject *object)
{
  SondeLogView *self = (SondeLogView *) object;

  g_free (self->count_text);

  G_OBJECT_CLASS (sonde_log_view_parent_class)->finalize (object);
}

static void
sonde_log_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SondeLogView *self = SONDE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;
    case PROP_SELECTED:
      g_value_set_object (value, sonde_log_view_get_selected (self));
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, sonde_log_view_get_paused (self));
      break;
    case PROP_COUNT_TEXT:
      g_value_set_string (value, self->count_text);
      break;
    case PROP_SHOW_DELTA:
      g_value_set_boolean (value, sonde_log_view_get_show_delta (self));
      break;
    case PROP_SHOW_FRAMES:
      g_value_set_boolean (value, sonde_log_view_get_show_frames (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_log_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SondeLogView *self = SONDE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      self->log = g_value_dup_object (value);
      break;
    case PROP_FOLLOWING:
      sonde_log_view_set_following (self, g_value_get_boolean (value));
      break;
    case PROP_PAUSED:
      sonde_log_view_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_DELTA:
      sonde_log_view_set_show_delta (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_FRAMES:
      sonde_log_view_set_show_frames (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_log_view_class_init (SondeLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_log_view_constructed;
  object_class->dispose = sonde_log_view_dispose;
  object_class->finalize = sonde_log_view_finalize;
  object_class->get_property = sonde_log_view_get_property;
  object_class->set_property = sonde_log_view_set_property;

  widget_class->realize = sonde_log_view_realize;
  widget_class->focus = sonde_log_view_focus;
  widget_class->unrealize = sonde_log_view_unrealize;

  properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL, SONDE_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, SONDE_TYPE_MESSAGE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT_TEXT] =
    g_param_spec_string ("count-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The optional "Δt" column: the time since the previous row. */
  properties[PROP_SHOW_DELTA] =
    g_param_spec_boolean ("show-delta", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The Frames toggle: frame records are shown, and the owner of the
   * connection (the page) has it make them. */
  properties[PROP_SHOW_FRAMES] =
    g_param_spec_boolean ("show-frames", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "log.show-delta", "show-delta");

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-log-view.ui");
  sonde_log_view_filter_class_init (widget_class);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, placeholder_title);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, placeholder_description);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, placeholder_button);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, new_messages_revealer);
  gtk_widget_class_bind_template_child (widget_class, SondeLogView, new_messages_button);
  gtk_widget_class_bind_template_callback (widget_class, on_new_messages_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondelogview");
}

static void
sonde_log_view_init (SondeLogView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->following = TRUE;
  self->scroll_target = G_MAXUINT;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  {
    g_autoptr(GMenu) header_menu = g_menu_new ();

    /* Right-click on a column header. */
    g_menu_append (header_menu, _("Time Since the Previous Row (Δt)"), "log.show-delta");
    sonde_log_view_add_column (self->column_view, COLUMN_TIME, _("Time"), G_MENU_MODEL (header_menu));
    self->delta_column = sonde_log_view_add_column (self->column_view, COLUMN_DELTA, _("Δt"), G_MENU_MODEL (header_menu));
    gtk_column_view_column_set_visible (self->delta_column, FALSE);
    sonde_log_view_add_column (self->column_view, COLUMN_DIRECTION, "", G_MENU_MODEL (header_menu));
    self->kind_column = sonde_log_view_add_column (self->column_view, COLUMN_KIND, _("Kind"),
                                                   G_MENU_MODEL (header_menu));
    sonde_log_view_add_column (self->column_view, COLUMN_SIZE, _("Size"), G_MENU_MODEL (header_menu));
    self->preview_column = sonde_log_view_add_column (self->column_view, COLUMN_PREVIEW, _("Message"),
                                                      G_MENU_MODEL (header_menu));
  }

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL |
                                                GTK_EVENT_CONTROLLER_SCROLL_KINETIC);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  g_signal_connect (controller, "decelerate", G_CALLBACK (on_scroll_decelerate), self);
  g_signal_connect_swapped (controller, "scroll-end", G_CALLBACK (on_scroll_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scrolled), controller);

  gesture = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_scrollbar_pressed), self);
  gtk_widget_add_controller (gtk_scrolled_window_get_vscrollbar (self->scrolled),
                             GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled), "value-changed",
                           G_CALLBACK (on_adjustment_value_changed), self, 0);
}

GtkWidget *
sonde_log_view_new (SondeMessageLog *log)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (log), NULL);

  return g_object_new (SONDE_TYPE_LOG_VIEW, "log", log, NULL);
}

SondeFilterModel *
sonde_log_view_get_model (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), NULL);

  return self->model;
}

/* The selected row's message, or NULL. */
SondeMessage *
sonde_log_view_get_selected (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

gboolean
sonde_log_view_get_following (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  return self->following;
}

/* A reader away from the newest row, or looking at a paused view, keeps
 * the rows on screen where they are: rows the log evicts meanwhile stay,
 * as "(evicted)", until the view follows again. It is also what keeps
 * the window responsive then (see sonde-filter-model.c). */
static void
update_hold (SondeLogView *self)
{
  sonde_filter_model_set_hold_head (self->model,
                                    !self->following || sonde_filter_model_get_paused (self->model));
}

/* Following keeps the newest row in view; turning it on jumps there. */
void
sonde_log_view_set_following (SondeLogView *self,
                              gboolean      following)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  following = !!following;
  if (self->following == following)
    return;

  self->following = following;
  update_hold (self);
  if (following)
    {
      self->n_unseen = 0;
      self->rows_arrived = TRUE;
      scroll_to_end (self);
      gtk_widget_queue_allocate (GTK_WIDGET (self->column_view));
    }

  refresh_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

gboolean
sonde_log_view_get_show_delta (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  return gtk_column_view_column_get_visible (self->delta_column);
}

/* Shows or hides the "Δt" column (the time since the previous row). */
void
sonde_log_view_set_show_delta (SondeLogView *self,
                               gboolean      show)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  if (sonde_log_view_get_show_delta (self) == !!show)
    return;

  gtk_column_view_column_set_visible (self->delta_column, show);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_DELTA]);
}

/* Freezes the rows on screen while the log keeps capturing; resuming shows
 * everything that arrived. */
void
sonde_log_view_set_paused (SondeLogView *self,
                           gboolean      paused)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  if (sonde_filter_model_get_paused (self->model) == !!paused)
    return;

  sonde_filter_model_set_paused (self->model, paused);
  update_hold (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
sonde_log_view_get_paused (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), FALSE);

  return sonde_filter_model_get_paused (self->model);
}

/* Empties the view; the log keeps what it captured. */
void
sonde_log_view_clear (SondeLogView *self)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  sonde_filter_model_clear (self->model);
  self->n_unseen = 0;
  refresh_count (self);
}

/* What the view says when it has no rows, and optionally a button that
 * activates @action_name (NULL for none). */
void
sonde_log_view_set_placeholder (SondeLogView *self,
                                const char   *title,
                                const char   *description,
                                const char   *button_label,
                                const char   *action_name)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  gtk_label_set_label (self->placeholder_title, title ? title : "");
  gtk_label_set_label (self->placeholder_description, description ? description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_description), description != NULL);
  gtk_button_set_label (self->placeholder_button, button_label ? button_label : "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->placeholder_button), action_name);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_button), button_label != NULL && action_name != NULL);
}

/* Rows that arrived since the user scrolled away from the newest. */
guint
sonde_log_view_get_n_unseen (SondeLogView *self)
{
  g_return_val_if_fail (SONDE_IS_LOG_VIEW (self), 0);

  return self->following ? 0 : self->n_unseen;
}

/* Selects the record @seq and scrolls to it, leaving follow mode; FALSE
 * when the view does not hold it (filtered out, cleared or evicted). */
/* Forgets the records that came while the view was not following (the
 * "N new messages ↓" button goes): a recording being loaded brings no
 * news. */
void
sonde_log_view_mark_seen (SondeLogView *self)
{
  g_return_if_fail (SONDE_IS_LOG_VIEW (self));

  self->n_unseen = 0;
  refresh_count (self);
}

/* Marks the messages at which @integrity kept a violation (NULL: none). */
void
sonde_log_view_set_integrity (SondeLogView   *self,
                              SondeIntegrity *integrity)
{
  GObject *factory;

  g_return_if_fail (SONDE_IS_LOG_VIEW (self));
  g_return_if_fail (integrity == NULL || SONDE_IS_INTEGRITY (integrity));

  factory = G_OBJECT (gtk_column_view_column_get_factory (self->preview_column));
  if (g_object_get_data (factory, "sonde-integrity") == (gpointer) integrity)
    return;
  g_object_set_data_full (factory, "sonde-integrity", integrity != NULL ? g_object_ref (integrity) : NULL,
                          integrity != NULL ? g_object_unref : NULL);
  /* Cells already made read it from their next bind. */
  if (gtk_column_view_column_get_visible (self->preview_column))
    {
      gtk_column_view_column_set_visible (self->preview_column, FALSE);
      gtk_column_view_column_set_visible (self->preview_column, TRUE);
    }
}
