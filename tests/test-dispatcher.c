/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "turnout-campaigns.h"
#include "turnout-clock.h"
#include "turnout-dispatcher.h"
#include "turnout-segments.h"
#include "turnout-send-log.h"
#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/*
 * The dispatcher against a scripted sender that answers each address as
 * the test says and keeps what it "accepted", like a provider: every
 * message sent once; transient errors retried and counted, permanent ones
 * failed with their sentence, opt-outs suppressed everywhere, a fatal
 * answer stopping the campaign; an answer lost on the way and a run that
 * died mid-send reconciled without a second text; opt-outs and
 * suppressions added after launch honoured; the rate never exceeded in any
 * second; quiet hours and the frequency cap; a pause that stops the rows
 * claimed ahead; for email, the send log that tells after a crash which
 * rows never started to leave.
 */

/* Scripted sender --------------------------------------------------------- */

#define TEST_TYPE_SENDER (test_sender_get_type ())
G_DECLARE_FINAL_TYPE (TestSender, test_sender, TEST, SENDER, GObject)

struct _TestSender
{
  GObject     parent_instance;
  GHashTable *script;     /* address → GQueue of TurnoutSendOutcome (as pointers) */
  GHashTable *accepted;   /* address → provider id, what "the provider" kept */
  GHashTable *attempts;   /* address → requests seen */
  GArray     *times;      /* monotonic µs of every request */
  guint       counter;
  const char *channel;    /* "sms" unless a test says "email" */
  guint       delay_ms;   /* answers this late, as over a network */
  guint       pause_after;/* pauses pause_campaign at this request, 0: never */
  TurnoutStore *pause_store;
  gint64      pause_campaign;
  guint       cancel_after;   /* cancels @cancel at this request, 0: never */
  GCancellable *cancel;
};

static void sender_iface_init (TurnoutSenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSender, test_sender, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TURNOUT_TYPE_SENDER, sender_iface_init))

static void
test_sender_finalize (GObject *object)
{
  TestSender *self = TEST_SENDER (object);

  g_hash_table_unref (self->script);
  g_hash_table_unref (self->accepted);
  g_hash_table_unref (self->attempts);
  g_array_unref (self->times);
  G_OBJECT_CLASS (test_sender_parent_class)->finalize (object);
}

static void
test_sender_class_init (TestSenderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sender_finalize;
}

static void
test_sender_init (TestSender *self)
{
  self->script = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_queue_free);
  self->accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->channel = "sms";
}

/* The next answers for @to, in order; after them, OK. ACCEPT_UNKNOWN is an
 * answer lost after the provider kept the message. */
#define ACCEPT_UNKNOWN 100

static void
script (TestSender *self,
        const char *to,
        ...)
{
  GQueue *queue = g_queue_new ();
  va_list args;
  int outcome;

  va_start (args, to);
  while ((outcome = va_arg (args, int)) >= 0)
    g_queue_push_tail (queue, GINT_TO_POINTER (outcome));
  va_end (args);
  g_hash_table_replace (self->script, g_strdup (to), queue);
}

static const char *
accept (TestSender *self,
        const char *to)
{
  char *sid = g_strdup_printf ("SM%032u", ++self->counter);

  g_hash_table_replace (self->accepted, g_strdup (to), sid);
  return sid;
}

static guint
seen (TestSender *self,
      const char *to)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->attempts, to));
}

static const char *
test_sender_get_channel (TurnoutSender *sender)
{
  return TEST_SENDER (sender)->channel;
}

