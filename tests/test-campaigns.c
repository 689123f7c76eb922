/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "turnout-campaigns.h"
#include "turnout-campaigns-async.h"
#include "turnout-clock.h"
#include "turnout-merge.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* Campaigns before the dispatcher: creating one for a saved or ready-made
 * segment; launching freezes the template and the audience in one go, each
 * contact with a row — queued, or skipped or suppressed with the reason —
 * and a second launch, or a second row for a contact, is impossible;
 * pause, resume and cancel move between the states that allow it, and
 * cancelling skips what waits; emails whose fate is unknown are sent again
 * or marked sent as the user decides. */

/* 2026-05-01T12:00:00Z */
#define NOW 1777636800

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
  turnout_test_exec_sql (store,
    "INSERT INTO contacts (id, first_name, phone, email, sms_consent, email_consent, created_at,"
    "                      updated_at) VALUES"
    " (1, 'Ana', '+16505550100', 'ana@example.com', 'opted_in', 'opted_in', 0, 0),"
    " (2, 'Ben', '+16505550101', NULL, 'opted_in', 'unknown', 0, 0),"
    " (3, 'Cy', '+16505550102', NULL, 'opted_out', 'unknown', 0, 0),"
    " (4, 'Di', '+16505550103', NULL, 'unknown', 'unknown', 0, 0),"
    " (5, 'Ed', NULL, 'ed@example.com', 'opted_in', 'opted_in', 0, 0),"
    " (6, 'Flo', '+16505550105', NULL, 'opted_in', 'unknown', 0, 0);"
    "INSERT INTO suppressions (channel, address, reason, created_at)"
    " VALUES ('sms', '+16505550105', 'stop', 0);"
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at) VALUES"
    " (100, 'Doors', 'sms', 'Hi {first_name|there}, doors at 10!', 0, 0),"
    " (101, 'Broken', 'sms', 'Hi {frist_name}', 0, 0),"
    " (102, 'Mail', 'email', '', 0, 0);");
  return store;
}

static gint64
create (TurnoutStore  *store,
        gint64         template_id,
        GError       **error)
{
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);

  return turnout_campaigns_create (store, "Doors tonight", "sms", "all", everyone, template_id,
                                   0, 0, error);
}

static void
test_launch (void)
{
  g_autoptr(TurnoutStore) store = open_store ("launch.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutCampaignStatus) status = NULL;
  g_autofree char *snapshot = NULL;
  g_autofree char *json = NULL;
  gint64 id = create (store, 100, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  status = turnout_campaigns_get_status (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status->state, ==, "draft");
  g_assert_cmpstr (status->segment_name, ==, "all");
  g_assert_cmpstr (status->template_name, ==, "Doors");
  g_assert_cmpint (status->total, ==, 0);
  g_clear_pointer (&status, turnout_campaign_status_free);

  /* Ana and Ben get it; the others are explained. */
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, 2);
  g_assert_no_error (error);
  status = turnout_campaigns_get_status (store, id, &error);
  g_assert_cmpstr (status->state, ==, "running");
  g_assert_cmpint (status->total, ==, 6);
  g_assert_cmpint (status->counts[0], ==, 2);   /* queued */
  g_assert_cmpint (status->counts[6], ==, 1);   /* suppressed: Flo */
  g_assert_cmpint (status->counts[7], ==, 3);   /* skipped: Cy, Di, Ed */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE error_code = 'opted_out'"
                                                  " AND contact_id = 3"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE error_code = 'no_consent'"
                                                  " AND contact_id = 4"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE error_code = 'no_address'"
                                                  " AND contact_id = 5 AND address = ''"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'queued'"
                                                  " AND address = '+16505550100'"), ==, 1);
  json = turnout_campaign_status_to_json (status);
  g_assert_nonnull (strstr (json, "\"state\" : \"running\""));
  g_assert_nonnull (strstr (json, "\"skipped\" : 3"));

  /* The template is frozen: editing it later changes nothing sent. */
  turnout_test_exec_sql (store, "UPDATE templates SET body_text = 'Changed' WHERE id = 100");
  snapshot = turnout_test_query_text (store, "SELECT json_extract (template_snapshot,"
                                             " '$.body_text') FROM campaigns");
  g_assert_cmpstr (snapshot, ==, "Hi {first_name|there}, doors at 10!");

  /* The audience is frozen, and can't be launched twice. */
  turnout_test_exec_sql (store, "INSERT INTO contacts (id, first_name, phone, sms_consent,"
                                " created_at, updated_at)"
                                " VALUES (7, 'Gus', '+16505550107', 'opted_in', 0, 0)");
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, -1);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"), ==, 6);

  /* A second row for the same contact is refused by the store itself. */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM sqlite_master WHERE"
                                                  " name = 'messages_campaign_once'"), ==, 1);
}

static void
test_refused (void)
{
  g_autoptr(TurnoutStore) store = open_store ("refused.db");
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id;

  /* The wrong template for the channel, no name, no template. */
  g_assert_cmpint (turnout_campaigns_create (store, "x", "sms", "all", everyone, 102, 0, 0, &error),
                   ==, 0);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“Mail” is an email template"));
  g_clear_error (&error);
  g_assert_cmpint (turnout_campaigns_create (store, "  ", "sms", "all", everyone, 100, 0, 0, &error),
                   ==, 0);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (turnout_campaigns_create (store, "x", "sms", "all", everyone, 999, 0, 0, &error),
                   ==, 0);
  g_assert_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A template with a mistake can't be launched; nothing is written. */
  id = create (store, 101, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, -1);
  g_assert_error (error, TURNOUT_MERGE_ERROR, TURNOUT_MERGE_ERROR_UNKNOWN_FIELD);
  g_clear_error (&error);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"), ==, 0);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM campaigns"
                                                  " WHERE state = 'draft'"), ==, 1);
}

