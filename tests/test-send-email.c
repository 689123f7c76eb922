/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-smtp.h"
#include "turnout-test-utils.h"

/* Email sent for real: `turnout-cli campaign send`, `send email` and
 * `smtp test` against a real SMTP server on 127.0.0.1 (smtp-server.py on
 * aiosmtpd, STARTTLS with a certificate made here, AUTH), each message
 * parsed by Python's email package and compared with what Turnout
 * recorded. */

#define POSTAL "Night Owls Ltd, 1 Main Street, Springfield"
#define UNSUBSCRIBE_MAILTO "unsubscribe@example.test"
#define UNSUBSCRIBE_URL "https://example.test/unsubscribe"

/* A file with the contacts of @contacts_sql, an email template and the
 * server's settings. */
static char *
make_db (const char      *name,
         TurnoutTestSmtp *server,
         const char      *contacts_sql)
{
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf (
    "BEGIN;"
    "INSERT INTO templates (id, name, channel, subject, body_text, body_html, created_at,"
    " updated_at) VALUES (1, 'Welcome', 'email', 'Hi {first_name|there}, doors at 10',"
    " 'Hello {first_name|there}, see you tonight.',"
    " '<p>Hello {first_name|there}, see you <b>tonight</b>.</p>', 0, 0);"
    "INSERT INTO settings (key, value, updated_at) VALUES"
    " ('smtp.host', '127.0.0.1', 0), ('smtp.port', '%u', 0),"
    " ('smtp.security', 'starttls', 0), ('smtp.username', '" TURNOUT_TEST_SMTP_USER "', 0),"
    " ('smtp.from_address', 'promoter@example.test', 0),"
    " ('smtp.from_name', 'Night Owls', 0),"
    " ('email.postal_address', '" POSTAL "', 0),"
    " ('email.unsubscribe_mailto', '" UNSUBSCRIBE_MAILTO "', 0),"
    " ('email.unsubscribe_url', '" UNSUBSCRIBE_URL "', 0);"
    "%s"
    "COMMIT;", server->port, contacts_sql);
  turnout_test_exec_sql (store, sql);
  turnout_test_finalize_object (store);
  return g_steal_pointer (&path);
}

/* The CA and the password go to the child only: this process has
 * threads. */
static const char *password = TURNOUT_TEST_SMTP_PASSWORD;

static const char * const *
smtp_env (void)
{
  static char *env[3];

  for (guint i = 0; i < G_N_ELEMENTS (env); i++)
    g_clear_pointer (&env[i], g_free);
  env[0] = g_strconcat ("TURNOUT_TLS_CA_FILE=", turnout_test_smtp_get_ca_file (), NULL);
  env[1] = g_strconcat ("TURNOUT_SMTP_PASSWORD=", password, NULL);
  return (const char * const *) env;
}

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(TurnoutTestRun) run = { 0 };
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run = turnout_test_cli_v (smtp_env (), (const char * const *) args->pdata);
  if (out != NULL)
    *out = g_steal_pointer (&run.out);
  if (err != NULL)
    *err = g_steal_pointer (&run.err);
  return run.status;
}

static GSubprocess *
spawn_cli (const char *path,
           const char *id)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  const char * const *env = smtp_env ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  for (guint i = 0; env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TURNOUT_CLI"), "--db", path,
                                         "campaign", "send", id, NULL);
  g_assert_no_error (error);
  return process;
}

static char *
create_campaign (const char *path)
{
  g_autofree char *out = NULL;
  gint64 id;

  g_assert_cmpint (run_cli (&out, NULL, "--db", path, "campaign", "create", "--name", "Tonight",
                            "--channel", "email", "--segment", "all", "--template", "Welcome",
                            NULL), ==, 0);
  id = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (id, >, 0);
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static JsonObject *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
campaign_status (const char *path,
                 const char *id)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_cli (&out, NULL, "--json", "--db", path, "campaign", "status", id, NULL),
                   ==, 0);
  return parse_json (out);
}

