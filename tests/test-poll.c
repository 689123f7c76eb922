/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "turnout-campaigns.h"
#include "turnout-fake-twilio.h"
#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"
#include "turnout-twilio-sender.h"

/* `turnout-cli poll` and `turnout-cli send sms` against the fake Twilio,
 * run as a user (or cron) would run them: a STOP reply makes the number
 * suppressed, and a campaign already queued then skips it; delivery
 * statuses land on the messages with their sentences; a one-off text
 * reaches the fake once and is logged, is refused with no request when it
 * must not go, and is reconciled, not sent twice, when the answer is lost;
 * one-offs left behind by a crash are settled by the next poll. */

#define ANA "+14155550100"
#define BEN "+14155550101"
#define CY  "+14155550102"

typedef struct
{
  TurnoutFakeTwilio *fake;
  TurnoutStore      *store;
  char              *path;
} Fixture;

typedef TurnoutTestRun Run;

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, turnout_test_run_clear)

/* Runs the built turnout-cli on the fixture's database. */
static Run
cli (Fixture    *fixture,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, "--db");
  g_ptr_array_add (args, fixture->path);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return turnout_test_cli_v (NULL, (const char * const *) args->pdata);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("poll-%u.db", n++);

  fixture->fake = turnout_fake_twilio_new ();
  g_setenv ("TURNOUT_TWILIO_API_URL", turnout_fake_twilio_get_url (fixture->fake), TRUE);
  g_setenv ("TWILIO_ACCOUNT_SID", TURNOUT_FAKE_TWILIO_ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TRUE);
  fixture->path = turnout_test_tmp_path (name);
  fixture->store = turnout_store_open (fixture->path, &error);
  g_assert_no_error (error);
  {
    g_auto(Run) from = cli (fixture, "config", "set", "twilio.from", TURNOUT_FAKE_TWILIO_FROM,
                            NULL);
    g_auto(Run) quiet = cli (fixture, "config", "set", "sms.quiet_hours", "off", NULL);
    g_auto(Run) rate = cli (fixture, "config", "set", "sms.rate", "100", NULL);

    g_assert_cmpint (from.status, ==, 0);
    g_assert_cmpint (quiet.status, ==, 0);
    g_assert_cmpint (rate.status, ==, 0);
  }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  turnout_test_finalize_object (g_steal_pointer (&fixture->store));
  turnout_test_finalize_object (g_steal_pointer (&fixture->fake));
  g_clear_pointer (&fixture->path, g_free);
  g_unsetenv ("TURNOUT_TWILIO_API_URL");
  g_unsetenv ("TWILIO_ACCOUNT_SID");
  g_unsetenv ("TWILIO_AUTH_TOKEN");
}

