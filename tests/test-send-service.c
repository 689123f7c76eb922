/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "turnout-campaigns.h"
#include "turnout-segment.h"
#include "turnout-send-service.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-fake-twilio.h"
#include "turnout-test-db.h"
#include "turnout-test-smtp.h"
#include "turnout-test-utils.h"

/* The service that sends while the app runs, against the fake Twilio. Its
 * port is chosen before any thread starts, so the environment the Twilio
 * client reads can name it. */

static guint fake_port;

static TurnoutStore *
open_store (const char *name)
{
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  turnout_test_exec_sql (store,
    "INSERT INTO contacts (id, first_name, phone, sms_consent, time_zone, created_at, updated_at)"
    " VALUES (1, 'Ana', '+16502000001', 'opted_in', 'UTC', 0, 0),"
    "        (2, 'Bo', '+16502000002', 'opted_in', 'UTC', 0, 0),"
    "        (3, 'Cy', '+16502000003', 'opted_in', 'UTC', 0, 0);"
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
    " VALUES (1, 'Doors', 'sms', 'Doors at 10, {first_name}!', 0, 0);"
    "INSERT INTO settings (key, value, updated_at) VALUES"
    " ('twilio.account_sid', '" TURNOUT_FAKE_TWILIO_ACCOUNT_SID "', 0),"
    " ('twilio.from', '" TURNOUT_FAKE_TWILIO_FROM "', 0),"
    " ('sms.rate', '1000', 0), ('sms.quiet_hours', 'off', 0);");
  return store;
}

static gint64
create (TurnoutStore *store,
        const char   *name,
        gint64        scheduled_at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, &error);
  gint64 id;

  g_assert_no_error (error);
  id = turnout_campaigns_create (store, name, "sms", "all", all, 1, 0, scheduled_at, &error);
  g_assert_no_error (error);
  return id;
}

static char *
campaign_field (TurnoutStore *store,
                gint64        id,
                const char   *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT ifnull (%s, '') FROM campaigns WHERE id = %"
                                          G_GINT64_FORMAT, column, id);

  return turnout_test_query_text (store, sql);
}

static void
wait_passes (TurnoutSendService *service,
             guint               passes)
{
  spin_until (turnout_send_service_get_passes (service) >= passes);
}

static void
test_scheduled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autoptr(TurnoutStore) store = open_store ("scheduled.db");
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSendService) service = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reason = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 on_time, late, later;

  g_assert_no_error (error);
  /* One due an hour ago (the computer was off: within the 6 h grace), one
   * 8 hours late, one still to come. */
  on_time = create (store, "Doors tonight", now + 3600);
  late = create (store, "Last week's", now + 3600);
  later = create (store, "Next week", now + 7 * 86400);
  turnout_test_exec_sql (store, "UPDATE campaigns SET scheduled_at = strftime ('%s', 'now') - 3600"
                                " WHERE name = 'Doors tonight';"
                                "UPDATE campaigns SET scheduled_at = strftime ('%s', 'now') - 8 * 3600"
                                " WHERE name = 'Last week''s';");
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  service = turnout_send_service_new (NULL, settings);
  wait_passes (service, 1);
  g_assert_null (turnout_send_service_get_problem (service));

  /* The one on time went out, once to each. */
  state = campaign_field (store, on_time, "state");
  g_assert_cmpstr (state, ==, "completed");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 3);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16502000002"), ==, 1);

  /* The late one waits for the user, saying why; the next pass leaves it. */
  g_clear_pointer (&state, g_free);
  state = campaign_field (store, late, "state");
  reason = campaign_field (store, late, "state_reason");
  g_assert_cmpstr (state, ==, "scheduled");
  g_assert_cmpstr (reason, ==, "Its time passed 8 hours ago while Turnout wasn’t running. "
                               "Send it now, or cancel it.");
  g_clear_pointer (&state, g_free);
  state = campaign_field (store, later, "state");
  g_assert_cmpstr (state, ==, "scheduled");

  turnout_send_service_wake (service);
  wait_passes (service, 2);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 3);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"), ==, 3);

  /* The user sends it now: woken, the service sends it at once. */
  g_assert_cmpint (turnout_campaigns_launch (store, late, NULL, &error), ==, 3);
  g_assert_no_error (error);
  turnout_send_service_wake (service);
  wait_passes (service, 3);
  g_clear_pointer (&state, g_free);
  state = campaign_field (store, late, "state");
  g_assert_cmpstr (state, ==, "completed");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 6);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16502000002"), ==, 2);

  g_object_run_dispose (G_OBJECT (service));
  turnout_test_finalize_object (g_steal_pointer (&service));
}

