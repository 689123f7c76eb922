/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-preflight.h"
#include "turnout-render.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* Rendering for a contact and the preflight over a segment: who is left
 * out and why, blanks with names, segments after merging (a long name
 * adds one), characters that forced UCS-2, MMS, the cost; HTML values
 * escaped and the plain text made from the HTML; and a 20,000-contact
 * segment streamed to the same totals as a direct count. */

/* 2026-05-01T12:00:00Z */
#define NOW 1777636800
#define DAY 86400

static TurnoutStore *
open_store (const char *name)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;

  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static TurnoutTemplate *
sms (const char *text)
{
  TurnoutTemplate *template = turnout_template_new ("sms");

  turnout_template_set_name (template, "t");
  turnout_template_set_body_text (template, text);
  return template;
}

static TurnoutPreflightReport *
run (TurnoutStore    *store,
     TurnoutTemplate *template,
     gint64           event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, &error);
  g_autoptr(GAsyncResult) result = NULL;
  TurnoutPreflightReport *report;

  g_assert_no_error (error);
  turnout_preflight_run_async (store, template, everyone, event_id, NULL, NULL, NULL,
                               turnout_test_result_cb, &result);
  report = turnout_preflight_run_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return report;
}

static gint64
count (GHashTable *table,
       const char *key)
{
  return GPOINTER_TO_SIZE (g_hash_table_lookup (table, key));
}

static void
seed (TurnoutStore *store)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, email, sms_consent, email_consent,"
    "                      created_at, updated_at) VALUES"
    " (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'opted_in', 'opted_in', 0, 0),"
    " (2, '', 'Ode', '+16505550101', NULL, 'opted_in', 'unknown', 0, 0),"
    " (3, 'Łukasz', 'Nowak', '+16505550102', NULL, 'opted_in', 'unknown', 0, 0),"
    " (4, 'Maximiliana-Christabel', 'Featherstonehaugh', '+16505550103', NULL, 'opted_in',"
    "  'unknown', 0, 0),"
    " (5, 'Cy', 'Vale', '+16505550104', NULL, 'opted_out', 'unknown', 0, 0),"
    " (6, 'Di', 'Low', '+16505550105', NULL, 'unknown', 'unknown', 0, 0),"
    " (7, 'Ed', 'Nye', NULL, 'ed@example.com', 'opted_in', 'opted_in', 0, 0),"
    " (8, 'Flo', 'Rye', '+16505550107', NULL, 'opted_in', 'unknown', 0, 0);"
    "INSERT INTO suppressions (channel, address, reason, created_at)"
    " VALUES ('sms', '+16505550107', 'stop', 0);"
    "INSERT INTO events (id, name, starts_at, time_zone, venue, created_at, updated_at)"
    " VALUES (1, 'Warehouse Night', %d, 'Europe/Berlin', 'The Depot', 0, 0);"
    "INSERT INTO registrations (contact_id, event_id, status, created_at, updated_at)"
    " VALUES (1, 1, 'registered', 0, 0);",
    NOW + 2 * DAY);

  turnout_test_exec_sql (store, sql);
}

