/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-sender"

#include "config.h"

#include "turnout-sender.h"

/*
 * The seam between the dispatcher (core) and the providers. Each channel has
 * one implementation (Twilio for SMS/MMS, SMTP for e-mail) that turns a
 * rendered message into a request and the provider's answer into one of a
 * few outcomes the dispatcher knows how to act on. The outcome classes
 * follow what is safe to do next, not what went wrong: the one that matters
 * most is TURNOUT_SEND_UNKNOWN, because resending after it could text a
 * person twice.
 */

G_DEFINE_INTERFACE (TurnoutSender, turnout_sender, G_TYPE_OBJECT)

static void
turnout_sender_default_init (TurnoutSenderInterface *iface)
{
}

/**
 * turnout_send_result_new:
 *
 * Returns: (transfer full): a result with @outcome, no texts and no
 *   retry delay (-1)
 */
TurnoutSendResult *
turnout_send_result_new (TurnoutSendOutcome outcome)
{
  TurnoutSendResult *result = g_new0 (TurnoutSendResult, 1);

  result->outcome = outcome;
  result->retry_after = -1;
  return result;
}

void
turnout_send_result_free (TurnoutSendResult *result)
{
  if (result == NULL)
    return;
  g_free (result->provider_id);
  g_free (result->error_code);
  g_free (result->message);
  g_free (result->country);
  g_free (result);
}

/**
 * turnout_send_outcome_to_string:
 *
 * Returns: a stable lower-case name for logs and JSON ("ok", "transient",
 *   "rate-limited", "permanent", "suppress", "fatal", "stop-country",
 *   "unknown")
 */
const char *
turnout_send_outcome_to_string (TurnoutSendOutcome outcome)
{
  switch (outcome)
    {
    case TURNOUT_SEND_OK: return "ok";
    case TURNOUT_SEND_TRANSIENT: return "transient";
    case TURNOUT_SEND_RATE_LIMITED: return "rate-limited";
    case TURNOUT_SEND_PERMANENT: return "permanent";
    case TURNOUT_SEND_SUPPRESS: return "suppress";
    case TURNOUT_SEND_FATAL: return "fatal";
    case TURNOUT_SEND_STOP_COUNTRY: return "stop-country";
    case TURNOUT_SEND_UNKNOWN: return "unknown";
    default: g_return_val_if_reached ("unknown");
    }
}

/**
 * turnout_sender_get_channel:
 *
 * Returns: the channel this sender serves: "sms" or "email"
 */
const char *
turnout_sender_get_channel (TurnoutSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_SENDER (self), NULL);

  return TURNOUT_SENDER_GET_IFACE (self)->get_channel (self);
}

/**
 * turnout_sender_send_async:
 * @outgoing: the message; only read during this call
 *
 * Hands one rendered message to the provider. Cancelling may leave the
 * message accepted by the provider: a caller that cancels must treat the
 * message as unknown (reconcile it later), not as unsent.
 */
void
turnout_sender_send_async (TurnoutSender         *self,
                           const TurnoutOutgoing *outgoing,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  g_return_if_fail (TURNOUT_IS_SENDER (self));
  g_return_if_fail (outgoing != NULL);

  TURNOUT_SENDER_GET_IFACE (self)->send_async (self, outgoing, cancellable, callback, user_data);
}

/**
 * turnout_sender_send_finish:
 *
 * Returns: (transfer full): what happened; %NULL only when the send was
 *   cancelled (@error is then %G_IO_ERROR_CANCELLED)
 */
TurnoutSendResult *
turnout_sender_send_finish (TurnoutSender  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (TURNOUT_IS_SENDER (self), NULL);

  return TURNOUT_SENDER_GET_IFACE (self)->send_finish (self, result, error);
}

/**
 * turnout_sender_find_sent_async:
 * @to: the address the message went to
 * @since: the time (Unix seconds) the send was claimed; providers allow for
 *   some clock difference
 * @text: the text that was sent
 *
 * Reconciliation after an unknown outcome or a crash: asks the provider
 * whether it accepted a message to @to with this text since @since.
 */
void
turnout_sender_find_sent_async (TurnoutSender       *self,
                                const char          *to,
                                gint64               since,
                                const char          *text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TURNOUT_IS_SENDER (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (text != NULL);

  TURNOUT_SENDER_GET_IFACE (self)->find_sent_async (self, to, since, text, cancellable, callback,
                                                    user_data);
}

/**
 * turnout_sender_find_sent_finish:
 *
 * Returns: (transfer full) (nullable): the provider id of the message, or
 *   %NULL when there is none (@error unset) or the provider could not be
 *   asked (@error set: try again later, don't assume it was not sent)
 */
char *
turnout_sender_find_sent_finish (TurnoutSender  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (TURNOUT_IS_SENDER (self), NULL);

  return TURNOUT_SENDER_GET_IFACE (self)->find_sent_finish (self, result, error);
}
