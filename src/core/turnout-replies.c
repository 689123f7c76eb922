/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-replies"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-replies.h"
#include "turnout-store.h"

/*
 * What comes back after sending: the texts people send to the sender
 * number, and the delivery receipts of what was sent. Both are fetched by
 * the provider's client (see src/providers/turnout-poll.c) and written
 * here, so this file knows SQL and nothing of HTTP.
 *
 * Replies. A reply that is one keyword acts on the number it came from,
 * in the transaction that keeps the reply, so a reply is never kept
 * without its effect nor the other way round:
 *
 *  - STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT (the
 *    words Twilio acts on): the number goes on the suppression list
 *    (reason "stop_reply") and every contact with that phone number is
 *    opted out of texts;
 *  - START, YES, UNSTOP: the suppression that records the person's own
 *    opt-out (a STOP reply, or Twilio's 21610) is lifted and the contacts
 *    are opted in. Suppressions the promoter made (manual, erased) stay;
 *  - HELP, INFO: kept, nothing else (Twilio answers them itself).
 *
 * Matching ignores case and the blanks around the word. Opt-out and help
 * words also match with punctuation around them ("Stop.", "STOP!!"):
 * honouring such an opt-out is the safe side of the law, even where Twilio
 * itself may not. Opt-in words must stand bare: "Yes!" is as likely the
 * answer to a question as consent to marketing texts. Anything longer than
 * one word ("STOP PLEASE") is an ordinary reply, as it is for Twilio.
 *
 * Replies may be listed out of order and more than once. One already kept
 * (same provider id) is skipped. An opt-out or opt-in is not applied when
 * a newer opt-out or opt-in reply from the number is kept already; a
 * contact whose consent changed after the reply keeps that consent; an
 * opt-in lifts only suppressions from before it. Dated by when the person
 * wrote, the consent history reads in the order things happened.
 *
 * Receipts. The messages to ask about are those still "sent" within the
 * last TURNOUT_RECEIPT_WINDOW, least recently asked first; each answer
 * either settles the row (delivered, undelivered, failed, with the code
 * and a sentence) or only notes when it was asked.
 */

/* Listing replies again from a little before the last listing: the
 * provider's clock may differ from ours, and a reply may show up in its
 * list a while after it arrived. Replies listed twice are skipped. */
#define LIST_SLACK 3600

static const char * const opt_out_words[] = {
  "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", NULL
};
static const char * const opt_in_words[] = { "START", "YES", "UNSTOP", NULL };
static const char * const help_words[] = { "HELP", "INFO", NULL };

TurnoutReply *
turnout_reply_new (const char *provider_id,
                   const char *from,
                   const char *to,
                   const char *body,
                   gint64      received_at)
{
  TurnoutReply *reply = g_new0 (TurnoutReply, 1);

  reply->provider_id = g_strdup (provider_id);
  reply->from = g_strdup (from);
  reply->to = g_strdup (to);
  reply->body = g_strdup (body != NULL ? body : "");
  reply->received_at = received_at;
  return reply;
}

void
turnout_reply_free (TurnoutReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->provider_id);
  g_free (reply->from);
  g_free (reply->to);
  g_free (reply->body);
  g_free (reply);
}

TurnoutReceipt *
turnout_receipt_new (gint64               message_id,
                     TurnoutReceiptState  state,
                     const char          *error_code,
                     const char          *text)
{
  TurnoutReceipt *receipt = g_new0 (TurnoutReceipt, 1);

  receipt->message_id = message_id;
  receipt->state = state;
  receipt->error_code = g_strdup (error_code);
  receipt->text = g_strdup (text);
  return receipt;
}

void
turnout_receipt_free (TurnoutReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->error_code);
  g_free (receipt->text);
  g_free (receipt);
}

void
turnout_unconfirmed_free (TurnoutUnconfirmed *unconfirmed)
{
  if (unconfirmed == NULL)
    return;
  g_free (unconfirmed->provider_id);
  g_free (unconfirmed);
}

/* Classifying -------------------------------------------------------------- */

/* @text without blanks at either end, and without punctuation (and
 * symbols) there too when @punctuation is set. */
