/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-events"

#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-events.h"
#include "turnout-import.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

/*
 * Events and registrations in the store: what saving checks and stores,
 * the order and search of the list, registrations and their status
 * changes with times from a frozen TurnoutClock, and the contacts' figures
 * (events attended, total spend, first and last event) that follow every
 * write.
 */

/* 2026-05-01T12:00:00Z, a Friday. */
#define NOW 1777636800
#define HOUR 3600
#define DAY (24 * HOUR)
/* Sat 2 May 2026, 22:00 in Berlin (CEST, UTC+2). */
#define SAT_22_BERLIN 1777752000

static TurnoutClock *
freeze_clock (gint64 unix_time)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (unix_time);
  TurnoutClock *clock = turnout_clock_new_frozen (instant);

  turnout_clock_set_default (clock);
  return clock;
}

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

static void
close_store (TurnoutStore *store)
{
  turnout_clock_set_default (NULL);
  turnout_test_finalize_object (store);
}

static gint64
query_int (TurnoutStore *store,
           const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return value;
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
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return text;
}

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

static gint64
add_contact (TurnoutStore *store,
             const char   *first_name,
             const char   *last_name,
             const char   *phone,
             const char   *email)
{
  char *sql =
    sqlite3_mprintf ("INSERT INTO contacts (first_name, last_name, phone, email, created_at,"
                     " updated_at) VALUES (%Q, %Q, %Q, %Q, %d, %d)",
                     first_name, last_name, phone, email, NOW, NOW);

  exec_sql (store, sql);
  sqlite3_free (sql);
  return query_int (store, "SELECT max (id) FROM contacts");
}

/* Runs the main loop until an async call's callback has run. */
static void
on_result_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static gint64
save_event (TurnoutStore  *store,
            TurnoutEvent  *event,
            GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  turnout_events_save_async (store, event, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  return turnout_events_save_finish (store, result, error);
}

static gint64
save_new_event (TurnoutStore *store,
                const char   *name,
                gint64        starts_at,
                gint64        ends_at,
                const char   *zone,
                const char   *venue,
                const char   *city,
                const char   *genres)
{
  g_autoptr(TurnoutEvent) event = turnout_event_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  turnout_event_set_name (event, name);
  turnout_event_set_starts_at (event, starts_at);
  turnout_event_set_ends_at (event, ends_at);
  turnout_event_set_time_zone (event, zone);
  turnout_event_set_venue (event, venue);
  turnout_event_set_city (event, city);
  turnout_event_set_genres_text (event, genres);
  id = save_event (store, event, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GListModel *
list_events (TurnoutStore *store)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *events;

  turnout_events_list_async (store, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  events = turnout_events_list_finish (store, result, &error);
  g_assert_no_error (error);
  return events;
}

static TurnoutEvent *
get_event (TurnoutStore  *store,
           gint64         id,
           GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  turnout_events_get_async (store, id, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  return turnout_events_get_finish (store, result, error);
}

static gboolean
delete_event (TurnoutStore  *store,
              gint64         id,
              GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  turnout_events_delete_async (store, id, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  return turnout_events_delete_finish (store, result, error);
}

static GListModel *
list_registrations (TurnoutStore  *store,
                    gint64         event_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  turnout_events_list_registrations_async (store, event_id, cancellable, on_result_cb, &slot);
  result = wait_for (&slot);
  return turnout_events_list_registrations_finish (store, result, error);
}

static TurnoutRegistration *
add_registration (TurnoutStore               *store,
                  gint64                      event_id,
                  gint64                      contact_id,
                  TurnoutRegistrationStatus   status,
                  gint64                      amount,
                  GError                    **error)
{
  g_autoptr(TurnoutRegistration) draft = turnout_registration_new ();
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  turnout_registration_set_event_id (draft, event_id);
  turnout_registration_set_contact_id (draft, contact_id);
  turnout_registration_set_status (draft, status);
  turnout_registration_set_amount (draft, amount);
  turnout_registration_set_ticket_type (draft, "  General admission ");
  turnout_events_add_registration_async (store, draft, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  return turnout_events_add_registration_finish (store, result, error);
}

static gint64
register_contact (TurnoutStore              *store,
                  gint64                     event_id,
                  gint64                     contact_id,
                  TurnoutRegistrationStatus  status,
                  gint64                     amount)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutRegistration) registration =
    add_registration (store, event_id, contact_id, status, amount, &error);

  g_assert_no_error (error);
  return turnout_registration_get_id (registration);
}

static GPtrArray *
set_status (TurnoutStore              *store,
            const gint64              *ids,
            guint                      n_ids,
            TurnoutRegistrationStatus  status)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *changed;

  turnout_events_set_status_async (store, ids, n_ids, status, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  changed = turnout_events_set_status_finish (store, result, &error);
  g_assert_no_error (error);
  return changed;
}

static GListModel *
find_contacts (TurnoutStore *store,
               gint64        event_id,
               const char   *query)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *found;

  turnout_events_find_contacts_async (store, event_id, query, 20, NULL, on_result_cb, &slot);
  result = wait_for (&slot);
  found = turnout_events_find_contacts_finish (store, result, &error);
  g_assert_no_error (error);
  return found;
}

static gint64
figure (TurnoutStore *store,
        const char   *column,
        gint64        contact_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM contacts WHERE id = %" G_GINT64_FORMAT,
                                          column, contact_id);

  return query_int (store, sql);
}

static gint64
registration_int (TurnoutStore *store,
                  const char   *column,
                  gint64        registration_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM registrations WHERE id = %"
                                          G_GINT64_FORMAT, column, registration_id);

  return query_int (store, sql);
}

static char *
registration_status (TurnoutStore *store,
                     gint64        registration_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT status FROM registrations WHERE id = %"
                                          G_GINT64_FORMAT, registration_id);

  return query_text (store, sql);
}