static char *
query_text (const char *path,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (path, &error);

  g_assert_no_error (error);
  return turnout_test_query_text (store, sql);
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

/* How many messages the server holds for @address. */
static guint
count_to (TurnoutTestSmtp *server,
          const char      *address)
{
  guint n = 0, total = turnout_test_smtp_count_messages (server);

  for (guint i = 1; i <= total; i++)
    {
      g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, i);
      JsonArray *rcpts = json_object_get_array_member (message, "rcpt_tos");

      for (guint j = 0; j < json_array_get_length (rcpts); j++)
        n += g_ascii_strcasecmp (json_array_get_string_element (rcpts, j), address) == 0;
    }
  return n;
}

/* The server's message to @address, checked as a reader's mail program
 * would see it: addressed to the contact by name, the subject and both
 * parts merged with @first_name, the unsubscribe headers and the postal
 * address. */
static void
assert_message_for (TurnoutTestSmtp *server,
                    const char      *address,
                    const char      *first_name)
{
  guint total = turnout_test_smtp_count_messages (server);
  g_autofree char *subject = g_strdup_printf ("Hi %s, doors at 10", first_name);
  g_autofree char *hello = g_strdup_printf ("Hello %s, see you", first_name);

  for (guint i = 1; i <= total; i++)
    {
      g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, i);
      JsonArray *rcpts = json_object_get_array_member (message, "rcpt_tos");
      JsonObject *headers = json_object_get_object_member (message, "headers");
      JsonObject *parts = json_object_get_object_member (message, "parts");
      const char *unsubscribe;

      if (g_ascii_strcasecmp (json_array_get_string_element (rcpts, 0), address) != 0)
        continue;
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (message, "defects")),
                        ==, 0);
      g_assert_nonnull (strstr (json_object_get_string_member (headers, "To"), address));
      g_assert_nonnull (strstr (json_object_get_string_member (headers, "To"), first_name));
      g_assert_cmpstr (json_object_get_string_member (headers, "From"), ==,
                       "Night Owls <promoter@example.test>");
      g_assert_cmpstr (json_object_get_string_member (headers, "Subject"), ==, subject);
      unsubscribe = json_object_get_string_member (headers, "List-Unsubscribe");
      g_assert_nonnull (strstr (unsubscribe, "<mailto:" UNSUBSCRIBE_MAILTO));
      g_assert_nonnull (strstr (unsubscribe, "<" UNSUBSCRIBE_URL));
      g_assert_cmpstr (json_object_get_string_member (headers, "List-Unsubscribe-Post"), ==,
                       "List-Unsubscribe=One-Click");
      g_assert_true (json_object_has_member (parts, "text/plain"));
      g_assert_true (json_object_has_member (parts, "text/html"));
      g_assert_nonnull (strstr (json_object_get_string_member (parts, "text/plain"), hello));
      g_assert_nonnull (strstr (json_object_get_string_member (parts, "text/html"), hello));
      g_assert_nonnull (strstr (json_object_get_string_member (parts, "text/plain"), POSTAL));
      g_assert_nonnull (strstr (json_object_get_string_member (parts, "text/html"), POSTAL));
      return;
    }
  g_error ("no message to %s at the server", address);
}

#define CAMPAIGN_CONTACTS \
  "INSERT INTO contacts (id, first_name, last_name, email, email_consent, created_at," \
  " updated_at) VALUES" \
  " (1, 'Ana', 'Ruiz', 'ana@example.test', 'opted_in', 0, 0)," \
  " (2, 'Zoë', 'Ōno', 'zoe@example.test', 'opted_in', 0, 0)," \
  " (3, 'Bo', '', 'bo@example.test', 'opted_in', 0, 0)," \
  " (4, 'Out', '', 'out@example.test', 'opted_out', 0, 0)," \
  " (5, 'Nomail', '', NULL, 'opted_in', 0, 0)," \
  " (6, 'Blocked', '', 'blocked@example.test', 'opted_in', 0, 0)," \
  " (7, 'Gone', '', 'fail-rcpt-550-5.1.1@example.test', 'opted_in', 0, 0)," \
  " (8, 'Lost', '', 'drop-after-dot@example.test', 'opted_in', 0, 0);" \
  "INSERT INTO suppressions (channel, address, reason, source, created_at)" \
  " VALUES ('email', 'blocked@example.test', 'manual', 'user', 0);"

