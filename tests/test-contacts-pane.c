/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-contacts-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-contact-editor.h"
#include "turnout-contacts-pane.h"
#include "turnout-fake-twilio.h"
#include "turnout-phone.h"
#include "turnout-send-text-dialog.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-test-smtp.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The contacts pane as a user meets it, in a window of its own under Xvfb:
 * the rows of a seeded store, the count, search as you type, sorting by a
 * column header, the empty and no-results pages, deleting with undo and
 * deleting for real when the toast goes, tagging every row of a large
 * selection, texting selected contacts by hand through a fake Twilio, and
 * scrolling to the end of 20,000 rows. Every wait spins the
 * main loop until a condition holds and fails after a timeout.
 */


/* The store ------------------------------------------------------------- */

static const char * const first_names[] = {
  "Ana", "Ben", "Chloé", "Dev", "Zoë", "Hugo", "Ines", "Jamal", "Kai", "Lena",
};
static const char * const last_names[] = {
  "Ruiz", "Okafor", "Nguyen", "Smith", "Müller", "Rossi", "Kim", "Dubois", "Berg", "Walsh",
};

static void
store_exec (TurnoutStore *store,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  char *message = NULL;

  g_assert_no_error (error);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  turnout_store_release (store, db);
}

static char *
store_text (TurnoutStore *store,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  char *text;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return text;
}

static gint64
store_int (TurnoutStore *store,
           const char   *sql)
{
  g_autofree char *text = store_text (store, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

/* Contact i has a unique email, person<i>@example.com, and a US number. */
static TurnoutStore *
open_store (const char *name,
            int         n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path (name);
  TurnoutStore *store;
  sqlite3 *db;
  sqlite3_stmt *insert = NULL;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);

  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO contacts (id, first_name, last_name, phone,"
                                       " email, created_at, updated_at)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)", -1, &insert, NULL),
                   ==, SQLITE_OK);
  for (int i = 1; i <= n; i++)
    {
      g_autofree char *phone = g_strdup_printf ("+1650%07d", i);
      g_autofree char *email = g_strdup_printf ("person%d@example.com", i);

      sqlite3_bind_int (insert, 1, i);
      sqlite3_bind_text (insert, 2, first_names[i % G_N_ELEMENTS (first_names)], -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, last_names[(i / 10) % G_N_ELEMENTS (last_names)], -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, email, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  turnout_store_release (store, db);
  return store;
}

/* Widgets ---------------------------------------------------------------- */

static gboolean
is_label_with_prefix (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), data);
}

/* On screen: mapped, and inside the part of the list scrolled into view
 * (the list keeps some rows it has scrolled away from, such as the one with
 * the keyboard focus). */
static gboolean
is_on_screen (GtkWidget *widget)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (viewport == NULL)
    return TRUE;
  if (!gtk_widget_compute_bounds (widget, viewport, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (viewport);
}

static gboolean
is_shown_text (GtkWidget     *widget,
               gconstpointer  data)
{
  return GTK_IS_INSCRIPTION (widget) &&
         g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), data) == 0 &&
         is_on_screen (widget);
}

static gboolean
is_shown_text_containing (GtkWidget     *widget,
                          gconstpointer  data)
{
  const char *text = GTK_IS_INSCRIPTION (widget) ? gtk_inscription_get_text (GTK_INSCRIPTION (widget))
                                                 : NULL;

  return text != NULL && strstr (text, data) != NULL && is_on_screen (widget);
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
is_menu_button_labelled (GtkWidget     *widget,
                         gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), data) == 0;
}

static gboolean
is_status_page_titled (GtkWidget     *widget,
                       gconstpointer  data)
{
  return ADW_IS_STATUS_PAGE (widget) &&
         g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), data) == 0;
}

/* Shows @text as a row cell of the list, on screen. */
static gboolean
shows_text (GtkWidget  *pane,
            const char *text)
{
  return find_widget (pane, is_shown_text, text) != NULL;
}

static gboolean
shows_count (GtkWidget *pane,
             guint      n)
{
  g_autofree char *label = g_strdup_printf (n == 1 ? "%'u contact" : "%'u contacts", n);
  GtkWidget *search = find_type (pane, GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *count = gtk_widget_get_last_child (gtk_widget_get_parent (search));

  return GTK_IS_LABEL (count) && g_str_equal (gtk_label_get_label (GTK_LABEL (count)), label);
}

static gboolean
shows_status_page (GtkWidget  *pane,
                   const char *title)
{
  GtkWidget *page = find_widget (pane, is_status_page_titled, title);

  return page != NULL && gtk_widget_get_mapped (page);
}

static gboolean
shows_placeholders (GtkWidget *pane)
{
  return shows_text (pane, "…");
}

static GtkSelectionModel *
get_selection (GtkWidget *pane)
{
  return gtk_column_view_get_model (GTK_COLUMN_VIEW (find_type (pane, GTK_TYPE_COLUMN_VIEW)));
}

/* The action a key runs in the pane, from the pane's own shortcuts: what
 * pressing that key does. */
static char *
dup_key_action (GtkWidget  *pane,
                const char *accelerator)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (pane);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted) &&
              GTK_IS_NAMED_ACTION (action))
            return g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
        }
    }
  return NULL;
}