static char *
dup_trimmed (const char *text,
             gboolean    punctuation)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (start < end)
    {
      gunichar c = g_utf8_get_char (start);

      if (!(g_unichar_isspace (c) || (punctuation && g_unichar_ispunct (c))))
        break;
      start = g_utf8_next_char (start);
    }
  while (end > start)
    {
      const char *previous = g_utf8_prev_char (end);
      gunichar c = g_utf8_get_char (previous);

      if (!(g_unichar_isspace (c) || (punctuation && g_unichar_ispunct (c))))
        break;
      end = previous;
    }
  return g_strndup (start, end - start);
}

/* The keyword @body is, in capitals, or NULL. */
static const char *
find_keyword (const char         *body,
              TurnoutReplyAction *action)
{
  static const struct
  {
    const char * const *words;
    TurnoutReplyAction  action;
    gboolean            punctuation;
  } lists[] = {
    { opt_out_words, TURNOUT_REPLY_ACTION_OPT_OUT, TRUE },
    { opt_in_words, TURNOUT_REPLY_ACTION_OPT_IN, FALSE },
    { help_words, TURNOUT_REPLY_ACTION_HELP, TRUE },
  };
  g_autofree char *bare = NULL;
  g_autofree char *word = NULL;

  *action = TURNOUT_REPLY_ACTION_NONE;
  if (body == NULL || !g_utf8_validate (body, -1, NULL))
    return NULL;
  bare = dup_trimmed (body, FALSE);
  word = dup_trimmed (body, TRUE);
  /* The keywords are ASCII: case is compared the ASCII way. */
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    for (guint j = 0; lists[i].words[j] != NULL; j++)
      if (g_ascii_strcasecmp (lists[i].punctuation ? word : bare, lists[i].words[j]) == 0)
        {
          *action = lists[i].action;
          return lists[i].words[j];
        }
  return NULL;
}

/**
 * turnout_reply_classify:
 * @body: (nullable): the text of a reply
 *
 * Returns: what the reply asks for (see the comment at the top of
 *   turnout-replies.c for the exact rules)
 */
TurnoutReplyAction
turnout_reply_classify (const char *body)
{
  TurnoutReplyAction action;

  find_keyword (body, &action);
  return action;
}

/**
 * turnout_reply_action_to_string:
 *
 * Returns: the action as stored in replies.action: "opt_out", "opt_in",
 *   "help" or "none"
 */
const char *
turnout_reply_action_to_string (TurnoutReplyAction action)
{
  switch (action)
    {
    case TURNOUT_REPLY_ACTION_OPT_OUT: return "opt_out";
    case TURNOUT_REPLY_ACTION_OPT_IN: return "opt_in";
    case TURNOUT_REPLY_ACTION_HELP: return "help";
    case TURNOUT_REPLY_ACTION_NONE:
    default: return "none";
    }
}

/* Recording replies ------------------------------------------------------- */

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return turnout_db_set_error (error, db, rc, what);
  return TRUE;
}

/* The contact a reply is from: of those with the number, the one last
 * texted at it (two people may share a phone), else the oldest. */
static gint64
find_contact (sqlite3     *db,
              const char  *phone,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "SELECT c.id FROM contacts c WHERE c.phone = ?1"
    " ORDER BY (SELECT max (m.id) FROM messages m"
    "            WHERE m.contact_id = c.id AND m.address = ?1) DESC NULLS LAST, c.id"
    " LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, phone, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not look up who replied"));
      return -1;
    }
  return 0;
}

