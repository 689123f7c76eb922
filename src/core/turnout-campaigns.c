/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaigns"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-campaigns.h"
#include "turnout-clock.h"
#include "turnout-render.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-templates.h"

/*
 * Campaigns: a template sent to a segment, now or at a set time.
 *
 * Launching freezes both sides in one transaction: the template is copied
 * into the campaign (editing it later changes nothing that is sending) and
 * every contact of the segment gets a row in messages — queued, or already
 * skipped or suppressed with the reason, so every contact's outcome is
 * explained. The unique index on (campaign, contact) makes a second row,
 * and so a second text, impossible. Pause, resume and cancel are states in
 * the database, so they survive a restart; the dispatcher only takes rows
 * of running campaigns.
 */

G_DEFINE_QUARK (turnout-campaign-error-quark, turnout_campaign_error)

static const char * const message_states[] = { TURNOUT_MESSAGE_STATES, NULL };

void
turnout_campaign_status_free (TurnoutCampaignStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->name);
  g_free (status->channel);
  g_free (status->state);
  g_free (status->state_reason);
  g_free (status->segment_name);
  g_free (status->template_name);
  g_free (status);
}

/**
 * turnout_campaign_status_to_json:
 *
 * Returns: (transfer full): `{"state": …, "total": N, "queued": N, …}`
 *   with every message state, as `turnout-cli campaign status --json`.
 */
char *
turnout_campaign_status_to_json (TurnoutCampaignStatus *status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, status->state);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, status->total);
  for (guint i = 0; message_states[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, message_states[i]);
      json_builder_add_int_value (builder, status->counts[i]);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static gint64
now (void)
{
  return turnout_clock_get_unix (turnout_clock_get_default ());
}

/**
 * turnout_campaigns_create:
 * @segment_name: (nullable): how the segment is called (a saved segment's
 *   name, or a ready-made one's id), to show
 * @segment: its rules, kept with the campaign
 * @template_id: the template to send
 * @event_id: the event the messages are about, or 0 for each contact's
 *   next registered event
 * @scheduled_at: when to start (Unix seconds), or 0 for a draft sent by
 *   hand
 *
 * Blocks. Returns: the new campaign's id, or 0 with @error set.
 */
gint64
turnout_campaigns_create (TurnoutStore    *store,
                          const char      *name,
                          const char      *channel,
                          const char      *segment_name,
                          TurnoutSegment  *segment,
                          gint64           template_id,
                          gint64           event_id,
                          gint64           scheduled_at,
                          GError         **error)
{
  g_autoptr(TurnoutTemplate) template = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));
  g_autofree char *rules = NULL;
  gint64 id = 0;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), 0);
  g_return_val_if_fail (segment != NULL, 0);

  if (*stripped == '\0')
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID,
                   _("A campaign needs a name"));
      return 0;
    }
  if (g_strcmp0 (channel, "sms") != 0 && g_strcmp0 (channel, "email") != 0)
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID,
                   _("The channel is sms or email, not “%s”"), channel);
      return 0;
    }
  if ((db = turnout_store_acquire (store, error)) == NULL)
    return 0;
  template = turnout_db_template_get (db, template_id, NULL, error);
  if (template == NULL)
    goto out;
  if (!g_str_equal (turnout_template_get_channel (template), channel))
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID,
                   channel[0] == 's' ? _("“%s” is an email template; an SMS campaign needs an SMS "
                                         "template")
                                     : _("“%s” is an SMS template; an email campaign needs an "
                                         "email template"),
                   turnout_template_get_name (template));
      goto out;
    }
  rules = turnout_segment_to_json (segment);
  stmt = turnout_db_prepare (db, "INSERT INTO campaigns (name, channel, segment_id, segment_name,"
                                 " segment_rules, template_id, event_id, state, scheduled_at,"
                                 " created_at, updated_at)"
                                 " VALUES (?1, ?2, (SELECT id FROM segments WHERE name = ?3), ?3,"
                                 " ?4, ?5, nullif (?6, 0), ?7, nullif (?8, 0), ?9, ?9)", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, stripped, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, channel, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, segment_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, rules, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, template_id);
  sqlite3_bind_int64 (stmt, 6, event_id);
  sqlite3_bind_text (stmt, 7, scheduled_at > 0 ? "scheduled" : "draft", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, scheduled_at);
  sqlite3_bind_int64 (stmt, 9, now ());
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not save the campaign"));
      goto out;
    }
  id = sqlite3_last_insert_rowid (db);

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return id;
}