static void
press_key (GtkWidget  *pane,
           const char *accelerator)
{
  g_autofree char *action = dup_key_action (pane, accelerator);

  if (action == NULL)
    g_error ("%s does nothing in the contacts pane", accelerator);
  g_assert_true (gtk_widget_activate_action (pane, action, NULL));
}

typedef struct
{
  GtkWindow    *window;
  GtkWidget    *pane;
  TurnoutStore *store;
} Shown;

static void
show_pane (Shown        *shown,
           TurnoutStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;

  shown->store = store;
  shown->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (shown->window, 1000, 700);
  shown->pane = turnout_contacts_pane_new ();
  g_object_add_weak_pointer (G_OBJECT (shown->pane), (gpointer *) &shown->pane);
  gtk_window_set_child (shown->window, shown->pane);
  if (store != NULL)
    {
      settings = turnout_settings_new (store, &error);
      g_assert_no_error (error);
      turnout_contacts_pane_set_settings (TURNOUT_CONTACTS_PANE (shown->pane), settings);
      turnout_contacts_pane_set_store (TURNOUT_CONTACTS_PANE (shown->pane), store);
      g_assert_true (turnout_contacts_pane_get_store (TURNOUT_CONTACTS_PANE (shown->pane)) == store);
    }
  gtk_window_present (shown->window);
  spin_until (gtk_widget_get_mapped (shown->pane));
}

/* Destroys the window; the pane and the store must go with it once the
 * work they started is done. */
static void
close_pane (Shown *shown)
{
  g_object_ref (shown->window);
  gtk_window_destroy (shown->window);
  spin_until (G_OBJECT (shown->window)->ref_count == 1);
  g_assert_finalize_object (shown->window);
  /* Work the pane started may hold it a moment longer. */
  spin_until (shown->pane == NULL);
  if (shown->store != NULL)
    turnout_test_finalize_object (shown->store);
}

/* Tests ------------------------------------------------------------------- */

static TurnoutContactEditor *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  TurnoutContactEditor *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TURNOUT_IS_CONTACT_EDITOR (window))
        found = TURNOUT_CONTACT_EDITOR (window);
    }
  return found;
}

/* Enter (or a double click) on a row opens the editor for that person; a
 * save there shows in the list. Ctrl+N opens it for a new contact. */
static void
test_open_editor (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("editor.db", 30);
  GtkColumnView *view;
  TurnoutContactEditor *editor;

  show_pane (&shown, store);
  spin_until (shows_count (shown.pane, 30));
  view = GTK_COLUMN_VIEW (find_type (shown.pane, GTK_TYPE_COLUMN_VIEW));
  spin_until (!shows_placeholders (shown.pane));

  g_signal_emit_by_name (view, "activate", 0);
  spin_until ((editor = find_editor ()) != NULL);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == shown.window);
  gtk_window_destroy (GTK_WINDOW (editor));
  spin_until (find_editor () == NULL);

  press_key (shown.pane, "<Control>n");
  spin_until ((editor = find_editor ()) != NULL);
  gtk_window_destroy (GTK_WINDOW (editor));
  spin_until (find_editor () == NULL);

  close_pane (&shown);
}


static void
test_rows_and_count (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("rows.db", 500);
  g_autofree char *first = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1");
  g_autofree char *first_phone = store_text (store, "SELECT phone FROM contacts ORDER BY last_name"
                                                    " COLLATE NOCASE, first_name COLLATE NOCASE,"
                                                    " id LIMIT 1");
  g_autofree char *phone_display = turnout_phone_format_display (first_phone);

  show_pane (&shown, store);
  spin_until (shows_count (shown.pane, 500));
  spin_until (shows_text (shown.pane, first));
  g_assert_false (shows_placeholders (shown.pane));
  /* The phone, as people of its country write it. */
  g_assert_cmpstr (phone_display, ==, "+1 650-000-0080");
  g_assert_true (shows_text (shown.pane, phone_display));
  g_assert_true (shows_text (shown.pane, "Ana Berg"));
  /* Nothing selected: no selection bar. */
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (find_type (shown.pane,
                                                                          GTK_TYPE_REVEALER))));

  /* A click on a column header sorts by it, in SQL. */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (find_type (shown.pane, GTK_TYPE_COLUMN_VIEW));
    GListModel *columns = gtk_column_view_get_columns (view);
    g_autofree char *last = store_text (store, "SELECT email FROM contacts ORDER BY phone DESC"
                                               " LIMIT 1");

    for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        if (g_str_equal (gtk_column_view_column_get_title (column), "Phone"))
          gtk_column_view_sort_by_column (view, column, GTK_SORT_DESCENDING);
      }
    g_assert_cmpstr (last, ==, "person500@example.com");
    spin_until (shows_text (shown.pane, last));
    g_assert_false (shows_text (shown.pane, first));
  }

  /* The sort menu, the keyboard's way: follows the header, and sorts by
   * what has no column too. */
  {
    g_autofree char *sort_by = NULL;
    gboolean descending;

    g_object_get (shown.pane, "sort-by", &sort_by, "sort-descending", &descending, NULL);
    g_assert_cmpstr (sort_by, ==, "phone");
    g_assert_true (descending);
    g_assert_true (gtk_widget_activate_action (shown.pane, "contacts.sort-by", "s", "created"));
    g_assert_true (gtk_widget_activate_action (shown.pane, "contacts.sort-descending", NULL));
    spin_until (shows_text (shown.pane, "person1@example.com"));
    g_assert_false (shows_text (shown.pane, "person500@example.com"));
    g_clear_pointer (&sort_by, g_free);
    g_object_get (shown.pane, "sort-by", &sort_by, "sort-descending", &descending, NULL);
    g_assert_cmpstr (sort_by, ==, "created");
    g_assert_false (descending);
  }

  close_pane (&shown);
}

