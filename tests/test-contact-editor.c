/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-contact-editor"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-contact-editor.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The contact editor as a user meets it: an existing contact's fields,
 * consent, history and events; a wrong phone number refused with its
 * reason and nothing stored; an edit saved; a consent change that shows up
 * in the history when the contact is opened again; a new contact; and the
 * GDPR erasure, asked first, that leaves only suppressions. Runs under
 * Xvfb; every wait spins the main loop until a condition holds and fails
 * after a timeout.
 */

/* 2026-05-01T12:00:00Z: the frozen clock of every test. */
#define NOW 1777636800
#define DAY (24 * 60 * 60)


/* The store ------------------------------------------------------------------- */

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

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Ana Ruiz (1): SMS opted in by form, email opted out by import, a tag and
 * a genre, an event attended, one to come (in Berlin), one cancelled. Ben
 * Ode (2) has a number and an address of his own. */
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
    "INSERT INTO contacts (id, first_name, last_name, phone, email, city, time_zone, notes,"
    " sms_consent, sms_consent_at, sms_consent_source,"
    " email_consent, email_consent_at, email_consent_source, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'Oakland',"
    "  'America/Los_Angeles', 'Front row', 'opted_in', %d, 'form', 'opted_out', %d, 'import',"
    "  %d, %d),"
    " (2, 'Ben', 'Ode', '+16505550199', 'ben@example.com', 'Berlin', NULL, '',"
    "  'unknown', NULL, NULL, 'unknown', NULL, NULL, %d, %d);"
    "INSERT INTO tags (id, name, kind) VALUES (1, 'vip', 'tag'), (2, 'Techno', 'genre'),"
    " (3, 'early bird', 'tag');"
    "INSERT INTO contact_tags (contact_id, tag_id) VALUES (1, 1), (1, 2);"
    "INSERT INTO events (id, name, starts_at, time_zone, created_at, updated_at) VALUES"
    " (1, 'Warehouse Night', %d, 'America/Los_Angeles', 0, 0),"
    " (2, 'Summer Rave', %d, 'Europe/Berlin', 0, 0),"
    " (3, 'Cancelled Gig', %d, 'UTC', 0, 0);"
    "INSERT INTO registrations (contact_id, event_id, status, amount, ticket_type, created_at,"
    " updated_at) VALUES (1, 1, 'attended', 2500, 'VIP', 0, 0),"
    " (1, 2, 'registered', 1500, 'General', 0, 0),"
    " (1, 3, 'cancelled', 1000, '', 0, 0);",
    NOW - 10 * DAY, NOW - 5 * DAY, NOW - 30 * DAY, NOW - 30 * DAY, NOW - 30 * DAY,
    NOW - 30 * DAY, NOW - 20 * DAY, NOW + 20 * DAY, NOW - 3 * DAY);
  exec_sql (store, sql);

  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  /* Dates the editor shows do not depend on the machine's zone. */
  turnout_settings_set (*settings, "contacts.default_time_zone", "UTC", &error);
  g_assert_no_error (error);
  return store;
}

/* Widgets ----------------------------------------------------------------- */

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (root, has_name, name, found);
  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

static GPtrArray *
find_all (gpointer root,
          GType    type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (root, is_type, GSIZE_TO_POINTER (type), found);
  return found;
}

static const char *
text_of (gpointer    root,
         const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (find (root, name)));
}

static void
set_text (gpointer    root,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find (root, name)), text);
}

/* The rows an expander row holds, in order; its own header is an action
 * row too, and is left out. */
static GPtrArray *
expander_rows (gpointer    root,
               const char *name)
{
  GtkWidget *expander = find (root, name);
  GPtrArray *rows = find_all (expander, ADW_TYPE_ACTION_ROW);
  const char *header = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (expander));

  for (guint i = rows->len; i > 0; i--)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i - 1)), header) == 0)
      g_ptr_array_remove_index (rows, i - 1);
  return rows;
}

static GStrv
expander_titles (gpointer    root,
                 const char *name)
{
  g_autoptr(GPtrArray) rows = expander_rows (root, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < rows->len; i++)
    g_strv_builder_add (builder, adw_preferences_row_get_title (g_ptr_array_index (rows, i)));
  return g_strv_builder_end (builder);
}

static GtkWidget *
find_row_titled (gpointer    root,
                 const char *expander,
                 const char *title)
{
  g_autoptr(GPtrArray) rows = expander_rows (root, expander);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  g_error ("no row “%s” in %s", title, expander);
}