static gboolean
append_id (gint64   contact_id,
           gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, contact_id);
  return TRUE;
}

typedef struct
{
  char           *channel;
  char           *state;
  TurnoutSegment *segment;
  gint64          template_id;
  gint64          event_id;
} CampaignRow;

static void
campaign_row_clear (CampaignRow *row)
{
  g_free (row->channel);
  g_free (row->state);
  g_clear_pointer (&row->segment, turnout_segment_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CampaignRow, campaign_row_clear)

static gboolean
read_campaign (sqlite3      *db,
               gint64        id,
               CampaignRow  *row,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT channel, state, segment_rules, coalesce (template_id, 0),"
                                 " coalesce (event_id, 0) FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND,
                     _("There is no campaign %" PRId64), id);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the campaign"));
      return FALSE;
    }
  row->channel = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->state = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->template_id = sqlite3_column_int64 (stmt, 3);
  row->event_id = sqlite3_column_int64 (stmt, 4);
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    row->segment = turnout_segment_new_from_json ((const char *) sqlite3_column_text (stmt, 2),
                                                  NULL);
  if (row->segment == NULL)
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_INVALID,
                   _("The campaign has no audience: its segment was deleted"));
      return FALSE;
    }
  return TRUE;
}

static const char *
exclusion_code (TurnoutExclusion exclusion)
{
  switch (exclusion)
    {
    case TURNOUT_EXCLUSION_NO_ADDRESS:
      return "no_address";
    case TURNOUT_EXCLUSION_OPTED_OUT:
      return "opted_out";
    case TURNOUT_EXCLUSION_NO_CONSENT:
      return "no_consent";
    case TURNOUT_EXCLUSION_SUPPRESSED:
      return "suppressed";
    case TURNOUT_EXCLUSION_NONE:
    default:
      return NULL;
    }
}

/**
 * turnout_campaigns_launch:
 *
 * Blocks. Freezes the template and the audience of a draft or scheduled
 * campaign and makes it running: one message row per contact of the
 * segment, queued or with the reason it gets nothing. Refuses a template
 * with mistakes in its merge fields. Nothing is written when it fails.
 *
 * Returns: the number of messages queued, or -1 with @error set.
 */