static void
test_search (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("search.db", 500);
  GtkWidget *entry;
  gint64 zoe = store_int (store, "SELECT count(*) FROM contacts WHERE first_name = 'Zoë'");

  show_pane (&shown, store);
  spin_until (shows_count (shown.pane, 500));
  entry = find_type (shown.pane, GTK_TYPE_SEARCH_ENTRY);

  /* Ctrl+F puts the keyboard in the search entry. */
  press_key (shown.pane, "<Control>f");
  g_assert_nonnull (gtk_root_get_focus (GTK_ROOT (shown.window)));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (shown.window)), entry));

  /* Typing searches, and the count follows. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "zoe");
  spin_until (shows_count (shown.pane, zoe));
  spin_until (shows_text (shown.pane, "Zoë Berg"));
  g_assert_false (shows_text (shown.pane, "Ana Berg"));

  /* A phone number as typed locally. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "(650) 000-0123");
  spin_until (shows_count (shown.pane, 1));
  spin_until (shows_text (shown.pane, "person123@example.com"));

  /* Nothing found: a page says so. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "nobody-by-this-name");
  spin_until (shows_status_page (shown.pane, "No Results"));
  g_assert_true (shows_count (shown.pane, 0));

  /* Escape clears the search. */
  g_signal_emit_by_name (entry, "stop-search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  spin_until (shows_count (shown.pane, 500));
  spin_until (!shows_status_page (shown.pane, "No Results"));

  close_pane (&shown);
}

static void
test_empty_store (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("empty.db", 0);

  show_pane (&shown, store);
  spin_until (shows_status_page (shown.pane, "No Contacts Yet"));
  g_assert_nonnull (find_widget (shown.pane, is_button_labelled, "_Import Contacts…"));
  g_assert_true (shows_count (shown.pane, 0));

  /* Contacts imported elsewhere appear on refresh. */
  store_exec (store, "INSERT INTO contacts (first_name, email, created_at, updated_at)"
                     " VALUES ('Nia', 'nia@example.com', 0, 0)");
  turnout_contacts_pane_refresh (TURNOUT_CONTACTS_PANE (shown.pane));
  spin_until (shows_text (shown.pane, "nia@example.com"));
  g_assert_false (shows_status_page (shown.pane, "No Contacts Yet"));

  close_pane (&shown);
}

static GtkWidget *
find_toast_button (GtkWidget  *pane,
                   const char *label)
{
  return find_widget (pane, is_button_labelled, label);
}

static void
test_delete_and_undo (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("undo.db", 300);
  g_autofree char *first = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1");
  GtkSelectionModel *selection;
  GtkWidget *undo;

  show_pane (&shown, store);
  spin_until (shows_text (shown.pane, first));
  selection = get_selection (shown.pane);

  /* Select the first three rows: the selection bar says so. */
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  spin_until (find_widget (shown.pane, is_label_with_prefix, "3 contacts selected") != NULL);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (find_type (shown.pane,
                                                                         GTK_TYPE_REVEALER))));

  /* Delete: the rows go at once, the store keeps them while undo is
   * offered. */
  press_key (shown.pane, "Delete");
  spin_until (shows_count (shown.pane, 297));
  spin_until (!shows_text (shown.pane, first));
  spin_until (find_widget (shown.pane, is_label_with_prefix, "3 contacts deleted") != NULL);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contacts"), ==, 300);

  /* Undo brings them back, and nothing is deleted. */
  undo = find_toast_button (shown.pane, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  spin_until (shows_count (shown.pane, 300));
  spin_until (shows_text (shown.pane, first));
  /* Long enough for a toast to have expired: still all there. */
  {
    gint64 until = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;

    spin_until (g_get_monotonic_time () > until);
  }
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contacts"), ==, 300);
  g_assert_true (shows_count (shown.pane, 300));

  close_pane (&shown);
}