/* The tags shown as chips, in order. */
static GStrv
chip_tags (gpointer root)
{
  g_autoptr(GPtrArray) buttons = find_all (find (root, "tags-box"), GTK_TYPE_BUTTON);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < buttons->len; i++)
    {
      g_autoptr(GPtrArray) labels = find_all (g_ptr_array_index (buttons, i), GTK_TYPE_LABEL);

      g_assert_cmpuint (labels->len, ==, 1);
      g_strv_builder_add (builder, gtk_label_get_text (g_ptr_array_index (labels, 0)));
    }
  return g_strv_builder_end (builder);
}

static GtkWidget *
find_chip (gpointer    root,
           const char *tag)
{
  g_autoptr(GPtrArray) buttons = find_all (find (root, "tags-box"), GTK_TYPE_BUTTON);
  g_autofree char *tooltip = g_strdup_printf ("Remove “%s”", tag);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)), tooltip) == 0)
      return g_ptr_array_index (buttons, i);
  g_error ("no chip for “%s”", tag);
}

static gboolean
completion_has (TurnoutContactEditor *editor,
                const char           *tag)
{
  GtkEntry *entry = GTK_ENTRY (find (editor, "tag-entry"));
  GtkTreeModel *model = gtk_entry_completion_get_model (gtk_entry_get_completion (entry));
  GtkTreeIter iter;
  gboolean found = FALSE;

  if (!gtk_tree_model_get_iter_first (model, &iter))
    return FALSE;
  do
    {
      g_autofree char *name = NULL;

      gtk_tree_model_get (model, &iter, 0, &name, -1);
      found |= g_strcmp0 (name, tag) == 0;
    }
  while (gtk_tree_model_iter_next (model, &iter));
  return found;
}

static gboolean
save_enabled (TurnoutContactEditor *editor)
{
  return gtk_widget_get_sensitive (find (editor, "save"));
}

/* The message dialog the editor opened, once it is shown. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static GtkWidget *
find_mapped_button (AdwMessageDialog *dialog,
                    const char       *label)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (dialog), is_button_labelled, label, found);
  for (guint i = 0; i < found->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (found, i)))
      return g_ptr_array_index (found, i);
  return NULL;
}

/* Clicks the button the dialog shows (it holds one set of buttons for a
 * wide layout and one for a narrow one), as a user would. */
static void
click_dialog_button (AdwMessageDialog *dialog,
                     const char       *label)
{
  GtkWidget *button;

  spin_until ((button = find_mapped_button (dialog, label)) != NULL);
  g_signal_emit_by_name (button, "clicked");
}

static TurnoutContactEditor *
open_editor (TurnoutStore    *store,
             TurnoutSettings *settings,
             gint64           id)
{
  /* The test's own reference: GTK's goes when the editor closes. */
  TurnoutContactEditor *editor = g_object_ref (turnout_contact_editor_new (store, settings, id));

  gtk_window_present (GTK_WINDOW (editor));
  /* The fields appear once the contact is loaded. */
  spin_until (gtk_widget_get_mapped (find (editor, "first_name")));
  return editor;
}

/* Waits for the editor to close itself, then checks nothing else holds it. */
static void
wait_closed (TurnoutContactEditor *editor)
{
  spin_until (!gtk_widget_get_visible (GTK_WIDGET (editor)));
  turnout_test_finalize_object (editor);
}

static void
on_saved_cb (TurnoutContactEditor *editor,
             gint64                id,
             gint64               *saved_id)
{
  *saved_id = id;
}

/* Tests ------------------------------------------------------------------- */

