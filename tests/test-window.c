/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>

#include "turnout-application.h"
#include "turnout-contacts-pane.h"
#include "turnout-events-pane.h"
#include "turnout-import-dialog.h"
#include "turnout-preferences-window.h"
#include "turnout-segments-pane.h"
#include "turnout-templates-pane.h"
#include "turnout-campaigns-pane.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"
#include "turnout-window.h"

/*
 * The application shell as a user meets it: the window and its panes, the
 * pane shortcuts, the state kept between runs, Preferences and the page
 * shown when the database cannot be opened. Runs under Xvfb; every wait
 * spins the main loop until a condition holds and fails after a timeout.
 */

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


/* Widget tree helpers --------------------------------------------------- */

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
is_sidebar (GtkWidget     *widget,
            gconstpointer  data)
{
  /* The panes have sidebars of their own; this is the window's. */
  return GTK_IS_LIST_BOX (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar")
         && has_name (widget, "pane-sidebar");
}

static gboolean
is_pane_stack (GtkWidget     *widget,
               gconstpointer  data)
{
  return GTK_IS_STACK (widget) &&
         gtk_stack_get_child_by_name (GTK_STACK (widget), "dashboard") != NULL;
}

static gboolean
is_status_page_titled (GtkWidget     *widget,
                       gconstpointer  data)
{
  return ADW_IS_STATUS_PAGE (widget) &&
         g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), data) == 0;
}

static int
count_rows (GtkListBox *list)
{
  int n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;
  return n;
}

/* Destroys a window and checks that nothing else holds it. */
static void
destroy_window (gpointer window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_until (G_OBJECT (window)->ref_count == 1);
  g_assert_finalize_object (window);
}


/* A notification server on the test's private bus ------------------------ */

static guint notifications_sent;
static char *last_notification;
static GDBusConnection *notification_bus;  /* owned: the name lives as long as it */

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "  <method name='Notify'>"
  "    <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "    <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "    <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "    <arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "  <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "  <method name='GetServerInformation'>"
  "    <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "  </method>"
  "</interface></node>";

static void
on_notifications_call_cb (GDBusConnection       *connection,
                          const char            *sender,
                          const char            *object_path,
                          const char            *interface_name,
                          const char            *method_name,
                          GVariant              *parameters,
                          GDBusMethodInvocation *invocation,
                          gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      g_free (last_notification);
      g_variant_get_child (parameters, 3, "s", &last_notification);
      notifications_sent++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications_sent));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char * const caps[] = { "body", "actions", NULL };
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "turnout", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call_cb, NULL, NULL };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  GDBusConnection *bus;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  turnout_test_bus_start ();
  bus = notification_bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);
}

/* The application ------------------------------------------------------- */

/* A test body, run while the application runs, once its store has opened or
 * failed to; it may leave windows open. */
typedef void (*ApplicationTest) (TurnoutApplication *application);

static TurnoutWindow *
get_window (TurnoutApplication *application)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL;
       l = l->next)
    if (TURNOUT_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
on_application_activate_cb (TurnoutApplication *application,
                            gpointer            user_data)
{
  ApplicationTest test = user_data;
  GList *windows;

  /* Only the first activation runs the test; a test may activate again. */
  g_signal_handlers_disconnect_by_func (application, on_application_activate_cb, user_data);

  spin_until (turnout_application_get_settings (application) != NULL ||
              turnout_application_get_store_error (application) != NULL);
  test (application);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (application))) != NULL)
    destroy_window (windows->data);
  /* Turnout holds itself while it runs in the background: quit as the
   * user would, so g_application_run() returns. */
  g_application_quit (G_APPLICATION (application));
}

/* Runs @test inside g_application_run(), which returns once the last window
 * is gone, and checks that the application is then freed. */
static void
run_application_test (ApplicationTest test)
{
  TurnoutApplication *application;

  /* Non-unique: the test owns no bus name and forwards to no other instance. */
  application = g_object_new (TURNOUT_TYPE_APPLICATION,
                              "application-id", APPLICATION_ID,
                              "flags", G_APPLICATION_NON_UNIQUE,
                              NULL);
  g_signal_connect_after (application, "activate", G_CALLBACK (on_application_activate_cb),
                          test);
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 0, NULL), ==, 0);
  g_assert_finalize_object (application);
}