static void
test_delete_for_real (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("delete.db", 300);
  g_autofree char *first = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1");
  g_autofree char *third = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1 OFFSET 2");

  show_pane (&shown, store);
  spin_until (shows_text (shown.pane, first));

  /* Two rows, not next to each other. */
  gtk_selection_model_select_item (get_selection (shown.pane), 0, TRUE);
  gtk_selection_model_select_item (get_selection (shown.pane), 2, FALSE);
  press_key (shown.pane, "Delete");
  spin_until (shows_count (shown.pane, 298));
  g_assert_false (shows_text (shown.pane, third));

  /* The toast goes by itself; then they are deleted from the store. */
  spin_until (store_int (store, "SELECT count(*) FROM contacts") == 298);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE email IN ('%s', '%s')",
                                            first, third);

    g_assert_cmpint (store_int (store, sql), ==, 0);
  }
  spin_until (find_toast_button (shown.pane, "_Undo") == NULL);
  g_assert_true (shows_count (shown.pane, 298));

  /* A delete still undoable when the pane goes happens then. */
  gtk_selection_model_select_item (get_selection (shown.pane), 0, TRUE);
  press_key (shown.pane, "Delete");
  spin_until (shows_count (shown.pane, 297));
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contacts"), ==, 298);
  shown.store = NULL;
  close_pane (&shown);
  spin_until (store_int (store, "SELECT count(*) FROM contacts") == 297);
  turnout_test_finalize_object (store);
}

static GtkWidget *
find_message_dialog (void)
{
  GtkWidget *dialog = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      dialog = l->data;
  return dialog;
}

static void
test_tag_all (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("tag.db", 5000);
  g_autofree char *first = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1");
  GtkWidget *dialog = NULL;
  GtkWidget *entry;

  store_exec (store, "INSERT INTO tags (name, kind) VALUES ('Techno', 'genre'), ('House', 'genre')");
  show_pane (&shown, store);
  spin_until (shows_text (shown.pane, first));

  /* Ctrl+A selects every row, far more than are read. */
  press_key (shown.pane, "<Control>a");
  spin_until (find_widget (shown.pane, is_label_with_prefix, "5000 contacts selected") != NULL);

  /* Ctrl+E would export them (through a file chooser, not followed here). */
  {
    g_autofree char *export = dup_key_action (shown.pane, "<Control>e");

    g_assert_cmpstr (export, ==, "contacts.export");
  }
  g_assert_true (gtk_widget_activate_action (shown.pane, "contacts.add-tag", NULL));
  spin_until ((dialog = find_message_dialog ()) != NULL);
  entry = find_type (dialog, GTK_TYPE_ENTRY);

  /* Existing tags are offered as the name is typed; one is picked. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "ECH");
  g_assert_nonnull (find_widget (dialog, is_button_labelled, "Techno"));
  g_assert_null (find_widget (dialog, is_button_labelled, "House"));
  g_signal_emit_by_name (find_widget (dialog, is_button_labelled, "Techno"), "clicked");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Techno");

  /* A bad name is explained, and cannot be applied. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "rock;pop");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply"));
  g_assert_nonnull (find_widget (dialog, is_label_with_prefix, "A tag name cannot contain"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "VIP");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");

  /* All tagged, and the rows on screen show it where they are. */
  spin_until (find_widget (shown.pane, is_label_with_prefix, "Tagged 5000 contacts") != NULL);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contact_tags"), ==, 5000);
  spin_until (find_widget (shown.pane, is_shown_text_containing, "VIP") != NULL);
  g_assert_true (shows_text (shown.pane, first));
  g_assert_nonnull (find_widget (shown.pane, is_label_with_prefix, "5000 contacts selected"));

  close_pane (&shown);
}

static void
test_scroll_to_end (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("scroll.db", 20000);
  g_autofree char *first = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                              " COLLATE NOCASE, first_name COLLATE NOCASE, id"
                                              " LIMIT 1");
  g_autofree char *last = store_text (store, "SELECT email FROM contacts ORDER BY last_name"
                                             " COLLATE NOCASE DESC, first_name COLLATE NOCASE"
                                             " DESC, id DESC LIMIT 1");
  g_autofree char *last_but_one = store_text (store, "SELECT email FROM contacts ORDER BY"
                                                     " last_name COLLATE NOCASE DESC, first_name"
                                                     " COLLATE NOCASE DESC, id DESC LIMIT 1"
                                                     " OFFSET 1");
  GtkWidget *list_view;

  show_pane (&shown, store);
  spin_until (shows_count (shown.pane, 20000));
  spin_until (shows_text (shown.pane, first));

  /* As the End key does: scroll the list to its last row. */
  list_view = find_type (shown.pane, GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list_view);
  g_assert_true (gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", 20000 - 1));
  /* Once laid out, the last rows are there, read, and nothing else. */
  spin_until (shows_text (shown.pane, last) && shows_text (shown.pane, last_but_one) &&
              !shows_placeholders (shown.pane));

  close_pane (&shown);
}