static void
test_shows_contact (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("shows.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 1);
  const char * const tags[] = { "Techno", "vip", NULL };
  const char * const history[] = { "Email · Opted out", "SMS · Opted in", NULL };
  const char * const events[] = { "Summer Rave", "Cancelled Gig", "Warehouse Night", NULL };
  g_auto(GStrv) shown_tags = chip_tags (editor);
  g_auto(GStrv) shown_history = expander_titles (editor, "history");
  g_auto(GStrv) shown_events = expander_titles (editor, "registrations");
  GtkTextBuffer *notes;
  GtkTextIter start, end;
  g_autofree char *notes_text = NULL;
  AdwComboRow *sms, *email;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "Ana Ruiz");
  g_assert_cmpstr (text_of (editor, "first_name"), ==, "Ana");
  g_assert_cmpstr (text_of (editor, "last_name"), ==, "Ruiz");
  /* The number as people write it, not E.164. */
  g_assert_cmpstr (text_of (editor, "phone"), ==, "+1 650-555-0100");
  g_assert_cmpstr (text_of (editor, "email"), ==, "ana@example.com");
  g_assert_cmpstr (text_of (editor, "city"), ==, "Oakland");
  g_assert_cmpstr (text_of (editor, "time_zone"), ==, "America/Los_Angeles");
  notes = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find (editor, "notes-view")));
  gtk_text_buffer_get_bounds (notes, &start, &end);
  notes_text = gtk_text_buffer_get_text (notes, &start, &end, FALSE);
  g_assert_cmpstr (notes_text, ==, "Front row");
  g_assert_true (g_strv_equal ((const char * const *) shown_tags, tags));

  sms = ADW_COMBO_ROW (find (editor, "sms_consent"));
  email = ADW_COMBO_ROW (find (editor, "email_consent"));
  g_assert_cmpuint (adw_combo_row_get_selected (sms), ==, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sms)), ==,
                   "Since Apr 21, 2026 · sign-up form");
  g_assert_cmpuint (adw_combo_row_get_selected (email), ==, 2);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (email)), ==,
                   "Since Apr 26, 2026 · import");

  /* Every consent change, the most recent first. */
  g_assert_true (g_strv_equal ((const char * const *) shown_history, history));
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (find (editor, "history"))), ==,
                   "2 changes");
  g_assert_cmpstr (adw_action_row_get_subtitle (
                     ADW_ACTION_ROW (find_row_titled (editor, "history", "Email · Opted out"))), ==,
                   "Apr 26, 2026, 12:00 · import");

  /* Registrations, the latest event first, each at its event's time. */
  g_assert_true (g_strv_equal ((const char * const *) shown_events, events));
  g_assert_cmpstr (adw_action_row_get_subtitle (
                     ADW_ACTION_ROW (find_row_titled (editor, "registrations", "Summer Rave"))), ==,
                   "May 21, 2026, 14:00 · Registered · General");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (editor, "events-attended"))), ==, "1");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (editor, "total-spend"))), ==, "$40.00");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (editor, "first-event"))), ==,
                   "Apr 11, 2026");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (editor, "last-event"))), ==,
                   "Apr 11, 2026");

  /* Nothing changed: nothing to save, and Cancel closes without asking. */
  g_assert_false (save_enabled (editor));
  g_assert_true (gtk_widget_get_visible (find (editor, "erase")));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL);
  g_assert_null (find_message_dialog ());
  wait_closed (editor);
}

