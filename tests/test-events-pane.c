/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-events-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-event-editor.h"
#include "turnout-events-pane.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The Events pane as a user meets it, standalone in a window: the events
 * of the store, newest first; an event's registrations; Confirm and Cancel
 * on a selection, shown in the list and stored with the clock's time; Mark
 * Attended before the event asks first; the editor refusing an end before
 * the start, saying so, and saving a right event that then shows in the
 * list; deleting an event says how many registrations go with it. Runs
 * under Xvfb; every wait spins the main loop until a condition holds and
 * fails after a timeout.
 */

/* 2026-05-01T12:00:00Z: the frozen clock of every test. */
#define NOW 1777636800
/* Sat 2 May 2026, 22:00 in Berlin: tomorrow night. */
#define WAREHOUSE_START 1777752000
#define SPRING_START 1776801600
#define JAZZ_START 1774177200
/* Mon 1 Jun 2026, 22:00 and 04:00 the next morning, in Berlin. */
#define SUMMER_START 1780344000
#define SUMMER_END 1780365600


/* The store ------------------------------------------------------------------ */

static void
exec_sql (TurnoutStore *store,
          const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  turnout_db_exec (db, sql, &error);
  g_assert_no_error (error);
  turnout_store_release (store, db);
}

static char *
query_text (TurnoutStore *store,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return text;
}

static gint64
query_int (TurnoutStore *store,
           const char   *sql)
{
  g_autofree char *text = query_text (store, sql);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static gboolean
status_is (TurnoutStore *store,
           const char   *last_name,
           const char   *status)
{
  g_autofree char *sql = g_strdup_printf ("SELECT r.status FROM registrations r"
                                          " JOIN contacts c ON c.id = r.contact_id"
                                          " WHERE r.event_id = 1 AND c.last_name = '%s'",
                                          last_name);
  g_autofree char *stored = query_text (store, sql);

  return g_strcmp0 (stored, status) == 0;
}

/* Three events: Warehouse Night tomorrow in Berlin with Ana (draft), Ben
 * (registered) and Cy (cancelled); Spring Rave ten days ago, which Ana
 * attended; Jazz Brunch in March, with no one. */
static TurnoutStore *
seeded_store (const char       *name,
              TurnoutSettings **settings)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  TurnoutStore *store;

  /* Before the store opens: the figures are computed as of its time. */
  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);

  sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, email, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', %d, %d),"
    "        (2, 'Ben', 'Ode', '+16505550101', NULL, %d, %d),"
    "        (3, 'Cy', 'Vale', NULL, 'cy@example.com', %d, %d);"
    "INSERT INTO events (id, name, starts_at, ends_at, time_zone, venue, city, created_at,"
    "                    updated_at)"
    " VALUES (1, 'Warehouse Night', %d, NULL, 'Europe/Berlin', 'Berghain', 'Berlin', %d, %d),"
    "        (2, 'Spring Rave', %d, NULL, 'UTC', 'Tresor', 'Berlin', %d, %d),"
    "        (3, 'Jazz Brunch', %d, NULL, 'UTC', 'Smalls', 'New York', %d, %d);"
    "INSERT INTO registrations (contact_id, event_id, status, amount, created_at,"
    "                           confirmed_at, cancelled_at, updated_at)"
    " VALUES (1, 1, 'draft', 2500, %d, NULL, NULL, %d),"
    "        (2, 1, 'registered', 3000, %d, %d, NULL, %d),"
    "        (3, 1, 'cancelled', 1000, %d, NULL, %d, %d),"
    "        (1, 2, 'attended', 2000, %d, %d, NULL, %d);",
    NOW, NOW, NOW, NOW, NOW, NOW,
    WAREHOUSE_START, NOW, NOW, SPRING_START, NOW, NOW, JAZZ_START, NOW, NOW,
    NOW - 9000, NOW - 9000, NOW - 9000, NOW - 8000, NOW - 8000, NOW - 9000, NOW - 7000,
    NOW - 7000, NOW - 90000, NOW - 80000, NOW - 80000);
  exec_sql (store, sql);

  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  return store;
}

