/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-contact-list"

#include "config.h"

#include <glib/gstdio.h>

#include "turnout-contact.h"
#include "turnout-contact-actions.h"
#include "turnout-contact-list.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-store-private.h"
#include "turnout-test-utils.h"

/*
 * The contact list the contacts pane shows, without GTK: the count, rows
 * read in pages as they are asked for (placeholders first), the bound on
 * the pages kept, sorting by every column against an ORDER BY written
 * here independently, search by name, email and phone (local and
 * international forms), superseded searches, rows hidden while a delete can
 * be undone, and the bulk actions on a selection. Every wait runs the main
 * loop until a condition holds and fails after a timeout.
 */

#define N_CONTACTS 5000
#define PAGE_SIZE 100
#define MAX_PAGES 32
#define DAY 86400


/* Raw SQL, as the test's own independent view of the table -------------- */

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gint64
store_int (TurnoutStore *store,
           const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  gint64 value;

  g_assert_no_error (error);
  value = raw_int (db, sql);
  turnout_store_release (store, db);
  return value;
}

static GArray *
store_ids (TurnoutStore *store,
           const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return ids;
}

/* Seeding ----------------------------------------------------------------- */

static const char * const first_names[] = {
  "Ana", "ben", "Chloé", "Dev", "Zoë", "Hugo", "Ines", "jamal", "Kai", "Lena",
};
static const char * const last_names[] = {
  "Ruiz", "okafor", "Nguyen", "Smith", "Müller", "de Vries", "O'Neil", "Dubois", "Berg", "",
};
static const char * const consents[] = { "opted_in", "opted_out", "unknown" };

/* Contact i (1-based) has: a US number in 650-253, a GB number in 020 7946,
 * a US number elsewhere, or none; an email unless i % 7 == 3; figures from
 * registrations to past events for some. Enough ties and empty values to
 * make every ORDER BY's tie-breaking and empties matter. */
static void
seed (TurnoutStore *store,
      int           n)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *insert = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *events = NULL;

  g_assert_no_error (error);
  raw_exec (db, "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO contacts (id, first_name, last_name, phone,"
                                       " email, city, sms_consent, email_consent, created_at,"
                                       " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'Oakland', ?6, ?7,"
                                       " ?8, ?8)", -1, &insert, NULL), ==, SQLITE_OK);
  for (int i = 1; i <= n; i++)
    {
      const char *first = first_names[i % G_N_ELEMENTS (first_names)];
      g_autofree char *lower = g_utf8_strdown (first, -1);
      g_autofree char *phone = NULL;
      g_autofree char *email = NULL;

      switch (i % 4)
        {
        case 0:
          phone = g_strdup_printf ("+1650253%04d", i);
          break;
        case 1:
          phone = g_strdup_printf ("+44207946%04d", i);
          break;
        case 2:
          phone = g_strdup_printf ("+1212555%04d", i);
          break;
        default:
          break;
        }
      if (i % 7 != 3)
        email = g_strdup_printf ("%s.%d@example.com", lower, i);

      sqlite3_bind_int (insert, 1, i);
      sqlite3_bind_text (insert, 2, first, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, last_names[(i / 10) % G_N_ELEMENTS (last_names)], -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, email, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, consents[i % 3], -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 7, consents[(i / 3) % 3], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 8, 1700000000 + (i * 37) % 1000);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);

  events = g_strdup_printf ("INSERT INTO events (id, name, starts_at, created_at, updated_at)"
                            " VALUES (1, 'Warehouse', %" G_GINT64_FORMAT ", 0, 0),"
                            "        (2, 'Rooftop', %" G_GINT64_FORMAT ", 0, 0),"
                            "        (3, 'Basement', %" G_GINT64_FORMAT ", 0, 0);",
                            now - 30 * DAY, now - 20 * DAY, now - 10 * DAY);
  raw_exec (db, events);
  raw_exec (db,
            "INSERT INTO registrations (contact_id, event_id, status, amount, created_at, updated_at)"
            " SELECT id, 1 + id % 3, 'attended', (id % 5) * 1250, 0, 0 FROM contacts"
            " WHERE id % 3 = 0;"
            "INSERT INTO registrations (contact_id, event_id, status, amount, created_at, updated_at)"
            " SELECT id, 1 + (id + 1) % 3, 'registered', 999, 0, 0 FROM contacts"
            " WHERE id % 6 = 0;"
            "INSERT INTO tags (id, name, kind) VALUES (1, 'techno', 'genre'), (2, 'House', 'genre');"
            "INSERT INTO contact_tags (contact_id, tag_id)"
            " SELECT id, 1 FROM contacts WHERE id % 5 = 0;"
            "INSERT INTO contact_tags (contact_id, tag_id)"
            " SELECT id, 2 FROM contacts WHERE id % 10 = 0;");
  raw_exec (db, "COMMIT");
  turnout_store_release (store, db);
}