static void
check_window_panes (TurnoutApplication *application)
{
  TurnoutWindow *window = get_window (application);
  GtkWidget *sidebar, *stack;
  g_autoptr(GtkSelectionModel) pages = NULL;

  g_assert_nonnull (window);
  g_assert_null (turnout_application_get_store_error (application));
  g_assert_nonnull (turnout_application_get_store (application));
  g_assert_cmpstr (turnout_store_get_path (turnout_application_get_store (application)), ==,
                   g_getenv ("TURNOUT_DB"));
  g_assert_true (g_file_test (g_getenv ("TURNOUT_DB"), G_FILE_TEST_IS_REGULAR));
  spin_until (gtk_widget_get_mapped (GTK_WIDGET (window)));

  sidebar = find_widget (GTK_WIDGET (window), is_sidebar, NULL);
  g_assert_nonnull (sidebar);
  g_assert_true (gtk_widget_get_mapped (sidebar));
  g_assert_cmpint (count_rows (GTK_LIST_BOX (sidebar)), ==, G_N_ELEMENTS (pane_ids));

  stack = find_widget (GTK_WIDGET (window), is_pane_stack, NULL);
  g_assert_nonnull (stack);
  pages = gtk_stack_get_pages (GTK_STACK (stack));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (pane_ids));

  for (guint i = 0; i < G_N_ELEMENTS (pane_ids); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkStackPage *page = GTK_STACK_PAGE (item);
      GtkWidget *child = gtk_stack_page_get_child (page);
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), i);
      GtkWidget *label = find_type (GTK_WIDGET (row), GTK_TYPE_LABEL);
      GtkWidget *image = find_type (GTK_WIDGET (row), GTK_TYPE_IMAGE);
      const char *icon = gtk_stack_page_get_icon_name (page);

      g_assert_cmpstr (gtk_stack_page_get_name (page), ==, pane_ids[i]);

      /* A filled pane is its own widget, tied to the application's store… */
      if (g_str_equal (pane_ids[i], "contacts"))
        {
          g_assert_true (TURNOUT_IS_CONTACTS_PANE (child));
          g_assert_true (turnout_contacts_pane_get_store (TURNOUT_CONTACTS_PANE (child)) ==
                         turnout_application_get_store (application));
          g_assert_true (turnout_contacts_pane_get_settings (TURNOUT_CONTACTS_PANE (child)) ==
                         turnout_application_get_settings (application));
        }
      else if (g_str_equal (pane_ids[i], "events"))
        {
          g_assert_true (TURNOUT_IS_EVENTS_PANE (child));
          g_assert_true (turnout_events_pane_get_store (TURNOUT_EVENTS_PANE (child)) ==
                         turnout_application_get_store (application));
          g_assert_true (turnout_events_pane_get_settings (TURNOUT_EVENTS_PANE (child)) ==
                         turnout_application_get_settings (application));
        }
      else if (g_str_equal (pane_ids[i], "templates"))
        {
          g_assert_true (TURNOUT_IS_TEMPLATES_PANE (child));
          g_assert_true (turnout_templates_pane_get_store (TURNOUT_TEMPLATES_PANE (child)) ==
                         turnout_application_get_store (application));
          g_assert_true (turnout_templates_pane_get_settings (TURNOUT_TEMPLATES_PANE (child)) ==
                         turnout_application_get_settings (application));
        }
      else if (g_str_equal (pane_ids[i], "campaigns"))
        {
          g_assert_true (TURNOUT_IS_CAMPAIGNS_PANE (child));
          g_assert_true (turnout_campaigns_pane_get_store (TURNOUT_CAMPAIGNS_PANE (child)) ==
                         turnout_application_get_store (application));
          g_assert_true (turnout_campaigns_pane_get_settings (TURNOUT_CAMPAIGNS_PANE (child)) ==
                         turnout_application_get_settings (application));
        }
      else if (g_str_equal (pane_ids[i], "segments"))
        {
          g_assert_true (TURNOUT_IS_SEGMENTS_PANE (child));
          g_assert_true (turnout_segments_pane_get_store (TURNOUT_SEGMENTS_PANE (child)) ==
                         turnout_application_get_store (application));
          g_assert_true (turnout_segments_pane_get_settings (TURNOUT_SEGMENTS_PANE (child)) ==
                         turnout_application_get_settings (application));
        }
      else
        {
          /* …until then, it says honestly what will be there. */
          g_assert_true (ADW_IS_STATUS_PAGE (child));
          g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child)), ==,
                           gtk_stack_page_get_title (page));
          g_assert_true (g_str_has_suffix (
            adw_status_page_get_description (ADW_STATUS_PAGE (child)), "here."));
          g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (child)), ==, icon);
        }
      g_assert_true (gtk_icon_theme_has_icon (
        gtk_icon_theme_get_for_display (gtk_widget_get_display (child)), icon));

      /* Each row names its pane, with the pane's icon, and takes the focus. */
      g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==,
                       gtk_stack_page_get_title (page));
      g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==, icon);
      g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (row)));
      g_assert_true (g_str_has_suffix (icon, "-symbolic"));
    }

}

