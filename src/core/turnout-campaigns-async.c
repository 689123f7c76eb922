/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaigns"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-campaigns-async.h"
#include "turnout-clock.h"
#include "turnout-store.h"

/*
 * Campaigns for the window: the list of campaigns with their messages
 * counted by state, a campaign's recipients a page at a time, putting
 * failed messages back in the queue, and the blocking functions of
 * turnout-campaigns.c moved onto a worker.
 *
 * The functions of turnout-campaigns.c borrow a connection of their own,
 * so their workers are plain GTask threads (taking a pooled connection for
 * them as well would hold two); the queries written here run on the
 * connection turnout_store_run_in_thread() lends, where cancelling
 * interrupts the statement.
 */

static const char * const message_states[] = { TURNOUT_MESSAGE_STATES, NULL };

/* The list ------------------------------------------------------------- */

static void
count_state (TurnoutCampaignStatus *status,
             const char            *state,
             gint64                 n)
{
  for (guint i = 0; message_states[i] != NULL; i++)
    if (g_strcmp0 (message_states[i], state) == 0)
      status->counts[i] = n;
  status->total += n;
}

static GListModel *
list_on_db (sqlite3       *db,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GListStore) campaigns = g_list_store_new (TURNOUT_TYPE_CAMPAIGN);
  g_autoptr(TurnoutCampaignStatus) status = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* One row per campaign and message state, the rows of a campaign next
   * to each other; a campaign without messages yet has one row with a
   * NULL state. The counts come from the (campaign_id, state) index. */
  stmt = turnout_db_prepare (db,
    "SELECT c.id, c.name, c.channel, c.state, c.state_reason, c.segment_name,"
    "  coalesce (json_extract (c.template_snapshot, '$.name'), t.name),"
    "  coalesce (c.scheduled_at, 0), m.state, coalesce (m.n, 0)"
    " FROM campaigns c"
    " LEFT JOIN templates t ON t.id = c.template_id"
    " LEFT JOIN (SELECT campaign_id, state, count (*) AS n FROM messages"
    "            WHERE campaign_id IS NOT NULL GROUP BY campaign_id, state) m"
    "   ON m.campaign_id = c.id"
    " ORDER BY c.created_at DESC, c.id DESC", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (status != NULL && status->id != id)
        {
          g_autoptr(TurnoutCampaign) campaign = turnout_campaign_new_from_status (status);

          g_list_store_append (campaigns, campaign);
          g_clear_pointer (&status, turnout_campaign_status_free);
        }
      if (status == NULL)
        {
          status = g_new0 (TurnoutCampaignStatus, 1);
          status->id = id;
          status->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          status->channel = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          status->state = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
          status->state_reason = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
          status->segment_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          status->template_name = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
          status->scheduled_at = sqlite3_column_int64 (stmt, 7);
        }
      if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
        count_state (status, (const char *) sqlite3_column_text (stmt, 8),
                     sqlite3_column_int64 (stmt, 9));
    }
  if (rc != SQLITE_DONE)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      turnout_db_set_error (error, db, rc, _("Could not read the campaigns"));
      return NULL;
    }
  if (status != NULL)
    {
      g_autoptr(TurnoutCampaign) campaign = turnout_campaign_new_from_status (status);

      g_list_store_append (campaigns, campaign);
    }
  return G_LIST_MODEL (g_steal_pointer (&campaigns));
}

/**
 * turnout_campaigns_list:
 *
 * Blocks. Returns: (transfer full): a #GListModel of #TurnoutCampaign, the
 *   newest first, with their messages counted by state; %NULL with @error
 *   set.
 */
GListModel *
turnout_campaigns_list (TurnoutStore  *store,
                        GError       **error)
{
  GListModel *list;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  list = list_on_db (db, NULL, error);
  turnout_store_release (store, db);
  return list;
}

static void
list_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *list = list_on_db (db, cancellable, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, g_object_unref);
}

