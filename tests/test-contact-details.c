/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-contact-details"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "turnout-clock.h"
#include "turnout-contact-details.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

/*
 * What the contact editor loads and saves: a contact with its tags,
 * consent, consent history, registrations and figures; saves that check
 * every field at once and write all or nothing; duplicates refused;
 * consent history appended exactly when consent changes; the GDPR export
 * and erasure.
 */

/* 2026-05-01T12:00:00Z: the frozen clock of every test. */
#define NOW 1777636800
#define DAY (24 * 60 * 60)

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

/* Ana Ruiz (id 1): SMS consent from a form ten days ago, email opted out
 * by import five days ago; a tag and a genre; three registrations: one
 * attended in the past, one for an event to come, one cancelled. Ben Ode
 * (id 2): another contact, whose number and address Ana's may not take. */
/* Each test starts at NOW, whatever the one before did to the clock; set
 * before the store opens, as the figures are computed as of its time. */
static void
reset_clock (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);

  turnout_clock_set_default (clock);
}

static TurnoutStore *
seeded_store (const char *name)
{
  TurnoutStore *store = NULL;
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, email, city, time_zone, notes,"
    " sms_consent, sms_consent_at, sms_consent_source,"
    " email_consent, email_consent_at, email_consent_source, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'Oakland',"
    "  'America/Los_Angeles', 'Front row', 'opted_in', %d, 'form', 'opted_out', %d, 'import',"
    "  %d, %d),"
    " (2, 'Ben', 'Ode', '+16505550199', 'ben@example.com', 'Berlin', NULL, '',"
    "  'unknown', NULL, NULL, 'unknown', NULL, NULL, %d, %d);"
    "INSERT INTO tags (id, name, kind) VALUES (1, 'vip', 'tag'), (2, 'Techno', 'genre'),"
    " (3, 'house', 'genre');"
    "INSERT INTO contact_tags (contact_id, tag_id) VALUES (1, 1), (1, 2), (2, 3);"
    "INSERT INTO events (id, name, starts_at, time_zone, created_at, updated_at) VALUES"
    " (1, 'Warehouse Night', %d, 'America/Los_Angeles', %d, %d),"
    " (2, 'Summer Rave', %d, 'Europe/Berlin', %d, %d),"
    " (3, 'Cancelled Gig', %d, 'UTC', %d, %d);"
    "INSERT INTO registrations (contact_id, event_id, status, amount, ticket_type, created_at,"
    " updated_at) VALUES (1, 1, 'attended', 2500, 'VIP', %d, %d),"
    " (1, 2, 'registered', 1500, 'General', %d, %d),"
    " (1, 3, 'cancelled', 1000, '', %d, %d);",
    NOW - 10 * DAY, NOW - 5 * DAY, NOW - 30 * DAY, NOW - 30 * DAY, NOW - 30 * DAY,
    NOW - 30 * DAY,
    NOW - 20 * DAY, NOW - 40 * DAY, NOW - 40 * DAY,
    NOW + 20 * DAY, NOW - 40 * DAY, NOW - 40 * DAY,
    NOW - 3 * DAY, NOW - 40 * DAY, NOW - 40 * DAY,
    NOW - 25 * DAY, NOW - 25 * DAY, NOW - 25 * DAY, NOW - 25 * DAY, NOW - 25 * DAY,
    NOW - 25 * DAY);

  reset_clock ();
  store = fresh_store (name);
  exec_sql (store, sql);
  return store;
}

static TurnoutContactDetails *
load (TurnoutStore  *store,
      gint64         id,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_contact_details_load_async (store, id, NULL, turnout_test_result_cb, &result);
  return turnout_contact_details_load_finish (turnout_test_wait_result (&result), error);
}