static void
test_sms_report (void)
{
  g_autoptr(TurnoutStore) store = open_store ("sms.db");
  /* 145 characters for Ana; the long name pushes it past 160. */
  g_autoptr(TurnoutTemplate) template =
    sms ("Hi {first_name}, thanks for being part of the crowd. Doors open at ten sharp, the "
         "first hour is free. Bring a friend and come early. {unsubscribe}");
  g_autoptr(TurnoutPreflightReport) report = NULL;
  g_autofree char *json = NULL;

  seed (store);
  report = run (store, template, 0);
  g_assert_cmpint (report->recipients, ==, 8);
  g_assert_cmpint (report->sendable, ==, 4);            /* Ana, (no name), Łukasz, Maximiliana */
  g_assert_cmpint (report->excluded[TURNOUT_EXCLUSION_NO_ADDRESS], ==, 1);  /* Ed */
  g_assert_cmpint (report->excluded[TURNOUT_EXCLUSION_OPTED_OUT], ==, 1);   /* Cy */
  g_assert_cmpint (report->excluded[TURNOUT_EXCLUSION_NO_CONSENT], ==, 1);  /* Di */
  g_assert_cmpint (report->excluded[TURNOUT_EXCLUSION_SUPPRESSED], ==, 1);  /* Flo */

  g_assert_cmpint (report->with_blanks, ==, 1);
  g_assert_cmpint (count (report->blank_fields, "first_name"), ==, 1);
  g_assert_cmpuint (report->blank_examples->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (report->blank_examples, 0), ==, "Ode (first_name)");

  /* Ana and the blank one: 1 segment each; the long name: GSM-7 over 160
   * septets, 2; Łukasz: 148 characters in UCS-2, 3. */
  g_assert_cmpint (report->total_segments, ==, 7);
  g_assert_cmpuint (report->max_segments, ==, 3);
  g_assert_cmpstr (report->max_segments_example, ==, "Łukasz Nowak");
  g_assert_cmpint (report->ucs2_recipients, ==, 1);
  g_assert_cmpint (count (report->ucs2_characters, "Ł"), ==, 1);
  g_assert_cmpfloat_with_epsilon (report->cost, 7 * report->price_per_segment, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->price_per_segment, 0.0083, 1e-9);

  json = turnout_preflight_report_to_json (report);
  g_assert_nonnull (strstr (json, "\"sendable\" : 4"));
  g_assert_nonnull (strstr (json, "\"suppressed\" : 1"));
  g_assert_nonnull (strstr (json, "\"Ł\" : 1"));
}

static void
test_mms_and_errors (void)
{
  g_autoptr(TurnoutStore) store = open_store ("mms.db");
  g_autoptr(TurnoutTemplate) mms = sms ("See you at {event_name|the show}!");
  g_autoptr(TurnoutTemplate) broken = sms ("Hi {frist_name}");
  g_autoptr(TurnoutPreflightReport) report = NULL;
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *urls[] = { "https://example.com/poster.jpg", NULL };

  seed (store);
  turnout_template_set_media_urls (mms, urls);
  report = run (store, mms, 1);
  g_assert_cmpint (report->mms, ==, 4);
  g_assert_cmpint (report->total_segments, ==, 0);
  g_assert_cmpfloat_with_epsilon (report->cost, 4 * report->price_per_mms, 1e-9);

  /* A template with a mistake can't be checked: the mistake is named. */
  turnout_preflight_run_async (store, broken, everyone, 0, NULL, NULL, NULL,
                               turnout_test_result_cb, &result);
  g_assert_null (turnout_preflight_run_finish (store, turnout_test_wait_result (&result), &error));
  g_assert_error (error, TURNOUT_MERGE_ERROR, TURNOUT_MERGE_ERROR_UNKNOWN_FIELD);
  g_assert_nonnull (strstr (error->message, "In the message: "));
  g_assert_nonnull (strstr (error->message, "frist_name"));
}

static void
test_email_render (void)
{
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("email");
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutMergeValues values = {
    .first_name = "Tom & <Jerry>", .event_name = "Night", .event_starts_at = NOW,
    .event_time_zone = "UTC", .unsubscribe = "Unsubscribe: https://example.com/u?a=1&b=2",
  };

  turnout_template_set_subject (template, "Hi {first_name|there}");
  turnout_template_set_body_html (template,
                                  "<style>p{margin:0}</style><p>Hi {first_name|there}, "
                                  "{event_name} at {event_time}.</p><p>{unsubscribe}</p>");
  renderer = turnout_template_renderer_new (template, &error);
  g_assert_no_error (error);
  rendered = turnout_template_renderer_render (renderer, &values);
  /* The subject is text; in the HTML, values are escaped and the
   * unsubscribe address is a link; the text part is made from the HTML. */
  g_assert_cmpstr (rendered->subject, ==, "Hi Tom & <Jerry>");
  g_assert_cmpstr (rendered->html, ==,
                   "<style>p{margin:0}</style><p>Hi Tom &amp; &lt;Jerry&gt;, Night at 12:00 PM.</p>"
                   "<p>Unsubscribe: <a href=\"https://example.com/u?a=1&amp;b=2\">"
                   "https://example.com/u?a=1&amp;b=2</a></p>");
  g_assert_nonnull (strstr (rendered->text, "Hi Tom & <Jerry>, Night at 12:00 PM."));
  g_assert_nonnull (strstr (rendered->text, "https://example.com/u?a=1&b=2"));
  g_assert_cmpuint (rendered->blank_fields->len, ==, 0);
}

