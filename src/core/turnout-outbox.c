/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-outbox"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-outbox.h"
#include "turnout-phone.h"
#include "turnout-sms.h"
#include "turnout-store.h"

/*
 * One-off texts: a number (or a contact) and a text, sent once and only
 * once, logged in messages like a campaign's (campaign_id and
 * automation_id NULL, the text in body).
 *
 * As in the dispatcher, the row is written "sending" in a transaction
 * before the request leaves, and the outcome after. Before that, the
 * number is checked against the suppression list, and the contact's
 * consent (or, for a bare number, whether a contact with it opted out):
 * a refusal writes nothing and sends nothing. An answer lost on the way
 * (TURNOUT_SEND_UNKNOWN) is reconciled at once by asking the provider
 * for a message to that number with that text since the claim: found, it
 * was sent; not found, it failed and can be sent again. Nothing is re-sent
 * by itself: a person is waiting for the answer and decides.
 *
 * A row left "sending" by a process that died, or "unknown" because the
 * provider could not be asked, is settled the same way later by
 * turnout_outbox_reconcile_async(), once it is old enough that no request
 * for it can still be out.
 *
 * A one-off has no queue to wait in, so the outcomes a campaign retries
 * (transient, rate-limited, a stopped channel) end it "failed" with the
 * provider's sentence.
 */

G_DEFINE_QUARK (turnout-outbox-error-quark, turnout_outbox_error)

/* Seconds before the claim a provider's clock may differ by. */
#define RECONCILE_SLACK 120
/* A one-off "sending" or "unknown" this long after its claim has no
 * request out any more: the sender gives up on a request long before. */
#define STALE_AFTER 600
/* At most this many rows are settled per reconciliation. */
#define RECONCILE_BATCH 100
/* Twilio takes at most this many media in one message. */
#define MAX_MEDIA 10

void
turnout_outbox_result_free (TurnoutOutboxResult *result)
{
  if (result == NULL)
    return;
  g_free (result->state);
  g_free (result->provider_id);
  g_free (result->error_code);
  g_free (result->message);
  g_free (result);
}

static gint64
now (void)
{
  return turnout_clock_get_unix (turnout_clock_get_default ());
}

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

/* Writing the outcome (on a worker) ---------------------------------------- */

typedef struct
{
  gint64    message_id;
  char     *address;
  char     *state;
  char     *provider_id;
  char     *error_code;
  char     *text;
  gint64    now;
  gboolean  suppress;   /* the provider says the person opted out */
  gboolean  email;      /* the channel is email, not SMS */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->address, g_free);
  g_clear_pointer (&outcome->state, g_free);
  g_clear_pointer (&outcome->provider_id, g_free);
  g_clear_pointer (&outcome->error_code, g_free);
  g_clear_pointer (&outcome->text, g_free);
}

/* Writes where a claimed row ended, in one transaction with what comes
 * with it (a suppression). Only a row still claimed changes: a row
 * another process settled meanwhile is left as it is. */