/**
 * turnout_campaigns_list_async:
 *
 * Runs turnout_campaigns_list() on a worker.
 */
void
turnout_campaigns_list_async (TurnoutStore        *store,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_campaigns_list_async);
  turnout_store_run_in_thread (store, task, list_worker);
}

/**
 * turnout_campaigns_list_finish:
 *
 * Returns: (transfer full): a #GListModel of #TurnoutCampaign, newest
 *   first, or %NULL with @error set.
 */
GListModel *
turnout_campaigns_list_finish (TurnoutStore  *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_campaigns_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A campaign's recipients ---------------------------------------------- */

typedef struct
{
  gint64  campaign_id;
  char   *state;
  gint64  after_id;
  guint   limit;
} MessagesData;

static void
messages_data_free (MessagesData *data)
{
  g_free (data->state);
  g_free (data);
}

static GListModel *
list_messages_on_db (sqlite3       *db,
                     MessagesData  *data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GListStore) messages = g_list_store_new (TURNOUT_TYPE_CAMPAIGN_MESSAGE);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Pages follow the message id, so rows that change state between two
   * pages are neither shown twice nor skipped. With a state, the
   * (campaign_id, state) index gives the rows in id order. */
#define MESSAGE_COLUMNS \
  "SELECT m.id, coalesce (m.contact_id, 0)," \
  "  trim (coalesce (c.first_name, '') || ' ' || coalesce (c.last_name, ''))," \
  "  m.address, m.state, m.error_text, m.provider_id" \
  " FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id"
  if (data->state != NULL)
    stmt = turnout_db_prepare (db, MESSAGE_COLUMNS
                                   " WHERE m.campaign_id = ?1 AND m.state = ?2 AND m.id > ?3"
                                   " ORDER BY m.id LIMIT ?4", error);
  else
    stmt = turnout_db_prepare (db, MESSAGE_COLUMNS
                                   " WHERE m.campaign_id = ?1 AND m.id > ?3"
                                   " ORDER BY m.id LIMIT ?4", error);
#undef MESSAGE_COLUMNS
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, data->campaign_id);
  if (data->state != NULL)
    sqlite3_bind_text (stmt, 2, data->state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, data->after_id);
  sqlite3_bind_int64 (stmt, 4, data->limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TurnoutCampaignMessage) message =
        turnout_campaign_message_new (sqlite3_column_int64 (stmt, 0),
                                      sqlite3_column_int64 (stmt, 1),
                                      (const char *) sqlite3_column_text (stmt, 2),
                                      (const char *) sqlite3_column_text (stmt, 3),
                                      (const char *) sqlite3_column_text (stmt, 4),
                                      (const char *) sqlite3_column_text (stmt, 5),
                                      (const char *) sqlite3_column_text (stmt, 6));

      g_list_store_append (messages, message);
    }
  if (rc != SQLITE_DONE)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      turnout_db_set_error (error, db, rc, _("Could not read the recipients"));
      return NULL;
    }
  return G_LIST_MODEL (g_steal_pointer (&messages));
}

/**
 * turnout_campaigns_list_messages:
 * @state: (nullable): only messages in this state (one of
 *   TURNOUT_MESSAGE_STATES), or %NULL for all
 * @after_id: the id of the last message of the previous page, or 0
 * @limit: the most messages to return
 *
 * Blocks. Returns: (transfer full): a #GListModel of
 *   #TurnoutCampaignMessage in id order; fewer than @limit when they run
 *   out. %NULL with @error set.
 */
GListModel *
turnout_campaigns_list_messages (TurnoutStore  *store,
                                 gint64         campaign_id,
                                 const char    *state,
                                 gint64         after_id,
                                 guint          limit,
                                 GError       **error)
{
  MessagesData data = { campaign_id, (char *) state, after_id, limit };
  GListModel *list;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  list = list_messages_on_db (db, &data, NULL, error);
  turnout_store_release (store, db);
  return list;
}

static void
list_messages_worker (GTask        *task,
                      sqlite3      *db,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *list = list_messages_on_db (db, task_data, cancellable, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, g_object_unref);
}