static TurnoutContactDetails *
load_ok (TurnoutStore *store,
         gint64        id)
{
  g_autoptr(GError) error = NULL;
  TurnoutContactDetails *details = load (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (details);
  return details;
}

static TurnoutContactDetails *
save (TurnoutStore           *store,
      TurnoutContactDetails  *details,
      GHashTable            **field_errors,
      GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_contact_details_save_async (store, details, "US", NULL, turnout_test_result_cb, &result);
  return turnout_contact_details_save_finish (turnout_test_wait_result (&result), field_errors,
                                              error);
}

static TurnoutContactDetails *
save_ok (TurnoutStore          *store,
         TurnoutContactDetails *details)
{
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutContactDetails *saved = save (store, details, &field_errors, &error);

  g_assert_no_error (error);
  g_assert_null (field_errors);
  g_assert_nonnull (saved);
  return saved;
}

static gint64
count_history (TurnoutStore *store,
               gint64        id)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM consent_history WHERE contact_id = %" G_GINT64_FORMAT,
                     id);

  return query_int (store, sql);
}

static void
test_load (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("load.db");
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  const char * const expected_tags[] = { "Techno", "vip", NULL };
  TurnoutContactConsentChange *change;
  TurnoutContactRegistration *registration;
  GPtrArray *history, *registrations;
  const char *source = NULL;
  gint64 at = 0;

  g_assert_cmpint (turnout_contact_details_get_id (details), ==, 1);
  g_assert_cmpstr (turnout_contact_details_get_first_name (details), ==, "Ana");
  g_assert_cmpstr (turnout_contact_details_get_last_name (details), ==, "Ruiz");
  g_assert_cmpstr (turnout_contact_details_get_phone (details), ==, "+16505550100");
  g_assert_cmpstr (turnout_contact_details_get_email (details), ==, "ana@example.com");
  g_assert_cmpstr (turnout_contact_details_get_city (details), ==, "Oakland");
  g_assert_cmpstr (turnout_contact_details_get_time_zone (details), ==, "America/Los_Angeles");
  g_assert_cmpstr (turnout_contact_details_get_notes (details), ==, "Front row");
  g_assert_true (g_strv_equal (turnout_contact_details_get_tags (details), expected_tags));
  g_assert_true (turnout_contact_details_is_genre (details, "techno"));
  g_assert_false (turnout_contact_details_is_genre (details, "vip"));

  g_assert_cmpstr (turnout_contact_details_get_consent (details, "sms", &at, &source), ==,
                   "opted_in");
  g_assert_cmpint (at, ==, NOW - 10 * DAY);
  g_assert_cmpstr (source, ==, "form");
  g_assert_cmpstr (turnout_contact_details_get_consent (details, "email", &at, &source), ==,
                   "opted_out");
  g_assert_cmpint (at, ==, NOW - 5 * DAY);
  g_assert_cmpstr (source, ==, "import");

  /* The insert trigger recorded both; the most recent comes first. */
  history = turnout_contact_details_get_consent_history (details);
  g_assert_cmpuint (history->len, ==, 2);
  change = g_ptr_array_index (history, 0);
  g_assert_cmpstr (change->channel, ==, "email");
  g_assert_cmpstr (change->status, ==, "opted_out");
  g_assert_cmpstr (change->source, ==, "import");
  g_assert_cmpint (change->changed_at, ==, NOW - 5 * DAY);
  change = g_ptr_array_index (history, 1);
  g_assert_cmpstr (change->channel, ==, "sms");
  g_assert_cmpstr (change->status, ==, "opted_in");

  /* The latest event first, with its zone for showing its date. */
  registrations = turnout_contact_details_get_registrations (details);
  g_assert_cmpuint (registrations->len, ==, 3);
  registration = g_ptr_array_index (registrations, 0);
  g_assert_cmpstr (registration->event_name, ==, "Summer Rave");
  g_assert_cmpint (registration->event_starts_at, ==, NOW + 20 * DAY);
  g_assert_cmpstr (registration->event_time_zone, ==, "Europe/Berlin");
  g_assert_cmpstr (registration->status, ==, "registered");
  g_assert_cmpint (registration->amount, ==, 1500);
  g_assert_cmpstr (registration->ticket_type, ==, "General");
  registration = g_ptr_array_index (registrations, 2);
  g_assert_cmpstr (registration->event_name, ==, "Warehouse Night");
  g_assert_cmpstr (registration->status, ==, "attended");

  /* Figures: one event attended that has started; the spend of what is
   * not cancelled; the future event counts for spend only. */
  g_assert_cmpuint (turnout_contact_details_get_events_attended (details), ==, 1);
  g_assert_cmpint (turnout_contact_details_get_total_spend (details), ==, 4000);
  g_assert_cmpint (turnout_contact_details_get_first_event_at (details), ==, NOW - 20 * DAY);
  g_assert_cmpint (turnout_contact_details_get_last_event_at (details), ==, NOW - 20 * DAY);
  g_assert_cmpint (turnout_contact_details_get_created_at (details), ==, NOW - 30 * DAY);
}