static void
test_window_panes (void)
{
  run_application_test (check_window_panes);
}

static GtkShortcut *
find_pane_shortcut (GtkWidget *widget,
                    guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == GDK_CONTROL_MASK)
            return g_steal_pointer (&shortcut);
        }
    }
  return NULL;
}

static void
check_window_pane_actions (TurnoutApplication *application)
{
  TurnoutWindow *window = get_window (application);
  GtkListBox *sidebar;

  spin_until (gtk_widget_get_mapped (GTK_WIDGET (window)));
  sidebar = GTK_LIST_BOX (find_widget (GTK_WIDGET (window), is_sidebar, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (pane_ids); i++)
    {
      guint other = (i + 1) % G_N_ELEMENTS (pane_ids);
      g_autoptr(GtkShortcut) shortcut = NULL;
      GtkWidget *page;

      /* The action… */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-pane", "s",
                                                 pane_ids[i]));
      g_assert_cmpstr (turnout_window_get_pane (window), ==, pane_ids[i]);
      g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (sidebar)), ==,
                       i);
      page = find_widget (GTK_WIDGET (window), is_pane_stack, NULL);
      page = gtk_stack_get_visible_child (GTK_STACK (page));
      spin_until (gtk_widget_get_mapped (page));

      /* …and Ctrl+1…9, from another pane. */
      turnout_window_set_pane (window, pane_ids[other]);
      g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (sidebar)), ==,
                       other);
      shortcut = find_pane_shortcut (GTK_WIDGET (window), GDK_KEY_1 + i);
      g_assert_nonnull (shortcut);
      g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                   GTK_WIDGET (window),
                                                   gtk_shortcut_get_arguments (shortcut)));
      g_assert_cmpstr (turnout_window_get_pane (window), ==, pane_ids[i]);
      g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (sidebar)), ==,
                       i);
    }

  /* Choosing a row shows its pane. */
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 3));
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "segments");

  /* The window's property, and an unknown ID shows the dashboard. */
  g_object_set (window, "pane", "events", NULL);
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "events");
  turnout_window_set_pane (window, "no-such-pane");
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "dashboard");
}

static void
test_window_pane_actions (void)
{
  run_application_test (check_window_pane_actions);
}