static gint64
query_int (Fixture    *fixture,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gint64
query_int (Fixture    *fixture,
           const char *format,
           ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  return turnout_test_query_int (fixture->store, sql);
}

static char *
query_text (Fixture    *fixture,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static char *
query_text (Fixture    *fixture,
            const char *format,
            ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  return turnout_test_query_text (fixture->store, sql);
}

/* Runs `poll --json`; fails the test unless it succeeds. */
static JsonObject *
poll_json (Fixture *fixture)
{
  g_auto(Run) run = cli (fixture, "--json", "poll", NULL);

  if (run.status != 0)
    g_error ("poll failed (%d): %s", run.status, run.err);
  return parse_object (run.out);
}

static gint64
member (JsonObject *object,
        const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_int_member (object, name);
}

/* Sends a one-off with `send sms --json`; returns its message id. */
static gint64
send_ok (Fixture     *fixture,
         const char  *to,
         const char  *text,
         char       **provider_id)
{
  g_auto(Run) run = cli (fixture, "--json", "send", "sms", "--to", to, "--text", text, NULL);
  g_autoptr(JsonObject) root = NULL;

  if (run.status != 0)
    g_error ("send to %s failed (%d): %s", to, run.status, run.err);
  root = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "sent");
  if (provider_id != NULL)
    *provider_id = g_strdup (json_object_get_string_member (root, "provider_id"));
  return member (root, "id");
}

/* ------------------------------------------------------------------------ */

static void
test_stop_reply_then_campaign (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  gint64 campaign_id;

  turnout_test_exec_sql (fixture->store,
    "INSERT INTO contacts (id, first_name, phone, sms_consent, sms_consent_at, created_at,"
    " updated_at) VALUES (1, 'Ana', '" ANA "', 'opted_in', 1000, 1000, 1000),"
    "                    (2, 'Ben', '" BEN "', 'opted_in', 1000, 1000, 1000),"
    "                    (3, 'Cy', '" CY "', 'opted_in', 1000, 1000, 1000);"
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
    " VALUES (1, 'Doors', 'sms', 'Doors at 10 tonight!', 0, 0);");
  {
    g_auto(Run) created = cli (fixture, "--json", "campaign", "create", "--name", "Tonight",
                               "--channel", "sms", "--segment", "all", "--template", "Doors",
                               NULL);

    g_assert_cmpint (created.status, ==, 0);
    root = parse_object (created.out);
    campaign_id = member (root, "id");
    g_clear_pointer (&root, json_object_unref);
  }
  /* Launched before the reply comes: Ana's message is queued already. */
  g_assert_cmpint (turnout_campaigns_launch (fixture->store, campaign_id, NULL, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM messages WHERE state = 'queued'"),
                   ==, 3);

  g_free (turnout_fake_twilio_add_inbound (fixture->fake, ANA, TURNOUT_FAKE_TWILIO_FROM, "Stop",
                                           now () - 30));
  g_free (turnout_fake_twilio_add_inbound (fixture->fake, BEN, TURNOUT_FAKE_TWILIO_FROM, "HELP",
                                           now () - 20));
  {
    g_auto(Run) run = cli (fixture, "poll", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "New replies: 2\n");
    assert_contains (run.out, "  opt-outs: 1\n");
    assert_contains (run.out, "  asking for help: 1\n");
  }
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM suppressions WHERE channel = 'sms'"
                              " AND address = '" ANA "' AND reason = 'stop_reply'"), ==, 1);
  {
    g_autofree char *consent = query_text (fixture, "SELECT sms_consent FROM contacts"
                                           " WHERE id = 1");
    g_autofree char *history = query_text (fixture, "SELECT source FROM consent_history"
                                           " WHERE contact_id = 1 AND status = 'opted_out'");

    g_assert_cmpstr (consent, ==, "opted_out");
    g_assert_cmpstr (history, ==, "reply STOP");
  }
  /* HELP is kept and changes nothing. */
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM replies WHERE action = 'help'"
                              " AND contact_id = 2"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM suppressions"), ==, 1);

  /* The campaign goes to Ben and Cy; Ana's row ends suppressed, with no
   * request for it at the fake. */
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, campaign_id);
    g_auto(Run) sent = cli (fixture, "campaign", "send", id, NULL);

    if (sent.status != 0)
      g_error ("campaign send failed: %s", sent.err);
  }
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, ANA), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, BEN), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, CY), ==, 1);
  {
    g_autofree char *state = query_text (fixture, "SELECT state FROM messages"
                                         " WHERE contact_id = 1");

    g_assert_cmpstr (state, ==, "suppressed");
  }

  /* The same replies listed again are not counted twice; the two sent
   * messages are asked about. */
  root = poll_json (fixture);
  g_assert_cmpint (member (root, "replies"), ==, 0);
  g_assert_cmpint (member (root, "opt_outs"), ==, 0);
  g_assert_cmpint (member (root, "checked"), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM replies"), ==, 2);
  g_clear_pointer (&root, json_object_unref);

  /* A later START lifts it. */
  g_free (turnout_fake_twilio_add_inbound (fixture->fake, ANA, TURNOUT_FAKE_TWILIO_FROM, "START",
                                           now ()));
  root = poll_json (fixture);
  g_assert_cmpint (member (root, "replies"), ==, 1);
  g_assert_cmpint (member (root, "opt_ins"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM suppressions"), ==, 0);
}

static void
test_delivery_statuses (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) root = NULL;
  gint64 fine, off, unregistered, waiting;

  fine = send_ok (fixture, "+14155550130", "Doors at 10", NULL);
  off = send_ok (fixture, "+14155550131", "Doors at 10", NULL);
  unregistered = send_ok (fixture, "+14155550132", "Doors at 10", NULL);
  turnout_fake_twilio_set_delivery_error (fixture->fake, "+14155550131", 30003);
  turnout_fake_twilio_set_delivery_error (fixture->fake, "+14155550132", 30034);
  g_assert_cmpuint (turnout_fake_twilio_deliver_all (fixture->fake), ==, 3);
  waiting = send_ok (fixture, "+14155550133", "Doors at 10", NULL);

  root = poll_json (fixture);
  g_assert_cmpint (member (root, "checked"), ==, 4);
  g_assert_cmpint (member (root, "delivered"), ==, 1);
  g_assert_cmpint (member (root, "undelivered"), ==, 1);
  g_assert_cmpint (member (root, "failed"), ==, 1);
  g_clear_pointer (&root, json_object_unref);

  {
    g_autofree char *state = query_text (fixture, "SELECT state FROM messages WHERE id = %"
                                         G_GINT64_FORMAT, fine);

    g_assert_cmpstr (state, ==, "delivered");
    g_assert_cmpint (query_int (fixture, "SELECT delivered_at FROM messages WHERE id = %"
                                G_GINT64_FORMAT, fine), >=, now () - 60);
  }
  {
    g_autofree char *state = query_text (fixture, "SELECT state FROM messages WHERE id = %"
                                         G_GINT64_FORMAT, off);
    g_autofree char *code = query_text (fixture, "SELECT error_code FROM messages WHERE id = %"
                                        G_GINT64_FORMAT, off);
    g_autofree char *text = query_text (fixture, "SELECT error_text FROM messages WHERE id = %"
                                        G_GINT64_FORMAT, off);

    g_assert_cmpstr (state, ==, "undelivered");
    g_assert_cmpstr (code, ==, "30003");
    assert_contains (text, "switched off or out of coverage (error 30003)");
  }
  {
    g_autofree char *state = query_text (fixture, "SELECT state FROM messages WHERE id = %"
                                         G_GINT64_FORMAT, unregistered);
    g_autofree char *code = query_text (fixture, "SELECT error_code FROM messages WHERE id = %"
                                        G_GINT64_FORMAT, unregistered);
    g_autofree char *text = query_text (fixture, "SELECT error_text FROM messages WHERE id = %"
                                        G_GINT64_FORMAT, unregistered);

    g_assert_cmpstr (state, ==, "failed");
    g_assert_cmpstr (code, ==, "30034");
    assert_contains (text, "not registered for US A2P 10DLC (error 30034)");
    assert_contains (text, "Register a brand and a campaign");
  }
  {
    g_autofree char *state = query_text (fixture, "SELECT state FROM messages WHERE id = %"
                                         G_GINT64_FORMAT, waiting);

    g_assert_cmpstr (state, ==, "sent");
    g_assert_cmpint (query_int (fixture, "SELECT polled_at FROM messages WHERE id = %"
                                G_GINT64_FORMAT, waiting), >=, now () - 60);
  }

  /* Settled messages are not asked about again. */
  root = poll_json (fixture);
  g_assert_cmpint (member (root, "checked"), ==, 1);
  g_assert_cmpint (member (root, "delivered"), ==, 0);
}

static void
test_send_sms (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TurnoutFakeMessage) accepted = NULL;
  g_autoptr(JsonObject) root = NULL;
  guint creates;

  turnout_test_exec_sql (fixture->store,
    "INSERT INTO contacts (id, first_name, last_name, phone, sms_consent, created_at, updated_at)"
    " VALUES (7, 'Gus', 'Park', '+14155550113', 'unknown', 0, 0),"
    "        (8, 'Dee', 'Moss', '+14155550114', 'opted_in', 0, 0),"
    "        (9, 'Flo', 'Hart', '+14155550116', 'opted_out', 0, 0);"
    "INSERT INTO suppressions (channel, address, reason, source, created_at)"
    " VALUES ('sms', '+14155550112', 'manual', 'contacts pane', 0);");

  /* A fresh number, written the local way, with a picture. */
  {
    g_auto(Run) run = cli (fixture, "--json", "send", "sms", "--to", "(415) 555-0110",
                           "--text", "Doors at 10 — see you!", "--media",
                           "https://example.com/flyer.jpg", NULL);

    g_assert_cmpint (run.status, ==, 0);
    root = parse_object (run.out);
  }
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, "+14155550110"), ==, 1);
  accepted = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "sent");
  g_assert_cmpstr (json_object_get_string_member (root, "provider_id"), ==, accepted->sid);
  g_assert_cmpstr (accepted->body, ==, "Doors at 10 — see you!");
  g_assert_cmpstr (accepted->media_urls[0], ==, "https://example.com/flyer.jpg");
  {
    g_autofree char *row = query_text (fixture,
      "SELECT state || '|' || address || '|' || provider_id || '|' || body || '|' || attempts"
      " FROM messages WHERE id = %" G_GINT64_FORMAT " AND campaign_id IS NULL"
      " AND automation_id IS NULL AND contact_id IS NULL", member (root, "id"));
    g_autofree char *expected = g_strdup_printf ("sent|+14155550110|%s|Doors at 10 — see you!|1",
                                                 accepted->sid);

    g_assert_cmpstr (row, ==, expected);
  }
  g_clear_pointer (&root, json_object_unref);

  /* Without --json the SID is printed. */
  {
    g_auto(Run) run = cli (fixture, "send", "sms", "--to", "+14155550111", "--text", "Hi", NULL);
    g_autoptr(TurnoutFakeMessage) second = turnout_fake_twilio_dup_accepted (fixture->fake, 1);
    g_autofree char *line = g_strconcat (second->sid, "\n", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, line);
  }

  /* Refusals: nothing reaches the fake, nothing is logged. */
  creates = turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_CREATE);
  {
    g_auto(Run) suppressed = cli (fixture, "--json", "send", "sms", "--to", "+14155550112",
                                  "--text", "Hi", NULL);
    g_auto(Run) no_consent = cli (fixture, "--json", "send", "sms", "--contact", "7", "--text",
                                  "Hi", NULL);
    g_auto(Run) opted_out = cli (fixture, "send", "sms", "--to", "+14155550116", "--text", "Hi",
                                 NULL);
    g_auto(Run) not_theirs = cli (fixture, "send", "sms", "--contact", "8", "--to",
                                  "+14155550115", "--text", "Hi", NULL);
    g_auto(Run) nobody = cli (fixture, "send", "sms", "--contact", "99", "--text", "Hi", NULL);
    g_auto(Run) empty = cli (fixture, "send", "sms", "--to", "+14155550118", "--text", " ",
                             NULL);
    g_auto(Run) bad_number = cli (fixture, "send", "sms", "--to", "12", "--text", "Hi", NULL);
    g_auto(Run) no_text = cli (fixture, "send", "sms", "--to", "+14155550118", NULL);
    g_autoptr(JsonObject) suppressed_json = NULL;
    g_autoptr(JsonObject) consent_json = NULL;

    g_assert_cmpint (suppressed.status, ==, 1);
    assert_contains (suppressed.err, "+14155550112 is on the suppression list (added by hand)");
    suppressed_json = parse_object (suppressed.out);
    g_assert_false (json_object_get_boolean_member (suppressed_json, "ok"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (suppressed_json,
                                                                                   "error"),
                                                    "code"), ==, "suppressed");
    g_assert_cmpint (no_consent.status, ==, 1);
    assert_contains (no_consent.err, "Gus Park never agreed to get texts");
    consent_json = parse_object (no_consent.out);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (consent_json,
                                                                                   "error"),
                                                    "code"), ==, "no-consent");
    g_assert_cmpint (opted_out.status, ==, 1);
    assert_contains (opted_out.err, "+14155550116 is the number of Flo Hart, who opted out");
    g_assert_cmpint (not_theirs.status, ==, 1);
    assert_contains (not_theirs.err, "+14155550115 is not the phone number of Dee Moss");
    g_assert_cmpint (nobody.status, ==, 1);
    assert_contains (nobody.err, "There is no contact 99");
    g_assert_cmpint (empty.status, ==, 1);
    assert_contains (empty.err, "The message is empty");
    g_assert_cmpint (bad_number.status, ==, 2);
    assert_contains (bad_number.err, "--to: “12” is too short");
    g_assert_cmpint (no_text.status, ==, 2);
    assert_contains (no_text.err, "usage: turnout-cli send sms");
  }
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_CREATE),
                    ==, creates);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM messages"), ==, 2);

  /* To a contact who opted in, by their phone, logged with them. */
  {
    g_auto(Run) run = cli (fixture, "--json", "send", "sms", "--contact", "8", "--text", "Hi Dee",
                           NULL);

    g_assert_cmpint (run.status, ==, 0);
    root = parse_object (run.out);
    g_assert_cmpint (query_int (fixture, "SELECT contact_id FROM messages WHERE id = %"
                                G_GINT64_FORMAT " AND address = '+14155550114'",
                                member (root, "id")), ==, 8);
    g_clear_pointer (&root, json_object_unref);
  }

  /* Twilio says the person opted out (21610): the number is suppressed
   * from now on, and the send fails with the reason. */
  turnout_fake_twilio_set_number_error (fixture->fake, "+14155550117", 21610);
  {
    g_auto(Run) run = cli (fixture, "--json", "send", "sms", "--to", "+14155550117", "--text",
                           "Hi", NULL);

    g_assert_cmpint (run.status, ==, 1);
    root = parse_object (run.out);
    g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "suppressed");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "error"),
                                                    "code"), ==, "21610");
  }
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM suppressions"
                              " WHERE address = '+14155550117' AND reason = 'opted_out'"), ==, 1);
  {
    g_auto(Run) again = cli (fixture, "send", "sms", "--to", "+14155550117", "--text", "Hi", NULL);

    g_assert_cmpint (again.status, ==, 1);
    assert_contains (again.err, "is on the suppression list (they opted out with the provider)");
  }
}

