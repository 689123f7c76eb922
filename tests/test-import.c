/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-import.h"
#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* 2026-05-01T12:00:00Z */
#define NOW 1777636800

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
            const char *contents)
{
  g_autofree char *path = turnout_test_tmp_path (name);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return g_file_new_for_path (path);
}

static TurnoutImportResult *
import (TurnoutStore      *store,
        TurnoutImportKind  kind,
        const char        *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_file ("import.csv", contents);
  g_autoptr(TurnoutImportOptions) options = turnout_import_options_new (kind);
  TurnoutImportResult *result;

  turnout_import_options_set_region (options, "US");
  turnout_import_options_set_time_zone (options, "America/New_York");
  result = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
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

static gint64
query_int (TurnoutStore *store,
           const char   *sql)
{
  g_autofree char *text = query_text (store, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
assert_issue (TurnoutImportResult *result,
              guint                row,
              const char          *column,
              const char          *words)
{
  for (guint i = 0; i < result->issues->len; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);

      if (issue->row == row && g_strcmp0 (issue->column, column) == 0 &&
          strstr (issue->reason, words) != NULL)
        return;
    }
  for (guint i = 0; i < result->issues->len; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
      g_printerr ("  row %u, %s: %s\n", issue->row, issue->column, issue->reason);
    }
  g_error ("no issue on row %u, column %s with “%s”", row, column, words);
}

static void
test_guess_headers (void)
{
  static const struct { const char *header; TurnoutField field; } cases[] = {
    { "first_name", TURNOUT_FIELD_FIRST_NAME },
    { "First Name", TURNOUT_FIELD_FIRST_NAME },
    { "Last Name", TURNOUT_FIELD_LAST_NAME },
    { "Surname", TURNOUT_FIELD_LAST_NAME },
    { "Name", TURNOUT_FIELD_FULL_NAME },
    { "Email", TURNOUT_FIELD_EMAIL },
    { "E-mail", TURNOUT_FIELD_EMAIL },
    { "Email Address", TURNOUT_FIELD_EMAIL },
    { "Cell Phone", TURNOUT_FIELD_PHONE },
    { "Mobile", TURNOUT_FIELD_PHONE },
    { "Phone", TURNOUT_FIELD_PHONE },
    { "phone_number", TURNOUT_FIELD_PHONE },
    { "Event Name", TURNOUT_FIELD_EVENT_NAME },
    { "Order Date", TURNOUT_FIELD_REGISTERED_AT },
    { "Ticket Type", TURNOUT_FIELD_TICKET_TYPE },
    { "Total Paid", TURNOUT_FIELD_AMOUNT },
    { "Attendee Status", TURNOUT_FIELD_STATUS },
    { "sms_consent", TURNOUT_FIELD_SMS_CONSENT },
    { "tags", TURNOUT_FIELD_TAGS },
    { "Genres", TURNOUT_FIELD_TAGS },
    { "event_start", TURNOUT_FIELD_EVENT_START },
    { "Order #", TURNOUT_FIELD_IGNORE },
    { "Favourite colour", TURNOUT_FIELD_IGNORE },
    { "", TURNOUT_FIELD_IGNORE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (turnout_field_guess (cases[i].header) != cases[i].field)
      g_error ("“%s” guessed as %s, expected %s", cases[i].header,
               turnout_field_get_id (turnout_field_guess (cases[i].header)),
               turnout_field_get_id (cases[i].field));

  for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
    g_assert_cmpint (turnout_field_from_id (turnout_field_get_id (i)), ==, i);
  g_assert_cmpint (turnout_field_from_id ("nonsense"), ==, TURNOUT_N_FIELDS);
  g_assert_true (turnout_field_is_for (TURNOUT_FIELD_PHONE, TURNOUT_IMPORT_CONTACTS));
  g_assert_false (turnout_field_is_for (TURNOUT_FIELD_AMOUNT, TURNOUT_IMPORT_CONTACTS));
  g_assert_true (turnout_field_is_for (TURNOUT_FIELD_AMOUNT, TURNOUT_IMPORT_REGISTRATIONS));
}

static void
test_parse_values (void)
{
  static const struct { const char *text; gint64 cents; } amounts[] = {
    { "25.00", 2500 }, { "25", 2500 }, { "$25.5", 2550 }, { "1,234.50", 123450 },
    { "25,50 €", 2550 }, { "1.234,50", 123450 }, { "USD 0.99", 99 }, { "", 0 },
    { "1,000", 100000 },
  };
  const char *status;
  g_autoptr(GError) error = NULL;
  gint64 cents, when;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_assert_true (turnout_parse_amount (amounts[i].text, &cents, &error));
      g_assert_no_error (error);
      if (cents != amounts[i].cents)
        g_error ("“%s” read as %" G_GINT64_FORMAT, amounts[i].text, cents);
    }
  g_assert_false (turnout_parse_amount ("-5.00", &cents, &error));
  g_assert_nonnull (strstr (error->message, "negative"));
  g_clear_error (&error);
  g_assert_false (turnout_parse_amount ("12.345.6", &cents, &error) && cents == 0);
  g_clear_error (&error);
  g_assert_false (turnout_parse_amount ("free!", &cents, &error));
  g_clear_error (&error);

  g_assert_true (turnout_parse_status ("Attending", &status, NULL));
  g_assert_cmpstr (status, ==, "registered");
  g_assert_true (turnout_parse_status ("Checked In", &status, NULL));
  g_assert_cmpstr (status, ==, "attended");
  g_assert_true (turnout_parse_status ("Not Attending", &status, NULL));
  g_assert_cmpstr (status, ==, "cancelled");
  g_assert_true (turnout_parse_status ("Refunded", &status, NULL));
  g_assert_cmpstr (status, ==, "cancelled");
  g_assert_true (turnout_parse_status ("draft", &status, NULL));
  g_assert_cmpstr (status, ==, "draft");
  g_assert_false (turnout_parse_status ("maybe", &status, &error));
  g_assert_nonnull (strstr (error->message, "“maybe”"));
  g_clear_error (&error);

  g_assert_true (turnout_parse_consent ("opted_in", &status, NULL));
  g_assert_cmpstr (status, ==, "opted_in");
  g_assert_true (turnout_parse_consent ("Yes", &status, NULL));
  g_assert_cmpstr (status, ==, "opted_in");
  g_assert_true (turnout_parse_consent ("unsubscribed", &status, NULL));
  g_assert_cmpstr (status, ==, "opted_out");
  g_assert_true (turnout_parse_consent ("", &status, NULL));
  g_assert_cmpstr (status, ==, "unknown");
  g_assert_false (turnout_parse_consent ("perhaps", &status, NULL));

  g_assert_true (turnout_parse_time ("2026-05-01T20:00:00+02:00", utc, &when, NULL));
  g_assert_cmpint (when, ==, 1777658400);
  g_assert_true (turnout_parse_time ("2026-05-01 18:00", utc, &when, NULL));
  g_assert_cmpint (when, ==, 1777658400);
  g_assert_true (turnout_parse_time ("2026-05-01", utc, &when, NULL));
  g_assert_cmpint (when, ==, 1777593600);
  g_assert_false (turnout_parse_time ("01/05/2026", utc, &when, &error));
  g_assert_nonnull (strstr (error->message, "01/05/2026"));
}

static void
test_contacts_created_and_errors_listed (void)
{
  TurnoutStore *store = fresh_store ("create.db");
  g_autoptr(TurnoutImportResult) result =
    import (store, TURNOUT_IMPORT_CONTACTS,
            "first_name,last_name,phone,email,city,time_zone,tags,sms_consent,email_consent,notes\r\n"
            "Ana,Ruiz,(650) 253-0000,Ana@Example.com,Oakland,America/Los_Angeles,techno;house,opted_in,,VIP\r\n"
            "Ben,Ode,555-0100,ben@example.com,,,,,,\r\n"
            "Cy,,,,,,,,,\r\n"
            "Dee,Lux,+44 20 7946 0958,not-an-email,,Mars/Base,techno,perhaps,,\r\n"
            "\"Eve, Jr.\",\"O\"\"Neil\",650.253.0001,,\"San Francisco\",,,,,\"two\nlines\"\r\n");

  g_assert_cmpuint (result->created, ==, 4);
  g_assert_cmpuint (result->merged, ==, 0);
  g_assert_cmpuint (result->skipped, ==, 1);
  /* Ben's phone lacks an area code: he comes in by email, and the row says why. */
  assert_issue (result, 3, "phone", "area code");
  assert_issue (result, 4, NULL, "neither a phone number nor an email address");
  assert_issue (result, 5, "email", "not an email address");
  assert_issue (result, 5, "time_zone", "Mars/Base");
  assert_issue (result, 5, "sms_consent", "“perhaps”");
  g_assert_cmpuint (result->n_issues, ==, 5);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 4);
  {
    g_autofree char *ana = query_text (store, "SELECT first_name || '|' || phone || '|' || email"
                                              " || '|' || time_zone || '|' || sms_consent"
                                              " || '|' || sms_consent_source || '|' || notes"
                                              " FROM contacts WHERE last_name = 'Ruiz'");
    g_autofree char *tags = query_text (store, "SELECT group_concat (name, ',') FROM"
                                               " (SELECT t.name FROM tags t JOIN contact_tags ct"
                                               "  ON ct.tag_id = t.id JOIN contacts c ON c.id ="
                                               "  ct.contact_id WHERE c.last_name = 'Ruiz'"
                                               "  ORDER BY t.name)");
    g_autofree char *eve = query_text (store, "SELECT first_name || '|' || last_name || '|' ||"
                                              " phone || '|' || notes FROM contacts"
                                              " WHERE city = 'San Francisco'");

    g_assert_cmpstr (ana, ==, "Ana|+16502530000|ana@example.com|America/Los_Angeles|opted_in"
                              "|import|VIP");
    g_assert_cmpstr (tags, ==, "house,techno");
    g_assert_cmpstr (eve, ==, "Eve, Jr.|O\"Neil|+16502530001|two\nlines");
  }
  /* Consent granted by the import is on record. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history WHERE source = 'import'"),
                   ==, 1);
  turnout_test_finalize_object (store);
}

static void
test_merge_rules (void)
{
  TurnoutStore *store = fresh_store ("merge.db");
  g_autoptr(TurnoutImportResult) first =
    import (store, TURNOUT_IMPORT_CONTACTS,
            "first_name,last_name,phone,email,city,sms_consent,email_consent,tags\n"
            "Ana,,+16502530000,,Oakland,opted_out,opted_in,techno\n"
            "Ben,Ode,,ben@example.com,,,opted_out,\n"
            "Cy,Vale,+16502530002,cy@example.com,,,,\n");
  g_autoptr(TurnoutImportResult) second = NULL;
  gint64 suppressions;

  g_assert_cmpuint (first->created, ==, 3);
  /* A suppression from elsewhere: an import never removes it. */
  {
    g_autoptr(GError) error = NULL;
    sqlite3 *db = turnout_store_acquire (store, &error);

    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO suppressions (channel, address, created_at)"
                                       " VALUES ('sms', '+16502530002', 1)", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    turnout_store_release (store, db);
  }
  suppressions = query_int (store, "SELECT count(*) FROM suppressions");

  second = import (store, TURNOUT_IMPORT_CONTACTS,
                   "Name,Mobile,E-mail,City,SMS Opt In,Email Opt In,Genres\n"
                   /* Same phone written another way: Ana, with a last name now, and an
                    * email; she opted out of SMS, and this file says she opted in. */
                   "Ana Ruiz,(650) 253-0000,ana@example.com,,yes,no,house\n"
                   /* Found by email; Ben opted out of email before. */
                   "Ben Ode,+1 650 253 0001,BEN@example.com,Berlin,yes,yes,\n"
                   /* Twice in one file: merged into the first. */
                   "Dana Lee,650-253-0003,,,,,\n"
                   "Dana Lee,,,Paris,,,\n"
                   "Dana Lee,+16502530003,dana@example.com,Paris,,,\n"
                   /* Cy, suppressed for SMS, again. */
                   "Cy Vale,+16502530002,,,yes,,\n");

  g_assert_cmpuint (second->created, ==, 1);
  g_assert_cmpuint (second->merged, ==, 4);
  g_assert_cmpuint (second->skipped, ==, 1);
  assert_issue (second, 5, NULL, "neither a phone number nor an email address");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 4);

  {
    g_autofree char *ana = query_text (store, "SELECT first_name || '|' || last_name || '|' ||"
                                              " email || '|' || city || '|' || sms_consent ||"
                                              " '|' || email_consent FROM contacts"
                                              " WHERE phone = '+16502530000'");
    g_autofree char *ben = query_text (store, "SELECT phone || '|' || city || '|' ||"
                                              " sms_consent || '|' || email_consent"
                                              " FROM contacts WHERE email = 'ben@example.com'");
    g_autofree char *dana = query_text (store, "SELECT email || '|' || city FROM contacts"
                                               " WHERE phone = '+16502530003'");
    g_autofree char *ana_tags = query_text (store, "SELECT count(*) FROM contact_tags ct JOIN"
                                                   " contacts c ON c.id = ct.contact_id"
                                                   " WHERE c.phone = '+16502530000'");

    /* Names and city: the newer row wins where it says something; empty
     * fields are filled; the opt-out stays; withdrawing email consent counts. */
    g_assert_cmpstr (ana, ==, "Ana|Ruiz|ana@example.com|Oakland|opted_out|opted_out");
    /* Ben: phone filled in, city updated, email opt-out kept, SMS granted. */
    g_assert_cmpstr (ben, ==, "+16502530001|Berlin|opted_in|opted_out");
    g_assert_cmpstr (dana, ==, "dana@example.com|Paris");
    g_assert_cmpstr (ana_tags, ==, "2");
  }
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions"), ==, suppressions);
  /* Every consent change is in the history, the refused upgrade is not. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history c JOIN contacts p"
                                     " ON p.id = c.contact_id WHERE p.phone = '+16502530000'"),
                   ==, 3);
  turnout_test_finalize_object (store);
}

static void
test_eventbrite_registrations (void)
{
  g_autoptr(TurnoutImportResult) events = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(TurnoutClock) clock = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  TurnoutStore *store;

  /* Before opening: the store brings the figures to the clock's now. */
  clock = turnout_clock_new_frozen (now);
  turnout_clock_set_default (clock);
  store = fresh_store ("eventbrite.db");

  /* Turnout's own registrations columns create the events they name. */
  events = import (store, TURNOUT_IMPORT_REGISTRATIONS,
                   "first_name,last_name,phone,email,event_name,event_start,event_end,venue,city,"
                   "status,amount,registered_at,confirmed_at,cancelled_at\n"
                   "Ana,Ruiz,+16502530000,,Warehouse,2026-04-20T22:00:00-04:00,"
                   "2026-04-21T04:00:00-04:00,Dock 9,Brooklyn,attended,25.00,"
                   "2026-04-01T10:00:00-04:00,,\n"
                   "Ben,Ode,+16502530001,,Warehouse,2026-04-20T22:00:00-04:00,,,,"
                   "cancelled,25.00,2026-04-02T10:00:00-04:00,,2026-04-10T09:00:00-04:00\n"
                   "Ana,Ruiz,+16502530000,,Rooftop,2026-06-01 20:00,,,,registered,$40,,,\n");
  g_assert_cmpuint (events->events_created, ==, 2);
  g_assert_cmpuint (events->registrations, ==, 3);
  g_assert_cmpuint (events->created, ==, 2);
  g_assert_cmpuint (events->merged, ==, 1);
  g_assert_cmpint (query_int (store, "SELECT starts_at FROM events WHERE name = 'Rooftop'"),
                   ==, 1780358400);  /* 20:00 in New York */
  /* Figures: Ana attended one started event and spent 65.00 in all. */
  g_assert_cmpint (query_int (store, "SELECT events_attended FROM contacts"
                                     " WHERE phone = '+16502530000'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT total_spend FROM contacts"
                                     " WHERE phone = '+16502530000'"), ==, 6500);
  g_assert_cmpint (query_int (store, "SELECT total_spend FROM contacts"
                                     " WHERE phone = '+16502530001'"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT cancelled_at FROM registrations r JOIN contacts c"
                                     " ON c.id = r.contact_id WHERE c.phone = '+16502530001'"),
                   ==, 1775826000);

  /* An Eventbrite attendee report of the Warehouse night: no event start,
   * so it attaches to the event of that name; an unknown event is a row
   * error saying how to fix it. */
  result = import (store, TURNOUT_IMPORT_REGISTRATIONS,
                   "Order #,Order Date,First Name,Last Name,Email,Cell Phone,Event Name,"
                   "Ticket Type,Total Paid,Attendee Status\n"
                   "1001,2026-04-03 09:15:00-04:00,Cy,Vale,cy@example.com,(650) 253-0002,"
                   "Warehouse,General Admission,30.00,Checked In\n"
                   "1002,2026-04-03 09:20:00-04:00,Ana,Ruiz,ana@example.com,650-253-0000,"
                   "Warehouse,VIP,45.00,Attending\n"
                   "1003,2026-04-04 11:00:00-04:00,Dee,Lux,dee@example.com,,Unknown Night,"
                   "General Admission,30.00,Attending\n");
  g_assert_cmpuint (result->registrations, ==, 2);
  g_assert_cmpuint (result->events_created, ==, 0);
  assert_issue (result, 4, "event_name", "no event of this name");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM registrations"), ==, 4);
  /* Ana's Warehouse registration was updated, not duplicated. */
  g_assert_cmpint (query_int (store, "SELECT amount FROM registrations r JOIN events e"
                                     " ON e.id = r.event_id JOIN contacts c ON c.id ="
                                     " r.contact_id WHERE e.name = 'Warehouse'"
                                     " AND c.phone = '+16502530000'"), ==, 4500);
  g_assert_cmpint (query_int (store, "SELECT confirmed_at FROM registrations r JOIN contacts c"
                                     " ON c.id = r.contact_id WHERE c.phone = '+16502530002'"),
                   ==, 1775222100);
  g_assert_cmpint (query_int (store, "SELECT events_attended FROM contacts"
                                     " WHERE phone = '+16502530002'"), ==, 1);

  turnout_clock_set_default (NULL);
  turnout_test_finalize_object (store);
}

static void
cancel_after_rows (guint64  done,
                   guint64  total,
                   guint    rows,
                   gpointer user_data)
{
  if (rows >= 2048)
    g_cancellable_cancel (user_data);
}

static void
test_cancel_leaves_store_as_it_was (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new ("first_name,phone\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TurnoutImportOptions) options = turnout_import_options_new (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportResult) before = NULL;
  g_autoptr(TurnoutImportResult) none = NULL;
  g_autoptr(GFile) file = NULL;
  TurnoutStore *store = fresh_store ("cancel.db");

  before = import (store, TURNOUT_IMPORT_CONTACTS, "first_name,phone\nAna,+16502530000\n");
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (csv, "Fan %u,+1650253%04u\n", i, i);
  file = write_file ("big.csv", csv->str);
  turnout_import_options_set_progress (options, cancel_after_rows, cancellable);

  none = turnout_import_csv (store, file, options, cancellable, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts_fts WHERE contacts_fts"
                                     " MATCH 'fan'"), ==, 0);
  turnout_test_finalize_object (store);
}


static gint64
schema_objects (TurnoutStore *store)
{
  return query_int (store, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'contacts'");
}

/* A file bigger than the store: the import drops and rebuilds the contact
 * indexes and search entries around the rows, inside its transaction. */
static void
test_bulk_import_keeps_indexes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new ("first_name,last_name,phone,email,tags\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TurnoutImportOptions) options = turnout_import_options_new (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportResult) first = NULL;
  g_autoptr(TurnoutImportResult) none = NULL;
  g_autoptr(TurnoutImportResult) bulk = NULL;
  g_autoptr(GFile) file = NULL;
  TurnoutStore *store = fresh_store ("bulk.db");
  gint64 objects = schema_objects (store);
  g_autofree char *plan = NULL;

  first = import (store, TURNOUT_IMPORT_CONTACTS,
                  "first_name,phone,email\nAna,+16502530000,ana@example.com\n");
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (csv, "Fan%u,Quell%u,+1650%07u,fan%u@example.com,techno\n",
                            i, i, 2000000 + i, i);
  /* Ana again: merged, not duplicated, though her indexes are gone meanwhile. */
  g_string_append (csv, "Ana,Ruiz,(650) 253-0000,,house\n");
  file = write_file ("bulk.csv", csv->str);
  turnout_import_options_set_region (options, "US");

  /* Cancelled half way: rows, indexes and triggers are as they were. */
  turnout_import_options_set_progress (options, cancel_after_rows, cancellable);
  none = turnout_import_csv (store, file, options, cancellable, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (schema_objects (store), ==, objects);

  turnout_import_options_set_progress (options, NULL, NULL);
  bulk = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bulk->created, ==, 20000);
  g_assert_cmpuint (bulk->merged, ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 20001);
  g_assert_cmpint (schema_objects (store), ==, objects);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts_fts WHERE contacts_fts"
                                     " MATCH 'quell19999'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts_fts WHERE contacts_fts"
                                     " MATCH 'ruiz'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contact_tags"), ==, 20001);
  /* The rebuilt indexes hold every row. */
  plan = query_text (store, "SELECT count(*) FROM contacts INDEXED BY contacts_name"
                            " WHERE last_name >= ''");
  g_assert_cmpstr (plan, ==, "20001");
  {
    g_autofree char *check = query_text (store, "PRAGMA integrity_check");
    g_assert_cmpstr (check, ==, "ok");
  }
  turnout_test_finalize_object (store);
}

