/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "turnout-campaigns.h"
#include "turnout-dispatcher.h"
#include "turnout-store.h"
#include "turnout-twilio-sender.h"
#include "turnout-fake-twilio.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* Campaigns sent for real: `turnout-cli campaign send` (or the dispatcher
 * with the Twilio client) against the fake Twilio on 127.0.0.1, and what
 * the fake holds afterwards compared with what Turnout recorded. */

#define NUMBER_FORMAT "+1650%07d"

static char *
number (int i)
{
  return g_strdup_printf (NUMBER_FORMAT, 2000000 + i);
}

/* A file with @n contacts opted in to SMS, an SMS template, the fake's
 * sender and the settings of @settings_sql. */
static char *
make_db (const char *name,
         int         n,
         const char *settings_sql)
{
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sql = g_string_new ("BEGIN;");
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_string_append_printf (sql,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
    " INSERT INTO contacts (id, first_name, phone, sms_consent, time_zone, created_at, updated_at)"
    " SELECT i, 'Fan ' || i, '+1650' || (2000000 + i), 'opted_in', 'UTC', 0, 0"
    " FROM n;", n);
  g_string_append (sql,
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
    " VALUES (1, 'Doors', 'sms', 'Hi {first_name}, doors at 10!', 0, 0);"
    "INSERT INTO settings (key, value, updated_at) VALUES"
    " ('twilio.account_sid', '" TURNOUT_FAKE_TWILIO_ACCOUNT_SID "', 0),"
    " ('twilio.from', '" TURNOUT_FAKE_TWILIO_FROM "', 0);");
  g_string_append (sql, settings_sql);
  g_string_append (sql, "COMMIT;");
  turnout_test_exec_sql (store, sql->str);
  turnout_test_finalize_object (store);
  return g_steal_pointer (&path);
}

/* What turnout-cli is started with: the fake's address and credentials.
 * Given to each child, never set in this process, which has threads. */
static char *fake_url;
static const char *auth_token = TURNOUT_FAKE_TWILIO_AUTH_TOKEN;

static TurnoutFakeTwilio *
start_fake (void)
{
  TurnoutFakeTwilio *fake = turnout_fake_twilio_new ();

  g_free (fake_url);
  fake_url = g_strdup (turnout_fake_twilio_get_url (fake));
  auth_token = TURNOUT_FAKE_TWILIO_AUTH_TOKEN;
  return fake;
}

/* The fake's address and credentials, for the child only. */
static const char * const *
fake_env (void)
{
  static char *env[4];

  for (guint i = 0; i < G_N_ELEMENTS (env); i++)
    g_clear_pointer (&env[i], g_free);
  env[0] = g_strconcat ("TURNOUT_TWILIO_API_URL=", fake_url, NULL);
  env[1] = g_strdup ("TWILIO_ACCOUNT_SID=" TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  env[2] = g_strconcat ("TWILIO_AUTH_TOKEN=", auth_token, NULL);
  return (const char * const *) env;
}

/* Starts turnout-cli and leaves it running (to be killed or waited for). */
static GSubprocess *
spawn_cli (GError     **error,
           const char  *first,
           ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char * const *env = fake_env ();
  const char *arg;
  va_list ap;

  for (guint i = 0; env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  g_ptr_array_add (args, (gpointer) g_getenv ("TURNOUT_CLI"));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, error);
}

/* Runs turnout-cli to its end; returns its exit status, and what it printed. */
static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(TurnoutTestRun) run = { 0 };
  const char *arg;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run = turnout_test_cli_v (fake_env (), (const char * const *) args->pdata);
  if (out != NULL)
    *out = g_steal_pointer (&run.out);
  if (err != NULL)
    *err = g_steal_pointer (&run.err);
  return run.status;
}

static gint64
create_campaign (const char *path)
{
  g_autofree char *out = NULL;
  gint64 id;

  g_assert_cmpint (run_cli (&out, NULL, "--db", path, "campaign", "create", "--name", "Tonight",
                            "--channel", "sms", "--segment", "all", "--template", "Doors",
                            NULL), ==, 0);
  id = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (id, >, 0);
  return id;
}