static void
test_campaign (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autofree char *path = make_db ("campaign.db", server, CAMPAIGN_CONTACTS);
  g_autofree char *id = create_campaign (path);
  g_autofree char *err = NULL;
  g_autofree char *row = NULL;
  g_autoptr(JsonObject) status = NULL;

  g_assert_cmpint (run_cli (NULL, &err, "--db", path, "campaign", "send", id, NULL), ==, 0);
  /* The one whose answer was lost after the final "." is reported. */
  g_assert_nonnull (strstr (err, "may or may not have arrived"));

  status = campaign_status (path, id);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (status, "unknown"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (status, "queued"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "sending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "suppressed")
                   + json_object_get_int_member (status, "skipped")
                   + json_object_get_int_member (status, "failed"), ==, 4);

  /* One message per recipient that got one, well-formed and merged. */
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 4);
  assert_message_for (server, "ana@example.test", "Ana");
  assert_message_for (server, "zoe@example.test", "Zoë");
  assert_message_for (server, "bo@example.test", "Bo");
  g_assert_cmpuint (count_to (server, "drop-after-dot@example.test"), ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      const char *nobody[] = { "out@example.test", "blocked@example.test",
                               "fail-rcpt-550-5.1.1@example.test" };

      g_assert_cmpuint (count_to (server, nobody[i]), ==, 0);
    }

  /* Each exclusion with its reason. */
  row = query_text (path, "SELECT group_concat (contact_id || ':' || state || ':'"
                          " || ifnull (error_code, '-'), ' ') FROM (SELECT * FROM messages"
                          " WHERE contact_id IN (4, 5, 6, 7) ORDER BY contact_id)");
  g_test_message ("exclusions: %s", row);
  g_assert_true (g_str_has_prefix (row, "4:skipped:opted_out 5:skipped:no_address "
                                        "6:suppressed:suppressed 7:suppressed:"));
  /* The hard bounce is suppressed from now on, and the contact too. */
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM suppressions WHERE channel = 'email'"
                                    " AND address = 'fail-rcpt-550-5.1.1@example.test'"), ==, 1);
  /* The lost one says why. */
  g_clear_pointer (&row, g_free);
  row = query_text (path, "SELECT state || ': ' || error_text FROM messages WHERE contact_id = 8");
  g_assert_true (g_str_has_prefix (row, "unknown: "));

  /* Sending again sends nobody a second email: the unknown one is not
   * resent. */
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", id, NULL), ==, 0);
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 4);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE state = 'unknown'"),
                   ==, 1);

  /* The user decides. The status names the message; sent again on their
   * word, it goes once more (and is lost again: that server always drops
   * this one); marked sent, it counts as sent and the campaign is done. */
  {
    JsonArray *unknown = json_object_get_array_member (status, "unknown_messages");
    g_autofree char *message = NULL;
    g_autoptr(JsonObject) after = NULL;

    g_assert_cmpuint (json_array_get_length (unknown), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (unknown, 0),
                                                    "address"),
                     ==, "drop-after-dot@example.test");
    message = g_strdup_printf ("%" G_GINT64_FORMAT,
                               json_object_get_int_member (json_array_get_object_element (unknown,
                                                                                          0),
                                                           "id"));
    g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "settle", id, "--send-again",
                              NULL), ==, 0);
    g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", id, NULL), ==, 0);
    g_assert_cmpuint (count_to (server, "drop-after-dot@example.test"), ==, 2);
    g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "settle", id, "--mark-sent",
                              "--message", message, NULL), ==, 0);
    after = campaign_status (path, id);
    g_assert_cmpint (json_object_get_int_member (after, "unknown"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (after, "sent"), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (after, "state"), ==, "completed");
    /* Without a decision: a usage error. */
    g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "settle", id, NULL), ==, 2);
  }
}

#define KILLED_N 40