static void
test_refuses_unusable_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) no_ids = write_file ("noids.csv", "Name,City\nAna,Oakland\n");
  g_autoptr(GFile) empty = write_file ("empty.csv", "");
  g_autoptr(GFile) no_event = write_file ("noevent.csv", "Name,Phone\nAna,+16502530000\n");
  g_autoptr(TurnoutImportOptions) contacts = turnout_import_options_new (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportOptions) registrations =
    turnout_import_options_new (TURNOUT_IMPORT_REGISTRATIONS);
  TurnoutStore *store = fresh_store ("refuse.db");
  TurnoutImportResult *result;

  result = turnout_import_csv (store, no_ids, contacts, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_IDENTIFIER);
  g_clear_error (&error);

  result = turnout_import_csv (store, empty, contacts, NULL, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_clear_error (&error);

  result = turnout_import_csv (store, no_event, registrations, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_EVENT);
  g_clear_error (&error);

  /* Mapping names a column the file lacks, or a field that doesn't exist. */
  g_assert_false (turnout_import_options_map (contacts, "Name", "shoe_size", &error));
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_BAD_MAPPING);
  g_assert_nonnull (strstr (error->message, "first_name"));
  g_clear_error (&error);
  g_assert_true (turnout_import_options_map (contacts, "Cell", "phone", &error));
  result = turnout_import_csv (store, no_event, contacts, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_BAD_MAPPING);
  g_assert_nonnull (strstr (error->message, "“Cell”"));

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 0);
  turnout_test_finalize_object (store);
}