static void
test_load_missing (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("load-missing.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutContactDetails) details = load (store, 42, &error);

  g_assert_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND);
  g_assert_null (details);
}

static void
test_save_changes (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("save.db");
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(TurnoutContactDetails) reloaded = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *email = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *notes = NULL;

  turnout_contact_details_set_first_name (details, "  Ana María ");
  turnout_contact_details_set_last_name (details, "Ruiz-Díaz");
  turnout_contact_details_set_phone (details, "(415) 555-0132");
  turnout_contact_details_set_email (details, " Ana.Ruiz@Example.COM ");
  turnout_contact_details_set_city (details, "San Francisco");
  turnout_contact_details_set_time_zone (details, "America/New_York");
  turnout_contact_details_set_notes (details, "Front row\nBrings friends");
  saved = save_ok (store, details);

  /* Stored normalized: trimmed names, E.164, a lower-cased address. */
  g_assert_cmpint (turnout_contact_details_get_id (saved), ==, 1);
  g_assert_cmpstr (turnout_contact_details_get_first_name (saved), ==, "Ana María");
  g_assert_cmpstr (turnout_contact_details_get_phone (saved), ==, "+14155550132");
  g_assert_cmpint (turnout_contact_details_get_updated_at (saved), ==, NOW);

  phone = query_text (store, "SELECT phone FROM contacts WHERE id = 1");
  g_assert_cmpstr (phone, ==, "+14155550132");
  email = query_text (store, "SELECT email FROM contacts WHERE id = 1");
  g_assert_cmpstr (email, ==, "ana.ruiz@example.com");
  zone = query_text (store, "SELECT time_zone FROM contacts WHERE id = 1");
  g_assert_cmpstr (zone, ==, "America/New_York");
  notes = query_text (store, "SELECT notes FROM contacts WHERE id = 1");
  g_assert_cmpstr (notes, ==, "Front row\nBrings friends");
  g_assert_cmpint (query_int (store, "SELECT updated_at FROM contacts WHERE id = 1"), ==, NOW);

  reloaded = load_ok (store, 1);
  g_assert_cmpstr (turnout_contact_details_get_last_name (reloaded), ==, "Ruiz-Díaz");
  g_assert_cmpstr (turnout_contact_details_get_city (reloaded), ==, "San Francisco");

  /* An empty time zone goes back to the application's default. */
  turnout_contact_details_set_time_zone (reloaded, "  ");
  g_clear_object (&saved);
  saved = save_ok (store, reloaded);
  g_assert_null (turnout_contact_details_get_time_zone (saved));
  g_assert_null (query_text (store, "SELECT time_zone FROM contacts WHERE id = 1"));
}

