/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-dialog"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-import-dialog.h"
#include "turnout-import.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The Import dialog as a user meets it: a file chosen (through the test
 * hook that stands for the file chooser) shows its columns with their
 * guesses and the first rows as they will be stored; a changed column
 * changes the preview; Import runs on a worker, shows what came of it and
 * lists the problems; Cancel during a long import leaves the store as it
 * was. Runs under Xvfb; every wait spins the main loop until a condition
 * holds and fails after a timeout.
 */


/* Widget tree helpers --------------------------------------------------- */

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
get_named (gpointer    root,
           const char *name)
{
  GtkWidget *widget = find_named (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("no widget named “%s”", name);
  return widget;
}

/* A label showing @text, visible on screen, under @root. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_drawable (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
get_page (TurnoutImportDialog *dialog)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (get_named (dialog, "pages")));
}

static const char *
label_text (TurnoutImportDialog *dialog,
            const char          *name)
{
  return gtk_label_get_text (GTK_LABEL (get_named (dialog, name)));
}

static const char *
dropdown_choice (TurnoutImportDialog *dialog,
                 guint                column)
{
  g_autofree char *name = g_strdup_printf ("column-%u", column);
  GtkDropDown *dropdown = GTK_DROP_DOWN (get_named (dialog, name));

  return gtk_string_object_get_string (GTK_STRING_OBJECT (gtk_drop_down_get_selected_item (dropdown)));
}

static void
choose (TurnoutImportDialog *dialog,
        guint                column,
        TurnoutField         field)
{
  g_autofree char *name = g_strdup_printf ("column-%u", column);
  GtkDropDown *dropdown = GTK_DROP_DOWN (get_named (dialog, name));
  GListModel *labels = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    {
      g_autoptr(GtkStringObject) label = g_list_model_get_item (labels, i);

      if (g_str_equal (gtk_string_object_get_string (label), turnout_field_get_label (field)))
        {
          gtk_drop_down_set_selected (dropdown, i);
          return;
        }
    }
  g_error ("column %u offers no “%s”", column, turnout_field_get_label (field));
}

/* The grid column headed @heading, or -1. */
static int
preview_column (TurnoutImportDialog *dialog,
                const char          *heading)
{
  GtkGrid *grid = GTK_GRID (get_named (dialog, "preview-grid"));

  for (int column = 0;; column++)
    {
      GtkWidget *label = gtk_grid_get_child_at (grid, column, 0);

      if (label == NULL)
        return -1;
      if (g_str_equal (gtk_label_get_text (GTK_LABEL (label)), heading))
        return column;
    }
}

static GtkWidget *
preview_cell (TurnoutImportDialog *dialog,
              const char          *heading,
              int                  row)
{
  int column = preview_column (dialog, heading);
  GtkWidget *cell;

  if (column < 0)
    g_error ("the preview has no column “%s”", heading);
  cell = gtk_grid_get_child_at (GTK_GRID (get_named (dialog, "preview-grid")), column, row);
  g_assert_true (GTK_IS_LABEL (cell));
  return cell;
}

static GtkShortcut *
find_shortcut (GtkWidget       *widget,
               guint            keyval,
               GdkModifierType  modifiers)
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
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            return g_steal_pointer (&shortcut);
        }
    }
  return NULL;
}

static void
assert_shortcut (GtkWidget       *widget,
                 guint            keyval,
                 GdkModifierType  modifiers,
                 const char      *action)
{
  g_autoptr(GtkShortcut) shortcut = find_shortcut (widget, keyval, modifiers);
  GtkShortcutAction *named;

  g_assert_nonnull (shortcut);
  named = gtk_shortcut_get_action (shortcut);
  g_assert_true (GTK_IS_NAMED_ACTION (named));
  g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), ==, action);
}

/* Presses the shortcut as a key press would. */
static void
press (GtkWidget       *widget,
       guint            keyval,
       GdkModifierType  modifiers)
{
  g_autoptr(GtkShortcut) shortcut = find_shortcut (widget, keyval, modifiers);

  g_assert_nonnull (shortcut);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                               gtk_shortcut_get_arguments (shortcut)));
}

/* Fixtures -------------------------------------------------------------- */

static TurnoutStore *
fresh_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path (name);
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static GFile *
write_file (const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = turnout_test_tmp_path (name);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return g_file_new_for_path (path);
}

static gint64
count_rows (TurnoutStore *store,
            const char   *table)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return n;
}

typedef struct
{
  guint                calls;
  TurnoutImportResult *result;
} Imported;