/* Tests ------------------------------------------------------------------- */

static void
assert_invalid (TurnoutEvent *event,
                int           code,
                const char   *message_part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (turnout_event_validate (event, &error));
  g_assert_error (error, TURNOUT_EVENT_ERROR, code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, message_part);
}

static void
test_validate (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(TurnoutEvent) event = turnout_event_new ();
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = fresh_store ("validate.db");

  turnout_event_set_starts_at (event, SAT_22_BERLIN);
  turnout_event_set_time_zone (event, "Europe/Berlin");

  /* A name, and not only spaces. */
  assert_invalid (event, TURNOUT_EVENT_ERROR_NO_NAME, "needs a name");
  turnout_event_set_name (event, "   ");
  assert_invalid (event, TURNOUT_EVENT_ERROR_NO_NAME, "needs a name");
  turnout_event_set_name (event, "Warehouse Night");

  /* A start. */
  turnout_event_set_starts_at (event, 0);
  assert_invalid (event, TURNOUT_EVENT_ERROR_NO_START, "needs a start date and time");
  turnout_event_set_starts_at (event, SAT_22_BERLIN);

  /* A time zone GLib knows, not a path. */
  turnout_event_set_time_zone (event, "Mars/Olympus_Mons");
  assert_invalid (event, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE,
                  "“Mars/Olympus_Mons” is not a time zone");
  turnout_event_set_time_zone (event, "");
  assert_invalid (event, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE, "needs a time zone");
  turnout_event_set_time_zone (event, "/etc/passwd");
  assert_invalid (event, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE, "is not a time zone");
  turnout_event_set_time_zone (event, "Europe/Berlin");

  /* An end after the start, shown in the event's zone; equal is not after. */
  turnout_event_set_ends_at (event, SAT_22_BERLIN - 18 * HOUR);
  assert_invalid (event, TURNOUT_EVENT_ERROR_END_BEFORE_START,
                  "must end after it starts: it starts Sat 2 May 2026, 22:00 and ends "
                  "Sat 2 May 2026, 04:00");
  turnout_event_set_ends_at (event, SAT_22_BERLIN);
  assert_invalid (event, TURNOUT_EVENT_ERROR_END_BEFORE_START, "must end after it starts");

  turnout_event_set_ends_at (event, SAT_22_BERLIN + 6 * HOUR);
  g_assert_true (turnout_event_validate (event, &error));
  g_assert_no_error (error);
  turnout_event_set_ends_at (event, 0);
  g_assert_true (turnout_event_validate (event, NULL));

  /* Saving checks too, and stores nothing it refuses. */
  turnout_event_set_ends_at (event, SAT_22_BERLIN - HOUR);
  g_assert_cmpint (save_event (store, event, &error), ==, 0);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_END_BEFORE_START);
  g_clear_error (&error);
  turnout_event_set_ends_at (event, 0);
  turnout_event_set_time_zone (event, "Nowhere/Special");
  g_assert_cmpint (save_event (store, event, &error), ==, 0);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events"), ==, 0);

  close_store (store);
}