static gboolean
record_outcome (sqlite3     *db,
                Outcome     *outcome,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!turnout_db_begin (db, error))
    return FALSE;
  if (outcome->suppress)
    {
      /* The provider knows the person opted out: honour it everywhere,
       * as the dispatcher does. */
      g_autoptr(sqlite3_stmt) suppression = turnout_db_prepare (db, outcome->email
        ? "INSERT INTO suppressions (channel, address, reason, source, created_at)"
          " VALUES ('email', ?1, 'opted_out', 'provider', ?2)"
          " ON CONFLICT (channel, address) DO NOTHING"
        : "INSERT INTO suppressions (channel, address, reason, source, created_at)"
          " VALUES ('sms', ?1, 'opted_out', 'provider', ?2)"
          " ON CONFLICT (channel, address) DO NOTHING", error);
      g_autoptr(sqlite3_stmt) consent = turnout_db_prepare (db, outcome->email
        ? "UPDATE contacts SET email_consent = 'opted_out', email_consent_at = ?2,"
          " email_consent_source = 'provider', updated_at = ?2"
          " WHERE email = ?1 COLLATE NOCASE AND email_consent <> 'opted_out'"
        : "UPDATE contacts SET sms_consent = 'opted_out', sms_consent_at = ?2,"
          " sms_consent_source = 'provider', updated_at = ?2"
          " WHERE phone = ?1 AND sms_consent <> 'opted_out'", error);

      if (suppression == NULL || consent == NULL)
        goto fail;
      sqlite3_bind_text (suppression, 1, outcome->address, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (suppression, 2, outcome->now);
      sqlite3_bind_text (consent, 1, outcome->address, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (consent, 2, outcome->now);
      if (!step_done (db, suppression, _("Could not update the suppression list"), error)
          || !step_done (db, consent, _("Could not record the contact’s opt-out"), error))
        goto fail;
    }
  stmt = turnout_db_prepare (db,
    "UPDATE messages SET state = ?2, provider_id = ?3, error_code = ?4, error_text = ?5,"
    " sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END, updated_at = ?6"
    " WHERE id = ?1 AND state IN ('sending', 'unknown')", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, outcome->message_id);
  sqlite3_bind_text (stmt, 2, outcome->state, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, outcome->provider_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, outcome->error_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, outcome->text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, outcome->now);
  if (!step_done (db, stmt, _("Could not record what happened to the message"), error))
    goto fail;
  g_clear_pointer (&stmt, sqlite3_finalize);
  return turnout_db_commit (db, error);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_db_rollback (db);
  return FALSE;
}

/* Sending -------------------------------------------------------------------- */

typedef struct
{
  /* in */
  TurnoutSender *sender;
  gint64         contact_id;
  char          *address;    /* E.164, or NULL for the contact's phone */
  char          *text;
  char         **media;
  guint          segments;
  gint64         now;
  gboolean       email;      /* an email: the fields below, no media */
  char          *subject;
  char          *html;
  char          *preheader;
  char          *to_name;
  /* the claim */
  gint64         message_id;
  /* the outcome */
  Outcome        outcome;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->sender);
  g_free (data->address);
  g_free (data->text);
  g_strfreev (data->media);
  g_free (data->subject);
  g_free (data->html);
  g_free (data->preheader);
  g_free (data->to_name);
  outcome_clear (&data->outcome);
  g_free (data);
}