static guint fake_port;

static gboolean
is_button_tooltipped (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_widget_get_tooltip_text (widget), data) == 0;
}

static const char *
row_subtitle (GtkWidget  *dialog,
              const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_widgets (dialog, is_type, GSIZE_TO_POINTER (ADW_TYPE_ACTION_ROW), rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return adw_action_row_get_subtitle (g_ptr_array_index (rows, i));
  return NULL;
}

/* The dialog's row titled @title, whatever its kind. */
static GtkWidget *
find_row (GtkWidget  *dialog,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_widgets (dialog, is_type, GSIZE_TO_POINTER (ADW_TYPE_PREFERENCES_ROW), rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  g_error ("No row “%s”", title);
}

static void
type_message (GtkWidget  *dialog,
              const char *text)
{
  GtkTextView *view = GTK_TEXT_VIEW (find_type (dialog, GTK_TYPE_TEXT_VIEW));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

/* Two contacts selected, one who opted out: the dialog says who gets the
 * text and who is left out, counts the text as the first gets it, refuses
 * a misspelt field with its place, asks before sending with the count and
 * the cost, and sends exactly one text, merged, to the fake Twilio; each
 * contact's outcome is listed, and the text is in the send log. */
static void
test_send_text (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("text.db", 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autoptr(TurnoutFakeMessage) sent = NULL;
  g_autofree char *sent_line = NULL;
  TurnoutSettings *settings;
  GtkWidget *dialog, *question, *send_button;

  g_assert_no_error (error);
  /* Ben Ruiz (1) said yes to texts; Chloé Ruiz (2) opted out. */
  store_exec (store, "UPDATE contacts SET sms_consent = 'opted_in', phone = '+16505550101'"
                     " WHERE id = 1;"
                     "UPDATE contacts SET sms_consent = 'opted_out', phone = '+16505550102'"
                     " WHERE id = 2;");
  show_pane (&shown, store);
  settings = turnout_contacts_pane_get_settings (TURNOUT_CONTACTS_PANE (shown.pane));
  g_assert_true (turnout_settings_set (settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM, &error));
  /* A round price, so the cost reads plainly. */
  g_assert_true (turnout_settings_set (settings, "sms.price_per_segment", "0.05", &error));
  g_assert_no_error (error);
  spin_until (shows_count (shown.pane, 2) && !shows_placeholders (shown.pane));

  press_key (shown.pane, "<Control>a");
  spin_until (find_widget (shown.pane, is_label_with_prefix, "2 contacts selected") != NULL);
  send_button = find_widget (shown.pane, is_menu_button_labelled, "_Send…");
  g_assert_nonnull (send_button);
  g_assert_true (gtk_widget_is_sensitive (send_button));
  press_key (shown.pane, "<Control><Shift>m");
  spin_until ((dialog = GTK_WIDGET (turnout_test_find_toplevel (TURNOUT_TYPE_SEND_TEXT_DIALOG)))
              != NULL);
  g_object_ref (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == shown.window);
  spin_until (turnout_test_shows (dialog, "2 contacts: 1 will get it; 1 is left out: opted out"));
  g_assert_true (turnout_test_shows (dialog, "Left out: Chloé Ruiz (opted out)"));
  /* Nothing typed, nothing to send. */
  g_assert_false (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                        "_Send to 1 person (≈ $0.00)")));

  /* A misspelt field is named with its place, and nothing can be sent. */
  type_message (dialog, "Hi {frist_name}, doors at 10!");
  spin_until (turnout_test_shows_part (dialog, "Line 1, column 4"));
  g_assert_false (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                        "_Send to 1 person (≈ $0.05)")));

  /* Counted as Ben gets it, the only one who will. */
  type_message (dialog, "Hi {first_name}, doors at 10!");
  spin_until (turnout_test_shows (dialog,
                                  "GSM-7 · 20 characters · 1 segment, as Ben Ruiz gets it"));
  g_assert_false (turnout_test_shows_part (dialog, "Line 1"));
  g_assert_true (turnout_test_shows (dialog, "≈ $0.05 in all: 1 segment at $0.0500 each"));
  g_assert_true (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                       "_Send to 1 person (≈ $0.05)")));
  /* A media address must be https, and says so. */
  {
    GtkWidget *media = find_row (dialog, "Add an https address");

    gtk_editable_set_text (GTK_EDITABLE (media), "ftp://example.com/poster.jpg");
    g_signal_emit_by_name (media, "apply");
    g_assert_true (turnout_test_shows_part (dialog, "is not an https address"));
    /* One that is makes it an MMS, priced as one; removed, a text again. */
    gtk_editable_set_text (GTK_EDITABLE (media), "https://example.com/poster.jpg");
    g_signal_emit_by_name (media, "apply");
    g_assert_false (turnout_test_shows_part (dialog, "is not an https address"));
    g_assert_true (turnout_test_shows (dialog, "https://example.com/poster.jpg"));
    g_assert_true (turnout_test_shows (dialog, "MMS · 20 characters, as Ben Ruiz gets it"));
    g_assert_true (turnout_test_shows (dialog, "≈ $0.02 in all: 1 MMS at $0.0220 each"));
    g_signal_emit_by_name (find_widget (dialog, is_button_tooltipped, "Remove"), "clicked");
    g_assert_false (turnout_test_shows (dialog, "https://example.com/poster.jpg"));
    g_assert_true (turnout_test_shows (dialog, "≈ $0.05 in all: 1 segment at $0.0500 each"));
  }

  /* The last question repeats the count and the cost; Ctrl+Return asks it. */
  g_assert_true (gtk_widget_activate_action (dialog, "send-text.send", NULL));
  spin_until ((question = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (question)), ==,
                   "Send 1 Text?");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (question)), ==,
                   "1 contact gets this text now, for about $0.05. 1 is left out, as listed.");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "send");
  /* As a click does: the question goes once answered. */
  gtk_window_destroy (GTK_WINDOW (question));

  /* Both outcomes shown: the text sent with Twilio's id, the opt-out refused. */
  spin_until (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (find_type (dialog,
                                                                          GTK_TYPE_PROGRESS_BAR)))
              == 1.0
              && g_strcmp0 (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (
                              find_type (dialog, GTK_TYPE_PROGRESS_BAR))), "1 sent, 1 not sent")
                 == 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 1);
  sent = turnout_fake_twilio_dup_accepted (fake, 0);
  g_assert_cmpstr (sent->to, ==, "+16505550101");
  g_assert_cmpstr (sent->body, ==, "Hi Ben, doors at 10!");
  sent_line = g_strdup_printf ("Sent · %s", sent->sid);
  g_assert_cmpstr (row_subtitle (dialog, "Ben Ruiz"), ==, sent_line);
  g_assert_cmpstr (row_subtitle (dialog, "Chloé Ruiz"), ==, "Not sent: opted out of texts");
  g_assert_true (turnout_test_shows (dialog, sent_line));
  g_assert_true (turnout_test_shows (dialog, "Not sent: opted out of texts"));

  /* Logged like a campaign's message, with no campaign. */
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM messages"), ==, 1);
  {
    g_autofree char *row = store_text (store, "SELECT contact_id || ' ' || state || ' ' ||"
                                              " provider_id || ' ' || body FROM messages"
                                              " WHERE campaign_id IS NULL"
                                              " AND automation_id IS NULL");
    g_autofree char *expected = g_strdup_printf ("1 sent %s Hi Ben, doors at 10!", sent->sid);

    g_assert_cmpstr (row, ==, expected);
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  turnout_test_finalize_object (dialog);
  close_pane (&shown);
}