static void
on_imported_cb (TurnoutImportDialog *dialog,
                TurnoutImportResult *result,
                Imported            *imported)
{
  imported->calls++;
  g_clear_pointer (&imported->result, turnout_import_result_free);
  imported->result = turnout_import_result_copy (result);
}

static TurnoutImportDialog *
open_dialog (TurnoutStore    *store,
             TurnoutSettings *settings)
{
  TurnoutImportDialog *dialog = turnout_import_dialog_new (store, settings);

  gtk_window_present (GTK_WINDOW (dialog));
  spin_until (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_cmpstr (get_page (dialog), ==, "choose");
  return dialog;
}

/* Destroys a dialog and checks that nothing else holds it. */
static void
destroy_dialog (TurnoutImportDialog *dialog)
{
  g_object_ref (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  turnout_test_finalize_object (dialog);
}

static const char eventbrite_csv[] =
  "Order #,Order Date,First Name,Last Name,Email,Cell Phone,Event Name,Event Date,"
  "Ticket Type,Total Paid,Attendee Status\n"
  "1001,2026-04-03 09:15:00-04:00,Cy,Vale,CY@Example.com,(650) 253-0002,Warehouse,"
  "2026-04-20 22:00,General Admission,30.00,Checked In\n"
  "1002,2026-04-03 09:20:00-04:00,Ana,Ruiz,ana@example.com,555,Warehouse,"
  "2026-04-20 22:00,VIP,\"$1,045.50\",Attending\n"
  "1003,2026-04-04 11:00:00-04:00,Dee,Lux,,,Warehouse,2026-04-20 22:00,"
  "General Admission,free,Attending\n"
  "1004,2026-04-05,Eve,Moss,eve@example.com,,,,General Admission,30.00,Refunded\n"
  "1005,2026-04-06,Fay,Orr,fay@example.com,,Warehouse,2026-04-20 22:00,VIP,45,maybe\n"
  "1006,2026-04-06,Gus,Park,gus@example.com,,Warehouse,2026-04-20 22:00,VIP,45,Attending\n";

/* Tests ----------------------------------------------------------------- */

static void
test_map_preview_and_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_file ("eventbrite.csv", eventbrite_csv, -1);
  g_autoptr(GFile) problems = NULL;
  g_autofree char *problems_path = turnout_test_tmp_path ("eventbrite problems.csv");
  g_autofree char *saved = NULL;
  TurnoutStore *store = fresh_store ("dialog.db");
  TurnoutSettings *settings = turnout_settings_new (store, &error);
  TurnoutImportDialog *dialog;
  Imported imported = { 0 };
  GtkWidget *phone_cell, *import_button;
  GtkWidget *row;

  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (settings, "contacts.default_time_zone",
                                       "America/New_York", &error));
  dialog = open_dialog (store, settings);
  g_signal_connect (dialog, "imported", G_CALLBACK (on_imported_cb), &imported);
  /* The default region from the settings, editable for this import. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (dialog, "region-row"))), ==,
                   "US");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (get_named (dialog, "registrations-check")),
                               TRUE);
  turnout_import_dialog_set_file (dialog, file);
  spin_until (g_str_equal (get_page (dialog), "map"));

  /* One row per column, with its header, first values and the guess. */
  row = gtk_widget_get_ancestor (get_named (dialog, "column-5"), ADW_TYPE_ACTION_ROW);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Cell Phone");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "(650) 253-0002 · 555");
  g_assert_cmpstr (dropdown_choice (dialog, 0), ==, turnout_field_get_label (TURNOUT_FIELD_IGNORE));
  g_assert_cmpstr (dropdown_choice (dialog, 1), ==,
                   turnout_field_get_label (TURNOUT_FIELD_REGISTERED_AT));
  g_assert_cmpstr (dropdown_choice (dialog, 5), ==, turnout_field_get_label (TURNOUT_FIELD_PHONE));
  g_assert_cmpstr (dropdown_choice (dialog, 10), ==,
                   turnout_field_get_label (TURNOUT_FIELD_STATUS));
  g_assert_nonnull (strstr (label_text (dialog, "file-summary"), "11 columns"));

  /* The rows as they will be stored, problems in red with the reason. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Phone", 1))), ==,
                   "+16502530002");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Email", 1))), ==,
                   "cy@example.com");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Registration status",
                                                                1))), ==, "Attended");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Registered at", 1))),
                   ==, "2026-04-03 09:15 -04:00");
  phone_cell = preview_cell (dialog, "Phone", 2);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (phone_cell)), ==, "555");
  g_assert_true (gtk_widget_has_css_class (phone_cell, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (phone_cell), "too short"));
  g_assert_false (gtk_widget_has_css_class (preview_cell (dialog, "Phone", 1), "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (
                              gtk_grid_get_child_at (GTK_GRID (get_named (dialog, "preview-grid")),
                                                     0, 3)),
                            "skipped"));

  import_button = get_named (dialog, "import-button");
  g_assert_true (gtk_widget_is_sensitive (import_button));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (get_named (dialog, "blocker"))));

  /* Another reading of a column changes the preview. */
  choose (dialog, 5, TURNOUT_FIELD_IGNORE);
  spin_until (preview_column (dialog, "Phone") < 0);
  g_assert_true (gtk_widget_is_sensitive (import_button));
  choose (dialog, 5, TURNOUT_FIELD_NOTES);
  spin_until (preview_column (dialog, "Notes") >= 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Notes", 2))), ==, "555");

  /* Without phone and email nothing can be imported, and the dialog says why. */
  choose (dialog, 4, TURNOUT_FIELD_IGNORE);
  spin_until (!gtk_widget_is_sensitive (import_button));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (get_named (dialog, "blocker"))));
  g_assert_nonnull (strstr (label_text (dialog, "blocker"), "Phone or Email"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL);
  g_assert_cmpstr (get_page (dialog), ==, "map");

  choose (dialog, 4, TURNOUT_FIELD_EMAIL);
  choose (dialog, 5, TURNOUT_FIELD_PHONE);
  spin_until (gtk_widget_is_sensitive (import_button) && preview_column (dialog, "Phone") >= 0);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (get_named (dialog, "blocker"))));

  /* Enter imports. */
  press (GTK_WIDGET (dialog), GDK_KEY_Return, 0);
  spin_until (g_str_equal (get_page (dialog), "done"));
  g_assert_cmpstr (label_text (dialog, "done-title"), ==, "Import Finished");
  g_assert_cmpstr (label_text (dialog, "done-counts"), ==, "4 created · 0 merged · 2 skipped");
  g_assert_cmpstr (label_text (dialog, "done-details"), ==, "4 registrations · 1 new event");
  g_assert_cmpstr (label_text (dialog, "problems-title"), ==, "5 Problems");
  g_assert_false (gtk_widget_get_visible (get_named (dialog, "problems-more")));
  /* The problems, row by row, once the list has drawn them. */
  spin_until (find_label (get_named (dialog, "problems-view"),
                          "“555” is too short for a phone number in US") != NULL);
  g_assert_nonnull (find_label (get_named (dialog, "problems-view"), "Cell Phone"));
  g_assert_nonnull (find_label (get_named (dialog, "problems-view"), "the row names no event"));

  /* The store holds them, and the dialog said so to whoever listens. */
  g_assert_cmpuint (imported.calls, ==, 1);
  g_assert_cmpuint (imported.result->created, ==, 4);
  g_assert_cmpint (count_rows (store, "contacts"), ==, 4);
  g_assert_cmpint (count_rows (store, "registrations"), ==, 4);
  g_assert_cmpint (count_rows (store, "events"), ==, 1);

  /* Save Problems as CSV, with the file the chooser would give. */
  problems = g_file_new_for_path (problems_path);
  turnout_import_dialog_save_problems (dialog, problems);
  spin_until (find_label (GTK_WIDGET (dialog),
                          "Problems saved to “eventbrite problems.csv”") != NULL);
  g_assert_true (g_file_get_contents (problems_path, &saved, NULL, NULL));
  g_assert_true (g_str_has_prefix (saved, "row,column,reason\r\n"));
  g_assert_nonnull (strstr (saved, "3,Cell Phone,“555” is too short"));

  /* Enter on the last page closes the dialog. */
  g_object_ref (dialog);
  press (GTK_WIDGET (dialog), GDK_KEY_Return, 0);
  spin_until (!gtk_widget_get_visible (GTK_WIDGET (dialog)));
  turnout_test_finalize_object (dialog);

  turnout_import_result_free (imported.result);
  turnout_test_finalize_object (settings);
  turnout_test_finalize_object (store);
}