static void
test_validation (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("validation.db");
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(GHashTable) validated = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  const char * const tags[] = { "vip", "rock;pop", NULL };
  g_autofree char *phone = NULL;
  g_autofree char *first = NULL;

  turnout_contact_details_set_first_name (details, "Ana\nMaría");
  turnout_contact_details_set_phone (details, "555-0100");
  turnout_contact_details_set_email (details, "ana@example");
  turnout_contact_details_set_time_zone (details, "Mars/Olympus_Mons");
  turnout_contact_details_set_tags (details, tags);
  turnout_contact_details_set_consent (details, "sms", "maybe", NULL);

  /* Without the database, every field's problem at once. */
  validated = turnout_contact_details_validate (details, "US");
  g_assert_nonnull (validated);
  g_assert_cmpuint (g_hash_table_size (validated), ==, 6);
  g_assert_cmpstr (g_hash_table_lookup (validated, "phone"), ==,
                   "“555-0100” is too short: it is missing its area code");
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "email"), "ana@example"));
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "time_zone"), "Mars/Olympus_Mons"));
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "tags"), "rock;pop"));
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "first_name"), "one line"));
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "sms_consent"), "maybe"));

  /* A save refuses the same, lists them all, and writes nothing. */
  saved = save (store, details, &field_errors, &error);
  g_assert_null (saved);
  g_assert_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_INVALID);
  g_assert_nonnull (field_errors);
  g_assert_cmpuint (g_hash_table_size (field_errors), ==, 6);
  g_assert_nonnull (strstr (error->message, "Phone: “555-0100” is too short"));
  g_assert_nonnull (strstr (error->message, "Email: "));
  g_assert_nonnull (strstr (error->message, "Time zone: "));
  g_assert_nonnull (strstr (error->message, "Tags: "));
  g_assert_nonnull (strstr (error->message, "First name: "));
  g_assert_nonnull (strstr (error->message, "SMS consent: "));

  phone = query_text (store, "SELECT phone FROM contacts WHERE id = 1");
  g_assert_cmpstr (phone, ==, "+16505550100");
  first = query_text (store, "SELECT first_name FROM contacts WHERE id = 1");
  g_assert_cmpstr (first, ==, "Ana");
  g_assert_cmpint (query_int (store, "SELECT updated_at FROM contacts WHERE id = 1"), ==,
                   NOW - 30 * DAY);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact_tags WHERE contact_id = 1"),
                   ==, 2);
  g_assert_cmpint (count_history (store, 1), ==, 2);

  /* A contact is reached by phone or by email: with neither, both say so. */
  g_clear_pointer (&validated, g_hash_table_unref);
  g_clear_object (&details);
  details = turnout_contact_details_new ();
  turnout_contact_details_set_first_name (details, "Nobody");
  validated = turnout_contact_details_validate (details, "US");
  g_assert_nonnull (validated);
  g_assert_cmpuint (g_hash_table_size (validated), ==, 2);
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "phone"), "phone number or an email"));
  g_assert_nonnull (strstr (g_hash_table_lookup (validated, "email"), "phone number or an email"));

  /* Names may be empty; an email alone is enough. */
  g_clear_pointer (&validated, g_hash_table_unref);
  turnout_contact_details_set_first_name (details, "");
  turnout_contact_details_set_email (details, "someone@example.org");
  g_assert_null (turnout_contact_details_validate (details, "US"));

  /* The region decides a number without a country code. */
  turnout_contact_details_set_phone (details, "020 7946 0958");
  g_assert_null (turnout_contact_details_validate (details, "GB"));
  validated = turnout_contact_details_validate (details, "US");
  g_assert_nonnull (validated);
  g_assert_true (g_hash_table_contains (validated, "phone"));
}