/**
 * turnout_campaigns_list_messages_async:
 *
 * Runs turnout_campaigns_list_messages() on a worker.
 */
void
turnout_campaigns_list_messages_async (TurnoutStore        *store,
                                       gint64               campaign_id,
                                       const char          *state,
                                       gint64               after_id,
                                       guint                limit,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MessagesData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  data = g_new0 (MessagesData, 1);
  data->campaign_id = campaign_id;
  data->state = g_strdup (state);
  data->after_id = after_id;
  data->limit = limit;
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_campaigns_list_messages_async);
  g_task_set_task_data (task, data, (GDestroyNotify) messages_data_free);
  turnout_store_run_in_thread (store, task, list_messages_worker);
}

/**
 * turnout_campaigns_list_messages_finish:
 *
 * Returns: (transfer full): a #GListModel of #TurnoutCampaignMessage, or
 *   %NULL with @error set.
 */
GListModel *
turnout_campaigns_list_messages_finish (TurnoutStore  *store,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_campaigns_list_messages_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Retrying the failed messages ------------------------------------------ */

/* The campaign's state and channel, or %FALSE with @error set. */
static gboolean
read_state (sqlite3  *db,
            gint64    campaign_id,
            char    **state,
            char    **channel,
            GError  **error)
{
  g_autoptr(TurnoutDbCached) read = turnout_db_prepare_cached (db,
    "SELECT state, channel FROM campaigns WHERE id = ?1", error);
  int rc;

  if (read == NULL)
    return FALSE;
  sqlite3_bind_int64 (read, 1, campaign_id);
  if ((rc = sqlite3_step (read)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND,
                     _("There is no campaign %" PRId64), campaign_id);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the campaign"));
      return FALSE;
    }
  *state = g_strdup ((const char *) sqlite3_column_text (read, 0));
  *channel = g_strdup ((const char *) sqlite3_column_text (read, 1));
  return TRUE;
}

/* A completed campaign that has @n messages queued again has work again
 * (the dispatcher only takes messages of running ones). Paused stays
 * paused. */
static gboolean
reopen_completed (sqlite3  *db,
                  gint64    campaign_id,
                  gint64    n,
                  gint64    at,
                  GError  **error)
{
  g_autoptr(TurnoutDbCached) reopen = turnout_db_prepare_cached (db,
    "UPDATE campaigns SET state = 'running', state_reason = NULL, finished_at = NULL,"
    " updated_at = ?2 WHERE id = ?1 AND state = 'completed' AND ?3 > 0", error);
  int rc;

  if (reopen == NULL)
    return FALSE;
  sqlite3_bind_int64 (reopen, 1, campaign_id);
  sqlite3_bind_int64 (reopen, 2, at);
  sqlite3_bind_int64 (reopen, 3, n);
  if ((rc = sqlite3_step (reopen)) != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not change the campaign"));
  return TRUE;
}

static gint64
retry_failed_on_db (sqlite3  *db,
                    gint64    campaign_id,
                    gint64    at,
                    GError  **error)
{
  static const char * const allowed[] = { "running", "paused", "completed", NULL };
  g_autoptr(TurnoutDbCached) requeue = NULL;
  g_autofree char *state = NULL;
  g_autofree char *channel = NULL;
  gint64 n;
  int rc;

  if (!turnout_db_begin (db, error))
    return -1;
  if (!read_state (db, campaign_id, &state, &channel, error))
    goto fail;
  /* A cancelled or stopped campaign sends nothing more, so messages put
   * back in its queue would wait for ever. */
  if (!g_strv_contains (allowed, state))
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                   /* TRANSLATORS: %s is a campaign state, such as "cancelled". */
                   _("A campaign that is %s can’t send its failed messages again"), state);
      goto fail;
    }

  /* Every failed message of the campaign back in the queue as if new: no
   * attempts counted, due now, without the error of its last try. The
   * unique (campaign, contact) key is untouched, so nobody gets a second
   * row, and only failed rows move: a message that was sent stays sent. */
  requeue = turnout_db_prepare_cached (db, "UPDATE messages SET state = 'queued', attempts = 0,"
                                           " next_attempt_at = NULL, claimed_at = NULL,"
                                           " error_code = NULL, error_text = NULL,"
                                           " updated_at = ?2"
                                           " WHERE campaign_id = ?1 AND state = 'failed'", error);
  if (requeue == NULL)
    goto fail;
  sqlite3_bind_int64 (requeue, 1, campaign_id);
  sqlite3_bind_int64 (requeue, 2, at);
  if ((rc = sqlite3_step (requeue)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not queue the failed messages again"));
      goto fail;
    }
  n = sqlite3_changes (db);
  g_clear_pointer (&requeue, turnout_db_cached_release);
  if (!reopen_completed (db, campaign_id, n, at, error) || !turnout_db_commit (db, error))
    goto fail;
  return n;

fail:
  g_clear_pointer (&requeue, turnout_db_cached_release);
  turnout_db_rollback (db);
  return -1;
}

/**
 * turnout_campaigns_retry_failed:
 *
 * Blocks. Puts the failed messages of a running, paused or completed
 * campaign back in the queue (no attempts counted, due now); a completed
 * campaign with messages put back is running again. Cancelled and stopped
 * campaigns are refused with %TURNOUT_CAMPAIGN_ERROR_STATE. All or
 * nothing.
 *
 * Returns: the messages put back (0 when none had failed), or -1 with
 *   @error set.
 */
gint64
turnout_campaigns_retry_failed (TurnoutStore  *store,
                                gint64         campaign_id,
                                GError       **error)
{
  gint64 n;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  n = retry_failed_on_db (db, campaign_id,
                          turnout_clock_get_unix (turnout_clock_get_default ()), error);
  turnout_store_release (store, db);
  return n;
}

typedef struct
{
  gint64 campaign_id;
  gint64 now;
} RetryData;

static void
retry_failed_worker (GTask        *task,
                     sqlite3      *db,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RetryData *data = task_data;
  GError *error = NULL;
  gint64 n = retry_failed_on_db (db, data->campaign_id, data->now, &error);

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

/**
 * turnout_campaigns_retry_failed_async:
 *
 * Runs turnout_campaigns_retry_failed() on a worker, as of the default
 * clock's time when called.
 */
void
turnout_campaigns_retry_failed_async (TurnoutStore        *store,
                                      gint64               campaign_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RetryData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  data = g_new0 (RetryData, 1);
  data->campaign_id = campaign_id;
  data->now = turnout_clock_get_unix (turnout_clock_get_default ());
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_campaigns_retry_failed_async);
  g_task_set_task_data (task, data, g_free);
  turnout_store_run_in_thread (store, task, retry_failed_worker);
}

/**
 * turnout_campaigns_retry_failed_finish:
 *
 * Returns: the messages put back, or -1 with @error set.
 */
gint64
turnout_campaigns_retry_failed_finish (TurnoutStore  *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_campaigns_retry_failed_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* Emails whose fate is unknown -------------------------------------------- */

static gint64
settle_unknown_on_db (sqlite3                 *db,
                      gint64                   campaign_id,
                      gint64                   message_id,
                      TurnoutUnknownDecision   decision,
                      gint64                   at,
                      GError                 **error)
{
  static const char * const can_send[] = { "running", "paused", "completed", NULL };
  g_autoptr(TurnoutDbCached) settle = NULL;
  g_autofree char *state = NULL;
  g_autofree char *channel = NULL;
  gint64 n;
  int rc;

  if (!turnout_db_begin (db, error))
    return -1;
  if (!read_state (db, campaign_id, &state, &channel, error))
    goto fail;
  /* A text's fate is asked of Twilio at every run: a person deciding
   * instead could only send one twice. */
  if (!g_str_equal (channel, "email"))
    {
      g_set_error_literal (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                           _("Turnout asks Twilio about texts whose fate is unknown each time "
                             "it sends; only emails wait for you to decide"));
      goto fail;
    }
  if (decision == TURNOUT_UNKNOWN_SEND_AGAIN && !g_strv_contains (can_send, state))
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                   /* TRANSLATORS: %s is a campaign state, such as "cancelled". */
                   _("A campaign that is %s can’t send messages again"), state);
      goto fail;
    }

  /* Sent again: back in the queue as if new. Marked sent: sent when it was
   * handed over, saying who decided. Only unknown rows move. */
  if (decision == TURNOUT_UNKNOWN_SEND_AGAIN)
    settle = turnout_db_prepare_cached (db,
      "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = NULL,"
      " claimed_at = NULL, error_code = NULL, error_text = NULL, updated_at = ?3"
      " WHERE campaign_id = ?1 AND state = 'unknown' AND (?2 = 0 OR id = ?2)", error);
  else
    settle = turnout_db_prepare_cached (db,
      "UPDATE messages SET state = 'sent', sent_at = coalesce (claimed_at, ?3),"
      " error_code = 'marked_sent', error_text = ?4, updated_at = ?3"
      " WHERE campaign_id = ?1 AND state = 'unknown' AND (?2 = 0 OR id = ?2)", error);
  if (settle == NULL)
    goto fail;
  sqlite3_bind_int64 (settle, 1, campaign_id);
  sqlite3_bind_int64 (settle, 2, message_id);
  sqlite3_bind_int64 (settle, 3, at);
  if (decision == TURNOUT_UNKNOWN_MARK_SENT)
    sqlite3_bind_text (settle, 4, _("you marked it as sent"), -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (settle)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not change the messages"));
      goto fail;
    }
  n = sqlite3_changes (db);
  g_clear_pointer (&settle, turnout_db_cached_release);
  if (message_id != 0 && n == 0)
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND,
                   _("Message %" PRId64 " of campaign %" PRId64 " is not one whose fate is "
                     "unknown"), message_id, campaign_id);
      goto fail;
    }
  if (!reopen_completed (db, campaign_id, decision == TURNOUT_UNKNOWN_SEND_AGAIN ? n : 0, at,
                         error)
      || !turnout_db_commit (db, error))
    goto fail;
  return n;