static void
test_killed (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", "--delay", "0.15",
                                                               NULL);
  g_autofree char *contacts = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
    " INSERT INTO contacts (id, first_name, email, email_consent, created_at, updated_at)"
    " SELECT i, 'Fan' || i, 'fan' || i || '@example.test', 'opted_in', 0, 0 FROM n;", KILLED_N);
  g_autofree char *path = make_db ("killed.db", server, contacts);
  g_autofree char *id = create_campaign (path);
  g_autoptr(JsonObject) status = NULL;
  GRand *rand = g_rand_new_with_seed (20261128);
  guint kills = 0, runs = 0;
  gint64 sent, unknown;

  while (kills < 4)
    {
      g_autoptr(GSubprocess) process = spawn_cli (path, id);
      g_autoptr(GError) error = NULL;
      guint before = turnout_test_smtp_count_messages (server);
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      g_assert_cmpuint (++runs, <, 20);
      /* Somewhere after this run has sent something. */
      while (turnout_test_smtp_count_messages (server) == before)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (5000);
        }
      g_usleep (g_rand_int_range (rand, 0, 200000));
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (process))
        kills++;
      g_test_message ("run %u: %u at the server", runs, turnout_test_smtp_count_messages (server));
    }
  g_rand_free (rand);

  /* The run after the kills finishes the campaign. */
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", id, NULL), ==, 0);
  status = campaign_status (path, id);
  sent = json_object_get_int_member (status, "sent");
  unknown = json_object_get_int_member (status, "unknown");
  g_test_message ("sent %" G_GINT64_FORMAT ", unknown %" G_GINT64_FORMAT, sent, unknown);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (sent + unknown, ==, KILLED_N);
  /* The kills left some rows claimed: those that had started to leave
   * stay unknown, for the user; those only claimed ahead went again. The
   * send log keeps that to what was on the wire or being written down: at
   * most the four a run has out at once (two connections, one more
   * waiting at each), a kill. */
  g_assert_cmpint (unknown, >, 0);
  g_assert_cmpint (unknown, <=, 4 * kills);

  /* Nobody twice at the server; every sent row there once, every unknown
   * one at most once. */
  for (int i = 1; i <= KILLED_N; i++)
    {
      g_autofree char *address = g_strdup_printf ("fan%d@example.test", i);
      g_autofree char *sql = g_strdup_printf ("SELECT state FROM messages WHERE contact_id = %d",
                                              i);
      g_autofree char *state = query_text (path, sql);
      guint n = count_to (server, address);

      g_assert_cmpuint (n, <=, 1);
      if (g_str_equal (state, "sent"))
        g_assert_cmpuint (n, ==, 1);
    }
}

/* The mixed-fault campaign: each contact's address asks smtp-server.py for
 * one fault (or none), by the contact's number. */
typedef enum
{
  FAULT_NONE,
  FAULT_BUSY_ONCE,      /* RCPT 450 the first time: a retry gets through */
  FAULT_BUSY,           /* RCPT 450 every time: failed once the attempts run out */
  FAULT_NO_USER,        /* RCPT 550 5.1.1: a hard bounce, suppressed */
  FAULT_REFUSED,        /* RCPT 550 5.7.1: refused for good, failed */
  FAULT_CLOSED_ONCE,    /* RCPT 421 and the line closed, the first time */
  FAULT_DATA_ONCE,      /* the final "." gets 451 the first time */
  FAULT_DROP,           /* stored, then the line dropped before the answer */
  N_FAULTS
} Fault;

#define FAULTS_N 2000

static Fault
fault_for (int i)
{
  if (i % 200 == 5)
    return FAULT_DROP;
  if (i % 200 == 105)
    return FAULT_REFUSED;
  if (i % 100 == 4)
    return FAULT_CLOSED_ONCE;
  if (i % 100 == 54)
    return FAULT_DATA_ONCE;
  switch (i % 50)
    {
    case 1: return FAULT_BUSY_ONCE;
    case 2: return FAULT_BUSY;
    case 3: return FAULT_NO_USER;
    default: return FAULT_NONE;
    }
}

static char *
fault_address (int i)
{
  static const char * const rules[N_FAULTS] = {
    [FAULT_NONE] = "fan",
    [FAULT_BUSY_ONCE] = "fail-rcpt-450-4.2.1-once+",
    [FAULT_BUSY] = "fail-rcpt-450-4.2.2+",
    [FAULT_NO_USER] = "fail-rcpt-550-5.1.1+",
    [FAULT_REFUSED] = "fail-rcpt-550-5.7.1+",
    [FAULT_CLOSED_ONCE] = "fail-rcpt-421-4.4.2-once+",
    [FAULT_DATA_ONCE] = "fail-data-451-4.3.0-once+",
    [FAULT_DROP] = "drop-after-dot+",
  };

  return g_strdup_printf ("%s%d@example.test", rules[fault_for (i)], i);
}