/* Whether a keyword reply newer than @at already decided for @address. */
static gboolean
has_newer_keyword (sqlite3     *db,
                   const char  *address,
                   gint64       at,
                   gboolean    *newer,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "SELECT EXISTS (SELECT 1 FROM replies WHERE channel = 'sms' AND address = ?1"
    " AND action IN ('opt_out', 'opt_in') AND received_at > ?2)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, at);
  if (!step_done (db, stmt, _("Could not read the replies"), error))
    return FALSE;
  *newer = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

static gboolean
apply_keyword (sqlite3             *db,
               const TurnoutReply  *reply,
               TurnoutReplyAction   action,
               const char          *keyword,
               gint64               now,
               GError             **error)
{
  g_autofree char *source = g_strdup_printf ("reply %s", keyword);
  g_autoptr(sqlite3_stmt) suppression = NULL;
  g_autoptr(sqlite3_stmt) consent = NULL;
  gboolean newer = FALSE;

  if (!has_newer_keyword (db, reply->from, reply->received_at, &newer, error))
    return FALSE;
  if (newer)
    return TRUE;

  if (action == TURNOUT_REPLY_ACTION_OPT_OUT)
    {
      suppression = turnout_db_prepare (db,
        "INSERT INTO suppressions (channel, address, reason, source, created_at)"
        " VALUES ('sms', ?1, 'stop_reply', ?2, ?3)"
        " ON CONFLICT (channel, address) DO NOTHING", error);
      /* consent_history gets its row from the contacts' triggers, dated
       * when the person wrote. A consent given after that stands. */
      consent = turnout_db_prepare (db,
        "UPDATE contacts SET sms_consent = 'opted_out', sms_consent_at = ?3,"
        " sms_consent_source = ?2, updated_at = ?4"
        " WHERE phone = ?1 AND sms_consent <> 'opted_out'"
        "   AND (sms_consent_at IS NULL OR sms_consent_at <= ?3)", error);
    }
  else
    {
      /* Only the person's own opt-outs are theirs to lift, and only those
       * from before they wrote. */
      suppression = turnout_db_prepare (db,
        "DELETE FROM suppressions WHERE channel = 'sms' AND address = ?1"
        " AND reason IN ('stop_reply', 'opted_out') AND created_at <= ?3", error);
      consent = turnout_db_prepare (db,
        "UPDATE contacts SET sms_consent = 'opted_in', sms_consent_at = ?3,"
        " sms_consent_source = ?2, updated_at = ?4"
        " WHERE phone = ?1 AND sms_consent <> 'opted_in'"
        "   AND (sms_consent_at IS NULL OR sms_consent_at <= ?3)", error);
    }
  if (suppression == NULL || consent == NULL)
    return FALSE;
  sqlite3_bind_text (suppression, 1, reply->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (suppression, 2, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (suppression, 3, reply->received_at);
  sqlite3_bind_text (consent, 1, reply->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (consent, 2, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (consent, 3, reply->received_at);
  sqlite3_bind_int64 (consent, 4, now);
  return step_done (db, suppression, _("Could not update the suppression list"), error)
         && step_done (db, consent, _("Could not record the contacts’ consent"), error);
}

/**
 * turnout_replies_record:
 * @db: a connection of the calling thread, outside a transaction
 * @reply: the reply; @reply->from should be E.164, as contacts' phones are
 * @now: the time to note as the record's
 * @action: (out) (optional): what the reply asked for
 * @added: (out) (optional): %FALSE when the reply was kept already (then
 *   nothing was done again)
 *
 * Keeps one reply and does what it asks, in one transaction.
 *
 * Returns: %FALSE with @error set when nothing could be written
 */
gboolean
turnout_replies_record (sqlite3             *db,
                        const TurnoutReply  *reply,
                        gint64               now,
                        TurnoutReplyAction  *action,
                        gboolean            *added,
                        GError             **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  TurnoutReplyAction found;
  const char *keyword;
  gint64 contact_id;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);

  if (reply->provider_id == NULL || *reply->provider_id == '\0' || reply->from == NULL
      || *reply->from == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A reply without its id or its sender can’t be kept"));
      return FALSE;
    }
  keyword = find_keyword (reply->body, &found);
  if (action != NULL)
    *action = found;
  if (added != NULL)
    *added = FALSE;

  if (!turnout_db_begin (db, error))
    return FALSE;
  if ((contact_id = find_contact (db, reply->from, error)) < 0)
    goto fail;
  insert = turnout_db_prepare (db,
    "INSERT INTO replies (provider_id, channel, address, to_address, body, received_at,"
    " contact_id, action, created_at) VALUES (?1, 'sms', ?2, ?3, ?4, ?5, nullif (?6, 0), ?7, ?8)"
    " ON CONFLICT (provider_id) DO NOTHING", error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_text (insert, 1, reply->provider_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, reply->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, reply->to, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, reply->body != NULL ? reply->body : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 5, reply->received_at);
  sqlite3_bind_int64 (insert, 6, contact_id);
  sqlite3_bind_text (insert, 7, turnout_reply_action_to_string (found), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 8, now);
  if (!step_done (db, insert, _("Could not keep the reply"), error))
    goto fail;
  if (sqlite3_changes (db) == 0)
    return turnout_db_commit (db, error);

  if ((found == TURNOUT_REPLY_ACTION_OPT_OUT || found == TURNOUT_REPLY_ACTION_OPT_IN)
      && !apply_keyword (db, reply, found, keyword, now, error))
    goto fail;
  if (!turnout_db_commit (db, error))
    goto fail;
  if (added != NULL)
    *added = TRUE;
  return TRUE;

fail:
  turnout_db_rollback (db);
  return FALSE;
}

/**
 * turnout_replies_get_list_start:
 * @now: the time now
 *
 * Returns: the time (Unix seconds) from which replies should be listed:
 *   shortly before the last complete listing, else before the newest reply
 *   kept, else %TURNOUT_RECEIPT_WINDOW before @now; -1 with @error set
 */
gint64
turnout_replies_get_list_start (sqlite3  *db,
                                gint64    now,
                                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "SELECT coalesce ((SELECT listed_until FROM reply_polls WHERE id = 1),"
    "                 (SELECT max (received_at) FROM replies WHERE channel = 'sms'),"
    "                 ?1)", error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, now - TURNOUT_RECEIPT_WINDOW + LIST_SLACK);
  if (!step_done (db, stmt, _("Could not read when replies were last checked"), error))
    return -1;
  return MAX (sqlite3_column_int64 (stmt, 0) - LIST_SLACK, 0);
}

/**
 * turnout_replies_set_listed_until:
 * @listed_until: the time a complete listing of replies started
 *
 * Notes that every reply up to @listed_until has been kept; the mark
 * never moves back.
 */
gboolean
turnout_replies_set_listed_until (sqlite3  *db,
                                  gint64    listed_until,
                                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "INSERT INTO reply_polls (id, listed_until) VALUES (1, ?1)"
    " ON CONFLICT (id) DO UPDATE SET listed_until = max (listed_until, excluded.listed_until)",
    error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, listed_until);
  return step_done (db, stmt, _("Could not note when replies were checked"), error);
}

/* Receipts ------------------------------------------------------------------ */

/**
 * turnout_replies_list_unconfirmed:
 * @now: the time now
 * @limit: at most this many
 *
 * The SMS still "sent" (no receipt yet) that went out within
 * %TURNOUT_RECEIPT_WINDOW before @now and have a provider id: those never
 * asked about first, then those asked about longest ago.
 *
 * Returns: (transfer full) (element-type TurnoutUnconfirmed): the
 *   messages, or %NULL with @error set
 */
GPtrArray *
turnout_replies_list_unconfirmed (sqlite3  *db,
                                  gint64    now,
                                  guint     limit,
                                  GError  **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                               turnout_unconfirmed_free);
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "SELECT id, provider_id, sent_at FROM messages"
    " WHERE state = 'sent' AND provider_id IS NOT NULL AND sent_at >= ?1 AND channel = 'sms'"
    " ORDER BY polled_at IS NOT NULL, polled_at, sent_at, id LIMIT ?2", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now - TURNOUT_RECEIPT_WINDOW);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TurnoutUnconfirmed *unconfirmed = g_new0 (TurnoutUnconfirmed, 1);

      unconfirmed->message_id = sqlite3_column_int64 (stmt, 0);
      unconfirmed->provider_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      unconfirmed->sent_at = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (found, unconfirmed);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the messages to check"));
      return NULL;
    }
  return g_steal_pointer (&found);
}