fail:
  g_clear_pointer (&settle, turnout_db_cached_release);
  turnout_db_rollback (db);
  return -1;
}

/**
 * turnout_campaigns_settle_unknown:
 * @message_id: one message of the campaign, or 0 for every one whose fate
 *   is unknown
 *
 * Blocks. Carries out what the user decided about emails whose fate is
 * unknown (the connection was lost after the whole message was handed
 * over): send them again (the campaign must be running, paused or
 * completed; a completed one runs again) or count them as sent. Texts are
 * refused with %TURNOUT_CAMPAIGN_ERROR_STATE: Turnout asks Twilio about
 * them itself. All or nothing.
 *
 * Returns: the messages changed, or -1 with @error set
 *   (%TURNOUT_CAMPAIGN_ERROR_NOT_FOUND for a @message_id that is not an
 *   unknown one of the campaign).
 */
gint64
turnout_campaigns_settle_unknown (TurnoutStore            *store,
                                  gint64                   campaign_id,
                                  gint64                   message_id,
                                  TurnoutUnknownDecision   decision,
                                  GError                 **error)
{
  gint64 n;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  n = settle_unknown_on_db (db, campaign_id, message_id, decision,
                            turnout_clock_get_unix (turnout_clock_get_default ()), error);
  turnout_store_release (store, db);
  return n;
}