static void
check_window_state (TurnoutApplication *application)
{
  g_autoptr(GSettings) state = g_settings_new (BASE_APPLICATION_ID);
  TurnoutWindow *window = get_window (application);
  int width, height;

  /* Restored from the last run… */
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "templates");

  /* …saved as it changes (the pane) and on closing (the size)… */
  spin_until (gtk_widget_get_mapped (GTK_WIDGET (window)));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-pane", "s", "campaigns");
  {
    g_autofree char *last_pane = g_settings_get_string (state, "last-pane");

    g_assert_cmpstr (last_pane, ==, "campaigns");
  }
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_close (GTK_WINDOW (window));
  spin_until (get_window (application) == NULL);
  g_assert_cmpint (g_settings_get_int (state, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (state, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (state, "window-maximized"));

  /* …and restored by the next window. */
  g_application_activate (G_APPLICATION (application));
  window = get_window (application);
  g_assert_nonnull (window);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 700);
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "campaigns");
  destroy_window (window);

  /* A pane this version does not know opens the dashboard. */
  g_settings_set_string (state, "last-pane", "no-such-pane");
  g_application_activate (G_APPLICATION (application));
  g_assert_cmpstr (turnout_window_get_pane (get_window (application)), ==, "dashboard");
}

static void
test_window_state (void)
{
  g_autoptr(GSettings) state = g_settings_new (BASE_APPLICATION_ID);

  g_settings_set_int (state, "window-width", 900);
  g_settings_set_int (state, "window-height", 640);
  g_settings_set_string (state, "last-pane", "templates");

  run_application_test (check_window_state);

  g_settings_reset (state, "window-width");
  g_settings_reset (state, "window-height");
  g_settings_reset (state, "last-pane");
}

/* Preferences ----------------------------------------------------------- */

static char *
dup_stored (TurnoutStore *store,
            const char   *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSettings) fresh = turnout_settings_new (store, &error);

  g_assert_no_error (error);
  return turnout_settings_dup_string (fresh, key);
}

static gboolean
is_stored (TurnoutStore *store,
           const char   *key,
           const char   *value)
{
  g_autofree char *stored = dup_stored (store, key);

  return g_strcmp0 (stored, value) == 0;
}

static const char *
expected_page (const char *area)
{
  if (g_str_equal (area, "general") || g_str_equal (area, "contacts"))
    return "general";
  if (g_str_equal (area, "twilio"))
    return "twilio";
  if (g_str_equal (area, "smtp") || g_str_equal (area, "email"))
    return "email";
  if (g_str_equal (area, "sms") || g_str_equal (area, "mms") || g_str_equal (area, "delivery"))
    return "sending";
  if (g_str_equal (area, "background"))
    return "background";
  g_assert_not_reached ();
}

static GtkWidget *
find_row (GtkWidget  *preferences,
          const char *key)
{
  GtkWidget *row = find_widget (preferences, has_name, key);

  g_assert_nonnull (row);
  return row;
}

