/* sonde-sidebar.c: saved profiles and open connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The saved profiles, searchable by name and URL (Enter on one connects;
 * its menu edits, duplicates, exports or deletes it: window actions that
 * take the profile's id), then the open connections: one row per tab with
 * its live state and how many messages arrived while it was not shown.
 */

#define G_LOG_DOMAIN "sonde-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-connection-page.h"
#include "sonde-gui-util.h"
#include "sonde-sidebar.h"

#define REFRESH_MS 500

struct _SondeSidebar
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkSearchEntry     *search_entry;
  GtkStack           *profiles_stack;
  GtkListView        *profile_list;
  GtkLabel           *empty_label;
  GtkLabel           *open_heading;
  GtkListBox         *open_list;

  /* owned */
  SondeProfileStore  *store;
  AdwTabView         *tab_view;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GtkSingleSelection *selection;

  guint               refresh_id;
};

G_DEFINE_FINAL_TYPE (SondeSidebar, sonde_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TAB_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
contains_casefold (const char *haystack,
                   const char *needle_folded)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle_folded) != NULL;
}

static gboolean
filter_profile (gpointer item,
                gpointer user_data)
{
  SondeSidebar *self = user_data;
  SondeProfile *profile = item;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *needle = NULL;

  if (text == NULL || *text == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  return contains_casefold (sonde_profile_get_name (profile), needle) ||
         contains_casefold (sonde_profile_get_url (profile), needle);
}

static void
update_empty (SondeSidebar *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  if (shown > 0)
    {
      gtk_stack_set_visible_child_name (self->profiles_stack, "list");
      return;
    }

  gtk_label_set_label (self->empty_label,
                       total == 0 ? _("No saved profiles yet.\nSave a connection with “Save as Profile”, or press Ctrl+N.")
                                  : _("No profile matches the search"));
  gtk_stack_set_visible_child_name (self->profiles_stack, "empty");
}

static void
on_search_changed (SondeSidebar *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty (self);
}

/* Enter in the search connects to the first match. */
static void
on_search_activate (SondeSidebar *self)
{
  g_autoptr(SondeProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);

  if (profile != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.connect-profile", "s",
                                sonde_profile_get_id (profile));
}

static void
on_profile_activate (SondeSidebar *self,
                     guint         position)
{
  g_autoptr(SondeProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (profile != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.connect-profile", "s",
                                sonde_profile_get_id (profile));
}

static GMenuModel *
profile_menu (SondeProfile *profile)
{
  static const struct {
    const char *label;
    const char *action;
  } items[] = {
    { N_("_Connect"), "win.connect-profile" },
    { N_("_Edit…"), "win.edit-profile" },
    { N_("D_uplicate"), "win.duplicate-profile" },
    { N_("E_xport…"), "win.export-profile" },
    { N_("_History"), "win.profile-history" },
    { N_("_Delete"), "win.delete-profile" },
  };
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);

      g_menu_item_set_action_and_target (item, items[i].action, "s", sonde_profile_get_id (profile));
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}

static void
setup_profile_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *url = gtk_label_new (NULL);
  GtkWidget *menu = gtk_menu_button_new ();

  gtk_widget_set_hexpand (labels, TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (url), 0);
  gtk_label_set_ellipsize (GTK_LABEL (url), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (url, "dim-label");
  gtk_widget_add_css_class (url, "caption");
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), url);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "view-more-symbolic");
  gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu, "flat");
  gtk_widget_set_tooltip_text (menu, _("Profile actions"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Profile actions"), -1);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), menu);
  gtk_list_item_set_child (item, box);
}

static void
bind_profile_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  SondeProfile *profile = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *labels = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_first_child (labels);
  GtkWidget *url = gtk_widget_get_next_sibling (name);
  GtkWidget *menu = gtk_widget_get_next_sibling (labels);
  g_autoptr(GMenuModel) model = profile_menu (profile);
  const char *title = sonde_profile_get_name (profile);

  gtk_label_set_label (GTK_LABEL (name), title && *title ? title : _("Unnamed profile"));
  gtk_label_set_label (GTK_LABEL (url), sonde_profile_get_url (profile));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu), model);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

/* A row of the open list: [●] title … state [unread] */
static void
update_open_row (GtkWidget *row)
{
  AdwTabPage *tab = g_object_get_data (G_OBJECT (row), "tab");
  GtkWidget *child = adw_tab_page_get_child (tab);
  SondeConnectionPage *page;
  GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  GtkWidget *dot = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_next_sibling (dot);
  GtkWidget *unread = gtk_widget_get_next_sibling (title);
  SondeConnectionState connection_state;
  const char *state = NULL;
  guint n_unread;
  g_autofree char *unread_text = NULL;
  g_autofree char *a11y = NULL;

  /* A History tab, or a recorded session: its title, no state. */
  if (!SONDE_IS_CONNECTION_PAGE (child))
    {
      gtk_label_set_label (GTK_LABEL (dot), "◷");
      gtk_widget_set_tooltip_text (dot, NULL);
      gtk_label_set_label (GTK_LABEL (title), adw_tab_page_get_title (tab));
      gtk_widget_set_visible (unread, FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      adw_tab_page_get_title (tab), -1);
      return;
    }

  page = SONDE_CONNECTION_PAGE (child);
  connection_state = sonde_connection_get_state (sonde_connection_page_get_connection (page));
  n_unread = sonde_connection_page_get_n_unread (page);
  unread_text = g_strdup_printf ("%u", n_unread);
  sonde_state_describe (connection_state, &state, NULL, NULL);
  a11y = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s, %u unread message",
                                       "%s, %s, %u unread messages", n_unread),
                          sonde_connection_page_get_title (page), state, n_unread);
  sonde_state_set_css_class (dot, connection_state);
  gtk_widget_set_tooltip_text (dot, state);

  gtk_label_set_label (GTK_LABEL (title), sonde_connection_page_get_title (page));
  gtk_label_set_label (GTK_LABEL (unread), unread_text);
  gtk_widget_set_visible (unread, n_unread > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static GtkWidget *
create_open_row (gpointer item,
                 gpointer user_data)
{
  AdwTabPage *tab = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *dot = gtk_label_new ("●");
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *unread = gtk_label_new (NULL);

  gtk_widget_add_css_class (dot, "sonde-state");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (unread, "sonde-unread");
  gtk_widget_add_css_class (unread, "numeric");

  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), unread);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "tab", g_object_ref (tab), g_object_unref);
  update_open_row (row);
  /* A History tab gets its title after it was added: the row follows. */
  g_signal_connect_object (tab, "notify::title", G_CALLBACK (update_open_row), row, G_CONNECT_SWAPPED);
  return row;
}