typedef struct
{
  gint64                 campaign_id;
  TurnoutUnknownDecision decision;
  gint64                 now;
} SettleData;

static void
settle_unknown_worker (GTask        *task,
                       sqlite3      *db,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  SettleData *data = task_data;
  GError *error = NULL;
  gint64 n = settle_unknown_on_db (db, data->campaign_id, 0, data->decision, data->now, &error);

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

/**
 * turnout_campaigns_settle_unknown_async:
 *
 * Runs turnout_campaigns_settle_unknown() for every unknown email of the
 * campaign on a worker, as of the default clock's time when called.
 */
void
turnout_campaigns_settle_unknown_async (TurnoutStore           *store,
                                        gint64                  campaign_id,
                                        TurnoutUnknownDecision  decision,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  SettleData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  data = g_new0 (SettleData, 1);
  data->campaign_id = campaign_id;
  data->decision = decision;
  data->now = turnout_clock_get_unix (turnout_clock_get_default ());
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_campaigns_settle_unknown_async);
  g_task_set_task_data (task, data, g_free);
  turnout_store_run_in_thread (store, task, settle_unknown_worker);
}

/**
 * turnout_campaigns_settle_unknown_finish:
 *
 * Returns: the messages changed, or -1 with @error set.
 */
gint64
turnout_campaigns_settle_unknown_finish (TurnoutStore  *store,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_campaigns_settle_unknown_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* The blocking functions of turnout-campaigns.c on a worker -------------- */

typedef struct
{
  gint64          campaign_id;
  /* create only */
  char           *name;
  char           *channel;
  char           *segment_name;
  TurnoutSegment *segment;
  gint64          template_id;
  gint64          event_id;
  gint64          scheduled_at;
} CampaignData;

static void
campaign_data_free (CampaignData *data)
{
  g_free (data->name);
  g_free (data->channel);
  g_free (data->segment_name);
  g_clear_pointer (&data->segment, turnout_segment_unref);
  g_free (data);
}

static GTask *
campaign_task_new (TurnoutStore        *store,
                   gint64               campaign_id,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  CampaignData *data = g_new0 (CampaignData, 1);

  data->campaign_id = campaign_id;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) campaign_data_free);
  return task;
}