static TurnoutStore *
open_store (const char *name,
            int         n_contacts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path (name);
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  if (n_contacts > 0)
    seed (store, n_contacts);
  return store;
}

static TurnoutContactList *
new_list (TurnoutStore    *store,
          TurnoutSettings *settings)
{
  TurnoutContactList *list = turnout_contact_list_new (store, settings);

  spin_until (!turnout_contact_list_get_loading (list));
  return list;
}

static void
wait_settled (TurnoutContactList *list)
{
  spin_until (!turnout_contact_list_get_loading (list));
}

static TurnoutContact *
get_loaded (TurnoutContactList *list,
            guint               position)
{
  TurnoutContact *contact = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_assert_nonnull (contact);
  spin_until (turnout_contact_get_loaded (contact));
  return contact;
}

/* Every id of the list, in order, read as a view would: position by
 * position, waiting for each page. */
static GArray *
list_ids (TurnoutContactList *list)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TurnoutContact) contact = get_loaded (list, i);
      gint64 id = turnout_contact_get_id (contact);

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
assert_same_ids (GArray     *got,
                 GArray     *expected,
                 const char *what)
{
  if (got->len != expected->len)
    g_error ("%s: %u rows, expected %u", what, got->len, expected->len);
  for (guint i = 0; i < got->len; i++)
    if (g_array_index (got, gint64, i) != g_array_index (expected, gint64, i))
      g_error ("%s: row %u is contact %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
               what, i, g_array_index (got, gint64, i), g_array_index (expected, gint64, i));
}

static gboolean
ids_contain (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Tests ------------------------------------------------------------------- */

static void
test_count_and_pages (void)
{
  g_autoptr(TurnoutStore) store = open_store ("pages.db", N_CONTACTS);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(TurnoutContact) first = NULL;
  g_autoptr(TurnoutContact) deep = NULL;
  g_autoptr(GArray) expected = store_ids (store,
                                          "SELECT id FROM contacts ORDER BY last_name COLLATE"
                                          " NOCASE, first_name COLLATE NOCASE, id");
  guint notified = 0;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == TURNOUT_TYPE_CONTACT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_CONTACTS);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), N_CONTACTS));

  /* The first page comes with the count. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (turnout_contact_get_loaded (first));
  g_assert_cmpint (turnout_contact_get_id (first), ==, g_array_index (expected, gint64, 0));

  /* A row further down is a placeholder, filled in place when its page
   * arrives, with one notification of each property that changed. */
  deep = g_list_model_get_item (G_LIST_MODEL (list), 4321);
  g_assert_false (turnout_contact_get_loaded (deep));
  g_assert_cmpstr (turnout_contact_get_display_name (deep), ==, "…");
  g_assert_cmpstr (turnout_contact_get_phone_display (deep), ==, "");
  g_assert_true (turnout_contact_list_get_loading (list));
  g_signal_connect (deep, "notify::display-name", G_CALLBACK (count_notify_cb), &notified);
  spin_until (turnout_contact_get_loaded (deep));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (turnout_contact_get_id (deep), ==, g_array_index (expected, gint64, 4321));
  wait_settled (list);

  /* The same position gives the same object while its page is kept. */
  {
    g_autoptr(TurnoutContact) again = g_list_model_get_item (G_LIST_MODEL (list), 4321);

    g_assert_true (again == deep);
  }

  turnout_test_finalize_object (list);
}

