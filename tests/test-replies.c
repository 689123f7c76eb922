/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-replies.h"
#include "turnout-store.h"
#include "turnout-store-private.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* What comes back after sending, written to the store: which replies are
 * keywords, what an opt-out and an opt-in do to the suppression list and
 * to the consent (and its history) of every contact with the number,
 * replies kept once however often they are listed and in whatever order,
 * where the next listing starts, which sent messages are asked about and
 * in what order, and what each delivery status does to its row. Also the
 * upgrade of a file of schema 7. */

/* 2026-05-01T00:00:00Z */
#define T0 1777593600

#define ANA   "+14155550100"
#define BEN   "+14155550101"
#define OTHER "+14155550199"

typedef struct
{
  TurnoutStore *store;
  sqlite3      *db;
} Fixture;

static void
use_frozen_clock (gint64 unix_time)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (at);

  turnout_clock_set_default (clock);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("replies-%u.db", n++);
  g_autofree char *path = turnout_test_tmp_path (name);

  use_frozen_clock (T0);
  fixture->store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  fixture->db = turnout_store_acquire (fixture->store, &error);
  g_assert_no_error (error);
  /* Ana and her partner share a phone; Ben has his own; Cy has none. */
  turnout_test_exec_sql (fixture->store,
    "INSERT INTO contacts (id, first_name, last_name, phone, sms_consent, sms_consent_at,"
    " sms_consent_source, created_at, updated_at) VALUES"
    " (1, 'Ana', 'Ruiz', '" ANA "', 'opted_in', 1000, 'signup form', 1000, 1000),"
    " (2, 'Eli', 'Ruiz', '" ANA "', 'unknown', NULL, NULL, 1000, 1000),"
    " (3, 'Ben', 'Okafor', '" BEN "', 'opted_in', 1000, 'signup form', 1000, 1000),"
    " (4, 'Cy', 'Lee', NULL, 'opted_in', 1000, 'signup form', 1000, 1000);");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  turnout_store_release (fixture->store, fixture->db);
  turnout_test_finalize_object (g_steal_pointer (&fixture->store));
  turnout_clock_set_default (NULL);
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

/* Records one reply; returns its action and whether it was new. */
static TurnoutReplyAction
record (Fixture    *fixture,
        const char *sid,
        const char *from,
        const char *body,
        gint64      received_at,
        gboolean   *added)
{
  g_autoptr(TurnoutReply) reply = turnout_reply_new (sid, from, "+15005550006", body,
                                                     received_at);
  g_autoptr(GError) error = NULL;
  TurnoutReplyAction action = TURNOUT_REPLY_ACTION_NONE;
  gboolean is_new = FALSE;

  g_assert_true (turnout_replies_record (fixture->db, reply, T0, &action, &is_new, &error));
  g_assert_no_error (error);
  if (added != NULL)
    *added = is_new;
  return action;
}

static void
assert_consent (Fixture    *fixture,
                gint64      contact_id,
                const char *status,
                const char *source,
                gint64      at)
{
  g_autofree char *got_status = query_text (fixture, "SELECT sms_consent FROM contacts"
                                            " WHERE id = %" G_GINT64_FORMAT, contact_id);
  g_autofree char *got_source = query_text (fixture, "SELECT sms_consent_source FROM contacts"
                                            " WHERE id = %" G_GINT64_FORMAT, contact_id);

  g_assert_cmpstr (got_status, ==, status);
  g_assert_cmpstr (got_source, ==, source);
  g_assert_cmpint (query_int (fixture, "SELECT coalesce (sms_consent_at, -1) FROM contacts"
                              " WHERE id = %" G_GINT64_FORMAT, contact_id), ==, at);
}

static gint64
history_count (Fixture    *fixture,
               gint64      contact_id,
               const char *status)
{
  return query_int (fixture, "SELECT count (*) FROM consent_history WHERE contact_id = %"
                    G_GINT64_FORMAT " AND channel = 'sms' AND status = '%s'", contact_id, status);
}