static JsonObject *
campaign_status (const char *path,
                 gint64      id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_assert_cmpint (run_cli (&out, NULL, "--json", "--db", path, "campaign", "status", text,
                            NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
query_int (const char *path,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);

  g_assert_no_error (error);
  return turnout_test_query_int (store, sql);
}

/* What became of each message, in the log of a failing test. */
static void
dump_messages (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = turnout_test_query_text (store, "SELECT group_concat (contact_id || ' ' || state || ' '"
                                         " || ifnull (error_code, '-') || ' '"
                                         " || ifnull (error_text, '-'), '; ') FROM messages");
  g_test_message ("messages: %s", text);
}

/* Every sent row has exactly one message at the fake, with the row's SID;
 * every other row none. */
static void
assert_exactly_once (TurnoutFakeTwilio *fake,
                     const char        *path,
                     int                n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);
  g_autoptr(GPtrArray) accepted = turnout_fake_twilio_dup_all_accepted (fake);
  g_autoptr(GHashTable) sids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint n_sent = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < accepted->len; i++)
    {
      TurnoutFakeMessage *message = g_ptr_array_index (accepted, i);

      /* Two messages to one number would be a duplicate. */
      g_assert_false (g_hash_table_contains (sids, message->to));
      g_hash_table_insert (sids, g_strdup (message->to), g_strdup (message->sid));
    }
  for (int i = 1; i <= n; i++)
    {
      g_autofree char *to = number (i);
      g_autofree char *sql = g_strdup_printf ("SELECT state || ' ' || ifnull (provider_id, '-')"
                                              " FROM messages WHERE contact_id = %d"
                                              " AND campaign_id IS NOT NULL", i);
      g_autofree char *row = turnout_test_query_text (store, sql);
      const char *sid = g_hash_table_lookup (sids, to);

      if (g_str_has_prefix (row, "sent "))
        {
          g_autofree char *expected = g_strconcat ("sent ", sid, NULL);

          g_assert_nonnull (sid);
          g_assert_cmpstr (row, ==, expected);
          n_sent++;
        }
      else
        g_assert_null (sid);
    }
  g_assert_cmpuint (n_sent, ==, accepted->len);
}

static void
test_send_cli (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("send.db", 6,
    "INSERT INTO settings (key, value, updated_at) VALUES ('sms.rate', '1000', 0),"
    " ('sms.quiet_hours', 'off', 0);");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *invalid = number (5);
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeMessage) first = NULL;
  gint64 id;

  /* Launched after the audience was frozen: 2 opted out, 3 suppressed;
   * Twilio refuses 4 (they replied STOP) and 5 (not a mobile number). */
  id = create_campaign (path);
  {
    TurnoutStore *changes = turnout_store_open (path, &error);

    g_assert_no_error (error);
    turnout_test_exec_sql (changes,
      "UPDATE contacts SET sms_consent = 'opted_out' WHERE id = 2;"
      "INSERT INTO suppressions (channel, address, reason, created_at)"
      " VALUES ('sms', '+16502000003', 'manual', 0);");
    turnout_test_finalize_object (changes);
  }
  turnout_fake_twilio_set_number_error (fake, "+16502000004", 21610);
  turnout_fake_twilio_set_number_error (fake, invalid, 21211);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_cmpint (run_cli (&out, &err, "--db", path, "campaign", "send", text, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "State: completed"));

  status = campaign_status (path, id);
  dump_messages (path);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (status, "total"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (status, "failed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (status, "suppressed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (status, "skipped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (status, "queued"), ==, 0);

  /* What reached Twilio: the merged text, from the account's number. */
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 2);
  first = turnout_fake_twilio_dup_accepted (fake, 0);
  g_assert_cmpstr (first->to, ==, "+16502000001");
  g_assert_cmpstr (first->from, ==, TURNOUT_FAKE_TWILIO_FROM);
  g_assert_cmpstr (first->body, ==, "Hi Fan 1, doors at 10!");
  assert_exactly_once (fake, path, 6);

  /* The refusals say why, and the STOP is remembered. */
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM suppressions"
                                                  " WHERE address = '+16502000004'"), ==, 1);
  g_clear_pointer (&text, g_free);
  text = turnout_test_query_text (store, "SELECT error_code FROM messages WHERE contact_id = 5");
  g_assert_cmpstr (text, ==, "21211");
  g_clear_pointer (&text, g_free);
  text = turnout_test_query_text (store, "SELECT error_text FROM messages WHERE contact_id = 5");
  g_assert_true (text != NULL && *text != '\0');

  /* Sending a finished campaign again sends nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_cmpint (run_cli (&out, NULL, "--db", path, "campaign", "send", text, NULL), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 2);
}

static void
test_send_refusals (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("refusals.db", 2, "");
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  gint64 id = create_campaign (path);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  /* Wrong credentials: nothing leaves, the user is told what to check, and
   * the campaign waits instead of failing its recipients. */
  auth_token = "ffffffffffffffffffffffffffffffff";
  g_assert_cmpint (run_cli (NULL, &err, "--db", path, "campaign", "send", text, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "credentials"));
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE state IN"
                                    " ('failed', 'sent', 'sending')"), ==, 0);

  /* No campaign of that number. */
  auth_token = TURNOUT_FAKE_TWILIO_AUTH_TOKEN;
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "--db", path, "campaign", "send", "99", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no campaign 99"));
}