static gboolean
answer_later_cb (gpointer data)
{
  GTask *task = data;

  g_task_return_pointer (task, g_object_steal_data (G_OBJECT (task), "result"),
                         (GDestroyNotify) turnout_send_result_free);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
test_sender_send_async (TurnoutSender         *sender,
                        const TurnoutOutgoing *outgoing,
                        GCancellable          *cancellable,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  TestSender *self = TEST_SENDER (sender);
  g_autoptr(GTask) task = g_task_new (sender, cancellable, callback, user_data);
  GQueue *queue = g_hash_table_lookup (self->script, outgoing->to);
  int outcome = queue != NULL && !g_queue_is_empty (queue)
                ? GPOINTER_TO_INT (g_queue_pop_head (queue)) : TURNOUT_SEND_OK;
  TurnoutSendResult *result;
  gint64 at = g_get_monotonic_time ();

  g_array_append_val (self->times, at);
  g_hash_table_replace (self->attempts, g_strdup (outgoing->to),
                        GUINT_TO_POINTER (seen (self, outgoing->to) + 1));
  if (outgoing->mark != NULL)
    g_assert_true (turnout_send_mark_leaving (outgoing->mark, NULL));
  if (self->cancel_after > 0 && self->times->len == self->cancel_after)
    g_cancellable_cancel (self->cancel);
  if (self->pause_after > 0 && self->times->len == self->pause_after)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (turnout_campaigns_pause (self->pause_store, self->pause_campaign, &error));
      g_assert_no_error (error);
    }
  result = turnout_send_result_new (outcome == ACCEPT_UNKNOWN ? TURNOUT_SEND_UNKNOWN : outcome);
  if (outcome == TURNOUT_SEND_OK)
    result->provider_id = g_strdup (accept (self, outgoing->to));
  else if (outcome == ACCEPT_UNKNOWN)
    {
      accept (self, outgoing->to);
      result->message = g_strdup ("The connection was reset after the request was sent");
    }
  else
    {
      result->error_code = g_strdup_printf ("E%d", outcome);
      result->message = g_strdup_printf ("scripted %s", turnout_send_outcome_to_string (outcome));
      if (outcome == TURNOUT_SEND_RATE_LIMITED)
        result->retry_after = 0;
    }
  /* Answer from the main loop, as a network answer would. */
  if (self->delay_ms > 0)
    {
      g_object_set_data (G_OBJECT (task), "result", result);
      g_timeout_add (self->delay_ms, answer_later_cb, g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) turnout_send_result_free);
}

static TurnoutSendResult *
test_sender_send_finish (TurnoutSender  *sender,
                         GAsyncResult   *result,
                         GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_sender_find_sent_async (TurnoutSender       *sender,
                             const char          *to,
                             gint64               since,
                             const char          *text,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  TestSender *self = TEST_SENDER (sender);
  g_autoptr(GTask) task = g_task_new (sender, cancellable, callback, user_data);

  /* Like a mail server: it can't be asked. */
  if (g_str_equal (self->channel, "email"))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "can't check");
  else
    g_task_return_pointer (task, g_strdup (g_hash_table_lookup (self->accepted, to)), g_free);
}

static char *
test_sender_find_sent_finish (TurnoutSender  *sender,
                              GAsyncResult   *result,
                              GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sender_iface_init (TurnoutSenderInterface *iface)
{
  iface->get_channel = test_sender_get_channel;
  iface->send_async = test_sender_send_async;
  iface->send_finish = test_sender_send_finish;
  iface->find_sent_async = test_sender_find_sent_async;
  iface->find_sent_finish = test_sender_find_sent_finish;
}

/* Fixture ------------------------------------------------------------------- */

/* 2026-05-01T12:00:00Z (noon in London, 8 in the morning in New York). */
#define NOW 1777636800

static TurnoutStore *
open_store (const char *name,
            int         contacts)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  TurnoutStore *store;

  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
    " INSERT INTO contacts (id, first_name, phone, sms_consent, time_zone, created_at, updated_at)"
    " SELECT i, 'Fan' || i, printf ('+1650555%%04d', i), 'opted_in', 'Europe/London', 0, 0 FROM n;"
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
    " VALUES (1, 'Doors', 'sms', 'Hi {first_name}, doors at 10! {unsubscribe}', 0, 0);",
    contacts);
  turnout_test_exec_sql (store, sql);
  return store;
}

static gint64
launch (TurnoutStore *store)
{
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id = turnout_campaigns_create (store, "Tonight", "sms", "all", everyone, 1, 0, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), >=, 0);
  g_assert_no_error (error);
  return id;
}

static gboolean
run (TurnoutDispatcher  *dispatcher,
     gint64              campaign_id,
     GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_dispatcher_run_async (dispatcher, campaign_id, TRUE, NULL, turnout_test_result_cb,
                                &result);
  return turnout_dispatcher_run_finish (dispatcher, turnout_test_wait_result (&result), error);
}

static gint64
count_state (TurnoutStore *store,
             const char   *state)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM messages WHERE state = '%s'",
                                          state);

  return turnout_test_query_int (store, sql);
}

