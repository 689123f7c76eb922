/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-window"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-contacts.h"
#include "turnout-contacts-pane.h"
#include "turnout-events-pane.h"
#include "turnout-segments-pane.h"
#include "turnout-templates-pane.h"
#include "turnout-campaigns-pane.h"
#include "turnout-import-dialog.h"
#include "turnout-settings.h"
#include "turnout-store.h"
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
  AdwToastOverlay      *toast_overlay;        /* template child */
  TurnoutContactsPane  *contacts_pane;        /* template child */
  TurnoutEventsPane    *events_pane;          /* template child */
  TurnoutSegmentsPane  *segments_pane;        /* template child */
  TurnoutTemplatesPane *templates_pane;       /* template child */
  TurnoutCampaignsPane *campaigns_pane;       /* template child */

  GBinding             *bindings[10];         /* application → the panes */
  GCancellable         *cancellable;          /* owned; exports in flight */
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

static TurnoutApplication *
get_turnout_application (TurnoutWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  return TURNOUT_IS_APPLICATION (application) ? TURNOUT_APPLICATION (application) : NULL;
}

static void
update_store_actions (TurnoutWindow *self)
{
  TurnoutApplication *application = get_turnout_application (self);
  gboolean ready = application != NULL && turnout_application_get_settings (application) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-contacts", ready);
}

static void
on_window_application_changed_cb (TurnoutWindow *self)
{
  TurnoutApplication *application = get_turnout_application (self);

  g_signal_group_set_target (self->application_signals, application);
  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  if (application != NULL)
    {
      self->bindings[0] = g_object_bind_property (application, "store", self->events_pane, "store",
                                                  G_BINDING_SYNC_CREATE);
      self->bindings[1] = g_object_bind_property (application, "settings", self->events_pane,
                                                  "settings", G_BINDING_SYNC_CREATE);
      self->bindings[2] = g_object_bind_property (application, "store", self->contacts_pane,
                                                  "store", G_BINDING_SYNC_CREATE);
      self->bindings[3] = g_object_bind_property (application, "settings", self->contacts_pane,
                                                  "settings", G_BINDING_SYNC_CREATE);
      self->bindings[4] = g_object_bind_property (application, "store", self->segments_pane,
                                                  "store", G_BINDING_SYNC_CREATE);
      self->bindings[5] = g_object_bind_property (application, "settings", self->segments_pane,
                                                  "settings", G_BINDING_SYNC_CREATE);
      self->bindings[6] = g_object_bind_property (application, "store", self->templates_pane,
                                                  "store", G_BINDING_SYNC_CREATE);
      self->bindings[7] = g_object_bind_property (application, "settings", self->templates_pane,
                                                  "settings", G_BINDING_SYNC_CREATE);
      self->bindings[8] = g_object_bind_property (application, "store", self->campaigns_pane,
                                                  "store", G_BINDING_SYNC_CREATE);
      self->bindings[9] = g_object_bind_property (application, "settings", self->campaigns_pane,
                                                  "settings", G_BINDING_SYNC_CREATE);
    }
  update_store_error (self);
  update_store_actions (self);
}

static void
show_toast (TurnoutWindow *self,
            const char    *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_import_dialog_imported_cb (TurnoutWindow *self)
{
  turnout_contacts_pane_refresh (self->contacts_pane);
  turnout_events_pane_refresh (self->events_pane);
  turnout_segments_pane_refresh (self->segments_pane);
}

static void
turnout_window_import_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  TurnoutWindow *self = TURNOUT_WINDOW (widget);
  TurnoutApplication *application = get_turnout_application (self);
  TurnoutImportDialog *dialog;

  if (application == NULL || turnout_application_get_settings (application) == NULL)
    return;

  dialog = turnout_import_dialog_new (turnout_application_get_store (application),
                                      turnout_application_get_settings (application));
  /* New people and events show up in the panes at once. */
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_import_dialog_imported_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (application));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  TurnoutStore *store;
  GFile        *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->store);
  g_clear_object (&export->file);
  g_free (export);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GFileOutputStream) output = NULL;
  GError *error = NULL;
  gint64 written;

  /* Replaced on success only: a failed export leaves no half file. */
  output = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (output == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  written = turnout_contacts_export_csv (export->store, G_OUTPUT_STREAM (output), NULL,
                                         cancellable, &error);
  if (written < 0)
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (output), abandon, NULL);
      g_task_return_error (task, error);
      return;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, written);
}

static void
on_export_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TurnoutWindow *self = TURNOUT_WINDOW (object);
  g_autoptr(GError) error = NULL;
  gssize written = g_task_propagate_int (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not export contacts: %s"),
                                                error->message);
      show_toast (self, title);
    }
  else
    {
      g_autofree char *title =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'zd contact exported",
                                      "%'zd contacts exported", written),
                         written);
      show_toast (self, title);
    }
}

static void
on_export_chooser_response_cb (GtkNativeDialog *chooser,
                               int              response,
                               TurnoutWindow   *self)
{
  TurnoutApplication *application = get_turnout_application (self);

  if (response == GTK_RESPONSE_ACCEPT && application != NULL &&
      turnout_application_get_store (application) != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_export_done_cb, NULL);
      Export *export = g_new0 (Export, 1);

      export->store = g_object_ref (turnout_application_get_store (application));
      export->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_task_set_source_tag (task, on_export_chooser_response_cb);
      g_task_set_task_data (task, export, (GDestroyNotify) export_free);
      g_task_run_in_thread (task, export_worker);
    }
  g_object_unref (chooser);
}

static void
turnout_window_export_contacts_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  TurnoutWindow *self = TURNOUT_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Export All Contacts"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("contacts.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
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

  /* Contacts change in the other panes: counts are made again on arrival. */
  if (child == GTK_WIDGET (self->segments_pane)
      && turnout_segments_pane_get_store (self->segments_pane) != NULL)
    turnout_segments_pane_refresh (self->segments_pane);

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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
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

  g_type_ensure (TURNOUT_TYPE_CONTACTS_PANE);
  g_type_ensure (TURNOUT_TYPE_EVENTS_PANE);
  g_type_ensure (TURNOUT_TYPE_SEGMENTS_PANE);
  g_type_ensure (TURNOUT_TYPE_TEMPLATES_PANE);
  g_type_ensure (TURNOUT_TYPE_CAMPAIGNS_PANE);

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
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, contacts_pane);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, events_pane);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, segments_pane);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, templates_pane);
  gtk_widget_class_bind_template_child (widget_class, TurnoutWindow, campaigns_pane);
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

  gtk_widget_class_install_action (widget_class, "win.import", NULL, turnout_window_import_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import",
                                       NULL);
  gtk_widget_class_install_action (widget_class, "win.export-contacts", NULL,
                                   turnout_window_export_contacts_action);
}

static void
turnout_window_init (TurnoutWindow *self)
{
  g_autoptr(GtkSelectionModel) pages = NULL;
  g_autofree char *last_pane = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

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
  g_signal_group_connect_object (self->application_signals, "notify::settings",
                                 G_CALLBACK (update_store_actions), self, G_CONNECT_SWAPPED);
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