/* A starter template is there to be named before anything listed them. */
static void
test_starter_template (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("starter.db", 1, "");
  g_autofree char *out = NULL;

  g_assert_cmpint (run_cli (&out, NULL, "--db", path, "campaign", "create", "--name", "Thanks",
                            "--channel", "sms", "--segment", "all", "--template",
                            "Ticket Confirmation (SMS)", NULL), ==, 0);
  g_assert_cmpint (g_ascii_strtoll (out, NULL, 10), >, 0);
}

static void
test_rate_at_the_fake (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("rate.db", 9,
    "INSERT INTO settings (key, value, updated_at) VALUES ('sms.rate', '3', 0),"
    " ('sms.concurrency', '8', 0), ('sms.quiet_hours', 'off', 0);");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, create_campaign (path));

  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", text, NULL), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 9);
  /* Measured where it matters: at Twilio, over any one-second window. */
  g_assert_cmpuint (turnout_fake_twilio_get_max_in_window (fake, G_USEC_PER_SEC, FALSE), <=, 3);
  g_assert_cmpuint (turnout_fake_twilio_get_max_in_window (fake, 3 * G_USEC_PER_SEC, FALSE),
                    >=, 7);
}

static void
test_quiet_hours_now (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("quiet.db", 3,
    "INSERT INTO settings (key, value, updated_at) VALUES ('sms.rate', '1000', 0);"
    "UPDATE contacts SET time_zone = 'America/New_York' WHERE id = 3;");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, create_campaign (path));
  g_autoptr(JsonObject) status = NULL;

  /* 23:30 in London (UTC in winter) and 18:30 in New York: the default
   * quiet hours (21:00–08:00) keep 1 and 2 for the morning. */
  g_assert_cmpint (run_cli (NULL, NULL, "--now", "2026-11-27T23:30:00Z", "--db", path,
                            "campaign", "send", text, NULL), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16502000003"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT next_attempt_at FROM messages WHERE contact_id = 1"),
                   ==, 1795852800 /* 2026-11-28T08:00:00Z */);
  status = campaign_status (path, 1);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (status, "queued"), ==, 2);

  /* Still night at 07:59; at 08:01 they go. */
  g_assert_cmpint (run_cli (NULL, NULL, "--now", "2026-11-28T07:59:00Z", "--db", path,
                            "campaign", "send", text, NULL), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 1);
  g_assert_cmpint (run_cli (NULL, NULL, "--now", "2026-11-28T08:01:00Z", "--db", path,
                            "campaign", "send", text, NULL), ==, 0);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 3);
  assert_exactly_once (fake, path, 3);
}