static void
test_labels (void)
{
  g_autoptr(TurnoutEvent) event = turnout_event_new ();
  g_autofree char *when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *place = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *long_when = NULL;
  g_autofree char *ny_when = NULL;

  turnout_event_set_name (event, "Warehouse Night");
  turnout_event_set_starts_at (event, SAT_22_BERLIN);
  turnout_event_set_ends_at (event, SAT_22_BERLIN + 6 * HOUR);
  turnout_event_set_time_zone (event, "Europe/Berlin");

  /* In the venue's zone, named; a night that ends the next morning shows
   * only the end's time. */
  when = turnout_event_dup_when_label (event);
  g_assert_cmpstr (when, ==, "Sat 2 May 2026, 22:00 – 04:00 (Europe/Berlin)");
  date = turnout_event_dup_date_label (event);
  g_assert_cmpstr (date, ==, "Sat 2 May 2026");

  /* A festival over days shows the end's date. */
  turnout_event_set_ends_at (event, SAT_22_BERLIN + 2 * DAY);
  long_when = turnout_event_dup_when_label (event);
  g_assert_cmpstr (long_when, ==, "Sat 2 May 2026, 22:00 – Mon 4 May 2026, 22:00 (Europe/Berlin)");

  /* The same instant in New York is six hours earlier. */
  turnout_event_set_ends_at (event, 0);
  turnout_event_set_time_zone (event, "America/New_York");
  ny_when = turnout_event_dup_when_label (event);
  g_assert_cmpstr (ny_when, ==, "Sat 2 May 2026, 16:00 (America/New_York)");

  turnout_event_set_venue (event, "Dock 9");
  turnout_event_set_city (event, "Brooklyn");
  place = turnout_event_dup_place_label (event);
  g_assert_cmpstr (place, ==, "Dock 9 · Brooklyn");

  turnout_event_set_counts (event, 1, 120, 3, 80, 500000);
  counts = turnout_event_dup_counts_label (event);
  g_assert_cmpstr (counts, ==, "120 registered · 80 attended");
  g_assert_cmpuint (turnout_event_get_n_registrations (event), ==, 204);

  /* Genres: trimmed, no empty ones, no repeats whatever their case. */
  turnout_event_set_genres_text (event, " Techno, house,, techno ,Drum & Bass ");
  g_assert_cmpuint (g_strv_length ((char **) turnout_event_get_genres (event)), ==, 3);
  g_assert_cmpstr (turnout_event_get_genres (event)[0], ==, "Techno");
  g_assert_cmpstr (turnout_event_get_genres (event)[1], ==, "house");
  g_assert_cmpstr (turnout_event_get_genres (event)[2], ==, "Drum & Bass");
}