static void
test_duplicates (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("duplicates.db");
  g_autoptr(TurnoutContactDetails) ben = load_ok (store, 2);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(TurnoutContactDetails) fresh = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;

  /* Ana's number typed another way, and her address in capitals. */
  turnout_contact_details_set_phone (ben, "650-555-0100");
  turnout_contact_details_set_email (ben, "ANA@example.com");
  turnout_contact_details_set_city (ben, "Potsdam");
  saved = save (store, ben, &field_errors, &error);
  g_assert_null (saved);
  g_assert_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE);
  g_assert_nonnull (field_errors);
  g_assert_cmpstr (g_hash_table_lookup (field_errors, "phone"), ==,
                   "+1 650-555-0100 already belongs to Ana Ruiz");
  g_assert_cmpstr (g_hash_table_lookup (field_errors, "email"), ==,
                   "ana@example.com already belongs to Ana Ruiz");
  g_assert_nonnull (strstr (error->message, "already belongs to Ana Ruiz"));
  phone = query_text (store, "SELECT phone FROM contacts WHERE id = 2");
  g_assert_cmpstr (phone, ==, "+16505550199");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts WHERE city = 'Potsdam'"), ==,
                   0);

  /* A new contact with Ana's address is refused rather than duplicated. */
  g_clear_pointer (&field_errors, g_hash_table_unref);
  g_clear_error (&error);
  fresh = turnout_contact_details_new ();
  turnout_contact_details_set_first_name (fresh, "Anita");
  turnout_contact_details_set_email (fresh, "ana@example.com");
  saved = save (store, fresh, &field_errors, &error);
  g_assert_null (saved);
  g_assert_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE);
  g_assert_cmpuint (g_hash_table_size (field_errors), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (field_errors, "email"), ==,
                   "ana@example.com already belongs to Ana Ruiz");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 2);

  /* A contact keeps its own number, of course. */
  g_clear_object (&ben);
  ben = load_ok (store, 2);
  turnout_contact_details_set_phone (ben, "(650) 555-0199");
  saved = save_ok (store, ben);
  g_assert_cmpstr (turnout_contact_details_get_phone (saved), ==, "+16505550199");
}

static void
test_consent_history (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("consent.db");
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(TurnoutContactDetails) again = NULL;
  TurnoutContactConsentChange *change;
  g_autofree char *status = NULL;
  g_autofree char *source = NULL;
  const char *shown_source = NULL;
  gint64 at = 0;

  g_assert_cmpint (count_history (store, 1), ==, 2);

  /* A save that changes no consent appends nothing. */
  turnout_contact_details_set_city (details, "Alameda");
  saved = save_ok (store, details);
  g_assert_cmpint (count_history (store, 1), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT sms_consent_at FROM contacts WHERE id = 1"), ==,
                   NOW - 10 * DAY);

  /* Setting the status it already has is no change either. */
  turnout_contact_details_set_consent (saved, "sms", "opted_in", NULL);
  g_assert_false (turnout_contact_details_get_consent_changed (saved, "sms"));

  /* An opt-out by hand: recorded once, now, as "manual". */
  turnout_clock_advance (turnout_clock_get_default (), 90 * G_USEC_PER_SEC);
  turnout_contact_details_set_consent (saved, "sms", "opted_out", NULL);
  g_assert_true (turnout_contact_details_get_consent_changed (saved, "sms"));
  g_assert_cmpstr (turnout_contact_details_get_consent (saved, "sms", &at, &shown_source), ==,
                   "opted_out");
  g_assert_cmpint (at, ==, NOW + 90);
  g_assert_cmpstr (shown_source, ==, "manual");
  again = save_ok (store, saved);
  g_assert_cmpint (count_history (store, 1), ==, 3);
  status = query_text (store, "SELECT sms_consent FROM contacts WHERE id = 1");
  g_assert_cmpstr (status, ==, "opted_out");
  source = query_text (store, "SELECT sms_consent_source FROM contacts WHERE id = 1");
  g_assert_cmpstr (source, ==, "manual");
  g_assert_cmpint (query_int (store, "SELECT sms_consent_at FROM contacts WHERE id = 1"), ==,
                   NOW + 90);

  /* The saved details show the new entry first; the email consent it did
   * not touch keeps its time and source. */
  change = g_ptr_array_index (turnout_contact_details_get_consent_history (again), 0);
  g_assert_cmpstr (change->channel, ==, "sms");
  g_assert_cmpstr (change->status, ==, "opted_out");
  g_assert_cmpstr (change->source, ==, "manual");
  g_assert_cmpint (change->changed_at, ==, NOW + 90);
  g_assert_cmpstr (turnout_contact_details_get_consent (again, "email", &at, &shown_source), ==,
                   "opted_out");
  g_assert_cmpint (at, ==, NOW - 5 * DAY);
  g_assert_cmpstr (shown_source, ==, "import");

  /* Saving the reloaded contact again appends nothing more. */
  g_clear_object (&saved);
  turnout_contact_details_set_notes (again, "Asked to stop texts");
  saved = save_ok (store, again);
  g_assert_cmpint (count_history (store, 1), ==, 3);

  /* A change made and undone before saving is no change. */
  turnout_contact_details_set_consent (saved, "email", "opted_in", NULL);
  turnout_contact_details_set_consent (saved, "email", "opted_out", NULL);
  g_assert_false (turnout_contact_details_get_consent_changed (saved, "email"));
  g_clear_object (&again);
  again = save_ok (store, saved);
  g_assert_cmpint (count_history (store, 1), ==, 3);

  /* A change that arrived meanwhile (a sign-up form) is not recorded a
   * second time by an editor that sets the same. */
  exec_sql (store, "UPDATE contacts SET email_consent = 'opted_in', email_consent_source = 'form',"
                   " email_consent_at = 1 WHERE id = 1");
  g_assert_cmpint (count_history (store, 1), ==, 4);
  turnout_contact_details_set_consent (again, "email", "opted_in", "form");
  g_assert_true (turnout_contact_details_get_consent_changed (again, "email"));
  g_clear_object (&saved);
  saved = save_ok (store, again);
  g_assert_cmpint (count_history (store, 1), ==, 4);
}