static char *
campaign_state (TurnoutStore *store)
{
  return turnout_test_query_text (store, "SELECT state FROM campaigns");
}

static TurnoutDispatcher *
dispatcher_for (TurnoutStore *store,
                TestSender   *sender)
{
  TurnoutDispatcher *dispatcher = turnout_dispatcher_new (store, TURNOUT_SENDER (sender));

  turnout_dispatcher_set_limits (dispatcher, 0, 3);
  turnout_dispatcher_set_retry (dispatcher, 0, 0, 3);
  return dispatcher;
}

/* Tests ------------------------------------------------------------------ */

static void
test_outcomes (void)
{
  g_autoptr(TurnoutStore) store = open_store ("outcomes.db", 8);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *text = NULL;
  gint64 id = launch (store);

  script (sender, "+16505550001", TURNOUT_SEND_TRANSIENT, TURNOUT_SEND_TRANSIENT, -1);
  script (sender, "+16505550002", TURNOUT_SEND_TRANSIENT, TURNOUT_SEND_TRANSIENT,
          TURNOUT_SEND_TRANSIENT, -1);
  script (sender, "+16505550003", TURNOUT_SEND_PERMANENT, -1);
  script (sender, "+16505550004", TURNOUT_SEND_SUPPRESS, -1);
  script (sender, "+16505550005", TURNOUT_SEND_RATE_LIMITED, -1);
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);

  /* Transient twice then sent, on the third of three attempts. */
  g_assert_cmpuint (seen (sender, "+16505550001"), ==, 3);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT attempts FROM messages"
                                                  " WHERE address = '+16505550001'"
                                                  " AND state = 'sent'"), ==, 3);
  /* Out of attempts: failed, with the sentence. */
  g_assert_cmpuint (seen (sender, "+16505550002"), ==, 3);
  text = turnout_test_query_text (store, "SELECT error_text FROM messages"
                                         " WHERE address = '+16505550002' AND state = 'failed'");
  g_assert_cmpstr (text, ==, "scripted transient");
  g_clear_pointer (&text, g_free);
  /* Permanent: once, failed. */
  g_assert_cmpuint (seen (sender, "+16505550003"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE address = '+16505550003'"
                                                  " AND state = 'failed' AND error_code = 'E3'"),
                   ==, 1);
  /* Opted out at the provider: suppressed here, everywhere, and the
   * contact's consent says so. */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE address = '+16505550004'"
                                                  " AND state = 'suppressed'"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM suppressions"
                                                  " WHERE channel = 'sms'"
                                                  " AND address = '+16505550004'"), ==, 1);
  text = turnout_test_query_text (store, "SELECT sms_consent FROM contacts WHERE id = 4");
  g_assert_cmpstr (text, ==, "opted_out");
  /* Rate-limited: the attempt doesn't count; sent next. */
  g_assert_cmpuint (seen (sender, "+16505550005"), ==, 2);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT attempts FROM messages"
                                                  " WHERE address = '+16505550005'"), ==, 1);

  /* Every other one once; the campaign is done. */
  for (int i = 6; i <= 8; i++)
    {
      g_autofree char *to = g_strdup_printf ("+1650555%04d", i);

      g_assert_cmpuint (seen (sender, to), ==, 1);
    }
  g_assert_cmpint (count_state (store, "sent"), ==, 5);
  g_assert_cmpint (count_state (store, "queued") + count_state (store, "sending")
                   + count_state (store, "unknown"), ==, 0);
  state = campaign_state (store);
  g_assert_cmpstr (state, ==, "completed");
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'sent' AND provider_id LIKE 'SM%'"),
                   ==, 5);
}

static void
test_fatal (void)
{
  g_autoptr(TurnoutStore) store = open_store ("fatal.db", 6);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reason = NULL;
  gint64 id = launch (store);

  turnout_dispatcher_set_limits (dispatcher, 0, 1);
  script (sender, "+16505550002", TURNOUT_SEND_FATAL, -1);
  g_assert_false (run (dispatcher, id, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, "scripted fatal");
  g_clear_error (&error);

  /* Stopped, saying why; nothing lost: the rest waits, not counted. */
  state = campaign_state (store);
  reason = turnout_test_query_text (store, "SELECT state_reason FROM campaigns");
  g_assert_cmpstr (state, ==, "stopped");
  g_assert_cmpstr (reason, ==, "scripted fatal");
  g_assert_cmpint (count_state (store, "sent"), ==, 1);
  g_assert_cmpint (count_state (store, "queued"), ==, 5);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT max (attempts) FROM messages"
                                                  " WHERE state = 'queued'"), ==, 0);
  g_assert_cmpint (count_state (store, "sending"), ==, 0);
}