static void
create_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CampaignData *data = task_data;
  GError *error = NULL;
  gint64 id;

  if (g_task_return_error_if_cancelled (task))
    return;
  id = turnout_campaigns_create (source_object, data->name, data->channel, data->segment_name,
                                 data->segment, data->template_id, data->event_id,
                                 data->scheduled_at, &error);
  if (id == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

/**
 * turnout_campaigns_create_async:
 * @segment_name: (nullable): a saved segment's name or a ready-made one's id
 * @segment: its rules (a reference is kept)
 * @scheduled_at: Unix seconds, or 0 for a draft
 *
 * Runs turnout_campaigns_create() on a worker; the strings are copied.
 */
void
turnout_campaigns_create_async (TurnoutStore        *store,
                                const char          *name,
                                const char          *channel,
                                const char          *segment_name,
                                TurnoutSegment      *segment,
                                gint64               template_id,
                                gint64               event_id,
                                gint64               scheduled_at,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CampaignData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (segment != NULL);

  task = campaign_task_new (store, 0, turnout_campaigns_create_async, cancellable, callback,
                            user_data);
  data = g_task_get_task_data (task);
  data->name = g_strdup (name);
  data->channel = g_strdup (channel);
  data->segment_name = g_strdup (segment_name);
  data->segment = turnout_segment_ref (segment);
  data->template_id = template_id;
  data->event_id = event_id;
  data->scheduled_at = scheduled_at;
  g_task_run_in_thread (task, create_worker);
}

/**
 * turnout_campaigns_create_finish:
 *
 * Returns: the new campaign's id, or 0 with @error set.
 */
gint64
turnout_campaigns_create_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, store), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_campaigns_create_async,
                        0);

  id = g_task_propagate_int (G_TASK (result), error);
  return id > 0 ? id : 0;
}

static void
launch_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CampaignData *data = task_data;
  GError *error = NULL;
  gint64 queued;

  if (g_task_return_error_if_cancelled (task))
    return;
  queued = turnout_campaigns_launch (source_object, data->campaign_id, cancellable, &error);
  if (queued < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, queued);
}