static void
test_save_and_list (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GListModel) again = NULL;
  g_autoptr(TurnoutEvent) first = NULL;
  g_autoptr(TurnoutEvent) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *genres = NULL;
  TurnoutStore *store = fresh_store ("save.db");
  const char *expected[] = { "Rooftop Sessions", "Warehouse Night", "Spring Rave" };
  gint64 spring, warehouse, rooftop;

  /* A tag already used on contacts becomes a genre when an event uses it. */
  exec_sql (store, "INSERT INTO tags (name, kind) VALUES ('House', 'tag')");

  spring = save_new_event (store, "Spring Rave", NOW - 30 * DAY, 0, "Europe/Berlin",
                           "Tresor", "Berlin", "Techno");
  warehouse = save_new_event (store, "  Warehouse Night ", SAT_22_BERLIN,
                              SAT_22_BERLIN + 6 * HOUR, "Europe/Berlin", "Berghain", "Berlin",
                              "techno, house, Minimal");
  rooftop = save_new_event (store, "Rooftop Sessions", NOW + 40 * DAY, 0, "America/New_York",
                            "Le Bain", "New York", "");
  g_assert_cmpint (spring, !=, warehouse);

  /* Stored trimmed, with genres as tags of kind 'genre', one tag per genre
   * whatever its case. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events WHERE name = 'Warehouse Night'"),
                   ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM tags"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM tags WHERE kind = 'genre'"), ==, 3);
  genres = query_text (store, "SELECT group_concat (t.name, ',') FROM"
                              " (SELECT t.name FROM event_tags et JOIN tags t ON t.id = et.tag_id"
                              "   JOIN events e ON e.id = et.event_id"
                              "  WHERE e.name = 'Warehouse Night' ORDER BY t.name) t");
  g_assert_cmpstr (genres, ==, "House,Minimal,Techno");
  g_assert_cmpint (query_int (store, "SELECT ends_at FROM events WHERE name = 'Rooftop Sessions'"),
                   ==, 0);
  g_assert_cmpint (query_int (store, "SELECT created_at FROM events WHERE name = 'Spring Rave'"),
                   ==, NOW);

  /* Newest first: the upcoming ones lead. */
  events = list_events (store);
  g_assert_cmpuint (g_list_model_get_n_items (events), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TurnoutEvent) event = g_list_model_get_item (events, i);

      g_assert_cmpstr (turnout_event_get_name (event), ==, expected[i]);
    }
  first = g_list_model_get_item (events, 1);
  g_assert_cmpint (turnout_event_get_id (first), ==, warehouse);
  g_assert_cmpint (turnout_event_get_ends_at (first), ==, SAT_22_BERLIN + 6 * HOUR);
  g_assert_cmpstr (turnout_event_get_time_zone (first), ==, "Europe/Berlin");
  g_assert_cmpstr (turnout_event_get_venue (first), ==, "Berghain");
  genres = (g_free (genres), turnout_event_dup_genres_text (first));
  g_assert_cmpstr (genres, ==, "House, Minimal, Techno");

  /* Search by name, venue or city, ignoring case and accents. */
  g_assert_true (turnout_event_matches (first, "warehouse"));
  g_assert_true (turnout_event_matches (first, "berg"));
  g_assert_true (turnout_event_matches (first, "BERLIN night"));
  g_assert_true (turnout_event_matches (first, "Bérghain"));
  g_assert_false (turnout_event_matches (first, "rooftop"));
  g_assert_false (turnout_event_matches (first, "Berlin rooftop"));
  g_assert_true (turnout_event_matches (first, ""));

  /* Editing changes the row and its genres; the tags stay for others. */
  edited = turnout_event_copy (first);
  turnout_event_set_name (edited, "Warehouse Night II");
  turnout_event_set_starts_at (edited, NOW + 50 * DAY);
  turnout_event_set_ends_at (edited, 0);
  turnout_event_set_genres_text (edited, "Disco");
  g_assert_cmpint (save_event (store, edited, &error), ==, warehouse);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM event_tags et JOIN tags t"
                                     " ON t.id = et.tag_id WHERE t.name = 'Disco'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM event_tags"), ==, 2);
  /* The event shown keeps its old values until it is read again. */
  g_assert_cmpstr (turnout_event_get_name (first), ==, "Warehouse Night");
  again = list_events (store);
  {
    g_autoptr(TurnoutEvent) top = g_list_model_get_item (again, 0);

    g_assert_cmpstr (turnout_event_get_name (top), ==, "Warehouse Night II");
    g_assert_cmpint (turnout_event_get_ends_at (top), ==, 0);
  }

  /* Saving an event deleted meanwhile says so. */
  exec_sql (store, "DELETE FROM events WHERE name = 'Rooftop Sessions'");
  turnout_event_set_id (edited, rooftop);
  g_assert_cmpint (save_event (store, edited, &error), ==, 0);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND);

  close_store (store);
}