static void
test_preferences_rows (void)
{
  g_autofree char *path = turnout_test_tmp_path ("preferences.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  TurnoutPreferencesWindow *preferences;
  const TurnoutSettingSpec *specs;
  guint n_specs;

  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  /* Without settings (the store failed), every row is there but insensitive. */
  preferences = turnout_preferences_window_new (NULL);
  gtk_window_present (GTK_WINDOW (preferences));
  specs = turnout_setting_specs (&n_specs);
  for (guint i = 0; i < n_specs; i++)
    g_assert_false (gtk_widget_get_sensitive (find_row (GTK_WIDGET (preferences), specs[i].key)));

  turnout_preferences_window_set_settings (preferences, settings);
  g_assert_true (turnout_preferences_window_get_settings (preferences) == settings);

  for (guint i = 0; i < n_specs; i++)
    {
      const TurnoutSettingSpec *spec = &specs[i];
      GtkWidget *row = find_row (GTK_WIDGET (preferences), spec->key);
      GtkWidget *page = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_PAGE);
      g_autofree char *area = turnout_setting_spec_dup_area (spec);
      g_autofree char *value = turnout_settings_dup_string (settings, spec->key);

      g_assert_true (gtk_widget_get_sensitive (row));
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                       g_dgettext (GETTEXT_PACKAGE, spec->title));
      g_assert_nonnull (page);
      g_assert_cmpstr (adw_preferences_page_get_name (ADW_PREFERENCES_PAGE (page)), ==,
                       expected_page (area));

      switch (spec->kind)
        {
        case TURNOUT_SETTING_STRING:
          if (spec->multiline)
            g_assert_nonnull (find_type (row, GTK_TYPE_TEXT_VIEW));
          else
            {
              g_assert_true (ADW_IS_ENTRY_ROW (row));
              g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, value);
            }
          break;

        case TURNOUT_SETTING_INT:
        case TURNOUT_SETTING_DOUBLE:
          {
            GtkWidget *spin_button = find_type (row, GTK_TYPE_SPIN_BUTTON);
            GtkAdjustment *adjustment;

            g_assert_nonnull (spin_button);
            adjustment = gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin_button));
            g_assert_cmpfloat (gtk_adjustment_get_lower (adjustment), ==, spec->min);
            g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, spec->max);
            g_assert_cmpfloat_with_epsilon (
              gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin_button)),
              g_ascii_strtod (value, NULL), 1e-9);
          }
          break;

        case TURNOUT_SETTING_BOOLEAN:
          {
            GtkWidget *switch_ = find_type (row, GTK_TYPE_SWITCH);

            g_assert_nonnull (switch_);
            g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (switch_)), ==,
                             g_str_equal (value, "true"));
          }
          break;

        case TURNOUT_SETTING_CHOICE:
          {
            GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));

            g_assert_true (ADW_IS_COMBO_ROW (row));
            g_assert_cmpuint (g_list_model_get_n_items (model), ==,
                              g_strv_length ((GStrv) spec->choices));
            g_assert_cmpstr (spec->choices[adw_combo_row_get_selected (ADW_COMBO_ROW (row))], ==,
                             value);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  destroy_window (preferences);
  g_assert_finalize_object (g_steal_pointer (&settings));
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_preferences_edit (void)
{
  g_autofree char *path = turnout_test_tmp_path ("preferences-edit.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  TurnoutPreferencesWindow *preferences;
  GtkWidget *row, *widget;
  GtkTextBuffer *buffer;

  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  preferences = turnout_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (preferences));

  /* A text is checked, stored, and shown as stored. */
  row = find_row (GTK_WIDGET (preferences), "twilio.from");
  gtk_editable_set_text (GTK_EDITABLE (row), " +15551234567 ");
  g_signal_emit_by_name (row, "apply");
  spin_until (is_stored (store, "twilio.from", "+15551234567"));
  spin_until (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (row)), "+15551234567"));
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  /* A wrong one is refused, marked and explained, and the entry keeps it
   * for correcting. */
  gtk_editable_set_text (GTK_EDITABLE (row), "555 1234");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_true (g_str_has_prefix (gtk_widget_get_tooltip_text (row),
                                   "A sender number is written in international form"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "555 1234");
  g_assert_true (is_stored (store, "twilio.from", "+15551234567"));
  gtk_editable_set_text (GTK_EDITABLE (row), "+1555");
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  /* Normalized values are shown as the registry stores them. */
  row = find_row (GTK_WIDGET (preferences), "general.currency");
  gtk_editable_set_text (GTK_EDITABLE (row), "eur");
  g_signal_emit_by_name (row, "apply");
  spin_until (is_stored (store, "general.currency", "EUR"));
  spin_until (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (row)), "EUR"));

  /* Numbers, switches and choices. */
  widget = find_type (find_row (GTK_WIDGET (preferences), "smtp.port"), GTK_TYPE_SPIN_BUTTON);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 465);
  spin_until (is_stored (store, "smtp.port", "465"));

  widget = find_type (find_row (GTK_WIDGET (preferences), "sms.rate"), GTK_TYPE_SPIN_BUTTON);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 2.5);
  spin_until (is_stored (store, "sms.rate", "2.5"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget)), ==, "2.5");

  widget = find_type (find_row (GTK_WIDGET (preferences), "background.autostart"),
                      GTK_TYPE_SWITCH);
  gtk_switch_set_active (GTK_SWITCH (widget), TRUE);
  spin_until (is_stored (store, "background.autostart", "true"));

  row = find_row (GTK_WIDGET (preferences), "smtp.security");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 1);
  spin_until (is_stored (store, "smtp.security", "tls"));

  /* Quick changes end with the last one stored. */
  widget = find_type (find_row (GTK_WIDGET (preferences), "smtp.connections"),
                      GTK_TYPE_SPIN_BUTTON);
  for (int n = 3; n <= 9; n++)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), n);
  spin_until (is_stored (store, "smtp.connections", "9"));
  spin_until (turnout_settings_get_int (settings, "smtp.connections") == 9);

  /* The postal address spans lines and is applied with its button. */
  row = find_row (GTK_WIDGET (preferences), "email.postal_address");
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_type (row, GTK_TYPE_TEXT_VIEW)));
  widget = find_type (row, GTK_TYPE_BUTTON);
  g_assert_false (gtk_widget_get_sensitive (widget));
  gtk_text_buffer_insert_at_cursor (buffer, "Turnout Presents\n1 Main Street\nSpringfield", -1);
  g_assert_true (gtk_widget_get_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
  spin_until (is_stored (store, "email.postal_address",
                         "Turnout Presents\n1 Main Street\nSpringfield"));
  spin_until (!gtk_widget_get_sensitive (widget));

  /* A change made elsewhere shows up. */
  turnout_settings_set (settings, "smtp.host", "MAIL.Example.com", &error);
  g_assert_no_error (error);
  row = find_row (GTK_WIDGET (preferences), "smtp.host");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "mail.example.com");
  turnout_settings_set (settings, "background.enabled", "false", &error);
  g_assert_no_error (error);
  widget = find_type (find_row (GTK_WIDGET (preferences), "background.enabled"), GTK_TYPE_SWITCH);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (widget)));
  /* Showing it did not write it back as an edit. */
  g_assert_true (is_stored (store, "background.enabled", "false"));

  destroy_window (preferences);
  g_assert_finalize_object (g_steal_pointer (&settings));
  g_assert_finalize_object (g_steal_pointer (&store));
}