static void
record_worker (GTask        *task,
               sqlite3      *db,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SendData *data = task_data;
  GError *error = NULL;

  if (record_outcome (db, &data->outcome, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* "Ana Ruiz", or "contact 12" when the contact has no name. */
static char *
dup_contact_name (sqlite3_stmt *stmt,
                  int           column,
                  gint64        id)
{
  const char *name = (const char *) sqlite3_column_text (stmt, column);

  if (name != NULL && *name != '\0')
    return g_strdup (name);
  return g_strdup_printf (_("contact %" PRId64), id);
}

static char *
describe_reason (const char *reason)
{
  if (g_strcmp0 (reason, "stop_reply") == 0)
    return g_strdup (_("they replied STOP"));
  if (g_strcmp0 (reason, "opted_out") == 0)
    return g_strdup (_("they opted out with the provider"));
  if (g_strcmp0 (reason, "manual") == 0)
    return g_strdup (_("added by hand"));
  if (g_strcmp0 (reason, "erased") == 0)
    return g_strdup (_("their contact was erased on request"));
  return g_strdup (reason);
}

/* Checks that the text may go to the number or contact, and writes the row
 * claimed, in one transaction. */
static gboolean
claim_on_db (sqlite3   *db,
             SendData  *data,
             GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!turnout_db_begin (db, error))
    return FALSE;

  if (data->contact_id > 0)
    {
      g_autofree char *name = NULL;
      const char *phone;
      const char *consent;

      stmt = turnout_db_prepare (db, data->email
                                     ? "SELECT email, email_consent, trim (first_name || ' ' ||"
                                       " last_name) FROM contacts WHERE id = ?1"
                                     : "SELECT phone, sms_consent, trim (first_name || ' ' ||"
                                       " last_name) FROM contacts WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, data->contact_id);
      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        {
          if (rc == SQLITE_DONE)
            g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_NOT_FOUND,
                         _("There is no contact %" PRId64), data->contact_id);
          else
            turnout_db_set_error (error, db, rc, _("Could not read the contact"));
          goto fail;
        }
      name = dup_contact_name (stmt, 2, data->contact_id);
      phone = (const char *) sqlite3_column_text (stmt, 0);
      consent = (const char *) sqlite3_column_text (stmt, 1);
      if (phone == NULL || *phone == '\0')
        {
          g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                       data->email ? _("%s has no email address") : _("%s has no phone number"),
                       name);
          goto fail;
        }
      if (data->address == NULL)
        data->address = g_strdup (phone);
      else if (data->email ? g_ascii_strcasecmp (data->address, phone) != 0
                           : !g_str_equal (data->address, phone))
        {
          g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                       data->email ? _("%s is not the email address of %s, which is %s")
                                   : _("%s is not the phone number of %s, which is %s"),
                       data->address, name, phone);
          goto fail;
        }
      if (g_strcmp0 (consent, "opted_out") == 0)
        {
          g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_NO_CONSENT,
                       data->email ? _("%s opted out of emails: Turnout sends them none")
                                   : _("%s opted out of texts: Turnout sends them none"), name);
          goto fail;
        }
      if (g_strcmp0 (consent, "opted_in") != 0)
        {
          g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_NO_CONSENT,
                       data->email ? _("%s never agreed to get emails: record their consent "
                                       "before emailing them")
                                   : _("%s never agreed to get texts: record their consent "
                                       "before texting them"), name);
          goto fail;
        }
      if (data->email && data->to_name == NULL)
        {
          const char *full = (const char *) sqlite3_column_text (stmt, 2);

          data->to_name = full != NULL && *full != '\0' ? g_strdup (full) : NULL;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  stmt = turnout_db_prepare (db, data->email
                                 ? "SELECT reason FROM suppressions"
                                   " WHERE channel = 'email' AND address = ?1 COLLATE NOCASE"
                                 : "SELECT reason FROM suppressions"
                                   " WHERE channel = 'sms' AND address = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, data->address, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *why = describe_reason ((const char *) sqlite3_column_text (stmt, 0));

      g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_SUPPRESSED,
                   _("%s is on the suppression list (%s): Turnout sends it nothing"),
                   data->address, why);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the suppression list"));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* A bare number may still be a contact's who said no. */
  if (data->contact_id <= 0)
    {
      stmt = turnout_db_prepare (db, data->email
                                     ? "SELECT id, trim (first_name || ' ' || last_name)"
                                       " FROM contacts WHERE email = ?1 COLLATE NOCASE"
                                       " AND email_consent = 'opted_out' ORDER BY id LIMIT 1"
                                     : "SELECT id, trim (first_name || ' ' || last_name)"
                                       " FROM contacts WHERE phone = ?1"
                                       " AND sms_consent = 'opted_out' ORDER BY id LIMIT 1",
                                 error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, data->address, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autofree char *name = dup_contact_name (stmt, 1, sqlite3_column_int64 (stmt, 0));

          g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_NO_CONSENT,
                       data->email ? _("%s is the address of %s, who opted out of emails: "
                                       "Turnout sends it nothing")
                                   : _("%s is the number of %s, who opted out of texts: Turnout "
                                       "sends it nothing"), data->address, name);
          goto fail;
        }
      if (rc != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not read the contacts"));
          goto fail;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  stmt = turnout_db_prepare (db,
    "INSERT INTO messages (contact_id, channel, address, state, attempts, claimed_at, segments,"
    " body, created_at, updated_at)"
    " VALUES (nullif (?1, 0), ?6, ?2, 'sending', 1, ?3, ?4, ?5, ?3, ?3)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, MAX (data->contact_id, 0));
  sqlite3_bind_text (stmt, 2, data->address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, data->now);
  if (data->email)
    sqlite3_bind_null (stmt, 4);
  else
    sqlite3_bind_int (stmt, 4, data->segments);
  sqlite3_bind_text (stmt, 6, data->email ? "email" : "sms", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, data->text, -1, SQLITE_STATIC);
  if (!step_done (db, stmt, _("Could not write the message"), error))
    goto fail;
  data->message_id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);
  return turnout_db_commit (db, error);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_db_rollback (db);
  return FALSE;
}

static void
claim_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (claim_on_db (db, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* A row claimed and never sent (the caller cancelled in between): as if
 * it had never been written. */
static void
unclaim_worker (GTask        *task,
                sqlite3      *db,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SendData *data = task_data;
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "DELETE FROM messages WHERE id = ?1"
                                                         " AND state = 'sending'", NULL);

  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, data->message_id);
      sqlite3_step (stmt);
    }
  g_task_return_boolean (task, TRUE);
}