/* 20,000 contacts: the preflight reads them one by one and agrees with a
 * direct count of who can get the message. */
static void
test_many (void)
{
  g_autoptr(TurnoutStore) store = open_store ("many.db");
  g_autoptr(TurnoutTemplate) template = sms ("Hi {first_name|there}, doors at 10!");
  g_autoptr(TurnoutPreflightReport) report = NULL;
  gint64 expected;

  turnout_test_exec_sql (store,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
    " INSERT INTO contacts (first_name, phone, sms_consent, created_at, updated_at)"
    " SELECT CASE WHEN i % 10 = 0 THEN '' ELSE 'Fan' || i END,"
    "        CASE WHEN i % 7 = 0 THEN NULL ELSE printf ('+1650555%04d', i % 10000) END,"
    "        CASE WHEN i % 5 = 0 THEN 'opted_out' ELSE 'opted_in' END, 0, 0 FROM n");
  expected = turnout_test_query_int (store, "SELECT count (*) FROM contacts WHERE phone IS NOT NULL"
                                            " AND sms_consent = 'opted_in'");
  report = run (store, template, 0);
  g_assert_cmpint (report->recipients, ==, 20000);
  g_assert_cmpint (report->sendable, ==, expected);
  g_assert_cmpint (report->total_segments, ==, expected);
  g_assert_cmpint (report->with_blanks, ==, 0);   /* the fallback fills the blank names */
}

static TurnoutPreflightReport *
run_at (TurnoutStore    *store,
        TurnoutTemplate *template,
        gint64           starts_at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, &error);
  g_autoptr(GAsyncResult) result = NULL;
  TurnoutPreflightReport *report;

  g_assert_no_error (error);
  turnout_preflight_run_at_async (store, template, everyone, 0, starts_at, NULL, NULL, NULL,
                                  turnout_test_result_cb, &result);
  report = turnout_preflight_run_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return report;
}

static void
set_setting (TurnoutStore *store,
             const char   *key,
             const char   *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSettings) settings = turnout_settings_new (store, &error);

  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (settings, key, value, &error));
  g_assert_no_error (error);
}

/* The frequency cap and the quiet hours, judged as the dispatcher judges
 * them at claim time, at the campaign's start: now, or later. */