static void
test_cancel_big_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new ("first_name,last_name,phone,email\n");
  g_autoptr(GFile) small = write_file ("one.csv", "first_name,phone\nAna,+16502530000\n", -1);
  g_autoptr(GFile) big = NULL;
  g_autoptr(TurnoutImportOptions) options = turnout_import_options_new (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportResult) before = NULL;
  TurnoutStore *store = fresh_store ("cancel.db");
  TurnoutImportDialog *dialog;
  Imported imported = { 0 };
  GtkProgressBar *progress;

  before = turnout_import_csv (store, small, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (store, "contacts"), ==, 1);

  for (guint i = 0; i < 150000; i++)
    g_string_append_printf (csv, "Fan,Number %u,+1650%07u,fan%u@example.com\n", i, 2000000 + i,
                            i);
  big = write_file ("big.csv", csv->str, csv->len);

  dialog = open_dialog (store, NULL);
  g_signal_connect (dialog, "imported", G_CALLBACK (on_imported_cb), &imported);
  assert_shortcut (GTK_WIDGET (dialog), GDK_KEY_Escape, 0, "import.cancel");
  assert_shortcut (GTK_WIDGET (dialog), GDK_KEY_o, GDK_CONTROL_MASK, "import.choose-file");
  assert_shortcut (GTK_WIDGET (dialog), GDK_KEY_s, GDK_CONTROL_MASK, "import.save-problems");

  turnout_import_dialog_set_file (dialog, big);
  spin_until (g_str_equal (get_page (dialog), "map"));
  g_assert_true (g_str_has_prefix (label_text (dialog, "preview-caption"), "The first 20 rows"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL);
  g_assert_cmpstr (get_page (dialog), ==, "progress");

  /* Rows are counted as they go in… */
  progress = GTK_PROGRESS_BAR (get_named (dialog, "progress-bar"));
  spin_until (g_str_has_suffix (gtk_progress_bar_get_text (progress), " rows"));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (progress), >, 0.0);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (progress), <, 1.0);

  /* …and Escape takes them all back. */
  press (GTK_WIDGET (dialog), GDK_KEY_Escape, 0);
  spin_until (g_str_equal (get_page (dialog), "done"));
  g_assert_cmpstr (label_text (dialog, "done-title"), ==, "Import Cancelled");
  g_assert_cmpstr (label_text (dialog, "done-counts"), ==, "Nothing was imported");
  g_assert_cmpuint (imported.calls, ==, 0);
  g_assert_cmpint (count_rows (store, "contacts"), ==, 1);

  /* Back to the columns, and the import can be run again. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.back", NULL);
  g_assert_cmpstr (get_page (dialog), ==, "map");

  destroy_dialog (dialog);
  turnout_test_finalize_object (store);
}

static void
test_close_while_importing (void)
{
  g_autoptr(GString) csv = g_string_new ("first_name,phone\n");
  g_autoptr(GFile) big = NULL;
  TurnoutStore *store = fresh_store ("close.db");
  TurnoutImportDialog *dialog;
  GtkProgressBar *progress;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (csv, "Fan %u,+1650%07u\n", i, 2000000 + i);
  big = write_file ("close.csv", csv->str, csv->len);

  dialog = open_dialog (store, NULL);
  turnout_import_dialog_set_file (dialog, big);
  spin_until (g_str_equal (get_page (dialog), "map"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL);
  progress = GTK_PROGRESS_BAR (get_named (dialog, "progress-bar"));
  spin_until (g_str_has_suffix (gtk_progress_bar_get_text (progress), " rows"));

  /* The window goes at once; the worker rolls back, then the dialog goes. */
  g_object_ref (dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  turnout_test_finalize_object (dialog);
  g_assert_cmpint (count_rows (store, "contacts"), ==, 0);
  turnout_test_finalize_object (store);
}

