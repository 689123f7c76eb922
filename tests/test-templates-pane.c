/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-templates-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>

#include "turnout-clock.h"
#include "turnout-email-editor.h"
#include "turnout-preview-chooser.h"
#include "turnout-settings.h"
#include "turnout-sms-editor.h"
#include "turnout-store.h"
#include "turnout-templates-pane.h"
#include "turnout-test-db.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The Templates pane as a user meets it, standalone in a window: the
 * starting templates on first run; a new SMS template whose em dash makes
 * it UCS-2, said with its place and fixed in one click; the preview of a
 * real contact, a fallback filling a blank name and a blank field pointed
 * out; a mistake in a merge field explained; saving, a taken name refused,
 * deleting refused while an automation uses the template; an MMS address
 * that is not https refused, and one that can't be reached said so. Runs
 * under Xvfb; every wait spins the main loop until a condition holds.
 */

/* 2026-05-01T12:00:00Z: the frozen clock. */
#define NOW 1777636800
#define DAY 86400

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

  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, city, sms_consent, created_at,"
    "                      updated_at)"
    " VALUES (1, 'Ana', 'Abbott', '+16505550100', 'Leeds', 'opted_in', %d, %d),"
    "        (2, '', 'Zed', '+16505550101', '', 'opted_in', %d, %d);"
    "INSERT INTO events (id, name, starts_at, time_zone, venue, created_at, updated_at)"
    " VALUES (1, 'Warehouse Night', %d, 'Europe/Berlin', 'The Depot', %d, %d);"
    "INSERT INTO registrations (contact_id, event_id, status, created_at, updated_at)"
    " VALUES (1, 1, 'registered', %d, %d);",
    NOW, NOW, NOW, NOW, NOW + 2 * DAY, NOW, NOW, NOW, NOW);
  turnout_test_exec_sql (store, sql);
  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  return store;
}

typedef struct
{
  TurnoutStore    *store;
  TurnoutSettings *settings;
  GtkWindow       *window;
  GtkWidget       *pane;
} Fixture;

static void
fixture_set_up (Fixture    *fixture,
                const char *db_name)
{
  fixture->store = seeded_store (db_name, &fixture->settings);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1200, 800);
  fixture->pane = g_object_ref (GTK_WIDGET (turnout_templates_pane_new ()));
  g_object_set (fixture->pane, "store", fixture->store, "settings", fixture->settings, NULL);
  gtk_window_set_child (fixture->window, fixture->pane);
  gtk_window_present (fixture->window);

  /* On first run, the starting templates are there. */
  spin_until (turnout_test_shows (fixture->pane, "Ticket Confirmation (SMS)")
              && turnout_test_shows (fixture->pane, "Re-Engagement (Email)"));
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

static TurnoutSmsEditor *
sms_editor (GtkWidget *pane)
{
  return TURNOUT_SMS_EDITOR (find_type (pane, TURNOUT_TYPE_SMS_EDITOR));
}

static GtkTextBuffer *
message_buffer (GtkWidget *pane)
{
  GtkWidget *view = find_type (GTK_WIDGET (sms_editor (pane)), GTK_SOURCE_TYPE_VIEW);

  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
}