/* The widgets ---------------------------------------------------------------- */

static guint
count_widgets (GtkWidget     *root,
               WidgetMatch    match,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (root, match, data, found);
  return found->len;
}

/* A label the user can see: mapped, saying exactly @data. */
static gboolean
is_shown_label (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_shown_label_containing (GtkWidget     *widget,
                           gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static gboolean
shows (GtkWidget  *root,
       const char *text)
{
  return find_widget (root, is_shown_label, text) != NULL;
}

static gboolean
shows_part (GtkWidget  *root,
            const char *text)
{
  return find_widget (root, is_shown_label_containing, text) != NULL;
}

static guint
count_shown (GtkWidget  *root,
             const char *text)
{
  return count_widgets (root, is_shown_label, text);
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
is_entry_row_titled (GtkWidget     *widget,
                     gconstpointer  data)
{
  return ADW_IS_ENTRY_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static void
set_row (GtkWidget  *editor,
         const char *title,
         const char *text)
{
  GtkWidget *row = find_widget (editor, is_entry_row_titled, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* The list of events: the list view shown as a sidebar (that of the Add
 * Registration popover is hidden until it pops up). */
static gboolean
is_event_list (GtkWidget     *widget,
               gconstpointer  data)
{
  return GTK_IS_LIST_VIEW (widget) && gtk_widget_get_mapped (widget) &&
         gtk_widget_has_css_class (widget, "navigation-sidebar");
}

static GtkSelectionModel *
event_list (GtkWidget *pane)
{
  GtkWidget *list = find_widget (pane, is_event_list, NULL);

  g_assert_nonnull (list);
  return gtk_list_view_get_model (GTK_LIST_VIEW (list));
}

static GtkSelectionModel *
registration_list (GtkWidget *pane)
{
  return gtk_column_view_get_model (GTK_COLUMN_VIEW (find_type (pane, GTK_TYPE_COLUMN_VIEW)));
}

static void
assert_event_at (GtkWidget  *pane,
                 guint       position,
                 const char *expected)
{
  g_autoptr(GObject) event = g_list_model_get_item (G_LIST_MODEL (event_list (pane)), position);
  g_autofree char *name = NULL;

  g_assert_nonnull (event);
  g_object_get (event, "name", &name, NULL);
  g_assert_cmpstr (name, ==, expected);
}

/* Runs the main loop for a while: for what must not happen. */
static void
spin_for (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;
  guint wake_id = g_timeout_add (10, turnout_test_wake_up_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
}

/* Selects the registrations of the people with these last names. */
static void
select_people (GtkWidget          *pane,
               const char * const *last_names)
{
  GtkSelectionModel *model = registration_list (pane);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  gtk_selection_model_unselect_all (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) registration = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *name = NULL;

      g_object_get (registration, "contact-name", &name, NULL);
      for (guint j = 0; last_names[j] != NULL; j++)
        if (g_str_has_suffix (name, last_names[j]))
          gtk_selection_model_select_item (model, i, FALSE);
    }
}

typedef struct
{
  TurnoutStore    *store;
  TurnoutSettings *settings;
  GtkWindow       *window;
  GtkWidget       *pane;     /* a reference of the test's own */
} Fixture;

static void
fixture_set_up (Fixture    *fixture,
                const char *db_name)
{
  fixture->store = seeded_store (db_name, &fixture->settings);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1200, 760);
  fixture->pane = g_object_ref (GTK_WIDGET (turnout_events_pane_new ()));
  g_object_set (fixture->pane, "store", fixture->store, "settings", fixture->settings, NULL);
  gtk_window_set_child (fixture->window, fixture->pane);
  gtk_window_present (fixture->window);

  /* The events, newest first, each with its counts. */
  spin_until (shows (fixture->pane, "Warehouse Night") && shows (fixture->pane, "Jazz Brunch"));
}

static void
fixture_tear_down (Fixture *fixture)
{
  g_object_ref (fixture->window);
  gtk_window_destroy (fixture->window);
  spin_until (G_OBJECT (fixture->window)->ref_count == 1);
  g_assert_finalize_object (fixture->window);
  turnout_test_finalize_object (fixture->pane);
  turnout_test_finalize_object (fixture->settings);
  turnout_test_finalize_object (fixture->store);
  turnout_clock_set_default (NULL);
}

/* Tests ------------------------------------------------------------------------ */

static void
test_list_and_status (void)
{
  Fixture fixture;
  GtkWidget *pane;
  AdwMessageDialog *dialog;

  fixture_set_up (&fixture, "status.db");
  pane = fixture.pane;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (event_list (pane))), ==, 3);
  assert_event_at (pane, 0, "Warehouse Night");
  assert_event_at (pane, 1, "Spring Rave");
  assert_event_at (pane, 2, "Jazz Brunch");
  g_assert_true (shows (pane, "1 registered · 0 attended"));
  g_assert_true (shows (pane, "0 registered · 1 attended"));
  g_assert_true (shows (pane, "Berghain · Berlin"));

  /* The first is shown: its start in its own zone, its registrations. */
  spin_until (shows (pane, "Cy Vale"));
  g_assert_true (shows (pane, "Sat 2 May 2026, 22:00 (Europe/Berlin)"));
  g_assert_true (shows (pane, "Ana Ruiz"));
  g_assert_true (shows (pane, "Ben Ode"));
  g_assert_true (shows (pane, "Draft"));
  g_assert_true (shows (pane, "25.00"));
  g_assert_true (shows (pane, "3 registrations"));

  /* Another event shows its own. */
  gtk_selection_model_select_item (event_list (pane), 1, TRUE);
  spin_until (shows (pane, "Attended") && !shows (pane, "Ben Ode"));
  g_assert_true (shows (pane, "1 registration"));
  gtk_selection_model_select_item (event_list (pane), 2, TRUE);
  spin_until (shows (pane, "No Registrations"));
  gtk_selection_model_select_item (event_list (pane), 0, TRUE);
  spin_until (shows (pane, "Ben Ode"));

  /* Nothing selected, nothing to confirm. */
  g_assert_true (shows (pane, "3 registrations"));
  g_assert_false (gtk_widget_get_sensitive (find_widget (pane, is_button_labelled, "_Confirm")));
  g_assert_false (gtk_widget_get_sensitive (find_widget (pane, is_button_labelled, "Ca_ncel")));

  /* Confirm the draft and the cancelled one: the list and the store say
   * registered, confirmed now; the event's counts follow. */
  select_people (pane, (const char *[]) { "Ruiz", "Vale", NULL });
  g_assert_true (shows (pane, "2 of 3 selected"));
  g_assert_true (gtk_widget_get_sensitive (find_widget (pane, is_button_labelled, "_Confirm")));
  g_assert_true (gtk_widget_activate_action (pane, "registrations.confirm", NULL));
  spin_until (count_shown (pane, "Registered") == 3);
  spin_until (shows (pane, "3 registered · 0 attended"));
  g_assert_true (status_is (fixture.store, "Ruiz", "registered"));
  g_assert_true (status_is (fixture.store, "Vale", "registered"));
  g_assert_cmpint (query_int (fixture.store, "SELECT confirmed_at FROM registrations"
                                             " WHERE event_id = 1 AND contact_id = 3"), ==, NOW);
  g_assert_cmpint (query_int (fixture.store, "SELECT count(*) FROM registrations"
                                             " WHERE event_id = 1 AND cancelled_at IS NOT NULL"),
                   ==, 0);
  g_assert_false (shows (pane, "Draft"));

  /* Cancel Ben: shown, stored with the time, spend gone from his figures. */
  g_assert_cmpint (query_int (fixture.store, "SELECT total_spend FROM contacts WHERE id = 2"),
                   ==, 3000);
  select_people (pane, (const char *[]) { "Ode", NULL });
  g_assert_true (gtk_widget_activate_action (pane, "registrations.cancel", NULL));
  spin_until (count_shown (pane, "Cancelled") == 1 && shows (pane, "2 registered · 0 attended"));
  g_assert_true (status_is (fixture.store, "Ode", "cancelled"));
  g_assert_cmpint (query_int (fixture.store, "SELECT cancelled_at FROM registrations"
                                             " WHERE event_id = 1 AND contact_id = 2"), ==, NOW);
  g_assert_cmpint (query_int (fixture.store, "SELECT total_spend FROM contacts WHERE id = 2"),
                   ==, 0);
  g_assert_true (shows_part (pane, "1 cancelled"));

  /* Marking attended before the event starts asks first; Cancel changes
   * nothing. */
  g_assert_true (gtk_widget_activate_action (pane, "registrations.attend", NULL));
  spin_until ((dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG))) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "has not started yet"));
  gtk_widget_activate (find_widget (GTK_WIDGET (dialog), is_button_labelled, "_Cancel"));
  spin_until (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_true (status_is (fixture.store, "Ode", "cancelled"));
  g_assert_cmpint (count_shown (pane, "Attended"), ==, 0);

  fixture_tear_down (&fixture);
}

static void
test_editor (void)
{
  Fixture fixture;
  GtkWidget *pane;
  GtkWidget *editor;
  GtkWidget *save;
  gpointer weak;

  fixture_set_up (&fixture, "editor.db");
  pane = fixture.pane;
  g_assert_true (turnout_settings_set (fixture.settings, "contacts.default_time_zone",
                                       "Europe/Berlin", NULL));

  g_assert_true (gtk_widget_activate_action (pane, "events.new", NULL));
  spin_until ((editor = GTK_WIDGET (find_toplevel (TURNOUT_TYPE_EVENT_EDITOR))) != NULL);
  spin_until (gtk_widget_get_mapped (editor));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (editor)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == fixture.window);
  save = find_widget (editor, is_button_labelled, "_Save");
  g_assert_nonnull (save);
  /* Nothing typed: nothing to save, and no scolding yet. */
  g_assert_false (gtk_widget_get_sensitive (save));
  g_assert_false (shows_part (editor, "needs"));

  /* Enter on the empty form says all that is missing. */
  g_signal_emit_by_name (find_widget (editor, is_entry_row_titled, "_Name"), "entry-activated");
  spin_until (shows (editor, "The event needs a name."));
  g_assert_true (shows_part (editor, "Give the date of the event, as 2026-05-02."));
  g_assert_true (shows_part (editor, "Give the time the event starts, as 22:00."));
  g_assert_cmpint (query_int (fixture.store, "SELECT count(*) FROM events"), ==, 3);

  /* An end date before the start: refused, and said where. */
  set_row (editor, "_Name", "Summer Opening");
  g_assert_false (shows_part (editor, "needs a name"));
  set_row (editor, "_Genres, Separated by Commas", "House, Disco");
  set_row (editor, "_Date", "2026-06-01");
  set_row (editor, "Starts _At", "22:00");
  set_row (editor, "_Ends At (Optional)", "04:00");
  set_row (editor, "End Da_te (Optional)", "2026-05-31");
  spin_until (shows_part (editor, "The event must end after it starts: it starts "
                                  "Mon 1 Jun 2026, 22:00 and ends Sun 31 May 2026, 04:00."));
  g_assert_false (gtk_widget_get_sensitive (save));
  g_assert_true (gtk_widget_get_visible (editor));
  /* Ctrl+S does nothing either. */
  gtk_widget_activate_action (editor, "editor.save", NULL);
  spin_for (300);
  g_assert_cmpint (query_int (fixture.store, "SELECT count(*) FROM events"), ==, 3);
  g_assert_true (gtk_widget_get_visible (editor));

  /* A time that is not one is named. */
  set_row (editor, "End Da_te (Optional)", "");
  set_row (editor, "Starts _At", "25:00");
  spin_until (shows_part (editor, "“25:00” is not a time of day"));
  g_assert_false (gtk_widget_get_sensitive (save));

  /* Without an end date, 04:00 is the next morning: saved in the default
   * zone, and shown in the list, chosen. */
  set_row (editor, "Starts _At", "22:00");
  spin_until (gtk_widget_get_sensitive (save));
  g_assert_false (shows_part (editor, "must end after it starts"));
  g_assert_true (shows (editor, "Mon 1 Jun 2026, 22:00 – 04:00 (Europe/Berlin)"));
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  gtk_widget_activate (save);
  spin_until (weak == NULL);

  spin_until (shows (pane, "Summer Opening") &&
              shows (pane, "Mon 1 Jun 2026, 22:00 – 04:00 (Europe/Berlin)"));
  assert_event_at (pane, 0, "Summer Opening");
  g_assert_true (shows (pane, "Disco, House"));
  spin_until (shows (pane, "No Registrations"));
  g_assert_cmpint (query_int (fixture.store, "SELECT starts_at FROM events"
                                             " WHERE name = 'Summer Opening'"), ==, SUMMER_START);
  g_assert_cmpint (query_int (fixture.store, "SELECT ends_at FROM events"
                                             " WHERE name = 'Summer Opening'"), ==, SUMMER_END);
  g_assert_cmpint (query_int (fixture.store, "SELECT count(*) FROM event_tags et JOIN events e"
                                             " ON e.id = et.event_id"
                                             " WHERE e.name = 'Summer Opening'"), ==, 2);

  /* Edit opens with the event's values, in its zone. */
  g_assert_true (gtk_widget_activate_action (pane, "events.edit", NULL));
  spin_until ((editor = GTK_WIDGET (find_toplevel (TURNOUT_TYPE_EVENT_EDITOR))) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (editor, is_entry_row_titled,
                                                                     "Starts _At"))), ==,
                   "22:00");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (editor, is_entry_row_titled,
                                                                     "End Da_te (Optional)"))),
                   ==, "");
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  gtk_window_close (GTK_WINDOW (editor));
  spin_until (weak == NULL);

  fixture_tear_down (&fixture);
}