/* Runs @func on a worker with the send's data; @task gets the callback. */
static void
run_step (GTask                *task,
          TurnoutStoreWorkFunc  func,
          GCancellable         *cancellable,
          GAsyncReadyCallback   callback)
{
  TurnoutStore *store = g_task_get_source_object (task);
  g_autoptr(GTask) step = g_task_new (store, cancellable, callback, g_object_ref (task));

  g_task_set_task_data (step, g_task_get_task_data (task), NULL);
  turnout_store_run_in_thread (store, step, func);
}

static void
on_unclaimed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was cancelled"));
}

static void
on_recorded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  TurnoutOutboxResult *outcome;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  outcome = g_new0 (TurnoutOutboxResult, 1);
  outcome->message_id = data->message_id;
  outcome->state = g_strdup (data->outcome.state);
  outcome->provider_id = g_strdup (data->outcome.provider_id);
  outcome->error_code = g_strdup (data->outcome.error_code);
  outcome->message = g_strdup (data->outcome.text);
  g_task_return_pointer (task, outcome, (GDestroyNotify) turnout_outbox_result_free);
}

static void
record (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  data->outcome.message_id = data->message_id;
  data->outcome.address = g_strdup (data->address);
  data->outcome.email = data->email;
  data->outcome.now = now ();
  /* Not the caller's cancellable: what happened is written whatever the
   * caller wants now. */
  run_step (task, record_worker, NULL, on_recorded_cb);
}

static void
on_found_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *provider_id = turnout_sender_find_sent_finish (TURNOUT_SENDER (object), result,
                                                                  &error);

  if (error != NULL)
    {
      data->outcome.state = g_strdup ("unknown");
      data->outcome.text = g_strdup_printf (_("The answer to the request was lost, and whether "
                                              "the message went out could not be found out (%s). "
                                              "Turnout asks again when it next checks "
                                              "deliveries; don’t send it again before."),
                                            error->message);
    }
  else if (provider_id != NULL)
    {
      data->outcome.state = g_strdup ("sent");
      data->outcome.provider_id = g_steal_pointer (&provider_id);
      g_clear_pointer (&data->outcome.error_code, g_free);
    }
  else
    {
      data->outcome.state = g_strdup ("failed");
      data->outcome.text = g_strdup (_("The answer to the request was lost, and the provider "
                                       "has no such message: it was not sent. Send it again if "
                                       "it is still needed."));
    }
  record (task);
}

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSendResult) sent = turnout_sender_send_finish (TURNOUT_SENDER (object), result,
                                                                  &error);
  TurnoutSendOutcome outcome = sent != NULL ? sent->outcome : TURNOUT_SEND_UNKNOWN;

  if (sent != NULL)
    data->outcome.error_code = g_strdup (sent->error_code);
  switch (outcome)
    {
    case TURNOUT_SEND_OK:
      data->outcome.state = g_strdup ("sent");
      data->outcome.provider_id = g_strdup (sent->provider_id);
      break;

    case TURNOUT_SEND_SUPPRESS:
      data->outcome.state = g_strdup ("suppressed");
      data->outcome.text = g_strdup (sent->message);
      data->outcome.suppress = TRUE;
      break;

    case TURNOUT_SEND_UNKNOWN:
      /* It may have gone out: ask before saying anything. */
      turnout_sender_find_sent_async (data->sender, data->address,
                                      data->now - RECONCILE_SLACK, data->text, NULL,
                                      on_found_cb, g_steal_pointer (&task));
      return;

    case TURNOUT_SEND_TRANSIENT:
    case TURNOUT_SEND_RATE_LIMITED:
    case TURNOUT_SEND_PERMANENT:
    case TURNOUT_SEND_FATAL:
    case TURNOUT_SEND_STOP_COUNTRY:
    default:
      data->outcome.state = g_strdup ("failed");
      data->outcome.text = g_strdup (sent->message != NULL ? sent->message
                                                           : _("The provider refused the "
                                                               "message"));
      break;
    }
  record (task);
}

