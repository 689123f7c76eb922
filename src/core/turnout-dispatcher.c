/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-dispatcher"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "turnout-campaigns.h"
#include "turnout-clock.h"
#include "turnout-delivery.h"
#include "turnout-dispatcher.h"
#include "turnout-phone.h"
#include "turnout-render.h"
#include "turnout-send-log.h"
#include "turnout-settings.h"
#include "turnout-sms.h"
#include "turnout-store.h"
#include "turnout-template.h"

/*
 * The dispatcher sends the queued messages of running campaigns, each once
 * and only once, through one channel's sender.
 *
 * Rows are claimed in a transaction before a request leaves: state
 * "sending", the attempt counted, the time kept. The outcome is written
 * after. If Turnout dies between the two, the row is still "sending"; the
 * next run marks it "unknown" and asks the provider whether it took the
 * message (a message to that address, with that text, since the claim):
 * found, it is sent; not found, it is queued again. An answer lost on the
 * way (a reset or a timeout after the request left) is the same case and is
 * reconciled the same way: nothing is re-sent blindly. A mail server
 * can't be asked: for email the lock file next to the database is also a
 * send log, naming each message just before its data goes out, so after a
 * crash a "sending" row it doesn't name is queued again, and only the ones
 * it names are left "unknown" for the user to settle.
 *
 * At claim time every row is checked again — suppression, consent, the
 * address still the contact's, quiet hours in the contact's time zone, the
 * frequency cap — and rendered from the campaign's frozen template. At
 * most `in_flight` requests are out at once, and never more than `rate`
 * leave in any one second. A transient error queues the row again after an
 * exponential back-off with jitter, up to a number of attempts; a
 * rate-limited answer pauses the whole channel; a fatal one (credentials,
 * sender) stops the campaigns and says why.
 *
 * Outcomes are written in batches, with the next claim when one is due,
 * and each write looks whether the campaigns of the rows claimed ahead
 * still run: a pause or a cancel stops those rows too.
 *
 * Database work runs on the store's workers; requests are asynchronous; so
 * the thread the dispatcher runs on never blocks.
 */

#define CLAIM_BATCH 64
#define WRITE_BATCH 32        /* outcomes written at once without waiting for more */
#define WRITE_WAIT_MS 10      /* … else how long they wait for more, while requests are out */
#define CLAIM_AHEAD 2         /* claim again when fewer than this × in_flight rows are ready */
#define RECONCILE_SLACK 120   /* seconds before the claim a provider's clock may differ by */

struct _TurnoutDispatcher
{
  GObject        parent_instance;

  TurnoutStore  *store;
  TurnoutSender *sender;
  char          *channel;

  double         rate;              /* messages a second, 0: no limit */
  guint          in_flight_max;
  gint64         retry_first;
  gint64         retry_cap;
  guint          attempts_max;
  int            quiet_start;       /* minutes after midnight, -1: no quiet hours */
  int            quiet_end;
  char          *default_zone;
  guint          cap_messages;      /* 0: no frequency cap */
  guint          cap_days;

  /* A run */
  GTask         *task;
  GCancellable  *cancellable;
  gint64         campaign_id;
  gboolean       wait_for_retries;
  GQueue         ready;             /* Claimed, to send */
  GPtrArray     *blocked_prefixes;  /* "+44": countries Twilio refuses (21408) */
  guint          in_flight;
  guint          recording;         /* outcomes not written yet */
  GPtrArray     *to_record;         /* RecordData: waiting for the write running */
  gboolean       writing;
  guint64        recorded;          /* outcomes written so far */
  guint64        recorded_at_claim; /* … when the claim in flight started */
  gboolean       claiming;
  gboolean       exhausted;         /* the last claim found nothing due */
  gint64         next_due;          /* when the next row waiting is due, 0: none */
  GArray        *sent_at;           /* monotonic µs of the last answers, for the rate */
  gint64         channel_wait_until;/* monotonic µs: rate-limited */
  guint          timer_id;
  guint          write_timer_id;    /* outcomes wait for more to write together */
  GError        *fatal;
  guint64        sent;
  guint64        unknown_recorded;  /* answers lost during this run */
  guint64        unknown_asked;     /* … of which reconciliation has started */
  gboolean       reconciling;       /* asking the provider about unknown rows */
  int            lock_fd;           /* held while running: one sender per file and channel */
  TurnoutSendLog *send_log;         /* the lock file, noting the emails that left (not SMS) */
  gboolean       can_find_sent;     /* the provider can say what it accepted (not SMTP) */
};

G_DEFINE_FINAL_TYPE (TurnoutDispatcher, turnout_dispatcher, G_TYPE_OBJECT)

typedef struct
{
  gint64  message_id;
  gint64  campaign_id;
  char   *to;
  char   *text;
  char  **media;
  char   *to_name;    /* email only, like the three below */
  char   *subject;
  char   *html;
  char   *preheader;
  gint64  claimed_at;
  int     attempts;
} Claimed;

static void
claimed_free (gpointer data)
{
  Claimed *claimed = data;

  /* Arrays hand their rows on by leaving NULL behind. */
  if (claimed == NULL)
    return;
  g_free (claimed->to);
  g_free (claimed->text);
  g_strfreev (claimed->media);
  g_free (claimed->to_name);
  g_free (claimed->subject);
  g_free (claimed->html);
  g_free (claimed->preheader);
  g_free (claimed);
}

static gint64
now (void)
{
  return turnout_clock_get_unix (turnout_clock_get_default ());
}

static void pump          (TurnoutDispatcher *self);
static void recover       (TurnoutDispatcher *self,
                           gboolean           during_run);
static void release_ready (TurnoutDispatcher *self);
static void release       (TurnoutDispatcher *self,
                           Claimed           *claimed);
static void write_records (TurnoutDispatcher *self);
static void record_data_free (gpointer data);

/* Settings --------------------------------------------------------------- */

static void
turnout_dispatcher_finalize (GObject *object)
{
  TurnoutDispatcher *self = TURNOUT_DISPATCHER (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->write_timer_id, g_source_remove);
  g_queue_clear_full (&self->ready, claimed_free);
  g_clear_pointer (&self->blocked_prefixes, g_ptr_array_unref);
  g_clear_pointer (&self->sent_at, g_array_unref);
  g_clear_pointer (&self->to_record, g_ptr_array_unref);
  g_clear_error (&self->fatal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->sender);
  g_clear_pointer (&self->send_log, turnout_send_log_unref);
  g_free (self->channel);
  g_free (self->default_zone);

  G_OBJECT_CLASS (turnout_dispatcher_parent_class)->finalize (object);
}

static void
turnout_dispatcher_class_init (TurnoutDispatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = turnout_dispatcher_finalize;
}

static void
turnout_dispatcher_init (TurnoutDispatcher *self)
{
  self->rate = 1;
  self->in_flight_max = 4;
  self->retry_first = 30;
  self->retry_cap = 3600;
  self->attempts_max = 6;
  self->quiet_start = -1;
  self->quiet_end = -1;
  g_queue_init (&self->ready);
  self->blocked_prefixes = g_ptr_array_new_with_free_func (g_free);
  self->sent_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->to_record = g_ptr_array_new_with_free_func (record_data_free);
  self->lock_fd = -1;
}

/**
 * turnout_dispatcher_new:
 * @sender: the channel's sender
 *
 * Returns: (transfer full): a dispatcher for the channel of @sender. The
 *   defaults are Twilio's long-code pace: 1 a second, 4 in flight; retries
 *   after 30 s doubling up to an hour, 6 attempts; no quiet hours; no cap.
 */
TurnoutDispatcher *
turnout_dispatcher_new (TurnoutStore  *store,
                        TurnoutSender *sender)
{
  TurnoutDispatcher *self;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (TURNOUT_IS_SENDER (sender), NULL);

  self = g_object_new (TURNOUT_TYPE_DISPATCHER, NULL);
  self->store = g_object_ref (store);
  self->sender = g_object_ref (sender);
  self->channel = g_strdup (turnout_sender_get_channel (sender));
  self->can_find_sent = !g_str_equal (self->channel, "email");
  return self;
}

/**
 * turnout_dispatcher_set_limits:
 * @per_second: at most this many messages leave in any one second (0: no
 *   limit)
 * @in_flight: at most this many requests are out at once
 */