static void
test_registrations_listed (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GListModel) registrations = NULL;
  g_autoptr(GListModel) none = NULL;
  g_autoptr(TurnoutRegistration) first = NULL;
  g_autoptr(TurnoutRegistration) second = NULL;
  g_autoptr(TurnoutEvent) counted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *confirmed = NULL;
  TurnoutStore *store = fresh_store ("registrations.db");
  gint64 event = save_new_event (store, "Warehouse Night", SAT_22_BERLIN, 0, "Europe/Berlin",
                                 "", "", NULL);
  gint64 zoe = add_contact (store, "Zoë", "Adler", "+4915112345678", NULL);
  gint64 ana = add_contact (store, "Ana", "Ruiz", NULL, "ana@example.com");
  gint64 nameless = add_contact (store, "", "", NULL, "nameless@example.com");
  gint64 amount;

  g_assert_true (turnout_parse_amount ("25,50 €", &amount, NULL));
  register_contact (store, event, ana, TURNOUT_REGISTRATION_REGISTERED, amount);
  register_contact (store, event, zoe, TURNOUT_REGISTRATION_DRAFT, 0);
  register_contact (store, event, nameless, TURNOUT_REGISTRATION_CANCELLED, 1000);

  /* By last name; a contact without a name shows their address. */
  registrations = list_registrations (store, event, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (registrations), ==, 3);
  first = g_list_model_get_item (registrations, 1);
  g_assert_cmpstr (turnout_registration_get_contact_name (first), ==, "Zoë Adler");
  g_assert_cmpstr (turnout_registration_get_phone (first), ==, "+4915112345678");
  g_assert_null (turnout_registration_get_email (first));
  g_assert_cmpstr (turnout_registration_get_contact_detail (first), ==, "+4915112345678");
  g_assert_cmpint (turnout_registration_get_status (first), ==, TURNOUT_REGISTRATION_DRAFT);
  g_assert_cmpint (turnout_registration_get_confirmed_at (first), ==, 0);
  second = g_list_model_get_item (registrations, 2);
  g_assert_cmpstr (turnout_registration_get_contact_name (second), ==, "Ana Ruiz");
  g_assert_cmpint (turnout_registration_get_amount (second), ==, 2550);
  g_assert_cmpstr (turnout_registration_get_ticket_type (second), ==, "General admission");
  g_assert_cmpint (turnout_registration_get_created_at (second), ==, NOW);
  g_assert_cmpint (turnout_registration_get_confirmed_at (second), ==, NOW);
  g_assert_cmpstr (turnout_registration_get_time_zone (second), ==, "Europe/Berlin");
  /* Times are written in the event's zone: 12:00 UTC is 14:00 in Berlin. */
  g_object_get (second, "confirmed-label", &confirmed, NULL);
  g_assert_cmpstr (confirmed, ==, "1 May 2026, 14:00");
  {
    g_autoptr(TurnoutRegistration) third = g_list_model_get_item (registrations, 0);

    g_assert_cmpstr (turnout_registration_get_contact_name (third), ==, "nameless@example.com");
    g_assert_cmpint (turnout_registration_get_cancelled_at (third), ==, NOW);
  }

  /* Search by name or address. */
  g_assert_true (turnout_registration_matches (first, "zoe"));
  g_assert_true (turnout_registration_matches (first, "ZOË"));
  g_assert_true (turnout_registration_matches (first, "adl"));
  g_assert_true (turnout_registration_matches (first, "151 1234"));
  g_assert_false (turnout_registration_matches (first, "ana"));
  g_assert_true (turnout_registration_matches (second, "ana@exa"));

  /* The event's counts and revenue (not counting the cancelled). */
  counted = get_event (store, event, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (turnout_event_get_registered_count (counted), ==, 1);
  g_assert_cmpuint (turnout_event_get_draft_count (counted), ==, 1);
  g_assert_cmpuint (turnout_event_get_cancelled_count (counted), ==, 1);
  g_assert_cmpuint (turnout_event_get_attended_count (counted), ==, 0);
  g_assert_cmpint (turnout_event_get_revenue (counted), ==, 2550);

  /* A load superseded by another is cancelled; an event deleted
   * meanwhile says so. */
  g_cancellable_cancel (cancellable);
  none = list_registrations (store, event, cancellable, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  none = list_registrations (store, event + 100, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND);

  close_store (store);
}

static void
test_status_changes_and_figures (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GListModel) registrations = NULL;
  g_autoptr(TurnoutRegistration) shown = NULL;
  g_autofree char *status = NULL;
  TurnoutStore *store = fresh_store ("status.db");
  /* One event last week, one tomorrow evening. */
  gint64 past = save_new_event (store, "Spring Rave", NOW - 7 * DAY, 0, "Europe/Berlin",
                                "", "", NULL);
  gint64 next = save_new_event (store, "Warehouse Night", NOW + 30 * HOUR, 0, "Europe/Berlin",
                                "", "", NULL);
  gint64 ana = add_contact (store, "Ana", "Ruiz", "+16502530000", NULL);
  gint64 ben = add_contact (store, "Ben", "Ode", "+16502530001", NULL);
  gint64 ana_past = register_contact (store, past, ana, TURNOUT_REGISTRATION_DRAFT, 2500);
  gint64 ana_next = register_contact (store, next, ana, TURNOUT_REGISTRATION_REGISTERED, 4000);
  gint64 ben_past = register_contact (store, past, ben, TURNOUT_REGISTRATION_REGISTERED, 3000);
  gint64 ids[2];

  /* A draft is spend (not cancelled) but not attendance. */
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 6500);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 0);
  g_assert_cmpint (figure (store, "events_attended", ben), ==, 1);
  g_assert_cmpint (figure (store, "first_event_at", ben), ==, NOW - 7 * DAY);

  /* Confirming sets when, from the clock, and the started event counts. */
  turnout_clock_advance (clock, 10 * G_TIME_SPAN_MINUTE);
  changed = set_status (store, &ana_past, 1, TURNOUT_REGISTRATION_REGISTERED);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (turnout_registration_get_status (g_ptr_array_index (changed, 0)), ==,
                   TURNOUT_REGISTRATION_REGISTERED);
  g_assert_cmpint (turnout_registration_get_confirmed_at (g_ptr_array_index (changed, 0)), ==,
                   NOW + 600);
  g_assert_cmpint (registration_int (store, "confirmed_at", ana_past), ==, NOW + 600);
  g_assert_cmpint (registration_int (store, "updated_at", ana_past), ==, NOW + 600);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 1);
  g_assert_cmpint (figure (store, "last_event_at", ana), ==, NOW - 7 * DAY);

  /* Confirming again keeps the first time: it was registered already. */
  turnout_clock_advance (clock, G_TIME_SPAN_HOUR);
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, &ana_past, 1, TURNOUT_REGISTRATION_REGISTERED);
  g_assert_cmpint (registration_int (store, "confirmed_at", ana_past), ==, NOW + 600);
  g_assert_cmpint (registration_int (store, "updated_at", ana_past), ==, NOW + 600);

  /* Cancelling removes the spend and the attendance, keeps when it was
   * confirmed and sets when it was cancelled. */
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, &ana_past, 1, TURNOUT_REGISTRATION_CANCELLED);
  g_assert_cmpint (registration_int (store, "cancelled_at", ana_past), ==, NOW + 600 + 3600);
  g_assert_cmpint (registration_int (store, "confirmed_at", ana_past), ==, NOW + 600);
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 4000);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 0);
  g_assert_cmpint (figure (store, "first_event_at", ana), ==, 0);

  /* Marking attended, several at once in one transaction; a cancelled
   * time belongs only to a cancelled registration. */
  ids[0] = ana_past;
  ids[1] = ben_past;
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, ids, 2, TURNOUT_REGISTRATION_ATTENDED);
  g_assert_cmpuint (changed->len, ==, 2);
  status = registration_status (store, ana_past);
  g_assert_cmpstr (status, ==, "attended");
  g_clear_pointer (&status, g_free);
  status = registration_status (store, ben_past);
  g_assert_cmpstr (status, ==, "attended");
  g_assert_cmpint (registration_int (store, "cancelled_at", ana_past), ==, 0);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 1);
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 6500);
  g_assert_cmpint (figure (store, "events_attended", ben), ==, 1);

  /* The registration a list shows follows the stored one. */
  registrations = list_registrations (store, past, NULL, NULL);
  shown = g_list_model_get_item (registrations, 0);
  g_assert_cmpint (turnout_registration_get_id (shown), ==, ben_past);
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, &ben_past, 1, TURNOUT_REGISTRATION_DRAFT);
  turnout_registration_update_from (shown, g_ptr_array_index (changed, 0));
  g_assert_cmpint (turnout_registration_get_status (shown), ==, TURNOUT_REGISTRATION_DRAFT);
  /* Back to draft is back to not confirmed, and no attendance. */
  g_assert_cmpint (turnout_registration_get_confirmed_at (shown), ==, 0);
  g_assert_cmpint (figure (store, "events_attended", ben), ==, 0);
  g_assert_cmpint (figure (store, "total_spend", ben), ==, 3000);

  /* Tomorrow's event counts once it has started: the next write brings the
   * figures to the clock's now. */
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 1);
  g_assert_cmpint (registration_int (store, "confirmed_at", ana_next), ==, NOW);
  turnout_clock_advance (clock, 2 * G_TIME_SPAN_DAY);
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, &ben_past, 1, TURNOUT_REGISTRATION_REGISTERED);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 2);
  g_assert_cmpint (figure (store, "last_event_at", ana), ==, NOW + 30 * HOUR);
  g_assert_cmpint (registration_int (store, "confirmed_at", ben_past), ==,
                   NOW + 600 + 3600 + 2 * DAY);

  /* Registrations deleted meanwhile are left out; nothing fails. */
  exec_sql (store, "DELETE FROM registrations WHERE status = 'registered' AND amount = 3000");
  g_clear_pointer (&changed, g_ptr_array_unref);
  changed = set_status (store, ids, 2, TURNOUT_REGISTRATION_CANCELLED);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (turnout_registration_get_id (g_ptr_array_index (changed, 0)), ==, ana_past);

  close_store (store);
}