static void
test_states (void)
{
  g_autoptr(TurnoutStore) store = open_store ("states.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutCampaignStatus) status = NULL;
  gint64 id = create (store, 100, &error);

  g_assert_no_error (error);
  /* A draft can't be paused; a paused one that never started goes back
   * to draft on resume. */
  g_assert_false (turnout_campaigns_pause (store, id, &error));
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "A campaign that is draft can’t be paused"));
  g_clear_error (&error);

  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, 2);
  g_assert_true (turnout_campaigns_pause (store, id, &error));
  g_assert_no_error (error);
  status = turnout_campaigns_get_status (store, id, &error);
  g_assert_cmpstr (status->state, ==, "paused");
  g_clear_pointer (&status, turnout_campaign_status_free);
  g_assert_true (turnout_campaigns_resume (store, id, &error));
  status = turnout_campaigns_get_status (store, id, &error);
  g_assert_cmpstr (status->state, ==, "running");
  g_clear_pointer (&status, turnout_campaign_status_free);

  /* Cancelling skips what waits, with the reason, and is final. */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'sent' WHERE contact_id = 1");
  g_assert_true (turnout_campaigns_cancel (store, id, &error));
  status = turnout_campaigns_get_status (store, id, &error);
  g_assert_cmpstr (status->state, ==, "cancelled");
  g_assert_cmpint (status->counts[0], ==, 0);   /* queued */
  g_assert_cmpint (status->counts[2], ==, 1);   /* sent stays sent */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE error_code = 'cancelled'"
                                                  " AND contact_id = 2"), ==, 1);
  g_assert_false (turnout_campaigns_resume (store, id, &error));
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_null (turnout_campaigns_get_status (store, 999, &error));
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND);
}

static void
test_settle_unknown (void)
{
  g_autoptr(TurnoutStore) store = open_store ("settle.db");
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(TurnoutCampaignStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 sms, email, ana, ed;

  sms = create (store, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, sms, NULL, &error), >=, 0);
  email = turnout_campaigns_create (store, "Doors by mail", "email", "all", everyone, 102, 0, 0,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, email, NULL, &error), ==, 2);
  g_assert_no_error (error);
  ana = turnout_test_query_int (store, "SELECT id FROM messages WHERE channel = 'email'"
                                       " AND contact_id = 1");
  ed = turnout_test_query_int (store, "SELECT id FROM messages WHERE channel = 'email'"
                                      " AND contact_id = 5");
  /* Both lost after the final "."; the campaign ended, showing them. */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'unknown', attempts = 1,"
                                " claimed_at = 1777636000 WHERE state = 'queued';"
                                "UPDATE campaigns SET state = 'completed'");

  /* Texts are Twilio's to answer for. */
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, sms, 0, TURNOUT_UNKNOWN_SEND_AGAIN,
                                                     &error), ==, -1);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  /* A message that isn't an unknown one of the campaign. */
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, 999,
                                                     TURNOUT_UNKNOWN_MARK_SENT, &error), ==, -1);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Ana said she got it: sent, when it was handed over, saying who decided. */
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, ana, TURNOUT_UNKNOWN_MARK_SENT,
                                                     &error), ==, 1);
  g_assert_no_error (error);
  text = turnout_test_query_text (store, "SELECT state || ' ' || sent_at || ' ' || error_text"
                                         " FROM messages WHERE id = (SELECT id FROM messages"
                                         " WHERE channel = 'email' AND contact_id = 1)");
  g_assert_cmpstr (text, ==, "sent 1777636000 you marked it as sent");
  status = turnout_campaigns_get_status (store, email, &error);
  g_assert_cmpstr (status->state, ==, "completed");
  g_clear_pointer (&status, turnout_campaign_status_free);

  /* The rest go again: queued as new, and the campaign runs to send them. */
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, 0, TURNOUT_UNKNOWN_SEND_AGAIN,
                                                     &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'queued' AND attempts = 0"
                                                  " AND claimed_at IS NULL AND channel = 'email'"
                                                  " AND contact_id = 5"), ==, 1);
  g_assert_cmpint (ed, >, 0);
  status = turnout_campaigns_get_status (store, email, &error);
  g_assert_cmpstr (status->state, ==, "running");
  g_clear_pointer (&status, turnout_campaign_status_free);
  /* Nothing unknown is left to settle. */
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, 0, TURNOUT_UNKNOWN_MARK_SENT,
                                                     &error), ==, 0);

  /* A cancelled campaign sends nothing again, but can still be told. */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'unknown' WHERE contact_id = 5"
                                " AND channel = 'email'");
  g_assert_true (turnout_campaigns_cancel (store, email, &error));
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, 0, TURNOUT_UNKNOWN_SEND_AGAIN,
                                                     &error), ==, -1);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (turnout_campaigns_settle_unknown (store, email, ed, TURNOUT_UNKNOWN_MARK_SENT,
                                                     &error), ==, 1);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/campaigns/launch", test_launch);
  g_test_add_func ("/campaigns/refused", test_refused);
  g_test_add_func ("/campaigns/states", test_states);
  g_test_add_func ("/campaigns/settle-unknown", test_settle_unknown);

  return g_test_run ();
}
