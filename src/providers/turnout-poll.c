/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-poll"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-outbox.h"
#include "turnout-poll.h"
#include "turnout-replies.h"
#include "turnout-store.h"

/*
 * One pass of "what came back" from Twilio, for `turnout-cli poll` and the
 * background service's timer:
 *
 *  1. one-off texts whose fate is unknown are reconciled (see
 *     turnout-outbox.c);
 *  2. the delivery status of up to TURNOUT_POLL_BATCH sent messages of the
 *     last 72 hours, the least recently checked first, with at most
 *     TURNOUT_POLL_IN_FLIGHT requests out at once; the answers are written
 *     in one transaction;
 *  3. the replies received since the last complete listing, each kept
 *     once and acted on (STOP, START, HELP…; see turnout-replies.c).
 *
 * This lives in providers, not core, because it drives the Twilio client
 * itself (status and replies are Twilio calls, not part of the
 * TurnoutSender seam that core sees); every decision and every write is
 * core's, in turnout-replies.c and turnout-outbox.c, so it is tested
 * without HTTP. A pass run every few minutes keeps a long campaign's
 * statuses current within the 72-hour window without coming near
 * Twilio's limit on concurrent requests.
 *
 * A failure that would fail every request (credentials, the network,
 * Twilio down) ends the pass with its error after writing what was
 * learned; a message Twilio no longer has is only noted as checked.
 */

typedef struct
{
  TurnoutTwilioSender *sender;
  TurnoutPollSummary   summary;
  GPtrArray           *unconfirmed;   /* TurnoutUnconfirmed */
  GPtrArray           *receipts;      /* TurnoutReceipt */
  guint                next;
  guint                in_flight;
  GError              *error;         /* the first failure of a status request */
  GError              *reconcile_error;
  gint64               listed_at;
} PollData;

static void
poll_data_free (PollData *data)
{
  g_clear_object (&data->sender);
  g_clear_pointer (&data->unconfirmed, g_ptr_array_unref);
  g_clear_pointer (&data->receipts, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_clear_error (&data->reconcile_error);
  g_free (data);
}

static void
on_replies_recorded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PollData *data = g_task_get_task_data (task);
  TurnoutReplyCounts counts = { 0 };
  GError *error = NULL;
  gboolean ok = turnout_replies_record_all_finish (TURNOUT_STORE (object), result, &counts,
                                                   &error);

  data->summary.replies += counts.added;
  data->summary.opt_outs += counts.opt_outs;
  data->summary.opt_ins += counts.opt_ins;
  data->summary.help += counts.help;
  if (!ok)
    g_task_return_error (task, error);
  else if (data->reconcile_error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->reconcile_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_inbound_listed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PollData *data = g_task_get_task_data (task);
  TurnoutStore *store = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GPtrArray) inbound = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  GError *error = NULL;

  inbound = turnout_twilio_sender_list_inbound_finish (TURNOUT_TWILIO_SENDER (object), result,
                                                       &error);
  if (inbound == NULL)
    {
      g_prefix_error (&error, _("Could not read the replies: "));
      g_task_return_error (task, error);
      return;
    }
  replies = g_ptr_array_new_full (inbound->len, (GDestroyNotify) turnout_reply_free);
  for (guint i = 0; i < inbound->len; i++)
    {
      TurnoutInboundMessage *message = g_ptr_array_index (inbound, i);

      g_ptr_array_add (replies, turnout_reply_new (message->sid, message->from, message->to,
                                                   message->body, message->date_sent));
    }
  turnout_replies_record_all_async (store, replies, data->listed_at, cancellable,
                                    on_replies_recorded_cb, g_steal_pointer (&task));
}

static void
on_list_start_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PollData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gint64 since = turnout_replies_get_list_start_finish (TURNOUT_STORE (object), result, &error);

  if (since < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  data->listed_at = turnout_clock_get_unix (turnout_clock_get_default ());
  turnout_twilio_sender_list_inbound_async (data->sender, since, cancellable,
                                            on_inbound_listed_cb, g_steal_pointer (&task));
}

/* The replies, once the statuses are done with. Takes the reference on
 * @task. */