static void
test_invalid_phone (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("invalid.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 1);
  GtkWidget *phone = find (editor, "phone");
  GtkWidget *phone_error = find (editor, "phone-error");
  AdwMessageDialog *dialog;
  g_autofree char *stored = NULL;

  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (phone_error)));

  /* A number without its area code, checked when the user presses Enter. */
  set_text (editor, "phone", "555-0100");
  g_assert_true (save_enabled (editor));
  g_signal_emit_by_name (phone, "entry-activated");
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (phone_error)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (phone_error)), ==,
                   "“555-0100” is too short: it is missing its area code");
  g_assert_true (gtk_widget_has_css_class (phone, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (phone), ==,
                   "“555-0100” is too short: it is missing its area code");
  g_assert_false (save_enabled (editor));

  /* Ctrl+S does nothing while it is shown; nothing reaches the store. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  stored = query_text (store, "SELECT phone FROM contacts WHERE id = 1");
  g_assert_cmpstr (stored, ==, "+16505550100");

  /* Editing the number takes the message away; Save then shows every
   * wrong field at once, still storing nothing. */
  set_text (editor, "phone", "555-01000");
  g_assert_false (gtk_widget_has_css_class (phone, "error"));
  g_assert_true (save_enabled (editor));
  set_text (editor, "email", "ana@example");
  set_text (editor, "time_zone", "Mars/Olympus_Mons");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  g_assert_true (gtk_widget_has_css_class (phone, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (phone_error)), "555-01000"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (editor, "email-error"))), ==,
                   "“ana@example” is not an email address: after the “@” comes a domain such as "
                   "example.com");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (find (editor, "time_zone-error"))),
                            "Mars/Olympus_Mons"));
  g_assert_false (save_enabled (editor));
  g_clear_pointer (&stored, g_free);
  stored = query_text (store, "SELECT email FROM contacts WHERE id = 1");
  g_assert_cmpstr (stored, ==, "ana@example.com");

  /* A good number is accepted and shown in its country's form. */
  set_text (editor, "phone", "(415) 555 0132");
  g_signal_emit_by_name (phone, "entry-activated");
  g_assert_false (gtk_widget_has_css_class (phone, "error"));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (phone_error)));
  g_assert_cmpstr (text_of (editor, "phone"), ==, "+1 415-555-0132");

  /* Leaving with changes asks first; discarding stores nothing. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL);
  spin_until ((dialog = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard Changes?");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  click_dialog_button (dialog, "_Discard");
  wait_closed (editor);
  g_clear_pointer (&stored, g_free);
  stored = query_text (store, "SELECT phone FROM contacts WHERE id = 1");
  g_assert_cmpstr (stored, ==, "+16505550100");
}

static void
test_save (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("save.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 1);
  const char * const tags[] = { "Techno", "early bird", NULL };
  g_auto(GStrv) shown = NULL;
  g_autofree char *city = NULL;
  g_autofree char *last = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *stored_tags = NULL;
  gint64 saved_id = 0;

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved_cb), &saved_id);

  /* Completion offers the tags stored: they arrive from a worker. */
  spin_until (completion_has (editor, "early bird"));
  g_assert_true (completion_has (editor, "vip"));

  set_text (editor, "last_name", "Ruiz-Díaz");
  set_text (editor, "city", "San Francisco");
  set_text (editor, "phone", "415 555 0132");
  /* A tag added with Enter, one removed with its chip. */
  set_text (editor, "tag-entry", "early bird");
  g_signal_emit_by_name (find (editor, "tag-entry"), "activate");
  g_assert_cmpstr (text_of (editor, "tag-entry"), ==, "");
  g_signal_emit_by_name (find_chip (editor, "vip"), "clicked");
  shown = chip_tags (editor);
  g_assert_true (g_strv_equal ((const char * const *) shown, tags));

  g_assert_true (save_enabled (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  spin_until (saved_id != 0);
  g_assert_cmpint (saved_id, ==, 1);
  wait_closed (editor);

  last = query_text (store, "SELECT last_name FROM contacts WHERE id = 1");
  g_assert_cmpstr (last, ==, "Ruiz-Díaz");
  city = query_text (store, "SELECT city FROM contacts WHERE id = 1");
  g_assert_cmpstr (city, ==, "San Francisco");
  phone = query_text (store, "SELECT phone FROM contacts WHERE id = 1");
  g_assert_cmpstr (phone, ==, "+14155550132");
  stored_tags = query_text (store, "SELECT group_concat (name, ',') FROM (SELECT t.name FROM"
                                   " contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                                   " WHERE ct.contact_id = 1 ORDER BY t.name)");
  g_assert_cmpstr (stored_tags, ==, "early bird,Techno");
  g_assert_cmpint (query_int (store, "SELECT updated_at FROM contacts WHERE id = 1"), ==, NOW);
  /* Consent was not touched, so its history was not either. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history"), ==, 2);
}

static void
test_consent_change (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("consent.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 1);
  const char * const history[] = { "SMS · Opted out", "Email · Opted out", "SMS · Opted in", NULL };
  g_auto(GStrv) shown = NULL;
  g_autofree char *status = NULL;
  g_autofree char *source = NULL;
  AdwComboRow *sms = ADW_COMBO_ROW (find (editor, "sms_consent"));
  gint64 saved_id = 0;

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved_cb), &saved_id);
  adw_combo_row_set_selected (sms, 2);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sms)), ==,
                   "Changed by hand; recorded in the history when you save");
  g_assert_true (save_enabled (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  spin_until (saved_id != 0);
  wait_closed (editor);

  status = query_text (store, "SELECT sms_consent FROM contacts WHERE id = 1");
  g_assert_cmpstr (status, ==, "opted_out");
  source = query_text (store, "SELECT sms_consent_source FROM contacts WHERE id = 1");
  g_assert_cmpstr (source, ==, "manual");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history"), ==, 3);

  /* Opened again, the change is in the history, dated now. */
  editor = open_editor (store, settings, 1);
  sms = ADW_COMBO_ROW (find (editor, "sms_consent"));
  g_assert_cmpuint (adw_combo_row_get_selected (sms), ==, 2);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sms)), ==,
                   "Since May 1, 2026 · set by hand");
  shown = expander_titles (editor, "history");
  g_assert_true (g_strv_equal ((const char * const *) shown, history));
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (find (editor, "history"))), ==,
                   "3 changes");
  g_assert_cmpstr (adw_action_row_get_subtitle (
                     ADW_ACTION_ROW (find_row_titled (editor, "history", "SMS · Opted out"))), ==,
                   "May 1, 2026, 12:00 · set by hand");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL);
  wait_closed (editor);
}