static void
test_files_and_regions (void)
{
  static const char latin1[] = "first_name,phone\r\nJos\xe9,+16502530000\r\n";
  g_autoptr(GFile) windows = write_file ("excel.csv", latin1, sizeof latin1 - 1);
  g_autoptr(GFile) empty = write_file ("empty.csv", "", 0);
  g_autoptr(GFile) vcard = write_file ("friends.vcf",
                                       "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Ruiz\r\n"
                                       "TEL:12\r\nEND:VCARD\r\n"
                                       "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ben Ode\r\n"
                                       "TEL:0151 23456789\r\nEND:VCARD\r\n", -1);
  TurnoutStore *store = fresh_store ("files.db");
  TurnoutImportDialog *dialog = open_dialog (store, NULL);
  GtkEditable *region = GTK_EDITABLE (get_named (dialog, "region-row"));

  /* A file that can't be read: the first page says why. */
  turnout_import_dialog_set_file (dialog, empty);
  spin_until (gtk_widget_get_visible (get_named (dialog, "choose-error")));
  g_assert_nonnull (strstr (label_text (dialog, "choose-error"), "“empty.csv” could not be read"));
  g_assert_cmpstr (get_page (dialog), ==, "choose");

  /* Not UTF-8: read as Windows-1252, with a warning. */
  turnout_import_dialog_set_file (dialog, windows);
  spin_until (g_str_equal (get_page (dialog), "map"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (get_named (dialog,
                                                                          "map-warning"))));
  g_assert_nonnull (strstr (label_text (dialog, "map-warning"), "Windows-1252"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "First name", 1))), ==,
                   "José");

  /* vCards: no columns to map; the region reads numbers without a
   * country code, and a bad one stops the way on. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.back", NULL);
  g_assert_cmpstr (get_page (dialog), ==, "choose");
  gtk_editable_set_text (region, "Germany");
  g_assert_true (gtk_widget_get_visible (get_named (dialog, "choose-error")));
  g_assert_true (g_str_has_prefix (label_text (dialog, "choose-error"), "A region is"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (region), "error"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.next", NULL);
  g_assert_cmpstr (get_page (dialog), ==, "choose");
  gtk_editable_set_text (region, "de");
  g_assert_false (gtk_widget_get_visible (get_named (dialog, "choose-error")));

  turnout_import_dialog_set_file (dialog, vcard);
  spin_until (g_str_equal (get_page (dialog), "map"));
  g_assert_null (find_named (GTK_WIDGET (dialog), "column-0"));
  g_assert_nonnull (strstr (label_text (dialog, "file-summary"), "vCard"));
  /* Ana's number is none; Ben's, without a country code, is German. */
  g_assert_true (gtk_widget_has_css_class (preview_cell (dialog, "Phone", 1), "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Phone", 2))), ==,
                   "+4915123456789");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview_cell (dialog, "Last name", 2))), ==,
                   "Ode");

  press (GTK_WIDGET (dialog), GDK_KEY_Return, 0);
  spin_until (g_str_equal (get_page (dialog), "done"));
  g_assert_cmpstr (label_text (dialog, "done-counts"), ==, "1 created · 0 merged · 1 skipped");
  g_assert_cmpint (count_rows (store, "contacts"), ==, 1);

  /* Escape closes the dialog when nothing is running. */
  g_object_ref (dialog);
  press (GTK_WIDGET (dialog), GDK_KEY_Escape, 0);
  spin_until (!gtk_widget_get_visible (GTK_WIDGET (dialog)));
  turnout_test_finalize_object (dialog);
  turnout_test_finalize_object (store);
}