static void
test_row_values (void)
{
  g_autoptr(TurnoutStore) store = open_store ("values.db", 60);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(TurnoutContact) contact = NULL;
  g_autofree char *expected_date = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  /* Contact 30, found by id rather than by position. */
  for (guint i = 0; i < n && contact == NULL; i++)
    {
      TurnoutContact *candidate = get_loaded (list, i);

      if (turnout_contact_get_id (candidate) == 30)
        contact = candidate;
      else
        g_object_unref (candidate);
    }
  g_assert_nonnull (contact);

  /* 30 % 4 == 2: a US number; 30 % 7 != 3: an email; 30 % 3 == 0: attended
   * event 1 (paid 0); 30 % 6 == 0: registered for event 2 (paid 999);
   * tagged techno and House. */
  g_assert_cmpstr (turnout_contact_get_first_name (contact), ==, "Ana");
  g_assert_cmpstr (turnout_contact_get_last_name (contact), ==, "Smith");
  g_assert_cmpstr (turnout_contact_get_display_name (contact), ==, "Ana Smith");
  g_assert_cmpstr (turnout_contact_get_phone (contact), ==, "+12125550030");
  g_assert_cmpstr (turnout_contact_get_phone_display (contact), ==, "+1 212-555-0030");
  g_assert_cmpstr (turnout_contact_get_email (contact), ==, "ana.30@example.com");
  g_assert_cmpstr (turnout_contact_get_city (contact), ==, "Oakland");
  g_assert_cmpstr (turnout_contact_get_tags (contact), ==, "House, techno");
  g_assert_cmpint (turnout_contact_get_events_attended (contact), ==, 2);
  g_assert_cmpint (turnout_contact_get_total_spend (contact), ==, 999);
  g_assert_cmpstr (turnout_contact_get_total_spend_display (contact), ==, "$9.99");
  g_assert_cmpint (turnout_contact_get_last_event_at (contact), ==,
                   store_int (store, "SELECT max (starts_at) FROM events WHERE id IN (1, 2)"));
  {
    g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (turnout_contact_get_last_event_at (contact));

    expected_date = g_date_time_format (at, "%b %-d, %Y");
  }
  g_assert_cmpstr (turnout_contact_get_last_event_display (contact), ==, expected_date);
  g_assert_cmpstr (turnout_contact_get_sms_consent (contact), ==, "opted_in");
  g_assert_cmpstr (turnout_contact_get_sms_consent_display (contact), ==, "Opted in");
  g_assert_cmpstr (turnout_contact_get_email_consent (contact), ==, "opted_out");
  g_assert_cmpstr (turnout_contact_get_email_consent_display (contact), ==, "Opted out");
  g_assert_cmpstr (turnout_contact_get_events_attended_display (contact), ==, "2");

  /* Money in other currencies, honestly plain. */
  {
    g_autofree char *eur = turnout_format_money (2500, "EUR");
    g_autofree char *jpy = turnout_format_money (2500, "JPY");
    g_autofree char *usd = turnout_format_money (5, "USD");

    g_assert_cmpstr (eur, ==, "25.00 EUR");
    g_assert_cmpstr (jpy, ==, "2500 JPY");
    g_assert_cmpstr (usd, ==, "$0.05");
  }

  g_clear_object (&contact);
  turnout_test_finalize_object (list);
}

static void
count_finalized_cb (gpointer  data,
                    GObject  *where_the_object_was)
{
  (*(guint *) data)++;
}

static void
test_pages_are_bounded (void)
{
  g_autoptr(TurnoutStore) store = open_store ("bounded.db", N_CONTACTS);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(TurnoutContact) again = NULL;
  guint created = 0;
  guint finalized = 0;
  gint64 first_id;

  /* Walk every row, as scrolling to the end would, holding none. */
  for (guint i = 0; i < N_CONTACTS; i++)
    {
      TurnoutContact *contact = get_loaded (list, i);

      if (i == 0)
        first_id = turnout_contact_get_id (contact);
      if (i % PAGE_SIZE == 0)
        {
          g_object_weak_ref (G_OBJECT (contact), count_finalized_cb, &finalized);
          created++;
        }
      g_object_unref (contact);
    }
  wait_settled (list);

  /* Only the pages kept hold rows: the first row of every page was seen,
   * and all but MAX_PAGES of them are gone. */
  g_assert_cmpuint (created, ==, N_CONTACTS / PAGE_SIZE);
  g_assert_cmpuint (created - finalized, <=, MAX_PAGES);
  g_assert_cmpuint (finalized, >=, N_CONTACTS / PAGE_SIZE - MAX_PAGES);

  /* A page that was let go is read again: a new placeholder, filled. */
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_false (turnout_contact_get_loaded (again));
  spin_until (turnout_contact_get_loaded (again));
  g_assert_cmpint (turnout_contact_get_id (again), ==, first_id);

  /* Racing through without waiting cancels reads of pages let go. */
  for (guint i = 0; i < N_CONTACTS; i += 37)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));
  wait_settled (list);
  {
    g_autoptr(TurnoutContact) last = get_loaded (list, N_CONTACTS - 1);

    g_assert_cmpint (turnout_contact_get_id (last), >, 0);
  }

  g_clear_object (&again);
  turnout_test_finalize_object (list);
}

typedef struct
{
  TurnoutContactSort  key;
  const char         *order_ascending;
  const char         *order_descending;
} SortCase;

