/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-types.h"

G_BEGIN_DECLS

/* How far back delivery receipts are asked for, in seconds. */
#define TURNOUT_RECEIPT_WINDOW (72 * 3600)

/**
 * TurnoutReplyAction:
 * @TURNOUT_REPLY_ACTION_NONE: an ordinary reply: kept, nothing else done
 * @TURNOUT_REPLY_ACTION_OPT_OUT: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END,
 *   QUIT, REVOKE or OPTOUT: the number is suppressed and its contacts
 *   opted out of texts
 * @TURNOUT_REPLY_ACTION_OPT_IN: START, YES or UNSTOP: the opt-out is
 *   lifted and its contacts opted in
 * @TURNOUT_REPLY_ACTION_HELP: HELP or INFO: kept (Twilio answers them)
 *
 * What a reply asks for.
 */
typedef enum
{
  TURNOUT_REPLY_ACTION_NONE,
  TURNOUT_REPLY_ACTION_OPT_OUT,
  TURNOUT_REPLY_ACTION_OPT_IN,
  TURNOUT_REPLY_ACTION_HELP,
} TurnoutReplyAction;

/**
 * TurnoutReply:
 * @provider_id: the provider's id of the reply (a Twilio Message SID)
 * @from: who wrote, in E.164
 * @to: (nullable): the number they wrote to
 * @body: what they wrote
 * @received_at: when the provider received it, Unix seconds
 *
 * One text somebody sent to the sender number.
 */
typedef struct
{
  char   *provider_id;
  char   *from;
  char   *to;
  char   *body;
  gint64  received_at;
} TurnoutReply;

TurnoutReply *turnout_reply_new  (const char   *provider_id,
                                  const char   *from,
                                  const char   *to,
                                  const char   *body,
                                  gint64        received_at);
void          turnout_reply_free (TurnoutReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutReply, turnout_reply_free)

/**
 * TurnoutReplyCounts:
 * @added: replies not seen before
 * @opt_outs: new replies that opted out
 * @opt_ins: new replies that opted in
 * @help: new replies asking for help
 */
typedef struct
{
  guint added;
  guint opt_outs;
  guint opt_ins;
  guint help;
} TurnoutReplyCounts;

/**
 * TurnoutReceiptState:
 * @TURNOUT_RECEIPT_PENDING: no final word yet (still queued at the
 *   provider, or handed to the carrier without a receipt)
 * @TURNOUT_RECEIPT_DELIVERED: the carrier confirmed delivery
 * @TURNOUT_RECEIPT_UNDELIVERED: the carrier could not deliver it
 * @TURNOUT_RECEIPT_FAILED: the provider never handed it to a carrier
 */
typedef enum
{
  TURNOUT_RECEIPT_PENDING,
  TURNOUT_RECEIPT_DELIVERED,
  TURNOUT_RECEIPT_UNDELIVERED,
  TURNOUT_RECEIPT_FAILED,
} TurnoutReceiptState;

/**
 * TurnoutReceipt:
 * @message_id: the row in messages
 * @state: what the provider said
 * @error_code: (nullable): the carrier's or provider's code ("30003")
 * @text: (nullable): a sentence saying why it did not arrive
 */
typedef struct
{
  gint64               message_id;
  TurnoutReceiptState  state;
  char                *error_code;
  char                *text;
} TurnoutReceipt;

TurnoutReceipt *turnout_receipt_new  (gint64               message_id,
                                      TurnoutReceiptState  state,
                                      const char          *error_code,
                                      const char          *text);
void            turnout_receipt_free (TurnoutReceipt      *receipt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutReceipt, turnout_receipt_free)

/**
 * TurnoutUnconfirmed:
 * @message_id: the row in messages
 * @provider_id: the provider's id to ask about
 * @sent_at: when it was sent, Unix seconds
 *
 * A sent message whose delivery is not known yet.
 */
typedef struct
{
  gint64  message_id;
  char   *provider_id;
  gint64  sent_at;
} TurnoutUnconfirmed;

void turnout_unconfirmed_free (TurnoutUnconfirmed *unconfirmed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutUnconfirmed, turnout_unconfirmed_free)

TurnoutReplyAction  turnout_reply_classify                   (const char          *body);
const char         *turnout_reply_action_to_string           (TurnoutReplyAction   action);

/* On a connection of the calling thread (a worker's). */
gboolean            turnout_replies_record                   (sqlite3             *db,
                                                              const TurnoutReply  *reply,
                                                              gint64               now,
                                                              TurnoutReplyAction  *action,
                                                              gboolean            *added,
                                                              GError             **error);
gint64              turnout_replies_get_list_start           (sqlite3             *db,
                                                              gint64               now,
                                                              GError             **error);
gboolean            turnout_replies_set_listed_until         (sqlite3             *db,
                                                              gint64               listed_until,
                                                              GError             **error);
GPtrArray          *turnout_replies_list_unconfirmed         (sqlite3             *db,
                                                              gint64               now,
                                                              guint                limit,
                                                              GError             **error);
gboolean            turnout_replies_record_receipts          (sqlite3             *db,
                                                              GPtrArray           *receipts,
                                                              gint64               now,
                                                              GError             **error);

/* The same on the store's workers. */
void                turnout_replies_record_all_async         (TurnoutStore        *store,
                                                              GPtrArray           *replies,
                                                              gint64               listed_until,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean            turnout_replies_record_all_finish        (TurnoutStore        *store,
                                                              GAsyncResult        *result,
                                                              TurnoutReplyCounts  *counts,
                                                              GError             **error);
void                turnout_replies_get_list_start_async     (TurnoutStore        *store,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gint64              turnout_replies_get_list_start_finish    (TurnoutStore        *store,
                                                              GAsyncResult        *result,
                                                              GError             **error);
void                turnout_replies_list_unconfirmed_async   (TurnoutStore        *store,
                                                              guint                limit,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
GPtrArray          *turnout_replies_list_unconfirmed_finish  (TurnoutStore        *store,
                                                              GAsyncResult        *result,
                                                              GError             **error);
void                turnout_replies_record_receipts_async    (TurnoutStore        *store,
                                                              GPtrArray           *receipts,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean            turnout_replies_record_receipts_finish   (TurnoutStore        *store,
                                                              GAsyncResult        *result,
                                                              GError             **error);

G_END_DECLS