static void
test_many_problems (void)
{
  g_autoptr(GString) csv = g_string_new ("first_name,email\n");
  g_autoptr(GFile) file = NULL;
  /* Counts are grouped as the locale does it: 1100 here, 1,100 in English. */
  g_autofree char *title = g_strdup_printf ("%'u Problems", 1100);
  g_autofree char *counts = g_strdup_printf ("1 created · 0 merged · %'u skipped", 1100);
  TurnoutStore *store = fresh_store ("many.db");
  TurnoutImportDialog *dialog;
  GtkSelectionModel *shown;

  for (guint i = 0; i < 1100; i++)
    g_string_append_printf (csv, "Fan %u,not-an-address-%u\n", i, i);
  g_string_append (csv, "Ana,ana@example.com\n");
  file = write_file ("many.csv", csv->str, csv->len);

  dialog = open_dialog (store, NULL);
  turnout_import_dialog_set_file (dialog, file);
  spin_until (g_str_equal (get_page (dialog), "map"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL);
  spin_until (g_str_equal (get_page (dialog), "done"));

  /* The first thousand are listed; the rest are counted. */
  g_assert_cmpstr (label_text (dialog, "done-counts"), ==, counts);
  g_assert_cmpstr (label_text (dialog, "problems-title"), ==, title);
  shown = gtk_column_view_get_model (GTK_COLUMN_VIEW (get_named (dialog, "problems-view")));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (shown)), ==, 1000);
  g_assert_true (gtk_widget_get_visible (get_named (dialog, "problems-more")));
  g_assert_true (g_str_has_prefix (label_text (dialog, "problems-more"),
                                   "… and 100 more problems."));

  destroy_dialog (dialog);
  turnout_test_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/import-dialog/map-preview-import", test_map_preview_and_import);
  g_test_add_func ("/import-dialog/cancel", test_cancel_big_import);
  g_test_add_func ("/import-dialog/close-while-importing", test_close_while_importing);
  g_test_add_func ("/import-dialog/files-and-regions", test_files_and_regions);
  g_test_add_func ("/import-dialog/many-problems", test_many_problems);

  return g_test_run ();
}
