/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-window"

#include "config.h"

#include "turnout-window.h"

/*
 * The main window: a sidebar of panes and the pane shown, in a leaflet that
 * folds on narrow screens. The panes are pages of the GtkStack in the
 * template; the sidebar is built from the stack's pages, so a pane added
 * there gets its row. While the store cannot be opened, an error page takes
 * the place of the panes.
 */

/* In sidebar order; Ctrl+1 … Ctrl+9 show them. */
static const char * const pane_ids[] = {
  "dashboard",
  "contacts",
  "events",
  "segments",
  "templates",
  "campaigns",
  "automations",
  "send-log",
  "suppression",
};

struct _TurnoutWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *state;                /* owned; size and last pane */
  GSignalGroup         *application_signals;  /* owned */

  AdwLeaflet           *leaflet;              /* template child */
  GtkStack             *main_stack;           /* template child */
  GtkListBox           *sidebar_list;         /* template child */
  GtkStack             *pane_stack;           /* template child */
  AdwWindowTitle       *pane_title;           /* template child */
  AdwStatusPage        *error_page;           /* template child */
  GtkMenuButton        *primary_menu_button;  /* template child */
  GtkMenuButton        *error_menu_button;    /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutWindow, turnout_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PANE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_store_error (TurnoutWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  const GError *error = NULL;

  if (TURNOUT_IS_APPLICATION (application))
    error = turnout_application_get_store_error (TURNOUT_APPLICATION (application));

  if (error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
    }
  gtk_stack_set_visible_child_name (self->main_stack, error != NULL ? "error" : "panes");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-pane", error == NULL);
  /* F10 opens the menu of the page shown. */
  gtk_menu_button_set_primary (self->primary_menu_button, error == NULL);
  gtk_menu_button_set_primary (self->error_menu_button, error != NULL);
}

static void
on_application_store_error_changed_cb (TurnoutWindow *self)
{
  update_store_error (self);
}

static void
on_window_application_changed_cb (TurnoutWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  g_signal_group_set_target (self->application_signals,
                             TURNOUT_IS_APPLICATION (application) ? application : NULL);
  update_store_error (self);
}

static GtkWidget *
create_sidebar_row (gpointer item,
                    gpointer user_data)
{
  GtkStackPage *page = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (gtk_stack_page_get_icon_name (page));
  GtkWidget *label = gtk_label_new (gtk_stack_page_get_title (page));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static int
find_page_index (TurnoutWindow *self,
                 GtkWidget     *child)
{
  g_autoptr(GtkSelectionModel) pages = gtk_stack_get_pages (self->pane_stack);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (pages));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      if (gtk_stack_page_get_child (GTK_STACK_PAGE (page)) == child)
        return (int) i;
    }
  return -1;
}

static void
on_pane_stack_visible_child_changed_cb (TurnoutWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->pane_stack);
  GtkListBoxRow *row;
  GtkStackPage *page;

  /* While the template is built (and the saved pane not yet restored) or
   * torn down, the pane shown is not the user's choice. */
  if (self->state == NULL || child == NULL)
    return;

  page = gtk_stack_get_page (self->pane_stack, child);
  adw_window_title_set_title (self->pane_title, gtk_stack_page_get_title (page));

  row = gtk_list_box_get_row_at_index (self->sidebar_list, find_page_index (self, child));
  if (row != NULL && gtk_list_box_get_selected_row (self->sidebar_list) != row)
    gtk_list_box_select_row (self->sidebar_list, row);

  g_settings_set_string (self->state, "last-pane", gtk_stack_page_get_name (page));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PANE]);
}

static void
on_sidebar_list_row_selected_cb (TurnoutWindow *self,
                                 GtkListBoxRow *row)
{
  g_autoptr(GtkSelectionModel) pages = NULL;
  g_autoptr(GObject) page = NULL;

  if (row == NULL)
    return;

  pages = gtk_stack_get_pages (self->pane_stack);
  page = g_list_model_get_item (G_LIST_MODEL (pages), gtk_list_box_row_get_index (row));
  if (page != NULL)
    gtk_stack_set_visible_child (self->pane_stack,
                                 gtk_stack_page_get_child (GTK_STACK_PAGE (page)));
}