static void
on_claimed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  GError *error = NULL;
  TurnoutOutgoing outgoing = { 0 };

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_step (task, unclaim_worker, NULL, on_unclaimed_cb);
      return;
    }
  outgoing.to = data->address;
  outgoing.text = data->text;
  outgoing.media_urls = (const char * const *) data->media;
  outgoing.subject = data->subject;
  outgoing.html = data->html;
  outgoing.preheader = data->preheader;
  outgoing.to_name = data->to_name;
  /* Not the caller's cancellable: a request that started is seen
   * through, so its outcome is known. */
  turnout_sender_send_async (data->sender, &outgoing, NULL, on_sent_cb, g_steal_pointer (&task));
}

static gboolean
check_message (const char          *text,
               const char * const  *media_urls,
               GError             **error)
{
  g_autoptr(TurnoutSmsInfo) info = NULL;
  g_autofree char *stripped = NULL;
  guint n_media = media_urls != NULL ? g_strv_length ((char **) media_urls) : 0;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                   _("The text is not valid UTF-8"));
      return FALSE;
    }
  info = turnout_sms_info_new (text);
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0' && n_media == 0)
    {
      g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                   _("The message is empty: give a text or a picture"));
      return FALSE;
    }
  if (info->too_long)
    {
      g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                   _("The text has %ld characters; Twilio takes at most %u"),
                   g_utf8_strlen (text, -1), (guint) TURNOUT_SMS_MAX_CHARACTERS);
      return FALSE;
    }
  if (n_media > MAX_MEDIA)
    {
      g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                   _("The message has %u pictures or files; Twilio takes at most %u"), n_media,
                   MAX_MEDIA);
      return FALSE;
    }
  for (guint i = 0; i < n_media; i++)
    if (!g_str_has_prefix (media_urls[i], "https://")
        && !g_str_has_prefix (media_urls[i], "http://"))
      {
        g_set_error (error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                     _("“%s” is not a web address: Twilio fetches media from a public https:// "
                       "address"), media_urls[i]);
        return FALSE;
      }
  return TRUE;
}

/**
 * turnout_outbox_send_async:
 * @sender: an SMS sender
 * @contact_id: the contact the text is for, or 0 for a bare number
 * @address: (nullable): the number, in E.164 (with its country code); may
 *   be %NULL when @contact_id is given, for the contact's phone
 * @text: the text, sent as it is (no merge fields)
 * @media_urls: (nullable) (array zero-terminated=1): MMS media addresses
 * @cancellable: (nullable): cancels the send while it has not left; once
 *   the request is out it is seen through and its outcome written (the
 *   finish then reports %G_IO_ERROR_CANCELLED all the same)
 *
 * Sends one text once, logged in messages. Refused, without writing or
 * sending anything, when the number is suppressed, the contact never opted
 * in or opted out, or (for a bare number) a contact with the number opted
 * out.
 */