static void
test_sort_by_every_key (void)
{
  /* Written here independently; empty values always come last. */
  static const SortCase cases[] = {
    { TURNOUT_CONTACT_SORT_NAME,
      "last_name COLLATE NOCASE, first_name COLLATE NOCASE, id",
      "last_name COLLATE NOCASE DESC, first_name COLLATE NOCASE DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_PHONE, "phone IS NULL, phone, id", "phone IS NULL, phone DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_EMAIL, "email IS NULL, email, id", "email IS NULL, email DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_EVENTS_ATTENDED, "events_attended, id",
      "events_attended DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_TOTAL_SPEND, "total_spend, id", "total_spend DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_LAST_EVENT, "last_event_at IS NULL, last_event_at, id",
      "last_event_at IS NULL, last_event_at DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_SMS_CONSENT, "sms_consent, id", "sms_consent DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_EMAIL_CONSENT, "email_consent, id", "email_consent DESC, id DESC" },
    { TURNOUT_CONTACT_SORT_CREATED, "created_at, id", "created_at DESC, id DESC" },
  };
  g_autoptr(TurnoutStore) store = open_store ("sort.db", 1000);
  TurnoutContactList *list = new_list (store, NULL);
  GEnumClass *keys = g_type_class_ref (TURNOUT_TYPE_CONTACT_SORT);

  g_assert_cmpuint (keys->n_values, ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int descending = 0; descending <= 1; descending++)
      {
        g_autofree char *sql = g_strdup_printf ("SELECT id FROM contacts ORDER BY %s",
                                                descending ? cases[i].order_descending
                                                           : cases[i].order_ascending);
        g_autofree char *what = g_strdup_printf ("sort by %s%s",
                                                 g_enum_get_value (keys, cases[i].key)->value_nick,
                                                 descending ? " descending" : "");
        g_autoptr(GArray) expected = store_ids (store, sql);
        g_autoptr(GArray) got = NULL;

        turnout_contact_list_set_sort (list, cases[i].key, descending);
        g_assert_cmpint (turnout_contact_list_get_sort_key (list), ==, cases[i].key);
        g_assert_cmpint (turnout_contact_list_get_sort_descending (list), ==, descending);
        wait_settled (list);
        got = list_ids (list);
        assert_same_ids (got, expected, what);
      }

  /* The same sort with a search: the search's rows in the same order. */
  turnout_contact_list_set_search_text (list, "zo");
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_PHONE, FALSE);
  wait_settled (list);
  {
    g_autoptr(GArray) expected = store_ids (store, "SELECT id FROM contacts WHERE first_name = 'Zoë'"
                                                   " ORDER BY phone IS NULL, phone, id");
    g_autoptr(GArray) got = list_ids (list);

    assert_same_ids (got, expected, "search sorted by phone");
  }

  g_type_class_unref (keys);
  turnout_test_finalize_object (list);
}

static guint
search_count (TurnoutContactList *list,
              const char         *text)
{
  turnout_contact_list_set_search_text (list, text);
  wait_settled (list);
  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

static void
test_search (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = open_store ("search.db", N_CONTACTS);
  g_autoptr(TurnoutSettings) settings = turnout_settings_new (store, &error);
  TurnoutContactList *list = NULL;
  gint64 zoe = store_int (store, "SELECT count(*) FROM contacts WHERE first_name = 'Zoë'");
  gint64 us_650 = store_int (store, "SELECT count(*) FROM contacts WHERE phone LIKE '+1650253%'");
  gint64 gb = store_int (store, "SELECT count(*) FROM contacts WHERE phone LIKE '+44207946%'");

  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (settings, "contacts.default_region", "US", &error));
  g_assert_no_error (error);
  list = new_list (store, settings);
  g_assert_cmpint (zoe, >, 0);

  /* Names: a prefix, without its accent, in any case. */
  g_assert_cmpuint (search_count (list, "zo"), ==, zoe);
  g_assert_cmpuint (search_count (list, "ZOË"), ==, zoe);
  g_assert_cmpuint (search_count (list, "Müll"),
                    ==, store_int (store, "SELECT count(*) FROM contacts WHERE last_name = 'Müller'"));
  /* Every word must match. */
  g_assert_cmpuint (search_count (list, "zoë müller"),
                    ==, store_int (store, "SELECT count(*) FROM contacts"
                                          " WHERE first_name = 'Zoë' AND last_name = 'Müller'"));
  /* Quotes and operators are text, not FTS syntax. */
  g_assert_cmpuint (search_count (list, "o'neil"),
                    ==, store_int (store, "SELECT count(*) FROM contacts WHERE last_name = 'O''Neil'"));
  g_assert_cmpuint (search_count (list, "\"zo AND OR NOT*"), ==, 0);
  g_assert_cmpuint (search_count (list, "- + ()"), ==, N_CONTACTS);

  /* An email address, whole. */
  g_assert_cmpuint (search_count (list, "ana.1230@example.com"), ==, 1);
  {
    g_autoptr(TurnoutContact) contact = get_loaded (list, 0);

    g_assert_cmpint (turnout_contact_get_id (contact), ==, 1230);
  }

  /* Phones: the local form of the default region, and international forms
   * with or without "+". */
  g_assert_cmpint (us_650, >, 0);
  g_assert_cmpuint (search_count (list, "(650) 253"), ==, us_650);
  g_assert_cmpuint (search_count (list, "650-253"), ==, us_650);
  g_assert_cmpuint (search_count (list, "+1 650 253"), ==, us_650);
  g_assert_cmpuint (search_count (list, "1 (650) 253-"), ==, us_650);
  g_assert_cmpuint (search_count (list, "+44 20 7946"), ==, gb);
  g_assert_cmpuint (search_count (list, "44 20 7946"), ==, gb);
  g_assert_cmpuint (search_count (list, "(650) 253-0100"), ==, 1);
  {
    g_autoptr(TurnoutContact) contact = get_loaded (list, 0);

    g_assert_cmpstr (turnout_contact_get_phone (contact), ==, "+16502530100");
  }
  /* "+" means the country code follows: not a US number. */
  g_assert_cmpuint (search_count (list, "+650 253"), ==, 0);
  /* A name and part of a number. */
  g_assert_cmpuint (search_count (list, "zoë (650)"),
                    ==, store_int (store, "SELECT count(*) FROM contacts"
                                          " WHERE first_name = 'Zoë' AND phone LIKE '+1650%'"));

  /* In Great Britain, the national form with its trunk 0; the list follows
   * the setting. */
  g_assert_cmpuint (search_count (list, "020 7946"), ==, 0);
  g_assert_true (turnout_settings_set (settings, "contacts.default_region", "GB", &error));
  g_assert_no_error (error);
  wait_settled (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, gb);
  g_assert_cmpuint (search_count (list, "(650) 253"), ==, 0);

  /* Nothing found, then everything again. */
  g_assert_cmpuint (search_count (list, "nobody-by-this-name"), ==, 0);
  g_assert_cmpuint (search_count (list, ""), ==, N_CONTACTS);

  turnout_test_finalize_object (list);
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GArray     *changes)
{
  g_array_append_val (changes, added);
}