static const char *
final_state_for (Fault fault)
{
  switch (fault)
    {
    case FAULT_BUSY:
    case FAULT_REFUSED:
      return "failed";
    case FAULT_NO_USER:
      return "suppressed";
    case FAULT_DROP:
      return "unknown";
    case FAULT_NONE:
    case FAULT_BUSY_ONCE:
    case FAULT_CLOSED_ONCE:
    case FAULT_DATA_ONCE:
    case N_FAULTS:
    default:
      return "sent";
    }
}

static void
test_mixed_faults (void)
{
  /* Besides the rules in the addresses, every 97th MAIL is answered 421
   * and the line closed, whoever it is for: a server shedding load. */
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", "--close-every", "97",
                                                               NULL);
  g_autoptr(GString) contacts = g_string_new (
    "INSERT INTO settings (key, value, updated_at) VALUES"
    " ('smtp.connections', '4', 0), ('delivery.retry_after', '1', 0),"
    " ('delivery.retry_limit', '1', 0), ('delivery.attempts', '6', 0);"
    "INSERT INTO contacts (id, first_name, email, email_consent, created_at, updated_at)"
    " VALUES ");
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *rows = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(GHashTable) received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) states = NULL;
  guint expected[N_FAULTS] = { 0 };
  guint total;

  for (int i = 1; i <= FAULTS_N; i++)
    {
      g_autofree char *address = fault_address (i);

      g_string_append_printf (contacts, "%s(%d, 'Fan%d', '%s', 'opted_in', 0, 0)",
                              i > 1 ? ", " : "", i, i, address);
      expected[fault_for (i)]++;
    }
  g_string_append (contacts, ";");
  path = make_db ("mixed-faults.db", server, contacts->str);
  id = create_campaign (path);

  /* --wait: until every message has its outcome, retries included. */
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "campaign", "send", id, "--wait", NULL),
                   ==, 0);

  /* Every recipient once in the queue, in the final state its fault
   * calls for. */
  rows = query_text (path, "SELECT group_concat (state, ' ') FROM (SELECT state FROM messages"
                           " WHERE campaign_id IS NOT NULL ORDER BY contact_id)");
  states = g_strsplit (rows, " ", -1);
  g_assert_cmpuint (g_strv_length (states), ==, FAULTS_N);
  g_assert_cmpint (query_int (path, "SELECT count (DISTINCT contact_id) FROM messages"), ==,
                   FAULTS_N);
  for (int i = 1; i <= FAULTS_N; i++)
    {
      if (!g_str_equal (states[i - 1], final_state_for (fault_for (i))))
        {
          g_autofree char *sql = g_strdup_printf ("SELECT ifnull (error_text, '') FROM messages"
                                                  " WHERE contact_id = %d", i);
          g_autofree char *why = query_text (path, sql);

          g_error ("contact %d (rule %d) ended %s, not %s: %s", i, fault_for (i), states[i - 1],
                   final_state_for (fault_for (i)), why);
        }
    }
  /* And the campaign's counts say so. */
  status = campaign_status (path, id);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (status, "queued"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "sending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "sent"), ==,
                   expected[FAULT_NONE] + expected[FAULT_BUSY_ONCE]
                   + expected[FAULT_CLOSED_ONCE] + expected[FAULT_DATA_ONCE]);
  g_assert_cmpint (json_object_get_int_member (status, "failed"), ==,
                   expected[FAULT_BUSY] + expected[FAULT_REFUSED]);
  g_assert_cmpint (json_object_get_int_member (status, "suppressed"), ==,
                   expected[FAULT_NO_USER]);
  g_assert_cmpint (json_object_get_int_member (status, "unknown"), ==, expected[FAULT_DROP]);

  /* The hard bounces are suppressed from now on. */
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM suppressions WHERE channel = 'email'"
                                    " AND address LIKE 'fail-rcpt-550-5.1.1+%'"), ==,
                   expected[FAULT_NO_USER]);

  /* The server holds exactly one message per sent recipient, none for
   * the failed and suppressed ones, and the one a lost answer left
   * (kept before the line dropped) for each unknown one: never resent. */
  total = turnout_test_smtp_count_messages (server);
  for (guint n = 1; n <= total; n++)
    {
      g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, n);
      JsonArray *rcpts = json_object_get_array_member (message, "rcpt_tos");

      g_assert_cmpuint (json_array_get_length (rcpts), ==, 1);
      {
        char *address = g_ascii_strdown (json_array_get_string_element (rcpts, 0), -1);
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (received, address));

        g_hash_table_replace (received, address, GUINT_TO_POINTER (count + 1));
      }
    }
  for (int i = 1; i <= FAULTS_N; i++)
    {
      g_autofree char *address = fault_address (i);
      const char *state = states[i - 1];
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (received, address));

      if (g_str_equal (state, "sent"))
        g_assert_cmpuint (count, ==, 1);
      else if (g_str_equal (state, "unknown"))
        g_assert_cmpuint (count, ==, 1);
      else
        g_assert_cmpuint (count, ==, 0);
    }
  g_assert_cmpuint (total, ==, g_hash_table_size (received));
  g_test_message ("%u messages at the server for %d recipients", total, FAULTS_N);
}