/* Waits until the fake has accepted at least @n messages. */
static void
wait_accepted (TurnoutFakeTwilio *fake,
               guint              n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (turnout_fake_twilio_get_n_accepted (fake) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
}

static void
test_pause_and_suppress_midway (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("pause.db", 300,
    "INSERT INTO settings (key, value, updated_at) VALUES ('sms.rate', '1000', 0),"
    " ('sms.concurrency', '2', 0), ('sms.quiet_hours', 'off', 0);");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, create_campaign (path));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) status = NULL;
  guint at_pause;

  turnout_fake_twilio_set_delay (fake, 20, TRUE);
  process = spawn_cli (&error, "--db", path, "campaign", "send", text, NULL);
  g_assert_no_error (error);

  /* Once sending is under way, the last fan replies STOP somewhere else
   * (added to the list by hand), and the user pauses from another
   * process: the running sender stops taking messages. */
  wait_accepted (fake, 20);
  {
    g_autofree char *err = NULL;

    /* A second sender on the same file is turned away, saying why. */
    g_assert_cmpint (run_cli (NULL, &err, "--db", path, "campaign", "send", text, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "already sending from this file"));
  }
  {
    g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);

    g_assert_no_error (error);
    turnout_test_exec_sql (store, "INSERT INTO suppressions (channel, address, reason, created_at)"
                                  " VALUES ('sms', '+16502000300', 'manual', 0);");
  }
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "pause", text, NULL), ==, 0);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  at_pause = turnout_fake_twilio_get_n_accepted (fake);
  g_assert_cmpuint (at_pause, <, 299);
  status = campaign_status (path, 1);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "paused");
  g_assert_cmpint (json_object_get_int_member (status, "sending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==, at_pause);

  /* A paused campaign isn't sent by a new process… */
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", text, NULL), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, at_pause);

  /* …until it is resumed; then it finishes where it stopped. */
  turnout_fake_twilio_set_delay (fake, 0, FALSE);
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "resume", text, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", text, NULL), ==, 0);
  g_clear_pointer (&status, json_object_unref);
  status = campaign_status (path, 1);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==, 299);
  g_assert_cmpint (json_object_get_int_member (status, "suppressed"), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16502000300"), ==, 0);
  assert_exactly_once (fake, path, 300);
}

static void
test_killed (void)
{
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("killed.db", 1000,
    "INSERT INTO settings (key, value, updated_at) VALUES ('sms.rate', '1000', 0),"
    " ('sms.concurrency', '8', 0), ('sms.quiet_hours', 'off', 0);");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, create_campaign (path));
  g_autoptr(JsonObject) status = NULL;
  GRand *rand = g_rand_new_with_seed (20261128);
  guint kills = 0;
  guint runs = 0;

  /* Every answer takes 30 ms, so a kill finds requests in flight: some
   * stored at Twilio with the answer lost, some not yet sent. */
  turnout_fake_twilio_set_delay (fake, 30, TRUE);
  while (kills < 12)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      guint before = turnout_fake_twilio_get_n_accepted (fake);
      gint64 deadline;

      g_assert_cmpuint (++runs, <, 40);
      process = spawn_cli (&error, "--db", path, "campaign", "send", text, NULL);
      g_assert_no_error (error);

      /* Somewhere after this run has sent something. */
      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (turnout_fake_twilio_get_n_accepted (fake) == before)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (1000);
        }
      g_usleep (g_rand_int_range (rand, 0, 250000));
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (process))
        {
          g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
          kills++;
        }
      g_test_message ("run %u: %u accepted", runs, turnout_fake_twilio_get_n_accepted (fake));
      if (turnout_fake_twilio_get_n_accepted (fake) >= 900)
        break;
    }
  g_rand_free (rand);
  g_assert_cmpuint (kills, >=, 10);

  /* The last kill left requests in flight. Meanwhile the fans are
   * renamed: what was sent is looked for word for word as it left, not as
   * the template would read now. */
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE state = 'sending'"),
                   >, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);

    g_assert_no_error (error);
    turnout_test_exec_sql (store, "UPDATE contacts SET first_name = 'Renamed ' || id");
  }

  /* The run after the last kill finishes the campaign: the rows the kills
   * left "sending" are asked about at Twilio, found or sent now. */
  turnout_fake_twilio_set_delay (fake, 0, FALSE);
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", text, NULL), ==, 0);
  status = campaign_status (path, 1);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==, 1000);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 1000);
  assert_exactly_once (fake, path, 1000);
}

/* The dispatcher and the Twilio client in this process, 10,000 recipients,
 * Twilio failing in every way it can. */