static char *
message_text (GtkWidget *pane)
{
  GtkTextBuffer *buffer = message_buffer (pane);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static GtkEditable *
name_entry (GtkWidget *pane)
{
  return GTK_EDITABLE (find_type (pane, GTK_TYPE_ENTRY));
}

static gboolean
bubble_is (GtkWidget  *pane,
           const char *text)
{
  return g_str_equal (turnout_sms_editor_get_bubble_text (sms_editor (pane)), text);
}

static gboolean
counter_is (GtkWidget  *pane,
            const char *text)
{
  return g_str_equal (turnout_sms_editor_get_counter_text (sms_editor (pane)), text);
}

static gboolean
is_template_list (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LIST_BOX (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar");
}

static void
choose_template (GtkListBox *list,
                 const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
      gtk_list_box_select_row (list, GTK_LIST_BOX_ROW (row));
}

static gint64
count_templates (TurnoutStore *store)
{
  return turnout_test_query_int (store, "SELECT count (*) FROM templates");
}

static void
test_sms (void)
{
  Fixture fixture = { 0 };
  TurnoutPreviewChooser *chooser;
  GtkWidget *pane, *entry_row;
  g_autofree char *text = NULL;
  g_autofree char *stored = NULL;

  fixture_set_up (&fixture, "sms.db");
  pane = fixture.pane;
  g_assert_cmpint (count_templates (fixture.store), ==, 8);

  /* A new SMS template, previewed for Ana: the em dash makes it UCS-2. */
  g_assert_true (gtk_widget_activate_action (pane, "templates.new", "s", "sms"));
  chooser = TURNOUT_PREVIEW_CHOOSER (find_type (pane, TURNOUT_TYPE_PREVIEW_CHOOSER));
  turnout_preview_chooser_set_contact_id (chooser, 1);
  gtk_text_buffer_set_text (message_buffer (pane), "Hi {first_name|there}, doors at 10 — see you!",
                            -1);
  spin_until (bubble_is (pane, "Hi Ana, doors at 10 — see you!"));
  g_assert_true (counter_is (pane, "UCS-2 · 30 characters · 1 segment"));
  g_assert_true (turnout_test_shows_part (pane, "“—” at 21: this message goes as UCS-2"));

  /* One click: GSM-7 again, and Ctrl+Z would bring the dash back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sms_editor (pane)),
                                             "sms.replace-with-gsm", NULL));
  text = message_text (pane);
  g_assert_cmpstr (text, ==, "Hi {first_name|there}, doors at 10 - see you!");
  g_assert_true (counter_is (pane, "GSM-7 · 30 characters · 1 segment"));
  g_assert_false (turnout_test_shows_part (pane, "this message goes as UCS-2"));

  /* The fallback fills a blank name; a field with none is pointed out. */
  turnout_preview_chooser_set_contact_id (chooser, 2);
  spin_until (bubble_is (pane, "Hi there, doors at 10 - see you!"));
  gtk_text_buffer_set_text (message_buffer (pane), "See you in {city}, {first_name|there}!", -1);
  spin_until (bubble_is (pane, "See you in , there!"));
  g_assert_true (turnout_test_shows_part (pane, "{city} came out blank for Zed"));
  /* "Add a Fallback" opens one in the field, ready for the text. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sms_editor (pane)), "sms.add-fallback",
                                             NULL));
  g_clear_pointer (&text, g_free);
  text = message_text (pane);
  g_assert_cmpstr (text, ==, "See you in {city|}, {first_name|there}!");
  gtk_text_buffer_insert_at_cursor (message_buffer (pane), "town", -1);
  spin_until (bubble_is (pane, "See you in town, there!"));
  g_assert_false (turnout_test_shows_part (pane, "came out blank"));

  /* The contact's next event, its time where it happens (Berlin), and the
   * counter counting the merged message. */
  turnout_preview_chooser_set_contact_id (chooser, 1);
  gtk_text_buffer_set_text (message_buffer (pane), "{event_name} at {event_venue}, {event_time}", -1);
  spin_until (bubble_is (pane, "Warehouse Night at The Depot, 2:00 PM"));
  g_assert_true (counter_is (pane, "GSM-7 · 37 characters · 1 segment"));

  /* A mistake in a field says what and where. */
  gtk_text_buffer_set_text (message_buffer (pane), "Hi {frist_name}", -1);
  spin_until (turnout_test_shows_part (pane, "Line 1, column 4"));
  g_assert_true (turnout_test_shows_part (pane, "did you mean"));

  /* Saved as a draft with its mistake; listed. */
  gtk_text_buffer_set_text (message_buffer (pane), "Doors at 10, {first_name|friend}!", -1);
  gtk_editable_set_text (name_entry (pane), "Doors");
  gtk_widget_activate_action (pane, "templates.save", NULL);
  spin_until (turnout_test_shows (pane, "Doors")
              && turnout_test_query_int (fixture.store,
                                         "SELECT count (*) FROM templates WHERE name = 'Doors'") == 1);
  stored = turnout_test_query_text (fixture.store,
                                    "SELECT body_text FROM templates WHERE name = 'Doors'");
  g_assert_cmpstr (stored, ==, "Doors at 10, {first_name|friend}!");

  /* A name another template has is refused, and nothing is written. */
  gtk_widget_activate_action (pane, "templates.new", "s", "sms");
  gtk_text_buffer_set_text (message_buffer (pane), "Other", -1);
  gtk_editable_set_text (name_entry (pane), "Doors");
  gtk_widget_activate_action (pane, "templates.save", NULL);
  spin_until (turnout_test_shows_part (GTK_WIDGET (fixture.window),
                                       "A template called “Doors” already exists"));
  g_assert_cmpint (count_templates (fixture.store), ==, 9);

  /* MMS media: not https is refused; an address nobody answers is said so. */
  entry_row = find_type (GTK_WIDGET (sms_editor (pane)), ADW_TYPE_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (entry_row), "http://example.com/poster.jpg");
  g_signal_emit_by_name (entry_row, "apply");
  g_assert_true (turnout_test_shows_part (pane, "is not an https address"));
  gtk_editable_set_text (GTK_EDITABLE (entry_row), "https://127.0.0.1:1/poster.jpg");
  g_signal_emit_by_name (entry_row, "apply");
  spin_until (turnout_test_shows_part (pane, "Could not reach the address"));
  g_assert_true (turnout_test_shows_part (pane, "MMS · 5 characters"));

  fixture_tear_down (&fixture);
}

static void
test_delete (void)
{
  Fixture fixture = { 0 };
  GtkWidget *pane;
  AdwMessageDialog *dialog;
  GtkListBox *list;

  fixture_set_up (&fixture, "delete.db");
  pane = fixture.pane;
  turnout_test_exec_sql (fixture.store,
                         "INSERT INTO automations (name, trigger, template_id, created_at,"
                         " updated_at) SELECT 'Reminder', 'before_event', id, 0, 0 FROM templates"
                         " WHERE name = 'Ticket Confirmation (SMS)'");

  list = GTK_LIST_BOX (find_widget (pane, is_template_list, NULL));

  /* Going from one channel's template to the other's and back shows each
   * as stored. */
  choose_template (list, "Ticket Confirmation (SMS)");
  spin_until (g_str_equal (gtk_editable_get_text (name_entry (pane)), "Ticket Confirmation (SMS)"));
  {
    g_autofree char *text = message_text (pane);
    g_autofree char *stored = turnout_test_query_text (fixture.store,
                                                       "SELECT body_text FROM templates WHERE"
                                                       " name = 'Ticket Confirmation (SMS)'");
    g_assert_cmpstr (text, ==, stored);
  }
  choose_template (list, "Ticket Confirmation (Email)");
  spin_until (g_str_equal (gtk_editable_get_text (name_entry (pane)),
                           "Ticket Confirmation (Email)"));
  g_assert_true (gtk_widget_get_mapped (find_type (pane, TURNOUT_TYPE_EMAIL_EDITOR)));
  choose_template (list, "Ticket Confirmation (SMS)");
  spin_until (g_str_equal (gtk_editable_get_text (name_entry (pane)), "Ticket Confirmation (SMS)"));
  {
    g_autofree char *text = message_text (pane);
    g_assert_nonnull (strstr (text, "{first_name|there}"));
  }
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM templates"
                                                          " WHERE body_text = ''"
                                                          " AND channel = 'sms'"), ==, 0);

  /* Refused while an automation uses it, naming the automation. */
  gtk_widget_activate_action (pane, "templates.delete", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (turnout_test_shows_part (GTK_WIDGET (fixture.window), "the automation “Reminder”"));
  g_assert_cmpint (count_templates (fixture.store), ==, 8);

  /* Once the automation is gone, it goes. */
  turnout_test_exec_sql (fixture.store, "DELETE FROM automations");
  gtk_widget_activate_action (pane, "templates.delete", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (count_templates (fixture.store) == 7
              && !turnout_test_shows (pane, "Ticket Confirmation (SMS)"));

  fixture_tear_down (&fixture);
}

static void
test_check (void)
{
  Fixture fixture = { 0 };
  GtkWindow *window;
  GtkWidget *pane;

  fixture_set_up (&fixture, "check.db");
  pane = fixture.pane;
  g_assert_true (gtk_widget_activate_action (pane, "templates.new", "s", "sms"));
  gtk_text_buffer_set_text (message_buffer (pane), "Hi {first_name}, see you at {event_name|the "
                            "show}! {unsubscribe}", -1);

  /* Against all contacts: both get it; the one without a first name
   * would see a blank, and is named. */
  g_assert_true (gtk_widget_activate_action (pane, "templates.check", NULL));
  spin_until ((window = turnout_test_find_toplevel (ADW_TYPE_WINDOW)) != NULL
              && turnout_test_shows (GTK_WIDGET (window), "Get the message")
              && turnout_test_shows (GTK_WIDGET (window), "Estimated cost"));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Check “”");
  g_assert_true (turnout_test_shows (GTK_WIDGET (window), "Would see a blank"));
  g_assert_true (turnout_test_shows (GTK_WIDGET (window), "{first_name}"));
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (window), "Zed (first_name)"));
  g_assert_true (turnout_test_shows (GTK_WIDGET (window), "Add a fallback: {first_name|…}"));
  g_assert_true (turnout_test_shows (GTK_WIDGET (window), "$0.02"));
  gtk_window_destroy (window);

  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/templates-pane/sms", test_sms);
  g_test_add_func ("/templates-pane/delete", test_delete);
  g_test_add_func ("/templates-pane/check", test_check);

  return g_test_run ();
}