static void
list_replies (GTask *task)
{
  PollData *data = g_task_get_task_data (task);

  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      g_object_unref (task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  turnout_replies_get_list_start_async (g_task_get_source_object (task),
                                        g_task_get_cancellable (task), on_list_start_cb, task);
}

static void
on_receipts_recorded_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!turnout_replies_record_receipts_finish (TURNOUT_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  list_replies (g_steal_pointer (&task));
}

typedef struct
{
  GTask *task;
  guint  index;
} Request;

static void fetch_more (GTask *task);

static void
on_status_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GTask) task = request->task;
  PollData *data = g_task_get_task_data (task);
  TurnoutUnconfirmed *unconfirmed = g_ptr_array_index (data->unconfirmed, request->index);
  g_autoptr(TurnoutDeliveryStatus) status = NULL;
  GError *error = NULL;
  TurnoutReceiptState state = TURNOUT_RECEIPT_PENDING;
  const char *text = NULL;

  g_free (request);
  data->in_flight--;
  status = turnout_twilio_sender_fetch_status_finish (TURNOUT_TWILIO_SENDER (object), result,
                                                      &error);
  if (status == NULL)
    {
      /* Twilio no longer has it (or the id is not one of its): nothing
       * more will be learned, but it was looked at. Anything else would
       * fail the next request too. */
      if (!g_error_matches (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NOT_FOUND)
          && !g_error_matches (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED))
        {
          if (data->error == NULL)
            {
              if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_prefix_error (&error, _("Could not ask Twilio whether messages arrived: "));
              data->error = error;
            }
          else
            g_error_free (error);
          fetch_more (g_steal_pointer (&task));
          return;
        }
      g_clear_error (&error);
    }
  else
    {
      switch (status->state)
        {
        case TURNOUT_DELIVERY_DELIVERED:
          state = TURNOUT_RECEIPT_DELIVERED;
          data->summary.delivered++;
          break;
        case TURNOUT_DELIVERY_UNDELIVERED:
          state = TURNOUT_RECEIPT_UNDELIVERED;
          text = status->message;
          data->summary.undelivered++;
          break;
        case TURNOUT_DELIVERY_FAILED:
          state = TURNOUT_RECEIPT_FAILED;
          text = status->message;
          data->summary.failed++;
          break;
        case TURNOUT_DELIVERY_CANCELED:
          state = TURNOUT_RECEIPT_FAILED;
          text = _("The message was cancelled at Twilio before it was sent.");
          data->summary.failed++;
          break;
        case TURNOUT_DELIVERY_PENDING:
        case TURNOUT_DELIVERY_SENT:
        default:
          break;
        }
    }
  data->summary.checked++;
  g_ptr_array_add (data->receipts,
                   turnout_receipt_new (unconfirmed->message_id, state,
                                        status != NULL ? status->error_code : NULL, text));
  fetch_more (g_steal_pointer (&task));
}

/* Keeps up to TURNOUT_POLL_IN_FLIGHT status requests out; once every one
 * asked is answered (after the last, or after one failed for good), writes
 * what was learned. Takes the reference on @task. */
static void
fetch_more (GTask *task)
{
  PollData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean stop = data->error != NULL || g_cancellable_is_cancelled (cancellable);

  while (!stop && data->in_flight < TURNOUT_POLL_IN_FLIGHT && data->next < data->unconfirmed->len)
    {
      Request *request = g_new0 (Request, 1);
      TurnoutUnconfirmed *unconfirmed;

      request->task = g_object_ref (task);
      request->index = data->next++;
      unconfirmed = g_ptr_array_index (data->unconfirmed, request->index);
      data->in_flight++;
      turnout_twilio_sender_fetch_status_async (data->sender, unconfirmed->provider_id,
                                                cancellable, on_status_cb, request);
    }
  if (data->in_flight > 0)
    {
      g_object_unref (task);
      return;
    }
  if (data->receipts->len == 0)
    {
      list_replies (task);
      return;
    }
  /* Not the pass's cancellable: what was learned is written whatever
   * happens next. */
  turnout_replies_record_receipts_async (g_task_get_source_object (task), data->receipts, NULL,
                                         on_receipts_recorded_cb, task);
}

static void
on_unconfirmed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PollData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->unconfirmed = turnout_replies_list_unconfirmed_finish (TURNOUT_STORE (object), result,
                                                               &error);
  if (data->unconfirmed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  fetch_more (g_steal_pointer (&task));
}

static void
on_reconciled_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PollData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  data->summary.reconciled = turnout_outbox_reconcile_finish (TURNOUT_STORE (object), result,
                                                              &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  /* One message that can't be settled must not keep the pass from the
   * statuses and replies: it is reported at the end. */
  if (error != NULL)
    {
      g_prefix_error (&error, _("Could not settle the one-off texts whose fate is unknown: "));
      data->reconcile_error = error;
    }
  turnout_replies_list_unconfirmed_async (TURNOUT_STORE (object), TURNOUT_POLL_BATCH, cancellable,
                                          on_unconfirmed_cb, g_steal_pointer (&task));
}

/**
 * turnout_poll_run_async:
 * @sender: the Twilio client to ask
 * @cancellable: (nullable): stops the pass; what was learned is written
 *
 * Runs one pass: reconciles one-off texts whose fate is unknown, asks the
 * delivery status of a batch of sent messages, and keeps and acts on the
 * replies that came in since the last pass.
 */
void
turnout_poll_run_async (TurnoutStore        *store,
                        TurnoutTwilioSender *sender,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PollData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (sender));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_poll_run_async);
  data = g_new0 (PollData, 1);
  data->sender = g_object_ref (sender);
  data->receipts = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_receipt_free);
  g_task_set_task_data (task, data, (GDestroyNotify) poll_data_free);
  turnout_outbox_reconcile_async (store, TURNOUT_SENDER (sender), cancellable, on_reconciled_cb,
                                  g_steal_pointer (&task));
}

/**
 * turnout_poll_run_finish:
 * @summary: (out caller-allocates) (optional): what the pass found, also
 *   when it failed part of the way
 *
 * Returns: %TRUE when the whole pass ran; %FALSE with @error set when a
 *   part failed (what was learned before is written)
 */
gboolean
turnout_poll_run_finish (TurnoutStore        *store,
                         GAsyncResult        *result,
                         TurnoutPollSummary  *summary,
                         GError             **error)
{
  PollData *data;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_poll_run_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (summary != NULL)
    *summary = data->summary;
  return g_task_propagate_boolean (G_TASK (result), error);
}