static void
test_delete (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = fresh_store ("delete.db");
  gint64 past = save_new_event (store, "Spring Rave", NOW - 7 * DAY, 0, "UTC", "", "", "Techno");
  gint64 older = save_new_event (store, "Winter Rave", NOW - 70 * DAY, 0, "UTC", "", "", NULL);
  gint64 ana = add_contact (store, "Ana", "Ruiz", "+16502530000", NULL);

  register_contact (store, past, ana, TURNOUT_REGISTRATION_ATTENDED, 2500);
  register_contact (store, older, ana, TURNOUT_REGISTRATION_REGISTERED, 1500);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 2);
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 4000);
  g_assert_cmpint (figure (store, "last_event_at", ana), ==, NOW - 7 * DAY);

  /* The registrations go with the event; the contact and the genre stay,
   * and the figures no longer count it. */
  g_assert_true (delete_event (store, past, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM registrations"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM event_tags"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM tags"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 1);
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 1500);
  g_assert_cmpint (figure (store, "last_event_at", ana), ==, NOW - 70 * DAY);
  events = list_events (store);
  g_assert_cmpuint (g_list_model_get_n_items (events), ==, 1);

  /* Twice: it is no longer there. */
  g_assert_false (delete_event (store, past, &error));
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND);

  close_store (store);
}