static TurnoutPreferencesWindow *
find_preferences (TurnoutApplication *application)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL;
       l = l->next)
    if (TURNOUT_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
check_application_dialogs (TurnoutApplication *application)
{
  TurnoutWindow *window = get_window (application);
  TurnoutPreferencesWindow *preferences;
  AdwAboutWindow *about = NULL;
  g_autofree char *accel = NULL;
  g_auto(GStrv) accels = NULL;

  /* app.preferences opens one Preferences window on the application's
   * settings, over the main window. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = find_preferences (application);
  g_assert_nonnull (preferences);
  g_assert_true (turnout_preferences_window_get_settings (preferences) ==
                 turnout_application_get_settings (application));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (window));
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (application))),
                    ==, 2);
  destroy_window (preferences);

  /* Ctrl+I opens the import dialog on the application's store, over the
   * main window. */
  {
    TurnoutImportDialog *import = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import", NULL));
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL;
         l = l->next)
      if (TURNOUT_IS_IMPORT_DIALOG (l->data))
        import = l->data;
    g_assert_nonnull (import);
    g_assert_true (turnout_import_dialog_get_store (import) ==
                   turnout_application_get_store (application));
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (import)) == GTK_WINDOW (window));
    destroy_window (import);
  }

  /* app.about, from the metainfo, with the notes of this release. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL;
       l = l->next)
    if (ADW_IS_ABOUT_WINDOW (l->data))
      about = l->data;
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Turnout");
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APPLICATION_ID);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Turnout developers");
  g_assert_cmpstr (adw_about_window_get_website (about), ==,
                   "https://github.com/turnoutapp/turnout");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==,
                   "https://github.com/turnoutapp/turnout/issues");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_nonnull (strstr (adw_about_window_get_release_notes (about),
                            "<p>The first release of Turnout.</p>"));
  g_assert_nonnull (strstr (adw_about_window_get_release_notes (about), "<li>"));
  destroy_window (about);

  /* The shortcuts of the issue, and the shortcuts window that lists them. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                  "app.preferences");
  g_assert_cmpstr (accels[0], ==, "<Control>comma");
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  /* app.quit closes the windows, and says nothing about running on. */
  notifications_sent = 0;
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
  spin_until (get_window (application) == NULL);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (notifications_sent, ==, 0);
}