static void
test_lost_answer (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TurnoutFakeMessage) accepted = NULL;
  g_autofree char *sid = NULL;
  gint64 id;

  /* Accepted, then the connection reset: found at the fake, not sent
   * again. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_RESET_AFTER, 1);
  id = send_ok (fixture, "+14155550140", "Lost answer", &sid);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, "+14155550140"), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_CREATE),
                    ==, 1);
  accepted = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  g_assert_cmpstr (sid, ==, accepted->sid);
  {
    g_autofree char *row = query_text (fixture, "SELECT state || '|' || provider_id FROM messages"
                                       " WHERE id = %" G_GINT64_FORMAT, id);
    g_autofree char *expected = g_strconcat ("sent|", accepted->sid, NULL);

    g_assert_cmpstr (row, ==, expected);
  }

  /* Reset before it was processed: not at the fake, so it failed, and
   * says it can be sent again. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_RESET_BEFORE, 1);
  {
    g_auto(Run) run = cli (fixture, "--json", "send", "sms", "--to", "+14155550141", "--text",
                           "Never arrived", NULL);
    g_autoptr(JsonObject) root = NULL;
    g_autofree char *state = NULL;

    g_assert_cmpint (run.status, ==, 1);
    root = parse_object (run.out);
    g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "failed");
    assert_contains (run.err, "it was not sent");
    state = query_text (fixture, "SELECT state FROM messages WHERE id = %" G_GINT64_FORMAT,
                        member (root, "id"));
    g_assert_cmpstr (state, ==, "failed");
  }
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, "+14155550141"), ==, 0);
}

static void
test_stale_one_offs (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(TurnoutSendResult) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *sql = NULL;
  TurnoutOutgoing outgoing = { .to = "+14155550120", .text = "Crash text" };
  gint64 claimed = now () - 1200;

  /* A Turnout that died after its request left: the message is at the
   * fake, the row still "sending". */
  sender = turnout_twilio_sender_new (TURNOUT_FAKE_TWILIO_ACCOUNT_SID, NULL,
                                      TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM,
                                      NULL, &error);
  g_assert_no_error (error);
  turnout_sender_send_async (TURNOUT_SENDER (sender), &outgoing, NULL, turnout_test_result_cb,
                             &result);
  sent = turnout_sender_send_finish (TURNOUT_SENDER (sender), turnout_test_wait_result (&result),
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpint (sent->outcome, ==, TURNOUT_SEND_OK);
  sql = g_strdup_printf (
    "INSERT INTO messages (id, channel, address, state, attempts, claimed_at, body, created_at,"
    " updated_at) VALUES"
    " (100, 'sms', '+14155550120', 'sending', 1, %1$" G_GINT64_FORMAT ", 'Crash text', %1$"
    G_GINT64_FORMAT ", %1$" G_GINT64_FORMAT "),"
    " (101, 'sms', '+14155550121', 'unknown', 1, %1$" G_GINT64_FORMAT ", 'Never left', %1$"
    G_GINT64_FORMAT ", %1$" G_GINT64_FORMAT "),"
    " (102, 'sms', '+14155550122', 'sending', 1, %2$" G_GINT64_FORMAT ", 'In flight', %2$"
    G_GINT64_FORMAT ", %2$" G_GINT64_FORMAT ");", claimed, now ());
  turnout_test_exec_sql (fixture->store, sql);

  root = poll_json (fixture);
  g_assert_cmpint (member (root, "reconciled"), ==, 2);
  {
    g_autofree char *found = query_text (fixture, "SELECT state || '|' || provider_id"
                                         " FROM messages WHERE id = 100");
    g_autofree char *expected = g_strconcat ("sent|", sent->provider_id, NULL);
    g_autofree char *lost = query_text (fixture, "SELECT state FROM messages WHERE id = 101");
    g_autofree char *lost_text = query_text (fixture, "SELECT error_text FROM messages"
                                             " WHERE id = 101");
    g_autofree char *fresh = query_text (fixture, "SELECT state FROM messages WHERE id = 102");

    g_assert_cmpstr (found, ==, expected);
    g_assert_cmpstr (lost, ==, "failed");
    assert_contains (lost_text, "it was not sent");
    /* Claimed a moment ago: its request may still be out. */
    g_assert_cmpstr (fresh, ==, "sending");
  }
  /* Nothing was sent again. */
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
}