static void
test_cap_and_quiet_hours (void)
{
  g_autoptr(TurnoutStore) store = open_store ("cap.db");
  g_autoptr(TurnoutTemplate) template = sms ("Doors at 10, {first_name}!");
  g_autoptr(TurnoutTemplate) email = turnout_template_new ("email");
  g_autoptr(TurnoutPreflightReport) report = NULL;
  g_autofree char *json = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *cap = NULL;
  g_autofree char *quiet = NULL;

  /* At 12:00 UTC: Ana in London (13:00), Ben in Los Angeles (05:00), Cat
   * with no zone of her own (the default, Tokyo: 21:00), Dan in Berlin
   * (14:00), Fay in Madrid (14:00). Ana had two texts, 2 and 6 days ago;
   * Ben one; Dan one 10 days ago and a failed one; Fay two that may have
   * gone (sending, unknown) yesterday; Eve, opted out, many. */
  sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, time_zone, sms_consent, created_at,"
    "                      updated_at) VALUES"
    " (1, 'Ana', 'Ruiz', '+16505550100', 'Europe/London', 'opted_in', 0, 0),"
    " (2, 'Ben', 'Brook', '+16505550101', 'America/Los_Angeles', 'opted_in', 0, 0),"
    " (3, 'Cat', 'Cole', '+16505550102', NULL, 'opted_in', 0, 0),"
    " (4, 'Dan', 'Dale', '+16505550103', 'Europe/Berlin', 'opted_in', 0, 0),"
    " (5, 'Eve', 'Eden', '+16505550104', 'Europe/Berlin', 'opted_out', 0, 0),"
    " (6, 'Fay', 'Ford', '+16505550105', 'Europe/Madrid', 'opted_in', 0, 0);"
    "INSERT INTO messages (contact_id, channel, address, state, claimed_at, sent_at, created_at,"
    "                      updated_at) VALUES"
    " (1, 'sms', '+16505550100', 'delivered', %d, %d, 0, 0),"
    " (1, 'sms', '+16505550100', 'sent', %d, %d, 0, 0),"
    " (2, 'sms', '+16505550101', 'delivered', %d, %d, 0, 0),"
    " (4, 'sms', '+16505550103', 'delivered', %d, %d, 0, 0),"
    " (4, 'sms', '+16505550103', 'failed', %d, NULL, 0, 0),"
    " (5, 'sms', '+16505550104', 'sent', %d, %d, 0, 0),"
    " (5, 'sms', '+16505550104', 'sent', %d, %d, 0, 0),"
    " (5, 'sms', '+16505550104', 'sent', %d, %d, 0, 0),"
    " (6, 'sms', '+16505550105', 'sending', %d, NULL, 0, 0),"
    " (6, 'sms', '+16505550105', 'unknown', %d, NULL, 0, 0);",
    NOW - 2 * DAY, NOW - 2 * DAY, NOW - 6 * DAY, NOW - 6 * DAY, NOW - 3 * DAY, NOW - 3 * DAY,
    NOW - 10 * DAY, NOW - 10 * DAY, NOW - DAY, NOW - DAY, NOW - DAY, NOW - DAY, NOW - DAY,
    NOW - DAY, NOW - DAY, NOW - DAY, NOW - DAY);
  turnout_test_exec_sql (store, sql);
  set_setting (store, "contacts.default_time_zone", "Asia/Tokyo");

  /* No cap by default; the default quiet hours, 21:00-08:00, hold Ben and
   * Cat now. */
  report = run (store, template, 0);
  g_assert_cmpint (report->sendable, ==, 5);
  g_assert_cmpint (report->over_cap, ==, 0);
  g_assert_cmpint (report->quiet_hours, ==, 2);
  g_assert_cmpint (report->starts_at, ==, NOW);
  g_clear_pointer (&report, turnout_preflight_report_free);

  /* At most 2 in 7 days: Ana and Fay are left out (what may have gone
   * counts, a failure doesn't, nor what is older than 7 days), and cost
   * nothing. */
  set_setting (store, "delivery.frequency_cap", "2/7");
  report = run (store, template, 0);
  g_assert_cmpint (report->recipients, ==, 6);
  g_assert_cmpint (report->sendable, ==, 3);                               /* Ben, Cat, Dan */
  g_assert_cmpint (report->over_cap, ==, 2);                               /* Ana, Fay */
  g_assert_cmpint (report->excluded[TURNOUT_EXCLUSION_OPTED_OUT], ==, 1);  /* Eve */
  g_assert_cmpint (report->quiet_hours, ==, 2);                            /* Ben, Cat */
  g_assert_cmpint (report->total_segments, ==, 3);
  cap = turnout_preflight_report_describe_cap (report);
  g_assert_cmpstr (cap, ==, "at most 2 messages to one person in 7 days");
  quiet = turnout_preflight_report_describe_quiet_hours (report);
  g_assert_cmpstr (quiet, ==, "21:00–08:00");
  /* The test send's contact: the first who gets it, not Ana. */
  g_assert_cmpint (report->example_contact_id, ==, 2);
  g_assert_cmpstr (report->example_name, ==, "Ben Brook");
  g_assert_cmpstr (report->example_text, ==, "Doors at 10, Ben!");
  g_assert_true (report->example_sendable);
  json = turnout_preflight_report_to_json (report);
  g_assert_nonnull (strstr (json, "\"frequency_cap\" : 2"));
  g_assert_nonnull (strstr (json, "\"waits_for_quiet_hours\" : 2"));
  g_assert_nonnull (strstr (json, "\"frequency_cap_setting\" : \"2/7\""));
  g_assert_nonnull (strstr (json, "\"quiet_hours_setting\" : \"21:00-08:00\""));
  g_clear_pointer (&report, turnout_preflight_report_free);

  /* Scheduled 4 days later at 21:00 UTC: Ana's older text has left the 7
   * days, Fay's not; London (22:00), Tokyo (06:00) and Berlin (23:00)
   * are quiet, Los Angeles (14:00) is not. */
  report = run_at (store, template, NOW + 4 * DAY + 9 * 3600);
  g_assert_cmpint (report->sendable, ==, 4);
  g_assert_cmpint (report->over_cap, ==, 1);
  g_assert_cmpint (report->quiet_hours, ==, 3);
  g_assert_cmpint (report->starts_at, ==, NOW + 4 * DAY + 9 * 3600);
  g_assert_cmpint (report->example_contact_id, ==, 1);
  g_clear_pointer (&report, turnout_preflight_report_free);

  /* Quiet hours are for texts: an email waits for no one. The cap holds
   * for every channel. */
  turnout_test_exec_sql (store, "UPDATE contacts SET email = lower (first_name) || '@example.com',"
                                " email_consent = 'opted_in'");
  turnout_template_set_name (email, "e");
  turnout_template_set_subject (email, "Doors");
  turnout_template_set_body_html (email, "<p>Doors at 10, {first_name}! {unsubscribe}</p>");
  report = run (store, email, 0);
  /* Eve opted in to emails, but her three texts count against the cap. */
  g_assert_cmpint (report->sendable, ==, 3);
  g_assert_cmpint (report->over_cap, ==, 3);
  g_assert_cmpint (report->quiet_hours, ==, 0);
  g_assert_cmpint (report->quiet_start, ==, -1);
  g_clear_pointer (&report, turnout_preflight_report_free);

  /* Both off: nothing left out or waiting for them. */
  set_setting (store, "delivery.frequency_cap", "");
  set_setting (store, "sms.quiet_hours", "off");
  report = run (store, template, 0);
  g_assert_cmpint (report->sendable, ==, 5);
  g_assert_cmpint (report->over_cap, ==, 0);
  g_assert_cmpint (report->quiet_hours, ==, 0);
}