/* An answer lost after the provider kept the message, and a run that died
 * after a request left: both found at the provider, neither sent twice. */
static void
test_exactly_once (void)
{
  g_autoptr(TurnoutStore) store = open_store ("once.db", 5);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  gint64 id = launch (store);

  script (sender, "+16505550001", ACCEPT_UNKNOWN, -1);
  script (sender, "+16505550002", TURNOUT_SEND_UNKNOWN, -1);
  /* Contact 3's message was claimed by a run that died after the request
   * left and the provider kept it. */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'sending', attempts = 1,"
                                " claimed_at = 1777636700 WHERE contact_id = 3");
  accept (sender, "+16505550003");

  /* One run: the dead run's row is asked about first (found: sent, with
   * its id); then the two answers lost on the way are asked about before
   * the run ends — 1 was kept, 2 never arrived and goes again. Nothing
   * the provider has is sent twice. */
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen (sender, "+16505550001"), ==, 1);
  g_assert_cmpuint (seen (sender, "+16505550002"), ==, 2);
  g_assert_cmpuint (seen (sender, "+16505550003"), ==, 0);
  g_assert_cmpint (count_state (store, "unknown"), ==, 0);
  g_assert_cmpint (count_state (store, "sent"), ==, 5);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (DISTINCT provider_id)"
                                                  " FROM messages WHERE state = 'sent'"), ==, 5);
  g_assert_cmpint (g_hash_table_size (sender->accepted), ==, 5);
}

static void
test_checked_at_claim (void)
{
  g_autoptr(TurnoutStore) store = open_store ("claim.db", 6);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 id = launch (store);

  /* After launch: one suppressed, one opted out, one changed number, and
   * one over the frequency cap (3 in 7 days). */
  turnout_test_exec_sql (store,
    "INSERT INTO suppressions (channel, address, reason, created_at)"
    " VALUES ('sms', '+16505550001', 'manual', 0);"
    "UPDATE contacts SET sms_consent = 'opted_out' WHERE id = 2;"
    "UPDATE contacts SET phone = '+16505559999' WHERE id = 3;"
    "INSERT INTO messages (contact_id, channel, address, state, sent_at, created_at, updated_at)"
    " VALUES (4, 'sms', '+16505550004', 'sent', 1777600000, 0, 0),"
    "        (4, 'sms', '+16505550004', 'delivered', 1777500000, 0, 0),"
    "        (4, 'sms', '+16505550004', 'sent', 1777400000, 0, 0);");
  turnout_dispatcher_set_frequency_cap (dispatcher, 3, 7);
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (seen (sender, "+16505550001"), ==, 0);
  g_assert_cmpuint (seen (sender, "+16505550002"), ==, 0);
  g_assert_cmpuint (seen (sender, "+16505550003"), ==, 0);
  g_assert_cmpuint (seen (sender, "+16505559999"), ==, 0);
  g_assert_cmpuint (seen (sender, "+16505550004"), ==, 0);
  g_assert_cmpuint (seen (sender, "+16505550005"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE contact_id = 1 AND state = 'suppressed'"
                                                  " AND campaign_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE contact_id = 2 AND state = 'skipped'"
                                                  " AND error_code = 'opted_out'"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE contact_id = 3 AND state = 'skipped'"
                                                  " AND error_code = 'address_changed'"), ==, 1);
  text = turnout_test_query_text (store, "SELECT error_text FROM messages WHERE contact_id = 4"
                                         " AND campaign_id IS NOT NULL");
  g_assert_cmpstr (text, ==, "over the frequency cap of 3 messages in 7 days");
}