void
turnout_dispatcher_set_limits (TurnoutDispatcher *self,
                               double             per_second,
                               guint              in_flight)
{
  g_return_if_fail (TURNOUT_IS_DISPATCHER (self));

  self->rate = MAX (per_second, 0);
  self->in_flight_max = MAX (in_flight, 1);
}

/**
 * turnout_dispatcher_set_retry:
 * @first_seconds: the wait after the first transient failure, doubled after
 *   each next one
 * @cap_seconds: the longest wait
 * @attempts: how many times a message is tried before it fails
 */
void
turnout_dispatcher_set_retry (TurnoutDispatcher *self,
                              gint64             first_seconds,
                              gint64             cap_seconds,
                              guint              attempts)
{
  g_return_if_fail (TURNOUT_IS_DISPATCHER (self));

  self->retry_first = MAX (first_seconds, 0);
  self->retry_cap = MAX (cap_seconds, self->retry_first);
  self->attempts_max = MAX (attempts, 1);
}

/**
 * turnout_dispatcher_set_quiet_hours:
 * @hours: "21:00-08:00", or "off"
 * @default_zone: (nullable): the time zone of contacts without one
 *
 * Messages due inside the quiet hours of their recipient's time zone wait
 * for them to end.
 */
gboolean
turnout_dispatcher_set_quiet_hours (TurnoutDispatcher  *self,
                                    const char         *hours,
                                    const char         *default_zone,
                                    GError            **error)
{
  int start, end;

  g_return_val_if_fail (TURNOUT_IS_DISPATCHER (self), FALSE);

  g_free (self->default_zone);
  self->default_zone = g_strdup (default_zone != NULL && *default_zone != '\0' ? default_zone
                                                                               : NULL);
  if (!turnout_quiet_hours_parse (hours, &start, &end, error))
    return FALSE;
  self->quiet_start = start;
  self->quiet_end = end;
  return TRUE;
}

/**
 * turnout_dispatcher_set_frequency_cap:
 * @messages: at most this many messages to one contact (0: no cap)
 * @days: in any this many days, across all campaigns and automations
 */
void
turnout_dispatcher_set_frequency_cap (TurnoutDispatcher *self,
                                      guint              messages,
                                      guint              days)
{
  g_return_if_fail (TURNOUT_IS_DISPATCHER (self));

  self->cap_messages = messages;
  self->cap_days = MAX (days, 1);
}

guint64
turnout_dispatcher_get_sent (TurnoutDispatcher *self)
{
  g_return_val_if_fail (TURNOUT_IS_DISPATCHER (self), 0);

  return self->sent;
}

/* Claiming (on a worker) ------------------------------------------------- */

typedef struct
{
  /* in */
  char      *channel;
  gint64     campaign_id;
  gint64     now;
  guint      limit;
  int        quiet_start;
  int        quiet_end;
  char      *default_zone;
  guint      cap_messages;
  guint      cap_days;
  char     **blocked_prefixes;
  GHashTable *zones;             /* zone id ("" for none) → GTimeZone */
  GPtrArray *records;            /* RecordData: outcomes written first, in the same transaction */
  GArray    *waiting;            /* gint64: the campaigns of the rows claimed and not sent yet */
  gboolean   write_only;         /* write the outcomes and look at @waiting; claim nothing */
  /* out */
  GArray    *halted;             /* gint64: … of those, the ones no longer running */
  GPtrArray *claimed;
  gint64     next_due;
} ClaimData;

static void
claim_data_free (gpointer data)
{
  ClaimData *claim = data;

  g_free (claim->channel);
  g_free (claim->default_zone);
  g_strfreev (claim->blocked_prefixes);
  g_clear_pointer (&claim->zones, g_hash_table_unref);
  g_clear_pointer (&claim->records, g_ptr_array_unref);
  g_clear_pointer (&claim->waiting, g_array_unref);
  g_clear_pointer (&claim->halted, g_array_unref);
  g_clear_pointer (&claim->claimed, g_ptr_array_unref);
  g_free (claim);
}

/* When the quiet hours around @at end, in @zone; 0 when @at is not in them. */
static gint64
quiet_until (ClaimData  *claim,
             const char *zone_id,
             gint64      at)
{
  const char *key = zone_id != NULL ? zone_id : "";
  GTimeZone *zone;

  if (claim->quiet_start < 0)
    return 0;
  /* Zones are few and parsing one is not cheap (GLib reads the zone's file
   * again for each new one): each once per claim, as the preflight does. */
  if ((zone = g_hash_table_lookup (claim->zones, key)) == NULL)
    {
      zone = turnout_recipient_time_zone (zone_id, claim->default_zone);
      g_hash_table_insert (claim->zones, g_strdup (key), zone);
    }
  return turnout_quiet_hours_end (claim->quiet_start, claim->quiet_end, zone, at);
}

typedef struct
{
  TurnoutTemplateRenderer *renderer;
  TurnoutRecipientReader  *reader;
  gboolean                 mms;
  char                   **media;
} CampaignCache;

static void
campaign_cache_free (gpointer data)
{
  CampaignCache *cache = data;

  g_clear_pointer (&cache->renderer, turnout_template_renderer_free);
  g_clear_pointer (&cache->reader, turnout_recipient_reader_free);
  g_strfreev (cache->media);
  g_free (cache);
}

static CampaignCache *
campaign_cache_new (sqlite3     *db,
                    const char  *snapshot,
                    gint64       event_id,
                    gint64       at,
                    GError     **error)
{
  g_autoptr(TurnoutTemplate) template = turnout_template_new_from_json (snapshot, error);
  CampaignCache *cache;

  if (template == NULL)
    return NULL;
  cache = g_new0 (CampaignCache, 1);
  cache->renderer = turnout_template_renderer_new (template, error);
  cache->reader = cache->renderer != NULL ? turnout_recipient_reader_new (db, event_id, at, error)
                                          : NULL;
  if (cache->reader == NULL)
    {
      campaign_cache_free (cache);
      return NULL;
    }
  cache->media = g_strdupv ((char **) turnout_template_get_media_urls (template));
  return cache;
}

static gboolean
exec_update (sqlite3     *db,
             const char  *sql,
             gint64       id,
             const char  *text1,
             const char  *text2,
             gint64       number,
             GError     **error)
{
  g_autoptr(TurnoutDbCached) stmt = turnout_db_prepare_cached (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, text1, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, text2, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, number);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not update the message"));
  return TRUE;
}

/* Ends a message before sending: skipped or suppressed, with the reason. */
static gboolean
set_outcome (sqlite3     *db,
             gint64       id,
             const char  *state,
             const char  *code,
             const char  *text,
             gint64       at,
             GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE messages SET state = '%s', error_code = ?2,"
                                          " error_text = ?3, updated_at = ?4 WHERE id = ?1",
                                          state);

  return exec_update (db, sql, id, code, text, at, error);
}

static gint64
count_recent (sqlite3 *db,
              gint64   contact_id,
              gint64   since)
{
  g_autoptr(TurnoutDbCached) stmt = turnout_db_prepare_count_recent (db, NULL);

  if (stmt == NULL)
    return 0;
  return turnout_count_recent_messages (stmt, contact_id, since);
}

/* Ends the running campaigns that have nothing left to send. */
static gboolean
complete_campaigns (sqlite3     *db,
                    const char  *channel,
                    gint64       at,
                    GError     **error)
{
  g_autoptr(TurnoutDbCached) stmt = turnout_db_prepare_cached (db,
    "UPDATE campaigns SET state = 'completed', finished_at = ?2, updated_at = ?2"
    " WHERE state = 'running' AND channel = ?1 AND NOT EXISTS (SELECT 1 FROM messages m"
    "   WHERE m.campaign_id = campaigns.id AND (m.state IN ('queued', 'sending')"
    /* A mail server can't be asked what it accepted, so an email whose
     * answer was lost stays unknown for good: the campaign ends, and shows
     * those rows for the user to decide, instead of looking stuck. */
    "     OR (m.state = 'unknown' AND ?1 <> 'email')))",
    error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, at);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not update the campaigns"));
  return TRUE;
}