/* Stop lets the text on its way finish and sends no more: with slow
 * answers, stopped during the first of three, exactly one text reaches the
 * fake and the other two say they were not sent. */
static void
test_send_text_stop (void)
{
  Shown shown;
  TurnoutStore *store = open_store ("text-stop.db", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  TurnoutSettings *settings;
  GtkWidget *dialog, *question;
  GtkProgressBar *progress;

  g_assert_no_error (error);
  turnout_fake_twilio_set_delay (fake, 1000, TRUE);
  turnout_fake_twilio_fail_next (fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_SLOW, 3);
  store_exec (store, "UPDATE contacts SET sms_consent = 'opted_in',"
                     " phone = '+1650555010' || id;");
  show_pane (&shown, store);
  settings = turnout_contacts_pane_get_settings (TURNOUT_CONTACTS_PANE (shown.pane));
  g_assert_true (turnout_settings_set (settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM, &error));
  g_assert_no_error (error);
  spin_until (shows_count (shown.pane, 3) && !shows_placeholders (shown.pane));

  press_key (shown.pane, "<Control>a");
  spin_until (find_widget (shown.pane, is_label_with_prefix, "3 contacts selected") != NULL);
  g_assert_true (gtk_widget_activate_action (shown.pane, "contacts.send-text", NULL));
  spin_until ((dialog = GTK_WIDGET (turnout_test_find_toplevel (TURNOUT_TYPE_SEND_TEXT_DIALOG)))
              != NULL);
  g_object_ref (dialog);
  spin_until (turnout_test_shows (dialog, "3 contacts: all will get it"));
  type_message (dialog, "Doors at 10");
  g_assert_true (gtk_widget_activate_action (dialog, "send-text.send", NULL));
  spin_until ((question = find_message_dialog ()) != NULL);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "send");
  gtk_window_destroy (GTK_WINDOW (question));

  /* Stopped while the first is on its way. */
  spin_until (g_strcmp0 (row_subtitle (dialog, "Ben Ruiz"), "Sending…") == 0);
  g_assert_true (gtk_widget_activate_action (dialog, "send-text.stop", NULL));
  progress = GTK_PROGRESS_BAR (find_type (dialog, GTK_TYPE_PROGRESS_BAR));
  g_assert_cmpstr (gtk_progress_bar_get_text (progress), ==, "Stopping after the text being sent…");
  spin_until (g_strcmp0 (gtk_progress_bar_get_text (progress), "Stopped: 1 sent, 2 not sent") == 0);
  g_assert_true (g_str_has_prefix (row_subtitle (dialog, "Ben Ruiz"), "Sent · SM"));
  g_assert_cmpstr (row_subtitle (dialog, "Chloé Ruiz"), ==, "Not sent: stopped before its turn");
  g_assert_cmpstr (row_subtitle (dialog, "Dev Ruiz"), ==, "Not sent: stopped before its turn");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 1);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM messages"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
  turnout_test_finalize_object (dialog);
  close_pane (&shown);
}