static void
test_add_registration (void)
{
  g_autoptr(TurnoutClock) clock = freeze_clock (NOW);
  g_autoptr(TurnoutRegistration) added = NULL;
  g_autoptr(TurnoutRegistration) again = NULL;
  g_autoptr(TurnoutRegistration) nobody = NULL;
  g_autoptr(TurnoutRegistration) nowhere = NULL;
  g_autoptr(GListModel) found = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = fresh_store ("add.db");
  gint64 event = save_new_event (store, "Spring Rave", NOW - DAY, 0, "UTC", "", "", NULL);
  gint64 ana = add_contact (store, "Ana", "Ruiz", "+16502530000", "ana.ruiz@example.com");
  gint64 anabel = add_contact (store, "Anabel", "Lee", NULL, "anabel@example.org");
  gint64 amount = 0;

  add_contact (store, "Ben", "Ode", "+16502530001", NULL);
  add_contact (store, "Ana", "Zed", NULL, "zed@example.net");

  /* Finding the contact: a name prefix, a part of the email, phone digits. */
  found = find_contacts (store, event, "ana");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 3);
  g_clear_object (&found);
  found = find_contacts (store, event, "ana ruiz");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  g_clear_object (&found);
  found = find_contacts (store, event, "example.org");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  g_clear_object (&found);
  /* What FTS5 would read as syntax is only text. */
  found = find_contacts (store, event, "\"*^(");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 0);
  g_clear_object (&found);
  found = find_contacts (store, event, "NEAR(ana");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 0);
  g_clear_object (&found);
  found = find_contacts (store, event, "(650) 253-0001");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  g_clear_object (&found);
  found = find_contacts (store, event, "ruiz");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  {
    g_autoptr(TurnoutRegistration) candidate = g_list_model_get_item (found, 0);
    GAsyncResult *slot = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_cmpint (turnout_registration_get_id (candidate), ==, 0);
    g_assert_cmpint (turnout_registration_get_contact_id (candidate), ==, ana);
    g_assert_cmpint (turnout_registration_get_event_id (candidate), ==, event);
    g_assert_cmpstr (turnout_registration_get_contact_detail (candidate), ==,
                     "ana.ruiz@example.com");

    /* Registering them with an amount as people write it. */
    g_assert_true (turnout_parse_amount ("$1,234.50", &amount, NULL));
    turnout_registration_set_amount (candidate, amount);
    turnout_events_add_registration_async (store, candidate, NULL, on_result_cb, &slot);
    result = wait_for (&slot);
    added = turnout_events_add_registration_finish (store, result, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (turnout_registration_get_id (added), >, 0);
  g_assert_cmpstr (turnout_registration_get_contact_name (added), ==, "Ana Ruiz");
  g_assert_cmpint (turnout_registration_get_amount (added), ==, 123450);
  g_assert_cmpint (turnout_registration_get_created_at (added), ==, NOW);
  g_assert_cmpint (turnout_registration_get_confirmed_at (added), ==, NOW);
  g_assert_cmpint (registration_int (store, "confirmed_at", turnout_registration_get_id (added)),
                   ==, NOW);
  g_assert_cmpint (figure (store, "total_spend", ana), ==, 123450);
  g_assert_cmpint (figure (store, "events_attended", ana), ==, 1);

  /* Found again, they come last, with their registration. */
  g_clear_object (&found);
  found = find_contacts (store, event, "ana");
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 3);
  {
    g_autoptr(TurnoutRegistration) first = g_list_model_get_item (found, 0);
    g_autoptr(TurnoutRegistration) last = g_list_model_get_item (found, 2);

    g_assert_cmpint (turnout_registration_get_contact_id (first), ==, anabel);
    g_assert_cmpint (turnout_registration_get_id (first), ==, 0);
    g_assert_cmpint (turnout_registration_get_contact_id (last), ==, ana);
    g_assert_cmpint (turnout_registration_get_id (last), ==, turnout_registration_get_id (added));
    g_assert_cmpint (turnout_registration_get_status (last), ==, TURNOUT_REGISTRATION_REGISTERED);
  }

  /* Once per contact and event. */
  again = add_registration (store, event, ana, TURNOUT_REGISTRATION_DRAFT, 0, &error);
  g_assert_null (again);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_ALREADY_REGISTERED);
  g_assert_nonnull (strstr (error->message, "Ana Ruiz already has a registration"));
  g_clear_error (&error);

  /* A cancelled one is spend of no one, with when it was cancelled. */
  g_clear_object (&again);
  again = add_registration (store, event, anabel, TURNOUT_REGISTRATION_CANCELLED, 900, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_registration_get_cancelled_at (again), ==, NOW);
  g_assert_cmpint (turnout_registration_get_confirmed_at (again), ==, 0);
  g_assert_cmpint (figure (store, "total_spend", anabel), ==, 0);

  /* A contact or an event deleted meanwhile. */
  nobody = add_registration (store, event, 999, TURNOUT_REGISTRATION_REGISTERED, 0, &error);
  g_assert_null (nobody);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  nowhere = add_registration (store, 999, ana, TURNOUT_REGISTRATION_REGISTERED, 0, &error);
  g_assert_null (nowhere);
  g_assert_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM registrations"), ==, 2);

  close_store (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  /* The labels are checked as written in English. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/events/validate", test_validate);
  g_test_add_func ("/events/labels", test_labels);
  g_test_add_func ("/events/save-and-list", test_save_and_list);
  g_test_add_func ("/events/registrations", test_registrations_listed);
  g_test_add_func ("/events/status-and-figures", test_status_changes_and_figures);
  g_test_add_func ("/events/delete", test_delete);
  g_test_add_func ("/events/add-registration", test_add_registration);

  return g_test_run ();
}