/* What {unsubscribe} says on the channel, from the settings. */
static char *
dup_unsubscribe (sqlite3    *db,
                 const char *channel)
{
  g_autofree char *url = NULL;
  g_autofree char *mailto = NULL;

  if (!g_str_equal (channel, "email"))
    return turnout_sms_unsubscribe_text ();
  url = turnout_db_dup_setting (db, "email.unsubscribe_url");
  mailto = turnout_db_dup_setting (db, "email.unsubscribe_mailto");
  return turnout_email_unsubscribe_text (url, mailto);
}

/* Recording (on a worker) ------------------------------------------------ */

typedef struct
{
  Claimed           *claimed;
  TurnoutSendResult *result;
  char              *channel;
  gint64             now;
  gint64             retry_at;     /* queued again until then, 0: none */
  gboolean           give_up;      /* transient, and out of attempts */
  gboolean           release;      /* claimed but never sent: queued again as it was */
} RecordData;

static void
record_data_free (gpointer data)
{
  RecordData *record = data;

  claimed_free (record->claimed);
  turnout_send_result_free (record->result);
  g_free (record->channel);
  g_free (record);
}

/* Writes one outcome, in the caller's transaction. */
static gboolean
record_one (sqlite3       *db,
            RecordData    *record,
            GError       **error)
{
  TurnoutSendResult *result = record->result;
  gint64 id = record->claimed->message_id;
  g_autoptr(TurnoutDbCached) stmt = NULL;
  int rc;

  if (record->release)
    {
      /* Queued again; or skipped, like the rows that were waiting, when
       * its campaign was cancelled meanwhile. */
      stmt = turnout_db_prepare_cached (db, "UPDATE messages SET"
        " state = CASE WHEN c.state = 'cancelled' THEN 'skipped' ELSE 'queued' END,"
        " attempts = max (attempts - 1, 0), claimed_at = NULL, next_attempt_at = NULL,"
        " error_code = CASE WHEN c.state = 'cancelled' THEN 'cancelled' END,"
        " error_text = CASE WHEN c.state = 'cancelled' THEN ?2 END, updated_at = ?3"
        " FROM (SELECT state FROM campaigns WHERE id = ?4) AS c"
        " WHERE messages.id = ?1 AND messages.state IN ('sending', 'unknown')", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, _("the campaign was cancelled"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, record->now);
      sqlite3_bind_int64 (stmt, 4, record->claimed->campaign_id);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return turnout_db_set_error (error, db, rc, _("Could not update the message"));
      return TRUE;
    }
  switch (result->outcome)
    {
    case TURNOUT_SEND_OK:
      stmt = turnout_db_prepare_cached (db,
        "UPDATE messages SET state = 'sent', provider_id = ?2, sent_at = ?3, error_code = NULL,"
        " error_text = NULL, updated_at = ?3 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, result->provider_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, record->now);
      break;

    case TURNOUT_SEND_TRANSIENT:
    case TURNOUT_SEND_RATE_LIMITED:
    case TURNOUT_SEND_FATAL:
      if (record->give_up)
        stmt = turnout_db_prepare_cached (db,
          "UPDATE messages SET state = 'failed', error_code = ?2, error_text = ?3,"
          " updated_at = ?4 WHERE id = ?1", error);
      else
        /* Not the recipient's fault when the provider is busy or the
         * account is wrong: the attempt doesn't count. */
        stmt = turnout_db_prepare_cached (db,
          "UPDATE messages SET state = 'queued', attempts = attempts - ?5,"
          " next_attempt_at = nullif (?6, 0), error_code = ?2, error_text = ?3, updated_at = ?4"
          " WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, result->error_code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, result->message, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, record->now);
      if (!record->give_up)
        {
          sqlite3_bind_int (stmt, 5, result->outcome == TURNOUT_SEND_TRANSIENT ? 0 : 1);
          sqlite3_bind_int64 (stmt, 6, record->retry_at);
        }
      break;

    case TURNOUT_SEND_PERMANENT:
    case TURNOUT_SEND_STOP_COUNTRY:
      stmt = turnout_db_prepare_cached (db,
        "UPDATE messages SET state = ?5, error_code = ?2, error_text = ?3, updated_at = ?4"
        " WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, result->error_code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, result->message, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, record->now);
      sqlite3_bind_text (stmt, 5, result->outcome == TURNOUT_SEND_PERMANENT ? "failed" : "skipped",
                         -1, SQLITE_STATIC);
      break;

    case TURNOUT_SEND_SUPPRESS:
      /* The provider knows the recipient opted out: honour it everywhere. */
      if (!exec_update (db, "INSERT INTO suppressions (channel, address, reason, source,"
                            " created_at) VALUES (?2, ?3, 'opted_out', 'provider', ?4)"
                            " ON CONFLICT (channel, address) DO NOTHING",
                        0, record->channel, record->claimed->to, record->now, error))
        goto fail;
      if (!exec_update (db, g_str_equal (record->channel, "email")
                            ? "UPDATE contacts SET email_consent = 'opted_out', email_consent_at = ?4,"
                              " email_consent_source = ?2, updated_at = ?4"
                              " WHERE email = ?3 AND email_consent <> 'opted_out' AND ?1 = 0"
                            : "UPDATE contacts SET sms_consent = 'opted_out', sms_consent_at = ?4,"
                              " sms_consent_source = ?2, updated_at = ?4"
                              " WHERE phone = ?3 AND sms_consent <> 'opted_out' AND ?1 = 0",
                        0, "provider", record->claimed->to, record->now, error))
        goto fail;
      stmt = turnout_db_prepare_cached (db,
        "UPDATE messages SET state = 'suppressed', error_code = ?2, error_text = ?3,"
        " updated_at = ?4 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, result->error_code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, result->message, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, record->now);
      break;

    case TURNOUT_SEND_UNKNOWN:
    default:
      stmt = turnout_db_prepare_cached (db,
        "UPDATE messages SET state = 'unknown', error_code = ?2, error_text = ?3,"
        " updated_at = ?4 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, result->error_code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, result->message, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, record->now);
      break;
    }
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not record what happened to the message"));
      goto fail;
    }
  g_clear_pointer (&stmt, turnout_db_cached_release);
  if (result->outcome == TURNOUT_SEND_FATAL
      && !exec_update (db, "UPDATE campaigns SET state = 'stopped', state_reason = ?2,"
                           " updated_at = ?4 WHERE state = 'running' AND channel = ?3"
                           " AND (?1 = 0 OR id = ?1)",
                       0, result->message, record->channel, record->now, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, turnout_db_cached_release);
  return FALSE;
}

static gboolean
claim_on_db (sqlite3    *db,
             ClaimData  *claim,
             GError    **error)
{
  g_autoptr(TurnoutDbCached) due = NULL;
  g_autoptr(TurnoutDbCached) take = NULL;
  g_autoptr(TurnoutDbCached) later = NULL;
  g_autoptr(GHashTable) caches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        campaign_cache_free);
  g_autofree char *sender_name = NULL;
  g_autofree char *unsubscribe = NULL;
  gboolean email = g_str_equal (claim->channel, "email");
  int rc;

  if (!turnout_db_begin (db, error))
    return FALSE;
  /* The outcomes that came in since the last write: one commit for both. */
  for (guint i = 0; i < claim->records->len; i++)
    if (!record_one (db, g_ptr_array_index (claim->records, i), error))
      goto fail;
  /* Rows claimed ahead wait for their turn; a campaign paused or
   * cancelled since sends none of them. */
  for (guint i = 0; i < claim->waiting->len; i++)
    {
      g_autoptr(TurnoutDbCached) state = turnout_db_prepare_cached (db,
        "SELECT state = 'running' FROM campaigns WHERE id = ?1", error);
      gint64 campaign_id = g_array_index (claim->waiting, gint64, i);

      if (state == NULL)
        goto fail;
      sqlite3_bind_int64 (state, 1, campaign_id);
      rc = sqlite3_step (state);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not read the campaigns"));
          goto fail;
        }
      if (rc == SQLITE_DONE || sqlite3_column_int (state, 0) == 0)
        g_array_append_val (claim->halted, campaign_id);
    }
  if (claim->write_only)
    return turnout_db_commit (db, error);
  /* The same for every row: read once, not once a row. */
  sender_name = turnout_db_dup_setting (db, "general.sender_name");
  unsubscribe = dup_unsubscribe (db, claim->channel);
  if (!complete_campaigns (db, claim->channel, claim->now, error))
    goto fail;
  due = turnout_db_prepare_cached (db,
    "SELECT m.id, m.campaign_id, m.contact_id, m.address, m.attempts, c.template_snapshot,"
    " coalesce (c.event_id, 0)"
    " FROM messages m JOIN campaigns c ON c.id = m.campaign_id"
    " WHERE m.state = 'queued' AND c.state = 'running' AND m.channel = ?1"
    "   AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?2)"
    "   AND (?3 = 0 OR m.campaign_id = ?3)"
    /* NULLs sort first, so new rows still come before retries, in the
     * order of messages_due (state, next_attempt_at, rowid): the claim reads
     * LIMIT rows instead of sorting every queued row each time. */
    " ORDER BY m.next_attempt_at, m.id LIMIT ?4", error);
  take = turnout_db_prepare_cached (db,
    "UPDATE messages SET state = 'sending', attempts = attempts + 1, claimed_at = ?2,"
    " segments = ?3, body = ?4, updated_at = ?2 WHERE id = ?1 AND state = 'queued'", error);
  later = turnout_db_prepare_cached (db, "UPDATE messages SET next_attempt_at = ?2,"
                                         " error_code = ?3, error_text = ?4, updated_at = ?5"
                                         " WHERE id = ?1", error);
  if (due == NULL || take == NULL || later == NULL)
    goto fail;
  sqlite3_bind_text (due, 1, claim->channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (due, 2, claim->now);
  sqlite3_bind_int64 (due, 3, claim->campaign_id);
  sqlite3_bind_int (due, 4, claim->limit);

  while ((rc = sqlite3_step (due)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (due, 0);
      gint64 campaign_id = sqlite3_column_int64 (due, 1);
      gint64 contact_id = sqlite3_column_int64 (due, 2);
      const char *address = (const char *) sqlite3_column_text (due, 3);
      CampaignCache *cache = g_hash_table_lookup (caches, &campaign_id);
      g_autoptr(TurnoutRecipient) recipient = NULL;
      g_autoptr(TurnoutRendered) rendered = NULL;
      g_autoptr(GError) local_error = NULL;
      TurnoutMergeValues values = { 0 };
      TurnoutExclusion exclusion;
      const char *current;
      gint64 wait_until;
      Claimed *claimed;
      gboolean blocked = FALSE;

      if (cache == NULL)
        {
          cache = campaign_cache_new (db, (const char *) sqlite3_column_text (due, 5),
                                      sqlite3_column_int64 (due, 6), claim->now, error);
          if (cache == NULL)
            goto fail;
          g_hash_table_insert (caches, g_memdup2 (&campaign_id, sizeof campaign_id), cache);
        }
      recipient = turnout_recipient_reader_read (cache->reader, contact_id, &local_error);
      if (recipient == NULL)
        {
          if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto fail;
            }
          if (!set_outcome (db, id, "skipped", "erased", _("the contact was erased"), claim->now,
                            error))
            goto fail;
          continue;
        }

      /* Checked again now: the contact may have opted out since launch. */
      exclusion = turnout_recipient_exclusion (recipient, claim->channel);
      current = g_str_equal (claim->channel, "email") ? recipient->email : recipient->phone;
      if (exclusion != TURNOUT_EXCLUSION_NONE)
        {
          if (!set_outcome (db, id,
                            exclusion == TURNOUT_EXCLUSION_SUPPRESSED ? "suppressed" : "skipped",
                            exclusion == TURNOUT_EXCLUSION_SUPPRESSED ? "suppressed"
                            : exclusion == TURNOUT_EXCLUSION_OPTED_OUT ? "opted_out"
                            : exclusion == TURNOUT_EXCLUSION_NO_CONSENT ? "no_consent"
                            : "no_address",
                            turnout_exclusion_describe (exclusion), claim->now, error))
            goto fail;
          continue;
        }
      if (g_strcmp0 (current, address) != 0)
        {
          if (!set_outcome (db, id, "skipped", "address_changed",
                            _("the contact’s address changed after the campaign started"),
                            claim->now, error))
            goto fail;
          continue;
        }
      for (guint i = 0; claim->blocked_prefixes != NULL && claim->blocked_prefixes[i] != NULL; i++)
        blocked |= g_str_has_prefix (address, claim->blocked_prefixes[i]);
      if (blocked)
        {
          if (!set_outcome (db, id, "skipped", "country_blocked",
                            _("Twilio doesn’t send to this country for the account (21408)"),
                            claim->now, error))
            goto fail;
          continue;
        }
      if (claim->cap_messages > 0
          && count_recent (db, contact_id, claim->now - (gint64) claim->cap_days * 86400)
             >= claim->cap_messages)
        {
          g_autofree char *why = g_strdup_printf (_("over the frequency cap of %u messages in %u "
                                                    "days"), claim->cap_messages, claim->cap_days);

          if (!set_outcome (db, id, "skipped", "frequency_cap", why, claim->now, error))
            goto fail;
          continue;
        }
      if ((wait_until = quiet_until (claim, recipient->time_zone, claim->now)) > 0)
        {
          sqlite3_reset (later);
          sqlite3_bind_int64 (later, 1, id);
          sqlite3_bind_int64 (later, 2, wait_until);
          sqlite3_bind_text (later, 3, "quiet_hours", -1, SQLITE_STATIC);
          sqlite3_bind_text (later, 4, _("waiting for the quiet hours to end"), -1,
                             SQLITE_TRANSIENT);
          sqlite3_bind_int64 (later, 5, claim->now);
          if ((rc = sqlite3_step (later)) != SQLITE_DONE)
            {
              turnout_db_set_error (error, db, rc, _("Could not update the message"));
              goto fail;
            }
          continue;
        }

      turnout_recipient_get_values (recipient, &values);
      values.sender_name = sender_name;
      values.unsubscribe = unsubscribe;
      rendered = turnout_template_renderer_render (cache->renderer, &values);
      sqlite3_reset (take);
      sqlite3_bind_int64 (take, 1, id);
      sqlite3_bind_int64 (take, 2, claim->now);
      if (email)
        /* Segments are what an SMS costs; an email has none. */
        sqlite3_bind_null (take, 3);
      else
        {
          g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (rendered->text);

          sqlite3_bind_int (take, 3, info->segments);
        }
      {
        /* Kept with the row: what was sent, and what a reconciliation
         * after a crash looks for at the provider, word for word, even if
         * the contact's name changes meanwhile. */
        sqlite3_bind_text (take, 4, rendered->text, -1, SQLITE_TRANSIENT);
      }
      if ((rc = sqlite3_step (take)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not claim the message"));
          goto fail;
        }
      claimed = g_new0 (Claimed, 1);
      claimed->message_id = id;
      claimed->campaign_id = campaign_id;
      claimed->to = g_strdup (address);
      claimed->text = g_strdup (rendered->text);
      if (email)
        {
          /* Media are MMS pictures: an email carries its images in the HTML. */
          g_autofree char *name = g_strstrip (g_strdup_printf ("%s %s",
                                                               recipient->first_name != NULL
                                                               ? recipient->first_name : "",
                                                               recipient->last_name != NULL
                                                               ? recipient->last_name : ""));

          claimed->to_name = *name != '\0' ? g_steal_pointer (&name) : NULL;
          claimed->subject = g_strdup (rendered->subject);
          claimed->html = g_strdup (rendered->html);
          claimed->preheader = g_strdup (rendered->preheader);
        }
      else
        claimed->media = g_strdupv (cache->media);
      claimed->claimed_at = claim->now;
      claimed->attempts = sqlite3_column_int (due, 4) + 1;
      g_ptr_array_add (claim->claimed, claimed);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the messages to send"));
      goto fail;
    }
  g_clear_pointer (&due, turnout_db_cached_release);
  g_clear_pointer (&take, turnout_db_cached_release);
  g_clear_pointer (&later, turnout_db_cached_release);
  g_hash_table_remove_all (caches);

  /* When the next row waiting (a retry, the end of quiet hours) is due. */
  {
    g_autoptr(TurnoutDbCached) next = turnout_db_prepare_cached (db,
      "SELECT min (m.next_attempt_at) FROM messages m JOIN campaigns c ON c.id = m.campaign_id"
      " WHERE m.state = 'queued' AND c.state = 'running' AND m.channel = ?1"
      "   AND m.next_attempt_at > ?2 AND (?3 = 0 OR m.campaign_id = ?3)", error);

    if (next == NULL)
      goto fail;
    sqlite3_bind_text (next, 1, claim->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (next, 2, claim->now);
    sqlite3_bind_int64 (next, 3, claim->campaign_id);
    if (sqlite3_step (next) == SQLITE_ROW)
      claim->next_due = sqlite3_column_int64 (next, 0);
  }
  return turnout_db_commit (db, error);

fail:
  g_clear_pointer (&due, turnout_db_cached_release);
  g_clear_pointer (&take, turnout_db_cached_release);
  g_clear_pointer (&later, turnout_db_cached_release);
  g_hash_table_remove_all (caches);
  turnout_db_rollback (db);
  return FALSE;
}

static void
claim_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ClaimData *claim = task_data;
  GError *error = NULL;

  if (claim_on_db (db, claim, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Recovery (on a worker) -------------------------------------------------- */

typedef struct
{
  char      *channel;
  gint64     campaign_id;
  gint64     now;
  gboolean   during_run; /* only rows this run found unknown: none is "sending" by a dead run */
  TurnoutSendLog *log;  /* nullable: what the dead run noted as leaving */
  GPtrArray *unknown;   /* Claimed: to reconcile with the provider */
} RecoverData;

static void
recover_data_free (gpointer data)
{
  RecoverData *recover = data;

  g_free (recover->channel);
  g_clear_pointer (&recover->log, turnout_send_log_unref);
  g_clear_pointer (&recover->unknown, g_ptr_array_unref);
  g_free (recover);
}

static gboolean
recover_on_db (sqlite3      *db,
               RecoverData  *recover,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) caches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        campaign_cache_free);
  g_autoptr(GHashTable) left = NULL;
  gboolean restart_log = FALSE;
  int rc;

  if (recover->log != NULL && !turnout_send_log_read (recover->log, &left, error))
    return FALSE;
  if (!turnout_db_begin (db, error))
    return FALSE;
  /* Left "sending" by a run that died. A row its log doesn't name never
   * started to leave: it is queued again as it was. Any other may have
   * left, and is unknown. (Only campaigns' rows: one-off sends settle
   * their own.) */
  if (left != NULL)
    {
      g_autoptr(TurnoutDbCached) sending = turnout_db_prepare_cached (db,
        "SELECT id FROM messages WHERE state = 'sending' AND channel = ?1"
        " AND campaign_id IS NOT NULL AND (?2 = 0 OR campaign_id = ?2)", error);

      if (sending == NULL)
        goto fail;
      sqlite3_bind_text (sending, 1, recover->channel, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (sending, 2, recover->campaign_id);
      while ((rc = sqlite3_step (sending)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (sending, 0);

          if (!g_hash_table_contains (left, &id)
              && !exec_update (db, "UPDATE messages SET state = 'queued',"
                                   " attempts = max (attempts - 1, 0), claimed_at = NULL,"
                                   " next_attempt_at = NULL, updated_at = ?4"
                                   " WHERE id = ?1 AND ?2 IS NULL AND ?3 IS NULL",
                               id, NULL, NULL, recover->now, error))
            goto fail;
        }
      if (rc != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not read the messages"));
          goto fail;
        }
    }
  if (!recover->during_run
      && !exec_update (db, "UPDATE messages SET state = 'unknown', updated_at = ?4"
                        " WHERE state = 'sending' AND channel = ?2 AND campaign_id IS NOT NULL"
                        " AND (?1 = 0 OR campaign_id = ?1) AND ?3 IS NULL",
                    recover->campaign_id, recover->channel, NULL, recover->now, error))
    goto fail;
  /* The log starts again empty only when no campaign's row of the channel
   * is "sending" any more (another campaign's, left by a run of that one
   * only, still needs what it says). */
  if (recover->log != NULL)
    {
      g_autoptr(TurnoutDbCached) any = turnout_db_prepare_cached (db,
        "SELECT NOT EXISTS (SELECT 1 FROM messages WHERE state = 'sending' AND channel = ?1"
        " AND campaign_id IS NOT NULL)", error);

      if (any == NULL)
        goto fail;
      sqlite3_bind_text (any, 1, recover->channel, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (any)) != SQLITE_ROW)
        {
          turnout_db_set_error (error, db, rc, _("Could not read the messages"));
          goto fail;
        }
      restart_log = sqlite3_column_int (any, 0) != 0;
    }
  stmt = turnout_db_prepare (db,
    "SELECT m.id, m.campaign_id, m.contact_id, m.address, coalesce (m.claimed_at, 0),"
    " m.attempts, c.template_snapshot, coalesce (c.event_id, 0), m.body"
    " FROM messages m JOIN campaigns c ON c.id = m.campaign_id"
    " WHERE m.state = 'unknown' AND m.channel = ?1 AND (?2 = 0 OR m.campaign_id = ?2)"
    " ORDER BY m.id", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, recover->channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, recover->campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 campaign_id = sqlite3_column_int64 (stmt, 1);
      CampaignCache *cache = g_hash_table_lookup (caches, &campaign_id);
      g_autoptr(TurnoutRecipient) recipient = NULL;
      g_autoptr(TurnoutRendered) rendered = NULL;
      g_autofree char *unsubscribe = dup_unsubscribe (db, recover->channel);
      TurnoutMergeValues values = { 0 };
      Claimed *claimed;

      if (cache == NULL)
        {
          cache = campaign_cache_new (db, (const char *) sqlite3_column_text (stmt, 6),
                                      sqlite3_column_int64 (stmt, 7), recover->now, error);
          if (cache == NULL)
            goto fail;
          g_hash_table_insert (caches, g_memdup2 (&campaign_id, sizeof campaign_id), cache);
        }
      claimed = g_new0 (Claimed, 1);
      claimed->message_id = sqlite3_column_int64 (stmt, 0);
      claimed->campaign_id = campaign_id;
      claimed->to = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      claimed->claimed_at = sqlite3_column_int64 (stmt, 4);
      claimed->attempts = sqlite3_column_int (stmt, 5);
      /* The text exactly as it left, kept at the claim. Rows claimed
       * before bodies were kept are rendered again from the frozen
       * template, as the claim did. */
      if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
        claimed->text = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      else if ((recipient = turnout_recipient_reader_read (cache->reader,
                                                           sqlite3_column_int64 (stmt, 2),
                                                           NULL)) != NULL)
        {
          g_autofree char *sender_name = turnout_db_dup_setting (db, "general.sender_name");

          turnout_recipient_get_values (recipient, &values);
          values.sender_name = sender_name;
          values.unsubscribe = unsubscribe;
          rendered = turnout_template_renderer_render (cache->renderer, &values);
          claimed->text = g_strdup (rendered->text);
        }
      g_ptr_array_add (recover->unknown, claimed);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the messages"));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_hash_table_remove_all (caches);
  if (!turnout_db_commit (db, error))
    return FALSE;
  if (restart_log)
    {
      g_autoptr(GError) local_error = NULL;

      /* Without its log the run still sends; a crash would leave its
       * rows unknown, as if there were none. */
      if (!turnout_send_log_restart (recover->log, &local_error))
        g_warning ("%s", local_error->message);
    }
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_hash_table_remove_all (caches);
  turnout_db_rollback (db);
  return FALSE;
}

static void
recover_worker (GTask        *task,
                sqlite3      *db,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (recover_on_db (db, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The run (on the caller's thread) ---------------------------------------- */

static void
finish_run (TurnoutDispatcher *self,
            GError            *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->lock_fd >= 0)
    {
      /* Closing drops the lock; so does dying. */
      close (self->lock_fd);
      self->lock_fd = -1;
    }
  g_clear_pointer (&self->send_log, turnout_send_log_unref);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error == NULL && self->fatal != NULL)
    error = g_error_copy (self->fatal);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
fail_run (TurnoutDispatcher *self,
          GError            *error)
{
  /* What is in flight is still recorded; nothing new leaves. */
  if (self->fatal == NULL)
    self->fatal = error;
  else
    g_error_free (error);
  release_ready (self);
  pump (self);
}

static gboolean
on_timer_cb (gpointer user_data)
{
  TurnoutDispatcher *self = user_data;

  self->timer_id = 0;
  self->exhausted = FALSE;
  pump (self);
  return G_SOURCE_REMOVE;
}

static void
wake_in (TurnoutDispatcher *self,
         gint64             microseconds)
{
  if (self->timer_id != 0)
    return;
  self->timer_id = g_timeout_add (MAX (1, (guint) ((microseconds + 999) / 1000)), on_timer_cb,
                                  self);
}

/* Rows claimed ahead whose campaign was paused or cancelled since: queued
 * again (or skipped) instead of sent. */
static void
release_halted (TurnoutDispatcher *self,
                GArray            *halted)
{
  GQueue keep = G_QUEUE_INIT;
  Claimed *claimed;

  if (halted->len == 0)
    return;
  while ((claimed = g_queue_pop_head (&self->ready)) != NULL)
    {
      gboolean stop = FALSE;

      for (guint i = 0; i < halted->len && !stop; i++)
        stop = g_array_index (halted, gint64, i) == claimed->campaign_id;
      if (stop)
        release (self, claimed);
      else
        g_queue_push_tail (&keep, claimed);
    }
  self->ready = keep;
}

static void
on_claimed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TurnoutDispatcher) self = user_data;
  ClaimData *claim = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->claiming = FALSE;
  self->recording -= claim->records->len;
  self->recorded += claim->records->len;
  self->recorded_at_claim += claim->records->len;
  /* Outcomes that came in during the claim are written now. */
  write_records (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail_run (self, error);
      return;
    }
  release_halted (self, claim->halted);
  /* Nothing due — unless an outcome was written meanwhile, which may have
   * queued a row again after the claim looked. */
  self->exhausted = claim->claimed->len == 0 && self->recorded == self->recorded_at_claim;
  for (guint i = 0; i < claim->claimed->len; i++)
    g_queue_push_tail (&self->ready, g_steal_pointer (&g_ptr_array_index (claim->claimed, i)));
  g_ptr_array_set_size (claim->claimed, 0);
  self->next_due = claim->next_due;
  pump (self);
}

/* What a claim and a write both carry: the outcomes waiting, and the
 * campaigns of the rows waiting to leave. */
static ClaimData *
sync_data_new (TurnoutDispatcher *self)
{
  ClaimData *data = g_new0 (ClaimData, 1);

  data->channel = g_strdup (self->channel);
  data->claimed = g_ptr_array_new_with_free_func (claimed_free);
  data->waiting = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->halted = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (GList *l = self->ready.head; l != NULL; l = l->next)
    {
      Claimed *claimed = l->data;
      gboolean seen = FALSE;

      for (guint i = 0; i < data->waiting->len && !seen; i++)
        seen = g_array_index (data->waiting, gint64, i) == claimed->campaign_id;
      if (!seen)
        g_array_append_val (data->waiting, claimed->campaign_id);
    }
  data->records = g_steal_pointer (&self->to_record);
  self->to_record = g_ptr_array_new_with_free_func (record_data_free);
  return data;
}

static void
claim (TurnoutDispatcher *self)
{
  /* Not the run's cancellable: the outcomes waiting ride along (one
   * transaction instead of two), and must be written even when the run is
   * stopped; the claim is short, and what it takes is released. */
  g_autoptr(GTask) task = g_task_new (self->store, NULL, on_claimed_cb, g_object_ref (self));
  ClaimData *data = sync_data_new (self);

  data->campaign_id = self->campaign_id;
  data->now = now ();
  data->limit = MAX (CLAIM_BATCH, self->in_flight_max * 4);
  data->quiet_start = self->quiet_start;
  data->quiet_end = self->quiet_end;
  data->default_zone = g_strdup (self->default_zone);
  data->cap_messages = self->cap_messages;
  data->cap_days = self->cap_days;
  g_ptr_array_add (self->blocked_prefixes, NULL);
  data->blocked_prefixes = g_strdupv ((char **) self->blocked_prefixes->pdata);
  g_ptr_array_remove_index (self->blocked_prefixes, self->blocked_prefixes->len - 1);
  data->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_time_zone_unref);
  self->claiming = TRUE;
  self->recorded_at_claim = self->recorded;
  g_task_set_task_data (task, data, claim_data_free);
  turnout_store_run_in_thread (self->store, task, claim_worker);
}

/* How long until one more message may leave under the rate, in µs; -1:
 * until a request in flight is answered.
 *
 * The rate must hold where it counts, at the provider, and a request
 * reaches it at some time between leaving and being answered: a new
 * connection's handshake can hold one back while the next rides a warm
 * connection. So a message counts against the window from when it left
 * until one period after its answer came back — then no window at the
 * provider can hold more than the rate. It costs the answer's latency per
 * window, never a breach. */
static gint64
rate_wait (TurnoutDispatcher *self,
           gint64             monotonic)
{
  gint64 period;
  guint window;

  if (self->channel_wait_until > monotonic)
    return self->channel_wait_until - monotonic;
  if (self->rate <= 0)
    return 0;
  /* Whole messages per second; a rate under 1 spaces them out. */
  window = MAX (1, (guint) self->rate);
  period = self->rate < 1 ? (gint64) (G_USEC_PER_SEC / self->rate) : G_USEC_PER_SEC;
  while (self->sent_at->len > 0 && g_array_index (self->sent_at, gint64, 0) + period <= monotonic)
    g_array_remove_index (self->sent_at, 0);
  if (self->sent_at->len + self->in_flight < window)
    return 0;
  if (self->sent_at->len == 0)
    return -1;
  return MAX (g_array_index (self->sent_at, gint64, 0) + period - monotonic, 1);
}

static gint64
backoff (TurnoutDispatcher *self,
         int                attempts)
{
  double seconds = (double) self->retry_first * (double) (1 << MIN (MAX (attempts - 1, 0), 20));

  seconds = MIN (seconds, (double) self->retry_cap);
  /* Jitter: between 80% and 120%, so retries of a burst spread out. */
  return (gint64) (seconds * g_random_double_range (0.8, 1.2));
}

static void send_one (TurnoutDispatcher *self,
                      Claimed           *claimed);

static void
on_recorded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TurnoutDispatcher) self = user_data;
  ClaimData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->writing = FALSE;
  self->recording -= data->records->len;
  self->recorded += data->records->len;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      write_records (self);
      fail_run (self, error);
      return;
    }
  release_halted (self, data->halted);
  /* A retry may be due at once: look again. A claim, if one is due, goes
   * first; the outcomes that came in meanwhile follow it. */
  self->exhausted = FALSE;
  pump (self);
  write_records (self);
}

static void start_write (TurnoutDispatcher *self);

static gboolean
on_write_timer_cb (gpointer user_data)
{
  TurnoutDispatcher *self = user_data;

  self->write_timer_id = 0;
  start_write (self);
  return G_SOURCE_REMOVE;
}

/* Writes the outcomes waiting now, unless a write or a claim runs: its
 * end starts the next. */
static void
start_write (TurnoutDispatcher *self)
{
  g_autoptr(GTask) task = NULL;
  ClaimData *data;

  g_clear_handle_id (&self->write_timer_id, g_source_remove);
  if (self->writing || self->claiming || self->to_record->len == 0)
    return;
  task = g_task_new (self->store, NULL, on_recorded_cb, g_object_ref (self));
  data = sync_data_new (self);
  /* Every write also looks whether the campaigns of the rows waiting to
   * leave still run, so a pause stops them at once. */
  data->write_only = TRUE;
  g_task_set_task_data (task, data, claim_data_free);
  self->writing = TRUE;
  turnout_store_run_in_thread (self->store, task, claim_worker);
}

/* Writes the outcomes waiting, soon. A commit costs more than the rows in
 * it: while answers keep coming, a few wait a moment for more. (A row
 * answered and not written yet is still "sending" in the file; for email
 * the send log names it.) */
static void
write_records (TurnoutDispatcher *self)
{
  if (self->to_record->len > 0 && self->to_record->len < WRITE_BATCH && self->in_flight > 0
      && self->fatal == NULL && !g_cancellable_is_cancelled (self->cancellable))
    {
      if (self->write_timer_id == 0)
        self->write_timer_id = g_timeout_add (WRITE_WAIT_MS, on_write_timer_cb, self);
      return;
    }
  start_write (self);
}

static void
record (TurnoutDispatcher *self,
        Claimed           *claimed,
        TurnoutSendResult *result)
{
  RecordData *data = g_new0 (RecordData, 1);

  data->claimed = claimed;
  data->result = result;
  data->channel = g_strdup (self->channel);
  data->now = now ();
  switch (result->outcome)
    {
    case TURNOUT_SEND_OK:
      self->sent++;
      break;
    case TURNOUT_SEND_TRANSIENT:
      data->give_up = claimed->attempts >= (int) self->attempts_max;
      data->retry_at = data->now + backoff (self, claimed->attempts);
      break;
    case TURNOUT_SEND_RATE_LIMITED:
      {
        gint64 wait = result->retry_after >= 0 ? result->retry_after
                                               : backoff (self, claimed->attempts);

        self->channel_wait_until = MAX (self->channel_wait_until,
                                        g_get_monotonic_time () + wait * G_USEC_PER_SEC);
        data->retry_at = data->now + wait;
      }
      break;
    case TURNOUT_SEND_STOP_COUNTRY:
      if (result->country != NULL)
        {
          int code = turnout_phone_country_code_for_region (result->country);

          if (code > 0)
            g_ptr_array_add (self->blocked_prefixes, g_strdup_printf ("+%d", code));
        }
      break;
    case TURNOUT_SEND_FATAL:
      if (self->fatal == NULL)
        self->fatal = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                           result->message != NULL ? result->message
                                                                   : _("The provider refused"));
      break;
    case TURNOUT_SEND_UNKNOWN:
      self->unknown_recorded++;
      break;
    case TURNOUT_SEND_PERMANENT:
    case TURNOUT_SEND_SUPPRESS:
    default:
      break;
    }
  self->recording++;
  g_ptr_array_add (self->to_record, data);
  write_records (self);
}

/* A row claimed and never sent (the run stopped first, or the provider
 * never got it): queued again as it was. */
static void
release (TurnoutDispatcher *self,
         Claimed           *claimed)
{
  RecordData *data = g_new0 (RecordData, 1);

  data->claimed = claimed;
  data->result = g_new0 (TurnoutSendResult, 1);
  data->result->outcome = TURNOUT_SEND_TRANSIENT;
  data->result->retry_after = -1;
  data->channel = g_strdup (self->channel);
  data->now = now ();
  data->release = TRUE;
  self->recording++;
  g_ptr_array_add (self->to_record, data);
  write_records (self);
}

static void
release_ready (TurnoutDispatcher *self)
{
  Claimed *claimed;

  while ((claimed = g_queue_pop_head (&self->ready)) != NULL)
    release (self, claimed);
}

typedef struct
{
  TurnoutDispatcher *self;
  Claimed           *claimed;
  TurnoutSendMark   *mark;     /* nullable */
} SendWait;

static void
on_send_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SendWait *wait = user_data;
  TurnoutDispatcher *self = wait->self;
  Claimed *claimed = wait->claimed;
  g_autoptr(TurnoutSendMark) mark = wait->mark;
  g_autoptr(GError) error = NULL;
  TurnoutSendResult *outcome;
  gint64 answered;

  g_free (wait);
  outcome = turnout_sender_send_finish (TURNOUT_SENDER (object), result, &error);
  answered = g_get_monotonic_time ();
  if (self->rate > 0)
    g_array_append_val (self->sent_at, answered);
  self->in_flight--;
  if (outcome == NULL && mark != NULL && !turnout_send_mark_has_left (mark))
    {
      /* Stopped before it started to leave: queued again as it was. */
      release (self, claimed);
      pump (self);
      g_object_unref (self);
      return;
    }
  if (outcome == NULL)
    {
      /* The run was cancelled while this was out: it may have left. */
      outcome = g_new0 (TurnoutSendResult, 1);
      outcome->outcome = TURNOUT_SEND_UNKNOWN;
      outcome->retry_after = -1;
      outcome->message = g_strdup (error != NULL ? error->message : _("Stopped while sending"));
    }
  record (self, claimed, outcome);
  /* The next request needn't wait for this outcome to be written. */
  pump (self);
  g_object_unref (self);
}

static void
send_one (TurnoutDispatcher *self,
          Claimed           *claimed)
{
  TurnoutOutgoing outgoing = {
    .to = claimed->to,
    .text = claimed->text,
    .media_urls = (const char * const *) claimed->media,
    .subject = claimed->subject,
    .html = claimed->html,
    .to_name = claimed->to_name,
    .preheader = claimed->preheader,
  };
  SendWait *wait = g_new0 (SendWait, 1);

  self->in_flight++;
  wait->self = g_object_ref (self);
  wait->claimed = claimed;
  if (self->send_log != NULL && turnout_send_log_is_started (self->send_log))
    outgoing.mark = wait->mark = turnout_send_mark_new (self->send_log, claimed->message_id);
  /* Not the run's cancellable: a request that started is seen through, so
   * its outcome is known. */
  turnout_sender_send_async (self->sender, &outgoing, NULL, on_send_ready_cb, wait);
}

/* Moves the run on: sends what it may, claims more when it runs short,
 * sleeps until the next thing is due, or finishes. */
static void
pump (TurnoutDispatcher *self)
{
  gint64 monotonic;

  if (self->task == NULL)
    return;
  if (self->fatal == NULL && g_cancellable_is_cancelled (self->cancellable))
    g_cancellable_set_error_if_cancelled (self->cancellable, &self->fatal);
  if (self->fatal != NULL)
    {
      /* Rows claimed that will not leave now are queued again as they
       * were; what is out is seen through and recorded. */
      release_ready (self);
      if (self->in_flight == 0 && self->recording == 0 && !self->claiming && !self->reconciling)
        finish_run (self, NULL);
      return;
    }

  monotonic = g_get_monotonic_time ();
  while (self->in_flight < self->in_flight_max && !g_queue_is_empty (&self->ready))
    {
      gint64 wait = rate_wait (self, monotonic);

      /* Waiting on an answer: its callback pumps again. */
      if (wait < 0)
        break;
      if (wait > 0)
        {
          wake_in (self, wait);
          break;
        }
      send_one (self, g_queue_pop_head (&self->ready));
    }

  /* The next claim is written while the rows of the last one leave, so
   * requests never wait for it. (A row claimed ahead and never sent is no
   * doubt after a crash: the provider is asked (SMS), or the send log
   * shows it never started to leave (email).) */
  if (!self->claiming && !self->writing && !self->reconciling && !self->exhausted
      && g_queue_get_length (&self->ready) < CLAIM_AHEAD * self->in_flight_max)
    claim (self);
  else if (g_queue_is_empty (&self->ready) && !self->claiming && !self->reconciling
           && self->exhausted)
    {
      if (self->in_flight == 0 && self->recording == 0
               && self->unknown_recorded > self->unknown_asked)
        {
          /* Answers lost on the way (a reset, a timeout): before anything
           * else — and before the run ends — ask the provider about them.
           * Found, they are sent; not found, queued again. */
          self->unknown_asked = self->unknown_recorded;
          recover (self, TRUE);
        }
      else if (self->in_flight == 0 && self->recording == 0)
        {
          gint64 wait_s = self->next_due > 0 ? self->next_due - now () : -1;

          if (self->wait_for_retries && self->next_due > 0)
            wake_in (self, MAX (wait_s, 0) * G_USEC_PER_SEC + G_USEC_PER_SEC / 10);
          else
            finish_run (self, NULL);
        }
    }
}

/* Reconciliation ----------------------------------------------------------- */

typedef struct
{
  TurnoutDispatcher *self;
  GPtrArray         *unknown;   /* Claimed */
  guint              next;
} Reconcile;

static void reconcile_next (Reconcile *reconcile);

static void
on_found_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Reconcile *reconcile = user_data;
  TurnoutDispatcher *self = reconcile->self;
  Claimed *claimed = g_ptr_array_index (reconcile->unknown, reconcile->next);
  g_autoptr(GError) error = NULL;
  g_autofree char *provider_id = turnout_sender_find_sent_finish (TURNOUT_SENDER (object), result,
                                                                  &error);
  TurnoutSendResult *outcome = g_new0 (TurnoutSendResult, 1);

  outcome->retry_after = -1;
  if (error != NULL)
    {
      /* The provider couldn't be asked: the row stays unknown, and is not
       * sent again; a later run asks again. */
      outcome->outcome = TURNOUT_SEND_UNKNOWN;
      outcome->message = g_strdup_printf (_("Could not ask the provider whether it was sent: %s"),
                                          error->message);
    }
  else if (provider_id != NULL)
    {
      outcome->outcome = TURNOUT_SEND_OK;
      outcome->provider_id = g_steal_pointer (&provider_id);
    }
  else
    {
      /* Not there: it never left. Queued again as it was. */
      reconcile->unknown->pdata[reconcile->next] = NULL;
      turnout_send_result_free (outcome);
      release (self, claimed);
      reconcile->next++;
      reconcile_next (reconcile);
      return;
    }
  reconcile->unknown->pdata[reconcile->next] = NULL;
  record (self, claimed, outcome);
  reconcile->next++;
  reconcile_next (reconcile);
}

static void
reconcile_next (Reconcile *reconcile)
{
  TurnoutDispatcher *self = reconcile->self;

  while (reconcile->next < reconcile->unknown->len
         && ((Claimed *) g_ptr_array_index (reconcile->unknown, reconcile->next))->text == NULL)
    reconcile->next++;
  if (reconcile->next < reconcile->unknown->len)
    {
      Claimed *claimed = g_ptr_array_index (reconcile->unknown, reconcile->next);

      turnout_sender_find_sent_async (self->sender, claimed->to,
                                      claimed->claimed_at - RECONCILE_SLACK, claimed->text,
                                      self->cancellable, on_found_cb, reconcile);
      return;
    }
  g_ptr_array_unref (reconcile->unknown);
  g_free (reconcile);
  self->reconciling = FALSE;
  /* A row the provider couldn't be asked about stays unknown until the
   * next run: asking again at once would only fail again. */
  self->unknown_asked = self->unknown_recorded;
  /* Retries found not sent go out again now, not after a back-off. */
  self->exhausted = FALSE;
  pump (self);
  g_object_unref (self);
}

static void
on_recovered_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TurnoutDispatcher) self = user_data;
  RecoverData *recover = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  Reconcile *reconcile;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->reconciling = FALSE;
      fail_run (self, error);
      return;
    }
  reconcile = g_new0 (Reconcile, 1);
  reconcile->self = g_object_ref (self);
  reconcile->unknown = g_steal_pointer (&recover->unknown);
  g_ptr_array_set_free_func (reconcile->unknown, claimed_free);
  reconcile_next (reconcile);
}