static void
test_one_off (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autofree char *path = make_db ("one-off.db", server, CAMPAIGN_CONTACTS);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) answer = NULL;

  /* To a contact: merged with their name. */
  g_assert_cmpint (run_cli (&out, NULL, "--json", "--db", path, "send", "email", "--to",
                            "ana@example.test", "--template", "Welcome", "--contact", "1", NULL),
                   ==, 0);
  answer = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (answer, "state"), ==, "sent");
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 1);
  assert_message_for (server, "ana@example.test", "Ana");
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE channel = 'email'"
                                    " AND state = 'sent' AND campaign_id IS NULL"
                                    " AND contact_id = 1"), ==, 1);

  /* A bare address: the fallback. */
  g_assert_cmpint (run_cli (NULL, NULL, "--db", path, "send", "email", "--to",
                            "friend@example.test", "--template", "Welcome", NULL), ==, 0);
  g_assert_cmpuint (count_to (server, "friend@example.test"), ==, 1);
  {
    g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, 2);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message,
                                                                                    "headers"),
                                                    "Subject"), ==, "Hi there, doors at 10");
  }

  /* Suppressed, opted out: refused with the reason, nothing sent or
   * written. */
  g_assert_cmpint (run_cli (NULL, &err, "--db", path, "send", "email", "--to",
                            "blocked@example.test", "--template", "Welcome", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "suppression list"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "--db", path, "send", "email", "--to",
                            "out@example.test", "--template", "Welcome", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "opted out of emails"));
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 2);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages"), ==, 2);
}

static void
test_smtp_test (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autofree char *path = make_db ("smtp-test.db", server, "");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpint (run_cli (&out, NULL, "--json", "--db", path, "smtp", "test", NULL), ==, 0);
  answer = parse_json (out);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  g_assert_true (json_object_get_null_member (answer, "failed_step"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&answer, json_object_unref);
  password = "wrong";
  g_assert_cmpint (run_cli (&out, &err, "--json", "--db", path, "smtp", "test", NULL), ==, 1);
  password = TURNOUT_TEST_SMTP_PASSWORD;
  answer = parse_json (out);
  g_assert_false (json_object_get_boolean_member (answer, "ok"));
  g_assert_cmpstr (json_object_get_string_member (answer, "failed_step"), ==, "auth");
  g_assert_nonnull (strstr (err, "signing in"));
  /* A test sends nothing. */
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/send-email/campaign", test_campaign);
  g_test_add_func ("/send-email/killed", test_killed);
  g_test_add_func ("/send-email/mixed-faults", test_mixed_faults);
  g_test_add_func ("/send-email/one-off", test_one_off);
  g_test_add_func ("/send-email/smtp-test", test_smtp_test);

  return g_test_run ();
}