static void
test_new_contact (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("new.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 0);
  GtkWidget *email_error = find (editor, "email-error");
  gint64 saved_id = 0;
  g_autofree char *name = NULL;

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved_cb), &saved_id);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "New Contact");
  g_assert_false (save_enabled (editor));
  /* Nothing to export or erase yet. */
  g_assert_false (gtk_widget_is_visible (find (editor, "erase")));

  /* Someone else's address is refused, with whose it is. */
  set_text (editor, "first_name", "Chloé");
  set_text (editor, "email", "ANA@example.com");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  spin_until (gtk_widget_get_visible (gtk_widget_get_parent (email_error)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (email_error)), ==,
                   "ana@example.com already belongs to Ana Ruiz");
  g_assert_cmpint (saved_id, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 2);

  set_text (editor, "email", "chloe@example.fr");
  g_assert_true (save_enabled (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  spin_until (saved_id != 0);
  g_assert_cmpint (saved_id, ==, 3);
  g_assert_cmpint (turnout_contact_editor_get_contact_id (editor), ==, 3);
  wait_closed (editor);
  name = query_text (store, "SELECT first_name || ' ' || email FROM contacts WHERE id = 3");
  g_assert_cmpstr (name, ==, "Chloé chloe@example.fr");
}

static void
on_erased_cb (TurnoutContactEditor *editor,
              gint64                id,
              gint64               *erased_id)
{
  *erased_id = id;
}

static void
test_erase (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("erase.db", &settings);
  TurnoutContactEditor *editor = open_editor (store, settings, 1);
  AdwMessageDialog *dialog;
  gint64 erased_id = 0;

  g_signal_connect (editor, "erased", G_CALLBACK (on_erased_cb), &erased_id);

  /* The question says what goes and what stays; Cancel keeps her. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.erase", NULL);
  spin_until ((dialog = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase Ana Ruiz?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "kept only as suppressions"));
  click_dialog_button (dialog, "_Cancel");
  spin_until (find_message_dialog () == NULL);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts WHERE id = 1"), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));

  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.erase", NULL);
  spin_until ((dialog = find_message_dialog ()) != NULL);
  click_dialog_button (dialog, "_Erase");
  spin_until (erased_id != 0);
  g_assert_cmpint (erased_id, ==, 1);
  wait_closed (editor);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts WHERE id = 1"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM registrations"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions WHERE channel = 'sms'"
                                     " AND address = '+16505550100'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions WHERE channel = 'email'"
                                     " AND address = 'ana@example.com'"), ==, 1);
  /* Ben is untouched. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 1);
}

static void
test_missing_contact (void)
{
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutStore) store = seeded_store ("missing.db", &settings);
  TurnoutContactEditor *editor = g_object_ref (turnout_contact_editor_new (store, settings, 42));
  g_autoptr(GPtrArray) pages = NULL;
  AdwStatusPage *page = NULL;

  gtk_window_present (GTK_WINDOW (editor));
  pages = find_all (editor, ADW_TYPE_STATUS_PAGE);
  g_assert_cmpuint (pages->len, ==, 1);
  page = g_ptr_array_index (pages, 0);
  spin_until (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "There is no contact 42"));
  g_assert_false (save_enabled (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL);
  wait_closed (editor);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/contact-editor/shows-contact", test_shows_contact);
  g_test_add_func ("/contact-editor/invalid-phone", test_invalid_phone);
  g_test_add_func ("/contact-editor/save", test_save);
  g_test_add_func ("/contact-editor/consent-change", test_consent_change);
  g_test_add_func ("/contact-editor/new-contact", test_new_contact);
  g_test_add_func ("/contact-editor/erase", test_erase);
  g_test_add_func ("/contact-editor/missing-contact", test_missing_contact);

  return g_test_run ();
}