/* Reads the messages whose fate is unknown and asks the provider about
 * each; the run goes on when all are answered. */
static void
recover (TurnoutDispatcher *self,
         gboolean           during_run)
{
  g_autoptr(GTask) task = g_task_new (self->store, NULL, on_recovered_cb, g_object_ref (self));
  RecoverData *data = g_new0 (RecoverData, 1);

  data->channel = g_strdup (self->channel);
  data->campaign_id = self->campaign_id;
  data->now = now ();
  data->during_run = during_run;
  if (!during_run && self->send_log != NULL)
    data->log = turnout_send_log_ref (self->send_log);
  data->unknown = g_ptr_array_new_with_free_func (claimed_free);
  self->reconciling = TRUE;
  g_task_set_task_data (task, data, recover_data_free);
  turnout_store_run_in_thread (self->store, task, recover_worker);
}

/* Two senders on one file would each take the other's messages in flight
 * for a crashed run's and ask the provider about them too early. An
 * advisory lock next to the file keeps it to one per channel; the kernel
 * drops it when the process ends, however it ends. */
static gboolean
take_lock (TurnoutDispatcher  *self,
           GError            **error)
{
  const char *path = turnout_store_get_path (self->store);
  g_autofree char *lock_path = NULL;
  int fd;

  if (path == NULL || *path == '\0' || g_str_equal (path, ":memory:"))
    return TRUE;
  lock_path = g_strdup_printf ("%s-%s.lock", path, self->channel);
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open “%s”: %s"), lock_path, g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                             _("Turnout is already sending from this file (the app’s "
                               "background service or another turnout-cli); it will send these "
                               "messages too"));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Could not lock “%s”: %s"), lock_path, g_strerror (saved));
      return FALSE;
    }
  self->lock_fd = fd;
  /* A mail server can't be asked afterwards what it took: the lock file
   * also notes each email that starts to leave, so that after a crash only
   * those are in doubt. */
  if (!self->can_find_sent
      && (self->send_log = turnout_send_log_open (lock_path, error)) == NULL)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_dispatcher_apply_settings:
 *
 * Takes the limits of the user's settings for the dispatcher's channel:
 * rate and requests at once, retries, quiet hours (in the contact's time
 * zone, else the default one) and the frequency cap.
 *
 * Returns: %FALSE with @error set when a stored value can't be used.
 */