static gboolean
is_suppressed (Fixture    *fixture,
               const char *address)
{
  return query_int (fixture, "SELECT count (*) FROM suppressions WHERE channel = 'sms'"
                    " AND address = '%s'", address) == 1;
}

/* ------------------------------------------------------------------------ */

static void
test_classify (void)
{
  static const struct
  {
    const char         *body;
    TurnoutReplyAction  action;
  } cases[] = {
    /* Every opt-out word, in any case, with blanks and punctuation. */
    { "STOP", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "stop", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "Stop.", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "  sToP!!\n", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "“STOP”", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "STOPALL", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "Unsubscribe", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "cancel", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "END", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "quit", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "Revoke", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "OPTOUT", TURNOUT_REPLY_ACTION_OPT_OUT },
    { "\tOptOut ", TURNOUT_REPLY_ACTION_OPT_OUT },
    /* Opt-in words only bare (blanks and case aside). */
    { "START", TURNOUT_REPLY_ACTION_OPT_IN },
    { " yes\n", TURNOUT_REPLY_ACTION_OPT_IN },
    { "Unstop", TURNOUT_REPLY_ACTION_OPT_IN },
    { "Yes!", TURNOUT_REPLY_ACTION_NONE },
    { "start.", TURNOUT_REPLY_ACTION_NONE },
    /* Help words. */
    { "HELP", TURNOUT_REPLY_ACTION_HELP },
    { "info?", TURNOUT_REPLY_ACTION_HELP },
    { "Help", TURNOUT_REPLY_ACTION_HELP },
    /* More than one word, other words, nothing. */
    { "STOP PLEASE", TURNOUT_REPLY_ACTION_NONE },
    { "please stop", TURNOUT_REPLY_ACTION_NONE },
    { "S T O P", TURNOUT_REPLY_ACTION_NONE },
    { "stopp", TURNOUT_REPLY_ACTION_NONE },
    { "ST0P", TURNOUT_REPLY_ACTION_NONE },
    { "See you at 9!", TURNOUT_REPLY_ACTION_NONE },
    { "", TURNOUT_REPLY_ACTION_NONE },
    { "   ", TURNOUT_REPLY_ACTION_NONE },
    { "!!!", TURNOUT_REPLY_ACTION_NONE },
    { "\xff" "STOP", TURNOUT_REPLY_ACTION_NONE },
    { NULL, TURNOUT_REPLY_ACTION_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (turnout_reply_classify (cases[i].body) != cases[i].action)
      g_error ("“%s” is %s, not %s", cases[i].body,
               turnout_reply_action_to_string (turnout_reply_classify (cases[i].body)),
               turnout_reply_action_to_string (cases[i].action));
  g_assert_cmpstr (turnout_reply_action_to_string (TURNOUT_REPLY_ACTION_OPT_OUT), ==, "opt_out");
  g_assert_cmpstr (turnout_reply_action_to_string (TURNOUT_REPLY_ACTION_OPT_IN), ==, "opt_in");
  g_assert_cmpstr (turnout_reply_action_to_string (TURNOUT_REPLY_ACTION_HELP), ==, "help");
  g_assert_cmpstr (turnout_reply_action_to_string (TURNOUT_REPLY_ACTION_NONE), ==, "none");
}

static void
test_opt_out (Fixture       *fixture,
              gconstpointer  data)
{
  gboolean added = FALSE;

  /* Eli (2) was texted last at the shared number: the reply is his. */
  turnout_test_exec_sql (fixture->store,
    "INSERT INTO messages (id, contact_id, channel, address, state, sent_at, created_at,"
    " updated_at) VALUES (1, 1, 'sms', '" ANA "', 'sent', 1500, 1500, 1500),"
    "                    (2, 2, 'sms', '" ANA "', 'sent', 1600, 1600, 1600);");
  g_assert_cmpint (record (fixture, "SM01", ANA, " Stop. ", T0 - 60, &added), ==,
                   TURNOUT_REPLY_ACTION_OPT_OUT);
  g_assert_true (added);

  /* The number is suppressed, for the reason and with its source. */
  g_assert_true (is_suppressed (fixture, ANA));
  {
    g_autofree char *reason = query_text (fixture, "SELECT reason FROM suppressions"
                                          " WHERE address = '" ANA "'");
    g_autofree char *source = query_text (fixture, "SELECT source FROM suppressions"
                                          " WHERE address = '" ANA "'");

    g_assert_cmpstr (reason, ==, "stop_reply");
    g_assert_cmpstr (source, ==, "reply STOP");
  }
  /* Both people at the number are opted out, dated when they wrote, and
   * the history says so; Ben is untouched. */
  assert_consent (fixture, 1, "opted_out", "reply STOP", T0 - 60);
  assert_consent (fixture, 2, "opted_out", "reply STOP", T0 - 60);
  assert_consent (fixture, 3, "opted_in", "signup form", 1000);
  g_assert_cmpint (history_count (fixture, 1, "opted_out"), ==, 1);
  g_assert_cmpint (history_count (fixture, 2, "opted_out"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT changed_at FROM consent_history"
                              " WHERE contact_id = 1 AND status = 'opted_out'"), ==, T0 - 60);
  g_assert_cmpint (history_count (fixture, 3, "opted_out"), ==, 0);
  g_assert_false (is_suppressed (fixture, BEN));

  /* The reply is kept with what was done, and whose it is. */
  {
    g_autofree char *action = query_text (fixture, "SELECT action FROM replies"
                                          " WHERE provider_id = 'SM01'");
    g_autofree char *body = query_text (fixture, "SELECT body FROM replies"
                                        " WHERE provider_id = 'SM01'");
    g_autofree char *to = query_text (fixture, "SELECT to_address FROM replies");

    g_assert_cmpstr (action, ==, "opt_out");
    g_assert_cmpstr (body, ==, " Stop. ");
    g_assert_cmpstr (to, ==, "+15005550006");
    g_assert_cmpint (query_int (fixture, "SELECT contact_id FROM replies"), ==, 2);
    g_assert_cmpint (query_int (fixture, "SELECT received_at FROM replies"), ==, T0 - 60);
    g_assert_cmpint (query_int (fixture, "SELECT created_at FROM replies"), ==, T0);
  }

  /* Listed again: nothing more happens. */
  g_assert_cmpint (record (fixture, "SM01", ANA, " Stop. ", T0 - 60, &added), ==,
                   TURNOUT_REPLY_ACTION_OPT_OUT);
  g_assert_false (added);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM replies"), ==, 1);
  g_assert_cmpint (history_count (fixture, 1, "opted_out"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM suppressions"), ==, 1);

  /* A number no contact has is suppressed all the same. */
  g_assert_cmpint (record (fixture, "SM02", OTHER, "QUIT", T0 - 30, &added), ==,
                   TURNOUT_REPLY_ACTION_OPT_OUT);
  g_assert_true (added);
  g_assert_true (is_suppressed (fixture, OTHER));
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM replies WHERE provider_id = 'SM02'"
                              " AND contact_id IS NULL"), ==, 1);
}

static void
test_opt_in (Fixture       *fixture,
             gconstpointer  data)
{
  gboolean added = FALSE;

  g_assert_cmpint (record (fixture, "SM01", ANA, "STOP", T0 - 600, &added), ==,
                   TURNOUT_REPLY_ACTION_OPT_OUT);
  g_assert_true (is_suppressed (fixture, ANA));

  /* START lifts the opt-out and opts both in again. */
  g_assert_cmpint (record (fixture, "SM02", ANA, "start", T0 - 300, &added), ==,
                   TURNOUT_REPLY_ACTION_OPT_IN);
  g_assert_true (added);
  g_assert_false (is_suppressed (fixture, ANA));
  assert_consent (fixture, 1, "opted_in", "reply START", T0 - 300);
  assert_consent (fixture, 2, "opted_in", "reply START", T0 - 300);
  g_assert_cmpint (history_count (fixture, 1, "opted_in"), ==, 2);
  g_assert_cmpint (history_count (fixture, 2, "opted_in"), ==, 1);
  g_assert_cmpint (history_count (fixture, 2, "opted_out"), ==, 1);

  /* Twilio's own opt-out (21610 on a send) is lifted the same way… */
  turnout_test_exec_sql (fixture->store,
    "INSERT INTO suppressions (channel, address, reason, source, created_at)"
    " VALUES ('sms', '" BEN "', 'opted_out', 'provider', 2000);");
  g_assert_cmpint (record (fixture, "SM03", BEN, "UNSTOP", T0 - 200, NULL), ==,
                   TURNOUT_REPLY_ACTION_OPT_IN);
  g_assert_false (is_suppressed (fixture, BEN));
  /* … but not what the promoter put there: the consent is recorded, the
   * number stays suppressed. */
  turnout_test_exec_sql (fixture->store,
    "INSERT INTO suppressions (channel, address, reason, source, created_at)"
    " VALUES ('sms', '" OTHER "', 'manual', 'contacts pane', 2000);"
    "INSERT INTO contacts (id, first_name, phone, sms_consent, created_at, updated_at)"
    " VALUES (5, 'Dee', '" OTHER "', 'unknown', 1000, 1000);");
  g_assert_cmpint (record (fixture, "SM04", OTHER, "Yes", T0 - 100, NULL), ==,
                   TURNOUT_REPLY_ACTION_OPT_IN);
  g_assert_true (is_suppressed (fixture, OTHER));
  assert_consent (fixture, 5, "opted_in", "reply YES", T0 - 100);
}

static void
test_out_of_order (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A START listed first, then the STOP that came before it: the person's
   * last word was START. */
  record (fixture, "SM02", ANA, "START", T0 - 100, NULL);
  g_assert_cmpint (record (fixture, "SM01", ANA, "STOP", T0 - 200, NULL), ==,
                   TURNOUT_REPLY_ACTION_OPT_OUT);
  g_assert_false (is_suppressed (fixture, ANA));
  /* Ana had opted in already: her consent and its evidence stay. */
  assert_consent (fixture, 1, "opted_in", "signup form", 1000);
  assert_consent (fixture, 2, "opted_in", "reply START", T0 - 100);
  g_assert_cmpint (history_count (fixture, 2, "opted_out"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM replies"), ==, 2);

  /* A contact whose consent changed after an old STOP keeps it; the
   * number is still suppressed, as the person did say STOP. */
  turnout_test_exec_sql (fixture->store,
    "UPDATE contacts SET sms_consent_at = " G_STRINGIFY (T0) " - 10, sms_consent_source = 'form'"
    " WHERE id = 3;");
  record (fixture, "SM03", BEN, "STOP", T0 - 50, NULL);
  g_assert_true (is_suppressed (fixture, BEN));
  assert_consent (fixture, 3, "opted_in", "form", T0 - 10);

  /* An opt-in does not lift a suppression made after it. */
  turnout_test_exec_sql (fixture->store,
    "INSERT INTO suppressions (channel, address, reason, source, created_at)"
    " VALUES ('sms', '" OTHER "', 'opted_out', 'provider', " G_STRINGIFY (T0) ");");
  record (fixture, "SM04", OTHER, "START", T0 - 5, NULL);
  g_assert_true (is_suppressed (fixture, OTHER));
}

static void
test_help_and_others (Fixture       *fixture,
                      gconstpointer  data)
{
  gboolean added = FALSE;

  g_assert_cmpint (record (fixture, "SM01", BEN, "HELP", T0 - 10, &added), ==,
                   TURNOUT_REPLY_ACTION_HELP);
  g_assert_true (added);
  g_assert_cmpint (record (fixture, "SM02", BEN, "Stop sending me the flyer pics pls", T0 - 5,
                           &added), ==, TURNOUT_REPLY_ACTION_NONE);
  g_assert_true (added);
  /* Logged, nothing else. */
  g_assert_false (is_suppressed (fixture, BEN));
  assert_consent (fixture, 3, "opted_in", "signup form", 1000);
  {
    g_autofree char *help = query_text (fixture, "SELECT action FROM replies"
                                        " WHERE provider_id = 'SM01'");
    g_autofree char *none = query_text (fixture, "SELECT action FROM replies"
                                        " WHERE provider_id = 'SM02'");

    g_assert_cmpstr (help, ==, "help");
    g_assert_cmpstr (none, ==, "none");
  }
  g_assert_cmpint (query_int (fixture, "SELECT contact_id FROM replies WHERE provider_id = 'SM01'"),
                   ==, 3);

  /* A reply without its id can't be kept (it could never be told apart
   * from the next listing's). */
  {
    g_autoptr(TurnoutReply) reply = turnout_reply_new ("", BEN, NULL, "STOP", T0);
    g_autoptr(GError) error = NULL;

    g_assert_false (turnout_replies_record (fixture->db, reply, T0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_false (is_suppressed (fixture, BEN));
  }
}

static void
test_list_start (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing kept: the last 72 hours. */
  g_assert_cmpint (turnout_replies_get_list_start (fixture->db, T0, &error), ==,
                   T0 - TURNOUT_RECEIPT_WINDOW);
  g_assert_no_error (error);
  /* A reply kept: an hour before it. */
  record (fixture, "SM01", BEN, "See you there", T0 - 7200, NULL);
  g_assert_cmpint (turnout_replies_get_list_start (fixture->db, T0, &error), ==, T0 - 7200 - 3600);
  /* A complete listing noted: an hour before it, and the mark never moves
   * back. */
  g_assert_true (turnout_replies_set_listed_until (fixture->db, T0 - 60, &error));
  g_assert_true (turnout_replies_set_listed_until (fixture->db, T0 - 6000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (turnout_replies_get_list_start (fixture->db, T0, &error), ==, T0 - 60 - 3600);
}

static void
insert_sent (Fixture    *fixture,
             gint64      id,
             const char *channel,
             const char *state,
             const char *provider_id,
             gint64      sent_at)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO messages (id, channel, address, state, provider_id, sent_at, created_at,"
    " updated_at) VALUES (%" G_GINT64_FORMAT ", '%s', '" BEN "', '%s', %s%s%s, %" G_GINT64_FORMAT
    ", 0, 0)", id, channel, state, provider_id != NULL ? "'" : "",
    provider_id != NULL ? provider_id : "NULL", provider_id != NULL ? "'" : "", sent_at);

  turnout_test_exec_sql (fixture->store, sql);
}

static GArray *
unconfirmed_ids (Fixture *fixture,
                 gint64   now,
                 guint    limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = turnout_replies_list_unconfirmed (fixture->db, now, limit, &error);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    {
      TurnoutUnconfirmed *unconfirmed = g_ptr_array_index (found, i);

      g_assert_nonnull (unconfirmed->provider_id);
      g_array_append_val (ids, unconfirmed->message_id);
    }
  return ids;
}

static void
assert_ids (GArray *ids,
            ...)
{
  va_list args;
  guint i = 0;
  int id;

  va_start (args, ids);
  while ((id = va_arg (args, int)) != 0)
    {
      g_assert_cmpuint (i, <, ids->len);
      g_assert_cmpint (g_array_index (ids, gint64, i), ==, id);
      i++;
    }
  va_end (args);
  g_assert_cmpuint (i, ==, ids->len);
  g_array_unref (ids);
}

static void
test_receipts (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  turnout_receipt_free);
  g_autoptr(GError) error = NULL;

  insert_sent (fixture, 1, "sms", "sent", "SM01", T0 - 3600);
  insert_sent (fixture, 2, "sms", "sent", "SM02", T0 - 7200);
  insert_sent (fixture, 3, "sms", "sent", "SM03", T0 - 60);
  insert_sent (fixture, 4, "sms", "sent", "SM04", T0 - 1800);
  /* Not asked about: too old, settled already, no id, not SMS. */
  insert_sent (fixture, 10, "sms", "sent", "SM10", T0 - TURNOUT_RECEIPT_WINDOW - 1);
  insert_sent (fixture, 11, "sms", "delivered", "SM11", T0 - 60);
  insert_sent (fixture, 12, "sms", "failed", NULL, T0 - 60);
  insert_sent (fixture, 13, "email", "sent", "<a@b>", T0 - 60);

  /* Never asked about: the oldest sent first. */
  assert_ids (unconfirmed_ids (fixture, T0, 10), 2, 1, 4, 3, 0);
  assert_ids (unconfirmed_ids (fixture, T0, 2), 2, 1, 0);

  g_ptr_array_add (receipts, turnout_receipt_new (2, TURNOUT_RECEIPT_DELIVERED, NULL, NULL));
  g_ptr_array_add (receipts, turnout_receipt_new (4, TURNOUT_RECEIPT_UNDELIVERED, "30003",
                                                  "The phone could not be reached (error 30003)."));
  g_ptr_array_add (receipts, turnout_receipt_new (1, TURNOUT_RECEIPT_FAILED, "30034",
                                                  "Not registered for 10DLC (error 30034)."));
  g_ptr_array_add (receipts, turnout_receipt_new (3, TURNOUT_RECEIPT_PENDING, NULL, NULL));
  /* A row settled meanwhile is left as it is. */
  g_ptr_array_add (receipts, turnout_receipt_new (11, TURNOUT_RECEIPT_FAILED, "30005", "no"));
  g_assert_true (turnout_replies_record_receipts (fixture->db, receipts, T0 + 5, &error));
  g_assert_no_error (error);

  {
    g_autofree char *delivered = query_text (fixture, "SELECT state FROM messages WHERE id = 2");
    g_autofree char *undelivered = query_text (fixture, "SELECT state || ' ' || error_code || ' '"
                                               " || error_text FROM messages WHERE id = 4");
    g_autofree char *failed = query_text (fixture, "SELECT state || ' ' || error_code || ' '"
                                          " || error_text FROM messages WHERE id = 1");
    g_autofree char *pending = query_text (fixture, "SELECT state FROM messages WHERE id = 3");
    g_autofree char *settled = query_text (fixture, "SELECT state || coalesce (error_code, '')"
                                           " FROM messages WHERE id = 11");

    g_assert_cmpstr (delivered, ==, "delivered");
    g_assert_cmpstr (undelivered, ==,
                     "undelivered 30003 The phone could not be reached (error 30003).");
    g_assert_cmpstr (failed, ==, "failed 30034 Not registered for 10DLC (error 30034).");
    g_assert_cmpstr (pending, ==, "sent");
    g_assert_cmpstr (settled, ==, "delivered");
  }
  g_assert_cmpint (query_int (fixture, "SELECT delivered_at FROM messages WHERE id = 2"), ==,
                   T0 + 5);
  g_assert_cmpint (query_int (fixture, "SELECT updated_at FROM messages WHERE id = 4"), ==, T0 + 5);
  g_assert_cmpint (query_int (fixture, "SELECT polled_at FROM messages WHERE id = 3"), ==, T0 + 5);
  g_assert_cmpint (query_int (fixture, "SELECT updated_at FROM messages WHERE id = 3"), ==, 0);

  /* Only the pending one is left, and a new one comes before it as it
   * was never asked about. */
  assert_ids (unconfirmed_ids (fixture, T0 + 10, 10), 3, 0);
  insert_sent (fixture, 5, "sms", "sent", "SM05", T0 + 8);
  assert_ids (unconfirmed_ids (fixture, T0 + 10, 10), 5, 3, 0);
  /* 72 hours after it was sent, it is no longer asked about. */
  assert_ids (unconfirmed_ids (fixture, T0 - 60 + TURNOUT_RECEIPT_WINDOW + 1, 10), 5, 0);
}

/* Notes every message of @ids as asked about at @at, still pending. */
static void
mark_checked (Fixture *fixture,
              GArray  *ids,
              gint64   at)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  turnout_receipt_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (receipts, turnout_receipt_new (g_array_index (ids, gint64, i),
                                                    TURNOUT_RECEIPT_PENDING, NULL, NULL));
  g_assert_true (turnout_replies_record_receipts (fixture->db, receipts, at, &error));
  g_assert_no_error (error);
}

static void
test_rotation (Fixture       *fixture,
               gconstpointer  data)
{
  GArray *ids;

  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *sid = g_strdup_printf ("SM%02u", i);

      insert_sent (fixture, i, "sms", "sent", sid, T0 - 1000 + i);
    }
  /* Passes of two, none delivered yet: every message is asked about
   * before any is asked about twice, then the one asked about longest ago
   * comes first. */
  ids = unconfirmed_ids (fixture, T0, 2);
  mark_checked (fixture, ids, T0);
  assert_ids (ids, 1, 2, 0);
  ids = unconfirmed_ids (fixture, T0 + 1, 2);
  mark_checked (fixture, ids, T0 + 1);
  assert_ids (ids, 3, 4, 0);
  ids = unconfirmed_ids (fixture, T0 + 2, 2);
  mark_checked (fixture, ids, T0 + 2);
  assert_ids (ids, 5, 1, 0);
  assert_ids (unconfirmed_ids (fixture, T0 + 3, 3), 2, 3, 4, 0);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                 turnout_reply_free);
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  turnout_receipt_free);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutReplyCounts counts = { 0 };
  gint64 start;

  turnout_replies_get_list_start_async (fixture->store, NULL, turnout_test_result_cb, &result);
  start = turnout_replies_get_list_start_finish (fixture->store,
                                                 turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (start, ==, T0 - TURNOUT_RECEIPT_WINDOW);
  g_clear_object (&result);

  g_ptr_array_add (replies, turnout_reply_new ("SM01", ANA, NULL, "STOP", T0 - 50));
  g_ptr_array_add (replies, turnout_reply_new ("SM02", BEN, NULL, "info", T0 - 40));
  g_ptr_array_add (replies, turnout_reply_new ("SM03", OTHER, NULL, "Yes", T0 - 30));
  g_ptr_array_add (replies, turnout_reply_new ("SM01", ANA, NULL, "STOP", T0 - 50));
  turnout_replies_record_all_async (fixture->store, replies, T0 - 20, NULL,
                                    turnout_test_result_cb, &result);
  g_assert_true (turnout_replies_record_all_finish (fixture->store,
                                                    turnout_test_wait_result (&result), &counts,
                                                    &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (counts.added, ==, 3);
  g_assert_cmpuint (counts.opt_outs, ==, 1);
  g_assert_cmpuint (counts.opt_ins, ==, 1);
  g_assert_cmpuint (counts.help, ==, 1);
  g_assert_true (is_suppressed (fixture, ANA));
  g_assert_cmpint (query_int (fixture, "SELECT listed_until FROM reply_polls"), ==, T0 - 20);

  /* The same again: nothing new. */
  turnout_replies_record_all_async (fixture->store, replies, 0, NULL, turnout_test_result_cb,
                                    &result);
  g_assert_true (turnout_replies_record_all_finish (fixture->store,
                                                    turnout_test_wait_result (&result), &counts,
                                                    &error));
  g_clear_object (&result);
  g_assert_cmpuint (counts.added, ==, 0);
  g_assert_cmpuint (counts.opt_outs, ==, 0);

  insert_sent (fixture, 1, "sms", "sent", "SM91", T0 - 100);
  turnout_replies_list_unconfirmed_async (fixture->store, 10, NULL, turnout_test_result_cb,
                                          &result);
  found = turnout_replies_list_unconfirmed_finish (fixture->store,
                                                   turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((TurnoutUnconfirmed *) g_ptr_array_index (found, 0))->provider_id, ==, "SM91");

  g_ptr_array_add (receipts, turnout_receipt_new (1, TURNOUT_RECEIPT_DELIVERED, NULL, NULL));
  turnout_replies_record_receipts_async (fixture->store, receipts, NULL, turnout_test_result_cb,
                                         &result);
  g_assert_true (turnout_replies_record_receipts_finish (fixture->store,
                                                         turnout_test_wait_result (&result),
                                                         &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT delivered_at FROM messages WHERE id = 1"), ==, T0);
}

/* The schema as a Turnout of version 7 left it, with a message in it:
 * opening it upgrades to the latest and keeps the message. */
static void
test_migrates_from_7 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path ("v7.db");
  guint n;
  const TurnoutMigration *all = turnout_store_migrations (&n);
  TurnoutStore *store;
  sqlite3 *db = NULL;

  g_unlink (path);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (guint i = 0; i < n && all[i].version <= 7; i++)
    {
      g_autofree char *stamp = g_strdup_printf ("PRAGMA application_id = %d;"
                                                " PRAGMA user_version = %d;",
                                                TURNOUT_STORE_APPLICATION_ID, all[i].version);

      g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, all[i].sql, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, stamp, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
    }
  g_assert_cmpint (sqlite3_exec (db,
    "INSERT INTO messages (id, channel, address, state, provider_id, sent_at, created_at,"
    " updated_at) VALUES (1, 'sms', '" BEN "', 'sent', 'SM01', " G_STRINGIFY (T0) " - 60, 0, 0);",
    NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, 8);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM replies"), ==, 0);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT coalesce (polled_at, -1)"
                                                  " FROM messages WHERE id = 1"), ==, -1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE body IS NULL"), ==, 1);
  /* The upgraded file is asked about its sent message. */
  {
    sqlite3 *conn = turnout_store_acquire (store, &error);
    g_autoptr(GPtrArray) found = NULL;

    g_assert_no_error (error);
    found = turnout_replies_list_unconfirmed (conn, T0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
    turnout_store_release (store, conn);
  }
  turnout_test_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/replies/classify", test_classify);
  g_test_add ("/replies/opt-out", Fixture, NULL, fixture_set_up, test_opt_out, fixture_tear_down);
  g_test_add ("/replies/opt-in", Fixture, NULL, fixture_set_up, test_opt_in, fixture_tear_down);
  g_test_add ("/replies/out-of-order", Fixture, NULL, fixture_set_up, test_out_of_order,
              fixture_tear_down);
  g_test_add ("/replies/help-and-others", Fixture, NULL, fixture_set_up, test_help_and_others,
              fixture_tear_down);
  g_test_add ("/replies/list-start", Fixture, NULL, fixture_set_up, test_list_start,
              fixture_tear_down);
  g_test_add ("/replies/receipts", Fixture, NULL, fixture_set_up, test_receipts,
              fixture_tear_down);
  g_test_add ("/replies/rotation", Fixture, NULL, fixture_set_up, test_rotation,
              fixture_tear_down);
  g_test_add ("/replies/async", Fixture, NULL, fixture_set_up, test_async, fixture_tear_down);
  g_test_add_func ("/replies/migrates-from-7", test_migrates_from_7);

  return g_test_run ();
}