static void
test_mapping_overrides_guess (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_file ("mapped.csv", "Who,Digits,Home\nAna,+16502530000,Oakland\n");
  g_autoptr(TurnoutImportOptions) options = turnout_import_options_new (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportResult) result = NULL;
  TurnoutStore *store = fresh_store ("mapped.db");
  g_autofree char *row = NULL;

  g_assert_true (turnout_import_options_map (options, "Who", "first_name", &error));
  g_assert_true (turnout_import_options_map (options, "Digits", "phone", &error));
  g_assert_true (turnout_import_options_map (options, "Home", "ignore", &error));
  result = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->created, ==, 1);
  row = query_text (store, "SELECT first_name || '|' || phone || '|' || city FROM contacts");
  g_assert_cmpstr (row, ==, "Ana|+16502530000|");
  turnout_test_finalize_object (store);
}

static void
test_export_round_trip_and_neutralised (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutImportResult) first = NULL;
  g_autoptr(TurnoutImportResult) again = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autofree char *csv = NULL;
  TurnoutStore *store = fresh_store ("export.db");
  TurnoutStore *copy = fresh_store ("export-copy.db");
  gint64 written;

  first = import (store, TURNOUT_IMPORT_CONTACTS,
                  "first_name,last_name,phone,email,city,tags,sms_consent,email_consent,notes\n"
                  "=HYPERLINK(\"x\"),@SUM(1),+16502530000,ana@example.com,-Oakland,"
                  "techno;house,opted_in,opted_out,\"say \"\"hi\"\"\"\n");
  g_assert_cmpuint (first->created, ==, 1);

  written = turnout_contacts_export_csv (store, memory, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (written, ==, 1);
  g_output_stream_close (memory, NULL, NULL);
  csv = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));

  g_assert_true (g_str_has_prefix (csv, "first_name,last_name,phone,email,city,time_zone,tags,"
                                        "sms_consent,email_consent,notes\r\n"));
  /* No cell starts with a formula character any more. */
  g_assert_nonnull (strstr (csv, "'=HYPERLINK"));
  g_assert_nonnull (strstr (csv, "'@SUM(1)"));
  g_assert_nonnull (strstr (csv, "'+16502530000"));
  g_assert_nonnull (strstr (csv, "'-Oakland"));

  /* Read back with no mapping, values are exactly what they were. */
  again = import (copy, TURNOUT_IMPORT_CONTACTS, csv);
  g_assert_cmpuint (again->created, ==, 1);
  g_assert_cmpuint (again->n_issues, ==, 0);
  {
    g_autofree char *row = query_text (copy, "SELECT first_name || '|' || last_name || '|' ||"
                                             " phone || '|' || city || '|' || sms_consent ||"
                                             " '|' || email_consent || '|' || notes"
                                             " FROM contacts");
    g_autofree char *tags = query_text (copy, "SELECT count(*) FROM contact_tags");

    g_assert_cmpstr (row, ==, "=HYPERLINK(\"x\")|@SUM(1)|+16502530000|-Oakland|opted_in"
                              "|opted_out|say \"hi\"");
    g_assert_cmpstr (tags, ==, "2");
  }
  turnout_test_finalize_object (copy);
  turnout_test_finalize_object (store);
}