/**
 * turnout_replies_record_receipts:
 * @receipts: (element-type TurnoutReceipt): what the provider said
 * @now: when it was asked
 *
 * Writes the receipts in one transaction. A message settles only from
 * "sent": delivered (with delivered_at @now), undelivered or failed (with
 * the code and the sentence); a pending one only notes @now as the time it
 * was last asked about.
 */
gboolean
turnout_replies_record_receipts (sqlite3    *db,
                                 GPtrArray  *receipts,
                                 gint64      now,
                                 GError    **error)
{
  g_autoptr(sqlite3_stmt) checked = NULL;
  g_autoptr(sqlite3_stmt) delivered = NULL;
  g_autoptr(sqlite3_stmt) failed = NULL;

  g_return_val_if_fail (receipts != NULL, FALSE);

  if (!turnout_db_begin (db, error))
    return FALSE;
  checked = turnout_db_prepare (db, "UPDATE messages SET polled_at = ?2 WHERE id = ?1", error);
  delivered = turnout_db_prepare (db,
    "UPDATE messages SET state = 'delivered', delivered_at = ?2, polled_at = ?2,"
    " updated_at = ?2 WHERE id = ?1 AND state = 'sent'", error);
  failed = turnout_db_prepare (db,
    "UPDATE messages SET state = ?3, error_code = ?4, error_text = ?5, polled_at = ?2,"
    " updated_at = ?2 WHERE id = ?1 AND state = 'sent'", error);
  if (checked == NULL || delivered == NULL || failed == NULL)
    goto fail;
  for (guint i = 0; i < receipts->len; i++)
    {
      TurnoutReceipt *receipt = g_ptr_array_index (receipts, i);
      sqlite3_stmt *stmt;

      switch (receipt->state)
        {
        case TURNOUT_RECEIPT_DELIVERED:
          stmt = delivered;
          break;
        case TURNOUT_RECEIPT_UNDELIVERED:
        case TURNOUT_RECEIPT_FAILED:
          stmt = failed;
          sqlite3_bind_text (stmt, 3, receipt->state == TURNOUT_RECEIPT_FAILED ? "failed"
                                                                               : "undelivered",
                             -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, receipt->error_code, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 5, receipt->text, -1, SQLITE_STATIC);
          break;
        case TURNOUT_RECEIPT_PENDING:
        default:
          stmt = checked;
          break;
        }
      sqlite3_bind_int64 (stmt, 1, receipt->message_id);
      sqlite3_bind_int64 (stmt, 2, now);
      if (!step_done (db, stmt, _("Could not record the delivery of a message"), error))
        goto fail;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  g_clear_pointer (&checked, sqlite3_finalize);
  g_clear_pointer (&delivered, sqlite3_finalize);
  g_clear_pointer (&failed, sqlite3_finalize);
  if (turnout_db_commit (db, error))
    return TRUE;

fail:
  g_clear_pointer (&checked, sqlite3_finalize);
  g_clear_pointer (&delivered, sqlite3_finalize);
  g_clear_pointer (&failed, sqlite3_finalize);
  turnout_db_rollback (db);
  return FALSE;
}

/* On the store's workers ------------------------------------------------- */

typedef struct
{
  GPtrArray          *items;          /* TurnoutReply or TurnoutReceipt */
  gint64              now;
  gint64              listed_until;
  guint               limit;
  TurnoutReplyCounts  counts;
} WorkData;

static void
work_data_free (WorkData *data)
{
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_free (data);
}

static GTask *
new_task (TurnoutStore        *store,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          WorkData           **data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  *data = g_new0 (WorkData, 1);
  (*data)->now = turnout_clock_get_unix (turnout_clock_get_default ());
  g_task_set_task_data (task, *data, (GDestroyNotify) work_data_free);
  return task;
}

static void
record_all_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  WorkData *data = task_data;
  GError *error = NULL;

  for (guint i = 0; i < data->items->len; i++)
    {
      TurnoutReplyAction action;
      gboolean added;

      if (g_task_return_error_if_cancelled (task))
        return;
      if (!turnout_replies_record (db, g_ptr_array_index (data->items, i), data->now, &action,
                                   &added, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      if (!added)
        continue;
      data->counts.added++;
      data->counts.opt_outs += action == TURNOUT_REPLY_ACTION_OPT_OUT;
      data->counts.opt_ins += action == TURNOUT_REPLY_ACTION_OPT_IN;
      data->counts.help += action == TURNOUT_REPLY_ACTION_HELP;
    }
  if (data->listed_until > 0 && !turnout_replies_set_listed_until (db, data->listed_until, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * turnout_replies_record_all_async:
 * @replies: (element-type TurnoutReply): replies, oldest first; a
 *   reference is taken
 * @listed_until: when the listing that found @replies started (0: it was
 *   not a complete listing); noted once all are kept
 *
 * Keeps each reply and does what it asks, each in its own transaction
 * (see turnout_replies_record()).
 */
void
turnout_replies_record_all_async (TurnoutStore        *store,
                                  GPtrArray           *replies,
                                  gint64               listed_until,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WorkData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (replies != NULL);

  task = new_task (store, turnout_replies_record_all_async, cancellable, callback, user_data,
                   &data);
  data->items = g_ptr_array_ref (replies);
  data->listed_until = listed_until;
  turnout_store_run_in_thread (store, task, record_all_worker);
}

/**
 * turnout_replies_record_all_finish:
 * @counts: (out caller-allocates) (optional): what was new among them
 *
 * Returns: %TRUE when every reply was kept; %FALSE with @error set when
 *   one could not be (those before it are kept)
 */
gboolean
turnout_replies_record_all_finish (TurnoutStore        *store,
                                   GAsyncResult        *result,
                                   TurnoutReplyCounts  *counts,
                                   GError             **error)
{
  WorkData *data;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_replies_record_all_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (counts != NULL)
    *counts = data->counts;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_start_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  WorkData *data = task_data;
  GError *error = NULL;
  gint64 start = turnout_replies_get_list_start (db, data->now, &error);

  if (start < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, start);
}

/**
 * turnout_replies_get_list_start_async:
 *
 * See turnout_replies_get_list_start().
 */
void
turnout_replies_get_list_start_async (TurnoutStore        *store,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WorkData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = new_task (store, turnout_replies_get_list_start_async, cancellable, callback, user_data,
                   &data);
  turnout_store_run_in_thread (store, task, list_start_worker);
}

/**
 * turnout_replies_get_list_start_finish:
 *
 * Returns: Unix seconds, or -1 with @error set
 */
gint64
turnout_replies_get_list_start_finish (TurnoutStore  *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_replies_get_list_start_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
list_unconfirmed_worker (GTask        *task,
                         sqlite3      *db,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  WorkData *data = task_data;
  GError *error = NULL;
  GPtrArray *found = turnout_replies_list_unconfirmed (db, data->now, data->limit, &error);

  if (found == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * turnout_replies_list_unconfirmed_async:
 * @limit: at most this many
 *
 * See turnout_replies_list_unconfirmed(); "now" is TurnoutClock's.
 */
void
turnout_replies_list_unconfirmed_async (TurnoutStore        *store,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WorkData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = new_task (store, turnout_replies_list_unconfirmed_async, cancellable, callback,
                   user_data, &data);
  data->limit = limit;
  turnout_store_run_in_thread (store, task, list_unconfirmed_worker);
}

/**
 * turnout_replies_list_unconfirmed_finish:
 *
 * Returns: (transfer full) (element-type TurnoutUnconfirmed): the
 *   messages, or %NULL with @error set
 */
GPtrArray *
turnout_replies_list_unconfirmed_finish (TurnoutStore  *store,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_replies_list_unconfirmed_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
record_receipts_worker (GTask        *task,
                        sqlite3      *db,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  WorkData *data = task_data;
  GError *error = NULL;

  if (turnout_replies_record_receipts (db, data->items, data->now, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * turnout_replies_record_receipts_async:
 * @receipts: (element-type TurnoutReceipt): a reference is taken
 *
 * See turnout_replies_record_receipts(); "now" is TurnoutClock's.
 */
void
turnout_replies_record_receipts_async (TurnoutStore        *store,
                                       GPtrArray           *receipts,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WorkData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (receipts != NULL);

  task = new_task (store, turnout_replies_record_receipts_async, cancellable, callback,
                   user_data, &data);
  data->items = g_ptr_array_ref (receipts);
  turnout_store_run_in_thread (store, task, record_receipts_worker);
}

gboolean
turnout_replies_record_receipts_finish (TurnoutStore  *store,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_replies_record_receipts_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