static void
sync_open_selection (SondeSidebar *self)
{
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->open_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && g_object_get_data (G_OBJECT (row), "tab") == selected)
        {
          gtk_list_box_select_row (self->open_list, GTK_LIST_BOX_ROW (row));
          return;
        }
    }
}

static void
on_open_row_activated (SondeSidebar  *self,
                       GtkListBoxRow *row)
{
  AdwTabPage *tab = g_object_get_data (G_OBJECT (row), "tab");

  if (tab != NULL)
    adw_tab_view_set_selected_page (self->tab_view, tab);
}

static gboolean
on_refresh (gpointer data)
{
  sonde_sidebar_refresh (data);
  return G_SOURCE_CONTINUE;
}

static void
sonde_sidebar_map (GtkWidget *widget)
{
  SondeSidebar *self = SONDE_SIDEBAR (widget);

  GTK_WIDGET_CLASS (sonde_sidebar_parent_class)->map (widget);

  sonde_sidebar_refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_MS, on_refresh, self);
}

static void
sonde_sidebar_unmap (GtkWidget *widget)
{
  SondeSidebar *self = SONDE_SIDEBAR (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  GTK_WIDGET_CLASS (sonde_sidebar_parent_class)->unmap (widget);
}

static void
sonde_sidebar_constructed (GObject *object)
{
  SondeSidebar *self = (SondeSidebar *) object;
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  G_OBJECT_CLASS (sonde_sidebar_parent_class)->constructed (object);

  self->filter = gtk_custom_filter_new (filter_profile, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_profile_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_profile_row), self);
  gtk_list_view_set_factory (self->profile_list, factory);
  gtk_list_view_set_model (self->profile_list, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_empty), self, G_CONNECT_SWAPPED);
  update_empty (self);

  gtk_list_box_bind_model (self->open_list, G_LIST_MODEL (adw_tab_view_get_pages (self->tab_view)),
                           create_open_row, self, NULL);
  g_signal_connect_object (self->tab_view, "notify::selected-page",
                           G_CALLBACK (sync_open_selection), self, G_CONNECT_SWAPPED);
}

static void
sonde_sidebar_dispose (GObject *object)
{
  SondeSidebar *self = (SondeSidebar *) object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->profile_list != NULL)
    gtk_list_view_set_model (self->profile_list, NULL);
  if (self->open_list != NULL)
    gtk_list_box_bind_model (self->open_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), SONDE_TYPE_SIDEBAR);
  /* Template children without an id are not cleared by the above. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_object (&self->tab_view);

  G_OBJECT_CLASS (sonde_sidebar_parent_class)->dispose (object);
}

static void
sonde_sidebar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SondeSidebar *self = SONDE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TAB_VIEW:
      g_value_set_object (value, self->tab_view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_sidebar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SondeSidebar *self = SONDE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_TAB_VIEW:
      self->tab_view = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_sidebar_class_init (SondeSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sonde_sidebar_constructed;
  object_class->dispose = sonde_sidebar_dispose;
  object_class->get_property = sonde_sidebar_get_property;
  object_class->set_property = sonde_sidebar_set_property;

  widget_class->map = sonde_sidebar_map;
  widget_class->unmap = sonde_sidebar_unmap;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SONDE_TYPE_PROFILE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TAB_VIEW] =
    g_param_spec_object ("tab-view", NULL, NULL, ADW_TYPE_TAB_VIEW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/sonde-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, profiles_stack);
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, profile_list);
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, empty_label);
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, open_heading);
  gtk_widget_class_bind_template_child (widget_class, SondeSidebar, open_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_open_row_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sondesidebar");
}

static void
sonde_sidebar_init (SondeSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
}

GtkWidget *
sonde_sidebar_new (SondeProfileStore *store,
                   AdwTabView        *tab_view)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (ADW_IS_TAB_VIEW (tab_view), NULL);

  return g_object_new (SONDE_TYPE_SIDEBAR, "store", store, "tab-view", tab_view, NULL);
}

void
sonde_sidebar_focus_search (SondeSidebar *self)
{
  g_return_if_fail (SONDE_IS_SIDEBAR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* The profiles the search lets through, in order. */
GListModel *
sonde_sidebar_get_shown_profiles (SondeSidebar *self)
{
  g_return_val_if_fail (SONDE_IS_SIDEBAR (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

SondeProfile *
sonde_sidebar_get_selected_profile (SondeSidebar *self)
{
  g_return_val_if_fail (SONDE_IS_SIDEBAR (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

/* Reads the open connections' states and unread counts again. */
void
sonde_sidebar_refresh (SondeSidebar *self)
{
  g_return_if_fail (SONDE_IS_SIDEBAR (self));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->open_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && g_object_get_data (G_OBJECT (row), "tab") != NULL)
        update_open_row (row);
    }
  sync_open_selection (self);
}