static void
test_twilio_down (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) root = NULL;
  gint64 id = send_ok (fixture, "+14155550150", "Doors at 10", NULL);

  turnout_fake_twilio_deliver_all (fixture->fake);
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_FETCH, TURNOUT_FAKE_FAULT_500, 1);
  {
    g_auto(Run) run = cli (fixture, "poll", NULL);

    g_assert_cmpint (run.status, ==, 1);
    assert_contains (run.err, "Could not ask Twilio whether messages arrived");
    assert_contains (run.out, "Messages checked: 0\n");
  }
  g_assert_cmpint (query_int (fixture, "SELECT coalesce (polled_at, -1) FROM messages WHERE id = %"
                              G_GINT64_FORMAT, id), ==, -1);
  /* Twilio is back: the next pass catches up. */
  root = poll_json (fixture);
  g_assert_cmpint (member (root, "delivered"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/poll/stop-reply-then-campaign", Fixture, NULL, fixture_set_up,
              test_stop_reply_then_campaign, fixture_tear_down);
  g_test_add ("/poll/delivery-statuses", Fixture, NULL, fixture_set_up, test_delivery_statuses,
              fixture_tear_down);
  g_test_add ("/poll/send-sms", Fixture, NULL, fixture_set_up, test_send_sms, fixture_tear_down);
  g_test_add ("/poll/lost-answer", Fixture, NULL, fixture_set_up, test_lost_answer,
              fixture_tear_down);
  g_test_add ("/poll/stale-one-offs", Fixture, NULL, fixture_set_up, test_stale_one_offs,
              fixture_tear_down);
  g_test_add ("/poll/twilio-down", Fixture, NULL, fixture_set_up, test_twilio_down,
              fixture_tear_down);

  return g_test_run ();
}