gint64
turnout_campaigns_launch (TurnoutStore  *store,
                          gint64         campaign_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(CampaignRow) row = { 0 };
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(TurnoutTemplate) template = NULL;
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRecipientReader) reader = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autofree char *snapshot = NULL;
  gint64 at = now ();
  gint64 queued = 0;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  if (!read_campaign (db, campaign_id, &row, error))
    goto out_released;
  if (!g_str_equal (row.state, "draft") && !g_str_equal (row.state, "scheduled"))
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                   _("The campaign was launched already (it is %s)"), row.state);
      goto out_released;
    }
  if ((template = turnout_db_template_get (db, row.template_id, NULL, error)) == NULL
      || (renderer = turnout_template_renderer_new (template, error)) == NULL)
    goto out_released;
  /* The audience as of now, read before the transaction: finding it may
   * bring the figures up to date, which writes. */
  if (!turnout_db_segment_foreach_id (db, row.segment, at, append_id, ids, cancellable, error))
    goto out_released;
  snapshot = turnout_template_to_json (template);

  if (!turnout_db_begin (db, error))
    goto out_released;
  if ((reader = turnout_recipient_reader_new (db, row.event_id, at, error)) == NULL)
    goto fail;
  insert = turnout_db_prepare (db, "INSERT INTO messages (campaign_id, contact_id, event_id,"
                                   " channel, address, state, error_code, error_text, created_at,"
                                   " updated_at)"
                                   " VALUES (?1, ?2, nullif (?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                               error);
  if (insert == NULL)
    goto fail;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(TurnoutRecipient) recipient = NULL;
      g_autoptr(GError) local_error = NULL;
      TurnoutExclusion exclusion;
      const char *address;
      const char *state;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      recipient = turnout_recipient_reader_read (reader, g_array_index (ids, gint64, i),
                                                 &local_error);
      if (recipient == NULL)
        {
          /* Erased since the audience was read: nobody to send to. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
      exclusion = turnout_recipient_exclusion (recipient, row.channel);
      address = g_str_equal (row.channel, "email") ? recipient->email : recipient->phone;
      state = exclusion == TURNOUT_EXCLUSION_NONE ? "queued"
              : exclusion == TURNOUT_EXCLUSION_SUPPRESSED ? "suppressed" : "skipped";
      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, campaign_id);
      sqlite3_bind_int64 (insert, 2, recipient->contact_id);
      sqlite3_bind_int64 (insert, 3, recipient->event_id);
      sqlite3_bind_text (insert, 4, row.channel, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, address != NULL ? address : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 6, state, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 7, exclusion_code (exclusion), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 8, exclusion != TURNOUT_EXCLUSION_NONE
                                    ? turnout_exclusion_describe (exclusion) : NULL,
                         -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 9, at);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not queue the messages"));
          goto fail;
        }
      queued += exclusion == TURNOUT_EXCLUSION_NONE;
    }

  update = turnout_db_prepare (db, "UPDATE campaigns SET state = 'running', template_snapshot = ?2,"
                                   " launched_at = ?3, state_reason = NULL, updated_at = ?3"
                                   " WHERE id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  sqlite3_bind_text (update, 2, snapshot, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 3, at);
  if ((rc = sqlite3_step (update)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not launch the campaign"));
      goto fail;
    }
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&update, sqlite3_finalize);
  g_clear_pointer (&reader, turnout_recipient_reader_free);
  if (!turnout_db_commit (db, error))
    goto fail;
  turnout_store_release (store, db);
  return queued;

fail:
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&update, sqlite3_finalize);
  g_clear_pointer (&reader, turnout_recipient_reader_free);
  turnout_db_rollback (db);
out_released:
  turnout_store_release (store, db);
  return -1;
}

/**
 * turnout_campaigns_get_status:
 *
 * Blocks. Returns: (transfer full): the campaign's state and its messages
 *   counted by state, or %NULL with @error set.
 */
TurnoutCampaignStatus *
turnout_campaigns_get_status (TurnoutStore  *store,
                              gint64         campaign_id,
                              GError       **error)
{
  g_autoptr(TurnoutCampaignStatus) status = g_new0 (TurnoutCampaignStatus, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) counts = NULL;
  gboolean ok = FALSE;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  stmt = turnout_db_prepare (db, "SELECT c.name, c.channel, c.state, c.state_reason,"
                                 " c.segment_name, coalesce (json_extract (c.template_snapshot,"
                                 " '$.name'), t.name), coalesce (c.scheduled_at, 0)"
                                 " FROM campaigns c LEFT JOIN templates t ON t.id = c.template_id"
                                 " WHERE c.id = ?1", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND,
                     _("There is no campaign %" PRId64), campaign_id);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the campaign"));
      goto out;
    }
  status->id = campaign_id;
  status->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  status->channel = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  status->state = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  status->state_reason = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  status->segment_name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  status->template_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  status->scheduled_at = sqlite3_column_int64 (stmt, 6);

  counts = turnout_db_prepare (db, "SELECT state, count (*) FROM messages WHERE campaign_id = ?1"
                                   " GROUP BY state", error);
  if (counts == NULL)
    goto out;
  sqlite3_bind_int64 (counts, 1, campaign_id);
  while ((rc = sqlite3_step (counts)) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (counts, 0);
      gint64 n = sqlite3_column_int64 (counts, 1);

      for (guint i = 0; message_states[i] != NULL; i++)
        if (g_str_equal (message_states[i], state))
          status->counts[i] = n;
      status->total += n;
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not count the messages"));
      goto out;
    }
  ok = TRUE;

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&counts, sqlite3_finalize);
  turnout_store_release (store, db);
  return ok ? g_steal_pointer (&status) : NULL;
}