/* Email can't go out yet: a launched email campaign is stopped with the
 * reason rather than left "running" with nothing happening. */
/* Without a mail server set up, a running email campaign is stopped with
 * what to do, not left to look stuck. */
static void
test_email_not_set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = open_store ("email.db");
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSendService) service = NULL;
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, &error);
  g_autofree char *reason = NULL;
  gint64 id;

  g_assert_no_error (error);
  turnout_test_exec_sql (store, "INSERT INTO templates (id, name, channel, subject, body_html,"
                                " created_at, updated_at) VALUES (2, 'News', 'email', 'Hi',"
                                " '<p>Hi</p>', 0, 0);"
                                "UPDATE contacts SET email = 'fan' || id || '@example.com',"
                                " email_consent = 'opted_in'");
  id = turnout_campaigns_create (store, "News", "email", "all", all, 2, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, 3);
  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  service = turnout_send_service_new (NULL, settings);
  wait_passes (service, 1);
  reason = campaign_field (store, id, "state || ': ' || state_reason");
  g_assert_true (g_str_has_prefix (reason, "stopped: "));
  g_assert_true (g_str_has_suffix (reason, "Set up the mail server in Preferences, then resume "
                                           "the campaign."));
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state <> 'queued'"), ==, 0);

  g_object_run_dispose (G_OBJECT (service));
  turnout_test_finalize_object (g_steal_pointer (&service));
}

/* A running email campaign goes out through the mail server, once to
 * each, next to the texts. */
static void
test_email (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autoptr(TurnoutStore) store = open_store ("email-sent.db");
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSendService) service = NULL;
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, &error);
  g_autofree char *sql = NULL;
  g_autofree char *state = NULL;
  gint64 id;

  g_assert_no_error (error);
  sql = g_strdup_printf ("INSERT INTO templates (id, name, channel, subject, body_html,"
                         " created_at, updated_at) VALUES (2, 'News', 'email',"
                         " 'Hi {first_name}', '<p>Doors at 10</p>', 0, 0);"
                         "UPDATE contacts SET email = 'fan' || id || '@example.com',"
                         " email_consent = 'opted_in';"
                         "INSERT INTO settings (key, value, updated_at) VALUES"
                         " ('smtp.host', '127.0.0.1', 0), ('smtp.port', '%u', 0),"
                         " ('smtp.username', '" TURNOUT_TEST_SMTP_USER "', 0),"
                         " ('smtp.from_address', 'promoter@example.com', 0),"
                         " ('email.postal_address', '1 Main Street, Springfield', 0);",
                         server->port);
  turnout_test_exec_sql (store, sql);
  id = turnout_campaigns_create (store, "News", "email", "all", all, 2, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, 3);
  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  service = turnout_send_service_new (NULL, settings);
  wait_passes (service, 1);
  g_assert_null (turnout_send_service_get_problem (service));
  state = campaign_field (store, id, "state");
  g_assert_cmpstr (state, ==, "completed");
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'sent'"), ==, 3);
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 3);
  for (guint i = 1; i <= 3; i++)
    {
      g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, i);
      JsonObject *headers = json_object_get_object_member (message, "headers");

      g_assert_true (g_str_has_prefix (json_object_get_string_member (headers, "Subject"),
                                       "Hi "));
    }

  /* The next pass sends nobody a second email. */
  turnout_send_service_wake (service);
  wait_passes (service, 2);
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 3);

  g_object_run_dispose (G_OBJECT (service));
  turnout_test_finalize_object (g_steal_pointer (&service));
}