static void
on_sidebar_list_row_activated_cb (TurnoutWindow *self,
                                  GtkListBoxRow *row)
{
  /* Selection follows the arrow keys; only a click or Enter leaves the
   * list when the window is folded. */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
on_leaflet_visible_child_changed_cb (TurnoutWindow *self)
{
  GtkListBoxRow *row;

  /* No state: the window is being built or torn down. */
  if (self->state == NULL)
    return;

  /* Back on the list of a folded window, the keyboard goes on from the pane
   * it left. */
  row = gtk_list_box_get_selected_row (self->sidebar_list);
  if (row != NULL && adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "sidebar") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
on_back_button_clicked_cb (TurnoutWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
turnout_window_show_pane_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  TurnoutWindow *self = TURNOUT_WINDOW (widget);

  turnout_window_set_pane (self, g_variant_get_string (parameter, NULL));
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static gboolean
turnout_window_close_request (GtkWindow *window)
{
  TurnoutWindow *self = TURNOUT_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);

  g_settings_set_boolean (self->state, "window-maximized", maximized);
  /* A maximized window keeps the size it had before, for when it is
   * unmaximized. */
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->state, "window-width", width);
      g_settings_set_int (self->state, "window-height", height);
    }

  return GTK_WINDOW_CLASS (turnout_window_parent_class)->close_request (window);
}

static void
turnout_window_dispose (GObject *object)
{
  TurnoutWindow *self = TURNOUT_WINDOW (object);

  g_clear_object (&self->application_signals);
  g_clear_object (&self->state);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_WINDOW);

  G_OBJECT_CLASS (turnout_window_parent_class)->dispose (object);
}

static void
turnout_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TurnoutWindow *self = TURNOUT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PANE:
      g_value_set_string (value, turnout_window_get_pane (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TurnoutWindow *self = TURNOUT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PANE:
      turnout_window_set_pane (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_window_class_init (TurnoutWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = turnout_window_dispose;
  object_class->get_property = turnout_window_get_property;
  object_class->set_property = turnout_window_set_property;

  window_class->close_request = turnout_window_close_request;

  /**
   * TurnoutWindow:pane:
   *
   * The ID of the pane shown, such as "contacts". Setting an unknown ID
   * shows the dashboard.
   */
  properties[PROP_PANE] =
    g_param_spec_string ("pane", NULL, NULL,
                         "dashboard",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, pane_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, pane_title);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, error_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_pane_stack_visible_child_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_visible_child_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.show-pane", "s",
                                   turnout_window_show_pane_action);
  for (guint i = 0; i < G_N_ELEMENTS (pane_ids); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                         "win.show-pane", "s", pane_ids[i]);
}

static void
turnout_window_init (TurnoutWindow *self)
{
  g_autoptr(GtkSelectionModel) pages = NULL;
  g_autofree char *last_pane = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  for (guint i = 0; i < G_N_ELEMENTS (pane_ids); i++)
    g_assert (gtk_stack_get_child_by_name (self->pane_stack, pane_ids[i]) != NULL);

  pages = gtk_stack_get_pages (self->pane_stack);
  gtk_list_box_bind_model (self->sidebar_list, G_LIST_MODEL (pages),
                           create_sidebar_row, NULL, NULL);

  self->application_signals = g_signal_group_new (TURNOUT_TYPE_APPLICATION);
  g_signal_group_connect_object (self->application_signals, "notify::store-error",
                                 G_CALLBACK (on_application_store_error_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_window_application_changed_cb),
                    NULL);

  self->state = g_settings_new (BASE_APPLICATION_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->state, "window-width"),
                               g_settings_get_int (self->state, "window-height"));
  if (g_settings_get_boolean (self->state, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  last_pane = g_settings_get_string (self->state, "last-pane");
  turnout_window_set_pane (self, last_pane);
  on_pane_stack_visible_child_changed_cb (self);
}

/**
 * turnout_window_new:
 *
 * Returns: (transfer full): a new main window of @application
 */
TurnoutWindow *
turnout_window_new (TurnoutApplication *application)
{
  g_return_val_if_fail (TURNOUT_IS_APPLICATION (application), NULL);

  return g_object_new (TURNOUT_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * turnout_window_get_pane:
 *
 * Returns: (transfer none): the ID of the pane shown, such as "contacts"
 */
const char *
turnout_window_get_pane (TurnoutWindow *self)
{
  g_return_val_if_fail (TURNOUT_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->pane_stack);
}

/**
 * turnout_window_set_pane:
 * @pane: a pane ID, such as "contacts"; an unknown one shows the dashboard
 *
 * Shows the pane, selects its row in the sidebar and remembers it for the
 * next start.
 */
void
turnout_window_set_pane (TurnoutWindow *self,
                         const char    *pane)
{
  g_return_if_fail (TURNOUT_IS_WINDOW (self));

  if (pane == NULL || gtk_stack_get_child_by_name (self->pane_stack, pane) == NULL)
    pane = pane_ids[0];

  gtk_stack_set_visible_child_name (self->pane_stack, pane);
}