static void
test_tags_replaced (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("tags.db");
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char * const tags[] = { "techno", " Early bird ", "early BIRD", "", NULL };
  const char * const expected[] = { "Early bird", "Techno", NULL };
  const char * const all[] = { "Early bird", "house", "Techno", "vip", NULL };
  g_autofree char *kind = NULL;

  turnout_contact_details_set_tags (details, tags);
  saved = save_ok (store, details);

  /* The set replaces the old one: "vip" is gone from Ana, not from the
   * list; "techno" is the existing genre; the new tag is created once. */
  g_assert_true (g_strv_equal (turnout_contact_details_get_tags (saved), expected));
  g_assert_true (turnout_contact_details_is_genre (saved, "Techno"));
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact_tags WHERE contact_id = 1"),
                   ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM tags"), ==, 4);
  kind = query_text (store, "SELECT kind FROM tags WHERE name = 'early bird'");
  g_assert_cmpstr (kind, ==, "tag");
  /* Ben's tag is his still. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact_tags WHERE contact_id = 2"),
                   ==, 1);

  turnout_contact_details_list_tags_async (store, NULL, turnout_test_result_cb, &result);
  names = turnout_contact_details_list_tags_finish (turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) names, all));
}

static void
test_new_contact (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("new.db");
  g_autoptr(TurnoutContactDetails) details = turnout_contact_details_new ();
  g_autoptr(TurnoutContactDetails) saved = NULL;
  const char * const tags[] = { "newsletter", "house", NULL };
  TurnoutContactConsentChange *change;
  GPtrArray *history;
  gint64 id;

  g_assert_cmpint (turnout_contact_details_get_id (details), ==, 0);
  g_assert_cmpstr (turnout_contact_details_get_consent (details, "sms", NULL, NULL), ==, "unknown");

  turnout_contact_details_set_first_name (details, "Chloé");
  turnout_contact_details_set_last_name (details, "Martin");
  turnout_contact_details_set_phone (details, "+33 6 12 34 56 78");
  turnout_contact_details_set_tags (details, tags);
  turnout_contact_details_set_consent (details, "email", "opted_in", NULL);
  saved = save_ok (store, details);

  id = turnout_contact_details_get_id (saved);
  g_assert_cmpint (id, ==, 3);
  g_assert_cmpstr (turnout_contact_details_get_phone (saved), ==, "+33612345678");
  g_assert_null (turnout_contact_details_get_email (saved));
  g_assert_null (turnout_contact_details_get_time_zone (saved));
  g_assert_cmpint (turnout_contact_details_get_created_at (saved), ==, NOW);
  g_assert_cmpuint (g_strv_length ((GStrv) turnout_contact_details_get_tags (saved)), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 3);

  /* Its consent is in the history from the start, and only that. */
  history = turnout_contact_details_get_consent_history (saved);
  g_assert_cmpuint (history->len, ==, 1);
  change = g_ptr_array_index (history, 0);
  g_assert_cmpstr (change->channel, ==, "email");
  g_assert_cmpstr (change->status, ==, "opted_in");
  g_assert_cmpstr (change->source, ==, "manual");
  g_assert_cmpint (change->changed_at, ==, NOW);

  /* The original is untouched by the save: it is still a new contact. */
  g_assert_cmpint (turnout_contact_details_get_id (details), ==, 0);
}