static void
test_mixed_faults (void)
{
  const int n = 10000;
  g_autoptr(TurnoutFakeTwilio) fake = start_fake ();
  g_autofree char *path = make_db ("faults.db", n, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 id = create_campaign (path);
  const struct { TurnoutFakeFault fault; double probability; } faults[] = {
    { TURNOUT_FAKE_FAULT_500, 0.01 },
    { TURNOUT_FAKE_FAULT_502, 0.005 },
    { TURNOUT_FAKE_FAULT_503, 0.01 },
    { TURNOUT_FAKE_FAULT_429, 0.0005 },
    { TURNOUT_FAKE_FAULT_429_RETRY_AFTER, 0.0005 },
    { TURNOUT_FAKE_FAULT_21611, 0.0005 },
    { TURNOUT_FAKE_FAULT_RESET_BEFORE, 0.005 },
    { TURNOUT_FAKE_FAULT_RESET_AFTER, 0.005 },
    { TURNOUT_FAKE_FAULT_SLOW, 0.002 },
  };
  guint n_stop = 0, n_invalid = 0;

  turnout_fake_twilio_set_seed (fake, 6);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    turnout_fake_twilio_add_random_fault (fake, faults[i].fault, faults[i].probability);
  turnout_fake_twilio_set_retry_after (fake, "1");
  turnout_fake_twilio_set_delay (fake, 1500, FALSE);
  for (int i = 97; i <= n; i += 97)
    {
      g_autofree char *to = number (i);

      turnout_fake_twilio_set_number_error (fake, to, i % 2 ? 21610 : 21211);
      if (i % 2)
        n_stop++;
      else
        n_invalid++;
    }

  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  sender = turnout_twilio_sender_new (TURNOUT_FAKE_TWILIO_ACCOUNT_SID, NULL,
                                      TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM,
                                      NULL, &error);
  g_assert_no_error (error);
  turnout_twilio_sender_set_api_url (sender, fake_url);
  /* A slow answer past this limit is a lost answer: reconciled. */
  turnout_twilio_sender_set_timeout (sender, 1);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), ==, n);
  g_assert_no_error (error);
  dispatcher = turnout_dispatcher_new (store, TURNOUT_SENDER (sender));
  turnout_dispatcher_set_limits (dispatcher, 0, 8);
  turnout_dispatcher_set_retry (dispatcher, 1, 2, 6);
  g_assert_true (turnout_dispatcher_set_quiet_hours (dispatcher, "off", NULL, &error));
  turnout_dispatcher_run_async (dispatcher, id, TRUE, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_dispatcher_run_finish (dispatcher, turnout_test_wait_result (&result),
                                                &error));
  g_assert_no_error (error);

  {
    g_autofree char *states = turnout_test_query_text (store,
      "SELECT group_concat (s, ', ') FROM (SELECT state || ' ' || ifnull (error_code, '-') || ' '"
      " || count (*) AS s FROM messages GROUP BY state, error_code)");

    g_test_message ("outcomes: %s", states);
  }
  /* Every recipient in exactly one final state… */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages WHERE state"
                                                  " NOT IN ('sent', 'failed', 'suppressed')"),
                   ==, 0);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'suppressed'"), ==, n_stop);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'failed'"
                                                  " AND error_code = '21211'"), ==, n_invalid);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'sent'"),
                   ==, n - n_stop - n_invalid);
  /* …the faults really happened… */
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fake, TURNOUT_FAKE_ON_CREATE), >,
                    (guint) n + 100);
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fake, TURNOUT_FAKE_ON_LIST), >, 0);
  /* …and Twilio holds exactly one message per sent recipient. */
  g_clear_object (&result);
  turnout_test_finalize_object (g_steal_pointer (&dispatcher));
  assert_exactly_once (fake, path, n);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("TURNOUT_CLI"));

  g_test_add_func ("/send/cli", test_send_cli);
  g_test_add_func ("/send/refusals", test_send_refusals);
  g_test_add_func ("/send/starter-template", test_starter_template);
  g_test_add_func ("/send/rate", test_rate_at_the_fake);
  g_test_add_func ("/send/quiet-hours", test_quiet_hours_now);
  g_test_add_func ("/send/pause-suppress", test_pause_and_suppress_midway);
  g_test_add_func ("/send/killed", test_killed);
  g_test_add_func ("/send/mixed-faults", test_mixed_faults);

  return g_test_run ();
}