/* Moves the campaign from one of @from to @to, or says why it can't. */
static gboolean
change_state (TurnoutStore        *store,
              gint64               campaign_id,
              const char * const  *from,
              const char          *to,
              const char          *done,
              const char          *reason,
              gboolean             skip_queued,
              GError             **error)
{
  g_auto(CampaignRow) row = { 0 };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  gint64 at = now ();
  sqlite3 *db;
  int rc;

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return FALSE;
  if (!turnout_db_begin (db, error))
    goto out;
  if (!read_campaign (db, campaign_id, &row, error) && row.state == NULL)
    goto fail;
  g_clear_error (error);
  if (!g_strv_contains (from, row.state))
    {
      g_set_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                   /* TRANSLATORS: the first %s is a state such as "completed",
                    * the second what was asked, such as "paused". */
                   _("A campaign that is %s can’t be %s"), row.state, done);
      goto fail;
    }
  /* Resuming one that never started takes it back to where it was. */
  stmt = turnout_db_prepare (db, "UPDATE campaigns SET state = CASE"
                                 "   WHEN ?2 = 'running' AND launched_at IS NULL"
                                 "   THEN CASE WHEN scheduled_at IS NULL THEN 'draft' ELSE 'scheduled' END"
                                 "   ELSE ?2 END,"
                                 " state_reason = ?3, updated_at = ?4,"
                                 " finished_at = CASE WHEN ?2 = 'cancelled' THEN ?4 ELSE finished_at END"
                                 " WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, at);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not change the campaign"));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (skip_queued)
    {
      /* Messages in flight finish; the ones waiting never leave. */
      stmt = turnout_db_prepare (db, "UPDATE messages SET state = 'skipped',"
                                     " error_code = 'cancelled', error_text = ?2, updated_at = ?3"
                                     " WHERE campaign_id = ?1 AND state = 'queued'", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, campaign_id);
      sqlite3_bind_text (stmt, 2, _("the campaign was cancelled"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, at);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not change the campaign"));
          goto fail;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  ok = turnout_db_commit (db, error);
  if (ok)
    goto out;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_db_rollback (db);
out:
  turnout_store_release (store, db);
  return ok;
}

/**
 * turnout_campaigns_pause:
 *
 * Blocks. Stops a scheduled or running campaign from sending more until it
 * is resumed; what is in flight finishes.
 */
gboolean
turnout_campaigns_pause (TurnoutStore  *store,
                         gint64         campaign_id,
                         GError       **error)
{
  static const char * const from[] = { "scheduled", "running", NULL };

  g_return_val_if_fail (TURNOUT_IS_STORE (store), FALSE);

  return change_state (store, campaign_id, from, "paused", _("paused"), _("Paused"), FALSE,
                       error);
}

/**
 * turnout_campaigns_resume:
 *
 * Blocks. Lets a paused campaign go on (or wait for its time again, when
 * it had not started), or one stopped by its channel (credentials, sender)
 * once the user has put that right.
 */
gboolean
turnout_campaigns_resume (TurnoutStore  *store,
                          gint64         campaign_id,
                          GError       **error)
{
  static const char * const from[] = { "paused", "stopped", NULL };

  g_return_val_if_fail (TURNOUT_IS_STORE (store), FALSE);

  return change_state (store, campaign_id, from, "running", _("resumed"), NULL, FALSE, error);
}

/**
 * turnout_campaigns_cancel:
 *
 * Blocks. Ends a campaign: its waiting messages are skipped with the
 * reason, those in flight finish.
 */
gboolean
turnout_campaigns_cancel (TurnoutStore  *store,
                          gint64         campaign_id,
                          GError       **error)
{
  static const char * const from[] = { "draft", "scheduled", "running", "paused", NULL };

  g_return_val_if_fail (TURNOUT_IS_STORE (store), FALSE);

  return change_state (store, campaign_id, from, "cancelled", _("cancelled"), _("Cancelled"),
                       TRUE, error);
}

/* A scheduled campaign that won't start on its own: @state (scheduled or
 * stopped) with why. Blocks. */
static gboolean
set_reason (TurnoutStore  *store,
            gint64         id,
            const char    *state,
            const char    *reason,
            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  sqlite3 *db;
  int rc;

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return FALSE;
  stmt = turnout_db_prepare (db, "UPDATE campaigns SET state = ?2, state_reason = ?3,"
                                 " updated_at = ?4 WHERE id = ?1 AND state = 'scheduled'", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, state, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, now ());
      if ((rc = sqlite3_step (stmt)) == SQLITE_DONE)
        ok = TRUE;
      else
        turnout_db_set_error (error, db, rc, _("Could not update the campaign"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return ok;
}

/**
 * turnout_campaigns_start_due:
 * @grace_seconds: how late a campaign may still start on its own
 * @late: (out) (optional): how many were found too late and left waiting
 *
 * Blocks. Launches every scheduled campaign whose time has come. One whose
 * time passed more than @grace_seconds ago (the computer was off, Turnout
 * wasn't running) is not sent on its own: it stays scheduled with the
 * reason, for the user to send it now or cancel it. A campaign that can't
 * be launched (its template has mistakes) is stopped with the reason, so
 * it isn't tried every minute.
 *
 * Returns: the number of campaigns launched, or -1 with @error set.
 */
int
turnout_campaigns_start_due (TurnoutStore  *store,
                             gint64         grace_seconds,
                             int           *late,
                             GError       **error)
{
  g_autoptr(GArray) due = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 at = now ();
  int launched = 0;
  int n_late = 0;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  /* A reason set means it already waits for the user. */
  stmt = turnout_db_prepare (db, "SELECT id, scheduled_at FROM campaigns"
                                 " WHERE state = 'scheduled' AND scheduled_at <= ?1"
                                 " AND state_reason IS NULL ORDER BY scheduled_at", error);
  if (stmt == NULL)
    {
      turnout_store_release (store, db);
      return -1;
    }
  sqlite3_bind_int64 (stmt, 1, at);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 scheduled_at = sqlite3_column_int64 (stmt, 1);

      g_array_append_val (due, id);
      g_array_append_val (times, scheduled_at);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the scheduled campaigns"));
      g_clear_pointer (&stmt, sqlite3_finalize);
      turnout_store_release (store, db);
      return -1;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);

  for (guint i = 0; i < due->len; i++)
    {
      gint64 id = g_array_index (due, gint64, i);
      gint64 lateness = at - g_array_index (times, gint64, i);
      g_autoptr(GError) local_error = NULL;

      if (lateness > grace_seconds)
        {
          g_autofree char *reason = NULL;
          int hours = (int) MIN (lateness / 3600, G_MAXINT);

          reason = hours >= 1
            ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Its time passed %d hour ago while Turnout wasn’t "
                                            "running. Send it now, or cancel it.",
                                            "Its time passed %d hours ago while Turnout wasn’t "
                                            "running. Send it now, or cancel it.", hours), hours)
            : g_strdup (_("Its time passed while Turnout wasn’t running. Send it now, or cancel "
                          "it."));
          if (!set_reason (store, id, "scheduled", reason, error))
            return -1;
          n_late++;
          continue;
        }
      if (turnout_campaigns_launch (store, id, NULL, &local_error) >= 0)
        launched++;
      else if (g_error_matches (local_error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE))
        continue;  /* Launched or cancelled meanwhile by someone else. */
      else if (!set_reason (store, id, "stopped", local_error->message, error))
        return -1;
    }
  if (late != NULL)
    *late = n_late;
  return launched;
}