gboolean
turnout_dispatcher_apply_settings (TurnoutDispatcher  *self,
                                   TurnoutSettings    *settings,
                                   GError            **error)
{
  g_autofree char *cap = NULL;
  g_autofree char *quiet = NULL;
  g_autofree char *zone = NULL;
  guint messages = 0, days = 0;

  g_return_val_if_fail (TURNOUT_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (TURNOUT_IS_SETTINGS (settings), FALSE);

  if (g_str_equal (self->channel, "sms"))
    {
      turnout_dispatcher_set_limits (self, turnout_settings_get_double (settings, "sms.rate"),
                                     (guint) turnout_settings_get_int (settings, "sms.concurrency"));
      quiet = turnout_settings_dup_string (settings, "sms.quiet_hours");
    }
  else if (g_str_equal (self->channel, "email"))
    {
      /* A mail server takes what its connections carry, one message each
       * at a time, with no per-second pace (quiet hours are for texts
       * only). One more a connection waits at the sender, so that no
       * connection waits for the next message to be claimed. */
      guint connections = (guint) MAX (1, turnout_settings_get_int (settings,
                                                                    "smtp.connections"));

      turnout_dispatcher_set_limits (self, 0, connections * 2);
    }
  turnout_dispatcher_set_retry (self, turnout_settings_get_int (settings, "delivery.retry_after"),
                                turnout_settings_get_int (settings, "delivery.retry_limit"),
                                (guint) turnout_settings_get_int (settings, "delivery.attempts"));
  cap = turnout_settings_dup_string (settings, "delivery.frequency_cap");
  turnout_frequency_cap_parse (cap, &messages, &days);
  turnout_dispatcher_set_frequency_cap (self, messages, days);
  zone = turnout_settings_dup_string (settings, "contacts.default_time_zone");
  return turnout_dispatcher_set_quiet_hours (self, quiet != NULL ? quiet : "off", zone, error);
}

/**
 * turnout_dispatcher_run_async:
 * @campaign_id: send only this campaign's messages, or 0 for every
 *   running campaign of the channel
 * @wait_for_retries: go on until nothing is left (waiting out back-offs
 *   and quiet hours), instead of stopping when nothing is due now
 * @cancellable: stops the run; requests already out are seen through
 *
 * First reconciles the messages whose fate is unknown (left "sending" by a
 * run that died, or whose answer was lost), then sends.
 */
void
turnout_dispatcher_run_async (TurnoutDispatcher   *self,
                              gint64               campaign_id,
                              gboolean             wait_for_retries,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TURNOUT_IS_DISPATCHER (self));

  if (self->task != NULL)
    {
      g_task_report_new_error (self, callback, user_data, turnout_dispatcher_run_async,
                               G_IO_ERROR, G_IO_ERROR_PENDING, _("The dispatcher is running"));
      return;
    }
  if (!take_lock (self, &error))
    {
      g_task_report_error (self, callback, user_data, turnout_dispatcher_run_async,
                           g_steal_pointer (&error));
      return;
    }
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, turnout_dispatcher_run_async);
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  self->campaign_id = campaign_id;
  self->wait_for_retries = wait_for_retries;
  self->exhausted = FALSE;
  self->next_due = 0;
  self->channel_wait_until = 0;
  g_clear_error (&self->fatal);

  self->unknown_recorded = 0;
  self->unknown_asked = 0;
  recover (self, FALSE);
}

/**
 * turnout_dispatcher_run_finish:
 *
 * Returns: %TRUE when the run ended with nothing left to do now; %FALSE
 *   with @error set when it was cancelled or a fatal answer stopped the
 *   channel (the error says why; the campaigns are "stopped" with it).
 */
gboolean
turnout_dispatcher_run_finish (TurnoutDispatcher  *self,
                               GAsyncResult       *result,
                               GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