static void
test_delete (void)
{
  Fixture fixture;
  GtkWidget *pane;
  AdwMessageDialog *dialog;

  fixture_set_up (&fixture, "delete.db");
  pane = fixture.pane;
  spin_until (shows (pane, "Ben Ode"));

  /* The question says what goes with the event. */
  g_assert_true (gtk_widget_activate_action (pane, "events.delete", NULL));
  spin_until ((dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG))) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “Warehouse Night”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Its 3 registrations are "
                                                                  "deleted with it"));
  gtk_widget_activate (find_widget (GTK_WIDGET (dialog), is_button_labelled, "_Delete"));
  spin_until (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL);

  spin_until (!shows (pane, "Warehouse Night"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (event_list (pane))), ==, 2);
  g_assert_cmpint (query_int (fixture.store, "SELECT count(*) FROM registrations"
                                             " WHERE event_id = 1"), ==, 0);
  g_assert_cmpint (query_int (fixture.store, "SELECT total_spend FROM contacts WHERE id = 1"),
                   ==, 2000);
  /* Another event is shown in its place. */
  spin_until (shows (pane, "Spring Rave") && shows (pane, "Attended"));

  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  /* The labels are checked as written in English. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/events-pane/list-and-status", test_list_and_status);
  g_test_add_func ("/events-pane/editor", test_editor);
  g_test_add_func ("/events-pane/delete", test_delete);

  return g_test_run ();
}