/* Where @row offers @text, or GTK_INVALID_LIST_POSITION. */
static guint
find_choice (GtkWidget  *row,
             const char *text)
{
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), text) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* Two contacts selected for an email, one who never agreed to emails: the
 * window says who is left out and why, shows the chosen template's subject
 * as the first gets it, asks before sending, and sends exactly one email,
 * merged, to a real SMTP server (aiosmtpd); the row shows the Message-ID
 * the server got, the other says why it was not sent, and the email is in
 * the send log. */
static void
test_send_email (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  Shown shown;
  TurnoutStore *store = open_store ("email.db", 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("email");
  g_autoptr(TurnoutTemplate) saved = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *port = g_strdup_printf ("%u", server->port);
  g_autofree char *provider_id = NULL;
  g_autofree char *sent_line = NULL;
  g_autofree char *message_id = NULL;
  TurnoutSettings *settings;
  GtkWidget *dialog, *question, *send_button, *template_row;
  guint choice;
  JsonObject *headers;
  JsonArray *to;

  /* Ben Ruiz (1) agreed to emails; Chloé Ruiz (2) never did. */
  store_exec (store, "UPDATE contacts SET email_consent = 'opted_in' WHERE id = 1;");
  turnout_template_set_name (template, "Doors");
  turnout_template_set_subject (template, "Doors at 10, {first_name|friend}!");
  turnout_template_set_body_html (template, "<p>See you there, {first_name}.</p>"
                                            "<p>{unsubscribe}</p>");
  turnout_template_set_body_text (template, "See you there, {first_name}.\n\n{unsubscribe}");
  saved = turnout_templates_save (store, template, &error);
  g_assert_no_error (error);

  show_pane (&shown, store);
  settings = turnout_contacts_pane_get_settings (TURNOUT_CONTACTS_PANE (shown.pane));
  {
    const char * const values[] = {
      "smtp.host", "127.0.0.1",
      "smtp.port", port,
      "smtp.security", "starttls",
      "smtp.username", TURNOUT_TEST_SMTP_USER,
      "smtp.from_address", "tickets@nightowl.test",
      "general.sender_name", "Night Owl Promotions",
      "email.postal_address", "1 High Street, Leeds",
      "email.unsubscribe_mailto", "unsubscribe@nightowl.test",
    };

    for (guint i = 0; i < G_N_ELEMENTS (values); i += 2)
      {
        g_assert_true (turnout_settings_set (settings, values[i], values[i + 1], &error));
        g_assert_no_error (error);
      }
  }
  spin_until (shows_count (shown.pane, 2) && !shows_placeholders (shown.pane));

  press_key (shown.pane, "<Control>a");
  spin_until (find_widget (shown.pane, is_label_with_prefix, "2 contacts selected") != NULL);
  /* Text and email share one Send… menu button in the selection bar. */
  send_button = find_widget (shown.pane, is_menu_button_labelled, "_Send…");
  g_assert_nonnull (send_button);
  g_assert_true (gtk_widget_is_sensitive (send_button));
  press_key (shown.pane, "<Control><Shift>e");
  spin_until ((dialog = GTK_WIDGET (turnout_test_find_toplevel (TURNOUT_TYPE_SEND_TEXT_DIALOG)))
              != NULL);
  g_object_ref (dialog);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Send Email");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == shown.window);
  spin_until (turnout_test_shows (dialog,
                                  "2 contacts: 1 will get it; 1 is left out: no email consent"));
  g_assert_true (turnout_test_shows (dialog, "Left out: Chloé Ruiz (no email consent)"));
  /* Nothing chosen or written, nothing to send; texts' media are not offered. */
  g_assert_false (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                        "_Send to 1 person")));
  g_assert_false (turnout_test_shows_part (dialog, "MMS"));

  /* A written email needs a subject, and says so. */
  type_message (dialog, "Doors at 10, {first_name}.");
  g_assert_true (turnout_test_shows (dialog, "Write a subject: an email can’t go without one"));
  g_assert_false (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                        "_Send to 1 person")));

  /* The template: its subject as Ben gets it. */
  template_row = find_row (dialog, "_Template");
  spin_until ((choice = find_choice (template_row, "Doors")) != GTK_INVALID_LIST_POSITION);
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_row), choice);
  g_assert_true (turnout_test_shows (dialog, "Subject as Ben Ruiz gets it: “Doors at 10, Ben!”"));
  g_assert_false (turnout_test_shows_part (dialog, "Write a subject"));
  g_assert_true (gtk_widget_is_sensitive (find_widget (dialog, is_button_labelled,
                                                       "_Send to 1 person")));

  g_assert_true (gtk_widget_activate_action (dialog, "send-text.send", NULL));
  spin_until ((question = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (question)), ==,
                   "Send 1 Email?");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (question)), ==,
                   "1 contact gets this email now. 1 is left out, as listed.");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "send");
  gtk_window_destroy (GTK_WINDOW (question));

  spin_until (g_strcmp0 (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (
                           find_type (dialog, GTK_TYPE_PROGRESS_BAR))), "1 sent, 1 not sent")
              == 0);

  /* Exactly one email, to Ben, merged. */
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 1);
  message = turnout_test_smtp_dup_message (server, 1);
  to = json_object_get_array_member (message, "rcpt_tos");
  g_assert_cmpuint (json_array_get_length (to), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (to, 0), ==, "person1@example.com");
  headers = json_object_get_object_member (message, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "Subject"), ==, "Doors at 10, Ben!");
  g_assert_nonnull (strstr (json_object_get_string_member (
                              json_object_get_object_member (message, "parts"), "text/plain"),
                            "See you there, Ben."));

  /* Each outcome shown: the Message-ID the server got; why Chloé got none. */
  provider_id = store_text (store, "SELECT provider_id FROM messages");
  /* GMime spells it Message-Id; header names are not case-sensitive. */
  {
    g_autoptr(GList) names = json_object_get_members (headers);

    for (GList *l = names; l != NULL; l = l->next)
      if (g_ascii_strcasecmp (l->data, "Message-ID") == 0)
        message_id = g_strdup (json_object_get_string_member (headers, l->data));
  }
  g_assert_nonnull (message_id);
  g_assert_nonnull (strstr (message_id, provider_id));
  sent_line = g_strdup_printf ("Sent · %s", provider_id);
  g_assert_cmpstr (row_subtitle (dialog, "Ben Ruiz"), ==, sent_line);
  g_assert_cmpstr (row_subtitle (dialog, "Chloé Ruiz"), ==,
                   "Not sent: never agreed to get emails; record their consent first");
  g_assert_true (turnout_test_shows (dialog, sent_line));

  /* Logged in the send log, with no campaign. */
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM messages"), ==, 1);
  {
    g_autofree char *row = store_text (store, "SELECT contact_id || ' ' || channel || ' ' ||"
                                              " state || ' ' || address FROM messages"
                                              " WHERE campaign_id IS NULL"
                                              " AND automation_id IS NULL");

    g_assert_cmpstr (row, ==, "1 email sent person1@example.com");
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  turnout_test_finalize_object (dialog);
  close_pane (&shown);
}