static void
test_quiet_hours (void)
{
  g_autoptr(TurnoutStore) store = open_store ("quiet.db", 3);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = launch (store);

  /* Noon UTC: 13:00 in London, 05:00 in Los Angeles (quiet until 08:00,
   * 15:00 UTC), and 21:00 in Tokyo (quiet until 08:00 there, 23:00 UTC). */
  turnout_test_exec_sql (store, "UPDATE contacts SET time_zone = 'America/Los_Angeles' WHERE id = 2;"
                                "UPDATE contacts SET time_zone = NULL WHERE id = 3");
  g_assert_true (turnout_dispatcher_set_quiet_hours (dispatcher, "21:00-08:00", "Asia/Tokyo",
                                                     &error));
  g_assert_false (turnout_dispatcher_set_quiet_hours (dispatcher, "late", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (turnout_dispatcher_set_quiet_hours (dispatcher, "21:00-08:00", "Asia/Tokyo",
                                                     &error));

  /* Not waiting: what may go now goes; the rest waits for its morning. */
  turnout_dispatcher_run_async (dispatcher, id, FALSE, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_dispatcher_run_finish (dispatcher, turnout_test_wait_result (&result),
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen (sender, "+16505550001"), ==, 1);
  g_assert_cmpuint (seen (sender, "+16505550002"), ==, 0);
  /* No zone of its own: the default, Tokyo's. */
  g_assert_cmpuint (seen (sender, "+16505550003"), ==, 0);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT next_attempt_at FROM messages"
                                                  " WHERE contact_id = 2"), ==, NOW + 3 * 3600);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT next_attempt_at FROM messages"
                                                  " WHERE contact_id = 3"), ==, NOW + 11 * 3600);
  g_assert_cmpint (count_state (store, "queued"), ==, 2);
}

static void
test_rate (void)
{
  g_autoptr(TurnoutStore) store = open_store ("rate.db", 13);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  gint64 id = launch (store);

  /* 5 a second: no one-second window may hold more. */
  turnout_dispatcher_set_limits (dispatcher, 5, 4);
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sender->times->len, ==, 13);
  for (guint i = 0; i + 5 < sender->times->len; i++)
    g_assert_cmpint (g_array_index (sender->times, gint64, i + 5)
                     - g_array_index (sender->times, gint64, i), >=, G_USEC_PER_SEC);
}

/* Pausing stops the rows claimed ahead too: only what was out finishes. */
static void
test_pause_claimed_ahead (void)
{
  g_autoptr(TurnoutStore) store = open_store ("pause.db", 100);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  gint64 id = launch (store);
  guint before;

  sender->delay_ms = 20;
  sender->pause_after = 5;
  sender->pause_store = store;
  sender->pause_campaign = id;
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);

  /* The claim took 64 rows; three were out when the pause came, and a
   * few more left (answers take 20 ms, three at a time) while the next
   * write waited its 10 ms for more outcomes and ran. Far from the 64
   * claimed, even on a slow machine. */
  before = sender->times->len;
  g_test_message ("%u requests after a pause at the 5th", before);
  g_assert_cmpuint (before, <=, 32);
  state = campaign_state (store);
  g_assert_cmpstr (state, ==, "paused");
  g_assert_cmpint (count_state (store, "sent"), ==, before);
  g_assert_cmpint (count_state (store, "queued"), ==, 100 - before);
  g_assert_cmpint (count_state (store, "sending"), ==, 0);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT max (attempts) FROM messages"
                                                  " WHERE state = 'queued'"), ==, 0);

  /* Resumed: the rest, each once. */
  sender->pause_after = 0;
  g_assert_true (turnout_campaigns_resume (store, id, &error));
  g_assert_no_error (error);
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sender->times->len, ==, 100);
  g_assert_cmpint (g_hash_table_size (sender->accepted), ==, 100);
  g_assert_cmpint (count_state (store, "sent"), ==, 100);
}

/* Stopping a run sees through what is out and writes every answer: a
 * message the provider took is "sent", never left "sending". */