void
turnout_outbox_send_async (TurnoutStore        *store,
                           TurnoutSender       *sender,
                           gint64               contact_id,
                           const char          *address,
                           const char          *text,
                           const char * const  *media_urls,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) claim = NULL;
  g_autoptr(TurnoutSmsInfo) info = NULL;
  g_autofree char *e164 = NULL;
  GError *error = NULL;
  SendData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_SENDER (sender));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_outbox_send_async);
  if (text == NULL)
    text = "";
  if (g_strcmp0 (turnout_sender_get_channel (sender), "sms") != 0)
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("One-off messages go by SMS only"));
      return;
    }
  if (address == NULL && contact_id <= 0)
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("Give a phone number or a contact to send to"));
      return;
    }
  if (address != NULL && (e164 = turnout_phone_normalize (address, NULL, &error)) == NULL)
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("Can’t send to it: %s"), error->message);
      g_error_free (error);
      return;
    }
  if (!check_message (text, media_urls, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (SendData, 1);
  data->sender = g_object_ref (sender);
  data->contact_id = contact_id;
  data->address = g_steal_pointer (&e164);
  data->text = g_strdup (text);
  data->media = g_strdupv ((char **) media_urls);
  info = turnout_sms_info_new (text);
  data->segments = info->segments;
  data->now = now ();
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  run_step (task, claim_worker, cancellable, on_claimed_cb);
}

/**
 * turnout_outbox_send_email_async:
 * @sender: an email sender
 * @contact_id: the contact the email is for, or 0 for a bare address
 * @address: (nullable): the address; may be %NULL when @contact_id is
 *   given, for the contact's email
 * @email: the rendered email: @subject and @text or @html are required;
 *   @to is ignored (@address or the contact's is used), @to_name is
 *   taken from the contact when %NULL
 * @cancellable: (nullable): as for turnout_outbox_send_async()
 *
 * Sends one email once, logged in messages, with the same checks as a
 * text: refused, without writing or sending anything, when the address is
 * suppressed for email, the contact never opted in to email or opted out,
 * or (for a bare address) a contact with it opted out. Finish with
 * turnout_outbox_send_finish(). A mail server can't be asked afterwards
 * whether it took a message, so one whose answer was lost ends "unknown".
 */
void
turnout_outbox_send_email_async (TurnoutStore          *store,
                                 TurnoutSender         *sender,
                                 gint64                 contact_id,
                                 const char            *address,
                                 const TurnoutOutgoing *email,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *stripped = NULL;
  SendData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_SENDER (sender));
  g_return_if_fail (email != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_outbox_send_email_async);
  if (g_strcmp0 (turnout_sender_get_channel (sender), "email") != 0)
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("An email needs the mail server’s sender"));
      return;
    }
  if (address == NULL && contact_id <= 0)
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("Give an email address or a contact to send to"));
      return;
    }
  stripped = address != NULL ? g_strstrip (g_strdup (address)) : NULL;
  if (stripped != NULL
      && (*stripped == '\0' || strchr (stripped, '@') == NULL || strchr (stripped, ' ') != NULL
          || !g_utf8_validate (stripped, -1, NULL)))
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("“%s” is not an email address"), address);
      return;
    }
  if (email->subject == NULL || *email->subject == '\0')
    {
      g_task_return_new_error (task, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_INVALID,
                               _("The email has no subject"));
      return;
    }

  data = g_new0 (SendData, 1);
  data->sender = g_object_ref (sender);
  data->contact_id = contact_id;
  /* Contacts' addresses are kept in lower case, and so are suppressions. */
  data->address = stripped != NULL ? g_utf8_strdown (stripped, -1) : NULL;
  data->email = TRUE;
  data->text = g_strdup (email->text != NULL ? email->text : "");
  data->subject = g_strdup (email->subject);
  data->html = g_strdup (email->html);
  data->preheader = g_strdup (email->preheader);
  data->to_name = g_strdup (email->to_name);
  data->now = now ();
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  run_step (task, claim_worker, cancellable, on_claimed_cb);
}

/**
 * turnout_outbox_send_finish:
 *
 * Returns: (transfer full): where the message ended (its state says
 *   whether it was sent), or %NULL with @error set: a
 *   #TurnoutOutboxError when it was refused before anything was written,
 *   %G_IO_ERROR_CANCELLED, or a store error
 */
TurnoutOutboxResult *
turnout_outbox_send_finish (TurnoutStore  *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_outbox_send_async
                        || g_task_get_source_tag (G_TASK (result))
                           == turnout_outbox_send_email_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reconciling ----------------------------------------------------------------- */

typedef struct
{
  gint64  message_id;
  char   *address;
  char   *text;
  gint64  claimed_at;
} Stale;

static void
stale_free (Stale *stale)
{
  g_free (stale->address);
  g_free (stale->text);
  g_free (stale);
}

typedef struct
{
  TurnoutSender *sender;
  gint64         now;
  GPtrArray     *stale;     /* Stale */
  guint          next;
  guint          settled;
  Outcome        outcome;
} ReconcileData;

static void
reconcile_data_free (ReconcileData *data)
{
  g_clear_object (&data->sender);
  g_clear_pointer (&data->stale, g_ptr_array_unref);
  outcome_clear (&data->outcome);
  g_free (data);
}

static void
find_stale_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ReconcileData *data = task_data;
  GError *error = NULL;
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db,
    "SELECT id, address, body, coalesce (claimed_at, created_at) FROM messages"
    " WHERE state IN ('sending', 'unknown') AND campaign_id IS NULL AND automation_id IS NULL"
    "   AND channel = 'sms' AND body IS NOT NULL AND length (address) > 0"
    "   AND coalesce (claimed_at, created_at) < ?1"
    " ORDER BY id LIMIT ?2", &error);
  int rc;

  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, data->now - STALE_AFTER);
  sqlite3_bind_int (stmt, 2, RECONCILE_BATCH);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Stale *stale = g_new0 (Stale, 1);

      stale->message_id = sqlite3_column_int64 (stmt, 0);
      stale->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      stale->text = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      stale->claimed_at = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (data->stale, stale);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the messages to check"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void reconcile_next (GTask *task);