static void
test_superseded_search (void)
{
  g_autoptr(TurnoutStore) store = open_store ("supersede.db", N_CONTACTS);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 ana = store_int (store, "SELECT count(*) FROM contacts WHERE first_name = 'Ana'");
  gint64 berg = store_int (store, "SELECT count(*) FROM contacts"
                                  " WHERE first_name = 'Ana' AND last_name = 'Berg'");

  g_assert_cmpint (ana, !=, berg);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed_cb), changes);

  /* Typing on: each search supersedes the one before; only the last one's
   * result ever reaches the list, in one change. */
  turnout_contact_list_set_search_text (list, "a");
  turnout_contact_list_set_search_text (list, "an");
  turnout_contact_list_set_search_text (list, "ana");
  turnout_contact_list_set_search_text (list, "ana berg");
  g_assert_true (turnout_contact_list_get_loading (list));
  wait_settled (list);

  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, guint, 0), ==, berg);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, berg);

  /* A search superseded after its count arrived: still one change each. */
  g_array_set_size (changes, 0);
  turnout_contact_list_set_search_text (list, "ana");
  wait_settled (list);
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_TOTAL_SPEND, TRUE);
  wait_settled (list);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (changes, guint, 0), ==, ana);
  g_assert_cmpuint (g_array_index (changes, guint, 1), ==, ana);

  g_signal_handlers_disconnect_by_data (list, changes);
  turnout_test_finalize_object (list);
}

static void
test_pending_deletion (void)
{
  g_autoptr(TurnoutStore) store = open_store ("pending.db", 1000);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(GArray) hide = store_ids (store, "SELECT id FROM contacts WHERE id % 100 = 7");
  g_autoptr(GArray) shown = NULL;
  g_autoptr(TurnoutContact) kept = get_loaded (list, 500);
  gint64 kept_id = turnout_contact_get_id (kept);

  turnout_contact_list_add_pending_deletion (list, hide);
  /* The same ids again change nothing. */
  turnout_contact_list_add_pending_deletion (list, hide);
  wait_settled (list);
  g_assert_cmpuint (turnout_contact_list_get_n_pending_deletion (list), ==, hide->len);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1000 - hide->len);
  shown = list_ids (list);
  for (guint i = 0; i < hide->len; i++)
    g_assert_false (ids_contain (shown, g_array_index (hide, gint64, i)));
  g_assert_true (ids_contain (shown, kept_id));

  /* Hidden rows stay hidden under a search and another sort. */
  turnout_contact_list_set_search_text (list, "ana");
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_EMAIL, TRUE);
  wait_settled (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    store_int (store, "SELECT count(*) FROM contacts"
                                      " WHERE first_name = 'Ana' AND id % 100 <> 7"));
  turnout_contact_list_set_search_text (list, "");
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_NAME, FALSE);

  /* Undo: all of them back. */
  turnout_contact_list_remove_pending_deletion (list, hide);
  wait_settled (list);
  g_assert_cmpuint (turnout_contact_list_get_n_pending_deletion (list), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1000);
  g_clear_pointer (&shown, g_array_unref);
  shown = list_ids (list);
  for (guint i = 0; i < hide->len; i++)
    g_assert_true (ids_contain (shown, g_array_index (hide, gint64, i)));

  turnout_test_finalize_object (list);
}