/* With no one who would get it, the test send's contact is the first of
 * the segment all the same, said not to get it. */
static void
test_example_unsendable (void)
{
  g_autoptr(TurnoutStore) store = open_store ("example.db");
  g_autoptr(TurnoutTemplate) template = sms ("Hi {first_name|there}!");
  g_autoptr(TurnoutPreflightReport) report = NULL;

  turnout_test_exec_sql (store,
    "INSERT INTO contacts (id, first_name, last_name, phone, sms_consent, created_at, updated_at)"
    " VALUES (7, 'Gus', 'Gray', '+16505550106', 'unknown', 0, 0),"
    "        (8, 'Hal', 'Hope', NULL, 'opted_in', 0, 0);");
  report = run (store, template, 0);
  g_assert_cmpint (report->sendable, ==, 0);
  g_assert_cmpint (report->example_contact_id, ==, 7);
  g_assert_cmpstr (report->example_text, ==, "Hi Gus!");
  g_assert_false (report->example_sendable);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preflight/sms", test_sms_report);
  g_test_add_func ("/preflight/mms-and-errors", test_mms_and_errors);
  g_test_add_func ("/preflight/email-render", test_email_render);
  g_test_add_func ("/preflight/many", test_many);
  g_test_add_func ("/preflight/cap-and-quiet-hours", test_cap_and_quiet_hours);
  g_test_add_func ("/preflight/example-unsendable", test_example_unsendable);

  return g_test_run ();
}