static void
test_stopped_and_resumed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autoptr(TurnoutStore) store = open_store ("stopped.db");
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSendService) service = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reason = NULL;
  gint64 id;

  g_assert_no_error (error);
  /* The account was suspended: Twilio refuses the credentials. */
  turnout_fake_twilio_set_account (fake, TURNOUT_FAKE_TWILIO_FRIENDLY_NAME, "suspended");
  id = create (store, "Doors", 0);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, 3);
  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  service = turnout_send_service_new (NULL, settings);
  wait_passes (service, 1);
  /* Stopped, saying what to check; nobody failed for it. */
  state = campaign_field (store, id, "state");
  reason = campaign_field (store, id, "state_reason");
  g_assert_cmpstr (state, ==, "stopped");
  g_assert_nonnull (turnout_send_service_get_problem (service));
  g_assert_cmpstr (reason, ==, turnout_send_service_get_problem (service));
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'queued'"), ==, 3);

  /* Put right and resumed: it finishes. */
  turnout_fake_twilio_set_account (fake, TURNOUT_FAKE_TWILIO_FRIENDLY_NAME, "active");
  g_assert_true (turnout_campaigns_resume (store, id, &error));
  g_assert_no_error (error);
  turnout_send_service_wake (service);
  wait_passes (service, 2);
  g_clear_pointer (&state, g_free);
  state = campaign_field (store, id, "state");
  g_assert_cmpstr (state, ==, "completed");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 3);
  g_assert_null (turnout_send_service_get_problem (service));

  g_object_run_dispose (G_OBJECT (service));
  turnout_test_finalize_object (g_steal_pointer (&service));
}

/* A STOP reply at Twilio is acted on by the service's poll: suppressed,
 * and the campaign launched after it leaves that fan out. */
static void
test_stop_reply (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autoptr(TurnoutStore) store = open_store ("stop.db");
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSendService) service = NULL;
  g_autofree char *consent = NULL;
  g_autofree char *sid = NULL;
  gint64 id;

  g_assert_no_error (error);
  sid = turnout_fake_twilio_add_inbound (fake, "+16502000002", TURNOUT_FAKE_TWILIO_FROM, "Stop",
                                         g_get_real_time () / G_USEC_PER_SEC - 60);
  g_assert_nonnull (sid);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  service = turnout_send_service_new (NULL, settings);
  turnout_send_service_set_poll_interval (service, 0);
  wait_passes (service, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM suppressions"
                                                  " WHERE address = '+16502000002'"), ==, 1);
  consent = turnout_test_query_text (store, "SELECT sms_consent FROM contacts WHERE id = 2");
  g_assert_cmpstr (consent, ==, "opted_out");

  id = create (store, "Doors", 0);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), >=, 0);
  g_assert_no_error (error);
  turnout_send_service_wake (service);
  wait_passes (service, 2);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 2);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16502000002"), ==, 0);

  /* Delivered, as the next poll learns. */
  g_assert_cmpuint (turnout_fake_twilio_deliver_all (fake), ==, 2);
  turnout_send_service_wake (service);
  wait_passes (service, 3);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'delivered'"), ==, 2);

  g_object_run_dispose (G_OBJECT (service));
  turnout_test_finalize_object (g_steal_pointer (&service));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;

  turnout_test_init (&argc, &argv);

  /* A free port for the fake, named in the environment while this
   * process has no threads yet. */
  fake_port = turnout_fake_twilio_pick_port ();
  url = g_strdup_printf ("http://127.0.0.1:%u", fake_port);
  g_setenv ("TURNOUT_TWILIO_API_URL", url, TRUE);
  g_setenv ("TWILIO_ACCOUNT_SID", TURNOUT_FAKE_TWILIO_ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TRUE);
  /* The test authority (made now, by openssl) and the server's password,
   * for the SMTP client in this process. */
  g_setenv ("TURNOUT_TLS_CA_FILE", turnout_test_smtp_get_ca_file (), TRUE);
  g_setenv ("TURNOUT_SMTP_PASSWORD", TURNOUT_TEST_SMTP_PASSWORD, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/send-service/scheduled", test_scheduled);
  g_test_add_func ("/send-service/stopped-and-resumed", test_stopped_and_resumed);
  g_test_add_func ("/send-service/stop-reply", test_stop_reply);
  g_test_add_func ("/send-service/email-not-set-up", test_email_not_set_up);
  g_test_add_func ("/send-service/email", test_email);

  return g_test_run ();
}