static void
test_refresh_in_place (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = open_store ("refresh.db", 500);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(TurnoutContact) contact = get_loaded (list, 3);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *sql = NULL;
  sqlite3 *db;

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed_cb), changes);

  /* Values changed, same rows: the row shown updates in place. */
  sql = g_strdup_printf ("UPDATE contacts SET city = 'Detroit' WHERE id = %" G_GINT64_FORMAT,
                         turnout_contact_get_id (contact));
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  raw_exec (db, sql);
  turnout_store_release (store, db);
  turnout_contact_list_refresh (list);
  wait_settled (list);
  g_assert_cmpstr (turnout_contact_get_city (contact), ==, "Detroit");
  g_assert_cmpuint (changes->len, ==, 0);

  /* More rows: the list changes. */
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  raw_exec (db, "INSERT INTO contacts (first_name, email, created_at, updated_at)"
                " VALUES ('New', 'new@example.com', 0, 0)");
  turnout_store_release (store, db);
  turnout_contact_list_refresh (list);
  wait_settled (list);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 501);

  g_signal_handlers_disconnect_by_data (list, changes);
  turnout_test_finalize_object (list);
}

/* Bulk actions ------------------------------------------------------------- */

static void
on_action_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

#define RUN(call, finish, store, error)                                 \
  ({                                                                    \
    GAsyncResult *result_ = NULL;                                       \
    gint64 value_;                                                      \
                                                                        \
    call;                                                               \
    spin_until (result_ != NULL);                                       \
    value_ = finish (store, result_, error);                            \
    g_object_unref (result_);                                           \
    value_;                                                             \
  })