static void
on_reconciled_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ReconcileData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data->settled++;
  data->next++;
  reconcile_next (g_steal_pointer (&task));
}

static void
reconcile_record_worker (GTask        *task,
                         sqlite3      *db,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  ReconcileData *data = task_data;
  GError *error = NULL;

  if (record_outcome (db, &data->outcome, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_stale_found_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ReconcileData *data = g_task_get_task_data (task);
  Stale *stale = g_ptr_array_index (data->stale, data->next);
  GError *error = NULL;
  g_autofree char *provider_id = turnout_sender_find_sent_finish (TURNOUT_SENDER (object), result,
                                                                  &error);
  TurnoutStore *store = g_task_get_source_object (task);
  g_autoptr(GTask) step = NULL;

  if (error != NULL)
    {
      /* The rest would fail the same way; they stay as they are. */
      g_task_return_error (task, error);
      return;
    }
  outcome_clear (&data->outcome);
  data->outcome.message_id = stale->message_id;
  data->outcome.now = now ();
  if (provider_id != NULL)
    {
      data->outcome.state = g_strdup ("sent");
      data->outcome.provider_id = g_steal_pointer (&provider_id);
    }
  else
    {
      data->outcome.state = g_strdup ("failed");
      data->outcome.text = g_strdup (_("Turnout stopped before the answer to the request came, "
                                       "and the provider has no such message: it was not sent. "
                                       "Send it again if it is still needed."));
    }
  step = g_task_new (store, NULL, on_reconciled_cb, g_steal_pointer (&task));
  g_task_set_task_data (step, data, NULL);
  turnout_store_run_in_thread (store, step, reconcile_record_worker);
}

static void
reconcile_next (GTask *task)
{
  ReconcileData *data = g_task_get_task_data (task);
  Stale *stale;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (data->next >= data->stale->len)
    {
      g_task_return_int (task, data->settled);
      g_object_unref (task);
      return;
    }
  stale = g_ptr_array_index (data->stale, data->next);
  turnout_sender_find_sent_async (data->sender, stale->address,
                                  stale->claimed_at - RECONCILE_SLACK, stale->text,
                                  g_task_get_cancellable (task), on_stale_found_cb, task);
}

static void
on_stale_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  reconcile_next (g_steal_pointer (&task));
}

/**
 * turnout_outbox_reconcile_async:
 * @sender: the SMS sender to ask
 *
 * Settles the one-off texts whose fate is not known: left "sending" by a
 * Turnout that stopped between the request and its answer, or "unknown"
 * because the provider could not be asked then. Only rows claimed more
 * than ten minutes ago are taken (no request for them can still be out),
 * at most 100 per call. Each found at the provider becomes "sent" with its
 * id; each not found "failed", for the user to send again.
 */
void
turnout_outbox_reconcile_async (TurnoutStore        *store,
                                TurnoutSender       *sender,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) step = NULL;
  ReconcileData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_SENDER (sender));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_outbox_reconcile_async);
  data = g_new0 (ReconcileData, 1);
  data->sender = g_object_ref (sender);
  data->now = now ();
  data->stale = g_ptr_array_new_with_free_func ((GDestroyNotify) stale_free);
  g_task_set_task_data (task, data, (GDestroyNotify) reconcile_data_free);
  if (g_strcmp0 (turnout_sender_get_channel (sender), "sms") != 0)
    {
      g_task_return_int (task, 0);
      return;
    }
  step = g_task_new (store, cancellable, on_stale_listed_cb, g_object_ref (task));
  g_task_set_task_data (step, data, NULL);
  turnout_store_run_in_thread (store, step, find_stale_worker);
}

/**
 * turnout_outbox_reconcile_finish:
 *
 * Returns: how many messages were settled; 0 with @error set when the
 *   store or the provider failed (what was settled before stays settled)
 */
guint
turnout_outbox_reconcile_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize settled;

  g_return_val_if_fail (g_task_is_valid (result, store), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_outbox_reconcile_async, 0);

  settled = g_task_propagate_int (G_TASK (result), error);
  return settled > 0 ? (guint) settled : 0;
}