/**
 * turnout_campaigns_stop_channel:
 * @reason: what the user must put right, in words
 *
 * Blocks. Stops every running campaign of @channel with @reason, for a
 * channel that can't send at all (no credentials, a refused account); the
 * user resumes them once it is put right.
 *
 * Returns: the number of campaigns stopped, or -1 with @error set.
 */
int
turnout_campaigns_stop_channel (TurnoutStore  *store,
                                const char    *channel,
                                const char    *reason,
                                GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int changed = -1;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  stmt = turnout_db_prepare (db, "UPDATE campaigns SET state = 'stopped', state_reason = ?2,"
                                 " updated_at = ?3 WHERE state = 'running' AND channel = ?1",
                             error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, now ());
      if ((rc = sqlite3_step (stmt)) == SQLITE_DONE)
        changed = sqlite3_changes (db);
      else
        turnout_db_set_error (error, db, rc, _("Could not stop the campaigns"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return changed;
}

/**
 * turnout_campaigns_count_running:
 *
 * Blocks.
 *
 * Returns: how many campaigns of @channel are running, or -1 with @error
 *   set.
 */
int
turnout_campaigns_count_running (TurnoutStore  *store,
                                 const char    *channel,
                                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int count = -1;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return -1;
  stmt = turnout_db_prepare (db, "SELECT count (*) FROM campaigns"
                                 " WHERE state = 'running' AND channel = ?1", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the campaigns"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return count;
}