static char *
export_registrations (TurnoutStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  gint64 written = turnout_registrations_export_csv (store, memory, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (written, >=, 0);
  g_output_stream_close (memory, NULL, NULL);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
}

static void
test_registrations_round_trip (void)
{
  g_autoptr(TurnoutImportResult) first = NULL;
  g_autoptr(TurnoutImportResult) again = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_again = NULL;
  TurnoutStore *store = fresh_store ("regs-export.db");
  TurnoutStore *copy = fresh_store ("regs-export-copy.db");

  first = import (store, TURNOUT_IMPORT_REGISTRATIONS,
                  "first_name,last_name,phone,email,event_name,event_start,event_end,venue,city,"
                  "status,amount,registered_at,confirmed_at,cancelled_at\n"
                  "Ana,Ruiz,+16502530000,ana@example.com,Warehouse,2026-04-20T22:00:00-04:00,"
                  "2026-04-21T04:00:00-04:00,Dock 9,Brooklyn,attended,25.5,"
                  "2026-04-01T10:00:00-04:00,2026-04-01T10:05:00-04:00,\n"
                  "Ben,Ode,+16502530001,,Warehouse,2026-04-20T22:00:00-04:00,"
                  "2026-04-21T04:00:00-04:00,Dock 9,Brooklyn,cancelled,0,"
                  "2026-04-02T10:00:00-04:00,2026-04-02T10:00:00-04:00,2026-04-10T09:00:00-04:00\n");
  g_assert_cmpuint (first->registrations, ==, 2);

  csv = export_registrations (store);
  /* Times in the event's zone with its offset; amounts as decimals. */
  g_assert_true (g_str_has_prefix (csv, "first_name,last_name,phone,email,event_name,event_start,"
                                        "event_end,venue,city,status,amount,registered_at,"
                                        "confirmed_at,cancelled_at\r\n"));
  g_assert_nonnull (strstr (csv, "Warehouse,2026-04-20T22:00:00-04:00,2026-04-21T04:00:00-04:00,"
                                 "Dock 9,Brooklyn,attended,25.50,2026-04-01T10:00:00-04:00,"
                                 "2026-04-01T10:05:00-04:00,\r\n"));
  g_assert_nonnull (strstr (csv, ",cancelled,0.00,2026-04-02T10:00:00-04:00,"
                                 "2026-04-02T10:00:00-04:00,2026-04-10T09:00:00-04:00\r\n"));

  /* Read back with no mapping, and written again: the same file. */
  again = import (copy, TURNOUT_IMPORT_REGISTRATIONS, csv);
  g_assert_cmpuint (again->registrations, ==, 2);
  g_assert_cmpuint (again->n_issues, ==, 0);
  csv_again = export_registrations (copy);
  g_assert_cmpstr (csv_again, ==, csv);

  turnout_test_finalize_object (copy);
  turnout_test_finalize_object (store);
}

static void
test_access_report_and_erase (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TurnoutImportResult) reimport = NULL;
  TurnoutStore *store = fresh_store ("gdpr.db");
  g_autofree char *json = NULL;
  JsonObject *root;
  gint64 id;

  result = import (store, TURNOUT_IMPORT_REGISTRATIONS,
                   "first_name,phone,email,event_name,event_start,amount,sms_consent\n"
                   "Ana,+16502530000,ana@example.com,Warehouse,2026-04-20T22:00:00Z,25,yes\n");
  id = query_int (store, "SELECT id FROM contacts");

  json = turnout_contacts_dup_json (store, id, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "contact"),
                                                  "phone"), ==, "+16502530000");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "registrations")),
                    ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "consent_history")),
                    ==, 1);

  /* A one-off text to her, a campaign's message, her two replies (one
   * matched to her, one only by number) and someone else's reply. */
  {
    g_autofree char *sql = g_strdup_printf (
      "INSERT INTO campaigns (id, name, channel, state, created_at, updated_at)"
      " VALUES (1, 'Doors', 'sms', 'completed', 0, 0);"
      "INSERT INTO messages (campaign_id, contact_id, channel, address, state, provider_id,"
      "                      body, created_at, updated_at)"
      " VALUES (NULL, %" G_GINT64_FORMAT ", 'sms', '+16502530000', 'sent', 'SM1',"
      "         'Ana, your table is ready', 0, 0),"
      "        (1, %" G_GINT64_FORMAT ", 'sms', '+16502530000', 'sent', 'SM2', NULL, 0, 0);"
      "INSERT INTO replies (provider_id, address, body, received_at, contact_id, created_at)"
      " VALUES ('SM10', '+16502530000', 'See you there', 1, %" G_GINT64_FORMAT ", 1),"
      "        ('SM11', '+16502530000', 'STOP', 2, NULL, 2),"
      "        ('SM12', '+16502539999', 'Who is this?', 3, NULL, 3);",
      id, id, id);

    turnout_test_exec_sql (store, sql);
  }

  g_assert_true (turnout_contacts_erase (store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts"), ==, 0);
  /* The log keeps the two rows for its counts, with nothing of her in them. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM messages"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM messages WHERE body IS NOT NULL"
                                     " OR address <> '' OR provider_id IS NOT NULL"
                                     " OR contact_id IS NOT NULL"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM messages WHERE campaign_id = 1"), ==, 1);
  /* Her replies are gone; another number's stays. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM replies"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM replies WHERE address = '+16502539999'"),
                   ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM registrations"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM consent_history"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions WHERE reason = 'erased'"),
                   ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM contacts_fts WHERE contacts_fts"
                                     " MATCH 'ana'"), ==, 0);

  g_assert_false (turnout_contacts_erase (store, id, &error));
  g_assert_error (error, TURNOUT_CONTACTS_ERROR, TURNOUT_CONTACTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (turnout_contacts_dup_json (store, id, &error));
  g_assert_error (error, TURNOUT_CONTACTS_ERROR, TURNOUT_CONTACTS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Imported again later: the suppressions stay, so they are never messaged. */
  reimport = import (store, TURNOUT_IMPORT_CONTACTS, "first_name,phone\nAna,+16502530000\n");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM suppressions"), ==, 2);
  turnout_test_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/guess-headers", test_guess_headers);
  g_test_add_func ("/import/parse-values", test_parse_values);
  g_test_add_func ("/import/create-and-errors", test_contacts_created_and_errors_listed);
  g_test_add_func ("/import/merge-rules", test_merge_rules);
  g_test_add_func ("/import/registrations", test_eventbrite_registrations);
  g_test_add_func ("/import/cancel", test_cancel_leaves_store_as_it_was);
  g_test_add_func ("/import/bulk", test_bulk_import_keeps_indexes);
  g_test_add_func ("/import/refused", test_refuses_unusable_files);
  g_test_add_func ("/import/mapping", test_mapping_overrides_guess);
  g_test_add_func ("/export/round-trip", test_export_round_trip_and_neutralised);
  g_test_add_func ("/export/registrations", test_registrations_round_trip);
  g_test_add_func ("/contacts/access-and-erase", test_access_report_and_erase);

  return g_test_run ();
}