static void
test_actions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = open_store ("actions.db", N_CONTACTS);
  TurnoutContactList *list = new_list (store, NULL);
  g_autoptr(TurnoutContactSelection) zoes = NULL;
  g_autoptr(TurnoutContactSelection) few = NULL;
  g_autoptr(GArray) resolved = NULL;
  gint64 n_zoe = store_int (store, "SELECT count(*) FROM contacts WHERE first_name = 'Zoë'");
  gint64 n_suppressed;
  gint64 changed;

  /* Select all of a search: positions and the query, not ids. */
  turnout_contact_list_set_search_text (list, "zo");
  wait_settled (list);
  {
    TurnoutContactRange all = { 0, g_list_model_get_n_items (G_LIST_MODEL (list)) };

    zoes = turnout_contact_list_dup_selection (list, &all, 1);
  }
  g_assert_cmpuint (turnout_contact_selection_get_size (zoes), ==, n_zoe);

  /* Add a tag, created on the way; twice changes nothing more. */
  changed = RUN (turnout_contact_actions_add_tag_async (store, zoes, "  VIP  ", NULL,
                                                        on_action_done_cb, &result_),
                 turnout_contact_actions_add_tag_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, n_zoe);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contact_tags ct JOIN tags t"
                                     " ON t.id = ct.tag_id JOIN contacts c ON c.id = ct.contact_id"
                                     " WHERE t.name = 'VIP' AND c.first_name = 'Zoë'"), ==, n_zoe);
  changed = RUN (turnout_contact_actions_add_tag_async (store, zoes, "vip", NULL,
                                                        on_action_done_cb, &result_),
                 turnout_contact_actions_add_tag_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 0);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM tags WHERE name = 'vip'"), ==, 1);

  /* The list shows the tag after a refresh, in place. */
  turnout_contact_list_refresh (list);
  wait_settled (list);
  {
    g_autoptr(TurnoutContact) contact = get_loaded (list, 0);

    g_assert_nonnull (strstr (turnout_contact_get_tags (contact), "VIP"));
  }

  /* A bad tag name says what is wrong. */
  changed = RUN (turnout_contact_actions_add_tag_async (store, zoes, "rock;pop", NULL,
                                                        on_action_done_cb, &result_),
                 turnout_contact_actions_add_tag_finish, store, &error);
  g_assert_error (error, TURNOUT_CONTACT_ACTIONS_ERROR, TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG);
  g_assert_nonnull (strstr (error->message, ";"));
  g_assert_cmpint (changed, ==, -1);
  g_clear_error (&error);

  /* Remove it again. */
  changed = RUN (turnout_contact_actions_remove_tag_async (store, zoes, "Vip", NULL,
                                                           on_action_done_cb, &result_),
                 turnout_contact_actions_remove_tag_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, n_zoe);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contact_tags WHERE tag_id ="
                                     " (SELECT id FROM tags WHERE name = 'VIP')"), ==, 0);
  changed = RUN (turnout_contact_actions_remove_tag_async (store, zoes, "no such tag", NULL,
                                                           on_action_done_cb, &result_),
                 turnout_contact_actions_remove_tag_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 0);

  /* Suppress: every phone and email of the selection, once. */
  n_suppressed = store_int (store, "SELECT count(phone) + count(email) FROM contacts"
                                   " WHERE first_name = 'Zoë'");
  changed = RUN (turnout_contact_actions_suppress_async (store, zoes,
                                                         TURNOUT_SUPPRESS_SMS | TURNOUT_SUPPRESS_EMAIL,
                                                         NULL, on_action_done_cb, &result_),
                 turnout_contact_actions_suppress_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, n_suppressed);
  changed = RUN (turnout_contact_actions_suppress_async (store, zoes, TURNOUT_SUPPRESS_SMS, NULL,
                                                         on_action_done_cb, &result_),
                 turnout_contact_actions_suppress_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 0);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM suppressions"), ==, n_suppressed);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM suppressions WHERE reason = 'manual'"
                                     " AND source = 'contacts pane' AND address IN"
                                     " (SELECT phone FROM contacts WHERE first_name = 'Zoë')"),
                   ==, store_int (store, "SELECT count(phone) FROM contacts WHERE first_name = 'Zoë'"));
  changed = RUN (turnout_contact_actions_suppress_async (store, zoes, 0, NULL,
                                                         on_action_done_cb, &result_),
                 turnout_contact_actions_suppress_finish, store, &error);
  g_assert_error (error, TURNOUT_CONTACT_ACTIONS_ERROR, TURNOUT_CONTACT_ACTIONS_ERROR_NO_CHANNEL);
  g_clear_error (&error);

  /* Select all of everything (more than the pages kept), minus a gap: the
   * ids come in the list's order. */
  turnout_contact_list_set_search_text (list, "");
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_CREATED, TRUE);
  wait_settled (list);
  {
    TurnoutContactRange ranges[] = { { 0, 10 }, { 20, N_CONTACTS - 20 } };
    g_autoptr(TurnoutContactSelection) most = turnout_contact_list_dup_selection (list, ranges, 2);
    g_autoptr(GArray) expected = store_ids (store, "SELECT id FROM contacts"
                                                   " ORDER BY created_at DESC, id DESC");
    GAsyncResult *result = NULL;

    g_array_remove_range (expected, 10, 10);
    turnout_contact_selection_resolve_async (most, store, NULL, on_action_done_cb, &result);
    spin_until (result != NULL);
    resolved = turnout_contact_selection_resolve_finish (result, &error);
    g_object_unref (result);
    g_assert_no_error (error);
    assert_same_ids (resolved, expected, "resolved selection");
  }

  /* Export rows 5 to 24 as shown, and read them back. */
  {
    TurnoutContactRange range = { 5, 20 };
    g_autoptr(TurnoutContactSelection) shown = turnout_contact_list_dup_selection (list, &range, 1);
    g_autofree char *path = turnout_test_tmp_path ("export.csv");
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(TurnoutContact) sixth = get_loaded (list, 5);
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;

    changed = RUN (turnout_contact_actions_export_async (store, shown, file, NULL,
                                                         on_action_done_cb, &result_),
                   turnout_contact_actions_export_finish, store, &error);
    g_assert_no_error (error);
    g_assert_cmpint (changed, ==, 20);
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 22);   /* header, 20 rows, "" after the last CRLF */
    g_assert_true (g_str_has_prefix (lines[0], "first_name,last_name,phone,email"));
    g_assert_true (g_str_has_prefix (lines[1], turnout_contact_get_first_name (sixth)));
    if (*turnout_contact_get_email (sixth) != '\0')
      g_assert_nonnull (strstr (lines[1], turnout_contact_get_email (sixth)));
  }

  /* An export that cannot be written says why and leaves no file. */
  {
    g_autofree char *path = turnout_test_tmp_path ("no-such-folder/export.csv");
    g_autoptr(GFile) file = g_file_new_for_path (path);

    changed = RUN (turnout_contact_actions_export_async (store, zoes, file, NULL,
                                                         on_action_done_cb, &result_),
                   turnout_contact_actions_export_finish, store, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpint (changed, ==, -1);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    g_clear_error (&error);
  }

  /* Delete a few by id: gone, with their tags. */
  {
    gint64 ids[] = { 5, 10, 15, 99999 };

    few = turnout_contact_selection_new_for_ids (ids, G_N_ELEMENTS (ids));
  }
  changed = RUN (turnout_contact_actions_delete_async (store, few, NULL, on_action_done_cb,
                                                       &result_),
                 turnout_contact_actions_delete_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 3);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contacts"), ==, N_CONTACTS - 3);
  g_assert_cmpint (store_int (store, "SELECT count(*) FROM contact_tags"
                                     " WHERE contact_id IN (5, 10, 15)"), ==, 0);
  /* A selection made before the delete skips the contacts gone since. */
  changed = RUN (turnout_contact_actions_add_tag_async (store, few, "ghost", NULL,
                                                        on_action_done_cb, &result_),
                 turnout_contact_actions_add_tag_finish, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 0);

  /* Tags for completion, sorted ignoring case. */
  {
    GAsyncResult *result = NULL;
    g_auto(GStrv) tags = NULL;

    turnout_contact_actions_list_tags_async (store, NULL, on_action_done_cb, &result);
    spin_until (result != NULL);
    tags = turnout_contact_actions_list_tags_finish (store, result, &error);
    g_object_unref (result);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (tags), ==, 4);
    g_assert_cmpstr (tags[0], ==, "ghost");
    g_assert_cmpstr (tags[1], ==, "House");
    g_assert_cmpstr (tags[2], ==, "techno");
    g_assert_cmpstr (tags[3], ==, "VIP");
  }

  turnout_test_finalize_object (list);
}