static void
test_application_dialogs (void)
{
  run_application_test (check_application_dialogs);
}

/* Closing the window keeps Turnout running in the background ------------- */

static void
check_background_notice (TurnoutApplication *application)
{
  TurnoutWindow *window = get_window (application);

  g_assert_nonnull (window);
  spin_until (gtk_widget_get_mapped (GTK_WIDGET (window)));
  notifications_sent = 0;

  /* The last window closes; the application stays, and says so once. */
  gtk_window_close (GTK_WINDOW (window));
  spin_until (get_window (application) == NULL && notifications_sent == 1);
  g_assert_cmpstr (last_notification, ==, "Turnout Is Still Running");

  g_application_activate (G_APPLICATION (application));
  window = get_window (application);
  g_assert_nonnull (window);
  gtk_window_close (GTK_WINDOW (window));
  spin_until (get_window (application) == NULL);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (notifications_sent, ==, 1);
}

static void
test_background_notice (void)
{
  run_application_test (check_background_notice);
}

/* A file that is not a Turnout database ------------------------------------ */

static void
check_window_foreign_file (TurnoutApplication *application)
{
  TurnoutWindow *window = get_window (application);
  const GError *store_error;
  g_autofree char *escaped = NULL;
  GtkWidget *page, *sidebar;

  store_error = turnout_application_get_store_error (application);
  g_assert_error ((GError *) store_error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT);
  g_assert_null (turnout_application_get_store (application));
  g_assert_null (turnout_application_get_settings (application));

  /* The window says so instead of showing the panes. */
  page = find_widget (GTK_WIDGET (window), is_status_page_titled, "Can’t Open Your Contacts");
  g_assert_nonnull (page);
  spin_until (gtk_widget_get_mapped (page));
  escaped = g_markup_escape_text (store_error->message, -1);
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)), ==, escaped);
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (page)), ==,
                   "dialog-error-symbolic");
  sidebar = find_widget (GTK_WIDGET (window), is_sidebar, NULL);
  spin_until (!gtk_widget_get_mapped (sidebar));
  /* The pane shortcuts do nothing meanwhile. */
  turnout_window_set_pane (window, "dashboard");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-pane", "s", "contacts");
  g_assert_cmpstr (turnout_window_get_pane (window), ==, "dashboard");
  g_assert_true (gtk_widget_get_mapped (page));

  /* Preferences still open, with nothing to change. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  g_assert_nonnull (find_preferences (application));
  g_assert_false (gtk_widget_get_sensitive (find_row (GTK_WIDGET (find_preferences (application)),
                                                      "twilio.from")));
}

static void
test_window_foreign_file (void)
{
  g_autofree char *saved_db = g_strdup (g_getenv ("TURNOUT_DB"));
  g_autofree char *path = turnout_test_tmp_path ("not-turnout.db");
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  g_autoptr(GBytes) before = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "hello", 5, &error);
  g_assert_no_error (error);
  g_setenv ("TURNOUT_DB", path, TRUE);

  run_application_test (check_window_foreign_file);

  /* The file is exactly as it was, and nothing was made beside it. */
  after = turnout_test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  g_setenv ("TURNOUT_DB", saved_db, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  turnout_test_init (&argc, &argv);
  start_notification_server ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window/panes", test_window_panes);
  g_test_add_func ("/window/pane-actions", test_window_pane_actions);
  g_test_add_func ("/window/state", test_window_state);
  g_test_add_func ("/window/foreign-file", test_window_foreign_file);
  g_test_add_func ("/application/dialogs", test_application_dialogs);
  g_test_add_func ("/preferences/rows", test_preferences_rows);
  g_test_add_func ("/preferences/edit", test_preferences_edit);
  g_test_add_func ("/application/background-notice", test_background_notice);

  status = g_test_run ();
  g_free (last_notification);
  /* The bus goes away next: that must not end this process. */
  g_dbus_connection_set_exit_on_close (notification_bus, FALSE);
  turnout_test_bus_stop ();
  g_object_unref (notification_bus);
  return status;
}