static void
test_default_region_setting (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("region.db");
  g_autoptr(TurnoutContactDetails) details = turnout_contact_details_new ();
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* With no region given, the save reads contacts.default_region. */
  exec_sql (store, "INSERT INTO settings (key, value, updated_at)"
                   " VALUES ('contacts.default_region', 'GB', 0)");
  turnout_contact_details_set_phone (details, "020 7946 0958");
  turnout_contact_details_save_async (store, details, NULL, NULL, turnout_test_result_cb, &result);
  saved = turnout_contact_details_save_finish (turnout_test_wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turnout_contact_details_get_phone (saved), ==, "+442079460958");
}

static void
test_export_and_erase (void)
{
  g_autoptr(TurnoutStore) store = seeded_store ("gdpr.db");
  g_autofree char *path = turnout_test_tmp_path ("ana.json");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) erased = NULL;
  g_autoptr(GAsyncResult) saved_result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TurnoutContactDetails) details = load_ok (store, 1);
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  GStatBuf st;

  turnout_contact_details_export_async (store, 1, file, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_contact_details_export_finish (turnout_test_wait_result (&result),
                                                        &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "contact"),
                                                  "email"), ==, "ana@example.com");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "registrations")),
                    ==, 3);

  turnout_contact_details_erase_async (store, 1, NULL, turnout_test_result_cb, &erased);
  g_assert_true (turnout_contact_details_erase_finish (turnout_test_wait_result (&erased), &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts WHERE id = 1"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions WHERE channel = 'sms'"
                                     " AND address = '+16505550100'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions WHERE channel = 'email'"
                                     " AND address = 'ana@example.com'"), ==, 1);

  /* An editor still open on her cannot bring her back. */
  turnout_contact_details_set_city (details, "Oakland");
  turnout_contact_details_save_async (store, details, "US", NULL, turnout_test_result_cb,
                                      &saved_result);
  saved = turnout_contact_details_save_finish (turnout_test_wait_result (&saved_result), NULL,
                                               &error);
  g_assert_null (saved);
  g_assert_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/contact-details/load", test_load);
  g_test_add_func ("/contact-details/load-missing", test_load_missing);
  g_test_add_func ("/contact-details/save-changes", test_save_changes);
  g_test_add_func ("/contact-details/validation", test_validation);
  g_test_add_func ("/contact-details/duplicates", test_duplicates);
  g_test_add_func ("/contact-details/consent-history", test_consent_history);
  g_test_add_func ("/contact-details/tags-replaced", test_tags_replaced);
  g_test_add_func ("/contact-details/new-contact", test_new_contact);
  g_test_add_func ("/contact-details/default-region-setting", test_default_region_setting);
  g_test_add_func ("/contact-details/export-and-erase", test_export_and_erase);

  return g_test_run ();
}