static void
test_cancel_writes_outcomes (void)
{
  g_autoptr(TurnoutStore) store = open_store ("cancel.db", 200);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = dispatcher_for (store, sender);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = launch (store);

  sender->delay_ms = 2;
  sender->cancel_after = 40;
  sender->cancel = cancellable;
  turnout_dispatcher_run_async (dispatcher, id, TRUE, cancellable, turnout_test_result_cb,
                                &result);
  g_assert_false (turnout_dispatcher_run_finish (dispatcher, turnout_test_wait_result (&result),
                                                 &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count_state (store, "sent"), ==, g_hash_table_size (sender->accepted));
  g_assert_cmpint (count_state (store, "sending") + count_state (store, "unknown"), ==, 0);
  g_assert_cmpint (count_state (store, "queued"), ==, 200 - g_hash_table_size (sender->accepted));
}

static gint64
launch_email (TurnoutStore *store)
{
  g_autoptr(TurnoutSegment) everyone = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id;

  turnout_test_exec_sql (store,
    "UPDATE contacts SET email = 'fan' || id || '@example.test', email_consent = 'opted_in';"
    "INSERT INTO templates (id, name, channel, subject, body_text, body_html, created_at,"
    "                       updated_at)"
    " VALUES (2, 'Doors mail', 'email', 'Doors at 10', 'Hi {first_name}', '<p>Hi {first_name}</p>',"
    "         0, 0);");
  id = turnout_campaigns_create (store, "Tonight by mail", "email", "all", everyone, 2, 0, 0,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (store, id, NULL, &error), >=, 0);
  g_assert_no_error (error);
  return id;
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

/* A mail server can't be asked what it took. After a crash the send log
 * tells which rows left "sending" never started to leave (queued again)
 * and which did (unknown, never sent again by itself); a log that isn't
 * one (an older Turnout's empty lock file) tells nothing. */
static void
test_send_log (void)
{
  g_autoptr(TurnoutStore) store = open_store ("sendlog.db", 8);
  g_autoptr(TestSender) sender = g_object_new (TEST_TYPE_SENDER, NULL);
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(TurnoutSendLog) log = NULL;
  g_autoptr(GHashTable) left = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lock = g_strdup_printf ("%s-email.lock", turnout_store_get_path (store));
  g_autofree char *contents = NULL;
  gint64 id;

  sender->channel = "email";
  dispatcher = dispatcher_for (store, sender);
  id = launch_email (store);

  /* A run died with 1–4 claimed; it had noted 1 and 2 leaving (and was
   * cut short writing 3's line). */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'sending', attempts = 1,"
                                " claimed_at = 1777636700 WHERE contact_id <= 4");
  write_file (lock, "Turnout send log 1\n1\n2\n3");
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen (sender, "fan1@example.test"), ==, 0);
  g_assert_cmpuint (seen (sender, "fan2@example.test"), ==, 0);
  for (int i = 3; i <= 8; i++)
    {
      g_autofree char *to = g_strdup_printf ("fan%d@example.test", i);

      g_assert_cmpuint (seen (sender, to), ==, 1);
    }
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'unknown' AND contact_id <= 2"),
                   ==, 2);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT attempts FROM messages"
                                                  " WHERE contact_id = 3"), ==, 1);
  g_assert_cmpint (count_state (store, "sent"), ==, 6);

  /* The log started again, and named each message this run sent. */
  log = turnout_send_log_open (lock, &error);
  g_assert_no_error (error);
  g_assert_true (turnout_send_log_read (log, &left, &error));
  g_assert_no_error (error);
  g_assert_nonnull (left);
  g_assert_cmpuint (g_hash_table_size (left), ==, 6);
  for (gint64 message = 3; message <= 8; message++)
    g_assert_true (g_hash_table_contains (left, &message));
  g_clear_pointer (&left, g_hash_table_unref);

  /* An older Turnout's lock file names nothing: every row left
   * "sending" is in doubt. */
  turnout_test_exec_sql (store, "UPDATE messages SET state = 'sending' WHERE contact_id = 8");
  write_file (lock, "");
  g_assert_true (run (dispatcher, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen (sender, "fan8@example.test"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE state = 'unknown'"), ==, 3);
  g_assert_true (g_file_get_contents (lock, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "Turnout send log 1\n");
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dispatcher/outcomes", test_outcomes);
  g_test_add_func ("/dispatcher/fatal", test_fatal);
  g_test_add_func ("/dispatcher/exactly-once", test_exactly_once);
  g_test_add_func ("/dispatcher/checked-at-claim", test_checked_at_claim);
  g_test_add_func ("/dispatcher/quiet-hours", test_quiet_hours);
  g_test_add_func ("/dispatcher/rate", test_rate);
  g_test_add_func ("/dispatcher/pause-claimed-ahead", test_pause_claimed_ahead);
  g_test_add_func ("/dispatcher/send-log", test_send_log);
  g_test_add_func ("/dispatcher/cancel-writes-outcomes", test_cancel_writes_outcomes);

  return g_test_run ();
}