static void
test_no_store (void)
{
  Shown shown;

  show_pane (&shown, NULL);
  spin_until (shows_status_page (shown.pane, "No Contacts Yet"));
  close_pane (&shown);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *url = NULL;

  turnout_test_init (&argc, &argv);
  /* The fake Twilio's address, named while this process has no threads. */
  fake_port = turnout_fake_twilio_pick_port ();
  url = g_strdup_printf ("http://127.0.0.1:%u", fake_port);
  g_setenv ("TURNOUT_TWILIO_API_URL", url, TRUE);
  g_setenv ("TWILIO_ACCOUNT_SID", TURNOUT_FAKE_TWILIO_ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TRUE);
  /* The test mail server's password and its certificate authority. */
  g_setenv ("TURNOUT_SMTP_PASSWORD", TURNOUT_TEST_SMTP_PASSWORD, TRUE);
  g_setenv ("TURNOUT_TLS_CA_FILE", turnout_test_smtp_get_ca_file (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/contacts-pane/rows", test_rows_and_count);
  g_test_add_func ("/contacts-pane/open-editor", test_open_editor);
  g_test_add_func ("/contacts-pane/search", test_search);
  g_test_add_func ("/contacts-pane/empty", test_empty_store);
  g_test_add_func ("/contacts-pane/delete-undo", test_delete_and_undo);
  g_test_add_func ("/contacts-pane/delete-for-real", test_delete_for_real);
  g_test_add_func ("/contacts-pane/tag-all", test_tag_all);
  g_test_add_func ("/contacts-pane/send-text", test_send_text);
  g_test_add_func ("/contacts-pane/send-text-stop", test_send_text_stop);
  g_test_add_func ("/contacts-pane/send-email", test_send_email);
  g_test_add_func ("/contacts-pane/scroll-to-end", test_scroll_to_end);
  g_test_add_func ("/contacts-pane/no-store", test_no_store);

  return g_test_run ();
}