/* Made as a Turnout of schema @version left it: the shipped migrations up
 * to it, on a plain connection (as tests/test-store.c does). */
static sqlite3 *
make_file_at_version (const char *path,
                      int         version)
{
  guint n;
  const TurnoutMigration *all = turnout_store_migrations (&n);
  sqlite3 *db = raw_open (path);

  raw_exec (db, "PRAGMA journal_mode = WAL");
  for (guint i = 0; i < n && all[i].version <= version; i++)
    {
      g_autofree char *stamp = g_strdup_printf ("PRAGMA application_id = %d;"
                                                " PRAGMA user_version = %d",
                                                TURNOUT_STORE_APPLICATION_ID, all[i].version);
      raw_exec (db, "BEGIN");
      raw_exec (db, all[i].sql);
      raw_exec (db, stamp);
      raw_exec (db, "COMMIT");
    }
  return db;
}

static void
test_migrates_2_to_3 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path ("v2.db");
  g_autoptr(GArray) ids = NULL;
  TurnoutContactList *list;
  TurnoutStore *store;
  sqlite3 *db;

  g_unlink (path);
  db = make_file_at_version (path, 2);
  raw_exec (db, "INSERT INTO contacts (id, first_name, sms_consent, email_consent, created_at,"
                " updated_at) VALUES (1, 'Ana', 'unknown', 'opted_in', 0, 0),"
                " (2, 'Ben', 'opted_in', 'opted_out', 0, 0), (3, 'Kai', 'opted_out', 'unknown', 0, 0)");
  sqlite3_close (db);

  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), >=, 3);

  /* Sorting by consent reads the index, not the whole table. */
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      const char *column = i == 0 ? "sms_consent" : "email_consent";
      g_autofree char *sql = g_strdup_printf ("EXPLAIN QUERY PLAN SELECT id FROM contacts c"
                                              " ORDER BY c.%s DESC, c.id DESC LIMIT 100 OFFSET 100",
                                              column);
      g_autofree char *index = g_strdup_printf ("contacts_%s", column);
      g_autoptr(GString) plan = g_string_new (NULL);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);
      g_assert_nonnull (strstr (plan->str, index));
      g_assert_null (strstr (plan->str, "TEMP B-TREE"));
    }
  turnout_store_release (store, db);

  list = new_list (store, NULL);
  turnout_contact_list_set_sort (list, TURNOUT_CONTACT_SORT_SMS_CONSENT, FALSE);
  wait_settled (list);
  ids = list_ids (list);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, 3);
  g_assert_cmpint (g_array_index (ids, gint64, 2), ==, 1);

  turnout_test_finalize_object (list);
  turnout_test_finalize_object (store);
}

static void
test_no_store (void)
{
  TurnoutContactList *list = turnout_contact_list_new (NULL, NULL);
  g_autoptr(TurnoutStore) store = open_store ("later.db", 10);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_false (turnout_contact_list_get_loading (list));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));

  turnout_contact_list_set_store (list, store);
  wait_settled (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 10);
  turnout_contact_list_set_store (list, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  turnout_test_finalize_object (list);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/contact-list/count-and-pages", test_count_and_pages);
  g_test_add_func ("/contact-list/row-values", test_row_values);
  g_test_add_func ("/contact-list/pages-are-bounded", test_pages_are_bounded);
  g_test_add_func ("/contact-list/sort", test_sort_by_every_key);
  g_test_add_func ("/contact-list/search", test_search);
  g_test_add_func ("/contact-list/superseded-search", test_superseded_search);
  g_test_add_func ("/contact-list/pending-deletion", test_pending_deletion);
  g_test_add_func ("/contact-list/refresh-in-place", test_refresh_in_place);
  g_test_add_func ("/contact-list/actions", test_actions);
  g_test_add_func ("/contact-list/migrate-2-to-3", test_migrates_2_to_3);
  g_test_add_func ("/contact-list/no-store", test_no_store);

  return g_test_run ();
}