/**
 * turnout_campaigns_launch_async:
 *
 * Runs turnout_campaigns_launch() on a worker: the audience is frozen and
 * the campaign is running.
 */
void
turnout_campaigns_launch_async (TurnoutStore        *store,
                                gint64               campaign_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = campaign_task_new (store, campaign_id, turnout_campaigns_launch_async, cancellable,
                            callback, user_data);
  g_task_run_in_thread (task, launch_worker);
}

/**
 * turnout_campaigns_launch_finish:
 *
 * Returns: the messages queued, or -1 with @error set.
 */
gint64
turnout_campaigns_launch_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_campaigns_launch_async,
                        -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
get_status_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CampaignData *data = task_data;
  GError *error = NULL;
  TurnoutCampaignStatus *status;

  if (g_task_return_error_if_cancelled (task))
    return;
  status = turnout_campaigns_get_status (source_object, data->campaign_id, &error);
  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, (GDestroyNotify) turnout_campaign_status_free);
}

/**
 * turnout_campaigns_get_status_async:
 *
 * Runs turnout_campaigns_get_status() on a worker.
 */
void
turnout_campaigns_get_status_async (TurnoutStore        *store,
                                    gint64               campaign_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = campaign_task_new (store, campaign_id, turnout_campaigns_get_status_async, cancellable,
                            callback, user_data);
  g_task_run_in_thread (task, get_status_worker);
}

/**
 * turnout_campaigns_get_status_finish:
 *
 * Returns: (transfer full): the status, or %NULL with @error set.
 */
TurnoutCampaignStatus *
turnout_campaigns_get_status_finish (TurnoutStore  *store,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_campaigns_get_status_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef gboolean (*ChangeFunc) (TurnoutStore  *store,
                                gint64         campaign_id,
                                GError       **error);

static void
change_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CampaignData *data = task_data;
  ChangeFunc func = g_object_get_data (G_OBJECT (task), "turnout-change");
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (func (source_object, data->campaign_id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
change_async (TurnoutStore        *store,
              gint64               campaign_id,
              ChangeFunc           func,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = campaign_task_new (store, campaign_id, source_tag, cancellable, callback, user_data);
  g_object_set_data (G_OBJECT (task), "turnout-change", func);
  g_task_run_in_thread (task, change_worker);
}

static gboolean
change_finish (TurnoutStore  *store,
               GAsyncResult  *result,
               gpointer       source_tag,
               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * turnout_campaigns_pause_async:
 *
 * Runs turnout_campaigns_pause() on a worker.
 */
void
turnout_campaigns_pause_async (TurnoutStore        *store,
                               gint64               campaign_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  change_async (store, campaign_id, turnout_campaigns_pause, turnout_campaigns_pause_async,
                cancellable, callback, user_data);
}

gboolean
turnout_campaigns_pause_finish (TurnoutStore  *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  return change_finish (store, result, turnout_campaigns_pause_async, error);
}

/**
 * turnout_campaigns_resume_async:
 *
 * Runs turnout_campaigns_resume() on a worker.
 */
void
turnout_campaigns_resume_async (TurnoutStore        *store,
                                gint64               campaign_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  change_async (store, campaign_id, turnout_campaigns_resume, turnout_campaigns_resume_async,
                cancellable, callback, user_data);
}

gboolean
turnout_campaigns_resume_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return change_finish (store, result, turnout_campaigns_resume_async, error);
}

/**
 * turnout_campaigns_cancel_async:
 *
 * Runs turnout_campaigns_cancel() on a worker.
 */
void
turnout_campaigns_cancel_async (TurnoutStore        *store,
                                gint64               campaign_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  change_async (store, campaign_id, turnout_campaigns_cancel, turnout_campaigns_cancel_async,
                cancellable, callback, user_data);
}

gboolean
turnout_campaigns_cancel_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return change_finish (store, result, turnout_campaigns_cancel_async, error);
}
